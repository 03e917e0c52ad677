r"""Tensors: chapter 4's reverse-mode engine, with a numpy array in every node instead of a number.

A ``Tensor`` holds ``data``, a float64 numpy array, and after ``backward()`` its gradient in
``grad``, an array of the same shape (``None`` until then), as in PyTorch::

    W = Tensor(np.ones((3, 2)), requires_grad=True)
    x = Tensor([[1.0, 2.0]])
    loss = (x @ W.T).tanh().sum()
    loss.backward()            # fills W.grad; x.grad stays None (x does not require grad)

Every operation is one numpy call forward and a few backward, however many numbers it
touches: that is the whole speed-up over the scalar engine. Each operation records its
operands (``_parents``) and a backward rule (``_backward``), a plain function that turns the
gradient of the result into gradients of the operands; nodes never point back to a result,
so a graph has no reference cycles and is freed the moment it is dropped. An operation
whose operands need no gradient records nothing.

The layers and losses have chapter 7's (and PyTorch's) names: ``Linear``, ``MLP``,
``mse_loss``, ``binary_cross_entropy_with_logits``, ``cross_entropy``.
"""

from __future__ import annotations

import math
import numbers
import random
from collections.abc import Callable
from itertools import count
from operator import attrgetter

import numpy as np

from tinyml import nn
from tinyml.nn import Module, _size

__all__ = [
    "Tensor",
    "linear",
    "grad_check",
    "Module",
    "Linear",
    "MLP",
    "mse_loss",
    "binary_cross_entropy_with_logits",
    "cross_entropy",
]

_SHAPES = "checks the shapes (1-D or 2-D, inner sizes equal); the error names both"

#: Named views for ``tinyml.show(..., view=...)``: "lesson" is chapter 8's look at the
#: matrix product, without the shape checks in front of it.
SHOW_VIEWS = {
    "lesson": {
        "if not (1 <= a.ndim <= 2": _SHAPES,
        "if a.shape[-1] != b.shape[0]": _SHAPES,
        "raise ValueError(": _SHAPES,
        'f"@ takes 1-D or 2-D': _SHAPES,
        'f"@ needs the left': _SHAPES,
        'f"shapes {a.shape} and {b.shape} do not fit': _SHAPES,
        "        )": _SHAPES,  # the raise's closing parenthesis (only __matmul__ has one)
    },
}

_next_serial = count(1).__next__  # results are numbered as they are built
_new = object.__new__


def _as_data(data: object) -> np.ndarray:
    """``data`` as a float64 array, or a TypeError/ValueError that names what was wrong."""
    if isinstance(data, Tensor):
        return data.data.copy()
    if isinstance(data, np.ndarray):
        kind = data.dtype.kind
        if kind != "f":
            raise TypeError(_dtype_problem(data.dtype))
        array = data if data.dtype == np.float64 else data.astype(np.float64)
    else:
        if isinstance(data, (bool, np.bool_, str, bytes)) or data is None:
            raise TypeError(f"a Tensor holds numbers, got {data!r} of type {type(data).__name__}")
        try:
            array = np.array(data)
        except ValueError as exc:  # numpy refuses ragged nested lists
            raise ValueError(
                f"cannot make a Tensor from nested lists of different lengths ({exc})"
            ) from None
        if array.dtype.kind in "iu":  # written as integers, e.g. Tensor([[1, 2], [3, 4]])
            array = array.astype(np.float64)
        elif array.dtype.kind != "f":
            raise TypeError(_dtype_problem(array.dtype))
        else:
            array = array.astype(np.float64, copy=False)
    if not np.isfinite(array).all():
        where = tuple(int(i) for i in np.argwhere(~np.isfinite(array))[0])
        raise ValueError(
            f"Tensor data must be finite, but the entry at index {where} is "
            f"{array[where]}; remove or fill in missing values before making a Tensor"
        )
    return array


def _dtype_problem(dtype: np.dtype) -> str:
    kind = dtype.kind
    if kind in "iub":
        return (
            f"Tensor data must be floating-point, got an array of dtype {dtype}; convert it "
            "with .astype(float) (class labels for cross_entropy stay an integer array, "
            "not a Tensor)"
        )
    if kind == "O":
        return (
            "Tensor data must be numbers, got an array of Python objects (dtype object): "
            "nested lists of different lengths, or entries that are not numbers?"
        )
    return f"Tensor data must be real floating-point numbers, got dtype {dtype}"


