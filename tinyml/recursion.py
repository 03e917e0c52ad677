"""Repeated work in recursion: two Fibonacci programs, and a tracer that records their calls."""

from __future__ import annotations

import numbers
import sys
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

__all__ = [
    "fib1",
    "fib2",
    "fib_iter",
    "Call",
    "trace_calls",
    "calls_of",
    "count_calls",
    "fib1_calls",
]


def _check_n(n: object) -> int:
    """n as a Python int (numpy's integers are whole numbers too), or an error that says why."""
    if isinstance(n, bool) or not isinstance(n, numbers.Integral):
        raise TypeError(
            f"Fibonacci numbers are defined for n = 0, 1, 2, ..., got n={n!r} "
            f"of type {type(n).__name__}; give a whole number"
        )
    if n < 0:
        raise ValueError(f"Fibonacci numbers are defined for n = 0, 1, 2, ..., got n={n!r}")
    return int(n)


def _too_deep(n: int) -> ValueError:
    return ValueError(
        f"fib2({n}) is too deep for Python: fib_iter calls itself once per step, so it "
        f"recurses {n} levels deep, and Python allows about {sys.getrecursionlimit()} "
        "(sys.getrecursionlimit()); use a smaller n"
    )


# tinyml.show(fib1, fib2, fib_iter, view="lesson"): the checks of n folded into one line each
_CHECK = "a check of n"
SHOW_VIEWS = {"lesson": {"_check_n(n)": _CHECK}}


def _check_depth(n: int) -> int:
    """n, or a ValueError when fib_iter's n levels would pass Python's recursion limit."""
    depth, frame = 0, sys._getframe()
    while frame is not None:
        depth, frame = depth + 1, frame.f_back
    if depth + n + 50 > sys.getrecursionlimit():  # n levels of fib_iter, and a margin
        raise _too_deep(n)
    return n


def fib1(n: int) -> int:
    """The n-th Fibonacci number, straight from the definition: two recursive calls."""
    n = _check_n(n)
    if n == 0 or n == 1:
        return n
    return fib1(n - 1) + fib1(n - 2)


def fib2(n: int) -> int:
    """The n-th Fibonacci number, carrying the last two numbers along: one call per step."""
    n = _check_depth(_check_n(n))
    return fib_iter(0, 1, n)


def fib_iter(a: int, b: int, n: int) -> int:
    """Step n times from the pair (a, b) to (b, a + b); return the first of the pair."""
    n = _check_n(n)
    if n == 0:
        return a
    return fib_iter(b, a + b, n - 1)


@dataclass
class Call:
    """One recorded call: how it was called, what it returned, and the calls it made."""

    label: str
    children: list[Call] = field(default_factory=list)
    result: Any = None

    @property
    def size(self) -> int:
        """The number of calls in this subtree, this one included."""
        total, stack = 0, [self]
        while stack:
            node = stack.pop()
            total += 1
            stack.extend(node.children)
        return total


MAX_CALLS = 1_000_000  # trace_calls and count_calls stop here: fib1(28) already makes more


class _TooManyCalls(Exception):
    pass


def _too_many(name: str, args: tuple[Any, ...]) -> ValueError:
    shown = ", ".join(repr(a) for a in args)
    return ValueError(
        f"{name}({shown}) makes more than {MAX_CALLS:,} calls, too many to trace or count "
        "one by one. Count small cases, find the rule, and compute from it: for fib1, "
        "fib1_calls(n) counts all the calls of fib1(n) from C(n) = 1 + C(n-1) + C(n-2)"
    )


def trace_calls(f: Callable[..., Any], *args: Any) -> Call:
    """Call f(*args) and record every call of f, including its recursive calls, as a tree.

    Recursive calls are caught when f calls itself by its global name, as fib1 and fib_iter
    do; the name is restored afterwards. More than MAX_CALLS calls is refused (ValueError).
    """
    if not callable(f) or not hasattr(f, "__globals__"):
        raise TypeError(f"trace_calls() needs a plain Python function, got {f!r}")
    module, name = f.__globals__, f.__name__
    if module.get(name) is not f:
        raise ValueError(f"{name} must be a global function that calls itself by name")
    n = args[0] if len(args) == 1 else None
    if f is fib1 and type(n) is int and n > 0 and fib1_calls(min(n, 40)) > MAX_CALLS:
        raise _too_many(name, args)  # known in advance: refuse before filling the memory
    root = Call(f"{name}()")
    stack = [root]
    calls = 0

    def traced(*a: Any) -> Any:
        nonlocal calls
        calls += 1
        if calls > MAX_CALLS:
            raise _TooManyCalls
        call = Call(f"{name}({', '.join(repr(x) for x in a)})")
        stack[-1].children.append(call)
        stack.append(call)
        try:
            call.result = f(*a)
        finally:
            stack.pop()
        return call.result

    module[name] = traced
    try:
        traced(*args)
    except _TooManyCalls:
        root.children.clear()  # free the partial tree before reporting
        raise _too_many(name, args) from None
    finally:
        module[name] = f
    return root.children[0]


def calls_of(tree: Call, label: str) -> int:
    """How many calls in a call tree from trace_calls have this label."""
    return (tree.label == label) + sum(calls_of(child, label) for child in tree.children)


def count_calls(f: Callable[..., Any], *args: Any) -> int:
    """How many calls f(*args) makes in all, the first one included (at most MAX_CALLS)."""
    return trace_calls(f, *args).size


def fib1_calls(n: int) -> int:
    """The number of calls fib1(n) makes, from the recurrence C(n) = 1 + C(n-1) + C(n-2)."""
    n = _check_n(n)
    a, b = 1, 1  # C(0), C(1)
    for _ in range(n):
        a, b = b, 1 + a + b
    return a
