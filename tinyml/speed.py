"""The speed ladder: one training epoch of the same digits classifier, written four ways.

The model is ``MLP(64, [128, 10])`` with ReLU, trained on the 8 × 8 digits with
cross-entropy and Adam (lr = 0.001), in batches of 32. All four start from the same initial
weights and see the same batches in the same order, and float64 everywhere, so they compute
the same numbers (up to rounding) and only their speed differs:

- ``scalar``: chapter 7's ``tinyml.nn`` on ``tinyml.alpha`` nodes, one node per number;
- ``tensor``: ``tinyml.tensor``, one node per array operation;
- ``numpy``: the forward pass, the gradients and Adam written out by hand in numpy, with no
  graph at all: the floor for any engine built on numpy arrays;
- ``torch``: the same model in PyTorch on the CPU, on one thread (only when PyTorch is
  installed; at these sizes more threads do not help, and on a busy machine they contend).

``bench/tensors.py`` (``make bench``) and chapter 8 both measure with :func:`measure`.
"""

from __future__ import annotations

import statistics
import time
from collections.abc import Callable
from typing import Any

import numpy as np

SIZES = (64, [128, 10])
BATCH_SIZE = 32
LR = 1e-3
SEED = 0


def digits_batches(batch_size: int = BATCH_SIZE, seed: int = SEED):
    """The digits scaled to [0, 1], split 80/20 (seeded): the training set cut into shuffled
    batches ``[(X, y), …]``, and the test set ``(X_test, y_test)``."""
    from tinyml.data import digits, train_test_split

    X, y = digits()
    X_train, X_test, y_train, y_test = train_test_split(X / 16, y, test_size=0.2, seed=seed)
    order = np.random.default_rng(seed).permutation(len(X_train))
    batches = [
        (X_train[order[i : i + batch_size]], y_train[order[i : i + batch_size]])
        for i in range(0, len(order), batch_size)
    ]
    return batches, (X_test, y_test)


def initial_weights(seed: int = SEED) -> list[np.ndarray]:
    """``[W1, b1, W2, b2]`` of ``tinyml.tensor.MLP(64, [128, 10], seed=seed)``: the start for
    every rung of the ladder (``tinyml.nn.MLP`` with the same seed draws the same numbers)."""
    from tinyml.tensor import MLP

    return [p.data.copy() for p in MLP(*SIZES, activation="relu", seed=seed).parameters()]


# -- the tensor engine: the training loop as a PyTorch user writes it -----------------------
def tensor_epoch(model: Any, optimizer: Any, batches: list) -> float:
    """One epoch with ``tinyml.tensor``; returns the last batch's loss."""
    from tinyml.tensor import cross_entropy

    for x, y in batches:
        optimizer.zero_grad()
        loss = cross_entropy(model(x), y)
        loss.backward()
        optimizer.step()
    return loss.item()


def tensor_rig(weights: list[np.ndarray], batches: list):
    """``(model, optimizer, ready)`` for ``tinyml.tensor``: the MLP holding copies of
    ``weights``, its Adam, and the batches with their inputs as Tensors."""
    from tinyml.optim import Adam
    from tinyml.tensor import MLP, Tensor

    model = MLP(*SIZES, activation="relu", seed=SEED)
    for p, w in zip(model.parameters(), weights, strict=True):
        p.data = w.copy()
    return model, Adam(model.parameters(), lr=LR), [(Tensor(x), y) for x, y in batches]


def _tensor_setup(weights: list[np.ndarray], batches: list):
    model, optimizer, ready = tensor_rig(weights, batches)
    return lambda: tensor_epoch(model, optimizer, ready), lambda: [
        p.data for p in model.parameters()
    ]


# -- hand-written numpy: no graph, every derivative written out -----------------------------
class NumpyMLP:
    """MLP(64, [128, 10]) with ReLU, cross-entropy and Adam, every gradient written by hand."""

    def __init__(self, weights: list[np.ndarray]) -> None:
        self.params = [w.copy() for w in weights]  # W1, b1, W2, b2
        self.m = [np.zeros_like(w) for w in weights]
        self.v = [np.zeros_like(w) for w in weights]
        self.t = 0

    def step(self, x: np.ndarray, y: np.ndarray) -> float:
        W1, b1, W2, b2 = self.params
        h = x @ W1.T + b1  # forward
        a = np.maximum(h, 0.0)
        z = a @ W2.T + b2
        shifted = z - z.max(axis=1, keepdims=True)
        e = np.exp(shifted)
        total = e.sum(axis=1, keepdims=True)
        rows = np.arange(len(y))
        loss = -(shifted[rows, y] - np.log(total[:, 0])).mean()
        dz = e / total  # backward: softmax - onehot, over the batch size
        dz[rows, y] -= 1.0
        dz /= len(y)
        dh = (dz @ W2) * (h > 0)
        grads = [dh.T @ x, dh.sum(axis=0), dz.T @ a, dz.sum(axis=0)]
        self.adam(grads)
        return float(loss)

    def adam(self, grads: list[np.ndarray], beta1=0.9, beta2=0.999, eps=1e-8) -> None:
        self.t += 1
        for i, g in enumerate(grads):
            self.m[i] = beta1 * self.m[i] + (1 - beta1) * g
            self.v[i] = beta2 * self.v[i] + (1 - beta2) * g * g
            m_hat = self.m[i] / (1 - beta1**self.t)
            v_hat = self.v[i] / (1 - beta2**self.t)
            self.params[i] = self.params[i] - LR * m_hat / (np.sqrt(v_hat) + eps)


