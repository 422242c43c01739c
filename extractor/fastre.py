"""Exact standard-library twins of rule patterns: the same matches, found about 3x faster.

Rule patterns are written for the ``regex`` module (``\\p{Han}``, variable-length
lookbehind, a per-call ``timeout=``). On the patterns rules are made of (word lists,
lazy role prefixes, names, clause-start lookbehinds) CPython's own ``re`` engine runs
three to four times faster. :func:`translate` rewrites a pattern into ``re`` syntax when
it can do so *exactly*, and returns None otherwise (the pattern then always runs under
``regex``):

* a character class holding ``\\p{..}``/``\\P{..}``, and ``\\d \\s \\w`` with their
  negations, becomes an explicit list of code-point ranges, computed from ``regex``
  itself (the two modules follow different Unicode versions, so even ``\\s`` differs);
  ``\\b``/``\\B`` become lookarounds over that ``\\w``;
* a lookbehind with alternatives of different widths, ``(?<=A|BC)``, becomes
  ``(?:(?<=A)|(?<=BC))`` (``(?<!A|BC)``: ``(?<!A)(?<!BC)``); ``re`` then checks that each
  alternative has a fixed width;
* ``(?<name>..)`` becomes ``(?P<name>..)``.

Anything else that ``regex`` reads differently from ``re`` (inline flags, fuzzy matching
``{e<=1}``, nested or set-operation classes, ``\\G \\K \\X``, branch reset, recursion,
conditionals, POSIX classes, unknown escapes) makes :func:`translate` give up, as does a
result that ``re`` refuses or warns about.

``re`` has no per-call timeout, but it does check for signals while it matches, so the
engine uses a twin only while the interval timer of :mod:`extractor.timelimit` guards
the calls; elsewhere (other threads, Dask workers) the ``regex`` pattern runs with its
``timeout=``. Both give the same matches: the test suite runs every
shipped pattern both ways over the samples and the rule examples.
"""
from __future__ import annotations

import re
import warnings
from array import array
from time import perf_counter
from functools import lru_cache, partial

import regex

from .timelimit import guard_frames

TYPE_CHECKING = False
if TYPE_CHECKING:  # annotations only: importing typing costs ~4 ms of a one-file run
    from typing import Any

SUPPORTED_FLAGS = regex.VERSION0 | regex.MULTILINE
"""The only flag set translated (the one rule patterns are compiled with)."""

_MAX = 0x10FFFF
_PLAIN_ESCAPES = set("nrtfva\\")
_CLASS_ESCAPES = set("dDsSwWpP")
_HEX = {"x": 2, "u": 4, "U": 8}


class _GiveUp(Exception):
    """The pattern uses something that has no exact ``re`` equivalent here."""


# --------------------------------------------------------------------------- code-point sets

@lru_cache(maxsize=1)
def _all_chars() -> str:
    return "".join(map(chr, range(_MAX + 1)))


def release() -> None:
    """Free the string of every code point that translating reads character sets off (about
    4.4 MB); the next translation builds it again. Called when a rule book is built."""
    _all_chars.cache_clear()


@lru_cache(maxsize=None)
def _ranges_of(item: str) -> tuple[tuple[int, int], ...]:
    """The code points a one-character ``regex`` item (``\\s``, ``\\p{Han}``, ...) matches, as
    inclusive ranges, read off ``regex`` itself over every code point."""
    try:
        pat = regex.compile(f"(?:{item})+", SUPPORTED_FLAGS)
    except regex.error as e:
        raise _GiveUp(str(e)) from None
    return tuple((m.start(), m.end() - 1) for m in pat.finditer(_all_chars()))


def _union(ranges: list[tuple[int, int]]) -> list[tuple[int, int]]:
    out: list[tuple[int, int]] = []
    for a, b in sorted(ranges):
        if out and a <= out[-1][1] + 1:
            if b > out[-1][1]:
                out[-1] = (out[-1][0], b)
        else:
            out.append((a, b))
    return out


