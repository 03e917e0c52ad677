"""tinyml.train: the training loop, its history and progress bar, and its pictures."""

from __future__ import annotations

import gc
import math
import random

import matplotlib

matplotlib.use("Agg")

import numpy as np  # noqa: E402
import pytest  # noqa: E402

from tinyml.data import moons, spiral, train_test_split  # noqa: E402
from tinyml.nn import MLP, Linear, binary_cross_entropy_with_logits, mse_loss  # noqa: E402
from tinyml.optim import GD, Adam  # noqa: E402
from tinyml.train import (  # noqa: E402
    accuracy,
    cycle_collector_paused,
    fit,
    minibatches,
    plot_decision_boundary,
    plot_history,
    predict,
    scores,
    training_explorer,
)


def test_minibatches_cover_every_index_once_and_are_seeded():
    batches = minibatches(10, 4, random.Random(0))
    assert [len(b) for b in batches] == [4, 4, 2]
    assert sorted(i for b in batches for i in b) == list(range(10))
    assert batches == minibatches(10, 4, random.Random(0))
    assert batches != minibatches(10, 4, random.Random(1))


def test_a_tiny_training_run_lowers_the_loss_and_learns(capsys):
    X, y = moons(n_samples=60, noise=0.1, seed=0)
    model = MLP(2, [8, 1], seed=0)
    before = binary_cross_entropy_with_logits([model(x)[0] for x in X], y).value()
    history = fit(model, X, y, Adam(model.parameters(), lr=0.05), epochs=15, batch_size=10)
    after = binary_cross_entropy_with_logits([model(x)[0] for x in X], y).value()
    assert after < 0.5 * before
    assert history.loss[-1] < history.loss[0]
    assert len(history.loss) == len(history.train_accuracy) == 15
    assert history.test_accuracy == []
    assert accuracy(model, X, y) >= 0.85
    out = capsys.readouterr().out
    assert "15/15 epochs" in out and "loss" in out


def test_fit_is_seeded_and_reports_test_accuracy():
    X, y = moons(n_samples=40, seed=1)
    X_tr, X_te, y_tr, y_te = train_test_split(X, y, test_size=0.25, seed=0)
    runs = []
    for _ in range(2):
        model = MLP(2, [4, 1], seed=2)
        h = fit(model, X_tr, y_tr, GD(model.parameters(), lr=0.3), epochs=3, batch_size=8,
                X_test=X_te, y_test=y_te, progress=False)  # fmt: skip
        runs.append((h.loss, h.test_accuracy, [p.value() for p in model.parameters()]))
    assert runs[0] == runs[1]
    assert len(runs[0][1]) == 3 and all(0 <= a <= 1 for a in runs[0][1])


def test_fit_equals_the_loop_written_out():
    X, y = moons(n_samples=30, seed=3)
    a, b = MLP(2, [3, 1], seed=4), MLP(2, [3, 1], seed=4)
    fit(a, X, y, GD(a.parameters(), lr=0.2), epochs=2, batch_size=7, seed=5, progress=False)
    rng, opt = random.Random(5), GD(b.parameters(), lr=0.2)
    for _ in range(2):
        for batch in minibatches(len(X), 7, rng):
            opt.zero_grad()
            loss = binary_cross_entropy_with_logits([b(X[i])[0] for i in batch],
                                                    [y[i] for i in batch])  # fmt: skip
            loss.backward()
            opt.step()
    assert [p.value() for p in a.parameters()] == [p.value() for p in b.parameters()]


def test_fit_trains_multiclass_with_cross_entropy_and_a_custom_loss():
    X, y = spiral(n_samples=30, n_classes=3, seed=0)
    model = MLP(2, [3], seed=0)  # 3 outputs: cross-entropy by default
    h = fit(model, X, y, Adam(model.parameters(), lr=0.05), epochs=5, progress=False)
    assert h.loss[-1] < h.loss[0]
    assert set(predict(model, X)) <= {0, 1, 2}
    reg = MLP(2, [1], seed=0)

    def squared(outputs, targets):
        return mse_loss([o[0] for o in outputs], targets)

    h = fit(reg, X, [0] * 30, GD(reg.parameters(), lr=0.1), epochs=5, loss_fn=squared,
            progress=False)  # fmt: skip
    assert h.loss[-1] < h.loss[0]


def test_fit_refuses_bad_arguments_and_restores_the_collector():
    model = MLP(2, [1], seed=0)
    opt = GD(model.parameters(), lr=0.1)
    with pytest.raises(ValueError, match="epochs"):
        fit(model, [[0.0, 0.0]], [0], opt, epochs=0)
    with pytest.raises(ValueError, match="batch_size"):
        fit(model, [[0.0, 0.0]], [0], opt, epochs=1, batch_size=0)
    with pytest.raises(ValueError, match="same"):
        fit(model, [[0.0, 0.0]], [0, 1], opt, epochs=1)
    assert gc.isenabled()
    with pytest.raises(RuntimeError), cycle_collector_paused():
        assert not gc.isenabled()
        raise RuntimeError
    assert gc.isenabled()


