"""The review desk (年报审核) rule by rule, on real reports and on copies of real reports the
test changes in one place, so that every rule is seen both to fire and to stay silent."""

from __future__ import annotations

import csv
import re
from pathlib import Path

import pytest

from assistant.review import ERROR, NOTE, WARNING, check_reports, write_csv, write_xlsx

REPO = Path(__file__).resolve().parent.parent
SAMPLE = REPO / "data" / "sample"
DEV = REPO.parent / "shared" / "realdocs" / "dev"
HONGZE_MD = DEV / "hongze-pdf2md_2023_annual_report.md"  # 2021 format, Markdown pipe tables
LAIWU = SAMPLE / "laiwu_2020_annual_report.txt"  # 2019 format

# Rows of the 洪泽 2023 Markdown table as printed.
NEW = "|一、本年新收政府信息公开申请数量" * 3 + "|21|0|0|0|0|0|21|"
CARRIED = "|二、上年结转政府信息公开申请数量" * 3 + "|0|0|0|0|0|0|0|"
NEXT_YEAR = "|四、结转下年度继续办理" * 3 + "|0|0|0|0|0|0|0|"
GRANTED = "|三<br>、<br>本<br>年<br>度<br>办<br>理<br>结<br>果|（一）予以公开|（一）予以公开|0|0|0|0|0|0|0|"
REGULATIONS = "|行政规范性文件|0|5|5|"
REVIEW_ROW = "|10|1|0|0|0|0|0|0|0|0|5|0|0|0|0|"  # 表四 as printed: 总计 0 twice


def hongze(year: int = 2023) -> str:
    """The 洪泽 2023 report's Markdown, printed as the report of ``year``."""
    return HONGZE_MD.read_text(encoding="utf-8").replace("2023", str(year))


def changed(text: str, *pairs: tuple[str, str]) -> str:
    for old, new in pairs:
        assert old in text, old
        text = text.replace(old, new)
    return text


def check(tmp_path: Path, files: dict[str, str]) -> list:
    """Ingest ``files`` (name → text) into a fresh store and check every report."""
    from index.pipeline import ingest_paths
    from index.stores.sqlite import SQLiteStore

    folder = tmp_path / "docs"
    folder.mkdir(parents=True, exist_ok=True)
    for name, text in files.items():
        (folder / name).write_text(text, encoding="utf-8")
    store = SQLiteStore(tmp_path / "gongkai.sqlite3")
    results = ingest_paths([folder / name for name in files], store)
    assert not [r.error for r in results if r.status == "failed"]
    docs = store.documents()
    return check_reports(docs, docs, store.facts)


def rules(findings, severity: str | None = None) -> set[str]:
    return {f.rule for f in findings if severity is None or f.severity == severity}


def messages(findings, rule: str) -> str:
    return "\n".join(f.message for f in findings if f.rule == rule)


@pytest.fixture(scope="module")
def sample_findings(sample_store):
    docs = sample_store.documents()
    return docs, check_reports(docs, docs, sample_store.facts)


def of(findings, docs, name: str) -> list:
    ids = {d.doc_id for d in docs if Path(d.source).name == name}
    return [f for f in findings if f.doc_id in ids]


# ── table identities ──────────────────────────────────────────────────────────────────────
def test_review_totals_printed_as_zero_are_errors_on_the_real_report(sample_findings):
    docs, findings = sample_findings
    errors = [f for f in of(findings, docs, "hongze_2023_annual_report.pdf") if f.severity == ERROR]
    assert {f.rule for f in errors} == {"勾稽关系"}
    text = messages(errors, "勾稽关系")
    assert "行政复议" in text and "= 11，总计 = 0" in text and "复议后起诉" in text
    assert all(f.citations and f.citations[0].quote for f in errors)


