"""Parse the 任务分解表 of a 政务公开工作要点 into Task rows.

The table arrives in one of these shapes inside the cleaned text:

- one printed row per line, cells joined by tabs (txt exports, docx, HTML): merged cells are
  blank, and in PDF-derived text cells may sit one column left or right of their header;
- one cell per line (flattened web pages): rows are recovered from what each cell looks like;
- cells run together on one line (crawler text: "工作任务牵头单位责任单位工作要求一、…（一）…
  1.任务省发改委省直各部门，各设区市…要求。2.…"): rows are cut at the 序号 1., 2., … in order,
  一、/（一） heading rows between them give ``area``/``subarea``, and the unit cells are the
  first run of unit names holding a name the table itself shows to be whole (see
  ``learn_unit_names``). An empty 牵头单位 prints as a space. A row printing no unit (a merged
  cell) inherits nothing: ``units_printed`` is False and a problem names it;
- no table at all: a prose notice whose items are each followed by 责任单位：/牵头单位：/
  完成时限： lines (``read_prose_tasks``).

Column headers, unit-name suffixes/prefixes and in-text deadline patterns are data files in
index/vocab (task_*.tsv). Where no 完成时限 column is printed, the deadline is the time limit
the requirement itself writes (2020年年底前, 3个工作日内 …), quoted as printed.

A table starts at a header line (序号/工作任务/具体要求/责任单位/完成时限, any subset and order, or
the same keywords one per line); headers repeated on page breaks are skipped but re-read, since
columns may change between pages. Within a row the 具体要求 cell is found first (the prose cell);
cells before it are 工作任务 labels, cells after it are 责任单位 and 完成时限 told apart by their
content, with the header's column order used when the row lines up with it.

Fill-down rules (a blank cell means "same as above", as in a merged cell):
- 工作任务 has up to two levels: the top level goes to ``area``, the second to ``subtask``. A row
  printing two labels sets both; a single label is put at the level it was seen at before, else
  at the level of the notice's own outline heading it matches (一、… is an area, （一）… a
  subtask), else at the column it sits in, else it is a new subtask of the current area.
- The notice body repeats each 具体要求 under its （一） heading. A row whose subtask was only
  inherited takes another one when the body files its 具体要求 elsewhere: the next printed
  subtask (PDF text puts a vertically centred merged cell on a middle row of its span, so the
  rows above it inherit the previous label), or the heading's own label when the table's label
  for it was lost. Printed labels are never changed.
- 责任单位 and 完成时限 left blank are filled down from the row above.

Units are split into names (``split_units``); 牵头/配合 markers are removed from the names and
kept in ``TaskParse.unit_roles`` (one dict per task, unit name → "牵头" | "配合" | …), so that
"区民政局" is a unit whether it leads or supports.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path

from index.models import Task
from index.tables.cells import Cell, split_cells

_VOCAB = Path(__file__).resolve().parent.parent / "vocab"


def read_vocab(name: str) -> list[tuple[str, str]]:
    """(word, kind) rows of a vocabulary file in index/vocab (tab-separated, # comments)."""
    rows = []
    for line in (_VOCAB / name).read_text(encoding="utf-8").splitlines():
        if line.strip() and not line.startswith("#"):
            word, kind = line.split("\t")[:2]
            rows.append((word, kind))
    return rows[1:]  # the first row names the columns


# Header keywords (whitespace removed) → column kind (number/area/requirement/lead/units/deadline).
HEADER_KEYWORDS: dict[str, str] = dict(read_vocab("task_columns.tsv"))
_UNIT_WORDS = read_vocab("task_units.tsv")
UNIT_SUFFIXES = tuple(w for w, k in _UNIT_WORDS if k == "suffix")
UNIT_PREFIXES = tuple(w for w, k in _UNIT_WORDS if k == "prefix")
UNIT_JOINERS = tuple(w for w, k in _UNIT_WORDS if k == "joiner")
_DEADLINE_WORDS = read_vocab("task_deadlines.tsv")
ROLE_WORDS = ("牵头", "配合", "参与", "协助", "协同", "协办", "主办", "负责")

_NUMBER = re.compile(r"^[（(]?(\d{1,3})[)）.、．]?$")
_TERMINATOR = re.compile(
    r"^\s*(?:抄送|抄报|主送|附件\s*\d|附表\s*\d|备注[:：]|注[:：])|^\s*\d{4}\s*年\s*\d{1,2}\s*月\s*\d{1,2}\s*日(?:印发)?\s*$"
)
_SENTENCE_PUNCT = re.compile(r"[。！？!?]|[；;：:]$")
_DEADLINE = re.compile(
    r"^(?:全年|长期|常年|持续|常态化|每年|每季度|每月|适时|立即|随时)"
    r"|\d{4}\s*年|\d{1,2}\s*月|年\s*底|年末|月\s*底|月末|季度|上半年|下半年|年内|日内|个月内|工作日"
)
# 办 ends a unit name (区委编办) but also words such as 通办/上办/帮代办 (一网通办).
_UNIT_SUFFIX = re.compile(
    "(?:"
    + "|".join(re.escape(w) for w in sorted(UNIT_SUFFIXES, key=len, reverse=True) if w != "办")
    + "|(?<![通上次近网帮代马即好])办)$"
)
_DEADLINE_PATTERNS = [re.compile(w) for w, k in _DEADLINE_WORDS if k == "pattern"]
_DEADLINE_CLAUSES = frozenset(w for w, k in _DEADLINE_WORDS if k == "clause")
_NOT_UNIT_SUFFIX = re.compile(r"(?:网站|场所|公开专区)$")
_TRAILING_PAREN = re.compile(r"[（(][^（）()]*[)）]$")
_LEVEL1 = re.compile(r"^\s*[一二三四五六七八九十]{1,3}\s*[、.．]\s*(.+)$")
_LEVEL2 = re.compile(r"^\s*[（(]\s*[一二三四五六七八九十]{1,3}\s*[)）]\s*(.+)$")
_NON_WORD = re.compile(r"[\W_]+")
_UNIT_SEPARATORS = "、，,；;／/\n"


@dataclass
class TaskParse:
    """The tasks of every 任务分解表 in a document, and the rows that could not be aligned."""

    tasks: list[Task] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)
    title: str = ""  # the first table's title, e.g. 2022年莱芜区政务公开重点工作任务分解表
    titles: list[str] = field(default_factory=list)  # one per table, "" where none was printed
    unit_roles: list[dict[str, str]] = field(default_factory=list)  # parallel to ``tasks``


@dataclass
class _Row:
    number: int | None = None
    labels: list[Cell] = field(default_factory=list)
    label_columns: list[str] = field(default_factory=list)  # header kind under each label
    requirement: list[Cell] = field(default_factory=list)
    units: list[Cell] = field(default_factory=list)
    lead: list[Cell] = field(default_factory=list)
    deadline: list[Cell] = field(default_factory=list)
    cells: list[Cell] = field(default_factory=list)  # every cell printed, for the span


