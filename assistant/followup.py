"""Follow-up questions: 那2019年呢？ 槐荫区呢？ 去年 — resolved against the previous turn.

:func:`resolve` (pure rules) makes relative years absolute, substitutes regions and years,
swaps a table row/column or a task's responsible unit, turns 增加了多少？ after two turns over
different years into a change question, and carries the previous turn's region and year over.
Earlier turns are :class:`~assistant.turn.Turn` objects: which rule applies and what carries
over is decided from the slots of the :class:`Query` each was understood as, never by
understanding their text again; their text is only edited (the rewrite users see and retrieval
searches). The current question is understood at most once.
Only when the rules can merely guess (:attr:`Resolution.needs_model`) may a chat model rewrite
the question (:func:`rewrite_with_llm`); its rewrite is used only if :func:`verify_rewrite`
accepts it.
"""

from __future__ import annotations

import datetime as dt
import logging
import re
import threading
from collections.abc import Sequence
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any

from assistant import lexicon as lx
from assistant.scope import find_issuers
from assistant.turn import History, Turn, turns_from
from assistant.understand import (
    Query,
    find_regions,
    find_unit,
    find_unknown_places,
    find_years,
    understand,
    years_after_regions,
)
from index.models import Document

log = logging.getLogger(__name__)

_RELATIVE_YEARS = {"前年": -2, "去年": -1, "上年": -1, "上一年": -1, "今年": 0, "本年": 0,
                   "当年": 0, "明年": 1, "次年": 1, "下一年": 1, "第二年": 1}  # fmt: skip
# 上年/本年 also open table labels (上年结转, 本年新收, 本年制发件数): those words count as a year
# only standing alone; after 比/较/与/同 a relative year is a comparison the table tool reads.
_RELATIVE_RE = re.compile(
    r"(?<![比较与同])(?:(前年|去年|今年|明年)|(上一年|下一年|第二年|次年|上年|本年|当年)"
    r"(?=呢|的|[，,。？?！!\s]|$))"
)
# English years relative to the previous turn's (last year / next year stay: they mean today's).
_RELATIVE_EN = re.compile(
    r"\b(?:the\s+)?(year before|previous year|prior year|year after|following year)\b", re.I
)
_RELATIVE_EN_YEARS = {"year before": -1, "previous year": -1, "prior year": -1, "year after": 1,
                      "following year": 1}  # fmt: skip
_FOLLOWUP_START = re.compile(
    r"^\s*(?:那么?|那个|其中|它|该|这|同期|又|还有|另外|and\b|what about|how about)", re.I
)
# The part of a follow-up opening that can go once the context is put in front (pointers stay).
_LEAD = re.compile(
    r"^\s*(?:那么|那(?![个些项里])|其中|同期|又|还有|另外|and\b|what about|how about)[，,\s]*",
    re.I,
)
_ELLIPSIS_END = re.compile(r"(?:呢|怎么样|如何|又是多少|what about|how about)\s*[?？。]?\s*$", re.I)
_FILLER = re.compile(
    r"那么?|呢|的|情况|又|是|多少|怎么样|如何|吗|和|与|及|[\s?？。,，、!！]"
    r"|\b(?:and|what|about|how|in|for|of|the|then|district|county|city|province)\b",
    re.I,
)
# Words pointing back at something the follow-up does not name (它的责任单位, these figures).
_ANAPHOR = re.compile(
    r"它们?|这些|这个|这项|这一|那些|那项|上述|前者|后者|该[区市县项年局]"
    r"|\b(?:it|its|this|that|these|those|they|them)\b",
    re.I,
)
# Questions across regions or years: the previous turn's region/year is not carried into them.
_ACROSS_REGIONS = re.compile(
    r"哪个?(?:地区|区县|县区|区|市|县)|各(?:地|区|县|市)|\bwhich (?:district|region|city|county)",
    re.I,
)
_ACROSS_YEARS = re.compile(r"哪(?:一|个)?年|各年|历年|逐年|\bwhich year", re.I)
_RELATIVE_CUE = re.compile(
    r"前年|去年|上年|上一年|前一年|今年|明年|次年|下一年|后一年|第二年"
    r"|year before|previous year|prior year|last year|next year|following year",
    re.I,
)
# The quantity a numeric question ends with (…数量是多少？ …多少件？): cut before a change is asked.
_QUANTITY_TAIL = re.compile(
    r"(?:是|有|为|共|一共|总共|共计)*(?:多少|几)[件个项条次人元万家名]*[？?。！!]*\s*$"
)
_COMPARISON_START = re.compile(r"^(?:比|较|与|同比|相比|环比)")
_JOINERS = re.compile(r"^[和与及、,，的或/\s]*$")
_ENGLISH_LEVEL = re.compile(r"\s+(?:district|county|city|province)\b", re.I)
_LEVEL_CHARS = "省市区县旗州"
_LABEL = re.compile(
    r"^(?:改写后的问题|改写后|改写|完整问题|问题|rewritten question|question)\s*[:：]\s*", re.I
)
_INNER_END = re.compile(r"[。！？!?；;\n]")
# A pointer at the previous turn's task(s): it goes once the task is named (它的完成时限).
_TASK_POINTER = re.compile(r"^(?:它们?|这些任务|这项任务|该项?任务|上述任务|这些|这项)的?")
_GENERIC = re.compile(r"数字|数据|数目|数值")  # 这个数字: a rewrite names what it stands for
_CJK_RUN = re.compile(r"[\u4e00-\u9fff]+")

