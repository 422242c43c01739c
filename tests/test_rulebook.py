"""Rule-language features of the loader: word-list sub-patterns."""
import regex
import pytest

from extractor import Engine, RuleError
from extractor.rulebook import word_trie


def test_word_trie_matches_longest_word_first():
    p = regex.compile(word_trie(["主任", "主任委员", "副主任", "书记"]))
    assert p.match("主任委员会").group() == "主任委员"
    assert p.match("主任会").group() == "主任"
    assert p.match("副主任").group() == "副主任"
    assert p.match("副书记") is None
    assert p.match("a.b") is None and regex.compile(word_trie(["a.b"])).match("axb") is None


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
