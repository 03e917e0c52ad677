"""Training a classifier: the loop of chapter 7 as a reusable ``fit``, and its pictures.

``fit`` is exactly the loop the chapter writes out (shuffle, then for each minibatch
``zero_grad``, forward, loss, ``backward``, ``step``), with a progress bar and a history.
A model with one output is a binary classifier (logit > 0 means class 1, loss
``binary_cross_entropy_with_logits``); a model with k outputs picks the class with the
largest score (loss ``cross_entropy``).
"""

from __future__ import annotations

import gc
import random
import sys
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any

from tinyml.alpha import Node
from tinyml.nn import MLP, Linear, Module, binary_cross_entropy_with_logits, cross_entropy
from tinyml.optim import Optimizer

__all__ = [
    "History",
    "cycle_collector_paused",
    "minibatches",
    "progress_bar",
    "predict",
    "accuracy",
    "fit",
    "scores",
    "plot_decision_boundary",
    "plot_history",
    "training_explorer",
]

# A bar without times or rates: the same text on every run (nbval compares it).
BAR_FORMAT = "{desc}: {percentage:3.0f}%|{bar}| {n_fmt}/{total_fmt} epochs{postfix}"


@dataclass
class History:
    """Per epoch: the mean training loss, the training accuracy and (if given) test accuracy."""

    loss: list[float] = field(default_factory=list)
    train_accuracy: list[float] = field(default_factory=list)
    test_accuracy: list[float] = field(default_factory=list)


def progress_bar(iterable: Any, desc: str = "training", enabled: bool = True) -> Any:
    """A tqdm bar over ``iterable`` (the epochs) that prints the same text on every run.

    A text bar, redrawn in place: JupyterLab and terminals show it moving; nbval and static
    viewers see its final state. (``tqdm.auto`` draws a widget in JupyterLab, but the text
    saved beside it is only its first frame, "0%".) No times or rates, which differ from run
    to run; ``set_postfix_str`` adds the latest numbers.
    """
    from tqdm import tqdm

    return tqdm(iterable, desc=desc, bar_format=BAR_FORMAT, ncols=100, mininterval=0,
                miniters=1, file=sys.stdout, disable=not enabled)  # fmt: skip


@contextmanager
def cycle_collector_paused() -> Iterator[None]:
    """Pause Python's cycle collector for the duration of a ``with`` block.

    An Alpha graph has no reference cycles (a node refers only to its children), so
    reference counting frees each step's graph the moment it is dropped. The cycle collector
    would find nothing, yet it re-scans the ~100,000 live nodes of a training step several
    times per step: a third of the step's time. ``fit`` trains inside this block.
    """
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


def minibatches(n: int, batch_size: int, rng: random.Random) -> list[list[int]]:
    """The indices 0 … n-1 in a shuffled order, cut into batches of ``batch_size`` (the last
    one may be smaller)."""
    order = list(range(n))
    rng.shuffle(order)
    return [order[i : i + batch_size] for i in range(0, n, batch_size)]


def _label(output: list[Any]) -> int:
    values = [v.value() if isinstance(v, Node) else float(v) for v in output]
    if len(values) == 1:
        return int(values[0] > 0)  # one logit: class 1 when sigmoid(logit) > 0.5
    return max(range(len(values)), key=values.__getitem__)


def predict(model: Module, X: Sequence[Sequence[float]]) -> list[int]:
    """The predicted class of every sample."""
    return [_label(model(x)) for x in X]


def accuracy(model: Module, X: Sequence[Sequence[float]], y: Sequence[int]) -> float:
    """The fraction of samples whose predicted class is the label."""
    if len(X) != len(y) or not X:
        raise ValueError(f"need as many labels as samples (and at least one): {len(X)}, {len(y)}")
    return sum(p == t for p, t in zip(predict(model, X), y, strict=True)) / len(y)


def _loss(outputs: list[list[Node]], targets: list[int]) -> Node:
    if len(outputs[0]) == 1:
        return binary_cross_entropy_with_logits([o[0] for o in outputs], targets)
    return cross_entropy(outputs, targets)


