"""Drawings with Graphviz: expression graphs (Beta or Alpha) and recursive call trees.

``draw(expr)`` works on any node that follows the node protocol (``children``, ``op``,
``value()``, and for leaves ``name``/``value()``; ``g`` for gradients), so it needs no import
of tinyml.beta or tinyml.alpha. Node names in the DOT text come from the order of a walk
from the root, never from ``id()``, so the same expression always gives the same drawing.
"""

from __future__ import annotations

import base64
import html
import math
import numbers
from collections import Counter
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Any

import graphviz

__all__ = ["Drawing", "draw", "draw_calls", "walk", "unfolded_size", "INSTALL_HELP"]

INSTALL_HELP = (
    "Graphviz's `dot` program was not found, so the drawing cannot be rendered; "
    "its DOT source is shown instead.\n"
    "Install Graphviz and restart the kernel:\n"
    "  Debian/Ubuntu: sudo apt-get install graphviz\n"
    "  macOS:         brew install graphviz\n"
    "  conda:         conda install -c conda-forge graphviz\n"
    "  Windows:       winget install graphviz  (then add its bin folder to PATH)"
)

# The four binary operators are drawn as the usual symbols; every other operation is drawn with
# its op name, the name its printed form uses ("neg", "square", "**2", "tanh" …). No label
# names a variable (a Neg is "neg", not "−x"), since its operand need not be called x.
_SYMBOLS = {"+": "+", "-": "−", "*": "×", "/": "÷"}
# Operations are always round (a circle, or an oval when it carries extra lines); leaves are
# always boxes (rounded for variables, square-cornered for constants).
_OP_STYLE = {"shape": "circle", "style": "filled", "fillcolor": "#dbe9f6", "color": "#4a78a8"}
_VAR_STYLE = {
    "shape": "box",
    "style": "rounded,filled",
    "fillcolor": "#fde8c8",
    "color": "#c07a1f",
}
_CONST_STYLE = {"shape": "box", "style": "filled", "fillcolor": "#eeeeee", "color": "#888888"}
_REPEAT_COLOURS = ["#f8c9c4", "#fde8c8", "#d5ecd4", "#dbe9f6", "#e6dcf2", "#f3e3b5"]


class Drawing:
    """A Graphviz drawing that shows itself inline in Jupyter as a PNG picture.

    PNG because it renders everywhere a learner opens a chapter, and fits the page there:
    JupyterLab will not render an untrusted notebook's SVG outputs (and a notebook fresh from
    ``git clone`` is untrusted), and it shows a trusted one's at full size, so a wide
    drawing ran off the page; PNGs are shown in both cases, scaled down to the cell's width
    when they are wider. When Graphviz's ``dot`` program is missing the drawing shows how
    to install it, and the DOT source, instead of failing. ``source`` is the DOT text;
    ``svg()`` gives SVG text and ``save(path)`` writes a file.
    """

    def __init__(self, graph: graphviz.Digraph, title: str) -> None:
        self.graph = graph
        self.title = title

    @property
    def source(self) -> str:
        """The DOT text of the drawing (identical for identical expressions)."""
        return self.graph.source

    def svg(self) -> str:
        """The drawing as SVG text (needs Graphviz's dot)."""
        text = self.graph.pipe(format="svg", encoding="utf-8")
        return text[text.find("<svg") :]  # drop the XML preamble that names dot's version

    def _repr_png_(self) -> bytes:
        """The drawing as PNG bytes (needs Graphviz's dot)."""
        return self.graph.pipe(format="png")

    def save(self, path: str | Path, dpi: int = 110) -> Path:
        """Render to a file whose format is given by its suffix (.png, .svg, .pdf)."""
        path = Path(path)
        fmt = path.suffix.lstrip(".") or "png"
        graph = self.graph.copy()
        graph.graph_attr["dpi"] = str(dpi)
        path.write_bytes(graph.pipe(format=fmt))
        return path

    def __repr__(self) -> str:
        return self.title

    def _repr_mimebundle_(
        self, include: Iterable[str] | None = None, exclude: Iterable[str] | None = None
    ) -> dict[str, str]:
        try:
            return {
                "image/png": base64.b64encode(self._repr_png_()).decode("ascii"),
                "text/plain": self.title,
            }
        except graphviz.ExecutableNotFound:
            text = f"{INSTALL_HELP}\n\n{self.source}"
            return {"text/plain": text, "text/html": f"<pre>{html.escape(text)}</pre>"}


