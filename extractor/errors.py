"""Errors meant for people: one line each, with file:line:col where it applies."""
from __future__ import annotations

from dataclasses import dataclass
from typing import Any

EXIT_OK = 0
EXIT_INPUT = 1
"""An input could not be read (or, for `rules test`, a rule example failed)."""
EXIT_USAGE = 2
"""Bad command line (including an ``-o`` target that cannot be written) or bad rule files."""
EXIT_INTERNAL = 3
"""An internal error: a bug in jiyao, never the user's input."""

# C0 controls, DEL and the C1 controls shown as escapes (a name or message stays one line)
_CONTROLS = {c: f"\\x{c:02x}" for c in [*range(0x20), *range(0x7F, 0xA0)]}
_CONTROLS.update({0x09: "\\t", 0x0A: "\\n", 0x0D: "\\r", 0x2028: "\\u2028", 0x2029: "\\u2029"})


def printable(s: str) -> str:
    """``s`` as shown in output and messages: what a file name (or a message quoting one)
    may hold that is not text is escaped, so output stays valid UTF-8 and one line per message.

    Bytes that are not UTF-8 (which ``os.fsdecode`` keeps as lone surrogates) become
    ``\\xNN``, Python's ``backslashreplace`` of the name's bytes; control characters
    become ``\\n``, ``\\r``, ``\\t`` or ``\\xNN``.  A backslash itself is kept, so the
    escaped form names the file for a person, not for a program."""
    if s.isprintable():
        return s
    try:
        b = s.encode("utf-8", "surrogateescape")
    except UnicodeEncodeError:  # surrogates that are not escaped bytes
        b = s.encode("utf-8", "backslashreplace")
    return b.decode("utf-8", "backslashreplace").translate(_CONTROLS)


@dataclass(frozen=True, slots=True)
class Problem:
    """One problem found in a rule file (never changed once made: hashable)."""

    file: str
    line: int
    col: int
    code: str
    message: str
    source_line: str = ""

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


class OutputError(Exception):
    """The ``-o`` file could not be written (disk full, directory gone): one line."""

    def __init__(self, path: str, err: OSError):
        reason = err.strerror or type(err).__name__
        super().__init__(printable(f"cannot write {path} ({reason})"))


class RuleError(Exception):
    """Rule files are wrong; carries every problem found, not just the first."""

    def __init__(self, problems: list[Problem]):
        self.problems = sorted(problems, key=lambda p: (p.file, p.line, p.col))
        super().__init__(str(self.problems[0]) if self.problems else "rule error")

    def __str__(self) -> str:
        return "\n".join(str(p) for p in self.problems)


def a_or_an(word: str) -> str:
    """``word`` with its indefinite article (for messages naming a type: "a string")."""
    return ("an " if word[0] in "aeiou" else "a ") + word


def did_you_mean(word: str, options: Any) -> str:
    """`` (did you mean 'X'?)`` for the option closest to a misspelt ``word``, or ""."""
    import difflib
    close = difflib.get_close_matches(word, list(options), n=1)
    return f" (did you mean '{close[0]}'?)" if close else ""


def one_of(word: str, options: Any) -> str:
    """A did-you-mean hint, or else the list of what is allowed."""
    return did_you_mean(word, options) or f" (one of {', '.join(options)})"