def test_every_identity_of_the_template_fires_on_a_changed_cell(tmp_path):
    original = HONGZE_MD.read_text(encoding="utf-8")
    fixed_review = changed(original, (REVIEW_ROW, "|10|1|0|0|11|0|0|0|0|0|5|0|0|0|5|"))
    outcome = changed(
        fixed_review, (GRANTED, GRANTED.replace("|0|0|0|0|0|0|0|", "|1|0|0|0|0|0|1|"))
    )
    balance = changed(fixed_review, (NEW, NEW.replace("|21|", "|22|", 1)))
    findings = check(
        tmp_path,
        {
            "fixed_2023_annual_report.md": fixed_review,
            "outcome_2023_annual_report.md": outcome,
            "balance_2023_annual_report.md": balance,
        },
    )
    errors = [f for f in findings if f.severity == ERROR]
    texts = {f.message for f in errors}
    # （七）总计 = Σ outcomes, per column (自然人 and 总计 both off by the changed 1)
    assert any("予以公开+部分公开" in t and "= 22，总计 = 21" in t for t in texts)
    # 一 + 二 = （七） + 四 (总计 column kept at 21, 自然人 now 22) and the row total
    assert any("本年新收+上年结转 = 22，总计+结转下年度 = 21" in t for t in texts)
    assert any("自然人+法人或其他组织 = 22，总计 = 21" in t for t in texts)
    # with the 表四 totals printed right, nothing in that table is wrong
    assert not any("复议诉讼" in t for t in texts)
    assert len({f.doc_id for f in errors}) == 2


# ── across years of one issuer ────────────────────────────────────────────────────────────
def test_two_real_years_of_one_issuer_agree(sample_findings):
    """洪泽 2024 carried 0 = 2023's 结转下年度 0; 规范性文件 现行有效 8 = 5 + 3 − 0."""
    docs, findings = sample_findings
    later = of(findings, docs, "hongze_2024_annual_report.pdf")
    assert not rules(later) & {"跨年度结转", "现行有效件数", "异常变化"}


def test_cross_year_rules_fire_on_a_changed_next_year(tmp_path):
    last_year = HONGZE_MD.read_text(encoding="utf-8")
    consistent = changed(hongze(2024), (REGULATIONS, "|行政规范性文件|2|1|6|"))
    assert not rules(
        check(
            tmp_path / "a",
            {"hz_2023_annual_report.md": last_year, "hz_2024_annual_report.md": consistent},
        )
    ) & {"跨年度结转", "现行有效件数", "异常变化"}

    # 上年结转 3 (last year carried 0 forward), 新收 ×10, 现行有效 5 ≠ 5 + 0 − 5
    jumped = changed(
        hongze(2024),
        (CARRIED, CARRIED.replace("|0|0|0|0|0|0|0|", "|3|0|0|0|0|0|3|")),
        (NEW, NEW.replace("|21|0|0|0|0|0|21|", "|210|0|0|0|0|0|210|")),
        (NEXT_YEAR, NEXT_YEAR.replace("|0|0|0|0|0|0|0|", "|192|0|0|0|0|0|192|")),
    )
    findings = check(
        tmp_path / "b", {"hz_2023_annual_report.md": last_year, "hz_2024_annual_report.md": jumped}
    )
    later = [f for f in findings if "2024" in f.title]
    assert {"跨年度结转", "现行有效件数", "异常变化"} <= rules(later)
    assert "上年结转”3件" in messages(later, "跨年度结转") and "0件" in messages(
        later, "跨年度结转"
    )
    assert "= 0件" in messages(later, "现行有效件数")
    carried = next(f for f in later if f.rule == "跨年度结转")
    assert len({c.doc_id for c in carried.citations}) == 2  # this year's cell and last year's
    # the changed table itself still balances: no identity error on it
    assert not [f for f in later if f.severity == ERROR and "依申请" in f.message]


# ── text vs table ─────────────────────────────────────────────────────────────────────────
def test_prose_figure_against_the_cell(sample_findings, tmp_path):
    docs, findings = sample_findings
    assert "正文 17 ≠ 表格 95" in messages(
        of(findings, docs, "hongze_2024_annual_report.pdf"), "正文与表格"
    )
    assert "正文与表格" not in rules(of(findings, docs, "hongze_2023_annual_report.pdf"))
    text = changed(
        HONGZE_MD.read_text(encoding="utf-8"),
        ("受理政府信息公开申请 21 件", "受理政府信息公开申请 12 件"),
    )
    assert "正文 12 ≠ 表格 21" in messages(
        check(tmp_path, {"hz_2023_annual_report.md": text}), "正文与表格"
    )


