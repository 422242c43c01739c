"""`summarize eval CORPUS_DIR`: score the engine against a gold corpus, in process.

The scoring is the corpus scorer's, to the letter (shared/eval/score.py, see the corpus
GUIDE.md): values are compared after NFKC folding with all whitespace removed; point
leads also lose leading ``,;:`` and trailing punctuation; scalar fields score the share of
documents whose value equals the gold; people, attendees and points score F1 over counts
summed over the corpus (people and attendees as multisets, points as the longest common
subsequence of (marker, lead) pairs); overall is the mean of title, published, source,
meeting, meeting_date, hosts+roles, speakers+roles, attendees and points.

The fields scored are the declared ones (``RuleBook.fields``, extractor/schema.py), by
type: ``text`` and ``date`` as scalars, ``persons`` with and without roles, ``names`` and
``points`` by F1; ``list`` fields (relayed) are not scored. A field a rule pack adds counts
only when the gold records have it (then it also counts in overall).

On top of the score it reports, for rule authors: how often each rule fired over the corpus,
which rules never fired, and which rules produced the values that were wrong.
"""
from __future__ import annotations

import json
import re
import unicodedata
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from .schema import KINDS, outputs, shipped_fields

SCALARS = ["title", "published", "source", "meeting", "meeting_date"]
PEOPLE = ["hosts", "speakers"]
"""The shipped scalar and persons fields (see :func:`scored`)."""


def scored(gold: list[dict], fields: Any = None) -> dict[str, list[str]]:
    """The fields to score, by how: ``scalars``, ``people`` (with roles), ``names``,
    ``points``. The built-in fields always; a field a rule pack adds when the gold has it."""
    from .model import CORE_FIELDS
    out: dict[str, list[str]] = {"scalars": [], "people": [], "names": [], "points": []}
    how = {"text": "scalars", "date": "scalars", "persons": "people", "names": "names", "points": "points"}
    for f in outputs(fields or shipped_fields()):
        if f.type in how and (f.name in CORE_FIELDS or any(f.name in g for g in gold)):
            out[how[f.type]].append(f.name)
    return out
_SPACE = re.compile(r"\s+")
# the scorer's punctuation, written as escapes (full-width forms, ideographic comma and stop)
_TRAIL = re.compile("[\\s,;:.!?\u3001\u3002\uff0c\uff1b\uff1a\uff01\uff1f]+$")
_LEAD = re.compile("^[\\s,;:\u3001\uff0c\uff1b\uff1a]+")


class CorpusError(Exception):
    """The corpus (its gold.jsonl) cannot be read."""


# -- scoring (same as the corpus scorer) ---------------------------------------------------

def norm(s: Any) -> str | None:
    if s is None:
        return None
    s = unicodedata.normalize("NFKC", str(s))
    s = _SPACE.sub("", s)
    return s or None


def norm_lead(s: Any) -> str | None:
    s = norm(s)
    if s is None:
        return None
    return _TRAIL.sub("", _LEAD.sub("", s)) or None


def person(p: Any) -> tuple[str | None, tuple[str | None, ...]]:
    if isinstance(p, str):
        return norm(p), ()
    if isinstance(p, dict):
        roles = p.get("roles") or []
        if isinstance(roles, str):
            roles = [roles]
        return norm(p.get("name")), tuple(norm(r) for r in roles if norm(r))
    return None, ()


def prf(tp: int, n_pred: int, n_gold: int) -> tuple[float, float, float]:
    p = tp / n_pred if n_pred else (1.0 if not n_gold else 0.0)
    r = tp / n_gold if n_gold else 1.0
    f = 2 * p * r / (p + r) if p + r else 0.0
    return p, r, f


def multiset_tp(pred: list, gold: list) -> int:
    left = list(gold)
    tp = 0
    for x in pred:
        if x in left:
            left.remove(x)
            tp += 1
    return tp


def lcs(a: list, b: list) -> int:
    """Length of the longest common subsequence (points are matched in order)."""
    prev = [0] * (len(b) + 1)
    for x in a:
        cur = [0]
        for j, y in enumerate(b):
            cur.append(prev[j] + 1 if x == y else max(prev[j + 1], cur[j]))
        prev = cur
    return prev[-1]


