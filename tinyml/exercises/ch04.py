"""Chapter 4 exercises: backpropagation (Alpha)."""

from __future__ import annotations

import ast
import inspect
import math
import numbers
import os
import sys
import traceback
from collections import deque

from tinyml import alpha, beta, numeric
from tinyml.alpha import topological_order
from tinyml.exercises import (
    Incorrect,
    NotAttempted,
    Question,
    all_close,
    call_learner,
    floats_in_code,
    learner_syntax,
)

# q1 ---------------------------------------------------------------------------------------


def _near(answer: float, target: float) -> bool:
    return math.isclose(answer, target, rel_tol=1e-9)  # exact by hand, up to float rounding


# Exercise 1's likely slips: the numbers they give, and what each one missed
_Q1_SLIPS: tuple[tuple[tuple[float, ...], str], ...] = (
    (
        (10.0,),
        "10 is ∂z/∂x, what one push of 1.0 leaves in x.g; the second call's push is "
        "added to it, because nothing cleared x.g in between: g accumulates",
    ),
    (
        (5.0,),
        "5 is what the second call (upstream 0.5) delivers on its own; the first call's "
        "10 is still in x.g, because g accumulates",
    ),
    (
        (20.0,),
        "the second call starts with 0.5 at the top, not 1: the upstream number scales "
        "everything that push delivers",
    ),
    (
        (7.0,),
        "7 is 3 + 4, one push of 1.0 with x * x pushing to x once. Two things are missing: "
        "x * x pushes to x twice (once as each operand), and the second call's push "
        "(upstream 0.5) is added to x.g too",
    ),
    (
        (10.5, 3.5),
        "x * x pushes to x twice, once as each operand, each time upstream times x",
    ),
    (
        (4.5,),
        "4.5 is y.g (3 from the first call, 1.5 from the second); the question asks for x.g",
    ),
    (
        (13.5,),
        "13.5 has y * x handing x upstream × x; a product hands each operand upstream × "
        "the *other* operand's value, so x gets upstream × y = upstream × 4",
    ),
    (
        (18.0,),
        "18 is x.g in the chapter's example, z = x * y + x with y = 5; here z = x * x + "
        "y * x with y = 4: x is used three times",
    ),
    (
        (12.0,),
        "12 is 6 + 6: x * x pushed for both calls, but y * x was left out (it pushes "
        "upstream × y to x), and the second call starts with 0.5, not 1",
    ),
    (
        (30.0,),
        "30 is exactly twice the answer: each push adds to x.g once; recount without "
        "counting any push twice",
    ),
    (
        (21.0, 31.5),
        "that is z's value (21, or 1.5 × 21), not what reaches x: push the derivatives, "
        "upstream × each local derivative",
    ),
    (
        (22.5,),
        "22.5 is 1.5 × 15: the two calls (upstream 1 + 0.5) leave 1.5 times what one push "
        "of 1.0 leaves, but one push of 1.0 does not leave 15. Recount it: x * x hands x "
        "upstream × x once per operand, and y * x hands it upstream × y",
    ),
    (
        (6.0, 9.0, 3.0),
        "x also reaches z through y * x, which pushes upstream times y to x",
    ),
)


def _check_q1(answer):
    if isinstance(answer, alpha.Node):
        raise Incorrect(
            f"give a number, not the node {answer!r}: use x.g, the gradient it holds "
            "(answer = x.g), or the number you worked out"
        )
    if isinstance(answer, bool) or not isinstance(answer, numbers.Real):
        raise Incorrect(f"give a number, not {answer!r}")
    answer = float(answer)
    if _near(answer, 15.0):  # 15.000000000000002 from rounding is 15 too
        return
    for values, why in _Q1_SLIPS:
        if any(_near(answer, v) for v in values):
            raise Incorrect(why)
    if math.isclose(answer, 15.0, rel_tol=1e-3):
        raise Incorrect(f"{answer!r} is close, but not exact: pushes by hand give an exact number")
    raise Incorrect(f"{answer!r} is not it: push from z by hand, once per path, for each call")


q1 = Question(
    title="Accumulating pushes",
    checker=_check_q1,
    hint_text="Look at x * x: one node whose two operands are both x. What does a product "
    "push to each of its operands, and so how many pushes reach x from it?",
    more_hints=(
        "Push by hand for upstream 1.0 first. z = x * x + y * x: the + passes its upstream "
        "unchanged to both products, and both push to x. How many times does x * x push to "
        "x, and how much each time?",
        "For upstream 1.0: x * x pushes 3 to x twice (x is both operands) and y * x pushes "
        "4, so the first call leaves x.g = 10. What does the call with 0.5 add?",
    ),
    solution_text=(
        "x, y = Var(3.0), Var(4.0)\n"
        "z = x * x + y * x\n"
        "z.grad(1.0)   # x.g = 3 + 3 (x * x, both operands) + 4 (y * x) = 10 = dz/dx\n"
        "z.grad(0.5)   # every push halved: 1.5 + 1.5 + 2 = 5, added to the 10\n"
        "answer = x.g  # 15.0"
    ),
    answer=lambda: 15.0,
    wrong=[
        (10, "accumulates"),
        (5, "still in x.g"),
        (20, "scales"),
        (10.5, "twice"),
        (31.5, "z's value"),
        (21, "z's value"),
        (9, "y * x"),
        (4.5, "4.5 is y.g"),
        (11, "not it"),
        (14.5, "14.5 is not it"),
        (13.5, "*other* operand"),
        (18, "chapter's example"),
        (12, "0.5, not 1"),
        (22.5, "22.5 is 1.5 × 15"),
        ("15", "number"),
        (alpha.Var(3.0), "use x.g"),
    ],
)

# watching a learner's function: which helpers it calls, and how much work it does -------


class _TooMuchWork(BaseException):  # BaseException: a learner's `except Exception` can't hide it
    pass


def _watched(learner, *args, forbidden=None, budget=None, forbidden_files=None, call=""):
    """call_learner(learner, *args), noting which ``forbidden`` functions ran
    ({code object: name}), or any function of the ``forbidden_files`` ({file: name}); past
    ``budget`` profiler events (calls and returns, of Python and C functions), the call is
    stopped with _TooMuchWork. Returns (result, names called)."""
    forbidden = forbidden or {}
    files = forbidden_files or {}
    called: set[str] = set()
    events = 0

    def watch(frame, event, _arg):
        nonlocal events
        events += 1
        if budget is not None and events > budget:
            sys.setprofile(None)
            raise _TooMuchWork
        if event == "call":
            if frame.f_code in forbidden:
                called.add(forbidden[frame.f_code])
            elif frame.f_code.co_filename in files:
                called.add(files[frame.f_code.co_filename])

    before = sys.getprofile()
    sys.setprofile(watch)
    try:
        result = call_learner(learner, *args, call=call)
    finally:
        sys.setprofile(before)
    return result, called


# q2 ---------------------------------------------------------------------------------------


def div_pushes(a, b, upstream):
    return upstream * (1 / b), upstream * (-a / b**2)


def _div_reference(a: float, b: float, upstream: float) -> tuple[float, ...]:
    """What alpha.Div pushes: upstream times its cached local derivatives."""
    return tuple(upstream * d for d in alpha.Div(alpha.Var(a), alpha.Var(b)).local_grads)


Q2_CASES = [(3.0, 2.0, 1.0), (-1.5, 0.5, 2.0), (2.0, -4.0, -0.5), (1.0, 4.0, 3.0)]
# zeros, checked after the cases above: a = 0 and upstream = 0 must follow the same formula
Q2_ZERO_CASES = [(0.0, 2.0, 1.5), (2.5, -2.0, 0.0)]
_NO_DIV = {
    alpha.Div.__init__.__code__: "Div",
    alpha.Node.grad.__code__: "grad()",
    alpha.Node.backward.__code__: "backward()",
    alpha.backward_simple.__code__: "backward_simple()",
}
_NO_HELP = {  # Beta's gradient and numeric differences also work the numbers out for you
    os.path.abspath(beta.__file__): "tinyml.beta",
    os.path.abspath(numeric.__file__): "tinyml.numeric",
}
_NO_HELP.update({path.removesuffix("c"): name for path, name in _NO_HELP.items()})
Q2_TOLERANCE = 1e-12  # relative: an exact formula is within a few roundings; differences are not


def _number_format(pairs) -> str:
    """One format for every number of a message: short (:g) unless that makes some pair of
    different numbers look alike, then in full (repr), so that a difference in the last
    digits shows."""
    if all(g == w or f"{g:g}" != f"{w:g}" for g, w in pairs):
        return "{:g}"
    return "{!r}"


def _show_apart(got: float, want: float) -> tuple[str, str]:
    """The two numbers as text, in the format _number_format picks for them."""
    form = _number_format([(got, want)])
    return form.format(got), form.format(want)


def _is_pair(value) -> bool:
    """Two items in a row: a tuple, a list, a numpy array, any sequence of length 2."""
    if isinstance(value, (str, bytes, dict, set, frozenset)):
        return False
    try:
        return len(value) == 2 and len(tuple(value)) == 2
    except TypeError:
        return False


def _q2_pairs(learner, cases):
    """The learner's pair for each case, as floats; Incorrect for helpers or a non-pair."""
    got = []
    for a, b, u in cases:
        pair, called = _watched(learner, a, b, u, forbidden=_NO_DIV, forbidden_files=_NO_HELP)
        if called:
            raise Incorrect(
                f"your function uses {', '.join(sorted(called))}; work the two local "
                "derivatives out by hand and return upstream times each (the checker compares "
                "them with what alpha.Div pushes)"
            )
        if not _is_pair(pair):
            raise Incorrect(
                f"div_pushes({a}, {b}, {u}) returned {pair!r}; return a pair, e.g. a tuple: "
                "what the numerator a receives, then what the denominator b receives"
            )
        pair = tuple(pair)
        if not all(isinstance(g, numbers.Real) and not isinstance(g, bool) for g in pair):
            raise Incorrect(f"div_pushes({a}, {b}, {u}) returned {pair!r}; give two numbers")
        got.append(tuple(float(g) for g in pair))
    return got