def fit(
    model: Module,
    X: Sequence[Sequence[float]],
    y: Sequence[int],
    optimizer: Optimizer,
    *,
    epochs: int,
    batch_size: int = 32,
    seed: int | None = 0,
    X_test: Sequence[Sequence[float]] | None = None,
    y_test: Sequence[int] | None = None,
    loss_fn: Callable[[list[list[Node]], list[int]], Node] | None = None,
    progress: bool = True,
    on_epoch: Callable[[int, History], None] | None = None,
) -> History:
    """Train ``model`` on ``(X, y)`` for ``epochs`` passes over the data; return the history.

    Each epoch shuffles the samples (seeded) and takes one optimizer step per minibatch.
    ``loss_fn(outputs, targets)`` gets, per sample, the list of the model's outputs; by
    default it is binary cross-entropy (one output) or cross-entropy (several).
    ``on_epoch(epoch, history)`` is called after every epoch (e.g. to save the weights).
    """
    if len(X) != len(y) or not X:
        raise ValueError(f"X and y need the same, non-zero length; got {len(X)} and {len(y)}")
    if isinstance(epochs, bool) or not isinstance(epochs, int) or epochs < 1:
        raise ValueError(f"epochs must be a whole number >= 1, got {epochs!r}")
    if isinstance(batch_size, bool) or not isinstance(batch_size, int) or batch_size < 1:
        raise ValueError(f"batch_size must be a whole number >= 1, got {batch_size!r}")
    loss_fn = loss_fn or _loss
    rng = random.Random(seed)
    history = History()
    bar = progress_bar(range(1, epochs + 1), enabled=progress)
    with cycle_collector_paused():
        for epoch in bar:
            _epoch(model, X, y, optimizer, loss_fn, batch_size, rng, history)
            postfix = f"loss {history.loss[-1]:.3f}, train acc {history.train_accuracy[-1]:.1%}"
            if X_test is not None and y_test is not None:
                history.test_accuracy.append(accuracy(model, X_test, y_test))
                postfix += f", test acc {history.test_accuracy[-1]:.1%}"
            bar.set_postfix_str(postfix, refresh=False)
            if on_epoch is not None:
                on_epoch(epoch, history)
    bar.close()
    return history


def _epoch(model, X, y, optimizer, loss_fn, batch_size, rng, history) -> None:
    """One pass over the data in shuffled minibatches: the loop of chapter 7."""
    total, correct = 0.0, 0
    for batch in minibatches(len(X), batch_size, rng):
        xb, yb = [X[i] for i in batch], [y[i] for i in batch]
        optimizer.zero_grad()  # 1. clear last step's gradients
        outputs = [model(x) for x in xb]  # 2. forward
        loss = loss_fn(outputs, yb)  # 3. the loss: one node
        loss.backward()  # 4. backward: every parameter's .g
        optimizer.step()  # 5. update the parameters
        total += loss.value() * len(batch)
        correct += sum(_label(o) == t for o, t in zip(outputs, yb, strict=True))
    history.loss.append(total / len(X))
    history.train_accuracy.append(correct / len(X))


# -- pictures ----------------------------------------------------------------------------------


def scores(model: Module, points: Any) -> Any:
    """The model's outputs for many points at once, as an (n, outputs) numpy array.

    The same arithmetic as ``model(x)`` on plain floats (numpy, no graph), so drawing a
    decision boundary over thousands of grid points takes milliseconds.
    """
    import numpy as np

    layers = [model] if isinstance(model, Linear) else getattr(model, "layers", None)
    if not layers:
        raise TypeError(f"scores() needs a Linear or an MLP, got {model!r}")
    act = {"tanh": np.tanh, "relu": lambda a: np.maximum(a, 0.0),
           "sigmoid": lambda a: 1 / (1 + np.exp(-a))}  # fmt: skip
    act = act[getattr(model, "activation", "tanh")]
    a = np.asarray(points, dtype=float)
    for i, layer in enumerate(layers):
        W = np.array([[w.value() for w in row] for row in layer.weight])
        b = np.array([v.value() for v in layer.bias])
        a = a @ W.T + b
        if i < len(layers) - 1:
            a = act(a)
    return a


