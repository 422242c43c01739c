"""What rule files may say: top-level keys, rule kinds and keys, the settings keys the engine
reads, the output fields they declare (``fields:``), and the JSON Schema of all that
(``summarize rules schema``).

A summary's fields are data: each one is declared once, in ``rules/05-fields.yaml`` (an
overlay may add its own), with a name, a value type, a default label, where Markdown shows
it and how candidates combine. :class:`FieldSpec` is one declaration; every output format,
``summarize schema``, ``eval`` and ``explain`` read the rule book's list of them
(``RuleBook.fields``) instead of naming fields in code.

Value types and how their candidates combine:

* ``text``, ``date`` -- a scalar (:class:`extractor.model.Value`): the candidate of the
  highest-priority rule wins, then the earliest; a date is ISO ``YYYY-MM-DD`` (or ``--MM-DD``);
* ``persons`` -- people with roles (:class:`extractor.model.Person`), merged by name;
* ``names`` -- people as well, printed and scored by name only;
* ``list`` -- every distinct value (:class:`extractor.model.Value`), in text order;
* ``points`` -- the numbered directives (:class:`extractor.model.Point`) of ``list`` rules.

The JSON Schema (draft 2020-12) of rule files is built from the same tables the loader
checks with (TOP_KEYS, RULE_KEYS, KINDS, REQUIRED, SCOPES, CHROME_ACTIONS, CUE_TYPES,
NORMALISERS, the fields and settings), so that an editor and the loader agree.

    summarize rules schema > rules.schema.json

and in a rule file: ``# yaml-language-server: $schema=rules.schema.json``.
The loader checks more than a schema can say (sub-pattern references, regex syntax,
captures a normaliser needs, duplicate ids, what an example may expect): run
``summarize rules check`` for those.
"""
from __future__ import annotations

import os
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

from .config import shipped_rules_dirname
from .errors import RuleError, did_you_mean
from .rulefile import load_located

KINDS = {
    "chrome": "segment", "meta": "segment", "title": "segment",
    "person": "people", "field": "fields",
    "list": "lists", "cue": "lists",
}
SCOPES = ("line", "header", "title", "body", "paragraph", "sentence", "before", "item", "intro")
DEFAULT_SCOPE = {"chrome": "line", "meta": "line", "title": "header", "person": "sentence",
                 "field": "sentence", "list": "body", "cue": "before"}
CHROME_ACTIONS = ("drop", "end", "cut", "strip")
CUE_TYPES = ("directive", "not_directive", "no_speaker", "relayed")
NORMALISERS = {
    # name -> captures it needs (any one of each tuple)
    "date": (("month", "day", "date"),),
    "dated_line": (("month", "day"),),
    "day_only": (),
    "relative_day": (("relative",),),
    "strip": (),
    "unquote": (),
}
_STR, _INT, _BOOL, _LIST, _MAP = "string", "integer", "boolean", "list", "mapping"
RULE_KEYS: dict[str, Any] = {
    "id": _STR, "description": _STR, "kind": _STR, "enabled": _BOOL, "priority": _INT,
    "scope": _STR, "pattern": (_STR, _LIST), "field": _STR, "value": _STR,
    "normalise": (_STR, _LIST), "action": _STR, "cue": _STR, "marker": _STR,
    "words": _LIST, "last_word": _STR, "block": _BOOL, "needs_cue": _BOOL, "max_gap": _INT,
    "examples": _LIST, "counter_examples": _LIST, "min_items": _INT, "requires": _STR,
}
REQUIRED = {
    "chrome": ("pattern", "action"), "meta": ("pattern", "field"), "title": ("pattern",),
    "person": ("pattern", "field"), "field": ("pattern", "field"), "list": (),
    "cue": ("pattern", "cue"),
}
EXAMPLE_KEYS = ("text", "expect", "todo")


def expect_keys(kind: str, field: str | None) -> tuple[str, ...]:
    """What an example of a rule of this kind may expect (see extractor/ruletest.py)."""
    if kind in ("chrome", "cue"):
        return (kind,)
    if kind == "list":
        return ("points",)
    if kind == "title":
        return ("title",)
    return (field,) if field else ()