def _check_q2(learner):
    if not callable(learner):
        raise Incorrect("pass your function itself, e.g. ch04.q2.check(div_pushes)")
    got = _q2_pairs(learner, Q2_CASES)  # a != 0 first: a formula that divides by a is named

    def like(rule) -> bool:
        return all(
            all(
                math.isclose(g, w, rel_tol=Q2_TOLERANCE)
                for g, w in zip(pair, rule(a, b, u), strict=True)
            )
            for pair, (a, b, u) in zip(got, Q2_CASES, strict=True)
        )

    if like(_div_reference):  # right so far: a = 0, upstream = 0?
        _compare_q2(_q2_pairs(learner, Q2_ZERO_CASES), Q2_ZERO_CASES)
        return
    if like(lambda a, b, u: (1 / b, -a / b**2)):
        raise Incorrect(
            "those are Div's local derivatives, the same for every upstream; what a node "
            "pushes to a child is upstream times the local derivative towards that child"
        )
    if like(lambda a, b, u: (-u * a / b**2, u / b)):
        raise Incorrect(
            "the two are swapped: the numerator a comes first (it receives upstream * "
            "∂(a/b)/∂a), then the denominator b"
        )
    if like(lambda a, b, u: (u / b, u * a / b**2)):
        raise Incorrect(
            "what b receives has the wrong sign: ∂(a/b)/∂b = -a/b² (for a positive a, a "
            "bigger b makes a/b smaller)"
        )
    if like(lambda a, b, u: (u / b, -u * a / b)):
        raise Incorrect("∂(a/b)/∂b = -a/b², not -a/b: the square is missing")
    if like(lambda a, b, u: (u / b, -u / b**2)):
        raise Incorrect(
            "what b receives is missing a: the derivative towards b involves the numerator, "
            "∂(a/b)/∂b = -a/b² (it is -1/b² only when a = 1)"
        )
    if like(lambda a, b, u: (u / b, -a / b**2)) or like(lambda a, b, u: (1 / b, -u * a / b**2)):
        raise Incorrect(
            "only one of the two is multiplied by upstream: multiply both local derivatives "
            "by upstream, what reaches the numerator and what reaches the denominator"
        )
    if like(lambda a, b, u: (u, u)) or like(lambda a, b, u: (u, -u)):
        raise Incorrect(
            "that is what Add (or Sub) pushes; a division's local derivatives depend on the "
            "operand values: ∂(a/b)/∂a and ∂(a/b)/∂b, each times upstream"
        )
    if all(
        math.isclose(g, w, rel_tol=1e-5)
        for pair, case in zip(got, Q2_CASES, strict=True)
        for g, w in zip(pair, _div_reference(*case), strict=True)
    ):
        raise Incorrect(
            "close, but not exact: numbers from a difference quotient (f(b + h) - f(b - h)) / "
            "2h are off in the last digits. Work the two local derivatives out by hand, as "
            "formulas in a and b, and return upstream times each"
        )
    _compare_q2(got, Q2_CASES)


def _compare_q2(got, cases):
    """Name the first number of got that differs from what alpha.Div pushes."""
    for pair, (a, b, u) in zip(got, cases, strict=True):
        want = [w + 0.0 for w in _div_reference(a, b, u)]  # + 0.0: -0.0 shows as 0
        for who, g, w in zip(("a", "b"), pair, want, strict=True):
            if not math.isclose(g, w, rel_tol=Q2_TOLERANCE):
                shown, want_shown = _show_apart(g, w)
                raise Incorrect(
                    f"div_pushes({a}, {b}, {u}): Div hands {want_shown} to {who}, you gave {shown}"
                )


q2 = Question(
    title="What a division pushes",
    checker=_check_q2,
    hint_text="A node hands each child upstream × (its local derivative towards that child). "
    "So first: what are the two local derivatives of a / b?",
    more_hints=(
        "Take one operand at a time and hold the other fixed. With b fixed, a / b is a times "
        "the constant 1/b. With a fixed, write a / b as a * b**-1 and use the power rule.",
        "With a fixed, d(b**-1)/db = -b**-2: what does a times that give? Then multiply "
        "each local derivative by upstream and return the pair, the numerator's first.",
    ),
    solution_text=inspect.getsource(div_pushes)
    + "\n\n# compare: alpha.Div(Var(a), Var(b)).local_grads holds (1/b, -a/b**2);"
    "\n# tinyml.show(alpha.Div) shows where they are computed",
    answer=lambda: div_pushes,
    wrong=[
        (lambda a, b, u: (1 / b, -a / b**2), "upstream times the local derivative"),
        (lambda a, b, u: (u / b, u * a / b**2), "wrong sign"),
        (lambda a, b, u: (u / b, -u * a / b), "square"),
        (lambda a, b, u: (u / b, -u / b**2), "involves the numerator"),
        (lambda a, b, u: (u / b, -a / b**2), "multiply both"),
        (lambda a, b, u: (1 / b, -u * a / b**2), "multiply both"),
        (lambda a, b, u: (-u * a / b**2, u / b), "swapped"),
        (lambda a, b, u: (u, u), "Add"),
        (lambda a, b, u: (u * b, u * a), "Div hands"),
        (lambda a, b, u: (u / b, -u * b / a**2), "Div hands -0.75 to b"),  # a, b swapped
        (lambda a, b, u: (u / b, -u * a / b**2 * (1 + 1e-7)), "close, but not exact"),
        (lambda a, b, u: (u / b, -u * a / b**2 * (1 + 1e-4)), "you gave -0.750075"),
        (lambda a, b, u: u / b, "pair"),
        (lambda a, b, u: _div_reference(a, b, u), "work the two local derivatives out by hand"),
        (2.0, "function itself"),
    ],
)

# q3 ---------------------------------------------------------------------------------------


def predicted_pushes(d):
    return 2 * 4**d - 1


def quadrupling(d: int) -> tuple[alpha.Node, alpha.Var]:
    """x, then d times a = a + a + a + a (Python builds ((a + a) + a) + a: three nodes a
    level, and the level below used four times)."""
    x = alpha.Var(1.0, name="x")
    a: alpha.Node = x
    for _ in range(d):
        a = a + a + a + a
    return a, x


_MEASURED: dict[int, int] = {}


def measured_pushes(d: int) -> int:
    if d not in _MEASURED:
        a, _ = quadrupling(d)
        before = alpha.stats.pushes
        a.grad(1.0)
        _MEASURED[d] = alpha.stats.pushes - before
    return _MEASURED[d]


FIRST = 6  # d = 0 … 5 compared first, then d = 6 and 7 (measured) and FAR (predicted only)
DEPTHS = range(8)  # measured: the checker builds each graph and counts grad() calls
FAR = 40  # 2 * 4**40 - 1 calls: about 2e24, far beyond any computer, so only a formula will do
BUDGET = 100_000  # profiler events for one call of the learner's function: a formula needs ~10


def _same(got, want: int) -> bool:
    """An int must match exactly; a float may stand for a count only where floats hold every
    integer exactly (below 2**53), so d = 40 needs an exact int."""
    if isinstance(got, bool) or not isinstance(got, numbers.Real):
        return False
    if isinstance(got, numbers.Rational):  # an int, or an exact Fraction equal to the count
        return got == want
    return want < 2**53 and got == want


def _is_float_near(got, want: int) -> bool:
    """A float that is the count up to rounding, but not exactly it."""
    return (
        isinstance(got, numbers.Real)
        and not isinstance(got, numbers.Rational)  # ints and Fractions are exact, not floats
        and math.isfinite(got)
        and float(got) != want  # a Python float compares with an int exactly; numpy's may not
        and math.isclose(got, want, rel_tol=1e-12)
    )


def _is_rounded_int(got, want: int) -> bool:
    """An int that is the count up to a float's rounding (int(2 * 4.0**d - 1)), not exactly."""
    return (
        isinstance(got, numbers.Integral)
        and not isinstance(got, bool)
        and got != want
        and want >= 2**53
        and int(float(got)) == got  # a float's value, turned back into an int
        and float(got) == float(want)  # the float nearest the count
    )


_NO_GRAPH = {os.path.abspath(alpha.__file__): "tinyml.alpha"}  # q3 predicts, it builds nothing
_NO_GRAPH.update({path.removesuffix("c"): name for path, name in _NO_GRAPH.items()})


def _predict(learner, d):
    """The learner's prediction for depth d: measuring (grad()) and endless work refused."""
    pushes = alpha.stats.pushes
    try:
        got, built = _watched(
            learner, d, budget=BUDGET, forbidden_files=_NO_GRAPH, call=f"calling it with d={d}"
        )
    except _TooMuchWork:
        raise Incorrect(
            f"at d={d} your function did too much work and was stopped (the push model "
            f"makes {predicted_pushes(d):,} grad() calls there): walking the graph path by "
            "path cannot keep up with its growth. Predict with a formula in d"
        ) from None
    if alpha.stats.pushes != pushes:
        raise Incorrect(
            "your function calls grad(), so it measures rather than predicts (and at "
            f"d={FAR} measuring would never finish); work out a formula in d instead"
        )
    if built:
        raise Incorrect(
            "your function builds the graph with tinyml.alpha (Var, +, topological_order) and "
            "counts on it. Counting paths node by node is the backward pass's idea, a good "
            "one, but here the task is to predict without the graph: a formula in d"
        )
    return got


