"""Notebook hygiene: every chapter is committed from one clean run and reads well anywhere."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
NOTEBOOKS = sorted((ROOT / "notebooks").glob("[0-9][0-9]_*.ipynb"))
VOLATILE = re.compile(
    r"(?P<path>(?<![\w.])/(?:home|root|Users|tmp|work|opt|var|usr)/)"
    r"|(?P<addr>\bat 0x[0-9a-fA-F]{4,}|\b0x[0-9a-fA-F]{8,}\b)"
    r"|(?P<win>[A-Z]:\\\\)"
)


def _cells(path: Path) -> list[dict]:
    return json.loads(path.read_text(encoding="utf-8"))["cells"]


def _source(cell: dict) -> str:
    src = cell.get("source", "")
    return "".join(src) if isinstance(src, list) else src


def _code_cells(path: Path) -> list[dict]:
    return [c for c in _cells(path) if c["cell_type"] == "code" and _source(c).strip()]


def _output_texts(cell: dict):
    for out in cell.get("outputs", []):
        if "text" in out:
            yield "".join(out["text"]) if isinstance(out["text"], list) else out["text"]
        for mime, data in out.get("data", {}).items():
            if mime.startswith("text/") or mime == "image/svg+xml":
                yield "".join(data) if isinstance(data, list) else data


def test_there_are_chapters():
    assert NOTEBOOKS, "no notebooks found"


@pytest.mark.parametrize("nb", NOTEBOOKS, ids=lambda p: p.name)
def test_executed_once_in_order_from_a_fresh_kernel(nb):
    counts = [c.get("execution_count") for c in _code_cells(nb)]
    assert counts == list(range(1, len(counts) + 1)), (
        f"{nb.name}: execution counts {counts} are not 1..N — restart the kernel and run all"
    )


@pytest.mark.parametrize("nb", NOTEBOOKS, ids=lambda p: p.name)
def test_first_code_cell_enables_inline_plots(nb):
    first = _source(_code_cells(nb)[0]).lstrip()
    assert first.startswith("%matplotlib inline"), f"{nb.name}: first code cell: {first[:40]!r}"


def _tags(cell: dict) -> list[str]:
    return cell.get("metadata", {}).get("tags", [])


@pytest.mark.parametrize("nb", NOTEBOOKS, ids=lambda p: p.name)
def test_no_unexpected_errors(nb):
    for i, cell in enumerate(_code_cells(nb)):
        errors = [o for o in cell.get("outputs", []) if o["output_type"] == "error"]
        expected = "raises-exception" in _tags(cell)
        assert not errors or expected, f"{nb.name} code cell {i + 1}: {errors[0]['ename']}"
        if expected:
            assert errors, f"{nb.name} code cell {i + 1} is tagged to raise but did not"


@pytest.mark.parametrize("nb", NOTEBOOKS, ids=lambda p: p.name)
def test_learners_never_see_test_markers_or_mode_switches(nb):
    # nbval's markers are cell tags (invisible), not comments; %xmode runs under %%capture.
    # scripts/normalize_notebooks.py (run by make outputs) puts both right.
    for i, cell in enumerate(_code_cells(nb)):
        src = _source(cell)
        assert "NBVAL_" not in src, f"{nb.name} code cell {i + 1}: a comment marker, not a tag"
        for out in cell.get("outputs", []):
            text = "".join(out.get("text", ""))
            assert "Exception reporting mode" not in text, f"{nb.name} code cell {i + 1}: %xmode"


@pytest.mark.parametrize("nb", NOTEBOOKS, ids=lambda p: p.name)
def test_no_machine_paths_or_addresses_in_outputs(nb):
    for i, cell in enumerate(_code_cells(nb)):
        for text in _output_texts(cell):
            m = VOLATILE.search(text)
            assert not m, f"{nb.name} code cell {i + 1}: output holds {m.group(0)!r}"


@pytest.mark.parametrize("nb", NOTEBOOKS, ids=lambda p: p.name)
def test_ignored_outputs_say_why(nb):
    for i, cell in enumerate(_code_cells(nb)):
        if "nbval-ignore-output" in _tags(cell) or "nbval-skip" in _tags(cell):
            lines = _source(cell).splitlines()
            comment = " ".join(ln for ln in lines[:3] if ln.lstrip().startswith("#"))
            assert len(comment) > 15, (
                f"{nb.name} code cell {i + 1}: its output is not compared (tag "
                f"{_tags(cell)}); say why in a comment on its first lines"
            )


@pytest.mark.parametrize("nb", NOTEBOOKS, ids=lambda p: p.name)
def test_chapter_structure(nb):
    cells = _cells(nb)
    number = int(nb.name[:2])
    title = _source(cells[0])
    assert cells[0]["cell_type"] == "markdown" and title.startswith(f"# Chapter {number} — "), (
        f"{nb.name}: first cell must be the title '# Chapter {number} — …', got {title[:50]!r}"
    )
    markdown = "\n".join(_source(c) for c in cells if c["cell_type"] == "markdown")
    for needed in ("In this chapter you will", "## Summary", "## Exercises"):
        assert needed in markdown, f"{nb.name}: no {needed!r}"
    nxt = [p for p in NOTEBOOKS if int(p.name[:2]) == number + 1]
    if nxt:
        assert nxt[0].name in markdown, f"{nb.name}: no link to the next chapter {nxt[0].name}"


@pytest.mark.parametrize("nb", NOTEBOOKS, ids=lambda p: p.name)
def test_linked_files_exist(nb):
    markdown = "\n".join(_source(c) for c in _cells(nb) if c["cell_type"] == "markdown")
    for target in re.findall(r"\]\(([^)#\s]+)\)", markdown):
        if "://" in target:
            continue
        assert (nb.parent / target).exists(), f"{nb.name}: broken link {target}"


@pytest.mark.parametrize("nb", NOTEBOOKS, ids=lambda p: p.name)
def test_each_exercise_has_its_own_heading(nb):
    """``### Exercise N``, numbered 1, 2, … under ``## Exercises``: JupyterLab (and the book)
    give it the anchor ``#Exercise-N`` that the chapter's pointers link to."""
    markdown = "\n".join(_source(c) for c in _cells(nb) if c["cell_type"] == "markdown")
    assert not re.search(r"^\*\*Exercise \d", markdown, re.M), (
        f"{nb.name}: an exercise starts with bold text instead of '### Exercise N'"
    )
    after = markdown.split("\n## Exercises", 1)
    assert len(after) == 2, f"{nb.name}: no '## Exercises' section"
    numbers = [int(n) for n in re.findall(r"^### Exercise (\d+)$", markdown, re.M)]
    assert numbers == list(range(1, len(numbers) + 1)) and numbers, f"{nb.name}: {numbers}"
    assert len(re.findall(r"^### Exercise \d+$", after[1], re.M)) == len(numbers), (
        f"{nb.name}: an exercise heading sits before '## Exercises'"
    )


