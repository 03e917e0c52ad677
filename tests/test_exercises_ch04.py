"""Chapter 4's q4 checker: right leaf gradients are not enough, each node must push once."""

from __future__ import annotations

import sys

from tinyml import alpha
from tinyml.exercises import ch04


def test_the_per_path_answers_get_the_right_leaf_gradients_and_are_still_refused():
    for wrong in (ch04._per_path, ch04._per_path_recursive):
        for index in range(3):
            _, ref, ref_leaves = list(ch04._fresh_graphs())[index]
            ref.backward()
            assert ch04._leaf_grads(wrong, index) == [
                leaf.g for leaf in ref_leaves
            ] or ch04.all_close(
                ch04._leaf_grads(wrong, index), [leaf.g for leaf in ref_leaves], rel_tol=1e-12
            )
        feedback = ch04.q4.grade(wrong)
        assert feedback.status == "incorrect"
        assert "once per path" in feedback.message and "changed" in feedback.message


def test_a_correct_walk_that_first_zeroes_every_g_is_accepted():
    def zero_then_push(root):
        parents = ch04._count_parents(root)
        for node in parents:
            node.g = 0.0
        root.g = 1.0
        ready = [root]
        while ready:
            node = ready.pop()
            for child, d in zip(node.children, node.local_grads, strict=True):
                child.g += node.g * d
                parents[child] -= 1
                if parents[child] == 0:
                    ready.append(child)

    assert ch04.q4.grade(zero_then_push).correct


def test_watching_leaves_the_profiler_and_the_reference_graphs_alone():
    before = sys.getprofile()
    ch04.q4.grade(ch04._per_path)
    ch04.q4.grade(ch04.my_backward)
    assert sys.getprofile() is before
    x = alpha.Var(1.0)
    z = x * x
    z.backward()
    assert type(x) is alpha.Var and x.g == 2.0
