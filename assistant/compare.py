"""Read-only comparison of one table cell across issuers and years (the UI's 对比 view).

A measure is one cell of the official schema (table, row, col; index/tables/labels.py). The
comparison holds, for every chosen issuer and year, either the printed fact, a cell printed
empty (表中为空, never 0), a report without that cell, or no report at all (无报告).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field

from index.models import Document, Fact
from index.tables import labels as lb

TABLE_NAMES = {
    lb.ACTIVE: "二、主动公开",
    lb.APPLICATIONS: "三、收到和处理申请",
    lb.REVIEW: "四、行政复议和行政诉讼",
}
SEP = "|"

# Cell states of a comparison.
VALUE, BLANK, NO_CELL, NO_REPORT = "value", "blank", "no_cell", "no_report"
STATE_TEXT = {BLANK: "表中为空", NO_CELL: "表中无此项", NO_REPORT: "无报告"}


@dataclass(frozen=True)
class Measure:
    """One cell of the schema: what the 对比 view compares."""

    table: str
    row: str
    col: str
    printed: tuple[str, ...] = ()  # other printed names of the row (行政规范性文件 …)

    @property
    def key(self) -> str:
        return SEP.join((self.table, self.row, self.col))

    @property
    def label(self) -> str:
        row = self.row.replace(".", "·")
        return f"{TABLE_NAMES.get(self.table, self.table)}｜{row}｜{self.col}"

    @property
    def unit(self) -> str:
        return lb.MONEY_UNIT if self.col in ("本年收费金额", "采购总金额") else lb.COUNT_UNIT

    def matches(self, fact: Fact) -> bool:
        return (
            fact.table == self.table
            and fact.col == self.col
            and (fact.row == self.row or fact.row in self.printed)
            and fact.origin in ("table", "sum")
        )


def _active_measures() -> list[Measure]:
    out = []
    for row, column_sets in lb.ACTIVE_ROWS:
        cols = list(dict.fromkeys(c for cs in column_sets for c in cs.columns))
        out += [Measure(lb.ACTIVE, row.canonical, c, row.printed) for c in cols]
    return out


def _application_rows() -> list[str]:
    rows = [r.canonical for r in lb.APPLICATION_HEAD_ROWS]
    for group, subs in lb.GROUP_ROWS.items():
        rows += [group, *(s.canonical for s in subs)]
    return rows + [r.canonical for r in lb.APPLICATION_TOTAL_ROWS]


def measures() -> list[Measure]:
    """Every cell of the three tables, in printed order (both formats' columns)."""
    out = _active_measures()
    out += [
        Measure(lb.APPLICATIONS, r, c) for r in _application_rows() for c in lb.APPLICANT_COLUMNS
    ]
    out += [Measure(lb.REVIEW, r, c) for r in lb.REVIEW_ROWS for c in lb.REVIEW_RESULT_COLUMNS]
    return out


def measure_choices() -> list[tuple[str, str]]:
    """(Chinese label, key) pairs for a dropdown, grouped by table through the label prefix."""
    return [(m.label, m.key) for m in measures()]


def measure_by_key(key: str) -> Measure | None:
    return next((m for m in measures() if m.key == key), None)


def issuer_label(region: str, issuer: str) -> str:
    """``淮安市洪泽区`` + ``人民政府`` → ``淮安市洪泽区人民政府``."""
    if not issuer or issuer.startswith(region):
        return issuer or region or "未知单位"
    return f"{region}{issuer}"


def issuer_key(doc: Document) -> str:
    return SEP.join((doc.region, doc.issuer))


def reports(docs: Iterable[Document]) -> list[Document]:
    """Annual reports that name their region and year (the ones a comparison can place)."""
    return [d for d in docs if d.kind == "annual_report" and d.region and d.year]


def issuer_choices(docs: Iterable[Document]) -> list[tuple[str, str]]:
    """(label, key) of every issuer holding an annual report, by region then name."""
    seen = {issuer_key(d): issuer_label(d.region, d.issuer) for d in reports(docs)}
    return sorted(((label, key) for key, label in seen.items()), key=lambda p: p[1])


def region_issuers(docs: Iterable[Document], region: str) -> list[str]:
    """Keys of every issuer of one region (a 政务公开办 comparing its departments)."""
    return sorted({issuer_key(d) for d in reports(docs) if d.region == region})


def year_choices(docs: Iterable[Document]) -> list[int]:
    return sorted({d.year for d in reports(docs) if d.year}, reverse=True)


@dataclass
class Entry:
    """One issuer in one year: a state and, for printed cells, the fact."""

    state: str
    fact: Fact | None = None
    doc: Document | None = None

    @property
    def value(self) -> float | None:
        return self.fact.value if self.state == VALUE and self.fact else None


@dataclass
class Comparison:
    measure: Measure
    issuers: list[tuple[str, str]]  # (key, label)
    years: list[int]
    entries: dict[tuple[str, int], Entry] = field(default_factory=dict)

    def values(self) -> list[tuple[str, int, float]]:
        """(issuer label, year, value) for every printed number (for charts)."""
        return [
            (label, year, e.value)
            for key, label in self.issuers
            for year in self.years
            if (e := self.entries[(key, year)]).value is not None
        ]


def compare(
    docs: Sequence[Document],
    facts_of: Callable[[str], Sequence[Fact]],
    issuer_keys: Sequence[str],
    years: Sequence[int],
    measure: Measure,
) -> Comparison:
    """The measure for each chosen issuer and year, read from the stored facts."""
    by_key = {issuer_key(d): issuer_label(d.region, d.issuer) for d in reports(docs)}
    chosen = [(k, by_key[k]) for k in dict.fromkeys(issuer_keys) if k in by_key]
    result = Comparison(measure, chosen, sorted(set(years)))
    held: dict[tuple[str, int | None], list[Document]] = {}
    for d in reports(docs):
        held.setdefault((issuer_key(d), d.year), []).append(d)
    for key, _label in chosen:
        for year in result.years:
            # One report saved in two forms (page text and HTML): the best reading wins.
            found = [_entry(d, facts_of, measure) for d in held.get((key, year), [])]
            found.sort(key=lambda e: (VALUE, BLANK, NO_CELL).index(e.state))
            result.entries[(key, year)] = found[0] if found else Entry(NO_REPORT)
    return result


def _entry(doc: Document, facts_of, measure: Measure) -> Entry:
    matching = [f for f in facts_of(doc.doc_id) if measure.matches(f)]
    printed = [f for f in matching if f.origin == "table"] or matching
    if not printed:
        return Entry(NO_CELL, doc=doc)
    fact = printed[0]
    if fact.blank or fact.value is None:
        return Entry(BLANK, fact, doc)
    return Entry(VALUE, fact, doc)
