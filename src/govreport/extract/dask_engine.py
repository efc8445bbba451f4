"""extract on dask.distributed: the same per-document work, spread over processes or machines.

Report files are cut into partitions of about ``partition_bytes``. A worker loads the extractor once and runs a
partition through the same guard as a local batch (``extract.extract_reports``: each report in a child process
with its time budget, so a report that raises, hangs or crashes fails alone) and writes the partition's output
lines into the parts folder, one file per output (``part-NNNNNN.mentions.jsonl``, ...) with a summary of each
document (``part-NNNNNN.summary.jsonl``), each written to a temporary file renamed into place, then returns only
the partition's index. The client takes the parts in input order and the writer appends each part file to its
output as it is (``reports.WrittenPart``): no row crosses the network or is decoded and encoded again, so the
client's work stays small beside the workers' and the outputs are those of a single-process run. That includes
the narrowing of reports of one organ in consecutive years against each other (``tables.refine_across_years``)
over the whole batch: a partition does not narrow, it sends the reports it would hold (pickled analyses) and every
other report's year cells beside its part files (``part-NNNNNN.years.pickle``; in memory from a worker thread of
the client's own process), and the client narrows the held reports at the end of the batch, as one process does,
and writes them: as the worker made them unless the narrowing changed them. A worker that dies has its partition rerun
elsewhere by the scheduler; a rerun rewrites the same part files, and every part is read exactly once, so no
document is lost or written twice. At most ``window`` partitions are in flight or unread at a time, which keeps
the client's memory flat in the batch size.
"""

from __future__ import annotations

import json
import logging
import os
import pickle
import threading
import uuid
from collections import deque
from collections.abc import Iterator
from contextlib import ExitStack
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

from ..jsonl import json_line
from .reports import DocumentResult, WrittenDocument, WrittenPart

JSONL_OUTPUTS = ("documents.jsonl", "mentions.jsonl", "records.jsonl", "tasks.jsonl")


@dataclass(frozen=True)
class WorkerSettings:
    """What a worker needs to build its extractor (hashable: one extractor per worker and settings)."""

    model: str | None
    use_model: bool
    with_tasks: bool
    # what the client yields: WrittenParts, whose output lines the writer appends as the worker wrote them
    # (True), or each document's result with its rows, read back from those lines (for parquet and API callers)
    serialize: bool = False


