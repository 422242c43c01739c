"""Dask: a LocalCluster of two worker processes gives the same results as one process."""
from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

pytest.importorskip("dask.distributed")

from extractor import Engine  # noqa: E402
from extractor.dask_helpers import summarize_bag  # noqa: E402
from extractor.source import read_path  # noqa: E402

ROOT = Path(__file__).resolve().parents[1]
SAMPLES = sorted((ROOT / "samples").glob("*.txt"))


@pytest.fixture(scope="module")
def client(tmp_path_factory):
    import logging

    from dask.distributed import Client, LocalCluster

    os.environ.setdefault("JIYAO_CACHE_DIR", str(tmp_path_factory.getbasetemp() / "rulecache"))
    cluster = LocalCluster(n_workers=2, threads_per_worker=1, processes=True, dashboard_address=None,
                           silence_logs=logging.ERROR)
    c = Client(cluster)
    yield c
    c.close()
    cluster.close()


def test_local_cluster_matches_single_process(client):
    assert len(client.scheduler_info()["workers"]) == 2
    paths = [str(p) for p in SAMPLES]
    got = summarize_bag(paths).compute()
    engine = Engine.load()
    want = [{"file": p, **engine.summarize_source(read_path(p)).to_dict()} for p in paths]
    assert got == want


def test_texts_errors_and_explain(client, tmp_path):
    texts = [p.read_text(encoding="utf-8") for p in SAMPLES[:3] if "gb18030" not in p.name]
    engine = Engine.load()
    assert summarize_bag(texts, explain=True, kind="text").compute() == \
        [engine.summarize(t).to_dict(True) for t in texts]
    missing = str(tmp_path / "missing.txt")
    out = summarize_bag([missing, str(SAMPLES[0])], npartitions=2).compute()
    assert out[0]["file"] == missing and "cannot open" in out[0]["error"]
    assert out[1]["title"]


def test_rules_as_engine_or_overlay(client, tmp_path):
    overlay = tmp_path / "overlay"
    overlay.mkdir()
    (overlay / "off.yaml").write_text("rules: []\n", encoding="utf-8")
    paths = [str(p) for p in SAMPLES[:4]]
    engine = Engine.load()
    a = summarize_bag(paths, rules=engine).compute()
    b = summarize_bag(paths, rules=[str(overlay)]).compute()
    assert a == b == [{"file": p, **engine.summarize_source(read_path(p)).to_dict()} for p in paths]


def test_cli_dask_local_matches_jobs_1(tmp_path):
    env = dict(os.environ, JIYAO_NO_CONFIG="1")
    args = [sys.executable, "-m", "extractor.cli", *map(str, SAMPLES), "--format", "jsonl"]
    local = subprocess.run(args + ["--dask", "local"], capture_output=True, text=True, env=env, cwd=ROOT,
                           timeout=300)
    one = subprocess.run(args + ["--jobs", "1"], capture_output=True, text=True, env=env, cwd=ROOT, timeout=300)
    assert local.returncode == one.returncode == 0, local.stderr
    assert "Traceback" not in local.stderr
    assert local.stdout == one.stdout


# --------------------------------------------------------------------------- streaming

def test_stream_holds_a_bounded_number_of_partitions(client):
    """The stream takes inputs lazily: never more than window x partition_size items are
    out (taken from the input, not yet yielded back), and results come in input order."""
    from extractor.batch import Options
    from extractor.dask_helpers import stream_partitions

    paths = [str(SAMPLES[i % len(SAMPLES)]) for i in range(23)]
    taken = 0
    outstanding = []

    def items():
        nonlocal taken
        for p in paths:
            taken += 1
            yield p, None

    given = 0
    got = []
    for part in stream_partitions(client, items(), None, Options("jsonl"), partition_size=2, window=3):
        outstanding.append(taken - given)
        given += len(part)
        got.extend(part)
    assert max(outstanding) <= 3 * 2
    assert taken == given == len(paths)
    engine = Engine.load()
    import json
    assert [json.loads(r.value) for r in got] == \
        [{"file": p, **engine.summarize_source(read_path(p)).to_dict()} for p in paths]


