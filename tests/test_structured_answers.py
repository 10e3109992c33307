"""Structured answers (tables and tasks) on the real ingested sample corpus.

The whole evaluation file evals/structured_questions.jsonl must answer 100% correctly; its gold
values were read by hand from data/sample/*.txt and tests/fixtures/*.json.
"""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from assistant.answer import Answer
from assistant.corpus import load_corpus
from assistant.table_tool import answer_table
from assistant.tool import NotMine
from assistant.tools import answer_structured
from assistant.understand import understand
from domain.numbers import format_number as fmt
from tests.conftest import REPO

EVAL_FILE = REPO / "evals" / "structured_questions.jsonl"
TOLERANCE = 0.051  # gold percentages are given to one decimal


def load_eval() -> list[dict]:
    return [json.loads(line) for line in EVAL_FILE.read_text(encoding="utf-8").splitlines() if line]


def squash(text: str) -> str:
    return re.sub(r"\s+", "", text)


def check_citations(answer: Answer, docs_by_id: dict) -> list[str]:
    problems = []
    for c in answer.citations:
        doc = docs_by_id[c.doc_id]
        if c.quote != doc.text[c.start : c.end] or not c.quote.strip():
            problems.append(f"citation {c.n} quote is not doc.text[start:end]")
        if f"[{c.n}]" not in answer.answer:
            problems.append(f"citation {c.n} is not referenced in the answer")
    return problems


def check_tasks(gold: list[dict], answer: Answer, sample_docs: dict) -> list[str]:
    listed = [(t["doc_id"], t) for t in answer.tasks]
    if len(listed) != len(gold):
        got = [(t["number"], t["requirement"][:12]) for _, t in listed]
        return [f"{len(listed)} tasks listed, gold has {len(gold)}: {got}"]
    problems = []
    for g in gold:
        doc_id = sample_docs[g["doc"]].doc_id
        if "number" in g:
            hits = [t for d, t in listed if d == doc_id and t["number"] == g["number"]]
        else:
            hits = [t for d, t in listed if d == doc_id and g["contains"] in t["requirement"]]
        if len(hits) != 1:
            problems.append(f"gold task {g} matched {len(hits)} listed tasks")
    return problems


def check_series(gold: list[dict], series: dict[str, float]) -> list[str]:
    if len(series) != len(gold):
        return [f"series has {len(series)} entries, gold has {len(gold)}: {series}"]
    problems = []
    for g in gold:
        keys = [k for k in series if all(part in k for part in g["match"])]
        if len(keys) != 1:
            problems.append(f"gold {g['match']} matched keys {keys}")
        elif abs(series[keys[0]] - g["value"]) > TOLERANCE:
            problems.append(f"{keys[0]} = {series[keys[0]]}, gold {g['value']}")
    return problems


def check_item(item: dict, answer: Answer | None, sample_docs: dict) -> list[str]:
    """Every way an answer can be wrong for one evaluation item."""
    gold = item["gold"]
    if gold.get("none"):
        return [] if answer is None else [f"expected no structured answer, got {answer.answer!r}"]
    if answer is None:
        return ["no structured answer"]
    problems = [] if answer.route == item["route"] else [f"route {answer.route}"]
    docs_by_id = {d.doc_id: d for d in sample_docs.values()}
    problems += check_citations(answer, docs_by_id)
    if gold.get("refused"):
        if not answer.refused:
            problems.append("expected a refusal")
        problems += [
            f"refusal does not mention {m}" for m in gold["mentions"] if m not in answer.answer
        ]
    elif answer.refused:
        problems.append(f"unexpected refusal: {answer.answer}")
    if "value" in gold:
        if answer.value is None or abs(answer.value - gold["value"]) > TOLERANCE:
            problems.append(f"value {answer.value}, gold {gold['value']}")
        if fmt(gold["value"]) not in answer.answer:
            problems.append(f"the answer text does not show {fmt(gold['value'])}")
        if answer.unit != gold["unit"]:
            problems.append(f"unit {answer.unit!r}, gold {gold['unit']!r}")
        if not answer.citations:
            problems.append("a number without a citation")
    if "series" in gold:
        problems += check_series(gold["series"], answer.series)
        if answer.value is not None:
            problems.append("a multi-figure answer must not carry a single value")
    if "tasks" in gold:
        problems += check_tasks(gold["tasks"], answer, sample_docs)
    if gold.get("text"):
        quotes = squash("".join(c.quote for c in answer.citations))
        if "〔正文〕" not in answer.answer or f"{gold['value']:g}" not in quotes:
            problems.append("a prose figure must be marked 〔正文〕 and quote its sentence")
    if gold.get("warning") and not any(gold["warning"] in w for w in answer.warnings):
        problems.append(f"warning {gold['warning']} not shown: {answer.warnings}")
    return problems


