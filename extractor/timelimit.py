"""Time limits for pattern calls, by public means only: ``regex``'s own ``timeout=``.

Every pattern call of a document gets ``timeout=`` the pattern budget (``--pattern-timeout``,
``settings.engine.pattern_timeout``) or, when less is left, what remains of the document's
budget (``settings.engine.document_timeout``). The same code runs in the main thread, in
other threads and in worker processes; nothing is installed in the process (no signal
handler, no timer). A call cut off raises ``TimeoutError`` inside ``regex``;
:meth:`Limit.all` returns the matches found before it.
"""
from __future__ import annotations

from time import monotonic
from typing import Any

_LONGEST = 1e9
"""The longest timeout handed to ``regex`` (seconds): it reads an infinite or huge one
as already expired, and a negative one as none at all."""


class Limit:
    """The time limits of the pattern calls of one document."""

    __slots__ = ("timeout", "deadline")

    def __init__(self, timeout: float, deadline: float = float("inf")):
        self.timeout = timeout
        """Seconds one call may run."""
        self.deadline = deadline
        """``time.monotonic()`` at which the document's budget is spent."""

    def left(self) -> float:
        """The timeout of the next call: the pattern budget, or the document budget left
        when that is less (zero or less: spent)."""
        left = self.deadline - monotonic()
        return left if left < self.timeout else min(self.timeout, _LONGEST)

    def spent(self) -> bool:
        """Whether the document's budget is spent."""
        return monotonic() >= self.deadline

    def all(self, pattern: Any, text: str, pos: int, end: int, out: Any) -> bool:
        """Append every match of ``pattern`` (a compiled ``regex`` pattern) in
        ``text[pos:end]`` to ``out`` (a list, or any object with an ``append`` method); True
        when cut off (``out`` then holds the matches found before). The limit holds for the
        whole scan, as ``regex``'s timeout does for a ``finditer``."""
        t = self.left()
        if t <= 0:
            return True
        try:
            if type(out) is list:
                out.extend(pattern.finditer(text, pos, end, timeout=t))
            else:
                for m in pattern.finditer(text, pos, end, timeout=t):
                    out.append(m)
        except TimeoutError:
            return True
        return False

    def one(self, pattern: Any, method: str, text: str, pos: int, end: int) -> Any:
        """``pattern.<method>(text, pos, end)`` for ``method`` one of ``search``, ``match``,
        ``fullmatch``. Raises ``TimeoutError`` when cut off (or the budget is spent)."""
        t = self.left()
        if t <= 0:
            raise TimeoutError("document time budget spent")
        return getattr(pattern, method)(text, pos, end, timeout=t)