def _overflowed(got, want: int, d: int) -> str | None:
    """Feedback for a fixed-size integer (numpy's int64) that overflowed, or a count that went
    negative; None otherwise."""
    if isinstance(got, bool) or not isinstance(got, numbers.Integral) or got == want:
        return None
    if type(got) is not int:
        kind = type(got).__name__
        return (
            f"at d={d} you said {got!r}: {kind} overflowed at d={d} (the count, "
            f"{want:,}, needs {want.bit_length()} bits, a fixed-size integer far fewer); use "
            "Python's 4**d, whose ints grow as needed"
        )
    if got < 0:
        return (
            f"at d={d} you said {got!r}, a negative count: an integer overflowed somewhere "
            "(numpy's int64?); use Python's 4**d, whose ints grow as needed"
        )
    return None


WARM_UP = 200 * BUDGET  # the first call may import a module (numpy, sympy): far more work


def _warm_up(learner):
    """Call the learner once at d = 0 with a far larger budget, so that first-time work (an
    import inside the function) is not taken for path walking by the guarded calls after."""
    try:
        _watched(learner, 0, budget=WARM_UP, call="calling it with d=0")
    except _TooMuchWork:
        raise Incorrect(
            "at d=0 your function did a very large amount of work and was stopped; at d=0 "
            "the graph is x alone. Predict with a formula in d"
        ) from None


def _float_source(learner) -> str:
    """What made the learner's count a float, read from its bytecode: float constants (4.0,
    1.0), math.pow or float(), a true division; a general phrase when none shows."""
    found = floats_in_code(learner)
    if not found:
        return "some operand or operation made it one"
    return "from " + ", ".join(found)


def _range(last: int) -> str:
    return "d = 0" if last == 0 else f"d = 0 … {last}"


