"""tinyml.alpha: Alpha = Beta = central differences, push = backward, depth, sharing, errors."""

from __future__ import annotations

import gc
import math
import random
import sys
import weakref

import pytest
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from tinyml import alpha, beta
from tinyml.alpha import (
    Add,
    Const,
    Div,
    Exp,
    Log,
    Mul,
    Neg,
    Pow,
    ReLU,
    Sigmoid,
    Square,
    Sub,
    Tanh,
    Var,
    stats,
    topological_order,
    variables,
)
from tinyml.numeric import grad_check, numeric_gradient


def sigmoid(t: float) -> float:
    return 1 / (1 + math.exp(-t)) if t > -700 else 0.0  # exp(800) would overflow


# -- closed forms ----------------------------------------------------------------------------
# node builder, f(t), f'(t), points where both are defined and smooth
CLOSED_FORMS = {
    "add": (lambda x: Add(x, Const(3)), lambda t: t + 3, lambda t: 1.0, [-2.0, 0.5]),
    "radd": (lambda x: 3 + x, lambda t: t + 3, lambda t: 1.0, [-2.0, 0.5]),
    "sub": (lambda x: Sub(Const(3), x), lambda t: 3 - t, lambda t: -1.0, [-2.0, 0.5]),
    "rsub": (lambda x: 3 - x, lambda t: 3 - t, lambda t: -1.0, [-2.0, 0.5]),
    "mul": (lambda x: Mul(x, x), lambda t: t * t, lambda t: 2 * t, [-2.0, 0.5]),
    "rmul": (lambda x: 3 * x, lambda t: 3 * t, lambda t: 3.0, [-2.0, 0.5]),
    "div": (lambda x: Div(Const(1), x), lambda t: 1 / t, lambda t: -1 / t**2, [-2.0, 0.5]),
    "div_by_const": (lambda x: x / 4, lambda t: t / 4, lambda t: 0.25, [-2.0, 0.5]),
    "neg": (lambda x: -x, lambda t: -t, lambda t: -1.0, [-2.0, 0.5]),
    "square": (lambda x: Square(x), lambda t: t * t, lambda t: 2 * t, [-2.0, 0.5]),
    "abs": (lambda x: abs(x), abs, lambda t: math.copysign(1, t), [-2.0, 0.5]),
    "pow3": (lambda x: x**3, lambda t: t**3, lambda t: 3 * t**2, [-2.0, 0.5]),
    "pow_minus2": (lambda x: x**-2, lambda t: t**-2, lambda t: -2 * t**-3, [-2.0, 0.5]),
    "pow_half": (lambda x: Pow(x, 0.5), math.sqrt, lambda t: 0.5 / math.sqrt(t), [0.25, 4.0]),
    "pow0": (lambda x: x**0, lambda t: 1.0, lambda t: 0.0, [-2.0, 0.0, 0.5]),
    "exp": (lambda x: Exp(x), math.exp, math.exp, [-2.0, 0.5]),
    "log": (lambda x: Log(x), math.log, lambda t: 1 / t, [0.25, 4.0]),
    "tanh": (lambda x: Tanh(x), math.tanh, lambda t: 1 - math.tanh(t) ** 2, [-2.0, 0.5]),
    "sigmoid": (
        lambda x: Sigmoid(x),
        sigmoid,
        lambda t: sigmoid(t) * (1 - sigmoid(t)),
        [-2.0, 0.5, -800.0],
    ),
    "relu": (lambda x: ReLU(x), lambda t: max(0.0, t), lambda t: float(t > 0), [-2.0, 0.5]),
}


@pytest.mark.parametrize("name", sorted(CLOSED_FORMS))
def test_closed_forms(name):
    build, f, df, points = CLOSED_FORMS[name]
    for t in points:
        x = Var(t, name="x")
        z = build(x)
        assert z.value() == pytest.approx(f(t), rel=1e-12)
        z.backward()
        assert x.g == pytest.approx(df(t), rel=1e-12), f"{name} at {t}"
        assert z.g == 1.0
        x.zero_grad()
        z.grad(1.0)  # the push API gives the same number
        assert x.get_g() == pytest.approx(df(t), rel=1e-12)


def test_two_operand_rules_reach_both_children():
    a, b = Var(3.0, "a"), Var(-2.0, "b")
    for z, da, db in [
        (a + b, 1, 1),
        (a - b, 1, -1),
        (a * b, -2, 3),
        (a / b, -0.5, -3 / 4),
    ]:
        z.backward()
        assert (a.get_g(), b.get_g()) == pytest.approx((da, db))


