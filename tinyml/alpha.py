"""Alpha: expressions that compute their value once and push gradients back to their inputs.

Every node caches its value and its local derivatives (one per child) when it is built.
Two ways to get gradients, both leaving the result in ``node.g``:

- ``expr.grad(upstream)`` -- the push model: a node adds ``upstream`` to its ``g`` and pushes
  ``upstream * local derivative`` to each child, recursively, once per path;
- ``expr.backward()`` -- the same sums, but each node visited once, in reverse topological
  order, without recursion, so shared sub-expressions and deep graphs cost nothing extra.

Gradients accumulate on ``Var`` like PyTorch's ``.grad``: clear them with ``zero_grad()``, or
read and clear at once with ``get_g()``. Nodes hold their children and plain numbers only (no
closures, no links back to parents), so a graph you drop is freed at once by reference
counting.
"""

from __future__ import annotations

import math
import numbers

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
    "exp",
    "log",
    "tanh",
    "sigmoid",
    "relu",
    "square",
    "backward",
    "variables",
    "topological_order",
    "stats",
]


class Stats:
    """Work counters: ``pushes`` made by ``grad(upstream)``, nodes visited by ``backward()``."""

    __slots__ = ("pushes", "visits")

    def __init__(self) -> None:
        self.pushes = 0
        self.visits = 0

    def reset(self) -> None:
        self.pushes = 0
        self.visits = 0

    def __repr__(self) -> str:
        return f"Stats(pushes={self.pushes}, visits={self.visits})"


stats = Stats()


def _real(x: object, what: str) -> float:
    """``x`` as a finite float, or a TypeError/ValueError that says what was wrong."""
    if x.__class__ is not float:
        if isinstance(x, bool) or not isinstance(x, numbers.Real):
            raise TypeError(f"{what} must be a real number, got {x!r} of type {type(x).__name__}")
        x = float(x)
    if not math.isfinite(x):
        raise ValueError(f"{what} must be finite, got {x}")
    return x


def _node(x: object) -> Node:
    """A node as it is, a plain number promoted to ``Const``; anything else is a TypeError."""
    if isinstance(x, Node):
        return x
    if isinstance(x, bool) or not isinstance(x, numbers.Real):
        raise TypeError(
            f"cannot use {x!r} of type {type(x).__name__} in an Alpha expression: "
            "use a number, a Const or a Var (Beta nodes and Alpha nodes do not mix)"
        )
    return Const(x)