@pytest.fixture(scope="session")
def eval_results(sample_store, sample_docs):
    results = []
    for item in load_eval():
        answer = answer_structured(item["question"], sample_store)
        results.append((item, answer, check_item(item, answer, sample_docs)))
    return results


def test_eval_file_covers_every_kind_of_question():
    items = load_eval()
    categories = {i["category"] for i in items}
    assert len(items) >= 80
    assert len({i["id"] for i in items}) == len(items)
    for needed in ("paraphrase", "english", "mixed", "derived_rate", "derived_share",
                   "derived_yoy", "derived_sum", "comparison", "multi_doc", "unanswerable",
                   "task_unit", "task_deadline", "task_number", "task_keyword"):  # fmt: skip
        assert needed in categories, needed
    assert {i["route"] for i in items} == {"table", "tasks", "rag"}


def test_every_structured_eval_question_is_answered_correctly(eval_results):
    wrong = [
        (item["id"], item["question"], problems) for item, _, problems in eval_results if problems
    ]
    total = len(eval_results)
    assert not wrong, f"{total - len(wrong)}/{total} correct; wrong: " + "\n".join(map(str, wrong))


# ── focused behaviour ────────────────────────────────────────────────────────────────────
def test_refusal_names_the_regions_and_years_the_corpus_holds(sample_store):
    answer = answer_structured("历城区2022年行政复议纠错率是多少？", sample_store)
    assert answer.refused and answer.value is None and not answer.citations
    for held in (
        "济南市莱芜区2020年",
        "槐荫区2019年",
        "淮安市洪泽区2023年",
        "淮安市洪泽区2024年",
        "淮安市2024年",
    ):
        assert held in answer.answer
    assert "历城区" in answer.answer


def test_a_year_the_region_lacks_is_refused_not_answered_from_another_year(sample_store):
    answer = answer_structured("洪泽区2022年收到多少申请", sample_store)
    assert answer.refused and "2022" in answer.answer and answer.value is None


def test_without_year_or_region_every_matching_report_is_answered(sample_store, sample_docs):
    answer = answer_structured("行政许可处理决定有多少件？", sample_store)
    assert answer.value is None and not answer.refused
    by_region_year = {(c["region"], c["year"]): c["value"] for c in answer.cells}
    assert by_region_year[("济南市莱芜区", 2020)] == 153784
    assert by_region_year[("槐荫区", 2019)] == 30456
    assert by_region_year[("淮安市", 2024)] == 447228
    assert len({c.doc_id for c in answer.citations}) == len(answer.cells) == 5


def test_identity_failures_are_shown_with_the_cells_of_that_report(sample_store):
    answer = answer_structured("洪泽区2023年复议后起诉总计多少件", sample_store)
    assert answer.value == 0
    assert any("identity_failed" in w and "2023" in w for w in answer.warnings)
    clean = answer_structured("淮安市2024年复议后起诉总计多少件", sample_store)
    assert clean.value == 20 and not any("identity_failed" in w for w in clean.warnings)


def test_english_and_mixed_phrasing_reach_the_same_cell(sample_store):
    chinese = answer_structured("莱芜区2020年行政复议结果纠正多少件？", sample_store)
    for question in ("how many 复议 cases were corrected in 2020?",
                     "How many administrative review cases were overturned in Laiwu in 2020?",
                     "Laiwu 2020 复议 corrected 几件"):  # fmt: skip
        answer = answer_structured(question, sample_store)
        assert (answer.value, answer.unit) == (chinese.value, chinese.unit) == (10, "件"), question
        assert answer.citations[0].quote == chinese.citations[0].quote


def test_derived_measures_show_their_formula_and_cite_their_cells(sample_store):
    rate = answer_structured("淮安市2024年行政复议纠错率", sample_store)
    assert rate.value == pytest.approx(18.2) and rate.unit == "%"
    assert "结果纠正 64件 ÷ 总计 351件 = 18.2%" in rate.answer
    assert {(c["label"], c["value"]) for c in rate.cells} == {
        ("行政复议 结果纠正", 64),
        ("行政复议", 351),
    }
    change = answer_structured("洪泽区2024年新收申请同比增长多少", sample_store)
    assert "95 − 21 = 74" in change.answer and change.value == 74
    assert {c.year for c in change.citations} == {2023, 2024}
    total = answer_structured("淮安市2024年行政诉讼一共多少件", sample_store)
    assert "26 + " in total.answer and "20 = 46" in total.answer and total.value == 46


