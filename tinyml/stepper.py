"""Step through the backward pass one node at a time, on any Alpha expression.

``steps(root)`` replays the simple backward pass (``tinyml.alpha.backward_simple``): the nodes
in a topological order, each pushing ``its gradient * local derivative`` to its children. Step
k records which node pushed and every gradient known after its push. ``draw_step`` draws
step k with the node's value and gradient so far on every node, the current node
highlighted; ``stepper(root)`` puts a slider on it (``tinyml.widgets.explore``). Nothing is
written to the nodes' ``g``: the replay keeps its own numbers.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import ipywidgets

from tinyml import viz
from tinyml.alpha import Node, topological_order
from tinyml.widgets import Explorer, explore

__all__ = ["Step", "steps", "draw_step", "stepper"]

HIGHLIGHT = {"fillcolor": "#ffd54f", "color": "#b26a00", "penwidth": "3"}


@dataclass(frozen=True)
class Step:
    """One node's turn: its gradient when it pushed, what it pushed to whom, and every
    gradient known after the push (a node missing from ``grads`` has received nothing yet)."""

    node: Node
    g: float
    pushes: tuple[tuple[Node, float], ...]
    grads: dict[Node, float]


def steps(root: Node, upstream: float = 1.0) -> list[Step]:
    """Replay ``backward_simple(root, upstream)`` node by node, without touching any ``g``."""
    if not isinstance(root, Node):
        raise TypeError(
            f"steps() needs an Alpha expression, got {root!r} of type {type(root).__name__}; "
            "build it from tinyml.alpha Var and Const"
        )
    grads: dict[Node, float] = {root: float(upstream)}
    out = []
    for node in topological_order(root):
        g = grads[node]
        pushes = []
        for child, d in zip(node.children, node.local_grads, strict=True):
            grads[child] = grads.get(child, 0.0) + g * d
            pushes.append((child, g * d))
        out.append(Step(node, g, tuple(pushes), dict(grads)))
    return out


def _fmt(x: float) -> str:
    return format(x, ".4g")


def _label(node: Node) -> str:
    if node.op == "var":
        return node.name or "a variable"
    if node.op == "const":
        return f"the constant {_fmt(node.value())}"
    head = viz._head(node)
    children = node.children
    if all(not child.children for child in children):  # spell out small nodes: (x × y)
        parts = [viz._head(child) for child in children]
        what = f"{head}({parts[0]})" if len(parts) == 1 else f" {head} ".join(parts)
        return f"the {head} node ({what})"
    return f"the {head} node"


def describe(step: Step, number: int, total: int) -> str:
    """A sentence for the caption: which node pushed what to whom (step 1 is the top's)."""
    who = f"the top {viz._head(step.node)} node" if number == 1 else _label(step.node)
    if number == 1 and not step.node.children:
        who = _label(step.node)
    head = f"step {number} of {total}: {who} has its whole gradient, {_fmt(step.g)}"
    if not step.pushes:
        return f"{head}; it is a leaf, so it pushes nothing"
    parts = [
        f"{_fmt(step.g)} × {_fmt(d)} = {_fmt(amount)} to {_label(child)}"
        for (child, amount), d in zip(step.pushes, step.node.local_grads, strict=True)
    ]
    return f"{head}, and pushes " + "; ".join(parts)


def waiting(all_steps: list[Step], number: int) -> set[Node]:
    """The nodes whose gradient after step ``number`` is not final: some parent has not
    pushed into them yet."""
    done = {s.node for s in all_steps[:number]}
    return {child for s in all_steps[number:] for child in s.node.children if s.node not in done}


def draw_step(root: Node, all_steps: list[Step], number: int) -> viz.Drawing:
    """The drawing of step ``number`` (1-based): value and gradient on every node, "so far"
    where a parent has still to push, "grad ?" where nothing has arrived yet, and the node
    whose turn it is highlighted."""
    if not 1 <= number <= len(all_steps):
        raise ValueError(f"step must be between 1 and {len(all_steps)}, got {number!r}")
    step = all_steps[number - 1]
    partial = waiting(all_steps, number)

    def note(node: Node) -> str:
        if node not in step.grads:
            return "grad ?"
        g = _fmt(step.grads[node])
        return f"grad {g} so far" if node in partial else f"grad {g}"

    drawing = viz.draw(root, values=True, note=note)
    names = {id(node): f"n{i}" for i, node in enumerate(viz.walk(root))}
    drawing.graph.node(names[id(step.node)], **HIGHLIGHT)  # later attributes win in DOT
    sentence = describe(step, number, len(all_steps))
    lines = sentence.replace(", and pushes ", ",\nand pushes ").replace("; ", ";\n")
    label = lines.replace("\n", "\\l") + "\\l"  # \l: left-aligned lines in DOT
    drawing.graph.attr(label=label, labelloc="b", fontsize="12", fontname="Helvetica")
    drawing.title = f"<backward_simple, {sentence}>"
    return drawing


def _png(drawing: viz.Drawing, dpi: int = 80) -> bytes:
    graph = drawing.graph.copy()
    graph.graph_attr["dpi"] = str(dpi)
    return graph.pipe(format="png")


def stepper(root: Node, start: int = 1, upstream: float = 1.0) -> Explorer:
    """A slider over the steps of ``backward_simple(root)``; the picture shows step ``start``
    until the slider moves. Needs Graphviz's ``dot``."""
    all_steps = steps(root, upstream)
    total = len(all_steps)
    if not 1 <= start <= total:
        raise ValueError(f"start must be between 1 and {total}, got {start!r}")

    def draw(step: int) -> bytes:
        return _png(draw_step(root, all_steps, step))

    def caption(step: int) -> str:
        return describe(all_steps[step - 1], step, total)

    slider = ipywidgets.IntSlider(
        value=start, min=1, max=total, step=1, description="step", continuous_update=True
    )
    return explore(draw, caption=caption, step=slider)


def final_grads(all_steps: list[Step]) -> dict[Any, float]:
    """The gradients after the last step: what ``backward_simple`` (and ``backward()``) leave
    in every ``g``."""
    return dict(all_steps[-1].grads)
