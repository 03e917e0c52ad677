"""Every solution, pasted into its chapter, finds the names it uses.

A learner pastes ``chNN.qK.solution()`` into the exercise cell; a name the chapter never
defines or imports (``math`` in a chapter that imports no ``math``) would turn the official
answer into a NameError. Checked statically: the names a solution reads must be defined by the
solution itself, by some code cell of its chapter, or be builtins.
"""

import ast
import builtins
import importlib
import json
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
