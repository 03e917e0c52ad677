"""Chapter 7 exercises: training a neural network."""

from __future__ import annotations

import inspect
import math
import numbers
import warnings

import numpy as np

from tinyml.alpha import Node, Var, tanh
from tinyml.exercises import Incorrect, NotAttempted, Question, call_learner
from tinyml.nn import binary_cross_entropy_with_logits


def _number(name: str, v: object) -> float:
    if isinstance(v, bool) or not isinstance(v, numbers.Real):
        raise Incorrect(f"{name} should be a number, got {v!r}")
    return float(v)


# q1 ---------------------------------------------------------------------------------------


def neuron(w, b, x):
    """One tanh neuron: tanh(w[0]·x[0] + … + w[n-1]·x[n-1] + b)."""
    total = b
    for wi, xi in zip(w, x, strict=True):
        total = total + wi * xi
    return math.tanh(total)


_Q1_CASES = [
    ([0.5, -1.0], 0.25, [2.0, 1.5]),
    ([1.0, 2.0, -0.5], -0.3, [0.1, -0.4, 2.0]),
    ([0.3], 1.2, [-2.0]),
]


def _check_q1(fn):
    if not callable(fn):
        raise Incorrect("pass your function itself, e.g. ch07.q1.check(neuron)")
    for w, b, x in _Q1_CASES:
        got = call_learner(fn, w, b, x)
        if got is None:
            raise Incorrect("neuron(w, b, x) returned None: did you print the result instead "
                            "of returning it?")  # fmt: skip
        if isinstance(got, Node):
            raise Incorrect(
                f"neuron(w, b, x) returned a node {got!r}; this exercise is on plain numbers: "
                "use math.tanh (or return the node's .value())"
            )
        if isinstance(got, (list, tuple)):
            raise Incorrect(f"neuron(w, b, x) returned a list {got!r}; return the number itself")
        got = _number("neuron(w, b, x)", got)
        s = sum(wi * xi for wi, xi in zip(w, x, strict=True))
        if math.isclose(got, math.tanh(s + b), rel_tol=1e-9, abs_tol=1e-12):
            continue
        shown = f"neuron({w}, {b}, {x})"
        if math.isclose(got, s + b, rel_tol=1e-9):
            raise Incorrect(f"{shown} = {got!r} is w·x + b without the activation: apply tanh")
        if math.isclose(got, math.tanh(s), rel_tol=1e-9):
            raise Incorrect(f"{shown} = {got!r}: the bias b is missing, tanh(w·x + b)")
        if math.isclose(got, math.tanh(s) + b, rel_tol=1e-9):
            raise Incorrect(f"{shown} = {got!r}: add the bias before tanh, not after")
        if math.isclose(got, 1 / (1 + math.exp(-(s + b))), rel_tol=1e-9):
            raise Incorrect(f"{shown} = {got!r} is the sigmoid; this neuron uses tanh")
        if math.isclose(got, math.tanh(w[0] * x[0] + b), rel_tol=1e-9) and len(w) > 1:
            raise Incorrect(
                f"{shown} = {got!r} uses only the first input: is there a return inside "
                "the loop? Add up every w[j]·x[j] first"
            )
        if math.isclose(
            got, sum(math.tanh(wi * xi) for wi, xi in zip(w, x, strict=True)) + b, rel_tol=1e-9
        ):
            raise Incorrect(
                f"{shown} = {got!r} applies tanh to each term; apply it once, to the whole sum"
            )
        raise Incorrect(f"{shown} returned {got!r}, but tanh(w·x + b) = {math.tanh(s + b)!r}")


