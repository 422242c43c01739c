"""Load YAML safely while remembering where every key and value stands (file:line:col).

Only PyYAML's safe composer is used: no tags that build objects, nothing that runs code.
Duplicate keys are problems (PyYAML would silently keep the last one).
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import yaml

from .errors import Problem

_Loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
_INT = "tag:yaml.org,2002:int"
_FLOAT = "tag:yaml.org,2002:float"
_BOOL = "tag:yaml.org,2002:bool"
_NULL = "tag:yaml.org,2002:null"
_STR = "tag:yaml.org,2002:str"
_MAP = "tag:yaml.org,2002:map"
_SEQ = "tag:yaml.org,2002:seq"


@dataclass
class Located:
    """A loaded YAML document plus a map from value paths to (line, col), both 1-based."""

    file: str
    data: Any
    marks: dict[tuple, tuple[int, int]] = field(default_factory=dict)
    key_marks: dict[tuple, tuple[int, int]] = field(default_factory=dict)
    lines: list[str] = field(default_factory=list)

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
                col_offset: int = 0) -> Problem:
        line, col = self.where(path, key)
        src = self.lines[line - 1] if 0 < line <= len(self.lines) else ""
        return Problem(self.file, line, col + col_offset, code, message, src)


def _scalar(node: yaml.ScalarNode, loader: Any) -> Any:
    tag = node.tag
    if tag in (_INT, _FLOAT, _BOOL, _NULL):
        return loader.construct_object(node)
    return node.value


def load_located(text: str, file: str, problems: list[Problem]) -> Located | None:
    """Parse ``text``; on YAML syntax errors append a problem and return None."""
    lines = text.splitlines()
    try:
        loader = _Loader(text)
        try:
            root = loader.get_single_node()
        finally:
            loader.dispose()
    except yaml.MarkedYAMLError as e:
        mark = e.problem_mark or e.context_mark
        line = mark.line + 1 if mark else 1
        col = mark.column + 1 if mark else 1
        src = lines[line - 1] if 0 < line <= len(lines) else ""
        msg = (e.problem or e.context or "invalid YAML").strip()
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

    def walk(node: yaml.Node, path: tuple) -> Any:
        loc.marks[path] = (node.start_mark.line + 1, node.start_mark.column + 1)
        if isinstance(node, yaml.ScalarNode):
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