TOP_KEYS = ("patterns", "rules", "settings", "numerals", "labels", "disable", "fields")


def _typename(v: Any) -> str:
    if isinstance(v, bool):
        return _BOOL
    if isinstance(v, int):
        return _INT
    if isinstance(v, str):
        return _STR
    if isinstance(v, list):
        return _LIST
    if isinstance(v, dict):
        return _MAP
    return "null" if v is None else type(v).__name__


# -- output fields -----------------------------------------------------------------------

TYPES = ("text", "date", "persons", "names", "list", "points")
SCALAR_TYPES = ("text", "date")
PEOPLE_TYPES = ("persons", "names")
SHOW = ("heading", "row", "section", "none", "internal")
COMBINE = ("by_name", "by_name_first_seen")
FIELD_KEYS = ("type", "label", "show", "order", "combine", "part", "description")
RESERVED = ("evidence", "warnings", "file", "error")
"""Keys the JSON output uses for itself: no field may be named so."""

KIND_TYPES = {
    "meta": SCALAR_TYPES,
    "title": SCALAR_TYPES,
    "field": SCALAR_TYPES + ("list",),
    "person": PEOPLE_TYPES,
}
"""The value types a rule of each kind can fill (``field: NAME``)."""

FIELDS_FILE = "05-fields.yaml"
"""The shipped file that declares the built-in fields (read even with --no-shipped-rules)."""


@dataclass(frozen=True, slots=True)
class FieldSpec:
    """One output field, as declared under ``fields:``."""

    name: str
    type: str
    """One of :data:`TYPES`."""
    label: str
    """The default Markdown/HTML label (a ``labels:`` entry of the same name overrides it)."""
    show: str = "row"
    """Where Markdown prints it: ``heading``, ``row`` (of the table), ``section`` or ``none``;
    ``internal``: in no output (people read for the engine's own use: refs, point speakers)."""
    order: int = 1000
    """Position among the Markdown table's rows (lower first; ties in declaration order)."""
    combine: str = "by_name"
    """People only: ``by_name`` (order of the mentions) or ``by_name_first_seen``."""
    part: str = ""
    """People only: the ``part`` column of the CSV people table (default: the name)."""
    description: str = ""

    @property
    def scalar(self) -> bool:
        return self.type in SCALAR_TYPES

    @property
    def people(self) -> bool:
        return self.type in PEOPLE_TYPES

    @property
    def output(self) -> bool:
        """Is it part of the summary (JSON key, Summary attribute or ``extra`` entry)?"""
        return self.show != "internal"

    def empty(self) -> Any:
        """The value of the field when nothing was found: None for a scalar, else []."""
        return None if self.scalar else []


