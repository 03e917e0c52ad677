"""Show the package's real source code in a notebook, so chapters never paste a copy."""

from __future__ import annotations

import inspect
import re
import sys
import textwrap


class Source:
    """Source code that renders highlighted in Jupyter and as plain text elsewhere."""

    def __init__(self, code: str, title: str = "") -> None:
        self.code = code
        self.title = title

    def __repr__(self) -> str:
        return self.code

    def _repr_html_(self) -> str:
        body = highlight_html(self.code)
        caption = (
            f'<div style="font-size:85%;color:#555;margin-bottom:2px">{self.title}</div>'
            if self.title
            else ""
        )
        return f"{caption}{body}"


def highlight_html(code: str) -> str:
    """Python code as highlighted HTML with inline styles (no stylesheet needed)."""
    try:
        from pygments import highlight
        from pygments.formatters import HtmlFormatter
        from pygments.lexers import PythonLexer
    except ImportError:  # pygments comes with IPython; plain text is a fine fallback
        import html

        return f"<pre>{html.escape(code)}</pre>"
    return highlight(code, PythonLexer(), HtmlFormatter(noclasses=True, style="default"))


# A linter's noqa comment ("noqa: E731") says nothing to a learner: shown code drops it,
# keeping any reason written after it ("noqa: B018 - why" shows as just "why").
_NOQA = re.compile(
    r"[ \t]*#[ \t]*noqa\b(?::[ \t]*[A-Z]+[0-9]+(?:[ \t]*,[ \t]*[A-Z]+[0-9]+)*)?"
    r"(?:[ \t]*[-–—:][ \t]*(?P<why>\S.*))?[ \t]*$",
    re.MULTILINE,
)


def strip_noqa(code: str) -> str:
    """The code without linter ``# noqa`` comments (a reason written after one is kept)."""
    return _NOQA.sub(lambda m: f"  # {m['why']}" if m["why"] else "", code)


def _where(obj: object) -> str:
    if inspect.ismodule(obj):
        return obj.__name__
    return f"{obj.__module__}.{obj.__qualname__}"


def _view(objs: tuple[object, ...], name: str) -> dict[str, str]:
    """The lines a named view hides, from ``SHOW_VIEWS`` in the shown objects' modules."""
    reasons: dict[str, str] = {}
    for obj in objs:
        module = sys.modules.get(obj.__name__ if inspect.ismodule(obj) else obj.__module__)
        views = getattr(module, "SHOW_VIEWS", {})
        if name not in views:
            known = ", ".join(map(repr, views)) or "none"
            raise ValueError(
                f"show(view={name!r}): {_where(obj)} has no such view (its module has: {known})"
            )
        reasons.update(views[name])
    return reasons


def show(
    *objs: object,
    hide: str | tuple[str, ...] | dict[str, str] = (),
    why: str = "",
    view: str = "",
) -> Source:
    """Return the source of functions, classes or modules from tinyml, ready to display.

    Several objects are shown one after another, in the order given. ``hide`` leaves out
    every line that contains one of the given strings, and ``why`` says why: each run of
    left-out lines shows as one ``...`` line with that reason, so nothing vanishes unseen.
    ``hide`` may also map each string to its own reason (``{"_uses": "bookkeeping"}``); a
    run then ends where the reason changes. A string that no shown line contains is a
    ValueError (the source has changed). ``view`` names a set of such reasons kept beside
    the code, in the module's ``SHOW_VIEWS`` (``show(alpha.Sub, view="simple")``); a view
    hides only the strings that the shown lines contain.
    """
    if not objs:
        raise TypeError("show() needs at least one function, class or module to display")
    if isinstance(hide, dict):
        reasons = dict(hide)
    else:
        reasons = dict.fromkeys((hide,) if isinstance(hide, str) else tuple(hide), why)
    viewed = _view(objs, view) if view else {}
    parts, titles = [], []
    for obj in objs:
        try:
            code = inspect.getsource(obj)
        except (TypeError, OSError) as exc:
            raise TypeError(
                f"show() can display functions, classes and modules, not {obj!r} ({exc})"
            ) from None
        parts.append(strip_noqa(textwrap.dedent(code)).rstrip())
        titles.append(_where(obj))
    text = "\n\n\n".join(parts) + "\n"
    reasons = {**{w: r for w, r in viewed.items() if w in text}, **reasons}
    hidden = tuple(reasons)
    for word in hidden:
        if word not in text:
            raise ValueError(f"show(hide={word!r}): no line of {', '.join(titles)} contains it")
    title = "from " + ", ".join(titles)
    if hidden:
        text = _elide(text, reasons)
    return Source(text, title=title)


def _elide(text: str, reasons: dict[str, str]) -> str:
    """Replace each run of lines hidden for the same reason with one ``...`` line.

    Blank lines between two hidden runs with the same reason join them into one run (two
    methods hidden for one reason show as one line), and are not counted.
    """
    lines = text.split("\n")
    whys = [next((reasons[word] for word in reasons if word in line), None) for line in lines]
    out: list[str] = []
    run: list[str] = []
    run_why = ""

    def flush() -> None:
        if run:
            indent = run[0][: len(run[0]) - len(run[0].lstrip())]
            count = sum(1 for line in run if line.strip())
            lines = "1 line" if count == 1 else f"{count} lines"
            out.append(f"{indent}...  # {lines} not shown{': ' + run_why if run_why else ''}")
            run.clear()

    for k, (line, why) in enumerate(zip(lines, whys, strict=True)):
        if why is None and run and not line.strip():
            ahead = next(
                (w for w, ln in zip(whys[k:], lines[k:], strict=True) if ln.strip()), None
            )
            if ahead == run_why:  # a blank line inside a run with one reason
                run.append(line)
                continue
        if why is None or (run and why != run_why):
            flush()
        if why is None:
            out.append(line)
        else:
            run.append(line)
            run_why = why
    flush()
    return "\n".join(out)
