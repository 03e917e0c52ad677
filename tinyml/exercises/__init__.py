"""Automatic feedback for the chapters' exercises.

In a chapter::

    from tinyml.exercises import ch01, ____

    answer = ____          # replace the blank
    ch01.q1.check(answer)  # not attempted yet / incorrect, and why / correct
    ch01.q1.hint()
    ch01.q1.solution()

Each chapter's module (``ch01``, ``ch02`` …) defines its questions with :class:`Question`.
"""

from __future__ import annotations

import ast
import dis
import html
import inspect
import linecache
import math
import textwrap
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

__all__ = ["____", "Blank", "Feedback", "Incorrect", "Question", "all_close"]


def learner_syntax(fn) -> ast.Module | None:
    """The syntax tree of a learner's function's source, for a checker that reads how it was
    written (a `return` inside a loop, `.g = …`); None when the source cannot be read."""
    try:
        return ast.parse(textwrap.dedent(inspect.getsource(fn)))
    except (OSError, TypeError, SyntaxError):
        return None


def cell_filled(cell) -> bool:
    """Whether a closure cell holds a value yet (reading an empty one raises ValueError)."""
    try:
        cell.cell_contents  # noqa: B018 - an empty cell raises ValueError
    except ValueError:
        return False
    return True


class Blank:
    """The placeholder in starter code; an answer that is (or contains) it is not attempted."""

    def __repr__(self) -> str:
        return "____"

    # Arithmetic on a blank gives a blank, so `2 * ____` in starter code stays "not attempted".
    def _blank(self, *_: object) -> Blank:
        return self

    __add__ = __radd__ = __sub__ = __rsub__ = __mul__ = __rmul__ = _blank
    __truediv__ = __rtruediv__ = __pow__ = __rpow__ = __neg__ = __abs__ = _blank

    def __call__(self, *_: object, **__: object) -> Blank:
        return self

    # A comparison with a blank is False, so a starter loop such as `while 1.0 + ____ > 1.0:`
    # runs zero times and the checker below it says "not attempted" instead of crashing.
    def _false(self, _: object) -> bool:
        return False

    __lt__ = __le__ = __gt__ = __ge__ = _false


____ = Blank()


class Incorrect(Exception):
    """Raised by a checker with the reason an answer is wrong."""


class NotAttempted(Exception):
    """Raised when the answer is still the starter code."""


@dataclass
class Feedback:
    status: str  # "correct", "accepted" (right, but not as asked), "incorrect", "not attempted"
    message: str

    @property
    def correct(self) -> bool:
        return self.status in ("correct", "accepted")


_COLOURS = {
    "correct": "#1a7f37",
    "accepted": "#9a6700",
    "incorrect": "#cf222e",
    "not attempted": "#6e7781",
}
_TITLES = {
    "correct": "Correct",
    "accepted": "Accepted, but",
    "incorrect": "Incorrect",
    "not attempted": "Not attempted yet",
}


def _count_blanks(value: object, depth: int = 0) -> int:
    """How many ____ the value holds, looking three containers deep."""
    if isinstance(value, Blank):
        return 1
    if depth < 3 and isinstance(value, (list, tuple, set, dict)):
        items = value.values() if isinstance(value, dict) else value
        return sum(_count_blanks(v, depth + 1) for v in items)
    return 0


def _contains_blank(value: object) -> bool:
    return _count_blanks(value) > 0


def all_close(
    got: list[float], want: list[float], rel_tol: float = 1e-9, abs_tol: float = 0.0
) -> bool:
    """Whether two equally long lists of numbers agree entry by entry, within the tolerances."""
    pairs = zip(got, want, strict=True)
    return all(math.isclose(g, w, rel_tol=rel_tol, abs_tol=abs_tol) for g, w in pairs)


def _described(fn: Callable[..., Any], args: tuple) -> str:
    """The arguments as the learner named them, "x=0.0", else as a tuple, "(0.0,)"."""
    try:
        bound = inspect.signature(fn).bind(*args)
    except (TypeError, ValueError):
        return repr(tuple(args))
    return ", ".join(f"{name}={value!r}" for name, value in bound.arguments.items())