def _lift(x: object) -> Tensor:
    """An operand as a Tensor: a plain number becomes a constant (it needs no gradient)."""
    if x.__class__ is Tensor:
        return x
    if isinstance(x, numbers.Real) and not isinstance(x, (bool, np.bool_)):
        t = _new(Tensor)
        t.data = np.array(float(x))
        t.grad, t.requires_grad, t._parents, t._backward = None, False, (), None
        return t
    if isinstance(x, (Tensor, np.ndarray)):
        return Tensor(x)
    raise TypeError(
        f"cannot combine a Tensor with {x!r} of type {type(x).__name__}; "
        "use a number, a numpy array or a Tensor"
    )


def _result(data: np.ndarray, parents: tuple[Tensor, ...], backward: Callable, ctx=None):
    """The Tensor for an operation's result; it records its graph only if an operand needs
    a gradient."""
    out = _new(Tensor)
    out.data = data
    out.grad = None
    for p in parents:
        if p.requires_grad:
            out.requires_grad = True
            out._parents = parents
            out._backward = backward
            out._ctx = ctx
            out._serial = _next_serial()
            return out
    out.requires_grad = False
    out._parents = ()
    out._backward = None
    return out


def _unbroadcast(g: np.ndarray, shape: tuple[int, ...]) -> np.ndarray:
    """Sum ``g`` over the axes that broadcasting stretched, so that it has ``shape`` again.

    numpy lines shapes up from the right, puts missing axes in front and stretches axes of
    length 1; each stretched copy of an entry received a share of the gradient, so the
    entry's gradient is the sum of the shares.
    """
    if g.shape == shape:
        return g
    extra = g.ndim - len(shape)
    if extra:
        g = g.sum(axis=tuple(range(extra)))
    stretched = tuple(i for i, n in enumerate(shape) if n == 1 and g.shape[i] != 1)
    if stretched:
        g = g.sum(axis=stretched, keepdims=True)
    return np.asarray(g)


