"""The tabular and YAML views of summaries: ``--format yaml``, ``csv``, ``csv-points`` and ``parquet``.

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

``--format parquet``: the summaries as two Parquet tables (``pip install 'jiyao[parquet]'``).

``-o OUT.parquet`` writes

* ``OUT.parquet`` -- the reports table, one row per input (:data:`REPORT_COLUMNS`);
* ``OUT.people.parquet`` -- the people table, one row per person named as host, speaker
  or attendee of a report (:data:`PARQUET_PEOPLE_COLUMNS`); join on ``file``.

(``OUT`` without the ``.parquet`` suffix gets ``.people.parquet`` appended.)  With
``--dask`` both are directories of one file per partition, ``part-000000.parquet``,
``part-000001.parquet`` ... in input order (the people file of a partition is there even
when it has no rows); ``pyarrow.parquet.read_table(dir)``, ``pandas.read_parquet(dir)``
and ``dask.dataframe.read_parquet(dir)`` read a directory as one table.  Files are written
next to the target under temporary names and renamed at the end, as ``-o`` does for text.
docs/tables.md describes the columns.
"""
from __future__ import annotations

import csv
import io
import os
import shutil
import tempfile
from typing import Any, Iterable

from .schema import outputs, shipped_fields

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


# -- Parquet ------------------------------------------------------------------------------------

ROW_GROUP = 2048
"""Reports per row group of a single file (the writer holds at most this many rows)."""


def _specs(fields: Any = None) -> list[Any]:
    """The declared output fields as report columns: declaration order, the points last."""
    specs = outputs(fields or shipped_fields())
    return [f for f in specs if f.type != "points"] + [f for f in specs if f.type == "points"]


def _schemas(fields: Any = None) -> tuple[Any, Any]:
    import pyarrow as pa
    s = pa.string()
    person = pa.struct([("name", s), ("roles", pa.list_(s))])
    point = pa.struct([("number", s), ("marker", s), ("lead", s), ("text", s), ("speaker", s),
                       ("clauses", pa.list_(s))])
    kinds = {"text": s, "date": s, "persons": pa.list_(person), "names": pa.list_(s),
             "list": pa.list_(s), "points": pa.list_(point)}
    reports = pa.schema([("file", s), ("error", s)] + [(f.name, kinds[f.type]) for f in _specs(fields)])
    people = pa.schema([("file", s), ("part", s), ("position", pa.int32()), ("name", s),
                        ("roles", pa.list_(s))])
    return reports, people


REPORT_COLUMNS = ("file", "error", "title", "published", "source", "meeting", "meeting_date",
                  "hosts", "speakers", "attendees", "relayed", "points")
"""The columns of the reports table with the shipped fields (a field a rule pack declares
is a column too, before ``points``)."""
PARQUET_PEOPLE_COLUMNS = ("file", "part", "position", "name", "roles")


def people_path(path: str) -> str:
    """Where the people table of ``-o path`` goes."""
    base = path[:-len(".parquet")] if path.endswith(".parquet") else path
    return base + ".people.parquet"


def _points(items: list[dict[str, Any]], prefix: str = "", speaker: Any = None) -> list[dict[str, Any]]:
    """Points and their numbered sub-items, depth first; ``number`` 2.1 is the first
    sub-item of point 2, which has its point's speaker."""
    out: list[dict[str, Any]] = []
    for n, it in enumerate(items, 1):
        number = f"{prefix}{n}"
        spk = it.get("speaker", speaker)
        out.append({"number": number, "marker": it.get("marker"), "lead": it.get("lead"),
                    "text": it.get("text"), "speaker": spk, "clauses": list(it.get("clauses", []))})
        out.extend(_points(it.get("items", []), number + ".", spk))
    return out


def _person(p: Any) -> dict[str, Any]:
    return {"name": p["name"], "roles": list(p["roles"])} if isinstance(p, dict) else {"name": p, "roles": []}


def rows(file: str, d: dict[str, Any] | None, error: str | None = None,
         fields: Any = None) -> tuple[dict[str, Any], list[dict[str, Any]]]:
    """The reports row and the people rows of one summary dict (``Summary.to_dict()``),
    or of an input that could not be read (``d`` None, ``error`` its message); ``fields``:
    the declared output fields (default: the shipped ones)."""
    if d is None:
        return {"file": file, "error": error}, []
    report: dict[str, Any] = {"file": file, "error": None}
    for f in _specs(fields):
        v = d.get(f.name)
        if f.scalar:
            report[f.name] = v
        elif f.type == "persons":
            report[f.name] = [_person(p) for p in v or []]
        elif f.type == "names":
            report[f.name] = [_person(p)["name"] for p in v or []]
        elif f.type == "points":
            report[f.name] = _points(v or [])
        else:
            report[f.name] = list(v or [])
    people = []
    for key, part in parts(fields):
        for i, p in enumerate(d.get(key, []), 1):
            q = _person(p)
            people.append({"file": file, "part": part, "position": i, "name": q["name"], "roles": q["roles"]})
    return report, people


