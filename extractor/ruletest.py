"""Run every rule's ``examples`` and ``counter_examples`` through the whole engine.

An example is run as a document of its own: ``engine.run(text)``, every rule taking
part, and what the rule under test produced is collected from the document state:

* ``chrome`` rules: ``{"chrome": ACTION}`` when the rule fired on a line of the text (or its
  pattern matches a line the way the segment stage tests it: anywhere for ``drop``/``end``,
  at the line start for ``strip``; an ``end`` rule never fires on a text without a body
  above it, yet its examples are about the line);
* ``meta``, ``title`` and ``field`` rules: ``{FIELD: value}``, the summary's value when its
  evidence names this rule, else the best value this rule proposed (``relayed``: a list);
  a ``title`` or ``meta`` rule that proposed nothing because the segment stage did not read
  the line as a headline or metadata line (a lone line may be read as body) is tried on each
  line of the text the way that stage tries it on a header line;
* ``person`` rules: ``{FIELD: [{name, roles}, ...]}``, the persons this rule read, in text
  order, one entry per name (the fullest roles);
* ``list`` rules: ``{"points": [[marker, lead], ...]}``, the points of lists of this family;
* ``cue`` rules: ``{"cue": TYPE}`` when a pattern matches anywhere in the text.

An example is usually one sentence, which a page would print in its body, while the segment
stage takes a lone short line for a headline. So the examples of rules that work on the body
(``person``, ``field``, ``list``, ``cue``) run with every line of the text taken as body
(the same rules, with ``segment.body_min_chars`` 0 and no ``segment.body_mark_pattern``),
and as part of a report (no ``document.report_pattern`` gate: the sentence stands for one
taken out of a meeting report);
``chrome``, ``meta`` and ``title`` examples run exactly as a document would.

An example passes when every key of its ``expect`` equals what was found (person entries
given as a plain name compare the name only; ``null`` expects nothing); a counter-example
passes when the rule produced nothing. An example or counter-example marked ``todo: reason``
is a known gap: it is reported, not counted as a failure (pytest runs it as a strict xfail).
"""
from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any, Iterable

from .rulebook import Rule
from .state import Span, DocState


@dataclass
class Case:
    """One example or counter-example of one rule."""

    rule: Rule
    kind: str
    """"example" or "counter"."""
    index: int
    text: str
    expect: dict[str, Any] | None
    line: int
    todo: str | None = None

    @property
    def id(self) -> str:
        return f"{self.rule.id}[{self.kind}-{self.index}]"

    @property
    def where(self) -> str:
        return f"{self.rule.file}:{self.line or self.rule.line}"


@dataclass
class Outcome:
    case: Case
    passed: bool
    found: dict[str, Any] = field(default_factory=dict)
    error: str | None = None

    def message(self) -> str:
        """The report: the example's own file:line (where an editor should jump), the rule,
        the text, expected and found."""
        c = self.case
        what = "example" if c.kind == "example" else "counter-example"
        head = (f"{c.where}: {c.rule.id}: {what} {c.index} "
                + ("passed" if self.passed else "failed") + f" (rule at line {c.rule.line})")
        lines = [head, f"    text:     {c.text}"]
        if c.kind == "example":
            lines.append(f"    expected: {_show(c.expect)}")
        else:
            lines.append("    expected: nothing")
        lines.append(f"    found:    {_show(self.found) if self.found else 'nothing'}")
        if self.error:
            lines.append(f"    error:    {self.error}")
        if c.todo:
            lines.append(f"    todo:     {c.todo}")
        return "\n".join(lines)


def _show(v: Any) -> str:
    return json.dumps(v, ensure_ascii=False)


def cases(rule: Rule) -> list[Case]:
    """The rule's examples and counter-examples, in file order."""
    out: list[Case] = []
    for i, ex in enumerate(rule.examples):
        line = rule.example_lines[i] if i < len(rule.example_lines) else rule.line
        out.append(Case(rule, "example", i, ex.get("text", ""), dict(ex.get("expect") or {}), line,
                        rule.todo.get(("example", i))))
    for i, text in enumerate(rule.counter_examples):
        line = rule.counter_example_lines[i] if i < len(rule.counter_example_lines) else rule.line
        out.append(Case(rule, "counter", i, text, None, line, rule.todo.get(("counter", i))))
    return out


