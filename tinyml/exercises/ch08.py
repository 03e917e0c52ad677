"""Chapter 8 exercises: tensors — the gradients of broadcasting, matmul, the mean, and the
fused softmax + cross-entropy."""

from __future__ import annotations

import inspect
import numbers

import numpy as np

from tinyml.exercises import Incorrect, Question, call_learner


def _array(name: str, value: object, shape: tuple[int, ...], advice: str = "") -> np.ndarray:
    """The learner's result as a float array of the expected shape, or Incorrect."""
    if hasattr(value, "data") and not isinstance(value, np.ndarray):  # a Tensor
        value = value.data
    try:
        array = np.asarray(value, dtype=np.float64)
    except (TypeError, ValueError):
        raise Incorrect(f"{name} should be a numpy array, got {value!r}") from None
    if array.shape != shape:
        reason = f"{name} has shape {array.shape}, but it must have shape {shape}"
        raise Incorrect(f"{reason}. {advice}" if advice else reason)
    return array


def _is_shape_error(exc: Exception) -> bool:
    """numpy's complaints about shapes and axes (not a KeyError or a wrong number of args)."""
    text = str(exc).lower()
    return isinstance(exc, (ValueError, IndexError)) and any(
        word in text for word in ("shape", "broadcast", "axis", "dimension", "size")
    )


def _call(fn, *args, call: str, advice: str = "", name: str = "it"):
    """call_learner, with the shape advice only after a numpy shape error; None and a
    one-element tuple are named (a print instead of a return; Tensor's backward convention)."""
    shape_error = []

    def learner(*a):
        try:
            return fn(*a)
        except Exception as exc:
            shape_error.append(_is_shape_error(exc))
            raise

    try:
        result = call_learner(learner, *args, call=call)
    except Incorrect as exc:
        if advice and any(shape_error):
            raise Incorrect(f"{exc}. {advice}") from None
        raise
    if result is None:
        raise Incorrect(f"{call} returned None: did you print the result instead of returning it?")
    if isinstance(result, tuple) and len(result) == 1 and name != "pair":
        raise Incorrect(
            f"{call} returned a tuple of one array; return the array itself: the tuple is "
            "Tensor's convention for the gradients of several operands"
        )
    return result


def _callable(fn: object, example: str) -> None:
    if not callable(fn):
        raise Incorrect(f"pass your function itself, e.g. {example}")


def _rounded(a: np.ndarray) -> list:
    return np.round(a, 4).tolist()


# q2: the gradient of a broadcast operation ------------------------------------------------


def unbroadcast(g, shape):
    """Sum g over the axes that broadcasting stretched, so that it has the given shape."""
    extra = g.ndim - len(shape)
    g = g.sum(axis=tuple(range(extra)))  # axes numpy added in front
    stretched = tuple(i for i, n in enumerate(shape) if n == 1 and g.shape[i] != 1)
    return g.sum(axis=stretched, keepdims=True)  # axes of length 1 that were stretched


_Q2_CASES = [((3, 4), (4,)), ((3, 4), (3, 1)), ((2, 3, 4), (3, 1)), ((2, 3), (1, 1)), ((2, 3), ())]


def _check_q2(fn):
    from tinyml.tensor import Tensor

    _callable(fn, "ch08.q2.check(unbroadcast)")
    rng = np.random.default_rng(8)
    for out_shape, shape in _Q2_CASES:
        g = rng.normal(size=out_shape)
        call = f"unbroadcast(g of shape {out_shape}, {shape})"
        result = _call(fn, g.copy(), shape, call=call, advice=_Q2_ADVICE)
        got = _array(call, result, shape, _Q2_SHAPE_ADVICE)
        b = Tensor(rng.normal(size=shape), requires_grad=True)
        ((Tensor(np.zeros(out_shape)) + b) * Tensor(g)).sum().backward()
        want = b.grad
        if np.allclose(got, want, rtol=1e-10, atol=1e-12):
            continue
        if np.allclose(got * g.size / max(want.size, 1), want, rtol=1e-10):
            raise Incorrect(
                f"for g of shape {out_shape} and shape {shape} you return the mean over the "
                "stretched axes; every stretched copy passes its whole gradient back, so sum"
            )
        if np.allclose(got, np.full(shape, g.sum()), rtol=1e-10):
            raise Incorrect(
                f"for g of shape {out_shape} and shape {shape} every entry of yours is the sum "
                "of all of g; each entry of the operand only gets the shares of its own copies"
            )
        raise Incorrect(
            f"for g of shape {out_shape} and shape {shape} you return {_rounded(got)}, but "
            f"the gradient is {_rounded(want)} (rounded): each entry's gradient is the sum of "
            "the entries of g that its copies landed on"
        )