def _complement(ranges: list[tuple[int, int]]) -> list[tuple[int, int]]:
    out, nxt = [], 0
    for a, b in ranges:
        if a > nxt:
            out.append((nxt, a - 1))
        nxt = b + 1
    if nxt <= _MAX:
        out.append((nxt, _MAX))
    return out


def _esc(cp: int) -> str:
    return f"\\x{cp:02x}" if cp < 0x100 else f"\\u{cp:04x}" if cp < 0x10000 else f"\\U{cp:08x}"


def _class(ranges: list[tuple[int, int]]) -> str:
    """An ``re`` expression matching exactly one character of ``ranges``. The Basic
    Multilingual Plane part is one class, which ``re`` checks by bitmap; the part beyond
    it (rare) an alternative tried only for a character beyond it."""
    if not ranges:
        return "(?!)"
    bmp = [(a, min(b, 0xFFFF)) for a, b in ranges if a <= 0xFFFF]
    astral = [(max(a, 0x10000), b) for a, b in ranges if b > 0xFFFF]
    if not astral:
        return "[" + _items(bmp) + "]"
    tail = f"(?=[\\U00010000-\\U0010ffff])[{_items(astral)}]"
    return f"(?:[{_items(bmp)}]|{tail})" if bmp else tail


def _digit_class(ranges: list[tuple[int, int]], negated: bool) -> str:
    """A class holding ``\\d`` besides ``ranges``: ``re``'s own ``\\d`` (its digits are all
    ``regex`` digits) plus the digits of ``regex``'s newer Unicode that ``re`` lacks."""
    items = _union(ranges + [(c, c) for c in _digits_re_lacks()])
    return f"[{'^' if negated else ''}\\d{_items(items)}]"


def _lit(cp: int) -> str:
    """One code point written for a character class: itself when that is safe and short."""
    ch = chr(cp)
    if cp > 0x7F and ch.isprintable() and not 0xD800 <= cp <= 0xDFFF:
        return ch
    return _esc(cp)


def _items(ranges: list[tuple[int, int]]) -> str:
    return "".join(_lit(a) if a == b else f"{_lit(a)}-{_lit(b)}" for a, b in ranges)


@lru_cache(maxsize=1)
def _digits_re_lacks() -> tuple[int, ...]:
    native = re.compile(r"\d")
    return tuple(cp for a, b in _ranges_of(r"\d") for cp in range(a, b + 1) if native.match(chr(cp)) is None)


# --------------------------------------------------------------------------- the translator

DUP = "__dup"
"""Marks a renamed repeat of a group name (``re`` wants names unique; ``regex`` lets a name
stand for one group written in several places, as in ``(?P<y>\\d{4})-|(?P<y>\\d\\d)/``)."""


class _Reader:
    def __init__(self, src: str):
        self.s, self.i = src, 0
        self.names: dict[str, int] = {}

    def peek(self, k: int = 0) -> str:
        j = self.i + k
        return self.s[j] if j < len(self.s) else ""

    def take(self) -> str:
        ch = self.peek()
        if not ch:
            raise _GiveUp("unexpected end")
        self.i += 1
        return ch

    def braced(self) -> str:
        """A ``{...}`` at the reader (``\\p{Han}``, ``\\N{name}``), read."""
        j = self.s.find("}", self.i)
        if self.peek() != "{" or j < 0:
            raise _GiveUp("expected {...}")
        body = self.s[self.i:j + 1]
        self.i = j + 1
        return body

    def escape(self) -> str:
        """The text of one escape after its backslash: ``d``, ``p{Han}``, ``x41``, ``.``..."""
        ch = self.take()
        if ch in "pP":
            return ch + (self.braced() if self.peek() == "{" else self.take())
        if ch in _HEX:
            digits = self.s[self.i:self.i + _HEX[ch]]
            if len(digits) != _HEX[ch] or not all(c in "0123456789abcdefABCDEF" for c in digits):
                raise _GiveUp("bad hex escape")
            self.i += _HEX[ch]
            return ch + digits
        if ch == "N":
            return ch + self.braced()
        return ch


