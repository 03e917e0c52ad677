"""Chapter 6 exercises: optimizers."""

from __future__ import annotations

import inspect
import math
import numbers

from tinyml.exercises import Incorrect, NotAttempted, Question, call_learner


def _grad(theta: float) -> float:
    """Gradient of the test loss (theta - 3)² + theta⁴/10, which the step-rule checkers use."""
    return 2 * (theta - 3) + 0.4 * theta**3


def _reference(optimizer: type, steps: int, **settings) -> list[float]:
    """theta after each step of tinyml.optim's optimizer on the test loss, from theta = 0."""
    from tinyml.alpha import Var

    theta = Var(0.0, name="theta")
    opt = optimizer([theta], **settings)
    seen = []
    for _ in range(steps):
        opt.zero_grad()
        ((theta - 3) * (theta - 3) + theta**4 / 10).backward()
        opt.step()
        seen.append(theta.value())
    return seen


def _first_difference(got: list[float], want: list[float]) -> int | None:
    for i, (a, b) in enumerate(zip(got, want, strict=True)):
        if not math.isclose(a, b, rel_tol=1e-9, abs_tol=1e-12):
            return i
    return None


def _number(name: str, v: object) -> float:
    if isinstance(v, bool) or not isinstance(v, numbers.Real):
        raise Incorrect(f"{name} should be a number, got {v!r}")
    return float(v)


class _BlownUp(Incorrect):
    """The learner's iterates left every sensible range; the message says where."""


def _checked_grad(theta: float, step: int) -> float:
    """The test gradient at theta, or _BlownUp if the learner's iterates have blown up."""
    try:
        g = _grad(theta)
    except OverflowError:
        g = math.inf
    if not (math.isfinite(theta) and math.isfinite(g) and abs(theta) < 1e6):
        raise _BlownUp(
            f"your iterates blow up (theta is {theta:.3g} after step {step}) instead of "
            "settling near the minimum of (theta - 3)² + theta⁴/10, at about 1.9"
        )
    return g


# q1 ---------------------------------------------------------------------------------------


def train(loss_fn, optimizer, steps):
    """Run the training loop; return the loss of every step."""
    losses = []
    for _ in range(steps):
        optimizer.zero_grad()
        loss = loss_fn()
        loss.backward()
        optimizer.step()
        losses.append(loss.value())
    return losses


def _check_q1(train_fn):
    from tinyml.alpha import Var
    from tinyml.landscapes import quadratic
    from tinyml.optim import GD

    if not callable(train_fn):
        raise Incorrect("pass your function itself, e.g. ch06.q1.check(train)")
    steps_called, built, final_grads, filled = [0], [0], [(0.0, 0.0)], [False]
    ever_filled = [False]  # whether any gradient was ever seen non-zero: backward() ran

    def loss_at(x, y):
        built[0] += 1
        return quadratic(x, y)

    def run(fn, optimizer=GD, steps=15, stale=False, lr=0.01, used=False, **settings):
        built[0] = 0
        x, y = Var(-4.0, name="x"), Var(1.0, name="y")
        if stale:  # gradients left over from an earlier backward(), as after a first train()
            x.g, y.g = 5.0, -3.0
        opt = optimizer([x, y], lr=lr, **settings)
        for _ in range(_USED_STEPS if used else 0):  # an earlier run: optimizer.steps > 0
            opt.zero_grad()
            quadratic(x, y).backward()
            opt.step()
        step, zero_grad = opt.step, opt.zero_grad
        ever_filled[0] = False

        def counted_step():
            steps_called[0] += 1
            filled[0] = x.g != 0.0 or y.g != 0.0  # whether backward() ran before this step
            ever_filled[0] = ever_filled[0] or filled[0]
            step()

        def watched_zero_grad():
            ever_filled[0] = ever_filled[0] or x.g != 0.0 or y.g != 0.0
            zero_grad()

        opt.step, opt.zero_grad = counted_step, watched_zero_grad

        def loss_fn():
            return loss_at(x, y)

        loss_fn.__qualname__ = "loss_fn"  # so a learner's TypeError names it plainly
        call = f"calling train(loss_fn, optimizer, {steps})"
        out = _as_list(call_learner(fn, loss_fn, opt, steps, call=call))
        final_grads[0] = (x.g, y.g)
        ever_filled[0] = ever_filled[0] or x.g != 0.0 or y.g != 0.0
        return out, (x.value(), y.value())

    try:
        got, where = run(train_fn)
    except Incorrect as exc:  # tinyml.alpha refuses a graph older than the last set_value
        if "'function' object has no attribute" in str(exc):  # loss = loss_fn, not called
            raise Incorrect(f"{exc}. Call loss_fn() to build the loss: loss = loss_fn()") from None
        if "changed by set_value()" not in str(exc):
            raise
        if filled[0]:  # backward() ran, then step(), then a backward() on the old graph
            raise Incorrect(
                "backward() refused a loss whose x and y had moved since it was built: you "
                "build the loss once, outside the loop, and a graph keeps the values it was "
                "built with. Call loss_fn() inside the loop, once per step"
            ) from None
        raise Incorrect(
            "backward() refused a loss whose x and y had moved since it was built: step() "
            "runs before backward(). The order in each step is zero_grad(), forward (build "
            "the loss), backward(), step()"
        ) from None
    learner_built, learner_steps, learner_grads = built[0], steps_called[0], final_grads[0]
    learner_backward = ever_filled[0]
    want, want_where = run(train)
    if isinstance(got, list) and len(got) != 15:
        if len(got) > 15 and _first_difference(_floats(got[-15:]), want) is None:
            raise Incorrect(_KEPT_LIST.format(count=len(got), steps=15))
        if len(got) == 1 and learner_steps == 1:
            raise Incorrect(
                "train(loss_fn, optimizer, 15) returned after the first step, with 1 loss: "
                "is `return` inside the loop? Return the list after the loop, once all "
                "`steps` steps have run"
            )
        if len(got) == 1 and learner_steps == 15:
            raise Incorrect(
                "train(loss_fn, optimizer, 15) ran all 15 steps but returned 1 loss: is the "
                "append after the loop? Record loss.value() inside the loop, once per step"
            )
        raise Incorrect(
            f"train(loss_fn, optimizer, 15) returned {_losses(len(got))}; run exactly "
            "`steps` steps and record one loss per step"
        )
    if not isinstance(got, list):
        kind = type(got).__name__
        article = "an" if kind[0] in "aeiou" or kind == "ndarray" else "a"  # "an ndarray"
        what = repr(got) if len(repr(got)) <= 80 else f"{article} {kind}"
        raise Incorrect(f"train(...) returned {what}; return the list of the 15 losses")
    if any(hasattr(v, "backward") for v in got):
        raise Incorrect(
            "your list holds the loss nodes themselves; record the number, loss.value()"
        )
    got = [_number("each loss", v) for v in got]
    if _first_difference(got, want) is None:
        _check_final_point(learner_steps, where, want_where)
        _check_other_steps(train_fn, run)
        _check_with_momentum(train_fn, run, steps_called)
        _check_stale_gradients(train_fn, run)
        _check_no_early_stop(train_fn, run)
        _check_used_optimizer(train_fn, run)
        return
    if where == (-4.0, 1.0):
        if not learner_backward:
            did = (
                "loss.backward() is never called, so every gradient stays 0 and step() has "
                "nothing to go on"
            )
        elif learner_steps == 0:
            did = "optimizer.step() is never called"
        elif learner_grads != (0.0, 0.0):
            did = (
                "step() runs before backward(), while the gradients are still 0 (backward() "
                "fills them only after the step)"
            )
        else:
            did = "a zero_grad() between backward() and step() wipes the gradients step() needs"
        raise Incorrect(
            f"x and y never moved: {did}. The order in each step is zero_grad(), forward "
            "(build the loss), backward(), step()"
        )
    if set(got) == {1.0}:
        raise Incorrect(
            "every loss you recorded is 1.0: that is loss.g, which backward() always sets to 1 "
            "(d loss / d loss). Record loss.value()"
        )
    if len(set(got)) == 1:
        raise Incorrect(
            "every loss is the same although x and y moved: build the loss (forward) inside "
            "the loop; a graph built once keeps the values it was built with"
        )
    if where == want_where and _first_difference(got[:-1], want[1:]) is None:
        did = (
            "calling loss_fn() again after step() builds"
            if learner_built > 15
            else "calling loss.forward() after step() recomputes"
        )
        raise Incorrect(
            f"each loss you record is the next step's: {did} the loss at the new parameters. "
            "The order in each step is zero_grad(), forward (build the loss), backward(), "
            "step(); record loss.value() of the loss you called backward() on, the loss "
            "before the step, as PyTorch loops do"
        )
    if _first_difference(got, run(_train_no_zero_grad)[0]) is None:
        raise Incorrect(
            "the gradients pile up from step to step: call optimizer.zero_grad() every step, "
            "before backward()"
        )
    if learner_steps == 30:  # with GD, two steps on one gradient move as far as one on 2g
        raise Incorrect(
            "step() ran twice per step (30 times for steps=15), so the parameters moved "
            "twice on each gradient. Call optimizer.step() once per step"
        )
    if _first_difference(got, run(_train_backward_twice)[0]) is None:
        raise Incorrect(
            "backward() ran twice per step, so the gradient doubled (backward() adds into "
            ".g) and every step went twice as far. Call loss.backward() once per step"
        )
    i = _first_difference(got, want)
    if all(_rounded(a, b) for a, b in zip(got, want, strict=True)):
        raise Incorrect(
            f"loss {i + 1} is {got[i]!r}, but the reference loop records {want[i]!r}: your "
            "losses agree with it to a few digits only. Record the full value, "
            "loss.value(), unrounded"
        )
    raise Incorrect(
        f"loss {i + 1} is {got[i]!r}, but the reference loop records {want[i]!r}. Each step "
        "must do, once each and in this order: zero_grad(), build the loss, backward(), "
        "step(), and record the loss you called backward() on"
    )


def _as_list(out):
    """A tuple or a 1-D numpy array of the losses says the same as a list (Exercise 1's text
    allows both); anything else is returned as it is, for the checks to name."""
    if isinstance(out, tuple):
        return list(out)
    if type(out).__name__ == "ndarray" and getattr(out, "ndim", None) == 1:
        if out.dtype.kind == "f" and out.dtype.itemsize < 8:
            raise Incorrect(
                f"your array holds {out.dtype} numbers, which keep only a few digits of each "
                "loss; return a list, or np.array(losses) as it comes (float64)"
            )
        return list(out)
    return out


_KEPT_LIST = (
    "train(loss_fn, optimizer, {steps}) returned {count} losses, the last {steps} of them "
    "right: your list keeps the losses of earlier calls. A default argument such as "
    "losses=[] is made once and shared by every call; create the list inside the function"
)