def _failing_line(fn: Callable[..., Any], exc: BaseException) -> str:
    """' (at `line`)': the last line of the learner's own file that ran, when it can be read."""
    fn = inspect.unwrap(fn)  # a checker's functools.wraps wrapper: look for the learner's file
    filename = getattr(getattr(fn, "__code__", None), "co_filename", None)
    line = ""
    tb = exc.__traceback__
    while tb is not None:
        if tb.tb_frame.f_code.co_filename == filename:
            line = linecache.getline(filename, tb.tb_lineno).strip()
        tb = tb.tb_next
    return f" (at `{line}`)" if line else ""


def call_learner(fn: Callable[..., Any], *args: Any, call: str = "", advice: str = "") -> Any:
    """Call a learner's function; turn starter code and crashes into feedback, not tracebacks.

    A crash's reason names the call: by ``call`` when given (e.g. "calling Cube(x).value()",
    or a call described by its arguments' shapes rather than their whole contents), else by
    the arguments' reprs; ``advice``, when given, follows the reason.
    """
    try:
        result = fn(*args)
    except NotImplementedError:
        raise NotAttempted("the function still raises NotImplementedError") from None
    except (Incorrect, NotAttempted):
        raise
    except Exception as exc:  # the learner's bug becomes the reason, not a crash
        where = "" if call or advice else _failing_line(fn, exc)  # callers' own wording stays
        call = call or "calling it with " + _described(fn, args)
        reason = f"{call} raised {type(exc).__name__}: {str(exc).strip()}{where}"
        raise Incorrect(f"{reason}. {advice}" if advice else reason) from None
    if _contains_blank(result):
        raise NotAttempted("the function still returns the blank ____")
    return result


@dataclass
class Question:
    """One exercise: how to check an answer, a hint, and a worked solution.

    ``checker(answer)`` returns on success and raises :class:`Incorrect` with the reason
    otherwise. ``answer`` returns a correct answer (the tests use it to check the checker);
    ``wrong`` lists typical wrong answers with a phrase their feedback must contain.
    ``more_hints`` stage the help: ``hint()`` gives a nudge, ``hint(2)``, ``hint(3)`` … more.
    ``note(answer)``, for a right answer, may return a remark added after the praise (e.g. a
    number copied from the chapter: "Note: … derive one too"), or "" for none.
    ``reservation(answer)``, for a right answer that is not what the exercise asks (a value typed
    in instead of derived, a step of one's own where the text says to leave it out), returns why;
    the feedback is then titled "Accepted, but" instead of "Correct", with that reason in place
    of the praise. It returns "" for an answer given as asked.
    """

    checker: Callable[[Any], None]
    hint_text: str
    solution_text: str
    answer: Callable[[], Any]
    wrong: list[tuple[Any, str]] = field(default_factory=list)
    title: str = ""
    more_hints: tuple[str, ...] = ()
    praise: str = ""  # what a right answer is told instead of "well done."
    note: Callable[[Any], str] | None = None
    reservation: Callable[[Any], str] | None = None

    def __repr__(self) -> str:  # a cell ending in ch01.q1 must not print the solution
        title = f" {self.title!r}" if self.title else ""
        return f"<Question{title}: .check(answer), .hint(), .solution()>"

    def grade(self, answer: Any = ____) -> Feedback:
        """Return the feedback for an answer without displaying it."""
        left = _count_blanks(answer)
        if left:
            items = answer.values() if isinstance(answer, dict) else answer
            partly_filled = isinstance(answer, (list, tuple, dict)) and not all(
                _count_blanks(v) for v in items
            )
            if partly_filled and left > 1:  # e.g. [(3, 3), ____, ____]: say how many remain
                return Feedback(
                    "not attempted", f"{left} blanks left: replace them, then run again."
                )
            return Feedback("not attempted", "replace the ____ with your answer, then run again.")
        try:
            self.checker(answer)
        except NotAttempted as exc:
            return Feedback("not attempted", f"{exc}.")
        except Incorrect as exc:
            return Feedback("incorrect", str(exc))
        reason = self.reservation(answer) if self.reservation else ""
        if reason:
            return Feedback("accepted", reason)
        message = self.praise or "well done."
        remark = self.note(answer) if self.note else ""
        return Feedback("correct", f"{message} {remark}" if remark else message)

    def check(self, answer: Any = ____) -> None:
        """Display whether the answer is correct, and if not, why."""
        feedback = self.grade(answer)
        _display(_TITLES[feedback.status], feedback.message, _COLOURS[feedback.status])

    def hints(self) -> list[str]:
        """Every hint, from the first nudge to the most explicit."""
        return [self.hint_text, *self.more_hints]

    def hint(self, level: int = 1) -> None:
        """Display a hint; when there is more, hint(2), hint(3) … say more, one step at a time."""
        hints = self.hints()
        if isinstance(level, bool) or not isinstance(level, int):
            _display("Hint", f"give the hint's number as a whole number, not {level!r}: hint(2)",
                     "#0969da")  # fmt: skip
            return
        if level < 1:
            _display("Hint", f"hints start at 1, not {level!r}: hint() or hint(2)", "#0969da")
            return
        asked, level = level, min(level, len(hints))
        text = hints[level - 1]
        if level < len(hints):
            text += f" (Still stuck? hint({level + 1}) says more.)"
        else:
            text += " (That is the last hint; solution() shows one answer.)"
        if asked > level:  # say so, rather than repeat the last hint as if it were new
            count = "is only one hint" if len(hints) == 1 else f"are only {len(hints)} hints"
            text = f"There {count}; the last one again: {text}"
        title = "Hint" if len(hints) == 1 else f"Hint {level} of {len(hints)}"
        _display(title, text, "#0969da")

    def solution(self) -> None:
        """Display a worked solution."""
        _display("Solution", self.solution_text, "#8250df", code=True)


