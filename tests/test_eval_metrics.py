"""The evaluation's scoring functions, the question set's integrity and the run comparison."""

from __future__ import annotations

import json
from collections import Counter
from pathlib import Path

import pytest

from evals import metrics as m
from evals.run import (
    DEFAULT_QUESTIONS,
    Corpus,
    Turn,
    compare_runs,
    expand_turns,
    gold_spans,
    load_question_files,
    load_questions,
    normalize_item,
    occurrences,
    select_items,
)

REPO = Path(__file__).resolve().parent.parent
QUESTIONS = REPO / "evals" / "questions.jsonl"
SAMPLE = REPO / "data" / "sample"


def answer(text="", value=None, refused=False, citations=(), warnings=(), route="table"):
    return {
        "answer": text,
        "value": value,
        "refused": refused,
        "citations": list(citations),
        "warnings": list(warnings),
        "route": route,
    }


def cite(doc="d1", start=0, end=10, quote="", title=""):
    return {"doc_id": doc, "start": start, "end": end, "quote": quote, "title": title}


# -- numbers ---------------------------------------------------------------------------
def test_numbers_in_text_drops_years_markers_and_thousands_separators():
    text = "莱芜区2020年予以公开72件[1]，占21.8%；许可153,784件，金额１８６１８．３７万元。"
    assert m.numbers_in_text(text) == [72, 21.8, 153784, 18618.37]


def test_year_not_followed_by_nian_is_a_number():
    assert m.numbers_in_text("采购项目2073个") == [2073]


def test_percentages_compare_at_one_decimal():
    assert m.same_number(76.92, 76.9, "%")
    assert not m.same_number(76.8, 76.9, "%")
    assert not m.same_number(18618.4, 18618.37, "万元")


def test_gold_number_found_in_text_or_value():
    assert m.number_in_answer(answer("纠正10件[1]"), 10)
    assert m.number_in_answer(answer("见表", value=10.0), 10)
    assert not m.number_in_answer(answer("纠正1件，维持0件"), 10)


def test_negative_gold_matches_a_stated_decrease():
    assert m.number_in_answer(answer("其他对外管理服务事项本年减少22项"), -22)
    assert not m.number_in_answer(answer("其他对外管理服务事项本年增加22项"), -22)


def test_numeric_exact_takes_the_committed_figure():
    gold = {"value": 10, "unit": "件", "refuse": False}
    assert m.numeric_exact(answer("结果纠正10件，总计13件"), gold)
    assert not m.numeric_exact(answer("总计13件，其中纠正10件"), gold)  # first figure is 13
    assert m.numeric_exact(answer("总计13件，其中纠正10件", value=10), gold)
    assert not m.numeric_exact(answer("10", refused=True), gold)
    assert m.numeric_exact(answer("x"), {"value": None, "refuse": False}) is None


# -- correctness -------------------------------------------------------------------------
def test_refusal_items_need_a_refusal():
    gold = {"value": None, "phrases": [], "refuse": True}
    assert m.answer_correct(answer("资料库中没有北京市的文件", refused=True), gold)
    assert not m.answer_correct(answer("北京市收到331件"), gold)


def test_answer_that_refuses_an_answerable_question_is_wrong():
    gold = {"value": 331, "unit": "件", "phrases": [], "refuse": False}
    assert not m.answer_correct(answer("331", refused=True), gold)


def test_phrases_with_alternatives_and_minimum():
    gold = {"value": None, "phrases": ["社会救助|城乡低保", "养老", "教育"], "min_phrases": 2}
    assert m.answer_correct(answer("负责城乡低保和养老补贴政策"), gold)
    assert not m.answer_correct(answer("负责养老补贴政策"), gold)


def test_phrases_ignore_spaces_and_full_width_forms():
    assert m.phrase_present("2022年年底前完成", "2022 年年底 前完成，长 期坚持")
    assert m.phrase_present("5小时", "最迟在５ 小时内发布")


def test_required_warning_must_be_shown():
    gold = {"value": 70, "unit": "件", "phrases": [], "refuse": False, "warn": "spam_injected"}
    assert not m.answer_correct(answer("共收到70件"), gold)
    warned = answer("共收到70件", warnings=["办公室2021年报告：spam_injected: bet365亚洲官网 ×4"])
    assert m.answer_correct(warned, gold)


# -- spans -------------------------------------------------------------------------------
def test_hit_must_cover_half_of_the_gold_span():
    gold = ("d1", 100, 140)
    assert m.covers(("d1", 0, 200), gold)
    assert m.covers(("d1", 120, 300), gold)
    assert not m.covers(("d1", 125, 300), gold)
    assert not m.covers(("d2", 0, 500), gold)


