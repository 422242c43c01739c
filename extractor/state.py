"""The state one document carries through the pipeline, and the matching helper every stage uses.

Time limits for pattern calls, by public means only: ``regex``'s own ``timeout=``.
Every pattern call of a document gets ``timeout=`` the pattern budget (``--pattern-timeout``,
``settings.engine.pattern_timeout``) or, when less is left, what remains of the document's
budget (``settings.engine.document_timeout``). The same code runs in the main thread, in
other threads and in worker processes; nothing is installed in the process (no signal
handler, no timer). A call cut off raises ``TimeoutError`` inside ``regex``;
:meth:`Limit.all` returns the matches found before it.
"""
from __future__ import annotations

from bisect import bisect_right
from collections.abc import Iterable
from dataclasses import dataclass, field
from time import monotonic
from typing import Any

from .model import Evidence, Summary
from .normalise import Normalised
from .rulebook import Rule, RuleBook


@dataclass(slots=True)
class Span:
    """A [start, end) span of the normalised text."""

    start: int
    end: int

    def text(self, s: str) -> str:
        return s[self.start:self.end]


@dataclass(slots=True)
class Line:
    start: int
    end: int
    text: str


def _role_fullness(roles: list[str]) -> tuple[int, int]:
    """How fully a person's roles are printed: more roles, then more characters, is fuller."""
    return (len(roles), sum(len(r) for r in roles))


def fullest_roles(persons: list[Any]) -> dict[str, list[str]]:
    """Each name's fullest roles among ``persons`` (anything with ``name`` and ``roles``)."""
    out: dict[str, list[str]] = {}
    for p in persons:
        if p.name not in out or _role_fullness(p.roles) > _role_fullness(out[p.name]):
            out[p.name] = p.roles
    return out


@dataclass(slots=True)
class PersonMention:
    field: str
    name: str
    roles: list[str]
    start: int
    end: int
    rule: str


@dataclass(slots=True)
class Candidate:
    """A scalar value some rule proposes for a field."""

    field: str
    value: str
    start: int
    end: int
    rule: Rule
    rank: int = 0
    """Lower is better: the index of the sentence (or line) it was found in."""


