"""A disk cache of loaded engines, so that a one-file run does not recompile every rule.

Compiling the rules is most of the start-up cost of ``summarize one.txt``
(Engine.load() measured 130-330 ms, of which regex compilation is over 90 %;
unpickling the same engine takes about 4 ms: ``regex`` pickles compiled code, not
just the pattern text).  :func:`load` takes the same arguments as
:meth:`extractor.engine.Engine.load` and returns an equal engine, from the cache when

* the rule files (their paths and bytes, and the directory listings they come from),
* the arguments and the current directory (rule positions are printed relative to it),
* the extractor's own source files (name, size, mtime),
* the Python, ``regex`` and PyYAML versions

are all unchanged.  Rule files with problems are never cached: the RuleError is raised
every time.  The cache lives in ``$JIYAO_CACHE_DIR``, else ``$XDG_CACHE_HOME/jiyao``,
else ``~/.cache/jiyao`` (created with mode 0700; only files owned by the current user
are read); ``JIYAO_NO_CACHE=1`` turns it off.  Any problem with the cache (unwritable
directory, stale or corrupt file) silently falls back to compiling.

A cache hit imports neither pathlib (4-8 ms of a ~90 ms run: paths here are strings)
nor the pickle module (~1.3 ms: ``pickle.load`` is ``_pickle.load``, imported alone)
nor importlib.util (~0.7 ms).
"""
from __future__ import annotations

import os
import sys

TYPE_CHECKING = False
if TYPE_CHECKING:  # annotations only: typing and pathlib cost ~4 ms each of a one-file run
    from pathlib import Path
    from typing import Iterable

FORMAT = 2
"""Bump when the cache file layout changes."""
KEEP = 16
"""How many cache files to keep (newest first)."""


def cache_dir() -> str | None:
    if os.environ.get("JIYAO_NO_CACHE", "") not in ("", "0"):
        return None
    d = os.environ.get("JIYAO_CACHE_DIR")
    if d:
        return d
    base = os.environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache")
    return os.path.join(base, "jiyao")


def _hasher():
    try:  # the builtin module: importing hashlib (OpenSSL) costs ~2.5 ms of a ~100 ms start
        from _blake2 import blake2b
    except ImportError:
        from hashlib import blake2b
    return blake2b(digest_size=20)


def _stamp(h, directory: str, tag: str) -> None:
    """Name, size and mtime of the files in ``directory`` (code, not content: cheap)."""
    try:
        entries = sorted((e.name, e.stat()) for e in os.scandir(directory) if e.is_file())
    except OSError:
        return
    for name, st in entries:
        h.update(f"\0{tag}{name}:{st.st_size}:{st.st_mtime_ns}".encode("utf-8", "surrogatepass"))


def _package_dirs(name: str) -> list[str]:
    """The directories of package ``name``, as ``importlib.util.find_spec`` finds them
    (its ``submodule_search_locations``), without importing it or importlib.util."""
    spec = getattr(sys.modules.get(name), "__spec__", None)
    if spec is None:
        for finder in sys.meta_path:
            find = getattr(finder, "find_spec", None)
            try:
                spec = find(name, None) if find is not None else None
            except (ImportError, ValueError):
                spec = None
            if spec is not None:
                break
    return list(spec.submodule_search_locations or []) if spec is not None else []


def _key(paths, overlays, use_shipped, timeout) -> str:
    from .rulebook import rule_file_names, shipped_rules_dirname

    h = _hasher()
    sources: list[str] = []
    if paths is not None:
        sources.extend(os.fspath(p) for p in paths)
    if use_shipped or (use_shipped is None and paths is None):
        sources.append(shipped_rules_dirname())
    sources.extend(os.fspath(o) for o in overlays)
    head = (FORMAT, sys.version, os.getcwd(), None if paths is None else [str(p) for p in paths],
            [str(o) for o in overlays], use_shipped, timeout)
    h.update(repr(head).encode("utf-8", "surrogatepass"))
    for f in rule_file_names(sources):
        h.update(b"\0F" + f.encode("utf-8", "surrogatepass") + b"\0")
        try:
            with open(f, "rb") as fh:
                h.update(fh.read())
        except OSError as e:
            h.update(b"\0missing " + type(e).__name__.encode())
    # the code that builds and runs an engine: ours, and the regex and PyYAML packages
    # (by file stamps, so that neither needs importing here)
    _stamp(h, os.path.dirname(os.path.abspath(__file__)), "C")
    for mod in ("regex", "yaml"):
        for d in _package_dirs(mod):
            _stamp(h, d, mod)
    return h.hexdigest()


def _read(path: str):
    try:
        from _pickle import load
    except ImportError:  # no C accelerator (not CPython)
        from pickle import load
    try:
        with open(path, "rb") as fh:
            if hasattr(os, "getuid") and os.fstat(fh.fileno()).st_uid != os.getuid():
                return None
            return load(fh)
    except Exception:  # missing, corrupt, written by an incompatible version: recompile
        return None


def _write(d: str, path: str, engine) -> None:
    import pickle

    try:
        data = pickle.dumps(engine, protocol=pickle.HIGHEST_PROTOCOL)
    except Exception:  # something in the engine does not pickle: no cache, no harm
        return
    import tempfile

    tmp = None
    try:
        os.makedirs(d, mode=0o700, exist_ok=True)
        fd, tmp = tempfile.mkstemp(dir=d, prefix=".rules-", suffix=".tmp")
        with os.fdopen(fd, "wb") as fh:
            fh.write(data)
        os.replace(tmp, path)
        tmp = None
        old = sorted((e for e in os.scandir(d) if e.name.startswith("rules-") and e.name.endswith(".pickle")),
                     key=lambda e: e.stat().st_mtime, reverse=True)
        for e in old[KEEP:]:
            os.unlink(e.path)
    except OSError:
        pass
    finally:
        if tmp is not None:
            try:
                os.unlink(tmp)
            except OSError:
                pass


def load(paths: Iterable[str | Path] | None = None, *, overlays: Iterable[str | Path] = (),
         use_shipped: bool | None = None, timeout: float | None = None):
    """:meth:`Engine.load` with a disk cache (same arguments, same result)."""
    from .engine import Engine

    paths = None if paths is None else list(paths)
    overlays = list(overlays)
    d = cache_dir()
    if d is None:
        return Engine.load(paths, overlays=overlays, use_shipped=use_shipped, timeout=timeout)
    try:
        path = os.path.join(d, f"rules-{_key(paths, overlays, use_shipped, timeout)}.pickle")
    except Exception:  # e.g. the shipped rules are missing: let Engine.load say so
        return Engine.load(paths, overlays=overlays, use_shipped=use_shipped, timeout=timeout)
    engine = _read(path)
    if isinstance(engine, Engine):
        return engine
    engine = Engine.load(paths, overlays=overlays, use_shipped=use_shipped, timeout=timeout)
    _write(d, path, engine)
    return engine
