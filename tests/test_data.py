"""tinyml.data: the generated datasets, the train/test split and the plotting helper."""

from __future__ import annotations

import math
from collections import Counter

import matplotlib

matplotlib.use("Agg")

import numpy as np  # noqa: E402
import pytest  # noqa: E402
from hypothesis import given, settings  # noqa: E402
from hypothesis import strategies as st  # noqa: E402

from tinyml import data  # noqa: E402

GENERATORS = {
    "moons": (data.moons, 2),
    "circles": (data.circles, 2),
    "xor": (data.xor, 2),
    "spiral": (data.spiral, 3),
}


@pytest.mark.parametrize("name", GENERATORS)
@pytest.mark.parametrize("n", [2 * 3, 7, 100, 151])
def test_shapes_types_and_balance(name, n):
    make, k = GENERATORS[name]
    X, y = make(n_samples=n, seed=3)
    assert isinstance(X, list) and isinstance(y, list) and len(X) == len(y) == n
    assert all(isinstance(p, list) and len(p) == 2 for p in X)
    assert all(type(v) is float and math.isfinite(v) for p in X for v in p)
    assert all(type(c) is int for c in y)
    counts = Counter(y)
    assert set(counts) == set(range(k))
    assert max(counts.values()) - min(counts.values()) <= 1


@pytest.mark.parametrize("name", GENERATORS)
def test_same_seed_same_data_other_seed_other_noise(name):
    make, _ = GENERATORS[name]
    assert make(seed=1) == make(seed=1)
    assert make(seed=1)[0] != make(seed=2)[0]


@pytest.mark.parametrize("name", GENERATORS)
def test_zero_noise_is_allowed_and_bad_arguments_are_refused(name):
    make, k = GENERATORS[name]
    X, _ = make(n_samples=12, noise=0.0, seed=0)
    assert len(X) == 12
    with pytest.raises(ValueError, match="noise"):
        make(noise=-0.1)
    with pytest.raises(TypeError, match="n_samples"):
        make(n_samples=10.5)
    with pytest.raises(ValueError, match="n_samples"):
        make(n_samples=1)


def test_moons_without_noise_lie_on_their_half_circles():
    X, y = data.moons(n_samples=40, noise=0.0)
    for (a, b), c in zip(X, y, strict=False):
        if c == 0:
            assert math.isclose(a * a + b * b, 1.0) and b >= -1e-12
        else:
            assert math.isclose((a - 1) ** 2 + (b - 0.5) ** 2, 1.0) and b <= 0.5 + 1e-12


def test_circles_radii_and_xor_quadrants():
    X, y = data.circles(n_samples=30, noise=0.0, factor=0.3)
    for (a, b), c in zip(X, y, strict=False):
        assert math.isclose(math.hypot(a, b), 1.0 if c == 0 else 0.3)
    X, y = data.xor(n_samples=40, noise=0.0)
    for (a, b), c in zip(X, y, strict=False):
        assert c == (1 if a * b < 0 else 0)
    with pytest.raises(ValueError, match="factor"):
        data.circles(factor=1.5)


def test_spiral_has_the_requested_classes():
    X, y = data.spiral(n_samples=100, n_classes=4, seed=0)
    assert sorted(Counter(y).values()) == [25, 25, 25, 25]
    with pytest.raises(ValueError, match="n_classes"):
        data.spiral(n_classes=1)
    with pytest.raises(ValueError, match="n_samples"):
        data.spiral(n_samples=2, n_classes=3)


def test_split_on_lists_is_a_seeded_partition():
    X, y = data.moons(n_samples=50, seed=0)
    X_tr, X_te, y_tr, y_te = data.train_test_split(X, y, test_size=0.2, seed=4)
    assert len(X_te) == len(y_te) == 10 and len(X_tr) == len(y_tr) == 40
    pairs = sorted(map(tuple, X_tr + X_te))
    assert pairs == sorted(map(tuple, X))
    # each point keeps its label
    label = {tuple(p): c for p, c in zip(X, y, strict=False)}
    assert all(label[tuple(p)] == c for p, c in zip(X_tr + X_te, y_tr + y_te, strict=False))
    assert data.train_test_split(X, y, test_size=0.2, seed=4) == (X_tr, X_te, y_tr, y_te)
    assert data.train_test_split(X, y, test_size=0.2, seed=5)[1] != X_te
    assert len(data.train_test_split(X, y, test_size=7)[1]) == 7


def test_split_on_numpy_arrays_returns_arrays_matching_the_list_split():
    X, y = data.spiral(n_samples=30, seed=0)
    parts_list = data.train_test_split(X, y, test_size=0.3, seed=1)
    parts_np = data.train_test_split(np.array(X), np.array(y), test_size=0.3, seed=1)
    for a, b in zip(parts_list, parts_np, strict=False):
        assert isinstance(b, np.ndarray)
        assert np.array_equal(np.array(a), b)
    images = np.arange(40 * 8 * 8).reshape(40, 8, 8)  # more than 2-D works too (digits)
    tr, te, ytr, yte = data.train_test_split(images, np.arange(40), test_size=0.25, seed=0)
    assert tr.shape == (30, 8, 8) and te.shape == (10, 8, 8)
    assert all(np.array_equal(images[c], img) for c, img in zip(yte, te, strict=False))


@pytest.mark.parametrize(
    "kwargs,error,phrase",
    [
        ({"test_size": 0}, ValueError, "at least one"),
        ({"test_size": 1.0}, ValueError, r"\(0, 1\)"),
        ({"test_size": 10}, ValueError, "at least one"),
        ({"test_size": "half"}, TypeError, "test_size"),
    ],
)
def test_split_refuses_bad_sizes(kwargs, error, phrase):
    X, y = data.moons(n_samples=10)
    with pytest.raises(error, match=phrase):
        data.train_test_split(X, y, **kwargs)


def test_split_refuses_mismatched_lengths():
    with pytest.raises(ValueError, match="3 labels"):
        data.train_test_split([[0, 0]] * 4, [0, 1, 0])


@settings(max_examples=30, deadline=None)
@given(n=st.integers(2, 60), frac=st.floats(0.01, 0.99), seed=st.integers(0, 10**6))
def test_split_sizes_add_up(n, frac, seed):
    X, y = list(range(n)), list(range(n))
    try:
        X_tr, X_te, y_tr, y_te = data.train_test_split(X, y, test_size=frac, seed=seed)
    except ValueError:
        assert math.ceil(frac * n) in (0, n)
        return
    assert X_tr == y_tr and X_te == y_te
    assert sorted(X_tr + X_te) == X and len(X_te) == math.ceil(frac * n)


def test_plot_dataset_draws_one_collection_per_class():
    import matplotlib.pyplot as plt

    X, y = data.spiral(n_samples=60, n_classes=3)
    ax = data.plot_dataset(X, y, title="spiral")
    assert len(ax.collections) == 3 and ax.get_title() == "spiral"
    plt.close(ax.figure)
