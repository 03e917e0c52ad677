"""tinyml.viz: stable DOT text, shared nodes drawn once, inline display, missing Graphviz."""

from __future__ import annotations

import base64
import re
import struct

import graphviz
import pytest

from tinyml import viz
from tinyml.beta import Const, Square, Tanh, Var
from tinyml.recursion import fib1, trace_calls


def z_expr():
    x, y = Var(1, name="x"), Var(2, name="y")
    return (x + 2) + y


def test_same_expression_gives_identical_dot_every_call():
    first = viz.draw(z_expr()).source
    assert viz.draw(z_expr()).source == first  # new objects, same text: no id() in names
    expr = z_expr()
    assert viz.draw(expr).source == viz.draw(expr).source == first
    names = re.findall(r"^\s*(n\d+) \[", first, flags=re.M)
    assert names == ["n0", "n1", "n2", "n3", "n4"]


def test_structural_expression_drawing():
    dot = viz.draw(z_expr()).source
    assert 'n0 [label="+"' in dot and "n2 [label=x" in dot and "n3 [label=2" in dot
    edges = re.findall(r"(n\d+) -> (n\d+)", dot)
    assert sorted(edges) == [("n0", "n1"), ("n0", "n4"), ("n1", "n2"), ("n1", "n3")]
    assert "shape=circle" in dot and "shape=box" in dot  # operators and leaves differ


def test_shared_nodes_are_drawn_once():
    x = Var(0.5, name="x")
    a = x
    for _ in range(10):
        a = a * a + a
    dot = viz.draw(a).source
    assert len(re.findall(r"^\s*n\d+ \[", dot, flags=re.M)) == 21
    assert len(re.findall(r"->", dot)) == 40


def test_values_and_grads():
    x = Var(3.0, name="x")
    dot = viz.draw(Square(x) + 1, values=True).source
    assert "value 10" in dot and "value 9" in dot and "grad" not in dot
    x.g = 6.0  # any node with a .g attribute (as Alpha's nodes have) shows its gradient
    dot = viz.draw(Square(x) + 1, values=True, grads=True, rankdir="LR").source
    assert "{x | value 3 | grad 6}" in dot and "n2 -> n1" in dot


def test_labels_with_record_characters_are_escaped():
    x = Var(1.0, name="a|b{c}")
    dot = viz.draw(Tanh(x), values=True).source
    assert r"a\|b\{c\}" in dot


def test_inline_display_is_png_with_a_stable_text():
    bundle = viz.draw(z_expr())._repr_mimebundle_()
    assert set(bundle) == {"image/png", "text/plain"}
    assert bundle["text/plain"] == "<drawing of (+ (+ x 2) y): 5 nodes>"
    # An untrusted notebook (fresh from git clone) renders PNG outputs but not SVG ones, and
    # JupyterLab scales a PNG down to the cell's width (an SVG it shows at full size).
    png = base64.b64decode(bundle["image/png"])
    assert png.startswith(b"\x89PNG\r\n\x1a\n") and png == viz.draw(z_expr())._repr_png_()
    width, height = struct.unpack(">II", png[16:24])
    assert 100 < width < 1000 and 100 < height < 1000, (width, height)
    assert repr(viz.draw(z_expr())) == bundle["text/plain"]
    assert viz.draw(z_expr()).svg().startswith("<svg")  # still there, for files and tests


def test_missing_graphviz_shows_how_to_install_and_the_source(monkeypatch):
    def no_dot(*args, **kwargs):
        raise graphviz.ExecutableNotFound(["dot"])

    monkeypatch.setattr(graphviz.Digraph, "pipe", no_dot)
    drawing = viz.draw(z_expr())
    bundle = drawing._repr_mimebundle_()
    assert "image/svg+xml" not in bundle and "image/png" not in bundle
    assert "apt-get install graphviz" in bundle["text/plain"]
    assert drawing.source in bundle["text/plain"]
    assert "digraph expression" in bundle["text/html"]


def test_draw_rejects_non_nodes():
    with pytest.raises(TypeError, match="expression node"):
        viz.draw(3.0)
    with pytest.raises(TypeError, match="call tree"):
        viz.draw_calls(Const(1))


def test_call_tree_of_fib4():
    dot = viz.draw_calls(trace_calls(fib1, 4)).source
    labels = re.findall(r'label="(fib1\(\d\))"', dot)
    assert labels == [
        "fib1(4)",
        "fib1(3)",
        "fib1(2)",
        "fib1(1)",
        "fib1(0)",
        "fib1(1)",
        "fib1(2)",
        "fib1(1)",
        "fib1(0)",
    ]
    assert len(re.findall("->", dot)) == 8
    assert dot.count("filled") == 7  # fib1(4) and fib1(3) happen once; the rest repeat
    assert viz.draw_calls(trace_calls(fib1, 4)).source == dot


