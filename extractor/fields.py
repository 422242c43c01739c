"""Stage 5, fields: pick each scalar field's value among the candidates and gather the people.

``field`` rules run on body sentences (or paragraphs, or the whole body). For a scalar
field the rule with the highest priority that matched wins, at its earliest match.
People are merged by name: the fullest roles win.
"""
from __future__ import annotations

import re
from functools import lru_cache

from .model import Person, Value
from .values import date_parts, day_only, format_date, relative_day, strip_value, to_int, unquote
from .rulebook import Rule
from .state import Candidate, DocState, PersonMention, Span, fullest_roles

TYPE_CHECKING = False
if TYPE_CHECKING:  # annotations only: importing typing costs ~4 ms of a one-file run
    from typing import Any

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


def _best(cands: list[Candidate]) -> Candidate | None:
    if not cands:
        return None
    return min(cands, key=lambda c: (-c.rule.priority, c.rank, c.start))


def run(doc: DocState) -> None:
    """Each declared field's value from its candidates, as its type combines them (see
    extractor/fieldspec.py): scalars first from the segment stage's candidates (meta, title),
    then, in a report, every ``field`` rule of each field in declaration order, then people."""
    book = doc.book
    s = doc.summary
    specs = book.fields
    headline: list[Span] = []     # the units of rules with scope: title
    for f in specs:
        if f.scalar:
            c = _best([c for c in doc.candidates if c.field == f.name])
            if c is not None:
                s.set(f.name, Value(c.value, doc.evidence(c.rule.id, c.start, c.end)))
                if f.name == "title":
                    headline = [Span(c.start, c.end)]
    if not doc.is_report:
        return
    year_pat = book.setting("dates.year_in_name_pattern")
    field_rules = book.of_kind("field")      # highest priority first

    for f in specs:
        field = f.name
        rules = [r for r in field_rules if r.field == field]
        if not rules or not (f.scalar or f.type == "list"):
            continue
        if field == "meeting_date" and s.meeting and year_pat is not None and not s.published:
            ym = doc.search(year_pat, s.meeting.value)
            if ym:
                doc.cache["year_hint"] = to_int(ym.group("year"), book.numerals)
        cands: list[Candidate] = [c for c in doc.candidates if c.field == field] if f.scalar else []
        settled = None    # the highest priority of a rule that gave this scalar field a value
        for rule in rules:
            if settled is not None and rule.priority < settled and not doc.every_rule:
                continue      # its values could not win over one of higher priority (see _best)
            before = len(cands)
            units = headline if rule.scope == "title" else doc.units(rule.scope)
            for rank, m in doc.scan(rule, units):
                r = resolve(doc, rule, m)
                if r is None:
                    doc.near_misses.append((rule.id, f"matched {m.group(0)!r} but its value was rejected"))
                    continue
                doc.fire(rule)
                cands.append(Candidate(field, r[0], r[1], r[2], rule, rank))
            if len(cands) > before and f.scalar:
                settled = rule.priority if settled is None else max(settled, rule.priority)
        if f.type == "list":
            values: list[Value] = []
            seen: set[str] = set()
            for c in sorted(cands, key=lambda c: c.start):     # all distinct, in text order
                if c.value not in seen:
                    seen.add(c.value)
                    values.append(Value(c.value, doc.evidence(c.rule.id, c.start, c.end)))
            s.set(field, values)
            continue
        c = _best(cands)
        if c is not None:
            s.set(field, Value(c.value, doc.evidence(c.rule.id, c.start, c.end)))

    doc.relayed_spans = relayed_spans(doc)
    if doc.relayed_spans:
        doc.persons = [p for p in doc.persons if p.field != "speakers" or not doc.in_relayed(p.start)]
    for f in specs:
        if f.people and f.output:
            people = merge_people(doc, [p for p in doc.persons if p.field == f.name])
            if f.combine == "by_name_first_seen":
                people = order_by_first_mention(doc, people)
            s.set(f.name, people)


def relayed_spans(doc: DocState) -> list[Span]:
    """Stretches of the body that relay another meeting: from a ``relayed`` cue to the end of
    its unit (the rule's scope: paragraph or sentence), when the meeting the cue names is not
    this report's meeting."""
    rules = [r for r in doc.book.of_kind("cue") if r.cue == "relayed"]
    if not rules:
        return []
    own = doc.summary.meeting.value if doc.summary.meeting else ""
    spans = []
    for rule in rules:
        units = doc.units(rule.scope)
        for i, per_unit in doc.by_unit(rule, units).items():    # the rule over all units at once
            for m in per_unit:
                named = m.groupdict().get("meeting") or ""
                if own and (own in named or named in own):
                    continue
                doc.fire(rule)
                spans.append(Span(m.start(), units[i].end))
                break
    merged: list[Span] = []      # in text order, overlaps joined (in_relayed bisects them)
    for sp in sorted(spans, key=lambda sp: sp.start):
        if merged and sp.start <= merged[-1].end:
            merged[-1] = Span(merged[-1].start, max(merged[-1].end, sp.end))
        else:
            merged.append(sp)
    return merged


def order_by_first_mention(doc: DocState, people: list[Person]) -> list[Person]:
    """Sort people by where their name first appears anywhere in the text."""
    def key(p: Person) -> int:
        i = doc.norm.original.find(p.name)
        return i if i >= 0 else p.evidence.start
    return sorted(people, key=key)


def merge_people(doc: DocState, mentions: list[PersonMention]) -> list[Person]:
    """One person per name, in order of first mention; the fullest roles seen win."""
    out: dict[str, Person] = {}
    got = doc.cache.get("fullest_roles")
    if got is not None and got[0] is doc.persons and got[1] == len(doc.persons):
        all_roles = got[2]
    else:    # once per list of persons (again when it changed); roles may be printed
        all_roles = fullest_roles(doc.persons)   # fully in another field's mention
        doc.cache["fullest_roles"] = (doc.persons, len(doc.persons), all_roles)
    for pm in sorted(mentions, key=lambda p: p.start):
        if pm.name in out:
            continue
        out[pm.name] = Person(pm.name, list(all_roles.get(pm.name, pm.roles)),
                              doc.evidence(pm.rule, pm.start, pm.end))
    return list(out.values())
