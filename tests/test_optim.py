"""tinyml.optim: iterates against values computed by hand, convergence, and bad input.

The reference values below were worked out by hand from the update rules in the docstrings
(which are PyTorch's), on the loss x² starting from x = 1, so the gradient is g = 2x. The
arithmetic is written out beside each value; PyTorch itself is not needed to run these.
"""

from __future__ import annotations

import math

import pytest

from tinyml import beta
from tinyml.alpha import Var
from tinyml.optim import GD, Adam, Momentum, Optimizer, RMSProp


def iterates(optimizer: type, steps: int = 3, x0: float = 1.0, **settings) -> list[float]:
    """x after each of the first steps of minimising x² from x0."""
    x = Var(x0, name="x")
    opt = optimizer([x], **settings)
    seen = []
    for _ in range(steps):
        opt.zero_grad()
        (x * x).backward()
        opt.step()
        seen.append(x.value())
    return seen


def test_gd_by_hand():
    # x ← x - 0.1·2x = 0.8x: 0.8, 0.64, 0.512
    assert iterates(GD, lr=0.1) == pytest.approx([0.8, 0.64, 0.512], rel=1e-12)


def test_momentum_by_hand():
    # b1 = 2,                 x1 = 1 - 0.1·2     = 0.8
    # b2 = 0.9·2 + 1.6 = 3.4,  x2 = 0.8 - 0.1·3.4  = 0.46
    # b3 = 0.9·3.4 + 0.92 = 3.98, x3 = 0.46 - 0.398 = 0.062
    got = iterates(Momentum, lr=0.1, momentum=0.9)
    assert got == pytest.approx([0.8, 0.46, 0.062], rel=1e-12)


def test_momentum_zero_is_plain_gd():
    assert iterates(Momentum, 5, lr=0.1, momentum=0.0) == iterates(GD, 5, lr=0.1)


def test_rmsprop_by_hand():
    # defaults alpha = 0.99, lr = 0.01; eps = 0 so the numbers are exact enough to write down
    # v1 = 0.01·4 = 0.04,                    x1 = 1 - 0.01·2/0.2 = 0.9
    # v2 = 0.99·0.04 + 0.01·1.8² = 0.072,    x2 = 0.9 - 0.01·1.8/√0.072 = 0.8329179607
    # v3 = 0.99·0.072 + 0.01·1.6658359213² = 0.0990300932,
    #                                        x3 = x2 - 0.01·1.6658359213/0.3146904086
    #                                           = 0.7799822645
    got = iterates(RMSProp, eps=0.0)
    assert got == pytest.approx([0.9, 0.8329179607, 0.7799822645], rel=1e-9)
    # the default eps = 1e-8 sits outside the root and changes these only in the 8th digit
    assert iterates(RMSProp) == pytest.approx(got, rel=1e-7)


def test_adam_by_hand():
    # lr = 0.1, betas = (0.9, 0.999), eps = 0
    # t=1: m = 0.2, v = 0.004; m̂ = 0.2/0.1 = 2, v̂ = 0.004/0.001 = 4; x1 = 1 - 0.1·2/2 = 0.9
    # t=2: g = 1.8; m = 0.18 + 0.18 = 0.36, v = 0.003996 + 0.00324 = 0.007236;
    #      m̂ = 0.36/0.19 = 1.8947368421, v̂ = 0.007236/0.001999 = 3.6198099050;
    #      x2 = 0.9 - 0.1·1.8947368421/1.9025797815 = 0.8004122277
    # t=3: g = 1.6008244553; m = 0.4840824455, v = 0.0097914029;
    #      m̂ = m/0.271 = 1.7862820868, v̂ = v/0.002997001 = 3.2670669569;
    #      x3 = x2 - 0.1·1.7862820868/1.8075030863 = 0.7015862714
    got = iterates(Adam, lr=0.1, eps=0.0)
    assert got == pytest.approx([0.9, 0.8004122277, 0.7015862714], rel=1e-9)
    assert iterates(Adam, lr=0.1) == pytest.approx(got, rel=1e-7)


