"""The pattern time limit: an interval timer in the main thread, per-call timeouts elsewhere.

Both ways must cut a runaway pattern off, keep the summary, and leave the process as it was
(no timer running, the SIGALRM disposition restored).
"""
from __future__ import annotations

import os
import signal
import threading
import time
from pathlib import Path

import pytest
import regex

from extractor import Engine
from extractor.timelimit import Limit

# catastrophic backtracking: (a|aa)+ has exponentially many ways to split a run of a's
SLOW = regex.compile(r"(a|aa)+$")
RUNAWAY = "a" * 40 + "b"
FAST = regex.compile(r"\d+")

SAMPLES = Path(__file__).resolve().parent.parent / "samples"

needs_timer = pytest.mark.skipif(not hasattr(signal, "setitimer"), reason="no setitimer on this platform")


def run_limited(limit: Limit) -> tuple[bool, float, list]:
    out: list = []
    t0 = time.perf_counter()
    cut = limit.all(SLOW, RUNAWAY, 0, len(RUNAWAY), out)
    return cut, time.perf_counter() - t0, out


@needs_timer
def test_main_thread_uses_the_timer_and_cuts_a_runaway_call():
    with Limit(0.2) as limit:
        assert limit.per_call is False
        assert signal.getsignal(signal.SIGALRM) not in (signal.SIG_DFL, None)
        cut, elapsed, _ = run_limited(limit)
        # a call still works normally after a cut
        found: list = []
        assert limit.all(FAST, "a12b345", 0, 7, found) is False
    assert cut is True
    assert 0.2 <= elapsed                             # it ran its budget (no upper bound: load)
    assert [m.group() for m in found] == ["12", "345"]
    # nothing left behind: default disposition, timer off
    assert signal.getsignal(signal.SIGALRM) == signal.SIG_DFL
    assert signal.getitimer(signal.ITIMER_REAL) == (0.0, 0.0)


@needs_timer
def test_one_raises_timeout_error_under_the_timer():
    with Limit(0.2) as limit:
        with pytest.raises(TimeoutError):
            limit.one(SLOW, "search", RUNAWAY, 0, len(RUNAWAY))
        assert limit.one(FAST, "search", "x42", 0, 3).group() == "42"


def test_other_threads_use_per_call_timeouts():
    got: dict = {}

    def work():
        with Limit(0.2) as limit:
            got["per_call"] = limit.per_call
            got["cut"], got["elapsed"], _ = run_limited(limit)

    t = threading.Thread(target=work)
    t.start()
    t.join(30)
    assert got["per_call"] is True
    assert got["cut"] is True and got["elapsed"] >= 0.2


@needs_timer
def test_a_program_with_its_own_sigalrm_handler_keeps_it():
    calls = []

    def mine(signum, frame):
        calls.append(signum)

    old = signal.signal(signal.SIGALRM, mine)
    try:
        with Limit(0.2) as limit:
            assert limit.per_call is True              # the program's handler is left alone
            assert signal.getsignal(signal.SIGALRM) is mine
            cut, _, _ = run_limited(limit)
        assert cut is True
        assert signal.getsignal(signal.SIGALRM) is mine
        assert calls == []
    finally:
        signal.signal(signal.SIGALRM, old)


@needs_timer
def test_ticks_between_calls_do_not_interrupt_python_code():
    """The timer only ever raises inside a pattern call: slow Python code of the engine or
    of the caller between calls is never interrupted."""
    with Limit(0.05) as limit:
        t0 = time.perf_counter()
        n = 0
        while time.perf_counter() - t0 < 0.4:           # eight timeouts of busy Python code
            n += 1
            if n % 1000 == 0:
                assert limit.one(FAST, "search", "7", 0, 1) is not None
    assert n > 0


