"""Chapters 2 and 3: the targeted feedback a second learner read asked for."""

from __future__ import annotations

import re

import pytest

from tinyml.beta import Const, Node, Sigmoid, Var
from tinyml.exercises import ch02, ch03
from tinyml.visits import count_visits, linear_loss


def test_ch02_q4_names_numeric_and_analytic_returned_in_the_wrong_order():
    def swapped(expr, x):
        analytic = expr.grad(x)
        start = x.value()
        h = 1e-5
        x.set_value(start + h)
        ahead = expr.value()
        x.set_value(start - h)
        behind = expr.value()
        x.set_value(start)
        return (ahead - behind) / (2 * h), analytic

    feedback = ch02.q4.grade(swapped)
    assert feedback.status == "incorrect"
    assert "wrong order" in feedback.message and "(analytic, numeric)" in feedback.message
    right = ch02.q4.grade(lambda expr, x: swapped(expr, x)[::-1])
    assert right.correct, right.message


def test_ch02_q4_a_wrong_analytic_number_is_not_called_swapped():
    def half_grad(expr, x):
        analytic, numeric = ch02._derivative_check(expr, x)
        return analytic / 2, numeric

    message = ch02.q4.grade(half_grad).message
    assert "wrong order" not in message and "analytic derivative" in message


def _tree_facts(text):  # what a learner reads off the built tree, for the honest variant
    x = Var(3.0, name="x")
    expr = eval(text, {"x": x})  # noqa: S307 - a fixed expression from this test
    node = expr
    while x not in node.children:
        node = node.children[0]
    return expr.value(), node.op


def test_ch02_q3_values_and_the_node_above_x_read_off_the_trees_pass():
    (v1, op1), (v2, op2) = _tree_facts("-x ** 2 + 1"), _tree_facts("(-x) ** 2 + 1")
    assert ch02.q3.grade((v1, v2, op1, op2)).correct
    assert ch02.q3.grade([int(v1), int(v2), f" {op1.upper()} ", op2]).correct
    assert ch02.q3.grade((-8, 10, "pow", "minus")).correct


@pytest.mark.parametrize(
    "wrong,phrase",
    [
        ((-8, 10, "neg", "**"), "nodes above x are swapped"),
        ((10, 10, "neg", "neg"), "hint(3) states it"),
        ((-8, -8, "**", "**"), "ignores the parentheses"),
        ((10, -8, "**", "neg"), "values are swapped"),
        ((-8, 10, "neg", "neg"), "above_1"),
        ((-8, 10, "**", "**"), "above_2"),
        (("(+ (neg (** x 2)) 1)", "(+ (** (neg x) 2) 1)"), "give four answers"),
        ((-8, 10, "**", "square"), "'neg' or '**'"),
    ],
)
def test_ch02_q3_typical_wrong_answers_get_their_own_reason(wrong, phrase):
    feedback = ch02.q3.grade(wrong)
    assert feedback.status == "incorrect"
    assert phrase in feedback.message, feedback.message


def test_ch02_q3_a_first_wrong_value_gets_a_nudge_not_the_rule():
    """A reader's first answer, (10, 10, 'neg', 'neg'), was told "** binds tighter": the rule
    itself. The message now asks the question and leaves the rule to hint(3)."""
    for wrong in ((10, 10, "neg", "neg"), (10, 10, "**", "neg"), (10, -8, "neg", "**")):
        message = ch02.q3.grade(wrong).message
        assert "binds tighter" not in message, message
        assert "-(x ** 2)" not in message and "= -8" not in message, message
    assert "binds tighter" in ch02.q3.hints()[2]


def test_ch02_q3_the_printed_strings_alone_no_longer_pass():
    x = Var(3.0, name="x")
    pasted = (str(-(x**2) + 1), str((-x) ** 2 + 1))
    assert not ch02.q3.grade(pasted).correct


def test_ch02_q1_feedback_names_one_difference_not_the_whole_tree():
    x, y = Var(1.0, name="x"), Var(2.0, name="y")
    from tinyml.beta import Square

    for wrong in (x * y, Square(x - y), Square(x + y) + 2 * x, Square(x - y) + x + x):
        message = ch02.q1.grade(wrong).message
        assert "(+ (square (- x y)) (* 2 x))" not in message, message
        assert "should be" in message, message


def test_ch03_q3_the_formula_matches_measured_visits_and_slips_are_named():
    for P in (1, 3, 40):
        loss, ws = linear_loss(P, activation=Sigmoid)
        with count_visits() as g:
            loss.grad(ws[0])
        columns = (g.grad, g.asked_by["Square"], g.asked_by["Sigmoid"], g.asked_by["Mul"])
        assert columns == ch03.grad_visits(P) and g.total == sum(columns) == 42 * P + 14

    def measured(P):  # measuring instead of predicting: refused, as in q4
        loss, ws = linear_loss(P, activation=Sigmoid)
        with count_visits() as g:
            loss.grad(ws[0])
        return g.grad, g.asked_by["Square"], g.asked_by["Sigmoid"], g.asked_by["Mul"]

    feedback = ch03.q3.grade(measured)
    assert feedback.status == "incorrect"
    assert "builds the loss and counts" in feedback.message
    table = [ch03.grad_visits(P) for P in range(100)]
    assert "formula in P" in ch03.q3.grade(lambda P: table[P]).message
    rows = lambda P: [12 * P + 11, 3 * (4 * P + 2), 3 * (4 * P - 1), 6 * P]  # noqa: E731
    assert ch03.q3.grade(rows).correct  # a list is as good as a tuple
    praise = ch03.q3.grade(ch03.grad_visits).message  # a reader found "well done." too bare
    assert "42P + 14" in praise and "12P - 3" in praise and "12P + 6" in praise
    assert ch03.q3.grade(lambda P: (12.0 * P + 11, 12 * P + 6, 12 * P - 3, 6.0 * P)).correct
    linear = lambda P: (12 * P + 8, 12 * P + 3, 0, 6 * P)  # noqa: E731
    assert "linear model's tree" in ch03.q3.grade(linear).message
    no_sigmoid = lambda P: (12 * P + 11, 12 * P + 6, 0, 6 * P)  # noqa: E731
    assert "Sigmoid.grad needs" in ch03.q3.grade(no_sigmoid).message
    off_sigmoid = lambda P: (12 * P + 11, 12 * P + 6, 12 * P - 6, 6 * P)  # noqa: E731
    message = ch03.q3.grade(off_sigmoid).message
    assert "your Sigmoid.grad column is 6" in message and "makes 9 visits there" in message
    for total in (lambda P: 42 * P + 14, lambda P: 30 * P + 11, lambda P: 45 * P):
        assert "one number; return the four columns as a tuple" in ch03.q3.grade(total).message
    assert "function itself" in ch03.q3.grade(1694).message
    # a fresh reader's slip: the value must be shown as given, not rounded to 23
    message = ch03.q3.grade(lambda P: (12 * P + 11.25, 12 * P + 6, 12 * P - 3, 6 * P)).message
    assert "grad() calls column is 23.25, but" in message and "makes 23 visits" in message


def test_ch03_q3_cancelling_column_errors_are_caught_column_by_column():
    """Reader s4c: linear columns kept, Sigmoid.grad as 3 walks of (prediction - target).
    The total is 42P + 14 (the errors cancel), so a check of the total passed it."""

    def grad_visits(P):
        return (12 * P + 8, 3 * (4 * P + 1), 3 * (4 * P + 1), 6 * P)

    assert sum(grad_visits(7)) == sum(ch03.grad_visits(7))  # cancels: why columns are checked
    feedback = ch03.q3.grade(grad_visits)
    assert not feedback.correct
    assert "your grad() calls column is 20" in feedback.message
    # with the grad() calls fixed, the next wrong column is named, with what it misses
    fixed_calls = lambda P: (12 * P + 11, *grad_visits(P)[1:])  # noqa: E731
    message = ch03.q3.grade(fixed_calls).message
    assert "your Square.grad column is 15" in message and "linear model's 3(4P + 1)" in message
    fixed_square = lambda P: (12 * P + 11, 12 * P + 6, *grad_visits(P)[2:])  # noqa: E731
    message = ch03.q3.grade(fixed_square).message
    assert "your Sigmoid.grad column is 15" in message
    assert "walks (prediction − target)" in message


def test_ch03_readers_slips_in_exercises_3_and_4_are_named():
    # Exercise 3: the constants of w·x forgotten, 3P - 1 nodes a prediction instead of 4P - 1
    def grad_visits(P):
        return (12 * P + 11), (12 * P + 6), 3 * (3 * P - 1), 6 * P  # 39P + 14 together

    message = ch03.q3.grade(grad_visits).message
    assert "grad_visits(1): your Sigmoid.grad column is 6" in message
    assert "4P − 1 nodes: P weights, P constants, P Muls, P − 1 Adds" in message
    # ... and its walks: the division is right, the visits are not
    for walks_at_40 in (sum(grad_visits(40)) / (12 * 40 + 11), 3.2057, 1690 / 491):
        feedback = ch03.q3_walks.grade(walks_at_40)
        assert not feedback.correct, walks_at_40
        assert "isn't right yet; finish Exercise 3 first" in feedback.message
    assert "1,574" in ch03.q3_walks.grade(3.2057).message
    for right in (1694 / 491, 3.45, 3.4501, 3.451):
        assert ch03.q3_walks.grade(right).correct, right
    assert "is not it" in ch03.q3_walks.grade(5.0).message
    # the third reader: "to two decimals" means 3.45; 3.44 (the wrong 42P + 11, rounded) and
    # 3.46 were graded correct
    for off in (3.44, 3.46, round((42 * 40 + 11) / (12 * 40 + 11), 2)):
        feedback = ch03.q3_walks.grade(off)
        assert not feedback.correct, off
        assert "is off in the second decimal" in feedback.message, off
        assert "ch03.q3.check(grad_visits)" in feedback.message, off
    message = ch03.q3_walks.grade((42 * 40 + 11) / (12 * 40 + 11)).message
    assert "1,691 / 491" in message and "finish Exercise 3 first" in message
    assert "finish Exercise 3 first" in ch03.q3_walks.grade(round(1691 / 491, 4)).message

    # Exercise 4: G(d) = 3G(d-1) + 2V(d-1), the Add and the Mul themselves left out
    def predicted_visits(d):
        if d == 0:
            return 1
        return 3 * predicted_visits(d - 1) + 2 * (2 * 3 ** (d - 1) - 1)

    message = ch03.q4.grade(predicted_visits).message
    assert "count the Add and Mul nodes themselves" in message and "2 visits" in message
    assert "at depth" not in message

    def one_short(d):  # only one of the Add and the Mul counted
        return 1 if d == 0 else 1 + 3 * one_short(d - 1) + 2 * (2 * 3 ** (d - 1) - 1)

    message = ch03.q4.grade(one_short).message
    assert "count the Add and Mul nodes themselves" in message and "one visit each" in message


def test_ch03_q4_an_int_prediction_off_by_one_at_a_large_depth_fails():
    """The third reader: within 1e-12 relative tolerance, v + 1 at d = 25 passed."""

    def right(d):
        return 1 if d == 0 else 2 + 3 * right(d - 1) + 2 * (2 * 3 ** (d - 1) - 1)

    def predicted_visits(d):
        v = right(d)
        return v + 1 if d == 25 else v

    feedback = ch03.q4.grade(predicted_visits)
    assert not feedback.correct
    assert "right up to depth 11, but at depth 25" in feedback.message
    assert "follow the rule, not a fit" in feedback.message

    def one_off_early(d):
        return right(d) + (d == 11)

    assert "at depth 11 you predict" in ch03.q4.grade(one_off_early).message
    assert ch03.q4.grade(right).correct
    assert ch03.q4.grade(lambda d: 3 ** (d - 1) * (4 * d + 3)).correct  # float at d = 0
    assert ch03.q4.grade(lambda d: round(3 ** (d - 1) * (4 * d + 3))).correct


