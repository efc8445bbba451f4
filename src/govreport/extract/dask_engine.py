"""extract on dask.distributed: the same per-document work, spread over processes or machines.

Report files are cut into partitions of about ``partition_bytes``. A worker loads the extractor once and runs a
partition through the same guard as a local batch (``extract.extract_reports``: each report in a child process
with its time budget, so a report that raises, hangs or crashes fails alone), writes its results to
``part-NNNNNN.jsonl`` in the parts folder (atomically: a temporary file renamed into place), then returns only the
partition's index. The client reads the parts back in input order and yields the results to the usual writer, so
the outputs are those of a single-process run. That includes the narrowing of reports of one organ in consecutive
years against each other (``tables.refine_across_years``) over the whole batch: a partition does not narrow, it
sends the reports it would hold (pickled analyses) and every other report's year cells beside its part file
(``part-NNNNNN.years.pickle``), and the client narrows and writes the held reports at the end of the batch, as
one process does. A worker that dies has its partition rerun elsewhere by the scheduler; a rerun rewrites the
same part files, and every part is read exactly once, so no document is lost or written twice. At most ``window`` partitions are in flight or unread at a time,
which keeps the client's memory flat in the batch size.
"""

from __future__ import annotations

import json
import logging
import os
import pickle
import uuid
from collections import deque
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ..jsonl import json_line
from .reports import DocumentResult

RESULT_FIELDS = ("path", "document", "mentions", "records", "tasks", "n_chars", "error", "lines")


@dataclass(frozen=True)
class WorkerSettings:
    """What a worker needs to build its extractor (hashable: one extractor per worker and settings)."""

    model: str | None
    use_model: bool
    with_tasks: bool
    # results carry their output lines, encoded on the worker (extract_reports(serialize=True)): the client then
    # writes them as they are instead of decoding and encoding every row again
    serialize: bool = False


def partitions(reports: list[Any], partition_bytes: int, max_files: int) -> list[list[Any]]:
    """Consecutive runs of report files (``inputs.ReportFile``) of about ``partition_bytes`` each (at most
    ``max_files``), in input order."""
    parts: list[list[Any]] = []
    current: list[Any] = []
    size = 0
    for report in reports:
        n = _size(report)
        if current and (size + n > partition_bytes or len(current) >= max_files):
            parts.append(current)
            current, size = [], 0
        current.append(report)
        size += n
    if current:
        parts.append(current)
    return parts