def _escape_codepoint(e: str) -> int | None:
    """The code point of a single-character escape (without its backslash), or None."""
    if e[0] in _HEX:
        return int(e[1:], 16)
    if e[0] == "N":
        import unicodedata
        try:
            return ord(unicodedata.lookup(e[2:-1]))
        except KeyError:
            raise _GiveUp("unknown \\N name") from None
    if len(e) == 1:
        if e in _PLAIN_ESCAPES:
            return ord({"n": "\n", "r": "\r", "t": "\t", "f": "\f", "v": "\v", "a": "\a", "\\": "\\"}[e])
        if not e.isalnum():
            return ord(e)
    return None


def _read_class(r: _Reader) -> str:
    """A ``[...]`` class (the ``[`` already read), translated."""
    start = r.i - 1
    negated = r.peek() == "^"
    if negated:
        r.take()
    ranges: list[tuple[int, int]] = []
    portable = True        # only literal characters and ranges: kept as written
    digits = False         # holds \\d (kept as re's own, see _digit_class)
    first = True
    while True:
        ch = r.take()
        if ch == "]":
            if first:
                raise _GiveUp("']' first in a class")
            break
        first = False
        if ch == "[":
            raise _GiveUp("nested class or POSIX class")
        if ch in "-&|~" and r.peek() == ch:
            raise _GiveUp("set operation")
        if ch == "\\":
            e = r.escape()
            cp = _escape_codepoint(e)
            if cp is None:
                if e == "d" and _digits_compatible():
                    digits = True
                    portable = False
                    continue
                if e[0] in _CLASS_ESCAPES:
                    ranges.extend(_ranges_of("\\" + e))
                    portable = False
                    continue
                if e == "b":
                    cp = 8
                else:
                    raise _GiveUp(f"escape \\{e} in a class")
        else:
            cp = ord(ch)
        if r.peek() == "-" and r.peek(1) not in ("]", ""):
            r.take()
            hi_ch = r.take()
            if hi_ch == "\\":
                hi = _escape_codepoint(r.escape())
                if hi is None:
                    raise _GiveUp("range to a class escape")
            elif hi_ch == "[":
                raise _GiveUp("nested class")
            else:
                hi = ord(hi_ch)
            if hi < cp:
                raise _GiveUp("bad range")
            ranges.append((cp, hi))
        else:
            ranges.append((cp, cp))
    if portable:
        return r.s[start:r.i]
    if digits:
        return _digit_class(ranges, negated)
    merged = _union(ranges)
    return _class(_complement(merged) if negated else merged)


@lru_cache(maxsize=1)
def _digits_compatible() -> bool:
    """Whether every digit of ``re`` is a ``regex`` digit (so that ``\\d`` can stay native)."""
    rx = _ranges_of(r"\d")
    return all(any(a <= m.start() <= b for a, b in rx) for m in re.finditer(r"\d", _all_chars()))


def _outside_escape(e: str) -> str:
    if e == "d" and _digits_compatible():
        return _digit_class([], False)
    if e[0] in _CLASS_ESCAPES:
        return _class(list(_ranges_of("\\" + e)))
    if e in ("b", "B"):
        w = _class(list(_ranges_of(r"\w")))
        if e == "b":
            return f"(?:(?<={w})(?!{w})|(?<!{w})(?={w}))"
        return f"(?:(?<={w})(?={w})|(?<!{w})(?!{w}))"
    if e in ("A", "Z") or e.isdigit():      # anchors, back-references, octal: read alike
        return "\\" + e
    if _escape_codepoint(e) is not None:
        return "\\" + e
    raise _GiveUp(f"escape \\{e}")


