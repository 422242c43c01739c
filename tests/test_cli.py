"""The `summarize` command as a user runs it."""
import json
import subprocess
import sys

from .conftest import SAMPLES

SEED = SAMPLES / "county_committee_chrome.txt"


def run(*args, stdin=None):
    return subprocess.run([sys.executable, "-m", "extractor.cli", *args], input=stdin,
                          capture_output=True, text=True, encoding="utf-8")


def test_markdown_default():
    r = run(str(SEED))
    assert r.returncode == 0, r.stderr
    assert r.stdout.startswith("# ")
    assert "Traceback" not in r.stderr


def test_json_matches_expected_keys():
    r = run(str(SEED), "--format", "json")
    d = json.loads(r.stdout)
    exp = json.loads((SAMPLES / "county_committee_chrome.expected.json").read_text(encoding="utf-8"))
    assert d["meeting"] == exp["meeting"] and d["hosts"] == exp["hosts"]


def test_explain_adds_evidence():
    d = json.loads(run(str(SEED), "--format", "json", "--explain").stdout)
    assert d["evidence"]["meeting"]["rule"].startswith("meeting.")


def test_stdin_and_several_files():
    r = run("-", "--format", "json", stdin=SEED.read_text(encoding="utf-8"))
    assert json.loads(r.stdout)["meeting"]
    r = run(str(SEED), str(SAMPLES / "fullwidth_yishi.txt"), "--format", "jsonl")
    lines = [json.loads(x) for x in r.stdout.splitlines()]
    assert [x["file"] for x in lines] == [str(SEED), str(SAMPLES / "fullwidth_yishi.txt")]


def test_unreadable_input_exit_1_one_line():
    r = run("/nonexistent/file.txt")
    assert r.returncode == 1
    assert len(r.stderr.strip().splitlines()) == 1 and "Traceback" not in r.stderr


def test_usage_error_exit_2():
    r = run("--format", "nope", str(SEED))
    assert r.returncode == 2 and "Traceback" not in r.stderr


def test_bad_rule_overlay_exit_2_with_location(tmp_path):
    (tmp_path / "bad.yaml").write_text("rules:\n  - id: x\n    kind: field\n    field: meeting\n    patern: 'a'\n",
                                       encoding="utf-8")
    r = run("--rules", str(tmp_path), str(SEED))
    assert r.returncode == 2
    assert "bad.yaml:5:5: unknown-key unknown rule key 'patern' (did you mean 'pattern'?)" in r.stderr
    assert "Traceback" not in r.stderr


def test_gb18030_file():
    r = run(str(SAMPLES / "gb18030_report.txt"), "--format", "json")
    exp = json.loads((SAMPLES / "gb18030_report.expected.json").read_text(encoding="utf-8"))
    assert json.loads(r.stdout)["title"] == exp["title"]


def test_version_help_and_no_arguments():
    import extractor
    r = run("--version")
    assert r.returncode == 0 and r.stdout.strip() == f"summarize (jiyao) {extractor.__version__}"
    r = run("--help")
    assert r.returncode == 0
    for sub in ("summarize rules check", "summarize schema", "summarize explain", "summarize eval"):
        assert sub in r.stdout
    r = run()
    assert r.returncode == 2 and r.stdout == ""
    assert "usage: summarize FILE" in r.stderr and "--help" in r.stderr and "Traceback" not in r.stderr


def test_empty_directory_says_so_and_exits_1(tmp_path):
    (tmp_path / "notes.csv").write_text("a,b\n", encoding="utf-8")
    for fmt in ("markdown", "json", "csv", "csv-points", "jsonl"):
        r = run(str(tmp_path), "--format", fmt)
        assert r.returncode == 1, fmt
        assert r.stdout == "", fmt
        assert r.stderr.startswith(f"summarize: no report files in {tmp_path}"), fmt
        assert len(r.stderr.splitlines()) == 1
    # with another input the rest is still summarised, and the status says one input was empty
    r = run(str(tmp_path), str(SEED), "--format", "jsonl")
    assert r.returncode == 1 and len(r.stdout.splitlines()) == 1
    assert "no report files in" in r.stderr


def test_explain_with_markdown_is_refused():
    r = run(str(SEED), "--explain")
    assert r.returncode == 2 and r.stdout == ""
    assert len(r.stderr.splitlines()) == 1 and "--explain" in r.stderr and "--format json" in r.stderr
    for fmt in ("json", "yaml", "csv", "html"):
        assert run(str(SEED), "--explain", "--format", fmt).returncode == 0, fmt


def test_every_subcommand_is_dispatched():
    """cli names the subcommands without importing them (a one-file run does without):
    its list and subcommands.COMMANDS must agree."""
    from extractor import cli, subcommands
    assert set(cli.SUBCOMMANDS) == set(subcommands.COMMANDS)
