"""Shared fixtures: where the bundled and the shared corpus live."""

from __future__ import annotations

from pathlib import Path

import pytest

from govreport.config import CORPUS_DIR, SHARED_CORPUS_DIR

SHARED_MISSING = (f"{SHARED_CORPUS_DIR} is absent: place ../shared beside the checkout or set "
                  "GOVREPORT_SHARED_CORPUS to run the tests on the shared reports")


def shared_files(*suffixes: str) -> list[Path]:
    """Files of ../shared/corpus with these suffixes (none when it is absent, so collection never fails)."""
    if not SHARED_CORPUS_DIR.is_dir():
        return []
    return sorted(p for p in SHARED_CORPUS_DIR.iterdir() if not suffixes or p.suffix in suffixes)


@pytest.fixture(scope="session")
def corpus_dir() -> Path:
    """The bundled corpus (the five seeds)."""
    return CORPUS_DIR


@pytest.fixture(scope="session")
def shared_corpus_dir() -> Path:
    """../shared/corpus: real reports read at run time, never copied into the repository."""
    if not SHARED_CORPUS_DIR.is_dir():
        pytest.skip(SHARED_MISSING)
    return SHARED_CORPUS_DIR


def _skip_when_shared_is_missing(outcome) -> None:
    """Without ../shared, an error that names one of its files becomes a skip with a message, not a failure."""
    if SHARED_CORPUS_DIR.is_dir() or outcome.excinfo is None:
        return
    err = outcome.excinfo[1]
    if str(SHARED_CORPUS_DIR) in f"{getattr(err, 'filename', '')} {err}":
        outcome.force_exception(pytest.skip.Exception(SHARED_MISSING, _use_item_location=True))


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_setup(item):
    _skip_when_shared_is_missing((yield))


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_call(item):
    _skip_when_shared_is_missing((yield))