def all_cases(rules: Iterable[Rule]) -> list[Case]:
    return [c for r in rules for c in cases(r)]


# -- what one rule produced -------------------------------------------------------------------

BODY_KINDS = ("person", "field", "list", "cue")


def run_example(engine: Any, rule: Rule, text: str) -> dict[str, Any]:
    """Run the whole engine on ``text``; return what ``rule`` produced (see the module doc)."""
    # body rules read every line as body, but a rule on the headline needs the page read as a page
    eng = body_engine(engine) if rule.kind in BODY_KINDS and rule.scope != "title" else engine
    if rule.kind == "cue" and rule.scope == "item":
        # an item starts right after its marker, mid-line: the example is tried there, so that
        # a pattern anchored with ^ (a line start) fails here as it would in a report
        doc = eng.run(ITEM_LEAD + text, every_rule=True)
        hit = next(iter(doc.matches(rule, doc.text, len(ITEM_LEAD))), None)
        return {"cue": rule.cue} if hit is not None else {}
    doc = eng.run(text, every_rule=True)
    return produced(doc, rule)


ITEM_LEAD = "x"
"""What stands before an item-scope cue's example when it is tried: any character but a line
end, as a list marker stands before an item."""


def body_engine(engine: Any) -> Any:
    """The same rules, reading every line of a text as body (built once per engine)."""
    cached = engine.__dict__.get("_body_engine")
    if cached is None:
        import copy
        import dataclasses
        book = engine.book
        settings = copy.deepcopy(book.settings)
        settings.setdefault("segment", {})["body_min_chars"] = 0
        compiled = dict(book.compiled_settings)
        compiled["segment.body_mark_pattern"] = None
        compiled["segment.body_start_pattern"] = None
        # an example is a sentence out of a report: the document-level gate does not apply
        compiled["document.report_pattern"] = None
        compiled["document.not_report_pattern"] = None
        body_book = dataclasses.replace(book, settings=settings, compiled_settings=compiled)
        cached = type(engine)(body_book, engine.timeout)
        engine.__dict__["_body_engine"] = cached
    return cached


def produced(doc: DocState, rule: Rule) -> dict[str, Any]:
    kind = rule.kind
    if kind == "chrome":
        return {"chrome": rule.action} if doc.fired.get(rule.id) or _chrome_hits(doc, rule) else {}
    if kind == "cue":
        return {"cue": rule.cue} if next(iter(doc.matches(rule, doc.text)), None) is not None else {}
    if kind in ("meta", "title", "field"):
        name = "title" if kind == "title" else (rule.field or "")
        value = _scalar(doc, rule, name)
        if value is None or value == []:
            return {}
        return {name: value}
    if kind == "person":
        people = _people(doc, rule)
        return {rule.field or "": people} if people else {}
    if kind == "list":
        pts = [[p.marker, p.lead] for p in doc.summary.points if p.list_rule == rule.id]
        return {"points": pts} if pts else {}
    return {}


def _chrome_hits(doc: DocState, rule: Rule) -> bool:
    from .segment import split_lines
    text = doc.text
    for line in split_lines(text):
        for m in doc.matches(rule, text, line.start, line.end):
            if rule.action != "strip" or (m.start() == line.start and m.end() > m.start()):
                return True
            break
    return False


def field_candidates(doc: DocState, rule: Rule) -> list[tuple[str, int, int, int]]:
    """(value, start, end, rank) of every value ``rule`` proposes in ``doc``: the candidates the
    segment stage recorded (meta, title), or, for field rules, the rule run again over its scope
    units the way the fields stage runs it."""
    got = [(c.value, c.start, c.end, c.rank) for c in doc.candidates if c.rule.id == rule.id]
    if got or rule.kind != "field":
        return got
    from .values import resolve
    if rule.scope == "body":
        units = [doc.body]
    elif rule.scope == "title":     # every headline candidate (the fields stage takes the chosen one)
        units = [Span(c.start, c.end) for c in doc.candidates if c.field == "title"]
    elif rule.scope == "paragraph":
        units = list(doc.paragraphs)
    else:
        units = list(doc.sentences)
    for rank, unit in enumerate(units):
        for m in doc.matches(rule, doc.text, unit.start, unit.end):
            r = resolve(doc, rule, m)
            if r is not None:
                got.append((r[0], r[1], r[2], rank))
    return got


