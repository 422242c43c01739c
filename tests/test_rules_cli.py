"""`summarize rules check|test|list|schema` and `summarize explain`."""
from __future__ import annotations

import json
import textwrap
from pathlib import Path

import pytest

from extractor import config, rulebook, schema as rule_schema
from extractor.cli import main
from extractor.config import shipped_rules_dir

SAMPLE = Path(__file__).resolve().parents[1] / "samples" / "fullwidth_yishi.txt"



def run(capsys, *argv: str) -> tuple[int, str, str]:
    rc = main(list(argv))
    out, err = capsys.readouterr()
    return rc, out, err


def overlay(tmp_path: Path, text: str, name: str = "mine.yaml", folder: str = "ov") -> Path:
    d = tmp_path / folder
    d.mkdir(exist_ok=True)
    f = d / name
    f.write_text(textwrap.dedent(text).lstrip("\n"), encoding="utf-8")
    return f


MEETING_RULE = """
    rules:
      - id: mine.meeting
        kind: field
        field: meeting
        pattern: '(?P<value>\\w+座谈会)'
"""
"""An overlay of one field rule (its text is dedented by :func:`overlay`)."""


def check(capsys, tmp_path, text: str) -> tuple[int, str, Path]:
    f = overlay(tmp_path, text)
    rc, out, err = run(capsys, "rules", "check", str(f.parent))
    return rc, out, f


# -- rules check: each class of problem, at its exact file:line:col -------------------------

def test_check_shipped_rules_ok(capsys):
    rc, out, _ = run(capsys, "rules", "check")
    assert rc == 0
    n_files = len(config.rule_files([shipped_rules_dir()]))
    assert out.strip().endswith(f"rules in {n_files} files: ok")


def test_check_and_list_say_where_the_rules_are(capsys, tmp_path):
    """After `pip install .` the shipped rules are the installed copy: `rules check` names the
    directory of each pack, `rules list` the file and line of each rule."""
    f = overlay(tmp_path, MEETING_RULE)
    rc, out, _ = run(capsys, "rules", "check", str(f.parent))
    assert rc == 0
    assert f"shipped: {shipped_rules_dir()}" in out.splitlines()
    assert f"overlay 1: {f.parent}" in out.splitlines()
    rc, out, _ = run(capsys, "rules", "list", "--json", str(f.parent))
    rows = {r["id"]: r for r in map(json.loads, out.splitlines())}
    assert rows["mine.meeting"]["origin"] == "overlay 1"
    assert Path(rows["mine.meeting"]["where"].rsplit(":", 1)[0]).resolve() == f.resolve()
    shipped = Path(rows["chrome.share"]["where"].rsplit(":", 1)[0]).resolve()
    assert shipped.parent == shipped_rules_dir().resolve()


def test_rule_commands_use_the_compiled_rules_cache(capsys, tmp_path, monkeypatch):
    """rules check/test/list share summarize's disk cache of compiled rules: once an overlay
    has been compiled (by any of them, or by summarize --rules), none compiles it again."""
    import extractor.engine
    monkeypatch.setenv("JIYAO_CACHE_DIR", str(tmp_path / "cache"))
    monkeypatch.delenv("JIYAO_NO_CACHE", raising=False)
    f = overlay(tmp_path, MEETING_RULE + """\
        examples:
          - text: '县里开了一个座谈会。'
            expect: {meeting: 县里开了一个座谈会}
""")
    assert run(capsys, "rules", "check", str(f.parent))[0] == 0      # compiles, fills the cache

    def no_compiling(*a, **k):
        raise AssertionError("rules compiled again")
    monkeypatch.setattr(extractor.engine, "build", no_compiling)
    rc, out, _ = run(capsys, "rules", "check", str(f.parent))
    assert rc == 0 and out.strip().endswith(": ok")
    rc, out, _ = run(capsys, "rules", "test", str(f.parent))
    assert rc == 0 and "1 passed" in out
    rc, out, _ = run(capsys, "rules", "list", str(f.parent))
    assert rc == 0 and "mine.meeting" in out
    report = tmp_path / "r.txt"
    report.write_text("县里开了一个座谈会。", encoding="utf-8")
    rc, out, _ = run(capsys, "--rules", str(f.parent), str(report))
    assert rc == 0


