"""Count how often Beta's nodes are visited, without touching the code a learner reads.

::

    with count_visits() as visits:
        z.grad(x)
    visits.total, visits.value, visits.grad, visits.of(x), visits.asked_by

Inside the ``with`` block every ``value()`` and ``grad(x)`` method of every Beta node class
is temporarily wrapped by a counting version; on leaving it the originals are put back.
"""

from __future__ import annotations

import functools
import numbers
import random
import timeit
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any

from tinyml import alpha, beta
from tinyml.viz import unfolded_size

__all__ = [
    "Visits",
    "count_visits",
    "linear_loss",
    "shared_chain",
    "count_nodes",
    "to_alpha",
    "as_function",
    "gradient_seconds",
    "plot_costs",
]

_METHODS = ("value", "grad")


@dataclass(eq=False)  # each block is its own counter, even when the counts are equal
class Visits:
    """Node visits counted inside one ``count_visits()`` block."""

    value: int = 0  # calls of node.value()
    grad: int = 0  # calls of node.grad(x)
    # value() calls by the class whose grad() asked for them (the innermost grad() running),
    # e.g. {"Square": 15, "Mul": 6}; value() calls made outside any grad() are not in it
    asked_by: dict[str, int] = field(default_factory=dict)
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
        if method == "value" and _asking:
            self.asked_by[_asking[-1]] = self.asked_by.get(_asking[-1], 0) + 1


_active: list[Visits] = []
_asking: list[str] = []  # the classes of the grad() calls running, innermost last
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
        if method != "grad":
            return original(self, *args)
        _asking.append(type(self).__name__)
        try:
            return original(self, *args)
        finally:
            _asking.pop()

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


# Workloads that chapter 3 measures (and the tests check against closed forms).


def _check_count(n: object, name: str, least: int) -> None:
    if isinstance(n, bool) or not isinstance(n, int):
        raise TypeError(f"{name} must be a whole number, got {n!r} of type {type(n).__name__}")
    if n < least:
        raise ValueError(f"{name} must be {least} or more, got {name}={n}")


# tinyml.show(linear_loss, view="lesson"): the input checks folded, the loop in full
_CHECKS = "checks of the inputs"
_NEURON = "the activation, for the neuron of Exercise 3"
SHOW_VIEWS = {
    "lesson": {
        "_check_count": _CHECKS,
        "if activation is not None and not callable": _CHECKS,
        "raise TypeError": _CHECKS,
        'f"activation must be': _CHECKS,
        "        )": _CHECKS,
    },
    # chapter 3's first look: the linear model's loop; Exercise 3's activation folded
    "linear": {
        "_check_count": _CHECKS,
        "if activation is not None and not callable": _CHECKS,
        "raise TypeError": _CHECKS,
        'f"activation must be': _CHECKS,
        "        )": _CHECKS,
        "if activation is not None:": _NEURON,
        "pred = activation(pred)": _NEURON,
    },
}


def linear_loss(
    n_params: int,
    n_points: int = 3,
    seed: int = 0,
    activation: Callable[[beta.Node], beta.Node] | None = None,
) -> tuple[beta.Node, list[beta.Var]]:
    """Squared error of a linear model w·x on a few fixed data points: the loss and its weights.

    loss = sum over points k of (w1·x_k1 + … + wP·x_kP - y_k)²
    With ``activation`` (e.g. ``beta.Sigmoid``) the model is activation(w·x) instead: a neuron.
    """
    _check_count(n_params, "n_params", 1)
    _check_count(n_points, "n_points", 1)
    if activation is not None and not callable(activation):
        raise TypeError(
            f"activation must be a function of a node such as beta.Sigmoid, got {activation!r}"
        )
    rng = random.Random(seed)
    weights = [beta.Var(round(rng.uniform(-1, 1), 2), name=f"w{i + 1}") for i in range(n_params)]
    terms = []
    for _ in range(n_points):
        pred = weights[0] * round(rng.uniform(-2, 2), 2)
        for w in weights[1:]:
            pred = pred + w * round(rng.uniform(-2, 2), 2)
        if activation is not None:
            pred = activation(pred)
        terms.append(beta.Square(pred - round(rng.uniform(-2, 2), 2)))
    loss = terms[0]
    for term in terms[1:]:
        loss = loss + term
    return loss, weights


def shared_chain(depth: int, start: float = 0.5) -> tuple[beta.Node, beta.Var]:
    """a = x, then `depth` times a = a * a + a: a small graph that reuses a three times a level."""
    _check_count(depth, "depth", 0)
    x = beta.Var(start, name="x")
    a: beta.Node = x
    for _ in range(depth):
        a = a * a + a
    return a, x


def count_nodes(expr: beta.Node, distinct: bool = True) -> int:
    """Nodes in an expression: distinct objects, or (distinct=False) as the unfolded tree."""
    if not distinct:
        return unfolded_size(expr)
    seen: set[int] = set()
    stack = [expr]
    while stack:
        node = stack.pop()
        if id(node) not in seen:
            seen.add(id(node))
            stack.extend(node.children)
    return len(seen)


