"""The batch survives its documents and keeps its outputs: isolation, time budget, staged outputs, lock, ids.

Bad documents are made in tmp_path: real hostile inputs (deep HTML, huge digit runs, broken files) and
stages patched to raise, hang in a C-level regex or kill their worker, so the failure is known by construction
whatever the readers and parsers learn to handle.
"""

from __future__ import annotations

import json
import os
import re
import signal
import subprocess
import sys
import time
from pathlib import Path

import psutil
import pytest
from typer.testing import CliRunner

import govreport
from govreport.cli import app
from govreport.config import CORPUS_DIR
from govreport.extract import reports as extract_module
from govreport.extract.isolation import TimeBudget
from govreport.extract.reports import OUTPUT_FILES, extract_paths, write_outputs
from govreport.extract.staging import COMPLETE_MARK, OutputError, staged_output
from govreport.ingest.inputs import iter_report_inputs
from govreport.notices import GovreportWarning

GOOD = "{organ}{year}年政府信息公开工作年度报告\n\n{year}年，全市主动公开政府信息{active}条，受理政府信息公开申请{requests}件。\n"
SRC = str(Path(govreport.__file__).resolve().parents[1])
runner = CliRunner()


def good_report(folder: Path, name: str, active: int, requests: int, year: int = 2015) -> Path:
    path = folder / name
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(GOOD.format(organ="宁远市人民政府", year=year, active=active, requests=requests), encoding="utf-8")
    return path


def records(out: Path) -> dict[tuple[str, str], float]:
    rows = [json.loads(line) for line in (out / "records.jsonl").read_text(encoding="utf-8").splitlines()]
    return {(r["doc"], r["indicator"]): r["value"] for r in rows}


def documents(out: Path) -> dict[str, dict]:
    rows = [json.loads(line) for line in (out / "documents.jsonl").read_text(encoding="utf-8").splitlines()]
    return {d["doc"]: d for d in rows}


def snapshot(out: Path) -> dict[str, bytes]:
    return {p.name: p.read_bytes() for p in sorted(out.iterdir()) if p.is_file() and not p.name.startswith(".")}


def run_cli(*args: str):
    result = runner.invoke(app, [str(a) for a in args])
    assert "Traceback" not in result.output, result.output
    assert result.exception is None or isinstance(result.exception, SystemExit), result.exception
    return result


@pytest.fixture
def patched_stages(monkeypatch):
    """Documents whose text says BOOM raise, HANG spin in a C-level regex, DIE kill their worker.

    Workers are forked, so they inherit the patch; files under 16 bytes (HANG) get a 5 s budget, the others a
    wide one.
    """
    original = extract_module.Extractor.extract

    def extract(self, doc):
        if "BOOM" in doc.text:
            raise RuntimeError("stage exploded on purpose")
        if "HANG" in doc.text:
            re.match(r"(a+)+$", "a" * 64 + "b")  # catastrophic backtracking: no signal interrupts it
        if "DIE" in doc.text:
            os.kill(os.getpid(), signal.SIGKILL)
        return original(self, doc)

    monkeypatch.setattr(extract_module.Extractor, "extract", extract)
    monkeypatch.setattr(TimeBudget, "seconds", lambda self, n_bytes: 5.0 if n_bytes < 16 else 300.0)


def mutants(folder: Path) -> list[str]:
    """Hostile files, whatever their fate; returns their expected ids."""
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "nested.html").write_text("<html><body>" + "<div>" * 5000 + "<p>受理申请12件</p>" + "</div>" * 5000
                                        + "</body></html>", encoding="utf-8")
    (folder / "digits.txt").write_text("受理政府信息公开申请" + "9" * 400 + "件。\n", encoding="utf-8")
    (folder / "fullwidth.txt").write_text("受理政府信息公开申请" + "９" * 400 + "件。\n", encoding="utf-8")
    (folder / "shishi.txt").write_text("全年受理申请十十件。\n", encoding="utf-8")
    (folder / "long_line.txt").write_text("1" * 20000 + "\n", encoding="utf-8")
    (folder / "empty.txt").write_text("", encoding="utf-8")
    (folder / "broken.pdf").write_bytes(b"%PDF-1.4 not really")
    (folder / "broken.docx").write_bytes(b"PK not really")
    return ["nested", "digits", "fullwidth", "shishi", "long_line", "empty", "broken", "broken.pdf"]


