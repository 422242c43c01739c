"""Every sample report against its hand-checked expected JSON and reviewed Markdown."""
import json

import pytest

from extractor.source import read_path

from .conftest import SAMPLES

KEYS = ["title", "published", "source", "meeting", "meeting_date", "hosts", "speakers", "attendees", "points"]
CASES = sorted(p.stem for p in SAMPLES.glob("*.txt"))


def test_there_are_enough_samples():
    assert len(CASES) >= 8
    assert any("gb18030" in c for c in CASES)


@pytest.mark.parametrize("name", CASES)
def test_sample_json(engine, name):
    expected = json.loads((SAMPLES / f"{name}.expected.json").read_text(encoding="utf-8"))
    got = engine.summarize_source(read_path(str(SAMPLES / f"{name}.txt"))).to_dict()
    got["points"] = [{"marker": p["marker"], "lead": p["lead"]} for p in got["points"]]
    for key in KEYS:
        assert got[key] == expected[key], key


@pytest.mark.parametrize("name", CASES)
def test_sample_markdown(engine, name):
    expected = (SAMPLES / f"{name}.expected.md").read_text(encoding="utf-8")
    got = engine.summarize_source(read_path(str(SAMPLES / f"{name}.txt"))).to_markdown()
    assert got == expected


@pytest.mark.parametrize("name", CASES)
def test_evidence_points_into_the_text_as_read(engine, name):
    src = read_path(str(SAMPLES / f"{name}.txt"))
    s = engine.summarize(src.text)
    d = s.to_dict(explain=True)
    for field in ("title", "published", "source", "meeting", "meeting_date"):
        v = getattr(s, field)
        if v is None:
            continue
        ev = v.evidence
        assert src.text[ev.start:ev.end] == ev.text
        if field in ("title", "source"):
            assert ev.text == v.value
    for p in s.hosts + s.speakers + s.attendees:
        assert p.name in src.text[p.evidence.start:p.evidence.end]
    for p in s.points:
        assert src.text[p.evidence.start:p.evidence.end].startswith(p.marker)
    assert "evidence" in d
