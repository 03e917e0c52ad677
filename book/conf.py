"""Sphinx configuration of the course's static website (`make book`).

The source directory is the repository root (`sphinx-build -c book . build/book`), so the
book reads the very files a learner clones: README.md is the landing page and every
notebooks/NN_*.ipynb is a chapter, rendered from its committed outputs (nothing is run).
Everything a page needs — MathJax, fonts, scripts, styles — is served from the site itself.
"""

from __future__ import annotations

import shutil
import sys
from pathlib import Path

from docutils import nodes

project = "Tiny Machine Learner"
author = "the Tiny Machine Learner authors"
copyright = "the Tiny Machine Learner authors"  # noqa: A001 (Sphinx's name)
html_title = "Tiny Machine Learner"

extensions = [
    "myst_nb",  # Markdown (MyST) and notebooks
    "sphinx-mathjax-offline",  # copies MathJax 3 into _static/mathjax and points Sphinx at it
]

root_doc = "README"
# Only the course itself; the chapters are found by pattern, so new ones appear on their own.
include_patterns = ["README.md", "CONTRIBUTING.md", "notebooks/[0-9]*.ipynb"]
exclude_patterns = [".venv", "build", "dist", "**/.ipynb_checkpoints", ".git"]

# --- notebooks: committed outputs only ------------------------------------------------------
nb_execution_mode = "off"
nb_merge_streams = True
# Never load widget JavaScript (it comes from a CDN); the course's widgets leave a PNG output
# beside their controls, and the controls' text stand-in is what a static page shows.
nb_ipywidgets_js = {}
nb_mime_priority_overrides = [
    ("html", "application/vnd.jupyter.widget-view+json", None),
    ("html", "application/vnd.jupyter.widget-state+json", None),
]
myst_enable_extensions = ["dollarmath", "amsmath", "html_image"]
myst_heading_anchors = 3
# `[Exercise 2](#Exercises)` resolves as in JupyterLab (case kept); see heading_anchors.py.
sys.path.insert(0, str(Path(__file__).resolve().parent))
myst_heading_slug_func = "heading_anchors.jupyter_slug"

# --- math: MathJax from _static/mathjax (sphinx-mathjax-offline), never a CDN -----------------
mathjax3_config = {"options": {"enableMenu": False}}

# --- HTML -----------------------------------------------------------------------------------
html_theme = "sphinx_book_theme"
html_static_path = ["static"]
html_css_files = ["book.css"]
html_last_updated_fmt = None
html_show_sphinx = False
html_show_copyright = False
# Plots and drawings have white backgrounds, as in JupyterLab's default theme: start light.
html_context = {"default_mode": "light"}
# The header already has a search field; one in the sidebar too would say it twice.
html_sidebars = {"**": ["navbar-logo.html", "sbt-sidebar-nav.html"]}
html_theme_options = {
    "home_page_in_toc": True,
    "show_toc_level": 2,
    "use_download_button": True,
    "use_fullscreen_button": False,
    "use_repository_button": False,
    "navigation_with_keys": False,
    "search_bar_text": "Search the course…",
}
# Not worth failing `make booktest` for: the README's shell block holds "<this repository's
# address>", which the lexer takes only in its relaxed mode; a chapter skipping a heading level.
# Broken references and links still fail it.
suppress_warnings = ["misc.highlighting_failure", "myst.header"]

RUN_IT_YOURSELF = (
    "This page is a chapter of the course, shown with the outputs of its last run. To run it "
    "and do its exercises, clone the repository and type ",
    "make lab",
    " — it sets everything up and opens JupyterLab on the chapters; ",
    "make test",
    " runs every check. ",
)


def _add_chapter_list(app, docname: str, source: list[str]) -> None:
    """The sidebar's table of contents: every chapter, in file-name order."""
    if docname == root_doc:
        source[0] += (
            "\n\n```{toctree}\n:hidden:\n:glob:\n:caption: Chapters\n\nnotebooks/[0-9]*\n```\n"
            "\n```{toctree}\n:hidden:\n:caption: For contributors\n\nCONTRIBUTING\n```\n"
        )


def _add_run_banner(app, doctree: nodes.document, docname: str) -> None:
    """Under each chapter's title: how to run it yourself (the README's two commands)."""
    if not docname.startswith("notebooks/"):
        return
    section = next(iter(doctree.findall(nodes.section)), None)
    if section is None or not isinstance(section[0], nodes.title):
        return
    text, lab, middle, test, end = RUN_IT_YOURSELF
    start = app.builder.get_relative_uri(docname, root_doc) + "#start"
    paragraph = nodes.paragraph(
        "",
        "",
        nodes.Text(text),
        nodes.literal("", lab),
        nodes.Text(middle),
        nodes.literal("", test),
        nodes.Text(end),
        nodes.reference("", "How to start", refuri=start, internal=True),
        nodes.Text("."),
    )
    banner = nodes.admonition(
        "", nodes.title("", "Run it yourself"), paragraph, classes=["tip", "run-it-yourself"]
    )
    section.insert(1, banner)


# MathJax's other combined bundles (and latest.js, which loads MathJax from a CDN) are never
# used by tex-chtml.js; leaving them out keeps the site small and free of CDN loaders.
UNUSED_MATHJAX = [
    "latest.js",
    "node-main.js",
    "mml-chtml.js",
    "mml-svg.js",
    "tex-chtml-full.js",
    "tex-chtml-full-speech.js",
    "tex-mml-chtml.js",
    "tex-mml-svg.js",
    "tex-svg.js",
    "tex-svg-full.js",
    "output/svg.js",
    "output/svg",
]


def _finish_site(app, exception: Exception | None) -> None:
    """index.html is the landing page too; README's raw <img> tags find images/; trim MathJax."""
    out = Path(app.outdir)
    if exception is not None or app.builder.name != "html":
        return
    shutil.copyfile(out / "README.html", out / "index.html")
    shutil.copytree(Path(app.srcdir) / "images", out / "images", dirs_exist_ok=True)
    (out / ".nojekyll").touch()  # GitHub Pages: serve _static/ and _images/ as they are
    # The themes copy their Jinja macro files into _static; they are templates, not pages.
    for macros in ("webpack-macros.html", "sbt-webpack-macros.html"):
        (out / "_static" / macros).unlink(missing_ok=True)
    mathjax = out / "_static" / "mathjax"
    for name in UNUSED_MATHJAX:
        path = mathjax / name
        if path.is_dir():
            shutil.rmtree(path)
        elif path.exists():
            path.unlink()


def setup(app):
    app.connect("source-read", _add_chapter_list)
    app.connect("doctree-resolved", _add_run_banner)
    app.connect("build-finished", _finish_site, priority=900)  # after MathJax is copied
