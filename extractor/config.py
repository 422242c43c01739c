"""Project configuration: overlay rule directories from the command line and from
``jiyao.toml`` (or ``[tool.jiyao]`` in ``pyproject.toml``) in the current directory or a parent.

    [tool.jiyao]          # or, in jiyao.toml, top level
    rules = ["my-rules"]  # overlay directories, relative to the config file
"""
from __future__ import annotations

import os
from pathlib import Path
from typing import Sequence


def find_config(start: Path | None = None) -> tuple[Path, dict] | None:
    d = (start or Path.cwd()).resolve()
    for folder in [d, *d.parents]:
        for name in ("jiyao.toml", "pyproject.toml"):
            f = folder / name
            if not f.is_file():
                continue
            try:
                text = f.read_text(encoding="utf-8")
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
    return None


def overlay_dirs(cli_dirs: Sequence[str]) -> list[str]:
    """Overlay directories: the config file's first, then those given with --rules."""
    out: list[str] = []
    if not os.environ.get("JIYAO_NO_CONFIG"):
        found = find_config()
        if found:
            f, data = found
            rules = data.get("rules", [])
            if isinstance(rules, str):
                rules = [rules]
            out.extend(str((f.parent / r).resolve()) for r in rules)
    out.extend(cli_dirs)
    return out
