"""Chapter 4 exercises: backpropagation (Alpha)."""

from __future__ import annotations

import inspect
import math
import numbers
import sys

from tinyml import alpha
from tinyml.alpha import topological_order
from tinyml.exercises import Incorrect, Question, all_close, call_learner

# q1 ---------------------------------------------------------------------------------------


def _near(answer: float, target: float) -> bool:
    return math.isclose(answer, target, rel_tol=1e-6)


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
    if _near(answer, 10.0):
        raise Incorrect(
            "10 is ∂z/∂x, what one push of 1.0 leaves in x.g; the second call's push is "
            "added to it, because nothing cleared x.g in between: g accumulates"
        )
    if _near(answer, 5.0):
        raise Incorrect(
            "5 is what the second call (upstream 0.5) delivers on its own; the first call's "
            "10 is still in x.g, because g accumulates"
        )
    if _near(answer, 20.0):
        raise Incorrect(
            "the second call starts with 0.5 at the top, not 1: the upstream number scales "
            "everything that push delivers"
        )
    if any(_near(answer, v) for v in (7.0, 10.5, 3.5)):
        raise Incorrect(
            "x * x pushes to x twice, once as each operand, each time upstream times x"
        )
    if any(_near(answer, v) for v in (6.0, 9.0, 12.0, 3.0)):
        raise Incorrect("x also reaches z through y * x, which pushes upstream times y to x")
    raise Incorrect(f"{answer!r} is not it: push from z by hand, once per path, for each call")


q1 = Question(
    title="Accumulating pushes",
    checker=_check_q1,
    hint_text="Two calls, and nothing clears x.g between them: what does the second call do "
    "to what the first left there?",
    more_hints=(
        "Push by hand for upstream 1.0 first. z = x * x + y * x: the + passes its upstream "
        "unchanged to both products. Which products push to x, and how many times?",
        "x * x pushes upstream * x to x twice (x is both operands); y * x pushes upstream * y "
        "to x. Add up what x receives for upstream 1.0, then for 0.5, then add the two.",
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
        (9, "y * x"),
        (11, "not it"),
        (14.5, "14.5 is not it"),
        ("15", "number"),
        (alpha.Var(3.0), "use x.g"),
    ],
)

# watching a learner's function: which helpers it calls, and how much work it does -------


class _TooMuchWork(BaseException):  # BaseException: a learner's `except Exception` can't hide it
    pass


def _watched(learner, *args, forbidden=None, budget=None):
    """call_learner(learner, *args), noting which ``forbidden`` functions ran
    ({code object: name}); past ``budget`` profiler events (calls and returns, of Python and
    C functions), the call is stopped with _TooMuchWork. Returns (result, names called)."""
    forbidden = forbidden or {}
    called: set[str] = set()
    events = 0

    def watch(frame, event, _arg):
        nonlocal events
        events += 1
        if budget is not None and events > budget:
            sys.setprofile(None)
            raise _TooMuchWork
        if event == "call" and frame.f_code in forbidden:
            called.add(forbidden[frame.f_code])

    before = sys.getprofile()
    sys.setprofile(watch)
    try:
        result = call_learner(learner, *args)
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
_NO_DIV = {
    alpha.Div.__init__.__code__: "Div",
    alpha.Node.grad.__code__: "grad()",
    alpha.Node.backward.__code__: "backward()",
    alpha.backward_simple.__code__: "backward_simple()",
}


