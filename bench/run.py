"""Speed of tinyml.alpha against micrograd 0.1.0 (`make bench`; a benchmark, not a test).

1. micrograd's own demo workload: MLP(2, [16, 16, 1]) on 100 two-moons points, SVM hinge
   loss + 1e-4 L2 penalty, one forward + backward. Both libraries run in this process on the
   same data and the same initial weights; medians over repeated steps, with the garbage
   collector on (as a user runs them) and, to show where micrograd's time goes, off.
2. A chain of 1,000,000 nodes: tinyml.alpha's backward() against micrograd's recursion limit.

micrograd is imported only here; the package and its tests never need it.
"""

from __future__ import annotations

import argparse
import gc
import math
import platform
import random
import statistics
import sys
import time
from collections.abc import Callable
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from tinyml import alpha  # noqa: E402

SEED = 1337


def make_moons(n: int = 100, noise: float = 0.1, seed: int = SEED):
    """Two interleaving half circles with Gaussian noise; labels -1 and +1."""
    rng = random.Random(seed)
    half = n // 2
    X, y = [], []
    for i in range(n):
        outer = i < half
        k, m = (i, half) if outer else (i - half, n - half)
        t = math.pi * k / (m - 1)
        if outer:
            px, py = math.cos(t), math.sin(t)
        else:
            px, py = 1 - math.cos(t), 0.5 - math.sin(t)
        X.append([px + rng.gauss(0, noise), py + rng.gauss(0, noise)])
        y.append(-1 if outer else 1)
    return X, y


def initial_weights(sizes: list[int], seed: int = SEED) -> list[list[list[float]]]:
    """Per layer, per neuron: nin weights uniform in [-1, 1] (micrograd's init) then bias 0."""
    rng = random.Random(seed)
    return [
        [[rng.uniform(-1, 1) for _ in range(nin)] + [0.0] for _ in range(nout)]
        for nin, nout in zip(sizes, sizes[1:], strict=False)
    ]


class MLP:
    """micrograd's MLP layout (ReLU hidden layers, linear output) over any scalar type."""

    def __init__(self, weights: list[list[list[float]]], make: Callable) -> None:
        self.layers = [[[make(w) for w in neuron] for neuron in layer] for layer in weights]

    def __call__(self, x: list) -> object:
        last = len(self.layers) - 1
        for i, layer in enumerate(self.layers):
            out = []
            for neuron in layer:
                *w, b = neuron
                act = sum((wi * xi for wi, xi in zip(w, x, strict=True)), b)
                out.append(act.relu() if i != last else act)
            x = out
        return x[0]

    def parameters(self) -> list:
        return [p for layer in self.layers for neuron in layer for p in neuron]


def loss(model: MLP, X: list, y: list, leaf: Callable) -> object:
    """micrograd demo's loss: mean SVM hinge loss plus 1e-4 times the sum of squared weights."""
    inputs = [[leaf(v) for v in row] for row in X]
    scores = [model(x) for x in inputs]
    losses = [(1 + -yi * si).relu() for yi, si in zip(y, scores, strict=True)]
    data_loss = sum(losses) * (1.0 / len(losses))
    reg_loss = 1e-4 * sum(p * p for p in model.parameters())
    return data_loss + reg_loss


def step(model: MLP, X, y, leaf, zero: Callable, backward=None) -> tuple[float, float, float]:
    """One forward + backward; returns (forward seconds, backward seconds, loss value)."""
    t0 = time.perf_counter()
    total = loss(model, X, y, leaf)
    t1 = time.perf_counter()
    zero(model)
    total.backward() if backward is None else backward(total)
    t2 = time.perf_counter()
    value = total.value() if isinstance(total, alpha.Node) else total.data
    return t1 - t0, t2 - t1, value


def tinyml_zero(model: MLP) -> None:
    for p in model.parameters():
        p.zero_grad()


def micrograd_zero(model: MLP) -> None:
    for p in model.parameters():
        p.grad = 0


def grads(model: MLP) -> list[float]:
    return [p.g if isinstance(p, alpha.Node) else p.grad for p in model.parameters()]


