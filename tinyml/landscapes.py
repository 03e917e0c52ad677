"""Test functions of two variables for optimizers, and one way to run and draw every method.

``descend(QUADRATIC, GD, lr=0.07)`` trains the point (x, y) on a landscape with an
optimizer from :mod:`tinyml.optim` and records its path and losses; ``plot_paths`` draws
several runs side by side on the same contour map and ``plot_losses`` draws their loss
curves on one log-scale axis, so methods compare at a glance.
"""

from __future__ import annotations

import math
import numbers
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

from tinyml.alpha import Var
from tinyml.checks import size

__all__ = [
    "quadratic",
    "rosenbrock",
    "Landscape",
    "QUADRATIC",
    "ROSENBROCK",
    "turned",
    "Run",
    "descend",
    "descent_loop",
    "plot_paths",
    "plot_losses",
    "lr_sweep",
    "sweep_summary",
    "plot_lr_sweep",
    "PathPicture",
    "explore_momentum",
]


def quadratic(x: Any, y: Any) -> Any:
    """The narrow bowl, f = (x² + 25·y²) / 2: 25× more curved across y than along x."""
    return 0.5 * (x * x + 25 * (y * y))


def rosenbrock(x: Any, y: Any) -> Any:
    """Rosenbrock's banana valley, f = (1 - x)² + 100·(y - x²)², with its minimum 0 at (1, 1)."""
    return (1 - x) * (1 - x) + 100 * (y - x * x) * (y - x * x)


@dataclass(frozen=True)
class Landscape:
    """A test function with where to start, where its minimum is, and what to draw."""

    name: str
    f: Callable[[Any, Any], Any]
    start: tuple[float, float]
    minimum: tuple[float, float]
    xlim: tuple[float, float]
    ylim: tuple[float, float]
    levels: tuple[float, ...]  # contour levels (the values of f drawn as lines)

    def __call__(self, x: Any, y: Any) -> Any:
        return self.f(x, y)


QUADRATIC = Landscape(
    "narrow bowl",
    quadratic,
    start=(-5.0, 1.5),
    minimum=(0.0, 0.0),
    xlim=(-5.5, 1.5),
    ylim=(-2.0, 2.0),
    levels=tuple(0.5 * 2.0**k for k in range(-2, 7)),
)

ROSENBROCK = Landscape(
    "Rosenbrock function",
    rosenbrock,
    start=(-1.5, 2.0),
    minimum=(1.0, 1.0),
    xlim=(-2.0, 2.0),
    ylim=(-1.0, 3.0),
    levels=tuple(10.0**k for k in range(-2, 4)),  # one line per decade keeps images small
)


def turned(landscape: Landscape, degrees: float) -> Landscape:
    """The same landscape turned anticlockwise by ``degrees`` about its minimum.

    Its start turns with it, so a run begins at the same loss and the same distance from the
    minimum; the drawing box is the smallest one that holds the turned corners of the old one.
    """
    if not isinstance(landscape, Landscape):
        raise TypeError(f"turned needs a Landscape such as QUADRATIC, got {landscape!r}")
    if isinstance(degrees, bool) or not isinstance(degrees, numbers.Real):
        raise TypeError(f"degrees must be a number, e.g. turned(QUADRATIC, 45), got {degrees!r}")
    angle = math.radians(degrees)
    c, s = math.cos(angle), math.sin(angle)
    cx, cy = landscape.minimum

    def f(x: Any, y: Any) -> Any:  # turn (x, y) back by the angle, then ask the old landscape
        dx, dy = x - cx, y - cy
        return landscape.f(c * dx + s * dy + cx, c * dy - s * dx + cy)

    def turn(point: tuple[float, float]) -> tuple[float, float]:
        dx, dy = point[0] - cx, point[1] - cy
        return (c * dx - s * dy + cx, s * dx + c * dy + cy)

    corners = [turn((x, y)) for x in landscape.xlim for y in landscape.ylim]
    xs, ys = [x for x, _ in corners], [y for _, y in corners]
    return Landscape(
        f"{landscape.name} turned by {degrees:g}°",
        f,
        start=turn(landscape.start),
        minimum=landscape.minimum,
        xlim=(min(xs), max(xs)),
        ylim=(min(ys), max(ys)),
        levels=landscape.levels,
    )


