"""JSON Schema (draft 2020-12) of the summary as data: what :meth:`Summary.to_dict` returns,
with or without ``explain`` (``--format json``, ``--format jsonl``, ``--explain``).

    from extractor.output_schema import OUTPUT_SCHEMA, validate
    problems = validate(summary.to_dict(explain=True))   # [] when it conforms

``summarize schema`` prints :func:`output_schema` of the effective rules' declared fields
(``rules/05-fields.yaml`` plus any an overlay declares; :data:`OUTPUT_SCHEMA` is the shipped one). A JSON Lines record adds a leading
``"file"`` key (the input path); an input that could not be read is the record
``{"file": ..., "error": ...}`` (:data:`ERROR_RECORD_SCHEMA`).

:func:`validate` uses the ``jsonschema`` package when it is installed and otherwise a small
built-in validator for exactly the keywords used here (type, properties, required,
additionalProperties, items, prefixItems, minItems, maxItems, minLength, minimum, pattern,
$ref to ``#/$defs/...``, dependentRequired).
"""
from __future__ import annotations

import re
from typing import Any

from .schema import outputs, shipped_fields

DATE_PATTERN = r"^\d{4}-\d{2}-\d{2}$|^--\d{2}-\d{2}$"
"""A full ISO date, or ``--MM-DD`` when the report gives only month and day."""

_NULLABLE_STRING = {"type": ["string", "null"]}
_NULLABLE_DATE = {"type": ["string", "null"], "pattern": DATE_PATTERN}

_ITEM_PROPERTIES: dict[str, Any] = {
    "marker": {"type": "string", "description": "The numbering as printed."},
    "lead": {"type": "string", "description": "The first clause."},
    "text": {"type": "string", "description": "The item's full text after the marker."},
    "items": {"type": "array", "items": {"$ref": "#/$defs/item"}},
    "clauses": {"type": "array", "items": {"type": "string"},
                "description": "Sentences of an item without numbered children."},
    "evidence": {"$ref": "#/$defs/evidence"},
}
"""Properties of a numbered item; a point has these and its speaker."""

def _field_property(f: Any) -> dict[str, Any]:
    """The schema of one declared field's value (extractor/schema.py)."""
    if f.type == "text":
        prop: dict[str, Any] = dict(_NULLABLE_STRING)
    elif f.type == "date":
        prop = dict(_NULLABLE_DATE)
    elif f.type == "persons":
        prop = {"type": "array", "items": {"$ref": "#/$defs/person"}}
    elif f.type == "points":
        prop = {"type": "array", "items": {"$ref": "#/$defs/point"}}
    else:   # names, list
        prop = {"type": "array", "items": {"type": "string", "minLength": 1}}
    if f.description:
        prop["description"] = f.description
    return prop


def _and(names: list[str]) -> str:
    return names[0] if len(names) == 1 else ", ".join(names[:-1]) + " and " + names[-1]


def output_schema(fields: Any = None) -> dict[str, Any]:
    """The JSON Schema of ``Summary.to_dict(explain)`` for the declared output ``fields``
    (a rule book's ``fields``; default: the shipped declarations)."""
    specs = outputs(fields or shipped_fields())
    listed = [f.name for f in specs if not f.scalar and f.type != "points"]
    evidence_props: dict[str, Any] = {}
    for f in specs:
        if f.scalar:
            evidence_props[f.name] = {"$ref": "#/$defs/evidence"}
        elif f.type != "points":
            evidence_props[f.name] = {"type": "array", "items": {"$ref": "#/$defs/evidence"}}
    return {
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "title": "jiyao meeting summary",
        "description": "Summary.to_dict(explain): the facts of one meeting report. "
                       "'evidence' is present only with --explain; 'warnings' with --explain, and "
                       "without it whenever there is one (a rule cut off by its time budget).",
        "type": "object",
        "required": [f.name for f in specs],
        "additionalProperties": False,
        "dependentRequired": {"evidence": ["warnings"]},
        "properties": {
            "file": {"type": "string",
                     "description": "JSON Lines only: the input path ('-' for stdin)."},
            **{f.name: _field_property(f) for f in specs},
            "evidence": {"$ref": "#/$defs/evidence_map"},
            "warnings": {"type": "array", "items": {"type": "string"},
                         "description": "Problems met while extracting, for people: a rule cut off by "
                                        "its time budget, the document budget spent. Without --explain "
                                        "present only when not empty: its presence means the summary "
                                        "may be incomplete."},
        },
        "$defs": {
            "person": {
                "type": "object",
                "required": ["name", "roles"],
                "additionalProperties": False,
                "properties": {
                    "name": {"type": "string", "minLength": 1},
                    "roles": {"type": "array", "items": {"type": "string", "minLength": 1},
                              "description": "Titles printed right before the name."},
                },
            },
            "item": {
                "type": "object",
                "description": "A numbered sub-item of a point (or of another item).",
                "required": ["marker", "lead", "text"],
                "additionalProperties": False,
                "properties": _ITEM_PROPERTIES,
            },
            "point": {
                "type": "object",
                "description": "A top-level directive, attributed to the speaker who introduced it.",
                "required": ["marker", "lead", "text", "speaker"],
                "additionalProperties": False,
                "properties": {**_ITEM_PROPERTIES, "speaker": {"type": ["string", "null"]}},
            },
            "evidence": {
                "type": "object",
                "description": "Why a value is there: rule id and [start, end) offsets in the text as read.",
                "required": ["rule", "span", "text"],
                "additionalProperties": False,
                "properties": {
                    "rule": {"type": "string", "minLength": 1},
                    "span": {"type": "array", "minItems": 2, "maxItems": 2,
                             "prefixItems": [{"type": "integer", "minimum": 0},
                                             {"type": "integer", "minimum": 0}]},
                    "text": {"type": "string"},
                },
            },
            "evidence_map": {
                "type": "object",
                "description": "Evidence of every value: scalars present only when they have a value"
                               + (f"; lists parallel to {_and(listed)}." if listed else "."),
                "required": listed,
                "additionalProperties": False,
                "properties": evidence_props,
            },
        },
    }


