"""Chapter 5's checkers on more than one configuration: answers that hard-code the one shape
or size a checker used to try, from the fourth independent read of chapters 5-6."""

from __future__ import annotations

from tinyml.exercises import ch05


def test_q2_refuses_a_matvec_that_hard_codes_three_inputs_or_two_rows():
    def three_inputs(W, x):  # the reader's answer: right for the 2×3 W only
        return [row[0] * x[0] + row[1] * x[1] + row[2] * x[2] for row in W]

    def two_rows(W, x):
        return [sum(W[i][j] * x[j] for j in range(3)) for i in range(2)]

    def first_three_only(W, x):  # no crash on a 1×4 W, just a wrong sum
        return [sum(row[j] * x[j] for j in range(min(3, len(x)))) for row in W]

    for wrong in (three_inputs, two_rows, first_three_only):
        feedback = ch05.q2.grade(wrong)
        assert feedback.status == "incorrect", wrong
        assert "works only for 3 inputs / 2 rows" in feedback.message, feedback.message
        assert "len(x)" in feedback.message and "len(W)" in feedback.message

    def by_len(W, x):  # honest variants pass
        return [sum(W[i][j] * x[j] for j in range(len(x))) for i in range(len(W))]

    def by_zip(W, x):
        return [sum(w * v for w, v in zip(row, x, strict=True)) for row in W]

    for right in (ch05.matvec, by_len, by_zip):
        assert ch05.q2.grade(right).correct, right


def test_q4_refuses_a_formula_patched_for_the_sizes_it_was_tried_on():
    patched = ch05.q4.grade(lambda n, m, p: n * p * (m - 1) if (n, m, p) != (1, 1, 1) else 1)
    assert patched.status == "incorrect" and "nothing to add: 0" in patched.message
    assert ch05.q4.grade(lambda n, m, p: max(n * p * (m - 1), 1)).status == "incorrect"
    assert ch05.q4.grade(lambda n, m, p: (m - 1) * p * n).correct


def test_q1_points_at_the_rule_before_the_numbers():
    for answer in ([(3, 4), (4, 4), "error"], [(4, 3), (4, 4), "error"]):
        message = ch05.q1.grade(answer).message
        assert "rows of the first factor and the columns of the second" in message, message
        assert "(3, 3)" not in message and "3×3" not in message, message
    assert "give a shape" in ch05.q1.grade([None, (4, 4), "error"]).message
    assert "4×3" in " ".join(ch05.q1.hints()[1:])  # the numbers wait for hint(2)
    assert "3×3" in ch05.q1.hints()[2]  # hint(3) works (a) through
    # (b) and (c) wait for the solution (s4a read: every hint(3) was the whole answer)
    for answer_words in ('"error"', "4 ≠ 3", "4×4"):
        assert answer_words not in " ".join(ch05.q1.hints()), answer_words
    assert "4 ≠ 3" in ch05.q1.solution_text and "(4, 4)" in ch05.q1.solution_text


def test_q1_asks_for_three_shapes_and_says_which_one_is_wrong():
    assert ch05.q1.grade(((3.0, 3.0), [4, 4], "Error")).correct
    message = ch05.q1.grade([(3, 3), (4, 4), (3, 4)]).message
    assert message.startswith("(c) matmul(P, P)") and "must agree" in message, message
    assert "three answers" in ch05.q1.grade((4, 4)).message  # the old single answer


def test_q3_accepts_tuples_and_q1_asks_for_numbers():
    assert ch05.q3.grade(((2, 4, 6), (-1, -2, -3))).correct
    assert ch05.q3.grade([(2, 4, 6), (-1, -2, -3)]).correct
    assert "row 1 is 1·u" in ch05.q3.grade(((2, 4, 6), (1, 2, 3))).message
    assert "give numbers" in ch05.q1.grade([(3, 3), ("4", "4"), "error"]).message
    assert "random_matrix" not in ch05.q1.hints()[1] and "random_matrix" in ch05.q1.hints()[2]


def test_q1_error_message_and_q4_printing_instead_of_returning():
    assert ch05.q1.grade(["error", (4, 4), "error"]).message.endswith("they agree.")

    def prints(n, m, p):
        print(n * p * (m - 1))  # the classic slip: printed, not returned

    feedback = ch05.q4.grade(prints)
    assert feedback.status == "incorrect"
    assert "did you print instead of return?" in feedback.message, feedback.message
    assert ch05.q4.grade(ch05.additions).correct


def test_q2_refuses_rounding_and_an_inner_loop_over_the_rows():
    def rounds_floats(W, x):  # tidy on the 2×3 case, and Vars pass through untouched
        y = ch05.matvec(W, x)
        return [round(v, 2) if isinstance(v, float) else v for v in y]

    def rounds_to_4(W, x):
        return [round(v, 4) if isinstance(v, float) else v for v in ch05.matvec(W, x)]

    for wrong in (rounds_floats, rounds_to_4):
        feedback = ch05.q2.grade(wrong)
        assert feedback.status == "incorrect", wrong
        assert "untidy floats" in feedback.message and "without round()" in feedback.message

    def square(W, x):  # inner loop over len(W), as if W were square
        y = []
        for i in range(len(W)):
            total = 0
            for j in range(len(W)):
                total = total + W[i][j] * x[j]
            y.append(total)
        return y

    feedback = ch05.q2.grade(square)
    assert feedback.status == "incorrect"
    assert "must run over the entries of x (len(x)" in feedback.message, feedback.message
    assert "not the rows of W" in feedback.message

    def from_zero(W, x):  # honest: starts at 0, and sum() of the products
        y = []
        for i in range(len(W)):
            total = 0
            for j in range(len(x)):
                total = total + W[i][j] * x[j]
            y.append(total)
        return y

    def with_sum(W, x):
        return [sum(row[j] * x[j] for j in range(len(row))) for row in W]

    for right in (from_zero, with_sum):
        assert ch05.q2.grade(right).correct, right