_QUANT = regex.compile(r"\{(\d*)(,(\d*))?\}")


def _alternatives(r: _Reader, depth: int) -> list[str]:
    """Translated top-level alternatives up to the ``)`` closing this group (read) or the end."""
    alts: list[str] = []
    out: list[str] = []
    quantifiable = False
    while True:
        ch = r.peek()
        if ch == "":
            if depth:
                raise _GiveUp("unclosed group")
            alts.append("".join(out))
            return alts
        r.take()
        if ch == ")":
            if not depth:
                raise _GiveUp("unbalanced )")
            alts.append("".join(out))
            return alts
        if ch == "|":
            alts.append("".join(out))
            out = []
            quantifiable = False
            continue
        if ch in "*+?" or ch == "{":
            if ch == "{":
                m = _QUANT.match(r.s, r.i - 1)
                if m is None or (m.group(1) == "" and m.group(2) is None):
                    raise _GiveUp("'{' that is no quantifier (fuzzy matching?)")
                r.i = m.end()
                ch = m.group(0)
            if not quantifiable:
                raise _GiveUp("quantifier after nothing quantifiable")
            if r.peek() in ("?", "+"):
                ch += r.take()
            out.append(ch)
            quantifiable = False
            continue
        if ch == "\\":
            e = r.escape()
            out.append(_outside_escape(e))
            quantifiable = e not in ("A", "Z", "b", "B")
            continue
        if ch == "[":
            out.append(_read_class(r))
            quantifiable = True
            continue
        if ch == "(":
            out.append(_group(r, depth))
            quantifiable = not out[-1].startswith(("(?=", "(?!", "(?<=", "(?<!", "(?:(?<"))
            continue
        out.append(ch)
        quantifiable = ch not in "^$"


def _group(r: _Reader, depth: int) -> str:
    """A group (its ``(`` read), translated."""
    if r.peek() != "?":
        return "(" + "|".join(_alternatives(r, depth + 1)) + ")"
    r.take()
    nxt = r.take()
    if nxt == ":":
        return "(?:" + "|".join(_alternatives(r, depth + 1)) + ")"
    if nxt == ">":
        return "(?>" + "|".join(_alternatives(r, depth + 1)) + ")"
    if nxt in "=!":
        return f"(?{nxt}" + "|".join(_alternatives(r, depth + 1)) + ")"
    if nxt == "#":
        j = r.s.find(")", r.i)
        if j < 0:
            raise _GiveUp("unterminated comment")
        r.i = j + 1
        return ""
    if nxt == "P" and r.peek() == "=":
        j = r.s.find(")", r.i)
        if j < 0:
            raise _GiveUp("unterminated (?P=")
        name = r.s[r.i + 1:j]
        r.i = j + 1
        return f"(?P={name})"
    if nxt == "P" and r.peek() == "<" or nxt == "<" and r.peek() not in "=!":
        if nxt == "P":
            r.take()
        j = r.s.find(">", r.i)
        if j < 0:
            raise _GiveUp("unterminated group name")
        name = r.s[r.i:j]
        if not name.isidentifier() or DUP in name:
            raise _GiveUp("group name")
        r.i = j + 1
        seen = r.names.get(name, 0)
        r.names[name] = seen + 1
        if seen:
            name = f"{name}{DUP}{seen}"
        return f"(?P<{name}>" + "|".join(_alternatives(r, depth + 1)) + ")"
    if nxt == "<":
        kind = r.take()
        alts = _alternatives(r, depth + 1)
        if len(alts) == 1:
            return f"(?<{kind}{alts[0]})"
        if kind == "=":
            return "(?:" + "|".join(f"(?<={a})" for a in alts) + ")"
        return "(?:" + "".join(f"(?<!{a})" for a in alts) + ")"
    raise _GiveUp(f"group (?{nxt}")


