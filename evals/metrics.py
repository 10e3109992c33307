"""Scoring functions for the evaluation: pure functions over plain dicts, no I/O.

An *answer* is a dict with the fields of ``Answer.to_dict()`` (answer, route, value, unit,
refused, citations, warnings, latency_ms). A *gold* is the ``gold`` object of a question:
``{"value": number | None, "unit": str, "phrases": [...], "refuse": bool, "warn": str}``.
Spans are ``(doc_id, start, end)`` in a document's cleaned text.
"""

from __future__ import annotations

import math
import re
from collections.abc import Iterable, Sequence

Span = tuple[str, int, int]

_MARKER = re.compile(r"\[\d{1,2}\]")
_NUMBER = re.compile(r"(?<![\d.])[-−]?\d[\d,，]*(?:\.\d+)?")
_YEAR = re.compile(r"(?:19|20)\d{2}(?=\s*年)")
_SENTENCE = re.compile(r"[^。！？；!?;\n]+[。！？；!?;]*")
_FULLWIDTH = str.maketrans("０１２３４５６７８９．，－％", "0123456789.,-%")
_DECREASE = re.compile(r"减|下降|减少|少了|降低|decrease|fewer|down", re.I)
MIN_SENTENCE_CHARS = 6  # shorter answer fragments (labels, "答：") are not claims
SENTENCE_SUPPORT = 0.5  # share of a sentence's character bigrams found in its citations
SPAN_OVERLAP = 0.5  # share of the gold span a citation or hit must cover to count


# -- numbers ---------------------------------------------------------------------------
def normalize_text(text: str) -> str:
    """Full-width digits and punctuation to ASCII, citation markers removed."""
    return _MARKER.sub("", (text or "").translate(_FULLWIDTH))


def numbers_in_text(text: str, skip_years: bool = True) -> list[float]:
    """Numbers written in ``text`` in order (thousands separators and ``[n]`` markers removed).

    Years written as ``2020年`` are skipped: they name the period, not an answer.
    """
    text = normalize_text(text)
    if skip_years:
        text = _YEAR.sub(" ", text)
    out = []
    for match in _NUMBER.finditer(text):
        raw = match.group(0).replace(",", "").replace("，", "").replace("−", "-")
        raw = raw.rstrip(",，")
        try:
            out.append(float(raw))
        except ValueError:
            continue
    return out


def same_number(found: float | None, gold: float | None, unit: str = "") -> bool:
    """Equal after normalising: percentages to 1 decimal, other figures to 2 decimals."""
    if found is None or gold is None:
        return False
    places = 1 if unit == "%" else 2
    return math.isclose(round(float(found), places), round(float(gold), places), abs_tol=1e-9)


def number_in_answer(answer: dict, gold: float, unit: str = "") -> bool:
    """The gold figure is the answer's ``value`` or any number written in its text.

    A negative gold (本年增减 ``减22`` = -22) also matches ``22`` in a text that says it fell.
    """
    if same_number(answer.get("value"), gold, unit):
        return True
    text = answer.get("answer") or ""
    numbers = numbers_in_text(text)
    if any(same_number(n, gold, unit) for n in numbers):
        return True
    return (
        gold < 0
        and bool(_DECREASE.search(text))
        and any(same_number(n, -gold, unit) for n in numbers)
    )


def stated_number(answer: dict) -> float | None:
    """The figure an answer commits to: its ``value``, else the first number in its text."""
    if answer.get("value") is not None:
        return float(answer["value"])
    numbers = numbers_in_text(answer.get("answer") or "")
    return numbers[0] if numbers else None


def numeric_exact(answer: dict, gold: dict) -> bool | None:
    """Strict numeric match (the committed figure equals the gold); None without a gold value."""
    if gold.get("value") is None or gold.get("refuse"):
        return None
    if answer.get("refused"):
        return False
    value = gold["value"]
    unit = gold.get("unit", "")
    found = stated_number(answer)
    if (
        found is not None
        and value < 0
        and found > 0
        and _DECREASE.search(answer.get("answer") or "")
    ):
        found = -found
    return same_number(found, value, unit)


# -- phrases and correctness ------------------------------------------------------------
def squash(text: str) -> str:
    """Lower-case, full-width folded, without spaces: the form phrases are matched in."""
    return re.sub(r"\s+", "", normalize_text(text)).lower()


