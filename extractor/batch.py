"""Summarising many files: results in input order, in parallel, one bad file never stops the rest.

    from extractor.batch import FileError, summarize_many
    for path, result in summarize_many(paths, jobs=4):
        if isinstance(result, FileError):
            print(result)                 # one line: unreadable, binary, undecodable ...
        else:
            result["meeting"]             # Summary.to_dict()

Where the engine comes from (second argument): an :class:`~extractor.engine.Engine`, a
callable returning one (picklable where workers are spawned), or a dict of
:meth:`Engine.load` keyword arguments (``paths``, ``overlays``, ``use_shipped``,
``timeout``); by default the shipped rules.

``jobs=1`` runs in this process.  ``jobs=N`` starts N - 1 worker processes (a
:class:`ProcessPoolExecutor`) and this process works beside them; they are started only
once the files left would take this process longer than :data:`POOL_AFTER` alone, so
that a few files cost no new processes.  Workers are forked on
Linux (they share the parent's compiled engine, nothing is recompiled) and spawned
elsewhere, where the pool initializer builds the engine once per worker (from the rule
cache, :mod:`extractor.rulecache`).  Workers take files in chunks of up to
:data:`CHUNKSIZE`, shrinking as the files run out; results come back in input order as
soon as they are ready.
A file that cannot be read (missing, binary, undecodable) becomes an error record and
the rest go on; so does an unexpected exception inside the engine (set ``JIYAO_DEBUG``
to let it propagate instead).  Workers ignore SIGINT: Ctrl-C is handled by the parent,
which cancels the queued files.
"""
from __future__ import annotations

import functools
import json
import os
import signal
import sys
from dataclasses import dataclass, field
from time import perf_counter
from typing import Any, Callable, Generator, Iterable, Iterator, Sequence

CHUNKSIZE = 32
POOL_AFTER = 0.1
"""Seconds: with more than one job this process starts alone, and starts the workers once
the files left would keep it busy for longer than this; a few files never wait for new
processes (0: start them at once)."""
EXIT_INTERNAL = 3
"""Exit status when the engine itself failed on some file (as ``cli.main`` uses)."""
RENDERS = ("dict", "markdown", "json", "jsonl")


class FileError(Exception):
    """One input that could not be summarised; ``str(err)`` is a one-line message that
    names the file.  ``kind`` is ``"read"`` (ReadError) or ``"internal"`` (engine bug)."""

    def __init__(self, path: str, message: str, kind: str = "read"):
        super().__init__(message)
        self.path = path
        self.message = message
        self.kind = kind

    def __reduce__(self):
        return (FileError, (self.path, self.message, self.kind))

    def to_dict(self) -> dict[str, str]:
        return {"file": self.path, "error": self.message}


@dataclass(frozen=True)
class Options:
    render: str = "dict"
    """What a worker sends back: ``dict`` (Summary.to_dict), ``markdown``, ``json`` or
    ``jsonl`` (one line with a leading ``"file"`` key, newline included)."""
    explain: bool = False
    encoding: str | None = None
    input_format: str | None = None
    max_bytes: int | None = -1
    """Size cap of one input in bytes (-1: :data:`extractor.source.MAX_BYTES`; None or 0: none)."""

    def cap(self) -> int | None:
        from .source import MAX_BYTES
        return MAX_BYTES if self.max_bytes == -1 else self.max_bytes


@dataclass
class FileResult:
    """The outcome for one input."""

    path: str
    value: Any = None
    """The rendered summary (see :attr:`Options.render`); None on error."""
    warnings: list[str] = field(default_factory=list)
    empty: bool = False
    """Nothing was extracted (and no title either)."""
    error: str | None = None
    """One-line message when the file could not be summarised."""
    internal: bool = False
    """The error is an exception inside the engine, not an unreadable input."""

    def as_error(self) -> FileError | None:
        if self.error is None:
            return None
        return FileError(self.path, self.error, "internal" if self.internal else "read")


