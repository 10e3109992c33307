"""The review desk against the hand-checked gold: on every report of the dev corpus, of the
sample corpus and of the tune set (data/realdocs/tune) that has a gold file, the check finds the inconsistencies the gold records
(``inconsistencies.automatic_table_checks`` and the checkable ``manual_notes``) and raises no
error where the report's identities hold."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from assistant.review import ERROR, check_reports
from index.tables.labels import APPLICANT_COLUMNS

REPO = Path(__file__).resolve().parent.parent
SAMPLE = REPO / "data" / "sample"
REALDOCS = REPO.parent / "shared" / "realdocs"
DEV = REALDOCS / "dev"
TUNE = REPO / "data" / "realdocs" / "tune"
# gold folder → the folder holding the documents it describes
GOLD_DIRS = ((DEV / "gold", DEV), (REALDOCS / "gold", SAMPLE), (TUNE / "gold", TUNE))


def gold_cases() -> list[tuple[Path, Path]]:
    cases = []
    for gold_dir, docs_dir in GOLD_DIRS:
        for gold in sorted(gold_dir.glob("*.json")):
            documents = [p for p in docs_dir.glob(gold.stem + ".*") if p.suffix != ".json"]
            if documents and "inconsistencies" in json.loads(gold.read_text(encoding="utf-8")):
                cases.append((gold, documents[0]))
    return cases


CASES = gold_cases() if DEV.is_dir() else []


@pytest.fixture(scope="module")
def findings_by_file(tmp_path_factory):
    from index.pipeline import ingest_paths
    from index.stores.sqlite import SQLiteStore

    if not CASES:
        pytest.skip(f"dev corpus absent: {DEV}")
    store = SQLiteStore(tmp_path_factory.mktemp("review-gold") / "gongkai.sqlite3")
    files = sorted({doc for _, doc in CASES} | set(SAMPLE.iterdir()))  # one store: cross-year too
    results = ingest_paths(files, store)
    assert not [r.error for r in results if r.status == "failed"]
    docs = store.documents()
    by_id = {d.doc_id: Path(d.source).name for d in docs}
    out: dict[str, list] = {by_id[d.doc_id]: [] for d in docs}
    for finding in check_reports(docs, docs, store.facts):
        out[by_id[finding.doc_id]].append(finding)
    return out


def _messages(findings, rule: str) -> list[str]:
    return [f.message for f in findings if f.rule == rule]


# How a manual note that can be checked reads, and what the check must then report. Each
# returns a list of problems (empty = the note is matched by a finding); notes of other kinds
# (a signature typo, a peer fixture's origin) are not about the tables or the prose figures.
def _typo(note: str, findings) -> list[str] | None:
    words = re.findall(r"[Ll]abel typo[^\"]*\"(?:\d[.、])?([^\"]+)\"", note)
    words += re.findall(r"cell typo '([^']+)'", note)
    words += re.findall(r"Heading typo '(?:[一二三四五六]、)?([^']+)'", note)
    if not words:
        return None
    typos = _flat("".join(_messages(findings, "标签错字")))
    return [f"label typo {w} not reported" for w in words if _flat(w) not in typos]


def _flat(text: str) -> str:
    """Text without punctuation: a finding may quote a label without its 、"""
    return re.sub(r"[^\w]", "", text)


def _text_vs_table(note: str, findings) -> list[str] | None:
    m = re.match(r"Text: .*?(\d+) 件.*vs table.*? (\d+)\b.*mismatch", note)
    if not m:
        return None
    stated, cell = m.groups()
    found = any(f"正文 {stated} ≠ 表格 {cell}" in t for t in _messages(findings, "正文与表格"))
    return [] if found else [f"prose {stated} vs table {cell} not reported"]


def _information_items(note: str, findings) -> list[str] | None:
    if "information items" not in note:
        return None
    counts = re.findall(r"(\d+)条", note)
    alarms = [t for t in _messages(findings, "正文与表格") for n in counts if f"正文 {n} " in t]
    return [f"false alarm on information items: {a}" for a in alarms]


def _in_force_below_issued(note: str, findings) -> list[str] | None:
    m = re.search(r"现行有效 (\d+) after (?:制发|issuing) (\d+)", note)
    if not m:
        return None
    in_force, made = m.groups()
    wanted = f"本年制发{made}件，现行有效仅{in_force}件"
    # Where the row's digits run together with several readings (crawler text), the check
    # cannot know the cells and says so instead.
    unsettled = any("文件" in t for t in _messages(findings, "单元格连写"))
    found = any(wanted in t for t in _messages(findings, "现行有效件数"))
    return [] if found or unsettled else [wanted]


def _cases_above_applications(note: str, findings) -> list[str] | None:
    m = re.search(r"(?:although only|while 表三 has) (\d+) application", note)
    if not m:
        return None
    wanted = f"申请{m.group(1)}件"
    return [] if any(wanted in t for t in _messages(findings, "复议诉讼与申请数")) else [wanted]


def _abridged(note: str, findings) -> list[str] | None:
    if not re.search(r"Partial table|Abridged", note):
        return None
    return [] if _messages(findings, "表格行缺失") else ["abridged table not reported"]


def _blank_rows(note: str, findings) -> list[str] | None:
    if "printed with no values" not in note:
        return None
    return [] if _messages(findings, "空白单元格") else ["blank cells not reported"]


def _printed_date(note: str, findings) -> list[str] | None:
    m = re.search(r"'(\d{4})年(\d{1,2})月(\d{1,2})日印发' \(year typo", note)
    if not m:
        return None
    found = any(m.group(1) in t for t in _messages(findings, "印发日期"))
    return [] if found else ["印发 date before the report year's end not reported"]


def _signature(note: str, findings) -> list[str] | None:
    m = re.search(r"Signature misspelt '([^']+)'", note)
    if not m:
        return None
    found = any(m.group(1) in t for t in _messages(findings, "落款"))
    return [] if found else [f"signature {m.group(1)} not reported"]


NOTE_CHECKS = (
    _typo,
    _text_vs_table,
    _information_items,
    _in_force_below_issued,
    _cases_above_applications,
    _abridged,
    _blank_rows,
    _printed_date,
    _signature,
)


def read_gold_check(check: str) -> tuple[str, str, str]:
    """(row or column, the sum of the parts, the printed total) of a gold identity check:
    "表四 行政复议: 维持+纠正+其他+尚未审结 = 11 but 总计 = 0", "表三 column 7: 一+二 = 1 but
    （七）总计+四 = 2", "表三 column 5: 办理结果 rows sum to 1, （七）总计 printed 0"."""
    m = re.match(r"表[二三四] (?:column (\d+)|(\S+)): .*?(?:= |sum to )(\d+)\D+?(\d+)$", check)
    assert m, f"unreadable gold check: {check}"
    column, row, first, second = m.groups()
    return (APPLICANT_COLUMNS[int(column) - 1] if column else row), first, second


