"""App start with an existing index: seconds from ``python app.py`` to HTTP ready.

    python -m benchmarks.bench_app_start [--home DIR] [--rounds N] [--budget 15]

``--home`` (default: GONGKAI_HOME, else ./var) must already hold an ingested corpus
(``python -m assistant ingest data/sample``). Each round starts a fresh process on a free
port, polls ``/`` until it answers 200 (the page is served) and ``/source/<doc_id>`` for the
first document, then stops the process. Exits 1 when the slowest round exceeds the budget.
"""

from __future__ import annotations

import argparse
import os
import socket
import statistics
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
POLL_S = 0.05
TIMEOUT_S = 120


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def http_ok(url: str) -> bool:
    try:
        with urllib.request.urlopen(url, timeout=2) as response:
            return response.status == 200
    except OSError:
        return False


def wait_until_ok(url: str, process: subprocess.Popen, started: float) -> float:
    """Seconds from ``started`` until ``url`` answers 200 (RuntimeError if the app dies)."""
    while time.perf_counter() - started < TIMEOUT_S:
        if process.poll() is not None:
            raise RuntimeError(f"app.py 退出，返回码 {process.returncode}")
        if http_ok(url):
            return time.perf_counter() - started
        time.sleep(POLL_S)
    raise RuntimeError(f"{TIMEOUT_S} 秒内未就绪：{url}")


def first_doc_id(home: Path) -> str:
    from index.stores.sqlite import SQLiteStore

    docs = SQLiteStore(home / "gongkai.sqlite3").documents()
    if not docs:
        sys.exit(
            f"{home} 中没有已入库的文档。先运行：GONGKAI_HOME={home} python -m assistant ingest data/sample"
        )
    return docs[0].doc_id


def measure_start(home: Path, doc_id: str) -> tuple[float, float]:
    """(seconds to the page, seconds to a source page) for one fresh process."""
    port = free_port()
    env = dict(os.environ, GONGKAI_HOME=str(home), GONGKAI_PORT=str(port), GONGKAI_LLM="none")
    env.pop("GONGKAI_AUTH", None)
    started = time.perf_counter()
    process = subprocess.Popen(
        [sys.executable, "app.py"], cwd=REPO, env=env,
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )  # fmt: skip
    try:
        page = wait_until_ok(f"http://127.0.0.1:{port}/", process, started)
        source = wait_until_ok(
            f"http://127.0.0.1:{port}/source/{doc_id}?start=0&end=10", process, started
        )
    finally:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
    return page, source


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--home", type=Path, default=Path(os.environ.get("GONGKAI_HOME", "var")))
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--budget", type=float, default=15.0, help="seconds allowed per start")
    args = parser.parse_args()
    home = args.home.resolve()
    doc_id = first_doc_id(home)
    pages, sources = [], []
    for _ in range(args.rounds):
        page, source = measure_start(home, doc_id)
        pages.append(page)
        sources.append(source)
    print(f"home: {home}  rounds: {args.rounds}")
    print(
        f"page ready (s):   min {min(pages):.2f}  median {statistics.median(pages):.2f}  max {max(pages):.2f}"
    )
    print(
        f"source ready (s): min {min(sources):.2f}  median {statistics.median(sources):.2f}  max {max(sources):.2f}"
    )
    verdict = "OK" if max(sources) <= args.budget else "TOO SLOW"
    print(f"budget {args.budget:.0f} s: {verdict}")
    sys.exit(0 if verdict == "OK" else 1)


if __name__ == "__main__":
    main()
