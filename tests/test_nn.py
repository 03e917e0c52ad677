"""tinyml.nn: layers, parameter order, forward values, losses and their gradients."""

from __future__ import annotations

import math

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from tinyml.alpha import Const, Var
from tinyml.nn import (
    MLP,
    Linear,
    Module,
    binary_cross_entropy_with_logits,
    cross_entropy,
    mse_loss,
)
from tinyml.numeric import grad_check


def values(nodes):
    return [n.value() for n in nodes]


def set_params(model, numbers):
    for p, v in zip(model.parameters(), numbers, strict=True):
        p.set_value(v)


# -- Linear and MLP ------------------------------------------------------------------------


def test_linear_shapes_init_range_and_seed():
    layer = Linear(4, 3, seed=0)
    assert len(layer.weight) == 3 and all(len(row) == 4 for row in layer.weight)
    assert len(layer.bias) == 3
    assert all(isinstance(p, Var) for p in layer.parameters())
    assert all(abs(p.value()) <= 0.5 for p in layer.parameters())  # 1/sqrt(4)
    assert values(Linear(4, 3, seed=0).parameters()) == values(layer.parameters())
    assert values(Linear(4, 3, seed=1).parameters()) != values(layer.parameters())
    wide = Linear(100, 50, seed=0).parameters()
    bound = 1 / math.sqrt(100)
    assert max(abs(p.value()) for p in wide) <= bound
    assert max(abs(p.value()) for p in wide) > 0.9 * bound  # really uses the whole range


def test_linear_parameters_are_weight_rows_then_bias():
    layer = Linear(2, 3, seed=0)
    w, b = layer.weight, layer.bias
    assert layer.parameters() == [w[0][0], w[0][1], w[1][0], w[1][1], w[2][0], w[2][1], *b]
    assert len(layer.parameters()) == 2 * 3 + 3


def test_linear_forward_by_hand():
    layer = Linear(2, 2)
    set_params(layer, [1.0, 2.0, -3.0, 0.5, 10.0, -1.0])  # W = [[1, 2], [-3, 0.5]], b
    assert values(layer([4.0, -1.0])) == [1 * 4 + 2 * -1 + 10, -3 * 4 + 0.5 * -1 - 1]
    x = [Var(4.0), Var(-1.0)]
    out = layer(x)
    out[0].backward()
    assert [x[0].g, x[1].g] == [1.0, 2.0]
    assert [p.g for p in layer.parameters()] == [4.0, -1.0, 0, 0, 1.0, 0]


def test_mlp_layers_parameter_count_and_order():
    model = MLP(2, [16, 16, 1], seed=0)
    assert [(layer.in_features, layer.out_features) for layer in model.layers] == [
        (2, 16),
        (16, 16),
        (16, 1),
    ]
    assert len(model.parameters()) == (2 * 16 + 16) + (16 * 16 + 16) + (16 + 1) == 337
    expected = []
    for layer in model.layers:
        expected += [w for row in layer.weight for w in row] + layer.bias
    assert model.parameters() == expected
    assert len({id(p) for p in model.parameters()}) == 337
    assert "337 parameters" in repr(model)


def test_mlp_seeding_gives_each_layer_its_own_draw():
    a, b = MLP(3, [3, 3], seed=5), MLP(3, [3, 3], seed=5)
    assert values(a.parameters()) == values(b.parameters())
    assert values(a.layers[0].parameters()) != values(a.layers[1].parameters())
    assert values(MLP(3, [3, 3], seed=6).parameters()) != values(a.parameters())


@pytest.mark.parametrize(
    "activation,f",
    [
        ("tanh", math.tanh),
        ("relu", lambda v: max(v, 0.0)),
        ("sigmoid", lambda v: 1 / (1 + math.exp(-v))),
    ],
)
def test_mlp_forward_by_hand(activation, f):
    model = MLP(2, [2, 1], activation=activation)
    # hidden: W1 = [[0.5, -1], [2, 0.25]], b1 = [0.1, -0.2]; out: W2 = [[1.5, -2]], b2 = [0.3]
    set_params(model, [0.5, -1.0, 2.0, 0.25, 0.1, -0.2, 1.5, -2.0, 0.3])
    x1, x2 = 0.7, -0.4
    h1 = f(0.5 * x1 - 1.0 * x2 + 0.1)
    h2 = f(2.0 * x1 + 0.25 * x2 - 0.2)
    (out,) = model([x1, x2])
    assert math.isclose(out.value(), 1.5 * h1 - 2.0 * h2 + 0.3, rel_tol=1e-12)


