"""One function per input in worker processes that no input can stall or take down.

Each input runs in a worker process of a ``pebble`` pool, even with one worker: an exception becomes a failed
result naming it; an input that overruns its time budget (``configs/batch.yml`` ``time_budget``) has its worker
killed and replaced, which stops it even inside a C-level regex or a pathological loop, where no in-process
timer can; a worker that dies (out of memory, a crash in a library) fails only the input it held. Results come
back in input order through a bounded window of inputs in flight, so memory stays flat in the batch size.

Workers start with the ``fork`` method where the platform has it, so they inherit what the batch process
loaded before (a model); the pool's initializer runs in each worker and in each replacement.
"""

from __future__ import annotations

import os
import signal
import sys
import threading
from collections import deque
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import Future
from concurrent.futures import TimeoutError as FutureTimeout
from dataclasses import dataclass
from typing import Any, TypeVar

from ..config import load_config

T = TypeVar("T")
R = TypeVar("R")


@dataclass(frozen=True)
class TimeBudget:
    """Seconds a document may take: a floor plus a rate per MB of its file."""

    floor_seconds: float
    seconds_per_mb: float

    @classmethod
    def from_config(cls) -> TimeBudget:
        cfg = load_config("batch.yml")["time_budget"]
        return cls(float(cfg["floor_seconds"]), float(cfg["seconds_per_mb"]))

    def seconds(self, n_bytes: int) -> float:
        return self.floor_seconds + self.seconds_per_mb * n_bytes / 1e6


@dataclass(frozen=True)
class _Failure:
    """An exception raised by the work function, as text (any exception object may fail to pickle)."""

    error: str


def describe_error(err: BaseException) -> str:
    """``Name: message``, the message cut to a readable length."""
    limit = load_config("batch.yml")["error_chars"]
    message = str(err)
    if len(message) > limit:
        message = message[:limit] + f"… ({len(message)} characters)"
    return f"{type(err).__name__}: {message}" if message else type(err).__name__


# Pools kept between calls of run_isolated by key (``keep``): a dask worker thread runs partition after partition
# in one child process instead of forking one per partition. A call takes its key's pool out while it runs, so no
# two calls share one (a call abandoned mid-way stops only its own), and puts it back only while the run its key
# starts with is open (``open_kept_pools``); ``close_kept_pools`` ends the idle ones and any put back after.
_KEPT: dict[tuple, Any] = {}
_OPEN: set[tuple] = set()
_KEPT_LOCK = threading.Lock()


def run_isolated(items: Iterable[T], work: Callable[[T], R], failed: Callable[[T, str], R], *, workers: int = 1,
                 budget: TimeBudget | None = None, size_of: Callable[[T], int] = lambda item: 0,
                 initializer: Callable[..., None] | None = None, initargs: tuple = (),
                 keep: tuple | None = None) -> Iterator[R]:
    """``work(item)`` for every item in worker processes, in input order; ``failed(item, error)`` stands in for
    the result of an item that raised, overran its budget or lost its worker.

    ``work`` and ``initializer`` must be importable module-level functions; ``size_of(item)`` is the size in
    bytes that sets the item's time budget. ``keep``: a key under which the pool outlives the call, for the next
    call with that key (and the same work and options), while ``open_kept_pools`` holds a prefix of the key;
    a call that does not run to its end stops it.
    """
    budget = budget or TimeBudget.from_config()
    cfg = load_config("batch.yml")
    pool = _take_kept_pool(keep) if keep is not None else None
    if pool is None:
        pool = _new_pool(workers, initializer, initargs, cfg)
    window = max(1, workers) * cfg["prefetch_per_worker"]
    pending: deque[tuple[T, float, Future]] = deque()
    todo = iter(items)
    try:
        while True:
            while len(pending) < window and (item := next(todo, None)) is not None:
                seconds = budget.seconds(size_of(item))
                pending.append((item, seconds, pool.schedule(_run_guarded, args=(work, item), timeout=seconds)))
            if not pending:
                break
            item, seconds, future = pending.popleft()
            yield _outcome(item, seconds, future, failed)
        if keep is None or not _put_back(keep, pool):
            pool.close()
            pool.join()
    except BaseException:  # the consumer stopped early (GeneratorExit) or failed: no worker may outlive it
        pool.stop()
        pool.join()
        raise


def _new_pool(workers: int, initializer: Callable[..., None] | None, initargs: tuple, cfg: dict) -> Any:
    import multiprocessing

    from pebble import ProcessPool

    context = multiprocessing.get_context("fork" if forks_workers() else None)
    return ProcessPool(max_workers=max(1, workers), initializer=_start_worker,
                       initargs=(os.getpid(), cfg["worker_memory_mb"], initializer, initargs), context=context)