def test_first_relevant_rank_recall_and_mrr():
    golds = [("d1", 100, 120)]
    hits = [("d1", 0, 50), ("d2", 100, 120), ("d1", 90, 130)]
    assert m.first_relevant_rank(hits, golds) == 3
    ranks = [1, 3, None, 2]
    assert m.recall_at_k(ranks, 1) == 0.25
    assert m.recall_at_k(ranks, 4) == 0.75
    assert m.mean_reciprocal_rank(ranks) == pytest.approx((1 + 1 / 3 + 0 + 1 / 2) / 4)
    assert m.recall_at_k([], 4) is None


def test_citation_precision_counts_citations_covering_gold():
    golds = [("d1", 100, 120)]
    a = answer("x", citations=[cite("d1", 90, 130), cite("d1", 500, 600)])
    assert m.citation_precision(a, golds) == 0.5
    assert m.citation_precision(answer("x"), golds) is None
    assert m.citation_precision(a, []) is None


# -- faithfulness ------------------------------------------------------------------------
ROW = "行政复议 结果维持 1 结果纠正 10 其他结果 2 尚未审结 0 总计 13"


def test_faithful_answer_quotes_its_numbers():
    a = answer("行政复议结果纠正10件[1]。", citations=[cite(quote=ROW)])
    assert m.faithfulness(a) == 1.0


def test_derived_percentage_counts_as_supported():
    a = answer("行政复议纠错率为76.9%[1]（纠正10件÷总计13件）。", citations=[cite(quote=ROW)])
    assert m.faithfulness(a) == 1.0


def test_invented_number_and_unsupported_sentence_lower_faithfulness():
    a = answer(
        "行政复议结果纠正17件。群众满意度大幅提升，获得广泛好评。", citations=[cite(quote=ROW)]
    )
    score = m.faithfulness(a)
    assert score is not None and score < 0.5


def test_uncited_answer_is_unfaithful_and_refusal_is_not_judged():
    assert m.faithfulness(answer("行政复议结果纠正10件。")) == 0.0
    assert m.faithfulness(answer("资料库中没有该文件。", refused=True)) is None


def test_column_sum_across_cited_rows():
    rows = [
        "1.本机关不掌握相关政府信息 21 1 0 0 0 0 21",
        "2.没有现成信息需要另行制作 10 0 0 0 0 0 10",
    ]
    a = answer(
        "本机关不掌握相关政府信息21件，没有现成信息需要另行制作10件，合计31件。",
        citations=[cite(quote=q) for q in rows],
    )
    assert m.faithfulness(a) == 1.0


# -- aggregates --------------------------------------------------------------------------
def test_refusal_precision_and_recall():
    pairs = [(True, True), (True, False), (False, True), (False, False)]
    assert m.refusal_scores(pairs) == {"refusal_precision": 0.5, "refusal_recall": 0.5}
    assert m.refusal_scores([(False, False)]) == {"refusal_precision": None, "refusal_recall": None}


def test_percentile_interpolates():
    assert m.percentile([10, 20, 30, 40], 50) == 25
    assert m.percentile([5], 95) == 5
    assert m.percentile([], 50) is None


def test_route_with_alternatives():
    assert m.route_ok("rag", ["rag", "table"])
    assert not m.route_ok("none", "table")


def record(correct, route="table", refused=False, gold_refuse=False, rank=None, latency=10):
    return {
        "category": "c",
        "route": route,
        "refused": refused,
        "gold": {"refuse": gold_refuse},
        "latency_ms": latency,
        "scores": {
            "correct": correct,
            "route_ok": route == "table",
            "numeric_exact": None,
            "retrieval_rank": rank,
            "retrieval_scored": rank is not None,
            "citation_precision": None,
            "faithfulness": None,
        },
    }


def test_summarize_counts_each_metric_over_its_own_questions():
    records = [
        record(True, rank=1),
        record(False, route="none", refused=True, gold_refuse=True, latency=30),
    ]
    s = m.summarize(records)
    assert s["answer_correctness"] == 0.5
    assert s["route_accuracy"] == 0.5
    assert s["recall@1"] == 1.0 and s["retrieval_n"] == 1
    assert s["numeric_exact"] is None
    assert s["latency_by_route"]["none"]["p50_ms"] == 30


