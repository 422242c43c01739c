"""Values from matches, shared by the stages: :func:`resolve` turns a rule's match into a
value through the rule's normalisers (as rule files call them): numerals, dates, person
lists, stripping.

They know formats, not words: the numeral characters come from the rules' ``numerals``
table, the person pieces from the ``settings.persons`` patterns.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, timedelta
from functools import lru_cache
from typing import Any

from .rulebook import Rule
from .state import DocState

_QUOTES = "\"'\u201c\u201d\u2018\u2019\u300c\u300d\u300e\u300f"
_OPEN = "(\u201c\u2018\u300a\u300c\u300e[\u3010"
_CLOSE = ")\u201d\u2019\u300b\u300d\u300f]\u3011"


def to_int(s: str | None, numerals: dict[str, int]) -> int | None:
    """Read an Arabic or Chinese numeral: 29, 二十九, 十二, 二〇二二 (digit by digit), 一百零五."""
    if s is None:
        return None
    s = s.strip()
    if not s:
        return None
    if s.isdecimal():
        try:
            return int(s)
        except ValueError:
            return None
    vals = [numerals.get(ch) for ch in s]
    if any(v is None for v in vals):
        return None
    if all(v < 10 for v in vals):          # digit by digit: 二〇二二
        n = 0
        for v in vals:
            n = n * 10 + v
        return n
    total, cur = 0, 0
    for v in vals:
        if v >= 10:
            total += (cur or 1) * v
            cur = 0
        else:
            cur = v
    return total + cur


@dataclass(frozen=True, slots=True)
class DateParts:
    """A date as read (never changed once made)."""

    year: int | None
    month: int
    day: int


def date_parts(m: Any, numerals: dict[str, int]) -> DateParts | None:
    gd = m.groupdict()
    month = to_int(gd.get("month"), numerals)
    day = to_int(gd.get("day"), numerals)
    year = to_int(gd.get("year"), numerals)
    if month is None or day is None or not (1 <= month <= 12 and 1 <= day <= 31):
        return None
    if year is not None and not (1900 <= year <= 2100):
        year = None
    return DateParts(year, month, day)


def format_date(p: DateParts, base: str | None, year_hint: int | None = None) -> str:
    """YYYY-MM-DD when a year is known (printed, or taken from ``base`` = the publication
    date, the previous year when the month lies after the publication month), else --MM-DD."""
    year = p.year
    if year is None and base and len(base) >= 7 and base[:4].isdigit():
        by, bm = int(base[:4]), int(base[5:7])
        year = by - 1 if p.month > bm else by
    if year is None:
        year = year_hint
    if year is None:
        return f"--{p.month:02d}-{p.day:02d}"
    return f"{year:04d}-{p.month:02d}-{p.day:02d}"


def day_only(m: Any, numerals: dict[str, int], base: str | None) -> str | None:
    day = to_int(m.groupdict().get("day"), numerals)
    if day is None or not base or len(base) < 10 or not 1 <= day <= 31:
        return None
    return f"{base[:7]}-{day:02d}"


def relative_day(word: str | None, offsets: Any, base: str | None) -> str | None:
    """A day named relative to the publication date (``offsets``: word -> days, from the
    rules' settings), as YYYY-MM-DD; None without a full publication date."""
    if not word or not base or not isinstance(offsets, dict) or word not in offsets:
        return None
    try:
        day = date.fromisoformat(base[:10]) + timedelta(days=int(offsets[word]))
    except (ValueError, TypeError):
        return None
    return day.isoformat()


def split_top(text: str, sep: Any) -> list[tuple[int, int]]:
    """Split at matches of ``sep`` that are not inside quotes or brackets; returns piece spans."""
    if _NESTING.search(text) is None:
        flat = _split_flat(text, sep)
        if flat is not None:
            return flat
    pieces: list[tuple[int, int]] = []
    depth = 0
    start = 0
    i = 0
    n = len(text)
    while i < n:
        ch = text[i]
        if ch in _OPEN:
            depth += 1
        elif ch in _CLOSE:
            depth = max(depth - 1, 0)
        elif ch == "\"":
            depth = depth + 1 if depth == 0 else depth - 1
        elif depth == 0:
            m = sep.match(text, i)
            if m and m.end() > i:
                pieces.append((start, i))
                start = i = m.end()
                continue
        i += 1
    pieces.append((start, n))
    return [(a, b) for a, b in pieces if b > a]


_NESTING = re.compile("[" + re.escape(_OPEN + _CLOSE + '"') + "]")


def _split_flat(text: str, sep: Any) -> list[tuple[int, int]] | None:
    """:func:`split_top` for a text with no quotes or brackets, in one ``finditer`` call
    instead of one ``match`` per character; None when ``sep`` matches an empty string
    somewhere (there the two ways of scanning could differ: the caller then tries each
    character)."""
    pieces: list[tuple[int, int]] = []
    start = 0
    for m in sep.finditer(text):
        a, b = m.span()
        if a == b:
            return None
        pieces.append((start, a))
        start = b
    pieces.append((start, len(text)))
    return [(a, b) for a, b in pieces if b > a]


@dataclass(slots=True)
class ParsedPerson:
    name: str
    roles: list[tuple[int, int]]
    start: int
    end: int
    name_start: int


class PersonReader:
    """Reads a captured span of people into persons (name + roles), by the settings' patterns."""

    def __init__(self, sep: Any, weak_sep: Any, item: Any, roles_only: Any, role_sep: Any,
                 role_strip: Any = None):
        # the separators are matched with no time limit (only spans are read from them)
        self.sep, self.weak_sep, self.item = sep, weak_sep, item
        self.roles_only, self.role_sep, self.role_strip = roles_only, role_sep, role_strip

    def _roles(self, text: str, start: int, end: int) -> list[tuple[int, int]]:
        out = []
        for a, b in split_top(text[start:end], self.role_sep):
            a, b = start + a, start + b
            if self.role_strip is not None:
                m = self.role_strip.match(text, a, b)
                if m and m.end() < b:
                    a = m.end()
            out.append((a, b))
        return out

    def read(self, text: str, start: int, end: int, limit: Any) -> list[ParsedPerson]:
        """The persons in ``text[start:end]``; ``limit`` (an extractor.state.Limit) runs the pattern calls."""
        out: list[ParsedPerson] = []
        pending: list[tuple[int, int]] = []
        seg = text[start:end]
        for a, b in split_top(seg, self.sep):
            parsed = self._piece(text, start + a, start + b, limit)
            # split at a weak separator when the piece names no person (roles alone are none), or
            # when every part is one (院长X和政委Y is two people; 住房和城乡建设局局长Z is one)
            sub = split_top(seg[a:b], self.weak_sep)
            if len(sub) > 1:
                got = [self._piece(text, start + a + x, start + a + y, limit) for x, y in sub]
                people = [p for g in got if isinstance(g, list) for p in g]
                if (not isinstance(parsed, list) and people) or all(isinstance(g, list) for g in got):
                    out.extend(people)
                    pending = []
                    continue
            if parsed is None:
                pending = []
                continue
            if parsed == "roles":
                pending.extend(self._roles(text, start + a, start + b))
                continue
            assert isinstance(parsed, list)
            if pending:
                parsed[0].roles = pending + parsed[0].roles
                parsed[0].start = pending[0][0]
                pending = []
            out.extend(parsed)
        return out

    def _piece(self, text: str, a: int, b: int, limit: Any) -> list[ParsedPerson] | str | None:
        """The person a piece names (and the one standing in for them, a ``proxy`` capture),
        or "roles" for roles alone, or None."""
        while a < b and text[a].isspace():
            a += 1
        while b > a and text[b - 1].isspace():
            b -= 1
        if a >= b:
            return None
        m = limit.one(self.item, "fullmatch", text, a, b)
        if m is not None:
            # an item pattern need not capture roles (the default one does not)
            ra, rb = m.span("roles") if m.groupdict().get("roles") else (m.start("name"), m.start("name"))
            roles = self._roles(text, ra, rb) if rb > ra else []
            got = [ParsedPerson(m.group("name"), roles, a, m.end("name"), m.start("name"))]
            proxy = m.groupdict().get("proxy")
            if proxy:
                pa, pb = m.span("proxy")
                got.append(ParsedPerson(proxy, [], pa, pb, pa))
            return got
        if limit.one(self.roles_only, "fullmatch", text, a, b):
            return "roles"
        return None


def strip_value(s: str) -> str:
    return s.strip().strip(",;:、 ")


_OPENING = "\u201c\u2018\u300c\u300e"
_CLOSING = "\u201d\u2019\u300d\u300f"


def unquote(s: str) -> str:
    """Quotation marks around the whole value go, and so does every stray one: an opening
    mark with no closing one after it, a closing mark with no opening one before it."""
    s = s.strip()
    if len(s) >= 2 and s[0] in _QUOTES and s[-1] in _QUOTES:
        return s[1:-1]
    stray: set[int] = set()
    opened: list[int] = []
    for i, c in enumerate(s):
        if c in _OPENING:
            opened.append(i)
        elif c in _CLOSING:
            if opened:
                opened.pop()
            else:
                stray.add(i)
    stray.update(opened)
    return "".join(c for i, c in enumerate(s) if i not in stray) if stray else s


_TEMPLATE_NAME = re.compile(r"\{(\w+)\}")


def _capture_spans(m: Any, names: list[str] | tuple[str, ...]) -> list[tuple[int, int]]:
    spans = []
    for n in names:
        try:
            a, b = m.span(n)
        except IndexError:
            continue
        if a >= 0 and b > a:
            spans.append((a, b))
    return spans


@lru_cache(maxsize=256)
def _template_names(template: str) -> tuple[str, ...]:
    """The {name} captures a value template uses."""
    return tuple(_TEMPLATE_NAME.findall(template))


def resolve(doc: DocState, rule: Rule, m: Any) -> tuple[str, int, int] | None:
    """Turn a match into (value, start, end): value template or ``value`` capture or the
    whole match, then the rule's normalisers. Spans are in the normalised text; the value
    text is taken from the original."""
    numerals = doc.book.numerals
    norm = rule.normalise
    if "relative_day" in norm:
        start, end = m.span("relative")
        base = doc.summary.published.value if doc.summary.published else None
        v = relative_day(m.group("relative"), doc.book.setting("dates.relative_days"), base)
        return (v, start, end) if v else None
    if "date" in norm or "day_only" in norm or "dated_line" in norm:
        # the evidence: year to day, and the day's unit when the pattern captures it (day_unit)
        spans = _capture_spans(m, ["year", "month", "day", "day_unit"]) or [m.span()]
        start, end = min(a for a, _ in spans), max(b for _, b in spans)
        base = doc.summary.published.value if doc.summary.published else None
        if "day_only" in norm:
            v = day_only(m, numerals, base)
            return (v, start, end) if v else None
        parts = date_parts(m, numerals)
        if parts is None:
            return None
        if "dated_line" in norm:
            # month and day only (a dateline): the year printed elsewhere in the text, or nothing
            year = parts.year or _year_in_text(doc)
            return (format_date(parts, None, year), start, end) if year else None
        hint = None
        if parts.year is None and not base:
            hint = doc.cache.get("year_hint")
        return format_date(parts, base, hint), start, end
    if rule.value:
        names = _template_names(rule.value)
        spans = _capture_spans(m, names)
        if not spans:
            return None
        value = rule.value
        for n in names:
            a, b = m.span(n) if m.group(n) is not None else (0, 0)
            value = value.replace("{" + n + "}", doc.original(a, b) if b > a else "")
        start, end = min(a for a, _ in spans), max(b for _, b in spans)
    elif "value" in m.groupdict():
        if m.group("value") is None:
            return None
        start, end = m.span("value")
        value = doc.original(start, end)
    else:
        start, end = m.span()
        value = doc.original(start, end)
    if "strip" in norm:
        value = strip_value(value)
    if "unquote" in norm:
        value = unquote(value)
    if not value.strip():
        return None
    return value, start, end


def _year_in_text(doc: DocState) -> int | None:
    """The first year the text prints (``dates.year_in_text_pattern``), for datelines."""
    if "year_in_text" not in doc.cache:
        pat = doc.book.setting("dates.year_in_text_pattern")
        m = doc.search(pat, doc.text, what="dates.year_in_text") if pat is not None else None
        doc.cache["year_in_text"] = to_int(m.group("year"), doc.book.numerals) if m else None
    return doc.cache["year_in_text"]