_Q2_SHAPE_ADVICE = (
    "Which axes of g hold stretched copies of the operand? Sum over those "
    "(keepdims=True keeps a summed axis as length 1)"
)
_Q2_ADVICE = (
    "The result must have the operand's shape, and g has more entries than that: "
    "add entries of g up (np.sum with axis=...), rather than reshape or broadcast g"
)


def _mean_instead(g, shape):
    extra = g.ndim - len(shape)
    g = g.mean(axis=tuple(range(extra)))
    stretched = tuple(i for i, n in enumerate(shape) if n == 1 and g.shape[i] != 1)
    return g.mean(axis=stretched, keepdims=True)


def _only_leading(g, shape):
    return g.sum(axis=tuple(range(g.ndim - len(shape))))


q2 = Question(
    title="The gradient of a broadcast add",
    checker=_check_q2,
    hint_text="Look at the drawing in section 3: each entry of b was copied to several places "
    "of the result. Chapter 4 said what the gradient of a value used several times is.",
    more_hints=(
        "It is the sum of the gradients of its uses: add up the entries of g that each copy "
        "landed on. Which axes of g hold copies? Line the shapes up from the right.",
        "Two kinds of stretched axes: the g.ndim - len(shape) axes numpy put in front (sum them "
        "away), then the axes where shape has length 1 but g does not (sum them with "
        "keepdims=True, so they stay as length 1).",
    ),
    solution_text=inspect.getsource(unbroadcast),
    answer=lambda: unbroadcast,
    wrong=[
        (lambda g, shape: g, "must have shape"),
        (_mean_instead, "mean"),
        (_only_leading, "must have shape (3, 1)"),
        (lambda g, shape: np.ones(shape), "copies landed on"),
        (lambda g, shape: np.full(shape, g.sum()), "sum of all of g"),
        (lambda g, shape: g.reshape(shape), "rather than reshape"),
        (lambda g, shape: np.broadcast_to(g, shape), "add entries of g up"),
        (lambda g, shape: print(unbroadcast(g, shape)), "instead of returning"),
    ],
)


# q4: the gradients of a matrix product -----------------------------------------------------


def matmul_grads(A, B, G):
    """For C = A @ B and the gradient G of the loss with respect to C: (dA, dB)."""
    return G @ B.T, A.T @ G


_Q4_SHAPES = [(2, 3, 4), (4, 2, 5), (1, 3, 2)]  # A is n × p, B is p × m


def _check_q4(fn):
    _callable(fn, "ch08.q4.check(matmul_grads)")
    rng = np.random.default_rng(88)
    for n, p, m in _Q4_SHAPES:
        A, B, G = rng.normal(size=(n, p)), rng.normal(size=(p, m)), rng.normal(size=(n, m))
        _check_q4_once(fn, A, B, G)