# --------------------------------------------------------------------------- one file

def process(engine, path: str, payload: Any, opts: Options) -> FileResult:
    """Read (unless ``payload`` already holds a Source or a text), summarise and render one input."""
    from .errors import printable
    from .source import ReadError, Source, from_text, read_path

    try:
        if payload is None:
            src = read_path(path, opts.encoding, opts.input_format, opts.cap())
        elif isinstance(payload, Source):
            src = payload
        elif isinstance(payload, str):
            src = from_text(payload, opts.input_format or "text")
        elif isinstance(payload, FileError):
            return FileResult(path, error=payload.message)
        else:
            raise TypeError(f"cannot summarise a {type(payload).__name__}")
    except ReadError as e:
        return FileResult(path, error=str(e))
    try:
        summary = engine.summarize_source(src)
        value = _render(summary, path, opts)
    except Exception as e:
        if os.environ.get("JIYAO_DEBUG"):
            raise
        return FileResult(path, error=printable(f"{path}: internal error: {type(e).__name__}: {e}"), internal=True)
    return FileResult(path, value, list(summary.warnings), summary.is_empty() and not summary.title)


def _render(summary, path: str, opts: Options) -> Any:
    if opts.render == "dict":
        return summary.to_dict(opts.explain)
    if opts.render == "markdown":
        return summary.to_markdown()
    if opts.render == "json":
        return summary.to_json(opts.explain)
    from .errors import printable
    d: dict[str, Any] = {"file": printable(path)}
    d.update(summary.to_dict(opts.explain))
    return json.dumps(d, ensure_ascii=False) + "\n"


# --------------------------------------------------------------------------- workers

_ENGINE = None
_OPTS = Options()


WATCH_PARENT = 0.5
"""Seconds between a worker's checks that the process that started it is still there: a
worker whose parent died (``kill -9``) exits by itself instead of living on, orphaned."""


def _init_worker(source: Any, opts: Options, parent: int | None = None) -> None:
    """Pool initializer: build (or adopt, when forked) the engine once per worker."""
    global _ENGINE, _OPTS
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    if hasattr(signal, "SIGTERM"):  # a forked worker must not inherit the CLI's handler
        signal.signal(signal.SIGTERM, signal.SIG_DFL)
    if parent is not None:
        import threading
        threading.Thread(target=_watch_parent, args=(parent,), name="jiyao-watch-parent", daemon=True).start()
    _ENGINE = source if _is_engine(source) else source()
    _OPTS = opts


def _watch_parent(parent: int) -> None:
    """End this worker once its parent is gone (it is then re-parented: ``getppid`` changes)."""
    import time
    while os.getppid() == parent:
        time.sleep(WATCH_PARENT)
    os._exit(1)


def _work_chunk(chunk: list[tuple[str, Any]]) -> list[FileResult]:
    return [process(_ENGINE, path, payload, _OPTS) for path, payload in chunk]


def _is_engine(x: Any) -> bool:
    from .engine import Engine
    return isinstance(x, Engine)


def engine_factory(source: Any = None) -> Callable[[], Any]:
    """A picklable zero-argument callable that builds the engine ``source`` describes."""
    from . import rulecache
    if source is None:
        return rulecache.load
    if isinstance(source, dict):
        return functools.partial(rulecache.load, **source)
    if _is_engine(source):
        return functools.partial(_identity, source)
    if callable(source):
        return source
    raise TypeError(f"expected an Engine, a callable or a dict of Engine.load arguments, not {type(source).__name__}")


def _identity(x: Any) -> Any:
    return x


def default_jobs() -> int:
    return os.cpu_count() or 1


def _context():
    import multiprocessing
    return multiprocessing.get_context("fork" if sys.platform.startswith("linux") else "spawn")