def usage_problem(output: str | None, explain: bool, partitioned: bool = False) -> str | None:
    """Why ``--format parquet`` cannot run with these options (one line), or None."""
    if not output or output == "-":
        return "--format parquet needs -o FILE.parquet (a binary table is not printed)"
    if explain:
        return "--format parquet has no evidence columns: use --format jsonl --explain"
    try:
        import pyarrow.parquet  # noqa: F401
    except ImportError:
        return "--format parquet needs pyarrow: pip install 'jiyao[parquet]'"
    for target in (output, people_path(output)):
        if partitioned and os.path.exists(target) and not _replaceable_dir(target):
            return f"{target} exists and is not a directory of part-*.parquet files"
        if not partitioned and os.path.isdir(target):
            return f"{target} is a directory (--format parquet writes a file there without --dask)"
    return None


def _replaceable_dir(path: str) -> bool:
    return os.path.isdir(path) and all(f.startswith("part-") and f.endswith(".parquet") for f in os.listdir(path))


class ParquetOutput:
    """The two tables of ``-o path``, written as results arrive: with ``rows_per_file`` one
    file per that many reports (a directory each), else one file each, in row groups of
    :data:`ROW_GROUP` reports.  :meth:`commit` puts them in place; :meth:`discard` (or an
    exception before commit) leaves nothing behind."""

    def __init__(self, path: str, rows_per_file: int | None = None, fields: Any = None):
        import pyarrow.parquet as pq

        self.pq = pq
        self.fields = fields
        self.schemas = _schemas(fields)
        self.targets = (path, people_path(path))
        self.rows_per_file = rows_per_file
        self.reports: list[dict[str, Any]] = []
        self.people: list[dict[str, Any]] = []
        self.parts = 0
        self.tmps: list[str] = []
        self.writers: list[Any] = []
        for target in self.targets:
            d = os.path.dirname(os.path.abspath(target)) or "."
            if rows_per_file:
                self.tmps.append(tempfile.mkdtemp(dir=d, prefix=".summarize-", suffix=".tmp"))
            else:
                fd, tmp = tempfile.mkstemp(dir=d, prefix=".summarize-", suffix=".tmp")
                os.close(fd)
                self.tmps.append(tmp)
        if not rows_per_file:
            self.writers = [pq.ParquetWriter(t, s) for t, s in zip(self.tmps, self.schemas)]

    def add(self, file: str, d: dict[str, Any] | None, error: str | None = None) -> None:
        report, people = rows(file, d, error, self.fields)
        self.reports.append(report)
        self.people.extend(people)
        if len(self.reports) >= (self.rows_per_file or ROW_GROUP):
            self._flush()

    def _tables(self) -> list[Any]:
        import pyarrow as pa
        return [pa.Table.from_pylist(rs, schema=s) for rs, s in zip((self.reports, self.people), self.schemas)]

    def _flush(self, final: bool = False) -> None:
        if not self.reports and not (final and self.rows_per_file and self.parts == 0):
            return
        tables = self._tables()
        if self.rows_per_file:
            name = f"part-{self.parts:06d}.parquet"
            for tmp, t in zip(self.tmps, tables):
                self.pq.write_table(t, os.path.join(tmp, name))
            self.parts += 1
        else:
            for w, t in zip(self.writers, tables):
                w.write_table(t)
        self.reports, self.people = [], []

    def commit(self) -> None:
        self._flush(final=True)
        for w in self.writers:
            w.close()
        self.writers = []
        mask = os.umask(0)
        os.umask(mask)
        for tmp, target in zip(self.tmps, self.targets):
            if self.rows_per_file:
                os.chmod(tmp, 0o777 & ~mask)
                if os.path.isdir(target) and _replaceable_dir(target):
                    shutil.rmtree(target)
                os.replace(tmp, target)
            else:
                os.chmod(tmp, 0o666 & ~mask)
                os.replace(tmp, target)
        self.tmps = []

    def discard(self) -> None:
        for w in self.writers:
            try:
                w.close()
            except Exception:
                pass
        self.writers = []
        for tmp in self.tmps:
            shutil.rmtree(tmp, ignore_errors=True) if os.path.isdir(tmp) else _unlink(tmp)
        self.tmps = []


def _unlink(path: str) -> None:
    try:
        os.unlink(path)
    except OSError:
        pass
