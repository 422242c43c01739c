"""Stage 4, mentions: persons with roles, found by ``person`` rules in each body sentence.

A person rule captures the people in ``who``; the persons normaliser reads that span
into name + roles with the ``settings.persons`` patterns.
"""
from __future__ import annotations

from .normalisers import PersonReader
from .rulebook import RuleBook
from .state import DocState, PersonMention


def person_reader(book: RuleBook) -> PersonReader | None:
    """The persons normaliser built from ``settings.persons`` (once per rule book)."""
    cached = book.__dict__.get("_person_reader", False)
    if cached is False:
        s = book.setting
        parts = [s("persons.separator_pattern"), s("persons.weak_separator_pattern"), s("persons.item_pattern"),
                 s("persons.roles_only_pattern"), s("persons.role_separator_pattern")]
        ok = not any(p is None or isinstance(p, str) for p in parts)
        cached = PersonReader(*parts, role_strip=s("persons.role_strip_pattern")) if ok else None
        book.__dict__["_person_reader"] = cached
    return cached


_READ = "persons_read"
"""The doc.cache key of the persons read per span (several rules capture the same people)."""
_READ_MAX = 256
"""At most this many spans are remembered (then forgotten together): a long text would
otherwise keep every person it names until its end."""


def read_persons(doc: DocState, rule, m) -> list[PersonMention]:
    reader = person_reader(doc.book)
    if reader is None or m.group("who") is None:
        return []
    span = m.span("who")
    read = doc.cache.get(_READ)
    if read is None or len(read) >= _READ_MAX:
        read = doc.cache[_READ] = {}
    got = read.get(span)
    if got is None:
        try:
            parsed = reader.read(doc.text, span[0], span[1], doc.limit)
        except TimeoutError:
            doc.warnings.append(f"rule {rule.id} ({rule.where}): reading its persons cut off after {doc.timeout:g}s")
            return []
        got = read[span] = [(doc.original(p.name_start, p.end), [doc.original(x, y) for x, y in p.roles],
                             p.start, p.end) for p in parsed]
    field = rule.field or ""
    return [PersonMention(field, name, list(roles), a, b, rule.id) for name, roles, a, b in got]


def run(doc: DocState) -> None:
    if not doc.is_report:
        return
    rules = doc.book.of_kind("person")
    for rule in rules:
        for _, m in doc.scan(rule, doc.units(rule.scope)):
            found = read_persons(doc, rule, m)
            if found:
                doc.fire(rule)
                doc.persons.extend(found)
            else:
                doc.near_misses.append((rule.id, f"matched {m.group(0)!r} but read no person in it"))
    doc.persons.sort(key=lambda p: p.start)