@dataclass(slots=True)
class DocState:
    """Everything known about one document; each stage reads it and adds to it."""

    book: RuleBook
    norm: Normalised
    timeout: float
    lines: list[Line] = field(default_factory=list)
    chrome: list[Line] = field(default_factory=list)
    header: list[Line] = field(default_factory=list)
    meta_lines: list[Line] = field(default_factory=list)
    body: Span = field(default_factory=lambda: Span(0, 0))
    paragraphs: list[Line] = field(default_factory=list)
    sentences: list[Line] = field(default_factory=list)
    persons: list[PersonMention] = field(default_factory=list)
    candidates: list[Candidate] = field(default_factory=list)
    relayed_spans: list[Span] = field(default_factory=list)
    """Parts of the body that relay remarks made at another meeting."""
    is_report: bool = True
    """False when the document-level settings say this is no report: only title,
    publication date and source are then extracted."""
    summary: Summary = field(default_factory=Summary)
    limit: Limit = None   # type: ignore[assignment]
    """Runs every pattern call with a timeout (:class:`Limit`); by default a
    new Limit(timeout): no document budget."""
    fired: dict[str, int] = field(default_factory=dict)
    near_misses: list[tuple[str, str]] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    cache: dict[Any, Any] = field(default_factory=dict)
    """Values derived once per document (span starts, the year a dateline takes, ...)."""
    source: Any = None
    """The :class:`extractor.source.Source` the text was read from, or None (a str given):
    evidence then points into the file as read (see :meth:`locate`)."""
    text: str = field(init=False)
    """The normalised text (``norm.text``), which every stage matches against."""
    every_rule: bool = field(default=False, init=False)
    """Try every rule, also those that can no longer change a value (see Engine.run)."""

    def __post_init__(self) -> None:
        self.text = self.norm.text
        if self.limit is None:
            self.limit = Limit(self.timeout)

    @property
    def deadline(self) -> float:
        """time.monotonic() after which no further pattern runs on this document: the
        deadline of ``limit``."""
        return self.limit.deadline

    @deadline.setter
    def deadline(self, value: float) -> None:
        self.limit.deadline = value

    def locate(self, start: int, end: int) -> tuple[int, int, str]:
        """A ``[start, end)`` span of the normalised text as the span of the text as read, and
        that span's text: the one place spans are mapped back. Through normalisation
        (:meth:`Normalised.to_original`), then, for a file whose text was extracted from
        markup or decoded from entities, to the file itself (:meth:`Source.to_raw`)."""
        s, e = self.norm.to_original(start, end)
        src = self.source
        if src is not None and src.offsets is not None:
            s, e = src.to_raw(s, e)
            return s, e, src.raw[s:e]
        return s, e, self.norm.original[s:e]

    def evidence(self, rule: str, start: int, end: int) -> Evidence:
        """The evidence of a value found at ``[start, end)`` of the normalised text."""
        return Evidence(rule, *self.locate(start, end))

    def original(self, start: int, end: int) -> str:
        return self.norm.original_slice(start, end)

    def fire(self, rule: Rule) -> None:
        self.fired[rule.id] = self.fired.get(rule.id, 0) + 1

    def units(self, scope: str) -> list[Any]:
        """The spans a rule of this scope runs over, in text order."""
        if scope == "body":
            return [self.body]
        if scope == "paragraph":
            return self.paragraphs
        return self.sentences

    def scan(self, rule: Rule, units: list[Any]) -> list[tuple[int, Any]]:
        """(unit index, match) for every match of ``rule`` in each unit, in text order. A rule's
        ``requires`` pre-filter is searched once over all units together; only units holding a
        hit are matched with the rule's own patterns."""
        if not units:
            return []
        if rule.requires is not None:
            hit = self.requires_units(rule, units)
            if not hit:
                return []
            starts, joins, _ = self._layout(units)   # the runs of hit units instead of all
            runs = _runs(hit, joins)
        else:
            starts, joins, runs = self._layout(units)
        # neighbouring units with only blank text between them are matched in one call
        # (fewer calls); a match that runs across units is dropped and those units are
        # tried one by one
        text = self.text
        out: list[tuple[int, Any]] = []
        for first, last in runs:
            found_all = self.matches(rule, text, units[first].start, units[last].end, prefiltered=True)
            if first == last:     # one unit: every match lies inside it
                out.extend([(first, m) for m in found_all])
                continue
            retry: list[int] = []
            found: list[tuple[int, Any]] = []
            for m in found_all:
                i = bisect_right(starts, m.start()) - 1
                if m.end() <= units[i].end:
                    found.append((i, m))
                else:   # across units, or in the blank text between two
                    j = bisect_right(starts, max(m.end() - 1, m.start())) - 1
                    retry.extend(range(i, j + 1))
            if retry:
                again = set(retry)
                found = [(i, m) for i, m in found if i not in again]
                for i in sorted(again):
                    u = units[i]
                    found.extend((i, m) for m in self.matches(rule, text, u.start, u.end, prefiltered=True))
                found.sort(key=lambda x: x[1].start())
            out.extend(found)
        return out

    def by_unit(self, rule: Rule, units: list[Any]) -> dict[int, list[Any]]:
        """{unit index: the rule's matches in that unit, in order}: :meth:`scan` gathered, for
        callers that visit the units in an order of their own."""
        out: dict[int, list[Any]] = {}
        for i, m in self.scan(rule, units):
            out.setdefault(i, []).append(m)
        return out

    def _layout(self, units: list[Any]) -> tuple[list[int], list[bool], list[tuple[int, int]]]:
        """The units' start offsets; for each unit whether only blank text separates it from
        the one before (then :meth:`scan` matches the two in one call); and the runs of units
        so joined, as (first, last) indices. Once per list."""
        key = ("layout", id(units))
        got = self.cache.get(key)
        if got is None or got[0] is not units or len(got[1]) != len(units):
            text = self.text
            joins = [False] + [b.start <= a.end + 1 or not text[a.end:b.start].strip()
                               for a, b in zip(units, units[1:])]
            got = self.cache[key] = (units, self.starts_of(units), joins, _runs(range(len(units)), joins))
        return got[1], got[2], got[3]

    def requires_units(self, rule: Rule, units: list[Any]) -> list[int]:
        """Indices of the units holding a hit of the rule's ``requires`` pre-filter; found once
        per document for all rules with the same pre-filter. Literal words are looked up with
        the rule's ``requires_literal``, other pre-filters scanned with their pattern."""
        words = rule.requires_words
        key = ("requires", rule.requires.pattern, id(units), len(units))
        got = self.cache.get(key)
        if got is not None and got[0] is units:     # the same list (ids are reused once freed)
            return got[1]
        hits = _UnitHits(self.starts_of(units), units)
        lo, hi = units[0].start, units[-1].end
        if words is not None:
            for m in rule.requires_literal.finditer(self.text, lo, hi):
                hits.append(m)
        elif self.limit.all(rule.requires, self.text, lo, hi, hits):
            self.cut_off(f"rule {rule.id} ({rule.where}) pre-filter")
        found = sorted(hits.found)
        self.cache[key] = (units, found)
        return found

    def line_hits(self, rule: Rule, lines: list[Any]) -> dict[int, Any]:
        """{line index: first match} of a line-scoped rule, found in one pass over all lines;
        a match running past the end of its line does not count."""
        out: dict[int, Any] = {}
        if not lines:
            return out
        first = _FirstPerLine(self.starts_of(lines), lines, out)
        self.matches(rule, self.text, lines[0].start, lines[-1].end, out=first)
        for i in sorted(first.retry - set(out)):
            m = next(iter(self.matches(rule, self.text, lines[i].start, lines[i].end)), None)
            if m is not None:
                out[i] = m
        return out

    def in_relayed(self, pos: int) -> bool:
        """Whether ``pos`` lies in a stretch that relays another meeting (``relayed_spans``,
        in text order and disjoint: at most one per paragraph); by bisection."""
        spans = self.relayed_spans
        if not spans:
            return False
        i = bisect_right(self.starts_of(spans), pos) - 1
        return i >= 0 and pos < spans[i].end

    def starts_of(self, spans: list[Any]) -> list[int]:
        """Start offsets of a list of spans (paragraphs, sentences, lines, persons), for
        bisecting; computed once per list and again only when the list has grown."""
        key = ("starts_of", id(spans))
        got = self.cache.get(key)
        if got is None or got[0] is not spans or len(got[1]) != len(spans):
            got = self.cache[key] = (spans, [s.start for s in spans])
        return got[1]

    def matches(self, rule: Rule, text: str, pos: int = 0, endpos: int | None = None,
                prefiltered: bool = False, out: Any = None) -> Any:
        """Every match of every pattern of ``rule`` in ``text[pos:endpos]``, with the time budget,
        appended to ``out`` (anything with ``append``; a new list by default), which is returned.

        A pattern that runs past the budget is cut off with a warning naming the rule;
        matches found before that are kept.
        """
        end = len(text) if endpos is None else endpos
        found: Any = [] if out is None else out
        if self.limit.spent():
            self._budget_spent(f"rule {rule.id} and later rules skipped")
            return found
        if not prefiltered and rule.requires is not None:
            if rule.requires_literal is not None:
                if rule.requires_literal.search(text, pos, end) is None:
                    return found
            elif self.search(rule.requires, text, pos, end, f"rule {rule.id} ({rule.where}) pre-filter") is None:
                return found
        for pat in rule.patterns:
            if self.limit.all(pat, text, pos, end, found):
                self.cut_off(f"rule {rule.id} ({rule.where})")
        return found

    def _budget_spent(self, what: str) -> None:
        """One warning per document that its time budget is spent."""
        if not any(w.startswith("document time budget") for w in self.warnings):
            self.warnings.append(f"document time budget spent: {what}")

    def cut_off(self, what: str) -> None:
        """The warning for a pattern call cut off: by the pattern budget, or by the
        document's budget running out during the call."""
        if self.limit.spent():
            self._budget_spent(f"{what} cut off")
            return
        msg = f"{what} cut off after {self.timeout:g}s"
        if msg not in self.warnings:
            self.warnings.append(msg)

    def limit_all(self, pattern: Any, text: str, pos: int, end: int, out: list[Any], what: str = "setting") -> bool:
        """Every match of a settings pattern in ``text[pos:end]`` appended to ``out``; True (with
        a warning) when it was cut off."""
        if self.limit.all(pattern, text, pos, end, out):
            self.cut_off(f"{what} pattern")
            return True
        return False

    def search(self, pattern: Any, text: str, pos: int = 0, endpos: int | None = None, what: str = "setting") -> Any:
        try:
            return self.limit.one(pattern, "search", text, pos, len(text) if endpos is None else endpos)
        except TimeoutError:
            self.cut_off(f"{what} pattern")
            return None