def _check_q3(learner):
    if not callable(learner):
        raise Incorrect("pass a function of the depth d, e.g. ch04.q3.check(predicted_pushes)")
    _warm_up(learner)
    first = range(FIRST)
    got = [_predict(learner, d) for d in first]
    for d, g in zip(first, got, strict=True):
        if isinstance(g, bool) or not isinstance(g, numbers.Real):
            kind = type(g).__name__
            raise Incorrect(
                f"predicted_pushes({d}) returned {g!r}, a {kind}; return an int, not a {kind}: "
                "the number of grad() calls"
            )
    want = [measured_pushes(d) for d in first]
    if all(_same(g, w) for g, w in zip(got, want, strict=True)):
        last = FIRST - 1  # the last depth answered right so far
        for d in (*DEPTHS[FIRST:], FAR):
            try:
                late = _predict(learner, d)
            except Incorrect as why:
                if "too much work" in str(why):
                    raise
                if "raised OverflowError" in str(why):  # np.int64(2) * 4**40: too big for C
                    right = measured_pushes(d) if d in DEPTHS else predicted_pushes(d)
                    raise Incorrect(
                        f"right for {_range(last)}, but {why}: a fixed-size integer (numpy's "
                        f"int64) holds 64 bits, and the count at d={d}, {right:,}, needs "
                        f"{right.bit_length()}; use Python's 4**d, whose ints grow as needed"
                    ) from None
                raise Incorrect(
                    f"right for {_range(last)}, but at d={d}: {why} — predict any depth, with "
                    "a formula in d rather than a table of measured values"
                ) from None
            right = measured_pushes(d) if d in DEPTHS else predicted_pushes(d)
            overflow = _overflowed(late, right, d)
            if overflow:
                raise Incorrect(f"right for {_range(last)}, but {overflow}")
            if _is_rounded_int(late, right) and floats_in_code(learner):
                raise Incorrect(
                    f"right for {_range(last)}, but at d={d} you said {late!r}, and the push "
                    f"model makes {right:,} grad() calls: {late - right:+,} off, a rounding "
                    f"error. The count passed through a float ({_float_source(learner)}): "
                    "a float holds only 53 bits and loses the last digits; keep every "
                    "operand an int (4**d, not 4.0**d; Python's ints are exact)"
                )
            if _is_float_near(late, right):
                raise Incorrect(
                    f"right for {_range(last)}, but at d={d} you said {late!r}: the result "
                    f"is a float ({_float_source(learner)}), and a float holds only 53 bits, "
                    f"so it loses the last digits of {right:,}; keep every operand an int "
                    "(4**d, not 4.0**d; - 1, not - 1.0)"
                )
            if not _same(late, right):
                off = ""
                if isinstance(late, numbers.Integral) and not isinstance(late, bool):
                    off = f" ({int(late) - right:+,} off)"
                raise Incorrect(
                    f"right for {_range(last)}, but at d={d} the push model makes {right:,} "
                    f"grad() calls and you said {late!r}{off}: predict any depth, with a "
                    "formula in d rather than a table of measured values"
                )
            last = d
        return

    def like(rule) -> bool:
        return all(_same(g, rule(d)) for g, d in zip(got, first, strict=True))

    if like(lambda d: 4**d):
        raise Incorrect(
            "4**d is the number of paths from the top down to x (the pushes x receives), but "
            "grad() is also called on every node above it, once per path into that node"
        )
    if like(lambda d: 2 * 3**d - 1):
        raise Incorrect(
            "2 * 3**d - 1 is the count when each level uses the one below three times "
            "(chapter 3's a * a + a); here it is used four times, and a level has three nodes"
        )
    if like(lambda d: 2 ** (d + 1) - 1):
        raise Incorrect(
            "that is the doubling graph's count; here a level has three nodes, (a + a), "
            "(a + a) + a and its top, and the level below is used four times"
        )
    if like(lambda d: (4 ** (d + 1) - 1) // 3):
        raise Incorrect(
            "that counts one node a level; each level has three, (a + a), (a + a) + a and "
            "((a + a) + a) + a, and each is called once per path into it"
        )
    if like(lambda d: 3 * 4**d - 2) or like(lambda d: 4**d + 3 * d):
        raise Incorrect(
            "not it: count the calls level by level. How many paths reach each "
            "of the three nodes of the level k levels down, and how many reach x?"
        )
    if like(lambda d: 3 * d + 1) or like(lambda d: d + 1):
        raise Incorrect(
            "that counts nodes; the push model calls grad() on a node once per path into it"
        )
    d = next(d for d in first if not _same(got[d], want[d]))
    calls = "1 grad() call" if want[d] == 1 else f"{want[d]} grad() calls"
    raise Incorrect(f"at depth d={d} the push model makes {calls}; you said {got[d]!r}")


def _measures(d):
    """A typical non-answer: build the graph and count."""
    a, _ = quadrupling(d)
    before = alpha.stats.pushes
    a.grad(1.0)
    return alpha.stats.pushes - before


_TABLE = [2 * 4**d - 1 for d in range(FIRST)]


def _walks_the_paths(d):
    """Walks every path, without a graph or grad(): right, and hopeless at d = 40."""
    if d == 0:
        return 1  # x alone
    # ((a + a) + a) + a: the top, its left operand, that one's left operand; a, four times
    return 3 + sum(_walks_the_paths(d - 1) for _ in range(4))


def _counts_on_the_graph(d):
    """A learner's answer (read s4a): builds the graph, counts paths in one ordered loop."""
    x = alpha.Var(1.0)
    a = x
    for _ in range(d):
        a = a + a + a + a
    paths = {a: 1}
    for n in topological_order(a):
        for c in n.children:
            paths[c] = paths.get(c, 0) + paths[n]
    return sum(paths.values())


def _table_to_6(d):
    """Right up to d = 6 from a longer table, then nothing."""
    return [2 * 4**k - 1 for k in range(7)][d]


q3 = Question(
    title="Counting pushes on a shared graph",
    checker=_check_q3,
    hint_text="Count calls, not nodes: the push model calls grad() on a node once for every "
    "path from the top down to that node. Work out d = 0 and d = 1 by hand first (draw "
    "d = 1 with viz.draw if it helps).",
    more_hints=(
        "Python builds a + a + a + a as ((a + a) + a) + a, so every level has three nodes, "
        "and each of them uses the level below. How many paths reach the top of the level k "
        "levels down? Each of its other two nodes? And x, d levels down?",
        "Each of the three nodes of the level k levels down is reached by 4**k paths; x, "
        "d levels down, by 4**d. Set up the sum over the levels and x yourself: a geometric "
        "series.",
    ),
    solution_text=inspect.getsource(predicted_pushes)
    + "\n# The top of the level k levels down is reached by 4**k paths, and so is each of"
    "\n# its two inner nodes; x, d levels down, by 4**d. Total:"
    "\n#   3 * (1 + 4 + … + 4**(d-1)) + 4**d = (4**d - 1) + 4**d = 2 * 4**d - 1"
    "\n# Keep it in integers (4**d, not 4.0**d): Python's ints are exact, while a float has"
    "\n# 53 bits, so 2 * 4.0**40 - 1 rounds to 2**81 exactly, one more than the true count.",
    answer=lambda: predicted_pushes,
    wrong=[
        (lambda d: 4**d, "paths"),
        (lambda d: 2 * 3**d - 1, "used four times"),
        (lambda d: 2 ** (d + 1) - 1, "doubling graph"),
        (lambda d: (4 ** (d + 1) - 1) // 3, "one node a level"),
        (lambda d: 3 * 4**d - 2, "count the calls level by level"),
        (lambda d: 3 * d + 1, "counts nodes"),
        (lambda d: 5**d, "push model makes"),
        (_measures, "measures rather than predicts"),
        (lambda d: _TABLE[d], "right for d = 0 … 5, but at d=6"),
        (lambda d: dict(enumerate(_TABLE)).get(d), "rather than a table"),
        (_table_to_6, "right for d = 0 … 6, but at d=7"),
        (lambda d: 2 * 4.0**d - 1, "the result is a float (from the float 4.0)"),
        (lambda d: 2 * 4**d - 1.0, "the result is a float (from the float 1.0)"),
        (lambda d: str(2 * 4**d - 1), "return an int, not a str"),
        (lambda d: None, "return an int, not a NoneType"),
        (lambda d: True, "return an int, not a bool"),
        (lambda d: int(2 * 4.0**d - 1), "passed through a float (from the float 4.0)"),
        (lambda d: int(2 * math.pow(4, d) - 1), "passed through a float (from pow())"),
        (lambda d: 2 * 4**n - 1, "calling it with d=0 raised NameError"),  # noqa: F821
        (lambda d: 2 * 4**d - 1 + (10**6 if d > 7 else 0), "at d=40 the push model makes"),
        (_walks_the_paths, "did too much work"),
        (_counts_on_the_graph, "builds the graph"),
        (17, "function of the depth"),
    ],
)

# q4 ---------------------------------------------------------------------------------------


def backward_to(root, wrt):
    order = topological_order(root)  # every node before its children
    needed = set(wrt)  # the nodes that lead to a listed leaf (the leaves themselves too)
    for node in reversed(order):  # children first: each one is decided before its parents
        if any(child in needed for child in node.children):
            needed.add(node)
            node.g = 0.0  # a needed inner node starts from 0, as in backward_simple
    if root in needed:  # a root that reaches no listed leaf gets nothing, like the rest
        root.g += 1.0  # += for a root that is itself a leaf: it adds, like backward_simple
    for node in order:
        if node in needed:
            for child, d in zip(node.children, node.local_grads, strict=True):
                if child in needed:  # no push into a part that reaches no listed leaf
                    child.g += node.g * d


SIDE = 25  # the side graph: u, then 25 times s = s + s: 2**25 paths, and no listed leaf
CHAIN = 5000
PRESET = 0.25  # the g a listed leaf holds before the call in the last graph


def _chain(depth: int = CHAIN) -> tuple[alpha.Node, alpha.Var]:
    """x, then depth times a = a + x: a chain of depth nodes, deeper than Python's stack."""
    x = alpha.Var(0.5, name="x")
    a: alpha.Node = x
    for _ in range(depth):
        a = a + x
    return a, x


def _fresh_graphs():
    """Graphs with the leaves to differentiate for: (description, root, wrt, every leaf);
    every g starts at 0, except in the last five graphs: a listed leaf holds PRESET (in the
    second of them it is the root), and in the last three the inner nodes and the unlisted
    leaves hold what an earlier backward_simple left (in the last two a skipped inner node, or
    a skipped root, holds 1.0: it must keep it). These come last, so a pass that fails only
    there ignores the g's it found."""
    x, y, u = alpha.Var(0.5, name="x"), alpha.Var(-1.5, name="y"), alpha.Var(2.0**-SIDE, name="u")
    a, s = x * y, u
    for _ in range(SIDE):
        s = s + s
    yield (
        f"a = x * y, s = u then {SIDE} times s = s + s, z = a * a + tanh(a) * x + s * a + u * x"
        " with wrt = [x, y]",
        a * a + a.tanh() * x + s * a + u * x,
        [x, y],
        [x, y, u],
    )
    x, y, w = alpha.Var(1.2, name="x"), alpha.Var(0.7, name="y"), alpha.Var(0.3, name="w")
    a, b = x * y, x + w
    yield (
        "a = x * y, b = x + w, z = log(sigmoid(a) * b + b / y + 2) with wrt = [x, x]",
        (a.sigmoid() * b + b / y + 2.0).log(),
        [x, x],
        [x, y, w],
    )
    x = alpha.Var(2.0, name="x")
    yield "z = x, a single leaf, with wrt = [x]", x, [x], [x]
    x = alpha.Var(2.0, name="x")
    yield "z = x, a single leaf, with wrt = [x, x]", x, [x, x], [x]
    root, x = _chain()
    yield f"x, then {CHAIN:,} times a = a + x, with wrt = [x]", root, [x], [x]
    u, v, x = alpha.Var(2.0, name="u"), alpha.Var(3.0, name="v"), alpha.Var(1.0, name="x")
    yield "z = u * v with wrt = [x], an x that z does not use", u * v, [x], [u, v]
    x, y, u = alpha.Var(1.5, name="x"), alpha.Var(2.0, name="y"), alpha.Var(-1.0, name="u")
    x.g = PRESET  # left by an earlier pass: a leaf's g accumulates, like PyTorch's .grad
    yield (
        f"z = x * y + u * x with wrt = [x], where x.g is already {PRESET} (from an earlier pass)",
        x * y + u * x,
        [x],
        [x, y, u],
    )
    x = alpha.Var(2.0, name="x")
    x.g = PRESET
    yield f"z = x, a single leaf, with wrt = [x], where x.g is already {PRESET}", x, [x], [x]
    x, y = alpha.Var(2.0, name="x"), alpha.Var(5.0, name="y")
    z = x * y + x
    alpha.backward_simple(z)  # an earlier pass: z.g and (x * y).g hold 1.0 after it, y.g 2.0
    x.g = 0.0  # the listed leaf cleared; the others keep what the earlier pass left
    yield (
        "z = x * y + x with wrt = [x], after an earlier backward_simple(z) and then "
        "x.g = 0.0 (y.g is still 2.0)",
        z,
        [x],
        [x, y],
    )
    x, y = alpha.Var(2.0, name="x"), alpha.Var(5.0, name="y")
    u, v = alpha.Var(3.0, name="u"), alpha.Var(4.0, name="v")
    z = x * y + u * v
    alpha.backward_simple(z)  # an earlier pass: (u * v).g holds 1.0 after it, u.g 4.0, v.g 3.0
    x.g = 0.0
    yield (
        "z = x * y + u * v with wrt = [x], after an earlier backward_simple(z) and then "
        "x.g = 0.0 ((u * v).g is still 1.0)",
        z,
        [x],
        [x, y, u, v],
    )
    u, v, x = alpha.Var(2.0, name="u"), alpha.Var(3.0, name="v"), alpha.Var(1.0, name="x")
    z = u * v
    alpha.backward_simple(z)  # an earlier pass: z.g holds 1.0 after it
    yield (
        "z = u * v with wrt = [x], an x that z does not use, after an earlier "
        "backward_simple(z) (z.g is still 1.0)",
        z,
        [x],
        [u, v],
    )


# -- typical mistakes ----------------------------------------------------------------------
def _pushes_everywhere(root, wrt):
    """Right gradients, but every node pushes, as if every leaf were listed."""
    order = topological_order(root)
    for node in order:
        if node.children:
            node.g = 0.0
    root.g += 1.0
    for node in order:
        for child, d in zip(node.children, node.local_grads, strict=True):
            child.g += node.g * d


def _skips_unlisted_leaves(root, wrt):
    """Pushes into every inner node and only skips the leaves that are not listed."""
    root.g = 1.0
    for node in topological_order(root):
        for child, d in zip(node.children, node.local_grads, strict=True):
            if child.children or child in wrt:
                child.g += node.g * d


def _needed_forwards(root, wrt):
    """Decides a node before its children: only parents of a listed leaf count as needed."""
    order, needed = topological_order(root), set(wrt)
    for node in order:  # parents first: a child is not decided yet when its parent asks
        if any(child in needed for child in node.children):
            needed.add(node)
    _push_where(order, needed, root)


def _needed_forwards_seeds_if_needed(root, wrt):
    """Decides 'needed' walking the order forwards, and seeds only a needed root: the root,
    decided before its children, is never needed, so nothing is pushed at all."""
    order, needed = topological_order(root), set(wrt)
    for node in order:
        if any(child in needed for child in node.children):
            needed.add(node)
    if root in needed:
        root.g = 1.0
    for node in order:
        if node in needed:
            for child, d in zip(node.children, node.local_grads, strict=True):
                if child in needed:
                    child.g += node.g * d


def _returns_the_gradients(root, wrt):
    """Works the gradients out on the side and returns them, leaving every g alone."""
    order = topological_order(root)
    needed, grads = _needed(order, wrt), {root: 1.0}
    for node in order:
        if node in needed:
            for child, d in zip(node.children, node.local_grads, strict=True):
                grads[child] = grads.get(child, 0.0) + grads.get(node, 0.0) * d
    return [grads.get(leaf, 0.0) for leaf in wrt]


def _recursive_with_a_raised_limit(root, wrt):
    """Raises the recursion limit first, so that a recursive memo survives the chain."""
    sys.setrecursionlimit(20_000)
    _recursive_needed(root, wrt)


def _raises_the_limit_then_loops(root, wrt):
    """Right, but changes the learner's recursion limit on the way."""
    sys.setrecursionlimit(sys.getrecursionlimit() + 5_000)
    backward_to(root, wrt)


def _push_where(order, needed, root):
    for node in order:
        if node in needed and node.children:
            node.g = 0.0
    root.g += 1.0
    for node in order:
        if node in needed:
            for child, d in zip(node.children, node.local_grads, strict=True):
                if child in needed:
                    child.g += node.g * d


def _overwrites(root, wrt):
    """Right nodes, but a push replaces what the child's other parents pushed."""
    order = topological_order(root)
    needed = set(wrt)
    for node in reversed(order):
        if any(child in needed for child in node.children):
            needed.add(node)
    root.g = 1.0
    for node in order:
        if node in needed:
            for child, d in zip(node.children, node.local_grads, strict=True):
                if child in needed:
                    child.g = node.g * d


def _no_seed(root, wrt):
    """Everything but root.g = 1.0."""
    order, needed = topological_order(root), set(wrt)
    for node in reversed(order):
        if any(child in needed for child in node.children):
            needed.add(node)
    for node in order:
        if node in needed:
            for child, d in zip(node.children, node.local_grads, strict=True):
                if child in needed:
                    child.g += node.g * d


def _skips_a_leaf_root(root, wrt):
    """Right, except that a root without children returns at once."""
    if not root.children:
        return
    backward_to(root, wrt)


def _asks_per_path(root, wrt):
    """Asks 'does this node lead to a listed leaf?' by a walk down from each node, anew."""

    def leads(node):
        stack = [node]
        while stack:
            n = stack.pop()
            if n in wrt:
                return True
            stack.extend(n.children)
        return False

    order = topological_order(root)
    _push_where(order, {n for n in order if leads(n)}, root)


def _recursive_needed(root, wrt):
    """Remembers each answer, but asks its children by calling itself: too deep for a chain."""
    memo = {}

    def leads(node):
        if node not in memo:
            memo[node] = node in wrt or any([leads(child) for child in node.children])
        return memo[node]

    order = topological_order(root)
    _push_where(order, {n for n in order if leads(n)}, root)


def _pushes_children_first(root, wrt):
    """Right nodes, but the push loop walks the order backwards: a node pushes before its
    parents have pushed into it."""
    order = topological_order(root)
    needed = _needed(order, wrt)
    root.g = 1.0
    for node in reversed(order):
        if node in needed:
            for child, d in zip(node.children, node.local_grads, strict=True):
                if child in needed:
                    child.g += node.g * d


def _forgets_the_local_derivative(root, wrt):
    """Right nodes, but each child gets node.g, not node.g * d."""
    order = topological_order(root)
    needed = _needed(order, wrt)
    if root in needed:
        root.g = 1.0
    for node in order:
        if node in needed:
            for child in node.children:
                if child in needed:
                    child.g += node.g


def _reversed_pairing(root, wrt):
    """Right nodes, but the local derivatives paired with the children in reverse."""
    order = topological_order(root)
    needed = _needed(order, wrt)
    if root in needed:
        root.g = 1.0
    for node in order:
        if node in needed:
            for child, d in zip(node.children, reversed(node.local_grads), strict=True):
                if child in needed:
                    child.g += node.g * d


def _pushes_in_its_own_order(root, wrt):
    """Right nodes, but pushed in breadth-first order from the root (each node once), not in
    topological order: a node shared at different depths pushes too early."""
    order = topological_order(root)
    needed = _needed(order, wrt)
    if root not in needed:
        return
    root.g = 1.0
    queue, seen = deque([root]), {root}
    while queue:
        node = queue.popleft()
        for child, d in zip(node.children, node.local_grads, strict=True):
            if child in needed:
                child.g += node.g * d
                if child not in seen:
                    seen.add(child)
                    queue.append(child)


def _pushes_zero_into_the_pruned_part(root, wrt):
    """Right gradients, no pruned g changed, but every node walks: 0.0 goes where pruned."""
    order = topological_order(root)
    reach = _needed(order, wrt)
    if root in reach:
        root.g = 1.0
    for n in order:
        for c, d in zip(n.children, n.local_grads, strict=True):
            c.g += (n.g * d) if c in reach else 0.0


def _one_pass_per_leaf(root, wrt):
    """Right gradients, kept in a dict, but one pruned pass per listed leaf: a node that leads
    to several listed leaves pushes once per leaf."""
    for w in set(wrt):
        order = topological_order(root)
        needed = _needed(order, [w])
        if root not in needed:
            continue
        grads = {root: 1.0}
        for node in order:
            if node not in needed:
                continue
            for child, d in zip(node.children, node.local_grads, strict=True):
                if child in needed:
                    grads[child] = grads.get(child, 0.0) + grads[node] * d
        w.g += grads.get(w, 0.0)


def _adds_once_per_listing(root, wrt):
    """Works the gradients out on the side, then adds them once per entry of wrt: a leaf
    listed twice gets twice its gradient."""
    grads = _returns_the_gradients(root, wrt)
    for leaf, g in zip(wrt, grads, strict=True):
        leaf.g += g


def _seeds_always(root, wrt):
    """Right, except that root.g = 1.0 also when the root reaches no listed leaf."""
    order = topological_order(root)
    _push_where(order, _needed(order, wrt), root)


def _builds_on_old_inner_g(root, wrt):
    """Session 6e's solution: right on a fresh graph, but the needed inner nodes are never set
    to 0, so a second pass over the same graph adds to what the first pass left in them."""
    order = topological_order(root)
    needed = _needed(order, wrt)
    if root in needed:
        root.g += 1.0
    for node in order:
        if node in needed:
            for child, d in zip(node.children, node.local_grads, strict=True):
                if child in needed:
                    child.g += node.g * d


def _overwrites_a_leaf_root(root, wrt):
    """Right, except root.g = 1.0 for every root: a leaf root loses the sum it held."""
    order = topological_order(root)
    needed = _needed(order, wrt)
    for node in order:
        if node in needed and node.children:
            node.g = 0.0
    if root in needed:
        root.g = 1.0
    for node in order:
        if node in needed:
            for child, d in zip(node.children, node.local_grads, strict=True):
                if child in needed:
                    child.g += node.g * d


def _clears_the_skipped_nodes(root, wrt):
    """Right, but every skipped node's g is set to 0 'to be safe': a skipped leaf loses the
    sum it held (s6e read 2's zero_grad() on the skipped nodes)."""
    order = topological_order(root)
    needed = _needed(order, wrt)
    for node in order:
        if node not in needed:
            node.zero_grad()
    backward_to(root, wrt)


def _then_clears(root, wrt):
    """backward_simple, then the unlisted leaves cleared: the task is not to push there."""
    alpha.backward_simple(root)
    for node in topological_order(root):
        if not node.children and node not in wrt:
            node.g = 0.0


# -- watching the learner's function: its pushes and its reads -----------------------------
_CHANGES: dict[alpha.Node, int] = {}
_ASSIGNED: set[alpha.Node] = set()  # nodes whose g the learner's function set, changed or not
_G_READ: set[alpha.Node] = set()  # nodes whose g it read (g += reads it first; g = 0.0 does not)
_GRADS_READ: set[alpha.Node] = set()  # nodes whose local_grads it read
_READS: dict[alpha.Node, int] = {}  # reads of node.children and node.local_grads
_GRADS_READS: dict[alpha.Node, int] = {}  # reads of node.local_grads alone
_GRADS_FIRST: dict[alpha.Node, int] = {}  # when it first read each local_grads: its push order
_ALLOWED: dict[alpha.Node, int] = {}  # reads a walk may make: a few per node and per edge, and
# one per node of the graph (a search below every node: quadratic, allowed); once per path is not
_LINEAR: dict[alpha.Node, int] = {}  # reads a linear pass makes at most: more is a search per node
_OVER: list[alpha.Node] = []  # the first node read more often than a linear pass reads it
_COUNTING: dict[type, type] = {}
_G = alpha.Node.g  # the slot that holds g
_CHILDREN, _LOCAL_GRADS = alpha.Node.children.fget, alpha.Node.local_grads.fget


class _PerPath(_TooMuchWork):
    """Raised from inside the learner's walk when it looks at one node far too often."""

    def __init__(self, node):
        super().__init__()
        self.node = node


def _count_read(node):
    if _ALLOWED:  # only while the learner's function runs
        n = _READS[node] = _READS.get(node, 0) + 1
        if n > _ALLOWED.get(node, 0):
            raise _PerPath(node)
        if n > _LINEAR.get(node, 0) and not _OVER:
            _OVER.append(node)


def _counting(cls):
    """A subclass of cls, laid out the same, whose g counts every change (a push) and whose
    children and local_grads count every read."""
    if cls not in _COUNTING:

        def getattr_g(node):
            try:
                return _G.__get__(node)
            except AttributeError:  # a node being built has no g yet
                return None

        def get_g(node):
            if _ALLOWED:
                _G_READ.add(node)
            return _G.__get__(node)

        def set_g(node, value):
            if _ALLOWED:
                _ASSIGNED.add(node)
            if value != getattr_g(node):  # setting 0 on a 0 is not a push
                _CHANGES[node] = _CHANGES.get(node, 0) + 1
            _G.__set__(node, value)

        def children(node):
            _count_read(node)
            return _CHILDREN(node)

        def local_grads(node):
            if _ALLOWED:
                _GRADS_READ.add(node)
                _GRADS_FIRST.setdefault(node, len(_GRADS_FIRST))
                _GRADS_READS[node] = _GRADS_READS.get(node, 0) + 1
            _count_read(node)
            return _LOCAL_GRADS(node)

        _COUNTING[cls] = type(
            cls.__name__,
            (cls,),
            {
                "__slots__": (),
                "g": property(get_g, set_g),
                "children": property(children),
                "local_grads": property(local_grads),
            },
        )
    return _COUNTING[cls]


_TOPOLOGICAL_ORDER = topological_order.__code__
_NOT_ALLOWED = {
    alpha.backward_simple.__code__: "backward_simple()",
    alpha.Node.backward.__code__: "backward()",
    alpha.Node.grad.__code__: "grad()",
}

_EVALUATES = {alpha.Node.forward.__code__, alpha.Var.set_value.__code__}


def _read_budget(edges, node):
    return 12 + 4 * edges.get(node, 0)


def _edges(order):
    """{node: how many edges come into it from parents}."""
    edges: dict[alpha.Node, int] = {}
    for node in order:
        for child in node.children:
            edges[child] = edges.get(child, 0) + 1
    return edges


DEPTH = 200  # Python frames a pass may stack up; a function that calls itself per level needs
# one or more per node, so on the 5,000-node chain it goes far past this


class _TooDeep(_TooMuchWork):
    """Raised from inside the learner's walk when Python's stack grows past DEPTH frames."""


class _Watched:
    """What one call of the learner's function did."""

    def __init__(self):
        self.result = None
        self.called: set[str] = set()
        self.too_often = None  # the node looked at far too often, if any
        self.too_deep = False
        self.quadratic = None  # a node read more than a linear pass reads it (allowed, slow)
        self.limit_changed = None  # (before, what the function set), if it changed the limit
        self.assigned: set[alpha.Node] = set()  # nodes whose g it set (even to the same value)
        self.g_read: set[alpha.Node] = set()  # nodes whose g it read
        self.ordered = False  # whether it called topological_order
        self.orders = 0  # how many times it called topological_order
        self.evaluated = False  # whether it called forward() or set_value (re-evaluation)
        self.pushed_early = False  # whether a node pushed (read local_grads) before a parent
        self.grads_read: set[alpha.Node] = set()  # nodes whose local_grads it read
        self.grads_reads: dict[alpha.Node, int] = {}  # how often it read each one


def _call_watched(learner, root, wrt, order, edges, text):
    """Call learner(root, wrt); return ({node: changes of its g}, a _Watched). Reads of a
    node's children and local_grads are allowed a few times per node and per edge into it;
    more (a walk per path) is stopped at once, as is a call of a helper the task does not
    allow, and a stack deeper than DEPTH frames (a function that calls itself per node).
    Python's recursion limit is put back if the function changed it."""
    for node in order:
        node.__class__ = _counting(type(node))
    _CHANGES.clear()
    _READS.clear()
    _ASSIGNED.clear()
    _G_READ.clear()
    _GRADS_READ.clear()
    _GRADS_READS.clear()
    _GRADS_FIRST.clear()
    _LINEAR.update({node: _read_budget(edges, node) for node in order})
    _ALLOWED.update({node: _read_budget(edges, node) + 2 * len(order) for node in order})
    _OVER.clear()
    seen = _Watched()
    depth = 0

    def watch(frame, event, _arg):
        nonlocal depth
        if event == "call":
            depth += 1
            if depth > DEPTH:
                sys.setprofile(None)
                raise _TooDeep
            if frame.f_code is _TOPOLOGICAL_ORDER:
                seen.ordered = True
                seen.orders += 1
            if frame.f_code in _EVALUATES:
                seen.evaluated = True
            if frame.f_code in _NOT_ALLOWED:
                seen.called.add(_NOT_ALLOWED[frame.f_code])
                sys.setprofile(None)
                raise _TooMuchWork  # grad() on the side graph would never end
        elif event == "return":
            depth -= 1

    limit = sys.getrecursionlimit()
    before = sys.getprofile()
    sys.setprofile(watch)
    try:
        seen.result = call_learner(_learners_errors(learner, text), root, wrt)
    except _PerPath as stop:
        seen.too_often = stop.node
    except _TooDeep:
        seen.too_deep = True
    except _TooMuchWork:
        pass
    finally:
        sys.setprofile(before)
        _ALLOWED.clear()
        _LINEAR.clear()
        seen.quadratic = _OVER[0] if _OVER else None
        if sys.getrecursionlimit() != limit:
            seen.limit_changed = (limit, sys.getrecursionlimit())
            sys.setrecursionlimit(limit)
    changes = dict(_CHANGES)
    seen.assigned, seen.grads_read = set(_ASSIGNED), set(_GRADS_READ)
    seen.g_read = set(_G_READ)
    first = dict(_GRADS_FIRST)
    seen.pushed_early = any(
        first[child] < first[node] for node in first for child in node.children if child in first
    )
    seen.grads_reads = dict(_GRADS_READS)
    _CHANGES.clear()
    _ASSIGNED.clear()
    _G_READ.clear()
    _GRADS_READ.clear()
    _GRADS_READS.clear()
    _GRADS_FIRST.clear()
    return changes, seen


_TINYML = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def _learners_line(exc: BaseException) -> str:
    """' at line N: `code`' for the deepest frame of exc's traceback outside tinyml, or ''."""
    frames = [
        f
        for f in traceback.extract_tb(exc.__traceback__)
        if not os.path.abspath(f.filename).startswith(_TINYML + os.sep)
    ]
    if not frames:
        return ""
    where = frames[-1]
    code = f": `{where.line.strip()}`" if where.line else ""
    name = os.path.basename(where.filename)
    cell = "ipykernel" in where.filename or name.startswith("<ipython")
    return f" at line {where.lineno} of {'your cell' if cell else name}{code}"


def _recursion_message(limit_changed=None) -> str:
    message = (
        f"on a chain {CHAIN:,} levels deep (x, then {CHAIN:,} times a = a + x) your function "
        "calls itself once per level: its stack grows with the chain, and a longer chain runs "
        "out of Python's stack (RecursionError). Decide the nodes in a loop over "
        "topological_order(root), read backwards, instead"
    )
    if limit_changed:
        message += ". " + _limit_note(limit_changed)
    return message


def _learners_errors(learner, text):
    """learner, with its crashes turned into feedback that names the graph and the line."""

    def run(root, wrt):
        try:
            return learner(root, wrt)
        except RecursionError:
            raise Incorrect(_recursion_message()) from None
        except (NotImplementedError, Incorrect, NotAttempted):
            raise
        except Exception as exc:
            raise Incorrect(
                f"on the graph {text}, your function raised {type(exc).__name__}: "
                f"{str(exc).strip()}{_learners_line(exc)}"
            ) from None

    return run


def _count(nodes) -> str:
    return f"{len(nodes)} node{'s' * (len(nodes) > 1)}"


def _name(node, root=None):
    if node is root:
        return "the top node"
    return getattr(node, "name", None) or f"a {node.op} node"


def _printed(node) -> str | None:
    """A node's Lisp-like printed form when it is short (a leaf, or an operation on leaves),
    else None: the side graph's sums print to millions of characters."""
    if node.children and any(child.children for child in node.children):
        return None
    return str(node)


def _such_as(nodes) -> str:
    """' (such as (* u x))' for the first of nodes with a short printed form (a leaf first),
    or '' when none has one."""
    named = [_printed(n) for n in nodes if not n.children] + [_printed(n) for n in nodes]
    example = next((text for text in named if text), None)
    return f" (such as {example})" if example else ""


def _needed(order, wrt):
    needed = set(wrt)
    for node in reversed(order):
        if any(child in needed for child in node.children):
            needed.add(node)
    return needed


def _short(value) -> str:
    text = repr(value)
    return text if len(text) <= 60 else text[:57] + "..."


def _overwrites_in_source(learner):
    """Whether learner's code sets some node's g to a computed value (child.g = node.g * d),
    or None when its source cannot be read."""
    tree = learner_syntax(learner)
    if tree is None:
        return None
    return any(
        isinstance(node, ast.Assign)
        and not isinstance(node.value, ast.Constant)
        and any(isinstance(t, ast.Attribute) and t.attr == "g" for t in node.targets)
        for node in ast.walk(tree)
    )


def _seeds_in_source(learner):
    """Whether learner's code sets some node's g to 1 (root.g = 1.0, root.g += 1), or None
    when its source cannot be read."""
    tree = learner_syntax(learner)
    if tree is None:
        return None
    for node in ast.walk(tree):
        if isinstance(node, (ast.Assign, ast.AugAssign)):
            targets = node.targets if isinstance(node, ast.Assign) else [node.target]
            if (
                any(isinstance(t, ast.Attribute) and t.attr == "g" for t in targets)
                and isinstance(node.value, ast.Constant)
                and node.value.value == 1
            ):
                return True
    return False


_RIGHT_NODES = (
    "The right nodes pushed, but the amounts are wrong: each child gets node.g * d, paired "
    "by zip(node.children, node.local_grads), and nodes must push in topological_order "
    "(parents first)"
)


def _wrong_amounts(learner, index, got, changes, needed, root):
    """Feedback for a pass that pushed into the right nodes but with wrong amounts, or None
    (then too few nodes pushed). Three cheap comparisons name the usual cause."""
    if any(changes.get(n) for n in changes if n not in needed):
        return None
    known = (
        (
            _forgets_the_local_derivative,
            "each child gets node.g * d, not node.g: the upstream times the local derivative "
            "towards that child (child.g += node.g * d)",
        ),
        (
            _reversed_pairing,
            "the pairs are mixed up: node.local_grads[i] belongs to node.children[i], so pair "
            "them in the same order with zip(node.children, node.local_grads)",
        ),
        (
            _pushes_in_its_own_order,
            "the nodes pushed in your own order (a walk from the root), in which a node can "
            "push before all its parents have pushed into it; push in topological_order(root), "
            "parents first",
        ),
    )
    for mistake, why in known:
        if all_close(got, _leaf_grads(mistake, index), abs_tol=1e-12):
            return f"The right nodes pushed, but the amounts are wrong: {why}"
    if all(changes.get(n) for n in needed if n is not root):
        return _RIGHT_NODES
    return None


def _arrivals(index) -> list[list[float]]:
    """Every push that reaches each listed leaf of the index-th fresh graph in a right pass,
    one list per entry of its wrt."""
    _, root, wrt, _ = list(_fresh_graphs())[index]
    order = topological_order(root)
    needed, grads = _needed(order, wrt), {root: 1.0}
    arrivals: dict[alpha.Node, list[float]] = {leaf: [] for leaf in wrt}
    for node in order:
        if node in needed:
            for child, d in zip(node.children, node.local_grads, strict=True):
                if child in needed:
                    push = grads.get(node, 0.0) * d
                    grads[child] = grads.get(child, 0.0) + push
                    if child in arrivals:
                        arrivals[child].append(push)
    return [arrivals[leaf] for leaf in wrt]


def _keeps_one_arrival(index, wrt, got, want) -> str | None:
    """The name of a listed leaf whose g is a single one of its several arrivals (an
    overwrite, child.g = ...), where the sum was wanted; None otherwise."""
    for leaf, g, w, pushes in zip(wrt, got, want, _arrivals(index), strict=True):
        if len(pushes) > 1 and not math.isclose(g, w, rel_tol=1e-9, abs_tol=1e-12):
            if any(math.isclose(g, p, rel_tol=1e-9, abs_tol=1e-12) for p in pushes):
                return _name(leaf)
    return None


def _leaf_grads(mistake, index):
    """What a known mistake leaves on the listed leaves of the index-th fresh graph."""
    _, root, wrt, _ = list(_fresh_graphs())[index]
    mistake(root, wrt)
    return [leaf.g for leaf in wrt]


def _limit_note(limit_changed) -> str:
    was, now = limit_changed
    return (
        f"Your function also changed Python's recursion limit (from {was:,} to {now:,}); the "
        f"checker has put it back to {was:,}: a loop needs no change to it"
    )


_QUADRATIC = [False]  # whether the last function checked searched below every node again


def _q4_note(_learner) -> str:
    if not _QUADRATIC[0]:
        return ""
    return (
        "Note: your function searches the graph below every node again, so its work can grow "
        "with the square of the graph's size. A linear way exists: decide each node once, "
        "from its children's answers (walk topological_order(root) backwards)"
    )


def _check_q4(learner):
    if not callable(learner):
        raise Incorrect("pass your function itself, e.g. ch04.q4.check(backward_to)")
    changed: list[tuple[int, int]] = []  # the recursion limit, if the function changed it
    _QUADRATIC[0] = False
    try:
        _check_q4_graphs(learner, changed)
    except Incorrect as why:
        if changed and "recursion limit" not in str(why):
            raise Incorrect(f"{why}. {_limit_note(changed[0])}") from None
        raise
    if changed:
        was, now = changed[0]
        raise Incorrect(
            f"your function changed Python's recursion limit (from {was:,} to {now:,}); "
            f"the checker has put it back to {was:,}. A pass that loops over "
            "topological_order(root) needs no change to it: leave the limit alone"
        )


def _check_q4_graphs(learner, changed):
    graphs = zip(_fresh_graphs(), _fresh_graphs(), strict=True)
    for i, ((text, root, wrt, _leaves), (_, ref, ref_wrt, _)) in enumerate(graphs):
        alpha.backward_simple(ref)
        want = [leaf.g for leaf in ref_wrt]
        order = topological_order(root)
        edges, needed = _edges(order), _needed(order, wrt)
        given = list(wrt)  # the learner's own copy: it must come back unchanged
        start = {leaf: leaf.g for leaf in wrt}  # nonzero in the last graphs: g accumulates
        held = {n: n.g for n in order if n.children and n in needed and n.g != 0.0}
        kept = {n: n.g for n in order if n not in needed and n.g != 0.0}  # skipped: must stay
        changes, seen = _call_watched(learner, root, given, order, edges, text)
        called, too_often = seen.called, seen.too_often
        _QUADRATIC[0] = _QUADRATIC[0] or seen.quadratic is not None
        slow = too_often if too_often is not None else seen.quadratic  # read too often
        if seen.limit_changed and not changed:
            changed.append(seen.limit_changed)
        if seen.too_deep:
            raise Incorrect(_recursion_message(changed[0] if changed else None))
        if called:
            helper = ", ".join(sorted(called))
            raise Incorrect(
                f"your function calls {helper}, which pushes into every node (on the graph "
                f"{text}); the task is to write a pass that pushes only towards the listed "
                "leaves (topological_order may help: it is allowed)"
            )
        if slow is not None and 1 < seen.orders <= len(wrt):
            raise Incorrect(
                f"on the graph {text}, your function called topological_order(root) "
                f"{seen.orders} times, once per listed leaf: you make one pass per listed "
                "leaf. Make one pass for all listed leaves together: decide every needed node "
                "once, then push each one once"
            )
        if slow is not None and seen.evaluated and not seen.grads_read:
            raise Incorrect(
                f"on the graph {text}, your function looked at "
                f"{_name(slow, root)} far more often "
                "than one pass needs, and read no node's local_grads: it uses no push at "
                "all (forward() or value() re-evaluates the graph). Push from the root with "
                "local_grads, in topological order"
            )
        if too_often is not None:
            pushed = max(order, key=lambda n: changes.get(n, 0) - edges.get(n, 0))
            if changes.get(pushed, 0) > edges.get(pushed, 0) + 2:  # a push per path, not a test
                who = _name(pushed, root)
                into = [n for n in order if n not in needed and changes.get(n)]
                ignored = (
                    f" It also ignores wrt: {who} leads to no listed leaf."
                    if pushed in into
                    else f" It also pushes into nodes that lead to no listed leaf{_such_as(into)}."
                    if into
                    else ""
                )
                raise Incorrect(
                    f"on the graph {text}, your function pushed into {who} "
                    f"{changes[pushed]:,} times before the checker stopped it: once per path "
                    f"down to it, as grad() does (see 'The flaw: once per path'), and the side "
                    f"graph has 2**{SIDE} paths.{ignored} Loop over topological_order(root) "
                    "instead: decide the needed nodes children first (backwards), then let each "
                    "needed node push once, its whole g, parents first (forwards)"
                )
            who = _name(too_often, root)
            raise Incorrect(
                f"on the graph {text}, your function looked at {who} (its children or "
                f"local_grads) more than {_read_budget(edges, too_often) + 2 * len(order)} "
                f"times, in a graph of {len(order)} nodes: it asks again for every path whether "
                f"a node leads to a listed leaf, and the side graph has 2**{SIDE} paths. Decide "
                "each node once, from its children's answers"
            )
        if len(given) != len(wrt) or any(a is not b for a, b in zip(given, wrt, strict=True)):
            raise Incorrect(
                f"on the graph {text}, your function changed the list wrt it was given (it "
                f"came back with {len(given)} nodes, not the {len(wrt)} listed): the caller's "
                "list is theirs. Keep your own, e.g. needed = set(wrt)"
            )
        got = [leaf.g for leaf in wrt]
        if not all_close(got, want, rel_tol=1e-9, abs_tol=1e-12):
            once = {leaf: (leaf.g, w) for leaf, w in zip(wrt, want, strict=True)}  # a leaf once
            form = _number_format(once.values())  # the same for every number shown
            shown = ", ".join(
                f"{_name(leaf)}.g = {form.format(g)} (backward_simple: {form.format(w)})"
                for leaf, (g, w) in once.items()
            )
            twice = [leaf for leaf in once if wrt.count(leaf) > 1]
            if twice and all(
                math.isclose(g, w * wrt.count(leaf), rel_tol=1e-9, abs_tol=1e-12)
                for leaf, (g, w) in once.items()
            ):
                leaf = twice[0]
                times = {2: "twice", 3: "three times"}.get(wrt.count(leaf), "more than once")
                raise Incorrect(
                    f"on the graph {text}: {shown}. {_name(leaf)} is listed "
                    f"{times}; it still gets its gradient once (a list of "
                    "leaves names the leaves, it is not a count: take set(wrt))"
                )
            wiped = [
                leaf
                for leaf, (g, w) in once.items()
                if start[leaf] and math.isclose(g, w - start[leaf], rel_tol=1e-9, abs_tol=1e-12)
            ]
            if wiped:
                leaf = _name(wiped[0])
                top = (
                    " Here the root is that leaf: root.g += 1.0, not root.g = 1.0"
                    if wiped[0] is root
                    else ""
                )
                raise Incorrect(
                    f"on the graph {text}: {shown}. {leaf}.g held {start[wiped[0]]} before "
                    f"the call, and your function threw it away (it set {leaf}.g to 0 or "
                    f"overwrote it): a leaf's g accumulates, like PyTorch's .grad, so add "
                    f"to it ({leaf}.g += …) and never reset a listed leaf's g.{top}"
                )
            if held:  # right on every fresh graph (they come first): the old inner g's count
                old = " and ".join(
                    f"{'root' if n is root else _printed(n) or f'a {n.op} node'}.g was {g}"
                    for n, g in held.items()
                )
                raise Incorrect(
                    f"on the graph {text}: {shown}. Before the call, {old}, left by the "
                    "earlier pass, and your pass built on them. Inner nodes start from 0 on every "
                    "pass, as in backward_simple (only leaves accumulate): set each needed "
                    "inner node's g to 0.0 before pushing, then root.g += 1.0"
                )
            if seen.result is not None and not any(changes.values()):
                raise Incorrect(
                    f"on the graph {text}, your function returned {_short(seen.result)} and "
                    "left every g unchanged: the return value is ignored; leave the result "
                    "in .g (add to each listed leaf's g, as backward_simple does)"
                )
            if not root.children:
                raise Incorrect(
                    f"on the graph {text}: {shown}. The root is itself the listed leaf; "
                    "∂x/∂x = 1, so it too starts with root.g = 1.0, children or not"
                )
            if root.g == 0.0 and root in needed:
                seeds = _seeds_in_source(learner)
                never = (
                    "your pass never marked the root as needed: decide each node after its "
                    "children (read the order backwards, reversed(order)), so that the root, "
                    "decided last, sees its children's answers"
                )
                if seeds is None:  # no source to read: did the root push (it was needed)?
                    seeds = not seen.grads_reads.get(root)
                if seeds:
                    raise Incorrect(
                        f"on the graph {text}: {shown}, and root.g is still 0.0, though the "
                        f"root leads to a listed leaf: {never}"
                    )
            if root.g != 1.0:
                raise Incorrect(
                    f"on the graph {text}: {shown}, and root.g is {root.g}: start with "
                    "root.g = 1.0"
                )
            inner_pushed = any(changes.get(n) for n in needed if n is not root and n.children)
            reached = any(changes.get(leaf) for leaf in wrt if leaf is not root)
            if inner_pushed and not reached and not seen.pushed_early:
                raise Incorrect(
                    f"on the graph {text}: {shown}. The inner nodes got their gradients, but "
                    "nothing reached the listed leaves: a listed leaf has no children, yet it "
                    "is needed, so its parents must push into it too"
                )
            if inner_pushed and all_close(
                got, _leaf_grads(_pushes_children_first, i), abs_tol=1e-12
            ):
                raise Incorrect(
                    f"on the graph {text}: {shown}. The right nodes pushed, but in the wrong "
                    "order: a node pushed before its parents had pushed into it. Push parents "
                    "first: walk `order` forwards (reversed(order) is only for deciding which "
                    "nodes are needed)"
                )
            if all_close(got, _leaf_grads(_overwrites, i), abs_tol=1e-12):
                raise Incorrect(
                    f"on the graph {text}: {shown}. The nodes are right, but child.g = … "
                    "replaces what the child's other parents pushed; add it with child.g += …"
                )
            all_pushed = all(seen.grads_reads.get(n) for n in needed if n.children)
            last = (  # else: pruned too much
                all_pushed
                and _overwrites_in_source(learner) is not False
                and _keeps_one_arrival(i, wrt, got, want)
            )
            if last:
                raise Incorrect(
                    f"on the graph {text}: {shown}. {last} holds only one of the pushes that "
                    "reached it: a node reached along several edges must add (+=) each push, "
                    "not overwrite (=) what the others left"
                )
            amounts = _wrong_amounts(learner, i, got, changes, needed, root)
            if amounts:
                raise Incorrect(f"on the graph {text}: {shown}. {amounts}")
            if not seen.ordered and seen.pushed_early:
                raise Incorrect(
                    f"on the graph {text}: {shown}. Your function does not call "
                    "topological_order(root), and your own order is not parents-first: a node "
                    "pushed before all its parents had pushed into it. Use "
                    "topological_order(root): forwards to push, backwards to decide"
                )
            if not any(seen.grads_reads.get(n) for n in needed if n.children):
                raise Incorrect(
                    f"on the graph {text}: {shown}. Nothing was pushed: your function read no "
                    "needed node's local_grads. If you mark the needed nodes, mark each one "
                    "after its children (walk reversed(order)), so that every node above a "
                    "listed leaf is marked too. Then each needed node hands every needed child "
                    "child.g += node.g * d, walking the order forwards"
                )
            raise Incorrect(
                f"on the graph {text}: {shown}. You pruned too much: some node that leads to "
                "a listed leaf was skipped (it got no push, or made none). A node is needed "
                "when it is a listed leaf or any of its children is needed, so decide the "
                "children first (walk topological_order(root) backwards)"
            )
        cleared = [n for n in kept if n.g == 0.0]  # a skipped node reset: leaf, inner or root
        if cleared:
            node = cleared[0]
            name = "root" if node is root else _printed(node) or _name(node)
            why = "a leaf's g accumulates" if not node.children else "only a needed inner node"
            why += " starts from 0" if node.children else ""
            raise Incorrect(
                f"on the graph {text}, the listed leaves' gradients are right, but your "
                f"function set {name}.g to 0 ({name}.g held {kept[node]} from the earlier "
                f"pass): a skipped node's g is left exactly as it is: nothing added, nothing "
                f"reset ({why}). Set nothing in a node that leads to no listed leaf"
            )
        if root not in needed and changes.get(root):
            raise Incorrect(
                f"on the graph {text}, no listed leaf can be reached from the top, so nothing "
                f"is pushed and every g stays as it was, the top's too; your function left "
                f"root.g = {root.g!r}. Set root.g = 1.0 only when the root is needed"
            )
        pruned = [n for n in order if n not in needed and changes.get(n)]
        if pruned:
            count = f"{len(pruned)} node{'s' * (len(pruned) > 1)}"
            raise Incorrect(
                f"on the graph {text}, the listed leaves' gradients are right, but your "
                f"function pushed into {count} from which no listed leaf can be reached"
                f"{_such_as([n for n in pruned if n is not root])}: the task is to skip them, "
                "as PyTorch skips tensors that do not require grad. Which nodes lead to a "
                "listed leaf? Decide that before pushing, and push only into those"
            )
        # The rule (Exercise 4's text): nothing is added to a skipped node's g, not even 0.0,
        # and it pushes nothing. Setting its g to 0.0 (it stays 0) is allowed, and so is reading
        # its children or local_grads: a loop may look at every node, only its pushes count.
        added = [
            n
            for n in order
            if n not in needed and n is not root and n in seen.assigned and n in seen.g_read
        ]
        if added:
            raise Incorrect(
                f"on the graph {text}, the gradients are right and no pruned g changed, but your "
                f"function added 0.0 to the g of {_count(added)} that lead to no listed leaf"
                f"{_such_as(added)}: adding 0.0 is still a push into a skipped node. Push only "
                "into children that lead to a listed leaf: test it (e.g. `child in needed`) "
                "before the +="
            )
        again = [
            n
            for n in order
            if n in needed and seen.grads_reads.get(n, 0) > max(1, len(n.children))
        ]
        if again:
            reads = max(seen.grads_reads[n] for n in again)
            # a node read once per child is allowed, so this count is only a lower bound
            some = "one" if len(again) == 1 else f"{len(again)}"
            nodes = f"at least {some} needed node{'s' * (len(again) > 1)}{_such_as(again)}"
            if reads > len(set(wrt)):  # more reads than listed leaves: one per path into it
                raise Incorrect(
                    f"on the graph {text}, the gradients are right, but your function read the "
                    f"local_grads of {nodes} up to {reads} times, once per path into it: you "
                    "push once per path, like grad(). Wait until a node has all its parents' "
                    "pushes (walk topological_order(root), parents first), then let it push "
                    "once, its whole g"
                )
            raise Incorrect(
                f"on the graph {text}, the gradients are right, but your function read the "
                f"local_grads of {nodes} more than once: you make one pass per listed leaf: "
                "push every needed node once, in one pass, for all listed leaves together"
            )
        for node in order:
            if changes.get(node, 0) > edges.get(node, 0) + 2:
                raise Incorrect(
                    f"on the graph {text}, {_name(node, root)} has {edges.get(node, 0)} "
                    f"parent edge(s), but its g was changed {changes[node]} times: let each "
                    "needed node push once, in topological order"
                )


q4 = Question(
    title="A backward pass for some leaves only",
    checker=_check_q4,
    hint_text="Which nodes lead to a listed leaf? Decide that for every node before any "
    "push, then push only from and into those nodes.",
    more_hints=(
        "Take this graph: z = a * a + tanh(a) * x + s * a + u * x with "
        "a = x * y, s = u doubled 25 times, and wrt = [x, y]. Is u * x needed? Is u? Is s, "
        "and is s * a? Each answer follows from the children's answers: a node is needed if "
        "it is a listed leaf or any of its children is needed. So in what order must the "
        "nodes be decided?",
        "Two loops over order = topological_order(root). Decide children first: read the "
        "order backwards. Push parents first: read it forwards, and only from and into "
        "needed nodes. No function that calls itself: the chain is 5,000 levels deep. "
        "As in backward_simple, a needed inner node starts from g = 0; a listed leaf adds.",
    ),
    solution_text=inspect.getsource(backward_to)
    + "\n# The backward loop reads the order forwards (parents first); deciding 'needed' reads"
    "\n# it backwards (children first), so a node is decided after all of its children.",
    answer=lambda: backward_to,
    note=_q4_note,
    wrong=[
        (_pushes_everywhere, "no listed leaf can be reached"),
        (_skips_unlisted_leaves, "no listed leaf can be reached"),
        (_needed_forwards, "pruned too much"),
        (_overwrites, "child.g +="),
        (_no_seed, "root.g = 1.0"),
        (_skips_a_leaf_root, "children or not"),
        (_asks_per_path, "for every path"),
        (_recursive_needed, "RecursionError"),
        (_recursive_with_a_raised_limit, "calls itself once per level"),
        (_raises_the_limit_then_loops, "leave the limit alone"),
        (_needed_forwards_seeds_if_needed, "never marked the root as needed"),
        (_returns_the_gradients, "the return value is ignored"),
        (_then_clears, "calls backward_simple()"),
        (_pushes_children_first, "walk `order` forwards"),
        (_forgets_the_local_derivative, "node.g * d, not node.g"),
        (_reversed_pairing, "the pairs are mixed up"),
        (_pushes_in_its_own_order, "push in topological_order(root)"),
        (_seeds_always, "only when the root is needed"),
        (_pushes_zero_into_the_pruned_part, "still a push into a skipped node"),
        (_one_pass_per_leaf, "you make one pass per listed leaf"),
        (_adds_once_per_listing, "x is listed twice; it still gets its gradient once"),
        (_builds_on_old_inner_g, "Inner nodes start from 0 on every pass"),
        (_overwrites_a_leaf_root, "root.g += 1.0, not root.g = 1.0"),
        (_clears_the_skipped_nodes, "your function set y.g to 0 (y.g held 2.0"),
        (lambda root, wrt: root.grad(1.0), "calls grad()"),
        (lambda root, wrt: root.backward(), "calls backward()"),
        ("backward_to", "function itself"),
    ],
)
