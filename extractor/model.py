"""Typed results: every extracted value carries its evidence."""
from __future__ import annotations

from .record import Frozen, Record

TYPE_CHECKING = False
if TYPE_CHECKING:  # annotations only: importing typing costs ~4 ms of a one-file run
    from typing import Any


class Evidence(Frozen):
    """Why a value is there: the rule that produced it and where in the text as read.

    Never changed once made (hashable by its fields); make a new one instead."""

    __slots__ = _fields = ("rule", "start", "end", "text")

    rule: str
    """Id of the rule that produced the value."""
    start: int
    """Start offset in the original text (as read, before normalisation)."""
    end: int
    """End offset (exclusive) in the original text."""
    text: str
    """The original text of the span."""

    def __init__(self, rule: str, start: int, end: int, text: str) -> None:
        self.rule = rule
        self.start = start
        self.end = end
        self.text = text

    def to_dict(self) -> dict[str, Any]:
        return {"rule": self.rule, "span": [self.start, self.end], "text": self.text}


class Value(Record):
    """A scalar field value with its evidence."""

    __slots__ = _fields = ("value", "evidence")

    value: str
    """The value, normalised where its field says so (dates as ISO ``YYYY-MM-DD`` or ``--MM-DD``)."""
    evidence: Evidence
    """Where it was found and by which rule."""

    def __init__(self, value: str, evidence: Evidence) -> None:
        self.value = value
        self.evidence = evidence


class Person(Record):
    """A person named in the report: name as written, roles printed right before it."""

    __slots__ = _fields = ("name", "roles", "evidence")

    name: str
    """The name as written (titles after it removed)."""
    roles: list[str]
    """Titles and posts printed before the name, in text order (may be empty)."""
    evidence: Evidence
    """The mention that made this person a host, speaker or attendee."""

    def __init__(self, name: str, roles: list[str], evidence: Evidence) -> None:
        self.name = name
        self.roles = roles
        self.evidence = evidence

    def to_dict(self) -> dict[str, Any]:
        return {"name": self.name, "roles": list(self.roles)}


class Item(Record):
    """One numbered item: marker, lead (first clause), full text and nested items."""

    __slots__ = _fields = ("marker", "number", "lead", "text", "evidence", "items", "clauses")

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
    items: list[Item]
    """Numbered sub-items."""
    clauses: list[str]
    """Sentences that make up an item without numbered children (shortened to first clause)."""

    def __init__(self, marker: str, number: int, lead: str, text: str, evidence: Evidence,
                 items: list[Item] | None = None, clauses: list[str] | None = None) -> None:
        self.marker = marker
        self.number = number
        self.lead = lead
        self.text = text
        self.evidence = evidence
        self.items = [] if items is None else items
        self.clauses = [] if clauses is None else clauses

    def to_dict(self, explain: bool = False) -> dict[str, Any]:
        d: dict[str, Any] = {"marker": self.marker, "lead": self.lead, "text": self.text}
        if self.items:
            d["items"] = [i.to_dict(explain) for i in self.items]
        if self.clauses:
            d["clauses"] = list(self.clauses)
        if explain:
            d["evidence"] = self.evidence.to_dict()
        return d


class Point(Item):
    """A top-level directive item, attributed to the speaker who introduced its list."""

    __slots__ = ("speaker", "list_rule")
    _fields = Item._fields + __slots__

    speaker: str | None
    """Name of the speaker whose words the list is (None: not known)."""
    list_rule: str
    """Id of the ``list`` rule whose markers made the list."""

    def __init__(self, marker: str, number: int, lead: str, text: str, evidence: Evidence,
                 items: list[Item] | None = None, clauses: list[str] | None = None,
                 speaker: str | None = None, list_rule: str = "") -> None:
        Item.__init__(self, marker, number, lead, text, evidence, items, clauses)
        self.speaker = speaker
        self.list_rule = list_rule

    def to_dict(self, explain: bool = False) -> dict[str, Any]:
        d = Item.to_dict(self, explain)
        d["speaker"] = self.speaker
        return d


class Summary(Record):
    """The structured summary of one report."""

    __slots__ = _fields = ("title", "published", "source", "meeting", "meeting_date", "hosts",
                           "speakers", "attendees", "relayed", "points", "warnings", "labels")
    _compare = _fields[:-1]
    """``labels`` is neither compared nor shown by ``repr``."""

    title: Value | None
    """The report's headline."""
    published: Value | None
    """When the report was published (ISO date), from its metadata lines."""
    source: Value | None
    """Who published it (the ``source`` metadata line)."""
    meeting: Value | None
    """The meeting's name (None: the text reports no meeting)."""
    meeting_date: Value | None
    """When the meeting took place: ISO ``YYYY-MM-DD``, or ``--MM-DD`` when the text gives no
    year and none can be inferred (Markdown and HTML print it in the labels' words)."""
    hosts: list[Person]
    """Who chaired the meeting."""
    speakers: list[Person]
    """Who spoke (gave a speech or directives), in order of first mention."""
    attendees: list[Person]
    """Named people who attended (groups without names are left out)."""
    relayed: list[Value]
    """What was relayed to the meeting (documents, speeches, spirit of other meetings)."""
    points: list[Point]
    """The speakers' numbered directives, in text order, each with its speaker."""
    warnings: list[str]
    """What went wrong while extracting, for people: a rule cut off by its time budget, the
    document budget spent. Empty when all went well."""
    labels: dict[str, str]
    """Markdown labels of the rule book that produced this summary."""

    def __init__(self, title: Value | None = None, published: Value | None = None,
                 source: Value | None = None, meeting: Value | None = None,
                 meeting_date: Value | None = None, hosts: list[Person] | None = None,
                 speakers: list[Person] | None = None, attendees: list[Person] | None = None,
                 relayed: list[Value] | None = None, points: list[Point] | None = None,
                 warnings: list[str] | None = None, labels: dict[str, str] | None = None) -> None:
        self.title = title
        self.published = published
        self.source = source
        self.meeting = meeting
        self.meeting_date = meeting_date
        self.hosts = [] if hosts is None else hosts
        self.speakers = [] if speakers is None else speakers
        self.attendees = [] if attendees is None else attendees
        self.relayed = [] if relayed is None else relayed
        self.points = [] if points is None else points
        self.warnings = [] if warnings is None else warnings
        self.labels = {} if labels is None else labels

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
        if explain or self.warnings:   # a cut-off rule shows in plain JSON too
            d["warnings"] = list(self.warnings)
        return d
