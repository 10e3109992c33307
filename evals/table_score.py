"""Cell-level accuracy of the table reader against hand-checked gold files, per input form.

    python -m evals tables                      # dev corpus, data/realdocs/{tune,holdout}, real PDFs
    python -m evals tables GOLD_DIR DOCS_DIR …  # any folders of gold files and their documents

Gold files use the schema of ``shared/realdocs/dev/gold`` and are mapped to cells exactly as
``shared/tools/score_facts.py`` maps them (null gold cells are not scored; a report without the
standard tables must yield no table facts, which counts as one cell), but each document is built
in-process with ``index.pipeline.build_document`` instead of a CLI ingest per file.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from pathlib import Path

from index.pipeline import build_document
from index.tables.labels import APPLICANT_COLUMNS, GROUP_ROWS, TABLES

REPO = Path(__file__).resolve().parent.parent
SHARED = REPO.parent / "shared" / "realdocs"
DEFAULT_SETS = {
    "dev": (SHARED / "dev" / "gold", SHARED / "dev"),
    "pdf": (SHARED / "gold", SHARED),
    "tune": (REPO / "data" / "realdocs" / "tune" / "gold", REPO / "data" / "realdocs" / "tune"),
    "holdout": (
        REPO / "data" / "realdocs" / "holdout" / "gold",
        REPO / "data" / "realdocs" / "holdout",
    ),
    # a second holdout, scored once when its gold was final: two forms of the same reports
    "holdout2": (
        REPO / "data" / "realdocs" / "holdout2" / "gold" / "txt",
        REPO / "data" / "realdocs" / "holdout2",
    ),
    "holdout2-html": (
        REPO / "data" / "realdocs" / "holdout2" / "gold" / "html",
        REPO / "data" / "realdocs" / "holdout2",
    ),
}
MAX_BYTES = 50_000_000
COLS = list(APPLICANT_COLUMNS)
# Gold keys of the three groups of sub-rows, each read in the schema's printed order.
SUB = {
    key: (group, [row.canonical.split(".", 1)[1] for row in GROUP_ROWS[group]])
    for key, group in (
        ("denied_rows", "不予公开"),
        ("unable_rows", "无法提供"),
        ("not_processed_rows", "不予处理"),
    )
}
TOP = {"new_received": "本年新收", "carried_over": "上年结转", "granted": "予以公开",
       "partially_granted": "部分公开", "total_processed": "总计",
       "carried_to_next_year": "结转下年度"}  # fmt: skip
REVIEW = {"admin_review_行政复议": "行政复议",
          "litigation_direct_未经复议直接起诉": "行政诉讼.未经复议直接起诉",
          "litigation_after_review_复议后起诉": "行政诉讼.复议后起诉"}  # fmt: skip
REVIEW_COLS = {"maintained": "结果维持", "corrected": "结果纠正", "other_result": "其他结果",
               "pending": "尚未审结", "total": "总计"}  # fmt: skip
Key = tuple[str, str, str]


def gold_cells(gold: dict) -> dict[Key, float]:
    """The scored cells of a gold file, keyed like canonical facts."""
    cells: dict[Key, float] = {}
    apps = gold.get("applications_by_column") or {}
    for key, row in TOP.items():
        for col, value in zip(COLS, apps.get(key) or [], strict=False):
            if value is not None:
                cells[("依申请", row, col)] = float(value)
    for key, (group, labels) in SUB.items():
        for i, values in enumerate((apps.get(key) or {}).values()):
            for col, value in zip(COLS, values or [], strict=False):
                if value is not None:
                    cells[("依申请", f"{group}.{labels[i]}", col)] = float(value)
    others = apps.get("other_processing_rows") or []
    names = (
        ["其他处理"]
        if len(others) == 1
        else ["其他处理.逾期不补正", "其他处理.逾期未缴费", "其他处理.其他"]
    )
    for name, values in zip(names, others, strict=False):
        for col, value in zip(COLS, values or [], strict=False):
            if value is not None:
                cells[("依申请", name, col)] = float(value)
    for key, row in REVIEW.items():
        for ckey, col in REVIEW_COLS.items():
            value = ((gold.get("review_litigation") or {}).get(key) or {}).get(ckey)
            if isinstance(value, int | float):
                cells[("复议诉讼", row, col)] = float(value)
    for row, cols in (gold.get("active_disclosure") or {}).items():
        if not isinstance(cols, dict):
            continue
        for col, value in cols.items():
            number = _gold_number(value)
            if number is not None:
                cells[("主动公开", row, col.replace("/", ""))] = number
    return {canon(*k): v for k, v in cells.items()}


def _gold_number(value) -> float | None:
    if value is None:
        return None
    if isinstance(value, str):
        m = re.search(r"-?\d+(?:\.\d+)?", value.replace(",", ""))
        if not m:
            return None
        number = float(m.group())
        return number / 10000.0 if "元" in value and "万" not in value else number
    return float(value)


def canon(table: str, row: str, col: str) -> Key:
    """Fold spacing, quotes, numbering and the long 2021 sub-row labels (as score_facts does)."""
    row = re.sub(r"[\s“”\"'「」]", "", row or "")
    parts = [p for p in re.split(r"[.．]", row) if p and not re.fullmatch(r"\d+", p)]
    row = ".".join(
        re.sub(r"^(?:[（(][一二三四五六七八九十]+[）)]|[一二三四五六七八九十]+、|\d+、)", "", p)
        for p in parts
    )
    col = re.sub(r"[\s/]", "", col or "").replace("（单位：万元）", "").replace("（万元）", "")
    if row.startswith("其他处理."):
        tail = row.split(".", 1)[1]
        row = (
            "其他处理.逾期不补正" if "补正" in tail
            else "其他处理.逾期未缴费" if any(w in tail for w in ("缴纳", "缴费", "费用"))
            else "其他处理.其他"
        )  # fmt: skip
    return table, row, col


@dataclass
class FileScore:
    """One report's cells: read right, read wrong, left out with a warning, or just missed."""

    name: str
    form: str
    hit: int
    total: int
    misses: list[str] = field(default_factory=list)
    wrong: int = 0
    ambiguous: int = (
        0  # left out under an ``ambiguous_cells`` warning: the text allows several splits
    )

    @property
    def missed(self) -> int:
        return self.total - self.hit - self.wrong - self.ambiguous