def test_a_batch_of_mutants_keeps_every_good_document_and_names_every_bad_one(tmp_path, patched_stages):
    inputs = tmp_path / "in"
    good_report(inputs, "good_a.txt", 1200, 35)
    good_report(inputs, "good_b.txt", 800, 21, year=2016)
    (inputs / "boom.txt").write_text("BOOM " + GOOD.format(organ="某", year=2015, active=1, requests=2), encoding="utf-8")
    (inputs / "hang.txt").write_text("HANG", encoding="utf-8")
    (inputs / "die.txt").write_text("DIE " + GOOD.format(organ="某", year=2015, active=1, requests=2), encoding="utf-8")
    hostile = mutants(inputs / "hostile")
    out = tmp_path / "out"

    result = run_cli("extract", inputs, "--out", out, "--no-model")

    docs = documents(out)
    assert set(docs) == {"good_a", "good_b", "boom", "hang", "die"} | {f"hostile/{d}" for d in hostile}
    assert records(out)[("good_a", "active.total")] == 1200 and records(out)[("good_b", "requests.received")] == 21
    assert docs["boom"]["error"] == "RuntimeError: stage exploded on purpose"
    assert docs["hang"]["error"].startswith("TimeoutError")
    assert docs["die"]["error"].startswith("WorkerDied") and "SIGKILL" in docs["die"]["error"]
    failed = [d for d, row in docs.items() if row["error"]]
    assert {"boom", "hang", "die", "hostile/empty", "hostile/broken", "hostile/broken.pdf"} <= set(failed)
    for doc in failed:  # named on stderr with the reason, in the order they came
        assert f"error: {doc} (" in result.stderr
    assert result.exit_code == 1
    assert (out / "cross_year.jsonl").exists()
    # everything that was read counts its figures; ids follow the input order
    assert all(row["error"] or "n_figures" in row for row in docs.values())


def test_the_default_single_worker_is_guarded_like_several(tmp_path, patched_stages):
    inputs = tmp_path / "in"
    good_report(inputs, "a.txt", 10, 3)
    (inputs / "b_hang.txt").write_text("HANG", encoding="utf-8")
    good_report(inputs, "c.txt", 30, 5)
    for workers in (1, 2):
        results = list(extract_paths([inputs], workers=workers, use_model=False))
        assert [r.document["doc"] for r in results] == ["a", "b_hang", "c"]
        assert [r.error is None for r in results] == [True, False, True]
        assert results[1].error.startswith("TimeoutError")


def test_every_exit_code(tmp_path):
    good = good_report(tmp_path / "good", "good.txt", 5, 1)
    (tmp_path / "bad").mkdir()
    (tmp_path / "bad" / "empty.txt").write_text("", encoding="utf-8")
    assert run_cli("extract", good, "--out", tmp_path / "o1", "--no-model").exit_code == 0
    assert run_cli("extract", good, tmp_path / "bad", "--out", tmp_path / "o2", "--no-model").exit_code == 1
    assert run_cli("extract", tmp_path / "no_such_dir", "--out", tmp_path / "o3").exit_code == 2
    (tmp_path / "nothing").mkdir()
    assert run_cli("extract", tmp_path / "nothing", "--out", tmp_path / "o4").exit_code == 2
    assert not (tmp_path / "o3").exists() and not (tmp_path / "o4").exists()


def test_earlier_outputs_survive_a_wrong_path_a_failed_run_and_a_linked_output(tmp_path):
    out = tmp_path / "out"
    run_cli("extract", good_report(tmp_path / "in", "good.txt", 7, 2), "--out", out, "--no-model")
    before = snapshot(out)
    assert set(before) == {"documents.jsonl", "mentions.jsonl", "records.jsonl", "records.csv", "cross_year.jsonl"}

    assert run_cli("extract", tmp_path / "no_such_dir", "--out", out).exit_code == 2
    (tmp_path / "bad").mkdir()
    (tmp_path / "bad" / "empty.txt").write_text("", encoding="utf-8")
    failed = run_cli("extract", tmp_path / "bad", "--out", out, "--no-model")
    assert failed.exit_code == 1 and "left as they were" in failed.stderr  # nothing read: nothing published
    assert snapshot(out) == before

    target = tmp_path / "precious.csv"
    target.write_text("keep me", encoding="utf-8")
    (out / "records.csv").unlink()
    (out / "records.csv").symlink_to(target)
    linked = run_cli("extract", tmp_path / "in", "--out", out, "--no-model")
    assert linked.exit_code == 2 and "symbolic link" in linked.output
    assert target.read_text(encoding="utf-8") == "keep me"
    assert [p.name for p in out.iterdir() if p.name.startswith(".govreport-run-")] == []