def _runs(indices: Iterable[int], joins: list[bool]) -> list[tuple[int, int]]:
    """(first, last) runs of the unit ``indices`` (ascending) in which each unit follows the
    one before it and ``joins`` it (only blank text between them)."""
    runs: list[tuple[int, int]] = []
    for i in indices:
        if runs and runs[-1][1] == i - 1 and joins[i]:
            runs[-1] = (runs[-1][0], i)
        else:
            runs.append((i, i))
    return runs


class _UnitHits:
    """Collects which units hold a whole match (the ``out`` of a pattern call)."""

    __slots__ = ("starts", "units", "found")

    def __init__(self, starts: list[int], units: list[Any]):
        self.starts, self.units, self.found = starts, units, set()

    def append(self, m: Any) -> None:
        i = bisect_right(self.starts, m.start()) - 1
        if i >= 0 and m.end() <= self.units[i].end:
            self.found.add(i)


class _FirstPerLine:
    """Keeps the first match inside each line; a match running across lines marks those
    lines for a retry one by one (it may hide a match inside one of them, say \\s* over
    a blank line)."""

    __slots__ = ("starts", "lines", "first", "retry")

    def __init__(self, starts: list[int], lines: list[Any], first: dict[int, Any]):
        self.starts, self.lines, self.first, self.retry = starts, lines, first, set()

    def append(self, m: Any) -> None:
        i = bisect_right(self.starts, m.start()) - 1
        if i >= 0 and m.end() <= self.lines[i].end:
            if i not in self.first:
                self.first[i] = m
            return
        j = bisect_right(self.starts, max(m.end() - 1, m.start())) - 1
        self.retry.update(range(max(i, 0), j + 1))


