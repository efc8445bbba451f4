"""Shared fixtures: where the bundled and the shared corpus live."""

from __future__ import annotations

from pathlib import Path

import pytest

from govreport.config import CORPUS_DIR, SHARED_CORPUS_DIR


@pytest.fixture(scope="session")
def corpus_dir() -> Path:
    """The bundled corpus (the five seeds)."""
    return CORPUS_DIR


@pytest.fixture(scope="session")
def shared_corpus_dir() -> Path:
    """../shared/corpus: real reports read at run time, never copied into the repository."""
    return SHARED_CORPUS_DIR
