"""Shared fixtures: where the bundled and the shared corpus live; hypothesis profiles."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from govreport.config import CORPUS_DIR, SHARED_CORPUS_DIR

try:  # hypothesis is a dev dependency: the fuzz tests need it, the rest of the suite does not
    from hypothesis import HealthCheck, settings
except ImportError:  # pragma: no cover
    settings = None
if settings is not None:
    # `ci` (default): a bounded budget inside `make test`; `fuzz`: the long run of `make fuzz`
    # (HYPOTHESIS_PROFILE=fuzz). No deadline: the machine is shared and timings vary.
    settings.register_profile("ci", max_examples=60, deadline=None,
                              suppress_health_check=[HealthCheck.too_slow])
    settings.register_profile("fuzz", max_examples=5000, deadline=None,
                              suppress_health_check=[HealthCheck.too_slow])
    settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "ci"))


@pytest.fixture(scope="session")
def corpus_dir() -> Path:
    """The bundled corpus (the five seeds)."""
    return CORPUS_DIR


@pytest.fixture(scope="session")
def shared_corpus_dir() -> Path:
    """../shared/corpus: real reports read at run time, never copied into the repository."""
    return SHARED_CORPUS_DIR
