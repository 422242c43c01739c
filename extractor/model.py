"""Typed results: every extracted value carries its evidence."""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any


@dataclass(frozen=True, slots=True)
class Evidence:
    """Why a value is there: the rule that produced it and where in the text as read."""

    rule: str
    """Id of the rule that produced the value."""
    start: int
    """Start offset in the original text (as read, before normalisation)."""
    end: int
    """End offset (exclusive) in the original text."""
    text: str
    """The original text of the span."""

    def to_dict(self) -> dict[str, Any]:
        return {"rule": self.rule, "span": [self.start, self.end], "text": self.text}


@dataclass(slots=True)
class Value:
    """A scalar field value with its evidence."""

    value: str
    evidence: Evidence


@dataclass(slots=True)
class Person:
    """A person named in the report: name as written, roles printed right before it."""

    name: str
    roles: list[str]
    evidence: Evidence

    def to_dict(self) -> dict[str, Any]:
        return {"name": self.name, "roles": list(self.roles)}


@dataclass(slots=True)
class Item:
    """One numbered item: marker, lead (first clause), full text and nested items."""

    marker: str
    number: int
    lead: str
    text: str
    evidence: Evidence
    items: list["Item"] = field(default_factory=list)
    clauses: list[str] = field(default_factory=list)
    """Sentences that make up an item without numbered children (shortened to first clause)."""

    def to_dict(self, explain: bool = False) -> dict[str, Any]:
        d: dict[str, Any] = {"marker": self.marker, "lead": self.lead, "text": self.text}
        if self.items:
            d["items"] = [i.to_dict(explain) for i in self.items]
        if self.clauses:
            d["clauses"] = list(self.clauses)
        if explain:
            d["evidence"] = self.evidence.to_dict()
        return d


@dataclass(slots=True)
class Point(Item):
    """A top-level directive item, attributed to the speaker who introduced its list."""

    speaker: str | None = None
    list_rule: str = ""

    def to_dict(self, explain: bool = False) -> dict[str, Any]:
        d = Item.to_dict(self, explain)
        d["speaker"] = self.speaker
        return d


@dataclass(slots=True)
class Summary:
    """The structured summary of one report."""

    title: Value | None = None
    published: Value | None = None
    source: Value | None = None
    meeting: Value | None = None
    meeting_date: Value | None = None
    hosts: list[Person] = field(default_factory=list)
    speakers: list[Person] = field(default_factory=list)
    attendees: list[Person] = field(default_factory=list)
    relayed: list[Value] = field(default_factory=list)
    points: list[Point] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    labels: dict[str, str] = field(default_factory=dict, repr=False, compare=False)
    """Markdown labels of the rule book that produced this summary."""

    SCALARS = ("title", "published", "source", "meeting", "meeting_date")

    def is_empty(self) -> bool:
        return not (self.meeting or self.meeting_date or self.hosts or self.speakers
                    or self.attendees or self.points)

    def to_markdown(self) -> str:
        from .render import to_markdown
        return to_markdown(self, self.labels)

    def to_json(self, explain: bool = False) -> str:
        from .render import to_json
        return to_json(self, explain)

    def to_dict(self, explain: bool = False) -> dict[str, Any]:
        d: dict[str, Any] = {}
        for name in self.SCALARS:
            v = getattr(self, name)
            d[name] = v.value if v else None
        d["hosts"] = [p.to_dict() for p in self.hosts]
        d["speakers"] = [p.to_dict() for p in self.speakers]
        d["attendees"] = [p.name for p in self.attendees]
        d["points"] = [p.to_dict(explain) for p in self.points]
        d["relayed"] = [v.value for v in self.relayed]
        if explain:
            ev: dict[str, Any] = {}
            for name in self.SCALARS:
                v = getattr(self, name)
                if v:
                    ev[name] = v.evidence.to_dict()
            for name in ("hosts", "speakers", "attendees"):
                ev[name] = [p.evidence.to_dict() for p in getattr(self, name)]
            ev["relayed"] = [v.evidence.to_dict() for v in self.relayed]
            d["evidence"] = ev
            d["warnings"] = list(self.warnings)
        return d