class Tensor:
    """A float64 numpy array with a gradient: ``data``, ``grad`` and ``requires_grad``."""

    __slots__ = (
        "data",
        "grad",
        "requires_grad",
        "_parents",
        "_backward",
        "_ctx",
        "_serial",
        "__weakref__",
    )
    __array_ufunc__ = None  # numpy array (op) Tensor: let the Tensor's reflected method run

    def __init__(self, data: object, requires_grad: bool = False) -> None:
        if requires_grad is not True and requires_grad is not False:
            raise TypeError(f"requires_grad must be True or False, got {requires_grad!r}")
        self.data = _as_data(data)
        self.grad: np.ndarray | None = None
        self.requires_grad = requires_grad
        self._parents: tuple[Tensor, ...] = ()
        self._backward: Callable | None = None

    # -- what a Tensor is ------------------------------------------------------------------
    @property
    def shape(self) -> tuple[int, ...]:
        return self.data.shape

    @property
    def ndim(self) -> int:
        return self.data.ndim

    def item(self) -> float:
        """The single number in a one-element tensor, as a Python float."""
        if self.data.size != 1:
            raise ValueError(
                f"item() needs a tensor with one element, this one has shape {self.shape}"
            )
        return float(self.data.reshape(()))

    def numpy(self) -> np.ndarray:
        """The data array itself (not a copy)."""
        return self.data

    def detach(self) -> Tensor:
        """The same data as a new leaf that records no operations."""
        t = _new(Tensor)
        t.data, t.grad, t.requires_grad, t._parents, t._backward = self.data, None, False, (), None
        return t

    def zero_grad(self) -> None:
        """Forget the gradient (``grad = None``), as PyTorch's ``optimizer.zero_grad()``."""
        self.grad = None

    def __repr__(self) -> str:
        body = np.array2string(self.data, precision=4, separator=", ", prefix="Tensor(")
        if self._backward is not None:
            return f"Tensor({body}, grad_fn={self._backward.__name__.strip('_')})"
        return f"Tensor({body}, requires_grad=True)" if self.requires_grad else f"Tensor({body})"

    # -- backward(): every node once, results before their operands, no recursion ----------
    def backward(self) -> None:
        """Add d(self)/d(leaf) to ``grad`` of every leaf below that requires a gradient.

        ``self`` must hold a single number (a loss). Results are numbered as they are built,
        after their operands, so taking the nodes latest-first visits each one after every
        result that uses it: a topological order, found without recursion.
        """
        if self.data.size != 1:
            raise ValueError(
                f"backward() needs a tensor with one element (a loss), got shape {self.shape}; "
                "reduce it first, e.g. with .sum() or .mean()"
            )
        if not self.requires_grad:
            raise ValueError(
                "backward() on a tensor that does not require grad: none of the tensors it "
                "was computed from was created with requires_grad=True"
            )
        seed = np.ones(self.data.shape)
        if self._backward is None:  # a leaf: d(self)/d(self) = 1
            self.grad = seed if self.grad is None else self.grad + seed
            return
        grads = {self: seed}  # gradients of the inner nodes, held only during this pass
        for node in _inner_nodes(self):
            g = grads.pop(node)
            for parent, pg in zip(node._parents, node._backward(g, node), strict=True):
                if pg is None:  # this operand needs no gradient
                    continue
                if parent._backward is None:  # a leaf: accumulate, like PyTorch's .grad
                    parent.grad = pg if parent.grad is None else parent.grad + pg
                elif parent in grads:
                    grads[parent] = grads[parent] + pg
                else:
                    grads[parent] = pg

    # -- element-wise arithmetic, with numpy broadcasting -----------------------------------
    # Rules hand out the incoming gradient g itself (or a view of it) to at most one operand,
    # and fresh arrays otherwise, so no two leaves ever share one gradient array.
    def __add__(self, other: object) -> Tensor:
        other = _lift(other)
        return _result(self.data + other.data, (self, other), Tensor._add_backward)

    @staticmethod
    def _add_backward(g, out):
        a, b = out._parents
        ga = _unbroadcast(g, a.shape) if a.requires_grad else None
        gb = _unbroadcast(g, b.shape) if b.requires_grad else None
        if gb is not None and gb is ga:
            gb = gb.copy()
        return ga, gb

    def __radd__(self, other: object) -> Tensor:
        return _lift(other).__add__(self)

    def __sub__(self, other: object) -> Tensor:
        other = _lift(other)
        return _result(self.data - other.data, (self, other), Tensor._sub_backward)

    @staticmethod
    def _sub_backward(g, out):
        a, b = out._parents
        return (
            _unbroadcast(g, a.shape) if a.requires_grad else None,
            -_unbroadcast(g, b.shape) if b.requires_grad else None,
        )

    def __rsub__(self, other: object) -> Tensor:
        return _lift(other).__sub__(self)

    def __mul__(self, other: object) -> Tensor:
        other = _lift(other)
        return _result(self.data * other.data, (self, other), Tensor._mul_backward)

    @staticmethod
    def _mul_backward(g, out):
        a, b = out._parents
        return (
            _unbroadcast(b.data * g, a.shape) if a.requires_grad else None,
            _unbroadcast(a.data * g, b.shape) if b.requires_grad else None,
        )

    def __rmul__(self, other: object) -> Tensor:
        return _lift(other).__mul__(self)

    def __truediv__(self, other: object) -> Tensor:
        other = _lift(other)
        if not other.data.all():
            raise ValueError(f"division by zero: the denominator {other!r} has a zero entry")
        return _result(self.data / other.data, (self, other), Tensor._div_backward)

    @staticmethod
    def _div_backward(g, out):
        a, b = out._parents
        return (
            _unbroadcast((1.0 / b.data) * g, a.shape) if a.requires_grad else None,
            _unbroadcast((-out.data / b.data) * g, b.shape) if b.requires_grad else None,
        )

    def __rtruediv__(self, other: object) -> Tensor:
        return _lift(other).__truediv__(self)

    def __neg__(self) -> Tensor:
        return _result(-self.data, (self,), Tensor._neg_backward)

    @staticmethod
    def _neg_backward(g, out):
        return (-g,)

    def __pow__(self, exponent: object) -> Tensor:
        """``self ** k`` for a constant number ``k``; d/da = k * a**(k - 1)."""
        if isinstance(exponent, Tensor):
            raise TypeError(
                "** needs a constant exponent (a number), got a Tensor; "
                "for a variable exponent write (exponent * base.log()).exp()"
            )
        if isinstance(exponent, (bool, np.bool_)) or not isinstance(exponent, numbers.Real):
            raise TypeError(f"** needs a number as exponent, got {exponent!r}")
        k = float(exponent)
        a = self.data
        if not k.is_integer() and (a < 0).any():
            raise ValueError(
                f"a negative entry ({a.min():.6g}) to the fractional power {k:g} "
                "is not a real number"
            )
        if k < 1 and k != 0 and not a.all():
            raise ValueError(
                f"an entry is 0, and 0 ** {k:g} (or its derivative) is infinite; "
                "keep the base away from 0"
            )
        return _result(a**k, (self,), Tensor._pow_backward, k)

    @staticmethod
    def _pow_backward(g, out):
        (a,), k = out._parents, out._ctx
        return ((k * a.data ** (k - 1)) * g,)

    def __rpow__(self, base: object) -> Tensor:
        raise TypeError(
            f"{base!r} ** Tensor has a non-constant exponent, which ** does not support; "
            "write (exponent * log(base)).exp() instead"
        )

    # -- matrix product -----------------------------------------------------------------------
    def __matmul__(self, other: object) -> Tensor:
        """The matrix product of 1-D and 2-D tensors, as numpy's ``@``."""
        other = _lift(other)
        a, b = self.data, other.data
        if not (1 <= a.ndim <= 2 and 1 <= b.ndim <= 2):
            raise ValueError(
                f"@ takes 1-D or 2-D tensors here, got shapes {a.shape} and {b.shape}"
            )
        if a.shape[-1] != b.shape[0]:
            raise ValueError(
                f"@ needs the left operand's last axis to match the right one's first: "
                f"shapes {a.shape} and {b.shape} do not fit ({a.shape[-1]} != {b.shape[0]})"
            )
        return _result(a @ b, (self, other), Tensor._matmul_backward)

    @staticmethod
    def _matmul_backward(g, out):
        # C = A @ B: dA = g @ B^T and dB = A^T @ g. A 1-D operand is a row (left) or a
        # column (right) matrix, and its gradient goes back to its own shape.
        a, b = out._parents
        A, B = a.data, b.data
        if A.ndim == 2 and B.ndim == 2:
            return (g @ B.T if a.requires_grad else None, A.T @ g if b.requires_grad else None)
        A = A.reshape(1, -1) if A.ndim == 1 else A
        B = B.reshape(-1, 1) if B.ndim == 1 else B
        G = g.reshape(A.shape[0], B.shape[1])
        return (
            (G @ B.T).reshape(a.shape) if a.requires_grad else None,
            (A.T @ G).reshape(b.shape) if b.requires_grad else None,
        )

    def __rmatmul__(self, other: object) -> Tensor:
        return _lift(other).__matmul__(self)

    # -- shapes ----------------------------------------------------------------------------
    @property
    def T(self) -> Tensor:
        """The tensor with its axes reversed (the transpose of a matrix)."""
        return _result(self.data.T, (self,), Tensor._transpose_backward)

    @staticmethod
    def _transpose_backward(g, out):
        return (g.T,)

    def reshape(self, *shape: int) -> Tensor:
        """The same entries in a new shape: ``t.reshape(2, 3)`` or ``t.reshape((2, 3))``."""
        if len(shape) == 1 and isinstance(shape[0], (tuple, list)):
            shape = tuple(shape[0])
        return _result(self.data.reshape(shape), (self,), Tensor._reshape_backward)

    @staticmethod
    def _reshape_backward(g, out):
        (a,) = out._parents
        return (g.reshape(a.shape),)

    # -- reductions ------------------------------------------------------------------------
    def sum(self, axis: int | tuple[int, ...] | None = None, keepdims: bool = False) -> Tensor:
        """The sum over ``axis`` (all axes by default); each entry's derivative is 1."""
        data = np.asarray(self.data.sum(axis=axis, keepdims=keepdims))
        return _result(data, (self,), Tensor._sum_backward, (axis, keepdims, 1.0))

    def mean(self, axis: int | tuple[int, ...] | None = None, keepdims: bool = False) -> Tensor:
        """The mean over ``axis`` (all axes by default); each entry's derivative is 1/n."""
        data = np.asarray(self.data.mean(axis=axis, keepdims=keepdims))
        n = self.data.size // max(data.size, 1) if self.data.size else 1
        return _result(data, (self,), Tensor._sum_backward, (axis, keepdims, 1.0 / n))

    @staticmethod
    def _sum_backward(g, out):
        (a,), (axis, keepdims, scale) = out._parents, out._ctx
        if axis is not None and not keepdims:
            g = np.expand_dims(g, axis)  # put the summed axes back, as length 1
        grad = np.empty(a.shape)
        grad[...] = g * scale if scale != 1.0 else g  # each entry gets its sum's gradient
        return (grad,)

    # -- functions of one entry at a time ----------------------------------------------------
    def exp(self) -> Tensor:
        """e ** self, entry by entry; the derivative is the value itself."""
        if self.data.size and self.data.max() > 709.78:
            raise ValueError(
                f"exp overflows: an entry is {self.data.max():.6g}, and e ** x is too large "
                "for a float above x = 709.78"
            )
        return _result(np.exp(self.data), (self,), Tensor._exp_backward)

    @staticmethod
    def _exp_backward(g, out):
        return (out.data * g,)

    def log(self) -> Tensor:
        """The natural logarithm of positive entries; the derivative is 1/x."""
        if self.data.size and not self.data.min() > 0:
            raise ValueError(f"log needs positive entries, but one is {self.data.min():.6g}")
        return _result(np.log(self.data), (self,), Tensor._log_backward)

    @staticmethod
    def _log_backward(g, out):
        (a,) = out._parents
        return ((1.0 / a.data) * g,)

    def tanh(self) -> Tensor:
        """tanh, entry by entry; the derivative is 1 - tanh²."""
        return _result(np.tanh(self.data), (self,), Tensor._tanh_backward)

    @staticmethod
    def _tanh_backward(g, out):
        t = out.data
        return ((1.0 - t * t) * g,)

    def relu(self) -> Tensor:
        """max(x, 0), entry by entry; the derivative is 1 where x > 0, else 0."""
        return _result(np.maximum(self.data, 0.0), (self,), Tensor._relu_backward)

    @staticmethod
    def _relu_backward(g, out):
        return (g * (out.data > 0),)

    def sigmoid(self) -> Tensor:
        """1 / (1 + e**-x), entry by entry, without overflow; the derivative is s(1 - s)."""
        x = self.data
        e = np.exp(-np.abs(x))  # never overflows; e**x or e**-x, whichever is at most 1
        s = np.where(x >= 0, 1.0 / (1.0 + e), e / (1.0 + e))
        return _result(s, (self,), Tensor._sigmoid_backward)

    @staticmethod
    def _sigmoid_backward(g, out):
        s = out.data
        return ((s * (1.0 - s)) * g,)