def _display(title: str, text: str, colour: str, code: bool = False) -> None:
    plain = f"{title}: {text}" if not code else f"{title}:\n{text}"
    try:
        from IPython import get_ipython
        from IPython.display import display
    except ImportError:
        print(plain)
        return
    if get_ipython() is None:
        print(plain)
        return
    if code:  # highlighted like tinyml.show; prose lines stay prose, code is code
        from tinyml.source import highlight_html

        body = highlight_html(text)
    else:
        body = html.escape(text)
    # a message with line breaks (a grad_check table) keeps them; one-line ones stay as they were
    wrap = ";white-space:pre-wrap" if not code and "\n" in text else ""
    rich = (
        f'<div style="border-left:4px solid {colour};padding:2px 8px{wrap}">'
        f'<b style="color:{colour}">{title}</b>{":" if not code else ""} {body}</div>'
    )
    display({"text/plain": plain, "text/html": rich}, raw=True)


_FLOAT_MAKERS = ("pow", "float", "exp", "exp2", "float_power", "ldexp", "sqrt", "log", "log2")


def floats_in_code(learner) -> list[str]:
    """The float constants, float-making calls and true divisions in the learner's code."""
    found: list[str] = []
    codes = [getattr(learner, "__code__", None)]
    names = dict(getattr(learner, "__globals__", {}))  # a float kept in a name: four = 4.0
    free = getattr(codes[0], "co_freevars", ())
    cells = zip(free, getattr(learner, "__closure__", None) or (), strict=False)
    names.update((name, cell.cell_contents) for name, cell in cells if _filled(cell))
    while codes:
        code = codes.pop()
        if code is None:
            continue
        for ins in dis.get_instructions(code):
            if ins.opname == "LOAD_CONST" and isinstance(ins.argval, float):
                found.append(f"the float {ins.argval!r}")
            elif ins.opname in ("LOAD_ATTR", "LOAD_GLOBAL", "LOAD_NAME", "LOAD_METHOD") and (
                ins.argval in _FLOAT_MAKERS
            ):
                found.append(f"{ins.argval}()")
            elif ins.opname in ("LOAD_GLOBAL", "LOAD_NAME", "LOAD_DEREF") and isinstance(
                names.get(ins.argval), float
            ):
                found.append(f"{ins.argval} = {names[ins.argval]!r}")
            elif (ins.opname == "BINARY_OP" and ins.argrepr in ("/", "/=")) or ins.opname in (
                "BINARY_TRUE_DIVIDE",  # Python 3.10
                "INPLACE_TRUE_DIVIDE",
            ):
                found.append("the division /; // keeps an int")
        codes.extend(c for c in code.co_consts if inspect.iscode(c))
    return list(dict.fromkeys(found))


def _filled(cell) -> bool:
    try:
        _ = cell.cell_contents
    except ValueError:  # a closure cell not yet assigned
        return False
    return True
