"""Chapter 5 exercises: matrices as lists of lists."""

from __future__ import annotations

import copy
import dis
import inspect
import math
import numbers
import types

from tinyml.exercises import Incorrect, Question, all_close, call_learner

# q1 ---------------------------------------------------------------------------------------


def _check_q1(answer):
    if isinstance(answer, list) and len(answer) == 2:
        answer = tuple(answer)  # [3, 2] says the same as (3, 2)
    if not isinstance(answer, tuple) or len(answer) != 2:
        raise Incorrect(f"give the shape as a pair (rows, columns), not {answer!r}")
    if answer == (4, 4):
        raise Incorrect("4 is the inner size that the sum runs over; it disappears")
    if answer == (2, 3):
        raise Incorrect("rows come first: the rows of P, then the columns of Q")
    if answer == (4, 2):
        raise Incorrect(
            "(4, 2) is Q's shape; the product keeps P's rows (3) and Q's columns (2), "
            "and the shared 4 is summed over"
        )
    if answer == (3, 4):
        raise Incorrect(
            "(3, 4) is P's shape; the product keeps P's rows (3) and Q's columns (2), "
            "and the shared 4 is summed over"
        )
    if answer == (2, 2):
        raise Incorrect(
            "(2, 2) is the shape of the chapter's own A·B (A is 2×3, B is 3×2); this "
            "exercise's P is 3×4 and Q is 4×2. Build those two (random_matrix) and ask again"
        )
    if answer != (3, 2):
        raise Incorrect(f"{answer} is not it; try it with random_matrix and shape")


q1 = Question(
    title="The shape of a product",
    checker=_check_q1,
    hint_text="Entry [i][j] of P·Q pairs row i of P with column j of Q. How many different "
    "i are there, and how many different j?",
    more_hints=(
        "i runs over the rows of P and j over the columns of Q; the 4 that P's columns and "
        "Q's rows share is what the sum runs over. Or build both with random_matrix and ask "
        "shape(matmul(P, Q)).",
        "rows of P, then columns of Q: a pair (3, ?) whose second number is Q's column count.",
    ),
    solution_text="P, Q = random_matrix(3, 4, seed=0), random_matrix(4, 2, seed=0)\n"
    "print(shape(matmul(P, Q)))  # (3, 2)\n"
    "product_shape = (3, 2)  # rows of P, columns of Q; the 4 is summed over",
    answer=lambda: (3, 2),
    wrong=[
        ((4, 4), "inner size"),
        ((2, 3), "rows come first"),
        ((4, 2), "Q's shape"),
        ((3, 4), "P's shape"),
        ((2, 2), "chapter's own A·B"),
        ((3, 3), "not it"),
        ([4, 2], "Q's shape"),
        (6, "pair"),
    ],
)

# q2 ---------------------------------------------------------------------------------------


def multiplications(n, m, p):
    """The number of multiplications in an n×m by m×p matmul."""
    return n * m * p


_Q2_SIZES = [(2, 3, 5), (1, 5, 1), (7, 1, 3), (10, 10, 10)]


def _check_q2(count):
    if not callable(count):
        raise Incorrect("pass your function itself, e.g. ch05.q2.check(multiplications)")
    got = {size: call_learner(count, *size) for size in _Q2_SIZES}

    def everywhere(formula) -> bool:
        return all(got[(n, m, p)] == formula(n, m, p) for n, m, p in _Q2_SIZES)

    if everywhere(lambda n, m, p: n * m * p):
        return
    n, m, p = next(size for size in _Q2_SIZES if got[size] != size[0] * size[1] * size[2])
    wrong = got[(n, m, p)]
    if everywhere(lambda n, m, p: n * p):
        raise Incorrect(
            f"for {n}×{m} by {m}×{p} you count {wrong}, one per entry of the result; "
            f"each of those entries is a sum of {m} products"
        )
    if everywhere(lambda n, m, p: n * p * m + n * p * (m - 1)):
        raise Incorrect(
            "that counts every operation, additions too; count only the multiplications"
        )
    if everywhere(lambda n, m, p: n * p * (m - 1)):
        raise Incorrect("that counts the additions (m - 1 per entry), not the multiplications")
    if everywhere(lambda n, m, p: n**3):
        raise Incorrect("n³ is right only for square matrices; use all three sizes")
    if m == 1:
        raise Incorrect(
            f"multiplications({n}, {m}, {p}) gave {wrong!r}, but with m = 1 each of the "
            f"{n * p} entries is still one product, a[i][0] * b[0][j]: {n * p} multiplications "
            "(only the additions drop to 0)"
        )
    raise Incorrect(f"multiplications({n}, {m}, {p}) gave {wrong!r}; count again loop by loop")


