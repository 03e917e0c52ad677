"""Chapter 3 exercises: the cost of repeated work."""

from __future__ import annotations

import inspect
import numbers
import sys

from tinyml.exercises import Incorrect, Question, call_learner

# q1 ---------------------------------------------------------------------------------------


def _check_q1(answer):
    if isinstance(answer, bool) or not isinstance(answer, int):
        raise Incorrect(f"give a whole number of calls, not {answer!r}")
    if answer == 55:
        raise Incorrect("55 is fib1(10) itself, the value; count the calls instead")
    if answer == 11:
        raise Incorrect("11 is how many calls fib2's helper makes; fib1 makes many more")
    if answer == 1024:
        raise Incorrect("2^10 is an upper bound; the n - 2 branch is shorter, so fewer calls")
    if answer != 177:
        raise Incorrect(f"{answer} is not it; count_calls(fib1, 10) counts them for you")


q1 = Question(
    title="How many calls does fib1(10) make?",
    checker=_check_q1,
    hint_text="Use count_calls(fib1, 10), or the recurrence C(n) = 1 + C(n-1) + C(n-2) with "
    "C(0) = C(1) = 1.",
    solution_text="answer = count_calls(fib1, 10)  # 177 = 2·fib(11) - 1",
    answer=lambda: 177,
    wrong=[(55, "the value"), (11, "fib2"), (1024, "upper bound"), (100, "not it")],
)

# q2 ---------------------------------------------------------------------------------------

_CALL_LIMIT = 5_000


class _TooManyCalls(Incorrect):
    pass


def _count_calls_of(fn, *args):
    """Call fn(*args), counting calls of fn's own code; stop once there are too many."""
    code = getattr(getattr(fn, "__wrapped__", fn), "__code__", None)
    calls = 0

    def tracer(frame, event, arg):
        nonlocal calls
        if event == "call" and frame.f_code is code:
            calls += 1
            if calls > _CALL_LIMIT:
                raise _TooManyCalls(
                    f"fib_memo({args[0]}) made more than {_CALL_LIMIT:,} calls: it still "
                    "recomputes; store each result the first time, look it up after"
                )
        return None

    old = sys.gettrace()
    sys.settrace(tracer)
    try:
        result = call_learner(fn, *args)
    finally:
        sys.settrace(old)
    return result, calls


_FIBS = [0, 1]
while len(_FIBS) <= 300:
    _FIBS.append(_FIBS[-1] + _FIBS[-2])


def _check_q2(fib_memo):
    if not callable(fib_memo):
        raise Incorrect("pass your function itself, e.g. ch03.q2.check(fib_memo)")
    for n in range(12):
        got = call_learner(fib_memo, n)
        if got != _FIBS[n]:
            raise Incorrect(f"fib_memo({n}) returned {got!r}; expected {_FIBS[n]}")
    for n in (30, 300):
        got, _ = _count_calls_of(fib_memo, n)
        if got != _FIBS[n]:
            raise Incorrect(f"fib_memo({n}) returned {got!r}; expected {_FIBS[n]}")


_memo: dict[int, int] = {}


def _fib_memo(n):
    if n not in _memo:
        _memo[n] = n if n < 2 else _fib_memo(n - 1) + _fib_memo(n - 2)
    return _memo[n]


def _fib_naive(n):
    return n if n < 2 else _fib_naive(n - 1) + _fib_naive(n - 2)


q2 = Question(
    title="Remember instead of recomputing",
    checker=_check_q2,
    hint_text="Keep a dict outside the function. Before computing fib(n), look n up; after "
    "computing it, store it. (functools.lru_cache does the same; try both.)",
    solution_text=(
        "memo = {}\n\n\n"
        "def fib_memo(n):\n"
        "    if n not in memo:\n"
        "        memo[n] = n if n < 2 else fib_memo(n - 1) + fib_memo(n - 2)\n"
        "    return memo[n]\n"
    ),
    answer=lambda: _fib_memo,
    wrong=[
        (_fib_naive, "recomputes"),
        (lambda n: n, "expected 1"),
        ("fib_memo", "function itself"),
    ],
)

# q3 ---------------------------------------------------------------------------------------


def _visits(d):
    return 2 * 3**d - 1


def _check_q3(visits):
    if not callable(visits):
        raise Incorrect("pass a function of the depth d, e.g. lambda d: ...")
    for d in range(12):
        got = call_learner(visits, d)
        if isinstance(got, bool) or not isinstance(got, numbers.Real) or got != _visits(d):
            if d > 0 and got == 2 * d + 1:
                raise Incorrect(
                    "2d + 1 counts the distinct nodes; value() visits a node once per path "
                    "to it, so shared nodes are visited again and again"
                )
            raise Incorrect(f"for depth {d} you predict {got!r}; value() makes {_visits(d)}")


q3 = Question(
    title="Predict the visits of the shared chain",
    checker=_check_q3,
    hint_text="Let U(d) be the visits of value() at depth d. U(0) = 1 (just x). The node "
    "a*a + a visits the Add, the Mul, and then a three times: U(d) = 2 + 3·U(d-1).",
    solution_text=inspect.getsource(_visits).replace("_visits", "visits"),
    answer=lambda: _visits,
    wrong=[
        (lambda d: 2 * d + 1, "distinct nodes"),
        (lambda d: 3 ** (d + 1), "value() makes"),
        (17, "function of the depth"),
    ],
)

# q4 ---------------------------------------------------------------------------------------


def _check_q4(answer):
    if isinstance(answer, bool) or not isinstance(answer, numbers.Real):
        raise Incorrect(f"give a number, not {answer!r}")
    want = 100 * (30 * 100 + 11) / (12 * 100 + 8)
    if abs(answer - want) <= 0.01 * want:
        return
    if abs(answer - 100) <= 1:
        raise Incorrect(
            "100 would be one tree walk per parameter; each grad also recomputes values, "
            "so count both with count_visits"
        )
    raise Incorrect(f"{answer!r} is not the ratio; measure both with count_visits")


q4 = Question(
    title="What a full gradient costs in Beta",
    checker=_check_q4,
    hint_text="loss, ws = linear_loss(100). Count the visits of loss.value() and of "
    "gradient(loss, ws) inside two count_visits() blocks, then divide.",
    solution_text=(
        "loss, ws = linear_loss(100)\n"
        "with count_visits() as one:\n"
        "    loss.value()\n"
        "with count_visits() as full:\n"
        "    gradient(loss, ws)\n"
        "answer = full.total / one.total  # about 249: P times 2.5 walks of the tree"
    ),
    answer=lambda: 100 * 3011 / 1208,
    wrong=[(100, "recomputes values"), (1, "not the ratio"), ("249", "give a number")],
)