def _inner_nodes(root: Tensor) -> list[Tensor]:
    """Every result below ``root`` (leaves excluded), latest-built first."""
    found = [root]
    seen = {root}
    todo = [root]
    while todo:
        for parent in todo.pop()._parents:
            if parent._backward is not None and parent not in seen:
                seen.add(parent)
                found.append(parent)
                todo.append(parent)
    found.sort(key=_serial, reverse=True)
    return found


_serial = attrgetter("_serial")


# -- a fused layer: three nodes' work in one ---------------------------------------------
def linear(x: Tensor, weight: Tensor, bias: Tensor | None = None) -> Tensor:
    """``x @ weight.T + bias`` as one node (PyTorch: ``torch.nn.functional.linear``).

    The same numbers as the three nodes ``@``, ``.T`` and ``+``, with their three backward
    rules combined into one: dx = g @ W, dW = gᵀ @ x, db = g summed over the batch. One node
    instead of three is less Python per layer, which is most of the time at small batches.
    """
    x, weight = _lift(x), _lift(weight)
    if x.data.ndim != 2 or weight.data.ndim != 2 or x.data.shape[1] != weight.data.shape[1]:
        one = "; one sample? make it a batch of one: x.reshape(1, -1)" if x.data.ndim == 1 else ""
        raise ValueError(
            f"linear needs x of shape (n, in) and weight of shape (out, in) with the same in, "
            f"got shapes {x.shape} and {weight.shape}{one}"
        )
    if bias is None:
        return _result(x.data @ weight.data.T, (x, weight), _linear_backward)
    bias = _lift(bias)
    if bias.data.shape != weight.data.shape[:1]:
        raise ValueError(
            f"linear: the bias must have one entry per output ({weight.shape[0]}), "
            f"got shape {bias.shape}"
        )
    return _result(x.data @ weight.data.T + bias.data, (x, weight, bias), _linear_backward)


