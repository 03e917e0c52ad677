"""Every exercise checker: its solution passes, typical wrong answers fail with a reason."""

from __future__ import annotations

import importlib
import pkgutil
import time

import numpy as np
import pytest

import tinyml.exercises as ex
from tinyml.exercises import Question, ____, call_learner


def _questions() -> list[tuple[str, Question]]:
    found = []
    for info in pkgutil.iter_modules(ex.__path__):
        module = importlib.import_module(f"tinyml.exercises.{info.name}")
        for name, obj in vars(module).items():
            if isinstance(obj, Question):
                found.append((f"{info.name}.{name}", obj))
    return sorted(found, key=lambda pair: pair[0])


QUESTIONS = _questions()
IDS = [name for name, _ in QUESTIONS]


def test_every_chapter_module_has_three_to_five_questions():
    per_module: dict[str, int] = {}
    for name, _ in QUESTIONS:
        per_module[name.split(".")[0]] = per_module.get(name.split(".")[0], 0) + 1
    assert per_module, "no exercise modules found"
    for module, count in per_module.items():
        assert 3 <= count <= 5, f"{module} has {count} questions"


@pytest.mark.parametrize("name,q", QUESTIONS, ids=IDS)
def test_solution_is_correct(name, q):
    feedback = q.grade(q.answer())
    assert feedback.status == "correct", f"{name}: {feedback.message}"


@pytest.mark.parametrize("name,q", QUESTIONS, ids=IDS)
def test_typical_wrong_answers_fail_with_a_reason(name, q):
    assert q.wrong, f"{name} lists no typical wrong answers"
    for bad, phrase in q.wrong:
        feedback = q.grade(bad)
        assert feedback.status == "incorrect", f"{name}: {bad!r} was graded {feedback.status}"
        assert phrase.lower() in feedback.message.lower(), (
            f"{name}: feedback {feedback.message!r} does not mention {phrase!r}"
        )


@pytest.mark.parametrize("name,q", QUESTIONS, ids=IDS)
def test_solution_and_wrong_answers_are_graded_within_a_second(name, q):
    for answer in [q.answer()] + [bad for bad, _ in q.wrong]:
        start = time.process_time()  # CPU time: a busy machine does not count against it
        q.grade(answer)
        assert time.process_time() - start < 1.0, (name, answer)


@pytest.mark.parametrize("name,q", QUESTIONS, ids=IDS)
def test_blank_is_not_attempted(name, q):
    assert q.grade(____).status == "not attempted"
    assert q.grade().status == "not attempted"


@pytest.mark.parametrize("name,q", QUESTIONS, ids=IDS)
def test_hint_and_solution_have_text(name, q):
    assert len(q.hint_text) > 20 and len(q.solution_text) > 20


def test_starter_function_is_not_attempted_and_crash_is_incorrect():
    def starter(x):
        raise NotImplementedError

    def returns_blank(x):
        return ____

    def crashes(x):
        return 1 / 0

    from tinyml.exercises import Incorrect, NotAttempted

    with pytest.raises(NotAttempted):
        call_learner(starter, 1.0)
    with pytest.raises(NotAttempted):
        call_learner(returns_blank, 1.0)
    with pytest.raises(Incorrect, match="ZeroDivisionError"):
        call_learner(crashes, 1.0)
    assert call_learner(lambda x: 2 * x, 3.0) == 6.0


def test_check_prints_status_outside_jupyter(capsys):
    from tinyml.exercises import Incorrect

    def checker(answer):
        if answer != 42:
            raise Incorrect(f"{answer} is not the answer")

    q = Question(checker, "think of the answer", "answer = 42", lambda: 42, [(41, "not")])
    q.check()
    q.check(41)
    q.check(42)
    q.hint()
    q.solution()
    out = capsys.readouterr().out.splitlines()
    assert out[0].startswith("Not attempted yet")
    assert out[1] == "Incorrect: 41 is not the answer"
    assert out[2].startswith("Correct")
    assert out[3] == (
        "Hint: think of the answer (That is the last hint; solution() shows one answer.)"
    )
    assert out[4:] == ["Solution:", "answer = 42"]