MODEL_TIMEOUT_S = 20.0  # the local 1.5B model needs a few seconds for the short condense prompt
MODEL_MAX_TOKENS = 60
MODEL_HISTORY_TURNS = 2  # earlier (resolved) questions shown to the model


@dataclass(frozen=True)
class Resolution:
    """A follow-up made self-contained, and the rule that did it.

    ``rule``: first (no history) | own (self-contained) | substitute | unit | swap | change |
    carry | guess (the follow-up points back at something the rules could not fill in).
    ``query``: what ``text`` was understood as when resolution understood it as it stands
    (rule first or own, or a guess left as asked), so the pipeline need not understand it
    again; None when ``text`` is a rewrite.
    """

    text: str
    rule: str
    query: Query | None = None

    @property
    def needs_model(self) -> bool:
        """Only a guess may be improved by a chat model."""
        return self.rule == "guess"


@dataclass(frozen=True)
class _Parts:
    """Regions, years, departments and lexicon terms a question names, and its content left
    (after fillers)."""

    years: list[int]
    year_spans: list[tuple[int, int]]
    regions: list[str]
    region_spans: list[tuple[int, int]]
    unknown: list[str]
    rest: str
    issuers: list[str] = field(default_factory=list)  # departments named (公安局)
    terms: list[lx.Mention] = field(default_factory=list)  # lexicon terms, offsets in the text

    @property
    def places(self) -> list[str]:
        return self.regions + self.unknown


def absolute_years(question: str, reference_year: int) -> str:
    """Replace 去年/前年/今年, the year before … by the year they mean relative to
    ``reference_year``."""
    question = _RELATIVE_RE.sub(
        lambda m: f"{reference_year + _RELATIVE_YEARS[m.group(0)]}年", question
    )
    return _RELATIVE_EN.sub(
        lambda m: str(reference_year + _RELATIVE_EN_YEARS[m.group(1).lower()]), question
    )


def year_of_reference(question: str, previous_years: Sequence[int], today: dt.date) -> int:
    """The year relative years count from: the question's own, else the previous turn's."""
    own = find_years(question)[0] or list(previous_years)
    return own[-1] if own else today.year


def _last(turns: Sequence[Turn]) -> tuple[str, Query | None]:
    """The previous turn's resolved question and its Query (None when there is none)."""
    if not turns or not turns[-1].resolved:
        return "", None
    return turns[-1].resolved, turns[-1].query


