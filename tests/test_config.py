"""Overlays (--rules DIR, config file): add, replace by id, disable by id; the time budget."""
from __future__ import annotations

import json
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from extractor import Engine
from extractor.cli import main

REPORT = (
    "区委召开常委会议\n"
    "9月29日上午,区委召开常委会议,区委副书记、区长周金星主持会议。"
    "副区长李明宣布会议开始,区委书记孙新军强调,要增强政治自觉。\n"
)



@pytest.fixture
def report(tmp_path) -> Path:
    f = tmp_path / "report.txt"
    f.write_text(REPORT, encoding="utf-8")
    return f


def overlay(folder: Path, text: str, name: str = "mine.yaml") -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    f = folder / name
    f.write_text(textwrap.dedent(text).lstrip("\n"), encoding="utf-8")
    return f


def summarize_json(capsys, *argv: str) -> tuple[int, dict, str]:
    rc = main(["--format", "json", *argv])
    out, err = capsys.readouterr()
    return rc, (json.loads(out) if out.strip() else {}), err


REPLACE_CHAIR = """
    rules:
      - id: host.chaired
        description: In our reports the chair "announces" the meeting.
        kind: person
        field: hosts
        pattern: '%{CLAUSE_START}(?P<who>%{PERSONS})宣布'
    """


def test_shipped_rules_find_the_chair(capsys, report):
    rc, d, _ = summarize_json(capsys, str(report))
    assert rc == 0
    assert [p["name"] for p in d["hosts"]] == ["周金星"]


def test_overlay_replaces_a_rule_by_id(capsys, tmp_path, report):
    ov = overlay(tmp_path / "mine", REPLACE_CHAIR)
    rc, d, _ = summarize_json(capsys, "--rules", str(ov.parent), str(report))
    assert rc == 0
    assert d["hosts"] == [{"name": "李明", "roles": ["副区长"]}]
    book = Engine.load(overlays=[ov.parent]).book
    rule = book.get("host.chaired")
    assert rule.origin == "overlay 1" and rule.overrides and rule.overrides.endswith(":" + rule.overrides.split(":")[-1])
    assert len([r for r in book.rules if r.id == "host.chaired"]) == 1


def test_overlay_adds_a_rule(capsys, tmp_path, report):
    ov = overlay(tmp_path / "mine", """
        rules:
          - id: mine.announcer
            kind: person
            field: attendees
            pattern: '%{CLAUSE_START}(?P<who>%{PERSONS})宣布'
        """)
    rc, d, _ = summarize_json(capsys, "--rules", str(ov.parent), str(report))
    assert rc == 0
    assert "李明" in d["attendees"]
    assert [p["name"] for p in d["hosts"]] == ["周金星"]      # the shipped rule still runs


def test_disable_removes_a_rule(capsys, tmp_path, report):
    ov = overlay(tmp_path / "mine", "disable: [host.chaired]\n")
    rc, d, _ = summarize_json(capsys, "--rules", str(ov.parent), str(report))
    assert rc == 0
    assert d["hosts"] == []
    book = Engine.load(overlays=[ov.parent]).book
    assert not book.get("host.chaired").enabled
    assert book.get("host.chaired").disabled_at == f"{ov}:1"
    assert "host.chaired" not in {r.id for r in book.of_kind("person")}


def test_later_overlay_wins(capsys, tmp_path, report):
    first = overlay(tmp_path / "one", REPLACE_CHAIR)
    second = overlay(tmp_path / "two", "disable: [host.chaired]\n")
    rc, d, _ = summarize_json(capsys, "--rules", str(first.parent), "--rules", str(second.parent), str(report))
    assert d["hosts"] == []


DROP_AD = """
    rules:
      - id: my.chrome.ad
        kind: chrome
        action: drop
        pattern: '^\\s*扫码关注.*$'
    """

AD_REPORT = (
    "青禾县召开安全生产工作会议\n\n"
    "  5月11日下午,青禾县召开安全生产工作会议。县委书记邵明川讲话,县长蒋立群主持会议。\n\n"
    "  邵明川强调:\n\n"
    "  一要绷紧安全生产这根弦,切实增强风险意识。\n"
    "扫码关注青禾发布公众号\n"
    "  要牢固树立底线思维。\n\n"
    "  二要压实各方责任,确保各项措施落地见效。\n"
)


