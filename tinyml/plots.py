"""Matplotlib helpers the chapters share (one picture, one idea)."""

from __future__ import annotations

import math

from tinyml.numeric import (
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
    """Log-log plot of finite-difference error against step size, the forward best step marked.

    No error formula is drawn for the central difference: its minimum is chapter 1's exercise 3.
    """
    steps, fwd, cen = step_size_errors(f, dfdx, x)
    floor = EPS / 4  # an exact hit (error 0) would vanish from a log plot; draw it at the floor
    ax.loglog(steps, [max(e, floor) for e in fwd], "o-", ms=3, label="forward difference")
    # open squares and a dashed line: where the curves meet (round-off, left) both stay visible
    ax.loglog(
        steps, [max(e, floor) for e in cen], "s--", ms=5, mfc="none", label="central difference"
    )
    ax.axvline(
        FORWARD_STEP,
        color="C0",
        ls=":",
        label=r"$h=\sqrt{\varepsilon} \approx 1.5 \times 10^{-8}$",
    )
    # the central difference's best step is chapter 1's exercise 3: the plot does not mark it
    ax.axvline(EPS, color="grey", ls="--", label=r"$h=\varepsilon$ (the naive step)")
    ax.set_xlabel("step size h")
    ax.set_ylabel(f"absolute error of d/dx {name}(x) at x = {x:g}")
    ax.set_title("Truncation error (right) vs round-off error (left)")
    ax.legend(fontsize=8, loc="lower left")
    ax.grid(True, which="major", alpha=0.3)
    return ax


def plot_error_model(steps, measured, trunc, roundoff, h_star):
    """Chapter 1's forward-difference error: measured, the model's two terms, their sum, h*."""
    import matplotlib.pyplot as plt

    fig, ax = plt.subplots(figsize=(8, 4.5))
    ax.loglog(steps, measured, "o-", ms=3, label="forward difference, measured")
    ax.loglog(steps, trunc, ":", color="C2", label=r"truncation term $\frac{h}{2}|f''|$")
    ax.loglog(steps, roundoff, ":", color="C3", label=r"round-off term $\varepsilon |f| / h$")
    total = [t + r for t, r in zip(trunc, roundoff, strict=True)]
    ax.loglog(steps, total, color="grey", label="their sum")
    ax.axvline(h_star, color="grey", ls="--", label=r"$h^* = \sqrt{2\varepsilon}$")
    ax.set(
        xlabel="step size h", ylabel="absolute error", title="Forward difference of sin at x = 1"
    )
    ax.legend(loc="upper center", bbox_to_anchor=(0.5, -0.14), ncol=3, fontsize=9)  # below
    return ax


def errors_at(h: float, f=math.sin, dfdx=math.cos, x: float = 1.0) -> tuple[float, float]:
    """Absolute errors of forward_difference and central_difference of f at x with step h."""
    exact = dfdx(x)
    return abs(forward_difference(f, x, h) - exact), abs(central_difference(f, x, h) - exact)


def step_size_figure(h: float, f=math.sin, dfdx=math.cos, x: float = 1.0, name: str = "sin"):
    """The error-vs-step plot with the errors at one step h marked: a widget's picture."""
    import matplotlib.pyplot as plt

    fwd, cen = errors_at(h, f, dfdx, x)
    fig, ax = plt.subplots(figsize=(8, 4.5))
    plot_step_size_errors(ax, f, dfdx, x, name)
    floor = EPS / 4
    ax.axvline(h, color="black", lw=1)
    ax.loglog([h], [max(fwd, floor)], "o", ms=11, color="C0", mec="black", gid="forward at h")
    ax.loglog([h], [max(cen, floor)], "s", ms=11, color="C1", mec="black", gid="central at h")
    ax.set_title(f"step h = {h:.1e}: forward error {fwd:.1e}, central error {cen:.1e}")
    return fig


def step_size_caption(h: float) -> str:
    """The picture's text for viewers without images; the numbers are in the figure's title."""
    return f"(the error curves, both errors at step h = {h:.1e} marked)"


def explore_step_size(h: float = 1e-3, f=math.sin, dfdx=math.cos, x: float = 1.0, name="sin"):
    """A slider for the step h over the error curves; the marked errors follow it (a widget)."""
    import ipywidgets

    from tinyml.widgets import explore

    if not EPS <= h <= 0.1:
        raise ValueError(f"h must lie on the plotted range, eps ≤ h ≤ 0.1; got h={h!r}")
    slider = ipywidgets.FloatLogSlider(
        value=h,
        base=10,
        min=-15.5,
        max=-1,
        step=0.25,
        description="step h",
        readout_format=".1e",
        continuous_update=False,
    )
    return explore(
        lambda h: step_size_figure(h, f, dfdx, x, name),
        caption=step_size_caption,
        h=slider,
    )
