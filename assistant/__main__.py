"""Command line: ingest, docs, facts, tasks, search, ask.

python -m assistant ingest PATH…
python -m assistant docs
python -m assistant facts --json [--doc ID]
python -m assistant search [--k N] [--region R] [--year Y] QUERY
python -m assistant ask [--json] [--explain] [--llm none|local|openai] QUESTION…|-
python -m assistant reindex            # rebuild the vector and keyword indexes from the store
python -m assistant check [--doc ID|--region R --year Y] [--json] [--xlsx F] [--csv F]
"""

from __future__ import annotations

import argparse
import json
import sys
from dataclasses import asdict
from pathlib import Path
from typing import TYPE_CHECKING

from config import load_settings
from domain import refusals
from domain.kinds import kind_name
from index.pipeline import IngestResult

if TYPE_CHECKING:
    from assistant.answer import Answer


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m assistant", description="gongkai 政务公开问答")
    sub = parser.add_subparsers(dest="command", required=True)
    p = sub.add_parser("ingest", help="入库文件或文件夹")
    p.add_argument("paths", nargs="+", type=Path)
    p = sub.add_parser("docs", help="列出已入库文档")
    p.add_argument("--json", action="store_true", help="每行一个文档的 JSON（不含正文）")
    p = sub.add_parser("facts", help="输出解析出的表格数字")
    p.add_argument("--json", action="store_true")
    p.add_argument("--doc")
    p = sub.add_parser("tasks", help="输出解析出的任务分解表")
    p.add_argument("--json", action="store_true")
    p.add_argument("--doc")
    p = sub.add_parser("search", help="检索片段")
    p.add_argument("--k", type=int, default=5)
    p.add_argument("--region")
    p.add_argument("--year", type=int)
    p.add_argument("--kind")
    p.add_argument("query", nargs="+")
    p = sub.add_parser("ask", help="提问")
    p.add_argument("--json", action="store_true")
    p.add_argument("--llm", choices=["none", "local", "openai", "auto"])
    p.add_argument("--explain", action="store_true", help="列出每一步的判断（路由、工具、检索）")
    p.add_argument("questions", nargs="+")
    sub.add_parser("reindex", help="从文档库重建向量与关键词索引（索引损坏时）")
    p = sub.add_parser("check", help="年报审核：勾稽关系、跨年度、正文与表格、格式")
    p.add_argument("--doc")
    p.add_argument("--region")
    p.add_argument("--year", type=int)
    p.add_argument("--json", action="store_true", help="每行一项发现的 JSON")
    p.add_argument("--xlsx", type=Path, help="导出 Excel")
    p.add_argument("--csv", type=Path, help="导出 CSV")
    args = parser.parse_args(argv)
    return COMMANDS[args.command](args)


def open_store():
    from index.stores.sqlite import SQLiteStore

    return SQLiteStore(load_settings().db_path)


def cmd_ingest(args: argparse.Namespace) -> int:
    from index.locks import IndexBusy
    from index.pipeline import ingest_paths
    from index.search_indexes import open_search_indexes
    from index.stores.base import IndexUnusable

    settings = load_settings()
    store = open_store()
    missing = [p for p in args.paths if not p.exists()]
    for path in missing:
        print(f"✗ {path}: 文件或文件夹不存在", file=sys.stderr)
    try:
        results = ingest_paths(
            [p for p in args.paths if p.exists()],
            store,
            open_search_indexes(settings),
            max_bytes=settings.max_file_mb * 1024 * 1024,
            on_result=print_result,
            on_page=print_page_progress,
        )
    except (IndexBusy, IndexUnusable) as exc:
        print(f"✗ {exc}", file=sys.stderr)
        return 2
    except Exception as exc:  # a full disk or a read-only home: say so, no traceback
        print(
            f"✗ 无法写入 {settings.home}（{type(exc).__name__}: {str(exc)[:200]}）。"
            "磁盘可能已满或目录只读；已入库的内容不受影响，恢复后重新运行 ingest 即可补齐。",
            file=sys.stderr,
        )
        return 2
    counts: dict[str, int] = {}
    for r in results:
        counts[r.status] = counts.get(r.status, 0) + 1
    failed = counts.get("failed", 0) + len(missing)
    print(
        f"共 {len(results) + len(missing)} 个文件：新增 {counts.get('added', 0)}，"
        f"更新 {counts.get('updated', 0)}，未变 {counts.get('unchanged', 0)}，失败 {failed}"
    )
    return 1 if failed else 0


_STATUS_NAMES = {"added": "新增", "updated": "更新", "unchanged": "未变"}


def print_page_progress(path: Path, done: int, total: int) -> None:
    """OCR progress on stderr: one line rewritten in place on a terminal, a line per page
    otherwise (logs)."""
    line = f"  {path.name}：第 {done}/{total} 页 文字识别"
    if sys.stderr.isatty():
        end = "\n" if done >= total else ""
        print(f"\r{line}", end=end, file=sys.stderr, flush=True)
    else:
        print(line, file=sys.stderr, flush=True)