@lru_cache(maxsize=4096)
def translate(source: str, flags: int = SUPPORTED_FLAGS) -> str | None:
    """The ``re`` source matching exactly what ``regex.compile(source, flags)`` matches, or
    None when this module cannot say so for sure."""
    if flags != SUPPORTED_FLAGS:
        return None
    try:
        out = _drop_leading_guard("|".join(_alternatives(_Reader(source), 0)))
        with warnings.catch_warnings():
            warnings.simplefilter("error")
            if _recipe(out) is None:        # compiles it: the same check, its result kept
                re.compile(out, re.MULTILINE)
    except (_GiveUp, re.error, Warning, RecursionError, ValueError, OverflowError):
        return None
    return out


_GUARD = re.compile(r"((?:\(\?:)*)(\(\?=\[(?:[^\]\\]|\\.)*\]\))")
"""A lookahead for a set of characters opening a pattern, after any ``(?:``."""


def _drop_leading_guard(twin: str) -> str:
    """``twin`` without a lookahead ``(?=[..])`` at its very start when what follows it
    consumes a character of that set first in every match (a word list opens with such a
    guard, see rulebook.word_trie). The guard helps ``regex``; to ``re`` it hides the
    pattern's first characters, which ``re`` otherwise skips to in one scan of the text
    rather than trying the whole pattern at every position (a pre-filter over the whole
    body runs about twice as fast). The result is checked to parse as the twin without
    the guard; anything else keeps the twin as it was."""
    m = _GUARD.match(twin)
    if m is None:
        return twin
    try:
        from re import _parser
        old = _parser.parse(twin, re.MULTILINE)
        new = _parser.parse(m.group(1) + twin[m.end():], re.MULTILINE)
        if repr(old.data[1:]) != repr(new.data) or not _redundant_guard(old.data):
            return twin
    except Exception:     # another Python's re internals: keep the guard
        return twin
    return m.group(1) + twin[m.end():]


def _redundant_guard(items: list) -> bool:
    """Whether the ``re`` parse ``items`` open with a lookahead for a set of characters that
    what follows it consumes first in every match anyway."""
    from re import _parser
    if len(items) < 2 or items[0][0] is not _parser.ASSERT or items[0][1][0] != 1:
        return False
    cond = items[0][1][1]
    guard = _first_chars(cond.data) if cond.getwidth() == (1, 1) else None
    first = _first_chars(items[1:])
    return guard is not None and first is not None and first <= guard


def _first_chars(items: list) -> set[int] | None:
    """The code points a match of the ``re`` parse ``items`` can start with, for the few
    forms word lists are made of (literals, sets of literals, alternatives, groups,
    repeats of at least one); None for anything else."""
    from re import _parser
    if not items:
        return None
    op, av = items[0]
    if op is _parser.LITERAL:
        return {av}
    if op is _parser.IN:
        out: set[int] = set()
        for k, v in av:
            if k is _parser.LITERAL:
                out.add(v)
            elif k is _parser.RANGE and v[1] - v[0] < 256:
                out.update(range(v[0], v[1] + 1))
            else:
                return None
        return out
    if op is _parser.BRANCH:
        out = set()
        for alt in av[1]:
            got = _first_chars(alt.data) if alt.getwidth()[0] >= 1 else None
            if got is None:
                return None
            out |= got
        return out
    if op is _parser.SUBPATTERN and not av[1] and not av[2]:
        return _first_chars(av[3].data) if av[3].getwidth()[0] >= 1 else None
    if op in (_parser.MAX_REPEAT, _parser.MIN_REPEAT, _parser.POSSESSIVE_REPEAT) and av[0] >= 1:
        return _first_chars(av[2].data) if av[2].getwidth()[0] >= 1 else None
    return None


