"""Multi-turn follow-ups: rules over the real sample corpus, and the verified LLM rewrite that
is asked only when the rules can merely guess (fake chat models)."""

from __future__ import annotations

import json
from dataclasses import asdict, replace

import pytest
from langchain_core.language_models.fake_chat_models import FakeListChatModel

from assistant import followup, turn
from assistant.api import Answer, Assistant
from assistant.followup import resolve, resolve_followup, rewrite_with_llm, verify_rewrite
from assistant.turn import Turn
from assistant.understand import understand
from config import load_settings


@pytest.fixture(scope="module")
def docs(sample_docs):
    return list(sample_docs.values())


def turns(*questions: str) -> list[dict]:
    return [{"question": q} for q in questions]


# ── rules ────────────────────────────────────────────────────────────────────────────────
def test_a_question_naming_no_region_or_year_carries_the_previous_ones(docs):
    history = turns("槐荫区2019年存在哪些主要问题？")
    resolution = resolve("下一步打算怎么改进？", history, docs)
    assert resolution.text == "槐荫区2019年下一步打算怎么改进？"
    assert resolution.rule == "carry" and not resolution.needs_model
    # A question across regions keeps the year only; one of another kind is left alone.
    table = turns("洪泽区2024年本年新收政府信息公开申请多少件？")
    assert resolve_followup("哪个区最多？", table, docs) == "2024年哪个区最多？"
    assert resolve_followup("哪些任务由区民政局负责？", table, docs) == "哪些任务由区民政局负责？"


def test_a_task_follow_up_keeps_the_task_number(docs):
    history = turns("2022年莱芜区第17项任务的要求是什么？")
    rewritten = resolve_followup("责任单位是谁？", history, docs)
    query = understand(rewritten, docs)
    assert query.is_task and query.number == 17 and query.years == [2022]
    assert query.regions == ["济南市莱芜区"]
    # 它 after a unit's tasks: those tasks, with the unit named.
    by_unit = turns("莱芜区2022年哪些任务由区民政局负责？")
    resolution = resolve("那它的完成时限呢？", by_unit, docs)
    assert resolution.rule == "carry" and "它" not in resolution.text
    query = understand(resolution.text, docs)
    assert query.is_task and query.unit == "区民政局" and query.years == [2022]


def test_a_pointer_with_a_new_year_is_a_substitution(docs):
    history = turns("洪泽区2024年行政许可处理决定数量是多少？")
    assert (
        resolve_followup("它在2023年是多少？", history, docs)
        == "洪泽区2023年行政许可处理决定数量是多少？"
    )


def test_a_change_question_compares_the_last_two_years(docs):
    history = turns("洪泽区2023年本年新收政府信息公开申请多少件？", "2024年呢？")
    history[1]["rewritten"] = resolve_followup("2024年呢？", history[:1], docs)
    resolution = resolve("增加了多少？", history, docs)
    assert resolution.rule == "change"
    assert resolution.text == "洪泽区2024年本年新收政府信息公开申请比2023年增加了多少？"
    query = understand(resolution.text, docs)
    assert query.measure == "yoy" and sorted(query.years) == [2023, 2024]
    assert query.rows == ["本年新收"]
    # After one turn the change is against the year before, as the table tools read it.
    single = resolve_followup("同比增长多少？", history[1:], docs)
    assert understand(single, docs).measure == "yoy" and understand(single, docs).years == [2024]


def test_a_unit_follow_up_swaps_the_responsible_unit(docs):
    history = turns("莱芜区2022年哪些任务由区民政局负责？")
    assert resolve_followup("区医保局呢？", history, docs) == "莱芜区2022年哪些任务由区医保局负责？"
    assert (
        resolve_followup("槐荫区2020年区民政局呢？", history, docs)
        == "槐荫区2020年哪些任务由区民政局负责？"
    )


def test_an_english_follow_up_substitutes_the_region_and_the_year_before(docs):
    history = turns("How many new information disclosure requests did Huai'an receive in 2024?")
    rewritten = resolve_followup("And Hongze District?", history, docs)
    assert "Huai'an" not in rewritten
    query = understand(rewritten, docs)
    assert (query.regions, query.years, query.rows) == (["淮安市洪泽区"], [2024], ["本年新收"])
    before = resolve_followup("What about the year before?", history, docs)
    assert before == "How many new information disclosure requests did Huai'an receive in 2023?"


def test_a_sub_row_or_several_rows_replace_the_previous_row(docs):
    history = turns("洪泽区2024年行政复议总计多少件？")
    rewritten = resolve_followup("复议后起诉的行政诉讼呢？", history, docs)
    assert rewritten == "洪泽区2024年复议后起诉的行政诉讼总计多少件？"
    assert understand(rewritten, docs).rows == ["行政诉讼.复议后起诉"]
    both = resolve_followup(
        "行政处罚和行政强制呢？", turns("洪泽区2023年行政许可处理决定数量是多少？"), docs
    )
    assert understand(both, docs).rows == ["行政处罚", "行政强制"]