def plot_decision_boundary(
    model: Module, X: Any, y: Any, ax: Any = None, title: str | None = None, grid: int = 120
) -> Any:
    """The model's predicted class over the plane (filled), the boundary, and the data."""
    import matplotlib.pyplot as plt
    import numpy as np

    from tinyml.data import plot_dataset

    if ax is None:
        _, ax = plt.subplots(figsize=(4.5, 4))
    pts = np.asarray(X, dtype=float)
    (x0, y0), (x1, y1) = pts.min(axis=0) - 0.5, pts.max(axis=0) + 0.5
    gx, gy = np.meshgrid(np.linspace(x0, x1, grid), np.linspace(y0, y1, grid))
    out = scores(model, np.column_stack([gx.ravel(), gy.ravel()]))
    k = max(2, out.shape[1])
    cls = (out[:, 0] > 0).astype(int) if out.shape[1] == 1 else out.argmax(axis=1)
    colours = [f"C{c}" for c in range(k)]
    levels = np.arange(k + 1) - 0.5
    ax.contourf(gx, gy, cls.reshape(gx.shape), levels=levels, colors=colours, alpha=0.25)
    ax.contour(gx, gy, cls.reshape(gx.shape), levels=levels[1:-1], colors="k", linewidths=0.8)
    plot_dataset(X, y, ax=ax)
    ax.set_aspect("equal", adjustable="box")  # the coloured grid fills the axes
    ax.set_xlim(x0, x1)
    ax.set_ylim(y0, y1)
    if title:
        ax.set_title(title)
    return ax


def plot_history(history: History, axes: Any = None, label: str | None = None) -> Any:
    """Two panels: the training loss per epoch (log scale) and the accuracies per epoch."""
    import matplotlib.pyplot as plt

    if axes is None:
        _, axes = plt.subplots(1, 2, figsize=(10, 3.6))
    epochs = range(1, len(history.loss) + 1)
    prefix = f"{label}: " if label else ""
    axes[0].semilogy(epochs, history.loss, label=label or "training loss")
    axes[0].set_xlabel("epoch")
    axes[0].set_ylabel("mean training loss (log scale)")
    axes[0].set_title("Loss")
    axes[1].plot(epochs, history.train_accuracy, label=prefix + "train")
    if history.test_accuracy:
        axes[1].plot(epochs, history.test_accuracy, "--", label=prefix + "test")
    axes[1].set_xlabel("epoch")
    axes[1].set_ylabel("accuracy")
    axes[1].set_title("Accuracy")
    for ax in axes:
        ax.grid(alpha=0.3)
        ax.legend(fontsize=8)
    return axes


def training_explorer(
    model: MLP, snapshots: list[list[float]], history: History, X: Any, y: Any
) -> Any:
    """A slider over the epochs of one training run: the decision boundary and the loss curve
    as they were after that epoch. ``snapshots[e]`` holds every parameter's value after epoch
    e (``snapshots[0]``: before training); the model's own weights are left as they were."""
    import ipywidgets
    import matplotlib.pyplot as plt

    from tinyml.widgets import explore

    if len(snapshots) != len(history.loss) + 1:
        raise ValueError(
            f"need one snapshot before training and one per epoch: {len(history.loss) + 1}, "
            f"got {len(snapshots)}"
        )
    params = model.parameters()
    final = [p.value() for p in params]

    def draw(epoch: int) -> Any:
        for p, v in zip(params, snapshots[epoch], strict=True):
            p.set_value(v)
        fig, (left, right) = plt.subplots(1, 2, figsize=(9.5, 3.8))
        try:
            plot_decision_boundary(model, X, y, ax=left, title=f"after epoch {epoch}")
        finally:
            for p, v in zip(params, final, strict=True):
                p.set_value(v)
        epochs = range(1, len(history.loss) + 1)
        right.semilogy(epochs, history.loss, color="0.75", label="whole run")
        right.semilogy(epochs[:epoch], history.loss[:epoch], color="C0", label="so far")
        right.set_xlabel("epoch")
        right.set_ylabel("mean training loss (log scale)")
        right.set_title("Loss")
        right.grid(alpha=0.3)
        right.legend(fontsize=8)
        fig.tight_layout()
        return fig

    def caption(epoch: int) -> str:
        if epoch == 0:
            return "before training (epoch 0)"
        return (
            f"after epoch {epoch}: loss {history.loss[epoch - 1]:.3f}, "
            f"train accuracy {history.train_accuracy[epoch - 1]:.1%}"
        )

    slider = ipywidgets.IntSlider(
        value=len(history.loss), min=0, max=len(history.loss), description="epoch"
    )
    return explore(draw, caption=caption, epoch=slider)
