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


def _syllables(text: str) -> tuple[str, ...]:
    from pypinyin import lazy_pinyin

    return tuple(lazy_pinyin(text))


@lru_cache(maxsize=16)
def _sound_index(
    regions: tuple[str, ...],
) -> tuple[dict[tuple[str, ...], set[str]], frozenset[str], list[int]]:
    """Toneless syllables → the known phrases that sound so; every known phrase; the phrase
    lengths, longest first."""
    phrases = [p for p in lx.phrase_table() if _CJK_WORD.fullmatch(p)]
    phrases += [a for r in regions for a in lx.region_aliases(r) if _CJK_WORD.fullmatch(a)]
    phrases += [w for w in lx.QUESTION_FILLER if _CJK_WORD.fullmatch(w)]
    index: dict[tuple[str, ...], set[str]] = {}
    for phrase in phrases:
        index.setdefault(_syllables(phrase), set()).add(phrase)
    return index, frozenset(phrases), sorted({len(k) for k in index}, reverse=True)


def _known_word(word: str) -> bool:
    import jieba

    return bool(jieba.dt.FREQ.get(word))


def correct_homophones(
    question: str, documents: Sequence[Document]
) -> tuple[str, list[tuple[str, str]]]:
    """The question with homophone typos replaced, and the (typo, correction) pairs.

    Candidates are stretches of 2–8 characters between jieba word boundaries (淮|按市 → 淮按市)
    that hold a word jieba does not know, are no word themselves, and sound exactly like one
    known phrase.
    """
    import jieba

    index, known, lengths = _sound_index(tuple(sorted({d.region for d in documents if d.region})))
    corrections: list[tuple[str, str]] = []
    out, last = [], 0
    for run in re.finditer(r"[\u4e00-\u9fff]+", question):
        text = run.group(0)
        sounds = _syllables(text)
        if len(sounds) != len(text):
            continue
        bounds, unknown, pos = {0}, [], 0
        for token in jieba.cut(text, HMM=True):
            if len(token) > 1 and not _known_word(token):
                unknown.append((pos, pos + len(token)))
            pos += len(token)
            bounds.add(pos)
        i = 0
        while i < len(text):
            fixed = None
            for size in lengths:
                j = i + size
                if j not in bounds or i not in bounds:
                    continue
                if not any(i <= a and b <= j for a, b in unknown):
                    continue  # only a word jieba had to guess can be a typo (率|是 is not)
                piece = text[i:j]
                matches = index.get(sounds[i:j], set())
                if len(matches) == 1 and piece not in known and not _known_word(piece):
                    fixed = (piece, next(iter(matches)))
                    break
            if fixed:
                out.append(question[last : run.start() + i] + fixed[1])
                last = run.start() + i + len(fixed[0])
                corrections.append(fixed)
                i += len(fixed[0])
            else:
                i += 1
    out.append(question[last:])
    return "".join(out), corrections


def correction_note(corrections: Sequence[tuple[str, str]]) -> str:
    """（已将“淮荫区”按“槐荫区”理解）"""
    pairs = "、".join(f"“{typo}”按“{fixed}”" for typo, fixed in corrections)
    return f"（已将{pairs}理解）" if pairs else ""
