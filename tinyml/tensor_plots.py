"""Pictures for chapter 8: broadcasting and its gradient, digits, a confusion matrix, the
speed ladder."""

from __future__ import annotations

from typing import Any

import numpy as np


def _grid(ax: Any, values: np.ndarray, x0: float, y0: float, colour: str, faded=()) -> None:
    """Draw a small matrix of numbers as boxes, its top-left corner at (x0, y0)."""
    from matplotlib.patches import Rectangle

    rows, cols = values.shape
    for i in range(rows):
        for j in range(cols):
            alpha = 0.25 if i in faded else 1.0
            ax.add_patch(Rectangle((x0 + j, y0 - i - 1), 1, 1, facecolor=colour,
                                   edgecolor="black", alpha=alpha, lw=1))  # fmt: skip
            ax.text(x0 + j + 0.5, y0 - i - 0.5, f"{values[i, j]:g}", ha="center", va="center",
                    fontsize=10, alpha=max(alpha, 0.5))  # fmt: skip


def plot_broadcast(a: np.ndarray, b: np.ndarray, g: np.ndarray) -> Any:
    """Forward: ``a + b`` with b (one row) copied down every row of a. Backward: the
    gradient ``g`` of the result, and b's gradient, g summed down each column."""
    import matplotlib.pyplot as plt

    rows, cols = a.shape
    fig, (fwd, bwd) = plt.subplots(1, 2, figsize=(11, 2.8))
    copies = np.tile(b, (rows, 1))
    _grid(fwd, a, 0, rows, "#cfe2f3")
    fwd.text(cols + 0.5, rows / 2, "+", fontsize=18, ha="center", va="center")
    _grid(fwd, copies, cols + 1, rows, "#f9cb9c", faded=range(1, rows))
    fwd.text(2 * cols + 1.5, rows / 2, "=", fontsize=18, ha="center", va="center")
    _grid(fwd, a + copies, 2 * cols + 2, rows, "#d9ead3")
    fwd.set_title(f"forward: b of shape {b.shape} is copied to every row (faded copies)")
    _grid(bwd, g, 0, rows, "#d9ead3")
    bwd.annotate("", xy=(cols + 1.6, rows / 2), xytext=(cols + 0.2, rows / 2),
                 arrowprops={"arrowstyle": "->", "lw": 2})  # fmt: skip
    bwd.text(cols + 0.9, rows / 2 + 0.3, "sum the\ncolumns", ha="center", fontsize=9)
    _grid(bwd, g.sum(axis=0, keepdims=True), cols + 2, rows / 2 + 0.5, "#f9cb9c")
    bwd.set_title("backward: b.grad adds up the gradients of all its copies")
    for ax in (fwd, bwd):
        ax.set_xlim(-0.2, 3 * cols + 2.2 if ax is fwd else 2 * cols + 2.2)
        ax.set_ylim(-0.2, rows + 0.2)
        ax.set_aspect("equal")
        ax.axis("off")
    fig.tight_layout()
    return fig


def plot_digits(images: np.ndarray, labels: Any, predicted: Any = None, ncols: int = 10) -> Any:
    """Digits as 8 × 8 grey images, titled with the label (and the prediction, red if wrong)."""
    import matplotlib.pyplot as plt

    n = len(images)
    nrows = -(-n // ncols)
    fig, axes = plt.subplots(nrows, ncols, figsize=(1.1 * ncols, 1.3 * nrows), squeeze=False)
    for k, ax in enumerate(axes.flat):
        ax.axis("off")
        if k >= n:
            continue
        ax.imshow(np.asarray(images[k]).reshape(8, 8), cmap="gray_r", vmin=0, vmax=16)
        if predicted is None:
            ax.set_title(f"{labels[k]}", fontsize=10)
        else:
            wrong = predicted[k] != labels[k]
            ax.set_title(f"{labels[k]} → {predicted[k]}", fontsize=9,
                         color="#cf222e" if wrong else "black")  # fmt: skip
    fig.tight_layout()
    return fig


def confusion_matrix(labels: Any, predicted: Any, classes: int = 10) -> np.ndarray:
    """counts[i, j] = how many samples of class i were predicted as class j."""
    counts = np.zeros((classes, classes), dtype=int)
    np.add.at(counts, (np.asarray(labels), np.asarray(predicted)), 1)
    return counts


def plot_confusion(counts: np.ndarray, title: str = "") -> Any:
    """The confusion matrix as a picture, with the count in every non-empty cell."""
    import matplotlib.pyplot as plt

    fig, ax = plt.subplots(figsize=(5.2, 4.6))
    ax.imshow(np.log1p(counts), cmap="Blues")
    for (i, j), c in np.ndenumerate(counts):
        if c:
            ax.text(j, i, str(c), ha="center", va="center", fontsize=8,
                    color="white" if i == j else "#cf222e")  # fmt: skip
    k = len(counts)
    ax.set(xticks=range(k), yticks=range(k), xlabel="predicted digit", ylabel="true digit",
           title=title)  # fmt: skip
    fig.tight_layout()
    return fig


def plot_ladder(seconds: dict[str, float], title: str = "") -> Any:
    """One bar per rung of the speed ladder: seconds per epoch, on a log scale."""
    import matplotlib.pyplot as plt

    fig, ax = plt.subplots(figsize=(7, 2.8))
    names = list(seconds)
    values = [seconds[n] for n in names]
    ax.barh(names, values, color=[f"C{i}" for i in range(len(names))])
    ax.set_xscale("log")
    for i, v in enumerate(values):
        ax.text(v * 1.1, i, f"{v:.3g} s", va="center", fontsize=9)
    ax.invert_yaxis()
    ax.set(xlabel="seconds per training epoch (log scale)", title=title)
    ax.set_xlim(min(values) / 2, max(values) * 8)
    fig.tight_layout()
    return fig
