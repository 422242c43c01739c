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


def test_readme_rule_example_passes_its_own_examples(tmp_path):
    import subprocess
    import sys
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    m = re.search(r"## Adding a rule.*?```yaml\n(.*?)```", readme, re.S)
    (tmp_path / "readme_rule.yaml").write_text(m.group(1), encoding="utf-8")
    r = subprocess.run([sys.executable, "-m", "extractor.cli", "rules", "test", str(tmp_path)],
                       capture_output=True, text=True, encoding="utf-8")
    assert r.returncode == 0, r.stdout + r.stderr
    assert "2 passed" in r.stdout
