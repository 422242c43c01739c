"""Summarising many reports on a Dask cluster (optional: ``pip install 'jiyao[dask]'``).

Two ways in:

* :func:`summarize_bag` -- a ``dask.bag.Bag`` of summaries (the dicts of ``--format jsonl``)
  to filter, ``.to_textfiles()`` or ``.to_dataframe()`` on a cluster of your own::

      from dask.distributed import Client
      from extractor.dask_helpers import summarize_bag
      client = Client("tcp://scheduler:8786")               # or Client() on this machine
      bag = summarize_bag(["s3://archive/2024/*.txt"])      # listed here, read by the workers
      chaired = bag.filter(lambda d: "error" not in d and d["hosts"])

* the command line's ``--dask local|ADDRESS`` (:class:`DaskRun`): a stream.  Inputs are
  listed lazily and cut into partitions of :data:`PARTITION_SIZE` files; at most
  ``window`` partitions (twice the cluster's threads) are submitted at once, and results
  come back partition by partition in input order, so the client holds a bounded number
  of paths and results whatever the number of reports.

Each worker builds (or receives) the engine once: the CLI's compiled engine is scattered
to every worker once per run; rules given as directories or Engine.load arguments are
loaded through the rule cache once per worker process.  Paths are read on the workers,
so they must see the same files (or use URLs: ``s3://``, ``gs://``, ``file://`` through
fsspec, :func:`extractor.source.read_url`).
"""
from __future__ import annotations

import os
from collections import deque
from itertools import islice
from pathlib import PurePath
from typing import Any, Callable, Iterable, Iterator

from .batch import FileError, FileResult, Options, engine_factory, process

__all__ = ["summarize_bag", "local_client", "stream_partitions", "DaskRun", "PARTITION_SIZE"]

PARTITION_SIZE = 200
"""Files per task on the CLI's Dask path: about 0.2-0.4 s of work per task at ~1-2 ms a
report, large enough that scheduling (a few ms per task) stays near 1 % (docs/scale.md)."""

_ENGINES: dict[str, Any] = {}


def _engine_for(rules: Any):
    from .engine import Engine
    if isinstance(rules, Engine):
        return rules
    key = repr(rules)
    eng = _ENGINES.get(key)
    if eng is None:
        eng = _ENGINES[key] = engine_factory(rules)()
    return eng


def _partition(items: list[tuple[str, Any]], rules: Any, opts: Options) -> list[FileResult]:
    """One task: ``(label, payload)`` items summarised with the worker's engine."""
    engine = _engine_for(rules)
    return [process(engine, path, payload, opts) for path, payload in items]


def _rules_arg(rules: Any) -> Any:
    """None (shipped), an Engine, a dict of Engine.load arguments, or overlay directories."""
    if rules is None or isinstance(rules, dict):
        return rules
    from .engine import Engine
    if isinstance(rules, Engine):
        return rules
    if isinstance(rules, (str, os.PathLike)):
        rules = [rules]
    return {"overlays": [os.fspath(r) for r in rules]}


def _looks_like_path(x: Any) -> bool:
    if isinstance(x, (PurePath, os.PathLike)):
        return True
    # a report has line breaks; a one-line string is a file name (a wrong one is an error record)
    return isinstance(x, str) and "\n" not in x and len(x) < 4096


def _is_path(x: Any, kind: str) -> bool:
    return kind == "path" or (kind == "auto" and _looks_like_path(x))


def _dict_partition(xs: Iterable[Any], rules: Any, opts: Options, kind: str) -> list[dict]:
    """One task of :func:`summarize_bag`: each element (path, URL or text) as its dict."""
    engine = _engine_for(rules)
    out: list[dict] = []
    for x in xs:
        if _is_path(x, kind):
            path = os.fspath(x)
            r = process(engine, path, None, opts)
            out.append({"file": path, "error": r.error} if r.error is not None else {"file": path, **r.value})
        else:
            r = process(engine, "<text>", str(x), opts)
            out.append({"error": r.error} if r.error is not None else r.value)
    return out


