"""--format parquet: two tables (reports, people) that read back with pyarrow."""
from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from extractor.cli import main

pq = pytest.importorskip("pyarrow.parquet")

ROOT = Path(__file__).resolve().parents[1]
SAMPLES = sorted((ROOT / "samples").glob("*.txt"))
COUNTY = ROOT / "samples" / "county_committee_chrome.txt"


def test_reports_and_people_tables(tmp_path):
    missing = tmp_path / "missing.txt"
    out = tmp_path / "out.parquet"
    status = main([str(COUNTY), str(SAMPLES[0]), str(missing), "-f", "parquet", "-o", str(out), "--jobs", "1"])
    assert status == 1  # one input could not be read: an error row, the rest written
    reports = pq.read_table(out).to_pylist()
    assert [r["file"] for r in reports] == [str(COUNTY), str(SAMPLES[0]), str(missing)]
    r = reports[0]
    # read off the sample: 县委书记邵明川讲话,县委副书记、县长蒋立群主持会议,县领导田国栋、俞小梅、钟家和、贺文韬出席会议
    assert r["error"] is None
    assert r["title"] == "青禾县召开防汛备汛暨安全生产工作会议"
    assert r["meeting_date"] == "2023-05-11" and r["published"] == "2023-05-12"
    assert r["hosts"] == [{"name": "蒋立群", "roles": ["县委副书记", "县长"]}]
    assert r["speakers"] == [{"name": "邵明川", "roles": ["县委书记"]}]
    assert r["attendees"] == ["田国栋", "俞小梅", "钟家和", "贺文韬"]
    # 邵明川强调: 一要绷紧防汛备汛这根弦,切实增强风险意识。... 二要 ... 三要 ...
    assert [p["marker"] for p in r["points"]] == ["一要", "二要", "三要"]
    assert [p["number"] for p in r["points"]] == ["1", "2", "3"]
    assert {p["speaker"] for p in r["points"]} == {"邵明川"}
    assert r["points"][0]["lead"] == "绷紧防汛备汛这根弦,切实增强风险意识"
    assert reports[2]["error"].startswith(f"{missing}: cannot open") and reports[2]["hosts"] is None

    people = pq.read_table(tmp_path / "out.people.parquet").to_pylist()
    county = [p for p in people if p["file"] == str(COUNTY)]
    assert [(p["part"], p["position"], p["name"], p["roles"]) for p in county] == [
        ("host", 1, "蒋立群", ["县委副书记", "县长"]),
        ("speaker", 1, "邵明川", ["县委书记"]),
        ("attendee", 1, "田国栋", []), ("attendee", 2, "俞小梅", []),
        ("attendee", 3, "钟家和", []), ("attendee", 4, "贺文韬", []),
    ]
    assert not [p for p in people if p["file"] == str(missing)]
    schema = pq.read_schema(out)
    assert schema.names == ["file", "error", "title", "published", "source", "meeting", "meeting_date",
                            "hosts", "speakers", "attendees", "relayed", "points"]
    assert pq.read_schema(tmp_path / "out.people.parquet").names == ["file", "part", "position", "name", "roles"]
    assert not [f for f in os.listdir(tmp_path) if f.startswith(".summarize-")]


def test_matches_jsonl(tmp_path):
    import json
    out = tmp_path / "all.parquet"
    assert main([*map(str, SAMPLES), "-f", "parquet", "-o", str(out), "--jobs", "1"]) == 0
    jl = tmp_path / "all.jsonl"
    assert main([*map(str, SAMPLES), "-f", "jsonl", "-o", str(jl), "--jobs", "1"]) == 0
    lines = [json.loads(x) for x in jl.read_text(encoding="utf-8").splitlines()]
    rows = pq.read_table(out).to_pylist()
    assert len(rows) == len(lines) == len(SAMPLES)
    for row, d in zip(rows, lines):
        for k in ("file", "title", "published", "source", "meeting", "meeting_date", "hosts", "speakers",
                  "attendees", "relayed"):
            assert row[k] == d[k], k
        assert [(p["marker"], p["lead"], p["speaker"]) for p in row["points"] if "." not in p["number"]] == \
            [(p["marker"], p["lead"], p["speaker"]) for p in d["points"]]


@pytest.mark.parametrize("argv, message", [
    (["-f", "parquet"], "needs -o"),
    (["-f", "parquet", "-o", "x.parquet", "--explain"], "no evidence columns"),
])
def test_usage_errors(tmp_path, argv, message):
    p = subprocess.run([sys.executable, "-m", "extractor.cli", str(COUNTY), *argv], capture_output=True,
                       text=True, cwd=tmp_path, env=dict(os.environ, PYTHONPATH=str(ROOT)))
    assert p.returncode == 2 and message in p.stderr and len(p.stderr.splitlines()) == 1
    assert not list(tmp_path.iterdir())
