"""Chapter 3 exercises: the cost of repeated work."""

from __future__ import annotations

import functools
import inspect
import math
import numbers
import sys

from tinyml.exercises import (
    Blank,
    Incorrect,
    NotAttempted,
    Question,
    all_close,
    call_learner,
    cell_filled,
    floats_in_code,
)

# q1 ---------------------------------------------------------------------------------------


def _fib(n: int) -> int:
    a, b = 0, 1
    for _ in range(n):
        a, b = b, a + b
    return a


def _float_count_note(got, where: str = "Your") -> str:
    """Said to a right answer whose float only rounds to the count (q1's number, q4's d = 25)."""
    if isinstance(got, numbers.Integral) or float(got).is_integer():
        return ""
    return (
        f"{where} float {got!r} rounds to the count; a count is a whole number, though: "
        "round() it, or compute it with integers, which are exact."
    )


_Q1_N = 60  # far too many calls to count: fib1(60) makes about 5 million million


def _check_q1(answer):
    n, want = _Q1_N, _fib(_Q1_N - 1)
    if isinstance(answer, bool) or not isinstance(answer, numbers.Real):
        raise Incorrect(f"give a whole number of calls, not {answer!r}")
    if not float(answer).is_integer():
        if _same_count(answer, want):  # as in q4: a float that rounds to the count is right
            return  # (_float_count_note says to round it)
        half_off = _half_off_note(answer, want)
        if half_off:
            raise Incorrect(half_off)
        if abs(answer - want) < 1:
            raise Incorrect(
                f"{answer!r} rounds to the wrong whole number (a formula in floats, such as "
                "Binet's, is not exact): compute the count with integers"
            )
        raise Incorrect(f"give a whole number of calls, not {answer!r}")
    answer = int(answer)  # 4181.0 (or a numpy integer) counts the same calls as 4181
    if answer == want:
        return
    every = 2 * _fib(n + 1) - 1
    if answer == every:
        raise Incorrect(
            f"{answer:,} is every call fib1({n}) makes; count only the calls of fib1(2)"
        )
    totals = {2 * _fib(k + 1) - 1: k for k in range(n - 4, n)}
    if answer in totals:
        raise Incorrect(
            f"{answer:,} is 2F({totals[answer] + 1}) - 1, every call fib1({totals[answer]}) "
            "makes; count only the calls of fib1(2)"
        )
    if abs(answer - want) == 1:
        raise Incorrect(
            f"{answer:,} is one off: F({n - 1}) {'+' if answer > want else '-'} 1. Check your "
            "rule against fib1(4), where fib1(2) is called exactly twice, F(3)"
        )
    if answer == _fib(n):
        raise Incorrect(
            f"{answer:,} is fib1({n}) itself (and, as it happens, how often fib1(1) is "
            "called); fib1(2) is called fewer times"
        )
    if answer == 1:
        raise Incorrect("fib2 asks each question once; fib1 asks fib1(2) again and again")
    if answer in (4181, 2584, 6765):
        raise Incorrect(
            f"{answer} is the count for n around 20; the exercise asks about fib1({n}): "
            "find the rule that gives the count for any n, then apply it to n = 60"
        )
    near = {_fib(k): k for k in range(n - 4, n + 3) if k != n - 1}
    if answer in near:
        raise Incorrect(
            f"{answer:,} is a Fibonacci number, F({near[answer]}), the right kind of answer "
            "but the wrong one: check your rule against fib1(4), where fib1(2) is called "
            "twice, and fib1(5), where it is called 3 times"
        )
    raise Incorrect(
        f"{answer:,} is not it; count with calls_of(trace_calls(fib1, n), 'fib1(2)') for "
        "small n, find the rule, and compute the count for n = 60 from it"
    )


q1 = Question(
    title="How often is the same question asked?",
    checker=_check_q1,
    hint_text="In fib1(4), fib1(2) is called twice. Count it for fib1(5), fib1(6) and "
    "fib1(7) too, with calls_of(trace_calls(fib1, n), 'fib1(2)'): do the counts look "
    "familiar?",
    more_hints=(
        "Put your counts for n = 4, 5, 6, 7 beside fib2's numbers, [fib2(k) for k in "
        "range(10)]: where do they appear? Why: fib1(n) makes exactly two calls, "
        "fib1(n - 1) and fib1(n - 2), and every call of fib1(2) happens inside one of them, "
        "so how does the count for n follow from the two before it?",
        "They are Fibonacci numbers: 2, 3, 5, 8 are F(3), F(4), F(5), F(6) for n = 4, 5, 6, "
        "7. Which F(k) is it for n = 60? Compute it the fast way, with the chapter's fib2 "
        "(never with fib1).",
    ),
    solution_text=(
        "# The count for n is F(n - 1): 2, 3, 5, 8 for n = 4, 5, 6, 7 (check with calls_of).\n"
        "answer = fib2(59)  # 956,722,026,041 calls of fib1(2) inside fib1(60)\n"
        "# fib1(k) is called F(n - k + 1) times inside fib1(n): the repeats are Fibonacci too"
    ),
    answer=lambda: _fib(_Q1_N - 1),
    reservation=_float_count_note,
    praise="fib1(2) is called F(n - 1) times, and in general fib1(k) is called "
    "F(n - k + 1) times inside fib1(n).",
    wrong=[
        (2 * _fib(_Q1_N + 1) - 1, "every call"),
        (_fib(_Q1_N), "itself"),
        (1, "fib2"),
        (_fib(_Q1_N - 2), "wrong one"),
        (_fib(_Q1_N - 1) + 0.5, "half-way"),  # s6e reader: was accepted; round() is one off
        (_fib(_Q1_N - 1) - 0.5, "half-way"),
        (_fib(_Q1_N - 1) + 0.7, "wrong whole number"),
        (_fib(_Q1_N - 1) - 0.6, "wrong whole number"),
        (4181, "n around 20"),
        (100, "not it"),
        (4181.5, "whole number"),
        ("956722026041", "whole number"),
    ],
)

# q2 ---------------------------------------------------------------------------------------

_CALL_LIMIT = 5_000
_ANY_CALL_LIMIT = 50_000  # calls of any Python function: a memo needs a few hundred at most


class _TooManyCalls(Incorrect):
    outside = False  # True when the calls went to another function, such as fib1


