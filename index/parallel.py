"""Run page-sized jobs (OCR of pages and pictures) across the machine's cores, within a time
limit, reporting each one done: the pages finished in time are kept, the others are missing
from the result and the caller names them."""

from __future__ import annotations

import os
import time
from collections.abc import Callable, Sequence
from concurrent.futures import ProcessPoolExecutor, as_completed
from typing import Any


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

    ``pool_options`` go to the process pool (``mp_context``, ``initializer``, ``initargs``); with
    one worker the jobs run here, after the initializer.
    """
    out: dict[int, Any] = {}
    if not jobs:
        return out
    workers = max(1, min(workers or os.cpu_count() or 1, len(jobs)))
    deadline = time.monotonic() + seconds
    if workers == 1:
        if pool_options.get("initializer"):
            pool_options["initializer"](*pool_options.get("initargs", ()))
        for position, job in enumerate(jobs):
            if time.monotonic() > deadline:
                break
            out[position] = function(*job)
            if on_done:
                on_done(len(out))
        return out
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
