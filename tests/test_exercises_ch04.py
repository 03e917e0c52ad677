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
        (ch04.q3, ("4**", "2 *", "(a + a)"), ("4**k", "4**d", "geometric")),
    ]
    for q, give_away, needed in cases:
        first, *more = q.hints()
        assert not any(word in first for word in give_away), first
        assert all(word in more[-1] for word in needed), more[-1]
        q.hint()
        q.hint(len(q.hints()))
        nudge, last = capsys.readouterr().out.splitlines()
        assert "hint(2) says more" in nudge and "solution()" in last


# -- the second learner read (review 4b): answers that were graded right and were not --------
def _stack_per_path(root):
    """Per path with an explicit stack, summing in a dict: g is written once per node."""
    g = {}
    stack = [(root, 1.0)]
    while stack:
        n, up = stack.pop()
        g[n] = g.get(n, 0.0) + up
        for c, d in zip(n.children, n.local_grads, strict=True):
            stack.append((c, up * d))
    for n, v in g.items():
        n.g += v


def _leaves_per_path(root):
    """Per path, writing only the leaves (and root.g = 1.0)."""
    root.g = 1.0
    stack = [(root, 1.0)]
    while stack:
        n, up = stack.pop()
        if not n.children:
            n.g += up
        for c, d in zip(n.children, n.local_grads, strict=True):
            stack.append((c, up * d))


def _order_list_then_push(root):
    """Right: Kahn's order made into a list first, then one loop (the prompt allows a list)."""
    parents = ch04._count_parents(root)
    order, ready = [], [root]
    while ready:
        node = ready.pop()
        order.append(node)
        for child in node.children:
            parents[child] -= 1
            if parents[child] == 0:
                ready.append(child)
    root.g = 1.0
    for node in order:
        for child, d in zip(node.children, node.local_grads, strict=True):
            child.g += node.g * d


def _leaf_check_per_edge(root):
    """Right, and reads each child's children once per edge (a leaf test): within budget."""
    parents = ch04._count_parents(root)
    root.g = 1.0
    ready = [root]
    while ready:
        node = ready.pop()
        for child, d in zip(node.children, node.local_grads, strict=True):
            child.g += node.g * d
            parents[child] -= 1
            if parents[child] == 0 and child.children:
                ready.append(child)


def _graded_quickly(q, answer):
    import time

    start = time.perf_counter()
    feedback = q.grade(answer)
    assert time.perf_counter() - start < 1.0, (q.title, answer)
    return feedback


def test_q4_per_path_walks_that_write_each_g_once_are_refused_by_their_reads():
    feedback = _graded_quickly(ch04.q4, _stack_per_path)
    assert feedback.status == "incorrect"
    assert "visits a node once per path" in feedback.message
    assert "looked at x" in feedback.message
    feedback = _graded_quickly(ch04.q4, _leaves_per_path)
    assert feedback.status == "incorrect" and "once per path" in feedback.message


def test_q4_a_per_path_walk_is_stopped_on_the_deep_doubling_graph_not_run_to_the_end():
    # Alone, the doubling graph (2**25 paths) would take minutes per path-walk; the read
    # budget stops it after a few hundred reads.
    *_, (text, root, leaves) = ch04._fresh_graphs()
    assert text.endswith(f"{ch04.DOUBLINGS} times a = a + a")
    edges = edges_of(root)
    _, _, too_often = ch04._call_watched(_stack_per_path, root, edges)
    assert too_often is not None
    assert ch04._READS[too_often] == ch04._read_budget(edges, too_often) + 1
    *_, (_, root, _) = ch04._fresh_graphs()
    _, _, none = ch04._call_watched(ch04.my_backward, root, edges_of(root))
    assert none is None


def edges_of(root):
    edges = {}
    for node in alpha.topological_order(root):
        for child in node.children:
            edges[child] = edges.get(child, 0) + 1
    return edges


def test_q4_right_walks_that_make_a_list_or_test_leaves_are_accepted_quickly():
    for right in (ch04.my_backward, _order_list_then_push, _leaf_check_per_edge):
        assert _graded_quickly(ch04.q4, right).correct, right.__name__


def test_q4_grad_on_the_deep_graph_is_stopped_at_once():
    feedback = _graded_quickly(ch04.q4, lambda root: root.grad(1.0))
    assert "calls grad()" in feedback.message


def test_every_ch04_answer_is_graded_within_a_second():
    for q in (ch04.q1, ch04.q2, ch04.q3, ch04.q4):
        assert _graded_quickly(q, q.answer()).correct, q.title
        for wrong, _ in q.wrong:
            assert _graded_quickly(q, wrong).status == "incorrect", (q.title, wrong)


def test_q1_a_node_as_the_answer_says_to_read_x_g():
    feedback = ch04.q1.grade(alpha.Var(15.0))
    assert feedback.status == "incorrect" and "use x.g" in feedback.message


