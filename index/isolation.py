"""Build documents in a worker process: parsing a hostile file never holds the app's GIL, and a
file that takes too long is abandoned (its worker killed) with a clear error."""

from __future__ import annotations

import multiprocessing
import threading
from concurrent.futures import ProcessPoolExecutor
from concurrent.futures import TimeoutError as FutureTimeout
from concurrent.futures.process import BrokenProcessPool
from pathlib import Path

from index.models import IngestError
from index.pipeline import BuiltDocument, build_document


class IsolatedBuilder:
    """A callable like ``build_document`` that runs it in one reusable worker process."""

    def __init__(self, seconds: float = 300.0):
        self.seconds = seconds
        self._pool: ProcessPoolExecutor | None = None
        self._lock = threading.Lock()

    def __call__(self, path: Path, max_bytes: int) -> BuiltDocument:
        with self._lock:  # one file at a time: ingest is serialised by the writer lock anyway
            pool = self._pool or ProcessPoolExecutor(
                1, mp_context=multiprocessing.get_context("spawn")
            )
            self._pool = pool
            future = pool.submit(build_document, path, max_bytes)
            try:
                return future.result(timeout=self.seconds)
            except FutureTimeout:
                self._discard()
                raise IngestError(str(path), f"处理超过 {self.seconds:.0f} 秒，已放弃") from None
            except BrokenProcessPool:
                self._discard()
                raise IngestError(str(path), "解析进程意外退出（文件可能损坏或过大）") from None

    def _discard(self) -> None:
        pool, self._pool = self._pool, None
        if pool is not None:
            for process in list(getattr(pool, "_processes", {}).values()):
                process.kill()
            pool.shutdown(wait=False, cancel_futures=True)

    def close(self) -> None:
        with self._lock:
            self._discard()
