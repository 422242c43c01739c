"""Fields are data (rules/05-fields.yaml), closed rule-file schemas, and an engine that knows
no Chinese: issue 16 items 1, 2 and 7."""
from __future__ import annotations

import csv
import io
import json
import textwrap
from pathlib import Path

import pytest

from extractor import Engine
from extractor.cli import main
from extractor.schema import SETTINGS, shipped_fields
from extractor.model import CORE_FIELDS, Summary
from extractor.output_schema import OUTPUT_SCHEMA, validate

REPORT = ("集团公司召开第一季度经营分析会\n"
          "4月12日,集团公司在总部十二楼会议室召开第一季度经营分析会,总经理程立峰主持会议。"
          "办公室主任周敏记录。\n")

LOCATION = """\
fields:
  location:
    type: text
    label: 会议地点
    order: 25
    description: Where the meeting was held.
  recorders:
    type: persons
    label: 记录
    part: recorder
rules:
  - id: my.location
    kind: field
    field: location
    pattern: '在(?P<value>[^,。;]{2,30}?(?:会议室|礼堂|大厅))(?:召开|举行)'
    examples:
      - text: '县政府在县行政中心第一会议室召开常务会议。'
        expect: {location: 县行政中心第一会议室}
  - id: my.recorder
    kind: person
    field: recorders
    pattern: '%{CLAUSE_START}(?P<who>%{PERSONS})记录'
"""


def run(capsys, *argv: str) -> tuple[int, str, str]:
    rc = main(list(argv))
    out, err = capsys.readouterr()
    return rc, out, err


@pytest.fixture
def located(tmp_path: Path) -> tuple[Path, Path]:
    ov = tmp_path / "ov"
    ov.mkdir()
    (ov / "50-location.yaml").write_text(LOCATION, encoding="utf-8")
    report = tmp_path / "report.txt"
    report.write_text(REPORT, encoding="utf-8")
    return ov, report


# -- item 1: fields are data ----------------------------------------------------------------

def test_the_shipped_declarations_are_the_summary_attributes():
    names = [f.name for f in shipped_fields() if f.output]
    assert names == list(Summary().to_dict())    # the JSON key order is the declaration order
    assert sorted(names) == sorted(CORE_FIELDS)
    assert names == OUTPUT_SCHEMA["required"]


def test_a_field_added_in_yaml_reaches_every_format(capsys, located):
    ov, report = located
    rc, out, _ = run(capsys, "--rules", str(ov), "--format", "json", str(report))
    assert rc == 0
    d = json.loads(out)
    assert d["location"] == "总部十二楼会议室"          # the text between 在 and 召开
    assert list(d)[-2:] == ["location", "recorders"]  # declared fields follow the shipped ones
    assert d["recorders"] == [{"name": "周敏", "roles": ["办公室主任"]}]
    assert d["meeting"] and d["hosts"][0]["name"] == "程立峰"

    rc, out, _ = run(capsys, "--rules", str(ov), "--format", "json", "--explain", str(report))
    d = json.loads(out)
    assert d["evidence"]["location"]["rule"] == "my.location"
    assert d["evidence"]["location"]["text"] == "总部十二楼会议室"

    rc, out, _ = run(capsys, "--rules", str(ov), str(report))
    rows = [ln for ln in out.splitlines() if ln.startswith("| **")]
    assert "| **会议地点** | 总部十二楼会议室 |" in rows
    # order 25: after the meeting date (20), before the hosts (30)
    assert [r.split("**")[1] for r in rows][:4] == ["会议", "时间", "会议地点", "主持"]

    rc, out, _ = run(capsys, "--rules", str(ov), "--format", "yaml", str(report))
    assert "location: 总部十二楼会议室" in out

    # CSV is the people table: a declared people field adds rows; a text field has no place there
    rc, out, _ = run(capsys, "--rules", str(ov), "--format", "csv", str(report))
    table = list(csv.reader(io.StringIO(out)))
    assert [r[1:3] for r in table[1:]] == [["host", "程立峰"], ["recorder", "周敏"]]
    assert "总部十二楼会议室" not in out

    rc, out, _ = run(capsys, "--rules", str(ov), "--format", "html", str(report))
    assert 'class="f-location" title="my.location"' in out
    assert "会议地点" in out and ".f-location { background:" in out