def test_ch03_every_question_has_staged_hints_each_new():
    # Chapter 3's exercises cell promises hint(), hint(2) and hint(3) for every question.
    for q in (ch03.q1, ch03.q2, ch03.q4, ch03.q3, ch03.q3_walks):
        hints = q.hints()
        assert len(hints) == 3, q.title
        assert len(set(hints)) == 3, q.title
    assert "memo[n]" not in ch03.q2.hints()[0] and "memo[n]" in ch03.q2.hints()[1]
    # hint(2) asks the learner to compare their own counts; only hint(3) names them
    assert "2, 3, 5, 8" not in ch03.q1.hints()[1] and "fib2" in ch03.q1.hints()[1]
    assert "1,694" not in " ".join(ch03.q3_walks.hints())
    assert "grad_visits(40) / (12 * 40 + 11)" not in " ".join(ch03.q3_walks.hints())
    # hint(3) stops just short of the answer; .solution() gives it
    for q, answer in (
        (ch03.q1, "fib2(59)"),
        (ch03.q3, "together 42P + 14"),
        (ch03.q3_walks, "3.45"),
        (ch03.q4, "G(d) = 2 + 3"),
    ):
        assert answer not in " ".join(q.hints()), q.title
        assert answer in q.solution_text, q.title


def test_ch03_q3_q4_printing_instead_of_returning_is_named(capsys):
    def grad_visits(P):  # a sixth reader's code
        print(12 * P + 11, 12 * P + 6, 12 * P - 3, 6 * P)

    def predicted_visits(d):
        print(3 ** (d - 1) * (4 * d + 3))

    assert "print it instead of returning" in ch03.q3.grade(grad_visits).message
    assert "print it instead of returning" in ch03.q4.grade(predicted_visits).message
    assert "print" not in ch03.q3.grade(lambda P: "42P + 14").message
    assert "print" not in ch03.q3.grade(lambda P: 42 * P + 14).message


def test_ch03_exercises_cell_promises_what_the_hints_hold():
    import json
    from pathlib import Path

    nb = json.loads(
        Path(__file__).parents[1].joinpath("notebooks/03_repeated_work.ipynb").read_text()
    )
    text = " ".join("".join(c["source"]) for c in nb["cells"])
    for n in (1, 2, 3, 4):
        assert re.search(rf"# ch03\.q{n}\.hint\(\)  # then hint\(2\), hint\(3\)", text), n


def test_ch03_q4_refuses_measuring_and_answers_within_a_second():
    """The learner's bypass: build the chain and count, instead of predicting."""
    import time

    from tinyml.exercises import ch03
    from tinyml.visits import count_visits, shared_chain

    def predicted_visits(d):
        c, x = shared_chain(d)
        with count_visits() as v:
            c.grad(x)
        return v.total

    def closed_form(d):
        return 1 if d == 0 else 3 ** (d - 1) * (4 * d + 3)

    def triple_recursion(d):
        return 1 if d == 0 else 2 + 3 * triple_recursion(d - 1) + 2 * (2 * 3 ** (d - 1) - 1)

    for answer, phrase in (
        (predicted_visits, "measures instead of predicting"),
        (lambda d: sum(1 for _ in range(closed_form(d))), "stopped after"),
    ):
        start = time.process_time()
        feedback = ch03.q4.grade(answer)
        assert time.process_time() - start < 1.0
        assert feedback.status == "incorrect" and phrase in feedback.message, feedback.message
    for honest in (closed_form, triple_recursion):
        assert ch03.q4.grade(honest).correct


def test_ch03_q2_a_memo_that_is_filled_but_never_read_is_named():
    from tinyml.exercises import ch03

    memo = {}

    def fib_memo(n):
        r = n if n < 2 else fib_memo(n - 1) + fib_memo(n - 2)
        memo[n] = r
        return r

    feedback = ch03.q2.grade(fib_memo)
    assert "never look them up" in feedback.message


def test_ch03_q4_and_q3_feedback_reads_right():
    from tinyml.exercises import ch03

    assert "makes 1 visit;" in ch03.q4.grade(lambda d: 0).message
    assert "makes 23 visits there" in ch03.q3.grade(lambda P: (140, 18, 9, 6)).message


def test_ch02_q1_new_vars_named_x_and_y_are_not_the_cells():
    from tinyml.beta import Add, Const, Mul, Square, Sub

    x, y = Var(1.0, name="x"), Var(2.0, name="y")  # the exercise cell's variables
    new_x, new_y = Var(1.0, name="x"), Var(2.0, name="y")
    feedback = ch02.q1.grade(Add(Square(Sub(new_x, new_y)), Mul(Const(2), new_x)))
    assert feedback.status == "incorrect"
    assert "new Var, not the x made in the cell" in feedback.message
    two = Add(Square(Sub(Var(5.0, name="x"), y)), Mul(Const(2), Var(5.0, name="x")))
    assert "two different Vars named x" in ch02.q1.grade(two).message
    five = Var(5.0, name="x")
    message = ch02.q1.grade(Add(Square(Sub(five, y)), Mul(Const(2), five))).message
    assert "new Var, not the x made in the cell" in message and "grad(x)" in message
    for right in [
        Add(Square(Sub(x, y)), Mul(Const(2), x)),
        Add(Mul(x, Const(2.0)), Square(Sub(x, y))),
        Square(x - y) + 2 * x,
    ]:
        assert ch02.q1.grade(right).correct, right


def test_ch02_q1_constants_are_compared_exactly():
    from tinyml.beta import Add, Const, Mul, Square, Sub

    x, y = Var(1.0, name="x"), Var(2.0, name="y")
    for near in (2.0000001, 1.9999999999):
        feedback = ch02.q1.grade(Add(Square(Sub(x, y)), Mul(Const(near), x)))
        assert feedback.status == "incorrect"
        assert f"its constant is {near!r}, not exactly 2" in feedback.message


def test_ch02_q4_a_var_given_to_central_difference_is_named():
    from tinyml.numeric import central_difference

    def with_the_var(expr, x):
        def f(t):
            x.set_value(t)
            return expr.value()

        return expr.grad(x), central_difference(f, x)

    message = ch02.q4.grade(with_the_var).message
    assert "pass x.value(), not the Var x" in message


def test_ch03_q2_a_memo_keyed_by_str_n_is_accepted():
    memo = {}

    def fib_memo(n):
        if str(n) in memo:
            return memo[str(n)]
        memo[str(n)] = n if n < 2 else fib_memo(n - 1) + fib_memo(n - 2)
        return memo[str(n)]

    feedback = ch03.q2.grade(fib_memo)
    assert feedback.correct, feedback.message

    unread = {}

    def stores_by_str_but_never_reads(n):
        if n < 2:
            return n
        unread[str(n)] = stores_by_str_but_never_reads(n - 1) + stores_by_str_but_never_reads(
            n - 2
        )
        return unread[str(n)]

    assert "never look them up" in ch03.q2.grade(stores_by_str_but_never_reads).message


def test_ch03_q1_hint_2_points_at_the_counts_and_hint_3_names_the_pattern():
    # hint(2) has the learner compare their own counts with fib2's numbers (the third
    # reader: giving the counts skipped the counting); hint(3) names them
    hints = ch03.q1.hints()
    assert "your counts" in hints[1] and "fib2(k)" in hints[1]
    assert "2, 3, 5, 8" not in hints[1] and "F(n - 1)" not in hints[1]
    assert "2, 3, 5, 8" in hints[2]
    assert "F(3), F(4), F(5), F(6)" in hints[2] and "F(59)" not in hints[2]
    assert "F(n - 1)" in ch03.q1.solution_text


def test_ch03_q4_a_lookup_table_is_told_why_it_cannot_work():
    table = [1, 7, 33][:3]
    message = ch03.q4.grade(lambda d: table[d]).message
    assert "a table of measured values cannot work" in message
    assert "25 and 30" in message


def test_ch03_q4_an_indexing_bug_is_not_blamed_on_a_table():
    # reader s5e: a plain off-by-one IndexError (no table of measured values) was told
    # "so a table of measured values cannot work", as if that were the cause
    def predicted_visits(d):
        V = [2 * 3**k - 1 for k in range(d)]
        G = [1]
        for k in range(1, d + 1):
            G.append(2 + 3 * G[k - 1] + 2 * V[k])  # bug: V[k - 1]
        return G[d]

    message = ch03.q4.grade(predicted_visits).message
    assert "raised IndexError" in message
    assert "If predicted_visits looks its answers up in a table of measured values" in message
    assert ". The checker asks" not in message


def test_ch03_q2_praise_names_no_memo_above():
    # reader s5e: "(2n - 1 for the memo above)" was shown for a functools.cache answer
    import functools

    @functools.cache
    def fib_memo(n):
        return n if n < 2 else fib_memo(n - 1) + fib_memo(n - 2)

    result = ch03.q2.grade(fib_memo)
    assert result.correct, result.message
    assert "memo above" not in result.message


def test_ch03_q2_a_memo_that_stores_only_small_n_is_told_some_results_were_not_stored():
    memo = {}

    def fib_memo(n):
        if n in memo:
            return memo[n]
        result = n if n < 2 else fib_memo(n - 1) + fib_memo(n - 2)
        if n < 30:
            memo[n] = result
        return result

    message = ch03.q2.grade(fib_memo).message
    assert "some results were never stored" in message and "memo[n] = ..." in message


def test_ch02_q1_a_var_for_the_2_is_told_it_is_a_constant(monkeypatch):
    import __main__
    from tinyml.beta import Add, Const, Mul, Square, Sub, Var

    x, y = Var(1.0, name="x"), Var(2.0, name="y")
    monkeypatch.setattr(__main__, "x", x, raising=False)
    monkeypatch.setattr(__main__, "y", y, raising=False)
    for two in (Var(2.0), Var(2.0, name="two")):
        message = ch02.q1.grade(Add(Square(Sub(x, y)), Mul(two, x))).message
        assert "the 2 is a constant: Const(2)" in message, message
    assert ch02.q1.grade(Add(Square(Sub(x, y)), Mul(Const(2), x))).correct
    message = ch02.q1.grade(Add(Square(Sub(x, y)), Mul(y, x))).message
    assert "Const(2)" not in message and "the variable y" in message


def test_ch03_q3_hints_point_to_sigmoid_grad_and_leave_the_walks_to_q3_walks():
    hints = ch03.q3.hints()
    assert "3.45" not in "".join(hints)
    # hint 2 points to Sigmoid.grad's rule and a prediction's size; it does not list the rows
    assert "Sigmoid.grad" in hints[1] and "How many nodes" in hints[1]
    assert "except Mul.grad's" not in hints[1] and "4P − 1" not in hints[1]
    assert "3.45" in ch03.q3_walks.solution_text and "more than 2.5" in ch03.q3_walks.solution_text


@pytest.mark.parametrize("walks", [1694 / 491, 3.45, 3.450, 3.4501, 3.451])
def test_ch03_q3_walks_accepts_3_45_to_two_decimals_or_more(walks):
    assert ch03.q3_walks.grade(walks).correct


@pytest.mark.parametrize("walks", [3.44, 3.46, 3.456])
def test_ch03_q3_walks_refuses_another_second_decimal(walks):
    assert not ch03.q3_walks.grade(walks).correct


@pytest.mark.parametrize(
    ("walks", "words"),
    [
        (2.5, "linear model's 2.5"),
        (1694, "number of visits"),
        (491 / 1694, "upside down"),
        (1694 / 488, "divides by the linear model's 12P + 8; the neuron's walk"),
        (3.47, "divides by the linear model's 12P + 8"),
        (3.4, "close but not it"),
        (3.43, "close but not it"),
        (3.5, "42 / 12"),
    ],
)
def test_ch03_q3_walks_names_the_slips(walks, words):
    feedback = ch03.q3_walks.grade(walks)
    assert feedback.status == "incorrect" and words in feedback.message


def test_ch03_q2_calling_itself_once_for_show_then_looping_is_refused():
    memo = {}

    def fib_memo(n):
        if n in memo:
            return memo[n]
        if n > 1:
            fib_memo(n - 1 if n < 12 else 1)  # a real-looking call for small n only
        a, b = 0, 1
        for k in range(n):
            memo[k] = a
            a, b = b, a + b
        memo[n] = a
        return a

    feedback = ch03.q2.grade(fib_memo)
    assert feedback.status == "incorrect"
    assert "calls itself, but never as fib_memo(" in feedback.message