def test_check_naming_the_shipped_directory_is_the_base(capsys):
    rc, out, _ = run(capsys, "rules", "check", str(shipped_rules_dir()))
    assert rc == 0 and out.strip().endswith(": ok")


def test_yaml_syntax_error_points_at_the_open_quote(capsys, tmp_path):
    rc, out, f = check(capsys, tmp_path, """
        rules:
          - id: t.x
            kind: chrome
            action: drop
            pattern: 'abc
        """)
    assert rc == 2
    assert f"{f}:5:14: yaml-syntax found unexpected end of stream (while scanning a quoted scalar)" in out
    assert "    pattern: 'abc\n" in out


def test_yaml_syntax_error_bad_indentation(capsys, tmp_path):
    rc, out, f = check(capsys, tmp_path, """
        rules:
          - id: t.x
           kind: chrome
        """)
    assert rc == 2
    assert f"{f}:3:4: yaml-syntax did not find expected '-' indicator" in out


def test_duplicate_key(capsys, tmp_path):
    rc, out, f = check(capsys, tmp_path, """
        rules:
          - id: t.x
            kind: chrome
            action: drop
            pattern: 'a'
            action: end
        """)
    assert rc == 2
    assert f"{f}:6:5: duplicate-key duplicate key 'action' (first at line 4)" in out


def test_unknown_rule_key_with_did_you_mean(capsys, tmp_path):
    rc, out, f = check(capsys, tmp_path, """
        rules:
          - id: t.x
            kind: chrome
            action: drop
            pattern: 'a'
            descripton: typo
        """)
    assert rc == 2
    assert f"{f}:6:5: unknown-key unknown rule key 'descripton' (did you mean 'description'?)" in out


def test_unknown_top_level_key(capsys, tmp_path):
    rc, out, f = check(capsys, tmp_path, """
        pattern:
          X: 'a'
        """)
    assert rc == 2
    assert f"{f}:1:1: unknown-key unknown top-level key 'pattern' (did you mean 'patterns'?)" in out


def test_wrong_types(capsys, tmp_path):
    rc, out, f = check(capsys, tmp_path, """
        rules:
          - id: t.x
            kind: chrome
            action: drop
            priority: high
            pattern: 12
        disable: host.chaired
        """)
    assert rc == 2
    assert f"{f}:5:15: bad-type 'priority' must be an integer, not string" in out
    assert f"{f}:6:14: bad-type 'pattern' must be a string or a list, not integer (quote it)" in out
    assert f"{f}:7:10: bad-type 'disable' must be a list of rule ids" in out


def test_bad_kind_and_enum_values(capsys, tmp_path):
    rc, out, f = check(capsys, tmp_path, """
        rules:
          - id: t.x
            kind: chrom
            pattern: 'a'
          - id: t.y
            kind: chrome
            action: dorp
            pattern: 'a'
        """)
    assert rc == 2
    assert f"{f}:3:11: bad-value kind must be one of" in out and "(did you mean 'chrome'?)" in out
    assert f"{f}:7:13: bad-value action must be one of drop, end, cut, strip" in out


@pytest.mark.parametrize("scalar, line, col", [
    ("'abc(def'", 4, 18),            # single-quoted: the "(" left open
    ("abc(def", 4, 17),              # plain scalar: one column less
    ("'a''b[c'", 4, 19),             # '' stands for one quote
    ('"a\\\\d[b"', 4, 19),           # "\\" is one character of the value
    ("'x{2,1}'", 4, 17),             # where the regex module places it
])
def test_regex_error_column_inside_the_pattern(capsys, tmp_path, scalar, line, col):
    rc, out, f = check(capsys, tmp_path, f"""
        rules:
          - id: t.x
            kind: chrome
            pattern: {scalar}
            action: drop
        """)
    assert rc == 2
    assert f"{f}:{line}:{col}: bad-regex " in out, out
    # the caret stands under the reported column
    lines = out.splitlines()
    i = next(i for i, ln in enumerate(lines) if ln.startswith(f"{f}:{line}:{col}:"))
    assert lines[i + 2].index("^") - 4 == col - 1


