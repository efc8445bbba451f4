"""The dask engine: a LocalCluster of 2 workers gives the records of one process, and a worker killed mid-run
still gives every document exactly once. Parquet copies hold the rows of the JSONL outputs."""

from __future__ import annotations

import json
import os
import signal
import time

import pytest

from govreport.config import CORPUS_DIR
from govreport.extract.reports import extract_paths, write_outputs

pytest.importorskip("distributed", reason="dask engine: pip install 'govreport[scale]'")


def _lines(path):
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()]


@pytest.mark.parametrize("serialize", [True, False], ids=["written-parts", "rows-read-back"])
def test_two_dask_workers_give_the_records_of_one_process(tmp_path, serialize):
    """Both ways the client takes a partition give the outputs and totals of one process: its files appended as
    the worker wrote them (the CLI's), or its rows read back (parquet, API callers); a failed document too."""
    (tmp_path / "in").mkdir()
    (tmp_path / "in" / "empty.txt").write_bytes(b"")
    inputs = [CORPUS_DIR, tmp_path / "in" / "empty.txt"]
    kwargs = {"use_model": False, "with_tasks": True}
    local = write_outputs(extract_paths(inputs, **kwargs), tmp_path / "local", with_tasks=True)
    dask = write_outputs(extract_paths(inputs, workers=2, engine="dask", parts_dir=tmp_path / "dask" / ".parts",
                                       serialize=serialize, **kwargs), tmp_path / "dask", with_tasks=True)
    for name in ("documents.jsonl", "mentions.jsonl", "records.jsonl", "records.csv", "tasks.jsonl",
                 "cross_year.jsonl"):
        assert (tmp_path / "dask" / name).read_bytes() == (tmp_path / "local" / name).read_bytes(), name
    assert dask == local
    assert local["failed"] == 1 and local["records"] > 0
    assert not (tmp_path / "dask" / ".parts").exists()


@pytest.mark.parametrize("serialize", [False, True])
def test_cross_year_narrowing_spans_partitions(tmp_path, shared_corpus_dir, monkeypatch, serialize):
    """Reports of one organ in consecutive years, each in a partition of its own, narrow each other's open
    digit-run splits as in one process: every output is byte-identical to the single-process run, which differs
    from reading the earlier year alone (so the narrowing is at work); also with results as written lines, as the
    CLI runs (``serialize``: held reports travel as lines and are rebuilt only when narrowed)."""
    from govreport.config import load_config

    files = [shared_corpus_dir / f"fujian_pingtan_zone_{year}.txt" for year in (2018, 2019, 2020)]
    kwargs = {"use_model": False, "with_tasks": False}
    write_outputs(extract_paths(files, **kwargs), tmp_path / "local")
    write_outputs(extract_paths(files[1:2], **kwargs), tmp_path / "alone")
    monkeypatch.setitem(load_config("batch.yml")["dask"], "partition_bytes", 1)  # one file per partition
    write_outputs(extract_paths(files, workers=2, engine="dask", parts_dir=tmp_path / "dask" / ".parts",
                                serialize=serialize, **kwargs), tmp_path / "dask")
    for name in ("documents.jsonl", "mentions.jsonl", "records.jsonl", "records.csv", "cross_year.jsonl"):
        assert (tmp_path / "dask" / name).read_bytes() == (tmp_path / "local" / name).read_bytes(), name
    local_2019 = [r for r in _lines(tmp_path / "local" / "records.jsonl") if r["doc"].endswith("2019")]
    assert local_2019 != _lines(tmp_path / "alone" / "records.jsonl")


