"""Faults and hostile input (issue 17): a batch loses nothing and runs nothing it should not.

Dead workers, file names that are not UTF-8, FIFOs and devices, size caps, orphaned workers,
SIGTERM, output injection, rule-file bombs, unwritable ``-o`` targets."""
from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from extractor import Engine, batch, cli
from extractor.batch import Options, iter_results
from extractor.source import read_path

from .conftest import sample_copies

ROOT = Path(__file__).resolve().parents[1]
SAMPLES = sorted((ROOT / "samples").glob("*.txt"))


pytestmark = pytest.mark.usefixtures("private_rule_cache")


def _cli(*args, **kw):
    return subprocess.run([sys.executable, "-m", "extractor.cli", *map(os.fsencode, map(str, args))],
                          capture_output=True, cwd=kw.pop("cwd", ROOT), timeout=kw.pop("timeout", 300), **kw)


def _copies(d: Path, n: int) -> list[str]:
    return [str(p) for p in sample_copies(d, n)]


# -- 1. a worker killed for real --------------------------------------------------------------

@pytest.fixture
def killer(monkeypatch, tmp_path):
    """Workers (never this process) SIGKILL themselves on the files named in the returned
    list; a name prefixed with ``once:`` kills only the first worker that meets it."""
    monkeypatch.setattr(batch, "POOL_AFTER", 0)
    real = batch.process
    me = os.getpid()
    names: list[str] = []

    def process(eng, path, payload, opts):  # forked workers inherit the patched module
        if os.getpid() != me:
            base = os.path.basename(path)
            if base in names:
                os.kill(os.getpid(), signal.SIGKILL)
            if "once:" + base in names:
                try:
                    os.close(os.open(tmp_path / ("killed-" + base), os.O_CREAT | os.O_EXCL))
                except FileExistsError:
                    pass
                else:
                    os.kill(os.getpid(), signal.SIGKILL)
        return real(eng, path, payload, opts)

    monkeypatch.setattr(batch, "process", process)
    return names


def test_killed_worker_its_files_rerun(killer, engine, tmp_path):
    paths = _copies(tmp_path / "in", 60)
    killer.append("once:" + os.path.basename(paths[0]))  # the first chunk goes to the worker
    got = list(iter_results(paths, engine, jobs=2, opts=Options("dict"), chunksize=4))
    assert (tmp_path / ("killed-" + os.path.basename(paths[0]))).exists()  # a worker did die
    assert [r.path for r in got] == paths
    assert [r.error for r in got] == [None] * len(paths)
    assert [r.value for r in got] == [engine.summarize_source(read_path(p)).to_dict() for p in paths]


def test_file_that_kills_every_worker_becomes_an_error(killer, engine, tmp_path):
    paths = _copies(tmp_path / "in", 60)
    poison = os.path.basename(paths[1])
    killer.append(poison)
    got = list(iter_results(paths, engine, jobs=2, opts=Options("dict"), chunksize=4))
    assert [r.path for r in got] == paths
    bad = [r for r in got if r.error]
    assert [r.path for r in bad] == [paths[1]]  # only the file that kills, named
    assert poison in bad[0].error and "died" in bad[0].error and not bad[0].internal
    good = [r for r in got if not r.error]
    assert [r.value for r in good] == [engine.summarize_source(read_path(r.path)).to_dict() for r in good]


def test_killed_worker_cli_batch_writes_the_rest(killer, engine, tmp_path):
    import argparse
    paths = _copies(tmp_path / "in", 40)
    killer.append(os.path.basename(paths[0]))
    out = tmp_path / "out.jsonl"
    args = argparse.Namespace(explain=False, encoding=None, input_format=None, output=str(out), jobs=2,
                              dask=None, max_size=None)
    status = cli.run_cli(args, engine, paths, "jsonl")
    assert status == 1
    lines = [json.loads(x) for x in out.read_text(encoding="utf-8").splitlines()]
    assert [d["file"] for d in lines] == paths
    assert "error" in lines[0] and paths[0] in lines[0]["error"]
    assert all("error" not in d for d in lines[1:])


