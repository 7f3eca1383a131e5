"""sentibot's tests: ``tests/bot``, ``tests/model`` and ``tests/storage`` mirror the packages;
every fake is in ``tests/fakes``."""

from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
"""The repository root."""