@dataclass
class _Emitted:
    task: Task
    roles: dict[str, str]
    area_printed: bool
    subtask_printed: bool


# ---------------------------------------------------------------- small text helpers


def label_key(text: str) -> str:
    """Text reduced to letters, digits and CJK: the key labels and headings are matched on."""
    return _NON_WORD.sub("", text)


def squeeze_spaces(text: str) -> str:
    """Drop whitespace inside Chinese text ("2022 年年底 前完成" → "2022年年底前完成").

    A space is kept only between two ASCII letters or digits.
    """
    text = text.strip()

    def keep(match: re.Match[str]) -> str:
        before = text[match.start() - 1] if match.start() else ""
        after = text[match.end()] if match.end() < len(text) else ""
        ascii_word = before.isascii() and before.isalnum() and after.isascii() and after.isalnum()
        return " " if ascii_word else ""

    return re.sub(r"\s+", keep, text)


def parse_number(text: str) -> int | None:
    """The 序号 in a cell such as "17", "17." or "（17）", else None."""
    match = _NUMBER.match(text.strip())
    return int(match.group(1)) if match else None


def is_deadline_text(text: str) -> bool:
    """A short time expression: 全年, 2022年9月底前, 本文件印发后30日内, 长期坚持 …"""
    compact = squeeze_spaces(text)
    if not compact or len(compact) > 40 or "。" in compact:
        return False
    return bool(_DEADLINE.search(compact)) and not is_units_text(compact)


def deadline_in_text(text: str) -> str:
    """Time limits written inside a requirement ("2020年年底前编制完成…" → "2020年年底前"),
    joined by "；" in the order printed; "" when it names none (patterns: task_deadlines.tsv)."""
    found: list[tuple[int, str]] = []
    for pattern in _DEADLINE_PATTERNS:
        found += [(m.start(), squeeze_spaces(m.group())) for m in pattern.finditer(text)]
    found += [
        (m.start(), m.group(1))
        for m in re.finditer(r"(?:^|[，。；,;：:])\s*([^，。；,;：:]+?)\s*(?=$|[，。；,;])", text)
        if m.group(1) in _DEADLINE_CLAUSES
    ]
    kept: list[str] = []
    for _, phrase in sorted(found):
        if not any(phrase in k for k in kept):
            kept = [k for k in kept if k not in phrase] + [phrase]
    return "；".join(kept)


def is_unit_name(name: str) -> bool:
    """A single organisation name: 区民政局, 各镇（街道）, 市公安局莱芜区分局, 区委编办 …"""
    name = squeeze_spaces(name)
    while _TRAILING_PAREN.search(name) and len(name) > 3:
        name = _TRAILING_PAREN.sub("", name)
    name = _strip_role(name)[0]
    return bool(_UNIT_SUFFIX.search(name)) and not _NOT_UNIT_SUFFIX.search(name)


def is_units_text(text: str) -> bool:
    """A 责任单位 cell: a list of organisation names and nothing else."""
    if not text.strip() or "。" in text or len(text) > 400:
        return False
    names = split_units(text)
    return bool(names) and all(is_unit_name(n) for n in names)


def is_prose(text: str) -> bool:
    """A 具体要求 cell: a sentence (with 。！？ or ending in ；：) or a long non-unit text."""
    if _SENTENCE_PUNCT.search(text.strip()):
        return True
    return len(label_key(text)) >= 40 and not is_units_text(text)


# ---------------------------------------------------------------- units


def _strip_role(name: str) -> tuple[str, str]:
    """Split a trailing 牵头/配合 marker, plain or in brackets, off a unit name."""
    for word in ROLE_WORDS:
        for marker in (f"（{word}）", f"({word})", f"（{word}单位）", f"{word}单位", word):
            if name.endswith(marker) and len(name) > len(marker):
                return name[: -len(marker)].rstrip(), word
    return name, ""


def _split_top_level(text: str) -> list[str]:
    """Split on 、，,；; outside brackets (so 各镇（街道、园区） stays whole)."""
    pieces, depth, current = [], 0, []
    for char in text:
        if char in "（(《":
            depth += 1
        elif char in "）)》":
            depth = max(0, depth - 1)
        if char in _UNIT_SEPARATORS and depth == 0:
            pieces.append("".join(current))
            current = []
        else:
            current.append(char)
    pieces.append("".join(current))
    return pieces


def _split_on_spaces(piece: str) -> list[str]:
    """Split "区财政局 区税务局" into two names; join "区人力资源 社会保障局" (a wrapped name)."""
    parts = piece.split()
    names: list[str] = []
    for part in parts:
        if names and not is_unit_name(names[-1]):
            names[-1] += part
        else:
            names.append(part)
    return names


def _split_deng(name: str) -> list[str]:
    """Split "A等B" into A and B when both are unit names; a final 等 is dropped."""
    name = name.removesuffix("等")
    head, sep, tail = name.partition("等")
    if sep and tail and is_unit_name(head) and is_unit_name(tail):
        return [head, *_split_deng(tail)]
    return [name]


def parse_units(text: str) -> list[tuple[str, str]]:
    """Unit names with their role ("牵头", "配合", … or "") in printed order, duplicates dropped.

    A marker applies to every name since the previous marker: in "A、B牵头，C配合" A and B lead.
    "牵头单位：A；配合单位：B" is read the same way.
    """
    result: list[tuple[str, str]] = []
    pending: list[int] = []  # indexes in result still waiting for a role marker
    prefix_role = ""
    for piece in _split_top_level(text):
        piece = piece.strip()
        head, colon, rest = piece.partition("：") if "：" in piece else piece.partition(":")
        if colon:
            role = next((w for w in ROLE_WORDS if head.startswith(w)), "")
            if role or head in ("责任单位", "责任部门"):
                prefix_role, piece, pending = role, rest.strip(), []
        for name in _split_on_spaces(piece):
            name, role = _strip_role(name)
            for part in _split_deng(name):
                part = squeeze_spaces(part)
                if part and part not in {n for n, _ in result}:
                    result.append((part, prefix_role))
                    pending.append(len(result) - 1)
            if role:
                for i in pending:
                    result[i] = (result[i][0], role)
                pending = []
    return result


def split_units(text: str) -> list[str]:
    """The unit names of a 责任单位 cell, split on 、，,； and spaces, markers removed."""
    return [name for name, _ in parse_units(text)]


def unit_roles(text: str) -> dict[str, str]:
    """Unit name → 牵头/配合/… for the names of a 责任单位 cell that carry a marker."""
    return {name: role for name, role in parse_units(text) if role}


