"""Beta: the naive expression tree. Every value() and grad(x) call recomputes from the leaves.

Build an expression from constants and variables, then ask it for its value or for its
derivative with respect to one variable::

    x, y = Var(1, name="x"), Var(2, name="y")
    z = (x + 2) + y          # the same tree as Add(Add(x, Const(2)), y)
    z.value(), z.grad(x)     # (5, 1)

Beta is slow on purpose: chapter 3 measures why, chapter 4 (tinyml.alpha) fixes it.
"""

from __future__ import annotations
import __future__

import ast
import inspect
import math
import numbers
import sys
import textwrap
import types
from typing import Any

from tinyml.checks import real, refuse_blank

__all__ = [
    "Node",
    "Const",
    "Var",
    "Add",
    "Sub",
    "Mul",
    "Div",
    "Neg",
    "Square",
    "Abs",
    "Pow",
    "Exp",
    "Log",
    "Tanh",
    "Sigmoid",
    "ReLU",
    "gradient",
    "variables",
]


def _check_number(what: str, v: object) -> float:
    """v if it is a finite real number (an int stays an int, so 1 + 2 prints 3), else an error."""
    x = real(v, what)
    return v if isinstance(v, int) else x


def _check_var(x: object) -> None:
    if not isinstance(x, Var):
        raise TypeError(
            f"grad(x) differentiates with respect to a Var; got {x!r}. "
            "Pass the Var object itself, e.g. z.grad(x) with x = Var(1.0, name='x')"
        )


def _check_params(params: object) -> None:
    if params is not None and (isinstance(params, Node) or not isinstance(params, (list, tuple))):
        raise TypeError(
            f"gradient(expr, params) takes a list of Vars, got {params!r}; for one variable "
            "write gradient(expr, [x]), or expr.grad(x) for the number itself"
        )


def _node(v: object) -> Node:
    """A node as it is; a plain number promoted to a Const."""
    if isinstance(v, Node):
        return v
    refuse_blank(v)
    if isinstance(v, bool) or not isinstance(v, numbers.Real):
        raise TypeError(
            f"an expression is built from nodes and numbers, got {v!r} of type {type(v).__name__}"
        )
    return Const(v)


def _show(v: float) -> str:
    return format(v, "g")


def _too_deep(what: str) -> ValueError:
    return ValueError(
        f"{what} went deeper than Python allows: Beta's value(), grad() and printing call "
        "themselves at every level of the tree (printing nests several calls per level), and "
        f"Python allows about {sys.getrecursionlimit()} nested calls; chapter 4's Alpha lifts "
        "the limit"
    )


# Beta's walks recurse, so a tree deeper than Python's recursion limit cannot be walked.
# Each node type's value() and grad() are compiled once more from their own source with one
# addition: `except RecursionError`, which lets the outermost call report the depth clearly.
# A try costs nothing until something is raised, so the walks run as fast as the plain methods;
# the source shown in the chapters (inspect.getsource) is the plain one.
_REPORTING: set[Any] = set()  # the code of every method compiled with the report


def _report_depth(name: str) -> None:
    """Inside `except RecursionError`: re-raise it, or, at the outermost call, explain it."""
    frame = sys._getframe(2)  # 0: here, 1: the method whose call overflowed, 2: its caller
    while frame is not None:
        if frame.f_code in _REPORTING:
            raise  # noqa: PLE0704 - an outer call of the walk will report it
        frame = frame.f_back
    raise _too_deep(name + "()") from None


