"""Where tinyml's optimizers and torch.optim differ, as chapter 6 states (torch is optional)."""

from __future__ import annotations

import math

import pytest

from tinyml.alpha import Var
from tinyml.optim import GD, Adam, Momentum, RMSProp

SETTINGS = {
    Momentum: ({"lr": 0.1}, "SGD", {"lr": 0.1, "momentum": 0.9}),
    Adam: ({"lr": 0.1}, "Adam", {"lr": 0.1}),
    RMSProp: ({"lr": 0.1}, "RMSprop", {"lr": 0.1}),
    GD: ({"lr": 0.1}, "SGD", {"lr": 0.1}),
}


def tinyml_b(optimizer: type) -> tuple[float, float]:
    """b after 3 steps with b in the loss, and after 3 more with b dropped from it."""
    a, b = Var(1.0, name="a"), Var(1.0, name="b")
    opt = optimizer([a, b], **SETTINGS[optimizer][0])
    seen = []
    for step in range(1, 7):
        opt.zero_grad()
        loss = a * a + b * b if step <= 3 else a * a
        loss.backward()
        opt.step()
        seen.append(b.value())
    return seen[2], seen[5]


def test_momentum_keeps_moving_a_parameter_that_left_the_loss():
    after_in, after_out = tinyml_b(Momentum)
    assert round(after_in, 3) == 0.062 and round(after_out, 3) == -0.909  # chapter 6's numbers


@pytest.mark.parametrize("optimizer", [GD, RMSProp])
def test_optimizers_without_memory_of_g_leave_it_where_it_was(optimizer):
    after_in, after_out = tinyml_b(optimizer)
    assert after_out == after_in


def test_adam_keeps_moving_it_too():
    after_in, after_out = tinyml_b(Adam)
    assert after_out < after_in - 0.1


def test_lr_zero_is_refused_here():
    with pytest.raises(ValueError, match="lr must be a positive number"):
        GD([Var(1.0)], lr=0)


@pytest.mark.parametrize("optimizer", [Momentum, Adam, RMSProp, GD])
def test_pytorch_skips_a_none_grad_and_matches_us_with_zeros(optimizer):
    torch = pytest.importorskip("torch")
    _, name, settings = SETTINGS[optimizer]
    results = {}
    for set_to_none in (True, False):
        a = torch.tensor(1.0, dtype=torch.float64, requires_grad=True)
        b = torch.tensor(1.0, dtype=torch.float64, requires_grad=True)
        opt = getattr(torch.optim, name)([a, b], **settings)
        for step in range(1, 7):
            opt.zero_grad(set_to_none=set_to_none)
            loss = a * a + b * b if step <= 3 else a * a
            loss.backward()
            opt.step()
            if step == 3:
                after_in = b.item()
        results[set_to_none] = (after_in, b.item())
    ours = tinyml_b(optimizer)
    assert results[True][1] == results[True][0]  # PyTorch's default: b is skipped
    assert all(
        math.isclose(x, y, rel_tol=1e-12) for x, y in zip(results[False], ours, strict=True)
    )
    torch.optim.SGD([a], lr=0)  # accepted by PyTorch
