"""Which documents a question is about, by region and issuer.

Regions are learned from the documents: every printed form of one region is one region
(济南市莱芜区 and 莱芜区 — the longer form only adds parent divisions). A region has many issuers:
its own (本级/全区) report, published by its government (issuer 人民政府/办公厅/办公室/本级), and
its departments' reports (公安局, 财政金融局 …). A question naming a department answers from that
department's report; one naming only the region answers from the region's own report and says
which departmental reports also exist; a region with only departmental reports is answered by
listing them, never by picking one silently.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Protocol, TypeVar

from domain import refusals
from domain.units import ending_pattern
from index.models import Document
from index.tag import is_own_level, split_org

_REGION_PREFIX_CHECK = "人民政府"  # lets split_org confirm that a prefix is a whole region


def same_region(a: str, b: str) -> bool:
    """Whether two printed regions are one region: equal, or the longer one only prefixes
    parent divisions (济南市莱芜区 ⊃ 莱芜区; 江苏省淮安市 ⊃ 淮安市)."""
    if not a or not b:
        return False
    if a == b:
        return True
    longer, shorter = (a, b) if len(a) > len(b) else (b, a)
    if not longer.endswith(shorter):
        return False
    parent = longer[: -len(shorter)]
    return split_org(parent + _REGION_PREFIX_CHECK)[0] == parent


def same_report_series(a: Document, b: Document) -> bool:
    """Whether two reports are one issuer's reports of different years (for 同比): the same
    region, and the same department or both the region's own report."""
    own_a, own_b = (not d.issuer or is_own_level(d.issuer) for d in (a, b))
    return same_region(a.region, b.region) and (own_a and own_b or a.issuer == b.issuer)


def region_forms(region: str, regions: Iterable[str]) -> list[str]:
    """All printed forms in ``regions`` of ``region``, longest first."""
    forms = {r for r in regions if same_region(r, region)} | {region}
    return sorted(forms, key=lambda r: (-len(r), r))


def distinct_regions(regions: Sequence[str]) -> list[str]:
    """One name per region (the longest printed form), in first-named order."""
    out: list[str] = []
    for region in sorted(regions, key=len, reverse=True):
        if not any(same_region(region, kept) for kept in out):
            out.append(region)
    return sorted(out, key=lambda r: min(i for i, x in enumerate(regions) if same_region(x, r)))


def departments(documents: Iterable[Document]) -> list[str]:
    """The departmental issuers of ``documents`` (not the regions' own governments)."""
    names = {d.issuer for d in documents if d.issuer and not is_own_level(d.issuer)}
    return sorted(names, key=lambda n: (-len(n), n))


def find_issuers(
    text: str, documents: Sequence[Document]
) -> tuple[list[str], list[tuple[int, int]]]:
    """Departmental issuers of the corpus named in ``text`` (平潭公安局, 区财政金融局 → the
    issuer as tagged) and their spans; the longest name wins where names overlap."""
    found: list[str] = []
    spans: list[tuple[int, int]] = []
    names = departments(documents)
    for name in names:
        for m in re.finditer(re.escape(name), text):
            if any(s <= m.start() < e or s < m.end() <= e for s, e in spans):
                continue
            spans.append(m.span())
            if name not in found:
                found.append(name)
    for m in _ORGAN.finditer(text):  # 市场监管局 for 市场监督管理局, 人社局 …
        if any(s < m.end() and m.start() < e for s, e in spans):
            continue
        for start in range(m.start(), m.end() - 2):
            name = next((n for n in names if abbreviates(text[start : m.end()], n)), None)
            if name:
                spans.append((start, m.end()))
                found += [name] if name not in found else []
                break
    return found, spans


# A body's name as staff write it: ends in the organ word (局 委 办 厅 …), as printed in
# titles and signatures of the reports (the issuer tags come from those).
_ORGAN = re.compile(rf"[\u4e00-\u9fff]{{2,10}}?{ending_pattern('short_form')}")


def abbreviates(short: str, name: str) -> bool:
    """Is ``short`` the usual short form of ``name`` (市场监管局 ← 市场监督管理局, 人社局 ←
    人力资源和社会保障局, 卫健委 ← 卫生健康委员会): same first character, the rest in order,
    the same organ word at the end?"""
    if len(short) < 3 or short == name or short[0] != name[0]:
        return False
    ending = "委" if name.endswith("委员会") else name[-1]
    if short[-1] != ending:
        return False
    rest = iter(name[1:])
    return all(ch in rest for ch in short[1:])


class _OfDocument(Protocol):
    doc_id: str


_Hit = TypeVar("_Hit", bound=_OfDocument)


def of_issuers(
    hits: Sequence[_Hit], issuers: Sequence[str], docs: Sequence[Document]
) -> list[_Hit]:
    """Retrieved passages of the named departments' reports (all of them when none is named)."""
    if not issuers:
        return list(hits)
    wanted = {d.doc_id for d in docs if d.issuer in issuers}
    return [h for h in hits if h.doc_id in wanted]


@dataclass
class Scoped:
    """Documents after the issuer scope, a note to add to the answer, or a refusal."""

    docs: list[Document]
    note: str = ""
    refusal: str = ""


def scope_by_issuer(
    pool: Sequence[Document],
    issuers: Sequence[str],
    named_regions: Sequence[str],
    kind_name: str,
    all_docs: Sequence[Document],
    years: Sequence[int] = (),
) -> Scoped:
    """Narrow ``pool`` (one kind, already filtered by region and year) to the issuers asked."""
    kind_issuers = {d.issuer for d in all_docs}
    asked = [i for i in issuers if i in kind_issuers]  # a department named as a 责任单位 etc.
    where = "、".join(distinct_regions(named_regions))
    if asked:
        named = [d for d in pool if d.issuer in asked]
        if named:
            return Scoped(named)
        held = [
            d
            for d in all_docs
            if d.issuer and not is_own_level(d.issuer)
            if not named_regions or d.region in named_regions
        ]
        have = refusals.held_departments(kind_name, _issuer_list(held)) if held else ""
        when = "、".join(f"{y}年" for y in years)
        text = refusals.not_held(f"{where}{'、'.join(asked)}{when}", kind_name, have)
        return Scoped([], refusal=text)
    own = [d for d in pool if not d.issuer or is_own_level(d.issuer)]
    depts = [d for d in pool if d.issuer and not is_own_level(d.issuer)]
    if not depts:
        return Scoped(list(pool))
    if own:
        regions = distinct_regions([d.region for d in depts])
        note = f"（另有{'、'.join(regions)}{'、'.join(departments(depts))}的{kind_name}，问题未指明部门，未计入。）"
        return Scoped(own, note=note)
    if not named_regions:
        return Scoped(list(pool))
    text = refusals.no_own_level(where, kind_name, _issuer_list(depts), departments(depts)[-1])
    return Scoped([], refusal=text)


def _issuer_list(docs: Sequence[Document]) -> str:
    """公安局（2019、2024年）、财政金融局（2022年）."""
    years: dict[str, list[int]] = {}
    for d in docs:
        years.setdefault(d.issuer, [])
        if d.year and d.year not in years[d.issuer]:
            years[d.issuer].append(d.year)
    parts = []
    for issuer in sorted(years):
        held = "、".join(str(y) for y in sorted(years[issuer]))
        parts.append(f"{issuer}（{held}年）" if held else issuer)
    return "、".join(parts)