def test_ch02_q2_a_cube_that_hands_the_work_to_pow_is_told_to_write_the_rule():
    import time

    from tinyml.beta import Node, Pow

    class Cube(Node):  # the learner read's answer: Pow does the work
        op = "cube"

        def __init__(self, a):
            self.a = a
            self.children = (a,)

        value = lambda s: Pow(s.a, 3).value()  # noqa: E731
        grad = lambda s, x: Pow(s.a, 3).grad(x)  # noqa: E731

    start = time.process_time()
    feedback = ch02.q2.grade(Cube)
    assert time.process_time() - start < 1.0
    assert feedback.status == "incorrect"
    assert "builds a Pow node" in feedback.message
    assert "write the rule yourself" in feedback.message

    class Honest(Cube):  # products of numbers, no nodes: passes
        def value(self):
            v = self.a.value()
            return v * v * v

        def grad(self, x):
            v = self.a.value()
            return 3 * v * v * self.a.grad(x)

    assert ch02.q2.grade(Honest).correct


def _memo_made_inside_with_dict_call(n):
    cache = dict()
    if n in cache:
        return cache[n]
    r = (
        n
        if n < 2
        else _memo_made_inside_with_dict_call(n - 1) + _memo_made_inside_with_dict_call(n - 2)
    )
    cache[n] = r
    return r


_outside: dict = {}


def _memo_outside_with_a_local_too(n):  # a local dict that is not the memo: still fine
    seen = {}
    seen[n] = True
    if n not in _outside:
        _outside[n] = (
            n
            if n < 2
            else _memo_outside_with_a_local_too(n - 1) + _memo_outside_with_a_local_too(n - 2)
        )
    return _outside[n]


@pytest.mark.parametrize(
    ("fib_memo", "name"),
    [(ch03._fib_memo_made_inside, "memo"), (_memo_made_inside_with_dict_call, "cache")],
)
def test_ch03_q2_a_memo_created_inside_the_function_is_named(fib_memo, name):
    import time

    start = time.process_time()
    feedback = ch03.q2.grade(fib_memo)
    assert time.process_time() - start < 1.0
    assert feedback.status == "incorrect"
    assert f"your {name} = {{}} is inside the function, so it starts empty" in feedback.message
    assert "create it once, outside" in feedback.message


def test_ch03_q2_a_plain_recursion_is_not_told_about_a_memo_inside():
    feedback = ch03.q2.grade(ch03._fib_naive)
    assert "recomputes" in feedback.message and "inside the function" not in feedback.message
    assert ch03.q2.grade(_memo_outside_with_a_local_too).correct


@pytest.mark.parametrize("above_2", ["-", " - "])
def test_ch02_q3_a_dash_for_unary_minus_fails_with_the_note(above_2):
    # the s4f read: '-' names Sub, a different node; the question asks 'neg' or '**'
    feedback = ch02.q3.grade((-8, 10, "**", above_2))
    assert feedback.status == "incorrect"
    assert "above_2 = '-' names Sub, not neg" in feedback.message
    assert "print shows neg for unary minus; - is Sub" in feedback.message
    plain = ch02.q3.grade((-8, 10, "**", "neg"))
    assert plain.correct and "Sub" not in plain.message
    assert not ch02.q3.grade((-8, 10, "-", "**")).correct


# Answers from the fresh read of chapter 2 (on 0352d73): graded wrongly, or explained misleadingly.


def test_ch02_q2_a_cube_whose_grad_is_1_for_a_variable_outside_the_tree_fails():
    from tinyml.beta import Node, variables

    class Cube(ch02._Cube):
        def grad(self, x):
            return 3 * self.a.value() ** 2 * self.a.grad(x) if x in variables(self) else 1

    assert issubclass(Cube, Node)
    feedback = ch02.q2.grade(Cube)
    assert feedback.status == "incorrect"
    assert "Cube(y).grad(x) gave 1; expected 0" in feedback.message
    assert ch02.q2.grade(ch02._Cube).correct


def test_ch02_q2_a_right_value_with_grad_still_unwritten_says_so():
    class Cube(ch02._Cube):
        def grad(self, x):
            raise NotImplementedError("grad(x): your code here")

    feedback = ch02.q2.grade(Cube)
    assert feedback.status == "not attempted"
    assert feedback.message == "value() is right; grad(x) still raises NotImplementedError."


def test_ch02_q2_several_nodes_built_are_them_and_an_explicit_pow_is_not_called_star_star():
    from tinyml.beta import Add, Const, Mul, Pow, Square, Sub

    class Cube(ch02._Cube):
        def value(self):
            return Mul(self.a, Square(self.a)).value()

    assert "builds Mul and Square nodes and lets them do" in ch02.q2.grade(Cube).message
    x, y = Var(1.0, name="x"), Var(2.0, name="y")
    message = ch02.q1.grade(Add(Pow(Sub(x, y), 2), Mul(Const(2), x))).message
    assert message.startswith("your tree squares with a Pow node") and "Square(" in message


def test_ch02_q3_a_value_close_to_but_not_minus_8_is_shown_exactly():
    message = ch02.q3.grade((-7.999999, 10, "**", "neg")).message
    assert "-7.999999" in message and "close to, but not exactly" in message
    assert "= -8 " not in message


def test_ch02_q4_a_central_difference_at_a_fixed_point_is_named_as_such():
    from tinyml.numeric import central_difference

    def derivative_check(expr, x):
        analytic, start = expr.grad(x), x.value()

        def f(t):
            x.set_value(t)
            return expr.value()

        n = central_difference(f, 1.0)
        x.set_value(start)
        return analytic, n

    message = ch02.q4.grade(derivative_check).message
    assert "central difference at x = 1, but x was 0.4" in message
    assert "one side" not in message and "forward" not in message


def test_ch02_q4_a_list_or_a_report_returned_is_named_not_pasted():
    from tinyml.beta import gradient
    from tinyml.numeric import central_difference, grad_check

    def as_list(expr, x):
        start = x.value()

        def f(t):
            x.set_value(t)
            return expr.value()

        n = central_difference(f, start)
        x.set_value(start)
        return gradient(expr, [x]), n

    message = ch02.q4.grade(as_list).message
    assert "is a list" in message and "return the number itself, expr.grad(x)" in message

    def report(expr, x):
        start = x.value()

        def f(t):
            x.set_value(t)
            return expr.value()

        r = grad_check(f, [start], [expr.grad(x)])
        x.set_value(start)
        return r

    for answer in (report, lambda expr, x: (expr.grad(x), report(expr, x))):
        message = ch02.q4.grade(answer).message
        assert "you returned grad_check's report; return the two numbers instead" in message
        assert "\n" not in message


def test_ch02_q4_a_central_difference_that_assigns_x_v_directly_is_accepted():
    from tinyml.numeric import central_difference

    def derivative_check(expr, x):  # a reader's, exactly: Var stores its value in x.v
        analytic = expr.grad(x)
        start = x.v

        def f(t):
            x.v = t
            return expr.value()

        numeric = central_difference(f, start)
        x.v = start
        return analytic, numeric

    feedback = ch02.q4.grade(derivative_check)
    assert feedback.correct, feedback.message

    def not_measured(expr, x):  # x.v assigned, but the number is grad's, slightly changed
        numeric = expr.grad(x) * 1.000001
        return expr.grad(x), numeric

    message = ch02.q4.grade(not_measured).message
    assert "was not measured" in message and "x.set_value(t)" in message
    assert "expr.grad(x) again" not in message


def test_ch02_q2_a_cube_that_caches_value_or_grad_is_told_so():
    from tinyml.beta import Node

    class Cube(Node):  # a reader's value(), exactly: it keeps its first result
        op = "cube"

        def __init__(self, a):
            self.a = a
            self.children = (self.a,)

        def value(self):
            if not hasattr(self, "_c"):
                self._c = self.a.value() ** 3
            return self._c

        def grad(self, x):
            return 3 * self.a.value() ** 2 * self.a.grad(x)

    message = ch02.q2.grade(Cube).message
    assert "your value() caches its first result" in message

    class CubeGradCached(Cube):  # the reader's grad twin: grad(y) returns grad(x)'s number
        def value(self):
            return self.a.value() ** 3

        def grad(self, x):
            if not hasattr(self, "_g"):
                self._g = 3 * self.a.value() ** 2 * self.a.grad(x)
            return self._g

    message = ch02.q2.grade(CubeGradCached).message
    assert "grad(y) = 121.5, not 60.75: your grad caches its first result" in message
    assert ch02.q2.grade(ch02._Cube).correct


# Answers from the third fresh read of chapter 2 (on 6382eba), each exactly as the reader wrote it.


def _reader_cube(value=None, grad=None):
    """A Cube with the reader's value() or grad(x) in place of the solution's."""
    namespace = {"value": value or ch02._Cube.value, "grad": grad or ch02._Cube.grad}
    return type("Cube", (ch02._Cube,), namespace)


def test_ch02_q2_a_grad_that_divides_by_a_fails_at_a_equal_0():
    def value(self):
        return self.a.value() ** 3

    def grad(self, x):
        return 3 * self.value() / self.a.value() * self.a.grad(x)

    message = ch02.q2.grade(_reader_cube(value, grad)).message
    assert "calling Cube(x).grad(x) at x = 0 raised ZeroDivisionError" in message
    assert "don't divide by it" in message and "the rule 3a²·a'" in message


def test_ch02_q2_a_grad_of_1_for_a_constant_child_fails():
    from tinyml.beta import Const

    def grad(self, x):
        return 3 * self.a.value() ** 2 * self.a.grad(x) + (
            0 if x in self.children or not isinstance(self.a, Const) else 1
        )

    message = ch02.q2.grade(_reader_cube(grad=grad)).message
    assert "Cube(Const(3)).grad(x) gave 1.0; expected 0" in message


def test_ch02_q2_a_right_value_through_exp_and_log_is_accepted():
    import math

    def value(self):
        a = self.a.value()
        return math.exp(3 * math.log(abs(a))) * (1 if a >= 0 else -1) if a != 0 else 0.0

    cube = _reader_cube(value)
    assert cube(Var(2.0)).value() != 8.0  # 7.999999999999998: right to 1e-15, not exact
    feedback = ch02.q2.grade(cube)
    assert feedback.correct, feedback.message
    assert ch02.q2.grade(ch02._CubeValueCached).status == "incorrect"  # caching still caught


def _numeric_grad(self, x):
    """Readers' Cube.grad: a central difference inside grad, right to about 8 digits."""
    from tinyml.numeric import central_difference

    start = x.value()

    def f(t):
        x.set_value(t)
        return self.value()

    g = central_difference(f, start)
    x.set_value(start)
    return g


def test_ch02_q2_a_numerical_grad_is_told_it_is_close_but_not_exact():
    message = ch02.q2.grade(_reader_cube(grad=_numeric_grad)).message
    assert "Cube(2x + y).grad(x) gave 0.06000000029" in message
    assert "; expected 0.05999999999999997" in message
    assert "close, but not exact. Did you approximate it numerically?" in message
    assert "3a²·a'" in message
    assert "approximate" not in ch02.q2.grade(ch02._CubeNoChain).message  # a far miss is not


def test_ch02_q3_the_node_classes_name_the_ops_too():
    from tinyml.beta import Neg, Pow, Sub

    assert ch02.q3.grade((-8, 10, Pow, Neg)).correct
    assert "nodes above x are swapped" in ch02.q3.grade((-8, 10, Neg, Pow)).message
    message = ch02.q3.grade((-8, 10, Pow, Sub)).message
    assert "not Sub (Sub is the node of x - y; unary minus builds Neg)" in message


# Answers from the fourth fresh read of chapter 2 (on 6dce4ef), each as the reader wrote it.


def test_ch02_q4_an_answer_that_ignores_its_x_argument_fails():
    from tinyml.beta import Tanh, variables
    from tinyml.numeric import central_difference

    def derivative_check(expr, x):
        v = variables(expr)[0]  # ignores x
        start = v.value()

        def f(t):
            v.set_value(t)
            return expr.value()

        numeric = central_difference(f, start)
        v.set_value(start)
        return expr.grad(x), numeric

    w1, w2, b = Var(0.5, name="w1"), Var(-1.0, name="w2"), Var(0.25, name="b")
    neuron = Tanh(w1 * 2.0 + w2 * 0.5 + b)
    analytic, numeric = derivative_check(neuron, w2)  # the reader's demonstration
    assert abs(analytic - numeric) > 0.8
    message = ch02.q4.grade(derivative_check).message
    assert "with respect to y: you varied x, not y, the Var passed to" in message

    def last_variable(expr, x):  # the same slip with the last variable: caught by another case
        v = variables(expr)[-1]
        start = v.value()
        numeric = central_difference(lambda t: (v.set_value(t), expr.value())[1], start)
        v.set_value(start)
        return expr.grad(x), numeric

    message = ch02.q4.grade(last_variable).message
    assert "(* x y)) with respect to x: you varied y, not x" in message
    assert ch02.q4.grade(ch02._derivative_check).correct


