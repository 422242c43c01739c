"""Project configuration: overlay rule directories from the command line and from
``jiyao.toml`` (or ``[tool.jiyao]`` in ``pyproject.toml``) in the current directory or a parent.

    [tool.jiyao]          # or, in jiyao.toml, top level
    rules = ["my-rules"]  # overlay directories, relative to the config file
"""
from __future__ import annotations

import os
from pathlib import Path
from typing import Any, Sequence


def find_config(start: Path | None = None) -> tuple[Path, dict] | None:
    """The nearest config file at or above ``start`` (default: the current directory) and its
    ``[tool.jiyao]`` data, or None."""
    found = _find_config(None if start is None else os.fspath(start))
    if found is None:
        return None
    return Path(found[0]), found[1]


def _find_config(start: str | None = None) -> tuple[str, dict] | None:
    """:func:`find_config` with string paths: every `summarize` run looks, and pathlib costs
    5-8 ms of a ~90 ms run."""
    folder = os.path.realpath(start or os.getcwd())
    while True:
        for name in ("jiyao.toml", "pyproject.toml"):
            f = os.path.join(folder, name)
            if not os.path.isfile(f):
                continue
            try:
                with open(f, encoding="utf-8") as fh:
                    text = fh.read()
            except (OSError, ValueError):
                continue
            if name == "pyproject.toml" and "tool.jiyao" not in text:
                continue   # most projects' pyproject.toml: no need to parse it
            try:
                import tomllib
            except ModuleNotFoundError:  # Python 3.10: no configuration file support
                return None
            try:
                data = tomllib.loads(text)
            except ValueError:
                continue
            if name == "pyproject.toml":
                data = data.get("tool", {}).get("jiyao")
                if not isinstance(data, dict):
                    continue
            return f, data
        parent = os.path.dirname(folder)
        if parent == folder:
            return None
        folder = parent


def overlay_dirs(cli_dirs: Sequence[str]) -> list[str]:
    """Overlay directories: the config file's first, then those given with --rules."""
    out: list[str] = []
    if not os.environ.get("JIYAO_NO_CONFIG"):
        found = _find_config()
        if found:
            f, data = found
            rules = data.get("rules", [])
            if isinstance(rules, str):
                rules = [rules]
            out.extend(os.path.realpath(os.path.join(os.path.dirname(f), r)) for r in rules)
    out.extend(cli_dirs)
    return out


def rule_files(paths: list[Path]) -> list[Path]:
    """The ``*.yaml``/``*.yml`` files of each directory (sorted), or the files themselves."""
    return [Path(f) for f in rule_file_names(paths)]


def rule_file_names(paths: list[Any]) -> list[str]:
    """:func:`rule_files` as strings."""
    out: list[str] = []
    for p in paths:
        p = os.fspath(p)
        if os.path.isdir(p):
            # the suffix as pathlib reads it: a name that is only ".yaml" has none
            out.extend(os.path.join(p, name) for name in sorted(os.listdir(p))
                       if name.endswith((".yaml", ".yml")) and name.rfind(".") > 0
                       and os.path.isfile(os.path.join(p, name)))
        else:
            out.append(p)
    return out


def shipped_rules_dir() -> Path:
    """The rules/ directory shipped with the package (or the checkout's, in an editable install)."""
    return Path(shipped_rules_dirname())


def shipped_rules_dirname() -> str:
    """:func:`shipped_rules_dir` as a string."""
    here = os.path.dirname(os.path.realpath(__file__))
    packaged = os.path.join(here, "rules")
    if os.path.isdir(packaged):
        return packaged
    src = os.path.join(os.path.dirname(here), "rules")
    if os.path.isdir(src):
        return src
    raise FileNotFoundError("the shipped rules/ directory was not found next to the extractor package")
