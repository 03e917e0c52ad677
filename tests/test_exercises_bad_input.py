"""Whatever a learner passes to check(), every exercise answers with feedback, never a traceback.

The answers below are the strange things people really type: a number where a function is
expected and the other way round, infinities, NaN, huge numbers, strings, None, containers,
and functions that return nonsense. The checker must turn each into "incorrect" (or "not
attempted") with a reason.
"""

from __future__ import annotations

import importlib
import math
import time

import pytest

from tinyml.exercises import Incorrect, NotAttempted, Question

CHAPTERS = [f"ch{n:02d}" for n in range(1, 9)]
QUESTIONS = [
    (chapter, name)
    for chapter in CHAPTERS
    for name, value in sorted(vars(importlib.import_module(f"tinyml.exercises.{chapter}")).items())
    if isinstance(value, Question)
]
ODD_ANSWERS = {
    "inf": math.inf,
    "-inf": -math.inf,
    "nan": math.nan,
    "zero": 0,
    "negative": -1,
    "huge": 1e300,
    "largest floats": 1e308,
    "overflows when squared": 1e160,
    "number as a string": "0.02",
    "list of one number": [0.02],
    "dict": {},
    "string": "abc",
    "None": None,
    "empty list": [],
    "nested list": [[1, 2], [3]],
    "tuple of strings": ("4", "4"),
    "function returning None": lambda *args, **kwargs: None,
    "function returning a string": lambda *args, **kwargs: "x",
    "function returning inf": lambda *args, **kwargs: math.inf,
    "function returning a huge number": lambda *args, **kwargs: 1e10,
    "function returning nan": lambda *args, **kwargs: math.nan,
    "function returning 1e300": lambda *args, **kwargs: 1e300,
    "function returning a large negative number": lambda *args, **kwargs: -1e10,
}


@pytest.mark.parametrize(("chapter", "name"), QUESTIONS)
@pytest.mark.parametrize("label", list(ODD_ANSWERS))
def test_an_odd_answer_gets_feedback_not_a_traceback(chapter, name, label):
    question = getattr(importlib.import_module(f"tinyml.exercises.{chapter}"), name)
    start = time.process_time()
    try:
        question.checker(ODD_ANSWERS[label])
    except (Incorrect, NotAttempted) as exc:
        assert str(exc).strip(), "the feedback must say why"
    else:
        pytest.fail(f"{chapter}.{name} accepted {label}")
    assert time.process_time() - start < 2.0, "feedback within a second or two"