@dataclass
class Run:
    """One optimizer's trip across a landscape: the points visited and the loss at each."""

    label: str
    path: list[tuple[float, float]]
    losses: list[float]
    diverged: bool = False

    def __repr__(self) -> str:
        # The whole path would be hundreds of numbers; the summary is what one looks for.
        steps = len(self.losses) - 1
        verdict = ", diverged" if self.diverged else ""
        return (
            f"Run({self.label!r}, {steps} steps, "
            f"loss {self.losses[0]:.3g} → {self.losses[-1]:.3g}{verdict})"
        )


def _start_of(landscape: object, start: tuple[float, float] | None) -> tuple[float, float]:
    """Where descend begins: ``start`` if given, else the landscape's own start."""
    if not callable(landscape):
        raise TypeError(
            f"descend needs a Landscape such as QUADRATIC (or a function f(x, y) and a start), "
            f"got {landscape!r} of type {type(landscape).__name__}"
        )
    if start is not None:
        return start
    if not isinstance(landscape, Landscape):
        name = getattr(landscape, "__name__", repr(landscape))
        raise TypeError(
            f"descend got the function {name}, not a Landscape, so it does not know where to "
            f"start: pass a Landscape such as QUADRATIC, or give start=(x, y)"
        )
    return landscape.start


def descend(
    landscape: Callable[[Any, Any], Any],
    optimizer: type,
    steps: int = 50,
    start: tuple[float, float] | None = None,
    label: str | None = None,
    **settings: Any,
) -> Run:
    """Minimise ``landscape(x, y)`` from ``start`` with ``optimizer(params, **settings)``.

    ``landscape`` is a :class:`Landscape` (its ``start`` is the default), or any function
    f(x, y) together with a ``start``.

    The loop is PyTorch's: zero_grad, forward, backward, step. A run is marked ``diverged``
    when its loss grows past 1e6 times its start (the run stops there) or when it ends with
    a higher loss than it started with.
    """
    start, steps = _start_of(landscape, start), size("steps", steps)
    x, y = Var(start[0], name="x"), Var(start[1], name="y")
    path, losses, diverged = descent_loop(landscape, optimizer([x, y], **settings), x, y, steps)
    if label is None:
        shown = ", ".join(
            f"{k}={v:.6g}" if type(v) is float else f"{k}={v}" for k, v in settings.items()
        )
        label = f"{optimizer.__name__}({shown})"
    return Run(label, path, losses, diverged)


_BLOWN_UP = "stop at once if the loss blows up (or is NaN): diverged"
_LANDING = "then record the last landing; diverged if the loss rose"

#: Named views for ``tinyml.show(..., view=...)``: "lesson" is chapter 6's look at the loop,
#: without the bookkeeping that detects divergence.
SHOW_VIEWS = {
    "lesson": {
        "else:  # for … else": _LANDING,  # first: this line mentions break too
        "# where the last step landed": _LANDING,
        "losses.append(landscape(x.value(), y.value()))": _LANDING,
        "diverged = losses[-1] > losses[0]": _LANDING,
        "# blowing up: stop.": _BLOWN_UP,
        "# comparison, stops the run too": _BLOWN_UP,
        "if not loss.value() < 1e6": _BLOWN_UP,
        "diverged = True": _BLOWN_UP,
        "break": _BLOWN_UP,
    },
}


def descent_loop(
    landscape: Callable[[Any, Any], Any], opt: Any, x: Var, y: Var, steps: int
) -> tuple[list[tuple[float, float]], list[float], bool]:
    """The training loop of descend: the points visited, their losses, and whether it diverged."""
    path, losses, diverged = [], [], False
    for _ in range(steps):
        opt.zero_grad()
        loss = landscape(x, y)  # forward: build the graph at the current (x, y)
        loss.backward()  # backward: x.g and y.g now hold the gradient
        path.append((x.value(), y.value()))
        losses.append(loss.value())
        # blowing up: stop. "not <" rather than ">=" so that a NaN loss, which fails every
        # comparison, stops the run too
        if not loss.value() < 1e6 * (losses[0] + 1):
            diverged = True
            break
        opt.step()
    else:  # for … else: runs only if the loop ended without break; record the last landing
        path.append((x.value(), y.value()))  # where the last step landed
        losses.append(landscape(x.value(), y.value()))
        diverged = losses[-1] > losses[0]
    return path, losses, diverged