def test_kinks_take_pytorch_subgradient_zero():
    x = Var(0.0)
    for z in (abs(x), x.relu()):
        z.backward()
        assert x.get_g() == 0.0


def test_fractional_power_at_zero_is_a_value_error_not_an_infinite_gradient():
    # Beta raises the same error from grad(); an inf gradient would poison every step after it.
    x = Var(0.0, "x")
    with pytest.raises(ValueError, match=r"derivative of \(\*\* x 0\.5\) is infinite where x = 0"):
        x**0.5
    bx = beta.Var(0.0, name="x")
    with pytest.raises(ValueError, match=r"derivative of \(\*\* x 0\.5\) is infinite where x = 0"):
        beta.Pow(bx, 0.5).grad(bx)
    z = x**1.5  # a power above 1 has slope 0 at 0
    z.backward()
    assert (z.value(), x.g) == (0.0, 0.0)


def test_tiny_denominator_is_not_a_zero_division():
    x, y = Var(1e-300, "x"), Var(1e-200, "y")
    z = x / y  # y * y underflows to 0, but y itself is not 0
    assert z.value() == pytest.approx(1e-100)
    assert z.local_grads == pytest.approx((1e200, -1e100))
    with pytest.raises(ValueError, match="overflows"):  # 1 / 1e-320 is too large: not 1 / 0
        Var(1.0) / Var(1e-320)


def test_local_grads_are_cached_with_the_value():
    a, b = Var(3.0), Var(4.0)
    z = a * b
    assert z.children == (a, b)
    assert z.local_grads == (4.0, 3.0)  # d(ab)/da = b, d(ab)/db = a
    assert Neg(a).local_grads == (-1.0,)
    assert a.children == () and a.local_grads == ()


# -- random expressions: Alpha = Beta = central differences --------------------------------
# A recipe is a small tree of tuples; the same recipe is built in Alpha and in Beta. Operations
# that are not defined everywhere are wrapped so every recipe is defined at every point.
UNARY = ["neg", "square", "abs", "tanh", "sigmoid", "relu", "exp", "log", "pow", "pow0"]
BINARY = ["+", "-", "*", "/"]


def recipes(n_vars: int) -> st.SearchStrategy:
    leaves = st.one_of(
        st.tuples(st.just("var"), st.integers(0, n_vars - 1)),
        st.tuples(st.just("const"), st.floats(-2, 2, allow_nan=False).map(lambda c: round(c, 2))),
    )

    def extend(children: st.SearchStrategy) -> st.SearchStrategy:
        return st.one_of(
            st.tuples(st.sampled_from(UNARY), children),
            st.tuples(st.sampled_from(BINARY), children, children),
        )

    return st.recursive(leaves, extend, max_leaves=10)


def build(recipe: tuple, xs: list, m) -> object:
    """The recipe's expression over the variables xs, from the node classes of module m."""
    kind = recipe[0]
    if kind == "var":
        return xs[recipe[1]]
    if kind == "const":
        return m.Const(recipe[1])
    a = build(recipe[1], xs, m)
    if kind == "neg":
        return m.Neg(a)
    if kind in ("square", "abs", "tanh", "sigmoid", "relu"):
        cls = {"square": m.Square, "abs": m.Abs, "tanh": m.Tanh}
        cls |= {"sigmoid": m.Sigmoid, "relu": m.ReLU}
        return cls[kind](a)
    if kind == "exp":
        return m.Exp(m.Tanh(a))  # bounded argument: no overflow
    if kind == "log":
        return m.Log(m.Add(m.Square(a), m.Const(1)))  # positive argument
    if kind == "pow":
        return m.Pow(m.Add(m.Square(a), m.Const(0.5)), 1.5)  # positive base
    if kind == "pow0":
        return m.Pow(a, 0)  # constant 1: its derivative is 0 everywhere
    b = build(recipe[2], xs, m)
    if kind == "/":
        return m.Div(a, m.Add(m.Square(b), m.Const(1)))  # denominator >= 1
    cls = {"+": m.Add, "-": m.Sub, "*": m.Mul}[kind]
    return cls(a, b)


def near_a_kink(expr: alpha.Node) -> bool:
    """Whether some |.| or relu sits so close to its kink that a finite difference crosses it."""
    return any(
        node.op in ("abs", "relu") and abs(node.children[0].value()) < 1e-3
        for node in topological_order(expr)
    )


