"""tinyml.optim on Tensors: the same update rules, entry by entry, as on Vars.

Each optimizer steps a Tensor and, beside it, one Var per entry, fed the same gradients; the
iterates must be equal to the last bit, since both run the same formulas on the same floats.
"""

from __future__ import annotations

import math

import numpy as np
import pytest

from tinyml.alpha import Var
from tinyml.optim import GD, Adam, Momentum, RMSProp
from tinyml.tensor import MLP, Tensor, cross_entropy

CASES = [
    (GD, {"lr": 0.1}),
    (Momentum, {"lr": 0.05, "momentum": 0.9}),
    (RMSProp, {"lr": 0.01}),
    (RMSProp, {"lr": 0.01, "eps": 0.0}),
    (Adam, {"lr": 0.1}),
    (Adam, {"lr": 0.1, "eps": 0.0}),
]


@pytest.mark.parametrize("optimizer, settings", CASES)
def test_tensor_steps_equal_scalar_steps_entry_by_entry(optimizer, settings):
    rng = np.random.default_rng(1)
    start = rng.normal(size=(2, 3))
    t = Tensor(start, requires_grad=True)
    vs = [Var(v) for v in start.ravel().tolist()]
    t_opt, v_opt = optimizer([t], **settings), optimizer(vs, **settings)
    for step in range(6):
        g = rng.normal(size=(2, 3))
        g[0, 0] = 0.0 if step < 3 else g[0, 0]  # a gradient that stays 0 for a while
        t.grad = g
        for v, gi in zip(vs, g.ravel().tolist(), strict=True):
            v.g = gi
        t_opt.step()
        v_opt.step()
        assert t.data.ravel().tolist() == [v.value() for v in vs]  # exactly equal
        assert np.isfinite(t.data).all()


def test_a_tensor_without_a_gradient_is_skipped():
    a = Tensor([1.0, 2.0], requires_grad=True)
    b = Tensor([3.0], requires_grad=True)
    opt = Adam([a, b], lr=0.1)
    (a * a).sum().backward()  # b is not used: its grad stays None
    opt.step()
    assert b.data.tolist() == [3.0] and b.grad is None
    assert a.data.tolist() == pytest.approx([0.9, 1.9])
    opt.zero_grad()
    assert a.grad is None


def test_vars_and_tensors_in_one_optimizer():
    x, t = Var(1.0), Tensor([1.0, -1.0], requires_grad=True)
    opt = GD([x, t], lr=0.1)
    (x * x).backward()
    (t * t).sum().backward()
    opt.step()
    assert x.value() == pytest.approx(0.8) and t.data.tolist() == pytest.approx([0.8, -0.8])


@pytest.mark.parametrize("optimizer", [GD, Momentum, RMSProp, Adam])
def test_a_bad_tensor_gradient_changes_nothing(optimizer):
    a = Tensor([1.0, 2.0], requires_grad=True)
    b = Tensor([[3.0, 4.0]], requires_grad=True)
    opt = optimizer([a, b], lr=0.1)
    (a * a).sum().backward()
    (b * b).sum().backward()
    opt.step()
    a.grad, b.grad = np.array([1.0, 1.0]), np.array([[1.0, math.nan]])
    state = [a.data.tolist(), b.data.tolist(), opt.steps, repr(vars(opt))]
    with pytest.raises(ValueError, match=r"params\[1\] \(a Tensor of shape \(1, 2\)\).*nan"):
        opt.step()
    assert [a.data.tolist(), b.data.tolist(), opt.steps, repr(vars(opt))] == state


def test_huge_but_finite_gradients_are_not_mistaken_for_inf():
    a = Tensor([1.0, 2.0], requires_grad=True)
    a.grad = np.array([1e200, -1e200])  # g·g overflows, yet every entry is finite
    GD([a], lr=1e-200).step()
    assert a.data.tolist() == [0.0, 3.0]


@pytest.mark.parametrize(
    "make, error, phrase",
    [
        (lambda: GD(Tensor([1.0], requires_grad=True)), TypeError, "wrap a single Tensor"),
        (lambda: GD([Tensor([1.0])]), ValueError, "requires_grad=False"),
        (lambda: GD([Tensor([1.0], requires_grad=True) * 2]), ValueError, "not a leaf"),
        (lambda: GD([np.ones(2)]), TypeError, "not a tinyml.alpha.Var"),
    ],
)
def test_bad_parameters_are_named(make, error, phrase):
    with pytest.raises(error, match=phrase):
        make()


def test_adam_trains_a_tensor_mlp_like_pytorch():
    torch = pytest.importorskip("torch")
    rng = np.random.default_rng(0)
    X, y = rng.normal(size=(16, 4)), rng.integers(0, 3, size=16)
    model = MLP(4, [8, 3], seed=0)
    ref = torch.nn.Sequential(torch.nn.Linear(4, 8), torch.nn.Tanh(), torch.nn.Linear(8, 3))
    ref = ref.double()
    with torch.no_grad():
        for p, q in zip(model.parameters(), ref.parameters(), strict=True):
            q.copy_(torch.from_numpy(p.data))
    opt, ref_opt = Adam(model.parameters(), lr=0.01), torch.optim.Adam(ref.parameters(), lr=0.01)
    for _ in range(5):
        opt.zero_grad()
        loss = cross_entropy(model(X), y)
        loss.backward()
        opt.step()
        ref_opt.zero_grad()
        ref_loss = torch.nn.functional.cross_entropy(ref(torch.from_numpy(X)), torch.from_numpy(y))
        ref_loss.backward()
        ref_opt.step()
        assert loss.item() == pytest.approx(ref_loss.item(), rel=1e-10)
    for p, q in zip(model.parameters(), ref.parameters(), strict=True):
        np.testing.assert_allclose(p.data, q.detach().numpy(), rtol=1e-9)
