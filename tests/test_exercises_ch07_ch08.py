"""Chapters 7 and 8's checkers: answers that fit one setting only (one optimizer, one learning
rate, one batch size, one shape) fail with a message that names the mistake."""

from __future__ import annotations

import math
import time

import numpy as np
import pytest

from tinyml.exercises import ch07, ch08
from tinyml.nn import binary_cross_entropy_with_logits


def _fails(q, answer, phrase):
    start = time.process_time()
    feedback = q.grade(answer)
    assert time.process_time() - start < 1.0, "a check must answer within a second"
    assert feedback.status == "incorrect", feedback
    assert phrase in feedback.message, feedback.message


def _passes(q, answer):
    start = time.process_time()
    feedback = q.grade(answer)
    assert time.process_time() - start < 1.0, "a check must answer within a second"
    assert feedback.correct, feedback.message


def _by_hand(lr=None):
    def train_step(model, optimizer, xb, yb):
        model.zero_grad()
        loss = binary_cross_entropy_with_logits([model(x)[0] for x in xb], yb)
        loss.backward()
        for p in model.parameters():
            p.set_value(p.value() - (optimizer.lr if lr is None else lr) * p.g)
        return loss.value()

    return train_step


def test_ch07_q4_refuses_a_step_that_updates_by_hand():
    _fails(ch07.q4, _by_hand(), "call optimizer.step(): updating by hand only works for plain GD")
    _fails(ch07.q4, _by_hand(lr=0.5), "call optimizer.step()")  # the literal learning rate


def test_ch07_q4_refuses_dividing_by_a_fixed_batch_size():
    def over_six(model, optimizer, xb, yb):
        optimizer.zero_grad()
        logits = [model(x)[0] for x in xb]
        loss = binary_cross_entropy_with_logits(logits, yb) * len(xb) / 6
        loss.backward()
        optimizer.step()
        return loss.value()

    _fails(ch07.q4, over_six, "divide by len(xb)")
    _fails(ch07.q4, ch07._step_variant("summed"), "divide by len(xb)")


def test_ch07_q4_accepts_honest_variants():
    from tinyml.alpha import exp, log

    def model_zero_grad(model, optimizer, xb, yb):
        model.zero_grad()  # clears the same parameters as optimizer.zero_grad()
        loss = binary_cross_entropy_with_logits([model(x)[0] for x in xb], yb)
        loss.backward()
        optimizer.step()
        return loss.value()

    def own_mean(model, optimizer, xb, yb):
        optimizer.zero_grad()
        terms = [log(1 + exp(model(x)[0])) - model(x)[0] * t for x, t in zip(xb, yb, strict=True)]
        loss = sum(terms[1:], terms[0]) / len(xb)
        loss.backward()
        optimizer.step()
        return loss.value()

    for answer in (ch07.train_step, model_zero_grad, own_mean):
        _passes(ch07.q4, answer)


def test_ch07_q4_runs_three_optimizers_on_uneven_batches():
    names = [name for name, _, _ in ch07._Q4_SETTINGS]
    assert names == ["GD", "Momentum", "Adam"]
    assert len({lr for _, lr, _ in ch07._Q4_SETTINGS}) == 3
    assert all(len(set(sizes)) > 1 for _, _, sizes in ch07._Q4_SETTINGS)


def test_ch07_q2_hint_does_not_give_the_count_away():
    assert not any("len(MLP" in h for h in ch07.q2.hints())
    assert "len(MLP(3, [8, 8, 2]).parameters())" in ch07.q2.solution_text


def test_ch07_q5_accepts_a_value_read_off_a_plot():
    _passes(ch07.q5, 0.4999999)
    _fails(ch07.q5, 0.49, "the logit is")


