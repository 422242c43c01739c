"""`summarize eval CORPUS_DIR`: the corpus scorer's numbers, in process, plus a per-rule report."""
from __future__ import annotations

import json
import os
import subprocess
import sys
from fractions import Fraction
from pathlib import Path

import pytest

from extractor.cli import main
from extractor.evaluate import lcs, norm, norm_lead, prf, score

ROOT = Path(__file__).resolve().parents[1]
SHARED = Path(__file__).resolve().parents[1].parent / "shared"
SCORER = SHARED / "eval" / "score.py"
CORPUS = SHARED / "corpus"

DOCS = {
    "a.txt": (
        "区委召开常委会议\n"
        "发布时间:2022-09-30\n"
        "9月29日上午,区委召开常委会议,区委副书记、区长周金星主持会议。区委书记孙新军强调:一要提高政治站位;"
        "二要压实工作责任;三要加强队伍建设。区领导王清旺、刘藻出席会议。\n"
    ),
    "b.txt": (
        "镇政府召开安全生产工作会议\n"
        "来源:云溪镇人民政府\n"
        "10月12日,镇政府召开安全生产工作会议,镇长柳德军主持会议并讲话。他要求:一是提高认识;二是夯实责任;"
        "三是突出重点。副镇长李明出席会议。\n"
    ),
    "c.txt": "明日全市天气预报\n明天白天多云转晴,最高气温二十五度,最低气温十五度,东南风三到四级,空气质量良好。\n",
}
# The gold differs from what the engine finds in known ways (see the expected numbers below).
GOLD = [
    {"id": "a", "file": "a.txt", "title": "区委召开常委会议 ", "published": "2022-09-30", "source": None,
     "meeting": "区委常委会议", "meeting_date": "2022-09-29",
     "hosts": [{"name": "周金星", "roles": ["区委副书记", "区长"]}],
     "speakers": [{"name": "孙新军", "roles": ["区委书记"]}],
     "attendees": ["王清旺", "刘藻", "汤钦飞"],
     "points": [{"marker": "一要", "lead": "提高政治站位"}, {"marker": "二要", "lead": "压实工作责任。"},
                {"marker": "三要", "lead": "加强队伍建设"}]},
    {"id": "b", "file": "b.txt", "title": "镇政府召开安全生产工作会议", "published": "2023-10-13",
     "source": "云溪镇人民政府", "meeting": "安全生产工作会议", "meeting_date": "--10-12",
     "hosts": [{"name": "柳德军", "roles": ["镇长"]}], "speakers": [], "attendees": ["李明"],
     "points": [{"marker": "一是", "lead": "提高认识"}, {"marker": "三是", "lead": "突出重点"}]},
    {"id": "c", "file": "c.txt", "title": "明日全市天气预报", "published": None, "source": None, "meeting": None,
     "meeting_date": None, "hosts": [], "speakers": [], "attendees": [], "points": []},
]



@pytest.fixture
def mini(tmp_path) -> Path:
    d = tmp_path / "corpus"
    d.mkdir()
    for name, text in DOCS.items():
        (d / name).write_text(text, encoding="utf-8")
    (d / "gold.jsonl").write_text("".join(json.dumps(g, ensure_ascii=False) + "\n" for g in GOLD),
                                  encoding="utf-8")
    return d


def _f1(tp, n_pred, n_gold) -> Fraction:
    p, r = Fraction(tp, n_pred), Fraction(tp, n_gold)
    return 2 * p * r / (p + r)


def test_scoring_primitives():
    assert norm("  区委 常委\u3000会议 ") == "区委常委会议"
    assert norm("２０２２") == "2022" and norm("") is None and norm(None) is None
    assert norm_lead(",、 提高认识。") == "提高认识" and norm_lead("。") is None
    assert lcs([1, 2, 3], [1, 3]) == 2 and lcs([], [1]) == 0
    assert prf(0, 0, 0) == (1.0, 1.0, 1.0) and prf(0, 0, 2)[2] == 0.0 and prf(0, 3, 0)[0] == 0.0


def test_score_on_hand_made_predictions():
    gold = [{"id": "x", "file": "x.txt", "title": "T", "hosts": [{"name": "甲", "roles": ["乙"]}],
             "speakers": [], "attendees": ["丙", "丙"], "points": [{"marker": "一是", "lead": "甲"}]}]
    preds = {"x.txt": {"title": "T", "hosts": [{"name": "甲", "roles": []}], "speakers": [{"name": "丁"}],
                       "attendees": ["丙"], "points": [{"marker": "一是", "lead": "甲;"}, "junk"]}}
    res = score(gold, preds)
    s = res["summary"]
    assert s["title"] == 1.0 and s["hosts"] == 1.0 and s["hosts+roles"] == 0.0
    assert s["speakers"] == 0.0 and s["attendees"] == pytest.approx(2 / 3)
    assert s["points"] == 1.0 and s["points_doc_exact"] == 1.0
    assert res["failed"] == 0
    assert score(gold, {})["failed"] == 1