def test_review_and_litigation_are_never_confused(sample_store, sample_docs):
    for doc in sample_docs.values():
        if doc.kind != "annual_report" or not doc.region or doc.table_format == "":
            continue
        question = f"{doc.region}{doc.year}年"
        review = answer_structured(question + "行政复议总计多少件", sample_store)
        litigation = answer_structured(question + "行政诉讼总计多少件", sample_store)
        review_cells = {c["label"] for c in review.cells}
        litigation_labels = {f["row"] for c in litigation.cells for f in c["facts"]}
        assert review_cells == {"行政复议"}, question
        assert litigation_labels == {"行政诉讼.未经复议直接起诉", "行政诉讼.复议后起诉"}, question


def test_a_result_column_without_复议_or_诉讼_answers_both_labelled(sample_store):
    answer = answer_structured("淮安市2024年结果纠正多少件", sample_store)
    assert answer.series == {"行政复议 结果纠正": 64, "行政诉讼 结果纠正": 5}


def test_prose_figure_is_used_only_when_the_report_has_no_table(sample_store):
    table = answer_structured("淮安市2024年收到多少申请", sample_store)
    assert table.cells[0]["origin"] == "table" and "〔正文〕" not in table.answer
    prose = answer_structured("2021年行政复议多少件", sample_store)
    assert prose.value == 2 and prose.cells[0]["origin"] == "text"
    assert "行政复议2件" in prose.citations[0].quote
    assert any("tables_missing" in w for w in prose.warnings)


def test_questions_the_tables_cannot_answer_fall_through(sample_store, sample_docs):
    docs = list(sample_docs.values())
    for question in ("2019年槐荫区存在哪些主要问题？", "莱芜区2020年申请量同比增长多少"):
        query = understand(question, docs)
        declined = answer_table(query, load_corpus(sample_store))
        assert isinstance(declined, NotMine) and declined.reason, question


def test_task_answers_cite_the_task_rows(sample_store, sample_docs):
    answer = answer_structured("第17项任务由哪个单位负责", sample_store)
    (task,) = answer.tasks
    assert task["units"] == ["各镇（街道）", "区住房城乡建设局"]
    quote = answer.citations[0].quote
    assert "老旧小区" in quote and "区住房城乡建设局" in quote


def test_corpus_cache_follows_the_store(sample_store):
    assert load_corpus(sample_store) is load_corpus(sample_store)


def test_answers_serialise_to_the_answer_contract(sample_store):
    data = answer_structured("淮安市2024年予以公开占比", sample_store).to_dict()
    assert {"answer", "route", "value", "unit", "refused", "citations", "warnings"} <= set(data)
    json.dumps(data, ensure_ascii=False)
    assert set(data["citations"][0]) == {
        "n",
        "doc_id",
        "title",
        "region",
        "year",
        "start",
        "end",
        "quote",
    }


def test_every_eval_gold_source_is_a_sample_file():
    names = {p.name for p in (REPO / "data" / "sample").iterdir()}
    for item in load_eval():
        for task in item["gold"].get("tasks", []):
            assert task["doc"] in names
    assert Path(EVAL_FILE).exists()


def test_large_and_decimal_figures_are_shown_in_full(sample_store):
    penalties = answer_structured("淮安市2024年行政处罚处理决定数量", sample_store)
    assert "3985758件" in penalties.answer
    purchase = answer_structured("莱芜区2020年政府集中采购总金额", sample_store)
    assert "18618.37万元" in purchase.answer and purchase.value == pytest.approx(18618.37)


@pytest.mark.parametrize(
    "question",
    [
        "莱芜区2020年答复率是多少",
        "莱芜区2020年平均每月收到多少申请",
        "2024年淮安市申请量是洪泽区的几倍",
    ],
)
def test_measures_the_tables_do_not_define_are_not_answered_with_a_cell(sample_store, question):
    assert answer_structured(question, sample_store) is None


def test_a_region_lacking_the_asked_year_is_named_and_no_single_value_is_given(sample_store):
    answer = answer_structured("2020年莱芜区和槐荫区各收到多少申请", sample_store)
    assert "331件" in answer.answer and "槐荫区2020年" in answer.answer
    assert answer.value is None and not answer.refused


def test_a_relative_year_is_not_guessed(sample_store):
    answer = answer_structured("莱芜区去年收到多少申请", sample_store)
    assert answer.refused and answer.value is None and "去年" in answer.answer