def to_alpha(
    expr: beta.Node, wanted: tuple[beta.Node, ...] | list[beta.Node] = ()
) -> tuple[alpha.Node, list[alpha.Node]]:
    """The same expression rebuilt from Alpha nodes, node for node (a shared Beta node stays
    one shared Alpha node), and the Alpha copies of the Beta nodes in ``wanted``::

        loss_a, ws_a = to_alpha(loss_b, ws_b)

    Every Beta node has ``.op`` ("var", "const", "+", …) and ``.children``; ``op`` picks the
    Alpha class of the same name. Walks with a stack, so deep expressions are fine.
    """
    if not isinstance(expr, beta.Node):
        raise TypeError(f"to_alpha needs a Beta expression node, got {expr!r}")
    kinds = {  # alpha's own node classes, by op
        cls.op: cls
        for cls in vars(alpha).values()
        if isinstance(cls, type)
        and issubclass(cls, alpha.Node)
        and cls.__module__ == alpha.__name__
    }
    made: dict[int, alpha.Node] = {}
    stack: list[tuple[beta.Node, bool]] = [(expr, False)]
    while stack:
        node, ready = stack.pop()
        if id(node) in made:
            continue
        if not ready:  # its children first
            stack.append((node, True))
            stack.extend((c, False) for c in node.children if id(c) not in made)
            continue
        kids = [made[id(c)] for c in node.children]
        if node.op == "var":
            made[id(node)] = alpha.Var(node.value(), name=node.name)
        elif node.op == "const":
            made[id(node)] = alpha.Const(node.value())
        elif node.op == "**":
            made[id(node)] = alpha.Pow(kids[0], node.exponent)
        elif node.op in kinds:
            made[id(node)] = kinds[node.op](*kids)
        else:
            raise ValueError(f"to_alpha has no Alpha node for Beta's {node.op!r} in {node}")
    missing = [w for w in wanted if id(w) not in made]
    if missing:
        raise ValueError(f"{missing[0]} is not part of the expression given to to_alpha")
    return made[id(expr)], [made[id(w)] for w in wanted]


def as_function(loss: beta.Node, ws: list[beta.Var]) -> Callable[..., float]:
    """``loss`` as a function of its weights' values: ``f(*values)`` sets each ``w`` in ``ws``
    to its value and returns ``loss.value()`` (for central differences)."""
    ws = list(ws)
    if not all(isinstance(w, beta.Var) for w in ws):
        raise TypeError(f"ws must be Beta Vars, like the ones linear_loss returns; got {ws!r}")

    def at(*values: float) -> float:
        if len(values) != len(ws):
            raise ValueError(f"expected {len(ws)} values, one per weight; got {len(values)}")
        for w, v in zip(ws, values, strict=True):
            w.set_value(v)
        return loss.value()

    return at


# Chapter 4's headline: the full gradient of linear_loss(P) by three methods, timed and drawn.

METHODS = ("central differences", "Beta (grad per parameter)", "Alpha (forward + backward)")


def gradient_seconds(n_params: int, repeat: int = 3) -> tuple[float, float, float]:
    """Seconds for the full gradient of ``linear_loss(n_params)`` by central differences, by
    Beta and by Alpha (``forward()`` then ``backward_simple``), each the best of ``repeat`` runs
    (the run least disturbed by other programs). Building the graphs is not timed."""
    from tinyml.numeric import numeric_gradient

    _check_count(n_params, "n_params", 1)
    _check_count(repeat, "repeat", 1)
    loss_b, ws_b = linear_loss(n_params)
    at, start = as_function(loss_b, ws_b), [w.value() for w in ws_b]
    loss_a, _ = to_alpha(loss_b, ws_b)
    runs = (
        lambda: numeric_gradient(at, start),
        lambda: beta.gradient(loss_b, ws_b),
        lambda: (loss_a.forward(), alpha.backward_simple(loss_a)),
    )
    fd, b, a = (min(timeit.repeat(run, number=1, repeat=repeat)) for run in runs)
    return fd, b, a


def plot_costs(
    n_params: Sequence[int], costs: Sequence[Sequence[float]], unit: str, ax: Any = None
) -> Any:
    """Log-log plot of the cost of the full gradient against P, one line per method.

    ``costs[i]`` is (central differences, Beta, Alpha) at ``n_params[i]``, in ``unit``
    (e.g. "node visits" or "seconds"). Draws on ``ax`` (a new figure without one); returns it.
    """
    if not isinstance(unit, str):
        raise TypeError(f"unit must be a string such as 'seconds', got {unit!r}")
    n_params, costs = list(n_params), [tuple(row) for row in costs]
    if len(n_params) != len(costs) or not costs:
        raise ValueError(
            f"need one row of costs per P: got {len(n_params)} values of P and {len(costs)} rows"
        )
    for P, row in zip(n_params, costs, strict=True):
        _check_count(P, "each P", 1)
        if len(row) != len(METHODS) or not all(
            isinstance(c, numbers.Real) and not isinstance(c, bool) and c > 0 for c in row
        ):
            raise ValueError(
                f"each row must be 3 positive costs (central differences, Beta, Alpha), "
                f"got {row!r} at P={P}: a log scale cannot show 0 or less"
            )
    if ax is None:
        import matplotlib.pyplot as plt

        _, ax = plt.subplots(figsize=(7, 4.2))
    for column, style, label in zip(
        zip(*costs, strict=True), ("s--", "o-", "^-"), METHODS, strict=True
    ):
        ax.loglog(n_params, column, style, label=label)
    ax.set(xlabel="number of parameters P", ylabel=unit)
    ax.set_title(f"Cost of the full gradient: {unit}")
    ax.grid(True, which="major", alpha=0.3)
    ax.legend()
    return ax