# ---------------------------------------------------------------- lines, cells, headers


def _lines(text: str) -> list[tuple[str, int]]:
    lines, offset = [], 0
    for line in text.split("\n"):
        lines.append((line, offset))
        offset += len(line) + 1
    return lines


def line_cells(line: str, offset: int) -> list[Cell]:
    """The tab-separated cells of a line (blank cells kept, with an empty span)."""
    return split_cells(line, offset=offset)


def header_kind(text: str) -> str | None:
    """The column kind of a header cell ("序 号" → "number"), or None for any other text."""
    return HEADER_KEYWORDS.get(re.sub(r"\s+", "", text))


def header_kinds(cells: list[str]) -> list[str | None] | None:
    """Column kinds of a header row, or None when the cells are not a task-table header.

    A blank cell right after 工作任务 is its second level ("subtask"), as is a second 工作任务.
    One short unknown cell (备注 …) is allowed and becomes "other"; other blanks are None.
    """
    kinds: list[str | None] = []
    unknown = 0
    for text in cells:
        kind = header_kind(text) if text.strip() else None
        if text.strip() and kind is None:
            unknown += 1
            kind = "other" if len(text.strip()) <= 6 else None
            if kind is None:
                return None
        after_area = kind is None and kinds and kinds[-1] == "area"
        if after_area or (kind == "area" and "area" in kinds):
            kind = "subtask"
        kinds.append(kind)
    if "lead" in kinds and "units" not in kinds:  # a lone 牵头单位 column holds the units
        kinds = ["units" if k == "lead" else k for k in kinds]
    named = {k for k in kinds if k not in (None, "other", "subtask")}
    if len(named) < 2 or unknown > 1 or not named & {"requirement", "units"}:
        return None
    if not named & {"requirement", "area"} or (unknown and len(named) < 3):
        return None
    while kinds and kinds[-1] is None:
        kinds.pop()
    return kinds


def _match_header(lines: list[tuple[str, int]], i: int) -> tuple[list[str | None], int] | None:
    """A header starting at line ``i``: its kinds and the index of the line after it."""
    line = lines[i][0]
    if "\t" in line:
        kinds = header_kinds(line.split("\t"))
        return (kinds, i + 1) if kinds else None
    if header_kind(line) is None:
        return None
    texts, j = [], i
    while j < len(lines) and "\t" not in lines[j][0]:
        if lines[j][0].strip():
            if header_kind(lines[j][0]) is None:
                break
            texts.append(lines[j][0])
        j += 1
    kinds = header_kinds(texts) if len(texts) >= 2 else None
    return (kinds, j) if kinds else None


def _table_title(lines: list[tuple[str, int]], header_at: int) -> str:
    """The table's title: the nearest line above the header naming a 表 or 清单."""
    seen = 0
    for line, _ in reversed(lines[max(0, header_at - 12) : header_at]):
        if not line.strip():
            continue
        seen += 1
        compact = squeeze_spaces(line)
        if len(compact) <= 60 and ("表" in compact or "清单" in compact):
            return re.sub(r"^附件\d*[:：]?", "", compact)
        if seen >= 4:
            break
    return ""


# ---------------------------------------------------------------- the notice's own outline


@dataclass
class Outline:
    """The 一、/（一） headings of the notice body, to tell area from subtask labels."""

    body: str = ""  # label_key of the body; heading offsets index into it
    # (offset in body, level 1 or 2, label_key of the title, title)
    headings: list[tuple[int, int, str, str]] = field(default_factory=list)

    def level_of(self, label: str) -> int | None:
        key = label_key(label)
        return next((lvl for _, lvl, k, _ in self.headings if k == key and key), None)

    def place(self, requirement: str) -> tuple[tuple[str, str] | None, tuple[str, str] | None]:
        """The (key, title) of the level-1 and level-2 headings a requirement is written under.

        Found by the requirement's first 16 characters occurring exactly once in the body.
        """
        probe = label_key(requirement)[:16]
        at = self.body.find(probe) if len(probe) >= 8 else -1
        if at < 0 or self.body.find(probe, at + 1) >= 0:
            return None, None
        level1 = level2 = None
        for offset, level, key, title in self.headings:
            if offset > at:
                break
            if level == 1:
                level1, level2 = (key, title), None
            else:
                level2 = (key, title)
        return level1, level2


def read_outline(text: str) -> Outline:
    """Headings of the form 一、标题 (level 1) and （一）标题。正文 (level 2) in ``text``."""
    outline = Outline()
    parts: list[str] = []
    length = 0
    for line in text.split("\n"):
        for pattern, level in ((_LEVEL1, 1), (_LEVEL2, 2)):
            match = pattern.match(line)
            if match:
                title = re.split(r"[。；;：:]", match.group(1), maxsplit=1)[0].strip()
                if 2 <= len(title) <= 40:
                    outline.headings.append((length, level, label_key(title), title))
                break
        key = label_key(line)
        parts.append(key)
        length += len(key)
    outline.body = "".join(parts)
    return outline


# ---------------------------------------------------------------- rows


def _looks_like_requirement(cell: str) -> bool:
    return is_prose(cell) and not is_units_text(cell) and not is_deadline_text(cell)


def _positional_row(cells: list[Cell], kinds: list[str | None]) -> _Row | None:
    """Read a tab row by its header's columns, or None when its cells do not line up."""
    while len(cells) > len(kinds) and not cells[-1].text:
        cells = cells[:-1]
    if len(cells) != len(kinds):
        return None
    row = _Row(cells=[c for c in cells if c.text])
    for cell, kind in zip(cells, kinds, strict=True):
        if not cell.text or kind == "other":
            continue
        if kind is None:
            return None
        if kind == "number":
            row.number = parse_number(cell.text)
            if row.number is None:
                return None
        elif kind in ("area", "subtask"):
            if is_prose(cell.text):
                return None
            row.labels.append(cell)
            row.label_columns.append(kind)
        elif kind == "requirement":
            if not _looks_like_requirement(cell.text):
                return None
            row.requirement.append(cell)
        elif kind in ("units", "lead"):
            if is_deadline_text(cell.text) or is_prose(cell.text):
                return None
            getattr(row, kind).append(cell)
        elif kind == "deadline":
            if not is_deadline_text(cell.text):
                return None
            row.deadline.append(cell)
    return row if row.requirement else None


def _requirement_index(cells: list[Cell]) -> int | None:
    """Where the 具体要求 is among a row's non-blank cells: the first prose cell, else the
    longest cell that is neither units nor a deadline."""
    for i, cell in enumerate(cells):
        if _looks_like_requirement(cell.text):
            return i
    others = [
        (len(c.text), i)
        for i, c in enumerate(cells)
        if not is_units_text(c.text) and not is_deadline_text(c.text)
    ]
    if not others:
        return None
    length, index = max(others)
    later_units = any(is_units_text(c.text) for c in cells[index + 1 :])
    return index if length >= 6 or later_units else None


