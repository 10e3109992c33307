"""Build documents in a worker process: parsing a hostile file never holds the app's GIL, and a
file that takes too long is abandoned (its worker killed) with a clear error."""

from __future__ import annotations

import multiprocessing
import queue
import threading
import time
from collections.abc import Callable
from concurrent.futures import ProcessPoolExecutor
from concurrent.futures import TimeoutError as FutureTimeout
from concurrent.futures.process import BrokenProcessPool
from pathlib import Path

from index.models import IngestError
from index.parallel import exit_with_parent
from index.pipeline import BuiltDocument, build_document

_POLL_S = 0.2  # how often the waiting side relays the worker's page progress
_PROGRESS = None  # in the worker process only: the queue its page progress goes to


def _start_worker(progress) -> None:
    global _PROGRESS
    _PROGRESS = progress
    exit_with_parent()


def _build(path: Path, max_bytes: int, job: int | None) -> BuiltDocument:
    channel = _PROGRESS
    if job is not None and channel is not None:
        return build_document(path, max_bytes, on_page=lambda d, t: channel.put((job, d, t)))
    return build_document(path, max_bytes)


class IsolatedBuilder:
    """A callable like ``build_document`` that runs it in one reusable worker process."""

    def __init__(self, seconds: float = 300.0):
        self.seconds = seconds
        self._pool: ProcessPoolExecutor | None = None
        self._progress = None
        self._jobs = 0  # numbers each call, so a late progress message is never misattributed
        self._lock = threading.Lock()

    def __call__(
        self, path: Path, max_bytes: int, on_page: Callable[[int, int], None] | None = None
    ) -> BuiltDocument:
        with self._lock:  # one file at a time: ingest is serialised by the writer lock anyway
            if self._pool is None:
                context = multiprocessing.get_context("spawn")
                self._progress = context.Queue()
                self._pool = ProcessPoolExecutor(
                    1, mp_context=context, initializer=_start_worker, initargs=(self._progress,)
                )
            self._jobs += 1
            job = self._jobs if on_page else None
            future = self._pool.submit(_build, path, max_bytes, job)
            deadline = time.monotonic() + self.seconds
            try:
                while True:
                    wait = min(_POLL_S, deadline - time.monotonic()) if on_page else self.seconds
                    try:
                        built = future.result(timeout=max(0.0, wait))
                    except FutureTimeout:
                        self._relay(job, on_page)
                        if time.monotonic() >= deadline:
                            raise
                        continue
                    self._relay(job, on_page)
                    return built
            except FutureTimeout:
                self._discard()
                raise IngestError(str(path), f"处理超过 {self.seconds:.0f} 秒，已放弃") from None
            except BrokenProcessPool:
                self._discard()
                raise IngestError(str(path), "解析进程意外退出（文件可能损坏或过大）") from None

    def _relay(self, job: int | None, on_page: Callable[[int, int], None] | None) -> None:
        """Pass the page progress the worker reported for ``job`` on to ``on_page``."""
        while on_page is not None and self._progress is not None:
            try:
                sent, done, total = self._progress.get_nowait()
            except queue.Empty:
                return
            if sent == job:
                on_page(done, total)

    def _discard(self) -> None:
        pool, self._pool = self._pool, None
        if pool is not None:
            for process in list(getattr(pool, "_processes", {}).values()):
                process.kill()
            pool.shutdown(wait=False, cancel_futures=True)
        if self._progress is not None:
            self._progress.close()
            self._progress = None

    def close(self) -> None:
        with self._lock:
            self._discard()