def test_q4_says_a_string_is_not_a_number():
    message = ch05.q4.grade(lambda n, m, p: str(n * p * (m - 1))).message
    assert "gave the string '20'" in message and "return a number, not a string" in message
    assert "count again" not in message


def test_q3_names_a_doubled_gradient_from_two_backward_calls():
    from tinyml.alpha import Var
    from tinyml.matrix import apply, column, matmul

    V = [[Var(0.0) for _ in range(3)] for _ in range(2)]
    z = matmul(V, column([1.0, 2.0, 3.0]))
    loss = 2 * z[0][0] - z[1][0]
    loss.backward()
    assert ch05.q3.grade(apply(lambda v: v.g, V)).correct  # one backward(): right
    loss.backward()  # a second call adds the same gradients again
    doubled = apply(lambda v: v.g, V)
    assert doubled == [[4.0, 8.0, 12.0], [-2.0, -4.0, -6.0]]
    message = ch05.q3.grade(doubled).message
    assert "exactly 2× the answer" in message and "backward() run twice" in message


def test_q3_names_stale_gradients_from_section_5s_w():
    """A reader reused section 5's W (gradients still in it) for exercise 3."""
    import math

    from tinyml.alpha import Var
    from tinyml.matrix import apply, column, matmul, random_matrix

    W0 = random_matrix(2, 3, seed=5)  # section 5, as in the notebook
    W = [[Var(w, name=f"w{i}{j}") for j, w in enumerate(row)] for i, row in enumerate(W0)]
    x = column([1.0, -2.0, 0.5])
    h = apply(lambda node: node.tanh(), matmul(W, x))
    (h[0][0] + h[1][0]).backward()
    u = column([1.0, 2.0, 3.0])  # the reader's exercise-3 code, on the same W
    z = matmul(W, u)
    loss = 2 * z[0][0] - z[1][0]
    loss.backward()
    answer = apply(lambda v: v.g, W)
    assert all(
        math.isclose(a, b, abs_tol=1e-6)
        for a, b in zip(ch05._flat(answer), ch05._flat(ch05._Q3_STALE_PLUS_RIGHT), strict=True)
    )
    message = ch05.q3.grade(answer).message
    assert message.startswith("these gradients were added on top of section 5's"), message
    assert "fresh V" in message, message


def test_q3_says_a_near_miss_is_close():
    message = ch05.q3.grade([[2.00001, 4, 6], [-1, -2, -3]]).message
    assert message.startswith("close, but not within tolerance"), message
    assert "close" not in ch05.q3.grade([[2.5, 4, 6], [-1, -2, -3]]).message


def test_q2_names_x_as_a_column_and_printing():
    def reader(W, x):  # x indexed like a column, as matmul's second factor
        y = []
        for i in range(len(W)):
            total = 0
            for j in range(len(x)):
                total = total + W[i][j] * x[j][0]
            y.append(total)
        return y

    message = ch05.q2.grade(reader).message
    assert "x is a plain list" in message and "not x[j][0]" in message, message
    assert "did you print instead of return?" in ch05.q2.grade(ch05._matvec_prints).message
    assert "show(matmul)" not in " ".join(ch05.q2.hints())


def test_q5_reference_is_the_real_graph_and_the_formula_matches():
    for n in range(1, 6):
        for m in range(1, 6):
            assert sum(ch05._layer_graph_counts(n, m).values()) == ch05.graph_nodes(n, m)
    kinds = ch05._layer_graph_counts(3, 4)  # inputs are Vars: no Const, each input shared
    assert kinds == {"Var": 3 * 4 + 4, "Mul": 12, "Add": 11}
    hints = ch05.q5.hints()
    # The s4a read: hint(3) gave the total; now it gives the kinds and the solution the total.
    assert "3·n·m + m - 1" not in " ".join(hints) and "3·n·m + m - 1" in ch05.q5.solution_text
    assert ch05.q5.grade(lambda n, m: 3 * m * n + m - 1).correct
    assert ch05.q5.grade(lambda n, m: n * m + m + n * m + (n * m - 1.0)).correct


def test_q5_is_not_section_7s_count_with_m_for_n():
    """Second read of chapter 5: the old exercise 5 only swapped n² for n·m in 4n² - 1."""
    message = ch05.q5.grade(lambda n, m: 4 * n * m - 1).message
    assert "all n rows share" in message and "a node used n times is one node" in message
    assert "section 7's count" in ch05.q5.grade(lambda n, m: 4 * n * n - 1).message


