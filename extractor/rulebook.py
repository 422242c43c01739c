"""Load, check and compile rule files (YAML) into a RuleBook.

A rule file may hold these top-level keys (see docs/rules.md):

* ``patterns``: named, reusable sub-patterns, referenced as ``%{NAME}`` or ``%{NAME:capture}``
  from any pattern in any file of the pack;
* ``rules``: a list of rules, each with a stable ``id`` and a ``kind``;
* ``settings``: engine parameters (which sub-pattern splits sentences, which marks a person, ...);
* ``numerals``: the digit and unit characters the numeral normaliser reads;
* ``labels``: the words the Markdown summary prints;
* ``disable``: ids of rules (from earlier packs) to switch off;
* ``fields``: the output fields (see extractor/schema.py).

Every problem is reported with file:line:col, all at once.
"""
from __future__ import annotations

import os
import re
from dataclasses import dataclass, field as _field
from pathlib import Path
from typing import Any

import regex

from .config import shipped_rules_dirname
from .errors import Problem, RuleError, a_or_an, did_you_mean, one_of
from .patterns import PatternLibrary, word_list
from .rulefile import Located, load_located
from .schema import (CHROME_ACTIONS, CUE_TYPES, DEFAULT_SCOPE, EXAMPLE_KEYS, FIELDS_FILE, KIND_TYPES, KINDS,
                     NORMALISERS, REQUIRED, RULE_KEYS, SCOPES, SETTING_DEFAULTS, TOP_KEYS, FieldSpec, _BOOL, _INT,
                     _STR, _typename, check_settings, expect_keys, read_fields, setting_fields)


@dataclass(slots=True)
class Rule:
    """One compiled rule."""

    id: str
    kind: str
    description: str
    scope: str
    patterns: list[Any]
    """Compiled ``regex`` patterns, tried in order."""
    priority: int = 50
    field: str | None = None
    value: str | None = None
    normalise: tuple[str, ...] = ()
    action: str | None = None
    cue: str | None = None
    words: tuple[str, ...] = ()
    last_word: str | None = None
    block: bool = False
    needs_cue: bool = False
    max_gap: int = 0
    min_items: int = 2
    requires: Any = None
    """A cheap pattern that must occur in a unit (sentence, line, ...) before the rule's
    own patterns are tried there: a fast pre-filter for expensive rules."""
    requires_words: tuple[str, ...] | None = None
    """When ``requires`` is only literal words (plain text, ``A|B``, a word-list
    sub-pattern): those words..."""
    requires_literal: Any = None
    """...and a standard-library ``re`` pattern of them: literal words only, which it finds
    several times faster than ``regex`` does, and which cannot backtrack (no time limit)."""
    examples: list[dict] = _field(default_factory=list)
    counter_examples: list[str] = _field(default_factory=list)
    example_lines: list[int] = _field(default_factory=list)
    """Line of each example (and below, of each counter-example) in ``file``."""
    counter_example_lines: list[int] = _field(default_factory=list)
    todo: dict[tuple[str, int], str] = _field(default_factory=dict)
    """Examples marked ``todo: reason`` (known gaps): ("example"|"counter", index) -> reason."""
    file: str = ""
    line: int = 0
    enabled: bool = True
    origin: str = ""
    """Which pack the rule came from (shipped or an overlay directory)."""
    overrides: str | None = None
    """File:line of the rule this one replaced, if any."""
    disabled_at: str | None = None
    """File:line of the ``disable`` entry that switched this rule off, if any."""

    @property
    def stage(self) -> str:
        return KINDS[self.kind]

    @property
    def where(self) -> str:
        return f"{self.file}:{self.line}"


