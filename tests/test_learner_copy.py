"""make lab's learner copies (my-notebooks/) and why they never trouble `make test`."""

from __future__ import annotations

import importlib.util
import json
import re
import shlex
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
_spec = importlib.util.spec_from_file_location(
    "my_notebooks", ROOT / "scripts" / "my_notebooks.py"
)
my_notebooks = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(my_notebooks)


@pytest.fixture
def course(tmp_path):
    src = tmp_path / "notebooks"
    src.mkdir()
    for name in ("01_a.ipynb", "02_b.ipynb"):
        (src / name).write_text(json.dumps({"chapter": name}))
    (src / ".ipynb_checkpoints").mkdir()
    (src / ".ipynb_checkpoints" / "01_a-checkpoint.ipynb").write_text("{}")
    return src, tmp_path / "my-notebooks"


def test_first_run_copies_every_chapter(course):
    src, mine = course
    added = my_notebooks.sync(src, mine)
    assert sorted(p.name for p in added) == ["01_a.ipynb", "02_b.ipynb"]
    assert (mine / "01_a.ipynb").read_text() == (src / "01_a.ipynb").read_text()
    assert not (mine / ".ipynb_checkpoints").exists()


def test_a_learners_copy_is_never_overwritten_and_new_chapters_arrive(course):
    src, mine = course
    my_notebooks.sync(src, mine)
    (mine / "01_a.ipynb").write_text("my answers")
    (src / "01_a.ipynb").write_text("the course changed after git pull")
    (src / "03_c.ipynb").write_text("a new chapter")
    added = my_notebooks.sync(src, mine)
    assert [p.name for p in added] == ["03_c.ipynb"]
    assert (mine / "01_a.ipynb").read_text() == "my answers"
    assert (mine / "03_c.ipynb").read_text() == "a new chapter"


def test_reset_one_chapter_keeps_the_learners_version(course):
    src, mine = course
    my_notebooks.sync(src, mine)
    (mine / "02_b.ipynb").write_text("my answers")
    (mine / "01_a.ipynb").write_text("other answers")
    my_notebooks.reset("2", src, mine)
    assert (mine / "02_b.ipynb").read_text() == (src / "02_b.ipynb").read_text()
    assert (mine / "02_b.before-reset.ipynb").read_text() == "my answers"
    assert (mine / "01_a.ipynb").read_text() == "other answers"  # only the one asked for
    my_notebooks.reset("01_a.ipynb", src, mine)
    assert (mine / "01_a.ipynb").read_text() == (src / "01_a.ipynb").read_text()


def test_reset_of_an_unknown_chapter_names_the_chapters(course):
    src, mine = course
    with pytest.raises(ValueError, match="no chapter '9'.*01, 02"):
        my_notebooks.reset("9", src, mine)


def test_links_work_the_same_from_the_learners_copies():
    # my-notebooks/ sits beside notebooks/, so ../images/x.png and ../README.md resolve to
    # the same files, and links between chapters to the learner's own copies.
    assert my_notebooks.LEARNER.parent == my_notebooks.COURSE.parent == ROOT
    for nb in sorted(my_notebooks.COURSE.glob("[0-9][0-9]_*.ipynb")):
        cells = json.loads(nb.read_text(encoding="utf-8"))["cells"]
        text = "\n".join("".join(c["source"]) for c in cells if c["cell_type"] == "markdown")
        for target in re.findall(r"\]\(([^)#\s]+)\)|src=\"([^\"]+)\"", text):
            target = target[0] or target[1]
            if "://" in target:
                continue
            resolved = (my_notebooks.COURSE / target).resolve()
            if resolved.parent == my_notebooks.COURSE:  # a chapter: copied beside the others
                assert resolved.exists(), f"{nb.name}: {target}"
            else:
                assert (my_notebooks.LEARNER / target).resolve() == resolved


def _make_commands(target: str, word: str) -> list[list[str]]:
    """The commands of `make TARGET` that mention WORD, as argument lists, not run."""
    out = subprocess.run(
        ["make", "-n", "-s", target], cwd=ROOT, capture_output=True, text=True, check=True
    ).stdout
    return [shlex.split(line) for line in out.splitlines() if word in line]


@pytest.fixture
def learner_work():
    """A learner's saved chapter and scratch files in my-notebooks/, removed afterwards."""
    mine = my_notebooks.LEARNER
    existed = mine.exists()
    scratch = mine / "_tinyml_test_scratch"
    scratch.mkdir(parents=True, exist_ok=True)
    chapter = json.loads(sorted(my_notebooks.COURSE.glob("01_*.ipynb"))[0].read_text())
    for cell in chapter["cells"]:
        if cell["cell_type"] == "code":
            cell["outputs"] = [{"output_type": "stream", "name": "stdout", "text": ["mine\n"]}]
    (scratch / "01_my_answers.ipynb").write_text(json.dumps(chapter))
    (scratch / "test_scratch.py").write_text("import os, sys\ndef test_mine():\n  assert 1 == 2\n")
    (scratch / "scratch.py").write_text("x=1;import os\n")
    yield scratch
    shutil.rmtree(scratch)
    if not existed:
        shutil.rmtree(mine, ignore_errors=True)


@pytest.mark.skipif(shutil.which("make") is None, reason="needs make")
def test_make_test_ignores_the_learners_work(learner_work):
    lints = _make_commands("lint", "/ruff ")
    assert lints, "make lint runs ruff"
    for cmd in lints:
        cmd = [str(ROOT / ".venv/bin/ruff") if c.endswith("/ruff") else c for c in cmd]
        if not Path(cmd[0]).exists():
            cmd[0] = shutil.which("ruff") or pytest.skip("ruff not installed")
        result = subprocess.run(cmd, cwd=ROOT, capture_output=True, text=True)
        assert "_tinyml_test_scratch" not in result.stdout + result.stderr, " ".join(cmd)
    tests = _make_commands("test", "-m pytest")
    assert len(tests) == 1, tests
    cmd = [sys.executable] + tests[0][1:] + ["--collect-only", "-q"]
    result = subprocess.run(cmd, cwd=ROOT, capture_output=True, text=True)
    assert result.returncode == 0, result.stdout[-2000:] + result.stderr[-2000:]
    assert "_tinyml_test_scratch" not in result.stdout
    assert "notebooks/01_" in result.stdout  # the course's own chapters are collected
    assert "tests/ui" not in result.stdout  # the browser tests run only under make uitest
