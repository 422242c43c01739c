"""Stage 6, lists: numbered lists, their items, nesting, and which of them are points.

Each ``list`` rule is one numbering family. The engine:

1. finds the family's markers in the body and reads each one's number (``num`` capture,
   read by the numeral normaliser, or the position of ``word`` among the rule's words);
2. chains markers that run 1, 2, 3, … (a ``last_word`` may close a chain);
3. drops a chain that overlaps a chain of a higher-priority family;
4. ends each item at the next marker; the last item at the end of its paragraph
   (for ``block`` families, heading lines, at the end of the paragraph under it);
5. decides which chains are directive lists by the ``cue`` rules (below), and nests a
   chain lying inside one item of a directive chain under that item (a directive list
   inside an agenda item stays top-level);
6. keeps a top-level chain as points when it is a directive list
   (``needs_cue`` families must have a directive cue before them, or on most of their
   items; ``not_directive`` cues just before the list or on half its items reject it);
7. attributes the list to the nearest speaker mentioned before it, unless a
   ``no_speaker`` cue (the meeting as a body) stands closer.
"""
from __future__ import annotations

from bisect import bisect_left, bisect_right
from dataclasses import dataclass, field
from time import monotonic

from .model import Item, Point
from .people import merge_people, order_by_first_mention
from .rulebook import Rule
from .state import DocState, PersonMention
from .values import to_int

LAST = 10_000


@dataclass(slots=True)
class Marker:
    rule: Rule
    num: int
    start: int
    end: int


@dataclass(slots=True)
class Chain:
    rule: Rule
    markers: list[Marker]
    ends: list[int] = field(default_factory=list)
    parent: Chain | None = None
    children: list[Chain] = field(default_factory=list)

    @property
    def start(self) -> int:
        return self.markers[0].start

    @property
    def end(self) -> int:
        return self.ends[-1] if self.ends else self.markers[-1].end


def _find_markers(doc: DocState, rule: Rule) -> list[Marker]:
    out: list[Marker] = []
    text = doc.text
    for m in doc.matches(rule, text, doc.body.start, doc.body.end):
        gd = m.groupdict()
        if rule.words or rule.last_word:
            w = gd.get("word")
            if w is None:
                continue
            if w == rule.last_word:
                num = LAST
            elif w in rule.words:
                num = rule.words.index(w) + 1
            else:
                continue
            span = m.span("word")
        else:
            num = to_int(gd.get("num"), doc.book.numerals)
            if num is None:
                continue
            span = (m.start(), m.end())
        a, b = span
        while a < b and text[a].isspace():
            a += 1
        out.append(Marker(rule, num, a, b))
    return out


def _chains(rule: Rule, markers: list[Marker], lone: list[Chain] | None = None) -> list[Chain]:
    """Chains of markers numbered 1, 2, 3, ... A lone first item is kept when it is the
    family's last marker (an excerpt that stops inside the list); it then runs to the
    end of the text (see _set_ends). Other lone first items go to ``lone`` when given:
    their list may go on in another style (首先…第二…第三, see _join_lone)."""
    chains: list[Chain] = []
    cur: list[Marker] = []

    def close() -> None:
        lone_at_end = (not rule.needs_cue and len(cur) == 1 and cur[0] is markers[-1] and cur[0].num == 1)
        if len(cur) >= max(rule.min_items, 2) or lone_at_end:
            chains.append(Chain(rule, list(cur)))
        elif lone is not None and len(cur) == 1 and cur[0].num == 1:
            lone.append(Chain(rule, list(cur)))

    for mk in markers:
        if mk.num == 1:
            close()
            cur = [mk]
        elif cur and mk.num == LAST and cur[-1].num != LAST and len(cur) >= 2:
            cur.append(mk)
            close()
            cur = []
        elif cur and cur[-1].num != LAST and mk.num == cur[-1].num + 1:
            if rule.max_gap and mk.start - cur[-1].end > rule.max_gap:
                continue   # too far from the item before: not the same list
            cur.append(mk)
    close()
    return chains


