"""Rule-language features of the loader: word-list sub-patterns."""
import regex
import pytest

from extractor import Engine, RuleError
from extractor.patterns import word_list


def word_trie(words):
    """A word list compiled as the engine compiles it."""
    return regex.compile(word_list("W", words), W=words)


def test_word_trie_matches_longest_word_first():
    p = word_trie(["主任", "主任委员", "副主任", "书记"])
    assert p.match("主任委员会").group() == "主任委员"
    assert p.match("主任会").group() == "主任"
    assert p.match("副主任").group() == "副主任"
    assert p.match("副书记") is None
    assert p.match("a.b") is None and word_trie(["a.b"]).match("axb") is None


def test_words_sub_pattern_in_a_rule(tmp_path):
    (tmp_path / "r.yaml").write_text(
        "patterns:\n  VERB:\n    words: [宣布, 宣读]\n"
        "rules:\n  - id: x\n    kind: field\n    field: meeting\n    pattern: '(?P<value>\\w{2}会)%{VERB}'\n",
        encoding="utf-8")
    e = Engine.load([tmp_path])
    assert e.summarize("座谈会宣布开始。").meeting.value == "座谈会"


def test_bad_words_entry_is_reported_with_location(tmp_path):
    (tmp_path / "r.yaml").write_text("patterns:\n  VERB:\n    words: [宣布, 3]\n", encoding="utf-8")
    with pytest.raises(RuleError) as e:
        Engine.load([tmp_path])
    p = e.value.problems[0]
    assert (p.line, p.code) == (3, "bad-type")


def test_word_trie_with_set_metacharacters_in_first_position():
    """The first-character lookahead holds the branches' first characters as a set:
    ], ^, - and \\ must be escaped there."""
    words = ["]x", "^y", "-z", "\\w", "ab", "ac", "b"]
    p = word_trie(words)
    for w in words:
        assert p.fullmatch(w), w
    assert p.match("zz") is None and p.match("a") is None


def _requires_rules(tmp_path, requires: str, extra: str = ""):
    (tmp_path / "r.yaml").write_text(
        "patterns:\n  VERB:\n    words: [宣布, 宣布了, 宣读]\n  VERB2: '%{VERB}'\n  CHARS: '宣[读布]'\n" + extra +
        "rules:\n  - id: x\n    kind: person\n    field: attendees\n"
        f"    requires: '{requires}'\n"
        "    pattern: '(?P<who>张\\w)(?:宣布|宣读)'\n", encoding="utf-8")
    return Engine.load(overlays=[tmp_path])      # the shipped persons settings read the names


@pytest.mark.parametrize("requires, words", [
    ("宣布", ("宣布",)),
    ("宣布|宣读", ("宣布", "宣读")),
    ("%{VERB}", ("宣布", "宣读")),            # 宣布了 holds 宣布: left out
    ("%{VERB2}|开始", ("开始", "宣布", "宣读")),
    ("%{CHARS}", None),                        # a regex, scanned as one
    ("宣.", None),
    ("%{VERB:v}", None),                       # a capture is no plain word list
])
def test_literal_requires_become_words(tmp_path, requires, words):
    rule = _requires_rules(tmp_path, requires).book.get("x")
    got = rule.requires_words
    assert (tuple(sorted(got)) if got is not None else None) == (tuple(sorted(words)) if words else None)


@pytest.mark.parametrize("requires", ["%{VERB}", "%{CHARS}"])
def test_requires_filters_sentences_either_way(tmp_path, requires):
    e = _requires_rules(tmp_path, requires)
    s = e.summarize("会议开始。张明宣读文件。李四讲话。张华宣布闭幕。")
    assert [p.name for p in s.attendees] == ["张明", "张华"]
    # a sentence without the pre-filter's words is never matched, even where the pattern would
    e2 = _requires_rules(tmp_path, "闭幕")
    assert [p.name for p in e2.summarize("会议开始。张明宣读文件。张华宣布闭幕。").attendees] == ["张华"]


def test_overlay_redefining_a_word_list_as_a_pattern_drops_its_words(tmp_path):
    base = tmp_path / "base"
    base.mkdir()
    _requires_rules(base, "%{VERB}")
    over = tmp_path / "over"
    over.mkdir()
    (over / "o.yaml").write_text("patterns:\n  VERB: '宣.'\n", encoding="utf-8")
    e = Engine.load(overlays=[base, over])
    assert e.book.get("x").requires_words is None


def test_word_trie_inside_a_lookbehind():
    """Word lists are used in lookbehinds (%{FUTURE} before a meeting): the first-character
    lookahead must still look at the word's first character there."""
    words = ["定于", "拟于", "将于", "拟定于", "计划于"]
    p = regex.compile(f"(?<!{word_list('FUTURE', words)}[^,。;]{{0,20}})召开", FUTURE=words)
    assert p.search("会议明天召开")
    for notice in ["会议定于明天召开", "拟定于下周召开", "计划于月底召开"]:
        assert p.search(notice) is None, notice


def test_same_word_list_name_with_other_words_in_another_rule_book(tmp_path):
    """Compiled patterns are shared between the rule books of a process: a word list's
    words are part of what a compiled pattern is found by, not only its name."""
    def book(name, words):
        d = tmp_path / name
        d.mkdir()
        (d / "r.yaml").write_text(
            f"patterns:\n  VERB:\n    words: [{words}]\n"
            "rules:\n  - id: x\n    kind: field\n    field: meeting\n    pattern: '(?P<value>\\w{2}会)%{VERB}'\n",
            encoding="utf-8")
        return Engine.load([d])
    a, b = book("a", "宣布"), book("b", "宣读")
    assert a.summarize("座谈会宣布开始。").meeting.value == "座谈会"
    assert a.summarize("座谈会宣读开始。").meeting is None
    assert b.summarize("座谈会宣读开始。").meeting.value == "座谈会"
    assert b.summarize("座谈会宣布开始。").meeting is None
