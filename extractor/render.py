"""Stage 7, render: the summary as Markdown (labels from the rules' ``labels``) or JSON."""
from __future__ import annotations

import json
from typing import Any

from .model import Person, Summary

_MD_SPECIAL = str.maketrans({c: "\\" + c for c in "\\`*_[]<>#|"})


def _esc(s: str) -> str:
    return s.replace("\n", " ").translate(_MD_SPECIAL)


def _person(p: Person, labels: dict[str, str]) -> str:
    sep = labels.get("role_separator", ", ")
    if p.roles:
        return f"{_esc(p.name)} ({_esc(sep.join(p.roles))})"
    return _esc(p.name)


def to_markdown(s: Summary, labels: dict[str, str]) -> str:
    L = labels.get
    lines: list[str] = []
    lines.append(f"# {_esc(s.title.value) if s.title else L('untitled', '(untitled)')}")
    lines.append("")
    rows: list[tuple[str, str]] = []
    lsep = L("list_separator", ", ")
    if s.meeting:
        rows.append((L("meeting", "meeting"), _esc(s.meeting.value)))
    if s.meeting_date:
        rows.append((L("meeting_date", "date"), _esc(s.meeting_date.value)))
    if s.hosts:
        rows.append((L("hosts", "hosts"), lsep.join(_person(p, labels) for p in s.hosts)))
    if s.speakers:
        rows.append((L("speakers", "speakers"), lsep.join(_person(p, labels) for p in s.speakers)))
    if s.attendees:
        rows.append((L("attendees", "attendees"), lsep.join(_esc(p.name) for p in s.attendees)))
    if s.relayed:
        rows.append((L("relayed", "relayed"), lsep.join(_esc(v.value) for v in s.relayed)))
    if s.source:
        rows.append((L("source", "source"), _esc(s.source.value)))
    if s.published:
        rows.append((L("published", "published"), _esc(s.published.value)))
    if not (s.meeting or s.hosts or s.speakers or s.points):
        lines.append(f"*{L('no_meeting', 'no meeting found')}*")
        lines.append("")
    if rows:
        lines.append("| | |")
        lines.append("|---|---|")
        for k, v in rows:
            lines.append(f"| **{_esc(k)}** | {v} |")
        lines.append("")
    if s.points:
        lines.append(f"## {L('points', 'points')}")
        lines.append("")
        speaker = None
        for i, p in enumerate(s.points, 1):
            if p.speaker and p.speaker != speaker:
                lines.append(f"{L('speaker_of_points', 'speaker')}: {_esc(p.speaker)}")
                lines.append("")
                speaker = p.speaker
            lines.append(f"{i}. {_esc(p.marker)} {_esc(p.lead)}")
            for sub in p.items:
                lines.append(f"   - {_esc(sub.marker)} {_esc(sub.lead)}")
            for c in p.clauses:
                lines.append(f"   - {_esc(c)}")
        lines.append("")
    return "\n".join(lines).rstrip("\n") + "\n"


def to_json(s: Summary, explain: bool = False, extra: dict[str, Any] | None = None) -> str:
    d = s.to_dict(explain)
    if extra:
        d.update(extra)
    return json.dumps(d, ensure_ascii=False, indent=2)