def print_result(result: IngestResult) -> None:
    if result.status == "failed":
        print(f"✗ {result.error}", file=sys.stderr)
        return
    doc = result.doc
    tags = f"{kind_name(doc.kind)} {doc.region or '地区未知'} {doc.year or '年份未知'}"
    detail = (
        f"{result.chunks} 块，{result.facts} 个数字，{result.tasks} 项任务" if result.chunks else ""
    )
    warn = f"；警告：{'；'.join(result.warnings)}" if result.warnings else ""
    print(
        f"✓ {_STATUS_NAMES[result.status]} {doc.doc_id} {Path(result.source).name}：{tags} {detail}{warn}"
    )


def cmd_docs(args: argparse.Namespace) -> int:
    docs = open_store().documents()
    if not docs:
        print(refusals.NOTHING_INGESTED, file=sys.stderr if args.json else sys.stdout)
        return 0
    if args.json:
        for doc in docs:
            data = doc.to_dict()
            data.pop("pages", None)
            data.pop("file_sha", None)
            print(json.dumps(data, ensure_ascii=False))
        return 0
    for doc in docs:
        fields = [
            doc.doc_id, kind_name(doc.kind), doc.region or "（地区未知）",
            doc.issuer or "（发文机关未知）", str(doc.year or "（年份未知）"), doc.title,
        ]  # fmt: skip
        if doc.doc_number:
            fields.append(doc.doc_number)
        if doc.table_format:
            fields.append(f"{doc.table_format}版表格")
        print("  ".join(fields))
        for warning in doc.warnings:
            print(f"    ⚠ {warning}")
    return 0


def cmd_facts(args: argparse.Namespace) -> int:
    for fact in open_store().facts(args.doc):
        if args.json:
            print(json.dumps(fact.to_dict(), ensure_ascii=False))
        else:
            print(
                f"{fact.region} {fact.year} {fact.table}/{fact.row}/{fact.col} = {'空' if fact.value is None else format(fact.value, 'g')}{fact.unit}"
            )
    return 0


def cmd_tasks(args: argparse.Namespace) -> int:
    for task in open_store().tasks(args.doc):
        if args.json:
            print(json.dumps(task.to_dict(), ensure_ascii=False))
        else:
            print(
                f"{task.number or '-'} {task.area} | {task.requirement[:40]} | {'、'.join(task.units)} | {task.deadline}"
            )
    return 0


def cmd_search(args: argparse.Namespace) -> int:
    from assistant.retrieve import run_search_command

    return run_search_command(args)


def cmd_ask(args: argparse.Namespace) -> int:
    """``ask [--json] [--explain] [--llm …] QUESTION…|-``: one JSON object per line with --json."""
    from assistant.api import Assistant

    questions = args.questions
    if questions == ["-"]:
        questions = [line.strip() for line in sys.stdin if line.strip()]
    assistant = Assistant(llm=args.llm)
    history: list[dict] = []
    for q in questions:
        result = assistant.answer(q, history)
        history.append(result.to_dict())
        if args.json:
            data = result.to_json()
            if args.explain:
                data["trace"] = [asdict(step) for step in result.trace]
            print(json.dumps(data, ensure_ascii=False), flush=True)
        else:
            print_answer(q, result, args.explain)
    return 0


def print_answer(question: str, result: Answer, explain: bool) -> None:
    print(f"问：{question}\n答：{result.answer}")
    for c in result.citations:
        print(f"  [{c.n}] {c.title}（{c.start}-{c.end}）：{c.quote[:80]}")
    for w in result.warnings:
        print(f"  ⚠ {w}")
    if explain:
        print("  过程：")
        for step in result.trace:
            print(f"    {step.line()}")
    print()


def cmd_reindex(args: argparse.Namespace) -> int:
    from index.locks import IndexBusy
    from index.search_indexes import rebuild_search_indexes
    from index.stores.base import IndexUnusable

    settings = load_settings()
    try:
        indexes = rebuild_search_indexes(settings)
    except (IndexBusy, IndexUnusable) as exc:
        print(f"✗ {exc}", file=sys.stderr)
        return 2
    counts = "，".join(f"{type(i).__name__} {len(set(i.ids()))} 块" for i in indexes)
    print(f"已从文档库重建检索索引：{counts}")
    return 0


def cmd_check(args: argparse.Namespace) -> int:
    from assistant.review import run_check_command

    return run_check_command(args, open_store())


COMMANDS = {
    "ingest": cmd_ingest,
    "docs": cmd_docs,
    "facts": cmd_facts,
    "tasks": cmd_tasks,
    "search": cmd_search,
    "ask": cmd_ask,
    "reindex": cmd_reindex,
    "check": cmd_check,
}

if __name__ == "__main__":
    sys.exit(main())
