"""The standard-library twins of rule patterns (extractor/fastre.py) match exactly what the
``regex`` patterns match, and the engine gives the same summaries with and without them."""
from __future__ import annotations

import json
import pickle
import re

import signal

import pytest
import regex

from extractor import Engine
from extractor.reader import read_path
from extractor.fastre import SUPPORTED_FLAGS, Pattern, translate
from extractor.timelimit import Limit

from .conftest import SAMPLES

# texts with the characters where re and regex disagree: U+001C-U+001F (whitespace to re,
# not to regex), a Kawi digit U+11F50 (a digit to regex only), a combining accent U+0301
# (a word character to regex only), an astral ideograph, a lone surrogate, an ideograph
# from CJK Extension A
needs_timer = pytest.mark.skipif(not hasattr(signal, "setitimer"), reason="no setitimer on this platform")

HARD = ("a\x1cb\x1f 1\U00011f50 2 e\u0301 \U00020000中文 \udc80 㐀, 第1是 x\n\n"
        "3日 2024年3月5日 ①② 一、 (一) abc_def 42")


def _same(src: str, texts: list[str]) -> None:
    twin = translate(src)
    assert twin is not None, src
    rx, fast = regex.compile(src, SUPPORTED_FLAGS), re.compile(twin, re.MULTILINE)
    for t in texts:
        for pos, end in ((0, len(t)), (1, max(len(t) - 1, 1))):
            a = [(m.span(), m.groups(), m.groupdict()) for m in rx.finditer(t, pos, end)]
            b = [(m.span(), m.groups(), m.groupdict()) for m in fast.finditer(t, pos, end)]
            assert a == b, (src, t, a, b)


@pytest.mark.parametrize("src", [
    r"\s+", r"\S+", r"\d+", r"\D+", r"\w+", r"\W+", r"\bx", r"\B", r"[\s,]+", r"[^\s,]+",
    r"[\d.]+", r"[^\d]+", r"\p{Han}+", r"\P{Han}+", r"[^\P{Han}中]+", r"[\p{N}x]", r"[^\p{N}]",
    r"(?<![第十\p{N}单唯])一", r"(?<=^|[,.\s]|会上|会议由)\p{Han}{2}", r"(?<!a|bc)\w",
    r"(?<name>\d)(?P=name)", r"(?>a+)b", r"a*+", r"x{2,}?", r"(?#c)a", r"\u4e2d|\x41",
    r"(?:a|)+?b", r"^\s*$", r"[-a]", r"[a\-z]", r"\.\*",
])
def test_translation_matches_the_same(src):
    _same(src, [HARD, HARD * 2, "", "\n"])


@pytest.mark.parametrize("src, twin", [
    (r"(?=[ab])(?:a|b)c", r"(?:a|b)c"),                    # the guard of a word list: dropped
    (r"(?:(?=[主举])(?:主持|举行))x", r"(?:(?:主持|举行))x"),
    (r"(?=[a-c])[ab]+", r"[ab]+"),
    (r"(?=[ab])(?:a|c)", r"(?=[ab])(?:a|c)"),              # c is not in the guard: kept
    (r"(?=[ab])(?:a|b)?c", r"(?=[ab])(?:a|b)?c"),          # may match empty: kept
    (r"(?=[ab])(?:a|)b", r"(?=[ab])(?:a|)b"),
    (r"(?=[ab])(?:(?=x)a|b)", r"(?=[ab])(?:(?=x)a|b)"),    # more than literals: kept
    (r"(?:(?=[ab])a|c)d", r"(?:(?=[ab])a|c)d"),            # not at the start of the pattern
    (r"(?=[ab]).", r"(?=[ab])."),
])
def test_a_redundant_guard_opening_a_pattern_is_dropped(src, twin):
    assert translate(src) == twin
    _same(src, [HARD, "abc ab cd bd xa ac 主持x 举行x 主办x", ""])