OUTPUT_SCHEMA: dict[str, Any] = output_schema()
"""The schema of a summary of the shipped field declarations (``summarize schema`` prints the
one of the effective rules: :func:`output_schema` of ``RuleBook.fields``)."""


ERROR_RECORD_SCHEMA: dict[str, Any] = {
    "$schema": "https://json-schema.org/draft/2020-12/schema",
    "title": "jiyao JSON Lines error record",
    "type": "object",
    "required": ["file", "error"],
    "additionalProperties": False,
    "properties": {"file": {"type": "string"}, "error": {"type": "string"}},
}


def validate(instance: Any, schema: dict[str, Any] | None = None) -> list[str]:
    """Problems of ``instance`` against ``schema`` (default :data:`OUTPUT_SCHEMA`), each
    ``"<json path>: <message>"``; an empty list when it conforms."""
    schema = OUTPUT_SCHEMA if schema is None else schema
    try:
        import jsonschema
    except ImportError:
        return _validate(instance, schema, schema, "$")
    v = jsonschema.Draft202012Validator(schema, format_checker=None)
    return [f"{_path(e.absolute_path)}: {e.message}" for e in
            sorted(v.iter_errors(instance), key=lambda e: list(map(str, e.absolute_path)))]


def _path(parts: Any) -> str:
    out = "$"
    for p in parts:
        out += f"[{p}]" if isinstance(p, int) else f".{p}"
    return out


# -- the built-in validator: the subset of draft 2020-12 used above --------------------------

_TYPES = {
    "object": lambda x: isinstance(x, dict),
    "array": lambda x: isinstance(x, list),
    "string": lambda x: isinstance(x, str),
    "integer": lambda x: isinstance(x, int) and not isinstance(x, bool),
    "number": lambda x: isinstance(x, (int, float)) and not isinstance(x, bool),
    "boolean": lambda x: isinstance(x, bool),
    "null": lambda x: x is None,
}


def _resolve(root: dict[str, Any], ref: str) -> dict[str, Any]:
    if not ref.startswith("#/"):
        raise ValueError(f"unsupported $ref {ref!r}")
    node: Any = root
    for part in ref[2:].split("/"):
        node = node[part]
    return node


def _validate(x: Any, s: dict[str, Any], root: dict[str, Any], path: str) -> list[str]:
    if "$ref" in s:
        return _validate(x, _resolve(root, s["$ref"]), root, path)
    errs: list[str] = []
    t = s.get("type")
    if t is not None:
        types = t if isinstance(t, list) else [t]
        if not any(_TYPES[n](x) for n in types):
            return [f"{path}: {x!r} is not of type {' or '.join(types)}"]
    if isinstance(x, str):
        if len(x) < s.get("minLength", 0):
            errs.append(f"{path}: {x!r} is shorter than {s['minLength']}")
        if "pattern" in s and not re.search(s["pattern"], x):
            errs.append(f"{path}: {x!r} does not match {s['pattern']!r}")
    if isinstance(x, (int, float)) and not isinstance(x, bool) and "minimum" in s and x < s["minimum"]:
        errs.append(f"{path}: {x} is less than {s['minimum']}")
    if isinstance(x, dict):
        props = s.get("properties", {})
        for k in s.get("required", []):
            if k not in x:
                errs.append(f"{path}: {k!r} is a required property")
        for k, deps in s.get("dependentRequired", {}).items():
            if k in x:
                errs.extend(f"{path}: {d!r} is required when {k!r} is present" for d in deps if d not in x)
        for k, v in x.items():
            if k in props:
                errs.extend(_validate(v, props[k], root, f"{path}.{k}"))
            elif s.get("additionalProperties", True) is False:
                errs.append(f"{path}: additional property {k!r} is not allowed")
    if isinstance(x, list):
        if len(x) < s.get("minItems", 0):
            errs.append(f"{path}: {len(x)} items, expected at least {s['minItems']}")
        if "maxItems" in s and len(x) > s["maxItems"]:
            errs.append(f"{path}: {len(x)} items, expected at most {s['maxItems']}")
        prefix = s.get("prefixItems", [])
        for i, v in enumerate(x):
            sub = prefix[i] if i < len(prefix) else s.get("items")
            if sub is not None:
                errs.extend(_validate(v, sub, root, f"{path}[{i}]"))
    return errs
