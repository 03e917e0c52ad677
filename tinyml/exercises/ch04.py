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
    ],
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
        if math.isclose(da, want_a, rel_tol=1e-9) and math.isclose(db, want_b, rel_tol=1e-9):
            continue
        if math.isclose(da, want_b, rel_tol=1e-9) and math.isclose(db, want_a, rel_tol=1e-9):
            raise Incorrect(
                "the two are swapped: return (∂(a/b)/∂a, ∂(a/b)/∂b), the derivative towards "
                "the numerator a first, in the order of the operands"
            )
        if not math.isclose(da, want_a, rel_tol=1e-9):
            raise Incorrect(f"∂(a/b)/∂a at a={a}, b={b} is {want_a:g}, you gave {da:g}")
        if math.isclose(db, -want_b, rel_tol=1e-9):
            raise Incorrect(
                "∂(a/b)/∂b has the wrong sign: it is -a/b² (b**-1 differentiates to -b**-2; "
                "for a positive a, a bigger b makes a/b smaller)"
            )
        if math.isclose(db, -a / b, rel_tol=1e-9):
            raise Incorrect("∂(a/b)/∂b = -a/b², the square is missing")
        raise Incorrect(f"∂(a/b)/∂b at a={a}, b={b} is {want_b:g}, you gave {db:g}")


q2 = Question(
    title="The local derivatives of a division",
    checker=_check_q2,
    hint_text="Take one operand at a time and hold the other fixed: how does a / b change "
    "when only a moves? And when only b moves?",
    more_hints=(
        "With b fixed, a / b is a times the constant 1/b: a straight line in a. With a fixed, "
        "write a / b as a * b**-1 and use the power rule on b**-1.",
        "∂(a/b)/∂a = 1/b. The power rule turns b**-1 into -1 * b**-2, so ∂(a/b)/∂b = -a/b**2. "
        "Return both as a pair, the one for a first (the order of the operands).",
    ),
    solution_text=inspect.getsource(div_local_grads)
    + "\n\n# compare: tinyml.show(alpha.Div) stores the same two numbers as _da and _db",
    answer=lambda: div_local_grads,
    wrong=[
        (lambda a, b: (1 / b, a / b**2), "sign"),
        (lambda a, b: (1 / b, -a / b), "square"),
        (lambda a, b: (-a / b**2, 1 / b), "swapped"),
        (lambda a, b: (b, a), "∂(a/b)/∂a"),
        (lambda a, b: 1 / b, "pair"),
        (2.0, "function itself"),
    ],
)

# q3 ---------------------------------------------------------------------------------------


def predicted_pushes(d):
    return 2 * 3**d - 1


def tripling(d: int) -> tuple[alpha.Node, alpha.Var]:
    """x, then d times a = a + a + a (Python builds (a + a) + a: two nodes a level)."""
    x = alpha.Var(1.0, name="x")
    a: alpha.Node = x
    for _ in range(d):
        a = a + a + a
    return a, x


def measured_pushes(d: int) -> int:
    a, _ = tripling(d)
    before = alpha.stats.pushes
    a.grad(1.0)
    return alpha.stats.pushes - before


DEPTHS = range(9)