def test_a_dropped_chrome_line_is_not_in_a_point(tmp_path):
    """`action: drop` removes the line before anything reads it: not in a point's text or lead."""
    overlay(tmp_path / "ov", DROP_AD)
    engine = Engine.load(overlays=[tmp_path / "ov"])
    s = engine.summarize(AD_REPORT)
    assert [p.marker for p in s.points] == ["一要", "二要"]
    # the lines around the dropped one, as printed (the indentation of a line is not part of a value)
    assert [ln.strip() for ln in s.points[0].text.splitlines()] == ["绷紧安全生产这根弦,切实增强风险意识。",
                                                                     "要牢固树立底线思维。"]
    assert all("扫码" not in p.text and "扫码" not in p.lead for p in s.points)
    # without the rule the line is part of the text (it is there to be dropped)
    assert "扫码关注" in Engine.load().summarize(AD_REPORT).points[0].text


def test_equal_priority_a_later_pack_wins_whatever_the_paths(tmp_path):
    """Two overlays give one field at the same priority, in the same sentence at the same
    place: the later pack's rule wins, though its path sorts after the earlier one's."""
    rule = """
        rules:
          - id: {rid}
            kind: field
            field: meeting
            priority: 90
            pattern: '(?P<value>区委召开{what})'
            value: '{name}'
        """
    first = overlay(tmp_path / "a_first", rule.replace("{rid}", "one.meeting").replace("{what}", "常委会议")
                    .replace("'{name}'", "'{value}一'"))
    second = overlay(tmp_path / "z_second", rule.replace("{rid}", "two.meeting").replace("{what}", "常委会议")
                     .replace("'{name}'", "'{value}二'"))
    engine = Engine.load(overlays=[first.parent, second.parent])
    s = engine.summarize(REPORT)
    assert s.meeting.evidence.rule == "two.meeting" and s.meeting.value == "区委召开常委会议二"
    engine = Engine.load(overlays=[second.parent, first.parent])
    assert engine.summarize(REPORT).meeting.evidence.rule == "one.meeting"


def test_unknown_id_in_disable_is_a_rule_error(capsys, tmp_path, report):
    ov = overlay(tmp_path / "mine", """
        # switch off what we do not want
        disable:
          - host.chaired
          - host.chiared
        """)
    rc = main(["--rules", str(ov.parent), str(report)])
    out, err = capsys.readouterr()
    assert rc == 2 and out == ""
    assert f"{ov}:4:5: unknown-rule cannot disable unknown rule 'host.chiared' (did you mean 'host.chaired'?)" in err
    assert "Traceback" not in err
    rc = main(["rules", "check", str(ov.parent)])
    out, _ = capsys.readouterr()
    assert rc == 2 and f"{ov}:4:5: unknown-rule" in out


def test_config_file_in_the_current_directory(capsys, tmp_path, report, monkeypatch):
    overlay(tmp_path / "proj" / "my-rules", REPLACE_CHAIR)
    (tmp_path / "proj" / "jiyao.toml").write_text('rules = ["my-rules"]\n', encoding="utf-8")
    monkeypatch.delenv("JIYAO_NO_CONFIG")
    monkeypatch.chdir(tmp_path / "proj")
    rc, d, _ = summarize_json(capsys, str(report))
    assert rc == 0
    assert [p["name"] for p in d["hosts"]] == ["李明"]
    rc = main(["rules", "list", "--kind", "person"])
    out, _ = capsys.readouterr()
    row = next(ln for ln in out.splitlines() if ln.startswith("host.chaired "))
    assert "overlay 1" in row and "my-rules/mine.yaml:2" in row and "overrides " in row


def test_config_in_pyproject_of_a_parent_directory(capsys, tmp_path, report, monkeypatch):
    overlay(tmp_path / "proj" / "rules-extra", "disable: [host.chaired]\n")
    (tmp_path / "proj" / "pyproject.toml").write_text(
        '[project]\nname = "x"\n\n[tool.jiyao]\nrules = ["rules-extra"]\n', encoding="utf-8")
    (tmp_path / "proj" / "sub").mkdir()
    monkeypatch.delenv("JIYAO_NO_CONFIG")
    monkeypatch.chdir(tmp_path / "proj" / "sub")
    rc, d, _ = summarize_json(capsys, str(report))
    assert rc == 0 and d["hosts"] == []


