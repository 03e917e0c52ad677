"""What learners see: solutions highlighted like tinyml.show, plain text where no HTML shows."""

from __future__ import annotations

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