def _count_calls_of(fn, *args, seen: set | None = None, direct: set | None = None):
    """Call fn(*args), counting calls of fn's own code; stop once there are too many.

    seen, when given, collects the first argument of every call of fn's code; direct, the
    (name, file) of every other function fn's code calls itself."""
    code = getattr(getattr(fn, "__wrapped__", fn), "__code__", None)
    calls = 0
    others: dict[str, int] = {}  # calls of other functions, by the function fn called
    any_calls = 0
    current = getattr(code, "co_name", "?")  # the function fn called, whose work this is

    def tracer(frame, event, arg):
        nonlocal calls, any_calls, current
        if event != "call":
            return None
        any_calls += 1
        if frame.f_code is not code and frame.f_back and frame.f_back.f_code is code:
            current = frame.f_code.co_name  # fib2, not the _check_n that fib2 calls
            if direct is not None:
                direct.add((current, frame.f_code.co_filename))
        if frame.f_code is code:
            calls += 1
            if seen is not None and code.co_argcount:
                seen.add(frame.f_locals.get(code.co_varnames[0]))
            if calls > _CALL_LIMIT:
                raise _TooManyCalls(
                    f"fib_memo({args[0]}) was stopped after {_CALL_LIMIT:,} calls of itself: it "
                    "still recomputes; store each result the first time, look it up after"
                )
        else:
            others[current] = others.get(current, 0) + 1
        if any_calls > _ANY_CALL_LIMIT:  # stopped early: fib1(40) would run for minutes
            busiest = max(others, key=others.get)
            exc = _TooManyCalls(
                f"fib_memo({args[0]}) was stopped after {_ANY_CALL_LIMIT:,} function calls, "
                f"{others[busiest]:,} of them calls of {busiest}: the work happens outside "
                "fib_memo, where the memo cannot help. Recurse through fib_memo itself, "
                "fib_memo(n - 1) + fib_memo(n - 2), not through another Fibonacci function"
            )
            exc.outside = True
            raise exc
        return None

    old = sys.gettrace()
    sys.settrace(tracer)
    try:
        result = call_learner(fn, *args)
    finally:
        sys.settrace(old)
    return result, calls


def _caches(fn) -> list:
    """The dicts (or lru_cache) fn keeps its results in: globals it names, closure, defaults."""
    if hasattr(fn, "cache_clear") and hasattr(fn, "cache_info"):
        return [fn]  # functools.lru_cache / functools.cache
    code = getattr(fn, "__code__", None)
    if code is None:
        return []
    found = [fn.__globals__.get(name) for name in code.co_names]
    found += [cell.cell_contents for cell in (fn.__closure__ or ()) if cell_filled(cell)]
    found += list(fn.__defaults__ or ())
    found += list(vars(fn).values())
    caches = []
    for d in found:
        if isinstance(d, dict) and all(_key_number(k) is not None for k in d):
            if all(d is not c for c in caches):
                caches.append(d)
    return caches


def _key_number(key) -> int | None:
    """The n a memo's key stands for: n itself, or n written as str(n) or float(n)."""
    if isinstance(key, int) and not isinstance(key, bool):
        return key
    if isinstance(key, float) and key.is_integer():
        return int(key)
    if isinstance(key, str) and key.strip().lstrip("-").isdigit():
        return int(key)
    return None


def _stored(caches) -> int:
    return sum(c.cache_info().currsize if hasattr(c, "cache_info") else len(c) for c in caches)


def _dict_made_inside(fn) -> str | None:
    """The name of a local variable fn sets to a new dict ({} or dict()), if any."""
    import dis

    code = getattr(fn, "__code__", None)
    if code is None:
        return None
    recent: list = []
    for ins in dis.get_instructions(code):
        if ins.opname in ("STORE_FAST", "STORE_DEREF"):
            names = [r.argval for r in recent if r.opname in ("LOAD_GLOBAL", "LOAD_NAME")]
            made = [r.opname for r in recent if r.opname == "BUILD_MAP" or "CALL" in r.opname]
            if recent and recent[-1].opname == "BUILD_MAP" and recent[-1].arg == 0:
                return ins.argval
            if "dict" in names and made and "CALL" in recent[-1].opname:  # 3.10: CALL_FUNCTION
                return ins.argval
        if ins.opname not in ("CACHE", "NOP", "EXTENDED_ARG"):
            recent = [*recent[-3:], ins]
    return None


def _refuse_a_bounded_cache(fib_memo, n) -> None:
    """An lru_cache with a maxsize forgets results: say so, rather than blame the lookup."""
    info = getattr(fib_memo, "cache_info", lambda: None)()
    if info is not None and info.maxsize is not None:
        raise Incorrect(
            f"fib_memo({n}): your cache (maxsize={info.maxsize}) keeps only {info.maxsize} "
            f"result{'s' * (info.maxsize != 1)} and forgets the rest, so asked again it "
            "recomputes them. Let it keep every result: functools.cache, or "
            "lru_cache(maxsize=None)"
        ) from None


def _name_a_none_return(fib_memo) -> None:
    """A crash on None + int: name the n whose call, asked again, returns None."""
    for n in range(12):
        try:
            got = fib_memo(n)  # the checker has asked for it once already
        except Exception:  # noqa: BLE001 - the learner's bug; the crash is reported as is
            return
        if got is None:
            raise Incorrect(
                f"fib_memo({n}) returned None on its second call: does every path return memo[n]?"
            ) from None


_STALE = (
    ". Your memo already held entries from an earlier run, and fib_memo returns them: "
    "reset it (memo = {}) and run the cell again"
)


def _float_note(got) -> str:
    """Floats hold about 16 digits: say so when a float answer is what went wrong."""
    if isinstance(got, float):
        return ". Return ints: floats lose digits past about 16"
    return ""


def _wrong_key_note(caches) -> str:
    """Name a memo whose keys are off: memo[n - 1] (or memo[n + 1]) holding fib(n)."""
    for c in caches:
        if not isinstance(c, dict):
            continue
        pairs = [(_key_number(k), v) for k, v in c.items()]
        pairs = [(k, v) for k, v in pairs if k is not None and 3 <= k < 500]
        if len(pairs) < 3:
            continue
        for shift in (1, -1, 2, -2):
            if all(v == _fib(k + shift) for k, v in pairs):
                key = f"n - {shift}" if shift > 0 else f"n + {-shift}"
                k, v = min(pairs)
                return (
                    f": your memo holds fib(n) under the key {key} (memo[{k}] is {v}, "
                    f"fib({k + shift})). "
                    "memo[n] should hold fib(n): store and look up both with the key n"
                )
    return ""


