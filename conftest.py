"""Repository-wide pytest hooks: a time budget per notebook under nbval."""

from __future__ import annotations

import os
from collections import defaultdict

import pytest

# Each chapter must run top to bottom in well under a minute on a 2-core laptop (DESIGN.md).
NOTEBOOK_BUDGET_S = float(os.environ.get("TINYML_NOTEBOOK_BUDGET", "30"))
_notebook_seconds: dict[str, float] = defaultdict(float)
# Chapters that train networks (7 and 8) get a minute (DESIGN.md, quality bars: time).
LONG_CHAPTERS = ("07_", "08_")


def _budget(path: str) -> float:
    if os.path.basename(path).startswith(LONG_CHAPTERS):
        return max(NOTEBOOK_BUDGET_S, 60.0)
    return NOTEBOOK_BUDGET_S


def pytest_runtest_logreport(report: pytest.TestReport) -> None:
    path = report.nodeid.split("::")[0]
    if path.endswith(".ipynb"):
        _notebook_seconds[path] += report.duration  # setup starts the kernel: counted too


def pytest_terminal_summary(terminalreporter, exitstatus, config) -> None:
    if not _notebook_seconds:
        return
    terminalreporter.section(
        f"notebook run times (budget {NOTEBOOK_BUDGET_S:g} s each, chapters 7-8: "
        f"{_budget('07_'):g} s)"
    )
    for path, seconds in sorted(_notebook_seconds.items()):
        flag = "  OVER BUDGET" if seconds > _budget(path) else ""
        terminalreporter.write_line(f"{seconds:6.1f} s  {path}{flag}")


def pytest_sessionfinish(session: pytest.Session, exitstatus: int) -> None:
    over = [p for p, s in _notebook_seconds.items() if s > _budget(p)]
    if over and session.exitstatus == 0:
        session.exitstatus = 1  # the summary above names them
