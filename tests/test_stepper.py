"""tinyml.stepper: stepping through backward(), driven without a browser."""

from __future__ import annotations

import pytest

from tinyml import alpha
from tinyml.alpha import Var, topological_order
from tinyml.stepper import describe, draw_step, final_grads, stepper, steps, waiting
from tinyml.widgets import PNG_MAGIC


def example():
    x, y = Var(2.0, name="x"), Var(5.0, name="y")
    a = x * y
    return (a + x) * a, x, y


def test_one_step_per_node_in_topological_order():
    top, _, _ = example()
    all_steps = steps(top)
    order = [s.node for s in all_steps]
    assert order == topological_order(top)
    position = {node: i for i, node in enumerate(order)}
    for node in order:  # every node comes after all of its parents
        for child in node.children:
            assert position[child] > position[node]


def test_each_step_adds_only_its_own_pushes_and_the_last_equals_both_backward_passes():
    top, x, y = example()
    all_steps = steps(top)
    for before, step in zip(all_steps, all_steps[1:], strict=False):
        changed = {n for n in step.grads if step.grads[n] != before.grads.get(n)}
        assert changed <= {child for child, _ in step.pushes}
        assert step.g == before.grads[step.node]  # complete before it pushes
    top.backward()
    want = {node: node.g for node in topological_order(top)}
    assert final_grads(all_steps) == pytest.approx(want)
    assert (x.g, y.g) == (2 * 2 * 25 + 2 * 2 * 5, 2 * 4 * 5 + 4)  # z = x²y² + x²y
    top, _, _ = example()  # and to backward_simple, the version the slider replays
    alpha.backward_simple(top)
    assert final_grads(steps(top)) == pytest.approx({n: n.g for n in topological_order(top)})


def test_replay_leaves_the_graph_alone():
    top, x, _ = example()
    steps(top)
    assert x.g == 0.0 and top.g == 0.0


def test_the_slider_redraws_picture_and_caption_per_step():
    top, _, _ = example()
    ex = stepper(top, start=1)
    pictures, captions = {ex.png}, {ex.caption}
    assert ex.png.startswith(PNG_MAGIC)
    assert ex.caption.startswith("step 1 of 5: the top × node has its whole gradient, 1")
    for k in range(2, 6):
        ex.set(step=k)
        pictures.add(ex.png)
        captions.add(ex.caption)
    assert len(pictures) == 5 and len(captions) == 5
    assert "leaf" in ex.caption


def test_drawing_highlights_the_current_node_and_marks_partial_gradients():
    top, _, _ = example()
    all_steps = steps(top)
    first = draw_step(top, all_steps, 1).source
    assert "#ffd54f" in first  # the highlight
    assert "step 1 of 5" in first  # the sentence is part of the picture, for static viewers
    assert "so far" in first and "grad ?" in first
    last = draw_step(top, all_steps, 5).source
    assert "grad ?" not in last and "so far" not in last


def test_bad_input():
    top, _, _ = example()
    with pytest.raises(TypeError, match="Alpha expression"):
        steps(3.0)
    with pytest.raises(ValueError, match="between 1 and 5"):
        stepper(top, start=0)
    with pytest.raises(ValueError, match="between 1 and 5"):
        draw_step(top, steps(top), 6)
    assert len(steps(alpha.Var(1.0))) == 1


def test_so_far_only_where_a_parent_has_still_to_push():
    top, x, y = example()  # z = (a + x) * a: order z, a + x, a = x * y, then the leaves
    all_steps = steps(top)
    a = all_steps[2].node
    assert waiting(all_steps, 1) == {a, x, y}  # a has the push of z, not yet of a + x
    assert "grad 12 so far" in draw_step(top, all_steps, 1).source  # z pushes a + x = 12
    assert waiting(all_steps, 2) == {x, y}  # a is complete; x waits for a, y has nothing
    assert waiting(all_steps, 3) == set()  # every parent of x and y has pushed: final
    assert "so far" not in draw_step(top, all_steps, 3).source


def test_captions_tell_the_two_products_apart():
    x, y = Var(2.0, name="x"), Var(5.0, name="y")
    a = x * y
    top = (a + x) * a
    all_steps = steps(top)
    text = [describe(s, k, len(all_steps)) for k, s in enumerate(all_steps, 1)]
    assert text[0].startswith("step 1 of 5: the top × node has its whole gradient, 1,")
    assert "to the × node (x × y)" in text[0]
    assert text[2].startswith("step 3 of 5: the × node (x × y) has its whole gradient, 22,")
    leaf_only = steps(Var(1.0, name="w"))
    assert describe(leaf_only[0], 1, 1).startswith("step 1 of 1: w has its whole gradient")
    assert "to the tanh node (tanh(x))" in describe(steps(x.tanh() * y)[0], 1, 4)