def partitions(reports: list[Any], partition_bytes: int, max_files: int, slots: int = 1,
               per_slot: int = 1) -> list[list[Any]]:
    """Consecutive runs of report files (``inputs.ReportFile``), in input order, in whole rounds of one partition
    per slot (a worker thread): the fewest rounds (at least ``per_slot``) that keep partitions within
    ``partition_bytes`` and ``max_files``, the files cut at equal shares of the batch's bytes. Partitions of one
    size, as many as a multiple of the slots, end together: 7 of 4 MB on 2 workers leave one idle for the last
    of them, 8 of 3.4 MB do not."""
    sizes = [_size(report) for report in reports]
    total = sum(sizes)
    rounds = max(per_slot, 1, -(-total // (partition_bytes * slots)), -(-len(reports) // (max_files * slots)))
    share = max(total / (slots * rounds), 1)
    parts: list[list[Any]] = []
    current: list[Any] = []
    index = offset = 0
    for report, size in zip(reports, sizes):
        target = int((offset + size / 2) // share)  # the share that holds the middle of the file
        if current and (target > index or len(current) >= max_files):
            parts.append(current)
            current, index = [], max(target, index + 1)
        current.append(report)
        offset += size
    if current:
        parts.append(current)
    return parts


def _size(report: Any) -> int:
    try:
        return os.path.getsize(report.path)
    except OSError:
        return 0  # unreadable: the extractor reports it


@dataclass(frozen=True)
class PartFiles:
    """The files of partition ``index`` in the parts folder: one per output (its documents' lines, as the
    outputs hold them), the summary (one ``WrittenDocument`` a line, with its number of lines per JSONL output),
    written last so that it marks a complete part, and the reports for the cross-year narrowing."""

    folder: Path
    index: int

    def output(self, name: str) -> Path:
        return self.folder / f"part-{self.index:06d}.{name}"

    @property
    def summary(self) -> Path:
        return self.folder / f"part-{self.index:06d}.summary.jsonl"

    @property
    def years(self) -> Path:
        """Pickled analyses and cells (read by the client only)."""
        return self.folder / f"part-{self.index:06d}.years.pickle"

    def all(self, names: tuple[str, ...]) -> list[Path]:
        return [*(self.output(name) for name in names), self.years, self.summary]


def output_names(with_tasks: bool) -> tuple[str, ...]:
    names = ("documents.jsonl", "mentions.jsonl", "records.jsonl", "records.csv")
    return (*names, "tasks.jsonl") if with_tasks else names


# The cross-year part of the partitions that worker threads of the client's own process ran (a LocalCluster of
# threads), by (run, partition index): handed over as they are, where pickling the held analyses to a file and
# loading them again cost the client's process about 1.5 s of CPU per 10 MB of reports, beside the workers'
# children on the same cores. Only the client's process has its run here (DaskRun.__enter__), under its process
# id: a worker process forked from the client (dask's multiprocessing-method fork) inherits a copy, not the dict.
_HANDOFF: dict[str, dict[int, list[tuple[str, Any]]]] = {}


def _handoff(run: str | None) -> dict[int, list[tuple[str, Any]]] | None:
    """This process's handoff for ``run`` (``{pid}-{uuid}``), if it is the client's process."""
    if run is None or run.split("-", 1)[0] != str(os.getpid()):
        return None
    return _HANDOFF.get(run)


def run_partition(index: int, reports: list[Any], parts_dir: str, settings: WorkerSettings,
                  run: str | None = None) -> int:
    """Extract one partition on a worker and write its part files; return the index. The cross-year part goes to
    the client's process directly when this worker is a thread of it (``run`` in ``_HANDOFF``), else to a file."""
    from .reports import extract_reports

    part = PartFiles(Path(parts_dir), index)
    names = output_names(settings.with_tasks)
    tag = uuid.uuid4().hex  # a rerun never writes into a live file
    tmp = {path: path.with_name(f"{path.name}.{tag}.tmp") for path in part.all(names)}
    handoff = _handoff(run)  # None unless this worker is a thread of the client's process
    # a worker thread of the client's process keeps its child process for its next partition (closed with the run)
    # instead of forking one per partition; a worker process keeps none, having no end of run to close it
    results = extract_reports(reports, 1, settings.model, settings.use_model, settings.with_tasks,
                              serialize=True, across_years=False,
                              keep_pool=(run, threading.get_ident()) if handoff is not None else None)
    years: list[tuple[str, Any]] = []  # in input order: ("held", (result, input warnings)) or ("cells", ...)
    with ExitStack() as stack:
        stack.callback(results.close)  # now, not when a traceback dask keeps is freed: it stops the child process
        files = {name: stack.enter_context(open(tmp[part.output(name)], "wb")) for name in names}  # lines: bytes
        summary = stack.enter_context(open(tmp[part.summary], "w", encoding="utf-8"))
        for i, result in enumerate(results):  # in input order; not zip: the generator must run to its end (a
            report = reports[i]  # generator closed before stops its pool, which a worker thread keeps)
            if result.analysis is not None:  # open splits: written at the end of the batch (made again if narrowed)
                years.append(("held", (result, list(report.warnings))))
                continue
            if result.year_cells is not None:
                years.append(("cells", (*result.organ_year(), result.year_cells)))
            for name, text in result.lines.items():
                files[name].write(text)
            n_lines = {name: text.count(b"\n") for name, text in result.lines.items() if name in JSONL_OUTPUTS}
            summary.write(json_line({**asdict(WrittenDocument.of(result)), "lines": n_lines}))
    if handoff is not None:
        handoff[index] = years
        tmp.pop(part.years)
    else:
        with open(tmp[part.years], "wb") as f:
            pickle.dump(years, f)
    for final, path in tmp.items():  # the summary last: a part is complete once it is there
        os.replace(path, final)
    return index


def feed_years(part: PartFiles, years: Any, run: str | None = None) -> None:
    """Give ``years`` (extract.reports.AcrossYears) a part's held reports and year cells, in input order: from the
    worker thread that ran it (``run``'s handoff) or from its file."""
    handoff = _handoff(run)
    handed = handoff.pop(part.index, None) if handoff is not None else None
    if handed is None:
        with open(part.years, "rb") as f:
            handed = pickle.load(f)
    for kind, item in handed:
        if kind == "held":
            years.hold(*item)
        else:
            years.note_cells(*item)


def read_summary(part: PartFiles) -> list[tuple[WrittenDocument, dict[str, int]]]:
    """Each document of the part, with its number of lines per JSONL output."""
    out = []
    with open(part.summary, encoding="utf-8") as f:
        for line in f:
            row = json.loads(line)
            n_lines = row.pop("lines")
            out.append((WrittenDocument(**row), n_lines))
    return out


def written_part(part: PartFiles, with_tasks: bool) -> WrittenPart:
    return WrittenPart({name: part.output(name) for name in output_names(with_tasks)},
                       [doc for doc, _ in read_summary(part)])


def read_results(part: PartFiles, with_tasks: bool) -> Iterator[DocumentResult]:
    """The part's documents as results with their rows, read back from their lines."""
    names = [name for name in output_names(with_tasks) if name in JSONL_OUTPUTS]
    with ExitStack() as stack:
        files = {name: stack.enter_context(open(part.output(name), encoding="utf-8")) for name in names}
        for doc, n_lines in read_summary(part):
            rows = {name: [json.loads(next(files[name])) for _ in range(n_lines.get(name, 0))] for name in names}
            (document,) = rows["documents.jsonl"]
            yield DocumentResult(doc.path, document, rows["mentions.jsonl"], rows["records.jsonl"],
                                 rows.get("tasks.jsonl", []), doc.n_chars, doc.error)


class DaskRun:
    """One extract batch on a cluster: ``with DaskRun(...) as run: for result in run.results(files): ...``."""

    def __init__(self, parts_dir: Path, settings: WorkerSettings, workers: int = 2, scheduler: str | None = None,
                 partition_bytes: int | None = None, max_files: int | None = None, window: int | None = None,
                 retries: int = 2, processes: bool | None = None):
        """``partition_bytes``, ``max_files`` and ``processes`` (the LocalCluster's workers: processes, or threads
        of this one) default to configs/batch.yml ``dask``."""
        from ..config import load_config

        cfg = load_config("batch.yml")["dask"]
        self.parts_dir = Path(parts_dir)
        self.settings = settings
        self.workers = workers
        self.scheduler = scheduler
        self.partition_bytes = partition_bytes or cfg["partition_bytes"]
        self.max_files = max_files or cfg["max_files"]
        self.partitions_per_slot = cfg["min_partitions_per_slot"]
        self.window = window
        self.retries = retries
        self.processes = cfg["local_processes"] if processes is None else processes
        self.local_cluster_config = cfg["local_cluster_config"]
        self.cluster: Any = None
        self.client: Any = None
        self.run = f"{os.getpid()}-{uuid.uuid4().hex}"  # names this run's handoff (``_HANDOFF``) while it is open

    def __enter__(self) -> DaskRun:  # noqa: PYI034 (a final class)
        import dask
        from distributed import Client, LocalCluster

        from .isolation import open_kept_pools

        self.parts_dir.mkdir(parents=True, exist_ok=True)
        _HANDOFF[self.run] = {}
        open_kept_pools((self.run,))
        if self.scheduler:
            self.client = Client(self.scheduler)
        else:
            # a worker runs each report of its partition in a guarded child process (extract_reports), forked from
            # it with the extractor loaded: threads of this process as workers start at once and load the
            # extractor once, where worker processes take seconds to start (each imports dask and loads the
            # extractor). Worker processes must be no daemons to have children (a real cluster:
            # DASK_DISTRIBUTED__WORKER__DAEMON=False)
            dask.config.set(self.local_cluster_config)
            if self.processes:
                dask.config.set({"distributed.worker.daemon": False})
            self.cluster = LocalCluster(n_workers=self.workers, threads_per_worker=1, processes=self.processes,
                                        dashboard_address=None, silence_logs=logging.CRITICAL)
            self.client = Client(self.cluster)
        return self

    def __exit__(self, *exc: object) -> None:
        from .isolation import close_kept_pools

        if self.client is not None:
            self.client.close()
        if self.cluster is not None:
            self.cluster.close()
        close_kept_pools((self.run,))  # after the cluster: no partition of this run starts after it
        _HANDOFF.pop(self.run, None)
        try:
            self.parts_dir.rmdir()  # empty after a complete run; kept (with its parts) after a failed one
        except OSError:
            pass

    def slots(self) -> int:
        """Tasks the cluster runs at once: the threads of its workers."""
        workers = self.client.scheduler_info().get("workers", {})
        return sum(info.get("nthreads", 1) for info in workers.values())

    def results(self, reports: list[Any], years: Any) -> Iterator[DocumentResult | WrittenPart]:
        """Every report in input order, while at most ``window`` partitions are pending, except the reports held
        for the cross-year narrowing, which go to ``years`` (extract.reports.AcrossYears): a ``WrittenPart`` per
        partition with ``settings.serialize`` (its files are removed once the consumer asks for the next item),
        else each report's ``DocumentResult``."""
        slots = max(self.workers, self.slots())
        parts = partitions(reports, self.partition_bytes, self.max_files, slots, self.partitions_per_slot)
        window = self.window or 2 * slots
        pending: deque[tuple[int, Any]] = deque()
        queue = iter(enumerate(parts))
        with_tasks = self.settings.with_tasks

        def submit_next() -> None:
            item = next(queue, None)
            if item is not None:
                index, files_of_part = item
                future = self.client.submit(run_partition, index, files_of_part, str(self.parts_dir), self.settings,
                                            self.run, key=f"govreport-part-{index}-{uuid.uuid4().hex[:8]}", pure=False,
                                            retries=self.retries)
                pending.append((index, future))

        for _ in range(window):
            submit_next()
        while pending:
            index, future = pending.popleft()
            future.result()
            part = PartFiles(self.parts_dir, index)
            if self.settings.serialize:
                yield written_part(part, with_tasks)
            else:
                yield from read_results(part, with_tasks)
            feed_years(part, years, self.run)
            for path in part.all(output_names(with_tasks)):
                path.unlink(missing_ok=True)  # no years file when they were handed over
            submit_next()
