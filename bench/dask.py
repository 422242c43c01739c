"""The Dask path against ``--jobs 1``, side by side (needs ``jiyao[dask]``; psutil, which
dask brings, is not needed).

    python bench/dask.py [--files 2000] [--rounds 2] [--scale 20000] [--json out.json]

Files are copies of samples/*.txt made in a temporary directory (bench/makefiles.py).
Each configuration runs ``summarize DIR -f jsonl -o OUT`` in a fresh process, rounds
alternating so that a change in machine load hits both:

* ``--jobs 1``: one process;
* ``--dask local``: the client, a LocalCluster of two one-thread worker processes;
* ``thread``: one process that summarises the same files in a second thread (the
  conditions of a Dask worker's task without Dask: per-call regex timeouts, no twins),
  to tell the engine's thread penalty from Dask's own overhead.

CPU time is that of the command and all its child processes (``RUSAGE_CHILDREN``); the
per-core rate is files per CPU second with the start-up (the same command over 20 files)
subtracted, so that it is what each core adds on a long run.  Every configuration's
output must be identical.  ``--scale N`` also runs ``--dask local`` over N files and
compares the client's peak RSS (``VmHWM`` of the summarize process alone, read from
/proc while it runs) with that of the ``--files`` run, and its output with ``--jobs 1``'s.
"""
from __future__ import annotations

import argparse
import filecmp
import json
import os
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "bench"))
from makefiles import make  # noqa: E402

TARGET = 1.3  # dask CPU per file <= 1.3 x that of --jobs 1
SMALL = 20

THREAD = r"""
import sys, threading
from extractor import rulecache
from extractor.batch import Options, iter_results
from extractor.source import iter_inputs
engine = rulecache.load()
paths = list(iter_inputs([sys.argv[1]]))
def run():
    with open(sys.argv[2], "w", encoding="utf-8") as out:
        for r in iter_results(paths, engine, jobs=1, opts=Options("jsonl")):
            out.write(r.value if r.error is None else "")
t = threading.Thread(target=run); t.start(); t.join()
"""


def _hwm_kb(pid: int) -> int | None:
    try:
        with open(f"/proc/{pid}/status") as f:
            for line in f:
                if line.startswith("VmHWM:"):
                    return int(line.split()[1])
    except OSError:
        return None
    return None