def test_prose_review_and_litigation_figures_against_the_cells(tmp_path):
    """淮安 2024 states 复议 351 (纠正 64) and 诉讼 46 in prose, as its 表四 prints them."""
    text = (DEV / "huaian-pdf2md_2024_annual_report.md").read_text(encoding="utf-8")
    assert "正文与表格" not in rules(check(tmp_path / "a", {"ha_2024_annual_report.md": text}))
    wrong = changed(
        text, ("结果纠正 64 件", "结果纠正 46 件"), ("行政诉讼 46 件", "行政诉讼 47 件")
    )
    found = messages(check(tmp_path / "b", {"ha_2024_annual_report.md": wrong}), "正文与表格")
    assert "行政复议.结果纠正 正文 46 ≠ 表格 64" in found
    assert "正文 47 ≠ 表格 46" in found


# ── form ──────────────────────────────────────────────────────────────────────────────────
def test_old_table_format_in_a_2021_report(tmp_path, sample_findings):
    docs, findings = sample_findings
    assert "表格格式" not in rules(of(findings, docs, LAIWU.name))
    text = LAIWU.read_text(encoding="utf-8").replace("2020", "2021")
    assert "表格格式" in rules(check(tmp_path, {"laiwu_2021_annual_report.txt": text}), WARNING)


def test_other_processing_printed_as_one_row_in_a_2021_table(sample_findings):
    """洪泽 prints 表二 in the 2021 format but （六）其他处理 as the 2019 single row."""
    docs, findings = sample_findings
    assert "仍印为一行" in messages(of(findings, docs, "hongze_2024_annual_report.pdf"), "表格格式")
    assert "表格格式" not in rules(of(findings, docs, "huaian_2024_annual_report.pdf"))


def test_missing_part_and_problems_written_as_none(tmp_path):
    original = HONGZE_MD.read_text(encoding="utf-8")
    no_six = re.sub(r"六、其他需要报告的事项.*", "", original, flags=re.S)
    none = re.sub(
        r"(五、存在的主要问题及改进情况)\n.*?\n(六、)", r"\1\n无。\n\2", original, flags=re.S
    )
    findings = check(
        tmp_path,
        {"a_2023_annual_report.md": original, "b_2023_annual_report.md": no_six,
         "c_2023_annual_report.md": none},
    )  # fmt: skip
    by_doc: dict[str, set[str]] = {}
    for f in findings:
        by_doc.setdefault(f.doc_id, set()).add(f.rule)
    assert sorted(("六个部分" in r, "存在的主要问题" in r) for r in by_doc.values()) == [
        (False, False),
        (False, True),
        (True, False),
    ]
    assert "六、其他需要报告的事项" in messages(findings, "六个部分")


def test_fees_charged_while_the_report_says_none(tmp_path, sample_findings):
    docs, findings = sample_findings
    assert "信息处理费" not in rules(
        of(findings, docs, "huaian_2024_annual_report.pdf")
    )  # 3940 元, reported
    text = changed(
        LAIWU.read_text(encoding="utf-8"),
        (
            "五、存在的主要问题及改进情况",
            "全年收取政府信息公开信息处理费 200 元。\n五、存在的主要问题及改进情况",
        ),
    )
    fee = [
        f for f in check(tmp_path, {"laiwu_2020_annual_report.txt": text}) if f.rule == "信息处理费"
    ]
    assert [f.severity for f in fee] == [WARNING] and "200元" in fee[0].message


def test_fees_not_reported_where_the_2021_format_asks(tmp_path):
    text = HONGZE_MD.read_text(encoding="utf-8")
    silent = check(tmp_path / "a", {"hz_2023_annual_report.md": text})
    assert "信息处理费" not in rules(silent)
    gone = re.sub(r"\d{4} 年，区政府严格落实.*?处理费\s*0\s*元。", "无。", text, flags=re.S)
    assert gone != text
    fee = [
        f
        for f in check(tmp_path / "b", {"hz_2023_annual_report.md": gone})
        if f.rule == "信息处理费"
    ]
    assert [f.severity for f in fee] == [NOTE]
    # fees named otherwise: 无向申请人收取政府信息公开费用的情况 (平潭社会事业局 2025, tune set)
    other = REPO / "data" / "realdocs" / "tune" / "pingtan-shehuishiyeju_2025_annual_report.txt"
    found = check(tmp_path / "c", {"sh_2025_annual_report.txt": other.read_text(encoding="utf-8")})
    assert "信息处理费" not in rules(found)