def _rounded(got: float, want: float) -> bool:
    """Whether got is want rounded to some number of digits (or within 0.01 %)."""
    return any(got == round(want, d) for d in range(10)) or math.isclose(got, want, rel_tol=1e-4)


def _check_stale_gradients(train_fn, run):
    """Right from clean gradients is not enough: a zero_grad() at the end of each step lets
    a gradient left over from before the call into the first step."""
    got, _ = run(train_fn, stale=True)
    want, _ = run(train, stale=True)
    if not isinstance(got, list | tuple) or _first_difference(_floats(got), want) is not None:
        raise Incorrect(
            "right when the gradients start at 0, but not when x and y arrive with gradients "
            "left over from an earlier backward() (as after an earlier train() call): your "
            "first step adds to them. Call optimizer.zero_grad() at the start of each step, "
            "before backward()"
        )


_USED_STEPS = 3  # how many steps the optimizer of _check_used_optimizer has already taken


def _check_used_optimizer(train_fn, run):
    """Right with a fresh optimizer is not enough: a loop that counts with optimizer.steps
    runs too few steps when the optimizer has stepped before."""
    got, _ = run(train_fn, used=True)
    want, _ = run(train, used=True)
    count = len(got) if isinstance(got, list | tuple) else None
    if count != len(want) or _first_difference(_floats(got), want) is not None:
        did = f"returned {_losses(count)}" if count is not None else f"returned {got!r}"
        raise Incorrect(
            f"right with a fresh optimizer, but with one that has already taken "
            f"{_USED_STEPS} steps (optimizer.steps is {_USED_STEPS}) train(loss_fn, "
            f"optimizer, 15) {did}: count the steps of this call yourself, "
            "for _ in range(steps), not with optimizer.steps"
        )


_CONVERGING = {"steps": 300, "lr": 0.075}  # the loss reaches 1e-20: any early stop shows


def _check_no_early_stop(train_fn, run):
    """Right on runs that never converge is not enough: a loop that breaks out once the loss
    is small (or stops changing) must fail on a run that converges within its steps."""
    steps = _CONVERGING["steps"]
    got, _ = run(train_fn, **_CONVERGING)
    want, _ = run(train, **_CONVERGING)
    count = len(got) if isinstance(got, list | tuple) else None
    if count is not None and count < steps:
        raise Incorrect(
            f"on a run that converges (GD, lr={_CONVERGING['lr']}) train(loss_fn, optimizer, "
            f"{steps}) returned {_losses(count)}: your loop stops early once the loss is small "
            "or stops changing. Run all `steps` steps, with no break"
        )
    if count != steps or _first_difference(_floats(got), want) is not None:
        raise Incorrect(
            f"right with lr=0.01, but not on a run with lr={_CONVERGING['lr']} and {steps} "
            "steps: use only the arguments, and keep no state of your own between calls"
        )


def _train_early_stop(loss_fn, optimizer, steps):
    """The reader's loop: it breaks once the loss stops changing."""
    losses = []
    for _ in range(steps):
        optimizer.zero_grad()
        loss = loss_fn()
        loss.backward()
        optimizer.step()
        losses.append(loss.value())
        if len(losses) > 1 and abs(losses[-1] - losses[-2]) < 1e-6:
            break
    return losses


def _train_stop_when_small(loss_fn, optimizer, steps):
    """The reader's other loop: it breaks once the loss is below 1e-3."""
    losses = []
    for _ in range(steps):
        optimizer.zero_grad()
        loss = loss_fn()
        loss.backward()
        optimizer.step()
        losses.append(loss.value())
        if loss.value() < 1e-3:
            break
    return losses


def _train_while_steps(loss_fn, optimizer, steps):
    """The reader's loop: it counts with optimizer.steps, which an earlier run has raised."""
    losses = []
    while optimizer.steps < steps:
        optimizer.zero_grad()
        loss = loss_fn()
        loss.backward()
        optimizer.step()
        losses.append(loss.value())
    return losses


def _losses(count: int) -> str:
    return "1 loss" if count == 1 else f"{count} losses"


def _floats(values) -> list[float]:
    """The numbers in a learner's list, or nan where an entry is not a number."""
    out = []
    for v in values:
        try:
            out.append(float(v))
        except (TypeError, ValueError):
            out.append(math.nan)
    return out


def _check_final_point(learner_steps, where, want_where):
    """Right losses are not enough: the loop must leave the parameters after `steps` steps."""
    if learner_steps > 15:
        raise Incorrect(
            f"your 15 losses are right, but optimizer.step() ran {learner_steps} times for "
            "steps=15: an extra step() ran (inside or after the loop) and moved the "
            "parameters past the last loss you recorded. Call step() once per step, inside "
            "the loop, and after it only return the losses"
        )
    if _first_difference(list(where), list(want_where)) is not None:
        x, y = where
        wx, wy = want_where
        raise Incorrect(
            f"your 15 losses are right, but x and y end at ({x:.4g}, {y:.4g}) instead of "
            f"({wx:.4g}, {wy:.4g}): after the loop, change nothing; only return the losses"
        )


def _check_other_steps(train_fn, run):
    """Right for steps=15 is not enough: a loop over range(15) must fail."""
    for steps in (7, 1):
        got, _ = run(train_fn, steps=steps)
        want, _ = run(train, steps=steps)
        count = len(got) if isinstance(got, list | tuple) else None
        if count is not None and count > steps:
            tail = _floats(got[-steps:]) if steps else []
            if _first_difference(tail, want) is None:
                raise Incorrect(_KEPT_LIST.format(count=count, steps=steps))
        if count != steps:
            raise Incorrect(
                f"right for steps=15, but train(loss_fn, optimizer, {steps}) returned "
                f"{_losses(count) if count is not None else repr(got) + ' losses'}: use "
                "steps, not a number, in range(steps)"
            )
        if _first_difference([_number("each loss", v) for v in got], want) is not None:
            raise Incorrect(
                f"right for steps=15, but not for steps={steps}: use only the arguments, and "
                "keep no state of your own between calls"
            )


def _check_with_momentum(train_fn, run, steps_called):
    """Right with GD is not enough: the loop must leave the update to optimizer.step()."""
    from tinyml.optim import Momentum

    steps_called[0] = 0
    got, _ = run(train_fn, Momentum, momentum=0.9)
    called = steps_called[0]
    want, _ = run(train, Momentum, momentum=0.9)
    if called == 0:
        raise Incorrect(
            "right with GD, but your loop never calls optimizer.step(): it updates the "
            "parameters itself, so with Momentum (or Adam) it still does plain gradient "
            "descent. Let optimizer.step() do the update"
        )
    if (
        not isinstance(got, list | tuple)
        or _first_difference([float(v) for v in got], want) is not None
    ):
        raise Incorrect(
            "right with GD, but with Momentum(lr=0.01, momentum=0.9) your losses differ from "
            "the reference loop's: call optimizer.step() once per step and update nothing "
            "by hand"
        )


def _train_by_hand(loss_fn, optimizer, steps):
    losses = []
    for _ in range(steps):
        optimizer.zero_grad()
        loss = loss_fn()
        loss.backward()
        for p in optimizer.params:
            p.set_value(p.value() - optimizer.lr * p.g)
        losses.append(loss.value())
    return losses


def _loop(*calls):
    """A training loop whose every step makes the named calls in this order: wrong answers
    for the tests and for recognising a learner's mistake ("build once" builds the loss
    once, before the loop)."""

    def train(loss_fn, optimizer, steps):
        losses = []
        loss = loss_fn() if "build once" in calls else None
        actions = {
            "zero_grad": optimizer.zero_grad,
            "step": optimizer.step,
            "backward": lambda: loss.backward(),
            "record": lambda: losses.append(loss.value()),
            "record forward": lambda: losses.append(loss.forward()),
            "record loss_fn": lambda: losses.append(loss_fn().value()),
        }
        for _ in range(steps):
            for call in calls:
                if call == "loss_fn":
                    loss = loss_fn()
                elif call != "build once":
                    actions[call]()
        return losses

    return train


_train_no_zero_grad = _loop("loss_fn", "backward", "step", "record")
_train_backward_twice = _loop("zero_grad", "loss_fn", "backward", "backward", "step", "record")
_train_step_twice = _loop("zero_grad", "loss_fn", "backward", "step", "step", "record")


def _train_rounded(loss_fn, optimizer, steps):
    """The reader's loop, which records round(loss.value(), 2)."""
    return [round(v, 2) for v in train(loss_fn, optimizer, steps)]


def _train_extra_step(loss_fn, optimizer, steps):
    """Right losses, then one more update after the loop (an independent learner's answer)."""
    losses = train(loss_fn, optimizer, steps)
    optimizer.zero_grad()
    loss_fn().backward()
    optimizer.step()
    return losses


def _train_fifteen(loss_fn, optimizer, steps):
    """Right for steps=15 only: the reader's loop over range(15)."""
    losses = []
    for _ in range(15):
        optimizer.zero_grad()
        loss = loss_fn()
        loss.backward()
        optimizer.step()
        losses.append(loss.value())
    return losses


def _train_then_nudge(loss_fn, optimizer, steps):
    """Right losses, then it moves the parameters by hand after the loop."""
    losses = train(loss_fn, optimizer, steps)
    for p in optimizer.params:
        p.set_value(p.value() + 0.5)
    return losses


