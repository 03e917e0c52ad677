"""Every solution, pasted into its chapter, finds the names it uses.

A learner pastes ``chNN.qK.solution()`` into the exercise cell; a name the chapter never
defines or imports (``math`` in a chapter that imports no ``math``) would turn the official
answer into a NameError. Checked statically: the names a solution reads must be defined by the
solution itself, by some code cell of its chapter, or be builtins.

And a solved exercise leaves the rest of the chapter alone: the names it binds are not read by
a later cell (checked statically, every chapter), and a run of the chapter with every exercise
solved prints what the later cells stored (every chapter; TINYML_SOLVED_RUNS=04,05 runs only
those chapters).
"""

import ast
import builtins
import importlib
import json
import os
import re
from pathlib import Path

import pytest

from tinyml.exercises import Question

ROOT = Path(__file__).resolve().parents[1]
CHAPTERS = sorted((ROOT / "notebooks").glob("[0-9][0-9]_*.ipynb"))


def _defined(tree: ast.AST) -> set[str]:
    names = set()
    for node in ast.walk(tree):
        if isinstance(node, (ast.Import, ast.ImportFrom)):
            names.update((a.asname or a.name).split(".")[0] for a in node.names)
        elif isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
            names.add(node.name)
        elif isinstance(node, ast.Name) and not isinstance(node.ctx, ast.Load):
            names.add(node.id)
        elif isinstance(node, ast.arg):
            names.add(node.arg)
        elif isinstance(node, ast.ExceptHandler) and node.name:
            names.add(node.name)
    return names


def _read(tree: ast.AST) -> set[str]:
    return {
        n.id for n in ast.walk(tree) if isinstance(n, ast.Name) and isinstance(n.ctx, ast.Load)
    }


def _code(solution: str) -> list[ast.Module]:
    """The solution as code; one that mixes prose paragraphs with code: its code paragraphs."""
    try:
        return [ast.parse(solution)]
    except SyntaxError:
        pass
    trees = []
    for paragraph in solution.split("\n\n"):
        try:
            trees.append(ast.parse(paragraph))
        except SyntaxError:
            continue  # a paragraph of prose
    return trees


def _chapter_names(path: Path) -> set[str]:
    cells = json.loads(path.read_text())["cells"]
    lines = [
        line
        for cell in cells
        if cell["cell_type"] == "code"
        for line in "".join(cell["source"]).splitlines()
        if not line.lstrip().startswith(("%", "!"))  # IPython magics
    ]
    return _defined(ast.parse("\n".join(lines)))


@pytest.mark.parametrize("path", CHAPTERS, ids=lambda p: p.name[:2])
def test_every_solution_finds_its_names_in_the_chapter(path):
    module = importlib.import_module(f"tinyml.exercises.ch{path.name[:2]}")
    questions = {k: q for k, q in vars(module).items() if isinstance(q, Question)}
    assert questions, f"{module.__name__} has no questions"
    known = _chapter_names(path) | set(dir(builtins))
    missing = {}
    for name, question in questions.items():
        trees = _code(question.solution_text)
        assert trees, f"{name}'s solution has no code"
        for tree in trees:
            unknown = _read(tree) - _defined(tree) - known
            if unknown:
                missing[name] = sorted(unknown)
    assert not missing, f"{path.name}: solutions use names the chapter never defines: {missing}"


# A solved exercise must not change what the chapter's later cells print. Exercise 2 of
# chapter 6 once told the learner to uncomment `race = [...]`, which silently replaced
# section 6's `race` and emptied a loop of the optional section after the exercises.

_HELP = (".hint(", ".solution(")
_COMPREHENSIONS = (ast.ListComp, ast.SetComp, ast.DictComp, ast.GeneratorExp)


def _solved(source: str) -> str:
    """An exercise cell as a learner leaves it: its commented code lines uncommented (all but
    the hint() and solution() lines, which only print)."""
    lines = []
    for line in source.splitlines():
        stripped = line.lstrip()
        if stripped.startswith("# ") and not any(h in stripped for h in _HELP):
            candidate = line.replace("# ", "", 1)
            try:  # code, or the header of a block ("for mu in ...:") whose body follows
                ast.parse(candidate.strip() + ("\n    pass" if candidate.endswith(":") else ""))
            except SyntaxError:
                lines.append(line)  # a comment in words
                continue
            lines.append(candidate)
        else:
            lines.append(line)
    return "\n".join(lines)


def _globals_bound(tree: ast.Module) -> set[str]:
    """Names a cell binds at the top level (a function's locals and a comprehension's loop
    variable excluded; imports excluded too: importing the same thing again changes nothing)."""
    names = set()

    def visit(node):
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
            names.add(node.name)
            return
        if isinstance(node, (ast.Lambda, *_COMPREHENSIONS)):
            return
        if isinstance(node, ast.Name) and isinstance(node.ctx, ast.Store):
            names.add(node.id)
        for child in ast.iter_child_nodes(node):
            visit(child)

    visit(tree)
    return names