def summarize_bag(paths_or_bag: Any, rules: Any = None, *, explain: bool = False, kind: str = "auto",
                  partition_size: int | None = None, npartitions: int | None = None,
                  encoding: str | None = None, input_format: str | None = None):
    """A ``dask.bag.Bag`` of summaries, one dict per input, in input order (lazy: nothing
    runs until it is computed, on the current Dask scheduler -- a ``distributed.Client``
    once one exists).

    ``paths_or_bag``: a Bag of paths/URLs/texts (used as it is), or an iterable of them
    (or one path): directories and URL globs are listed here, files are read on the
    workers.  ``kind``: ``"path"``, ``"text"`` or ``"auto"`` (Path objects and one-line
    strings are paths, strings with line breaks are reports' texts).  A path gives
    ``{"file": path, **Summary.to_dict()}`` (the ``--format jsonl`` line) or
    ``{"file": path, "error": message}`` when it cannot be read; a text gives
    ``Summary.to_dict()`` (or ``{"error": message}``).  ``rules``: None (shipped rules),
    overlay directories, a dict of Engine.load arguments, or an Engine (sent once per
    computation).  ``partition_size``/``npartitions``: how a list is cut (default: about
    100 files per partition)."""
    import dask
    import dask.bag as db

    if kind not in ("auto", "path", "text"):
        raise ValueError("kind must be 'auto', 'path' or 'text'")
    if isinstance(paths_or_bag, db.Bag):
        bag = paths_or_bag
    else:
        from .source import iter_inputs
        if isinstance(paths_or_bag, (str, os.PathLike)):
            paths_or_bag = [paths_or_bag]
        xs: list[Any] = []
        for x in paths_or_bag:
            if _is_path(x, kind) and not isinstance(x, PurePath):
                xs.extend(iter_inputs([os.fspath(x)]))  # a directory or URL glob: its files
            else:
                xs.append(x)
        if npartitions is None and partition_size is None:
            partition_size = 100
        bag = db.from_sequence(xs, partition_size=partition_size, npartitions=npartitions)
    shared = dask.delayed(_rules_arg(rules), traverse=False)
    opts = Options("dict", explain, encoding, input_format)
    return bag.map_partitions(_dict_partition, shared, opts, kind)


def local_client(n_workers: int = 2):
    """A Client on a new LocalCluster of ``n_workers`` one-thread processes (quiet; the
    dashboard, if bokeh is installed, on a free port)."""
    import logging

    import dask
    from dask.distributed import Client, LocalCluster

    with dask.config.set(LOCAL_CONFIG):  # read when the scheduler and the nannies are made
        cluster = LocalCluster(n_workers=n_workers, threads_per_worker=1, processes=True,
                               dashboard_address=":0", silence_logs=logging.ERROR)
    return Client(cluster)


LOCAL_CONFIG = {
    "distributed.worker.profile.enabled": False,
    "distributed.admin.tick.interval": "500ms",
    "distributed.admin.system-monitor.interval": "2s",
    "distributed.worker.memory.monitor-interval": "1s",
    "distributed.nanny.memory.monitor-interval": "1s",
}
"""What :func:`local_client`'s cluster does less often than Dask's defaults: no statistical
profiler in the workers (a stack sample every 10 ms), and slower event-loop health ticks,
system and memory monitors; together a few per cent of the CPU of a run on this machine,
spent in the event loops beside the engine's thread."""


# --------------------------------------------------------------------------- the stream

