"""Patterns of rule files: ``%{NAME}`` sub-pattern expansion, word lists, and the store of
compiled patterns shared by every rule book of the process."""
from __future__ import annotations

import re
from typing import Any

import regex

from .errors import Problem, did_you_mean
from .rulefile import Located

_REF = re.compile(r"%\{(?P<name>[A-Za-z_][A-Za-z0-9_]*)(?::(?P<cap>[A-Za-z_][A-Za-z0-9_]*))?\}")
_FLAGS = regex.VERSION0 | regex.MULTILINE
COMPILED: dict[tuple, Any] = {}
"""(expanded pattern source, the word lists it names) -> compiled pattern, shared by every
rule book this process loads (at most COMPILED_KEPT, the newest); the rule cache
(extractor/rulecache.py) seeds it from disk, so that a changed overlay compiles only the
patterns that changed."""
COMPILED_KEPT = 3000
_LIST_REF = re.compile(r"\\L<(\w+)>")


def _compiled(expanded: str, words: dict[str, tuple[str, ...]]) -> Any:
    """``expanded`` compiled, with the word lists it uses as ``regex`` named lists (``\\L<NAME>``)."""
    lists = {name: words[name] for name in sorted(set(_LIST_REF.findall(expanded))) if name in words}
    key = (expanded, tuple(lists.items()))
    pat = COMPILED.get(key)
    if pat is None:
        pat = COMPILED[key] = regex.compile(expanded, _FLAGS, ignore_unused=True, **lists)
        if len(COMPILED) > COMPILED_KEPT:      # the oldest go first
            del COMPILED[next(iter(COMPILED))]
    return pat


_META = frozenset("()[]{}?*+.\\^$|%")


def _in_set(ch: str) -> str:
    return "\\" + ch if ch in "\\]^-[" else ch


def word_list(name: str, words: list[str]) -> str:
    """The pattern of the word-list sub-pattern ``name``: the ``regex`` named list
    ``\\L<name>`` (any of ``words``, longest first, looked up as a set; :func:`_compiled`
    passes the words), after a lookahead for the set of the words' first characters, which
    rejects most positions in one test."""
    firsts = "".join(_in_set(ch) for ch in sorted({w[0] for w in words}))
    return f"(?=[{firsts}])\\L<{name}>"


def _unclosed_paren(text: str, what: str = "(") -> int | None:
    """Index of the last "(" in ``text`` that no ")" closes (escapes and [...] sets skipped),
    or with ``what="["``, of the "[" that opens a set left open."""
    opened: list[int] = []
    i, in_set, set_start = 0, False, -1
    while i < len(text):
        ch = text[i]
        if ch == "\\":
            i += 2
            continue
        if in_set:
            in_set = ch != "]"
        elif ch == "[":
            in_set, set_start = True, i
            if text[i + 1:i + 2] == "]" or text[i + 1:i + 3] == "^]":
                i += 2 if text[i + 1] == "]" else 3
                continue
        elif ch == "(":
            opened.append(i)
        elif ch == ")" and opened:
            opened.pop()
        i += 1
    if what == "[":
        return set_start if in_set else None
    return opened[-1] if opened else None


