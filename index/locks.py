"""Cross-process locks under GONGKAI_HOME.

- ``writer_lock``: one index writer at a time (ingest, upload, re-ingest, delete and the index
  sync after them), across threads and processes; re-entrant within a thread.
- ``claim_embedded``: an embedded Chroma folder belongs to one process for its lifetime; a
  second process (``python -m assistant ingest`` beside a running app) is refused with the way
  out, since Chroma's embedded store is not safe across processes.
"""

from __future__ import annotations

import fcntl
import os
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

WRITER_LOCK_NAME = "writer.lock"
OWNER_LOCK_NAME = ".gongkai-owner.lock"
_depth = threading.local()
_owned: dict[str, int] = {}
_owned_guard = threading.Lock()


class IndexBusy(RuntimeError):
    """Another process holds what this one needs; the message says what to do instead."""


@contextmanager
def writer_lock(home: Path, timeout: float = 900.0) -> Iterator[None]:
    """Hold the exclusive writer lock of ``home`` (wait up to ``timeout`` seconds for it)."""
    key = str(Path(home).resolve())
    held = getattr(_depth, "held", None)
    if held is None:
        held = _depth.held = {}
    if held.get(key):
        held[key] += 1
        try:
            yield
        finally:
            held[key] -= 1
        return
    Path(key).mkdir(parents=True, exist_ok=True)
    fd = os.open(os.path.join(key, WRITER_LOCK_NAME), os.O_RDWR | os.O_CREAT, 0o644)
    try:
        _acquire(fd, timeout, f"{key} 的索引正在被另一个进程写入，等待 {timeout:.0f} 秒后仍未结束")
        held[key] = 1
        try:
            yield
        finally:
            held[key] = 0
            fcntl.flock(fd, fcntl.LOCK_UN)
    finally:
        os.close(fd)


def claim_embedded(folder: Path) -> None:
    """Make this process the owner of the embedded store in ``folder`` (idempotent)."""
    key = str(Path(folder).resolve())
    with _owned_guard:
        if key in _owned:
            return
        Path(key).mkdir(parents=True, exist_ok=True)
        fd = os.open(os.path.join(key, OWNER_LOCK_NAME), os.O_RDWR | os.O_CREAT, 0o644)
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            os.close(fd)
            raise IndexBusy(
                f"本地向量库 {key} 正由另一个进程使用（通常是正在运行的 python app.py）："
                "请在页面的文档库中上传，或让各进程共用一个 Chroma 服务器（GONGKAI_CHROMA_URL）"
            ) from None
        _owned[key] = fd  # held until the process exits


def _acquire(fd: int, timeout: float, message: str) -> None:
    deadline = time.monotonic() + timeout
    delay = 0.02
    while True:
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
            return
        except BlockingIOError:
            if time.monotonic() >= deadline:
                raise IndexBusy(message) from None
            time.sleep(delay)
            delay = min(delay * 2, 0.5)
