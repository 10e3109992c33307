"""Citation checks after generation, and the extractive answer built from passages.

A generated sentence survives only if a passage it cites supports it (character-bigram
overlap, as RAGFlow's post-hoc citation does) and every number in it appears in a cited
passage. Numbers shown to users therefore always come from quoted source text.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, field

from index.numerals import arabic_numbers

_MARKER = re.compile(r"\[(\d{1,2})\]")
_SENTENCE = re.compile(r"[^。！？；!?;\n]+[。！？；!?;]*")
_NUMBER = re.compile(r"\d+(?:\.\d+)?")
_CJK = re.compile(r"[\u4e00-\u9fff]")
SUPPORT_THRESHOLD = 0.5  # share of a sentence's bigrams found in its cited passages
NUMBER_COVERAGE = 0.6  # share of a quantity question's terms its answering sentence must hold


@dataclass
class Passage:
    """A numbered passage given to the model: n is its citation number."""

    n: int
    text: str


@dataclass
class Verified:
    text: str
    cited: list[int]
    dropped: list[str] = field(default_factory=list)
    focus: str = ""  # for a quantity question: the sentence that states the figure


def bigrams(text: str) -> set[str]:
    """Character bigrams of the Chinese/alphanumeric content (punctuation and spaces removed)."""
    flat = re.sub(r"[^\w]", "", _MARKER.sub("", text))
    return {flat[i : i + 2] for i in range(len(flat) - 1)}


def support(sentence: str, passage: str) -> float:
    """Share of the sentence's bigrams that occur in the passage."""
    grams = bigrams(sentence)
    if not grams:
        return 0.0
    return len(grams & bigrams(passage)) / len(grams)


# 两次, 三十个 (a lone 一 is an article more often than a count: 一批, 一个重要…)
_CN_QUANTITY = re.compile(
    r"(?:[二两三四五六七八九十百千万][一二两三四五六七八九十百千万]*|一[十百千万]+)\s*[个件次项条期名人家场位]"
)


_YEAR_WORD = re.compile(r"(?:19|20)\d{2}\s*年(?:度|底|末|初)?")


def states_number(sentence: str) -> bool:
    """Does the sentence state a quantity (7期, 不少于两次)? A list marker (1. / 一是) does not."""
    body = _YEAR_WORD.sub("", _ITEM.sub("", sentence, count=1))  # 2024 年 dates, not counts
    return bool(_NUMBER.search(body) or _CN_QUANTITY.search(body))


_NEGATION = ("未", "没有", "无", "不曾")


def states_none(sentence: str, terms: Sequence[str]) -> bool:
    """Does the sentence say the asked thing did not happen (2018年未收到…申请)? An answer to a
    quantity question too, without a number."""
    return any(
        f"{neg}{alt}" in sentence for t in terms for alt in t.split("|") for neg in _NEGATION
    )


def term_in(term: str, text: str) -> bool:
    """Does ``text`` hold the term or one of its alternatives (问题|不足)?"""
    return any(alt in text for alt in term.split("|"))


def term_weight(term: str) -> int:
    """A term weighs its length (of the first alternative)."""
    return len(term.split("|")[0])


def numbers_in(text: str) -> list[str]:
    """Numbers written in ``text`` in Arabic, full-width or Chinese numerals (九百件 → 900),
    citation markers excluded, thousands separators removed."""
    return _NUMBER.findall(arabic_numbers(_MARKER.sub("", text)).replace(",", ""))


_APPROXIMATE = re.compile(r"(\d+(?:\.\d+)?)\s*(?:余|多|左右|以上|以下|万余|余万)")


def numbers_supported(sentence: str, passages: list[str], extra: set[str] = frozenset()) -> bool:
    """True when every number in the sentence appears in one of the passages or in ``extra``,
    and a number the passages only give as approximate (10余名) stays approximate."""
    flat = [arabic_numbers(re.sub(r"\s+", "", p)) for p in passages]
    sentence = arabic_numbers(sentence)
    haystack = {n for p in flat for n in numbers_in(p)} | set(extra)
    if not all(n in haystack or _strip_zero(n) in haystack for n in numbers_in(sentence)):
        return False
    approximate = {m.group(1) for p in flat for m in _APPROXIMATE.finditer(p)}
    exact = {n for p in flat for n in numbers_in(_APPROXIMATE.sub(" ", p))}
    stated = {m.group(1) for m in _APPROXIMATE.finditer(_MARKER.sub("", sentence))}
    only_approximate = (approximate - exact) - stated
    if any(n in only_approximate for n in numbers_in(sentence)):
        return False
    return all(_attached_alike(m, flat, extra) for m in _NUMBER.finditer(_clean(sentence)))