class Node:
    """An expression node: cached ``value()``, ``children``, their local derivatives, and ``g``.

    ``op`` names the operation; ``g`` holds the gradient of the last output differentiated
    with respect to this node.
    """

    __slots__ = ("_v", "g", "children", "_d", "__weakref__")
    op = "?"
    name: str | None = None

    def value(self) -> float:
        """The value computed when the node was built (or by the last ``forward()``)."""
        return self._v

    def _forward(self) -> None:  # pragma: no cover - every operation overrides it
        """Recompute ``_v`` and the local derivatives ``_d`` from the children's values."""
        raise NotImplementedError

    # -- the push model (the seed's idea, recursive: one call per path) -----------------
    def grad(self, upstream: float = 1.0) -> None:
        """Add ``upstream`` to ``g`` and push ``upstream * d(self)/d(child)`` to each child."""
        if upstream.__class__ is not float:
            upstream = _real(upstream, "the upstream gradient")
        stats.pushes += 1
        self.g += upstream
        for child, d in zip(self.children, self._d, strict=True):
            child.grad(d * upstream)

    # -- the fix: each node once, in reverse topological order, no recursion ------------
    def backward(self, upstream: float = 1.0) -> None:
        """Add d(self)/d(v) * upstream to ``v.g`` for every ``Var`` v below this node.

        Each node is visited once. Like PyTorch, ``Var`` gradients accumulate across calls
        (call ``zero_grad()`` in between); every other node's ``g`` is recomputed.
        """
        upstream = _real(upstream, "the upstream gradient")
        order = topological_order(self)
        for node in order:
            if not node._accumulates:
                node.g = 0.0
        self.g += upstream
        for node in order:
            g = node.g
            for child, d in zip(node.children, node._d, strict=True):
                child.g += d * g
        stats.visits += len(order)

    def forward(self) -> float:
        """Recompute every value below this node (after ``set_value``) and return the new one."""
        order = topological_order(self)
        for node in reversed(order):
            if node.children:
                node._forward()
        return self._v

    def zero_grad(self) -> None:
        """Set ``g`` to zero."""
        self.g = 0.0

    def get_g(self) -> float:
        """Return ``g`` and reset it to zero (read-and-clear)."""
        g = self.g
        self.g = 0.0
        return g

    # -- operator overloading: plain numbers become Const ---------------------------------
    def __add__(self, other: object) -> Node:
        return Add(self, _node(other))

    def __radd__(self, other: object) -> Node:
        return Add(_node(other), self)

    def __sub__(self, other: object) -> Node:
        return Sub(self, _node(other))

    def __rsub__(self, other: object) -> Node:
        return Sub(_node(other), self)

    def __mul__(self, other: object) -> Node:
        return Mul(self, _node(other))

    def __rmul__(self, other: object) -> Node:
        return Mul(_node(other), self)

    def __truediv__(self, other: object) -> Node:
        return Div(self, _node(other))

    def __rtruediv__(self, other: object) -> Node:
        return Div(_node(other), self)

    def __pow__(self, exponent: object) -> Node:
        return Pow(self, exponent)

    def __rpow__(self, base: object) -> Node:
        raise TypeError(
            f"{base!r} ** <expression> has a non-constant exponent, which Pow does not "
            "support; write exp(<expression> * log(base)) instead"
        )

    def __neg__(self) -> Node:
        return Neg(self)

    def __abs__(self) -> Node:
        return Abs(self)

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

    # -- printing: the Lisp-like form, built without recursion ---------------------------
    def __str__(self) -> str:
        done: dict[int, str] = {}
        stack: list[Node] = [self]
        while stack:
            node = stack[-1]
            if id(node) in done:
                stack.pop()
                continue
            missing = [c for c in node.children if id(c) not in done]
            if missing:
                stack.extend(missing)
                continue
            stack.pop()
            done[id(node)] = node._text([done[id(c)] for c in node.children])
        return done[id(self)]

    def _text(self, parts: list[str]) -> str:
        op = self.op + (f" {_fmt(self.exponent)}" if isinstance(self, Pow) else "")
        return f"({op} {' '.join(parts)})"

    def __repr__(self) -> str:
        return f"<{type(self).__name__} {self.op} value={_fmt(self._v)} g={_fmt(self.g)}>"

    _accumulates = False  # only Var keeps its gradient across backward() calls


def _fmt(x: float) -> str:
    return f"{x:.6g}"


# -- leaves ------------------------------------------------------------------------------
class Const(Node):
    """A constant: its value never changes and nothing is pushed below it."""

    __slots__ = ()
    op = "const"

    def __init__(self, value: float) -> None:
        self._v = _real(value, "a Const's value")
        self.g = 0.0
        self.children = ()
        self._d = ()

    def _text(self, parts: list[str]) -> str:
        return _fmt(self._v)

    def __repr__(self) -> str:
        return f"Const({_fmt(self._v)})"


class Var(Node):
    """A variable (a parameter): ``set_value`` changes it, ``g`` accumulates its gradient."""

    __slots__ = ("name",)
    op = "var"
    _accumulates = True

    def __init__(self, value: float, name: str | None = None) -> None:
        if name is not None and not isinstance(name, str):
            raise TypeError(f"a Var's name must be a string or None, got {name!r}")
        self._v = _real(value, "a Var's value")
        self.name = name
        self.g = 0.0
        self.children = ()
        self._d = ()

    def set_value(self, value: float) -> None:
        """Change the value; call ``forward()`` on an expression to re-evaluate it."""
        self._v = _real(value, "a Var's value")

    def _text(self, parts: list[str]) -> str:
        return self.name if self.name is not None else f"var({_fmt(self._v)})"

    def __repr__(self) -> str:
        label = f"{self.name}=" if self.name is not None else ""
        return f"Var({label}{_fmt(self._v)}, g={_fmt(self.g)})"