def read_fields(doc: Any, into: dict[str, FieldSpec], problems: list[Any]) -> None:
    """Add the ``fields:`` declarations of one rule file (a rulefile ``Located``) to ``into``,
    reporting every problem. A later declaration of a name replaces the earlier one, and must
    keep its type (the built-in fields are :class:`extractor.model.Summary` attributes)."""
    data = doc.data.get("fields")
    if data is None:
        return
    if not isinstance(data, dict):
        problems.append(doc.problem(("fields",), "bad-type", "'fields' must be a mapping NAME: declaration"))
        return
    for name, decl in data.items():
        path = ("fields", name)
        if not isinstance(name, str) or not name.isidentifier() or not name.isascii():
            problems.append(doc.problem(path, "bad-value",
                                        f"field name '{name}' must be a word of ASCII letters, digits and _",
                                        key=True))
            continue
        if name in RESERVED:
            problems.append(doc.problem(path, "bad-value",
                                        f"'{name}' is a key of the output itself, not a field name", key=True))
            continue
        if not isinstance(decl, dict):
            problems.append(doc.problem(path, "bad-type", f"field '{name}' must be a mapping with 'type'"))
            continue
        ok = True
        for key in decl:
            if key not in FIELD_KEYS:
                problems.append(doc.problem(path + (key,), "unknown-key",
                                            f"unknown field key '{key}'{did_you_mean(str(key), FIELD_KEYS)}",
                                            key=True))
                ok = False
        ftype = decl.get("type")
        if ftype not in TYPES:
            problems.append(doc.problem(path + ("type",), "bad-value",
                                        f"field type must be one of {', '.join(TYPES)}"
                                        + (did_you_mean(str(ftype), TYPES) if ftype else "")))
            ok = False
        if ftype == "points" and name != "points":
            problems.append(doc.problem(path + ("type",), "bad-value",
                                        "only the built-in field 'points' has type points (list rules fill it)"))
            ok = False
        for key, options in (("show", SHOW), ("combine", COMBINE)):
            if key in decl and decl[key] not in options:
                problems.append(doc.problem(path + (key,), "bad-value",
                                            f"{key} must be one of {', '.join(options)}"
                                            f"{did_you_mean(str(decl[key]), options)}"))
                ok = False
        for key in ("label", "part", "description"):
            if key in decl and not isinstance(decl[key], str):
                problems.append(doc.problem(path + (key,), "bad-type", f"'{key}' must be a string"))
                ok = False
        order = decl.get("order", 1000)
        if isinstance(order, bool) or not isinstance(order, int):
            problems.append(doc.problem(path + ("order",), "bad-type", "'order' must be an integer"))
            ok = False
        prev = into.get(name)
        if ok and prev is not None and prev.type != ftype:
            problems.append(doc.problem(path + ("type",), "bad-value",
                                        f"field '{name}' is declared as {prev.type}; a redeclaration "
                                        "may change its label, order and description, not its type"))
            ok = False
        if not ok:
            continue
        show = decl.get("show", "section" if ftype == "points" else "row")
        spec = FieldSpec(name=name, type=ftype, label=decl.get("label", name), show=show, order=order,
                         combine=decl.get("combine", "by_name"), part=decl.get("part", name),
                         description=decl.get("description", ""))
        # a redeclaration keeps the place of the original (dict assignment keeps the key's position)
        into[name] = spec


@lru_cache(maxsize=1)
def shipped_fields() -> tuple[FieldSpec, ...]:
    """The fields declared in the shipped ``rules/05-fields.yaml``: what a :class:`Summary`
    made without a rule book (``Summary()``) holds."""
    path = os.path.join(shipped_rules_dirname(), FIELDS_FILE)
    with open(path, encoding="utf-8") as f:
        text = f.read()
    problems: list[Any] = []
    doc = load_located(text, path, problems)
    fields: dict[str, FieldSpec] = {}
    if doc is not None:
        read_fields(doc, fields, problems)
    if problems or doc is None:
        raise RuleError(problems)
    return tuple(fields.values())


def outputs(fields: tuple[FieldSpec, ...]) -> tuple[FieldSpec, ...]:
    """The fields of the summary (the internal ones left out), in the order of the JSON keys."""
    return tuple(f for f in fields if f.output)


def rows(fields: tuple[FieldSpec, ...]) -> list[FieldSpec]:
    """The fields Markdown and HTML print as table rows, in their ``order``."""
    return sorted((f for f in fields if f.show == "row"), key=lambda f: f.order)


# -- settings ---------------------------------------------------------------------------------

_NUM, _INT, _STR, _MAP, _BOOL, _FIELD = "number", "integer", "string", "mapping", "boolean", "field"
SETTINGS: dict[str, dict[str, str]] = {
    "engine": {"pattern_timeout": _NUM, "document_timeout": _NUM},
    "document": {"report_pattern": _STR, "not_report_pattern": _STR},
    "segment": {"body_min_chars": _INT, "body_mark_pattern": _STR, "body_start_pattern": _STR,
                "title_max_chars": _INT, "footer_meta_lines": _INT},
    "sentence": {"end_pattern": _STR},
    "persons": {"separator_pattern": _STR, "item_pattern": _STR, "role_strip_pattern": _STR,
                "roles_only_pattern": _STR, "role_separator_pattern": _STR,
                "weak_separator_pattern": _STR, "ref_paragraphs": _INT, "ref_max_chars": _INT,
                "ref_clause_end_pattern": _STR},
    "dates": {"year_in_name_pattern": _STR, "year_in_text_pattern": _STR, "relative_days": _MAP},
    "points": {"before_window": _INT, "attribution_window": _INT, "attribution_paragraphs": _INT,
               "join_families": _BOOL, "speaker_field": _FIELD, "clause_pattern": _STR,
               "lead_stop_pattern": _STR, "lead_strip_chars": _STR, "clause_stop_pattern": _STR},
}
"""Every settings key the engine reads (section -> key -> type); any other key is an error.
A ``mapping`` holds keys of the rule author's choosing (``dates.relative_days``: a word ->
days from the publication date); a ``field`` names a declared field."""


