"""tinyml.data.digits(): the shipped 8 × 8 digits, and a network that learns them."""

from __future__ import annotations

import hashlib
from pathlib import Path

import numpy as np

import tinyml
from tinyml.data import DIGITS_SHA256, digits

DATASETS = Path(tinyml.__file__).parent / "datasets"


def test_shape_labels_and_pixels():
    X, y = digits()
    assert X.shape == (1797, 64) and X.dtype == np.float64
    assert y.shape == (1797,) and y.dtype.kind == "i"
    assert set(np.unique(y).tolist()) == set(range(10))
    counts = np.bincount(y)
    assert counts.min() == 174 and counts.max() == 183  # about 180 of each digit
    assert X.min() == 0 and X.max() == 16 and (X == np.round(X)).all()
    assert y[:10].tolist() == list(range(10))  # the file starts 0, 1, 2, …, 9


def test_the_shipped_file_is_the_published_one():
    data = (DATASETS / "digits.csv.gz").read_bytes()
    assert hashlib.sha256(data).hexdigest() == DIGITS_SHA256
    readme = (DATASETS / "README.md").read_text(encoding="utf-8")
    assert DIGITS_SHA256 in readme and "CC BY 4.0" in readme and "UCI" in readme
    X, _ = digits()
    assert int(X.sum()) == 561718  # the pixel total: a second, independent fingerprint


def test_each_call_returns_fresh_arrays():
    X1, y1 = digits()
    X1[0, 0], y1[0] = 99.0, 99
    X2, y2 = digits()
    assert X2[0, 0] == 0.0 and y2[0] == 0


def test_a_tensor_mlp_learns_the_digits():
    from tinyml import speed
    from tinyml.optim import Adam
    from tinyml.tensor import MLP, Tensor, cross_entropy

    batches, (X_test, y_test) = speed.digits_batches()
    model = MLP(64, [128, 10], activation="relu", seed=0)
    opt = Adam(model.parameters(), lr=0.003)
    for _ in range(20):
        for x, y in batches:
            opt.zero_grad()
            cross_entropy(model(x), y).backward()
            opt.step()
    predicted = model(Tensor(X_test)).data.argmax(axis=1)
    assert (predicted == y_test).mean() >= 0.95


def test_the_speed_ladder_rungs_compute_the_same_epoch():
    from tinyml import speed

    times, finals = speed.measure(repeats=1, rungs=("tensor", "numpy"))
    assert set(times) == {"tensor", "numpy"}
    for a, b in zip(finals["tensor"], finals["numpy"], strict=True):
        np.testing.assert_allclose(a, b, rtol=1e-9, atol=1e-12)
    batches, _ = speed.digits_batches()
    assert len(batches) == 45 and sum(len(y) for _, y in batches) == 1437


def test_scalar_step_times_with_the_clock_it_is_given():
    from tinyml import speed

    batches, _ = speed.digits_batches()
    few = (batches[0][0][:1], batches[0][1][:1])
    ticks = iter([10.0, 12.5])
    assert speed.scalar_step(speed.initial_weights(), few, clock=lambda: next(ticks)) == 2.5
    assert speed.scalar_step(speed.initial_weights(), few) > 0
