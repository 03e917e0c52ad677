"""Chapter 5 exercises: matrices as lists of lists."""

from __future__ import annotations

import ast
import copy
import dis
import functools
import inspect
import math
import numbers
import re
import textwrap
import types

from tinyml.exercises import (
    Incorrect,
    Question,
    _failing_line,
    all_close,
    call_learner,
    cell_filled,
    learner_syntax,
)

# q1 ---------------------------------------------------------------------------------------


# The three products of exercise 1, for a 3×4 matrix P: (what is asked, its factors' shapes).
_Q1_PRODUCTS = (
    ("matmul(P, transpose(P))", (3, 4), (4, 3)),
    ("matmul(transpose(P), P)", (4, 3), (3, 4)),
    ("matmul(P, P)", (3, 4), (3, 4)),
)


def _q1_shape(first: tuple[int, int], second: tuple[int, int]) -> tuple[int, int] | str:
    """The shape of a product of factors with these shapes, or "error" when they do not fit."""
    return (first[0], second[1]) if first[1] == second[0] else "error"


def _check_q1(answer):
    if not isinstance(answer, list | tuple) or len(answer) != 3:
        raise Incorrect(
            'give three answers in a list, one per product, e.g. [(2, 5), (5, 5), "error"] '
            f"— not {answer!r}"
        )
    for part, given, (asked, first, second) in zip("abc", answer, _Q1_PRODUCTS, strict=True):
        _check_q1_part(f"({part}) {asked}", given, first, second)


# One rule for "this product fails": a word starting with "err" or "fail" (error, ValueError,
# err, fails), and no negation, so "no error" and "does not fail" are not read as a failure.
_Q1_FAILS = re.compile(r"\b(value)?err|\bfail")
_Q1_NEGATION = re.compile(r"\b(no|not|never|without)\b|n't")


def _says_fails(given) -> bool:
    said = given.strip().lower() if isinstance(given, str) else ""
    return bool(_Q1_FAILS.search(said)) and not _Q1_NEGATION.search(said)


def _check_q1_part(label: str, given, first: tuple[int, int], second: tuple[int, int]) -> None:
    want = _q1_shape(first, second)
    if isinstance(given, list) and len(given) == 2:
        given = tuple(given)  # [4, 4] says the same as (4, 4)
    inner = f"the first factor is {first[0]}×{first[1]}, the second {second[0]}×{second[1]}"
    if given is None:
        raise Incorrect(
            f'{label}: give a shape, a pair (rows, columns) such as (2, 5), or "error"'
        )
    if _says_fails(given):
        if want == "error":
            return
        raise Incorrect(
            f"{label} does not fail: {inner}, so the inner sizes are {first[1]} and "
            f"{second[0]}, and they agree."
        )
    if not isinstance(given, tuple) or len(given) != 2:
        raise Incorrect(
            f'{label}: give the shape as a pair (rows, columns) or "error", not {given!r}'
        )
    if any(isinstance(n, bool) or not isinstance(n, numbers.Real) for n in given):
        raise Incorrect(f"{label}: give numbers, the counts of rows and columns, not {given!r}")
    if want == "error":
        raise Incorrect(
            f"{label}: {given} cannot be right; the product pairs each row of the first factor "
            "with each column of the second, so their lengths (the first factor's column count, "
            "the second's row count) must agree. Do they, for P and P?"
        )
    if given == want:
        return
    if given in (first, second):
        raise Incorrect(
            f"{label}: {given} is the shape of one of the factors, not of the product. A product "
            "keeps the rows of the first factor and the columns of the second."
        )
    if given == (second[0], first[1]):  # the shape of the product in the other order
        raise Incorrect(
            f"{label}: {given} belongs to the other order; which factor comes first here, "
            "and what are its rows?"
        )
    raise Incorrect(
        f"{label}: {given} is not it; first write down each factor's shape, then pair them."
    )


q1 = Question(
    title="The shape of a product",
    checker=_check_q1,
    hint_text="Write down each factor's shape first: transposing swaps rows and columns. "
    "Entry [i][j] of a product pairs row i of the first factor with column j of the second, "
    "so the row's length and the column's length must agree.",
    more_hints=(
        "P is 3×4, so transpose(P) is 4×3. A product keeps the rows of the first factor and "
        "the columns of the second, and needs the first factor's column count to equal the "
        "second's row count; otherwise matmul raises an error.",
        "(a) is 3×4 by 4×3: the inner sizes, 4 and 4, agree, and the product keeps 3 rows "
        "and 3 columns: 3×3. Do (b) and (c) the same way, or build P with random_matrix(3, 4) "
        "and try each product.",
    ),
    solution_text="P = random_matrix(3, 4, seed=0)\n"
    "print(shape(matmul(P, transpose(P))))  # (3, 3): the inner sizes are 4 and 4\n"
    "print(shape(matmul(transpose(P), P)))  # (4, 4): the inner sizes are 3 and 3\n"
    "# matmul(P, P) raises ValueError: cannot multiply 3×4 by 3×4: 4 ≠ 3\n"
    'shapes = [(3, 3), (4, 4), "error"]',
    answer=lambda: [(3, 3), (4, 4), "error"],
    wrong=[
        ([(4, 4), (4, 4), "error"], "other order"),
        ([(3, 3), (3, 3), "error"], "other order"),
        ([(3, 4), (4, 4), "error"], "one of the factors"),
        ([(3, 3), (4, 3), "error"], "one of the factors"),
        ([[3, 3], [3, 4], "error"], "one of the factors"),
        ([(3, 3), (4, 4), (3, 4)], "must agree"),
        ([(3, 3), (4, 4), (4, 4)], "must agree"),
        ([(3, 3), (4, 4), "no error"], 'or "error", not'),
        ([(3, 3), (4, 4), "not an error"], 'or "error", not'),
        ([(3, 3), (4, 4), "(3, 4), no error"], 'or "error", not'),
        (["error", (4, 4), "error"], "inner sizes are 4 and 4"),
        ([(3, 3), "error", "error"], "inner sizes are 3 and 3"),
        ([(3, 3), (4, 2), "error"], "not it"),
        ([("3", "3"), (4, 4), "error"], "give numbers"),
        ([None, (4, 4), "error"], "give a shape"),
        ([(3, 3), 16, "error"], "pair"),
        ((4, 4), "three answers"),
        ("error", "three answers"),
    ],
)

# q2 ---------------------------------------------------------------------------------------


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

    @functools.wraps(matvec_fn)  # so a crash is reported at the learner's line, not this one
    def wrapped(w, x):
        try:
            return matvec_fn(w, x)
        except TypeError as exc:
            if "not subscriptable" not in str(exc):
                raise
            raise Incorrect(
                f"indexing raised TypeError: {exc}. x is a plain list [x0, x1, ...], not a "
                "column [[x0], [x1], ...]: its entries are x[j], not x[j][0]"
            ) from None
        except IndexError as exc:
            said = (
                f"an index ran off the end of a list (IndexError: {exc}). Here W has "
                f"{len(w)} rows of {len(w[0])} entries and x has {len(x)} entries: "
            )
            raise Incorrect(said + _index_advice(matvec_fn)) from None

    return wrapped


