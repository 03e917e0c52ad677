r"""Optimizers: use the gradients that backward() left in each ``Var.g`` to update the Vars.

They update ``tinyml.tensor.Tensor`` parameters too, from ``Tensor.grad``, with the same
formulas applied to every entry of the array at once (chapter 8).

The shape of every training loop, as in PyTorch::

    optimizer = Adam([w, b], lr=0.01)
    for _ in range(steps):
        optimizer.zero_grad()   # clear the gradients left by the previous step
        loss = model(w, b)      # forward: build the graph
        loss.backward()         # backward: fill w.g and b.g
        optimizer.step()        # update w and b from w.g and b.g

Each update rule below is exactly PyTorch's (``torch.optim.SGD`` with and without
``momentum``, ``RMSprop`` and ``Adam`` with their default settings), so iterates agree with
PyTorch's to rounding. The formulas use θ for a parameter, g for its gradient, t for the
step number (1, 2, …) and η for the learning rate ``lr``. Everything in them is
element-wise, so one line of code serves a number and an array alike.
"""

from __future__ import annotations

import math
from collections.abc import Iterable
from typing import Any

import numpy as np

from tinyml.alpha import Var
from tinyml.checks import real
from tinyml.tensor import Tensor

__all__ = ["Optimizer", "GD", "Momentum", "RMSProp", "Adam"]

_PRINTING = "how an optimizer prints, e.g. GD(2 parameters, lr=0.1)"
_TENSORS = "a Tensor's update, chapter 8"
_BETAS = "a TypeError unless betas is a pair (beta1, beta2)"
_NON_FINITE = "a non-finite gradient raises before anything moves"
_CHECKS = "a TypeError or ValueError unless a list of Vars (or Tensors)"

#: Named views for ``tinyml.show(..., view=...)``: "lesson" is chapter 6's look at the
#: classes, the update rules without the printing and chapter 8's arrays.
SHOW_VIEWS = {
    "lesson": {
        "if isinstance(p, Tensor):  # chapter 8": _TENSORS,
        "if p.grad is not None:  # a Tensor backward()": _TENSORS,
        "p.data = self.update": _TENSORS,
        "continue  # the Tensor is done": _TENSORS,
        "_check_gradients(self.params)": _NON_FINITE,
        "params = _check_params(params)": _CHECKS,
        "def __repr__": _PRINTING,
        "self._settings().items()": _PRINTING,
        "n = len(self.params)": _PRINTING,
        "type(self).__name__": _PRINTING,
        "def _settings": _PRINTING,
        'return {"lr": self.lr': _PRINTING,
        "All gradients are checked before": _NON_FINITE,
        "and leaves every parameter, every": _NON_FINITE,
        "isinstance(betas": _BETAS,
        "betas must be a pair": _BETAS,
    },
}


def _check_lr(lr: object) -> float:
    value = real(lr, "lr")
    if not value > 0:
        shown = lr if isinstance(lr, int) else value  # as given: lr=0, not lr=0.0
        raise ValueError(f"lr must be a positive number, got lr={shown}; try lr=0.01")
    return value


def _check_fraction(name: str, beta: object) -> float:
    """A decay rate: a number in [0, 1). At 1 the average would never forget its start."""
    beta = real(beta, name)
    if not 0 <= beta < 1:
        raise ValueError(f"{name} must be in [0, 1), got {name}={beta}")
    return beta


def _check_eps(eps: object) -> float:
    eps = real(eps, "eps")
    if not eps >= 0:
        raise ValueError(f"eps must be zero or positive (it guards a division), got eps={eps}")
    return eps


def _check_params(params: object) -> list[Var | Tensor]:
    if (
        isinstance(params, Var | Tensor)
        or not isinstance(params, Iterable)
        or isinstance(params, str)
    ):
        what = "Tensor" if isinstance(params, Tensor) else "Var"
        raise TypeError(
            f"params must be a list of Vars (or Tensors), got {params!r}; "
            f"wrap a single {what} in a list: [x]"
        )
    params = list(params)
    if not params:
        raise ValueError(
            "the optimizer got an empty list of parameters: pass the Vars to train, "
            "e.g. GD([w, b], lr=0.1)"
        )
    seen: set[int] = set()
    for i, p in enumerate(params):
        if isinstance(p, list):
            raise TypeError(
                f"params[{i}] is a list; pass the Vars themselves "
                "(for a matrix W, use tinyml.matrix.flatten(W))"
            )
        if isinstance(p, Tensor):
            _check_tensor(i, p)
        elif not isinstance(p, Var):
            raise TypeError(
                f"params[{i}] is {p!r} of type {type(p).__module__}.{type(p).__name__}, "
                "not a tinyml.alpha.Var (or a tinyml.tensor.Tensor): an optimizer updates "
                "Vars, reading the gradients backward() left in .g (a Tensor's in .grad)"
            )
        if id(p) in seen:
            raise ValueError(f"params[{i}] ({p!r}) appears twice; list each Var once")
        seen.add(id(p))
    return params


