"""Warm latency of structured answers (understand + table/task lookup) per evaluation question.

    python -m benchmarks.bench_structured [--repeat 30] [--db PATH]

Without --db the sample corpus is ingested into a temporary store first. Each question is
answered once to warm caches (jieba, the corpus index), then ``--repeat`` more times; the
report gives p50/p95 per question and over all table-route answers (target: p95 ≤ 50 ms).
"""

from __future__ import annotations

import argparse
import json
import statistics
import tempfile
import time
from pathlib import Path

from assistant.tools import answer_structured
from config import REPO_ROOT, SAMPLE_DIR

EVAL_FILE = REPO_ROOT / "evals" / "structured_questions.jsonl"
TARGET_P95_MS = 50.0


def percentile(values: list[float], q: float) -> float:
    """The q-quantile (0–1) by linear interpolation."""
    ordered = sorted(values)
    pos = (len(ordered) - 1) * q
    low, high = int(pos), min(int(pos) + 1, len(ordered) - 1)
    return ordered[low] + (ordered[high] - ordered[low]) * (pos - low)


def open_store(db: Path | None):
    from index.pipeline import ingest_paths
    from index.stores.sqlite import SQLiteStore

    if db is not None:
        return SQLiteStore(db)
    store = SQLiteStore(Path(tempfile.mkdtemp(prefix="gongkai-bench-")) / "gongkai.sqlite3")
    ingest_paths([SAMPLE_DIR], store)
    return store


def time_question(question: str, store, repeat: int) -> list[float]:
    """Milliseconds for ``repeat`` warm answers to one question."""
    answer_structured(question, store)  # warm-up
    timings = []
    for _ in range(repeat):
        start = time.perf_counter()
        answer_structured(question, store)
        timings.append((time.perf_counter() - start) * 1000)
    return timings


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=30)
    parser.add_argument(
        "--db", type=Path, help="an existing gongkai.sqlite3 (default: ingest the sample)"
    )
    args = parser.parse_args(argv)
    store = open_store(args.db)
    items = [
        json.loads(line) for line in EVAL_FILE.read_text(encoding="utf-8").splitlines() if line
    ]
    by_route: dict[str, list[float]] = {}
    print(f"{'id':6} {'route':6} {'p50 ms':>8} {'p95 ms':>8}  question")
    for item in items:
        timings = time_question(item["question"], store, args.repeat)
        by_route.setdefault(item["route"], []).extend(timings)
        print(
            f"{item['id']:6} {item['route']:6} {statistics.median(timings):8.2f} "
            f"{percentile(timings, 0.95):8.2f}  {item['question']}"
        )
    print()
    for route, timings in sorted(by_route.items()):
        print(
            f"route {route:6} n={len(timings):5}  p50 {percentile(timings, 0.5):6.2f} ms  "
            f"p95 {percentile(timings, 0.95):6.2f} ms  max {max(timings):6.2f} ms"
        )
    p95 = percentile(by_route.get("table", [0.0]), 0.95)
    verdict = "OK" if p95 <= TARGET_P95_MS else "TOO SLOW"
    print(f"table route p95 {p95:.2f} ms (target ≤ {TARGET_P95_MS:.0f} ms): {verdict}")
    return 0 if p95 <= TARGET_P95_MS else 1


if __name__ == "__main__":
    raise SystemExit(main())
