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

# the compiled patterns kept between runs (pattern_cache.py) go to a folder of this test session, not the user's
# cache: every session starts cold, and commands the tests run share what the first load stored
if "GOVREPORT_CACHE_DIR" not in os.environ:
    import tempfile

    os.environ["GOVREPORT_CACHE_DIR"] = tempfile.mkdtemp(prefix="govreport-test-cache-")

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


# reports the outputs tests extract once: an organ over two years with a passing cross-year check and a web
# twin (Pingtan zone 2019, 2020), an organ over two pre2019 years (Pingtan county), a report without a table
# (004), an uncertain table cell (Pingtan zone 2013), a text/table conflict (seed 001); most are test-split
OUTPUTS_REPORTS = ["fujian_pingtan_zone_2019.txt", "fujian_pingtan_zone_2020.txt", "fujian_pingtan_zone_2020_web.html",
                   "fujian_pingtan_county_2011.txt", "fujian_pingtan_county_2013.txt", "fujian_pingtan_zone_2013.txt"]


@pytest.fixture(scope="session")
def extract_out(tmp_path_factory, corpus_dir, shared_corpus_dir) -> Path:
    """An output folder of `extract` (rules only) over seeds and shared reports, plus one empty file."""
    from govreport.extract.reports import extract_paths, write_outputs

    missing = [name for name in OUTPUTS_REPORTS if not (shared_corpus_dir / name).is_file()]
    if missing:
        pytest.skip(f"../shared/corpus lacks {missing}")
    tmp = tmp_path_factory.mktemp("extract_out")
    empty = tmp / "empty.txt"
    empty.write_text("", encoding="utf-8")
    paths = [next(corpus_dir.glob("001_*.txt")), next(corpus_dir.glob("004_*.txt")), empty]
    paths += [shared_corpus_dir / name for name in OUTPUTS_REPORTS]
    out = tmp / "out"
    write_outputs(extract_paths(paths, use_model=False), out)
    return out
