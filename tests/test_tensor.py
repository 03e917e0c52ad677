"""tinyml.tensor: every operation's gradient against central differences (hypothesis shapes,
broadcasting included), the tensor engine against chapter 7's scalar engine, the losses
against their formulas, stability, the graph's memory, and bad input."""

from __future__ import annotations

import gc
import math
import weakref

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

from tinyml import nn
from tinyml.tensor import (
    MLP,
    Linear,
    Tensor,
    binary_cross_entropy_with_logits,
    cross_entropy,
    grad_check,
    linear,
    mse_loss,
)

SETTINGS = settings(max_examples=25, deadline=None)


def arrays(shape, low=-2.0, high=2.0):
    return hnp.arrays(np.float64, shape, elements=st.floats(low, high, allow_nan=False, width=64))


def away_from_zero(shape, low=0.3, high=2.0):
    """Entries with |x| in [low, high]: denominators, kinks (relu), log's domain via abs."""
    signs = hnp.arrays(np.float64, shape, elements=st.sampled_from([-1.0, 1.0]))
    sizes = arrays(shape, low, high)
    return st.tuples(signs, sizes).map(lambda p: p[0] * p[1])


small_shapes = hnp.array_shapes(min_dims=0, max_dims=3, min_side=1, max_side=3)
pair_shapes = hnp.mutually_broadcastable_shapes(
    num_shapes=2, min_dims=0, max_dims=3, min_side=1, max_side=3
)


def check(f, *inputs, rtol=1e-5, atol=1e-7):
    result = grad_check(f, *[Tensor(x) for x in inputs], rtol=rtol, atol=atol)
    assert result, result


# -- each operation against central differences ---------------------------------------------
@SETTINGS
@given(st.data(), pair_shapes)
def test_binary_operations_broadcast_both_ways(data, shapes):
    a_shape, b_shape = shapes.input_shapes
    a = data.draw(arrays(a_shape))
    b = data.draw(arrays(b_shape))
    d = data.draw(away_from_zero(b_shape))
    weights = data.draw(arrays(shapes.result_shape))  # makes each output entry count differently
    w = Tensor(weights)
    check(lambda x, y: ((x + y) * w).sum(), a, b)
    check(lambda x, y: ((x - y) * w).sum(), a, b)
    check(lambda x, y: (x * y * w).sum(), a, b)
    check(lambda x, y: (x / y * w).sum(), a, d)


@SETTINGS
@given(st.data(), small_shapes)
def test_operations_with_plain_numbers(data, shape):
    a = data.draw(arrays(shape))
    d = data.draw(away_from_zero(shape))
    check(lambda x: (2.5 + x * 3 - 1.5).sum(), a)
    check(lambda x: (1 - x).sum() + (-x).sum(), a)
    check(lambda x: (2 / x + x / 4).sum(), d)


@SETTINGS
@given(st.data(), small_shapes)
def test_functions_of_one_entry(data, shape):
    a = data.draw(arrays(shape))
    d = data.draw(away_from_zero(shape))
    w = Tensor(data.draw(arrays(shape)))
    check(lambda x: (x.exp() * w).sum(), a)
    check(lambda x: (x.tanh() * w).sum(), a)
    check(lambda x: (x.sigmoid() * w).sum(), a)
    check(lambda x: (x.relu() * w).sum(), d)  # away from the kink at 0
    check(lambda x: (abs_(x).log() * w).sum(), d)
    check(lambda x: ((x**2) * w).sum(), a)
    check(lambda x: ((x**3) * w).sum(), a)
    check(lambda x: ((abs_(x) ** 0.5) * w).sum(), d)
    check(lambda x: ((x**-1) * w).sum(), d)


def abs_(x: Tensor) -> Tensor:
    """|x| for entries away from 0, from the operations under test: sqrt(x²)."""
    return (x * x) ** 0.5


