"""Writers for the tabular and YAML views of a summary: ``--format yaml``, ``csv``, ``csv-points``.

All of them work on :meth:`Summary.to_dict` (so they also work on the dicts that batch
workers send back):

* ``yaml`` -- the same data as ``--format json`` (see :mod:`extractor.output_schema`), as
  readable YAML: Chinese as is, keys in the JSON order, no line wrapping, multi-line strings
  as literal blocks. Several inputs make a stream of documents (``---``), each with a
  leading ``file`` key, like JSON Lines.
* ``csv`` -- the people table, one row per person: ``document, part, name, roles``; ``part``
  is ``host``, ``speaker`` or ``attendee`` (the ``part`` of each declared ``persons`` or
  ``names`` field, in declaration order: a field a rule pack adds has its rows too); roles are
  joined by the rules' label ``role_separator``. Text, date and list fields are not people:
  they are in JSON, YAML, Markdown and HTML, not in this table.
* ``csv-points`` -- the points table, one row per point and per numbered sub-item:
  ``document, number, marker, lead, speaker``; ``number`` is the position (``2``, and
  ``2.1`` for the first sub-item of point 2); a sub-item has its point's speaker.

CSV is one table per stream, so people and points are two formats. Several inputs give one
table with one header row. With ``--explain`` both tables gain the columns ``rule, start,
end`` (the evidence of the row). The CSV dialect is RFC 4180 (comma, double quotes, CRLF),
UTF-8 without a byte order mark. A text cell that begins with ``=``, ``+``, ``-``, ``@``, a tab
or a carriage return gets a leading ``'`` (OWASP's advice against formula injection: a
spreadsheet shows it as text and never runs it).
"""
from __future__ import annotations

import csv
import io
from typing import Any, Iterable

FORMATS = ("yaml", "csv", "csv-points")
"""The formats written from ``Summary.to_dict`` by :func:`record`."""

PEOPLE_COLUMNS = ("document", "part", "name", "roles")
POINTS_COLUMNS = ("document", "number", "marker", "lead", "speaker")
EVIDENCE_COLUMNS = ("rule", "start", "end")
PARTS = (("hosts", "host"), ("speakers", "speaker"), ("attendees", "attendee"))
"""The people fields of the shipped declarations and their ``part`` (see :func:`parts`)."""


def parts(fields: Any = None) -> list[tuple[str, str]]:
    """(field, part) of each declared people field (``persons`` or ``names``), in declaration
    order; ``fields`` default to the shipped declarations."""
    from .schema import outputs, shipped_fields
    return [(f.name, f.part) for f in outputs(fields or shipped_fields()) if f.people]


# -- YAML ---------------------------------------------------------------------------------------

def _dumper() -> tuple[type, Any]:
    import yaml
    base = getattr(yaml, "CSafeDumper", None) or yaml.SafeDumper
    # libyaml wants an int width; 2**31-1 is "never wrap" there, as inf is for the Python emitter
    width: Any = float("inf") if base is yaml.SafeDumper else 2**31 - 1

    class Dumper(base):  # type: ignore[misc, valid-type]
        pass

    def represent_str(dumper: Any, s: str) -> Any:
        style = "|" if "\n" in s else None  # the emitter falls back to quotes where | cannot be used
        return dumper.represent_scalar("tag:yaml.org,2002:str", s, style=style)

    Dumper.add_representer(str, represent_str)
    return Dumper, width


def to_yaml(d: dict[str, Any], explicit_start: bool = False) -> str:
    """One summary dict as a YAML document."""
    import yaml
    dumper, width = _dumper()
    return yaml.dump(d, Dumper=dumper, allow_unicode=True, sort_keys=False, width=width,
                     default_flow_style=False, explicit_start=explicit_start)


# -- CSV ----------------------------------------------------------------------------------------

def _evidence(x: dict[str, Any] | None) -> list[Any]:
    if not x:
        return ["", "", ""]
    return [x["rule"], x["span"][0], x["span"][1]]


def people_rows(document: str, d: dict[str, Any], labels: dict[str, str],
                fields: Any = None) -> Iterable[list[Any]]:
    """Rows of the people table for one summary dict (``explain`` rows when it has evidence);
    ``fields``: the declared output fields (default: the shipped ones)."""
    sep = labels.get("role_separator", ", ")
    ev = d.get("evidence")
    for key, part in parts(fields):
        evs = ev.get(key, []) if ev else []
        for i, p in enumerate(d.get(key, [])):
            name, roles = (p["name"], p["roles"]) if isinstance(p, dict) else (p, [])
            row: list[Any] = [document, part, name, sep.join(roles)]
            if ev is not None:
                row += _evidence(evs[i] if i < len(evs) else None)
            yield row


def points_rows(document: str, d: dict[str, Any]) -> Iterable[list[Any]]:
    """Rows of the points table: every point, then its numbered sub-items (depth first)."""
    explain = "evidence" in d

    def walk(items: list[dict[str, Any]], prefix: str, speaker: Any) -> Iterable[list[Any]]:
        for n, it in enumerate(items, 1):
            number = f"{prefix}{n}"
            spk = it.get("speaker", speaker)
            row: list[Any] = [document, number, it["marker"], it["lead"], spk or ""]
            if explain:
                row += _evidence(it.get("evidence"))
            yield row
            yield from walk(it.get("items", []), number + ".", spk)

    yield from walk(d.get("points", []), "", None)


FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
"""A CSV cell beginning with one of these is prefixed with ``'`` (OWASP, CSV injection)."""


def _cell(v: Any) -> Any:
    return "'" + v if isinstance(v, str) and v.startswith(FORMULA_START) else v


def _csv(rows: Iterable[list[Any]]) -> str:
    buf = io.StringIO()
    w = csv.writer(buf)  # excel dialect: RFC 4180, CRLF line ends
    w.writerows([_cell(v) for v in row] for row in rows)
    return buf.getvalue()


def header(fmt: str, explain: bool) -> str:
    cols = PEOPLE_COLUMNS if fmt == "csv" else POINTS_COLUMNS
    return _csv([list(cols) + (list(EVIDENCE_COLUMNS) if explain else [])])


# -- one record ---------------------------------------------------------------------------------

def record(fmt: str, document: str, d: dict[str, Any], labels: dict[str, str],
           first: bool = True, multi: bool = False, explain: bool | None = None,
           fields: Any = None) -> str:
    """The output of one summary dict in ``fmt``: for CSV the rows (after the header row when
    ``first``); for YAML one document (with a ``file`` key and ``---`` when ``multi``).
    ``explain`` (default: whether ``d`` has evidence) chooses the CSV evidence columns;
    ``fields``: the rule book's declared fields (default: the shipped ones)."""
    if explain is None:
        explain = "evidence" in d
    if fmt == "yaml":
        if multi:
            d = {"file": document, **d}
        return to_yaml(d, explicit_start=multi)
    if fmt == "csv":
        rows = _csv(people_rows(document, d, labels, fields))
    elif fmt == "csv-points":
        rows = _csv(points_rows(document, d))
    else:
        raise ValueError(f"unknown format {fmt!r} (one of {', '.join(FORMATS)})")
    return (header(fmt, explain) if first else "") + rows


def error_record(fmt: str, document: str, message: str) -> str:
    """What an unreadable input adds to a stream of several: a YAML document
    ``{file, error}`` (like the JSON Lines error record); nothing in CSV."""
    if fmt == "yaml":
        return to_yaml({"file": document, "error": message}, explicit_start=True)
    return ""