q1 = Question(
    title="One neuron's forward pass",
    checker=_check_q1,
    hint_text="Look back at the first cell of section 1: the same neuron, but on plain "
    "numbers instead of Vars.",
    more_hints=(
        "Multiply each input by its weight, add them up, add the bias, and pass the sum "
        "through math.tanh, once.",
    ),
    solution_text=inspect.getsource(neuron),
    answer=lambda: neuron,
    wrong=[
        (
            lambda w, b, x: sum(a * c for a, c in zip(w, x, strict=True)) + b,
            "without the activation",
        ),
        (
            lambda w, b, x: math.tanh(sum(a * c for a, c in zip(w, x, strict=True))),
            "bias b is missing",
        ),
        (
            lambda w, b, x: math.tanh(sum(a * c for a, c in zip(w, x, strict=True))) + b,
            "before tanh",
        ),
        (
            lambda w, b, x: 1 / (1 + math.exp(-sum(a * c for a, c in zip(w, x, strict=True)) - b)),
            "sigmoid",
        ),
        (lambda w, b, x: w[0] * x[0], "returned"),
        (lambda w, b, x: "tanh", "should be a number"),
        (lambda w, b, x: print(neuron(w, b, x)), "instead of returning"),
        (lambda w, b, x: [neuron(w, b, x)], "return the number itself"),
        (lambda w, b, x: tanh(Var(neuron(w, b, x))), "plain numbers"),
        (lambda w, b, x: math.tanh(w[0] * x[0] + b), "only the first input"),
        (
            lambda w, b, x: sum(math.tanh(a * c) for a, c in zip(w, x, strict=True)) + b,
            "to each term",
        ),
    ],
)

# q2 ---------------------------------------------------------------------------------------

_Q2_SIZES = [(3, 8), (8, 8), (8, 2)]  # MLP(3, [8, 8, 2])
_Q2_WEIGHTS = sum(i * o for i, o in _Q2_SIZES)
_Q2_BIASES = sum(o for _, o in _Q2_SIZES)


def _check_q2(answer):
    if isinstance(answer, bool) or not isinstance(answer, numbers.Real):
        raise Incorrect(f"give the count as a number, not {answer!r}")
    if not math.isfinite(answer) or answer != int(answer):
        raise Incorrect(f"a count of parameters is a whole number, not {answer!r}")
    n = int(answer)
    if n == _Q2_WEIGHTS + _Q2_BIASES:
        return
    if n == _Q2_WEIGHTS:  # 104 is also the first two layers in full, without Linear(8, 2)
        raise Incorrect(
            f"{n} is either only the weights (every output unit also has a bias) or the first "
            "two layers without the output layer Linear(8, 2); the count needs both"
        )
    if n == _Q2_WEIGHTS + _Q2_BIASES - 2:
        raise Incorrect(
            f"{n} is 2 short: the output layer Linear(8, 2) has biases too, one for each of "
            "its 2 output units"
        )
    if n == 8 + 8 + 2:
        raise Incorrect(f"{n} counts the units (neurons); each unit has a weight per input "
                        "and a bias")  # fmt: skip
    if n == _Q2_WEIGHTS + _Q2_BIASES - 8 * 8 - 8:
        raise Incorrect(f"{n} misses the middle layer: [8, 8, 2] is three Linear layers")
    if n == sum(i * o + i for i, o in _Q2_SIZES):
        raise Incorrect(f"{n} gives each layer one bias per input; the bias is per output unit")
    raise Incorrect(
        f"{n} is not it: add up in_features × out_features + out_features for each of the "
        "three layers Linear(3, 8), Linear(8, 8), Linear(8, 2)"
    )


q2 = Question(
    title="Count the parameters of an MLP",
    checker=_check_q2,
    hint_text="Which Linear layers does MLP(3, [8, 8, 2]) build? Section 1 printed the layers "
    "of MLP(2, [16, 16, 1]) with the count of each.",
    more_hints=(
        "MLP(3, [8, 8, 2]) is Linear(3, 8), Linear(8, 8), Linear(8, 2). A Linear(n, m) has an "
        "m × n weight matrix and m biases: add up in × out + out for the three layers.",
    ),
    solution_text="n_params = (3 * 8 + 8) + (8 * 8 + 8) + (8 * 2 + 2)  # 32 + 72 + 18 = 122\n"
    "# check it: len(MLP(3, [8, 8, 2]).parameters()) is 122",
    answer=lambda: _Q2_WEIGHTS + _Q2_BIASES,
    wrong=[
        (_Q2_WEIGHTS, "only the weights"),
        (50, "misses the middle layer"),
        (3 * 8 + 3 + 8 * 8 + 8 + 8 * 2 + 8, "one bias per input"),
        (120, "the output layer Linear(8, 2) has biases too"),
        (121, "is not it"),
        (18, "counts the units"),
        (122.5, "whole number"),
        ("122", "a number"),
    ],
)