def _linear_backward(g, out):
    x, weight, *bias = out._parents
    grads = (
        g @ weight.data if x.requires_grad else None,
        g.T @ x.data if weight.requires_grad else None,
    )
    if bias:
        return (*grads, g.sum(axis=0) if bias[0].requires_grad else None)
    return grads


# -- checking gradients against central differences ---------------------------------------
def grad_check(f: Callable[..., Tensor], *inputs: Tensor, rtol: float = 1e-5, atol: float = 1e-7):
    """Compare the gradients ``backward()`` gives for ``f(*inputs)`` with central differences.

    ``f`` maps the input tensors to a one-element tensor. Returns chapter 1's
    :class:`~tinyml.numeric.GradCheck`, one row per entry of every input, in order.
    """
    from tinyml.numeric import grad_check as numeric_grad_check

    leaves = [Tensor(x.data, requires_grad=True) for x in inputs]
    f(*leaves).backward()
    claimed = [(x.grad if x.grad is not None else np.zeros(x.shape)).ravel() for x in leaves]
    sizes = [x.data.size for x in leaves]

    def flat(*values: float) -> float:
        parts, start = [], 0
        for x, n in zip(leaves, sizes, strict=True):
            parts.append(Tensor(np.array(values[start : start + n]).reshape(x.shape)))
            start += n
        return f(*parts).item()

    point = np.concatenate([x.data.ravel() for x in leaves]).tolist()
    return numeric_grad_check(flat, point, np.concatenate(claimed).tolist(), rtol, atol)