# -- 2. file names that are not UTF-8; 11. names with control characters ---------------------

BAD_NAME = b"b\xff.txt"


@pytest.fixture
def odd_names(tmp_path):
    d = tmp_path / "in"
    d.mkdir()
    text = SAMPLES[0].read_bytes()
    (d / "a.txt").write_bytes(text)
    with open(os.path.join(os.fsencode(d), BAD_NAME), "wb") as f:
        f.write(text)
    (d / "c\nsummarize: forged.txt").write_bytes(b"\x89PNG\r\n\x1a\n" + bytes(range(40)))
    return d


@pytest.mark.parametrize("fmt", ["jsonl", "csv", "markdown", "yaml", "csv-points"])
@pytest.mark.parametrize("to_file", [True, False])
def test_non_utf8_file_name_in_a_batch(odd_names, tmp_path, fmt, to_file):
    out = tmp_path / f"out.{fmt}"
    r = _cli(odd_names, "-f", fmt, "-j", "2", *(["-o", out] if to_file else []))
    data = out.read_bytes() if to_file else r.stdout
    text = data.decode("utf-8")  # valid UTF-8
    assert r.returncode == 1, r.stderr  # the PNG named with a newline
    if fmt in ("csv", "markdown"):
        assert "b\\xff.txt" in text  # Python's backslashreplace of the name's bytes
    if fmt == "jsonl":
        assert [json.loads(x)["file"] for x in text.splitlines()] == [
            str(odd_names / "a.txt"), str(odd_names) + "/b\\xff.txt", str(odd_names) + "/c\\nsummarize: forged.txt"]
    err = r.stderr.decode("utf-8").splitlines()
    assert len(err) == 1 and "c\\nsummarize: forged.txt: looks like a binary file" in err[0]


@pytest.mark.parametrize("fmt", ["jsonl", "json", "csv", "html", "markdown"])
def test_non_utf8_file_name_alone(odd_names, tmp_path, fmt):
    path = os.path.join(os.fsencode(odd_names), BAD_NAME)
    out = tmp_path / "out"
    r = _cli(os.fsdecode(path), "-f", fmt, "-o", out)
    assert r.returncode == 0, r.stderr
    data = out.read_bytes()
    text = data.decode("utf-8")
    if fmt in ("jsonl", "json"):
        text_of = json.loads(text).get("file", "b\\xff.txt")
        assert text_of.endswith("b\\xff.txt")
    elif fmt in ("csv", "html"):
        assert "b\\xff.txt" in text
    r = _cli(os.fsdecode(path), "-f", fmt)
    assert r.returncode == 0 and r.stdout == data


# -- 4. FIFOs, devices, size caps -------------------------------------------------------------

def test_fifo_among_files_is_an_error(tmp_path, engine):
    paths = _copies(tmp_path / "in", 3)
    fifo = tmp_path / "in" / "fifo.txt"
    os.mkfifo(fifo)  # no writer: a blocking open would wait forever ...
    import threading

    def unblock():  # ... so that a reader that blocks fails this test instead of hanging it
        for _ in range(2):
            time.sleep(10)
            _has_reader(fifo)

    threading.Thread(target=unblock, daemon=True).start()
    got = list(iter_results([paths[0], str(fifo), paths[1]], engine, jobs=1, opts=Options("dict")))
    assert [r.error is None for r in got] == [True, False, True]
    assert "FIFO" in got[1].error
    r = _cli(tmp_path / "in", "-f", "jsonl", timeout=60)
    assert r.returncode == 1
    assert [("error" in json.loads(x)) for x in r.stdout.splitlines()] == [False, False, False, True]