def test_staged_hints_give_a_nudge_first_then_more(capsys):
    q = Question(
        lambda answer: None,
        "look at the first term",
        "answer = 42",
        lambda: 42,
        [],
        more_hints=("it is a product", "six times seven"),
    )
    q.hint()
    q.hint(2)
    q.hint(3)
    q.hint(9)  # past the last hint: the last one again
    out = capsys.readouterr().out.splitlines()
    assert out[0] == "Hint 1 of 3: look at the first term (Still stuck? hint(2) says more.)"
    assert out[1] == "Hint 2 of 3: it is a product (Still stuck? hint(3) says more.)"
    last = "six times seven (That is the last hint; solution() shows one answer.)"
    assert out[2] == f"Hint 3 of 3: {last}"
    assert out[3] == f"Hint 3 of 3: There are only 3 hints; the last one again: {last}"
    for level in (0, -1):  # a friendly word, not a traceback, in every chapter
        q.hint(level)
        said = capsys.readouterr().out.strip()
        assert said == f"Hint: hints start at 1, not {level!r}: hint() or hint(2)"
    for level in (1.5, True, "2"):
        q.hint(level)
        said = capsys.readouterr().out.strip()
        assert said == f"Hint: give the hint's number as a whole number, not {level!r}: hint(2)"


# Answers a learner tried that the checkers once graded wrongly, or explained misleadingly.


def test_ch01_q5_says_one_number_when_grad_f_returns_a_float():
    import math

    from tinyml.exercises import ch01

    message = ch01.q5.grade(lambda a, b: b + math.cos(a)).message
    assert "one number" in message and "None" not in message


def test_ch02_q1_compares_trees_so_operators_build_the_same_tree():
    from tinyml.beta import Square, Var
    from tinyml.exercises import ch02

    x, y = Var(1.0, name="x"), Var(2.0, name="y")
    assert ch02.q1.grade(Square(x - y) + 2 * x).correct
    assert ch02.q1.grade(x * 2 + Square(x - y)).correct


def test_ch02_q2_feedback_states_y_and_does_not_guess_what_was_written():
    from tinyml.exercises import ch02

    for bad, _ in ch02.q2.wrong[:4]:
        message = ch02.q2.grade(bad).message
        assert "self.a ** 3" not in message
        if "2x + y" in message:
            assert "y = 0.5" in message


def test_ch03_q1_accepts_the_count_as_a_float_or_numpy_integer():
    np = pytest.importorskip("numpy")
    from tinyml.exercises import ch03

    count = ch03.q1.answer()  # F(59): fib1(2) inside fib1(60)
    assert ch03.q1.grade(float(count)).correct and ch03.q1.grade(np.int64(count)).correct


def test_ch03_q2_accepts_every_honest_memo():
    import functools

    from tinyml.exercises import ch03

    memo: dict[int, int] = {}

    def stores_from_two_up(n):
        if n in memo:
            return memo[n]
        if n < 2:
            return n
        memo[n] = stores_from_two_up(n - 1) + stores_from_two_up(n - 2)
        return memo[n]

    def seeded(n, known={0: 0, 1: 1}):  # noqa: B006 - the default is the memo, on purpose
        if n not in known:
            known[n] = seeded(n - 1) + seeded(n - 2)
        return known[n]

    @functools.cache
    def cached(n):
        return n if n < 2 else cached(n - 1) + cached(n - 2)

    def closure():
        cache: dict[int, int] = {}

        def fib(n):
            if n not in cache:
                cache[n] = n if n < 2 else fib(n - 1) + fib(n - 2)
            return cache[n]

        return fib

    for answer in (stores_from_two_up, seeded, cached, closure()):
        feedback = ch03.q2.grade(answer)
        assert feedback.correct, feedback.message
        assert ch03.q2.grade(answer).correct  # checking twice (a warm memo) is still correct
    assert seeded(5) == 5  # the learner's memo still works after the checker used it


def test_ch03_hints_are_staged_nudge_first():
    from tinyml.exercises import ch03

    for q in (ch03.q1, ch03.q4, ch03.q3):
        hints = q.hints()
        assert len(hints) >= 2
        assert "G(d) = 2 + 3" not in hints[0] and "full.total" not in hints[0]
    assert "G(d) = 2 + 3" not in ch03.q4.hints()[-1]  # hint(3) stops short of the rule
    assert "G(d) = 2 + 3" in ch03.q4.solution_text