# -- layers: chapter 7's, with a Tensor for each weight matrix and bias vector -------------
class Linear(Module):
    """y = x @ weight.T + bias for a batch x of shape (n, in_features): ``weight`` is an
    out × in Tensor, ``bias`` has out entries.

    PyTorch's initialisation, every entry uniform in ±1/√in_features, drawn exactly as
    ``tinyml.nn.Linear`` draws it: the same seed gives the same layer in both engines.
    """

    def __init__(self, in_features: int, out_features: int, *, seed: int | None = None):
        self.in_features = n_in = _size("in_features", in_features)
        self.out_features = n_out = _size("out_features", out_features)
        bound = 1 / math.sqrt(n_in)
        rng = random.Random(seed)
        weight = [[rng.uniform(-bound, bound) for _ in range(n_in)] for _ in range(n_out)]
        bias = [rng.uniform(-bound, bound) for _ in range(n_out)]
        self.weight = Tensor(weight, requires_grad=True)
        self.bias = Tensor(bias, requires_grad=True)

    def forward(self, x: object) -> Tensor:
        """``x @ weight.T + bias``, computed by :func:`linear` as one node."""
        return linear(x, self.weight, self.bias)

    def parameters(self) -> list[Tensor]:
        return [self.weight, self.bias]

    def __repr__(self) -> str:
        return f"Linear(in_features={self.in_features}, out_features={self.out_features})"


_ACTIVATIONS = {"tanh": Tensor.tanh, "relu": Tensor.relu, "sigmoid": Tensor.sigmoid}


class MLP(nn.MLP):
    """Linear layers of the given ``sizes``, with ``activation`` between them (not after the
    last): ``MLP(64, [128, 10])`` is Linear(64, 128), activation, Linear(128, 10).

    It is chapter 7's ``tinyml.nn.MLP`` (same arguments, checks and seeded weights) built from
    this module's ``Linear`` and activations; only ``forward`` differs, one layer at a time on
    a whole batch.
    """

    layer_type = Linear
    activations = _ACTIVATIONS

    def forward(self, x: object) -> Tensor:
        act = _ACTIVATIONS[self.activation]
        for layer in self.layers[:-1]:
            x = act(layer(x))
        return self.layers[-1](x)

    def __repr__(self) -> str:
        sizes = [layer.out_features for layer in self.layers]
        n = sum(p.data.size for p in self.parameters())
        return (
            f"MLP({self.layers[0].in_features}, {sizes}, activation={self.activation!r}): "
            f"{n} parameters"
        )