def test_regex_error_in_block_scalar_and_after_a_reference(capsys, tmp_path):
    rc, out, f = check(capsys, tmp_path, """
        rules:
          - id: t.block
            kind: chrome
            action: drop
            pattern: |-
              abc
              d(ef
          - id: t.ref
            kind: chrome
            action: drop
            pattern: '%{NAME}(abc'
        """)
    assert rc == 2
    assert f"{f}:7:8: bad-regex missing ): this ( is never closed" in out
    assert f"{f}:11:22: bad-regex missing ): this ( is never closed" in out


def test_regex_error_inside_a_sub_pattern_is_reported_where_it_is_defined(capsys, tmp_path):
    rc, out, f = check(capsys, tmp_path, """
        patterns:
          BROKEN: 'a[b'
        rules:
          - id: t.x
            kind: chrome
            action: drop
            pattern: 'x%{BROKEN}'
        """)
    assert rc == 2
    assert f"{f}:2:13: bad-regex unterminated character set: this [ is never closed" in out
    assert out.count("bad-regex") == 1          # not again at the rule that uses it


def test_unknown_sub_pattern_reference(capsys, tmp_path):
    rc, out, f = check(capsys, tmp_path, """
        rules:
          - id: t.x
            kind: chrome
            action: drop
            pattern: 'x%{PERSONZ}'
        """)
    assert rc == 2
    assert f"{f}:5:16: unknown-pattern unknown sub-pattern %{{PERSONZ}} (did you mean 'PERSON'?)" in out


def test_circular_sub_pattern_reference_reported_once(capsys, tmp_path):
    rc, out, f = check(capsys, tmp_path, """
        patterns:
          LOOP_A: 'x%{LOOP_B}'
          LOOP_B: 'y%{LOOP_A}'
        rules:
          - id: t.x
            kind: chrome
            action: drop
            pattern: '%{LOOP_A}'
        """)
    assert rc == 2
    assert f"{f}:3:13: circular-reference circular sub-pattern reference LOOP_A -> LOOP_B -> LOOP_A" in out
    assert out.count("circular-reference") == 1


def test_duplicate_rule_id(capsys, tmp_path):
    rc, out, f = check(capsys, tmp_path, """
        rules:
          - id: t.x
            kind: chrome
            action: drop
            pattern: 'a'
          - id: t.x
            kind: chrome
            action: drop
            pattern: 'b'
        """)
    assert rc == 2
    assert f"{f}:6:9: duplicate-id rule id 't.x' already defined at {f}:2" in out


def test_duplicate_rule_id_across_files_of_one_pack(capsys, tmp_path):
    a = overlay(tmp_path, "rules:\n  - {id: t.x, kind: chrome, action: drop, pattern: 'a'}\n", "a.yaml")
    b = overlay(tmp_path, "rules:\n  - {id: t.x, kind: chrome, action: drop, pattern: 'b'}\n", "b.yaml")
    rc, out, _ = run(capsys, "rules", "check", str(a.parent))
    assert rc == 2
    assert f"{b}:2:10: duplicate-id rule id 't.x' already defined at {a}:2" in out


def test_capture_needed_by_normaliser(capsys, tmp_path):
    rc, out, f = check(capsys, tmp_path, """
        rules:
          - id: t.x
            kind: meta
            field: published
            pattern: '\\d+'
            normalise: date
        """)
    assert rc == 2
    assert f"{f}:6:16: missing-capture normaliser 'date' needs a capture named month or day or date" in out


def test_capture_needed_by_value_template_and_person_rule(capsys, tmp_path):
    rc, out, f = check(capsys, tmp_path, """
        rules:
          - id: t.x
            kind: field
            field: meeting
            pattern: '(?P<org>x)'
            value: '{org}{name}'
          - id: t.y
            kind: person
            field: hosts
            pattern: '(?P<name>x)'
        """)
    assert rc == 2
    assert f"{f}:6:12: missing-capture value template uses {{name}} but no pattern captures 'name'" in out
    assert f"{f}:10:14: missing-capture person rules need a capture named 'who'" in out


