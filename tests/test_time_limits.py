"""The pattern time limit: ``regex``'s own ``timeout=`` on every call, capped at what is left
of the document's budget, the same in the main thread, in other threads and in workers.

A runaway pattern is cut off, the summary still comes out, and nothing is installed in the
process (no signal handler, no interval timer).
"""
from __future__ import annotations

import ast
import signal
import threading
from time import monotonic

import pytest
import regex

from extractor import Engine, engine as engine_module
from extractor.state import Limit

from .conftest import ROOT

# catastrophic backtracking: (a|aa)+ has exponentially many ways to split a run of a's
SLOW = regex.compile(r"(a|aa)+$")
RUNAWAY = "a" * 40 + "b"
FAST = regex.compile(r"\d+")
HOST = "9月29日上午,区委召开常委会议,区委副书记、区长周金星主持会议。"


def _slow_rules(tmp_path, settings: str = "") -> None:
    (tmp_path / "slow.yaml").write_text(
        settings +
        "rules:\n"
        "  - id: mine.slow\n"
        "    description: catastrophic backtracking\n"
        "    kind: chrome\n"
        "    action: drop\n"
        "    pattern: '(a|aa)+$'\n", encoding="utf-8")


def _in_thread(fn, wait: float = 60.0):
    """fn() in a new thread; its result, or None when it has not finished after ``wait``
    seconds (a generous bound: a runaway call would run for minutes)."""
    got: dict = {}
    t = threading.Thread(target=lambda: got.setdefault("r", fn()), daemon=True)
    t.start()
    t.join(wait)
    return got.get("r")


def test_a_runaway_call_is_cut_off_and_the_next_call_works():
    limit = Limit(0.2)
    out: list = []
    assert limit.all(SLOW, RUNAWAY, 0, len(RUNAWAY), out) is True
    with pytest.raises(TimeoutError):
        limit.one(SLOW, "search", RUNAWAY, 0, len(RUNAWAY))
    found: list = []
    assert limit.all(FAST, "a12b345", 0, 7, found) is False
    assert [m.group() for m in found] == ["12", "345"]
    assert limit.one(FAST, "search", "x42", 0, 3).group() == "42"


def test_the_limit_holds_for_the_whole_scan():
    """A scan made of many quick search steps counts as one call (regex's finditer timeout):
    it is cut off, and the matches found before are kept."""
    text = "1a" * 2_000_000
    found: list = []
    assert Limit(0.05).all(FAST, text, 0, len(text), found) is True
    assert 0 < len(found) < 2_000_000


def test_each_call_gets_at_most_the_document_budget_left():
    limit = Limit(100.0, monotonic() + 0.5)
    assert 0 < limit.left() <= 0.5
    spent = Limit(100.0, monotonic() - 1)
    assert spent.spent() and spent.left() <= 0
    assert spent.all(FAST, "12", 0, 2, []) is True          # nothing runs once it is spent
    with pytest.raises(TimeoutError):
        spent.one(FAST, "search", "12", 0, 2)
    # regex reads an infinite timeout as already expired: never handed one
    assert Limit(float("inf")).one(FAST, "search", "x42", 0, 3).group() == "42"


def test_engine_summary_survives_a_runaway_rule_in_main_thread_and_worker_thread(tmp_path):
    _slow_rules(tmp_path)
    engine = Engine.load(overlays=[tmp_path], timeout=0.2)
    text = "区委召开常委会议\n" + RUNAWAY + "\n" + HOST + "\n"
    main = engine.summarize(text)
    thread = _in_thread(lambda: engine.summarize(text))
    assert thread is not None
    for s in (main, thread):
        assert any("mine.slow" in w and "cut off after 0.2s" in w for w in s.warnings), s.warnings
        assert [p.name for p in s.hosts] == ["周金星"]
    assert main.to_dict() == thread.to_dict()


def test_a_long_pattern_timeout_does_not_let_a_document_run_past_its_budget(tmp_path):
    """--pattern-timeout 100 with a document budget of 0.3 s: the runaway call is cut off
    when the document's budget is spent, not after 100 s (issue 17, item 10)."""
    _slow_rules(tmp_path, "settings:\n  engine:\n    document_timeout: 0.3\n")
    engine = Engine.load(overlays=[tmp_path], timeout=100)
    assert engine.document_budget == 0.3
    text = "区委召开常委会议\n" + RUNAWAY + "\n" + HOST + "\n"
    for run in (lambda: engine.summarize(text), lambda: _in_thread(lambda: engine.summarize(text))):
        s = _in_thread(run)
        assert s is not None, "the document ran far past its budget"
        assert any(w.startswith("document time budget spent") for w in s.warnings), s.warnings


def test_no_signal_handler_or_timer_is_installed_while_a_document_runs(monkeypatch):
    seen = []

    def probe(doc):
        seen.append((signal.getsignal(signal.SIGALRM),
                     signal.getitimer(signal.ITIMER_REAL) if hasattr(signal, "getitimer") else None))
    monkeypatch.setattr(engine_module, "STAGES", engine_module.STAGES[:2] + [("probe", probe)]
                        + engine_module.STAGES[2:])
    before = signal.getsignal(signal.SIGALRM)
    Engine.load().summarize(HOST)
    assert seen and seen[0][0] == before
    assert seen[0][1] in (None, (0.0, 0.0))


def test_the_engine_uses_no_private_python_modules():
    """Public APIs only (issue 16): no ``_sre``, ``re._parser``, ``_signal``, ``_pickle`` and
    the like are imported by the extractor package."""
    offenders = []
    for path in sorted((ROOT / "extractor").rglob("*.py")):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            names = []
            if isinstance(node, ast.Import):
                names = [a.name for a in node.names]
            elif isinstance(node, ast.ImportFrom) and not node.level:
                names = [node.module or ""] + [f"{node.module}.{a.name}" for a in node.names]
            offenders += [f"{path.name}:{node.lineno} {n}" for n in names
                          if any(part.startswith("_") and part != "__future__" for part in n.split("."))]
    assert offenders == []


def test_a_budget_spent_midway_gives_one_warning_not_one_per_match(engine, monkeypatch):
    """The document's budget runs out after the people rules found their matches: reading
    the persons of each match is refused, with one warning for the document (a 50 MB text
    once printed one warning per match, about 100,000 lines)."""
    from extractor import people, state
    text = "区委召开常委会议\n" + "区委副书记、区长周金星主持会议。" * 30 + "\n"
    real = state.DocState.scan

    def scan_then_expire(self, rule, units):
        found = real(self, rule, units)
        self.deadline = float("-inf")       # the budget runs out once a rule has its matches
        return found
    monkeypatch.setattr(state.DocState, "scan", scan_then_expire)
    doc = engine.new_state(text)
    from extractor import segment
    monkeypatch.setattr(state.DocState, "scan", real)
    segment.run(doc)
    monkeypatch.setattr(state.DocState, "scan", scan_then_expire)
    people.run(doc)
    assert len(doc.warnings) == 1 and doc.warnings[0].startswith("document time budget spent"), doc.warnings
