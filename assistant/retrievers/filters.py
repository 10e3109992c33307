"""What a search is limited to (regions, years, kinds) and the query text the rankers see.

A question that names a region or a year the corpus holds is filtered to it (莱芜区 and 莱芜
both mean 济南市莱芜区; 二〇二〇年 means 2020); filters the caller passes win over detected
ones. The filtered names are then dropped from the text both rankers see.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

from assistant.lexicon import normalize
from assistant.understand import find_regions, understand
from domain.kinds import kind_name
from domain.numbers import digits_to_int
from index.lexicon_terms import region_names
from index.models import Document

Where = dict[str, list[str | int]]  # {field: allowed values}, as SearchIndex.search takes it
_YEAR_CHINESE = re.compile(r"([〇零○一二三四五六七八九]{4})\s*年度?")


@dataclass(frozen=True)
class Filters:
    """Metadata filters; an empty tuple means no filter on that field."""

    regions: tuple[str, ...] = ()
    years: tuple[int, ...] = ()
    kinds: tuple[str, ...] = ()

    def where(self) -> Where | None:
        """The filter in the ``SearchIndex.search`` form ({field: [values]})."""
        where: Where = {
            key: list(values)
            for key, values in (
                ("region", self.regions),
                ("year", self.years),
                ("kind", self.kinds),
            )
            if values
        }
        return where or None

    def describe(self) -> str:
        parts = []
        if self.regions:
            parts.append("地区=" + "、".join(self.regions))
        if self.years:
            parts.append("年份=" + "、".join(map(str, self.years)))
        if self.kinds:
            parts.append("类型=" + "、".join(kind_name(k) for k in self.kinds))
        return " ".join(parts)


def detect_filters(question: str, documents: Sequence[Document]) -> Filters:
    """Region and year filters for what ``question`` names among the corpus's documents: the
    regions and years :func:`assistant.understand.understand` reads, years limited to those held."""
    query = understand(question, documents)
    held = {d.year for d in documents if d.year}
    return Filters(regions=tuple(query.regions), years=tuple(y for y in query.years if y in held))


def resolve_region(name: str, documents: Sequence[Document]) -> tuple[str, ...]:
    """The corpus regions a user-typed region means (莱芜区 → 济南市莱芜区); itself if none."""
    if any(d.region == name for d in documents):
        return (name,)
    return tuple(find_regions(normalize(name), documents)[0]) or (name,)


def combine_filters(
    detected: Filters,
    documents: Sequence[Document],
    region: str | Sequence[str] | None = None,
    year: int | Sequence[int] | None = None,
    kind: str | Sequence[str] | None = None,
) -> Filters:
    """``detected`` with each field the caller gives replaced by the caller's values."""
    regions = detected.regions
    if region:
        names = [region] if isinstance(region, str) else list(region)
        regions = tuple(r for name in names for r in resolve_region(name, documents))
    years = detected.years
    if year:
        years = (int(year),) if isinstance(year, (int, str)) else tuple(map(int, year))
    kinds = ((kind,) if isinstance(kind, str) else tuple(kind)) if kind else ()
    return Filters(regions=tuple(dict.fromkeys(regions)), years=years, kinds=kinds)


def strip_filter_terms(query: str, filters: Filters) -> str:
    """The query without the region names and years its filters already enforce.

    Once a search is filtered to 洪泽区 and 2024, those words no longer tell chunks apart; left
    in, they favour whatever chunk repeats them most (a report's preamble), not the topic.
    """
    text = query
    names = sorted(
        {n for region in filters.regions for n in region_names(region)}, key=len, reverse=True
    )
    for name in names:
        text = text.replace(name, " ")
    if filters.years:
        years = "|".join(str(y) for y in filters.years)
        text = re.sub(rf"(?<!\d)(?:{years})(?!\d)\s*(?:年度|年)?", " ", text)
        text = _YEAR_CHINESE.sub(
            lambda m: " " if digits_to_int(m.group(1)) in filters.years else m.group(0), text
        )
    text = " ".join(text.split())
    return text if re.search(r"\w", text) else query
