"""Chapter 2 exercises: expression trees (Beta)."""

from __future__ import annotations

import copy
import functools
import inspect
import math
import numbers
import re
import sys

from tinyml import beta
from tinyml.beta import Const, Node, Var
from tinyml.exercises import Incorrect, NotAttempted, Question, call_learner
from tinyml.numeric import CENTRAL_STEP, GradCheck, central_difference


def _is_number(v: object) -> bool:
    return isinstance(v, numbers.Real) and not isinstance(v, bool)


# q1 ---------------------------------------------------------------------------------------

_Q1_TREE = "(+ (square (- x y)) (* 2 x))"


def _q1_answer() -> Node:
    x, y = Var(1.0, name="x"), Var(2.0, name="y")
    return beta.Add(beta.Square(beta.Sub(x, y)), beta.Mul(beta.Const(2), x))


def _canonical(node: Node, exact: bool = True) -> str:
    """The printed form, with the operands of + and * sorted: a + b and b + a read the same.

    With ``exact``, numbers are written with all their digits (2.0000001 is not 2).
    """
    show = repr if exact else _show_number
    if isinstance(node, Const):
        return show(float(node.value()))
    if not node.children:
        return str(node)
    parts = [_canonical(c, exact) for c in node.children]
    if node.op in ("+", "*"):
        parts.sort()
    extra = [show(float(node.exponent))] if node.op == "**" else []
    return "(" + " ".join([node.op, *parts, *extra]) + ")"


def _cell_variables() -> tuple[Var, Var] | None:
    """The Vars x and y of the code that called check (the exercise cell), if it has them."""
    frame = sys._getframe(1)
    while frame is not None and str(frame.f_globals.get("__name__", "")).startswith("tinyml"):
        frame = frame.f_back  # skip the checker's own frames: Question.check, grade …
    if frame is None:
        return None
    x = frame.f_locals.get("x", frame.f_globals.get("x"))
    y = frame.f_locals.get("y", frame.f_globals.get("y"))
    return (x, y) if isinstance(x, Var) and isinstance(y, Var) else None


def _show_number(v: float) -> str:
    return format(v, "g")


def _q1_variant(square, left="x", right="y") -> str:
    """The canonical form of z with the square written another way, or with x and y swapped."""
    x, y = Var(1.0, name="x"), Var(2.0, name="y")
    names = {"x": x, "y": y}
    diff = beta.Sub(names[left], names[right])
    return _canonical(beta.Add(square(diff), beta.Mul(beta.Const(2), x)))


def _same_function(answer: Node) -> bool:
    """Does the learner's tree compute (x - y)² + 2x at a few points? (x and y are restored.)"""
    found = {v.name: v for v in beta.variables(answer)}
    if set(found) != {"x", "y"}:
        return False
    x, y = found["x"], found["y"]
    start = (x.value(), y.value())
    try:
        for a, b in [(1.0, 2.0), (-0.5, 3.0), (2.5, 0.25)]:
            x.set_value(a)
            y.set_value(b)
            if not math.isclose(answer.value(), (a - b) ** 2 + 2 * a, rel_tol=1e-12):
                return False
        return True
    except (ArithmeticError, ValueError):
        return False
    finally:
        x.set_value(start[0])
        y.set_value(start[1])


def _renamed(answer: Node) -> Node:
    """The tree with its variables renamed x, y in the order they are first met (a copy)."""
    found = beta.variables(answer)
    if len(found) != 2:
        return answer
    rename = {id(found[0]): "x", id(found[1]): "y"}

    def copy(node: Node) -> Node:
        if isinstance(node, Var):
            return Var(node.value(), name=rename[id(node)])
        if not node.children:
            return node
        if isinstance(node, beta.Pow):
            return beta.Pow(copy(node.a), node.exponent)
        return type(node)(*(copy(c) for c in node.children))

    try:
        return copy(answer)
    except (TypeError, ValueError):
        return answer


def _walk(node: Node):
    """Every node of the tree, each once, children after their parent."""
    seen, stack = set(), [node]
    while stack:
        n = stack.pop()
        if id(n) not in seen:
            seen.add(id(n))
            yield n
            stack.extend(getattr(n, "children", ()))


def _check_q1(answer):
    if _is_number(answer):
        raise Incorrect(
            f"{answer!r} is a number, not an expression tree: with plain floats Python only "
            "computes; build it from Var, Const, Add, Sub, Mul and Square"
        )
    if isinstance(answer, type) and issubclass(answer, Node):
        name = answer.__name__
        raise Incorrect(f"you passed the class {name}; call it to build a node: {name}(...)")
    if isinstance(answer, str):
        raise Incorrect(
            f"{answer!r} is a string; remove the quotes: build the expression from the "
            "classes, Add(...) and the rest, with the x and y made in the cell"
        )
    if not isinstance(answer, Node):
        raise Incorrect(f"give a Beta expression, not a {type(answer).__name__}")
    found = beta.variables(answer)
    names = sorted({str(v.name) for v in found if v.name is not None})
    cells_vars = (
        "Use the x and y made in the cell, x = Var(1.0, name='x') and y = Var(2.0, "
        "name='y'), rather than new Vars, and the same x object in both places"
    )
    use_the_cells = (
        "names matter: they are how the printed tree (and this checker) tell variables "
        "apart. " + cells_vars
    )
    if any(  # a Var standing for the 2: judged by its name, never by its current value
        isinstance(c, Var) and c.name not in ("x", "y") and c.value() == 2.0
        for node in _walk(answer)
        if isinstance(node, beta.Mul)
        for c in node.children
    ):
        raise Incorrect(
            f"your tree {answer} makes the 2 of 2x a variable; the 2 is a constant: Const(2). "
            "A Var is something you differentiate with respect to; a fixed number is a Const"
        )
    if any(v.name is None for v in found):
        raise Incorrect(
            f"your tree {answer} has variables without names (printed as <var …>); "
            + use_the_cells
        )
    if names != ["x", "y"] and _canonical(_renamed(answer)) == _canonical(_q1_answer()):
        if len(names) < len(found):  # two different Vars share a name: say where the new one is
            where, want = _first_difference(answer, _q1_answer()).split(" should be ")
            twice = next(n for n in names if [v.name for v in found].count(n) > 1)
            raise Incorrect(
                f"the shape is right, but {where} is a second Var named {twice}; it should be "
                f"{want.split(';')[0]}. " + cells_vars
            )
        cell = _cell_variables()
        if cell and {id(v) for v in found} == {id(v) for v in cell}:  # the cell's, renamed
            raise Incorrect(
                f"the shape is right, and these are the cell's x and y objects, but you renamed "
                f"them {', '.join(names)}: keep the cell's line x, y = Var(1.0, name='x'), "
                "Var(2.0, name='y') as it is, and use those objects"
            )
        raise Incorrect(
            f"the shape is right, but your variables are new Vars named {', '.join(names)}, "
            "not the x and y made in the cell: z.grad(x) with the cell's x would be 0. "
            + cells_vars
        )
    got = _canonical(answer)
    if got == _canonical(_q1_answer()):
        names = [v.name for v in beta.variables(answer)]
        for name in sorted({n for n in names if names.count(n) > 1}, key=str):
            raise Incorrect(
                f"your tree holds two different Vars named {name}: z.grad({name}) would miss "
                f"one of them. Create {name} once and use that same object in both places"
            )
        cell = _cell_variables()
        strangers = [v for v in found if cell and not any(v is c for c in cell)]
        if strangers:
            name = strangers[0].name
            raise Incorrect(
                f"the shape is right, but the {name} in your tree is a new Var, not the {name} "
                f"made in the cell: z.grad({name}) with the cell's {name} would be 0. "
                + cells_vars
            )
        return  # operands of + and * may come in either order: 2·x and x·2 are the same tree
    if _canonical(answer, exact=False) == _canonical(_q1_answer(), exact=False):
        consts = [repr(c.value()) for c in _constants(answer) if c.value() != 2]
        raise Incorrect(
            "your tree prints like the tree of z = (x - y)² + 2x, but its constant is "
            f"{', '.join(consts)}, not exactly 2: printing rounds numbers to 6 significant "
            "digits. Use Const(2)"
        )
    if got == _q1_variant(lambda d: beta.Pow(d, 2)):
        raise Incorrect(
            "your tree squares with a Pow node (Pow(..., 2), which ** 2 builds too); the "
            "exercise asks for a Square node: Square(Sub(x, y))"
        )
    if got == _q1_variant(lambda d: beta.Mul(d, d)):
        raise Incorrect(
            "Mul(Sub(x, y), Sub(x, y)) computes the same number, but the exercise asks for the "
            "square as one node: Square(Sub(x, y))"
        )
    if got == _q1_variant(beta.Square, "y", "x"):
        raise Incorrect(
            "(y - x)² has the same value, but the formula says (x - y)²: Sub(a, b) is a - b, "
            "so write Sub(x, y) (for Sub the order of the operands matters)"
        )
    printed = str(answer)
    difference = _first_difference(answer, _q1_answer())
    if _same_function(answer):
        raise Incorrect(
            f"your tree {printed} computes the same function, but it is not the tree of "
            "z = (x - y)² + 2x node for node: build it as written. The first difference: "
            + difference
        )
    raise Incorrect(
        f"your tree prints as {printed}. The first difference from the tree of "
        f"z = (x - y)² + 2x: {difference}"
    )


def _describe(node: Node) -> str:
    if isinstance(node, Const):
        return f"the constant {_show_number(float(node.value()))}"
    if isinstance(node, Var):
        return f"the variable {node.name}"
    return _node_name(node)


def _node_name(node: Node) -> str:
    """The node by its class, with its printed op when that differs: an Add node (printed +).

    A bare "a + node" read as the + operator rather than a node of the tree.
    """
    name = type(node).__name__
    article = "an" if name[:1] in "AEIOU" else "a"
    op = getattr(node, "op", "")
    return f"{article} {name} node" + ("" if op == name.lower() else f" (printed {op})")


