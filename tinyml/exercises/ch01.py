"""Chapter 1 exercises: finite differences."""

from __future__ import annotations

import functools
import inspect
import math
import numbers
import sys
from collections.abc import Mapping

from tinyml.exercises import Incorrect, Question, call_learner
from tinyml.numeric import CENTRAL_STEP, EPS, FORWARD_STEP, central_difference, forward_difference

# q1 ---------------------------------------------------------------------------------------


def float32_epsilon():
    import numpy as np

    eps = np.float32(1)
    while 1.0 + eps / 2 > 1.0:  # 1.0 and 2 take eps's type: the sum is float32
        eps /= 2
    return float(eps)


def _loop_result():  # what the solution's loop ends with: a np.float32, not a Python float
    import numpy as np

    return np.float32(float32_epsilon())


def _numpy_float_epsilon(answer):
    """The epsilon of the answer's own NumPy float type (float32: 2⁻²³), or None."""
    dtype = getattr(answer, "dtype", None)
    if dtype is None or getattr(dtype, "kind", None) != "f":
        return None
    import numpy as np

    return float(np.finfo(dtype).eps)


def _check_q1(answer):
    own_eps = _numpy_float_epsilon(answer)
    dtype_name = str(getattr(answer, "dtype", ""))
    if type(answer).__name__ == "ndarray" and getattr(answer, "shape", None) == ():
        answer = answer.item()  # np.array(1.0, dtype=np.float32) halves in float32 too
    if isinstance(answer, bool) or not isinstance(answer, numbers.Real):
        raise Incorrect(f"give a number, not {type(answer).__name__}")
    answer = float(answer)
    if own_eps is not None and answer == EPS < own_eps:  # a float32 holding 2⁻⁵²: two readers
        raise Incorrect(
            "that is the 64-bit epsilon, 2⁻⁵², held in a 32-bit float. Either your loop's "
            "comparison happens in 64-bit floats (a np.float64 in it), or eps32 started below "
            "float32's own epsilon, so 1.0 + eps32 / 2 > 1.0 was False at once and the loop "
            "never ran. Start from 1, and keep the comparison 32-bit"
        )
    kind = dtype_name if own_eps is not None else "float32"
    if answer == (own_eps or 2**-23) / 2:  # np.float32(1) halved while 1.0 + eps32 > 1.0
        raise Incorrect(
            f"that is half of {kind}'s epsilon: 1 + answer == 1 in {kind}, one halving too "
            "far. Did the loop's condition lose its /2?"
        )
    if own_eps is not None and own_eps / 4 < answer < own_eps:  # a run from np.float32(10)
        raise Incorrect(
            f"{answer:.3g} is not a power of two, and epsilon is one: start the loop from 1, "
            "as section 1's loop does"
        )
    if own_eps is not None and 0 < answer < own_eps:  # below where any halving loop ends
        raise Incorrect(
            f"{answer:.3g} is below {kind}'s own epsilon: 1.0 + {answer:.3g} / 2 == 1.0 in "
            f"{kind} already, so a loop started there never runs and returns its start. "
            "Start from 1, as section 1's loop does"
        )
    if answer == EPS:
        raise Incorrect(
            "that is the 64-bit epsilon: your loop's comparison happens in 64-bit floats"
        )
    if answer == 2**-10:
        raise Incorrect(
            "that is float16's epsilon, 2⁻¹⁰: your loop ran in 16-bit floats; the exercise "
            "asks about 32-bit ones"
        )
    if answer == 23:
        raise Incorrect(
            "23 is the number of fraction bits; give epsilon itself, 2 to the minus that"
        )
    if answer == 2**-22:
        raise Incorrect("that is twice epsilon: you stopped one halving too early")
    if answer != 2**-23 and 1e-8 < answer < 1e-6:
        raise Incorrect(
            f"{answer!r} is close, but epsilon is an exact power of two: find it by halving"
        )
    if answer == 1.0:  # the start value as it is: the loop never ran (a reader's answer)
        raise Incorrect(
            "1.0 is where the loop starts: your loop never halved. Did it run, and is its "
            "condition `1.0 + eps32 / 2 > 1.0`?"
        )
    if answer != 2**-23:
        raise Incorrect(f"{answer!r} is not the gap between 1 and the next float32")


def _q1_note(answer) -> str:
    """Exercise 1: a right value that is not a float32 from the loop is asked for the loop."""
    if str(getattr(answer, "dtype", "")) == "float32":
        return ""
    kind = "a plain Python number"  # 2.0**-23 typed in; np.float64(2**-23) too (a reader)
    if _numpy_float_epsilon(answer) is not None:
        kind = f"a {answer.dtype}"
    return (  # a loop with np.float32 in its condition ends on a plain float too (reader s4g)
        f"Note: {answer!r} is {kind}, not the np.float32 the loop ends with. If your loop "
        "made its sum 32-bit another way, fine; if you typed the value in, run the loop too: "
        "it finds epsilon for any float type."
    )


q1 = Question(
    title="Machine epsilon of float32",
    checker=_check_q1,
    note=_q1_note,
    praise="2^-23 ≈ 1.2e-7: float32 keeps 23 fraction bits (float64: 52), about 7 decimal "
    "digits against 16 (np.finfo(np.float32).eps looks it up; the loop finds it from the "
    "arithmetic alone). A finite difference loses about half of them (the next sections show "
    "why), which is why gradcheck wants 64-bit inputs.",
    hint_text="The chapter's halving loop works for any kind of float. What has to change "
    "so that the sum 1 + eps / 2 it tests is computed with 32-bit floats?",
    more_hints=(
        "The cell already holds section 1's loop; only the start value is yours. NumPy has a "
        "32-bit float type, and in NumPy 2 a plain Python number that meets one takes its "
        "type. Which of the loop's numbers can carry a 32-bit type into the sum?",
        "It is enough that eps32 itself starts as a 32-bit float: start from "
        "eps32 = np.float32(1) and keep the chapter's loop as it is. eps32 / 2, eps32 /= 2 and "
        "1.0 + eps32 / 2 then all stay float32. (Starting from eps32 = 1.0 makes every number "
        "a 64-bit Python float.)",
    ),
    solution_text=(
        "eps32 = np.float32(1)  # a 32-bit one: 1.0 and 2 in the loop take its type\n"
        "while 1.0 + eps32 / 2 > 1.0:\n"
        "    eps32 /= 2\n"
        "ch01.q1.check(eps32)  # 2**-23, about 1.19e-07"
    ),
    answer=_loop_result,
    wrong=[
        (EPS, "64-bit"),
        (2**-10, "float16"),
        (2**-24, "lose its /2"),
        (2**-22, "one halving too early"),
        (1e-7, "exact power of two"),
        (23, "fraction bits"),
    ],
)

# q2 ---------------------------------------------------------------------------------------


def _central(f, x, h):
    return (f(x + h) - f(x - h)) / (2 * h)


def better_central(f, x, h):
    d1 = (f(x + h) - f(x - h)) / (2 * h)  # error about c·h²
    d2 = (f(x + 2 * h) - f(x - 2 * h)) / (4 * h)  # error about c·(2h)² = 4·c·h²
    return (4 * d1 - d2) / 3  # the c·h² terms cancel; 4·f' - f' = 3·f'


def _d2h_over_2h(f, x, h):  # a typical slip: D(2h) with the denominator of D(h)
    d1 = (f(x + h) - f(x - h)) / (2 * h)
    d2 = (f(x + 2 * h) - f(x - 2 * h)) / (2 * h)
    return (4 * d1 - d2) / 3


def _two_extrapolations(f, x, h):  # a reader's answer: Richardson over h, 2h and 4h
    return (16 * better_central(f, x, h) - better_central(f, x, 2 * h)) / 15


def _fifth(t):
    return t**5


# math.cos at 1: a negative derivative, so abs() around a right answer fails (reader s4c)
_Q2_CASES = [
    (math.exp, 0.5, 0.1),
    (math.sin, 1.0, 0.05),
    (_fifth, 1.5, 0.25),
    (math.cos, 1.0, 0.05),
]
_Q2_NAMES = {
    math.exp: "math.exp",
    math.sin: "math.sin",
    _fifth: "lambda t: t**5",
    math.cos: "math.cos",
}


def _q2_call(f, x, h):
    """How a message names the checker's call, with f spelled out: better_central(math.exp, …)."""
    return f"better_central({_Q2_NAMES[f]}, {x}, {h})"


