"""Summarising many reports on a Dask cluster (optional: ``pip install 'jiyao[dask]'``).

    from dask.distributed import Client, LocalCluster
    from extractor.dask_helpers import summarize_bag
    with LocalCluster(n_workers=2, threads_per_worker=1) as cluster, Client(cluster) as client:
        dicts = summarize_bag(paths, client)       # Summary.to_dict() per input, in order

The inputs go into a ``dask.bag``; ``map_partitions`` builds one engine per partition
(memoised per worker process, and loaded through the rule cache, so rules are compiled at
most once per worker) and summarises the partition with it.  Paths are read on the
workers, so they must see the same files; the ``rules`` given as directories must exist
there too.  Pass ``rules=engine`` (an Engine) to ship already compiled rules instead.

From the command line: ``summarize DIR --dask local`` (a LocalCluster of two one-thread
worker processes) or ``--dask tcp://scheduler:8786``.
"""
from __future__ import annotations

import os
from pathlib import PurePath
from typing import Any, Iterable, Sequence

from .batch import FileResult, Options, engine_factory, process

__all__ = ["summarize_bag", "dask_results", "local_client"]

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


def _partition(items: Iterable[tuple[str, Any]], rules: Any, opts: Options) -> list[FileResult]:
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


def _items(paths_or_texts: Iterable[Any], kind: str) -> list[tuple[str, Any]]:
    out: list[tuple[str, Any]] = []
    for i, x in enumerate(paths_or_texts):
        if kind == "path" or (kind == "auto" and _looks_like_path(x)):
            out.append((os.fspath(x), None))
        else:
            out.append((f"<text {i}>", str(x)))
    return out


def _looks_like_path(x: Any) -> bool:
    if isinstance(x, PurePath) or isinstance(x, os.PathLike):
        return True
    # a report has line breaks; a one-line string is a file name (a wrong one is an error record)
    return isinstance(x, str) and "\n" not in x and len(x) < 4096


def results(items: Sequence[tuple[str, Any]], client: Any = None, rules: Any = None,
            opts: Options = Options(), npartitions: int | None = None) -> list[FileResult]:
    """:class:`FileResult` per ``(label, payload)`` item, in order (payload None: read the path)."""
    import dask
    import dask.bag as db

    items = list(items)
    if not items:
        return []
    if npartitions is None:
        workers = 1
        if client is not None:
            try:
                workers = max(len(client.scheduler_info().get("workers", {})), 1)
            except Exception:
                workers = 1
        npartitions = min(len(items), 4 * workers)
    bag = db.from_sequence(items, npartitions=npartitions)
    shared = dask.delayed(_rules_arg(rules), traverse=False)
    out = bag.map_partitions(_partition, shared, opts)
    if client is not None:
        return list(client.compute(out).result())
    return list(out.compute())


def summarize_bag(paths_or_texts: Iterable[Any], client: Any = None, rules: Any = None, *,
                  explain: bool = False, kind: str = "auto", npartitions: int | None = None,
                  encoding: str | None = None, input_format: str | None = None) -> list[dict]:
    """Summarise paths or texts on Dask; one dict per input, in input order.

    ``kind``: ``"path"``, ``"text"`` or ``"auto"`` (Path objects and one-line strings
    are paths, strings with line breaks are reports' texts).  A path gives
    ``{"file": path, **Summary.to_dict()}``, or ``{"file": path, "error": message}``
    when it cannot be read; a text gives ``Summary.to_dict()``.
    ``client``: a ``distributed.Client`` (default: Dask's current scheduler).
    ``rules``: None (shipped rules), overlay directories, a dict of Engine.load
    arguments, or an Engine."""
    if kind not in ("auto", "path", "text"):
        raise ValueError("kind must be 'auto', 'path' or 'text'")
    items = _items(paths_or_texts, kind)
    opts = Options("dict", explain, encoding, input_format)
    out: list[dict] = []
    for (label, payload), r in zip(items, results(items, client, rules, opts, npartitions)):
        if payload is None:
            out.append({"file": label, "error": r.error} if r.error is not None else {"file": label, **r.value})
        else:
            out.append({"error": r.error} if r.error is not None else r.value)
    return out


def local_client(n_workers: int = 2):
    """A Client on a new LocalCluster of ``n_workers`` one-thread processes (quiet, no dashboard)."""
    import logging

    from dask.distributed import Client, LocalCluster

    cluster = LocalCluster(n_workers=n_workers, threads_per_worker=1, processes=True,
                           dashboard_address=None, silence_logs=logging.ERROR)
    return Client(cluster)


def dask_results(inputs: Sequence[str], address: str, engine: Any, opts: Options) -> Iterable[FileResult]:
    """The CLI's ``--dask local|ADDRESS``: results for ``inputs`` with the already loaded engine."""
    try:
        from dask.distributed import Client
    except ImportError:
        raise DaskUsageError("--dask needs the dask extra: pip install 'jiyao[dask]'") from None
    from .batch import _items as batch_items

    items = batch_items(inputs, opts)  # stdin read here, files on the workers
    if address == "local":
        client = local_client(2)
    else:
        try:
            client = Client(address, timeout="10s")
        except Exception as e:
            raise DaskUsageError(f"cannot connect to the dask scheduler {address}: {e}") from None
    cluster = getattr(client, "cluster", None) if address == "local" else None
    try:
        return results(items, client, engine, opts)
    finally:
        client.close()
        if cluster is not None:
            cluster.close()


class DaskUsageError(Exception):
    """A --dask problem the CLI reports as a usage error (exit 2)."""