def test_examples_save_png(tmp_path):
    for name in ("structural_expression", "fib"):
        path = viz.example(name).save(tmp_path / f"{name}.png")
        assert path.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    with pytest.raises(ValueError, match="no example"):
        viz.example("nope")


def test_walk_visits_shared_nodes_once_in_order():
    x = Var(1.0, name="x")
    b = x * x
    c = b + b
    assert viz.walk(c) == [c, b, x]


def test_draws_alpha_nodes_with_value_and_grad():
    alpha = pytest.importorskip("tinyml.alpha")
    x, y = alpha.Var(3.0, name="x"), alpha.Var(2.0, name="y")
    z = x * y + x
    z.backward()
    dot = viz.draw(z, values=True, grads=True).source
    assert "{x | value 3 | grad 3}" in dot and "{y | value 2 | grad 3}" in dot
    assert viz.draw(z, values=True, grads=True).source == dot


def test_note_adds_a_line_to_every_node():
    x = Var(2.0, name="x")
    dot = viz.draw(x * x, note=lambda node: f"op {node.op}").source
    assert 'label="×\\nop *"' in dot and "{x | op var}" in dot


def _shapes(dot):
    return dict(re.findall(r"^\s*(n\d+) \[.*shape=(\w+)", dot, flags=re.M))


@pytest.mark.parametrize(
    "options", [{}, {"values": True}, {"note": lambda node: "note"}, {"rankdir": "LR"}]
)
def test_operations_are_round_and_leaves_are_boxes_in_every_style(options):
    x, y = Var(1.0, name="x"), Var(2.0, name="y")
    expr = Square(x - y) + 2 * x
    shapes = _shapes(viz.draw(expr, **options).source)
    names = sorted(shapes, key=lambda n: int(n[1:]))
    for node, name in zip(viz.walk(expr), names, strict=True):
        if node.children:
            assert shapes[name] in ("circle", "ellipse"), (node, options)
        else:
            assert shapes[name] in ("box", "record"), (node, options)


def test_labels_never_name_a_variable():
    x, y = Var(1.0, name="x"), Var(2.0, name="y")
    dot = viz.draw(-Square(x - y) + abs(y) + (x - y) ** 3).source
    for label in ("neg", "square", "abs", "**3"):
        assert f'label="{label}"' in dot or f"label={label}" in dot
    assert "x²" not in dot and "−x" not in dot and "|x|" not in dot


@pytest.mark.parametrize("rankdir", ["TB", "LR"])
def test_operands_keep_their_order(rankdir):
    x, y = Var(1.0, name="x"), Var(2.0, name="y")
    drawing = viz.draw(x - y, rankdir=rankdir)
    dot = drawing.source
    first, last = ("sw", "se") if rankdir == "TB" else ("nw", "sw")
    port = "tailport" if rankdir == "TB" else "headport"
    assert ("ordering=out" if rankdir == "TB" else "ordering=in") in dot
    edge = (r"n0 -> n(\d)" if rankdir == "TB" else r"n(\d) -> n0") + rf" \[.*{port}=(\w+)"
    assert sorted(re.findall(edge, dot)) == [("1", first), ("2", last)]  # x is n1, y is n2
    plain = drawing.graph.pipe(format="plain").decode()
    where = {
        f[1]: (float(f[2]), float(f[3]))
        for f in map(str.split, plain.splitlines())
        if f[0] == "node"
    }
    if rankdir == "TB":
        assert where["n1"][0] < where["n2"][0]  # x left of y
    else:
        assert where["n1"][1] > where["n2"][1]  # x above y


def test_bad_rankdir_is_refused():
    with pytest.raises(ValueError, match="rankdir"):
        viz.draw(z_expr(), rankdir="sideways")


def test_call_tree_arrows_point_up_like_expression_arrows():
    dot = viz.draw_calls(trace_calls(fib1, 2)).source
    assert dot.count("dir=back") == 2


def test_title_of_a_huge_shared_graph_is_short_and_quick():
    x = Var(0.5, name="x")
    a = x
    for _ in range(200):  # printed out, this would have about 3**200 characters
        a = a * a + a
    assert repr(viz.draw(a)) == "<drawing of a + expression: 401 nodes>"


def test_title_when_a_shared_node_is_met_before_its_other_parent():
    x = Var(1.0, name="x")
    b = x * 2
    a = b + 1
    root = b * a  # b is reached directly and again through a
    assert repr(viz.draw(root)) == "<drawing of (* (* x 2) (+ (* x 2) 1)): 6 nodes>"


