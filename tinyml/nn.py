r"""Neural networks from Alpha nodes: ``Module``, ``Linear``, ``MLP`` and losses, PyTorch's names.

A model maps one sample (a list of numbers) to a list of output nodes; a batch is a list of
samples, and a loss turns the batch's outputs into one node to call ``backward()`` on::

    model = MLP(2, [16, 16, 1], seed=0)
    logits = [model(x)[0] for x in X]
    loss = binary_cross_entropy_with_logits(logits, y)
    loss.backward()          # every parameter's .g is now d loss / d parameter

Everything here is built from ``tinyml.alpha`` (the nodes and ``backward()``) and
``tinyml.matrix`` (``matmul``); nothing new is differentiated by hand.
"""

from __future__ import annotations

import math
import numbers
import random
from collections.abc import Sequence
from typing import Any

from tinyml.alpha import Add, Const, Mul, Node, Var, exp, log, relu, sigmoid, tanh
from tinyml.checks import size as _size
from tinyml.matrix import flatten

__all__ = [
    "Module",
    "Linear",
    "MLP",
    "mse_loss",
    "binary_cross_entropy_with_logits",
    "cross_entropy",
]

ACTIVATIONS = {"tanh": tanh, "relu": relu, "sigmoid": sigmoid}

_CHECKS = "checks the batch: two lists of the same length (else a clear error)"

#: Named views for ``tinyml.show(..., view=...)``: "lesson" is chapter 7's look at the
#: layers and the loss, without the checks of bad input around them.
SHOW_VIEWS = {
    "lesson": {
        "self.in_features = _size": "keep the two sizes, checked to be positive whole numbers",
        "self.out_features = _size": "keep the two sizes, checked to be positive whole numbers",
        "x = self._inputs(x)": "the sample's numbers as nodes (a wrong sample: a clear error)",
        "_check_layout(": "refuses sizes that are not a list of widths, or an unknown activation",
        '_batch("logits"': _CHECKS,
        '_same_length("logits"': _CHECKS,
        "z = _binary_pair(i, z, t)": "the logit as a node, after checking it and its 0/1 target",
    },
}


class Module:
    """A model or a part of one: it has parameters (``Var``\\ s) and can clear their gradients."""

    def parameters(self) -> list[Var]:
        """Every trainable ``Var``, in a fixed order."""
        return []

    def zero_grad(self) -> None:
        """Set every parameter's gradient to 0 (an optimizer's ``zero_grad()`` does the same)."""
        for p in self.parameters():
            p.zero_grad()

    def __call__(self, x: Sequence[Any]) -> list[Node]:
        return self.forward(x)

    def forward(self, x: Sequence[Any]) -> list[Node]:
        raise NotImplementedError("each module defines its own forward(x)")


class Linear(Module):
    """``y = W x + b``: ``out_features`` outputs, each a weighted sum of the inputs plus a bias.

    ``weight`` is an out × in matrix of ``Var`` (row i holds output i's weights), ``bias`` a
    list of ``out_features`` ``Var``. Both start uniform in ±1/√in_features, as in PyTorch's
    ``torch.nn.Linear``.
    """

    def __init__(self, in_features: int, out_features: int, *, seed: int | None = None) -> None:
        self.in_features = _size("in_features", in_features)
        self.out_features = _size("out_features", out_features)
        bound = 1 / math.sqrt(self.in_features)
        rng = random.Random(seed)
        self.weight = [
            [Var(rng.uniform(-bound, bound)) for _ in range(self.in_features)]
            for _ in range(self.out_features)
        ]
        self.bias = [Var(rng.uniform(-bound, bound)) for _ in range(self.out_features)]

    def forward(self, x: Sequence[Any]) -> list[Node]:
        """The outputs for one sample ``x``: a list of ``in_features`` numbers or nodes.

        Output i is ``bias[i] + weight[i][0]·x[0] + … + weight[i][n-1]·x[n-1]``: row i of
        the matrix product ``matmul(weight, column(x))`` of chapter 5, plus the bias.
        """
        x = self._inputs(x)
        outputs = []
        for row, b in zip(self.weight, self.bias, strict=True):
            total = b
            for w, xi in zip(row, x, strict=True):
                total = Add(total, Mul(w, xi))  # total + w * xi, minus two method calls
            outputs.append(total)
        return outputs

    def _inputs(self, x: Any) -> list[Node]:
        """The sample as nodes (numbers become Const once, not once per output)."""
        if not isinstance(x, (list, tuple)) and (
            isinstance(x, str) or not isinstance(x, Sequence)
        ):
            raise TypeError(
                f"a Linear layer takes one sample as a list of {self.in_features} numbers "
                f"(in_features={self.in_features}), got {_short(x)}"
            )
        if x and all(isinstance(xi, (list, tuple)) for xi in x):
            raise TypeError(
                f"a Linear layer takes one sample at a time, got a list of {len(x)} lists "
                f"{_short(x)}; for a batch, call it once per sample: [model(x) for x in X]"
            )
        if len(x) != self.in_features:
            entries = "entry" if len(x) == 1 else "entries"
            raise ValueError(
                f"this Linear layer has in_features={self.in_features}, but the input has "
                f"{len(x)} {entries}: {_short(x)}"
            )
        return [xi if isinstance(xi, Node) else _as_node(xi, "an input") for xi in x]

    def parameters(self) -> list[Var]:
        """The weights row by row, then the biases: the order of PyTorch's ``parameters()``."""
        return flatten(self.weight) + self.bias

    def __repr__(self) -> str:
        return f"Linear(in_features={self.in_features}, out_features={self.out_features})"