def _at(spans: list, starts: list[int], pos: int) -> int:
    """Index of the span holding ``pos`` (spans sorted, ``starts`` their starts), or -1."""
    i = bisect_right(starts, pos) - 1
    return i if i >= 0 and pos <= spans[i].end else -1


def _paragraph_end(doc: DocState, pos: int) -> int:
    i = _at(doc.paragraphs, doc.starts_of(doc.paragraphs), pos)
    return doc.paragraphs[i].end if i >= 0 else doc.body.end


def _next_paragraph_end(doc: DocState, pos: int) -> int:
    paras = doc.paragraphs
    i = _at(paras, doc.starts_of(doc.paragraphs), pos)
    if i < 0:
        return doc.body.end
    return paras[i + 1].end if i + 1 < len(paras) else paras[i].end


def _set_ends(doc: DocState, ch: Chain, heading_max: int) -> None:
    ends = [ch.markers[i + 1].start for i in range(len(ch.markers) - 1)]
    last = ch.markers[-1]
    if len(ch.markers) == 1:      # a lone first item at the end of an excerpt
        ch.ends = [doc.body.end]
        return
    pend = _paragraph_end(doc, last.start)
    if ch.rule.block and pend - last.end <= heading_max:
        pend = _next_paragraph_end(doc, last.start)
    ends.append(pend)
    ch.ends = ends


def _join(doc: DocState, ch: Chain, by_num: dict[int, tuple[list[Marker], list[int]]], owned: set[int],
          heading_max: int) -> None:
    """Continue a chain with the next number written in another family's style
    (一是, 二是, 三、) when it stands inside the chain's last item. ``by_num``: the markers
    of each number in text order, and their starts."""
    while True:
        last = ch.markers[-1]
        cands, starts = by_num.get(last.num + 1, ((), ()))
        i = bisect_left(starts, last.end)
        nxt = None
        for k in range(i, len(cands)):    # by index: a slice would copy all the markers after
            m = cands[k]
            if m.start >= ch.ends[-1]:
                break
            if m.rule is not ch.rule and not _owned(m, owned):
                nxt = m
                break
        if nxt is None:
            return
        ch.markers.append(nxt)
        owned.update(range(nxt.start, nxt.end))
        _set_ends(doc, ch, heading_max)


def _join_lone(doc: DocState, lone: list[Chain], by_num: dict[int, tuple[list[Marker], list[int]]],
               owned: set[int], heading_max: int) -> list[Chain]:
    """Lone first items whose list goes on in other styles within their paragraph (the next
    paragraph for block lists): the chains they start."""
    out = []
    for ch in lone:
        first = ch.markers[0]
        if _owned(first, owned):
            continue
        block = ch.rule.block
        ch.ends = [(_next_paragraph_end if block else _paragraph_end)(doc, first.start)]
        _join(doc, ch, by_num, owned, heading_max)
        if len(ch.markers) > 1:
            owned.update(range(first.start, max(first.end, first.start + 1)))
            out.append(ch)
    return out


def _owned(m: Marker, owned: set[int]) -> bool:
    return any(i in owned for i in range(m.start, max(m.end, m.start + 1)))


def _inside_item(inner: Chain, outer: Chain) -> int | None:
    for i, mk in enumerate(outer.markers):
        s, e = mk.end, outer.ends[i]
        if s <= inner.start and inner.markers[-1].end <= e:
            return i
    return None


def _nest(chains: list[Chain], directive: set[int]) -> None:
    """Hang every chain under the innermost item of a directive chain that holds all of it.
    Items are searched by start with bisect; a running maximum of item ends stops the
    backward walk as soon as no earlier item can reach far enough."""
    items = sorted((mk.end, c.ends[i], id(c), c) for c in chains if id(c) in directive
                   for i, mk in enumerate(c.markers))
    starts = [s for s, _, _, _ in items]
    reach: list[int] = []
    for _, e, _, _ in items:
        reach.append(max(e, reach[-1]) if reach else e)
    for ch in chains:
        need = ch.markers[-1].end
        k = bisect_right(starts, ch.start) - 1
        while k >= 0 and reach[k] >= need:
            s, e, _, outer = items[k]
            if outer is not ch and e >= need:
                ch.parent = outer
                outer.children.append(ch)
                break
            k -= 1


