"""Alpha: expressions that compute their value once and push gradients back to their inputs.

Every node caches its value and its local derivatives (one per child) when it is built.
Two ways to get gradients, both leaving the result in ``node.g``:

- ``expr.grad(upstream)`` -- the push model: a node adds ``upstream`` to its ``g`` and pushes
  ``upstream * local derivative`` to each child, recursively, once per path;
- ``backward_simple(expr)`` -- the same sums, but each node pushes once, after all of its
  parents: list the nodes in a topological order, then one loop (chapter 4's main line);
- ``expr.backward()`` -- the same sums in a single pass without listing the nodes first
  (serial numbers, use counts and a heap; chapter 4's "Making it fast"). Both need no
  recursion, so shared sub-expressions and deep graphs cost nothing extra.

Gradients accumulate on the leaves (``Var``, and ``Const``) like PyTorch's ``.grad``: clear
them with ``zero_grad()``, or read and clear at once with ``get_g()``. ``forward()`` recomputes
the cached values after ``Var.set_value``; differentiating before that raises a ValueError that
names the changed Var (like PyTorch's version counters), instead of using the old values.
Nodes hold their children and plain numbers only (no closures, no links back to parents), so a
graph you drop is freed at once by reference counting.
"""

from __future__ import annotations

import math
import numbers
from heapq import heappop, heappush
from itertools import count
from math import isinf as _isinf

from tinyml.checks import real as _real
from tinyml.checks import refuse_blank

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
    "backward_simple",
    "variables",
    "topological_order",
    "stats",
]

_OVERFLOW = "an error, not inf, when the result is too large for a float"

#: Named views for ``tinyml.show(..., view=...)``: the lines each view leaves out, with the
#: reason its ``...`` line gives. "simple" is chapter 4's first look at Alpha: the push
#: itself, without the checks and the bookkeeping around it.
SHOW_VIEWS = {
    "simple": {
        "_real": "refuses an upstream that is not a finite number",
        "_check_fresh": "refuses out-of-date values (see a forgotten forward(), below)",
        "__slots__": "a memory-saving detail",
        "_isinf": _OVERFLOW,
        "_overflow": _OVERFLOW,
        "_uses": "bookkeeping for backward(), in the optional Making it fast",
        "stats.pushes": "counts the calls in stats.pushes, used below",
        "pushed": "counts the nodes that pushed, for measuring (stats.visits)",  # backward_simple
    },
    # chapter 4's first look at Alpha: Node.grad and Mul, every left-out line for one reason
    "first look": dict.fromkeys(
        ("_real", "_check_fresh", "__slots__", "_isinf", "_overflow", "_uses", "stats.pushes"),
        "checks and bookkeeping",
    ),
    # chapter 4's optional look at an operation's bookkeeping for backward()
    "bookkeeping": {
        "__slots__": "a memory-saving detail",
        "_isinf": _OVERFLOW,
        "_overflow": _OVERFLOW,
    },
    # chapter 4's optional look at _push_once_each: the four cases for the first child, a; the
    # second child's copy of them is folded
    "one child": dict.fromkeys(
        ("b = node._b", "b is not None", "b._serial > s", "raise _stale(node, b)", "node._db")
        + ("b._a is None", "b.g ", "b._uses", "push(b)", "b._seen", "heappush(waiting, (-b")
        + ("                else:",),
        "the same four cases for the second child, b",
    ),
}


class Stats:
    """Work counters, for measuring: ``pushes`` counts calls of ``grad(upstream)`` (one per
    path through the graph); ``visits`` counts the nodes ``backward()`` processed (inner
    nodes, each exactly once per call, or 1 for a leaf)."""

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


def _node(x: object) -> Node:
    """A node as it is, a plain number promoted to ``Const``; anything else is a TypeError."""
    if isinstance(x, Node):
        return x
    refuse_blank(x)
    if isinstance(x, bool) or not isinstance(x, numbers.Real):
        raise TypeError(
            f"cannot use {x!r} of type {type(x).__name__} in an Alpha expression: "
            "use a number, a Const or a Var (Beta nodes and Alpha nodes do not mix)"
        )
    return Const(x)