def test_q2_names_a_running_total_that_is_not_reset_per_row():
    def reader(W, x):  # second read of chapter 5: total = 0 before `for row in W:`
        y = []
        total = 0
        for row in W:
            for j in range(len(x)):
                total = total + row[j] * x[j]
            y.append(total)
        return y

    message = ch05.q2.grade(reader).message
    assert "[7.0, 3.0]" in message and "looks like a running total" in message, message
    assert "Start total afresh for each row" in message


def test_q3_names_section_5s_input_used_instead_of_u():
    from tinyml.alpha import Var
    from tinyml.matrix import apply, column, matmul

    V = [[Var(0.0) for _ in range(3)] for _ in range(2)]  # the reader's code, with section 5's x
    z = matmul(V, column([1.0, -2.0, 0.5]))
    (2 * z[0][0] - z[1][0]).backward()
    answer = apply(lambda v: v.g, V)
    assert answer == [[2.0, -4.0, 1.0], [-1.0, 2.0, -0.5]]
    message = ch05.q3.grade(answer).message
    assert "that's section 5's input x" in message and "u = (1, 2, 3)" in message, message


def test_q2_names_outputs_rewrapped_in_a_new_var():
    from tinyml.alpha import Var

    def reader(W, x):  # third read of chapter 5: each sum re-wrapped in a fresh Var
        y = []
        for row in W:
            total = 0
            for j in range(len(x)):
                total = total + row[j] * x[j]
            y.append(Var(total.value()) if hasattr(total, "backward") else total)
        return y

    message = ch05.q2.grade(reader).message
    assert "for x are [0.0, 0.0, 0.0], not [-2.0, 4.0, 4.0]" in message, message
    assert (
        "not connected to the Vars of W and x" in message and "Var(...) or float(...)" in message
    )


def test_q2_tells_a_sum_one_short_from_an_inner_loop_over_the_rows():
    """Fourth read: an off-by-one was told it looped over len(W); on 2×3 the two agree."""

    def one_short(W, x):  # the reader's exact code
        return [sum(W[i][j] * x[j] for j in range(len(x) - 1)) for i in range(len(W))]

    message = ch05.q2.grade(one_short).message
    assert "first 2 of the 3 entries" in message, message
    assert "the last entry of x is never used" in message, message
    assert "not the rows of W" not in message, message

    def over_rows(W, x):
        return [sum(W[i][j] * x[j] for j in range(len(W))) for i in range(len(W))]

    message = ch05.q2.grade(over_rows).message
    assert "not the rows of W (len(W), here 2)" in message and "never used" not in message

    def neither(W, x):  # short on 2×3 and crashing on the probe: the neutral advice
        if len(x) != 3:
            raise IndexError("probe")
        return [row[0] * x[0] + row[1] * x[1] for row in W]

    message = ch05.q2.grade(neither).message
    assert message.endswith("all the entries of x: range(len(x)), or zip(row, x)"), message


def test_q1_takes_only_error_words_as_a_failure_not_any_text_containing_error():
    # The fifth read: each of these was graded Correct because it contained "error".
    for said in ("no error", "not an error", "(3, 4), no error"):
        feedback = ch05.q1.grade([(3, 3), (4, 4), said])
        assert feedback.status == "incorrect", said
        assert feedback.message.startswith("(c) matmul(P, P)"), feedback.message
        assert 'give the shape as a pair (rows, columns) or "error"' in feedback.message
    for said in ("error", " Error ", "ValueError", "raises ValueError", "an error", "error."):
        assert ch05.q1.grade([(3, 3), (4, 4), said]).correct, said
    assert "does not fail" in ch05.q1.grade(["ValueError", (4, 4), "error"]).message


def test_q5_hint_2_asks_about_the_kinds_and_hint_3_counts_them():
    # The fifth read: hint(2) listed the weights, the Muls and "no Const", leaving only the Adds.
    second, third = ch05.q5.hints()[1:]
    assert "n·m Mul" not in second and "no Const" not in second
    assert "n·m Mul" in third and "no Const" in third


def test_q2_names_x_i_for_x_j_and_swapped_loop_ranges():
    """Sixth read: x[i] got only the numbers; swapped ranges were told `not W[j][i]`."""

    def x_i(W, x):  # the reader's exact code
        return [sum(W[i][j] * x[i] for j in range(len(x))) for i in range(len(W))]

    message = ch05.q2.grade(x_i).message
    assert "multiply W[i][j] by x[j], not x[i]" in message, message

    def ranges_swapped(W, x):  # the reader's exact code
        return [sum(W[i][j] * x[j] for j in range(len(W[0]))) for i in range(len(x))]

    message = ch05.q2.grade(ranges_swapped).message
    assert "loop ranges are swapped" in message and "range(len(W))" in message, message
    assert "W[j][i]" not in message, message
    message = ch05.q2.grade(ch05._matvec_index_swapped).message
    assert "not W[j][i]" in message and "swapped" not in message, message


def test_seventh_read_q2_tells_x0_everywhere_from_no_x_at_all():
    """Seventh read: with x[0] = 1 both slips got the same generic message."""

    def x0_everywhere(W, x):
        return [sum(W[i][j] * x[0] for j in range(len(x))) for i in range(len(W))]

    def ignores_x(W, x):
        return [sum(W[i][j] for j in range(len(x))) for i in range(len(W))]

    first, second = ch05.q2.grade(x0_everywhere).message, ch05.q2.grade(ignores_x).message
    assert "every product uses x[0]" in first and "x[j]" in first, first
    assert "as if x were all 1s" in second, second
    assert first != second