def _check_q2(fib_memo):
    if not callable(fib_memo):
        raise Incorrect("pass your function itself, e.g. ch03.q2.check(fib_memo)")
    held = any(isinstance(c, dict) and c for c in _caches(fib_memo))  # before the check ran
    for n in range(12):
        try:
            got, _ = _count_calls_of(fib_memo, n)
        except Incorrect as exc:
            if "'NoneType'" in str(exc):
                _name_a_none_return(fib_memo)
            if " raised RecursionError" in str(exc):
                raise Incorrect(
                    f"{exc}. fib_memo needs fib1's base case before anything else: "
                    "if n < 2: return n"
                ) from None
            if " raised KeyError" not in str(exc):
                raise
            raise Incorrect(
                f"{exc}. memo[n] fails for an n not stored yet: test for a key with "
                "`n in memo` before reading memo[n]"
            ) from None
        if got != _fib(n):
            raise Incorrect(
                f"fib_memo({n}) returned {got!r}; expected {_fib(n)}"
                + (_wrong_key_note(_caches(fib_memo)) or _float_note(got) + _STALE * held)
            )
    caches = _caches(fib_memo)
    for c in caches:
        if hasattr(c, "cache_clear"):
            c.cache_clear()
    # A number the memory does not hold yet: computing it must take fresh recursive calls.
    known = [_key_number(k) for c in caches if isinstance(c, dict) for k in c]
    n = max([30, *(k + 30 for k in known)])
    before = _stored(caches)
    called_with: set = set()
    direct: set = set()
    try:
        got, calls = _count_calls_of(fib_memo, n, seen=called_with, direct=direct)
    except _TooManyCalls as exc:
        if exc.outside:  # fib1 (or another function) does the work: name it first
            raise
        _refuse_a_bounded_cache(fib_memo, n)
        if _stored(caches) > before:
            raise Incorrect(
                f"fib_memo({n}) stores its results, but was stopped after {_CALL_LIMIT:,} "
                "calls of itself, still recomputing: you store results but never look them "
                "up. Check `if n in memo` first and return memo[n]"
            ) from None
        local = _dict_made_inside(fib_memo)
        if local:
            raise Incorrect(
                f"fib_memo({n}) recomputes: your {local} = {{}} is inside the function, so it "
                "starts empty on every call and forgets everything; create it once, outside "
                f"the function ({local} = {{}} on its own line in the cell), and only use it "
                "inside"
            ) from None
        raise
    except Incorrect as exc:
        lookup = " raised KeyError" in str(exc) or " raised IndexError" in str(exc)
        if not (known and lookup):
            raise
        raise Incorrect(
            f"{exc}. The checker asked for n = {n}, 30 more than the largest number already "
            f"in your memo ({max(known)}), so that fib_memo has to compute it: a memo filled "
            "in advance, by a loop, is a table, not memoisation. Let fib_memo fill the memo "
            "itself: look n up; if it is missing, compute fib_memo(n - 1) + fib_memo(n - 2), "
            "store it in memo[n], and return it"
        ) from None
    if got != _fib(n):
        raise Incorrect(
            f"fib_memo({n}) returned {got!r}; expected {_fib(n)}"
            + _float_note(got)
            + _STALE * held
        )
    import tinyml.recursion

    chapter = sorted(name for name, file in direct if file == tinyml.recursion.__file__)
    if chapter and calls > 1:  # a warm memo hides the cost: fib2 never reads it
        raise Incorrect(
            f"fib_memo({n}) calls {' and '.join(chapter)}, which never reads your memo, so "
            "its work is done again every time. Recurse through fib_memo itself, "
            "fib_memo(n - 1) + fib_memo(n - 2)"
        )
    if calls <= 1:
        raise Incorrect(
            f"fib_memo({n}) never called itself: fib_memo itself must recurse like fib1, "
            "fib_memo(n - 1) + fib_memo(n - 2), with a memory added — not a loop, not a "
            "helper function inside it, and not a call of another Fibonacci function"
        )
    if not {n - 1, n - 2} <= called_with:
        missing = " and ".join(f"fib_memo({k})" for k in (n - 1, n - 2) if k not in called_with)
        raise Incorrect(
            f"fib_memo({n}) calls itself, but never as {missing}: the exercise asks for "
            "fib1's recursion with a memory added, fib_memo(n) = fib_memo(n - 1) + "
            "fib_memo(n - 2), each a call of fib_memo itself — not a loop that does the work"
        )
    if _stored(caches) - before < 25:
        _refuse_a_bounded_cache(fib_memo, n)
        found = (
            "found no dictionary keyed by the numbers n afterwards"
            if not caches
            else f"found that some results were never stored in its dict (memo gained "
            f"{_stored(caches) - before} entries; fib_memo({n}) should leave {n + 1}, one for "
            f"each of 0 … {n})"
        )
        raise Incorrect(
            f"fib_memo({n}) calls itself, but the checker {found}: store each "
            "result, memo[n] = ..., in a dict kept outside the function (memo = {} in the "
            "cell), and look n up before computing"
        )
    _, calls = _count_calls_of(fib_memo, n)
    if calls > 1:
        raise Incorrect(
            f"fib_memo({n}) stored its results, but asked again it made {calls} calls"
            + (
                _wrong_key_note(caches)
                or ": look n up in the memo first, and return the stored result when it is there"
            )
        )
    got, _ = _count_calls_of(fib_memo, 300)
    if got != _fib(300):
        raise Incorrect(f"fib_memo(300) returned {got!r}; expected {_fib(300)}" + _float_note(got))


_memo: dict[int, int] = {}


def _fib_memo(n):
    if n not in _memo:
        _memo[n] = n if n < 2 else _fib_memo(n - 1) + _fib_memo(n - 2)
    return _memo[n]


def _fib_memo_made_inside(n):  # memo = {} as the first line: empty again on every call
    memo = {}
    if n not in memo:
        memo[n] = n if n < 2 else _fib_memo_made_inside(n - 1) + _fib_memo_made_inside(n - 2)
    return memo[n]


def _fib_naive(n):
    return n if n < 2 else _fib_naive(n - 1) + _fib_naive(n - 2)


def _fib_loop(n):  # right numbers, but no recursion and no memory
    a, b = 0, 1
    for _ in range(n):
        a, b = b, a + b
    return a


def _fib_via_fib2(n):  # right numbers from chapter 3's fast program: not a memo
    from tinyml.recursion import fib2

    return fib2(n)


_memo_unused: dict[int, int] = {}


def _fib_looks_up_but_never_stores(n):
    if n in _memo_unused:
        return _memo_unused[n]
    return (
        n
        if n < 2
        else _fib_looks_up_but_never_stores(n - 1) + _fib_looks_up_but_never_stores(n - 2)
    )


_memo_unread: dict[int, int] = {}


def _fib_stores_but_never_looks_up(n):
    if n < 2:
        return n
    _memo_unread[n] = _fib_stores_but_never_looks_up(n - 1) + _fib_stores_but_never_looks_up(n - 2)
    return _memo_unread[n]


_memo_loop: dict[int, int] = {}


def _fib_loop_filling_a_memo(n):  # stores results, but computes them with a loop
    a, b = 0, 1
    for k in range(n):
        _memo_loop[k] = a
        a, b = b, a + b
    return a


_memo_prefilled: dict[int, int] = {0: 0, 1: 1}
for _k in range(2, 1000):  # a reader's table, filled by a loop before fib_memo runs
    _memo_prefilled[_k] = _memo_prefilled[_k - 1] + _memo_prefilled[_k - 2]


def _fib_reads_a_prefilled_table(n):
    return _memo_prefilled[n]


_memo_via_fib1: dict[int, int] = {}


def _fib_memo_via_fib1(n):  # a memo around fib1: fib1's recursion never looks in it
    from tinyml.recursion import fib1

    if n in _memo_via_fib1:
        return _memo_via_fib1[n]
    r = n if n < 2 else fib1(n - 1) + fib1(n - 2)
    _memo_via_fib1[n] = r
    return r


_memo_str: dict[str, int] = {}


def _fib_memo_str_keys(n):  # a real memo, keyed by str(n): fine
    if str(n) not in _memo_str:
        _memo_str[str(n)] = n if n < 2 else _fib_memo_str_keys(n - 1) + _fib_memo_str_keys(n - 2)
    return _memo_str[str(n)]


_memo_shifted: dict[int, int] = {}


def _fib_memo_under_n_minus_1(n):  # a reader's: stores fib(n) under the key n - 1
    if n < 2:
        return n
    if n not in _memo_shifted:
        _memo_shifted[n - 1] = _fib_memo_under_n_minus_1(n - 1) + _fib_memo_under_n_minus_1(n - 2)
    return _memo_shifted[n - 1]


_memo_baseless: dict[int, int] = {}