def _with_absolute_years(question: str, turns: Sequence[Turn], today: dt.date | None) -> str:
    """The question stripped, its relative years counted from its own year, else the previous
    turn's, else today's."""
    before = _last(turns)[1]
    reference = year_of_reference(
        question, before.years if before else [], today or dt.date.today()
    )
    return absolute_years(question.strip(), reference)


def resolve_followup(
    question: str,
    history: History,
    documents: Sequence[Document],
    today: dt.date | None = None,
) -> str:
    """A self-contained question: relative years made absolute, ellipsis filled from history."""
    return resolve(question, history, documents, today).text


def resolve(
    question: str,
    history: History,
    documents: Sequence[Document],
    today: dt.date | None = None,
) -> Resolution:
    """Resolve a follow-up by rules; see the module docstring for the rules, in order."""
    turns = turns_from(history, documents)
    question = _with_absolute_years(question, turns, today)
    previous, before = _last(turns)
    if before is None:
        return Resolution(question, "first", understand(question, documents))
    own = _parts(question, documents)
    if not own.rest:  # a pure substitution: 那2019年呢？ / 槐荫区呢？ / And Hongze District?
        swapped_issuer = substitute_issuer(previous, before, own.issuers, documents)
        return Resolution(
            substitute(swapped_issuer, own.years, own.places, documents), "substitute"
        )
    unit_swapped = substitute_unit(previous, before, question, own, documents)
    if unit_swapped:  # 区医保局呢？ after 哪些任务由区民政局负责？
        return Resolution(substitute(unit_swapped, own.years, own.places, documents), "unit")
    narrowed = narrow_to_part(previous, before, question, own)
    if narrowed:  # 其中商业企业申请的有几件？ after a row question: that row, that column
        return Resolution(substitute(narrowed, own.years, own.places, documents), "swap")
    swapped = substitute_terms(previous, question, own)
    if swapped:  # 行政处罚呢？ after a 行政许可 question: same question, other row/column
        return Resolution(substitute(swapped, own.years, own.places, documents), "swap")
    change = change_question(question, turns, own)
    if change:  # 增加了多少？ after 2023年… and 2024年呢？
        return Resolution(change, "change")
    return carry_over(question, previous, before, own, documents)


def _norm(text: str) -> str:
    """NFKC + lower case when that keeps every offset, else the text unchanged."""
    normal = lx.normalize(text)
    return normal if len(normal) == len(text) else text


def _mask(text: str, spans: Sequence[tuple[int, int]]) -> str:
    """``text`` with the spans blanked (offsets kept)."""
    chars = list(text)
    for start, end in spans:
        chars[start:end] = " " * (end - start)
    return "".join(chars)


def _parts(question: str, documents: Sequence[Document]) -> _Parts:
    """The regions, years and places a question names, and what is left once they, pointers
    and fillers go ('' for 那2019年呢？)."""
    text = _norm(question)
    years, year_spans = find_years(text)
    issuers, issuer_spans = find_issuers(text, documents)
    text = _mask(text, issuer_spans)  # 平潭公安局: the department is no place
    regions, region_spans = find_regions(text, documents)
    for year, span in years_after_regions(text, region_spans, year_spans):  # 洪泽区24呢
        years.append(year)
        year_spans.append(span)
    unknown = [
        p
        for p in find_unknown_places(_mask(question, year_spans), region_spans)
        if p not in regions
    ]
    rest = _mask(text, [*region_spans, *year_spans])
    for word in unknown:
        rest = rest.replace(word.lower(), " ")
    rest = _FILLER.sub("", _ANAPHOR.sub("", rest))
    rest = re.sub(r"^在", "", rest)  # 它在2023年…: nothing but a pointer, a place and a year
    terms = lx.find_terms(_norm(question))
    return _Parts(years, year_spans, regions, region_spans, unknown, rest, issuers, terms)


@dataclass(frozen=True)
class _Span:
    start: int
    end: int