def test_ch08_hints_nudge_before_they_tell():
    from tinyml.exercises import ch08

    for q, answer_words in (
        (ch08.q2, ("keepdims", "g.ndim - len(shape)")),
        (ch08.q4, ("G @ B", "Σ_j G[i, j] B[k, j]")),
        (ch08.q3, ("sum() / n",)),
        (ch08.q5, ("softmax(z) minus", "np.arange(n)")),
    ):
        hints = q.hints()
        assert len(hints) >= 2, q.title
        assert not any(word in hints[0] for word in answer_words), hints[0]
        assert any(word in " ".join(hints[1:]) for word in answer_words), q.title


def test_ch08_crashes_name_shapes_not_arrays():
    from tinyml.exercises import ch08

    def crash_in_matmul(A, B, G):
        return G @ B, A @ G  # no transposes: numpy raises

    for q, answer in (
        (ch08.q2, lambda g, shape: g.reshape(shape)),
        (ch08.q4, crash_in_matmul),
        (ch08.q5, lambda z, y: np.exp(z - z.max(axis=1))),
    ):
        feedback = q.grade(answer)
        assert feedback.status == "incorrect"
        assert "of shape" in feedback.message
        assert "array(" not in feedback.message and "[[" not in feedback.message, feedback.message


def test_ch08_q4_is_graded_on_values_not_just_shapes():
    from tinyml.exercises import ch08

    assert ch08.q4.grade(lambda A, B, G: [G @ B.T, A.T @ G]).correct  # a list is a pair too
    for bad in (
        lambda A, B, G: (2 * (G @ B.T), A.T @ G),
        lambda A, B, G: (G @ B.T, 0 * (A.T @ G)),
        lambda A, B, G: (np.ones((2, 3)), np.ones((3, 4))),
    ):
        assert ch08.q4.grade(bad).status == "incorrect"


def test_ch08_q3_accepts_any_form_of_one_twentieth():
    from fractions import Fraction

    from tinyml.exercises import ch08

    for answer in (0.05, 1 / 20, np.float64(0.05), np.array(0.05), Fraction(1, 20)):
        assert ch08.q3.grade(answer).correct, answer
    for wrong in ("0.05", None, True, float("nan"), 0.25):
        assert ch08.q3.grade(wrong).status == "incorrect", wrong


def test_ch08_q5_accepts_the_learners_own_stable_versions():
    from tinyml.exercises import ch08

    def via_log_softmax(z, y):
        m = z.max(axis=1, keepdims=True)
        log_p = z - m - np.log(np.exp(z - m).sum(axis=1, keepdims=True))
        return (np.exp(log_p) - np.eye(z.shape[1])[y]) / len(y)

    def shifting_z_in_place(z, y):
        z -= z.max(axis=1, keepdims=True)
        p = np.exp(z) / np.exp(z).sum(axis=1, keepdims=True)
        p[np.arange(len(y)), y] -= 1
        return p / len(y)

    for answer in (via_log_softmax, shifting_z_in_place):
        assert ch08.q5.grade(answer).correct


def test_ch07_hints_are_staged_nudge_first():
    from tinyml.exercises import ch07

    for q in (ch07.q1, ch07.q2, ch07.q4, ch07.q5):
        hints = q.hints()
        assert len(hints) >= 2
        assert "math.tanh" not in hints[0] and "Linear(8, 2)" not in hints[0]
        assert "binary_cross_entropy" not in hints[0] and "solve" not in hints[0]


def test_ch07_q4_a_crash_is_reported_briefly_not_with_every_argument():
    from tinyml.exercises import ch07
    from tinyml.nn import binary_cross_entropy_with_logits

    def forgot_the_index(model, optimizer, xb, yb):
        optimizer.zero_grad()
        loss = binary_cross_entropy_with_logits([model(x) for x in xb], yb)
        loss.backward()
        optimizer.step()
        return loss.value()

    feedback = ch07.q4.grade(forgot_the_index)
    assert feedback.status == "incorrect"
    assert "model(x)[0]" in feedback.message and "MLP(" not in feedback.message
    assert len(feedback.message) < 300


