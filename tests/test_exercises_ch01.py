"""Chapter 1's checkers: finite differences are refused however refined; steps named."""

from __future__ import annotations

import json
import math
import time
from pathlib import Path

import numpy as np
import pytest

from tinyml.exercises import ch01
from tinyml.numeric import CENTRAL_STEP, EPS


def _f(a, b):
    return a * b + math.sin(a)


def _timed(q, answer):
    start = time.process_time()
    feedback = q.grade(answer)
    assert time.process_time() - start < 1.0, answer
    return feedback


def _dfda(a, b):
    return b + math.cos(a)


class _Gradient:  # a callable object, not a function
    def __call__(self, a, b):
        return [_dfda(a, b), a]


HONEST = [
    lambda a, b: [b + math.cos(a), a],
    lambda a, b: [math.cos(a) + b, a],
    lambda a, b: (b + np.cos(a), a),
    lambda a, b: np.array([np.cos(a) + b, a]),
    lambda a, b: [np.float64(b) + np.cos(np.float64(a)), np.float64(a)],
    lambda a, b: [_dfda(a, b), 1.0 * a],  # a helper called with a and b themselves
    lambda a, b: list(np.array([b, a]) + np.array([np.cos(a), 0.0])),
    _Gradient(),
]


@pytest.mark.parametrize("honest", HONEST)
def test_q5_every_honest_form_of_the_gradient_passes(honest):
    feedback = _timed(ch01.q5, honest)
    assert feedback.correct, feedback.message


def _richardson(g, x, h):  # exercise 2's better_central
    d1 = (g(x + h) - g(x - h)) / (2 * h)
    d2 = (g(x + 2 * h) - g(x - 2 * h)) / (4 * h)
    return (4 * d1 - d2) / 3


def _stencil9(g, x, h):
    weights = (4 / 5, -1 / 5, 4 / 105, -1 / 280)
    return sum(w * (g(x + k * h) - g(x - k * h)) for k, w in enumerate(weights, 1)) / h


def _stencil7(g, x, h):
    weights = (3 / 4, -3 / 20, 1 / 60)
    return sum(w * (g(x + k * h) - g(x - k * h)) for k, w in enumerate(weights, 1)) / h


@pytest.mark.parametrize("method", [_richardson, _stencil7, _stencil9])
@pytest.mark.parametrize("h", [1e-4, 1e-3, 1e-2, 3e-2, 0.1])
@pytest.mark.parametrize("scaled", [False, True])
def test_q5_refuses_refined_differences_through_any_function(method, h, scaled):
    def grad_f(a, b):
        ha, hb = (h * max(1, abs(a)), h * max(1, abs(b))) if scaled else (h, h)
        return [method(lambda t: _f(t, b), a, ha), method(lambda t: _f(a, t), b, hb)]

    feedback = _timed(ch01.q5, grad_f)
    assert feedback.status == "incorrect"
    assert "that is a finite difference" in feedback.message, feedback.message


def _inline(order, h):
    """A central stencil written out inline: no function is called at a shifted point."""
    weights = {2: (1 / 2,), 4: (2 / 3, -1 / 12), 6: (3 / 4, -3 / 20, 1 / 60)}.get(
        order, (4 / 5, -1 / 5, 4 / 105, -1 / 280)
    )

    def grad_f(a, b):
        da = sum(
            w * ((a + k * h) * b + math.sin(a + k * h) - (a - k * h) * b - math.sin(a - k * h))
            for k, w in enumerate(weights, start=1)
        )
        db = sum(w * (a * (b + k * h) - a * (b - k * h)) for k, w in enumerate(weights, 1))
        return [da / h, db / h]

    return grad_f


@pytest.mark.parametrize("order", [2, 4, 6, 8])
@pytest.mark.parametrize("h", [1e-6, 1e-5, 1e-4, 1e-3, 3e-3, 1e-2, 3e-2, 0.1, 0.3])
def test_q5_refuses_inline_differences_by_the_points_sin_is_called_at(order, h):
    feedback = _timed(ch01.q5, _inline(order, h))
    assert feedback.status == "incorrect"
    message = feedback.message
    assert "finite difference written out" in message or "disagree" in message, message
    assert "computed less accurately" not in message


@pytest.mark.parametrize(
    "honest",
    [
        lambda a, b: [b + math.sin(a + math.pi / 2), a],  # cos a = sin(a + π/2): 12 digits
        lambda a, b: [b + np.sin(a + np.pi / 2), a],
        lambda a, b: [b + math.sin(math.pi / 2 - a), a],
        lambda a, b: [b + math.cos(-a), a],
    ],
)
def test_q5_an_equivalent_formula_a_few_digits_short_is_accepted(honest):
    feedback = _timed(ch01.q5, honest)
    assert feedback.correct, feedback.message


def test_q5_from_math_import_sin_is_watched_and_restored():
    from math import sin

    h = 1e-5
    honest = _timed(ch01.q5, lambda a, b: [b + sin(a + math.pi / 2), a])
    assert honest.correct, honest.message
    inline = _timed(ch01.q5, lambda a, b: [((a + h) * b + sin(a + h) - a * b - sin(a)) / h, a])
    assert "called math.sin at" in inline.message and "finite difference" in inline.message
    assert sin is math.sin and math.sin(0.0) == 0.0 and np.sin is not None


def test_q5_too_few_digits_is_not_called_a_finite_difference():
    feedback = _timed(ch01.q5, ch01._float32_formula)
    assert feedback.status == "incorrect"
    assert "computed less accurately" in feedback.message
    assert "finite difference" not in feedback.message and "numerically" not in feedback.message


def test_q5_the_reviewers_richardson_answer_is_refused():
    def better_central(f, x, h):
        d1 = (f(x + h) - f(x - h)) / (2 * h)
        d2 = (f(x + 2 * h) - f(x - 2 * h)) / (4 * h)
        return (4 * d1 - d2) / 3

    def f(a, b):
        return a * b + math.sin(a)

    feedback = ch01.q5.grade(
        lambda a, b: [
            better_central(lambda t: f(t, b), a, 1e-3),
            better_central(lambda t: f(a, t), b, 1e-3),
        ]
    )
    assert feedback.status == "incorrect"
    assert "that is a finite difference" in feedback.message
    assert "Derive the gradient by hand" in feedback.message


