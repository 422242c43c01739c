"""Load YAML safely while remembering where every key and value stands (file:line:col).

Only PyYAML's safe composer is used: no tags that build objects, nothing that runs code.
Duplicate keys are problems (PyYAML would silently keep the last one).  Before composing,
the events are checked: anchors and aliases (``&a`` / ``*a``, the "billion laughs" that
grows a small file into billions of nodes), tags other than YAML's own scalar and
collection tags (``!!python/object``, ``!custom``) and nesting deeper than
:data:`MAX_DEPTH` are problems with their file:line:col.

PyYAML is imported when a file is loaded, not with this module: a run whose rules come
from the rule cache (extractor/rulecache.py) never needs it.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from .errors import Problem

_INT = "tag:yaml.org,2002:int"
_FLOAT = "tag:yaml.org,2002:float"
_BOOL = "tag:yaml.org,2002:bool"
_NULL = "tag:yaml.org,2002:null"
_STR = "tag:yaml.org,2002:str"
_MAP = "tag:yaml.org,2002:map"
_SEQ = "tag:yaml.org,2002:seq"
_KNOWN_TAGS = frozenset({None, "!", _INT, _FLOAT, _BOOL, _NULL, _STR, _MAP, _SEQ})
MAX_DEPTH = 50
"""Deepest nesting of lists and mappings a rule file may have (the shipped rules use 5)."""


@dataclass
class Located:
    """A loaded YAML document plus a map from value paths to (line, col), both 1-based."""

    file: str
    data: Any
    marks: dict[tuple, tuple[int, int]] = field(default_factory=dict)
    key_marks: dict[tuple, tuple[int, int]] = field(default_factory=dict)
    lines: list[str] = field(default_factory=list)
    styles: dict[tuple, str | None] = field(default_factory=dict)
    """Scalar style of each scalar value: None (plain), "'", '"', '|' or '>'."""

    def where(self, path: tuple, key: bool = False) -> tuple[int, int]:
        """Position of the value at ``path`` (or of its key), falling back to the nearest parent."""
        table = self.key_marks if key else self.marks
        p = path
        while p:
            if p in table:
                return table[p]
            if p in self.marks:
                return self.marks[p]
            p = p[:-1]
        return self.marks.get((), (1, 1))

    def problem(self, path: tuple, code: str, message: str, key: bool = False,
                col_offset: int = 0, index: int | None = None) -> Problem:
        """A problem at the value (or key) at ``path``; with ``index``, at that character
        of the scalar's value (escapes, quotes and block indentation accounted for)."""
        if index is not None and path in self.styles:
            line, col = self.position_in(path, index)
        else:
            line, col = self.where(path, key)
            col += col_offset
        src = self.lines[line - 1] if 0 < line <= len(self.lines) else ""
        return Problem(self.file, line, col, code, message, src)

    def position_in(self, path: tuple, index: int) -> tuple[int, int]:
        """(line, col), 1-based, of character ``index`` of the scalar value at ``path``."""
        line, col = self.where(path)
        style = self.styles.get(path, None)
        lines = self.lines
        if not 0 < line <= len(lines):
            return line, col
        if style in ("|", ">"):
            return _block_position(lines, line, index)
        return _flow_position(lines, line, col, style, index)


def _flow_position(lines: list[str], line: int, col: int, style: str | None, index: int) -> tuple[int, int]:
    """Walk a plain, single- or double-quoted scalar from its start to value character ``index``."""
    li, ci = line - 1, col - 1 + (1 if style in ("'", '"') else 0)
    n = 0
    while n < index:
        src = lines[li]
        if ci >= len(src):          # a line break folds into one space
            if li + 1 >= len(lines):
                break
            li += 1
            ci = len(lines[li]) - len(lines[li].lstrip(" \t"))
            n += 1
            continue
        ch = src[ci]
        if style == '"' and ch == "\\":
            nxt = src[ci + 1] if ci + 1 < len(src) else ""
            if nxt == "":           # escaped line break: no character
                if li + 1 >= len(lines):
                    break
                li += 1
                ci = len(lines[li]) - len(lines[li].lstrip(" \t"))
                continue
            ci += {"x": 4, "u": 6, "U": 10}.get(nxt, 2)
        elif style == "'" and ch == "'" and src[ci + 1:ci + 2] == "'":
            ci += 2
        else:
            ci += 1
        n += 1
    return li + 1, ci + 1


def _block_position(lines: list[str], line: int, index: int) -> tuple[int, int]:
    """Character ``index`` of a literal or folded block scalar whose indicator is on ``line``."""
    li = line  # first content line (0-based index of the next line)
    while li < len(lines) and not lines[li].strip():
        li += 1
    if li >= len(lines):
        return line, 1
    indent = len(lines[li]) - len(lines[li].lstrip(" "))
    n = 0
    last = (li + 1, indent + 1)
    while li < len(lines):
        src = lines[li]
        if src.strip() and len(src) - len(src.lstrip(" ")) < indent:
            break
        content = src[indent:]
        if index - n <= len(content):
            return li + 1, indent + (index - n) + 1
        n += len(content) + 1
        last = (li + 1, indent + len(content) + 1)
        li += 1
    return last


