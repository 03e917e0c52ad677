"""Put the chapters' notebook-level conventions in place; safe to run any number of times.

    python scripts/normalize_notebooks.py [NOTEBOOK ...]   (default: notebooks/[0-9]*.ipynb)

`make outputs` runs it before executing the chapters. It changes only what a learner should
never have to think about, never a chapter's teaching content:

- kernelspec: "Python 3 (ipykernel)" / python3 / python, the names JupyterLab writes itself,
  so that opening a chapter never marks it modified;
- nbval's comment markers become cell tags, which learners do not see:
  ``# NBVAL_RAISES_EXCEPTION`` -> ``raises-exception`` (the tag nbconvert honours too),
  ``# NBVAL_IGNORE_OUTPUT`` -> ``nbval-ignore-output``, ``# NBVAL_SKIP`` -> ``nbval-skip``,
  ``# NBVAL_CHECK_OUTPUT`` -> ``nbval-check-output``; a cell whose output is ignored keeps
  (and must have) a comment saying why;
- ``%xmode Mode`` prints "Exception reporting mode: Mode", noise between the lessons: each
  such switch goes into a cell of its own that starts with ``%%capture``, which runs it silently
  (a switch sharing a cell with other code is split off into a cell just before it);
- a cell's stream outputs are merged per stream, and text a carriage return or backspace
  overwrote is dropped, as nbval does before comparing: a progress bar that redraws itself
  keeps only its final frame, so a static viewer shows the finished bar, not every frame
  (`make outputs` runs the normalizer again after executing, for this);
- cell ids, execution timing metadata and trailing empty lines are tidied so that the
  file only changes when the chapter does.

Prints the notebooks it changed; exits 0.
"""

from __future__ import annotations

import json
import re
import sys
import uuid
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
KERNELSPEC = {"display_name": "Python 3 (ipykernel)", "language": "python", "name": "python3"}
MARKER_TAGS = {
    "NBVAL_RAISES_EXCEPTION": "raises-exception",
    "NBVAL_IGNORE_OUTPUT": "nbval-ignore-output",
    "PYTEST_VALIDATE_IGNORE_OUTPUT": "nbval-ignore-output",
    "NBVAL_SKIP": "nbval-skip",
    "NBVAL_CHECK_OUTPUT": "nbval-check-output",
}
MARKER_LINE = re.compile(r"^\s*#\s*(" + "|".join(MARKER_TAGS) + r")\b[ \t:.-]*(.*)$")
XMODE_LINE = re.compile(r"^\s*%xmode\b")
CAPTURE = "%%capture"
CARRIAGE_RETURN = re.compile(r"^.*\r(?=[^\n])", re.MULTILINE)  # nbval's rule, kept in step
BACKSPACE = re.compile(r"[^\n]\x08")


def _lines(cell: dict) -> list[str]:
    src = cell.get("source", "")
    return ("".join(src) if isinstance(src, list) else src).split("\n")


def _set_source(cell: dict, lines: list[str]) -> None:
    while lines and not lines[-1].strip():
        lines = lines[:-1]
    text = "\n".join(lines)
    parts = text.splitlines(keepends=True)
    cell["source"] = parts


def _add_tag(cell: dict, tag: str) -> None:
    tags = cell.setdefault("metadata", {}).setdefault("tags", [])
    if tag not in tags:
        tags.append(tag)


def _new_code_cell(lines: list[str], taken: set[str]) -> dict:
    cell_id = uuid.uuid5(uuid.NAMESPACE_URL, "\n".join(lines) + str(len(taken))).hex[:8]
    while cell_id in taken:
        cell_id = uuid.uuid4().hex[:8]
    taken.add(cell_id)
    cell = {
        "cell_type": "code",
        "execution_count": None,
        "id": cell_id,
        "metadata": {},
        "outputs": [],
        "source": [],
    }
    _set_source(cell, lines)
    return cell


