"""tinyml.matrix: algebra identities, error messages, random initialisation, matrices of Vars."""

from __future__ import annotations

import math
import re
import statistics

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from tinyml.alpha import Node, Var
from tinyml.matrix import (
    add,
    apply,
    column,
    flatten,
    identity,
    matmul,
    mul,
    random_matrix,
    scale,
    shape,
    sub,
    transpose,
    zeros,
)
from tinyml.numeric import central_difference, grad_check, numeric_gradient

small_ints = st.integers(min_value=-9, max_value=9)


def matrices(rows: int | None = None, cols: int | None = None):
    """Integer matrices (exact arithmetic), of the given or of any small shape."""
    r = st.just(rows) if rows else st.integers(1, 4)
    c = st.just(cols) if cols else st.integers(1, 4)
    return st.tuples(r, c).flatmap(
        lambda rc: st.lists(
            st.lists(small_ints, min_size=rc[1], max_size=rc[1]), min_size=rc[0], max_size=rc[0]
        )
    )


@st.composite
def chain(draw, count: int):
    """``count`` matrices whose shapes line up for multiplication, left to right."""
    dims = [draw(st.integers(1, 4)) for _ in range(count + 1)]
    return [draw(matrices(dims[i], dims[i + 1])) for i in range(count)]


# -- algebra ---------------------------------------------------------------------------
@given(chain(2))
def test_product_shape_and_transpose_of_product(ab):
    a, b = ab
    (n, _), (_, p) = shape(a), shape(b)
    assert shape(matmul(a, b)) == (n, p)
    assert transpose(matmul(a, b)) == matmul(transpose(b), transpose(a))


@given(chain(3))
def test_product_is_associative(abc):
    a, b, c = abc
    assert matmul(matmul(a, b), c) == matmul(a, matmul(b, c))


@given(matrices())
def test_identity_transpose_and_elementwise_inverses(a):
    n, m = shape(a)
    assert matmul(identity(n), a) == a == matmul(a, identity(m))
    assert transpose(transpose(a)) == a
    assert shape(transpose(a)) == (m, n)
    b = apply(lambda v: 2 * v + 1, a)
    assert sub(add(a, b), b) == a
    assert add(a, a) == scale(a, 2) == mul(a, [[2] * m for _ in range(n)])
    assert flatten(a) == [v for row in a for v in row]


@given(chain(2))
def test_product_distributes_over_addition(ab):
    a, b = ab
    c = apply(lambda v: v - 3, b)
    assert matmul(a, add(b, c)) == add(matmul(a, b), matmul(a, c))


def test_small_product_by_hand():
    a = [[1, 2, 3], [4, 5, 6]]
    b = [[7, 8], [9, 10], [11, 12]]
    # [1·7 + 2·9 + 3·11, 1·8 + 2·10 + 3·12] = [58, 64]; [4·7 + 5·9 + 6·11, …] = [139, 154]
    assert matmul(a, b) == [[58, 64], [139, 154]]
    assert matmul([[1, 2]], column([3, 4])) == [[11]]


def test_zeros_rows_are_independent_lists():
    z = zeros(2, 3)
    z[0][0] = 5.0
    assert z == [[5.0, 0.0, 0.0], [0.0, 0.0, 0.0]]


def test_functions_return_new_matrices():
    a = [[1.0, 2.0]]
    for result in (transpose(a), add(a, a), scale(a, 1), apply(float, a)):
        assert result is not a and result[0] is not a[0]
    assert a == [[1.0, 2.0]]


# -- errors ----------------------------------------------------------------------------
def test_mismatched_product_names_both_shapes():
    a = [[1, 2, 3], [4, 5, 6]]
    with pytest.raises(ValueError, match="cannot multiply 2×3 by 2×3: 3 ≠ 2"):
        matmul(a, a)
    with pytest.raises(ValueError, match=r"cannot add 2×3 and 3×2"):
        add(a, transpose(a))
    with pytest.raises(ValueError, match=r"cannot subtract 3×2 from 2×3"):
        sub(a, transpose(a))
    with pytest.raises(ValueError, match=r"cannot multiply 2×3 and 1×3 element-wise"):
        mul(a, [[1, 2, 3]])
    with pytest.raises(ValueError, match=r"cannot add 1×3 and 1×2"):  # same rows, not columns
        add([[1, 2, 3]], [[1, 2]])