def _content_row(cells: list[Cell], kinds: list[str | None]) -> _Row:
    """Read a tab row by what its cells look like (for rows shifted against their header)."""
    filled = [c for c in cells if c.text]
    row = _Row(cells=filled)
    if filled and parse_number(filled[0].text) is not None:
        row.number = parse_number(filled[0].text)
        filled = filled[1:]
    r = _requirement_index(filled)
    if r is None:
        row.labels = filled
        return row
    row.labels = filled[:r]
    row.requirement = [filled[r]]
    has_deadline_column = "deadline" in kinds
    for cell in filled[r + 1 :]:
        if has_deadline_column and not row.deadline and is_deadline_text(cell.text):
            row.deadline.append(cell)
        elif not row.deadline or is_units_text(cell.text):
            row.units.append(cell)
        else:
            row.deadline.append(cell)
    return row


def _read_tab_row(cells: list[Cell], kinds: list[str | None]) -> _Row:
    """One printed row: by header position when the cells line up, else by content."""
    return _positional_row(cells, kinds) or _content_row(cells, kinds)


# ---------------------------------------------------------------- label groups


def _heuristic_groups(pieces: list[str]) -> list[list[str]]:
    """Join label fragments of a flattened cell: a run of short pieces (≤4 characters) is one
    label; a lone short piece belongs to the piece before it (or after it, when first)."""
    short = [len(label_key(p)) <= 4 for p in pieces]
    groups: list[list[str]] = []
    i = 0
    while i < len(pieces):
        j = i
        while j < len(pieces) and short[j]:
            j += 1
        run = pieces[i:j] if j - i >= 2 else [pieces[i]]
        if short[i] and len(run) == 1 and (groups or i + 1 < len(pieces)):
            if groups:
                groups[-1].append(pieces[i])
                i += 1
            else:
                groups.append(pieces[i : i + 2])
                i += 2
            continue
        groups.append(run)
        i += len(run)
    while len(groups) > 2:
        groups[0:2] = [groups[0] + groups[1]]
    return groups


def group_labels(pieces: list[str], known: set[str], outline: Outline) -> list[str]:
    """Split label pieces into at most two labels (area, subtask).

    Every way of cutting the pieces into one or two runs is scored: a run matching a label
    already seen or an outline heading scores 3, a short unmatched run loses 2; the heuristic
    grouping wins ties.
    """
    if not pieces:
        return []
    guess = ["".join(g) for g in _heuristic_groups(pieces)]
    candidates = [["".join(pieces)]]
    candidates += [["".join(pieces[:k]), "".join(pieces[k:])] for k in range(1, len(pieces))]

    def score(groups: list[str]) -> int:
        total = 0
        for g in groups:
            if label_key(g) in known or outline.level_of(g):
                total += 3
            elif len(label_key(g)) <= 4:
                total -= 2
        return total + (1 if groups == guess else 0)

    return [squeeze_spaces(g) for g in max(candidates, key=score)]


# ---------------------------------------------------------------- table state


