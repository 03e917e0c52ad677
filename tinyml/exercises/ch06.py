"""Chapter 6 exercises: optimizers."""

from __future__ import annotations

import inspect
import math
import numbers

from tinyml.exercises import Incorrect, Question, call_learner


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


def _checked_grad(theta: float, step: int, sign_hint: str) -> float:
    """The test gradient at theta, or Incorrect if the learner's iterates have blown up."""
    try:
        g = _grad(theta)
    except OverflowError:
        g = math.inf
    if not (math.isfinite(theta) and math.isfinite(g) and abs(theta) < 1e6):
        raise Incorrect(
            f"your iterates blow up (theta is {theta:.3g} after step {step}) instead of "
            f"settling near the minimum at about 1.9: check the sign — {sign_hint}"
        )
    return g


# q1 ---------------------------------------------------------------------------------------


def momentum_step(theta, g, buf, lr, mu):
    """One momentum step, PyTorch's convention. Returns (new theta, new buf)."""
    buf = mu * buf + g
    theta = theta - lr * buf
    return theta, buf


def _run_momentum(step, lr, mu, steps, buffers=None):
    theta, buf, seen = 0.0, 0.0, []
    for k in range(steps):
        g = _checked_grad(theta, k, "theta moves against the buffer, theta - lr·buf")
        result = call_learner(step, theta, g, buf, lr, mu)
        if not isinstance(result, tuple | list) or len(result) != 2:
            raise Incorrect(f"momentum_step returned {result!r}; return the pair (theta, buf)")
        theta, buf = _number("theta", result[0]), _number("buf", result[1])
        seen.append(theta)
        if buffers is not None:
            buffers.append(buf)
    _checked_grad(theta, steps, "theta moves against the buffer, theta - lr·buf")
    return seen


def _step_with_old_buffer(theta, g, buf, lr, mu):
    return theta - lr * buf, mu * buf + g


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


def _check_q1(step):
    from tinyml.optim import GD, Momentum

    if not callable(step):
        raise Incorrect("pass your function itself, e.g. ch06.q1.check(momentum_step)")
    lr, mu, steps = 0.02, 0.9, 30
    buffers = []
    want = _reference(Momentum, steps, lr=lr, momentum=mu)
    try:
        got = _run_momentum(step, lr, mu, steps, buffers)
    except Incorrect:
        _check_order(step, lr, mu, steps, want)
        raise
    i = _first_difference(got, want)
    if i is not None:
        _check_order(step, lr, mu, steps, want)
    if i is None:
        want_buffers: list[float] = []
        _run_momentum(momentum_step, lr, mu, steps, want_buffers)  # PyTorch's rule
        j = _first_difference(buffers, want_buffers)
        if j is None:
            return
        raise Incorrect(
            f"theta is right, but after step {j + 1} your buffer is {buffers[j]:.6g} where "
            f"PyTorch's momentum_buffer is {want_buffers[j]:.6g}: that is another convention "
            "(e.g. Sutskever's, with the learning rate inside the buffer); keep "
            "buf = mu·buf + g and theta - lr·buf"
        )
    if _first_difference(got, _reference(GD, steps, lr=lr)) is None:
        raise Incorrect("that is plain gradient descent: the buffer must carry past gradients")
    try:
        old_buffer = _first_difference(got, _run_momentum(_step_with_old_buffer, lr, mu, steps))
    except Incorrect:
        old_buffer = 0
    if old_buffer is None:
        raise Incorrect(
            "theta moves along the old buffer: update the buffer first, buf = mu·buf + g, "
            "then move theta along the new one, theta - lr·buf"
        )
    ema = _reference(Momentum, steps, lr=lr * (1 - mu), momentum=mu)
    if _first_difference(got, ema) is None:
        raise Incorrect(
            "that is the averaging convention, buf = mu·buf + (1 - mu)·g; PyTorch (and "
            "tinyml) add the whole gradient: buf = mu·buf + g"
        )
    try:
        mu_on_g = _first_difference(got, _run_momentum(_mu_on_g, lr, mu, steps))
    except Incorrect:
        mu_on_g = 0
    if mu_on_g is None:
        raise Incorrect(
            "mu multiplies the gradient instead of the old buffer: buf = mu·buf + g keeps "
            "a fraction mu of the past and adds the whole new gradient"
        )
    raise Incorrect(
        f"after step {i + 1} theta is {got[i]:.6g}; tinyml.optim.Momentum has {want[i]:.6g}"
    )