@pytest.mark.parametrize(
    ("answer", "phrase"),
    [
        (lambda z: math.log(1 + math.exp(z)), "softplus(710) overflows"),
        (lambda z: z + math.log(1 + math.exp(-z)), "only for z > 0"),
        (ch07._softplus_swapped, "only for z > 0"),
        (lambda z: float(np.log(1 + np.exp(z))), "softplus(710) overflows"),  # inf, no error
        (lambda z: max(z, 0.0), "an approximation"),
        # cut-offs: right at the nine values the first version of this check tried
        (lambda z: z if z > 3 else math.log(1 + math.exp(z)), "at z = 3.0001 yours gives 3.0001"),
        (lambda z: z if z > 20 else math.log1p(math.exp(z)), "an approximation: at z = 20.5"),
        (
            lambda z: 0.0 if z < -3 else math.log(1 + math.exp(z)),
            "an approximation: at z = -3.0001 yours gives 0,",
        ),
        (
            lambda z: max(z, 0.0) if abs(z) >= 1000 else math.log(1 + math.exp(z)),
            "softplus(710) overflows: only ±1000 were special-cased",
        ),
        (
            lambda z: 0.0 if z <= -1000 else math.log(1 + math.exp(z)),
            "softplus(710) overflows: log(1 + math.exp(z))",
        ),
        (lambda z: z + math.exp(-z) if z > 0 else math.log1p(math.exp(z)), "the log is missing"),
        (lambda z: ch07.softplus(z) if abs(z) < 500 else float("nan"), "overflows"),
        (lambda z: ch07.softplus(z) if abs(z) < 1e300 else None, "returned None"),
        (lambda z: ch07.softplus(z) if z < 1e300 else "big", "should be a number"),
        (lambda z: ch07.softplus(z) if z < 1e300 else 1 / 0, "raised ZeroDivisionError"),
        (lambda z: ch07.softplus(z) + 1e-9, "an approximation"),
    ],
)
def test_ch07_q3_names_the_overflow_and_the_wrong_branch(answer, phrase):
    _fails(ch07.q3, answer, phrase)


def test_ch07_q3_accepts_every_stable_form():
    def log1p_form(z):
        return max(z, 0.0) + math.log1p(math.exp(-abs(z)))

    def numpy_form(z):
        return float(np.logaddexp(0.0, z))

    def threshold_form(z):  # a cut-off beyond float resolution is exact: e^-z < 1e-16 · z
        if z > 40:
            return z
        if z < -750:
            return 0.0
        return max(z, 0.0) + math.log(1 + math.exp(-abs(z)))

    for answer in (ch07.softplus, log1p_form, numpy_form, threshold_form):
        _passes(ch07.q3, answer)


def test_ch07_q3_tests_a_dense_set_and_the_largest_floats():
    zs = ch07._Q3_ZS
    assert len(zs) > 50
    for z in (3.0001, 5.0, 10.0, 20.0, 36.0, 710.0, 800.0, 999.0, 1000.0, 1e308):
        assert z in zs and -z in zs
    assert sum(-50 < z < 50 for z in zs) > 30 and sum(50 < abs(z) < 1000 for z in zs) >= 10
    assert zs == sorted(zs, key=abs)  # ordinary values first: the message names the first slip


def test_ch07_q4_names_a_new_optimizer_built_inside_the_step():
    def fresh(model, optimizer, xb, yb):
        opt = type(optimizer)(model.parameters(), lr=optimizer.lr)
        return ch07.train_step(model, opt, xb, yb)

    _fails(ch07.q4, fresh, "use the optimizer passed in: it keeps state between steps")


@pytest.mark.parametrize(
    ("q", "answer"),
    [
        (ch08.q2, lambda g, shape: print(ch08.unbroadcast(g, shape))),
        (ch08.q5, lambda z, y: print(ch08.cross_entropy_grad(z, y))),
        (ch08.q1, lambda x, out, g: print(ch08.tanh_backward(x, out, g))),
        (ch08.q4, lambda A, B, G: print(ch08.matmul_grads(A, B, G))),
    ],
)
def test_ch08_a_missing_return_is_named(q, answer):
    _fails(q, answer, "returned None: did you print the result instead of returning it?")


def test_ch08_q1_names_a_one_element_tuple():
    _fails(ch08.q1, lambda x, out, g: (g * (1 - out**2),), "return the array itself")
    _fails(ch08.q1, lambda x, out, g: (g * (1 - out**2),), "Tensor's convention")