q2 = Question(
    title="Counting the work in matmul",
    checker=_check_q2,
    hint_text="Look at the three nested loops in matmul (show(matmul)): how often does the "
    "line with the * run?",
    more_hints=(
        "The outer loop runs once per row of a (n times), the middle one once per column of "
        "b (p times), the inner one once per entry of the inner size (m times).",
        "Nested loops multiply: the innermost line runs n·m·p times (the first product, "
        "before the inner loop, is one of the m). Count with Counted to confirm.",
    ),
    solution_text=inspect.getsource(multiplications),
    answer=lambda: multiplications,
    wrong=[
        (lambda n, m, p: n * p, "each of those entries"),
        (lambda n, m, p: n * p * (m - 1), "additions"),
        (lambda n, m, p: n**3, "square"),
        (lambda n, m, p: n * m + p, "count again"),
        (lambda n, m, p: n * m * p + n * p * (m - 1), "additions too"),
        (lambda n, m, p: n * m * p if m > 1 else 0, "still one product"),
    ],
)

# q3 ---------------------------------------------------------------------------------------


def matvec(W, x):
    """W (n×m, list of rows) times the list x (m entries): a list of n entries."""
    y = []
    for row in W:
        total = row[0] * x[0]  # starting from 0 works too; this saves one "0 + …" node
        for j in range(1, len(x)):
            total = total + row[j] * x[j]
        y.append(total)
    return y


def _explain_index_errors(matvec_fn):
    """The learner's matvec, with an IndexError turned into advice about which index is which."""

    def wrapped(w, x):
        try:
            return matvec_fn(w, x)
        except IndexError as exc:
            raise Incorrect(
                f"an index ran off the end of a list (IndexError: {exc}). Here W has "
                f"{len(w)} rows of {len(w[0])} entries and x has {len(x)} entries: y[i] pairs "
                "row i of W with x, so use W[i][j] with i over the rows of W and j over the "
                "entries of x (and of each row) — not W[j][i]"
            ) from None

    return wrapped


def _code_objects(code):
    """A code object and every function or comprehension defined inside it."""
    yield code
    for const in code.co_consts:
        if isinstance(const, types.CodeType):
            yield from _code_objects(const)


def _borrowed_product(fn) -> str | None:
    """How a learner's function lets numpy or tinyml's matmul do the loops, or None."""
    code = getattr(fn, "__code__", None)
    if code is None:
        return None
    names = dict(getattr(fn, "__globals__", {}))
    cells = zip(code.co_freevars, fn.__closure__ or (), strict=False)
    names.update({name: cell.cell_contents for name, cell in cells if _has_contents(cell)})
    for inner in _code_objects(code):
        for instruction in dis.get_instructions(inner):
            matrix_op = instruction.opname in ("BINARY_MATRIX_MULTIPLY", "INPLACE_MATRIX_MULTIPLY")
            if matrix_op or (
                instruction.opname == "BINARY_OP" and instruction.argrepr in ("@", "@=")
            ):
                return "the @ operator (numpy's matrix product)"
        for name in (*inner.co_names, *inner.co_freevars):
            if name == "numpy":
                return "numpy"
            obj = names.get(name)
            if isinstance(obj, types.ModuleType) and obj.__name__.split(".")[0] == "numpy":
                return f"numpy ({name}.…)"
            module = getattr(obj, "__module__", None) or ""
            if module.split(".")[0] == "numpy":
                return f"numpy's {name}"
            local_import = name == "matmul" and "tinyml.matrix" in inner.co_names
            if local_import or obj is _matrix_matmul():
                return "tinyml's matmul"
    return None