def test_unknown_normaliser(capsys, tmp_path):
    rc, out, f = check(capsys, tmp_path, """
        rules:
          - id: t.x
            kind: meta
            field: source
            pattern: '(?P<value>x)'
            normalise: [strip, unqoute]
        """)
    assert rc == 2
    assert f"{f}:6:24: bad-value unknown normaliser 'unqoute' (did you mean 'unquote'?)" in out


def test_example_expecting_what_the_rule_cannot_produce(capsys, tmp_path):
    rc, out, f = check(capsys, tmp_path, """
        rules:
          - id: t.x
            kind: person
            field: hosts
            pattern: '(?P<who>%{NAME})主持'
            examples:
              - text: '王强主持会议。'
                expect: {speakers: [王强]}
        """)
    assert rc == 2
    assert f"{f}:8:18: bad-value a person rule's example can expect hosts, not 'speakers'" in out


def test_all_problems_reported_at_once_and_summarised(capsys, tmp_path):
    rc, out, f = check(capsys, tmp_path, """
        rules:
          - id: t.x
            kind: chrome
            action: drop
            pattern: 'a('
          - id: t.y
            kind: chrome
            action: drop
            pattern: 'b['
        """)
    assert rc == 2
    assert out.count("bad-regex") == 2
    assert out.strip().splitlines()[-1].startswith("2 problems in 1 of ")


def test_caret_respects_wide_characters(capsys, tmp_path):
    rc, out, f = check(capsys, tmp_path, """
        rules:
          - id: t.x
            kind: chrome
            action: drop
            pattern: '会议(召开'
        """)
    assert rc == 2
    assert f"{f}:5:17: bad-regex missing )" in out
    caret = out.splitlines()[2]
    # 4 (indent) + "    pattern: '" (14 cells) + two wide characters (4 cells)
    assert caret.index("^") == 4 + 14 + 4


def test_summarize_reports_rule_errors_on_stderr(capsys, tmp_path):
    f = overlay(tmp_path, "rules:\n  - {id: t.x, kind: chrome, action: drop, pattern: 'a('}\n")
    rc, out, err = run(capsys, "--rules", str(f.parent), str(SAMPLE))
    assert rc == 2 and out == ""
    assert f"{f}:2:" in err and "Traceback" not in err


def test_unknown_rules_action(capsys):
    rc, _, err = run(capsys, "rules", "chek")
    assert rc == 2
    assert "unknown action 'chek' (did you mean 'check'?)" in err


# -- rules test -------------------------------------------------------------------------------

RELAYED = """
    rules:
      - id: mine.relayed
        description: What was relayed (传达了…精神).
        kind: field
        field: relayed
        pattern: '传达了(?P<value>[^,。;]{2,40}?精神)'
        examples:
          - text: '会议传达了全市安全生产工作会议精神。'
            expect: {relayed: 全市安全生产工作会议精神}
        counter_examples:
          - '会议学习了有关文件。'
    """


def test_rules_test_passes(capsys, tmp_path):
    f = overlay(tmp_path, RELAYED)
    rc, out, _ = run(capsys, "rules", "test", str(f.parent))
    assert rc == 0, out
    row = next(ln for ln in out.splitlines() if ln.startswith("mine.relayed "))
    assert row.split() == ["mine.relayed", "2", "2", "0", "0", "0"]
    assert out.strip().endswith("2 cases of 1 rule: 2 passed; ok")


def test_rules_test_reports_failures_with_file_line_text_expected_found(capsys, tmp_path):
    f = overlay(tmp_path, """
        rules:
          - id: mine.relayed
            kind: field
            field: relayed
            pattern: '传达了(?P<value>[^,。;]{2,40}?精神)'
            examples:
              - text: '会议传达了全市安全生产工作会议精神。'
                expect: {relayed: 全市安全生产工作会议精神}
              - text: '会议传达了省委文件精神。'
                expect: {relayed: 省委精神}
            counter_examples:
              - '会议学习了有关文件。'
              - '会议传达了市委全会精神。'
        """)
    rc, out, _ = run(capsys, "rules", "test", str(f.parent))
    assert rc == 1
    row = next(ln for ln in out.splitlines() if ln.startswith("mine.relayed "))
    assert row.split() == ["mine.relayed", "4", "2", "1", "1", "0"]
    # the file:line is the example's (an editor jumps to it), the rule's line follows
    assert f"{f}:9: mine.relayed: example 1 failed (rule at line 2)" in out
    assert "    text:     会议传达了省委文件精神。" in out
    assert '    expected: {"relayed": "省委精神"}' in out
    assert '    found:    {"relayed": ["省委文件精神"]}' in out
    assert f"{f}:13: mine.relayed: counter-example 1 failed (rule at line 2)" in out
    assert '    found:    {"relayed": ["市委全会精神"]}' in out
    assert "2 failed (1 false positive, 1 miss)" in out


