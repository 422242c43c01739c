"""Errors meant for people: one line each, with file:line:col where it applies."""
from __future__ import annotations

from .record import Frozen

EXIT_OK = 0
EXIT_INPUT = 1
"""An input could not be read (or, for `rules test`, a rule example failed)."""
EXIT_USAGE = 2
"""Bad command line or bad rule files."""


class Problem(Frozen):
    """One problem found in a rule file (never changed once made: hashable)."""

    __slots__ = _fields = ("file", "line", "col", "code", "message", "source_line")

    file: str
    line: int
    col: int
    code: str
    message: str
    source_line: str

    def __init__(self, file: str, line: int, col: int, code: str, message: str, source_line: str = "") -> None:
        self.file = file
        self.line = line
        self.col = col
        self.code = code
        self.message = message
        self.source_line = source_line

    def __str__(self) -> str:
        return f"{self.file}:{self.line}:{self.col}: {self.code} {self.message}"

    def with_caret(self) -> str:
        if not self.source_line:
            return str(self)
        # the caret goes under column ``col`` as a terminal shows it: wide (CJK) characters
        # take two cells, a tab is kept as a tab
        import unicodedata
        pad = "".join("\t" if ch == "\t" else "  " if unicodedata.east_asian_width(ch) in "WF" else " "
                      for ch in self.source_line[:max(self.col - 1, 0)])
        pad += " " * max(self.col - 1 - len(self.source_line), 0)
        return f"{self}\n    {self.source_line}\n    {pad}^"


class RuleError(Exception):
    """Rule files are wrong; carries every problem found, not just the first."""

    def __init__(self, problems: list[Problem]):
        self.problems = sorted(problems, key=lambda p: (p.file, p.line, p.col))
        super().__init__(str(self.problems[0]) if self.problems else "rule error")

    def __str__(self) -> str:
        return "\n".join(str(p) for p in self.problems)