@pytest.mark.parametrize(
    "call, phrase",
    [
        (lambda: matmul([[1, 2]], [["a"], ["b"]]), "entry b[0][0] is str 'a'"),
        (lambda: matmul([[1, 2]], [[3], [None]]), "entry b[1][0] is NoneType None"),
        (lambda: matmul([[[1]]], [[2]]), "entry a[0][0] is list [1] (a matrix nested one"),
        (lambda: matmul([[1.0, True]], [[1], [2]]), "entry a[0][1] is bool True"),
        (lambda: add([["a"]], [["b"]]), "entry a[0][0] is str 'a'"),
        (lambda: add([[1j]], [[1]]), "entry a[0][0] is complex 1j"),
        (lambda: add([[1]], [[(1, 2)]]), "entry b[0][0] is tuple (1, 2)"),
        (lambda: sub([[1, 2]], [[3, "4"]]), "entry b[0][1] is str '4'"),
        (lambda: mul([[1], [None]], [[1], [2]]), "entry a[1][0] is NoneType None"),
        (lambda: scale([[1, 2]], [1]), "the factor c is list [1]"),
        (lambda: scale([[1, 2]], "x"), "the factor c is str 'x'"),
        (lambda: scale([[1, "2"]], 2), "entry m[0][1] is str '2'"),
    ],
)
def test_entries_that_are_not_numbers_or_nodes_are_named(call, phrase):
    with pytest.raises(TypeError, match=re.escape(phrase)):
        call()


def test_entries_may_be_numbers_of_any_real_type_and_nodes_of_either_engine():
    from fractions import Fraction

    from tinyml import beta

    assert matmul([[Fraction(1, 2), 2]], [[4], [0.5]]) == [[3]]
    x = beta.Var(3.0)
    assert matmul([[x, 1]], [[2], [x]])[0][0].value() == 9.0
    assert scale([[1.0]], Var(2.0))[0][0].value() == 2.0


def test_entries_may_be_number_like_objects_of_ones_own():
    from tinyml.matrix import Counted  # chapter 5's number that counts its * and +

    a = apply(Counted, [[1, 2], [3, 4]])
    Counted.muls = Counted.adds = 0
    assert apply(lambda c: c.v, matmul(a, a)) == [[7, 10], [15, 22]]
    assert (Counted.muls, Counted.adds) == (8, 4)


@pytest.mark.parametrize("wrapped", ["a", "b"])
def test_counted_mixes_with_plain_numbers(wrapped):
    """s5e: a learner wrapped only one matrix and got AttributeError: 'float' ... 'v'."""
    from tinyml.matrix import Counted

    a, b = random_matrix(2, 3, seed=0), random_matrix(3, 4, seed=1)
    want = matmul(a, b)
    if wrapped == "a":
        a = apply(Counted, a)
    else:
        b = apply(Counted, b)
    Counted.muls = Counted.adds = 0
    got = apply(lambda c: c.v, matmul(a, b))
    assert got == want  # same floats, same order of operations
    assert (Counted.muls, Counted.adds) == (2 * 3 * 4, 2 * 2 * 4)
    assert (Counted(2.0) + 1.5).v == 3.5 and (1.5 + Counted(2.0)).v == 3.5


@pytest.mark.parametrize(
    "bad, error, phrase",
    [
        ([[1, 2], [3]], ValueError, "ragged: row 0 has 2 entries but row 1 has 1 entry;"),
        ([[1], [2, 3]], ValueError, "ragged: row 0 has 1 entry but row 1 has 2 entries"),
        ([], ValueError, "empty"),
        ([[]], ValueError, "empty row"),
        ([[], []], ValueError, "empty row"),
        ((1, 2), TypeError, "must be a list of rows"),
        ([1, 2], TypeError, "row 0 of a is int 1, not a list"),
        ([[1], (2,)], TypeError, "row 1 of a is tuple"),
        ("ab", TypeError, "must be a list of rows"),
        (None, TypeError, "must be a list of rows"),
    ],
)
def test_bad_matrices_are_named(bad, error, phrase):
    with pytest.raises(error, match=phrase.replace("(", r"\(").replace(")", r"\)")):
        matmul(bad, [[1]])
    with pytest.raises(error):
        transpose(bad)
    with pytest.raises(error):
        shape(bad)


def test_numpy_array_is_not_a_list_of_lists():
    np = pytest.importorskip("numpy")
    with pytest.raises(TypeError, match="ndarray"):
        shape(np.ones((2, 2)))