def _fib_memo_without_base_case(n):  # a reader's: fib1's `if n < 2: return n` left out
    if n in _memo_baseless:
        return _memo_baseless[n]
    _memo_baseless[n] = _fib_memo_without_base_case(n - 1) + _fib_memo_without_base_case(n - 2)
    return _memo_baseless[n]


_memo_show: dict[int, int] = {}


def _fib_calls_itself_for_show(n):  # one call of itself, then a loop does the work
    if n in _memo_show:
        return _memo_show[n]
    if n > 1:
        _fib_calls_itself_for_show(1)
    a, b = 0, 1
    for k in range(n):
        _memo_show[k] = a
        a, b = b, a + b
    _memo_show[n] = a
    return a


@functools.cache
def _fib_lru(n):
    return n if n < 2 else _fib_lru(n - 1) + _fib_lru(n - 2)


q2 = Question(
    title="Remember instead of recomputing",
    checker=_check_q2,
    hint_text="fib1 is slow because it answers the same question again and again. What if "
    "fib_memo wrote each answer down the first time, and read it back every time after?",
    more_hints=(
        "The dict memo = {} that the cell makes lives outside the function, so it keeps "
        "what you put in it between calls. When should fib_memo(n) read memo[n], and when "
        "write it? And which function should compute the numbers for n - 1 and n - 2, so "
        "that those calls use the memo too?",
        "The order inside fib_memo is: look n up in memo and return it if it is there; "
        "otherwise compute it as fib1 does, but by calling fib_memo itself for n - 1 and "
        "n - 2; store it in memo[n]; return it. Forgetting the store, or recursing through "
        "fib1, leaves the recomputation in place; calling fib2 or a loop is fast, but the "
        "exercise asks fib_memo to call itself. (functools.cache on a plain "
        "recursive function does the same bookkeeping for you; either passes.)",
    ),
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
        (_fib_memo_made_inside, "memo = {} is inside the function, so it starts empty"),
        (lambda n: n, "expected 1"),
        ("fib_memo", "function itself"),
        (_fib_loop, "never called itself"),
        (_fib_via_fib2, "never called itself"),
        (_fib_loop_filling_a_memo, "never called itself"),
        (_fib_looks_up_but_never_stores, "recomputes"),
        (_fib_stores_but_never_looks_up, "never look them up"),
        (_fib_memo_via_fib1, "calls of fib1"),
        (_fib_calls_itself_for_show, "calls itself, but never as fib_memo("),
        (_fib_reads_a_prefilled_table, "filled in advance, by a loop, is a table"),
        (_fib_memo_under_n_minus_1, "memo[n] should hold fib(n)"),
        (_fib_memo_without_base_case, "needs fib1's base case"),
    ],
    praise="fib_memo(n) computes each F(k) once and finds the second "
    "request in its memory: about 2n calls, linear like fib_iter's n + 1, "
    "against fib1's 2F(n+1) - 1.",
)

# q4 ---------------------------------------------------------------------------------------


def _grad_visits(d):
    """Visits of shared_chain(d)[0].grad(x): G(0) = 1, G(d) = 2 + 3·G(d-1) + 2·V(d-1)."""
    if d == 0:
        return 1
    value_visits = 2 * 3 ** (d - 1) - 1  # V(d-1): one value() of the level below
    return 2 + 3 * _grad_visits(d - 1) + 2 * value_visits


def _one_value_call(d):  # Mul.grad asking for only one operand's value
    return 1 if d == 0 else 2 + 3 * _one_value_call(d - 1) + (2 * 3 ** (d - 1) - 1)


def _no_value_calls(d):
    return 2 * 3**d - 1


_Q4_DEPTHS = range(12)
_Q4_LARGE = (25, 30)  # 3^d visits: far too many to measure, instant to predict
_PREDICT_CALL_LIMIT = 20_000  # Python calls per prediction; a recursion over d needs about d


def _predict(fn, arg, measures: str, too_long: str, table: str):
    """fn(arg) for an exercise that asks for a prediction. Running Beta or the visit counter
    is measuring: refused with ``measures``. More than _PREDICT_CALL_LIMIT Python calls is
    walking the visits one by one: refused with ``too_long``. A crash that looks like a
    lookup in a table of measured values (IndexError, KeyError) gets ``table`` added."""
    import tinyml.beta
    import tinyml.visits

    measuring = {tinyml.beta.__file__, tinyml.visits.__file__}
    calls = 0

    def tracer(frame, event, arg_):
        nonlocal calls
        if event != "call":
            return None
        if frame.f_code.co_filename in measuring:
            raise Incorrect(measures)
        calls += 1
        if calls > _PREDICT_CALL_LIMIT:
            raise Incorrect(too_long)
        return None

    old = sys.gettrace()
    sys.settrace(tracer)
    try:
        return call_learner(fn, arg)
    except NotAttempted:  # `return ____ * P + 14` is half done: say "contains", not "returns"
        raise NotAttempted("the function still contains the blank ____") from None
    except Incorrect as exc:
        if " raised IndexError" not in str(exc) and " raised KeyError" not in str(exc):
            raise
        raise Incorrect(f"{exc}. {table}") from None
    finally:
        sys.settrace(old)


def _q4_predict(visits, d):
    """visits(d), refused when it measures (runs Beta) or does more than a prediction's work."""
    return _predict(
        visits,
        d,
        measures=f"predicted_visits({d}) builds the chain and counts its visits: that "
        "measures instead of predicting, and at d = 30 it would need about 10^16 "
        "visits. Derive the count from the rule for one level instead",
        too_long=f"predicted_visits({d}) was stopped after {_PREDICT_CALL_LIMIT:,} function "
        "calls: a prediction should take a handful of steps, not walk the visits one by one. "
        "If it recurses, call it once per level and reuse the result (3 * G(d - 1), "
        "not G(d - 1) + G(d - 1) + G(d - 1))",
        table="If predicted_visits looks its answers up in a table of measured values: "
        "the checker asks for every depth from 0 to 11, and for 25 and 30 "
        "(3^d visits: far too many to measure), so a table of measured values cannot "
        "work; predict the count with a rule that follows the recursion",
    )


def _printed(got) -> str:
    """For a function that returned None: the usual cause."""
    return " (did you print it instead of returning it?)" if got is None else ""


def _visits_word(n) -> str:
    return f"{n:,} visit" + ("" if n == 1 else "s")


def _add_asks_no_grad(d):  # a reader's G(d) = 2 + 2G(d-1) + 2V(d-1): Add.grad's a.grad left out
    return 1 if d == 0 else 2 + 2 * _add_asks_no_grad(d - 1) + 2 * (2 * 3 ** (d - 1) - 1)


def _value_counted_once(d):  # a reader's G(d) = 4 + 3G(d-1): each value() counted as 1 visit
    return 1 if d == 0 else 4 + 3 * _value_counted_once(d - 1)


def _value_of_this_level(d):  # a reader's G(d) = 2 + 3G(d-1) + 2V(d): V(d) for V(d-1)
    return 1 if d == 0 else 2 + 3 * _value_of_this_level(d - 1) + 2 * (2 * 3**d - 1)