# Words between an item and its figure that say nothing about which item it is.
_LINK_CHARS = set("共计为了达到是有约近其中的分别合各全年总数量和及与被")
_ITEM_CHARS = 4
_ITEM_BREAK = re.compile(r"[、，,。；;：:！？!?（）()\d\s]")


def _item_word(text: str, number_start: int) -> str:
    """Up to four characters naming the item a figure belongs to (予以公开35件 → 予以公开)."""
    i = number_start
    while i > 0 and text[i - 1] in _LINK_CHARS:
        i -= 1
    word = ""
    while i > 0 and len(word) < _ITEM_CHARS and "\u4e00" <= text[i - 1] <= "\u9fff":
        word = text[i - 1] + word
        i -= 1
    return "".join(ch for ch in word if ch not in _LINK_CHARS)


def _in_order(word: str, window: str) -> bool:
    chars = iter(window)
    return all(ch in chars for ch in word)


def _attached_alike(match: re.Match[str], passages: list[str], extra: set[str]) -> bool:
    """A figure must follow the same item somewhere in the passages, not merely appear in them:
    其中予以公开35件 fails against 予以公开40件、部分公开35件 (the item is the text since the
    previous separator before the figure; the sentence's item words must appear in it, in order)."""
    number = match.group(0)
    if number in extra or _strip_zero(number) in extra:
        return True
    word = _item_word(match.string, match.start())
    if len(word) < 2:
        return True
    for passage in passages:
        for other in _NUMBER.finditer(passage):
            if other.group(0) not in (number, _strip_zero(number)):
                continue
            breaks = [m.end() for m in _ITEM_BREAK.finditer(passage, 0, other.start())]
            window = passage[breaks[-1] if breaks else 0 : other.start()]
            if _in_order(word, window):
                return True
    return False


def _clean(sentence: str) -> str:
    return _MARKER.sub("", re.sub(r"\s+", "", sentence)).replace(",", "")


def _strip_zero(number: str) -> str:
    return number.rstrip("0").rstrip(".") if "." in number else number


_ITEM_MARK = r"(?:[一二三四五六七八九十]+是|[（(][一二三四五六七八九十\d]+[)）]|\d+[、.．])"
_COLON_BEFORE_ITEM = re.compile(rf"(?<=[：:])(?=\s*{_ITEM_MARK})")


def split_sentences(text: str) -> list[str]:
    """Sentences at 。！？；, and a lead-in ending in ： apart from the 一是… item it opens."""
    out = []
    for sentence in _SENTENCE.findall(text):
        out += [s.strip() for s in _COLON_BEFORE_ITEM.split(sentence) if s.strip()]
    return out


def verify_answer(
    answer: str, passages: list[Passage], known_numbers: set[str] = frozenset()
) -> Verified:
    """Keep the sentences a cited passage supports; drop the rest (and any invented number)."""
    by_n = {p.n: p.text for p in passages}
    kept, cited, dropped = [], [], []
    for sentence in split_sentences(answer):
        marks = [int(m) for m in _MARKER.findall(sentence) if int(m) in by_n]
        if not marks:
            best = max(passages, key=lambda p: support(sentence, p.text), default=None)
            if best is None or support(sentence, best.text) < SUPPORT_THRESHOLD:
                dropped.append(sentence)
                continue
            marks = [best.n]
            sentence = sentence.rstrip("。") + f"[{best.n}]。"
        sources = [by_n[m] for m in marks]
        joined = "".join(sources)
        if support(sentence, joined) < SUPPORT_THRESHOLD or not numbers_supported(
            sentence, sources, known_numbers
        ):
            dropped.append(sentence)
            continue
        kept.append(sentence)
        cited.extend(m for m in marks if m not in cited)
    return Verified(text="".join(kept), cited=cited, dropped=dropped)


