"""Controls that redraw a picture: the one pattern behind every widget in the course.

``explore(draw, h=FloatLogSlider(...))`` shows the controls, then the picture that
``draw(h=...)`` returns. Moving a control calls ``draw`` again and replaces the picture in
place. The first picture is an ordinary output (a PNG with a short caption), so a chapter
read on a static viewer (GitHub, nbviewer, the book) or checked by nbval still shows it; the
controls need a live kernel, and say so where they cannot be shown.

``draw`` may return a matplotlib ``Figure`` (closed after use), anything with ``_repr_png_``
(a ``tinyml.viz.Drawing``), or PNG bytes. Tests drive an explorer without a browser through
``set(...)`` and read ``png`` and ``caption``.
"""

from __future__ import annotations

import base64
import io
from collections.abc import Callable, Iterable
from typing import Any

import ipywidgets
from IPython.display import display

__all__ = ["Explorer", "explore", "png_bytes"]

PNG_MAGIC = b"\x89PNG\r\n\x1a\n"


def png_bytes(picture: Any) -> bytes:
    """The PNG bytes of a matplotlib Figure, an object with ``_repr_png_``, or PNG bytes."""
    if isinstance(picture, bytes | bytearray):
        data = bytes(picture)
    elif hasattr(picture, "savefig"):  # a matplotlib Figure
        import matplotlib.pyplot as plt

        buffer = io.BytesIO()
        picture.savefig(buffer, format="png", dpi=picture.dpi, bbox_inches="tight")
        plt.close(picture)
        data = buffer.getvalue()
    elif hasattr(picture, "_repr_png_"):
        data = picture._repr_png_()
    else:
        raise TypeError(
            f"draw() returned {picture!r} of type {type(picture).__name__}; return a matplotlib "
            "Figure, a tinyml.viz Drawing, or PNG bytes"
        )
    if not data.startswith(PNG_MAGIC):
        raise ValueError("draw() returned bytes that are not a PNG image")
    return data


class _Picture:
    """A PNG with a plain-text caption: what a static viewer and nbval see of an explorer."""

    def __init__(self, png: bytes, caption: str) -> None:
        self.png, self.caption = png, caption

    def __repr__(self) -> str:
        return self.caption

    def _repr_mimebundle_(self, include: Iterable[str] | None = None, exclude: Any = None):
        return {
            "image/png": base64.b64encode(self.png).decode("ascii"),
            "text/plain": self.caption,
        }


class _Controls:
    """The control panel, with a plain-text stand-in for viewers that cannot run widgets."""

    def __init__(self, box: ipywidgets.Widget, text: str) -> None:
        self.box, self.text = box, text

    def __repr__(self) -> str:
        return self.text

    def _repr_mimebundle_(self, include: Iterable[str] | None = None, exclude: Any = None):
        bundle = self.box._repr_mimebundle_()
        bundle["text/plain"] = self.text
        return bundle


class Explorer:
    """Controls and the picture they drive; ``set(name=value)`` moves a control as a user would."""

    def __init__(
        self,
        draw: Callable[..., Any],
        controls: dict[str, ipywidgets.ValueWidget],
        caption: Callable[..., str] | None = None,
    ) -> None:
        if not callable(draw):
            raise TypeError(f"draw must be a function that returns a picture, got {draw!r}")
        if not controls:
            raise ValueError("explore() needs at least one control, e.g. h=FloatSlider(...)")
        for name, control in controls.items():
            if not isinstance(control, ipywidgets.ValueWidget):
                raise TypeError(
                    f"control {name!r} is {control!r}; pass an ipywidgets control such as "
                    "FloatSlider, IntSlider or Dropdown"
                )
        self.draw = draw
        self.controls = dict(controls)
        self._caption = caption or (
            lambda **v: "picture for " + ", ".join(f"{k} = {x!r}" for k, x in v.items())
        )
        self.box = ipywidgets.VBox(list(self.controls.values()))
        self._handle: Any = None
        self.redraws = 0
        self.png = b""
        self.caption = ""
        self._render()
        for control in self.controls.values():
            control.observe(self._changed, names="value")

    def values(self) -> dict[str, Any]:
        """The current value of every control, by name."""
        return {name: control.value for name, control in self.controls.items()}

    def set(self, **values: Any) -> bytes:
        """Move controls (as a user dragging them would) and return the new picture's PNG."""
        for name, value in values.items():
            if name not in self.controls:
                raise KeyError(
                    f"no control named {name!r}; the controls are {list(self.controls)}"
                )
            self.controls[name].value = value  # fires _changed when the value really changes
        return self.png

    def _render(self) -> None:
        values = self.values()
        self.png = png_bytes(self.draw(**values))
        self.caption = self._caption(**values)
        self.redraws += 1

    def _changed(self, _change: dict[str, Any]) -> None:
        self._render()
        if self._handle is not None:
            self._handle.update(_Picture(self.png, self.caption))

    def show(self) -> Explorer:
        """Display the controls and the picture below them (in a notebook)."""
        names = ", ".join(self.controls)
        display(_Controls(self.box, f"[interactive controls: {names} — run the cell to use them]"))
        self._handle = display(_Picture(self.png, self.caption), display_id=True)
        return self

    def _ipython_display_(self) -> None:
        self.show()


def explore(
    draw: Callable[..., Any], caption: Callable[..., str] | None = None, **controls: Any
) -> Explorer:
    """Controls named like ``draw``'s keyword arguments, and the picture ``draw`` returns.

    Example: ``explore(error_plot, h=FloatLogSlider(value=1e-8, base=10, min=-16, max=-1))``.
    ``caption(**values)`` gives the picture's text (what nbval compares and static viewers
    show beside the image); by default it lists the values. Returned objects display
    themselves, so ending a cell with ``explore(...)`` shows it.
    """
    return Explorer(draw, controls, caption)