@pytest.mark.parametrize(
    "call, error, phrase",
    [
        (lambda: zeros(0, 2), ValueError, "rows must be at least 1"),
        (lambda: zeros(2, 1.5), TypeError, "cols must be a whole number"),
        (lambda: identity(True), TypeError, "whole number"),
        (lambda: random_matrix(2, 2, init="xavier"), ValueError, "'uniform' or 'normal'"),
        (lambda: random_matrix(2, 2, scale=0), ValueError, "scale must be a positive"),
        (lambda: random_matrix(2, 2, scale=-1.0), ValueError, "scale must be a positive"),
        (lambda: random_matrix(2, 2, scale=math.inf), ValueError, "scale must be finite"),
        (lambda: random_matrix(2, 2, scale=math.nan), ValueError, "scale must be finite"),
        (lambda: random_matrix(2, 2, scale="1"), TypeError, "scale must be a real number"),
        (lambda: random_matrix(2, 2, scale=True), TypeError, "scale must be a real number"),
        (lambda: column([]), ValueError, "empty"),
        (lambda: column((1, 2)), TypeError, "list of entries"),
        (lambda: column([[1]]), TypeError, r"entry 0 is list \[1\]: \[\[1\], \[2\]\] is already"),
        (lambda: column([1, [2, 3]]), TypeError, "flat list such as"),
        (lambda: column([1, (2,)]), TypeError, "entry 1 is tuple"),
        (lambda: apply(3, [[1]]), TypeError, "needs a function"),
    ],
)
def test_bad_arguments_are_named(call, error, phrase):
    with pytest.raises(error, match=phrase):
        call()


# -- random initialisation -------------------------------------------------------------
def test_random_matrix_is_reproducible_and_seeded():
    assert random_matrix(3, 4, seed=1) == random_matrix(3, 4, seed=1)
    assert random_matrix(3, 4, seed=1) != random_matrix(3, 4, seed=2)
    assert random_matrix(2, 2, "normal", seed=0) == random_matrix(2, 2, "normal", seed=0)
    assert shape(random_matrix(3, 4, seed=0)) == (3, 4)


def test_random_matrix_distributions():
    u = flatten(random_matrix(100, 100, scale=0.5, seed=0))
    assert all(-0.5 <= v <= 0.5 for v in u)
    assert statistics.fmean(u) == pytest.approx(0, abs=0.01)
    assert statistics.pstdev(u) == pytest.approx(0.5 / math.sqrt(3), rel=0.02)  # uniform's sd
    n = flatten(random_matrix(100, 100, "normal", scale=2.0, seed=0))
    assert statistics.fmean(n) == pytest.approx(0, abs=0.05)
    assert statistics.pstdev(n) == pytest.approx(2.0, rel=0.02)


# -- matrices of Alpha Vars ------------------------------------------------------------
def _layer_loss(w: list, x: list):
    """sum of tanh(W·x): a tiny layer and a scalar loss, on floats or on Vars alike."""
    h = apply(lambda v: v.tanh() if isinstance(v, Node) else math.tanh(v), matmul(w, x))
    total = h[0][0]
    for v in flatten(h)[1:]:
        total = total + v
    return total


def test_matmul_of_vars_has_the_same_values_as_on_floats():
    w, x = random_matrix(3, 4, seed=0), random_matrix(4, 2, seed=1)
    wv = apply(Var, w)
    got = apply(lambda node: node.value(), matmul(wv, x))
    want = matmul(w, x)
    for g_row, w_row in zip(got, want, strict=True):
        assert g_row == pytest.approx(w_row, rel=1e-12)


@settings(max_examples=25, deadline=None)
@given(
    st.integers(1, 3),
    st.integers(1, 3),
    st.integers(1, 2),
    st.integers(0, 10_000),
)
def test_gradients_through_matmul_match_central_differences(n, m, p, seed):
    w, x = random_matrix(n, m, seed=seed), random_matrix(m, p, "normal", seed=seed + 1)
    wv = [[Var(v, name=f"w{i}{j}") for j, v in enumerate(row)] for i, row in enumerate(w)]
    _layer_loss(wv, x).backward()

    def f(*flat):
        return _layer_loss([list(flat[i * m : (i + 1) * m]) for i in range(n)], x)

    check = grad_check(f, flatten(w), [v.g for v in flatten(wv)])
    assert check, check