def test_rules_test_todo_is_not_a_failure(capsys, tmp_path):
    f = overlay(tmp_path, RELAYED.replace("expect: {relayed: 全市安全生产工作会议精神}",
                                          "expect: {relayed: 别的}\n            todo: not yet"))
    rc, out, _ = run(capsys, "rules", "test", str(f.parent))
    assert rc == 0, out
    assert "1 todo" in out


def test_rules_test_only_the_given_rules_unless_all(capsys, tmp_path):
    f = overlay(tmp_path, RELAYED)
    rc, out, _ = run(capsys, "rules", "test", str(f.parent))
    assert "host.chaired" not in out
    rc, out, _ = run(capsys, "rules", "test", str(f.parent), "--all", "--rule", "host.*")
    assert "host.chaired " in out and "mine.relayed" not in out


# -- rules list / schema ------------------------------------------------------------------------

def test_rules_list_shows_origin_overrides_and_disabled(capsys, tmp_path):
    f = overlay(tmp_path, """
        rules:
          - id: host.chaired
            description: My own chair rule.
            kind: person
            field: hosts
            pattern: '(?P<who>%{NAME})主持'
        disable: [speaker.verb]
        """)
    rc, out, _ = run(capsys, "rules", "list", str(f.parent))
    assert rc == 0
    shipped = rulebook.build([config.rule_files([shipped_rules_dir()])]).get("host.chaired")
    row = next(ln for ln in out.splitlines() if ln.startswith("host.chaired "))
    assert "person" in row and "people" in row and "overlay 1" in row and f"{f}:2" in row
    assert f"overrides {shipped.where}" in row and row.endswith("My own chair rule.")
    row = next(ln for ln in out.splitlines() if ln.startswith("speaker.verb "))
    assert f"disabled at {f}:7" in row and "shipped" in row
    rc, out, _ = run(capsys, "rules", "list", str(f.parent), "--json", "--kind", "person")
    rows = [json.loads(x) for x in out.splitlines()]
    assert {r["kind"] for r in rows} == {"person"}
    assert next(r for r in rows if r["id"] == "host.chaired")["origin"] == "overlay 1"


def _validate(inst, schema, root=None):
    """A small JSON Schema validator for the keywords the rule schema uses."""
    root = root or schema
    if "$ref" in schema:
        name = schema["$ref"].split("/")[-1]
        return _validate(inst, root["$defs"][name], root)
    types = {"object": dict, "array": list, "string": str, "integer": int, "boolean": bool}
    t = schema.get("type")
    if t is not None:
        ts = t if isinstance(t, list) else [t]
        if not any(isinstance(inst, types[x]) and not (x == "integer" and isinstance(inst, bool)) for x in ts):
            return False
    if "enum" in schema and inst not in schema["enum"]:
        return False
    if "const" in schema and inst != schema["const"]:
        return False
    if "anyOf" in schema and not any(_validate(inst, s, root) for s in schema["anyOf"]):
        return False
    for sub in schema.get("allOf", []):
        if not _validate(inst, sub, root):
            return False
    if "if" in schema and _validate(inst, schema["if"], root) and not _validate(inst, schema["then"], root):
        return False
    if isinstance(inst, dict):
        if any(k not in inst for k in schema.get("required", [])):
            return False
        if len(inst) < schema.get("minProperties", 0):
            return False
        props = schema.get("properties", {})
        for k, v in inst.items():
            if k in props:
                if not _validate(v, props[k], root):
                    return False
            elif schema.get("additionalProperties") is False:
                return False
            elif isinstance(schema.get("additionalProperties"), dict):
                if not _validate(v, schema["additionalProperties"], root):
                    return False
    if isinstance(inst, list):
        if len(inst) < schema.get("minItems", 0):
            return False
        if "items" in schema and not all(_validate(x, schema["items"], root) for x in inst):
            return False
    return True