def _first_difference(got: Node, want: Node, where: str = "the root") -> str:
    """Where the learner's tree first departs from the target, walking down from the root.

    Names one difference without printing the whole target (that would be the answer).
    Operands of + and * match in either order. Returns "" when the trees are the same.
    """
    same_kind = type(got) is type(want) and getattr(got, "op", None) == getattr(want, "op", None)
    if isinstance(want, Const):
        same = same_kind and got.value() == want.value()
    elif isinstance(want, Var):
        same = isinstance(got, Var) and got.name == want.name
    else:
        same = same_kind and len(got.children) == len(want.children)
    if not same:
        return f"{where} should be {_describe(want)}; yours is {_describe(got)}"
    mine, target = list(got.children), list(want.children)
    if want.op in ("+", "*") and len(target) == 2:
        if _canonical(mine[0]) == _canonical(target[1]) or _canonical(mine[1]) == _canonical(
            target[0]
        ):
            target.reverse()
    names = ["the operand"] if len(target) == 1 else ["the left operand", "the right operand"]
    if want.op in ("+", "*") and len(target) == 2:  # either order: "left" would be odd
        names = [f"one operand of the {type(want).__name__}"] * 2
    for name, g, w in zip(names, mine, target, strict=True):
        if _canonical(g) != _canonical(w):
            return _first_difference(g, w, f"in your {got}, {name}")
    return ""


def _constants(node: Node) -> list[Const]:
    if isinstance(node, Const):
        return [node]
    return [c for child in node.children for c in _constants(child)]


def _q1_tree(build):
    return build(Var(1.0, name="x"), Var(2.0, name="y"))


def _value_as_the_function(expr, x):  # a typical slip: expr.value takes no number
    return expr.grad(x), central_difference(expr.value, x.value())


def _q1_tree_named(first, second):
    a, b = Var(1.0, name=first), Var(2.0, name=second)
    return beta.Add(beta.Square(beta.Sub(a, b)), beta.Mul(beta.Const(2), a))


q1 = Question(
    title="Build a tree by hand",
    checker=_check_q1,
    hint_text="Work from the outside in: which operation comes last in the formula "
    "(x - y)² + 2·x? That is the root of the tree.",
    more_hints=(
        "The root is the addition, an Add node. Its left operand is the square of (x - y), its "
        "right operand is the product of the constant 2 and x.",
        "Use the node classes directly: Add(Square(Sub(...)), Mul(Const(...), ...)), with the "
        "x and y made in the cell (the same x object both times).",
    ),
    solution_text=(
        "x, y = Var(1.0, name='x'), Var(2.0, name='y')\n"
        "answer = Add(Square(Sub(x, y)), Mul(Const(2), x))"
    ),
    answer=_q1_answer,
    wrong=[
        (5.0, "plain floats"),
        (_q1_tree(lambda x, y: (x - y) ** 2 + 2 * x), "Square node"),
        (
            _q1_tree(lambda x, y: beta.Add(beta.Pow(beta.Sub(x, y), 2), beta.Mul(Const(2), x))),
            "squares with a Pow node (Pow(..., 2), which ** 2 builds too)",
        ),
        (_q1_tree(lambda x, y: beta.Mul(x - y, x - y) + 2 * x), "Square(Sub(x, y))"),
        (_q1_tree(lambda x, y: beta.Square(y - x) + 2 * x), "order of the operands matters"),
        (_q1_tree(lambda x, y: beta.Square(x - y) + x + x), "same function"),
        (
            _q1_tree(lambda x, y: x * y),
            "the root should be an Add node (printed +); yours is a Mul node (printed *)",
        ),
        (
            _q1_tree(lambda x, y: beta.Square(x - y) + 3 * x),
            "in your (* 3 x), one operand of the Mul should be the constant 2; yours is the "
            "constant 3",
        ),
        (
            _q1_tree(lambda x, y: beta.Square(x + y) + 2 * x),
            "in your (square (+ x y)), the operand should be a Sub node (printed -); yours is an "
            "Add node (printed +)",
        ),
        (
            _q1_tree(lambda x, y: beta.Square(x - y) + x + x),
            "one operand of the Add should be a Square node; yours is an Add node (printed +)",
        ),
        (
            _q1_tree(lambda x, y: beta.Square(x - y) + 2 * Var(1.0, name="x")),
            "two different Vars named x",
        ),
        (
            beta.Add(beta.Square(beta.Sub(Var(1.0), Var(2.0))), beta.Mul(beta.Const(2), Var(1.0))),
            "without names",
        ),
        (_q1_tree_named("a", "b"), "new Vars named a, b, not the x and y made in the cell"),
        (
            _q1_tree(lambda x, y: beta.Add(beta.Square(x - Var(2.0, name="x")), 2 * x)),
            "the right operand is a second Var named x; it should be the variable y",
        ),
        (
            _q1_tree(lambda x, y: beta.Square(x - y) + beta.Mul(Const(2.0000001), x)),
            "not exactly 2",
        ),
        ("(+ (square (- x y)) (* 2 x))", "is a string; remove the quotes"),
        (beta.Add, "you passed the class Add; call it to build a node: Add(...)"),
    ],
)

# q2 ---------------------------------------------------------------------------------------


class _Cube(Node):
    """a³"""

    op = "cube"

    def __init__(self, a):
        self.a = a if isinstance(a, Node) else Const(a)  # what Square's _node(a) does
        self.children = (self.a,)

    def value(self):
        a = self.a.value()
        return a * a * a  # as Square computes a * a

    def grad(self, x):
        a = self.a.value()
        return 3 * a * a * self.a.grad(x)


_Q2_POINTS = [-1.5, -0.3, 0.7, 1 / 3, 2.0, 12.0]  # 12: |a| >= 10 too; 1/3: a cube no rounding hits


def _not_a_node(got, method, child=None, x=None):
    """A returned expression instead of a number: the child's value() was forgotten."""
    if isinstance(got, Node) and x is not None and x is not child:
        nodes = list(_walk(got))
        if any(n is x for n in nodes) and not any(n is child for n in nodes):
            raise Incorrect(
                f"{method} returned the expression {got} — a tree, not a number, built on "
                f"x: x is the Var you differentiate with respect to; the rule needs the "
                "child's value, self.a.value(), and its grad, self.a.grad(x)"
            )
    if isinstance(got, Const):
        raise Incorrect(
            f"{method} returned a Const node, Const({got.value()!r}), not a number: return "
            "the number itself, without wrapping it in Const"
        )
    if isinstance(got, Node):
        raise Incorrect(
            f"{method} returned the expression {got} — a tree, not a number. self.a is a "
            "node, and arithmetic on a node builds a new node; work with the child's number, "
            "self.a.value(), instead"
        )


def _q2_call(node, method, *args, call):
    """node.method(*args) for the learner, and the names of the Beta nodes it built on the way."""
    return _q2_traced(lambda: getattr(node, method)(*args), call=call)


def _q2_traced(work, call):
    """work() for the learner, and the names of the Beta nodes it built on the way."""
    built: list[str] = []
    beta_file = beta.__file__

    def tracer(frame, event, arg):
        if event == "call" and frame.f_code.co_name == "__init__":
            if frame.f_code.co_filename == beta_file:
                built.append(type(frame.f_locals.get("self")).__name__)
        return None

    old = sys.gettrace()
    sys.settrace(tracer)
    try:
        got = call_learner(work, call=call)
    finally:
        sys.settrace(old)
    return got, built


def _q2_own_methods(cube):
    """value() and grad(x) must be written on the learner's class, not inherited from Beta's."""
    inherited = {}
    for method in ("value", "grad"):
        owner = next(k for k in cube.__mro__ if method in vars(k))
        if owner is not Node and owner.__module__ == beta.__name__:
            inherited[method] = owner.__name__
    if inherited:
        what = " and ".join(f"{m}()" if m == "value" else f"{m}(x)" for m in inherited)
        owners = " and ".join(sorted(set(inherited.values())))
        raise Incorrect(
            f"your Cube inherits {what} from {owners}, so {owners} does the work: subclass "
            "Node, as the template does, and write value() and grad(x) in Cube itself, with "
            "numbers — the child's value(), and in grad(x) its grad(x)"
        )


def _q2_no_nodes_built(built, method):
    if built:
        names = sorted(set(built))
        if len(names) == 1:
            what = f"a {names[0]} node and lets it"
        else:
            what = " and ".join(names) + " nodes and lets them"
        raise Incorrect(
            f"{method} builds {what} do the work: write the rule "
            "yourself, with numbers — the child's value(), and in grad(x) its grad(x)"
        )


_Q2_NO_V = "only Const and Var have .v; ask any child for self.a.value()"


def _check_q2(cube):
    try:
        _check_q2_methods(cube)
    except Incorrect as err:  # .v works on the leaves only: say so, not just AttributeError
        if "AttributeError" in str(err) and "attribute 'v'" in str(err):
            raise Incorrect(f"{err}: {_Q2_NO_V}") from None
        if (
            "Cube(2x + y).grad(x) raised TypeError: grad(x) differentiates with respect to a "
            "Var; got Add(" in str(err)
        ):  # e.g. self.a.grad(self.a): the child, not x
            raise Incorrect(
                "calling Cube(2x + y).grad(x) raised TypeError: your grad(x) asked for a "
                "derivative with respect to the child 2x + y (as self.a.grad(self.a) does), "
                "but grad takes a Var. Pass x on: self.a.grad(x)"
            ) from None
        for method, child in (("value()", "self.a.value()"), ("grad(x)", "self.a.grad(x)")):
            deep = ("RecursionError", "ValueError: value() went deeper", "ValueError: grad")
            if any(f".{method} raised {what}" in str(err) for what in deep):
                call = str(err).split(" raised ")[0]
                raise Incorrect(
                    f"{call} never returned: {method} calls itself (self.{method}) without "
                    f"end; ask the child: {child}"
                ) from None
        raise