def test_seventh_read_q3_says_there_is_no_tanh_in_this_loss():
    import math

    from tinyml.alpha import Var
    from tinyml.matrix import apply, column, matmul, random_matrix

    # The reader's slip: section 5's tanh kept in exercise 3's loss.
    V = apply(Var, random_matrix(2, 3, seed=5))
    z = apply(lambda node: node.tanh(), matmul(V, column([1.0, 2.0, 3.0])))
    (2 * z[0][0] - z[1][0]).backward()
    message = ch05.q3.grade(apply(lambda v: v.g, V)).message
    assert "no tanh in this loss" in message, message
    # Section 5's tanh' factors on g·uᵀ, computed by hand.
    t = [1 - math.tanh(0.3) ** 2, 1 - math.tanh(1.2) ** 2]
    by_hand = [[2 * t[0] * u for u in (1, 2, 3)], [-t[1] * u for u in (1, 2, 3)]]
    assert "no tanh in this loss" in ch05.q3.grade(by_hand).message
    assert "no tanh in this loss" in ch05.q3.grade([[3, 2, 1], [3, 2, 1]]).message
    assert ch05.q3.grade([[2, 4, 6], [-1, -2, -3]]).correct


def test_seventh_read_q5_names_row_sums_counted_from_zero():
    message = ch05.q5.grade(lambda n, m: 3 * n * m + m + n - 1).message
    assert "each row adds m products with m - 1 Adds" in message, message
    assert "matmul starts from the first product" in message
    assert ch05.q5.grade(ch05.graph_nodes).correct


def test_q1_partly_filled_counts_the_blanks_left():
    """An eighth reader's [(3, 3), ____, ____]: not attempted, and told how many blanks remain."""
    from tinyml.exercises import ____

    feedback = ch05.q1.grade([(3, 3), ____, ____])
    assert feedback.status == "not attempted", feedback
    assert feedback.message == "2 blanks left: replace them, then run again.", feedback
    for starter in (____, [____, ____, ____]):  # untouched starter code: the usual message
        assert ch05.q1.grade(starter).message.startswith("replace the ____"), starter


def test_q4_n_m_p_points_at_matmuls_loop_but_leaves_hint_3_to_the_hints():
    # s5d read: the message said hint 3 ("starts each sum from the first product") on the
    # first try; it now asks how matmul's loop adds up m products and leaves that to the hint.
    message = ch05.q4.grade(lambda n, m, p: n * m * p).message
    assert "number of multiplications" in message, message
    assert "how many + does matmul's loop take to add up m products?" in message, message
    assert "first product" not in message and "from 0" not in message, message
    assert "starts each sum from the first product" in ch05.q4.hints()[2]


def test_q3_solution_answers_whether_the_values_matter():
    assert "the loss is linear in V, so its gradient does not depend on them" in (
        ch05.q3.solution_text
    )


def test_ninth_read_q2_puts_vars_in_w_and_names_float():
    def matvec(W, x):  # the reader's answer: passes with floats and with Vars in x only
        return [sum(float(row[j]) * x[j] for j in range(len(x))) for row in W]

    feedback = ch05.q2.grade(matvec)
    assert feedback.status == "incorrect"
    assert "not with Vars in W and x" in feedback.message, feedback.message
    assert "float() turns a Var into a plain number" in feedback.message
    # item 4: the learner's own line, not the checker's wrapper
    assert "(at `return [sum(float(row[j]) * x[j]" in feedback.message, feedback.message
    assert "matvec_fn" not in feedback.message

    def detaches_w(W, x):  # no crash, but the weights' gradients never arrive
        def plain(v):
            return v.value() if hasattr(v, "value") else v

        return [sum((plain(w) * v for w, v in zip(row, x, strict=True)), 0.0) for row in W]

    message = ch05.q2.grade(detaches_w).message
    assert "for W are [[0.0, 0.0, 0.0], [0.0, 0.0, 0.0]]" in message, message
    assert "d y[i] / d W[i][j] is x[j]" in message


def test_ninth_read_q2_says_hard_coded_sizes_only_when_the_sizes_are_to_blame():
    def abs_weights(W, x):  # the reader's answers: they used to pass the all-positive first W
        return [sum(abs(w) * v for w, v in zip(row, x)) for row in W]  # noqa: B905

    def sorted_sums(W, x):
        return sorted([sum(w * v for w, v in zip(row, x)) for row in W])  # noqa: B905

    for wrong in (abs_weights, sorted_sums):
        message = ch05.q2.grade(wrong).message
        assert "expected [7.0, -4.0]" in message, message
        assert "3 inputs / 2 rows" not in message

    def sorted_descending(W, x):  # right on the 2×3 W (7 > -4), wrong order on the 3×2 one
        return sorted([sum(w * v for w, v in zip(row, x, strict=True)) for row in W], reverse=True)

    message = ch05.q2.grade(sorted_descending).message
    assert "right for the 2×3 W, but matvec([[1.0, -2.0]" in message, message
    assert "returned [4.0, 3.0, -2.0], not [4.0, -2.0, 3.0]" in message
    assert "3 inputs / 2 rows" not in message

    def other_crash(W, x):  # a crash that is not an index running off the end
        if len(W) != 2:
            raise ValueError("only two rows, please")
        return [sum(w * v for w, v in zip(row, x, strict=True)) for row in W]

    message = ch05.q2.grade(other_crash).message
    assert "raised ValueError: only two rows, please" in message, message
    assert '(at `raise ValueError("only two rows, please")`)' in message
    assert "3 inputs / 2 rows" not in message


