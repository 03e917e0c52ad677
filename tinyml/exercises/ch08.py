"""Chapter 8 exercises: tensors — the gradients of broadcasting, matmul, the mean, and the
fused softmax + cross-entropy."""

from __future__ import annotations

import inspect
import numbers

import numpy as np

from tinyml.exercises import Incorrect, Question, call_learner


def _array(name: str, value: object, shape: tuple[int, ...]) -> np.ndarray:
    """The learner's result as a float array of the expected shape, or Incorrect."""
    if hasattr(value, "data") and not isinstance(value, np.ndarray):  # a Tensor
        value = value.data
    try:
        array = np.asarray(value, dtype=np.float64)
    except (TypeError, ValueError):
        raise Incorrect(f"{name} should be a numpy array, got {value!r}") from None
    if array.shape != shape:
        raise Incorrect(f"{name} has shape {array.shape}, but it must have shape {shape}")
    return array


def _callable(fn: object, example: str) -> None:
    if not callable(fn):
        raise Incorrect(f"pass your function itself, e.g. {example}")


# q1: the gradient of a broadcast operation ------------------------------------------------


def unbroadcast(g, shape):
    """Sum g over the axes that broadcasting stretched, so that it has the given shape."""
    extra = g.ndim - len(shape)
    g = g.sum(axis=tuple(range(extra)))  # axes numpy added in front
    stretched = tuple(i for i, n in enumerate(shape) if n == 1 and g.shape[i] != 1)
    return g.sum(axis=stretched, keepdims=True)  # axes of length 1 that were stretched


_Q1_CASES = [((3, 4), (4,)), ((3, 4), (3, 1)), ((2, 3, 4), (3, 1)), ((2, 3), (1, 1)), ((2, 3), ())]


def _check_q1(fn):
    from tinyml.tensor import Tensor

    _callable(fn, "ch08.q1.check(unbroadcast)")
    rng = np.random.default_rng(8)
    for out_shape, shape in _Q1_CASES:
        g = rng.normal(size=out_shape)
        got = _array(f"unbroadcast(g, {shape}) for g of shape {out_shape}",
                     call_learner(fn, g.copy(), shape), shape)  # fmt: skip
        b = Tensor(rng.normal(size=shape), requires_grad=True)
        ((Tensor(np.zeros(out_shape)) + b) * Tensor(g)).sum().backward()
        want = b.grad
        if np.allclose(got, want, rtol=1e-10, atol=1e-12):
            continue
        if np.allclose(got * g.size / max(want.size, 1), want, rtol=1e-10):
            raise Incorrect(
                f"for g of shape {out_shape} and shape {shape} you return the mean over the "
                "stretched axes; every stretched copy passes its whole gradient back, so sum"
            )
        raise Incorrect(
            f"for g of shape {out_shape} and shape {shape} you return {got.tolist()}, but "
            f"the gradient is {want.tolist()}: sum over the axes numpy added in front and "
            "over the axes where shape has length 1"
        )


def _mean_instead(g, shape):
    extra = g.ndim - len(shape)
    g = g.mean(axis=tuple(range(extra)))
    stretched = tuple(i for i, n in enumerate(shape) if n == 1 and g.shape[i] != 1)
    return g.mean(axis=stretched, keepdims=True)


def _only_leading(g, shape):
    return g.sum(axis=tuple(range(g.ndim - len(shape))))


q1 = Question(
    title="The gradient of a broadcast add",
    checker=_check_q1,
    hint_text="Each entry of a broadcast operand was copied to several places of the result, "
    "so its gradient is the sum of the gradients of its copies. Sum g over the axes numpy put "
    "in front, then (keepdims=True) over the axes where shape has length 1.",
    solution_text=inspect.getsource(unbroadcast),
    answer=lambda: unbroadcast,
    wrong=[
        (lambda g, shape: g, "must have shape"),
        (_mean_instead, "mean"),
        (_only_leading, "must have shape (3, 1)"),
        (lambda g, shape: np.ones(shape), "sum over the axes"),
    ],
)


# q2: the gradients of a matrix product -----------------------------------------------------


def matmul_grads(A, B, G):
    """For C = A @ B and the gradient G of the loss with respect to C: (dA, dB)."""
    return G @ B.T, A.T @ G


def _check_q2(fn):
    _callable(fn, "ch08.q2.check(matmul_grads)")
    rng = np.random.default_rng(88)
    A, B = rng.normal(size=(2, 3)), rng.normal(size=(3, 4))
    G = rng.normal(size=(2, 4))
    result = call_learner(fn, A.copy(), B.copy(), G.copy())
    if not isinstance(result, tuple | list) or len(result) != 2:
        raise Incorrect(f"matmul_grads returned {result!r}; return the pair (dA, dB)")
    dA = _array("dA", result[0], A.shape)
    dB = _array("dB", result[1], B.shape)
    want_dA, want_dB = matmul_grads(A, B, G)
    ok_A = np.allclose(dA, want_dA, rtol=1e-10)
    ok_B = np.allclose(dB, want_dB, rtol=1e-10)
    if ok_A and ok_B:
        return
    if not ok_A:
        raise Incorrect(
            "dA is wrong: C[i, j] = Σ_k A[i, k] B[k, j], so dL/dA[i, k] = Σ_j G[i, j] B[k, j], "
            "that is G @ Bᵀ (check the shapes: (2, 4) @ (4, 3) gives A's (2, 3))"
        )
    raise Incorrect(
        "dA is right but dB is wrong: dL/dB[k, j] = Σ_i A[i, k] G[i, j], that is Aᵀ @ G "
        "((3, 2) @ (2, 4) gives B's (3, 4))"
    )