def _joined_span(mentions: Sequence[lx.Mention | _Span], text: str) -> tuple[int, int] | None:
    """The span covering ``mentions`` (objects with start/end) when only joiners (和、的 …)
    stand between them, else None."""
    ordered = sorted(mentions, key=lambda m: m.start)
    for a, b in zip(ordered, ordered[1:], strict=False):
        if b.start < a.end or not _JOINERS.match(text[a.end : b.start]):
            return None
    return ordered[0].start, ordered[-1].end


def substitute_terms(previous: str, question: str, own: _Parts) -> str:
    """The previous question with its table row/column replaced by the one an elliptical
    follow-up names (那行政处罚呢？ 复议后起诉的行政诉讼呢？), or '' when it is not of that form.
    The previous question's own words are replaced, so they are located in its text."""
    if not _ELLIPSIS_END.search(question):
        return ""
    q_text, p_text = _norm(question), _norm(previous)
    new = [m for m in own.terms if m.term.slot in ("row", "col")]
    if not new:
        return ""
    old = [m for m in lx.find_terms(p_text) if m.term.slot in ("row", "col")]
    replacements: list[tuple[tuple[int, int], str]] = []
    for slot in ("row", "col"):
        news = [m for m in new if m.term.slot == slot]
        olds = [m for m in old if m.term.slot == slot]
        if not news:
            continue
        if not olds:
            return ""
        new_span, old_span = _joined_span(news, q_text), _joined_span(olds, p_text)
        # 复议后起诉的行政诉讼 for 行政复议; 行政处罚和行政强制 for 行政许可
        if new_span and old_span:
            replacements.append((old_span, question[new_span[0] : new_span[1]]))
        elif len(news) == len(olds):
            for o, n in zip(sorted(olds, key=lambda m: m.start), news, strict=True):
                replacements.append(((o.start, o.end), question[n.start : n.end]))
        else:
            return ""
    out = previous
    for (start, end), text in sorted(replacements, key=lambda r: -r[0][0]):
        out = out[:start] + text + out[end:]
    return out


_PART_START = re.compile(r"^\s*(?:那么?)?其中[，,\s]*")


def narrow_to_part(previous: str, before: Query, question: str, own: _Parts) -> str:
    """其中<column>…？ after a question about a table row: the previous question asked for that
    column of its row ('' when the follow-up is not of that form)."""
    start = _PART_START.match(question)
    if not start:
        return ""
    body = question[start.end() :]
    new = [m for m in own.terms if m.term.slot in ("row", "col") and m.start >= start.end()]
    if not new or any(m.term.slot == "row" for m in new) or not before.rows:
        return ""
    # The part is appended to the previous question's words: they must name the row itself
    # (a row implied by a column, 收费金额 → 行政事业性收费, has no words to narrow).
    if not any(m.term.slot == "row" for m in lx.find_terms(_norm(previous))):
        return ""
    head = without_quantity(previous) or previous.rstrip("？?。 ")
    return f"{head.rstrip()}{body}"


def substitute_unit(
    previous: str, before: Query, question: str, own: _Parts, documents: Sequence[Document]
) -> str:
    """The previous task question with its responsible unit replaced by the unit an elliptical
    follow-up names (区医保局呢？), or ''."""
    if not before.unit:
        return ""
    unit = ""
    # 市公安局莱芜区分局呢？ names a region inside the unit: try the name as written first
    for masked in (own.year_spans, [*own.region_spans, *own.year_spans]):
        core = _LEAD.sub("", _mask(question, masked).replace(" ", ""))
        core = re.sub(r"(?:的)?(?:呢|怎么样|如何)?\s*[?？。]?\s*$", "", core).strip(" ，,")
        if not core or not _CJK_RUN.fullmatch(core):
            continue
        found, span = find_unit(f"{core}负责")
        if found and span == (0, len(core)):
            unit = found
            break
    if not unit:
        return ""
    p_text = _norm(previous)
    known = [*find_years(p_text)[1], *find_regions(p_text, documents)[1]]
    old_unit, old_span = find_unit(_mask(p_text, known))
    if not old_unit or not old_span:
        return ""
    return previous[: old_span[0]] + unit + previous[old_span[1] :]