def test_ch02_q4_other_variables_must_stay_where_they_are():
    from tinyml.beta import variables
    from tinyml.numeric import central_difference

    def derivative_check(expr, x):  # sets every variable to t (and puts them back)
        vs = variables(expr)
        starts = [v.value() for v in vs]

        def f(t):
            for v in vs:
                v.set_value(t)
            return expr.value()

        numeric = central_difference(f, x.value())
        for v, s in zip(vs, starts, strict=True):
            v.set_value(s)
        return expr.grad(x), numeric

    message = ch02.q4.grade(derivative_check).message
    assert "your f moved x as well as y" in message and "set only the Var" in message

    def leaves_others_moved(expr, x):  # varies x alone, but leaves the others at 0 afterwards
        analytic, numeric = ch02._derivative_check(expr, x)
        for v in variables(expr):
            if v is not x:
                v.set_value(0.0)
        return analytic, numeric

    message = ch02.q4.grade(leaves_others_moved).message
    assert "x was 0.7 before the call and 0.0 after it" in message


def test_ch02_q2_a_cube_that_hands_the_work_to_pow_by_inheriting_or_in_init_fails():
    from tinyml.beta import Node, Pow, Square

    class Cube(Pow):  # the reader's, exactly
        def __init__(self, a):
            super().__init__(a, 3)

    message = ch02.q2.grade(Cube).message
    assert "your Cube inherits value() and grad(x) from Pow, so Pow does the work" in message

    class CubeOnSquare(Square):  # value() its own, grad(x) still Square's
        def value(self):
            return self.a.value() ** 3

    message = ch02.q2.grade(CubeOnSquare).message
    assert "inherits grad(x) from Square, so Square does the work" in message

    class Delegating(Node):  # builds a Pow once, in __init__, and asks it
        op = "cube"

        def __init__(self, a):
            self.a = a
            self.children = (a,)
            self._p = Pow(self.a, 3)

        def value(self):
            return self._p.value()

        def grad(self, x):
            return self._p.grad(x)

    message = ch02.q2.grade(Delegating).message
    assert "your __init__ builds a Pow node and lets it do the work" in message
    assert ch02.q2.grade(ch02._Cube).correct


def test_ch02_q2_a_chain_rule_that_drops_the_sign_of_the_inner_derivative_fails():
    class Cube(ch02._Cube):
        def grad(self, x):  # the reader's, exactly
            return 3 * self.a.value() ** 2 * abs(self.a.grad(x))

    message = ch02.q2.grade(Cube).message
    assert "Cube(y - 2x).grad(x) gave 73.5; expected -73.5" in message
    assert "the sign is lost" in message


# Answers from the fifth fresh read of chapter 2 (on bc269cb).


def test_ch02_q1_a_second_x_in_the_place_of_y_is_located():
    from tinyml.beta import Add, Const, Mul, Square, Sub

    x, y = Var(1.0, name="x"), Var(2.0, name="y")  # the exercise cell's variables
    feedback = ch02.q1.grade(Add(Square(Sub(x, Var(2.0, name="x"))), Mul(Const(2), x)))
    assert feedback.status == "incorrect"
    assert "in your (- x x), the right operand is a second Var named x" in feedback.message
    assert "it should be the variable y" in feedback.message
    assert "your variables are named" not in feedback.message
    assert "named a, b" in ch02.q1.grade(ch02._q1_tree_named("a", "b")).message
    assert ch02.q1.grade(Add(Square(Sub(x, y)), Mul(Const(2), x))).correct


def test_ch02_q2_a_right_class_that_does_not_subclass_node_is_told_so_first():
    class Cube:  # the reader's: correct methods, no Node
        def __init__(self, a):
            self.a = a
            self.children = (a,)

        def value(self):
            return self.a.value() ** 3

        def grad(self, x):
            return 3 * self.a.value() ** 2 * self.a.grad(x)

    feedback = ch02.q2.grade(Cube)
    assert feedback.status == "incorrect"
    assert feedback.message.startswith("Cube must subclass Beta's Node: write class Cube(Node):")
    assert "pass your class Cube itself" not in feedback.message
    assert "pass your class Cube itself" in ch02.q2.grade(ch02._Cube(Var(1.0))).message
    assert ch02.q2.grade(ch02._Cube).correct


def test_ch03_a_half_filled_blank_is_said_to_contain_it():
    """A fourth reader's `return ____ * P + 14`: not attempted, and the message says so."""
    from tinyml.exercises import ____

    def grad_visits(P):
        return ____ * P + 11, 12 * P + 6, 12 * P - 3, 6 * P

    def predicted_visits(d):
        return 3 ** (d - 1) * ____

    for question, fn in ((ch03.q3, grad_visits), (ch03.q4, predicted_visits)):
        feedback = question.grade(fn)
        assert feedback.status == "not attempted"
        assert "still contains the blank ____" in feedback.message, feedback.message
    assert ch03.q3.grade(ch03.grad_visits).correct and ch03.q4.grade(ch03._grad_visits).correct


def test_ch03_q2_a_memo_filled_in_advance_is_told_it_is_a_table():
    """A fourth reader's memo pre-filled by a loop: it used to get a bare KeyError: 1029."""
    memo = {0: 0, 1: 1}
    for k in range(2, 1000):
        memo[k] = memo[k - 1] + memo[k - 2]

    def fib_memo(n):
        return memo[n]

    message = ch03.q2.grade(fib_memo).message
    assert "raised KeyError: 1029" in message, message
    assert "n = 1029, 30 more than the largest number already in your memo (999)" in message
    assert "filled in advance, by a loop, is a table, not memoisation" in message

    def fills_itself(n):  # the same memo, now filled by fib_memo's own recursion: passes
        if n not in memo:
            memo[n] = fills_itself(n - 1) + fills_itself(n - 2)
        return memo[n]

    assert ch03.q2.grade(fills_itself).correct


def test_ch03_fifth_readers_loopholes_and_slips():
    # Exercise 3: a formula right at the few P the checker used to try, wrong at P = 3
    right_but_3 = lambda P: ch03.grad_visits(P) if P != 3 else (0, 36 + 6, 36 - 3, 18)  # noqa: E731
    feedback = ch03.q3.grade(right_but_3)
    assert (
        not feedback.correct
        and "grad_visits(3): your grad() calls column is 0" in feedback.message
    )
    assert "47 visits" in feedback.message
    # its walks: 3.455 rounds to 3.46, not the asked two decimals 3.45
    feedback = ch03.q3_walks.grade(3.455)
    assert not feedback.correct and "close but not it" in feedback.message
    # a wrong grad_visits(40) = 1,217, divided by 491 and rounded, is not "the linear model's"
    feedback = ch03.q3_walks.grade(2.48)
    assert not feedback.correct and "linear model's 2.5 walks, from" not in feedback.message
    assert "1,218 visits" in feedback.message and "check grad_visits first" in feedback.message
    assert "linear model's 2.5 walks, from" in ch03.q3_walks.grade(2.5).message
    # Exercise 2: reading memo[n] before it is stored names the test for a key
    memo = {}

    def fib_memo(n):
        if memo[n]:
            return memo[n]
        memo[n] = n if n < 2 else fib_memo(n - 1) + fib_memo(n - 2)
        return memo[n]

    message = ch03.q2.grade(fib_memo).message
    assert "raised KeyError: 0" in message and "`n in memo`" in message

    def nested(n):  # a memoised helper inside: fib_memo itself never recurses
        seen = {}

        def helper(k):
            if k not in seen:
                seen[k] = k if k < 2 else helper(k - 1) + helper(k - 2)
            return seen[k]

        return helper(n)

    message = ch03.q2.grade(nested).message
    assert "fib_memo itself must recurse" in message and "helper function inside" in message


# Answers from the sixth fresh read of chapter 2 (on 54af98b), each as the reader wrote it.


def test_ch02_q1_a_class_or_a_string_is_told_what_to_do_instead():
    from tinyml.beta import Add

    message = ch02.q1.grade(Add).message
    assert "you passed the class Add; call it to build a node: Add(...)" in message
    message = ch02.q1.grade("Add(Square(Sub(x, y)), Mul(Const(2), x))").message
    assert "is a string; remove the quotes" in message and "not str" not in message


def test_ch02_q2_a_numeric_grad_is_given_the_rule_not_the_code():
    message = ch02.q2.grade(_reader_cube(grad=_numeric_grad)).message
    assert "Instead use the rule 3a²·a' with the child's value() and grad(x)" in message
    assert "self.a.value() ** 2" not in message and "self.a.grad(x)`" not in message


def test_ch02_q2_squares_rule_and_a_squared_derivative_are_named():
    def square_rule(self, x):  # Square's rule copied
        return 2 * self.a.value() * self.a.grad(x)

    def grad_squared(self, x):  # a' squared instead of a
        return 3 * self.a.grad(x) ** 2

    message = ch02.q2.grade(_reader_cube(grad=square_rule)).message
    assert "gave -10.0; expected 37.5: that is Square's rule 2a·a'" in message
    message = ch02.q2.grade(_reader_cube(grad=grad_squared)).message
    assert "gave 12.0; expected 37.5: you squared a'" in message
    assert ch02.q2.grade(ch02._Cube).correct


@pytest.mark.parametrize(
    "above", [("power", "negation"), ("Pow", "negate"), ("**", "Neg"), ("exponentiation", "neg")]
)
def test_ch02_q3_english_names_of_the_ops_pass(above):
    feedback = ch02.q3.grade((-8, 10, *above))
    assert feedback.correct, feedback.message
    assert "print shows neg" not in feedback.message


@pytest.mark.parametrize("minus", ["minus", "unary minus"])
def test_ch02_q3_minus_for_unary_minus_passes_with_the_note(minus):
    feedback = ch02.q3.grade((-8, 10, "**", minus))
    assert feedback.correct
    assert "print shows neg for unary minus; - is Sub" in feedback.message
    assert not ch02.q3.grade((-8, 10, minus, "power")).correct


def test_ch02_q4_the_first_entry_of_gradient_names_the_var_passed_as_x():
    from tinyml.beta import gradient
    from tinyml.numeric import central_difference

    def derivative_check(expr, x):  # the reader's: gradient(expr)[0], the first variable's
        start = x.value()

        def f(t):
            x.set_value(t)
            return expr.value()

        num = central_difference(f, start)
        x.set_value(start)
        return gradient(expr)[0], num

    message = ch02.q4.grade(derivative_check).message
    assert "for (+ (* x y) (tanh y)) with respect to y" in message
    assert "should be the analytic derivative expr.grad(y) (the Var passed as x) = " in message


def test_ch02_q2_value_through_dot_v_works_on_leaves_only_and_is_told_so():
    # a reader's, exactly: value() reads .v, which only Const and Var have
    class Cube(ch02._Cube):
        def value(self):
            return self.a.v**3  # .v exists only on Const and Var

        def grad(self, x):
            return 3 * self.a.value() ** 2 * self.a.grad(x)

    class CubeGradV(ch02._Cube):
        def grad(self, x):
            return 3 * self.a.v**2 * self.a.grad(x)

    for cube, method in ((Cube, "value()"), (CubeGradV, "grad(x)")):
        feedback = ch02.q2.grade(cube)
        assert feedback.status == "incorrect"
        assert f"Cube(2x + y).{method} raised AttributeError" in feedback.message
        assert "only Const and Var have .v; ask any child for self.a.value()" in feedback.message
    assert ch02.q2.grade(ch02._Cube).correct


