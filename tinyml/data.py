"""Small datasets generated in code (seeded, no downloads), a train/test split, and a picture.

Every generator returns ``(X, y)``: ``X`` a list of points ``[x1, x2]`` (floats) and ``y`` a
list of int class labels ``0 … k-1``, with the classes as balanced as ``n_samples`` allows
and the points in a shuffled order. The same ``seed`` gives the same data; another seed
gives other noise (and another order).
"""

from __future__ import annotations

import math
import numbers
import random
from typing import Any

from tinyml.checks import real

__all__ = ["moons", "circles", "spiral", "xor", "train_test_split", "plot_dataset"]


def _count(name: str, n: object, least: int) -> int:
    if isinstance(n, bool) or not isinstance(n, numbers.Integral):
        raise TypeError(f"{name} must be a whole number, got {n!r} of type {type(n).__name__}")
    if n < least:
        raise ValueError(f"{name} must be at least {least}, got {name}={n}")
    return int(n)


def _noise(noise: object) -> float:
    noise = real(noise, "noise")
    if noise < 0:
        raise ValueError(f"noise is a standard deviation and cannot be negative, got {noise}")
    return noise


def _split_evenly(n: int, k: int) -> list[int]:
    """n items into k groups whose sizes differ by at most one: 10, 3 -> [4, 3, 3]."""
    return [n // k + (1 if c < n % k else 0) for c in range(k)]


def _shuffled(points: list[list[float]], labels: list[int], rng: random.Random):
    order = list(range(len(points)))
    rng.shuffle(order)
    return [points[i] for i in order], [labels[i] for i in order]


def _spaced(i: int, m: int) -> float:
    """The i-th of m evenly spaced numbers from 0 to 1 (0.0 when m is 1)."""
    return i / (m - 1) if m > 1 else 0.0


def moons(
    n_samples: int = 100, noise: float = 0.1, seed: int | None = 0
) -> tuple[list[list[float]], list[int]]:
    """Two interleaving half circles: class 0 arches over class 1 (like scikit-learn's)."""
    n = _count("n_samples", n_samples, 2)
    noise = _noise(noise)
    rng = random.Random(seed)
    n_top, n_bottom = _split_evenly(n, 2)
    points, labels = [], []
    for i in range(n_top):
        t = math.pi * _spaced(i, n_top)
        points.append([math.cos(t), math.sin(t)])
        labels.append(0)
    for i in range(n_bottom):
        t = math.pi * _spaced(i, n_bottom)
        points.append([1 - math.cos(t), 0.5 - math.sin(t)])
        labels.append(1)
    points = [[x + rng.gauss(0, noise), y + rng.gauss(0, noise)] for x, y in points]
    return _shuffled(points, labels, rng)


def circles(
    n_samples: int = 100, noise: float = 0.05, factor: float = 0.5, seed: int | None = 0
) -> tuple[list[list[float]], list[int]]:
    """A ring of radius 1 (class 0) around a ring of radius ``factor`` (class 1)."""
    n = _count("n_samples", n_samples, 2)
    noise = _noise(noise)
    factor = real(factor, "factor")
    if not 0 < factor < 1:
        raise ValueError(f"factor is the inner radius and must be in (0, 1), got {factor}")
    rng = random.Random(seed)
    points, labels = [], []
    for label, (count, radius) in enumerate(zip(_split_evenly(n, 2), (1.0, factor), strict=False)):
        for i in range(count):
            t = 2 * math.pi * i / count
            points.append([radius * math.cos(t), radius * math.sin(t)])
            labels.append(label)
    points = [[x + rng.gauss(0, noise), y + rng.gauss(0, noise)] for x, y in points]
    return _shuffled(points, labels, rng)


def spiral(
    n_samples: int = 150, n_classes: int = 3, noise: float = 0.2, seed: int | None = 0
) -> tuple[list[list[float]], list[int]]:
    """``n_classes`` arms winding out from the centre, one class per arm (CS231n's spiral)."""
    k = _count("n_classes", n_classes, 2)
    n = _count("n_samples", n_samples, k)
    noise = _noise(noise)
    rng = random.Random(seed)
    points, labels = [], []
    for label, count in enumerate(_split_evenly(n, k)):
        for i in range(count):
            r = _spaced(i, count)  # radius grows from 0 to 1 along the arm
            t = 4 * (label + r) + rng.gauss(0, noise)  # each arm turns by 4 radians
            points.append([r * math.sin(t), r * math.cos(t)])
            labels.append(label)
    return _shuffled(points, labels, rng)


def xor(
    n_samples: int = 100, noise: float = 0.1, seed: int | None = 0
) -> tuple[list[list[float]], list[int]]:
    """Points in the four quadrants; class 1 where exactly one coordinate is negative."""
    n = _count("n_samples", n_samples, 2)
    noise = _noise(noise)
    rng = random.Random(seed)
    signs = [(1, 1), (-1, 1), (-1, -1), (1, -1)]  # classes 0, 1, 0, 1 in turn: balanced
    points, labels = [], []
    for i in range(n):
        sx, sy = signs[i % 4]
        x, y = sx * rng.uniform(0.1, 1.0), sy * rng.uniform(0.1, 1.0)
        points.append([x + rng.gauss(0, noise), y + rng.gauss(0, noise)])
        labels.append(i % 2)
    return _shuffled(points, labels, rng)


def train_test_split(
    X: Any, y: Any, test_size: float | int = 0.25, seed: int | None = 0
) -> tuple[Any, Any, Any, Any]:
    """Shuffle the samples (seeded) and split them: ``X_train, X_test, y_train, y_test``.

    ``test_size`` is a fraction in (0, 1) or a number of samples. Works on lists (returns
    lists) and on numpy arrays (returns arrays), like scikit-learn's function of that name.
    """
    n = len(X)
    if len(y) != n:
        raise ValueError(f"X has {n} samples but y has {len(y)} labels; give one label each")
    if n < 2:
        raise ValueError(f"need at least 2 samples to split, got {n}")
    if isinstance(test_size, bool) or not isinstance(test_size, numbers.Real):
        raise TypeError(f"test_size must be a fraction or a count, got {test_size!r}")
    if isinstance(test_size, numbers.Integral):
        n_test = int(test_size)
    elif 0 < test_size < 1:
        n_test = math.ceil(test_size * n)
    else:
        raise ValueError(f"a fractional test_size must be in (0, 1), got {test_size}")
    if not 1 <= n_test <= n - 1:
        raise ValueError(
            f"test_size={test_size} leaves {n_test} of {n} samples for testing; "
            "both the training and the test set need at least one"
        )
    order = list(range(n))
    random.Random(seed).shuffle(order)
    test, train = order[:n_test], order[n_test:]

    def take(data: Any, idx: list[int]) -> Any:
        if isinstance(data, list | tuple):
            return [data[i] for i in idx]
        return data[idx]  # numpy arrays: fancy indexing keeps the array type

    return take(X, train), take(X, test), take(y, train), take(y, test)


def plot_dataset(X: Any, y: Any, ax: Any = None, title: str | None = None) -> Any:
    """Scatter the points of a 2-D dataset, one colour and marker per class."""
    import matplotlib.pyplot as plt

    if len(X) != len(y):
        raise ValueError(f"X has {len(X)} points but y has {len(y)} labels")
    if ax is None:
        _, ax = plt.subplots(figsize=(4.5, 4))
    for i, v in enumerate(y):
        if isinstance(v, bool) or not isinstance(v, numbers.Integral) or v < 0:
            raise ValueError(f"y[{i}] is {v!r}; labels must be class numbers 0, 1, 2, …")
    markers = "os^vD"
    for c in sorted(set(int(v) for v in y)):
        xs = [p[0] for p, label in zip(X, y, strict=False) if label == c]
        ys = [p[1] for p, label in zip(X, y, strict=False) if label == c]
        ax.scatter(xs, ys, s=18, marker=markers[c % 5], color=f"C{c}", edgecolor="k",
                   linewidth=0.4, label=f"class {c}")  # fmt: skip
    ax.set_xlabel("$x_1$")
    ax.set_ylabel("$x_2$")
    ax.set_aspect("equal", adjustable="datalim")
    ax.margins(0.15)  # room at the edges, so that the legend need not cover a point
    ax.legend(fontsize=8, loc="best")
    if title:
        ax.set_title(title)
    return ax


# -- chapter 8: a real dataset, shipped inside the package ------------------------------------
__all__ += ["digits"]

DIGITS_SHA256 = "09f66e6debdee2cd2b5ae59e0d6abbb73fc2b0e0185d2e1957e9ebb51e23aa22"


def digits() -> tuple[Any, Any]:
    """The 8 × 8 handwritten digits: ``X`` (1797 × 64 floats, pixels 0–16, each image row by
    row) and ``y`` (1797 ints, 0–9), as numpy arrays.

    UCI's "Optical Recognition of Handwritten Digits" (Alpaydin and Kaynak, 1998; CC BY 4.0),
    read from ``tinyml/datasets/digits.csv.gz`` inside the package: no network needed. See
    ``tinyml/datasets/README.md`` for the source and the licence.
    """
    import gzip
    from importlib.resources import files

    import numpy as np

    packed = (files("tinyml") / "datasets" / "digits.csv.gz").read_bytes()
    text = gzip.decompress(packed).decode("ascii")  # 1797 lines: 64 pixels, then the label
    table = np.array(text.replace(",", " ").split(), dtype=np.int64).reshape(-1, 65)
    return table[:, :-1].astype(np.float64), table[:, -1]
