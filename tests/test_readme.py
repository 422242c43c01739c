"""The README shows real output: keep it in step with the engine."""
import re

from extractor.reader import read_path

from .conftest import ROOT


def test_readme_markdown_output_is_current(engine):
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    m = re.search(r"`summarize (samples/\S+\.txt)`.*?````markdown\n(.*?)````", readme, re.S)
    assert m, "README lost its example output"
    got = engine.summarize_source(read_path(str(ROOT / m.group(1)))).to_markdown()
    assert got == m.group(2)