q1 = Question(
    title="The training loop",
    checker=_check_q1,
    hint_text="Section 1's loop is the model: what four things happen in each step, and "
    "in which order?",
    more_hints=(
        "In each step: clear the old gradients, build the loss (forward), fill the gradients "
        "(backward), update the parameters; then record the loss's value. Which object has "
        "zero_grad() and step(), and which has backward()?",
        "Each pass of the loop over range(steps) starts with optimizer.zero_grad() and ends "
        "by recording the number of the loss you just called loss.backward() on; the update "
        "comes after backward(). Nothing happens after the loop but returning the list.",
    ),
    solution_text=inspect.getsource(train),
    answer=lambda: train,
    wrong=[
        (_train_no_zero_grad, "zero_grad() every step"),
        (
            lambda loss_fn, optimizer, steps: (v for v in train(loss_fn, optimizer, steps)),
            "return the list of the 15 losses",
        ),
        (lambda loss_fn, optimizer, steps: loss_fn(1), "calling train(loss_fn, optimizer, 15)"),
        (_loop("zero_grad", "loss_fn", "step", "record"), "backward() is never called"),
        (_train_by_hand, "never calls optimizer.step()"),
        (
            _loop("loss_fn", "backward", "zero_grad", "step", "record"),
            "zero_grad() between backward() and step()",
        ),
        (
            _loop("zero_grad", "step", "loss_fn", "backward", "record"),
            "step() runs before backward()",
        ),
        (lambda loss_fn, optimizer, steps: [loss_fn().value() for _ in range(steps)], "never"),
        (_loop("build once", "zero_grad", "backward", "step", "record"), "inside the loop"),
        (
            _loop("zero_grad", "loss_fn", "backward", "step", "record loss_fn"),
            "calling loss_fn() again after step()",
        ),
        (
            _loop("zero_grad", "loss_fn", "backward", "step", "record forward"),
            "calling loss.forward() after step()",
        ),
        (lambda loss_fn, optimizer, steps: 0.0, "list of the 15 losses"),
        (lambda loss_fn, optimizer, steps: [loss_fn() for _ in range(steps)], "loss.value()"),
        (lambda loss_fn, optimizer, steps: train(loss_fn, optimizer, steps + 1), "returned 16"),
        (_train_extra_step, "ran 16 times"),
        (_train_then_nudge, "change nothing"),
        (_train_fifteen, "use steps, not a number"),
        (_train_backward_twice, "backward() ran twice per step, so the gradient doubled"),
        (_train_step_twice, "step() ran twice per step"),
        (_loop("loss_fn", "backward", "step", "record", "zero_grad"), "left over"),
        (_train_rounded, "unrounded"),
        (_train_early_stop, "stops early"),
        (_train_stop_when_small, "stops early"),
        (_train_while_steps, "not with optimizer.steps"),
    ],
)

# q3 ---------------------------------------------------------------------------------------

# A large eps, so that where it goes shows; lr is neither 1 - alpha nor its inverse, so that
# "lr missing" and "divided by 1 - alpha" give different numbers.
_Q3 = {"lr": 0.2, "alpha": 0.9, "eps": 1e-3}
_Q3_STEPS = 30
# (theta, g, v) to call the learner's step on: positive v, and g small enough where it is
# negative that no mistake takes a root of a negative number; one starts from v = 0, as the
# first step does, and one has g < 0, so that a step that loses g's sign shows.
# The last has √v < eps, so that eps used as a floor, max(√v, eps), differs from no eps.
_Q3_PROBES = (
    (0.5, 2.0, 0.3),
    (1.5, 0.5, 4.0),
    (-1.0, 3.0, 0.0),
    (1.0, -1.0, 1.0),
    (0.5, 1e-3, 0.0),
)


def rmsprop_step(theta, g, v, lr, alpha, eps):
    """One step of RMSProp for one number. Returns (new theta, new v)."""
    v = alpha * v + (1 - alpha) * g * g  # running mean of the squared gradients
    theta = theta - lr * g / (math.sqrt(v) + eps)
    return theta, v


def _rms_reference() -> tuple[list[float], list[float]]:
    """theta and v after each step of tinyml.optim.RMSProp itself on the test loss."""
    from tinyml.alpha import Var
    from tinyml.optim import RMSProp

    theta = Var(0.0, name="theta")
    opt = RMSProp([theta], **_Q3)
    thetas, averages = [], []
    for _ in range(_Q3_STEPS):
        opt.zero_grad()
        ((theta - 3) * (theta - 3) + theta**4 / 10).backward()
        opt.step()
        thetas.append(theta.value())
        averages.append(opt.square_avgs[0])
    return thetas, averages


def _rms_variant(kind):
    """RMSProp's step with one typical mistake, to recognise it in a learner's answer."""

    def step(theta, g, v, lr, alpha, eps):
        new_v = alpha * v + (1 - alpha) * g * g
        root = math.sqrt(new_v)
        if kind == "eps inside":
            return theta - lr * g / math.sqrt(new_v + eps), new_v
        if kind == "no root":
            return theta - lr * g / (new_v + eps), new_v
        if kind == "weights swapped":
            swapped = (1 - alpha) * v + alpha * g * g
            return theta - lr * g / (math.sqrt(swapped) + eps), swapped
        if kind == "g not squared":
            plain = alpha * v + (1 - alpha) * g
            return theta - lr * g / (math.sqrt(plain) + eps), plain
        if kind == "abs g in v":  # |g| averaged instead of g²
            plain = alpha * v + (1 - alpha) * abs(g)
            return theta - lr * g / (math.sqrt(plain) + eps), plain
        if kind == "no 1 - alpha":
            whole = alpha * v + g * g
            return theta - lr * g / (math.sqrt(whole) + eps), whole
        if kind == "old v":
            return theta - lr * g / (math.sqrt(v) + eps), new_v
        if kind == "over 1 - alpha":
            return theta - lr * g / (root + eps) / (1 - alpha), new_v
        if kind == "no lr":
            return theta - g / (root + eps), new_v
        if kind == "uphill":
            return theta + lr * g / (root + eps), new_v
        if kind == "abs g":
            return theta - lr * abs(g) / (root + eps), new_v
        if kind == "gd":
            return theta - lr * g, new_v
        if kind == "old v returned":
            return theta - lr * g / (root + eps), v
        if kind == "no eps":
            return theta - lr * g / root, new_v
        if kind == "eps on theta":  # eps added to theta instead of to the root
            return theta - lr * g / root + eps, new_v
        if kind == "no root, no eps":
            return theta - lr * g / new_v, new_v
        if kind == "no root, eps on theta":
            return theta - lr * g / new_v + eps, new_v
        if kind == "eps floor":
            return theta - lr * g / max(root, eps), new_v
        if kind == "root returned":
            return theta - lr * g / (root + eps), root
        if kind == "sign only":
            return theta - lr * math.copysign(1.0, g), new_v
        if kind == "corrected v":  # Adam's bias correction at t = 1: v / (1 - alpha)
            return theta - lr * g / (math.sqrt(new_v / (1 - alpha)) + eps), new_v
        if kind == "corrected v returned":
            hat = new_v / (1 - alpha)
            return theta - lr * g / (math.sqrt(hat) + eps), hat
        if kind == "half v":  # v ** 1/2, read by Python as (v ** 1) / 2
            return theta - lr * g / (new_v**1 / 2 + eps), new_v
        raise ValueError(kind)

    return step


_RMS_MISTAKES = {
    "gd": "that is plain gradient descent's step, lr·g: RMSProp divides it by √v + eps",
    "eps inside": "that is TensorFlow's place for eps, inside the root, √(v + eps); PyTorch "
    "and tinyml add it after the root: lr·g / (√v + eps)",
    "no root": "divide by the root of v, √v + eps: v averages squared gradients, so only its "
    "root has the size of a gradient",
    "weights swapped": "alpha and 1 - alpha are swapped: alpha keeps the old average, "
    "v = alpha·v + (1 - alpha)·g², so the new g² gets only the small weight 1 - alpha",
    "g not squared": "v averages the squares of the gradients: v = alpha·v + (1 - alpha)·g², "
    "with g·g, not g",
    "abs g in v": "v averages the squares of the gradients: v = alpha·v + (1 - alpha)·g², "
    "with g·g, not abs(g)",
    "no 1 - alpha": "the new g² needs the weight 1 - alpha: v = alpha·v + (1 - alpha)·g², "
    "so that v stays an average of the squared gradients instead of piling them up",
    "old v": "the step divides by the root of the v you were given; update v first, then "
    "divide by √(new v) + eps (on the first step the old v is 0 and the step explodes)",
    "no lr": "the learning rate is missing: the step is lr·g / (√v + eps)",
    "over 1 - alpha": "your step is 1/(1 - alpha) times too large: it is divided by "
    "1 - alpha as well. RMSProp has no such correction (Adam's bias correction is another "
    "method's, and divides by 1 - beta**t): the step is lr·g / (√v + eps)",
    "uphill": "theta moves uphill: subtract the step, theta - lr·g / (√v + eps)",
    "abs g": "theta moves the wrong way when g < 0: the step is lr·g / (√v + eps) with g "
    "itself, not abs(g), since g's sign says which way is downhill",
    "old v returned": "theta is right, but you return the v you were given; return the new "
    "average, which the next step builds on",
    "root returned": "theta is right, but your second value is √v; return v itself, the "
    "average of the squared gradients, which the next step builds on",
    "sign only": "that step is lr·sign(g), the same size whatever g is: RMSProp divides g "
    "itself by the running average, lr·g / (√v + eps), so a step equals lr only while g "
    "stays near √v",
    "corrected v": "RMSProp has no bias correction (that is Adam's, v / (1 - beta2**t)): "
    "divide by the root of the plain average, lr·g / (√v + eps)",
    "corrected v returned": "RMSProp has no bias correction (that is Adam's, "
    "v / (1 - beta2**t)): keep and return the plain average v = alpha·v + (1 - alpha)·g²",
    "half v": "v ** 1/2 is (v ** 1) / 2, half of v, since ** binds tighter than /: use "
    "v ** 0.5 or math.sqrt(v)",
    "no eps": "eps is missing: the step is lr·g / (√v + eps), eps added after the root "
    "(it keeps the step finite where v is 0)",
    "eps on theta": "eps is added to theta, not to the root: the step is lr·g / (√v + eps), "
    "with eps inside the denominator (it keeps the step finite where v is 0)",
    "no root, no eps": "divide by the root of v, √v + eps (math.sqrt), not by v itself: v "
    "averages squared gradients, so only its root has the size of a gradient",
    "no root, eps on theta": "two slips: divide by the root of v (math.sqrt), not by v, and "
    "add eps to that root, not to theta: the step is lr·g / (√v + eps)",
    "eps floor": "eps is added after the root, not used as a floor: the step is "
    "lr·g / (√v + eps), not lr·g / max(√v, eps)",
}


_RMS_DEFAULTS = {"lr": 0.01, "alpha": 0.99, "eps": 1e-8}  # torch.optim.RMSprop's defaults


def _close_pair(got, want) -> bool:
    return _first_difference(list(got), list(want)) is None