def substitute_issuer(
    previous: str, before: Query, issuers: list[str], documents: Sequence[Document]
) -> str:
    """The previous question about the department(s) a follow-up names (财政金融局呢？ after a
    公安局 question): replaces the department it named, or adds one after its region."""
    if not issuers:
        return previous
    new = "和".join(issuers)
    text = _norm(previous)
    spans = find_issuers(text, documents)[1] if before.issuers else []
    if spans:
        out = previous
        first = min(spans)
        for start, end in sorted(spans, reverse=True):  # from the end: offsets stay valid
            out = out[:start] + (new if (start, end) == first else "") + out[end:]
        return out
    region_spans = find_regions(text, documents)[1] if before.regions else []
    at = max((e for _, e in region_spans), default=0)
    return previous[:at] + new + previous[at:]


def substitute(
    previous: str, years: list[int], regions: list[str], documents: Sequence[Document]
) -> str:
    """The previous question with its year(s) and/or region(s) replaced by the new ones."""
    out = previous
    if years:
        old_years, spans = find_years(_norm(out))
        if old_years:
            start, end = spans[0]
            written = out[start:end]
            new = (
                "和".join(f"{y}年" for y in years)
                if "年" in written
                else " and ".join(str(y) for y in years)
            )
            out = out[:start] + new + out[end:]
        else:
            out = f"{'和'.join(f'{y}年' for y in years)}{out}"
    if regions:
        new = "和".join(regions)
        text = _norm(out)
        old_regions, spans = find_regions(text, documents)
        if spans:
            covered = _joined_span([_Span(s, e) for s, e in spans], text)
            start, end = covered or spans[0]
            level = _ENGLISH_LEVEL.match(out, end)
            end = level.end() if level else end
            return out[:start] + new + out[end:]
        old_unknown = find_unknown_places(out, spans)
        if old_unknown:
            i = out.find(old_unknown[0])
            end = i + len(old_unknown[0])
            if end < len(out) and out[end] in _LEVEL_CHARS and new[-1] in _LEVEL_CHARS:
                end += 1  # jieba may cut 莱芜|区: never leave 槐荫区区
            return out[:i] + new + out[end:]
        out = f"{new}{out}"
    return out


def without_quantity(question: str) -> str:
    """The question without the quantity it ends with (…结果纠正多少件？ → …结果纠正), or ''
    when it ends with none."""
    tail = _QUANTITY_TAIL.search(question)
    return question[: tail.start()] if tail and tail.start() else ""


def change_question(question: str, turns: Sequence[Turn], own: _Parts) -> str:
    """增加了多少？ / 占比多少？ / 纠错率呢？ after a numeric question: the previous question asked
    for that measure. A change is compared with the year an earlier turn asked the same about
    (洪泽区2024年…比2023年增加了多少？); '' when the follow-up is not a bare measure question."""
    measures = {m.term.value for m in own.terms if m.term.slot == "measure"}
    if not measures & {"yoy", "rate", "share"}:
        return ""
    if any(m.term.slot in ("row", "col", "table") for m in own.terms) or own.places:
        return ""
    previous, before = _last(turns)
    if before is None or not before.table or not before.is_numeric or len(before.years) != 1:
        return ""
    head = without_quantity(previous)
    if not head:
        return ""
    ask = _LEAD.sub("", question)
    if "yoy" in measures and not own.years and not _COMPARISON_START.match(ask):
        earlier = _earlier_year(turns[:-1], before)
        if earlier:  # without one, a change is against the year before (the tools' 比上年)
            ask = f"比{earlier}年{ask}"
    return head + ask


def _earlier_year(turns: Sequence[Turn], before: Query) -> int | None:
    """The year of the latest of ``turns`` that asked the same as ``before`` for another year."""
    for turn in reversed(turns):
        other = turn.query
        if other is None:
            continue
        same = (other.regions, other.table, other.rows, other.cols) == (
            before.regions, before.table, before.rows, before.cols,
        )  # fmt: skip
        if same and len(other.years) == 1 and other.years != before.years:
            return other.years[0]
    return None


