"""tinyml.landscapes: the test functions, the descent loop and the plotting helpers."""

from __future__ import annotations

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt  # noqa: E402
import pytest  # noqa: E402
from hypothesis import given  # noqa: E402
from hypothesis import strategies as st  # noqa: E402

from tinyml.alpha import Var  # noqa: E402
from tinyml.landscapes import (  # noqa: E402
    NOTEBOOK_WIDTH,
    QUADRATIC,
    ROSENBROCK,
    descend,
    explore_momentum,
    lr_sweep,
    plot_losses,
    plot_lr_sweep,
    plot_paths,
    quadratic,
    rosenbrock,
)
from tinyml.numeric import grad_check  # noqa: E402
from tinyml.optim import GD, Adam, Momentum  # noqa: E402

coords = st.floats(min_value=-2, max_value=2, allow_nan=False)


def test_known_values_and_minima():
    assert quadratic(0.0, 0.0) == 0.0 and quadratic(2.0, 1.0) == 0.5 * (4 + 25)
    assert rosenbrock(1.0, 1.0) == 0.0 and rosenbrock(0.0, 0.0) == 1.0
    for land in (QUADRATIC, ROSENBROCK):
        assert land(*land.minimum) == 0.0
        assert list(land.levels) == sorted(land.levels)


@given(coords, coords)
def test_alpha_gradients_match_central_differences(x, y):
    for f in (quadratic, rosenbrock):
        vx, vy = Var(x), Var(y)
        f(vx, vy).backward()
        check = grad_check(f, [x, y], [vx.g, vy.g], rtol=1e-5, atol=1e-6)
        assert check, check


def test_descend_records_path_and_losses():
    run = descend(QUADRATIC, GD, steps=10, lr=0.05)
    assert len(run.path) == len(run.losses) == 11
    assert run.path[0] == QUADRATIC.start
    assert run.losses == [pytest.approx(quadratic(*p)) for p in run.path]
    assert run.label == "GD(lr=0.05)" and not run.diverged
    noisy = descend(QUADRATIC, Momentum, steps=1, lr=0.1 + 0.2, momentum=0.9)
    assert noisy.label == "Momentum(lr=0.3, momentum=0.9)"  # no float noise in labels
    assert run.losses[-1] < run.losses[0]


def test_descend_stops_a_diverging_run():
    run = descend(QUADRATIC, GD, steps=200, lr=0.1)  # lr·25 > 2: y oscillates and grows
    assert run.diverged
    assert len(run.path) < 200


def test_descend_is_deterministic_and_takes_a_start():
    a = descend(ROSENBROCK, Adam, steps=20, start=(0.0, 0.0), lr=0.05, label="adam")
    b = descend(ROSENBROCK, Adam, steps=20, start=(0.0, 0.0), lr=0.05)
    assert a.path == b.path and a.label == "adam"


def test_plots_have_one_panel_per_run_and_labels():
    runs = [descend(QUADRATIC, opt, steps=5, lr=0.01) for opt in (GD, Momentum, Adam)]
    fig = plot_paths(QUADRATIC, runs)
    visible = [ax for ax in fig.axes if ax.get_visible()]
    assert len(visible) == 3
    assert all(ax.get_xlabel() == "x" and ax.get_ylabel() == "y" for ax in visible)
    ax = plot_losses(runs)
    assert ax.get_yscale() == "log" and ax.get_xlabel() == "step"
    plt.close("all")


def test_lr_sweep_marks_divergence_and_plot_draws_it():
    lrs = [0.01, 0.05, 0.1]
    finals = lr_sweep(QUADRATIC, GD, lrs, steps=100)
    assert finals[0] is not None and finals[1] is not None and finals[0] > finals[1]
    assert finals[2] is None  # 0.1 > 2/25: GD diverges on the bowl
    ax = plot_lr_sweep(lrs, {"GD": finals, "Adam": lr_sweep(QUADRATIC, Adam, lrs)})
    assert ax.get_xscale() == ax.get_yscale() == "log"
    labels = [t.get_text() for t in ax.get_legend().get_texts()]
    assert "GD" in labels and "Adam" in labels and any("diverged" in t for t in labels)
    plt.close("all")