def _index_advice(matvec_fn) -> str:
    """Which index is wrong: a square W tells swapped loop ranges from W[j][i]."""
    square, x3 = [[1.0, 2.0, 3.0], [4.0, -5.0, 6.0], [0.5, 1.0, -2.0]], [1.0, -1.0, 2.0]
    try:
        got = matvec_fn(copy.deepcopy(square), list(x3))
    except Exception:  # noqa: BLE001 - any failure here leaves the general advice
        got = None
    if got == matvec(square, x3):
        return (
            "your loop ranges are swapped. In W[i][j], i runs over the rows (range(len(W))) "
            "and j over the entries of x (range(len(x)))"
        )
    if got == matvec(_transpose_of(square), x3):
        return "y[i] pairs row i of W with x, so use W[i][j] * x[j], not W[j][i]"
    return (
        "y[i] is the sum of W[i][j] * x[j], with i over the rows (range(len(W))) and j over "
        "the entries of x (range(len(x)))"
    )


def _transpose_of(m):
    return [list(col) for col in zip(*m, strict=True)]


def _code_objects(code):
    """A code object and every function or comprehension defined inside it."""
    yield code
    for const in code.co_consts:
        if isinstance(const, types.CodeType):
            yield from _code_objects(const)


def _learner_functions(fn):
    """fn and the learner's own functions it reaches, e.g. a helper it calls.

    Follows Python functions and lambdas named in fn's code (through its globals, closure
    cells and defaults), recursively, that are defined where fn is (same globals, or the
    notebook's __main__) and outside the tinyml package, so a rule checked on fn also holds
    for a helper that does the work for it.
    """
    seen, todo = [], [fn]
    while todo:
        current = todo.pop()
        if any(current is done for done in seen):
            continue
        seen.append(current)
        code = getattr(current, "__code__", None)
        if code is None:
            continue
        names = getattr(current, "__globals__", {})
        reached = list(current.__defaults__ or ()) + list((current.__kwdefaults__ or {}).values())
        reached += [cell.cell_contents for cell in current.__closure__ or () if cell_filled(cell)]
        for inner in _code_objects(code):
            reached += [names[name] for name in inner.co_names if name in names]
        for obj in reached:
            if _is_learners(obj, fn):
                todo.append(obj)
    return seen


def _is_learners(obj, fn) -> bool:
    """Whether obj is a Python function the learner wrote (not tinyml's, not a library's)."""
    if not isinstance(obj, types.FunctionType):
        return False
    module = obj.__module__ or ""
    if module.split(".")[0] == "tinyml":
        return False
    return module == "__main__" or obj.__globals__ is getattr(fn, "__globals__", None)


def _borrowed_product(fn) -> str | None:
    """How a learner's function, or a helper of theirs it calls, lets numpy or matmul loop."""
    for reached in _learner_functions(fn):
        borrowed = _borrowed_product_here(reached)
        if borrowed:
            name = getattr(reached, "__name__", "")
            return borrowed if reached is fn else f"{borrowed}, through your helper {name}"
    return None


def _borrowed_product_here(fn) -> str | None:
    """How this one function lets numpy or tinyml's matmul do the loops, or None."""
    code = getattr(fn, "__code__", None)
    if code is None:
        return None
    names = dict(getattr(fn, "__globals__", {}))
    cells = zip(code.co_freevars, fn.__closure__ or (), strict=False)
    names.update({name: cell.cell_contents for name, cell in cells if cell_filled(cell)})
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


def _matrix_matmul():
    from tinyml.matrix import matmul

    return matmul


def _from_numpy(value) -> bool:
    return (type(value).__module__ or "").split(".")[0] == "numpy"