def _with_depth_report(cls: type, name: str) -> None:
    """cls.name compiled again from its source, its body inside `try: … except RecursionError`."""
    plain = vars(cls)[name]
    if not isinstance(plain, types.FunctionType) or plain.__code__.co_freevars:
        return  # decorated, or uses super() or outer variables: keep the plain method
    try:
        tree = ast.parse(textwrap.dedent(inspect.getsource(plain)))
    except (OSError, TypeError, SyntaxError):
        return  # no source to compile (e.g. made with exec): keep the plain method
    method = tree.body[0]
    if not isinstance(method, ast.FunctionDef) or method.decorator_list or len(tree.body) != 1:
        return
    guard = ast.parse(
        "try:\n    pass\nexcept RecursionError:\n"
        f"    from tinyml.beta import _report_depth\n    _report_depth({name!r})"
    ).body[0]
    guard.body, method.body = method.body, [guard]
    ast.fix_missing_locations(tree)
    ast.increment_lineno(tree, plain.__code__.co_firstlineno - 1)
    flags = __future__.annotations.compiler_flag
    code = compile(tree, plain.__code__.co_filename, "exec", flags=flags, dont_inherit=True)
    namespace: dict[str, Any] = {}
    exec(code, plain.__globals__, namespace)
    reporting = namespace[plain.__name__]
    reporting.__qualname__ = plain.__qualname__
    reporting.__doc__ = plain.__doc__
    _REPORTING.add(reporting.__code__)
    setattr(cls, name, reporting)


def _inside_printing() -> bool:
    """Is Node's printing further up the stack (so this call is not the outermost)?"""
    frame = sys._getframe(2)  # 0: here, 1: the __str__ or __repr__ asking, 2: its caller
    while frame is not None:
        if frame.f_code in (Node.__str__.__code__, Node.__repr__.__code__):
            return True
        frame = frame.f_back
    return False


class Node:
    """What every node shares: its children, its operator symbol and the arithmetic operators."""

    op: str = ""
    children: tuple[Node, ...] = ()

    def __init_subclass__(cls, **kwargs: Any) -> None:
        # Every node type, a learner's own included, reports a too-deep tree clearly.
        super().__init_subclass__(**kwargs)
        for name in ("value", "grad"):
            if name in vars(cls):
                _with_depth_report(cls, name)

    def value(self) -> float:
        raise NotImplementedError

    def grad(self, x: Var) -> float:
        raise NotImplementedError

    # Operator overloading: Python builds the tree for us, numbers become Const.
    def __add__(self, other: object) -> Node:
        return Add(self, other) if _is_operand(other) else NotImplemented

    def __radd__(self, other: object) -> Node:
        return Add(other, self) if _is_operand(other) else NotImplemented

    def __sub__(self, other: object) -> Node:
        return Sub(self, other) if _is_operand(other) else NotImplemented

    def __rsub__(self, other: object) -> Node:
        return Sub(other, self) if _is_operand(other) else NotImplemented

    def __mul__(self, other: object) -> Node:
        return Mul(self, other) if _is_operand(other) else NotImplemented

    def __rmul__(self, other: object) -> Node:
        return Mul(other, self) if _is_operand(other) else NotImplemented

    def __truediv__(self, other: object) -> Node:
        return Div(self, other) if _is_operand(other) else NotImplemented

    def __rtruediv__(self, other: object) -> Node:
        return Div(other, self) if _is_operand(other) else NotImplemented

    def __pow__(self, exponent: object) -> Node:
        return Pow(self, exponent)

    def __rpow__(self, base: object) -> Node:
        raise TypeError(
            f"{base!r} ** {self} has a non-constant exponent; Pow only takes a constant "
            "exponent. Write it as Exp(Log(base) * exponent) instead"
        )

    def __neg__(self) -> Node:
        return Neg(self)

    def __abs__(self) -> Node:
        return Abs(self)

    # The same functions as methods, as PyTorch's tensors have them: x.exp(), x.tanh() …
    def exp(self) -> Node:
        return Exp(self)

    def log(self) -> Node:
        return Log(self)

    def tanh(self) -> Node:
        return Tanh(self)

    def sigmoid(self) -> Node:
        return Sigmoid(self)

    def relu(self) -> Node:
        return ReLU(self)

    def square(self) -> Node:
        return Square(self)

    # Printed forms: Lisp-like prefix for str, constructor calls for repr.
    def __str__(self) -> str:
        try:
            return "(" + " ".join([self.op, *map(str, self.children)]) + ")"
        except RecursionError:
            if _inside_printing():
                raise  # the outermost call reports it, with a short traceback
            raise _too_deep("printing") from None

    def __repr__(self) -> str:
        try:
            return f"{type(self).__name__}({', '.join(map(repr, self.children))})"
        except RecursionError:
            if _inside_printing():
                raise
            raise _too_deep("printing") from None


