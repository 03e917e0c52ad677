"""Chapter 4's checkers: every solution passes, the typical wrong answers get their messages;
q4 (backward_to) must push only towards the listed leaves."""

from __future__ import annotations

import sys
import warnings

import pytest

from tinyml import alpha
from tinyml.alpha import topological_order
from tinyml.exercises import ch04


def test_watching_leaves_the_profiler_and_the_reference_graphs_alone():
    before = sys.getprofile()
    ch04.q4.grade(ch04._asks_per_path)
    ch04.q4.grade(ch04.backward_to)
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


def test_q1_y_times_x_pushing_upstream_times_x_gets_the_other_operand_rule():
    # the reader's slip: y * x hands x upstream * x (3) instead of upstream * y (4)
    answer = (3 + 3 + 3) * 1.0 + (3 + 3 + 3) * 0.5
    feedback = ch04.q1.grade(answer)
    assert feedback.status == "incorrect" and "*other* operand" in feedback.message
    assert ch04.q1.grade(15.0).correct


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
        (ch04.q2, ("1/b", "b**2", "-a", "b**-1"), ("-b**-2", "upstream")),
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
    # reader s4g: the last hint of q3 gives the counts per level, not the sum term by term
    assert "3 * 4**k" not in ch04.q3.hints()[-1]


def _graded_quickly(q, answer):
    import time

    start = time.process_time()
    feedback = q.grade(answer)
    assert time.process_time() - start < 1.0, (q.title, answer)
    return feedback


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
    assert "work the two local derivatives out by hand" in feedback.message

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


def test_q3_accepts_any_exact_formula_that_predicts_even_by_a_loop():
    def by_levels(d):
        return sum(3 * 4**k for k in range(d)) + 4**d

    def recurrence(d):
        n = 1
        for _ in range(d):
            n = 4 * n + 3
        return n

    for right in (
        by_levels,
        recurrence,
        lambda d: 2 ** (2 * d + 1) - 1,
        lambda d: (4**d << 1) - 1,
    ):
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


# -- the fourth learner read (review 4d): q4 is backward_to(root, wrt) ----------------------
def _graphs():
    return list(ch04._fresh_graphs())


def test_q4_graphs_have_a_side_graph_a_lone_leaf_a_twice_listed_leaf_and_a_deep_chain():
    texts = [text for text, *_ in _graphs()]
    assert any(f"{ch04.SIDE} times s = s + s" in t for t in texts)
    assert any("a single leaf" in t for t in texts)
    assert any("wrt = [x, x]" in t for t in texts)
    assert any(f"{ch04.CHAIN:,} times" in t for t in texts)
    assert ch04.CHAIN > sys.getrecursionlimit()
    # the side graph reaches no listed leaf, and it is where the per-path mistakes blow up
    _, root, wrt, _ = _graphs()[0]
    order = alpha.topological_order(root)
    needed = ch04._needed(order, wrt)
    assert len(order) - len(needed) > ch04.SIDE


def test_q4_the_solution_leaves_backward_simples_gradients_on_listed_leaves_and_0_elsewhere():
    for (_, root, wrt, leaves), (_, ref, _, ref_leaves) in zip(_graphs(), _graphs(), strict=True):
        before = {leaf: leaf.g for leaf in leaves}  # an unlisted leaf keeps it (s6e: y.g = 2)
        ch04.backward_to(root, wrt)
        alpha.backward_simple(ref)
        for leaf, ref_leaf in zip(leaves, ref_leaves, strict=True):
            want = ref_leaf.g if leaf in wrt else before[leaf]
            assert abs(leaf.g - want) <= 1e-12 * max(1.0, abs(want)), leaf.name


def _with_a_list_and_zeroing(root, wrt):
    """Right: needed kept in a dict, needed inner nodes zeroed first, root seeded with +=."""
    order = alpha.topological_order(root)
    needed = {leaf: True for leaf in wrt}
    for node in order[::-1]:
        for child in node.children:
            if child in needed:
                needed[node] = True
    for node in order:
        if node in needed and node.children:  # a listed leaf keeps its sum (it accumulates)
            node.g = 0.0
    if root in needed:
        root.g += 1.0
    for node in order:
        if node not in needed:
            continue
        for child, d in zip(node.children, node.local_grads, strict=True):
            if child in needed:
                child.g = child.g + node.g * d


def _kahn_order(root):
    """A parents-first order built by hand (Kahn's algorithm), without topological_order."""
    parents, todo = {root: 0}, [root]
    while todo:
        for child in todo.pop().children:
            parents[child] = parents.get(child, 0) + 1
            if parents[child] == 1:
                todo.append(child)
    order, ready = [], [root]
    while ready:
        node = ready.pop()
        order.append(node)
        for child in node.children:
            parents[child] -= 1
            if parents[child] == 0:
                ready.append(child)
    return order


def _own_kahn_order(root, wrt):
    """Right without topological_order: its own Kahn's order, then the same two loops."""
    order = _kahn_order(root)
    needed = ch04._needed(order, wrt)
    if root in needed:  # else nothing is pushed, the root's g included
        ch04._push_where(order, needed, root)


def test_q4_honest_variants_pass_within_a_second():
    for right in (ch04.backward_to, _with_a_list_and_zeroing, _own_kahn_order):
        assert _graded_quickly(ch04.q4, right).correct, right.__name__


def test_q4_pushing_everywhere_gets_right_gradients_and_is_still_refused():
    for index in range(len(_graphs())):
        _, ref, ref_wrt, _ = _graphs()[index]
        alpha.backward_simple(ref)
        got = ch04._leaf_grads(ch04._pushes_everywhere, index)
        assert ch04.all_close(got, [leaf.g for leaf in ref_wrt], rel_tol=1e-12)
    for wrong in (ch04._pushes_everywhere, ch04._skips_unlisted_leaves):
        message = _graded_quickly(ch04.q4, wrong).message
        assert "gradients are right" in message and "no listed leaf can be reached" in message


def test_q4_pruning_too_much_names_the_listed_leaf_and_backward_simples_value():
    message = _graded_quickly(ch04.q4, ch04._needed_forwards).message
    assert "pruned too much" in message and "x.g = 0 (backward_simple: " in message
    assert "backwards" in message


def test_q4_a_lone_leaf_root_a_missing_seed_and_overwriting_get_their_own_messages():
    message = _graded_quickly(ch04.q4, ch04._skips_a_leaf_root).message
    assert "a single leaf" in message and "children or not" in message
    assert "start with root.g = 1.0" in _graded_quickly(ch04.q4, ch04._no_seed).message
    assert "child.g +=" in _graded_quickly(ch04.q4, ch04._overwrites).message


def test_q4_a_leaf_listed_twice_gets_its_gradient_once():
    def doubles_a_twice_listed_leaf(root, wrt):
        ch04.backward_to(root, wrt)
        for leaf in wrt[1:]:
            if leaf is wrt[0]:
                leaf.g += leaf.g

    message = _graded_quickly(ch04.q4, doubles_a_twice_listed_leaf).message
    assert "wrt = [x, x]" in message


def test_q4_recursion_and_per_path_questions_are_stopped_quickly():
    message = _graded_quickly(ch04.q4, ch04._recursive_needed).message
    assert "RecursionError" in message and "5,000" in message
    message = _graded_quickly(ch04.q4, ch04._asks_per_path).message
    assert "for every path" in message and f"2**{ch04.SIDE}" in message


def test_q4_helpers_that_push_everywhere_are_refused_and_topological_order_is_allowed():
    for wrong, helper in (
        (ch04._then_clears, "backward_simple()"),
        (lambda root, wrt: root.grad(1.0), "grad()"),
        (lambda root, wrt: alpha.backward(root), "backward()"),
    ):
        assert f"calls {helper}" in _graded_quickly(ch04.q4, wrong).message
    assert "topological_order may help" in ch04.q4.grade(ch04._then_clears).message


def test_q4_hints_go_from_a_question_to_near_code():
    nudge, middle, last = ch04.q4.hints()
    assert "?" in nudge and "backwards" not in nudge and "+=" not in nudge
    # the middle hint asks for the order of the decisions; the last one gives it
    assert "in what order" in middle and "needed" in middle and "backwards" not in middle
    assert "backwards" in last and "forwards" in last
    # the recipe (the seed of the root, the pairing with local_grads) is left to solution()
    assert "root.g = 1.0" not in last and "local_grads" not in last and "set(wrt)" not in last


