"""`summarize explain FILE`: why each value is there, which rules fired, which nearly did.

For each field: the value, the rule that produced it (with its file:line), the span in the
file as read and the text of that span. Then the rules that fired (and how often), the near
misses the stages recorded, the rules that never fired on this document, and warnings.
With ``--field NAME`` only that field is shown, with every candidate the rules proposed.
"""
from __future__ import annotations

import json
from typing import Any

from .model import Summary
from .schema import KINDS, outputs

FIELDS = ("title", "published", "source", "meeting", "meeting_date", "hosts", "speakers",
          "attendees", "relayed", "points")
"""The shipped output fields in the order explain shows them (see :func:`field_names`)."""


def field_names(fields: Any) -> list[str]:
    """The declared output fields in the order explain shows them: declaration order, the
    numbered points last."""
    specs = outputs(fields)
    return [f.name for f in specs if f.type != "points"] + [f.name for f in specs if f.type == "points"]
_PREVIEW = 80


def _short(s: str, n: int = _PREVIEW) -> str:
    s = s.replace("\n", " ")
    return s if len(s) <= n else s[: n - 3] + "..."


def explain(engine: Any, text: str, source: Any = None, field: str | None = None) -> dict[str, Any]:
    """The explanation of one document as plain data (see the module doc)."""
    doc = engine.run(text, every_rule=True, source=source)
    summary: Summary = doc.summary
    book = engine.book

    def ev(e: Any) -> dict[str, Any]:
        r = book.get(e.rule)
        return {"rule": e.rule, "where": r.where if r else None, "span": [e.start, e.end], "text": e.text}

    fields: dict[str, Any] = {}
    specs = {f.name: f for f in summary.field_specs()}
    for name in field_names(book.fields):
        if field is not None and name != field:
            continue
        f = specs[name]
        v = summary.get(name)
        if f.scalar:
            fields[name] = None if v is None else {"value": v.value, **ev(v.evidence)}
        elif f.type == "list":
            fields[name] = [{"value": x.value, **ev(x.evidence)} for x in v]
        elif f.type == "points":
            fields[name] = [{"marker": p.marker, "lead": p.lead, "speaker": p.speaker,
                             "items": len(p.items), **ev(p.evidence)} for p in v]
        else:
            fields[name] = [{"name": p.name, "roles": list(p.roles), **ev(p.evidence)} for p in v]
    out: dict[str, Any] = {"fields": fields}
    if field is not None:
        out["candidates"] = _candidates(doc, book, field)
    rules = [r for r in book.rules if field is None or _targets(r, field)]
    order = {r.id: i for i, r in enumerate(sorted(book.rules, key=_rule_order))}
    out["fired"] = [{"rule": rid, "count": n, "where": book.get(rid).where if book.get(rid) else None}
                    for rid, n in sorted(doc.fired.items(), key=lambda kv: order.get(kv[0], 1 << 30))
                    if field is None or (book.get(rid) is not None and _targets(book.get(rid), field))]
    ids = {r.id for r in rules}
    out["near_misses"] = [{"rule": rid, "message": msg} for rid, msg in doc.near_misses
                          if field is None or rid in ids]
    out["never_fired"] = [r.id for r in sorted(rules, key=_rule_order)
                          if r.enabled and r.id not in doc.fired and r.kind != "cue"]
    # cue rules do not fire by themselves: show how often each matches in the body
    out["cues"] = [{"rule": r.id, "matches": sum(1 for _ in doc.matches(r, doc.text, doc.body.start, doc.body.end))}
                   for r in sorted(rules, key=_rule_order) if r.enabled and r.kind == "cue"]
    out["disabled"] = [r.id for r in rules if not r.enabled]
    out["warnings"] = list(doc.warnings)
    return out


def _rule_order(r: Any) -> tuple:
    return (list(KINDS).index(r.kind), r.file, r.line)


def _targets(rule: Any, field: str) -> bool:
    """Does ``rule`` produce values of ``field``?"""
    if field == "points":
        return rule.kind in ("list", "cue")
    if rule.kind == "title":
        return field == "title"
    return rule.field == field