def carry_over(
    question: str, previous: str, before: Query, own: _Parts, documents: Sequence[Document]
) -> Resolution:
    """The follow-up with the previous turn's region/year (and task number) put in front when
    it names none, unless it is a self-contained question about something else."""
    explicit = bool(_FOLLOWUP_START.match(question)) or len(own.rest) <= 6
    asked = understand(question, documents)  # the one reading of the follow-up itself
    same_kind = asked.is_task == before.is_task
    elliptical = bool(_FOLLOWUP_START.match(question) or _ELLIPSIS_END.search(question))
    anchored = bool(asked.table or asked.is_task or asked.measure != "value")
    anaphoric = bool(_ANAPHOR.search(question))
    unresolved = anaphoric or (not anchored and (elliptical or len(own.rest) <= 6))
    if not explicit and (own.places or own.years or not same_kind):
        # Naming both a region and a year makes a question self-contained enough (latency).
        pointing = anaphoric and not (own.places and own.years)
        return Resolution(question, "guess" if pointing else "own", asked)
    prefix = ""
    if not own.places and before.regions and not _ACROSS_REGIONS.search(question):
        prefix += "和".join(before.regions)
    if not own.years and before.years and not _ACROSS_YEARS.search(question):
        prefix += "和".join(f"{y}年" for y in before.years)
    body = _LEAD.sub("", question)
    if asked.is_task and before.is_task:  # 责任单位是谁？ after 第17项任务的要求是什么？
        subject = task_subject(before)
        if subject and not names_own_task(asked):
            prefix += subject
            body = _TASK_POINTER.sub("", body)
            unresolved = bool(_ANAPHOR.search(body))
    if not prefix:
        return Resolution(question, "guess" if unresolved else "own", asked)
    return Resolution(f"{prefix}{body}", "guess" if unresolved else "carry")


def task_subject(before: Query) -> str:
    """What a task follow-up asks about, from the previous task question's slots: 第17项任务的
    or 区民政局负责的任务的 ('' when it named neither)."""
    if before.numbers:
        return f"第{'、'.join(str(n) for n in before.numbers)}项任务的"
    return f"{before.unit}负责的任务的" if before.unit else ""


def names_own_task(asked: Query) -> bool:
    """Does a task follow-up name a task of its own: a number, a unit, or a keyword beyond the
    lead and the pointer (那它的完成时限呢？ names none: its keyword 那它 is only pointing)?"""
    words = (asked.keyword or "").split()
    pointing = [_TASK_POINTER.sub("", _LEAD.sub("", w)) for w in words]
    return bool(asked.numbers or asked.unit or any(pointing))


# ── LLM rewrite, only where the rules can merely guess ─────────────────────────────────────
@lru_cache(maxsize=1)
def condense_prompt() -> Any:
    """The condense prompt (prompts/condense.txt) as a chat prompt template."""
    from langchain_core.prompts import ChatPromptTemplate

    from assistant.rag import load_prompt

    return ChatPromptTemplate.from_template(load_prompt("condense").strip())