# -- the fifth learner read (review 4e) ----------------------------------------------------
def test_q3_needs_the_exact_integer_at_d_40_and_says_so_to_a_float():
    message = _graded_quickly(ch04.q3, lambda d: 2 * 4.0**d - 1).message
    assert "right for d = 0 … 7, but at d=40" in message
    assert "the result is a float (from the float 4.0)" in message
    assert "keep every operand an int (4**d, not 4.0**d" in message
    off_by_a_million = _graded_quickly(ch04.q3, lambda d: 2 * 4**d - 1 + (10**6 if d > 7 else 0))
    assert off_by_a_million.status == "incorrect"
    assert "at d=40 the push model makes 2,417,851,639,229,258,349,412,351" in (
        off_by_a_million.message
    )
    assert "float" not in off_by_a_million.message
    off_by_one = _graded_quickly(ch04.q3, lambda d: 2 * 4**d - (1 if d < 40 else 0))
    assert off_by_one.status == "incorrect" and "at d=40" in off_by_one.message
    # small floats are exact, so a float formula is right up to d = 7 and told why at 40
    assert "right for d = 0 … 7" in _graded_quickly(ch04.q3, lambda d: 2 * 4.0**d - 1).message


def test_q4_pushing_in_reversed_order_is_told_to_walk_the_order_forwards():
    message = _graded_quickly(ch04.q4, ch04._pushes_children_first).message
    assert "Push parents first: walk `order` forwards" in message
    assert "pruned too much" not in message
    # pruning too much still gets its own message, though both leave the leaves at 0 there
    assert "pruned too much" in _graded_quickly(ch04.q4, ch04._needed_forwards).message


def test_q4_a_root_that_reaches_no_listed_leaf_keeps_g_0():
    u, v, x = alpha.Var(2.0), alpha.Var(3.0), alpha.Var(1.0)
    r = u * v
    ch04.backward_to(r, [x])
    assert (r.g, u.g, v.g, x.g) == (0.0, 0.0, 0.0, 0.0)
    assert any("does not use" in text for text, *_ in _graphs())
    message = _graded_quickly(ch04.q4, ch04._seeds_always).message
    assert "no listed leaf can be reached from the top" in message
    assert "root.g = 1.0 only when the root is needed" in message
    # the old solution, root.g = 1.0 always, is exactly that mistake
    assert "root in needed" in ch04.q4.solution_text
    assert "root.g = 1.0" not in ch04.q4.hints()[-1]  # hint 3 stops short of the recipe


def test_q2_numbers_that_look_alike_are_shown_in_full():
    message = _graded_quickly(ch04.q2, lambda a, b, u: (u / b, -u * a / b**2 * (1 + 1e-4))).message
    assert "Div hands -0.75 to b, you gave -0.750075" in message
    assert ch04._show_apart(1.5, 2.0) == ("1.5", "2")
    assert ch04._show_apart(-0.7500000001, -0.75) == ("-0.7500000001", "-0.75")


def test_q4_leaf_gradients_that_look_alike_are_shown_in_full():
    def slightly_off(root, wrt):
        ch04.backward_to(root, wrt)
        wrt[0].g *= 1 + 1e-8

    message = _graded_quickly(ch04.q4, slightly_off).message
    want = repr(ch04._leaf_grads(ch04.backward_to, 0)[0])
    assert f"(backward_simple: {want})" in message


def test_q4_a_raised_recursion_limit_does_not_let_recursion_through_and_is_put_back():
    limit = sys.getrecursionlimit()

    def raises_the_limit_and_recurses(root, wrt):
        sys.setrecursionlimit(20_000)
        memo = {}

        def reaches(n):
            if n not in memo:
                memo[n] = n in wrt or any([reaches(c) for c in n.children])
            return memo[n]

        order = alpha.topological_order(root)
        ch04._push_where(order, {n for n in order if reaches(n)}, root)

    try:
        for wrong in (raises_the_limit_and_recurses, ch04._recursive_with_a_raised_limit):
            message = _graded_quickly(ch04.q4, wrong).message
            assert "calls itself once per level" in message and "5,000" in message
            assert f"put it back to {limit:,}" in message
            assert sys.getrecursionlimit() == limit
        message = _graded_quickly(ch04.q4, ch04._raises_the_limit_then_loops).message
        assert "leave the limit alone" in message and sys.getrecursionlimit() == limit
        assert _graded_quickly(ch04.q4, ch04.backward_to).correct
        assert sys.getrecursionlimit() == limit
    finally:
        sys.setrecursionlimit(limit)


def test_q4_the_stack_depth_is_measured_only_while_the_learners_function_runs():
    before = sys.getprofile()
    assert _graded_quickly(ch04.q4, ch04._recursive_needed).status == "incorrect"
    assert sys.getprofile() is before

    # a shallow helper call per node is fine: depth does not grow with the chain
    def with_a_helper(root, wrt):
        def decide(node, needed):
            return any(child in needed for child in node.children)

        order = alpha.topological_order(root)
        needed = set(wrt)
        for node in reversed(order):
            if decide(node, needed):
                needed.add(node)
        if root in needed:
            ch04._push_where(order, needed, root)

    assert _graded_quickly(ch04.q4, with_a_helper).correct


def test_q4_deciding_needed_forwards_with_a_guarded_seed_is_told_to_read_backwards():
    message = _graded_quickly(ch04.q4, ch04._needed_forwards_seeds_if_needed).message
    assert "never marked the root as needed" in message and "backwards" in message
    assert "start with root.g = 1.0" not in message
    # the missing seed alone still gets its own message (its docstring names root.g = 1.0)
    message = _graded_quickly(ch04.q4, ch04._no_seed).message
    assert "start with root.g = 1.0" in message and "never marked" not in message


def test_q4_returning_the_gradients_is_told_to_leave_them_in_g():
    message = _graded_quickly(ch04.q4, ch04._returns_the_gradients).message
    assert "the return value is ignored; leave the result in .g" in message


def test_q4_a_crash_names_the_graph_and_the_learners_line():
    def crashes(root, wrt):
        order = alpha.topological_order(root)
        return order[0].nope  # the line the message must name

    message = _graded_quickly(ch04.q4, crashes).message
    line = crashes.__code__.co_firstlineno + 2
    assert "raised AttributeError" in message and f"at line {line} of " in message
    assert "order[0].nope" in message and "on the graph" in message


def test_q3_an_int_rounded_through_a_float_gets_the_float_explanation():
    import math

    for wrong in (lambda d: int(2 * 4.0**d - 1), lambda d: int(2 * math.pow(4, d) - 1)):
        message = _graded_quickly(ch04.q3, wrong).message
        assert "at d=40" in message and "passed through a float (from " in message
        assert "keep every operand an int (4**d, not 4.0**d" in message
        assert "table" not in message
    assert _graded_quickly(ch04.q3, lambda d: int(2 * 4**d - 1)).correct


def test_q2_any_pair_of_numbers_is_accepted_and_a_string_is_not():
    import numpy as np

    for right in (
        lambda a, b, u: [u / b, -u * a / b**2],
        lambda a, b, u: np.array([u / b, -u * a / b**2]),
        lambda a, b, u: (np.float64(u / b), np.float32(-u * a / b**2)),
    ):
        feedback = _graded_quickly(ch04.q2, right)
        assert feedback.correct or "-0.75" in feedback.message, feedback.message
    assert _graded_quickly(ch04.q2, lambda a, b, u: np.array([u / b, -u * a / b**2])).correct
    for wrong in (lambda a, b, u: "ab", lambda a, b, u: (1.0, 2.0, 3.0), lambda a, b, u: {1, 2}):
        assert "return a pair, e.g. a tuple" in _graded_quickly(ch04.q2, wrong).message


# -- the seventh learner read (review 4g) --------------------------------------------------


def test_q4_right_nodes_with_wrong_amounts_are_not_told_they_pruned_too_much():
    for wrong, words in [
        (ch04._forgets_the_local_derivative, "node.g * d, not node.g"),
        (ch04._reversed_pairing, "zip(node.children, node.local_grads)"),
        (ch04._pushes_in_its_own_order, "push in topological_order(root)"),
    ]:
        message = _graded_quickly(ch04.q4, wrong).message
        assert "The right nodes pushed, but the amounts are wrong" in message, wrong.__name__
        assert words in message and "pruned too much" not in message, wrong.__name__

    def doubles_every_push(root, wrt):  # a wrong amount of no known kind
        order = ch04.topological_order(root)
        needed = ch04._needed(order, wrt)
        root.g = 1.0
        for node in order:
            if node in needed:
                for child, d in zip(node.children, node.local_grads, strict=True):
                    if child in needed:
                        child.g += 2 * node.g * d

    message = _graded_quickly(ch04.q4, doubles_every_push).message
    assert message.endswith(ch04._RIGHT_NODES) and "pruned" not in message
    assert "pruned too much" in _graded_quickly(ch04.q4, ch04._needed_forwards).message


