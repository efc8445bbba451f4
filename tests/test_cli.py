"""Every command of the CLI answers bad arguments, missing inputs and unusable outputs with a message, never a
traceback: usage errors exit 2 before any work, errors met while working exit 1 naming the file."""

from __future__ import annotations

import os
import sys
from pathlib import Path

import pytest
from typer.testing import CliRunner

from govreport.cli import app
from govreport.config import CORPUS_DIR

runner = CliRunner()
SEED = sorted(CORPUS_DIR.glob("*.txt"))[1]

# command → (arguments with {input} for an input path and {out} for the output, is the output a folder)
COMMANDS = {
    "ingest": (["ingest", "{input}", "--out", "{out}"], True),
    "extract": (["extract", "{input}", "--out", "{out}", "--no-model"], True),
    "evaluate": (["evaluate", "--out", "{out}"], True),
    "bench": (["bench", "--out", "{out}"], True),
    "train": (["train", "--out", "{out}"], True),
    "train-linker": (["train-linker", "--out", "{out}"], True),
    "train-indicator": (["train-indicator", "--out", "{out}"], True),
    "tables": (["tables", "{input}", "--out", "{out}"], False),
    "compare-baselines": (["compare-baselines", "{input}", "--out", "{out}"], False),
    "annotate ids-worklist": (["annotate", "ids-worklist", "{input}", "--out", "{out}"], False),
    "annotate ids-apply": (["annotate", "ids-apply", "{input}", "{input}"], None),
    "annotate export": (["annotate", "export", "{input}", "--out", "{out}"], True),
    "annotate validate": (["annotate", "validate", "{input}"], None),
    "annotate stats": (["annotate", "stats", "{input}"], None),
    "annotate agreement": (["annotate", "agreement", "{input}", "{input}", "--json", "{out}"], False),
    "annotate corrections": (["annotate", "corrections", "{input}", "{input}", "--json", "{out}"], False),
    "annotate convert": (["annotate", "convert", "{input}", "--out", "{out}"], True),
    "annotate markup": (["annotate", "markup", "{input}", "--out", "{out}"], False),
    "annotate apply": (["annotate", "apply", "{input}", "--tasks", "{input}", "--out", "{out}"], False),
}
WITH_INPUT = [name for name, (args, _) in COMMANDS.items() if "{input}" in args]
WITH_OUTPUT = [name for name, (args, _) in COMMANDS.items() if "{out}" in args]


def invoke(args: list[str]):
    result = runner.invoke(app, args)
    assert "Traceback" not in result.output, result.output
    assert result.exception is None or isinstance(result.exception, SystemExit), repr(result.exception)
    return result


def command_args(name: str, input_path: Path, out: Path) -> list[str]:
    args, _ = COMMANDS[name]
    return [a.format(input=input_path, out=out) for a in args]


@pytest.mark.parametrize("name", COMMANDS)
def test_an_unknown_option_is_a_usage_error(name):
    args = name.split() + ["--no-such-option"]
    result = invoke(args)
    assert result.exit_code == 2 and "no-such-option" in result.output


@pytest.mark.parametrize("name", WITH_INPUT)
def test_a_missing_input_is_a_usage_error_naming_it(name, tmp_path):
    missing = tmp_path / "missing.pdf"
    result = invoke(command_args(name, missing, tmp_path / "out.jsonl"))
    assert result.exit_code == 2 and "missing.pdf" in result.output and "doesnotexist" in flat(result.output)


@pytest.mark.parametrize("name", WITH_OUTPUT)
def test_an_output_that_is_a_file_or_under_a_file_is_a_usage_error(name, tmp_path):
    blocker = tmp_path / "blocker"
    blocker.write_text("keep", encoding="utf-8")
    folder_out = COMMANDS[name][1]
    out = blocker if folder_out else blocker / "out.jsonl"
    result = invoke(command_args(name, SEED, out))
    assert result.exit_code == 2 and "blocker" in result.output and "file" in result.output, result.output
    assert blocker.read_text(encoding="utf-8") == "keep"