def _reads_before_binding(tree: ast.Module) -> set[str]:
    """Names a cell reads from what earlier cells left (before it binds them itself)."""
    free, bound = set(), set()

    def loads(node) -> set[str]:
        local = set()
        for sub in ast.walk(node):
            if isinstance(sub, _COMPREHENSIONS):
                local |= {
                    n.id
                    for g in sub.generators
                    for n in ast.walk(g.target)
                    if isinstance(n, ast.Name)
                }
            elif isinstance(sub, (ast.FunctionDef, ast.AsyncFunctionDef, ast.Lambda)):
                local |= _defined(sub)
        return _read(node) - local

    def run(statements):
        for stmt in statements:
            if isinstance(stmt, (ast.For, ast.AsyncFor)):
                free.update(loads(stmt.iter) - bound)
                bound.update(_globals_bound(ast.Module([ast.Expr(stmt.target)], [])))
                run(stmt.body + stmt.orelse)
            else:
                free.update(loads(stmt) - bound)
                bound.update(_globals_bound(ast.Module([stmt], [])))

    run(tree.body)
    return free


def _regions(path: Path) -> tuple[list[str], list[str]]:
    """The code of the exercise cells, and of the code cells after them."""
    exercises, later, where = [], [], "main"
    for cell in json.loads(path.read_text())["cells"]:
        source = "".join(cell["source"])
        if cell["cell_type"] == "markdown":
            if source.startswith("## Exercises"):
                where = "exercises"
            elif where == "exercises" and source.startswith("## "):
                where = "after"
        elif where != "main":
            lines = [ln for ln in source.splitlines() if not ln.lstrip().startswith(("%", "!"))]
            (exercises if where == "exercises" else later).append("\n".join(lines))
    return exercises, later


@pytest.mark.parametrize("path", CHAPTERS, ids=lambda p: p.name[:2])
def test_solved_exercises_leave_the_later_cells_alone(path):
    """What a solved exercise binds (its cell with the commented lines uncommented, and each
    solution pasted in) is never read by a later cell that does not bind it first."""
    module = importlib.import_module(f"tinyml.exercises.ch{path.name[:2]}")
    solutions = [q.solution_text for q in vars(module).values() if isinstance(q, Question)]
    exercises, later = _regions(path)
    assert exercises, f"{path.name}: no code cells under '## Exercises'"
    bound = {}
    for source in exercises:
        for name in _globals_bound(ast.parse(_solved(source))):
            bound.setdefault(name, "an exercise cell")
    for solution in solutions:
        for tree in _code(solution):
            for name in _globals_bound(tree):
                bound.setdefault(name, "a solution")
    clashes = {
        name: f"{bound[name]} binds it, and the later cell {source.splitlines()[0]!r} reads it"
        for source in later
        for name in _reads_before_binding(ast.parse(source)) & set(bound)
    }
    assert not clashes, f"{path.name}: solving the exercises changes later cells: {clashes}"


def _question_cells(path: Path) -> list[tuple[int, str]]:
    """(index, question name) of each exercise code cell that checks a question."""
    found, inside = [], False
    for i, cell in enumerate(json.loads(path.read_text())["cells"]):
        source = "".join(cell["source"])
        if cell["cell_type"] == "markdown" and source.startswith("## "):
            inside = source.startswith("## Exercises")
        elif cell["cell_type"] == "code" and inside:
            names = re.findall(r"ch\d\d\.(q\d+)\.check\(", source)
            if names:
                found.append((i, names[0]))
    return found


def _solve_cell(source: str, solution: str) -> str:
    """The cell with its starter definitions replaced by the solution's, and its commented
    code lines uncommented: what a learner who follows the instructions runs."""
    trees = _code(solution)
    given = set().union(*(_globals_bound(t) for t in trees))
    kept = [
        stmt
        for stmt in ast.parse(_solved(source)).body
        if not (_globals_bound(ast.Module([stmt], [])) & given)
    ]
    return "\n\n".join([*(ast.unparse(t) for t in trees), ast.unparse(ast.Module(kept, []))])


def _text(cell: dict) -> str:
    """What a cell prints: its streams, then its results' and displays' text (the order in
    which the committed notebooks keep them)."""
    outputs = cell.get("outputs", [])
    streams = "".join("".join(o["text"]) for o in outputs if o["output_type"] == "stream")
    shown = "".join(
        "".join(o.get("data", {}).get("text/plain", ""))
        for o in outputs
        if o["output_type"] in ("execute_result", "display_data")
    )
    return re.sub(r"\b0x[0-9a-fA-F]{6,}\b", "0xADDRESS", streams + shown)  # as nbval does


_SOLVED_RUNS = os.environ.get("TINYML_SOLVED_RUNS", "all").split(",")  # "all": every chapter


