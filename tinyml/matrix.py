"""Matrices as plain 2-D Python lists: shapes, random initialisation, products written as loops.

A matrix here is a list of rows, each row a list of entries: ``[[1, 2, 3], [4, 5, 6]]`` is
2×3. An entry is a real number or an expression node (Alpha's or Beta's), or any other
object that can be added and multiplied like a number; the arithmetic functions refuse
strings, bools, None, complex numbers and containers, and otherwise only add and multiply.
So the same functions work on floats and on Alpha nodes: ``matmul(W, x)`` with ``W`` full
of ``Var``\\ s builds the expression graph of a layer, ready for ``backward()``.
"""

from __future__ import annotations

import numbers
import random
from collections.abc import Callable, Collection
from typing import Any

from tinyml.checks import real
from tinyml.checks import size as _check_size

# Chapter 5 shows random_matrix and matmul with view="lesson": their argument checks and
# matmul's error message fold into one "..." line each (section 4 prints the message).
SHOW_VIEWS = {
    "lesson": {
        **dict.fromkeys(
            ("_check_size", "real(scale", "scale > 0", "scale must be"), "argument checks"
        ),
        'f"cannot multiply': "the error's message",
        "f\"(a's column": "the error's message",
        "_check_entries": "a check that every entry supports + and *",
    }
}

__all__ = [
    "plot_entry",
    "Matrix",
    "shape",
    "zeros",
    "identity",
    "random_matrix",
    "column",
    "flatten",
    "transpose",
    "matmul",
    "add",
    "sub",
    "mul",
    "scale",
    "apply",
    "Counted",
]

Matrix = list[list[Any]]


def _entries(n: int) -> str:
    return "1 entry" if n == 1 else f"{n} entries"


def _describe(m: object) -> str:
    return f"{type(m).__name__} {m!r}" if len(repr(m)) <= 40 else type(m).__name__


def _as_lists(m: object) -> str:
    """How to write m as a list of lists: m itself converted when it is a short rectangle of
    tuples or lists (so the example matches the input), else a generic 2×3 example."""
    if isinstance(m, tuple) and m and all(isinstance(row, (tuple, list)) for row in m):
        rows = [list(row) for row in m]
        if len({len(row) for row in rows}) == 1 and rows[0] and len(repr(rows)) <= 40:
            return f"write it as {rows!r}"
    return "write a 2×3 matrix as [[1, 2, 3], [4, 5, 6]]"


def shape(m: Matrix, name: str = "matrix") -> tuple[int, int]:
    """The (rows, columns) of a matrix, after checking it is a non-empty rectangle of lists."""
    if not isinstance(m, list):
        raise TypeError(
            f"{name} must be a list of rows (lists), got {_describe(m)}; {_as_lists(m)}"
        )
    if not m:
        raise ValueError(
            f"{name} is empty ([]): a matrix needs at least one row",
        )
    for i, row in enumerate(m):
        if not isinstance(row, list):
            raise TypeError(
                f"row {i} of {name} is {_describe(row)}, not a list; "
                "every row must be a list, e.g. [[1, 2], [3, 4]] (a column is [[1], [2]])"
            )
    cols = len(m[0])
    if cols == 0:
        raise ValueError(
            f"{name} has an empty row ([[]]): a matrix needs at least one column",
        )
    for i, row in enumerate(m):
        if len(row) != cols:
            raise ValueError(
                f"{name} is ragged: row 0 has {_entries(cols)} but row {i} has "
                f"{_entries(len(row))}; every row needs the same length"
            )
    return len(m), cols


# Entry types already seen to be fine; checking a type once keeps matmul's check cheap.
_ENTRY_TYPES: set[type] = {float, int}


def _is_entry(x: object) -> bool:
    """A real number (not a bool), an expression node (it has ``children`` and ``value``), or
    another number-like object with + and * (such as chapter 5's operation counter) that is
    not a complex number or a container: strings, lists, tuples and arrays are refused."""
    t = type(x)
    if t in _ENTRY_TYPES:
        return True
    if t is bool:
        return False
    if not (isinstance(x, numbers.Real) or (hasattr(t, "children") and hasattr(t, "value"))):
        if isinstance(x, (numbers.Complex, Collection)):
            return False
        if not (hasattr(t, "__add__") and hasattr(t, "__mul__")):
            return False
    _ENTRY_TYPES.add(t)
    return True


def _entry_error(x: object, where: str) -> TypeError:
    hint = " (a matrix nested one level too deep?)" if isinstance(x, list) else ""
    return TypeError(
        f"{where} is {_describe(x)}{hint}: entries must be real numbers or expression nodes "
        "(e.g. tinyml.alpha.Var), not strings, containers or None"
    )


def _check_entries(m: Matrix, name: str) -> None:
    """Raise a TypeError naming the first entry that is neither a number nor a node."""
    for i, row in enumerate(m):
        for j, x in enumerate(row):
            if not _is_entry(x):
                raise _entry_error(x, f"entry {name}[{i}][{j}]")


