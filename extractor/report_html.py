"""``--format html``: one standalone page to read and share.

At the top the summary (the Markdown of :func:`extractor.render.to_markdown`, rendered by
markdown-it-py with raw HTML off, so nothing in a report can inject markup); below it the
source text with the evidence of every value highlighted, one colour per field, with a
legend -- like spaCy's displaCy::

    <mark class="f-hosts" title="host.chaired" data-field="hosts" data-span="151-157">...</mark>

The highlighted text is the text as read: for Markdown and HTML input (given as a
:class:`extractor.source.Source`) the text the engine read, without the markup, each
evidence span mapped back from the markup it indexes (``data-span`` keeps the evidence's own
span); ``markup=True`` shows the file's markup itself (``Source.raw``). Spans that
overlap are split so that the tags always nest (each piece keeps its class and rule; only
the last piece carries the field's badge). Everything is escaped; the page loads nothing
(styles inline, a Content-Security-Policy that forbids any fetch).

    from extractor.report_html import to_html
    page = to_html(summary, source, name="report.html")   # the text as read
    page = to_html(summary, source.raw)                    # a str: shown as it is
"""
from __future__ import annotations

from dataclasses import dataclass
from html import escape
from typing import Any, Iterable

from .model import Summary
from .render import to_markdown
from .schema import outputs, rows, shipped_fields

FIELDS = ("title", "meeting", "meeting_date", "hosts", "speakers", "attendees", "relayed",
          "source", "published", "points", "items")
"""Highlighted fields of the shipped declarations, outermost first when two spans are the
same (see :func:`field_order` for any rule book's)."""

COLOURS = {
    "title": "#d6e4ff", "meeting": "#7aecec", "meeting_date": "#bfeeb7", "hosts": "#feca74",
    "speakers": "#ff9561", "attendees": "#c9bffd", "relayed": "#e2a8fc", "source": "#a8dadc",
    "published": "#e4e7d2", "points": "#fff6cf", "items": "#ffe8a3",
}

EXTRA_COLOURS = ("#f4b6c2", "#b5ead7", "#c7ceea", "#ffdac1", "#e2f0cb", "#d5aaff", "#9ad0ec",
                 "#f6d186")
"""Colours of the fields a rule pack declares beyond the shipped ones, in turn."""


def field_order(specs: Any) -> list[str]:
    """The highlighted fields, outermost first when two spans are the same: the heading, the
    Markdown rows in their order, the other fields, the points, then their sub-items."""
    heading = [f.name for f in specs if f.show == "heading"]
    row = [f.name for f in rows(specs)]
    points = [f.name for f in specs if f.type == "points"]
    rest = [f.name for f in specs if f.name not in heading + row + points]
    return heading + row + rest + points + ["items"]


def colours(order: list[str]) -> dict[str, str]:
    """A background colour for each field: the shipped ones', then :data:`EXTRA_COLOURS`."""
    out = dict(COLOURS)
    extra = [f for f in order if f not in out]
    for i, f in enumerate(extra):
        out[f] = EXTRA_COLOURS[i % len(EXTRA_COLOURS)]
    return out


FONT_STACK = ('"PingFang SC","Hiragino Sans GB","Microsoft YaHei","Noto Sans CJK SC",'
              '"Source Han Sans SC",sans-serif')

_CSS = """
:root { color-scheme: light; }
body { margin: 0; background: #f6f7f9; color: #1d2129; font-family: %(font)s; line-height: 1.6; }
main { max-width: 960px; margin: 0 auto; padding: 24px 32px 48px; }
.doc { color: #6b7280; font-size: .85em; margin: 0 0 4px; word-break: break-all; }
.summary, .source { background: #fff; border: 1px solid #e3e6ea; border-radius: 8px;
  padding: 8px 28px 20px; margin: 0 0 24px; }
.summary h1 { font-size: 1.5em; line-height: 1.35; margin: .8em 0 .6em; }
.summary h2, .source h2 { font-size: 1.15em; margin: 1.2em 0 .5em; }
.summary table { border-collapse: collapse; margin: 0 0 8px; }
.summary thead th { padding: 0; border: 0; }
.summary td { border-top: 1px solid #eceef1; padding: 5px 16px 5px 0; vertical-align: top; }
.summary td:first-child { white-space: nowrap; color: #4b5563; }
.summary ol, .summary ul { padding-left: 1.8em; }
.summary li { margin: 2px 0; }
.warnings { color: #92400e; background: #fffbeb; border: 1px solid #fde68a; border-radius: 6px;
  padding: 6px 12px 6px 28px; }
.legend { display: flex; flex-wrap: wrap; gap: 6px 8px; margin: 0 0 12px; font-size: .9em; }
.legend .key { border-radius: 4px; padding: 1px 8px; }
.legend .key small { color: #4b5563; margin-left: 4px; }
pre.text { white-space: pre-wrap; word-break: break-word; font-family: inherit; font-size: 1em;
  line-height: 2.1; margin: 0; }
mark { color: inherit; border-radius: 3px; padding: 1px 0; }
mark[data-label]::after { content: attr(data-label); font-size: .62em; font-weight: 600;
  vertical-align: .15em; margin-left: 3px; padding: 0 4px; border-radius: 3px;
  background: rgba(0, 0, 0, .07); color: #374151; user-select: none; }
mark.f-points, mark.f-items { padding: 0; }
%(colours)s
@media print { body { background: #fff; } .summary, .source { border: 0; padding: 0; } }
"""