def _check_q3(step):
    if not callable(step):
        raise Incorrect("pass your function itself, e.g. ch06.q3.check(rmsprop_step)")
    settings = ", ".join(f"{k}={v:g}" for k, v in _Q3.items())
    answers = []
    for theta, g, v in _Q3_PROBES:
        call = f"rmsprop_step({theta}, {g}, {v}, {settings})"
        result = call_learner(step, theta, g, v, *_Q3.values(), call="calling " + call)
        if not isinstance(result, tuple | list) or len(result) != 2:
            raise Incorrect(f"{call} returned {result!r}; return the pair (theta, v)")
        answers.append((_number("theta", result[0]), _number("v", result[1])))
    wants = [rmsprop_step(theta, g, v, *_Q3.values()) for theta, g, v in _Q3_PROBES]
    if not all(_close_pair(a, w) for a, w in zip(answers, wants, strict=True)):
        if all(_close_pair(a[::-1], w) for a, w in zip(answers, wants, strict=True)):
            raise Incorrect(
                "your rule is right, but it returns (v, theta): return the pair in the order "
                "(theta, v), so the new theta comes first"
            )
        for name, default in _RMS_DEFAULTS.items():  # PyTorch's default written in
            fixed = {**_Q3, name: default}
            probes = [rmsprop_step(theta, g, v, *fixed.values()) for theta, g, v in _Q3_PROBES]
            if all(_close_pair(a, w) for a, w in zip(answers, probes, strict=True)):
                raise Incorrect(
                    f"your step uses {name}={default:g} (PyTorch's default) whatever the call "
                    f"says; here {name}={_Q3[name]:g}. Use the {name} argument, not a number"
                )
        for kind, why in _RMS_MISTAKES.items():
            variant = _rms_variant(kind)
            probes = [variant(theta, g, v, *_Q3.values()) for theta, g, v in _Q3_PROBES]
            if all(_close_pair(a, w) for a, w in zip(answers, probes, strict=True)):
                raise Incorrect(why)
        (theta, g, v), got, want = next(
            (p, a, w)
            for p, a, w in zip(_Q3_PROBES, answers, wants, strict=True)
            if not _close_pair(a, w)
        )
        right_v = all(_close_pair(a[1:], w[1:]) for a, w in zip(answers, wants, strict=True))
        raise Incorrect(
            ("your v is right, but theta's step is not: " if right_v else "")
            + f"rmsprop_step({theta}, {g}, {v}, {settings}) returned "
            f"({got[0]:.6g}, {got[1]:.6g}); RMSProp gives ({want[0]:.6g}, {want[1]:.6g})"
            + (": the step is lr·g / (√v + eps), with the new v" if right_v else "")
        )
    _check_q3_other_settings(step)
    # Right on the probes: now 30 steps in a row, against tinyml.optim.RMSProp itself.
    want_thetas, want_vs = _rms_reference()
    theta, v, thetas, vs, calls = 0.0, 0.0, [], [], []
    for k in range(_Q3_STEPS):
        calls.append((theta, _checked_grad(theta, k), v))
        result = call_learner(step, *calls[-1], *_Q3.values())
        theta, v = _number("theta", result[0]), _number("v", result[1])
        thetas.append(theta)
        vs.append(v)
    i = _first_difference(thetas, want_thetas)
    j = _first_difference(vs, want_vs)
    if i is not None or j is not None:
        k = min(n for n in (i, j) if n is not None)
        again = call_learner(step, *calls[k], *_Q3.values())  # the same call, made afresh
        want = rmsprop_step(*calls[k], *_Q3.values())
        if not _close_pair([_number("theta", again[0]), _number("v", again[1])], want):
            theta, g, v = calls[k]
            sign = ": check the sign of theta's step when g < 0" if g < 0 else ""
            raise Incorrect(
                f"rmsprop_step({theta:.6g}, {g:.6g}, {v:.6g}, {settings}) returned "
                f"({again[0]:.6g}, {again[1]:.6g}); RMSProp gives ({want[0]:.6g}, "
                f"{want[1]:.6g}){sign}"
            )
        raise Incorrect(
            f"after step {k + 1} your (theta, v) is ({thetas[k]:.6g}, {vs[k]:.6g}); "
            f"tinyml.optim.RMSProp has ({want_thetas[k]:.6g}, {want_vs[k]:.6g}). Does your "
            "step keep state of its own between calls? Use only its arguments"
        )


_Q3_OTHER = ({"lr": 0.02, "alpha": 0.99, "eps": 1e-2}, {"lr": 0.3, "alpha": 0.5, "eps": 0.1})


def _check_q3_other_settings(step) -> None:
    """Right with _Q3's settings is not enough: a number where an argument belongs
    must fail."""
    settings = ", ".join(f"{k}={v:g}" for k, v in _Q3.items())
    for other in _Q3_OTHER:
        for theta, g, v in _Q3_PROBES:
            call = "rmsprop_step({}, {}, {}, {})".format(
                theta, g, v, ", ".join(f"{k}={x:g}" for k, x in other.items())
            )
            result = call_learner(step, theta, g, v, *other.values(), call="calling " + call)
            if not isinstance(result, tuple | list) or len(result) != 2:
                raise Incorrect(f"{call} returned {result!r}; return the pair (theta, v)")
            got = (_number("theta", result[0]), _number("v", result[1]))
            if _close_pair(got, rmsprop_step(theta, g, v, *other.values())):
                continue
            for name in other:  # which setting is a number in the learner's code?
                fixed = {**other, name: _Q3[name]}
                if _close_pair(got, rmsprop_step(theta, g, v, *fixed.values())):
                    raise Incorrect(
                        f"right with {name}={_Q3[name]:g}, but {call} is wrong: you wrote "
                        f"{_Q3[name]:g} where {name} belongs. Use the arguments, not numbers"
                    )
            want = rmsprop_step(theta, g, v, *other.values())
            raise Incorrect(
                f"right with {settings}, but {call} returned "
                f"({got[0]:.6g}, {got[1]:.6g}) where RMSProp gives ({want[0]:.6g}, "
                f"{want[1]:.6g}): use the arguments lr, alpha and eps everywhere, not numbers, "
                "and keep no state of your own between calls"
            )


def _rms_fixed(name):
    """RMSProp's step with one setting written as a number."""

    def step(theta, g, v, lr, alpha, eps):
        settings = {"lr": lr, "alpha": alpha, "eps": eps, name: _Q3[name]}
        return rmsprop_step(theta, g, v, *settings.values())

    return step


def _rms_default(name):
    """RMSProp's step with PyTorch's default for one setting written in as a number."""

    def step(theta, g, v, lr, alpha, eps):
        settings = {"lr": lr, "alpha": alpha, "eps": eps, name: _RMS_DEFAULTS[name]}
        return rmsprop_step(theta, g, v, *settings.values())

    return step


def _rms_with_memory():
    """Right on any single call, but it remembers the v it returned last and, when called
    again with it (as a run of steps does), drifts: state of its own between calls."""
    last = [None]

    def step(theta, g, v, lr, alpha, eps):
        chained = v == last[0]
        theta, v = rmsprop_step(theta, g, v, lr, alpha, eps)
        last[0] = v
        return (theta + 1e-3 if chained else theta), v

    return step


q3 = Question(
    title="RMSProp's update for one number",
    checker=_check_q3,
    hint_text="Section 4's two formulas, for one number: first the new running average v, "
    "then the step. Which of the two uses the other?",
    more_hints=(
        "The new v keeps alpha of the old v: what does it add, and with what weight? "
        "The step is lr times the gradient divided by what, and where does eps go?",
        "Order matters: v first, then the step with that new v. eps goes outside the root "
        "(math.sqrt), and theta moves against the gradient. Return the pair with theta first.",
    ),
    solution_text=inspect.getsource(rmsprop_step)
    + """
# The checker compares 30 steps of it with tinyml.optim.RMSProp's own update,
# show(RMSProp.update), which does the same for every parameter in its list.
""",
    answer=lambda: rmsprop_step,
    wrong=[
        (_rms_variant("gd"), "plain gradient descent"),
        (_rms_variant("eps inside"), "TensorFlow's place"),
        (_rms_variant("no root"), "root of v"),
        (_rms_variant("weights swapped"), "swapped"),
        (_rms_variant("g not squared"), "with g·g"),
        (_rms_variant("old v"), "update v first"),
        (_rms_variant("no lr"), "learning rate is missing"),
        (_rms_variant("over 1 - alpha"), "divided by 1 - alpha as well"),
        (_rms_variant("uphill"), "uphill"),
        (_rms_variant("abs g"), "wrong way when g < 0"),
        (_rms_variant("old v returned"), "return the new average"),
        (
            lambda theta, g, v, lr, alpha, eps: rmsprop_step(theta, g, v, lr, alpha, eps)[::-1],
            "(v, theta)",
        ),
        (lambda theta, g, v, lr, alpha, eps: theta - lr * g, "pair"),
        (lambda theta, g, v, lr, alpha, eps: (theta - 0.01, v), "RMSProp gives"),
        (_rms_with_memory(), "state of its own"),
        (_rms_variant("no eps"), "eps is missing"),
        (_rms_variant("eps floor"), "not used as a floor"),
        (_rms_variant("eps on theta"), "eps is added to theta"),
        (_rms_variant("no root, no eps"), "not by v itself"),
        (_rms_variant("no root, eps on theta"), "two slips"),
        (_rms_variant("half v"), "v ** 1/2 is (v ** 1) / 2"),
        (_rms_variant("no 1 - alpha"), "weight 1 - alpha"),
        (_rms_fixed("alpha"), "you wrote 0.9 where alpha belongs"),
        (_rms_fixed("lr"), "you wrote 0.2 where lr belongs"),
        (_rms_fixed("eps"), "you wrote 0.001 where eps belongs"),
        (_rms_default("eps"), "uses eps=1e-08 (PyTorch's default)"),
        (_rms_default("lr"), "Use the lr argument"),
        (_rms_default("alpha"), "Use the alpha argument"),
    ],
)

# q5 ---------------------------------------------------------------------------------------


def steep_bowl(x, y):
    """Exercise 5's bowl, f = x²/2 + 50·y²: gradient (x, 100·y), 100× more curved across y."""
    return 0.5 * (x * x) + 50 * (y * y)


_LR = 0.03  # Exercise 5's fixed rate: above plain GD's limit 2/100 on the steep bowl
_SMALLEST_MU = _LR * 100 / 2 - 1  # 0.03 < 2(1 + mu)/100  <=>  mu > 0.5
_TOLERANCE = 1e-9 * _SMALLEST_MU  # the threshold itself, up to rounding: 0.5, not 0.5005


def _steep_run(mu: float):
    from tinyml.landscapes import descend
    from tinyml.optim import Momentum

    return descend(steep_bowl, Momentum, lr=_LR, momentum=mu, steps=500, start=(-5.0, 1.5))


def _percent(fraction: float) -> str:
    """A small relative gap as a percentage with 2 significant figures: 0.002%, not 0.00%."""
    return f"{float(f'{100 * fraction:.2g}'):g}%"