def _has_contents(cell) -> bool:
    try:
        cell.cell_contents  # noqa: B018 - an empty cell raises ValueError
    except ValueError:
        return False
    return True


def _matrix_matmul():
    from tinyml.matrix import matmul

    return matmul


def _from_numpy(value) -> bool:
    return (type(value).__module__ or "").split(".")[0] == "numpy"


def _check_q3(learner_matvec):
    from tinyml.alpha import Var

    if not callable(learner_matvec):
        raise Incorrect("pass your function itself, e.g. ch05.q3.check(matvec)")
    borrowed = _borrowed_product(learner_matvec)
    if borrowed:
        raise Incorrect(
            f"your matvec uses {borrowed}, which does the loops for you; the exercise is to "
            "write them: for each row of W, add up row[j] * x[j] over j, with + and * only"
        )
    w = [[1.0, 2.0, 3.0], [4.0, 5.0, 6.0]]
    x = [1.0, 0.5, -1.0]
    w_given, x_given = copy.deepcopy(w), list(x)  # the learner's copies: w, x stay intact
    got = call_learner(_explain_index_errors(learner_matvec), w_given, x_given)
    _check_unchanged(w_given, w, x_given, x)
    want = matvec(w, x)
    if _from_numpy(got) or (isinstance(got, list) and any(_from_numpy(v) for v in got)):
        raise Incorrect(
            f"matvec returned numpy numbers ({type(got).__name__}), so numpy did the "
            "arithmetic; write the loops yourself, with plain lists, + and *"
        )
    if not isinstance(got, list):
        raise Incorrect(f"matvec(W, x) returned {got!r}; return a plain list, one entry per row")
    if len(got) == 3:
        raise Incorrect("the result has one entry per column of W; it needs one per row")
    if len(got) == 2 and all(isinstance(v, list) and len(v) == 1 for v in got):
        raise Incorrect(
            f"matvec returned the column {got!r}; return a plain list of numbers, "
            "[y0, y1], not a list of one-entry rows"
        )
    if len(got) != 2 or not all(isinstance(v, numbers.Real) for v in got):
        raise Incorrect(f"matvec({w}, {x}) returned {got!r}; expected {want}")
    if not all(math.isclose(a, b, abs_tol=1e-12) for a, b in zip(got, want, strict=True)):
        raise Incorrect(f"matvec({w}, {x}) returned {got!r}; expected {want}")
    xs = [Var(v, name=f"x{i}") for i, v in enumerate(x)]
    w_given, xs_given = copy.deepcopy(w), list(xs)
    try:
        ys = call_learner(_explain_index_errors(learner_matvec), w_given, xs_given)
    except Incorrect as exc:
        raise Incorrect(
            f"it works on floats but not with Vars in x ({exc}); build the sums with + and * "
            "only, so they work on any numbers"
        ) from None
    _check_unchanged(w_given, w, xs_given, xs)
    if not isinstance(ys, list) or len(ys) != 2 or not all(hasattr(y, "backward") for y in ys):
        raise Incorrect(
            "with Vars in x it should return expression nodes; build the sums with + and * "
            "and do not turn them into floats"
        )
    (ys[0] + ys[1]).backward()
    if [v.g for v in xs] != [5.0, 7.0, 9.0]:
        raise Incorrect(
            f"the gradients through your matvec are {[v.g for v in xs]}, not [5, 7, 9]"
        )


def _check_unchanged(w_given, w, x_given, x) -> None:
    """Incorrect if the learner's matvec wrote into the W or x it was given."""
    if w_given != w:
        raise Incorrect(
            f"your matvec changed W: it was {w} and is now {w_given}. Leave W and x as they "
            "are (a layer's weights are used again) and collect the sums in a new list y"
        )
    if len(x_given) != len(x) or any(a is not b for a, b in zip(x_given, x, strict=False)):
        raise Incorrect(
            "your matvec changed x; leave W and x as they are and collect the sums in a new list y"
        )


