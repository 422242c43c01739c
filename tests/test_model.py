"""The result classes (dataclasses with slots) compare, print, hash, copy and pickle as callers rely on."""
import pickle
from dataclasses import replace

import pytest

from extractor.model import Evidence, Item, Person, Point, Summary, Value


def _ev(rule="r"):
    return Evidence(rule, 1, 2, "x")


def test_repr_as_dataclasses_printed_it():
    s = Summary(title=Value("T", _ev()), points=[Point("1.", 1, "l", "t", _ev(), speaker="s")],
                labels={"a": "b"})
    assert repr(_ev()) == "Evidence(rule='r', start=1, end=2, text='x')"
    assert repr(s) == (
        "Summary(title=Value(value='T', evidence=Evidence(rule='r', start=1, end=2, text='x')), "
        "published=None, source=None, meeting=None, meeting_date=None, hosts=[], speakers=[], "
        "attendees=[], relayed=[], points=[Point(marker='1.', number=1, lead='l', text='t', "
        "evidence=Evidence(rule='r', start=1, end=2, text='x'), items=[], clauses=[], "
        "speaker='s', list_rule='')], warnings=[], extra={})")


def test_eq_compares_fields_of_the_same_class_only():
    assert Item("a", 1, "l", "t", _ev()) == Item("a", 1, "l", "t", _ev())
    assert Item("a", 1, "l", "t", _ev()) != Item("a", 1, "l", "t", _ev("other"))
    assert Item("a", 1, "l", "t", _ev()) != Point("a", 1, "l", "t", _ev())
    assert Summary(labels={"a": "b"}) == Summary(labels={"c": "d"})     # labels: compare=False


def test_hash_frozen_by_value_others_unhashable():
    assert hash(_ev()) == hash(("r", 1, 2, "x"))
    assert len({_ev(), _ev()}) == 1
    with pytest.raises(TypeError):
        hash(Value("v", _ev()))


def test_defaults_are_fresh_lists():
    a, b = Summary(), Summary()
    a.hosts.append(Person("n", [], _ev()))
    assert b.hosts == [] and Item("a", 1, "l", "t", _ev()).items is not Item("a", 1, "l", "t", _ev()).items


def test_keywords_and_positions_as_before():
    p = Point(marker="1.", number=1, lead="l", text="t", evidence=_ev(), speaker="s", list_rule="x")
    assert p == Point("1.", 1, "l", "t", _ev(), [], [], "s", "x")
    assert Point.__match_args__ == ("marker", "number", "lead", "text", "evidence", "items", "clauses",
                                    "speaker", "list_rule")
    with pytest.raises(TypeError):
        Evidence("r", 1, 2)


def test_replace_and_pickle():
    s = Summary(title=Value("T", _ev()), warnings=["w"], labels={"a": "b"})
    assert replace(s, warnings=[]).warnings == [] and replace(s).labels == {"a": "b"}
    with pytest.raises(TypeError):
        replace(s, nope=1)
    back = pickle.loads(pickle.dumps(s))
    assert back == s and back.labels == {"a": "b"}


def test_repr_of_a_cycle():
    from extractor.lists import Chain
    outer = Chain(None, [])
    inner = Chain(None, [], parent=outer)
    outer.children.append(inner)
    assert "parent=..." in repr(outer) or "children=[...]" in repr(outer)