def _check_tensor(i: int, p: Tensor) -> None:
    if p._backward is not None:
        raise ValueError(
            f"params[{i}] is the result of an operation, not a leaf Tensor: pass the tensors "
            "you created with requires_grad=True, e.g. model.parameters()"
        )
    if not p.requires_grad:
        raise ValueError(
            f"params[{i}] (a Tensor of shape {p.shape}) has requires_grad=False, so "
            "backward() never fills its .grad; create it with requires_grad=True"
        )


def _gradient(i: int, p: Var | Tensor) -> float | np.ndarray | None:
    """The gradient backward() left in parameter i, or an error if any entry is not finite.

    A Tensor that backward() never reached has ``grad = None`` and is left alone, as in
    PyTorch.
    """
    if isinstance(p, Var):
        if not math.isfinite(p.g):
            raise ValueError(
                f"the gradient of params[{i}] ({p!r}) is {p.g}: the loss has blown up; "
                "a smaller lr usually helps"
            )
        return p.g
    g = p.grad
    # One dot product g·g is inf or nan if any entry is (or if one is beyond ±1e154, which the
    # second, slower test tells apart): a single fast pass in the common case.
    if g is not None and not math.isfinite(np.vdot(g, g)) and not np.isfinite(g).all():
        bad = g[~np.isfinite(g)][0]
        raise ValueError(
            f"the gradient of params[{i}] (a Tensor of shape {p.shape}) has an entry {bad}: "
            "the loss has blown up; a smaller lr usually helps"
        )
    return g


def _check_gradients(params: list[Var | Tensor]) -> None:
    """Raise if any parameter's gradient is not finite (see ``_gradient``)."""
    for i, p in enumerate(params):
        _gradient(i, p)


def _sqrt(x: float | np.ndarray) -> float | np.ndarray:
    """The square root of a number, or of every entry of an array."""
    return math.sqrt(x) if isinstance(x, float) else np.sqrt(x)


def _divide(step: float | np.ndarray, denominator: float | np.ndarray, eps: float):
    """step / denominator, entry by entry, except 0 where the denominator is 0.

    The denominator is √v + eps, so that happens only with eps = 0 for a parameter whose v
    is still 0 (every gradient so far was 0, or so tiny that its square underflowed): it
    stays where it is, rather than moving by 0/0. (PyTorch would set it to nan.)
    """
    if isinstance(denominator, float):
        return step / denominator if denominator != 0 else 0.0
    if eps > 0:
        return step / denominator
    return np.divide(step, denominator, out=np.zeros_like(denominator), where=denominator != 0)


class Optimizer:
    """Holds the parameters (Vars or Tensors) and the learning rate; subclasses define the
    update rule."""

    def __init__(self, params: Iterable[Var | Tensor], lr: float) -> None:
        params = _check_params(params)  # a TypeError or ValueError unless Vars or Tensors
        self.params = list(params)
        self.lr = _check_lr(lr)
        self.steps = 0  # how many times step() has run: Adam's t

    def zero_grad(self) -> None:
        """Set every parameter's gradient to 0 before the next backward() adds to it."""
        for p in self.params:
            p.zero_grad()

    def step(self) -> None:
        """Update every parameter once from its gradient ``p.g``."""
        # All gradients are checked before anything moves: if one is not finite, step raises
        # and leaves every parameter, every running average and ``steps`` as they were.
        _check_gradients(self.params)
        self.steps += 1
        for i, p in enumerate(self.params):
            if isinstance(p, Tensor):  # chapter 8: all entries of p.data move at once
                if p.grad is not None:  # a Tensor backward() never reached keeps its value
                    p.data = self.update(i, p.data, p.grad)
                continue  # the Tensor is done
            p.set_value(self.update(i, p.value(), p.g))

    def update(self, i: int, theta: float, g: float) -> float:
        """The new value of parameter i, given its value theta and gradient g (numbers, or
        arrays of the same shape)."""
        raise NotImplementedError("each optimizer defines its own update rule")

    def __repr__(self) -> str:
        settings = ", ".join(f"{k}={v}" for k, v in self._settings().items())
        n = len(self.params)
        return f"{type(self).__name__}({n} parameter{'' if n == 1 else 's'}, {settings})"

    def _settings(self) -> dict[str, Any]:
        return {"lr": self.lr}


class GD(Optimizer):
    r"""Plain gradient descent: a step against the gradient.

    $$\theta_t = \theta_{t-1} - \eta\, g_t$$

    PyTorch: ``torch.optim.SGD(params, lr)`` (its default lr is 0.001, as here).
    """

    def __init__(self, params: Iterable[Var], lr: float = 1e-3) -> None:
        super().__init__(params, lr)

    def update(self, i: int, theta: float, g: float) -> float:
        return theta - self.lr * g