def _check_q4_once(fn, A, B, G):
    (n, p), m = A.shape, B.shape[1]
    advice = _Q4_ADVICE.format(A=A.shape, B=B.shape, G=G.shape)
    call = f"matmul_grads(A of shape {A.shape}, B of shape {B.shape}, G of shape {G.shape})"
    result = _call(fn, A.copy(), B.copy(), G.copy(), call=call, advice=advice, name="pair")
    if not isinstance(result, tuple | list) or len(result) != 2:
        what = (f"{len(result)} things" if isinstance(result, tuple | list)
                else f"a {type(result).__name__}")  # fmt: skip
        raise Incorrect(f"matmul_grads returned {what}; return the pair (dA, dB)")
    dA = _array(f"dA for {call}", result[0], A.shape, advice)
    dB = _array(f"dB for {call}", result[1], B.shape, advice)
    want_dA, want_dB = matmul_grads(A, B, G)
    ok_A = np.allclose(dA, want_dA, rtol=1e-10)
    ok_B = np.allclose(dB, want_dB, rtol=1e-10)
    if ok_A and ok_B:
        return
    if not ok_A and np.allclose(dA, -want_dA, rtol=1e-10):
        raise Incorrect("dA has the wrong sign: a loss that grows with C grows with A too")
    if ok_A and np.allclose(dB, -want_dB, rtol=1e-10):
        raise Incorrect("dA is right but dB has the wrong sign")
    if n > 1 and (
        (not ok_A and np.allclose(dA * n, want_dA, rtol=1e-10))
        or (not ok_B and np.allclose(dB * n, want_dB, rtol=1e-10))
    ):
        raise Incorrect(
            f"for {call} you divide by n = {n}: G is already dL/dC, so any mean over the "
            "batch is in it; dA = G @ Bᵀ and dB = Aᵀ @ G with nothing more"
        )
    if not ok_A:
        raise Incorrect(
            f"dA is wrong for {call}: C[i, j] = Σ_k A[i, k] B[k, j], so dL/dA[i, k] = "
            f"Σ_j G[i, j] B[k, j], that is G @ Bᵀ (check the shapes: ({n}, {m}) @ ({m}, {p}) "
            f"gives A's ({n}, {p}))"
        )
    raise Incorrect(
        f"dA is right but dB is wrong for {call}: dL/dB[k, j] = Σ_i A[i, k] G[i, j], that is "
        f"Aᵀ @ G (({p}, {n}) @ ({n}, {m}) gives B's ({p}, {m}))"
    )


_Q4_ADVICE = (
    "Let the shapes guide you: dA must have A's shape {A} and dB B's shape {B}, built from "
    "G {G} with B or A; a transpose makes the inner sizes meet"
)


q4 = Question(
    title="The gradients of a matrix product",
    checker=_check_q4,
    hint_text="Write one entry, C[i, j] = Σ_k A[i, k] B[k, j]. In which entries of C does "
    "A[i, k] appear, and multiplied by what?",
    more_hints=(
        "A[i, k] appears in C[i, j] for every j, times B[k, j], so dL/dA[i, k] = "
        "Σ_j G[i, j] B[k, j]. Which matrix product sums over j like that? Likewise "
        "dL/dB[k, j] = Σ_i A[i, k] G[i, j].",
        "The shapes decide where the transposes go: dA has A's shape (n × p) and G is "
        "n × m, B is p × m; dB has B's shape (p × m) and A is n × p.",
    ),
    solution_text=inspect.getsource(matmul_grads),
    answer=lambda: matmul_grads,
    wrong=[
        (lambda A, B, G: (G @ B.T, -(A.T @ G)), "dB has the wrong sign"),
        (lambda A, B, G: (G @ B.T, 2 * (A.T @ G)), "dB is wrong"),
        (lambda A, B, G: (G @ B.T, G.T @ A), "must have shape (3, 4)"),
        (lambda A, B, G: (A.T @ G, G @ B.T), "must have shape"),
        (lambda A, B, G: (np.ones_like(A), A.T @ G), "dA is wrong"),
        (lambda A, B, G: G @ B.T, "pair"),
        (lambda A, B, G: (G @ B, A @ G), "a transpose makes the inner sizes meet"),
        (lambda A, B, G: (-(G @ B.T), -(A.T @ G)), "wrong sign"),
        (lambda A, B, G: (G @ B.T, A.T @ G, 0), "3 things"),
        (lambda A, B, G: (G @ B.T / len(A), A.T @ G), "already dL/dC"),
        (lambda A, B, G: (G @ B.T, A.T @ G / len(A)), "already dL/dC"),
        (lambda A, B, G: (G[:2, :4] @ B.T[:4, :3], A.T @ G), "must have A's shape (4, 2)"),
    ],
)


# q3: the gradient of a mean ----------------------------------------------------------------

_Q3_SHAPE = (4, 5)


