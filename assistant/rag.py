"""Retrieval chain: hybrid hits → compact numbered context → LLM → verified citations.

Without an LLM (or when it fails, or says nothing the passages support) the answer is
extractive: the passage sentences that cover the question best, with their numbers.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Protocol, TypeVar

from langchain_core.language_models import BaseChatModel
from langchain_core.output_parsers import StrOutputParser
from langchain_core.prompts import ChatPromptTemplate
from langchain_core.runnables import Runnable

from assistant.cite import (
    Passage,
    Verified,
    asked_unit,
    extractive_answer,
    numbers_in,
    quoted_figure,
    term_in,
    term_weight,
    verify_answer,
)
from assistant.lexicon import english_terms
from assistant.model_server import GenerationCancelled, ModelUnavailable
from config import PROMPTS_DIR
from domain import stopwords
from domain.numbers import format_number
from domain.quantity import asks_quantity
from index.chunk import count_tokens
from index.numerals import MEASURE_WORDS

CONTEXT_TOKENS = 600  # the 1.5B model reads ~58 tokens/s on 2 cores: keep the prompt small
MIN_COVERAGE = 0.5  # share of the question's content terms the best passage must hold
NUMBER_PASSAGE_COVERAGE = 0.7  # the same for a quantity question
_STOP = frozenset(stopwords.words("passage"))  # domain/vocab/stopwords.tsv


class Retrieved(Protocol):
    """What the chain reads of a retrieved passage (an :class:`assistant.retrieve.Hit`)."""

    @property
    def doc_id(self) -> str: ...

    @property
    def start(self) -> int: ...

    @property
    def text(self) -> str: ...


H = TypeVar("H", bound=Retrieved)


def load_prompt(name: str) -> str:
    """A prompt template from prompts/<name>.txt."""
    return (PROMPTS_DIR / f"{name}.txt").read_text(encoding="utf-8")


@lru_cache(maxsize=1)
def answer_prompt() -> ChatPromptTemplate:
    return ChatPromptTemplate.from_messages(
        [("system", load_prompt("answer_system")), ("human", load_prompt("answer_user"))]
    )


def question_terms(question: str, drop: Sequence[str] = ()) -> list[str]:
    """Content words of a question (jieba with the domain terms), without question words,
    document-type words, regions and years."""
    from index.lexicon_terms import DOMAIN_TERMS
    from index.stores.bm25 import make_tokenizer

    text = question
    for word in drop:
        text = text.replace(word, " ")
    text = re.sub(r"\d{4}\s*年?", " ", text)
    text = text.lower()
    terms = english_terms(text)  # English words cannot match Chinese text: their translations
    for word in make_tokenizer(DOMAIN_TERMS).lcut(re.sub(r"[a-z][a-z'-]*", " ", text), HMM=False):
        word = word.strip()
        if len(word) > 2 and word[0] in MEASURE_WORDS:  # 多少篇文章 → 文章
            word = word[1:]
        if len(word) < 2 or word in _STOP or not re.search(r"\w", word):
            continue
        if word not in terms:
            terms.append(word)
    return terms


@dataclass
class ContextPassage:
    """A passage in the prompt, with the hit it came from (for citations)."""

    n: int
    text: str
    hit: Retrieved


def build_context(
    hits: Sequence[Retrieved], max_tokens: int = CONTEXT_TOKENS
) -> list[ContextPassage]:
    """Number the hits' texts and cut them to a total token budget (whole sentences kept)."""
    passages, used = [], 0
    for hit in hits:
        budget = max_tokens - used
        if budget < 40:
            break
        text = hit.text
        if count_tokens(text) > budget:
            text = _cut_to_tokens(text, budget)
        if not text:
            continue
        passages.append(ContextPassage(len(passages) + 1, text, hit))
        used += count_tokens(text)
    return passages


def _cut_to_tokens(text: str, budget: int) -> str:
    pieces = re.findall(r"[^。！？；\n]*[。！？；\n]?", text)
    out = ""
    for piece in pieces:
        if count_tokens(out + piece) > budget:
            break
        out += piece
    return out.strip()


def coverage(terms: Sequence[str], text: str) -> float:
    """Share of the terms (weighted by length) that occur in ``text``."""
    if not terms:
        return 0.0
    flat = re.sub(r"\s+", "", text).lower()
    return sum(term_weight(t) for t in terms if term_in(t, flat)) / sum(map(term_weight, terms))


def rerank_by_coverage(terms: Sequence[str], hits: Sequence[H]) -> list[H]:
    """Hits holding more of the question's terms first (retrieval order breaks ties), so the
    small context budget goes to the passages that can answer."""
    joined = "".join(t.split("|")[0] for t in terms)  # in question order: 发展|战略 → 发展战略
    grams = {joined[i : i + 2] for i in range(len(joined) - 1)}

    def adjacency(text: str) -> int:  # ties go to the passage printing the terms together
        flat = re.sub(r"\s+", "", text)
        return sum(1 for g in grams if g in flat)

    scored = [
        (-round(coverage(terms, h.text), 2), -adjacency(h.text), i, h) for i, h in enumerate(hits)
    ]
    return [h for *_, h in sorted(scored, key=lambda s: s[:3])]


def evidence_strength(terms: Sequence[str], passages: Sequence[ContextPassage]) -> float:
    """How well the best passage covers the question (0..1)."""
    return max((coverage(terms, p.text) for p in passages), default=0.0)


