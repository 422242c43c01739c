"""Stage 4, people: persons with roles, found by ``person`` rules in each body sentence, and
merged by name into the people of a field (:func:`merge_people`, which the later stages call).

A person rule captures the people in ``who``; the persons normaliser reads that span
into name + roles with the ``settings.persons`` patterns.

A rule may capture ``ref`` instead: a word that stands for someone named before it.  Once
every rule has run, the engine looks back from the ``ref`` for the names the rules read:
in its paragraph and the ``settings.persons.ref_paragraphs - 1`` paragraphs before, or,
when the rule also captures ``surname``, for names with that surname anywhere in the
body; never more than ``settings.persons.ref_max_chars`` characters back; without a
surname, passing over names inside a list of several people (a ``who`` span read as
more than one person).  Of the clause nearest before the ``ref`` that holds such a name
(clauses end at ``settings.persons.ref_clause_end_pattern``), the first name is the
person meant: a clause's subject comes first.  That mention runs from the naming to the
end of the ``ref``, which is its evidence.  A ``ref`` with nobody to stand for gives no
person.
"""
from __future__ import annotations

from bisect import bisect_right
from time import monotonic

from .model import Person
from .rulebook import RuleBook
from .state import DocState, PersonMention, fullest_roles
from .values import PersonReader


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


def _group(m, name: str) -> str | None:
    try:
        return m.group(name)
    except IndexError:  # the pattern has no such group
        return None


def read_persons(doc: DocState, rule, m) -> list[PersonMention]:
    reader = person_reader(doc.book)
    if reader is None or _group(m, "who") is None:
        return []
    span = m.span("who")
    read = doc.cache.get(_READ)
    if read is None or len(read) >= _READ_MAX:
        read = doc.cache[_READ] = {}
    got = read.get(span)
    if got is None:
        try:
            parsed = reader.read(doc.text, span[0], span[1], doc.limit)
        except TimeoutError:   # one warning per rule, or one for the document's budget
            doc.cut_off(f"rule {rule.id} ({rule.where}): reading its persons")
            return []
        got = read[span] = [(doc.original(p.name_start, p.end), [doc.original(x, y) for x, y in p.roles],
                             p.start, p.end) for p in parsed]
    field = rule.field or ""
    return [PersonMention(field, name, list(roles), a, b, rule.id) for name, roles, a, b in got]


def run(doc: DocState) -> None:
    if not doc.is_report:
        return
    rules = doc.book.of_kind("person")
    refs = []
    groups: list[tuple[int, int]] = []  # who spans read as several people
    for rule in rules:
        for _, m in doc.scan(rule, doc.units(rule.scope)):
            if "ref" in m.re.groupindex and m.group("ref") is not None and _group(m, "who") is None:
                refs.append((rule, m))
                continue
            found = read_persons(doc, rule, m)
            if found:
                doc.fire(rule)
                doc.persons.extend(found)
                if len(found) > 1:
                    groups.append(m.span("who"))
            else:
                doc.near_misses.append((rule.id, f"matched {m.group(0)!r} but read no person in it"))
    if refs:
        doc.persons.extend(_resolve(doc, refs, groups))
    doc.persons.sort(key=lambda p: p.start)


def _resolve(doc: DocState, refs: list, groups: list[tuple[int, int]]) -> list[PersonMention]:
    """The person each ``ref`` stands for (see the module's docstring)."""
    names = fullest_roles(doc.persons)
    reads: dict[str, int] = {}          # name -> how many mentions read it
    for p in doc.persons:
        reads[p.name] = reads.get(p.name, 0) + 1
    lists: list[list[int]] = []        # the who spans of several people, merged where they overlap
    for x, y in sorted(groups):
        if lists and x <= lists[-1][1]:
            lists[-1][1] = max(lists[-1][1], y)
        else:
            lists.append([x, y])
    list_starts = [x for x, _ in lists]
    text = doc.text
    paras = doc.paragraphs
    para_starts = doc.starts_of(paras)
    setting = doc.book.setting
    back = max(1, int(setting("persons.ref_paragraphs", 2)))
    reach = max(1, int(setting("persons.ref_max_chars", 1000)))
    clause_end = setting("persons.ref_clause_end_pattern")

    def in_list(i: int) -> bool:
        k = bisect_right(list_starts, i) - 1
        return k >= 0 and i < lists[k][1]

    out = []
    for rule, m in refs:
        if monotonic() > doc.deadline:
            doc.warnings.append("document time budget spent while resolving references to people")
            break
        a, b = m.span("ref")
        surname = _group(m, "surname")
        lo = max(doc.body.start, a - reach)
        if not surname:
            k = bisect_right(para_starts, a) - 1   # the ref's paragraph
            if k >= 0:
                lo = max(lo, paras[max(0, k - back + 1)].start)
        found = []   # (offset, name) of each naming before the ref, outside lists
        for name in names:
            if surname and not name.startswith(surname):
                continue
            i = text.find(name, lo, a)
            while i >= 0:
                if surname or not in_list(i):   # a surname picks one out of a list
                    found.append((i, name))
                i = text.find(name, i + 1, a)
        if not found:
            doc.near_misses.append((rule.id, f"matched {m.group(0)!r} but nobody is named before it"))
            continue
        # the nearest clause holding a naming, and in it the first one (its subject:
        # "X listened to Y's report. He stressed" is X)
        last = max(found)[0]
        ends: list = []
        if clause_end is not None:
            doc.limit_all(clause_end, text, lo, last, ends, "persons.ref_clause_end")
        start = ends[-1].end() if ends else lo
        at = min(i for i, _ in found if i >= start)
        # two names read at one place (a 2- and a 3-character reading): the one more
        # mentions read, else the shorter
        best = max((n for i, n in found if i == at), key=lambda n: (reads[n], -len(n)))
        doc.fire(rule)
        # the mention (and its evidence) runs from the naming to the word standing for it
        out.append(PersonMention(rule.field or "", best, list(names[best]), at, b, rule.id))
    return out


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
