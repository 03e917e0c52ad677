"""What learners see: solutions highlighted like tinyml.show, plain text where no HTML shows."""

from __future__ import annotations

import inspect

import pytest

from tinyml.exercises import Question
from tinyml.source import Source, highlight_html


@pytest.fixture
def shown(monkeypatch):
    import IPython
    import IPython.display

    records = []
    monkeypatch.setattr(IPython, "get_ipython", lambda: object())
    monkeypatch.setattr(
        IPython.display, "display", lambda obj, raw=False: records.append((obj, raw))
    )
    return records


def _question(solution: str) -> Question:
    return Question(lambda a: None, "a hint", solution, answer=lambda: 1)


def test_solution_is_highlighted_python(shown):
    code = "def f(x):\n    return x * 2  # twice\n"
    _question(code).solution()
    ((bundle, raw),) = shown
    assert raw and bundle["text/plain"].startswith("Solution:\ndef f(x):")
    html = bundle["text/html"]
    assert "<span" in html and "color" in html  # pygments' inline styles: highlighted
    assert html.count("def") == 1 and "twice" in html
    assert highlight_html(code) in html  # the same rendering as tinyml.show


def test_hint_stays_prose(shown):
    _question("x = 1").hint()
    ((bundle, _),) = shown
    assert "<span" not in bundle["text/html"] and "a hint" in bundle["text/html"]


def test_highlight_escapes_html_and_matches_show():
    html = highlight_html("print('<b>')")
    assert "<b>" not in html and "&lt;" in html
    assert Source("print('<b>')\n")._repr_html_().endswith(highlight_html("print('<b>')\n"))


def test_show_can_hide_lines_and_says_so():
    import inspect

    from tinyml import alpha, show

    full = show(alpha.Sub).code
    trimmed = show(alpha.Sub, hide="_uses", why="bookkeeping").code
    lines = full.splitlines()
    first = next(i for i, line in enumerate(lines) if "_uses" in line)  # one run of 3 lines
    marker = "        ...  # 3 lines not shown: bookkeeping"
    rest = [line for line in lines[first:] if "_uses" not in line]
    assert "_uses" in inspect.getsource(alpha.Sub) and "_uses" not in trimmed
    assert trimmed.splitlines() == [*lines[:first], marker, *rest]
    assert show(alpha.Sub, alpha.Mul, hide="_uses").code.count("3 lines not shown\n") == 2


def test_show_refuses_to_hide_what_is_not_there():
    from tinyml import alpha, show

    with pytest.raises(ValueError, match="no_such_thing"):
        show(alpha.Sub, hide=("_uses", "no_such_thing"))


def test_show_can_give_each_hidden_string_its_own_reason():
    from tinyml import alpha, show

    code = show(
        alpha.Sub, hide={"_isinf": "overflow", "_overflow": "overflow", "_uses": "bookkeeping"}
    ).code
    assert "_isinf" not in code and "_uses" not in code
    assert "        ...  # 2 lines not shown: overflow\n" in code  # the if and its raise: one run
    assert "        ...  # 3 lines not shown: bookkeeping" in code
    with pytest.raises(ValueError, match="no_such_thing"):
        show(alpha.Sub, hide={"_uses": "x", "no_such_thing": "y"})
    lines = ["a = 1", "b = 2  # one", "c = 3  # two", "d = 4"]
    from tinyml.source import _elide

    assert _elide("\n".join(lines), {"one": "first", "two": "second"}).splitlines() == [
        "a = 1",
        "...  # 1 line not shown: first",
        "...  # 1 line not shown: second",
        "d = 4",
    ]


def test_a_named_view_hides_what_the_module_lists_and_only_what_is_there():
    from tinyml import alpha, show

    shown = (alpha.Node.grad, alpha.Sub, alpha.Mul, alpha.backward_simple)
    simple = show(*shown, view="simple").code
    by_hand = show(
        *shown, hide=alpha.SHOW_VIEWS["simple"]
    ).code  # every string of the view occurs in these four, so the two are the same
    assert simple == by_hand
    assert "__slots__" not in simple and "_uses" not in simple and "_real" not in simple
    assert "...  # 1 line not shown: a memory-saving detail" in simple
    # Add has no _check_fresh line: a view leaves out only what the shown code contains.
    assert "_uses" not in show(alpha.Add, view="simple").code
    # An explicit hide= reason wins over the view's, for the same string.
    assert "mine" in show(alpha.Sub, view="simple", hide={"_uses": "mine"}).code


def test_an_unknown_view_names_the_views_there_are():
    from tinyml import alpha, show

    with pytest.raises(ValueError, match=r"view='fast'.*has: 'simple'"):
        show(alpha.Sub, view="fast")
    with pytest.raises(ValueError, match="has: none"):
        show(show, view="simple")


def test_shown_code_drops_linter_noqa_comments_but_keeps_their_reasons():
    from tinyml import beta, matrix, show
    from tinyml.source import strip_noqa

    code = (
        "f = lambda: 1  # noqa: E731\n"
        "g = 2  # noqa\n"
        "raise  # noqa: PLE0704 - an outer call reports it\n"
        "import torch  # noqa: F401, E402\n"
        "h = 3  # twice, no linter here\n"
    )
    assert strip_noqa(code) == (
        "f = lambda: 1\ng = 2\nraise  # an outer call reports it\nimport torch\n"
        "h = 3  # twice, no linter here\n"
    )
    shown = show(matrix.random_matrix).code
    assert "noqa" not in shown and "draw = lambda: rng.uniform(-scale, scale)\n" in shown
    assert "noqa" not in show(beta).code
    assert "# an outer call of the walk will report it" in show(beta).code


def test_runs_with_one_reason_split_only_by_blank_lines_show_as_one_marker():
    from tinyml import optim, show
    from tinyml.source import _elide

    lines = ["a = 1", "b = 2  # one", "", "c = 3  # one", "", "d = 4  # two", "", "e = 5"]
    assert _elide("\n".join(lines), {"one": "first", "two": "second"}).splitlines() == [
        "a = 1",
        "...  # 2 lines not shown: first",  # the blank between them is neither shown nor counted
        "",
        "...  # 1 line not shown: second",
        "",
        "e = 5",
    ]
    code = show(optim.Optimizer, view="lesson").code  # __repr__ and _settings: one marker
    assert code.count("not shown: how an optimizer prints") == 1, code
    body = inspect.getsource(optim.Optimizer.__repr__) + inspect.getsource(
        optim.Optimizer._settings
    )
    shown = {line.strip() for line in code.splitlines()}
    for line in filter(str.strip, body.splitlines()):  # a line added to __repr__ is hidden too
        assert line.strip() not in shown, f"{line.strip()!r} of __repr__ shows in the lesson view"