def walk(root: Any) -> list[Any]:
    """Every distinct node reachable from root, parents before children, left to right.

    A node shared by several parents appears once, where it is first met.
    """
    order: list[Any] = []
    seen: set[int] = set()
    stack = [root]
    while stack:
        node = stack.pop()
        if id(node) in seen:  # id() only tells shared nodes apart; it never reaches the DOT
            continue
        seen.add(id(node))
        order.append(node)
        stack.extend(reversed(tuple(node.children)))
    return order


def unfolded_size(root: Any) -> int:
    """The number of nodes in the tree you get by writing out a shared node at every use.

    It can be exponential in the size of the graph, but it is found in time linear in the
    graph (each node's size once, after its children's) and without recursion, so a chain
    of any depth is fine.
    """
    sizes: dict[int, int] = {}  # id() is safe here: every node stays alive during the walk
    stack = [root]
    while stack:
        node = stack[-1]
        if id(node) in sizes:  # reached again through another parent
            stack.pop()
            continue
        todo = [c for c in node.children if id(c) not in sizes]
        if todo:
            stack.extend(todo)
        else:
            stack.pop()
            sizes[id(node)] = 1 + sum(sizes[id(c)] for c in node.children)
    return sizes[id(root)]


def _number(v: object) -> str:
    if isinstance(v, numbers.Real) and not isinstance(v, bool):
        return "nan" if math.isnan(v) else format(v, ".4g")
    return str(v)


def _record(*fields: str) -> str:
    def escape(text: str) -> str:
        for ch in '\\{}|<>"':
            text = text.replace(ch, "\\" + ch)
        return text

    return "{" + " | ".join(escape(f) for f in fields) + "}"


def _head(node: Any) -> str:
    op = getattr(node, "op", "")
    if op == "var":
        name = getattr(node, "name", None)
        return name if name is not None else "var"
    if op == "const":
        return _number(node.value())
    if op == "**":
        return f"**{_number(getattr(node, 'exponent', '?'))}"
    return _SYMBOLS.get(op, op or type(node).__name__)


def _lines(*fields: str) -> str:
    """Fields as centred lines of one label (for an oval operation node)."""
    return "\\n".join(f.replace("\\", "\\\\") for f in fields)


# Where an edge meets a binary operation, so that its left operand's edge leaves on the left.
# (Graphviz's ordering attribute keeps operands in order too, but a node shared by two
# parents can make that impossible; the ports still show which operand is which.)
_PORTS = {"TB": ("sw", "se"), "BT": ("nw", "ne"), "LR": ("nw", "sw"), "RL": ("ne", "se")}


def _ordered(node: Any) -> bool:
    """Every operation with two operands keeps them in order, as its printed form does (even
    + and ×: a picture whose operands differ from the print would puzzle a reader)."""
    return len(tuple(node.children)) == 2


def _style(node: Any) -> dict[str, str]:
    op = getattr(node, "op", "")
    return _VAR_STYLE if op == "var" else _CONST_STYLE if op == "const" else _OP_STYLE