def _matvec_in_place(w, x):
    """Right numbers, but it multiplies W's entries by x in place."""
    for row in w:
        for j in range(len(x)):
            row[j] = row[j] * x[j]
    return [sum(row[1:], row[0]) for row in w]


def _matvec_index_swapped(w, x):
    return [sum(w[j][i] * x[j] for j in range(len(x))) for i in range(len(w))]


def _matvec_transposed(w, x):
    return [sum(w[i][j] * x[i] for i in range(len(w))) for j in range(len(w[0]))]


def _matvec_numpy(w, x):
    import numpy as np

    return (np.array(w) @ np.array(x)).tolist()  # passes on floats and even on Vars


def _matvec_numpy_dot(w, x):
    import numpy

    return list(numpy.dot(w, x))


def _matvec_by_matmul(w, x):
    from tinyml.matrix import matmul

    return [row[0] for row in matmul(w, [[v] for v in x])]


q3 = Question(
    title="Matrix times vector",
    checker=_check_q3,
    hint_text="y[i] pairs row i of W with x: it is the sum over j of W[i][j] * x[j]. How "
    "many loops does that take?",
    more_hints=(
        "Two loops: one over the rows of W (one y per row), and inside it one over the "
        "entries of the row, as many as x has. Use only + and *, no numpy.",
        "For each row: total = 0, then total = total + row[j] * x[j] for every j, then "
        "append total to y (sum(...) over j works too). show(matmul) has the same inner loop.",
    ),
    solution_text=inspect.getsource(matvec),
    answer=lambda: matvec,
    wrong=[
        (_matvec_transposed, "one per row"),
        (lambda w, x: [w[0][0] * x[0], w[1][0] * x[0]], "expected"),
        (lambda w, x: [float(v) for v in matvec(w, x)], "not with Vars"),
        (lambda w, x: [getattr(v, "_v", v) for v in matvec(w, x)], "expression nodes"),
        (_matvec_index_swapped, "not W[j][i]"),
        (lambda w, x: 3.0, "plain list"),
        (lambda w, x: [[v] for v in matvec(w, x)], "one-entry rows"),
        (_matvec_numpy, "@ operator"),
        (_matvec_numpy_dot, "numpy"),
        (_matvec_by_matmul, "tinyml's matmul"),
        (_matvec_in_place, "your matvec changed W"),
    ],
)

# q4 ---------------------------------------------------------------------------------------


def _check_q4(answer):
    if not isinstance(answer, list) or not all(isinstance(row, list) for row in answer):
        raise Incorrect(f"give the gradients as a 2×3 list of lists, not {answer!r}")
    if answer == [[1, 1], [2, 2], [3, 3]]:
        raise Incorrect("that is transposed: W.g has W's shape, 2×3")
    for row in answer:
        for v in row:
            if isinstance(v, bool) or not isinstance(v, numbers.Real):
                raise Incorrect(
                    f"each entry should be a number, a weight's gradient w.g, not {v!r}"
                )
    if _close_to(answer, [[1, 2, 3], [1, 2, 3]]):
        return
    if not answer or not answer[0] or any(len(row) != len(answer[0]) for row in answer):
        raise Incorrect(
            f"{answer} is not a rectangle of rows; give 2 rows of 3 gradients, one per weight"
        )
    rows, cols = len(answer), len(answer[0])
    if (rows, cols) != (2, 3):
        raise Incorrect(
            f"your answer is {rows}×{cols}, but W.g has W's shape, 2×3: one gradient per weight, "
            "2 rows of 3"
        )
    if answer == [[1, 1, 1], [1, 1, 1]]:
        raise Incorrect("d(W[i][j] * x[j]) / dW[i][j] is x[j], not 1")
    if all(
        len(row) == 3 and row[0] != 0 and row == [row[0] * k for k in (1, 2, 3)] for row in answer
    ):
        raise Incorrect(
            "each row is a multiple of x, the right idea: d loss / d W[i][j] = x[j] times the "
            "gradient arriving at y[i]. That gradient is 1 for both rows, because the loss is "
            "the plain sum y[0] + y[1]"
        )
    entries = {v for row in answer for v in row}
    if len(entries) == 1:
        (v,) = entries
        if v == 6:
            why = (
                "6 = 1 + 2 + 3 is the sum of x: did you add up the whole row·column sum "
                "instead of taking, for W[i][j], the one input x[j] it multiplies?"
            )
        elif v == 0:
            why = (
                "did backward() run? Build the loss from the Vars of W, call loss.backward(), "
                "then read each w.g"
            )
        else:
            why = "but W[i][j] multiplies only x[j], so the gradient changes from column to column"
        raise Incorrect(f"every entry is the same ({v}): {why}")
    right = [_close_to([row], [[1, 2, 3]]) for row in answer]
    if right.count(True) == 1:
        good, bad = right.index(True), right.index(False)
        advice = (
            "does your loop over the rows of W run for every row?"
            if not any(answer[bad])
            else f"so row {bad} of W gets the same gradients as row {good}"
        )
        raise Incorrect(
            f"only row {good} is right; row {bad} is {answer[bad]}. y[{bad}] enters the loss "
            f"just like y[{good}]: {advice}"
        )
    raise Incorrect(f"{answer} is not it; build W from Vars, call backward() and look")