# Formulas a learner may reach on the way, each with what it misses. Each is compared with
# the learner's prediction at every depth before it is named, so a formula that only agrees
# at one depth (3**d and 2d + 1 both give 3 at d = 1) is never mistaken for another.
_Q4_DIAGNOSES = [
    (
        _no_value_calls,
        "your counts are 2·3^d - 1, the grad() calls alone (as many as value() makes); "
        "Mul.grad also calls value() on both its operands, and each of those walks everything "
        "below",
    ),
    (
        _one_value_call,
        "that counts one value() walk per Mul.grad; it asks for the value of both operands "
        "(a.value() and b.value(), here the same node twice)",
    ),
    (
        _value_counted_once,
        "each value() Mul.grad asks for walks all of a_{d-1}: V(d - 1) visits, not 1",
    ),
    (
        _value_of_this_level,
        "Mul.grad asks its operands for their values, and the operand a is the level below: "
        "each walk is V(d - 1), not V(d)",
    ),
    (
        _add_asks_no_grad,
        "count the grad(x) calls on a_{d-1}: Mul.grad asks it twice (a·a), and Add.grad "
        "once more (a·a + a), so 3·G(d - 1)",
    ),
    (lambda d: 2 * d + 1, "2d + 1 counts the distinct nodes; grad(x) visits a node once per path"),
    (
        lambda d: _grad_visits(d) - (3**d - 1),  # G(d) = 3G(d-1) + 2V(d-1): 2 short a level
        "count the Add and Mul nodes themselves: each level's grad visits both (2 visits) "
        "besides its walks of a_{d-1}",
    ),
    (
        lambda d: _grad_visits(d) - (3**d - 1) // 2,  # 1 short a level
        "count the Add and Mul nodes themselves: each level's grad visits both, one visit "
        "each, besides its walks of a_{d-1}",
    ),
]


def _measured_table(d):  # a typical shortcut: the counts measured for d = 0 … 9
    return [_grad_visits(k) for k in range(10)][d]


def _same_count(got, want: int) -> bool:
    """A whole number of visits must be exact; a float formula may round in the last digits."""
    if isinstance(got, numbers.Integral):
        return int(got) == want
    # a float must round to the count, round(got) == want: strictly within half a visit (s6e:
    # fib2(59) + 0.5 passed, though round() takes it one off), or, where a float cannot hold
    # every whole number (above 2**53), a few units in its last place
    got = float(got)
    if not math.isfinite(got):
        return False
    if math.ulp(float(want)) < 1:
        return abs(got - want) < 0.5
    return abs(got - want) <= 4 * math.ulp(float(want))


def _half_off_note(got, want: int) -> str:
    """Said to a float exactly half-way between two counts: round() does not give the count."""
    if isinstance(got, numbers.Integral) or abs(float(got) - want) != 0.5:
        return ""
    return (
        f"{got!r} is half-way between two whole numbers, and round() takes it to "
        f"{round(got):,}, not {want:,}: a count is a whole number; compute it with integers"
    )


def _q4_float_note(visits) -> str:
    """A right rule in floats (3**d * (1 + 4*d/3)) passes: say where its float is not whole."""
    for d in (*_Q4_DEPTHS, *_Q4_LARGE):
        try:
            got = visits(d)
        except Exception:  # noqa: BLE001 - the checker has already graded it; no note then
            return ""
        if isinstance(got, numbers.Real) and not isinstance(got, numbers.Integral):
            if not float(got).is_integer():
                return _float_count_note(got, f"At depth {d}, your")
    return ""


def _check_q4(visits):
    if not callable(visits):
        raise Incorrect("pass a function of the depth d, e.g. lambda d: ...")
    got = [_q4_predict(visits, d) for d in _Q4_DEPTHS]
    want = [_grad_visits(d) for d in _Q4_DEPTHS]
    for d, g in zip(_Q4_DEPTHS, got, strict=True):
        if isinstance(g, bool) or not isinstance(g, numbers.Real):
            raise Incorrect(
                f"for depth {d} your function returned {g!r}, not a number{_printed(g)}"
            )
    if all(map(_same_count, got, want)):  # a float formula such as 3**d * (1 + 4*d/3) is fine
        for d in _Q4_LARGE:
            g = _q4_predict(visits, d)
            if isinstance(g, bool) or not isinstance(g, numbers.Real):
                raise Incorrect(
                    f"for depth {d} your function returned {g!r}, not a number{_printed(g)}"
                )
            if not _same_count(g, _grad_visits(d)):
                off = abs(g - _grad_visits(d))  # float rounding: a visit or a few last places
                if off <= max(1, 64 * math.ulp(float(_grad_visits(d)))) and floats_in_code(visits):
                    raise Incorrect(
                        f"at depth {d} you predict {g:,}, and grad(x) makes "
                        f"{_visits_word(_grad_visits(d))}: your rule is right, but a float "
                        "keeps only about 16 digits, and rounding it gives the wrong last ones. "
                        "Use integer arithmetic (3 ** (d - 1) and the like) all the way"
                    )
                raise Incorrect(
                    f"right up to depth 11, but at depth {d} you predict {g:,}, and grad(x) "
                    f"makes {_visits_word(_grad_visits(d))}; follow the rule, not a fit"
                )
        return
    d = next(d for d in _Q4_DEPTHS if not _same_count(got[d], want[d]))
    half_off = _half_off_note(got[d], want[d])  # a reader's (4*d + 3) * 3**d // 3 + 0.5
    if half_off:
        raise Incorrect(f"at depth {d}, your " + half_off)
    if all(abs(g - w) <= 1 for g, w in zip(got, want, strict=True)) and floats_in_code(visits):
        raise Incorrect(  # a reader's int((4/3)*d*3**d + 3**d): right, but 1,862 at d = 5
            f"at depth {d} you predict {got[d]:,}, and grad(x) makes "
            f"{_visits_word(want[d])}: your formula is right, but float rounding (or int() "
            "cutting off a .9999…) lost a visit. Use integers, e.g. 3**(d-1) * (4*d + 3) "
            "for d ≥ 1, or round() the float"
        )
    for formula, why in _Q4_DIAGNOSES:
        if all_close(got, [formula(d) for d in _Q4_DEPTHS]):
            raise Incorrect(why)
    raise Incorrect(
        f"at depth {d} you predict {got[d]:,}, but grad(x) makes {_visits_word(want[d])}; "
        "count them with count_visits() for small d and compare"
    )


def _without_add_and_mul(d):  # a reader's G(d) = 3G(d-1) + 2V(d-1)
    return 1 if d == 0 else 3 * _without_add_and_mul(d - 1) + 2 * (2 * 3 ** (d - 1) - 1)


def _measured_visits(d):  # the bypass: measure instead of predicting
    from tinyml.visits import count_visits, shared_chain

    chain, x = shared_chain(d)
    with count_visits() as v:
        chain.grad(x)
    return v.total


def _exponential_recursion(d):  # right numbers, but it recomputes G(d - 1) three times
    if d == 0:
        return 1
    below = 2 * 3 ** (d - 1) - 1
    return (
        2
        + _exponential_recursion(d - 1)
        + _exponential_recursion(d - 1)
        + _exponential_recursion(d - 1)
        + 2 * below
    )


_FITTED = [_grad_visits(d) for d in range(12)]


def _fits_small_depths(d):  # a table of the measured counts: right only where it was measured
    return _FITTED[d] if d < len(_FITTED) else 3**d