# -- operations: each computes its value and its local derivatives together -------------
_PLUS = (1.0, 1.0)
_MINUS = (1.0, -1.0)
_NEG = (-1.0,)


class _Binary(Node):
    __slots__ = ()

    def __init__(self, a: Node, b: Node) -> None:
        if not isinstance(a, Node) or not isinstance(b, Node):
            a, b = _node(a), _node(b)
        self.children = (a, b)
        self.g = 0.0
        self._forward()


class _Unary(Node):
    __slots__ = ()

    def __init__(self, a: Node) -> None:
        if not isinstance(a, Node):
            a = _node(a)
        self.children = (a,)
        self.g = 0.0
        self._forward()


class Add(_Binary):
    """a + b; d/da = 1, d/db = 1."""

    __slots__ = ()
    op = "+"

    def _forward(self) -> None:
        a, b = self.children
        self._v = a._v + b._v
        self._d = _PLUS


class Sub(_Binary):
    """a - b; d/da = 1, d/db = -1."""

    __slots__ = ()
    op = "-"

    def _forward(self) -> None:
        a, b = self.children
        self._v = a._v - b._v
        self._d = _MINUS


class Mul(_Binary):
    """a * b; d/da = b, d/db = a (so the operands' values are needed on the way back)."""

    __slots__ = ()
    op = "*"

    def _forward(self) -> None:
        a, b = self.children
        av, bv = a._v, b._v
        self._v = av * bv
        self._d = (bv, av)


class Div(_Binary):
    """a / b; d/da = 1/b, d/db = -a/b**2."""

    __slots__ = ()
    op = "/"

    def _forward(self) -> None:
        a, b = self.children
        av, bv = a._v, b._v
        if bv == 0:
            raise ValueError(f"division by zero: the denominator {b} evaluates to 0")
        inv = 1.0 / bv
        self._v = av * inv
        self._d = (inv, -av * inv * inv)


class Neg(_Unary):
    """-a; d/da = -1."""

    __slots__ = ()
    op = "neg"

    def _forward(self) -> None:
        self._v = -self.children[0]._v
        self._d = _NEG


class Square(_Unary):
    """a**2; d/da = 2a."""

    __slots__ = ()
    op = "square"

    def _forward(self) -> None:
        a = self.children[0]._v
        self._v = a * a
        self._d = (2.0 * a,)


class Abs(_Unary):
    """|a|; d/da = sign(a), taken as 0 at a = 0 (as PyTorch does)."""

    __slots__ = ()
    op = "abs"

    def _forward(self) -> None:
        a = self.children[0]._v
        self._v = abs(a)
        self._d = (1.0 if a > 0 else -1.0 if a < 0 else 0.0,)


class Pow(_Unary):
    """a**k for a constant number k; d/da = k * a**(k-1)."""

    __slots__ = ("exponent",)
    op = "**"

    def __init__(self, a: Node, exponent: float) -> None:
        if isinstance(exponent, Const):
            exponent = exponent.value()
        elif isinstance(exponent, Node):
            raise TypeError(
                f"Pow needs a constant exponent, got the expression {exponent}; "
                "for a variable exponent write exp(exponent * log(base))"
            )
        self.exponent = _real(exponent, "Pow's exponent")
        super().__init__(a)

    def _forward(self) -> None:
        a, k = self.children[0]._v, self.exponent
        if a < 0 and not k.is_integer():
            raise ValueError(f"{a} ** {k} is not a real number (negative base, fractional power)")
        if a == 0 and k < 0:
            raise ValueError(f"0 ** {k} is undefined (division by zero)")
        self._v = a**k
        if k == 0:
            d = 0.0
        elif a == 0 and k < 1:
            d = math.inf  # the slope of a fractional power is vertical at 0
        else:
            d = k * a ** (k - 1)
        self._d = (d,)