@dataclass
class RuleBook:
    """The compiled rule set of one or more packs; immutable once built, safe to share.

    No ``__slots__``: what is derived from the rules once per book (``of_kind``, the
    person reader of extractor/people.py) is kept in the instance ``__dict__``."""

    rules: list[Rule]
    settings: dict[str, Any]
    compiled_settings: dict[str, Any]
    numerals: dict[str, int]
    labels: dict[str, str]
    library: dict[str, str]
    files: list[str]
    digest: str
    disabled: list[Rule] = _field(default_factory=list)
    fields: tuple[FieldSpec, ...] = ()
    """The output fields, in the order of the JSON keys (``fields:`` of the rule files)."""

    def field(self, name: str) -> FieldSpec | None:
        """The declaration of output field ``name``, or None."""
        for f in self.fields:
            if f.name == name:
                return f
        return None

    def of_kind(self, kind: str) -> list[Rule]:
        """The enabled rules of one kind, in priority order (computed once per book)."""
        by_kind = self.__dict__.get("_by_kind")
        if by_kind is None:
            by_kind = {}
            for r in self.rules:
                if r.enabled:
                    by_kind.setdefault(r.kind, []).append(r)
            self.__dict__["_by_kind"] = by_kind
        return by_kind.get(kind, [])

    def get(self, rule_id: str) -> Rule | None:
        for r in self.rules:
            if r.id == rule_id:
                return r
        return None

    def setting(self, dotted: str, default: Any = None) -> Any:
        if dotted in self.compiled_settings:
            return self.compiled_settings[dotted]
        cur: Any = self.settings
        for part in dotted.split("."):
            if not isinstance(cur, dict) or part not in cur:
                return default
            cur = cur[part]
        return cur


