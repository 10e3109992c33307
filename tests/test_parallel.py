"""index.parallel.run_timed: page jobs across processes, within a time limit, with progress."""

from __future__ import annotations

import time

import pytest

from index.parallel import run_timed


def square_after(delay: float, n: int) -> int:
    time.sleep(delay)
    return n * n


@pytest.mark.parametrize("workers", [1, 2])
def test_results_come_back_by_job_position_with_progress(workers):
    seen: list[int] = []
    done = run_timed(square_after, [(0.0, n) for n in range(5)], 60, seen.append, workers)
    assert done == {0: 0, 1: 1, 2: 4, 3: 9, 4: 16}
    assert seen == [1, 2, 3, 4, 5]


@pytest.mark.parametrize("workers", [1, 2])
def test_jobs_not_done_in_time_are_missing_not_waited_for(workers):
    started = time.monotonic()
    done = run_timed(square_after, [(0.0, 3), *[(1.5, n) for n in range(6)]], 0.5, None, workers)
    assert done.get(0) == 9 and len(done) < 7
    assert time.monotonic() - started < 6  # not the 9 s all jobs would take one after another


def test_no_jobs_start_no_pool():
    assert run_timed(square_after, [], 1) == {}


def own_niceness(_: int) -> int:
    import os

    return os.nice(0)


def test_workers_run_at_a_lower_priority_than_the_app():
    import os

    from index.parallel import WORKER_NICENESS

    done = run_timed(own_niceness, [(0,), (1,)], 60, workers=2)
    assert set(done.values()) == {os.nice(0) + WORKER_NICENESS}


PARENT = """
import sys
from pathlib import Path
from index.isolation import IsolatedBuilder
builder = IsolatedBuilder(60)
builder(Path(sys.argv[1]), 10_000_000)  # starts the worker process
print(*[p.pid for p in builder._pool._processes.values()], flush=True)
import time
time.sleep(600)
"""


def test_a_build_worker_ends_when_its_app_is_killed(tmp_path):
    """A killed app must not leave its parsing worker behind (it would wait forever)."""
    import os
    import signal
    import subprocess
    import sys
    from pathlib import Path

    report = tmp_path / "r.txt"
    report.write_text("某区2020年政府信息公开工作年度报告\n一、总体情况\n正文。", "utf-8")
    repo = Path(__file__).resolve().parent.parent
    parent = subprocess.Popen(
        [sys.executable, "-c", PARENT, str(report)], cwd=repo, stdout=subprocess.PIPE, text=True
    )
    try:
        worker = int(parent.stdout.readline())
    finally:
        parent.send_signal(signal.SIGKILL)
        parent.wait(timeout=30)
    deadline = time.monotonic() + 15
    while time.monotonic() < deadline:
        try:
            os.kill(worker, 0)
        except ProcessLookupError:
            return
        time.sleep(0.2)
    os.kill(worker, signal.SIGKILL)
    raise AssertionError(f"worker {worker} outlived its killed parent")