def _check_q3(value):
    want = 1 / (_Q3_SHAPE[0] * _Q3_SHAPE[1])
    if isinstance(value, np.ndarray) and value.ndim == 0:
        value = value.item()
    if isinstance(value, np.ndarray) and value.dtype.kind == "f" and value.size > 1:
        same = np.allclose(value, want, rtol=0, atol=1e-12)
        raise Incorrect(
            "give one number, the value of every entry"
            + (
                " (the array you gave has the right value in every entry: give just 1/20)"
                if same
                else ""
            )  # fmt: skip
        )
    if isinstance(value, bool) or not isinstance(value, numbers.Real):
        raise Incorrect(f"give one number (every entry of x.grad is the same), got {value!r}")
    if abs(value - want) <= 1e-12:
        return
    if abs(value + want) <= 1e-12:
        raise Incorrect("the sign: raising any entry of x raises the mean, so it is positive")
    if abs(value - _Q3_SHAPE[0] * _Q3_SHAPE[1]) <= 1e-12:
        raise Incorrect("20 is how many entries x has; the mean divides the sum by it")
    if abs(value - 1) <= 1e-12:
        raise Incorrect("1 is the gradient of x.sum(); the mean divides the sum by the count")
    if abs(value - 1 / _Q3_SHAPE[1]) <= 1e-12 or abs(value - 1 / _Q3_SHAPE[0]) <= 1e-12:
        raise Incorrect("that is 1 over one axis's length; mean() with no axis averages all")
    raise Incorrect(f"{value!r} is not it: how many entries does x have?")


q3 = Question(
    title="The gradient of the mean",
    checker=_check_q3,
    hint_text="Write x.mean() as a formula in the entries of x. How much does it change when "
    "one entry grows by a little?",
    more_hints=(
        "mean() is sum() / n, where n counts all the entries of x; every entry "
        "enters the sum once, with weight 1.",
        "So raising one entry by h raises the mean by h / n: the gradient of every entry is "
        "1 / n, with n = 4 · 5. Check it: x = Tensor(np.ones((4, 5)), requires_grad=True).",
    ),
    solution_text="x has 4 · 5 = 20 entries and loss = (x[0, 0] + … + x[3, 4]) / 20, so every "
    "entry of x.grad is 1/20 = 0.05:\n\nx = Tensor(np.ones((4, 5)), requires_grad=True)\n"
    "x.mean().backward()\nx.grad  # 0.05 everywhere\n\nmean_grad_entry = 1 / 20",
    answer=lambda: 1 / 20,
    wrong=[
        (1.0, "gradient of x.sum()"),
        (0.2, "one axis"),
        (0.5, "how many entries"),
        (20, "divides the sum by it"),
        (-0.05, "sign"),
        (np.full((4, 5), 0.05), "give just 1/20"),
    ],
)


# q5: softmax + cross-entropy, fused and stable ---------------------------------------------


def cross_entropy_grad(z, y):
    """d/dz of the mean cross-entropy of logits z (n × k) and labels y: (softmax - onehot)/n."""
    e = np.exp(z - z.max(axis=1, keepdims=True))  # shifted: no exponential exceeds 1
    p = e / e.sum(axis=1, keepdims=True)
    p[np.arange(len(y)), y] -= 1
    return p / len(y)


_Q5_CASES = [  # (n, k, labels, scale, what): two batch sizes, then huge logits
    (3, 4, [0, 2, 1], 1.0, "ordinary logits"),
    (5, 3, [2, 0, 1, 1, 0], 1.0, "ordinary logits"),
    (3, 4, [0, 2, 1], 1000.0, "logits of size 1000"),
]


def _without_the_library(fn):
    """fn, refused when it builds a tinyml Tensor: the exercise is the gradient in numpy."""
    from tinyml.tensor import Tensor

    def learner(z, y):
        built = []
        init = Tensor.__init__

        def watching(self, *args, **kwargs):
            built.append(True)
            init(self, *args, **kwargs)

        Tensor.__init__ = watching
        try:
            result = fn(z, y)
        finally:
            Tensor.__init__ = init
        if built:
            raise Incorrect(
                "your function builds tinyml Tensors (the library's cross_entropy and "
                "backward() compute this gradient for you): write it in numpy, from softmax "
                "and the one-hot labels"
            )
        return result

    return learner