# q4 ---------------------------------------------------------------------------------------


def train_step(model, optimizer, xb, yb):
    """One minibatch step; returns the loss before the update (a float)."""
    optimizer.zero_grad()
    logits = [model(x)[0] for x in xb]
    loss = binary_cross_entropy_with_logits(logits, yb)
    loss.backward()
    optimizer.step()
    return loss.value()


# Three settings, so that a step written for one optimizer, one learning rate or one batch
# size cannot pass: plain GD, then Momentum and Adam, each with uneven batch sizes.
_Q4_SETTINGS = [
    ("GD", 0.5, (6, 5, 7, 4)),
    ("Momentum", 0.1, (4, 7, 5, 6)),
    ("Adam", 0.05, (5, 6, 4, 7)),
]


def _q4_run(fn, setting=0):
    """Run a learner's train_step on a fixed model and batches; the losses and final weights."""
    from tinyml import optim
    from tinyml.data import moons
    from tinyml.nn import MLP

    name, lr, sizes = _Q4_SETTINGS[setting]
    X, y = moons(n_samples=24, seed=7)
    model = MLP(2, [4, 1], seed=3 + setting)
    optimizer = getattr(optim, name)(model.parameters(), lr=lr)
    losses, start = [], 0
    for size in sizes:
        xb, yb = X[start : start + size], y[start : start + size]
        start += size
        call = (f"train_step(model, optimizer, xb, yb) with {name}(lr={lr}) on a batch of "
                f"{len(xb)} points, labels {yb},")  # fmt: skip
        losses.append(call_learner(fn, model, optimizer, xb, yb, call=call))
    return losses, [p.value() for p in model.parameters()]


def _step_variant(kind):
    def step(model, optimizer, xb, yb):
        from tinyml.nn import binary_cross_entropy_with_logits, mse_loss

        if kind == "one step per point":
            for x, t in zip(xb, yb, strict=True):
                optimizer.zero_grad()
                loss = binary_cross_entropy_with_logits([model(x)[0]], [t])
                loss.backward()
                optimizer.step()
            return loss.value()
        if kind == "new optimizer":  # a fresh optimizer every step forgets its state
            optimizer = type(optimizer)(model.parameters(), lr=optimizer.lr)
        if kind != "no zero_grad" and kind != "zero_grad late":
            optimizer.zero_grad()
        logits = [model(x)[0] for x in xb]
        if kind == "mse":
            loss = mse_loss(logits, yb)
        elif kind == "summed":
            loss = binary_cross_entropy_with_logits(logits, yb) * len(xb)
        elif kind == "over 6":
            loss = binary_cross_entropy_with_logits(logits, yb) * len(xb) / 6
        else:
            loss = binary_cross_entropy_with_logits(logits, yb)
        if kind == "step first":
            optimizer.step()
            loss.backward()
            return loss.value()
        loss.backward()
        if kind == "zero_grad late":
            optimizer.zero_grad()
        if kind == "by hand":
            for p in model.parameters():
                p.set_value(p.value() - optimizer.lr * p.g)
        else:
            optimizer.step()
        return loss.value()

    return step


_Q4_BY_HAND = (
    "call optimizer.step(): updating by hand only works for plain GD. Your step gives "
    "GD's weights but not those of {name}, which keeps its own state (velocity, averages)"
)

_Q4_FRESH = (
    "use the optimizer passed in: it keeps state between steps ({name}'s velocity or "
    "averages), and a new optimizer built inside train_step starts from zero every step"
)

_Q4_MISTAKES = {
    "no zero_grad": "the gradients pile up from step to step: call optimizer.zero_grad() "
    "at the start of every step",
    "zero_grad late": "the weights never move: is step() called, after backward()? A "
    "zero_grad() between backward() and step() wipes the gradients that step() needs",
    "step first": "step() comes after backward(): stepping first uses the previous step's "
    "(or no) gradients",
    "mse": "that is the mean squared error of the logits; a binary classifier's loss is "
    "binary_cross_entropy_with_logits",
    "summed": "the loss is summed over the batch, so every step is len(xb) times too big: "
    "the losses here take the mean over the batch (divide by len(xb)), as PyTorch's do",
    "over 6": "the batches here are not all 6 points long: divide by len(xb), the size of "
    "this batch, or better, let binary_cross_entropy_with_logits take the mean",
    "one step per point": "that takes one step per point; a minibatch step computes one "
    "loss over the whole batch, then does backward() and step() once",
}


