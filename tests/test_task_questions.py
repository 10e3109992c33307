"""Task-table questions on the ingested sample corpus: which questions are task questions, the
unit they name (without the context that runs into it), and the task rows they get back."""

from __future__ import annotations

import pytest

from assistant.answer import Answer
from assistant.corpus import load_corpus
from assistant.router import route
from assistant.tools import answer_structured
from assistant.understand import understand

LAIWU = "laiwu_2022_work_points.txt"
HUAIYIN = "huaiyin_2020_work_points.txt"


def ask(question: str, sample_docs: dict):
    return understand(question, list(sample_docs.values()))


def answer(question: str, store) -> Answer:
    result = answer_structured(question, store)
    assert result is not None, question
    assert not result.refused, result.answer
    return result


def numbers(result: Answer) -> set[int]:
    return {t["number"] for t in result.tasks}


def requirements(result: Answer) -> str:
    return "\n".join(t["requirement"] for t in result.tasks)


def assert_quotes_are_spans(result: Answer, sample_docs: dict) -> None:
    by_id = {d.doc_id: d for d in sample_docs.values()}
    for c in result.citations:
        assert c.quote == by_id[c.doc_id].text[c.start : c.end]
        assert f"[{c.n}]" in result.answer


# ── understanding ────────────────────────────────────────────────────────────────────────
@pytest.mark.parametrize(
    ("question", "unit"),
    [
        ("莱芜区2022年工作要点中区税务局负责哪项任务？", "区税务局"),
        ("槐荫区2020年政务公开重点工作任务中区民政局负责什么？", "区民政局"),
        ("槐荫区2020年工作要点里区委编办要干什么？", "区委编办"),
        ("槐荫区2020年区扶贫办参与哪项任务？", "区扶贫办"),
        ("槐荫区2020年区市场监管局参与哪些任务？", "区市场监管局"),
        ("Which tasks is 区民政局 responsible for in Laiwu's 2022 work points?", "区民政局"),
        ("任务表里区司法局负责什么", "区司法局"),
        ("区教育局承担哪些工作", "区教育和体育局"),
        ("区卫健局要做什么", "区卫生健康局"),
        ("莱芜区2022年区城管局都负责啥", "区城管局"),
        ("2022年莱芜区任务分解表中区住建局配合哪些任务", "区住房城乡建设局"),
        ("政务公开方面区人社局参加了哪些工作？", "区人力资源社会保障局"),
        ("济南市莱芜区2022年区医保局呢？", "区医保局"),
        ("莱芜区2022年老旧小区改造由谁负责？", None),
    ],
)
def test_task_questions_and_their_units(question, unit, sample_docs):
    query = ask(question, sample_docs)
    assert query.is_task and not query.is_numeric
    assert query.unit == unit


@pytest.mark.parametrize(
    "question",
    [
        "槐荫区2019年有几人专门负责政务公开工作？",
        "莱芜区2020年由几名工作人员负责信息公开？",
        "槐荫区2019年收到多少申请？",
        "淮安市2024年行政复议结果纠正多少件？",
        "槐荫区2020年政务公开工作要点是什么时候印发的？",
    ],
)
def test_questions_about_staff_or_figures_are_not_task_questions(question, sample_docs):
    assert not ask(question, sample_docs).is_task


def test_a_weak_cue_alone_goes_to_retrieval(sample_store, sample_docs):
    query = ask("槐荫区2019年有几人专门负责政务公开工作？", sample_docs)
    assert route(query, load_corpus(sample_store)).name == "rag"


def test_who_is_responsible_in_a_year_without_work_points_falls_through(sample_store):
    assert answer_structured("槐荫区2019年政务公开工作由谁负责？", sample_store) is None


# ── answers ──────────────────────────────────────────────────────────────────────────────
def test_unit_after_work_points_context(sample_store):
    result = answer("莱芜区2022年工作要点中区税务局负责哪项任务？", sample_store)
    assert numbers(result) == {3}
    assert "减税降费" in requirements(result)