def phrase_present(phrase: str, text: str) -> bool:
    """True when one of the ``|``-separated alternatives occurs in ``text``."""
    flat = squash(text)
    return any(squash(alt) in flat for alt in phrase.split("|") if alt.strip())


def phrases_found(phrases: Sequence[str], text: str) -> int:
    return sum(phrase_present(p, text) for p in phrases)


GOLD_KEYS = ("refuse", "value", "values", "phrases", "warn", "cite_all")


def _judges(gold_value: object) -> bool:
    """Does a gold field judge anything? (a value of 0 does: 0 == False must not hide it)"""
    if isinstance(gold_value, bool):
        return gold_value
    return gold_value is not None and gold_value != [] and gold_value != ""


def answer_correct(
    answer: dict, gold: dict, required: Sequence[Sequence[Span]] = ()
) -> bool | None:
    """Correctness of one answer against its gold (None when the gold judges no answer).

    Refusal items: the answer must refuse. Otherwise it must not refuse; the gold figure must
    appear (``value``: as value or in the text; ``values``: every one in the text); enough key
    phrases must appear (``min_phrases``, default all); a required warning (``warn``) must be
    shown; with ``cite_all`` every required source (one list of spans each) must be cited.
    """
    if not any(_judges(gold.get(k)) for k in GOLD_KEYS):
        return None
    if gold.get("refuse"):
        return bool(answer.get("refused"))
    if answer.get("refused"):
        return False
    unit = gold.get("unit", "")
    if gold.get("value") is not None and not number_in_answer(answer, gold["value"], unit):
        return False
    if not all(
        number_in_answer({"answer": answer.get("answer")}, v, unit)
        for v in gold.get("values") or []
    ):
        return False
    phrases = gold.get("phrases") or []
    need = gold.get("min_phrases", len(phrases))
    if phrases_found(phrases, answer.get("answer") or "") < need:
        return False
    warn = gold.get("warn")
    if warn and not any(warn in w for w in answer.get("warnings") or []):
        return False
    if gold.get("cite_all"):
        cites = citation_spans(answer)
        return all(any(covers(c, g) for c in cites for g in spans) for spans in required)
    return True


# -- spans: retrieval and citations -----------------------------------------------------
def overlap(a: Span, b: Span) -> int:
    """Characters shared by two spans of the same document (0 for different documents)."""
    if a[0] != b[0]:
        return 0
    return max(0, min(a[2], b[2]) - max(a[1], b[1]))


def covers(candidate: Span, gold: Span) -> bool:
    """The candidate span holds at least SPAN_OVERLAP of the gold span."""
    length = max(1, gold[2] - gold[1])
    return overlap(candidate, gold) >= max(1, math.ceil(SPAN_OVERLAP * length))


def first_relevant_rank(hits: Sequence[Span], golds: Sequence[Span]) -> int | None:
    """1-based rank of the first hit covering a gold span, or None."""
    for rank, hit in enumerate(hits, 1):
        if any(covers(hit, g) for g in golds):
            return rank
    return None


def recall_at_k(ranks: Iterable[int | None], k: int) -> float | None:
    """Share of questions whose first relevant hit ranks within ``k``."""
    ranks = list(ranks)
    if not ranks:
        return None
    return sum(1 for r in ranks if r is not None and r <= k) / len(ranks)


def mean_reciprocal_rank(ranks: Iterable[int | None]) -> float | None:
    ranks = list(ranks)
    if not ranks:
        return None
    return sum(1 / r for r in ranks if r) / len(ranks)


def citation_spans(answer: dict) -> list[Span]:
    return [(c["doc_id"], int(c["start"]), int(c["end"])) for c in answer.get("citations") or []]


def citation_precision(answer: dict, golds: Sequence[Span]) -> float | None:
    """Share of an answer's citations whose span covers a gold span (None: nothing to judge)."""
    cites = citation_spans(answer)
    if not cites or not golds or answer.get("refused"):
        return None
    return sum(1 for c in cites if any(covers(c, g) for g in golds)) / len(cites)