def _check_q2_methods(cube):
    if isinstance(cube, type) and not issubclass(cube, Node):
        raise Incorrect(
            "Cube must subclass Beta's Node: write class Cube(Node):, with Node from "
            "tinyml.beta, so that it gets children, printing and the operators"
        )
    if not isinstance(cube, type):
        what = "an instance" if isinstance(cube, Node) else f"a {type(cube).__name__}"
        raise Incorrect(f"pass your class Cube itself, e.g. ch02.q2.check(Cube), not {what}")
    _q2_own_methods(cube)
    x, y = Var(1.0, name="x"), Var(0.5, name="y")
    node, built = _q2_traced(lambda: cube(x), call="calling Cube(x)")
    _q2_no_nodes_built(built, "your __init__")
    _q2_children(node, x)
    for t in _Q2_POINTS:
        x.set_value(t)
        node = call_learner(lambda: cube(x), call="calling Cube(x)")
        got, built = _q2_call(node, "value", call="calling Cube(x).value()")
        _not_a_node(got, "value()")
        _q2_no_nodes_built(built, "value()")
        if not _is_number(got) or not math.isclose(got, t**3, rel_tol=1e-12):
            raise Incorrect(
                f"at x = {t}, Cube(x).value() gave {got!r}; expected x³ = {t**3!r}"
                + _q2_slip_of_form(got, t**3)
                + _q2_not_exact(got, t**3, _Q2_VALUE_RULE)
            )
        inner = beta.Mul(beta.Const(2), x) + y  # a Cube of an expression: the chain rule counts
        node = call_learner(lambda inner=inner: cube(inner), call="calling Cube(2x + y)")
        got = call_learner(node.value, call="calling Cube(2x + y).value()")
        want = (2 * t + 0.5) ** 3
        if not _is_number(got) or not math.isclose(got, want, rel_tol=1e-12):
            raise Incorrect(
                f"at x = {t}, y = 0.5, Cube(2x + y).value() gave {got!r}; expected (2x + y)³ = "
                f"{want!r}: the child may be a whole expression; {_Q2_VALUE_RULE}"
            )
        want = 3 * (2 * t + 0.5) ** 2 * 2
        try:
            got, built = _q2_call(node, "grad", x, call="calling Cube(2x + y).grad(x)")
        except NotAttempted:
            raise NotAttempted(
                "value() is right; grad(x) still raises NotImplementedError"
            ) from None
        _not_a_node(got, "grad(x)", inner, x)
        _q2_no_nodes_built(built, "grad(x)")
        at = f"at x = {t}, y = 0.5"
        if not _is_number(got):
            raise Incorrect(
                f"{at}, Cube(2x + y).grad(x) returned {got!r}, not a number"
                + _q2_slip_of_form(got, want)
            )
        if math.isclose(got, want / 2, rel_tol=1e-9):
            raise Incorrect(
                f"{at}, Cube(2x + y).grad(x) gave {got!r}; expected {want!r}. Yours is the "
                "derivative with respect to the inner 2x + y, not to x: the chain "
                "rule takes you on to x (the a' in the table of rules, section 6)"
            )
        if not math.isclose(got, want, rel_tol=1e-9):
            raise Incorrect(
                f"{at}, Cube(2x + y).grad(x) gave {got!r}; expected {want!r}"
                + (_q2_zero_note(cube, x, inner, t) if got == 0 else "")
                + _q2_slip_of_form(got, want)
                + _q2_known_slip(got, 2 * t + 0.5, 2.0, t)
                + _q2_not_exact(got, want, _Q2_RULE)
            )
        other = call_learner(
            lambda inner=inner: cube(inner).grad(y), call="calling Cube(2x + y).grad(y)"
        )
        if not (_is_number(other) and math.isclose(other, want / 2, rel_tol=1e-9)):
            raise Incorrect(
                f"{at}, Cube(2x + y).grad(y) gave {other!r}; expected {want / 2!r}"
                + _q2_not_exact(other, want / 2, _Q2_RULE)
            )
        falling = y - beta.Mul(beta.Const(2), x)  # a' = -2 < 0: the sign of a' counts too
        want = 3 * (0.5 - 2 * t) ** 2 * -2
        got = call_learner(
            lambda falling=falling: cube(falling).grad(x), call="calling Cube(y - 2x).grad(x)"
        )
        if not (_is_number(got) and math.isclose(got, want, rel_tol=1e-9)):
            flipped = _is_number(got) and math.isclose(got, -want, rel_tol=1e-9)
            raise Incorrect(
                f"{at}, Cube(y - 2x).grad(x) gave {got!r}; expected {want!r}"
                + (
                    ": the sign is lost. y - 2x falls as x grows, so a.grad(x) is -2; "
                    "multiply by self.a.grad(x) as it is"
                    if flipped
                    else _q2_not_exact(got, want, _Q2_RULE)
                )
            )
    for t in _Q2_POINTS:  # after the straight-line children, whose messages come first
        x.set_value(t)
        _q2_curved_child(cube, x, y, f"at x = {t}, y = 0.5")
    unrelated = call_learner(lambda: cube(y).grad(x), call="calling Cube(y).grad(x)")
    if not (_is_number(unrelated) and unrelated == 0):
        raise Incorrect(
            f"Cube(y).grad(x) gave {unrelated!r}; expected 0: y³ does not change when x does. "
            "The chain rule gives it for free: y.grad(x) is 0, so 3·y²·y.grad(x) is 0 too"
        )
    _q2_at_zero_and_constant(cube, x)
    _q2_nothing_cached(cube, x, y)


def _q2_children(node, x):
    """Cube(x).children must be (x,): printing, variables() and gradient() walk it."""
    children = getattr(node, "children", None)
    if isinstance(children, (tuple, list)) and len(children) == 1 and children[0] is x:
        return
    why = ""
    try:  # what the missing child costs, as far as it can be shown
        why = f": print shows Cube(x) as {node}"
        if not beta.variables(node):
            why += ", and variables(Cube(x)) is [], so gradient(Cube(x)) is []"
    except Exception:  # noqa: BLE001 - children so odd that printing fails: say only that
        pass
    raise Incorrect(
        f"Cube(x).children is {children!r}, not (x,){why}; keep the template's line "
        "self.children = (self.a,) in __init__"
    )


def _q2_curved_child(cube, x, y, at):
    """A child whose own derivative is no straight line: there an approximated a' shows."""
    curved = beta.Tanh(x) * y
    want = 3 * curved.value() ** 2 * curved.grad(x)  # a', and so 3a²a', exact up to rounding
    got = call_learner(lambda: cube(curved).grad(x), call="calling Cube(tanh(x) * y).grad(x)")
    if not (_is_number(got) and math.isclose(got, want, rel_tol=1e-12, abs_tol=1e-300)):
        raise Incorrect(
            f"{at}, Cube(tanh(x) * y).grad(x) gave {got!r}; expected {want!r}"
            + _q2_not_exact(got, want, _Q2_RULE)
        )


_Q2_VALUE_RULE = "cube the child's value(), which is exact"
_Q2_RULE = "use the rule 3a²·a' with the child's value() and grad(x), which is exact"


def _q2_slips(a, da, xv):
    """(what a slip's grad(x) gives, the end of its message), in the order they are tried:
    another rule's (Square's, a' squared), a in place of a', or x's value (xv) in place of
    the child's or of a'."""
    x_slips = []
    if xv is not None and xv != a:  # where x's value differs from the child's
        x_slips = [
            (3 * xv**2 * da, ": you used x's value; use the child's, self.a.value(), in 3a²·a'"),
            (
                3 * xv**2,
                ": that is 3x², with x's value and no chain-rule factor; use the child's "
                "value, self.a.value(), and its grad, self.a.grad(x): 3a²·a'",
            ),
        ]
    if xv is not None and xv != da:  # x's value in place of a'
        x_slips.append(
            (
                3 * a**2 * xv,
                ": that is 3a²·x; you multiplied by x's value, x.value(), but the chain rule "
                "multiplies by the child's grad, a' = self.a.grad(x): 3a²·a'",
            )
        )
    return [
        (3 * a**3, ": that is 3a²·a; the chain-rule factor is a' = self.a.grad(x), not a"),
        (3 * a**3 * da, ": that is 3a³·a'; you used a³ where the rule needs a²: 3a²·a'"),
        (
            a**3 * da,
            ": that is a³·a'; you kept a³ itself where the chain rule needs its "
            "derivative, d(a³)/da = 3a²: 3a²·a'",
        ),
        *x_slips,
        (
            da,
            ": that is a' alone; you kept the chain-rule factor a' = self.a.grad(x) but "
            "dropped d(a³)/da = 3a²: 3a²·a'",
        ),
        (2 * a * da, ": that is Square's rule 2a·a'; the cube's is 3a²·a'"),
        (2 * a**2 * da, ": that is 2a²·a'; d(a³)/da = 3a², so the constant is 3: 3a²·a'"),
        (3 * a * da, ": that is 3a·a'; the rule is 3a²·a', with the child's value squared"),
        (3 * da**2, ": you squared a' (the child's grad), not a (the child's value): 3a²·a'"),
        (a**2 * da, ": d(a³)/da = 3a², so a factor 3 is missing: 3a²·a'"),
        (3 * a**2 * da**2, ": a' enters once, not squared: 3a²·a'"),
    ]


def _q2_known_slip(got, a, da, xv=None) -> str:
    """The end of a message for a grad that is a known slip's (xv: x's value), or ""."""
    if not _is_number(got):
        return ""
    slips = _q2_slips(a, da, xv)
    return next((end for value, end in slips if math.isclose(got, value, rel_tol=1e-9)), "")


def _q2_zero_note(cube, x, inner, t) -> str:
    """Why Cube(2x + y).grad(x) gave 0: x looked for only as the child itself (Cube(x) is
    right), or a grad gated on the child's sign (right where a > 0)."""
    direct = call_learner(lambda: cube(x).grad(x), call="calling Cube(x).grad(x)")
    if _is_number(direct) and math.isclose(direct, 3 * t**2, rel_tol=1e-9):
        return ": a may contain x deeper down, not only be x itself (see ch02.q2.hint(3))"
    a = inner.value()
    if a < 0:
        x.set_value(1.0)  # a = 2.5 > 0 there
        try:
            positive = call_learner(
                lambda: cube(inner).grad(x), call="calling Cube(2x + y).grad(x)"
            )
        finally:
            x.set_value(t)
        if _is_number(positive) and math.isclose(positive, 37.5, rel_tol=1e-9):
            return f": it gave 0 where a = {a!r} < 0, but the rule 3a²·a' holds for every a"
    return ""


def _q2_slip_of_form(got, want) -> str:
    """The end of a message for a missing return (None) or a result rounded to a whole
    number (int(), round(), //), where the right value is not whole."""
    if got is None:
        return ": did you forget the return?"
    if (
        _is_number(got)
        and float(got).is_integer()
        and not float(want).is_integer()
        and abs(got - want) < 1
    ):
        return (
            f": {got!r} is {want!r} rounded to a whole number. Return the float as it is, "
            "without int(), round() or //"
        )
    return ""


def _q2_not_exact(got, want, rule) -> str:
    """The end of a message for a number close to, but not, the exact one: an approximation."""
    if _is_number(got) and math.isclose(got, want, rel_tol=1e-4, abs_tol=1e-6):
        return f": close, but not exact. Did you approximate it numerically? Instead {rule}"
    return ""


