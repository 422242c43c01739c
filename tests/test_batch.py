"""Batches: extractor.batch (order, errors, jobs), the CLI's batch path, progress, rule cache."""
from __future__ import annotations

import io
import json
import os
import subprocess
import sys
import time
from pathlib import Path

import pytest

from extractor import Engine, batch, cli, progress, rulecache
from extractor.batch import FileError, Options, iter_results, summarize_many
from extractor.source import read_path

from .conftest import sample_copies

ROOT = Path(__file__).resolve().parents[1]
SAMPLES = sorted((ROOT / "samples").glob("*.txt"))
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00\x00\x00\rIHDR" + bytes(range(64))
# Valid UTF-8 with invalid bytes in the middle: neither UTF-8, GB18030 nor any guess.
UNDECODABLE = "会议".encode("utf-8") * 20 + b"\xff\xfe\x81" + "会议".encode("utf-8") * 20


pytestmark = pytest.mark.usefixtures("private_rule_cache")


def _env(**extra):
    env = dict(os.environ)
    env.update(extra)
    return env


def _cli(*args, **kw):
    return subprocess.run([sys.executable, "-m", "extractor.cli", *map(str, args)], capture_output=True,
                          text=True, env=_env(), cwd=kw.pop("cwd", ROOT), timeout=kw.pop("timeout", 300), **kw)


def _make_batch(d: Path, good: int = 27) -> tuple[list[Path], dict[str, Path]]:
    """``good`` copies of the samples plus a binary and an undecodable file; and a missing path."""
    files = sample_copies(d, good, width=2)
    bad = {"binary": d / "50_picture.txt", "undecodable": d / "51_mangled.txt",
           "missing": d.parent / "no-such-report.txt"}
    bad["binary"].write_bytes(PNG)
    bad["undecodable"].write_bytes(UNDECODABLE)
    return files, bad


# --------------------------------------------------------------------------- the CLI

def test_cli_batch_jsonl_with_bad_files(tmp_path):
    files, bad = _make_batch(tmp_path / "in")
    out = tmp_path / "out" / "out.jsonl"
    out.parent.mkdir()
    p = _cli(tmp_path / "in", bad["missing"], "--format", "jsonl", "-o", out, "--jobs", "2")
    assert p.returncode == 1, p.stderr
    assert p.stdout == ""
    assert "Traceback" not in p.stderr and "\r" not in p.stderr  # no progress bar: stderr is not a TTY
    recs = [json.loads(line) for line in out.read_text(encoding="utf-8").splitlines()]
    assert len(recs) == 30
    ok = [r for r in recs if "error" not in r]
    errs = [r for r in recs if "error" in r]
    assert len(ok) == 27 and len(errs) == 3
    # input order: the directory sorted, then the explicit missing path
    expected_order = [str(f) for f in sorted(files + [bad["binary"], bad["undecodable"]])] + [str(bad["missing"])]
    assert [r["file"] for r in recs] == expected_order
    by_file = {r["file"]: r["error"] for r in errs}
    assert "binary" in by_file[str(bad["binary"])]
    assert "cannot decode" in by_file[str(bad["undecodable"])]
    assert "cannot open" in by_file[str(bad["missing"])]
    for msg in by_file.values():
        assert f"summarize: {msg}" in p.stderr.splitlines()
    assert all(r["title"] for r in ok)
    # written atomically: no temporary file left beside the output
    assert [x.name for x in out.parent.iterdir()] == ["out.jsonl"]


def test_cli_batch_of_1000_files_with_10_bad(tmp_path):
    """Issue 5's batch: 990 readable reports and 10 bad files give 990 summaries and
    10 error records, in input order, exit status 1."""
    d = tmp_path / "in"
    d.mkdir()
    bad = set(range(5, 1000, 100))
    for i in range(1000):
        f = d / f"{i:04d}.txt"
        if i in bad:
            f.write_bytes(PNG if i % 200 == 5 else UNDECODABLE)
        else:
            f.write_bytes(SAMPLES[i % len(SAMPLES)].read_bytes())
    out = tmp_path / "out.jsonl"
    p = _cli(d, "--format", "jsonl", "-o", out, "--jobs", "2")
    assert p.returncode == 1, p.stderr[-500:]
    recs = [json.loads(line) for line in out.read_text(encoding="utf-8").splitlines()]
    assert len(recs) == 1000
    assert [r["file"] for r in recs] == [str(d / f"{i:04d}.txt") for i in range(1000)]
    errs = [i for i, r in enumerate(recs) if "error" in r]
    assert errs == sorted(bad)
    assert sum(1 for r in recs if "error" not in r and r["title"]) == 990