def balanced_partition_bytes(reports: list[Any], partition_bytes: int, workers: int, per_worker: int) -> int:
    """``partition_bytes``, or less when the batch is too small to give each of ``workers`` about ``per_worker``
    partitions (0: no fewer): three partitions on two workers leave one of them idle for the last third of the
    run."""
    if not per_worker:
        return partition_bytes
    total = sum(_size(report) for report in reports)
    return max(1, min(partition_bytes, -(-total // max(1, workers * per_worker))))


def _size(report: Any) -> int:
    try:
        return os.path.getsize(report.path)
    except OSError:
        return 0  # unreadable: the extractor reports it


def part_path(parts_dir: Path, index: int) -> Path:
    return Path(parts_dir) / f"part-{index:06d}.jsonl"


def run_partition(index: int, reports: list[Any], parts_dir: str, settings: WorkerSettings) -> int:
    """Extract one partition on a worker and write its results to its part file; return the index."""
    from .reports import extract_reports

    final = part_path(Path(parts_dir), index)
    tag = uuid.uuid4().hex  # a rerun never writes into a live file
    tmp, tmp_years = (p.with_name(f"{p.name}.{tag}.tmp") for p in (final, years_path(final)))
    results = extract_reports(reports, 1, settings.model, settings.use_model, settings.with_tasks, progress=False,
                              serialize=settings.serialize, across_years=False)
    years: list[tuple[str, Any]] = []  # in input order: ("held", (result, input warnings)) or ("cells", ...)
    with open(tmp, "w", encoding="utf-8") as f:
        for report, result in zip(reports, results):  # extract_reports yields in input order
            if result.analysis is not None:  # open splits: its rows are made at the end of the batch
                years.append(("held", (result, list(report.warnings))))
                continue
            if result.year_cells is not None:
                years.append(("cells", (result.document.get("organ"), result.document.get("year"),
                                        result.year_cells)))
            f.write(json_line({k: getattr(result, k) for k in RESULT_FIELDS}))
    with open(tmp_years, "wb") as f:
        pickle.dump(years, f)
    os.replace(tmp_years, years_path(final))
    os.replace(tmp, final)  # last: a part file is complete with its year file
    return index


def years_path(part: Path) -> Path:
    """The part's reports for the cross-year narrowing (pickled analyses and cells; read by the client only)."""
    return part.with_suffix(".years.pickle")


def feed_years(path: Path, years: Any) -> None:
    """Give ``years`` (extract.reports.AcrossYears) a part's held reports and year cells, in input order."""
    with open(path, "rb") as f:
        for kind, item in pickle.load(f):
            if kind == "held":
                years.hold(*item)
            else:
                years.note_cells(*item)


def read_part(path: Path) -> Iterator[DocumentResult]:
    with open(path, encoding="utf-8") as f:
        for line in f:
            yield DocumentResult(**json.loads(line))


class DaskRun:
    """One extract batch on a cluster: ``with DaskRun(...) as run: for result in run.results(files): ...``."""

    def __init__(self, parts_dir: Path, settings: WorkerSettings, workers: int = 2, scheduler: str | None = None,
                 partition_bytes: int | None = None, max_files: int | None = None, window: int | None = None,
                 retries: int = 2):
        """``partition_bytes`` and ``max_files`` default to configs/batch.yml ``dask``."""
        from ..config import load_config

        cfg = load_config("batch.yml")["dask"]
        self.parts_dir = Path(parts_dir)
        self.settings = settings
        self.workers = workers
        self.scheduler = scheduler
        self.partition_bytes = partition_bytes or cfg["partition_bytes"]
        self.max_files = max_files or cfg["max_files"]
        self.partitions_per_worker = cfg["min_partitions_per_worker"]
        self.window = window
        self.retries = retries
        self.cluster: Any = None
        self.client: Any = None

    def __enter__(self) -> DaskRun:  # noqa: PYI034 (a final class)
        import dask
        from distributed import Client, LocalCluster

        self.parts_dir.mkdir(parents=True, exist_ok=True)
        if self.scheduler:
            self.client = Client(self.scheduler)
        else:
            # one thread per process: the work is pure Python and holds the GIL; workers that are no daemons,
            # since each runs its reports in a guarded child process (a real cluster: DASK_DISTRIBUTED__WORKER__DAEMON=False)
            dask.config.set({"distributed.worker.daemon": False})
            self.cluster = LocalCluster(n_workers=self.workers, threads_per_worker=1, processes=True,
                                        dashboard_address=None, silence_logs=logging.CRITICAL)
            self.client = Client(self.cluster)
        return self

    def __exit__(self, *exc: object) -> None:
        if self.client is not None:
            self.client.close()
        if self.cluster is not None:
            self.cluster.close()
        try:
            self.parts_dir.rmdir()  # empty after a complete run; kept (with its parts) after a failed one
        except OSError:
            pass

    def results(self, reports: list[Any], years: Any) -> Iterator[DocumentResult]:
        """Every report's result in input order, while at most ``window`` partitions are pending, except the
        reports held for the cross-year narrowing, which go to ``years`` (extract.reports.AcrossYears)."""
        n_workers = max(self.workers, len(self.client.scheduler_info().get("workers", {})))
        size = balanced_partition_bytes(reports, self.partition_bytes, n_workers, self.partitions_per_worker)
        parts = partitions(reports, size, self.max_files)
        window = self.window or 2 * n_workers
        pending: deque[tuple[int, Any]] = deque()
        queue = iter(enumerate(parts))

        def submit_next() -> None:
            item = next(queue, None)
            if item is not None:
                index, files_of_part = item
                future = self.client.submit(run_partition, index, files_of_part, str(self.parts_dir), self.settings,
                                            key=f"govreport-part-{index}-{uuid.uuid4().hex[:8]}", pure=False,
                                            retries=self.retries)
                pending.append((index, future))

        for _ in range(window):
            submit_next()
        while pending:
            index, future = pending.popleft()
            future.result()
            path = part_path(self.parts_dir, index)
            yield from read_part(path)
            feed_years(years_path(path), years)
            path.unlink()
            years_path(path).unlink()
            submit_next()
