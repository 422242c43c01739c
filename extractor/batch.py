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
    from .reader import ReadError, Source, from_text, read_path

    try:
        if payload is None:
            src = read_path(path, opts.encoding, opts.input_format)
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
        return FileResult(path, error=f"{path}: internal error: {type(e).__name__}: {e}", internal=True)
    return FileResult(path, value, list(summary.warnings), summary.is_empty() and not summary.title)


def _render(summary, path: str, opts: Options) -> Any:
    if opts.render == "dict":
        return summary.to_dict(opts.explain)
    if opts.render == "markdown":
        return summary.to_markdown()
    if opts.render == "json":
        return summary.to_json(opts.explain)
    d: dict[str, Any] = {"file": path}
    d.update(summary.to_dict(opts.explain))
    return json.dumps(d, ensure_ascii=False) + "\n"


# --------------------------------------------------------------------------- workers

_ENGINE = None
_OPTS = Options()


def _init_worker(source: Any, opts: Options) -> None:
    """Pool initializer: build (or adopt, when forked) the engine once per worker."""
    global _ENGINE, _OPTS
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    _ENGINE = source if _is_engine(source) else source()
    _OPTS = opts


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
    from .reader import ReadError, read_stdin

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
                out.append((p, read_stdin(opts.encoding, opts.input_format)))
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
    no pickling or pipe."""
    from collections import deque
    from concurrent.futures import ProcessPoolExecutor

    n = len(items)  # at least two
    workers = min(jobs, n) - 1
    ex = ProcessPoolExecutor(max_workers=workers, mp_context=ctx, initializer=_init_worker, initargs=(init, opts))
    sent: deque = deque()  # (first index, future) of the chunks handed to workers, in order
    here: dict[int, FileResult] = {}  # index -> result made in this process, not yet passed on
    nxt = 0  # first file not handed out
    done = 0  # files passed on
    finished = False
    try:
        while done < n:
            busy = sum(1 for _, f in sent if not f.done())
            while nxt < n and busy < 2 * workers:
                size = chunksize or max(1, min(CHUNKSIZE, (n - nxt) // (4 * jobs)))
                sent.append((nxt, ex.submit(_work_chunk, items[nxt:nxt + size])))
                nxt = min(n, nxt + size)
                busy += 1
            if done in here:
                yield here.pop(done)
                done += 1
            elif sent and sent[0][0] == done and (sent[0][1].done() or nxt >= n):
                for r in sent.popleft()[1].result():
                    yield r
                    done += 1
            else:  # the next result is still in a worker: summarise the next file here
                here[nxt] = process(engine, items[nxt][0], items[nxt][1], opts)
                nxt += 1
        finished = True
    finally:
        # On an early stop (closed pipe, Ctrl-C, consumer gave up) drop the queued files.
        ex.shutdown(wait=finished, cancel_futures=not finished)


def summarize_many(paths: Iterable[Any], engine_factory: Any = None, jobs: int | None = None, *,
                   explain: bool = False, encoding: str | None = None, input_format: str | None = None,
                   chunksize: int | None = None) -> Iterator[tuple[str, dict | FileError]]:
    """Summarise files; yield ``(path, Summary.to_dict())`` or ``(path, FileError)`` in input order.

    ``engine_factory``: an Engine, a callable returning one, or a dict of Engine.load
    arguments (default: shipped rules).  ``jobs``: processes summarising at once, this one
    included (default: all cores; 1: this process only)."""
    opts = Options("dict", explain, encoding, input_format)
    for r in iter_results(list(paths), engine_factory, jobs=jobs, opts=opts, chunksize=chunksize):
        err = r.as_error()
        yield r.path, (err if err is not None else r.value)


# --------------------------------------------------------------------------- the CLI's batch

class AtomicOutput:
    """Text written to a temporary file next to ``path``, renamed over it by :meth:`commit`;
    :meth:`discard` (or an exception) leaves no temporary file behind."""

    def __init__(self, path: str):
        import tempfile
        self.path = path
        d = os.path.dirname(os.path.abspath(path)) or "."
        fd, self.tmp = tempfile.mkstemp(dir=d, prefix=".summarize-", suffix=".tmp")
        self.fh = os.fdopen(fd, "w", encoding="utf-8", newline="")

    def write(self, s: str) -> None:
        self.fh.write(s)

    def commit(self) -> None:
        self.fh.close()
        try:  # mkstemp makes the file 0600; give it the mode a plain open() would
            mask = os.umask(0)
            os.umask(mask)
            os.chmod(self.tmp, 0o666 & ~mask)
        except OSError:
            pass
        os.replace(self.tmp, self.path)
        self.tmp = None

    def discard(self) -> None:
        if self.tmp is not None:
            try:
                self.fh.close()
            except OSError:
                pass
            try:
                os.unlink(self.tmp)
            except OSError:
                pass
            self.tmp = None


def run_cli(args: Any, engine: Any, inputs: Iterable[str], fmt: str, multi: bool | None = None) -> int:
    """Summarise ``inputs`` for ``cmd_summarize`` (several files, or ``--dask``) and write
    the output exactly as the one-file path does; returns the exit status.  With ``--dask``
    ``inputs`` may be an iterator (a stream: ``multi`` then says whether there are several)."""
    from .errors import EXIT_INPUT, EXIT_OK
    from .progress import Progress

    from .formats import FORMATS as DICT_FORMATS, error_record, record  # yaml, csv, csv-points
    render = fmt if fmt in ("markdown", "jsonl") else "dict" if fmt in DICT_FORMATS + ("parquet",) else "json"
    csv_header = True  # CSV: one header row, before the first file's rows
    opts = Options(render, bool(args.explain), args.encoding, args.input_format)
    dask = None
    if getattr(args, "dask", None):
        from .dask_helpers import DaskRun, DaskUsageError
        try:
            dask = DaskRun(args.dask, engine, opts, partition_size=getattr(args, "partition_size", None),
                           local_workers=getattr(args, "jobs", None))
        except DaskUsageError as e:
            from .errors import EXIT_USAGE
            print(f"summarize: error: {e}", file=sys.stderr)
            return EXIT_USAGE
        total = _count_for_progress(args.files) if not isinstance(inputs, Sequence) else len(inputs)
        results: Iterable[FileResult] = dask.results(inputs)
    else:
        inputs = list(inputs)
        total = len(inputs)
        results = iter_results(inputs, engine, jobs=getattr(args, "jobs", None), opts=opts)
    if multi is None:
        multi = total > 1
    status = EXIT_OK
    table = None
    if fmt == "parquet":  # extractor/tables.py: two tables, one file each or one per partition
        from .tables import ParquetOutput
        table = ParquetOutput(args.output, rows_per_file=dask.partition_size if dask else None)
    out = AtomicOutput(args.output) if args.output and table is None else None
    stdout_tty = out is None and _isatty(sys.stdout)
    bar = Progress(total)
    try:
        for r in results:
            msgs: list[str] = []
            chunk = ""
            if r.error is not None:
                msgs.append(f"summarize: {r.error}")
                status = max(status, EXIT_INTERNAL if r.internal else EXIT_INPUT)
                if table is not None:
                    table.add(r.path, None, r.error)
                elif fmt == "jsonl":
                    chunk = json.dumps({"file": r.path, "error": r.error}, ensure_ascii=False) + "\n"
                elif fmt in DICT_FORMATS:
                    chunk = error_record(fmt, r.path, r.error) if multi else ""
            else:
                msgs.extend(f"summarize: warning: {r.path}: {w}" for w in r.warnings)
                if r.empty:
                    msgs.append(f"summarize: note: {r.path}: nothing to extract")
                if table is not None:
                    table.add(r.path, r.value)
                elif fmt == "markdown":
                    chunk = f"<!-- {r.path} -->\n{r.value}\n" if multi else r.value
                elif fmt == "json":
                    chunk = r.value + "\n"
                elif fmt in DICT_FORMATS:
                    chunk = record(fmt, r.path, r.value, engine.book.labels, first=csv_header,
                                   multi=multi, explain=bool(args.explain))
                    csv_header = False
                else:
                    chunk = r.value
            if msgs or (chunk and stdout_tty):
                bar.clear()
            for m in msgs:
                print(m, file=sys.stderr)
            if chunk:
                if out is not None:
                    out.write(chunk)
                else:
                    sys.stdout.write(chunk)
                    sys.stdout.flush()
            bar.update()
        bar.close()
        if out is not None:
            out.commit()
        if table is not None:
            table.commit()
    finally:
        bar.clear()
        if out is not None:
            out.discard()
        if table is not None:
            table.discard()
        close = getattr(results, "close", None)
        if close is not None:
            close()
        if dask is not None:
            dask.close()
    return status


def _count_for_progress(files: Sequence[str]) -> int:
    """How many inputs a --dask stream has, counted (a second listing) only when a
    progress bar will be drawn; 0 otherwise."""
    from .progress import MIN_FILES, wanted
    if not wanted(MIN_FILES):
        return 0
    from .cli import iter_inputs
    return sum(1 for _ in iter_inputs(files))


def _isatty(stream: Any) -> bool:
    try:
        return bool(stream.isatty())
    except (AttributeError, ValueError, OSError):
        return False
