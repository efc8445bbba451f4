"""Compiled regular expressions kept between runs, as Python keeps compiled modules in ``__pycache__``.

Loading the extractor compiles about 400 patterns, some of tens of thousands of characters (the tables' lexicons,
the span scanner's alternation, the figure parsers): more than half of a rules-only start-up, paid again by every
run and by every dask worker process. ``re`` compiles a pattern in Python (a parse, then code generation) and hands
the code, a list of ints, to ``_sre.compile``. Inside ``cached_patterns()`` the code of each pattern compiled is
read from a cache file of this Python build when it is there, and stored there when it is not; ``_sre.compile``
validates the code it is given, so a damaged entry raises and its pattern is compiled as usual. Where ``re`` has
another layout (Python 3.10) or the cache folder cannot be read or written, patterns compile as usual.
"""

from __future__ import annotations

import marshal
import os
import re
import sys
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from pathlib import Path
from typing import Any

from .config import load_config

Entries = dict[tuple[Any, int], tuple]  # (source, flags) → the arguments of _sre.compile after the source


def cache_file() -> Path | None:
    """This Python build's cache file, in GOVREPORT_CACHE_DIR, else $XDG_CACHE_HOME/govreport, else
    ~/.cache/govreport; None where ``re`` compiles otherwise."""
    try:
        import _sre
        from re import _compiler, _parser  # noqa: F401 -- Python 3.11 and later
    except ImportError:
        return None
    folder = os.environ.get("GOVREPORT_CACHE_DIR")
    if not folder:
        try:
            folder = str(Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache") / "govreport")
        except RuntimeError:  # no home folder
            return None
    build = f"{sys.implementation.cache_tag}-{'.'.join(map(str, sys.version_info[:3]))}-{_sre.MAGIC}"
    return Path(folder) / f"patterns-{build}.marshal"


@contextmanager
def cached_patterns() -> Iterator[None]:
    """Compile the patterns compiled inside with their cached code; on a normal exit, store the code of the ones
    that were not cached."""
    path = cache_file()
    if path is None:
        yield
        return
    import _sre
    from re import _compiler, _parser

    stored = _read(path)
    used: Entries = {}
    new = False
    plain = _compiler.compile

    def compile_cached(p: Any, flags: int = 0) -> Any:
        nonlocal new
        if not isinstance(p, (str, bytes)) or flags & re.DEBUG:
            return plain(p, flags)
        key = (p, flags)
        pattern = _from_entry(_sre, p, stored.get(key))
        if pattern is not None:
            used[key] = stored[key]
            return pattern
        parsed = _parser.parse(p, flags)
        groupindex = dict(parsed.state.groupdict)
        indexgroup: list[str | None] = [None] * parsed.state.groups
        for name, i in groupindex.items():
            indexgroup[i] = name
        # the opcodes are named int constants: plain ints store and load as they are
        code = [int(c) for c in _compiler._code(parsed, flags)]
        args = (flags | parsed.state.flags, code, parsed.state.groups - 1, groupindex, tuple(indexgroup))
        used[key], new = args, True
        return _sre.compile(p, *args)

    _compiler.compile = compile_cached
    try:
        yield
    finally:
        _compiler.compile = plain
    if new:
        _write(path, stored, used)


def _from_entry(sre: Any, source: Any, args: tuple | None) -> re.Pattern | None:
    """The pattern an entry describes; None without one, or for a damaged or foreign one (compiled as usual)."""
    if args is None:
        return None
    try:
        return sre.compile(source, *args)
    except Exception:  # noqa: BLE001 -- _sre rejects code it cannot run with any of several errors
        return None


def _read(path: Path) -> Entries:
    try:
        entries = marshal.loads(path.read_bytes())
    except (OSError, EOFError, ValueError, TypeError):
        return {}
    return entries if isinstance(entries, dict) else {}


def _write(path: Path, stored: Entries, used: Entries) -> None:
    """Store the cached entries with this run's; only this run's past ``pattern_cache.max_mb`` (configs/batch.yml),
    so that patterns of configurations no longer used leave the cache."""
    data = marshal.dumps({**stored, **used})
    if len(data) > load_config("batch.yml")["pattern_cache"]["max_mb"] * 1e6:
        data = marshal.dumps(used)
    tmp = path.with_name(f"{path.name}.{os.getpid()}.tmp")
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        tmp.write_bytes(data)
        os.replace(tmp, path)  # whole or not at all: several processes may store at once
    except OSError:  # a read-only or full cache folder: patterns compile as usual next time
        with suppress(OSError):
            tmp.unlink(missing_ok=True)