class Momentum(Optimizer):
    r"""Gradient descent with momentum: step along a running sum of past gradients.

    $$b_t = \mu\, b_{t-1} + g_t, \qquad \theta_t = \theta_{t-1} - \eta\, b_t, \qquad b_0 = 0$$

    PyTorch: ``torch.optim.SGD(params, lr, momentum=0.9)`` (``b`` is its "momentum_buffer").
    Many courses average instead, b_t = μ b_{t-1} + (1 - μ) g_t: the same path if their lr
    is ours divided by 1 - μ.
    """

    def __init__(self, params: Iterable[Var], lr: float = 1e-3, momentum: float = 0.9) -> None:
        super().__init__(params, lr)
        self.momentum = _check_fraction("momentum", momentum)
        self.buffers = [0.0] * len(self.params)

    def update(self, i: int, theta: float, g: float) -> float:
        self.buffers[i] = self.momentum * self.buffers[i] + g
        return theta - self.lr * self.buffers[i]

    def _settings(self) -> dict[str, Any]:
        return {"lr": self.lr, "momentum": self.momentum}


class RMSProp(Optimizer):
    r"""RMSProp: divide each parameter's step by a running root-mean-square of its gradients.

    $$v_t = \alpha\, v_{t-1} + (1 - \alpha)\, g_t^2, \qquad
      \theta_t = \theta_{t-1} - \eta\, \frac{g_t}{\sqrt{v_t} + \epsilon}, \qquad v_0 = 0$$

    PyTorch: ``torch.optim.RMSprop(params)`` with its defaults lr=0.01, alpha=0.99,
    eps=1e-8 (``v`` is its "square_avg").

    With eps=0, a parameter whose v is still 0 (every gradient so far was 0, or so tiny
    that its square underflowed) would need 0/0; it stays where it is instead. (PyTorch
    would set it to nan.)
    """

    def __init__(
        self, params: Iterable[Var], lr: float = 1e-2, alpha: float = 0.99, eps: float = 1e-8
    ) -> None:
        super().__init__(params, lr)
        self.alpha = _check_fraction("alpha", alpha)
        self.eps = _check_eps(eps)
        self.square_avgs = [0.0] * len(self.params)

    def update(self, i: int, theta: float, g: float) -> float:
        v = self.alpha * self.square_avgs[i] + (1 - self.alpha) * g * g
        self.square_avgs[i] = v
        denominator = _sqrt(v) + self.eps
        return theta - _divide(self.lr * g, denominator, self.eps)

    def _settings(self) -> dict[str, Any]:
        return {"lr": self.lr, "alpha": self.alpha, "eps": self.eps}


class Adam(Optimizer):
    r"""Adam: momentum's running average of gradients, scaled per parameter as in RMSProp.

    $$m_t = \beta_1 m_{t-1} + (1 - \beta_1)\, g_t, \qquad
      v_t = \beta_2 v_{t-1} + (1 - \beta_2)\, g_t^2, \qquad m_0 = v_0 = 0$$
    $$\hat m_t = \frac{m_t}{1 - \beta_1^t}, \qquad \hat v_t = \frac{v_t}{1 - \beta_2^t}, \qquad
      \theta_t = \theta_{t-1} - \eta\, \frac{\hat m_t}{\sqrt{\hat v_t} + \epsilon}$$

    Dividing by 1 - β^t (bias correction) undoes the pull towards the zero start: at t = 1,
    m̂ = g exactly. PyTorch: ``torch.optim.Adam(params)`` with its defaults lr=0.001,
    betas=(0.9, 0.999), eps=1e-8; this is also Algorithm 1 of Kingma & Ba.

    With eps=0, a parameter whose v is still 0 (every gradient so far was 0, or so tiny
    that its square underflowed) would need 0/0; it stays where it is instead. (PyTorch
    would set it to nan.)
    """

    def __init__(
        self,
        params: Iterable[Var],
        lr: float = 1e-3,
        betas: tuple[float, float] = (0.9, 0.999),
        eps: float = 1e-8,
    ) -> None:
        super().__init__(params, lr)
        if not isinstance(betas, (tuple, list)) or len(betas) != 2:
            raise TypeError(f"betas must be a pair (beta1, beta2), got {betas!r}")
        self.betas = (_check_fraction("beta1", betas[0]), _check_fraction("beta2", betas[1]))
        self.eps = _check_eps(eps)
        self.exp_avgs = [0.0] * len(self.params)  # m: running average of g
        self.exp_avg_sqs = [0.0] * len(self.params)  # v: running average of g²

    def update(self, i: int, theta: float, g: float) -> float:
        beta1, beta2 = self.betas
        t = self.steps  # t: steps so far, this one included (step() counts first)
        m = beta1 * self.exp_avgs[i] + (1 - beta1) * g
        v = beta2 * self.exp_avg_sqs[i] + (1 - beta2) * g * g
        self.exp_avgs[i], self.exp_avg_sqs[i] = m, v
        m_hat = m / (1 - beta1**t)
        v_hat = v / (1 - beta2**t)
        denominator = _sqrt(v_hat) + self.eps  # _sqrt is math.sqrt (arrays too: chapter 8)
        # _divide(a, b, eps) is a / b, or 0 where b is 0 (possible only if eps = 0)
        return theta - _divide(self.lr * m_hat, denominator, self.eps)

    def _settings(self) -> dict[str, Any]:
        return {"lr": self.lr, "betas": self.betas, "eps": self.eps}
