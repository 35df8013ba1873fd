"""Shared fixtures: the Agg backend, paths to bundled and public data."""

from __future__ import annotations

import os
from pathlib import Path

import matplotlib
import pytest
from hypothesis import settings

matplotlib.use("Agg")

# Property tests draw the same examples on every run and every machine: a failure in CI is reproducible
# here, and a passing main stays passing. Explore new examples locally with HYPOTHESIS_PROFILE=explore.
# The examples also depend on hypothesis's version, so setup.cfg pins it (a newer one drew a new case once).
settings.register_profile("repeatable", derandomize=True, database=None)
settings.register_profile("explore", derandomize=False)
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "repeatable"))

ROOT = Path(__file__).resolve().parents[1]
DATASETS = ROOT / "datasets"
SHARED_DATASETS = ROOT.parent / "shared" / "datasets"


@pytest.fixture
def shared_datasets() -> Path:
    """The public datasets beside the project (../shared/datasets); skip clearly when absent."""
    if not SHARED_DATASETS.is_dir():
        pytest.skip(f"public datasets not found at {SHARED_DATASETS}: put ../shared/datasets beside the project")
    return SHARED_DATASETS