def _q4_same(a, b, rel_tol=1e-9):
    return all(
        math.isclose(u, v, rel_tol=rel_tol, abs_tol=1e-12) for u, v in zip(a, b, strict=True)
    )


def _check_q4(fn):
    if not callable(fn):
        raise Incorrect("pass your function itself, e.g. ch07.q4.check(train_step)")
    for setting, (name, _, _) in enumerate(_Q4_SETTINGS):
        try:
            got_losses, got_weights = _q4_run(fn, setting)
        except Incorrect as exc:  # tinyml.alpha refuses backward() on a loss older than step()
            if "changed by set_value()" not in str(exc):
                raise
            raise Incorrect(
                "step() comes after backward(): your step() moved the weights before "
                "backward(), so backward() refused the loss built at the old weights "
                "(PyTorch refuses it too)"
            ) from None
        want_losses, want_weights = _q4_run(train_step, setting)
        if not all(isinstance(v, numbers.Real) and not isinstance(v, bool) for v in got_losses):
            raise Incorrect(
                f"train_step returned {got_losses[0]!r}; return the loss as a float, loss.value()"
            )
        if _q4_same(got_weights, want_weights):
            if _q4_same(got_losses, want_losses):
                continue
            sizes = _Q4_SETTINGS[setting][2]
            if all(
                math.isclose(g, w * n, rel_tol=1e-9)
                for g, w, n in zip(got_losses, want_losses, sizes, strict=True)
            ):
                raise Incorrect(
                    "the weights are right, but the losses you return are len(xb) times the "
                    "loss: binary_cross_entropy_with_logits already takes the mean over the "
                    "batch, so return loss.value() itself"
                )
            raise Incorrect(
                "the weights are right, but the losses you return are not the ones you called "
                "backward() on: return loss.value() of this step's loss"
            )
        if setting > 0:  # right with plain GD, wrong with an optimizer that keeps state
            # A fresh Momentum per step moves like plain GD, as updating by hand does; Adam
            # tells the two apart (a fresh Adam's first step is about lr · sign(g)).
            adam = len(_Q4_SETTINGS) - 1
            try:
                _, theirs = _q4_run(fn, adam)
            except Incorrect:
                theirs = None
            _, fresh = _q4_run(_step_variant("new optimizer"), adam)
            if theirs is not None and _q4_same(theirs, fresh):
                raise Incorrect(_Q4_FRESH.format(name=_Q4_SETTINGS[adam][0]))
            raise Incorrect(_Q4_BY_HAND.format(name=name))
        for kind, why in _Q4_MISTAKES.items():
            try:
                _, weights = _q4_run(_step_variant(kind), setting)
            except Incorrect:  # a mistake tinyml.alpha refuses outright (step() before backward())
                continue
            if _q4_same(got_weights, weights):
                raise Incorrect(why)
        raise Incorrect(
            f"after {len(_Q4_SETTINGS[setting][2])} steps with {name} the weights differ from "
            "the reference loop's. Each step does, once each and in this order: zero_grad(), "
            "the forward pass and the loss, backward(), step()"
        )


q4 = Question(
    title="The body of the training loop",
    checker=_check_q4,
    hint_text="It is the inside of the minibatch loop of section 4, the five numbered "
    "lines; return the loss as a number.",
    more_hints=(
        "Five lines: clear the gradients, compute one logit per sample (model(x)[0]), the "
        "loss binary_cross_entropy_with_logits(logits, yb), backward(), step(); return "
        "loss.value().",
    ),
    solution_text=inspect.getsource(train_step),
    answer=lambda: train_step,
    wrong=[
        (_step_variant("no zero_grad"), "pile up"),
        (_step_variant("zero_grad late"), "never move"),
        (_step_variant("step first"), "after backward()"),
        (_step_variant("mse"), "mean squared error"),
        (_step_variant("summed"), "summed over the batch"),
        (_step_variant("one step per point"), "one step per point"),
        (lambda model, opt, xb, yb: train_step(model, opt, [[0.0]] * len(xb), yb), "raised"),
        (lambda model, opt, xb, yb: train_step(model, opt, xb, yb) and None, "as a float"),
        (lambda model, opt, xb, yb: train_step(model, opt, xb, yb) + 1, "losses you return"),
        (
            lambda model, opt, xb, yb: train_step(model, opt, xb, yb) * len(xb),
            "len(xb) times the loss",
        ),
        (lambda model, opt, xb, yb: 0.5, "never move"),
        (lambda model, opt, xb, yb: train_step(model, opt, xb[:3], yb[:3]), "weights differ"),
        (_step_variant("by hand"), "call optimizer.step()"),
        (_step_variant("new optimizer"), "use the optimizer passed in"),
        (_step_variant("over 6"), "divide by len(xb)"),
    ],
)