def _check_q5(fn):
    _callable(fn, "ch08.q5.check(cross_entropy_grad)")
    fn = _without_the_library(fn)
    rng = np.random.default_rng(808)
    for n, k, labels, scale, what in _Q5_CASES:
        z, y = rng.normal(size=(n, k)) * scale, np.array(labels)
        call = f"cross_entropy_grad(z of shape ({n}, {k}), y = {labels}) with {what}"
        with np.errstate(all="ignore"):
            result = _call(fn, z.copy(), y.copy(), call=call, advice=_Q5_ADVICE)
        got = _array(f"the gradient for {call}", result, z.shape,
                     "It has one entry per logit, the shape of z")  # fmt: skip
        want = cross_entropy_grad(z, y)
        if np.allclose(got, want, rtol=1e-9, atol=1e-12):
            continue
        _diagnose_q5(got, want, z, y, call, what)


def _diagnose_q5(got, want, z, y, call, what):
    n, k = z.shape
    onehot = np.eye(k)[y]
    if not np.isfinite(got).all():
        raise Incorrect(
            f"for {what} your gradient has nan or inf: e**1000 overflows to inf, and a row "
            "far below the overall maximum underflows to 0/0. Subtract each row's own "
            "largest logit before exponentiating; softmax does not change"
        )
    if np.allclose(got, -want, rtol=1e-9, atol=1e-12):
        raise Incorrect("the sign is flipped: it is softmax minus one-hot, not the reverse")
    every_label = want * n + onehot  # the softmax
    every_label[:, y] -= 1
    if np.allclose(got, every_label / n, rtol=1e-9, atol=1e-12):
        raise Incorrect(
            "p[:, y] -= 1 subtracts 1 in every row at every label's column; subtract it "
            "only at row i, column y[i]: p[np.arange(n), y] -= 1"
        )
    theirs = got * n + onehot  # what they took for softmax
    if np.allclose(theirs.sum(axis=0), 1) and not np.allclose(theirs.sum(axis=1), 1):
        raise Incorrect(
            "your softmax adds up to 1 down each column; it is each row (axis=1), one "
            "sample's logits, that softmax turns into probabilities"
        )
    if np.allclose(theirs.sum(), 1) and not np.allclose(theirs.sum(axis=1), 1):
        raise Incorrect(
            "your softmax divides by the sum over the whole array (e.sum() with no axis), "
            "so all the probabilities together add up to 1; each row is one sample and must "
            "add up to 1 on its own: divide by e.sum(axis=1, keepdims=True)"
        )
    if np.allclose(got * n * k, want * n, rtol=1e-9, atol=1e-12):
        raise Incorrect(
            f"for {call} you divide by z.size = n·k = {n * k}: the loss is the mean over "
            f"the n = {n} samples (rows), not over every logit, so divide by n = len(y)"
        )
    for m in range(1, 11):
        if m != n and np.allclose(got * m, want * n, rtol=1e-9, atol=1e-12):
            raise Incorrect(
                f"for {call} you divide by {m}" + (" (that is, not at all)" if m == 1 else "")
                + f": the loss is the mean over the n = {n} rows, so divide by n = len(y)"
            )  # fmt: skip
    if np.allclose(got, want + onehot / n, rtol=1e-9, atol=1e-12):
        raise Incorrect("that is softmax / n; subtract 1 at each row's label (the one-hot)")
    if what == _Q5_CASES[-1][-1]:  # right for ordinary logits, finite but wrong at huge ones
        clipped = any(
            np.allclose(got, cross_entropy_grad(np.clip(z, -c, c), y), rtol=1e-9, atol=1e-12)
            for c in _Q5_CLIPS
        )
        raise Incorrect(
            f"right for ordinary logits, but wrong for {what}"
            + (" (yours gives what np.clip on the logits gives)" if clipped else "")
            + ": clipping the logits changes the answer, since softmax depends on the "
            "differences between a row's logits; subtract each row's max instead, "
            "z - z.max(axis=1, keepdims=True)"
        )
    raise Incorrect(
        f"for {call} you return {_rounded(got)}, but the gradient is {_rounded(want)} "
        "(rounded): softmax of each row, minus 1 at the row's label, over n = len(y)"
    )