class Node:
    """An expression node: its cached ``value()``, up to two children, the local derivative
    towards each child, and ``g``, the gradient of the last output differentiated.

    The children and local derivatives live in plain slots (``_a``, ``_b``, ``_da``, ``_db``)
    rather than in tuples or closures: one object per node is all Python allocates, and a
    node refers only to its children, never back to a parent, so a graph has no cycles.
    For ``backward()`` an operation node also gets a serial number when it is built or
    recomputed by ``forward()`` (``_serial``; a Var gets a new one from ``set_value``, so a
    child numbered above its parent means the parent's cached numbers are stale), and every
    node counts how often it is used as an operand (``_uses``:
    ``a * a`` counts 2, uses in other expressions count too; an over-count only makes a node
    wait, it never changes a result).
    """

    __slots__ = ("_v", "g", "_a", "_b", "_da", "_db", "_uses", "_serial", "_seen", "__weakref__")
    op = "?"
    name: str | None = None

    def value(self) -> float:
        """The value computed when the node was built (or by the last ``forward()``)."""
        return self._v

    @property
    def children(self) -> tuple[Node, ...]:
        """The operands: () for a leaf, (a,) for a function of one input, (a, b) for two."""
        a = self._a
        if a is None:
            return ()
        b = self._b
        return (a,) if b is None else (a, b)

    @property
    def local_grads(self) -> tuple[float, ...]:
        """d(self)/d(child) for each child, computed with the value and cached beside it."""
        if self._a is None:
            return ()
        return (self._da,) if self._b is None else (self._da, self._db)

    def _forward(self) -> None:
        """Recompute the value and the local derivatives from the children's current values."""
        uses = self._uses
        self._rebuild()  # a new serial number: recomputed after its children, as when built
        self._uses = uses  # the same node, not a new one:
        for child in self.children:
            child._uses -= 1  # _rebuild counted these uses a second time

    def _rebuild(self) -> None:
        self.__init__(*self.children)

    def __setstate__(self, state: tuple[None, dict[str, object]]) -> None:
        """A copied or unpickled node is a new node: number it after its children, which
        ``copy`` and ``pickle`` rebuild first, so creation order stays a topological order."""
        for slot, value in state[1].items():
            setattr(self, slot, value)
        if self._a is not None:
            self._serial, self._seen = _next_serial(), 0
        else:
            self._serial = 0  # a leaf as it is now: what its parents' copies were computed with

    # -- the push model (the seed's idea; recursive, so once per path) ------------------
    def grad(self, upstream: float = 1.0) -> None:
        """Add ``upstream`` to ``g``, then push ``upstream * d(self)/d(child)`` to each child."""
        upstream = _real(upstream, "the upstream gradient")
        stats.pushes += 1
        _check_fresh(self)
        self.g += upstream
        a = self._a
        if a is not None:  # a leaf (Var, Const) has no operand: nothing to push
            a.grad(self._da * upstream)
            b = self._b
            if b is not None:  # a one-operand node (tanh, sigmoid) has no second operand
                b.grad(self._db * upstream)

    # -- the fix: each node once, parents before children, no recursion ------------------
    def backward(self, upstream: float = 1.0) -> None:
        """Add d(self)/d(leaf) * upstream to ``g`` of every leaf below this node.

        The same gradients as ``backward_simple(self, upstream)``, in a single pass: each node
        is visited once, parents before children, with no list of the nodes made first.
        Like PyTorch's ``.grad``, the leaves' gradients accumulate across calls
        (``zero_grad()`` them in between); every inner node's ``g`` is recomputed, so it holds
        d(self)/d(node) * upstream afterwards.
        """
        upstream = _real(upstream, "the upstream gradient")
        if self._a is None:  # a leaf: d(self)/d(self) = 1
            self.g += upstream
            stats.visits += 1
            return
        stats.visits += _push_once_each(self, upstream)

    def forward(self) -> float:
        """Recompute every value below this node (after ``set_value``) and return the new one."""
        for node in reversed(topological_order(self)):
            if node._a is not None:
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
        return Add(self, other)

    def __radd__(self, other: object) -> Node:
        return Add(other, self)

    def __sub__(self, other: object) -> Node:
        return Sub(self, other)

    def __rsub__(self, other: object) -> Node:
        return Sub(other, self)

    def __mul__(self, other: object) -> Node:
        return Mul(self, other)

    def __rmul__(self, other: object) -> Node:
        return Mul(other, self)

    def __truediv__(self, other: object) -> Node:
        return Div(self, other)

    def __rtruediv__(self, other: object) -> Node:
        return Div(other, self)

    def __pow__(self, exponent: object) -> Node:
        return Pow(self, exponent)

    def __rpow__(self, base: object) -> Node:
        raise TypeError(
            f"{base!r} ** {self} has a non-constant exponent, which Pow does not support; "
            "write exp(exponent * log(base)) instead"
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
        return f"({self.op} {' '.join(parts)})"

    def __repr__(self) -> str:
        return f"<{type(self).__name__} {self.op} value={_fmt(self._v)} g={_fmt(self.g)}>"


def _fmt(x: float) -> str:
    return f"{x:.6g}"


def _overflow(expr: str, *operands: Node, what: str = "value") -> ValueError:
    """The error for an operation whose value (or local derivative) is too large for a float."""
    values = ", ".join(_fmt(x._v) for x in operands)
    return ValueError(
        f"{expr} overflows: its {what} is too large for a float (operand values: {values})"
    )


# -- leaves ------------------------------------------------------------------------------
class Const(Node):
    """A constant: its value never changes and nothing is pushed below it."""

    __slots__ = ()
    op = "const"

    def __init__(self, value: float) -> None:
        self._v = _real(value, "a Const's value")
        self.g = 0.0
        self._a = self._b = None
        self._uses = self._serial = 0

    def _text(self, parts: list[str]) -> str:
        return _fmt(self._v)

    def __repr__(self) -> str:
        return f"Const({_fmt(self._v)})"


class Var(Node):
    """A variable (a parameter): ``set_value`` changes it, ``g`` accumulates its gradient."""

    __slots__ = ("name",)
    op = "var"

    def __init__(self, value: float, name: str | None = None) -> None:
        if name is not None and not isinstance(name, str):
            raise TypeError(f"a Var's name must be a string or None, got {name!r}")
        self._v = _real(value, "a Var's value")
        self.name = name
        self.g = 0.0
        self._a = self._b = None
        self._uses = self._serial = 0

    def set_value(self, value: float) -> None:
        """Change the value; call ``forward()`` on an expression to re-evaluate it.

        The Var gets a new serial number, above every node built so far: until ``forward()``
        renumbers them, the expressions built on it know their cached numbers are stale.
        """
        self._v = _real(value, "a Var's value")
        self._serial = _next_serial()

    def _text(self, parts: list[str]) -> str:
        return self.name if self.name is not None else f"var({_fmt(self._v)})"

    def __repr__(self) -> str:
        label = f"{self.name}=" if self.name is not None else ""
        return f"Var({label}{_fmt(self._v)}, g={_fmt(self.g)})"


# -- operations: each computes its value and its local derivatives together -------------
# Numbers are promoted to Const on the way in. Each __init__ is written out in full (rather
# than calling a shared helper) because building nodes is most of a forward pass's time.
Operand = Node | float


class Add(Node):
    """a + b; d/da = 1, d/db = 1."""

    __slots__ = ()
    op = "+"

    def __init__(self, a: Operand, b: Operand) -> None:
        self._a = a = a if isinstance(a, Node) else _node(a)
        self._b = b = b if isinstance(b, Node) else _node(b)
        v = a._v + b._v
        if _isinf(v):  # two finite floats can still add up past the largest one
            raise _overflow(f"(+ {a} {b})", a, b)
        self._v = v
        self._da = self._db = 1.0
        self.g = 0.0
        self._uses, self._serial, self._seen = 0, _next_serial(), 0
        a._uses += 1
        b._uses += 1


class Sub(Node):
    """a - b; d/da = 1, d/db = -1."""

    __slots__ = ()
    op = "-"

    def __init__(self, a: Operand, b: Operand) -> None:
        self._a = a = a if isinstance(a, Node) else _node(a)
        self._b = b = b if isinstance(b, Node) else _node(b)
        v = a._v - b._v
        if _isinf(v):
            raise _overflow(f"(- {a} {b})", a, b)
        self._v = v
        self._da, self._db = 1.0, -1.0
        self.g = 0.0
        self._uses, self._serial, self._seen = 0, _next_serial(), 0
        a._uses += 1
        b._uses += 1


class Mul(Node):
    """a * b; d/da = b, d/db = a: the operands' values, cached here as the local derivatives."""

    __slots__ = ()
    op = "*"

    def __init__(self, a: Operand, b: Operand) -> None:
        a = a if isinstance(a, Node) else _node(a)  # an Operand: a node, or a number made a Const
        b = b if isinstance(b, Node) else _node(b)
        self._a, self._b = a, b  # the children: node.children
        v = a._v * b._v
        if _isinf(v):  # too large for a float: an error now, rather than inf (or nan) later
            raise _overflow(f"(* {a} {b})", a, b)
        self._v = v  # the value, computed once, here
        self._da, self._db = b._v, a._v  # the local derivatives: node.local_grads
        self.g = 0.0  # what passes through this node adds up here
        self._uses, self._serial, self._seen = 0, _next_serial(), 0
        a._uses += 1
        b._uses += 1


class Div(Node):
    """a / b; d/da = 1/b, d/db = -a/b**2."""

    __slots__ = ()
    op = "/"

    def __init__(self, a: Operand, b: Operand) -> None:
        self._a = a = a if isinstance(a, Node) else _node(a)
        self._b = b = b if isinstance(b, Node) else _node(b)
        av, bv = a._v, b._v
        if bv == 0:
            raise ValueError(f"division by zero: the denominator {b} is 0")
        v = av / bv
        da = 1.0 / bv
        db = -v / bv  # not -av / (bv * bv): bv * bv underflows to 0 for a tiny bv
        if _isinf(v):
            raise _overflow(f"(/ {a} {b})", a, b)
        if _isinf(da) or _isinf(db):
            raise _overflow(f"(/ {a} {b})", a, b, what="derivative")
        self._v, self._da, self._db = v, da, db
        self.g = 0.0
        self._uses, self._serial, self._seen = 0, _next_serial(), 0
        a._uses += 1
        b._uses += 1


class Neg(Node):
    """-a; d/da = -1."""

    __slots__ = ()
    op = "neg"

    def __init__(self, a: Operand) -> None:
        self._a = a = a if isinstance(a, Node) else _node(a)
        self._b = None
        self._v = -a._v
        self._da = -1.0
        self.g = 0.0
        self._uses, self._serial, self._seen = 0, _next_serial(), 0
        a._uses += 1


class Square(Node):
    """a**2; d/da = 2a."""

    __slots__ = ()
    op = "square"

    def __init__(self, a: Operand) -> None:
        self._a = a = a if isinstance(a, Node) else _node(a)
        self._b = None
        av = a._v
        v = av * av
        if _isinf(v):
            raise _overflow(f"(square {a})", a)
        self._v = v
        self._da = 2.0 * av
        self.g = 0.0
        self._uses, self._serial, self._seen = 0, _next_serial(), 0
        a._uses += 1


class Abs(Node):
    """|a|; d/da = sign(a), taken as 0 at a = 0 (as PyTorch does)."""

    __slots__ = ()
    op = "abs"

    def __init__(self, a: Operand) -> None:
        self._a = a = a if isinstance(a, Node) else _node(a)
        self._b = None
        av = a._v
        self._v = abs(av)
        self._da = 1.0 if av > 0 else -1.0 if av < 0 else 0.0
        self.g = 0.0
        self._uses, self._serial, self._seen = 0, _next_serial(), 0
        a._uses += 1


class Pow(Node):
    """a**k for a constant number k; d/da = k * a**(k-1)."""

    __slots__ = ("exponent",)
    op = "**"

    def __init__(self, a: Operand, exponent: float) -> None:
        if isinstance(exponent, Const):
            exponent = exponent.value()
        elif isinstance(exponent, Node):
            raise TypeError(
                f"Pow needs a constant exponent, got the expression {exponent}; "
                "for a variable exponent write exp(exponent * log(base))"
            )
        self.exponent = k = _real(exponent, "Pow's exponent")
        self._a = a = a if isinstance(a, Node) else _node(a)
        self._b = None
        av = a._v
        if av < 0 and not k.is_integer():
            raise ValueError(
                f"{a} = {_fmt(av)} is negative, so {_fmt(av)} ** {_fmt(k)} "
                "(a fractional power) is not a real number"
            )
        if av == 0 and k < 0:
            raise ValueError(f"0 ** {_fmt(k)} is undefined: {a} is 0")
        if av == 0 and 0 < k < 1:  # k * 0 ** (k - 1) divides by 0: the slope is vertical
            raise ValueError(
                f"the derivative of (** {a} {_fmt(k)}) is infinite where {a} = 0, and Alpha "
                "computes it with the value; keep the base away from 0 (for example, add 1e-12)"
            )
        try:
            self._v = av**k
        except OverflowError:  # float ** float raises instead of returning inf
            raise _overflow(f"(** {a} {_fmt(k)})", a) from None
        if k == 0:
            self._da = 0.0
        else:
            try:
                self._da = k * av ** (k - 1)
            except OverflowError:
                self._da = math.inf
            if _isinf(self._da):  # e.g. a tiny base to a negative power
                raise _overflow(f"(** {a} {_fmt(k)})", a, what="derivative")
        self.g = 0.0
        self._uses, self._serial, self._seen = 0, _next_serial(), 0
        a._uses += 1

    def _rebuild(self) -> None:
        self.__init__(self._a, self.exponent)

    def _text(self, parts: list[str]) -> str:
        return f"(** {parts[0]} {_fmt(self.exponent)})"


class Exp(Node):
    """e**a; d/da = e**a."""

    __slots__ = ()
    op = "exp"

    def __init__(self, a: Operand) -> None:
        self._a = a = a if isinstance(a, Node) else _node(a)
        self._b = None
        try:
            self._v = self._da = math.exp(a._v)
        except OverflowError:  # math.exp raises instead of returning inf
            raise _overflow(f"(exp {a})", a) from None
        self.g = 0.0
        self._uses, self._serial, self._seen = 0, _next_serial(), 0
        a._uses += 1


class Log(Node):
    """ln a for a > 0; d/da = 1/a."""

    __slots__ = ()
    op = "log"

    def __init__(self, a: Operand) -> None:
        self._a = a = a if isinstance(a, Node) else _node(a)
        self._b = None
        av = a._v
        if av <= 0:
            raise ValueError(f"log needs a positive argument, but {a} = {_fmt(av)}")
        self._v = math.log(av)
        self._da = 1.0 / av
        if _isinf(self._da):  # av is a subnormal float, below 1 / (the largest float)
            raise _overflow(f"(log {a})", a, what="derivative")
        self.g = 0.0
        self._uses, self._serial, self._seen = 0, _next_serial(), 0
        a._uses += 1


class Tanh(Node):
    """tanh a; d/da = 1 - tanh(a)**2."""

    __slots__ = ()
    op = "tanh"

    def __init__(self, a: Operand) -> None:
        self._a = a = a if isinstance(a, Node) else _node(a)
        self._b = None
        self._v = t = math.tanh(a._v)
        self._da = 1.0 - t * t
        self.g = 0.0
        self._uses, self._serial, self._seen = 0, _next_serial(), 0
        a._uses += 1


class Sigmoid(Node):
    """s(a) = 1 / (1 + e**-a); d/da = s(1 - s)."""

    __slots__ = ()
    op = "sigmoid"

    def __init__(self, a: Operand) -> None:
        self._a = a = a if isinstance(a, Node) else _node(a)
        self._b = None
        av = a._v
        if av >= 0:
            s = 1.0 / (1.0 + math.exp(-av))
        else:  # the same value, without overflowing exp for very negative a
            e = math.exp(av)
            s = e / (1.0 + e)
        self._v = s
        self._da = s * (1.0 - s)
        self.g = 0.0
        self._uses, self._serial, self._seen = 0, _next_serial(), 0
        a._uses += 1


class ReLU(Node):
    """max(a, 0); d/da = 1 for a > 0, else 0 (0 at a = 0, as PyTorch does)."""

    __slots__ = ()
    op = "relu"

    def __init__(self, a: Operand) -> None:
        self._a = a = a if isinstance(a, Node) else _node(a)
        self._b = None
        av = a._v
        if av > 0:
            self._v = av
            self._da = 1.0
        else:
            self._v = 0.0
            self._da = 0.0
        self.g = 0.0
        self._uses, self._serial, self._seen = 0, _next_serial(), 0
        a._uses += 1


# -- functions ---------------------------------------------------------------------------
def exp(x: Node | float) -> Node:
    """e**x as an expression."""
    return Exp(x)


def log(x: Node | float) -> Node:
    """ln x as an expression (x must be positive)."""
    return Log(x)


def tanh(x: Node | float) -> Node:
    """tanh x as an expression."""
    return Tanh(x)


def sigmoid(x: Node | float) -> Node:
    """The logistic function 1 / (1 + e**-x) as an expression."""
    return Sigmoid(x)


def relu(x: Node | float) -> Node:
    """max(x, 0) as an expression."""
    return ReLU(x)


def square(x: Node | float) -> Node:
    """x**2 as an expression."""
    return Square(x)


# -- backward()'s single pass -------------------------------------------------------------
# Two facts recorded while the graph is built make one pass enough. Every node is built after
# its operands, so serial numbers put parents after their children: taking nodes latest-built
# first is a topological order. And a node used only once as an operand has only one parent,
# so it may push the moment that parent has pushed into it; only shared nodes must wait.
_next_serial = count(1).__next__
_next_pass = count(1).__next__


def _push_once_each(root: Node, upstream: float) -> int:
    """Push gradients from root down to every node below it, each node exactly once.

    A node with one use is pushed at once; a shared node waits in a heap until it is the
    latest-built node still waiting. By then every parent it has below root has pushed, as
    parents are built after their children. The first push into an inner node sets its g,
    later ones add to it; leaves always add. Returns the number of inner nodes visited.
    """
    this_pass = _next_pass()
    root.g = upstream
    ready = [root]
    waiting: list[tuple[int, Node]] = []  # (-serial, node): heapq pops the latest-built
    pop, push = ready.pop, ready.append
    visited = 0
    while True:
        while ready:
            node = pop()
            visited += 1
            g = node.g
            s = node._serial
            # The same four cases for each child, written out twice: a loop over the children
            # would allocate tuples for every node, and this loop is the whole of backward().
            a = node._a
            if a._serial > s:  # a child changed after node cached its numbers
                raise _stale(node, a)
            d = node._da * g
            if a._a is None:  # a leaf: accumulate, like PyTorch's .grad
                a.g += d
            elif a._uses == 1:  # its only parent is done: push it right away
                a.g = d
                push(a)
            elif a._seen != this_pass:  # shared, first push in this pass: start waiting
                a._seen = this_pass
                a.g = d
                heappush(waiting, (-a._serial, a))
            else:  # shared, a later push: add up
                a.g += d
            b = node._b
            if b is not None:
                if b._serial > s:
                    raise _stale(node, b)
                d = node._db * g
                if b._a is None:
                    b.g += d
                elif b._uses == 1:
                    b.g = d
                    push(b)
                elif b._seen != this_pass:
                    b._seen = this_pass
                    b.g = d
                    heappush(waiting, (-b._serial, b))
                else:
                    b.g += d
        if not waiting:
            return visited
        push(heappop(waiting)[1])


def _short(node: Node) -> str:
    """A node's printed form, or its operator and operands' forms when those are long."""
    if node._a is None:
        return str(node)
    parts = [str(c) if c._a is None else f"({c.op} …)" for c in node.children]
    return node._text(parts) if not isinstance(node, Pow) else f"(** {parts[0]} …)"


def _stale(parent: Node, child: Node, added: bool = True) -> ValueError:
    """The error for differentiating with numbers cached before a child changed. ``added``:
    the pass that noticed may already have added to some ``g`` (``grad()``, ``backward()``)."""
    if isinstance(child, Var):
        what = f"the Var {_short(child)} was changed by set_value() (it is now {_fmt(child._v)})"
    else:
        what = f"{_short(child)} was recomputed by forward() on another expression"
    after = (
        "; this pass may already have added to some g, so zero_grad() the leaves too"
        if added
        else " (nothing was added to any g)"
    )
    return ValueError(
        f"{what} after {_short(parent)} computed its value and local derivatives, so the "
        "gradient would be taken at the old point; call forward() on the expression you "
        f"differentiate first{after}"
    )


def _check_fresh(node: Node, added: bool = True) -> None:
    """Raise the ValueError above if a child of ``node`` changed after ``node`` was computed."""
    for child in node.children:
        if child._serial > node._serial:
            raise _stale(node, child, added)


def backward_simple(root: Node, upstream: float = 1.0) -> None:
    """The backward pass, the plainest way: d(root)/d(node) * upstream into every node's ``g``.

    List the nodes parents first (``topological_order``), then let each node push
    ``its g * local derivative`` to each child. A node's turn comes after all of its parents,
    so its ``g`` is complete when it pushes: every node pushes exactly once.
    (``root.backward(upstream)`` computes the same gradients in one faster pass.)
    """
    upstream = _real(upstream, "the upstream gradient")
    order = topological_order(root)
    for node in order:
        if node.children:  # inner nodes start from 0; leaves accumulate, like PyTorch's .grad
            _check_fresh(node, added=False)  # refuse numbers cached before a child changed
            node.g = 0.0
    root.g += upstream
    for node in order:
        for child, d in zip(node.children, node.local_grads, strict=True):  # one d per child
            child.g += node.g * d
    pushed = sum(1 for node in order if node.children)  # counted for measuring, in stats
    stats.visits += pushed or 1  # a lone leaf counts as 1 visit, as in backward()


def topological_order(root: Node) -> list[Node]:
    """Every node below ``root``, once each, each one before all of its children.

    Counts each node's parents first, then releases a node when its last parent is done
    (Kahn's algorithm), so it needs no recursion, however deep the graph.
    """
    if not isinstance(root, Node):
        raise TypeError(f"expected an Alpha expression node, got {root!r} of type {type(root)}")
    parents = {root: 0}
    todo = [root]
    while todo:
        for child in todo.pop().children:
            if child in parents:
                parents[child] += 1
            else:
                parents[child] = 1
                todo.append(child)
    order = []
    ready = [root]
    while ready:
        node = ready.pop()
        order.append(node)
        for child in node.children:
            parents[child] -= 1
            if not parents[child]:
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
    """The distinct ``Var`` nodes below ``root``, in the order first met, left to right."""
    if not isinstance(root, Node):
        raise TypeError(f"expected an Alpha expression node, got {root!r} of type {type(root)}")
    found: list[Var] = []
    seen: set[Node] = set()
    todo = [root]
    while todo:
        node = todo.pop()
        if node in seen:  # marked when taken, not when stacked: a depth-first, left-first order
            continue
        seen.add(node)
        if isinstance(node, Var):
            found.append(node)
        todo.extend(reversed(node.children))
    return found