def _check_q5(answer):
    if isinstance(answer, bool) or not isinstance(answer, numbers.Real):
        raise Incorrect(f"give the momentum mu as a number, not {answer!r}")
    mu = float(answer)
    if math.isnan(mu):
        raise Incorrect("give the momentum mu as a number, not nan")
    # At mu = 0.5 itself y's swing neither grows nor dies out; just above, it dies out slowly
    # (descend flags 0.5005 as diverged in 500 steps); below, it keeps growing. The verdict
    # rests on the threshold, not on descend's flag, so only the threshold itself counts.
    if _SMALLEST_MU - 1e-12 <= mu <= _SMALLEST_MU + _TOLERANCE:
        return
    named = {
        _LR: "0.03 is the learning rate, fixed here; the question asks for the momentum mu",
        2 * (1 + 0.9) / 100: "0.038 is the largest rate at mu = 0.9; here the rate is fixed "
        "at 0.03 and the question asks for the threshold mu",
        2 / 100: "0.02 = 2/100 is plain GD's limit on this bowl; the question asks for mu",
        1 - 2 / (100 * _LR): "1 - 2/(100·0.03) uses 1/(1 - mu), how much momentum speeds up a "
        "steady direction; at the limit y's gradients alternate in sign, and section 3's limit "
        "is 2(1 + mu)/λ",
        _LR * 100 / 2: "1.5 is 1 + mu: subtract the 1",
        _LR * 100 - 1: "2 = 0.03·100 - 1 drops section 3's factor 2: its limit is 2(1 + mu)/λ",
        _LR * 50 / 2 - 1: "-0.25 takes λ = 50 from f's 50·y²; the curvature is the factor in "
        "the gradient, ∂f/∂y = 100·y, so λ = 100 (as QUADRATIC's 25 comes from ½·25·y²)",
        _LR * 25 / 2 - 1: "-0.625 uses the chapter's bowl, curved 25× across y; this one is "
        "curved 100×",
        0.9: "0.9 works (it is Momentum's default), but so does a smaller mu: the question asks "
        "for the threshold",
    }
    for value, why in named.items():
        if math.isclose(mu, value, rel_tol=0.02):
            raise Incorrect(why)
    if mu <= 0:
        raise Incorrect(
            ("the threshold is above 0" if mu == 0 else f"mu must be positive, got {mu:g}")
            + ": mu = 0 is plain GD, which diverges here (its limit is 2/100 = 0.02, below 0.03)"
        )
    if mu >= 1:
        raise Incorrect(
            f"mu must be below 1, got {mu:g}: at mu = 1 the buffer never forgets a gradient. "
            "Solve lr < 2(1 + mu)/λ for mu, with lr = 0.03 and λ = 100"
        )
    if mu < _SMALLEST_MU:
        close = (
            f"close, but {_percent(1 - mu / _SMALLEST_MU)} below the threshold: "
            if mu >= 0.9 * _SMALLEST_MU
            else ""
        )
        limit = 2 * (1 + mu) / 100
        raise Incorrect(
            f"{close}Momentum with momentum={mu!r} at lr=0.03 still fails: its largest stable "
            f"rate 2(1 + mu)/100 = {limit:.6g} is below 0.03, so y's swing grows for ever. "
            "The threshold is larger. Solve lr < 2(1 + mu)/λ for mu, with λ = 100"
        )
    if mu <= 1.05 * _SMALLEST_MU:
        raise Incorrect(
            f"close: mu={mu!r} is {_percent(mu / _SMALLEST_MU - 1)} above the threshold. "
            "Give the threshold itself, where lr = 2(1 + mu)/λ"
        )
    raise Incorrect(
        f"mu={mu!r} works, but so does a smaller mu: find the threshold, where "
        "lr = 2(1 + mu)/λ with lr = 0.03 and λ = 100"
    )


q5 = Question(
    title="The momentum threshold that makes a rate work",
    checker=_check_q5,
    hint_text="Section 3 gave Momentum's largest stable rate, 2(1 + mu)/λ, with λ the factor in "
    "a direction's gradient. Which direction of this bowl is the steepest, and what is its λ?",
    more_hints=(
        "Differentiate f: the gradient along y is 100·y, so λ = 100 across y, 1 along x. The "
        "steepest direction sets the limit, so Momentum converges while lr < 2(1 + mu)/100.",
        "Put lr = 0.03 into that inequality and solve it for mu: the threshold is where the two "
        "sides are equal.",
    ),
    solution_text="# Section 3: Momentum converges while lr < 2(1 + mu)/λ, λ the largest "
    "curvature: ∂f/∂y = 100·y, so λ = 100 across y.\n"
    "# 0.03 < 2(1 + mu)/100  <=>  1 + mu > 0.03 · 100 / 2 = 1.5  <=>  mu > 0.5\n"
    "threshold_mu = 0.03 * 100 / 2 - 1  # 0.5",
    answer=lambda: _SMALLEST_MU,
    wrong=[
        (0.03, "the learning rate, fixed here"),
        (0.038, "largest rate at mu = 0.9"),
        (0.02, "plain GD's limit"),
        (1 / 3, "1/(1 - mu)"),
        (1.5, "subtract the 1"),
        (2.0, "factor 2"),
        (-0.625, "chapter's bowl"),
        (-0.25, "the curvature is the factor in the gradient"),
        (0.9, "asks for the threshold"),
        (0.0, "plain GD"),
        (-0.5, "positive"),
        (1.0, "below 1"),
        (math.inf, "below 1"),
        (0.49, "close, but 2% below"),
        (0.4995, "0.1% below the threshold"),
        (0.49999, "0.002% below the threshold"),
        (0.2, "still fails"),
        (0.501, "close: mu=0.501 is 0.2% above the threshold"),
        (0.5005, "close: mu=0.5005 is 0.1% above the threshold"),
        (0.6, "so does a smaller mu"),
        (math.nan, "not nan"),
        ("0.5", "as a number"),
    ],
)

# q4 ---------------------------------------------------------------------------------------

_Q4 = {"g": 2.0, "lr": 0.1, "beta1": 0.9, "beta2": 0.999, "eps": 1e-8}


def uncorrected_first_step(g=2.0, lr=0.1, beta1=0.9, beta2=0.999, eps=1e-8):
    """How far Adam without bias correction moves a parameter at step 1."""
    m = (1 - beta1) * g  # m and v start at 0: one step of each running average
    v = (1 - beta2) * g * g
    return lr * m / (math.sqrt(v) + eps)


def _corrected_first_step(g, lr, beta1, beta2, eps):
    """The same first step with bias correction, from tinyml.optim.Adam itself."""
    from tinyml.alpha import Var
    from tinyml.optim import Adam

    x = Var(1.0, name="x")
    (g * x).backward()
    Adam([x], lr=lr, betas=(beta1, beta2), eps=eps).step()
    return 1.0 - x.value()


def _q4_mistakes() -> dict[str, float]:
    g, lr, beta1, beta2, eps = _Q4.values()
    m, v = (1 - beta1) * g, (1 - beta2) * g * g
    return {
        "corrected": _corrected_first_step(**_Q4),
        "gd": lr * g,
        "no lr": m / (math.sqrt(v) + eps),
        "only m small": lr * m / abs(g),
        "no root": lr * m / (v + eps),
        "landing point": 1.0 - uncorrected_first_step(**_Q4),
        "inverted": lr * math.sqrt(1 - beta2) / (1 - beta1),
        "no denominator": lr * m,
        "root v": math.sqrt(v),
    }


_Q4_TOLERANCE = 1e-3  # relative: 0.316 and 0.3162 count, 0.317 (0.24 % off) does not


def _check_q4(answer):
    if isinstance(answer, bool) or not isinstance(answer, numbers.Real):
        raise Incorrect(f"give the distance x moves as a number, not {answer!r}")
    got = float(answer)
    if not math.isfinite(got):
        raise Incorrect(f"give a finite distance, not {got!r}")
    want = uncorrected_first_step(**_Q4)
    if math.isclose(got, want, rel_tol=_Q4_TOLERANCE):
        return
    if math.isclose(got, -want, rel_tol=_Q4_TOLERANCE):
        raise Incorrect(
            "that is the change in x (it decreases); give the distance it moves, a positive number"
        )
    if math.isclose(got, want, rel_tol=0.05):
        off = f"{abs(got / want - 1):.1%} off, and an answer counts within 0.1%"
        if float(f"{got:.2g}") == got:  # two significant figures or fewer
            raise Incorrect(f"{got:g} is close, but {off}: give three significant figures")
        raise Incorrect(f"{got:g} is close, but {off}: compute it rather than round on the way")
    messages = {
        "corrected": "0.1 is the step with bias correction (the section 5 cell); without it "
        "the step is lr·m₁ / (√v₁ + eps) with the raw averages m₁ and v₁",
        "gd": "0.2 is lr·g (plain gradient descent's step), and also m₁ itself: the step "
        "is lr·m₁ / (√v₁ + eps)",
        "no lr": "that is ten times too far: either the learning rate is missing (multiply "
        "by lr = 0.1), or m was bias-corrected (m̂₁ = g) while v was not; without correction "
        "both stay raw, m₁ = 0.1·g",
        "only m small": "m₁ = (1 - beta1)·g is 10× smaller than g, right; but v starts at 0 "
        "too: v₁ = (1 - beta2)·g², so √v₁ is smaller than |g| as well",
        "no root": "the denominator is the square root of v₁: √v₁ + eps",
        "landing point": "that is where x lands (it starts at 1); give how far it moves",
        "inverted": "0.0316 is ten times too small: a slipped decimal point, or the ratio "
        "upside down, lr·√(1 - beta2)/(1 - beta1). The step is lr·m₁/√v₁ = "
        "lr·(1 - beta1)·g / (√(1 - beta2)·|g|), with 1 - beta1 on top",
        "no denominator": "0.02 = lr·m₁, the numerator alone: Adam then divides by "
        "√v₁ + eps, and v₁ = (1 - beta2)·g² = 0.004 is small, so the step grows",
        "root v": "0.0632 is √v₁; the step is lr·m₁ / (√v₁ + eps)",
    }
    for kind, value in _q4_mistakes().items():
        if math.isclose(got, value, rel_tol=_Q4_TOLERANCE):
            raise Incorrect(messages[kind])
    raise Incorrect(
        f"{got:g} is not it. Both averages start at 0, so after one step m₁ = (1 - beta1)·g "
        "and v₁ = (1 - beta2)·g²; the step is lr·m₁ / (√v₁ + eps)"
    )


