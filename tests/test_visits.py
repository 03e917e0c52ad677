"""Chapter 3's counts: Fibonacci calls and Beta's node visits, against closed forms."""

from __future__ import annotations

import sys

import pytest

from tinyml import alpha, beta
from tinyml.recursion import count_calls, fib1, fib1_calls, fib2, fib_iter, trace_calls
from tinyml.visits import (
    as_function,
    count_nodes,
    count_visits,
    gradient_seconds,
    linear_loss,
    plot_costs,
    shared_chain,
    to_alpha,
)


def test_fibonacci_values():
    expected = [0, 1, 1, 2, 3, 5, 8, 13, 21, 34, 55]
    assert [fib1(n) for n in range(11)] == expected == [fib2(n) for n in range(11)]
    assert fib2(90) == 2880067194370816120


@pytest.mark.parametrize("bad", [2.5, "3", True, None])
def test_fibonacci_rejects_n_of_the_wrong_type(bad):
    for f in (fib1, fib2, fib1_calls, lambda n: fib_iter(0, 1, n)):
        with pytest.raises(TypeError, match="n = 0, 1, 2, .*give a whole number"):
            f(bad)


def test_fibonacci_rejects_negative_n():
    for f in (fib1, fib2, fib1_calls, lambda n: fib_iter(0, 1, n)):
        with pytest.raises(ValueError, match="n = 0, 1, 2, ..., got n=-1"):
            f(-1)