def test_config_overlay_with_unknown_disable_id(capsys, tmp_path, report, monkeypatch):
    overlay(tmp_path / "proj" / "r", "disable: [nope.nothing]\n")
    (tmp_path / "proj" / "jiyao.toml").write_text('rules = ["r"]\n', encoding="utf-8")
    monkeypatch.delenv("JIYAO_NO_CONFIG")
    monkeypatch.chdir(tmp_path / "proj")
    rc = main([str(report)])
    _, err = capsys.readouterr()
    assert rc == 2
    assert "r/mine.yaml:1:11: unknown-rule cannot disable unknown rule 'nope.nothing'" in err


# -- time budget ---------------------------------------------------------------------------------

SLOW = """
    rules:
      - id: mine.slow
        description: A pattern with catastrophic backtracking.
        kind: chrome
        action: drop
        pattern: '(a|aa)+$'
    """


@pytest.mark.parametrize("how", ["cli", "setting"])
def test_pattern_timeout_cuts_a_slow_rule_off(capsys, tmp_path, how):
    setting = "settings:\n  engine:\n    pattern_timeout: 0.2\n"
    ov = overlay(tmp_path / "slow", textwrap.dedent(SLOW) + ("" if how == "cli" else setting))
    doc = tmp_path / "a.txt"
    doc.write_text("a" * 40 + "b", encoding="utf-8")
    extra = ["--pattern-timeout", "0.2"] if how == "cli" else []
    rc = main(["--rules", str(ov.parent), *extra, str(doc)])
    out, err = capsys.readouterr()
    assert rc == 0
    assert out.startswith("# ")                       # a summary was still produced
    assert "warning" in err and "mine.slow" in err and "cut off after 0.2s" in err


def test_a_cut_off_rule_shows_in_plain_json_as_warnings(capsys, tmp_path, report):
    """Without --explain the JSON says the summary may be incomplete: a "warnings" list, which
    the output schema allows; a summary without warnings has no such key."""
    from extractor.output_schema import OUTPUT_SCHEMA, validate
    ov = overlay(tmp_path / "slow", SLOW)
    report.write_text(REPORT + "a" * 40 + "b\n", encoding="utf-8")
    rc, d, err = summarize_json(capsys, "--rules", str(ov.parent), "--pattern-timeout", "0.2", str(report))
    assert rc == 0
    assert len(d["warnings"]) == 1 and "mine.slow" in d["warnings"][0] and "cut off" in d["warnings"][0]
    assert validate(d) == []
    assert "warnings" in OUTPUT_SCHEMA["properties"]
    rc, d, _ = summarize_json(capsys, str(report))
    assert rc == 0 and "warnings" not in d and validate(d) == []


def test_pattern_timeout_inside_a_report_keeps_the_rest(capsys, tmp_path, report):
    ov = overlay(tmp_path / "slow", SLOW)
    report.write_text(REPORT + "a" * 40 + "b\n", encoding="utf-8")
    rc, d, err = summarize_json(capsys, "--rules", str(ov.parent), "--pattern-timeout", "0.2", str(report))
    assert rc == 0
    assert [p["name"] for p in d["hosts"]] == ["周金星"]
    assert "mine.slow" in err


def test_pattern_timeout_end_to_end(tmp_path):
    ov = overlay(tmp_path / "slow", SLOW)
    doc = tmp_path / "a.txt"
    doc.write_text("a" * 40 + "b", encoding="utf-8")
    cp = subprocess.run([sys.executable, "-m", "extractor", "--rules", str(ov.parent), "--pattern-timeout", "0.2",
                         "--format", "json", str(doc)], capture_output=True, text=True, timeout=60,
                        env={"PATH": "/usr/bin:/bin", "JIYAO_NO_CONFIG": "1"})
    assert cp.returncode == 0, cp.stderr
    assert json.loads(cp.stdout)["hosts"] == []
    assert "mine.slow" in cp.stderr and "Traceback" not in cp.stderr


@pytest.mark.parametrize("value", ["0", "-1", "soon", "nan"])
def test_bad_pattern_timeout(capsys, report, value):
    with pytest.raises(SystemExit) as e:       # argparse: one line, exit 2
        main(["--pattern-timeout", value, str(report)])
    rc = e.value.code
    _, err = capsys.readouterr()
    assert rc == 2 and len(err.strip().splitlines()) == 1 and "--pattern-timeout" in err


def test_bad_pattern_timeout_setting(capsys, tmp_path, report):
    ov = overlay(tmp_path / "mine", "settings:\n  engine:\n    pattern_timeout: fast\n")
    rc = main(["--rules", str(ov.parent), str(report)])
    _, err = capsys.readouterr()
    assert rc == 2 and f"{ov}:3:22: bad-value 'pattern_timeout' must be a positive number of seconds" in err
