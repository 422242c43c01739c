"""JSON Schema (draft 2020-12) of rule files, built from the tables the loader checks with
(extractor/rulebook.py: TOP_KEYS, RULE_KEYS, KINDS, REQUIRED, SCOPES, CHROME_ACTIONS,
CUE_TYPES, NORMALISERS), so that an editor and the loader agree.

    summarize rules schema > rules.schema.json

and in a rule file: ``# yaml-language-server: $schema=rules.schema.json``.
The loader checks more than a schema can say (sub-pattern references, regex syntax,
captures a normaliser needs, duplicate ids, what an example may expect): run
``summarize rules check`` for those.
"""
from __future__ import annotations

from typing import Any

from . import fieldspec as fs
from . import rulebook as rb

SCHEMA_ID = "https://jiyao.invalid/schemas/rule-file.json"

_TYPES = {
    rb._STR: {"type": "string"},
    rb._INT: {"type": "integer"},
    rb._BOOL: {"type": "boolean"},
    rb._LIST: {"type": "array"},
    rb._MAP: {"type": "object"},
}

KEY_DOCS: dict[str, str] = {
    "id": "Stable, unique id (kind.name); an overlay rule with the same id replaces this one.",
    "description": "What the rule recognises, for people (shown by `summarize rules list`).",
    "kind": "What the rule does: " + ", ".join(f"{k} ({v} stage)" for k, v in rb.KINDS.items()) + ".",
    "enabled": "false switches the rule off (an overlay may also list its id under `disable`).",
    "priority": "Higher runs first and wins ties between candidates (default 50).",
    "scope": "Where the pattern is tried: " + ", ".join(rb.SCOPES) + " (default depends on the kind).",
    "pattern": "A regex (`regex` module syntax, VERSION0, MULTILINE), or a list tried in order; "
               "%{NAME} inserts a named sub-pattern, %{NAME:cap} captures it as `cap`.",
    "field": "The declared field the rule fills (`fields:`; meta: a text or date field such as "
             "published/source; person: a persons or names field such as hosts/speakers/attendees; "
             "field: a text, date or list field such as meeting/meeting_date/relayed).",
    "value": "Template of the value from captures, e.g. '{org}{name}'.",
    "normalise": "Normaliser(s) applied to the match: " + ", ".join(rb.NORMALISERS) + ".",
    "action": "chrome rules: " + ", ".join(rb.CHROME_ACTIONS) + ".",
    "cue": "cue rules: " + ", ".join(rb.CUE_TYPES) + ".",
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
    for key, spec in rb.RULE_KEYS.items():
        props[key] = _type(spec)
    props["kind"] = {"enum": list(rb.KINDS)}
    props["scope"] = {"enum": list(rb.SCOPES)}
    props["action"] = {"enum": list(rb.CHROME_ACTIONS)}
    props["cue"] = {"enum": list(rb.CUE_TYPES)}
    props["pattern"] = _one_or_list({"type": "string"})
    props["normalise"] = _one_or_list({"enum": list(rb.NORMALISERS)})
    props["words"] = {"type": "array", "items": {"type": "string"}}
    props["examples"] = {"type": "array", "items": {"$ref": "#/$defs/example"}}
    props["counter_examples"] = {"type": "array", "items": {"$ref": "#/$defs/counter_example"}}
    for key, doc in KEY_DOCS.items():
        if key in props:
            props[key] = {"description": doc, **props[key]}
    per_kind = []
    for kind, needs in rb.REQUIRED.items():
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
    """The JSON Schema of one field declaration (extractor/fieldspec.py)."""
    return {
        "type": "object",
        "required": ["type"],
        "additionalProperties": False,
        "properties": {
            "type": {"enum": list(fs.TYPES), "description": "The value type; it says how candidates combine."},
            "label": {"type": "string", "description": "Default Markdown/HTML label (`labels:` overrides it)."},
            "show": {"enum": list(fs.SHOW), "description": "Where Markdown prints it."},
            "order": {"type": "integer", "description": "Position among the Markdown table's rows."},
            "combine": {"enum": list(fs.COMBINE), "description": "People only: the order of the people."},
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
            for section, keys in fs.SETTINGS.items()
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