def _type_ok(v: Any, want: str) -> bool:
    if want == _NUM:
        return isinstance(v, (int, float)) and not isinstance(v, bool)
    if want == _INT:
        return isinstance(v, int) and not isinstance(v, bool)
    if want in (_STR, _FIELD):
        return isinstance(v, str)
    if want == _BOOL:
        return isinstance(v, bool)
    return isinstance(v, dict)


def check_settings(doc: Any, problems: list[Any]) -> None:
    """Unknown settings sections and keys (with a did-you-mean) and values of the wrong type,
    in one rule file's ``settings:``. Field names are checked once all fields are known."""
    st = doc.data.get("settings")
    if not isinstance(st, dict):
        return
    for section, body in st.items():
        path = ("settings", section)
        if section not in SETTINGS:
            problems.append(doc.problem(path, "unknown-key", f"unknown settings section '{section}'"
                                        f"{did_you_mean(str(section), SETTINGS)}", key=True))
            continue
        if not isinstance(body, dict):
            problems.append(doc.problem(path, "bad-type", f"settings '{section}' must be a mapping"))
            continue
        keys = SETTINGS[section]
        for key, v in body.items():
            if key not in keys:
                problems.append(doc.problem(path + (key,), "unknown-key",
                                            f"unknown setting '{section}.{key}'{did_you_mean(str(key), keys)}",
                                            key=True))
            elif not _type_ok(v, keys[key]):
                want = "a field name" if keys[key] == _FIELD else ("an " if keys[key][0] in "aeiou" else "a ") + keys[key]
                problems.append(doc.problem(path + (key,), "bad-type",
                                            f"setting '{section}.{key}' must be {want}"))


def setting_fields(doc: Any) -> list[tuple[str, tuple]]:
    """(field name, path) of the settings of one file that name a field."""
    st = doc.data.get("settings")
    out = []
    if isinstance(st, dict):
        for section, keys in SETTINGS.items():
            body = st.get(section)
            if not isinstance(body, dict):
                continue
            for key, want in keys.items():
                if want == _FIELD and isinstance(body.get(key), str):
                    out.append((body[key], ("settings", section, key)))
    return out


SETTING_DEFAULTS: dict[str, str] = {
    "segment.body_mark_pattern": r"[.!?;]|,[^,]*,",
    "sentence.end_pattern": r"[.!?;](?=\s|$)|\n",
    "persons.item_pattern": r"\s*(?P<name>\S(?:.*\S)?)\s*",
    "persons.separator_pattern": r"(?!)",
    "persons.weak_separator_pattern": r"(?!)",
    "persons.roles_only_pattern": r"(?!)",
    "persons.role_separator_pattern": r"(?!)",
}
"""Patterns a rule pack that sets none gets (the shipped rules set all of these): a body line
holds a sentence end or two commas, sentences end at ASCII ``.!?;`` before a space, and a
``who`` capture is one person, its whole text the name, without roles."""


# -- the JSON Schema of rule files ----------------------------------------------------------

SCHEMA_ID = "https://jiyao.invalid/schemas/rule-file.json"

_TYPES = {
    _STR: {"type": "string"},
    _INT: {"type": "integer"},
    _BOOL: {"type": "boolean"},
    _LIST: {"type": "array"},
    _MAP: {"type": "object"},
}

