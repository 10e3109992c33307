"""The statistical tables of the annual report, both formats (vocab/table_schema.toml).

Tables, rows (with their printed labels), columns, the column blocks of table 二, labels one
concept has across the formats, and the identities (勾稽关系) — read once from the data file.
The reader matches printed labels with these (index/tables/labels.py), the question lexicon
maps words onto them (assistant/lexicon.py), the report check compares against them.
"""

from __future__ import annotations

import tomllib
from dataclasses import dataclass
from functools import cache
from typing import Any

from domain.vocab import VOCAB_DIR

SCHEMA_FILE = VOCAB_DIR / "table_schema.toml"


@dataclass(frozen=True)
class RowLabel:
    """A table row: its canonical label and the printed variants that identify it."""

    canonical: str
    printed: tuple[str, ...]
    group: str = ""  # canonical group (不予公开 …) for sub-rows
    numbered: bool = False  # the bare label is too generic: require its numbering prefix
    note: str = ""  # trailing parenthetical printed in the template, optional in reports


@dataclass(frozen=True)
class ColumnSet:
    """The columns of one block of table 二, recognised by keywords of its printed header."""

    columns: tuple[str, ...]
    keywords: tuple[str, ...]
    fmt: str  # "2019" | "2021"
    money: tuple[str, ...] = ()
    # What the columns mean makes certain, used only to choose among the splits of a
    # run-together row (a single printed reading is kept as printed):
    # (i, j) in ``at_least``: column i >= column j in every report;
    # (i, j) in ``zero_together``: column i is 0 exactly when column j is 0;
    # (i, j, k) in ``at_least_net``: column i >= column j - column k.
    at_least: tuple[tuple[int, int], ...] = ()
    zero_together: tuple[tuple[int, int], ...] = ()
    at_least_net: tuple[tuple[int, int, int], ...] = ()

    def consistent(self, values: list[float | None]) -> bool:
        """Whether a row's values (None = blank, not compared) obey the column constraints."""
        for i, j in self.at_least:
            a, b = values[i], values[j]
            if a is not None and b is not None and a < b:
                return False
        for i, j in self.zero_together:
            a, b = values[i], values[j]
            if a is not None and b is not None and (a == 0) != (b == 0):
                return False
        for i, j, k in self.at_least_net:
            a, b, c = values[i], values[j], values[k]
            if a is not None and b is not None and c is not None and a < b - c:
                return False
        return True


@dataclass(frozen=True)
class Row:
    """A row of the schema: where it is, how it is printed, what a question reads of it."""

    table: str
    label: RowLabel
    column_sets: tuple[ColumnSet, ...] = ()  # table 二: the blocks the row may carry
    asked_columns: tuple[str, ...] = ()  # table 二: read when a question names no column
    formats: tuple[str, ...] = ("2019", "2021")

    @property
    def key(self) -> str:
        return self.label.canonical


@dataclass(frozen=True)
class Column:
    table: str
    key: str
    group: str = ""  # the header printed over several columns (法人或其他组织)


@dataclass(frozen=True)
class Identity:
    """sum(left) = sum(right), in every column (``along == "column"``) or every row."""

    key: str
    table: str
    along: str  # "column": left/right are rows | "row": left/right are columns
    left: tuple[str, ...]
    right: tuple[str, ...]


@dataclass(frozen=True)
class Schema:
    units: dict[str, str]
    signed_column: str
    tables: tuple[str, ...]
    headings: dict[str, str]
    header_words: dict[str, tuple[str, ...]]  # words that recognise a table's header
    header_cells: tuple[str, ...]  # the templates' header cells besides row/column labels
    columns: tuple[Column, ...]
    column_sets: dict[str, ColumnSet]
    rows: tuple[Row, ...]
    alternatives: dict[str, tuple[str, ...]]
    identities: dict[str, Identity]


class SchemaError(ValueError):
    """The schema file contradicts itself (an unknown table or column set, a missing field)."""


def _column_set(entry: dict[str, Any]) -> ColumnSet:
    columns = tuple(entry["columns"])

    def pairs(name: str) -> tuple[tuple[int, int], ...]:
        return tuple((columns.index(a), columns.index(b)) for a, b in entry.get(name, ()))

    def triples(name: str) -> tuple[tuple[int, int, int], ...]:
        return tuple(tuple(columns.index(c) for c in t) for t in entry.get(name, ()))  # type: ignore[misc]

    return ColumnSet(
        columns,
        tuple(entry["keywords"]),
        entry["format"],
        tuple(entry.get("money", ())),
        pairs("at_least"),
        pairs("zero_together"),
        triples("at_least_net"),
    )