def test_unfolded_size_counts_a_shared_node_at_every_use():
    x = Var(0.5, name="x")
    assert viz.unfolded_size(x) == 1
    assert viz.unfolded_size(z_expr()) == 5  # a tree: its own size
    a = x
    for d in range(1, 12):
        a = a * a + a  # U(d) = 1 + (1 + 2·U(d-1)) + U(d-1) = 3·U(d-1) + 2, U(0) = 1
        assert viz.unfolded_size(a) == 2 * 3**d - 1
    square = x * x  # one node used twice by the same parent
    assert viz.unfolded_size(square) == 3 and viz.unfolded_size(square + square) == 7


def test_unfolded_size_and_the_drawing_title_need_no_recursion():
    import sys

    x = Var(0.5, name="x")
    a = x
    for _ in range(3 * sys.getrecursionlimit()):
        a = a * a + a
    assert viz.unfolded_size(a) == 2 * 3 ** (3 * sys.getrecursionlimit()) - 1
    assert repr(viz.draw(a)).startswith("<drawing of a + expression:")


def _positions(drawing):
    """Node name -> (x, y) of its centre in Graphviz's layout (y grows upwards)."""
    plain = drawing.graph.pipe(format="plain").decode()
    fields = [line.split() for line in plain.splitlines()]
    return {f[1]: (float(f[2]), float(f[3])) for f in fields if f[0] == "node"}


def _crossings(drawing):
    """Pairs of edges whose straight lines between node centres cross."""
    where = _positions(drawing)
    edges = re.findall(r"(n\d+) -> (n\d+)", drawing.source)

    def side(p, q, r):
        return (q[0] - p[0]) * (r[1] - p[1]) - (q[1] - p[1]) * (r[0] - p[0])

    crossed = []
    for i, (a, b) in enumerate(edges):
        for c, d in edges[i + 1 :]:
            if {a, b} & {c, d}:
                continue  # edges that share a node meet there; that is not a crossing
            p, q, r, t = where[a], where[b], where[c], where[d]
            if side(p, q, r) * side(p, q, t) < 0 and side(r, t, p) * side(r, t, q) < 0:
                crossed.append(((a, b), (c, d)))
    return crossed


def _chapter2_drawings():
    x, y = Var(2.0, name="x"), Var(3.0, name="y")
    w1, w2, b = Var(0.5, name="w1"), Var(-1.0, name="w2"), Var(0.25, name="b")
    return [
        x**3 + -Square(x - y),  # x is shared: under ** and under −
        x * y + y / 3,  # y is shared: the right operand of × and the left one of ÷
        (x + 2) + y,
        Tanh(w1 * 2.0 + w2 * 0.5 + b),
        x * x + y,  # one node as both operands: it cannot be on both sides, and must not fail
    ]


@pytest.mark.parametrize("expr", _chapter2_drawings(), ids=str)
def test_chapter_2_drawings_keep_operand_order_without_crossing_arrows(expr):
    # Chapter 2 chose its examples so that printed order and uncrossed arrows agree: with
    # x * y + 3 / x (its old example) they cannot, and three arrows crossed.
    assert _crossings(viz.draw(expr)) == [], str(expr)


def test_the_old_chapter_2_example_would_cross_arrows():
    # Why chapter 2 draws x * y + y / 3: in order, x * y + 3 / x cannot be drawn uncrossed.
    x, y = Var(2.0, name="x"), Var(3.0, name="y")
    assert _crossings(viz.draw(x * y + 3 / x))


@pytest.mark.parametrize("expr", _chapter2_drawings(), ids=str)
def test_every_operation_draws_its_operands_in_printed_order(expr):
    # The picture must agree with print(expr): (+ (* x y) (/ y 3)) has × left of ÷, x left of
    # y under ×, and y left of 3 under ÷.
    drawing = viz.draw(expr)
    where = _positions(drawing)
    nodes = viz.walk(expr)
    name = {id(node): f"n{i}" for i, node in enumerate(nodes)}  # draw() names nodes this way
    for node in nodes:
        left, right = node.children if len(node.children) == 2 else (None, None)
        if left is None or left is right:  # x * x: one node cannot sit on both sides
            continue
        xs = where[name[id(left)]][0], where[name[id(right)]][0]
        assert xs[0] < xs[1], f"{node}: operands drawn at x = {xs}, in {expr}"


@pytest.mark.parametrize("rankdir", ["TB", "LR"])
def test_a_tree_keeps_every_operand_in_order(rankdir):
    # (x + 2) + y, the README's picture: nothing is shared, so nothing needs to move.
    drawing = viz.draw(z_expr(), rankdir=rankdir)
    where = _positions(drawing)
    axis, sign = (0, 1) if rankdir == "TB" else (1, -1)  # LR: left operand above
    order = [sign * where[n][axis] for n in ("n2", "n3", "n4")]  # x, 2, y
    assert order == sorted(order) and _crossings(drawing) == []