def test_ninth_read_q2_x_i_message_says_your_y_i():
    message = ch05.q2.grade(ch05._matvec_x_i).message
    assert "Your y[i] is row i's sum times x[i]; multiply W[i][j] by x[j], not x[i]" in message


def test_ninth_read_q2_crashes_name_the_learners_line_not_the_checkers():
    def reads_value(W, x):  # crashes on floats
        return [sum(w * v for w, v in zip(row, x, strict=True)) + x[0].value() for row in W]

    message = ch05.q2.grade(reads_value).message
    assert "AttributeError" in message and "(at `return [sum(w * v" in message, message
    assert "W=[[-4.0, 5.0, 1.0]" in message  # the learner's own parameter names
    assert "matvec_fn" not in message

    def vars_only_crash(W, x):  # crashes only with Vars: round() of a Var
        return [round(sum(w * v for w, v in zip(row, x, strict=True)), 12) for row in W]

    message = ch05.q2.grade(vars_only_crash).message
    assert "not with Vars in W and x" in message, message
    assert "(at `return [round(sum(w * v" in message and "matvec_fn" not in message


def test_s4a_read_q1_takes_fails_like_valueerror():
    # The s4a read: "ValueError" counted as "error" but "fails", the exercise's word, did not.
    for said in ("fails", "Fails.", " it fails "):
        assert ch05.q1.grade([(3, 3), (4, 4), said]).correct, said
    message = ch05.q1.grade(["fails", (4, 4), "error"]).message
    assert message.startswith("(a) matmul(P, transpose(P)) does not fail"), message
    for said in ("no error", "does not fail", "fails not"):
        assert ch05.q1.grade([(3, 3), (4, 4), said]).status == "incorrect", said


def test_s4a_read_hint_3_leaves_the_last_step_to_the_learner():
    assert "(2, -1)" not in " ".join(ch05.q3.hints()) and "(2, -1)" in ch05.q3.solution_text
    assert "n * p * (m - 1)" in ch05.q4.solution_text
    for formula in ("n·p·(m - 1)", "n * p * (m - 1)", "n·p·(m-1)"):
        assert formula not in " ".join(ch05.q4.hints()), formula
    # the s4e read: hint 3 no longer says "m - 1 additions"; it asks, and the learner counts
    assert "m - 1" not in ch05.q4.hints()[2] and "How many for m numbers?" in ch05.q4.hints()[2]


def test_s4a_read_q3_solution_says_why_zeros_give_different_rows_here():
    # Section 5: from zeros both rows got the same gradient; here they do not. Say why.
    assert "From zeros the rows differ here" in ch05.q3.solution_text
    assert "weighs z0 and z1 differently" in ch05.q3.solution_text


def test_s4b_q2_names_rows_left_out_not_hard_coded_numbers():
    # The s4b read: a slice W[:2] was told "not the numbers 3 and 2", which its code has none of.
    def matvec(W, x):
        return [sum(w * v for w, v in zip(row, x, strict=False)) for row in W[:2]]

    message = ch05.q2.grade(matvec).message
    assert "2 entries for a 3-row W" in message and "loop over every row of W" in message
    assert "numbers 3 and 2" not in message

    def outer_range_two(W, x):  # a hard-coded outer count: the same symptom, the same advice
        return [sum(W[i][j] * x[j] for j in range(len(x))) for i in range(2)]

    assert "loop over every row of W" in ch05.q2.grade(outer_range_two).message


def test_s4b_q5_hint_2_asks_about_the_shared_inputs_without_answering():
    second, third = ch05.q5.hints()[1:]
    assert "distinct input nodes" in second and "appears once" not in second
    assert "Add the input Vars" in third  # s4g: hint 3 no longer gives their number away


def test_s4c_q5_names_sum_starting_from_0_when_the_graph_was_built_with_sum():
    # The s4c read: a correct build-and-count, but the outputs added up with sum(), whose 0
    # adds a Const and an Add. The feedback blamed a formula the learner never wrote.
    from tinyml.alpha import Var, topological_order
    from tinyml.matrix import apply, column, matmul, random_matrix

    def graph_nodes(n, m):
        x = [Var(1.0) for _ in range(m)]
        W = apply(Var, random_matrix(n, m, seed=0))
        out = matmul(W, column(x))
        return len(topological_order(sum(r[0] for r in out)))

    feedback = ch05.q5.grade(graph_nodes)
    assert feedback.status == "incorrect"
    assert "sum() adds: it starts from 0" in feedback.message, feedback.message
    assert "starting from out[0][0], as section 7 does" in feedback.message
    assert "count each kind of node separately" not in feedback.message

    def by_loop(n, m):  # the same build, added up as section 7 does: right numbers
        x = [Var(1.0) for _ in range(m)]
        out = matmul(apply(Var, random_matrix(n, m, seed=0)), column(x))
        total = out[0][0]
        for row in out[1:]:
            total = total + row[0]
        return len(topological_order(total))

    feedback = ch05.q5.grade(by_loop)  # but measured, not a formula (s4g)
    assert feedback.status == "incorrect" and "right numbers, but measured" in feedback.message
    assert ch05.q5.grade(ch05.graph_nodes).correct