def test_q5_package_differences_are_named():
    from tinyml.numeric import numeric_gradient

    message = ch01.q5.grade(lambda a, b: numeric_gradient(_f, [a, b])).message
    assert "called tinyml.numeric's numeric_gradient" in message


def test_q2_steps_h_over_2_and_h_are_named_not_contradicted():
    def half_steps(f, x, h):
        d_half = (f(x + h / 2) - f(x - h / 2)) / h
        d = (f(x + h) - f(x - h)) / (2 * h)
        return (4 * d_half - d) / 3

    message = _timed(ch01.q2, half_steps).message
    assert "you used steps h/2 and h; use h and 2h" in message
    assert "the aim is about 16" not in message


@pytest.mark.parametrize("k", [2, 3, 4])
def test_q2_other_steps_with_the_right_order_are_named(k):
    def wider(f, x, h):
        return ch01.better_central(f, x, k * h)

    message = _timed(ch01.q2, wider).message
    assert "as it should" in message and "use D(h) and D(2h)" in message
    assert "the aim is about 16" not in message


def test_q1_and_q2_solutions_still_pass():
    assert ch01.q1.grade(ch01.float32_epsilon()).correct
    assert ch01.q2.grade(ch01.better_central).correct


def test_q1_starter_loop_runs_and_is_not_attempted():
    from tinyml.exercises import ____

    eps = ____
    while 1.0 + eps / 2 > 1.0:  # a comparison with the blank is False: zero rounds
        eps /= 2
    assert ch01.q1.grade(eps).status == "not attempted"
    eps = np.float32(1)
    while 1.0 + eps / 2 > 1.0:
        eps /= 2
    assert ch01.q1.grade(eps).correct  # a np.float32 is accepted as it is
    assert "eps32 = np.float32(1)" in ch01.q1.solution_text


@pytest.mark.parametrize("start", [1.0, np.float64(1)])
def test_q1_the_64_bit_loop_is_named_without_giving_the_last_hint_away(start):
    eps = start
    while 1.0 + eps / 2 > 1.0:
        eps /= 2
    message = _timed(ch01.q1, eps).message
    assert "64-bit epsilon" in message
    assert "np.float32" not in message and "eps = 1.0" not in message


def test_q1_a_float16_loop_is_named():
    eps = np.float16(1)
    while np.float16(1) + eps / np.float16(2) > np.float16(1):
        eps /= np.float16(2)
    assert "float16" in _timed(ch01.q1, eps).message


def test_q2_a_d2h_divided_by_2h_is_named():
    def slip(f, x, h):
        d1 = (f(x + h) - f(x - h)) / (2 * h)
        d2 = (f(x + 2 * h) - f(x - 2 * h)) / (2 * h)
        return (4 * d1 - d2) / 3

    message = _timed(ch01.q2, slip).message
    assert "divides by 2h" in message and "4h" in message


def test_q1_hints_hold_the_type_back_until_the_last():
    hints = ch01.q1.hints()
    assert not any("float32(1)" in h or "np.float32" in h for h in hints[:2])
    # a reader: "it is enough that eps itself starts as a 32-bit one" was the whole answer
    assert not any("starts as a 32-bit" in h for h in hints[:2])
    assert hints[1].endswith("?")
    assert "np.float32(1)" in hints[2] and "starts as a 32-bit float" in hints[2]


def test_q2_hints_hold_the_combination_back_until_the_last():  # a reader: hint 2 stated it
    hints = ch01.q2.hints()
    assert not any("4·D(h) - D(2h)" in h or "4·D(h)" in h for h in hints[:2])
    assert "?" in hints[1]
    assert "4·D(h) - D(2h)" in hints[2] and "divide by 3" in hints[2]


@pytest.mark.parametrize("hours", [2.75, 2.78, 2.8, 2.82, 2.84])  # readers' answers
def test_q4_anything_that_is_2_8_at_two_significant_digits_passes(hours):
    assert _timed(ch01.q4, hours).correct


@pytest.mark.parametrize("days", [0.116, 0.12])  # a reader's answer
def test_q4_an_answer_in_days_is_named(days):
    feedback = _timed(ch01.q4, days)
    assert not feedback.correct and "that is in days" in feedback.message, feedback.message


def _d(f, x, h):
    return (f(x + h) - f(x - h)) / (2 * h)


@pytest.mark.parametrize(
    "wrong",
    [
        lambda f, x, h: (16 * _d(f, x, h) - _d(f, x, 2 * h)) / 15,  # a reader's answer
        lambda f, x, h: (5 * _d(f, x, h) - _d(f, x, 2 * h)) / 4,  # a reader's answer
    ],
)
def test_q2_central_combinations_of_second_order_are_not_called_forward(wrong):
    message = _timed(ch01.q2, wrong).message
    assert "second order" in message and "forward" not in message, message


def test_q2_forward_differences_of_second_order_are_named_forward():
    def forward(f, x, h):
        return (f(x + h) - f(x)) / h

    def weighted(f, x, h):  # evaluates f(x): forward differences, their h errors cancelled
        return (4 * forward(f, x, h) - forward(f, x, 4 * h)) / 3

    message = _timed(ch01.q2, weighted).message
    assert "second order" in message and "evaluates f at x itself" in message, message


def test_q2_a_missing_parenthesis_is_named_not_a_shrink_of_1():  # a reader's answer
    message = _timed(ch01.q2, lambda f, x, h: 4 * _d(f, x, h) - _d(f, x, 2 * h) / 3).message
    assert "about 3.67 times the right one" in message and "parentheses" in message, message
    assert "shrinks 1.0 times" not in message


