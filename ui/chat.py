"""Chat glue without Gradio: streaming an answer, filters, message lists, feedback lookup."""

from __future__ import annotations

import queue
import threading
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from domain.kinds import filter_choices

EXAMPLE_QUESTIONS = (
    "莱芜区2020年行政复议结果纠正多少件？",
    "how many 复议 cases were corrected in 2020?",
    "哪些任务由区民政局负责？",
    "2019年槐荫区存在哪些主要问题？",
    "对比各区县行政复议总数",
    "政务新媒体有什么要求？",
)
ALL = ""  # the "no filter" value of every selector
KIND_CHOICES = [("全部类型", ALL), *filter_choices()]


@dataclass
class Queued:
    """The question waits for the model: ``ahead`` questions before it (0: its turn came)."""

    ahead: int


@dataclass
class Draft:
    """The extractive answer with its citations, shown while the model writes its wording."""

    answer: Any


def stream_answer(
    assistant: Any, question: str, history: Sequence[dict], filters: Mapping[str, Any]
) -> Iterator[str | Draft | Queued | Any]:
    """Yield a Draft (when an LLM will answer), Queued positions while the model is busy with
    other questions, the model's tokens as it produces them, then the finished Answer.

    ``assistant.answer`` runs in a worker thread and reports through ``on_draft`` and
    ``on_token``; an exception it raises is re-raised here, after what already streamed. When
    the consumer stops (a new question, a closed tab), the model's generation is cancelled.
    """
    from assistant.model_server import RequestControl, set_request_control

    tokens: queue.Queue = queue.Queue()
    outcome: dict[str, Any] = {}
    control = RequestControl(on_wait=lambda ahead: tokens.put(Queued(ahead)))

    def work() -> None:
        set_request_control(control)
        try:
            outcome["answer"] = assistant.answer(
                question,
                list(history),
                filters=dict(filters),
                on_token=tokens.put,
                on_draft=lambda draft: tokens.put(Draft(draft)),
            )
        except Exception as exc:  # surfaced to the caller below
            outcome["error"] = exc
        finally:
            tokens.put(None)

    threading.Thread(target=work, name="gongkai-answer", daemon=True).start()
    try:
        while (token := tokens.get()) is not None:
            yield token
    finally:
        control.cancel.set()  # no-op once answered; else the generation stops at its next token
    if "error" in outcome:
        raise outcome["error"]
    yield outcome["answer"]


def filters_from(region: str | None, year: str | int | None, kind: str | None) -> dict[str, Any]:
    """The selectors' values as ``Assistant.answer(filters=…)`` takes them (unset ones left out)."""
    filters: dict[str, Any] = {}
    if region:
        filters["region"] = region
    if year not in (None, "", ALL):
        filters["year"] = int(year)
    if kind:
        filters["kind"] = kind
    return filters


def region_choices(docs: Sequence[Any]) -> list[tuple[str, str]]:
    regions = sorted({d.region for d in docs if d.region})
    return [("全部地区", ALL)] + [(r, r) for r in regions]


def year_choices(docs: Sequence[Any]) -> list[tuple[str, str]]:
    years = sorted({d.year for d in docs if d.year}, reverse=True)
    return [("全部年份", ALL)] + [(f"{y}年", str(y)) for y in years]


def user_message(text: str) -> dict[str, str]:
    return {"role": "user", "content": text}


def assistant_message(html: str) -> dict[str, str]:
    return {"role": "assistant", "content": html}


def answer_for_message(messages: Sequence[Mapping[str, Any]], index: int, answers: Sequence[dict]):
    """The Answer dict behind chat message ``index`` (answers hold one per assistant message)."""
    if not 0 <= index < len(messages) or messages[index].get("role") != "assistant":
        return None
    position = sum(1 for m in messages[: index + 1] if m.get("role") == "assistant") - 1
    return answers[position] if position < len(answers) else None


def is_like(liked: bool | str) -> bool:
    """Gradio reports 👍 as True or "Like", 👎 as False or "Dislike"."""
    return liked is True or (isinstance(liked, str) and liked.lower() == "like")


def section_at(spans: Sequence[tuple[int, int, str]], offset: int) -> str:
    """The heading path of the chunk ``(start, end, section)`` holding ``offset``."""
    best = ""
    for start, end, section in spans:
        if start <= offset < end:
            return section
        if start <= offset:
            best = section
    return best