# -- question set ------------------------------------------------------------------------
def test_question_set_is_large_and_covers_every_category():
    items = load_questions(QUESTIONS)
    counts = Counter(i["category"] for i in items)
    assert len(items) >= 200
    expected = {"cell_lookup", "derived", "comparison", "tasks", "narrative", "followup",
                "english", "paraphrase", "unanswerable", "spam"}  # fmt: skip
    assert expected <= set(counts)
    assert len({i["id"] for i in items}) == len(items)


def test_every_turn_has_a_gold_and_a_route():
    for turns in expand_turns(load_questions(QUESTIONS)):
        for t in turns:
            gold = t.gold
            assert gold.get("refuse") or gold.get("value") is not None or gold.get("phrases"), t.id
            routes = [t.route] if isinstance(t.route, str) else t.route
            assert set(routes) <= {"table", "tasks", "rag", "none"}, t.id
            if not gold.get("refuse"):
                assert t.sources or t.chain, f"{t.id} has no gold source"


def test_quotes_are_exact_text_of_the_sample_files():
    """Quote sources must occur in the document; cheap check on the raw text files."""
    texts = {p.name: p.read_text(encoding="utf-8") for p in SAMPLE.glob("*.txt")}
    for turns in expand_turns(load_questions(QUESTIONS)):
        for t in turns:
            for s in t.sources:
                if "quote" in s and s["doc"] in texts:
                    raw = "".join(texts[s["doc"]].split())
                    assert "".join(s["quote"].split()) in raw, (t.id, s["quote"])


def test_ci_subset_is_about_sixty_turns():
    chains = expand_turns(select_items(load_questions(QUESTIONS), "ci"))
    assert 45 <= sum(len(c) for c in chains) <= 70


def test_load_questions_names_the_bad_line(tmp_path):
    path = tmp_path / "q.jsonl"
    good = '{"id": "a", "question": "q", "category": "c", "route": "rag", "gold": {"refuse": true}}'
    path.write_text(good + "\n{oops\n", encoding="utf-8")
    with pytest.raises(ValueError, match=":2:"):
        load_questions(path)
    path.write_text('{"id": "a", "gold": {"value": 1}}\n', encoding="utf-8")
    with pytest.raises(ValueError, match=":1: 题目缺少字段"):
        load_questions(path)


# -- gold spans and comparison -----------------------------------------------------------
class _Doc:
    def __init__(self, doc_id, text, source):
        self.doc_id, self.text, self.source = doc_id, text, source


class _Fact:
    def __init__(self, table, row, col, start, end, value=0.0):
        self.table, self.row, self.col, self.start, self.end = table, row, col, start, end
        self.value = value


def test_gold_spans_from_quotes_and_table_cells():
    doc = _Doc("d1", "甲乙丙。甲乙。", "/x/a.txt")
    facts = {"d1": [_Fact("复议诉讼", "行政复议", "结果纠正", 3, 6)]}
    sources = [
        {"doc": "a.txt", "quote": "甲乙"},
        {"doc": "a.txt", "table": {"table": "复议诉讼", "row": "行政复议", "col": "结果纠正"}},
        {"doc": "a.txt", "table": {"table": "复议诉讼", "row": "行政复议", "col": "总计"}},
        {"doc": "b.txt", "quote": "甲"},
    ]
    spans, missing = gold_spans(sources, Corpus({"a.txt": doc}, facts))
    assert spans == [[("d1", 0, 2), ("d1", 4, 6)], [("d1", 3, 6)], [], []]
    assert len(missing) == 2
    assert occurrences("abab", "ab") == [(0, 2), (2, 4)]


def test_a_cell_figure_stated_in_prose_is_also_gold():
    doc = _Doc("d1", "共收到申请331件。" + "表" * 50, "/x/a.txt")
    facts = {
        "d1": [
            _Fact("依申请", "本年新收", "总计", 30, 40, 331),
            _Fact("text", "本年新收", "总计", 1, 9, 331),
            _Fact("text", "本年新收", "总计", 12, 14, 17),  # a different figure: not gold
        ]
    }
    source = {"doc": "a.txt", "table": {"table": "依申请", "row": "本年新收", "col": "总计"}}
    spans, missing = gold_spans([source], Corpus({"a.txt": doc}, facts))
    assert spans == [[("d1", 30, 40), ("d1", 1, 9)]] and not missing


def test_compare_runs_lists_fixed_and_broken_questions():
    def rec(qid, correct, route="table"):
        return {"system": "gongkai", "id": qid, "question": qid, "answer": qid, "route": route,
                "scores": {"correct": correct}}  # fmt: skip

    old = [rec("a", False), rec("b", True), rec("c", True), rec("gone", True)]
    new = [rec("a", True), rec("b", False), rec("c", True, route="rag"), rec("new", True)]
    diff = compare_runs(old, new)
    assert [r["id"] for r in diff["fixed"]] == ["a"]
    assert [r["id"] for r in diff["broken"]] == ["b"]
    assert [r["id"] for r in diff["route_changed"]] == ["c"]
    assert [r["id"] for r in diff["added"]] == ["new"]
    assert [r["id"] for r in diff["removed"]] == ["gone"]