def _check_q3(learner):
    if not callable(learner):
        raise Incorrect("pass a function of the depth d, e.g. ch04.q3.check(predicted_pushes)")
    got = [call_learner(learner, d) for d in DEPTHS]
    want = [measured_pushes(d) for d in DEPTHS]
    if got == want:
        return
    if got == [3**d for d in DEPTHS]:
        raise Incorrect(
            "3**d is the number of paths from the top down to x (the pushes x receives), but "
            "grad() is also called on every node above it, once per path into that node"
        )
    if got == [2 ** (d + 1) - 1 for d in DEPTHS]:
        raise Incorrect(
            "that is the doubling graph's count; here a level has two nodes, (a + a) and "
            "(a + a) + a, and the level below is used three times"
        )
    if got == [(3 ** (d + 1) - 1) // 2 for d in DEPTHS]:
        raise Incorrect(
            "that counts one node a level; each level has two, (a + a) and (a + a) + a, and "
            "both are called once per path into them"
        )
    if got in ([2 * d + 1 for d in DEPTHS], [d + 1 for d in DEPTHS]):
        raise Incorrect(
            "that counts nodes; the push model calls grad() on a node once per path into it"
        )
    d = next(d for d in DEPTHS if got[d] != want[d])
    calls = "1 grad() call" if want[d] == 1 else f"{want[d]} grad() calls"
    raise Incorrect(f"at depth d={d} the push model makes {calls}; you said {got[d]!r}")


q3 = Question(
    title="Counting pushes on a shared graph",
    checker=_check_q3,
    hint_text="Count calls, not nodes: the push model calls grad() on a node once for every "
    "path from the top down to that node. Try d = 0 and d = 1 by hand first.",
    more_hints=(
        "Python builds a + a + a as (a + a) + a, so every level has two nodes: its top and its "
        "(a + a). How many paths reach the top of the level k levels down? Its (a + a)? And "
        "x, d levels down?",
        "3**k paths reach the top of the level k levels down, and as many its (a + a); 3**d "
        "reach x. Add 2 * 3**k for k = 0 … d - 1, then 3**d: a geometric series.",
    ),
    solution_text=inspect.getsource(predicted_pushes)
    + "\n# The top of the level k levels down is reached by 3**k paths, and so is its (a + a);"
    "\n# x, d levels down, by 3**d. Total: 2 * (1 + 3 + … + 3**(d-1)) + 3**d"
    "\n#                                 = (3**d - 1) + 3**d = 2 * 3**d - 1",
    answer=lambda: predicted_pushes,
    wrong=[
        (lambda d: 3**d, "paths"),
        (lambda d: 2 ** (d + 1) - 1, "doubling graph"),
        (lambda d: (3 ** (d + 1) - 1) // 2, "one node a level"),
        (lambda d: 2 * d + 1, "counts nodes"),
        (lambda d: 4**d, "push model makes"),
        (17, "function of the depth"),
    ],
)

# q4 ---------------------------------------------------------------------------------------


def my_backward(root):
    parents = {root: 0}  # walk down once: count each node's parents (one per edge)
    todo = [root]
    while todo:
        for child in todo.pop().children:
            if child in parents:
                parents[child] += 1
            else:
                parents[child] = 1
                todo.append(child)
    root.g = 1.0
    ready = [root]  # a node is ready once its last parent has pushed into it
    while ready:
        node = ready.pop()
        for child, d in zip(node.children, node.local_grads, strict=True):
            child.g += node.g * d
            parents[child] -= 1
            if parents[child] == 0:
                ready.append(child)


def _fresh_graphs():
    """Small graphs with sharing, each as (description, root, leaves); every g starts at 0."""
    x, y = alpha.Var(0.5, name="x"), alpha.Var(-1.5, name="y")
    a = x * y
    yield "a = x * y, z = a * a + tanh(a) * x", a * a + a.tanh() * x, [x, y]
    x, y = alpha.Var(0.3, name="x"), alpha.Var(0.7, name="y")
    a = x * y  # a * a pops first and pushes to a twice: a has two parents but three edges
    yield "a = x * y, z = tanh(a) + a * a", a.tanh() + a * a, [x, y]
    x = alpha.Var(0.1, name="x")
    a = x
    for _ in range(6):
        a = a * a + a
    yield "a = x, then six times a = a * a + a", a, [x]
    x, y = alpha.Var(1.2, name="x"), alpha.Var(0.7, name="y")
    s = (x - y).sigmoid()
    yield "s = sigmoid(x - y), z = log(s * x + s / y)", (s * x + s / y).log(), [x, y]


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


# -- watching the learner's function: which nodes it writes to, which helpers it calls -------
_WRITES: dict[alpha.Node, int] = {}
_COUNTING: dict[type, type] = {}
_G = alpha.Node.g  # the slot that holds g


def _count_g(node):
    _WRITES[node] = _WRITES.get(node, 0) + 1


def _counting(cls):
    """A subclass of cls, laid out the same, whose g counts every assignment."""
    if cls not in _COUNTING:

        def set_g(node, value):
            _count_g(node)
            _G.__set__(node, value)

        g = property(_G.__get__, set_g)
        _COUNTING[cls] = type(cls.__name__, (cls,), {"__slots__": (), "g": g})
    return _COUNTING[cls]


def _call_watched(learner, root):
    """Call learner(root); return ({node: assignments to its g}, helpers it called)."""
    for node in topological_order(root):
        node.__class__ = _counting(type(node))
    forbidden = {
        alpha.topological_order.__code__: "topological_order()",
        alpha.backward_simple.__code__: "backward_simple()",
    }
    called: set[str] = set()

    def watch(frame, event, _arg):
        if event == "call" and frame.f_code in forbidden:
            called.add(forbidden[frame.f_code])

    _WRITES.clear()
    before = sys.getprofile()
    sys.setprofile(watch)
    try:
        call_learner(learner, root)
    finally:
        sys.setprofile(before)
    writes = dict(_WRITES)
    _WRITES.clear()
    return writes, called


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
        pushes, visits = alpha.stats.pushes, alpha.stats.visits
        writes, called = _call_watched(learner, root)
        if alpha.stats.pushes != pushes:
            raise Incorrect(
                "your function calls grad(), the recursive push, which pushes once per path "
                f"({alpha.stats.pushes - pushes} calls on the graph {text}); the task is to "
                "let every node push exactly once, after all its parents"
            )
        if called or alpha.stats.visits != visits:
            helper = ", ".join(sorted(called)) or "backward()"
            raise Incorrect(
                f"your function calls {helper}; the task is to write that walk yourself: "
                "count each node's parents, then push from the root, releasing a node when "
                "its last parent has pushed into it"
            )
        worst = max(writes, key=lambda n: writes[n] - edges.get(n, 0), default=None)
        if worst is not None:
            allowed = edges.get(worst, 0) + (2 if worst is root else 1)
            if writes[worst] > allowed:
                name = getattr(worst, "name", None) or f"a {worst.op} node"
                raise Incorrect(
                    f"on the graph {text}, {name} has {edges.get(worst, 0)} edge(s) from its "
                    f"parents but its g was changed {writes[worst]} times: your function "
                    "pushes once per path, like grad(), not once per node. Let a node push "
                    "only when its last parent has pushed into it, and only once"
                )
        got = [leaf.g for leaf in leaves]
        if all_close(got, want, abs_tol=1e-12):
            continue
        if root.g != 1.0:
            raise Incorrect(f"after your function root.g is {root.g}: start with root.g = 1.0")
        shown = f"the leaves got {[round(g, 6) for g in got]}, but backward() gives " + str(
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
                "parent had pushed into it, before the others; count each node's parents and "
                "release it when the count reaches 0"
            )
        raise Incorrect(
            f"on the graph {text}, {shown}. Count each node's parents first (one per edge: "
            "a * a counts twice), then let each node add node.g * d to each child, pairing "
            "node.children with node.local_grads in order, and release a child when its "
            "count reaches 0"
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
    title="backward() without topological_order: count, then push",
    checker=_check_q4,
    hint_text="Two loops, and no function that calls itself (the checker also runs a chain "
    "of 5,000 nodes). The first loop only counts; the second pushes. When may a node push?",
    more_hints=(
        "First loop: walk down from the root with a list of nodes to visit and count, for "
        "every node, its parents — one per edge, so a * a gives a two. Visit a node's "
        "children only the first time you meet it.",
        "Second loop: set root.g = 1.0 and keep a list of ready nodes, starting with [root]. "
        "For each node popped, push node.g * d to each child (zip(node.children, "
        "node.local_grads)), subtract 1 from the child's count, and append the child when "
        "its count reaches 0. Must a push replace or add?",
    ),
    solution_text=inspect.getsource(my_backward)
    + "\n# The first loop is the counting half of topological_order; the second releases a"
    "\n# node when its last parent has pushed, so its g is complete when it pushes: once.",
    answer=lambda: my_backward,
    wrong=[
        (_per_path, "once per path"),
        (_per_path_recursive, "once per path"),
        (_too_early, "first parent"),
        (_distinct_parents, "count one per edge"),
        (_recursive_order, "RecursionError"),
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