def _mu_on_g(theta, g, buf, lr, mu):
    buf = buf + mu * g
    return theta - lr * buf, buf


q1 = Question(
    title="Momentum's step rule",
    checker=_check_q1,
    hint_text="Two lines: first update the buffer from its old value and the new gradient, "
    "then move theta along the buffer (not along g). Compare with show(Momentum.update).",
    solution_text=inspect.getsource(momentum_step),
    answer=lambda: momentum_step,
    wrong=[
        (lambda theta, g, buf, lr, mu: (theta - lr * g, buf), "plain gradient descent"),
        (
            lambda theta, g, buf, lr, mu: momentum_step(theta, (1 - mu) * g, buf, lr, mu),
            "averaging convention",
        ),
        (lambda theta, g, buf, lr, mu: (theta - lr * (mu * buf + g), g), "tinyml.optim.Momentum"),
        (lambda theta, g, buf, lr, mu: theta - lr * g, "pair"),
        (_mu_on_g, "instead of the old buffer"),
        (_step_with_old_buffer, "old buffer"),
        (
            lambda theta, g, buf, lr, mu: (theta + (mu * buf - lr * g), mu * buf - lr * g),
            "another convention",
        ),
        # Returning the pair the wrong way round used to be called a sign error.
        (lambda theta, g, buf, lr, mu: momentum_step(theta, g, buf, lr, mu)[::-1], "(buf, theta)"),
        # The sign error used to crash the checker with an OverflowError.
        (
            lambda theta, g, buf, lr, mu: (theta + lr * (mu * buf + g), mu * buf + g),
            "check the sign",
        ),
    ],
)

# q2 ---------------------------------------------------------------------------------------


def adam_step(theta, g, m, v, t, lr, beta1, beta2, eps):
    """One Adam step with bias correction. Returns (new theta, new m, new v)."""
    m = beta1 * m + (1 - beta1) * g
    v = beta2 * v + (1 - beta2) * g * g
    m_hat = m / (1 - beta1**t)
    v_hat = v / (1 - beta2**t)
    theta = theta - lr * m_hat / (math.sqrt(v_hat) + eps)
    return theta, m, v


def _adam_variant(kind):
    """Adam with one typical mistake, for recognising that mistake in a learner's answer."""

    def step(theta, g, m, v, t, lr, beta1, beta2, eps):
        m = beta1 * m + (1 - beta1) * g
        v = beta2 * v + (1 - beta2) * g * g
        m_hat, v_hat = m / (1 - beta1**t), v / (1 - beta2**t)
        if kind == "eps inside":
            theta = theta - lr * m_hat / math.sqrt(v_hat + eps)
        elif kind == "no eps":
            theta = theta - lr * m_hat / math.sqrt(v_hat)
        elif kind == "no correction":
            theta = theta - lr * m / (math.sqrt(v) + eps)
        elif kind == "only m corrected":
            theta = theta - lr * m_hat / (math.sqrt(v) + eps)
        elif kind == "only v corrected":
            theta = theta - lr * m / (math.sqrt(v_hat) + eps)
        elif kind == "sign":
            theta = theta + lr * m_hat / (math.sqrt(v_hat) + eps)
        elif kind == "tensorflow":
            lr_t = lr * math.sqrt(1 - beta2**t) / (1 - beta1**t)
            theta = theta - lr_t * m / (math.sqrt(v) + eps)
        elif kind == "returns hats":
            theta = theta - lr * m_hat / (math.sqrt(v_hat) + eps)
            return theta, m_hat, v_hat
        return theta, m, v

    return step