def _check_layout(sizes: Any, activation: str, activations: dict[str, Any]) -> None:
    """MLP's arguments: a non-empty list of widths and a known activation's name."""
    if isinstance(sizes, numbers.Integral) or not isinstance(sizes, Sequence) or not sizes:
        raise TypeError(
            f"sizes must be a non-empty list of layer widths, e.g. [16, 16, 1], got {sizes!r}"
        )
    if activation not in activations:
        raise ValueError(
            f"activation must be one of {sorted(activations)}, got activation={activation!r}"
        )


class MLP(Module):
    """A multi-layer perceptron: ``Linear`` layers of the given sizes, the activation between
    them and none after the last, like ``torch.nn.Sequential(Linear, Tanh, …, Linear)``."""

    # What the layers are made of; chapter 8's tensor MLP is this class with its own two.
    layer_type = Linear
    activations = ACTIVATIONS

    def __init__(
        self,
        in_features: int,
        sizes: Sequence[int],
        *,
        activation: str = "tanh",
        seed: int | None = None,
    ) -> None:
        _check_layout(sizes, activation, self.activations)
        self.activation = activation
        widths = [_size("in_features", in_features)]
        widths += [_size(f"sizes[{i}]", s) for i, s in enumerate(sizes)]
        rng = random.Random(seed)  # one seed, a different draw for every layer
        self.layers = [
            self.layer_type(n_in, n_out, seed=None if seed is None else rng.randrange(2**32))
            for n_in, n_out in zip(widths, widths[1:], strict=False)
        ]

    def forward(self, x: Sequence[Any]) -> list[Node]:
        """Each layer in turn; every layer but the last is followed by the activation."""
        act = self.activations[self.activation]
        for layer in self.layers[:-1]:
            x = [act(v) for v in layer(x)]
        return self.layers[-1](x)

    def parameters(self) -> list[Var]:
        """Layer by layer: the weight row by row, then the bias."""
        return [p for layer in self.layers for p in layer.parameters()]

    def __repr__(self) -> str:
        sizes = [layer.out_features for layer in self.layers]
        return (
            f"MLP({self.layers[0].in_features}, {sizes}, activation={self.activation!r}): "
            f"{len(self.parameters())} parameters"
        )


# -- losses: one node for a whole batch, the mean over its samples ---------------------------


def _short(x: Any) -> str:
    text = repr(x)
    return text if len(text) <= 60 else text[:57] + "..."


def _as_node(v: Any, what: str) -> Node:
    if isinstance(v, Node):
        return v
    if isinstance(v, bool) or not isinstance(v, numbers.Real):
        raise TypeError(f"{what} must be a number or an Alpha node, got {v!r}")
    return Const(v)


def _batch(name: str, values: Any) -> list[Any]:
    if isinstance(values, (str, Node)) or not isinstance(values, Sequence):
        raise TypeError(f"{name} must be a list with one entry per sample, got {_short(values)}")
    if len(values) == 0:
        raise ValueError(f"{name} is empty: a loss needs at least one sample")
    return list(values)


def _same_length(a_name: str, a: list[Any], b_name: str, b: list[Any]) -> None:
    if len(a) != len(b):
        raise ValueError(
            f"{a_name} has {len(a)} sample{'s' * (len(a) != 1)} but {b_name} has {len(b)}; "
            "give one of each per sample"
        )


def _sum(nodes: list[Node]) -> Node:
    total = nodes[0]
    for v in nodes[1:]:
        total = total + v
    return total