def _q2_at_zero_and_constant(cube, x):
    """At a = 0 the derivative is 0 (no division by a), and a constant's cube has none."""
    x.set_value(0.0)
    node = call_learner(lambda: cube(x), call="calling Cube(x)")
    for ask, method, want, rule in (
        (node.value, "value()", "x³", _Q2_VALUE_RULE),
        (lambda: node.grad(x), "grad(x)", "3x²·1", _Q2_RULE),
    ):
        got = call_learner(
            ask,
            call=f"calling Cube(x).{method} at x = 0",
            advice=f"self.a.value() can be 0, so don't divide by it or take its log: {rule}",
        )
        if not (_is_number(got) and got == 0):
            raise Incorrect(
                f"at x = 0, Cube(x).{method} gave {got!r}; expected {want} = 0"
                + _q2_not_exact(got, 0.0, rule)
            )
    x.set_value(1.0)
    const = call_learner(lambda: cube(Const(3)).grad(x), call="calling Cube(Const(3)).grad(x)")
    if not (_is_number(const) and const == 0):
        raise Incorrect(
            f"Cube(Const(3)).grad(x) gave {const!r}; expected 0: 27 does not change when x "
            "does. The chain rule gives it for free: Const(3).grad(x) is 0, so "
            "3·a²·a.grad(x) is 0 too; no special case is needed"
        )


def _q2_nothing_cached(cube, x, y):
    """One node asked again after x moves, and for another variable, must answer afresh."""
    x.set_value(1.0)
    node = call_learner(lambda: cube(x), call="calling Cube(x)")
    before = call_learner(node.value, call="calling Cube(x).value()")
    x.set_value(2.0)
    again = call_learner(node.value, call="calling Cube(x).value()")
    if not (_is_number(again) and math.isclose(again, 8.0, rel_tol=1e-12)):
        raise Incorrect(
            f"one Cube(x) gave value() {before!r} at x = 1, then {again!r} after "
            "x.set_value(2.0), not 8.0: your value() caches its first result. Compute it "
            "from self.a.value() on every call; nothing in Beta is cached"
        )
    node = call_learner(lambda: cube(beta.Mul(beta.Const(2), x) + y), call="calling Cube(2x + y)")
    first = call_learner(lambda: node.grad(x), call="calling Cube(2x + y).grad(x)")
    other = call_learner(lambda: node.grad(y), call="calling Cube(2x + y).grad(y)")
    want = 3 * (2 * 2.0 + 0.5) ** 2
    if not (_is_number(other) and math.isclose(other, want, rel_tol=1e-9)):
        raise Incorrect(
            f"at x = 2, y = 0.5, one Cube(2x + y) gave grad(x) = {first!r}, then grad(y) = "
            f"{other!r}, not {want!r}: your grad caches its first result. Compute it afresh "
            "on every call, from self.a.value() and self.a.grad(x) for the x you are given"
        )
    x.set_value(1.0)
    moved = call_learner(lambda: node.grad(x), call="calling Cube(2x + y).grad(x)")
    want = 3 * (2 * 1.0 + 0.5) ** 2 * 2
    if not (_is_number(moved) and math.isclose(moved, want, rel_tol=1e-9)):
        raise Incorrect(
            f"one Cube(2x + y) gave grad(x) = {first!r} at x = 2 and {moved!r} after "
            f"x.set_value(1.0), not {want!r}: your grad caches its first result. Compute it "
            "afresh on every call"
        )


class _CubeNoChain(_Cube):
    def grad(self, x):
        return 3 * self.a.value() ** 2


class _CubeSquare(_Cube):
    def value(self):
        return self.a.value() ** 2


class _CubeNoValue(_Cube):
    def value(self):
        return self.a**3


class _CubeMisspelt(_Cube):
    def value(self):
        return self.a.valu() ** 3


class _CubeViaPow(_Cube):  # hands the work to Pow
    def value(self):
        return beta.Pow(self.a, 3).value()

    def grad(self, x):
        return beta.Pow(self.a, 3).grad(x)


class _CubeGradViaMul(_Cube):  # a right value(), but grad(x) built from Square and Mul nodes
    def grad(self, x):
        return beta.Mul(beta.Square(self.a), self.a).grad(x)


class _CubeOneForOthers(_Cube):  # a reader's: grad 1 with respect to a variable not in the tree
    def grad(self, x):
        return 3 * self.a.value() ** 2 * self.a.grad(x) if x in beta.variables(self) else 1


class _CubeValueCached(_Cube):  # a reader's: value() keeps its first result
    def value(self):
        if not hasattr(self, "_c"):
            self._c = self.a.value() ** 3
        return self._c


class _CubeGradCached(_Cube):  # grad(y) returns grad(x)'s number
    def grad(self, x):
        if not hasattr(self, "_g"):
            self._g = 3 * self.a.value() ** 2 * self.a.grad(x)
        return self._g


class _CubeGradCachedPerVar(_Cube):  # a cache per variable: stale once x moves
    def grad(self, x):
        self._g = getattr(self, "_g", {})
        if x not in self._g:
            self._g[x] = 3 * self.a.value() ** 2 * self.a.grad(x)
        return self._g[x]


class _CubeDividesByA(_Cube):  # a reader's: right except where a = 0
    def grad(self, x):
        return 3 * self.value() / self.a.value() * self.a.grad(x)


class _CubeOneForConst(_Cube):  # a reader's: 1 for a Const child
    def grad(self, x):
        extra = 0 if x in self.children or not isinstance(self.a, Const) else 1
        return 3 * self.a.value() ** 2 * self.a.grad(x) + extra


class _CubeNumericGrad(_Cube):  # a reader's: a central difference inside grad
    def grad(self, x):
        start = x.value()

        def f(t):
            x.set_value(t)
            return self.value()

        g = central_difference(f, start)
        x.set_value(start)
        return g


class _CubeNumericGradWideStep(_Cube):  # a central difference with h = 1e-2: 2e-5 off
    def grad(self, x):
        start = x.value()

        def f(t):
            x.set_value(t)
            return self.value()

        g = central_difference(f, start, 1e-2)
        x.set_value(start)
        return g


class _CubeValueAsConst(_Cube):  # a reader's, exactly: value() wrapped in a Const
    def value(self):
        return Const(self.a.value() ** 3)


class _CubeValueTimesGrad(_Cube):  # a reader's: a³·a', the value in place of 3a²
    def grad(self, x):
        return self.a.value() ** 3 * self.a.grad(x)


class _CubeAbsChain(_Cube):  # a reader's: right whenever a' > 0
    def grad(self, x):
        return 3 * self.a.value() ** 2 * abs(self.a.grad(x))


class _CubeInheritsPow(beta.Pow):  # a reader's: Pow's value() and grad(x) do the work
    def __init__(self, a):
        super().__init__(a, 3)


class _CubeNotANode:  # a reader's: right methods, but `class Cube:` without Node
    op = "cube"

    def __init__(self, a):
        self.a = a if isinstance(a, Node) else Const(a)
        self.children = (self.a,)

    def value(self):
        return self.a.value() ** 3

    def grad(self, x):
        return 3 * self.a.value() ** 2 * self.a.grad(x)


class _CubePowInInit(Node):  # a reader's: a Pow built in __init__ does the work
    op = "cube"

    def __init__(self, a):
        self.a = a if isinstance(a, Node) else Const(a)
        self.children = (self.a,)
        self._p = beta.Pow(self.a, 3)

    def value(self):
        return self._p.value()

    def grad(self, x):
        return self._p.grad(x)


class _CubeSquaresRule(_Cube):  # a reader's: Square's rule copied, 2a·a'
    def grad(self, x):
        return 2 * self.a.value() * self.a.grad(x)


class _CubeSquaresTheGrad(_Cube):  # a reader's: a' squared instead of a
    def grad(self, x):
        return 3 * self.a.grad(x) ** 2


class _CubeGradNotWritten(_Cube):
    def grad(self, x):
        raise NotImplementedError("grad(x): your code here")


class _CubeValueOfLeaves(_Cube):  # a reader's: .v, which only Const and Var have
    def value(self):
        return self.a.v**3


class _CubeFirstChildV(_Cube):  # a reader's: the same through children
    def value(self):
        return self.children[0].v ** 3


class _CubeGradOfLeaves(_Cube):  # .v in grad(x) too
    def grad(self, x):
        return 3 * self.a.v**2 * self.a.grad(x)


class _CubeOnlyIfChildIsX(_Cube):  # a reader's: 3a² when the child is x itself, else 0
    def grad(self, x):
        return 3 * self.a.value() ** 2 if x is self.a else 0


class _CubeNumericChildGrad(_Cube):  # a reader's, exactly: only a' approximated numerically
    def grad(self, x):
        x0 = x.value()

        def f(v):
            x.set_value(v)
            r = self.a.value()
            x.set_value(x0)
            return r

        return 3 * self.a.value() ** 2 * central_difference(f, x0)


class _CubeNoThree(_Cube):  # a reader's: the 3 left out
    def grad(self, x):
        return self.a.value() ** 2 * self.a.grad(x)


class _CubeGradSquaredToo(_Cube):  # a reader's: a' squared as well
    def grad(self, x):
        return 3 * self.a.value() ** 2 * self.a.grad(x) ** 2


class _CubeValueRecurses(_Cube):  # a reader's: value() asks itself, not the child
    def value(self):
        return self.value() ** 3


class _CubeValueRecursesLate(_Cube):  # the same, set on the class afterwards, as a reader did
    pass


_CubeValueRecursesLate.value = lambda self: self.value() ** 3


class _CubeGradOfX(_Cube):  # a reader's: x, the Var, in place of the child's value
    def grad(self, x):
        return 3 * x**2 * self.a.grad(x)


class _CubeValueOfSelf(_Cube):  # a reader's, exactly: self.value() (a³) in place of a²
    def grad(self, x):
        return 3 * self.value() * self.a.grad(x)


class _CubeCubesA(_Cube):  # a reader's: a³ from the child, 3a³·a'
    def grad(self, x):
        return 3 * self.a.value() ** 3 * self.a.grad(x)


class _CubeChainFactorOnly(_Cube):  # a reader's: only the chain-rule factor a'
    def grad(self, x):
        return self.a.grad(x)


class _CubeNoChildren(Node):  # a reader's, exactly: the template's children line removed
    op = "cube"

    def __init__(self, a):
        self.a = a if isinstance(a, Node) else Const(a)  # children line removed

    def value(self):
        return self.a.value() ** 3

    def grad(self, x):
        return 3 * self.a.value() ** 2 * self.a.grad(x)


class _CubeXValueNoChain(_Cube):  # a reader's, exactly: x's value and no a'
    def grad(self, x):
        return 3 * x.value() ** 2