@pytest.mark.parametrize(("gold", "document"), CASES, ids=[g.stem for g, _ in CASES])
def test_the_check_finds_what_the_gold_records(gold, document, findings_by_file):
    findings = findings_by_file[document.name]
    recorded = json.loads(gold.read_text(encoding="utf-8"))["inconsistencies"]
    errors = [f.message for f in findings if f.severity == ERROR]
    problems = []
    for check in recorded["automatic_table_checks"]:
        where, first, second = read_gold_check(check)
        if not any(
            where in e and f"= {first}，" in e and e.endswith(f"= {second}") for e in errors
        ):
            problems.append(f"identity not reported: {check}")
    if not recorded["automatic_table_checks"]:
        problems += [f"error on a report whose identities hold: {e}" for e in errors]
    for note in recorded["manual_notes"]:
        for check in NOTE_CHECKS:
            problems += check(note, findings) or []
    # prose against the cells: only where the gold records a contradiction
    if not any(_text_vs_table(note, []) is not None for note in recorded["manual_notes"]):
        problems += [f"false alarm: {m}" for m in _messages(findings, "正文与表格")]
    assert not problems, problems


def test_every_checkable_kind_of_note_is_met():
    """The note readers above are not dead code: each matches a note of the gold."""
    notes = [
        note
        for gold, _ in CASES
        for note in json.loads(gold.read_text(encoding="utf-8"))["inconsistencies"]["manual_notes"]
    ]
    for check in NOTE_CHECKS:
        assert any(check(note, []) is not None for note in notes), check.__name__


def test_no_error_on_sample_reports_without_gold(findings_by_file):
    """槐荫 2019 and 莱芜 2020 (sample corpus) hold all their identities: no error."""
    for name in ("huaiyin_2019_annual_report.txt", "laiwu_2020_annual_report.txt"):
        assert not [f.message for f in findings_by_file[name] if f.severity == ERROR], name
