"""assistant.selection: the documents a structured question is about, or why there are none."""

from __future__ import annotations

from assistant.selection import (
    doc_label,
    doc_warnings,
    latest_years,
    one_file_per_report,
    select_documents,
)
from assistant.understand import understand
from domain.kinds import ANNUAL, WORK_POINTS
from index.models import Document
from tests.standins.corpus import annual, small_store


def documents() -> list[Document]:
    return small_store().docs


def test_region_and_year_select_one_report():
    docs = documents()
    chosen = select_documents(understand("槐荫区2019年行政复议多少件", docs), docs, ANNUAL)
    assert [d.doc_id for d in chosen.docs] == ["hy2019"] and not chosen.refusal


def test_a_kind_the_region_lacks_is_refused_with_what_is_held():
    docs = documents()
    chosen = select_documents(understand("槐荫区2019年工作要点第1项", docs), docs, WORK_POINTS)
    assert not chosen.docs and "济南市莱芜区2022年" in chosen.refusal


def test_a_year_asked_beside_a_held_one_is_noted_as_missing():
    docs = documents()
    query = understand("槐荫区2019年和2021年行政复议多少件", docs)
    chosen = select_documents(query, docs, ANNUAL)
    assert [d.year for d in chosen.docs] == [2019] and "2021" in chosen.missing


def test_a_report_held_twice_is_one_entry():
    first = annual("a", "槐荫区", 2019, 1, 2)
    twice = annual("b", "槐荫区", 2019, 1, 2)
    twice.warnings = ["tables_missing"]
    assert [d.doc_id for d in one_file_per_report([twice, first])] == ["a"]


def test_latest_years_keeps_the_newest():
    docs = documents()[:2]
    assert [d.year for d in latest_years(docs, 1)] == [2020]
    assert latest_years(docs, None) == docs


def test_labels_and_labelled_warnings():
    doc = annual("a", "槐荫区", 2019, 1, 2)
    doc.warnings = ["issuer_unknown", "tables_missing: 依申请"]
    assert doc_label(doc) == "槐荫区2019年"
    assert doc_warnings([doc, doc]) == ["槐荫区2019年报告：tables_missing: 依申请"]