class _Table:
    """Fill-down state of one 任务分解表 while its rows are read."""

    def __init__(self, kinds: list[str | None], outline: Outline, doc_id: str):
        self.kinds = kinds
        self.outline = outline
        self.doc_id = doc_id
        self.two_level = "subtask" in kinds
        self.area = self.subtask = self.deadline = ""
        self.units_text = self.lead_text = ""
        self.known_areas: set[str] = set()
        self.known_subtasks: set[str] = set()
        self.printed_subtasks: list[tuple[int, str]] = []  # (task index, label) in order
        self.pending: list[Cell] = []
        self.flat: _Row | None = None
        self.saw_tab_rows = False
        self.emitted: list[_Emitted] = []
        self.problems: list[str] = []

    # labels ---------------------------------------------------------------

    def _set_labels(self, row: _Row) -> tuple[bool, bool]:
        """Update area/subtask from the row's labels; say which of the two it printed."""
        cells = self.pending + row.labels
        columns = [""] * len(self.pending) + (row.label_columns or [""] * len(row.labels))
        self.pending = []
        if not cells:
            return False, False
        known = self.known_areas | self.known_subtasks
        if len(cells) <= 2 and self.saw_tab_rows:  # a tab cell is a whole label
            groups = [squeeze_spaces(c.text) for c in cells]
        else:
            groups = group_labels([c.text for c in cells], known, self.outline)
        if len(groups) == 2:
            self.two_level = True
            self._new_area(groups[0])
            self._new_subtask(groups[1])
            return True, True
        label = groups[0]
        column = columns[0] if len(cells) == 1 else ""
        if self._is_area(label, column):
            if label_key(label) != label_key(self.area):
                self._new_area(label)
                self.subtask = ""
            return True, False
        self._new_subtask(label)
        return False, True

    def _is_area(self, label: str, column: str) -> bool:
        """Whether a lone label is a top-level 工作任务 (see the module docstring)."""
        key = label_key(label)
        if key in self.known_areas:
            return True
        if key in self.known_subtasks:
            return False
        level = self.outline.level_of(label)
        if level:
            return level == 1
        if column in ("area", "subtask"):
            return column == "area" or not self.area
        return not (self.two_level and self.area)

    def _new_area(self, label: str) -> None:
        self.area = label
        self.known_areas.add(label_key(label))

    def _new_subtask(self, label: str) -> None:
        self.subtask = label
        self.known_subtasks.add(label_key(label))
        self.printed_subtasks.append((len(self.emitted), label))

    # rows -----------------------------------------------------------------

    def add_tab_row(self, cells: list[Cell]) -> None:
        self.flush_flat()
        self.saw_tab_rows = True
        row = _read_tab_row(cells, self.kinds)
        self._finish(row)

    def add_flat_cell(self, cell: Cell) -> None:
        """Feed one cell of a flattened (one cell per line) table."""
        text = cell.text
        number = parse_number(text)
        if number is not None and "number" in self.kinds:
            self.flush_flat()
            self.flat = _Row(number=number, cells=[cell])
            return
        row = self.flat
        if row is not None and row.labels and not row.requirement and self._units_first(text):
            # 工作任务/牵头单位/责任单位/工作要求: unit cells come before the requirement
            lead_free = "lead" in self.kinds and not row.lead and not row.units
            getattr(row, "lead" if lead_free else "units").append(cell)
            row.cells.append(cell)
            return
        kind = self._trailing_kind(row, text) if row is not None else None
        if row is not None and kind:
            if not row.requirement and row.labels:
                row.requirement = [row.labels.pop()]  # a short requirement without a full stop
            if row.requirement:
                getattr(row, kind).append(cell)
                row.cells.append(cell)
                return
        if _looks_like_requirement(text):
            self._add_flat_requirement(cell)
        elif is_units_text(text) or ("deadline" in self.kinds and is_deadline_text(text)):
            self.flush_flat()
            self.problems.append(f"原文位置 {cell.start}：“{text[:20]}”前面没有具体要求，未能对齐")
        else:
            if row is not None and row.requirement:
                self.flush_flat()
            if self.flat is None:
                self.flat = _Row()
            self.flat.labels.append(cell)
            self.flat.cells.append(cell)

    def _units_first(self, text: str) -> bool:
        """Whether ``text`` is a unit cell of a table printing its units before 具体要求."""
        where = {kind: i for i, kind in reversed(list(enumerate(self.kinds)))}
        first_units = min(where.get("units", 99), where.get("lead", 99))
        return first_units < where.get("requirement", -1) and is_units_text(text)

    def _trailing_kind(self, row: _Row, text: str) -> str | None:
        """ "units" or "deadline" when ``text`` can follow the row's cells, else None."""
        if row.deadline:
            return None
        if "deadline" in self.kinds and is_deadline_text(text):
            return "deadline"
        units_continue = not row.units or row.units[-1].text.endswith(tuple(_UNIT_SEPARATORS))
        return "units" if units_continue and is_units_text(text) else None

    def _add_flat_requirement(self, cell: Cell) -> None:
        row = self.flat
        unfinished = row is not None and row.requirement and not (row.units or row.deadline)
        if unfinished and not _SENTENCE_PUNCT.search(row.requirement[-1].text):
            row.requirement.append(cell)  # one requirement printed over two lines
            row.cells.append(cell)
            return
        if row is None or row.requirement:
            self.flush_flat()
            row = self.flat = _Row()
        row.requirement.append(cell)
        row.cells.append(cell)

    def flush_flat(self) -> None:
        if self.flat is not None:
            row, self.flat = self.flat, None
            if row.lead and not row.units:  # one unit cell printed: not provably the 牵头单位
                row.units, row.lead = row.lead, []
            self._finish(row)

    def _finish(self, row: _Row) -> None:
        if not row.requirement:
            if row.labels and not row.units and not row.deadline and row.number is None:
                self.pending.extend(row.labels)  # a label-only row (e.g. a section row)
                return
            if row.cells:
                where = row.cells[0].start
                self.problems.append(
                    f"原文位置 {where}：第{row.number or '?'}行没有可识别的具体要求，未能对齐"
                )
            return
        area_printed, subtask_printed = self._set_labels(row)
        if row.units or row.lead:
            self.units_text = "、".join(c.text for c in row.units)
            self.lead_text = "、".join(c.text for c in row.lead)
        elif not self.units_text:
            self.problems.append(
                f"原文位置 {row.cells[0].start}：第{row.number or '?'}行没有责任单位"
            )
        if row.deadline:
            self.deadline = squeeze_spaces("".join(c.text for c in row.deadline))
        requirement = "".join(c.text for c in row.requirement)
        has_column = "deadline" in self.kinds
        task = Task(
            doc_id=self.doc_id,
            number=row.number,
            area=self.area,
            subtask=self.subtask,
            requirement=requirement,
            units=split_units(self.units_text),
            deadline=self.deadline if has_column else deadline_in_text(requirement),
            start=min(c.start for c in row.cells),
            end=max(c.end for c in row.cells),
            lead_units=split_units(self.lead_text),
        )
        self.emitted.append(
            _Emitted(task, unit_roles(self.units_text), area_printed, subtask_printed)
        )

    def close(self) -> None:
        self.flush_flat()
        self._correct_inherited_subtasks()

    def _correct_inherited_subtasks(self) -> None:
        """Correct inherited subtasks that the notice's own outline contradicts.

        PDF text puts a vertically centred merged cell on a middle row of its span, so the rows
        above it inherit the previous subtask; and a label may be lost altogether. A row whose
        subtask was inherited (not printed on it) and whose 具体要求 the notice writes under
        another （一） heading takes the next printed subtask when that is the heading's label,
        or, when the inherited subtask is itself the title of a different heading of the same
        area, the printed label matching the heading (else the heading's title).
        """
        printed = {label_key(lbl): lbl for _, lbl in self.printed_subtasks}
        level2 = {key for _, level, key, _ in self.outline.headings if level == 2}
        for index, emitted in enumerate(self.emitted):
            task = emitted.task
            if emitted.subtask_printed:
                continue
            area_heading, heading = self.outline.place(task.requirement)
            if heading is None or heading[0] == label_key(task.subtask):
                continue
            following = next((lbl for i, lbl in self.printed_subtasks if i > index), "")
            if label_key(following) == heading[0]:
                task.subtask = following
            elif (
                label_key(task.subtask) in level2
                and area_heading is not None
                and area_heading[0] == label_key(task.area)
            ):
                task.subtask = printed.get(heading[0], heading[1])


# ---------------------------------------------------------------- run-on tables

# A 任务分解表 whose cells were run together (crawler text without cell separators): the header
# keywords follow one another on one line, then "一、…（一）…1.工作任务牵头单位责任单位工作要求2.…".
_GAP = "[ \u3000]*"
_HEADER_WORD = re.compile(
    "|".join(
        _GAP.join(map(re.escape, word)) for word in sorted(HEADER_KEYWORDS, key=len, reverse=True)
    )
)
_CN_DIGITS = "一二三四五六七八九十"
_PIECE_SEPARATORS = "，、,"
_STOP = "，、,。；;：:！？!? \u3000\t\n"
_MAX_NAME = 16


def chinese_numeral(n: int) -> str:
    """1 → 一, 10 → 十, 12 → 十二, 20 → 二十 (heading numbers of 一、 and （一）)."""
    tens, ones = divmod(n, 10)
    head = "" if tens == 0 else ("十" if tens == 1 else _CN_DIGITS[tens - 1] + "十")
    return head + (_CN_DIGITS[ones - 1] if ones else "")


def find_run_on_header(line: str) -> tuple[list[str | None], int, int] | None:
    """A header printed as keywords run together inside ``line`` and followed by the table on
    the same line: (column kinds, header start, header end), else None."""
    words = list(_HEADER_WORD.finditer(line))
    i = 0
    while i < len(words):
        j = i + 1
        while j < len(words) and not line[words[j - 1].end() : words[j].start()].strip():
            j += 1
        run = words[i:j]
        if len(run) >= 3 and line[run[-1].end() :].strip():
            kinds = header_kinds([m.group() for m in run])
            if kinds:
                return kinds, run[0].start(), run[-1].end()
        i = j
    return None


def _row_marker(n: int) -> re.Pattern[str]:
    return re.compile(rf"(?<![\d.．]){n}[.．、](?!\d)")