class _CubeTimesXValue(_Cube):  # a reader's, exactly: x's value in place of a'
    def grad(self, x):
        return 3 * self.a.value() ** 2 * x.value()


class _CubeGradToInt(_Cube):  # a reader's (s6e): "gave 37; expected 37.5", with no reason
    def grad(self, x):
        return int(3 * self.a.value() ** 2 * self.a.grad(x))


class _CubeValueNoReturn(_Cube):  # a reader's (s6e): "gave None", with no reason
    def value(self):
        self.a.value() ** 3


class _CubeThreeA(_Cube):  # a reader's: 3a·a', the square left out
    def grad(self, x):
        return 3 * self.a.value() * self.a.grad(x)


class _CubeGradNoValue(_Cube):
    def grad(self, x):
        return 3 * self.a**2 * self.a.grad(x)


q2 = Question(
    title="Add a node type: Cube",
    checker=_check_q2,
    hint_text="Model Cube on Square: what does Square's value() ask its child for, and "
    "what does its grad(x) multiply?",
    more_hints=(
        "value(): the child's value to the third power. grad(x): d(a³)/da = 3a²; but "
        "grad(x) asks for d/dx, and a may depend on x (the a' in the table of rules).",
        "The child a may itself be an expression, so by the chain rule multiply by its "
        "derivative: 3 · a.value() ** 2 · a.grad(x).",
    ),
    solution_text=inspect.getsource(_Cube).replace("_Cube", "Cube"),
    answer=lambda: _Cube,
    wrong=[
        (_CubeNoChain, "gave 18.75; expected 37.5. Yours is the derivative with respect to"),
        (_CubeSquare, "expected x³"),
        (_CubeNoValue, "self.a.value()"),
        (_CubeGradNoValue, "grad(x) returned the expression"),
        (_CubeViaPow, "value() builds a Pow node and lets it do the work"),
        (_CubeGradViaMul, "grad(x) builds Mul and Square nodes and lets them do the work"),
        (_CubeOneForOthers, "Cube(y).grad(x) gave 1; expected 0"),
        (_CubeMisspelt, "calling Cube(x).value() raised AttributeError"),
        (_CubeValueCached, "your value() caches its first result"),
        (_CubeGradCached, "then grad(y) = 121.5, not 60.75: your grad caches"),
        (_CubeGradCachedPerVar, "after x.set_value(1.0), not 37.5: your grad caches"),
        (_CubeDividesByA, "at x = 0 raised ZeroDivisionError"),
        (_CubeOneForConst, "Cube(Const(3)).grad(x) gave 1.0; expected 0"),
        (_CubeNumericGrad, "close, but not exact. Did you approximate it numerically?"),
        (_CubeNumericGrad, "Instead use the rule 3a²·a' with the child's value() and grad(x)"),
        (_CubeSquaresRule, "gave -10.0; expected 37.5: that is Square's rule"),
        (_CubeNumericGradWideStep, "close, but not exact. Did you approximate it numerically?"),
        (_CubeValueAsConst, "value() returned a Const node, Const(-3.375), not a number"),
        (_CubeValueTimesGrad, "gave -31.25; expected 37.5: that is a³·a'; you kept a³ itself"),
        (_CubeSquaresTheGrad, "gave 12.0; expected 37.5: you squared a'"),
        (_CubeAbsChain, "gave 73.5; expected -73.5: the sign is lost"),
        (_CubeInheritsPow, "inherits value() and grad(x) from Pow, so Pow does the work"),
        (_CubePowInInit, "your __init__ builds a Pow node and lets it do the work"),
        (
            _Cube(Var(1.0)),
            "pass your class Cube itself, e.g. ch02.q2.check(Cube), not an instance",
        ),
        (lambda: None, "pass your class Cube itself, e.g. ch02.q2.check(Cube), not a function"),
        (_CubeNotANode, "Cube must subclass Beta's Node: write class Cube(Node):"),
        (_CubeValueOfLeaves, "'Add' object has no attribute 'v': " + _Q2_NO_V),
        (_CubeFirstChildV, "Cube(2x + y).value() raised AttributeError"),
        (_CubeFirstChildV, _Q2_NO_V),
        (_CubeGradOfLeaves, "Cube(2x + y).grad(x) raised AttributeError"),
        (_CubeGradOfLeaves, _Q2_NO_V),
        (_CubeOnlyIfChildIsX, "gave 0; expected 37.5: a may contain x deeper"),
        (_CubeNumericChildGrad, "Cube(tanh(x) * y).grad(x) gave"),
        (_CubeNumericChildGrad, "close, but not exact. Did you approximate it numerically?"),
        (_CubeNoThree, "gave 12.5; expected 37.5: d(a³)/da = 3a², so a factor 3 is missing"),
        (_CubeGradSquaredToo, "gave 75.0; expected 37.5: a' enters once, not squared"),
        (_CubeValueRecurses, "value() calls itself (self.value()) without end; ask the child"),
        (_CubeValueRecursesLate, "calling Cube(x).value() never returned: value() calls"),
        (_CubeValueRecursesLate, "value() calls itself (self.value()) without end; ask the"),
        (_CubeGradOfX, "x is the Var you differentiate with respect to; the rule needs the"),
        (_CubeValueOfSelf, "gave -93.75; expected 37.5: that is 3a³·a'; you used a³ where"),
        (_CubeCubesA, "gave -93.75; expected 37.5: that is 3a³·a'; you used a³ where the rule"),
        (_CubeChainFactorOnly, "gave 2.0; expected 37.5: that is a' alone; you kept the"),
        (_CubeNoChildren, "Cube(x).children is (), not (x,): print shows Cube(x) as (cube)"),
        (_CubeXValueNoChain, "gave 6.75; expected 37.5: that is 3x², with x's value and no"),
        (_CubeThreeA, "gave -15.0; expected 37.5: that is 3a·a'; the rule is 3a²·a'"),
        (_CubeTimesXValue, "gave -28.125; expected 37.5: that is 3a²·x; you multiplied by x's"),
        (_CubeTimesXValue, "the chain rule multiplies by the child's grad, a' = self.a.grad(x)"),
        (_CubeGradToInt, "gave 37; expected 37.5: 37 is 37.5 rounded to a whole number"),
        (_CubeGradToInt, "without int(), round() or //"),
        (_CubeValueNoReturn, "Cube(x).value() gave None; expected x³ = -3.375: did you forget"),
    ],
)

# q3 ---------------------------------------------------------------------------------------


_Q3_VALUES = (-8.0, 10.0)  # -x ** 2 + 1 = -(3²) + 1 and (-x) ** 2 + 1 = (-3)² + 1 at x = 3
_Q3_ABOVE = ("**", "neg")  # the node directly above x: ** in -(x ** 2), neg in (-x) ** 2
_Q3_FORM = (
    "answer = (value_1, value_2, above_1, above_2): the values of -x ** 2 + 1 and of "
    "(-x) ** 2 + 1 at x = 3, then the op of the node directly above x in each tree, "
    "'neg' or '**'"
)
_Q3_POWER = ("**", "pow", "power", "exponentiation")
_Q3_MINUS = ("minus", "unary minus")  # accepted, with a note on how print names it
_Q3_OPS = dict.fromkeys(_Q3_POWER, "**") | dict.fromkeys(
    ("neg", "negation", "negate", "negative", "-", *_Q3_MINUS), "neg"
)


def _q3_op(text):
    if text in (beta.Pow, beta.Neg):  # the node classes themselves name the ops too
        return text.op
    return _Q3_OPS.get(text.strip().lower()) if isinstance(text, str) else None


def _check_q3(answer):
    if isinstance(answer, str) or _is_number(answer):
        raise Incorrect(f"give four answers in a tuple, {_Q3_FORM}; not {answer!r}")
    if not isinstance(answer, (tuple, list)) or len(answer) != 4:
        raise Incorrect(f"give four answers, {_Q3_FORM}; not {answer!r}")
    v1, v2, above1, above2 = answer
    for name, v in (("value_1", v1), ("value_2", v2)):
        if not _is_number(v):
            raise Incorrect(f"{name} should be a number (a value at x = 3), not {v!r}")
    for name, op in (("above_1", above1), ("above_2", above2)):
        if _q3_op(op) is None:
            shown = op.__name__ if isinstance(op, type) else repr(op)
            sub = " (Sub is the node of x - y; unary minus builds Neg)" if op is beta.Sub else ""
            raise Incorrect(
                f"{name} should be the op of the node directly above x, 'neg' or '**' "
                f"(as print shows it), not {shown}{sub}"
            )
    values, above = (float(v1), float(v2)), (_q3_op(above1), _q3_op(above2))
    if values == _Q3_VALUES[::-1]:
        raise Incorrect(
            "the values are swapped: value_1 is the value of -x ** 2 + 1, value_2 that of "
            "(-x) ** 2 + 1"
        )
    if values[0] == 10.0:
        ops = " The same question decides above_1." if above[0] != "**" else ""
        raise Incorrect(  # a nudge, not the rule: hint(3) states it
            "value_1 = 10 is the value of (-x) ** 2 + 1. In -x ** 2 there are no parentheses: "
            "which does Python apply to x first, unary minus or **? Its precedence rule "
            f"decides (ch02.q3.hint(3) states it).{ops}"
        )
    if values[1] == -8.0:
        raise Incorrect(
            "value_2 = -8 ignores the parentheses: in (-x) ** 2 + 1 Python builds -x first, "
            "and ** squares that"
        )
    if values == (_Q3_VALUES[0] - 1, _Q3_VALUES[1] - 1):
        raise Incorrect(
            f"value_1 = {values[0]!r} and value_2 = {values[1]!r} are both 1 short: you left "
            "out the + 1 that both expressions end with (it is the root of both trees)"
        )
    for k in (0, 1):
        if values[k] != _Q3_VALUES[k]:
            expr = ("-x ** 2 + 1", "(-x) ** 2 + 1")[k]
            if math.isclose(values[k], _Q3_VALUES[k], rel_tol=1e-3):
                raise Incorrect(
                    f"value_{k + 1} = {values[k]!r} is close to, but not exactly, the value of "
                    f"{expr} at x = 3, a whole number: give it exactly"
                )
            if values[k] == _Q3_VALUES[k] - 1:
                raise Incorrect(
                    f"value_{k + 1} = {values[k]!r} is not the value of {expr} at x = 3: it "
                    "is 1 short, so you left out the + 1 at the root of the tree"
                )
            raise Incorrect(
                f"value_{k + 1} = {values[k]!r} is not the value of {expr} at x = 3; work it "
                "out from the tree, innermost node first"
            )
    for k, (name, op) in enumerate((("above_1", above1), ("above_2", above2))):
        if isinstance(op, str) and op.strip() == "-":  # in either slot, before the rest
            also = ""
            if above[k] != _Q3_ABOVE[k]:
                also = (
                    "; and neg is not the node directly above x in -x ** 2 either: ** binds "
                    "tighter than unary minus, so the power is applied to x first"
                )
            raise Incorrect(f"{name} = '-' names Sub, not neg {_Q3_DASH_NOTE}{also}")
    if above == _Q3_ABOVE[::-1]:
        raise Incorrect(
            "the nodes above x are swapped: the node applied to x first sits directly above "
            "it. In -x ** 2 that is ** (it binds tighter); in (-x) ** 2 the parentheses make "
            "it neg. Your values already say so"
        )
    if above[0] != "**":
        raise Incorrect(
            "above_1: in -x ** 2 the power is applied to x first (-(x ** 2), as your value -8 "
            "says), so ** sits directly above x and neg above the **"
        )
    if above[1] != "neg":
        raise Incorrect(
            "above_2: in (-x) ** 2 the parentheses build neg of x first, so neg sits directly "
            "above x and ** above the neg"
        )