def test_s4c_q4_none_says_return_without_asking_to_count_again():
    def additions(n, m, p):  # the s4c read: prints, returns None
        print(n * p * (m - 1))

    message = ch05.q4.grade(additions).message
    assert "did you print instead of return?" in message, message
    assert "count again" not in message and "how many entries" not in message


def test_s4e_s4g_q5_building_and_counting_is_refused_it_asks_for_the_formula():
    from tinyml.alpha import Var, topological_order
    from tinyml.matrix import apply, column, matmul, random_matrix

    def graph_nodes(n, m):  # the s4e read, verbatim: builds the graph and counts it
        x=[Var(1.0) for _ in range(m)]; W=apply(Var, random_matrix(n,m,seed=0))  # fmt: skip  # noqa: E702
        out=matmul(W,column(x)); t=out[0][0]  # fmt: skip  # noqa: E702
        for r in out[1:]: t=t+r[0]  # fmt: skip  # noqa: E701
        return len(topological_order(t))

    feedback = ch05.q5.grade(graph_nodes)  # s4g: passing it went against "write a formula"
    assert feedback.status == "incorrect"
    assert "right numbers, but measured" in feedback.message
    assert "return the count as an expression in the sizes" in feedback.message
    plain = ch05.q5.grade(ch05.graph_nodes)
    assert plain.correct and "Note" not in plain.message


def test_s4e_q4_counting_with_counted_is_refused_it_asks_for_the_formula():
    from tinyml.matrix import Counted, apply, matmul, random_matrix  # Counted: section 6's

    def additions(n, m, p):
        a = apply(Counted, random_matrix(n, m, seed=0))
        b = apply(Counted, random_matrix(m, p, seed=1))
        Counted.adds = 0
        matmul(a, b)
        return Counted.adds

    feedback = ch05.q4.grade(additions)  # refused like q5's measurement (s4g)
    assert feedback.status == "incorrect"
    assert "right numbers, but measured" in feedback.message
    plain = ch05.q4.grade(lambda n, m, p: (m - 1) * n * p)
    assert plain.correct and "Note" not in plain.message
    wrong = ch05.q4.grade(lambda n, m, p: n * m * p)  # a wrong formula is told what it counts
    assert wrong.status == "incorrect" and "measured" not in wrong.message


def test_s5e_q4_measuring_with_only_one_matrix_wrapped_runs_and_is_refused():
    from tinyml.matrix import Counted, apply, matmul, random_matrix

    def additions(n, m, p):  # the reader's check: only A wrapped, B plain floats
        Counted.adds = 0
        matmul(apply(Counted, random_matrix(n, m, seed=0)), random_matrix(m, p, seed=1))
        return Counted.adds

    assert additions(2, 3, 4) == (3 - 1) * 2 * 4  # no AttributeError: 'float' has no 'v'
    feedback = ch05.q4.grade(additions)
    assert feedback.status == "incorrect" and "right numbers, but measured" in feedback.message


def test_s4f_read_q2_names_append_inside_the_inner_loop_and_total_replaced():
    def append_inside(W, x):  # the reader's answer: y.append one level too deep
        y = []
        for row in W:
            total = 0
            for j in range(len(x)):
                total += row[j] * x[j]
                y.append(total)
        return y

    def replaced(W, x):  # the reader's answer: `=` where `+=` was meant
        y = []
        for row in W:
            total = 0
            for j in range(len(x)):
                total = row[j] * x[j]
            y.append(total)
        return y

    message = ch05.q2.grade(append_inside).message
    assert "[-2.0, 8.0, 7.0, 1.0, -1.0, -4.0]" in message, message
    assert "6 entries, one per product" in message and "after the inner loop" in message
    message = ch05.q2.grade(replaced).message
    assert "[-1.0, -3.0]" in message and "only the last product" in message, message
    assert "add each product to the sum instead" in message, message

    def right(W, x):  # the same loops, fixed, still pass
        y = []
        for row in W:
            total = 0
            for j in range(len(x)):
                total += row[j] * x[j]
            y.append(total)
        return y

    assert ch05.q2.grade(right).correct


def test_s4g_q2_names_a_sum_without_its_first_term_and_a_return_in_the_row_loop():
    def skips_first(W, x):  # the reader's mix of matmul's two styles: total = 0, j from 1
        y = []
        for row in W:
            total = 0
            for j in range(1, len(x)):
                total = total + row[j] * x[j]
            y.append(total)
        return y

    message = ch05.q2.grade(skips_first).message
    assert "returned [9.0, -5.0]" in message, message
    assert "Each sum is missing its first term, W[i][0] * x[0]" in message, message

    def returns_early(W, x):  # the reader's code: return one level too deep
        y = []
        for row in W:
            total = 0
            for j in range(len(x)):
                total = total + row[j] * x[j]
            y.append(total)
            return y

    message = ch05.q2.grade(returns_early).message
    assert "returned [7.0], only y[0]" in message, message
    assert "`return y` is inside a loop" in message, message

    def sliced(W, x):  # x[:-1]: the message names the symptom, not a range it cannot see
        return [sum(w * v for w, v in zip(row, x[:-1], strict=False)) for row in W]

    message = ch05.q2.grade(sliced).message
    assert "the last entry of x is never used" in message and "range(len(x) - 1)" not in message
    assert ch05.q2.grade(ch05.matvec).correct