def score(gold: list[dict], preds: dict[str, dict | None], fields: Any = None) -> dict:
    """Score predictions (by file name) against the gold records; ``fields``: the declared
    output fields (default: the shipped ones)."""
    which = scored(gold, fields)
    scalars, people, names = which["scalars"], which["people"], which["names"]
    res: dict = {"docs": len(gold), "failed": 0, "fields": {}, "errors": [], "scored": which}
    for f in scalars:
        res["fields"][f] = {"correct": 0, "false_pos": 0, "missed": 0, "wrong": 0}
    counts = {k: [0, 0, 0] for k in [x for f in people for x in (f, f + "+roles")] + names + which["points"]}
    points_doc_exact = 0
    for g in gold:
        p = preds.get(g["file"])
        if p is None:
            res["failed"] += 1
            p = {}
        for f in scalars:
            gv = norm(g.get(f))
            pv = norm(p.get(f))
            r = res["fields"][f]
            if gv == pv:
                r["correct"] += 1
            else:
                r["false_pos" if gv is None else "missed" if pv is None else "wrong"] += 1
                res["errors"].append((g["id"], f, g.get(f), p.get(f)))
        for f in people:
            gp = [person(x) for x in g.get(f) or []]
            pp = [person(x) for x in p.get(f) or []]
            c = counts[f]
            c[0] += multiset_tp([n for n, _ in pp], [n for n, _ in gp])
            c[1] += len(pp)
            c[2] += len(gp)
            c = counts[f + "+roles"]
            c[0] += multiset_tp(pp, gp)
            c[1] += len(pp)
            c[2] += len(gp)
            if sorted(gp) != sorted(pp):
                res["errors"].append((g["id"], f, g.get(f), p.get(f)))
        for f in names:
            ga = [norm(x) if isinstance(x, str) else person(x)[0] for x in g.get(f) or []]
            pa = [norm(x) if isinstance(x, str) else person(x)[0] for x in p.get(f) or []]
            c = counts[f]
            c[0] += multiset_tp(pa, ga)
            c[1] += len(pa)
            c[2] += len(ga)
            if sorted(ga) != sorted(pa):
                res["errors"].append((g["id"], f, g.get(f), p.get(f)))
        for f in which["points"]:
            gpts = [(i, norm(x.get("marker")), norm_lead(x.get("lead"))) for i, x in enumerate(g.get(f) or [])]
            ppts = []
            for i, x in enumerate(p.get(f) or []):
                if isinstance(x, dict):
                    ppts.append((i, norm(x.get("marker")), norm_lead(x.get("lead"))))
            c = counts[f]
            c[0] += lcs([x[1:] for x in ppts], [x[1:] for x in gpts])
            c[1] += len(ppts)
            c[2] += len(gpts)
            if [x[1:] for x in gpts] == [x[1:] for x in ppts]:
                points_doc_exact += 1
            else:
                res["errors"].append((g["id"], f, g.get(f), p.get(f)))
    n = len(gold) or 1
    summary = {}
    for f in scalars:
        summary[f] = res["fields"][f]["correct"] / n
    for k, (tp, np_, ng) in counts.items():
        summary[k] = prf(tp, np_, ng)[2]
    summary["points_doc_exact"] = points_doc_exact / n
    headline = [summary[f] for f in scalars] + [summary[k] for k in
                [f + "+roles" for f in people] + names + which["points"]]
    summary["overall"] = sum(headline) / len(headline)
    res["summary"] = summary
    res["counts"] = counts
    return res


# -- running the engine over a corpus ----------------------------------------------------------

def load_gold(corpus: Path) -> list[dict]:
    path = corpus / "gold.jsonl"
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as e:
        raise CorpusError(f"{path}: cannot read the gold answers ({e.__class__.__name__}: "
                          f"{str(e).splitlines()[0] if str(e) else ''})") from None
    gold = []
    for i, line in enumerate(text.splitlines(), 1):
        if not line.strip():
            continue
        try:
            obj = json.loads(line)
        except ValueError as e:
            raise CorpusError(f"{path}:{i}: not JSON: {e}") from None
        if not isinstance(obj, dict) or not isinstance(obj.get("file"), str) or "id" not in obj:
            raise CorpusError(f"{path}:{i}: a gold record is an object with 'id' and 'file'")
        gold.append(obj)
    return gold


@dataclass
class Run:
    """Predictions over a corpus plus what the rules did."""

    preds: dict[str, dict | None] = field(default_factory=dict)
    failures: list[tuple[str, str]] = field(default_factory=list)
    fired: dict[str, int] = field(default_factory=dict)
    """Rule id -> times fired over the corpus."""
    fired_docs: dict[str, int] = field(default_factory=dict)
    """Rule id -> documents it fired on."""
    evidence: dict[str, dict[str, Any]] = field(default_factory=dict)
    """Document id -> field -> the rule (scalars) or {name: rule} (people) behind each value."""
    warnings: list[tuple[str, str]] = field(default_factory=list)


def run_corpus(engine: Any, corpus: Path, gold: list[dict]) -> Run:
    from .source import ReadError, read_path
    run = Run()
    for g in gold:
        path = corpus / g["file"]
        try:
            src = read_path(str(path))
        except ReadError as e:
            run.preds[g["file"]] = None
            run.failures.append((g["file"], str(e)))
            continue
        doc = engine.run(src.text, every_rule=True)     # which rules fire: all of them
        s = doc.summary
        run.preds[g["file"]] = json.loads(json.dumps(s.to_dict(), ensure_ascii=False))
        for rid, n in doc.fired.items():
            run.fired[rid] = run.fired.get(rid, 0) + n
            run.fired_docs[rid] = run.fired_docs.get(rid, 0) + 1
        ev: dict[str, Any] = {}
        for f in s.field_specs():
            v = s.get(f.name)
            if f.scalar:
                if v is not None:
                    ev[f.name] = v.evidence.rule
            elif f.people:
                ev[f.name] = {p.name: p.evidence.rule for p in v}
            elif f.type == "points":
                ev[f.name] = sorted({p.list_rule for p in v})
        run.evidence[str(g["id"])] = ev
        run.warnings.extend((g["file"], w) for w in doc.warnings)
    return run