def test_unit_after_task_table_context(sample_store):
    result = answer("槐荫区2020年政务公开重点工作任务中区民政局负责什么？", sample_store)
    assert len(result.tasks) == 1
    assert "城乡低保" in requirements(result) and "养老服务" in requirements(result)
    assert all(t["region"] == "槐荫区" for t in result.tasks)


def test_what_a_unit_has_to_do(sample_store):
    result = answer("槐荫区2020年工作要点里区委编办要干什么？", sample_store)
    assert [t["requirement"] for t in result.tasks] == ["更新完善权责清单。"]


def test_units_taking_part(sample_store):
    poverty = answer("槐荫区2020年区扶贫办参与哪项任务？", sample_store)
    assert len(poverty.tasks) == 1 and "脱贫攻坚" in requirements(poverty)
    market = answer("槐荫区2020年区市场监管局参与哪些任务？", sample_store)
    assert len(market.tasks) == 3
    assert all("区市场监管局" in t["units"] for t in market.tasks)
    assert "双随机" in requirements(market)


def test_english_question_quoting_a_chinese_unit(sample_store):
    result = answer(
        "Which tasks is 区民政局 responsible for in Laiwu's 2022 work points?", sample_store
    )
    assert numbers(result) == {23, 24}
    assert "养老" in result.answer and "城乡低保" in result.answer


def test_close_variants(sample_store):
    justice = answer("任务表里区司法局负责什么", sample_store)
    assert numbers(justice) == {10}
    education = answer("区教育局承担哪些工作", sample_store)
    assert len(education.tasks) == 9
    assert all("区教育和体育局" in t["units"] for t in education.tasks)
    health = answer("莱芜区2022年区卫健局要做什么", sample_store)
    assert health.tasks and all("区卫生健康局" in t["units"] for t in health.tasks)
    assert all(t["region"] == "济南市莱芜区" for t in health.tasks)


def test_a_unit_named_alone_after_a_task_turn(sample_store):
    result = answer("济南市莱芜区2022年区医保局呢？", sample_store)
    assert numbers(result) == {22, 24}


def test_count_of_the_whole_table(sample_store, sample_docs):
    for question in (
        "莱芜区2022年政务公开重点工作任务分解表一共有多少项任务？",
        "莱芜区2022年工作要点共有多少项任务",
        "How many tasks are in Laiwu's 2022 work points?",
    ):
        result = answer(question, sample_store)
        assert (result.value, result.unit) == (71.0, "项"), question
        assert "71项" in result.answer
        quotes = [c.quote for c in result.citations]
        assert "任务分解表" in quotes[0]
        assert quotes[1].startswith("1\t") and quotes[2].startswith("71\t")
        assert_quotes_are_spans(result, sample_docs)


def test_count_across_documents_is_split_per_document(sample_store):
    huaiyin = answer("槐荫区2020年任务分解表有几项任务", sample_store)
    assert huaiyin.unit == "项" and huaiyin.value and huaiyin.value > 20
    both = answer("工作要点一共有多少项任务", sample_store)
    assert both.value == 71 + huaiyin.value
    assert "槐荫区2020年" in both.answer and "济南市莱芜区2022年" in both.answer


def test_count_with_a_unit_counts_only_its_tasks(sample_store):
    result = answer("莱芜区2022年有多少项任务由区民政局负责", sample_store)
    assert (result.value, numbers(result)) == (2.0, {23, 24})


def test_unit_the_table_does_not_hold_is_refused_by_name(sample_store):
    result = answer_structured("莱芜区2022年区中医医院负责什么", sample_store)
    assert result is not None and result.refused
    assert "区中医医院" in result.answer


def test_two_units_named_together_must_both_be_responsible(sample_store):
    result = answer("莱芜区哪项任务由区图书馆和区档案馆负责？", sample_store)
    assert numbers(result) == {50}
    # A unit whose printed name holds 和 is one unit, not two.
    assert 21 in numbers(answer("莱芜区2022年区教育和体育局负责哪些任务？", sample_store))