def draw(
    expr: Any,
    values: bool = False,
    grads: bool = False,
    rankdir: str = "TB",
    note: Callable[[Any], str] | None = None,
) -> Drawing:
    """Draw an expression graph: operations round, variables and constants as boxes.

    ``values=True`` adds each node's value, ``grads=True`` each node's gradient ``g`` where it
    has one (micrograd's "value | grad" records). A node shared by several parents is drawn
    once, with an edge to each parent. Arrows point the way values flow, from the leaves to
    the result. The operands of every operation are drawn in order, the left one on the left,
    as in its printed form (even where that costs a crossing of two arrows).
    ``rankdir="LR"`` draws it left to right. ``note(node)``, if given, adds a line of your own
    to every node (e.g. a visit count).
    """
    if not hasattr(expr, "children"):
        raise TypeError(f"draw() needs an expression node (with .children), got {expr!r}")
    if rankdir not in _PORTS:
        raise ValueError(f"rankdir must be one of {', '.join(_PORTS)}, got {rankdir!r}")
    nodes = walk(expr)
    names = {id(node): f"n{i}" for i, node in enumerate(nodes)}
    downward = rankdir in ("TB", "BT")  # edges written parent -> child, drawn pointing back
    graph = graphviz.Digraph(
        "expression",
        graph_attr={
            "rankdir": rankdir,
            "nodesep": "0.3",
            "ranksep": "0.35",
        },
        node_attr={"fontname": "Helvetica", "fontsize": "12", "height": "0.4"},
        edge_attr={"arrowsize": "0.6", "color": "#555555"},
    )
    for node in nodes:
        head, style = _head(node), dict(_style(node))
        fields = [head]
        if values and getattr(node, "op", "") != "const":
            fields.append(f"value {_number(node.value())}")
        if grads and getattr(node, "g", None) is not None:
            fields.append(f"grad {_number(node.g)}")
        if note is not None:
            fields.append(str(note(node)))
        if _ordered(node):  # this node's operands must stay in order, left to right
            style["ordering"] = "out" if downward else "in"
        if len(fields) == 1:
            if _style(node) is _OP_STYLE and len(head) > 3:
                style["shape"] = "ellipse"  # a word such as "square" would swell a circle
            graph.node(names[id(node)], head, **style)
        elif _style(node) is _OP_STYLE:
            style["shape"] = "ellipse"  # still round, so operations look alike in every drawing
            graph.node(names[id(node)], _lines(*fields), **style)
        else:
            style["shape"] = "record"
            graph.node(names[id(node)], _record(*fields), **style)
    first, last = _PORTS[rankdir]
    for node in nodes:  # arrows point the way values flow: from a child up to its parent
        children = tuple(node.children)
        for i, child in enumerate(children):
            port = {}
            if _ordered(node):
                port = {"tailport" if downward else "headport": first if i == 0 else last}
            if downward:
                graph.edge(names[id(node)], names[id(child)], dir="back", **port)
            else:
                graph.edge(names[id(child)], names[id(node)], **port)
    return Drawing(graph, f"<drawing of {_describe(expr)}: {len(nodes)} nodes>")


def _describe(expr: Any, limit: int = 60) -> str:
    """The expression's printed form if it is short, else just its operator.

    The printed form of a graph with shared nodes unfolds it into a tree, which can be
    exponentially long, so its size is checked first (in time linear in the graph).
    """
    text = str(expr) if unfolded_size(expr) <= limit // 2 else ""
    if text and len(text) <= limit:
        return text
    return f"a {getattr(expr, 'op', type(expr).__name__)} expression"


def draw_calls(root: Any, highlight_repeats: bool = True) -> Drawing:
    """Draw a tree of recursive calls; each node has ``label`` and ``children``.

    Callers sit above the calls they make; as in :func:`draw`, arrows point the way results
    travel, from each call up to its caller.

    With ``highlight_repeats``, calls that happen more than once (the wasted work) share a
    colour per distinct call, e.g. every ``fib1(2)`` in the same shade.
    """
    if not hasattr(root, "children") or not hasattr(root, "label"):
        raise TypeError(f"draw_calls() needs a call tree (.label, .children), got {root!r}")
    order: list[Any] = []
    stack = [root]
    while stack:  # a call tree has no sharing: every call is its own node
        node = stack.pop()
        order.append(node)
        stack.extend(reversed(tuple(node.children)))
    counts = Counter(node.label for node in order)
    repeated = [label for label in dict.fromkeys(n.label for n in order) if counts[label] > 1]
    colour = {label: _REPEAT_COLOURS[i % len(_REPEAT_COLOURS)] for i, label in enumerate(repeated)}
    graph = graphviz.Digraph(
        "calls",
        graph_attr={"rankdir": "TB", "nodesep": "0.25", "ranksep": "0.4"},
        node_attr={"fontname": "Helvetica", "fontsize": "12", "shape": "box", "style": "rounded"},
        edge_attr={"arrowsize": "0.6", "color": "#555555"},
    )
    names = {id(node): f"c{i}" for i, node in enumerate(order)}
    for node in order:
        attrs = {}
        if highlight_repeats and node.label in colour:
            attrs = {"style": "rounded,filled", "fillcolor": colour[node.label]}
        graph.node(names[id(node)], node.label, **attrs)
        for child in node.children:  # as in draw(): arrows carry results up, to the caller
            graph.edge(names[id(node)], names[id(child)], dir="back")
    return Drawing(graph, f"<drawing of the calls made by {root.label}: {len(order)} calls>")


def example(name: str) -> Drawing:
    """The drawings in images/: "structural_expression" (z = (x + 2) + y) or "fib" (fib1(4))."""
    if name == "structural_expression":
        from tinyml.beta import Var

        x, y = Var(1, name="x"), Var(2, name="y")
        return draw((x + 2) + y)
    if name == "fib":
        from tinyml.recursion import fib1, trace_calls

        return draw_calls(trace_calls(fib1, 4))
    raise ValueError(f"no example drawing called {name!r}; try 'structural_expression' or 'fib'")
