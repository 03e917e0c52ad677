"""Chapter 5's checkers on more than one configuration: answers that hard-code the one shape
or size a checker used to try, from the fourth independent read of chapters 5-6."""

from __future__ import annotations

from tinyml.exercises import ch05


def test_q3_refuses_a_matvec_that_hard_codes_three_inputs_or_two_rows():
    def three_inputs(W, x):  # the reader's answer: right for the 2×3 W only
        return [row[0] * x[0] + row[1] * x[1] + row[2] * x[2] for row in W]

    def two_rows(W, x):
        return [sum(W[i][j] * x[j] for j in range(3)) for i in range(2)]

    def first_three_only(W, x):  # no crash on a 1×4 W, just a wrong sum
        return [sum(row[j] * x[j] for j in range(min(3, len(x)))) for row in W]

    for wrong in (three_inputs, two_rows, first_three_only):
        feedback = ch05.q3.grade(wrong)
        assert feedback.status == "incorrect", wrong
        assert "works only for 3 inputs / 2 rows" in feedback.message, feedback.message
        assert "len(x)" in feedback.message and "len(W)" in feedback.message

    def by_len(W, x):  # honest variants pass
        return [sum(W[i][j] * x[j] for j in range(len(x))) for i in range(len(W))]

    def by_zip(W, x):
        return [sum(w * v for w, v in zip(row, x, strict=True)) for row in W]

    for right in (ch05.matvec, by_len, by_zip):
        assert ch05.q3.grade(right).correct, right


def test_q2_refuses_a_formula_patched_for_the_sizes_it_was_tried_on():
    patched = ch05.q2.grade(lambda n, m, p: n * p * (m - 1) if (n, m, p) != (1, 1, 1) else 1)
    assert patched.status == "incorrect" and "nothing to add: 0" in patched.message
    assert ch05.q2.grade(lambda n, m, p: max(n * p * (m - 1), 1)).status == "incorrect"
    assert ch05.q2.grade(lambda n, m, p: (m - 1) * p * n).correct


def test_q1_points_at_the_rule_before_the_numbers():
    for answer in ((3, 4), (4, 3)):
        message = ch05.q1.grade(answer).message
        assert "rows of the first factor and the columns of the second" in message, message
        assert "(4)" not in message and "4×4" not in message, message
    assert "give a shape" in ch05.q1.grade(None).message
    assert "4×3" in " ".join(ch05.q1.hints()[1:])  # the numbers wait for hint(2)


def test_q4_accepts_tuples_and_q1_asks_for_numbers():
    assert ch05.q4.grade(((2, 4, 6), (-1, -2, -3))).correct
    assert ch05.q4.grade([(2, 4, 6), (-1, -2, -3)]).correct
    assert "row 1 is 1·u" in ch05.q4.grade(((2, 4, 6), (1, 2, 3))).message
    assert "give numbers" in ch05.q1.grade(("4", "4")).message
    assert ch05.q1.grade((4.0, 4.0)).correct
    assert "random_matrix" not in ch05.q1.hints()[1] and "random_matrix" in ch05.q1.hints()[2]


def test_q1_error_message_and_q2_printing_instead_of_returning():
    assert ch05.q1.grade("error").message.endswith("they agree.")

    def prints(n, m, p):
        print(n * p * (m - 1))  # the classic slip: printed, not returned

    feedback = ch05.q2.grade(prints)
    assert feedback.status == "incorrect"
    assert "did you print instead of return?" in feedback.message, feedback.message
    assert ch05.q2.grade(ch05.additions).correct


def test_q3_refuses_rounding_and_an_inner_loop_over_the_rows():
    def rounds_floats(W, x):  # tidy on the 2×3 case, and Vars pass through untouched
        y = ch05.matvec(W, x)
        return [round(v, 2) if isinstance(v, float) else v for v in y]

    def rounds_to_4(W, x):
        return [round(v, 4) if isinstance(v, float) else v for v in ch05.matvec(W, x)]

    for wrong in (rounds_floats, rounds_to_4):
        feedback = ch05.q3.grade(wrong)
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

    feedback = ch05.q3.grade(square)
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
        assert ch05.q3.grade(right).correct, right


def test_q2_says_a_string_is_not_a_number():
    message = ch05.q2.grade(lambda n, m, p: str(n * p * (m - 1))).message
    assert "gave the string '20'" in message and "return a number, not a string" in message
    assert "count again" not in message


def test_q4_names_a_doubled_gradient_from_two_backward_calls():
    from tinyml.alpha import Var
    from tinyml.matrix import apply, column, matmul

    V = [[Var(0.0) for _ in range(3)] for _ in range(2)]
    z = matmul(V, column([1.0, 2.0, 3.0]))
    loss = 2 * z[0][0] - z[1][0]
    loss.backward()
    assert ch05.q4.grade(apply(lambda v: v.g, V)).correct  # one backward(): right
    loss.backward()  # a second call adds the same gradients again
    doubled = apply(lambda v: v.g, V)
    assert doubled == [[4.0, 8.0, 12.0], [-2.0, -4.0, -6.0]]
    message = ch05.q4.grade(doubled).message
    assert "exactly 2× the answer" in message and "backward() run twice" in message