def test_several_years_substitute_the_previous_year(docs):
    history = turns("莱芜区2020年行政复议结果纠正多少件？")
    assert (
        resolve_followup("2019年和2020年呢？", history, docs)
        == "莱芜区2019年和2020年行政复议结果纠正多少件？"
    )


def test_only_a_pointer_the_rules_cannot_fill_asks_for_the_model(docs):
    history = turns("槐荫区2019年存在哪些主要问题？")
    assert resolve("这些问题怎么解决？", history, docs).needs_model
    assert resolve("那下半年呢？", history, docs).needs_model
    for question in ("2020年呢？", "下一步打算怎么改进？", "莱芜区2020年收到多少申请？"):
        assert not resolve(question, history, docs).needs_model, question
    assert not resolve("这些问题怎么解决？", [], docs).needs_model


# ── earlier turns are read from their slots, never understood again ─────────────────────
@pytest.fixture
def understood(monkeypatch) -> list[str]:
    """Every text follow-up resolution (and its turn conversion) understands, in order."""
    texts: list[str] = []

    def counting(text, documents):
        texts.append(text)
        return understand(text, documents)

    monkeypatch.setattr(followup, "understand", counting)
    monkeypatch.setattr(turn, "understand", counting)
    return texts


def carried(docs, *turns: tuple[str, str]) -> list[Turn]:
    """Turns as the pipeline keeps them: each with the Query its resolved text was read as."""
    return [Turn(q, rewritten, understand(rewritten or q, docs)) for q, rewritten in turns]


HONGZE_2023 = "洪泽区2023年本年新收政府信息公开申请多少件？"
FOLLOW_UPS = [  # (earlier turns, follow-up, rule): one case per rule that reads earlier turns
    ([("莱芜区2020年行政复议结果纠正多少件？", "")], "那2019年呢？", "substitute"),
    ([("莱芜区2022年哪些任务由区民政局负责？", "")], "区医保局呢？", "unit"),
    ([("洪泽区2024年行政复议总计多少件？", "")], "复议后起诉的行政诉讼呢？", "swap"),
    (
        [(HONGZE_2023, ""), ("2024年呢？", HONGZE_2023.replace("2023", "2024"))],
        "增加了多少？",
        "change",
    ),  # fmt: skip
    ([("2022年莱芜区第17项任务的要求是什么？", "")], "责任单位是谁？", "carry"),
    ([("槐荫区2019年存在哪些主要问题？", "")], "这些问题怎么解决？", "guess"),
    ([("洪泽区2024年行政许可处理决定数量是多少？", "")], "槐荫区2019年收到多少申请？", "own"),
]


@pytest.mark.parametrize(("earlier", "question", "rule"), FOLLOW_UPS)
def test_earlier_turns_carrying_their_query_are_not_understood_again(
    docs, understood, earlier, question, rule
):
    as_text = resolve(question, [{"question": q, "rewritten": r} for q, r in earlier], docs)
    history = carried(docs, *earlier)
    understood.clear()
    resolution = resolve(question, history, docs)
    assert (resolution.text, resolution.rule) == (as_text.text, rule)
    # The follow-up itself is read once, and only by the rules that weigh what it asks.
    assert understood == ([question] if rule in ("carry", "guess", "own") else [])


def test_the_query_of_a_question_left_as_asked_is_handed_back(docs):
    first = resolve("莱芜区2020年行政复议结果纠正多少件？", [], docs)
    assert first.rule == "first" and first.query == understand(first.text, docs)
    history = carried(docs, ("洪泽区2024年行政许可处理决定数量是多少？", ""))
    own = resolve("槐荫区2019年收到多少申请？", history, docs)
    assert own.rule == "own" and own.query == understand(own.text, docs)
    assert resolve("那2019年呢？", history, docs).query is None  # a rewrite is read later


def test_a_ui_history_turn_with_its_query_as_nested_json_resolves_like_its_text(docs, understood):
    earlier = [(HONGZE_2023, ""), ("2024年呢？", HONGZE_2023.replace("2023", "2024"))]
    expected = resolve("增加了多少？", [{"question": q, "rewritten": r} for q, r in earlier], docs)
    answers = [
        Answer(t.question, "", "table", rewritten=t.rewritten).to_dict()
        | {"query": asdict(t.query)}
        for t in carried(docs, *earlier)
    ]
    history = json.loads(json.dumps(answers, ensure_ascii=False))
    understood.clear()
    assert resolve("增加了多少？", history, docs).text == expected.text
    assert understood == []