def _is_operand(v: object) -> bool:
    return isinstance(v, Node) or (isinstance(v, numbers.Real) and not isinstance(v, bool))


# tinyml.show(Const, Var, gradient, view="lesson") folds the lines that only check their input
_CHECKS = "checks of the input"
SHOW_VIEWS = {
    "lesson": {
        "_check_var(x)": _CHECKS,
        "_check_params(params)": _CHECKS,
        "if name is not None and not isinstance(name, str)": _CHECKS,
        "a Var's name must be a string": _CHECKS,
        # Const's and Var's printed forms: shown in use in the chapter, not as code
        "def __str__(self) -> str:": "printing",
        "return _show(self.v)": "printing",
        "def __repr__(self) -> str:": "printing",
        'return f"Const({self.v!r})"': "printing",
        "return self.name if self.name is not None": "printing",
        'named = f", name={self.name!r}"': "printing",
        'return f"Var({self.v!r}{named})"': "printing",
    }
}


class Const(Node):
    """A number that never changes; its derivative is 0."""

    op = "const"

    def __init__(self, v: float) -> None:
        self.v = _check_number("Const's value", v)

    def value(self) -> float:
        return self.v

    def grad(self, x: Var) -> float:
        _check_var(x)
        return 0.0

    def __str__(self) -> str:
        return _show(self.v)

    def __repr__(self) -> str:
        return f"Const({self.v!r})"


class Var(Node):
    """A variable: its value can change with set_value; d(self)/d(self) = 1."""

    op = "var"

    def __init__(self, v: float, name: str | None = None) -> None:
        if name is not None and not isinstance(name, str):
            raise TypeError(f"a Var's name must be a string or None, got {name!r}")
        self.v = _check_number("Var's value", v)
        self.name = name

    def value(self) -> float:
        return self.v

    def set_value(self, v: float) -> None:
        self.v = _check_number("the new value", v)

    def grad(self, x: Var) -> float:
        _check_var(x)
        return 1.0 if x is self else 0.0

    def __str__(self) -> str:
        return self.name if self.name is not None else f"<var {_show(self.v)}>"

    def __repr__(self) -> str:
        named = f", name={self.name!r}" if self.name is not None else ""
        return f"Var({self.v!r}{named})"


class Add(Node):
    """a + b"""

    op = "+"

    def __init__(self, a: Node, b: Node) -> None:
        self.a, self.b = _node(a), _node(b)
        self.children = (self.a, self.b)

    def value(self) -> float:
        return _finite(self.a.value() + self.b.value(), self)

    def grad(self, x: Var) -> float:
        return _finite(self.a.grad(x) + self.b.grad(x), self, "derivative")


class Sub(Node):
    """a - b"""

    op = "-"

    def __init__(self, a: Node, b: Node) -> None:
        self.a, self.b = _node(a), _node(b)
        self.children = (self.a, self.b)

    def value(self) -> float:
        return _finite(self.a.value() - self.b.value(), self)

    def grad(self, x: Var) -> float:
        return _finite(self.a.grad(x) - self.b.grad(x), self, "derivative")


class Mul(Node):
    """a * b; product rule: (ab)' = a'b + ab'"""

    op = "*"

    def __init__(self, a: Node, b: Node) -> None:
        self.a, self.b = _node(a), _node(b)
        self.children = (self.a, self.b)

    def value(self) -> float:
        return _finite(self.a.value() * self.b.value(), self)

    def grad(self, x: Var) -> float:
        product_rule = self.a.grad(x) * self.b.value() + self.a.value() * self.b.grad(x)
        return _finite(product_rule, self, "derivative")


