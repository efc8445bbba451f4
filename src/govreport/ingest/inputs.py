"""The report files of a batch and their document ids.

A folder is walked recursively in sorted order, leaving out what is not a report (configs/ingest.yml
``ignore_extensions`` and ``ignore_names``). Symbolic links are not followed out of a folder: a linked file
whose target lies outside the folder and every linked folder are skipped with a warning (a folder named
on the command line may itself be a link, and a file named there is always read).

A document id is the file's path relative to the folder it was found in, without its extension
(``a/report.txt`` → ``a/report``), so files directly in the folder keep their stem, the id used by the
annotations; a file named on its own gets its stem. Ids are unique in a batch: a later file whose id is
taken (``broken.pdf`` after ``broken.docx``, the same relative path under two folders) gets its extension
appended, then ``~2``, ``~3``…, with a warning.
"""

from __future__ import annotations

import fnmatch
import os
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

from .. import notices
from ..config import load_config

Warn = Callable[[str], None]


@dataclass(frozen=True)
class ReportFile:
    """One input of a batch: its path, its document id and what was noticed while assigning them."""

    path: Path
    doc: str
    warnings: tuple[str, ...] = field(default=())


def iter_report_inputs(paths: Iterable[str | Path], warn: Warn | None = notices.warn) -> Iterator[ReportFile]:
    """Every report file under ``paths`` with a document id unique in the batch."""
    warn = warn or (lambda message: None)
    taken: set[str] = set()
    for root in map(Path, paths):
        if root.is_dir():
            for path in _walk_reports(root, warn):
                rel = path.relative_to(root)
                yield _unique(path, (rel.parent / rel.stem).as_posix(), taken, warn)
        else:
            yield _unique(root, root.stem or root.name, taken, warn)  # named explicitly: read or warned about


def _walk_reports(root: Path, warn: Warn) -> list[Path]:
    """Report files under ``root``, sorted, without following links out of it."""
    real_root = root.resolve()
    found = []
    for dirpath, dirnames, filenames in os.walk(root):  # does not descend into linked folders
        here = Path(dirpath)
        dirnames[:] = [d for d in dirnames if not _ignored_name(d)]
        for name in dirnames:
            if (here / name).is_symlink():
                warn(f"{here / name}: a symbolic link to a folder, not followed")
        for name in filenames:
            path = here / name
            if _ignored(path.relative_to(root)):
                continue
            if path.is_symlink() and not path.resolve().is_relative_to(real_root):
                warn(f"{path}: a symbolic link out of {root} (to {path.resolve()}), skipped")
                continue
            if not path.is_file():  # a broken link, a pipe or a device: reading it could block forever
                warn(f"{path}: not a regular file, skipped")
                continue
            found.append(path)
    return sorted(found)


def _unique(path: Path, doc: str, taken: set[str], warn: Warn) -> ReportFile:
    if doc not in taken:
        taken.add(doc)
        return ReportFile(path, doc)
    candidates = [f"{doc}{path.suffix}"] if path.suffix else []
    candidates += (f"{doc}~{n}" for n in range(2, len(taken) + 3))
    new = next(c for c in candidates if c not in taken)
    taken.add(new)
    message = f"{path}: document id {doc!r} is taken by an earlier file of this batch; this one is {new!r}"
    warn(message)
    return ReportFile(path, new, (message,))


def _ignored(relative: Path) -> bool:
    """Non-report files met in a folder: data, configs, READMEs, hidden files."""
    if relative.suffix.lower() in load_config("ingest.yml")["ignore_extensions"]:
        return True
    return any(_ignored_name(part) for part in relative.parts)


def _ignored_name(name: str) -> bool:
    return any(fnmatch.fnmatch(name, pattern) for pattern in load_config("ingest.yml")["ignore_names"])
