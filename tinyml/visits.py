"""Count how often Beta's nodes are visited, without touching the code a learner reads.

::

    with count_visits() as visits:
        z.grad(x)
    visits.total, visits.value, visits.grad, visits.of(x)

Inside the ``with`` block every ``value()`` and ``grad(x)`` method of every Beta node class
is temporarily wrapped by a counting version; on leaving it the originals are put back.
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any

from tinyml import beta

__all__ = ["Visits", "count_visits"]

_METHODS = ("value", "grad")


@dataclass
class Visits:
    """Node visits counted inside one ``count_visits()`` block."""

    value: int = 0  # calls of node.value()
    grad: int = 0  # calls of node.grad(x)
    _per_node: dict[int, int] = field(default_factory=dict, repr=False)

    @property
    def total(self) -> int:
        """All visits: value() calls plus grad() calls."""
        return self.value + self.grad

    def of(self, node: object) -> int:
        """How many times this particular node was visited (value() and grad() together)."""
        return self._per_node.get(id(node), 0)

    def _record(self, method: str, node: object) -> None:
        setattr(self, method, getattr(self, method) + 1)
        self._per_node[id(node)] = self._per_node.get(id(node), 0) + 1


_active: list[Visits] = []
_originals: dict[tuple[type, str], Callable[..., Any]] = {}


def _node_classes() -> list[type]:
    found, todo = [], [beta.Node]
    while todo:
        cls = todo.pop()
        found.append(cls)
        todo.extend(cls.__subclasses__())
    return found


def _counting(method: str, original: Callable[..., Any]) -> Callable[..., Any]:
    @functools.wraps(original)
    def wrapper(self: object, *args: Any) -> Any:
        for visits in _active:
            visits._record(method, self)
        return original(self, *args)

    return wrapper


def _patch() -> None:
    for cls in _node_classes():
        for method in _METHODS:
            if method in vars(cls):
                original = vars(cls)[method]
                _originals[(cls, method)] = original
                setattr(cls, method, _counting(method, original))


def _unpatch() -> None:
    for (cls, method), original in _originals.items():
        setattr(cls, method, original)
    _originals.clear()


@contextmanager
def count_visits() -> Iterator[Visits]:
    """Count every value() and grad() call on Beta nodes made inside the block."""
    visits = Visits()
    if not _active:
        _patch()
    _active.append(visits)
    try:
        yield visits
    finally:
        _active.remove(visits)
        if not _active:
            _unpatch()