def test_ch07_q2_accepts_the_count_as_a_float():
    from tinyml.exercises import ch07

    assert ch07.q2.grade(122.0).correct
    for bad in (float("nan"), float("inf"), 121.5):
        assert ch07.q2.grade(bad).status == "incorrect"


def test_ch01_ch02_hints_nudge_before_they_tell():
    from tinyml.exercises import ch01, ch02

    for q, answer_words in (
        (ch01.q1, ("np.float32(1)", "eps / np.float32(2)")),
        (ch01.q2, ("4·D(h) - D(2h)", "divide by 3")),
        (ch01.q4, ("n + 1 evaluations",)),
        (ch01.q3, ("cbrt(ε)", "max(1.0")),
        (ch01.q5, ("df/da",)),
        (ch02.q1, ("Square(Sub",)),
        (ch02.q2, ("3a²",)),
        (ch02.q3, ("print(-x ** 2 + 1)", "binds tighter")),
        (ch02.q4, ("set_value(t)",)),
    ):
        hints = q.hints()
        assert len(hints) >= 3, q.title
        assert len(set(hints)) == len(hints), q.title  # hint(2), hint(3) say something new
        assert not any(word in hints[0] for word in answer_words), hints[0]
        assert any(word in " ".join(hints[1:]) for word in answer_words), q.title


def test_ch02_q4_needs_a_measured_central_difference():
    """A second number that is not a central difference of the expression is refused."""
    from tinyml.exercises import ch02

    def grad_twice(expr, x):
        g = expr.grad(x)
        return g, g

    assert "not measured" in ch02.q4.grade(grad_twice).message

    def forward(expr, x):  # accurate enough to pass a tolerance, but one-sided
        start, h = x.value(), 1e-8
        x.set_value(start + h)
        ahead = expr.value()
        x.set_value(start)
        return expr.grad(x), (ahead - expr.value()) / h

    feedback = ch02.q4.grade(forward)
    assert not feedback.correct and "central difference" in feedback.message

    def own_central(expr, x, h=1e-5):  # the learner's own central difference, another h
        start = x.value()
        x.set_value(start + h)
        ahead = expr.value()
        x.set_value(start - h)
        behind = expr.value()
        x.set_value(start)
        return expr.grad(x), (ahead - behind) / (2 * h)

    assert ch02.q4.grade(own_central).correct
    small_step = ch02.q4.grade(lambda expr, x: own_central(expr, x, h=1e-8))
    assert small_step.correct, small_step.message  # x ± h rounded; still a central difference


def test_ch03_q2_memo_around_fib1_is_refused_quickly():
    """The memo recursing through fib1 would take minutes on fib_memo(41); stop it early."""
    import time

    from tinyml.exercises import ch03
    from tinyml.recursion import fib1

    memo = {}

    def fib_memo(n):
        if n in memo:
            return memo[n]
        r = n if n < 2 else fib1(n - 1) + fib1(n - 2)
        memo[n] = r
        return r

    start = time.process_time()
    feedback = ch03.q2.grade(fib_memo)
    assert time.process_time() - start < 10  # about a second of CPU time; generous
    assert not feedback.correct and "fib1" in feedback.message


def test_ch03_q2_a_memo_mixed_with_fib1_is_told_about_fib1_not_the_lookup():
    """A fresh reader's code: it does look n up; the fault is the fib1 call."""
    from tinyml.exercises import ch03
    from tinyml.recursion import fib1

    memo = {}

    def fib_memo(n):
        if n in memo:
            return memo[n]
        if n < 2:
            return n
        memo[n] = fib_memo(n - 1) + fib1(n - 2)
        return memo[n]

    message = ch03.q2.grade(fib_memo).message
    assert "calls of fib1" in message and "never look them up" not in message