def _heading_marker(n: int, level: int) -> re.Pattern[str]:
    numeral = chinese_numeral(n)
    if level == 1:
        return re.compile(rf"(?<![{_CN_DIGITS}第（(]){numeral}[、.．]")
    return re.compile(rf"[（(]{numeral}[)）]")


@dataclass
class _RunOnRow:
    number: int
    start: int  # of the "N." marker, in the document
    content: str  # the row after "N." (headings removed)
    content_start: int
    area: str
    subarea: str


def _tail_heading(segment: str, pattern: re.Pattern[str], start: int = 0) -> re.Match[str] | None:
    """The first heading marker of ``pattern`` after which the segment holds no full stop (a
    heading row ends the segment; a 一、 inside a requirement sentence is not one)."""
    return next(
        (m for m in pattern.finditer(segment, start) if "。" not in segment[m.end() :]), None
    )


def _split_run_on_rows(body: str, base: int) -> list[_RunOnRow]:
    """Rows 1., 2., … in order, with the 一、/（一） headings printed between them."""
    first = _row_marker(1).search(body)
    if first is None:
        return []
    rows: list[_RunOnRow] = []
    area_no = sub_no = 0
    area = subarea = ""

    def headings(segment: str) -> int:
        """Read headings in ``segment``; return where the first one starts (len when none)."""
        nonlocal area_no, sub_no, area, subarea
        cut = rest_from = len(segment)
        level1 = _tail_heading(segment, _heading_marker(area_no + 1, 1))
        if level1:
            level2 = _heading_marker(1, 2).search(segment, level1.end())
            rest_from = level2.start() if level2 else len(segment)
            area_no, sub_no, subarea = area_no + 1, 0, ""
            area = segment[level1.start() : rest_from].strip()
            cut = level1.start()
        level2 = _tail_heading(
            segment, _heading_marker(sub_no + 1, 2), 0 if level1 is None else rest_from
        )
        if level2:
            sub_no, subarea = sub_no + 1, segment[level2.start() :].strip()
            cut = min(cut, level2.start())
        return cut

    headings(body[: first.start()])
    n, marker = 1, first
    while marker is not None:
        following = _row_marker(n + 1).search(body, marker.end())
        segment = body[marker.end() : following.start() if following else len(body)]
        row_area, row_subarea = area, subarea
        cut = headings(segment) if following else len(segment)
        content_start = base + marker.end()
        rows.append(
            _RunOnRow(n, base + marker.start(), segment[:cut], content_start, row_area, row_subarea)
        )
        n, marker = n + 1, following
    return rows


def _is_name_text(text: str) -> bool:
    return 2 <= len(text) <= _MAX_NAME and not any(c in _STOP for c in text) and is_unit_name(text)


def learn_unit_names(contents: list[str]) -> set[str]:
    """Unit names a run-on table itself shows to be whole names.

    A name is whole when it is printed between two separators (，、 or a space) in two rows or
    more ("，各设区市、"), or when it follows a separator in three rows or more and is followed
    by different text each time (the last name of a 责任单位 cell runs into the 工作要求:
    "、平潭综合实验区通过…", "、平潭综合实验区明确…").
    """
    between: dict[str, int] = {}
    after: dict[str, set[str]] = {}
    counts: dict[str, int] = {}
    for content in contents:
        pieces = re.split(rf"[{_PIECE_SEPARATORS} \u3000]", content)
        for piece in set(pieces[1:-1]):
            if _is_name_text(piece):
                between[piece] = between.get(piece, 0) + 1
        seen: set[str] = set()
        for m in re.finditer(rf"[{_PIECE_SEPARATORS} \u3000]", content):
            tail = content[m.end() : m.end() + _MAX_NAME + 1]
            for length in range(2, min(len(tail) - 1, _MAX_NAME) + 1):
                name = tail[:length]
                if any(c in _STOP for c in name):
                    break
                if is_unit_name(name) and name not in seen:
                    seen.add(name)
                    counts[name] = counts.get(name, 0) + 1
                    after.setdefault(name, set()).add(tail[length])
    learned = {n for n, c in between.items() if c >= 2}
    learned |= {n for n, c in counts.items() if c >= 3 and len(after[n]) >= 2}
    return learned


@dataclass
class _Region:
    """The unit names of a row: (name, start, end, how it is joined to the name before it)."""

    names: list[tuple[str, int, int, str]]

    @property
    def end(self) -> int:
        return self.names[-1][2]


def _name_ends(text: str, i: int, known: set[str], free: bool) -> list[int]:
    """Where a unit name starting at ``i`` may end: a known name is taken whole; otherwise any
    unit suffix within reach (a name after a separator may start with any character, a name
    run together with the one before must start with a level prefix such as 省/市/各)."""
    whole = [i + len(n) for n in known if text.startswith(n, i)]
    if whole:
        ends = [max(whole)]
    elif free or text.startswith(UNIT_PREFIXES, i):
        ends = []
        for j in range(i + 3, min(len(text), i + _MAX_NAME) + 1):
            if text[j - 1] in _STOP:
                break
            if _UNIT_SUFFIX.search(text[i:j]) and not _NOT_UNIT_SUFFIX.search(text[i:j]):
                ends.append(j)
    else:
        return []
    with_paren = []
    for j in ends:
        paren = re.match(r"[（(][^（）()。，；]{1,12}[)）]", text[j:])
        with_paren.append(j + paren.end() if paren else j)
    return with_paren


def parse_unit_region(text: str, i: int, known: set[str]) -> _Region | None:
    """The longest run of unit names starting at ``i``: names run together (only before the
    first separator, as in 省发改委省经信委省直各部门，…), or joined by ，、 or 会同/等."""
    memo: dict[tuple[int, bool, bool], list[tuple[str, int, int, str]] | None] = {}

    def best_from(at: int, separated: bool, free: bool) -> list[tuple[str, int, int, str]] | None:
        key = (at, separated, free)
        if key in memo:
            return memo[key]
        memo[key] = None  # guards against loops
        best: list[tuple[str, int, int, str]] | None = None
        for end in _name_ends(text, at, known, free):
            options = [[]]
            if end < len(text) and text[end] in _PIECE_SEPARATORS:
                tail = best_from(end + 1, True, True)
                options.append(_joined(tail, "separator"))
            joiner = next((w for w in UNIT_JOINERS if text.startswith(w, end)), "")
            if joiner:
                options.append(_joined(best_from(end + len(joiner), separated, True), joiner))
            if not separated:
                options.append(_joined(best_from(end, False, False), "run"))
            for tail in options:
                if tail is None:
                    continue
                chain = [(text[at:end], at, end, "start"), *tail]
                if best is None or chain[-1][2] > best[-1][2]:
                    best = chain
        memo[key] = best
        return best

    chain = best_from(i, False, False)
    return _Region(chain) if chain else None