def test_rmsprop_eps_is_added_outside_the_root():
    # eps = 0.1 is large enough to change the first digits. Defaults lr = 0.01, alpha = 0.99.
    # t=1: g = 2, v = 0.01·4 = 0.04, √v = 0.2, √v + eps = 0.3; x1 = 1 - 0.01·2/0.3
    #      = 0.9333333333 (no eps: 0.9; eps inside the root, √0.14 = 0.3742: 0.9465)
    # t=2: g = 1.8666666667, v = 0.99·0.04 + 0.01·1.8666666667² = 0.0744444444,
    #      √v + eps = 0.2728450924 + 0.1 = 0.3728450924;
    #      x2 = 0.9333333333 - 0.01·1.8666666667/0.3728450924 = 0.8832678583
    got = iterates(RMSProp, 2, eps=0.1)
    assert got == pytest.approx([0.9333333333, 0.8832678583], rel=1e-9)


def test_rmsprop_eps_matters_for_a_tiny_gradient():
    # g = 1e-8 with the default eps = 1e-8: v = 0.01·1e-16 = 1e-18, √v = 1e-9,
    # step = 0.01·1e-8/(1e-9 + 1e-8) = 0.01/1.1 = 0.0090909091
    # (no eps: 0.01·1e-8/1e-9 = 0.1; eps inside the root: 0.01·1e-8/√(1e-8) = 1e-6)
    x = Var(1.0)
    x.g = 1e-8
    RMSProp([x]).step()
    assert x.value() == pytest.approx(1 - 0.01 / 1.1, rel=1e-12)


def test_adam_eps_is_added_outside_the_corrected_root():
    # lr = 0.1, betas = (0.9, 0.999), eps = 0.1
    # t=1: g = 2, m = 0.2, v = 0.004; m̂ = 2, v̂ = 4, √v̂ + eps = 2.1;
    #      x1 = 1 - 0.1·2/2.1 = 0.9047619048
    #      (no eps: 0.9; eps inside the root, √4.1: 0.9012270; TensorFlow's ε-hat,
    #      lr·√(1 - β2)/(1 - β1) · m/(√v + eps) = 0.0316228·0.2/0.1632456: 0.9612574)
    # t=2: g = 1.8095238095; m = 0.18 + 0.1809523810 = 0.3609523810,
    #      v = 0.003996 + 0.0032743764 = 0.0072703764; m̂ = m/0.19 = 1.8997493734,
    #      v̂ = v/0.001999 = 3.6370067120, √v̂ + eps = 1.9070937869 + 0.1 = 2.0070937869;
    #      x2 = 0.9047619048 - 0.1·1.8997493734/2.0070937869 = 0.8101101558
    got = iterates(Adam, 2, lr=0.1, eps=0.1)
    assert got == pytest.approx([0.9047619048, 0.8101101558], rel=1e-9)


def test_adam_eps_matters_for_a_tiny_gradient():
    # g = 1e-8 with the defaults lr = 0.001, eps = 1e-8: m = 1e-9, v = 0.001·1e-16 = 1e-19;
    # m̂ = 1e-9/0.1 = 1e-8, v̂ = 1e-19/0.001 = 1e-16, √v̂ = 1e-8;
    # step = 0.001·1e-8/(1e-8 + 1e-8) = 0.0005
    # (no eps: 0.001; eps inside the root: 0.001·1e-8/√(1e-16 + 1e-8) ≈ 1e-7;
    # TensorFlow's ε-hat: 0.001·√0.001/0.1 · 1e-9/(√1e-19 + 1e-8) ≈ 3.07e-5)
    x = Var(1.0)
    x.g = 1e-8
    Adam([x]).step()
    assert x.value() == pytest.approx(1 - 0.0005, rel=1e-12)