def test_ch02_q2_a_grad_that_tests_whether_the_child_is_x_is_told_about_the_chain_rule():
    class Cube(ch02._Cube):  # a reader's, exactly
        def grad(self, x):
            a = self.a.value()
            return 3 * a**2 if x is self.a else 0

    feedback = ch02.q2.grade(Cube)
    assert feedback.status == "incorrect"
    assert "gave 0; expected 37.5" in feedback.message
    assert "a may contain x deeper down, not only be x itself" in feedback.message
    assert "multiply" not in feedback.message  # what to do is hint 3's job, not the first miss


def test_ch02_q3_all_neg_is_told_about_the_value_and_the_op():
    feedback = ch02.q3.grade((10, 10, "neg", "neg"))
    assert feedback.status == "incorrect"
    assert "value_1 = 10" in feedback.message and "decides above_1" in feedback.message
    # the rule first, not the answers: neither -(x ** 2) nor "** above x" is given away
    assert "-(x ** 2)" not in feedback.message and "(not neg)" not in feedback.message
    assert "above_1" not in ch02.q3.grade((10, 10, "**", "neg")).message


def test_ch02_eighth_read_a_right_tree_passes_whatever_its_vars_hold_now():
    from tinyml.beta import Add, Const, Mul, Square, Sub

    x, y = Var(1.0, name="x"), Var(2.0, name="y")
    answer = Add(Square(Sub(x, y)), Mul(Const(2), x))
    assert ch02.q1.grade(answer).correct
    x.set_value(2.0)  # the learner tries another point
    assert ch02.q1.grade(answer).correct
    x, y = Var(2.0, name="x"), Var(2.0, name="y")  # a typo in x's value: the tree is right
    assert ch02.q1.grade(Add(Square(Sub(x, y)), Mul(Const(2), x))).correct
    X2 = Var(2.0, name="x")
    message = ch02.q1.grade(Add(Square(Sub(X2, y)), Mul(Const(2), X2))).message
    assert "new Var, not the x made in the cell" in message and "Const(2)" not in message


def test_ch02_eighth_read_a_rounded_cube_fails_at_a_long_decimal():
    class CubeRoundedValue(ch02._Cube):
        def value(self):
            return round(self.a.value() ** 3, 3)

    class CubeRoundedGrad(ch02._Cube):
        def grad(self, x):
            return round(3 * self.a.value() ** 2 * self.a.grad(x), 2)

    message = ch02.q2.grade(CubeRoundedValue).message
    assert "gave 0.037; expected x³ = 0.037037" in message, message
    message = ch02.q2.grade(CubeRoundedGrad).message
    assert "gave 8.17; expected 8.1666" in message, message


def test_ch02_eighth_read_q4_an_f_returning_the_tree_is_named_in_printed_form():
    from tinyml.numeric import central_difference

    def derivative_check(expr, x):
        def f(t):
            x.set_value(t)
            return expr

        return expr.grad(x), central_difference(f, x.value())

    message = ch02.q4.grade(derivative_check).message
    assert "calling it with ((* (tanh x) x), x = 0.4) raised TypeError" in message, message
    assert "your f returned a tree" in message and "expr.value()" in message
    assert "Var(" not in message


def test_ch03_seventh_readers_slips():
    # Exercise 2: the cached path forgets to return memo[n]
    memo = {}

    def fib_memo(n):
        if n < 2:
            return n
        if n not in memo:
            memo[n] = fib_memo(n - 1) + fib_memo(n - 2)
            return memo[n]

    feedback = ch03.q2.grade(fib_memo)
    assert not feedback.correct
    assert "fib_memo(2) returned None on its second call" in feedback.message
    assert "NoneType" not in feedback.message
    # Exercise 3's walks: rounded to one decimal, or to three
    feedback = ch03.q3_walks.grade(round(1694 / 491, 1))
    assert not feedback.correct and "rounded to one decimal" in feedback.message
    assert ch03.q3_walks.grade(3.449).correct  # rounds to 3.45, as 3.4501 does (reader s4g)
    assert ch03.q3_walks.grade(round(1694 / 491, 2)).correct


def test_ch02_q2_a_function_passed_instead_of_the_class_is_not_called_an_instance():
    feedback = ch02.q2.grade(lambda: None)  # the ninth reader's call
    assert not feedback.correct
    assert "pass your class Cube itself, e.g. ch02.q2.check(Cube), not a function" in (
        feedback.message
    )
    assert "instance" not in feedback.message
    assert "not an instance" in ch02.q2.grade(ch02._Cube(Var(1.0))).message
    assert ch02.q2.grade(ch02._Cube).correct


def test_ch03_eighth_readers_slips_are_named():
    # Exercise 3: "one grad is now 3 walks" is not the 3-nodes-a-prediction slip
    def grad_visits(P):
        return 12 * P + 11, 12 * P + 6, 3 * (12 * P + 11), 6 * P

    message = ch03.q3.grade(grad_visits).message
    assert "3 whole walks of the tree overcounts" in message
    assert "3 nodes per weight" not in message
    # a constant off: the measured column at P = 1 is named, and it is the real count
    for col, measured in enumerate((23, 18, 9, 6)):
        off = lambda P, col=col: tuple(v + (i == col) for i, v in enumerate(ch03.grad_visits(P)))  # noqa: E731
        message = ch03.q3.grade(off).message
        assert f"makes {measured} visits there" in message, message
        assert ("g.grad", "Square", "Sigmoid", "Mul")[col] in message
    loss, ws = linear_loss(1, activation=Sigmoid)
    with count_visits() as g:
        loss.grad(ws[0])
    assert (g.grad, g.asked_by) == (23, {"Square": 18, "Sigmoid": 9, "Mul": 6})
    # large P printed with thousands separators
    big_wrong = lambda P: ch03.grad_visits(P) if P < 100 else (0, 0, 0, 0)  # noqa: E731
    assert "12,000,011 visits" in ch03.q3.grade(big_wrong).message

    # Exercise 4: V(d) where the operand is the level below, V(d - 1)
    def predicted_visits(d):
        if d == 0:
            return 1
        return 2 + 3 * predicted_visits(d - 1) + 2 * (2 * 3**d - 1)

    message = ch03.q4.grade(predicted_visits).message
    assert "the operand a is the level below" in message and "V(d - 1)" in message
    # the last hint leaves the blanks to the learner
    last = ch03.q4.more_hints[-1]
    assert "_·G(d-1) + _·V(d-1)" in last and "twice" not in last


_STALE_SOLUTION = """
memo = {5: 99}  # left over from an earlier run

def fib_memo(n):
    if n not in memo:
        memo[n] = n if n < 2 else fib_memo(n - 1) + fib_memo(n - 2)
    return memo[n]
"""

_STALE_FROM_A_BUGGY_RUN = """
cache = {}

def fib_memo(n):  # a first, buggy version fills the cache
    if n not in cache:
        cache[n] = 1 if n < 3 else fib_memo(n - 1) + fib_memo(n - 2)
    return cache[n]

fib_memo(2)
cache[2] = 2  # the buggy run stored a wrong fib(2)

def fib_memo(n):  # fixed, but the cache still holds the old entries
    if n not in cache:
        cache[n] = n if n < 2 else fib_memo(n - 1) + fib_memo(n - 2)
    return cache[n]
"""


@pytest.mark.parametrize("source", [_STALE_SOLUTION, _STALE_FROM_A_BUGGY_RUN])
def test_ch03_q2_a_memo_left_over_from_an_earlier_run_is_named(source):
    from tinyml.exercises import ch03

    space: dict = {}
    exec(source, space)  # noqa: S102 - the learner's cells, as globals like in a notebook
    feedback = ch03.q2.grade(space["fib_memo"])
    assert feedback.status == "incorrect"
    assert "already held entries from an earlier run" in feedback.message, feedback.message
    assert "memo = {}" in feedback.message
    space[[k for k in ("memo", "cache") if k in space][0]].clear()  # reset, as told
    assert ch03.q2.grade(space["fib_memo"]).correct


def test_ch03_q2_a_memo_warmed_by_a_right_run_still_passes():
    from tinyml.exercises import ch03

    space: dict = {}
    exec(_STALE_SOLUTION.replace("{5: 99}", "{}"), space)  # noqa: S102
    space["fib_memo"](20)  # the learner tried it out first
    assert ch03.q2.grade(space["fib_memo"]).correct


def test_ch03_q4_a_float_closed_form_rounded_to_an_int_is_told_about_floats():
    """A final reader's closed form through exp/log, rounded: right rule, last digits wrong."""
    import math

    def predicted_visits(d):
        return round(math.exp((d - 1) * math.log(3)) * (3 + 4 * d))

    feedback = ch03.q4.grade(predicted_visits)
    assert not feedback.correct
    assert "your rule is right" in feedback.message and "integer arithmetic" in feedback.message
    assert "not a fit" not in feedback.message
    assert "not a fit" in ch03.q4.grade(lambda d: 3 ** (d - 1) * (4 * d + 3) + (d == 30)).message


def test_ch03_fix_s4a_q4_add_asking_no_grad_is_named():
    # the reader's G(d) = 2 + 2·G(d−1) + 2·V(d−1): Add.grad's own a.grad(x) left out
    def visits(d):
        return 1 if d == 0 else 2 + 2 * visits(d - 1) + 2 * (2 * 3 ** (d - 1) - 1)

    message = ch03.q4.grade(visits).message
    assert "Mul.grad asks it twice" in message and "Add.grad once more" in message
    assert ch03.q4.grade(ch03._grad_visits).correct


def test_ch03_fix_s4a_q3_the_full_gradient_is_told_it_is_all_p_grads():
    for full in (lambda P: tuple(P * v for v in ch03.grad_visits(P)),):
        message = ch03.q3.grade(full).message
        assert "all P grads" in message and "one grad(w1)" in message, message
    assert ch03.q3.grade(ch03.grad_visits).correct


@pytest.mark.parametrize("walks", [3.4549, 3.449, 3.446])
def test_ch03_fix_s4a_q3_walks_accepts_every_value_rounding_to_3_45(walks):
    # the reader's 3.4549 was refused while 3.4501 passed; reader s4g found 3.449 refused
    # too: "to two decimals" now accepts exactly what rounds to 3.45, on both sides
    assert ch03.q3_walks.grade(walks).correct
    assert ch03.q3_walks.grade(3.4501).correct


@pytest.mark.parametrize("walks", [3.455, 3.445, 3.4449])
def test_ch03_fix_s4a_q3_walks_values_rounding_elsewhere_are_not_told_they_round_to_3_45(walks):
    feedback = ch03.q3_walks.grade(walks)
    assert not feedback.correct and "rounds to 3.45" not in feedback.message


def test_ch03_fix_s4a_q2_both_call_limits_read_alike():
    message = ch03.q2.grade(ch03._fib_naive).message
    assert "was stopped after 5,000 calls" in message and "made more than" not in message


def test_ch02_q2_a_first_miss_without_the_chain_rule_does_not_give_the_rule_away():
    # reader s4a: the first wrong try printed 3·(2x + y)²·2 and "multiply by a.grad(x)", which
    # is hint 3; it now shows the input, what came back and what was expected
    class Cube(Node):  # the reader's code, exactly
        def __init__(self, a):
            self.a = a if isinstance(a, Node) else Const(a)
            self.children = (self.a,)

        def value(self):
            return self.a.value() ** 3

        def grad(self, x):
            return 3 * self.a.value() ** 2

    feedback = ch02.q2.grade(Cube)
    assert feedback.status == "incorrect"
    assert (
        "at x = -1.5, y = 0.5, Cube(2x + y).grad(x) gave 18.75; expected 37.5" in feedback.message
    )
    assert "with respect to the inner 2x + y" in feedback.message
    for rule in ("a.grad(x)", "3·(2x + y)²", "multiply"):
        assert rule not in feedback.message
    assert "a.grad(x)" in ch02.q2.hints()[2]
    assert ch02.q2.grade(ch02._Cube).correct


@pytest.mark.parametrize("walks", [3.45, 1694 / 491, 3.4501])  # a reader's right answers
def test_ch03_q3_walks_right_answer_says_which_column_passes_2_5_and_where_walks_head(walks):
    feedback = ch03.q3_walks.grade(walks)
    assert feedback.correct
    assert "more than 2.5" in feedback.message and "Sigmoid.grad" in feedback.message
    assert "12P - 3" in feedback.message and "42 / 12 = 3.5" in feedback.message