@SETTINGS
@given(st.data(), hnp.array_shapes(min_dims=1, max_dims=3, min_side=1, max_side=3))
def test_sum_mean_with_axes(data, shape):
    a = data.draw(arrays(shape))
    axis = data.draw(st.none() | st.integers(-len(shape), len(shape) - 1))
    keepdims = data.draw(st.booleans())
    out_shape = np.sum(a, axis=axis, keepdims=keepdims).shape
    w = Tensor(data.draw(arrays(out_shape)))
    check(lambda x: (x.sum(axis=axis, keepdims=keepdims) * w).sum(), a)
    check(lambda x: (x.mean(axis=axis, keepdims=keepdims) * w).sum(), a)


@SETTINGS
@given(st.data(), hnp.array_shapes(min_dims=1, max_dims=3, min_side=1, max_side=3))
def test_reshape_and_transpose(data, shape):
    a = data.draw(arrays(shape))
    w = Tensor(data.draw(arrays(shape[::-1])))
    check(lambda x: (x.T * w).sum(), a)
    check(lambda x: (x.reshape(-1) * w.data.reshape(-1)[::-1].copy()).sum(), a)
    check(lambda x: (x.reshape((a.size, 1)) * x.reshape(1, a.size)).sum(), a)


@SETTINGS
@given(st.data(), st.integers(1, 3), st.integers(1, 3), st.integers(1, 3))
def test_matmul_of_matrices_and_vectors(data, n, k, m):
    A, B = data.draw(arrays((n, k))), data.draw(arrays((k, m)))
    u, v = data.draw(arrays((k,))), data.draw(arrays((k,)))
    W = Tensor(data.draw(arrays((n, m))))
    check(lambda a, b: (a @ b * W).sum(), A, B)
    check(lambda a, b: ((a @ b) * Tensor(np.arange(m) + 1.0)).sum(), u, B)  # (k,) @ (k, m)
    check(lambda a, b: ((a @ b) * Tensor(np.arange(n) + 1.0)).sum(), A, v)  # (n, k) @ (k,)
    check(lambda a, b: a @ b, u, v)  # a dot product: one number


@SETTINGS
@given(st.data(), st.integers(1, 4), st.integers(1, 3), st.integers(1, 3))
def test_linear_equals_its_three_nodes(data, n, k, m):
    x, W, b = data.draw(arrays((n, k))), data.draw(arrays((m, k))), data.draw(arrays((m,)))
    w = Tensor(data.draw(arrays((n, m))))
    check(lambda x, W, b: (linear(x, W, b) * w).sum(), x, W, b)
    check(lambda x, W: (linear(x, W) * w).sum(), x, W)
    fused = [Tensor(v, requires_grad=True) for v in (x, W, b)]
    plain = [Tensor(v, requires_grad=True) for v in (x, W, b)]
    out_f = linear(*fused)
    out_p = plain[0] @ plain[1].T + plain[2]
    np.testing.assert_allclose(out_f.data, out_p.data, rtol=1e-12, atol=1e-12)
    (out_f * w).sum().backward()
    (out_p * w).sum().backward()
    for f, p in zip(fused, plain, strict=True):
        np.testing.assert_allclose(f.grad, p.grad, rtol=1e-12, atol=1e-12)


@SETTINGS
@given(st.data(), st.integers(1, 4), st.integers(2, 4))
def test_losses_gradients(data, n, classes):
    z = data.draw(arrays((n, classes), -5, 5))
    labels = np.array(data.draw(st.lists(st.integers(0, classes - 1), min_size=n, max_size=n)))
    t = data.draw(arrays((n, classes), 0.1, 0.9))  # inside [0, 1] after a small nudge
    check(lambda z: cross_entropy(z, labels), z)
    check(lambda z, t: binary_cross_entropy_with_logits(z, t), z, t)
    check(lambda z, t: mse_loss(z, t), z, t)