def test_ch03_q2_a_memo_mixed_with_fib2_names_fib2_even_with_a_warm_memo():
    """A sixth reader's code: `_check_n` was named as the culprit; a warm memo passed."""
    from tinyml.exercises import ch03
    from tinyml.recursion import fib2

    memo = {}

    def fib_memo(n):
        if n in memo:
            return memo[n]
        if n < 2:
            return n
        memo[n] = fib_memo(n - 1) + fib2(n - 2)
        return memo[n]

    for _ in range(2):  # fresh memo, then warm (everything up to 300 already stored)
        message = ch03.q2.grade(fib_memo).message
        assert "calls fib2" in message and "_check_n" not in message, message
        fib_memo(300)
    assert ch03.q2.grade(ch03._fib_memo).correct  # a memo that recurses through itself


def test_ch03_q2_work_done_by_fib1_is_counted_as_fib1s():
    from tinyml.exercises import ch03

    message = ch03.q2.grade(ch03._fib_memo_via_fib1).message
    assert "calls of fib1" in message and "_check_n" not in message, message


@pytest.mark.parametrize("maxsize", [1, 2, 16])
def test_ch03_q2_a_bounded_lru_cache_is_told_it_forgets(maxsize):
    import functools

    from tinyml.exercises import ch03

    @functools.lru_cache(maxsize=maxsize)
    def fib_memo(n):
        return n if n < 2 else fib_memo(n - 1) + fib_memo(n - 2)

    message = ch03.q2.grade(fib_memo).message
    assert f"maxsize={maxsize}" in message and "forgets" in message
    assert "never look them up" not in message and "never stored" not in message

    @functools.lru_cache(maxsize=None)  # noqa: UP033 - the spelling the message suggests
    def unbounded(n):
        return n if n < 2 else unbounded(n - 1) + unbounded(n - 2)

    assert ch03.q2.grade(unbounded).correct


def test_ch01_q4_accepts_the_hours_rounded_but_not_a_wrong_count():
    from tinyml.exercises import ch01

    n = 10**6
    for right in ((n + 1) * n / 1e8 / 3600, n * n / 1e8 / 3600, 2.78, 2.8):
        assert ch01.q4.grade(right).correct, right
    for wrong in (2.6, 3.0, 5.56, 10_000, float("inf")):
        assert not ch01.q4.grade(wrong).correct, wrong


def test_ch01_honest_answers_in_other_forms_pass():
    import math

    import numpy as np

    from tinyml.exercises import ch01
    from tinyml.numeric import EPS

    def eps32_python_halving():  # eps stays a Python float; the sum is float32
        eps = 1.0
        while np.float32(1) + eps / 2 > 1:
            eps /= 2
        return eps

    assert ch01.q1.grade(eps32_python_halving()).correct
    eps32 = np.array(1.0, dtype=np.float32)  # a reader's answer: a 0-d array, halved in float32
    while 1.0 + eps32 / 2 > 1.0:
        eps32 /= 2
    assert ch01.q1.grade(eps32).correct

    def five_point(f, x, h):  # the textbook form of the same formula
        return (f(x - 2 * h) - 8 * f(x - h) + 8 * f(x + h) - f(x + 2 * h)) / (12 * h)

    assert ch01.q2.grade(five_point).correct
    for step in (
        lambda x: (3 * EPS) ** (1 / 3) * max(1.0, abs(x)),
        lambda x: EPS ** (1 / 3) * max(1.0, abs(x)),
        lambda x: (6 * EPS) ** (1 / 3) * max(1.0, abs(x)),  # round-off written as 2ε/h
        lambda x: 1e-5 * max(1.0, abs(x)),  # 1.15 times cbrt(3ε): within the factor 1.6
        lambda x: EPS ** (1 / 3) * (1.0 + abs(x)),
        lambda x: np.cbrt(EPS) * max(1.0, abs(x)),
    ):
        feedback = ch01.q3.grade(step)
        assert feedback.correct, feedback.message
    for guess in ((EPS / 3) ** (1 / 3), 1e-6, 2e-6, 2e-5):  # accurate, but off by over 1.6
        feedback = ch01.q3.grade(lambda x, c=guess: c * max(1.0, abs(x)))
        assert "balances the two errors" in feedback.message, (guess, feedback.message)
    for grad in (lambda a, b: (math.cos(a) + b, a), lambda a, b: np.array([b + np.cos(a), a])):
        feedback = ch01.q5.grade(grad)
        assert feedback.correct, feedback.message