def test_cli_batch_same_output_for_jobs_1_and_2(tmp_path):
    _make_batch(tmp_path / "in", good=24)
    outs = {}
    for jobs in (1, 2):
        p = _cli(tmp_path / "in", "--format", "jsonl", "--jobs", jobs)
        assert p.returncode == 1
        outs[jobs] = (p.stdout, p.stderr)
    assert outs[1] == outs[2]
    assert outs[1][0].count("\n") == 26


@pytest.mark.parametrize("fmt", ["markdown", "json"])
def test_cli_batch_formats_match_one_by_one(tmp_path, fmt):
    d = tmp_path / "in"
    d.mkdir()
    for f in SAMPLES[:3]:
        (d / f.name).write_bytes(f.read_bytes())
    p = _cli(d, "--format", fmt, "--jobs", "2")
    assert p.returncode == 0, p.stderr
    pieces = []
    for f in sorted(d.iterdir()):
        one = _cli(f, "--format", fmt)
        if fmt == "markdown":
            pieces.append(f"<!-- {f} -->\n{one.stdout}\n")
        else:  # several files: one JSON object a line, with the file name first
            d1 = {"file": str(f)}
            d1.update(json.loads(one.stdout))
            pieces.append(json.dumps(d1, ensure_ascii=False) + "\n")
    assert p.stdout == "".join(pieces)


@pytest.mark.parametrize("jobs", [1, 2])
def test_closed_pipe_ends_quietly(tmp_path, jobs):
    d = tmp_path / "in"
    sample_copies(d, 120, width=3)  # well over a pipe buffer of output
    err = tmp_path / "stderr.txt"
    with open(err, "wb") as fe:
        proc = subprocess.Popen([sys.executable, "-m", "extractor.cli", str(d), "--format", "jsonl",
                                 "--jobs", str(jobs)], stdout=subprocess.PIPE, stderr=fe, env=_env(), cwd=ROOT)
        first = proc.stdout.readline()
        proc.stdout.close()  # like `| head -1`
        rc = proc.wait(timeout=120)
    assert json.loads(first)["file"].endswith(".txt")
    text = err.read_text(encoding="utf-8", errors="replace")
    assert "Traceback" not in text and "Exception ignored" not in text and "BrokenPipe" not in text
    assert rc == 0


def test_cli_jobs_must_be_positive(tmp_path):
    p = _cli(SAMPLES[0], SAMPLES[1], "--jobs", "0")
    assert p.returncode == 2
    assert "--jobs" in p.stderr and "Traceback" not in p.stderr


def test_cli_batch_with_stdin_among_files():
    text = SAMPLES[0].read_bytes()
    p = subprocess.run([sys.executable, "-m", "extractor.cli", "-", str(SAMPLES[1]), "-f", "jsonl", "-j", "2"],
                       input=text, capture_output=True, env=_env(), cwd=ROOT, timeout=120)
    assert p.returncode == 0, p.stderr
    recs = [json.loads(x) for x in p.stdout.decode("utf-8").splitlines()]
    assert [r["file"] for r in recs] == ["-", str(SAMPLES[1])]
    assert recs[0]["title"] == json.loads(_cli(SAMPLES[0], "-f", "json").stdout)["title"]


# --------------------------------------------------------------------------- the API

def test_summarize_many_in_order_with_errors(workers_at_once, tmp_path, engine):
    files, bad = _make_batch(tmp_path / "in", good=12)
    paths = [str(f) for f in files[:5]] + [str(bad["missing"]), str(bad["binary"])] + [str(f) for f in files[5:]]
    results = list(summarize_many(paths, engine, jobs=2))
    assert [p for p, _ in results] == paths
    errors = [(p, r) for p, r in results if isinstance(r, FileError)]
    assert [p for p, _ in errors] == [str(bad["missing"]), str(bad["binary"])]
    assert all(str(r).startswith(p) and r.kind == "read" for p, r in errors)
    for p, r in results:
        if not isinstance(r, FileError):
            assert r == engine.summarize_source(read_path(p)).to_dict()


