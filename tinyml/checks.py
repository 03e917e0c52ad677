"""Input checks shared by the modules: refuse bad values with an error that names them."""

from __future__ import annotations

import math
import numbers


def real(x: object, what: str) -> float:
    """``x`` as a finite float, or a TypeError/ValueError that says what was wrong."""
    if x.__class__ is not float:  # the common case skips the slower isinstance checks
        if isinstance(x, bool) or not isinstance(x, numbers.Real):
            raise TypeError(f"{what} must be a real number, got {x!r} of type {type(x).__name__}")
        x = float(x)
    if not math.isfinite(x):
        raise ValueError(f"{what} must be finite, got {x}")
    return x


def size(what: str, n: object) -> int:
    """``n`` as a whole number of at least 1 (a size, a count of steps), or a clear error."""
    if isinstance(n, bool) or not isinstance(n, numbers.Integral):
        raise TypeError(f"{what} must be a whole number, got {n!r} of type {type(n).__name__}")
    if n < 1:
        raise ValueError(f"{what} must be at least 1, got {what}={n}")
    return int(n)


def refuse_blank(x: object) -> None:
    """A TypeError if x is the exercises' blank ``____``, left in an expression by mistake."""
    if type(x).__name__ == "Blank" and type(x).__module__ == "tinyml.exercises":
        raise TypeError(
            "an expression cannot hold the exercise's blank ____: replace every ____ with "
            "your answer first"
        )