def _check_q2(learner):
    if not callable(learner):
        raise Incorrect("pass your function itself, e.g. ch04.q2.check(div_pushes)")
    got = []
    for a, b, u in Q2_CASES:
        pair, called = _watched(learner, a, b, u, forbidden=_NO_DIV)
        if called:
            raise Incorrect(
                f"your function uses {', '.join(sorted(called))} from tinyml.alpha; work the "
                "two numbers out yourself (the checker compares them with what alpha.Div "
                "pushes)"
            )
        if not isinstance(pair, (tuple, list)) or len(pair) != 2:
            raise Incorrect(
                f"div_pushes({a}, {b}, {u}) returned {pair!r}; return a pair: what the "
                "numerator a receives, then what the denominator b receives"
            )
        if not all(isinstance(g, numbers.Real) and not isinstance(g, bool) for g in pair):
            raise Incorrect(f"div_pushes({a}, {b}, {u}) returned {pair!r}; give two numbers")
        got.append(tuple(float(g) for g in pair))

    def like(rule) -> bool:
        return all(
            all(math.isclose(g, w, rel_tol=1e-9) for g, w in zip(pair, rule(a, b, u), strict=True))
            for pair, (a, b, u) in zip(got, Q2_CASES, strict=True)
        )

    if like(_div_reference):
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
    if like(lambda a, b, u: (u, u)) or like(lambda a, b, u: (u, -u)):
        raise Incorrect(
            "that is what Add (or Sub) pushes; a division's local derivatives depend on the "
            "operand values: ∂(a/b)/∂a and ∂(a/b)/∂b, each times upstream"
        )
    for pair, (a, b, u) in zip(got, Q2_CASES, strict=True):
        want = _div_reference(a, b, u)
        for who, g, w in zip(("a", "b"), pair, want, strict=True):
            if not math.isclose(g, w, rel_tol=1e-9):
                raise Incorrect(
                    f"div_pushes({a}, {b}, {u}): Div hands {w:g} to {who}, you gave {g:g}"
                )


