"""Speed and scale benchmark of the extractor (standard library + the project only).

    python bench/run.py [--quick] [--json out.json]

Measures, prints a table (target, measured, met) and writes JSON (default
bench/results/latest.json):

* throughput, one core, in-process (rules compiled once): docs/s and MB/s of
  ``Engine.summarize`` over samples/*.txt and over ../shared/corpus/*.txt when present,
  the set repeated until at least 2 s have passed (0.5 s with --quick); the same in a
  worker thread;
* time per stage: read (decode), normalise, each of engine.STAGES, render (to_dict + JSON);
* the engine against one pass of a single compiled regex (``\\p{Han}+`` finditer) over
  the same texts;
* cold start: ``summarize one.txt`` in a fresh process (median of 10), each in a new
  working directory, against ``python -c "import yaml, regex"``; with bytecode caching on
  (a private PYTHONPYCACHEPREFIX) and the rules compiled once before, as an installed
  tool runs;
* Engine.load() in a fresh process with and without the rule cache;
* size series: one report, and the same text repeated 10x and 100x;
* peak memory (ru_maxrss of the whole process; tracemalloc peak too without --quick) for
  a 10 MB input read, summarised and rendered in a fresh process;
* --jobs scaling: 1,000 files (copies of the corpus or samples) through the batch API
  with jobs=1 and jobs=2.
"""
from __future__ import annotations

import argparse
import json
import os
import platform
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
CORPUS = ROOT.parent / "shared" / "corpus"
sys.path.insert(0, str(ROOT))

from extractor import Engine  # noqa: E402
from extractor.engine import STAGES  # noqa: E402
from extractor.source import decode, read_path  # noqa: E402

TARGETS = {
    "docs_per_s": 1000.0,          # >= one core, corpus-sized reports
    "regex_ratio": 10.0,           # <= engine time / one single-regex pass
    "thread_ratio": 1.3,           # <= worker-thread time / main-thread time per document
    "cold_ratio": 2.5,             # <= summarize one.txt in a new directory / python -c "import yaml, regex"
    "size_ratio_100": 120.0,       # <= time(100x text) / time(1x)
    "peak_mb_10mb": 150.0,         # <= MB peak RSS for a 10 MB input
    "jobs2_speedup": 1.8,          # >= jobs=1 time / jobs=2 time, 1,000 files
}


# --------------------------------------------------------------------------- helpers

def _repeat(fn, min_time: float, passes: list | None = None) -> tuple[float, int]:
    """Call fn() until min_time has passed; return (seconds per call, calls). With
    ``passes``, the time of each call is appended to it."""
    fn()  # warm-up
    n = 0
    t0 = last = time.perf_counter()
    while True:
        fn()
        n += 1
        now = time.perf_counter()
        if passes is not None:
            passes.append(now - last)
        last = now
        dt = now - t0
        if dt >= min_time:
            return dt / n, n


def _load_set(files: list[Path]) -> list[tuple[str, bytes, str]]:
    out = []
    for f in files:
        data = f.read_bytes()
        try:
            text = read_path(str(f)).text
        except Exception:
            continue
        out.append((f.name, data, text))
    return out


def _loadavg() -> list[float] | None:
    try:
        return [round(x, 2) for x in os.getloadavg()]
    except (AttributeError, OSError):
        return None


def _summarize_cmd() -> list[str]:
    exe = Path(sys.executable).parent / "summarize"
    if exe.exists():
        return [str(exe)]
    return [sys.executable, "-m", "extractor.cli"]