def rewrite_with_llm(
    question: str,
    history: History,
    chat_model: Any,
    documents: Sequence[Document] = (),
    timeout: float = MODEL_TIMEOUT_S,
    today: dt.date | None = None,
) -> str | None:
    """The chat model's self-contained rewrite of a follow-up, if it passes
    :func:`verify_rewrite`; None when there is no model, it fails, times out or the rewrite
    is rejected (the caller then keeps the rules' rewrite)."""
    if chat_model is None or not history:
        return None
    from langchain_core.output_parsers import StrOutputParser

    turns = turns_from(history, documents)
    question = _with_absolute_years(question, turns, today)
    earlier = [t.resolved for t in turns[-MODEL_HISTORY_TURNS:]]
    inputs = {"history": "\n".join(q for q in earlier if q), "question": question}
    try:
        model = chat_model.bind(max_tokens=MODEL_MAX_TOKENS, stop=["\n"])
        chain = condense_prompt() | model | StrOutputParser()
    except Exception as exc:  # a model that takes no such options: the rules' rewrite stands
        log.info("condense model unusable: %s", exc)
        return None
    outcome: list[object] = []

    def run() -> None:
        try:
            outcome.append(chain.invoke(inputs))
        except Exception as exc:  # any backend failure falls back to the rules' rewrite
            outcome.append(exc)

    worker = threading.Thread(target=run, name="condense", daemon=True)
    worker.start()
    worker.join(timeout)
    if not outcome or isinstance(outcome[0], Exception):
        log.info("condense failed: %s", outcome[0] if outcome else "timeout")
        return None
    rewrite = verify_rewrite(str(outcome[0]), question, turns, documents)
    if rewrite is None:
        log.info("condense rewrite rejected: %r", outcome[0])
    return rewrite


def verify_rewrite(
    text: str, question: str, history: History, documents: Sequence[Document] = ()
) -> str | None:
    """``text`` cleaned when it is a single short question that keeps the follow-up's own
    regions, years, table terms, unit and content words and names no region or year found in
    neither the follow-up nor the history (the earlier turns' slots); else None."""
    lines = [line.strip() for line in text.strip().splitlines() if line.strip()]
    if not lines:
        return None
    rewrite = _LABEL.sub("", lines[0]).strip().strip("\"'“”「」『』`").strip()
    turns = turns_from(history, documents)
    previous = _last(turns)[0]
    limit = min(120, max(40, len(previous) + len(question)) + 10)
    if not 4 <= len(rewrite) <= limit or _INNER_END.search(rewrite[:-1]):
        return None
    asked, got = _parts(question, documents), _parts(rewrite, documents)
    if not set(asked.years) <= set(got.years) or not set(asked.regions) <= set(got.regions):
        return None
    if any(p.lower() not in rewrite.lower() for p in asked.unknown):
        return None
    if not _terms(asked) <= _terms(got):
        return None
    unit = find_unit(_norm(question))[0]
    if unit and unit not in rewrite:
        return None
    if _content_kept(question, asked, rewrite) < 0.6:
        return None
    texts = [question] + [text for t in turns for text in (t.question, t.rewritten)]
    known_years: set[int] = set(asked.years)
    known_regions: set[str] = set(asked.regions)
    for earlier in (t.query for t in turns if t.query):
        known_years |= set(earlier.years)
        known_regions |= set(earlier.regions)
    if _RELATIVE_CUE.search(question):  # the year before / 前一年: a neighbouring year is meant
        known_years |= {y + d for y in set(known_years) for d in (-2, -1, 1, 2)}
    if not set(got.years) <= known_years or not set(got.regions) <= known_regions:
        return None
    seen = "\n".join(texts).lower()
    if any(p.lower() not in seen for p in got.unknown):
        return None
    return rewrite


def _terms(parts: _Parts) -> set[tuple[str, str]]:
    """The lexicon terms (slot, canonical value) a text names."""
    return {(m.term.slot, m.term.value) for m in parts.terms}


def _content_kept(question: str, parts: _Parts, rewrite: str) -> float:
    """Share of the follow-up's own Chinese content bigrams (fillers, pointers, regions and
    years removed) found in ``rewrite``; 1.0 when it has none."""
    text = _mask(_norm(question), [*parts.region_spans, *parts.year_spans])
    for place in parts.unknown:
        text = text.replace(place.lower(), " ")
    text = _GENERIC.sub(" ", _ANAPHOR.sub(" ", _LEAD.sub(" ", text)))
    text = _FILLER.sub(" ", text)
    grams = {run[i : i + 2] for run in _CJK_RUN.findall(text) for i in range(len(run) - 1)}
    if not grams:
        return 1.0
    target = _norm(rewrite)
    return sum(g in target for g in grams) / len(grams)
