"""The rule cache: a tampered cache file runs nothing (issue 17, item 6), and the cache key
does not depend on the working directory (issue 16, item 6)."""
from __future__ import annotations

import os
import pickle

import pytest

from extractor import Engine, rulecache

from .conftest import SAMPLES


@pytest.fixture
def cache(tmp_path, monkeypatch):
    d = tmp_path / "cache"
    monkeypatch.setenv("JIYAO_CACHE_DIR", str(d))
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / "config"))
    monkeypatch.delenv("JIYAO_NO_CACHE", raising=False)
    return d


class _Payload:
    """What an attacker would put in a pickle: loading it creates a file."""

    def __init__(self, marker: str):
        self.marker = marker

    def __reduce__(self):
        return (open, (self.marker, "w"))


@pytest.mark.parametrize("signed_like", [False, True])
def test_a_tampered_cache_file_runs_nothing_and_is_rebuilt(cache, tmp_path, signed_like):
    rulecache.load()
    (f,) = cache.glob("rules-*")
    marker = tmp_path / "pwned"
    evil = pickle.dumps(_Payload(str(marker)))
    # a bare pickle, or one dressed as a cache file with a made-up tag
    f.write_bytes(rulecache.MAGIC + os.urandom(32) + evil if signed_like else evil)
    engine = rulecache.load()
    assert not marker.exists()
    assert isinstance(engine, Engine) and engine.book.rules
    data = f.read_bytes()
    assert data.startswith(rulecache.MAGIC) and evil not in data      # rebuilt and signed
    assert rulecache._read(str(f)) is not None


def test_a_cache_written_under_another_key_is_not_loaded(cache, tmp_path, monkeypatch):
    rulecache.load()
    (f,) = cache.glob("rules-*")
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / "other-config"))
    assert rulecache._read(str(f)) is None
    assert isinstance(rulecache.load(), Engine)      # compiled again, signed with the new key
    assert rulecache._read(str(f)) is not None


def test_the_key_is_kept_outside_the_cache_directory(cache, tmp_path):
    rulecache.load()
    key = tmp_path / "config" / "jiyao" / "cache-key"
    assert key.is_file() and oct(key.stat().st_mode & 0o777) == "0o600"
    assert not str(key).startswith(str(cache))


def test_the_cache_key_does_not_depend_on_the_working_directory(cache, tmp_path, monkeypatch):
    overlay = tmp_path / "mine"
    overlay.mkdir()
    (overlay / "x.yaml").write_text("disable: [person.mentioned]\n", encoding="utf-8")
    a, b = tmp_path / "a", tmp_path / "b"
    a.mkdir()
    b.mkdir()
    monkeypatch.chdir(a)
    first = rulecache.load(overlays=[overlay])
    monkeypatch.chdir(b)
    second = rulecache.load(overlays=[overlay])
    assert len(list(cache.glob("rules-*"))) == 1            # one entry, used from both
    fresh = Engine.load(overlays=[overlay])
    # rule positions are shown relative to the directory of the run, as a fresh load shows them
    assert [(r.id, r.file, r.disabled_at) for r in second.book.rules] == \
        [(r.id, r.file, r.disabled_at) for r in fresh.book.rules]
    assert second.book.get("person.mentioned").disabled_at.startswith(str(overlay / "x.yaml:"))
    monkeypatch.chdir(tmp_path)
    third = rulecache.load(overlays=[overlay])
    assert third.book.get("person.mentioned").disabled_at.startswith(os.path.join("mine", "x.yaml:"))
    text = (SAMPLES / "fullwidth_yishi.txt").read_text(encoding="utf-8")
    assert first.summarize(text).to_dict(True) == second.summarize(text).to_dict(True)


def test_a_relative_overlay_path_means_the_directory_it_names_from_each_working_directory(cache, tmp_path,
                                                                                          monkeypatch):
    for name, rule in (("a", "person.mentioned"), ("b", "person.name-title")):
        d = tmp_path / name / "mine"
        d.mkdir(parents=True)
        (d / "x.yaml").write_text(f"disable: [{rule}]\n", encoding="utf-8")
    monkeypatch.chdir(tmp_path / "a")
    assert rulecache.load(overlays=["mine"]).book.disabled[0].id == "person.mentioned"
    monkeypatch.chdir(tmp_path / "b")
    assert rulecache.load(overlays=["mine"]).book.disabled[0].id == "person.name-title"


def test_an_edited_overlay_compiles_only_the_patterns_that_changed(cache, tmp_path, monkeypatch):
    # issue 18 item 6: the rule-editing loop compiles what changed, not every rule
    from extractor import patterns as rulebook
    overlay = tmp_path / "mine"
    overlay.mkdir()
    rule = ("rules:\n  - id: my.relayed\n    kind: field\n    field: relayed\n"
            "    pattern: '学习了(?P<value>\\S{{2,20}}?精神){tail}'\n")
    (overlay / "a.yaml").write_text(rule.format(tail=""), encoding="utf-8")
    # nothing in memory from earlier tests: a CLI run in this process may have read the default
    # cache's pattern store, which an earlier test session may have left holding the edited pattern
    monkeypatch.setattr(rulebook, "COMPILED", {})
    rulecache.load(overlays=[overlay])                 # compiles everything once
    monkeypatch.setattr(rulebook, "COMPILED", {})      # a new process: nothing in memory
    calls = []
    real = rulebook.regex.compile
    monkeypatch.setattr(rulebook.regex, "compile", lambda *a, **k: calls.append(a[0]) or real(*a, **k))
    (overlay / "a.yaml").write_text(rule.format(tail="(?=,)"), encoding="utf-8")
    engine = rulecache.load(overlays=[overlay])
    assert any(r.id == "my.relayed" for r in engine.book.rules)
    assert len(calls) == 1 and calls[0].endswith("(?=,)")


def test_a_cached_engine_builds_each_pattern_when_a_rule_first_uses_it(cache):
    rulecache.load()
    engine = rulecache.load()                    # from the cache file
    pats = [p for r in engine.book.rules for p in r.patterns]
    assert pats and all(isinstance(p, rulecache.DeferredPattern) and p._pattern is None for p in pats)
    fresh = Engine.load()
    # a text that names no one and holds no meeting: the people patterns stay unbuilt
    engine.summarize("今天天气很好,我们去公园散步。")
    people = [p for r in engine.book.of_kind("person") for p in r.patterns]
    assert people and all(p._pattern is None for p in people)
    for sample in sorted(SAMPLES.glob("*.txt"))[:4]:
        text = sample.read_text(encoding="utf-8", errors="replace")
        assert engine.summarize(text).to_dict(True) == fresh.summarize(text).to_dict(True), sample.name
    built = [p for p in pats if p._pattern is not None]
    assert built and len(built) < len(pats)
    p = built[0]
    assert p.pattern == p._pattern.pattern and p.groupindex == p._pattern.groupindex
    assert not hasattr(p, "no_such_attribute")


def test_a_cached_engine_pickles_with_its_patterns_still_unbuilt(cache):
    # how an engine travels to a batch worker process
    rulecache.load()
    engine = pickle.loads(pickle.dumps(rulecache.load()))
    pats = [p for r in engine.book.rules for p in r.patterns]
    assert all(isinstance(p, rulecache.DeferredPattern) and p._pattern is None for p in pats)
    text = (SAMPLES / "fullwidth_yishi.txt").read_text(encoding="utf-8")
    assert engine.summarize(text).to_dict(True) == Engine.load().summarize(text).to_dict(True)