def _items(inputs: Iterable[Any], opts: Options) -> list[tuple[str, Any]]:
    """(label, payload) pairs: payload None means "read the file in the worker"; stdin
    (``-``) is read here, in the parent, once."""
    from .source import ReadError, read_stdin

    out: list[tuple[str, Any]] = []
    stdin_done = False
    for x in inputs:
        p = os.fspath(x)
        if p == "-":
            if stdin_done:
                out.append((p, FileError(p, "<stdin>: already read")))
                continue
            stdin_done = True
            try:
                out.append((p, read_stdin(opts.encoding, opts.input_format, opts.cap())))
            except ReadError as e:
                out.append((p, FileError(p, str(e))))
        else:
            out.append((p, None))
    return out


def iter_results(inputs: Sequence[Any], source: Any = None, *, jobs: int | None = 1,
                 opts: Options = Options(), chunksize: int | None = None) -> Iterator[FileResult]:
    """One :class:`FileResult` per input, in input order (the engine of the CLI's batches)."""
    items = _items(inputs, opts)
    n = len(items)
    jobs = default_jobs() if jobs is None else int(jobs)
    if jobs < 1:
        raise ValueError("jobs must be at least 1")
    if n == 0:
        return
    jobs = min(jobs, n)
    # built here first, also when workers will be spawned: rule errors surface in the caller
    engine = source if _is_engine(source) else engine_factory(source)()
    if jobs <= 1:
        for path, payload in items:
            yield process(engine, path, payload, opts)
        return
    started = yield from _alone(items, engine, opts)
    if started < n:
        ctx = _context()
        # forked workers share this process's engine; spawned ones are sent it or build their own
        init = engine if ctx.get_start_method() == "fork" or _is_engine(source) else engine_factory(source)
        yield from _pooled(items[started:], engine, init, ctx, jobs, opts, chunksize)


def _alone(items: list[tuple[str, Any]], engine: Any, opts: Options) -> Generator[FileResult, None, int]:
    """Summarise files in this process until the rest would take longer than
    :data:`POOL_AFTER` (judged from the files after the first, which also pays for warming
    up); return how many were done."""
    n = len(items)
    since = 0.0
    for i, (path, payload) in enumerate(items):
        left = n - i  # a single file left is summarised here: a worker could not share it
        if left > 1 and (POOL_AFTER <= 0 or (i >= 2 and (perf_counter() - since) / (i - 1) * left > POOL_AFTER)):
            return i
        yield process(engine, path, payload, opts)
        if i == 0:
            since = perf_counter()
    return n