_HEADING = re.compile(
    r"^\s*(?:[一二三四五六七八九十]+、|[（(][一二三四五六七八九十\d]+[)）]|\d+[、.．])"
)


def is_lead_in(sentence: str) -> bool:
    """A heading or a sentence that announces a list (…存在以下问题：): its content follows."""
    body = sentence.strip()
    return body.endswith(("：", ":")) or (bool(_HEADING.match(body)) and not body.endswith("。"))


_ITEM = re.compile(rf"^\s*{_ITEM_MARK}")


_ELABORATION = re.compile(
    r"^\s*(?:如|例如|比如|譬如|主要是|主要表现在|主要表现为|具体表现为|表现在|包括)"
)


def opens_list(sentences: list[str], i: int) -> bool:
    """Is sentence ``i`` followed at once by an enumeration (一是… 二是…, （一）…（二）…) or by
    a sentence spelling it out (如…等。 / 主要是…)?"""
    following = sentences[i + 1 : i + 3]
    if following and _ELABORATION.match(following[0]):
        return True
    return len(following) == 2 and all(_ITEM.match(s) for s in following)


def announced(sentences: list[str], i: int, items: int = 4) -> list[str]:
    """What a lead-in sentence announces: the list items that follow it (一是… / （一）…),
    else the next sentence; nothing for an ordinary sentence."""
    if not is_lead_in(sentences[i]) and not opens_list(sentences, i):
        return []
    following = sentences[i + 1 :]
    if following and _ELABORATION.match(following[0]):
        return following[:1]
    listed = [s for s in following if _ITEM.match(s)]
    if len(listed) >= 2:
        return listed[:items]
    out = following[:1]
    if out and is_lead_in(out[0]):
        out += announced(sentences, i + 1, items)
    return out


_PARTITIVE = re.compile(r"^\s*(?:其中|其余|另有|包括|分别)")


def list_head(sentences: list[str], i: int) -> int:
    """The first item of the ；-separated list sentence ``i`` belongs to (its own index if none):
    城市管理类23件； is an item of 其中，城乡建设类46件；文化教育类13件；…"""
    while i > 0 and sentences[i - 1].rstrip().endswith(("；", ";")):
        i -= 1
    return i


def continues(head: str, item: str, passages: list[Passage]) -> bool:
    """Is ``item`` in the 其中… list that follows ``head`` in one of the passages?"""
    for p in passages:
        sentences = split_sentences(p.text)
        for i, sentence in enumerate(sentences):
            if sentence == item:
                start = list_head(sentences, i)
                if start and _PARTITIVE.match(sentences[start]) and sentences[start - 1] == head:
                    return True
    return False


_ASKED_UNIT = re.compile(r"多少\s*([个件期条人位次项家所场篇份])")


def asked_unit(question: str) -> str:
    """The measure word a quantity question counts in (多少条 → 条), or ''."""
    m = _ASKED_UNIT.search(question)
    return m.group(1) if m else ""


def states_count_in(sentence: str, unit: str) -> bool:
    """Does the sentence state a number counted in ``unit`` (135条; not the hotline 12345)?"""
    body = _YEAR_WORD.sub("", _ITEM.sub("", sentence, count=1))
    return bool(re.search(rf"\d\s*{re.escape(unit)}", body))


