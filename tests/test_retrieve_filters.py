"""Search filters: what a question names among the corpus's regions and years, the caller's
values, and the query text the rankers see once the filters enforce those names."""

from __future__ import annotations

import pytest

from assistant.retrievers.filters import (
    Filters,
    combine_filters,
    detect_filters,
    resolve_region,
    strip_filter_terms,
)
from assistant.understand import understand
from index.models import Document


def corpus_docs() -> list[Document]:
    held = [
        ("济南市莱芜区", 2020), ("济南市莱芜区", 2022), ("槐荫区", 2019), ("槐荫区", 2020),
        ("淮安市洪泽区", 2023), ("淮安市洪泽区", 2024), ("淮安市", 2024), ("", 2021),
    ]  # fmt: skip
    return [
        Document(doc_id=f"d{i}", source="", text="", region=r, year=y)
        for i, (r, y) in enumerate(held)
    ]


@pytest.mark.parametrize(
    ("question", "regions", "years"),
    [
        ("莱芜区2020年行政复议结果纠正多少件？", ("济南市莱芜区",), (2020,)),
        ("济南市莱芜区2020年的行政许可", ("济南市莱芜区",), (2020,)),
        ("洪泽2024年予以公开多少件", ("淮安市洪泽区",), (2024,)),
        ("淮安市洪泽区二〇二三年受理了多少申请", ("淮安市洪泽区",), (2023,)),
        ("淮安市2024年行政处罚", ("淮安市",), (2024,)),
        ("比较槐荫区和莱芜区的依申请公开", ("槐荫区", "济南市莱芜区"), ()),
        ("2018年莱芜区的复议情况", ("济南市莱芜区",), ()),  # 2018 is not held
        ("历城区2020年行政复议", (), (2020,)),  # 历城区 is not held
        ("政务新媒体有什么要求？", (), ()),
        ("How many lawsuits did Hongze face in 2024?", ("淮安市洪泽区",), (2024,)),
        ("莱芜22 政务新媒体矩阵建设那条", ("济南市莱芜区",), (2022,)),
    ],
)
def test_detect_filters_reads_region_names_and_held_years(question, regions, years):
    filters = detect_filters(question, corpus_docs())
    assert filters.regions == regions
    assert filters.years == years


@pytest.mark.parametrize(
    "question", ["淮安洪泽区的政务新媒体", "hongze 24呢？", "槐荫区和莱芜区2019-2021年的申请"]
)
def test_detected_regions_and_years_are_those_the_question_is_understood_to_name(question):
    """One region detection: the search filters are what answering reads from the question."""
    docs = corpus_docs()
    query = understand(question, docs)
    filters = detect_filters(question, docs)
    held = {d.year for d in docs}
    assert filters.regions == tuple(query.regions)
    assert filters.years == tuple(y for y in query.years if y in held)


def test_a_typed_region_means_every_held_region_of_that_name():
    docs = corpus_docs()
    assert resolve_region("莱芜区", docs) == ("济南市莱芜区",)
    assert resolve_region("槐荫区", docs) == ("槐荫区",)
    assert resolve_region("历城区", docs) == ("历城区",)  # unheld: searched as typed, finds none


def test_the_callers_values_replace_the_detected_ones_field_by_field():
    docs = corpus_docs()
    detected = Filters(regions=("槐荫区",), years=(2019,))
    assert combine_filters(detected, docs) == Filters(regions=("槐荫区",), years=(2019,))
    combined = combine_filters(detected, docs, region="莱芜", year="2022", kind="work_points")
    assert combined == Filters(("济南市莱芜区",), (2022,), ("work_points",))
    assert combine_filters(
        Filters(), docs, region=["洪泽区", "淮安市洪泽区"], year=[2023, 2024]
    ) == (Filters(("淮安市洪泽区",), (2023, 2024)))


def test_where_and_describe_name_only_the_filtered_fields():
    assert Filters().where() is None
    filters = Filters(regions=("淮安市洪泽区",), years=(2024,), kinds=("annual_report",))
    assert filters.where() == {
        "region": ["淮安市洪泽区"],
        "year": [2024],
        "kind": ["annual_report"],
    }
    assert filters.describe().startswith("地区=淮安市洪泽区 年份=2024 类型=")


def test_filtered_region_and_year_leave_the_query_text_the_rankers_see():
    filters = Filters(regions=("淮安市洪泽区",), years=(2024,))
    assert strip_filter_terms("洪泽区2024年行政许可处理决定多少件？", filters) == (
        "行政许可处理决定多少件？"
    )
    assert strip_filter_terms("淮安市洪泽区二〇二四年度受理了多少申请", filters) == "受理了多少申请"
    assert strip_filter_terms("2023年洪泽区的申请", filters) == "2023年 的申请"  # 2023 not filtered
    assert strip_filter_terms("洪泽2024年", filters) == "洪泽2024年"  # nothing left: keep it whole