def _literal_first_branch(p: Any) -> None:
    """When the parse ``p`` of a twin opens with alternatives, rewrite them (in place) so that
    each starts with a literal character, the form whose first characters ``re`` scans the
    text for (see :func:`_drop_leading_guard`): the guard of a word list is dropped, an
    alternative that is a group of alternatives is spliced in (``(?:(?:a|b)|c)`` is
    ``(?:a|b|c)``), and one opening with a set of characters becomes one alternative per
    character (``[ab]x`` is ``ax|bx``). The matches are the same in the same order; where
    any alternative takes another form, nothing changes."""
    from re import _parser
    if p.data and p.data[0][0] is _parser.BRANCH:
        alts = _literal_alternatives(p.state, p.data[0][1][1])
        if alts is not None:
            p.data[0] = (_parser.BRANCH, (None, alts))


def _literal_alternatives(state: Any, alts: list, depth: int = 0) -> list | None:
    from re import _parser
    out = []
    for alt in alts:
        items = list(alt.data)
        if _redundant_guard(items):
            items = items[1:]
        if not items:
            return None
        op, av = items[0]
        if op is _parser.LITERAL:
            out.append(_parser.SubPattern(state, items))
        elif op is _parser.BRANCH and len(items) == 1 and depth < 8:
            inner = _literal_alternatives(state, av[1], depth + 1)
            if inner is None:
                return None
            out.extend(inner)
        elif (op is _parser.IN and len(av) <= 16 and all(k is _parser.LITERAL for k, _ in av)
              and not _captures(items[1:])):
            out.extend(_parser.SubPattern(state, [(_parser.LITERAL, c)] + items[1:]) for _, c in av)
        else:
            return None
    return out


def _captures(items: list) -> bool:
    """Whether the parse ``items`` hold a capturing group (then they are not copied)."""
    from re import _parser
    for op, av in items:
        if op is _parser.SUBPATTERN and av[0] is not None:
            return True
        for x in (av if isinstance(av, (tuple, list)) else ()):
            if isinstance(x, _parser.SubPattern) and _captures(x.data):
                return True
            if isinstance(x, list) and any(isinstance(y, _parser.SubPattern) and _captures(y.data) for y in x):
                return True
    return False


def _code_type() -> str:
    try:
        import _sre
        size = _sre.CODESIZE
    except (ImportError, AttributeError):
        size = 4
    return next((t for t in "IL" if array(t).itemsize == size), "L")


_CODE_TYPE = _code_type()


@lru_cache(maxsize=4096)
def _recipe(twin: str) -> tuple | None:
    """What ``re`` compiles ``twin`` to (the arguments of its internal constructor), so that a
    pickled twin is rebuilt without parsing again: compiling the largest rule patterns with
    ``re`` takes 50-100 ms each, rebuilding them well under one. None where this Python's
    ``re`` is built differently (the twin is then compiled from its source)."""
    try:
        from re import _compiler, _parser
        p = _parser.parse(twin, re.MULTILINE)
        _literal_first_branch(p)
        code = _compiler._code(p, re.MULTILINE)
        groupindex = dict(p.state.groupdict)
        indexgroup = [None] * p.state.groups
        for k, i in groupindex.items():
            indexgroup[i] = k
        # the code as bytes: a list of ints pickles (and loads) several times slower
        packed = array(_CODE_TYPE, code).tobytes()
        recipe = (twin, int(re.MULTILINE | p.state.flags), packed, p.state.groups - 1, groupindex,
                  tuple(indexgroup))
        _from_recipe(twin, recipe, strict=True)
        return recipe
    except (re.error, Warning):
        raise
    except Exception:
        return None


def _from_recipe(twin: str, recipe: tuple | None, strict: bool = False) -> Any:
    if recipe is not None:
        try:
            import _sre
            pattern, flags, packed, groups, groupindex, indexgroup = recipe
            return _sre.compile(pattern, flags, array(_CODE_TYPE, packed).tolist(), groups, groupindex, indexgroup)
        except Exception:
            if strict:
                raise
    return re.compile(twin, re.MULTILINE)


