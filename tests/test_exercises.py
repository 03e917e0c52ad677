"""Every exercise checker: its solution passes, typical wrong answers fail with a reason."""

from __future__ import annotations

import importlib
import pkgutil

import pytest

import tinyml.exercises as ex
from tinyml.exercises import Question, ____, call_learner


def _questions() -> list[tuple[str, Question]]:
    found = []
    for info in pkgutil.iter_modules(ex.__path__):
        module = importlib.import_module(f"tinyml.exercises.{info.name}")
        for name, obj in vars(module).items():
            if isinstance(obj, Question):
                found.append((f"{info.name}.{name}", obj))
    return sorted(found, key=lambda pair: pair[0])


QUESTIONS = _questions()
IDS = [name for name, _ in QUESTIONS]


def test_every_chapter_module_has_three_to_five_questions():
    per_module: dict[str, int] = {}
    for name, _ in QUESTIONS:
        per_module[name.split(".")[0]] = per_module.get(name.split(".")[0], 0) + 1
    assert per_module, "no exercise modules found"
    for module, count in per_module.items():
        assert 3 <= count <= 5, f"{module} has {count} questions"


@pytest.mark.parametrize("name,q", QUESTIONS, ids=IDS)
def test_solution_is_correct(name, q):
    feedback = q.grade(q.answer())
    assert feedback.status == "correct", f"{name}: {feedback.message}"


@pytest.mark.parametrize("name,q", QUESTIONS, ids=IDS)
def test_typical_wrong_answers_fail_with_a_reason(name, q):
    assert q.wrong, f"{name} lists no typical wrong answers"
    for bad, phrase in q.wrong:
        feedback = q.grade(bad)
        assert feedback.status == "incorrect", f"{name}: {bad!r} was graded {feedback.status}"
        assert phrase.lower() in feedback.message.lower(), (
            f"{name}: feedback {feedback.message!r} does not mention {phrase!r}"
        )


@pytest.mark.parametrize("name,q", QUESTIONS, ids=IDS)
def test_blank_is_not_attempted(name, q):
    assert q.grade(____).status == "not attempted"
    assert q.grade().status == "not attempted"


@pytest.mark.parametrize("name,q", QUESTIONS, ids=IDS)
def test_hint_and_solution_have_text(name, q):
    assert len(q.hint_text) > 20 and len(q.solution_text) > 20


def test_starter_function_is_not_attempted_and_crash_is_incorrect():
    def starter(x):
        raise NotImplementedError

    def returns_blank(x):
        return ____

    def crashes(x):
        return 1 / 0

    from tinyml.exercises import Incorrect, NotAttempted

    with pytest.raises(NotAttempted):
        call_learner(starter, 1.0)
    with pytest.raises(NotAttempted):
        call_learner(returns_blank, 1.0)
    with pytest.raises(Incorrect, match="ZeroDivisionError"):
        call_learner(crashes, 1.0)
    assert call_learner(lambda x: 2 * x, 3.0) == 6.0


def test_check_prints_status_outside_jupyter(capsys):
    from tinyml.exercises import Incorrect

    def checker(answer):
        if answer != 42:
            raise Incorrect(f"{answer} is not the answer")

    q = Question(checker, "think of the answer", "answer = 42", lambda: 42, [(41, "not")])
    q.check()
    q.check(41)
    q.check(42)
    q.hint()
    q.solution()
    out = capsys.readouterr().out.splitlines()
    assert out[0].startswith("Not attempted yet")
    assert out[1] == "Incorrect: 41 is not the answer"
    assert out[2].startswith("Correct")
    assert out[3] == "Hint: think of the answer"
    assert out[4:] == ["Solution:", "answer = 42"]
