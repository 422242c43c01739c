"""Stage 3, segment: split the page into chrome, header (title, metadata lines), body and footer.

``chrome`` rules drop furniture lines (``drop``), strip a prefix (``strip``), or mark
where the article ends: ``end`` (its footer lines are still read for metadata, up to a
``cut`` line) or ``cut`` (the rest is other pages' content: related reading, teasers).
``meta`` rules read the publication date and source from header and footer lines;
``title`` rules pick the headline among the header lines.
"""
from __future__ import annotations

from typing import Any

from .state import Candidate, DocState, Line, Span
from .values import resolve


def split_lines(text: str, start: int = 0, end: int | None = None) -> list[Line]:
    end = len(text) if end is None else end
    out: list[Line] = []
    pos = start
    while pos < end:
        nl = text.find("\n", pos, end)
        stop = end if nl < 0 else nl
        a, b = pos, stop
        while b > a and text[b - 1] == " ":
            b -= 1
        if text[a:b].strip():
            out.append(Line(a, b, text[a:b]))
        pos = stop + 1
    return out


def run(doc: DocState) -> None:
    book = doc.book
    text = doc.text
    lines = split_lines(text)
    chrome_rules = book.of_kind("chrome")
    kept: list[Line] = []
    end_index: int | None = None
    ended_by = None      # the action of the chrome rule that ended the article
    min_chars = int(book.setting("segment.body_min_chars", 30))
    body_mark = book.setting("segment.body_mark_pattern")
    body_start_pat = book.setting("segment.body_start_pattern")
    meta_rules = book.of_kind("meta")

    hits = [doc.line_hits(rule, lines) for rule in chrome_rules]   # one pass per rule
    hit_lines = set().union(*hits)
    for li, line in enumerate(lines):
        dropped = False
        for rule, rule_hits in zip(chrome_rules, hits) if li in hit_lines else ():
            hit = rule_hits.get(li)
            if hit is None:
                continue
            if rule.action == "strip":
                if hit.start() == line.start and hit.end() > hit.start():
                    doc.fire(rule)
                    line = Line(hit.end(), line.end, text[hit.end():line.end])
                continue
            if rule.action == "drop":
                doc.fire(rule)
                dropped = True
                break
            if rule.action in ("end", "cut") and kept and _has_body(doc, kept, min_chars, body_mark, body_start_pat,
                                                                  meta_rules):
                doc.fire(rule)
                end_index = len(kept)
                ended_by = rule.action
                break
        if dropped or line.end <= line.start:
            doc.chrome.append(line)
            continue
        kept.append(line)
        if end_index is not None:
            break
    footer_start = end_index if end_index is not None else len(kept)
    after = [ln for ln in lines if ln.start >= (kept[-1].end if kept else 0)] if end_index is not None else []
    article = kept[:footer_start]
    # the footer: the lines from where the article ends (`end`), up to the first line where what
    # follows belongs to other pages (`cut`: related reading, teasers), at most footer_n lines;
    # none when a `cut` line ends the article
    footer_n = int(book.setting("segment.footer_meta_lines", 8))
    footer: list[Line] = []
    if ended_by == "end":
        cuts = {lines[i].start for rule, rule_hits in zip(chrome_rules, hits) if rule.action == "cut"
                for i in rule_hits}
        for ln in (kept[footer_start:] + after)[:footer_n]:
            if footer and ln.start in cuts:
                break
            footer.append(ln)
    doc.chrome.extend(ln for ln in lines if end_index is not None and ln.start > kept[-1].start)

    body_i = _body_start(doc, article, min_chars, body_mark, body_start_pat, meta_rules)
    header = article[:body_i]
    body_lines = article[body_i:]
    doc.header = header
    doc.paragraphs = body_lines
    if body_lines:
        doc.body = Span(body_lines[0].start, body_lines[-1].end)
    else:
        doc.body = Span(len(text), len(text))

    # metadata: header lines first, then the first body line (dates under a headline
    # sometimes run into it), then the footer.
    meta_scan = [(ln, i) for i, ln in enumerate(header)]
    meta_scan += [(ln, 100) for ln in body_lines[:1]]
    # the body's last lines: the last two, and every short line after the last paragraph of
    # prose (a page footer the article-end rules did not mark: source, copyright, address), at most
    # segment.footer_meta_lines of them
    trailing = 0
    while trailing < min(footer_n, len(body_lines) - 1) and not _is_prose(doc, body_lines[-1 - trailing],
                                                                           min_chars, body_mark):
        trailing += 1
    last = body_lines[-max(2, trailing):] if len(body_lines) > 1 else []
    meta_scan += [(ln, 150 + i) for i, ln in enumerate(last)]
    meta_scan += [(ln, 200 + i) for i, ln in enumerate(footer)]
    meta_hit: dict[int, int] = {}     # line start -> where its first metadata match starts
    # each rule is matched over all these lines at once (a line may be listed twice)
    units = sorted({ln.start: ln for ln, _ in meta_scan}.values(), key=lambda ln: ln.start)
    unit_of = {ln.start: i for i, ln in enumerate(units)}
    found = [doc.by_unit(rule, units) for rule in meta_rules]
    for ln, rank in meta_scan:
        i = unit_of[ln.start]
        for rule, per_unit in zip(meta_rules, found):
            for m in per_unit.get(i, ()):
                value = resolve(doc, rule, m)
                if value is None:
                    continue
                doc.fire(rule)
                doc.candidates.append(Candidate(rule.field or "", value[0], value[1], value[2], rule, rank))
                meta_hit[ln.start] = min(meta_hit.get(ln.start, m.start()), m.start())
                break
    doc.meta_lines = [ln for ln, _ in meta_scan if ln.start in meta_hit]

    # sentences of the body
    end_pat = book.setting("sentence.end_pattern")
    for para in body_lines:
        pos = para.start
        ends: list[Any] = []
        if end_pat and doc.limit_all(end_pat, text, para.start, para.end, ends, "sentence.end"):
            ends = []        # cut off: the paragraph is one sentence
        for m in ends:
            stop = m.end()
            if stop <= pos:          # an empty match where the sentence starts
                break
            doc.sentences.append(Line(pos, stop, text[pos:stop]))
            pos = stop
            if m.start() == stop:    # an empty end match: the rest of the paragraph is one sentence
                break
        if pos < para.end:
            doc.sentences.append(Line(pos, para.end, text[pos:para.end]))

    # title among header lines that are not metadata
    max_chars = int(book.setting("segment.title_max_chars", 80))
    # a header line whose metadata follows some text (标题 发布时间:…) offers that text
    title_lines = []
    for ln in header:
        if ln.start in meta_hit:
            ln = Line(ln.start, meta_hit[ln.start], text[ln.start:meta_hit[ln.start]])
        if ln.text.strip() and len(ln.text) <= max_chars:
            title_lines.append(ln)
    for rule in book.of_kind("title"):
        for rank, ln in enumerate(title_lines):
            m = next(iter(doc.matches(rule, text, ln.start, ln.end)), None)
            if m is None:
                continue
            value = resolve(doc, rule, m)
            if value is None:
                continue
            doc.fire(rule)
            doc.candidates.append(Candidate("title", value[0], value[1], value[2], rule, rank))
            break
    # a date line above the headline belongs to the site's header, not the article
    titles = sorted((c for c in doc.candidates if c.field == "title"), key=lambda c: (-c.rule.priority, c.rank))
    if titles:
        top = titles[0].start
        for c in doc.candidates:
            if c.field != "title" and c.end <= top:
                c.rank += 50
    doc.is_report = _is_report(doc, title_lines, body_lines)