def test_turns_of_a_chain_keep_their_own_gold():
    item = {"id": "chain-x", "category": "followup", "turns": [
        {"question": "A？", "route": "table", "gold": {"value": 1, "refuse": False}, "source": {"doc": "a", "quote": "1"}},
        {"question": "B？", "route": "none", "gold": {"value": None, "refuse": True}},
    ]}  # fmt: skip
    (turns,) = expand_turns([item])
    assert [t.id for t in turns] == ["chain-x#1", "chain-x#2"]
    assert turns[1].gold["refuse"] and isinstance(turns[0], Turn) and turns[0].chain
    assert json.dumps(turns[0].sources)


class _Task:
    def __init__(self, number, start, end):
        self.number, self.start, self.end = number, start, end


def test_task_sources_resolve_to_parsed_rows():
    doc = _Doc("w1", "x" * 100, "/x/w.txt")
    corpus = Corpus({"w.txt": doc}, {}, {"w1": [_Task(17, 10, 30), _Task(18, 30, 50)]})
    spans, missing = gold_spans(
        [{"doc": "w.txt", "task": 17}, {"doc": "w.txt", "task": 99}], corpus
    )
    assert spans == [[("w1", 10, 30)], []] and len(missing) == 1


# -- the earlier issues' sets, merged by reference ---------------------------------------
def test_structured_item_keeps_its_gold():
    raw = {"id": "s074", "question": "q", "route": "table", "category": "comparison",
           "gold": {"series": [{"match": ["a"], "value": 3119}, {"match": ["b"], "value": 95}]},
           "source": "huaian 3119; hongze 95"}  # fmt: skip
    item = normalize_item(raw)
    assert item["id"] == "structured:s074" and item["category"] == "structured:comparison"
    assert item["gold"]["values"] == [3119, 95] and not item["gold"]["refuse"]
    assert m.answer_correct(answer("淮安市3119件，洪泽区95件"), item["gold"])
    assert not m.answer_correct(answer("淮安市3119件"), item["gold"])


def test_structured_task_items_must_cite_every_task():
    raw = {"id": "s109", "question": "q", "route": "tasks", "category": "task_unit",
           "gold": {"tasks": [{"doc": "w.txt", "number": 17}, {"doc": "w.txt", "number": 24}]},
           "source": "rows 17, 24"}  # fmt: skip
    item = normalize_item(raw)
    assert item["source"] == [{"doc": "w.txt", "task": 17}, {"doc": "w.txt", "task": 24}]
    required = [[("w1", 10, 30)], [("w1", 60, 80)]]
    both = answer("x", citations=[cite("w1", 10, 30), cite("w1", 60, 80)])
    one = answer("x", citations=[cite("w1", 10, 30)])
    assert m.answer_correct(both, item["gold"], required)
    assert not m.answer_correct(one, item["gold"], required)


def test_structured_refusal_and_route_only_items():
    refusal = normalize_item({"id": "s100", "question": "q", "route": "table", "category": "u",
                              "gold": {"refused": True, "mentions": ["槐荫区"]}, "source": ""})  # fmt: skip
    assert refusal["gold"]["refuse"]
    route_only = normalize_item({"id": "s106", "question": "q", "route": "rag", "category": "n",
                                 "gold": {"none": True}, "source": ""})  # fmt: skip
    assert m.answer_correct(answer("任何回答"), route_only["gold"]) is None
    assert route_only["route"] == "rag"


def test_retrieval_item_becomes_retrieval_only():
    raw = {"id": "r014", "question": "q", "doc": "a.txt", "quote": "纠正10件", "also": ["\t10"],
           "type": "narrative", "lang": "zh"}  # fmt: skip
    item = normalize_item(raw)
    assert item["source"] == [
        {"doc": "a.txt", "quote": "纠正10件"},
        {"doc": "a.txt", "quote": "\t10"},
    ]
    assert item["route"] is None and m.answer_correct(answer("x"), item["gold"]) is None
    assert m.route_ok("rag", item["route"]) is None


def test_default_question_files_load_together():
    items = load_question_files(DEFAULT_QUESTIONS)
    prefixes = Counter(i["id"].split(":")[0] if ":" in i["id"] else "native" for i in items)
    assert prefixes["native"] >= 200 and prefixes["structured"] > 0 and prefixes["retrieval"] > 0