class Div(Node):
    """a / b; quotient rule: (a/b)' = (a'b - ab') / b²"""

    op = "/"

    def __init__(self, a: Node, b: Node) -> None:
        self.a, self.b = _node(a), _node(b)
        self.children = (self.a, self.b)

    def value(self) -> float:
        return _finite(self.a.value() / _nonzero(self.b), self)

    def grad(self, x: Var) -> float:
        b = _nonzero(self.b)
        # divided by b twice, not by b**2, which underflows to 0 for a tiny b
        top = self.a.grad(x) * b - self.a.value() * self.b.grad(x)
        return _finite(top / b / b, self, "derivative")


def _finite(v: float, node: Node, what: str = "value") -> float:
    """v, or a ValueError if it overflowed: finite floats can combine into one too large."""
    # Square computes a * a, not a ** 2: for a huge a, ** raises a bare OverflowError where *
    # gives the inf this check turns into a message naming the node.
    if abs(v) == math.inf or v != v:  # inf, or nan from inf - inf
        raise _overflow(node, what)
    return v


def _overflow(node: Node, what: str = "value") -> ValueError:
    values = ", ".join(_show(c.value()) for c in node.children)
    return ValueError(
        f"{node} overflows: its {what} is too large for a float (operand values: {values})"
    )


def _nonzero(b: Node) -> float:
    v = b.value()
    if v == 0:
        if isinstance(b, Const):
            raise ValueError("division by zero: the denominator is the constant 0")
        raise ValueError(f"division by zero: the denominator {b} evaluates to 0")
    return v


class Neg(Node):
    """-a"""

    op = "neg"

    def __init__(self, a: Node) -> None:
        self.a = _node(a)
        self.children = (self.a,)

    def value(self) -> float:
        return -self.a.value()

    def grad(self, x: Var) -> float:
        return -self.a.grad(x)


class Square(Node):
    """a²; (a²)' = 2a·a'"""

    op = "square"

    def __init__(self, a: Node) -> None:
        self.a = _node(a)
        self.children = (self.a,)

    def value(self) -> float:
        a = self.a.value()
        return _finite(a * a, self)

    def grad(self, x: Var) -> float:
        return _finite(2 * self.a.value() * self.a.grad(x), self, "derivative")


class Abs(Node):
    """|a|; |a|' = sign(a)·a', taking sign(0) = 0 as PyTorch does"""

    op = "abs"

    def __init__(self, a: Node) -> None:
        self.a = _node(a)
        self.children = (self.a,)

    def value(self) -> float:
        return abs(self.a.value())

    def grad(self, x: Var) -> float:
        a = self.a.value()
        sign = (a > 0) - (a < 0)
        return sign * self.a.grad(x)


class Pow(Node):
    """a ** n for a constant exponent n; (aⁿ)' = n·aⁿ⁻¹·a'"""

    op = "**"

    def __init__(self, a: Node, exponent: float) -> None:
        self.a = _node(a)
        self.children = (self.a,)
        if isinstance(exponent, Const):
            exponent = exponent.v
        if isinstance(exponent, Node):
            raise TypeError(
                f"Pow needs a constant exponent, got the expression {exponent}; "
                "for a variable exponent write Exp(Log(base) * exponent)"
            )
        self.exponent = _check_number("Pow's exponent", exponent)

    def value(self) -> float:
        return _power(self.a.value(), self.exponent, self)

    def grad(self, x: Var) -> float:
        if self.exponent == 0:
            return 0.0
        a = self.a.value()
        if a == 0 and 0 < self.exponent < 1:  # n * 0 ** (n - 1) divides by 0
            raise ValueError(
                f"the derivative of {self} is infinite where {self.a} = 0; "
                "keep the base away from 0 (for example, add 1e-12)"
            )
        if a == 0 and self.exponent < 0:
            return _power(a, self.exponent, self)  # raises: 0 ** n itself is undefined
        slope = self.exponent * _power(a, self.exponent - 1, self, "derivative")
        return _finite(slope * self.a.grad(x), self, "derivative")

    def __str__(self) -> str:
        return f"(** {self.a} {_show(self.exponent)})"

    def __repr__(self) -> str:
        return f"Pow({self.a!r}, {self.exponent!r})"