def _check_q2(learner_matvec):
    if not callable(learner_matvec):
        raise Incorrect("pass your function itself, e.g. ch05.q2.check(matvec)")
    borrowed = _borrowed_product(learner_matvec)
    if borrowed:
        raise Incorrect(
            f"your matvec uses {borrowed}, which does the loops for you; the exercise is to "
            "write them: for each row of W, add up row[j] * x[j] over j, with + and * only"
        )
    w = [[-4.0, 5.0, 1.0], [2.0, -1.0, 3.0]]  # signs mixed, so abs() shows; y[0] > y[1]: sorted()
    x = [0.5, 2.0, -1.0]  # x[0] ≠ 1, so "x[0] everywhere" and "no x at all" differ
    w_given, x_given = copy.deepcopy(w), list(x)  # the learner's copies: w, x stay intact
    got = call_learner(_explain_index_errors(learner_matvec), w_given, x_given)
    _check_unchanged(w_given, w, x_given, x)
    want = matvec(w, x)
    if _from_numpy(got) or (isinstance(got, list) and any(_from_numpy(v) for v in got)):
        raise Incorrect(
            f"matvec returned numpy numbers ({type(got).__name__}), so numpy did the "
            "arithmetic; write the loops yourself, with plain lists, + and *"
        )
    if got is None:
        raise Incorrect(
            "matvec(W, x) returned None (did you print instead of return?); return the list y"
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
    if len(got) == len(w) * len(x):
        raise Incorrect(
            f"matvec({w}, {x}) returned {got!r}: {len(got)} entries, one per product. Append "
            "once per row, after the inner loop has added up the row"
        )
    if len(got) == 1 and isinstance(got[0], numbers.Real) and math.isclose(got[0], want[0]):
        raise Incorrect(_only_row_0_advice(learner_matvec, w, x, got, want))
    if len(got) == 1 and isinstance(got[0], numbers.Real) and math.isclose(got[0], want[-1]):
        raise Incorrect(
            f"matvec({w}, {x}) returned {got!r}, only the last row's sum; expected {want}. "
            "Your y.append runs once, after the row loop has ended: indent it into "
            "`for row in W:`, after the inner loop, so each row appends its own sum"
        )
    if len(got) != 2 or not all(isinstance(v, numbers.Real) for v in got):
        raise Incorrect(f"matvec({w}, {x}) returned {got!r}; expected {want}")
    if not all(math.isclose(a, b, abs_tol=1e-12) for a, b in zip(got, want, strict=True)):
        square = [sum(row[j] * x[j] for j in range(len(w))) for row in w]
        if all(math.isclose(a, b, abs_tol=1e-12) for a, b in zip(got, square, strict=True)):
            raise Incorrect(_short_sum_advice(learner_matvec, w, x, got))
        if all(math.isclose(a, sum(row), abs_tol=1e-12) for a, row in zip(got, w, strict=True)):
            raise Incorrect(
                f"matvec({w}, {x}) returned {got!r}, the plain sum of each row, as if x were all "
                "1s; multiply each W[i][j] by x[j] before adding"
            )
        if all(
            math.isclose(a, x[0] * sum(row), abs_tol=1e-12) for a, row in zip(got, w, strict=True)
        ):
            raise Incorrect(
                f"matvec({w}, {x}) returned {got!r}: every product uses x[0]; multiply W[i][j] "
                "by x[j], the entry of x that matches its column"
            )
        row_times_x_i = [x[i] * sum(row) for i, row in enumerate(w)]
        if all(math.isclose(a, b, abs_tol=1e-12) for a, b in zip(got, row_times_x_i, strict=True)):
            raise Incorrect(
                f"matvec({w}, {x}) returned {got!r}; expected {want}. Your y[i] is row i's "
                "sum times x[i]; multiply W[i][j] by x[j], not x[i]"
            )
        no_first = [b - row[0] * x[0] for b, row in zip(want, w, strict=True)]
        if all(math.isclose(a, b, abs_tol=1e-12) for a, b in zip(got, no_first, strict=True)):
            raise Incorrect(
                f"matvec({w}, {x}) returned {got!r}; expected {want}. Each sum is missing its "
                "first term, W[i][0] * x[0]: start total at 0 and loop j over range(len(x)), "
                "or start it at the first product and loop from 1"
            )
        first_twice = [b + row[0] * x[0] for b, row in zip(want, w, strict=True)]
        if all(math.isclose(a, b, abs_tol=1e-12) for a, b in zip(got, first_twice, strict=True)):
            raise Incorrect(
                f"matvec({w}, {x}) returned {got!r}; expected {want}. Each sum counts its first "
                "term, W[i][0] * x[0], twice: if total starts at the first product, loop j "
                "from 1 (range(1, len(x))); or start total at 0"
            )
        last = [row[-1] * x[-1] for row in w]
        if all(math.isclose(a, b, abs_tol=1e-12) for a, b in zip(got, last, strict=True)):
            raise Incorrect(
                f"matvec({w}, {x}) returned {got!r}: each y[i] is only the last product, "
                "W[i][-1] * x[-1]: your loop replaces the row's sum with each product; add each "
                "product to the sum instead"
            )
        running = [want[0], want[0] + want[1]]
        if all(math.isclose(a, b, abs_tol=1e-12) for a, b in zip(got, running, strict=True)):
            raise Incorrect(
                f"matvec({w}, {x}) returned {got!r}: y[1] looks like a running total, row 1's "
                "sum added to row 0's. Start total afresh for each row (total = 0 inside "
                "`for row in W:`, not before it)"
            )
        added = [sum(wij + xj for wij, xj in zip(row, x, strict=True)) for row in w]
        if all(math.isclose(a, b, abs_tol=1e-12) for a, b in zip(got, added, strict=True)):
            raise Incorrect(
                f"matvec({w}, {x}) returned {got!r}; expected {want}. Your sums add W[i][j] "
                "+ x[j]; multiply them, W[i][j] * x[j], and add up the products"
            )
        raise Incorrect(f"matvec({w}, {x}) returned {got!r}; expected {want}")
    _check_other_shapes(learner_matvec)
    _check_untidy_floats(learner_matvec)
    _check_with_vars(learner_matvec, w, x)


def _check_with_vars(learner_matvec, w, x) -> None:
    """Incorrect unless matvec on Vars in W and x builds sums whose gradients are right."""
    from tinyml.alpha import Var

    ws = [[Var(v, name=f"W{i}{j}") for j, v in enumerate(row)] for i, row in enumerate(w)]
    xs = [Var(v, name=f"x{j}") for j, v in enumerate(x)]
    ws_given, xs_given = [list(row) for row in ws], list(xs)
    try:
        ys = _explain_index_errors(learner_matvec)(ws_given, xs_given)
    except Exception as exc:  # noqa: BLE001 - the learner's crash becomes the reason
        crash = str(exc)
        if not isinstance(exc, Incorrect):
            crash = f"{type(exc).__name__}: {exc}{_failing_line(learner_matvec, exc)}"
        floated = (
            "float() turns a Var into a plain number, so drop it and multiply the entries as "
            "they are"
            if "float" in crash
            else "build the sums with + and * only, so they work on any numbers"
        )
        raise Incorrect(
            f"it works on floats but not with Vars in W and x, as in a layer ({crash}); {floated}"
        ) from None
    if [len(row) for row in ws_given] != [len(row) for row in ws] or any(
        a is not b
        for row_given, row in zip(ws_given, ws, strict=False)
        for a, b in zip(row_given, row, strict=True)
    ):
        raise Incorrect(
            "your matvec changed W; leave W and x as they are and collect the sums in a new list y"
        )
    _check_unchanged([], [], xs_given, xs)
    if not isinstance(ys, list) or len(ys) != 2 or not all(hasattr(y, "backward") for y in ys):
        raise Incorrect(
            "with Vars in W and x it should return expression nodes; build the sums with + "
            "and * and do not turn them into floats"
        )
    (ys[0] + ys[1]).backward()
    x_grads, w_grads = [v.g for v in xs], [[v.g for v in row] for row in ws]
    want_x = [sum(row[j] for row in w) for j in range(len(x))]  # column sums of W
    if x_grads == want_x and w_grads == [list(x) for _ in w]:
        return
    unconnected = (
        ": your outputs are not connected to the Vars of W and x. Did you wrap a result in "
        "Var(...) or float(...)? Return the sums that + and * built, as they are"
        if all(g == 0.0 for g in x_grads + _flat(w_grads))
        else ""
    )
    if x_grads != want_x:
        raise Incorrect(
            f"the gradients through your matvec for x are {x_grads}, not {want_x}{unconnected}"
        )
    raise Incorrect(
        f"the gradients through your matvec for W are {w_grads}, not {[list(x) for _ in w]}: "
        "d y[i] / d W[i][j] is x[j]. Multiply the Vars of W as they are; do not turn them "
        "into floats"
    )


def _only_row_0_advice(learner_matvec, w, x, got, want) -> str:
    """Why only y[0] came back: a `return` inside a loop, or a loop that never reaches row 1."""
    said = f"matvec({w}, {x}) returned {got!r}, only y[0]; expected {want}. "
    early = _return_inside_loop(learner_matvec)
    if early:
        return said + (
            f"Your `{early}` is inside a loop, so it returns after the first row; indent it "
            "one level less, so it runs after every row"
        )
    if early == "":
        return said + (
            "Your loop never reaches row 1: loop over every row of W (for row in W), "
            "appending one sum per row"
        )
    return said + (
        "Either your `return` is inside the row loop (indent it one level less), or the loop "
        "covers only row 0 (loop over every row: for row in W)"
    )


def _return_inside_loop(fn) -> str | None:
    """The first `return ...` inside a for/while loop of fn's source, as the learner wrote it
    ("return [t]"); "" if there is none; None if the source cannot be read."""
    tree = learner_syntax(fn)
    if tree is None:
        return None
    for loop in ast.walk(tree):
        if isinstance(loop, ast.For | ast.While):
            for node in ast.walk(loop):
                if isinstance(node, ast.Return):
                    return ast.unparse(node)
    return ""


def _short_sum_advice(learner_matvec, w, x, got) -> str:
    """Why the sums stop early: a 2×4 W tells range(len(W)) from range(len(x) - 1)."""
    said = (
        f"matvec({w}, {x}) returned {got!r}, the sums over the first {len(w)} of the "
        f"{len(x)} entries only; "
    )
    w4, x4 = [[1.0, 2.0, 3.0, 4.0], [-1.0, 0.5, 2.0, 1.0]], [1.0, 1.0, 1.0, 1.0]
    try:
        got4 = learner_matvec(copy.deepcopy(w4), list(x4))
    except Exception:  # noqa: BLE001 - any failure here leaves the neutral advice
        got4 = None
    if got4 == [sum(row[:3]) for row in w4]:
        return said + "the last entry of x is never used: loop over range(len(x))"
    if got4 == [sum(row[:2]) for row in w4]:
        return (
            said + f"the inner loop must run over the entries of x (len(x), here {len(x)}), "
            f"not the rows of W (len(W), here {len(w)}); W need not be square"
        )
    return said + (
        "the inner loop must run over all the entries of x: range(len(x)), or zip(row, x)"
    )


# Other shapes than the 2×3 one: a matvec that counts 3 inputs or 2 rows must not pass.
_Q2_SHAPES = (
    ([[1.0, -2.0], [0.5, 3.0], [2.0, 1.0]], [2.0, -1.0]),  # 3×2
    ([[1.0, 2.0, -1.0, 0.5]], [1.0, -1.0, 2.0, 4.0]),  # 1×4
    ([[2.0], [-1.0], [0.5], [3.0]], [1.5]),  # 4×1
)


def _check_other_shapes(learner_matvec) -> None:
    """Incorrect if the learner's matvec is right for a 2×3 W only (a number where len belongs)."""
    for w, x in _Q2_SHAPES:
        rows, cols = len(w), len(x)
        fixed = (
            f"your matvec is right for the 2×3 W but not for a {rows}×{cols} W (x with {cols} "
            "entries): it works only for 3 inputs / 2 rows. Use len(x) (or len(row)) for the "
            "inner loop and len(W) (or `for row in W`) for the outer one, not the numbers 3 and 2"
        )
        try:
            got = learner_matvec(copy.deepcopy(w), list(x))
        except IndexError:  # a loop that counts 3 inputs or 2 rows runs off the end
            raise Incorrect(f"{fixed} (on the {rows}×{cols} W it raised IndexError)") from None
        except Exception as exc:  # noqa: BLE001 - the learner's crash becomes the reason
            raise Incorrect(
                f"your matvec is right for the 2×3 W, but on a {rows}×{cols} W it raised "
                f"{type(exc).__name__}: {exc}{_failing_line(learner_matvec, exc)}"
            ) from None
        want = matvec(w, x)
        if isinstance(got, list) and len(got) != len(want):  # the reader's W[:2]: rows left out
            raise Incorrect(
                f"your matvec is right for the 2×3 W, but matvec({w}, {x}) returned {got!r}: "
                f"{len(got)} entries for a {rows}-row W. y needs one entry per row: loop over "
                "every row of W (`for row in W` or range(len(W)))"
            )
        if not isinstance(got, list):
            raise Incorrect(f"{fixed}; matvec({w}, {x}) should give {want}, not {got!r}")
        first_three = [sum(row[j] * x[j] for j in range(min(3, cols))) for row in w]
        if len(x) > 3 and all(
            isinstance(v, numbers.Real) and math.isclose(v, b, abs_tol=1e-12)
            for v, b in zip(got, first_three, strict=True)
        ):
            raise Incorrect(f"{fixed}; matvec({w}, {x}) should give {want}, not {got!r}")
        if not all(isinstance(v, numbers.Real) for v in got) or not all(
            math.isclose(a, b, abs_tol=1e-12) for a, b in zip(got, want, strict=True)
        ):
            raise Incorrect(
                f"your matvec is right for the 2×3 W, but matvec({w}, {x}) returned {got!r}, "
                f"not {want}; y[i] is the sum of W[i][j] * x[j] over j, for any W and x"
            )


def _untidy_case() -> tuple[list, list]:
    """A seeded 3×4 W and x with untidy float entries (no sum is a round number)."""
    import random

    rng = random.Random(5)
    w = [[rng.uniform(-2.0, 2.0) for _ in range(4)] for _ in range(3)]
    x = [rng.uniform(-2.0, 2.0) for _ in range(4)]
    return w, x


def _check_untidy_floats(learner_matvec) -> None:
    """Incorrect if the learner's matvec is right on tidy numbers only (rounding, say)."""
    w, x = _untidy_case()
    got = call_learner(_explain_index_errors(learner_matvec), copy.deepcopy(w), list(x))
    want = matvec(w, x)
    if (
        isinstance(got, list)
        and len(got) == len(want)
        and all(isinstance(v, numbers.Real) for v in got)
        and all(
            math.isclose(a, b, rel_tol=1e-9, abs_tol=1e-12) for a, b in zip(got, want, strict=True)
        )
    ):
        return
    rounded = isinstance(got, list) and any(
        isinstance(v, numbers.Real) and v == round(v, 6) for v in got
    )
    raise Incorrect(
        f"on a 3×4 W with untidy floats (random.Random(5), entries in [-2, 2]) your matvec "
        f"returned {got!r}, not {want}"
        + (": it looks rounded. Return the sums exactly, without round()" if rounded else "")
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


def _matvec_x_i(w, x):
    """A reader's slip: x[i] where x[j] belongs."""
    return [sum(w[i][j] * x[i] for j in range(len(x))) for i in range(len(w))]


def _matvec_ranges_swapped(w, x):
    """A reader's slip: W[i][j] right, but i over len(x) and j over len(W[0])."""
    return [sum(w[i][j] * x[j] for j in range(len(w[0]))) for i in range(len(x))]


def _matvec_transposed(w, x):
    return [sum(w[i][j] * x[i] for i in range(len(w))) for j in range(len(w[0]))]


def _matvec_three_inputs(w, x):
    """Right for the 2×3 W only: it always adds exactly three products."""
    return [row[0] * x[0] + row[1] * x[1] + row[2] * x[2] for row in w]


def _matvec_two_rows(w, x):
    """Right for the 2×3 W only: the numbers 2 and 3 where len(W) and len(x) belong."""
    return [sum(w[i][j] * x[j] for j in range(3)) for i in range(2)]


def _matvec_rounded(w, x):
    """Right on the tidy 2×3 case, but rounds floats to 2 places."""
    return [round(v, 2) if isinstance(v, float) else v for v in matvec(w, x)]


def _matvec_square(w, x):
    """The inner loop over len(W), as if W were square."""
    return [sum(row[j] * x[j] for j in range(len(w))) for row in w]


def _matvec_x_as_column(w, x):
    """Treats x as a column [[x0], [x1], ...], as matmul's second factor would be."""
    return [sum(row[j] * x[j][0] for j in range(len(x))) for row in w]


def _matvec_prints(w, x):
    """Right sums, printed instead of returned."""
    print(matvec(w, x))


def _matvec_running_total(w, x):
    """The reader's slip: total = 0 before the loop over rows, so it is never reset."""
    y = []
    total = 0
    for row in w:
        for j in range(len(x)):
            total = total + row[j] * x[j]
        y.append(total)
    return y


def _matvec_float_weights(w, x):
    """The ninth reader's matvec: right on floats and on Vars in x, but float() on W's entries."""
    return [sum(float(row[j]) * x[j] for j in range(len(x))) for row in w]


def _matvec_sorted(w, x):
    """Right sums in the wrong order."""
    return sorted(matvec(w, x))


def _matvec_numpy(w, x):
    import numpy as np

    return (np.array(w) @ np.array(x)).tolist()  # passes on floats and even on Vars


def _matvec_numpy_dot(w, x):
    import numpy

    return list(numpy.dot(w, x))


def _matvec_by_matmul(w, x):
    from tinyml.matrix import matmul

    return [row[0] for row in matmul(w, [[v] for v in x])]


q2 = Question(
    title="Matrix times vector",
    checker=_check_q2,
    hint_text="y[i] pairs row i of W with x: it is the sum over j of W[i][j] * x[j]. How "
    "many loops does that take?",
    more_hints=(
        "Two loops: one over the rows of W (one y per row), and inside it one over the "
        "entries of the row, as many as x has. Use only + and *, no numpy.",
        "y = []; for each row of W: total = 0, then total = total + row[j] * x[j] for "
        "every j in range(len(x)), then y.append(total). Finally return y.",
    ),
    solution_text=inspect.getsource(matvec),
    answer=lambda: matvec,
    wrong=[
        (_matvec_transposed, "one per row"),
        (lambda w, x: [w[0][0] * x[0], w[1][0] * x[0]], "expected"),
        (lambda w, x: [sum(row) for row in w], "as if x were all 1s"),
        (lambda w, x: [sum(v * x[0] for v in row) for row in w], "every product uses x[0]"),
        (lambda w, x: [float(v) for v in matvec(w, x)], "not with Vars"),
        (lambda w, x: [getattr(v, "_v", v) for v in matvec(w, x)], "expression nodes"),
        (_matvec_index_swapped, "not W[j][i]"),
        (_matvec_x_i, "multiply W[i][j] by x[j], not x[i]"),
        (_matvec_ranges_swapped, "your loop ranges are swapped"),
        (lambda w, x: 3.0, "plain list"),
        (lambda w, x: [[v] for v in matvec(w, x)], "one-entry rows"),
        (_matvec_numpy, "@ operator"),
        (_matvec_numpy_dot, "numpy"),
        (_matvec_by_matmul, "tinyml's matmul"),
        (_matvec_in_place, "your matvec changed W"),
        (_matvec_three_inputs, "works only for 3 inputs / 2 rows"),
        (_matvec_two_rows, "works only for 3 inputs / 2 rows"),
        (_matvec_rounded, "without round()"),
        (_matvec_square, "not the rows of W"),
        (_matvec_x_as_column, "not a column"),
        (_matvec_prints, "did you print instead of return?"),
        (_matvec_running_total, "looks like a running total"),
        (_matvec_float_weights, "float() turns a Var into a plain number"),
        (_matvec_sorted, "expected"),
    ],
)

# q3 ---------------------------------------------------------------------------------------

_Q3_U = [1.0, 2.0, 3.0]  # u, the input column
_Q3_G = [2.0, -1.0]  # d loss / d z[i] for loss = 2·z[0] - z[1]
_SECTION5_X = [1.0, -2.0, 0.5]  # section 5's input, which a learner may reuse by mistake
_Q3_WANT = [[g * u for u in _Q3_U] for g in _Q3_G]  # g·uᵀ: [[2, 4, 6], [-1, -2, -3]]


# What a reader got by reusing section 5's W, whose Vars still held that section's gradients:
# those gradients plus the right answer (section 5's layer: seed 5, x = (1, -2, 0.5), tanh).
_Q3_STALE_PLUS_RIGHT = [
    [2.838316, 2.323368, 6.419158],
    [-0.111739, -3.776523, -2.555869],
]


def _section5_grads() -> list[list[float]]:
    """What section 5's backward() left in W = random_matrix(2, 3, seed=5): tanh′(y_i)·x_j."""
    from tinyml.matrix import random_matrix

    w = random_matrix(2, 3, seed=5)
    ys = [sum(wij * xj for wij, xj in zip(row, _SECTION5_X, strict=True)) for row in w]
    return [[(1 - math.tanh(y) ** 2) * xj for xj in _SECTION5_X] for y in ys]


def _check_q3(answer):
    if isinstance(answer, tuple | list) and all(isinstance(row, tuple | list) for row in answer):
        answer = [list(row) for row in answer]  # ((2, 4, 6), (-1, -2, -3)) says the same
    if not isinstance(answer, list) or not all(isinstance(row, list) for row in answer):
        raise Incorrect(f"give the gradients as a 2×3 list of lists, not {answer!r}")
    for row in answer:
        for v in row:
            if isinstance(v, bool) or not isinstance(v, numbers.Real):
                raise Incorrect(
                    f"each entry should be a number, a weight's gradient v.g, not {v!r}"
                )
            if not math.isfinite(v):
                raise Incorrect(f"each gradient here is a finite number, not {v!r}")
    if _close_to(answer, _Q3_WANT):
        return
    if not answer or not answer[0] or any(len(row) != len(answer[0]) for row in answer):
        raise Incorrect(
            f"{answer} is not a rectangle of rows; give 2 rows of 3 gradients, one per weight"
        )
    rows, cols = len(answer), len(answer[0])
    if (rows, cols) == (3, 2):
        raise Incorrect("that is 3×2, transposed: V.g has V's shape, 2×3, one row per z")
    if (rows, cols) != (2, 3):
        raise Incorrect(
            f"your answer is {rows}×{cols}, but V.g has V's shape, 2×3: one gradient per weight, "
            "2 rows of 3"
        )
    if all_close(_flat(answer), _flat(_Q3_WANT), rel_tol=1e-3, abs_tol=1e-3):
        raise Incorrect(
            "close, but not within tolerance: every entry here is a whole number; derive it "
            "exactly (d z[i] / d V[i][j] is u[j]) rather than measuring it"
        )
    if all(v == 0 for row in answer for v in row):
        raise Incorrect(
            "did backward() run? Build the loss from the Vars of V, call loss.backward(), "
            "then read each v.g"
        )
    if _close_to(answer, [[2 * v for v in row] for row in _Q3_WANT]):
        raise Incorrect(
            "that is exactly 2× the answer: did backward() run twice without resetting the "
            "gradients? Each backward() adds to v.g; build fresh Vars (or call v.zero_grad() on "
            "each) and call backward() once"
        )
    extra = [[a - s for a, s in zip(row, srow, strict=True)]
             for row, srow in zip(answer, _section5_grads(), strict=True)]  # fmt: skip
    if _close_to(extra, _Q3_WANT) or all_close(_flat(extra), _flat(_Q3_WANT), abs_tol=1e-5):
        raise Incorrect(
            "these gradients were added on top of section 5's: W's Vars still held the "
            "gradients of section 5's loss.backward(), and backward() adds to them. Your answer "
            "minus those is right: build a fresh V and read its gradients"
        )
    if all(len(set(row)) == 1 for row in answer):
        raise Incorrect(
            "each row is one number repeated; but V[i][j] multiplies u[j], so within a row the "
            "gradient changes from column to column: which number multiplies V[i][j] in z[i]?"
        )
    if _close_to(answer, [[1.0, 2.0, 3.0], [1.0, 2.0, 3.0]]):
        raise Incorrect(
            "each row is u, the right idea for the plain sum z[0] + z[1]; but this loss weighs "
            "z[0] and z[1] differently. What gradient arrives at z[0], and at z[1]?"
        )
    if all(_multiple_of(row, _SECTION5_X) is not None for row in answer):
        raise Incorrect(
            "each row is a multiple of (1, -2, 0.5): that's section 5's input x; this loss "
            "uses u = (1, 2, 3)"
        )
    multiples = [_multiple_of(row, _Q3_U) for row in answer]
    if all(k is not None for k in multiples):
        wrong = [i for i, (k, g) in enumerate(zip(multiples, _Q3_G, strict=True)) if k != g]
        i = wrong[0]
        if all(0 < k / g < 1 for k, g in zip(multiples, _Q3_G, strict=True)):
            raise Incorrect(
                f"row {i} is {multiples[i]:g}·u: each row looks like g[i]·u shrunk by a factor "
                "below 1, like section 5's tanh′; but there is no tanh in this loss. What is "
                f"d loss / d z[{i}] for loss = 2·z[0] - z[1]?"
            )
        raise Incorrect(
            f"each row is a multiple of u, the right idea: d loss / d V[i][j] = u[j] times the "
            f"gradient arriving at z[i]. But row {i} is {multiples[i]:g}·u: what is "
            f"d loss / d z[{i}] for loss = 2·z[0] - z[1]?"
        )
    off = [(i, j) for i, row in enumerate(answer) for j, v in enumerate(row)
           if not all_close([v], [_Q3_WANT[i][j]], rel_tol=1e-6, abs_tol=1e-9)]  # fmt: skip
    if len(off) <= 2:  # a slip in one or two entries: name them, nothing about tanh
        i, j = off[0]
        entries = " and ".join(f"[{r}][{c}] = {answer[r][c]!r}" for r, c in off)
        raise Incorrect(
            f"{answer} is nearly it: only {entries} {'is' if len(off) == 1 else 'are'} off, "
            f"the other entries are right. In z[{i}] = V[{i}][0]·u[0] + V[{i}][1]·u[1] + "
            f"V[{i}][2]·u[2], which number multiplies V[{i}][{j}], and what does z[{i}] count "
            "for in the loss?"
        )
    raise Incorrect(
        f"{answer} is not it; in z[i] = V[i][0]·u[0] + V[i][1]·u[1] + V[i][2]·u[2], which "
        "number multiplies V[i][j]? There is no tanh in this loss, unlike section 5's. If "
        "you read it off Vars that already had gradients (section 5's W does), backward() "
        "added to them: build a fresh V and look again"
    )


def _flat(matrix: list) -> list:
    return [v for row in matrix for v in row]


def _multiple_of(row: list, vector: list) -> float | None:
    """k if the row is k·vector (within rounding), else None."""
    k = row[0] / vector[0]
    scaled = [k * v for v in vector]
    return k if all_close(list(row), scaled, rel_tol=1e-6, abs_tol=1e-9) else None


def _close_to(answer: list, want: list) -> bool:
    """Same shape and every entry within rounding (a gradient measured numerically counts)."""
    if [len(row) for row in answer] != [len(row) for row in want]:
        return False
    got, expected = [v for row in answer for v in row], [v for row in want for v in row]
    return all_close(got, expected, rel_tol=1e-6, abs_tol=1e-9)


q3 = Question(
    title="The gradient of a layer's weights",
    checker=_check_q3,
    hint_text="V.g has V's shape, 2×3: one gradient per weight. Which term of which z "
    "contains the weight V[i][j], and how much does that z count in the loss?",
    more_hints=(
        "z[i] = V[i][0]·u[0] + V[i][1]·u[1] + V[i][2]·u[2], so d z[i] / d V[i][j] = u[j]. "
        "The chain rule multiplies it by d loss / d z[i], the gradient arriving at z[i]: "
        "read it off loss = 2·z[0] - z[1].",
        "d loss / d V[i][j] = g[i]·u[j], the outer product g·uᵀ, where g[i] = d loss / d z[i] "
        "is the number that multiplies z[i] in the loss. Or let the Vars tell you: build V "
        "from Var(0.0), call backward() on the loss and read apply(lambda v: v.g, V).",
    ),
    solution_text="V = [[Var(0.0) for _ in range(3)] for _ in range(2)]\n"
    "z = matmul(V, column([1.0, 2.0, 3.0]))  # u\n"
    "(2 * z[0][0] - z[1][0]).backward()\n"
    "weight_grads = apply(lambda v: v.g, V)  # [[2, 4, 6], [-1, -2, -3]]\n"
    "# g·uᵀ: row i is u times g[i] = d loss / d z[i], here (2, -1)\n"
    "# Any values: the loss is linear in V, so its gradient does not depend on them.\n"
    "# From zeros the rows differ here, unlike section 5's: 2·z0 - z1 weighs z0 and z1 "
    "differently.",
    answer=lambda: [[2.0, 4.0, 6.0], [-1.0, -2.0, -3.0]],
    wrong=[
        ([[2, -1], [4, -2], [6, -3]], "transposed"),
        ([[1, 1, 1], [1, 1, 1]], "one number repeated"),
        ([[2, 2, 2], [-1, -1, -1]], "one number repeated"),
        ([[1, 2, 3], [1, 2, 3]], "plain sum"),
        ([[2, 4, 6], [1, 2, 3]], "row 1 is 1·u"),
        ([[2, 4, 6], [2, 4, 6]], "row 1 is 2·u"),
        ([[1, 2, 3], [-1, -2, -3]], "row 0 is 1·u"),
        ([[0, 0, 0], [0, 0, 0]], "did backward() run"),
        ([[4, 8, 12], [-2, -4, -6]], "did backward() run twice"),
        ([[3, 2, 1], [3, 2, 1]], "not it"),
        ([[3, 2, 1], [3, 2, 1]], "no tanh in this loss"),
        ([[2, -4, 1], [-1, 2, -0.5]], "that's section 5's input x"),
        ((1, 2, 3), "list of lists"),
        (((2, 4, 6), (1, 2, 3)), "row 1 is 1·u"),
        ([[2, 4, 6]], "1×3"),
        ([2, 4, 6], "list of lists"),
        ([[2, 4, 6], [-1, -2]], "rectangle"),
        ([[2, 4, 6.001], [-1, -2, -3]], "close, but not within tolerance"),
        ([[2.00001, 4, 6], [-1, -2, -3]], "close, but not within tolerance"),
        ([[2.1, 4, 6], [-1, -2, -3]], "only [0][0] = 2.1 is off"),
        ([[2, 4, 6], [-1, -2, -3.01]], "only [1][2] = -3.01 is off"),
        ([[2, 4, 6], [-1, -2, -3.5]], "which number multiplies V[1][2]"),
        ([[2, 5, 6], [-1, -2, -4]], "[0][1] = 5 and [1][2] = -4 are off"),
        (_Q3_STALE_PLUS_RIGHT, "added on top of section 5's"),
        ([[2, 4, "6"], [-1, -2, -3]], "should be a number"),
        ([[2, 4, math.nan], [-1, -2, -3]], "finite number"),
    ],
)

# q4 ---------------------------------------------------------------------------------------

# Names whose use means the function builds and counts instead of computing a formula.
_MEASURING_NAMES = {"Counted", "adds", "muls", "topological_order", "matmul", "Var", "backward"}


def _measures(fn) -> bool:
    """Whether fn (or a function inside it, or a helper of the learner's it calls) builds a
    product or graph and counts it."""
    return any(
        _MEASURING_NAMES & {*inner.co_names, *inner.co_freevars}
        for reached in _learner_functions(fn)
        if getattr(reached, "__code__", None) is not None
        for inner in _code_objects(reached.__code__)
    )


def _refuse_measuring(answer) -> None:
    """Exercises 4 and 5 ask for a formula: right numbers got by building and counting fail."""
    if _measures(answer):
        raise Incorrect(
            "right numbers, but measured: your function builds and counts. The exercise asks "
            "for a formula: return the count as an expression in the sizes, and keep your "
            "measurement to check it"
        )


def _mentions_m_minus_1(fn) -> bool:
    """Whether fn's source computes m - 1 (e.g. n*(m-1)*p + n*p); False if it cannot be read."""
    try:
        source = textwrap.dedent(inspect.getsource(fn)).strip()
        inner_size = list(inspect.signature(fn).parameters)[1]
    except (OSError, TypeError, ValueError, IndexError):
        return False
    if source.startswith("def "):
        trees = [source]
    else:  # a lambda: its line may hold more, so try ever shorter texts from "lambda" on
        text = source[source.find("lambda") :]
        trees = [text[:end] for end in range(len(text), 0, -1)]
    for text in trees:
        try:
            tree = ast.parse(text)
        except SyntaxError:
            continue
        return any(
            isinstance(node, ast.BinOp)
            and isinstance(node.op, ast.Sub)
            and isinstance(node.left, ast.Name)
            and node.left.id == inner_size
            and isinstance(node.right, ast.Constant)
            and node.right.value == 1
            for node in ast.walk(tree)
        )
    return False


def additions(n, m, p):
    """The number of additions in an n×m by m×p matmul."""
    return n * p * (m - 1)  # n·p entries, each a sum of m products: m - 1 additions


_Q4_SIZES = [
    (2, 3, 5),
    (1, 5, 1),
    (7, 1, 3),
    (10, 10, 10),
    (3, 4, 2),
    (1, 1, 1),  # one product, nothing to add: 0
    (1, 1, 4),
    (4, 1, 1),
    (1, 3, 1),
    (5, 2, 1),
]


def _require_args(fn, names: str, example: str) -> None:
    """Incorrect, in plain words, unless fn can be called with one argument per name."""
    try:
        inspect.signature(fn).bind(*names.split(", "))
    except TypeError:
        raise Incorrect(
            f"{example.split('(')[0]} must take {len(names.split(', '))} arguments, ({names}): "
            f"write def {example}:"
        ) from None
    except ValueError:  # no signature to read (a builtin): let the call decide
        pass


def _check_q4(count):
    if not callable(count):
        raise Incorrect("pass your function itself, e.g. ch05.q4.check(additions)")
    _require_args(count, "n, m, p", "additions(n, m, p)")
    got = {size: call_learner(count, *size) for size in _Q4_SIZES}

    def everywhere(formula) -> bool:
        return all(got[(n, m, p)] == formula(n, m, p) for n, m, p in _Q4_SIZES)

    if everywhere(additions):
        _refuse_measuring(count)
        return
    n, m, p = next(size for size in _Q4_SIZES if got[size] != additions(*size))
    wrong = got[(n, m, p)]
    if everywhere(lambda n, m, p: n * m * p) and _mentions_m_minus_1(count):
        raise Incorrect(
            "that adds up to n·m·p, one + per product: m - 1 per entry plus one more, as if "
            "each sum started from 0. matmul starts each sum from the first product, so the "
            "extra + per entry is not there"
        )
    if everywhere(lambda n, m, p: n * m * p):
        raise Incorrect(
            "n·m·p is the number of multiplications, one per (i, j, k); count the additions: "
            "how many + does matmul's loop take to add up m products?"
        )
    if everywhere(lambda n, m, p: n * m * p - 1):
        raise Incorrect(
            "n·m·p - 1 would add up all the products into one number; but each of the n·p "
            "entries is a sum of its own, of m products, and that takes m - 1 additions"
        )
    if everywhere(lambda n, m, p: n * m * p + n * p * (m - 1)):
        raise Incorrect(
            "that counts every operation, multiplications too; count only the additions"
        )
    if everywhere(lambda n, m, p: n * p):
        raise Incorrect(
            f"for {n}×{m} by {m}×{p} you count {wrong}, one per entry of the result; each "
            f"entry adds up {m} products, which takes {m - 1} additions"
        )
    if everywhere(lambda n, m, p: n * m * (p - 1)) or everywhere(lambda n, m, p: (n - 1) * m * p):
        raise Incorrect(
            "the sum runs over the inner size m (a's columns, b's rows): each of the n·p "
            "entries adds m products, so the 'minus one' belongs to m"
        )
    if everywhere(lambda n, m, p: n * n * (n - 1)):
        raise Incorrect("n²(n - 1) is right only for square matrices; use all three sizes")
    if isinstance(wrong, str):
        raise Incorrect(
            f"additions({n}, {m}, {p}) gave the string {wrong!r}: return a number, not a "
            "string (no str(...) around it)"
        )
    if wrong is None:
        raise Incorrect(
            f"additions({n}, {m}, {p}) gave None (did you print instead of return?); return "
            "the count"
        )
    if m == 1:
        raise Incorrect(
            f"additions({n}, {m}, {p}) gave {wrong!r}, but with m = 1 each entry is a single "
            "product, a[i][0] * b[0][j], with nothing to add: 0 additions"
        )
    raise Incorrect(
        f"additions({n}, {m}, {p}) gave {wrong!r}; count again: how many entries, and how "
        "many + in each entry's sum"
    )


q4 = Question(
    title="Counting the additions in matmul",
    checker=_check_q4,
    hint_text="Every entry of the result is one sum. How many entries are there, and how "
    "many products does each sum add up?",
    more_hints=(
        "An n×m by m×p product has n·p entries, and each adds up m products, one per k. "
        "How many + does it take to add up 3 numbers? And m numbers?",
        "matmul starts each sum from the first product, not from 0: adding up 3 numbers that "
        "way, (a + b) + c, takes 2 additions. How many for m numbers? Check your formula "
        "with Counted.adds.",
    ),
    solution_text=inspect.getsource(additions)
    + "\n# For square matrices (n = m = p) that is n²(n - 1).",
    answer=lambda: additions,
    wrong=[
        (lambda n, m, p: n * m * p, "number of multiplications"),
        (lambda n, m, p: n * m * p - 1, "sum of its own"),
        (lambda n, m, p: n * p, "each entry adds up"),
        (lambda n, m, p: n * p * m + n * p * (m - 1), "multiplications too"),
        (lambda n, m, p: n * (m - 1) * p + n * p, "as if each sum started from 0"),
        (lambda n, m, p: n * m * (p - 1), "inner size m"),
        (lambda n, m, p: (n - 1) * m * p, "inner size m"),
        (lambda n, m, p: n * n * (n - 1), "square"),
        (lambda n, m, p: n * m + p, "count again"),
        (lambda n, m, p: None, "did you print instead of return?"),
        (lambda n, m, p: str(n * p * (m - 1)), "return a number, not a string"),
        (lambda n, m, p: str(n * m * p), "return a number, not a string"),
        (lambda n, m, p: n * p * (m - 1) if m > 1 else n * p, "nothing to add"),
        (lambda n, m, p: n * p * (m - 1) if (n, m, p) != (1, 1, 1) else 1, "nothing to add"),
        (lambda n, m, p: 0 if m == 1 else n * p * (m - 1) + (p == 1), "count again"),
    ],
)

# q5 ---------------------------------------------------------------------------------------


def graph_nodes(n, m):
    """Nodes in the graph of an n×m layer whose m inputs are Vars too, its outputs summed."""
    return 3 * n * m + m - 1  # n·m Var weights, m Var inputs, n·m Mul, n·m - 1 Add


def _layer_graph_counts(n: int, m: int) -> dict[str, int]:
    """Build exercise 5's graph for an n×m layer (inputs are Vars) and count its nodes by kind."""
    from collections import Counter

    from tinyml.alpha import Var, topological_order
    from tinyml.matrix import column, matmul

    w = [[Var(0.5) for _ in range(m)] for _ in range(n)]
    x = [Var(1.0) for _ in range(m)]
    out = matmul(w, column(x))
    total = out[0][0]
    for row in out[1:]:
        total = total + row[0]
    return dict(Counter(type(node).__name__ for node in topological_order(total)))


_Q5_SIZES = [(1, 1), (1, 4), (4, 1), (2, 3), (3, 2), (5, 7), (4, 4)]

# Wrong formulas a learner is likely to write, and what each one misses.
_Q5_SLIPS = (
    (
        lambda n, m: 4 * n * m - 1,
        "that counts one input node per weight, n·m of them, like section 7's Consts. Here "
        "each x_j is one Var that all n rows share, and a node used n times is one node",
    ),
    (
        lambda n, m: 4 * n * m + m - 1,
        "you still count a Const per product: with x made of Vars, Var * Var needs no Const",
    ),
    (
        lambda n, m: 3 * n * m - 1,
        "you left out the inputs: the m Vars of x are nodes of the graph too",
    ),
    (
        lambda n, m: 3 * n * m + m,
        "one too many: adding up k numbers takes k - 1 additions, not k",
    ),
    (
        lambda n, m: 3 * n * m + m - n,
        "you counted each row's sum but not the n - 1 Adds that add up the rows",
    ),
    (
        lambda n, m: 3 * n * m + m + n - 1,
        "that counts m Adds per row, as if each sum started from 0; each row adds m products "
        "with m - 1 Adds, since matmul starts from the first product",
    ),
    (
        lambda n, m: 3 * n * m + m + 1,
        "2 too many, exactly what sum() adds: it starts from 0, which puts a Const 0 and one "
        "more Add in the graph. Add up the outputs with a loop starting from out[0][0], as "
        "section 7 does",
    ),
    (
        lambda n, m: 3 * n * m + n - 1,
        "x has one entry per column of W, m of them, not one per row",
    ),
    (
        lambda n, m: 3 * n * n + n - 1,
        "that holds for square layers only; where does m come in?",
    ),
    (
        lambda n, m: 4 * n * n - 1,
        "that is section 7's count, for square layers with Const inputs; here the inputs "
        "are Vars and the layer is n×m",
    ),
)


def _check_q5(count):
    if not callable(count):
        raise Incorrect("pass your function itself, e.g. ch05.q5.check(graph_nodes)")
    _require_args(count, "n, m", "graph_nodes(n, m)")
    got = {size: call_learner(count, *size) for size in _Q5_SIZES}
    for (n, m), value in got.items():
        kinds = _layer_graph_counts(n, m)
        want = sum(kinds.values())
        if value is None:
            raise Incorrect(
                f"graph_nodes({n}, {m}) returned None (did you print instead of return?)"
            )
        if isinstance(value, bool) or not isinstance(value, numbers.Real):
            raise Incorrect(f"graph_nodes({n}, {m}) returned {value!r}; return a number")
        if value == want:
            continue
        listed = ", ".join(f"{c} {kind}" for kind, c in kinds.items())
        reason = next(
            (why for slip, why in _Q5_SLIPS if all(got[s] == slip(*s) for s in _Q5_SIZES)),
            "count each kind of node separately: weights, inputs, Mul, Add",
        )
        raise Incorrect(
            f"graph_nodes({n}, {m}) gave {value!r}, but that graph has {want} nodes "
            f"({listed}): {reason}"
        )
    _refuse_measuring(count)


q5 = Question(
    title="The size of a layer's graph",
    checker=_check_q5,
    hint_text="Count each kind of node separately, as section 7's printout does. Which kinds "
    "come one per weight? How many input nodes are there, now that x holds Vars?",
    more_hints=(
        "How many distinct input nodes are there: one per row, or one per entry of x? "
        "Which kinds come one per weight, and does Var * Var need a Const? Then "
        "each row adds up its m products, and the n row sums are added up.",
        "n·m weight Vars and n·m Mul, one per weight; no Const, since Var * Var needs none. "
        "Add the input Vars, then count the Adds in each row's sum and between the row sums.",
    ),
    solution_text=inspect.getsource(graph_nodes)
    + "# In all: n·m + m + n·m + (n·m - 1) = 3·n·m + m - 1\n"
    + (
        "\n# Check it on a real graph:\n"
        "# W = [[Var(0.5) for _ in range(m)] for _ in range(n)]\n"
        "# x = [Var(1.0) for _ in range(m)]\n"
        "# out = matmul(W, column(x)); add up the outputs; len(topological_order(total))"
    ),
    answer=lambda: graph_nodes,
    wrong=[
        (lambda n, m: 4 * n * m - 1, "a node used n times is one node"),
        (lambda n, m: 4 * n * m + m - 1, "still count a Const per product"),
        (lambda n, m: 3 * n * m - 1, "left out the inputs"),
        (lambda n, m: 3 * n * m + m, "one too many"),
        (lambda n, m: 3 * n * m + m - n, "add up the rows"),
        (lambda n, m: 3 * n * m + n - 1, "one entry per column of W"),
        (lambda n, m: 3 * n * m + m + n - 1, "matmul starts from the first product"),
        (lambda n, m: 3 * n * n + n - 1, "square layers only"),
        (lambda n, m: 4 * n * n - 1, "section 7's count"),
        (lambda n, m: 3 * n * m + m + 1, "sum() adds: it starts from 0"),
        (lambda n, m: n * m, "count each kind"),
        (lambda n, m: print(3 * n * m + m - 1), "did you print instead of return?"),
        (lambda n, m: str(3 * n * m + m - 1), "return a number"),
    ],
)