def make_answer_chain(chat_model: BaseChatModel) -> Runnable:
    """prompt | model | text: the generation step of the retrieval chain (LCEL)."""
    return answer_prompt() | chat_model | StrOutputParser()


def format_context(passages: Sequence[ContextPassage]) -> str:
    return "\n".join(f"[{p.n}] {' '.join(p.text.split())}" for p in passages)


@dataclass
class RagOutcome:
    text: str
    passages: list[ContextPassage]
    cited: list[int]
    refused: bool = False
    mode: str = "extractive"  # "llm" | "extractive" | "refused"
    warnings: list[str] = field(default_factory=list)
    dropped: list[str] = field(default_factory=list)
    figure: tuple[float, str] | None = None  # a quantity question's value, quoted from a passage


# (on_token, on_draft): the model's tokens as they come; the extractive draft before it starts
Stream = tuple[Callable[[str], None] | None, Callable[[RagOutcome], None] | None]


def answer_from_hits(
    question: str,
    hits: Sequence[Retrieved],
    chat_model: BaseChatModel | None,
    terms: Sequence[str],
    known_numbers: set[str] = frozenset(),
    on_token: Callable[[str], None] | None = None,
    on_draft: Callable[[RagOutcome], None] | None = None,
) -> RagOutcome:
    """Answer from retrieved hits: refuse on weak evidence, else LLM (verified) or extractive.

    A quantity question also gets its figure (``RagOutcome.figure``) when the quoted answer
    sentence states it unambiguously and the answer text shows that same number.
    """
    stream = (on_token, on_draft)
    outcome, figure = _answer_from_hits(question, hits, chat_model, terms, known_numbers, stream)
    if figure and not outcome.refused and format_number(figure[0]) in numbers_in(outcome.text):
        outcome.figure = figure
    return outcome


def _answer_from_hits(
    question: str,
    hits: Sequence[Retrieved],
    chat_model: BaseChatModel | None,
    terms: Sequence[str],
    known_numbers: set[str],
    stream: Stream,
) -> tuple[RagOutcome, tuple[float, str] | None]:
    """The outcome and the quoted figure candidate; ``stream`` is (on_token, on_draft)."""
    on_token, on_draft = stream
    passages = build_context(rerank_by_coverage(terms, hits))
    numeric = asks_quantity(question)
    # A figure must come from a passage that holds nearly all of the question's terms.
    needed = NUMBER_PASSAGE_COVERAGE if numeric else MIN_COVERAGE
    if not passages or evidence_strength(terms, passages) < needed:
        return RagOutcome("", passages, [], refused=True, mode="refused"), None
    simple = [Passage(p.n, p.text) for p in passages]
    unit = asked_unit(question) if numeric else ""
    extractive = extractive_answer(list(terms), simple, need_number=numeric, unit=unit)
    figure = quoted_figure(extractive.focus, list(terms), question) if numeric else None
    if chat_model is None or (numeric and not extractive.text):
        # No sentence states the asked quantity with the question's terms: the model may not
        # supply one either (it would pair a nearby number with the wrong thing).
        return _outcome(extractive, passages, "extractive"), figure
    if on_draft and extractive.text:  # citations and quoted sentences while the model writes
        on_draft(_outcome(extractive, passages, "extractive"))
    warnings = []
    try:
        chain = make_answer_chain(chat_model)
        inputs = {"context": format_context(passages), "question": question}
        if on_token:
            raw = ""
            for token in chain.stream(inputs):
                raw += token
                on_token(token)
        else:
            raw = chain.invoke(inputs)
    except GenerationCancelled:  # nobody waits for this answer any more
        warnings.append("llm_cancelled: 问题已取消，已改用原文摘录")
        return _outcome(extractive, passages, "extractive", warnings), figure
    except ModelUnavailable as exc:  # crashed, disabled or queue full: say so with the answer
        warnings.append(f"llm_unavailable: {exc}")
        return _outcome(extractive, passages, "extractive", warnings), figure
    except Exception as exc:  # any other backend failure falls back to the extractive answer
        warnings.append(f"llm_failed: {type(exc).__name__}，已改用原文摘录")
        return _outcome(extractive, passages, "extractive", warnings), figure
    if "未找到" in raw and len(raw) < 30:
        # The evidence check above already found a passage holding the question's terms; a
        # small model often declines anyway, so the quoted sentences answer instead.
        warnings.append("llm_declined: 模型未作答，已改用原文摘录")
        return _outcome(extractive, passages, "extractive", warnings), figure
    verified = verify_answer(raw, simple, known_numbers)
    if verified.text and figure and format_number(figure[0]) not in numbers_in(verified.text):
        verified = Verified("", [], [verified.text])  # the model's number is not the asked one
    if not verified.text:
        warnings.append("llm_unsupported: 模型回答无法与原文核对，已改用原文摘录")
        outcome = _outcome(extractive, passages, "extractive", warnings)
        outcome.dropped = verified.dropped
        return outcome, figure
    outcome = _outcome(verified, passages, "llm", warnings)
    outcome.dropped = verified.dropped
    return outcome, figure


def _outcome(
    verified: Verified,
    passages: list[ContextPassage],
    mode: str,
    warnings: list[str] | None = None,
) -> RagOutcome:
    if not verified.text:
        return RagOutcome("", passages, [], refused=True, mode="refused", warnings=warnings or [])
    return RagOutcome(verified.text, passages, verified.cited, mode=mode, warnings=warnings or [])