@pytest.mark.parametrize("nb", NOTEBOOKS, ids=lambda p: p.name)
def test_exercise_pointers_link_to_their_exercises_in_order(nb):
    """ "*Now try [Exercise N](#Exercise-N).*" after a section (or "Exercises [1](#Exercise-1)
    and [2](#Exercise-2)"): each link to its own exercise, in the order of the exercises, and
    (where a chapter has pointers) none of its exercises left out."""
    markdown = [_source(c) for c in _cells(nb) if c["cell_type"] == "markdown"]
    exercises = sorted(
        {int(n) for text in markdown for n in re.findall(r"^### Exercise (\d+)$", text, re.M)}
    )
    pointers = [line for text in markdown for line in text.splitlines() if "Now try" in line]
    if not pointers:
        return
    pointed = []
    for line in pointers:
        assert re.fullmatch(r"\*Now try .*\]\(#Exercise-\d+\)\.\*", line.strip()), (
            f"{nb.name}: {line!r} is not '*Now try [Exercise N](#Exercise-N).*'"
        )
        links = re.findall(r"\[([^\]]*)\]\(#([^)]*)\)", line)
        for text, target in links:
            number = re.findall(r"\d+", text)[-1]
            assert target == f"Exercise-{number}", f"{nb.name}: {line!r} links {text} to {target}"
            pointed.append(int(number))
    assert pointed == sorted(pointed), f"{nb.name}: pointers out of order: {pointed}"
    assert sorted(set(pointed)) == exercises, f"{nb.name}: points to {pointed}, has {exercises}"


@pytest.mark.parametrize("nb", NOTEBOOKS, ids=lambda p: p.name)
def test_the_setup_cell_imports_the_chapters_exercises(nb):
    """A learner who follows a pointer to an exercise mid-chapter finds ``chNN`` and ``____``."""
    setup = _source(_code_cells(nb)[0])
    found = re.search(r"^from tinyml\.exercises import (.+)$", setup, re.M)
    names = {n.strip() for n in found.group(1).split("#")[0].split(",")} if found else set()
    assert {"____", f"ch{nb.name[:2]}"} <= names, f"{nb.name}: setup cell imports {names}"


@pytest.mark.parametrize("nb", NOTEBOOKS, ids=lambda p: p.name)
def test_plain_python3_kernel(nb):
    meta = json.loads(nb.read_text(encoding="utf-8"))["metadata"]
    assert meta.get("kernelspec", {}).get("name") == "python3", f"{nb.name}: kernelspec"
    # Any other display name is rewritten by JupyterLab on open: the chapter opens modified.
    assert meta["kernelspec"].get("display_name") == "Python 3 (ipykernel)", (
        f"{nb.name}: kernelspec display_name {meta['kernelspec'].get('display_name')!r}; "
        "run scripts/normalize_notebooks.py"
    )


@pytest.mark.parametrize("nb", NOTEBOOKS, ids=lambda p: p.name)
def test_normalized(nb):
    # Nothing left for scripts/normalize_notebooks.py to change (make outputs runs it).
    import importlib.util

    spec = importlib.util.spec_from_file_location(
        "normalize_notebooks", ROOT / "scripts" / "normalize_notebooks.py"
    )
    normalizer = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(normalizer)
    text = nb.read_text(encoding="utf-8")
    assert normalizer.dumps(normalizer.normalize(json.loads(text))) == text, (
        f"{nb.name}: run `python scripts/normalize_notebooks.py`, then `make outputs`"
    )


@pytest.mark.parametrize("nb", NOTEBOOKS, ids=lambda p: p.name)
def test_drawings_render_untrusted(nb):
    # An untrusted notebook (fresh from git clone) shows PNG outputs but not SVG ones.
    for i, cell in enumerate(_code_cells(nb)):
        for out in cell.get("outputs", []):
            data = out.get("data", {})
            if "image/svg+xml" in data:
                assert "image/png" in data, f"{nb.name} code cell {i + 1}: SVG with no PNG"