# -- losses ----------------------------------------------------------------------------------
def _same_shape(name: str, a: Tensor, b: Tensor) -> None:
    if a.shape != b.shape:
        raise ValueError(
            f"{name}: input has shape {a.shape} but target has shape {b.shape}; "
            "they must match (reshape one of them)"
        )


def mse_loss(input: Tensor, target: object) -> Tensor:
    """The mean of the squared differences, as ``torch.nn.functional.mse_loss``."""
    target = _lift(target)
    _same_shape("mse_loss", input, target)
    return ((input - target) ** 2).mean()


def binary_cross_entropy_with_logits(logits: Tensor, targets: object) -> Tensor:
    r"""The mean of -[y log σ(z) + (1 - y) log(1 - σ(z))] over the entries, computed from the
    logits z as max(z, 0) - z·y + log(1 + e^{-|z|}), which never overflows.

    Its gradient is (σ(z) - y) / n: one fused node.
    """
    targets = _lift(targets)
    _same_shape("binary_cross_entropy_with_logits", logits, targets)
    z, y = logits.data, targets.data
    if y.size and (y.min() < 0 or y.max() > 1):
        raise ValueError(
            "binary_cross_entropy_with_logits: targets must be 0 or 1 (or probabilities in "
            f"between), got values from {y.min():g} to {y.max():g}"
        )
    losses = np.maximum(z, 0.0) - z * y + np.log1p(np.exp(-np.abs(z)))
    return _result(np.asarray(losses.mean()), (logits, targets), _bce_backward)


def _bce_backward(g, out):
    z, y = (p.data for p in out._parents)
    e = np.exp(-np.abs(z))
    s = np.where(z >= 0, 1.0 / (1.0 + e), e / (1.0 + e))
    scale = g / z.size
    logits, targets = out._parents
    return (
        (s - y) * scale if logits.requires_grad else None,
        -z * scale if targets.requires_grad else None,
    )


def _labels(labels: object, n: int, classes: int) -> np.ndarray:
    """Class labels as an integer array of length n with entries in 0..classes-1."""
    if isinstance(labels, Tensor):
        labels = labels.data
    y = labels if isinstance(labels, np.ndarray) else np.asarray(labels)
    if y.dtype.kind not in "iu":
        raise TypeError(
            f"cross_entropy needs class numbers (ints) as labels, got an array of dtype "
            f"{y.dtype}; pass e.g. np.array([0, 2, 1])"
        )
    if y.shape != (n,):
        raise ValueError(
            f"cross_entropy: {n} rows of logits need {n} labels, got labels of shape {y.shape}"
        )
    if n and (y.min() < 0 or y.max() >= classes):
        bad = y[(y < 0) | (y >= classes)][0]
        raise ValueError(
            f"label {bad} is out of range: with {classes} classes, "
            f"labels must be 0 … {classes - 1}"
        )
    return y


def cross_entropy(logits: Tensor, labels: object) -> Tensor:
    r"""The mean over rows of -log softmax(z)[label], for logits z of shape (n, classes).

    Fused and stable: log softmax(z) = z - m - log Σ e^{z - m} with m the row's maximum, so
    no exponential ever exceeds 1; the gradient is (softmax(z) - onehot(label)) / n.
    """
    if not isinstance(logits, Tensor):
        raise TypeError(f"cross_entropy needs logits as a Tensor, got {type(logits).__name__}")
    if logits.ndim != 2:
        raise ValueError(
            f"cross_entropy needs logits of shape (n, classes), got shape {logits.shape}"
        )
    n, classes = logits.shape
    y = _labels(labels, n, classes)
    shifted = logits.data - logits.data.max(axis=1, keepdims=True)
    e = np.exp(shifted)
    total = e.sum(axis=1, keepdims=True)
    rows = np.arange(n)
    picked = shifted[rows, y] - np.log(total[:, 0])  # log softmax at the labels
    loss = np.asarray(-(picked.sum() / n))
    return _result(loss, (logits,), _cross_entropy_backward, (e, total, rows, y))


def _cross_entropy_backward(g, out):
    e, total, rows, y = out._ctx
    p = e / total  # softmax
    p[rows, y] -= 1.0
    p *= g / len(y)
    return (p,)