def numpy_epoch(net: NumpyMLP, batches: list) -> float:
    """One epoch of the hand-written network; returns the last batch's loss."""
    for x, y in batches:
        loss = net.step(x, y)
    return loss


def _numpy_setup(weights: list[np.ndarray], batches: list):
    net = NumpyMLP(weights)
    return lambda: numpy_epoch(net, batches), lambda: net.params


# -- PyTorch ---------------------------------------------------------------------------------
def torch_available() -> bool:
    try:
        import torch  # noqa: F401
    except ImportError:
        return False
    return True


def torch_rig(weights: list[np.ndarray], batches: list):
    """``(model, optimizer, ready)`` for PyTorch on one CPU thread: the same MLP in float64
    holding copies of ``weights``, its Adam, and the batches as torch tensors."""
    import torch

    torch.set_num_threads(1)  # as numpy's BLAS in bench/tensors.py: see its docstring

    model = torch.nn.Sequential(
        torch.nn.Linear(64, 128), torch.nn.ReLU(), torch.nn.Linear(128, 10)
    ).double()
    with torch.no_grad():
        for p, w in zip(model.parameters(), weights, strict=True):
            p.copy_(torch.from_numpy(w))
    optimizer = torch.optim.Adam(model.parameters(), lr=LR)
    ready = [(torch.from_numpy(x.copy()), torch.from_numpy(y.copy())) for x, y in batches]
    return model, optimizer, ready


def _torch_setup(weights: list[np.ndarray], batches: list):
    import torch

    model, optimizer, ready = torch_rig(weights, batches)

    def epoch() -> float:
        for x, y in ready:
            optimizer.zero_grad()
            loss = torch.nn.functional.cross_entropy(model(x), y)
            loss.backward()
            optimizer.step()
        return loss.item()

    return epoch, lambda: [p.detach().numpy() for p in model.parameters()]


# -- the scalar engine: one batch only (a whole epoch takes minutes) -------------------------
def scalar_step(
    weights: list[np.ndarray], batch: tuple, clock: Callable[[], float] = time.perf_counter
) -> float:
    """Seconds for one training step of ``tinyml.nn`` (chapter 7) on one batch, by ``clock``."""
    from tinyml.nn import MLP, cross_entropy
    from tinyml.optim import Adam

    model = MLP(*SIZES, activation="relu", seed=SEED)
    values = np.concatenate([w.ravel() for w in weights])
    params = model.parameters()
    for p, v in zip(params, values.tolist(), strict=True):
        p.set_value(v)
    optimizer = Adam(params, lr=LR)
    x, y = batch[0].tolist(), batch[1].tolist()
    start = clock()
    optimizer.zero_grad()
    loss = cross_entropy([model(row) for row in x], y)
    loss.backward()
    optimizer.step()
    return clock() - start


SETUPS: dict[str, Callable] = {
    "tensor": _tensor_setup,
    "numpy": _numpy_setup,
    "torch": _torch_setup,
}


def measure(
    repeats: int = 7,
    rungs: tuple[str, ...] = ("tensor", "numpy", "torch"),
    clock: Callable[[], float] = time.perf_counter,
):
    """Seconds per epoch for each rung, ``repeats`` times each, taking turns so that a busy
    machine slows all of them alike; and the final weights of each, to compare.

    Every repeat starts again from the same initial weights. ``torch`` is skipped when
    PyTorch is not installed. ``clock`` is the stopwatch: wall time by default;
    ``time.process_time`` counts only the CPU time this process used, which a busy machine
    disturbs far less.
    """
    rungs = tuple(r for r in rungs if r != "torch" or torch_available())
    batches, _ = digits_batches()
    weights = initial_weights()
    times: dict[str, list[float]] = {r: [] for r in rungs}
    finals: dict[str, list[np.ndarray]] = {}
    for k in range(repeats):
        for r in rungs[k % len(rungs) :] + rungs[: k % len(rungs)]:
            run, params = SETUPS[r](weights, batches)
            start = clock()
            run()
            times[r].append(clock() - start)
            finals[r] = [np.array(w) for w in params()]
    return times, finals


def medians(times: dict[str, list[float]]) -> dict[str, float]:
    """The median of each rung's times, in seconds."""
    return {r: statistics.median(ts) for r, ts in times.items()}