def _row(entry: dict[str, Any], sets: dict[str, ColumnSet]) -> Row:
    label = RowLabel(
        entry["key"],
        tuple(entry["printed"]),
        entry.get("group", ""),
        entry.get("numbered", False),
        entry.get("note", ""),
    )
    unknown = [s for s in entry.get("column_sets", ()) if s not in sets]
    if unknown:
        raise SchemaError(f"{SCHEMA_FILE.name}: row {entry['key']}: unknown column_sets {unknown}")
    return Row(
        entry["table"],
        label,
        tuple(sets[s] for s in entry.get("column_sets", ())),
        tuple(entry.get("asked_columns", ())),
        tuple(entry.get("formats", ("2019", "2021"))),
    )


def parse(data: dict[str, Any]) -> Schema:
    """The schema of a parsed TOML document (SchemaError when it contradicts itself)."""
    try:
        tables = tuple(t["key"] for t in data["table"])
        sets = {e["key"]: _column_set(e) for e in data["column_set"]}
        rows = tuple(_row(e, sets) for e in data["row"])
        columns = tuple(Column(e["table"], e["key"], e.get("group", "")) for e in data["column"])
        identities = {
            e["key"]: Identity(
                e["key"], e["table"], e["along"], tuple(e["left"]), tuple(e["right"])
            )
            for e in data["identity"]
        }
        schema = Schema(
            units=dict(data["units"]),
            signed_column=data["signed_column"],
            tables=tables,
            headings={t["key"]: t["heading"] for t in data["table"]},
            header_words={t["key"]: tuple(t.get("header_words", ())) for t in data["table"]},
            header_cells=tuple(c for t in data["table"] for c in t.get("header_cells", ())),
            columns=columns,
            column_sets=sets,
            rows=rows,
            alternatives={e["label"]: tuple(e["printed"]) for e in data["alternative"]},
            identities=identities,
        )
    except KeyError as missing:
        raise SchemaError(f"{SCHEMA_FILE.name}: missing field {missing}") from None
    unknown = {x.table for x in (*rows, *columns, *identities.values())} - set(tables)
    if unknown:
        raise SchemaError(f"{SCHEMA_FILE.name}: unknown tables {sorted(unknown)}")
    return schema


@cache
def schema() -> Schema:
    """The schema of vocab/table_schema.toml."""
    with SCHEMA_FILE.open("rb") as f:
        return parse(tomllib.load(f))


# ── views the reader, the lexicon and the report check share ─────────────────────────────
def rows(table: str) -> tuple[Row, ...]:
    """The rows of ``table`` in printed order."""
    return tuple(r for r in schema().rows if r.table == table)


def columns(table: str) -> tuple[str, ...]:
    """The columns of table 三 or 四 in printed order (table 二's are per column set)."""
    return tuple(c.key for c in schema().columns if c.table == table)


def column_group(table: str, group: str) -> tuple[str, ...]:
    """The columns printed under one header (法人或其他组织 → its five columns)."""
    return tuple(c.key for c in schema().columns if c.table == table and c.group == group)


def groups(table: str) -> dict[str, tuple[RowLabel, ...]]:
    """Group label → its sub-rows, in printed order (不予公开 → 属于国家秘密 …)."""
    out: dict[str, list[RowLabel]] = {}
    for r in rows(table):
        if r.label.group:
            out.setdefault(r.label.group, []).append(r.label)
    return {g: tuple(labels) for g, labels in out.items()}


def ungrouped(table: str, before_groups: bool) -> tuple[RowLabel, ...]:
    """The rows of ``table`` without a group printed before (or after) its first group."""
    labels = [r.label for r in rows(table)]
    grouped = [i for i, label in enumerate(labels) if label.group] or [len(labels)]
    if before_groups:
        return tuple(labels[: grouped[0]])
    return tuple(label for label in labels[grouped[-1] + 1 :] if not label.group)


def identity(key: str) -> Identity:
    return schema().identities[key]
