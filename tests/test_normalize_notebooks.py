"""scripts/normalize_notebooks.py: markers become tags, %xmode goes quiet, it is idempotent."""

from __future__ import annotations

import copy
import importlib.util
import json
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
_spec = importlib.util.spec_from_file_location(
    "normalize_notebooks", ROOT / "scripts" / "normalize_notebooks.py"
)
norm = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(norm)


def _code(source: str, **extra) -> dict:
    cell = {"cell_type": "code", "execution_count": 3, "id": "", "metadata": {}, "outputs": []}
    return cell | {"source": source.splitlines(keepends=True)} | extra


def _nb(*cells: dict) -> dict:
    meta = {"kernelspec": {"display_name": "Python 3", "language": "python", "name": "python3"}}
    return {"cells": list(cells), "metadata": meta, "nbformat": 4, "nbformat_minor": 4}


def _src(cell: dict) -> str:
    return "".join(cell["source"])


def test_markers_become_tags_and_the_reason_stays():
    nb = norm.normalize(
        _nb(
            _code("# NBVAL_RAISES_EXCEPTION\n1 / 0"),
            _code("# NBVAL_IGNORE_OUTPUT\n# Timings vary with the machine.\nprint(t)"),
            _code("# NBVAL_IGNORE_OUTPUT: timings vary with the machine\nprint(t)"),
        )
    )
    raising, ignored, inline = nb["cells"]
    assert raising["metadata"]["tags"] == ["raises-exception"] and _src(raising) == "1 / 0"
    assert ignored["metadata"]["tags"] == ["nbval-ignore-output"]
    assert _src(ignored) == "# Timings vary with the machine.\nprint(t)"
    assert _src(inline) == "# timings vary with the machine\nprint(t)"
    assert nb["metadata"]["kernelspec"]["display_name"] == "Python 3 (ipykernel)"


def test_xmode_runs_silently_in_a_cell_of_its_own():
    out = [{"output_type": "stream", "name": "stdout", "text": ["Exception reporting mode"]}]
    nb = norm.normalize(
        _nb(
            _code("# NBVAL_RAISES_EXCEPTION\n%xmode Minimal\ndeep.grad(1.0)"),
            _code("%xmode Context", outputs=out),
        )
    )
    switch, raising, back = nb["cells"]
    assert _src(switch) == "%%capture\n%xmode Minimal" and "tags" not in switch["metadata"]
    assert _src(raising) == "deep.grad(1.0)"
    assert raising["metadata"]["tags"] == ["raises-exception"]
    assert _src(back) == "%%capture\n%xmode Context" and back["outputs"] == []
    assert len({c["id"] for c in nb["cells"]}) == 3 and all(c["id"] for c in nb["cells"])


def test_running_it_twice_changes_nothing_more():
    nb = _nb(
        _code("# NBVAL_RAISES_EXCEPTION\n%xmode Minimal\nboom()"),
        _code("# NBVAL_IGNORE_OUTPUT\n# timings\nrun()"),
        {"cell_type": "markdown", "id": "m", "metadata": {}, "source": ["# Title\n", "\n"]},
    )
    once = norm.dumps(norm.normalize(copy.deepcopy(nb)))
    twice = norm.dumps(norm.normalize(json.loads(once)))
    assert once == twice


def test_main_rewrites_only_what_changed(tmp_path, capsys):
    clean = tmp_path / "01_clean.ipynb"
    clean.write_text(norm.dumps(norm.normalize(_nb(_code("x = 1")))))
    messy = tmp_path / "02_messy.ipynb"
    messy.write_text(json.dumps(_nb(_code("# NBVAL_RAISES_EXCEPTION\n1 / 0"))))
    assert norm.main([str(clean), str(messy)]) == 0
    assert capsys.readouterr().out.strip() == f"normalized {messy}"
    assert "NBVAL" not in messy.read_text()


def test_a_redrawn_progress_bar_keeps_only_its_final_frame():
    frames = [
        {"output_type": "stream", "name": "stderr", "text": "train:   0%|     | 0/3\r"},
        {"output_type": "stream", "name": "stdout", "text": ["epoch 1\n"]},
        {"output_type": "stream", "name": "stderr", "text": "train:  33%|#    | 1/3\r"},
        {"output_type": "stream", "name": "stderr", "text": "train: 100%|#####| 3/3\n"},
        {"output_type": "stream", "name": "stdout", "text": "okay\x08\x08\n"},
    ]
    (cell,) = norm.normalize(_nb(_code("fit()", outputs=frames)))["cells"]
    assert cell["outputs"] == [
        {"output_type": "stream", "name": "stderr", "text": ["train: 100%|#####| 3/3\n"]},
        {"output_type": "stream", "name": "stdout", "text": ["epoch 1\n", "ok\n"]},
    ]
    again = norm.normalize(copy.deepcopy(_nb(cell)))["cells"][0]
    assert again["outputs"] == cell["outputs"]