@pytest.fixture
def unwritable(tmp_path):
    """A folder nobody may write into: a read-only folder, or under /proc for root (who ignores permissions)."""
    if os.geteuid() != 0:
        folder = tmp_path / "read_only"
        folder.mkdir()
        folder.chmod(0o500)
        yield folder
        folder.chmod(0o700)
    elif sys.platform.startswith("linux"):
        yield Path("/proc/govreport-cannot-write-here")
    else:
        pytest.skip("no unwritable folder for root on this platform")


@pytest.mark.parametrize("name", WITH_OUTPUT)
def test_an_unwritable_output_is_a_usage_error_naming_it(name, unwritable):
    out = unwritable / "out" if COMMANDS[name][1] else unwritable / "out.jsonl"
    result = invoke(command_args(name, SEED, out))
    assert result.exit_code == 2 and str(unwritable) in flat(result.output), result.output


def flat(output: str) -> str:
    """The output without the line breaks and frame of a wrapped error box."""
    return "".join(ch for ch in output if not ch.isspace() and ch not in "│╭╮╰╯─")


def test_an_error_while_working_is_one_line_naming_the_file(tmp_path):
    broken = tmp_path / "broken.pdf"
    broken.write_bytes(b"%PDF-1.4 not really")
    result = invoke(["tables", str(broken)])
    assert result.exit_code == 1
    assert "broken.pdf" in result.output and "IngestError" in result.output


def test_an_unexpected_error_is_a_message_and_exit_code_1(tmp_path, monkeypatch):
    from govreport.tables import expected

    def explode(*args, **kwargs):
        raise KeyError("a bug somewhere")

    monkeypatch.setattr(expected, "table_report", explode)
    result = invoke(["tables", str(SEED)])
    assert result.exit_code == 1 and "KeyError: 'a bug somewhere'" in result.output


def test_a_choice_outside_its_values_is_a_usage_error():
    assert invoke(["train", "--segmenter", "words"]).exit_code == 2
    assert invoke(["extract", str(SEED), "--workers", "0"]).exit_code == 2


def test_library_warnings_are_one_line_each_on_stderr(tmp_path):
    """The library warns (notices.GovreportWarning); the CLI prints each as one ``warning:`` line naming the
    file, with no Python warning header."""
    folder = tmp_path / "in"
    folder.mkdir()
    (folder / "empty.txt").write_text("", encoding="utf-8")
    (folder / "report.txt").write_text((CORPUS_DIR / "000_cb4fdcd10949854b.txt").read_text(encoding="utf-8"),
                                       encoding="utf-8")
    result = runner.invoke(app, ["ingest", str(folder), "--out", str(tmp_path / "out")])
    assert result.exit_code == 0, result.output
    lines = [line for line in result.output.splitlines() if "empty.txt" in line and "empty file" in line]
    assert lines == [f"warning: {folder / 'empty.txt'}: empty file"]
    assert "GovreportWarning" not in result.output and "warnings.warn" not in result.output


def test_extract_on_one_core_encodes_in_the_worker_and_writes_the_same_bytes(tmp_path, monkeypatch, corpus_dir):
    """With one core the worker encodes the rows (cli.extract._encode_in_workers), else the batch process does:
    the outputs are the same bytes."""
    from govreport.cli import extract as extract_cli

    inputs = [str(p) for p in sorted(corpus_dir.glob("*.txt"))[:3]]
    invoke(["extract", *inputs, "--out", str(tmp_path / "cores"), "--no-model"])
    monkeypatch.setattr(os, "sched_getaffinity", lambda pid: {0})
    assert extract_cli._encode_in_workers("local", 1, parquet=False)
    assert not extract_cli._encode_in_workers("local", 1, parquet=True)
    invoke(["extract", *inputs, "--out", str(tmp_path / "one_core"), "--no-model"])
    for name in ("documents.jsonl", "mentions.jsonl", "records.jsonl", "records.csv"):
        assert (tmp_path / "one_core" / name).read_bytes() == (tmp_path / "cores" / name).read_bytes(), name