def _line_values(doc: DocState, rule: Rule) -> list[tuple[str, int, int, int]]:
    """The rule's value on each line of the text, tried as the segment stage tries a header line."""
    from .values import resolve
    from .segment import split_lines
    out = []
    for rank, line in enumerate(split_lines(doc.text)):
        for m in doc.matches(rule, doc.text, line.start, line.end):
            r = resolve(doc, rule, m)
            if r is not None:
                out.append((r[0], r[1], r[2], rank))
                break
    return out


def _scalar(doc: DocState, rule: Rule, name: str) -> Any:
    s = doc.summary
    spec = doc.book.field(name)
    if spec is not None and spec.type == "list":
        vals = [v.value for v in s.get(name) if v.evidence.rule == rule.id]
        if not vals:
            vals = list(dict.fromkeys(v for v, *_ in sorted(field_candidates(doc, rule), key=lambda c: c[1])))
        return vals
    v = s.get(name) if spec is not None and spec.output else None
    if v is not None and getattr(v, "evidence", None) is not None and v.evidence.rule == rule.id:
        return v.value
    cands = field_candidates(doc, rule)
    if not cands and rule.kind in ("title", "meta"):
        cands = _line_values(doc, rule)
    if not cands:
        return None
    return min(cands, key=lambda c: (c[3], c[1]))[0]


def _people(doc: DocState, rule: Rule) -> list[dict[str, Any]]:
    out: dict[str, dict[str, Any]] = {}
    for pm in sorted((p for p in doc.persons if p.rule == rule.id), key=lambda p: p.start):
        cur = out.get(pm.name)
        if cur is None:
            out[pm.name] = {"name": pm.name, "roles": list(pm.roles)}
        elif (len(pm.roles), sum(map(len, pm.roles))) > (len(cur["roles"]), sum(map(len, cur["roles"]))):
            cur["roles"] = list(pm.roles)
    return list(out.values())


# -- comparing -------------------------------------------------------------------------------

def matches_expectation(expect: dict[str, Any], found: dict[str, Any]) -> bool:
    return all(_equal(key, want, found.get(key)) for key, want in expect.items())


def _equal(key: str, want: Any, got: Any) -> bool:
    if want is None or want == []:
        return got in (None, [], "")
    if got is None:
        return False
    if key == "points":
        return isinstance(want, list) and [_pair(x) for x in want] == [_pair(x) for x in got]
    if isinstance(got, list) and got and isinstance(got[0], dict):       # persons
        if not isinstance(want, list) or len(want) != len(got):
            return False
        return all(_same_person(w, g) for w, g in zip(want, got))
    if isinstance(got, list):                                          # relayed
        want_list = want if isinstance(want, list) else [want]
        return [str(w) for w in want_list] == [str(g) for g in got]
    return str(want) == str(got)


def _pair(x: Any) -> tuple[str, str]:
    if isinstance(x, dict):
        return str(x.get("marker", "")), str(x.get("lead", ""))
    if isinstance(x, (list, tuple)) and len(x) == 2:
        return str(x[0]), str(x[1])
    return str(x), ""


def _same_person(want: Any, got: dict[str, Any]) -> bool:
    if isinstance(want, str):
        return want == got["name"]
    if not isinstance(want, dict):
        return False
    if str(want.get("name")) != got["name"]:
        return False
    return "roles" not in want or [str(r) for r in want.get("roles") or []] == got["roles"]


def check(engine: Any, case: Case) -> Outcome:
    """Run one case; never raises (an error inside the engine is a failed case)."""
    try:
        found = run_example(engine, case.rule, case.text)
    except Exception as e:  # a broken rule must not stop the other cases
        return Outcome(case, False, {}, f"{type(e).__name__}: {e}")
    if case.kind == "example":
        ok = matches_expectation(case.expect or {}, found)
    else:
        ok = not found
    return Outcome(case, ok, found)