# -- faithfulness -----------------------------------------------------------------------
def bigrams(text: str) -> set[str]:
    """Character bigrams inside each run of word characters (none across punctuation)."""
    runs = re.findall(r"\w+", normalize_text(text).lower())
    return {run[i : i + 2] for run in runs for i in range(len(run) - 1)}


def claim_sentences(text: str) -> list[str]:
    """Sentences of an answer long enough to assert something."""
    return [
        s.strip()
        for s in _SENTENCE.findall(normalize_text(text))
        if len(s.strip()) >= MIN_SENTENCE_CHARS
    ]


def word_bigrams(text: str) -> set[str]:
    """Character bigrams of the words of ``text``: digits are left to the number check."""
    return bigrams(re.sub(r"\d+(?:\.\d+)?", " ", normalize_text(text)))


def sentence_supported(sentence: str, quotes: Sequence[str]) -> bool:
    grams = word_bigrams(sentence)
    if not grams:
        return True
    pool = set().union(*(bigrams(q) for q in quotes)) if quotes else set()
    return len(grams & pool) / len(grams) >= SENTENCE_SUPPORT


def derivable(number: float, quotes: Sequence[str]) -> bool:
    """The number is written in a quote, or one step from them: a sum, difference, ratio or
    percentage of two quoted numbers, or a sum taking at most one number from each quote
    (a column summed across cited table rows)."""
    per_quote = [sorted(set(numbers_in_text(q, skip_years=False))) for q in quotes]
    pool = sorted({n for ns in per_quote for n in ns})
    if any(same_number(number, n) for n in pool):
        return True
    for a in pool:
        for b in pool:
            candidates = [a + b, a - b]
            if b:
                candidates += [a / b, 100 * a / b]
            if any(same_number(number, c, "%") for c in candidates):
                return True
    return _column_sum(number, per_quote)


def _column_sum(target: float, per_quote: Sequence[Sequence[float]], cap: int = 20000) -> bool:
    if len(per_quote) < 2 or target != int(target):
        return False
    reachable = {0.0}
    for numbers in per_quote:
        nxt = set(reachable)
        for r in reachable:
            for n in numbers:
                if n == int(n) and r + n <= target:
                    nxt.add(r + n)
        reachable = set(list(nxt)[:cap])
        if target in reachable:
            return True
    return target in reachable


def faithfulness(answer: dict) -> float | None:
    """Share of an answer's claims (sentences and numbers) its citations support.

    A sentence may lean on a citation's quote and on its document's title and region (a table
    answer names the region and year the cited row belongs to); numbers only on quotes.

    None for refusals and empty answers; 0 for an answer that asserts something uncited.
    """
    if answer.get("refused") or not (answer.get("answer") or "").strip():
        return None
    cites = answer.get("citations") or []
    quotes = [c.get("quote") or "" for c in cites]
    labels = [f"{c.get('title') or ''} {c.get('region') or ''}" for c in cites]
    sentences = claim_sentences(answer["answer"])
    numbers = numbers_in_text(answer["answer"])
    claims = len(sentences) + len(numbers)
    if not claims:
        return None
    if not quotes:
        return 0.0
    good = sum(sentence_supported(s, quotes + labels) for s in sentences)
    good += sum(derivable(n, quotes) for n in numbers)
    return good / claims


def unquoted_number(answer: dict) -> bool | None:
    """Does a retrieval-route answer state a number none of its cited quotes prints?

    None for refusals and for the table/task routes, whose figures are parsed cells (and
    formulas over them) by construction.
    """
    if answer.get("refused") or answer.get("route") != "rag":
        return None
    quotes = [c.get("quote") or "" for c in answer.get("citations") or []]
    quoted = {n for q in quotes for n in numbers_in_text(q, skip_years=False)}  # 2022 年 too
    return any(n not in quoted for n in numbers_in_text(answer.get("answer") or ""))


def acceptance(records: Sequence[dict]) -> dict[str, tuple[int, int]]:
    """The answering targets, as (passed, of) turns: numeric questions correct; text questions
    correct with a citation covering the gold source; unanswerable questions refused; answers
    (retrieval route) stating no number their quotes lack."""
    kinds: dict[str, list[bool]] = {"numeric": [], "text": [], "refused": [], "no_unquoted": []}
    for r in records:
        gold, scores = r["gold"], r["scores"]
        if scores.get("correct") is None:
            continue
        if gold.get("refuse"):
            kinds["refused"].append(bool(r["refused"]))
        elif gold.get("value") is not None or gold.get("values"):
            kinds["numeric"].append(bool(scores["correct"]))
        else:
            cited = scores.get("citation_precision")
            kinds["text"].append(bool(scores["correct"]) and (cited is None or cited > 0))
        if scores.get("unquoted_number") is not None:
            kinds["no_unquoted"].append(not scores["unquoted_number"])
    return {k: (sum(v), len(v)) for k, v in kinds.items()}