class PatternLibrary:
    """The named sub-patterns (``patterns:``) of the rule files loaded so far, and the
    patterns expanded and compiled with them; every problem goes to ``problems``, with
    its file:line:col. The rule loader (extractor/rulebook.py) fills ``library`` and
    ``words`` as it reads each file."""

    def __init__(self, problems: list[Problem]) -> None:
        self.problems = problems
        self.library: dict[str, tuple[str, Located, tuple]] = {}
        """Name -> (pattern source, its file, its path in the file)."""
        self.words: dict[str, tuple[str, ...]] = {}
        """The words of each word-list sub-pattern (its ``regex`` named list)."""
        self.expanded: dict[str, str] = {}
        self.bad_library: set[str] = set()
        self.cycles: set[frozenset[str]] = set()
        self.used: set[str] = set()
        self.checked: set[str] = set()

    # -- sub-pattern expansion ---------------------------------------------------------
    def expand(self, text: str, doc: Located, path: tuple, stack: tuple[str, ...] = (),
               segments: list[tuple[int, int, int, int, str | None]] | None = None) -> str | None:
        """Replace every %{NAME} / %{NAME:cap} by its sub-pattern. With ``segments``, record
        (out_start, out_end, src_start, src_end, ref_name) pieces, to map positions back."""
        ok = True
        out: list[str] = []
        pos = n = 0

        def piece(s: str, a: int, b: int, ref: str | None) -> None:
            nonlocal n
            out.append(s)
            if segments is not None:
                segments.append((n, n + len(s), a, b, ref))
            n += len(s)

        for m in _REF.finditer(text):
            piece(text[pos:m.start()], pos, m.start(), None)
            pos = m.end()
            name, cap = m.group("name"), m.group("cap")
            if name in stack:
                ok = False
                cycle = frozenset(stack[stack.index(name):])
                if cycle not in self.cycles:      # one report per cycle
                    self.cycles.add(cycle)
                    chain = " -> ".join(stack[stack.index(name):] + (name,))
                    self.problems.append(doc.problem(path, "circular-reference",
                                                     f"circular sub-pattern reference {chain}", index=m.start()))
                continue
            if name not in self.library:
                ok = False
                self.problems.append(doc.problem(path, "unknown-pattern",
                                                 f"unknown sub-pattern %{{{name}}}{did_you_mean(name, self.library)}",
                                                 index=m.start()))
                continue
            if name in self.expanded:
                body: str | None = self.expanded[name]
            else:
                src, d, p = self.library[name]
                body = self.expand(src, d, p, stack + (name,))
                if body is None:
                    ok = False
                    continue
                self.expanded[name] = body
            self.used.add(name)
            piece(f"(?P<{cap}>{body})" if cap else f"(?:{body})", m.start(), m.end(), name)
        piece(text[pos:], pos, len(text), None)
        return "".join(out) if ok else None

    def literals(self, text: str, seen: tuple[str, ...] = ()) -> tuple[str, ...] | None:
        """The strings a pattern source matches when it is an alternation of plain literals
        and ``%{NAME}`` references to word lists (or to patterns that are such); else None.
        Only what a "does it occur" test needs: a word holding another one is left out."""
        found: list[str] = []
        for tok in text.split("|"):
            ref = _REF.fullmatch(tok)
            if ref is not None and ref.group("cap") is None:
                name = ref.group("name")
                if name in self.words:
                    found.extend(self.words[name])
                    continue
                if name in self.library and name not in seen:
                    sub = self.literals(self.library[name][0], seen + (name,))
                    if sub is not None:
                        found.extend(sub)
                        continue
                return None
            if not tok or any(ch in _META for ch in tok):
                return None
            found.append(tok)
        words = sorted(set(found), key=len)
        kept: list[str] = []
        for w in words:
            if not any(k in w for k in kept):
                kept.append(w)
        return tuple(kept)

    def compile(self, text: str, doc: Located, path: tuple,
                stack: tuple[str, ...] = ()) -> tuple[Any, str] | None:
        """Expand and compile one pattern; a regex error is reported at the character of
        ``text`` it points to (or at the %{NAME} reference whose expansion holds it)."""
        segments: list[tuple[int, int, int, int, str | None]] = []
        expanded = self.expand(text, doc, path, stack, segments=segments)
        if expanded is None:
            return None
        try:
            return _compiled(expanded, self.words), expanded
        except regex.error as e:
            pos = getattr(e, "pos", None)
            msg = getattr(e, "msg", None) or str(e).split(" at position")[0]
            index = None
            if msg in ("missing )", "unterminated character set"):
                opener = "(" if msg == "missing )" else "["
                opened = _unclosed_paren(expanded, opener)
                if opened is not None:     # point at what was left open, not at the end
                    pos = opened
                    msg += f": this {opener} is never closed"
            if pos is not None:
                index = len(text)
                for a, b, sa, _sb, ref in segments:
                    if a <= pos < b:
                        if ref is None:
                            index = sa + (pos - a)
                        else:
                            self.check_sub(ref, stack)
                            if ref in self.bad_library:
                                if stack:
                                    self.bad_library.add(stack[-1])
                                return None     # already reported where the sub-pattern is defined
                            index = sa
                            msg += f" (inside %{{{ref}}}, at position {pos - a} of its expansion)"
                        break
            self.problems.append(doc.problem(path, "bad-regex", msg, index=index))
            if stack:
                self.bad_library.add(stack[-1])
            return None

    def check_sub(self, name: str, stack: tuple[str, ...] = ()) -> None:
        """Compile sub-pattern ``name`` on its own (those it uses first), once, so that an error
        in it is reported where it is defined."""
        if name in self.checked or name in stack or name not in self.library:
            return
        self.checked.add(name)
        src, doc, path = self.library[name]
        for m in _REF.finditer(src):
            self.check_sub(m.group("name"), stack + (name,))
        self.compile(src, doc, path, (name,))

    def check_library(self) -> None:
        """Check the sub-patterns no rule or setting used (the used ones were compiled
        as part of those), so that every problem in a rule file is reported."""
        for name in sorted(self.library, key=lambda k: (self.library[k][1].file,
                                                        self.library[k][1].where(self.library[k][2])[0])):
            if name not in self.used:
                self.check_sub(name)
