"""Parse the three statistical tables of a 政府信息公开工作年度报告 into Facts.

Tables: 二、主动公开政府信息情况 (``主动公开``), 三、收到和处理政府信息公开申请情况 (``依申请``),
四、政府信息公开行政复议、行政诉讼情况 (``复议诉讼``), in the 2019 and 2021 official formats,
whatever section number the report gives them (表四 is also known by its header alone).

Rows are found by their printed labels in the schema's order, never by position, and get the
schema's cell count. Three text layouts are read:
- ``cells``: every cell on its own line starting with a tab, rows separated by blank lines
  (tab-flattened web pages);
- ``grid``: one line per row, cells joined by tabs (docx, html, pdf tables via ``index.load``)
  or pipes (Markdown, ``<br>`` inside cells); cells repeating the label are skipped;
- ``spaced``: running text (pypdf, crawler pages): the number tokens after a label, separated
  by spaces or run together (``6045``, ``1 0 0 0 0 01``), split by ``index.tables.splits``;
  where several splits remain, the table's identities choose (row 总计, 一+二 = （七）+四,
  outcome rows = （七）总计, 表四 总计 per group).
A cell printed empty is a Fact with ``value`` None and ``blank`` True, never 0; a table whose
cells are all blank (a template) yields no facts. Every Fact spans its printed row
(``start``/``end``, what a citation quotes; 表四: header + data row) and its own cell
(``cell_start``/``cell_end``, empty at the cell's place when blank).

Problems (``TableParse.problems``), one line each, ``name: 表/行 (detail)``:
- ``table_missing: 表`` no filled table found; ``table_blank: 表`` the table is printed empty;
- ``table_row_missing: 表/行`` a schema row not printed (abridged tables);
- ``table_row_unaligned: 表/行 (expected n cells, found m)`` no reading gives the schema's count;
- ``ambiguous_cells: 表/行 (a/b/c | …)`` run-together cells with more than one split the
  identities allow: nothing is stored for that row (never guessed);
- ``table_cell_unreadable: 表/行.列 (text)`` a cell that is not a number its column can hold;
- ``table_header_unrecognized: 表`` a header naming some columns but not the schema's.
``identity_failed: …`` (the identities over what was read) comes from ``index.tables.validate``.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from domain.schema import identity
from index.models import Fact
from index.tables.cells import Cell
from index.tables.labels import (
    ACTIVE,
    ACTIVE_ROWS,
    ACTIVE_ROWS_2021,
    APPLICANT_COLUMNS,
    APPLICATION_HEAD_ROWS,
    APPLICATION_TOTAL_ROWS,
    APPLICATIONS,
    COUNT_UNIT,
    GROUP_ROWS,
    MONEY_UNIT,
    REVIEW,
    REVIEW_RESULT_COLUMNS,
    REVIEW_ROWS,
    SIGNED_COLUMN,
    TABLES,
    ColumnSet,
    RowLabel,
    find_row,
    group_pattern,
    spaced,
    squash,
)
from index.tables.rows import (
    align_cells,
    detect_layout,
    numeric_rows,
    parse_number,
    row_after_label,
    run_tokens,
    trailing_numeric_rows,
)
from index.tables.splits import (
    MAX_TABLE_STEPS,
    Split,
    Token,
    TooManySplits,
    enumerate_splits,
    filter_splits,
    group_totals,
    splits_with_total,
    total_check,
)

_HEADING_PREFIX = (
    r"(?:[一二三四五六七八九十]{1,3}\s*[、.．]|[（(][一二三四五六七八九十]{1,3}[）)])"
    r"\s*(?:行政机关)?"
)
_HEADINGS = {
    ACTIVE: re.compile(_HEADING_PREFIX + r"主动公开政府信息(?:的)?情况", re.M),
    APPLICATIONS: re.compile(_HEADING_PREFIX + r"收到和处理政府信息公开申请(?:的)?情况", re.M),
    REVIEW: re.compile(
        _HEADING_PREFIX + r"(?:因政府信息公开(?:工作)?被申请行政复议、\s*提起行政诉讼"
        r"|政府信息公开行政复议、\s*行政诉讼)(?:的)?情况",
        re.M,
    ),
}
_TOP_HEADING = re.compile(r"^[ \u3000\xa0]*[一二三四五六七八九十]{1,3}\s*、", re.M)
# Table 三 rows printed like top-level headings (一、本年新收… 四、结转下年度…).
_TABLE_ROW_WORDS = ("本年新收", "上年结转", "本年度办理结果", "结转下年度")
_GROUP_STUB = re.compile(r"[（(][一二三四五六七八九十]{1,3}[）)][^\d\s（()）]{0,6}\s*$")
_REVIEW_CELLS = len(REVIEW_ROWS) * len(REVIEW_RESULT_COLUMNS)


@dataclass
class TableParse:
    """Facts of the three tables, problems met, the table format and the tables filled."""

    facts: list[Fact] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)
    table_format: str = ""  # "2019" | "2021" | ""
    tables: set[str] = field(default_factory=set)


@dataclass
class _Section:
    table: str
    start: int  # just after the heading
    end: int
    layout: str


def parse_report_tables(text: str, doc_id: str = "") -> TableParse:
    """Parse the 主动公开 / 依申请 / 复议诉讼 tables of an annual report's cleaned text."""
    result = TableParse()
    formats: list[str] = []
    parsers = {ACTIVE: _parse_active, APPLICATIONS: _parse_applications, REVIEW: _parse_review}
    for table in TABLES:
        unfilled: list[str] = []
        for section in find_table_sections(text, table):
            facts, problems, fmt = parsers[table](text, section, doc_id)
            if facts and all(f.blank for f in facts):
                facts, problems = [], [f"table_blank: {table}"]
            if facts:
                result.tables.add(table)
                result.facts.extend(facts)
                result.problems.extend(problems)
                formats.extend([fmt] if fmt else [])
                break
            unfilled.extend(problems)
        else:
            result.problems.extend(unfilled + [f"table_missing: {table}"])
    if formats:
        result.table_format = max(sorted(set(formats)), key=formats.count)
    return result


