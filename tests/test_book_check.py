"""book/check.py (run by `make booktest`) finds each kind of fault in a small hand-made site."""

from __future__ import annotations

import importlib.util
import json
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
_spec = importlib.util.spec_from_file_location("book_check", ROOT / "book" / "check.py")
book_check = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(book_check)

PNG = b"\x89PNG\r\n\x1a\n" + b"\0" * 16
CHAPTERS = {"01_first": "Chapter 1 — First", "02_second": "Chapter 2 — Second"}


def chapter_page(title: str, prev: str | None, next_: str | None, body: str = "") -> str:
    rel = "".join(
        f'<link rel="{r}" href="{h}">' for r, h in (("prev", prev), ("next", next_)) if h
    )
    return (
        f"<html><head><title>{title} &#8212; Course</title>{rel}"
        '<link rel="stylesheet" href="../_static/site.css?v=1"></head><body>'
        f'<section id="top"><h1>{title}<a class="headerlink" href="#top">#</a></h1>'
        '<div class="admonition tip run-it-yourself"><p>make lab</p></div>'
        '<p>Inline <span class="math">\\(a + b\\)</span> and <code>cost = $5</code>.</p>'
        '<img src="../_images/plot.png">'
        f"{body}</section></body></html>"
    )


@pytest.fixture
def site(tmp_path: Path) -> tuple[Path, list[Path], Path]:
    """A site that passes every check, with its notebooks and README."""
    out, nbs = tmp_path / "site", tmp_path / "notebooks"
    (out / "notebooks").mkdir(parents=True)
    (out / "_static").mkdir()
    (out / "_images").mkdir()
    nbs.mkdir()
    (out / "_images" / "plot.png").write_bytes(PNG)
    (out / "_static" / "site.css").write_text("body { background: url(bg.png) }")
    (out / "_static" / "bg.png").write_bytes(PNG)
    (out / "search.html").write_text("<html><title>Search</title></html>")
    (out / "searchindex.js").write_text("Search.setIndex({})")
    (out / "index.html").write_text(
        "<html><head><title>Course</title></head><body><h1>Course</h1>"
        '<a href="notebooks/01_first.html">1</a> <a href="notebooks/02_second.html#top">2</a>'
        '<a href="https://example.org/docs">docs</a></body></html>'
    )
    stems = list(CHAPTERS)
    for i, (stem, title) in enumerate(CHAPTERS.items()):
        cell = {"cell_type": "markdown", "metadata": {}, "source": [f"# {title}\n", "text"]}
        (nbs / f"{stem}.ipynb").write_text(json.dumps({"cells": [cell]}))
        prev = "../index.html" if i == 0 else f"{stems[i - 1]}.html"
        next_ = f"{stems[i + 1]}.html" if i + 1 < len(stems) else None
        (out / "notebooks" / f"{stem}.html").write_text(chapter_page(title, prev, next_))
    readme = tmp_path / "README.md"
    readme.write_text("[one](notebooks/01_first.ipynb) and [two](notebooks/02_second.ipynb)\n")
    return out, sorted(nbs.glob("*.ipynb")), readme


def problems(site) -> list[str]:
    out, notebooks, readme = site
    return book_check.check(out, notebooks, readme).problems


def edit(path: Path, old: str, new: str) -> None:
    text = path.read_text()
    assert old in text, f"{old!r} not in {path}"
    path.write_text(text.replace(old, new, 1))


def test_a_good_site_passes_and_outside_links_are_only_counted(site):
    out, notebooks, readme = site
    result = book_check.check(out, notebooks, readme)
    assert result.problems == []
    assert result.external_links == {"example.org"}


def only(found: list[str], phrase: str) -> str:
    assert len(found) == 1 and phrase in found[0], found
    return found[0]


@pytest.mark.parametrize(
    ("page", "old", "new", "phrase"),
    [
        ("index.html", "</body>", '<a href="notebooks/gone.html">x</a></body>', "broken link"),
        ("index.html", "02_second.html#top", "02_second.html#nowhere", "no id 'nowhere'"),
        ("notebooks/02_second.html", "../_images/plot.png", "../_images/gone.png", "broken image"),
        (
            "notebooks/02_second.html",
            "<body>",
            '<body><script src="https://cdn.x/a.js"></script>',
            "from another host",
        ),
        ("notebooks/02_second.html", "<body>", '<body><img src="//cdn.x/a.png">', "another host"),
        (
            "notebooks/02_second.html",
            "<body>",
            '<body><div style="background:url(http://x/a.png)">',
            "from another host",
        ),
        (
            "notebooks/02_second.html",
            "<body>",
            '<body><img src="/_images/plot.png">',
            "absolute address",
        ),
        (
            "notebooks/02_second.html",
            "</section>",
            "<p>so $x^2$ stays raw</p></section>",
            "raw math",
        ),
        ("notebooks/02_second.html", "</section>", "<p>a display $$x$$</p></section>", "raw math"),
        ("notebooks/02_second.html", "<h1>Chapter 2 — Second", "<h1>Second", "no <h1>"),
        ("notebooks/02_second.html", "<title>Chapter 2", "<title>Two", "<title>"),
        ("notebooks/02_second.html", "run-it-yourself", "note", "banner"),
        ("notebooks/02_second.html", 'href="01_first.html"', 'href="../index.html"', "'previous'"),
        (
            "notebooks/01_first.html",
            'rel="next" href="02_second.html"',
            'rel="next" href="../index.html"',
            "'next'",
        ),
        (
            "notebooks/02_second.html",
            "</section>",
            '<script type="application/vnd.jupyter.widget-view+json">{}</script></section>',
            "widget view",
        ),
        ("index.html", '<a href="notebooks/01_first.html">1</a>', "", "README's link"),
    ],
)
def test_each_fault_is_reported(site, page, old, new, phrase):
    edit(site[0] / page, old, new)
    only(problems(site), phrase)


def test_math_and_code_are_not_raw_math(site):
    # the good site already has \(a + b\) in a math span and "$5" in code; more of the same:
    edit(
        site[0] / "notebooks/01_first.html", "</section>", "<pre>echo $HOME $PATH</pre></section>"
    )
    assert problems(site) == []


def test_stylesheets_and_svg_files_are_checked(site):
    out = site[0]
    (out / "_static" / "site.css").write_text("@import 'https://fonts.x/css'; a{}")
    (out / "_images" / "tree.svg").write_text('<svg><image href="https://x/y.png"/></svg>')
    found = problems(site)
    assert len(found) == 2, found
    assert any("site.css" in p and "another host" in p for p in found)
    assert any("tree.svg" in p and "another host" in p for p in found)


def test_broken_or_fake_images(site):
    out = site[0]
    (out / "_images" / "plot.png").write_bytes(b"<html>not found</html>")
    found = problems(site)
    assert len(found) == 2 and all("not a PNG" in p for p in found), found  # both chapters
    (out / "_images" / "plot.png").write_bytes(b"")
    found = problems(site)
    assert len(found) == 2 and all("empty image" in p for p in found), found


def test_a_chapter_without_its_page(site):
    out = site[0]
    (out / "notebooks" / "02_second.html").unlink()
    found = problems(site)
    assert any("no page for 02_second.ipynb" in p for p in found), found
    assert any("broken link: notebooks/02_second.html#top" in p for p in found), found


def test_an_empty_folder_fails(tmp_path):
    assert book_check.check(tmp_path, [], None).problems == [
        f"{tmp_path}: no HTML pages (was the book built?)"
    ]