points = st.lists(st.floats(-2, 2, allow_nan=False), min_size=3, max_size=3)


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(recipe=recipes(3), at=points)
def test_alpha_equals_beta_equals_central_differences(recipe, at):
    xs = [Var(v, name=f"x{i}") for i, v in enumerate(at)]
    z = build(recipe, xs, alpha)
    assume(abs(z.value()) < 1e6 and not near_a_kink(z))
    bxs = [beta.Var(v, name=f"x{i}") for i, v in enumerate(at)]
    bz = build(recipe, bxs, beta)
    assert z.value() == pytest.approx(bz.value(), rel=1e-12, abs=1e-12)

    z.backward()
    grads = [x.g for x in xs]
    assert grads == pytest.approx([bz.grad(bx) for bx in bxs], rel=1e-9, abs=1e-12)

    def f(*values: float) -> float:
        return build(recipe, [Const(v) for v in values], alpha).value()

    check = grad_check(f, at, grads, rtol=1e-4, atol=1e-6)
    assert check, check


@settings(max_examples=100, deadline=None)
@given(recipe=recipes(2), at=points)
def test_push_api_equals_backward(recipe, at):
    xs = [Var(v) for v in at[:2]]
    z = build(recipe, xs, alpha)
    z.backward()
    by_backward = [x.get_g() for x in xs]
    z.grad(1.0)
    # the same sums, added in another order: equal up to rounding
    assert [x.get_g() for x in xs] == pytest.approx(by_backward, rel=1e-9, abs=1e-9)


@settings(max_examples=50, deadline=None)
@given(recipe=recipes(2), before=points, after=points)
def test_forward_after_set_value_matches_a_fresh_graph(recipe, before, after):
    xs = [Var(v) for v in before[:2]]
    z = build(recipe, xs, alpha)
    for x, v in zip(xs, after, strict=False):
        x.set_value(v)
    fresh = build(recipe, [Var(v) for v in after[:2]], alpha)
    assert z.forward() == fresh.value() == z.value()
    z.backward()
    fresh.backward()
    assert [n.g for n in topological_order(z)] == [n.g for n in topological_order(fresh)]


# -- accumulation semantics --------------------------------------------------------------------
def test_branches_add_sum_over_paths():
    x = Var(3.0, "x")
    z = x * x + x  # three paths from z to x
    z.backward()
    assert x.g == 2 * 3.0 + 1


def test_backward_twice_accumulates_on_leaves_only():
    x, y = Var(2.0, "x"), Var(5.0, "y")
    h = x * y
    z = h + x
    z.backward()
    assert (x.g, y.g, h.g, z.g) == (6.0, 2.0, 1.0, 1.0)
    z.backward()  # like PyTorch: leaves accumulate, so call zero_grad() between steps
    assert (x.g, y.g) == (12.0, 4.0)
    assert (h.g, z.g) == (1.0, 1.0)  # inner nodes are recomputed, not accumulated
    x.zero_grad()
    y.zero_grad()
    z.backward()
    assert (x.g, y.g) == (6.0, 2.0)


def test_get_g_reads_and_clears():
    x = Var(2.0)
    z = x * x
    z.backward()
    assert x.get_g() == 4.0
    assert x.g == 0.0
    assert x.get_g() == 0.0
    z.grad(1.0)
    z.grad(1.0)  # the seed: no zero_grad needed when you read with get_g
    assert x.get_g() == 8.0


def test_upstream_scales_the_gradient():
    x = Var(2.0)
    z = x * x
    z.backward(3.0)
    assert x.get_g() == 12.0
    z.grad(0.5)
    assert x.get_g() == 2.0


def test_backward_on_a_leaf():
    x = Var(2.0)
    x.backward()
    assert x.g == 1.0


def test_forward_recomputes_cached_values():
    x = Var(1.0, "x")
    z = (x + 2) * x
    assert z.value() == 3.0
    x.set_value(2.0)
    assert z.value() == 3.0  # cached until asked to recompute
    assert z.forward() == 8.0
    z.backward()
    assert x.g == 2 * 2.0 + 2


def test_variables_in_order_first_met():
    x, y, w = Var(1.0, "x"), Var(2.0, "y"), Var(3.0, "w")
    assert variables(x * y + w * x) == [x, y, w]
    assert variables(Const(1.0) + 2) == []
    assert variables((y + x) + y) == [y, x]  # left to right: y comes first
    bx, by = beta.Var(1.0, name="x"), beta.Var(2.0, name="y")
    assert beta.variables((by + bx) + by) == [by, bx]  # the same order as Beta