class _Builder(PatternLibrary):
    def __init__(self) -> None:
        super().__init__([])
        self.docs: list[tuple[Located, int]] = []   # (document, pack index)
        self.library_pack: dict[str, int] = {}

    # -- loading -----------------------------------------------------------------------
    def add_file(self, path: Path, pack: int) -> None:
        # relative to the working directory, else absolute (as extractor/rulecache.py
        # shows a cached rule's file)
        try:
            rel = os.path.relpath(path)
        except ValueError:   # another drive (Windows)
            rel = os.path.abspath(path)
        name = os.path.abspath(path) if rel.startswith("..") else rel
        try:
            text = path.read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError) as e:
            self.problems.append(Problem(name, 1, 1, "unreadable", str(e).splitlines()[0]))
            return
        doc = load_located(text, name, self.problems)
        if doc is None:
            return
        # a file none of whose keys is (nor looks like) a top-level key is some other file
        # (a link to a system file, another tool's YAML): one problem, not one per line
        if not isinstance(doc.data, dict) or (doc.data and not any(
                k in TOP_KEYS or did_you_mean(str(k), TOP_KEYS) for k in doc.data)):
            self.problems.append(doc.problem((), "not-a-rule-file",
                                             f"not a rule file: a rule file is a mapping of {', '.join(TOP_KEYS)}"))
            return
        for key in doc.data:
            if key not in TOP_KEYS:
                self.problems.append(doc.problem((key,), "unknown-key",
                                                 f"unknown top-level key '{key}'{did_you_mean(key, TOP_KEYS)}",
                                                 key=True))
        check_settings(doc, self.problems)
        pats = doc.data.get("patterns") or {}
        if not isinstance(pats, dict):
            self.problems.append(doc.problem(("patterns",), "bad-type", "'patterns' must be a mapping NAME: regex"))
        else:
            for name, val in pats.items():
                words_of: tuple[str, ...] | None = None
                if isinstance(val, dict) and "words" in val:
                    words = val["words"]
                    if not (isinstance(words, list) and words and all(isinstance(w, str) and w for w in words)):
                        self.problems.append(doc.problem(("patterns", name, "words"), "bad-type",
                                                         f"'words' of pattern '{name}' must be a list of non-empty strings"))
                        continue
                    val = word_list(name, words)
                    words_of = tuple(words)
                elif isinstance(val, dict):
                    val = val.get("pattern")
                if not isinstance(val, str):
                    self.problems.append(doc.problem(("patterns", name), "bad-type",
                                                     f"pattern '{name}' must be a string or a mapping with 'pattern' or 'words'"))
                    continue
                if name in self.library and self.library_pack.get(name) == pack:
                    prev = self.library[name]
                    line = prev[1].where(prev[2], key=True)[0]
                    self.problems.append(doc.problem(("patterns", name), "duplicate-pattern",
                                                     f"pattern '{name}' already defined at {prev[1].file}:{line}",
                                                     key=True))
                    continue
                if words_of is not None:
                    self.words[name] = words_of
                else:
                    self.words.pop(name, None)      # an overlay may redefine a word list as a pattern
                self.library[name] = (val, doc, ("patterns", name))
                self.library_pack[name] = pack   # a later pack may redefine it (overlay)
        self.docs.append((doc, pack))

    # -- rules ---------------------------------------------------------------------------
    def check_rule(self, r: dict, doc: Located, path: tuple) -> bool:
        ok = True
        for key, val in r.items():
            if key not in RULE_KEYS:
                self.problems.append(doc.problem(path + (key,), "unknown-key",
                                                 f"unknown rule key '{key}'{did_you_mean(key, RULE_KEYS)}", key=True))
                ok = False
                continue
            want = RULE_KEYS[key]
            wants = want if isinstance(want, tuple) else (want,)
            got = _typename(val)
            if got not in wants:
                hint = " (quote it)" if _STR in wants and got in (_BOOL, _INT, "null") else ""
                self.problems.append(doc.problem(path + (key,), "bad-type",
                                                 f"'{key}' must be {' or '.join(a_or_an(w) for w in wants)}, "
                                                 f"not {got}{hint}"))
                ok = False
        if "id" not in r:
            self.problems.append(doc.problem(path, "missing-key", "rule has no 'id'"))
            return False
        kind = r.get("kind")
        if kind not in KINDS:
            self.problems.append(doc.problem(path + ("kind",), "bad-value",
                                             f"kind must be one of {', '.join(KINDS)}"
                                             + (did_you_mean(str(kind), KINDS) if kind else "")))
            return False
        for key in REQUIRED[kind]:
            if key not in r:
                self.problems.append(doc.problem(path, "missing-key", f"{kind} rule '{r['id']}' needs '{key}'"))
                ok = False
        if kind == "list" and not ("marker" in r or "words" in r):
            self.problems.append(doc.problem(path, "missing-key", f"list rule '{r['id']}' needs 'marker' or 'words'"))
            ok = False
        if "scope" in r and r["scope"] not in SCOPES:
            self.problems.append(doc.problem(path + ("scope",), "bad-value",
                                             f"scope must be one of {', '.join(SCOPES)}{did_you_mean(str(r['scope']), SCOPES)}"))
            ok = False
        if "action" in r and r["action"] not in CHROME_ACTIONS:
            self.problems.append(doc.problem(path + ("action",), "bad-value",
                                             f"action must be one of {', '.join(CHROME_ACTIONS)}"))
            ok = False
        if "cue" in r and r["cue"] not in CUE_TYPES:
            self.problems.append(doc.problem(path + ("cue",), "bad-value",
                                             f"cue must be one of {', '.join(CUE_TYPES)}"))
            ok = False
        return ok

    def build_rule(self, r: dict, doc: Located, path: tuple) -> Rule | None:
        if not self.check_rule(r, doc, path):
            # still compile its patterns, so that all of a rule's problems show at once
            for key in ("pattern", "marker"):
                val = r.get(key)
                for i, p in enumerate(val if isinstance(val, list) else [val]):
                    if isinstance(p, str):
                        self.compile(p, doc, path + ((key, i) if isinstance(val, list) else (key,)))
            return None
        kind = r["kind"]
        raw = r.get("pattern")
        if kind == "list":
            raw = r.get("marker")
            if raw is None:
                words = [regex.escape(w) for w in r.get("words", [])]
                if r.get("last_word"):
                    words.append(regex.escape(r["last_word"]))
                raw = "(?P<word>" + "|".join(words) + ")"
        pats = raw if isinstance(raw, list) else [raw]
        compiled = []
        for i, p in enumerate(pats):
            ppath = path + (("pattern", i) if isinstance(raw, list) else ("marker" if kind == "list" and "marker" in r else "pattern",))
            if not isinstance(p, str):
                self.problems.append(doc.problem(ppath, "bad-type", "patterns must be strings"))
                return None
            c = self.compile(p, doc, ppath)
            if c is None:
                return None
            compiled.append(c[0])
        norm = r.get("normalise") or ()
        norm = (norm,) if isinstance(norm, str) else tuple(norm)
        for k, n in enumerate(norm):
            npath = path + (("normalise", k) if isinstance(r.get("normalise"), list) else ("normalise",))
            if not isinstance(n, str) or n not in NORMALISERS:
                self.problems.append(doc.problem(npath, "bad-value",
                                                 f"unknown normaliser '{n}'{one_of(str(n), NORMALISERS)}"))
                return None
            for need in NORMALISERS[n]:
                if not any(any(c in pat.groupindex for pat in compiled) for c in need):
                    self.problems.append(doc.problem(npath, "missing-capture",
                                                     f"normaliser '{n}' needs a capture named {' or '.join(need)}"
                                                     " but the pattern has none"))
                    return None
        if kind == "person" and not all("who" in c.groupindex or "ref" in c.groupindex for c in compiled):
            self.problems.append(doc.problem(path + ("pattern",), "missing-capture",
                                             "person rules need a capture named 'who' (the people) "
                                             "or 'ref' (a word standing for someone named before)"))
            return None
        need = "word" if "words" in r else "num"
        if kind == "list" and not all(need in c.groupindex for c in compiled):
            self.problems.append(doc.problem(path + ("marker",), "missing-capture",
                                             f"list markers need a capture named '{need}'"))
            return None
        val = r.get("value")
        if val:
            for name in regex.findall(r"\{(\w+)\}", val):
                if not any(name in c.groupindex for c in compiled):
                    self.problems.append(doc.problem(path + ("value",), "missing-capture",
                                                     f"value template uses {{{name}}} but no pattern captures '{name}'"))
                    return None
        requires = requires_words = None
        if isinstance(r.get("requires"), str):
            c = self.compile(r["requires"], doc, path + ("requires",))
            if c is None:
                return None
            requires = c[0]
            requires_words = self.literals(r["requires"])
        todo: dict[tuple[str, int], str] = {}
        if not self.check_examples(r, doc, path, kind, todo):
            return None
        counters = [c["text"] if isinstance(c, dict) else c for c in r.get("counter_examples") or []]
        line = doc.where(path)[0]
        return Rule(
            id=r["id"], kind=kind, description=r.get("description", ""),
            scope=r.get("scope", DEFAULT_SCOPE[kind]), patterns=compiled,
            priority=r.get("priority", 50), field=r.get("field"), value=r.get("value"),
            normalise=norm, action=r.get("action"), cue=r.get("cue"),
            words=tuple(r.get("words", ())), last_word=r.get("last_word"),
            block=r.get("block", False), needs_cue=r.get("needs_cue", False),
            max_gap=r.get("max_gap", 0), min_items=r.get("min_items", 2), requires=requires,
            requires_words=requires_words,
            requires_literal=None if requires_words is None else
            re.compile("|".join(re.escape(w) for w in sorted(requires_words, key=len, reverse=True))),
            examples=list(r.get("examples") or []), counter_examples=counters,
            example_lines=[doc.where(path + ("examples", i))[0] for i in range(len(r.get("examples") or []))],
            counter_example_lines=[doc.where(path + ("counter_examples", i))[0] for i in range(len(counters))],
            todo=todo, file=doc.file, line=line, enabled=r.get("enabled", True),
        )

    def check_examples(self, r: dict, doc: Located, path: tuple, kind: str,
                       todo: dict[tuple[str, int], str]) -> bool:
        """Examples are ``{text, expect, todo?}`` mappings whose ``expect`` names what this kind
        of rule produces; counter-examples are strings (or ``{text, todo}``)."""
        ok = True
        allowed = expect_keys(kind, r.get("field"))
        for i, ex in enumerate(r.get("examples") or []):
            epath = path + ("examples", i)
            if not (isinstance(ex, dict) and isinstance(ex.get("text"), str) and isinstance(ex.get("expect"), dict)):
                self.problems.append(doc.problem(epath, "bad-type",
                                                 "an example is a mapping with 'text' (a string) and 'expect' (a mapping)"))
                ok = False
                continue
            for key in ex:
                if key not in EXAMPLE_KEYS:
                    self.problems.append(doc.problem(epath + (key,), "unknown-key",
                                                     f"unknown example key '{key}'{did_you_mean(key, EXAMPLE_KEYS)}",
                                                     key=True))
                    ok = False
            if not ex["expect"]:
                self.problems.append(doc.problem(epath + ("expect",), "bad-value",
                                                 f"'expect' names nothing; it can expect {' or '.join(allowed)}"))
                ok = False
            for key in ex["expect"]:
                if key not in allowed:
                    self.problems.append(doc.problem(epath + ("expect", key), "bad-value",
                                                     f"a {kind} rule's example can expect {' or '.join(allowed)}, "
                                                     f"not '{key}'", key=True))
                    ok = False
            if ex.get("todo"):
                todo[("example", i)] = str(ex["todo"])
        for i, ex in enumerate(r.get("counter_examples") or []):
            cpath = path + ("counter_examples", i)
            if isinstance(ex, dict) and isinstance(ex.get("text"), str) and set(ex) <= {"text", "todo"}:
                if ex.get("todo"):
                    todo[("counter", i)] = str(ex["todo"])
                continue
            if not isinstance(ex, str):
                self.problems.append(doc.problem(cpath, "bad-type",
                                                 "a counter-example is a string (or a mapping with 'text' and 'todo')"))
                ok = False
        return ok

    def settings_patterns(self, settings: dict, docs: dict[str, tuple[Located, tuple]]) -> dict[str, Any]:
        """Settings whose key ends in ``pattern`` are expanded and compiled like rule patterns."""
        out: dict[str, Any] = {}

        def walk(d: dict, prefix: str) -> None:
            for k, v in d.items():
                dotted = f"{prefix}{k}"
                if isinstance(v, dict):
                    walk(v, dotted + ".")
                elif isinstance(v, str) and k.endswith("pattern"):
                    doc, path = docs[dotted]
                    c = self.compile(v, doc, path)
                    if c is not None:
                        out[dotted] = c[0]
        walk(settings, "")
        for dotted, src in SETTING_DEFAULTS.items():    # what a pack that sets none gets
            if dotted not in out and _get(settings, dotted) is None:
                c = self.compile(src, None, ())
                if c is not None:
                    out[dotted] = c[0]
        return out


