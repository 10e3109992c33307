"""Ingest speed on the sample corpus: loading + cleaning + tagging + chunking (no embedding).

python -m benchmarks.bench_ingest [--rounds N]
"""

from __future__ import annotations

import argparse
import time
from pathlib import Path

from config import SAMPLE_DIR
from index.chunk import chunk_document
from index.clean import clean_text
from index.load import load_file
from index.models import Document, content_id
from index.pipeline import collect_files
from index.tag import tag_document


def chunk_file(path: Path) -> int:
    """Load, clean, tag and chunk one file; return its chunk count."""
    loaded = load_file(path)
    cleaned = clean_text(loaded.text, join_wrapped_lines=bool(loaded.pages))
    tags = tag_document(cleaned.text)
    doc = Document(doc_id=content_id(cleaned.text), source=str(path), text=cleaned.text,
                   kind=tags.kind, region=tags.region, year=tags.year)  # fmt: skip
    return len(chunk_document(doc))


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rounds", type=int, default=5)
    args = parser.parse_args()
    files = collect_files([SAMPLE_DIR])
    chunk_file(files[0])  # warm up (tiktoken, pypdf imports)
    timings, chunks = [], 0
    for _ in range(args.rounds):
        started = time.perf_counter()
        chunks = sum(chunk_file(f) for f in files)
        timings.append(time.perf_counter() - started)
    best = min(timings)
    print(f"files: {len(files)}  chunks: {chunks}  rounds: {args.rounds}")
    print(f"documents/s: {len(files) / best:.1f}")
    print(f"chunks/s:    {chunks / best:.1f}")
    print(f"ms/document: {best / len(files) * 1000:.1f}")


if __name__ == "__main__":
    main()
