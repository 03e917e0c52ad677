"""Chapter 6's checkers: wrong loops and step rules that used to pass or print raw floats."""

from __future__ import annotations

import re

from tinyml.exercises import ch06


def test_q4_refuses_a_loop_that_updates_by_hand_although_it_is_right_with_gd():
    from tinyml.alpha import Var
    from tinyml.landscapes import quadratic
    from tinyml.optim import GD

    def losses(fn):
        x, y = Var(-4.0), Var(1.0)
        return fn(lambda: quadratic(x, y), GD([x, y], lr=0.01), 15)

    assert losses(ch06._train_by_hand) == losses(ch06.train)  # same numbers with GD
    feedback = ch06.q4.grade(ch06._train_by_hand)
    assert feedback.status == "incorrect" and "optimizer.step()" in feedback.message


def test_q4_refuses_a_loop_that_calls_step_but_also_updates_by_hand():
    def both(loss_fn, optimizer, steps):
        losses = []
        for _ in range(steps):
            optimizer.zero_grad()
            loss = loss_fn()
            loss.backward()
            optimizer.step()
            losses.append(loss.value())
        return losses[:1] + [v * 1.001 for v in losses[1:]]

    assert ch06.q4.grade(both).status == "incorrect"
    assert ch06.q4.grade(ch06.train).correct


def test_q1_and_q2_messages_show_rounded_numbers():
    def off(theta, g, buf, lr, mu):
        theta, buf = ch06.momentum_step(theta, g, buf, lr, mu)
        return theta + 1e-3, buf

    def adam_off(*args):
        theta, m, v = ch06.adam_step(*args)
        return theta + 1e-3 / 3, m, v

    for message in (ch06.q1.grade(off).message, ch06.q2.grade(adam_off).message):
        assert not re.search(r"\d\.\d{8,}", message), message


def test_q2_and_q3_hints_start_with_a_nudge():
    assert "sqrt(v_hat) + eps" not in ch06.q2.hint_text
    assert "1 - 100" not in ch06.q3.hint_text
    assert len(ch06.q2.hints()) == 3 and len(ch06.q3.hints()) == 3


def test_q4_names_the_order_when_step_comes_before_backward():
    def step_first(loss_fn, optimizer, steps):
        losses = []
        for _ in range(steps):
            optimizer.zero_grad()
            loss = loss_fn()
            optimizer.step()
            loss.backward()
            losses.append(loss.value())
        return losses

    feedback = ch06.q4.grade(step_first)
    assert feedback.status == "incorrect"
    assert "step() runs before backward()" in feedback.message