@pytest.mark.parametrize("optimizer", [RMSProp, Adam])
def test_eps_zero_and_a_zero_gradient_make_no_step(optimizer):
    # With eps = 0, a parameter whose gradients have all been 0 has v = 0, so its step would
    # be 0/0; it stays put (PyTorch would give nan), and the other parameter still moves.
    x, y = Var(1.0), Var(2.0)
    opt = optimizer([x, y], lr=0.1, eps=0.0)
    for _ in range(2):
        opt.zero_grad()
        (x * x).backward()  # y's gradient is 0
        opt.step()
    assert y.value() == 2.0 and x.value() < 1.0
    opt.zero_grad()
    (y * y).backward()  # now y has a gradient and moves
    opt.step()
    assert y.value() < 2.0 and math.isfinite(y.value())


def test_first_steps_ignore_the_gradients_size():
    # Bias correction makes Adam's first step exactly lr·sign(g) (with eps = 0) for every
    # parameter; RMSProp's first step is lr·sign(g)/√(1 - alpha). Plain GD scales with g.
    for optimizer, move in [(Adam, 0.1), (RMSProp, 0.1 / math.sqrt(0.01))]:
        x, y = Var(1.0), Var(-1.0)
        opt = optimizer([x, y], lr=0.1, eps=0.0)
        (x * x + 1000 * (y * y)).backward()
        opt.step()
        assert [x.value(), y.value()] == pytest.approx([1 - move, -1 + move], rel=1e-12)


def test_state_is_kept_per_parameter():
    x, y = Var(1.0), Var(1.0)
    opt = Momentum([x, y], lr=0.1)
    for _ in range(3):
        opt.zero_grad()
        (x * x + y).backward()  # y's gradient is always 1, x's shrinks
        opt.step()
    assert x.value() == pytest.approx(0.062)
    assert y.value() == pytest.approx(1 - 0.1 * (1 + 1.9 + 2.71))  # b = 1, 1.9, 2.71


@pytest.mark.parametrize(
    "optimizer, settings",
    [
        (GD, {"lr": 0.05}),
        (Momentum, {"lr": 0.02, "momentum": 0.9}),
        (RMSProp, {"lr": 0.01}),
        (Adam, {"lr": 0.05}),
    ],
)
def test_each_optimizer_minimises_a_convex_quadratic(optimizer, settings):
    x, y = Var(3.0), Var(-2.0)
    opt = optimizer([x, y], **settings)
    losses = []
    for _ in range(500):
        opt.zero_grad()
        loss = (x - 1) * (x - 1) + 10 * (y * y) + 0.5 * (x * y)
        loss.backward()
        losses.append(loss.value())
        opt.step()
    assert losses[-1] < 1e-3 * losses[0]
    assert losses[-1] < min(losses[:10])
    # the minimum: 2(x - 1) + 0.5y = 0 and 20y + 0.5x = 0, so x = 160/159, y = -4/159
    assert [x.value(), y.value()] == pytest.approx([160 / 159, -4 / 159], abs=0.05)


def test_zero_grad_clears_and_step_does_not():
    x = Var(2.0)
    opt = GD([x], lr=0.1)
    (x * x).backward()
    (x * x).backward()  # without zero_grad, gradients add up, as in PyTorch
    assert x.g == 8.0
    opt.step()
    assert x.value() == pytest.approx(2.0 - 0.8)
    assert x.g == 8.0  # step reads g; clearing it is zero_grad's job
    opt.zero_grad()
    assert x.g == 0.0


def test_repr_lists_settings():
    x = Var(1.0)
    assert repr(Adam([x])) == "Adam(1 parameter, lr=0.001, betas=(0.9, 0.999), eps=1e-08)"
    assert repr(RMSProp([x])) == "RMSProp(1 parameter, lr=0.01, alpha=0.99, eps=1e-08)"
    assert repr(Momentum([x])) == "Momentum(1 parameter, lr=0.001, momentum=0.9)"
    assert repr(GD([x], lr=0.5)) == "GD(1 parameter, lr=0.5)"