def _cue_hits(doc: DocState, cue: str, scope: str, start: int, end: int) -> list[tuple[int, Rule]]:
    hits = []
    for rule in doc.book.of_kind("cue"):
        if rule.cue != cue or rule.scope != scope:
            continue
        for m in doc.matches(rule, doc.text, start, end):
            hits.append((m.start(), rule))
    return hits


def _intro_span(doc: DocState, ch: Chain) -> tuple[int, int]:
    """The words leading into the first marker: its sentence so far, or the sentence before
    it in its paragraph, or the line before it."""
    first = ch.start
    text = doc.text
    i = _at(doc.sentences, doc.starts_of(doc.sentences), first)
    s = doc.sentences[i].start if i >= 0 else first
    if not text[s:first].strip():
        p = _at(doc.paragraphs, doc.starts_of(doc.paragraphs), first)
        if i > 0 and p >= 0 and doc.sentences[i - 1].start >= doc.paragraphs[p].start:
            return doc.sentences[i - 1].start, doc.sentences[i - 1].end
        paras = doc.paragraphs
        j = bisect_right(doc.starts_of(doc.paragraphs), first) - 1
        while j >= 0 and paras[j].end > first:
            j -= 1
        if j >= 0:
            return paras[j].start, paras[j].end
    return s, first


def _is_directive(doc: DocState, ch: Chain, before: int) -> bool:
    start = max(doc.body.start, ch.start - before)
    intro = _intro_span(doc, ch)
    if _cue_hits(doc, "not_directive", "intro", *intro):
        return False
    item_starts = [mk.end for mk in ch.markers]
    bad = 0
    for i, s in enumerate(item_starts):
        e = ch.ends[i]
        if _cue_hits(doc, "not_directive", "item", s, e):
            bad += 1
    if bad * 2 >= len(item_starts):
        return False
    if ch.rule.needs_cue:
        if _cue_hits(doc, "directive", "before", min(start, intro[0]), ch.start):
            return True
        good = sum(1 for i, s in enumerate(item_starts) if _cue_hits(doc, "directive", "item", s, ch.ends[i]))
        return good * 2 > len(item_starts)
    return True


def _lead(doc: DocState, mk: Marker, end: int) -> tuple[int, int]:
    book = doc.book
    text = doc.text
    stop_pat = book.setting("points.lead_stop_pattern")
    m = doc.search(stop_pat, text, mk.end, end, "points.lead_stop") if stop_pat is not None else None
    stop = m.start() if m else end
    return _trim(doc, mk.end, stop)


def _trim(doc: DocState, a: int, b: int) -> tuple[int, int]:
    """Drop the rules' ``points.lead_strip_chars`` from both ends of [a, b)."""
    chars = doc.book.setting("points.lead_strip_chars", " ")
    text = doc.text
    while a < b and text[a] in chars:
        a += 1
    while b > a and text[b - 1] in chars:
        b -= 1
    return a, b


def _clauses(doc: DocState, start: int, end: int, lead_end: int) -> list[str]:
    book = doc.book
    pat = book.setting("points.clause_pattern")
    stop = book.setting("points.clause_stop_pattern")
    if pat is None or stop is None:
        return []
    out = []
    sents = doc.sentences
    first = bisect_left(doc.starts_of(doc.sentences), max(lead_end, start))
    last = bisect_left(doc.starts_of(doc.sentences), end, first)
    text = doc.text
    for sent in sents[first:last]:     # the item's sentences only: no copy of all that follow
        s0 = sent.start
        while s0 < sent.end and text[s0].isspace():  # "。 要…" (a space, or a NUL made one)
            s0 += 1
        m = doc.search(pat, text, s0, sent.end, "points.clause")
        if not m or m.start() != s0:
            continue
        sm = doc.search(stop, text, m.end(), sent.end, "points.clause_stop")
        a, b = _trim(doc, s0, sm.start() if sm else sent.end)
        if b > a:
            out.append(doc.original(a, b))
    return out