def mse_loss(pred: Sequence[Any], target: Sequence[Any]) -> Node:
    r"""Mean squared error, $\frac{1}{n}\sum_i (p_i - t_i)^2$ (PyTorch: ``F.mse_loss``)."""
    pred, target = _batch("pred", pred), _batch("target", target)
    _same_length("pred", pred, "target", target)
    errors = [
        _as_node(p, f"pred[{i}]") - _as_node(t, f"target[{i}]")
        for i, (p, t) in enumerate(zip(pred, target, strict=True))
    ]
    return _sum([e * e for e in errors]) / len(errors)


def _softplus(z: Node) -> Node:
    """log(1 + e^z), written so that e^(large) is never computed."""
    if z.value() > 0:
        return z + log(1 + exp(-z))  # = log(e^z (e^-z + 1)); e^-z is below 1
    return log(1 + exp(z))


def _check_binary_target(i: int, t: Any) -> None:
    if isinstance(t, Node):
        raise TypeError(
            f"targets[{i}] is a node {_short(t)}; the order is (logits, targets): "
            "the model's scores first, then the 0/1 labels"
        )
    if isinstance(t, bool) or not isinstance(t, numbers.Real) or not 0 <= t <= 1:
        raise ValueError(f"targets[{i}] is {t!r}; binary targets must be 0 or 1")


def _binary_pair(i: int, z: Any, t: Any) -> Node:
    """Sample i's logit as a node, after checking the logit and its 0/1 target."""
    if isinstance(z, list):
        raise TypeError(
            f"logits[{i}] is a list {_short(z)}; give one score per sample, "
            "e.g. [model(x)[0] for x in X]"
        )
    _check_binary_target(i, t)
    return _as_node(z, f"logits[{i}]")


def binary_cross_entropy_with_logits(logits: Sequence[Any], targets: Sequence[Any]) -> Node:
    r"""Mean of $-[t\log\sigma(z) + (1-t)\log(1-\sigma(z))] = \log(1+e^z) - t z$, per sample.

    ``logits``: one score z per sample (a node or a number); ``targets``: 0 or 1 (or a
    probability in between). Written in the stable form, so z = ±1000 neither overflows nor
    gives log(0). PyTorch: ``torch.nn.functional.binary_cross_entropy_with_logits``.
    """
    logits, targets = _batch("logits", logits), _batch("targets", targets)
    _same_length("logits", logits, "targets", targets)
    losses = []
    for i, (z, t) in enumerate(zip(logits, targets, strict=True)):
        z = _binary_pair(i, z, t)
        losses.append(_softplus(z) - z * t if t else _softplus(z))
    return _sum(losses) / len(losses)


def _log_sum_exp(row: list[Node]) -> tuple[Node, float]:
    """log(sum_j e^(z_j)) - m with m = max z_j, and m: the shift keeps every e^(...) <= 1."""
    m = max(z.value() for z in row)
    return log(_sum([exp(z - m) for z in row])), m


def cross_entropy(logits: Sequence[Sequence[Any]], labels: Sequence[int]) -> Node:
    r"""Mean of $-\log \mathrm{softmax}(z)_y = \log\sum_j e^{z_j} - z_y$ over the samples.

    ``logits``: per sample, a list of k class scores; ``labels``: ints in ``0 … k-1``.
    The log-sum-exp is shifted by the largest score, so scores of ±1000 are fine.
    PyTorch: ``torch.nn.functional.cross_entropy``.
    """
    logits, labels = _batch("logits", logits), _batch("labels", labels)
    _same_length("logits", logits, "labels", labels)
    k = None
    losses = []
    for i, (row, label) in enumerate(zip(logits, labels, strict=True)):
        if isinstance(row, (str, Node)) or not isinstance(row, Sequence):
            raise TypeError(
                f"logits[{i}] is {_short(row)}; give each sample's class scores as a list, "
                "e.g. [model(x) for x in X]"
            )
        if k is None:
            k = len(row)
            if k < 2:
                raise ValueError(
                    f"logits[0] has {k} class score; cross_entropy needs >= 2. For one score "
                    "per sample (two classes), use binary_cross_entropy_with_logits"
                )
        if len(row) != k:
            raise ValueError(f"logits[0] has {k} class scores but logits[{i}] has {len(row)}")
        if isinstance(label, bool) or not isinstance(label, numbers.Integral):
            raise TypeError(f"labels[{i}] is {label!r}; labels must be class numbers (ints)")
        if not 0 <= label < k:
            raise ValueError(
                f"labels[{i}] is {label}, but there are {k} classes: labels must be 0 … {k - 1}"
            )
        row = [_as_node(z, f"logits[{i}][{j}]") for j, z in enumerate(row)]
        lse, m = _log_sum_exp(row)
        losses.append(lse - (row[label] - m))
    return _sum(losses) / len(losses)
