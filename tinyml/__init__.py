"""Tiny Machine Learner: a small PyTorch-like library, built one chapter at a time."""

from tinyml.source import show

__all__ = ["show"]
__version__ = "0.1.0"
