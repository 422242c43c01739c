"""Shipped rules on adversarial inputs (issue 17, item 3): short texts built from the rules'
own fragments (roles, titles, names, lists of names, verbs cut short) must not make any
shipped pattern backtrack past the default pattern budget.

The issue's cases: a 215-character text repeating ``党组副书记、副主席万辉话,`` (under the
standard-library twins the engine once ran, each extra repeat cost 4x) and a 504-character
list of names after ``副主席``.
"""
from __future__ import annotations

import pytest
import regex
import yaml

from extractor.engine import DEFAULT_TIMEOUT

from .conftest import ROOT

HEADER = "区委召开常委会议\n9月29日上午,区委召开常委会议。\n"


def _library() -> dict:
    return yaml.safe_load((ROOT / "rules" / "00-patterns.yaml").read_text(encoding="utf-8"))["patterns"]


def _inputs() -> dict[str, str]:
    lib = _library()
    titles = lib["TITLE_WORD"]["words"]
    surnames = regex.findall(r"\p{Han}", lib["SURNAME"].split("[", 1)[1])
    names = [a + b for a, b in zip(surnames[10:], surnames[40:])][:60]
    # first characters of the verbs the people rules end in: the match fails one character late
    verbs = {w[0] for key in ("SPEECH_WORD", "CONVENE") for w in lib[key]["words"]} | {"话", "出", "参", "主"}
    seps = ["、", "和", ","]
    out = {"issue: roles, name, 话": "党组副书记、副主席万辉话," * 17}
    for v in sorted(verbs):
        out[f"roles and names cut short at {v}"] = "".join(
            f"党组{titles[i % 40]}、{titles[(i + 7) % 40]}{names[i % 60]}{v}," for i in range(24))[:215]
    for s in seps:
        out[f"issue: names after a title, by {s}"] = "副主席" + s.join(names[i % 60] for i in range(200))[:501]
        out[f"titled names by {s}"] = "副主席" + s.join(titles[i % 40] + names[i % 60] for i in range(100))[:501]
    return out


INPUTS = _inputs()


@pytest.fixture(scope="module")
def patterns(engine):
    out = []
    for r in engine.book.rules:
        out += [(f"{r.id}#{i}", p) for i, p in enumerate(r.patterns)]
        if r.requires is not None:
            out.append((f"{r.id}:requires", r.requires))
    out += sorted(engine.book.compiled_settings.items())
    return out


@pytest.mark.parametrize("name", sorted(INPUTS))
def test_no_shipped_pattern_is_cut_off_on_adversarial_input(patterns, name):
    text = INPUTS[name]
    assert len(text) >= 200
    cut = []
    for pid, p in patterns:
        try:
            for _ in p.finditer(text, timeout=DEFAULT_TIMEOUT):
                pass
        except TimeoutError:
            cut.append(pid)
    assert cut == []


@pytest.mark.parametrize("name", sorted(INPUTS))
def test_the_engine_runs_every_rule_on_adversarial_input_without_a_cut(engine, name):
    for text in (HEADER + INPUTS[name] + "\n", HEADER + INPUTS[name] + "主持会议并讲话。\n"):
        doc = engine.run(text, every_rule=True)
        assert not [w for w in doc.warnings if "cut off" in w or "budget" in w]
