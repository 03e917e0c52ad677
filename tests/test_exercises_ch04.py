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


def test_q1_accepts_15_up_to_rounding_and_shows_a_wrong_value_as_given():
    for near in (15, 15.0, 15.000000000000002, 14.999999999):
        assert ch04.q1.grade(near).correct, near
    feedback = ch04.q1.grade(14.5)
    assert feedback.status == "incorrect" and "14.5 is not it" in feedback.message
    assert "10 is" in ch04.q1.grade(10.000000000000002).message


def test_q4_graph_where_a_node_is_both_operands_of_the_first_parent_to_push():
    # Counting distinct parents releases a early on tanh(a) + a * a: the reference numbers
    # from the review are (0.964, 0.413) right, (0.294, 0.126) wrong.
    graphs = list(ch04._fresh_graphs())
    index = next(i for i, (text, _, _) in enumerate(graphs) if text.endswith("tanh(a) + a * a"))
    _, ref, leaves = graphs[index]
    ref.backward()
    assert [round(leaf.g, 3) for leaf in leaves] == [0.964, 0.413]
    assert [round(g, 3) for g in ch04._leaf_grads(ch04._distinct_parents, index)] == [
        0.294,
        0.126,
    ]
    feedback = ch04.q4.grade(ch04._distinct_parents)
    assert feedback.status == "incorrect" and "one per edge" in feedback.message


def test_q4_refuses_a_recursive_sort_that_is_right_on_small_graphs():
    for index in range(len(list(ch04._fresh_graphs()))):
        _, ref, ref_leaves = list(ch04._fresh_graphs())[index]
        ref.backward()
        got = ch04._leaf_grads(ch04._recursive_order, index)
        assert ch04.all_close(got, [leaf.g for leaf in ref_leaves], rel_tol=1e-12)
    feedback = ch04.q4.grade(ch04._recursive_order)
    assert feedback.status == "incorrect"
    assert "RecursionError" in feedback.message and "5,000" in feedback.message
    assert ch04.CHAIN > sys.getrecursionlimit()


def test_q1_and_q4_hints_are_staged():
    for q in (ch04.q1, ch04.q4):
        hints = q.hints()
        assert len(hints) == 3
        assert "zip(" not in hints[0] and "+=" not in hints[0]


def test_every_question_stages_its_hints_nudge_first():
    for q in (ch04.q1, ch04.q2, ch04.q3, ch04.q4):
        assert len(q.hints()) >= 3, q.title


def test_q2_and_q3_first_hints_do_not_give_the_answer_and_the_last_one_does(capsys):
    cases = [
        (ch04.q2, ("1/b", "b**2", "-a", "b**-1"), ("1/b", "-a/b**2")),
        (ch04.q3, ("3**", "2 *", "(a + a)"), ("3**k", "3**d", "geometric")),
    ]
    for q, give_away, needed in cases:
        first, *more = q.hints()
        assert not any(word in first for word in give_away), first
        assert all(word in more[-1] for word in needed), more[-1]
        q.hint()
        q.hint(len(q.hints()))
        nudge, last = capsys.readouterr().out.splitlines()
        assert "hint(2) says more" in nudge and "solution()" in last