def test_s4g_q5_hint_3_leaves_the_input_count_to_the_learner():
    third = ch05.q5.hints()[2]
    assert "count the Adds in each row's sum and between the row sums" in third
    assert "m input Vars" not in third and "shared by all n rows" not in third


def test_s5a_read_q1_one_rule_for_fails_and_q2_says_range_once():
    # The s5a read: "error", "ValueError" and "fails" passed but "err" did not; now one rule.
    for said in ("err", "Err.", "error", "ValueError", "fails", "it fails", "raises an error"):
        assert ch05.q1.grade([(3, 3), (4, 4), said]).correct, said
    rejected = ("no error", "not an error", "does not fail", "doesn't fail", "fails not", "(3,3)")
    for said in rejected:
        feedback = ch05.q1.grade([(3, 3), (4, 4), said])
        assert feedback.status == "incorrect", said
        assert 'or "error", not' in feedback.message, feedback.message
    assert "does not fail" in ch05.q1.grade(["err", (4, 4), "error"]).message

    def one_short(W, x):  # the reader's off-by-one; the message said "all of x" twice
        return [sum(W[i][j] * x[j] for j in range(len(x) - 1)) for i in range(len(W))]

    message = ch05.q2.grade(one_short).message
    assert message.endswith("the last entry of x is never used: loop over range(len(x))")
    assert "all the entries" not in message and "all of x" not in message, message


def test_s5d_q5_a_const_per_weight_with_var_inputs_gets_its_own_message():
    def graph_nodes(n, m):  # the reader's answer: adds the m input Vars, keeps n·m Consts
        return 4 * n * m + m - 1

    message = ch05.q5.grade(graph_nodes).message
    assert message.endswith(
        "you still count a Const per product: with x made of Vars, Var * Var needs no Const"
    ), message
    assert "count each kind of node separately" not in message, message
    assert ch05.q5.grade(ch05.graph_nodes).correct
    assert ch05.q5.grade(lambda n, m: 3 * n * m + m - 1).correct


def test_s6a_read_q2_overwrite_message_names_no_variable_and_q4_q5_wrong_arity():
    def overwrite(W, x):  # the reader's exact slip: `t = w*v` replaces the sum
        y = []
        for row in W:
            t = 0
            for w, v in zip(row, x):  # noqa: B905 - the reader's exact code
                t = w * v
            y.append(t)
        return y

    message = ch05.q2.grade(overwrite).message
    assert "only the last product" in message and "add each product to the sum" in message
    assert "total" not in message, message  # the learner's variable may be t, s, acc, ...

    # The reader's `ch05.q4.check(lambda: 0)` showed a raw TypeError naming <lambda>.
    for wrong in (lambda: 0, lambda n, m: 0, lambda n, m, p, q: 0):
        message = ch05.q4.grade(wrong).message
        assert ch05.q4.grade(wrong).status == "incorrect"
        assert message.startswith("additions must take 3 arguments, (n, m, p)"), message
        assert "<lambda>" not in message and "TypeError" not in message, message
    message = ch05.q5.grade(lambda n: 0).message
    assert message.startswith("graph_nodes must take 2 arguments, (n, m)"), message
    # right answers with other argument forms still pass
    assert ch05.q4.grade(lambda *s: s[0] * s[2] * (s[1] - 1)).correct
    assert ch05.q4.grade(lambda n, m, p, extra=0: n * p * (m - 1) + extra).correct
    assert ch05.q4.grade(ch05.additions).correct and ch05.q5.grade(ch05.graph_nodes).correct


def test_s6c_read_q2_first_product_twice_and_only_row_0_name_what_was_written():
    def first_twice(W, x):  # reader 2's code: start from the first product, then loop from 0
        y = []
        for r in W:
            t = r[0] * x[0]
            for j in range(len(r)):
                t = t + r[j] * x[j]
            y.append(t)
        return y

    message = ch05.q2.grade(first_twice).message
    assert "returned [5.0, -3.0]" in message, message
    assert "counts its first term, W[i][0] * x[0], twice" in message, message

    def only_row_0(W, x):  # reader 1's slip: looping only over W[0]
        y = []
        row = W[0]
        total = 0
        for j in range(len(x)):
            total = total + row[j] * x[j]
        y.append(total)
        return y

    message = ch05.q2.grade(only_row_0).message
    assert "returned [7.0], only y[0]" in message, message
    assert "never reaches row 1" in message and "inside" not in message, message

    def returns_early(W, x):  # the s4g reader's slip still gets its own message
        y = []
        for row in W:
            total = 0
            for j in range(len(x)):
                total = total + row[j] * x[j]
            y.append(total)
            return y

    message = ch05.q2.grade(returns_early).message
    assert "`return y` is inside a loop" in message and "never reaches" not in message, message