# -- running a system --------------------------------------------------------------------
class _EchoSystem:
    """Answers '331件' with a citation of the doc's first 10 characters; fails on 'boom'."""

    name = "echo"

    def __init__(self):
        self.histories = []

    def answer(self, question, history):
        self.histories.append(len(history))
        if question == "boom":
            raise RuntimeError("炸了")
        return answer(
            "共收到331件[1]", value=331, citations=[cite("d1", 0, 10, "共收到申请331件。")]
        )

    def retrieve(self, question, k):
        return [("d1", 50, 60), ("d1", 0, 10)]


def test_run_system_passes_history_along_chains_and_scores_each_turn():
    from evals.run import run_system

    doc = _Doc("d1", "共收到申请331件。" + "x" * 100, "/x/a.txt")
    corpus = Corpus({"a.txt": doc}, {})
    source = {"doc": "a.txt", "quote": "共收到申请331件"}
    chain = {"id": "c", "category": "followup", "turns": [
        {"question": "A？", "route": "table", "gold": {"value": 331, "refuse": False}, "source": source},
        {"question": "boom", "route": "table", "gold": {"value": 331, "refuse": False}, "source": source},
    ]}  # fmt: skip
    single = {"id": "s", "question": "B？", "category": "cell_lookup", "route": "rag",
              "gold": {"value": 331, "refuse": False}, "source": source}  # fmt: skip
    system = _EchoSystem()
    records = run_system(system, expand_turns([chain, single]), corpus)
    assert system.histories == [0, 1, 0]
    first, crashed, other = records
    assert first["scores"]["correct"] and first["scores"]["retrieval_rank"] == 2
    assert first["scores"]["citation_precision"] == 1.0 and first["scores"]["route_ok"] is True
    assert not crashed["scores"]["correct"] and crashed["route"] == "error"
    assert "炸了" in crashed["warnings"][0]
    assert other["scores"]["route_ok"] is False


# -- baselines ---------------------------------------------------------------------------
def test_naive_split_spans_are_exact_text_of_the_document():
    from evals.baselines import CHUNK_SIZE, split_naive

    text = "".join(
        f"第{i}段。本年新收政府信息公开申请{i}件，予以公开{i}件。\n\n" for i in range(60)
    )
    doc = _Doc("d1", text, "/x/a.txt")
    passages = split_naive([doc])
    assert len(passages) > 3
    for p in passages:
        assert doc.text[p.start : p.end] == p.text and len(p.text) <= CHUNK_SIZE


def test_bm25_baseline_ranks_the_matching_passage_first_and_answers_with_it():
    from evals.baselines import Baseline, BM25Retriever, Passage

    texts = [
        "政务新媒体规范发展，清理整合账号。",
        "行政复议结果纠正10件，维持1件。",
        "新冠肺炎疫情防控信息发布。",
    ]
    passages = [Passage("d1", 100 * i, 100 * i + len(t), t) for i, t in enumerate(texts)]
    docs = [_Doc("d1", "", "/x/a.txt")]
    docs[0].title = "报告"
    baseline = Baseline("bm25", BM25Retriever(passages), docs)
    assert baseline.retrieve("行政复议纠正多少件", 2)[0] == ("d1", 100, 100 + len(texts[1]))
    out = baseline.answer("行政复议纠正多少件", [])
    assert out["answer"] == texts[1] and out["route"] == "rag" and not out["refused"]
    assert out["citations"][0]["quote"] == texts[1] and out["router"] is False
    assert baseline.answer("完全无关的词汇组合", [])["refused"]


def test_acceptance_counts_each_target_over_its_own_turns():
    from evals.metrics import acceptance

    def record(gold, correct, refused=False, cited=1.0, unquoted=None):
        scores = {"correct": correct, "citation_precision": cited, "unquoted_number": unquoted}
        return {"gold": gold, "scores": scores, "refused": refused}

    records = [
        record({"value": 10, "refuse": False}, True, unquoted=False),
        record({"value": 12, "refuse": False}, False, unquoted=True),
        record({"value": None, "phrases": ["问题"], "refuse": False}, True, cited=0.0),
        record({"value": None, "phrases": ["问题"], "refuse": False}, True),
        record({"value": None, "refuse": True}, True, refused=True),
        record({"value": None, "phrases": [], "refuse": False}, None),  # judged by no gold
    ]
    assert acceptance(records) == {
        "numeric": (1, 2), "text": (1, 2), "refused": (1, 1), "no_unquoted": (1, 2),
    }  # fmt: skip