def _markers_to_tags(cell: dict) -> None:
    kept = []
    for line in _lines(cell):
        m = MARKER_LINE.match(line)
        if m:
            _add_tag(cell, MARKER_TAGS[m.group(1)])
            if m.group(2).strip():  # "# NBVAL_IGNORE_OUTPUT: timings vary" keeps its reason
                kept.append("# " + m.group(2).strip())
        else:
            kept.append(line)
    _set_source(cell, kept)


def _is_quiet_xmode(lines: list[str]) -> bool:
    code = [ln for ln in lines if ln.strip()]
    return (
        bool(code)
        and code[0].strip() == CAPTURE
        and all(XMODE_LINE.match(ln) or ln.lstrip().startswith("#") for ln in code[1:])
    )


def _quiet_xmode(cells: list[dict]) -> list[dict]:
    taken = {c.get("id", "") for c in cells}
    out: list[dict] = []
    for cell in cells:
        lines = _lines(cell)
        if cell["cell_type"] != "code" or not any(XMODE_LINE.match(ln) for ln in lines):
            out.append(cell)
            continue
        if _is_quiet_xmode(lines):
            out.append(cell)
            continue
        switches = [ln.strip() for ln in lines if XMODE_LINE.match(ln)]
        rest = [ln for ln in lines if not XMODE_LINE.match(ln)]
        if any(ln.strip() and not ln.lstrip().startswith("#") for ln in rest):
            out.append(_new_code_cell([CAPTURE, *switches], taken))
            _set_source(cell, rest)
            out.append(cell)
        else:  # the cell only switches the mode (and perhaps says why): run it silently
            _set_source(cell, [CAPTURE, *[ln for ln in rest if ln.strip()], *switches])
            cell["outputs"] = []
            out.append(cell)
    return out


def _coalesce_streams(cell: dict) -> None:
    """One output per stream name, with overwritten text dropped (as nbval compares them)."""
    merged: list[dict] = []
    streams: dict[str, dict] = {}
    for out in cell.get("outputs", []):
        if out.get("output_type") != "stream":
            merged.append(out)
            continue
        text = out["text"] if isinstance(out["text"], str) else "".join(out["text"])
        if out["name"] in streams:
            streams[out["name"]]["text"] += text
        else:
            out = {**out, "text": text}
            streams[out["name"]] = out
            merged.append(out)
    for out in streams.values():
        text = out["text"]
        while True:
            shorter = BACKSPACE.sub("", text)
            if len(shorter) == len(text):
                break
            text = shorter
        out["text"] = CARRIAGE_RETURN.sub("", text).splitlines(keepends=True)
    cell["outputs"] = merged


def normalize(nb: dict) -> dict:
    """The notebook with the conventions above applied (the dict is changed in place)."""
    meta = nb.setdefault("metadata", {})
    meta["kernelspec"] = dict(KERNELSPEC)
    cells = nb.get("cells", [])
    for cell in cells:
        cell.setdefault("metadata", {})
        cell["metadata"].pop("execution", None)  # timings: they change on every run
        if cell["cell_type"] == "code":
            _markers_to_tags(cell)
            _coalesce_streams(cell)
        else:
            _set_source(cell, _lines(cell))
    nb["cells"] = _quiet_xmode(cells)
    if nb.get("nbformat", 4) == 4 and nb.get("nbformat_minor", 0) < 5:
        nb["nbformat_minor"] = 5  # cell ids, which JupyterLab would otherwise add on open
    taken: set[str] = set()
    for cell in nb["cells"]:
        if not cell.get("id") or cell["id"] in taken:
            cell["id"] = uuid.uuid4().hex[:8]
        taken.add(cell["id"])
    return nb


def dumps(nb: dict) -> str:
    """The notebook as JupyterLab and nbconvert write it (indent 1, non-ASCII kept)."""
    return json.dumps(nb, indent=1, ensure_ascii=False, sort_keys=True) + "\n"


def main(argv: list[str]) -> int:
    paths = [Path(a) for a in argv] or sorted((ROOT / "notebooks").glob("[0-9]*.ipynb"))
    for path in paths:
        before = path.read_text(encoding="utf-8")
        after = dumps(normalize(json.loads(before)))
        if after != before:
            path.write_text(after, encoding="utf-8")
            print(f"normalized {path}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