def test_stream_stopped_early_cancels_the_rest(client):
    from extractor.batch import Options
    from extractor.dask_helpers import stream_partitions

    paths = [(str(SAMPLES[0]), None)] * 50
    parts = stream_partitions(client, iter(paths), None, Options("jsonl"), partition_size=5, window=2)
    assert len(next(parts)) == 5
    parts.close()  # what a closed pipe does: nothing is left queued on the cluster
    import time
    def left():
        return any(client.processing().values()) or [k for k in client.who_has() if str(k).startswith("_partition")]

    for _ in range(100):  # the scheduler forgets the cancelled and released tasks soon after
        if not left():
            break
        time.sleep(0.1)
    assert not any(client.processing().values())
    assert not [k for k in client.who_has() if str(k).startswith("_partition")]


# --------------------------------------------------------------------------- the Bag

def test_summarize_bag_composes(client, tmp_path):
    import dask.bag as db

    paths = [str(p) for p in SAMPLES]
    bag = summarize_bag(paths, partition_size=3)
    assert isinstance(bag, db.Bag) and bag.npartitions == -(-len(paths) // 3)
    chaired = bag.filter(lambda d: "error" not in d and d["hosts"]).map(lambda d: (d["file"], d["hosts"][0]["name"]))
    engine = Engine.load()
    want = [(p, s.hosts[0].name) for p in paths for s in [engine.summarize_source(read_path(p))] if s.hosts]
    assert chaired.compute() == want and want
    # a Bag of paths in, the JSON Lines out
    import json
    out = summarize_bag(db.from_sequence(paths, npartitions=2)).map(json.dumps, ensure_ascii=False)
    out.to_textfiles(str(tmp_path / "part-*.jsonl"))
    lines = [json.loads(x) for f in sorted(tmp_path.glob("part-*.jsonl")) for x in f.read_text("utf-8").splitlines()]
    assert lines == bag.compute()


def test_summarize_bag_to_dataframe(client):
    pytest.importorskip("pandas")
    pytest.importorskip("dask.dataframe")
    bag = summarize_bag([str(p) for p in SAMPLES[:4]])
    df = bag.map(lambda d: {"file": d["file"], "meeting": d.get("meeting"), "hosts": len(d.get("hosts", []))}) \
        .to_dataframe().compute()
    assert list(df["file"]) == [str(p) for p in SAMPLES[:4]]


# --------------------------------------------------------------------------- fsspec

def test_fsspec_memory_urls_and_globs():
    """memory:// lives in one process: the threads scheduler reads it where it was written."""
    fsspec = pytest.importorskip("fsspec")
    fs = fsspec.filesystem("memory")
    texts = {f"/jiyao-test/in/r{i}.txt": SAMPLES[i].read_bytes() for i in range(3)}
    for k, v in texts.items():
        fs.pipe(k, v)
    fs.pipe("/jiyao-test/in/skip.json", b"{}")
    try:
        got = summarize_bag(["memory://jiyao-test/in/*.txt", "memory://jiyao-test/in/none.txt"]) \
            .compute(scheduler="threads")
        whole_dir = summarize_bag("memory://jiyao-test/in").compute(scheduler="threads")
    finally:
        fs.rm("/jiyao-test", recursive=True)
    engine = Engine.load()
    want = [engine.summarize_source(read_path(str(SAMPLES[i]))).to_dict() for i in range(3)]
    assert [d["file"] for d in got[:3]] == [f"memory:///jiyao-test/in/r{i}.txt" for i in range(3)]
    assert [{k: v for k, v in d.items() if k != "file"} for d in got[:3]] == want
    assert got[3]["file"] == "memory://jiyao-test/in/none.txt" and "cannot open" in got[3]["error"]
    assert whole_dir == got[:3]


def test_cli_file_url_glob_read_by_workers(tmp_path):
    pytest.importorskip("fsspec")
    for i, p in enumerate(SAMPLES[:4]):
        (tmp_path / f"r{i}.txt").write_bytes(p.read_bytes())
    url = f"file://{tmp_path}/*.txt"
    env = dict(os.environ, JIYAO_NO_CONFIG="1")
    args = [sys.executable, "-m", "extractor.cli", url, "--format", "jsonl"]
    dask = subprocess.run(args + ["--dask", "local"], capture_output=True, text=True, env=env, cwd=ROOT, timeout=300)
    one = subprocess.run(args + ["--jobs", "1"], capture_output=True, text=True, env=env, cwd=ROOT, timeout=300)
    assert dask.returncode == one.returncode == 0, dask.stderr
    assert dask.stdout == one.stdout
    import json
    assert [json.loads(x)["file"] for x in dask.stdout.splitlines()] == [f"file://{tmp_path}/r{i}.txt" for i in range(4)]


# --------------------------------------------------------------------------- parquet from Dask

@pytest.mark.slow
def test_cli_dask_parquet_one_file_per_partition(tmp_path):
    pq = pytest.importorskip("pyarrow.parquet")
    env = dict(os.environ, JIYAO_NO_CONFIG="1")
    files = list(map(str, SAMPLES))
    base = [sys.executable, "-m", "extractor.cli", *files, "-f", "parquet"]
    d = subprocess.run(base + ["-o", str(tmp_path / "d.parquet"), "--dask", "local", "--partition-size", "4"],
                       capture_output=True, text=True, env=env, cwd=ROOT, timeout=300)
    one = subprocess.run(base + ["-o", str(tmp_path / "one.parquet"), "--jobs", "1"], capture_output=True,
                         text=True, env=env, cwd=ROOT, timeout=300)
    assert d.returncode == one.returncode == 0, d.stderr
    parts = sorted(os.listdir(tmp_path / "d.parquet"))
    assert len(parts) == -(-len(files) // 4) and parts == sorted(os.listdir(tmp_path / "d.people.parquet"))
    assert [pq.read_metadata(tmp_path / "d.parquet" / p).num_rows for p in parts][:2] == [4, 4]
    assert pq.read_table(tmp_path / "d.parquet").to_pylist() == pq.read_table(tmp_path / "one.parquet").to_pylist()
    assert pq.read_table(tmp_path / "d.people.parquet").to_pylist() == \
        pq.read_table(tmp_path / "one.people.parquet").to_pylist()


def test_cli_dask_progress_on_a_terminal(tmp_path):
    """A long --dask run shows the progress bar on a terminal (stderr), counted from the stream."""
    import pty
    import select
    for i in range(25):
        (tmp_path / f"r{i:02d}.txt").write_bytes(SAMPLES[i % len(SAMPLES)].read_bytes())
    master, slave = pty.openpty()
    env = dict(os.environ, JIYAO_NO_CONFIG="1", TERM="xterm", COLUMNS="100")
    p = subprocess.Popen([sys.executable, "-m", "extractor.cli", str(tmp_path), "-f", "jsonl",
                          "-o", str(tmp_path / "out.jsonl"), "--dask", "local"],
                         stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=slave, env=env, cwd=ROOT)
    os.close(slave)
    seen = b""
    while True:
        r, _, _ = select.select([master], [], [], 1.0)
        if r:
            try:
                chunk = os.read(master, 4096)
            except OSError:
                break
            if not chunk:
                break
            seen += chunk
        elif p.poll() is not None:
            break
    p.wait(timeout=300)
    os.close(master)
    assert p.returncode == 0, seen
    assert b"25/25 files" in seen and b"\r[" in seen
    assert len((tmp_path / "out.jsonl").read_text(encoding="utf-8").splitlines()) == 25