def test_a_run_that_ends_worse_than_it_started_is_diverged():
    # lr = 0.081 is just past 2/25: y grows by 2.5 % a step, too slowly to hit the 1e6 stop.
    run = descend(QUADRATIC, GD, steps=50, lr=0.081)
    assert len(run.path) == 51 and run.losses[-1] > run.losses[0]
    assert run.diverged
    at_threshold = descend(QUADRATIC, GD, steps=50, lr=0.08)  # y flips sign forever
    assert not at_threshold.diverged and at_threshold.losses[-1] < at_threshold.losses[0]


def test_run_repr_is_a_short_summary():
    # From (-5, 1.5), f = 0.5·(25 + 25·2.25) = 40.625. GD multiplies x by 1 - 0.081 = 0.919
    # and y by 1 - 25·0.081 = -1.025 each step, so after 50: f = 0.5·(25·0.919¹⁰⁰
    # + 25·2.25·1.025¹⁰⁰) = 0.5·(0.0054 + 56.25·11.81) = 332.26.
    run = descend(QUADRATIC, GD, steps=50, lr=0.081)
    assert repr(run) == "Run('GD(lr=0.081)', 50 steps, loss 40.6 → 332, diverged)"
    assert repr(descend(QUADRATIC, GD, steps=5, lr=0.05)).endswith("5 steps, loss 40.6 → 7.48)")


def test_plot_paths_can_widen_the_view():
    run = descend(QUADRATIC, Momentum, steps=50, lr=0.03, momentum=0.9)
    assert max(x for x, _ in run.path) > QUADRATIC.xlim[1]  # why the view needs widening
    fig = plot_paths(QUADRATIC, [run], xlim=(-5.5, 2.5))
    assert fig.axes[0].get_xlim() == (-5.5, 2.5)
    assert fig.axes[0].get_ylim() == QUADRATIC.ylim
    plt.close("all")


def test_lr_sweep_lines_differ_in_more_than_colour():
    lrs = [0.01, 0.05]
    sweeps = {name: lr_sweep(QUADRATIC, GD, lrs, steps=5) for name in ("a", "b", "c", "d")}
    ax = plot_lr_sweep(lrs, sweeps)
    styles = {(line.get_marker(), line.get_linestyle()) for line in ax.get_lines()[:4]}
    assert len(styles) == 4
    plt.close("all")


def test_descend_takes_a_function_with_a_start_and_explains_a_missing_one():
    run = descend(quadratic, GD, steps=3, start=(1.0, 0.0), lr=0.1)
    assert run.path[-1] == pytest.approx((0.9**3, 0.0))
    with pytest.raises(TypeError, match="not a Landscape.*QUADRATIC.*start="):
        descend(quadratic, GD, lr=0.1)
    with pytest.raises(TypeError, match="needs a Landscape"):
        descend("QUADRATIC", GD, lr=0.1)


@pytest.mark.parametrize(
    "steps, error, phrase",
    [
        (0, ValueError, "steps must be at least 1, got steps=0"),
        (-5, ValueError, "steps must be at least 1"),
        (2.5, TypeError, "steps must be a whole number"),
        (True, TypeError, "steps must be a whole number"),
    ],
)
def test_descend_refuses_a_bad_number_of_steps(steps, error, phrase):
    with pytest.raises(error, match=phrase):
        descend(QUADRATIC, GD, steps=steps, lr=0.01)


def test_plot_paths_needs_runs():
    with pytest.raises(ValueError, match="no runs to plot"):
        plot_paths(QUADRATIC, [])
    plt.close("all")


def test_plot_paths_is_never_wider_than_a_notebook_cell():
    runs = [descend(QUADRATIC, GD, steps=5, lr=lr) for lr in (0.01, 0.02, 0.03)]
    for ncols in (1, 2, 3):
        fig = plot_paths(QUADRATIC, runs, ncols=ncols)
        assert fig.get_size_inches()[0] <= NOTEBOOK_WIDTH + 1e-9
        plt.close(fig)


