"""Shared fixtures: where the bundled and the shared corpus live; hypothesis profiles."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from hypothesis import HealthCheck, settings

from govreport.config import CORPUS_DIR, SHARED_CORPUS_DIR

# Property tests: `ci` (the default, in `make test`) is a small fixed budget, the same examples on every run;
# `fuzz` (HYPOTHESIS_PROFILE=fuzz, `make fuzz`) searches much longer with fresh examples each run.
# No deadline: the 2-core machine is shared, and time is measured by `make bench`, not by tests.
settings.register_profile("ci", max_examples=25, deadline=None, derandomize=True, database=None,
                          suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
settings.register_profile("fuzz", max_examples=2000, deadline=None,
                          suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "ci"))


@pytest.fixture(scope="session")
def corpus_dir() -> Path:
    """The bundled corpus (the five seeds)."""
    return CORPUS_DIR


@pytest.fixture(scope="session")
def shared_corpus_dir() -> Path:
    """../shared/corpus: real reports read at run time, never copied into the repository."""
    return SHARED_CORPUS_DIR
