"""Shared fixtures: paths and a helper to run the CLI in a subprocess."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
SEED = ROOT / "seeds" / "000_a59dc000b14f99a5.txt"


@pytest.fixture(scope="session", autouse=True)
def private_cache(tmp_path_factory):
    """Tests and the CLI runs they start keep the gazetteer cache in a folder of their own,
    never the user's ``~/.cache``."""
    folder = tmp_path_factory.mktemp("cache")
    before = os.environ.get("ANALYSIS_CACHE_DIR")
    os.environ["ANALYSIS_CACHE_DIR"] = str(folder)
    yield folder
    if before is None:
        os.environ.pop("ANALYSIS_CACHE_DIR", None)
    else:
        os.environ["ANALYSIS_CACHE_DIR"] = before


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