def run(cmd: list[str], env: dict) -> dict:
    """Wall time, CPU seconds of the process and its children, the process's own peak RSS."""
    c0 = resource.getrusage(resource.RUSAGE_CHILDREN)
    t0 = time.perf_counter()
    p = subprocess.Popen(cmd, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    peak = 0
    while p.poll() is None:
        kb = _hwm_kb(p.pid)
        if kb:
            peak = max(peak, kb)
        time.sleep(0.05)
    wall = time.perf_counter() - t0
    err = p.stderr.read()
    c1 = resource.getrusage(resource.RUSAGE_CHILDREN)
    if p.returncode != 0:
        raise SystemExit(f"{' '.join(cmd)}: exit {p.returncode}: {err.strip()[-500:]}")
    cpu = (c1.ru_utime - c0.ru_utime) + (c1.ru_stime - c0.ru_stime)
    return {"wall_s": wall, "cpu_s": cpu, "client_peak_mb": peak / 1024}


def commands(d: Path, out: Path) -> dict[str, list[str]]:
    s = [sys.executable, "-m", "extractor.cli", str(d), "-f", "jsonl", "-o", str(out)]
    return {"jobs1": s + ["--jobs", "1"], "dask": s + ["--dask", "local", "--jobs", "2"],
            "thread": [sys.executable, "-c", THREAD, str(d), str(out)]}


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--files", type=int, default=2000)
    ap.add_argument("--rounds", type=int, default=2)
    ap.add_argument("--scale", type=int, default=0, help="also N files through --dask local (client RSS)")
    ap.add_argument("--json", default=str(ROOT / "bench" / "results" / "dask.json"))
    args = ap.parse_args(argv)
    tmp = Path(tempfile.mkdtemp(prefix="jiyao-dask-bench-"))
    env = dict(os.environ, JIYAO_NO_CONFIG="1", JIYAO_CACHE_DIR=str(tmp / "cache"), PYTHONPATH=str(ROOT))
    res: dict = {"files": args.files, "cpus": os.cpu_count(), "load_start": os.getloadavg()}
    try:
        big, small = make(tmp / "big", args.files), make(tmp / "small", SMALL)
        subprocess.run(commands(small, tmp / "warm")["jobs1"], env=env, check=True)  # rule cache
        runs: dict[str, list[dict]] = {}
        for _ in range(args.rounds):
            for name in ("jobs1", "dask", "thread"):
                for label, d in ((name, big), (name + "_small", small)):
                    out = tmp / f"{label}.jsonl"
                    runs.setdefault(label, []).append(run(commands(d, out)[name], env))
        same = all(filecmp.cmp(tmp / "jobs1.jsonl", tmp / f"{n}.jsonl", shallow=False) for n in ("dask", "thread"))
        res["identical"] = same
        for name in ("jobs1", "dask", "thread"):
            best = min(runs[name], key=lambda r: r["cpu_s"])
            base = min(runs[name + "_small"], key=lambda r: r["cpu_s"])
            per_file = (best["cpu_s"] - base["cpu_s"]) / (args.files - SMALL)
            res[name] = {"runs": runs[name], "small_runs": runs[name + "_small"], "cpu_ms_per_file": per_file * 1e3,
                         "files_per_cpu_s": 1 / per_file if per_file > 0 else float("inf"),
                         "startup_cpu_s": base["cpu_s"], "best_wall_s": min(r["wall_s"] for r in runs[name])}
        ratio = res["dask"]["cpu_ms_per_file"] / res["jobs1"]["cpu_ms_per_file"]
        own = res["dask"]["cpu_ms_per_file"] / res["thread"]["cpu_ms_per_file"]
        res["dask_vs_jobs1"], res["dask_vs_thread"] = ratio, own
        if args.scale:
            scaled = make(tmp / "scale", args.scale)
            c = commands(scaled, tmp / "scale-dask.jsonl")
            res["scale"] = {"files": args.scale, "dask": run(c["dask"], env),
                            "jobs1": run(commands(scaled, tmp / "scale-jobs1.jsonl")["jobs1"], env)}
            res["scale"]["identical"] = filecmp.cmp(tmp / "scale-dask.jsonl", tmp / "scale-jobs1.jsonl", shallow=False)
            small_peak = min(r["client_peak_mb"] for r in runs["dask"])
            res["scale"]["client_peak_ratio"] = res["scale"]["dask"]["client_peak_mb"] / small_peak
        res["load_end"] = os.getloadavg()
    finally:
        import shutil
        shutil.rmtree(tmp, ignore_errors=True)
    j, d, t = res["jobs1"], res["dask"], res["thread"]
    what = f"dask local CPU per file / --jobs 1, {args.files} files"
    measured = f"{ratio:.2f}x ({d['cpu_ms_per_file']:.2f} vs {j['cpu_ms_per_file']:.2f} ms)"
    print(f"{'what':<58} {'target':<10} {'measured':<52} met")
    print(f"{what:<58} {'<= ' + str(TARGET) + 'x':<10} {measured:<52} {'yes' if ratio <= TARGET else 'NO'}")
    measured = f"{own:.2f}x ({t['cpu_ms_per_file']:.2f} ms/file in a thread)"
    print(f"{'  of which Dask itself: dask / engine in a thread':<58} {'':<10} {measured:<52}")
    print(f"per-core rate: --jobs 1 {j['files_per_cpu_s']:.0f}, dask {d['files_per_cpu_s']:.0f}, thread "
          f"{t['files_per_cpu_s']:.0f} files per CPU second; start-up CPU {j['startup_cpu_s']:.2f} / "
          f"{d['startup_cpu_s']:.2f} / {t['startup_cpu_s']:.2f} s; best wall {j['best_wall_s']:.1f} / "
          f"{d['best_wall_s']:.1f} / {t['best_wall_s']:.1f} s; identical output: {res['identical']}")
    if args.scale:
        s = res["scale"]
        print(f"scale: {s['files']} files: dask {s['dask']['wall_s']:.1f} s wall, {s['dask']['cpu_s']:.1f} CPU s; "
              f"--jobs 1 {s['jobs1']['wall_s']:.1f} s; identical lines: {s['identical']}; client peak RSS "
              f"{s['dask']['client_peak_mb']:.0f} MB vs {min(r['client_peak_mb'] for r in runs['dask']):.0f} MB "
              f"at {args.files} files ({s['client_peak_ratio']:.2f}x, target <= 1.5x)")
    print(f"load average at start {res['load_start']}, end {res['load_end']} (a 2-core machine shared with other work "
          "skews every number)")
    Path(args.json).parent.mkdir(parents=True, exist_ok=True)
    Path(args.json).write_text(json.dumps(res, indent=1))
    return 0


if __name__ == "__main__":
    sys.exit(main())
