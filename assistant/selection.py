"""Which documents of one kind a structured question is about, or the refusal saying why none.

Regions, years and issuers come from the understood :class:`Query`; a question naming a
region or year the corpus lacks is refused with what the corpus holds of that kind, and one
naming several gets a note about the parts it lacks. Document labels and the documents'
warnings, as answers print them, live here too.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from assistant.scope import Scoped, distinct_regions, same_region, scope_by_issuer
from assistant.understand import Query
from domain import refusals
from domain.kinds import full_name
from domain.warning import Warning
from index.models import Document
from index.tag import is_own_level

_QUIET_WARNINGS = {"issuer_unknown"}  # tagging notes, not about the figures


def doc_label(doc: Document) -> str:
    """济南市莱芜区2020年 (region unknown → （地区未知）)."""
    body = "" if not doc.issuer or is_own_level(doc.issuer) else doc.issuer  # a department's report
    return f"{doc.region or '（地区未知）'}{body}{doc.year or '（年份未知）'}年"


def held_list(documents: Iterable[Document], kind: str) -> str:
    """What the corpus holds of one kind: 济南市莱芜区2020年、槐荫区2019年 …"""
    labels = [
        doc_label(d)
        for d in sorted(documents, key=lambda d: (d.region, d.year or 0))
        if d.kind == kind
    ]
    return "、".join(labels) if labels else "（无）"


@dataclass
class Selection:
    """The documents a question is about, or why there are none (``refusal``), plus notes on
    asked-for regions/years the corpus lacks while others are answered (``missing``) and on
    the departmental reports a region-level answer leaves out (``note``)."""

    docs: list[Document]
    refusal: str = ""
    missing: str = ""
    note: str = ""


def select_documents(query: Query, documents: Sequence[Document], kind: str) -> Selection:
    """Documents of ``kind`` matching the query's regions, years and issuers."""
    kind_docs = [d for d in documents if d.kind == kind]
    pool = kind_docs
    name = full_name(kind)
    held = refusals.held_of_kind(name, held_list(pool, kind))
    named = distinct_regions(query.regions)
    if query.unknown_regions and not query.regions:
        return Selection([], refusals.not_held("、".join(query.unknown_regions), name, held))
    if query.regions:
        pool = [d for d in pool if d.region in query.regions]
        if not pool:
            return Selection([], refusals.not_held("、".join(named), name, held))
    if query.years:
        in_years = [d for d in pool if d.year in query.years]
        if not in_years:
            where = "、".join(named)
            years = "、".join(f"{y}年" for y in query.years)
            return Selection([], refusals.not_held(f"{where}{years}", name, held))
        pool = in_years
    if not pool:
        return Selection([], refusals.kind_not_held(name))
    if query.group.issuers and not query.issuers:  # 各部门 / 哪些单位: every issuer's report
        scoped = Scoped(list(pool))
    else:
        scoped = scope_by_issuer(pool, query.issuers, query.regions, name, kind_docs, query.years)
    if scoped.refusal:
        return Selection([], scoped.refusal)
    pool = latest_years(scoped.docs, query.group.years) if not query.years else scoped.docs
    if asks_group(query):
        pool = one_file_per_report(pool)
    lacking = [*query.unknown_regions]
    for region in named:
        years = [y for y in query.years or [None] if not _holds(pool, region, y)]
        lacking += [f"{region}{f'{y}年' if y else ''}" for y in years]
    missing = refusals.partly_held("、".join(lacking), name) if lacking else ""
    return Selection(sorted(pool, key=lambda d: (d.region, d.year or 0)), "", missing, scoped.note)


def asks_group(query: Query) -> bool:
    """各部门 / 历年 / 排名 / 不为0: a question over a group of reports."""
    group = query.group
    return group.issuers or group.years is not None or group.rank or group.nonzero


def one_file_per_report(docs: Sequence[Document]) -> list[Document]:
    """One file for each report (issuer, region, year): a report held twice (its web page
    and its text, a PDF and its conversion) is one entry of a ranking, not two. The file
    the reader settled best (fewest warnings) stands for it."""
    best: dict[tuple, Document] = {}
    kept = []
    for doc in docs:
        if not (doc.region and doc.year):
            kept.append(doc)
            continue
        key = (doc.kind, doc.region, doc.issuer, doc.year)
        if key not in best or len(doc.warnings) < len(best[key].warnings):
            best[key] = doc
    return kept + list(best.values())


def latest_years(docs: Sequence[Document], years: int | None) -> list[Document]:
    """The reports of the latest ``years`` years held (近三年); all of them for 0 or None."""
    if not years:
        return list(docs)
    kept = sorted({d.year for d in docs if d.year}, reverse=True)[:years]
    return [d for d in docs if d.year in kept]


def _holds(docs: Sequence[Document], region: str, year: int | None) -> bool:
    return any(same_region(d.region, region) and (year is None or d.year == year) for d in docs)


def doc_warnings(docs: Iterable[Document]) -> list[str]:
    """Each document's warnings, labelled with the document (identity failures and the like)."""
    out = []
    for doc in docs:
        for warning in doc.warnings:
            if Warning.parse(warning).code not in _QUIET_WARNINGS:
                line = f"{doc_label(doc)}报告：{warning}"
                if line not in out:
                    out.append(line)
    return out