def _forward(f, x, h):
    return (f(x + h) - f(x)) / h


_Q2_DENOMINATOR = (
    "your D(2h) divides by 2h: f(x + 2h) - f(x - 2h) spans a step of 4h, so D(2h) = "
    "(f(x + 2h) - f(x - 2h)) / (4h)"
)


_Q2_DENOMINATOR_H = (
    "your D(h) divides by h: f(x + h) - f(x - h) spans a step of 2h, so D(h) = "
    "(f(x + h) - f(x - h)) / (2h)"
)


def _dh_over_h(f, x, h):  # the same slip in D(h): a reader's answer
    d1 = (f(x + h) - f(x - h)) / h
    d2 = (f(x + 2 * h) - f(x - 2 * h)) / (4 * h)
    return (4 * d1 - d2) / 3


def _sin_not_f(f, x, h):  # a reader's answer: math.sin where f was meant
    d1 = (math.sin(x + h) - math.sin(x - h)) / (2 * h)
    d2 = (math.sin(x + 2 * h) - math.sin(x - 2 * h)) / (4 * h)
    return (4 * d1 - d2) / 3


def _points_at(learner, f, x, h, call) -> list:
    """The numbers the learner's better_central(f, x, h) evaluates f at, in order (a forward
    difference calls it at x itself)."""
    points = []

    def recording(t):
        points.append(t)
        return f(t)

    call_learner(learner, recording, x, h, call=call)
    return points


def _q2_points(learner, f, x, h):
    """Which points the learner's answer evaluates f at, told against x ± h and x ± 2h."""
    points = _points_at(learner, f, x, h, _q2_call(f, x, h))
    offsets = sorted({abs(t - x) for t in points if isinstance(t, numbers.Real)})
    others = [d for d in offsets if not any(math.isclose(d, k * h) for k in (1, 2))]
    if not others:
        return "with the exercise's points, x ± h and x ± 2h, the value differs: check the sum"
    spread = ", ".join(dict.fromkeys(f"x ± {d:.3g}" for d in offsets))  # 0.2 once, not twice
    return (
        f"with h = {h} yours evaluates f at {spread}: other steps than the exercise's; use "
        "D(h) and D(2h), the central differences with steps exactly h and 2h"
    )


def _q2_fixed_steps(learner, f, x, h):
    """Offsets from x the answer evaluates f at for steps h, h/2 and h/3 alike: steps that
    ignore h (a reader's answer: central_difference(f, x) with no h, for D(h))."""
    seen = []
    for step in (h, h / 2, h / 3):
        points = _points_at(learner, f, x, step, _q2_call(f, x, step))
        seen.append({abs(t - x) for t in points if isinstance(t, numbers.Real)} - {0})
    first, *others = seen
    return sorted(
        d for d in first if all(any(math.isclose(d, e, rel_tol=1e-9) for e in s) for s in others)
    )


def _q2_fixed_message(expected, x, fixed):
    spread = ", ".join(dict.fromkeys(f"x ± {d:.3g}" for d in fixed))  # x + s, x - s: once
    why = (
        f"{expected}. Yours evaluates f at {spread} whatever h is: one of your differences "
        "ignores h"
    )
    defaults = {
        CENTRAL_STEP * max(1.0, abs(x)): "central_difference's",
        FORWARD_STEP * max(1.0, abs(x)): "forward_difference's",
    }
    named = [name for d in fixed for step, name in defaults.items() if math.isclose(d, step)]
    if named:
        why += f" ({named[0]} default step, taken when no h is passed)"
    return why + ". Give D(h) the step h and D(2h) the step 2h"


def _q2_number(learner, f, x, h):
    call = _q2_call(f, x, h)
    got = call_learner(learner, f, x, h, call=call)
    if isinstance(got, bool) or not isinstance(got, numbers.Real):
        raise Incorrect(f"{call} returned {got!r}, not a number")
    if not math.isfinite(got):
        raise Incorrect(f"{call} returned {got!r}, not a finite number; f'(x) is finite here")
    return float(got)