def _get(d: dict, dotted: str) -> Any:
    for part in dotted.split("."):
        if not isinstance(d, dict):
            return None
        d = d.get(part)
    return d


def _merge(into: dict, new: dict, doc: Located, path: tuple, owners: dict[str, tuple[Located, tuple]],
           prefix: str = "") -> None:
    for k, v in new.items():
        dotted = f"{prefix}{k}"
        if isinstance(v, dict) and isinstance(into.get(k), dict):
            _merge(into[k], v, doc, path + (k,), owners, dotted + ".")
        else:
            into[k] = v
            _record(v, doc, path + (k,), owners, dotted)


def _record(v: Any, doc: Located, path: tuple, owners: dict, dotted: str) -> None:
    owners[dotted] = (doc, path)
    if isinstance(v, dict):
        for k, sub in v.items():
            _record(sub, doc, path + (k,), owners, f"{dotted}.{k}")


def build(packs: list[list[Path]]) -> RuleBook:
    """Build a RuleBook from packs of files: the first pack is the base, later ones overlay it
    (a rule with an id already defined replaces it; ``disable`` switches rules off).
    Raises RuleError listing every problem."""
    b = _Builder()
    files: list[str] = []
    import hashlib
    # the built-in output fields are always declared, with or without the shipped rules
    fields_file = Path(shipped_rules_dirname(), FIELDS_FILE)
    if packs and not any(f.name == FIELDS_FILE and f.resolve() == fields_file.resolve() for p in packs for f in p):
        packs = [[fields_file] + packs[0]] + packs[1:]
    digest = hashlib.sha256()
    for i, pack in enumerate(packs):
        for f in pack:
            files.append(str(f))
            try:
                digest.update(f.read_bytes())
            except OSError:
                pass
            b.add_file(f, i)
    rules: dict[str, Rule] = {}
    pack_of: dict[str, int] = {}
    settings: dict[str, Any] = {}
    owners: dict[str, tuple[Located, tuple]] = {}
    numerals: dict[str, int] = {}
    labels: dict[str, str] = {}
    disabled_ids: list[tuple[str, Located, tuple]] = []
    declared: dict[str, FieldSpec] = {}
    for doc, _pack in b.docs:
        read_fields(doc, declared, b.problems)
    labels.update((f.name, f.label) for f in declared.values())   # labels: entries override them
    for doc, _pack in b.docs:
        for name, path in setting_fields(doc):
            f = declared.get(name)
            if f is None or not f.people:
                b.problems.append(doc.problem(path, "unknown-field", _field_problem(name, declared, KIND_TYPES["person"])))
    for doc, pack in b.docs:
        data = doc.data
        st = data.get("settings") or {}
        if isinstance(st, dict):
            _merge(settings, st, doc, ("settings",), owners)
        else:
            b.problems.append(doc.problem(("settings",), "bad-type", "'settings' must be a mapping"))
        nums = data.get("numerals") or {}
        if not isinstance(nums, dict):
            b.problems.append(doc.problem(("numerals",), "bad-type", "'numerals' must be a mapping CHARACTER: number"))
            nums = {}
        for k, v in nums.items():
            if not isinstance(v, int) or isinstance(v, bool):
                b.problems.append(doc.problem(("numerals", k), "bad-type", f"numeral '{k}' must map to an integer"))
            else:
                numerals[str(k)] = v
        labs = data.get("labels") or {}
        if not isinstance(labs, dict):
            b.problems.append(doc.problem(("labels",), "bad-type", "'labels' must be a mapping NAME: text"))
            labs = {}
        for k, v in labs.items():
            if isinstance(v, str):
                labels[str(k)] = v
            else:
                b.problems.append(doc.problem(("labels", k), "bad-type", f"label '{k}' must be a string"))
        dis = data.get("disable") or []
        if not isinstance(dis, list):
            b.problems.append(doc.problem(("disable",), "bad-type", "'disable' must be a list of rule ids"))
            dis = []
        for j, rid in enumerate(dis):
            if not isinstance(rid, str):
                b.problems.append(doc.problem(("disable", j), "bad-type", "'disable' must be a list of rule ids"))
                continue
            disabled_ids.append((rid, doc, ("disable", j)))
        rs = data.get("rules") or []
        if not isinstance(rs, list):
            b.problems.append(doc.problem(("rules",), "bad-type", "'rules' must be a list"))
            continue
        for j, r in enumerate(rs):
            path = ("rules", j)
            if not isinstance(r, dict):
                b.problems.append(doc.problem(path, "bad-type", "a rule is a mapping"))
                continue
            rule = b.build_rule(r, doc, path)
            if rule is None:
                continue
            types = KIND_TYPES.get(rule.kind)
            if types and rule.field is not None and rule.kind != "title":
                f = declared.get(rule.field)
                if f is None or f.type not in types:
                    b.problems.append(doc.problem(path + ("field",), "unknown-field",
                                                  _field_problem(rule.field, declared, types, rule.kind)))
                    continue
            rule.origin = "shipped" if pack == 0 else f"overlay {pack}"
            prev = rules.get(rule.id)
            if prev is not None:
                if prev.origin == rule.origin:
                    b.problems.append(doc.problem(path + ("id",), "duplicate-id",
                                                  f"rule id '{rule.id}' already defined at {prev.where}"))
                    continue
                rule.overrides = prev.where
            rules[rule.id] = rule
            pack_of[rule.id] = pack
    compiled_settings = b.settings_patterns(settings, owners)
    b.check_library()
    disabled: list[Rule] = []
    for rid, doc, path in disabled_ids:
        r = rules.get(rid)
        if r is None:
            b.problems.append(doc.problem(path, "unknown-rule",
                                          f"cannot disable unknown rule '{rid}'{did_you_mean(rid, rules)}"))
        else:
            r.enabled = False
            r.disabled_at = f"{doc.file}:{doc.where(path)[0]}"
    timeout = settings.get("engine", {}).get("pattern_timeout") if isinstance(settings.get("engine"), dict) else None
    if timeout is not None and (isinstance(timeout, bool) or not isinstance(timeout, (int, float)) or timeout <= 0):
        doc, path = owners["engine.pattern_timeout"]
        b.problems.append(doc.problem(path, "bad-value", "'pattern_timeout' must be a positive number of seconds"))
    if b.problems:
        raise RuleError(list(dict.fromkeys(b.problems)))
    # the order rules run in and win ties: higher priority first; at equal priority a later
    # pack first (an overlay refines what it overlays), then file name and line within a pack
    ordered = sorted(rules.values(), key=lambda r: (-r.priority, -pack_of[r.id], r.file, r.line))
    disabled = [r for r in ordered if not r.enabled]
    return RuleBook(rules=ordered, settings=settings, compiled_settings=compiled_settings,
                    numerals=numerals, labels=labels,
                    library={k: b.expanded.get(k, v[0]) for k, v in b.library.items()},
                    files=files, digest=digest.hexdigest(), disabled=disabled,
                    fields=tuple(declared.values()))


def _field_problem(name: str, declared: dict[str, FieldSpec], types: tuple[str, ...], kind: str = "") -> str:
    """Why ``name`` cannot be filled here: no such field (with a did-you-mean), or a field of
    a type that this kind of rule (or setting) does not fill."""
    fits = [n for n, f in declared.items() if f.type in types]
    who = f"a {kind} rule" if kind else "this setting"
    if name in declared:
        return (f"{who} cannot fill field '{name}' (a {declared[name].type} field); "
                f"it fills {', '.join(fits) or 'no declared field'}")
    hint = did_you_mean(name, fits) or did_you_mean(name, declared)
    return hint and f"unknown field '{name}'{hint}" or \
        f"unknown field '{name}' ({who} fills {', '.join(fits) or 'no declared field'}; declare new fields under 'fields:')"