q4 = Question(
    title="Adam without bias correction",
    checker=_check_q4,
    hint_text="Both running averages start at 0. What are m and v after one step, with "
    "g = 2 and the default betas?",
    more_hints=(
        "After one step, m₁ = beta1·0 + (1 - beta1)·g and v₁ = beta2·0 + (1 - beta2)·g². "
        "What are m₁ and v₁ here? Without correction the step is lr·m₁ / (√v₁ + eps).",
        "m₁ is g times (1 - beta1), but √v₁ is |g| times √(1 - beta2). Which of the two "
        "factors is smaller, and so is the step lr·m₁ / (√v₁ + eps) above or below lr?",
    ),
    solution_text="m1 = (1 - 0.9) * 2              # 0.2: ten times smaller than g\n"
    "v1 = (1 - 0.999) * 2 * 2        # 0.004: so √v1 ≈ 0.063 is 31.6 times smaller than |g|\n"
    "first_step = 0.1 * m1 / (math.sqrt(v1) + 1e-8)  # ≈ 0.316, not 0.1\n"
    "# What goes wrong: the raw m is too small by (1 - beta1), but √v is too small by\n"
    "# √(1 - beta2), which is smaller still, so the first step is (1 - beta1)/√(1 - beta2)\n"
    "# ≈ 3.16 times lr, whatever g is (y, with g = 2000, moves 0.316 too). With\n"
    "# beta2 = 0.9999 it would be 10 × lr. Dividing by 1 - beta**t makes it exactly lr.",
    answer=lambda: uncorrected_first_step(**_Q4),
    wrong=[
        (0.1, "with bias correction"),
        (0.2, "plain gradient descent"),
        (3.1623, "multiply by lr"),
        (0.1 * 2 / math.sqrt(0.004), "m was bias-corrected"),
        (0.01, "v starts at 0 too"),
        (5.0, "square root"),
        (0.6838, "where x lands"),
        (0.02, "the numerator alone"),
        (0.0632, "0.0632 is √v₁"),
        (-0.3162, "positive"),
        (0.32, "three significant figures"),
        (0.31939, "1.0% off"),
        (0.317, "0.2% off, and an answer counts within 0.1%"),
        (1.0, "not it"),
        ("0.316", "as a number"),
    ],
)

# q2 ---------------------------------------------------------------------------------------


def nesterov_step(theta, g, buf, lr, mu):
    """One step of Nesterov momentum, PyTorch's form. Returns (new theta, new buf)."""
    buf = mu * buf + g
    theta = theta - lr * (g + mu * buf)
    return theta, buf


def _look_ahead_nesterov(lr: float, mu: float, steps: int) -> list[float]:
    """The checker's reference, from Nesterov's own form rather than from nesterov_step.

    Take the gradient where momentum is about to carry the point (phi + mu·v), then move:
    v ← mu·v - lr·grad(phi + mu·v), phi ← phi + v. PyTorch's theta is that look-ahead point,
    theta = phi + mu·v, and its buffer is b = -v / lr; both forms give the same iterates.
    """
    phi, v, seen = 0.0, 0.0, []
    for _ in range(steps):
        v = mu * v - lr * _grad(phi + mu * v)
        phi = phi + v
        seen.append(phi + mu * v)
    return seen


def _look_ahead_buffers(lr: float, mu: float, steps: int) -> list[float]:
    """PyTorch's buffer after each step, b = -v / lr, from the same look-ahead form."""
    phi, v, seen = 0.0, 0.0, []
    for _ in range(steps):
        v = mu * v - lr * _grad(phi + mu * v)
        phi = phi + v
        seen.append(-v / lr)
    return seen


def _run_momentum(step, lr, mu, steps, buffers=None):
    theta, buf, seen = 0.0, 0.0, []
    for k in range(steps):
        g = _checked_grad(theta, k)
        result = call_learner(step, theta, g, buf, lr, mu)
        if not isinstance(result, tuple | list) or len(result) != 2:
            raise Incorrect(f"nesterov_step returned {result!r}; return the pair (theta, buf)")
        theta, buf = _number("theta", result[0]), _number("buf", result[1])
        seen.append(theta)
        if buffers is not None:
            buffers.append(buf)
    _checked_grad(theta, steps)
    return seen


def _blown_up(step, lr, mu, steps, want, exc):
    """Why the iterates blew up: the sign, only if stepping the other way is right."""

    def negated(theta, g, buf, lr, mu):
        new_theta, new_buf = step(theta, g, buf, lr, mu)
        return 2 * theta - new_theta, new_buf

    try:
        sign_only = _first_difference(_run_momentum(negated, lr, mu, steps), want) is None
    except Exception:  # noqa: BLE001 - whatever the learner's step does, the answer is "no"
        sign_only = False
    if sign_only:
        return Incorrect(
            f"{exc}: check the sign — theta moves against the step direction, "
            "theta - lr·(g + mu·buf)"
        )
    return Incorrect(
        f"{exc}: the step is lr·(g + mu·buf), the learning rate times the whole sum, and "
        "theta moves against it: theta - lr·(g + mu·buf)"
    )


def _check_order(step, lr, mu, steps, want):
    """Incorrect if the step rule is right but returns (buf, theta) instead of (theta, buf)."""

    def swapped(*args):
        result = step(*args)
        ok = isinstance(result, tuple | list) and len(result) == 2
        return tuple(result)[::-1] if ok else result

    try:
        right_if_swapped = _first_difference(_run_momentum(swapped, lr, mu, steps), want) is None
    except Incorrect:
        return
    if right_if_swapped:
        raise Incorrect(
            "your rule is right, but it returns (buf, theta): return the pair in the order "
            "(theta, buf), so the new theta comes first"
        )


def _momentum_variant(kind):
    """Nesterov's step with one typical mistake, to recognise it in a learner's answer."""

    def step(theta, g, buf, lr, mu):
        new = mu * buf + g
        if kind == "plain momentum":
            return theta - lr * new, new
        if kind == "mu on g":
            return theta - lr * (new + mu * g), new
        if kind == "no mu":
            return theta - lr * (g + new), new
        if kind == "no g":
            return theta - lr * mu * new, new
        if kind == "no g, old buffer":
            return theta - lr * mu * buf, new
        if kind == "direction as buffer":
            return theta - lr * (g + mu * new), g + mu * new
        if kind == "gd":
            return theta - lr * g, new
        if kind == "averaged buffer":
            averaged = mu * buf + (1 - mu) * g
            return theta - lr * (g + mu * averaged), averaged
        raise ValueError(kind)

    return step


_MOMENTUM_MISTAKES = {
    "gd": "that is plain gradient descent: the step must use the buffer too, g + mu·buf",
    "plain momentum": "that is the chapter's Momentum, a step along the new buffer "
    "mu·buf + g (the same as g + mu times the old buffer). Nesterov first updates the "
    "buffer, buf = mu·buf + g, then steps along g + mu·buf with that new buf",
    "mu on g": "mu multiplies the gradient instead of the buffer: the step is g + mu·buf",
    "no mu": "mu is missing from the step: g + mu·buf, not g + buf",
    "no g": "the gradient g is missing from theta's step: it moves by lr·(g + mu·buf), this "
    "step's gradient plus mu times the new buffer, not by lr·mu·buf alone",
    "no g, old buffer": "the gradient g is missing from theta's step: it moves by "
    "lr·(g + mu·buf), this step's gradient plus mu times the new buffer, not by lr·mu·buf",
    "direction as buffer": "theta's first step is right, but you return the step direction "
    "g + mu·buf as the new buffer; return buf = mu·buf + g itself",
    "averaged buffer": "PyTorch's buffer sums; it does not average: buf = mu·buf + g, "
    "without the (1 - mu) on g (that is Adam's first moment, not momentum's buffer)",
}


def _plain_momentum_advice(got: list[float], momentum_buffers: list[float], lr: float) -> str:
    """What the learner wrote, when theta moves as plain momentum: the chapter's buffer, the
    velocity form (buf = mu·buf - lr·g, theta + buf), or some other buffer."""
    nesterov = (
        "Nesterov first updates the buffer, buf = mu·buf + g, then steps along g + mu·buf "
        "with that new buf"
    )
    if _first_difference(got, momentum_buffers) is None:
        return _MOMENTUM_MISTAKES["plain momentum"]
    if _first_difference(got, [-lr * b for b in momentum_buffers]) is None:
        return (
            "that is plain momentum in velocity form: buf = mu·buf - lr·g is the step itself, "
            "and theta + buf moves exactly as the chapter's Momentum does. Nesterov's buffer "
            "has no lr in it: buf = mu·buf + g, then theta = theta - lr·(g + mu·buf) with that "
            "new buf"
        )
    return (
        "theta moves exactly as the chapter's Momentum moves it, along the running sum of "
        f"gradients alone. {nesterov}"
    )


def _check_q2(step):
    if isinstance(step, type):
        _check_q2_class(step)
        return
    if not callable(step):
        raise Incorrect(
            "pass your function or your class itself, e.g. ch06.q2.check(nesterov_step) or "
            "ch06.q2.check(Nesterov)"
        )
    lr, mu, steps = 0.02, 0.9, 30
    want = _look_ahead_nesterov(lr, mu, steps)
    buffers: list[float] = []
    try:
        got = _run_momentum(step, lr, mu, steps, buffers)
    except _BlownUp as exc:
        _check_order(step, lr, mu, steps, want)
        raise _blown_up(step, lr, mu, steps, want, exc) from None
    except Incorrect:
        _check_order(step, lr, mu, steps, want)
        raise
    i = _first_difference(got, want)
    if i is None:
        _check_buffers(buffers, _look_ahead_buffers(lr, mu, steps), lr)
        _check_other_settings(step, lr, mu)
        return
    _check_order(step, lr, mu, steps, want)
    for kind, why in _MOMENTUM_MISTAKES.items():
        mistake_buffers: list[float] = []
        try:
            same = _first_difference(
                got, _run_momentum(_momentum_variant(kind), lr, mu, steps, mistake_buffers)
            )
        except Incorrect:  # this mistake blows up on the test loss: not the learner's
            continue
        if same is None:
            if kind == "plain momentum":
                why = _plain_momentum_advice(buffers, mistake_buffers, lr)
            raise Incorrect(why)
    for name, value, guess in (
        ("lr", 0.01, _look_ahead_nesterov(0.01, mu, steps)),
        ("mu", 0.99, _look_ahead_nesterov(lr, 0.99, steps)),
    ):
        if _first_difference(got, guess) is None:
            raise Incorrect(
                f"your step uses {name}={value:g} whatever the call says; here lr={lr:g}, "
                f"mu={mu:g}. Use the {name} argument, not a number"
            )
    if _first_difference(got, _run_momentum(_nesterov_same_buf, lr, mu, steps)) is None:
        if all(b == 0 for b in buffers):
            raise Incorrect(
                "the buffer you return never changes (it stays 0): return the new buffer, "
                "buf = mu·buf + g, so that the next step builds on it"
            )
        raise Incorrect(
            "theta's step uses g where the new buffer belongs: it moves by lr·(g + mu·buf), "
            "with buf = mu·buf + g computed first"
        )
    right_buffer = _buffer_rule_right(step, lr, mu)
    if not right_buffer:
        _check_buffer_alone(step, lr, mu)
    raise Incorrect(
        ("your buffer is right, but theta's step is not: " if right_buffer else "")
        + f"after step {i + 1} theta is {got[i]:.6g}; Nesterov momentum gives {want[i]:.6g}"
        + (": it moves by lr·(g + mu·buf), with the new buf" if right_buffer else "")
    )


