"""Chapter 4 exercises: backpropagation (Alpha)."""

from __future__ import annotations

import inspect
import math
import numbers

from tinyml import alpha
from tinyml.exercises import Incorrect, Question, call_learner

# q1 ---------------------------------------------------------------------------------------


def _check_q1(answer):
    if isinstance(answer, bool) or not isinstance(answer, numbers.Real):
        raise Incorrect(f"give a number, not {answer!r}")
    answer = float(answer)
    if answer == 12.0:
        return
    if answer == 6.0:
        raise Incorrect(
            "6 is ∂z/∂x, but grad(1.0) ran twice and nothing cleared x.g in between: "
            "pushes accumulate"
        )
    if answer in (5.0, 10.0):
        raise Incorrect(
            "x reaches z by two paths, through x * y and directly through the +; "
            "add what each path pushes"
        )
    if answer in (1.0, 2.0):
        raise Incorrect("the path through x * y pushes y, not 1")
    raise Incorrect(f"{answer:g} is not it: push 1 from z by hand, once per path, twice")


q1 = Question(
    title="Accumulating pushes",
    checker=_check_q1,
    hint_text="z = x * y + x. The + pushes 1 to both of its children; x * y pushes "
    "upstream * y to x. Add up what arrives at x, and remember the two grad calls.",
    solution_text=(
        "x, y = Var(2.0), Var(5.0)\n"
        "z = x * y + x\n"
        "z.grad(1.0)   # x.g = 5 (path through x * y) + 1 (direct path) = 6\n"
        "z.grad(1.0)   # nothing cleared it: x.g = 12\n"
        "answer = x.g  # 12.0"
    ),
    answer=lambda: 12.0,
    wrong=[(6, "accumulate"), (5, "two paths"), (1, "pushes y"), (7, "not it"), ("12", "number")],
)

# q2 ---------------------------------------------------------------------------------------


def div_local_grads(a, b):
    return 1 / b, -a / b**2


def _check_q2(learner):
    if not callable(learner):
        raise Incorrect("pass your function itself, e.g. ch04.q2.check(div_local_grads)")
    for a, b in [(3.0, 2.0), (-1.5, 0.5), (2.0, -4.0)]:
        got = call_learner(learner, a, b)
        if not isinstance(got, (tuple, list)) or len(got) != 2:
            raise Incorrect(f"div_local_grads({a}, {b}) returned {got!r}; return a pair")
        if not all(isinstance(g, numbers.Real) and not isinstance(g, bool) for g in got):
            raise Incorrect(f"div_local_grads({a}, {b}) returned {got!r}; give two numbers")
        da, db = (float(g) for g in got)
        want_a, want_b = div_local_grads(a, b)
        if not math.isclose(da, want_a, rel_tol=1e-9):
            raise Incorrect(f"∂(a/b)/∂a at a={a}, b={b} is {want_a:g}, you gave {da:g}")
        if math.isclose(db, -want_b, rel_tol=1e-9):
            raise Incorrect("∂(a/b)/∂b has the wrong sign: a bigger b makes a/b smaller")
        if math.isclose(db, -a / b, rel_tol=1e-9):
            raise Incorrect("∂(a/b)/∂b = -a/b², the square is missing")
        if not math.isclose(db, want_b, rel_tol=1e-9):
            raise Incorrect(f"∂(a/b)/∂b at a={a}, b={b} is {want_b:g}, you gave {db:g}")


q2 = Question(
    title="The local derivatives of a division",
    checker=_check_q2,
    hint_text="a / b = a * b**-1. Differentiate with respect to a with b held fixed, then "
    "with respect to b with a held fixed (the power rule).",
    solution_text=inspect.getsource(div_local_grads)
    + "\n\n# compare: tinyml.show(alpha.Div) stores the same two numbers as _da and _db",
    answer=lambda: div_local_grads,
    wrong=[
        (lambda a, b: (1 / b, a / b**2), "sign"),
        (lambda a, b: (1 / b, -a / b), "square"),
        (lambda a, b: (b, a), "∂(a/b)/∂a"),
        (lambda a, b: 1 / b, "pair"),
        (2.0, "function itself"),
    ],
)

# q3 ---------------------------------------------------------------------------------------


def pushes(d):
    return 2 ** (d + 1) - 1