_Q3_DASH_NOTE = "(print shows neg for unary minus; - is Sub, the node of x - y)"


def _q3_note(answer) -> str:
    """A right answer that says 'minus' for unary minus is told how print names it."""
    dashed = any(isinstance(op, str) and op.strip().lower() in _Q3_MINUS for op in answer[2:])
    return _Q3_DASH_NOTE if dashed else ""


q3 = Question(
    note=_q3_note,
    title="Predict the tree from Python's precedence",
    checker=_check_q3,
    hint_text="Decide in what order Python applies the three operations in -x ** 2 + 1: "
    "the first one applied sits directly above x, the last one is the root. Then do the "
    "same for (-x) ** 2 + 1.",
    more_hints=(
        "+ comes last, so it is the root. Which binds tighter in Python, unary minus or **? "
        "The tighter one sits directly above x; evaluate the tree from there up at x = 3.",
        "In Python ** binds tighter than unary minus: -3 ** 2 means -(3 ** 2). In "
        "(-x) ** 2 + 1 the parentheses come first. Only after you have written your answers: "
        "build both, x = Var(3.0, name='x'), and print them to compare.",
    ),
    solution_text=(
        "answer = (-8, 10, '**', 'neg')\n"
        "# -x ** 2 + 1 is (+ (neg (** x 2)) 1): -(3 ** 2) + 1 = -8, ** directly above x\n"
        "# (-x) ** 2 + 1 is (+ (** (neg x) 2) 1): (-3) ** 2 + 1 = 10, neg directly above x"
    ),
    answer=lambda: (-8, 10, "**", "neg"),
    wrong=[
        ((-8, 10, "neg", "**"), "nodes above x are swapped"),
        ((-8, 10, "negation", "power"), "nodes above x are swapped"),
        ((-8, 10, beta.Neg, beta.Pow), "nodes above x are swapped"),
        ((-8, 10, beta.Pow, beta.Sub), "not Sub (Sub is the node of x - y"),
        ((10, -8, "**", "neg"), "values are swapped"),
        ((10, 10, "neg", "neg"), "which does Python apply to x first, unary minus or **?"),
        ((10, 10, "neg", "neg"), "The same question decides above_1."),
        ((10, 10, "**", "neg"), "(ch02.q3.hint(3) states it)."),
        ((-8, -8, "**", "**"), "ignores the parentheses"),
        ((-8, 10, "neg", "neg"), "above_1: in -x ** 2 the power"),
        ((-8, 10, "**", "**"), "above_2: in (-x) ** 2 the parentheses"),
        ((-9, 10, "**", "neg"), "value_1 = -9.0 is not the value"),
        ((-9, 10, "**", "neg"), "you left out the + 1"),
        ((-9, 9, "**", "neg"), "are both 1 short: you left out the + 1"),
        (
            (-8, 9, "**", "neg"),
            "value_2 = 9.0 is not the value of (-x) ** 2 + 1 at x = 3: it is 1 short",
        ),
        ((-7.999999, 10, "**", "neg"), "value_1 = -7.999999 is close to, but not exactly"),
        ((-8, 10, "**", "square"), "'neg' or '**'"),
        (("-8", 10, "**", "neg"), "should be a number"),
        (("(+ (neg (** x 2)) 1)", "(+ (** (neg x) 2) 1)"), "give four answers"),
        ("(+ (neg (** x 2)) 1)", "four answers in a tuple"),
        (-8.0, "four answers in a tuple"),
    ],
)

# q4 ---------------------------------------------------------------------------------------


def _derivative_check(expr, x):
    analytic = expr.grad(x)
    start = x.value()

    def f(t):
        x.set_value(t)
        return expr.value()

    try:  # finally runs even if expr.value() raises, e.g. Log at a negative value
        numeric = central_difference(f, start)
    finally:
        x.set_value(start)  # leave x as we found it
    return analytic, numeric


_Q4_CASES = [
    (lambda x: beta.Tanh(x) * x, 0.4),
    (lambda x: beta.Log(beta.Square(x) + 1), -1.2),
    (lambda x: beta.Sigmoid(3 * x) / (x + 4), 2.0),
    # A steep curve: its central difference at the usual step is off from grad in the 6th
    # digit (a large third derivative), so "numeric" cannot quietly be grad again.
    (lambda x: beta.Tanh(1000 * x), 0.001),
    (lambda x: beta.Exp(x) * x, 0.41234567891),  # many digits: x must come back exactly
]
_Q4_STEEP = 0.001  # the point of the steep case: there only the differences' shape is checked
# Several variables (w = 1.5, x = 0.7, y = -1.0): only the Var given may move. It is never
# variables(expr)[0], and once neither first nor last nor named x, so an answer that picks a
# variable of its own instead of the one given is caught.
_Q4_SEVERAL = [
    (lambda w, x, y: x * y + beta.Tanh(y), "y"),  # variables: x, y
    (lambda w, x, y: w * beta.Sigmoid(x) + x * y, "x"),  # variables: w, x, y
]


def _q4_cases():
    """(expr, the Var to differentiate by, the other Vars) for each case, made afresh."""
    for build, t in _Q4_CASES:
        x = Var(t, name="x")
        yield build(x), x, []
    for build, name in _Q4_SEVERAL:
        expr = build(Var(1.5, name="w"), Var(0.7, name="x"), Var(-1.0, name="y"))
        given = next(v for v in beta.variables(expr) if v.name == name)
        yield expr, given, [v for v in beta.variables(expr) if v is not given]


def _watched_value(plain_value, tried_at, x, others=(), others_at=None):
    """expr.value that notes x's value at each call (a slip's expr.value(t) still fails),
    and the other variables' values in others_at."""

    def value(*args):
        tried_at.append(x.value())
        if others_at is not None:
            others_at.append([o.value() for o in others])
        return plain_value(*args)

    return value


def _q4_others_left_alone(about, x, others, starts, others_at, tried_at):
    """Only x may move during the call, and every other variable ends where it started."""
    for i, other in enumerate(others):
        moved = any(values[i] != starts[i] for values in others_at)
        if moved and all(v == x.value() for v in tried_at):
            raise Incorrect(
                f"for {about}: you varied {other.name}, not {x.name}, the Var passed to "
                f"derivative_check(expr, x). Vary the x you are given (x.set_value(t) in "
                "your f), not one picked from variables(expr)"
            )
        if moved:
            raise Incorrect(
                f"for {about}: your f moved {other.name} as well as {x.name}. A derivative "
                f"with respect to {x.name} varies {x.name} alone and holds every other "
                "variable where it is: in your f, set only the Var you were given"
            )
        if other.value() != starts[i]:
            raise Incorrect(
                f"for {about}: {other.name} was {starts[i]} before the call and "
                f"{other.value()} after it; derivative_check must leave every variable of "
                "the expression as it found it"
            )


def _deepcopy_unwatched(expr, memo):
    """copy.deepcopy of expr as Beta makes it, without the checker's watchers on expr."""
    new = type(expr).__new__(type(expr))
    memo[id(expr)] = new
    for key, item in vars(expr).items():
        if key not in ("grad", "value", "__deepcopy__"):
            vars(new)[key] = copy.deepcopy(item, memo)
    return new


def _set_values_traced(check, expr, x, others, call, foreign):
    """check(expr, x) for the learner, and the Vars other than x and others it set_value'd.
    foreign gets the Beta nodes outside expr's tree whose value() the call asked for (a copy)."""
    strays: list[Var] = []
    beta_file = beta.__file__
    own = {id(node) for node in _walk(expr)}

    def tracer(frame, event, arg):
        if event == "call" and frame.f_code.co_name == "set_value":
            var = frame.f_locals.get("self")
            known = var is x or any(var is o for o in others) or any(var is v for v in strays)
            if frame.f_code.co_filename == beta_file and isinstance(var, Var) and not known:
                strays.append(var)
        if event == "call" and frame.f_code.co_name == "value" and not foreign:
            node = frame.f_locals.get("self")
            if isinstance(node, Node) and id(node) not in own:
                foreign.append(node)
        return None

    old = sys.gettrace()
    sys.settrace(tracer)
    try:
        got = call_learner(check, expr, x, call=call)
    finally:
        sys.settrace(old)
    return got, strays


_q4_own_steps: list[tuple[float, bool]] = []  # (h, below the default) for a right answer's own h


