"""Output folders that a failed, killed or concurrent run cannot damage.

A run takes a lock in ``--out`` (an OS lock on ``configs/batch.yml`` ``lock_file``: a killed run's lock
goes with its process), writes every output into a fresh staging folder inside ``--out``, and publishes
only when it completes: it marks the staging folder complete (the list of its files) and renames each file
over the earlier one. A run that dies before the mark leaves the earlier outputs as they were; one that dies
between the mark and the last rename is completed by the next run before anything else, so the published
files always come from one run. Outputs of the earlier run that this run does not write (tasks.jsonl
without ``--tasks``) are removed when publishing, for the same reason.

A rename replaces a symbolic link instead of writing through it; on top of that, a link where an output
goes is refused before the run starts, so the user learns about it.
"""

from __future__ import annotations

import json
import os
import shutil
import tempfile
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from ..config import load_config

COMPLETE_MARK = "COMPLETE.json"


class OutputError(Exception):
    """``--out`` cannot take this run's outputs: a file, locked by another run, a linked output, not writable."""


@dataclass
class Staging:
    """The folder a run writes into, and where its files go when published."""

    path: Path
    out: Path
    names: tuple[str, ...]  # every output the job can write; those absent from the staging folder are removed

    def publish(self) -> list[str]:
        """Rename the written outputs into ``out``; return their names."""
        written = [name for name in self.names if (self.path / name).is_file()]
        for name in written:
            _fsync(self.path / name)
        removed = [name for name in self.names if name not in written]
        mark = self.path / COMPLETE_MARK
        mark.write_text(json.dumps({"written": written, "removed": removed}), encoding="utf-8")
        _fsync(mark)
        _fsync(self.path)
        _roll_forward(self.path, self.out)
        return written


def check_output_dir(out: Path, names: Iterable[str]) -> None:
    """Refuse, before anything is read or written, an ``out`` that cannot be a folder or holds a linked output."""
    existing = next((p for p in (out, *out.parents) if p.exists() or p.is_symlink()), None)
    if existing is not None and not existing.is_dir():
        where = "is" if existing == out else f"is under {existing}, which is"
        raise OutputError(f"{out} {where} a file, not a folder")
    for name in (*names, _config()["lock_file"]):
        if (out / name).is_symlink():
            raise OutputError(f"{out / name} is a symbolic link: refusing to write through it (remove it or choose "
                              "another --out)")


@contextmanager
def staged_output(out: Path, names: Iterable[str]) -> Iterator[Staging]:
    """Lock ``out`` and give the run a staging folder inside it; the folder is removed when the run ends,
    published or not."""
    names = tuple(names)
    check_output_dir(out, names)
    try:
        out.mkdir(parents=True, exist_ok=True)
    except OSError as err:
        raise OutputError(f"cannot create {out}: {err.strerror or err}") from err
    with _locked(out):
        _recover(out)
        try:
            staging = Staging(Path(tempfile.mkdtemp(prefix=_config()["staging_prefix"], dir=out)), out, names)
        except OSError as err:
            raise OutputError(f"cannot write into {out}: {err.strerror or err}") from err
        try:
            yield staging
        finally:
            shutil.rmtree(staging.path, ignore_errors=True)


@contextmanager
def _locked(out: Path) -> Iterator[None]:
    from filelock import FileLock, Timeout

    lock_path = out / _config()["lock_file"]
    try:  # filelock reports a lock file it cannot create as held by another process
        os.close(os.open(lock_path, os.O_RDWR | os.O_CREAT, 0o644))
    except OSError as err:
        raise OutputError(f"cannot write into {out}: {err.strerror or err}") from err
    lock = FileLock(lock_path, timeout=0)
    try:
        lock.acquire()
    except Timeout as err:
        raise OutputError(f"another govreport run is writing into {out} (it holds {lock_path}): wait for it to "
                          "end or choose another --out") from err
    except OSError as err:
        raise OutputError(f"cannot write into {out}: {err.strerror or err}") from err
    try:
        yield
    finally:
        lock.release()


def _recover(out: Path) -> None:
    """Finish publishing what a killed run had marked complete; remove the staging folders of the others."""
    for child in sorted(out.glob(_config()["staging_prefix"] + "*")):
        if child.is_symlink() or not child.is_dir():
            continue
        if (child / COMPLETE_MARK).is_file():
            _roll_forward(child, out)
        shutil.rmtree(child, ignore_errors=True)


def _roll_forward(staging: Path, out: Path) -> None:
    """Rename the files a complete staging folder lists into ``out`` and remove the outputs it does not write.

    Idempotent: files already renamed by an interrupted call are skipped.
    """
    mark = json.loads((staging / COMPLETE_MARK).read_text(encoding="utf-8"))
    for name in mark["written"]:
        if (staging / name).exists():
            os.replace(staging / name, out / name)
    for name in mark["removed"]:
        if (out / name).is_file() and not (out / name).is_symlink():
            (out / name).unlink()
    _fsync(out)


def _fsync(path: Path) -> None:
    """Flush a file or a folder entry to disk, so a power cut after the rename cannot leave an empty file."""
    try:
        fd = os.open(path, os.O_RDONLY)
    except OSError:
        if path.is_dir():
            return  # a platform or file system without folder handles: the renames are still atomic
        raise
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def _config() -> dict:
    return load_config("batch.yml")