q4 = Question(
    title="Predict the visits of grad on the shared chain",
    checker=_check_q4,
    hint_text="Count before you derive: print count_visits() totals of chain.grad(x) for "
    "d = 0, 1, 2 and look at what chain.grad(x) does at the top level: which nodes does it "
    "ask for grad(x), and which for value()?",
    more_hints=(
        "The top node is a·a + a. Reread Add.grad and Mul.grad in the chapter: how many "
        "times do they ask a (that is a_{d-1}) for grad(x), and how many times for value()? "
        "Write G(d) for grad's visits at depth d and V(d) = 2·3^d - 1 for value()'s.",
        "G(0) = 1 and G(d) = 2 + _·G(d-1) + _·V(d-1), where 2 is the Add and the Mul "
        "themselves; fill in each blank with your counts from the previous hint.",
    ),
    solution_text=inspect.getsource(_grad_visits).replace("_grad_visits", "predicted_visits")
    + "\n# closed form: 3^(d-1)·(4d + 3), e.g. 255,879 at d = 9",
    answer=lambda: _grad_visits,
    reservation=_q4_float_note,
    wrong=[
        (_measured_table, "a table of measured values cannot work"),
        (lambda d: 3**d, "at depth 1"),
        (lambda d: 3**d * (1 + 4 * d / 3) + 1, "at depth 0"),
        (_no_value_calls, "grad() calls alone"),
        (_one_value_call, "both operands"),
        (lambda d: 2 * d + 1, "distinct nodes"),
        (_without_add_and_mul, "count the Add and Mul nodes themselves"),
        (_value_of_this_level, "the operand a is the level below: each walk is V(d - 1)"),
        (_value_counted_once, "V(d - 1) visits, not 1"),  # a reader's 4 + 3G(d - 1)
        (_add_asks_no_grad, "Add.grad once more"),  # a reader's
        (lambda d: "many", "not a number"),
        (17, "function of the depth"),
        (lambda d: 0, "makes 1 visit;"),
        (_measured_visits, "measures instead of predicting"),
        (_exponential_recursion, "stopped after"),
        (_fits_small_depths, "at depth 25"),
        (lambda d: int((4 / 3) * d * 3**d + 3**d), "float rounding"),  # a reader's
    ],
    praise="G(d) = 3^(d-1)·(4d + 3), e.g. 255,879 at d = 9: 3^d times (4d + 3) / 3, "
    "the factor about d that makes grad grow a little faster than 3^d.",
)

# q3 ---------------------------------------------------------------------------------------

# Visits of one loss.grad(w) for linear_loss(P, activation=Sigmoid), column by column as in the
# chapter's table (the linear model: 12P + 8, 12P + 3, 6P, together 30P + 11):
#   grad() calls: every node of the tree, now 12P + 11 (three Sigmoids more)
#   Square.grad: each square walks (sigmoid - target) again: 3(4P + 2) = 12P + 6
#   Sigmoid.grad: each sigmoid walks its prediction (4P - 1 nodes): 3(4P - 1) = 12P - 3
#   Mul.grad: both operands of each of the 3P Muls: 6P
# P = 1 … 40, then a million: instant to predict, far too big to build
_Q3_POINTS = (*range(1, 41), 10**6)


def _q3_predict(formula, P):
    """formula(P), refused when it builds Beta nodes (measures) or walks instead of computing."""
    return _predict(
        formula,
        P,
        measures=f"grad_visits({P}) builds the loss and counts its visits: that measures "
        "instead of predicting, and at P = 10^6 the tree alone would have millions "
        "of nodes. Write the count as a formula in P, column by column, and use "
        "count_visits only to check it",
        too_long=f"grad_visits({P}) was stopped after {_PREDICT_CALL_LIMIT:,} function calls: "
        "a formula in P takes a handful of steps; do not walk the visits one by one",
        table="If grad_visits looks its answers up in a table of measured counts: the "
        "checker also asks for P = 10^6, far too many points to measure, so "
        "a table of measured counts cannot work; write the count as a formula in P",
    )


def grad_visits(P):
    grad_calls = 12 * P + 11  # every node of the tree: 3 Sigmoids more than the linear model
    square = 3 * (4 * P + 2)  # each square walks (σ(w·x) - target): 4P + 2 nodes
    sigmoid = 3 * (4 * P - 1)  # each Sigmoid walks its prediction w·x: 4P - 1 nodes
    mul = 6 * P  # both operands of each of the 3P Muls
    return grad_calls, square, sigmoid, mul  # together 42P + 14


_Q3_COLUMNS = ("grad() calls", "Square.grad", "Sigmoid.grad", "Mul.grad")
_Q3_MEASURE = ("g.grad", "g.asked_by['Square']", "g.asked_by['Sigmoid']", "g.asked_by['Mul']")


def _constants_forgotten(P):  # a reader's: w·x counted as 3P - 1 nodes, not 4P - 1
    return 12 * P + 11, 12 * P + 6, 3 * (3 * P - 1), 6 * P


def _cancelling(P):  # a reader's linear columns + Sigmoid as 3 walks of (prediction - target)
    return 12 * P + 8, 12 * P + 3, 3 * (4 * P + 1), 6 * P  # totals 42P + 14: errors cancel


def _measured_grad_visits(P):
    from tinyml.beta import Sigmoid
    from tinyml.visits import count_visits, linear_loss

    loss, ws = linear_loss(P, activation=Sigmoid)
    with count_visits() as g:
        loss.grad(ws[0])
    return g.grad, g.asked_by["Square"], g.asked_by["Sigmoid"], g.asked_by["Mul"]


# Column-specific slips: (column, a·P + b it gives, what it misses)
_Q3_COLUMN_SLIPS = [
    (0, (12, 8), "that is the linear model's tree; the neuron's has 3 Sigmoid nodes more"),
    (
        1,
        (12, 3),
        "that is the linear model's 3(4P + 1); each square now walks σ(w·x) − target, "
        "with the Sigmoid one node more",
    ),
    (2, (0, 0), "Sigmoid.grad needs σ'(a) = σ(a)(1 − σ(a)), so it asks its operand for its value"),
    (
        2,
        (12, 3),
        "that walks (prediction − target); Sigmoid.grad asks only its operand, the "
        "prediction w·x, for its value",
    ),
    (
        2,
        (12, 6),
        "that walks (σ(w·x) − target); Sigmoid.grad asks only its operand, the "
        "prediction w·x, for its value",
    ),
    (
        2,
        (9, -3),
        "you count 3 nodes per weight where a prediction has 4. The prediction w·x has "
        "4P − 1 nodes: P weights, P constants, P Muls, P − 1 Adds",
    ),
    (
        2,
        (36, 33),
        "3 whole walks of the tree overcounts: Sigmoid.grad walks only its operand, w·x",
    ),
]


def _q3_columns(formula, P):
    got = _q3_predict(formula, P)
    shown = f"grad_visits({P}) = {got!r}"
    if isinstance(got, numbers.Real) and not isinstance(got, bool):
        raise Incorrect(
            f"{shown}, one number; return the four columns as a tuple, (grad() calls, "
            "Square.grad, Sigmoid.grad, Mul.grad), each a formula in P"
        )
    if not isinstance(got, (tuple, list)):
        raise Incorrect(
            f"{shown}; give a tuple of four numbers of visits, (grad() calls, Square.grad, "
            f"Sigmoid.grad, Mul.grad){_printed(got)}"
        )
    if len(got) != 4:
        raise Incorrect(
            f"{shown} has {len(got)} columns; give four: (grad() calls, Square.grad, "
            "Sigmoid.grad, Mul.grad)"
        )
    for v in got:
        if isinstance(v, bool) or not isinstance(v, numbers.Real):
            raise Incorrect(f"{shown}: {v!r} is not a number of visits")
    return tuple(got)