def _loader(text: str) -> Any:
    """PyYAML's safe loader over ``text`` (the C one when PyYAML has it)."""
    import yaml
    return getattr(yaml, "CSafeLoader", yaml.SafeLoader)(text)


def _scalar(node: Any, loader: Any) -> Any:
    tag = node.tag
    if tag in (_INT, _FLOAT, _BOOL, _NULL):
        return loader.construct_object(node)
    return node.value


def _check_events(text: str, file: str, lines: list[str], problems: list[Problem]) -> bool:
    """Scan the YAML events of ``text`` for aliases, unknown tags and deep nesting (see the
    module docstring); append a problem for each and return whether there were none."""
    def problem(ev: Any, code: str, message: str) -> None:
        line, col = ev.start_mark.line + 1, ev.start_mark.column + 1
        problems.append(Problem(file, line, col, code, message, lines[line - 1] if 0 < line <= len(lines) else ""))

    import yaml
    ok = True
    depth = 0
    loader = _loader(text)
    try:
        while loader.check_event():
            ev = loader.get_event()
            if isinstance(ev, yaml.AliasEvent):
                problem(ev, "yaml-alias", f"aliases (*{ev.anchor}) are not allowed in rule files: write the value out")
                return False  # an alias bomb: stop at the first
            if isinstance(ev, (yaml.ScalarEvent, yaml.CollectionStartEvent)):
                if ev.tag not in _KNOWN_TAGS:
                    tag = "!!" + ev.tag[18:] if ev.tag.startswith("tag:yaml.org,2002:") else ev.tag
                    problem(ev, "yaml-tag", f"unknown tag '{tag}': rule files hold plain strings, "
                                            "numbers, lists and mappings")
                    ok = False
                if isinstance(ev, yaml.CollectionStartEvent):
                    depth += 1
                    if depth > MAX_DEPTH:
                        problem(ev, "too-deep", f"lists and mappings nested more than {MAX_DEPTH} deep")
                        return False
            elif isinstance(ev, yaml.CollectionEndEvent):
                depth -= 1
    finally:
        loader.dispose()
    return ok


def load_located(text: str, file: str, problems: list[Problem]) -> Located | None:
    """Parse ``text``; on YAML syntax errors (and aliases, unknown tags, deep nesting: see
    :func:`_check_events`) append a problem and return None."""
    import yaml
    lines = text.splitlines()
    try:
        if not _check_events(text, file, lines, problems):
            return None
        loader = _loader(text)
        try:
            root = loader.get_single_node()
        finally:
            loader.dispose()
    except yaml.MarkedYAMLError as e:
        mark = e.problem_mark or e.context_mark
        if e.context_mark is not None and (mark is None or mark.line >= len(lines)):
            mark = e.context_mark   # "end of stream": point at what was left open
        line = mark.line + 1 if mark else 1
        col = mark.column + 1 if mark else 1
        src = lines[line - 1] if 0 < line <= len(lines) else ""
        msg = (e.problem or e.context or "invalid YAML").strip()
        if e.problem and e.context:
            ctx = e.context_mark
            at = f" at line {ctx.line + 1}" if ctx is not None and ctx is not mark else ""
            msg = f"{msg} ({e.context.strip()}{at})"
        problems.append(Problem(file, line, col, "yaml-syntax", msg, src))
        return None
    except yaml.YAMLError as e:  # pragma: no cover - non-marked errors are rare
        problems.append(Problem(file, 1, 1, "yaml-syntax", str(e).splitlines()[0]))
        return None
    loc = Located(file, None, lines=lines)
    if root is None:
        loc.data = {}
        return loc
    scalar_loader = yaml.SafeLoader("")

    def walk(node: Any, path: tuple) -> Any:
        loc.marks[path] = (node.start_mark.line + 1, node.start_mark.column + 1)
        if isinstance(node, yaml.ScalarNode):
            loc.styles[path] = node.style
            return _scalar(node, scalar_loader)
        if isinstance(node, yaml.SequenceNode):
            return [walk(child, path + (i,)) for i, child in enumerate(node.value)]
        if isinstance(node, yaml.MappingNode):
            out: dict[Any, Any] = {}
            for knode, vnode in node.value:
                if not isinstance(knode, yaml.ScalarNode):
                    problems.append(loc.problem(path, "bad-key", "mapping keys must be plain words"))
                    continue
                key = knode.value
                kmark = (knode.start_mark.line + 1, knode.start_mark.column + 1)
                if key in out:
                    first = loc.key_marks.get(path + (key,), kmark)
                    src = lines[kmark[0] - 1] if 0 < kmark[0] <= len(lines) else ""
                    problems.append(Problem(file, kmark[0], kmark[1], "duplicate-key",
                                            f"duplicate key '{key}' (first at line {first[0]})", src))
                    continue
                loc.key_marks[path + (key,)] = kmark
                out[key] = walk(vnode, path + (key,))
            return out
        return None  # pragma: no cover

    loc.data = walk(root, ())
    return loc