def test_eval_mini_corpus_numbers(capsys, mini):
    rc = main(["eval", str(mini), "--json"])
    out, _ = capsys.readouterr()
    assert rc == 0
    res = json.loads(out)
    s = res["summary"]
    third = Fraction(2, 3)
    want = {
        "title": 1, "published": third, "source": 1, "meeting": third, "meeting_date": 1,
        "hosts": 1, "hosts+roles": 1,
        "speakers": _f1(1, 2, 1), "speakers+roles": _f1(1, 2, 1),
        "attendees": _f1(3, 3, 4),
        "points": _f1(5, 6, 5),
        "points_doc_exact": third,
    }
    for k, v in want.items():
        assert s[k] == pytest.approx(float(v)), k
    headline = [want[k] for k in ("title", "published", "source", "meeting", "meeting_date",
                                  "hosts+roles", "speakers+roles", "attendees", "points")]
    assert s["overall"] == pytest.approx(float(sum(headline) / 9))
    assert res["docs"] == 3 and res["failed"] == 0
    assert res["fields"]["published"] == {"correct": 2, "false_pos": 0, "missed": 1, "wrong": 0}
    assert res["fields"]["meeting"]["wrong"] == 1
    # the rules' report
    assert res["rules"]["host.chaired"]["docs"] == 2
    assert "list.paren" in res["never_fired"]
    assert any("b" in docs for docs in res["wrong_by_rule"].values())


def test_eval_text_report(capsys, mini):
    rc = main(["eval", str(mini), "--show-errors", "2"])
    out, _ = capsys.readouterr()
    assert rc == 0
    lines = out.splitlines()
    assert lines[0] == "documents: 3  failed: 0"
    assert lines[1] == f"  {'title':16s} {1.0:6.3f}"
    assert "  miss b published" in out and '      expected: "2023-10-13"' in out and "      found:    null" in out
    overall = next(ln for ln in lines if ln.startswith("overall: "))
    assert out.index(overall) < out.index("rules over 3 documents:")
    assert "never fired (" in out
    row = next(ln for ln in lines if ln.strip().startswith("host.chaired "))
    assert row.split()[1:3] == ["2", "2"]


def test_eval_counts_unreadable_documents_as_failed(capsys, mini):
    with open(mini / "gold.jsonl", "a", encoding="utf-8") as fh:
        fh.write(json.dumps({"id": "gone", "file": "gone.txt", "title": "x"}) + "\n")
    rc = main(["eval", str(mini)])
    out, _ = capsys.readouterr()
    assert rc == 0
    assert out.startswith("documents: 4  failed: 1")
    assert "failure gone.txt" in out


def test_eval_bad_corpus(capsys, tmp_path):
    rc = main(["eval", str(tmp_path / "nope")])
    _, err = capsys.readouterr()
    assert rc == 1 and "not a directory" in err
    (tmp_path / "gold.jsonl").write_text('{"id": "a", "file": "a.txt"}\nnot json\n', encoding="utf-8")
    rc = main(["eval", str(tmp_path)])
    _, err = capsys.readouterr()
    assert rc == 1 and "gold.jsonl:2: not JSON" in err and len(err.strip().splitlines()) == 1


def _scorer(corpus: Path) -> dict:
    cmd = f"{sys.executable} -m extractor --format json {{file}}"
    env = dict(os.environ, JIYAO_NO_CONFIG="1")
    cp = subprocess.run([sys.executable, str(SCORER), str(corpus), "--cmd", cmd, "--json"],
                        capture_output=True, text=True, cwd=ROOT, env=env, timeout=900)
    assert cp.returncode == 0, cp.stderr
    return json.loads(cp.stdout)


@pytest.mark.skipif(not SCORER.is_file(), reason="shared/eval/score.py not present")
def test_eval_equals_the_scorer_on_the_mini_corpus(capsys, mini):
    theirs = _scorer(mini)
    main(["eval", str(mini), "--json"])
    ours = json.loads(capsys.readouterr()[0])
    assert ours["summary"] == theirs["summary"]
    assert ours["counts"] == theirs["counts"]
    assert ours["errors"] == theirs["errors"]


@pytest.mark.slow   # runs the CLI scorer over 116 reports: about 20 s
@pytest.mark.skipif(not (SCORER.is_file() and (CORPUS / "gold.jsonl").is_file()),
                    reason="the shared corpus and scorer are not present")
def test_eval_equals_the_scorer_on_the_shared_corpus(capsys):
    theirs = _scorer(CORPUS)
    rc = main(["eval", str(CORPUS), "--json"])
    ours = json.loads(capsys.readouterr()[0])
    assert rc == 0
    assert ours["summary"]["overall"] == theirs["summary"]["overall"]
    assert ours["summary"] == theirs["summary"]
    main(["eval", str(CORPUS)])
    text = capsys.readouterr()[0]
    assert f"overall: {theirs['summary']['overall']:.3f}" in text
