"""The 对比 view's data and the 年报审核 section's rendering, on real reports: the sample corpus
and the dev corpus' 平潭 department reports (numbers checked against their gold files)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from assistant import compare
from ui import compare_view, review_view

REPO = Path(__file__).resolve().parent.parent
DEV = REPO.parent / "shared" / "realdocs" / "dev"


@pytest.fixture(scope="module")
def pingtan(tmp_path_factory):
    from index.pipeline import ingest_paths
    from index.stores.sqlite import SQLiteStore

    if not DEV.is_dir():
        pytest.skip(f"dev corpus absent: {DEV}")
    files = sorted(DEV.glob("pingtan-*_annual_report.*"))
    store = SQLiteStore(tmp_path_factory.mktemp("compare") / "gongkai.sqlite3")
    assert not [r.error for r in ingest_paths(files, store) if r.status == "failed"]
    return store


def gold_total(name: str) -> float:
    data = json.loads((DEV / "gold" / f"{name}.json").read_text(encoding="utf-8"))
    return data["applications"]["new_received_total"]


def test_measures_cover_the_schema_with_chinese_labels():
    choices = dict(compare.measure_choices())
    labels = list(choices)
    assert "三、收到和处理申请｜本年新收｜总计" in labels
    assert "四、行政复议和行政诉讼｜行政诉讼·复议后起诉｜结果纠正" in labels
    assert "二、主动公开｜规范性文件｜现行有效件数" in labels
    assert len(set(choices.values())) == len(choices)  # every key once
    m = compare.measure_by_key("主动公开|规范性文件|现行有效件数")
    assert m is not None and "行政规范性文件" in m.printed  # the 2021 printed name


def test_a_regions_departments_over_the_years_match_the_gold(pingtan):
    docs = pingtan.documents()
    keys = compare.region_issuers(docs, "平潭综合实验区")
    assert "平潭综合实验区|公安局" in keys and len(keys) >= 5
    measure = compare.measure_by_key("依申请|本年新收|总计")
    result = compare.compare(docs, pingtan.facts, keys, [2019, 2024], measure)
    police = "平潭综合实验区|公安局"
    assert result.entries[(police, 2019)].value == gold_total("pingtan-gonganju_2019_annual_report")
    assert result.entries[(police, 2024)].value == gold_total("pingtan-gonganju_2024_annual_report")
    # A department without a 2019 report reads 无报告, never 0.
    finance = result.entries[("平潭综合实验区|财政金融局", 2019)]
    assert finance.state == compare.NO_REPORT and finance.value is None
    html = compare_view.comparison_html(result)
    assert "无报告" in html and "gk-cell-link" in html
    rows = compare_view.chart_rows(result)
    assert {(r["单位"], r["年份"]) for r in rows} == {
        ("平潭综合实验区公安局", "2019"), ("平潭综合实验区公安局", "2024")
    }  # fmt: skip
    assert compare_view.chart_kind(result) == "line"


def test_blank_cells_are_shown_as_blank_and_left_out_of_the_chart(pingtan):
    docs = pingtan.documents()
    measure = compare.measure_by_key("依申请|其他处理.其他|总计")
    key = "平潭综合实验区|市场监督管理局"
    result = compare.compare(docs, pingtan.facts, [key], [2021], measure)
    entry = result.entries[(key, 2021)]
    assert entry.state == compare.BLANK and entry.fact is not None and entry.fact.blank
    assert "表中为空" in compare_view.comparison_html(result)
    assert compare_view.chart_rows(result) == []


def test_one_year_is_a_bar_chart_with_the_printed_values(sample_store):
    docs = sample_store.documents()
    measure = compare.measure_by_key("复议诉讼|行政复议|结果纠正")
    keys = [k for _label, k in compare.issuer_choices(docs) if k.startswith("淮安市")]
    result = compare.compare(docs, sample_store.facts, keys, [2024], measure)
    assert compare_view.chart_kind(result) == "bar"
    values = {r["单位"]: r["数值"] for r in compare_view.chart_rows(result)}
    assert values["淮安市洪泽区人民政府"] == 1  # the cell view's PDF test reads the same cell


def test_check_scope_and_findings_table(sample_store):
    from assistant.review import check_reports

    docs = sample_store.documents()
    choices = review_view.scope_choices(docs)
    assert choices[0][1] == review_view.ALL
    hongze = next(v for label, v in choices if label.startswith("报告：洪泽区人民政府2023年"))
    chosen = review_view.chosen_reports(docs, hongze)
    assert len(chosen) == 1 and chosen[0].year == 2023
    by_region = review_view.chosen_reports(docs, "ry|淮安市洪泽区|2023")
    assert [d.doc_id for d in by_region] == [chosen[0].doc_id]
    findings = check_reports(chosen, docs, sample_store.facts)
    html = review_view.findings_html(findings, 1)
    assert html.count('<tr class="gk-finding">') == len(findings) > 0
    assert "gk-sev-error" in html and "勾稽关系" in html and "/source/" in html
    xlsx, csv = review_view.export_files(findings)
    assert xlsx.stat().st_size > 0
    assert len(csv.read_text(encoding="utf-8-sig").splitlines()) >= len(findings) + 1


def test_compare_api_gives_states_and_cell_links(sample_store):
    import dataclasses

    from fastapi.testclient import TestClient

    from config import load_settings
    from ui.server import create_app

    settings = dataclasses.replace(
        load_settings(), home=sample_store.path.parent, llm="none", auth=""
    )
    client = TestClient(create_app(settings))
    response = client.get(
        "/api/compare",
        params={"measure": "依申请|本年新收|总计", "region": "淮安市洪泽区",
                "issuer": "淮安市|人民政府", "year": [2023, 2024]},
    )  # fmt: skip
    assert response.status_code == 200, response.text
    body = response.json()
    got = {(e["label"], e["year"]): (e["state"], e["value"]) for e in body["entries"]}
    assert got[("淮安市洪泽区人民政府", 2024)] == ("value", 95)
    assert got[("淮安市人民政府", 2023)] == ("no_report", None)
    linked = [e for e in body["entries"] if e["state"] == "value"]
    assert all(client.get(e["url"]).status_code == 200 for e in linked)
    assert client.get("/api/compare", params={"measure": "依申请|不存在|总计"}).status_code == 422


def test_old_exports_are_removed_when_a_new_one_is_written():
    import os
    import tempfile

    old = Path(tempfile.mkdtemp(prefix=review_view.EXPORT_PREFIX))
    (old / "年报审核.csv").write_text("x", encoding="utf-8")
    hour_ago = old.stat().st_mtime - review_view.EXPORT_KEEP_S - 10
    os.utime(old, (hour_ago, hour_ago))
    fresh, _csv = review_view.export_files([])
    assert not old.exists() and fresh.exists()