def _fmt(s: tuple[int, int]) -> str:
    return f"{s[0]}×{s[1]}"


def zeros(rows: int, cols: int) -> Matrix:
    """A rows×cols matrix of 0.0 (each row its own list, so rows never alias)."""
    rows, cols = _check_size("rows", rows), _check_size("cols", cols)
    return [[0.0] * cols for _ in range(rows)]


def identity(n: int) -> Matrix:
    """The n×n identity matrix: 1.0 on the diagonal, 0.0 elsewhere."""
    n = _check_size("n", n)
    return [[1.0 if i == j else 0.0 for j in range(n)] for i in range(n)]


def random_matrix(
    rows: int,
    cols: int,
    init: str = "uniform",
    scale: float = 1.0,
    seed: int | None = None,
) -> Matrix:
    """A rows×cols matrix of random floats, the same ones every time for the same seed.

    ``init="uniform"`` draws from the interval [-scale, scale]; ``init="normal"`` draws from a
    normal distribution with mean 0 and standard deviation ``scale``.
    """
    rows, cols = _check_size("rows", rows), _check_size("cols", cols)
    scale = real(scale, "scale")
    if not scale > 0:
        raise ValueError(f"scale must be a positive number, got scale={scale}")
    rng = random.Random(seed)  # a private generator: other code's random calls do not interfere
    if init == "uniform":
        draw = lambda: rng.uniform(-scale, scale)  # noqa: E731
    elif init == "normal":
        draw = lambda: rng.gauss(0.0, scale)  # noqa: E731
    else:
        raise ValueError(f"init must be 'uniform' or 'normal', got {init!r}")
    return [[draw() for _ in range(cols)] for _ in range(rows)]


def column(values: list[Any]) -> Matrix:
    """Turn a list of n entries into an n×1 column matrix: [1, 2] -> [[1], [2]]."""
    if not isinstance(values, list):
        raise TypeError(f"column() takes a list of entries, got {_describe(values)}")
    if not values:
        raise ValueError("column() got an empty list: a column needs at least one entry")
    for i, v in enumerate(values):
        if isinstance(v, list | tuple):
            raise TypeError(
                f"column() takes a flat list such as [1, 2, 3], but entry {i} is "
                f"{_describe(v)}: [[1], [2]] is already a column, and transpose turns "
                "a row [[1, 2, 3]] into one"
            )
    return [[v] for v in values]


def flatten(m: Matrix) -> list[Any]:
    """All entries of a matrix in one list, row by row (e.g. to hand them to an optimizer)."""
    shape(m)
    return [entry for row in m for entry in row]


def transpose(m: Matrix) -> Matrix:
    """Rows become columns: entry [i][j] of the result is m[j][i]."""
    rows, cols = shape(m)
    return [[m[i][j] for i in range(rows)] for j in range(cols)]


def matmul(a: Matrix, b: Matrix) -> Matrix:
    """The matrix product a·b: entry [i][j] is the sum over k of a[i][k] * b[k][j]."""
    (n, m), (m2, p) = shape(a, "a"), shape(b, "b")
    if m != m2:
        raise ValueError(
            f"cannot multiply {_fmt((n, m))} by {_fmt((m2, p))}: {m} ≠ {m2} "
            f"(a's column count must equal b's row count)"
        )
    _check_entries(a, "a")
    _check_entries(b, "b")
    out = zeros(n, p)
    for i in range(n):  # each row of a
        for j in range(p):  # each column of b
            # Start from the first product rather than 0, so a matrix of Vars gets no
            # extra "0 + …" node in its graph.
            total = a[i][0] * b[0][j]
            for k in range(1, m):
                total = total + a[i][k] * b[k][j]
            out[i][j] = total
    return out


def _elementwise(a: Matrix, b: Matrix, f: Callable[[Any, Any], Any], what: str) -> Matrix:
    sa, sb = shape(a, "a"), shape(b, "b")
    if sa != sb:
        raise ValueError(
            what.format(a=_fmt(sa), b=_fmt(sb))
            + ": element-wise operations need both matrices to have the same shape"
        )
    _check_entries(a, "a")
    _check_entries(b, "b")
    rows, cols = sa
    return [[f(a[i][j], b[i][j]) for j in range(cols)] for i in range(rows)]


def add(a: Matrix, b: Matrix) -> Matrix:
    """Element-wise sum: entry [i][j] is a[i][j] + b[i][j]."""
    return _elementwise(a, b, lambda x, y: x + y, "cannot add {a} and {b}")


def sub(a: Matrix, b: Matrix) -> Matrix:
    """Element-wise difference: entry [i][j] is a[i][j] - b[i][j]."""
    return _elementwise(a, b, lambda x, y: x - y, "cannot subtract {b} from {a}")


