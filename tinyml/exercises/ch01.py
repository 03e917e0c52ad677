"""Chapter 1 exercises: finite differences."""

from __future__ import annotations

import inspect
import math
import numbers

from tinyml.exercises import Incorrect, Question, call_learner
from tinyml.numeric import EPS

# q1 ---------------------------------------------------------------------------------------


def float32_epsilon():
    import numpy as np

    one = np.float32(1)
    eps = np.float32(1)
    while one + eps / np.float32(2) > one:
        eps = eps / np.float32(2)
    return float(eps)


def _check_q1(answer):
    if isinstance(answer, bool) or not isinstance(answer, numbers.Real):
        raise Incorrect(f"give a number, not {type(answer).__name__}")
    answer = float(answer)
    if answer == EPS:
        raise Incorrect(
            "that is the epsilon of Python's 64-bit float; do every step with np.float32"
        )
    if answer == 2**-24:
        raise Incorrect(
            "that is half of it: 1 + answer == 1 in float32 — you halved once too often"
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
    if answer != 2**-23:
        raise Incorrect(f"{answer!r} is not the gap between 1 and the next float32")


q1 = Question(
    title="Machine epsilon of float32",
    checker=_check_q1,
    hint_text="The chapter's halving loop works for any kind of float. What has to change "
    "so that every number in it, and every result, is a 32-bit float?",
    more_hints=(
        "numpy.float32(1) is a 32-bit one, and arithmetic between two float32 values stays "
        "float32. A single plain Python number in the loop turns the result back into a "
        "64-bit float.",
        "Start from one = np.float32(1) and eps = np.float32(1), halve with "
        "eps / np.float32(2), and stop when one + eps / 2 is no longer bigger than one.",
    ),
    solution_text=inspect.getsource(float32_epsilon) + "\n\neps32 = float32_epsilon()  # 2**-23",
    answer=float32_epsilon,
    wrong=[
        (EPS, "64-bit"),
        (2**-24, "half"),
        (2**-22, "one halving too early"),
        (1e-7, "exact power of two"),
        (23, "fraction bits"),
    ],
)

# q2 ---------------------------------------------------------------------------------------


def central(f, x, h):
    return (f(x + h) - f(x - h)) / (2 * h)


def _check_q2(learner):
    if not callable(learner):
        raise Incorrect("pass your function itself, e.g. ch01.q2.check(central)")
    cases = [(math.sin, 0.3, 1e-3), (math.exp, 1.0, 1e-4), (lambda t: t**3, 2.0, 0.5)]
    for f, x, h in cases:
        got = call_learner(learner, f, x, h)
        want = central(f, x, h)
        if isinstance(got, bool) or not isinstance(got, numbers.Real):
            raise Incorrect(f"central(f, {x}, {h}) returned {got!r}, not a number")
        got = float(got)
        if math.isclose(got, want, rel_tol=1e-12, abs_tol=1e-15):
            continue
        forward = (f(x + h) - f(x)) / h
        if math.isclose(got, (f(x + h / 2) - f(x - h / 2)) / h, rel_tol=1e-12):
            raise Incorrect(
                "that steps h/2 each way; the central difference steps a whole h to each "
                "side, f(x + h) and f(x - h), and divides by the distance between them, 2h"
            )
        if math.isclose(got, forward, rel_tol=1e-12):
            raise Incorrect("that is the forward difference; step both ways, to x + h and x - h")
        if math.isclose(got, 2 * want, rel_tol=1e-12):
            raise Incorrect("the two points are 2h apart, so divide by 2h, not h")
        if math.isclose(got, want * h * h, rel_tol=1e-12):
            raise Incorrect("`/ 2 * h` divides by 2 and then multiplies by h: write / (2 * h)")
        if math.isclose(got, -want, rel_tol=1e-12):
            raise Incorrect(
                "the sign is flipped: subtract f(x - h) from f(x + h), not the reverse"
            )
        again = call_learner(learner, f, x, h / 2)
        if isinstance(again, numbers.Real) and again == got:
            raise Incorrect(
                f"central(f, {x}, {h}) and central(f, {x}, {h / 2}) gave the same number, "
                f"{got!r}: your function ignores its h argument. Use the h it is given; "
                "don't set a step of your own"
            )
        raise Incorrect(f"central(f, {x}, {h}) gave {got!r}; expected {want!r}")


q2 = Question(
    title="The central difference",
    checker=_check_q2,
    hint_text="The forward difference looks only to the right of x. The central one looks "
    "both ways: where does it evaluate f?",
    more_hints=(
        "Evaluate f once a step h to the right and once a step h to the left of x. How far "
        "apart are those two points?",
        "The slope between the two points is their difference in f divided by their "
        "distance, 2h. Mind the brackets around 2 * h.",
    ),
    solution_text=inspect.getsource(central),
    answer=lambda: central,
    wrong=[
        (lambda f, x, h: (f(x + h) - f(x)) / h, "forward difference"),
        (lambda f, x, h: (f(x + h) - f(x - h)) / h, "2h"),
        (lambda f, x, h: (f(x + h) - f(x - h)) / 2 * h, "(2 * h)"),
        (lambda f, x, h: (f(x - h) - f(x + h)) / (2 * h), "sign"),
        (lambda f, x, h: (f(x + h / 2) - f(x - h / 2)) / h, "h/2 each way"),
        (lambda f, x, h: (f(x + 1e-5) - f(x - 1e-5)) / 2e-5, "ignores its h argument"),
        (3.0, "function itself"),
    ],
)

# q3 ---------------------------------------------------------------------------------------


def _check_q3(answer):
    if isinstance(answer, bool) or not isinstance(answer, numbers.Real):
        raise Incorrect(f"give a number of seconds, not {answer!r}")
    answer = float(answer)
    if math.isclose(answer, 20.0, rel_tol=1e-9):
        return
    if math.isclose(answer, 20.001, rel_tol=1e-6):
        raise Incorrect(
            "that counts 2n + 1 evaluations, one more for f at the point itself; the central "
            "difference never needs f(x): only f(x + h) and f(x - h), two per parameter"
        )
    if math.isclose(answer, 10.0, rel_tol=2e-3):
        raise Incorrect(
            "that counts one evaluation per parameter (or n + 1, the forward difference's "
            "count); numeric_gradient uses the central difference: two per parameter"
        )
    if math.isclose(answer, 20_000, rel_tol=1e-3):
        raise Incorrect("that is in milliseconds; give seconds")
    if math.isclose(answer, 20.0, rel_tol=0.01):
        raise Incorrect(
            f"{answer:g} s is close, but the count is exact: a whole number of evaluations "
            "times exactly 1 ms each; nothing here needs rounding"
        )
    raise Incorrect(f"{answer:g} s is not it: how many evaluations, times how long each?")


q3 = Question(
    title="The cost of a numerical gradient",
    checker=_check_q3,
    hint_text="Count evaluations of the loss first, then turn them into seconds.",
    more_hints=(
        "numeric_gradient uses the central difference for every parameter: how many "
        "evaluations of the loss is that per parameter?",
        "Two evaluations per parameter, 10,000 parameters, 1 ms each: multiply, and give "
        "the result in seconds.",
    ),
    solution_text=(
        "evaluations = 2 * 10_000        # two per parameter (central difference)\n"
        "seconds = evaluations * 1e-3    # 20 seconds for ONE gradient"
    ),
    answer=lambda: 20.0,
    wrong=[
        (10, "two per parameter"),
        (10.001, "two per parameter"),
        (20.001, "2n + 1"),
        (19.99, "count is exact"),
        (20.2, "count is exact"),
        (20_000, "milliseconds"),
        (400, "not it"),
    ],
)

# q4 ---------------------------------------------------------------------------------------


def forward_step(x):
    return math.sqrt(EPS) * max(1.0, abs(x))


_Q4_POINTS = [0.0, 1e-3, 1.0, -7.5, 1000.0, -5e7, 3e12]


def _check_q4(step):
    if not callable(step):
        raise Incorrect("pass your function itself, e.g. ch01.q4.check(forward_step)")
    steps = {x: call_learner(step, x) for x in _Q4_POINTS}
    for x, h in steps.items():
        if isinstance(h, bool) or not isinstance(h, numbers.Real) or not h > 0:
            raise Incorrect(f"forward_step({x}) = {h!r}; a step must be a positive number")
        if x + h == x:
            raise Incorrect(
                f"at x = {x:g} your step {h:g} is lost: x + h == x in floating point; "
                "the step must grow with |x|"
            )
    for x, h in steps.items():
        s = max(1.0, abs(x))  # a test function that changes on the scale of x

        def f(t, s=s):
            return math.exp(t / s)

        exact = math.exp(x / s) / s
        err = abs((f(x + h) - f(x)) / h - exact) / exact
        if err > 1e-6:
            raise Incorrect(
                f"at x = {x:g} the step {h:g} gives a relative error of {err:.1e} "
                "(more than 1e-6); balance truncation and round-off, and scale with |x|"
            )


q4 = Question(
    title="A step that works at any x",
    checker=_check_q4,
    hint_text="The chapter found the best forward step at x = 1. How does the spacing of "
    "floats change as |x| grows?",
    more_hints=(
        "The best forward step at x = 1 is about sqrt(eps). Floats are spaced "
        "proportionally to |x|, so the step should grow with |x|.",
        "Scale sqrt(eps) by |x|, but make sure the step does not vanish at x = 0: "
        "max(1.0, abs(x)) does both.",
    ),
    solution_text=inspect.getsource(forward_step),
    answer=lambda: forward_step,
    wrong=[
        (lambda x: EPS, "lost"),
        (lambda x: 1e-8, "grow with |x|"),
        (lambda x: 1e-12, "lost"),
        (lambda x: 1e-3 * max(1.0, abs(x)), "relative error"),
        (lambda x: math.sqrt(EPS) * abs(x), "positive number"),
    ],
)

# q5 ---------------------------------------------------------------------------------------


def _f5(a, b):
    return a * b + math.sin(a)


def grad_f(a, b):
    return [b + math.cos(a), a]


_Q5_POINTS = [(0.5, 2.0), (-1.3, 0.7), (3.0, -4.0)]


def _check_q5(learner):
    from tinyml.numeric import grad_check

    if not callable(learner):
        raise Incorrect("pass your function itself, e.g. ch01.q5.check(grad_f)")
    for point in _Q5_POINTS:
        got = call_learner(learner, *point)
        if isinstance(got, numbers.Real):
            raise Incorrect(
                f"grad_f{point} returned one number, {got!r}; a gradient has one partial "
                "derivative per input: return two numbers, [df/da, df/db]"
            )
        try:
            claimed = [float(v) for v in got]
        except (TypeError, ValueError):
            claimed = None
        if claimed is None or len(claimed) != 2:
            raise Incorrect(f"grad_f{point} returned {got!r}; return two numbers: [df/da, df/db]")
        report = grad_check(_f5, point, claimed)
        if not report:
            names = " and ".join(["df/da", "df/db"][i] for i in report.mismatches)
            verb = "disagrees" if len(report.mismatches) == 1 else "disagree"
            raise Incorrect(f"at (a, b) = {point} your {names} {verb}:\n{report!r}")


q5 = Question(
    title="Check a hand-derived gradient",
    checker=_check_q5,
    hint_text="A gradient has one partial derivative per input: what does f look like if "
    "you treat b as a fixed number?",
    more_hints=(
        "Differentiate a*b + sin(a) once treating b as a constant (that is df/da), once "
        "treating a as a constant (df/db). Return both, as a list of two numbers.",
        "Test your answer yourself with grad_check(f, (a, b), your_gradient) at a point or "
        "two before you check it here: it shows which entry disagrees.",
    ),
    solution_text=inspect.getsource(grad_f),
    answer=lambda: grad_f,
    wrong=[
        (lambda a, b: [b, a], "df/da disagrees"),
        (lambda a, b: [b + math.cos(a), b], "df/db disagrees"),
        (lambda a, b: b + math.cos(a), "returned one number, 2.87"),
        (lambda a, b: None, "returned None"),
        (lambda a, b: [b + math.cos(a)], "return two numbers"),
        (lambda a, b: (b + math.cos(a), a, 0.0), "return two numbers"),
        (lambda a, b: [b, b], "df/da and df/db disagree"),
    ],
)