def test_mlp_gradients_match_central_differences():
    model = MLP(3, [4, 2], activation="tanh", seed=1)
    x = [0.3, -1.2, 0.8]
    params = model.parameters()

    def f(*numbers):
        set_params(model, numbers)
        out = model(x)
        return out[0].value() * 2 - out[1].value() ** 2

    start = values(params)
    out = model(x)
    (out[0] * 2 - out[1] * out[1]).backward()
    grads = [p.g for p in params]
    assert grad_check(f, start, grads)


def test_module_zero_grad_clears_every_parameter():
    model = MLP(2, [3, 1], seed=0)
    model([1.0, 2.0])[0].backward()
    assert any(p.g != 0 for p in model.parameters())
    model.zero_grad()
    assert all(p.g == 0 for p in model.parameters())
    assert Module().parameters() == []
    with pytest.raises(NotImplementedError):
        Module()([1.0])


@pytest.mark.parametrize(
    "make,error,phrase",
    [
        (lambda: Linear(0, 3), ValueError, "in_features"),
        (lambda: Linear(2, -1), ValueError, "out_features"),
        (lambda: Linear(2.0, 3), TypeError, "in_features"),
        (lambda: MLP(2, []), TypeError, "sizes"),
        (lambda: MLP(2, 4), TypeError, "sizes"),
        (lambda: MLP(2, [4, 0]), ValueError, r"sizes\[1\]"),
        (lambda: MLP(0, [4]), ValueError, "in_features"),
        (lambda: MLP(2, [4], activation="softmax"), ValueError, "activation"),
    ],
)
def test_bad_sizes_are_refused(make, error, phrase):
    with pytest.raises(error, match=phrase):
        make()


def test_wrong_input_length_names_in_features():
    with pytest.raises(ValueError, match=r"in_features=2.*3 entries"):
        Linear(2, 1)([1.0, 2.0, 3.0])
    with pytest.raises(ValueError, match="in_features=2"):
        MLP(2, [3, 1])([1.0])
    with pytest.raises(TypeError, match="one sample"):
        Linear(2, 1)(5.0)
    with pytest.raises(TypeError):
        Linear(2, 1)(["a", "b"])


# -- losses --------------------------------------------------------------------------------


def test_mse_loss_value_and_gradient():
    pred = [Var(1.0), Var(-2.0), Var(0.5)]
    target = [0.0, -1.0, 2.0]
    loss = mse_loss(pred, target)
    assert math.isclose(loss.value(), (1 + 1 + 2.25) / 3)
    loss.backward()
    assert [p.g for p in pred] == pytest.approx([2 * 1 / 3, 2 * -1 / 3, 2 * -1.5 / 3])


def bce_formula(z, t):
    s = 1 / (1 + math.exp(-z))
    return -(t * math.log(s) + (1 - t) * math.log(1 - s))


def test_bce_with_logits_value_matches_the_textbook_formula():
    zs, ts = [0.0, 2.5, -1.3, 7.0], [1, 0, 0, 1]
    want = sum(bce_formula(z, t) for z, t in zip(zs, ts, strict=False)) / 4
    assert math.isclose(binary_cross_entropy_with_logits(zs, ts).value(), want, rel_tol=1e-12)
    assert math.isclose(
        binary_cross_entropy_with_logits([Var(z) for z in zs], ts).value(), want, rel_tol=1e-12
    )


def test_bce_gradient_is_sigmoid_minus_target_over_n():
    zs, ts = [Var(0.0), Var(3.0), Var(-2.0)], [1, 1, 0]
    binary_cross_entropy_with_logits(zs, ts).backward()
    for z, t in zip(zs, ts, strict=False):
        s = 1 / (1 + math.exp(-z.value()))
        assert math.isclose(z.g, (s - t) / 3, rel_tol=1e-12, abs_tol=1e-15)


def ce_formula(row, label):
    exps = [math.exp(v) for v in row]
    return -math.log(exps[label] / sum(exps))


def test_cross_entropy_value_matches_the_softmax_formula():
    rows, labels = [[1.0, 2.0, 0.5], [-1.0, 0.0, 3.0]], [2, 0]
    want = (ce_formula(rows[0], 2) + ce_formula(rows[1], 0)) / 2
    assert math.isclose(cross_entropy(rows, labels).value(), want, rel_tol=1e-12)


def test_cross_entropy_gradient_is_softmax_minus_one_hot_over_n():
    rows = [[Var(1.0), Var(2.0), Var(0.5)], [Var(-1.0), Var(0.0), Var(3.0)]]
    labels = [2, 0]
    cross_entropy(rows, labels).backward()
    for row, label in zip(rows, labels, strict=False):
        exps = [math.exp(v.value()) for v in row]
        for j, v in enumerate(row):
            want = (exps[j] / sum(exps) - (j == label)) / 2
            assert math.isclose(v.g, want, rel_tol=1e-12, abs_tol=1e-15)