def test_tasks_are_opt_in_and_a_run_without_them_leaves_no_stale_tasks(tmp_path):
    good = good_report(tmp_path / "in", "good.txt", 7, 2)
    out = tmp_path / "out"
    run_cli("extract", good, "--out", out, "--no-model", "--tasks")
    tasks = [json.loads(line) for line in (out / "tasks.jsonl").read_text(encoding="utf-8").splitlines()]
    assert tasks and all({"text", "tokens", "spans", "relations", "meta"} <= set(t) for t in tasks)
    run_cli("extract", good, "--out", out, "--no-model")
    assert not (out / "tasks.jsonl").exists()  # it would describe another run's outputs
    assert set(snapshot(out)) == set(OUTPUT_FILES) - {"tasks.jsonl", "mentions.parquet", "records.parquet"}


DRIVER = """
import sys, time
from govreport.extract import reports as extract
original = extract.Extractor.extract
def extract_slowly(self, doc):
    if "SLOW" in doc.text:
        time.sleep(600)
    return original(self, doc)
extract.Extractor.extract = extract_slowly
from govreport.cli import app
sys.argv[0] = "govreport"
app()
"""


def _start_slow_run(inputs: Path, out: Path) -> subprocess.Popen:
    env = dict(os.environ, PYTHONPATH=os.pathsep.join(filter(None, [SRC, os.environ.get("PYTHONPATH")])))
    return subprocess.Popen([sys.executable, "-c", DRIVER, "extract", str(inputs), "--out", str(out), "--no-model"],
                            env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)


def _wait_for(condition, seconds: float = 120) -> None:
    deadline = time.monotonic() + seconds
    while not condition():
        assert time.monotonic() < deadline, "gave up waiting"
        time.sleep(0.2)


def test_a_concurrent_run_is_refused_and_a_killed_run_leaves_the_earlier_outputs(tmp_path):
    inputs = tmp_path / "in"
    good_report(inputs, "a.txt", 11, 3)
    out = tmp_path / "out"
    run_cli("extract", inputs, "--out", out, "--no-model")
    before = snapshot(out)

    good_report(inputs, "b.txt", 12, 4)
    (inputs / "c_slow.txt").write_text("SLOW " + GOOD.format(organ="某", year=2015, active=1, requests=2),
                                       encoding="utf-8")
    slow = _start_slow_run(inputs, out)
    try:
        # the run holds the lock from before its staging folder exists until it ends
        _wait_for(lambda: any(p.name.startswith(".govreport-run-") for p in out.iterdir()) or slow.poll() is not None)
        assert slow.poll() is None, slow.stderr.read().decode()
        second = run_cli("extract", inputs, "--out", out, "--no-model")
        assert second.exit_code == 2 and "another govreport run" in second.output
        _wait_for(lambda: len(psutil.Process(slow.pid).children(recursive=True)) > 0)
        workers = psutil.Process(slow.pid).children(recursive=True)
        time.sleep(1)
    finally:
        slow.send_signal(signal.SIGKILL)
        slow.wait()
    assert snapshot(out) == before
    _, alive = psutil.wait_procs(workers, timeout=30)  # the kernel ends workers whose batch died
    assert not alive

    (inputs / "c_slow.txt").unlink()
    assert run_cli("extract", inputs, "--out", out, "--no-model").exit_code == 0  # the stale lock is no obstacle
    assert set(documents(out)) == {"a", "b"}
    assert {doc for doc, _ in records(out)} == {"a", "b"}
    assert [p.name for p in out.iterdir() if p.name.startswith(".govreport-run-")] == []