def _take_kept_pool(key: tuple) -> Any:
    """The idle pool kept under ``key``, now this call's alone, if it is still running."""
    with _KEPT_LOCK:
        pool = _KEPT.pop(key, None)
    return pool if pool is not None and pool.active else None


def _put_back(key: tuple, pool: Any) -> bool:
    """Keep ``pool`` under ``key`` for the next call, if the run of ``key`` is open and keeps none there yet."""
    with _KEPT_LOCK:
        if key in _KEPT or not any(key[:len(prefix)] == prefix for prefix in _OPEN):
            return False
        _KEPT[key] = pool
        return True


def open_kept_pools(prefix: tuple) -> None:
    """Let calls whose ``keep`` key starts with ``prefix`` keep their pools (until ``close_kept_pools``)."""
    with _KEPT_LOCK:
        _OPEN.add(prefix)


def close_kept_pools(prefix: tuple) -> None:
    """Close the kept pools whose key starts with ``prefix`` (their workers end once idle); a call still running
    under such a key closes its pool when it ends."""
    with _KEPT_LOCK:
        _OPEN.discard(prefix)
        keys = [key for key in _KEPT if key[:len(prefix)] == prefix]
        pools = [_KEPT.pop(key) for key in keys]
    for pool in pools:
        pool.close()
    for pool in pools:
        pool.join()


def forks_workers() -> bool:
    """Whether workers are forked, and so start with what the batch process has loaded."""
    import multiprocessing

    return "fork" in multiprocessing.get_all_start_methods()


def _outcome(item: T, seconds: float, future: Future, failed: Callable[[T, str], R]) -> R:
    from pebble import ProcessExpired

    try:
        result = future.result()
    except (FutureTimeout, TimeoutError):
        return failed(item, f"TimeoutError: no result within its time budget of {seconds:.0f} s (configs/batch.yml "
                            "time_budget); its worker was stopped")
    except ProcessExpired as err:
        return failed(item, f"WorkerDied: the worker process reading it ended abnormally ({_exit_reason(err.exitcode)})")
    except Exception as err:  # noqa: BLE001 -- anything the pool raised for this item (an unpicklable result)
        return failed(item, describe_error(err))
    return failed(item, result.error) if isinstance(result, _Failure) else result


def _exit_reason(exitcode: int | None) -> str:
    if exitcode is not None and exitcode < 0:
        name = signal.Signals(-exitcode).name
        hint = ": out of memory?" if -exitcode == signal.SIGKILL else ""
        return f"killed by {name}{hint}"
    return f"exit code {exitcode}"


# ------------------------------------------------------------------ inside a worker

_START_ERROR: str | None = None


def _start_worker(parent: int, memory_mb: int, initializer: Callable[..., None] | None, initargs: tuple) -> None:
    """Limit the worker, then run the caller's initializer; an error there fails each item with its reason
    (pebble would otherwise restart the worker forever)."""
    global _START_ERROR
    _die_with_parent(parent)
    _limit_memory(memory_mb)
    try:
        if initializer is not None:
            initializer(*initargs)
    except Exception as err:  # noqa: BLE001 -- reported with every item instead of a worker restarted forever
        _START_ERROR = describe_error(err)


def _run_guarded(work: Callable[[T], R], item: T) -> R | _Failure:
    if _START_ERROR is not None:
        return _Failure(f"WorkerStartError: {_START_ERROR}")
    try:
        return work(item)
    except Exception as err:  # noqa: BLE001 -- RecursionError, MemoryError, OverflowError… from any stage
        return _Failure(describe_error(err))


def _die_with_parent(parent: int) -> None:
    """Linux: the kernel kills the worker when the process that started it dies (a kill -9 of the batch must not
    leave a worker spinning on a pathological document)."""
    if not sys.platform.startswith("linux"):
        return
    import ctypes

    try:
        ctypes.CDLL(None, use_errno=True).prctl(1, int(signal.SIGKILL))  # PR_SET_PDEATHSIG
    except (OSError, AttributeError):
        pass
    if os.getppid() != parent:  # the batch died before the call: nobody is left to read the results
        os._exit(1)


def _limit_memory(memory_mb: int) -> None:
    """Cap the worker's address space at what it has now (inherited from the batch) plus ``memory_mb``."""
    if not memory_mb:
        return
    try:
        import resource
    except ImportError:  # not on this platform
        return
    import psutil

    limit = psutil.Process().memory_info().vms + memory_mb * 1024 * 1024
    _, hard = resource.getrlimit(resource.RLIMIT_AS)
    if hard != resource.RLIM_INFINITY:
        limit = min(limit, hard)
    resource.setrlimit(resource.RLIMIT_AS, (limit, hard))