def test_q2_floor_division_is_named_not_an_ignored_h():  # a reader's answer
    message = _timed(ch01.q2, lambda f, x, h: (4 * _d(f, x, h) - _d(f, x, 2 * h)) // 3).message
    assert "floor division" in message and "ignores its h" not in message, message


def test_q2_messages_tell_the_extrapolation_from_the_exact_derivative():  # a reader's answer
    message = _timed(ch01.q2, lambda f, x, h: (16 * _d(f, x, h) - _d(f, x, 2 * h)) / 15).message
    want = ch01.better_central(math.exp, 0.5, 0.1)
    assert f"the right extrapolation gives {want!r}" in message, message
    assert f"f'(0.5) itself is {math.exp(0.5)!r}" in message, message


def test_q3_first_hint_names_the_forward_balance_and_the_solution_mentions_cbrt_3eps():
    assert "forward difference's two errors" in ch01.q3.hints()[0]
    assert "cbrt(3ε)" in ch01.q3.solution_text
    assert ch01.q3.grade(lambda x: (3 * ch01.EPS) ** (1 / 3) * max(1.0, abs(x))).correct


def test_step_size_plot_does_not_give_exercise_3_away():
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    from tinyml.numeric import CENTRAL_STEP
    from tinyml.plots import plot_step_size_errors

    fig, ax = plt.subplots()
    plot_step_size_errors(ax)
    labels = [line.get_label() for line in ax.get_lines()]
    assert not any("central difference's best" in label for label in labels)
    # nor the central error formula, whose minimum is exercise 3's step (a lead's item)
    assert not any("central}(h)" in label or "formula" in label for label in labels), labels
    assert all(line.get_xdata()[0] != CENTRAL_STEP for line in ax.get_lines())
    plt.close(fig)


_EPS = ch01.EPS


@pytest.mark.parametrize(
    "k",
    [3, 1, 2, 4, 6, 1.5],  # cbrt(kε): the balanced step, the textbook one, slips in the algebra
)
def test_q3_steps_within_1_6_of_cbrt_3eps_pass(k):
    c = (k * _EPS) ** (1 / 3)
    assert _timed(ch01.q3, lambda x: c * max(1.0, abs(x))).correct


def test_q3_the_round_1e_5_passes_being_1_15_times_the_balanced_step():
    assert _timed(ch01.q3, lambda x: 1e-5 * max(1.0, abs(x))).correct


@pytest.mark.parametrize(
    ("step", "words"),
    [
        ((_EPS / 3) ** (1 / 3), ["2.08 times smaller than cbrt(3ε)", "not ε/3"]),
        ((_EPS / 6) ** (1 / 3), ["2.62 times smaller than cbrt(3ε)"]),
        (1e-6, ["8.73 times smaller than cbrt(3ε)"]),
        (2e-5, ["2.29 times larger than cbrt(3ε)"]),
    ],
)
def test_q3_steps_outside_the_window_fail_with_the_factor_against_cbrt_3eps(step, words):
    feedback = _timed(ch01.q3, lambda x: step * max(1.0, abs(x)))
    assert not feedback.correct
    assert all(w in feedback.message for w in words), feedback.message


def test_q3_window_is_symmetric_about_the_balanced_step():
    assert ch01._Q3_BALANCED == pytest.approx((3 * _EPS) ** (1 / 3))
    for factor in (1.55, 1 / 1.55):
        c = ch01._Q3_BALANCED * factor
        assert ch01.q3.grade(lambda x, c=c: c * max(1.0, abs(x))).correct
    for factor in (1.7, 1 / 1.7):
        c = ch01._Q3_BALANCED * factor
        assert not ch01.q3.grade(lambda x, c=c: c * max(1.0, abs(x))).correct


def test_q4_a_truncated_2_7_is_told_to_round():
    feedback = _timed(ch01.q4, 2.7)
    assert not feedback.correct and "truncated" in feedback.message
    assert _timed(ch01.q4, 2.8).correct and _timed(ch01.q4, 2.78).correct


@pytest.mark.parametrize(
    ("hours", "words"),
    [
        (3, "two significant digits, not to one"),
        (3.0, "two significant digits, not to one"),
        (2.85, "does not round to the right two-digit value"),  # 2.9 at two digits
        (2.74, "off by 0.04 and does not round to the right two-digit value"),  # a reader's
        (2.7499, "off by 0.03 and does not round to the right two-digit value"),
        (2.6, "off by 0.18 and does not round to the right two-digit value"),
        (2.9, "does not round to the right two-digit value"),
    ],
)
def test_q4_a_number_within_10_percent_says_which_digit_is_off(hours, words):
    feedback = _timed(ch01.q4, hours)
    assert feedback.status == "incorrect"
    assert "close" in feedback.message and words in feedback.message, feedback.message
    assert not ("two significant digits" in feedback.message and hours != 3)
    assert "significant digit" not in feedback.message or hours == 3  # the text says two suffice


@pytest.mark.parametrize("hours", [2.5, 3.1, 1.0])
def test_q4_a_number_further_off_is_not_called_close(hours):
    feedback = _timed(ch01.q4, hours)
    assert feedback.status == "incorrect" and "close" not in feedback.message


def test_q3_a_step_off_by_3_at_x_1_and_minus_7_5_fails_the_ratio_there():  # a reader's answer
    eps = _EPS

    def patchy(x):
        scale = 3 if x in (1.0, -7.5) else 1
        return scale * (3 * eps) ** (1 / 3) * max(1, abs(x))

    feedback = _timed(ch01.q3, patchy)
    assert not feedback.correct
    assert "central_step(1) =" in feedback.message and "3.00 times larger" in feedback.message


def test_q3_one_plus_abs_x_passes_with_cbrt_eps_but_not_with_cbrt_3eps():
    # cbrt(ε)·(1 + |x|) stays within 1.6 of cbrt(3ε)·max(1, |x|) at all seven points (1.39 at
    # x = 1), as the exercise states; cbrt(3ε)·(1 + |x|) is twice the balanced step at x = 1.
    assert _timed(ch01.q3, lambda x: _EPS ** (1 / 3) * (1 + abs(x))).correct
    feedback = _timed(ch01.q3, lambda x: (3 * _EPS) ** (1 / 3) * (1 + abs(x)))
    assert not feedback.correct and "grows like 1 + |x|" in feedback.message, feedback.message


def test_q3_max_1_x_without_abs_is_told_negative_x_does_not_grow():  # a reader's answer
    feedback = _timed(ch01.q3, lambda x: (3 * _EPS) ** (1 / 3) * max(1, x))
    assert not feedback.correct
    assert "at negative x your step doesn't grow" in feedback.message, feedback.message
    assert "abs(x)" in feedback.message


def test_q5_a_dict_is_told_to_be_a_list():  # a reader's answer
    import math

    feedback = _timed(ch01.q5, lambda a, b: {"a": b + math.cos(a), "b": a})
    assert not feedback.correct
    assert "return a list of two numbers, not a dict" in feedback.message, feedback.message


def test_q1_the_right_answer_says_what_the_exponent_means():
    feedback = _timed(ch01.q1, 2.0**-23)
    assert feedback.correct
    assert "2^-23" in feedback.message and "23 fraction bits" in feedback.message


def test_q1_the_right_answer_explains_gradchecks_warning():  # the reader's open question
    message = _timed(ch01.q1, np.float32(2) ** -23).message
    assert "23 fraction bits" in message and "gradcheck wants 64-bit" in message, message
    # exercise 1 comes after section 1: no section 3's √ε, no section 6's rtol (a reader)
    assert "rtol" not in message and "√ε" not in message and "section 6" not in message, message


def test_q2_a_nan_result_is_called_nan_not_a_shrink_factor():  # a reader's answer
    message = _timed(ch01.q2, lambda f, x, h: float("nan")).message
    assert "returned nan, not a finite number" in message and "shrinks" not in message


def test_q2_messages_name_the_function_they_tried():  # a reader's answer: which f?
    message = _timed(ch01.q2, lambda f, x, h: 1.0 + h).message
    assert "better_central(math.exp, 0.5, 0.1)" in message, message


def test_q2_two_forward_differences_are_told_they_are_second_order():  # a reader's answer
    def forward_richardson(f, x, h):
        def forward(s):
            return (f(x + s) - f(x)) / s

        return 2 * forward(h) - forward(2 * h)

    feedback = _timed(ch01.q2, forward_richardson)
    assert not feedback.correct
    assert "forward difference" in feedback.message and "second order" in feedback.message
    other = _timed(ch01.q2, lambda f, x, h: (f(x + 1.1 * h) - f(x - 1.1 * h)) / (2.2 * h))
    assert "second order" in other.message, other.message


def test_q3_an_infinite_step_is_called_not_finite_not_lost():  # a reader's answer
    message = _timed(ch01.q3, lambda x: float("inf")).message
    assert "finite" in message and "lost" not in message, message


def test_q3_the_right_answer_names_the_other_steps_that_pass():  # cbrt(ε), 1.5ε, 6ε
    feedback = _timed(ch01.q3, ch01.central_step)
    assert feedback.correct
    for step in ("cbrt(3ε)", "cbrt(1.5ε)", "cbrt(6ε)", "cbrt(ε)"):
        assert step in feedback.message


def test_q3_text_names_the_range_of_points_the_checker_tries():  # the reader's max(1, x)
    import json
    from pathlib import Path

    nb = Path(__file__).parent.parent / "notebooks" / "01_finite_differences.ipynb"
    cells = json.loads(nb.read_text(encoding="utf-8"))["cells"]
    text = next("".join(c["source"]) for c in cells if "### Exercise 3" in "".join(c["source"]))
    assert min(ch01._Q3_POINTS) == -5e7 and max(ch01._Q3_POINTS) == 3e12
    assert "-5 \\times 10^7" in text and "3 \\times 10^{12}" in text and "including 0" in text


@pytest.mark.parametrize("spread", ["array", "offsets"])
def test_q5_a_difference_through_a_numpy_array_is_named(spread):  # a reader's answer
    def grad_f(a, b):
        h = 1e-6
        points = np.array([a + h, a - h]) if spread == "array" else a + h * np.array([1.0, -1.0])
        s = np.sin(points)
        return [b + (s[0] - s[1]) / (2 * h), a]

    message = _timed(ch01.q5, grad_f).message
    assert "np.sin" in message and "a small step apart" in message, message
    assert "64-bit" not in message


@pytest.mark.parametrize(
    "step",
    [
        lambda x: _EPS ** (-1 / 3) * max(1, abs(x)),  # a reader's answer: the exponent's sign
        lambda x: (3 / _EPS) ** (1 / 3) * max(1, abs(x)),  # a reader's answer
        lambda x: 1e10 * max(1, abs(x)),  # a reader's answer
        lambda x: 1e200 * max(1, abs(x)),
    ],
)
def test_q3_a_huge_step_is_named_not_an_overflow(step):  # it crashed in e^(t/s)
    feedback = _timed(ch01.q3, step)
    assert feedback.status == "incorrect", feedback.message
    assert "far too large" in feedback.message and "invert the exponent" in feedback.message


def test_q3_a_step_a_thousand_times_too_large_is_far_too_large_without_the_exponent_guess():
    feedback = _timed(ch01.q3, lambda x: 1e-2 * max(1.0, abs(x)))
    assert "far too large" in feedback.message and "exponent" not in feedback.message


@pytest.mark.parametrize(
    "wrong,named",
    [  # a reader: the first wrong attempt was told the whole combination
        (lambda f, x, h: (4 * _d(f, x, h) - _d(f, x, 2 * h)) / 4, "check the divisor"),
        (lambda f, x, h: (_d(f, x, 2 * h) - 4 * _d(f, x, h)) / 3, "sign is flipped"),
        (lambda f, x, h: (4 * _d(f, x, 2 * h) - _d(f, x, h)) / 3, "wrong way round"),
        (lambda f, x, h: 4 * _d(f, x, h) - _d(f, x, 2 * h) / 3, "parentheses"),
        (lambda f, x, h: 4 * _d(f, x, h) - _d(f, x, 2 * h), "divide by that"),
    ],
)
def test_q2_feedback_names_the_mistake_without_the_combination(wrong, named):
    message = _timed(ch01.q2, wrong).message
    assert named in message, message
    for answer in ("divide by 3", "divide by exactly 3", "(4·D(h) - D(2h)) / 3", "weight 4"):
        assert answer not in message, message


def test_q2_two_extrapolations_are_named_more_than_asked_not_a_failure_to_shrink():
    def twice(f, x, h):  # a reader's answer: a second Richardson step over h, 2h, 4h
        return (16 * ch01.better_central(f, x, h) - ch01.better_central(f, x, 2 * h)) / 15

    message = _timed(ch01.q2, twice).message
    assert "two extrapolations (sixth order)" in message and "the aim is" not in message


def test_q1_the_right_answer_cites_no_formula_the_chapter_never_states():  # a reader
    message = _timed(ch01.q1, 2.0**-23).message
    assert "2/3" not in message and "section 6" not in message, message


def test_feedback_with_a_grad_check_table_keeps_its_line_breaks_in_html(monkeypatch):  # a reader
    import IPython
    import IPython.display

    shown = []
    monkeypatch.setattr(IPython, "get_ipython", lambda: object())
    monkeypatch.setattr(IPython.display, "display", lambda data, raw: shown.append(data))

    def grad_f(a, b):  # the reader's answer: df/db wrong
        return [a, b + math.cos(a)]

    ch01.q5.check(grad_f)
    html = shown[-1]["text/html"]
    assert "white-space:pre-wrap" in html and "\n" in html and "disagree" in html, html
    ch01.q4.check(3.5)  # a one-line message: its stored HTML is as before
    assert "white-space" not in shown[-1]["text/html"]


def test_q3_near_the_window_edge_the_factor_has_two_decimals():  # a reader: "1.6 times" for 1.63
    feedback = _timed(ch01.q3, lambda x: 1.63 * (3 * _EPS) ** (1 / 3) * max(1.0, abs(x)))
    assert "1.63 times larger" in feedback.message, feedback.message


def test_q1_a_float32_eps_compared_in_64_bits_names_the_comparison():  # a reader's answer
    eps = np.float32(1)
    while np.float64(1.0) + eps / 2 > 1.0:
        eps /= 2
    message = _timed(ch01.q1, eps).message
    assert "your loop's comparison happens in 64-bit floats" in message, message
    assert "every number" not in message


def test_q2_richardson_over_h_over_2_is_refused_as_other_steps():  # a reader's answer
    from tinyml.numeric import central_difference as D

    message = _timed(ch01.q2, lambda f, x, h: (4 * D(f, x, h / 2) - D(f, x, h)) / 3).message
    assert "you used steps h/2 and h; use h and 2h" in message, message


def test_q2_a_fourth_order_answer_not_built_from_d_h_and_d_2h_is_not_said_to_cancel():
    from tinyml.numeric import central_difference

    def better_central(f, x, h):  # a reader's answer: one central difference, step h²
        return central_difference(f, x, h**2)

    message = _timed(ch01.q2, better_central).message
    assert "shrinks 16.0 times" in message and "x ± 0.01" in message, message
    assert "other steps than the exercise's; use D(h) and D(2h)" in message
    assert "cancel" not in message
    assert _timed(ch01.q2, ch01.better_central).correct


@pytest.mark.parametrize("k", [1, 2, 3])
def test_q3_a_square_root_step_is_not_called_the_forward_best_step(k):  # a reader's answer
    message = _timed(ch01.q3, lambda x: math.sqrt(k * ch01.EPS) * max(1, abs(x))).message
    assert "a square-root step" in message and "balances h against 1/h" in message, message
    assert "forward difference's best step" not in message


def test_q3_exercise_1s_32_bit_eps_is_named_not_sent_to_redo_the_calculus():  # a reader's answer
    scope = {"eps": np.float32(2**-23)}  # Exercise 1 left eps at float32's epsilon
    exec(
        "def central_step(x):\n    return (3 * eps) ** (1 / 3) * max(1, abs(x))\n",
        scope,
    )
    message = _timed(ch01.q3, scope["central_step"]).message
    assert "32-bit epsilon from Exercise 1" in message and "use EPS" in message, message
    assert "truncation" not in message
    scope["eps"] = ch01.float32_epsilon()  # the same as a Python float
    assert "32-bit epsilon from Exercise 1" in _timed(ch01.q3, scope["central_step"]).message


def test_q3_a_float32_step_is_named_not_called_too_small():  # a reader's answer
    def central_step(x):
        return np.float32((3 * ch01.EPS) ** (1 / 3) * max(1, abs(x)))

    message = _timed(ch01.q3, central_step).message
    assert "numpy.float32" in message and "64-bit" in message, message
    assert "too small" not in message
    assert ch01.q3.grade(lambda x: np.float64(ch01.central_step(x))).correct


def test_q1_a_0d_array_is_graded_by_its_value():  # readers' answers: a 0-d array is a number
    assert _timed(ch01.q1, np.array(2**-23, dtype=np.float32)).correct
    message = _timed(ch01.q1, np.array(2.0**-52)).message  # halved in float64
    assert "64-bit epsilon" in message, message


@pytest.mark.parametrize(
    ("slip", "named"),
    [
        (lambda a, b: [b + math.sin(a), a], "the derivative of sin a is cos a, not sin a"),
        (lambda a, b: [b, a], "lacks cos a"),
        (lambda a, b: [a, b + math.cos(a)], "swapped"),
        (lambda a, b: [b - math.cos(a), a], "+cos a"),
        (lambda a, b: [b * math.cos(a), a], "the product rule is not needed"),  # eighth read
        (lambda a, b: [b + math.cos(a), a + math.cos(a)], "df/db is just a"),  # eighth read
        (lambda a, b: [b + math.cos(a), b], "d(a·b)/db is a: b is the variable"),  # s4b
    ],
)
def test_q5_common_slips_get_a_line_above_the_table(slip, named):  # a reader's suggestion
    message = _timed(ch01.q5, slip).message
    assert message.startswith(named) or named in message.splitlines()[0], message
    assert "claimed" in message  # the grad_check table is still there


def test_q5_a_square_root_that_drops_cos_sign_is_not_called_a_sign_slip():  # reader s5d
    message = _timed(ch01.q5, lambda a, b: [b + math.sqrt(1 - math.sin(a) ** 2), a]).message
    assert "+cos a" not in message, message
    assert message.startswith("at (a, b) = (3.0, -4.0) your df/da disagrees"), message


@pytest.mark.parametrize(
    ("both_wrong", "named"),
    [  # the s6c readers' answers: both entries wrong got only the table
        (lambda a, b: [a + math.cos(a), b], "your two entries swap a·b's derivatives"),
        (lambda a, b: [a * b, 2 * b], "Both entries are off. Take each partial"),
    ],
)
def test_q5_both_entries_wrong_get_a_diagnosis(both_wrong, named):
    message = _timed(ch01.q5, both_wrong).message
    assert named in message.splitlines()[0], message
    assert "df/da and df/db disagree" in message and "claimed" in message, message


@pytest.mark.parametrize(
    ("step", "named"),
    [  # a reader (s6c): "a relative error of 3.7e-09" did not say of which function
        (lambda x: math.sqrt(3 * EPS) * max(1.0, abs(x)), "the checker's f(t) = exp(t) a"),
        (lambda x: 1e-9 * max(1.0, abs(x)), "the checker's f(t) = exp(t) a relative error"),
        (
            lambda x: 1e-9 * 1e3 if x == 1e3 else (3 * EPS) ** (1 / 3) * max(1.0, abs(x)),
            "at x = 1000 the step 1e-06 gives the central difference of the checker's "
            "f(t) = exp(t / 1000) a relative error",
        ),
    ],
)
def test_q3_relative_errors_name_the_function_measured(step, named):
    message = _timed(ch01.q3, step).message
    assert named in message, message


def test_every_solution_ends_with_its_check_call():  # a reader: Q1's did, Q2-Q5's didn't
    for k in range(1, 6):
        last = getattr(ch01, f"q{k}").solution_text.strip().splitlines()[-1]
        assert last.startswith(f"ch01.q{k}.check("), last


def test_a_crash_names_the_argument_and_the_failing_line():  # the eighth read's answer
    def central_step(x):
        return (3 * EPS) ** (1 / 3) * max(1.0, math.abs(x))

    message = _timed(ch01.q3, central_step).message
    assert "calling it with x=0.0 raised AttributeError" in message, message
    assert "(at `return (3 * EPS) ** (1 / 3) * max(1.0, math.abs(x))`)" in message, message


def test_q1_a_float32_loop_started_below_its_epsilon_is_told_it_never_ran():  # a reader's
    eps32 = np.float32(EPS)
    while 1.0 + eps32 / 2 > 1.0:  # False at once in float32: the loop never runs
        eps32 /= 2
    message = _timed(ch01.q1, eps32).message  # the same float32 as a 64-bit comparison's
    assert "the loop never ran" in message and "Start from 1" in message, message
    assert "held in a 32-bit float" in message, message
    for start in (np.float32(1e-20), np.float16(1e-5), np.float32(2.0**-30)):  # any NumPy type
        message = _timed(ch01.q1, start).message
        assert "a loop started there never runs" in message, message
        assert "64-bit" not in message and "Start from 1" in message, message
    for right in (np.float32(2.0**-23), np.array(2.0**-23, dtype=np.float32)):
        assert _timed(ch01.q1, right).correct


def test_q3_a_ratio_just_over_the_limit_is_not_printed_as_the_limit():  # a reader's answer
    feedback = _timed(ch01.q3, lambda x: 1.4e-5 * max(1, abs(x)))  # 1.603 times cbrt(3ε)
    assert feedback.status == "incorrect"
    assert "1.603 times larger" in feedback.message, feedback.message
    assert "1.60 times" not in feedback.message and "up to 1.6" in feedback.message


def test_q3_a_too_small_step_is_not_called_accurate_enough():  # a reader's answer (s5a)
    feedback = _timed(ch01.q3, lambda x: 4e-6 * max(1, abs(x)))
    assert not feedback.correct
    assert "accurate enough" not in feedback.message, feedback.message
    assert "2.18 times smaller than cbrt(3ε)" in feedback.message, feedback.message
    assert "accepts up to 1.6" in feedback.message, feedback.message


def test_q3_a_negative_step_is_told_to_drop_the_minus_sign():  # a reader's answer (s5a)
    feedback = _timed(ch01.q3, lambda x: -((3 * _EPS) ** (1 / 3)) * max(1, abs(x)))
    assert not feedback.correct
    assert "drop the minus sign" in feedback.message, feedback.message
    assert "vanishing" not in feedback.message, feedback.message
    assert "vanishing at 0" in _timed(ch01.q3, lambda x: _EPS ** (1 / 3) * abs(x)).message


def test_q3_the_measured_dip_passes_with_a_note_to_derive_it():  # a reader's answer
    feedback = _timed(ch01.q3, lambda x: 5.6e-6 * max(1, abs(x)))  # section 3 prints this dip
    assert feedback.correct and feedback.status == "accepted"  # titled "Accepted, but" (s6d)
    assert "the dip section 3 measured" in feedback.message and "derive one" in feedback.message
    assert feedback.message.startswith("your step at x = 1, 5.6e-06")  # s5e
    for derived in (ch01.central_step, lambda x: _EPS ** (1 / 3) * max(1.0, abs(x))):
        message = _timed(ch01.q3, derived).message
        assert "dip" not in message, message
    dip = "lowest central error 3.8e-13, at h = 5.6e-06"  # what the chapter prints
    assert math.isclose(float(dip.rsplit("= ", 1)[1]), ch01._Q3_DIP, rel_tol=0.01)


def test_q3_the_printed_central_step_passes_with_a_note_to_derive_it():
    # Going further prints "CENTRAL_STEP = 6.06e-06": copied into the answer, it passes (it is the
    # textbook cbrt(ε), within the 1.6 factor) but the learner is told to derive a step
    printed = "CENTRAL_STEP = 6.06e-06  (central_difference's)"
    chapter = Path(__file__).parent.parent / "notebooks" / "01_finite_differences.ipynb"
    assert printed in chapter.read_text(encoding="utf-8")
    for copied in (lambda x: 6.06e-6 * max(1, abs(x)), lambda x: CENTRAL_STEP * max(1, abs(x))):
        feedback = _timed(ch01.q3, copied)
        assert feedback.correct
        assert "CENTRAL_STEP, the package's default" in feedback.message
        assert "Derive one too" in feedback.message
    assert "CENTRAL_STEP" not in _timed(ch01.q3, ch01.central_step).message


def _float32_loop(start, halved=True):
    eps32 = np.float32(start)
    while (1.0 + eps32 / 2 > 1.0) if halved else (1.0 + eps32 > 1.0):
        eps32 /= 2
    return eps32


@pytest.mark.parametrize(  # reader s4b: loops that ran were told they never ran
    ("eps32", "named"),
    [
        (_float32_loop(10), "7.45e-08 is not a power of two, and epsilon is one"),
        (_float32_loop(0.001), "6.1e-08 is not a power of two"),
        (_float32_loop(10, halved=False), "3.73e-08 is not a power of two"),
        (_float32_loop(1, halved=False), "one halving too far. Did the loop's condition lose"),
        (2.0**-24, "lose its /2"),
    ],
)
def test_q1_a_loop_that_ran_is_not_told_it_never_ran(eps32, named):
    message = _timed(ch01.q1, eps32).message
    assert named in message, message
    assert "never ran" not in message and "started at" not in message, message


def test_q2_the_precedence_slip_is_named():  # reader s4b: /2*h multiplies by h
    def better_central(f, x, h):
        d1 = (f(x + h) - f(x - h)) / 2 * h
        d2 = (f(x + 2 * h) - f(x - 2 * h)) / 4 * h
        return (4 * d1 - d2) / 3

    message = _timed(ch01.q2, better_central).message
    assert "h² = 0.01 times the right answer" in message, message
    assert "/2*h" in message and "/(2*h)" in message, message


def test_q5_a_crash_quotes_the_learners_line_not_the_checkers():  # reader s4b
    def grad_f(a, b):
        return [b + cos(a), a]  # noqa: F821 (the reader's typo: math.cos meant)

    message = _timed(ch01.q5, grad_f).message
    assert "raised NameError" in message, message
    assert "(at `return [b + cos(a), a]  # noqa" in message, message
    assert "learner(*args)" not in message, message


def test_q2_abs_around_the_right_answer_fails_on_a_negative_derivative():  # reader s4c
    def central(f, x, h):
        return (f(x + h) - f(x - h)) / (2 * h)

    feedback = _timed(
        ch01.q2, lambda f, x, h: abs((4 * central(f, x, h) - central(f, x, 2 * h)) / 3)
    )
    assert not feedback.correct
    assert "f' is negative there" in feedback.message and "abs()" in feedback.message


def test_q3_no_step_formula_before_exercise_3():  # reader s4c; s6c: the value may show, no root
    chapter = Path(__file__).parent.parent / "notebooks" / "01_finite_differences.ipynb"
    text = json.dumps(json.loads(chapter.read_text(encoding="utf-8")), ensure_ascii=False)
    before = text.replace("\\\\", "\\").split("### Exercise 3")[0]  # JSON's \\ as \
    for spoiler in ("cbrt", "1 / 3", "1/3", "\\sqrt[3]", "8.7e-06", "8.7 \\times"):
        assert spoiler not in before, spoiler
    assert "CENTRAL_STEP = 6.06e-06" in before  # section 4 prints the value (s6c readers)


@pytest.mark.parametrize(
    "degrees",
    [
        lambda a, b: [b + math.cos(math.radians(a)), a],
        lambda a, b: [b + math.pi / 180 * math.cos(math.radians(a)), a],
    ],
)
def test_q5_a_radians_slip_is_named_above_the_table(degrees):  # reader s4c: only the table
    feedback = _timed(ch01.q5, degrees)
    assert not feedback.correct
    assert "radians" in feedback.message and "math.cos(a)" in feedback.message


def test_q1_a_typed_in_epsilon_passes_with_a_note_to_run_the_loop():  # a reader's answer (s4d)
    typed = _timed(ch01.q1, 2.0**-23)
    assert typed.correct and "if you typed the value in, run the loop too" in typed.message
    looped = _timed(ch01.q1, ch01.q1.answer())  # the loop's own np.float32: no note
    assert looped.correct and "Note:" not in looped.message, looped.message
    looked_up = _timed(ch01.q1, np.finfo(np.float32).eps)  # a float32 too: the praise names it
    assert looked_up.correct and "np.finfo(np.float32).eps looks it up" in looked_up.message


def test_q5_a_float32_answer_grad_check_passes_is_told_so_first():  # a reader's answer (s4d)
    from tinyml.numeric import grad_check

    def grad_f(a, b):
        return [float(np.float32(b) + np.cos(np.float32(a))), a]

    assert grad_check(lambda a, b: a * b + math.sin(a), (0.5, 2.0), grad_f(0.5, 2.0))
    feedback = _timed(ch01.q5, grad_f)
    assert not feedback.correct
    assert feedback.message.startswith("grad_check passes this"), feedback.message
    assert "compute in 64-bit floats" in feedback.message


def test_q5_hard_coded_numbers_are_told_to_come_from_a_and_b():  # a reader's answer (s4d)
    feedback = _timed(ch01.q5, lambda a, b: [2 + math.cos(0.5), 0.5])
    assert not feedback.correct
    assert "returns the same numbers" in feedback.message, feedback.message
    assert "Compute it from a and b" in feedback.message and "FAILED" not in feedback.message
    assert ch01.q5.grade(ch01.grad_f).correct  # a right formula is still right


def test_q3_three_times_cbrt_eps_is_named_a_precedence_slip():  # a reader's answer
    feedback = _timed(ch01.q3, lambda x: 3 * _EPS ** (1 / 3) * max(1, abs(x)))
    assert not feedback.correct
    assert "3·cbrt(ε)" in feedback.message and "(3 * EPS) ** (1 / 3)" in feedback.message
    assert "accurate enough" not in feedback.message, feedback.message


def test_q3_abs_x_without_max_is_pointed_to_max_1_x():  # a reader's answer
    feedback = _timed(ch01.q3, lambda x: (3 * _EPS) ** (1 / 3) * abs(x))
    assert not feedback.correct
    assert "central_step(0) = 0.0" in feedback.message
    assert "max(1, |x|) keeps it from vanishing at 0" in feedback.message, feedback.message


@pytest.mark.parametrize(
    "ignores_f, words",
    [
        (lambda f, x, h: math.cos(x), "derivative of sin worked out by hand"),  # a reader's
        (lambda f, x, h: 1.0, "build the answer from calls of the f you are given"),  # answers
        (lambda f, x, h: (math.sin(x + h) - math.sin(x - h)) / (2 * h), "not math.sin(x + h)"),
    ],
)
def test_q2_an_answer_that_ignores_f_is_told_what_it_computed(ignores_f, words):
    feedback = ch01.q2.grade(ignores_f)
    assert not feedback.correct
    assert "never calls f" in feedback.message
    assert words in feedback.message.lower(), feedback.message


def test_q3_a_bare_constant_passes_with_a_note_to_derive_it():  # reader s4f's answers
    for bare in (
        lambda x: 1e-5 * max(1, abs(x)),
        lambda x: (4 * _EPS) ** (1 / 3) * max(1, abs(x)),
    ):
        feedback = _timed(ch01.q3, bare)
        assert feedback.correct and feedback.status == "accepted"  # "Accepted, but" (s6d)
        assert "not cbrt(kε)" in feedback.message and "derive one" in feedback.message
    for k in (1.5, 3, 6):  # the derived steps the praise names: no note, titled "Correct"
        feedback = _timed(ch01.q3, lambda x, k=k: (k * _EPS) ** (1 / 3) * max(1, abs(x)))
        assert feedback.status == "correct" and "Note:" not in feedback.message, feedback
    copied = _timed(ch01.q3, lambda x: ch01.CENTRAL_STEP * max(1, abs(x)))  # cbrt(ε): a note
    assert copied.status == "correct" and "is CENTRAL_STEP" in copied.message, copied


def test_q1_a_typed_in_numpy_float64_gets_the_note_too():  # reader s4f's answer
    feedback = _timed(ch01.q1, np.float64(2**-23))
    assert feedback.correct
    assert "is a float64" in feedback.message and "if you typed the value in" in feedback.message


def test_q1_the_unchanged_start_value_is_told_the_loop_never_halved():  # reader s4f's answer
    for start in (np.float32(1), 1.0):
        feedback = _timed(ch01.q1, start)
        assert feedback.status == "incorrect"
        assert "never halved" in feedback.message and "1.0 + eps32 / 2 > 1.0" in feedback.message


def test_q1_a_loop_with_a_float32_condition_is_not_told_it_typed_the_value():  # reader s4g
    eps32 = 1.0  # the start left as it was; the 32-bit float sits in the condition instead
    while np.float32(1.0) + eps32 / 2 > 1.0:
        eps32 /= 2
    assert type(eps32) is float and eps32 == 2.0**-23
    feedback = _timed(ch01.q1, eps32)
    assert feedback.correct, feedback.message
    assert "did you type it in?" not in feedback.message, feedback.message
    assert "made its sum 32-bit another way, fine" in feedback.message, feedback.message


def test_q4_praise_and_section_5_name_the_same_chapter_for_the_fast_gradient():  # reader s4g
    import json

    said = "Backpropagation (chapter 4) gets all n partial derivatives for a small multiple of"
    assert ch01.q4.praise.startswith(said)
    chapter = Path(__file__).parent.parent / "notebooks" / "01_finite_differences.ipynb"
    cells = json.loads(chapter.read_text(encoding="utf-8"))["cells"]
    text = " ".join("".join(c["source"]).replace("$", "") for c in cells)
    assert said in " ".join(text.split()), "section 5 says it another way"
    assert "Chapters 2–4" not in text


def test_q2_a_float32_answer_is_told_about_its_precision():  # a reader's answer (s5a)
    def d(f, x, h):
        return (f(x + h) - f(x - h)) / (2 * h)

    feedback = _timed(ch01.q2, lambda f, x, h: np.float32((4 * d(f, x, h) - d(f, x, 2 * h)) / 3))
    assert not feedback.correct
    assert "numpy.float32" in feedback.message and "64-bit" in feedback.message, feedback.message
    assert "check the sum" not in feedback.message, feedback.message


def test_q2_an_added_constant_is_named_not_a_factor_of_1():  # a reader's answer (s5a)
    feedback = _timed(
        ch01.q2,
        lambda f, x, h: (
            (8 * (f(x + h) - f(x - h)) - (f(x + 2 * h) - f(x - 2 * h))) / (12 * h) + 1e-9
        ),
    )
    assert not feedback.correct
    assert "a constant added to the answer" in feedback.message, feedback.message
    assert "1 times the right one" not in feedback.message, feedback.message
    assert ch01.q2.grade(ch01.better_central).correct


def test_q2_a_step_too_small_says_the_error_grows():  # a reader's answer (s5b item 3)
    message = _timed(
        ch01.q2, lambda f, x, h: (4 * _d(f, x, h * 1e-3) - _d(f, x, 2 * h * 1e-3)) / 3
    ).message
    assert "your error grows 2.1 times" in message and "shrinks 0." not in message, message


def test_q3_a_numpy_array_step_is_told_to_return_a_float_not_called_not_positive():  # s5e
    def central_step(x):  # the reader's exact answer
        return np.array((3 * EPS) ** (1 / 3) * max(1, abs(x)))

    feedback = _timed(ch01.q3, central_step)
    assert feedback.status == "incorrect"
    assert "return a Python float, not a NumPy array" in feedback.message, feedback.message
    assert "positive" not in feedback.message, feedback.message
    assert _timed(ch01.q3, lambda x: float(central_step(x))).correct


def test_q2_one_difference_at_the_default_step_is_told_it_ignores_h():  # reader s6a 1
    from tinyml.numeric import central_difference

    def better_central(f, x, h):  # the reader's exact body: the first D has no h
        return (4 * central_difference(f, x) - central_difference(f, x, 2 * h)) / 3

    message = _timed(ch01.q2, better_central).message
    assert "one of your differences ignores h" in message, message
    assert "central_difference's default step" in message and "weights" not in message, message

    def right(f, x, h):  # the reader's right answer still passes
        return (4 * central_difference(f, x, h) - central_difference(f, x, 2 * h)) / 3

    assert _timed(ch01.q2, right).correct


@pytest.mark.parametrize(
    "forward",
    [  # readers s6a 1 and 2: Richardson over forward differences
        lambda f, x, h: (4 * ((f(x + h) - f(x)) / h) - (f(x + 2 * h) - f(x)) / (2 * h)) / 3,
        lambda f, x, h: (
            (4 * ch01.forward_difference(f, x, h) - ch01.forward_difference(f, x, 2 * h)) / 3
        ),
    ],
)
def test_q2_forward_differences_shrinking_2_times_are_named_forward(forward):
    message = _timed(ch01.q2, forward).message
    assert "shrinks 2.0 times" in message and "those are forward differences" in message, message


def test_q4_the_multiply_add_count_is_named_not_hours():  # reader s6a 2: hours = 1e12
    message = _timed(ch01.q4, 1e12).message
    assert "is the number of multiply-adds" in message and "10^8 per second" in message, message


@pytest.mark.parametrize(
    "step",
    [
        lambda x: (3 * _EPS / 2) ** (1 / 2) * max(1, abs(x)),  # a reader's answer (round d)
        lambda x: math.sqrt(1.5 * _EPS) * max(1, abs(x)),
    ],
)
def test_q3_a_square_root_step_already_scaled_is_named_not_told_to_scale(step):
    feedback = _timed(ch01.q3, step)
    assert not feedback.correct
    assert "square-root step, √(1.5ε)" in feedback.message, feedback.message
    assert "scale the step with |x|" not in feedback.message, feedback.message


def test_q3_a_scaled_too_small_step_is_not_told_to_scale_with_x():  # a reader's note (round d)
    feedback = _timed(ch01.q3, lambda x: 2e-9 * max(1.0, abs(x)))
    assert not feedback.correct and "too small: round-off" in feedback.message
    assert "scale the step with |x|" not in feedback.message, feedback.message