def test_device_among_files_is_an_error(tmp_path, engine):
    """A .txt link to /dev/zero would be read until memory runs out."""
    paths = _copies(tmp_path / "in", 2)
    zero = tmp_path / "in" / "zero.txt"
    zero.symlink_to("/dev/zero")
    got = list(iter_results([paths[0], str(zero), paths[1]], engine, jobs=1, opts=Options("dict")))
    assert [r.error is None for r in got] == [True, False, True]
    assert "device" in got[1].error
    r = _cli(tmp_path / "in", "-f", "jsonl", timeout=60)
    assert r.returncode == 1
    assert [("error" in json.loads(x)) for x in r.stdout.splitlines()] == [False, False, True]


def _has_reader(fifo) -> bool:
    try:
        os.close(os.open(fifo, os.O_WRONLY | os.O_NONBLOCK))
    except OSError:  # ENXIO: nobody has it open for reading
        return False
    return True


def test_size_cap(tmp_path, engine):
    from extractor.batch import summarize_many
    from extractor.source import MAX_BYTES, ReadError
    assert MAX_BYTES == 50 * 1024 * 1024
    big = tmp_path / "big.txt"
    big.write_bytes(SAMPLES[0].read_bytes() * 4)
    size = big.stat().st_size
    with pytest.raises(ReadError, match="size limit"):
        read_path(str(big), max_bytes=size - 1)
    assert read_path(str(big), max_bytes=size).text
    assert read_path(str(big), max_bytes=None).text
    (_, err), (_, ok) = summarize_many([big, SAMPLES[0]], engine, jobs=1, max_bytes=size - 1)
    assert "size limit" in str(err) and isinstance(ok, dict)
    r = _cli(big, SAMPLES[0], "-f", "jsonl", "--max-size", f"{size - 1}")
    assert r.returncode == 1 and b"size limit" in r.stderr
    assert [("error" in json.loads(x)) for x in r.stdout.splitlines()] == [True, False]
    assert _cli(big, "--max-size", "1K").returncode == 1
    assert _cli(big, "--max-size", "0").returncode == 0
    assert _cli(big, "--max-size", "lots").returncode == 2


# -- 9. -o targets that cannot be written; 11. the mode of -o files --------------------------

@pytest.mark.parametrize("many", [False, True])
def test_unwritable_output_is_a_usage_error_before_work(tmp_path, many):
    inputs = [SAMPLES[0], SAMPLES[1]] if many else [SAMPLES[0]]
    for target in (tmp_path / "no-such-dir" / "x.json", tmp_path):
        r = _cli(*inputs, "-f", "jsonl", "-o", target)
        err = r.stderr.decode()
        assert r.returncode == 2 and len(err.splitlines()) == 1 and "internal" not in err, err
        assert str(target) in err


@pytest.mark.parametrize("many", [False, True])
def test_output_mode_follows_umask(tmp_path, many):
    inputs = [SAMPLES[0], SAMPLES[1]] if many else [SAMPLES[0]]
    out = tmp_path / "out.jsonl"
    r = subprocess.run(["sh", "-c", 'umask 027 && exec "$@"', "sh", sys.executable, "-m", "extractor.cli",
                        *map(str, inputs), "-f", "jsonl", "-o", str(out)], cwd=ROOT, capture_output=True)
    assert r.returncode == 0, r.stderr
    assert out.stat().st_mode & 0o777 == 0o640


# -- 7. workers end with their parent; SIGTERM is handled like Ctrl-C -------------------------

def _children(pid: int) -> list[int]:
    out = []
    for d in os.listdir("/proc"):
        if d.isdigit():
            try:
                with open(f"/proc/{d}/stat", "rb") as f:
                    stat = f.read()
            except OSError:
                continue
            if int(stat.rsplit(b")", 1)[1].split()[1]) == pid:
                out.append(int(d))
    return out


def _alive(pid: int) -> bool:
    try:
        with open(f"/proc/{pid}/stat", "rb") as f:
            return f.read().rsplit(b")", 1)[1].split()[0] != b"Z"
    except OSError:
        return False