_UNSETTLED = re.compile(
    r"^(?:ambiguous_cells|table_row_unaligned): (?P<table>[^/\s]+)/(?P<rows>\S+)"
)


def ambiguous_rows(warnings: list[str]) -> set[tuple[str, str]]:
    """(table, row) of every row the reader left out because its printed run cannot be settled."""
    rows = set()
    for warning in warnings:
        m = _UNSETTLED.match(warning)
        if m:
            rows |= {(m["table"], row) for row in m["rows"].split("+")}
    return rows


def _is_ambiguous(key: Key, rows: set[tuple[str, str]]) -> bool:
    return any(t == key[0] and (key[1] in r or r in key[1]) for t, r in rows)


def form_of(gold: dict, path: Path) -> str:
    """The input form, coarsely: crawler text, HTML, Markdown, DOCX, PDF."""
    suffix = path.suffix.lower()
    if suffix == ".pdf":
        return "PDF"
    if suffix == ".docx":
        return "DOCX"
    if suffix in (".html", ".htm"):
        return "HTML"
    if suffix == ".md" or "markdown" in str(gold.get("form", "")).lower():
        return "Markdown"
    return "crawler text"


def score_file(gold_path: Path, docs_dir: Path) -> FileScore | None:
    gold = json.loads(gold_path.read_text("utf-8"))
    if not gold.get("file") or not str(gold["file"]).endswith(("annual_report.txt", "annual_report.md",
       "annual_report.html", "annual_report.docx", "annual_report.pdf")):  # fmt: skip
        return None
    path = docs_dir / gold["file"]
    want = gold_cells(gold)
    built = build_document(path, MAX_BYTES)
    got: dict[Key, float] = {}
    for fact in built.facts:
        if fact.origin == "text" or fact.value is None:
            continue
        value = fact.value / 10000.0 if fact.unit == "元" else fact.value
        got[canon(fact.table, fact.row, fact.col)] = float(value)
    form = form_of(gold, path)
    if not want:
        emitted = [k for k in got if k[0] in TABLES]
        misses = [f"{len(emitted)} table facts from a report without standard tables"]
        return FileScore(path.name, form, int(not emitted), 1, misses if emitted else [])
    misses, wrong, ambiguous = [], 0, 0
    unsettled = ambiguous_rows(built.doc.warnings)
    for key, value in want.items():
        found = got.get(key)
        if found is None and key[1] == "规范性文件":
            found = got.get((key[0], "行政规范性文件", key[2]))
        if found is None or abs(found - value) > 1e-6 * max(1.0, abs(value)):
            misses.append(f"{key}: want {value:g} got {found}")
            wrong += found is not None
            ambiguous += found is None and _is_ambiguous(key, unsettled)
    return FileScore(path.name, form, len(want) - len(misses), len(want), misses, wrong, ambiguous)


def score_folder(gold_dir: Path, docs_dir: Path) -> list[FileScore]:
    scores = (score_file(g, docs_dir) for g in sorted(gold_dir.glob("*.json")))
    return [s for s in scores if s is not None]


def summary(scores: list[FileScore]) -> dict[str, tuple[int, ...]]:
    """Per form, plus "all": (files, cells read, cells in gold, wrong, ambiguous, missed)."""
    out: dict[str, tuple[int, ...]] = {}
    for s in scores:
        row = (1, s.hit, s.total, s.wrong, s.ambiguous, s.missed)
        for form in (s.form, "all"):
            before = out.get(form, (0,) * len(row))
            out[form] = tuple(a + b for a, b in zip(before, row, strict=True))
    return out


def run_tables_command(args) -> int:
    sets = (
        {f"{g}": (Path(g), Path(d)) for g, d in zip(args.dirs[::2], args.dirs[1::2], strict=True)}
        if args.dirs
        else {name: dirs for name, dirs in DEFAULT_SETS.items() if dirs[0].exists()}
    )
    lines = [
        "| set | form | files | cells read | % | wrong | left out, warned | missed |"
        " of the cells the text settles |",
        "|---|---|---|---|---|---|---|---|---|",
    ]
    for name, (gold_dir, docs_dir) in sets.items():
        scores = score_folder(gold_dir, docs_dir)
        if args.verbose:
            for s in scores:
                print(
                    f"{name} {s.name}: {s.hit}/{s.total}"
                    + (f"  e.g. {s.misses[:3]}" if s.misses else "")
                )
        for form, (files, hit, total, wrong, ambiguous, missed) in sorted(
            summary(scores).items(), key=lambda x: x[0] == "all"
        ):
            settled = total - ambiguous
            lines.append(
                f"| {name} | {form} | {files} | {hit}/{total} | {100 * hit / max(total, 1):.1f}% "
                f"| {wrong} | {ambiguous} | {missed} "
                f"| {hit}/{settled} ({100 * hit / max(settled, 1):.1f}%) |"
            )
    print("\n".join(lines))
    return 0
