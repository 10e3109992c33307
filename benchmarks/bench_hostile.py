"""Hostile input stays fast: build time of files made to be slow (one unbroken digit run, …).

    python -m benchmarks.bench_hostile [--mb 10] [--app-home var]

Goal (issue: hostile input): a 10 MB text of one unbroken digit run is built (or refused) in
under 5 s on this 2-core machine, and ``/healthz`` of a running app answers within 1 s while
the app ingests that file (``--app-home``: the app parses it in a worker process).
"""

from __future__ import annotations

import argparse
import tempfile
import time
from pathlib import Path

from index.models import IngestError
from index.pipeline import build_document

CASES = {
    "digits.txt": lambda n: "7" * n,
    "letters.txt": lambda n: "a" * n,
    "cjk.txt": lambda n: "政" * (n // 3),
    "commas.txt": lambda n: "0," * (n // 2),
}


def health_during_upload(home: Path, name: str, data: bytes, kind: str) -> None:
    """Upload one file to a running app and time /healthz every 0.1 s meanwhile."""
    import threading

    import httpx

    from benchmarks.bench_load import start_app

    process, url = start_app(home, "none")
    worst, polls, done = 0.0, 0, threading.Event()
    try:

        def upload() -> None:
            files = [("files", (name, data, kind))]
            started = time.perf_counter()
            response = httpx.post(f"{url}/api/documents", files=files, timeout=600)
            print(
                f"upload via the app: {time.perf_counter() - started:.2f} s, {response.json()['results'][0]['message'][:60]}"
            )
            done.set()

        threading.Thread(target=upload).start()
        while not done.is_set():
            started = time.perf_counter()
            httpx.get(f"{url}/healthz", timeout=30)
            worst, polls = max(worst, time.perf_counter() - started), polls + 1
            time.sleep(0.1)
    finally:
        process.terminate()
        process.wait(timeout=15)
    print(f"/healthz during the upload: {polls} polls, slowest {worst * 1000:.0f} ms")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--mb", type=float, default=10)
    parser.add_argument("--app-home", type=Path, help="also upload to an app on this GONGKAI_HOME")
    args = parser.parse_args()
    size = int(args.mb * 1_000_000)
    if args.app_home:
        health_during_upload(args.app_home.resolve(), "digits.txt", b"7" * size, "text/plain")
    with tempfile.TemporaryDirectory() as folder:
        for name, make in CASES.items():
            path = Path(folder) / name
            path.write_text(make(size), "utf-8")
            started = time.perf_counter()
            try:
                built = build_document(path, max_bytes=4 * size + 1)
                outcome = f"{len(built.chunks)} chunks"
            except IngestError as exc:
                outcome = f"refused: {exc.reason}"
            seconds = time.perf_counter() - started
            mb = path.stat().st_size / 1e6
            print(f"{name:12s} {mb:5.1f} MB  {seconds:6.2f} s  {outcome}")


if __name__ == "__main__":
    main()