# Answers from fresh read s4b of chapter 2, each as the reader wrote it.


def test_ch02_s4b_q4_an_f_that_moves_a_new_var_with_xs_name_is_told_so():
    from tinyml.numeric import central_difference

    def derivative_check(expr, x):
        y = Var(x.value(), name=x.name)

        def f(t):
            y.set_value(t)
            return expr.value()

        return expr.grad(x), central_difference(f, x.value())

    message = ch02.q4.grade(derivative_check).message
    assert "your f moved a new Var named x, not the x you were given" in message
    assert "ignores its argument" not in message
    assert ch02.q4.grade(ch02._derivative_check).correct


def test_ch02_s4b_q4_a_helper_var_beside_the_right_f_is_not_blamed():
    from tinyml.numeric import central_difference

    def derivative_check(expr, x):  # right, plus a scratch Var that it moves too
        scratch = Var(0.0, name="x")
        start = x.value()

        def f(t):
            scratch.set_value(t)
            x.set_value(t)
            return expr.value()

        numeric = central_difference(f, start)
        x.set_value(start)
        return expr.grad(x), numeric

    assert ch02.q4.grade(derivative_check).correct


@pytest.mark.parametrize(
    ("answer", "phrase"),
    [
        ((-9, 9, "**", "neg"), "are both 1 short: you left out the + 1"),
        ((-9, 10, "**", "neg"), "value_1 = -9.0 is not the value of -x ** 2 + 1 at x = 3: it is"),
        ((-8, 9, "**", "neg"), "value_2 = 9.0 is not the value of (-x) ** 2 + 1 at x = 3: it is"),
    ],
)
def test_ch02_s4b_q3_values_without_the_plus_1_are_told_so(answer, phrase):
    feedback = ch02.q3.grade(answer)
    assert feedback.status == "incorrect" and phrase in feedback.message


def test_ch02_q3_the_last_hint_states_the_precedence_without_running_code():
    # s4b: the last hint names the rule, not the values; s4c: the exercise says "predict
    # without running anything", so the hint must not ask for a cell to be run either
    hint = ch02.q3.hints()[2]
    assert "** binds tighter than unary minus" in hint and "-(3 ** 2)" in hint
    assert "-9" not in hint and "-8" not in hint and "Run" not in hint


def test_ch02_s4b_q2_a_missing_chain_rule_points_to_the_table_not_to_a_hint():
    message = ch02.q2.grade(ch02._CubeNoChain).message
    assert "the chain rule takes you on to x (the a' in the table of rules" in message
    assert "hint(3)" not in message


# Answers from fresh read s4c of chapter 2, each as the reader wrote it.


def test_ch02_s4c_q4_a_step_of_ones_own_passes_with_a_note_to_leave_h_out():
    from tinyml.numeric import central_difference

    def derivative_check(expr, x):  # the solution's, but with the reader's h = 1e-7
        analytic = expr.grad(x)
        start = x.value()

        def f(t):
            x.set_value(t)
            return expr.value()

        numeric = central_difference(f, start, 1e-7)
        x.set_value(start)
        return analytic, numeric

    feedback = ch02.q4.grade(derivative_check)
    assert feedback.correct and feedback.status == "accepted"  # titled "Accepted, but"
    assert "your own step h = 1e-07" in feedback.message
    assert "leave h out" in feedback.message
    assert not feedback.message.startswith("well done")  # s6c: not praised as if done as asked
    assert ch02.q4.grade(ch02._derivative_check).message == "well done."


def test_ch02_s4c_q2_the_solution_cubes_as_square_squares_without_a_bare_overflow():
    assert "return a * a * a" in ch02.q2.solution_text
    assert "value() ** 3" not in ch02.q2.solution_text
    huge = ch02._Cube(Var(1e200, name="x"))
    assert huge.value() == float("inf")  # a ** 3 would raise OverflowError
    assert huge.grad(huge.a) == float("inf")
    assert ch02.q2.grade(ch02._Cube).correct


def test_ch02_q4_an_f_returning_grad_is_named_the_derivative_of_the_derivative():
    from tinyml.numeric import central_difference

    def derivative_check(expr, x):  # the reader's, exactly (s4d): f returns expr.grad(x)
        start = x.value()

        def f(t):
            x.set_value(t)
            try:
                return expr.grad(x)
            finally:
                x.set_value(start)

        return expr.grad(x), central_difference(f, start)

    message = ch02.q4.grade(derivative_check).message
    assert "derivative of the derivative" in message and "return expr.value()" in message
    assert "never moved" not in message
    assert ch02.q4.grade(ch02._derivative_check).correct


def _cube_with_grad(grad):
    from tinyml.beta import _node

    class Cube(Node):
        op = "cube"

        def __init__(self, a):
            self.a = _node(a)
            self.children = (self.a,)

        def value(self):
            return self.a.value() ** 3

    Cube.grad = grad
    return Cube


def test_ch02_q2_names_a_in_place_of_a_prime_and_x_in_place_of_the_child():
    def a_not_a_prime(self, x):  # the reader's slip: 3a²·a
        a = self.a.value()
        return 3 * a * a * a

    def x_not_child(self, x):  # the reader's slip: x's value, not the child's
        return 3 * x.value() ** 2 * self.a.grad(x)

    message = ch02.q2.grade(_cube_with_grad(a_not_a_prime)).message
    assert "gave -46.875; expected 37.5" in message
    assert "chain-rule factor is a' = self.a.grad(x), not a" in message
    message = ch02.q2.grade(_cube_with_grad(x_not_child)).message
    assert "gave 13.5; expected 37.5" in message and "use the child's, self.a.value()" in message

    def right(self, x):
        return 3 * self.a.value() ** 2 * self.a.grad(x)

    assert ch02.q2.grade(_cube_with_grad(right)).correct


def test_ch03_q3_swapped_columns_are_told_to_check_the_order():
    # a reader's answer (s4d): the Sigmoid.grad and Mul.grad columns swapped
    def grad_visits(P):
        return (12 * P + 11, 3 * (4 * P + 2), 6 * P, 3 * (4 * P - 1))

    feedback = ch03.q3.grade(grad_visits)
    assert feedback.status == "incorrect"
    assert "wrong order" in feedback.message
    assert "(grad() calls, Square.grad, Sigmoid.grad, Mul.grad)" in feedback.message
    assert ch03.q3.grade(ch03.grad_visits).status == "correct"


def test_ch03_q2_a_memo_returning_floats_is_told_to_return_ints():
    # a reader's answer (s4d): a real memo, but its results are floats
    memo = {}

    def fib_memo(n):
        if n not in memo:
            memo[n] = float(n) if n < 2 else fib_memo(n - 1) + fib_memo(n - 2)
        return memo[n]

    feedback = ch03.q2.grade(fib_memo)
    assert feedback.status == "incorrect"
    assert "Return ints: floats lose digits" in feedback.message


def test_ch03_q1_praise_does_not_say_right_twice():
    message = ch03.q1.grade(ch03.q1.answer()).message
    assert not message.lower().startswith("right"), message
    assert "fib1(2) is called F(n - 1) times" in message


def test_ch03_q4_value_calls_counted_as_one_visit_each_is_named():
    """Reader s4e: G(d) = 4 + 3G(d - 1) got only a generic 'at depth 2' message."""

    def predicted_visits(d):
        return 1 if d == 0 else 4 + 3 * predicted_visits(d - 1)

    message = ch03.q4.grade(predicted_visits).message
    assert "each value() Mul.grad asks for walks all of a_{d-1}" in message, message
    assert "V(d - 1) visits, not 1" in message


def test_ch03_q4_both_numbers_of_a_near_miss_have_thousands_separators():
    """Reader s4e: 'you predict 29090242257544, and grad(x) makes 29,090,242,257,543'."""

    def right(d):
        return 1 if d == 0 else 2 + 3 * right(d - 1) + 2 * (2 * 3 ** (d - 1) - 1)

    message = ch03.q4.grade(lambda d: right(d) + (d == 25)).message
    want = right(25)
    assert f"you predict {want + 1:,}, and grad(x) makes {want:,} visits" in message, message


def test_ch03_q2_an_even_only_memo_is_told_how_many_entries_it_should_leave():
    """Reader s4e: '(it grew by 15; …)' did not say 15 what, against which number."""
    memo = {}

    def fib_memo(n):
        if n in memo:
            return memo[n]
        result = n if n < 2 else fib_memo(n - 1) + fib_memo(n - 2)
        if n % 2 == 0:
            memo[n] = result
        return result

    message = ch03.q2.grade(fib_memo).message
    assert "memo gained" in message and "entries; fib_memo(" in message, message
    assert "should leave" in message and "one for each of 0 …" in message, message


# Answers from the fifth fresh read of chapter 2 (s4e), each as the reader wrote it.


def test_ch02_q2_only_the_inner_derivative_approximated_fails():
    message = ch02.q2.grade(ch02._CubeNumericChildGrad).message  # the reader's code, exactly
    assert "Cube(tanh(x) * y).grad(x) gave" in message
    assert "close, but not exact. Did you approximate it numerically?" in message


def test_ch02_q2_right_answers_written_other_ways_still_pass():
    def grad_reordered(self, x):
        return self.a.grad(x) * self.a.value() ** 2 * 3

    def grad_times_itself(self, x):
        a = self.a.value()
        return 3 * a * a * self.a.grad(x)

    for grad in (grad_reordered, grad_times_itself):
        assert ch02.q2.grade(_reader_cube(grad=grad)).correct


def test_ch02_q2_a_missing_3_and_a_squared_a_prime_are_named():
    def no_three(self, x):
        return self.a.value() ** 2 * self.a.grad(x)

    def squared(self, x):
        return 3 * self.a.value() ** 2 * self.a.grad(x) ** 2

    message = ch02.q2.grade(_reader_cube(grad=no_three)).message
    assert "gave 12.5; expected 37.5: d(a³)/da = 3a², so a factor 3 is missing" in message
    message = ch02.q2.grade(_reader_cube(grad=squared)).message
    assert "gave 75.0; expected 37.5: a' enters once, not squared" in message


def test_ch02_q2_recursion_and_x_in_place_of_the_child_are_named():
    def value(self):
        return self.value() ** 3

    def grad(self, x):
        return 3 * x**2 * self.a.grad(x)

    message = ch02.q2.grade(_reader_cube(value=value)).message
    assert "never returned: value() calls itself (self.value())" in message
    assert "ask the child: self.a.value()" in message
    message = ch02.q2.grade(_reader_cube(grad=grad)).message
    assert "x is the Var you differentiate with respect to" in message
    assert "self.a is a node" not in message


def test_ch02_q4_restoring_x_only_to_3_decimals_fails():
    message = ch02.q4.grade(ch02._restores_x_rounded).message  # the reader's code, exactly
    assert "x was 0.41234567891 before the call and 0.412 after it" in message


def test_ch03_q4_a_right_formula_truncated_by_int_is_named_a_float_problem():
    # a reader's (learner read s4f): the closed form through floats, cut by int(): 1,862 at d = 5
    feedback = ch03.q4.grade(lambda d: int((4 / 3) * d * 3**d + 3**d))
    assert feedback.status == "incorrect"
    assert "formula is right" in feedback.message and "3**(d-1) * (4*d + 3)" in feedback.message
    assert "count them with count_visits()" not in feedback.message
    # an integer formula off by one is still sent to count, not told it is right
    off = ch03.q4.grade(lambda d: 1 if d == 0 else 3 ** (d - 1) * (4 * d + 3) - 1)
    assert off.status == "incorrect" and "formula is right" not in off.message


def test_ch03_q2_and_q4_praise_teaches_a_line():
    def fib_memo(n, memo={}):  # noqa: B006
        if n not in memo:
            memo[n] = n if n < 2 else fib_memo(n - 1) + fib_memo(n - 2)
        return memo[n]

    assert "about 2n calls" in ch03.q2.grade(fib_memo).message
    right = ch03.q4.grade(lambda d: 1 if d == 0 else 3 ** (d - 1) * (4 * d + 3))
    assert right.correct and "3^(d-1)·(4d + 3)" in right.message


def test_ch03_q3_walks_one_decimal_is_asked_for_two():
    assert "it has one decimal; give two" in ch03.q3_walks.grade(3.4).message


# Answers from the fresh read s4f of chapter 2: explained misleadingly.


