"""A one-line progress bar on stderr for long batches (standard library only).

Shown only when the batch has at least :data:`MIN_FILES` files and the stream is a
terminal (and ``TERM`` is not ``dumb``); otherwise every method does nothing, so
redirected or piped runs stay silent.  Call :meth:`Progress.clear` before printing
anything else to the same terminal; the next :meth:`update` draws the bar again.

    bar = Progress(len(paths))
    for ...:
        bar.clear(); print("warning ...", file=sys.stderr)
        bar.update()
    bar.close()
"""
from __future__ import annotations

import os
import sys
import time
from typing import TextIO

MIN_FILES = 20
REDRAW_EVERY = 0.1
"""Seconds between redraws (the final state is always drawn)."""


def wanted(total: int, stream: TextIO | None = None) -> bool:
    stream = sys.stderr if stream is None else stream
    if total < MIN_FILES or os.environ.get("TERM") == "dumb":
        return False
    try:
        return bool(stream.isatty())
    except (AttributeError, ValueError, OSError):
        return False


class Progress:
    def __init__(self, total: int, stream: TextIO | None = None, label: str = "files",
                 enabled: bool | None = None):
        self.stream = sys.stderr if stream is None else stream
        self.total = total
        self.label = label
        self.done = 0
        self.enabled = wanted(total, self.stream) if enabled is None else enabled
        self.start = time.monotonic()
        self._last = 0.0
        self._shown = False
        self._drawn = -1

    def update(self, n: int = 1) -> None:
        self.done += n
        if not self.enabled:
            return
        now = time.monotonic()
        if self._shown and now - self._last < REDRAW_EVERY and self.done < self.total:
            return
        self._last = now
        self._draw(now)

    def _width(self) -> int:
        try:
            return max(os.get_terminal_size(self.stream.fileno()).columns, 40)
        except (AttributeError, ValueError, OSError):
            return 80

    def _draw(self, now: float) -> None:
        elapsed = max(now - self.start, 1e-9)
        rate = self.done / elapsed
        frac = self.done / self.total if self.total else 1.0
        eta = (self.total - self.done) / rate if rate > 0 else 0.0
        tail = f" {self.done}/{self.total} {self.label} {frac:4.0%} {rate:6.1f}/s ETA {_fmt(eta)} "
        bar_w = max(self._width() - len(tail) - 3, 10)
        full = int(frac * bar_w)
        line = "[" + "#" * full + "." * (bar_w - full) + "]" + tail
        self._emit("\r" + line)
        self._shown = True
        self._drawn = self.done

    def _emit(self, s: str) -> None:
        try:
            self.stream.write(s)
            self.stream.flush()
        except (OSError, ValueError):
            self.enabled = False

    def clear(self) -> None:
        """Erase the bar so other output starts at the beginning of a clean line."""
        if self.enabled and self._shown:
            self._emit("\r\x1b[2K")
            self._shown = False

    def close(self) -> None:
        if self.enabled and self._shown:
            if self._drawn != self.done:
                self._draw(time.monotonic())
            self._emit("\n")
            self._shown = False
        self.enabled = False

    def __enter__(self) -> "Progress":
        return self

    def __exit__(self, *exc) -> None:
        if exc[0] is None:
            self.close()
        else:  # interrupted: do not leave a half-drawn line behind
            self.clear()
            self.enabled = False


def _fmt(seconds: float) -> str:
    s = int(seconds + 0.5)
    if s >= 3600:
        return f"{s // 3600}h{s % 3600 // 60:02d}m"
    if s >= 60:
        return f"{s // 60}m{s % 60:02d}s"
    return f"{s}s"