def test_a_worker_killed_mid_run_loses_no_document_and_repeats_none(tmp_path):
    from govreport.extract.dask_engine import DaskRun, WorkerSettings
    from govreport.extract.reports import AcrossYears
    from govreport.ingest.inputs import iter_report_inputs

    # 12 files of about 200k characters, one partition each, so that work is in flight when a worker dies
    text = "\n".join(p.read_text(encoding="utf-8") for p in sorted(CORPUS_DIR.glob("*.txt"))) * 4
    files = []
    for i in range(12):
        path = tmp_path / "in" / f"report{i:02d}.txt"
        path.parent.mkdir(exist_ok=True)
        path.write_text(text, encoding="utf-8")
        files.append(str(path))
    seen = []
    reports = list(iter_report_inputs(files))
    years = AcrossYears(with_tasks=False)
    # worker processes, as on a real cluster (a LocalCluster's workers are threads of this process by default)
    with DaskRun(tmp_path / "parts", WorkerSettings(None, False, False, serialize=True), workers=2,
                 max_files=1, processes=True) as run:
        results = (doc.path for part in run.results(reports, years) for doc in part.documents)
        seen.append(next(results))
        busy = []
        for _ in range(100):  # a worker that is running a partition now
            busy = sorted(addr for addr, keys in run.client.processing().items() if keys)
            if busy:
                break
            time.sleep(0.05)
        assert busy, "no partition in flight: the files are too small for this test"
        pids = run.client.run(os.getpid)
        os.kill(pids[busy[0]], signal.SIGKILL)
        seen += list(results)
    direct = list(seen)
    seen += [r.path for r in years.release()]  # those held for the cross-year narrowing come at the end
    assert sorted(seen) == sorted(files)  # every document, exactly once
    assert direct == [f for f in files if f in direct]  # and in input order


def test_parquet_copies_hold_the_jsonl_rows(tmp_path):
    pq = pytest.importorskip("pyarrow.parquet")
    write_outputs(extract_paths([CORPUS_DIR], use_model=False, with_tasks=False), tmp_path,
                  parquet=True)
    for kind in ("mentions", "records"):
        rows = _lines(tmp_path / f"{kind}.jsonl")
        table = pq.read_table(tmp_path / f"{kind}.parquet").to_pylist()
        assert len(table) == len(rows) > 0
        for got, want in zip(table, rows):
            if "evidence" in want:
                got["evidence"] = json.loads(got["evidence"])
            assert got.keys() == want.keys()
            for key, value in want.items():
                assert got[key] == value or (isinstance(value, int) and got[key] == float(value)), (kind, key)


def _files(tmp_path, sizes):
    from govreport.ingest.inputs import ReportFile

    files = []
    for i, size in enumerate(sizes):
        path = tmp_path / f"f{i}.txt"
        path.write_bytes(b"x" * size)
        files.append(ReportFile(path, path.stem))
    return files


def test_partitions_keep_input_order_and_bound_their_size(tmp_path):
    from govreport.extract.dask_engine import partitions

    files = _files(tmp_path, [10, 10, 30, 5, 5, 5, 50])
    parts = partitions(files, partition_bytes=25, max_files=2)
    assert [f for part in parts for f in part] == files
    assert all(len(p) <= 2 for p in parts)
    assert parts[0] == files[:2] and parts[1] == [files[2]]


def test_partitions_come_in_whole_rounds_of_one_size(tmp_path):
    """As many partitions as a multiple of the slots, of about one size, so that no slot idles while another
    ends the batch; at least the rounds asked for, and more when the configured size is smaller."""
    from govreport.extract.dask_engine import partitions

    files = _files(tmp_path, [10] * 70)  # 700 bytes
    for slots, partition_bytes, per_slot, n_parts in [(2, 100, 1, 8), (3, 100, 1, 9), (2, 1000, 2, 4),
                                                      (1, 100, 2, 7), (4, 1000, 1, 4)]:
        parts = partitions(files, partition_bytes, max_files=200, slots=slots, per_slot=per_slot)
        assert [f for part in parts for f in part] == files
        assert len(parts) == n_parts, (slots, partition_bytes, per_slot)
        sizes = [10 * len(part) for part in parts]
        assert max(sizes) <= partition_bytes and max(sizes) - min(sizes) <= 10  # one file apart at most
    # max_files also bounds the rounds: 70 files, at most 5 per partition, 2 slots → 7 rounds of 2
    assert len(partitions(files, 10_000, max_files=5, slots=2)) == 14


def _child_pid(item: int) -> tuple[int, int]:
    return item, os.getpid()


def _failed_item(item: int, error: str) -> tuple[int, int]:
    return item, -1