def test_ch02_q3_the_readers_dash_is_incorrect_with_the_note():
    feedback = ch02.q3.grade((-8, 10, "**", "-"))  # the reader's, exactly
    assert feedback.status == "incorrect"
    assert "(print shows neg for unary minus; - is Sub, the node of x - y)" in feedback.message


def test_ch02_q2_a_grad_gated_on_the_sign_of_the_child_is_told_so():
    class Cube(ch02._Cube):  # the reader's, exactly
        def grad(self, x):
            a = self.a
            grad = 3 * a.value() ** 2 * a.grad(x) if a.value() > 0 else 0.0
            return grad

    feedback = ch02.q2.grade(Cube)
    assert feedback.status == "incorrect"
    assert "it gave 0 where a = -2.5 < 0, but the rule 3a²·a' holds for every a" in (
        feedback.message
    )
    assert "deeper down" not in feedback.message
    assert ch02.q2.grade(ch02._Cube).correct


def test_ch02_q1_a_wrong_operand_of_a_product_is_not_called_left_or_right():
    from tinyml.beta import Add, Mul, Square, Sub

    x, y = Var(1.0, name="x"), Var(2.0, name="y")
    answer = Add(Square(Sub(x, y)), Mul(x, x))  # the reader's, exactly
    feedback = ch02.q1.grade(answer)
    assert feedback.status == "incorrect"
    assert "in your (* x x), one operand of the Mul should be the constant 2" in feedback.message
    assert "right operand" not in feedback.message


# Answers from the fresh read s4g of chapter 2: feedback that read inconsistently.


def test_ch02_s4g_q3_a_dash_in_the_first_slot_gets_the_sub_note_too():
    feedback = ch02.q3.grade((-8, 10, "-", "neg"))  # the reader's, exactly
    assert feedback.status == "incorrect"
    assert "above_1 = '-' names Sub, not neg" in feedback.message
    assert "print shows neg for unary minus; - is Sub" in feedback.message
    assert "neg is not the node directly above x in -x ** 2" in feedback.message
    second = ch02.q3.grade((-8, 10, "**", "-")).message  # the other slot: the note alone
    assert "above_2 = '-' names Sub, not neg" in second and "either" not in second
    assert ch02.q3.grade((-8, 10, "**", "neg")).correct


def test_ch02_s4g_q1_messages_say_a_tuple_and_name_the_formula_not_z():
    x, y = Var(1.0, name="x"), Var(2.0, name="y")
    assert "give a Beta expression, not a tuple" in ch02.q1.grade((x, y)).message
    message = ch02.q1.grade(x * y).message
    assert "the tree of z = (x - y)² + 2x" in message and "z's" not in message


def test_ch02_s4g_q2_hint_2_gives_3a_squared_with_the_chain_rule_caveat():
    hint = ch02.q2.hints()[1]
    assert "3a²" in hint and "grad(x) asks for d/dx, and a may depend on x" in hint


def test_ch03_q3_walks_wrong_answers_do_not_give_the_recipe_away():
    """Reader s4g: every wrong answer spelled out sum(grad_visits(40)) / (12 * 40 + 11),
    the walk size the learner is meant to measure: more than hint(3) held."""
    for wrong in (2.5, 2.48, 3.4, 3.44, 3.46, 3.455, 3.5, 5.0, 1694, 1694 / 488):
        feedback = ch03.q3_walks.grade(wrong)
        assert not feedback.correct, wrong
        for recipe in ("12 * 40 + 11", "12P + 11", "/ (12", "491"):
            assert recipe not in feedback.message, (wrong, feedback.message)
    assert "one value()'s visits of the neuron's loss" in ch03.q3_walks.grade(5.0).message
    assert "12P + 11" in ch03.q3_walks.hints()[2] and "12P + 11" not in ch03.q3_walks.hints()[1]


def test_ch03_q3_walks_accepts_exactly_what_rounds_to_3_45():
    """Reader s4g: 3.4501 passed but 3.449, just as close, did not; both round to 3.45."""
    for right in (3.449, 3.4501, 3.4549, 3.4451, 1694 / 491):
        assert ch03.q3_walks.grade(right).correct, right
    for wrong in (3.4449, 3.455, 3.46):
        assert not ch03.q3_walks.grade(wrong).correct, wrong


def test_ch03_q3_last_hint_leaves_the_node_counts_to_the_learner():
    """Reader s4g: hint(3) gave 3 Sigmoids more, 4P + 2 per square and 4P - 1 per Sigmoid."""
    last = ch03.q3.hints()[2]
    for count in ("4P − 1", "4P - 1", "4P + 2", "three Sigmoid", "3 Sigmoid", "6P"):
        assert count not in last, count


def test_ch02_q2_the_s5a_readers_two_grad_slips_are_named():
    class Cube(Node):  # the template, with a right value()
        op = "cube"

        def __init__(self, a):
            self.a = a if isinstance(a, Node) else Const(a)
            self.children = (self.a,)

        def value(self):
            return self.a.value() ** 3

    class CubeOfSelf(Cube):  # the reader's: self.value() is a³, not a²
        def grad(self, x):
            return 3 * self.value() * self.a.grad(x)

    class CubeOfX(Cube):  # the reader's: x's value, and no chain-rule factor
        def grad(self, x):
            return 3 * x.value() ** 2

    feedback = ch02.q2.grade(CubeOfSelf)
    assert feedback.status == "incorrect"
    assert "gave -93.75; expected 37.5" in feedback.message
    assert "that is 3a³·a'; you used a³ where the rule needs a²" in feedback.message
    feedback = ch02.q2.grade(CubeOfX)
    assert feedback.status == "incorrect"
    assert "gave 6.75; expected 37.5" in feedback.message
    assert "x's value and no chain-rule factor" in feedback.message

    class Right(Cube):
        def grad(self, x):
            return 3 * self.a.value() ** 2 * self.a.grad(x)

    assert ch02.q2.grade(Right).correct


def _readers_cube(val, gr):  # reader s5c's harness, exactly: value and grad given as lambdas
    class Cube(Node):
        op = "cube"

        def __init__(self, a):
            self.a = a if isinstance(a, Node) else Const(a)
            self.children = (self.a,)

        def value(self):
            return val(self)

        def grad(self, x):
            return gr(self, x)

    return Cube


def test_ch02_q2_three_a_times_a_prime_is_named():
    three_a = _readers_cube(lambda s: s.a.value() ** 3, lambda s, x: 3 * s.a.value() * s.a.grad(x))
    feedback = ch02.q2.grade(three_a)
    assert feedback.status == "incorrect"
    assert "gave -15.0; expected 37.5: that is 3a·a'; the rule is 3a²·a'" in feedback.message
    right = _readers_cube(
        lambda s: s.a.value() ** 3, lambda s, x: 3 * s.a.value() ** 2 * s.a.grad(x)
    )
    assert ch02.q2.grade(right).correct
    by_hand = _readers_cube(  # the reader's a·a·a form passes too
        lambda s: s.a.value() * s.a.value() * s.a.value(),
        lambda s, x: 3 * s.a.value() * s.a.value() * s.a.grad(x),
    )
    assert ch02.q2.grade(by_hand).correct


def test_ch02_q1_renamed_vars_are_told_about_identity_not_names():
    from tinyml.beta import Add, Const, Mul, Square, Sub

    x, y = Var(1.0, name="a"), Var(2.0, name="b")  # the reader's: the cell's line, renamed
    message = ch02.q1.grade(Square(x - y) + 2 * x).message
    assert "these are the cell's x and y objects, but you renamed them a, b" in message
    assert "names matter" not in message
    x, y = Var(1.0, name="x"), Var(2.0, name="y")  # the cell as given, and two new Vars
    a, b = Var(1.0, name="a"), Var(2.0, name="b")
    z = Add(Square(Sub(a, b)), Mul(Const(2), a))
    message = ch02.q1.grade(z).message
    assert "new Vars named a, b, not the x and y made in the cell" in message
    assert "z.grad(x) with the cell's x would be 0" in message and z.grad(x) == 0
    assert ch02.q1.grade(Add(Square(Sub(x, y)), Mul(Const(2), x))).correct


def test_ch02_q4_the_grad_method_returned_uncalled_is_named_not_its_wrapper():
    from tinyml.numeric import central_difference

    def derivative_check(expr, x):  # the s5d reader's answer: expr.grad without (x)
        start = x.value()

        def f(t):
            x.set_value(t)
            return expr.value()

        n = central_difference(f, start)
        x.set_value(start)
        return expr.grad, n

    message = ch02.q4.grade(derivative_check).message
    assert "your first number is the method expr.grad itself, not a number" in message
    assert "call it: expr.grad(x)" in message
    assert "watched" not in message and "<locals>" not in message and "0x" not in message

    def uncalled_difference(expr, x):
        return expr.grad(x), central_difference

    message = ch02.q4.grade(uncalled_difference).message
    assert "your second number is a function, not a number" in message
    assert "<function" not in message
    assert ch02.q4.grade(ch02._derivative_check).correct


# The s5e reader's answers to chapter 2's Exercise 2, each as the report gives it.


def test_ch02_q2_a_cube_without_children_fails_and_says_what_it_costs():
    from tinyml.beta import gradient, variables

    Cube = ch02._CubeNoChildren  # the reader's class, exactly: kept once, in the wrong answers
    x = Var(1.0, name="x")
    assert str(Cube(x) + x) == "(+ (cube) x)" and variables(Cube(x)) == []
    assert gradient(Cube(x)) == []  # what the message says it costs
    feedback = ch02.q2.grade(Cube)
    assert not feedback.correct
    assert "Cube(x).children is (), not (x,): print shows Cube(x) as (cube)" in feedback.message
    assert "gradient(Cube(x)) is []" in feedback.message
    assert "keep the template's line self.children = (self.a,)" in feedback.message

    class CubeListChildren(Cube):  # a list holds the child as well as a tuple: passes
        def __init__(self, a):
            super().__init__(a)
            self.children = [self.a]

    assert ch02.q2.grade(CubeListChildren).correct
    assert ch02.q2.grade(ch02._Cube).correct


def test_ch02_q2_the_chain_factor_alone_and_a_cubed_are_diagnosed():
    def only_the_chain_factor(self, x):
        return self.a.grad(x)

    message = ch02.q2.grade(_reader_cube(grad=only_the_chain_factor)).message
    assert "gave 2.0; expected 37.5: that is a' alone" in message
    assert "you kept the chain-rule factor a' = self.a.grad(x) but dropped d(a³)/da = 3a²" in (
        message
    )

    def a_cubed(self, x):
        return 3 * self.a.value() ** 3 * self.a.grad(x)

    message = ch02.q2.grade(_reader_cube(grad=a_cubed)).message
    assert "gave -93.75; expected 37.5: that is 3a³·a'; you used a³ where the rule needs a²" in (
        message
    )
    assert "self.value()" not in message


def test_ch03_q4_a_float_that_is_a_thousand_visits_off_is_refused():
    """Reader s5f: a float answer 1,000 visits too high for d > 11 passed (relative tolerance
    1e-10 at d = 25); as an int it was refused. A float must now round to the count."""
    cheat = lambda d: float(3 ** (d - 1) * (3 + 4 * d) + 1000 * (d > 11)) if d else 1  # noqa: E731
    feedback = ch03.q4.grade(cheat)  # the reader's, exactly
    assert not feedback.correct
    assert "follow the rule, not a fit" in feedback.message
    assert "float keeps only about 16 digits" not in feedback.message
    nudged = lambda d: (3 ** (d - 1) * (4 * d + 3) if d else 1) * (1 + 1e-10)  # noqa: E731
    assert not ch03.q4.grade(nudged).correct
    for right in (lambda d: 3**d * (1 + 4 * d / 3), lambda d: (4 * d + 3) / 3 * 3**d):
        assert ch03.q4.grade(right).correct