def _power(a: float, n: float, node: Node, what: str = "value") -> float:
    if a == 0 and n < 0:
        raise ValueError(f"{node}: 0 raised to the negative power {_show(n)} is undefined")
    if a < 0 and n != int(n):
        raise ValueError(f"{node}: a negative base ({_show(a)}) to a fractional power is not real")
    try:
        return _finite(a**n, node, what)
    except OverflowError:  # float ** float raises instead of returning inf
        raise _overflow(node, what) from None


class Exp(Node):
    """e^a; (e^a)' = e^a·a'"""

    op = "exp"

    def __init__(self, a: Node) -> None:
        self.a = _node(a)
        self.children = (self.a,)

    def value(self) -> float:
        a = self.a.value()
        try:
            return math.exp(a)
        except OverflowError:  # math.exp raises instead of returning inf
            raise _overflow(self) from None

    def grad(self, x: Var) -> float:
        return _finite(self.value() * self.a.grad(x), self, "derivative")


class Log(Node):
    """natural log of a (a > 0); (ln a)' = a'/a"""

    op = "log"

    def __init__(self, a: Node) -> None:
        self.a = _node(a)
        self.children = (self.a,)

    def value(self) -> float:
        return math.log(_positive(self.a))

    def grad(self, x: Var) -> float:
        return _finite(self.a.grad(x) / _positive(self.a), self, "derivative")


def _positive(a: Node) -> float:
    v = a.value()
    if v <= 0:
        raise ValueError(f"log needs a positive value, but {a} = {_show(v)}")
    return v


class Tanh(Node):
    """tanh(a); tanh' = 1 - tanh²"""

    op = "tanh"

    def __init__(self, a: Node) -> None:
        self.a = _node(a)
        self.children = (self.a,)

    def value(self) -> float:
        return math.tanh(self.a.value())

    def grad(self, x: Var) -> float:
        return (1 - math.tanh(self.a.value()) ** 2) * self.a.grad(x)


class Sigmoid(Node):
    """σ(a) = 1 / (1 + e^-a); σ' = σ(1 - σ)"""

    op = "sigmoid"

    def __init__(self, a: Node) -> None:
        self.a = _node(a)
        self.children = (self.a,)

    def value(self) -> float:
        return _sigmoid(self.a.value())

    def grad(self, x: Var) -> float:
        s = _sigmoid(self.a.value())
        return s * (1 - s) * self.a.grad(x)


def _sigmoid(v: float) -> float:
    if v >= 0:  # two forms, so that exp never overflows
        return 1 / (1 + math.exp(-v))
    e = math.exp(v)
    return e / (1 + e)


class ReLU(Node):
    """max(0, a); slope 1 where a > 0, else 0 (0 at a = 0, as PyTorch does)"""

    op = "relu"

    def __init__(self, a: Node) -> None:
        self.a = _node(a)
        self.children = (self.a,)

    def value(self) -> float:
        return max(0, self.a.value())

    def grad(self, x: Var) -> float:
        slope = 1 if self.a.value() > 0 else 0
        return slope * self.a.grad(x)


def variables(expr: Node) -> list[Var]:
    """The distinct Vars in an expression, in the order they are first met (left to right)."""
    found: dict[int, Var] = {}
    seen: set[int] = set()
    stack = [_node(expr)]
    while stack:
        node = stack.pop()
        if id(node) in seen:
            continue
        seen.add(id(node))
        if isinstance(node, Var):
            found[id(node)] = node
        stack.extend(reversed(node.children))
    return list(found.values())


def gradient(expr: Node, params: list[Var] | None = None) -> list[float]:
    """The full gradient: one grad(p) call, a whole walk of the tree, per parameter p."""
    _check_params(params)
    if params is None:
        params = variables(expr)
    return [expr.grad(p) for p in params]
