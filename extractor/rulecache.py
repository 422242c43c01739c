"""A disk cache of loaded engines, so that a one-file run does not recompile every rule.

Compiling the rules is most of the start-up cost of ``summarize one.txt``: ``regex``
parses some 150 KB of expanded patterns in 0.6-1.3 s; a compiled pattern pickles as its
compiled code (``regex``'s own pickle support), which loads in a few milliseconds.
There is no public way to rebuild a ``regex`` pattern from data other than compiling its
source again, so the cache is a pickle, and a pickle can run code when it is loaded. So
every cache file is signed: an HMAC-SHA256 tag over its bytes, keyed with a secret that
lives outside the cache directory (``$XDG_CONFIG_HOME/jiyao/cache-key``, else
``~/.config/jiyao/cache-key``, created with mode 0600). A file whose tag does not match
(tampered with, or written under another key) is never unpickled: it is ignored and
rebuilt. Only files owned by the current user are read, and the key only when it is too.

:func:`load` takes the same arguments as :meth:`extractor.engine.Engine.load` and returns
an equal engine, from the cache when

* the rule files (their absolute paths and bytes, and the directory listings they come from),
* the arguments (paths made absolute),
* the extractor's own source files (name, size, mtime),
* the Python, ``regex`` and PyYAML versions

are all unchanged. A set of rules met for the first time (an overlay just edited) is
built afresh, but the patterns compiled for earlier sets are kept in a signed store of
their own (``patterns.pickle``: ``patterns.COMPILED``), so only the patterns that
changed are compiled again. The working directory is not part of the key: rule positions are
stored with absolute file names and shown relative to the directory of the run, as a
fresh load shows them. Rule files with problems are never cached: the RuleError is
raised every time. The cache lives in ``$JIYAO_CACHE_DIR``, else ``$XDG_CACHE_HOME/jiyao``,
else ``~/.cache/jiyao`` (created with mode 0700); ``JIYAO_NO_CACHE=1`` turns it off. Any
problem with the cache or the key (unwritable directory, stale, corrupt or unsigned file)
silently falls back to compiling.

An engine from the cache holds its compiled patterns still pickled (:class:`DeferredPattern`):
each is rebuilt the first time a rule uses it, so that a run pays only for the patterns
its documents need (the people patterns are the largest; a short report leaves some of
them unused), and an engine sent to a worker process travels as those bytes.
"""
from __future__ import annotations

import hashlib
import hmac
import io
import os
import pickle
import sys
from collections.abc import Iterable
from pathlib import Path

import regex

FORMAT = 4
"""Bump when the cache file layout changes."""
KEEP = 16
"""How many cache files to keep (newest first)."""

MAGIC = b"jiyao-rules-hmac-sha256\n"
"""The start of every cache file; the 32-byte tag follows, then the pickle."""
_TAG = 32


def cache_dir() -> str | None:
    if os.environ.get("JIYAO_NO_CACHE", "") not in ("", "0"):
        return None
    d = os.environ.get("JIYAO_CACHE_DIR")
    if d:
        return d
    base = os.environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache")
    return os.path.join(base, "jiyao")


def key_file() -> str:
    """Where the secret that signs cache files is kept: outside the cache directory."""
    base = os.environ.get("XDG_CONFIG_HOME") or os.path.join(os.path.expanduser("~"), ".config")
    return os.path.join(base, "jiyao", "cache-key")


def _owned(fd: int) -> bool:
    return not hasattr(os, "getuid") or os.fstat(fd).st_uid == os.getuid()


def _secret(create: bool) -> bytes | None:
    """The signing key (made on first use when ``create``), or None when there is none
    that this user owns and can read."""
    path = key_file()
    try:
        with open(path, "rb") as fh:
            key = fh.read(256)
            if _owned(fh.fileno()) and len(key) >= 32:
                return key
            return None
    except FileNotFoundError:
        if not create:
            return None
    except OSError:
        return None
    try:
        os.makedirs(os.path.dirname(path), mode=0o700, exist_ok=True)
        key = os.urandom(32)
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "wb") as fh:
            fh.write(key)
        return key
    except FileExistsError:     # another process made it first
        return _secret(False)
    except OSError:
        return None


def _sign(key: bytes, data: bytes) -> bytes:
    return hmac.new(key, data, hashlib.sha256).digest()


def _stamp(h, directory: str, tag: str) -> None:
    """Name, size and mtime of the files in ``directory`` (code, not content: cheap)."""
    try:
        entries = sorted((e.name, e.stat()) for e in os.scandir(directory) if e.is_file())
    except OSError:
        return
    for name, st in entries:
        h.update(f"\0{tag}{name}:{st.st_size}:{st.st_mtime_ns}".encode("utf-8", "surrogatepass"))


def _package_dirs(name: str) -> list[str]:
    """The directories of package ``name`` (without importing it)."""
    from importlib.util import find_spec
    try:
        spec = find_spec(name)
    except (ImportError, ValueError):
        return []
    return list(spec.submodule_search_locations or []) if spec is not None else []