_LONGEST = 1e9
"""The longest timeout handed to ``regex`` (seconds): it reads an infinite or huge one
as already expired, and a negative one as none at all."""


@dataclass(slots=True)
class Limit:
    """The time limits of the pattern calls of one document."""

    timeout: float
    """Seconds one call may run."""
    deadline: float = float("inf")
    """``time.monotonic()`` at which the document's budget is spent."""

    def left(self) -> float:
        """The timeout of the next call: the pattern budget, or the document budget left
        when that is less (zero or less: spent)."""
        left = self.deadline - monotonic()
        return left if left < self.timeout else min(self.timeout, _LONGEST)

    def spent(self) -> bool:
        """Whether the document's budget is spent."""
        return monotonic() >= self.deadline

    def all(self, pattern: Any, text: str, pos: int, end: int, out: Any) -> bool:
        """Append every match of ``pattern`` (a compiled ``regex`` pattern) in
        ``text[pos:end]`` to ``out`` (a list, or any object with an ``append`` method); True
        when cut off (``out`` then holds the matches found before). The limit holds for the
        whole scan, as ``regex``'s timeout does for a ``finditer``."""
        t = self.left()
        if t <= 0:
            return True
        try:
            if type(out) is list:
                out.extend(pattern.finditer(text, pos, end, timeout=t))
            else:
                for m in pattern.finditer(text, pos, end, timeout=t):
                    out.append(m)
        except TimeoutError:
            return True
        return False

    def one(self, pattern: Any, method: str, text: str, pos: int, end: int) -> Any:
        """``pattern.<method>(text, pos, end)`` for ``method`` one of ``search``, ``match``,
        ``fullmatch``. Raises ``TimeoutError`` when cut off (or the budget is spent)."""
        t = self.left()
        if t <= 0:
            raise TimeoutError("document time budget spent")
        return getattr(pattern, method)(text, pos, end, timeout=t)