_REVIEW_HEADER = re.compile(
    spaced("行政复议") + r"[\s|]*" + spaced("行政诉讼") + r"[\s|]*" + spaced("结果维持")
)
_TABLE_MARKS = ("本年新收政府信息公开申请数量", "结果维持", "第二十条第")


def carries_table_labels(text: str) -> bool:
    """Whether ``text`` prints the labels of the official tables (whatever its title says)."""
    flat = squash(text)
    return sum(mark in flat for mark in _TABLE_MARKS) >= 2


def find_table_sections(text: str, table: str) -> list[_Section]:
    """Every heading of ``table`` with the text up to the next section heading."""
    sections = []
    for heading in _HEADINGS[table].finditer(text):
        end = _section_end(text, heading.end())
        layout = detect_layout(text[heading.end() : end])
        sections.append(_Section(table, heading.end(), end, layout))
    if table == REVIEW:
        # 表四 is known by its header whatever its heading says (typos such as 行政法复议).
        for header in _REVIEW_HEADER.finditer(text):
            end = _section_end(text, header.start())
            layout = detect_layout(text[header.start() : end])
            sections.append(_Section(table, header.start(), end, layout))
    return sections


def _section_end(text: str, start: int) -> int:
    ends = [m.start() for pattern in _HEADINGS.values() for m in pattern.finditer(text, start)]
    for m in _TOP_HEADING.finditer(text, start):
        following = squash(text[m.end() : m.end() + 40])
        if not following.startswith(_TABLE_ROW_WORDS):
            ends.append(m.start())
            break
    return min(ends, default=len(text))