def test_fib2_says_when_it_recurses_deeper_than_python_allows():
    limit = sys.getrecursionlimit()
    assert fib2(limit // 2) == fib2(limit // 2 - 1) + fib2(limit // 2 - 2)
    with pytest.raises(ValueError, match=f"recurses {5 * limit} levels deep.*about {limit}"):
        fib2(5 * limit)


def test_fib2_near_the_recursion_limit_answers_or_says_why_never_recursion_error():
    limit = sys.getrecursionlimit()
    answered = []
    for n in range(limit - 120, limit + 5):
        try:
            answered.append(fib2(n) == fib2(n - 1) + fib2(n - 2))
        except ValueError as exc:
            assert "too deep for Python" in str(exc)
    assert answered and all(answered)


def test_the_lesson_view_folds_each_check_of_n_into_one_line():
    import tinyml
    from tinyml import recursion

    code = tinyml.show(fib1, fib2, fib_iter, view="lesson").code
    assert "_check" not in code and code.count("1 line not shown: a check of n") == 3
    assert "return fib_iter(0, 1, n)" in code and "return fib1(n - 1) + fib1(n - 2)" in code
    assert set(recursion.SHOW_VIEWS) == {"lesson"}


def test_fib1_calls_closed_form():
    for n in range(16):
        assert count_calls(fib1, n) == fib1_calls(n) == 2 * fib2(n + 1) - 1
    assert [count_calls(fib_iter, 0, 1, n) for n in range(10)] == list(range(1, 11))


def test_trace_calls_restores_the_function_and_records_results():
    tree = trace_calls(fib1, 3)
    assert tree.label == "fib1(3)" and tree.result == 2 and tree.size == 5
    assert [c.label for c in tree.children] == ["fib1(2)", "fib1(1)"]
    assert fib1.__globals__["fib1"] is fib1
    with pytest.raises(TypeError, match="plain Python function"):
        trace_calls(len, [1])


def test_trace_and_count_refuse_too_many_calls_quickly_and_restore_the_function(monkeypatch):
    import time

    from tinyml import recursion

    start = time.perf_counter()
    for run in (trace_calls, count_calls):  # fib1(60): 5 million million calls, refused up front
        with pytest.raises(
            ValueError,
            match=r"fib1\(60\) makes more than 1,000,000 calls.*"
            r"fib1_calls\(n\).*C\(n\) = 1 \+ C\(n-1\) \+ C\(n-2\)",
        ):
            run(fib1, 60)
    assert time.perf_counter() - start < 1
    assert fib1_calls(27) < recursion.MAX_CALLS < fib1_calls(28)  # fib1(27) is the largest traced
    with pytest.raises(ValueError, match="more than"):
        count_calls(fib1, 28)
    monkeypatch.setattr(recursion, "MAX_CALLS", 100)  # any function: stopped while it runs
    assert count_calls(fib_iter, 0, 1, 99) == 100
    with pytest.raises(ValueError, match=r"fib_iter\(0, 1, 100\) makes more than 100 calls"):
        trace_calls(fib_iter, 0, 1, 100)
    assert fib_iter.__globals__["fib_iter"] is fib_iter and fib1.__globals__["fib1"] is fib1


def test_count_visits_counts_value_and_grad_calls():
    x, y = beta.Var(1.0, name="x"), beta.Var(2.0, name="y")
    z = (x + 2) + y
    with count_visits() as visits:
        z.value()
    assert (visits.value, visits.grad, visits.total) == (5, 0, 5)
    assert visits.of(x) == 1 and visits.of(z) == 1
    with count_visits() as visits:
        (x * y).grad(x)  # Mul.grad asks both children for their value and their grad
    assert (visits.value, visits.grad) == (2, 3)


def test_asked_by_splits_the_value_calls_by_the_rule_that_asked():
    x, y = beta.Var(1.0, name="x"), beta.Var(2.0, name="y")
    z = beta.Square(x * y + 1)
    with count_visits() as visits:
        z.value()  # no grad() running: nobody asked
    assert visits.asked_by == {}
    with count_visits() as outer:
        with count_visits() as visits:
            z.grad(x)  # Square.grad walks x*y + 1 (5 nodes); Mul.grad asks x and y once each
        assert visits.asked_by == {"Square": 5, "Mul": 2} == outer.asked_by
    for P in (1, 2, 7):  # chapter 3's table: Square.grad 3(4P + 1), Mul.grad 6P
        loss, ws = linear_loss(P)
        with count_visits() as visits:
            loss.grad(ws[-1])
        assert visits.asked_by == {"Square": 3 * (4 * P + 1), "Mul": 6 * P}
        loss, ws = linear_loss(P, activation=beta.Sigmoid)  # Exercise 3's neuron
        with count_visits() as visits:
            loss.grad(ws[0])
        want = {"Square": 3 * (4 * P + 2), "Sigmoid": 3 * (4 * P - 1), "Mul": 6 * P}
        assert visits.asked_by == want and visits.value == sum(want.values())
    with pytest.raises(ValueError, match="division by zero"), count_visits():
        (x / (y - 2)).grad(x)  # a grad that fails leaves nobody asking
    with count_visits() as visits:
        (x + y).value()
    assert visits.asked_by == {}


def test_count_visits_leaves_the_classes_as_they_were():
    before = beta.Add.value
    with count_visits() as outer:
        with count_visits() as inner:
            beta.Add(1, 2).value()
        beta.Const(1).value()
    assert beta.Add.value is before
    assert inner.total == 3 and outer.total == 4
    with count_visits() as visits:
        pass
    beta.Add(1, 2).value()
    assert visits.total == 0


def test_shared_chain_counts():
    """a = a*a + a: 2·depth + 1 distinct nodes, but 2·3^d - 1 visits for one value()."""
    for d in range(8):
        expr, x = shared_chain(d)
        unfolded = 2 * 3**d - 1
        assert count_nodes(expr) == 2 * d + 1
        assert count_nodes(expr, distinct=False) == unfolded
        with count_visits() as visits:
            expr.value()
        assert visits.total == unfolded
        with count_visits() as visits:
            expr.grad(x)
        assert visits.grad == unfolded
        # W(d) = 3·W(d-1) + 2·U(d-1): Mul.grad asks a for its value twice
        w = 0
        for k in range(d):
            w = 3 * w + 2 * (2 * 3**k - 1)
        assert visits.value == w


def test_linear_loss_counts_grow_like_p_squared():
    for p in (1, 2, 5, 10, 20):
        loss, weights = linear_loss(p)
        assert len(weights) == p and beta.variables(loss) == weights
        assert count_nodes(loss, distinct=False) == 12 * p + 8
        with count_visits() as visits:
            loss.value()
        assert visits.total == 12 * p + 8
        with count_visits() as visits:
            beta.gradient(loss, weights)
        assert visits.grad == p * (12 * p + 8) and visits.value == p * (18 * p + 3)
        assert visits.total == p * (30 * p + 11)


def test_linear_loss_counts_distinct_nodes_and_with_an_activation():
    for p in (1, 3, 10):
        loss, weights = linear_loss(p)
        assert count_nodes(loss) == 10 * p + 8  # the P weights are shared by the 3 points
        neuron, ws = linear_loss(p, activation=beta.Sigmoid)
        assert [w.value() for w in ws] == [w.value() for w in weights]  # same random draws
        assert str(neuron).count("sigmoid") == 3
        # Each point's term is Square(Sub(Sigmoid(pred), y)), with pred = w1*c1 + … + wp*cp:
        # p Muls, 2p leaves (w and c) and p - 1 Adds, 4p - 1 nodes; with Sigmoid, Sub and the
        # Const y the Sub is 4p + 2 nodes, the term 4p + 3. Three terms and the 2 Adds joining
        # them: one value() visits the unfolded tree once, 3(4p + 3) + 2 = 12p + 11.
        # One grad(w) visits every node of that tree with grad() (12p + 11) and, on the way,
        # calls value(): Square on the Sub (4p + 2), Sigmoid on pred (4p - 1), and each Mul
        # on its Var and its Const (2 per Mul, 2p): 10p + 1 a term, 30p + 3 in all. So one
        # grad(w) is 42p + 14 visits, and the full gradient, one grad per weight, p(42p + 14).
        with count_visits() as one:
            neuron.value()
        with count_visits() as full:
            beta.gradient(neuron, ws)
        assert one.total == 12 * p + 11 and full.total == p * (42 * p + 14)
        assert full.grad == p * (12 * p + 11) and full.value == p * (30 * p + 3)


def test_workloads_reject_bad_sizes():
    with pytest.raises(ValueError, match="n_params must be 1 or more, got n_params=0"):
        linear_loss(0)
    with pytest.raises(ValueError, match="n_points must be 1 or more, got n_points=0"):
        linear_loss(2, n_points=0)
    with pytest.raises(ValueError, match="depth must be 0 or more, got depth=-1"):
        shared_chain(-1)


@pytest.mark.parametrize("bad", ["3", 2.5, True, None])
def test_workloads_reject_sizes_of_the_wrong_type(bad):
    with pytest.raises(TypeError, match="n_params must be a whole number"):
        linear_loss(bad)
    with pytest.raises(TypeError, match="n_points must be a whole number"):
        linear_loss(2, n_points=bad)
    with pytest.raises(TypeError, match="depth must be a whole number"):
        shared_chain(bad)


def test_linear_loss_wants_a_callable_activation():
    with pytest.raises(TypeError, match="activation must be a function"):
        linear_loss(2, activation="sigmoid")


def test_count_nodes_unfolded_has_no_recursion_limit():
    depth = 5 * sys.getrecursionlimit()
    x = beta.Var(1.0, name="x")
    expr = x
    for _ in range(depth):
        expr = expr + 1  # a chain: each Add over the previous one and a new Const
    assert count_nodes(expr, distinct=False) == count_nodes(expr) == 2 * depth + 1
    chain, _ = shared_chain(depth)
    assert count_nodes(chain, distinct=False) == 2 * 3**depth - 1


def test_numpy_whole_numbers_are_whole_numbers():
    np = pytest.importorskip("numpy")
    assert fib1(np.int64(10)) == 55 and type(fib1(np.int64(10))) is int
    assert fib2(np.int32(100)) == 354224848179261915075  # a Python int: no int64 overflow
    assert fib1_calls(np.uint8(4)) == 9
    with pytest.raises(TypeError, match="whole number"):
        fib1(np.float64(3.0))


def _every_kind(x: beta.Var, y: beta.Var) -> beta.Node:
    """One Beta expression with every node type, x shared."""
    a = beta.Tanh(x * y - x / (y + 3.0))
    b = beta.Sigmoid(beta.Square(a) + beta.Abs(-x)) + beta.ReLU(y) + beta.Exp(a)
    return beta.Log(b + 1.0) + beta.Pow(x + 2.0, 3) * a


@pytest.mark.parametrize("activation", [None, beta.Sigmoid])
def test_to_alpha_gives_the_same_value_and_gradients_as_the_beta_tree(activation):
    loss_b, ws_b = linear_loss(7, activation=activation)
    loss_a, ws_a = to_alpha(loss_b, ws_b)
    assert loss_a.value() == loss_b.value()
    alpha.backward_simple(loss_a)
    for w_a, g in zip(ws_a, beta.gradient(loss_b, ws_b), strict=True):
        assert w_a.g == pytest.approx(g, rel=1e-12, abs=1e-14)
    assert [w.name for w in ws_a] == [w.name for w in ws_b]


def test_to_alpha_covers_every_node_type_and_keeps_shared_nodes_shared():
    x, y = beta.Var(0.3, name="x"), beta.Var(0.8, name="y")
    expr = _every_kind(x, y)
    expr_a, (x_a, y_a) = to_alpha(expr, [x, y])
    assert expr_a.value() == pytest.approx(expr.value(), rel=1e-15)
    alpha.backward_simple(expr_a)
    assert [x_a.g, y_a.g] == pytest.approx(beta.gradient(expr, [x, y]), rel=1e-12)
    shared = x * x
    twice, _ = to_alpha(shared + shared)
    assert twice.children[0] is twice.children[1]
    assert len(alpha.topological_order(twice)) == 3


def test_to_alpha_walks_deep_expressions_and_refuses_what_it_cannot_convert():
    deep: beta.Node = beta.Var(1.0, name="x")
    for _ in range(5 * sys.getrecursionlimit()):
        deep = deep + 1.0
    deep_a, _ = to_alpha(deep)  # Beta itself cannot evaluate it: too deep for its recursion
    assert deep_a.value() == 1.0 + 5 * sys.getrecursionlimit()
    with pytest.raises(TypeError, match="Beta expression"):
        to_alpha(alpha.Var(1.0))
    with pytest.raises(ValueError, match="not part of the expression"):
        to_alpha(beta.Var(1.0) + 1.0, [beta.Var(2.0)])


def test_as_function_sets_the_weights_and_its_central_differences_match_beta():
    from tinyml.numeric import numeric_gradient

    loss, ws = linear_loss(4)
    start = [w.value() for w in ws]
    f = as_function(loss, ws)
    assert f(*start) == loss.value()
    moved = [v + 0.25 for v in start]
    assert f(*moved) == loss.value() and [w.value() for w in ws] == moved
    f(*start)
    numeric = numeric_gradient(f, start)
    assert all(abs(a - b) < 1e-4 for a, b in zip(numeric, beta.gradient(loss, ws), strict=True))
    with pytest.raises(ValueError, match="expected 4 values"):
        f(1.0)
    with pytest.raises(TypeError, match="Beta Vars"):
        as_function(loss, [1.0])


def test_gradient_seconds_times_the_three_methods_and_refuses_bad_sizes():
    seconds = gradient_seconds(3, repeat=1)
    assert len(seconds) == 3 and all(isinstance(t, float) and t > 0 for t in seconds)
    for bad in (0, 2.0, True):
        with pytest.raises((TypeError, ValueError), match="n_params"):
            gradient_seconds(bad)
    with pytest.raises(ValueError, match="repeat must be 1 or more"):
        gradient_seconds(3, repeat=0)


def test_plot_costs_draws_one_log_log_line_per_method_with_the_data():
    from matplotlib.figure import Figure

    Ps, rows = [1, 2, 5], [(40, 41, 29), (128, 142, 45), (680, 805, 93)]
    ax = plot_costs(Ps, rows, "node visits", ax=Figure().subplots())
    assert ax.get_xscale() == ax.get_yscale() == "log"
    assert ax.get_ylabel() == "node visits" and "node visits" in ax.get_title()
    lines = ax.get_lines()
    assert [line.get_label() for line in lines][0] == "central differences"
    assert [list(line.get_ydata()) for line in lines] == [
        [40, 128, 680],
        [41, 142, 805],
        [29, 45, 93],
    ]
    assert all(list(line.get_xdata()) == Ps for line in lines)


@pytest.mark.parametrize(
    ("Ps", "rows", "unit", "error", "words"),
    [
        ([1, 2], [(1, 2, 3)], "seconds", ValueError, "one row of costs per P"),
        ([1], [(1, 2)], "seconds", ValueError, "3 positive costs"),
        ([1], [(1, 0, 3)], "seconds", ValueError, "cannot show 0"),
        ([1], [(1, "2", 3)], "seconds", ValueError, "3 positive costs"),
        ([0], [(1, 2, 3)], "seconds", ValueError, "each P"),
        ([1], [(1, 2, 3)], None, TypeError, "unit must be a string"),
    ],
)
def test_plot_costs_refuses_bad_input_by_name(Ps, rows, unit, error, words):
    from matplotlib.figure import Figure

    with pytest.raises(error, match=words):
        plot_costs(Ps, rows, unit, ax=Figure().subplots())