# -- backward(): order, accumulation, sharing, memory ---------------------------------------
def test_shared_nodes_and_accumulation():
    x = Tensor([1.0, -2.0, 3.0], requires_grad=True)
    y = x * x  # used twice below: its gradient is the sum of both uses
    loss = (y + y.tanh()).sum()
    loss.backward()
    expected = 2 * x.data * (1 + (1 - np.tanh(x.data**2) ** 2))
    np.testing.assert_allclose(x.grad, expected, rtol=1e-12)
    loss.backward()  # like PyTorch, a second backward adds to .grad
    np.testing.assert_allclose(x.grad, 2 * expected, rtol=1e-12)
    x.zero_grad()
    assert x.grad is None


def test_leaves_never_share_a_gradient_array():
    x = Tensor([1.0, 2.0], requires_grad=True)
    y = Tensor([3.0, 4.0], requires_grad=True)
    (x + y).sum().backward()
    assert x.grad is not y.grad and not np.shares_memory(x.grad, y.grad)
    x.grad += 1  # changing one gradient in place leaves the other alone
    assert y.grad.tolist() == [1.0, 1.0]
    s = Tensor(2.0, requires_grad=True)
    s.sum().backward()
    s.grad += 1
    assert s.grad.shape == () and s.grad == 2.0


def test_gradient_shapes_match_data_and_constants_get_none():
    W = Tensor(np.ones((3, 2)), requires_grad=True)
    b = Tensor(np.zeros(3), requires_grad=True)
    x = Tensor([[1.0, 2.0]])
    loss = (x @ W.T + b).tanh().sum()
    loss.backward()
    assert W.grad.shape == (3, 2) and b.grad.shape == (3,) and x.grad is None
    assert W.grad.dtype == np.float64


def test_results_of_constants_record_no_graph():
    a, b = Tensor([1.0, 2.0]), Tensor([3.0, 4.0])
    c = (a * b).exp()
    assert not c.requires_grad and c._parents == ()
    with pytest.raises(ValueError, match="does not require grad"):
        c.sum().backward()


def test_a_deep_chain_needs_no_recursion():
    x = Tensor([0.5, -0.5], requires_grad=True)
    y = x
    for _ in range(20_000):
        y = y * 1.0 + 0.0
    y.sum().backward()
    assert x.grad.tolist() == [1.0, 1.0]


def test_a_dropped_graph_is_freed_at_once_without_the_cycle_collector():
    gc.collect()
    gc.disable()
    try:
        model = MLP(3, [4, 2], seed=0)
        logits = model(np.ones((5, 3)))
        loss = cross_entropy(logits, np.array([0, 1, 0, 1, 1]))
        loss.backward()
        alive = [weakref.ref(t) for t in (logits, loss)]
        del logits, loss
        assert all(ref() is None for ref in alive)  # freed by reference counting alone
        assert gc.collect() == 0  # and nothing was left for the cycle collector
    finally:
        gc.enable()


def test_leaf_backward_and_item():
    t = Tensor([[3.0]], requires_grad=True)
    t.backward()
    assert t.grad.tolist() == [[1.0]]
    assert t.item() == 3.0 and isinstance(t.item(), float)


# -- the tensor engine = chapter 7's scalar engine -----------------------------------------
def scalar_and_tensor(in_features, sizes, activation, seed=3):
    scalar = nn.MLP(in_features, sizes, activation=activation, seed=seed)
    tensor = MLP(in_features, sizes, activation=activation, seed=seed)
    return scalar, tensor


def flat_tensor_grads(model):
    return np.concatenate([p.grad.ravel() for p in model.parameters()])


