"""Homophone typos of pinyin input (纠证 → 纠正, 淮荫区 → 槐荫区), corrected visibly.

Staff type with pinyin input methods, so a wrong character usually has the right sound. A word
is corrected only when jieba's dictionary does not know it (a real name such as 淮阴区 is never
"corrected" into 槐荫区) and its toneless pinyin equals exactly one known phrase of the same
length: a table label of the lexicon or a region name of the corpus. The caller shows every
correction to the user.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from functools import lru_cache

from assistant import lexicon as lx
from index.models import Document

_CJK_WORD = re.compile(r"[\u4e00-\u9fff]{2,8}")


def _pinyin(word: str) -> str:
    from pypinyin import lazy_pinyin

    return " ".join(lazy_pinyin(word))


@lru_cache(maxsize=16)
def _sound_index(regions: tuple[str, ...]) -> dict[str, set[str]]:
    """Toneless pinyin → the known phrases that sound so."""
    phrases = [p for p in lx.phrase_table() if _CJK_WORD.fullmatch(p)]
    phrases += [a for r in regions for a in lx.region_aliases(r) if _CJK_WORD.fullmatch(a)]
    phrases += [w for w in lx.QUESTION_FILLER if _CJK_WORD.fullmatch(w)]
    index: dict[str, set[str]] = {}
    for phrase in phrases:
        index.setdefault(_pinyin(phrase), set()).add(phrase)
    return index


def _known_word(word: str) -> bool:
    import jieba

    return bool(jieba.dt.FREQ.get(word))


def correct_homophones(
    question: str, documents: Sequence[Document]
) -> tuple[str, list[tuple[str, str]]]:
    """The question with homophone typos replaced, and the (typo, correction) pairs."""
    import jieba

    regions = tuple(sorted({d.region for d in documents if d.region}))
    index = _sound_index(regions)
    known = set().union(*index.values()) if index else set()
    out, corrections = [], []
    for word in jieba.cut(question, HMM=True):
        if _CJK_WORD.fullmatch(word) and word not in known and not _known_word(word):
            fixed = _correction(word, index)
            if fixed:
                corrections.append((word, fixed))
                word = fixed
        out.append(word)
    return "".join(out), corrections


def _correction(word: str, index: dict[str, set[str]]) -> str | None:
    """The one known phrase sounding like ``word`` (or like one of its 2+ character tails)."""
    for start in range(len(word) - 1):
        tail = word[start:]
        matches = index.get(_pinyin(tail), set())
        if len(matches) == 1:
            return word[:start] + next(iter(matches))
        if matches:
            return None  # ambiguous: leave it
    return None


def correction_note(corrections: Sequence[tuple[str, str]]) -> str:
    """（已将“淮荫区”按“槐荫区”理解）"""
    pairs = "、".join(f"“{typo}”按“{fixed}”" for typo, fixed in corrections)
    return f"（已将{pairs}理解）" if pairs else ""
