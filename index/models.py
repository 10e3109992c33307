"""The data model shared by every part of gongkai: Document, Chunk, Fact, Task.

Spans are ``[start, end)`` character offsets into the document's *cleaned* text.
"""

from __future__ import annotations

import hashlib
from dataclasses import asdict, dataclass, field
from typing import Any, Literal

DocKind = Literal["annual_report", "work_points", "other"]
TableFormat = Literal["2019", "2021", ""]


def content_id(text: str, length: int = 16) -> str:
    """Stable content-hash id: the first ``length`` hex digits of sha256(text)."""
    return hashlib.sha256(text.encode("utf-8")).hexdigest()[:length]


@dataclass
class Document:
    """One ingested source file after cleaning and tagging."""

    doc_id: str
    source: str
    text: str
    title: str = ""
    kind: str = "other"
    region: str = ""
    year: int | None = None
    issuer: str = ""
    doc_number: str = ""  # 文号, e.g. 莱芜政办发〔2022〕2号
    pub_date: str = ""  # ISO date, e.g. 2022-06-15
    table_format: str = ""  # "2019" | "2021" | ""
    warnings: list[str] = field(default_factory=list)
    pages: list[tuple[int, int]] = field(default_factory=list)  # (start offset, page no)
    file_sha: str = ""  # sha256 of the raw file bytes + build version, for change detection

    def page_at(self, offset: int) -> int | None:
        """The 1-based page holding ``offset``, or None for sources without pages."""
        page = None
        for start, number in self.pages:
            if start > offset:
                break
            page = number
        return page

    def meta(self) -> dict[str, Any]:
        """Metadata copied onto chunks and facts for filtering (no text)."""
        return {
            "doc_id": self.doc_id,
            "title": self.title,
            "kind": self.kind,
            "region": self.region,
            "year": self.year,
        }

    def to_dict(self, with_text: bool = False) -> dict[str, Any]:
        data = asdict(self)
        if not with_text:
            data.pop("text")
        return data


@dataclass
class Chunk:
    """A retrievable passage: its text is exactly ``document.text[start:end]``."""

    chunk_id: str
    doc_id: str
    ordinal: int
    text: str
    start: int
    end: int
    heading_path: list[str] = field(default_factory=list)
    tokens: int = 0
    page: int | None = None
    kind: str = "text"  # "text" | "table" | "tasks"
    context: str = ""  # table title and column header repeated for table chunks
    meta: dict[str, Any] = field(default_factory=dict)

    @property
    def section(self) -> str:
        return " › ".join(self.heading_path)

    def search_text(self) -> str:
        """What gets embedded and keyword-indexed: heading path, table context, then text."""
        parts = [self.section, self.context, self.text]
        return "\n".join(p for p in parts if p)

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


@dataclass
class Fact:
    """One number from a statistical table cell (origin "table") or stated in prose ("text").

    ``start``/``end`` span the table row as printed (what a citation quotes); ``cell_start``/
    ``cell_end`` span the cell's own text (empty at the cell's place when blank). A cell printed
    empty in a filled table is kept as ``blank`` with ``value`` None: it is not a 0. ``page`` and
    ``bbox`` (x0, top, x1, bottom in PDF points) locate PDF cells.
    """

    doc_id: str
    table: str  # 主动公开 | 依申请 | 复议诉讼 | text
    row: str
    col: str
    value: float | None
    unit: str = "件"
    start: int = 0
    end: int = 0
    origin: str = "table"  # "table" | "sum" | "text"
    region: str = ""
    year: int | None = None
    blank: bool = False
    cell_start: int = 0
    cell_end: int = 0
    page: int | None = None
    bbox: tuple[float, float, float, float] | None = None
    issuer: str = ""

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


@dataclass
class Task:
    """One requirement row of a 任务分解表."""

    doc_id: str
    number: int | None
    area: str  # 工作任务, filled down through merged cells
    subtask: str
    requirement: str  # 具体要求
    units: list[str]  # 责任单位 (and 配合单位); 牵头单位 too when no column sets them apart
    deadline: str
    start: int = 0
    end: int = 0
    region: str = ""
    year: int | None = None
    lead_units: list[str] = field(default_factory=list)  # 牵头单位, when printed in its own column
    subarea: str = ""  # a （一）… heading row between the area heading and the task rows
    units_printed: bool = True  # False: the row prints no unit (merged cell) and none is inferred

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


class IngestError(Exception):
    """A file that cannot be ingested; the message names the file and the reason."""

    def __init__(self, path: str, reason: str):
        super().__init__(f"{path}: {reason}")
        self.path = path
        self.reason = reason