def test_jobs_1_and_2_identical_api(workers_at_once, engine):
    paths = [str(p) for p in SAMPLES] * 3
    one = list(summarize_many(paths, engine, jobs=1, explain=True))
    two = list(summarize_many(paths, engine, jobs=2, explain=True, chunksize=2))
    assert one == two


@pytest.fixture
def workers_at_once(monkeypatch):
    """Workers start with the first file, however quick the batch (see batch.POOL_AFTER)."""
    monkeypatch.setattr(batch, "POOL_AFTER", 0)


@pytest.fixture
def pid_of(monkeypatch):
    """Each result's warnings become [pid of the process that made it], after ``delay`` s."""
    real = batch.process
    delay = []

    def tagged(eng, path, payload, opts):  # forked workers inherit the patched module
        time.sleep(delay[0] if delay else 0.002)
        r = real(eng, path, payload, opts)
        r.warnings = [os.getpid()]
        return r

    monkeypatch.setattr(batch, "process", tagged)
    return delay


def test_this_process_works_beside_its_workers(workers_at_once, pid_of, engine):
    """jobs=2 is one worker process and the caller, sharing the files; order is kept."""
    paths = [str(p) for p in SAMPLES] * 4
    results = list(iter_results(paths, engine, jobs=2, opts=Options("dict")))
    assert [r.path for r in results] == paths
    assert [r.value for r in results] == [engine.summarize_source(read_path(p)).to_dict() for p in paths]
    pids = {r.warnings[0] for r in results}
    assert os.getpid() in pids and len(pids) == 2


def test_workers_start_only_for_a_long_batch(pid_of, engine):
    me = os.getpid()
    few = [str(p) for p in SAMPLES[:5]]
    assert [r.warnings[0] for r in iter_results(few, engine, jobs=2)] == [me] * 5
    pid_of.append(0.02)  # 0.02 s a file: after two files, 38 more would take 0.76 s alone
    many = [str(p) for p in SAMPLES] * 2
    results = list(iter_results(many, engine, jobs=2))
    assert [r.path for r in results] == many
    pids = [r.warnings[0] for r in results]
    assert pids[:2] == [me] * 2 and len(set(pids)) == 2  # the first two measure the pace


@pytest.mark.parametrize("source", [None, {"overlays": []}, "factory"])
def test_engine_sources(workers_at_once, source):
    if source == "factory":
        source = Engine.load
    paths = [str(p) for p in SAMPLES[:3]]
    got = [r for _, r in summarize_many(paths, source, jobs=2)]
    ref = Engine.load()
    assert got == [ref.summarize_source(read_path(p)).to_dict() for p in paths]


def test_spawned_workers_build_their_engine(workers_at_once, monkeypatch):
    import multiprocessing
    monkeypatch.setattr(batch, "_context", lambda: multiprocessing.get_context("spawn"))
    paths = [str(p) for p in SAMPLES[:4]]
    got = [r for _, r in summarize_many(paths, {"overlays": []}, jobs=2)]
    ref = Engine.load()
    assert got == [ref.summarize_source(read_path(p)).to_dict() for p in paths]


def test_consumer_stopping_early_cancels(workers_at_once, engine):
    paths = [str(p) for p in SAMPLES] * 20
    it = iter_results(paths, engine, jobs=2, opts=Options("dict"))
    first = next(it)
    it.close()  # shuts the pool down without working through the rest
    assert first.path == paths[0] and first.error is None


def test_internal_error_becomes_a_record(monkeypatch, engine):
    class Boom:
        def summarize_source(self, src):
            raise ValueError("boom")

    res = batch.process(Boom(), "x.txt", "text", Options())
    assert res.internal and res.error == "x.txt: internal error: ValueError: boom"
    assert isinstance(res.as_error(), FileError) and res.as_error().kind == "internal"


