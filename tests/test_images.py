"""`make images` regenerates every picture in images/ from tinyml's own drawing code."""

from __future__ import annotations

from pathlib import Path

from tinyml.images import IMAGES, main

ROOT = Path(__file__).resolve().parent.parent


# Screenshots of JupyterLab come from a real browser, not from tinyml's drawing code:
# `make uitest SCREENSHOT=1` rewrites them (tests/ui).
SCREENSHOTS = {"jupyterlab.png"}


def test_every_committed_picture_has_a_generator_and_every_generator_a_picture():
    committed = {p.name for p in (ROOT / "images").glob("*.png")}
    assert committed == set(IMAGES) | SCREENSHOTS


def test_screenshots_are_made_by_the_browser_tests():
    ui = "\n".join(p.read_text() for p in (ROOT / "tests" / "ui").glob("test_*.py"))
    for name in SCREENSHOTS:
        assert f'"images" / "{name}"' in ui, f"no test in tests/ui writes images/{name}"


def test_generators_write_png_files(tmp_path):
    assert main([str(tmp_path)]) == 0
    for name in IMAGES:
        data = (tmp_path / name).read_bytes()
        assert data[:8] == b"\x89PNG\r\n\x1a\n" and len(data) > 2000, name