def test_ch03_check_row_hides_the_p4_row_and_grades_it(capsys):
    """The fill-in of Exercise 3's first part (where the 2.5 comes from): the cell once held the
    measured row in a variable named `true`, in plain sight; check_row measures it out of sight."""
    from tinyml.exercises import ____

    right = (12 * 4 + 8, 3 * (4 * 4 + 1), 6 * 4, 30 * 4 + 11)  # 56, 51, 24, 131
    for row, said in (
        ((____, ____, ____, ____), "Replace each ____"),
        ((56, 51, 24, ____), "Replace each ____"),
        ((..., ..., ..., ...), "Replace each ____"),
        (("56", 51, 24, 131), "Give numbers"),  # s6c reader: was "Not yet: grad() calls."
        ((56, 51, 24, True), "Give numbers"),
        (right, "All four right."),
        (list(right), "All four right."),
        ((56, 51, 24, 130), "Not yet: one grad(w1) (the sum of the other three)."),
        ((56, 48, 12, 131), "Not yet: Square.grad (3 walks"),  # P = 1's 15 and 6 scaled wrongly
        ((56, 48, 12, 131), "; Mul.grad (3P ×, each asks both operands)."),
        ((56, 51, 12, 131), "Not yet: Mul.grad (3P ×, each asks both operands)."),  # s6d reader
        ((20, 15, 6, 41), "That is the P = 1 row"),  # s6d reader: was "Not yet: …" all four
        ((56, 51, 24), "Give four numbers"),
        (131, "Give four numbers"),
    ):
        ch03.check_row(row)
        out = capsys.readouterr().out
        assert said in out, (row, out)
        assert ("All four right" in out) == (
            tuple(row) == right if isinstance(row, (tuple, list)) else False
        )


# Answers from fresh read s6c of chapter 2, each as the reader wrote it.


def test_ch02_s6c_q2_wrong_constant_two_a_squared_is_diagnosed():
    class Cube(Node):
        op = "cube"

        def __init__(self, a):
            self.a = a if isinstance(a, Node) else Const(a)
            self.children = (self.a,)

        def value(self):
            return self.a.value() ** 3

        def grad(self, x):
            return 2 * self.a.value() ** 2 * self.a.grad(x)

    feedback = ch02.q2.grade(Cube)
    assert not feedback.correct
    assert "that is 2a²·a'" in feedback.message and "the constant is 3" in feedback.message


def test_ch02_s6c_q2_grad_with_respect_to_the_child_names_self_a():
    class Cube(Node):
        op = "cube"

        def __init__(self, a):
            self.a = a if isinstance(a, Node) else Const(a)
            self.children = (self.a,)

        def value(self):
            return self.a.value() ** 3

        def grad(self, x):
            return 3 * self.a.value() ** 2 * self.a.grad(self.a)

    feedback = ch02.q2.grade(Cube)
    assert not feedback.correct
    assert "self.a.grad(self.a)" in feedback.message and "self.a.grad(x)" in feedback.message


def test_ch02_s6c_q4_own_central_difference_is_accepted_but_not_praised():
    def derivative_check(expr, x):  # reader 1's hand-written central difference, h = 1e-5
        start = x.value()
        h = 1e-5
        g = expr.grad(x)
        x.set_value(start + h)
        a = expr.value()
        x.set_value(start - h)
        b = expr.value()
        x.set_value(start)
        return g, (a - b) / (2 * h)

    feedback = ch02.q4.grade(derivative_check)
    assert feedback.correct and feedback.status == "accepted"
    assert "well done" not in feedback.message
    assert "own step h = 1e-05" in feedback.message and "leave h out" in feedback.message


def test_ch03_q1_near_misses_get_their_own_message():
    """s6c readers: 2*fib2(59) - 1 and fib2(59) + 1 got only the generic message."""
    from tinyml.recursion import fib2

    for answer, said in (
        (2 * fib2(59) - 1, "every call fib1(58) makes"),
        (2 * fib2(61) - 1, "every call fib1(60) makes"),
        (fib2(59) + 1, "one off: F(59) + 1"),
        (fib2(59) - 1, "one off: F(59) - 1"),
    ):
        feedback = ch03.q1.grade(answer)
        assert not feedback.correct and said in feedback.message, (answer, feedback.message)
    assert ch03.q1.grade(fib2(59)).correct


def test_ch03_q2_praise_does_not_claim_an_empty_memo():
    """s6c reader: a right fib_memo with memo = {0: 0, 1: 1} was praised "with an empty memo"."""
    assert ch03.q2.praise.startswith("fib_memo(n) computes each F(k) once")
    assert "empty memo" not in ch03.q2.praise


def test_ch03_q3_constants_measured_at_p1_are_told_to_be_formulas_in_p():
    """s6d reader: grad_visits returning (23, 18, 9, 6), the P = 1 counts, was told only that the
    grad() column is off at P = 2; it now says each column must be a formula in P."""
    from tinyml.exercises import ch03

    feedback = ch03.q3.grade(lambda P: (23, 18, 9, 6))
    assert not feedback.correct and "must be a formula in P" in feedback.message
    right = lambda P: (12 * P + 11, 3 * (4 * P + 2), 3 * (4 * P - 1), 6 * P)  # noqa: E731
    assert ch03.q3.grade(right).correct
    off = lambda P: (12 * P + 8, 3 * (4 * P + 2), 3 * (4 * P - 1), 6 * P)  # noqa: E731
    assert "formula in P" not in ch03.q3.grade(off).message  # a formula, just the wrong one


def test_ch02_q2_readers_s6d_slips_get_a_diagnosis_and_right_cubes_pass():
    import math

    from tinyml.numeric import central_difference

    class CubeConstValue(Node):  # reader 2's: value() wrapped in a Const
        op = "cube"

        def __init__(self, a):
            self.a = a if isinstance(a, Node) else Const(a)
            self.children = (self.a,)

        def value(self):
            return Const(self.a.value() ** 3)

        def grad(self, x):
            return 3 * self.a.value() ** 2 * self.a.grad(x)

    message = ch02.q2.grade(CubeConstValue).message
    assert "returned a Const node, Const(-3.375), not a number" in message
    assert "arithmetic on a node" not in message

    class CubeValueTimesGrad(CubeConstValue):  # reader 1's: a³·a'
        def value(self):
            return self.a.value() ** 3

        def grad(self, x):
            return self.a.value() ** 3 * self.a.grad(x)

    message = ch02.q2.grade(CubeValueTimesGrad).message
    assert "gave -31.25; expected 37.5: that is a³·a'" in message
    assert "d(a³)/da = 3a²" in message

    class CubeNumericForY(CubeValueTimesGrad):  # the rule for x, a wide central step else
        def grad(self, x):
            if x.name == "x":
                return 3 * self.a.value() ** 2 * self.a.grad(x)
            start = x.value()

            def f(t):
                x.set_value(t)
                return self.value()

            g = central_difference(f, start, 1e-2)
            x.set_value(start)
            return g

    message = ch02.q2.grade(CubeNumericForY).message
    assert "Cube(2x + y).grad(y) gave" in message
    assert "Did you approximate it numerically?" in message
    # reader 2's grad(y), 1.5e-5 off: named as an approximation, not bare numbers
    assert "approximate it numerically" in ch02._q2_not_exact(
        18.75027249689181, 18.75, ch02._Q2_RULE
    )

    class CubeMathPow(CubeValueTimesGrad):  # readers' right answers still pass
        def value(self):
            return math.pow(self.a.value(), 3)

        def grad(self, x):
            return 3 * math.pow(self.a.value(), 2) * self.a.grad(x)

    class CubeProducts(CubeValueTimesGrad):
        def value(self):
            return self.a.value() * self.a.value() * self.a.value()

        def grad(self, x):
            return 3 * self.a.value() * self.a.value() * self.a.grad(x)

    assert ch02.q2.grade(CubeMathPow).correct
    assert ch02.q2.grade(CubeProducts).correct


def test_ch03_s6e_a_count_off_by_exactly_a_half_is_refused():
    """s6e readers: q1 accepted fib2(59) + 0.5 and q4 accepted 1.5 at depth 0 ("rounds to the
    count; round() it"), though round() takes both one off. "Rounds to the count" now means
    round(x) == count; the earlier float answers still pass."""
    f = ch03._fib
    for answer in (f(59) + 0.5, f(59) - 0.5, f(59) * 1.0 + 0.5):
        feedback = ch03.q1.grade(answer)
        assert not feedback.correct and "half-way" in feedback.message, (answer, feedback)
    assert not ch03.q1.grade(round(f(59) + 0.5)).correct

    def predicted_visits(d):  # reader 2's exact code
        return (4 * d + 3) * 3**d // 3 + 0.5

    feedback = ch03.q4.grade(predicted_visits)
    assert not feedback.correct and "round() takes it to 2, not 1" in feedback.message
    for right in (  # the readers' earlier float answers
        lambda d: 3**d * (1 + 4 * d / 3),
        lambda d: (3 + 4 * d) * 3.0 ** (d - 1),
        lambda d: (4 * d + 3) * 3**d / 3,
        lambda d: (4 * d + 3) * 3**d // 3 + 0.4,
    ):
        assert ch03.q4.grade(right).correct
    for answer in (f(59) + 0.4, f(59) + 0.0018, float(f(59)), f(60) - f(58)):
        assert ch03.q1.grade(answer).correct, answer


def test_ch03_s6e_check_row_does_not_blame_a_total_that_sums_the_learners_columns(capsys):
    for row, wrong_column in (
        ((56, 48, 24, 128), "Square.grad"),
        ((56, 51, 48, 155), "Mul.grad"),
        ((48, 51, 24, 123), "grad() calls"),
    ):
        ch03.check_row(row)
        out = capsys.readouterr().out
        assert wrong_column in out and "the sum of your three" in out, out
        assert "the sum of the other three" not in out
    ch03.check_row((56, 51, 24, 130))  # the total alone is wrong: still said as before
    assert "the sum of the other three" in capsys.readouterr().out


def test_ch03_s6e_q2_hint_and_praise_match_the_checker():
    assert "recursing through fib1 or fib2" not in ch03.q2.hints()[2]
    assert "fib_memo to call itself" in ch03.q2.hints()[2]
    assert "in memo:" not in ch03.q2.praise


def test_ch03_s6e_q4_says_the_learners_counts_are_the_grad_calls_alone():
    def predicted_visits(d):  # reader 1's G(d) = 2 + 3G(d - 1), G(0) = 1
        return 1 if d == 0 else 2 + 3 * predicted_visits(d - 1)

    message = ch03.q4.grade(predicted_visits).message
    assert message.startswith("your counts are 2·3^d - 1, the grad() calls alone")


def test_ch02_s6f_q4_a_deep_copy_of_the_expression_is_refused():
    """s6f reader 1, exactly: f moves x but evaluates a deep copy, whose own x never moves
    (outside the checker the numeric derivative is 0.0); it was accepted as correct."""
    import copy

    from tinyml.numeric import central_difference

    def derivative_check(expr, x):
        e2 = copy.deepcopy(expr)  # "so I don't disturb the original"

        def f(v):
            x.set_value(v)
            return e2.value()

        old = x.value()
        num = central_difference(f, old)
        x.set_value(old)
        return expr.grad(x), num

    from tinyml.beta import Tanh

    x = Var(0.4, name="x")
    assert derivative_check(Tanh(x) * x, x)[1] == 0.0  # the bug, outside the checker
    feedback = ch02.q4.grade(derivative_check)
    assert not feedback.correct
    assert "your f does not change when x moves" in feedback.message
    assert "copy.deepcopy(expr) has its own x" in feedback.message


def test_ch02_s6f_q4_messages_name_rounding_and_a_too_small_step():
    from tinyml.numeric import central_difference

    def rounded(expr, x):  # both s6f readers: round(num, 6)
        start = x.value()

        def f(t):
            x.set_value(t)
            return expr.value()

        num = central_difference(f, start)
        x.set_value(start)
        return expr.grad(x), round(num, 6)

    feedback = ch02.q4.grade(rounded)
    assert not feedback.correct
    assert "did you round or change it?" in feedback.message
    assert "same h on both sides" not in feedback.message

    def tiny_step(expr, x):  # s6f reader 2: h = 1e-9
        x0 = x.value()

        def f(t):
            x.set_value(t)
            return expr.value()

        try:
            return expr.grad(x), central_difference(f, x0, h=1e-9)
        finally:
            x.set_value(x0)

    feedback = ch02.q4.grade(tiny_step)
    assert feedback.correct and feedback.status == "accepted"
    assert "own step h = 1e-09" in feedback.message and "too small" in feedback.message
    assert "too large" not in feedback.message