def test_ch01_q5_refuses_numeric_differencing_even_when_imported_by_name():
    import math

    from tinyml.exercises import ch01
    from tinyml.numeric import central_difference, numeric_gradient

    def f(a, b):
        return a * b + math.sin(a)

    for bypass in (
        lambda a, b: numeric_gradient(f, [a, b]),
        lambda a, b: [central_difference(lambda t: f(t, b), a), a],
    ):
        feedback = ch01.q5.grade(bypass)
        assert feedback.status == "incorrect"
        assert "don't difference it numerically" in feedback.message


def test_ch01_q2_accepts_the_packages_central_difference_inside():
    from tinyml.exercises import ch01
    from tinyml.numeric import central_difference

    def better_central(f, x, h):
        return (4 * central_difference(f, x, h) - central_difference(f, x, 2 * h)) / 3

    assert ch01.q2.grade(better_central).correct


def test_ch05_hints_nudge_before_they_tell():
    from tinyml.exercises import ch05

    for q, answer_words in (
        (ch05.q1, ("4×3",)),
        (ch05.q4, ("takes 2 additions",)),  # 3 numbers; m - 1 is left to the learner
        (ch05.q2, ("total = total + row[j] * x[j]",)),
        (ch05.q3, ("= u[j]",)),
    ):
        hints = q.hints()
        assert len(hints) >= 3, q.title
        assert len(set(hints)) == len(hints), q.title
        assert not any(word in hints[0] for word in answer_words), hints[0]
        assert any(word in " ".join(hints[1:]) for word in answer_words), q.title


def test_ch05_q2_refuses_numpy_even_though_it_gets_the_numbers_and_gradients_right():
    from tinyml.alpha import Var
    from tinyml.exercises import ch05

    def with_at(W, x):  # np is this module's global, as in the notebook
        return list(np.array(W) @ np.array(x))

    def with_dot(W, x):
        return np.dot(W, x).tolist()

    def loops(W, x):  # an honest answer in a module that imports numpy still passes
        return [sum(row[j] * x[j] for j in range(len(x))) for row in W]

    xs = [Var(1.0), Var(2.0)]
    assert len((np.array([[1.0, 2.0]]) @ np.array(xs)).tolist()) == 1  # numpy handles Vars
    for borrowed, phrase in ((with_at, "@ operator"), (with_dot, "numpy (np.")):
        feedback = ch05.q2.grade(borrowed)
        assert feedback.status == "incorrect" and phrase in feedback.message, feedback.message
        assert "write them" in feedback.message
    assert ch05.q2.grade(loops).correct


def test_ch05_q3_says_what_a_wrong_matrix_looks_like():
    from tinyml.exercises import ch05

    cases = {
        "one number repeated": [[6, 6, 6], [6, 6, 6]],
        "row 1 is 0·u": [[2, 4, 6], [0, 0, 0]],
        "row 0 is 0·u": [[0.0, 0.0, 0.0], [-1.0, -2.0, -3.0]],
        "did backward() run": [[0, 0, 0], [0, 0, 0]],
    }
    for phrase, answer in cases.items():
        feedback = ch05.q3.grade(answer)
        assert feedback.status == "incorrect" and phrase in feedback.message, feedback.message
        assert "is not it" not in feedback.message
    assert ch05.q3.grade([[2.0, 4.0, 6.0], [-1.0, -2.0, -3.0]]).correct


# Answers from the independent read of chapter 5: graded wrongly, or explained misleadingly.


def test_ch05_q1_asks_about_a_transpose_and_names_each_slip():
    from tinyml.exercises import ch05
    from tinyml.matrix import matmul, random_matrix, shape, transpose

    P = random_matrix(3, 4, seed=0)
    right = [shape(matmul(P, transpose(P))), shape(matmul(transpose(P), P)), "error"]
    assert ch05.q1.grade(right).correct
    assert ch05.q1.grade([[3, 3], [4, 4], "error"]).correct
    for answer, phrase in (
        ([shape(matmul(transpose(P), P)), (4, 4), "error"], "the other order"),
        ([(3, 3), shape(transpose(P)), "error"], "one of the factors"),
        ([shape(P), (4, 4), "error"], "one of the factors"),
        (["error", (4, 4), "error"], "does not fail"),
        ([(3, 3), (4, 4), shape(P)], "must agree"),
    ):
        message = ch05.q1.grade(answer).message
        assert phrase in message and "is not it" not in message, (answer, message)


