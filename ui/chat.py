"""Chat glue without Gradio: streaming an answer, filters, message lists, feedback lookup."""

from __future__ import annotations

import queue
import threading
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Protocol

from domain.kinds import filter_choices

if TYPE_CHECKING:
    from assistant.answer import Answer, AnswerDict
    from assistant.api import Filters
    from assistant.turn import History
    from index.models import Document

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


class Answering(Protocol):
    """What :func:`stream_answer` calls: ``assistant.api.Assistant`` or one with its backend
    chosen (its other options keep their defaults)."""

    def answer(
        self,
        question: str,
        history: History,
        *,
        filters: Filters,
        on_token: Callable[[str], None],
        on_draft: Callable[[Answer], None],
    ) -> Answer: ...


@dataclass
class Queued:
    """The question waits for the model: ``ahead`` questions before it (0: its turn came)."""

    ahead: int


@dataclass
class Draft:
    """The extractive answer with its citations, shown while the model writes its wording."""

    answer: Answer


def stream_answer(
    assistant: Answering, question: str, history: History, filters: Filters
) -> Iterator[str | Draft | Queued | Answer]:
    """Yield a Draft (when an LLM will answer), Queued positions while the model is busy with
    other questions, the model's tokens as it produces them, then the finished Answer.

    ``assistant.answer`` runs in a worker thread and reports through ``on_draft`` and
    ``on_token``; an exception it raises is re-raised here, after what already streamed. When
    the consumer stops (a new question, a closed tab), the model's generation is cancelled.
    """
    from assistant.model_server import RequestControl, set_request_control

    tokens: queue.Queue[str | Draft | Queued | None] = queue.Queue()
    answered: list[Answer] = []
    failed: list[Exception] = []
    control = RequestControl(on_wait=lambda ahead: tokens.put(Queued(ahead)))

    def work() -> None:
        set_request_control(control)
        try:
            answer = assistant.answer(
                question,
                list(history),
                filters=dict(filters),
                on_token=tokens.put,
                on_draft=lambda draft: tokens.put(Draft(draft)),
            )
            answered.append(answer)
        except Exception as exc:  # surfaced to the caller below
            failed.append(exc)
        finally:
            tokens.put(None)

    threading.Thread(target=work, name="gongkai-answer", daemon=True).start()
    try:
        while (token := tokens.get()) is not None:
            yield token
    finally:
        control.cancel.set()  # no-op once answered; else the generation stops at its next token
    if failed:
        raise failed[0]
    yield answered[0]


def filters_from(
    region: str | None, year: str | int | None, kind: str | None
) -> dict[str, str | int]:
    """The selectors' values as ``Assistant.answer(filters=…)`` takes them (unset ones left out)."""
    filters: dict[str, str | int] = {}
    if region:
        filters["region"] = region
    if year not in (None, "", ALL):
        filters["year"] = int(year)
    if kind:
        filters["kind"] = kind
    return filters


def region_choices(docs: Sequence[Document]) -> list[tuple[str, str]]:
    regions = sorted({d.region for d in docs if d.region})
    return [("全部地区", ALL)] + [(r, r) for r in regions]


def year_choices(docs: Sequence[Document]) -> list[tuple[str, str]]:
    years = sorted({d.year for d in docs if d.year}, reverse=True)
    return [("全部年份", ALL)] + [(f"{y}年", str(y)) for y in years]


def user_message(text: str) -> dict[str, str]:
    return {"role": "user", "content": text}


def assistant_message(html: str) -> dict[str, str]:
    return {"role": "assistant", "content": html}


def answer_for_message(
    messages: Sequence[Mapping[str, object]], index: int, answers: Sequence[AnswerDict]
) -> AnswerDict | None:
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