def test_momentum_explorer_redraws_the_real_descend_run_for_each_slider_setting():
    ex = explore_momentum(steps=30)
    first_png, first_path = ex.png, ex.draw.run.path
    assert first_path == descend(QUADRATIC, Momentum, steps=30, lr=0.03, momentum=0.7).path
    assert ex.caption.startswith("Momentum(lr=0.03, momentum=0.7) on the narrow bowl, 30 steps")

    for settings in ({"momentum": 0.9}, {"lr": 0.01}, {"momentum": 0.0}):
        before = ex.png
        ex.set(**settings)
        lr, mu = ex.values()["lr"], ex.values()["momentum"]
        want = descend(QUADRATIC, Momentum, steps=30, lr=lr, momentum=mu)
        assert ex.draw.run.path == want.path and ex.draw.run.losses == want.losses
        assert ex.png != before
    assert ex.draw.run.path != first_path and ex.png != first_png
    # momentum = 0 is plain gradient descent, step for step
    assert ex.draw.run.path == descend(QUADRATIC, GD, steps=30, lr=0.01).path


def test_momentum_explorer_says_when_a_setting_diverges():
    ex = explore_momentum()
    ex.set(lr=0.19, momentum=0.9)  # above 2(1 + μ)/25 = 0.152, the limit on this bowl
    assert ex.draw.run.diverged and ex.caption.endswith("diverged")
    ex.set(lr=0.15)  # just below it: stable
    assert not ex.draw.run.diverged
    assert len(plt.get_fignums()) == 0  # every redraw closes its figure


def test_turned_keeps_the_landscape_and_turns_its_start():
    import math

    from tinyml.landscapes import ROSENBROCK, turned
    from tinyml.optim import RMSProp

    bowl = turned(QUADRATIC, 45)
    assert bowl.name == "narrow bowl turned by 45°" and bowl.minimum == (0.0, 0.0)
    assert math.isclose(bowl(*bowl.start), QUADRATIC(*QUADRATIC.start))  # same loss: 40.6
    assert math.isclose(bowl(1.0, 1.0), QUADRATIC(math.sqrt(2), 0.0))  # x turned onto the diagonal
    assert (
        bowl.xlim[0] < bowl.start[0] < bowl.xlim[1] and bowl.ylim[0] < bowl.start[1] < bowl.ylim[1]
    )
    assert turned(QUADRATIC, 0).start == QUADRATIC.start
    valley = turned(ROSENBROCK, 30)
    assert math.isclose(valley(*valley.start), ROSENBROCK(*ROSENBROCK.start))
    assert abs(valley(*valley.minimum)) < 1e-20  # the minimum stays where it was
    # GD follows the gradient, which turns with the landscape: the same losses; RMSProp does not.
    gd, gd_turned = descend(QUADRATIC, GD, lr=0.05), descend(bowl, GD, lr=0.05)
    assert all(
        math.isclose(a, b, rel_tol=1e-9, abs_tol=1e-12)
        for a, b in zip(gd.losses, gd_turned.losses, strict=True)
    )
    assert (
        descend(bowl, RMSProp, lr=0.1).losses[-1]
        > 100 * descend(QUADRATIC, RMSProp, lr=0.1).losses[-1]
    )
    assert descend(bowl, Adam, lr=0.15).path[0] == bowl.start
    with pytest.raises(TypeError, match="turned needs a Landscape"):
        turned(quadratic, 45)
    with pytest.raises(TypeError, match="degrees must be a number"):
        turned(QUADRATIC, "45")


def test_descent_loops_lesson_view_hides_the_divergence_lines_and_keeps_the_loop():
    import inspect

    from tinyml import landscapes, show

    source = inspect.getsource(landscapes.descent_loop)
    for word in landscapes.SHOW_VIEWS["lesson"]:  # a renamed line would silently show again
        assert word in source, word
    code = show(landscapes.descent_loop, view="lesson").code
    for kept in ("opt.zero_grad()", "loss.backward()", "opt.step()", "return path, losses"):
        assert kept in code
    assert "break" not in code and "1e6" not in code and code.count("not shown") == 2


