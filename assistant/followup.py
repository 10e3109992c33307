"""Follow-up questions: 那2019年呢？ 槐荫区呢？ 去年 — resolved against the previous turn by rules."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Sequence

from assistant import lexicon as lx
from assistant.lexicon import region_aliases
from assistant.understand import find_regions, find_unknown_places, find_years
from index.models import Document

_RELATIVE_YEARS = {"前年": -2, "去年": -1, "上年": -1, "上一年": -1, "今年": 0, "本年": 0,
                   "当年": 0, "明年": 1, "次年": 1, "下一年": 1, "第二年": 1}  # fmt: skip
# 上年/本年 also open table labels (上年结转, 本年新收, 本年制发件数): those words count as a year
# only standing alone; after 比/较/与/同 a relative year is a comparison the table tool reads.
_RELATIVE_RE = re.compile(
    r"(?<![比较与同])(?:(前年|去年|今年|明年)|(上一年|下一年|第二年|次年|上年|本年|当年)"
    r"(?=呢|的|[，,。？?！!\s]|$))"
)
_FOLLOWUP_START = re.compile(
    r"^\s*(?:那么?|那个|其中|它|该|这|同期|又|还有|另外|and\b|what about|how about)", re.I
)
_ELLIPSIS_END = re.compile(r"(?:呢|怎么样|如何|又是多少|what about|how about)\s*[?？。]?\s*$", re.I)
_FILLER = re.compile(
    r"那么?|呢|的|情况|又|是|多少|怎么样|如何|吗|and|what|about|how|in|for|[\s?？。,，!！]", re.I
)


def previous_question(history: Sequence[dict]) -> str:
    """The last turn's resolved question (its rewrite when it had one)."""
    if not history:
        return ""
    last = history[-1]
    return last.get("rewritten") or last.get("question") or ""


def absolute_years(question: str, reference_year: int) -> str:
    """Replace 去年/前年/今年 … by the year they mean relative to ``reference_year``."""
    return _RELATIVE_RE.sub(lambda m: f"{reference_year + _RELATIVE_YEARS[m.group(0)]}年", question)


def year_of_reference(question: str, previous: str, today: dt.date) -> int:
    """The year relative years count from: the question's own, else the previous turn's."""
    own = find_years(question)[0] or find_years(previous)[0]
    return own[-1] if own else today.year


def resolve_followup(
    question: str,
    history: Sequence[dict],
    documents: Sequence[Document],
    today: dt.date | None = None,
) -> str:
    """A self-contained question: relative years made absolute, ellipsis filled from history."""
    previous = previous_question(history)
    previous_years = find_years(previous)[0]
    reference = year_of_reference(question, previous, today or dt.date.today())
    question = absolute_years(question.strip(), reference)
    if not previous:
        return question
    years = find_years(question)[0]
    regions, region_spans = find_regions(question, documents)
    unknown = find_unknown_places(question, region_spans)
    rest = question
    for s, e in sorted(region_spans, reverse=True):
        rest = rest[:s] + rest[e:]
    for word in [str(y) for y in years] + unknown:
        rest = rest.replace(word, "")
    rest = _FILLER.sub("", re.sub(r"年度?", "", rest))
    if not rest:  # a pure substitution: 那2019年呢？ / 槐荫区呢？
        return substitute(previous, years, regions + unknown, documents)
    swapped = substitute_terms(previous, question)
    if swapped:  # 行政处罚呢？ after a 行政许可 question: same question, other row/column
        return substitute(swapped, years, regions + unknown, documents)
    if _FOLLOWUP_START.match(question) or len(rest) <= 6:
        prev_regions = find_regions(previous, documents)[0]
        prefix = ""
        if not regions and not unknown and prev_regions:
            prefix += prev_regions[0]
        if not years and previous_years:
            prefix += f"{previous_years[0]}年"
        body = _FOLLOWUP_START.sub("", question).lstrip("，, ")
        return f"{prefix}{body}" if prefix else question
    return question


def substitute_terms(previous: str, question: str) -> str:
    """The previous question with its table row/column replaced by the one an elliptical
    follow-up names (那行政处罚呢？), or '' when the follow-up is not of that form."""
    if not _ELLIPSIS_END.search(question):
        return ""
    new = [m for m in lx.find_terms(question.lower()) if m.term.slot in ("row", "col")]
    if not new:
        return ""
    old = [m for m in lx.find_terms(previous.lower()) if m.term.slot in ("row", "col")]
    out = previous
    # Replace right to left so earlier spans stay valid.
    replacements = []
    for mention in new:
        target = next((m for m in old if m.term.slot == mention.term.slot), None)
        if target is None:
            return ""
        old.remove(target)
        replacements.append((target, mention.text))
    for target, text in sorted(replacements, key=lambda r: -r[0].start):
        out = out[: target.start] + text + out[target.end :]
    return out


def substitute(
    previous: str, years: list[int], regions: list[str], documents: Sequence[Document]
) -> str:
    """The previous question with its year(s) and/or region replaced by the new ones."""
    out = previous
    if years:
        old_years = find_years(previous)[0]
        if old_years:
            out = out.replace(str(old_years[0]), str(years[0]), 1)
        else:
            out = f"{years[0]}年{out}"
    if regions:
        old_regions, spans = find_regions(previous, documents)
        old_unknown = find_unknown_places(previous, spans)
        replaced = False
        for old in old_regions:
            for alias in sorted(region_aliases(old), key=len, reverse=True):
                if alias in out:
                    out = out.replace(alias, regions[0], 1)
                    replaced = True
                    break
            if replaced:
                break
        if not replaced and old_unknown:
            out = out.replace(old_unknown[0], regions[0], 1)
            replaced = True
        if not replaced:
            out = f"{regions[0]}{out}"
    return out
