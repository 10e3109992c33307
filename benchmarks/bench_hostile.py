"""Hostile input stays fast: build time of files made to be slow (one unbroken digit run, …).

    python -m benchmarks.bench_hostile [--mb 10]

Goal (issue: hostile input): a 10 MB text of one unbroken digit run is built (or refused) in
under 5 s on this 2-core machine.
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


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--mb", type=float, default=10)
    args = parser.parse_args()
    size = int(args.mb * 1_000_000)
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
