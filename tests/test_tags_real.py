"""Tags of the real dev documents (../shared/realdocs/dev) read from their own text.

Expected kind/region/issuer/year follow the dev README table and the gold files; 文号 and dates
are what the files print (crawler header, signature line)."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from domain import refusals
from index.clean import clean_text
from index.load import load_file
from index.tag import OWN_LEVEL, is_own_level, split_org, tag_document

DEV = Path(__file__).resolve().parent.parent.parent / "shared" / "realdocs" / "dev"
PT = "平潭综合实验区"

# file: (kind, region, issuer, year, pub_date)
EXPECTED = {
    "pingtan-gonganju_2019_annual_report.txt": ("annual_report", PT, "公安局", 2019, "2020-01-17"),
    # the signature (2021年1月26日) is the date when the cleaned text keeps the body; the
    # header's 发布时间 (2021-01-27) when it does not (site chrome inside the body line)
    "pingtan-jingjifazhanju_2020_annual_report.txt": (
        "annual_report",
        PT,
        "经济发展局",
        2020,
        "2021-01-26|2021-01-27",
    ),
    "pingtan-shichangjianguanju_2021_annual_report.txt": (
        "annual_report",
        PT,
        "市场监督管理局",
        2021,
        "2022-01-07",
    ),
    # the signature prints 财政全融局 (typo); the title's 财政金融局 wins, the signature gives the date
    "pingtan-caizhengjinrongju_2022_annual_report.txt": (
        "annual_report",
        PT,
        "财政金融局",
        2022,
        "2023-01-04",
    ),
    "pingtan-shehuishiyeju_2023_annual_report.txt": (
        "annual_report",
        PT,
        "社会事业局",
        2023,
        "2024-01-26",
    ),
    "pingtan-shehuishiyeju-html_2023_annual_report.html": (
        "annual_report",
        PT,
        "社会事业局",
        2023,
        "2024-01-26",
    ),
    "pingtan-gonganju_2024_annual_report.txt": ("annual_report", PT, "公安局", 2024, "2025-01-20"),
    # the whole region's own report: the title names the region alone; date from the header
    "pingtan_2018_annual_report.txt": ("annual_report", PT, OWN_LEVEL, 2018, "2019-01-10"),
    "huaian-pdf2md_2024_annual_report.md": ("annual_report", "淮安市", "人民政府", 2024, ""),
    "hongze-pdf2md_2023_annual_report.md": ("annual_report", "淮安市洪泽区", "人民政府", 2023, ""),
    "kgc-test_suqian_2025_annual_report.md": ("annual_report", "宿迁市", OWN_LEVEL, 2025, ""),
    # no title and no region printed (区科委): left empty, with warnings
    "kgc-test_fengxian-style_2025_annual_report.html": ("annual_report", "", "", 2025, ""),
    # the blank template: an annual-report form without region, issuer or year
    "blank-template_2021_annual_report.docx": ("annual_report", "", "", None, ""),
    "fujian_2016_workpoints.txt": ("work_points", "福建省", "办公厅", 2016, "2016-05-27"),
}
# 测试市 is printed only in the page's <title>, which the loader keeps as the first line.
TITLE_ONLY = {"kgc-test_hangzhou-style_2025_annual_report.html": ("annual_report", "测试市", 2025)}


def cleaned(name: str) -> str:
    loaded = load_file(DEV / name)
    return clean_text(loaded.text, join_wrapped_lines=bool(loaded.pages)).text


def test_every_dev_document_is_covered():
    files = {p.name for p in DEV.iterdir() if p.is_file() and p.name != "README.md"}
    assert files == set(EXPECTED) | set(TITLE_ONLY)


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_dev_document_tags(name):
    tags = tag_document(cleaned(name))
    kind, region, issuer, year, pub_date = EXPECTED[name]
    assert (tags.kind, tags.region, tags.issuer, tags.year) == (kind, region, issuer, year)
    signed, _, posted = pub_date.partition("|")
    year_, month, day = (int(p) for p in (signed or "0-0-0").split("-"))
    printed = f"{year_}年{month}月{day}日" in re.sub(r"\s+", "", cleaned(name))
    assert tags.pub_date == (signed if not posted or printed else posted)
    for field, value in (("region", region), ("issuer", issuer), ("year", year)):
        assert (f"{field}_unknown" in tags.warnings) == (not value)
    assert tags.title and not tags.title.startswith(("标题", "正文", "#"))


@pytest.mark.parametrize("name", sorted(TITLE_ONLY))
def test_region_printed_only_in_the_html_title(name):
    text = cleaned(name)
    title = re.search(r"<title>(.*?)</title>", (DEV / name).read_text(encoding="utf-8")).group(1)
    if title not in text:
        pytest.skip("the loader does not keep the HTML <title> line yet")
    tags = tag_document(text)
    assert (tags.kind, tags.region, tags.year) == TITLE_ONLY[name]


def test_tags_agree_with_gold_where_gold_names_them():
    for name, (_kind, region, issuer, year, _) in EXPECTED.items():
        gold = json.loads((DEV / "gold" / (Path(name).stem + ".json")).read_text(encoding="utf-8"))
        assert gold.get("report_year", year) == year, name
        if region and isinstance(gold.get("region"), str):
            assert gold["region"].endswith(region), name  # gold adds the province (福建省…)
        if gold.get("issuer") and not is_own_level(issuer):
            assert gold["issuer"].startswith(region + issuer), name


def test_header_title_and_doc_number_come_from_the_crawler_header():
    tags = tag_document(cleaned("pingtan-caizhengjinrongju_2022_annual_report.txt"))
    assert tags.title == "平潭综合实验区财政金融局2022年度政府信息公开工作年度报告"
    fujian = tag_document(cleaned("fujian_2016_workpoints.txt"))
    assert fujian.title == "福建省人民政府办公厅关于印发2016年政务公开工作主要任务分解表的通知"
    assert fujian.doc_number == ""  # the header's 文号 is empty: no number invented


@pytest.mark.parametrize(
    ("org", "expected"),
    [
        ("平潭综合实验区公安局", (PT, "公安局")),
        ("平潭综合实验区市场监督管理局", (PT, "市场监督管理局")),
        ("上海市人民政府办公厅", ("上海市", "办公厅")),
        ("济南市莱芜区人民政府", ("济南市莱芜区", "人民政府")),
        ("宿迁市", ("宿迁市", OWN_LEVEL)),
        ("办公室", ("", "")),
        ("关于印发", ("", "")),
    ],
)
def test_split_org(org, expected):
    assert split_org(org) == expected


# ── answering by region and issuer ──────────────────────────────────────────────────────
SAMPLE = Path(__file__).resolve().parent.parent / "data" / "sample"
LAIWU = (SAMPLE / "laiwu_2020_annual_report.txt").read_text(encoding="utf-8")


def built_report(folder: Path, name: str, org: str, year: int, region_printed: str) -> Path:
    """The sample 莱芜区 2020 report (whose tables the reader parses) reissued by ``org`` for
    ``year``: its title line and every printed 济南市莱芜区 changed, nothing else."""
    text = LAIWU.replace("济南市莱芜区人民政府\n", f"{org}\n", 1).replace(
        "2020年政府信息公开工作年度报告", f"{year}年政府信息公开工作年度报告", 1
    )
    path = folder / name
    path.write_text(text.replace("济南市莱芜区", region_printed), encoding="utf-8")
    return path


@pytest.fixture(scope="module")
def scoped_store(tmp_path_factory):
    """Real 平潭 department reports and the 全区 2018 report, the sample 莱芜区 2020 report, and
    built reports: 平潭 全区 and 公安局 2023 (with tables), 莱芜区 2021 printed without 济南市."""
    from index.pipeline import ingest_paths
    from index.stores.sqlite import SQLiteStore

    folder = tmp_path_factory.mktemp("scoped")
    built = [
        built_report(folder, "pt_all_2023.txt", "平潭综合实验区管委会办公室", 2023, PT),
        built_report(folder, "pt_police_2023.txt", "平潭综合实验区公安局", 2023, PT),
        built_report(folder, "laiwu_2021.txt", "莱芜区人民政府", 2021, "莱芜区"),
    ]
    real = [
        DEV / "pingtan-gonganju_2024_annual_report.txt",
        DEV / "pingtan-caizhengjinrongju_2022_annual_report.txt",
        DEV / "pingtan_2018_annual_report.txt",
        SAMPLE / "laiwu_2020_annual_report.txt",
    ]
    store = SQLiteStore(folder / "gongkai.sqlite3")
    results = ingest_paths([*built, *real], store)
    assert not [r.error for r in results if r.status == "failed"]
    return store


def by_title(store, fragment: str):
    return [d for d in store.documents() if fragment in d.title]


def test_built_reports_are_tagged_by_their_issuer(scoped_store):
    police = by_title(scoped_store, "公安局2023")
    assert [(d.region, d.issuer, d.year) for d in police] == [(PT, "公安局", 2023)]
    own = by_title(scoped_store, "管委会办公室2023")
    assert [(d.region, d.issuer) for d in own] == [(PT, "管委会办公室")]
    short = [d for d in scoped_store.documents() if d.year == 2021]
    assert [d.region for d in short] == ["莱芜区"]


def test_department_question_answers_from_that_department(scoped_store):
    from assistant.tools import answer_structured

    for question in ("平潭公安局2023年本年新收政府信息公开申请多少件", "公安局2023年新收申请数量"):
        answer = answer_structured(question, scoped_store)
        assert answer is not None and not answer.refused, question
        cited = {c.doc_id for c in answer.citations}
        police = by_title(scoped_store, "公安局2023")[0]
        assert cited == {police.doc_id}, question
        assert "另有" not in answer.answer and refusals.NOT_HELD not in answer.answer


def test_region_question_answers_from_the_regions_own_report_and_names_the_others(scoped_store):
    from assistant.tools import answer_structured

    answer = answer_structured("平潭2023年本年新收政府信息公开申请多少件", scoped_store)
    assert answer is not None and not answer.refused
    own = by_title(scoped_store, "管委会办公室2023")[0]
    assert {c.doc_id for c in answer.citations} == {own.doc_id}
    assert "另有平潭综合实验区公安局" in answer.answer and refusals.NOT_HELD not in answer.answer


def test_region_with_only_department_reports_lists_them(scoped_store):
    from assistant.tools import answer_structured

    answer = answer_structured("平潭综合实验区2024年本年新收申请多少件", scoped_store)
    assert answer is not None and answer.refused and answer.value is None
    assert "公安局（2024年）" in answer.answer and "请写明部门" in answer.answer


def test_one_region_printed_two_ways_is_one_region(scoped_store):
    from assistant.tools import answer_structured
    from assistant.understand import understand

    docs = scoped_store.documents()
    assert understand("莱芜区2021年新收申请多少件", docs).regions == ["济南市莱芜区", "莱芜区"]
    for question in ("莱芜区2021年本年新收申请多少件", "济南市莱芜区2021年本年新收申请多少件"):
        answer = answer_structured(question, scoped_store)
        assert answer is not None and not answer.refused, question
        assert refusals.NOT_HELD not in answer.answer, question  # an answer, never also a refusal
        assert answer.value is not None
    both = answer_structured("莱芜2020年和2021年本年新收申请分别是多少", scoped_store)
    assert both is not None and refusals.NOT_HELD not in both.answer
    assert len({c.doc_id for c in both.citations}) == 2


def test_docs_json_prints_every_document_field(scoped_store, capsys, monkeypatch):
    from assistant import __main__ as cli

    monkeypatch.setattr(cli, "open_store", lambda: scoped_store)
    assert cli.main(["docs", "--json"]) == 0
    rows = [json.loads(line) for line in capsys.readouterr().out.splitlines()]
    assert len(rows) == len(scoped_store.documents())
    fields = {"doc_id", "source", "title", "kind", "region", "issuer", "year", "doc_number"}
    fields |= {"pub_date", "table_format", "warnings"}
    assert all(fields <= set(row) and "text" not in row for row in rows)
    police = [r for r in rows if r["source"].endswith("pingtan-gonganju_2024_annual_report.txt")]
    assert [(r["region"], r["issuer"], r["year"]) for r in police] == [(PT, "公安局", 2024)]


# ── blank cells ──────────────────────────────────────────────────────────────────────────
@pytest.fixture(scope="module")
def blank_store(tmp_path_factory):
    """The sample 莱芜区 2020 report with its 本年新收/商业企业 cell stored as printed empty (the
    table reader's Fact(value=None, blank=True), as for the dev reports' empty cells)."""
    from index.pipeline import build_document
    from index.stores.sqlite import SQLiteStore

    built = build_document(SAMPLE / "laiwu_2020_annual_report.txt", 20 * 1024 * 1024)
    blanked = [
        f for f in built.facts if (f.table, f.row, f.col) == ("依申请", "本年新收", "商业企业")
    ]
    assert len(blanked) == 1
    blanked[0].value, blanked[0].blank = None, True
    store = SQLiteStore(tmp_path_factory.mktemp("blank") / "gongkai.sqlite3")
    store.replace_document(built.doc.source, built.doc, built.chunks, built.facts, built.tasks)
    return store


def test_a_blank_cell_is_answered_as_blank_not_as_a_number(blank_store):
    from assistant.tools import answer_structured

    answer = answer_structured("莱芜区2020年本年新收申请中商业企业有多少件", blank_store)
    assert answer is not None and answer.value is None
    assert "表中该格为空" in answer.answer and not re.search(r"商业企业：\d", answer.answer)
    assert answer.cells and answer.cells[0]["value"] is None


def test_a_sum_over_a_blank_cell_reads_it_as_zero_and_says_so(blank_store):
    from assistant.tools import answer_structured

    facts = {
        (f.row, f.col): f.value for f in blank_store.facts() if f.table == "依申请" and f.value
    }
    legal = ("科研机构", "社会公益组织", "法律服务机构", "其他")
    expected = sum(facts.get(("本年新收", c), 0) for c in legal)
    answer = answer_structured("莱芜区2020年本年新收申请中法人或其他组织有多少件", blank_store)
    assert answer is not None and answer.value == expected
    assert "商业企业 空" in answer.answer and "按0计" in answer.answer


# ── document-field answers name the issuer as printed ───────────────────────────────────
@pytest.mark.parametrize(
    ("path", "issuer", "date"),
    [
        (DEV / "pingtan-gonganju_2024_annual_report.txt", "平潭综合实验区公安局", "2025年1月20日"),
        (DEV / "fujian_2016_workpoints.txt", "福建省人民政府办公厅", "2016年5月27日"),
        (SAMPLE / "laiwu_2022_work_points.txt", "济南市莱芜区人民政府办公室", "2022年6月15日"),
    ],
)
def test_issuer_and_date_answers_quote_the_printed_name(path, issuer, date):
    from assistant.metadata import answer_document_field
    from index.pipeline import build_document

    doc = build_document(path, 20 * 1024 * 1024).doc
    named = answer_document_field("issuer", [doc])
    assert not named.refused and f"发文机关为{issuer}[1]" in named.answer
    assert issuer in re.sub(r"\s+", "", named.citations[0].quote)
    dated = answer_document_field("pub_date", [doc])
    assert not dated.refused and f"为{date}[1]" in dated.answer


@pytest.mark.parametrize(
    "name", ["format-2019_guobanhan-2019-60_notice.txt", "format-2021_guobanhan-2021-30_notice.txt"]
)
def test_a_notice_about_reports_in_general_is_not_a_report(name):
    loaded = load_file(DEV.parent / "reference" / name)
    tags = tag_document(clean_text(loaded.text).text)
    assert tags.kind == "other" and tags.title.startswith("国务院办公厅")  # read after '# SOURCE'
    assert tags.title.endswith("通知") and tags.year is None


# ── the whole answering path: a department's passages only ───────────────────────────────
@pytest.fixture(scope="module")
def pingtan_assistant(tmp_path_factory):
    """Two 平潭 department reports (公安局 2024, 财政金融局 2022) and the sample 莱芜区 2020
    report, fully indexed; answers use no LLM."""
    from dataclasses import replace

    from assistant.api import Assistant
    from config import load_settings
    from index.pipeline import ingest_paths
    from index.search_indexes import open_search_indexes

    settings = replace(load_settings(), home=tmp_path_factory.mktemp("pt"), embed="use", llm="none")
    assistant = Assistant(settings, llm="none")
    files = [
        DEV / "pingtan-gonganju_2024_annual_report.txt",
        DEV / "pingtan-caizhengjinrongju_2022_annual_report.txt",
        SAMPLE / "laiwu_2020_annual_report.txt",
    ]
    ingest_paths(files, assistant.store, open_search_indexes(settings))
    return assistant


def test_a_department_question_retrieves_only_that_departments_report(pingtan_assistant):
    docs = {d.issuer: d for d in pingtan_assistant.documents()}
    for question, issuer in (
        ("平潭公安局的年报里说下一步怎么改进？", "公安局"),
        ("区财政金融局的年度报告中存在哪些问题？", "财政金融局"),
    ):
        result = pingtan_assistant.answer(question)
        assert not result.refused and result.citations, question
        assert {c.doc_id for c in result.citations} == {docs[issuer].doc_id}, question
        assert refusals.NOT_HELD not in result.answer


def test_follow_ups_swap_the_department(scoped_store):
    from assistant.followup import resolve

    docs = scoped_store.documents()
    first = {"question": "平潭公安局2024年本年新收政府信息公开申请多少件？"}
    swapped = resolve("那财政金融局2022年呢？", [first], docs).text
    assert swapped == "平潭财政金融局2022年本年新收政府信息公开申请多少件？"
    added = resolve("公安局呢？", [{"question": "平潭2023年本年新收申请多少件？"}], docs).text
    assert added == "平潭公安局2023年本年新收申请多少件？"


def test_a_department_named_by_its_short_form(scoped_store):
    from assistant.scope import abbreviates, find_issuers

    assert abbreviates("市场监管局", "市场监督管理局") and abbreviates("卫健委", "卫生健康委员会")
    assert not abbreviates("公安局", "公共资源交易中心")
    found, spans = find_issuers("平潭财政局2022年收到多少申请", scoped_store.documents())
    assert found == ["财政金融局"] and spans == [(2, 5)]