def _bounded_splits(
    tokens: list[Token], columns: tuple[str, ...], spent: list[int]
) -> list[Split] | None:
    """The splits of a run into the row's cells; too many to list: for rows whose last
    column is their total, those that add up, within the table's budget ``spent``;
    otherwise None (ambiguous)."""
    try:
        return enumerate_splits(tokens, len(columns))
    except TooManySplits:
        pass
    if columns != APPLICANT_COLUMNS or spent[0] > MAX_TABLE_STEPS:
        return None
    steps = [0]
    try:
        return splits_with_total(tokens, len(columns), steps) or None
    except TooManySplits:
        return None
    finally:
        spent[0] += steps[0]


_UP_TO_WORDS = re.compile(r"[^\u3400-\u9fff]*")
_NEXT_NUMBERING = re.compile(r"(?:\d{1,2}\s*[、.．]|[（(]\s*\d{1,2}\s*[）)])\s*$")


def _printed_empty(text: str, pos: int, limit: int) -> bool:
    """Whether a row with no number right after its label is printed empty: no digit before
    the next words but the next row's own numbering (``3.其他``). Digits behind stray marks
    (``<br>. 11 0 …``) are cells that cannot be placed, not blanks."""
    gap = _UP_TO_WORDS.match(text, pos, limit).group()
    return not re.search(r"\d", _NEXT_NUMBERING.sub("", gap))


def _past_repeats(text: str, label: re.Match[str], limit: int) -> int:
    """Where a row's cells begin: after its label and any copies of it (a merged label cell
    repeated by a converter, flattened: ``1.属于国家秘密 1.属于国家秘密 21 0 …``)."""
    repeat = re.compile(r"[\s|]*" + re.escape(label.group()))
    pos = label.end()
    while m := repeat.match(text, pos, limit):
        pos = m.end()
    return pos


def _unaligned(table: str, row: str, count: int, found: int) -> str:
    return f"table_row_unaligned: {table}/{row} (expected {count} cells, found {found})"


