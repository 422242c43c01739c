"""One test per example and counter-example of every shipped rule (ids like
``host.chaired[example-0]``), run the way `summarize rules test` runs them: the whole
engine on the example's text, then what that one rule produced (extractor/ruletest.py).
A case marked ``todo:`` in the rule file is a strict xfail: it must fail until fixed."""
from __future__ import annotations

import pytest

from extractor import Engine
from extractor.ruletest import all_cases, check
from extractor.segment import split_lines


@pytest.fixture(scope="module")
def engine() -> Engine:
    return Engine.load()


def _params():
    try:
        book = Engine.load().book
    except Exception as e:  # a broken rule file: one failing case that says so
        return [pytest.param(None, id="rules-load", marks=pytest.mark.skip(reason=f"rules do not load: {e}"))]
    out = []
    for case in all_cases(r for r in book.rules if r.enabled):
        marks = [pytest.mark.xfail(reason=case.todo, strict=True)] if case.todo else []
        out.append(pytest.param(case, id=case.id, marks=marks))
    return out


@pytest.mark.parametrize("case", _params())
def test_rule_example(engine, case):
    # the module-level load built the cases; match them to this engine's rule objects
    rule = engine.book.get(case.rule.id)
    assert rule is not None
    case.rule = rule
    outcome = check(engine, case)
    if not outcome.passed:
        pytest.fail(outcome.message(), pytrace=False)


def _prefilter_texts(engine: Engine) -> list[str]:
    from .conftest import SAMPLES
    from extractor.source import read_path
    texts = [read_path(str(p)).text for p in sorted(SAMPLES.glob("*.txt"))]
    for case in all_cases(r for r in engine.book.rules if r.enabled):
        texts.append(case.text)
    return texts


def test_no_shipped_prefilter_hides_a_match(engine):
    """A rule's ``requires`` only saves time: on every sample and every example text, the
    rule finds in each unit exactly what it finds there with no pre-filter."""
    rules = [r for r in engine.book.rules if r.enabled and r.requires is not None]
    assert len(rules) >= 10
    for text in _prefilter_texts(engine):
        doc = engine.run(text)
        lines = split_lines(doc.text)
        for rule in rules:
            units = lines if rule.scope in ("line", "header", "title") else doc.units(rule.scope)
            got = [(i, m.span()) for i, m in doc.scan(rule, units)]
            every = [(i, m.span()) for i, u in enumerate(units)
                     for m in doc.matches(rule, doc.text, u.start, u.end, prefiltered=True)]
            assert got == every, (rule.id, text[:60])