# q5 ---------------------------------------------------------------------------------------

# A model with no hidden layer, Linear(2, 1): logit = 1.0·x1 + 2.0·x2 - 1.0.
_Q5_W, _Q5_B = (1.0, 2.0), -1.0
_Q5_ANSWER = -_Q5_B / _Q5_W[1]  # the boundary logit = 0 crosses x1 = 0 at x2 = 0.5


def _check_q5(answer):
    if isinstance(answer, (list, tuple)):
        raise Incorrect(f"give only the x2 coordinate, one number, not {answer!r}")
    x2 = _number("the crossing point x2", answer)
    if math.isclose(x2, _Q5_ANSWER, abs_tol=1e-6):  # 0.4999999, read off a plot, is fine
        return
    if math.isclose(x2, -_Q5_ANSWER, abs_tol=1e-9):
        raise Incorrect(f"{x2:g} has the wrong sign: solve 2·x2 - 1 = 0 for x2")
    if math.isclose(x2, -_Q5_B, abs_tol=1e-9):
        raise Incorrect(
            f"{x2:g} is where the line crosses the other axis (x2 = 0, x1 = 1), or the bias "
            "without dividing by x2's weight, 2: set x1 = 0 and solve 2·x2 - 1 = 0"
        )
    if math.isclose(x2, _Q5_B, abs_tol=1e-9):
        raise Incorrect(f"{x2:g} forgets to divide by x2's weight, 2, and has the wrong sign")
    if math.isclose(x2, 0.0, abs_tol=1e-9):
        raise Incorrect("0 ignores the bias: at (0, 0) the logit is -1, not 0")
    raise Incorrect(
        f"at (0, {x2:g}) the logit is {_Q5_W[1] * x2 + _Q5_B:g}, not 0: the boundary is "
        "where the logit (before the sigmoid) is exactly 0"
    )


q5 = Question(
    title="Read a decision boundary",
    checker=_check_q5,
    hint_text="On one side of the boundary the model says class 1, on the other class 0. "
    "What is the logit exactly on the boundary?",
    more_hints=(
        "Class 1 wherever the logit is positive, class 0 wherever it is negative, so the "
        "boundary is the line logit = 0. Set x1 = 0 and solve for x2.",
    ),
    solution_text="# logit = 1.0·x1 + 2.0·x2 - 1.0 = 0 with x1 = 0  ->  x2 = 1.0 / 2.0\n"
    "crossing_x2 = 0.5",
    answer=lambda: _Q5_ANSWER,
    wrong=[
        (-0.5, "wrong sign"),
        (1.0, "the other axis"),
        (-1.0, "wrong sign"),
        ((0, 0.5), "only the x2 coordinate"),
        (0, "ignores the bias"),
        (2.0, "the logit is"),
        ("0.5", "should be a number"),
    ],
)


# q3 ---------------------------------------------------------------------------------------


def softplus(z):
    """log(1 + e^z) for a float z, without overflow for any z (even ±1000)."""
    if z > 0:
        return z + math.log(1 + math.exp(-z))  # e^-z is below 1
    return math.log(1 + math.exp(z))  # e^z is at most 1


def _true_softplus(z: float) -> float:
    return max(z, 0.0) + math.log1p(math.exp(-abs(z)))