@pytest.mark.parametrize("src, rewritten", [
    (r"(?:(?=[强指])(?:强调|指出))|提出\w{0,3}?要求|(?:作|做)(?<!工作)了?讲话|发表讲话", True),
    (r"[。!?;\n]|[(](?=\s*[一二])", True),
    (r"(?:(?:ab|cd)|ef)x", True),
    (r"[ab](?P<g>c)|d", False),      # a capture is not copied into two alternatives
    (r"(?:a|\d)", False),            # a class that is no list of characters
    (r"(?:a|(?=b)b)", True),          # a redundant guard is dropped
    (r"(?:a|(?=b)c)", False),         # a lookahead that is no guard of what follows
    (r"(?:a|b?c)", False),
])
def test_alternatives_opening_a_twin_start_with_literals(src, rewritten):
    """re scans the text for the first characters of a pattern whose alternatives all start
    with a literal; the twin's compiled code is rewritten into that form, with the same
    matches as regex's."""
    from re import _parser
    from extractor.fastre import _from_recipe, _literal_first_branch, _recipe
    twin = translate(src)
    p = _parser.parse(twin, re.MULTILINE)
    _literal_first_branch(p)
    op, av = p.data[0]
    assert (op is _parser.BRANCH and all(a.data[0][0] is _parser.LITERAL for a in av[1])) == rewritten
    fast = _from_recipe(twin, _recipe(twin))
    rx = regex.compile(src, SUPPORTED_FLAGS)
    t = "他强调要求,并提出重要要求。工作讲话,他作了讲话;做讲话 发表讲话 ax bx cx acd bcd c d 1 (一) (三) abx cdx efx\n"
    for text in (t, HARD, t * 3):
        a = [(m.span(), m.groupdict()) for m in rx.finditer(text)]
        b = [(m.span(), m.groupdict()) for m in fast.finditer(text)]
        assert a == b


@pytest.mark.parametrize("src", [
    r"(?i)a",              # inline flags
    r"(?:abc){e<=1}",      # fuzzy matching: a literal to re
    r"[[:alpha:]]",        # POSIX class
    r"[a--b]",             # set operation
    r"\Gx", r"a\Kb", r"\X", r"(?|(a)|(b))", r"(?R)", r"(?(?=a)a|b)",
    r"(?<=a+)b",           # a lookbehind of no fixed width
    r"\q",                 # unknown escape
    r"[]x]",               # "]" first in a class: left alone
])
def test_no_translation_where_re_reads_it_differently(src):
    assert translate(src) is None


def test_a_group_name_used_twice_answers_as_in_regex():
    # regex: one group written in two places; re: renamed, and matches answer to the name
    src = r"(?P<y>\d{4})-(?P<m>\d\d)|(?P<y>\d{2})年(?P<m>\d)月"
    p = Pattern.compile(src)
    assert p.twin is not None and p.wrap is not None
    text = "2024-05, 24年5月"
    got = [p.wrap(m) for m in p.fast.finditer(text)]
    want = list(p.rx.finditer(text))
    assert [(m.group("y"), m.span("m"), m.groupdict()) for m in got] == \
        [(m.group("y"), m.span("m"), m.groupdict()) for m in want] == \
        [("2024", (5, 7), {"y": "2024", "m": "05"}), ("24", (12, 13), {"y": "24", "m": "5"})]


def test_other_flags_are_not_translated():
    assert translate("a", regex.VERSION0) is None


def test_pattern_pickles_with_its_twin_and_rebuilds_it():
    p = Pattern.compile(r"(?<=^|[,。])(?P<n>\p{Han}{2})\d")
    assert p.twin is not None
    q = pickle.loads(pickle.dumps(p))
    assert q.twin == p.twin and q.pattern == p.pattern
    text = "会议,中国1年。大会2"
    assert [m.group("n") for m in q.fast.finditer(text)] == ["中国", "大会"]
    assert q.fast is not q.rx
    assert q.groupindex == {"n": 1}        # everything else is the regex pattern's


@needs_timer
def test_each_pattern_keeps_the_engine_that_runs_it_faster():
    # regex jumps to the required literal 日, re tries the lookbehind at every position: about
    # 20x slower here, far beyond timing noise. The calls on trial find the same matches.
    day = Pattern.compile(r"(?<![\d月年])(?P<day>3[01]|[12]\d|0?[1-9])日")
    assert day.twin is not None and day.trial is not None
    text = "会议由县委书记张三主持,县长李四讲话。" * 100 + "他在3日说明了情况。"
    seen = []
    with Limit(5.0) as limit:
        assert limit.per_call is False
        for _ in range(Pattern.TRIAL_CALLS):
            out: list = []
            limit.all(day, text, 0, len(text), out)
            seen.append([(m.span(), m.group("day")) for m in out])
            assert limit.one(day, "search", text, 0, len(text)).group("day") == "3"
    assert day.trial is None                      # decided
    assert day.twin is None and day.fast is day.rx
    assert all(x == seen[0] for x in seen) and seen[0][0][1] == "3"