def best_sentences(
    question_terms: list[str],
    passages: list[Passage],
    limit: int = 3,
    need_number: bool = False,
    unit: str = "",
    only: str = "",
) -> list[tuple[int, str, float]]:
    """The passage sentences that cover most of the question's terms: (n, sentence, score).

    A chosen heading or lead-in sentence brings the sentences that follow it in its passage,
    since they hold what it announces. A list opening with 其中/其余 is read with the sentence
    before it (其中，城乡建设类46件；…城市管理类23件 are about the 人大代表建议 of the sentence
    before), which then comes along. Sentences scoring under half the best are left out.
    With ``need_number`` and the ``unit`` the question counts in, sentences stating a number in
    that unit are taken when there are any (otherwise any stated number will do).
    """
    if need_number and unit:
        in_unit = best_sentences(question_terms, passages, limit, need_number, unit="", only=unit)
        if in_unit:
            return in_unit
    total = max(1, sum(term_weight(t) for t in question_terms))
    scored = []
    for p in passages:
        sentences = split_sentences(p.text)
        for i, sentence in enumerate(sentences):
            if len(_CJK.findall(sentence)) < 4 and not _PARTITIVE.match(sentence):
                continue
            if need_number and not (
                states_number(sentence) or states_none(sentence, question_terms)
            ):
                continue
            if only and not states_count_in(sentence, only):
                continue
            head = list_head(sentences, i)
            context = sentences[head - 1] if head and _PARTITIVE.match(sentences[head]) else ""
            covered = [t for t in question_terms if term_in(t, context + sentence)]
            if not any(term_in(t, sentence) for t in covered):
                continue
            score = sum(term_weight(t) for t in covered) / total
            scored.append((score - 0.01 * p.n, p.n, i, sentences, bool(context)))
    scored.sort(key=lambda s: -s[0])
    out: list[tuple[int, str, float]] = []
    seen: set[str] = set()
    top = scored[0][0] if scored else 0.0
    for score, n, i, sentences, with_context in scored:
        if score < top / 2:
            break
        before = [sentences[list_head(sentences, i) - 1]] if with_context else []
        picked = before + [sentences[i]] + announced(sentences, i)
        for sentence in picked:
            if sentence not in seen and len(out) < limit + 3:
                seen.add(sentence)
                out.append((n, sentence, score))
        if len(out) >= limit:
            break
    return out


def extractive_answer(
    question_terms: list[str],
    passages: list[Passage],
    limit: int = 3,
    need_number: bool = False,
    unit: str = "",
) -> Verified:
    """The best-supported passage sentences, stitched with their citation numbers.

    For a question asking for a quantity only sentences stating a number qualify, and only
    those that hold most of the question's terms (NUMBER_COVERAGE).
    """
    focus = ""
    if need_number:
        found = [
            p
            for p in best_sentences(question_terms, passages, limit, need_number=True, unit=unit)
            if p[2] + 0.01 * p[0] >= NUMBER_COVERAGE
        ]
        # the best sentence, after the sentence its list continues (其中…) when it has one
        picked = found[:1]
        if len(found) > 1 and continues(found[0][1], found[1][1], passages):
            picked = found[:2]
        focus = picked[-1][1] if picked else ""
    else:
        picked = best_sentences(question_terms, passages, limit)
    text = "".join(
        f"{s}[{n}]" if is_lead_in(s) else f"{s.rstrip('。；;')}[{n}]。" for n, s, _ in picked
    )
    return Verified(text=text, cited=sorted({n for n, _, _ in picked}), focus=focus)


_FIGURE = re.compile(r"(\d+(?:\.\d+)?)\s*(%|％|万元|亿元|元|[个件期条人位次项家所场篇份])?")
_CLAUSE = re.compile(r"[^，,；;。：:、]+")


def quoted_figure(sentence: str, terms: list[str], question: str) -> tuple[float, str] | None:
    """The figure a quantity question asks for, read from its quoted answer sentence.

    The clause holding most of the question's terms must state exactly one number that is
    neither a year nor a number the question itself names (第74次, 法定的20个工作日);
    otherwise None: the sentence is shown, but no single value is claimed.
    """
    asked = set(numbers_in(question))
    best: tuple[int, list[tuple[str, str]]] | None = None
    for clause in _CLAUSE.findall(_MARKER.sub("", sentence)):
        body = _ITEM.sub("", clause, count=1)
        figures = [
            (m.group(1), m.group(2) or "")
            for m in _FIGURE.finditer(body.replace(",", ""))
            if m.group(1) not in asked and not _is_year(body, m)
        ]
        weight = sum(term_weight(t) for t in terms if term_in(t, clause))
        if not figures or not weight:
            continue
        if best is None or weight > best[0]:
            best = (weight, figures)
        elif weight == best[0]:
            best = (weight, best[1] + figures)  # two clauses answer equally well: ambiguous
    if best is None or len(best[1]) != 1:
        return None
    number, unit = best[1][0]
    if not unit and len(number.split(".")[0]) > 5:
        return None  # a long bare digit run is table cells printed together, not one figure
    return float(number), "%" if unit == "％" else unit


def _is_year(text: str, m: re.Match) -> bool:
    return (
        len(m.group(1)) == 4
        and m.group(1)[:2] in ("19", "20")
        and "年" in text[m.end() : m.end() + 2]
    )