# -- aggregates -------------------------------------------------------------------------
def refusal_scores(pairs: Iterable[tuple[bool, bool]]) -> dict[str, float | None]:
    """Precision and recall of refusing, from (refused, should_refuse) pairs."""
    pairs = list(pairs)
    tp = sum(1 for r, g in pairs if r and g)
    refused = sum(1 for r, _ in pairs if r)
    should = sum(1 for _, g in pairs if g)
    return {
        "refusal_precision": tp / refused if refused else None,
        "refusal_recall": tp / should if should else None,
    }


def percentile(values: Sequence[float], p: float) -> float | None:
    """The p-th percentile (0–100) by linear interpolation; None for no values."""
    if not values:
        return None
    ordered = sorted(values)
    pos = (len(ordered) - 1) * p / 100
    lo, hi = math.floor(pos), math.ceil(pos)
    return ordered[lo] + (ordered[hi] - ordered[lo]) * (pos - lo)


def mean(values: Iterable[float | bool | None]) -> float | None:
    """Mean of the values that are not None (booleans count as 0/1)."""
    vals = [float(v) for v in values if v is not None]
    return sum(vals) / len(vals) if vals else None


def route_ok(route: str, expected: str | Sequence[str] | None) -> bool | None:
    """The answer's route is the expected one (a list allows alternatives; None: not judged)."""
    if not expected:
        return None
    allowed = [expected] if isinstance(expected, str) else list(expected)
    return route in allowed


# -- one system's results ---------------------------------------------------------------
HEADLINE = (
    "answer_correctness",
    "route_accuracy",
    "numeric_exact",
    "recall@1",
    "recall@4",
    "mrr",
    "citation_precision",
    "faithfulness",
    "refusal_precision",
    "refusal_recall",
)


def summarize(records: Sequence[dict]) -> dict:
    """Every metric over one system's result records (see run.score_turn for their shape)."""
    scores = [r["scores"] for r in records]
    ranks = [s["retrieval_rank"] for s in scores if s.get("retrieval_scored")]
    by_route: dict[str, list[float]] = {}
    for r in records:
        by_route.setdefault(r["route"] or "?", []).append(r["latency_ms"])
    latencies = [r["latency_ms"] for r in records]
    summary = {
        "n": len(records),
        "answer_correctness": mean(s["correct"] for s in scores),
        "route_accuracy": mean(s["route_ok"] for s in scores),
        "numeric_exact": mean(s["numeric_exact"] for s in scores),
        "numeric_n": sum(1 for s in scores if s["numeric_exact"] is not None),
        "recall@1": recall_at_k(ranks, 1),
        "recall@4": recall_at_k(ranks, 4),
        "recall@10": recall_at_k(ranks, 10),
        "mrr": mean_reciprocal_rank(ranks),
        "retrieval_n": len(ranks),
        "citation_precision": mean(s["citation_precision"] for s in scores),
        "faithfulness": mean(s["faithfulness"] for s in scores),
        "unquoted_numbers": mean(s.get("unquoted_number") for s in scores),
        **refusal_scores((r["refused"], bool(r["gold"].get("refuse"))) for r in records),
        "latency_p50_ms": percentile(latencies, 50),
        "latency_p95_ms": percentile(latencies, 95),
        "latency_by_route": {
            route: {"n": len(v), "p50_ms": percentile(v, 50), "p95_ms": percentile(v, 95)}
            for route, v in sorted(by_route.items())
        },
    }
    return summary


def summarize_by_category(records: Sequence[dict]) -> dict[str, dict]:
    groups: dict[str, list[dict]] = {}
    for r in records:
        groups.setdefault(r["category"], []).append(r)
    return {cat: summarize(rs) for cat, rs in sorted(groups.items())}
