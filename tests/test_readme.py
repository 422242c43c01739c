"""The README shows real output: keep it in step with the engine."""
import re

from extractor.source import read_path

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


def test_quick_test_command_leaves_out_only_slow_tests_and_ci_runs_all():
    """The README's test command deselects the tests marked slow (registered in pyproject.toml);
    .ci/run runs every test; the 50 MB tests are the ones marked."""
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    m = re.search(r"## Run the tests\n+```sh\n(.*?)\n```", readme, re.S)
    assert m and m.group(1).endswith('python -m pytest -q -m "not slow"')
    pyproject = (ROOT / "pyproject.toml").read_text(encoding="utf-8")
    assert re.search(r'markers = \[\s*"slow: ', pyproject)
    ci = [ln.strip() for ln in (ROOT / ".ci" / "run").read_text(encoding="utf-8").splitlines()
          if "pytest" in ln and not ln.lstrip().startswith("#")]
    assert ci == ["python -m pytest -q"]
    src = (ROOT / "tests" / "test_robustness.py").read_text(encoding="utf-8")
    for name in ("test_50mb_file_cli", "test_50mb_file_api"):
        assert f"@pytest.mark.slow\ndef {name}(" in src
