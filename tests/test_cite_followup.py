"""Citation verification and follow-up resolution (pure functions, real sample text)."""

from __future__ import annotations

import datetime as dt

from langchain_core.language_models.fake_chat_models import FakeListChatModel

from assistant.cite import Passage, extractive_answer, verify_answer
from assistant.followup import resolve_followup
from assistant.rag import answer_from_hits, question_terms


def _passages(sample_docs):
    text = sample_docs["spam_2021_annual_report.txt"].text
    start = text.index("2021年共收到政府信息公开案件70件")
    return [
        Passage(1, text[start : text.index("。", start) + 1]),
        Passage(2, "组织全区政务公开经办人业务培训。"),
    ]


def test_a_fabricated_number_is_removed(sample_docs):
    passages = _passages(sample_docs)
    verified = verify_answer("2021年共收到政府信息公开案件70件[1]。其中予以公开35件[1]。", passages)
    assert verified.text == "2021年共收到政府信息公开案件70件[1]。"
    assert verified.dropped == ["其中予以公开35件[1]。"]


def test_an_unsupported_sentence_is_dropped_and_an_uncited_supported_one_gets_its_marker(
    sample_docs,
):
    passages = _passages(sample_docs)
    verified = verify_answer("组织全区政务公开经办人业务培训。该区获得全国第一名。", passages)
    assert verified.text == "组织全区政务公开经办人业务培训[2]。" and verified.cited == [2]


def test_extractive_answer_quotes_passage_sentences_with_markers(sample_docs):
    passages = _passages(sample_docs)
    answer = extractive_answer(["政府信息公开", "案件"], passages)
    assert answer.text.startswith("2021年共收到政府信息公开案件70件") and answer.cited == [1]


class _Hit:
    def __init__(self, text, doc_id="d", start=0):
        self.text, self.doc_id, self.start, self.end, self.title = (
            text,
            doc_id,
            start,
            start + len(text),
            "t",
        )


def test_chain_with_fake_model_keeps_verified_text_and_falls_back_when_unsupported(sample_docs):
    hits = [_Hit(p.text) for p in _passages(sample_docs)]
    terms = question_terms("2021年收到多少政府信息公开案件？")
    good = FakeListChatModel(responses=["2021年共收到政府信息公开案件70件[1]。"])
    outcome = answer_from_hits("2021年收到多少政府信息公开案件？", hits, good, terms)
    assert outcome.mode == "llm" and "70件" in outcome.text and outcome.cited == [1]

    liar = FakeListChatModel(responses=["2021年共收到政府信息公开案件95件[1]。"])
    outcome = answer_from_hits("2021年收到多少政府信息公开案件？", hits, liar, terms)
    assert "95" not in outcome.text and outcome.mode == "extractive" and "70件" in outcome.text


def test_weak_evidence_is_refused_before_the_model_runs(sample_docs):
    hits = [_Hit(p.text) for p in _passages(sample_docs)]
    never = FakeListChatModel(responses=["编造的回答[1]。"])
    outcome = answer_from_hits(
        "重大行政决策目录公开了哪些事项？",
        hits,
        never,
        question_terms("重大行政决策目录公开了哪些事项？"),
    )
    assert outcome.refused and never.i == 0


def test_followups_resolve_against_the_previous_turn(sample_docs):
    docs = list(sample_docs.values())
    history = [{"question": "莱芜区2020年行政复议结果纠正多少件？"}]
    assert resolve_followup("那2019年呢？", history, docs) == "莱芜区2019年行政复议结果纠正多少件？"
    assert resolve_followup("槐荫区呢？", history, docs) == "槐荫区2020年行政复议结果纠正多少件？"
    assert resolve_followup("去年呢？", history, docs) == "莱芜区2019年行政复议结果纠正多少件？"
    # A new, complete question is left alone.
    assert resolve_followup("哪些任务由区民政局负责？", history, docs) == "哪些任务由区民政局负责？"
    # Relative years without history are relative to today.
    assert (
        resolve_followup("去年收到多少申请？", [], docs, today=dt.date(2021, 3, 1))
        == "2020年收到多少申请？"
    )


def test_a_number_in_chinese_numerals_is_checked_like_digits(sample_docs):
    passages = _passages(sample_docs)  # the passage says 70件
    forged = verify_answer("2021年共收到政府信息公开案件九百件[1]。", passages)
    assert forged.text == "" and forged.dropped
    same = verify_answer("2021年共收到政府信息公开案件七十件[1]。", passages)
    assert same.text == "2021年共收到政府信息公开案件七十件[1]。"
    wide = verify_answer("2021年共收到政府信息公开案件７０件[1]。", passages)
    assert wide.text.startswith("2021年共收到政府信息公开案件７０件")


def test_a_figure_must_belong_to_the_same_item_as_in_the_passage():
    passages = [Passage(1, "全年共收到政府信息公开申请70件，其中予以公开40件、部分公开35件。")]
    swapped = verify_answer("其中予以公开35件[1]。", passages)
    assert swapped.text == "" and swapped.dropped
    kept = verify_answer("全年共收到申请70件[1]，其中予以公开的有40件[1]。", passages)
    assert "40件" in kept.text and "70件" in kept.text


def test_a_count_asked_in_a_unit_is_answered_from_a_sentence_counting_in_it():
    from assistant.cite import asked_unit

    passages = [
        Passage(1, "通过12345热线收集群众需求，改进主动公开信息的质量。"),
        Passage(2, "全年累计主动公开政府信息135条，有效保障了群众的知情权。"),
    ]
    unit = asked_unit("2024年主动公开了多少条政府信息？")
    assert unit == "条"
    answer = extractive_answer(["主动公开", "信息"], passages, need_number=True, unit=unit)
    assert "135条" in answer.text and "12345" not in answer.text
    # Without a sentence counting in the unit, any stated number still qualifies.
    only_hotline = extractive_answer(
        ["主动公开", "信息"], passages[:1], need_number=True, unit=unit
    )
    assert "12345" in only_hotline.text