def test_atomic_output_discard_leaves_nothing(tmp_path):
    target = tmp_path / "out.jsonl"
    target.write_text("old\n", encoding="utf-8")
    out = cli.AtomicOutput(str(target))
    out.write("new\n")
    out.discard()
    assert target.read_text(encoding="utf-8") == "old\n"
    assert [x.name for x in tmp_path.iterdir()] == ["out.jsonl"]
    out = cli.AtomicOutput(str(target))
    out.write("new\n")
    out.commit()
    assert target.read_text(encoding="utf-8") == "new\n"
    assert [x.name for x in tmp_path.iterdir()] == ["out.jsonl"]
    if os.name == "posix":
        mask = os.umask(0)
        os.umask(mask)
        assert target.stat().st_mode & 0o777 == 0o666 & ~mask


# --------------------------------------------------------------------------- progress

class _TTY(io.StringIO):
    def isatty(self):
        return True


def test_progress_only_on_a_tty_and_long_batches(monkeypatch):
    monkeypatch.delenv("TERM", raising=False)
    s = _TTY()
    bar = progress.Progress(25, stream=s)
    for _ in range(25):
        bar.update()
    bar.close()
    out = s.getvalue()
    assert "25/25 files" in out and out.endswith("\n") and "\r" in out
    quiet = io.StringIO()  # not a terminal
    bar = progress.Progress(25, stream=quiet)
    for _ in range(25):
        bar.update()
    bar.close()
    assert quiet.getvalue() == ""
    short = _TTY()
    bar = progress.Progress(progress.MIN_FILES - 1, stream=short)
    bar.update()
    bar.close()
    assert short.getvalue() == ""


def test_progress_clear_erases_the_line():
    s = _TTY()
    bar = progress.Progress(30, stream=s, enabled=True)
    bar.update()
    bar.clear()
    assert s.getvalue().endswith("\r\x1b[2K")
    bar.clear()  # nothing shown: nothing written
    assert s.getvalue().count("\x1b[2K") == 1


# --------------------------------------------------------------------------- rule cache

def test_rule_cache_hit_equals_fresh_load(tmp_path, monkeypatch):
    monkeypatch.setenv("JIYAO_CACHE_DIR", str(tmp_path / "c"))
    first = rulecache.load()
    assert len(list((tmp_path / "c").glob("rules-*.pickle"))) == 1
    second = rulecache.load()
    text = SAMPLES[0].read_text(encoding="utf-8")
    fresh = Engine.load()
    assert second.summarize(text).to_dict(True) == fresh.summarize(text).to_dict(True) == \
        first.summarize(text).to_dict(True)
    assert [r.id for r in second.book.rules] == [r.id for r in fresh.book.rules]


def test_rule_cache_sees_rule_changes_and_errors(tmp_path, monkeypatch):
    monkeypatch.setenv("JIYAO_CACHE_DIR", str(tmp_path / "c"))
    overlay = tmp_path / "overlay"
    overlay.mkdir()
    rule = overlay / "x.yaml"
    rule.write_text("disable: [%s]\n" % Engine.load().book.rules[0].id, encoding="utf-8")
    a = rulecache.load(overlays=[overlay])
    assert not a.book.rules[0].enabled or a.book.disabled
    rule.write_text("rules:\n  - id: broken\n    kind: nonsense\n", encoding="utf-8")
    from extractor.errors import RuleError
    with pytest.raises(RuleError):
        rulecache.load(overlays=[overlay])
    rule.write_text("rules: []\n", encoding="utf-8")
    b = rulecache.load(overlays=[overlay])
    assert not b.book.disabled


def test_rule_cache_off_and_corrupt(tmp_path, monkeypatch):
    d = tmp_path / "c"
    monkeypatch.setenv("JIYAO_CACHE_DIR", str(d))
    monkeypatch.setenv("JIYAO_NO_CACHE", "1")
    rulecache.load()
    assert not d.exists()
    monkeypatch.delenv("JIYAO_NO_CACHE")
    rulecache.load()
    (f,) = d.glob("rules-*.pickle")
    f.write_bytes(b"not a pickle")
    e = rulecache.load()  # falls back to compiling, and repairs the file
    assert isinstance(e, Engine)
    assert f.read_bytes() != b"not a pickle"
