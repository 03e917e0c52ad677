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
    print("\nTargets (CPU time):")
    for label, ok, figure in rows:
        print(f"  {label:<40}{'met' if ok else 'NOT met'} {figure}")
    return 0 if met else 1


if __name__ == "__main__":
    sys.exit(main())