# -- depth and sharing -----------------------------------------------------------------------
def test_million_node_chain_without_recursion():
    x = Var(0.5, "x")
    y = x
    for _ in range(1_000_000):
        y = -y
    stats.reset()
    y.backward()
    assert x.g == 1.0  # an even number of negations
    assert stats.visits == 1_000_000
    ref = weakref.ref(y)
    del y
    assert ref() is None


def test_forward_and_order_on_a_deep_chain():
    x = Var(0.5, "x")
    y = x
    for _ in range(100_000):
        y = y + x
    assert len(topological_order(y)) == 100_001
    x.set_value(1.0)
    assert y.forward() == 100_001.0
    y.backward()
    assert x.g == 100_001.0


def test_push_model_recursion_fails_on_a_deep_chain():
    x = Var(0.5)
    y = x
    for _ in range(sys.getrecursionlimit() + 100):  # deeper than Python lets a call nest
        y = y + 1.0
    with pytest.raises(RecursionError):
        y.grad(1.0)
    x.zero_grad()
    y.backward()  # the fix
    assert x.g == 1.0
    assert str(y).startswith("(+ (+ (+")  # printing is iterative too


def shared(levels: int) -> tuple[Var, alpha.Node, list[float]]:
    """a = x, then levels times a = a * a + a; also returns da/dx by the recurrence."""
    x = Var(1e-3, "x")
    a, da = x, 1.0
    for _ in range(levels):
        da = (2 * a.value() + 1) * da  # d(a^2 + a) = (2a + 1) da
        a = a * a + a
    return x, a, da


def test_shared_dag_200_levels_once_per_node():
    x, a, expected = shared(200)
    stats.reset()
    a.backward()
    assert x.g == pytest.approx(expected, rel=1e-12)
    assert stats.visits == 400  # two operation nodes a level, each processed once
    x.zero_grad()
    stats.reset()
    shared(100)[1].backward()
    assert stats.visits == 200  # linear in the number of nodes


def test_push_model_is_exponential_on_shared_nodes():
    for depth in range(1, 12):
        x = Var(1.0)
        a = x
        for _ in range(depth):
            a = a + a  # each level doubles the number of paths
        stats.reset()
        a.grad(1.0)
        assert stats.pushes == 2 ** (depth + 1) - 1
        assert x.get_g() == 2.0**depth
        stats.reset()
        a.backward()
        assert stats.visits == depth
        assert x.get_g() == 2.0**depth


# -- memory: no reference cycles ---------------------------------------------------------------
def test_dropped_graph_is_freed_by_reference_counting():
    was_enabled = gc.isenabled()
    gc.disable()  # only reference counting can free anything now
    try:
        x = Var(0.3, "x")
        z = x
        for _ in range(50):
            z = (z * x + 1.0).tanh()
        inner = z.children[0]
        z.backward()
        refs = [weakref.ref(z), weakref.ref(inner)]
        del z, inner
        assert all(r() is None for r in refs)
        assert x.g != 0.0  # the leaf we kept is still there, with its gradient
    finally:
        if was_enabled:
            gc.enable()


# -- printing and drawing ----------------------------------------------------------------------
def test_printed_forms():
    x, y = Var(1.0, "x"), Var(2.0, "y")
    z = (x + 2) * y
    assert str(z) == "(* (+ x 2) y)"
    assert str(x**3) == "(** x 3)"
    assert str(Var(1.5)) == "var(1.5)"
    assert repr(x) == "Var(x=1, g=0)"
    assert repr(Const(2.5)) == "Const(2.5)"
    z.backward()
    assert repr(z) == "<Mul * value=6 g=1>"


def test_protocol_for_drawings():
    from tinyml.viz import draw

    x = Var(2.0, "x")
    z = (x * x + 1).tanh()
    z.backward()
    for node in topological_order(z):
        assert isinstance(node.g, float) and isinstance(node.value(), float)
    assert (x**2).exponent == 2.0
    source = draw(z, values=True, grads=True).source
    assert "grad" in source and "value" in source


# -- bad input ---------------------------------------------------------------------------------
@pytest.mark.parametrize(
    "make, message",
    [
        (lambda: Var("1"), "must be a real number"),
        (lambda: Var(True), "must be a real number"),
        (lambda: Var(1.0, name=3), "name must be a string"),
        (lambda: Const(None), "must be a real number"),
        (lambda: Var(1.0) + "2", "cannot use '2'"),
        (lambda: [1.0] * Var(1.0), "cannot use [1.0]"),
        (lambda: Var(1.0) + beta.Var(1.0), "do not mix"),
        (lambda: Var(2.0) ** Var(2.0), "constant exponent"),
        (lambda: 2 ** Var(2.0), "non-constant exponent"),
        (lambda: Var(1.0).backward("1"), "upstream gradient"),
        (lambda: Var(1.0).grad(None), "upstream gradient"),
        (lambda: alpha.backward(3.0), "backward() needs an Alpha expression node"),
        (lambda: alpha.backward(beta.Var(1.0)), "backward() needs an Alpha expression node"),
        (lambda: topological_order("x"), "expected an Alpha expression node"),
    ],
)
def test_type_errors(make, message):
    with pytest.raises(TypeError) as info:
        make()
    assert message in str(info.value)