def _is_report(doc: DocState, title_lines: list[Line], body_lines: list[Line]) -> bool:
    """The document-level gate: ``document.report_pattern`` must occur in a title line or the
    first three body paragraphs, and ``document.not_report_pattern`` must not end the title."""
    yes = doc.book.setting("document.report_pattern")
    no = doc.book.setting("document.not_report_pattern")
    titles = [c for c in doc.candidates if c.field == "title"]
    if no is not None:
        for c in titles:
            if doc.search(no, doc.text, c.start, c.end, "document.not_report"):
                return False
    if yes is None:
        return True
    zones = [(ln.start, ln.end) for ln in title_lines] + [(ln.start, ln.end) for ln in body_lines[:3]]
    return any(doc.search(yes, doc.text, a, b, "document.report") for a, b in zones)

def _is_meta(doc: DocState, line: Line, meta_rules: list) -> bool:
    return any(next(iter(doc.matches(r, doc.text, line.start, line.end)), None) for r in meta_rules)


def _is_prose(doc: DocState, line: Line, min_chars: int, body_mark) -> bool:
    """At least ``min_chars`` long and holding ``segment.body_mark_pattern``."""
    if len(line.text) < min_chars:
        return False
    return body_mark is None or doc.search(body_mark, doc.text, line.start, line.end, "segment.body_mark") is not None


def _looks_like_body(doc: DocState, line: Line, min_chars: int, body_mark, body_start_pat, meta_rules) -> bool:
    if body_start_pat is not None and doc.search(body_start_pat, doc.text, line.start, line.end, "segment.body_start"):
        return True
    if not _is_prose(doc, line, min_chars, body_mark):
        return False
    return not (len(line.text) < 2 * min_chars and _is_meta(doc, line, meta_rules))


def _has_body(doc: DocState, kept: list[Line], min_chars, body_mark, body_start_pat, meta_rules) -> bool:
    return any(_looks_like_body(doc, ln, min_chars, body_mark, body_start_pat, meta_rules) for ln in kept)


def _body_start(doc: DocState, lines: list[Line], min_chars, body_mark, body_start_pat, meta_rules) -> int:
    for i, ln in enumerate(lines):
        if _looks_like_body(doc, ln, min_chars, body_mark, body_start_pat, meta_rules):
            return i
    # no line looks like body text (a text cut off in its first paragraph, a page of short
    # lines): the first line heads the text, what follows is its body
    return 1 if len(lines) > 1 else 0

