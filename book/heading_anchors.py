"""Heading anchors as JupyterLab makes them, for the book (`myst_heading_slug_func`).

JupyterLab gives `## Exercises` the id `Exercises` (spaces become '-', case kept), so a
chapter links to it as `[Exercise 2](#Exercises)`. MyST's presets lower-case the anchor and
would call that link broken; with this slug the same link works in JupyterLab and the book.
The function lives in a module of its own because Sphinx pickles its configuration, and a
function defined in conf.py cannot be pickled.
"""


def jupyter_slug(title: str) -> str:
    """A heading's anchor as JupyterLab makes it: spaces become '-', case is kept."""
    return "-".join(title.split())