def test_base_class_has_no_update_rule():
    opt = Optimizer([Var(1.0)], lr=0.1)
    with pytest.raises(NotImplementedError):
        opt.step()


# -- bad input ---------------------------------------------------------------------------
x0 = Var(1.0, name="x")


@pytest.mark.parametrize(
    "make, error, phrase",
    [
        (lambda: GD([]), ValueError, "empty list of parameters"),
        (lambda: GD(iter([])), ValueError, "empty list of parameters"),
        (lambda: GD(x0), TypeError, "wrap a single Var in a list"),
        (lambda: GD(3.0), TypeError, "must be a list of Vars"),
        (lambda: GD([1.0]), TypeError, "not a tinyml.alpha.Var"),
        (lambda: GD([beta.Var(1.0)]), TypeError, "tinyml.beta.Var"),
        (lambda: GD([x0 + 1]), TypeError, "not a tinyml.alpha.Var"),
        (lambda: GD([[x0]]), TypeError, "flatten"),
        (lambda: GD([x0, x0]), ValueError, "appears twice"),
        (lambda: GD([x0], lr=0), ValueError, "lr must be a positive number"),
        (lambda: GD([x0], lr=-0.1), ValueError, "lr must be a positive number"),
        (lambda: GD([x0], lr=math.nan), ValueError, "lr must be finite"),
        (lambda: GD([x0], lr=math.inf), ValueError, "lr must be finite"),
        (lambda: GD([x0], lr="0.1"), TypeError, "lr must be a real number, got '0.1' of type str"),
        (lambda: GD([x0], lr=True), TypeError, "lr must be a real number"),
        (lambda: Momentum([x0], momentum=1.0), ValueError, r"momentum must be in \[0, 1\)"),
        (lambda: Momentum([x0], momentum=-0.5), ValueError, "momentum must be in"),
        (lambda: RMSProp([x0], alpha=1.5), ValueError, "alpha must be in"),
        (lambda: RMSProp([x0], eps=-1e-8), ValueError, "eps must be zero or positive"),
        (lambda: Adam([x0], betas=(0.9, 1.0)), ValueError, "beta2 must be in"),
        (lambda: Adam([x0], betas=(-0.1, 0.999)), ValueError, "beta1 must be in"),
        (lambda: Adam([x0], betas=0.9), TypeError, "pair"),
        (lambda: Adam([x0], betas=(0.9, None)), TypeError, "beta2 must be a real number"),
        (lambda: Adam([x0], betas=(math.nan, 0.999)), ValueError, "beta1 must be finite"),
        (lambda: RMSProp([x0], eps="1e-8"), TypeError, "eps must be a real number"),
        (lambda: RMSProp([x0], eps=math.inf), ValueError, "eps must be finite"),
        (lambda: Adam([x0], eps=-1.0), ValueError, "eps must be zero or positive"),
    ],
)
def test_bad_input_is_named(make, error, phrase):
    with pytest.raises(error, match=phrase):
        make()


def test_non_finite_gradient_stops_with_advice():
    x = Var(1.0)
    opt = GD([x], lr=0.1)
    x.g = math.inf
    with pytest.raises(ValueError, match="smaller lr"):
        opt.step()
    assert x.value() == 1.0


@pytest.mark.parametrize("optimizer", [GD, Momentum, RMSProp, Adam])
def test_a_bad_gradient_in_a_later_parameter_changes_nothing(optimizer):
    x, y = Var(1.0), Var(2.0)
    opt = optimizer([x, y], lr=0.1)
    (x * x + y * y).backward()
    opt.step()  # one good step, so the running averages are not all zero
    opt.zero_grad()
    x.g, y.g = 1.0, math.nan  # x's gradient is fine; y's is not
    state = [x.value(), y.value(), opt.steps, repr(vars(opt))]  # values, buffers and steps
    with pytest.raises(ValueError, match=r"params\[1\]"):
        opt.step()
    assert [x.value(), y.value(), opt.steps, repr(vars(opt))] == state