@dataclass
class _RowReader:
    """Reads labelled rows of one section in printed order, collecting facts and problems."""

    text: str
    section: _Section
    doc_id: str
    pos: int = 0
    facts: list[Fact] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)
    values: dict[str, list[int | float | None]] = field(default_factory=dict)
    spans: dict[str, tuple[int, int]] = field(default_factory=dict)
    # rows whose run-together cells split in more than one way: resolved across rows later
    pending: dict[str, tuple] = field(default_factory=dict)
    group_sums: list[tuple[str, list[str], int]] = field(default_factory=list)
    spent: list[int] = field(default_factory=lambda: [0])  # steps building splits under sums

    def __post_init__(self) -> None:
        self.pos = self.section.start

    def read(
        self,
        canonical: str,
        label: re.Match[str],
        columns: tuple[str, ...],
        money: tuple[str, ...] = (),
        money_header: bool = False,
        meaning: ColumnSet | None = None,
    ) -> bool:
        """Turn the row at ``label`` into facts; report it when it cannot be aligned.

        ``meaning``: the column set whose constraints narrow the splits of run-together cells.
        """
        table, layout = self.section.table, self.section.layout

        def value(i: int, text: str) -> int | float | None:
            column = columns[i]
            return parse_number(text, column == SIGNED_COLUMN, column in money, money_header)

        if layout == "spaced":
            after = _past_repeats(self.text, label, self.section.end)
            tokens, end = run_tokens(self.text, after, self.section.end)
            self.pos = end
            if columns == APPLICANT_COLUMNS:
                check = total_check(1)
            else:
                check = meaning.consistent if meaning else (lambda v: True)
            if not tokens and not _printed_empty(self.text, after, self.section.end):
                self.problems.append(_unaligned(table, canonical, len(columns), 0))
                return False
            if not tokens:
                blank = [Cell("", after, after) for _ in columns]
                candidates = [([None] * len(columns), tuple(blank))]
            else:
                splits = _bounded_splits(tokens, columns, self.spent)
                if splits is None:
                    shown = " ".join(t.text for t in tokens)
                    self.problems.append(f"ambiguous_cells: {table}/{canonical} ({shown})")
                    return False
                candidates = filter_splits(splits, check, value)
            row_end = tokens[-1].end if tokens else after
            if not candidates:
                found = sum(len(t.text) for t in tokens)
                self.problems.append(_unaligned(table, canonical, len(columns), found))
                return False
            if len(candidates) > 1:
                self.pending[canonical] = (candidates, columns, money, label.start(), row_end)
                return False
            values, cells = candidates[0]
            self._store(canonical, columns, money, values, list(cells), label.start(), row_end)
            return True
        row = row_after_label(self.text, label, self.section.end, layout)
        self.pos = row.next_pos
        aligned = None if row.stray else align_cells(row.cells, len(columns), layout)
        if aligned is None:
            self.problems.append(_unaligned(table, canonical, len(columns), len(row.cells)))
            return False
        values = []
        for i, cell in enumerate(aligned):
            parsed = value(i, cell.text)
            if cell.text and parsed is None:
                self.problems.append(
                    f"table_cell_unreadable: {table}/{canonical}.{columns[i]} ({cell.text})"
                )
                return False
            values.append(parsed)
        self._store(canonical, columns, money, values, aligned, row.start, row.end)
        return True

    def _store(
        self,
        canonical: str,
        columns: tuple[str, ...],
        money: tuple[str, ...],
        values: list[int | float | None],
        cells: list[Cell],
        start: int,
        end: int,
        only: set[int] | None = None,
    ) -> None:
        """Facts for a row's cells; ``only``: just these cells (a row not read whole, which
        then takes no part in the identities or group sums)."""
        for i, (column, value, cell) in enumerate(zip(columns, values, cells, strict=True)):
            if only is not None and i not in only:
                continue
            unit = MONEY_UNIT if column in money else COUNT_UNIT
            fact = self._fact(canonical, column, value, unit, start, end, "table")
            fact.blank = value is None
            fact.cell_start, fact.cell_end = cell.start, cell.end
            self.facts.append(fact)
        if only is None:
            self.values[canonical] = values
            self.spans[canonical] = (start, end)

    def find(self, row: RowLabel, end: int | None = None) -> re.Match[str] | None:
        return find_row(self.text, row, self.pos, self.section.end if end is None else end)

    def _fact(
        self,
        row: str,
        col: str,
        value: int | float | None,
        unit: str,
        start: int,
        end: int,
        origin: str,
    ) -> Fact:
        return Fact(
            doc_id=self.doc_id,
            table=self.section.table,
            row=row,
            col=col,
            value=value,
            unit=unit,
            start=start,
            end=end,
            origin=origin,
        )

    def add_sum(self, group: str, parts: list[str], start: int) -> None:
        """Facts for a group total computed from its sub-rows (all of them must be present)."""
        if not parts or any(p not in self.values for p in parts):
            return
        end = max(self.spans[p][1] for p in parts)
        for i, column in enumerate(APPLICANT_COLUMNS):
            printed = [self.values[p][i] for p in parts if self.values[p][i] is not None]
            # Blanks count as 0 only next to a printed part; all blank parts give a blank sum.
            total = sum(printed) if printed else None
            fact = self._fact(group, column, total, COUNT_UNIT, start, end, "sum")
            fact.blank = total is None
            self.facts.append(fact)


