"""Shared fixtures: paths and a helper to run the CLI in a subprocess."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
SEED = ROOT / "seeds" / "000_a59dc000b14f99a5.txt"


@pytest.fixture
def seed_path() -> Path:
    return SEED


def run_cli(*args, input_bytes: bytes | None = None, env: dict | None = None, cwd=None, timeout: float = 600):
    """Run ``python -m analysis ARGS`` and return the completed process."""
    environment = {**os.environ, "PYTHONHASHSEED": "0", **(env or {})}
    environment.pop("ANALYSIS_DEBUG", None)
    return subprocess.run(
        [sys.executable, "-m", "analysis", *map(str, args)],
        input=input_bytes, capture_output=True, cwd=cwd or ROOT, env=environment, timeout=timeout,
    )


@pytest.fixture
def cli():
    return run_cli