def _joined(
    chain: list[tuple[str, int, int, str]] | None, how: str
) -> list[tuple[str, int, int, str]] | None:
    """``chain`` with its first name marked as joined to the name before it by ``how``."""
    if not chain:
        return None
    name, start, end, _ = chain[0]
    return [(name, start, end, how), *chain[1:]]


def _known_in(region: _Region, known: set[str]) -> bool:
    return any(name in known for name, *_ in region.names)


def _find_region(content: str, known: set[str]) -> tuple[_Region, bool] | None:
    """The row's unit cells: after a space (an empty 牵头单位 prints as one), else the first
    run of unit names holding a name the table is known to use. Also says whether a space
    came first."""
    gap = re.search(r"[ \u3000]+", content)
    if gap and gap.start() > 0:
        region = parse_unit_region(content, gap.end(), known)
        if region and _known_in(region, known):
            return region, True
    for k in range(1, len(content)):
        if content[k - 1] in _STOP and content[k - 1] not in " \u3000":
            continue  # a cell starts right after the text before it, or after a space
        region = parse_unit_region(content, k, known)
        if region and _known_in(region, known):
            return region, False
    return None


def _split_lead(region: _Region, after_space: bool, has_lead: bool) -> tuple[list[str], list[str]]:
    """(牵头单位, 责任单位) of a region: the 责任单位 cell starts at the last name run together
    with the one before it (in 省发改委省经信委省直各部门，各设区市 that is 省直各部门)."""
    names = [squeeze_spaces(n) for n, *_ in region.names]
    if not has_lead or after_space:
        return [], names
    first_list = next(
        (i for i, (*_, how) in enumerate(region.names) if how not in ("start", "run")),
        len(names),
    )
    runs = [i for i in range(1, min(first_list + 1, len(names))) if region.names[i][3] == "run"]
    if not runs:
        return [], names
    return names[: runs[-1]], names[runs[-1] :]


def read_run_on_table(
    text: str, start: int, end: int, kinds: list[str | None], doc_id: str
) -> tuple[list[Task], list[str]]:
    """Tasks of a run-on 任务分解表 printed in ``text[start:end]`` (after its header)."""
    rows = _split_run_on_rows(text[start:end], start)
    if not rows:
        return [], [f"原文位置 {start}：任务分解表的单元格连在一起，且没有序号，未能拆分"]
    known = learn_unit_names([r.content for r in rows])
    has_lead = "lead" in kinds
    tasks, problems = [], []
    for row in rows:
        content = row.content.rstrip()
        found = _find_region(content, known)
        task = Task(
            doc_id=doc_id,
            number=row.number,
            area=row.area,
            subtask="",
            requirement=content.strip(),
            units=[],
            deadline="",
            start=row.start,
            end=row.content_start + len(content),
            subarea=row.subarea,
            units_printed=found is not None,
        )
        if found is None:
            problems.append(
                f"原文位置 {row.start}：第{row.number}项未印单位（合并单元格），工作任务与要求未能分开"
            )
        else:
            region, after_space = found
            task.subtask = content[: region.names[0][1]].strip()
            task.requirement = content[region.end :].strip()
            task.lead_units, task.units = _split_lead(region, after_space, has_lead)
            if has_lead and not after_space and not task.lead_units:
                problems.append(
                    f"原文位置 {row.start}：第{row.number}项的牵头单位与责任单位未能分开"
                )
        task.deadline = deadline_in_text(task.requirement)
        tasks.append(task)
    return tasks, problems


# ---------------------------------------------------------------- prose notices

# A notice without a table, each item followed by lines such as "责任单位：…" / "牵头单位：…；
# 配合单位：…" / "完成时限：…" (field names: the lead/units/deadline words of task_columns.tsv).
_FIELD_KINDS = {w: k for w, k in HEADER_KEYWORDS.items() if k in ("lead", "units", "deadline")}
_FIELD = re.compile(
    "(" + "|".join(sorted(map(re.escape, _FIELD_KINDS), key=len, reverse=True)) + r")\s*[：:]"
)
_ITEM_NUMBER = re.compile(r"^\s*(?:(\d{1,3})\s*[.．、]|[（(]\s*(\d{1,3})\s*[)）])\s*")


def _field_values(line: str) -> dict[str, str] | None:
    """{kind: text} of a field line ("牵头单位：A；配合单位：B", also in brackets), or None for
    any other line."""
    line = line.strip()
    if line[:1] in "（(" and line[-1:] in "）)" and _FIELD.match(line[1:]):
        line = line[1:-1]
    if not _FIELD.match(line):
        return None
    values: dict[str, str] = {}
    matches = list(_FIELD.finditer(line))
    for m, following in zip(matches, [*matches[1:], None], strict=True):
        value = line[m.end() : following.start() if following else len(line)]
        kind = _FIELD_KINDS[m.group(1)]
        value = value.strip().strip("；;。，, \u3000")
        values[kind] = "、".join(v for v in (values.get(kind, ""), value) if v)
    return values


def _inline_fields(line: str) -> tuple[int, dict[str, str]] | None:
    """Fields written in brackets at the end of an item ("…。（责任单位：区司法局）"): where the
    bracket opens, and the fields; None when the line does not end so."""
    stripped = line.rstrip().rstrip("。；;")
    if not stripped.endswith(("）", ")")):
        return None
    opens = [m.start() for m in re.finditer("[（(]", stripped) if _FIELD.match(stripped, m.end())]
    if not opens or opens[-1] == 0:
        return None
    values = _field_values(stripped[opens[-1] :])
    return (opens[-1], values) if values else None


def _heading_only(line: str) -> bool:
    """A heading line with no body of its own (一、深化公开 / （一）做好解读)."""
    return len(label_key(line)) <= 40 and not _SENTENCE_PUNCT.search(line.strip()[:-1] or "x")