@dataclass
class Span:
    start: int
    end: int
    field: str
    rule: str
    label: str
    text: str | None = None
    """The evidence's text (None: not checked)."""
    evidence: tuple[int, int] | None = None
    """The evidence span when ``start, end`` were trimmed for display."""


@dataclass
class _Open:
    span: Span
    final: bool = False

    def html(self) -> str:
        s = self.span
        a, b = s.evidence or (s.start, s.end)
        attrs = (f' class="f-{s.field}" title="{escape(s.rule)}" data-field="{s.field}"'
                 f' data-span="{a}-{b}"')
        if self.final:
            attrs += f' data-label="{escape(s.label)}"'
        return f"<mark{attrs}>"


def spans(d: dict[str, Any], labels: dict[str, str], fields: Any = None) -> list[Span]:
    """The evidence spans of ``Summary.to_dict(explain=True)``, each with its field and label;
    ``fields``: the declared output fields (default: the shipped ones)."""
    specs = outputs(fields or shipped_fields())
    L = labels.get
    ev = d.get("evidence") or {}
    out: list[Span] = []

    def add(x: dict[str, Any] | None, field: str, label: str) -> None:
        if x:
            out.append(Span(int(x["span"][0]), int(x["span"][1]), field, str(x["rule"]), label,
                            x.get("text")))

    for f in specs:
        if f.scalar:
            add(ev.get(f.name), f.name, L(f.name, f.label))
        elif f.type != "points":
            for x in ev.get(f.name, []):
                add(x, f.name, L(f.name, f.label))

    def walk(items: list[dict[str, Any]], prefix: str, field: str) -> None:
        speaker = None
        n = 0
        for it in items:
            # numbered as the summary shows them: from 1 again under each new speaker
            if it.get("speaker") and it.get("speaker") != speaker:
                speaker, n = it.get("speaker"), 0
            n += 1
            number = f"{prefix}{n}"
            add(it.get("evidence"), field, f"{L(field, field)} {number}")
            walk(it.get("items", []), number + ".", "items")

    for f in specs:
        if f.type == "points":
            walk(d.get(f.name, []), "", f.name)
    return out


def _trimmed(s: Span) -> Span:
    """The span without the white space at its ends (a point's evidence takes in the blank
    lines after it; its badge belongs after its last word). ``data-span`` keeps the evidence."""
    if s.text is None or not s.text.strip():
        return s
    lead = len(s.text) - len(s.text.lstrip())
    tail = len(s.text) - len(s.text.rstrip())
    if not lead and not tail:
        return s
    return Span(s.start + lead, s.end - tail, s.field, s.rule, s.label, s.text.strip(),
                s.evidence or (s.start, s.end))


def highlight(text: str, marks: Iterable[Span], fields: Iterable[str] = FIELDS) -> str:
    """``text`` escaped, with every span in a ``<mark>``; crossing spans are split so that
    the result is always well-formed. Spans outside ``text`` or empty are dropped.
    ``fields``: field names, outermost first when two spans are the same."""
    order = {f: i for i, f in enumerate(fields)}
    n = len(text)
    todo = sorted((t for t in map(_trimmed, marks) if 0 <= t.start < t.end <= n),
                  key=lambda s: (s.start, -s.end, order.get(s.field, len(order))))
    bounds = sorted({0, n, *(s.start for s in todo), *(s.end for s in todo)})
    starts: dict[int, list[Span]] = {}
    for s in todo:
        starts.setdefault(s.start, []).append(s)
    out: list[Any] = []
    stack: list[tuple[Span, _Open]] = []
    for i, pos in enumerate(bounds):
        ending = [k for k, (s, _) in enumerate(stack) if s.end == pos]
        if ending:
            cut = ending[0]
            reopen = [s for s, _ in stack[cut:] if s.end != pos]
            for s, tag in reversed(stack[cut:]):
                tag.final = s.end == pos
                out.append("</mark>")
            del stack[cut:]
            for s in reopen:
                tag = _Open(s)
                out.append(tag)
                stack.append((s, tag))
        for s in starts.get(pos, []):
            tag = _Open(s)
            out.append(tag)
            stack.append((s, tag))
        if i + 1 < len(bounds):
            out.append(escape(text[pos:bounds[i + 1]], quote=False))
    for _s, tag in reversed(stack):  # every span ends by len(text): nothing is left open
        tag.final = True
        out.append("</mark>")
    return "".join(x if isinstance(x, str) else x.html() for x in out)


