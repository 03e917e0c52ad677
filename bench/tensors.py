"""Speed of tinyml.tensor against hand-written numpy and PyTorch (`make bench`; not a test).

One training epoch of MLP(64, [128, 10]) with ReLU on the 8 × 8 digits (1,437 training
images, 45 batches of 32), cross-entropy, Adam (lr = 0.001), float64, the same initial weights
and batches for each, in this one process, taking turns; medians over the repeats:

- tinyml.tensor, the training loop as a PyTorch user writes it;
- the same network with every gradient written out by hand in numpy (tinyml.speed.NumpyMLP):
  no graph at all, the floor for an engine built on numpy arrays;
- PyTorch on the CPU (when installed: `pip install -e ".[bench]"`).

Targets: tinyml.tensor within 1.3× of the hand-written numpy, and at least 3× faster than
PyTorch. All three must end the epoch with the same weights, or the timing means nothing.

Threads: numpy's BLAS and PyTorch each get one thread (set before they load). At these sizes
(32 × 64 times 64 × 128) threads do not help; on a busy machine they fight over the cores
and make every number erratic. The primary figures are CPU time of this process
(``time.process_time``), which a loaded machine disturbs far less than wall time; wall
times are printed beside them.
"""

from __future__ import annotations

import argparse
import os
import platform
import sys
import time
from pathlib import Path

for _var in ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ.setdefault(_var, "1")

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import numpy as np  # noqa: E402

from tinyml import speed  # noqa: E402

TARGET_VS_NUMPY = 1.3  # tinyml.tensor's time at most this multiple of hand-written numpy's
TARGET_VS_TORCH = 3.0  # PyTorch's time at least this multiple of tinyml.tensor's


def machine() -> str:
    cpu = platform.processor() or platform.machine()
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    parts = [f"{cpu}, {os.cpu_count()} cores", f"Python {platform.python_version()}"]
    parts.append(f"numpy {np.__version__}")
    if speed.torch_available():
        import torch

        torch.set_num_threads(1)
        parts.append(f"torch {torch.__version__}")
    try:
        parts.append(f"load average {os.getloadavg()[0]:.1f}")
    except OSError:
        pass
    return "; ".join(parts)


def same_weights(finals: dict[str, list[np.ndarray]]) -> bool:
    reference = finals["numpy"]
    return all(
        np.allclose(a, b, rtol=1e-9, atol=1e-12)
        for weights in finals.values()
        for a, b in zip(weights, reference, strict=True)
    )


PHASES = ("zero_grad", "forward", "backward", "step")


def phases(repeats: int) -> dict[str, dict[str, float]]:
    """Median CPU milliseconds per epoch spent in each phase of the training step, for
    tinyml.tensor and PyTorch (the hand-written numpy has no graph: its forward and backward
    are one function, and only its Adam is timed apart). Where the time goes says where an
    engine could still gain on PyTorch."""
    import statistics

    from tinyml.tensor import cross_entropy

    batches, _ = speed.digits_batches()
    weights = speed.initial_weights()
    clock = time.process_time

    def run(zero_grad, forward, backward, step, ready) -> dict[str, float]:
        spent = dict.fromkeys(PHASES, 0.0)
        for x, y in ready:
            t0 = clock()
            zero_grad()
            t1 = clock()
            loss = forward(x, y)
            t2 = clock()
            backward(loss)
            t3 = clock()
            step()
            t4 = clock()
            for phase, seconds in zip(PHASES, (t1 - t0, t2 - t1, t3 - t2, t4 - t3), strict=True):
                spent[phase] += seconds
        return spent

    def tensor_epoch() -> dict[str, float]:
        model, optimizer, ready = speed.tensor_rig(weights, batches)
        return run(
            optimizer.zero_grad,
            lambda x, y: cross_entropy(model(x), y),
            lambda loss: loss.backward(),
            optimizer.step,
            ready,
        )

    def numpy_epoch() -> dict[str, float]:
        net = speed.NumpyMLP(weights)
        adam, spent = net.adam, {"forward + backward": 0.0, "step": 0.0}

        def timed_adam(grads):
            start = clock()
            adam(grads)
            spent["step"] += clock() - start

        net.adam = timed_adam
        start = clock()
        for x, y in batches:
            net.step(x, y)
        spent["forward + backward"] = clock() - start - spent["step"]
        return spent

    epochs = {"tinyml.tensor": tensor_epoch, "hand-written numpy": numpy_epoch}
    if speed.torch_available():
        import torch

        def torch_epoch() -> dict[str, float]:
            model, optimizer, ready = speed.torch_rig(weights, batches)
            return run(
                optimizer.zero_grad,
                lambda x, y: torch.nn.functional.cross_entropy(model(x), y),
                lambda loss: loss.backward(),
                optimizer.step,
                ready,
            )

        epochs["PyTorch CPU"] = torch_epoch
    samples: dict[str, list[dict[str, float]]] = {name: [] for name in epochs}
    for _ in range(repeats):
        for name, epoch in epochs.items():
            samples[name].append(epoch())
    return {
        name: {phase: 1000 * statistics.median(s[phase] for s in runs) for phase in runs[0]}
        for name, runs in samples.items()
    }


def print_phases(repeats: int) -> None:
    print("\nWhere the time goes (median CPU ms per epoch, by phase of the training step):")
    for name, spent in phases(repeats).items():
        parts = ", ".join(f"{phase} {ms:.1f}" for phase, ms in spent.items())
        print(f"  {name:20}{parts}")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=21, help="epochs per implementation")
    args = parser.parse_args()
    print(machine())
    print("One epoch: MLP(64, [128, 10]), digits, batch 32, Adam, float64, one thread each\n")
    results = {}
    for name, clock in (("CPU time", time.process_time), ("wall time", time.perf_counter)):
        times, finals = speed.measure(args.repeats, clock=clock)
        if not same_weights(finals):
            print("the implementations ended with different weights: not comparable")
            return 1
        results[name] = speed.medians(times)
    print(f"  {'median ms per epoch':24}{'CPU time':>10}{'wall time':>11}")
    labels = {"tensor": "tinyml.tensor", "numpy": "hand-written numpy", "torch": "PyTorch CPU"}
    for rung, label in labels.items():
        if rung in results["CPU time"]:
            cpu, wall = results["CPU time"][rung], results["wall time"][rung]
            print(f"  {label:24}{1000 * cpu:10.1f}{1000 * wall:11.1f}")
    cpu = results["CPU time"]
    vs_numpy = cpu["tensor"] / cpu["numpy"]
    print(f"\n  tinyml.tensor / hand-written numpy: {vs_numpy:.2f}x")
    met = vs_numpy <= TARGET_VS_NUMPY
    rows = [(f"within {TARGET_VS_NUMPY}x of hand-written numpy:", met, f"({vs_numpy:.2f}x)")]
    if "torch" in cpu:
        vs_torch = cpu["torch"] / cpu["tensor"]
        print(f"  PyTorch CPU / tinyml.tensor:        {vs_torch:.2f}x")
        fast = vs_torch >= TARGET_VS_TORCH
        rows.append(
            (f">= {TARGET_VS_TORCH:g}x faster than PyTorch CPU:", fast, f"({vs_torch:.2f}x)")
        )
        met = met and fast
    else:
        print("  PyTorch is not installed: no comparison with it (pip install -e '.[bench]')")
    print_phases(args.repeats)
    print("\nTargets (CPU time):")
    for label, ok, figure in rows:
        print(f"  {label:<40}{'met' if ok else 'NOT met'} {figure}")
    return 0 if met else 1


if __name__ == "__main__":
    sys.exit(main())
