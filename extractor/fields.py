"""Stage 5, fields: pick each scalar field's value among the candidates and gather the people.

``field`` rules run on body sentences (or paragraphs, or the whole body). For a scalar
field the rule with the highest priority that matched wins, at its earliest match.
People are merged by name: the fullest roles win.
"""
from __future__ import annotations

from .model import Value
from .normalise import normalise
from .people import merge_people, order_by_first_mention
from .state import Candidate, DocState, Span
from .values import resolve, to_int


def _best(cands: list[Candidate]) -> Candidate | None:
    if not cands:
        return None
    return min(cands, key=lambda c: (-c.rule.priority, c.rank, c.start))


def run(doc: DocState) -> None:
    """Each declared field's value from its candidates, as its type combines them (see
    extractor/schema.py): scalars first from the segment stage's candidates (meta, title),
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
            ym = doc.search(year_pat, normalise(s.meeting.value).text)     # values are as printed
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