KEY_DOCS: dict[str, str] = {
    "id": "Stable, unique id (kind.name); an overlay rule with the same id replaces this one.",
    "description": "What the rule recognises, for people (shown by `summarize rules list`).",
    "kind": "What the rule does: " + ", ".join(f"{k} ({v} stage)" for k, v in KINDS.items()) + ".",
    "enabled": "false switches the rule off (an overlay may also list its id under `disable`).",
    "priority": "Higher runs first and wins ties between candidates (default 50).",
    "scope": "Where the pattern is tried: " + ", ".join(SCOPES) + " (default depends on the kind).",
    "pattern": "A regex (`regex` module syntax, VERSION0, MULTILINE), or a list tried in order; "
               "%{NAME} inserts a named sub-pattern, %{NAME:cap} captures it as `cap`.",
    "field": "The declared field the rule fills (`fields:`; meta: a text or date field such as "
             "published/source; person: a persons or names field such as hosts/speakers/attendees; "
             "field: a text, date or list field such as meeting/meeting_date/relayed).",
    "value": "Template of the value from captures, e.g. '{org}{name}'.",
    "normalise": "Normaliser(s) applied to the match: " + ", ".join(NORMALISERS) + ".",
    "action": "chrome rules: " + ", ".join(CHROME_ACTIONS) + ".",
    "cue": "cue rules: " + ", ".join(CUE_TYPES) + ".",
    "marker": "list rules: the marker pattern, with a capture `num` (or `word`).",
    "words": "list rules: ordinal words, in order (first, second, ...).",
    "last_word": "list rules: a word that may close a chain of `words`.",
    "block": "list rules: items are heading lines with the text under them.",
    "needs_cue": "list rules: a directive cue must stand before the list.",
    "max_gap": "list rules: the most characters allowed between items (0: no limit).",
    "min_items": "list rules: the fewest items a list needs (default 2).",
    "requires": "A cheap pattern that must occur in a sentence (or line) before the rule's own "
                "patterns are tried there: a fast pre-filter for expensive rules.",
    "examples": "Texts the rule must handle, with what it must produce (`summarize rules test`).",
    "counter_examples": "Texts on which the rule must produce nothing.",
}


def _type(spec: Any) -> dict[str, Any]:
    specs = spec if isinstance(spec, tuple) else (spec,)
    alts = [dict(_TYPES[s]) for s in specs]
    return alts[0] if len(alts) == 1 else {"anyOf": alts}


def _one_or_list(item: dict[str, Any]) -> dict[str, Any]:
    return {"anyOf": [item, {"type": "array", "items": item, "minItems": 1}]}


def rule_schema() -> dict[str, Any]:
    """The JSON Schema of one rule."""
    props: dict[str, Any] = {}
    for key, spec in RULE_KEYS.items():
        props[key] = _type(spec)
    props["kind"] = {"enum": list(KINDS)}
    props["scope"] = {"enum": list(SCOPES)}
    props["action"] = {"enum": list(CHROME_ACTIONS)}
    props["cue"] = {"enum": list(CUE_TYPES)}
    props["pattern"] = _one_or_list({"type": "string"})
    props["normalise"] = _one_or_list({"enum": list(NORMALISERS)})
    props["words"] = {"type": "array", "items": {"type": "string"}}
    props["examples"] = {"type": "array", "items": {"$ref": "#/$defs/example"}}
    props["counter_examples"] = {"type": "array", "items": {"$ref": "#/$defs/counter_example"}}
    for key, doc in KEY_DOCS.items():
        if key in props:
            props[key] = {"description": doc, **props[key]}
    per_kind = []
    for kind, needs in REQUIRED.items():
        then: dict[str, Any] = {"required": list(needs)} if needs else {}
        if kind == "list":
            then["anyOf"] = [{"required": ["marker"]}, {"required": ["words"]}]
        if then:
            per_kind.append({"if": {"properties": {"kind": {"const": kind}}, "required": ["kind"]},
                             "then": then})
    return {
        "type": "object",
        "properties": props,
        "required": ["id", "kind"],
        "additionalProperties": False,
        "allOf": per_kind,
    }


