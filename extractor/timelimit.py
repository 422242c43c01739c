"""Time limits for pattern calls: no single regex call may run longer than the pattern timeout.

The ``regex`` module can bound a call itself (``timeout=``), but that costs about 2 µs per
call and per match found, on top of the matching, whatever the timeout: about a fifth of
the engine's time on a typical report, which makes a few hundred calls.

So, in the main thread of a process where nothing else uses SIGALRM, a :class:`Limit`
starts a periodic interval timer
(``signal.setitimer``) for the length of one document instead. Its handler raises
:class:`PatternTimeout` inside a call that has been running for a whole timeout (between
1 and 1.5 timeouts: the timer ticks every half timeout), and only inside one of the
functions of this module, while a call is in progress (``regex`` checks for signals while
it matches). Everywhere else (other threads, Dask workers, a platform without
``setitimer``, a program with its own SIGALRM handler, a document inside another one)
each call gets ``timeout=``. Either way a call cut off raises ``TimeoutError``;
:meth:`Limit.all` returns the matches found before it.
"""
from __future__ import annotations

TYPE_CHECKING = False
if TYPE_CHECKING:  # annotations only: importing typing costs ~4 ms of a one-file run
    from typing import Any, Callable


class PatternTimeout(TimeoutError):
    """A pattern call ran past the pattern timeout."""


class _Clock:
    """State shared with the signal handler (main thread only)."""

    armed = False
    """True while a call of this module is in progress."""
    call = 0
    """Counts calls: the handler sees whether the same call is still running."""
    seen = -1
    ticks = 0


_clock = _Clock()
_signal: Any = None


def _timer_module() -> Any:
    """The signal module when this platform has interval timers, else None (imported on
    first use). The C module ``_signal`` itself where there is one: the ``signal`` wrappers
    convert handlers to enums, which made arming and disarming the timer for a document
    cost ~10 us instead of ~2.5."""
    global _signal
    if _signal is None:
        try:
            import _signal as signal
        except ImportError:
            import signal
        _signal = signal if hasattr(signal, "setitimer") and hasattr(signal, "SIGALRM") else False
    return _signal or None


def _on_tick(signum: int, frame: Any) -> None:
    c = _clock
    if not c.armed:
        return
    if c.call != c.seen:
        c.seen, c.ticks = c.call, 0
        return
    c.ticks += 1
    # two ticks more after the one that first saw this call: it has run a whole timeout
    if c.ticks >= 2 and frame is not None and frame.f_code in _GUARDED:
        c.armed = False
        raise PatternTimeout()


class Limit:
    """The time limit of the pattern calls for one document; use as a context manager."""

    __slots__ = ("timeout", "timer", "trials", "per_call", "_previous")

    def __init__(self, timeout: float, timer: bool = True, trials: bool = True):
        self.timeout = timeout
        self.timer = timer
        """Whether to try the interval timer at all (else: per-call timeouts)."""
        self.trials = trials
        """Under the timer: whether patterns whose two engines are still on trial time them
        (:meth:`extractor.fastre.Pattern.timed`); if not, they run their twin untimed."""
        self.per_call = True
        """False while the interval timer guards the calls."""
        self._previous: Any = None

    def __enter__(self) -> "Limit":
        sig = _timer_module() if self.timer else None
        if sig is not None:
            try:
                if sig.getsignal(sig.SIGALRM) in (sig.SIG_DFL, None):
                    # raises ValueError outside the main thread of the main interpreter
                    self._previous = sig.signal(sig.SIGALRM, _on_tick)
                    tick = max(self.timeout / 2, 0.001)
                    sig.setitimer(sig.ITIMER_REAL, tick, tick)
                    self.per_call = False
            except (ValueError, OSError):
                self.per_call = True
        return self

    def __exit__(self, *exc: Any) -> None:
        if not self.per_call:
            sig = _signal
            sig.setitimer(sig.ITIMER_REAL, 0)
            sig.signal(sig.SIGALRM, self._previous if self._previous is not None else sig.SIG_DFL)
            _clock.armed = False
            self.per_call = True

    def all(self, pattern: Any, text: str, pos: int, end: int, out: Any) -> bool:
        """Append every match of ``pattern`` in ``text[pos:end]`` to ``out`` (a list, or any
        object with an ``append`` method); True when cut off (``out`` then holds the matches
        found before). The limit holds for the whole call, as ``regex``'s own timeout does
        for a ``finditer``. ``pattern``: an :class:`extractor.fastre.Pattern` (under the
        timer its ``re`` twin runs) or a ``regex`` pattern."""
        if self.per_call:
            try:
                for m in getattr(pattern, "rx", pattern).finditer(text, pos, end, timeout=self.timeout):
                    out.append(m)
            except TimeoutError:
                return True
            return False
        try:
            fast, wrap, trial = pattern._fast, pattern.wrap, pattern.trial
        except AttributeError:   # a plain regex pattern
            fast, wrap, trial = pattern, None, None
        c = _clock
        c.call += 1
        c.armed = True
        try:
            if trial is not None and self.trials:
                pattern.timed("finditer", text, pos, end, out)
                return False
            it = (fast or pattern.fast).finditer(text, pos, end)
            if wrap is not None:
                it = map(wrap, it)
            # extend() or map(), not a generator: the matching must run in this function's frame
            if type(out) is list:
                out.extend(it)
            else:
                for m in it:
                    out.append(m)
        except TimeoutError:
            return True
        finally:
            c.armed = False
        return False

    def one(self, pattern: Any, method: str, text: str, pos: int, end: int) -> Any:
        """``pattern.<method>(text, pos, end)`` for ``method`` one of ``search``, ``match``,
        ``fullmatch``. Raises ``TimeoutError`` when cut off."""
        if self.per_call:
            return getattr(getattr(pattern, "rx", pattern), method)(text, pos, end, timeout=self.timeout)
        try:
            fast, wrap, trial = pattern._fast, pattern.wrap, pattern.trial
        except AttributeError:   # a plain regex pattern
            fast, wrap, trial = pattern, None, None
        c = _clock
        c.call += 1
        c.armed = True
        try:
            if trial is not None and self.trials:
                return pattern.timed(method, text, pos, end)
            m = getattr(fast or pattern.fast, method)(text, pos, end)
        finally:
            c.armed = False
        if wrap is not None and m is not None:
            m = wrap(m)
        return m


_GUARDED = {Limit.all.__code__, Limit.one.__code__}
"""The functions whose frames a pattern call runs in: the only places the timer may raise."""


def guard_frames(*functions: Callable[..., Any]) -> None:
    """Let the timer cut off pattern calls made inside these functions too (they must be
    called only from :meth:`Limit.all` / :meth:`Limit.one`)."""
    _GUARDED.update(f.__code__ for f in functions)