_ADAM_MISTAKES = {
    "eps inside": "eps is inside the square root, sqrt(v_hat + eps) (TensorFlow's RMSProp "
    "habit); PyTorch's Adam adds it outside: sqrt(v_hat) + eps",
    "no eps": "eps is missing from the denominator: divide by sqrt(v_hat) + eps",
    "no correction": "there is no bias correction: divide m by 1 - beta1**t and v by "
    "1 - beta2**t before the step, or the first steps are far too small",
    "only m corrected": "only m is bias-corrected; v needs it too: v_hat = v / (1 - beta2**t)",
    "only v corrected": "only v is bias-corrected; m needs it too: m_hat = m / (1 - beta1**t)",
    "sign": "theta moves uphill: subtract the step, theta - lr·m_hat / (sqrt(v_hat) + eps)",
    "tensorflow": "that is TensorFlow's form, which folds the bias correction into lr and adds "
    "eps to the uncorrected root sqrt(v); PyTorch adds eps to sqrt(v_hat)",
    "returns hats": "you return m_hat and v_hat; return the running averages m and v "
    "themselves (the correction is recomputed from them at every step)",
}


def _run_adam(step, steps, **settings):
    theta, m, v, seen = 0.0, 0.0, 0.0, []
    for t in range(1, steps + 1):
        g = _checked_grad(theta, t - 1, "theta moves against m_hat, theta - lr·m_hat/(…)")
        result = call_learner(step, theta, g, m, v, t, *settings.values())
        if not isinstance(result, tuple | list) or len(result) != 3:
            raise Incorrect(f"adam_step returned {result!r}; return the triple (theta, m, v)")
        theta, m, v = (_number(n, r) for n, r in zip(("theta", "m", "v"), result, strict=True))
        seen.append(theta)
    return seen


def _check_q2(step):
    from tinyml.optim import Adam

    if not callable(step):
        raise Incorrect("pass your function itself, e.g. ch06.q2.check(adam_step)")
    # A large eps, so that where eps goes makes a visible difference.
    settings = {"lr": 0.1, "beta1": 0.9, "beta2": 0.999, "eps": 0.5}
    steps = 25
    got = _run_adam(step, steps, **settings)
    want = _reference(Adam, steps, lr=0.1, betas=(0.9, 0.999), eps=0.5)
    i = _first_difference(got, want)
    if i is None:
        return
    for kind, why in _ADAM_MISTAKES.items():
        if _first_difference(got, _run_adam(_adam_variant(kind), steps, **settings)) is None:
            raise Incorrect(why)
    if i == 0:
        raise Incorrect(
            f"the first step already differs ({got[0]:.6g} instead of {want[0]:.6g}); at t = 1 "
            "bias correction makes m_hat = g and v_hat = g², so the step is "
            "lr·g / (|g| + eps)"
        )
    raise Incorrect(
        f"after step {i + 1} theta is {got[i]:.6g}; tinyml.optim.Adam has {want[i]:.6g}"
    )


q2 = Question(
    title="Adam's step rule",
    checker=_check_q2,
    hint_text="Three parts, in order: update two running averages, correct their start-up "
    "bias, take the step. Compare with show(Adam.update).",
    more_hints=(
        "m averages the gradient g and v averages its square g², each with its own beta: "
        "new = beta·old + (1 - beta)·(what is averaged). Both start at 0, so early on they "
        "are too small; dividing by 1 - beta**t corrects that.",
        "Step by lr · m_hat / (sqrt(v_hat) + eps): eps goes outside the root. Return the "
        "uncorrected m and v, not m_hat and v_hat.",
    ),
    solution_text=inspect.getsource(adam_step),
    answer=lambda: adam_step,
    wrong=[
        (_adam_variant("no correction"), "no bias correction"),
        (_adam_variant("only m corrected"), "only m is bias-corrected"),
        (_adam_variant("eps inside"), "inside the square root"),
        (_adam_variant("no eps"), "eps is missing"),
        (_adam_variant("sign"), "uphill"),
        (_adam_variant("tensorflow"), "TensorFlow's form"),
        (_adam_variant("returns hats"), "you return m_hat and v_hat"),
        (lambda *args: (args[0] - 0.1, args[2], args[3]), "first step already differs"),
        (lambda *args: args[0], "triple"),
    ],
)

# q3 ---------------------------------------------------------------------------------------


def steep_bowl(x, y):
    """Exercise 3's bowl, f = (x² + 100·y²) / 2: 100× more curved across y than along x."""
    return 0.5 * (x * x + 100 * (y * y))


_CRITICAL = 2 / 100
_LOWEST_ACCEPTED = 0.0197  # the last stable rates converge so slowly that 0.0197-0.02 counts