def read_prose_tasks(text: str, doc_id: str) -> tuple[list[Task], list[str]]:
    """Items of a prose notice, one per run of field lines that follows them (or per item
    ending in bracketed fields: "…。（责任单位：区司法局；完成时限：6月底前）").

    An item is the text since the previous field line; 一、 and （一） lines without a body are
    the area and subarea; an item starting "（一）标题。正文" takes 标题 as its subtask.
    """
    lines = _lines(text)
    if sum(bool(_field_values(ln) or _inline_fields(ln)) for ln, _ in lines) < 2:
        return [], []
    tasks: list[Task] = []
    problems: list[str] = []
    area = subarea = ""
    block: list[tuple[str, int]] = []
    heading: tuple[str, int, str] | None = None  # a （一） line just read, and the subarea before
    i = 0
    while i < len(lines):
        line, offset = lines[i]
        fields = _field_values(line) if line.strip() else None
        if fields is None:
            inline = _inline_fields(line) if line.strip() else None
            if inline is None:
                if line.strip():
                    before = subarea
                    area, subarea, block = _read_item_line(line, offset, area, subarea, block)
                    new_heading = not block and subarea != before and subarea == line.strip()
                    heading = (line, offset, before) if new_heading else None
                i += 1
                continue
            cut, fields = inline
            area, subarea, block = _read_item_line(line[:cut], offset, area, subarea, block)
        end = offset + len(line.rstrip())
        while i + 1 < len(lines) and _field_values(lines[i + 1][0]) is not None:
            i += 1
            for kind, value in (_field_values(lines[i][0]) or {}).items():
                fields[kind] = "、".join(v for v in (fields.get(kind, ""), value) if v)
            end = lines[i][1] + len(lines[i][0].rstrip())
        if not block and heading is not None:  # "（三）规范依申请公开。" then its unit line
            block, subarea = [heading[:2]], heading[2]
        heading = None
        if block:
            tasks.append(_prose_task(block, fields, area, subarea, end, doc_id))
        else:
            problems.append(f"原文位置 {offset}：“{line.strip()[:20]}”前面没有任务内容，未能对齐")
        block = []
        i += 1
    return tasks, problems


def _read_item_line(
    line: str, offset: int, area: str, subarea: str, block: list[tuple[str, int]]
) -> tuple[str, str, list[tuple[str, int]]]:
    """Fold one non-field line into (area, subarea, the current item's lines).

    A line opening with 一、/（一）/1. starts afresh: text before it that no field line
    followed (the notice's preamble) belongs to no item.
    """
    if _LEVEL1.match(line) and _heading_only(line):
        return line.strip(), "", []
    if _LEVEL2.match(line) and _heading_only(line):
        return area, line.strip(), []
    if _LEVEL1.match(line) or _LEVEL2.match(line) or _ITEM_NUMBER.match(line):
        return area, subarea, [(line, offset)]
    return area, subarea, [*block, (line, offset)]


def _prose_task(
    block: list[tuple[str, int]],
    fields: dict[str, str],
    area: str,
    subarea: str,
    end: int,
    doc_id: str,
) -> Task:
    first, start = block[0]
    start += len(first) - len(first.lstrip())
    body = "".join(line.strip() for line, _ in block)
    number_match = _ITEM_NUMBER.match(body)
    number = None
    subtask = ""
    if number_match:
        number = int(number_match.group(1) or number_match.group(2))
        body = body[number_match.end() :]
    elif _LEVEL2.match(body):
        title = _LEVEL2.match(body).group(1)
        subtask = re.split(r"[。；;：:]", title, maxsplit=1)[0].strip()
        body = title[len(subtask) :].lstrip("。；;：: ") or title
    lead = split_units(fields.get("lead", ""))
    units = split_units(fields.get("units", "")) or lead
    return Task(
        doc_id=doc_id,
        number=number,
        area=area,
        subtask=subtask,
        requirement=body,
        units=units,
        deadline=squeeze_spaces(fields["deadline"])
        if fields.get("deadline")
        else deadline_in_text(body),
        start=start,
        end=end,
        lead_units=lead,
        subarea=subarea,
        units_printed=bool(units),
    )


# ---------------------------------------------------------------- the document


def _next_content_line(lines: list[tuple[str, int]], i: int) -> str:
    for line, _ in lines[i + 1 :]:
        if line.strip():
            return line
    return ""


def _check_numbers(tasks: list[Task]) -> list[str]:
    """Problems for printed 序号 that skip or repeat."""
    problems, previous = [], None
    for task in tasks:
        if task.number is None:
            continue
        if previous is not None and task.number != previous + 1:
            problems.append(
                f"序号不连续：第{previous}项之后是第{task.number}项（原文位置 {task.start}）"
            )
        previous = task.number
    return problems


def _collect(result: TaskParse, table: _Table | None) -> None:
    """Close ``table`` and add its tasks and problems to ``result``."""
    if table is not None:
        table.close()
        result.tasks.extend(e.task for e in table.emitted)
        result.unit_roles.extend(e.roles for e in table.emitted)
        result.problems.extend(table.problems)
        result.problems.extend(_check_numbers([e.task for e in table.emitted]))


def _run_on_title(before: str) -> str:
    """The title printed just before a run-on header ("…2016年政务公开工作主要任务分解表")."""
    match = re.search(r"[^\s。；：:，,]{2,60}(?:表|清单)$", before.rstrip())
    return match.group() if match else ""


def parse_task_tables(text: str, doc_id: str = "") -> TaskParse:
    """Every 任务分解表 in the cleaned ``text`` as Task rows (see the module docstring).

    Spans are [start, end) offsets of the whole printed row in ``text``. Tasks are in printed
    order; ``problems`` names rows that could not be aligned (no 具体要求, no 责任单位, 序号 gaps).
    """
    lines = _lines(text)
    result = TaskParse()
    table: _Table | None = None
    i = 0
    while i < len(lines):
        line, offset = lines[i]
        run_on = find_run_on_header(line) if "\t" not in line else None
        if run_on is not None:
            _collect(result, table)
            table = None
            kinds, header_start, header_end = run_on
            tasks, problems = read_run_on_table(
                text, offset + header_end, offset + len(line), kinds, doc_id
            )
            result.tasks.extend(tasks)
            result.unit_roles.extend({} for _ in tasks)
            result.problems.extend(problems)
            result.titles.append(_run_on_title(line[:header_start]))
            i += 1
            continue
        header = _match_header(lines, i)
        if header is not None:
            kinds, after = header
            if table is None:
                outline = read_outline(text[:offset])
                table = _Table(kinds, outline, doc_id)
                result.titles.append(_table_title(lines, i))
            else:
                table.flush_flat()
                table.kinds = kinds
                table.two_level = table.two_level or "subtask" in kinds
            i = after
            continue
        if table is None or not line.strip():
            i += 1
            continue
        cells = line_cells(line, offset)
        # A single line of prose after a tab table (not a stray cell before the next row)
        # ends the table, as does a 抄送/date line.
        prose_after = len(cells) == 1 and table.saw_tab_rows
        if _TERMINATOR.match(line) or (prose_after and "\t" not in _next_content_line(lines, i)):
            _collect(result, table)
            table = None
        elif len(cells) >= 2:
            table.add_tab_row(cells)
        else:
            table.add_flat_cell(cells[0])
        i += 1
    _collect(result, table)
    if not result.tasks and not result.titles:
        result.tasks, result.problems = read_prose_tasks(text, doc_id)
        result.unit_roles = [{} for _ in result.tasks]
    result.title = next((t for t in result.titles if t), "")
    return result