def stream_partitions(client: Any, items: Iterable[tuple[str, Any]], rules: Any, opts: Options,
                      partition_size: int = PARTITION_SIZE, window: int = 4,
                      submit: Callable[..., Any] | None = None) -> Iterator[list[FileResult]]:
    """Results of ``items`` partition by partition, in input order.

    ``items`` is consumed lazily: at most ``window`` partitions of ``partition_size``
    items are submitted and not yet passed on at any time, so the items taken from it but
    not yet yielded back never exceed ``window * partition_size``.  ``rules`` is what the
    tasks get (an Engine, a scattered Future of one, or Engine.load arguments)."""
    if partition_size < 1 or window < 1:
        raise ValueError("partition_size and window must be at least 1")
    submit = submit or client.submit
    it = iter(items)
    pending: deque = deque()
    more = True
    try:
        while True:
            while more and len(pending) < window:
                batch = list(islice(it, partition_size))
                if not batch:
                    more = False
                    break
                pending.append(submit(_partition, batch, rules, opts, pure=False))
            if not pending:
                return
            fut = pending.popleft()
            part = fut.result()
            fut.release()
            del fut
            yield part
    finally:
        if pending:  # an early stop: drop the queued partitions
            client.cancel(list(pending))


def _lazy_items(inputs: Iterable[Any], opts: Options) -> Iterator[tuple[str, Any]]:
    """``(label, payload)`` as :func:`extractor.batch._items`, one at a time: payload None
    (read on a worker), the text of stdin (``-``, read here once) or a FileError."""
    from .source import ReadError, read_stdin

    stdin_done = False
    for x in inputs:
        p = os.fspath(x)
        if p != "-":
            yield p, None
        elif stdin_done:
            yield p, FileError(p, "<stdin>: already read")
        else:
            stdin_done = True
            try:
                yield p, read_stdin(opts.encoding, opts.input_format)
            except ReadError as e:
                yield p, FileError(p, str(e))


class DaskRun:
    """The CLI's ``--dask local|ADDRESS``: connect (or start a LocalCluster of
    ``local_workers`` one-thread worker processes, default one per core), ship the engine
    to every worker once, and stream
    :class:`FileResult` in input order (:meth:`results`); :meth:`close` ends it all."""

    def __init__(self, address: str, engine: Any, opts: Options, partition_size: int | None = None,
                 window: int | None = None, local_workers: int | None = None):
        try:
            from dask.distributed import Client
        except ImportError:
            raise DaskUsageError("--dask needs the dask extra: pip install 'jiyao[dask]'") from None
        self.opts = opts
        self.cluster = None
        if address == "local":
            self.client = local_client(local_workers or os.cpu_count() or 1)
            self.cluster = self.client.cluster
        else:
            try:
                self.client = Client(address, timeout="10s")
            except Exception as e:
                raise DaskUsageError(f"cannot connect to the dask scheduler {address}: {e}") from None
        try:
            threads = sum(self.client.nthreads().values()) or 1
        except Exception:
            threads = 1
        self.threads = threads
        self.window = window or max(2, 2 * threads)
        self.partition_size = partition_size or PARTITION_SIZE
        self._cut_short_runs = partition_size is None
        try:
            # one copy per worker, not one per task
            self.rules = self.client.scatter(engine, broadcast=True, hash=False)
        except Exception:
            self.close()
            raise

    def results(self, inputs: Iterable[Any]) -> Iterator[FileResult]:
        """One result per input, in input order.  Unless a partition size was given, a run
        shorter than one window is cut so that every worker thread gets a share
        (:attr:`partition_size` is then smaller)."""
        from itertools import chain
        items = _lazy_items(inputs, self.opts)
        head = list(islice(items, self.window * self.partition_size))
        if self._cut_short_runs and len(head) < self.window * self.partition_size:
            self.partition_size = max(1, -(-len(head) // self.threads))
        parts = stream_partitions(self.client, chain(head, items), self.rules, self.opts,
                                  self.partition_size, self.window)
        return _flat(parts)

    def close(self) -> None:
        try:
            self.client.close()
        finally:
            if self.cluster is not None:
                self.cluster.close()


def _flat(parts: Iterator[list[FileResult]]) -> Iterator[FileResult]:
    try:
        for part in parts:
            yield from part
    finally:
        parts.close()  # type: ignore[attr-defined]


class DaskUsageError(Exception):
    """A --dask problem the CLI reports as a usage error (exit 2)."""