def _median_run(cmd: list[str], env: dict, n: int, cwd: str | None = None) -> tuple[float, list[float]]:
    subprocess.run(cmd, env=env, cwd=cwd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)  # warm-up
    times = []
    for _ in range(n):
        t0 = time.perf_counter()
        p = subprocess.run(cmd, env=env, cwd=cwd, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
        times.append(time.perf_counter() - t0)
        if p.returncode not in (0, 1):
            raise RuntimeError(f"{cmd} failed ({p.returncode}): {p.stderr.decode(errors='replace')[-300:]}")
    return statistics.median(times), times


def _sub_env(tmp: Path, **extra: str) -> dict:
    env = dict(os.environ)
    env.pop("PYTHONDONTWRITEBYTECODE", None)
    env["PYTHONPYCACHEPREFIX"] = str(tmp / "pycache")
    env["JIYAO_CACHE_DIR"] = str(tmp / "rulecache")
    env["PYTHONPATH"] = os.pathsep.join([str(ROOT)] + ([env["PYTHONPATH"]] if env.get("PYTHONPATH") else []))
    env.update(extra)
    return env


# --------------------------------------------------------------------------- measurements

def throughput(engine: Engine, docs, min_time: float) -> dict:
    texts = [t for _, _, t in docs]
    nbytes = sum(len(d) for _, d, _ in docs)

    def run():
        for t in texts:
            engine.summarize(t)
    passes: list[float] = []
    per_set, calls = _repeat(run, min_time, passes)
    n = len(texts)
    return {"docs": n, "bytes": nbytes, "docs_per_s": n / per_set,
            "mb_per_s": nbytes / per_set / 1e6, "ms_per_doc": 1e3 * per_set / n, "passes": calls,
            # the spread of the passes shows how much other processes slowed the run
            "pass_ms_per_doc": {"min": 1e3 * min(passes) / n, "median": 1e3 * statistics.median(passes) / n,
                                "max": 1e3 * max(passes) / n}}


def throughput_thread(engine: Engine, docs, min_time: float) -> dict:
    """:func:`throughput` run in a worker thread (as a threaded server or a Dask worker runs
    the engine)."""
    import threading
    got: dict = {}
    t = threading.Thread(target=lambda: got.update(throughput(engine, docs, min_time)))
    t.start()
    t.join()
    return got


def single_regex(docs, min_time: float) -> dict:
    import regex
    pat = regex.compile(r"\p{Han}+")
    texts = [t for _, _, t in docs]

    def run():
        for t in texts:
            for _ in pat.finditer(t):
                pass
    per_set, _ = _repeat(run, min_time)
    return {"ms_per_doc": 1e3 * per_set / len(texts)}


def rule_patterns(engine: Engine, docs, min_time: float) -> dict:
    """Every rule's patterns (the ``regex`` ones, as written), one ``finditer`` pass each
    over each whole text, with no pre-filter: what applying the rules naively would cost."""
    pats = [p for r in engine.book.rules for p in r.patterns]
    texts = [t for _, _, t in docs]

    def run():
        for rx in pats:
            for t in texts:
                for _ in rx.finditer(t):
                    pass
    per_set, _ = _repeat(run, min_time)
    return {"patterns": len(pats), "rules": len(engine.book.rules), "ms_per_doc": 1e3 * per_set / len(texts)}


def stages(engine: Engine, docs, min_time: float) -> dict:
    from extractor.render import to_json  # noqa: F401  (import outside the timing)
    names = ["read", "normalise"] + [n for n, _ in STAGES] + ["render"]
    tot = dict.fromkeys(names, 0.0)
    n = 0
    t_start = time.perf_counter()
    pc = time.perf_counter
    while True:
        for _, data, _ in docs:
            t0 = pc()
            text, _enc = decode(data)
            t1 = pc()
            doc = engine.new_state(text)
            t2 = pc()
            tot["read"] += t1 - t0
            tot["normalise"] += t2 - t1
            for name, stage in STAGES:
                a = pc()
                stage(doc)
                tot[name] += pc() - a
            doc.summary.labels = engine.book.labels
            a = pc()
            json.dumps(doc.summary.to_dict(), ensure_ascii=False)
            tot["render"] += pc() - a
            n += 1
        if pc() - t_start >= min_time:
            break
    total = sum(tot.values())
    return {name: {"ms_per_doc": 1e3 * v / n, "share": v / total} for name, v in tot.items()}


def cold_start(tmp: Path, one: Path, runs: int) -> dict:
    """``summarize one.txt`` with the rules compiled once for this install (the rule cache
    filled from another directory), each run in a directory it has never run in."""
    env = _sub_env(tmp)
    cwd = str(tmp)  # no jiyao.toml / pyproject.toml there: the config lookup runs and finds nothing
    base, base_all = _median_run([sys.executable, "-c", "import yaml, regex"], env, runs, cwd)
    subprocess.run(_summarize_cmd() + [str(one)], env=env, cwd=cwd, stdout=subprocess.DEVNULL,
                   stderr=subprocess.DEVNULL)   # compiles the rules once, fills the cache
    cli_all = []
    for i in range(runs + 1):
        new_dir = tmp / f"new-dir-{i}"
        new_dir.mkdir()
        t0 = time.perf_counter()
        p = subprocess.run(_summarize_cmd() + [str(one)], env=env, cwd=str(new_dir), stdout=subprocess.DEVNULL,
                           stderr=subprocess.PIPE)
        if i:   # the first one warms the disk and bytecode caches
            cli_all.append(time.perf_counter() - t0)
        if p.returncode not in (0, 1):
            raise RuntimeError(f"summarize failed ({p.returncode}): {p.stderr.decode(errors='replace')[-300:]}")
    cli = statistics.median(cli_all)
    out = {"file": one.name, "import_yaml_regex_ms": 1e3 * base, "summarize_ms": 1e3 * cli,
           "ratio": cli / base, "summarize_all_ms": [round(1e3 * t, 1) for t in cli_all]}
    nocache, _ = _median_run(_summarize_cmd() + [str(one)], _sub_env(tmp, JIYAO_NO_CACHE="1"), max(3, runs // 3), cwd)
    out["summarize_no_rule_cache_ms"] = 1e3 * nocache
    if os.environ.get("PYTHONDONTWRITEBYTECODE"):
        env2 = dict(env)
        env2["PYTHONDONTWRITEBYTECODE"] = "1"
        env2.pop("PYTHONPYCACHEPREFIX")
        b2, _ = _median_run([sys.executable, "-c", "import yaml, regex"], env2, max(3, runs // 3), cwd)
        c2, _ = _median_run(_summarize_cmd() + [str(one)], env2, max(3, runs // 3), cwd)
        out["as_configured_no_bytecode"] = {"import_yaml_regex_ms": 1e3 * b2, "summarize_ms": 1e3 * c2,
                                            "ratio": c2 / b2}
    # where a cold run's time goes, measured inside one fresh process
    probe = r"""
import time, json, sys
t0 = time.perf_counter()
import regex
t1 = time.perf_counter()
import extractor.cli, extractor.source, extractor.config, extractor.rulecache
t2 = time.perf_counter()
from extractor import rulecache
e = rulecache.load()
t3 = time.perf_counter()
src = extractor.source.read_path(sys.argv[1])
t4 = time.perf_counter()
s = e.summarize_source(src); s.to_markdown()
t5 = time.perf_counter()
print(json.dumps({"import_regex": t1 - t0, "import_extractor": t2 - t1, "load_rules": t3 - t2,
                  "read": t4 - t3, "summarize_render": t5 - t4, "yaml_imported": "yaml" in sys.modules}))
"""
    parts = []
    for _ in range(5):
        p = subprocess.run([sys.executable, "-c", probe, str(one)], env=env, capture_output=True, text=True, cwd=cwd)
        if p.returncode == 0:
            parts.append(json.loads(p.stdout))
    if parts:
        out["breakdown_ms"] = {k: round(1e3 * statistics.median(d[k] for d in parts), 1) for k in parts[0]
                               if k != "yaml_imported"}
        out["yaml_imported"] = parts[0]["yaml_imported"]
    return out


def load_time(tmp: Path) -> dict:
    """Engine.load() and the rule cache (miss, then hit), each in a fresh process."""
    code = ("import sys, time; from extractor import rulecache; import extractor.engine as E;"
            "t0 = time.perf_counter(); e = E.Engine.load() if sys.argv[1] == 'plain' else rulecache.load();"
            "print(time.perf_counter() - t0, len(e.book.rules))")
    rows: dict[str, list[float]] = {"plain": [], "miss": [], "hit": []}
    nrules = 0
    for i in range(3):
        env = _sub_env(tmp, JIYAO_CACHE_DIR=str(tmp / f"lc{i}"))
        for what in ("plain", "miss", "hit"):
            p = subprocess.run([sys.executable, "-c", code, what], env=env, capture_output=True, text=True,
                               cwd=str(tmp))
            if p.returncode == 0:
                t, nrules = p.stdout.split()
                rows[what].append(float(t))
    if not all(rows.values()):
        return {}
    return {"engine_load_ms": 1e3 * statistics.median(rows["plain"]),
            "cache_miss_ms": 1e3 * statistics.median(rows["miss"]),
            "cache_hit_ms": 1e3 * statistics.median(rows["hit"]), "rules": int(nrules)}


def _series_report(engine: Engine, docs):
    """A corpus-sized report (median size first) whose text, repeated, is still all read as
    body: repeating some reports puts the copies after an "end of article" chrome line."""
    med = sorted(len(d[1]) for d in docs)[len(docs) // 2]
    for d in sorted(docs, key=lambda d: abs(len(d[1]) - med)):
        one = len(engine.run(d[2]).sentences)
        if one and len(engine.run("\n".join([d[2]] * 10)).sentences) >= 9 * one:
            return d
    return sorted(docs, key=lambda d: len(d[1]))[len(docs) // 2]


def size_series(engine: Engine, text: str, min_time: float) -> dict:
    out = {}
    base = None
    for k in (1, 10, 100):
        x = "\n".join([text] * k)
        per, _ = _repeat(lambda: engine.summarize(x), min_time if k < 100 else 0.0)
        if base is None:
            base = per
        out[f"x{k}"] = {"chars": len(x), "sentences": len(engine.run(x).sentences), "ms": 1e3 * per,
                        "ratio": per / base}
    return out


def peak_memory(tmp: Path, text: str, mb: float, full: bool) -> dict:
    """Peak memory of reading, summarising and rendering a ``mb`` MB input in a fresh process,
    loaded as the CLI loads it (rule cache).  ``budget``: the engine's default document time
    budget (rules left out once it is spent, as the CLI runs); ``unbudgeted``: every rule runs
    to the end; ``tracemalloc``: Python allocations, default budget."""
    unit = len(text.encode("utf-8")) + 1
    k = int(mb * 1024 * 1024 // unit) + 1
    big = tmp / "big.txt"
    big.write_text("\n".join([text] * k), encoding="utf-8")
    size = big.stat().st_size
    code = r"""
import json, resource, sys, time
mode = sys.argv[2]
if mode == "tracemalloc":
    import tracemalloc
from extractor import rulecache
from extractor.source import read_path
t_load = time.perf_counter()
e = rulecache.load()
t_load = time.perf_counter() - t_load
if mode == "unbudgeted":
    e.document_budget = float("inf")
def peak_mb():
    # VmHWM: this process image's own high-water mark. ru_maxrss would start from the RSS of
    # the (large) benchmark process that forked us: Linux keeps it across exec.
    try:
        with open("/proc/self/status") as f:
            for line in f:
                if line.startswith("VmHWM:"):
                    return int(line.split()[1]) / 1024
    except OSError:
        pass
    rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return rss / 2**20 if sys.platform == "darwin" else rss / 1024
before = peak_mb()
if mode == "tracemalloc":
    tracemalloc.start()
t0 = time.perf_counter()
src = read_path(sys.argv[1])
s = e.summarize_source(src)
out = s.to_json()
dt = time.perf_counter() - t0
peak_trace = tracemalloc.get_traced_memory()[1] if mode == "tracemalloc" else None
print(json.dumps({"rss_before_mb": before, "peak_rss_mb": peak_mb(),
                  "tracemalloc_peak_mb": None if peak_trace is None else peak_trace / 2**20,
                  "seconds": dt, "load_seconds": t_load, "warnings": s.warnings, "points": len(s.points)},
                 ensure_ascii=False))
"""
    env = _sub_env(tmp)
    subprocess.run(_summarize_cmd() + [str(ROOT / "samples" / "fullwidth_yishi.txt")], env=env, cwd=str(tmp),
                   stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)  # fills the rule cache
    res: dict = {"input_mb": size / 2**20}
    modes = ("budget", "unbudgeted", "tracemalloc") if full else ("budget",)
    for mode in modes:
        p = subprocess.run([sys.executable, "-c", code, str(big), mode], env=env,
                           capture_output=True, text=True, cwd=str(tmp))
        if p.returncode != 0:
            res[mode] = {"error": p.stderr[-500:]}
            continue
        res[mode] = json.loads(p.stdout)
    big.unlink()
    # tracemalloc's own bookkeeping inflates RSS: that run counts for its traced peak only
    peaks = [res[m]["peak_rss_mb"] for m in ("budget", "unbudgeted") if "peak_rss_mb" in res.get(m, {})]
    if peaks:
        res["peak_rss_mb"] = max(peaks)
    return res


def jobs_scaling(engine: Engine, files: list[Path], tmp: Path, n: int, rounds: int) -> dict:
    from extractor.batch import Options, iter_results
    d = tmp / "jobs"
    d.mkdir()
    paths = []
    for i in range(n):
        src = files[i % len(files)]
        dst = d / f"{i:05d}_{src.name}"
        shutil.copyfile(src, dst)
        paths.append(str(dst))
    opts = Options("jsonl")
    out = {"files": n, "cpus": os.cpu_count()}
    firsts = None
    times: dict[int, list[float]] = {1: [], 2: []}
    cpu: dict[int, list[float]] = {1: [], 2: []}
    for jobs in (1, 2) * rounds:  # alternate, so that a change in machine load hits both
        c0 = os.times()
        t0 = time.perf_counter()
        res = [r.value for r in iter_results(paths, engine, jobs=jobs, opts=opts)]
        times[jobs].append(time.perf_counter() - t0)
        c1 = os.times()
        cpu[jobs].append(sum(c1[:4]) - sum(c0[:4]))
        if firsts is None:
            firsts = res
        else:
            out["identical"] = out.get("identical", True) and res == firsts
    for jobs in (1, 2):
        best = min(times[jobs])
        out[f"jobs{jobs}_s"] = best
        out[f"jobs{jobs}_all_s"] = [round(t, 2) for t in times[jobs]]
        out[f"jobs{jobs}_cpu_s"] = min(cpu[jobs])
        # CPU seconds per wall second of the best run: 1.0 (jobs=1) and ~2.0 (jobs=2) on an idle
        # machine; less means other processes took the cores and the speed-up is not measurable
        out[f"jobs{jobs}_cpu_per_wall"] = cpu[jobs][times[jobs].index(best)] / best
        out[f"jobs{jobs}_files_per_s"] = n / best
    out["speedup"] = out["jobs1_s"] / out["jobs2_s"]
    return out


# --------------------------------------------------------------------------- main

def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--quick", action="store_true", help="shorter runs (0.5 s loops, 300 files, 3 cold starts)")
    ap.add_argument("--json", metavar="FILE", default=str(ROOT / "bench" / "results" / "latest.json"))
    args = ap.parse_args(argv)
    min_time = 0.5 if args.quick else 2.0

    samples = sorted((ROOT / "samples").glob("*.txt"))
    corpus = sorted(CORPUS.glob("*.txt")) if CORPUS.is_dir() else []
    sets = {"samples": _load_set(samples)}
    if corpus:
        sets["corpus"] = _load_set(corpus)
    main_set = "corpus" if corpus else "samples"

    t0 = time.perf_counter()
    engine = Engine.load()
    load_ms = 1e3 * (time.perf_counter() - t0)
    res: dict = {"when": time.strftime("%Y-%m-%dT%H:%M:%S"), "quick": args.quick,
                 "python": sys.version.split()[0], "platform": platform.platform(), "cpus": os.cpu_count(),
                 "engine_load_in_process_ms": load_ms, "rules": len(engine.book.rules),
                 "loadavg_start": _loadavg()}
    try:
        res["commit"] = subprocess.run(["git", "rev-parse", "--short", "HEAD"], cwd=ROOT, capture_output=True,
                                       text=True).stdout.strip()
        res["dirty"] = bool(subprocess.run(["git", "status", "--porcelain"], cwd=ROOT, capture_output=True,
                                           text=True).stdout.strip())
    except OSError:
        pass
    import regex
    import yaml
    res["versions"] = {"regex": regex.__version__, "pyyaml": yaml.__version__}

    def step(msg):
        print(f"... {msg}", file=sys.stderr, flush=True)

    step("throughput")
    res["throughput"] = {k: throughput(engine, v, min_time) for k, v in sets.items()}
    step("throughput in a worker thread")
    res["throughput_thread"] = throughput_thread(engine, sets[main_set], min_time)
    step("single regex pass")
    res["single_regex"] = {k: single_regex(v, min_time) for k, v in sets.items()}
    step("every rule pattern, one pass each")
    res["rule_patterns"] = rule_patterns(engine, sets[main_set], min_time)
    step("stages")
    res["stages"] = stages(engine, sets[main_set], min_time)
    docs = sets[main_set]
    mid = _series_report(engine, docs)
    res["size_series_report"] = mid[0]
    step("size series")
    res["size_series"] = size_series(engine, mid[2], min_time)

    with tempfile.TemporaryDirectory(prefix="jiyao-bench-") as td:
        tmp = Path(td)
        step("cold start")
        res["cold_start"] = cold_start(tmp, ROOT / "samples" / "fullwidth_yishi.txt", 3 if args.quick else 10)
        step("Engine.load in a fresh process")
        res["rule_loading"] = load_time(tmp)
        step("peak memory, 10 MB input (takes a while)")
        res["peak_memory"] = peak_memory(tmp, mid[2], 10.0, full=not args.quick)
        step("jobs scaling")
        files = corpus if corpus else samples
        res["jobs"] = jobs_scaling(engine, files, tmp, 300 if args.quick else 1000, 2 if args.quick else 3)

    res["loadavg_end"] = _loadavg()
    tp = res["throughput"][main_set]
    rx = res["single_regex"][main_set]
    res["regex_ratio"] = tp["ms_per_doc"] / rx["ms_per_doc"]
    res["thread_ratio"] = res["throughput_thread"]["ms_per_doc"] / tp["ms_per_doc"]
    rows = [
        (f"throughput, 1 core, {main_set} ({tp['docs']} docs)", f">= {TARGETS['docs_per_s']:.0f} docs/s",
         f"{tp['docs_per_s']:.0f} docs/s, {tp['mb_per_s']:.2f} MB/s", tp["docs_per_s"] >= TARGETS["docs_per_s"]),
        ("throughput, worker thread / main thread", f"<= {TARGETS['thread_ratio']:.1f}x",
         f"{res['thread_ratio']:.2f}x ({res['throughput_thread']['docs_per_s']:.0f} docs/s)",
         res["thread_ratio"] <= TARGETS["thread_ratio"]),
        ("engine / one \\p{Han}+ finditer pass", f"<= {TARGETS['regex_ratio']:.0f}x",
         f"{res['regex_ratio']:.0f}x ({tp['ms_per_doc']:.2f} vs {rx['ms_per_doc']:.3f} ms/doc)",
         res["regex_ratio"] <= TARGETS["regex_ratio"]),
        ("cold start summarize one.txt (new dir) / import yaml,regex", f"<= {TARGETS['cold_ratio']:.1f}x",
         f"{res['cold_start']['ratio']:.2f}x ({res['cold_start']['summarize_ms']:.0f} vs "
         f"{res['cold_start']['import_yaml_regex_ms']:.0f} ms)", res["cold_start"]["ratio"] <= TARGETS["cold_ratio"]),
        ("size series time(100x) / time(1x)", f"<= {TARGETS['size_ratio_100']:.0f}x",
         f"{res['size_series']['x100']['ratio']:.0f}x (10x: {res['size_series']['x10']['ratio']:.1f}x; "
         f"{res['size_series']['x1']['ms']:.1f} ms -> {res['size_series']['x100']['ms']:.0f} ms)",
         res["size_series"]["x100"]["ratio"] <= TARGETS["size_ratio_100"]),
    ]
    pm = res["peak_memory"]
    if "peak_rss_mb" in pm:
        runs = ", ".join(f"{m} {pm[m]['peak_rss_mb']:.0f} MB/{pm[m]['seconds']:.0f} s" for m in ("budget", "unbudgeted")
                         if "peak_rss_mb" in pm.get(m, {}))
        rows.append((f"peak RSS, {pm['input_mb']:.1f} MB input", f"<= {TARGETS['peak_mb_10mb']:.0f} MB",
                     f"{pm['peak_rss_mb']:.0f} MB ({runs})", pm["peak_rss_mb"] <= TARGETS["peak_mb_10mb"]))
    else:
        rows.append(("peak RSS, 10 MB input", "<= 150 MB", "failed: " + str(pm)[-60:], False))
    jb = res["jobs"]
    rows.append((f"jobs=2 vs jobs=1, {jb['files']} files ({jb['cpus']} cpus)", f">= {TARGETS['jobs2_speedup']}x",
                 f"{jb['speedup']:.2f}x ({jb['jobs1_s']:.1f} s -> {jb['jobs2_s']:.1f} s)",
                 jb["speedup"] >= TARGETS["jobs2_speedup"]))
    res["table"] = [{"what": a, "target": b, "measured": c, "met": bool(d)} for a, b, c, d in rows]

    w = max(len(r[0]) for r in rows)
    wt = max(len(r[1]) for r in rows)
    wm = max(len(r[2]) for r in rows)
    print(f"\n{'what':<{w}}  {'target':<{wt}}  {'measured':<{wm}}  met")
    print(f"{'-' * w}  {'-' * wt}  {'-' * wm}  ---")
    for a, b, c, d in rows:
        print(f"{a:<{w}}  {b:<{wt}}  {c:<{wm}}  {'yes' if d else 'NO'}")
    print("\nper stage (" + main_set + "):  " + ",  ".join(
        f"{k} {v['ms_per_doc']:.3f} ms ({v['share']:.0%})" for k, v in res["stages"].items()))
    sp = tp["pass_ms_per_doc"]
    print(f"throughput passes over the {main_set} ({tp['passes']}): ms/doc min {sp['min']:.3f}, "
          f"median {sp['median']:.3f}, max {sp['max']:.3f} (the row above: all passes together)")
    rp = res["rule_patterns"]
    print(f"every rule pattern ({rp['patterns']} patterns of {rp['rules']} rules, `regex`, no pre-filter) once over each whole "
          f"text: {rp['ms_per_doc']:.2f} ms/doc; the engine takes {tp['ms_per_doc'] / rp['ms_per_doc']:.2f}x that")
    if "samples" in res["throughput"] and main_set != "samples":
        s = res["throughput"]["samples"]
        print(f"throughput, samples ({s['docs']} docs): {s['docs_per_s']:.0f} docs/s, {s['mb_per_s']:.2f} MB/s")
    cs = res["cold_start"]
    if "breakdown_ms" in cs:
        print("cold start breakdown (ms): " + ", ".join(f"{k} {v}" for k, v in cs["breakdown_ms"].items())
              + f"; PyYAML imported: {cs['yaml_imported']}; without the rule cache: "
              f"{cs['summarize_no_rule_cache_ms']:.0f} ms")
    if "as_configured_no_bytecode" in cs:
        a = cs["as_configured_no_bytecode"]
        print(f"cold start with PYTHONDONTWRITEBYTECODE=1 (this environment): {a['summarize_ms']:.0f} vs "
              f"{a['import_yaml_regex_ms']:.0f} ms = {a['ratio']:.2f}x")
    rl = res["rule_loading"]
    if rl:
        print(f"Engine.load() fresh process: {rl['engine_load_ms']:.0f} ms ({rl['rules']} rules); rule cache: "
              f"miss {rl['cache_miss_ms']:.0f} ms, hit {rl['cache_hit_ms']:.1f} ms")
    if "budget" in pm and "rss_before_mb" in pm["budget"]:
        b = pm["budget"]
        line = (f"10 MB input ({res['size_series_report']} repeated): RSS before the run {b['rss_before_mb']:.0f} MB "
                f"(rules loaded in {1e3 * b['load_seconds']:.0f} ms); warnings {b['warnings']}")
        if "tracemalloc_peak_mb" in pm.get("tracemalloc", {}):
            line += f"; tracemalloc peak {pm['tracemalloc']['tracemalloc_peak_mb']:.0f} MB"
        if "warnings" in pm.get("unbudgeted", {}):
            line += f"; unbudgeted: {pm['unbudgeted']['points']} points, warnings {pm['unbudgeted']['warnings']}"
        print(line)
    print(f"jobs: identical results jobs=1 vs 2: {jb.get('identical')}; "
          f"{jb['jobs1_files_per_s']:.0f} -> {jb['jobs2_files_per_s']:.0f} files/s; runs jobs=1 {jb['jobs1_all_s']} s, "
          f"jobs=2 {jb['jobs2_all_s']} s; CPU s used {jb['jobs1_cpu_s']:.1f} / {jb['jobs2_cpu_s']:.1f}; "
          f"CPU per wall second {jb['jobs1_cpu_per_wall']:.2f} / {jb['jobs2_cpu_per_wall']:.2f} "
          f"(idle machine: 1.0 / ~2.0)")
    print(f"load average at start {res['loadavg_start']}, at end {res['loadavg_end']} "
          f"(other processes on the machine skew every number, the jobs figure most)")

    out = Path(args.json)
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps(res, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
    print(f"\nwrote {out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