@pytest.mark.parametrize(
    "make, message",
    [
        (lambda: Var(math.nan), "must be finite"),
        (lambda: Var(1.0).set_value(math.inf), "must be finite"),
        (lambda: Log(Var(0.0, "x")), "log needs a positive argument, but x = 0"),
        (lambda: Var(-1.0, "x").log(), "log needs a positive argument, but x = -1"),
        (lambda: Var(1.0) / Var(0.0, "y"), "division by zero: the denominator y is 0"),
        (lambda: Var(-8.0, "x") ** 0.5, "fractional power"),
        (lambda: Var(0.0, "x") ** -1, "0 ** -1 is undefined"),
        (lambda: Exp(Var(1000.0, "x")), "overflows"),
        (lambda: Var(1.0).backward(math.nan), "must be finite"),
        (lambda: (Var(1.0) * Var(1.0)).grad(math.nan), "must be finite"),
        (lambda: Var(1.0).grad(-math.inf), "must be finite"),
        (lambda: Var(0.0, "x") ** 0.25, "derivative of (** x 0.25) is infinite"),
    ],
)
def test_value_errors(make, message):
    with pytest.raises(ValueError) as info:
        make()
    assert message in str(info.value)


OVERFLOWS = [
    ("add", lambda m: m.Add(m.Var(1e308, name="x"), m.Var(1e308)), "(+ x "),
    ("sub", lambda m: m.Sub(m.Var(-1e308, name="x"), m.Var(1e308)), "(- x "),
    ("mul", lambda m: m.Mul(m.Var(1e200, name="x"), m.Var(1e200)), "(* x "),
    ("div", lambda m: m.Div(m.Var(1e200, name="x"), m.Var(1e-200)), "(/ x "),
    ("square", lambda m: m.Square(m.Var(1e200, name="x")), "(square x)"),
    ("pow", lambda m: m.Pow(m.Var(1e200, name="x"), 2), "(** x 2)"),
    ("exp", lambda m: m.Exp(m.Var(1000.0, name="x")), "(exp x)"),
]


@pytest.mark.parametrize("name", [name for name, _, _ in OVERFLOWS])
def test_overflow_is_a_value_error_naming_the_expression(name):
    # Both engines: a ValueError that names the node, never an inf value or an OverflowError.
    _, make, expr = next(row for row in OVERFLOWS if row[0] == name)
    with pytest.raises(ValueError) as info:
        make(alpha)  # Alpha computes the value as it builds the node
    assert expr in str(info.value) and "overflows: its value is too large" in str(info.value)
    node = make(beta)
    with pytest.raises(ValueError) as info:
        node.value()  # Beta computes it when asked
    assert expr in str(info.value) and "overflows: its value is too large" in str(info.value)


def test_overflowing_derivatives_are_value_errors():
    # finite values whose local derivatives are too large for a float
    for make in [
        lambda m: m.Pow(m.Var(1e-103, name="x"), -2),  # value 1e206, slope -2e309
        lambda m: m.Div(m.Var(1e-300, name="x"), m.Var(1e-320, name="y")),  # 1 / y is too large
        lambda m: m.Log(m.Var(1e-320, name="x")),  # 1 / x is too large
    ]:
        with pytest.raises(ValueError, match="overflows: its derivative is too large"):
            make(alpha)
        node = make(beta)
        x = node.children[-1] if node.op == "/" else node.children[0]
        with pytest.raises(ValueError, match="overflows: its derivative is too large"):
            node.grad(x)


def test_forward_reports_a_value_that_became_invalid():
    x = Var(1.0, "x")
    z = Log(x)
    x.set_value(-1.0)
    with pytest.raises(ValueError, match="positive"):
        z.forward()


def test_node_shared_with_another_expression_gets_only_this_ones_gradient():
    # h is used three times, but only once below z: backward() must not wait for the others.
    x = Var(2.0)
    h = x * x
    other = h * 3.0 + h
    z = h + 1.0
    z.backward()
    assert x.g == 4.0  # dz/dx = 2x; nothing from `other`'s paths
    assert other.value() == 16.0