def test_optimizer_lesson_view_has_no_two_identical_markers_in_a_row():
    from tinyml import optim, show

    markers = [
        line.strip()
        for line in show(optim.Optimizer, view="lesson").code.splitlines()
        if "not shown" in line
    ]
    assert all(a != b for a, b in zip(markers, markers[1:], strict=False))


def test_optimizer_lesson_view_keeps_the_loop_and_folds_the_non_finite_guarantee():
    import inspect

    from tinyml import optim, show

    source = inspect.getsource(optim)
    for word in optim.SHOW_VIEWS["lesson"]:  # a renamed line would silently show again
        assert word in source, word
    code = show(optim.Optimizer, view="lesson").code
    for kept in ("def zero_grad", "def step", "self.update(i, p.value(), p.g)", "def update"):
        assert kept in code
    for hidden in ("_check_params", "_gradient", "isinstance(p", "Tensor's update"):  # chapter 6
        assert hidden not in code.replace("not shown: a Tensor's update", ""), hidden
    assert "not finite" not in code
    assert code.count("not shown: a non-finite gradient raises") == 1, code


def test_sweep_summary_reads_the_diverged_rates_the_count_below_and_the_best():
    from tinyml.landscapes import sweep_summary

    lrs = [0.01, 0.1, 1.0]
    text = sweep_summary(lrs, {"A": [0.5, 1e-3, None], "B": [2e-3, 5e-3, 3e-3]})
    a, b = text.splitlines()
    want = "A diverged at lr 1 below 1e-2 at 1 of 3 rates lowest loss 1.0e-03 (lr 0.1)"
    assert a.split() == want.split()
    assert "diverged at no rate" in b and "at  3 of 3 rates" in b and "(lr 0.01)" in b
    assert "lowest" not in sweep_summary(lrs, {"C": [None, None, None]})
    assert "diverged at lr 0.01–1 " in sweep_summary(lrs, {"C": [None, None, None]})


def test_sweep_summary_shows_a_method_that_converges_again_above_a_diverged_rate():
    """Session 6 brief: "first diverged at lr 0.316" hid that RMSProp ends below its start
    again at 0.464 and 0.681 in the valley; every diverged rate is listed."""
    from tinyml.landscapes import ROSENBROCK, lr_sweep, sweep_summary
    from tinyml.optim import RMSProp

    lrs = [10 ** (k / 6) for k in range(-18, 1)]
    finals = lr_sweep(ROSENBROCK, RMSProp, lrs, steps=500)
    assert [round(lr, 3) for lr, f in zip(lrs, finals, strict=True) if f is None] == [0.316, 1]
    assert "diverged at lr 0.316, 1 " in sweep_summary(lrs, {"RMSProp": finals})
    mixed = sweep_summary([1, 2, 3, 4, 5], {"M": [None, None, 1.0, None, 2.0]})
    assert "diverged at lr 1–2, 4 " in mixed


def test_sweep_summary_matches_lr_sweep_on_the_bowl():
    from tinyml.landscapes import QUADRATIC, lr_sweep, sweep_summary
    from tinyml.optim import GD

    lrs = [0.01, 0.05, 0.09]  # GD's limit on the bowl is 0.08
    finals = lr_sweep(QUADRATIC, GD, lrs)
    assert finals[2] is None and finals[1] < finals[0]
    line = sweep_summary(lrs, {"GD": finals})
    assert "diverged at lr 0.09 " in line and f"lowest loss {finals[1]:.1e} (lr 0.05)" in line


def test_sweep_summary_refuses_mismatched_lengths():
    import pytest

    from tinyml.landscapes import sweep_summary

    with pytest.raises(ValueError, match="2 final losses for 3 rates"):
        sweep_summary([0.1, 0.2, 0.3], {"GD": [1.0, 2.0]})