def test_s6d_read_helpers_are_followed_for_matmul_and_measuring():
    from tinyml.alpha import Var, topological_order
    from tinyml.matrix import Counted, apply, column, matmul, random_matrix

    def cnt(n,m):  # reader 2's exact helper, to test a formula  # fmt: skip
        x=[Var(1.0) for _ in range(m)]; Wn=apply(Var, random_matrix(n,m,seed=0)); out=matmul(Wn,column(x)); t=out[0][0]  # fmt: skip  # noqa: E501, E702
        for r in out[1:]: t=t+r[0]  # fmt: skip  # noqa: E701
        return len(topological_order(t))

    def graph_nodes(n,m):  # fmt: skip
        return cnt(n,m)  # fmt: skip

    feedback = ch05.q5.grade(graph_nodes)  # was "Correct: well done."
    assert feedback.status == "incorrect", feedback.message
    assert "right numbers, but measured" in feedback.message, feedback.message

    def cntadd(n, m, p):  # reader 2's Ex 4 helper: builds Counted matrices, returns adds
        a = apply(Counted, random_matrix(n, m, seed=0))
        b = apply(Counted, random_matrix(m, p, seed=1))
        Counted.adds = 0
        matmul(a, b)
        return Counted.adds

    def additions(n,m,p): return cntadd(n,m,p)  # fmt: skip  # noqa: E704

    feedback = ch05.q4.grade(additions)
    assert feedback.status == "incorrect", feedback.message
    assert "right numbers, but measured" in feedback.message, feedback.message

    def mm(W,x): return matmul(W,column(x))  # fmt: skip  # noqa: E704

    def matvec(W,x): return [r[0] for r in mm(W,x)]  # fmt: skip  # noqa: E704

    feedback = ch05.q2.grade(matvec)
    assert feedback.status == "incorrect", feedback.message
    assert "uses tinyml's matmul, through your helper mm" in feedback.message, feedback.message

    deeper = lambda W, x: matvec(W, x)  # noqa: E731 - two helpers deep, through a lambda
    assert "through your helper mm" in ch05.q2.grade(deeper).message


def test_s6d_read_innocent_helpers_still_pass():
    def dot(row, x):  # a helper that does the work with + and *
        total = row[0] * x[0]
        for j in range(1, len(x)):
            total = total + row[j] * x[j]
        return total

    def matvec(W, x):
        return [dot(row, x) for row in W]

    assert ch05.q2.grade(matvec).correct
    per_entry = lambda m: m - 1  # noqa: E731

    def additions(n, m, p):
        return n * p * per_entry(m)

    assert ch05.q4.grade(additions).correct

    def kinds(n, m):
        return {"weights": n * m, "inputs": m, "mul": n * m, "add": n * m - 1}

    def graph_nodes(n, m):
        return sum(kinds(n, m).values())

    assert ch05.q5.grade(graph_nodes).correct
    assert ch05.q5.grade(ch05.graph_nodes).correct  # tinyml's own functions are not followed


def test_s6d_read_q4_plus_n_p_says_from_0_and_q2_names_append_after_the_row_loop():
    message = ch05.q4.grade(lambda n, m, p: n*(m-1)*p + n*p).message  # fmt: skip
    assert "as if each sum started from 0" in message, message
    assert "number of multiplications" not in message, message
    plain = ch05.q4.grade(lambda n, m, p: n * m * p).message  # still the muls message
    assert "number of multiplications" in plain and "from 0" not in plain, plain

    def append_after(W, x):  # reader 2's slip: y.append dedented out of the row loop
        y = []
        for row in W:
            t = 0
            for j in range(len(x)):
                t = t + row[j] * x[j]
        y.append(t)
        return y

    message = ch05.q2.grade(append_after).message
    assert "returned [-4.0], only the last row's sum" in message, message
    assert "after the row loop has ended" in message, message


def test_s6e_read_q2_quotes_the_return_written_and_q3_q1_messages():
    def returns_t_early(W, x):  # the reader's code: `return [t]` inside the row loop
        y = []  # noqa: F841 - unused, as in the reader's code
        for row in W:
            t = 0
            for j in range(len(x)):
                t = t + row[j] * x[j]
            return [t]

    message = ch05.q2.grade(returns_t_early).message
    assert "returned [7.0], only y[0]" in message, message
    assert "Your `return [t]` is inside a loop" in message, message
    assert "return y" not in message, message

    # The reader's near miss got a remark about tanh, which this loss does not have.
    feedback = ch05.q3.grade([[2, 4, 6], [-1, -2, -3.01]])
    assert feedback.status == "incorrect"
    assert "only [1][2] = -3.01 is off" in feedback.message, feedback.message
    assert "tanh" not in feedback.message, feedback.message
    assert "[[3, 2, 1], [3, 2, 1]] is not it" in ch05.q3.grade([[3, 2, 1], [3, 2, 1]]).message

    message = ch05.q1.grade([(3, 4), (4, 3), "error"]).message
    assert message.endswith("the columns of the second."), message

    def adds_for_times(W, x):  # the reader's `+` typed where `*` belongs
        y = []
        for row in W:
            t = 0
            for j in range(len(x)):
                t = t + row[j] + x[j]
            y.append(t)
        return y

    feedback = ch05.q2.grade(adds_for_times)
    assert feedback.status == "incorrect"
    assert "returned [3.5, 5.5]" in feedback.message, feedback.message
    assert "Your sums add W[i][j] + x[j]; multiply them" in feedback.message, feedback.message