def compare_mlp(repeats: int, gc_on: bool) -> dict[str, list[tuple[float, float]]]:
    from micrograd.engine import Value

    X, y = make_moons()
    weights = initial_weights([2, 16, 16, 1])
    runs = {
        "micrograd": (MLP(weights, Value), Value, micrograd_zero),
        "tinyml": (MLP(weights, alpha.Var), alpha.Const, tinyml_zero),
        "tinyml simple": (MLP(weights, alpha.Var), alpha.Const, tinyml_zero),  # chapter 4
    }
    backward = {"tinyml simple": alpha.backward_simple}
    times: dict[str, list[tuple[float, float]]] = {name: [] for name in runs}
    losses: dict[str, float] = {}
    # Each library runs its repeats back to back, as in a training loop, so that the garbage
    # one leaves behind is collected on its own clock and never on the other's.
    for name, (model, leaf, zero) in runs.items():
        gc.collect()
        (gc.enable if gc_on else gc.disable)()
        try:
            for _ in range(repeats):
                if not gc_on:
                    gc.collect()  # outside the timed step: free the last step's cycles
                fwd, bwd, value = step(model, X, y, leaf, zero, backward.get(name))
                times[name].append((fwd, bwd))
                losses[name] = value
        finally:
            gc.enable()
    # Same model, same data: the two libraries must agree before their speed means anything.
    for name in ("tinyml", "tinyml simple"):
        assert math.isclose(losses["micrograd"], losses[name], rel_tol=1e-9), losses
        for a, b in zip(grads(runs["micrograd"][0]), grads(runs[name][0]), strict=True):
            assert math.isclose(a, b, rel_tol=1e-6, abs_tol=1e-12), (a, b)
    return times


def median_ms(samples: list[float]) -> float:
    return 1000 * statistics.median(samples)


def report_mlp(repeats: int) -> tuple[float, float]:
    """Print the comparison; return (speed-up over micrograd, tinyml backward / forward),
    both with the garbage collector on, as a user runs them."""
    print("MLP(2, [16, 16, 1]) on 100 moons, hinge loss + 1e-4 L2, one forward + backward")
    print(f"  medians of {repeats} steps each, milliseconds")
    print(f"  {'':22}{'forward':>9}{'backward':>10}{'total':>9}")
    result = (float("nan"), float("nan"))
    for gc_on in (True, False):
        times = compare_mlp(repeats, gc_on)
        totals, balance = {}, float("nan")
        for name, samples in times.items():
            fwd = median_ms([f for f, _ in samples])
            bwd = median_ms([b for _, b in samples])
            tot = median_ms([f + b for f, b in samples])
            totals[name] = tot
            label = f"{name} (gc {'on' if gc_on else 'off'})"
            print(f"  {label:22}{fwd:9.1f}{bwd:10.1f}{tot:9.1f}")
            if name == "tinyml":
                balance = bwd / fwd
        speedup = totals["micrograd"] / totals["tinyml"]
        state = "on" if gc_on else "off"
        simple = totals["micrograd"] / totals["tinyml simple"]
        gain = totals["tinyml simple"] / totals["tinyml"]
        print(f"  -> gc {state}: tinyml is {speedup:.1f}x faster than micrograd;")
        print(f"     with backward_simple: {simple:.1f}x (the single pass is {gain:.1f}x faster)")
        print(f"     tinyml's backward takes {balance:.2f}x its forward\n")
        if gc_on:
            result = (speedup, balance)
    return result


def chain(n: int, make: Callable) -> tuple[object, object]:
    """x, then n times y = y * 1.0 + 0.5: a chain of 2n operation nodes (and 2n constants)."""
    x = make(0.5)
    y = x
    for _ in range(n):
        y = y * 1.0 + 0.5
    return x, y


def report_chain(nodes: int) -> bool:
    from micrograd.engine import Value

    print(f"A chain of {nodes:,} operation nodes (y = y * 1.0 + 0.5, repeated), then backward()")
    t0 = time.perf_counter()
    x, y = chain(nodes // 2, alpha.Var)
    t1 = time.perf_counter()
    y.backward()
    t2 = time.perf_counter()
    ok = x.g == 1.0
    verdict = "correct" if ok else "WRONG"
    print(
        f"  tinyml: built in {t1 - t0:.1f} s, backward() in {t2 - t1:.1f} s,"
        f" dy/dx = {x.g} ({verdict})"
    )
    t0 = time.perf_counter()
    del x, y
    print(f"  tinyml: graph freed by reference counting in {time.perf_counter() - t0:.2f} s")
    for depth in (500, 1_000):
        _, y = chain(depth // 2, Value)
        try:
            y.backward()
            print(f"  micrograd: {depth:,} nodes fine")
        except RecursionError:
            print(f"  micrograd: RecursionError at a chain of {depth:,} nodes")
    return ok


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=9)
    parser.add_argument("--chain", type=int, default=1_000_000, help="operation nodes")
    args = parser.parse_args()
    print(f"Python {platform.python_version()} on {platform.machine()} ({platform.system()})\n")
    speedup, balance = report_mlp(args.repeats)
    ok = report_chain(args.chain)
    print("\nTargets (gc on, as a user runs it):")
    fast, balanced = speedup >= 5, balance <= 1
    rows = [
        (">= 5x faster than micrograd:", fast, f"({speedup:.1f}x)"),
        ("backward no slower than forward:", balanced, f"({balance:.2f}x)"),
        (f"the {args.chain:,}-node chain:", ok, ""),
    ]
    for label, met, figure in rows:
        print(f"  {label:<34}{'met' if met else 'NOT met'} {figure}")
    return 0 if (fast and balanced and ok) else 1


if __name__ == "__main__":
    sys.exit(main())