class Pattern:
    """A compiled rule pattern: the ``regex`` pattern, plus its exact ``re`` twin when there
    is one and it runs faster. Anything but :attr:`fast` is the ``regex`` pattern's
    (``groupindex``, ``search``...).

    Unpickled (from the rule cache, in a worker), a pattern rebuilds its ``regex`` pattern
    only when something asks for it: ``regex`` takes about 17 ms to rebuild the whole pack,
    a fifth of a one-file run, which under the interval timer needs only the twins."""

    __slots__ = ("_rx", "_rx_data", "pattern", "twin", "recipe", "_fast", "wrap", "trial")

    TRIAL_CALLS = 16
    """Calls (each under both engines) after which a pattern keeps the faster one."""

    def __init__(self, rx: Any, twin: str | None, recipe: tuple | None = None, *,
                 rx_data: bytes | None = None, source: str | None = None):
        self._rx = rx
        self._rx_data = rx_data
        """The pickled ``regex`` pattern (an unpickled Pattern rebuilds :attr:`rx` from it)."""
        self.pattern: str = rx.pattern if rx is not None else source   # type: ignore[assignment]
        """The pattern's source (``regex`` syntax)."""
        self.twin = twin
        """The ``re`` source, or None."""
        self.recipe = recipe
        self._fast: Any = None
        self.trial: list[float] | None = [0, 0.0, 0, 0.0, 0] if twin is not None else None
        """While not None: [calls, twin seconds, calls regex won, regex seconds, -] of the
        calls timed so far (see :meth:`timed`)."""
        self.wrap: Any = None
        """For a twin with renamed repeats of a group name: makes its matches answer to the
        name as ``regex``'s do (call it on each match the twin returns); else None."""
        if twin is not None and DUP in twin:
            aliases: dict[str, list[str]] = {}
            for name in regex.findall(r"\(\?P<(\w+?)" + DUP + r"\d+>", twin):
                aliases.setdefault(name, [name])
            for full in regex.findall(r"\(\?P<(\w+?" + DUP + r"\d+)>", twin):
                aliases[full.split(DUP)[0]].append(full)
            self.wrap = partial(_AliasedMatch, aliases=aliases)

    @property
    def rx(self) -> Any:
        """The ``regex`` pattern (rebuilt from the pickle on first use)."""
        rx = self._rx
        if rx is None:
            try:   # what pickle.loads is, without importing the pickle module (~1.3 ms)
                from _pickle import loads
            except ImportError:
                from pickle import loads
            # the pickle stays: two threads may both get here, and both then rebuild
            rx = self._rx = loads(self._rx_data)   # type: ignore[arg-type]
        return rx

    @classmethod
    def compile(cls, source: str, flags: int = SUPPORTED_FLAGS) -> "Pattern":
        """Compile ``source`` with ``regex`` (raising its errors) and translate it."""
        return cls(regex.compile(source, flags), translate(source, flags))

    @property
    def fast(self) -> Any:
        """The compiled ``re`` twin, else the ``regex`` pattern (to be run with no timeout:
        only under the interval timer)."""
        f = self._fast
        if f is None:
            if self.twin is None:
                f = self._fast = self.rx
            else:   # the recipe holds the rewriting of _literal_first_branch
                if self.recipe is None:
                    self.recipe = _recipe(self.twin)
                f = self._fast = _from_recipe(self.twin, self.recipe)
        return f

    def drop_twin(self) -> None:
        self.twin = self.recipe = self.wrap = self.trial = None
        self._fast = self.rx

    def timed(self, method: str, text: str, pos: int, end: int, out: Any = None) -> Any:
        """One call made while the engines are on trial: the twin answers it, and ``regex``
        runs the same call too (no timeout: under the interval timer; its matches are
        dropped), both timed. After ``TRIAL_CALLS`` calls the pattern keeps the engine that
        took less time over them. ``regex`` skips to a required literal (``..日``, ``来源``),
        which ``re`` does not; ``re`` runs lookbehinds, word lists and lazy loops faster:
        which wins depends on the pattern and the text it meets, so it is measured on the
        text itself, each call under both engines (calls differ too much for one engine's
        calls to be weighed against the other's). Either way the matches are the same."""
        tr = self.trial
        fast, wrap = self.fast, self.wrap
        t0 = perf_counter()
        if method == "finditer":
            it = fast.finditer(text, pos, end)
            # map(), not a generator: the matching must run in the caller's own frame
            for m in (it if wrap is None else map(wrap, it)):
                out.append(m)
            got = out
        else:
            got = getattr(fast, method)(text, pos, end)
            if wrap is not None and got is not None:
                got = wrap(got)
        t1 = perf_counter()
        if tr is None:
            return got
        rx = self.rx
        try:
            if method == "finditer":
                for _ in rx.finditer(text, pos, end):   # in this frame, where the timer may cut it
                    pass
            else:
                getattr(rx, method)(text, pos, end)
        except TimeoutError:     # regex ran a whole timeout where the twin did not
            self.trial = None
            return got
        t2 = perf_counter()
        tr[0] += 1
        tr[1] += t1 - t0
        tr[3] += t2 - t1
        if t2 - t1 < t1 - t0:
            tr[2] += 1
        if tr[0] >= self.TRIAL_CALLS:
            self.trial = None
            # regex must win in all and in most calls: one call slowed by the machine
            # (another process, a page fault) does not decide alone
            if tr[1] > tr[3] and 2 * tr[2] > tr[0]:
                self.drop_twin()
        return got

    def __getattr__(self, name: str) -> Any:
        return getattr(self.rx, name)

    def __reduce__(self) -> Any:
        if self.twin is not None and self.recipe is None:
            self.recipe = _recipe(self.twin)
        data = self._rx_data
        if data is None:
            import pickle
            data = pickle.dumps(self._rx, protocol=pickle.HIGHEST_PROTOCOL)
        return (_unpickle, (data, self.pattern, self.twin, self.recipe))

    def __repr__(self) -> str:
        return f"Pattern({self.pattern!r}{', with an re twin' if self.twin is not None else ''})"


