"""Typed results: every extracted value carries its evidence."""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from .schema import FieldSpec, outputs, shipped_fields


@dataclass(frozen=True, slots=True)
class Evidence:
    """Why a value is there: the rule that produced it and where in the text as read.

    Never changed once made (hashable by its fields); make a new one instead."""

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
    """The value, normalised where its field says so (dates as ISO ``YYYY-MM-DD`` or ``--MM-DD``)."""
    evidence: Evidence
    """Where it was found and by which rule."""


@dataclass(slots=True)
class Person:
    """A person named in the report: name as written, roles printed right before it."""

    name: str
    """The name as written (titles after it removed)."""
    roles: list[str]
    """Titles and posts printed before the name, in text order (may be empty)."""
    evidence: Evidence
    """The mention that made this person a host, speaker or attendee."""

    def to_dict(self) -> dict[str, Any]:
        return {"name": self.name, "roles": list(self.roles)}


@dataclass(slots=True)
class Item:
    """One numbered item: marker, lead (first clause), full text and nested items."""

    marker: str
    """The marker as written (a word such as "first, you must", ``(2)``, ``3.``)."""
    number: int
    """The marker's value (the second marker of a family is 2)."""
    lead: str
    """The item's first clause: what a reader takes as its heading."""
    text: str
    """The item's whole text, marker left out."""
    evidence: Evidence
    """The item's span (marker and text)."""
    items: list[Item] = field(default_factory=list)
    """Numbered sub-items."""
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
    """Name of the speaker whose words the list is (None: not known)."""
    list_rule: str = ""
    """Id of the ``list`` rule whose markers made the list."""

    def to_dict(self, explain: bool = False) -> dict[str, Any]:
        d = Item.to_dict(self, explain)
        d["speaker"] = self.speaker
        return d


CORE_FIELDS = ("title", "published", "source", "meeting", "meeting_date", "hosts", "speakers",
               "attendees", "relayed", "points")
"""The fields that are attributes of :class:`Summary` (declared in ``rules/05-fields.yaml``);
any other declared field lives in ``Summary.extra``."""


@dataclass(slots=True)
class Summary:
    """The structured summary of one report.

    The built-in fields are attributes (``s.meeting.value``, ``s.hosts``, ``s.points``). A field
    declared by a rule pack of its own (``fields:`` in an overlay, say ``location``) is in
    ``s.extra`` (``s.extra["location"].value``); :meth:`get` reads any field by name, and
    ``s.fields`` lists the declarations, in the order of the JSON keys."""

    title: Value | None = None
    """The report's headline."""
    published: Value | None = None
    """When the report was published (ISO date), from its metadata lines."""
    source: Value | None = None
    """Who published it (the ``source`` metadata line)."""
    meeting: Value | None = None
    """The meeting's name (None: the text reports no meeting)."""
    meeting_date: Value | None = None
    """When the meeting took place: ISO ``YYYY-MM-DD``, or ``--MM-DD`` when the text gives no
    year and none can be inferred (Markdown and HTML print it in the labels' words)."""
    hosts: list[Person] = field(default_factory=list)
    """Who chaired the meeting."""
    speakers: list[Person] = field(default_factory=list)
    """Who spoke (gave a speech or directives), in order of first mention."""
    attendees: list[Person] = field(default_factory=list)
    """Named people who attended (groups without names are left out)."""
    relayed: list[Value] = field(default_factory=list)
    """What was relayed to the meeting (documents, speeches, spirit of other meetings)."""
    points: list[Point] = field(default_factory=list)
    """The speakers' numbered directives, in text order, each with its speaker."""
    warnings: list[str] = field(default_factory=list)
    """What went wrong while extracting, for people: a rule cut off by its time budget, the
    document budget spent. Empty when all went well."""
    labels: dict[str, str] = field(default_factory=dict, compare=False, repr=False)
    """Markdown labels of the rule book that produced this summary."""
    extra: dict[str, Any] = field(default_factory=dict)
    """The values of the fields a rule pack declares beyond the built-in ones, by name: a
    :class:`Value` (or None) for ``text`` and ``date`` fields, a list of :class:`Person` for
    ``persons`` and ``names``, a list of :class:`Value` for ``list``."""
    fields: tuple[FieldSpec, ...] = field(default=(), compare=False, repr=False)
    """The declared output fields (the rule book's), in the order of the JSON keys; empty:
    the shipped declarations."""

    SCALARS = ("title", "published", "source", "meeting", "meeting_date")
    """The built-in scalar fields (kept for callers; the declarations are in ``fields``)."""

    def field_specs(self) -> tuple[FieldSpec, ...]:
        """The declared output fields (internal ones left out): the rule book's, or the
        shipped ones, in the order of the JSON keys."""
        return outputs(self.fields or shipped_fields())

    def get(self, name: str) -> Any:
        """The value of field ``name``: a built-in attribute or an ``extra`` entry (None for
        a scalar, [] otherwise, when nothing was found). KeyError: no such field."""
        if name in CORE_FIELDS:
            return getattr(self, name)
        if name in self.extra:
            return self.extra[name]
        for f in self.field_specs():
            if f.name == name:
                return f.empty()
        raise KeyError(name)

    def set(self, name: str, value: Any) -> None:
        """Set field ``name`` (a built-in attribute or an ``extra`` entry)."""
        if name in CORE_FIELDS:
            setattr(self, name, value)
        else:
            self.extra[name] = value

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
        """The summary as data, keys in the declared order (see extractor/output_schema.py)."""
        d: dict[str, Any] = {}
        ev: dict[str, Any] = {}
        for f in self.field_specs():
            v = self.get(f.name)
            if f.scalar:
                d[f.name] = v.value if v else None
                if v:
                    ev[f.name] = v.evidence.to_dict()
            elif f.type == "persons":
                d[f.name] = [p.to_dict() for p in v]
                ev[f.name] = [p.evidence.to_dict() for p in v]
            elif f.type == "names":
                d[f.name] = [p.name for p in v]
                ev[f.name] = [p.evidence.to_dict() for p in v]
            elif f.type == "list":
                d[f.name] = [x.value for x in v]
                ev[f.name] = [x.evidence.to_dict() for x in v]
            else:   # points: each carries its own evidence
                d[f.name] = [p.to_dict(explain) for p in v]
        if explain:
            d["evidence"] = ev
        if explain or self.warnings:   # a cut-off rule shows in plain JSON too
            d["warnings"] = list(self.warnings)
        return d