q2 = Question(
    title="The gradients of a matrix product",
    checker=_check_q2,
    hint_text="Write one entry, C[i, j] = Σ_k A[i, k] B[k, j], and differentiate it with "
    "respect to A[i, k] and B[k, j]; then write the sums over the free index as matrix "
    "products. The shapes tell you where the transposes go: dA has A's shape.",
    solution_text=inspect.getsource(matmul_grads),
    answer=lambda: matmul_grads,
    wrong=[
        (lambda A, B, G: (G @ B.T, -(A.T @ G)), "dB is wrong"),
        (lambda A, B, G: (G @ B.T, G.T @ A), "must have shape (3, 4)"),
        (lambda A, B, G: (A.T @ G, G @ B.T), "must have shape"),
        (lambda A, B, G: (np.ones_like(A), A.T @ G), "dA is wrong"),
        (lambda A, B, G: G @ B.T, "pair"),
    ],
)


# q3: the gradient of a mean ----------------------------------------------------------------

_Q3_SHAPE = (4, 5)


def _check_q3(value):
    if isinstance(value, bool) or not isinstance(value, numbers.Real):
        raise Incorrect(f"give one number (every entry of x.grad is the same), got {value!r}")
    want = 1 / (_Q3_SHAPE[0] * _Q3_SHAPE[1])
    if abs(value - want) <= 1e-12:
        return
    if abs(value - 1) <= 1e-12:
        raise Incorrect("1 is the gradient of x.sum(); the mean divides the sum by the count")
    if abs(value - 1 / _Q3_SHAPE[1]) <= 1e-12 or abs(value - 1 / _Q3_SHAPE[0]) <= 1e-12:
        raise Incorrect("that is 1 over one axis's length; mean() with no axis averages all")
    raise Incorrect(f"{value!r} is not it: how many entries does x have?")


q3 = Question(
    title="The gradient of the mean",
    checker=_check_q3,
    hint_text="mean() is sum() / n, and every entry enters the sum once.",
    solution_text="x has 4 · 5 = 20 entries and loss = (x[0, 0] + … + x[3, 4]) / 20, so every "
    "entry of x.grad is 1/20 = 0.05:\n\nx = Tensor(np.ones((4, 5)), requires_grad=True)\n"
    "x.mean().backward()\nx.grad  # 0.05 everywhere",
    answer=lambda: 1 / 20,
    wrong=[(1.0, "gradient of x.sum()"), (0.2, "one axis"), (0.5, "how many entries")],
)


# q4: softmax + cross-entropy, fused and stable ---------------------------------------------


def cross_entropy_grad(z, y):
    """d/dz of the mean cross-entropy of logits z (n × k) and labels y: (softmax - onehot)/n."""
    e = np.exp(z - z.max(axis=1, keepdims=True))  # shifted: no exponential exceeds 1
    p = e / e.sum(axis=1, keepdims=True)
    p[np.arange(len(y)), y] -= 1
    return p / len(y)


def _check_q4(fn):
    _callable(fn, "ch08.q4.check(cross_entropy_grad)")
    rng = np.random.default_rng(808)
    y = np.array([0, 2, 1])
    for scale, what in ((1.0, "ordinary logits"), (1000.0, "logits of size 1000")):
        z = rng.normal(size=(3, 4)) * scale
        with np.errstate(all="ignore"):
            got = _array(f"the gradient for {what}", call_learner(fn, z.copy(), y.copy()), z.shape)
        want = cross_entropy_grad(z, y)
        if np.allclose(got, want, rtol=1e-9, atol=1e-12):
            continue
        if not np.isfinite(got).all():
            raise Incorrect(
                f"for {what} your gradient has nan or inf: e**1000 overflows. Subtract each "
                "row's largest logit before exponentiating; softmax does not change"
            )
        if np.allclose(got, want * len(y), rtol=1e-9, atol=1e-12):
            raise Incorrect("the loss is the mean over the 3 rows, so divide by n = 3")
        if np.allclose(got, want + np.eye(4)[y] / len(y), rtol=1e-9, atol=1e-12):
            raise Incorrect("that is softmax / n; subtract 1 at each row's label (the one-hot)")
        raise Incorrect(f"for {what} the gradient should be {want.round(4).tolist()}")


def _naive(z, y):
    e = np.exp(z)
    p = e / e.sum(axis=1, keepdims=True)
    p[np.arange(len(y)), y] -= 1
    return p / len(y)


q4 = Question(
    title="Softmax and cross-entropy, fused",
    checker=_check_q4,
    hint_text="The gradient of the mean cross-entropy with respect to the logits is "
    "(softmax(z) - onehot(y)) / n. Compute softmax from z minus each row's maximum, so that "
    "no exponential overflows.",
    solution_text=inspect.getsource(cross_entropy_grad),
    answer=lambda: cross_entropy_grad,
    wrong=[
        (_naive, "overflows"),
        (lambda z, y: cross_entropy_grad(z, y) * len(y), "divide by n"),
        (lambda z, y: cross_entropy_grad(z, y) + np.eye(z.shape[1])[y] / len(y), "one-hot"),
        (lambda z, y: np.zeros((2, 2)), "must have shape"),
    ],
)