def _contours(
    ax: Any, landscape: Landscape, xlim: tuple[float, float], ylim: tuple[float, float]
) -> None:
    import numpy as np

    xs = np.linspace(*xlim, 300)
    ys = np.linspace(*ylim, 300)
    gx, gy = np.meshgrid(xs, ys)
    ax.contour(
        gx, gy, landscape(gx, gy), levels=landscape.levels, colors="#9aa5b1", linewidths=0.5
    )
    ax.plot(*landscape.minimum, marker="*", color="#d62728", ms=12, ls="none", label="minimum")
    ax.set_xlim(*xlim)
    ax.set_ylim(*ylim)
    ax.set_xlabel("x")
    ax.set_ylabel("y")


NOTEBOOK_WIDTH = 9.6  # inches: wider figures are shrunk to fit a notebook cell, fonts and all


def _draw_path(
    ax: Any,
    landscape: Landscape,
    run: Run,
    xlim: tuple[float, float] | None = None,
    ylim: tuple[float, float] | None = None,
) -> None:
    """One run's path on the landscape's contour map, titled with its label and final loss."""
    _contours(ax, landscape, xlim or landscape.xlim, ylim or landscape.ylim)
    xs, ys = zip(*run.path, strict=True)
    if len(xs) <= 101:  # a dot per step; long runs: a line alone is clearer
        ax.plot(xs, ys, "-o", color="#1f77b4", ms=2.5, lw=1, label="path, a dot per step")
    else:
        ax.plot(xs, ys, "-", color="#1f77b4", lw=1, label="path")
    ax.plot(xs[0], ys[0], "s", color="black", ms=5, label="start")
    end = f"f = {run.losses[-1]:.1e} after {len(xs) - 1}"
    if run.diverged:
        end += ": diverged"
    ax.set_title(f"{run.label}\n{end}", fontsize=9)