def blame(res: dict, run: Run) -> dict[str, list[str]]:
    """Rule id -> documents where a value it produced was wrong (scalars), or a person it
    produced is not in the gold (people), or its list gave points that differ from the gold."""
    out: dict[str, list[str]] = {}

    def add(rule: str | None, doc_id: str) -> None:
        if rule:
            lst = out.setdefault(rule, [])
            if doc_id not in lst:
                lst.append(doc_id)

    which = res.get("scored") or scored([])
    for doc_id, f, gv, pv in res["errors"]:
        ev = run.evidence.get(str(doc_id), {})
        if f in which["scalars"]:
            if pv is not None:
                add(ev.get(f), doc_id)
        elif f in which["people"] or f in which["names"]:
            gold_names = {person(x)[0] for x in gv or []}
            for name, rule in (ev.get(f) or {}).items():
                if norm(name) not in gold_names:
                    add(rule, doc_id)
        elif f in which["points"]:
            for rule in ev.get(f) or []:
                add(rule, doc_id)
    return out


# -- report ---------------------------------------------------------------------------------------

def _json(v: Any) -> str:
    return json.dumps(v, ensure_ascii=False)


def report(res: dict, run: Run, book: Any, show_errors: int) -> str:
    """The scorer's table (same lines), the misses, then the rules' report."""
    lines: list[str] = []
    s = res["summary"]
    lines.append(f"documents: {res['docs']}  failed: {res['failed']}")
    for k, v in s.items():
        if k != "overall":
            lines.append(f"  {k:16s} {v:6.3f}")
    for f, e in run.failures[:10]:
        lines.append(f"  failure {f}: {e}")
    for doc_id, f, gv, pv in res["errors"][:show_errors]:
        ev = run.evidence.get(str(doc_id), {})
        rule = ev.get(f) if f in (res.get("scored") or scored([]))["scalars"] else None
        lines.append(f"  miss {doc_id} {f}")
        lines.append(f"      expected: {_json(gv)}")
        lines.append(f"      found:    {_json(pv)}" + (f"  (rule {rule})" if rule else ""))
    if len(res["errors"]) > show_errors > 0:
        lines.append(f"  ... {len(res['errors']) - show_errors} more (--show-errors N)")
    lines.append(f"overall: {s['overall']:.3f}")
    lines.append("")
    lines.extend(rules_report(res, run, book))
    return "\n".join(lines) + "\n"


def rules_report(res: dict, run: Run, book: Any) -> list[str]:
    lines: list[str] = []
    enabled = [r for r in book.rules if r.enabled]
    bad = blame(res, run)
    width = max((len(r.id) for r in enabled), default=4)
    lines.append(f"rules over {res['docs']} documents:")
    lines.append(f"  {'rule':<{width}}  {'docs':>5}  {'fires':>5}  {'wrong':>5}")
    for r in sorted(enabled, key=lambda r: (list(KINDS).index(r.kind), r.file, r.line)):
        if r.kind == "cue":
            continue
        d, n = run.fired_docs.get(r.id, 0), run.fired.get(r.id, 0)
        w = len(bad.get(r.id, []))
        lines.append(f"  {r.id:<{width}}  {d:>5}  {n:>5}  {w:>5}")
    never = [r.id for r in enabled if r.kind != "cue" and r.id not in run.fired]
    lines.append(f"never fired ({len(never)}): {', '.join(never) if never else '-'}")
    worst = sorted(bad.items(), key=lambda kv: (-len(kv[1]), kv[0]))
    if worst:
        lines.append("wrong values by rule:")
        for rid, docs in worst:
            lines.append(f"  {rid}: {len(docs)} ({' '.join(map(str, docs[:12]))}{' ...' if len(docs) > 12 else ''})")
    return lines


def to_json(res: dict, run: Run, book: Any) -> str:
    out = dict(res)
    out["errors"] = [list(e) for e in res["errors"]]
    out["failures"] = [list(f) for f in run.failures]
    out["rules"] = {r.id: {"fired": run.fired.get(r.id, 0), "docs": run.fired_docs.get(r.id, 0)}
                    for r in book.rules if r.enabled}
    out["never_fired"] = [r.id for r in book.rules if r.enabled and r.kind != "cue" and r.id not in run.fired]
    out["wrong_by_rule"] = blame(res, run)
    return json.dumps(out, ensure_ascii=False, indent=1) + "\n"