def _until(cond, limit: float = 60.0) -> bool:
    """Poll ``cond`` until it holds (a generous bound: it catches "never", it times nothing)."""
    end = time.monotonic() + limit
    while time.monotonic() < end:
        if cond():
            return True
        time.sleep(0.05)
    return cond()


@pytest.mark.slow  # 4000 files, so that the batch is still running when it is killed
@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="reads /proc")
@pytest.mark.parametrize("sig", [signal.SIGKILL, signal.SIGTERM])
def test_no_worker_outlives_a_killed_batch(tmp_path, sig):
    _copies(tmp_path / "in", 4000)
    out = tmp_path / "out" / "all.jsonl"
    out.parent.mkdir()
    proc = subprocess.Popen([sys.executable, "-m", "extractor.cli", str(tmp_path / "in"), "-f", "jsonl",
                             "-j", "2", "-o", str(out)], cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    try:
        assert _until(lambda: _children(proc.pid) or proc.poll() is not None), "no worker started"
        workers = _children(proc.pid)
        assert workers and proc.poll() is None, "the batch ended before a worker could be seen"
        proc.send_signal(sig)
        _, err = proc.communicate(timeout=60)
        assert _until(lambda: not any(_alive(w) for w in workers)), "a worker outlived its parent"
    finally:
        if proc.poll() is None:
            proc.kill()
    if sig == signal.SIGTERM:
        assert proc.returncode == 143 and err.decode().strip() == "summarize: terminated"
        assert os.listdir(out.parent) == []  # no .summarize-XXXX.tmp left beside the target


# -- 5. YAML bombs in rule files; 11. files that are not rule files, unknown tags, labels ------

def _bomb(levels: int, width: int) -> str:
    """The "billion laughs": each anchor a list of ``width`` aliases of the one before."""
    out = ["settings:", "  lol0: &a0 [" + ", ".join(['"lol"'] * width) + "]"]
    for i in range(1, levels):
        out.append(f"  lol{i}: &a{i} [" + ", ".join([f"*a{i - 1}"] * width) + "]")
    return "\n".join(out) + "\n"


class _Run:
    def __init__(self, returncode: int, out: str) -> None:
        self.returncode, self.stdout = returncode, out.encode("utf-8")


def _rules_check(tmp_path, name: str, text: str) -> _Run:
    """``summarize rules check --no-shipped-rules DIR`` (in this process: the shipped rules
    are not compiled) of a directory holding ``text`` as ``name``."""
    import contextlib
    import io

    from extractor.cli import main
    d = tmp_path / "rules-under-test"
    d.mkdir(exist_ok=True)
    (d / name).write_text(text, encoding="utf-8")
    out = io.StringIO()
    with contextlib.redirect_stdout(out):
        rc = main(["rules", "check", "--no-shipped-rules", str(d)])
    return _Run(rc, out.getvalue())


@pytest.mark.parametrize("levels,width", [(6, 10), (9, 10)])  # 10^6 leaves; a billion
def test_alias_bomb_is_a_rule_error(tmp_path, levels, width):
    r = _rules_check(tmp_path, "bomb.yaml", _bomb(levels, width))
    out = r.stdout.decode()
    assert r.returncode == 2
    assert "bomb.yaml:3:14: yaml-alias" in out  # the first alias, file:line:col


def test_alias_bomb_from_a_config_file_stops_summarize(tmp_path):
    d = tmp_path / "proj"
    (d / "my-rules").mkdir(parents=True)
    (d / "my-rules" / "bomb.yaml").write_text(_bomb(9, 10), encoding="utf-8")
    (d / "jiyao.toml").write_text('rules = ["my-rules"]\n', encoding="utf-8")
    (d / "r.txt").write_bytes(SAMPLES[0].read_bytes())
    env = {k: v for k, v in os.environ.items() if k != "JIYAO_NO_CONFIG"}
    r = _cli("r.txt", cwd=d, env=env, timeout=60)
    assert r.returncode == 2 and b"yaml-alias" in r.stderr and b"internal" not in r.stderr


def test_deep_nesting_is_a_rule_error(tmp_path):
    r = _rules_check(tmp_path, "deep.yaml", "rules: " + "[" * 500 + "]" * 500 + "\n")
    assert r.returncode == 2 and "deep.yaml:1:" in r.stdout.decode() and "too-deep" in r.stdout.decode()
    r = _cli("--rules", tmp_path / "rules-under-test", SAMPLES[0], timeout=60)
    assert r.returncode == 2 and b"too-deep" in r.stderr and b"internal" not in r.stderr


def test_unknown_tag_is_a_rule_error(tmp_path):
    r = _rules_check(tmp_path, "tag.yaml", "rules:\n  - !!python/object:os.system {id: x}\n")
    out = r.stdout.decode()
    assert r.returncode == 2 and "tag.yaml:2:5: yaml-tag unknown tag '!!python/object:os.system'" in out


def test_a_file_that_is_not_a_rule_file_is_one_problem(tmp_path):
    text = "".join(f"user{i}:x:{i}:{i}:User {i}:/home/u{i}:/bin/sh\n" for i in range(20))  # like /etc/passwd
    r = _rules_check(tmp_path, "passwd.yaml", text)
    assert r.returncode == 2
    found = [x for x in r.stdout.decode().splitlines() if "passwd.yaml:" in x]
    assert len(found) == 1 and found[0].endswith(
        "passwd.yaml:1:1: not-a-rule-file not a rule file: a rule file is a "
        "mapping of patterns, rules, settings, numerals, labels, disable, fields")
    config_like = "".join(f"key{i}: value {i}\n" for i in range(10))  # another tool's YAML
    r = _rules_check(tmp_path, "passwd.yaml", config_like)
    assert r.returncode == 2 and r.stdout.decode().count("not-a-rule-file") == 1
    assert "unknown-key" not in r.stdout.decode()


def test_labels_must_be_strings(tmp_path):
    r = _rules_check(tmp_path, "labels.yaml", "labels:\n  untitled: [a]\n")
    assert r.returncode == 2 and "labels.yaml:2:13: bad-type label 'untitled' must be a string" in r.stdout.decode()


# -- 8. output injection ----------------------------------------------------------------------

INJECTED = "县委书记王强主持召开会议。\n县委书记王强讲话。\n王强强调,一要=cmd|' /C calc'!A0,加强领导。二要@SUM(1+1),抓好落实。\n"


def test_csv_cells_that_start_a_formula_are_neutralised(engine, tmp_path):
    from extractor.tables import _csv, record
    assert _csv([["=1+1", "+1", "-1", "@A1", "\tx", "\rx", "a=b", 3]]) == \
        "'=1+1,'+1,'-1,'@A1,'\tx,\"'\rx\",a=b,3\r\n"
    (tmp_path / "=HYPERLINK(1).txt").write_text(INJECTED, encoding="utf-8")
    r = _cli("=HYPERLINK(1).txt", "-f", "csv", cwd=tmp_path)
    rows = r.stdout.decode().splitlines()
    assert rows[1].startswith("'=HYPERLINK(1).txt,")
    d = {"points": [{"marker": "-", "lead": "=cmd|' /C calc'!A0", "items": [], "clauses": []}]}
    assert record("csv-points", "x", d, {}).splitlines()[1] == "x,1,'-,'=cmd|' /C calc'!A0,"


def test_file_name_cannot_close_the_markdown_comment(tmp_path):
    d = tmp_path / "in"
    d.mkdir()
    evil = "a--><img src=x onerror=alert(1)>.txt"
    (d / evil).write_text(INJECTED, encoding="utf-8")
    (d / "b.txt").write_text(INJECTED, encoding="utf-8")
    r = _cli(d, "-j", "1")
    md = r.stdout.decode()
    comments = [x for x in md.splitlines() if x.startswith("<!--")]
    assert len(comments) == 2
    for c in comments:  # one comment each, closed only at its end
        assert c.endswith(" -->") and "--" not in c[4:-3] and ">" not in c[:-1]
    import re

    from markdown_it import MarkdownIt
    html = MarkdownIt("commonmark", {"html": True}).render(md)  # raw HTML on, as many renderers have it
    assert "<img" not in re.sub(r"<!--.*?-->", "", html, flags=re.S)


def test_labels_are_escaped_in_markdown_and_html(engine, tmp_path):
    d = tmp_path / "labels"
    d.mkdir()
    (d / "labels.yaml").write_text(
        "labels:\n  points: '[link](http://example.com/x) <b>bold</b>'\n  untitled: '*x* <i>'\n", encoding="utf-8")
    eng = Engine.load(overlays=[d])
    s = eng.summarize("县委书记王强主持召开会议。王强强调,一要加强领导。二要抓好落实。")
    md = s.to_markdown()
    assert "## \\[link\\](http://example.com/x) \\<b\\>bold\\</b\\>" in md
    from extractor.report_html import to_html
    html = to_html(s, "")
    assert 'href="http://example.com/x"' not in html and "<b>bold" not in html
    assert "[link](http://example.com/x)" in html


# -- 11. a space (or a NUL, which becomes one) after a full stop keeps the clause lists -----------

@pytest.mark.parametrize("after", [" ", "\x00", "\u3000", "  "])
def test_space_after_full_stop_keeps_clauses(engine, after):
    from extractor.source import from_text
    text = (ROOT / "samples" / "county_committee_chrome.txt").read_text(encoding="utf-8")
    plain = engine.summarize(text).to_dict()["points"]
    assert any(p.get("clauses") for p in plain)
    spaced = engine.summarize_source(from_text(text.replace("\u3002", "\u3002" + after))).to_dict()["points"]
    assert [p.get("clauses") for p in spaced] == [p.get("clauses") for p in plain]


# -- 10. memory: reading Markdown and HTML takes a bounded multiple of the input ----------------

READ_MEMORY_FACTOR = 30
"""Peak memory of reading a Markdown or HTML file, over the interpreter's, is under this many
times its size (README, "Limits"); measured at 10 MB: Markdown 22x, HTML 16x (were 66x and 80x)."""


@pytest.mark.slow
@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="ru_maxrss in KiB is Linux's")
@pytest.mark.parametrize("fmt", ["md", "html"])
def test_reading_memory_is_a_bounded_multiple_of_the_input(tmp_path, fmt):
    paras = [p for p in (ROOT / "samples" / "county_committee_chrome.txt").read_text(encoding="utf-8").splitlines()
             if p.strip()]
    if fmt == "md":
        unit = "\n\n".join(("## " if i % 7 == 0 else "- " if i % 5 == 0 else "") + p + (" **b** [a](http://x) `c`" if i % 3 == 0 else "")
                           for i, p in enumerate(paras)) + "\n\n"
    else:
        unit = "".join(f"<p>{p} <b>b</b> &amp; <a href='x'>a</a></p>\n" for p in paras)
    data = unit.encode("utf-8") * (5_000_000 // len(unit.encode("utf-8")) + 1)
    path = tmp_path / f"big.{fmt}"
    path.write_bytes(data)
    code = ("import resource, sys; from extractor import source as reader; import markdown_it, html.parser, array; "
            "base = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss; "
            "src = reader.read_path(sys.argv[1]); assert src.text; "
            "print(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss - base)")
    r = subprocess.run([sys.executable, "-c", code, str(path)], capture_output=True, text=True, cwd=ROOT, timeout=600)
    assert r.returncode == 0, r.stderr
    grown = int(r.stdout) * 1024
    assert grown < READ_MEMORY_FACTOR * len(data), f"{grown / len(data):.0f} bytes per input byte"
