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


# file name -> function that writes it. Each chapter that contributes a picture adds a line.
IMAGES: dict[str, Callable[[Path], None]] = {
    "finite_difference_error.png": _finite_difference_error,
    "structural_expression.png": _structural_expression,
    "fib.png": _fib,
    "optimizer_paths.png": _optimizer_paths,
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
