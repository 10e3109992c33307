"""One earlier turn of a conversation, as follow-up resolution reads it.

A turn answered by this process carries the :class:`Query` it was understood as, so resolving
the next question merges slots instead of understanding the earlier text again. Turns that come
from outside (the HTTP API, a saved chat) carry text only; :func:`turns_from` understands each of
those once, at the boundary.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, fields

from assistant.lexicon import GroupAsk
from assistant.understand import Query, understand
from index.models import Document


@dataclass(frozen=True)
class Turn:
    """A question as asked, its self-contained rewrite, and what it was understood as."""

    question: str
    rewritten: str = ""
    query: Query | None = None
    route: str = ""
    answer: str = ""

    @property
    def resolved(self) -> str:
        """The question as it was answered (its rewrite when it had one)."""
        return self.rewritten or self.question


def query_from(data: Query | Mapping[str, object] | None) -> Query | None:
    """A Query from itself or from its ``dataclasses.asdict`` form (a turn kept as JSON)."""
    if data is None or isinstance(data, Query):
        return data
    known = {f.name for f in fields(Query)}
    values = {k: v for k, v in data.items() if k in known}
    group = values.get("group")
    if isinstance(group, Mapping):
        spans = tuple(tuple(s) for s in group.get("spans", ()))
        values["group"] = GroupAsk(**{**group, "spans": spans})
    return Query(**values)  # type: ignore[arg-type]


def turn_from(data: Turn | Mapping[str, object]) -> Turn:
    """A Turn from itself or from an answer's dict (``Answer.to_dict()`` or ``{question, answer}``)."""
    if isinstance(data, Turn):
        return data
    return Turn(
        question=str(data.get("question") or ""),
        rewritten=str(data.get("rewritten") or ""),
        query=query_from(data.get("query")),  # type: ignore[arg-type]
        route=str(data.get("route") or ""),
        answer=str(data.get("answer") or ""),
    )


# Earlier turns as the pipeline keeps them (Turn) or as they come from outside (Answer dicts).
History = Sequence[Turn | Mapping[str, object]]


def turns_from(history: History, documents: Sequence[Document]) -> list[Turn]:
    """Typed turns, each understood exactly once: carried slots are kept, text-only turns read."""
    turns = []
    for item in history:
        turn = turn_from(item)
        if turn.query is None and turn.resolved:
            turn = Turn(turn.question, turn.rewritten, understand(turn.resolved, documents),
                        turn.route, turn.answer)  # fmt: skip
        turns.append(turn)
    return turns