def _check_q4(check):
    _q4_own_steps.clear()
    if not callable(check):
        raise Incorrect("pass your function itself, e.g. ch02.q4.check(derivative_check)")
    for expr, x, others in _q4_cases():
        t, starts = x.value(), [o.value() for o in others]
        about = f"{expr} with respect to {x.name}" if others else str(expr)
        at = f"{about} at {x.name} = {t}"
        want = expr.grad(x)
        seen_at = []  # x's value at each call of expr.grad, to explain a grad taken too late
        plain_grad = expr.grad

        def watched_grad(v, plain_grad=plain_grad, seen_at=seen_at, x=x):
            seen_at.append(x.value())
            return plain_grad(v)

        # x's value at each call of expr.value: the points the expression was tried at, however
        # x got there (x.set_value(t), or assigning x.v = t as Var's own code does)
        tried_at, others_at = [], []
        watched_value = _watched_value(expr.value, tried_at, x, others, others_at)

        expr.grad = watched_grad  # these objects only; Beta's classes are not touched
        expr.value = watched_value
        # copy.deepcopy(expr) must give a real copy, with its own x, as it does outside the
        # checker, not one sharing the watchers above (a reader's copy passed that way, s6f)
        expr.__deepcopy__ = functools.partial(_deepcopy_unwatched, expr)
        foreign: list[Node] = []  # nodes outside expr whose value() the call asked for
        try:
            call = f"calling it with ({expr}, {x} = {_show_number(x.value())})"
            # x as it was before the call; strays: other Vars the call moved with set_value
            got, strays = _set_values_traced(check, expr, x, others, call, foreign)
        except Incorrect as exc:
            if ".value() takes 1 positional argument but 2 were given" in str(exc):
                raise Incorrect(
                    f"{exc}. central_difference needs a function of one number, and "
                    "expr.value takes none; wrap the expression: def f(t): set x to t, "
                    "return expr.value()"
                ) from None
            returned = re.search(r"\) returned (\w+)\(", str(exc))  # f gave back a node
            if returned and isinstance(getattr(beta, returned.group(1), None), type):
                raise Incorrect(
                    f"{call} raised TypeError: your f returned a tree ({returned.group(1)}"
                    "(…)), not a number; f must return its value: expr.value()"
                ) from None
            if "must be a real number, got Var(" not in str(exc):
                raise
            raise Incorrect(
                f"{exc}. central_difference(f, x) wants the point as a number: pass "
                "x.value(), not the Var x"
            ) from None
        finally:
            del expr.grad
            del expr.value
            del expr.__deepcopy__
        if isinstance(got, GradCheck) or (
            isinstance(got, (tuple, list)) and any(isinstance(g, GradCheck) for g in got)
        ):
            raise Incorrect(
                "you returned grad_check's report; return the two numbers instead, "
                "(analytic, numeric)"
            )
        if not (isinstance(got, (tuple, list)) and len(got) == 2):
            raise Incorrect(f"derivative_check returned {got!r}; return (analytic, numeric)")
        analytic, numeric = got
        if isinstance(analytic, (tuple, list)):
            raise Incorrect(
                f"your first number is a list, {analytic!r}; return the number itself, "
                "expr.grad(x) (gradient(expr, [x]) gives a list of one)"
            )
        if callable(analytic):
            grad_call = "expr.grad(x)" if x.name == "x" else f"expr.grad({x.name})"
            what = "the method expr.grad itself" if analytic is watched_grad else "a function"
            raise Incorrect(f"your first number is {what}, not a number; call it: {grad_call}")
        if callable(numeric):
            raise Incorrect(
                "your second number is a function, not a number; return the result of "
                "calling central_difference(f, x.value())"
            )
        if strays and all(v == t for v in tried_at):
            raise Incorrect(
                f"for {about}: your f moved a new Var named {strays[0].name}, not the "
                f"{x.name} you were given. Beta tells variables apart by object, not by name "
                "(section 2), so the expression never saw the change: "
                "set the Var passed in, x.set_value(t)"
            )
        if x.value() != t:
            raise Incorrect(
                f"x was {t} before the call and {x.value()} after it: restore x with "
                "set_value, or every later value() of the expression is wrong"
            )
        _q4_others_left_alone(about, x, others, starts, others_at, tried_at)
        swapped = (
            _is_number(analytic)
            and _is_number(numeric)
            and numeric == want
            and analytic != want
            and math.isclose(analytic, want, rel_tol=1e-4)
        )
        if swapped:
            raise Incorrect(
                f"for {at} you returned ({analytic!r}, {numeric!r}): the numbers "
                "are right but in the wrong order, (numeric, analytic). Return "
                "(analytic, numeric): expr.grad(x) first, then the central difference"
            )
        if not (_is_number(analytic) and math.isclose(analytic, want, rel_tol=1e-12)):
            moved = [v for v in seen_at if v != t]
            if moved:
                raise Incorrect(
                    f"for {about}: x had moved to {moved[0]!r} (not {t}) when you called "
                    "expr.grad(x), so you got the derivative at the wrong point; take "
                    "expr.grad(x) before you vary x, or after you have put it back"
                )
            call = (
                "expr.grad(x)" if x.name == "x" else f"expr.grad({x.name}) (the Var passed as x)"
            )
            raise Incorrect(
                f"for {at} the first number you return, {analytic!r}, should be "
                f"the analytic derivative {call} = {want!r}"
            )
        if not _is_number(numeric):
            raise Incorrect(f"for {at} your numeric derivative is {numeric!r}, not a number")
        if not tried_at and any(v != t for v in seen_at):
            raise Incorrect(
                f"for {at} your second number, {numeric!r}, is a difference of "
                "expr.grad(x), the derivative of the derivative: your f moved x but never "
                "read expr.value(). f must return expr.value()"
            )
        if foreign and all(v == t for v in tried_at):
            raise Incorrect(
                f"for {about}: your f does not change when {x.name} moves: it evaluates "
                f"another tree, such as a copy (copy.deepcopy(expr) has its own {x.name}, "
                f"which never moves), so your numeric derivative, {numeric!r}, was not "
                f"measured. In f, set the {x.name} you were given and return expr.value() "
                "of expr itself"
            )
        h = _check_q4_points(expr, about, x, t, numeric, tried_at, want)
        default_h = CENTRAL_STEP * max(1.0, abs(t))
        if not math.isclose(h, default_h, rel_tol=1e-3):
            _q4_own_steps.append((h, h < default_h))
        if t == _Q4_STEEP:
            # Steep: the default step's central difference is off from grad in the 6th digit
            # only; a large step (h = 1e-3 is 15% off) shows a true difference of a bad h.
            if not math.isclose(numeric, analytic, rel_tol=1e-4):
                raise Incorrect(
                    f"for {at} your numeric derivative {numeric!r} is far from "
                    f"{analytic!r}: your step h = {h:.1g} is too large for tanh(1000x), whose "
                    "slope changes within a thousandth; leave h out for chapter 1's default "
                    "step (central_difference(f, x.value()))"
                )
            continue  # a true central difference at a fine step: off from grad is expected
        if math.isclose(numeric, analytic, rel_tol=1e-3):
            if not math.isclose(numeric, analytic, rel_tol=1e-6) and h < 1e-8 * max(1, abs(t)):
                raise Incorrect(
                    f"for {at} your numeric derivative {numeric!r} is close to "
                    f"{analytic!r} but off in the 6th digit: your step h = {h:.1g} is so small "
                    "that round-off swamps the difference (chapter 1, section 3); leave h out "
                    "of central_difference for its default step"
                )
            if not math.isclose(numeric, analytic, rel_tol=1e-6):
                raise Incorrect(
                    f"for {at} your numeric derivative {numeric!r} is close to "
                    f"{analytic!r} but off in the 6th digit: your step h = {h:.1g} is too "
                    "large, so truncation error shows (chapter 1, section 3); leave h out of "
                    "central_difference for its default step"
                )
        if not (_is_number(numeric) and math.isclose(numeric, analytic, rel_tol=1e-6)):
            raise Incorrect(
                f"for {at} your numeric derivative {numeric!r} is far from "
                f"{analytic!r}; vary x with set_value and use central_difference"
            )


def _check_q4_points(expr, about, x, t, numeric, tried_at, want) -> float:
    """The numeric number must be a central difference at t ± h; returns the step h."""
    at = f"{about} at {x.name} = {t}"
    if t == _Q4_STEEP and numeric == want:
        raise _analytic_again(about, x, t, numeric)
    right = [v for v in tried_at if _is_number(v) and v > t]
    left = [v for v in tried_at if _is_number(v) and v < t]
    if not right and not left and numeric == 0:
        raise Incorrect(
            f"for {about} your second number, {numeric!r}, was not measured: x never moved "
            "during your call. A function such as lambda t: expr.value() gives "
            "central_difference the same value at x + h and x - h: your f ignores its "
            "argument; set x to it (x.set_value(t)) before reading expr.value()"
        )
    if not right and not left:
        copied = " (you returned expr.grad(x) again)" if numeric == want else ""
        raise Incorrect(
            f"for {about} your second number, {numeric!r}, was not measured: x never moved "
            f"while the expression was evaluated{copied}. The numeric derivative must come "
            "from the expression's values at x + h and x - h: set x with x.set_value(t), "
            "then read expr.value()"
        )
    if not (right and left):
        centre = _centre_elsewhere(expr, x, t, numeric, tried_at)
        if centre is not None:
            raise Incorrect(
                f"for {about} your second number is a central difference at "
                f"{x.name} = {centre:g}, but {x.name} was {t}: take it at x's current value, "
                "central_difference(f, x.value())"
            )
        raise Incorrect(
            f"for {about} you evaluated the expression on one side of {x.name} = {t} only: "
            "that is a forward (or backward) difference, whose error shrinks only like h; the "
            "exercise asks for the central difference, x + h and x - h, whose error shrinks "
            "like h²"
        )

    def f(v):
        x.set_value(v)
        return expr.value()

    closest = None  # the central difference of a pair x ± h nearest to numeric
    try:
        for a in right:
            for b in left:
                gap = math.ulp(max(abs(a), abs(b)))  # x ± h are rounded to the float grid
                if not math.isclose(a - t, t - b, rel_tol=1e-6, abs_tol=2 * gap):
                    continue
                fa, fb = f(a), f(b)
                if closest is None or abs((fa - fb) / (a - b) - numeric) < abs(closest - numeric):
                    closest = (fa - fb) / (a - b)
                # Dividing by 2h instead of a - b is fine (they differ by the rounding of
                # x ± h), and so is any order of the arithmetic (the rounding of f(x ± h)).
                # Nothing looser: grad differs from the central difference by much more.
                rel = 1e-12 + 4 * gap / (a - b)
                slack = 4 * math.ulp(max(abs(fa), abs(fb))) / (a - b)
                if math.isclose(numeric, (fa - fb) / (a - b), rel_tol=rel, abs_tol=slack):
                    return (a - b) / 2  # the step
    finally:
        x.set_value(t)
    if math.isclose(numeric, want, rel_tol=1e-13):
        raise _analytic_again(about, x, t, numeric)
    if closest is not None:  # same h on both sides, but the number was changed afterwards
        near = (
            "close to, but not exactly," if math.isclose(numeric, closest, rel_tol=1e-2) else "not"
        )
        raise Incorrect(
            f"for {at} your second number, {numeric!r}, is {near} the central difference "
            f"of the values you computed at x ± h, {closest!r}: did you round or change it? "
            "Return the number central_difference gives you, as it is"
        )
    raise Incorrect(
        f"for {at} your second number, {numeric!r}, is not the central "
        "difference of the values you computed: (value at x + h - value at x - h) / (2h), "
        "with the same h on both sides"
    )