def _check_q2(learner):
    if not callable(learner):
        raise Incorrect("pass your function itself, e.g. ch01.q2.check(better_central)")
    for f, x, h in _Q2_CASES:
        got = _q2_number(learner, f, x, h)
        call = _q2_call(f, x, h)
        want = better_central(f, x, h)
        if math.isclose(got, want, rel_tol=1e-9):
            continue
        raw = call_learner(learner, f, x, h, call=call)
        if type(raw).__module__ == "numpy" and not isinstance(raw, float):
            if math.isclose(got, want, rel_tol=1e-6):  # a reader's answer: np.float32(...)
                raise Incorrect(
                    f"{call} returned a numpy.{type(raw).__name__}, {got!r}: right to about 7 "
                    "digits, all a 32-bit float holds. Return a 64-bit Python float"
                )
        calls = _points_at(learner, f, x, h, call)
        if not calls:
            if math.isclose(got, math.cos(x), rel_tol=1e-9):  # a reader's answer: cos by hand
                why = "That is cos(x), the derivative of sin worked out by hand; f can be any "
                why += "function. Combine differences of the f you are given, f(x + h) and so on"
            elif any(
                math.isclose(got, d, rel_tol=1e-9)
                for d in (better_central(math.sin, x, h), _central(math.sin, x, h))
            ):
                why = "But f is not always sin. Use the f you are given, f(x + h), "
                why += "not math.sin(x + h)"
            else:
                why = "Build the answer from calls of the f you are given, f(x + h) and so on"
            raise Incorrect(f"{call} gave {got!r}: your function never calls f. {why}")
        d1, d2 = _central(f, x, h), _central(f, x, 2 * h)
        known = [
            (
                d1,
                "that is the plain central difference D(h); its error c·h² is still there. "
                "Combine D(h) with D(2h) so that c·h² cancels",
            ),
            (
                d2,
                "that is the plain central difference with step 2h; combine it with D(h) "
                "so that the c·h² terms cancel",
            ),
            (
                4 * d1 - d2,
                "4·D(h) - D(2h) cancels the c·h² terms, but it holds f'(x) more than once: "
                "count how many times, and divide by that",
            ),
            (
                (4 * d2 - d1) / 3,
                "the weights are the wrong way round: which of D(h) and D(2h) has the "
                "smaller error, and so needs scaling up to match the other's?",
            ),
            (
                (d1 + d2) / 2,
                "averaging does not cancel anything: the errors c·h² and 4·c·h² "
                "have the same sign. Weigh D(h) so that its error equals D(2h)'s, then subtract",
            ),
            (
                2 * d1 - d2,
                "2·D(h) - D(2h) cancels an error proportional to h (the forward "
                "difference's); the central difference's error is proportional to h², so at 2h "
                "it is 4 times, not 2 times, larger",
            ),
            ((d2 - 4 * d1) / 3, "the sign is flipped: yours is -f'(x); subtract the other way"),
            (
                (4 * d1 - 2 * d2) / 3,
                _Q2_DENOMINATOR,
            ),
            (4 * d1 - 2 * d2, _Q2_DENOMINATOR),
            ((8 * d1 - d2) / 3, _Q2_DENOMINATOR_H),
            (8 * d1 - d2, _Q2_DENOMINATOR_H),
            (
                want * h * h,
                f"yours is h² = {h * h:g} times the right answer: did you write /2*h where "
                "/(2*h) was meant? Python reads a / 2 * h as (a / 2) * h, which multiplies by h",
            ),
        ]
        forward_2 = 2 * _forward(f, x, h) - _forward(f, x, 2 * h)
        known.append(
            (
                forward_2,
                "that is 2·F(h) - F(2h) with F the forward difference: it cancels the forward "
                "difference's h error and is second order, its error shrinking 4 times when h "
                "halves, like the plain central difference. Build it from central differences "
                "D(h) = (f(x + h) - f(x - h)) / (2h) and D(2h), whose errors are c·h² and 4·c·h²",
            )
        )
        if want < 0 and math.isclose(got, abs(want), rel_tol=1e-9):  # right for f' > 0
            raise Incorrect(
                f"{call} gave {got!r}, but f' is negative there: the right extrapolation gives "
                f"{want!r}. Is there an abs() in yours? A derivative keeps its sign"
            )
        for value, why in known:
            if math.isclose(got, value, rel_tol=1e-9):
                raise Incorrect(why)
        if math.isclose(got, better_central(f, x, h / 2), rel_tol=1e-9):
            raise Incorrect(
                f"{call} gave {got!r}: you used steps h/2 and h; use h "
                "and 2h, the exercise's D(h) and D(2h) (same weights, 4 and -1, divided by 3)"
            )
        exact = {math.exp: math.exp, math.sin: math.cos, math.cos: lambda t: -math.sin(t)}.get(
            f, lambda t: 5 * t**4
        )(x)
        expected = (
            f"{call} gave {got!r}; the right extrapolation gives {want!r} (f'({x}) itself is "
            f"{exact!r})"
        )
        again = _q2_number(learner, f, x, h / 2)
        if again == got == math.floor(want):
            raise Incorrect(  # (4·D(h) - D(2h)) // 3: a whole number, the same at every step
                f"{expected}. Yours is a whole number, the same at step h and h/2: did you "
                "divide with // (floor division, which rounds down) where / was meant?"
            )
        if again == got:
            raise Incorrect(
                f"{call} and {_q2_call(f, x, h / 2)} gave the "
                f"same number, {got!r}: your function ignores its h argument; use the h it "
                "is given"
            )
        fixed = _q2_fixed_steps(learner, f, x, h)
        if fixed:
            raise Incorrect(_q2_fixed_message(expected, x, fixed))
        factor = got / want if want else math.nan
        factor_half = again / better_central(f, x, h / 2)
        offset = got - want  # an added constant stays put when f doubles; a factor doubles too
        doubled = call_learner(learner, lambda t, _f=f: 2 * _f(t), x, h, call=f"{call}, f doubled")
        if (
            math.isclose(factor, 1, rel_tol=1e-6)
            and isinstance(doubled, numbers.Real)
            and math.isclose(float(doubled) - 2 * want, offset, rel_tol=1e-2)
        ):
            raise Incorrect(  # a reader's answer: the right formula + 1e-9
                f"{expected}: yours is off by {offset:.3g}, also when f is doubled: a constant "
                "added to the answer. Drop it: the answer combines D(h) and D(2h) only"
            )
        if math.isclose(factor, factor_half, rel_tol=1e-9):
            raise Incorrect(  # the same factor at h and h/2: the steps are right, the sum is not
                f"{expected}: your answer "
                f"is {factor:.9g} times the right one, at step h and at h/2 alike. A constant "
                "factor means D(h) and D(2h) are the right steps: check the divisor (or the "
                "weights)"
            )
        if abs(factor - 1) > 0.05 and math.isclose(factor, factor_half, rel_tol=1e-2):
            raise Incorrect(  # 4·D(h) - D(2h) / 3: nearly the same factor at h and h/2
                f"{expected}: your answer is about {factor:.3g} times the right one, at step h "
                "and at h/2 alike, so it is not a small error that a smaller step would "
                "shrink. The right steps combined the wrong way: check your parentheses "
                "(what does your divisor divide?) and the weights"
            )
        err_h, err_half = abs(got - exact), abs(again - exact)
        if err_half and 12 < err_h / err_half < 20:  # the right order, other points
            raise Incorrect(
                f"{expected}. Your error shrinks {err_h / err_half:.1f} times when h halves, "
                f"as it should, but {_q2_points(learner, f, x, h)}"
            )
        if err_half and 40 < err_h / err_half < 90:  # sixth order: two extrapolations
            raise Incorrect(
                f"{call} gave {got!r}. Your error shrinks {err_h / err_half:.0f} times when h "
                "halves: that is two extrapolations (sixth order), more than this exercise "
                "asks. Make one: combine only D(h) and D(2h), and the error shrinks about 16 "
                "times"
            )
        if err_half and 3 < err_h / err_half < 5.5:  # second order: h², not h⁴
            forward = (
                " Yours evaluates f at x itself, as forward differences do; D(h) and D(2h) "
                "use only x ± h and x ± 2h."
                if x in _points_at(learner, f, x, h, call)
                else ""
            )
            raise Incorrect(
                f"{expected}. Your error shrinks "
                f"{err_h / err_half:.1f} times when h halves: that is second order, like one "
                f"central difference; the aim is about 16 times.{forward} Combine the central "
                "differences D(h) and D(2h) with weights that cancel their errors c·h² and "
                "4·c·h²"
            )
        if not err_half:
            shrink = "shrinks to 0"
        elif err_h < err_half:  # a step too small for round-off: the error grows
            shrink = f"grows {err_half / err_h:.1f} times"
        else:
            shrink = f"shrinks {err_h / err_half:.1f} times"
        forward = (
            " Yours evaluates f at x itself: those are forward differences. D(h) and D(2h) are "
            "central differences, (f(x + h) - f(x - h)) / (2h) and the same with 2h"
            if x in _points_at(learner, f, x, h, call)
            else ""
        )
        raise Incorrect(
            f"{expected}. When h halves "
            f"your error {shrink}; the aim is about 16 times (the central "
            f"difference's shrinks 4 times).{forward}"
        )