def field_schema() -> dict[str, Any]:
    """The JSON Schema of one field declaration (extractor/schema.py)."""
    return {
        "type": "object",
        "required": ["type"],
        "additionalProperties": False,
        "properties": {
            "type": {"enum": list(TYPES), "description": "The value type; it says how candidates combine."},
            "label": {"type": "string", "description": "Default Markdown/HTML label (`labels:` overrides it)."},
            "show": {"enum": list(SHOW), "description": "Where Markdown prints it."},
            "order": {"type": "integer", "description": "Position among the Markdown table's rows."},
            "combine": {"enum": list(COMBINE), "description": "People only: the order of the people."},
            "part": {"type": "string", "description": "People only: the `part` column of --format csv."},
            "description": {"type": "string"},
        },
    }


def settings_schema() -> dict[str, Any]:
    """The JSON Schema of ``settings:``: the known sections and keys only."""
    types = {"number": {"type": "number"}, "integer": {"type": "integer"}, "string": {"type": "string"},
             "boolean": {"type": "boolean"}, "mapping": {"type": "object"}, "field": {"type": "string"}}
    return {
        "description": "Engine parameters; keys ending in `pattern` are regexes.",
        "type": "object",
        "additionalProperties": False,
        "properties": {
            section: {"type": "object", "additionalProperties": False,
                      "properties": {k: dict(types[t]) for k, t in keys.items()}}
            for section, keys in SETTINGS.items()
        },
    }


def file_schema() -> dict[str, Any]:
    """The JSON Schema of a whole rule file."""
    sub_pattern = {"anyOf": [{"type": "string"},
                             {"type": "object", "properties": {"pattern": {"type": "string"},
                                                               "description": {"type": "string"}},
                              "required": ["pattern"]},
                             {"type": "object", "properties": {"words": {"type": "array", "minItems": 1,
                                                                         "items": {"type": "string", "minLength": 1}},
                                                               "description": {"type": "string"}},
                              "required": ["words"],
                              "description": "A list of literal words; matches any of them, longest first."}]}
    return {
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "$id": SCHEMA_ID,
        "title": "jiyao rule file",
        "description": "Rules of the jiyao meeting-report extractor (see docs/rules.md).",
        "type": "object",
        "additionalProperties": False,
        "properties": {
            "patterns": {
                "description": "Named, reusable sub-patterns, used as %{NAME} or %{NAME:capture}.",
                "type": "object",
                "propertyNames": {"pattern": "^[A-Za-z_][A-Za-z0-9_]*$"},
                "additionalProperties": sub_pattern,
            },
            "rules": {"description": "The rules of this file.", "type": "array",
                      "items": {"$ref": "#/$defs/rule"}},
            "settings": settings_schema(),
            "fields": {"description": "Output fields: name -> declaration (see rules/05-fields.yaml).",
                       "type": "object",
                       "propertyNames": {"pattern": "^[A-Za-z_][A-Za-z0-9_]*$"},
                       "additionalProperties": field_schema()},
            "numerals": {"description": "Numeral characters and their values.", "type": "object",
                         "additionalProperties": {"type": "integer"}},
            "labels": {"description": "Words printed by the Markdown summary.", "type": "object",
                       "additionalProperties": {"type": "string"}},
            "disable": {"description": "Ids of rules (of earlier packs) to switch off.", "type": "array",
                        "items": {"type": "string"}},
        },
        "$defs": {
            "rule": rule_schema(),
            "example": {
                "type": "object",
                "properties": {
                    "text": {"type": "string", "description": "A text, run through the whole engine."},
                    "expect": {"type": "object", "minProperties": 1,
                               "description": "What this rule must produce: {FIELD: value}, "
                                              "{chrome: action}, {points: [[marker, lead], ...]}, ..."},
                    "todo": {"description": "A known gap: reported, not counted as a failure.",
                             "type": ["string", "boolean"]},
                },
                "required": ["text", "expect"],
                "additionalProperties": False,
            },
            "counter_example": {"anyOf": [
                {"type": "string"},
                {"type": "object", "properties": {"text": {"type": "string"},
                                                  "todo": {"type": ["string", "boolean"]}},
                 "required": ["text"], "additionalProperties": False},
            ]},
        },
    }