def mul(a: Matrix, b: Matrix) -> Matrix:
    """Element-wise (Hadamard) product: entry [i][j] is a[i][j] * b[i][j]. Not matmul."""
    return _elementwise(a, b, lambda x, y: x * y, "cannot multiply {a} and {b} element-wise")


def scale(m: Matrix, c: Any) -> Matrix:
    """Every entry multiplied by c (a number or an expression node)."""
    if not _is_entry(c):
        raise _entry_error(c, "the factor c")
    shape(m, "m")
    _check_entries(m, "m")
    return [[c * x for x in row] for row in m]


def apply(f: Callable[[Any], Any], m: Matrix) -> Matrix:
    """A new matrix with f applied to every entry, e.g. apply(math.tanh, m)."""
    if not callable(f):
        raise TypeError(f"apply(f, m) needs a function f, got {_describe(f)}")
    shape(m)
    return [[f(x) for x in row] for row in m]


class Counted:
    """A number that counts every * and + done with it (class-wide counters)."""

    muls = adds = 0

    def __init__(self, v: Any) -> None:
        self.v = v

    def __mul__(self, other: Any) -> Counted:
        Counted.muls += 1
        return Counted(self.v * getattr(other, "v", other))  # other may be a plain number

    def __add__(self, other: Any) -> Counted:
        Counted.adds += 1
        return Counted(self.v + getattr(other, "v", other))

    __rmul__, __radd__ = __mul__, __add__  # plain number * Counted, plain number + Counted


def plot_entry(a: Matrix, b: Matrix, i: int, j: int) -> Any:
    """A picture of one entry of a·b: row i of a meets column j of b at entry [i][j].

    b sits above the product and a to its left, so the row of a and the column of b that
    pair up point straight at the entry they make; the sum is written out underneath.
    """
    import matplotlib.pyplot as plt
    from matplotlib.patches import Rectangle

    c = matmul(a, b)  # checks the shapes first
    (n, m), (_, p) = shape(a), shape(b)
    for name, k, size in (("i", i, n), ("j", j, p)):
        if isinstance(k, bool) or not isinstance(k, numbers.Integral) or not 0 <= k < size:
            raise ValueError(f"{name} must be a whole number from 0 to {size - 1}, got {k!r}")
    row_colour, col_colour, hit = "#fdd9b5", "#c6dbef", "#b7e4a8"
    # Cell (r, col) of a matrix whose top-left corner is at (x0, y0) spans one unit square.
    left_b = m + 1  # b and the product start one empty column to the right of a
    top = n + m + 1  # b's top row; the product and a are below it

    def grid(x0: float, y0: float, values: Matrix, shade: Callable[[int, int], str]) -> None:
        for r, row in enumerate(values):
            for col, v in enumerate(row):
                x, y = x0 + col, y0 - r - 1
                ax.add_patch(Rectangle((x, y), 1, 1, fc=shade(r, col), ec="#555555", lw=0.8))
                ax.text(x + 0.5, y + 0.5, f"{v:g}", ha="center", va="center", fontsize=13)

    width = left_b + p
    fig, ax = plt.subplots(figsize=(min(0.85 * width + 1.2, 9.6), 0.65 * (n + m) + 1.6))
    grid(0, n, a, lambda r, col: row_colour if r == i else "white")
    grid(left_b, top, b, lambda r, col: col_colour if col == j else "white")

    def in_c(r: int, col: int) -> str:  # the row and the column carry on into the product
        if (r, col) == (i, j):
            return hit
        return "#fef0e1" if r == i else "#e4eef8" if col == j else "white"

    grid(left_b, n, c, in_c)
    ax.text(m / 2, n + 0.35, f"A  ({n}×{m})", ha="center", fontsize=12)
    ax.text(left_b - 0.25, top - m / 2, f"B  ({m}×{p})", ha="right", va="center", fontsize=12)
    ax.text(left_b + p + 0.25, n / 2, f"C = A·B\n({n}×{p})", va="center", fontsize=12)
    # Arrows across the gaps: from row i of A, and from column j of B, towards C[i][j].
    y_row, x_col = n - i - 0.5, left_b + j + 0.5
    arrow = {"arrowstyle": "->", "lw": 1.8, "color": "#333333"}
    ax.annotate("", (left_b - 0.08, y_row), (m + 0.08, y_row), arrowprops=arrow)
    ax.annotate("", (x_col, n + 0.08), (x_col, n + 0.92), arrowprops=arrow)
    terms = " + ".join(f"{a[i][k]:g}·{b[k][j]:g}" for k in range(m))
    ax.text(
        width / 2,
        -0.5,
        f"C[{i}][{j}] = row {i} of A · column {j} of B = {terms} = {c[i][j]:g}",
        ha="center",
        va="top",
        fontsize=12,
    )
    ax.set_xlim(-0.2, width + 2.2)
    ax.set_ylim(-1.4, top + 0.2)
    ax.set_aspect("equal")
    ax.axis("off")
    fig.tight_layout()
    return fig