def test_ch05_q4_asks_for_the_additions_and_names_the_multiplications():
    from tinyml.exercises import ch05

    assert "number of multiplications" in ch05.q4.grade(lambda n, m, p: n * m * p).message
    assert "sum of its own" in ch05.q4.grade(lambda n, m, p: n * m * p - 1).message
    message = ch05.q4.grade(lambda n, m, p: n * p * (m - 1) if m > 1 else n * p).message
    assert "nothing to add" in message and "count again" not in message

    def counted_loops(n, m, p):  # an honest answer: count the + in matmul's loops
        total = 0
        for _ in range(n):
            for _ in range(p):
                total += m - 1
        return total

    assert ch05.q4.grade(counted_loops).correct
    assert ch05.q4.grade(lambda n, m, p: n * (m - 1) * p).correct


def test_ch05_q3_weighted_loss_does_not_give_the_answer_away():
    from tinyml.exercises import ch05

    for answer in ([[1, 1, 1], [1, 1, 1]], [[1, 2, 3], [1, 2, 3]], [[2, 2, 2], [-1, -1, -1]]):
        message = ch05.q3.grade(answer).message
        assert ch05.q3.grade(answer).status == "incorrect", answer
        for leak in ("2, 4, 6", "-1, -2, -3", "(2, -1)", "= 2", "is 2", "is -1"):
            assert leak not in message, (answer, message)
    assert "plain sum" in ch05.q3.grade([[1, 2, 3], [1, 2, 3]]).message


def test_ch05_q2_protects_its_inputs_and_names_an_in_place_matvec():
    from tinyml.exercises import ch05

    message = ch05.q2.grade(ch05._matvec_in_place).message
    assert "your matvec changed W" in message
    assert "[[-4.0, 5.0, 1.0], [2.0, -1.0, 3.0]]" in message  # the W it was given, unchanged

    def appends_to_x(W, x):
        x.append(0.0)
        return [sum(row[j] * x[j] for j in range(len(row))) for row in W]

    assert "your matvec changed x" in ch05.q2.grade(appends_to_x).message


def test_ch05_q3_accepts_a_gradient_within_rounding():
    from tinyml.exercises import ch05

    for right in ([[2, 4, 6.0000001], [-1, -2, -3]], [[2.0, 4.0, 6.0], [-1, -2, -2.9999999999]]):
        assert ch05.q3.grade(right).correct, right
    assert not ch05.q3.grade([[2, 4, 6.001], [-1, -2, -3]]).correct
    assert "a number" in ch05.q3.grade([[2, 4, None], [-1, -2, -3]]).message


@pytest.mark.parametrize("name,q", QUESTIONS, ids=IDS)
def test_a_question_shown_as_a_cell_value_gives_nothing_away(name, q):
    text = repr(q)
    assert text.startswith("<Question") and ".check(answer)" in text, text
    assert q.solution_text not in text and len(text) < 200, text
    for bad, _ in q.wrong:
        assert repr(bad) not in text or repr(bad) in q.title, (name, bad)


def test_an_answer_accepted_with_a_reservation_is_titled_accepted_not_correct(capsys):
    """Right, but not as asked (a value typed in, a step of one's own): "Accepted, but"."""
    from tinyml.exercises import Question

    q = Question(
        checker=lambda answer: None,
        hint_text="",
        solution_text="",
        answer=lambda: 1,
        reservation=lambda answer: "typed in, not computed" if answer == 2 else "",
        note=lambda answer: "a remark",
    )
    asked, typed = q.grade(1), q.grade(2)
    assert (asked.status, asked.message) == ("correct", "well done. a remark")
    assert (typed.status, typed.message) == ("accepted", "typed in, not computed")
    assert asked.correct and typed.correct  # both are right answers
    q.check(2)
    assert capsys.readouterr().out.strip() == "Accepted, but: typed in, not computed"