def _centre_elsewhere(expr, x, t, numeric, tried_at) -> float | None:
    """The point c != t where numeric is the central difference of two of the values tried."""
    tried = sorted({v for v in tried_at if _is_number(v) and v != t})
    try:
        for i, b in enumerate(tried):
            for a in tried[i + 1 :]:
                x.set_value(a)
                fa = expr.value()
                x.set_value(b)
                fb = expr.value()
                if math.isclose(numeric, (fa - fb) / (a - b), rel_tol=1e-9, abs_tol=1e-12):
                    return (a + b) / 2
    finally:
        x.set_value(t)
    return None


def _analytic_again(about, x, t, numeric) -> Incorrect:
    at = f"{about} at {x.name} = {t}"
    return Incorrect(
        f"for {at} your second number, {numeric!r}, is the analytic derivative "
        "again, not the central difference: you moved x, but then returned expr.grad(x) a "
        "second time. Return the number central_difference gave you"
    )


def _grad_too_late(expr, x):
    start = x.value()

    def f(t):
        x.set_value(t)
        return expr.value()

    numeric = central_difference(f, start)
    analytic = expr.grad(x)  # x is still at start - h here
    x.set_value(start)
    return analytic, numeric


def _forward_difference_check(expr, x):
    start, h = x.value(), 1e-5
    x.set_value(start + h)
    ahead = expr.value()
    x.set_value(start)
    return expr.grad(x), (ahead - expr.value()) / h


def _fixed_step_check(h):
    """A true central difference, but at the fixed step h instead of the default."""

    def check(expr, x):
        analytic, start = expr.grad(x), x.value()

        def f(t):
            x.set_value(t)
            return expr.value()

        numeric = central_difference(f, start, h=h)
        x.set_value(start)
        return analytic, numeric

    return check


_large_step_check = _fixed_step_check(1e-2)
_step_1e3_check = _fixed_step_check(1e-3)  # fine, but for tanh(1000x)


def _grad_twice(expr, x):  # no finite difference at all
    g = expr.grad(x)
    return g, g


def _grad_nudged(expr, x):
    g = expr.grad(x)
    return g, g * 1.000001


def _uneven_steps(expr, x):  # right to x + h, left to x - h/2, divided by 2h
    start, h = x.value(), 1e-5
    x.set_value(start + h)
    ahead = expr.value()
    x.set_value(start - h / 2)
    behind = expr.value()
    x.set_value(start)
    return expr.grad(x), (ahead - behind) / (2 * h)


def _difference_discarded(expr, x):  # measures the central difference, returns grad twice
    start = x.value()

    def f(t):
        x.set_value(t)
        return expr.value()

    central_difference(f, start)
    x.set_value(start)
    return expr.grad(x), expr.grad(x)


def _difference_discarded_small_step(expr, x):  # the same with h = 1e-10: both nearly agree
    start = x.value()

    def f(t):
        x.set_value(t)
        return expr.value()

    central_difference(f, start, 1e-10)
    x.set_value(start)
    return expr.grad(x), expr.grad(x)


def _swapped(expr, x):  # the right numbers, returned as (numeric, analytic)
    analytic, numeric = _derivative_check(expr, x)
    return numeric, analytic


def _no_restore(expr, x):
    analytic = expr.grad(x)

    def f(t):
        x.set_value(t)
        return expr.value()

    return analytic, central_difference(f, x.value())


def _var_as_point(expr, x):  # central_difference(f, x) with the Var, not its value
    analytic = expr.grad(x)

    def f(t):
        x.set_value(t)
        return expr.value()

    return analytic, central_difference(f, x)


def _difference_at_a_fixed_point(expr, x):  # a reader's: central_difference(f, 1.0)
    analytic, start = expr.grad(x), x.value()

    def f(t):
        x.set_value(t)
        return expr.value()

    numeric = central_difference(f, 1.0)
    x.set_value(start)
    return analytic, numeric


def _gradient_list(expr, x):  # a reader's: the analytic number as gradient's list of one
    _, numeric = _derivative_check(expr, x)
    return beta.gradient(expr, [x]), numeric


def _report_returned(expr, x):  # grad_check's report instead of the two numbers
    from tinyml.numeric import grad_check

    start = x.value()

    def f(t):
        x.set_value(t)
        return expr.value()

    report = grad_check(f, [start], [expr.grad(x)])
    x.set_value(start)
    return report


def _first_variable_check(expr, x):  # a reader's, exactly: varies variables(expr)[0], not x
    v = beta.variables(expr)[0]  # ignores x
    start = v.value()

    def f(t):
        v.set_value(t)
        return expr.value()

    numeric = central_difference(f, start)
    v.set_value(start)
    return expr.grad(x), numeric


def _every_variable_check(expr, x):  # sets every variable to t, and puts each back
    found = beta.variables(expr)
    starts = [v.value() for v in found]

    def f(t):
        for v in found:
            v.set_value(t)
        return expr.value()

    numeric = central_difference(f, x.value())
    for v, start in zip(found, starts, strict=True):
        v.set_value(start)
    return expr.grad(x), numeric


def _others_zeroed_check(expr, x):  # a right answer, but then every other variable set to 0
    analytic, numeric = _derivative_check(expr, x)
    for v in beta.variables(expr):
        if v is not x:
            v.set_value(0.0)
    return analytic, numeric


def _first_of_gradient(expr, x):  # a reader's: gradient(expr)[0], the first variable's
    start = x.value()

    def f(t):
        x.set_value(t)
        return expr.value()

    num = central_difference(f, start)
    x.set_value(start)
    return beta.gradient(expr)[0], num


def _f_moves_a_namesake(expr, x):  # a reader's: a new Var with x's name, not x itself
    from tinyml.numeric import central_difference

    y = Var(x.value(), name=x.name)

    def f(t):
        y.set_value(t)
        return expr.value()

    return expr.grad(x), central_difference(f, x.value())


def _restores_x_rounded(expr, x):  # a reader's: x put back only to 3 decimals
    analytic, x0 = expr.grad(x), x.value()

    def f(t):
        x.set_value(t)
        return expr.value()

    numeric = central_difference(f, x0)
    x.set_value(round(x0, 3))
    return analytic, numeric


def _f_ignores_its_argument(expr, x):
    from tinyml.numeric import central_difference

    return expr.grad(x), central_difference(lambda v: expr.value(), x.value())


def _deepcopy_only(expr, x):  # a reader's, exactly (s6f): f moves x but evaluates a copy
    import copy

    e2 = copy.deepcopy(expr)  # "so I don't disturb the original"

    def f(v):
        x.set_value(v)
        return e2.value()

    old = x.value()
    num = central_difference(f, old)
    x.set_value(old)
    return expr.grad(x), num


def _rounded_difference(expr, x):  # a reader's, exactly (s6f): the numeric number rounded
    start = x.value()

    def f(t):
        x.set_value(t)
        return expr.value()

    num = central_difference(f, start)
    x.set_value(start)
    return expr.grad(x), round(num, 6)


def _q4_own_step(_answer) -> str:
    """A right answer that passes its own step h: accepted, but not as the exercise asks."""
    if not _q4_own_steps:  # the steps _check_q4 found the answer passing
        return ""
    h, small = _q4_own_steps[0]
    risk = (
        "too small, so round-off swamps the difference (chapter 1, section 3)"
        if small
        else "too large for some functions (h = 1e-3 fails here on tanh(1000x))"
    )
    return (
        f"your central difference is right, with your own step h = {h:.1g}. The exercise "
        "asks you to leave h out: chapter 1's default step balances truncation and round-off "
        f"for you, while a step of your own can be {risk}."
    )


q4 = Question(
    reservation=_q4_own_step,
    title="Check Beta against chapter 1",
    checker=_check_q4,
    hint_text="The analytic number is one call away. For the numeric one, chapter 1's "
    "central_difference needs a function of one number: how do you make the expression one?",
    more_hints=(
        "Wrap the expression: f(t) sets x to t with x.set_value(t) and returns "
        "expr.value(). Give f to central_difference at x's current value.",
        "Take expr.grad(x) before you vary x, and put x back to its starting value "
        "afterwards; return (analytic, numeric).",
    ),
    solution_text=inspect.getsource(_derivative_check).replace("_derivative", "derivative"),
    answer=lambda: _derivative_check,
    wrong=[
        (_value_as_the_function, "needs a function of one number"),
        (_no_restore, "restore x"),
        (lambda expr, x: (expr.grad(x), 0.0), "was not measured"),
        (lambda expr, x: expr.grad(x), "return (analytic, numeric)"),
        (lambda expr, x: (expr.value(), expr.grad(x)), "analytic derivative"),
        (_grad_too_late, "x had moved"),
        (_forward_difference_check, "one side of x"),
        (_large_step_check, "your step h = 0.01 is too large"),
        (_step_1e3_check, "h = 0.001 is too large for tanh(1000x)"),
        (_grad_twice, "was not measured"),
        (_grad_nudged, "was not measured"),
        (_uneven_steps, "not the central difference"),
        (_swapped, "wrong order, (numeric, analytic)"),
        (_f_ignores_its_argument, "your f ignores its argument; set x to it"),
        (_deepcopy_only, "your f does not change when x moves: it evaluates another tree"),
        (_rounded_difference, "is close to, but not exactly, the central difference"),
        (_restores_x_rounded, "x was 0.41234567891 before the call and 0.412 after it"),
        (_f_moves_a_namesake, "your f moved a new Var named x, not the x you were given"),
        (_var_as_point, "pass x.value(), not the Var x"),
        (_difference_at_a_fixed_point, "a central difference at x = 1, but x was 0.4"),
        (_gradient_list, "your first number is a list, [0.72"),
        (_report_returned, "you returned grad_check's report; return the two numbers instead"),
        (_difference_discarded, "is the analytic derivative again, not the central"),
        (_difference_discarded_small_step, "is the analytic derivative again"),
        (_first_variable_check, "with respect to y: you varied x, not y, the Var passed to"),
        (_every_variable_check, "with respect to y: your f moved x as well as y"),
        (_others_zeroed_check, "x was 0.7 before the call and 0.0 after it"),
        (
            _first_of_gradient,
            "should be the analytic derivative expr.grad(y) (the Var passed as x)",
        ),
    ],
)