q2 = Question(
    title="A better central difference",
    checker=_check_q2,
    praise="Its error now shrinks like h⁴. Written out, (4·D(h) - D(2h)) / 3 is the five-point "
    "stencil (f(x - 2h) - 8·f(x - h) + 8·f(x + h) - f(x + 2h)) / (12h).",
    hint_text="Read it as two equations in two unknowns, f'(x) and c: D(h) = f'(x) + c·h² and "
    "D(2h) = f'(x) + 4·c·h². Eliminate c, as in any pair of linear equations.",
    more_hints=(
        "Multiply D(h) by a weight w. What w makes its error, w·c·h², equal to D(2h)'s? "
        "Subtract D(2h) from w·D(h): how many f'(x) are left?",
        "w = 4: 4·D(h) - D(2h) has no c·h² term left, and it is 4·f' - f' = 3·f'(x) plus a "
        "much smaller error, so divide by 3. Compute D(h) and D(2h) inside your function, "
        "with f(x ± h) and f(x ± 2h).",
    ),
    solution_text=inspect.getsource(better_central) + "\n\nch01.q2.check(better_central)",
    answer=lambda: better_central,
    wrong=[
        (_central, "plain central difference d(h)"),
        (lambda f, x, h: _central(f, x, 2 * h), "with step 2h"),
        (lambda f, x, h: 4 * _central(f, x, h) - _central(f, x, 2 * h), "divide by that"),
        (lambda f, x, h: (4 * _central(f, x, 2 * h) - _central(f, x, h)) / 3, "wrong way round"),
        (lambda f, x, h: (_central(f, x, h) + _central(f, x, 2 * h)) / 2, "same sign"),
        (lambda f, x, h: 2 * _central(f, x, h) - _central(f, x, 2 * h), "4 times, not 2"),
        (lambda f, x, h: (_central(f, x, 2 * h) - 4 * _central(f, x, h)) / 3, "sign is flipped"),
        (_two_extrapolations, "two extrapolations (sixth order)"),
        (lambda f, x, h: better_central(f, x, 0.01), "ignores its h argument"),
        (lambda f, x, h: (4 * _central(f, x, h) - _central(f, x, 3 * h)) / 3, "16 times"),
        (lambda f, x, h: better_central(f, x, h / 2), "you used steps h/2 and h; use h and 2h"),
        (lambda f, x, h: better_central(f, x, 2 * h), "other steps than the exercise's"),
        (lambda f, x, h: _central(f, x, h**2), "f at x ± 0.01: other steps"),
        (lambda f, x, h: (16 * _central(f, x, h) - _central(f, x, 4 * h)) / 15, "other steps"),
        (lambda f, x, h: 4 * _central(f, x, h) - _central(f, x, 2 * h) / 3, "parentheses"),
        (lambda f, x, h: (4 * _central(f, x, h) - _central(f, x, 2 * h)) // 3, "// (floor"),
        (lambda f, x, h: (5 * _central(f, x, h) - _central(f, x, 2 * h)) / 4, "second order"),
        (lambda f, x, h: "0.5", "not a number"),
        (_d2h_over_2h, "your d(2h) divides by 2h"),
        (_sin_not_f, "use the f you are given"),
        (_dh_over_h, "your d(h) divides by h:"),
        (3.0, "function itself"),
        (  # a reader's answer: D(h) without its h takes the package's default step
            lambda f, x, h: (4 * central_difference(f, x) - central_difference(f, x, 2 * h)) / 3,
            "central_difference's default step",
        ),
        (
            lambda f, x, h: (4 * _central(f, x, h) - _central(f, x, 1e-3)) / 3,
            "f at x ± 0.001 whatever h is: one of your differences ignores h",
        ),
        (  # two readers' answers: forward differences in place of D
            lambda f, x, h: (
                (4 * forward_difference(f, x, h) - forward_difference(f, x, 2 * h)) / 3
            ),
            "those are forward differences",
        ),
        (
            lambda f, x, h: (4 * ((f(x + h) - f(x)) / h) - (f(x + 2 * h) - f(x)) / (2 * h)) / 3,
            "those are forward differences",
        ),
        (
            lambda f, x, h: (4 * _central(f, x, h) - _central(f, x, 2 * h)) / 3.0000001,
            "0.999999967 times the right one",
        ),
        (
            lambda f, x, h: (4 * _central(f, x, h) - _central(f, x, 2 * h)) / 4,
            "check the divisor (or the weights)",
        ),
    ],
)

# q3 ---------------------------------------------------------------------------------------


def central_step(x):
    # h/3 - ε/h² = 0 (the derivative of h²/6 + ε/h) gives h³ = 3ε: h = cbrt(3ε) ≈ 8.7e-6
    return (3 * EPS) ** (1 / 3) * max(1.0, abs(x))


_Q3_POINTS = [0.0, 1e-3, 1.0, -7.5, 1000.0, -5e7, 3e12]
_Q3_TOLERANCE = 2e-10
# The balanced step at |x| = 1 is cbrt(3ε); h / max(1, |x|) must lie within a factor of 1.6 of
# it either way. Inside: the textbook cbrt(ε) (0.69), cbrt(2ε), cbrt(4ε), cbrt(6ε) and the
# round 1e-5 (1.15). Outside: cbrt(ε/3) (0.48), cbrt(ε/6) (0.38) and 1e-6 (0.11).
_Q3_BALANCED = (3 * EPS) ** (1 / 3)
_Q3_FACTOR = 1.6
_Q3_FAR = 1e3  # a step this many times the balanced one is refused before it is tried


def _q3_function(x):
    """The checker's test function e^(t/s), which changes on the scale s = max(1, |x|)."""
    s = max(1.0, abs(x))
    return (lambda t: math.exp(t / s)), math.exp(x / s) / s


def _q3_on(x) -> str:
    """The test function at x, named in a message: a reader asked which f was measured."""
    s = max(1.0, abs(x))
    return "f(t) = exp(t)" if s == 1 else f"f(t) = exp(t / {s:g})"


def _q3_power_slip(steps):
    """(3 * EPS) ** 1/3 is ((3 * EPS) ** 1) / 3 = ε: ** binds tighter than /."""
    for k in range(1, 7):  # (k·ε) ** 1/3 = k/3·ε
        if all(
            isinstance(h, numbers.Real)
            and not isinstance(h, bool)
            and math.isclose(h, k / 3 * EPS * max(1.0, abs(x)), rel_tol=1e-6)
            for x, h in steps.items()
        ):
            size = "ε" if k == 3 else f"{k}/3·ε"
            wrote = "EPS" if k == 1 else f"({k} * EPS)"
            raise Incorrect(
                f"your step is {size}·max(1, |x|), far too small. If you wrote {wrote} ** 1/3: "
                f"** binds tighter than /, so that is ({wrote} ** 1) / 3. For a cube root "
                f"write {wrote} ** (1 / 3)"
            )
    for k in (3, 6):  # k * EPS ** (1 / 3): ** binds tighter than * (a reader's answer)
        if all(
            isinstance(h, numbers.Real)
            and not isinstance(h, bool)
            and math.isclose(h, k * EPS ** (1 / 3) * max(1.0, abs(x)), rel_tol=1e-6)
            for x, h in steps.items()
        ):
            raise Incorrect(
                f"your step is {k}·cbrt(ε)·max(1, |x|), not cbrt({k}ε)·max(1, |x|). If you "
                f"wrote {k} * EPS ** (1 / 3): ** binds tighter than *, so only ε is inside "
                f"the root. Write ({k} * EPS) ** (1 / 3)"
            )


_EPS32 = 2.0**-23  # float32's epsilon, Exercise 1's answer


def _q3_epsilon_32(steps):
    """A step cbrt(k·2⁻²³), Exercise 1's 32-bit epsilon where EPS belongs (a reader's answer)."""
    h = steps[0.0]
    if isinstance(h, bool) or not isinstance(h, numbers.Real):
        return
    if any(
        math.isclose(float(h), (k * _EPS32) ** (1 / 3), rel_tol=1e-4)
        for k in (0.5, 1, 1.5, 2, 3, 4, 6)
    ):
        raise Incorrect(
            f"your step at x = 0 is {float(h):.3g}: you used the 32-bit epsilon from "
            "Exercise 1 (2⁻²³ ≈ 1.2e-7). The chapter's floats are 64-bit: use EPS, float64's "
            "ε ≈ 2.2e-16"
        )


def _check_q3(step):
    if not callable(step):
        raise Incorrect("pass your function itself, e.g. ch01.q3.check(central_step)")
    steps = {x: call_learner(step, x) for x in _Q3_POINTS}
    _q3_power_slip(steps)
    _q3_epsilon_32(steps)
    for x, h in steps.items():
        if not isinstance(h, bool) and isinstance(h, numbers.Real) and h < 0:
            raise Incorrect(
                f"central_step({x:g}) = {h!r}; the step must be positive: drop the minus sign"
            )
        if type(h).__name__ == "ndarray":  # a reader's np.array(step): positive, not a float
            raise Incorrect(
                f"central_step({x:g}) returned a NumPy array, {h!r}: return a Python float, "
                "not a NumPy array (drop np.array, or wrap the step in float(...))"
            )
        if isinstance(h, bool) or not isinstance(h, numbers.Real) or not h > 0:
            zero = " (section 4's max(1, |x|) keeps it from vanishing at 0)" if x == 0 else ""
            raise Incorrect(f"central_step({x:g}) = {h!r}; a step must be a positive number{zero}")
        if not isinstance(h, (int, float)) and type(h).__module__ == "numpy":
            raise Incorrect(
                f"central_step({x:g}) returned a numpy.{type(h).__name__}: x + h is then "
                f"computed as one too, not in 64-bit floats, and its round-off swamps the "
                "derivative. Return a Python float: build the step from EPS (or wrap it in "
                "float(...))"
            )
        if not math.isfinite(h):
            raise Incorrect(f"central_step({x:g}) = {h!r}; a step must be a finite number")
        if x + h == x:
            raise Incorrect(
                f"at x = {x:g} your step {h:g} is lost: x + h == x in floating point; "
                "the step must grow with |x|"
            )
    if all(  # cbrt(3ε·max(1, |x|)): the scale inside the root
        math.isclose(h, steps[1.0] * max(1.0, abs(x)) ** (1 / 3), rel_tol=0.02)
        for x, h in steps.items()
    ):
        raise Incorrect(
            f"central_step(1000) = {steps[1000.0]:g}: your step grows like the cube root of "
            "|x|. Multiply the cube root by max(1, |x|); don't take the root of it"
        )
    if steps[1000.0] > 100 * steps[1.0] and steps[-5e7] < 100 * steps[1.0]:  # max(1, x)
        raise Incorrect(
            f"central_step(-5e+07) = {steps[-5e7]:g}: at negative x your step doesn't grow "
            "(it does at x = 1000). Scale with the size of x, abs(x), not x itself"
        )
    for x, h in steps.items():  # e^(t/s) overflows at t ≈ 700·s: refuse such steps first
        times = h / (_Q3_BALANCED * max(1.0, abs(x)))
        if times >= _Q3_FAR:
            slip = " (did you invert the exponent?)" if times >= 1e6 else ""
            raise Incorrect(
                f"central_step({x:g}) = {h:g}: the step is far too large, {times:.2g} times "
                f"the step that balances the two errors; truncation swamps everything{slip}"
            )
    forward = next(  # the forward difference's kind of step, √(kε) (section 3's h*)
        (
            k
            for k in (1, 1.5, 2, 3, 4, 6)  # √(1.5ε): a reader's answer got the generic message
            if all(
                math.isclose(h, math.sqrt(k * EPS) * max(1.0, abs(x)), rel_tol=0.05)
                for x, h in steps.items()
            )
        ),
        None,
    )
    for x, h in steps.items():
        f, exact = _q3_function(x)
        try:
            err = abs((f(x + h) - f(x - h)) / (2 * h) - exact) / exact
        except OverflowError:
            raise Incorrect(
                f"central_step({x:g}) = {h:g}: the step is far too large; the test function "
                "overflows at x ± h"
            ) from None
        if err <= _Q3_TOLERANCE:
            continue
        if forward:
            root = "√ε" if forward == 1 else f"√({forward:g}ε)"
            raise Incorrect(
                f"that is a square-root step, {root}·max(1, |x|): a square root balances h "
                f"against 1/h, the forward difference's errors, not h² against 1/h. At x = {x:g} "
                f"it leaves the central difference of the checker's {_q3_on(x)} a relative "
                f"error of {err:.1e}. The central "
                "difference's truncation error shrinks like h²: balance h²/6 against ε/h, "
                "the model in the exercise's text"
            )
        side = (
            "too large: truncation"
            if h > _Q3_BALANCED * max(1.0, abs(x))
            else ("too small: round-off")
        )
        scaled = all(  # it already scales with max(1, |x|): don't tell it to (a reader's note)
            math.isclose(s, steps[0.0] * max(1.0, abs(t)), rel_tol=0.02) for t, s in steps.items()
        )
        raise Incorrect(
            f"at x = {x:g} the step {h:g} gives the central difference of the checker's "
            f"{_q3_on(x)} a relative error of {err:.1e} (more than "
            f"{_Q3_TOLERANCE:.0e}); the step is {side} dominates. Balance the two errors"
            + ("" if scaled else ", and scale the step with |x|")
        )
    for x, h in steps.items():  # the ratio, at every one of the seven points
        ratio = h / max(1.0, abs(x)) / _Q3_BALANCED
        if 1 / _Q3_FACTOR <= ratio <= _Q3_FACTOR:
            continue
        way, times = ("larger", ratio) if ratio > 1 else ("smaller", 1 / ratio)
        digits = 2  # 1.603 must not read "1.60" next to "at most 1.6" (a reader's answer)
        while digits < 6 and f"{times:.{digits}f}" == f"{_Q3_FACTOR:.{digits}f}":
            digits += 1
        slip = ""
        if math.isclose(ratio, 3 ** (-2 / 3), rel_tol=0.02):  # cbrt(ε/3)
            slip = " Your step looks like cbrt(ε/3): h/3 - ε/h² = 0 gives h³ = 3ε, not ε/3."
        if x == 1.0 and math.isclose(h, 2 * steps[0.0], rel_tol=0.02):
            slip = " Your step grows like 1 + |x|; section 4 scales it by max(1, |x|)."
        raise Incorrect(
            f"central_step({x:g}) = {h:g}: {times:.{digits}f} times {way} than "
            "cbrt(3ε)·max(1, |x|), the step that balances the two errors (the checker accepts "
            f"up to 1.6 times larger or smaller).{slip} To find that step: at x = 1, minimise "
            "the total h²/6 + ε/h (set its derivative to zero), then scale with |x|"
        )


_Q3_DIP = 10**-5.25  # section 3's table prints it: central error 3.8e-13 at h = 5.6e-06


_Q3_KS = (1, 1.5, 3, 6)  # cbrt(kε): the steps the praise derives (a bare 1e-5 gets a note)


def _q3_reservation(central_step) -> str:
    """Exercise 3: a right step read off the chapter, or guessed, is accepted but not derived."""
    h = central_step(1.0)  # it passed: at x = 1 it returned a positive float
    if math.isclose(h, _Q3_DIP, rel_tol=0.01):  # 5.6e-6 or 5.62e-6: read off, never derived
        seen = "the dip section 3 measured (the lowest central error, at h = 5.6e-06)"
    elif math.isclose(h, CENTRAL_STEP, rel_tol=0.01):  # 6.06e-6: a note, not a reservation
        return ""
    elif not any(math.isclose(h, (k * EPS) ** (1 / 3), rel_tol=0.01) for k in _Q3_KS):
        seen = "not cbrt(kε) for k = 1, 1.5, 3 or 6, the steps derived from the model"
    else:
        return ""
    return (
        f"your step at x = 1, {h:.3g}, is {seen}. It works (any step within a factor 1.6 of "
        "the best one does), but derive one: set the derivative of h²/6 + ε/h to zero."
    )


def _q3_note(central_step) -> str:
    """Exercise 3: cbrt(ε), which section 4 prints as CENTRAL_STEP, is asked to derive one too."""
    h = central_step(1.0)
    if not math.isclose(h, CENTRAL_STEP, rel_tol=0.01):  # cbrt(ε) may well be derived
        return ""
    return (
        f"Note: your step at x = 1, {h:.3g}, is CENTRAL_STEP, the package's default (cbrt(ε)). "
        "Derive one too: set the derivative of h²/6 + ε/h to zero."
    )


q3 = Question(
    title="The best step for the central difference",
    checker=_check_q3,
    reservation=_q3_reservation,
    note=_q3_note,
    praise="The steps that pass differ only by small factors: minimising h²/6 + ε/h gives "
    "cbrt(3ε); counting the divisor 2h but not the rounding of x ± h, ε/(2h), gives cbrt(1.5ε); "
    "setting "
    "the two terms equal instead of minimising gives cbrt(6ε); the package's default is the "
    "textbook cbrt(ε). Near its minimum the total error is flat, so all of them work.",
    hint_text="Section 3 balanced the forward difference's two errors at x = 1: do the same "
    "for the central one. Section 4 said how a step has to change as |x| grows. Put the two "
    "together.",
    more_hints=(
        "At x = 1 the total error is about h²/6·|f'''| + ε·|f|/h (truncation shrinks like "
        "h², not like h as for the forward difference). Take |f| and |f'''| as 1, set the "
        "derivative with respect to h to zero and solve for h.",
        "h/3 - ε/h² = 0 gives h³ = 3ε: h = cbrt(3ε) ≈ 8.7e-6 (the textbook cbrt(ε) also "
        "passes: anything within a factor of 1.6 does). Scale "
        "it like section 4 does: multiply by max(1.0, abs(x)), so it grows with |x| and "
        "never vanishes at 0. (ε is EPS; cbrt(3ε) is (3 * EPS) ** (1 / 3).)",
    ),
    solution_text=inspect.getsource(central_step) + "\n\nch01.q3.check(central_step)",
    answer=lambda: central_step,
    wrong=[
        (lambda x: EPS, "lost"),
        (lambda x: 1e-5, "grow with |x|"),
        (lambda x: math.sqrt(EPS) * max(1.0, abs(x)), "a square-root step, √ε"),
        (lambda x: math.sqrt(2 * EPS) * max(1, abs(x)), "a square-root step, √(2ε)"),
        (lambda x: math.sqrt(3 * EPS) * max(1, abs(x)), "a square-root step, √(3ε)"),
        (lambda x: (3 * EPS / 2) ** (1 / 2) * max(1, abs(x)), "a square-root step, √(1.5ε)"),
        (lambda x: math.sqrt(1.5 * EPS) * max(1, abs(x)), "a square-root step, √(1.5ε)"),
        (lambda x: (3 * EPS) ** 1 / 3 * max(1, abs(x)), "** binds tighter than /"),
        (lambda x: 3 * EPS / 3 * max(1, abs(x)), "your step is ε·max(1, |x|)"),
        (lambda x: EPS**1 / 3 * max(1, abs(x)), "write EPS ** (1 / 3)"),
        (lambda x: 1e-3 * max(1.0, abs(x)), "too large"),
        (lambda x: 1e-8 * max(1.0, abs(x)) * 0.2, "too small"),
        (lambda x: EPS ** (1 / 3) * abs(x), "positive number"),
        (lambda x: (EPS / 3) ** (1 / 3) * max(1.0, abs(x)), "not ε/3"),
        (lambda x: (EPS / 6) ** (1 / 3) * max(1.0, abs(x)), "2.62 times smaller than cbrt(3ε)"),
        (lambda x: 2e-5 * max(1.0, abs(x)), "2.29 times larger than cbrt(3ε)"),
        (lambda x: 1e-6 * max(1.0, abs(x)), "8.73 times smaller than cbrt(3ε)"),
        (lambda x: "1e-5", "positive number"),
        (lambda x: -((3 * EPS) ** (1 / 3)) * max(1, abs(x)), "drop the minus sign"),
        (lambda x: (3 * EPS * max(1, abs(x))) ** (1 / 3), "don't take the root of it"),
        (lambda x: (3 * 2**-23) ** (1 / 3) * max(1, abs(x)), "32-bit epsilon from exercise 1"),
        (5.0, "function itself"),
    ],
)

# q4 ---------------------------------------------------------------------------------------

_Q4_N = 10**6
_Q4_RATE = 1e8  # multiply-adds per second
_Q4_HOURS = (_Q4_N + 1) * _Q4_N / _Q4_RATE / 3600  # n + 1 evaluations of n multiply-adds


def _check_q4(answer):
    if isinstance(answer, bool) or not isinstance(answer, numbers.Real):
        raise Incorrect(f"give a number of hours, not {answer!r}")
    answer = float(answer)
    if not math.isfinite(answer):
        raise Incorrect(f"give a finite number of hours, not {answer!r}")
    if math.isclose(answer, _Q4_HOURS, rel_tol=0.01):  # n or n + 1 evaluations, rounded
        return
    if f"{answer:.2g}" == f"{_Q4_HOURS:.2g}":  # 2.75 … 2.84: 2.8 at two significant digits
        return

    def near(value):
        return math.isclose(answer, value, rel_tol=0.01)

    if math.isclose(answer, math.floor(_Q4_HOURS * 10) / 10, rel_tol=1e-9):  # 2.7
        raise Incorrect(
            "close, but truncated: round to two significant digits instead of cutting the "
            "third one off"
        )
    if near(2 * _Q4_HOURS):
        raise Incorrect(  # 2n evaluations, or 2 operations per multiply-add (reader s5)
            "that is twice the time. If you counted 2n evaluations: that is the central "
            "difference's count; the forward difference shares f at the unmoved point, so "
            "n + 1. If you counted 2 operations per multiply-add: the 10^8 per second already "
            "counts whole multiply-adds"
        )
    if near(_Q4_HOURS * 3600):
        raise Incorrect("that is in seconds; give hours (3600 seconds each)")
    if near(_Q4_HOURS * 60):
        raise Incorrect("that is in minutes; give hours")
    if math.isclose(answer, _Q4_HOURS / 24, rel_tol=0.05):  # 0.116 or 0.12
        raise Incorrect("that is in days; give hours (24 in a day)")
    if near(_Q4_N / _Q4_RATE / 3600) or near(_Q4_N / _Q4_RATE):
        raise Incorrect(
            "that is the time of ONE evaluation of the loss (n multiply-adds); one gradient "
            "needs n + 1 evaluations"
        )
    if near(_Q4_N / _Q4_RATE / 3600 * 1e-6) or near(_Q4_N / _Q4_RATE * 1e-6):
        raise Incorrect(
            "that counts one multiply-add per evaluation; each evaluation of the loss costs "
            "about n of them, so the total grows like n²"
        )
    if near(_Q4_HOURS * 3600 * _Q4_RATE):  # 1e12: the count itself (a reader's answer)
        raise Incorrect(
            f"{answer:g} is the number of multiply-adds (n + 1 evaluations × n each), not a "
            "time: divide by 10^8 per second for seconds, then by 3600 for hours"
        )
    if near(_Q4_HOURS * _Q4_RATE):  # 2.8e8: the count / 3600, the rate left out
        raise Incorrect(
            f"{answer:g} is the number of multiply-adds divided by 3600: divide by 10^8 "
            "multiply-adds per second too"
        )
    if math.isclose(answer, _Q4_HOURS, rel_tol=0.1):  # 3, 2.75, 2.85: rounded too early
        if float(f"{answer:.1g}") == answer:  # 3: one digit
            wrong = "round the exact value to two significant digits, not to one"
        else:  # 2.9, 2.85, 2.74: not 2.8 at two significant digits
            wrong = (
                f"it is off by {abs(answer - _Q4_HOURS):.2f} and does not round to the right "
                "two-digit value"
            )
        raise Incorrect(
            f"close — {answer:g} hours is within 10%, but {wrong}: (n + 1) evaluations × n "
            "multiply-adds / 10^8 per second, then / 3600, and round only at the end"
        )
    raise Incorrect(
        f"{answer:g} hours is not it: count the evaluations, times the multiply-adds in each, "
        "divided by 10^8 per second; then turn seconds into hours"
    )


q4 = Question(
    title="The cost of a numerical gradient",
    checker=_check_q4,
    praise="Backpropagation (chapter 4) gets all n partial derivatives for a small multiple of "
    "one evaluation's work: hundredths of a second here, not hours.",
    hint_text="Two numbers multiply: how many evaluations of the loss one gradient needs, "
    "and how long each one takes.",
    more_hints=(
        "The forward difference moves one parameter at a time and shares f at the unmoved "
        "point. Section 5 says what one evaluation of a model with n parameters costs.",
        "n + 1 evaluations, each about n multiply-adds, at 10^8 multiply-adds per second, "
        "gives seconds; divide by 3600 for hours.",
    ),
    solution_text=(
        "n = 10**6\n"
        "evaluations = n + 1                  # forward: one per parameter, plus f(w) itself\n"
        "seconds = evaluations * n / 1e8      # each evaluation: about n multiply-adds\n"
        "hours = seconds / 3600               # about 2.8 hours for ONE gradient\n"
        "ch01.q4.check(hours)"
    ),
    answer=lambda: _Q4_HOURS,
    wrong=[
        (2 * _Q4_HOURS, "central difference"),
        (2 * (_Q4_N + 1) * _Q4_N / _Q4_RATE / 3600, "2 operations per multiply-add"),  # s5 read
        (10_000, "seconds"),
        (166.7, "minutes"),
        (0.01, "one evaluation"),
        (_Q4_N / _Q4_RATE / 3600, "one evaluation"),
        (_Q4_N / _Q4_RATE / 3600 * 1e-6, "grows like n²"),
        (3.0, "close — 3 hours is within 10%, but round the exact value to two significant"),
        (2.85, "does not round to the right two-digit"),
        (_Q4_HOURS / 24, "in days"),
        (2.9, "does not round to the right two-digit"),
        (3.5, "not it"),
        (1e12, "is the number of multiply-adds (n + 1 evaluations × n each), not a time"),
        (1e12 / 3600, "divide by 10^8 multiply-adds per second too"),
        (2.7, "close, but truncated: round"),
        (float("nan"), "finite"),
        ("2.8", "number of hours"),
    ],
)

# q5 ---------------------------------------------------------------------------------------


def _f5(a, b):
    return a * b + math.sin(a)


def grad_f(a, b):
    return [b + math.cos(a), a]


_Q5_POINTS = [(0.5, 2.0), (-1.3, 0.7), (3.0, -4.0), (2.2, 0.3)]  # refereed by grad_check
# Far from 0, f = a*b + sin(a) is large next to df/da: a formula computed with too few digits
# shows there. (Finite differences are refused by what they call, not by their digits.)
_Q5_FAR = [(-1234.5, 1.5), (4096.25, -0.5)]
# Relative. b + cos(a), computed in floats, is within about 1e-16; an equivalent formula such
# as sin(a + π/2) loses a few digits far from 0 (a + π/2 is rounded), and is still a formula.
_Q5_DIGITS = 1e-10
_NAMES = ("df/da", "df/db")


def _shifted(value, point):
    """Is value a number next to, but not equal to, a or b: a point a finite difference tries?"""
    if isinstance(value, bool) or not isinstance(value, numbers.Real):
        return False
    try:
        value = float(value)
    except (TypeError, ValueError, OverflowError):
        return False
    return any(value != p and abs(value - p) <= 0.1 * max(1.0, abs(p)) for p in point)


_WATCHED_MATH = ("sin", "cos", "tan", "exp", "log", "sqrt", "sinh", "cosh", "tanh")


def _close_pair(calls):
    """Two calls of one function at different but nearby numbers: f(x + h) and f(x), say."""
    for i, (name, x) in enumerate(calls):
        for other, y in calls[i + 1 :]:
            if other == name and x != y and abs(x - y) <= 0.1 * max(1.0, abs(x)):
                return name, x, y
    return None


def _math_watchers(learner, calls):
    """Stand-ins for math's (and numpy's) sin, cos, … that note each number they are given.

    A hand-derived formula calls cos(a) once, or sin(a + π/2); an inline finite difference
    calls sin at a + h and a - h (or a). Returns [(owner, name, original, stand-in)].
    """
    owners = [("math", sys.modules["math"])]
    if "numpy" in sys.modules:
        owners.append(("np", sys.modules["numpy"]))
    swaps, originals = [], {}
    for label, module in owners:
        for name in _WATCHED_MATH:
            original = getattr(module, name, None)
            if original is None:
                continue

            def stand_in(*args, _f=original, _name=f"{label}.{name}", **kwargs):
                x = args[0] if len(args) == 1 else None  # no isinstance(x, numbers.Real):
                if isinstance(x, (int, float)) and not isinstance(x, bool):  # it runs Python
                    calls.append((_name, float(x)))
                elif type(x).__name__ == "ndarray" and x.size <= 16:  # np.sin([a + h, a])
                    calls.extend((_name, v) for v in x.ravel().tolist() if type(v) is float)
                elif isinstance(x, (list, tuple)) and len(x) <= 16:
                    calls.extend((_name, float(v)) for v in x if type(v) is float)
                return _f(*args, **kwargs)

            swaps.append((module, name, original, stand_in))
            originals[id(original)] = stand_in
    names = getattr(learner, "__globals__", None)
    if isinstance(names, dict):  # from math import sin: the learner's own name for it
        for name, value in list(names.items()):
            if id(value) in originals and not isinstance(value, type(sys)):
                swaps.append((names, name, value, originals[id(value)]))
    for cell in getattr(learner, "__closure__", None) or ():  # sin, imported in a function
        try:
            value = cell.cell_contents
        except ValueError:  # an empty cell
            continue
        if id(value) in originals:
            swaps.append((cell, "cell_contents", value, originals[id(value)]))
    return swaps


def _call_watching(learner, point):
    """Call grad_f(*point), and note any sign that it differences f numerically.

    A hand-derived gradient needs no function of (a, b) at other points; a finite difference
    (tinyml.numeric's, or one written by hand, Richardson's or any stencil) evaluates f at
    a ± h, or calls sin at two nearby numbers. Returns the result, and the first such sign as
    (function name, argument) or None.
    """
    import tinyml.numeric

    numeric_file = tinyml.numeric.__file__
    seen, calls = [], []

    def profiler(frame, event, arg):
        if seen:
            return
        if event == "c_call" and getattr(arg, "__module__", None) == "cmath":
            seen.append((f"cmath.{arg.__name__}", _COMPLEX_STEP))
            return
        if event != "call":
            return
        code = frame.f_code
        if code.co_filename == numeric_file:
            seen.append((f"tinyml.numeric's {code.co_name}", None))
            return
        for name in code.co_varnames[: code.co_argcount + code.co_kwonlyargcount]:
            value = frame.f_locals.get(name)
            if isinstance(value, complex):
                seen.append((code.co_name, _COMPLEX_STEP))
                return
            if _shifted(value, point):
                seen.append((code.co_name, value))
                return
            if isinstance(value, (list, tuple)) and len(value) <= 8:
                hit = next((v for v in value if _shifted(v, point)), None)
                if hit is not None:
                    seen.append((code.co_name, hit))
                    return

    @functools.wraps(learner)  # so that a crash quotes the learner's line, not this one
    def watched(*args):  # only the learner's own call is watched, not the checker's code
        swaps = _math_watchers(learner, calls)
        old = sys.getprofile()
        for owner, name, _, stand_in in swaps:
            _put(owner, name, stand_in)
        sys.setprofile(profiler)
        try:
            return learner(*args)
        finally:
            sys.setprofile(old)
            for owner, name, original, _ in reversed(swaps):
                _put(owner, name, original)

    got = call_learner(watched, *point)
    if not seen:
        pair = _close_pair(calls)
        if pair is not None:
            seen.append(pair)
    return got, (seen[0] if seen else None)


def _put(owner, name, value):
    if isinstance(owner, dict):
        owner[name] = value
    else:
        setattr(owner, name, value)


_COMPLEX_STEP = "a complex number"  # marks a call that is complex-step differentiation


def _q5_numbers(learner, point):
    got, shifted = _call_watching(learner, point)
    if shifted is not None and shifted[1] is _COMPLEX_STEP:
        raise Incorrect(
            f"grad_f{point} called {shifted[0]} with {_COMPLEX_STEP}: that is complex-step "
            "differentiation, f(a + i·h).imag / h — a clever numerical method, exact to the "
            "last digit, but still not a derivation. Derive the gradient by hand here"
        )
    if shifted is not None and shifted[1] is None:
        raise Incorrect(
            f"grad_f{point} called {shifted[0]}: derive the gradient by hand; don't "
            "difference it numerically (that is what the checker compares your formula against)"
        )
    if shifted is not None and len(shifted) == 3:
        name, x, y = shifted
        raise Incorrect(
            f"grad_f{point} called {name} at {x!r} and at {y!r}, two numbers a small step "
            "apart: that is a finite difference written out. Derive the gradient by hand; a "
            "hand-derived formula needs each function at one point only (the checker "
            "compares it with finite differences, so they cannot be the answer)"
        )
    if shifted is not None:
        name, value = shifted
        raise Incorrect(
            f"grad_f{point} called {name} at {value!r}, a point next to (a, b) = {point}: "
            "that is a finite difference. Derive the gradient by hand; a hand-derived "
            "formula needs only a and b themselves (the checker compares it with finite "
            "differences, so they cannot be the answer)"
        )
    if isinstance(got, numbers.Real):
        raise Incorrect(
            f"grad_f{point} returned one number, {got!r}; a gradient has one partial "
            "derivative per input: return two numbers, [df/da, df/db]"
        )
    if isinstance(got, Mapping):
        raise Incorrect(
            f"grad_f{point} returned a dict, {got!r}; return a list of two numbers, not a "
            "dict: [df/da, df/db]"
        )
    if isinstance(got, (str, bytes)):  # reader s5: text, not numbers
        shown = repr(got) if len(got) <= 40 else f"{got[:37]!r}..."
        raise Incorrect(
            f"grad_f{point} returned text, {shown}: grad_f must return numbers, a list of "
            "two, [df/da, df/db], worked out from a and b (grad_check only referees them)"
        )
    if not hasattr(got, "__len__") or len(got) != 2:
        raise Incorrect(f"grad_f{point} returned {got!r}; return two numbers: [df/da, df/db]")
    for name, v in zip(_NAMES, got, strict=True):
        if isinstance(v, bool) or not isinstance(v, numbers.Real):
            text = " (text)" if isinstance(v, (str, bytes)) else ""
            raise Incorrect(
                f"grad_f must return numbers: at (a, b) = {point} your {name} is {v!r}, a "
                f"{type(v).__name__}{text}, not a number"
            )
        if not math.isfinite(v):
            raise Incorrect(
                f"at (a, b) = {point} your {name} is {v!r}; a derivative of a*b + sin(a) "
                "is finite everywhere"
            )
    return [float(v) for v in got]


_Q5_SLIPS = [  # common slips, each named above the grad_check table
    (lambda a, b: [b + math.sin(a), a], "the derivative of sin a is cos a, not sin a"),
    (lambda a, b: [b, a], "your df/da lacks cos a, the derivative of sin a"),
    (lambda a, b: [b - math.cos(a), a], "the derivative of sin a is +cos a (cos a's is -sin a)"),
    (lambda a, b: [a, b + math.cos(a)], "the two partials are swapped: df/da comes first"),
    (lambda a, b: [math.cos(a), a], "your df/da lacks b, the derivative of a·b by a"),
    (lambda a, b: [b + math.cos(a), b], "d(a·b)/db is a: b is the variable, a the constant"),
    (  # a reader's answer (s6c): both entries wrong, a·b's two derivatives swapped
        lambda a, b: [a + math.cos(a), b],
        "d(a·b)/da is b, not a, and d(a·b)/db is a, not b: your two entries swap a·b's "
        "derivatives",
    ),
    (  # a reader's answer (s6c)
        lambda a, b: [a * b + math.cos(a), a],
        "df/da still holds a·b itself; its derivative by a is b",
    ),
    (  # a reader's answer (s6c)
        lambda a, b: [b + math.cos(b), a],
        "the derivative of sin a by a is cos a, with a inside, not cos b",
    ),
    (
        lambda a, b: [b * math.cos(a), a],
        "f is a sum, so df/da is the sum of the terms' derivatives, b + cos a: the product "
        "rule is not needed here",
    ),
    (
        lambda a, b: [b + math.cos(a), a + math.cos(a)],
        "sin a does not change with b: its derivative by b is 0, so df/db is just a",
    ),
    (  # a reader's answer (s4c): a treated as degrees
        lambda a, b: [b + math.cos(math.radians(a)), a],
        "math.sin and math.cos work in radians and a already is one: cos a is math.cos(a), "
        "with no math.radians",
    ),
    (
        lambda a, b: [b + math.pi / 180 * math.cos(math.radians(a)), a],
        "that is the derivative for a in degrees; math.sin(a) takes a in radians, so "
        "d(sin a)/da is just math.cos(a)",
    ),
]


def _q5_slip(claims):
    """Name a slip only if it matches every point tried so far (a reader's answer,
    b + sqrt(1 - sin(a)**2), equals b - cos a only where cos a < 0: not a sign slip)."""
    for slip, why in _Q5_SLIPS:
        pairs = [pair for p, c in claims.items() for pair in zip(c, slip(*p), strict=True)]
        if all(math.isclose(c, s, rel_tol=1e-9) for c, s in pairs):
            return f"{why}. "
    return ""


def _check_q5(learner):
    from tinyml.numeric import grad_check

    if not callable(learner):
        raise Incorrect("pass your function itself, e.g. ch01.q5.check(grad_f)")
    claims = {}
    for point in _Q5_POINTS:
        claimed = claims[point] = _q5_numbers(learner, point)
        report = grad_check(_f5, point, claimed)
        first = _Q5_POINTS[0]
        if not report and point != first and claimed == claims[first]:
            raise Incorrect(
                f"your grad_f returns the same numbers, {claimed}, at (a, b) = {first} and "
                f"at {point}: a gradient changes with a and b. Compute it from a and b, not "
                "from numbers worked out at one point"
            )
        if not report:
            names = " and ".join(_NAMES[i] for i in report.mismatches)
            verb = "disagrees" if len(report.mismatches) == 1 else "disagree"
            slip = _q5_slip(claims)
            if not slip and len(report.mismatches) == 2:  # a reader (s6c): a table, no diagnosis
                slip = (
                    "Both entries are off. Take each partial with the other input held "
                    "fixed: for df/da, b is a constant; for df/db, a is. "
                )
            where = f"{'At' if slip else 'at'} (a, b) = {point}"  # lowercase after "Incorrect:"
            raise Incorrect(f"{slip}{where} your {names} {verb}:\n{report!r}")
    for point in _Q5_FAR:
        claims[point] = _q5_numbers(learner, point)
    for point, claimed in claims.items():
        for name, c, e in zip(_NAMES, claimed, grad_f(*point), strict=True):
            error = abs(c - e) / max(1.0, abs(e))
            if error > _Q5_DIGITS:
                digits = max(0, round(-math.log10(error)))
                raise Incorrect(
                    "grad_check passes this (its default tolerances are looser), but "
                    f"at (a, b) = {point} your {name} is {c!r}, the exact value is {e!r}: "
                    f"they agree only to about {digits} digits. If the formula is right, it "
                    f"is computed less accurately than b + cos(a) and a (about 16 digits): "
                    "compute in 64-bit floats, straight from a and b"
                )


def _report_as_text(a, b):  # grad_check's table as text (reconstructed: reader s5)
    return (
        "gradient check passed\n  i  param value        claimed        numeric      error\n"
        f"  0  {a:11g}  {b + math.cos(a):13g}  {b + math.cos(a):13g}    1.0e-11\n"
        f"  1  {b:11g}  {a:13g}  {a:13g}    1.0e-11"
    )


def _via_numeric_gradient(f, params):  # the bypass a learner may try: the real package
    from tinyml import numeric

    return numeric.numeric_gradient(f, params)


def _hand_rolled_difference(a, b, h=1e-6):
    return [(_f5(a + h, b) - _f5(a - h, b)) / (2 * h), (_f5(a, b + h) - _f5(a, b - h)) / (2 * h)]


def _richardson(a, b, h=1e-3):  # exercise 2's better_central, reused: 12+ digits near 0
    return [
        better_central(lambda t: _f5(t, b), a, h),
        better_central(lambda t: _f5(a, t), b, h),
    ]


def _inline_stencil(a, b, h=0.03):
    """A 9-point stencil written out with no function calls: only the digits give it away."""
    weights = (4 / 5, -1 / 5, 4 / 105, -1 / 280)
    da = sum(
        w * ((a + k * h) * b + math.sin(a + k * h) - (a - k * h) * b - math.sin(a - k * h))
        for k, w in enumerate(weights, start=1)
    )
    return [da / h, a]


def _float32_formula(a, b):  # the right formula, rounded to 32 bits: about 7 digits
    import numpy as np

    return [float(np.float32(b + math.cos(a))), a]


def _complex_step(a, b):  # f at a + i·h: the imaginary part is h·df/da, to every digit
    import cmath

    def f(a, b):
        return a * b + cmath.sin(a)

    return [f(complex(a, 1e-30), b).imag / 1e-30, f(a, complex(b, 1e-30)).imag / 1e-30]


def _complex_step_inline(a, b):  # the same with no function of its own: only cmath is called
    import cmath

    return [(cmath.sin(complex(a, 1e-30)).imag + b * 1e-30) / 1e-30, a]


q5 = Question(
    title="Check a hand-derived gradient",
    checker=_check_q5,
    praise="Your gradient matches central differences at every point tried: grad_check will "
    "referee the later chapters' gradients the same way.",
    hint_text="A gradient has one partial derivative per input: what does f look like if "
    "you treat b as a fixed number?",
    more_hints=(
        "Differentiate a*b + sin(a) once treating b as a constant (that is df/da), once "
        "treating a as a constant (df/db). Return both, as a list of two numbers.",
        "d(a*b)/da = b and d(sin a)/da = cos a; d(a*b)/db = a and sin a does not depend on "
        "b. To test it yourself first, uncomment the cell's grad_check line: its table "
        "shows which entry disagrees.",
    ),
    solution_text=inspect.getsource(grad_f) + "\n\nch01.q5.check(grad_f)",
    answer=lambda: grad_f,
    wrong=[
        (lambda a, b: [b, a], "df/da disagrees"),
        (lambda a, b: [b + math.cos(a), b], "df/db disagrees"),
        (lambda a, b: [b + math.sin(a), a], "cos a, not sin a"),
        (lambda a, b: [b - math.cos(a), a], "is +cos a"),
        (lambda a, b: [a, b + math.cos(a)], "swapped"),
        (lambda a, b: [b * math.cos(a), a], "the product rule is not needed"),
        (lambda a, b: [b + math.cos(a), a + math.cos(a)], "df/db is just a"),
        (lambda a, b: b + math.cos(a), "returned one number, 2.87"),
        (lambda a, b: None, "returned None"),
        (lambda a, b: [b + math.cos(a)], "return two numbers"),
        (lambda a, b: (b + math.cos(a), a, 0.0), "return two numbers"),
        (lambda a, b: [b, b], "df/da and df/db disagree"),
        (lambda a, b: [a + math.cos(a), b], "your two entries swap a·b's derivatives"),  # s6c
        (lambda a, b: [b + math.cos(b), a], "with a inside, not cos b"),  # s6c
        (lambda a, b: [a * b + math.cos(a), a], "its derivative by a is b"),  # s6c
        (lambda a, b: [b, b], "Both entries are off. Take each partial"),  # s6c: no diagnosis
        (lambda a, b: [math.inf, a], "df/da is inf"),
        (lambda a, b: [b + math.cos(a), float("nan")], "df/db is nan"),
        (lambda a, b: ["1", a], "grad_f must return numbers: at (a, b) = (0.5, 2.0) your df/da"),
        (lambda a, b: "b + cos(a), a", "returned text, 'b + cos(a), a': grad_f must return"),
        (_report_as_text, "returned text, 'gradient check passed"),
        (lambda a, b: {"a": b + math.cos(a), "b": a}, "a list of two numbers, not a dict"),
        (lambda a, b: _via_numeric_gradient(_f5, [a, b]), "called tinyml.numeric's"),
        (_hand_rolled_difference, "that is a finite difference"),
        (_richardson, "that is a finite difference"),
        (_inline_stencil, "two numbers a small step apart"),
        (lambda a, b: [b + math.cos(a) + 1e-9, a], "agree only to about 9 digits"),
        (lambda a, b: [2 + math.cos(0.5), 0.5], "returns the same numbers"),  # a reader's (s4d)
        (_float32_formula, "computed less accurately"),
        (_complex_step, "complex-step differentiation"),
        (_complex_step_inline, "called cmath.sin with a complex number"),
    ],
)