def test_engine_summary_survives_a_runaway_rule_in_both_modes(tmp_path):
    rules = tmp_path / "slow.yaml"
    rules.write_text(
        "rules:\n"
        "  - id: mine.slow\n"
        "    description: catastrophic backtracking\n"
        "    kind: chrome\n"
        "    action: drop\n"
        "    pattern: '(a|aa)+$'\n", encoding="utf-8")
    engine = Engine.load(overlays=[tmp_path], timeout=0.2)
    text = "区委召开常委会议\n" + RUNAWAY + "\n9月29日上午,区委召开常委会议,区委副书记、区长周金星主持会议。\n"
    results = {}

    def in_thread():
        results["thread"] = engine.summarize(text)

    results["main, first document (twins untimed)"] = engine.summarize(text)
    assert engine.new_state(text).limit.trials is True     # from the second document on
    results["main, timer, trials"] = engine.summarize(text)
    t = threading.Thread(target=in_thread)
    t.start()
    t.join(60)
    for where, s in results.items():
        assert any("mine.slow" in w and "cut off" in w for w in s.warnings), where
        assert [p.name for p in s.hosts] == ["周金星"], where
    dicts = [s.to_dict() for s in results.values()]
    assert dicts[0] == dicts[1] == dicts[2]


def test_a_one_file_run_rebuilds_no_regex_pattern_that_has_a_twin(tmp_path):
    """The first document runs under the timer with the re twins, untimed (no trial): a
    process that loads the rules from the cache and summarises one text never rebuilds
    the regex patterns that have a twin (about 17 ms of a one-file run)."""
    import subprocess
    import sys
    code = ("import sys; from extractor import rulecache; e = rulecache.load(); "
            "s = e.summarize(open(sys.argv[1], encoding='utf-8').read()); "
            "pats = [p for r in e.book.rules for p in r.patterns] + list(e.book.compiled_settings.values()); "
            "twinned = [p for p in pats if p.twin is not None]; "
            "print(len(twinned), sum(p._rx is not None for p in twinned), len(s.hosts), len(s.points))")
    env = dict(os.environ, JIYAO_CACHE_DIR=str(tmp_path))
    sample = str(SAMPLES / "fullwidth_yishi.txt")
    for _ in range(2):   # the first run fills the cache, the second loads from it
        out = subprocess.run([sys.executable, "-c", code, sample], capture_output=True, text=True,
                             timeout=300, env=env)
        assert out.returncode == 0, out.stderr
    twinned, rebuilt, hosts, points = map(int, out.stdout.split())
    assert twinned >= 40 and rebuilt == 0
    assert hosts >= 1 and points >= 3      # and it did summarise the report


@pytest.mark.parametrize("timer", [True, False])
def test_the_limit_holds_for_the_whole_call_in_both_modes(timer):
    """A scan made of many quick search steps counts as one call, in either mode (as
    regex's own finditer timeout does): the same text gives the same cut in both."""
    text = "1a" * 2_000_000
    with Limit(0.05, timer=timer) as limit:
        assert limit.per_call is (not timer or not hasattr(signal, "setitimer"))
        found: list = []
        cut = limit.all(FAST, text, 0, len(text), found)
    assert cut is True and 0 < len(found) < 2_000_000


@needs_timer
def test_a_standard_library_twin_is_cut_off_too():
    # under the timer the re twin runs (no timeout= there): the timer must stop it, in
    # finditer (Limit.all) and in search (Limit.one), renamed groups included
    from extractor.fastre import Pattern
    twin = Pattern.compile(r"(?P<x>a|aa)+$|(?P<x>b)")
    assert twin.twin is not None and twin.wrap is not None
    with Limit(0.2) as limit:
        t0 = time.perf_counter()
        cut = limit.all(twin, RUNAWAY, 0, len(RUNAWAY), [])
        elapsed = time.perf_counter() - t0
        with pytest.raises(TimeoutError):
            limit.one(twin, "search", RUNAWAY, 0, len(RUNAWAY))
        found: list = []
        assert limit.all(twin, "xb", 0, 2, found) is False
    assert cut is True and 0.2 <= elapsed
    assert [m.group("x") for m in found] == ["b"]