def _key(paths, overlays, use_shipped, timeout) -> str:
    from .config import rule_file_names, shipped_rules_dirname

    h = hashlib.blake2b(digest_size=20)
    paths = None if paths is None else [os.path.abspath(p) for p in paths]
    overlays = [os.path.abspath(o) for o in overlays]
    sources: list[str] = list(paths or [])
    if use_shipped or (use_shipped is None and paths is None):
        sources.append(shipped_rules_dirname())
    sources.extend(overlays)
    # the shipped field declarations are part of every rule book (extractor/schema.py)
    sources.append(os.path.join(shipped_rules_dirname(), "05-fields.yaml"))
    head = (FORMAT, sys.version, paths, overlays, use_shipped, timeout)
    h.update(repr(head).encode("utf-8", "surrogatepass"))
    for f in rule_file_names(sources):
        h.update(b"\0F" + f.encode("utf-8", "surrogatepass") + b"\0")
        try:
            with open(f, "rb") as fh:
                h.update(fh.read())
        except OSError as e:
            h.update(b"\0missing " + type(e).__name__.encode())
    # the code that builds and runs an engine: ours, and the regex and PyYAML packages
    _stamp(h, os.path.dirname(os.path.abspath(__file__)), "C")
    for mod in ("regex", "yaml"):
        for d in _package_dirs(mod):
            _stamp(h, d, mod)
    return h.hexdigest()


def _display(name: str) -> str:
    """A rule file's name as a fresh load in this directory prints it (see
    extractor/rulebook.py): relative to it, unless that climbs out of it."""
    try:
        rel = os.path.relpath(name)
    except ValueError:   # another drive (Windows)
        return name
    return name if rel.startswith("..") else rel


def _relocate(engine, where) -> None:
    """Map every rule file name the engine holds through ``where`` (``os.path.abspath`` to
    store it, :func:`_display` when loaded)."""
    def at(v: str | None) -> str | None:     # "file:line"
        if not v:
            return v
        f, sep, line = v.rpartition(":")
        return f"{where(f)}{sep}{line}" if sep and line.isdigit() else v

    for r in engine.book.rules:
        r.file = where(r.file)
        r.overrides = at(r.overrides)
        r.disabled_at = at(r.disabled_at)


_PATTERN_ATTRS = ("finditer", "search", "match", "fullmatch", "findall", "sub", "subn", "split",
                  "pattern", "groupindex", "groups", "flags")


class DeferredPattern:
    """A compiled ``regex`` pattern kept as its pickle until first used. The first attribute
    asked for rebuilds the pattern and keeps its attributes (those of ``_PATTERN_ATTRS``) in
    this object's slots, so that later calls cost what calls on the pattern itself cost."""

    __slots__ = ("_data", "_pattern") + _PATTERN_ATTRS

    def __init__(self, data: bytes) -> None:
        self._data = data
        self._pattern = None

    def __getattr__(self, name: str):      # only called for a slot not filled yet
        if name not in _PATTERN_ATTRS:
            raise AttributeError(name)
        pat = self._pattern
        if pat is None:
            pat = pickle.loads(self._data)
            for attr in _PATTERN_ATTRS:
                setattr(self, attr, getattr(pat, attr))
            self._pattern = pat
        return getattr(pat, name)

    def __reduce__(self):
        return DeferredPattern, (self._data,)

    def __repr__(self) -> str:
        return f"DeferredPattern({self._pattern!r})" if self._pattern is not None else "DeferredPattern(...)"


class _DeferringPickler(pickle.Pickler):
    """Pickles every compiled ``regex`` pattern as a :class:`DeferredPattern`."""

    def reducer_override(self, obj):
        if isinstance(obj, regex.Pattern):
            return DeferredPattern, (pickle.dumps(obj, protocol=pickle.HIGHEST_PROTOCOL),)
        return NotImplemented


def _read(path: str):
    """The engine in ``path``, or None unless the file is ours and its tag checks out."""
    engine = _unpickle(path)
    if engine is None:
        return None
    try:
        _relocate(engine, _display)
    except Exception:  # not an engine of this version: recompile
        return None
    return engine


def _unpickle(path: str):
    """The object in ``path``, or None unless the file is ours and its tag checks out."""
    key = _secret(create=False)
    if key is None:
        return None
    try:
        with open(path, "rb") as fh:
            if not _owned(fh.fileno()):
                return None
            data = fh.read()
    except OSError:
        return None
    head, tag, body = data[:len(MAGIC)], data[len(MAGIC):len(MAGIC) + _TAG], data[len(MAGIC) + _TAG:]
    if head != MAGIC or not hmac.compare_digest(tag, _sign(key, body)):
        return None      # tampered with, or not ours: never unpickled
    try:
        return pickle.loads(body)
    except Exception:  # written by an incompatible version: recompile
        return None


def _write(d: str, path: str, engine) -> None:
    _relocate(engine, os.path.abspath)
    try:
        out = io.BytesIO()
        _DeferringPickler(out, protocol=pickle.HIGHEST_PROTOCOL).dump(engine)
        body = out.getvalue()
    except Exception:  # something in the engine does not pickle: no cache, no harm
        return
    finally:
        _relocate(engine, _display)
    _store(d, path, body)


def _store(d: str, path: str, body: bytes) -> None:
    """Write ``body`` signed to ``path`` in ``d`` atomically; keep the newest KEEP rule files."""
    key = _secret(create=True)
    if key is None:
        return
    import tempfile

    tmp = None
    try:
        os.makedirs(d, mode=0o700, exist_ok=True)
        fd, tmp = tempfile.mkstemp(dir=d, prefix=".rules-", suffix=".tmp")
        with os.fdopen(fd, "wb") as fh:
            fh.write(MAGIC + _sign(key, body) + body)
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
    # a new set of rules: patterns compiled for earlier sets are not compiled again
    from . import patterns
    store = os.path.join(d, "patterns.pickle")
    known = _unpickle(store)
    if isinstance(known, dict):
        for k, v in known.items():
            patterns.COMPILED.setdefault(k, v)
    engine = Engine.load(paths, overlays=overlays, use_shipped=use_shipped, timeout=timeout)
    _write(d, path, engine)
    try:
        body = pickle.dumps(patterns.COMPILED, protocol=pickle.HIGHEST_PROTOCOL)
    except Exception:
        return engine
    _store(d, store, body)
    return engine