def test_ch08_shape_advice_only_after_a_shape_error():
    def key_error(g, shape):
        return {}["g"]

    feedback = ch08.q2.grade(key_error)
    assert "KeyError" in feedback.message and "np.sum" not in feedback.message
    feedback = ch08.q4.grade(lambda A, B: (A, B))  # a wrong number of arguments
    assert "TypeError" in feedback.message and "Let the shapes guide you" not in feedback.message
    _fails(ch08.q2, lambda g, shape: g.sum(axis=7), "np.sum with axis=")
    _fails(ch08.q4, lambda A, B, G: (G @ B, A @ G), "Let the shapes guide you")


def test_ch08_q1_last_hint_is_not_the_code():
    assert "return" not in ch08.q1.more_hints[-1] and "out" in ch08.q1.more_hints[-1]


def test_ch08_q5_refuses_a_hard_coded_batch_size():
    def over_three(z, y):
        e = np.exp(z - z.max(axis=1, keepdims=True))
        p = e / e.sum(axis=1, keepdims=True)
        p[np.arange(len(y)), y] -= 1
        return p / 3

    _fails(ch08.q5, over_three, "divide by n = len(y)")
    _passes(ch08.q5, ch08.cross_entropy_grad)


def test_ch08_q4_checks_several_shapes_and_names_the_mean():
    def hard_coded(A, B, G):
        if A.shape != (2, 3):
            return np.zeros(A.shape), np.zeros(B.shape)
        return G @ B.T, A.T @ G

    _fails(ch08.q4, hard_coded, "dA is wrong for matmul_grads(A of shape (4, 2)")
    _fails(ch08.q4, lambda A, B, G: (G @ B.T / len(A), A.T @ G), "G is already dL/dC")
    _passes(ch08.q4, lambda A, B, G: (np.einsum("ij,kj->ik", G, B), np.einsum("ik,ij->kj", A, G)))


def test_ch08_q3_hints_are_staged():
    assert len(ch08.q3.hints()) >= 3


def test_ch08_q1_checks_the_rule_against_central_differences_at_several_shapes():
    _passes(ch08.q1, ch08.tanh_backward)
    _passes(ch08.q1, lambda x, out, g: g / np.cosh(x) ** 2)  # the same derivative, from x
    _fails(ch08.q1, lambda x, out, g: g * (1 - out**2) if x.ndim == 1 else g, "(2, 4)")
    _fails(ch08.q1, lambda x, out, g: g * (1 - x**2), "1 - out²")
    _fails(ch08.q1, lambda x, out, g: 1 - out**2, "not times g")


def test_ch07_q3_tolerance_is_the_one_the_text_states():
    # "an error below 1e-12 (times the value, once it exceeds 1)": cut-offs past |z| = 30
    # are within it, as the text says; a cut-off nearer 0 is named as losing digits.
    _passes(ch07.q3, lambda z: 0.0 if z < -30 else ch07.softplus(z))
    _passes(ch07.q3, lambda z: z if z > 30 else ch07.softplus(z))
    _fails(ch07.q3, lambda z: z if z > 10 else ch07.softplus(z), "a cut-off closer to 0")
    _fails(ch07.q3, lambda z: 0.0 if z < -20 else ch07.softplus(z), "loses digits")
    _fails(ch07.q3, lambda z: ch07.softplus(z) + 2e-12, "an approximation")
    _passes(ch07.q3, lambda z: ch07.softplus(z) + 1e-13)


def test_ch07_q2_names_the_missing_output_biases():
    _fails(ch07.q2, 120, "is 2 short: the output layer Linear(8, 2) has biases too")
    _fails(ch07.q2, 121, "is not it")
    _passes(ch07.q2, 122)


def test_ch08_q1_names_out_data_copied_from_a_tensor_rule():
    _fails(ch08.q1, lambda x, out, g: g * (1 - out.data**2), "numpy arrays, not Tensors")
    _fails(ch08.q1, lambda x, out, g: out.grad, "numpy arrays, not Tensors")
    _fails(ch08.q1, lambda x, out, g: g * (1 - out.dat**2), "raised AttributeError")
    _passes(ch08.q1, lambda x, out, g: g * (1 - np.tanh(x) ** 2))