def test_gradient_of_x_through_a_fixed_matrix():
    w = [[1.0, 2.0], [3.0, -1.0]]
    xs = [Var(0.5, "x0"), Var(-0.25, "x1")]
    y = matmul(w, column(xs))  # y0 = x0 + 2·x1, y1 = 3·x0 - x1
    loss = y[0][0] * y[0][0] + y[1][0] * y[1][0]
    loss.backward()
    # d/dx0 = 2·y0·1 + 2·y1·3, d/dx1 = 2·y0·2 + 2·y1·(-1), at y0 = 0, y1 = 1.75
    assert [v.g for v in xs] == pytest.approx([10.5, -3.5])
    numeric = numeric_gradient(
        lambda a, b: (a + 2 * b) ** 2 + (3 * a - b) ** 2, [v.value() for v in xs]
    )
    assert [v.g for v in xs] == pytest.approx(numeric, rel=1e-6)


def test_one_weight_partial_by_central_difference():
    w0 = random_matrix(2, 2, seed=3)
    x = column([0.7, -1.1])
    w = apply(Var, w0)
    y = matmul(w, x)
    (y[0][0] * y[1][0]).backward()  # loss = y0 · y1

    def loss_of_w10(t):
        moved = [row[:] for row in w0]
        moved[1][0] = t
        out = matmul(moved, x)
        return out[0][0] * out[1][0]

    assert w[1][0].g == pytest.approx(central_difference(loss_of_w10, w0[1][0]), rel=1e-7)


def test_plot_entry_pairs_row_i_with_column_j_and_writes_the_sum():
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    from tinyml.matrix import plot_entry

    a, b = [[1, 2, 3], [4, 5, 6]], [[7, 8], [9, 10], [11, 12]]
    fig = plot_entry(a, b, 1, 0)
    texts = [t.get_text() for t in fig.axes[0].texts]
    assert "C[1][0] = row 1 of A · column 0 of B = 4·7 + 5·9 + 6·11 = 139" in texts
    assert "A  (2×3)" in texts and "B  (3×2)" in texts
    # every entry of A, B and C is written once
    for v in [*flatten(a), *flatten(b), *flatten(matmul(a, b))]:
        assert f"{v:g}" in texts
    # exactly one highlighted entry of C (green), three of A's row, three of B's column
    colours = [p.get_facecolor()[:3] for p in fig.axes[0].patches]
    green = matplotlib.colors.to_rgb("#b7e4a8")
    assert (
        sum(1 for c in colours if all(abs(x - y) < 1e-6 for x, y in zip(c, green, strict=True)))
        == 1
    )
    plt.close(fig)
    with pytest.raises(ValueError, match="i must be a whole number from 0 to 1"):
        plot_entry(a, b, 2, 0)
    with pytest.raises(ValueError, match="cannot multiply"):
        plot_entry(a, a, 0, 0)


def test_the_lesson_view_hides_the_checks_of_random_matrix_and_matmul_and_keeps_their_loops():
    import inspect

    from tinyml import matrix, show

    shown = inspect.getsource(matrix.random_matrix) + inspect.getsource(matrix.matmul)
    for word in matrix.SHOW_VIEWS["lesson"]:  # a renamed line would silently show again
        assert word in shown, word
    rand = show(matrix.random_matrix, view="lesson").code
    assert "_check_size" not in rand and "scale > 0" not in rand
    assert "...  # 4 lines not shown: argument checks" in rand
    assert "rng = random.Random(seed)" in rand and "init must be 'uniform'" in rand
    prod = show(matrix.matmul, view="lesson").code
    assert "cannot multiply" not in prod and "_check_entries" not in prod
    assert "the error's message" in prod and "a check that every entry supports + and *" in prod
    assert "total = total + a[i][k] * b[k][j]" in prod and "if m != m2:" in prod


def test_tuple_matrix_message_suggests_the_same_matrix_as_lists():
    """Learner read s5c: a 2×2 tuple was told to write a 2×3 matrix; the example now matches."""
    with pytest.raises(
        TypeError, match=re.escape("got tuple ((1, 2), (3, 4)); write it as [[1, 2], [3, 4]]")
    ):
        shape(((1, 2), (3, 4)))
    with pytest.raises(TypeError, match=re.escape("write it as [[1, 2, 3], [4, 5, 6]]")):
        shape(((1, 2, 3), (4, 5, 6)))
    # no rectangle to convert (ragged, flat, not a tuple): the generic example stays
    for bad in [((1, 2), (3,)), (1, 2), "ab", None]:
        with pytest.raises(
            TypeError, match=re.escape("write a 2×3 matrix as [[1, 2, 3], [4, 5, 6]]")
        ):
            shape(bad)