def _check_q3(formula):
    if not callable(formula):
        raise Incorrect("pass your function itself, e.g. ch03.q3.check(grad_visits)")
    got = {P: _q3_columns(formula, P) for P in _Q3_POINTS}
    want = {P: grad_visits(P) for P in _Q3_POINTS}
    if all(got[P] == want[P] for P in _Q3_POINTS):
        return
    if all(got[P] == tuple(P * w for w in want[P]) for P in _Q3_POINTS):
        raise Incorrect(
            "your columns are P times too big: that is all P grads, the full gradient; the "
            "question is one grad(w1). Drop the factor P"
        )
    if all(sorted(got[P]) == sorted(want[P]) for P in _Q3_POINTS):
        raise Incorrect(
            f"grad_visits({_Q3_POINTS[0]}) = {got[_Q3_POINTS[0]]!r} has the right counts in the "
            "wrong order: check the order, (grad() calls, Square.grad, Sigmoid.grad, Mul.grad)"
        )
    off = [
        name
        for col, name in enumerate(_Q3_COLUMNS)
        if any(got[P][col] != want[P][col] for P in _Q3_POINTS)
    ]
    more = (
        f" (your {' and '.join(off[1:])} column{'s are' if len(off) > 2 else ' is'} off too)"
        if len(off) > 1
        else ""
    )
    for col, name in enumerate(_Q3_COLUMNS):
        if all(got[P][col] == want[P][col] for P in _Q3_POINTS):
            continue
        P = next(P for P in _Q3_POINTS if got[P][col] != want[P][col])
        shown = f"grad_visits({P}): your {name} column is {got[P][col]!r}"
        for c, (a, b), why in _Q3_COLUMN_SLIPS:
            if c == col and all(got[Q][col] == a * Q + b for Q in _Q3_POINTS):
                raise Incorrect(f"{shown}, off: {why}{more}")
        raise Incorrect(
            f"{shown}, but one grad(w1) of linear_loss({P}, activation=Sigmoid) makes "
            f"{_visits_word(want[P][col])} there"
            + (
                " (each column must be a formula in P, not a number)"
                if len({got[Q][col] for Q in _Q3_POINTS}) == 1
                else ""
            )
            + "; count that column again, and check it with "
            f"count_visits() ({_Q3_MEASURE[col]}){more}"
        )
    raise AssertionError("unreachable: some column differs")  # pragma: no cover


q3 = Question(
    title="What one grad costs for a neuron",
    checker=_check_q3,
    praise="42P + 14 visits in all: Sigmoid.grad adds a walk of each prediction (12P - 3), "
    "and each of Square.grad's three walks takes in one Sigmoid more (12P + 6).",
    hint_text="Start from the plain loss's table in the first part of this exercise: "
    "the linear model's counts are the grad() calls, the values Square.grad asks for and the "
    "values Mul.grad asks for. Which of them change when each prediction goes "
    "through a Sigmoid?",
    more_hints=(
        "Chapter 2's Sigmoid.grad computes σ'(a) = σ(a)(1 − σ(a)): it asks its operand a, "
        "the prediction w·x, for its value. How many nodes does one prediction have, with "
        "P weights? Predict the columns, then measure to check: for P in (1, 2, 3): loss, ws "
        "= linear_loss(P, activation=Sigmoid); with count_visits() as g: loss.grad(ws[0]); "
        "print(P, g.grad, g.asked_by) (the values each rule asked for).",
        "Square.grad now walks σ(prediction) − target; Sigmoid.grad walks the prediction "
        "w·x. How many nodes is each, per point? Count them as the chapter's table of parts "
        "did (one value() of each part, for P = 1, 2, 3), and write each column as a·P + b.",
    ),
    solution_text=inspect.getsource(grad_visits),
    answer=lambda: grad_visits,
    wrong=[
        (lambda P: (12 * P + 8, 12 * P + 3, 0, 6 * P), "linear model's tree"),
        (lambda P: (12 * P + 11, 12 * P + 3, 12 * P - 3, 6 * P), "linear model's 3(4P + 1)"),
        (lambda P: (12 * P + 11, 12 * P + 6, 0, 6 * P), "Sigmoid.grad needs"),
        (_cancelling, "your grad() calls column"),  # a reader's: the totals cancel to 42P + 14
        (lambda P: (12 * P + 11, 12 * P + 6, 12 * P + 3, 6 * P), "walks (prediction − target)"),
        (lambda P: (12 * P + 11, 12 * P + 6, 36 * P + 33, 6 * P), "3 whole walks"),
        (_constants_forgotten, "P weights, P constants, P Muls, P − 1 Adds"),
        (lambda P: tuple(P * v for v in grad_visits(P)), "that is all P grads"),  # a reader's
        (lambda P: (12 * P + 11, 12 * P + 6, 12 * P - 3, 6 * P + 1), "your Mul.grad column"),
        # a reader's: two columns wrong; the message names both
        (lambda P: (12 * P + 11, 12 * P + 3, 12 * P, 6 * P), "Sigmoid.grad column is off too"),
        (lambda P: grad_visits(P) if P != 3 else (0, 0, 0, 0), "grad_visits(3)"),
        (lambda P: 42 * P + 14, "one number"),
        (lambda P: grad_visits(P)[:3], "has 3 columns"),
        (lambda P: "42P + 14", "give a tuple"),
        (lambda P: (12 * P + 11, 12 * P + 6, "12P - 3", 6 * P), "not a number"),
        (1694, "function itself"),
        (_measured_grad_visits, "measures instead of predicting"),
        (lambda P: [grad_visits(k) for k in range(50)][P], "a table of measured counts"),
    ],
)

# q3, last part: one grad in walks of the tree, at P = 40 --------------------------------------

_Q3_VALUE = 12 * 40 + 11  # visits of one value() of the neuron's loss at P = 40
_Q3_WALKS = sum(grad_visits(40)) / _Q3_VALUE  # 1,694 visits / 491 nodes ≈ 3.45


def _q3_not_finished(walks: float, visits: int) -> str:
    return (
        f"{walks:g} is {visits:,} / 491: the walk is right, but your sum(grad_visits(40)) = "
        f"{visits:,} isn't right yet; finish Exercise 3 first (ch03.q3.check(grad_visits))"
    )


_Q3_HOW = "divide one grad's visits by one value()'s visits of the neuron's loss"


