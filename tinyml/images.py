"""Regenerate the pictures in images/ from tinyml's own drawing code.

Run as ``python -m tinyml.images DIR`` (``make images``).
"""

from __future__ import annotations

import sys
from collections.abc import Callable
from pathlib import Path


def _finite_difference_error(path: Path) -> None:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    from tinyml.plots import plot_step_size_errors

    fig, ax = plt.subplots(figsize=(7, 4.2))
    plot_step_size_errors(ax)
    fig.tight_layout()
    fig.savefig(path, dpi=110)
    plt.close(fig)


def _optimizer_paths(path: Path) -> None:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    from tinyml.landscapes import QUADRATIC, descend, plot_paths
    from tinyml.optim import GD, Adam, Momentum, RMSProp

    race = [
        descend(QUADRATIC, GD, lr=0.075),
        descend(QUADRATIC, Momentum, lr=0.03, momentum=0.7),
        descend(QUADRATIC, RMSProp, lr=0.1),
        descend(QUADRATIC, Adam, lr=0.15),
    ]  # chapter 6's race on the narrow bowl
    fig = plot_paths(QUADRATIC, race, title="Four optimizers on a narrow bowl, 50 steps each")
    fig.savefig(path, dpi=90)
    plt.close(fig)


def _structural_expression(path: Path) -> None:
    from tinyml.viz import example

    example("structural_expression").save(path)


def _fib(path: Path) -> None:
    from tinyml.viz import example

    example("fib").save(path)


def _decision_boundary(path: Path) -> None:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    from tinyml.data import moons, train_test_split
    from tinyml.nn import MLP
    from tinyml.optim import Adam
    from tinyml.train import fit, plot_decision_boundary

    # chapter 7's run: MLP(2, [16, 1]) on 150 moons, Adam, 30 epochs of minibatches of 16
    X, y = moons(n_samples=200, noise=0.1, seed=0)
    X_train, _, y_train, _ = train_test_split(X, y, test_size=0.25, seed=0)
    model = MLP(2, [16, 1], seed=0)
    params = model.parameters()
    snapshots = [[p.value() for p in params]]

    def save(*_: object) -> None:
        snapshots.append([p.value() for p in params])

    fit(model, X_train, y_train, Adam(params, lr=0.1), epochs=30, batch_size=16,
        progress=False, on_epoch=save)  # fmt: skip
    fig, axes = plt.subplots(1, 4, figsize=(14, 3.4))
    for ax, epoch in zip(axes, [0, 2, 8, 30], strict=True):
        for p, v in zip(params, snapshots[epoch], strict=True):
            p.set_value(v)
        plot_decision_boundary(model, X_train, y_train, ax=ax, title=f"after epoch {epoch}")
    fig.suptitle("A network learns two moons: its decision boundary during training")
    fig.tight_layout()
    fig.savefig(path, dpi=80)
    plt.close(fig)


def _digits(path: Path) -> None:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    from tinyml.optim import Adam
    from tinyml.speed import digits_batches
    from tinyml.tensor import MLP, cross_entropy
    from tinyml.tensor_plots import plot_digits

    # chapter 8's network: MLP(64, [128, 10]) with ReLU, Adam, 20 epochs of batches of 32
    batches, (X_test, y_test) = digits_batches()
    model = MLP(64, [128, 10], activation="relu", seed=0)
    optimizer = Adam(model.parameters(), lr=0.003)
    for _ in range(20):
        for x, y in batches:
            optimizer.zero_grad()
            cross_entropy(model(x), y).backward()
            optimizer.step()
    predicted = model(X_test).data.argmax(axis=1)
    accuracy = (predicted == y_test).mean()
    fig = plot_digits(X_test[:20] * 16, y_test[:20], predicted[:20])
    fig.suptitle(f"Handwritten digits, true → predicted ({accuracy:.1%} of the test set right)")
    fig.tight_layout()
    fig.savefig(path, dpi=80)
    plt.close(fig)


# file name -> function that writes it. Each chapter that contributes a picture adds a line.
IMAGES: dict[str, Callable[[Path], None]] = {
    "finite_difference_error.png": _finite_difference_error,
    "structural_expression.png": _structural_expression,
    "fib.png": _fib,
    "optimizer_paths.png": _optimizer_paths,
    "decision_boundary.png": _decision_boundary,
    "digits.png": _digits,
}


def main(argv: list[str]) -> int:
    out = Path(argv[0] if argv else "images")
    out.mkdir(parents=True, exist_ok=True)
    for name, make in IMAGES.items():
        make(out / name)
        print(f"wrote {out / name}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