def _check_q3(answer):
    from tinyml.landscapes import descend
    from tinyml.optim import GD

    if isinstance(answer, bool) or not isinstance(answer, numbers.Real):
        raise Incorrect(f"give the learning rate as a number, not {answer!r}")
    lr = float(answer)
    # Below 0.02 every rate converges and at 0.02 itself y flips sign forever, so the threshold
    # is 0.02; a run of 500 steps barely tells 0.0197 from 0.02, so both count as found.
    if _LOWEST_ACCEPTED - 1e-12 <= lr <= _CRITICAL + 1e-12:
        return
    if not lr > 0:
        raise Incorrect(f"a learning rate must be positive, got {lr:g}")
    if math.isclose(lr, 2 / 25, rel_tol=0.02):
        raise Incorrect(
            "0.08 = 2/25 is the threshold of the chapter's bowl, curved 25× across y; this one "
            "is curved 100× across y"
        )
    if math.isclose(lr, 2.0):
        raise Incorrect("2 is the limit along x, where the curvature is 1; y is 100× more curved")
    if math.isclose(lr, 1 / 100) or math.isclose(lr, 1 / 101):
        raise Incorrect(
            f"GD still converges above {lr:g}: it zigzags across y, but the zigzag shrinks "
            "as long as |1 - 100·lr| < 1"
        )
    if lr < _CRITICAL:
        raise Incorrect(
            f"GD still converges at lr={lr:g}: both |1 - lr| and |1 - 100·lr| are below 1; "
            "the threshold is higher"
        )
    run = descend(steep_bowl, GD, lr=lr, steps=500, start=(-5.0, 1.5))
    if run.diverged:
        seen = f"descend(steep_bowl, GD, lr={lr:g}, …) is marked diverged"
    else:  # just above the threshold the growth is too slow for 500 steps to show it
        seen = (
            f"so slowly that descend(steep_bowl, GD, lr={lr:g}, …) still ends at loss "
            f"{run.losses[-1]:.3g}, but it never settles"
        )
    raise Incorrect(
        f"at lr={lr:g} GD already fails: |1 - 100·lr| = {abs(1 - 100 * lr):.6g} > 1, so y "
        f"grows every step ({seen}); the threshold is lower"
    )


q3 = Question(
    title="The learning rate where gradient descent stops converging",
    checker=_check_q3,
    hint_text="Section 2 did this for curvature 25. Which direction of this bowl is the "
    "steeper one, and what does one GD step do to that coordinate?",
    more_hints=(
        "The gradient along y is 100·y, so one GD step multiplies y by (1 - 100·lr). "
        "y shrinks as long as that factor stays between -1 and 1.",
        "The threshold is where the factor reaches -1: solve 1 - 100·lr = -1.",
    ),
    solution_text="# y ← y - lr·100·y = (1 - 100·lr)·y shrinks only if |1 - 100·lr| < 1\n"
    "critical_lr = 2 / 100  # 0.02: below it GD converges; at it y flips sign forever; "
    "above it y grows.\n# In general: 2 / (the largest curvature).",
    answer=lambda: _CRITICAL,
    wrong=[
        (2 / 25, "chapter's bowl"),  # the answer copied from section 2
        (2.0, "curvature is 1"),
        (0.01, "still converges"),
        (0.015, "threshold is higher"),
        (0.0195, "threshold is higher"),
        (0.025, "threshold is lower"),
        (0.0201, "marked diverged"),  # a rate at which descend diverges must not pass
        (0.0200002, "never settles"),
        (-0.02, "positive"),
    ],
)

# q4 ---------------------------------------------------------------------------------------


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