def _markdown_html(md: str) -> str:
    from markdown_it import MarkdownIt
    return MarkdownIt("commonmark", {"html": False}).enable("table").render(md)


def _to_text(found: list[Span], source: Any) -> list[Span]:
    """Evidence spans of the markup (``source.raw``) as spans of the text read from it: a raw
    span covers the text characters whose source positions fall inside it."""
    from bisect import bisect_left
    offs, raw, text = source.offsets, source.raw, source.text
    out = []
    for s in found:
        if s.text is not None and raw[s.start:s.end] != s.text:
            continue  # not a span of this file
        a, b = bisect_left(offs, s.start, 0, len(text)), bisect_left(offs, s.end, 0, len(text))
        if b > a:
            out.append(Span(a, b, s.field, s.rule, s.label, text[a:b], (s.start, s.end)))
    return out


def to_html(summary: Summary, raw: Any, labels: dict[str, str] | None = None,
            name: str | None = None, markup: bool = False) -> str:
    """The page for ``summary`` of ``raw``: the :class:`extractor.source.Source` the summary
    was made from (``engine.summarize_source``), or the text its evidence spans index, as a
    str. A Source of Markdown or HTML input is shown as the text the engine read, unless
    ``markup`` (then its markup, ``Source.raw``). ``labels`` default to the summary's
    rule-book labels; ``name`` is shown as the document's name."""
    labels = summary.labels if labels is None else labels
    L = labels.get
    d = summary.to_dict(explain=True)
    specs = summary.field_specs()
    order = field_order(specs)
    found = spans(d, labels, specs)
    source = None if isinstance(raw, str) else raw
    if source is not None and source.offsets is not None and not markup:
        raw = source.text
        marks = _to_text(found, source)
    else:
        raw = raw if source is None else source.raw
        # a span that does not index this text would highlight the wrong words: leave it out
        marks = [s for s in found if s.text is None or raw[s.start:s.end] == s.text]
    title = summary.title.value if summary.title else L("untitled", "(untitled)")
    counts = {f: sum(1 for s in marks if s.field == f) for f in order}
    legend = "".join(
        f'<span class="key f-{f}">{escape(L(f, f))}<small>{counts[f]}</small></span>'
        for f in order if counts[f])
    css_colours = "\n".join(f".f-{f} {{ background: {c}; }}" for f, c in colours(order).items())
    css = _CSS % {"font": FONT_STACK, "colours": css_colours}
    parts = [
        "<!DOCTYPE html>",
        f'<html lang="{escape(L("lang", "zh-CN"))}">',
        "<head>",
        '<meta charset="utf-8">',
        '<meta name="viewport" content="width=device-width, initial-scale=1">',
        "<meta http-equiv=\"Content-Security-Policy\" content=\"default-src 'none'; "
        "style-src 'unsafe-inline'; img-src data:\">",
        '<meta name="generator" content="jiyao">',
        f"<title>{escape(title)}</title>",
        f"<style>{css}</style>",
        "</head>",
        "<body>",
        "<main>",
    ]
    if name:
        parts.append(f'<p class="doc">{escape(name)}</p>')
    parts.append(f'<section class="summary">\n{_markdown_html(to_markdown(summary, labels))}</section>')
    if summary.warnings:
        items = "".join(f"<li>{escape(w)}</li>" for w in summary.warnings)
        parts.append(f'<ul class="warnings" title="{escape(L("warnings", "warnings"))}">{items}</ul>')
    parts.append('<section class="source">')
    parts.append(f"<h2>{escape(L('source_text', 'source text'))}</h2>")
    if legend:
        parts.append(f'<div class="legend">{legend}</div>')
    parts.append(f'<pre class="text">{highlight(raw, marks, order)}</pre>')
    parts.append("</section>")
    parts.append("</main>")
    parts.append("</body>")
    parts.append("</html>")
    return "\n".join(parts) + "\n"