def plot_paths(
    landscape: Landscape,
    runs: Sequence[Run],
    title: str | None = None,
    ncols: int = 2,
    xlim: tuple[float, float] | None = None,
    ylim: tuple[float, float] | None = None,
) -> Any:
    """Each run's path on its own copy of the landscape's contour map, side by side.

    ``xlim`` and ``ylim`` widen (or narrow) the view from the landscape's own. The figure is
    at most a notebook cell wide, so its text is never shrunk.
    """
    import matplotlib.pyplot as plt

    if not runs:
        raise ValueError("no runs to plot: pass a list of runs from descend(), e.g. [run]")
    ncols = min(ncols, len(runs))
    nrows = -(-len(runs) // ncols)
    width = min(4.6, NOTEBOOK_WIDTH / ncols)  # each panel's width, in inches
    height = round(0.76 * width * nrows + 0.3, 1)
    fig, axes = plt.subplots(nrows, ncols, figsize=(width * ncols, height), squeeze=False)
    for ax in axes.flat[len(runs) :]:
        ax.set_visible(False)
    for ax, run in zip(axes.flat, runs, strict=False):
        _draw_path(ax, landscape, run, xlim, ylim)
    axes.flat[0].legend(fontsize=7, loc="lower right")
    fig.suptitle(title or f"Paths on the {landscape.name}")
    fig.tight_layout()
    return fig


def plot_losses(runs: Sequence[Run], ax: Any = None, title: str = "Loss per step") -> Any:
    """All runs' losses against the step number on one axis, log scale."""
    import matplotlib.pyplot as plt

    if ax is None:
        _, ax = plt.subplots(figsize=(6.5, 3.8))
    floor = 1e-300  # a loss of exactly 0 would vanish from a log plot
    for run in runs:
        ax.semilogy([max(v, floor) for v in run.losses], label=run.label)
    ax.set_xlabel("step")
    ax.set_ylabel("loss f(x, y)  (log scale)")
    ax.set_title(title)
    ax.legend(fontsize=8)
    return ax


def lr_sweep(
    landscape: Callable[[Any, Any], Any],
    optimizer: type,
    lrs: Sequence[float],
    steps: int = 50,
    **settings: Any,
) -> list[float | None]:
    """The final loss of ``descend`` for each learning rate; ``None`` where the run diverged
    (blew up, or ended worse than it started)."""
    finals: list[float | None] = []
    for lr in lrs:
        run = descend(landscape, optimizer, steps=steps, lr=lr, **settings)
        finals.append(None if run.diverged else run.losses[-1])
    return finals


def sweep_summary(
    lrs: Sequence[float], sweeps: dict[str, list[float | None]], below: float = 1e-2
) -> str:
    """One line per optimizer of ``lr_sweep`` results: every rate that diverged (a range
    such as ``0.1–1`` for neighbouring grid rates), how many rates ended below ``below``, and
    the lowest final loss with its rate."""
    for name, finals in sweeps.items():
        if len(finals) != len(lrs):
            raise ValueError(f"{name} has {len(finals)} final losses for {len(lrs)} rates")
    diverged = {name: _diverged_rates(lrs, finals) for name, finals in sweeps.items()}
    width = max((len(text) for text in diverged.values()), default=0)
    threshold = f"{below:.0e}".replace("e-0", "e-")  # 1e-2, not 1e-02
    lines = []
    for name, finals in sweeps.items():
        kept = [(final, lr) for lr, final in zip(lrs, finals, strict=True) if final is not None]
        good = len([final for final, _ in kept if final < below])
        line = f"{name:14} {diverged[name]:{width}}  below {threshold} at {good:2} of "
        line += f"{len(lrs)} rates"
        if kept:
            best, best_lr = min(kept)
            line += f"  lowest loss {best:.1e} (lr {best_lr:.3g})"
        lines.append(line)
    return "\n".join(lines)


def _diverged_rates(lrs: Sequence[float], finals: list[float | None]) -> str:
    """The diverged rates as text: ``diverged at lr 0.316, 1``, or ``diverged at lr 0.1–1``
    for neighbouring grid rates, or ``diverged at no rate``."""
    runs: list[list[float]] = []  # [first, last] of each stretch of neighbouring diverged rates
    previous_diverged = False
    for lr, final in zip(lrs, finals, strict=True):
        if final is None:
            if previous_diverged:
                runs[-1][1] = lr
            else:
                runs.append([lr, lr])
        previous_diverged = final is None
    if not runs:
        return "diverged at no rate"
    parts = [f"{a:.3g}" if a == b else f"{a:.3g}–{b:.3g}" for a, b in runs]
    return "diverged at lr " + ", ".join(parts)


def plot_lr_sweep(
    lrs: Sequence[float],
    sweeps: dict[str, list[float | None]],
    ax: Any = None,
    title: str = "Final loss against learning rate",
    floor: float = 1e-12,
) -> Any:
    """One line per optimizer: final loss against lr (log-log); diverged runs as × at the top.

    Each optimizer has its own colour, marker and line style, so overlapping lines stay
    apart.

    Losses below ``floor`` are drawn at ``floor``, so one tiny value does not squash the rest.
    """
    import matplotlib.pyplot as plt

    if ax is None:
        _, ax = plt.subplots(figsize=(6.5, 3.8))
    finite = [v for finals in sweeps.values() for v in finals if v is not None]
    top = max(finite) * 30 if finite else 1.0
    markers, styles = "osD^v", ["-", "--", "-.", ":", "-"]
    for i, (label, finals) in enumerate(sweeps.items()):
        colour, marker, style = f"C{i}", markers[i % 5], styles[i % 5]
        ok = [(lr, max(v, floor)) for lr, v in zip(lrs, finals, strict=True) if v is not None]
        if ok:
            ax.loglog(
                *zip(*ok, strict=True),
                marker=marker,
                ls=style,
                ms=4,
                mfc="none",
                color=colour,
                label=label,
            )
        bad = [lr for lr, v in zip(lrs, finals, strict=True) if v is None]
        if bad:  # each method's crosses on its own row, so they do not hide each other
            ax.loglog(bad, [top * 4**i] * len(bad), "x", color=colour, ms=6)
    ax.axhline(top / 2, color="#999999", lw=0.6, ls=":")
    ax.plot([], [], "x", color="#555555", label="diverged (above the dotted line)")
    if any(v < floor for v in finite):
        ax.axhline(floor, color="#999999", lw=0.6, ls="--", label=f"{floor:g} or lower")
    ax.set_xlabel("learning rate lr (log scale)")
    ax.set_ylabel("loss after the last step (log scale)")
    ax.set_title(title)
    ax.legend(fontsize=8, loc="upper center", bbox_to_anchor=(0.5, -0.16), ncol=3)
    return ax


class PathPicture:
    """What the momentum explorer redraws: a fresh ``descend`` run, its path and its losses.

    Calling it with optimizer settings (``lr=0.03, momentum=0.7``) runs ``descend`` with
    them, keeps the run in ``self.run`` and returns a figure: the path on the landscape's
    contour map (left) and the loss per step (right).
    """

    def __init__(
        self,
        landscape: Landscape,
        optimizer: type,
        steps: int = 50,
        xlim: tuple[float, float] | None = None,
        loss_range: tuple[float, float] = (1e-12, 1e6),
    ) -> None:
        self.landscape, self.optimizer, self.steps = landscape, optimizer, size("steps", steps)
        self.xlim, self.loss_range = xlim, loss_range
        self.run: Run | None = None

    def __call__(self, **settings: Any) -> Any:
        import matplotlib.pyplot as plt

        label = (
            f"{self.optimizer.__name__}("
            + ", ".join(f"{k}={v:.3g}" for k, v in settings.items())
            + ")"
        )
        self.run = descend(self.landscape, self.optimizer, self.steps, label=label, **settings)
        fig, (left, right) = plt.subplots(
            1, 2, figsize=(NOTEBOOK_WIDTH, 3.6), gridspec_kw={"width_ratios": [1.3, 1]}
        )
        _draw_path(left, self.landscape, self.run, self.xlim)
        left.legend(fontsize=7, loc="lower right")
        plot_losses([self.run], ax=right, title="loss per step")
        right.set_ylim(*self.loss_range)  # fixed, so moving a slider moves the curve, not the axis
        right.set_xlim(0, self.steps)
        right.get_legend().remove()
        fig.tight_layout()
        return fig

    def caption(self, **settings: Any) -> str:
        """One line for static viewers: the settings and what the run did."""
        run = self.run
        if run is None:
            return "no run yet"
        verdict = "diverged" if run.diverged else f"ends at loss {run.losses[-1]:.2g}"
        return (
            f"{run.label} on the {self.landscape.name}, {len(run.losses) - 1} steps: "
            f"loss {run.losses[0]:.3g} at the start, {verdict}"
        )


def explore_momentum(
    landscape: Landscape = QUADRATIC,
    lr: float = 0.03,
    momentum: float = 0.7,
    steps: int = 50,
    xlim: tuple[float, float] | None = (-5.5, 2.5),
) -> Any:
    """Sliders for Momentum's ``lr`` and ``momentum`` that redraw its path on ``landscape``.

    Each move runs ``descend(landscape, Momentum, steps, lr=…, momentum=…)`` again with the
    real ``tinyml.optim.Momentum`` (``momentum=0`` is plain gradient descent). Returns a
    :class:`tinyml.widgets.Explorer`; ``explorer.draw.run`` is the run on show.
    """
    import ipywidgets

    from tinyml.optim import Momentum
    from tinyml.widgets import explore

    picture = PathPicture(landscape, Momentum, steps, xlim)
    style = {"description_width": "80px"}
    layout = ipywidgets.Layout(width="480px")
    return explore(
        picture,
        caption=picture.caption,
        lr=ipywidgets.FloatLogSlider(
            value=lr,
            base=10,
            min=-3,
            max=-0.7,
            step=0.01,
            description="lr",
            readout_format=".4f",
            style=style,
            layout=layout,
        ),
        momentum=ipywidgets.FloatSlider(
            value=momentum,
            min=0.0,
            max=0.99,
            step=0.01,
            description="momentum",
            style=style,
            layout=layout,
        ),
    )