# ── the model's rewrite, verified ────────────────────────────────────────────────────────
def test_verify_rewrite_keeps_the_follow_up_and_invents_nothing(docs):
    history = turns("槐荫区2019年存在哪些主要问题？")
    question = "这些问题怎么解决？"
    good = "槐荫区2019年存在的主要问题怎么解决？"
    assert verify_rewrite(f"改写：{good}", question, history, docs) == good
    rejected = {
        "another region": "莱芜区2019年存在的主要问题怎么解决？",
        "another year": "槐荫区2020年存在的主要问题怎么解决？",
        "an unknown place": "历城区2019年存在的主要问题怎么解决？",
        "the previous question echoed": "槐荫区2019年存在哪些主要问题？",
        "two questions": "槐荫区2019年存在哪些主要问题？这些问题怎么解决？",
        "too long": "槐荫区2019年存在的主要问题怎么解决？" * 4,
        "empty": "  ",
    }
    for why, rewrite in rejected.items():
        assert verify_rewrite(rewrite, question, history, docs) is None, why
    # The follow-up's own year must survive.
    assert (
        verify_rewrite("槐荫区存在的问题怎么解决？", "2019年这些问题怎么解决？", history, docs)
        is None
    )


class _Broken(FakeListChatModel):
    def _call(self, *args, **kwargs) -> str:
        raise TimeoutError("backend down")


class _Counting(FakeListChatModel):
    calls: int = 0

    def _call(self, *args, **kwargs) -> str:
        self.calls += 1
        return super()._call(*args, **kwargs)


def test_rewrite_with_llm_falls_back_on_failure_and_timeout(docs):
    history = turns("槐荫区2019年存在哪些主要问题？")
    good = FakeListChatModel(responses=["槐荫区2019年存在的主要问题怎么解决？"])
    assert (
        rewrite_with_llm("这些问题怎么解决？", history, good, docs)
        == "槐荫区2019年存在的主要问题怎么解决？"
    )
    assert rewrite_with_llm("这些问题怎么解决？", history, _Broken(responses=["x"]), docs) is None
    slow = FakeListChatModel(responses=["槐荫区2019年存在的主要问题怎么解决？"], sleep=2.0)
    assert rewrite_with_llm("这些问题怎么解决？", history, slow, docs, timeout=0.1) is None
    assert rewrite_with_llm("这些问题怎么解决？", history, None, docs) is None


@pytest.fixture
def assistant(sample_store):
    settings = replace(load_settings(), home=sample_store.path.parent, llm="none")
    return Assistant(settings, llm="none")


def _record_questions(assistant) -> list[str]:
    """Answer nothing, only record the question each turn is answered as."""
    asked: list[str] = []

    def answered(question, understood, corpus, llm, filters, stream, trace):
        asked.append(question)
        return Answer(question, "", "none")

    assistant._answer_resolved = answered
    return asked


FIRST = "洪泽区2024年行政许可处理决定数量是多少？"
POINTER = "它和行政处罚分别是多少？"  # the rules cannot say what 它 is
BOTH = "洪泽区2024年行政许可和行政处罚处理决定数量分别是多少？"


def test_the_answer_uses_a_verified_model_rewrite(assistant):
    history = [assistant.answer(FIRST).to_dict()]
    assert resolve(POINTER, history, assistant.documents()).needs_model
    model = _Counting(responses=[BOTH])
    assistant._chat_models["local"] = model  # the model the "local" backend would give
    result = assistant.answer(POINTER, history, llm="local")
    assert model.calls == 1 and result.rewritten == BOTH
    assert result.route == "table" and list(result.series.values()) == [9487, 2776]


def test_a_rejected_or_failing_model_leaves_the_rules_rewrite(assistant):
    history = [{"question": FIRST, "rewritten": FIRST}]
    rules = resolve_followup(POINTER, history, assistant.documents())
    asked = _record_questions(assistant)
    assistant._chat_models["local"] = FakeListChatModel(
        responses=[BOTH.replace("洪泽区", "槐荫区")]  # a region the session never named
    )
    assert assistant.answer(POINTER, history, llm="local").rewritten == rules
    assistant._chat_models["local"] = _Broken(responses=["x"])
    assert assistant.answer(POINTER, history, llm="local").rewritten == rules
    assert asked == [rules, rules]


def test_the_model_is_not_asked_when_the_rules_resolve_or_llm_is_none(assistant):
    history = [{"question": FIRST, "rewritten": FIRST}]
    _record_questions(assistant)
    never = _Counting(responses=[BOTH])
    assistant._chat_models["local"] = never
    for question in (
        "2023年呢？",
        "它在2023年是多少？",
        "行政处罚呢？",
        "槐荫区2019年收到多少申请？",
    ):
        assistant.answer(question, history, llm="local")
    assistant.answer(POINTER, history, llm="none")
    assert never.calls == 0