@pytest.mark.parametrize("activation", ["tanh", "relu", "sigmoid"])
@pytest.mark.parametrize("loss_name", ["cross_entropy", "mse", "bce"])
def test_tensor_engine_equals_scalar_engine(activation, loss_name):
    rng = np.random.default_rng(7)
    X = rng.normal(size=(6, 3))
    out = 4 if loss_name == "cross_entropy" else 1
    scalar, tensor = scalar_and_tensor(3, [5, out], activation)
    # the same seed draws the same initial weights, in the same (PyTorch's) order
    same = [p.value() for p in scalar.parameters()]
    assert np.concatenate([p.data.ravel() for p in tensor.parameters()]).tolist() == same
    s_out = [scalar(row) for row in X.tolist()]
    t_out = tensor(X)
    np.testing.assert_allclose(t_out.data, [[v.value() for v in o] for o in s_out], rtol=1e-12)
    if loss_name == "cross_entropy":
        y = rng.integers(0, out, size=6)
        s_loss, t_loss = nn.cross_entropy(s_out, y.tolist()), cross_entropy(t_out, y)
    elif loss_name == "mse":
        y = rng.normal(size=(6, 1))
        s_loss = nn.mse_loss([o[0] for o in s_out], y[:, 0].tolist())
        t_loss = mse_loss(t_out, y)
    else:
        y = rng.integers(0, 2, size=(6, 1)).astype(float)
        s_loss = nn.binary_cross_entropy_with_logits([o[0] for o in s_out], y[:, 0].tolist())
        t_loss = binary_cross_entropy_with_logits(t_out, y)
    assert t_loss.item() == pytest.approx(s_loss.value(), rel=1e-12)
    s_loss.backward()
    t_loss.backward()
    s_grads = [p.g for p in scalar.parameters()]
    np.testing.assert_allclose(flat_tensor_grads(tensor), s_grads, rtol=1e-10, atol=1e-14)


def test_parameters_in_pytorch_order():
    model = MLP(4, [3, 2], seed=0)
    params = model.parameters()
    assert [p.shape for p in params] == [(3, 4), (3,), (2, 3), (2,)]
    first = model.layers[0]
    assert params[:2] == [first.weight, first.bias]
    assert all(p.requires_grad and p.grad is None for p in params)
    assert repr(model) == "MLP(4, [3, 2], activation='tanh'): 23 parameters"
    assert repr(Linear(4, 3)) == "Linear(in_features=4, out_features=3)"
    bound = 1 / math.sqrt(4)
    assert np.abs(first.weight.data).max() <= bound


# -- losses against their formulas, and stability --------------------------------------------
def test_losses_match_their_formulas():
    z = np.array([[2.0, -1.0, 0.5], [0.0, 3.0, -2.0]])
    y = np.array([2, 1])
    softmax = np.exp(z) / np.exp(z).sum(axis=1, keepdims=True)
    expected = -np.mean(np.log(softmax[[0, 1], y]))
    assert cross_entropy(Tensor(z), y).item() == pytest.approx(expected, rel=1e-12)
    t = np.array([[1.0, 0.0, 1.0], [0.0, 0.0, 1.0]])
    s = 1 / (1 + np.exp(-z))
    bce = -np.mean(t * np.log(s) + (1 - t) * np.log(1 - s))
    assert binary_cross_entropy_with_logits(Tensor(z), t).item() == pytest.approx(bce, rel=1e-12)
    assert mse_loss(Tensor(z), t).item() == pytest.approx(np.mean((z - t) ** 2), rel=1e-12)
    # the gradient of the fused cross-entropy is (softmax - onehot) / n
    logits = Tensor(z, requires_grad=True)
    cross_entropy(logits, y).backward()
    onehot = np.eye(3)[y]
    np.testing.assert_allclose(logits.grad, (softmax - onehot) / 2, rtol=1e-12)