def _check_q4(train_fn):
    from tinyml.alpha import Var
    from tinyml.landscapes import quadratic
    from tinyml.optim import GD

    if not callable(train_fn):
        raise Incorrect("pass your function itself, e.g. ch06.q4.check(train)")
    steps_called = [0]

    def run(fn, optimizer=GD, **settings):
        x, y = Var(-4.0, name="x"), Var(1.0, name="y")
        opt = optimizer([x, y], lr=0.01, **settings)
        step = opt.step

        def counted_step():
            steps_called[0] += 1
            step()

        opt.step = counted_step
        out = call_learner(fn, lambda: quadratic(x, y), opt, 15)
        return out, (x.value(), y.value())

    try:
        got, where = run(train_fn)
    except Incorrect as exc:  # tinyml.alpha refuses a graph older than the last set_value
        if "changed by set_value()" not in str(exc):
            raise
        raise Incorrect(
            "backward() refused a loss whose x and y had moved since it was built. Either "
            "step() runs before backward() (the order in each step is zero_grad(), build the "
            "loss, backward(), step()), or the loss is built once, outside the loop (build it "
            "inside the loop: a graph keeps the values it was built with)"
        ) from None
    want, want_where = run(train)
    if isinstance(got, list) and len(got) != 15:
        raise Incorrect(
            f"train(loss_fn, optimizer, 15) returned {len(got)} losses; run exactly `steps` "
            "steps and record one loss per step"
        )
    if not isinstance(got, list):
        raise Incorrect(f"train(...) returned {got!r}; return the list of the 15 losses")
    if any(hasattr(v, "backward") for v in got):
        raise Incorrect(
            "your list holds the loss nodes themselves; record the number, loss.value()"
        )
    got = [_number("each loss", v) for v in got]
    if _first_difference(got, want) is None:
        _check_with_momentum(train_fn, run, steps_called)
        return
    if where == (-4.0, 1.0):
        raise Incorrect(
            "x and y never moved: is step() called, and after backward()? A zero_grad() "
            "between backward() and step() wipes the gradients step() needs"
        )
    if len(set(got)) == 1:
        raise Incorrect(
            "every loss is the same although x and y moved: build the loss (forward) inside "
            "the loop; a graph built once keeps the values it was built with"
        )
    if where == want_where and _first_difference(got[:-1], want[1:]) is None:
        raise Incorrect(
            "each loss you record is the next step's: calling loss_fn() after step() builds "
            "the loss at the new parameters. Record loss.value() of the loss you called "
            "backward() on (the loss before the step), as PyTorch loops do"
        )
    if _first_difference(got, run(_train_no_zero_grad)[0]) is None:
        raise Incorrect(
            "the gradients pile up from step to step: call optimizer.zero_grad() every step, "
            "before backward()"
        )
    i = _first_difference(got, want)
    raise Incorrect(
        f"loss {i + 1} is {got[i]!r}, but the reference loop records {want[i]!r}. Each step "
        "must do, once each and in this order: zero_grad(), build the loss, backward(), "
        "step(), and record the loss you called backward() on"
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
    if not isinstance(got, list) or _first_difference([float(v) for v in got], want) is not None:
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


def _train_no_zero_grad(loss_fn, optimizer, steps):
    losses = []
    for _ in range(steps):
        loss = loss_fn()
        loss.backward()
        optimizer.step()
        losses.append(loss.value())
    return losses


def _train_zero_after_backward(loss_fn, optimizer, steps):
    losses = []
    for _ in range(steps):
        loss = loss_fn()
        loss.backward()
        optimizer.zero_grad()
        optimizer.step()
        losses.append(loss.value())
    return losses


def _train_graph_once(loss_fn, optimizer, steps):
    loss, losses = loss_fn(), []
    for _ in range(steps):
        optimizer.zero_grad()
        loss.backward()
        optimizer.step()
        losses.append(loss.value())
    return losses


def _train_loss_after_step(loss_fn, optimizer, steps):
    losses = []
    for _ in range(steps):
        optimizer.zero_grad()
        loss_fn().backward()
        optimizer.step()
        losses.append(loss_fn().value())
    return losses


q4 = Question(
    title="The training loop",
    checker=_check_q4,
    hint_text="Four lines in the loop, in PyTorch's order: clear the old gradients, build the "
    "loss, fill the gradients, update the parameters. Then record loss.value().",
    solution_text=inspect.getsource(train),
    answer=lambda: train,
    wrong=[
        (_train_no_zero_grad, "zero_grad() every step"),
        (_train_by_hand, "never calls optimizer.step()"),
        (_train_zero_after_backward, "never moved"),
        (_train_graph_once, "inside the loop"),
        (_train_loss_after_step, "the next step's"),
        (lambda loss_fn, optimizer, steps: 0.0, "list of the 15 losses"),
        (lambda loss_fn, optimizer, steps: [loss_fn() for _ in range(steps)], "loss.value()"),
        (lambda loss_fn, optimizer, steps: train(loss_fn, optimizer, steps + 1), "returned 16"),
    ],
)