def test_a_trial_that_regex_cannot_finish_keeps_the_twin_and_its_matches():
    p = Pattern.compile(r"\p{Han}+")

    class Stuck:      # regex cut off by the timer in the trial run of the same call
        def finditer(self, *a):
            raise TimeoutError
    p._rx = Stuck()
    out: list = []
    got = p.timed("finditer", "ab中文cd会议", 0, 9, out)
    assert [m.group() for m in got] == ["中文", "会议"]
    assert p.trial is None and p.twin is not None      # decided: the twin stays


def _all_patterns(engine: Engine) -> list[tuple[str, Pattern]]:
    out = []
    for r in engine.book.rules:
        for i, p in enumerate(r.patterns):
            out.append((f"{r.id}#{i}", p))
        if r.requires is not None:
            out.append((f"{r.id}:requires", r.requires))
    out.extend(engine.book.compiled_settings.items())
    return out


def _texts(engine: Engine) -> list[str]:
    texts = [read_path(str(p)).text for p in sorted(SAMPLES.glob("*.txt"))]
    texts += [ex["text"] for r in engine.book.rules for ex in r.examples]
    texts += list({c for r in engine.book.rules for c in r.counter_examples})
    return texts + [HARD]


def test_every_shipped_pattern_twin_matches_the_same(engine):
    texts = _texts(engine)
    twins = 0
    for name, p in _all_patterns(engine):
        q = Pattern(p.rx, translate(p.pattern))    # the twin, whether or not it was kept
        if q.twin is None:
            continue
        twins += 1
        for t in texts:
            a = [(m.span(), m.groupdict()) for m in p.rx.finditer(t)]
            b = [(m.span(), m.groupdict()) for m in map(q.wrap or (lambda m: m), q.fast.finditer(t))]
            assert a == b, (name, t[:80])
    assert twins >= 40        # most of the pack is translated (the rest runs under regex only)


def test_summaries_are_the_same_with_and_without_twins(engine):
    plain = Engine.load()
    for _, p in _all_patterns(plain):
        p.drop_twin()
    texts = [read_path(str(p)).text for p in sorted(SAMPLES.glob("*.txt"))]
    for e in (engine, plain):
        e.summarize(texts[0])    # from the second document on, twins run (under the timer)
    assert any(p.twin is not None for _, p in _all_patterns(engine))
    for t in texts:
        a = json.dumps(engine.summarize(t).to_dict(), ensure_ascii=False)
        b = json.dumps(plain.summarize(t).to_dict(), ensure_ascii=False)
        assert a == b


def test_building_a_rule_book_frees_the_code_point_table():
    """Translating reads character sets off a string of every code point (about 4.4 MB);
    a built rule book does not keep it alive."""
    from extractor import fastre
    Engine.load()
    assert fastre._all_chars.cache_info().currsize == 0
    assert translate(r"\p{Han}") is not None     # and translating later still works


def test_an_unpickled_engine_rebuilds_its_regex_patterns_safely_in_threads(engine):
    """An engine from the rule cache rebuilds each regex pattern on first use; threads (which
    run regex, with per-call timeouts) may get there at the same moment."""
    import threading
    texts = [read_path(str(p)).text for p in sorted(SAMPLES.glob("*.txt"))]
    want = [json.dumps(engine.summarize(t).to_dict(), ensure_ascii=False) for t in texts]
    copy = pickle.loads(pickle.dumps(engine))
    got: dict[int, list[str]] = {}
    errors: list[BaseException] = []

    def work(k: int) -> None:
        try:
            got[k] = [json.dumps(copy.summarize(t).to_dict(), ensure_ascii=False) for t in texts]
        except BaseException as e:      # reported below, not lost in the thread
            errors.append(e)

    threads = [threading.Thread(target=work, args=(k,)) for k in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(120)
    assert not errors
    assert all(got[k] == want for k in range(4))