def _check_q3_walks(walks):
    if isinstance(walks, bool) or not isinstance(walks, numbers.Real):
        raise Incorrect(f"give a number of walks, e.g. 2.75, not {walks!r}")
    walks = float(walks)
    visits = walks * _Q3_VALUE  # a whole number when walks is some sum(grad_visits(40)) / 491
    divided = math.isfinite(walks) and not walks.is_integer()  # not a guess such as 5, or inf
    if divided and abs(visits - round(visits)) < 1e-6 and round(visits) != 1694:
        raise Incorrect(_q3_not_finished(walks, round(visits)))  # exact: the division is right
    if math.isfinite(walks) and round(walks, 2) == round(_Q3_WALKS, 2):  # anything that rounds
        return
    if math.isclose(walks, sum(grad_visits(40)) / (12 * 40 + 8), rel_tol=0.001):  # 1,694 / 488
        raise Incorrect(
            "that divides by the linear model's 12P + 8; the neuron's walk of the tree is "
            "longer: measure one value() of linear_loss(40, activation=Sigmoid)"
        )
    if math.isclose(walks, 3.5, rel_tol=0.001):
        raise Incorrect(
            "3.5 is 42 / 12, where the walks head for large P, or you rounded to one "
            f"decimal; at P = 40, {_Q3_HOW}, and give two decimals"
        )
    two_decimals = round(walks, 2) == walks
    if not two_decimals and divided and abs(visits - round(visits)) < 0.05:  # 4 decimals
        raise Incorrect(_q3_not_finished(walks, round(visits)))
    if two_decimals and abs(walks - _Q3_WALKS) < 0.015:  # 3.44 or 3.46: a digit off
        raise Incorrect(
            f"{walks:g} is off in the second decimal: {_Q3_HOW}, then round to two decimals "
            f"with round(..., 2); if that still gives {walks:g}, check your grad_visits "
            "first, with ch03.q3.check(grad_visits)"
        )
    if math.isclose(walks, _Q3_WALKS, rel_tol=0.03) and round(walks, 1) == walks:  # 3.4
        raise Incorrect(f"{walks:g} is close but not it: it has one decimal; give two")
    if math.isclose(walks, _Q3_WALKS, rel_tol=0.03):
        raise Incorrect(
            f"{walks:g} is close but not it: it does not round to the answer. {_Q3_HOW[0].upper()}"
            f"{_Q3_HOW[1:]}, and round to two decimals, round(..., 2)"
        )
    if math.isclose(walks, sum(grad_visits(40)), rel_tol=0.01):
        raise Incorrect(
            "that is the number of visits of one grad; divide it by the visits of one value() "
            "of the neuron's loss at P = 40"
        )
    if walks == 2.5:
        raise Incorrect(
            "that is the linear model's 2.5 walks, from the chapter's table; the neuron's grad "
            f"makes more visits than the linear model's: {_Q3_HOW}, at P = 40"
        )
    if 2.4 <= walks <= 2.6:
        raise Incorrect(
            f"{walks:g} walks is near the linear model's 2.5; the neuron's grad makes more. "
            f"If you divided your sum(grad_visits(40)) by one walk, that sum is about "
            f"{visits:,.0f} visits: check grad_visits first, ch03.q3.check(grad_visits)"
        )
    if math.isclose(walks, 1 / _Q3_WALKS, rel_tol=0.015):
        raise Incorrect("that is upside down: visits of one grad divided by those of one value()")
    raise Incorrect(f"{walks:g} walks is not it: {_Q3_HOW}, at P = 40")


q3_walks = Question(
    title="What one grad costs, for a neuron: in walks of the tree",
    checker=_check_q3_walks,
    hint_text="As in the chapter's table: walks per grad = one grad's visits / one walk's "
    "visits, and a walk of the tree is one value(). Where does each number come from?",
    more_hints=(
        "One grad's visits at P = 40 is the sum of your four columns, once "
        "ch03.q3.check(grad_visits) passes. One walk: measure it, count_visits() around "
        "loss.value() for loss, ws = linear_loss(40, activation=Sigmoid).",
        "One walk of the neuron's tree is 12P + 11 visits (the linear model's 12P + 8, plus "
        "3 Sigmoids): 491 at P = 40. Divide and round to two decimals, round(..., 2). Is it "
        "more or less than the linear model's 2.5, and which column makes the difference?",
    ),
    solution_text=(
        "walks_at_40 = sum(grad_visits(40)) / (12 * 40 + 11)  # 1,694 / 491 ≈ 3.45\n"
        "# more than 2.5: Sigmoid.grad walks each prediction once more for σ(a), and "
        "predictions fill the tree"
    ),
    answer=lambda: _Q3_WALKS,
    praise="1,694 / 491 ≈ 3.45, more than 2.5: the Sigmoid.grad column, 12P - 3, walks "
    "each prediction once more. As P grows, the walks head for 42 / 12 = 3.5.",
    wrong=[
        (2.5, "linear model's 2.5 walks"),
        (2.48, "check grad_visits first"),  # a reader's wrong sum(grad_visits(40)) = 1,217, / 491
        (3.455, "does not round to the answer"),  # rounds to 3.46: a reader's, once accepted
        (1694, "number of visits"),
        (1 / _Q3_WALKS, "upside down"),
        (5.0, "is not it"),
        (1694 / 488, "the linear model's 12P + 8"),
        (3.4, "it has one decimal; give two"),
        (3.44, "off in the second decimal"),
        (3.46, "off in the second decimal"),
        (3.5, "42 / 12"),
        ("3.45", "number of walks"),
        (sum(_constants_forgotten(40)) / 491, "finish Exercise 3 first"),
        (3.2057, "finish Exercise 3 first"),
    ],
)


# The fill-in row of Exercise 3's first part (the plain loss; not graded) ---------------------

_ROW_NAMES = ("grad() calls", "Square.grad", "Mul.grad", "one grad(w1)")
_ROW_WHY = (  # the table's "why" column, said again beside a wrong count (never the count)
    "one per visit of a loss walk",
    "3 walks of w·x_k − y_k",
    "3P ×, each asks both operands",
    "the sum of the other three",
)


def check_row(my_row) -> None:
    """Print which of four predicted P = 4 counts of one grad(w1) match Beta's measured ones.

    The measured counts stay in here, so that the chapter's fill-in cell never shows them."""
    from tinyml.visits import count_visits, linear_loss

    if not isinstance(my_row, (tuple, list)) or len(my_row) != 4:
        print(f"Give four numbers, ({', '.join(_ROW_NAMES)}); got {my_row!r}.")
        return
    if any(v is ... or isinstance(v, Blank) for v in my_row):
        print("Replace each ____ with your prediction, then run the cell again.")
        return
    if any(isinstance(v, bool) or not isinstance(v, numbers.Real) for v in my_row):
        print(f"Give numbers, not {my_row!r}: a count is a whole number, such as 12 (not '12').")
        return
    loss, ws = linear_loss(4)
    with count_visits() as g:
        loss.grad(ws[0])
    measured = (g.grad, g.asked_by["Square"], g.asked_by["Mul"], g.total)
    wrong = [
        f"{name} ({why})"
        for name, why, mine, t in zip(_ROW_NAMES, _ROW_WHY, my_row, measured, strict=True)
        if mine != t
    ]
    if my_row[3] != measured[3] and my_row[3] == sum(my_row[:3]) and len(wrong) > 1:
        wrong[-1] = f"{_ROW_NAMES[3]} (the sum of your three, so it follows their error)"
    if tuple(my_row) == (20, 15, 6, 41):  # the table's formulas at P = 1, not P = 4
        print("That is the P = 1 row; put P = 4 into the table's formulas.")
        return
    print("All four right." if not wrong else f"Not yet: {'; '.join(wrong)}.")