q2 = Question(
    title="What a division pushes",
    checker=_check_q2,
    hint_text="A node hands each child upstream × (its local derivative towards that child). "
    "So first: what are the two local derivatives of a / b?",
    more_hints=(
        "Take one operand at a time and hold the other fixed. With b fixed, a / b is a times "
        "the constant 1/b. With a fixed, write a / b as a * b**-1 and use the power rule.",
        "∂(a/b)/∂a = 1/b and ∂(a/b)/∂b = -a/b**2. Multiply each by upstream and return the "
        "pair, the numerator's share first.",
    ),
    solution_text=inspect.getsource(div_pushes)
    + "\n\n# compare: alpha.Div(Var(a), Var(b)).local_grads holds (1/b, -a/b**2);"
    "\n# tinyml.show(alpha.Div) shows where they are computed",
    answer=lambda: div_pushes,
    wrong=[
        (lambda a, b, u: (1 / b, -a / b**2), "upstream times the local derivative"),
        (lambda a, b, u: (u / b, u * a / b**2), "wrong sign"),
        (lambda a, b, u: (u / b, -u * a / b), "square"),
        (lambda a, b, u: (-u * a / b**2, u / b), "swapped"),
        (lambda a, b, u: (u, u), "Add"),
        (lambda a, b, u: (u * b, u * a), "Div hands"),
        (lambda a, b, u: u / b, "pair"),
        (lambda a, b, u: _div_reference(a, b, u), "work the two numbers out yourself"),
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
    if isinstance(got, bool) or not isinstance(got, numbers.Real):
        return False
    return got == want or math.isclose(got, want, rel_tol=1e-12)


def _predict(learner, d):
    """The learner's prediction for depth d: measuring (grad()) and endless work refused."""
    pushes = alpha.stats.pushes
    try:
        got, _ = _watched(learner, d, budget=BUDGET)
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
    return got


def _range(last: int) -> str:
    return "d = 0" if last == 0 else f"d = 0 … {last}"


def _check_q3(learner):
    if not callable(learner):
        raise Incorrect("pass a function of the depth d, e.g. ch04.q3.check(predicted_pushes)")
    first = range(FIRST)
    got = [_predict(learner, d) for d in first]
    want = [measured_pushes(d) for d in first]
    if all(_same(g, w) for g, w in zip(got, want, strict=True)):
        last = FIRST - 1  # the last depth answered right so far
        for d in (*DEPTHS[FIRST:], FAR):
            try:
                late = _predict(learner, d)
            except Incorrect as why:
                if "too much work" in str(why):
                    raise
                raise Incorrect(
                    f"right for {_range(last)}, but at d={d}: {why} — predict any depth, with "
                    "a formula in d rather than a table of measured values"
                ) from None
            right = measured_pushes(d) if d in DEPTHS else predicted_pushes(d)
            if not _same(late, right):
                raise Incorrect(
                    f"right for {_range(last)}, but at d={d} the push model makes {right:,} "
                    f"grad() calls and you said {late!r}: predict any depth, with a formula "
                    "in d rather than a table of measured values"
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
            "close, but not it: count the calls level by level. How many paths reach each "
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
    """Counts every path without grad(): right, and hopeless at d = 40."""
    top, _ = quadrupling(d)
    calls, stack = 0, [top]
    while stack:
        calls += 1
        stack.extend(stack.pop().children)
    return calls


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
        "4**k paths reach the top of the level k levels down, and as many each of its other "
        "two nodes; 4**d reach x. Add 3 * 4**k for k = 0 … d - 1, then 4**d: a geometric "
        "series.",
    ),
    solution_text=inspect.getsource(predicted_pushes)
    + "\n# The top of the level k levels down is reached by 4**k paths, and so is each of"
    "\n# its two inner nodes; x, d levels down, by 4**d. Total:"
    "\n#   3 * (1 + 4 + … + 4**(d-1)) + 4**d = (4**d - 1) + 4**d = 2 * 4**d - 1",
    answer=lambda: predicted_pushes,
    wrong=[
        (lambda d: 4**d, "paths"),
        (lambda d: 2 * 3**d - 1, "used four times"),
        (lambda d: 2 ** (d + 1) - 1, "doubling graph"),
        (lambda d: (4 ** (d + 1) - 1) // 3, "one node a level"),
        (lambda d: 3 * 4**d - 2, "close"),
        (lambda d: 3 * d + 1, "counts nodes"),
        (lambda d: 5**d, "push model makes"),
        (_measures, "measures rather than predicts"),
        (lambda d: _TABLE[d], "right for d = 0 … 5, but at d=6"),
        (lambda d: dict(enumerate(_TABLE)).get(d), "rather than a table"),
        (_table_to_6, "right for d = 0 … 6, but at d=7"),
        (_walks_the_paths, "did too much work"),
        (17, "function of the depth"),
    ],
)

# q4 ---------------------------------------------------------------------------------------


def my_backward(root):
    order, done = [], set()  # order: every node after all of its children
    stack = [(root, False)]  # (node, are its children already on the stack?)
    while stack:
        node, expanded = stack.pop()
        if expanded:  # everything below it is in order already
            order.append(node)
        elif node not in done:  # the first time we reach it: its children first
            done.add(node)
            stack.append((node, True))
            stack.extend((child, False) for child in node.children)
    root.g = 1.0
    for node in reversed(order):  # every node before its children: all parents pushed
        for child, d in zip(node.children, node.local_grads, strict=True):
            child.g += node.g * d


DOUBLINGS = 25


def _fresh_graphs():
    """Small graphs with sharing, each as (description, root, leaves); every g starts at 0."""
    x, y = alpha.Var(0.5, name="x"), alpha.Var(-1.5, name="y")
    a = x * y
    yield "a = x * y, z = a * a + tanh(a) * x", a * a + a.tanh() * x, [x, y]
    x, y = alpha.Var(0.3, name="x"), alpha.Var(0.7, name="y")
    a = x * y  # a * a pops first and pushes to a twice: a has two parents but three edges
    yield "a = x * y, z = tanh(a) + a * a", a.tanh() + a * a, [x, y]
    x, y = alpha.Var(0.4, name="x"), alpha.Var(-0.8, name="y")
    a, b = x * y, x + y  # a and b are used directly by the top's operands and below them too
    yield (
        "a = x * y, b = x + y, z = a * sigmoid(a) + sigmoid(b) * b",
        (a * a.sigmoid() + b.sigmoid() * b),
        [x, y],
    )
    x = alpha.Var(0.1, name="x")
    a = x
    for _ in range(6):
        a = a * a + a
    yield "a = x, then six times a = a * a + a", a, [x]
    x, y = alpha.Var(1.2, name="x"), alpha.Var(0.7, name="y")
    s = (x - y).sigmoid()
    yield "s = sigmoid(x - y), z = log(s * x + s / y)", (s * x + s / y).log(), [x, y]
    x = alpha.Var(0.5, name="x")
    a = x
    for _ in range(DOUBLINGS):  # 2**25 paths down to x: a walk per path never ends
        a = a + a
    yield f"a = x, then {DOUBLINGS} times a = a + a", a, [x]


# -- typical mistakes ----------------------------------------------------------------------
def _count_parents(root):
    parents = {root: 0}
    todo = [root]
    while todo:
        for child in todo.pop().children:
            parents[child] = parents.get(child, 0) + 1
            if parents[child] == 1:
                todo.append(child)
    return parents


def _distinct_parents(root):
    """Counts a parent once even when it uses the child twice (set(node.children))."""
    parents = {root: 0}
    todo = [root]
    while todo:
        for child in set(todo.pop().children):
            parents[child] = parents.get(child, 0) + 1
            if parents[child] == 1:
                todo.append(child)
    root.g = 1.0
    ready = [root]
    while ready:
        node = ready.pop()
        for child, d in zip(node.children, node.local_grads, strict=True):
            child.g += node.g * d
            parents[child] -= 1
            if parents[child] == 0:
                ready.append(child)


def _recursive_order(root):
    """Right gradients from a recursive depth-first topological sort: dies on deep graphs."""
    order, seen = [], set()

    def visit(node):
        if node not in seen:
            seen.add(node)
            for child in node.children:
                visit(child)
            order.append(node)

    visit(root)
    root.g = 1.0
    for node in reversed(order):
        for child, d in zip(node.children, node.local_grads, strict=True):
            child.g += node.g * d


def _post_order(root, mark_on_push=False):
    order, done = [], {root} if mark_on_push else set()
    stack = [(root, False)]
    while stack:
        node, expanded = stack.pop()
        if expanded:
            order.append(node)
        elif mark_on_push or node not in done:
            done.add(node)
            stack.append((node, True))
            for child in node.children:
                if not mark_on_push or child not in done:
                    done.add(child)
                    stack.append((child, False))
    return order


def _push_in(order, root):
    root.g = 1.0
    for node in order:
        for child, d in zip(node.children, node.local_grads, strict=True):
            child.g += node.g * d


def _marked_on_push(root):
    """Depth-first, but a node is marked seen when it is put on the stack, not when it is
    expanded: a node met again deeper down is then listed before its own parent."""
    _push_in(reversed(_post_order(root, mark_on_push=True)), root)


def _not_reversed(root):
    """The post-order itself: children push before their parents have pushed into them."""
    _push_in(_post_order(root), root)


def _quadratic_scan(root):
    """Right order, but each node's parents are counted by scanning every node's children."""
    nodes, todo, seen = [], [root], {root}
    while todo:
        node = todo.pop()
        nodes.append(node)
        for child in node.children:
            if child not in seen:
                seen.add(child)
                todo.append(child)
    count = {n: sum(list(m.children).count(n) for m in nodes) for n in nodes}
    root.g = 1.0
    ready = [root]
    while ready:
        node = ready.pop()
        for child, d in zip(node.children, node.local_grads, strict=True):
            child.g += node.g * d
            count[child] -= 1
            if count[child] == 0:
                ready.append(child)


CHAIN = 5000


def _chain(depth: int = CHAIN) -> tuple[alpha.Node, alpha.Var]:
    """x, then depth times a = a + x: a chain of depth nodes, deeper than Python's stack."""
    x = alpha.Var(0.5, name="x")
    a: alpha.Node = x
    for _ in range(depth):
        a = a + x
    return a, x


def _per_path(root):
    """Right sums, wrong work: every path is walked, like the recursive grad()."""
    root.g = 1.0
    stack = [(root, 1.0)]
    while stack:
        node, upstream = stack.pop()
        for child, d in zip(node.children, node.local_grads, strict=True):
            child.g += upstream * d
            stack.append((child, upstream * d))


def _per_path_summed_once(root):
    """The same walk, summing per node in a dict and writing each g once at the end."""
    sums = {}
    stack = [(root, 1.0)]
    while stack:
        node, upstream = stack.pop()
        sums[node] = sums.get(node, 0.0) + upstream
        for child, d in zip(node.children, node.local_grads, strict=True):
            stack.append((child, upstream * d))
    for node, g in sums.items():
        node.g += g


def _per_path_recursive(root):
    """The same, recursive."""

    def push(node, upstream):
        for child, d in zip(node.children, node.local_grads, strict=True):
            child.g += upstream * d
            push(child, upstream * d)

    root.g = 1.0
    push(root, 1.0)


def _too_early(root):
    """Each node pushes once, but as soon as the first push reaches it."""
    root.g = 1.0
    ready, seen = [root], {root}
    while ready:
        node = ready.pop()
        for child, d in zip(node.children, node.local_grads, strict=True):
            child.g += node.g * d
            if child not in seen:
                seen.add(child)
                ready.append(child)


def _kahn(push_rule):
    """my_backward with another rule for what a push does to the child's g."""

    def backward(root):
        parents = _count_parents(root)
        root.g = 1.0
        ready = [root]
        while ready:
            node = ready.pop()
            for child, d in zip(node.children, node.local_grads, strict=True):
                push_rule(node, child, d)
                parents[child] -= 1
                if parents[child] == 0:
                    ready.append(child)

    return backward


def _set(node, child, d):
    child.g = node.g * d


def _add_d(node, child, d):
    child.g += d


def _add_g(node, child, d):
    child.g += node.g


_overwrites, _no_upstream, _no_local = _kahn(_set), _kahn(_add_d), _kahn(_add_g)


def _uses_the_order(root):
    root.g = 1.0
    for node in topological_order(root):
        for child, d in zip(node.children, node.local_grads, strict=True):
            child.g += node.g * d


def _leaf_grads(mistake, index):
    """What a known mistake leaves on the leaves of the index-th fresh graph."""
    _, root, leaves = list(_fresh_graphs())[index]
    mistake(root)
    return [leaf.g for leaf in leaves]


# -- watching the learner's function: how often it writes each g and looks at each node -----
_WRITES: dict[alpha.Node, int] = {}
_READS: dict[alpha.Node, int] = {}  # reads of node.children and node.local_grads
_ALLOWED: dict[alpha.Node, int] = {}  # reads a walk may make: a few per node, a few per edge
_COUNTING: dict[type, type] = {}
_G = alpha.Node.g  # the slot that holds g
_CHILDREN, _LOCAL_GRADS = alpha.Node.children.fget, alpha.Node.local_grads.fget


class _PerPath(_TooMuchWork):
    """Raised from inside the learner's walk when it looks at one node far too often."""

    def __init__(self, node):
        super().__init__()
        self.node = node


def _count_g(node):
    _WRITES[node] = _WRITES.get(node, 0) + 1


def _count_read(node):
    if _ALLOWED:  # only while the learner's function runs
        n = _READS[node] = _READS.get(node, 0) + 1
        if n > _ALLOWED.get(node, 0):
            raise _PerPath(node)


def _counting(cls):
    """A subclass of cls, laid out the same, whose g counts every assignment and whose
    children and local_grads count every read."""
    if cls not in _COUNTING:

        def set_g(node, value):
            _count_g(node)
            _G.__set__(node, value)

        def children(node):
            _count_read(node)
            return _CHILDREN(node)

        def local_grads(node):
            _count_read(node)
            return _LOCAL_GRADS(node)

        _COUNTING[cls] = type(
            cls.__name__,
            (cls,),
            {
                "__slots__": (),
                "g": property(_G.__get__, set_g),
                "children": property(children),
                "local_grads": property(local_grads),
            },
        )
    return _COUNTING[cls]


_NOT_ALLOWED = {
    alpha.topological_order.__code__: "topological_order()",
    alpha.backward_simple.__code__: "backward_simple()",
    alpha.Node.backward.__code__: "backward()",
    alpha.Node.grad.__code__: "grad()",
}


def _read_budget(edges, node):
    return 8 + 4 * edges.get(node, 0)


def _call_watched(learner, root, edges):
    """Call learner(root); return ({node: assignments to its g}, helpers it called, the node
    looked at far too often or None). A walk may read a node's children and local_grads a
    few times per node and per edge into it; once per path blows that budget and is
    stopped at once, as is a call of a helper it must not use."""
    for node in topological_order(root):
        node.__class__ = _counting(type(node))
    _WRITES.clear()
    _READS.clear()
    _ALLOWED.update({node: _read_budget(edges, node) for node in topological_order(root)})
    called: set[str] = set()
    too_often = None

    def watch(frame, event, _arg):
        if event == "call" and frame.f_code in _NOT_ALLOWED:
            called.add(_NOT_ALLOWED[frame.f_code])
            sys.setprofile(None)
            raise _TooMuchWork  # grad() on a deep shared graph would never end

    before = sys.getprofile()
    sys.setprofile(watch)
    try:
        call_learner(learner, root)
    except _PerPath as stop:
        too_often = stop.node
    except _TooMuchWork:
        pass
    finally:
        sys.setprofile(before)
        _ALLOWED.clear()
    writes = dict(_WRITES)
    _WRITES.clear()
    return writes, called, too_often


def _name(node, root=None):
    if node is root:
        return "the top node"
    return getattr(node, "name", None) or f"a {node.op} node"


def _paths(root):
    """{node: the number of paths from root down to it}."""
    paths = {root: 1}
    for node in topological_order(root):
        for child in node.children:
            paths[child] = paths.get(child, 0) + paths[node]
    return paths


def _check_q4(learner):
    if not callable(learner):
        raise Incorrect("pass your function itself, e.g. ch04.q4.check(my_backward)")
    graphs = zip(_fresh_graphs(), _fresh_graphs(), strict=True)
    for i, ((text, root, leaves), (_, ref, ref_leaves)) in enumerate(graphs):
        ref.backward()
        want = [leaf.g for leaf in ref_leaves]
        edges = {}  # how many pushes each node should receive: one per edge from a parent
        for node in topological_order(root):
            for child in node.children:
                edges[child] = edges.get(child, 0) + 1
        writes, called, too_often = _call_watched(learner, root, edges)
        if "grad()" in called:
            raise Incorrect(
                "your function calls grad(), the recursive push, which pushes once per path "
                f"(on the graph {text}); the task is to let every node push exactly once, "
                "after all its parents"
            )
        if called:
            helper = ", ".join(sorted(called))
            raise Incorrect(
                f"your function calls {helper}; the task is to write that walk yourself, "
                "depth-first: list every node after all of its children, then let the nodes "
                "push in the reverse of that list"
            )
        if too_often is not None:
            who, budget = _name(too_often, root), _read_budget(edges, too_often)
            paths = _paths(root)[too_often]
            if 2 * paths < budget:  # a walk per path reads a node about twice per path
                ways = (
                    "a walk needs them once"
                    if too_often is root
                    else f"only {paths} path{'s' * (paths > 1)} lead{'s' * (paths == 1)} to it "
                    "from the top"
                )
                raise Incorrect(
                    f"on the graph {text}, your function read the children of {who} more "
                    f"than {budget} times, though {ways}: you read every "
                    "node's children once for each node (a quadratic scan), which grows with "
                    "the square of the graph's size. Look at a node's children once, when "
                    "your walk reaches it (to count parents, add 1 to each child's count "
                    "there: one walk counts them all)"
                )
            raise Incorrect(
                f"on the graph {text}, {paths:,} paths lead from the top to {who}, and your "
                f"walk looked at {who} (its children or local_grads) more than {budget} "
                "times: your walk visits a node once per path, like grad(), not once per "
                "node, and on shared graphs the paths multiply. Let a node push only after "
                "all of its parents have pushed into it, and only once"
            )
        worst = max(writes, key=lambda n: writes[n] - edges.get(n, 0), default=None)
        if worst is not None:
            allowed = edges.get(worst, 0) + (2 if worst is root else 1)
            if writes[worst] > allowed:
                n = edges.get(worst, 0)
                receives = "no push" if n == 0 else "1 push" if n == 1 else f"{n} pushes"
                raise Incorrect(
                    f"on the graph {text}, {_name(worst, root)} receives {receives} from its "
                    f"parents, but its g was changed {writes[worst]} times: your function "
                    "pushes once per path, like grad(), not once per node. Let a node push "
                    "only after all of its parents have pushed into it, and only once"
                )
        got = [leaf.g for leaf in leaves]
        if all_close(got, want, abs_tol=1e-12):
            continue
        if root.g != 1.0:
            raise Incorrect(f"after your function root.g is {root.g}: start with root.g = 1.0")
        shown = f"the leaves got {[round(g, 6) for g in got]}, but backward_simple gives " + str(
            [round(w, 6) for w in want]
        )
        if all_close(got, _leaf_grads(_overwrites, i), abs_tol=1e-12):
            raise Incorrect(
                f"on the graph {text}, {shown}: the order is right, but child.g = … replaces "
                "what the child's other parents pushed; add it with child.g += …"
            )
        if all_close(got, _leaf_grads(_no_upstream, i), abs_tol=1e-12):
            raise Incorrect(
                f"on the graph {text}, {shown}: each push must carry node.g * d — the "
                "gradient that reached the node times its local derivative — not d alone"
            )
        if all_close(got, _leaf_grads(_no_local, i), abs_tol=1e-12):
            raise Incorrect(
                f"on the graph {text}, {shown}: each push must carry node.g * d; you pass "
                "node.g on without the local derivative d from node.local_grads"
            )
        if all_close(got, _leaf_grads(_distinct_parents, i), abs_tol=1e-12):
            raise Incorrect(
                f"on the graph {text}, {shown}: a parent that uses a child twice (a * a) "
                "pushes into it twice, so it must count twice; counting distinct parents "
                "(e.g. over set(node.children)) releases a too early. Count one per edge"
            )
        if all_close(got, _leaf_grads(_too_early, i), abs_tol=1e-12):
            raise Incorrect(
                f"on the graph {text}, {shown}: a shared node pushed as soon as its first "
                "parent had pushed into it, before the others; a node may push only after all "
                "of its parents have"
            )
        if all_close(got, _leaf_grads(_marked_on_push, i), abs_tol=1e-12):
            raise Incorrect(
                f"on the graph {text}, {shown}: a node was listed before all of its children. "
                "If you mark a node as seen when you put it on the stack, a node you meet "
                "again deeper down is skipped there and lands in the wrong place; mark it "
                "when you take it off the stack and go into its children"
            )
        if all_close(got, _leaf_grads(_not_reversed, i), abs_tol=1e-12):
            raise Incorrect(
                f"on the graph {text}, {shown}: in your order the children come first, so "
                "they push before anything has reached them; a parent must push before its "
                "children: walk your list in reverse"
            )
        raise Incorrect(
            f"on the graph {text}, {shown}. List every node after all of its children "
            "(depth-first), then, in the reverse of that list, let each node add node.g * d "
            "to each child, pairing node.children with node.local_grads in order"
        )
    _check_deep_chain(learner)


def _no_recursion_error(learner):
    def run(root):
        try:
            return learner(root)
        except RecursionError:
            raise Incorrect(
                f"right on the small graphs, but on a chain of {CHAIN:,} nodes (x, then "
                f"{CHAIN:,} times a = a + x) your function raised RecursionError — the "
                "failure of the recursive push this chapter fixed. Walk with a list (a "
                "stack of nodes to visit) instead of a function that calls itself"
            ) from None

    return run


def _check_deep_chain(learner):
    root, x = _chain()
    call_learner(_no_recursion_error(learner), root)
    if not math.isclose(x.g, CHAIN + 1, rel_tol=1e-12):
        raise Incorrect(
            f"on a chain of {CHAIN:,} nodes (x, then {CHAIN:,} times a = a + x) x.g should be "
            f"{CHAIN + 1:,}, but your function left {x.g!r}"
        )


q4 = Question(
    title="The backward pass, depth-first",
    checker=_check_q4,
    hint_text="Two parts: first a list of the nodes in which every node comes after all of "
    "its children, then the pushes, walking that list backwards. No function may call "
    "itself (the checker also runs a chain of 5,000 nodes): what stands in for Python's "
    "call stack?",
    more_hints=(
        "Keep your own stack of nodes to visit. When you first take a node off it, it cannot "
        "go into the list yet: its children come first. How can the node come back to the "
        "top of the stack once everything below it is listed? And how do you make sure a "
        "shared node is gone into only once?",
        "Put pairs (node, expanded) on the stack. Going into a node: put (node, True) back, "
        "then (child, False) for each child; popping (node, True) lists the node. Remember a "
        "node as done when you go into it, not when you put it on the stack. Then root.g = "
        "1.0, and in the reversed list each node pushes node.g * d to each child (pair "
        "node.children with node.local_grads). Must a push replace or add?",
    ),
    solution_text=inspect.getsource(my_backward)
    + "\n# Listing a node only after everything below it is depth-first post-order; reversed,"
    "\n# every node comes before its children, so all its parents have pushed into it when it"
    "\n# pushes: once. topological_order gets such an order the other way, by counting parents.",
    answer=lambda: my_backward,
    wrong=[
        (_per_path, "once per path"),
        (_per_path_recursive, "once per path"),
        (_per_path_summed_once, "visits a node once per path"),
        (_too_early, "first parent"),
        (_distinct_parents, "count one per edge"),
        (_recursive_order, "RecursionError"),
        (_marked_on_push, "when you take it off the stack"),
        (_not_reversed, "walk your list in reverse"),
        (_quadratic_scan, "quadratic scan"),
        (_overwrites, "child.g +="),
        (_no_upstream, "not d alone"),
        (_no_local, "without the local derivative"),
        (_uses_the_order, "calls topological_order()"),
        (alpha.backward_simple, "calls backward_simple()"),
        (lambda root: root.grad(1.0), "recursive push"),
        (lambda root: root.backward(), "calls backward()"),
        (lambda root: None, "root.g = 1.0"),
        ("backward", "function itself"),
    ],
)