def test_progress_bar_text_has_no_times_or_rates(capsys):
    X, y = moons(n_samples=12, seed=0)
    model = MLP(2, [2, 1], seed=0)
    fit(model, X, y, GD(model.parameters(), lr=0.1), epochs=3, X_test=X, y_test=y)
    final = capsys.readouterr().out.split("\r")[-1]
    assert final.startswith("training: 100%|") and "3/3 epochs" in final
    assert "test acc" in final
    assert "it/s" not in final and "s/it" not in final and "<" not in final and "00:" not in final


@pytest.mark.parametrize("activation", ["tanh", "relu", "sigmoid"])
def test_scores_equal_the_graph_forward(activation):
    model = MLP(2, [5, 4, 3], activation=activation, seed=1)
    pts = [[0.3, -1.0], [2.0, 0.5], [-0.7, 0.1]]
    fast = scores(model, np.array(pts))
    slow = [[v.value() for v in model(p)] for p in pts]
    assert np.allclose(fast, slow, rtol=1e-12, atol=1e-14)
    layer = Linear(2, 2, seed=0)
    assert np.allclose(scores(layer, pts), [[v.value() for v in layer(p)] for p in pts])
    with pytest.raises(TypeError, match="Linear or an MLP"):
        scores(object(), pts)


def test_decision_boundary_and_history_plots():
    import matplotlib.pyplot as plt

    X, y = moons(n_samples=30, seed=0)
    model = MLP(2, [4, 1], seed=0)
    h = fit(model, X, y, Adam(model.parameters(), lr=0.05), epochs=2, X_test=X, y_test=y,
            progress=False)  # fmt: skip
    ax = plot_decision_boundary(model, X, y, title="boundary")
    assert ax.get_title() == "boundary" and len(ax.collections) >= 3
    axes = plot_history(h)
    assert len(axes[1].lines) == 2
    plt.close("all")


def test_training_explorer_redraws_when_the_slider_moves():
    X, y = moons(n_samples=30, seed=0)
    model = MLP(2, [6, 1], seed=0)
    snapshots = [[p.value() for p in model.parameters()]]

    def save(epoch, history):
        snapshots.append([p.value() for p in model.parameters()])

    h = fit(model, X, y, Adam(model.parameters(), lr=0.1), epochs=4, on_epoch=save,
            progress=False)  # fmt: skip
    final = [p.value() for p in model.parameters()]
    explorer = training_explorer(model, snapshots, h, X, y)
    last_png, last_caption = explorer.png, explorer.caption
    assert last_caption.startswith("after epoch 4") and last_png.startswith(b"\x89PNG")
    first_png = explorer.set(epoch=0)
    assert explorer.caption == "before training (epoch 0)"
    assert first_png != last_png
    assert explorer.set(epoch=4) == last_png  # the same epoch draws the same picture
    assert [p.value() for p in model.parameters()] == final  # weights left as they were
    with pytest.raises(ValueError, match="snapshot"):
        training_explorer(model, snapshots[:-1], h, X, y)


def test_same_losses_as_pytorch_step_by_step():
    torch = pytest.importorskip("torch")
    torch.set_default_dtype(torch.float64)
    X, y = moons(n_samples=32, seed=0)
    model = MLP(2, [8, 8, 1], seed=0)
    layers = []
    for i, layer in enumerate(model.layers):
        lin = torch.nn.Linear(layer.in_features, layer.out_features)
        with torch.no_grad():
            lin.weight.copy_(torch.tensor([[w.value() for w in row] for row in layer.weight]))
            lin.bias.copy_(torch.tensor([b.value() for b in layer.bias]))
        layers += [lin] if i == len(model.layers) - 1 else [lin, torch.nn.Tanh()]
    net = torch.nn.Sequential(*layers)
    ours = [p.value() for p in model.parameters()]
    theirs = [v for p in net.parameters() for v in p.detach().flatten().tolist()]
    assert ours == theirs  # same parameter order
    opt = Adam(model.parameters(), lr=0.05)
    topt = torch.optim.Adam(net.parameters(), lr=0.05)
    tx, ty = torch.tensor(X), torch.tensor(y, dtype=torch.float64)
    for _ in range(10):
        opt.zero_grad()
        loss = binary_cross_entropy_with_logits([model(x)[0] for x in X], y)
        loss.backward()
        opt.step()
        topt.zero_grad()
        tloss = torch.nn.functional.binary_cross_entropy_with_logits(net(tx)[:, 0], ty)
        tloss.backward()
        topt.step()
        assert math.isclose(loss.value(), tloss.item(), rel_tol=1e-9)