def test_q2_the_solution_is_what_alpha_div_pushes_and_using_div_is_refused():
    for a, b, u in [(3.0, 2.0, 1.0), (0.1, -7.0, 2.5), (-4.0, 0.25, -3.0)]:
        x, y = alpha.Var(a), alpha.Var(b)
        z = x / y
        z.grad(u)
        assert ch04.all_close(ch04.div_pushes(a, b, u), (x.g, y.g), rel_tol=1e-12)
    feedback = ch04.q2.grade(lambda a, b, u: ch04._div_reference(a, b, u))
    assert "work the two numbers out yourself" in feedback.message

    def pushes_through_div(a, b, u):
        x, y = alpha.Var(a), alpha.Var(b)
        (x / y).grad(u)
        return x.g, y.g

    assert "Div" in ch04.q2.grade(pushes_through_div).message
    local_only = ch04.q2.grade(lambda a, b, u: (1 / b, -a / b**2)).message
    assert "upstream times the local derivative" in local_only


def test_q3_answers_that_do_not_predict_are_refused():
    def measures(d):
        top, _ = ch04.quadrupling(d)
        before = alpha.stats.pushes
        top.grad(1.0)
        return alpha.stats.pushes - before

    assert "measures rather than predicts" in _graded_quickly(ch04.q3, measures).message
    table = {d: 2 * 4**d - 1 for d in range(6)}
    for lookup in (lambda d: table[d], lambda d: table.get(d)):
        feedback = _graded_quickly(ch04.q3, lookup)
        assert "right for d = 0 … 5, but at d=6" in feedback.message
    feedback = _graded_quickly(ch04.q3, ch04._walks_the_paths)
    assert "did too much work" in feedback.message
    for d in ch04.DEPTHS:  # the checker's depths up to 7 are measured, not predicted
        assert ch04.measured_pushes(d) == ch04.predicted_pushes(d)


def test_q3_accepts_any_formula_that_predicts_even_in_floats_or_by_a_loop():
    def by_levels(d):
        return sum(3 * 4**k for k in range(d)) + 4**d

    def recurrence(d):
        n = 1
        for _ in range(d):
            n = 4 * n + 3
        return n

    for right in (by_levels, recurrence, lambda d: 2 * 4.0**d - 1):
        assert _graded_quickly(ch04.q3, right).correct


# -- the third learner read (review 4c) ----------------------------------------------------
def test_q3_the_range_in_the_message_is_the_depths_answered_right():
    def right_to(last):
        return lambda d: ch04.predicted_pushes(d) if d <= last else 0

    assert "right for d = 0 … 6, but at d=7 " in ch04.q3.grade(right_to(6)).message
    assert "right for d = 0 … 7, but at d=40 " in ch04.q3.grade(right_to(7)).message


def test_q3_is_not_chapter_3s_count_and_chapter_3s_formula_is_refused():
    assert "used four times" in ch04.q3.grade(lambda d: 2 * 3**d - 1).message
    top, _ = ch04.quadrupling(1)
    assert len(alpha.topological_order(top)) == 4  # x and three nodes a level


def _quadratic_by_scan(root):
    """Review 4c's answer: the right order, parents counted by a scan over all nodes."""
    nodes, todo, seen = [], [root], {root}
    while todo:
        n = todo.pop()
        nodes.append(n)
        for c in n.children:
            if c not in seen:
                seen.add(c)
                todo.append(c)
    cnt = {n: sum(list(m.children).count(n) for m in nodes) for n in nodes}
    root.g = 1.0
    ready = [root]
    while ready:
        n = ready.pop()
        for c, d in zip(n.children, n.local_grads, strict=True):
            c.g += n.g * d
            cnt[c] -= 1
            if cnt[c] == 0:
                ready.append(c)


def test_q4_a_quadratic_scan_is_told_so_not_once_per_path():
    for wrong in (_quadratic_by_scan, ch04._quadratic_scan):
        message = _graded_quickly(ch04.q4, wrong).message
        assert "quadratic scan" in message and "once per path" not in message
        assert "0 edge" not in message and "the top node" in message


def test_q4_messages_never_count_edges_of_the_top_and_name_backward_simple():
    for wrong, _ in ch04.q4.wrong:
        message = ch04.q4.grade(wrong).message
        assert "edge(s)" not in message and "backward() gives" not in message
    assert "backward_simple gives" in ch04.q4.grade(ch04._overwrites).message


def test_q4_depth_first_mistakes_get_their_own_messages():
    assert "take it off the stack" in _graded_quickly(ch04.q4, ch04._marked_on_push).message
    assert "in reverse" in _graded_quickly(ch04.q4, ch04._not_reversed).message


def test_q4_the_depth_first_solution_and_a_counting_walk_are_both_right():
    def children_reversed(root):  # depth-first, children in the other order: also right
        order, done, stack = [], set(), [(root, False)]
        while stack:
            node, expanded = stack.pop()
            if expanded:
                order.append(node)
            elif node not in done:
                done.add(node)
                stack.append((node, True))
                stack.extend((c, False) for c in reversed(node.children))
        root.g = 1.0
        for node in reversed(order):
            for c, d in zip(node.children, node.local_grads, strict=True):
                c.g += node.g * d

    for right in (ch04.my_backward, children_reversed, _order_list_then_push):
        assert _graded_quickly(ch04.q4, right).correct, right.__name__
