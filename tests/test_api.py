"""The Python API: load once, summarise many texts, typed results, thread safety."""
from concurrent.futures import ThreadPoolExecutor

import pytest

from extractor import Engine, Person, Point, RuleError, Summary

from .conftest import SAMPLES

TEXT = "9月29日,某区委工作会议召开。区委书记王大明强调:一要提高认识。二要狠抓落实。区长李小红主持会议。"


def test_typed_results_with_evidence(engine):
    s = engine.summarize(TEXT)
    assert isinstance(s, Summary)
    assert isinstance(s.hosts[0], Person) and isinstance(s.points[0], Point)
    ev = s.hosts[0].evidence
    assert TEXT[ev.start:ev.end] == ev.text and "李小红" in ev.text
    assert ev.rule == "host.chaired"
    assert s.points[0].evidence.rule.startswith("list.")


def test_to_dict_has_the_guide_keys(engine):
    d = engine.summarize(TEXT).to_dict()
    for key in ["title", "published", "source", "meeting", "meeting_date", "hosts", "speakers", "attendees", "points"]:
        assert key in d
    assert d["points"][0]["marker"] == "一要"


def test_threads_share_one_engine(engine):
    texts = [p.read_text(encoding="utf-8") for p in SAMPLES.glob("*.txt") if "gb18030" not in p.name]
    serial = [engine.summarize(t).to_dict() for t in texts]
    with ThreadPoolExecutor(4) as pool:
        parallel = list(pool.map(lambda t: engine.summarize(t).to_dict(), texts * 3))
    assert parallel == serial * 3


def test_rejects_bytes(engine):
    with pytest.raises(TypeError):
        engine.summarize(b"bytes")


def test_own_rules_only(tmp_path):
    (tmp_path / "r.yaml").write_text("rules:\n  - id: meet\n    kind: field\n    field: meeting\n"
                                      "    pattern: '(?P<value>\\w+会)'\n", encoding="utf-8")
    e = Engine.load([tmp_path])
    assert e.summarize("开了一个座谈会。").meeting.value == "开了一个座谈会"


def test_bad_rules_raise_rule_error_with_location(tmp_path):
    (tmp_path / "r.yaml").write_text("rules:\n  - id: x\n    kind: field\n    field: meeting\n    pattern: '(unclosed'\n",
                                      encoding="utf-8")
    with pytest.raises(RuleError) as e:
        Engine.load([tmp_path])
    p = e.value.problems[0]
    assert (p.line, p.code) == (5, "bad-regex") and p.file.endswith("r.yaml")


def test_summarize_file_detects_encoding_and_format(engine, tmp_path):
    s = engine.summarize_file(SAMPLES / "gb18030_report.txt")          # GB18030, a Path
    assert s.meeting.value == "柏溪街道城市更新项目征收攻坚推进会"
    html = tmp_path / "r.html"
    html.write_text(f"<html><body><p>{TEXT}</p></body></html>", encoding="utf-16")
    s = engine.summarize_file(str(html))
    assert [p.name for p in s.hosts] == ["李小红"]
    raw = html.read_bytes().decode("utf-16")
    ev = s.hosts[0].evidence
    assert raw[ev.start:ev.end] == ev.text                            # spans index the file as read
    from extractor import ReadError
    with pytest.raises(ReadError):
        engine.summarize_file(tmp_path / "missing.txt")


def test_public_names():
    import extractor
    assert set(extractor.__all__) >= {"Engine", "Summary", "Value", "Person", "Point", "Item",
                                      "Evidence", "RuleError", "Problem", "ReadError", "Source",
                                      "__version__"}
    for name in extractor.__all__:
        assert getattr(extractor, name) is not None
    from pathlib import Path
    assert (Path(extractor.__file__).parent / "py.typed").is_file()


def test_summary_fields_are_documented():
    """Every field of the result records has a docstring (an attribute docstring under it)."""
    import ast
    from pathlib import Path
    import extractor.model as model
    tree = ast.parse(Path(model.__file__).read_text(encoding="utf-8"))
    for cls in (n for n in tree.body if isinstance(n, ast.ClassDef)):
        body = cls.body
        for i, node in enumerate(body):
            if isinstance(node, ast.AnnAssign) and isinstance(node.target, ast.Name):
                nxt = body[i + 1] if i + 1 < len(body) else None
                assert isinstance(nxt, ast.Expr) and isinstance(nxt.value, ast.Constant) \
                    and isinstance(nxt.value.value, str), f"{cls.name}.{node.target.id} has no docstring"
