"""Scale: generate N synthetic reports, ingest them, then measure size, latency and accuracy.

    nice -n 10 python -m benchmarks.bench_scale --sizes 1000 10000 [--work var/scale] [--workers 2]
    python -m benchmarks.bench_scale --plot        # redraw docs/scale.png from the results file

For each N (``benchmarks.gen_corpus``: txt, html, md, docx and pdf in turn, both table formats,
many regions and issuers, gold cells) and a fresh GONGKAI_HOME, three child processes run one
after the other, so peak memory and "first answer" belong to one phase each:

1. ingest: parse in ``--workers`` processes and store, then the BM25 and Chroma syncs (as
   ``ingest_paths`` does), each timed; wall time and CPU seconds (this process and its workers),
   docs/s, chunks/s, peak RSS, index size on disk; progress every 500 files to the log;
2. query (warm, in one process): p50/p95 of the table route (``Assistant.answer`` on table
   questions), hybrid retrieval (``Retrieval.search`` with the question's filters) and
   extractive answers (``Assistant.answer`` on prose questions), over questions made from the
   gold (issuers and years held by exactly one report); table answers checked against the gold;
   cell accuracy of every stored fact against the gold;
3. first answer: ``python -m assistant ask`` in a fresh process, wall time to the answer.

Results go to benchmarks/results/scale.json (merged by size) and the plot to docs/scale.png.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import resource
import subprocess
import sys
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
RESULTS = REPO / "benchmarks" / "results" / "scale.json"
PLOT = REPO / "docs" / "scale.png"
TABLE_QUESTIONS = (  # (question template, gold table, gold row, gold column or its ending)
    ("{issuer}{year}年行政复议结果纠正多少件？", "复议诉讼", "行政复议", "结果纠正"),
    ("{issuer}{year}年本年新收政府信息公开申请总计多少件？", "依申请", "本年新收", "总计"),
    ("{issuer}{year}年行政处罚处理决定数量是多少？", "主动公开", "行政处罚", "处理决定数量"),
    ("{issuer}{year}年行政诉讼复议后起诉尚未审结多少件？", "复议诉讼", "行政诉讼.复议后起诉", "尚未审结"),
)  # fmt: skip
PROSE_QUESTIONS = (
    "{issuer}{year}年政府信息公开工作存在哪些主要问题？",
    "{issuer}{year}年政策解读工作有什么不足？",
    "{region}基层政务公开专区建设情况如何？",
)


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(q * (len(ordered) - 1)))] if ordered else 0.0


def peak_rss_mb() -> dict[str, float]:
    """Peak resident memory of this process and of its largest finished child, in MB."""
    return {
        "self": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
        "children": resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024,
    }


def cpu_seconds() -> float:
    t = os.times()
    return t.user + t.system + t.children_user + t.children_system


def folder_mb(path: Path) -> float:
    if not path.exists():
        return 0.0
    files = [path] if path.is_file() else [p for p in path.rglob("*") if p.is_file()]
    return sum(p.stat().st_size for p in files) / 1e6


def gold_records(corpus: Path) -> list[dict]:
    with open(corpus / "gold.jsonl", encoding="utf-8") as f:
        return [json.loads(line) for line in f if line.strip()]


# -- phase 1: ingest -----------------------------------------------------------------------


def phase_ingest(corpus: Path, home: Path, workers: int) -> dict:
    from config import load_settings
    from index.pipeline import collect_files, ingest_paths
    from index.search_indexes import open_search_indexes
    from index.stores.sqlite import SQLiteStore

    settings = load_settings()
    store = SQLiteStore(settings.db_path)
    indexes = open_search_indexes(settings)
    files = collect_files([corpus])
    started, cpu0 = time.perf_counter(), cpu_seconds()
    done = {"n": 0, "failed": 0, "chunks": 0}

    def progress(result) -> None:
        done["n"] += 1
        done["failed"] += result.status == "failed"
        done["chunks"] += result.chunks
        if done["n"] % 500 == 0:
            elapsed = time.perf_counter() - started
            print(f"  parsed and stored {done['n']}/{len(files)} in {elapsed:.0f} s "
                  f"({done['n'] / elapsed:.2f} docs/s)", flush=True)  # fmt: skip

    ingest_paths(files, store, (), on_result=progress, workers=workers)
    parsed = time.perf_counter()
    chunks = store.chunks()
    phases = {"parse_store_s": parsed - started}
    for name, index in zip(("bm25_s", "chroma_s"), indexes, strict=True):
        began = time.perf_counter()
        index.sync(chunks)
        phases[name] = time.perf_counter() - began
        print(f"  {name[:-2]} synced in {phases[name]:.0f} s", flush=True)
    wall = time.perf_counter() - started
    cpu = cpu_seconds() - cpu0
    return {
        "docs": len(files),
        "failed": done["failed"],
        "chunks": len(chunks),
        "ingest_s": wall,
        "docs_per_s": len(files) / wall,
        "chunks_per_s": len(chunks) / wall,
        "cpu_s": cpu,
        "cpu_ms_per_doc": cpu / len(files) * 1000,
        **phases,
        "peak_rss_mb": peak_rss_mb(),
        "size_mb": {
            "sqlite": folder_mb(settings.db_path)
            + folder_mb(settings.home / "gongkai.sqlite3-wal"),
            "chroma": folder_mb(settings.chroma_dir),
            "bm25": folder_mb(settings.bm25_dir),
            "embed_cache": folder_mb(settings.home / "embed_cache"),
            "all": folder_mb(settings.home),
        },
    }


# -- phase 2: warm queries and accuracy ----------------------------------------------------


def make_questions(records: list[dict], count: int, seed: int = 7) -> tuple[list, list]:
    """Table questions with their gold value, and prose questions, about reports that are the
    only one of their issuer and year (two would make the expected figure ambiguous)."""
    rng = random.Random(seed)
    seen: dict[tuple[str, int], int] = {}
    for r in records:
        seen[(r["issuer"], r["year"])] = seen.get((r["issuer"], r["year"]), 0) + 1
    unique = [r for r in records if seen[(r["issuer"], r["year"])] == 1]
    picked = rng.sample(unique, min(count, len(unique)))
    table, prose = [], []
    for i, r in enumerate(picked):
        template, tab, row, col = TABLE_QUESTIONS[i % len(TABLE_QUESTIONS)]
        values = [c[3] for c in r["cells"] if c[0] == tab and c[1] == row and c[2].endswith(col)]
        if len(values) == 1:
            table.append((template.format(**r), values[0]))
        prose.append(PROSE_QUESTIONS[i % len(PROSE_QUESTIONS)].format(**r))
    return table, prose


def cell_accuracy(store, records: list[dict]) -> dict:
    from evals.table_score import canon

    by_file = {Path(d.source).name: d.doc_id for d in store.documents()}
    facts: dict[str, dict] = {}
    for fact in store.facts():
        if fact.origin != "text" and fact.value is not None:
            facts.setdefault(fact.doc_id, {})[canon(fact.table, fact.row, fact.col)] = fact.value
    right = wrong = missing = 0
    for r in records:
        got = facts.get(by_file.get(r["file"], ""), {})
        for table, row, col, value in r["cells"]:
            key = canon(table, row, col)
            found = got.get(key)
            if found is None and key[1] == "规范性文件":
                found = got.get((key[0], "行政规范性文件", key[2]))
            if found is None:
                missing += 1
            elif abs(found - value) <= 1e-6 * max(1.0, abs(value)):
                right += 1
            else:
                wrong += 1
    return {"cells": right + wrong + missing, "right": right, "wrong": wrong, "left_out": missing}


def timed(fn) -> tuple[float, object]:
    started = time.perf_counter()
    out = fn()
    return (time.perf_counter() - started) * 1000, out


def phase_query(corpus: Path, count: int) -> dict:
    from assistant.api import Assistant

    records = gold_records(corpus)
    table, prose = make_questions(records, count)
    assistant = Assistant(llm="none")
    opened, _ = timed(assistant.documents)
    retrieval = assistant.retrieval()
    for question in prose[:3] + [q for q, _ in table[:3]]:  # warm up: models, caches
        assistant.answer(question, llm="none")
    table_ms, table_right, routes = [], 0, {}
    for question, value in table:
        ms, answer = timed(lambda q=question: assistant.answer(q, llm="none"))
        table_ms.append(ms)
        routes[answer.mode] = routes.get(answer.mode, 0) + 1
        table_right += answer.value is not None and abs(answer.value - value) < 1e-6
    hybrid_ms = [
        timed(lambda q=q: retrieval.search(q, 6, retrieval.filters_for(q)))[0] for q in prose
    ]
    answer_ms, modes = [], {}
    for question in prose:
        ms, answer = timed(lambda q=question: assistant.answer(q, llm="none"))
        answer_ms.append(ms)
        modes[answer.mode] = modes.get(answer.mode, 0) + 1

    def stats(values: list[float]) -> dict:
        return {"n": len(values), "p50_ms": percentile(values, 0.5),
                "p95_ms": percentile(values, 0.95), "max_ms": max(values, default=0.0)}  # fmt: skip

    return {
        "documents_load_ms": opened,
        "table_route": {**stats(table_ms), "right": table_right, "modes": routes},
        "hybrid_retrieval": stats(hybrid_ms),
        "extractive_answer": {**stats(answer_ms), "modes": modes},
        "cell_accuracy": cell_accuracy(assistant.store, records),
        "peak_rss_mb": peak_rss_mb(),
    }


# -- phase 3: first answer in a fresh process ----------------------------------------------


def first_answer(home: Path, question: str) -> dict:
    env = dict(os.environ, GONGKAI_HOME=str(home), GONGKAI_LLM="none")
    started = time.perf_counter()
    done = subprocess.run(
        [sys.executable, "-m", "assistant", "ask", "--json", question],
        cwd=REPO, env=env, capture_output=True, text=True, timeout=600,
    )  # fmt: skip
    wall = time.perf_counter() - started
    answer = json.loads(done.stdout) if done.returncode == 0 and done.stdout.strip() else {}
    return {"question": question, "wall_s": wall, "route": answer.get("route"),
            "refused": answer.get("refused"), "returncode": done.returncode}  # fmt: skip


# -- orchestration -------------------------------------------------------------------------


def child(phase: str, size: int, args: argparse.Namespace) -> dict:
    """Run one phase in a fresh Python process; its JSON result is its last stdout line."""
    home = args.work / f"home-{size}"
    env = dict(os.environ, GONGKAI_HOME=str(home), GONGKAI_LLM="none")
    command = [sys.executable, "-m", "benchmarks.bench_scale", "--phase", phase,
               "--corpus", str(args.work / f"corpus-{size}"), "--workers", str(args.workers),
               "--questions", str(args.questions)]  # fmt: skip
    process = subprocess.Popen(command, cwd=REPO, env=env, stdout=subprocess.PIPE, text=True)
    last = ""
    for line in process.stdout:
        print(line, end="", flush=True)
        last = line
    if process.wait() != 0:
        raise SystemExit(f"phase {phase} at {size} documents failed (exit {process.returncode})")
    return json.loads(last)


def run_size(size: int, args: argparse.Namespace) -> dict:
    import shutil

    from benchmarks.gen_corpus import generate

    corpus, home = args.work / f"corpus-{size}", args.work / f"home-{size}"
    result: dict = {"size": size, "workers": args.workers, "cpus": os.cpu_count()}
    if not (corpus / "gold.jsonl").exists() or len(gold_records(corpus)) != size:
        shutil.rmtree(corpus, ignore_errors=True)
        started = time.perf_counter()
        generate(corpus, size)
        result["generate_s"] = time.perf_counter() - started
    shutil.rmtree(home, ignore_errors=True)
    print(f"[{size}] ingest", flush=True)
    result["ingest"] = child("ingest", size, args)
    print(f"[{size}] warm queries", flush=True)
    result["query"] = child("query", size, args)
    records = gold_records(corpus)
    table, prose = make_questions(records, 2)
    result["first_answer"] = [first_answer(home, q) for q in (table[0][0], prose[0])]
    result["load_avg_end"] = os.getloadavg()
    return result


def save(result: dict) -> list[dict]:
    RESULTS.parent.mkdir(parents=True, exist_ok=True)
    rows = json.loads(RESULTS.read_text("utf-8")) if RESULTS.exists() else []
    rows = [r for r in rows if r["size"] != result["size"]] + [result]
    rows.sort(key=lambda r: r["size"])
    RESULTS.write_text(json.dumps(rows, ensure_ascii=False, indent=1) + "\n", "utf-8")
    return rows


def plot(rows: list[dict]) -> None:
    """Latency (p95) and ingest throughput against corpus size, one PNG."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    sizes = [r["size"] for r in rows]
    fig, (left, right) = plt.subplots(1, 2, figsize=(10, 4))
    for key, label, target in (
        ("table_route", "table route p95", 50),
        ("hybrid_retrieval", "hybrid retrieval p95", 150),
        ("extractive_answer", "extractive answer p95", None),
    ):
        line = left.plot(sizes, [r["query"][key]["p95_ms"] for r in rows], "o-", label=label)
        if target:
            left.axhline(target, ls=":", color=line[0].get_color(), lw=1)
    left.set(xscale="log", yscale="log", xlabel="documents", ylabel="ms",
             title="warm latency (dotted: targets)")  # fmt: skip
    left.legend(fontsize=8)
    right.plot(sizes, [r["ingest"]["docs_per_s"] for r in rows], "o-", label="docs/s (wall)")
    idle = [2000 / r["ingest"]["cpu_ms_per_doc"] for r in rows]
    right.plot(sizes, idle, "s--", label="docs/s if 2 idle cores (CPU time)")
    right.axhline(5, ls=":", color="grey", lw=1)
    right.set(xscale="log", xlabel="documents", ylabel="documents/s", title="ingest throughput")
    right.legend(fontsize=8)
    fig.tight_layout()
    PLOT.parent.mkdir(parents=True, exist_ok=True)
    fig.savefig(PLOT, dpi=110)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--sizes", type=int, nargs="*", default=[1000, 10000])
    parser.add_argument("--work", type=Path, default=REPO / "var" / "scale")
    parser.add_argument("--workers", type=int, default=os.cpu_count() or 1)
    parser.add_argument("--questions", type=int, default=120)
    parser.add_argument("--plot", action="store_true", help="only redraw the plot")
    parser.add_argument("--phase", choices=["ingest", "query"], help=argparse.SUPPRESS)
    parser.add_argument("--corpus", type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.phase == "ingest":
        home = Path(os.environ["GONGKAI_HOME"])
        print(json.dumps(phase_ingest(args.corpus, home, args.workers)))
        return
    if args.phase == "query":
        print(json.dumps(phase_query(args.corpus, args.questions), ensure_ascii=False))
        return
    if args.plot:
        plot(json.loads(RESULTS.read_text("utf-8")))
        return
    args.work = args.work.resolve()
    for size in args.sizes:
        rows = save(run_size(size, args))
        plot(rows)
        print(json.dumps(rows[-1] if rows[-1]["size"] == size else rows, ensure_ascii=False))


if __name__ == "__main__":
    main()