def _unpickle(rx_data: bytes, source: str, twin: str | None, recipe: tuple | None) -> Pattern:
    return Pattern(None, twin, recipe, rx_data=rx_data, source=source)


class _AliasedMatch:
    """An ``re`` match of a twin with renamed repeats of a group name, answering to the name
    as ``regex`` does: the group of that name that took part in the match (the last one)."""

    __slots__ = ("m", "aliases")

    def __init__(self, m: Any, aliases: dict[str, list[str]]):
        self.m, self.aliases = m, aliases

    def _name(self, g: Any) -> Any:
        names = self.aliases.get(g) if isinstance(g, str) else None
        if names is None:
            if isinstance(g, int) and g != 0:
                raise IndexError("group numbers differ from regex's: use names")
            return g
        for n in reversed(names):
            if self.m.start(n) >= 0:
                return n
        return names[0]

    def group(self, *gs: Any) -> Any:
        if len(gs) <= 1:
            return self.m.group(self._name(gs[0] if gs else 0))
        return tuple(self.m.group(self._name(g)) for g in gs)

    __getitem__ = group

    def span(self, g: Any = 0) -> tuple[int, int]:
        return self.m.span(self._name(g))

    def start(self, g: Any = 0) -> int:
        return self.m.start(self._name(g))

    def end(self, g: Any = 0) -> int:
        return self.m.end(self._name(g))

    def groupdict(self, default: Any = None) -> dict[str, Any]:
        d = self.m.groupdict(default)
        out = {k: v for k, v in d.items() if DUP not in k}
        for name in self.aliases:
            out[name] = self.m.group(self._name(name))
            if out[name] is None:
                out[name] = default
        return out

    @property
    def string(self) -> str:
        return self.m.string


guard_frames(Pattern.timed)