# A dense set: small values, both sides of every cut-off a learner might pick (3, 20, 36,
# where e^-z drops below a float's resolution; 709.78, where math.exp overflows), the ±1000
# the text names, seeded random values, and the largest floats. Ordinary values come first.
_Q3_RNG = np.random.default_rng(75)
_Q3_ZS = sorted(
    {0.0, 0.7, -0.5, 2.0, -2.0, 3.0001, -3.0001, 20.5, -20.5, 25.0, 30.0}
    | {s * v for s in (1, -1) for v in (5.0, 10.0, 20.0, 36.0, 710.0, 800.0, 999.0, 1000.0)}
    | {round(float(v), 4) for v in _Q3_RNG.uniform(-50, 50, 24)}
    | {round(float(v), 2) for v in _Q3_RNG.uniform(-1000, 1000, 12)}
    | {1e308, -1e308},
    key=abs,
)


def _q3_close(got: float, want: float) -> bool:
    """An error below 1e-12, or below 1e-12 times the value once the value exceeds 1 (the
    text's promise; log(1 + e^z) near 0 is tiny, so 0.0 is fine for z below about -28)."""
    return abs(got - want) <= 1e-12 * max(1.0, abs(want))


def _q3_call(fn, z):
    """The learner's softplus(z) as a float, or None when it overflows (error, inf or nan)."""
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", RuntimeWarning)  # numpy's overflow warning
            got = fn(z)
    except OverflowError:
        return None
    except NotImplementedError:
        raise NotAttempted("the function still raises NotImplementedError") from None
    except Exception as exc:  # noqa: BLE001 - the learner's bug becomes the reason
        raise Incorrect(f"softplus({z:g}) raised {type(exc).__name__}: {exc}") from None
    if got is None:
        raise Incorrect(f"softplus({z:g}) returned None: return the value, do not print it")
    if isinstance(got, Node):
        raise Incorrect(f"softplus({z:g}) returned a node; this exercise is on plain "
                        "numbers: use math.exp and math.log")  # fmt: skip
    got = _number(f"softplus({z:g})", got)
    return got if math.isfinite(got) or math.isinf(z) else None


def _q3_overflow(fn, z):
    """Why softplus(z) overflowed: the plain form, the z > 0 form, or only ±1000 special-cased."""
    extremes = []
    for e in (1000.0, -1000.0):
        try:
            extremes.append(_q3_call(fn, e))
        except (Incorrect, NotAttempted):
            extremes.append(None)
    pairs = zip(extremes, (1000.0, -1000.0), strict=True)
    if abs(z) < 1000 and all(v is not None and _q3_close(v, _true_softplus(e)) for v, e in pairs):
        return (
            f"softplus({z:g}) overflows: only ±1000 were special-cased. math.exp overflows "
            "for any z above about 709.78, so the stable form has to cover every z: for z > 0 "
            "use z + log(1 + e^-z)"
        )
    return _q3_naive(z) if z > 0 else _q3_branch(z)


def _q3_naive(z):
    return (
        f"softplus({z:g}) overflows: log(1 + math.exp(z)) computes e^{z:g}, which does not fit "
        "in a float (math.exp overflows above about 709.78). For z > 0 pull e^z out of the "
        "log: log(1 + e^z) = z + log(1 + e^-z)"
    )


def _q3_branch(z):
    return (
        f"softplus({z:g}) overflows: z + log(1 + e^-z) computes e^{-z:g} when z is negative. "
        "Use that form only for z > 0 and the plain log(1 + e^z) for z <= 0, so the exponent "
        "is never positive"
    )


def _q3_capped(fn, z, got):
    """The cap c when softplus(z) looks like softplus(min(z, c)): too small, and flat beyond z."""
    if z <= 30 or not math.isfinite(z) or got >= _true_softplus(z) - 1e-6:
        return None
    try:
        later = _q3_call(fn, z + 100.0)
    except (Incorrect, NotAttempted):
        return None
    if later is None or not math.isclose(later, got, rel_tol=1e-9):
        return None
    return got


