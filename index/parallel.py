"""Run page-sized jobs (OCR of pages and pictures) across the machine's cores, within a time
limit, reporting each one done: the pages finished in time are kept, the others are missing
from the result and the caller names them."""

from __future__ import annotations

import os
import time
from collections.abc import Callable, Sequence
from concurrent.futures import ProcessPoolExecutor, as_completed
from contextlib import suppress
from typing import Any

WORKER_NICENESS = 5  # page jobs yield the cores to the app's requests


def exit_with_parent(poll_s: float = 1.0) -> None:
    """In a pool worker: end this process when the process that started it is gone.

    A pool's worker holds both ends of its own job queue, so it never sees the queue close when
    its parent is killed (a stopped app, a test that kills one): it would wait forever.
    """
    import threading

    parent = os.getppid()

    def watch() -> None:
        while os.getppid() == parent:
            time.sleep(poll_s)
        os._exit(0)

    threading.Thread(target=watch, name="exit-with-parent", daemon=True).start()


def _start_worker(initializer: Callable[..., None] | None, initargs: tuple) -> None:
    exit_with_parent()
    with suppress(OSError):
        os.nice(WORKER_NICENESS)
    if initializer:
        initializer(*initargs)


def run_timed(
    function: Callable[..., Any],
    jobs: Sequence[tuple],
    seconds: float,
    on_done: Callable[[int], None] | None = None,
    workers: int | None = None,
    **pool_options: Any,
) -> dict[int, Any]:
    """``function(*job)`` for each job, in parallel processes; returns the results by job
    position for the jobs done within ``seconds``. ``on_done(count)`` follows each one.

    ``pool_options`` go to the process pool (``mp_context``, ``initializer``, ``initargs``); its
    workers run at a lower priority. With one worker the jobs run here, after the initializer.
    """
    out: dict[int, Any] = {}
    if not jobs:
        return out
    workers = max(1, min(workers or os.cpu_count() or 1, len(jobs)))
    deadline = time.monotonic() + seconds
    initializer = pool_options.pop("initializer", None)
    initargs = pool_options.pop("initargs", ())
    if workers == 1:
        if initializer:
            initializer(*initargs)
        for position, job in enumerate(jobs):
            if time.monotonic() > deadline:
                break
            out[position] = function(*job)
            if on_done:
                on_done(len(out))
        return out
    pool_options.update(initializer=_start_worker, initargs=(initializer, initargs))
    with ProcessPoolExecutor(workers, **pool_options) as pool:
        futures = {pool.submit(function, *job): position for position, job in enumerate(jobs)}
        try:
            for future in as_completed(futures, timeout=max(0.1, deadline - time.monotonic())):
                out[futures[future]] = future.result()
                if on_done:
                    on_done(len(out))
        except TimeoutError:
            for future in futures:
                future.cancel()
    return out
