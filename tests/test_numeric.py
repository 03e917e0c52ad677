"""tinyml.numeric: machine epsilon, finite differences, gradient checks."""

from __future__ import annotations

import inspect
import math
import sys

import pytest
from hypothesis import given
from hypothesis import strategies as st

from tinyml.numeric import (
    CENTRAL_STEP,
    EPS,
    FORWARD_STEP,
    CallCounter,
    central_difference,
    forward_difference,
    grad_check,
    machine_epsilon,
    numeric_gradient,
)

reals = st.floats(min_value=-50, max_value=50, allow_nan=False, allow_infinity=False)


def test_machine_epsilon_by_halving_matches_python():
    assert machine_epsilon() == sys.float_info.epsilon == EPS
    assert 1.0 + EPS > 1.0 and 1.0 + EPS / 2 == 1.0


def test_best_steps_are_sqrt_and_cbrt_of_eps():
    assert FORWARD_STEP == pytest.approx(1.49e-8, rel=1e-2)
    assert CENTRAL_STEP == pytest.approx(6.06e-6, rel=1e-2)


def test_naive_step_breaks_at_large_x_but_default_step_does_not():
    def square(x):
        return x * x

    assert 1000.0 + EPS == 1000.0
    assert (square(1000.0 + EPS) - square(1000.0)) / EPS == 0.0  # the seed's step
    assert forward_difference(square, 1000.0) == pytest.approx(2000.0, rel=1e-6)
    assert central_difference(square, 1000.0) == pytest.approx(2000.0, rel=1e-9)


@given(reals)
def test_central_difference_of_known_derivatives(x):
    # the default step grows with |x|, so sin's truncation error grows like (cbrt(eps) x)^2
    assert central_difference(math.sin, x) == pytest.approx(math.cos(x), abs=1e-9 * max(1, x * x))
    assert central_difference(lambda t: t**3, x) == pytest.approx(3 * x * x, rel=1e-8, abs=1e-8)
    assert forward_difference(math.sin, x) == pytest.approx(math.cos(x), abs=1e-7 * max(1, abs(x)))


@given(st.floats(min_value=-1e8, max_value=1e8, allow_nan=False))
def test_default_steps_survive_any_magnitude(x):
    # exp(t / s) has derivative exp(t/s)/s; with s ~ |x| the scaled step is the right one.
    s = max(1.0, abs(x))

    def f(t):
        return math.exp(t / s)

    exact = math.exp(x / s) / s
    assert central_difference(f, x) == pytest.approx(exact, rel=1e-8)
    assert forward_difference(f, x) == pytest.approx(exact, rel=1e-6)


def test_central_is_more_accurate_than_forward_at_their_best_steps():
    errors_fwd = abs(forward_difference(math.exp, 1.0) - math.e)
    errors_cen = abs(central_difference(math.exp, 1.0) - math.e)
    assert errors_cen < errors_fwd / 100


@pytest.mark.parametrize("h", [0, -1e-3, 0.0])
def test_non_positive_step_is_rejected(h):
    with pytest.raises(ValueError, match="step h must be positive"):
        central_difference(math.sin, 1.0, h)


def test_step_lost_in_rounding_is_rejected_with_the_fix():
    with pytest.raises(ValueError, match=r"x \+ h == x"):
        forward_difference(math.sin, 1000.0, EPS)


@pytest.mark.parametrize("x", [math.nan, math.inf, -math.inf])
def test_non_finite_x_is_rejected(x):
    with pytest.raises(ValueError, match="x must be finite"):
        forward_difference(math.sin, x)


@pytest.mark.parametrize("bad", ["1.0", None, True, [1.0]])
def test_non_number_x_is_rejected(bad):
    with pytest.raises(TypeError, match="x must be a real number"):
        central_difference(math.sin, bad)


def test_non_callable_f_is_rejected():
    with pytest.raises(TypeError, match="not callable"):
        central_difference(3.0, 1.0)


def test_non_finite_or_non_number_result_is_reported():
    with pytest.raises(ValueError, match="not finite"):
        central_difference(lambda t: math.inf if t > 0 else 0.0, 0.0)
    with pytest.raises(TypeError, match="must return a real number"):
        central_difference(lambda t: "oops", 1.0)


def test_numeric_gradient_costs_two_calls_per_parameter():
    counted = CallCounter(lambda *p: sum(v * v for v in p))
    grads = numeric_gradient(counted, [1.0, -2.0, 3.0])
    assert counted.calls == 6
    assert grads == pytest.approx([2.0, -4.0, 6.0], rel=1e-8)


def test_numeric_gradient_needs_parameters():
    with pytest.raises(ValueError, match="params is empty"):
        numeric_gradient(lambda: 0.0, [])


def test_grad_check_accepts_right_and_names_wrong_partials():
    def f(a, b):
        return a * b + math.sin(a)

    good = grad_check(f, [0.5, 2.0], [2.0 + math.cos(0.5), 0.5])
    assert good and good.ok and good.mismatches == []
    assert "passed" in repr(good)
    # the second column holds each parameter's value, not its name (ch02 reader s4a)
    header, first = repr(good).splitlines()[1:3]
    assert header.split()[:3] == ["i", "param", "value"] and first.split()[1] == "0.5"

    bad = grad_check(f, [0.5, 2.0], [2.0, 0.5])  # forgot the cos term
    assert not bad and bad.mismatches == [0]
    text = repr(bad)
    assert "FAILED for 1 of 2" in text and "disagrees" in text
    assert bad.error(0) == pytest.approx(math.cos(0.5), rel=1e-6)


