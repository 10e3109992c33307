"""What a search is limited to (regions, years, kinds) and the query text the rankers see.

A question that names a region or a year the corpus holds is filtered to it (莱芜区 and 莱芜
both mean 济南市莱芜区; 二〇二〇年 means 2020); filters the caller passes win over detected
ones. The filtered names are then dropped from the text both rankers see.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

from assistant.understand import find_years
from domain.kinds import kind_name
from domain.numbers import digits_to_int
from index.lexicon_terms import region_names
from index.models import Document

_YEAR_CHINESE = re.compile(r"([〇零○一二三四五六七八九]{4})\s*年度?")


@dataclass(frozen=True)
class Filters:
    """Metadata filters; an empty tuple means no filter on that field."""

    regions: tuple[str, ...] = ()
    years: tuple[int, ...] = ()
    kinds: tuple[str, ...] = ()

    def where(self) -> dict[str, list[str | int]] | None:
        """The filter in the ``SearchIndex.search`` form ({field: [values]})."""
        where: dict[str, list[str | int]] = {
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


def detect_regions(question: str, regions: Sequence[str]) -> list[str]:
    """Regions of ``regions`` that ``question`` names, by full or short name (洪泽 → 淮安市洪泽区).

    Longer names win over names inside them; a city printed right before one of its districts
    (淮安洪泽区) is read as part of the district's name, not as a second region.
    """
    found: list[tuple[int, int, str]] = []
    names = sorted(
        ((name, region) for region in set(regions) if region for name in region_names(region)),
        key=lambda item: -len(item[0]),
    )
    for name, region in names:
        for match in re.finditer(re.escape(name), question):
            span = (match.start(), match.end())
            if not any(s < span[1] and span[0] < e for s, e, _ in found):
                found.append((span[0], span[1], region))
    prefixes = {
        region_a
        for s_a, e_a, region_a in found
        for s_b, _e_b, region_b in found
        if e_a == s_b and region_b != region_a and region_b.startswith(region_a)
    }
    ordered = [region for _s, _e, region in sorted(found) if region not in prefixes]
    return list(dict.fromkeys(ordered))


def detect_years(question: str, years: Sequence[int]) -> list[int]:
    """Years held in ``years`` that ``question`` names (2020, 2020年, 二〇二〇年, 2019-2021)."""
    held = set(years)
    return [y for y in find_years(question)[0] if y in held]


def detect_filters(question: str, documents: Sequence[Document]) -> Filters:
    """Region and year filters for what ``question`` names among the corpus's documents."""
    regions = detect_regions(question, [d.region for d in documents])
    years = detect_years(question, [d.year for d in documents if d.year])
    return Filters(regions=tuple(regions), years=tuple(years))


def resolve_region(name: str, documents: Sequence[Document]) -> tuple[str, ...]:
    """The corpus regions a user-typed region means (莱芜区 → 济南市莱芜区); itself if none."""
    regions = {d.region for d in documents if d.region}
    if name in regions:
        return (name,)
    matched = [r for r in sorted(regions) if name in region_names(r)]
    return tuple(matched) or (name,)


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