def test_blank_cells_where_zero_is_required(tmp_path):
    findings = check(
        tmp_path,
        {
            "a_2021_annual_report.txt": (
                DEV / "pingtan-shichangjianguanju_2021_annual_report.txt"
            ).read_text(encoding="utf-8")
        },
    )
    assert "表中有14格未填数字" in messages(findings, "空白单元格")
    assert "空白单元格" not in rules(
        check(tmp_path / "b", {"hz_2023_annual_report.md": HONGZE_MD.read_text(encoding="utf-8")})
    )


def test_label_typos_name_the_printed_and_the_expected_label(tmp_path, sample_findings):
    docs, findings = sample_findings
    text = messages(of(findings, docs, "hongze_2024_annual_report.pdf"), "标签错字")
    assert "“其他法律行政止公开”" in text and "“其他法律行政法规禁止公开”" in text
    changed_label = changed(
        HONGZE_MD.read_text(encoding="utf-8"), ("4.保护第三方合法权益|", "4.保护第三方合法权利|")
    )
    typos = messages(check(tmp_path, {"hz_2023_annual_report.md": changed_label}), "标签错字")
    assert "“保护第三方合法权利”" in typos and "“保护第三方合法权益”" in typos
    huaian = of(findings, docs, "huaian_2024_annual_report.pdf")
    assert "标签错字" not in rules(huaian)  # labels broken over lines and pages are not typos


# ── export ────────────────────────────────────────────────────────────────────────────────
def test_export_has_one_row_per_finding(sample_findings, tmp_path):
    from openpyxl import load_workbook

    _, findings = sample_findings
    assert len(findings) >= 5
    write_csv(findings, tmp_path / "审核.csv")
    write_xlsx(findings, tmp_path / "审核.xlsx")
    with (tmp_path / "审核.csv").open(encoding="utf-8-sig", newline="") as f:
        rows = list(csv.reader(f))
    sheet = load_workbook(tmp_path / "审核.xlsx").active
    cells = [[c if c is not None else "" for c in row] for row in sheet.iter_rows(values_only=True)]
    assert rows[0] == cells[0] == ["报告", "doc_id", "严重程度", "规则", "说明", "引用原文"]
    assert len(rows) == len(cells) == len(findings) + 1
    for row, sheet_row, finding in zip(rows[1:], cells[1:], findings, strict=True):
        assert row == sheet_row
        assert row[1:5] == [finding.doc_id, finding.severity, finding.rule, finding.message]


def test_heading_typo_issue_date_and_signature(tmp_path):
    heading = "四、政府信息公开行政复议、行政诉讼情况"
    text = HONGZE_MD.read_text(encoding="utf-8")
    economy = (DEV / "pingtan-jingjifazhanju_2020_annual_report.txt").read_text(encoding="utf-8")
    finance = (DEV / "pingtan-caizhengjinrongju_2022_annual_report.txt").read_text(encoding="utf-8")
    right = check(
        tmp_path / "a",
        {
            "hz_2023_annual_report.md": changed(text, ("行政止公开", "行政法规禁止公开")),
            "jj_2020_annual_report.txt": changed(
                economy, ("2020年1月26日印发", "2021年1月26日印发")
            ),
            "cz_2022_annual_report.txt": changed(finance, ("财政全融局", "财政金融局")),
        },
    )
    assert not [f.message for f in right if f.rule in ("标签错字", "印发日期", "落款")]
    wrong = check(
        tmp_path / "b",
        {
            "hz_2023_annual_report.md": changed(
                text, (heading, heading.replace("复议、", "复仪、"))
            ),
            "jj_2020_annual_report.txt": economy,
            "cz_2022_annual_report.txt": finance,
        },
    )
    assert "“政府信息公开行政复仪行政诉讼情况”" in messages(wrong, "标签错字")
    assert "2020年1月26日早于2020年度结束" in messages(wrong, "印发日期")
    assert "“平潭综合实验区财政全融局”" in messages(wrong, "落款")


def test_a_blank_template_is_reported_as_unfilled_not_missing(tmp_path):
    from index.pipeline import ingest_paths
    from index.stores.sqlite import SQLiteStore

    store = SQLiteStore(tmp_path / "gongkai.sqlite3")
    ingest_paths([DEV / "blank-template_2021_annual_report.docx"], store)
    docs = store.documents()
    findings = check_reports(docs, docs, store.facts)
    unfilled = messages(findings, "统计表未填写")
    assert "“依申请”" in unfilled and "“主动公开”" in unfilled
    assert "依申请" not in messages(findings, "统计表缺失")
    assert not [f for f in findings if f.severity == ERROR]