def test_q3_an_overflowing_fixed_size_integer_is_named():
    np = pytest.importorskip("numpy")
    with np.errstate(over="ignore"), warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)
        message = _graded_quickly(ch04.q3, lambda d: np.int64(2) * np.int64(4) ** d - 1).message
        assert "int64 overflowed at d=40" in message and "Python's 4**d" in message
        wrapped = _graded_quickly(ch04.q3, lambda d: int(np.int64(2) * np.int64(4) ** d - 1))
        assert "negative count" in wrapped.message and "4**d" in wrapped.message
    assert _graded_quickly(
        ch04.q3, lambda d: int(np.int64(2) * 4**d) - 1 if d < 30 else 2 * 4**d - 1
    ).correct


def test_q2_beta_and_numeric_differences_are_refused_and_exact_formulas_pass():
    from tinyml import beta, numeric

    def with_beta(a, b, u):
        x, y = beta.Var(a), beta.Var(b)
        da, db = beta.gradient(x / y, [x, y])
        return u * da, u * db

    def with_numeric(a, b, u):
        return (
            u * numeric.central_difference(lambda t: t / b, a),
            u * numeric.central_difference(lambda t: a / t, b),
        )

    def by_hand_differences(a, b, u, h=1e-5):
        return (
            u * ((a + h) / b - (a - h) / b) / (2 * h),
            u * (a / (b + h) - a / (b - h)) / (2 * h),
        )

    assert "tinyml.beta" in _graded_quickly(ch04.q2, with_beta).message
    assert "tinyml.numeric" in _graded_quickly(ch04.q2, with_numeric).message
    assert "close, but not exact" in _graded_quickly(ch04.q2, by_hand_differences).message
    for right in (
        ch04.div_pushes,
        lambda a, b, u: (u / b, -u * a / b**2),
        lambda a, b, u: (u / b, -u * a / (b * b)),
        lambda a, b, u: (u * b**-1, -a * u * b**-2),
        lambda a, b, u: [u / b, -(a / b) * (u / b)],
    ):
        assert _graded_quickly(ch04.q2, right).correct


def test_q4_middle_hint_asks_about_the_checkers_first_graph():
    middle = ch04.q4.hints()[1]
    assert "Is u * x needed? Is u?" in middle and "wrt = [x, y]" in middle
    text, root, wrt, _ = next(ch04._fresh_graphs())
    assert "u * x" in text and "wrt = [x, y]" in text
    needed = ch04._needed(ch04.topological_order(root), wrt)
    names = {n.name for n in needed if getattr(n, "name", None)}
    assert {"x", "y"} <= names and "u" not in names


def test_q3_slow_first_time_work_inside_the_function_is_not_taken_for_path_walking():
    done = []

    def imports_on_first_call(d):
        if not done:  # like a first `import numpy` inside the function: many calls, once
            sum(abs(k) for k in range(3 * ch04.BUDGET))
            done.append(True)
        return 2 * 4**d - 1

    assert _graded_quickly(ch04.q3, imports_on_first_call).correct
    assert "did too much work" in _graded_quickly(ch04.q3, ch04._walks_the_paths).message


def test_q1_text_leaves_the_double_push_to_the_second_hint():
    import json
    from pathlib import Path

    nb = Path(__file__).parent.parent / "notebooks" / "04_backpropagation.ipynb"
    cells = json.loads(nb.read_text(encoding="utf-8"))["cells"]
    text = next("".join(c["source"]) for c in cells if "### Exercise 1\n" in "".join(c["source"]))
    assert "pushes to `x` twice" not in text and "once as each operand" not in text
    nudge, middle, last = ch04.q1.hints()
    # reader s4c: the second hint asks the x * x question; only the third answers it
    assert "twice" not in nudge and "twice" not in middle and "twice" in last
    assert "How many times does x * x push to x" in middle