def test_rules_schema(capsys):
    import yaml
    rc, out, _ = run(capsys, "rules", "schema")
    assert rc == 0
    schema = json.loads(out)
    assert schema["$schema"] == "https://json-schema.org/draft/2020-12/schema"
    assert set(schema["properties"]) == set(rule_schema.TOP_KEYS)
    rule = schema["$defs"]["rule"]
    assert set(rule["properties"]) == set(rule_schema.RULE_KEYS)
    assert rule["properties"]["kind"]["enum"] == list(rule_schema.KINDS)
    for f in config.rule_files([shipped_rules_dir()]):
        assert _validate(yaml.safe_load(f.read_text(encoding="utf-8")) or {}, schema), f
    bad = {"rules": [{"id": "x", "kind": "chrome", "pattern": "a", "action": "drop", "paterns": "b"}]}
    assert not _validate(bad, schema)
    assert not _validate({"rules": [{"id": "x", "kind": "chrome", "pattern": "a"}]}, schema)  # no action
    assert not _validate({"rules": [{"id": "x", "kind": "list"}]}, schema)                   # no marker
    assert _validate({"rules": [{"id": "x", "kind": "list", "words": ["a", "b"]}]}, schema)


def test_rules_schema_is_a_valid_draft_2020_12_schema(capsys):
    jsonschema = pytest.importorskip("jsonschema")
    run(capsys, "rules", "schema")
    from extractor.schema import file_schema
    jsonschema.Draft202012Validator.check_schema(file_schema())


# -- explain ------------------------------------------------------------------------------------

def test_explain_lists_values_rules_and_never_fired(capsys):
    rc, out, _ = run(capsys, "explain", str(SAMPLE))
    assert rc == 0
    assert "hosts:" in out and "rule host.chaired (rules/20-people.yaml:" in out
    assert "\nfired (" in out and "\nnear misses (" in out and "\nnever fired (" in out


def test_explain_json_and_field(capsys):
    rc, out, _ = run(capsys, "explain", str(SAMPLE), "--json")
    data = json.loads(out)
    assert data["fields"]["hosts"][0]["rule"] == "host.chaired"
    text = SAMPLE.read_text(encoding="utf-8")
    for name in ("title", "meeting"):
        v = data["fields"][name]
        assert text[v["span"][0]:v["span"][1]] == v["text"]
    fired = {f["rule"] for f in data["fired"]}
    assert not fired & set(data["never_fired"])
    rc, out, _ = run(capsys, "explain", str(SAMPLE), "--field", "meeting", "--json")
    data = json.loads(out)
    assert list(data["fields"]) == ["meeting"]
    assert data["candidates"] and all(c["rule"].startswith("meeting.") for c in data["candidates"])
    assert data["fields"]["meeting"]["value"] in {c["value"] for c in data["candidates"]}


def test_explain_unknown_field_and_missing_file(capsys, tmp_path):
    rc, _, err = run(capsys, "explain", str(SAMPLE), "--field", "host")
    assert rc == 2 and "unknown field 'host' (did you mean 'hosts'?)" in err
    rc, _, err = run(capsys, "explain", str(tmp_path / "nope.txt"))
    assert rc == 1 and len(err.strip().splitlines()) == 1


def test_problems_in_unused_sub_patterns_are_reported(capsys, tmp_path):
    rc, out, f = check(capsys, tmp_path, """
        patterns:
          UNUSED_BAD: 'a(?<x>b'
          UNUSED_REF: '%{NOPE}'
          UNUSED_LOOP: 'x%{UNUSED_LOOP}'
        """)
    assert rc == 2
    assert f"{f}:2:17: bad-regex missing ): this ( is never closed" in out
    assert f"{f}:3:16: unknown-pattern unknown sub-pattern %{{NOPE}}" in out
    assert f"{f}:4:18: circular-reference circular sub-pattern reference UNUSED_LOOP -> UNUSED_LOOP" in out