def _parse_applications(
    text: str, section: _Section, doc_id: str
) -> tuple[list[Fact], list[str], str]:
    reader = _RowReader(text, section, doc_id)
    first = reader.find(APPLICATION_HEAD_ROWS[0])
    if first is None:
        return [], [], ""
    header = squash(text[section.start : first.start()])
    # A header-less table (abridged copies) is read in the schema's column order.
    printed = [word for word in APPLICANT_COLUMNS if word in header]
    # A header whose cells were broken over lines (a scan, a PDF: 商业/科研 … 企业/机构) still
    # holds every character of every column name.
    scattered = all(ch in header for word in APPLICANT_COLUMNS for ch in word)
    if printed and len(printed) < len(APPLICANT_COLUMNS) and not scattered:
        return [], [f"table_header_unrecognized: {APPLICATIONS}"], ""
    for row in APPLICATION_HEAD_ROWS:
        _read_labelled(reader, row)
    for group in ("不予公开", "无法提供", "不予处理"):
        _read_group(reader, group, GROUP_ROWS[group])
    fmt = _read_other_processing(reader)
    for row in APPLICATION_TOTAL_ROWS:
        _read_labelled(reader, row)
    resolve_pending(reader, _applications_consistent)
    for group, parts, start in reader.group_sums:
        reader.add_sum(group, parts, start)
    return reader.facts, reader.problems, fmt


_BALANCE_ROWS = identity("balance").left + identity("balance").right  # 一+二 = （七）+四
MAX_COMBINATIONS = 20000


def _applications_consistent(values: dict[str, list[int | float | None]]) -> bool:
    """表三's column identities over the rows read: 一+二 = （七）总计+四 and the outcome rows sum
    to （七）总计 (blank = 0). An identity whose rows are not all read constrains nothing."""
    rows = {k: [0 if v is None else v for v in vals] for k, vals in values.items()}
    outcomes = [k for k in rows if k not in _BALANCE_ROWS]
    for i in range(len(APPLICANT_COLUMNS)):
        if all(k in rows for k in _BALANCE_ROWS):
            new, carried, total, nxt = (rows[k][i] for k in _BALANCE_ROWS)
            if abs(new + carried - total - nxt) > 1e-6:
                return False
        outcome_sum = sum(rows[k][i] for k in outcomes)
        if "总计" in rows and outcomes and abs(outcome_sum - rows["总计"][i]) > 1e-6:
            return False
    return True


def resolve_pending(reader: _RowReader, consistent) -> None:
    """Rows whose run-together cells split several ways: keep, for each row, the split every
    combination the table's identities allow agrees on; store nothing for the other rows and
    warn ``ambiguous_cells``."""
    if not reader.pending:
        return
    names = list(reader.pending)
    options = [reader.pending[n][0] for n in names]
    count = 1
    for o in options:
        count *= len(o)
    fits = []
    if consistent is not None and count <= MAX_COMBINATIONS:
        import itertools

        for combo in itertools.product(*options):
            trial = dict(reader.values)
            trial.update({n: values for n, (values, _) in zip(names, combo, strict=True)})
            if consistent(trial):
                fits.append(combo)
    table = reader.section.table
    for i, name in enumerate(names):
        candidates, columns, money, start, end = reader.pending[name]
        if not fits or len({_split_key(combo[i][1]) for combo in fits}) > 1:
            shown = " | ".join(
                "/".join(c.text or "空" for c in split) for _, split in candidates[:4]
            )
            reader.problems.append(f"ambiguous_cells: {table}/{name} ({shown})")
            if table == ACTIVE:
                # A cell every reading of the printed run places alike is printed that way
                # (``4500`` is 4|50|0 or 45|0|0: 处理决定数量 0 either way).
                common = _common_cells([split for _, split in candidates])
                values, cells = candidates[0]
                if common:
                    reader._store(name, columns, money, values, list(cells), start, end, common)
            continue
        values, cells = fits[0][i]
        reader._store(name, columns, money, values, list(cells), start, end)
    reader.pending.clear()


def _common_cells(splits: list) -> set[int]:
    """Indices of the cells (text and place) that every split shares."""
    first = splits[0]
    return {
        i
        for i, cell in enumerate(first)
        if all(
            (s[i].text, s[i].start, s[i].end) == (cell.text, cell.start, cell.end) for s in splits
        )
    }


def _split_key(cells) -> tuple:
    """A split as printed: each cell's text and place."""
    return tuple((c.text, c.start, c.end) for c in cells)