# -- the eighth learner read (review 4h) ---------------------------------------------------
def test_q3_a_float_result_names_the_float_operand_not_always_4_0():
    minus_float = _graded_quickly(ch04.q3, lambda d: 2 * 4**d - 1.0).message
    assert "the result is a float (from the float 1.0)" in minus_float
    assert "float 4.0" not in minus_float
    halved = _graded_quickly(ch04.q3, lambda d: (4 ** (d + 1) - 2) / 2).message
    assert "from the division /; // keeps an int" in halved
    assert "from float()" in _graded_quickly(ch04.q3, lambda d: float(2 * 4**d - 1)).message
    # no float operand in sight: a general phrase, no claim about 4.0**d
    import numpy as np

    general = _graded_quickly(ch04.q3, lambda d: np.float64(2) * 4**d - 1).message
    assert "a float" in general and ("some operand" in general or "from " in general)
    assert _graded_quickly(ch04.q3, lambda d: (4 ** (d + 1) - 2) // 2).correct


def test_q3_a_crash_names_the_depth_as_d():
    def crashes(d):
        return 2 * 4**depth - 1  # noqa: F821

    message = _graded_quickly(ch04.q3, crashes).message
    assert "calling it with d=0 raised NameError" in message and "(0)" not in message


def test_q4_pushing_zero_into_the_pruned_part_is_refused_and_honest_variants_are_not():
    message = _graded_quickly(ch04.q4, ch04._pushes_zero_into_the_pruned_part).message
    assert "your function added 0.0 to the g of 26 nodes that lead to no listed leaf" in message
    assert "(such as u)" in message and "still a push into a skipped node" in message
    assert "local_grads of" not in message  # reading a skipped node's local_grads is allowed

    def reads_every_nodes_local_grads(root, wrt):
        order = topological_order(root)
        needed = ch04._needed(order, wrt)
        for node in order:  # inner nodes start from 0 (session 6e)
            if node in needed and node.children:
                node.g = 0.0
        if root in needed:
            root.g += 1.0
        for node in order:
            for child, d in zip(node.children, node.local_grads, strict=True):
                if node in needed and child in needed:
                    child.g += node.g * d

    # reading a skipped node's local_grads, without pushing, is allowed (session 6b rule)
    assert _graded_quickly(ch04.q4, reads_every_nodes_local_grads).correct

    def sets_a_pruned_root_to_zero(root, wrt):  # root.g = 0.0 for a pruned root: wrong (s6f)
        order = topological_order(root)
        needed = ch04._needed(order, wrt)
        for node in order:  # inner nodes start from 0 (session 6e)
            if node in needed and node.children:
                node.g = 0.0
        root.g = root.g + 1.0 if root in needed else 0.0
        for node in order:
            if node not in needed:
                continue
            for i, child in enumerate(node.children):
                if child in needed:
                    child.g += node.g * node.local_grads[i]

    # s6f: a skipped root's g is left exactly as it is, so resetting one that held 1.0 is wrong
    message = _graded_quickly(ch04.q4, sets_a_pruned_root_to_zero).message
    assert "your function set root.g to 0 (root.g held 1.0" in message, message


def test_q4_a_leaf_listed_twice_and_given_its_gradient_twice_is_told_so_once():
    message = _graded_quickly(ch04.q4, ch04._adds_once_per_listing).message
    assert "x is listed twice; it still gets its gradient once" in message
    assert message.count("x.g =") == 1  # x shown once, not once per listing
    assert "amounts are wrong" not in message


def test_q4_one_pruned_pass_per_listed_leaf_is_refused_and_one_pass_is_not():
    # the first graph lists two distinct leaves, so a pass per leaf shows there
    _, _, wrt, _ = _graphs()[0]
    assert len(set(wrt)) == 2
    message = _graded_quickly(ch04.q4, ch04._one_pass_per_leaf).message
    assert "gradients are right" in message
    assert "you make one pass per listed leaf: push every needed node once, in one pass" in message
    assert " node)" not in message  # tanh(a) has no short printed form: no example named

    def one_pass_in_a_dict(root, wrt):  # honest: one pass, gradients kept in a dict
        order = topological_order(root)
        needed = ch04._needed(order, wrt)
        if root not in needed:
            return
        grads = {root: 1.0}
        for node in order:
            if node in needed:
                local = node.local_grads  # read once per node
                for child, d in zip(node.children, local, strict=True):
                    if child in needed:
                        grads[child] = grads.get(child, 0.0) + grads[node] * d
        for leaf in set(wrt):
            leaf.g += grads.get(leaf, 0.0)

    assert _graded_quickly(ch04.q4, one_pass_in_a_dict).correct


def test_q4_side_graph_nodes_are_named_by_their_printed_form_never_by_their_operator():
    for wrong in (ch04._pushes_everywhere, ch04._pushes_zero_into_the_pruned_part):
        message = _graded_quickly(ch04.q4, wrong).message
        assert "(such as u)" in message and " node)" not in message
    assert ch04._printed(alpha.Var(1.0, name="u") * alpha.Var(2.0, name="x")) == "(* u x)"
    root, _ = ch04._chain(3)
    assert ch04._printed(root) is None and ch04._such_as([root]) == ""


def test_q3_an_integer_valued_fraction_is_exact_and_a_str_is_told_to_be_an_int():
    import fractions

    # The reader's code, verbatim: an exact Fraction is not a float.
    assert _graded_quickly(ch04.q3, lambda d: fractions.Fraction(2 * 4**d - 1)).correct
    message = _graded_quickly(ch04.q3, lambda d: str(2 * 4**d - 1)).message
    assert "return an int, not a str" in message and "'1'" in message
    off = _graded_quickly(ch04.q3, lambda d: fractions.Fraction(2 * 4**d - 1, 3)).message
    assert "at depth d=0 the push model makes 1 grad() call" in off


def test_q2_forgetting_a_or_upstream_on_one_side_gets_its_own_message():
    forgot_a = _graded_quickly(ch04.q2, lambda a, b, u: (u / b, -u / b**2)).message
    assert "the derivative towards b involves the numerator" in forgot_a
    one_sided = _graded_quickly(ch04.q2, lambda a, b, u: (u / b, -a / b**2)).message
    assert "multiply both local derivatives by upstream" in one_sided
    assert _graded_quickly(ch04.q2, lambda a, b, u: (u / b, -u * a / b**2)).correct


def test_q2_the_last_hint_asks_for_the_last_step_and_leaves_the_answer_to_the_solution():
    # The reader: hint 3 was the whole answer; it now asks what a times -b**-2 gives.
    assert not any("-a/b**2" in hint or "-a / b**2" in hint for hint in ch04.q2.hints())
    assert "-a / b**2" in ch04.q2.solution_text and "-a/b**2" in ch04.q2.solution_text


def _readers_per_path_push(root, wrt):  # the reader's code, verbatim but for the layout
    order = topological_order(root)
    need = set(wrt)
    for node in reversed(order):
        if any(c in need for c in node.children):
            need.add(node)
    if root not in need:
        return
    stack = [(root, 1.0)]
    while stack:
        node, up = stack.pop()
        node.g += up
        if node.children:
            for child, d in zip(node.children, node.local_grads):  # noqa: B905 (verbatim)
                if child in need:
                    stack.append((child, up * d))


def test_q4_a_push_per_path_is_told_so_not_that_it_makes_a_pass_per_leaf():
    message = _graded_quickly(ch04.q4, _readers_per_path_push).message
    assert "once per path into it: you push once per path, like grad()" in message
    assert "wait until a node has all its parents' pushes" in message.lower()
    assert "one pass per listed leaf" not in message
    message = _graded_quickly(ch04.q4, ch04._one_pass_per_leaf).message
    assert "one pass per listed leaf" in message and "per path" not in message


def test_q4_overwriting_only_the_leaves_is_told_to_add():
    def overwrites_leaves(root, wrt):  # the reader's mistake: inner nodes add, leaves take =
        order = topological_order(root)
        need = ch04._needed(order, wrt)
        if root not in need:
            return
        root.g = 1.0
        for node in order:
            if node in need and node.children:
                for child, d in zip(node.children, node.local_grads):  # noqa: B905 (verbatim)
                    if child in need:
                        if child.children:
                            child.g += node.g * d
                        else:
                            child.g = node.g * d

    message = _graded_quickly(ch04.q4, overwrites_leaves).message
    assert "x holds only one of the pushes that reached it" in message
    assert "must add (+=) each push, not overwrite" in message
    assert "amounts are wrong" not in message


def test_q3_an_int64_that_raises_overflowerror_at_d_40_is_told_about_fixed_size_ints():
    np = pytest.importorskip("numpy")
    message = _graded_quickly(ch04.q3, lambda d: np.int64(2) * 4**d - 1).message  # the reader's
    assert "raised OverflowError" in message and "numpy's int64) holds 64 bits" in message
    assert "needs 81; use Python's 4**d" in message
    assert "table of measured values" not in message


# -- the third fresh read of the structural pass (report ch4c) ----------------------------
def _readers_root_counted_per_listing(root, wrt):  # the reader's code, verbatim but for names
    order = topological_order(root)
    needed = set(wrt)
    for n in reversed(order):
        if any(c in needed for c in n.children):
            needed.add(n)
    for w in wrt:
        if w is root:
            root.g += 1.0  # 1 per listing
    if root in needed and root.children:
        root.g = 1.0
    for n in order:
        if n in needed:
            for c, d in zip(n.children, n.local_grads):  # noqa: B905 (verbatim)
                if c in needed:
                    c.g += n.g * d


def test_q4_a_root_listed_twice_still_gets_its_gradient_once():
    assert any("a single leaf, with wrt = [x, x]" in text for text, *_ in _graphs())
    message = _graded_quickly(ch04.q4, _readers_root_counted_per_listing).message
    assert "a single leaf, with wrt = [x, x]" in message
    assert "x.g = 2 (backward_simple: 1)" in message
    assert "x is listed twice; it still gets its gradient once" in message
    assert _graded_quickly(ch04.q4, ch04.backward_to).correct


def test_q3_an_int_off_by_one_is_not_blamed_on_a_float():
    message = _graded_quickly(ch04.q3, lambda d: 2 * 4**d - (1 if d < 8 else 0)).message
    assert "right for d = 0 … 7, but at d=40" in message
    assert "(+1 off)" in message and "float" not in message
    # an int that did pass through a float is still told so
    rounded = _graded_quickly(ch04.q3, lambda d: int(2 * 4.0**d - 1)).message
    assert "passed through a float (from the float 4.0)" in rounded


def test_q4_one_pass_per_leaf_gives_the_count_of_reread_nodes_as_a_lower_bound():
    message = _graded_quickly(ch04.q4, ch04._one_pass_per_leaf).message
    assert "local_grads of at least one needed node more than once" in message
    assert "of 1 needed node" not in message


def test_q4_every_number_of_a_message_has_the_same_format():
    def wrong_x(root, wrt):
        ch04.backward_to(root, wrt)
        wrt[0].g += 1.0

    y = ch04._leaf_grads(ch04.backward_to, 0)[1]
    message = _graded_quickly(ch04.q4, wrong_x).message
    assert f"y.g = {y:g} (backward_simple: {y:g})" in message
    assert repr(y) not in message


def test_q1_first_hint_points_at_the_node_that_uses_x_twice():
    nudge = ch04.q1.hints()[0]
    assert "x * x" in nudge and "g accumulates" not in nudge and "clears" not in nudge


# -- the fourth fresh read of the fixed chapter (report ch4d) ------------------------------
def _readers_zeroing_to_be_safe(root, wrt):  # the reader's code, but for layout and strict=
    order = topological_order(root)
    needed = set(wrt)
    for node in reversed(order):
        if any(c in needed for c in node.children):
            needed.add(node)
    for node in order:
        if node not in needed:
            node.g = 0.0
    if root in needed:
        root.g = 1.0
    for node in order:
        if node in needed:
            for c, d in zip(node.children, node.local_grads, strict=True):
                if c in needed:
                    c.g += node.g * d


def _readers_zeroing_to_be_safe_fixed(root, wrt):
    """The same, but zeroing every inner node (as backward_simple does) and no leaf, and with
    root.g += 1.0 (session 6e: a skipped leaf keeps its sum, the root adds). Wrong since s6f:
    it also resets the skipped inner nodes, whose g is left exactly as it is."""
    order = topological_order(root)
    needed = set(wrt)
    for node in reversed(order):
        if any(c in needed for c in node.children):
            needed.add(node)
    for node in order:
        if node.children:
            node.g = 0.0
    if root in needed:
        root.g += 1.0
    for node in order:
        if node in needed:
            for c, d in zip(node.children, node.local_grads, strict=True):
                if c in needed:
                    c.g += node.g * d


def _adds_zero_into_pruned_children(root, wrt):
    """Needed nodes only, but 0.0 added (g += 0.0) into their pruned children."""
    order = topological_order(root)
    needed = ch04._needed(order, wrt)
    if root in needed:
        root.g = 1.0
    for node in order:
        if node in needed:
            for c, d in zip(node.children, node.local_grads, strict=True):
                c.g += node.g * d if c in needed else 0.0


def test_q4_setting_pruned_nodes_to_zero_passes_and_adding_zero_is_described_as_such():
    # zeroing every inner node, skipped ones too, was accepted until s6f: a skipped inner
    # node's g is left exactly as it is (s6f decision), so it is refused now
    message = _graded_quickly(ch04.q4, _readers_zeroing_to_be_safe_fixed).message
    assert "your function set (* u v).g to 0 ((* u v).g held 1.0" in message, message
    # verbatim, it sets root.g = 1.0 even for a leaf root that holds an earlier sum (s6e)
    message = _graded_quickly(ch04.q4, _readers_zeroing_to_be_safe).message
    assert "root.g += 1.0, not root.g = 1.0" in message, message
    message = _graded_quickly(ch04.q4, _adds_zero_into_pruned_children).message
    assert "your function added 0.0 to the g of 2 nodes" in message
    assert "still a push into a skipped node" in message and "local_grads of" not in message
    message = _graded_quickly(ch04.q4, ch04._pushes_zero_into_the_pruned_part).message
    assert "added 0.0 to the g of 26 nodes" in message and "local_grads of" not in message


def _first_seen_order(root, wrt):
    """Its own order, each node where a walk from the root first sees it: not parents-first."""
    order, seen, stack = [], {root}, [root]
    while stack:
        node = stack.pop()
        order.append(node)
        for c in node.children:
            if c not in seen:
                seen.add(c)
                stack.append(c)
    needed = set(wrt)
    for node in reversed(order):
        if any(c in needed for c in node.children):
            needed.add(node)
    if root in needed:
        root.g = 1.0
    for node in order:
        if node in needed:
            for c, d in zip(node.children, node.local_grads, strict=True):
                if c in needed:
                    c.g += node.g * d


def test_q4_an_own_first_seen_order_is_told_it_is_not_parents_first():
    message = _graded_quickly(ch04.q4, _first_seen_order).message
    assert "your own order is not parents-first" in message and "pruned too much" not in message
    # with topological_order called, deciding forwards is still "pruned too much"
    assert "pruned too much" in _graded_quickly(ch04.q4, ch04._needed_forwards).message


def test_q4_an_own_parents_first_order_that_prunes_too_much_is_not_blamed_on_the_order():
    def own_kahn_order_deciding_forwards(root, wrt):
        order = _kahn_order(root)
        needed = set(wrt)
        for node in order:  # forwards: a parent is decided before its children
            if any(child in needed for child in node.children):
                needed.add(node)
        ch04._push_where(order, needed, root)

    message = _graded_quickly(ch04.q4, own_kahn_order_deciding_forwards).message
    assert "pruned too much" in message and "not parents-first" not in message


def test_q3_an_int_rounded_through_a_hidden_float_still_gets_the_float_explanation():
    four = 4.0  # a float the bytecode does not show as a constant: a closure cell

    def predicted_pushes(d):
        return int(2 * four**d - 1)

    message = _graded_quickly(ch04.q3, predicted_pushes).message
    assert "at d=40" in message and "a rounding error" in message and "53 bits" in message
    assert "passed through a float (from four = 4.0)" in message
    assert "table of measured values" not in message
    FOUR = 4.0
    hidden_global = eval("lambda d: int(2 * FOUR**d - 1)", {"FOUR": FOUR})
    assert "(from FOUR = 4.0)" in _graded_quickly(ch04.q3, hidden_global).message


def test_q4_setting_every_g_to_1_and_pushing_nothing_is_told_nothing_was_pushed():
    def backward_to(root, wrt):  # the reader's code: every g = 1.0, no push
        for node in topological_order(root):
            node.g = 1.0

    message = _graded_quickly(ch04.q4, backward_to).message
    assert "Nothing was pushed" in message and "pruned too much" not in message
    assert "pruned too much" in _graded_quickly(ch04.q4, ch04._needed_forwards).message


# -- learner read s4a ---------------------------------------------------------------------


def test_q4_pruning_only_the_direct_users_of_a_leaf_is_told_it_pruned_too_much():
    def backward_to(root, wrt):  # the reader's code: ancestors of a needed node never marked
        order = topological_order(root)
        wanted = set(wrt)
        need = {n for n in order if n in wanted or any(c in wanted for c in n.children)} | {root}
        root.g = 1.0
        for n in order:
            if n not in need or not n.children:
                continue
            for c, d in zip(n.children, n.local_grads, strict=True):
                if c in need:
                    c.g += n.g * d

    message = _graded_quickly(ch04.q4, backward_to).message
    assert "pruned too much" in message and "holds only one" not in message


def test_q3_building_the_graph_and_counting_on_it_is_refused():
    def predicted_pushes(d):  # the reader's code: right, fast, and not a prediction
        x = alpha.Var(1.0)
        a = x
        for _ in range(d):
            a = a + a + a + a
        paths = {a: 1}
        for n in alpha.topological_order(a):
            for c in n.children:
                paths[c] = paths.get(c, 0) + paths[n]
        return sum(paths.values())

    message = _graded_quickly(ch04.q3, predicted_pushes).message
    assert "builds the graph" in message and "a formula in d" in message
    assert "did too much work" in _graded_quickly(ch04.q3, ch04._walks_the_paths).message
    assert _graded_quickly(ch04.q3, ch04.predicted_pushes).correct


def _readers_pass_per_leaf_with_a_new_order_each(root, wrt):
    """A reader's (s4b): a pruned pass per listed leaf, topological_order called in each; its
    extra reads of root.children trip the per-path budget before the per-leaf test."""
    for w in set(wrt):
        order = topological_order(root)
        needed = {w}
        for node in reversed(order):
            if any(c in needed for c in node.children):
                needed.add(node)
        for node in order:
            if node.children:
                node.g = 0.0
        if root in needed:
            root.g = 1.0
        for node in order:
            if node in needed and node.children:
                for c, d in zip(node.children, node.local_grads):  # noqa: B905 (verbatim)
                    if c in needed:
                        c.g += node.g * d


def test_q4_a_pass_per_leaf_with_an_order_per_leaf_is_told_so_not_per_path():
    message = _graded_quickly(ch04.q4, _readers_pass_per_leaf_with_a_new_order_each).message
    assert "called topological_order(root) 2 times, once per listed leaf" in message
    assert "you make one pass per listed leaf" in message
    assert "for every path" not in message and "2**" not in message
    # a walk per path that calls topological_order once is still told it walks per path
    assert "for every path" in _graded_quickly(ch04.q4, ch04._asks_per_path).message


def test_q4_walking_the_pruned_part_names_the_test_without_assuming_the_learners_names():
    message = _graded_quickly(ch04.q4, ch04._pushes_zero_into_the_pruned_part).message
    assert (
        "Push only into children that lead to a listed leaf: test it (e.g. `child in needed`)"
        in (message)
    )


# -- learner read s4c: q2 must also hold at a = 0 and upstream = 0 ---------------------------


def test_q2_special_casing_a_zero_or_upstream_zero_is_refused_with_the_case_named():
    def zero_numerator_special(a, b, upstream):  # the reader's code
        if a == 0:
            return (upstream / b, 1.0)
        return upstream / b, -upstream * a / b**2

    def zero_upstream_special(a, b, upstream):
        if upstream == 0:
            return (1.0, 0.0)
        return upstream / b, -upstream * a / b**2

    message = _graded_quickly(ch04.q2, zero_numerator_special).message
    assert message == "div_pushes(0.0, 2.0, 1.5): Div hands 0 to b, you gave 1"
    message = _graded_quickly(ch04.q2, zero_upstream_special).message
    assert message == "div_pushes(2.5, -2.0, 0.0): Div hands 0 to a, you gave 1"
    assert ch04.q2.grade(ch04.div_pushes).correct
    assert ch04.q2.grade(lambda a, b, u: (u * (1 / b), u * (-a / b**2))).correct


def test_q2_a_and_b_swapped_in_the_formula_gets_the_number_not_a_crash_at_a_0():
    # A fresh learner's answer (report s4f): it divides by a, so a = 0 would raise; the cases
    # with a != 0 come first, and the message names the number b should have received.
    message = ch04.q2.grade(lambda a, b, u: (u / b, -u * b / a**2)).message
    assert "div_pushes(3.0, 2.0, 1.0): Div hands -0.75 to b, you gave -0.222222" in message
    assert "ZeroDivisionError" not in message


def test_q1_the_chapters_example_18_and_12_forgetting_y_times_x_and_the_half_are_named():
    # A fresh learner's slips (report s4f): 18 is x.g from the zero_grad example; 12 = 6 + 6.
    assert "chapter's example" in ch04.q1.grade(18).message
    message = ch04.q1.grade(12.0).message
    assert "y * x was left out" in message and "0.5, not 1" in message


def test_q4_a_pass_that_grows_the_callers_wrt_list_is_told_to_keep_its_own():
    # a reader's answer (s4g): right gradients, but needed = wrt appends inner nodes to wrt
    def backward_to(root, wrt):
        order = topological_order(root)
        needed = wrt  # the caller's list
        for n in reversed(order):
            if any(c in needed for c in n.children):
                needed.append(n)  # adds inner nodes to wrt
        if root in needed:
            root.g = 1.0
        for n in order:
            if n not in needed:
                continue
            for c, d in zip(n.children, n.local_grads, strict=True):
                if c in needed:
                    c.g += n.g * d

    feedback = ch04.q4.grade(backward_to)
    assert not feedback.correct
    assert "changed the list wrt it was given" in feedback.message
    assert "needed = set(wrt)" in feedback.message
    assert ch04.q4.grade(ch04.backward_to).correct


# -- fresh read s5b ------------------------------------------------------------------------
def test_q1_a_by_hand_answer_must_be_exact_up_to_rounding():
    # reader s5b: 15.000001 was graded correct; a by-hand answer is exact
    message = _graded_quickly(ch04.q1, 15.000001).message
    assert not _graded_quickly(ch04.q1, 15.000001).correct
    assert "close, but not exact" in message
    assert _graded_quickly(ch04.q1, 15.000000000000002).correct  # rounding is fine


def test_chapter_text_names_what_refuses_stale_values_and_counts_central_differences():
    import json
    from pathlib import Path

    nb = Path(__file__).parent.parent / "notebooks" / "04_backpropagation.ipynb"
    cells = json.loads(nb.read_text(encoding="utf-8"))["cells"]
    text = "\n".join("".join(c["source"]) for c in cells)
    outputs = "\n".join(
        "".join(o.get("text", "")) for c in cells if c["cell_type"] == "code" for o in c["outputs"]
    )
    assert "Alpha refuses them" not in text  # reader s5b: say who refuses what
    # reader s5b: the 40 of central differences at P = 1 is printed as 2 passes of 20 visits
    assert "one value() pass 20 visits" in outputs and "central differences 40" in outputs
    assert "2 passes × 20 = 40" in text
    # reader s5c: why 20 visits for Beta but 18 Alpha nodes (w1 once per point vs shared)
    assert "holds $w_1$ at each of the 3 points: 20 nodes" in text and "one $w_1$:\n18" in text


def test_q1_thirty_every_push_counted_twice_is_named():
    # A fresh learner's slip (report s5c): 30 got only the generic "push from z by hand"
    message = ch04.q1.grade(30).message
    assert "twice the answer" in message and "push from z by hand" not in message
    assert ch04.q1.grade(15.0).correct


# -- learner read s5d ---------------------------------------------------------------------
def test_q4_central_differences_are_told_they_push_nothing_not_that_they_ask_per_path():
    # the reader's code: central differences through set_value/forward, no local_grads read
    def central_differences(root, wrt):
        h = 1e-6
        for w in dict.fromkeys(wrt):
            v = w.value()
            w.set_value(v + h)
            up = root.forward()
            w.set_value(v - h)
            down = root.forward()
            w.set_value(v)
            root.forward()
            w.g += (up - down) / (2 * h)

    message = _graded_quickly(ch04.q4, central_differences).message
    assert "uses no push at all" in message and "local_grads" in message
    assert "asks again for every path" not in message
    # a walk per path that does read local_grads keeps its own message
    assert "asks again for every path" in _graded_quickly(ch04.q4, ch04._asks_per_path).message
    assert ch04.q4.grade(ch04.backward_to).correct


def test_q1_values_instead_of_derivatives_and_the_last_hint_leaves_the_second_call():
    for values in (21, 31.5):  # z's value, and 1.5 times it
        feedback = ch04.q1.grade(values)
        assert feedback.status == "incorrect" and "z's value" in feedback.message
    last = ch04.q1.hints()[-1]
    assert "x.g = 10" in last and "0.5" in last and "15" not in last and "1.5" not in last


def _readers_search_per_node(root, wrt):  # the reader's code (s5e), verbatim but for the layout
    order = topological_order(root)
    w = set(wrt)
    needed = set()
    for n in order:  # one iterative DFS per node, with a seen set
        stack, seen = [n], {n}
        while stack:
            m = stack.pop()
            if m in w:
                needed.add(n)
                break
            for c in m.children:
                if c not in seen:
                    seen.add(c)
                    stack.append(c)
    if root in needed:
        root.g += 1.0
    for node in order:
        if node in needed:
            for c, d in zip(node.children, node.local_grads):  # noqa: B905 (verbatim)
                if c in needed:
                    c.g += node.g * d


def _search_per_node_resetting_inner(root, wrt):
    """The s5e reader's search, with the needed inner nodes' g set to 0.0 (session 6e)."""
    order = topological_order(root)
    w = set(wrt)
    needed = set()
    for n in order:  # one iterative DFS per node, with a seen set
        stack, seen = [n], {n}
        while stack:
            m = stack.pop()
            if m in w:
                needed.add(n)
                break
            for c in m.children:
                if c not in seen:
                    seen.add(c)
                    stack.append(c)
    for node in order:
        if node in needed and node.children:
            node.g = 0.0
    if root in needed:
        root.g += 1.0
    for node in order:
        if node in needed:
            for c, d in zip(node.children, node.local_grads, strict=True):
                if c in needed:
                    c.g += node.g * d


def _resetting_inner(answer):
    """answer, with the needed inner nodes' g set to 0.0 first: the reset that s6e's reader
    found missing in the chapter's solution and in these earlier readers' answers."""

    def backward_to(root, wrt):
        order = topological_order(root)
        needed = ch04._needed(order, wrt)
        for node in order:
            if node in needed and node.children:
                node.g = 0.0
        answer(root, wrt)

    return backward_to


def test_q4_earlier_readers_answers_without_the_inner_reset_fail_only_on_the_stale_graph():
    for answer in (
        _readers_search_per_node,
        _readers_enumerate_loop_over_every_node,
        _readers_zip_loop_seeding_only_a_needed_root,
    ):
        message = _graded_quickly(ch04.q4, answer).message
        assert "after an earlier backward_simple(z)" in message, message
        assert "Inner nodes start from 0 on every pass" in message, message


def test_q4_a_search_below_every_node_is_accepted_with_a_note_but_per_path_is_not():
    # The reader: a search with a seen set looks at a node at most once per node of the graph
    # (quadratic, and the task asks only for no recursion); once per path is exponential.
    feedback = _graded_quickly(ch04.q4, _search_per_node_resetting_inner)
    assert feedback.correct, feedback.message
    assert "grow with the square" in feedback.message and "decide each node once" in (
        feedback.message
    )
    assert "Note" not in ch04.q4.grade(ch04.backward_to).message  # linear: no note
    message = _graded_quickly(ch04.q4, ch04._asks_per_path).message
    assert "for every path" in message and f"2**{ch04.SIDE}" in message


# -- session 6a (structure of the cost section) ---------------------------------------------
def test_cost_section_prints_the_splits_it_names_and_the_serial_prose_names_s():
    import json
    from pathlib import Path

    from tinyml import beta
    from tinyml.visits import count_visits, linear_loss

    nb = Path(__file__).parent.parent / "notebooks" / "04_backpropagation.ipynb"
    cells = json.loads(nb.read_text(encoding="utf-8"))["cells"]
    text = "\n".join("".join(c["source"]) for c in cells if c["cell_type"] == "markdown")
    outputs = "\n".join(
        "".join(o.get("text", "")) for c in cells if c["cell_type"] == "code" for o in c["outputs"]
    )
    # Beta's 20 + 21 was stated but not printed: the optional section prints it, measured
    loss, ws = linear_loss(1)
    with count_visits() as full:
        beta.gradient(loss, ws)
    assert (full.grad, full.value) == (20, 21)
    assert "Beta 20 grad() + 21 value() = 41" in outputs and "21 `value()` calls" in text
    # the headline table shows Alpha's backward pass next to its (larger) forward pass
    assert "1,008 +      605 = 1,613" in outputs
    assert "[Counting the visits](#Counting-the-visits-(optional))" in text
    assert "## Counting the visits (optional)" in text
    # `a._serial > s` read as the node s: the prose says what s is
    assert "`a._serial > s` means" not in text and "`s` is the parent's `_serial`" in text


# -- session 6b (reader ch4_s6a_read1): one rule for skipped nodes ---------------------------
def _readers_zip_loop_over_every_node(root, wrt):  # the reader's code, verbatim
    ids = {id(w) for w in wrt}
    order = topological_order(root)
    keep = {}
    for node in reversed(order):
        keep[id(node)] = id(node) in ids or any(keep[id(c)] for c in node.children)
    root.g += 1.0  # (root is needed in the checker's graph)
    for node in order:
        for child, d in zip(node.children, node.local_grads):  # noqa: B905 (verbatim)
            if keep[id(child)]:
                child.g += node.g * d


def _readers_enumerate_loop_over_every_node(root, wrt):  # the reader's accepted variant
    ids = {id(w) for w in wrt}
    order = topological_order(root)
    keep = {}
    for node in reversed(order):
        if id(node) in ids or any(id(c) in keep for c in node.children):
            keep[id(node)] = True
    if id(root) in keep:
        root.g += 1.0
    for node in order:
        for i, child in enumerate(node.children):
            if id(child) in keep:
                child.g += node.g * node.local_grads[i]


def _readers_zip_loop_seeding_only_a_needed_root(root, wrt):
    """The reader's zip loop with the enumerate variant's root test: both forms alike."""
    ids = {id(w) for w in wrt}
    order = topological_order(root)
    keep = {}
    for node in reversed(order):
        keep[id(node)] = id(node) in ids or any(keep[id(c)] for c in node.children)
    if keep[id(root)]:
        root.g += 1.0
    for node in order:
        for child, d in zip(node.children, node.local_grads):  # noqa: B905 (as the reader)
            if keep[id(child)]:
                child.g += node.g * d


def test_q4_reading_a_skipped_nodes_local_grads_is_graded_like_not_reading_them():
    # The rule: no push into a skipped node (not even 0.0) and none from it; reading its
    # children or local_grads is allowed. The zip form and the enumerate form walk the same
    # nodes and push the same amounts: both pass.
    for answer in (
        _readers_enumerate_loop_over_every_node,
        _readers_zip_loop_seeding_only_a_needed_root,
    ):
        assert _graded_quickly(ch04.q4, _resetting_inner(answer)).correct
    # The reader's verbatim zip code seeds the root always, so the graph whose root reaches
    # no listed leaf refuses it for that, and for nothing about local_grads.
    message = _graded_quickly(ch04.q4, _readers_zip_loop_over_every_node).message
    assert "Set root.g = 1.0 only when the root is needed" in message
    assert "local_grads" not in message and "pruned part" not in message


def test_q4_exercise_text_states_the_rule_for_skipped_nodes():
    import json
    from pathlib import Path

    nb = Path(__file__).parent.parent / "notebooks" / "04_backpropagation.ipynb"
    cells = json.loads(nb.read_text(encoding="utf-8"))["cells"]
    text = next(
        "".join(c["source"]) for c in cells if "".join(c["source"]).startswith("### Exercise 4")
    )
    assert "nothing added, nothing reset" in text and "`local_grads` is allowed" in text
    assert "not even 0.0" not in text  # s6f: read as "do not set it to 0.0" only


def test_q1_22_5_is_named_as_one_and_a_half_times_15():
    feedback = ch04.q1.grade(22.5)
    assert feedback.status == "incorrect" and "22.5 is 1.5 × 15" in feedback.message


def test_q4_a_two_level_needed_test_is_told_it_skips_nodes_not_that_it_overwrites():
    def backward_to(root, wrt):  # reader 6c-2's code, verbatim: looks two levels down only
        order = topological_order(root)
        ids = {id(w) for w in wrt}
        root.g += 1.0
        for node in order:
            if not any(id(c) in ids or c.children for c in node.children):
                continue
            for child, d in zip(node.children, node.local_grads):  # noqa: B905 (verbatim)
                if id(child) in ids or any(id(cc) in ids for cc in child.children):
                    child.g += node.g * d

    message = _graded_quickly(ch04.q4, backward_to).message
    assert "overwrite" not in message
    assert "pruned too much" in message


def test_q4_deciding_needed_parents_first_is_told_to_decide_children_first():
    def backward_to(root, wrt):  # reader 6c-2's mistake: `reach` decided walking forwards
        order = topological_order(root)
        reach = set()
        for node in order:
            if node in wrt or any(c in reach for c in node.children):
                reach.add(node)
        root.g = 1.0
        for node in order:
            if node in reach:
                for child, d in zip(node.children, node.local_grads):  # noqa: B905 (verbatim)
                    if child in reach:
                        child.g += node.g * d

    message = _graded_quickly(ch04.q4, backward_to).message
    assert "reversed(order)" in message
    assert "walking topological_order(root) forwards" not in message


def test_q4_never_pushing_into_leaves_is_told_so_not_that_the_order_is_wrong():
    def backward_to(root, wrt):  # reader 6c-1's code, verbatim
        order = topological_order(root)
        keep = set(wrt)
        for node in reversed(order):
            if any(c in keep for c in node.children):
                keep.add(node)
        if root in keep:
            root.g += 1.0
        for node in order:
            if node in keep:
                for child, d in zip(node.children, node.local_grads):  # noqa: B905 (verbatim)
                    if child in keep and child.children:
                        child.g += node.g * d

    message = _graded_quickly(ch04.q4, backward_to).message
    assert "wrong order" not in message
    assert "nothing reached the listed leaves" in message


def test_q1_seven_names_both_slips():
    message = _graded_quickly(ch04.q1, 7).message
    assert "x * x pushes to x twice" in message
    assert "second call" in message


# -- session 6d reads (ch4_s6d_read1.md, ch4_s6d_read2.md) -----------------------------------
def _readers_zeroing_every_node(root, wrt):  # read1's ex_423, verbatim but for strict=
    order = topological_order(root)
    need = set(wrt)
    for n in reversed(order):
        if any(c in need for c in n.children):
            need.add(n)
    for n in order:
        n.g = 0.0
    if root in need:
        root.g = 1.0
    for n in order:
        if n in need:
            for c, lg in zip(n.children, n.local_grads, strict=True):
                if c in need:
                    c.g += n.g * lg


def test_s6d_q4_zeroing_a_listed_leafs_accumulated_g_is_refused():
    message = _graded_quickly(ch04.q4, _readers_zeroing_every_node).message
    assert f"x.g held {ch04.PRESET} before the call" in message, message
    assert "a leaf's g accumulates" in message, message
    # the chapter's solution and the readers' right answers still pass
    for right in (ch04.backward_to, _with_a_list_and_zeroing):
        assert _graded_quickly(ch04.q4, right).correct, right.__name__
    # zeroing the skipped inner nodes too is refused since s6f (see the s6f tests)
    assert not _graded_quickly(ch04.q4, _readers_zeroing_to_be_safe_fixed).correct


def test_s6d_q4_a_graph_starts_a_listed_leaf_with_a_sum():
    text, _, wrt, _ = next(g for g in _graphs() if "* y + u * x" in g[0])
    assert wrt[0].g == ch04.PRESET != 0.0
    assert f"x.g is already {ch04.PRESET}" in text


_READ2_NO_SEED = """
def backward_to(root, wrt):
    ids = {id(w) for w in wrt}
    order = topological_order(root)
    reach = {}
    for n in reversed(order):
        reach[n] = id(n) in ids or any(reach[c] for c in n.children)
    for node in order:
        if not reach[node]: continue
        for c, d in zip(node.children, node.local_grads):
            if reach[c]: c.g += node.g * d
"""

_READ2_FORWARDS = """
def backward_to(root, wrt):
    ids = {id(w) for w in wrt}
    order = topological_order(root)
    reach = {}
    for n in order:
        reach[n] = id(n) in ids or any(reach.get(c, False) for c in n.children)
    if reach[root]: root.g += 1.0
    for node in order:
        if not reach[node]: continue
        for c, d in zip(node.children, node.local_grads):
            if reach.get(c) or id(c) in ids: c.g += node.g * d
"""


def _exec_answer(src):
    """The reader's way of handing answers in: exec'd text, whose source cannot be read."""
    ns = {"topological_order": topological_order}
    exec(src, ns)
    return ns["backward_to"]


def test_s6d_q4_no_seed_and_a_never_needed_root_get_separate_messages_without_source():
    message = _graded_quickly(ch04.q4, _exec_answer(_READ2_NO_SEED)).message
    assert message.endswith("root.g is 0.0: start with root.g = 1.0"), message
    assert "never marked the root" not in message, message
    message = _graded_quickly(ch04.q4, _exec_answer(_READ2_FORWARDS)).message
    assert "never marked the root as needed" in message, message
    assert "start with root.g = 1.0" not in message, message


def test_s6d_q3_far_off_answers_are_not_called_close():
    for wrong in (lambda d: 4**d + 3 * d, lambda d: 3 * 4**d - 2):
        message = _graded_quickly(ch04.q3, wrong).message
        assert "close" not in message, message
        assert "count the calls level by level" in message, message


def test_s6d_q4_recursion_message_counts_levels_not_nodes():
    message = ch04._recursion_message()
    assert f"a chain {ch04.CHAIN:,} levels deep" in message
    assert "nodes" not in message.split("(")[0]


# -- session 6e read (ch4_s6e_read1.md): inner nodes restart from 0 on every pass ------------
def _readers_no_inner_reset(root, wrt):  # read1's accepted answer, verbatim but for strict=
    order = topological_order(root)
    ids = {id(w) for w in wrt}
    reach = {}
    for n in reversed(order):
        reach[id(n)] = id(n) in ids if not n.children else any(reach[id(c)] for c in n.children)
    if not reach[id(root)]:
        return
    root.g += 1.0
    for n in order:
        if not reach[id(n)]:
            continue
        for c, lg in zip(n.children, n.local_grads, strict=True):
            if reach[id(c)]:
                c.g += n.g * lg


def _readers_resetting(root, wrt, leaf_root_too=True):
    """read1's right answer as described: the needed inner nodes reset, root.g += 1.0 for a
    leaf root (root.g = 1.0 for it too when leaf_root_too is False: their second finding)."""
    order = topological_order(root)
    ids = {id(w) for w in wrt}
    reach = {}
    for n in reversed(order):
        reach[id(n)] = id(n) in ids if not n.children else any(reach[id(c)] for c in n.children)
    if not reach[id(root)]:
        return
    for n in order:
        if reach[id(n)] and n.children:
            n.g = 0.0
    if root.children or not leaf_root_too:
        root.g = 1.0
    else:
        root.g += 1.0
    for n in order:
        if not reach[id(n)]:
            continue
        for c, lg in zip(n.children, n.local_grads, strict=True):
            if reach[id(c)]:
                c.g += n.g * lg


def test_s6e_q4_a_pass_that_builds_on_an_earlier_passs_inner_g_is_refused():
    message = _graded_quickly(ch04.q4, _readers_no_inner_reset).message
    assert "after an earlier backward_simple(z) and then x.g = 0.0 (y.g is still 2.0)" in message
    assert "x.g = 17 (backward_simple: 6)" in message, message  # the reader's 17
    assert "root.g was 1.0 and (* x y).g was 1.0, left by the earlier pass" in message, message
    assert "Inner nodes start from 0 on every pass, as in backward_simple" in message, message
    assert _graded_quickly(ch04.q4, _readers_resetting).correct


def test_s6e_q4_a_leaf_root_holding_a_sum_is_added_to_not_overwritten():
    message = _graded_quickly(
        ch04.q4, lambda root, wrt: _readers_resetting(root, wrt, leaf_root_too=False)
    ).message
    assert "x.g = 1 (backward_simple: 1.25)" in message, message
    assert "Here the root is that leaf: root.g += 1.0, not root.g = 1.0" in message, message


def test_s6e_q4_the_solution_matches_backward_simple_on_a_second_pass():
    def graph():
        x, y = alpha.Var(2.0, name="x"), alpha.Var(5.0, name="y")
        return x * y + x, x

    z, x = graph()  # the reader's two calls: 6 then 12, as backward_simple twice
    ch04.backward_to(z, [x])
    assert x.g == 6.0
    ch04.backward_to(z, [x])
    assert x.g == 12.0
    for earlier in (alpha.backward_simple, lambda z: z.grad(1.0)):  # then the leaf cleared
        z, x = graph()
        earlier(z)
        x.zero_grad()
        ch04.backward_to(z, [x])
        assert x.g == 6.0
    assert "node.g = 0.0" in ch04.q4.solution_text
    x = alpha.Var(2.0, name="x")  # a leaf root keeps its sum
    x.g = 0.25
    ch04.backward_to(x, [x])
    assert x.g == 1.25


def _readers_zero_grad_on_skipped(root, wrt):  # read2's B2, as described: zero_grad() on skipped
    order = topological_order(root)
    ids = {id(w) for w in wrt}
    reach = set()
    for n in reversed(order):
        if id(n) in ids or any(id(c) in reach for c in n.children):
            reach.add(id(n))
            if n.children:
                n.g = 0.0
        else:
            n.zero_grad()
    if id(root) in reach:
        root.g += 1.0
    for n in order:
        if id(n) in reach:
            for c, d in zip(n.children, n.local_grads, strict=True):
                if id(c) in reach:
                    c.g += n.g * d


def test_s6e_q4_clearing_a_skipped_leafs_sum_is_refused():
    message = _graded_quickly(ch04.q4, _readers_zero_grad_on_skipped).message
    assert "your function set y.g to 0 (y.g held 2.0 from the earlier pass)" in message, message
    assert "a skipped node's g is left exactly as it is" in message, message
    assert "pushed into" not in message, message


def test_s6e_q4_read2s_answer_without_the_reset_is_refused_and_with_it_passes():
    def a6(root, wrt):  # read2's A6, verbatim but for strict=
        order = topological_order(root)
        ids = {id(w) for w in wrt}
        reach = set()
        for n in reversed(order):
            if id(n) in ids or any(id(c) in reach for c in n.children):
                reach.add(id(n))
        if id(root) in reach:
            root.g += 1.0
        for n in order:
            if id(n) in reach:
                for c, d in zip(n.children, n.local_grads, strict=True):
                    if id(c) in reach:
                        c.g += n.g * d

    message = _graded_quickly(ch04.q4, a6).message
    assert "Inner nodes start from 0 on every pass" in message, message
    assert _graded_quickly(ch04.q4, _resetting_inner(a6)).correct


# -- learner reads s6f --------------------------------------------------------------------
def _read1s_resets_every_inner_node(root, wrt):  # s6f read 1, verbatim but for strict=
    order = topological_order(root)
    needed = ch04._needed(order, wrt)  # the reader's needed_set: children first, correct
    if root not in needed:
        return
    for n in order:
        if n.children:
            n.g = 0.0  # also resets skipped inner nodes
    root.g += 1.0
    for n in order:
        if n in needed:
            for c, d in zip(n.children, n.local_grads, strict=True):
                if c in needed:
                    c.g += n.g * d


def _read2s_resets_every_inner_node(root, wrt):  # s6f read 2, verbatim but for strict=
    order = topological_order(root)
    need = set()
    for n in reversed(order):
        if n in wrt or any(c in need for c in n.children):
            need.add(n)
    for n in order:
        if n.children:
            n.g = 0.0  # also zeroes SKIPPED inner nodes
    if root in need:
        root.g += 1.0
    for n in order:
        for c, d in zip(n.children, n.local_grads, strict=True):
            if c in need:
                c.g += n.g * d


def _resets_an_inner_root(root, wrt):
    """Right, but an inner root's g is reset even when the root is skipped."""
    if root.children:
        root.g = 0.0
    ch04.backward_to(root, wrt)


def test_s6f_q4_the_readers_reproduction_a_skipped_inner_nodes_g_is_reset():
    x, y, u, v = (alpha.Var(float(i), name=n) for i, n in enumerate("xyuv", 2))
    uv = u * v
    z = x * y + uv
    alpha.backward_simple(z)
    assert uv.g == 1.0
    _read1s_resets_every_inner_node(z, [x])
    assert uv.g == 0.0  # what the reader saw; the solution keeps it
    alpha.backward_simple(z)
    ch04.backward_to(z, [x])
    assert uv.g == 1.0


def test_s6f_q4_resetting_a_skipped_inner_node_or_root_is_refused():
    for answer in (_read1s_resets_every_inner_node, _read2s_resets_every_inner_node):
        message = _graded_quickly(ch04.q4, answer).message
        assert "your function set (* u v).g to 0 ((* u v).g held 1.0" in message, message
        assert "a skipped node's g is left exactly as it is: nothing added, nothing reset" in (
            message
        )
        assert "only a needed inner node starts from 0" in message, message
    message = _graded_quickly(ch04.q4, _resets_an_inner_root).message
    assert "your function set root.g to 0 (root.g held 1.0" in message, message
    # the chapter's solution and the right answers (needed inner nodes reset only) still pass
    for right in (ch04.backward_to, _with_a_list_and_zeroing, _own_kahn_order):
        assert _graded_quickly(ch04.q4, right).correct, right.__name__


def test_s6f_q4_the_solution_resets_only_needed_inner_nodes_and_keeps_skipped_g():
    *_, (_, z, wrt, _), (_, top, top_wrt, _) = _graphs()
    before = {n: n.g for n in alpha.topological_order(z)}
    ch04.backward_to(z, wrt)
    needed = ch04._needed(alpha.topological_order(z), wrt)
    for n, g in before.items():
        if n not in needed:
            assert n.g == g, str(n)
    assert top.g == 1.0
    ch04.backward_to(top, top_wrt)
    assert top.g == 1.0


def _read1s_recursive_push(root, wrt):  # s6f read 1, verbatim but for strict=
    def push(n, up):
        n.g += up
        for c, d in zip(n.children, n.local_grads, strict=True):
            push(c, up * d)

    push(root, 1.0)


def test_s6f_q4_a_recursive_push_ignoring_wrt_is_told_it_pushes_once_per_path():
    message = _graded_quickly(ch04.q4, _read1s_recursive_push).message
    assert "your function pushed into u" in message and "once per path" in message, message
    assert "It also ignores wrt: u leads to no listed leaf" in message, message
    assert "asks again for every path" not in message, message
    assert "asks again for every path" in _graded_quickly(ch04.q4, ch04._asks_per_path).message
