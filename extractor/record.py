"""Record classes written by hand: what ``@dataclass`` used to generate, for less start-up time.

``summarize one.txt`` is a cold start: the interpreter with ``yaml`` and ``regex``
imported takes ~50 ms, the whole run took ~100 ms. Importing ``dataclasses`` cost
11-16 ms of that (it imports inspect, which imports ast, dis and tokenize), and
creating each ``@dataclass`` class ~0.4 ms more (it writes and compiles source code
for ``__init__``, ``__repr__`` and ``__eq__``): about 8 ms for the ~20 record classes
on the one-file path. So those classes are plain classes now: each one lists its
``__slots__`` and writes its ``__init__`` out (assignments only: Span, Line, Evidence
and the like are created hundreds of times per document), and this mixin adds what
dataclasses generated, from one class-level tuple of field names:

* ``_fields``: every ``__init__`` field, in order;
* ``_compare``: the fields ``==`` compares, in order (default: ``_fields``);
* ``_repr``: the fields ``repr`` shows (default: ``_compare``).

``Record`` gives ``__eq__`` (same class, then the ``_compare`` values as a tuple),
``__repr__`` (``Name(field=value, ...)``, ``...`` for a record already being
printed further up), ``__hash__ = None`` (mutable, like a dataclass with
``eq=True``), ``__match_args__`` and ``_replace(**changes)`` (what
``dataclasses.replace`` did: a new record through ``__init__``).
:class:`Frozen` records hash by their ``_compare`` values, like a
``@dataclass(frozen=True)``; they are never changed after ``__init__``, but nothing
enforces it (a guard would make ``__init__`` assign through ``object.__setattr__``,
two to three times slower for the hot ones).

Instances pickle as any object with ``__slots__`` does (protocol 2 and later).
"""
from __future__ import annotations

from threading import get_ident
from operator import attrgetter

_printing: set[tuple[int, int]] = set()
"""(id, thread) of the records whose ``repr`` is being built: a cycle prints ``...``."""


class Record:
    """Adds ``__eq__``, ``__repr__``, ``__match_args__`` and ``_replace`` to a record class."""

    __slots__ = ()
    __hash__ = None   # type: ignore[assignment]

    _fields: tuple[str, ...] = ()
    _compare: tuple[str, ...] = ()
    _repr: tuple[str, ...] = ()
    _key = staticmethod(lambda record: ())
    """The ``_compare`` values of a record, as a tuple (an ``attrgetter``)."""

    def __init_subclass__(cls, **kwargs) -> None:
        super().__init_subclass__(**kwargs)
        own = cls.__dict__
        if "_compare" not in own:
            cls._compare = cls._fields
        if "_repr" not in own:
            cls._repr = cls._compare
        if "__match_args__" not in own:
            cls.__match_args__ = cls._fields
        names = cls._compare
        if len(names) > 1:
            cls._key = attrgetter(*names)   # type: ignore[assignment]
        elif names:   # attrgetter of one name returns the value, not a 1-tuple
            one = attrgetter(names[0])
            cls._key = staticmethod(lambda record: (one(record),))   # type: ignore[assignment]
        else:
            cls._key = staticmethod(lambda record: ())   # type: ignore[assignment]

    def __eq__(self, other: object) -> bool:
        if other.__class__ is self.__class__:
            return self._key(self) == other._key(other)  # type: ignore[attr-defined]
        return NotImplemented

    def __repr__(self) -> str:
        key = (id(self), get_ident())
        if key in _printing:
            return "..."
        _printing.add(key)
        try:
            inner = ", ".join(f"{name}={getattr(self, name)!r}" for name in self._repr)
        finally:
            _printing.discard(key)
        return f"{self.__class__.__qualname__}({inner})"

    def _replace(self, **changes):
        """A new record of the same class with some fields changed (``dataclasses.replace``)."""
        for name in changes:
            if name not in self._fields:
                raise TypeError(f"{self.__class__.__name__} has no field {name!r}")
        values = {name: getattr(self, name) for name in self._fields}
        values.update(changes)
        return self.__class__(**values)


class Frozen(Record):
    """A record that is never changed after ``__init__``: hashable by its compared fields."""

    __slots__ = ()

    def __hash__(self) -> int:
        return hash(self._key(self))
