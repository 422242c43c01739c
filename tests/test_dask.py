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
from extractor.reader import read_path  # noqa: E402

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
    got = summarize_bag(paths, client)
    engine = Engine.load()
    want = [{"file": p, **engine.summarize_source(read_path(p)).to_dict()} for p in paths]
    assert got == want


def test_texts_errors_and_explain(client, tmp_path):
    texts = [p.read_text(encoding="utf-8") for p in SAMPLES[:3] if "gb18030" not in p.name]
    engine = Engine.load()
    assert summarize_bag(texts, client, explain=True, kind="text") == \
        [engine.summarize(t).to_dict(True) for t in texts]
    missing = str(tmp_path / "missing.txt")
    out = summarize_bag([missing, str(SAMPLES[0])], client, npartitions=2)
    assert out[0]["file"] == missing and "cannot open" in out[0]["error"]
    assert out[1]["title"]


def test_rules_as_engine_or_overlay(client, tmp_path):
    overlay = tmp_path / "overlay"
    overlay.mkdir()
    (overlay / "off.yaml").write_text("rules: []\n", encoding="utf-8")
    paths = [str(p) for p in SAMPLES[:4]]
    engine = Engine.load()
    a = summarize_bag(paths, client, rules=engine)
    b = summarize_bag(paths, client, rules=[str(overlay)])
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
