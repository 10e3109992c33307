"""Questions over a group of reports, as the 政务公开办 asks them of its departments' reports:
every department, a run of years, a ranking, only the non-zero ones. Real 平潭 department
reports (our tune set and the dev corpus); every figure comes from the parsed cells."""

from __future__ import annotations

from pathlib import Path

import pytest

from assistant.tools import answer_structured

REPO = Path(__file__).resolve().parent.parent
TUNE = REPO / "data" / "realdocs" / "tune"
DEV = REPO.parent / "shared" / "realdocs" / "dev"


@pytest.fixture(scope="module")
def store(tmp_path_factory):
    from index.pipeline import ingest_paths
    from index.stores.sqlite import SQLiteStore

    if not DEV.is_dir():
        pytest.skip(f"dev corpus absent: {DEV}")
    files = sorted(TUNE.glob("*.txt")) + sorted(DEV.glob("pingtan-gonganju_*.txt"))
    store = SQLiteStore(tmp_path_factory.mktemp("group") / "gongkai.sqlite3")
    assert not [r.error for r in ingest_paths(files, store) if r.status == "failed"]
    return store


def values(answer) -> list[float]:
    return [c["value"] for c in answer.cells]


def test_every_department_ranked(store):
    answer = answer_structured("平潭各部门2024年收到的申请数排名", store)
    assert answer is not None and not answer.refused
    assert "从高到低" in answer.answer
    assert values(answer) == sorted(values(answer), reverse=True) and len(answer.cells) == 2
    assert {c["year"] for c in answer.cells} == {2024}


def test_one_department_over_the_years_with_its_changes(store):
    answer = answer_structured("平潭公安局近几年申请量变化", store)
    assert answer is not None and not answer.refused
    years = [c["year"] for c in answer.cells]
    assert years == sorted(years) and len(years) == 3 and "逐年变化" in answer.answer
    docs = {d.doc_id: d for d in store.documents()}
    assert {docs[c["doc_id"]].issuer for c in answer.cells} == {"公安局"}


def test_only_the_non_zero_reports_are_listed(store):
    answer = answer_structured("平潭哪些单位的行政复议结果纠正不为0", store)
    assert answer is not None and not answer.refused
    listed = answer.answer.split("其余为0或空")[0]
    nonzero = [c for c in answer.cells if c["value"]]
    assert nonzero and all(str(int(c["value"])) in listed for c in nonzero)
    assert "其余为0或空" in answer.answer


def test_a_task_question_naming_units_stays_a_task_question(store):
    from assistant.understand import understand

    assert understand("哪些单位负责政务新媒体？", store.documents()).is_task


@pytest.fixture(scope="module")
def dev_store(tmp_path_factory):
    """Every 平潭 report of the dev corpus: the 社会事业局 2023 report is held twice (its web
    page and its text)."""
    from index.pipeline import ingest_paths
    from index.stores.sqlite import SQLiteStore

    if not DEV.is_dir():
        pytest.skip(f"dev corpus absent: {DEV}")
    store = SQLiteStore(tmp_path_factory.mktemp("group-dev") / "gongkai.sqlite3")
    files = sorted(DEV.glob("pingtan*_*"))
    assert not [r.error for r in ingest_paths(files, store) if r.status == "failed"]
    return store


def test_a_report_held_in_two_files_is_ranked_once(dev_store):
    answer = answer_structured("平潭各部门收到的申请数排名", dev_store)
    assert answer is not None and not answer.refused
    docs = {d.doc_id: d for d in dev_store.documents()}
    reports = [(docs[c["doc_id"]].issuer, docs[c["doc_id"]].year) for c in answer.cells]
    assert len(reports) == len(set(reports)) == 6
    assert values(answer) == [
        8,
        5,
        1,
        1,
        0,
        0,
    ]  # gold: 公安局2024, 市场监管局2021, 财政金融局2022, 社会事业局2023, …


def test_a_rate_named_by_its_row_for_every_department(dev_store):
    answer = answer_structured("平潭各部门予以公开率排名", dev_store)
    assert answer is not None and not answer.refused
    text = answer.answer
    # gold: 予以公开 3 of 5 (市场监管局 2021), 3 of 8 (公安局 2024), 0 of 1 (财政金融局, 社会事业局)
    assert text.index("= 60.0%") < text.index("= 37.5%") < text.index("= 0.0%")
    assert text.count("予以公开率 =") == 4 and text.count("无法计算") == 2
    assert answer.series and max(answer.series.values()) == 60.0