def test_ch08_q1_hints_go_from_a_nudge_to_the_formula():
    first, second, third = ch08.q1.hints()
    assert "1 - out²" not in first + second and "express d tanh(x)/dx using out" in second
    assert "1 - out²" in third and "return" not in third


def test_ch08_q5_refuses_the_library_and_asks_for_numpy():
    from tinyml.tensor import Tensor, cross_entropy

    def with_the_library(z, y):
        t = Tensor(z, requires_grad=True)
        cross_entropy(t, y).backward()
        return t.grad

    _fails(ch08.q5, with_the_library, "write it in numpy")
    assert Tensor.__init__ is not None and Tensor(np.ones(2)).data.shape == (2,)  # restored
    _passes(ch08.q5, ch08.cross_entropy_grad)


def test_ch07_q3_names_capping_z():
    capped = lambda z: math.log1p(math.exp(min(z, 709.0)))  # noqa: E731
    _fails(ch07.q3, capped, "rewrite log(1 + e^z) instead of capping z")
    _fails(ch07.q3, lambda z: ch07.softplus(min(z, 500.0)), "capped near 500")
    # the honest forms are not mistaken for a cap
    _passes(ch07.q3, lambda z: max(z, 0.0) + math.log1p(math.exp(-abs(z))))
    _passes(ch07.q3, ch07.softplus)


def test_ch07_q4_names_a_loss_multiplied_by_the_batch_size():
    def times_n(model, optimizer, xb, yb):
        return ch07.train_step(model, optimizer, xb, yb) * len(xb)

    _fails(ch07.q4, times_n, "len(xb) times the loss")
    _fails(ch07.q4, lambda m, o, xb, yb: ch07.train_step(m, o, xb, yb) * 2, "not the ones")
    _passes(ch07.q4, ch07.train_step)


def test_ch07_q3_last_hint_is_not_the_code():
    last = ch07.q3.hints()[-1]
    assert "return" not in last and "math.exp(-z)" not in last
    assert "z > 0" in last and "z <= 0" in last


def test_ch08_q5_names_the_mean_over_every_logit_and_the_whole_array_softmax():
    def over_size(z, y):
        return ch08.cross_entropy_grad(z, y) * len(y) / z.size

    def whole_array(z, y):
        e = np.exp(z - z.max())
        p = e / e.sum()
        p[np.arange(len(y)), y] -= 1
        return p / len(y)

    _fails(ch08.q5, over_size, "you divide by z.size = n·k = 12")
    _fails(ch08.q5, whole_array, "the sum over the whole array")

    def honest(z, y):  # softmax by rows written with a transpose and explicit division
        shifted = z - z.max(axis=1)[:, None]
        p = (np.exp(shifted).T / np.exp(shifted).sum(axis=1)).T
        return (p - np.eye(z.shape[1])[y]) / z.shape[0]

    _passes(ch08.q5, honest)


def test_ch07_q3_last_hint_tells_a_far_cut_off_from_a_near_one():
    last = ch07.q3.hints()[-1]
    assert "changes the answer" in last and "within the" in last and "needs none" in last
    # what the hint says is what the checker does: a cut-off beyond 28 passes, one near 0 fails
    for cut in (30.0, 100.0, 709.0):
        _passes(ch07.q3, lambda z, c=cut: z if z > c else math.log(1 + math.exp(z)))
    _fails(ch07.q3, lambda z: z if z > 3 else math.log(1 + math.exp(z)), "an approximation")


def test_ch07_q4_solution_has_no_import_inside_the_function():
    assert "import" not in ch07.q4.solution_text
    _passes(ch07.q4, ch07.train_step)


def test_ch08_q5_names_clipping_the_logits():
    def clipped(z, y):  # overflow avoided the wrong way: softmax of the clipped logits
        e = np.exp(np.clip(z, -500, 500))
        p = e / e.sum(axis=1, keepdims=True)
        p[np.arange(len(y)), y] -= 1
        return p / len(y)

    _fails(ch08.q5, clipped, "clipping the logits changes the answer")
    _fails(ch08.q5, clipped, "subtract each row's max instead")
    _fails(ch08.q5, lambda z, y: ch08.cross_entropy_grad(np.clip(z, -650, 650), y), "clipping")
    _passes(ch08.q5, ch08.cross_entropy_grad)
