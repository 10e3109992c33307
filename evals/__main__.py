"""Command line of the evaluation.

python -m evals run [--llm none|local|openai] [--questions FILE] [--out DIR] [--subset ci]
                    [--baselines [NAME…]] [--corpus PATH…] [--home DIR] [--no-ingest]
                    [--limit N] [--compare OLD_DIR]
python -m evals unseen [--questions evals/unseen/questions.jsonl] [--out DIR] [--llm …]
python -m evals compare OLD_DIR NEW_DIR
python -m evals tables [-v] [GOLD_DIR DOCS_DIR …]
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

from evals.run import DEFAULT_CORPUS, DEFAULT_QUESTIONS, EVALS_DIR, RunOptions

UNSEEN_QUESTIONS = EVALS_DIR / "unseen" / "questions.jsonl"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m evals", description="gongkai 评测")
    sub = parser.add_subparsers(dest="command", required=True)
    run = sub.add_parser("run", help="跑题目集并出报告")
    add_run_arguments(run, DEFAULT_QUESTIONS)
    run.add_argument(
        "--corpus", nargs="+", type=Path, default=[DEFAULT_CORPUS], help="入库的文件或文件夹"
    )
    unseen = sub.add_parser("unseen", help="入库从未见过的文档并评测关于它们的题目")
    add_run_arguments(unseen, [UNSEEN_QUESTIONS])
    unseen.add_argument("--corpus", nargs="+", type=Path, help="默认：题目文件旁的 docs/ 文件夹")
    cmp = sub.add_parser("compare", help="逐题比较两次运行")
    cmp.add_argument("old", type=Path)
    cmp.add_argument("new", type=Path)
    rep = sub.add_parser(
        "report", help="由 results.jsonl（或未跑完的 results.partial.jsonl）重出报告"
    )
    rep.add_argument("folder", type=Path)
    tab = sub.add_parser("tables", help="表格单元格准确率（按输入形式），对照人工核对的金标准")
    tab.add_argument("dirs", nargs="*", help="GOLD_DIR DOCS_DIR 成对给出；默认开发集、自采集、PDF")
    tab.add_argument("-v", "--verbose", action="store_true", help="逐个文件列出")
    args = parser.parse_args(argv)
    if args.command == "report":
        return rebuild_report(args.folder)
    if args.command == "compare":
        return print_comparison(args.old, args.new)
    if args.command == "tables":
        from evals.table_score import run_tables_command

        return run_tables_command(args)
    if args.command == "unseen" and not args.corpus:
        args.corpus = [args.questions[0].parent / "docs"]
    return cmd_run(args)


def add_run_arguments(p: argparse.ArgumentParser, questions: list[Path]) -> None:
    p.add_argument(
        "--llm",
        default="none",
        choices=["none", "local", "openai", "auto"],
        help="生成模型（默认 none：抽取式）",
    )
    p.add_argument(
        "--questions", type=Path, nargs="+", default=questions, help="题目文件（可多个）"
    )
    p.add_argument("--out", type=Path, help="输出文件夹（默认 var/evals/时间戳）")
    p.add_argument("--home", type=Path, help="GONGKAI_HOME（默认 输出文件夹/home）")
    p.add_argument("--no-ingest", action="store_true", help="直接使用 --home 中已入库的内容")
    p.add_argument("--subset", help="只跑标了该字段的题（如 ci）")
    p.add_argument("--limit", type=int, help="最多跑多少项")
    p.add_argument(
        "--baselines",
        nargs="*",
        metavar="NAME",
        help="同时跑基线：naive_rag bm25 dense（不写名字即全部）",
    )
    p.add_argument("--compare", type=Path, metavar="OLD_DIR", help="跑完后与旧结果逐题比较")
    p.add_argument("--no-progress", action="store_true")
    p.add_argument("--no-charts", action="store_true")


def cmd_run(args: argparse.Namespace) -> int:
    from evals.report import pct
    from evals.run import default_out, run_evaluation

    missing = [p for p in args.corpus if not p.exists()]
    missing += [p for p in args.questions if not p.exists()]
    if missing:
        for p in missing:
            print(f"✗ 不存在：{p}", file=sys.stderr)
        return 2
    out = args.out or default_out()
    opts = RunOptions(
        questions=list(args.questions),
        corpus=list(args.corpus),
        out=out,
        home=args.home,
        ingest=not args.no_ingest,
        llm=args.llm,
        subset=args.subset,
        limit=args.limit,
        baselines=args.baselines is not None,
        only=list(args.baselines or []),
        progress=not args.no_progress,
        charts=not args.no_charts,
    )
    summary = run_evaluation(opts)
    for name, s in summary["systems"].items():
        print(
            f"{name:<10} 正确 {pct(s['answer_correctness'])}  路由 {pct(s['route_accuracy'])}  "
            f"数字 {pct(s['numeric_exact'])}  recall@4 {pct(s['recall@4'])}  "
            f"引用 {pct(s['citation_precision'])}  忠实 {pct(s['faithfulness'])}  "
            f"拒答P/R {pct(s['refusal_precision'])}/{pct(s['refusal_recall'])}"
        )
    print(f"报告：{out / 'report.md'}")
    if args.compare:
        print_comparison(args.compare, out)
    return 0


def rebuild_report(folder: Path) -> int:
    """Report on what a run wrote, finished or not (a long --llm local run can be read early)."""
    from evals.report import write_outputs

    done, partial = folder / "results.jsonl", folder / "results.partial.jsonl"
    source = partial if partial.exists() else done
    if not source.exists():
        print(f"✗ {folder} 中没有 results.jsonl 或 results.partial.jsonl", file=sys.stderr)
        return 2
    records = [json.loads(x) for x in source.read_text(encoding="utf-8").splitlines() if x.strip()]
    started, finished = folder / "meta.json", folder / "summary.json"
    meta = json.loads(started.read_text(encoding="utf-8")) if started.exists() else {}
    if finished.exists():  # a finished run's summary also holds its duration
        meta = {**meta, **json.loads(finished.read_text(encoding="utf-8")).get("meta", {})}
    turns = len({r["id"] for r in records})
    meta = {"command": "（未记录）", "questions": "?", "subset": "?", "items": len({r["item"] for r in records}),
            "llm": "?", "embed": "?", "corpus": [], "seconds": 0, **meta, "turns": turns}  # fmt: skip
    if source == partial:
        meta["notes"] = [*meta.get("notes", []), f"运行未完成：只含已完成的 {len(records)} 条结果"]
    write_outputs(folder, records, meta)
    print(f"报告：{folder / 'report.md'}")
    return 0


def print_comparison(old: Path, new: Path) -> int:
    from evals.run import compare_runs, format_comparison, load_results

    def summary(folder: Path) -> dict | None:
        path = folder / "summary.json"
        return json.loads(path.read_text(encoding="utf-8")) if path.exists() else None

    diff = compare_runs(load_results(old), load_results(new))
    print(format_comparison(diff, summary(old), summary(new)))
    return 0


if __name__ == "__main__":
    sys.exit(main())