class Exp(_Unary):
    """e**a; d/da = e**a."""

    __slots__ = ()
    op = "exp"

    def _forward(self) -> None:
        a = self.children[0]._v
        try:
            v = math.exp(a)
        except OverflowError:
            raise ValueError(f"exp({a}) overflows a float; its argument is too large") from None
        self._v = v
        self._d = (v,)


class Log(_Unary):
    """ln a for a > 0; d/da = 1/a."""

    __slots__ = ()
    op = "log"

    def _forward(self) -> None:
        a = self.children[0]._v
        if a <= 0:
            raise ValueError(f"log needs a positive argument, got {a} (from {self.children[0]})")
        self._v = math.log(a)
        self._d = (1.0 / a,)


class Tanh(_Unary):
    """tanh a; d/da = 1 - tanh(a)**2."""

    __slots__ = ()
    op = "tanh"

    def _forward(self) -> None:
        t = math.tanh(self.children[0]._v)
        self._v = t
        self._d = (1.0 - t * t,)


class Sigmoid(_Unary):
    """1 / (1 + e**-a); d/da = s(1 - s)."""

    __slots__ = ()
    op = "sigmoid"

    def _forward(self) -> None:
        a = self.children[0]._v
        if a >= 0:
            s = 1.0 / (1.0 + math.exp(-a))
        else:  # same value, without overflowing exp for very negative a
            e = math.exp(a)
            s = e / (1.0 + e)
        self._v = s
        self._d = (s * (1.0 - s),)


class ReLU(_Unary):
    """max(a, 0); d/da = 1 for a > 0, else 0."""

    __slots__ = ()
    op = "relu"

    def _forward(self) -> None:
        a = self.children[0]._v
        if a > 0:
            self._v = a
            self._d = (1.0,)
        else:
            self._v = 0.0
            self._d = (0.0,)


# -- functions ---------------------------------------------------------------------------
def exp(x: Node | float) -> Node:
    """e**x as an expression."""
    return Exp(_node(x))


def log(x: Node | float) -> Node:
    """ln x as an expression (x must be positive)."""
    return Log(_node(x))


def tanh(x: Node | float) -> Node:
    """tanh x as an expression."""
    return Tanh(_node(x))


def sigmoid(x: Node | float) -> Node:
    """The logistic function 1 / (1 + e**-x) as an expression."""
    return Sigmoid(_node(x))


def relu(x: Node | float) -> Node:
    """max(x, 0) as an expression."""
    return ReLU(_node(x))


def square(x: Node | float) -> Node:
    """x**2 as an expression."""
    return Square(_node(x))


def topological_order(root: Node) -> list[Node]:
    """Every node below ``root``, once each, every node before all of its children.

    Counts each node's parents first, then releases a node when its last parent is done
    (Kahn's algorithm), so it needs no recursion, however deep the graph.
    """
    if not isinstance(root, Node):
        raise TypeError(f"expected an Alpha expression node, got {root!r} of type {type(root)}")
    parents = {root: 0}
    stack = [root]
    while stack:
        for child in stack.pop().children:
            if child in parents:
                parents[child] += 1
            else:
                parents[child] = 1
                stack.append(child)
    order = []
    ready = [root]
    while ready:
        node = ready.pop()
        order.append(node)
        for child in node.children:
            left = parents[child] - 1
            parents[child] = left
            if not left:
                ready.append(child)
    return order


def backward(root: Node, upstream: float = 1.0) -> None:
    """``root.backward(upstream)``, with a clear TypeError if ``root`` is not a node."""
    if not isinstance(root, Node):
        raise TypeError(
            f"backward() needs an Alpha expression node, got {root!r} of type "
            f"{type(root).__name__}; build the expression from tinyml.alpha Var/Const"
        )
    root.backward(upstream)


def variables(root: Node) -> list[Var]:
    """The ``Var`` nodes below ``root``, each once, in the order they were first reached."""
    return [n for n in reversed(topological_order(root)) if isinstance(n, Var)]