def _kept_text(doc: DocState, a: int, b: int) -> str:
    """The original text of [a, b) without the lines the segment stage dropped as page chrome
    (each with its line end): a ``drop`` line inside an item is not part of its text."""
    cut = doc.cache.get("chrome_spans")
    if cut is None:
        text = doc.text
        spans = []
        for ln in sorted(doc.chrome, key=lambda ln: ln.start):
            nl = text.find("\n", ln.end)
            spans.append((ln.start, len(text) if nl < 0 else nl + 1))
        cut = doc.cache["chrome_spans"] = (spans, [s for s, _ in spans])
    spans, starts = cut
    i = bisect_left(starts, a)
    if i > 0 and spans[i - 1][1] > a:
        i -= 1
    if i >= len(spans) or spans[i][0] >= b:
        return doc.original(a, b)
    parts = []
    pos = a
    while i < len(spans) and spans[i][0] < b:
        s, e = spans[i]
        if s > pos:
            parts.append(doc.original(pos, s))
        pos = max(pos, e)
        i += 1
    if pos < b:
        parts.append(doc.original(pos, b))
    return "".join(parts).strip(doc.book.setting("points.lead_strip_chars", " "))


def _item(doc: DocState, ch: Chain, i: int, cls: type) -> Item:
    mk = ch.markers[i]
    end = ch.ends[i]
    la, lb = _lead(doc, mk, end)
    ta, tb = _trim(doc, mk.end, end)
    item = cls(marker=doc.original(mk.start, mk.end).strip(), number=mk.num,
               lead=_kept_text(doc, la, lb), text=_kept_text(doc, ta, tb),
               evidence=doc.evidence(ch.rule.id, mk.start, end))
    kids = [c for c in ch.children if _inside_item(c, ch) == i]
    for kid in kids:
        item.items.extend(_item(doc, kid, j, Item) for j in range(len(kid.markers)))
    if not kids:
        item.clauses = _clauses(doc, mk.end, end, lb)
    return item


def run(doc: DocState) -> None:
    if not doc.is_report:
        return
    book = doc.book
    before = int(book.setting("points.before_window", 160))
    attribution = int(book.setting("points.attribution_window", 400))
    heading_max = int(book.setting("points.heading_max_chars", 40))
    chains: list[Chain] = []
    all_markers: list[Marker] = []
    owned: set[int] = set()
    join = bool(book.setting("points.join_families", False))
    lone: list[Chain] = []
    for rule in book.of_kind("list"):
        markers = _find_markers(doc, rule)
        all_markers.extend(markers)
        family = _chains(rule, markers, lone if join else None)
        for k, ch in enumerate(family):
            if any(_owned(m, owned) for m in ch.markers):
                continue   # a higher-priority family already owns these markers
            _set_ends(doc, ch, heading_max)
            if k + 1 < len(family):   # a new list of the same family ends the last item
                ch.ends[-1] = min(ch.ends[-1], family[k + 1].start)
            chains.append(ch)
            for m in ch.markers:
                owned.update(range(m.start, max(m.end, m.start + 1)))
        if _over_budget(doc):
            break
    if join:
        by_num: dict[int, list[Marker]] = {}
        for m in sorted(all_markers, key=lambda m: m.start):
            by_num.setdefault(m.num, []).append(m)
        numbered = {n: (ms, [m.start for m in ms]) for n, ms in by_num.items()}
        for ch in chains:
            _join(doc, ch, numbered, owned, heading_max)
        chains.extend(_join_lone(doc, lone, numbered, owned, heading_max))
    chains.sort(key=lambda c: c.start)
    directive: set[int] = set()
    for c in chains:      # every list asks the cue rules: the budget is checked on the way
        if _over_budget(doc):
            break
        if _is_directive(doc, c, before):
            directive.add(id(c))
    _nest(chains, directive)
    top = [c for c in chains if c.parent is None]
    points: list[Point] = []
    added: list[PersonMention] = []
    target = book.setting("points.speaker_field")
    for ch in top:
        if id(ch) not in directive or doc.in_relayed(ch.start):
            continue
        if _over_budget(doc):
            break
        doc.fire(ch.rule)
        who = _speaker(doc, ch, attribution, target)
        if who is not None and target:
            added.append(PersonMention(target, who.name, who.roles, who.start, who.end, ch.rule.id))
        for i in range(len(ch.markers)):
            p = _item(doc, ch, i, Point)
            p.speaker = who.name if who else None
            p.list_rule = ch.rule.id
            points.append(p)
    doc.summary.points = points
    target = book.setting("points.speaker_field")
    if target and added:
        doc.persons.extend(added)
        merged = merge_people(doc, [p for p in doc.persons if p.field == target])
        setattr(doc.summary, target, order_by_first_mention(doc, merged))