def test_parents_that_were_dropped_do_not_stall_backward():
    x = Var(3.0)
    h = x * x
    for _ in range(5):
        _ = h * 2.0  # built on h, then dropped at once
    z = h * h  # x**4
    z.backward()
    assert x.g == 4 * 3.0**3


def test_forward_keeps_the_order_backward_relies_on():
    x = Var(1.0)
    a = x * x
    z = a * a + a  # x**4 + x**2
    z.backward()
    assert x.g == 6.0
    for value in (2.0, -0.5):
        x.set_value(value)
        z.forward()
        x.zero_grad()
        z.backward()
        assert x.g == pytest.approx(4 * value**3 + 2 * value)


def test_random_dags_with_sharing_match_central_differences():
    rng = random.Random(7)
    for trial in range(40):
        xs = [Var(rng.uniform(-1, 1)) for _ in range(3)]
        pool = list(xs)
        for _ in range(25):
            a, b = rng.choice(pool), rng.choice(pool)
            kind = rng.choice("+*-t")
            if kind == "+":
                node = a + b
            elif kind == "*":
                node = a * b
            elif kind == "-":
                node = a - b
            else:
                node = (a * 0.5).tanh()
            pool.append(node)
            if rng.random() < 0.3:
                _ = node * 2.0  # a parent outside the graph being differentiated
        root = pool[-1] + pool[-2] + pool[len(pool) // 2]

        def f(*values, xs=xs, root=root):
            for v, value in zip(xs, values, strict=True):
                v.set_value(value)
            return root.forward()

        point = [v.value() for v in xs]
        want = numeric_gradient(f, point)
        f(*point)
        for v in xs:
            v.zero_grad()
        root.backward()
        got = [v.g for v in xs]
        assert got == pytest.approx(want, rel=1e-6, abs=1e-8), trial


def test_copies_and_unpickled_graphs_are_numbered_as_new_nodes(monkeypatch):
    import copy
    import itertools
    import pickle

    x, y = Var(2.0), Var(3.0)
    a = x * y
    b = copy.deepcopy(a)  # a second, independent graph with the same values
    top = a * a + b * b
    top.backward()
    assert (x.g, y.g) == (2 * 6.0 * 3.0, 2 * 6.0 * 2.0)
    bx, by = b.children
    assert (bx.g, by.g) == (2 * 6.0 * 3.0, 2 * 6.0 * 2.0)

    saved = pickle.dumps((x, y, a))
    # A new process starts numbering from 0 again, below the serials in the saved graph.
    monkeypatch.setattr(alpha, "_next_serial", itertools.count().__next__)
    x2, y2, a2 = pickle.loads(saved)
    x2.zero_grad()
    y2.zero_grad()
    p = a2 + 1.0  # built after the load: must still come before a2 in the order
    top = p * p + a2  # (xy + 1)^2 + xy
    top.backward()
    assert (x2.g, y2.g) == (2 * 7.0 * 3.0 + 3.0, 2 * 7.0 * 2.0 + 2.0)


# -- the simple backward and the single pass: the same gradients on every node ----------------
@st.composite
def shared_dags(draw: st.DrawFn) -> tuple[list[Var], alpha.Node]:
    """A random graph with heavy sharing: each new node takes its operands from all before it,
    and some nodes get extra parents outside the graph that is differentiated."""
    values = draw(st.lists(st.floats(-1.5, 1.5, allow_nan=False), min_size=1, max_size=4))
    xs = [Var(v, name=f"x{i}") for i, v in enumerate(values)]
    pool: list[alpha.Node] = list(xs)
    for _ in range(draw(st.integers(1, 30))):
        a = pool[draw(st.integers(0, len(pool) - 1))]
        b = pool[draw(st.integers(0, len(pool) - 1))]
        kind = draw(st.sampled_from(["+", "-", "*", "tanh", "sigmoid", "const*"]))
        if kind == "+":
            node = a + b
        elif kind == "-":
            node = a - b
        elif kind == "*":
            node = (a * b).tanh()  # bounded, so products of products stay finite
        elif kind == "tanh":
            node = a.tanh()
        elif kind == "sigmoid":
            node = a.sigmoid()
        else:
            node = 0.5 * a
        pool.append(node)
        if draw(st.booleans()):
            _ = node * 3.0  # a parent outside the differentiated graph, dropped at once
    used = draw(st.lists(st.integers(0, len(pool) - 1), min_size=1, max_size=3))
    root = pool[-1]
    for i in used:
        root = root + pool[i]
    return xs, root


@settings(max_examples=200, deadline=None)
@given(dag=shared_dags(), upstream=st.sampled_from([1.0, -0.5, 2.0]))
def test_simple_backward_equals_the_single_pass_on_random_dags(dag, upstream):
    xs, root = dag
    nodes = topological_order(root)
    for node in nodes:  # leaves accumulate in both: start them from the same non-zero value
        node.g = 0.25
    stats.reset()
    root.backward(upstream)
    fast, fast_visits = [n.g for n in nodes], stats.visits
    for node in nodes:  # inner g must be recomputed, not added to
        node.g = -7.0 if node.children else 0.25
    stats.reset()
    alpha.backward_simple(root, upstream)
    assert [n.g for n in nodes] == pytest.approx(fast, rel=1e-12, abs=1e-12)
    assert stats.visits == fast_visits == sum(1 for n in nodes if n.children)


def test_simple_backward_pushes_once_per_edge_and_survives_a_million_nodes():
    x = Var(0.5, name="x")
    deep = x
    for _ in range(200_000):
        deep = -deep
    alpha.backward_simple(deep)
    assert x.g == 1.0
    x = Var(1.0)
    a = x
    for _ in range(40):  # 2**40 paths: only a once-per-node walk finishes
        a = a + a
    alpha.backward_simple(a)
    assert x.g == 2.0**40


def test_simple_backward_on_a_leaf_and_bad_input():
    x = Var(2.0)
    alpha.backward_simple(x, 3.0)
    alpha.backward_simple(x)
    assert x.g == 4.0
    with pytest.raises(TypeError, match="Alpha expression"):
        alpha.backward_simple(2.0)
    with pytest.raises(TypeError, match="upstream"):
        alpha.backward_simple(x * x, "1")


# -- set_value without forward(): an error naming the Var, not the old point's gradient -----
STALE_WAYS = {
    "backward": lambda z: z.backward(),
    "backward_simple": alpha.backward_simple,
    "grad": lambda z: z.grad(1.0),
}


@pytest.mark.parametrize("way", STALE_WAYS)
def test_set_value_without_forward_raises_naming_the_var(way):
    x, y = Var(1.0, name="x"), Var(2.0, name="y")
    z = x * x + y  # dz/dx = 2x
    x.set_value(1.5)
    with pytest.raises(ValueError, match=r"Var x was changed by set_value\(\).*forward\(\)"):
        STALE_WAYS[way](z)
    assert z.forward() == 1.5**2 + 2.0
    x.zero_grad()
    STALE_WAYS[way](z)
    assert x.g == 3.0  # the gradient at the new point, 2 * 1.5


def test_set_value_then_a_new_graph_is_fine_as_optimizers_do():
    w = Var(1.0, name="w")
    for _ in range(3):
        loss = (w - 3.0) * (w - 3.0)  # rebuilt every step, after the last set_value
        w.zero_grad()
        loss.backward()
        assert w.g == 2 * (w.value() - 3.0)
        w.set_value(w.value() - 0.1 * w.g)
    with pytest.raises(ValueError, match="Var w was changed"):
        loss.backward()  # the last graph predates the last step


def test_set_value_deep_below_is_found_and_a_value_equal_change_still_counts():
    x = Var(1.0, name="x")
    a = x
    for _ in range(50):
        a = (a * 1.0).tanh()
    x.set_value(1.0)  # the same number: set_value still means "call forward()"
    with pytest.raises(ValueError, match="Var x"):
        a.backward()
    a.forward()
    a.backward()
    assert x.g != 0.0


def test_forward_on_another_expression_makes_its_parents_stale():
    x = Var(2.0, name="x")
    h = x * x
    other = h * 3.0
    z = h + 1.0
    x.set_value(3.0)
    z.forward()  # recomputes h, but not `other`, which still holds h's old value
    z.backward()
    assert x.g == 6.0
    with pytest.raises(ValueError, match=r"recomputed by forward\(\)"):
        other.backward()
    other.forward()
    x.zero_grad()
    other.backward()
    assert x.g == 3.0 * 2 * 3.0


@pytest.mark.parametrize("way", STALE_WAYS)
def test_the_stale_error_says_whether_anything_was_added(way):
    x = Var(1.0, name="x")
    z = x * x + 1.0
    x.set_value(2.0)
    with pytest.raises(ValueError) as info:
        STALE_WAYS[way](z)
    message = str(info.value)
    if way == "backward_simple":  # refuses before pushing anything
        assert "nothing was added to any g" in message and "zero_grad" not in message
        assert x.g == 0.0 and z.g == 0.0
    else:
        assert "may already have added to some g, so zero_grad() the leaves" in message


def test_the_simple_view_hides_only_strings_the_shown_code_has():
    # Chapter 4 shows Node.grad, Sub and Mul, and backward_simple, with view="simple"; a
    # renamed helper would leave the view hiding nothing, silently.
    import inspect

    shown = "".join(
        inspect.getsource(o)
        for o in (alpha.Node.grad, alpha.Sub, alpha.Mul, alpha.backward_simple)
    )
    for word, why in alpha.SHOW_VIEWS["simple"].items():
        assert word in shown, word
        assert why and "\n" not in why


def test_the_simple_view_of_grad_hides_the_call_counter_and_says_so():
    import tinyml

    code = tinyml.show(alpha.Node.grad, alpha.Sub, view="simple").code
    assert "stats.pushes += 1" not in code
    assert "...  # 1 line not shown: counts the calls in stats.pushes, used below" in code


def test_the_first_look_maps_mul_to_children_and_local_grads_and_folds_the_rest():
    # Chapter 4's first listing of Alpha: Node.grad and Mul, one reason for every folded line.
    import inspect

    import tinyml

    shown = inspect.getsource(alpha.Node.grad) + inspect.getsource(alpha.Mul)
    assert all(word in shown for word in alpha.SHOW_VIEWS["first look"])
    code = tinyml.show(alpha.Node.grad, alpha.Mul, view="first look").code
    assert "stats.pushes" not in code and "_uses" not in code and "_real" not in code
    assert "self._a, self._b = a, b  # the children: node.children" in code
    # one marker in grad (review 4e: three markers made the first listing dense)
    grad_part = code.split("class Mul")[0]
    assert grad_part.count("not shown") == 1 and "_check_fresh" not in code
    assert "# the local derivatives: node.local_grads" in code
    reasons = {line.split(": ", 1)[1] for line in code.splitlines() if "not shown" in line}
    assert reasons == {"checks and bookkeeping"}
    x, y = alpha.Var(2.0), alpha.Var(5.0)
    assert (x * y).children == (x, y) and (x * y).local_grads == (5.0, 2.0)


def test_the_simple_view_of_grad_says_why_a_leaf_and_a_one_operand_node_push_less():
    import tinyml

    code = tinyml.show(alpha.Node.grad, view="simple").code
    assert "if a is not None:  # a leaf (Var, Const) has no operand" in code
    assert "if b is not None:  # a one-operand node (tanh, sigmoid) has no second operand" in code
    leaf, tanh = alpha.Var(0.5), alpha.Var(0.5).tanh()
    assert leaf.children == () and len(tanh.children) == 1


def test_the_one_child_view_shows_the_four_cases_once_and_folds_their_copy():
    # Chapter 4's optional section shows _push_once_each with view="one child".
    import inspect

    import tinyml

    source = inspect.getsource(alpha._push_once_each)
    for word in alpha.SHOW_VIEWS["one child"]:
        assert word in source, word
    code = tinyml.show(alpha._push_once_each, view="one child").code
    assert alpha._push_once_each.__doc__.splitlines()[0] in code
    for line in ("a = node._a", "elif a._uses == 1:", "heappush(waiting, (-a._serial, a))"):
        assert line in code, line
    for line in ("while ready:", "if not waiting:", "push(heappop(waiting)[1])"):
        assert line in code, line
    assert "else:  # shared, a later push: add up" in code
    for gone in ("node._b", "b._uses", "push(b)", "b.g"):
        assert gone not in code, gone
    assert "...  # 16 lines not shown: the same four cases for the second child, b" in code


def test_the_bookkeeping_view_of_add_shows_the_bookkeeping_and_hides_the_rest():
    # Chapter 4's optional section shows Add with view="bookkeeping": its lines for backward()
    import tinyml

    code = tinyml.show(alpha.Add, view="bookkeeping").code
    assert "self._uses, self._serial, self._seen = 0, _next_serial(), 0" in code
    assert "a._uses += 1" in code
    assert "__slots__" not in code and "_isinf" not in code and "_overflow" not in code


def test_a_blank_left_in_an_expression_says_to_fill_it_in():
    # chapter 4's exercises start from ____; the blank reaches an operator before check() runs
    from tinyml.exercises import ____

    x = Var(2.0, name="x")
    for build in (lambda: x * ____, lambda: x + ____, lambda: x - ____, lambda: x.tanh() / ____):
        with pytest.raises(TypeError, match=r"blank ____: replace every ____"):
            build()