def _check_buffer_alone(step, lr: float, mu: float) -> None:
    """Incorrect, naming the buffer, if theta's step is right for the buffer it is given but
    the buffer returned is not mu·buf + g."""
    theta, g, buf = 0.5, 1.25, 0.75
    try:
        got = step(theta, g, buf, lr, mu)
        got_theta, got_buf = float(got[0]), float(got[1])
    except Exception:  # noqa: BLE001 - the generic message covers it
        return
    want_theta, want_buf = nesterov_step(theta, g, buf, lr, mu)
    if math.isclose(got_theta, want_theta) and not math.isclose(got_buf, want_buf):
        if math.isclose(got_buf, g):
            what = ", which is g alone: the mu·buf term is missing"
        elif math.isclose(got_buf, buf):
            what = ", the old buffer unchanged"
        else:
            what = ""
        raise Incorrect(
            f"theta's step is right, but your buffer is off: nesterov_step({theta}, {g}, {buf}, "
            f"lr={lr:g}, mu={mu:g}) returns buf {got_buf:.6g}{what}; the new buffer is "
            f"buf = mu·buf + g = {want_buf:.6g}"
        )


def _buffer_rule_right(step, lr: float, mu: float) -> bool:
    """Whether the learner's step returns buf = mu·buf + g, whatever theta it returns."""
    for theta, g, buf in ((0.5, 1.25, 0.75), (-1.0, -0.5, 2.0)):
        try:
            got = step(theta, g, buf, lr, mu)[1]
        except Exception:  # noqa: BLE001 - any failure means "no"
            return False
        if not isinstance(got, int | float) or not math.isclose(got, mu * buf + g):
            return False
    return True


def _nesterov_class(base: type) -> type:
    """The solution's race class, built on ``base`` (the chapter's Momentum)."""

    class Nesterov(base):
        def update(self, i, theta, g):
            theta, self.buffers[i] = nesterov_step(
                theta, g, self.buffers[i], self.lr, self.momentum
            )
            return theta

    return Nesterov


def _race_points(
    optimizer: type, steps: int = 50, lr: float = 0.03, momentum: float = 0.9
) -> tuple[list[tuple[float, float]], list]:
    """(x, y) after each step on the narrow bowl from (-5, 1.5), and the optimizer's buffers
    at the end: the race of Exercise 2 (lr=0.03, momentum=0.9), run by hand."""
    from tinyml.alpha import Var
    from tinyml.landscapes import quadratic

    x, y = Var(-5.0, name="x"), Var(1.5, name="y")
    made = f"Nesterov([x, y], {lr:g}, {momentum:g})"
    opt = call_learner(optimizer, [x, y], lr, momentum, call=f"calling {made}")
    points = []
    for _ in range(steps):
        opt.zero_grad()
        quadratic(x, y).backward()
        try:
            call_learner(opt.step, call=f"running {made}.step()")
        except Incorrect as exc:
            raise Incorrect(_update_advice(str(exc))) from None
        points.append((x.value(), y.value()))
    return points, list(getattr(opt, "buffers", []))


def _update_advice(reason: str) -> str:
    """A crash in the learner's update(), with what Momentum's attributes and update's
    return value are."""
    if "has no attribute 'mu'" in reason:
        return f"{reason}. Momentum keeps mu in self.momentum (and lr in self.lr)"
    if "has no attribute" in reason:
        return (
            f"{reason}. Momentum's attributes are self.lr, self.momentum and self.buffers "
            "(one buffer per parameter)"
        )
    if "of type tuple" in reason or "of type list" in reason:
        return (
            f"{reason}. update returns only the new theta; store the new buffer in "
            "self.buffers[i]: theta, self.buffers[i] = nesterov_step(...)"
        )
    if "can't multiply sequence" in reason:  # self.buffers[i] = nesterov_step(...)
        return (
            f"{reason}. self.buffers[i] holds the whole pair (theta, buf) that nesterov_step "
            "returns, so the next step multiplies a tuple by mu. Store only the buffer: "
            "theta, self.buffers[i] = nesterov_step(...)"
        )
    if "got None of type NoneType" in reason:
        return (
            f"{reason}. update returns nothing: it must return the new theta (and store the "
            "new buffer in self.buffers[i]): theta, self.buffers[i] = nesterov_step(...)"
        )
    return reason


def _learners_step(cls: type):
    """The nesterov_step that cls.update calls by name, if it is not the reference's."""
    update = cls.__dict__.get("update")
    code = getattr(update, "__code__", None)
    if code is None or "nesterov_step" not in code.co_names:
        return None
    step = getattr(update, "__globals__", {}).get("nesterov_step")
    return step if callable(step) and step is not nesterov_step else None


def _flat(points: list[tuple[float, float]]) -> list[float]:
    return [v for point in points for v in point]


_Q2_OTHER = (0.05, 0.5)  # (lr, momentum): the race class must use self.lr and self.momentum


def _unfinished(cls: type) -> str:
    """Which of the race class's update() and the nesterov_step it calls is still starter code."""
    step = _learners_step(cls)
    try:
        if step is not None:
            step(0.0, 1.0, 0.0, 0.1, 0.9)
    except NotImplementedError:
        return (
            "nesterov_step still raises NotImplementedError: fill it in and check it with "
            "ch06.q2.check(nesterov_step) first"
        )
    except Exception:  # noqa: BLE001 - nesterov_step's own check names its crash
        pass
    return f"{cls.__name__}.update still raises NotImplementedError"


def _check_q2_class(cls: type) -> None:
    """The race half of Exercise 2: a Momentum subclass whose update() is Nesterov's."""
    from tinyml.optim import Momentum, Optimizer

    if not (isinstance(cls, type) and issubclass(cls, Optimizer)):  # judged by its steps
        raise Incorrect(
            f"check an optimizer class, not {cls!r}: e.g. class Nesterov(Momentum), which "
            "inherits Momentum's buffers and settings and overrides only update()"
        )
    reference = _nesterov_class(Momentum)
    try:
        got, buffers = _race_points(cls)
    except NotAttempted:
        raise NotAttempted(_unfinished(cls)) from None
    want, _ = _race_points(reference)
    i = _first_difference(_flat(got), _flat(want))
    if i is None:
        _check_q2_class_settings(cls, reference)
        return
    shared, _ = _race_points(_shared_buffer_nesterov())
    if _first_difference(_flat(got), _flat(shared)) is None:
        raise Incorrect(
            "x and y share one buffer: each step of y builds on the buffer x just left, and x "
            "on y's. Each parameter needs its own: pass self.buffers[i] to nesterov_step and "
            "store the new one there, theta, self.buffers[i] = nesterov_step(...)"
        )
    numeric = len(buffers) == 2 and all(isinstance(b, numbers.Real) for b in buffers)
    if numeric and _first_difference(_flat(got[-1:]), [float(b) for b in buffers]) is None:
        raise Incorrect(
            "update() returns the buffer: x and y land on the new buffer after every step. "
            "update() must return the new theta, not the buffer: theta, self.buffers[i] = "
            "nesterov_step(...), then return theta"
        )
    if buffers and all(b == 0 for b in buffers):
        raise Incorrect(
            "the buffers stay 0: update() keeps nesterov_step's theta but drops the new "
            "buffer, so every step starts from buf = 0 (plain gradient descent with a larger "
            "step). Store it: theta, self.buffers[i] = nesterov_step(...)"
        )
    step = _learners_step(cls)
    if step is not None:  # update() delegates: is the learner's nesterov_step the culprit?
        try:
            _check_q2(step)
        except (Incorrect, NotAttempted):
            like = (
                "like Momentum"
                if _first_difference(_flat(got), _flat(_race_points(Momentum)[0])) is None
                else "wrongly"
            )
            raise Incorrect(
                f"your Nesterov steps {like}: its update() calls your nesterov_step, which is "
                "not right yet. Check nesterov_step first with ch06.q2.check(nesterov_step), "
                "which says what is wrong"
            ) from None
    plain, _ = _race_points(Momentum)
    if _first_difference(_flat(got), _flat(plain)) is None:
        if getattr(cls, "update", None) is not Momentum.update:  # overridden, yet Momentum's steps
            raise Incorrect(
                "your update behaves like Momentum: check that nesterov_step steps along "
                "g + mu times the new buffer, with ch06.q2.check(nesterov_step)"
            )
        raise Incorrect(
            "that is the chapter's Momentum unchanged: override update(self, i, theta, g) "
            "to call your nesterov_step and return its theta"
        )
    k = i // 2
    update = cls.__dict__.get("update")
    code = getattr(update, "__code__", None)
    if code is not None and "nesterov_step" not in code.co_names:
        doubled, _ = _race_points(_doubled_buffer())
        what = (
            "it steps along (1 + mu)·buf, where Nesterov steps along g + mu·buf"
            if _first_difference(_flat(got), _flat(doubled)) is None
            else f"after step {k + 1} it is at ({got[k][0]:.6g}, {got[k][1]:.6g}); Nesterov "
            f"gives ({want[k][0]:.6g}, {want[k][1]:.6g})"
        )
        raise Incorrect(
            f"your update() never calls nesterov_step, and {what}. Call it: theta, "
            "self.buffers[i] = nesterov_step(theta, g, self.buffers[i], self.lr, "
            "self.momentum), then return theta"
        )
    raise Incorrect(
        f"after step {k + 1} your Nesterov is at ({got[k][0]:.6g}, {got[k][1]:.6g}); Nesterov "
        f"gives ({want[k][0]:.6g}, {want[k][1]:.6g}). update() should call nesterov_step "
        "with self.buffers[i], self.lr and self.momentum, store the new buffer, return theta"
    )


def _doubled_buffer() -> type:
    """A slip seen in a read: Momentum's update, then lr·mu·buf subtracted once more."""
    from tinyml.optim import Momentum

    class DoubledBuffer(Momentum):
        def update(self, i: int, theta: float, g: float) -> float:
            theta = super().update(i, theta, g)
            return theta - self.lr * self.momentum * self.buffers[i]

    return DoubledBuffer