def test_grad_check_wants_one_claim_per_parameter():
    with pytest.raises(ValueError, match="2 claimed derivatives for 3 parameters"):
        grad_check(lambda a, b, c: a, [1.0, 2.0, 3.0], [1.0, 0.0])


def test_grad_check_rtol_decides_a_relative_error():
    # f(a) = 3a at a = 2: the central difference of a straight line is 3 up to round-off
    # (~1e-10). Claiming 3.03 is off by 0.03, and scale = max(3.03, 3) = 3.03, so with atol = 0
    # it agrees iff 0.03 <= rtol * 3.03: yes for rtol = 1e-2 (0.0303), no for 1e-3 (0.00303).
    def f(a):
        return 3 * a

    assert grad_check(f, [2.0], [3.03], rtol=1e-2, atol=0)
    assert not grad_check(f, [2.0], [3.03], rtol=1e-3, atol=0)
    assert not grad_check(f, [2.0], [3.03], rtol=1e-4, atol=0)


def test_grad_check_atol_decides_near_zero():
    # f(a) = a² at a = 0: the central difference is ((0 + h)² - (0 - h)²) / 2h = 0 exactly.
    # Claiming 5e-7 is off by 5e-7, and with rtol = 0 it agrees iff 5e-7 <= atol:
    # yes for atol = 1e-6, no for atol = 1e-7 (the default) or 1e-8.
    def f(a):
        return a * a

    assert grad_check(f, [0.0], [0.0]).numeric == [0.0]
    assert grad_check(f, [0.0], [5e-7], rtol=0, atol=1e-6)
    assert not grad_check(f, [0.0], [5e-7], rtol=0, atol=1e-7)
    assert not grad_check(f, [0.0], [5e-7], rtol=0, atol=1e-8)


@pytest.mark.parametrize("name", ["rtol", "atol"])
def test_grad_check_rejects_bad_tolerances(name):
    def ident(a):
        return a

    for bad in (math.inf, math.nan):  # an infinite rtol would pass any claim at all
        with pytest.raises(ValueError, match=f"tolerance {name} must be finite"):
            grad_check(ident, [1.0], [100.0], **{name: bad})
    for bad in ("x", None, True):
        with pytest.raises(TypeError, match=f"tolerance {name} must be a real number"):
            grad_check(ident, [1.0], [100.0], **{name: bad})
    with pytest.raises(ValueError, match=f"{name} must be 0 or more"):
        grad_check(ident, [1.0], [100.0], **{name: -1e-5})


@pytest.mark.parametrize("bad", [3.0, None, "12"])
def test_grad_check_and_numeric_gradient_want_sequences_of_numbers(bad):
    def f(a):
        return a

    with pytest.raises(TypeError, match="grads must be a sequence of numbers"):
        grad_check(f, [1.0], bad)
    with pytest.raises(TypeError, match="params must be a sequence of numbers"):
        grad_check(f, bad, [1.0])
    with pytest.raises(TypeError, match="params must be a sequence of numbers"):
        numeric_gradient(f, bad)


def test_grad_check_names_a_bad_entry():
    with pytest.raises(TypeError, match=r"grads\[1\] must be a real number"):
        grad_check(lambda a, b: a, [1.0, 2.0], [1.0, "0"])
    with pytest.raises(ValueError, match=r"params\[0\] must be finite"):
        grad_check(lambda a: a, [math.nan], [1.0])
    assert grad_check(lambda a, b: a * b, (x for x in (2.0, 3.0)), (3.0, 2.0))  # any iterable


def test_step_size_errors_are_the_errors_of_the_package_differences():
    from tinyml.plots import step_size_errors

    steps, fwd, cen = step_size_errors()
    assert len(steps) == 60 and steps[-1] == EPS  # down to the naive step, fine at x = 1
    for h, ef, ec in zip(steps, fwd, cen, strict=True):
        assert ef == abs(forward_difference(math.sin, 1.0, h) - math.cos(1.0))
        assert ec == abs(central_difference(math.sin, 1.0, h) - math.cos(1.0))
    # the same checks as forward_difference: at x = 1000 the step eps is lost in rounding
    with pytest.raises(ValueError, match=r"x \+ h == x"):
        step_size_errors(x=1000.0)


def test_call_counter_prints_the_function_and_count_without_an_address():
    counted = CallCounter(math.sin)
    counted(1.0)
    counted(2.0)
    assert repr(counted) == "CallCounter(sin, calls=2)"
    assert "0x" not in repr(CallCounter(lambda t: t))


def test_lesson_view_of_the_gradient_functions_folds_only_their_checks():
    from tinyml import numeric, show

    source = inspect.getsource(numeric.numeric_gradient) + inspect.getsource(numeric.grad_check)
    for word in numeric.LIST_CHECKS:  # a renamed line would silently show again
        assert word in source, word
    text = str(show(numeric.numeric_gradient, numeric.grad_check, view="lesson"))
    for hidden in ("_check_callable", "_tolerance", "raise ValueError"):
        assert hidden not in text, hidden
    assert 'point = _numbers(params, "params")' in text  # a reader: point was never defined
    assert "All partial derivatives" in text and "def along(i: int)" in text
    assert "central_difference(along(i), point[i], h)" in text
    assert "numeric = numeric_gradient(f, point)" in text
