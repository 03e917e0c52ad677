"""Chapter 5 exercises: matrices as lists of lists."""

from __future__ import annotations

import inspect
import math
import numbers

from tinyml.exercises import Incorrect, Question, call_learner

# q1 ---------------------------------------------------------------------------------------


def _check_q1(answer):
    if isinstance(answer, list) and len(answer) == 2:
        answer = tuple(answer)  # [3, 2] says the same as (3, 2)
    if not isinstance(answer, tuple) or len(answer) != 2:
        raise Incorrect(f"give the shape as a pair (rows, columns), not {answer!r}")
    if answer == (4, 4):
        raise Incorrect("4 is the inner size that the sum runs over; it disappears")
    if answer == (2, 3):
        raise Incorrect("rows come first: the rows of A, then the columns of B")
    if answer == (4, 2):
        raise Incorrect(
            "(4, 2) is B's shape; the product keeps A's rows (3) and B's columns (2), "
            "and the shared 4 is summed over"
        )
    if answer == (3, 4):
        raise Incorrect(
            "(3, 4) is A's shape; the product keeps A's rows (3) and B's columns (2), "
            "and the shared 4 is summed over"
        )
    if answer != (3, 2):
        raise Incorrect(f"{answer} is not it; try it with random_matrix and shape")


q1 = Question(
    title="The shape of a product",
    checker=_check_q1,
    hint_text="Entry [i][j] of A·B pairs row i of A with column j of B. How many rows does A "
    "have, and how many columns does B have? Or build both with random_matrix and ask shape().",
    solution_text="A, B = random_matrix(3, 4, seed=0), random_matrix(4, 2, seed=0)\n"
    "print(shape(matmul(A, B)))  # (3, 2)\n"
    "product_shape = (3, 2)  # rows of A, columns of B; the 4 is summed over",
    answer=lambda: (3, 2),
    wrong=[
        ((4, 4), "inner size"),
        ((2, 3), "rows come first"),
        ((4, 2), "B's shape"),
        ((3, 4), "A's shape"),
        ((3, 3), "not it"),
        ([4, 2], "B's shape"),
        (6, "pair"),
    ],
)

# q2 ---------------------------------------------------------------------------------------


def multiplications(n, m, p):
    """The number of multiplications in an n×m by m×p matmul."""
    return n * m * p


def _check_q2(count):
    if not callable(count):
        raise Incorrect("pass your function itself, e.g. ch05.q2.check(multiplications)")
    for n, m, p in [(2, 3, 5), (1, 5, 1), (7, 1, 3), (10, 10, 10)]:
        got = call_learner(count, n, m, p)
        want = n * m * p
        if got == want:
            continue
        if got == n * p:
            raise Incorrect(
                f"for {n}×{m} by {m}×{p} you count {got}, one per entry of the result; "
                f"each of those entries is a sum of {m} products"
            )
        if got == n * p * m + n * p * (m - 1):
            raise Incorrect(
                "that counts every operation, additions too; count only the multiplications"
            )
        if got == n * p * (m - 1):
            raise Incorrect("that counts the additions (m - 1 per entry), not the multiplications")
        if got == n**3:
            raise Incorrect("n³ is right only for square matrices; use all three sizes")
        raise Incorrect(f"multiplications({n}, {m}, {p}) gave {got!r}; count again loop by loop")


q2 = Question(
    title="Counting the work in matmul",
    checker=_check_q2,
    hint_text="Look at the three nested loops in matmul: how often does the innermost line run? "
    "The loops run over the rows of a, the columns of b, and the inner size.",
    solution_text=inspect.getsource(multiplications),
    answer=lambda: multiplications,
    wrong=[
        (lambda n, m, p: n * p, "each of those entries"),
        (lambda n, m, p: n * p * (m - 1), "additions"),
        (lambda n, m, p: n**3, "square"),
        (lambda n, m, p: n * m + p, "count again"),
        (lambda n, m, p: n * m * p + n * p * (m - 1), "additions too"),
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


def _check_q3(learner_matvec):
    from tinyml.alpha import Var

    if not callable(learner_matvec):
        raise Incorrect("pass your function itself, e.g. ch05.q3.check(matvec)")
    w = [[1.0, 2.0, 3.0], [4.0, 5.0, 6.0]]
    x = [1.0, 0.5, -1.0]
    got = call_learner(_explain_index_errors(learner_matvec), w, x)
    want = matvec(w, x)
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
    try:
        ys = call_learner(_explain_index_errors(learner_matvec), w, xs)
    except Incorrect as exc:
        raise Incorrect(
            f"it works on floats but not with Vars in x ({exc}); build the sums with + and * "
            "only, so they work on any numbers"
        ) from None
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


def _matvec_index_swapped(w, x):
    return [sum(w[j][i] * x[j] for j in range(len(x))) for i in range(len(w))]


def _matvec_transposed(w, x):
    return [sum(w[i][j] * x[i] for i in range(len(w))) for j in range(len(w[0]))]


q3 = Question(
    title="Matrix times vector",
    checker=_check_q3,
    hint_text="y[i] is the sum over j of W[i][j] * x[j]: one loop over the rows of W, one "
    "over the entries of a row (as many as x has). Use only + and *; sum() or a total that "
    "starts at 0 is fine.",
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
    ],
)

# q4 ---------------------------------------------------------------------------------------


def _check_q4(answer):
    if not isinstance(answer, list) or not all(isinstance(row, list) for row in answer):
        raise Incorrect(f"give the gradients as a 2×3 list of lists, not {answer!r}")
    if answer == [[1, 1], [2, 2], [3, 3]]:
        raise Incorrect("that is transposed: W.g has W's shape, 2×3")
    if answer == [[1, 2, 3], [1, 2, 3]]:
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
    raise Incorrect(f"{answer} is not it; build W from Vars, call backward() and look")


q4 = Question(
    title="The gradient of a layer's weights",
    checker=_check_q4,
    hint_text="loss is the sum of y[i] = W[i][0]·x[0] + W[i][1]·x[1] + W[i][2]·x[2]. Which "
    "terms contain W[i][j], and what is their derivative? Or compute it with Vars.",
    solution_text="W = [[Var(0.0) for _ in range(3)] for _ in range(2)]\n"
    "y = matmul(W, column([1.0, 2.0, 3.0]))\n"
    "(y[0][0] + y[1][0]).backward()\n"
    "weight_grads = apply(lambda w: w.g, W)  # [[1, 2, 3], [1, 2, 3]]: every row gets x",
    answer=lambda: [[1.0, 2.0, 3.0], [1.0, 2.0, 3.0]],
    wrong=[
        ([[1, 1], [2, 2], [3, 3]], "transposed"),
        ([[1, 1, 1], [1, 1, 1]], "x[j]"),
        ([[0, 0, 0], [0, 0, 0]], "not it"),
        ((1, 2, 3), "list of lists"),
        ([[1, 2, 3]], "1×3"),
        ([[2, 4, 6], [2, 4, 6]], "plain sum"),
        ([[1, 2, 3], [2, 4, 6]], "plain sum"),  # one row only: used to get no shape hint
        ([1, 2, 3], "list of lists"),
        ([[1, 2, 3], [1, 2]], "rectangle"),
        ([[1], [2], [3]], "3×1"),
    ],
)