def _read_labelled(reader: _RowReader, row: RowLabel, end: int | None = None) -> bool:
    label = reader.find(row, end)
    if label is None:
        reader.problems.append(f"table_row_missing: {APPLICATIONS}/{row.canonical}")
        return False
    return reader.read(row.canonical, label, APPLICANT_COLUMNS)


def _read_group(
    reader: _RowReader, group: str, rows: tuple[RowLabel, ...], end: int | None = None
) -> None:
    first = reader.find(rows[0], end)
    start = _group_start(reader.text, group, reader.pos, first.start()) if first else 0
    for row in rows:
        _read_labelled(reader, row, end)
    if first is not None:
        reader.group_sums.append((group, [r.canonical for r in rows], start))


def _group_start(text: str, group: str, pos: int, first_row: int) -> int:
    """Where a group's printed rows begin: its label, or the stub of a label broken by a
    page break just before the first sub-row (（四）无 … 法提供), else the first sub-row."""
    heading = group_pattern(group).search(text, pos, first_row)
    if heading:
        return heading.start()
    stub = _GROUP_STUB.search(text, pos, first_row)
    return stub.start() if stub else first_row


def _read_other_processing(reader: _RowReader) -> str:
    """（六）其他处理: three sub-rows (2021) or one printed row (2019, and some 2021 reports)."""
    heading = group_pattern("其他处理").search(reader.text, reader.pos, reader.section.end)
    if heading is None:
        reader.problems.append(f"table_row_missing: {APPLICATIONS}/其他处理")
        return ""
    total = reader.find(APPLICATION_TOTAL_ROWS[0])
    end = total.start() if total else reader.section.end
    rows = GROUP_ROWS["其他处理"]
    if find_row(reader.text, rows[0], heading.end(), end) is None:
        reader.read("其他处理", heading, APPLICANT_COLUMNS)
        return ""
    _read_group(reader, "其他处理", rows, end)
    return "2021"


def _parse_review(text: str, section: _Section, doc_id: str) -> tuple[list[Fact], list[str], str]:
    body = text[section.start : section.end]
    # A header-less 15-cell row (abridged copies) is read in the schema's order; a header
    # printing only some of the result columns is not.
    printed = [word for word in REVIEW_RESULT_COLUMNS[:-1] if word in squash(body)]
    if printed and len(printed) < len(REVIEW_RESULT_COLUMNS) - 1:
        if re.search(r"\d", body):
            return [], [f"table_header_unrecognized: {REVIEW}"], ""
        return [], [], ""
    if section.layout == "spaced":
        return _parse_review_run(text, section, doc_id)
    candidates = numeric_rows(text, section.start, section.end, section.layout)
    if not candidates and section.layout == "grid":
        candidates = trailing_numeric_rows(text, section.start, section.end)
    if not candidates:
        return [], [], ""
    aligned = [a for a in (align_cells(c, _REVIEW_CELLS, section.layout) for c in candidates) if a]
    if len(aligned) != 1:
        found = max(len(c) for c in candidates)
        return [], [_unaligned(REVIEW, "+".join(REVIEW_ROWS), _REVIEW_CELLS, found)], ""
    cells = aligned[0]
    values = [parse_number(c.text) for c in cells]
    if any(c.text and v is None for c, v in zip(cells, values, strict=True)):
        return [], [f"table_cell_unreadable: {REVIEW} ({' '.join(c.text for c in cells)})"], ""
    # Table 四's labels are all in its header: the quoted row is the header plus the data row.
    start = section.start + len(body) - len(body.lstrip())
    end = max((c.end for c in cells if c.text), default=section.end)
    return _review_facts(doc_id, values, cells, start, end), [], ""


