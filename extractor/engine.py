"""The engine: rules loaded and compiled once, then the pipeline run over any number of texts.

Stage 1, read (source.py) -> 2, normalise (normalise.py) -> 3, segment (segment.py) ->
4, people (people.py) -> 5, fields (fields.py) -> 6, lists (lists.py) -> 7, render (render.py).
The engine runs stages 2 to 6 (:data:`STAGES`); reading and rendering are the caller's. The
stages share state.py (the document's state, pattern calls with their time limits, the
mapping of evidence back to the text as read), model.py (the results) and values.py.

>>> from extractor import Engine
>>> engine = Engine.load()                    # the shipped rules
>>> summary = engine.summarize(text)          # a Summary with evidence
>>> summary.to_dict(), engine.to_markdown(summary)
"""
from __future__ import annotations

from collections.abc import Callable, Iterable
from pathlib import Path
from time import monotonic
from typing import Any

from . import fields, lists, people, segment
from .model import Summary
from .normalise import normalise
from .render import to_markdown
from .config import rule_files, shipped_rules_dir
from .rulebook import RuleBook, build
from .state import DocState, Limit

Stage = Callable[[DocState], None]

DEFAULT_TIMEOUT = 1.0
"""Seconds one pattern may run over one document before it is cut off (settings.engine.pattern_timeout)."""
DEFAULT_DOCUMENT_BUDGET = 20.0
"""Seconds all rules together may spend on one document (settings.engine.document_timeout);
past it the remaining rules are skipped with a warning and the summary still comes out."""

STAGES: list[tuple[str, Stage]] = [
    ("segment", segment.run),
    ("people", people.run),
    ("fields", fields.run),
    ("lists", lists.run),
]
"""The pipeline after normalisation, in order; each stage reads and extends the DocState. The
names are the ones rule listings show (``rules list``) and ``run(until=)`` takes."""


class Engine:
    """Compiled rules plus the pipeline. Immutable after construction: safe to share between threads."""

    def __init__(self, book: RuleBook, timeout: float | None = None):
        self.book = book
        t = timeout if timeout is not None else book.setting("engine.pattern_timeout", DEFAULT_TIMEOUT)
        self.timeout = float(t)
        self.document_budget = float(book.setting("engine.document_timeout", DEFAULT_DOCUMENT_BUDGET))

    @classmethod
    def load(cls, paths: Iterable[str | Path] | None = None, *, overlays: Iterable[str | Path] = (),
             use_shipped: bool | None = None, timeout: float | None = None) -> "Engine":
        """Load rules: the shipped pack (unless ``paths`` are given) plus overlay directories.

        ``paths``: rule directories or files forming the base pack instead of the shipped one.
        ``overlays``: directories whose rules add to, replace (same id) or disable base rules.
        Raises :class:`extractor.errors.RuleError` listing every problem.
        """
        packs: list[list[Path]] = []
        if paths is not None:
            packs.append(rule_files([Path(p) for p in paths]))
        if use_shipped or (use_shipped is None and paths is None):
            packs.insert(0, rule_files([shipped_rules_dir()]))
        for o in overlays:
            packs.append(rule_files([Path(o)]))
        return cls(build(packs), timeout)

    def new_state(self, text: str, source: Any = None) -> DocState:
        doc = DocState(self.book, normalise(text), self.timeout, source=source,
                       limit=Limit(self.timeout, monotonic() + self.document_budget))
        doc.summary.fields = self.book.fields
        return doc

    def run(self, text: str, until: str | None = None, every_rule: bool = False,
            source: Any = None) -> DocState:
        """Run the pipeline and return the whole document state (for explain and tests).
        ``every_rule``: try every rule, also those that can no longer change a value (a
        field rule below one that already gave the field): slower, but the rules that
        fired and nearly fired are all on record (``summarize explain``, ``rules test``).
        ``source``: the :class:`extractor.source.Source` whose ``text`` this is; evidence
        spans then point into the file as read (:meth:`DocState.locate`)."""
        doc = self.new_state(text, source)
        doc.every_rule = every_rule
        for name, stage in STAGES:
            stage(doc)
            if name == until:
                break
        doc.summary.warnings = list(doc.warnings)
        doc.summary.labels = self.book.labels
        return doc

    def summarize(self, text: str) -> Summary:
        """Extract the structured summary of one report."""
        if not isinstance(text, str):
            raise TypeError(f"summarize() takes a str, not {type(text).__name__}")
        return self.run(text).summary

    def summarize_source(self, source) -> Summary:
        """Summarise a :class:`extractor.source.Source`; evidence spans point into the file as read
        (for Markdown and HTML input, into the markup, not the extracted text)."""
        return self.run(source.text, source=source).summary

    def summarize_file(self, path: str | Path, encoding: str | None = None,
                       input_format: str | None = None) -> Summary:
        """Read a report file and summarise it: the encoding (UTF-8 with or without BOM,
        GB18030/GBK, UTF-16) and the format (text, Markdown, HTML: from the extension) are
        detected unless given. Evidence spans point into the file as read. Raises
        :class:`extractor.source.ReadError` (one-line message) when it cannot be read."""
        from os import fspath

        from .source import read_path
        return self.summarize_source(read_path(fspath(path), encoding, input_format))

    def to_markdown(self, summary: Summary) -> str:
        return to_markdown(summary, self.book.labels)
