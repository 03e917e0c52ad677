"""tinyml.plots: the step-size explorer of chapter 1, driven without a browser."""

from __future__ import annotations

import math

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import pytest  # noqa: E402

from tinyml.numeric import EPS, central_difference, forward_difference  # noqa: E402
from tinyml.plots import (  # noqa: E402
    errors_at,
    explore_step_size,
    plot_error_model,
    step_size_errors,
    step_size_figure,
)
from tinyml.widgets import PNG_MAGIC  # noqa: E402


def _marked(fig, gid):
    (line,) = [ln for ln in fig.axes[0].get_lines() if ln.get_gid() == gid]
    return float(line.get_xdata()[0]), float(line.get_ydata()[0])


@pytest.mark.parametrize("h", [1e-2, 1e-5, 10**-8.25, 1e-12])
def test_marked_errors_are_the_real_finite_difference_errors_at_h(h):
    fig = step_size_figure(h)
    want_fwd = abs(forward_difference(math.sin, 1.0, h) - math.cos(1.0))
    want_cen = abs(central_difference(math.sin, 1.0, h) - math.cos(1.0))
    assert _marked(fig, "forward at h") == (h, max(want_fwd, EPS / 4))
    assert _marked(fig, "central at h") == (h, max(want_cen, EPS / 4))
    assert errors_at(h) == (want_fwd, want_cen)
    plt.close(fig)


def test_moving_the_slider_redraws_the_picture_and_the_caption():
    ex = explore_step_size(h=1e-3)
    first, caption = ex.png, ex.caption
    assert first.startswith(PNG_MAGIC)
    fwd, cen = errors_at(1e-3)
    assert "h = 1.0e-03" in caption  # the numbers are in the title; the caption doesn't repeat it
    fig = step_size_figure(1e-3)
    title = fig.axes[0].get_title()
    plt.close(fig)
    assert title == f"step h = 1.0e-03: forward error {fwd:.1e}, central error {cen:.1e}"
    assert title not in caption
    second = ex.set(h=1e-9)
    assert second.startswith(PNG_MAGIC) and second != first
    assert ex.caption != caption and "h = 1.0e-09" in ex.caption
    assert ex.redraws == 2


def test_the_slider_stays_where_steps_survive_rounding_at_x():
    ex = explore_step_size()
    slider = ex.controls["h"]
    assert 1.0 + slider.base**slider.min != 1.0  # the smallest step is not lost at x = 1
    with pytest.raises(ValueError, match="plotted range"):
        explore_step_size(h=1.0)


def test_the_error_model_plot_draws_the_measured_errors_the_two_terms_and_their_sum():
    steps, fwd, _ = step_size_errors()
    trunc = [h / 2 * math.sin(1.0) for h in steps]
    roundoff = [EPS * math.sin(1.0) / h for h in steps]
    ax = plot_error_model(steps, fwd, trunc, roundoff, math.sqrt(2 * EPS))
    lines = {ln.get_label(): ln for ln in ax.get_lines()}
    assert list(lines["forward difference, measured"].get_ydata()) == fwd
    assert list(lines["their sum"].get_ydata()) == [
        t + r for t, r in zip(trunc, roundoff, strict=True)
    ]
    assert list(lines["their sum"].get_xdata()) == steps
    (vline,) = [ln for label, ln in lines.items() if label.startswith("$h^*")]
    assert list(vline.get_xdata()) == [math.sqrt(2 * EPS)] * 2
    assert ax.get_xscale() == ax.get_yscale() == "log"
    plt.close(ax.figure)