_Q5_CLIPS = (20, 30, 50, 88, 100, 200, 300, 500, 700, 709)  # bounds a learner might clip to

_Q5_ADVICE = (
    "If it is about shapes: z.max(axis=1, keepdims=True) and .sum(axis=1, keepdims=True) keep "
    "a (3, 1) column that broadcasts against z's rows"
)


def _naive(z, y):
    e = np.exp(z)
    p = e / e.sum(axis=1, keepdims=True)
    p[np.arange(len(y)), y] -= 1
    return p / len(y)


def _every_label(z, y):
    p = cross_entropy_grad(z, y) * len(y) + np.eye(z.shape[1])[y]
    p[:, y] -= 1
    return p / len(y)


def _max_without_keepdims(z, y):
    e = np.exp(z - z.max(axis=1))
    p = e / e.sum(axis=1, keepdims=True)
    p[np.arange(len(y)), y] -= 1
    return p / len(y)


def _columns(z, y):
    e = np.exp(z - z.max(axis=1, keepdims=True))
    p = e / e.sum(axis=0, keepdims=True)
    p[np.arange(len(y)), y] -= 1
    return p / len(y)


def _over_size(z, y):
    return cross_entropy_grad(z, y) * len(y) / z.size


def _whole_array_softmax(z, y):
    e = np.exp(z - z.max(axis=1, keepdims=True))
    p = e / e.sum()
    p[np.arange(len(y)), y] -= 1
    return p / len(y)


def _global_max(z, y):
    e = np.exp(z - z.max())
    p = e / e.sum(axis=1, keepdims=True)
    p[np.arange(len(y)), y] -= 1
    return p / len(y)


q5 = Question(
    title="Softmax and cross-entropy, fused",
    checker=_check_q5,
    hint_text="Section 5 derived the gradient of -log p_y for one row of logits. What is it, "
    "and what does taking the mean over the n rows change?",
    more_hints=(
        "For one row it is softmax(z) minus the one-hot label: p_j - [j = y]. The mean over "
        "n rows divides each row's gradient by n.",
        "Compute softmax from z - z.max(axis=1, keepdims=True), so that no exponential "
        "overflows; then subtract 1 at row i, column y[i] (p[np.arange(n), y] -= 1).",
    ),
    solution_text=inspect.getsource(cross_entropy_grad),
    answer=lambda: cross_entropy_grad,
    wrong=[
        (_naive, "overflows"),
        (lambda z, y: cross_entropy_grad(z, y) * len(y), "divide by n = len(y)"),
        (lambda z, y: cross_entropy_grad(z, y) * len(y) / 3, "you divide by 3"),
        (lambda z, y: cross_entropy_grad(z, y) + np.eye(z.shape[1])[y] / len(y), "one-hot"),
        (lambda z, y: np.zeros((2, 2)), "must have shape"),
        (lambda z, y: -cross_entropy_grad(z, y), "sign is flipped"),
        (_every_label, "p[np.arange(n), y]"),
        (_max_without_keepdims, "keepdims=True"),
        (_global_max, "each row's own"),
        (lambda z, y: print(cross_entropy_grad(z, y)), "instead of returning"),
        (_columns, "down each column"),
        (_over_size, "you divide by z.size"),
        (_whole_array_softmax, "the sum over the whole array"),
        (lambda z, y: cross_entropy_grad(np.clip(z, -500, 500), y), "what np.clip on the logits"),
        (lambda z, y: cross_entropy_grad(np.clip(z, -650, 650), y), "clipping the logits"),
    ],
)


# q1: one operation's backward rule ---------------------------------------------------------


def tanh_backward(x, out, g):
    """The gradient for x of out = tanh(x), given g = dL/dout (numpy arrays of one shape)."""
    return g * (1 - out**2)  # d tanh(x)/dx = 1 - tanh(x)², entry by entry


_Q1_SHAPES = [(3,), (2, 4), (2, 3, 2)]


def _central_differences(x, g, h=1e-6):
    """d/dx of sum(tanh(x) * g), one entry of x at a time: what the rule must return."""
    numeric = np.zeros_like(x)
    for i in np.ndindex(x.shape):
        up, down = x.copy(), x.copy()
        up[i] += h
        down[i] -= h
        numeric[i] = ((np.tanh(up) - np.tanh(down)) * g).sum() / (2 * h)
    return numeric