def _over_budget(doc: DocState) -> bool:
    """True once the document's time budget is spent (warned once): the lists read so far
    are kept, the rest are not read."""
    if monotonic() <= doc.deadline:
        return False
    msg = "document time budget spent while reading numbered lists"
    if msg not in doc.warnings:
        doc.warnings.append(msg)
    return True


def _named_again(doc: DocState, start: int, end: int) -> list[PersonMention]:
    """People read (with their roles) before ``end`` whose bare name stands in
    ``text[start:end]`` again: the first of them there (鄢春燕对下阶段工作进行了安排:1.…)."""
    seg = doc.text[start:end]
    found: dict[str, PersonMention] = {}
    for p in doc.persons:
        if p.end <= start and p.name not in found and len(p.name) >= 2:
            k = seg.find(p.name)
            if k >= 0:
                found[p.name] = PersonMention(p.field, p.name, p.roles, start + k, start + k + len(p.name), p.rule)
    return sorted(found.values(), key=lambda p: p.start)[:1]


def _speaker(doc: DocState, ch: Chain, window: int, field: str | None) -> PersonMention | None:
    """Who introduced the list: the speaker named in the sentence that introduces it, else
    that sentence's subject (a person read there, or a bare name read with roles before);
    failing that, the last speaker mentioned before it (within the window); failing that,
    the last person named in the list's paragraph or the ones before it
    (``points.attribution_paragraphs`` paragraphs, counting the list's own).
    Nobody when a ``no_speaker`` cue (the meeting as a body) stands between them and the list."""
    lo = max(doc.body.start, ch.start - window)
    starts = doc.starts_of(doc.persons)
    before = [p for p in doc.persons[bisect_left(starts, lo):bisect_left(starts, ch.start)]
              if p.end <= ch.start]      # a ref (他, 张校长) after the list stands after it
    spoke = [p for p in before if p.field == field]
    # a list in the sentence that introduces it (X对下步工作进行安排:一是…): the speaker named
    # there, else the first person named there (its subject)
    i = _at(doc.sentences, doc.starts_of(doc.sentences), ch.start)
    here = [p for p in before if p.end > doc.sentences[i].start] if i >= 0 else []
    if i >= 0 and not here:
        here = _named_again(doc, doc.sentences[i].start, ch.start)
    if here:
        said = [p for p in here if p.field == field]
        spoke = said or [min(here, key=lambda p: p.start)]
    if not spoke:
        n = bisect_right(doc.starts_of(doc.paragraphs), ch.start)   # paragraphs starting at or before the list
        paras = doc.paragraphs
        back = max(1, int(doc.book.setting("points.attribution_paragraphs", 2)))
        near = paras[max(n - back, 0)].start if n else lo
        spoke = [p for p in before if p.end > near]     # a ref (何校长) ends where it stands
    if not spoke:
        return None
    last = max(spoke, key=lambda p: p.start)
    if _cue_hits(doc, "no_speaker", "before", last.end, ch.start):
        return None
    return last
