"""The tutorial in docs/rules.md works: each step's YAML (a fenced block opening with
``# tutorial: NAME``) is loaded as an overlay on a fresh engine, its examples pass, and it
has the effect the tutorial shows on docs/tutorial/report.txt."""
from __future__ import annotations

import re
from pathlib import Path

import pytest

from extractor import Engine
from extractor.ruletest import all_cases, check

ROOT = Path(__file__).resolve().parents[1]
DOC = ROOT / "docs" / "rules.md"
REPORT = ROOT / "docs" / "tutorial" / "report.txt"
_BLOCK = re.compile(r"^```yaml\n(# tutorial: (?P<name>[\w-]+)\n.*?)^```", re.M | re.S)


def steps() -> dict[str, str]:
    return {m.group("name"): m.group(1) for m in _BLOCK.finditer(DOC.read_text(encoding="utf-8"))}


def load(tmp_path: Path, *names: str) -> Engine:
    d = tmp_path / "my-rules"
    d.mkdir(exist_ok=True)
    all_steps = steps()
    for i, name in enumerate(names):
        (d / f"{i + 1}0-{name}.yaml").write_text(all_steps[name], encoding="utf-8")
    return Engine.load(overlays=[d])


def summary(engine: Engine):
    return engine.summarize(REPORT.read_text(encoding="utf-8"))


def test_the_tutorial_has_its_five_steps():
    assert list(steps()) == ["relayed", "numbering", "speaker-verb", "override", "chrome"]


def test_the_report_shown_is_the_report_file():
    text = DOC.read_text(encoding="utf-8")
    assert REPORT.read_text(encoding="utf-8").strip() in text


@pytest.mark.parametrize("name", ["relayed", "numbering", "speaker-verb", "override", "chrome"])
def test_step_examples_pass(tmp_path, name):
    engine = load(tmp_path, name)
    mine = [r for r in engine.book.rules if r.origin == "overlay 1"]
    assert mine
    for case in all_cases(mine):
        outcome = check(engine, case)
        assert outcome.passed, outcome.message()


def test_step_relayed(tmp_path):
    s = summary(load(tmp_path, "relayed"))
    assert "全省安全生产电视电话会议精神" in [v.value for v in s.relayed]
    assert any(v.evidence.rule == "my.relayed.studied" for v in s.relayed)


def test_step_numbering(tmp_path):
    s = summary(load(tmp_path, "numbering"))
    assert [(p.marker, p.lead) for p in s.points] == [
        ("其一", "压紧压实安全生产责任"), ("其二", "深入排查整治风险隐患"), ("其三", "从严从重打击违法违规行为")]
    assert {p.list_rule for p in s.points} == {"my.list.qi-yi"}
    assert s.points[0].speaker == "吴启航"


def test_step_speaker_verb(tmp_path):
    s = summary(load(tmp_path, "speaker-verb"))
    names = [p.name for p in s.speakers]
    assert "孔德明" in names and names.index("孔德明") < names.index("吴启航")


def test_step_override_and_disable(tmp_path):
    engine = load(tmp_path, "override")
    s = summary(engine)
    assert s.meeting.value == "全县安全生产工作会议"
    assert s.attendees == []
    rule = engine.book.get("meeting.org-convenes")
    assert rule.origin == "overlay 1" and rule.overrides and "30-meeting.yaml" in rule.overrides
    assert not engine.book.get("attendee.attended").enabled


def test_step_chrome(tmp_path):
    engine = load(tmp_path, "chrome")
    doc = engine.run(REPORT.read_text(encoding="utf-8"))
    assert doc.fired.get("my.chrome.column-banner") == 1
    assert doc.summary.title.value == "县政府召开全县安全生产工作会议"


def test_all_steps_together(tmp_path):
    s = summary(load(tmp_path, "relayed", "numbering", "speaker-verb", "override", "chrome"))
    md = s.to_markdown()
    assert md.startswith("# 县政府召开全县安全生产工作会议\n")
    for line in ("| **会议** | 全县安全生产工作会议 |", "| **传达** | 全省安全生产电视电话会议精神 |",
                 "1. 其一 压紧压实安全生产责任", "3. 其三 从严从重打击违法违规行为"):
        assert line in md
    assert "**出席**" not in md