def _check_loss_gradient(loss_fn, flat, unflatten, targets):
    leaves = [Var(v) for v in flat]
    loss_fn(unflatten(leaves), targets).backward()
    claimed = [v.g for v in leaves]
    f = lambda *nums: loss_fn(unflatten(list(nums)), targets).value()  # noqa: E731
    return grad_check(f, flat, claimed, rtol=1e-5, atol=1e-8)


logit = st.floats(-30, 30)


@settings(max_examples=40, deadline=None)
@given(
    st.lists(
        st.tuples(st.lists(logit, min_size=3, max_size=3), st.integers(0, 2)),
        min_size=1,
        max_size=4,
    )
)
def test_cross_entropy_matches_central_differences(samples):
    flat = [v for row, _ in samples for v in row]
    labels = [label for _, label in samples]

    def unflatten(leaves):
        return [leaves[3 * i : 3 * i + 3] for i in range(len(samples))]

    assert _check_loss_gradient(cross_entropy, flat, unflatten, labels)


@settings(max_examples=40, deadline=None)
@given(st.lists(st.tuples(logit, st.sampled_from([0, 1, 0.25])), min_size=1, max_size=5))
def test_bce_and_mse_match_central_differences(samples):
    zs = [z for z, _ in samples]
    ts = [t for _, t in samples]
    assert _check_loss_gradient(binary_cross_entropy_with_logits, zs, lambda leaves: leaves, ts)
    assert _check_loss_gradient(mse_loss, zs, lambda leaves: leaves, ts)


@pytest.mark.parametrize("big", [1000.0, -1000.0, 1e6])
def test_very_large_logits_neither_overflow_nor_lose_the_gradient(big):
    z = Var(big)
    loss = binary_cross_entropy_with_logits([z], [1])
    loss.backward()
    assert math.isclose(loss.value(), max(-big, 0.0), abs_tol=1e-12)
    assert math.isclose(z.g, 0.0 if big > 0 else -1.0, abs_tol=1e-12)

    row = [Var(big), Var(0.0), Var(-big)]
    loss = cross_entropy([row], [1])
    loss.backward()
    assert math.isclose(loss.value(), abs(big), rel_tol=1e-12)  # softmax(z)[1] = e^-|big|
    winner = 0 if big > 0 else 2
    assert [v.g for v in row] == pytest.approx([1.0 * (winner == 0), -1.0, 1.0 * (winner == 2)])


def test_cross_entropy_of_a_confident_right_answer_is_tiny_not_nan():
    loss = cross_entropy([[Var(1000.0), Var(-1000.0)]], [0])
    assert loss.value() == 0.0


@pytest.mark.parametrize(
    "call,error,phrase",
    [
        (lambda: cross_entropy([], []), ValueError, "empty"),
        (lambda: cross_entropy([[1.0, 2.0]], [2]), ValueError, r"0 … 1"),
        (lambda: cross_entropy([[1.0, 2.0]], [-1]), ValueError, "labels"),
        (lambda: cross_entropy([[1.0, 2.0]], [1.0]), TypeError, "ints"),
        (lambda: cross_entropy([[1.0, 2.0], [1.0]], [0, 0]), ValueError, r"logits\[1\] has 1"),
        (lambda: cross_entropy([[1.0]], [0]), ValueError, ">= 2"),
        (lambda: cross_entropy([[1.0, 2.0]], [0, 1]), ValueError, "1 samples but labels has 2"),
        (lambda: cross_entropy([1.0, 2.0], [0, 1]), TypeError, "class scores"),
        (lambda: binary_cross_entropy_with_logits([0.5], [2]), ValueError, "0 or 1"),
        (lambda: binary_cross_entropy_with_logits([], []), ValueError, "empty"),
        (lambda: binary_cross_entropy_with_logits([[0.5]], [1]), TypeError, r"model\(x\)\[0\]"),
        (lambda: binary_cross_entropy_with_logits([0.5, 1.0], [1]), ValueError, "2 samples"),
        (lambda: mse_loss([1.0], [1.0, 2.0]), ValueError, "1 samples but target has 2"),
        (lambda: mse_loss(Var(1.0), [1.0]), TypeError, "one entry per sample"),
        (lambda: mse_loss(["a"], [1.0]), TypeError, "pred"),
    ],
)
def test_bad_loss_inputs_are_refused_clearly(call, error, phrase):
    with pytest.raises(error, match=phrase):
        call()


def test_losses_accept_constants_and_return_nodes():
    assert isinstance(mse_loss([Const(1.0)], [0.0]), Const.__mro__[1])
