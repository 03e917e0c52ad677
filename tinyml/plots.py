"""Matplotlib helpers the chapters share (one picture, one idea)."""

from __future__ import annotations

import math

from tinyml.numeric import (
    CENTRAL_STEP,
    EPS,
    FORWARD_STEP,
    central_difference,
    forward_difference,
)


def step_size_errors(
    f=math.sin, dfdx=math.cos, x: float = 1.0, steps: list[float] | None = None
) -> tuple[list[float], list[float], list[float]]:
    """Absolute errors of the forward and central differences of f at x, for each step h.

    Every step must survive rounding at x (x + h != x); the default steps, down to the naive
    step eps, do at |x| < 2.
    """
    if steps is None:
        # 1e-1 down to 1e-15.5, four per decade, then the naive step eps itself
        steps = [10 ** (-k / 4) for k in range(4, 63)] + [EPS]
    exact = dfdx(x)
    fwd = [abs(forward_difference(f, x, h) - exact) for h in steps]
    cen = [abs(central_difference(f, x, h) - exact) for h in steps]
    return steps, fwd, cen


def plot_step_size_errors(ax, f=math.sin, dfdx=math.cos, x: float = 1.0, name: str = "sin"):
    """Log-log plot of finite-difference error against step size, best steps marked."""
    steps, fwd, cen = step_size_errors(f, dfdx, x)
    floor = EPS / 4  # an exact hit (error 0) would vanish from a log plot; draw it at the floor
    ax.loglog(steps, [max(e, floor) for e in fwd], "o-", ms=3, label="forward difference")
    ax.loglog(steps, [max(e, floor) for e in cen], "s-", ms=3, label="central difference")
    ax.axvline(FORWARD_STEP, color="C0", ls=":", label=r"$h=\sqrt{\varepsilon}$")
    ax.axvline(CENTRAL_STEP, color="C1", ls=":", label=r"$h=\sqrt[3]{\varepsilon}$")
    ax.axvline(EPS, color="grey", ls="--", label=r"$h=\varepsilon$ (the naive step)")
    ax.set_xlabel("step size h")
    ax.set_ylabel(f"absolute error of d/dx {name}(x) at x = {x:g}")
    ax.set_title("Truncation error (right) vs round-off error (left)")
    ax.legend(fontsize=8, loc="lower left")
    ax.grid(True, which="major", alpha=0.3)
    return ax