def _check_q2_class_settings(cls: type, reference: type) -> None:
    """Right at lr=0.03, momentum=0.9 is not enough: numbers written in for self.lr or
    self.momentum must fail."""
    lr, mu = _Q2_OTHER
    got, _ = _race_points(cls, 20, lr, mu)
    if _first_difference(_flat(got), _flat(_race_points(reference, 20, lr, mu)[0])) is None:
        return
    for written, guess in (
        ("0.9 where self.momentum belongs", (lr, 0.9)),
        ("0.03 where self.lr belongs", (0.03, mu)),
        ("0.03 and 0.9 where self.lr and self.momentum belong", (0.03, 0.9)),
    ):
        if _first_difference(_flat(got), _flat(_race_points(reference, 20, *guess)[0])) is None:
            raise Incorrect(
                f"right with lr=0.03, momentum=0.9, but not with Nesterov([x, y], {lr:g}, "
                f"{mu:g}): you wrote {written}. Pass self.lr and self.momentum to nesterov_step"
            )
    raise Incorrect(
        f"right with lr=0.03, momentum=0.9, but not with Nesterov([x, y], {lr:g}, {mu:g}): "
        "pass self.lr and self.momentum to nesterov_step, and keep each buffer in "
        "self.buffers[i]"
    )


def _shared_buffer_nesterov() -> type:
    """The reader's race class: one buffer for all the parameters."""
    from tinyml.optim import Momentum

    class Nesterov(Momentum):
        buf = 0.0

        def update(self, i, theta, g):
            theta, self.buf = nesterov_step(theta, g, self.buf, self.lr, self.momentum)
            return theta

    return Nesterov


def _fixed_settings_nesterov(lr: float | None, mu: float | None) -> type:
    """The reader's race class, with lr or momentum (or both) written in as numbers."""
    from tinyml.optim import Momentum

    class Nesterov(Momentum):
        def update(self, i, theta, g):
            theta, self.buffers[i] = nesterov_step(
                theta, g, self.buffers[i], lr or self.lr, mu or self.momentum
            )
            return theta

    return Nesterov


def _forgetful_nesterov() -> type:
    """The reader's race class: it drops the new buffer nesterov_step returns."""
    from tinyml.optim import Momentum

    class Nesterov(Momentum):
        def update(self, i, theta, g):
            theta, _ = nesterov_step(theta, g, self.buffers[i], self.lr, self.momentum)
            return theta

    return Nesterov


def _silent_nesterov() -> type:
    """The reader's race class: update() stores theta's buffer but returns nothing."""
    from tinyml.optim import Momentum

    class Nesterov(Momentum):
        def update(self, i, theta, g):
            theta, self.buffers[i] = nesterov_step(
                theta, g, self.buffers[i], self.lr, self.momentum
            )

    return Nesterov


def _plain_momentum_class() -> type:
    from tinyml.optim import Momentum

    return Momentum


_Q5_OTHER = ((0.05, 0.5, 20), (0.01, 0.7, 25))  # (lr, mu, steps): not just lr=0.02, mu=0.9


def _check_other_settings(step, lr, mu) -> None:
    """Right at lr=0.02, mu=0.9 is not enough: a number where an argument belongs must fail."""
    for other_lr, other_mu, steps in _Q5_OTHER:
        want = _look_ahead_nesterov(other_lr, other_mu, steps)
        try:
            got = _run_momentum(step, other_lr, other_mu, steps)
        except Incorrect:
            got = None
        if got is not None and _first_difference(got, want) is None:
            continue
        for name, value, guess in (
            ("mu", mu, _look_ahead_nesterov(other_lr, mu, steps)),
            ("lr", lr, _look_ahead_nesterov(lr, other_mu, steps)),
        ):
            if got is not None and _first_difference(got, guess) is None:
                raise Incorrect(
                    f"right with lr={lr:g}, mu={mu:g}, but not with lr={other_lr:g}, "
                    f"mu={other_mu:g}: you wrote {value:g} where {name} belongs. Use the "
                    "arguments lr and mu, not numbers"
                )
        raise Incorrect(
            f"right with lr={lr:g}, mu={mu:g}, but not with lr={other_lr:g}, mu={other_mu:g}: "
            "use the arguments lr and mu everywhere, not numbers, and keep no state of your "
            "own between calls"
        )


def _check_buffers(got: list[float], want: list[float], lr: float) -> None:
    """Right iterates are not enough: the buffer returned must be PyTorch's too."""
    i = _first_difference(got, want)
    if i is None:
        return
    if _first_difference(got, [-lr * b for b in want]) is None:
        raise Incorrect(
            "theta is right, but that is Sutskever's form, with lr inside the buffer "
            "(buf = mu·buf - lr·g). PyTorch's buffer has no lr in it: buf = mu·buf + g, and "
            "theta = theta - lr·(g + mu·buf). (The two agree only while lr stays constant.)"
        )
    raise Incorrect(
        f"theta is right, but the buffer you return after step {i + 1} is {got[i]:.6g}, "
        f"where PyTorch's is {want[i]:.6g}: return buf = mu·buf + g itself"
    )


def _sutskever_step(theta, g, buf, lr, mu):
    """Sutskever's form: the same iterates at a constant lr, but lr lives in the buffer."""
    buf = mu * buf - lr * g
    return theta + mu * buf - lr * g, buf


def _velocity_momentum(theta, g, buf, lr, mu):
    """Plain momentum in velocity form (report ch6_s6a_read1): theta moves as Momentum's."""
    buf = mu * buf - lr * g
    return theta + buf, buf


def _nesterov_fixed_mu(theta, g, buf, lr, mu):
    """Right at mu = 0.9 only: the reader's answer, with 0.9 where mu belongs."""
    buf = 0.9 * buf + g
    return theta - lr * (g + 0.9 * buf), buf


def _nesterov_fixed_lr(theta, g, buf, lr, mu):
    buf = mu * buf + g
    return theta - 0.02 * (g + mu * buf), buf


def _nesterov_lr_001(theta, g, buf, lr, mu):
    """lr written in as 0.01 (PyTorch SGD's example rate)."""
    buf = mu * buf + g
    return theta - 0.01 * (g + mu * buf), buf


def _nesterov_same_buf(theta, g, buf, lr, mu):
    """Computes the new buffer, but returns the one it was given."""
    new = mu * buf + g
    return theta - lr * (g + mu * new), buf


def _q2_note(answer) -> str:
    """After a right nesterov_step (not the class), point to the exercise's next steps."""
    if isinstance(answer, type):
        return ""
    return (
        "Next, steps 2 and 3: fill in Nesterov.update, then uncomment check(Nesterov) and the "
        "race."
    )


q2 = Question(
    title="Nesterov momentum",
    checker=_check_q2,
    hint_text="Start from the chapter's Momentum (show(Momentum.update)): the buffer is "
    "updated exactly as there. Only the step that theta takes is different.",
    more_hints=(
        "The buffer line is Momentum's own, buf = mu·buf + g. Only theta's step differs: it "
        "goes along g + mu·buf, this step's gradient plus mu times the buffer, not along the "
        "buffer alone.",
        "Order matters: first compute the new buffer, then move theta against lr times the "
        "step direction, using that new buffer (not the one you were given). Return the pair "
        "with theta first.",
    ),
    solution_text=inspect.getsource(nesterov_step)
    + """
# Why "look-ahead": Nesterov takes the gradient not where the point is, but where momentum
# is about to carry it. PyTorch stores the point *after* that look-ahead as theta, and then
# the whole method is the two lines above. (The checker compares with Nesterov's own form;
# both give the same points.) Nesterov's form, with phi his point and v his velocity:
#     v = mu·v - lr·grad(phi + mu·v);   phi = phi + v
# Substitute theta = phi + mu·v (the look-ahead point) and buf = -v / lr: the gradient is
# then taken at theta, g = grad(theta), and the two lines become buf = mu·buf + g and
# theta = theta - lr·(g + mu·buf) — nesterov_step's two lines.

# ---- Steps 2 and 3 below: stop here if you wanted help with step 1 only. ----
# To race it, give the chapter's Momentum this update (store the new buffer!):
class Nesterov(Momentum):
    def update(self, i, theta, g):
        theta, self.buffers[i] = nesterov_step(theta, g, self.buffers[i], self.lr, self.momentum)
        return theta

ch06.q2.check(Nesterov)
# descend(QUADRATIC, Momentum, lr=0.03, momentum=0.9) still circles the minimum after 50
# steps (loss 0.106); descend(QUADRATIC, Nesterov, lr=0.03, momentum=0.9) damps the
# overshoot (loss 0.0013).
""",
    answer=lambda: nesterov_step,
    note=_q2_note,
    wrong=[
        (_momentum_variant("gd"), "plain gradient descent"),
        (_momentum_variant("plain momentum"), "chapter's Momentum"),
        (_velocity_momentum, "plain momentum in velocity form"),
        (lambda theta, g, buf, lr, mu: (theta - lr * (g + mu * buf), mu * buf + g), "old buffer"),
        (_momentum_variant("mu on g"), "instead of the buffer"),
        (_momentum_variant("no mu"), "mu is missing"),
        (_momentum_variant("no g"), "the gradient g is missing"),
        (_momentum_variant("no g, old buffer"), "the gradient g is missing"),
        (_momentum_variant("direction as buffer"), "as the new buffer"),
        (lambda theta, g, buf, lr, mu: theta - lr * g, "pair"),
        (lambda theta, g, buf, lr, mu: nesterov_step(theta, g, buf, lr, mu)[::-1], "(buf, theta)"),
        (
            lambda theta, g, buf, lr, mu: (theta + lr * (g + mu * (mu * buf + g)), mu * buf + g),
            "check the sign",
        ),
        (lambda theta, g, buf, lr, mu: (theta - 0.01, buf), "Nesterov momentum gives"),
        (_sutskever_step, "Sutskever's form"),
        (_nesterov_fixed_mu, "you wrote 0.9 where mu belongs"),
        (_nesterov_fixed_lr, "you wrote 0.02 where lr belongs"),
        (_nesterov_same_buf, "the buffer you return never changes"),
        (
            lambda theta, g, buf, lr, mu: (theta - (g + lr * mu * (mu * buf + g)), mu * buf + g),
            "the step is lr·(g + mu·buf)",
        ),
        (_momentum_variant("averaged buffer"), "PyTorch's buffer sums; it does not average"),
        (_nesterov_lr_001, "uses lr=0.01 whatever the call says"),
        (_forgetful_nesterov(), "the buffers stay 0"),
        (_shared_buffer_nesterov(), "share one buffer"),
        (_fixed_settings_nesterov(None, 0.9), "you wrote 0.9 where self.momentum belongs"),
        (_fixed_settings_nesterov(0.03, None), "you wrote 0.03 where self.lr belongs"),
        (_fixed_settings_nesterov(0.03, 0.9), "0.03 and 0.9 where"),
        (_plain_momentum_class(), "the chapter's Momentum unchanged"),
        (int, "check an optimizer class"),
        (_silent_nesterov(), "update returns nothing"),
    ],
)
