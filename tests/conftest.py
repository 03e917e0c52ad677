"""Fixtures shared by the tests in this folder."""

from __future__ import annotations

import pytest


@pytest.fixture(autouse=True)
def _fresh_example_memos():
    """Chapter 3's example answers keep their memos in module-level dicts, as a learner's do.

    A dict filled while one test graded an example would change what the next test sees (a
    learner who re-runs a check sees the same: the checker can only judge what is stored now),
    so every test starts with the examples' memos empty, whatever order the tests run in.
    """
    from tinyml.exercises import ch03

    for memo in (ch03._memo, ch03._memo_unused, ch03._memo_unread, ch03._memo_loop):
        memo.clear()
    yield