@pytest.mark.parametrize(
    "path",
    [p for p in CHAPTERS if "all" in _SOLVED_RUNS or p.name[:2] in _SOLVED_RUNS],
    ids=lambda p: p.name[:2],
)
def test_a_run_with_every_exercise_solved_prints_every_later_output(path):
    """Run the chapter with each exercise solved as its cell says (solution in, commented
    lines uncommented): every check passes, and each later cell prints what it stored."""
    nbformat = pytest.importorskip("nbformat")
    nbclient = pytest.importorskip("nbclient")
    module = importlib.import_module(f"tinyml.exercises.ch{path.name[:2]}")
    stored = nbformat.read(path, as_version=4)
    solved = nbformat.read(path, as_version=4)
    cells = _question_cells(path)
    for i, name in cells:
        source = solved.cells[i].source
        solved.cells[i].source = _solve_cell(source, getattr(module, name).solution_text)
    nbclient.NotebookClient(solved, kernel_name="python3", timeout=600).execute()
    for i, name in cells:
        assert "Correct" in _text(solved.cells[i]), f"{name}: {_text(solved.cells[i])}"
    last = cells[-1][0]
    for i, (want, got) in enumerate(zip(stored.cells, solved.cells, strict=True)):
        ignored = "nbval-ignore-output" in want.metadata.get("tags", [])  # timings
        if i > last and want.cell_type == "code" and not ignored:
            assert _text(got) == _text(want), f"cell {i} prints differently once solved"


_IPYTHON = {"display", "get_ipython", "In", "Out"}  # names a Jupyter kernel provides


def _bound_at_top(tree: ast.Module) -> set[str]:
    """Names a cell leaves bound for later cells: its top-level bindings and its imports."""
    imported = {
        (a.asname or a.name).split(".")[0]
        for node in ast.walk(tree)
        if isinstance(node, (ast.Import, ast.ImportFrom))
        for a in node.names
    }
    return _globals_bound(tree) | imported


def _exercise_names(path: Path) -> list[tuple[str, set[str], set[str]]]:
    """For each exercise: its name, the names its cells read (commented code lines
    uncommented), and the names bound by the code cells above its first pointer."""
    cells = json.loads(path.read_text())["cells"]
    codes = [
        "\n".join(
            ln
            for ln in "".join(c["source"]).splitlines()
            if not ln.lstrip().startswith(("%", "!"))
        )
        for c in cells
    ]
    found = []
    for i, cell in enumerate(cells):
        heading = re.match(r"### (Exercise \d+)\b", "".join(cell["source"]))
        if cell["cell_type"] != "markdown" or not heading:
            continue
        name = heading.group(1)
        anchor = f"](#{name.replace(' ', '-')})"
        pointer = next((j for j, c in enumerate(cells[:i]) if anchor in "".join(c["source"])), i)
        own = []
        for cell2, code in zip(cells[i + 1 :], codes[i + 1 :], strict=True):
            if cell2["cell_type"] == "markdown" and "".join(cell2["source"]).startswith("#"):
                break
            if cell2["cell_type"] == "code":
                own.append(_solved(code))
        reads = _reads_before_binding(ast.parse("\n\n".join(own)))
        above = set().union(
            *(
                _bound_at_top(ast.parse(code))
                for c, code in zip(cells[:pointer], codes[:pointer], strict=True)
                if c["cell_type"] == "code"
            )
        )
        found.append((name, reads, above))
    return found


@pytest.mark.parametrize("path", CHAPTERS[:8], ids=lambda p: p.name[:2])
def test_following_a_pointer_to_an_exercise_never_lands_on_a_name_error(path):
    """A learner who follows the first "[Exercise N](#Exercise-N)" link in the chapter runs
    the exercise's cells with only the cells above that link run: every name those cells read
    (their commented code uncommented) is bound above the link, by the exercise's own cells,
    or is a builtin. (Code quoted in the exercise's prose is not checked: prose also names
    formulas and the functions the learner is asked to write.)"""
    missing = {
        name: sorted(reads - above - set(dir(builtins)) - _IPYTHON)
        for name, reads, above in _exercise_names(path)
    }
    missing = {name: names for name, names in missing.items() if names}
    assert not missing, f"{path.name}: unbound when reached from the first pointer: {missing}"


def test_the_pointer_check_finds_a_name_defined_only_below_the_pointer(tmp_path):
    """Chapter 3 as a learner found it in session 5: `calls_of` defined just above the
    exercise, the pointer far above it, and the exercise's scratch line reading it."""

    def cell(kind, source):
        return {"cell_type": kind, "source": source, "metadata": {}}

    notebook = {
        "cells": [
            cell("code", "from tinyml.recursion import fib1, trace_calls"),
            cell("markdown", "*Now try [Exercise 1](#Exercise-1).*"),
            cell("code", "def calls_of(tree, label):\n    return 0"),
            cell("markdown", "### Exercise 1"),
            cell("code", '# print(calls_of(trace_calls(fib1, 5), "fib1(2)"))\nanswer = 1'),
        ]
    }
    path = tmp_path / "03_x.ipynb"
    path.write_text(json.dumps(notebook))
    [(name, reads, above)] = _exercise_names(path)
    assert name == "Exercise 1" and reads - above - set(dir(builtins)) == {"calls_of"}