def test_summary_api_of_a_declared_field(located):
    ov, report = located
    s = Engine.load(overlays=[ov]).summarize(report.read_text(encoding="utf-8"))
    assert s.extra["location"].value == "总部十二楼会议室"
    assert s.get("location") is s.extra["location"]
    assert s.get("meeting") is s.meeting and s.meeting.value
    assert [p.name for p in s.get("recorders")] == ["周敏"]
    assert validate(s.to_dict(explain=True)) != []          # not the shipped schema's summary
    from extractor.output_schema import output_schema
    assert validate(s.to_dict(explain=True), output_schema(s.fields)) == []


def test_parquet_rows_of_a_declared_field(located):
    from extractor import tables
    ov, report = located
    engine = Engine.load(overlays=[ov])
    d = engine.summarize(report.read_text(encoding="utf-8")).to_dict()
    row, people = tables.rows("r.txt", d, fields=engine.book.fields)
    assert row["location"] == "总部十二楼会议室"
    assert list(row)[-1] == "points"
    assert [(p["part"], p["name"]) for p in people] == [("host", "程立峰"), ("recorder", "周敏")]


def test_schema_and_rules_test_of_a_declared_field(capsys, located):
    ov, _ = located
    rc, out, _ = run(capsys, "schema", "--rules", str(ov))
    assert rc == 0
    schema = json.loads(out)
    assert schema["properties"]["location"]["type"] == ["string", "null"]
    assert "location" in schema["required"]
    assert schema["$defs"]["evidence_map"]["properties"]["location"] == {"$ref": "#/$defs/evidence"}
    rc, out, _ = run(capsys, "schema")
    assert "location" not in json.loads(out)["properties"]

    rc, out, err = run(capsys, "schema", "--no-shipped-rules")
    assert rc == 2 and "needs at least one rule DIR" in err

    rc, out, _ = run(capsys, "rules", "test", str(ov))
    assert rc == 0
    assert "my.location" in out and "1 passed" in out.splitlines()[-1]


def test_explain_shows_a_declared_field(capsys, located):
    ov, report = located
    rc, out, _ = run(capsys, "explain", "--rules", str(ov), "--field", "location", str(report))
    assert rc == 0
    assert "location: 总部十二楼会议室" in out and "my.location" in out


# -- item 2: closed schemas -------------------------------------------------------------------

HOSTILE = {
    "field: meetnig": ("rules:\n  - id: my.m\n    kind: field\n    field: meetnig\n    pattern: 'x'\n",
                       "4:12: unknown-field unknown field 'meetnig' (did you mean 'meeting'?)"),
    "person field of a text field": ("rules:\n  - id: my.p\n    kind: person\n    field: meeting\n"
                                     "    pattern: '(?P<who>x)'\n",
                                     "4:12: unknown-field a person rule cannot fill field 'meeting'"),
    "settings section persns": ("settings:\n  persns:\n    ref_paragraphs: 3\n",
                                "2:3: unknown-key unknown settings section 'persns' (did you mean 'persons'?)"),
    "settings key": ("settings:\n  persons:\n    ref_paragrahs: 3\n",
                     "3:5: unknown-key unknown setting 'persons.ref_paragrahs' (did you mean 'ref_paragraphs'?)"),
    "settings type": ("settings:\n  persons:\n    ref_paragraphs: many\n",
                      "3:21: bad-type setting 'persons.ref_paragraphs' must be an integer"),
    "speaker_field": ("settings:\n  points:\n    speaker_field: speakrs\n",
                      "3:20: unknown-field unknown field 'speakrs' (did you mean 'speakers'?)"),
    "rule key": ("rules:\n  - id: my.m\n    kind: field\n    field: meeting\n    patern: 'x'\n",
                 "5:5: unknown-key unknown rule key 'patern' (did you mean 'pattern'?)"),
    "kind": ("rules:\n  - id: my.m\n    kind: feild\n    pattern: 'x'\n",
             "3:11: bad-value kind must be one of chrome, meta, title, person, field, list, cue (did you mean 'field'?)"),
    "field type": ("fields:\n  location:\n    type: txt\n",
                   "3:11: bad-value field type must be one of text, date, persons, names, list, points (did you mean 'text'?)"),
    "field key": ("fields:\n  location:\n    type: text\n    lable: x\n",
                  "4:5: unknown-key unknown field key 'lable' (did you mean 'label'?)"),
    "reserved name": ("fields:\n  evidence:\n    type: text\n",
                      "2:3: bad-value 'evidence' is a key of the output itself, not a field name"),
    "second points field": ("fields:\n  tasks:\n    type: points\n",
                            "3:11: bad-value only the built-in field 'points' has type points"),
    "retyped field": ("fields:\n  meeting:\n    type: persons\n",
                      "3:11: bad-value field 'meeting' is declared as text"),
}