def test_losses_are_stable_at_large_logits():
    z = Tensor([[1000.0, 0.0, -1000.0], [-1000.0, 1000.0, 0.0]], requires_grad=True)
    loss = cross_entropy(z, np.array([0, 0]))
    assert loss.item() == pytest.approx((0.0 + 2000.0) / 2)
    loss.backward()
    assert np.isfinite(z.grad).all()
    np.testing.assert_allclose(z.grad, [[0, 0, 0], [-0.5, 0.5, 0]], atol=1e-12)
    big = Tensor([[1000.0], [-1000.0]], requires_grad=True)
    bce = binary_cross_entropy_with_logits(big, np.array([[0.0], [0.0]]))
    assert bce.item() == pytest.approx(500.0)
    bce.backward()
    np.testing.assert_allclose(big.grad, [[0.5], [0.0]], atol=1e-12)
    # sigmoid and its gradient at ±1000: no overflow, no nan
    s = Tensor([-1000.0, 0.0, 1000.0], requires_grad=True)
    out = s.sigmoid()
    out.sum().backward()
    assert out.data.tolist() == [0.0, 0.5, 1.0] and np.isfinite(s.grad).all()


def ones(*shape: int) -> Tensor:
    return Tensor(np.ones(shape))


# -- what a Tensor accepts, and the errors ---------------------------------------------------
def test_construction():
    assert Tensor(3).data.dtype == np.float64 and Tensor(3).shape == ()
    assert Tensor([[1, 2], [3, 4]]).data.dtype == np.float64  # integer literals are fine
    assert Tensor(np.ones(3, dtype=np.float32)).data.dtype == np.float64
    t = Tensor([[1.0, 2.0, 3.0]])
    assert t.shape == (1, 3) and t.ndim == 2 and t.T.shape == (3, 1)
    assert t.numpy() is t.data
    assert repr(t) == "Tensor([[1., 2., 3.]])"
    assert repr(Tensor([1.5], requires_grad=True)) == "Tensor([1.5], requires_grad=True)"
    assert repr(Tensor([1.0], requires_grad=True) * 2) == "Tensor([2.], grad_fn=mul_backward)"
    np.testing.assert_array_equal((np.ones(2) + Tensor([1.0, 2.0])).data, [2.0, 3.0])


@pytest.mark.parametrize(
    "make, error, phrase",
    [
        (lambda: Tensor(np.arange(3)), TypeError, "dtype int64.*astype"),
        (lambda: Tensor(np.array([True])), TypeError, "floating-point"),
        (lambda: Tensor(np.array([1, "a"], dtype=object)), TypeError, "dtype object"),
        (lambda: Tensor([[1.0, 2.0], [3.0]]), ValueError, "different lengths"),
        (lambda: Tensor(["a"]), TypeError, "dtype"),
        (lambda: Tensor(None), TypeError, "holds numbers"),
        (lambda: Tensor(True), TypeError, "holds numbers"),
        (lambda: Tensor([1.0, math.nan]), ValueError, r"finite.*index \(1,\) is nan"),
        (lambda: Tensor(np.array([[0, math.inf]])), ValueError, r"index \(0, 1\) is inf"),
        (lambda: Tensor([1.0], requires_grad=1), TypeError, "True or False"),
        (lambda: ones(2, 3) @ ones(2, 3), ValueError, r"\(2, 3\) and \(2, 3\)"),
        (lambda: ones(2, 2, 2) @ ones(2), ValueError, "1-D or 2-D"),
        (lambda: Tensor([1.0, 2.0], requires_grad=True).backward(), ValueError, r"one el.*\(2,\)"),
        (lambda: Tensor([1.0]) + [1.0], TypeError, "cannot combine"),
        (lambda: Tensor([1.0]) + "a", TypeError, "cannot combine"),
        (lambda: Tensor([1.0]) / Tensor([0.0]), ValueError, "division by zero"),
        (lambda: Tensor([0.0, 1.0]).log(), ValueError, "positive"),
        (lambda: Tensor([800.0]).exp(), ValueError, "overflows"),
        (lambda: Tensor([-1.0]) ** 0.5, ValueError, "not a real number"),
        (lambda: Tensor([0.0]) ** -1, ValueError, "keep the base away from 0"),
        (lambda: Tensor([2.0]) ** Tensor([2.0]), TypeError, "constant exponent"),
        (lambda: 2 ** Tensor([2.0]), TypeError, "non-constant exponent"),
        (lambda: Tensor([1.0, 2.0]).item(), ValueError, "one element"),
        (lambda: cross_entropy(ones(2, 3), np.array([0, 3])), ValueError, "0 … 2"),
        (lambda: cross_entropy(ones(2, 3), np.array([0, -1])), ValueError, "out of range"),
        (lambda: cross_entropy(ones(2, 3), np.array([0.0, 1.0])), TypeError, "ints"),
        (lambda: cross_entropy(ones(2, 3), np.array([0])), ValueError, "2 labels"),
        (lambda: cross_entropy(ones(3), np.array([0])), ValueError, r"shape \(n, classes\)"),
        (lambda: cross_entropy(np.ones((2, 3)), np.array([0, 1])), TypeError, "Tensor"),
        (lambda: mse_loss(ones(2, 1), np.ones(2)), ValueError, r"\(2, 1\).*\(2,\)"),
        (lambda: binary_cross_entropy_with_logits(ones(1), np.array([2.0])), ValueError, "0 or 1"),
        (lambda: linear(ones(2, 3), ones(4, 2)), ValueError, r"\(2, 3\) and \(4, 2\)"),
        (lambda: MLP(3, 4), TypeError, "list of layer widths"),
        (lambda: MLP(3, [4], activation="softmax"), ValueError, "activation"),
        (lambda: Linear(0, 3), ValueError, "at least 1"),
        (lambda: MLP(3, [4, 2])(np.ones((2, 5))), ValueError, r"\(2, 5\) and \(4, 3\)"),
    ],
)  # fmt: skip
def test_bad_input_is_named(make, error, phrase):
    with pytest.raises(error, match=phrase):
        make()


