"""The package outside the checkout: a built wheel finds its configs, `--version` answers, spaCy validates our
configs through the registry entry points."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from govreport.config import CONFIG_DIR, CORPUS_DIR, PROJECT_ROOT

PYTHON = sys.executable


def _run(args: list[str], cwd: Path, env: dict[str, str] | None = None) -> subprocess.CompletedProcess:
    return subprocess.run(args, check=False, cwd=cwd, env=env, capture_output=True, text=True, timeout=300)


@pytest.fixture(scope="module")
def installed(tmp_path_factory) -> Path:
    """The project built as a wheel and installed (non-editable, no dependencies) into a folder of its own."""
    root = tmp_path_factory.mktemp("install")
    built = _run([PYTHON, "-m", "pip", "wheel", "--no-deps", "-q", "-w", str(root / "dist"),
                  str(PROJECT_ROOT)], cwd=root)
    assert built.returncode == 0, built.stderr
    (wheel,) = (root / "dist").glob("govreport-*.whl")
    done = _run([PYTHON, "-m", "pip", "install", "--no-deps", "-q", "--target", str(root / "site"), str(wheel)],
                cwd=root)
    assert done.returncode == 0, done.stderr
    return root / "site"


def test_installed_wheel_extracts_a_report_from_another_directory(installed, tmp_path):
    report = tmp_path / "in" / "report.txt"
    report.parent.mkdir()
    shutil.copy(next(CORPUS_DIR.glob("001_*.txt")), report)
    # the wheel comes first on the path, ahead of the editable checkout; no configs/ in the working directory
    env = {"PYTHONPATH": str(installed), "PATH": "/usr/bin:/bin", "HOME": str(tmp_path)}
    code = "import govreport, govreport.config as c; print(govreport.__file__); print(c.CONFIG_DIR)"
    where = _run([PYTHON, "-c", code], cwd=tmp_path, env=env)
    module, config_dir = where.stdout.split()
    assert module.startswith(str(installed)) and config_dir.startswith(str(installed))
    assert (Path(config_dir) / "indicators.yml").is_file()
    run = _run([PYTHON, "-m", "govreport.cli", "extract", "in", "--out", "out", "--no-model"], cwd=tmp_path, env=env)
    assert run.returncode == 0, run.stderr
    records = [json.loads(line) for line in (tmp_path / "out" / "records.jsonl").read_text("utf-8").splitlines()]
    assert any(r["source"] == "table" for r in records)


def test_version_answers():
    from typer.testing import CliRunner

    from govreport.cli import app

    result = CliRunner().invoke(app, ["--version"])
    assert result.exit_code == 0 and result.stdout.startswith("govreport ")


def test_config_dir_that_holds_no_configs_is_a_usage_error(tmp_path):
    from typer.testing import CliRunner

    from govreport.cli import app

    result = CliRunner().invoke(app, ["--config-dir", str(tmp_path), "tables", "x.txt"])
    assert result.exit_code == 2 and "indicators.yml" in result.output


@pytest.mark.parametrize("name", ["ner_pkuseg.cfg", "ner_char.cfg"])
def test_spacy_debug_config_validates_our_configs(name, tmp_path):
    # `govreport train` fills [paths]; spaCy's own convention is to give them on the command line
    run = _run([PYTHON, "-m", "spacy", "debug", "config", str(CONFIG_DIR / name), "--paths.train",
                "train.spacy", "--paths.dev", "dev.spacy"], cwd=tmp_path)
    assert run.returncode == 0, run.stdout + run.stderr
    assert "Config is valid" in run.stdout