def test_a_publish_interrupted_between_renames_is_completed_by_the_next_run(tmp_path):
    out = tmp_path / "out"
    out.mkdir()
    for name in ("records.csv", "records.jsonl", "tasks.jsonl"):
        (out / name).write_text("old", encoding="utf-8")
    staging = out / ".govreport-run-killed"
    staging.mkdir()
    (staging / "records.jsonl").write_text("new", encoding="utf-8")  # records.csv already renamed, then kill -9
    (out / "records.csv").write_text("new", encoding="utf-8")
    (staging / COMPLETE_MARK).write_text(json.dumps({"written": ["records.csv", "records.jsonl"],
                                                      "removed": ["tasks.jsonl"]}), encoding="utf-8")
    (out / ".govreport-run-unfinished").mkdir()  # killed before it was complete: discarded
    (out / ".govreport-run-unfinished" / "records.csv").write_text("partial", encoding="utf-8")

    with staged_output(out, ("records.csv", "records.jsonl", "tasks.jsonl")):
        assert (out / "records.csv").read_text() == (out / "records.jsonl").read_text() == "new"
        assert not (out / "tasks.jsonl").exists()
        assert not staging.exists() and not (out / ".govreport-run-unfinished").exists()


def test_output_folder_refusals(tmp_path):
    (tmp_path / "file").write_text("x", encoding="utf-8")
    for out, says in ((tmp_path / "file", "is a file"), (tmp_path / "file" / "sub", "is under")):
        with pytest.raises(OutputError, match=says), staged_output(out, OUTPUT_FILES):
            pass
    assert (tmp_path / "file").read_text(encoding="utf-8") == "x"


def test_doc_ids_are_relative_paths_unique_in_a_batch(tmp_path):
    root = tmp_path / "in"
    good_report(root, "a/report.txt", 1, 1)
    good_report(root, "b/report.txt", 2, 2)
    (root / "broken.docx").write_bytes(b"PK")
    (root / "broken.pdf").write_bytes(b"%PDF")
    good_report(tmp_path / "other", "a/report.txt", 3, 3)
    with pytest.warns(GovreportWarning, match="'broken' is taken"):
        reports = list(iter_report_inputs([root, tmp_path / "other"]))
    assert [r.doc for r in reports] == ["a/report", "b/report", "broken", "broken.pdf", "a/report.txt"]
    assert reports[3].warnings and not reports[0].warnings
    # the bundled corpus keeps the stems its annotations and expected files use
    assert [r.doc for r in iter_report_inputs([CORPUS_DIR])] == sorted(p.stem for p in CORPUS_DIR.glob("*.txt"))
    assert [r.doc for r in iter_report_inputs([CORPUS_DIR / "001_9aef50f578a0bdd8.txt"])] == ["001_9aef50f578a0bdd8"]


def test_same_named_files_stay_two_documents_with_their_own_records(tmp_path):
    root = tmp_path / "in"
    good_report(root, "a/report.txt", 100, 10)
    good_report(root, "b/report.txt", 200, 20)
    out = tmp_path / "out"
    write_outputs(extract_paths([root], use_model=False), out)
    assert records(out)[("a/report", "active.total")] == 100 and records(out)[("b/report", "active.total")] == 200


def test_links_out_of_an_input_folder_are_skipped_with_a_warning(tmp_path):
    secret = tmp_path / "secret.txt"
    secret.write_text(GOOD.format(organ="机密市", year=2015, active=999, requests=99), encoding="utf-8")
    root = tmp_path / "in"
    good_report(root, "good.txt", 1, 1)
    (root / "leak.txt").symlink_to(secret)
    (root / "inside.txt").symlink_to(root / "good.txt")  # a link that stays inside is read
    (root / "linked_dir").symlink_to(tmp_path, target_is_directory=True)
    out = tmp_path / "out"
    result = run_cli("extract", root, "--out", out, "--no-model", "--tasks")
    assert result.exit_code == 0
    assert "leak.txt: a symbolic link out of" in result.stderr and "linked_dir: a symbolic link to a folder" in result.stderr
    assert set(documents(out)) == {"good", "inside"}
    assert not any("机密" in (out / name).read_text(encoding="utf-8") for name in snapshot(out))


def test_dropped_figures_are_counted_in_documents_and_summary(tmp_path):
    report = tmp_path / "dropped.txt"
    # 各乡镇 restricts a figure to part of the body: it stays a mention, never the body's record
    report.write_text("宁远市人民政府2015年政府信息公开工作年度报告\n\n2015年，全市受理政府信息公开申请35件，"
                      "其中各乡镇受理政府信息公开申请12件。\n", encoding="utf-8")
    out = tmp_path / "out"
    result = run_cli("extract", report, "--out", out, "--no-model")
    doc = documents(out)["dropped"]
    assert doc["dropped"].get("partial_scope", 0) >= 1
    assert records(out)[("dropped", "requests.received")] == 35
    assert "partial_scope" in result.stderr