def _check_q3(fn):
    if not callable(fn):
        raise Incorrect("pass your function itself, e.g. ch07.q3.check(softplus)")
    for z in _Q3_ZS:
        got = _q3_call(fn, z)
        if got is None:
            raise Incorrect(_q3_overflow(fn, z))
        want = _true_softplus(z)
        if _q3_close(got, want):
            continue
        if z != 0 and _q3_close(got, _true_softplus(-z)):
            raise Incorrect(
                f"softplus({z:g}) = {got:.6g} is softplus({-z:g}): "
                + (
                    "the z in front is missing, log(1 + e^z) = z + log(1 + e^-z)"
                    if z > 0
                    else "check the sign of the exponent"
                )  # fmt: skip
            )
        if z > 0 and got != z and _q3_close(got, z + math.exp(-z)):
            raise Incorrect(f"softplus({z:g}): the log is missing, z + log(1 + e^-z)")
        cap = _q3_capped(fn, z, got)
        if cap is not None:
            raise Incorrect(
                f"softplus({z:g}) = {got:.6g}, but log(1 + e^z) = {want:.6g}: yours gives the "
                f"same value for larger z too, as if z were capped near {cap:.6g}. Capping z "
                f"(min(z, {cap:.0f})) changes the answer by z - {cap:.0f}; rewrite "
                "log(1 + e^z) instead of capping z"
            )
        if got in (z, max(z, 0.0)) or abs(got - want) <= 0.1 * max(1.0, abs(want)):
            digits = 6 if f"{got:.6g}" != f"{want:.6g}" else 13
            raise Incorrect(
                f"an approximation: at z = {z:g} yours gives {got:.{digits}g}, softplus is "
                f"{want:.{digits}g}. max(z, 0), or a cut-off such as 'return z when z > c', "
                f"drops the small term log(1 + e^-|z|) = {math.log1p(math.exp(-abs(z))):.3g}, "
                "which is within the tolerance only beyond about |z| = 28 (25 for z > 0): a "
                "cut-off closer to 0 loses digits. The exact rewrite z + log(1 + e^-z) needs "
                "no cut-off"
            )
        raise Incorrect(f"softplus({z:g}) returned {got:.6g}, but log(1 + e^z) = {want:.6g}")


def _softplus_naive(z):
    return math.log(1 + math.exp(z))


def _softplus_one_branch(z):
    return z + math.log(1 + math.exp(-z))


def _softplus_swapped(z):
    if z > 0:
        return math.log(1 + math.exp(z))
    return z + math.log(1 + math.exp(-z))


q3 = Question(
    title="A softplus that does not overflow",
    checker=_check_q3,
    hint_text="Try math.log(1 + math.exp(z)) at z = 1000 first. Then factor e^z out of "
    "1 + e^z: what is left inside the log?",
    more_hints=(
        "1 + e^z = e^z (e^-z + 1): take the log of both sides, and the log of the product "
        "is a sum.",
        "Two ranges. For z > 0, z + log(1 + e^-z) is safe (e^-z < 1); for z <= 0, the plain "
        "log(1 + e^z) is safe (e^z <= 1). Capping z (min(z, c)) changes the answer, and so "
        "does a cut-off near 0 (z itself for z > c); one beyond about 28 is within the "
        "tolerance, but the exact rewrite needs none. Section 3 shows tinyml.nn._softplus, "
        "the same on Vars.",
    ),
    solution_text=inspect.getsource(softplus),
    answer=lambda: softplus,
    wrong=[
        (_softplus_naive, "softplus(710) overflows"),
        (_softplus_one_branch, "only for z > 0"),
        (_softplus_swapped, "only for z > 0"),
        (
            lambda z: math.log(1 + math.exp(-z)) if z > 0 else math.log(1 + math.exp(z)),
            "the z in front is missing",
        ),  # fmt: skip
        (lambda z: max(z, 0.0), "an approximation"),
        (lambda z: math.log1p(math.exp(min(z, 709.0))), "rewrite log(1 + e^z) instead of capping"),
        (lambda z: z if z > 3 else math.log(1 + math.exp(z)), "at z = 3.0001 yours gives 3.0001"),
        (
            lambda z: max(z, 0.0) if abs(z) >= 1000 else math.log(1 + math.exp(z)),
            "only ±1000 were special-cased",
        ),
        (lambda z: z + math.exp(-z) if z > 0 else math.log(1 + math.exp(z)), "log is missing"),
        (lambda z: float(np.log1p(np.exp(z))), "softplus(710) overflows"),
        (lambda z: print(softplus(z)), "returned None"),
        (lambda z: tanh(Var(z)), "plain numbers"),
        (lambda z: "softplus", "should be a number"),
    ],
)