def _close_to(answer: list, want: list) -> bool:
    """Same shape and every entry within rounding (a gradient measured numerically counts)."""
    if [len(row) for row in answer] != [len(row) for row in want]:
        return False
    got, expected = [v for row in answer for v in row], [v for row in want for v in row]
    return all_close(got, expected, rel_tol=1e-6, abs_tol=1e-9)


q4 = Question(
    title="The gradient of a layer's weights",
    checker=_check_q4,
    hint_text="W.g has W's shape, 2×3: one gradient per weight. Which terms of the loss "
    "contain the weight W[i][j]?",
    more_hints=(
        "loss = y[0] + y[1], and y[i] = W[i][0]·x[0] + W[i][1]·x[1] + W[i][2]·x[2]. W[i][j] "
        "appears in exactly one term, W[i][j]·x[j]: what is its derivative with respect to "
        "W[i][j]?",
        "d loss / d W[i][j] = x[j], the same for both rows. Or let the Vars tell you: build W "
        "from Var(0.0), call backward() on the loss and read apply(lambda w: w.g, W).",
    ),
    solution_text="W = [[Var(0.0) for _ in range(3)] for _ in range(2)]\n"
    "y = matmul(W, column([1.0, 2.0, 3.0]))\n"
    "(y[0][0] + y[1][0]).backward()\n"
    "weight_grads = apply(lambda w: w.g, W)  # [[1, 2, 3], [1, 2, 3]]: every row gets x",
    answer=lambda: [[1.0, 2.0, 3.0], [1.0, 2.0, 3.0]],
    wrong=[
        ([[1, 1], [2, 2], [3, 3]], "transposed"),
        ([[1, 1, 1], [1, 1, 1]], "x[j]"),
        ([[0, 0, 0], [0, 0, 0]], "did backward() run"),
        ([[3, 2, 1], [3, 2, 1]], "not it"),
        ([[1, 2, 3], [3, 2, 1]], "same gradients as row 0"),
        ((1, 2, 3), "list of lists"),
        ([[1, 2, 3]], "1×3"),
        ([[2, 4, 6], [2, 4, 6]], "plain sum"),
        ([[1, 2, 3], [2, 4, 6]], "plain sum"),  # one row only: used to get no shape hint
        ([1, 2, 3], "list of lists"),
        ([[1, 2, 3], [1, 2]], "rectangle"),
        ([[1], [2], [3]], "3×1"),
        ([[6, 6, 6], [6, 6, 6]], "sum of x"),
        ([[2, 2, 2], [2, 2, 2]], "every entry is the same"),
        ([[1, 2, 3], [0, 0, 0]], "loop over the rows"),
        ([[0, 0, 0], [1.0, 2.0, 3.0]], "only row 1 is right"),
        ([[1, 2, 3.001], [1, 2, 3]], "only row 1 is right"),
        ([[1, 2, "3"], [1, 2, 3]], "should be a number"),
    ],
)