@pytest.mark.parametrize("case", sorted(HOSTILE))
def test_misspelt_rule_files_are_load_errors(capsys, tmp_path, case):
    text, expected = HOSTILE[case]
    ov = tmp_path / "ov"
    ov.mkdir()
    (ov / "60-bad.yaml").write_text(text, encoding="utf-8")
    rc, out, err = run(capsys, "rules", "check", str(ov))
    assert rc == 2
    assert f"60-bad.yaml:{expected}" in out + err
    report = tmp_path / "r.txt"
    report.write_text(REPORT, encoding="utf-8")
    rc, out, err = run(capsys, "--rules", str(ov), str(report))
    assert rc == 2 and out == ""
    assert f"60-bad.yaml:{expected}" in err
    assert "problem" in err.splitlines()[-1]


def test_a_declared_field_is_accepted_and_the_shipped_settings_are_all_known():
    for section, keys in SETTINGS.items():
        assert keys, section
    Engine.load()   # the shipped rules use only declared settings and fields


# -- item 7: the engine knows no Chinese ------------------------------------------------------

ENGLISH = """\
rules:
  - id: en.title
    kind: title
    pattern: '^(?P<value>[A-Z][^\\n]{3,80})$'
  - id: en.meeting
    kind: field
    field: meeting
    pattern: '(?:held|convened) (?:the|a|its) (?P<value>[A-Z][A-Za-z ]+?(?:Meeting|Conference|Session))'
  - id: en.host
    kind: person
    field: hosts
    pattern: '(?P<who>[A-Z][a-z]+ [A-Z][a-z]+) chaired'
    examples:
      - text: 'Alice Smith chaired the meeting.'
        expect: {hosts: [{name: Alice Smith, roles: []}]}
"""


def test_an_english_rule_pack_without_the_shipped_rules(capsys, tmp_path):
    pack = tmp_path / "en"
    pack.mkdir()
    (pack / "rules.yaml").write_text(ENGLISH, encoding="utf-8")
    report = tmp_path / "report.txt"
    report.write_text("Council Holds Annual Budget Meeting\n\n"
                      "On 5 March the city council held the Annual Budget Meeting in the town hall. "
                      "Alice Smith chaired the meeting and asked every department to cut costs.\n",
                      encoding="utf-8")
    rc, out, err = run(capsys, "--no-shipped-rules", "--rules", str(pack), "--format", "json", str(report))
    assert rc == 0, err
    d = json.loads(out)
    assert d["title"] == "Council Holds Annual Budget Meeting"
    assert d["meeting"] == "Annual Budget Meeting"
    assert d["hosts"] == [{"name": "Alice Smith", "roles": []}]
    rc, out, _ = run(capsys, "rules", "test", "--no-shipped-rules", str(pack))
    assert rc == 0 and "1 passed" in out.splitlines()[-1]