def _pooled(items: list[tuple[str, Any]], engine: Any, init: Any, ctx: Any, jobs: int, opts: Options,
            chunksize: int | None) -> Iterator[FileResult]:
    """``jobs - 1`` worker processes and this one share the work; results in input order.

    Workers take chunks (``chunksize``, or shrinking from :data:`CHUNKSIZE` as the files
    run out, so that no worker is left with a long chunk at the end); each worker has two
    chunks queued.  Between handing out chunks and passing on finished ones this process
    summarises single files itself, so its core is not spent waiting, and those files cost
    no pickling or pipe.

    A worker that dies (killed, out of memory, a crash in C code) takes the pool down with
    it: the files it and the other workers still held are run again in a new pool, one file
    at a time, and a file whose worker dies a second time becomes an error record naming it."""
    from collections import deque
    from concurrent.futures import FIRST_COMPLETED, wait
    from concurrent.futures.process import BrokenProcessPool, ProcessPoolExecutor

    from .errors import printable

    n = len(items)  # at least two
    workers = min(jobs, n) - 1

    def new_pool() -> ProcessPoolExecutor:
        return ProcessPoolExecutor(max_workers=workers, mp_context=ctx, initializer=_init_worker,
                                   initargs=(init, opts, os.getpid()))

    ex = new_pool()
    todo: deque = deque(range(n))  # files not handed out yet, in order
    suspects: deque = deque()  # files lost once in a dead worker: rerun one at a time
    retried: set[int] = set()
    sent: dict[Any, list[int]] = {}  # future -> the indices of its chunk
    results: dict[int, FileResult] = {}  # finished, not yet passed on
    done = 0  # files passed on
    finished = False

    def lost_all() -> None:
        """The pool is broken: every chunk it held is lost; start a new pool."""
        nonlocal ex
        for idx in sent.values():
            for i in idx:
                if i in retried:
                    path = items[i][0]
                    results[i] = FileResult(path, error=printable(
                        f"{path}: the worker process summarising it died, twice (killed, or out of memory?)"))
                else:
                    retried.add(i)
                    suspects.append(i)
        order = sorted(suspects)  # the earliest first: the output waits for it
        suspects.clear()
        suspects.extend(order)
        sent.clear()
        ex.shutdown(wait=True, cancel_futures=True)
        ex = new_pool()

    def submit(idx: list[int]) -> None:
        try:
            fut = ex.submit(_work_chunk, [items[i] for i in idx])
        except BrokenProcessPool:
            for i in reversed(idx):  # not sent: not lost either
                (suspects if i in retried else todo).appendleft(i)
            if not harvest(list(sent)):
                lost_all()
            return
        sent[fut] = idx

    def harvest(futures: list) -> bool:
        """Collect the finished chunks; True when the pool turned out broken (and was replaced)."""
        broken = False
        for f in futures:
            if not f.done():
                continue
            try:
                rs = f.result()
            except BrokenProcessPool:
                broken = True
                continue
            except Exception as e:  # the chunk failed outside the engine (pickling, memory)
                if os.environ.get("JIYAO_DEBUG"):
                    raise
                rs = [FileResult(items[i][0], error=printable(f"{items[i][0]}: internal error: {type(e).__name__}: {e}"),
                                 internal=True) for i in sent[f]]
            for i, r in zip(sent.pop(f), rs):
                results[i] = r
        if broken:
            lost_all()
        return broken

    try:
        while done < n:
            if suspects:
                if not sent:
                    submit([suspects.popleft()])
            else:
                while todo and len(sent) < 2 * workers:
                    size = chunksize or max(1, min(CHUNKSIZE, len(todo) // (4 * jobs)))
                    submit([todo.popleft() for _ in range(min(size, len(todo)))])
            if done not in results:
                harvest(list(sent))
            if done in results:
                yield results.pop(done)
                done += 1
            elif todo:  # the next result is in a worker: summarise one here
                i = todo.popleft()
                results[i] = process(engine, items[i][0], items[i][1], opts)
            elif sent:
                wait(list(sent), return_when=FIRST_COMPLETED)
        finished = True
    finally:
        # On an early stop (closed pipe, Ctrl-C, consumer gave up) drop the queued files.
        ex.shutdown(wait=finished, cancel_futures=not finished)


def summarize_many(paths: Iterable[Any], engine_factory: Any = None, jobs: int | None = None, *,
                   explain: bool = False, encoding: str | None = None, input_format: str | None = None,
                   chunksize: int | None = None, max_bytes: int | None = -1
                   ) -> Iterator[tuple[str, dict | FileError]]:
    """Summarise files; yield ``(path, Summary.to_dict())`` or ``(path, FileError)`` in input order.

    ``engine_factory``: an Engine, a callable returning one, or a dict of Engine.load
    arguments (default: shipped rules).  ``jobs``: processes summarising at once, this one
    included (default: all cores; 1: this process only).  ``max_bytes``: a larger input is
    a FileError, not read (default :data:`extractor.source.MAX_BYTES`, 50 MiB; None: no cap).
    Only regular files are read: a FIFO or a device is a FileError too."""
    opts = Options("dict", explain, encoding, input_format, max_bytes)
    for r in iter_results(list(paths), engine_factory, jobs=jobs, opts=opts, chunksize=chunksize):
        err = r.as_error()
        yield r.path, (err if err is not None else r.value)



