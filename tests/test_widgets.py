"""tinyml.widgets: controls redraw the picture; driven here without a browser."""

from __future__ import annotations

import ipywidgets
import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import pytest  # noqa: E402

from tinyml.widgets import PNG_MAGIC, explore, png_bytes  # noqa: E402


def line(slope: float):
    fig, ax = plt.subplots(figsize=(2, 2))
    ax.plot([0, 1], [0, slope])
    ax.set_ylim(-2, 2)
    return fig


def test_first_picture_is_drawn_at_once_and_redrawn_when_a_control_moves():
    ex = explore(line, slope=ipywidgets.FloatSlider(value=0.5, min=-2, max=2))
    first = ex.png
    assert first.startswith(PNG_MAGIC)
    assert ex.caption == "picture for slope = 0.5"
    second = ex.set(slope=-1.5)
    assert second.startswith(PNG_MAGIC) and second != first
    assert ex.redraws == 2
    assert ex.values() == {"slope": -1.5}


def test_setting_the_same_value_does_not_redraw():
    ex = explore(line, slope=ipywidgets.FloatSlider(value=0.5, min=-2, max=2))
    ex.set(slope=0.5)
    assert ex.redraws == 1


def test_custom_caption_and_figures_are_closed():
    before = len(plt.get_fignums())
    ex = explore(
        line,
        caption=lambda slope: f"a line of slope {slope:g}",
        slope=ipywidgets.FloatSlider(value=1.0, min=-2, max=2),
    )
    ex.set(slope=2.0)
    assert ex.caption == "a line of slope 2"
    assert len(plt.get_fignums()) == before


def test_static_view_of_the_controls_and_picture():
    ex = explore(line, slope=ipywidgets.FloatSlider(value=1.0, min=-2, max=2))
    from tinyml.widgets import _Controls, _Picture

    bundle = _Controls(ex.box, "controls")._repr_mimebundle_()
    assert bundle["text/plain"] == "controls"
    assert "application/vnd.jupyter.widget-view+json" in bundle
    pic = _Picture(ex.png, ex.caption)._repr_mimebundle_()
    assert pic["text/plain"] == ex.caption and pic["image/png"].startswith("iVBOR")


def test_bad_input_is_named():
    with pytest.raises(ValueError, match="at least one control"):
        explore(line)
    with pytest.raises(TypeError, match="ipywidgets control"):
        explore(line, slope=0.5)
    with pytest.raises(TypeError, match="draw must be a function"):
        explore(42, slope=ipywidgets.FloatSlider())
    with pytest.raises(TypeError, match="matplotlib Figure"):
        explore(lambda slope: "not a picture", slope=ipywidgets.FloatSlider())
    with pytest.raises(ValueError, match="not a PNG"):
        png_bytes(b"GIF89a")
    ex = explore(line, slope=ipywidgets.FloatSlider(value=0.5, min=-2, max=2))
    with pytest.raises(KeyError, match="no control named 'h'"):
        ex.set(h=1)
