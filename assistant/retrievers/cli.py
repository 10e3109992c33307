"""``python -m assistant search``: the ranked chunks for a query, with every ranker's score."""

from __future__ import annotations

import argparse

from assistant.retrievers.engine import Hit, open_retrieval
from domain import refusals


def format_hit(n: int, hit: Hit) -> str:
    """A ranked chunk as the search command prints it."""
    place = f"{hit.region or '地区未知'} {hit.year or '年份未知'}"
    page = f" 第{hit.page}页" if hit.page else ""
    dense = f"{hit.dense_score:.4f} (#{hit.dense_rank})" if hit.dense_rank else "—"
    bm25 = f"{hit.bm25_score:.3f} (#{hit.bm25_rank})" if hit.bm25_rank else "—"
    rerank = f"  重排 {hit.rerank_score:.3f}" if hit.rerank_score is not None else ""
    body = " ".join(hit.text.split())
    body = body if len(body) <= 160 else body[:160] + "……"
    return "\n".join(
        [
            f"[{n}] {hit.title}（{place}）",
            f"    {hit.section or '（无标题）'} | 字符 [{hit.start}, {hit.end}){page} | {hit.chunk_id}",
            f"    融合 {hit.fused_score:.4f}  向量 {dense}  BM25 {bm25}{rerank}",
            f"    {body}",
        ]
    )


def run_search_command(args: argparse.Namespace) -> int:
    """``python -m assistant search [--k N] [--region R] [--year Y] [--kind K] QUERY``."""
    query = " ".join(args.query).strip()
    retrieval = open_retrieval()
    if not retrieval.documents():
        print(refusals.NOTHING_INGESTED)
        return 1
    filters = retrieval.filters_for(query, args.region, args.year, getattr(args, "kind", None))
    hits = retrieval.search(query, args.k, filters)
    if filters.where():
        print(f"筛选：{filters.describe()}")
    if not hits:
        docs = retrieval.documents()
        missing = [r for r in filters.regions if r not in {d.region for d in docs}]
        missing += [f"{y}年" for y in filters.years if y not in {d.year for d in docs}]
        print(refusals.files_not_held("、".join(missing)) if missing else "没有找到相关片段。")
        return 0
    print("\n\n".join(format_hit(n, hit) for n, hit in enumerate(hits, start=1)))
    return 0