def _candidates(doc: Any, book: Any, field: str) -> list[dict[str, Any]]:
    """Every value the rules proposed for ``field``, the chosen one first-marked."""
    from .ruletest import field_candidates
    out: list[dict[str, Any]] = []
    spec = book.field(field)
    if (spec is not None and spec.people) or any(p.field == field for p in doc.persons):
        for p in sorted((p for p in doc.persons if p.field == field), key=lambda p: p.start):
            a, b, span_text = doc.locate(p.start, p.end)
            out.append({"rule": p.rule, "value": p.name, "roles": list(p.roles),
                        "span": [a, b], "text": span_text})
        return out
    if field == "points":
        return out
    for rule in book.rules:
        if not rule.enabled or not _targets(rule, field) or rule.kind not in ("meta", "title", "field"):
            continue
        for value, a, b, rank in field_candidates(doc, rule):
            s, e, span_text = doc.locate(a, b)
            out.append({"rule": rule.id, "priority": rule.priority, "rank": rank, "value": value,
                        "span": [s, e], "text": span_text})
    return out


def render_text(data: dict[str, Any], name: str = "") -> str:
    lines: list[str] = []
    if name:
        lines.append(f"== {name}")
    for fname, val in data["fields"].items():
        if val is None or val == []:
            lines.append(f"{fname}: (none)")
            continue
        if isinstance(val, dict):
            lines.append(f"{fname}: {val['value']}")
            lines.append(f"    {_ev_line(val)}")
            continue
        lines.append(f"{fname}:")
        for i, item in enumerate(val, 1):
            if fname == "points":
                who = f"  (speaker {item['speaker']})" if item.get("speaker") else ""
                lines.append(f"  {i}. {item['marker']} {_short(item['lead'], 60)}{who}")
            elif "name" in item:
                roles = f" ({', '.join(item['roles'])})" if item["roles"] else ""
                lines.append(f"  - {item['name']}{roles}")
            else:
                lines.append(f"  - {item['value']}")
            lines.append(f"      {_ev_line(item)}")
    if "candidates" in data:
        cands = data["candidates"]
        lines.append("")
        lines.append(f"candidates ({len(cands)}):")
        for c in cands:
            extra = f" roles {', '.join(c['roles'])}" if c.get("roles") else ""
            rank = f" rank {c['rank']} priority {c['priority']}" if "rank" in c else ""
            lines.append(f"  {c['rule']}: {c['value']}{extra}{rank}  [{c['span'][0]}:{c['span'][1]}]")
    lines.append("")
    lines.append(f"fired ({len(data['fired'])}):")
    width = max((len(f["rule"]) for f in data["fired"]), default=0)
    for f in data["fired"]:
        lines.append(f"  {f['rule']:<{width}}  {f['count']:>3}  {f['where'] or ''}")
    lines.append(f"near misses ({len(data['near_misses'])}):")
    for nm in data["near_misses"]:
        lines.append(f"  {nm['rule']}: {_short(nm['message'], 100)}")
    lines.append(f"never fired ({len(data['never_fired'])}):")
    lines.extend(_wrap(data["never_fired"]))
    if data["cues"]:
        lines.append("cues (matches in the body):")
        lines.extend(_wrap([f"{c['rule']}={c['matches']}" for c in data["cues"]]))
    if data["disabled"]:
        lines.append(f"disabled ({len(data['disabled'])}):")
        lines.extend(_wrap(data["disabled"]))
    if data["warnings"]:
        lines.append(f"warnings ({len(data['warnings'])}):")
        lines.extend(f"  {w}" for w in data["warnings"])
    return "\n".join(lines) + "\n"


def _ev_line(v: dict[str, Any]) -> str:
    where = f" ({v['where']})" if v.get("where") else ""
    return f"rule {v['rule']}{where}, span {v['span'][0]}-{v['span'][1]}: {_short(v['text'])}"


def _wrap(ids: list[str], width: int = 96) -> list[str]:
    out: list[str] = []
    cur = " "
    for i in ids:
        if len(cur) + len(i) + 1 > width and cur.strip():
            out.append(cur)
            cur = " "
        cur += " " + i
    if cur.strip():
        out.append(cur)
    return out


def render_json(data: dict[str, Any]) -> str:
    return json.dumps(data, ensure_ascii=False, indent=2) + "\n"
