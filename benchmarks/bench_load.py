"""Load on the HTTP API: concurrent mixed questions to ``POST /api/ask`` on 127.0.0.1.

    python -m benchmarks.bench_load --home var [--llm none|local] [--concurrency 50] [--requests 200]
    python -m benchmarks.bench_load --url http://127.0.0.1:7860 …   # an app already running
    GONGKAI_LLM_QUEUE=64 GONGKAI_LLM_TIMEOUT=1800 python -m benchmarks.bench_load --llm local \
        --home var/load --concurrency 50 --requests 60 --seconds 1800  # every model call queues

Starts ``python app.py`` on a free loopback port (unless --url), sends ``--requests`` questions
from ``--concurrency`` client threads (table, tasks, retrieval, refusals and two-turn follow-ups,
mixed), bounded by ``--seconds``, and reports throughput, latency p50/p95/p99, errors (any
non-200 status or transport error) and how the answers were made (``mode``: table, tasks, llm,
extractive, refused …; with a model, extractive retrieval answers are the fallback of a full
queue, a timeout or a model failure). The run stops by itself.
"""

from __future__ import annotations

import argparse
import itertools
import os
import subprocess
import sys
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import httpx

from benchmarks.bench_answer import percentile

REPO = Path(__file__).resolve().parent.parent
MIXED = [
    ("table", "莱芜区2020年行政复议结果纠正多少件？", None),
    ("table", "槐荫区2019年收到多少申请？", None),
    ("table", "淮安市2024年行政诉讼尚未审结多少件？", None),
    ("tasks", "哪些任务由区民政局负责？", None),
    ("tasks", "第17项任务的要求是什么？", None),
    ("rag", "2019年槐荫区存在哪些主要问题？", None),
    ("rag", "政务新媒体有什么要求？", None),
    ("refusal", "拉萨市2020年行政复议结果纠正多少件？", None),
    ("followup", "那2019年呢？", "莱芜区2020年行政复议结果纠正多少件？"),
    ("followup", "行政处罚呢？", "洪泽区2024年行政许可处理决定数量是多少？"),
]


def free_port() -> int:
    import socket

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def start_app(home: Path, llm: str) -> tuple[subprocess.Popen, str]:
    port = free_port()
    env = dict(os.environ, GONGKAI_HOME=str(home), GONGKAI_LLM=llm, GONGKAI_PORT=str(port))
    env.update(GONGKAI_HOST="127.0.0.1")
    env.pop("GONGKAI_AUTH", None)
    log = (home / "bench_load_app.log").open("w")
    process = subprocess.Popen(
        [sys.executable, "app.py"], cwd=REPO, env=env,
        stdout=log, stderr=subprocess.STDOUT,
    )  # fmt: skip
    url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 900  # a fresh home ingests the sample first (busy machine)
    while time.monotonic() < deadline:
        try:
            if httpx.get(f"{url}/healthz", timeout=2).json()["status"] == "ready":
                return process, url
        except (httpx.HTTPError, ValueError):
            time.sleep(0.3)
    process.kill()
    raise SystemExit("app.py did not become ready within 900 s")


def ask(client: httpx.Client, kind: str, question: str, previous: str | None, llm: str):
    """One request (two for a follow-up: the first turn, then the follow-up with its history)."""
    history = []
    if previous:
        first = client.post("/api/ask", json={"question": previous, "llm": llm})
        if first.status_code != 200:
            return kind, 0.0, first.status_code, ""
        history = [first.json()]
    started = time.perf_counter()
    response = client.post("/api/ask", json={"question": question, "history": history, "llm": llm})
    elapsed = time.perf_counter() - started
    mode = response.json().get("mode", "") if response.status_code == 200 else ""
    return kind, elapsed, response.status_code, mode


def run(url: str, llm: str, concurrency: int, requests: int, seconds: float) -> dict:
    deadline = time.monotonic() + seconds
    jobs = itertools.islice(itertools.cycle(MIXED), requests)
    results: list[tuple[str, float, int, str]] = []
    errors: list[str] = []
    lock = threading.Lock()
    local = threading.local()

    def one(job) -> None:
        if time.monotonic() > deadline:
            return
        client = getattr(local, "client", None)
        if client is None:
            client = local.client = httpx.Client(base_url=url, timeout=max(30.0, seconds))
        try:
            outcome = ask(client, *job, llm)
        except httpx.HTTPError as exc:
            with lock:
                errors.append(type(exc).__name__)
            return
        with lock:
            results.append(outcome)
            if outcome[2] != 200:
                errors.append(f"HTTP {outcome[2]}")

    with httpx.Client(base_url=url, timeout=300) as warm:  # load models before timing
        for job in MIXED:
            ask(warm, *job, llm)
    started = time.perf_counter()
    with ThreadPoolExecutor(concurrency) as pool:
        list(pool.map(one, jobs))
    wall = time.perf_counter() - started
    latencies = [r[1] * 1000 for r in results if r[2] == 200]
    by_kind = {}
    for kind in sorted({r[0] for r in results}):
        values = [r[1] * 1000 for r in results if r[0] == kind and r[2] == 200]
        if values:
            by_kind[kind] = (len(values), percentile(values, 0.5), percentile(values, 0.95))
    return {
        "requests": len(results),
        "errors": len(errors),
        "error_kinds": sorted(set(errors)),
        "throughput": len(results) / wall if wall else 0.0,
        "p50": percentile(latencies, 0.5) if latencies else 0.0,
        "p95": percentile(latencies, 0.95) if latencies else 0.0,
        "p99": percentile(latencies, 0.99) if latencies else 0.0,
        "by_kind": by_kind,
        "modes": {m: sum(r[3] == m for r in results) for m in sorted({r[3] for r in results})},
        "wall": wall,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--home", type=Path, default=Path("var"))
    parser.add_argument("--url", help="an app already running (otherwise one is started)")
    parser.add_argument("--llm", default="none")
    parser.add_argument("--concurrency", type=int, default=50)
    parser.add_argument("--requests", type=int, default=200)
    parser.add_argument("--seconds", type=float, default=600)
    args = parser.parse_args()
    process = None
    url = args.url
    if not url:
        process, url = start_app(args.home.resolve(), args.llm)
    try:
        report = run(url.rstrip("/"), args.llm, args.concurrency, args.requests, args.seconds)
    finally:
        if process:
            process.terminate()
            process.wait(timeout=15)
    print(f"llm={args.llm} concurrency={args.concurrency} requests={report['requests']}")
    print(
        f"throughput {report['throughput']:.1f} answers/s; latency p50 {report['p50']:.0f} ms,"
        f" p95 {report['p95']:.0f} ms, p99 {report['p99']:.0f} ms; errors {report['errors']}"
        + (f" ({', '.join(report['error_kinds'])})" if report["errors"] else "")
    )
    for kind, (n, p50, p95) in report["by_kind"].items():
        print(f"  {kind:9s} n={n:4d}  p50 {p50:7.0f} ms  p95 {p95:7.0f} ms")
    print("  answers made by: " + ", ".join(f"{m or '?'} {n}" for m, n in report["modes"].items()))


if __name__ == "__main__":
    main()
