"""Derivatives from function values alone: machine epsilon, finite differences, gradient checks."""

from __future__ import annotations

import math
import numbers
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass

from tinyml.checks import real

__all__ = [
    "machine_epsilon",
    "forward_difference",
    "central_difference",
    "numeric_gradient",
    "grad_check",
    "GradCheck",
    "CallCounter",
    "EPS",
    "FORWARD_STEP",
    "CENTRAL_STEP",
]


def machine_epsilon() -> float:
    """The gap between 1.0 and the next larger float, found by halving."""
    eps = 1.0
    while 1.0 + eps / 2 > 1.0:
        eps /= 2
    return eps


EPS = machine_epsilon()
# Best steps at |x| = 1: they balance truncation error against round-off error.
FORWARD_STEP = math.sqrt(EPS)  # forward: error ~ h + eps/h, smallest at h = sqrt(eps)
CENTRAL_STEP = EPS ** (1 / 3)  # central: error ~ h**2 + eps/h, smallest at h = cbrt(eps)


def _check_callable(f: object) -> None:
    if not callable(f):
        raise TypeError(f"f must be a function of one number, got {f!r} (not callable)")


def _step(x: float, h: float | None, best: float) -> float:
    if h is None:
        return best * max(1.0, abs(x))  # relative step: float spacing grows with |x|
    h = real(h, "the step h")
    if h <= 0:
        raise ValueError(f"the step h must be positive, got h={h}")
    if x + h == x:
        raise ValueError(
            f"the step h={h:g} is lost in rounding at x={x:g} (x + h == x); "
            f"use a step of at least {math.ulp(x):g}, or leave h out for a good default"
        )
    return h


# The lines of forward_difference and _step that check their inputs: chapter 1 shows the
# two functions with these lines folded into one "..." each (see SHOW_VIEWS below).
INPUT_CHECKS = (
    "_check_callable",
    "real(",
    "if h <= 0",
    "if x + h == x",
    "raise ValueError",
    'f"the step h',
    'f"use a step',
    "        )",
)


# tinyml.show(forward_difference, _step, view="lesson") folds those lines
# numeric_gradient's and grad_check's checks too (the line making the list point stays shown)
LIST_CHECKS = (
    "if not point",
    "_tolerance(",
    "if len(claimed)",
    "claimed derivatives for",
    "give one per parameter",
)
SHOW_VIEWS = {"lesson": dict.fromkeys(INPUT_CHECKS + LIST_CHECKS, "checks of the inputs")}


def show_forward_difference():
    """The source of forward_difference and _step, with the checks of the inputs folded."""
    from tinyml.source import show

    return show(forward_difference, _step, view="lesson")


def _numbers(values: object, name: str) -> list[float]:
    """``values`` as a list of floats, or an error that names the argument and the bad entry."""
    if isinstance(values, (str, bytes)) or not isinstance(values, Iterable):
        raise TypeError(
            f"{name} must be a sequence of numbers such as [1.0, 2.0], got {values!r} "
            f"of type {type(values).__name__}"
        )
    return [real(v, f"{name}[{i}]") for i, v in enumerate(values)]


def _tolerance(t: object, name: str) -> float:
    t = real(t, f"the tolerance {name}")
    if t < 0:
        raise ValueError(f"the tolerance {name} must be 0 or more, got {name}={t}")
    return t


def _evaluate(f: Callable[[float], float], x: float) -> float:
    y = f(x)
    if isinstance(y, bool) or not isinstance(y, numbers.Real):
        raise TypeError(f"f({x!r}) returned {y!r}; f must return a real number")
    if not math.isfinite(y):
        raise ValueError(f"f({x!r}) = {y} is not finite, so no derivative can be estimated there")
    return float(y)


def forward_difference(f: Callable[[float], float], x: float, h: float | None = None) -> float:
    """Estimate f'(x) as (f(x + h) - f(x)) / h; default h = sqrt(eps) * max(1, |x|)."""
    _check_callable(f)
    x = real(x, "x")
    h = _step(x, h, FORWARD_STEP)
    return (_evaluate(f, x + h) - _evaluate(f, x)) / h