def _review_facts(
    doc_id: str, values: list, cells: list[Cell] | tuple[Cell, ...], start: int, end: int
) -> list[Fact]:
    """The 15 表四 facts, blank cells kept blank, each with its own cell span."""
    keys = [(row, col) for row in REVIEW_ROWS for col in REVIEW_RESULT_COLUMNS]
    facts = []
    for (row, col), value, cell in zip(keys, values, cells, strict=True):
        fact = Fact(doc_id, REVIEW, row, col, value, COUNT_UNIT, start, end, "table")
        fact.blank, fact.cell_start, fact.cell_end = value is None, cell.start, cell.end
        facts.append(fact)
    return facts


def _parse_review_run(
    text: str, section: _Section, doc_id: str
) -> tuple[list[Fact], list[str], str]:
    """表四 in running text: the first run of numbers after its header, split into 15 cells."""
    first = re.search(r"\d", text[section.start : section.end])
    if first is None:
        return [], [], ""
    tokens, _ = run_tokens(text, section.start + first.start(), section.end)
    try:
        splits = enumerate_splits(tokens, _REVIEW_CELLS)
    except TooManySplits:
        # Too many to list: build only those whose every group adds up to its 总计.
        try:
            splits = enumerate_splits(tokens, _REVIEW_CELLS, accept=group_totals(5))
        except TooManySplits:
            splits = []
        if not splits:
            return [], [f"ambiguous_cells: {REVIEW}/{'+'.join(REVIEW_ROWS)}"], ""
    found = filter_splits(splits, total_check(len(REVIEW_ROWS)), lambda i, t: parse_number(t))
    if not found:
        return [], [f"table_row_unaligned: {REVIEW}/{'+'.join(REVIEW_ROWS)}"], ""
    values, cells = found[0]
    body = text[section.start : section.end]
    start = section.start + len(body) - len(body.lstrip())
    end = tokens[-1].end
    facts = _review_facts(doc_id, values, cells, start, end)
    # Several splits add up: keep the rows (groups of five) on which they all agree.
    size = len(REVIEW_RESULT_COLUMNS)
    unsure = [
        row
        for g, row in enumerate(REVIEW_ROWS)
        if len({_split_key(split[g * size : (g + 1) * size]) for _, split in found}) > 1
    ]
    problems = [f"ambiguous_cells: {REVIEW}/{row}" for row in unsure]
    return [f for f in facts if f.row not in unsure], problems, ""


def _parse_active(text: str, section: _Section, doc_id: str) -> tuple[list[Fact], list[str], str]:
    reader = _RowReader(text, section, doc_id)
    formats: list[str] = []
    seen: set[str] = set()
    for row, column_sets in ACTIVE_ROWS:
        label = reader.find(row)
        if label is None:
            continue
        seen.add(row.canonical)
        header = _active_header(text, section.start, label.start())
        matching = [cs for cs in column_sets if any(k in header for k in cs.keywords)]
        if len(matching) != 1:
            reader.problems.append(f"table_header_unrecognized: {ACTIVE}/{row.canonical}")
            reader.pos = label.end()
            continue
        columns: ColumnSet = matching[0]
        canonical = row.canonical
        if canonical == "规范性文件" and squash(label.group()).startswith("行政"):
            canonical = "行政规范性文件"
        reader.read(
            canonical, label, columns.columns, columns.money, "万元" in header, meaning=columns
        )
        formats.append(columns.fmt)
    resolve_pending(reader, None)
    fmt = max(sorted(set(formats)), key=formats.count) if formats else ""
    expected = ACTIVE_ROWS_2021 if fmt == "2021" else [r.canonical for r, _ in ACTIVE_ROWS]
    for name in expected:
        if fmt and name not in seen:
            reader.problems.append(f"table_row_missing: {ACTIVE}/{name}")
    return reader.facts, reader.problems, fmt


def _active_header(text: str, section_start: int, label_start: int) -> str:
    """The printed header of the block holding a table-二 row: from its 第二十条 line on."""
    block = text.rfind("第二十条", section_start, label_start)
    return squash(text[block if block != -1 else section_start : label_start])
