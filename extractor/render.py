"""Stage 7, render: the summary as Markdown (labels from the rules' ``labels``) or JSON."""
from __future__ import annotations

import re
from typing import TYPE_CHECKING, Any

from .schema import rows as field_rows

if TYPE_CHECKING:
    # The one import kept out of run time, to break a circle: Summary.to_markdown and
    # Summary.to_json (extractor/model.py, public API) call this module, and this module
    # needs the model's classes only to annotate its parameters.
    from .model import Person, Point, Summary

_MD_SPECIAL = str.maketrans({c: "\\" + c for c in "\\`*_[]<>#|"})
_ENTITY = re.compile(r"&(?=#?[0-9A-Za-z]+;)")
_LIST_START = re.compile(r"^(\d{1,9})([.)])(?=[ \t]|$)|^([-+])(?=[ \t]|$)")


def _esc(s: str) -> str:
    """Inline text: CommonMark punctuation escaped, so source text never becomes markup."""
    return _ENTITY.sub(r"\\&", s.replace("\n", " ").translate(_MD_SPECIAL))


def _item(s: str) -> str:
    """The content of a list item (already escaped): a leading ``1.``, ``1)``, ``-`` or ``+``
    would open a nested list (a sub-item marked "1." is text, not a list of its own)."""
    return _LIST_START.sub(lambda m: f"{m[1]}\\{m[2]}" if m[1] else f"\\{m[3]}", s, count=1)


_MONTH_DAY = re.compile(r"--(\d\d)-(\d\d)")


def human_date(value: str, labels: dict[str, str]) -> str:
    """A date as a person reads it: an ISO month-day without a year (``--07-31``) in the words
    of the rules' labels ``month_day`` (with ``{month}``, ``{day}``) and ``year_not_given``;
    any other value as it is."""
    m = _MONTH_DAY.fullmatch(value)
    if not m:
        return value
    fmt = labels.get("month_day", "{month}/{day}")
    try:
        text = fmt.format(month=int(m[1]), day=int(m[2]))
    except (KeyError, IndexError, ValueError):  # a label with other fields: the ISO form
        text = value
    note = labels.get("year_not_given", "year not given")
    return f"{text} ({note})" if note else text


def _person(p: Person, labels: dict[str, str]) -> str:
    sep = labels.get("role_separator", ", ")
    if p.roles:
        return f"{_esc(p.name)} ({_esc(sep.join(p.roles))})"
    return _esc(p.name)


def point_numbers(points: list[Point]) -> list[int]:
    """The number each point is shown with: 1, 2, ... within each speaker's run of points
    (a new speaker label starts a new list at 1)."""
    out: list[int] = []
    speaker = None
    n = 0
    for p in points:
        if p.speaker and p.speaker != speaker:
            speaker = p.speaker
            n = 0
        n += 1
        out.append(n)
    return out


def to_markdown(s: Summary, labels: dict[str, str]) -> str:
    def L(key: str, default: str) -> str:  # labels come from rule files: escaped like source text
        return _esc(labels.get(key, default))

    specs = s.field_specs()
    lines: list[str] = []
    heading = next((f for f in specs if f.show == "heading" and f.scalar), None)
    head = s.get(heading.name) if heading else None
    lines.append(f"# {_esc(head.value) if head else L('untitled', '(untitled)')}")
    lines.append("")
    rows: list[tuple[str, str]] = []
    lsep = L("list_separator", ", ")
    for f in field_rows(specs):     # the declared fields, in their order
        v = s.get(f.name)
        if not v:
            continue
        if f.type == "date":
            text = _esc(human_date(v.value, labels))
        elif f.scalar:
            text = _esc(v.value)
        elif f.type == "persons":
            text = lsep.join(_person(p, labels) for p in v)
        elif f.type == "names":
            text = lsep.join(_esc(p.name) for p in v)
        elif f.type == "list":
            text = lsep.join(_esc(x.value) for x in v)
        else:
            continue
        rows.append((L(f.name, f.label), text))
    if not (s.meeting or s.hosts or s.speakers or s.points):
        lines.append(f"*{L('no_meeting', 'no meeting found')}*")
        lines.append("")
    if rows:
        lines.append("| | |")
        lines.append("|---|---|")
        for k, v in rows:
            lines.append(f"| **{k}** | {v} |")
        lines.append("")
    section = next((f for f in specs if f.show == "section" and f.type == "points"), None)
    points = s.get(section.name) if section else []
    if points:
        lines.append(f"## {L(section.name, section.label)}")
        lines.append("")
        speaker = None
        for p, i in zip(points, point_numbers(points)):
            if p.speaker and p.speaker != speaker:
                if lines[-1]:  # a blank line ends the list above: the label is no list item's text
                    lines.append("")
                lines.append(f"{L('speaker_of_points', 'speaker')}: {_esc(p.speaker)}")
                lines.append("")
                speaker = p.speaker
            lines.append(f"{i}. {_item(_esc(p.marker) + ' ' + _esc(p.lead))}")
            pad = " " * len(f"{i}. ")  # sub-items nest under item 10 too
            for sub in p.items:
                lines.append(f"{pad}- {_item(_esc(sub.marker) + ' ' + _esc(sub.lead))}")
            for c in p.clauses:
                lines.append(f"{pad}- {_item(_esc(c))}")
        lines.append("")
    return "\n".join(lines).rstrip("\n") + "\n"


def to_json(s: Summary, explain: bool = False, extra: dict[str, Any] | None = None) -> str:
    d = s.to_dict(explain)
    if extra:
        d.update(extra)
    import json   # not at the top: a Markdown run does without it (~0.7 ms)
    return json.dumps(d, ensure_ascii=False, indent=2)