def _arrays_not_tensors(fn):
    """fn, with the error of `out.data` (a numpy array's raw memory buffer) named."""

    def learner(x, out, g):
        try:
            return fn(x, out, g)
        except (TypeError, AttributeError) as exc:
            if "memoryview" not in str(exc) and "grad" not in str(exc):
                raise
            raise Incorrect(
                "x, out and g are numpy arrays, not Tensors: write out where section 2's rules "
                "write out.data (an array's .data is its raw memory buffer, a memoryview, and "
                "an array has no .grad); the rule returns the gradient for x as an array"
            ) from None

    return learner


def _check_q1(fn):
    _callable(fn, "ch08.q1.check(tanh_backward)")
    rng = np.random.default_rng(85)
    for shape in _Q1_SHAPES:
        x, g = rng.normal(size=shape) * 1.5, rng.normal(size=shape)
        out = np.tanh(x)
        call = f"tanh_backward(x, out, g) with x, out and g of shape {shape}"
        result = _call(_arrays_not_tensors(fn), x.copy(), out.copy(), g.copy(), call=call)
        got = _array(f"the result of {call}", result, shape,
                     "The gradient for x has x's shape, one entry per entry of x")  # fmt: skip
        numeric = _central_differences(x, g)
        if np.allclose(got, numeric, rtol=1e-6, atol=1e-8):
            continue
        if np.allclose(got, 1 - out**2, rtol=1e-9):
            raise Incorrect(
                f"for {call} you return tanh's derivative 1 - out², but not times g: the chain "
                "rule multiplies the local derivative by the gradient arriving from above"
            )
        if np.allclose(got, g * (1 - x**2), rtol=1e-9):
            raise Incorrect(
                f"for {call} you use 1 - x²; the derivative of tanh is 1 - tanh(x)², that is "
                "1 - out² (out holds tanh(x) already)"
            )
        if np.allclose(got, g * out * (1 - out), rtol=1e-9):
            raise Incorrect("out·(1 - out) is the sigmoid's derivative; tanh's is 1 - out²")
        if np.allclose(got, g * (1 - out) ** 2, rtol=1e-9):
            raise Incorrect("(1 - out)² squares the wrong thing: tanh's derivative is 1 - out²")
        raise Incorrect(
            f"for {call} you return {_rounded(got)}, but central differences give "
            f"{_rounded(numeric)} (rounded): g times tanh's derivative, entry by entry"
        )


q1 = Question(
    title="Write one backward rule",
    checker=_check_q1,
    hint_text="A backward rule is the chain rule for one node: the gradient arriving from "
    "above (g) times the node's own derivative. What is d tanh(x)/dx?",
    more_hints=(
        "out already holds tanh(x): express d tanh(x)/dx using out, so that no tanh needs to "
        "be recomputed. x, out and g are numpy arrays (not Tensors), so no .data is needed.",
        "d tanh(x)/dx = 1 - tanh(x)² = 1 - out². The rule is g times that, entry by entry; "
        "numpy works entry by entry, so the same line serves every shape, with no loop.",
    ),
    solution_text=inspect.getsource(tanh_backward),
    answer=lambda: tanh_backward,
    wrong=[
        (lambda x, out, g: 1 - out**2, "not times g"),
        (lambda x, out, g: g * (1 - x**2), "1 - out²"),
        (lambda x, out, g: g * out * (1 - out), "sigmoid's derivative"),
        (lambda x, out, g: g * (1 - out) ** 2, "squares the wrong thing"),
        (lambda x, out, g: (g * (1 - out**2)).sum(), "x's shape"),
        (lambda x, out, g: g, "central differences give"),
        (lambda x, out, g: g * (1 - out**2) if x.ndim == 1 else g, "of shape (2, 4)"),
        (lambda x, out, g: print(g * (1 - out**2)), "instead of returning"),
        (lambda x, out, g: (g * (1 - out**2),), "return the array itself"),
        (lambda x, out, g: g * (1 - out.data**2), "numpy arrays, not Tensors"),
    ],
)