def doubling_chain(d: int) -> tuple[alpha.Node, alpha.Var]:
    x = alpha.Var(1.0, name="x")
    a: alpha.Node = x
    for _ in range(d):
        a = a + a
    return a, x


def measured_pushes(d: int) -> int:
    a, _ = doubling_chain(d)
    before = alpha.stats.pushes
    a.grad(1.0)
    return alpha.stats.pushes - before


def _check_q3(learner):
    if not callable(learner):
        raise Incorrect("pass a function of the depth d, e.g. ch04.q3.check(predicted_pushes)")
    depths = range(13)
    got = [call_learner(learner, d) for d in depths]
    want = [measured_pushes(d) for d in depths]
    if got == want:
        return
    if got == [2**d for d in depths]:
        raise Incorrect(
            "2**d is the number of paths from the top down to x, but grad() is also called "
            "on every node on the way down"
        )
    if got in ([d + 1 for d in depths], [2 * d + 1 for d in depths]):
        raise Incorrect(
            "that counts nodes; the push model calls grad() on a node once per path into it"
        )
    d = next(d for d in depths if got[d] != want[d])
    raise Incorrect(
        f"at depth d={d} the push model makes {want[d]} grad() calls; you said {got[d]}"
    )


q3 = Question(
    title="Counting pushes on a shared graph",
    checker=_check_q3,
    hint_text="The node at level k below the top is reached by 2**k paths, and the push model "
    "calls grad() on it once per path. Add up over the levels k = 0 … d.",
    solution_text=inspect.getsource(pushes) + "\n# 1 + 2 + 4 + … + 2**d = 2**(d + 1) - 1",
    answer=lambda: pushes,
    wrong=[
        (lambda d: 2**d, "paths"),
        (lambda d: d + 1, "counts nodes"),
        (lambda d: 3**d, "push model makes"),
        (17, "function of the depth"),
    ],
)

# q4 ---------------------------------------------------------------------------------------


def my_backward(root):
    root.g = 1.0
    for node in alpha.topological_order(root):
        for child, d in zip(node.children, node.local_grads, strict=True):
            child.g += d * node.g


def _fresh_graphs():
    """Small graphs with sharing, each as (root, leaves); every g starts at 0."""
    x, y = alpha.Var(0.5, name="x"), alpha.Var(-1.5, name="y")
    a = x * y
    yield a * a + a.tanh() * x, [x, y]
    x = alpha.Var(0.1, name="x")
    a = x
    for _ in range(6):
        a = a * a + a
    yield a, [x]
    x, y = alpha.Var(1.2, name="x"), alpha.Var(0.7, name="y")
    s = (x - y).sigmoid()
    yield (s * x + s / y).log(), [x, y]


def _children_first(root):
    """A typical mistake: the right pushes, in the wrong order."""
    root.g = 1.0
    for node in reversed(alpha.topological_order(root)):
        for child, d in zip(node.children, node.local_grads, strict=True):
            child.g += d * node.g


def _check_q4(learner):
    if not callable(learner):
        raise Incorrect("pass your function itself, e.g. ch04.q4.check(my_backward)")
    for (root, leaves), (ref, ref_leaves) in zip(_fresh_graphs(), _fresh_graphs(), strict=True):
        ref.backward()
        want = [leaf.g for leaf in ref_leaves]
        call_learner(learner, root)
        got = [leaf.g for leaf in leaves]
        close = [
            math.isclose(g, w, rel_tol=1e-9, abs_tol=1e-12) for g, w in zip(got, want, strict=True)
        ]
        if all(close):
            continue
        if root.g != 1.0:
            raise Incorrect(f"after your function root.g is {root.g}: start with root.g = 1.0")
        raise Incorrect(
            f"on {root} the leaves got {[round(g, 6) for g in got]}, but backward() gives "
            f"{[round(w, 6) for w in want]}: a node must push only after all its parents "
            "have pushed into it, so walk the nodes parents first"
        )


q4 = Question(
    title="Write backward() yourself",
    checker=_check_q4,
    hint_text="alpha.topological_order(root) lists every node before its children. Set "
    "root.g = 1.0, then let each node push node.g * d to each child, using zip(node.children, "
    "node.local_grads). Which direction must the walk go?",
    solution_text=inspect.getsource(my_backward),
    answer=lambda: my_backward,
    wrong=[
        (_children_first, "parents first"),
        (lambda root: None, "root.g = 1.0"),
        ("backward", "function itself"),
    ],
)