def test_a_kept_pool_serves_the_next_call_until_closed():
    """A dask worker thread keeps its child process from partition to partition (run_isolated ``keep``) while
    its run is open; a call that stops early stops the pool, and close_kept_pools ends it."""
    from govreport.extract.isolation import close_kept_pools, open_kept_pools, run_isolated

    key = ("test-run", 1)
    open_kept_pools(("test-run",))
    first = list(run_isolated([1, 2], _child_pid, _failed_item, keep=key))
    second = list(run_isolated([3], _child_pid, _failed_item, keep=key))
    assert [item for item, _ in first + second] == [1, 2, 3]
    (pid,) = {pid for _, pid in first + second}
    assert pid not in (-1, os.getpid())
    early = run_isolated([4, 5], _child_pid, _failed_item, keep=key)
    assert next(early) == (4, pid)
    early.close()  # the consumer stopped early: the pool is stopped and forgotten
    assert not psutil_alive(pid)
    third = list(run_isolated([6], _child_pid, _failed_item, keep=key))
    assert third[0][1] not in (pid, -1)
    close_kept_pools(("test-run",))
    assert not psutil_alive(third[0][1])
    closed = list(run_isolated([7], _child_pid, _failed_item, keep=key))  # the run is closed: nothing is kept
    assert closed[0][1] not in (third[0][1], -1)
    assert not psutil_alive(closed[0][1])


def test_a_call_abandoned_mid_way_stops_only_its_own_pool():
    """A partition that failed part-way leaves its generator alive in a traceback; the next call with the same key
    runs in a pool of its own, and closing the abandoned one later does not stop it (it hung before)."""
    from govreport.extract.isolation import close_kept_pools, open_kept_pools, run_isolated

    key = ("test-run-2", 1)
    open_kept_pools(("test-run-2",))
    (kept,) = list(run_isolated([1], _child_pid, _failed_item, keep=key))
    abandoned = run_isolated([2, 3], _child_pid, _failed_item, keep=key)
    assert next(abandoned) == (2, kept[1])  # it took the kept pool
    later = run_isolated([4, 5], _child_pid, _failed_item, keep=key)
    first_of_later = next(later)
    assert first_of_later[1] not in (kept[1], -1)  # not the pool the abandoned call holds
    abandoned.close()  # the traceback that held it is freed
    assert not psutil_alive(kept[1])
    assert next(later) == (5, first_of_later[1])  # the later call goes on in its own child
    assert list(later) == []
    close_kept_pools(("test-run-2",))
    assert not psutil_alive(first_of_later[1])


def psutil_alive(pid: int) -> bool:
    import psutil

    try:
        return psutil.Process(pid).status() != psutil.STATUS_ZOMBIE
    except psutil.NoSuchProcess:
        return False


@pytest.mark.parametrize("kernel", ["whole", "none", "partly"])
def test_appended_part_lands_between_the_writes_around_it(tmp_path, monkeypatch, kernel):
    """A part file's bytes land whole and in place whether the kernel copies all of them, none (another OS, or
    files it cannot copy between) or some before failing."""
    from govreport.extract import reports

    part_bytes = "".join(f'{{"line": {i}, "text": "第{i}行"}}\n' for i in range(5000)).encode("utf-8")
    (tmp_path / "part").write_bytes(part_bytes)
    real = getattr(os, "copy_file_range", None)
    if kernel == "whole" and real is None:
        pytest.skip("os.copy_file_range: Linux only")
    calls = []

    def fake(src, dst, count, offset_src=None, offset_dst=None):
        calls.append(count)
        if kernel == "partly" and len(calls) == 1 and real is not None:
            return real(src, dst, min(count, 1001), offset_src)
        raise OSError(18, "Invalid cross-device link")

    if kernel != "whole":
        monkeypatch.setattr(os, "copy_file_range", fake, raising=False)
    with open(tmp_path / "out", "wb") as out:
        out.write(b"head\n")  # still in the writer's buffer when the part is appended
        with open(tmp_path / "part", "rb") as part:
            reports._append_file(part, out)
        out.write(b"tail\n")
    assert (tmp_path / "out").read_bytes() == b"head\n" + part_bytes + b"tail\n"