def central_difference(f: Callable[[float], float], x: float, h: float | None = None) -> float:
    """Estimate f'(x) as (f(x + h) - f(x - h)) / 2h; default h = cbrt(eps) * max(1, |x|)."""
    _check_callable(f)
    x = real(x, "x")
    h = _step(x, h, CENTRAL_STEP)
    return (_evaluate(f, x + h) - _evaluate(f, x - h)) / (2 * h)


def numeric_gradient(
    f: Callable[..., float], params: Sequence[float], h: float | None = None
) -> list[float]:
    """All partial derivatives of f(*params) by central differences (2 calls per parameter)."""
    _check_callable(f)
    point = _numbers(params, "params")
    if not point:
        raise ValueError("params is empty: there is nothing to differentiate with respect to")

    def along(i: int) -> Callable[[float], float]:
        def g(t: float) -> float:
            moved = list(point)
            moved[i] = t
            return f(*moved)

        return g

    return [central_difference(along(i), point[i], h) for i in range(len(point))]


@dataclass
class GradCheck:
    """The outcome of :func:`grad_check`: one row per parameter, and whether all agree."""

    params: list[float]
    claimed: list[float]
    numeric: list[float]
    rtol: float
    atol: float

    def error(self, i: int) -> float:
        return abs(self.claimed[i] - self.numeric[i])

    def agrees(self, i: int) -> bool:
        scale = max(abs(self.claimed[i]), abs(self.numeric[i]))
        return self.error(i) <= self.atol + self.rtol * scale

    @property
    def mismatches(self) -> list[int]:
        """Indices of the parameters whose claimed derivative disagrees."""
        return [i for i in range(len(self.params)) if not self.agrees(i)]

    @property
    def ok(self) -> bool:
        return not self.mismatches

    def __bool__(self) -> bool:
        return self.ok

    def __repr__(self) -> str:
        n_bad, n = len(self.mismatches), len(self.params)
        head = "gradient check passed" if self.ok else f"gradient check FAILED for {n_bad} of {n}"
        columns = f"{'i':>3}  {'param value':>11}  {'claimed':>13}  {'numeric':>13}  {'error':>9}"
        lines = [head, columns]
        for i, p in enumerate(self.params):
            mark = "" if self.agrees(i) else "  <-- disagrees"
            lines.append(
                f"{i:>3}  {p:>11.4g}  {self.claimed[i]:>13.6g}  {self.numeric[i]:>13.6g}"
                f"  {self.error(i):>9.1e}{mark}"
            )
        return "\n".join(lines)


def grad_check(
    f: Callable[..., float],
    params: Sequence[float],
    grads: Sequence[float],
    rtol: float = 1e-5,
    atol: float = 1e-7,
) -> GradCheck:
    """Compare claimed partial derivatives of f(*params) against central differences.

    The result is truthy when every claimed derivative is within ``atol + rtol * scale``
    of the numerical one; its printed form is a table that marks the ones that disagree.
    """
    point = _numbers(params, "params")
    claimed = _numbers(grads, "grads")
    rtol, atol = _tolerance(rtol, "rtol"), _tolerance(atol, "atol")
    if len(claimed) != len(point):
        raise ValueError(
            f"got {len(claimed)} claimed derivatives for {len(point)} parameters; "
            "give one per parameter"
        )
    numeric = numeric_gradient(f, point)
    return GradCheck(point, claimed, numeric, rtol, atol)


class CallCounter:
    """Wrap a function and count how often it is called (to measure an algorithm's cost)."""

    def __init__(self, f: Callable[..., float]) -> None:
        _check_callable(f)
        self.f = f
        self.calls = 0

    def __call__(self, *args: float) -> float:
        self.calls += 1
        return self.f(*args)

    def __repr__(self) -> str:
        name = getattr(self.f, "__qualname__", None) or type(self.f).__name__
        return f"CallCounter({name}, calls={self.calls})"