# -- PyTorch, when it is installed -------------------------------------------------------------
def test_gradients_equal_pytorchs():
    torch = pytest.importorskip("torch")
    rng = np.random.default_rng(0)
    model = MLP(5, [7, 3], activation="tanh", seed=0)
    ref = torch.nn.Sequential(torch.nn.Linear(5, 7), torch.nn.Tanh(), torch.nn.Linear(7, 3))
    ref = ref.double()
    with torch.no_grad():
        for p, q in zip(model.parameters(), ref.parameters(), strict=True):
            q.copy_(torch.from_numpy(p.data))
    X, y = rng.normal(size=(8, 5)), rng.integers(0, 3, size=8)
    loss = cross_entropy(model(X), y)
    loss.backward()
    ref_loss = torch.nn.functional.cross_entropy(ref(torch.from_numpy(X)), torch.from_numpy(y))
    ref_loss.backward()
    assert loss.item() == pytest.approx(ref_loss.item(), rel=1e-12)
    for p, q in zip(model.parameters(), ref.parameters(), strict=True):
        np.testing.assert_allclose(p.grad, q.grad.numpy(), rtol=1e-10, atol=1e-14)
    # broadcasting in both directions, and the binary loss
    a = Tensor(rng.normal(size=(3, 1)), requires_grad=True)
    b = Tensor(rng.normal(size=(1, 4)), requires_grad=True)
    ta = torch.tensor(a.data, requires_grad=True)
    tb = torch.tensor(b.data, requires_grad=True)
    target = rng.integers(0, 2, size=(3, 4)).astype(float)
    binary_cross_entropy_with_logits(a * b + a, target).backward()
    bce = torch.nn.functional.binary_cross_entropy_with_logits
    bce(ta * tb + ta, torch.from_numpy(target)).backward()
    np.testing.assert_allclose(a.grad, ta.grad.numpy(), rtol=1e-10)
    np.testing.assert_allclose(b.grad, tb.grad.numpy(), rtol=1e-10)
