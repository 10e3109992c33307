"""Load txt, pdf, docx and html files into plain text (tables as tab-separated lines)."""

from __future__ import annotations

import zipfile
from dataclasses import dataclass, field
from pathlib import Path

from index.models import IngestError

SUPPORTED_SUFFIXES = {".txt", ".md", ".pdf", ".docx", ".html", ".htm"}


@dataclass
class LoadedText:
    """Raw text of a file; ``pages`` maps start offsets to 1-based page numbers (PDF only)."""

    text: str
    pages: list[tuple[int, int]] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    # (start, end, page, x0, top, x1, bottom) of emitted text pieces (PDF only): provenance.
    boxes: list[tuple[int, int, int, float, float, float, float]] = field(default_factory=list)


def load_file(
    path: Path, max_bytes: int = 20 * 1024 * 1024, max_pages: int | None = None
) -> LoadedText:
    """Read ``path`` into text; raise IngestError naming the file and the reason.

    ``max_pages`` caps the PDF pages read (default: the ``GONGKAI_MAX_PDF_PAGES`` setting).
    """
    suffix = path.suffix.lower()
    if suffix not in SUPPORTED_SUFFIXES:
        raise IngestError(str(path), f"不支持的文件类型 {suffix or '(无扩展名)'}")
    try:
        size = path.stat().st_size
    except OSError as exc:
        raise IngestError(str(path), f"无法读取文件（{exc.strerror}）") from exc
    if size == 0:
        raise IngestError(str(path), "空文件")
    if size > max_bytes:
        raise IngestError(
            str(path), f"文件过大（{size / 1048576:.1f} MB，上限 {max_bytes / 1048576:.0f} MB）"
        )
    data = path.read_bytes()
    if max_pages is None:
        from assistant.config import load_settings

        max_pages = load_settings().max_pdf_pages
    pages_cap = max_pages
    loader = {
        ".txt": _load_txt,
        ".md": _load_txt,
        ".pdf": lambda p, d: _load_pdf(p, d, pages_cap),
        ".docx": _load_docx,
        ".html": _load_html,
        ".htm": _load_html,
    }[suffix]
    loaded = loader(path, data)
    if not loaded.text.strip():
        raise IngestError(str(path), "文件中没有可提取的文字")
    return loaded


def looks_binary(data: bytes) -> bool:
    """True for data with NUL bytes or mostly control characters (not a text file)."""
    sample = data[:8192]
    if b"\x00" in sample:
        return True
    controls = sum(1 for b in sample if b < 32 and b not in (9, 10, 13, 12))
    return controls > len(sample) * 0.05


def decode_text(data: bytes) -> tuple[str, list[str]]:
    """Decode bytes as UTF-8, else GB18030 (a superset of GBK), else line by line.

    Returns the text and warnings; undecodable bytes become U+FFFD, never an exception.
    """
    if data.startswith(b"\xef\xbb\xbf"):
        data = data[3:]
    for encoding in ("utf-8", "gb18030"):
        try:
            return data.decode(encoding), []
        except UnicodeDecodeError:
            continue
    lines, bad = [], 0
    for raw in data.split(b"\n"):
        for encoding in ("utf-8", "gb18030"):
            try:
                lines.append(raw.decode(encoding))
                break
            except UnicodeDecodeError:
                continue
        else:
            bad += 1
            lines.append(raw.decode("utf-8", errors="replace"))
    warnings = ["mixed_encoding"]
    if bad:
        warnings.append(f"undecodable_lines: {bad}")
    return "\n".join(lines), warnings


def _load_txt(path: Path, data: bytes) -> LoadedText:
    if looks_binary(data):
        raise IngestError(str(path), "不是文本文件（含二进制内容）")
    text, warnings = decode_text(data)
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    if text.count("\ufffd") > max(20, len(text) // 10):
        raise IngestError(str(path), "无法识别文本编码（大量无法解码的字节）")
    return LoadedText(text=text, warnings=warnings)


def _load_pdf(path: Path, data: bytes, max_pages: int) -> LoadedText:
    """Layout reading with pdfplumber; the pypdf text stream only when pdfplumber fails."""
    import io
    import logging

    from pypdf import PdfReader
    from pypdf.errors import PdfReadError

    logging.getLogger("pypdf").setLevel(logging.ERROR)
    if not data.lstrip().startswith(b"%PDF"):
        raise IngestError(str(path), "不是有效的 PDF 文件（缺少 %PDF 文件头）")
    try:
        reader = PdfReader(io.BytesIO(data))
        if reader.is_encrypted:
            raise IngestError(str(path), "PDF 已加密，无法提取文字")
        total = len(reader.pages)
    except IngestError:
        raise
    except (PdfReadError, ValueError, KeyError, TypeError, AttributeError, OSError) as exc:
        raise IngestError(str(path), f"PDF 文件损坏或不完整（{type(exc).__name__}）") from exc
    warnings = (
        [f"pdf_page_cap: 只读取前 {max_pages} 页（共 {total} 页）"] if total > max_pages else []
    )
    try:
        from index.pdf_layout import read_pdf_layout

        layout, _ = read_pdf_layout(data, max_pages)
        loaded = LoadedText(layout.text, layout.pages, warnings, layout.boxes)
    except Exception as exc:  # pdfminer raises many types on odd files; pypdf may still read them
        warnings.append(f"pdf_layout_failed: {type(exc).__name__}，改用纯文本读取")
        loaded = _pypdf_text(path, reader, max_pages, warnings)
    if not loaded.text.strip():
        raise IngestError(str(path), "PDF 中没有可提取的文字（可能是扫描件）")
    return loaded


def _pypdf_text(path: Path, reader, max_pages: int, warnings: list[str]) -> LoadedText:
    from pypdf.errors import PdfReadError

    parts: list[str] = []
    pages: list[tuple[int, int]] = []
    offset = 0
    try:
        for number, page in enumerate(reader.pages[:max_pages], start=1):
            page_text = (page.extract_text() or "").replace("\r\n", "\n").strip("\n")
            pages.append((offset, number))
            parts.append(page_text + "\n")
            offset += len(page_text) + 1
    except (PdfReadError, ValueError, KeyError, TypeError, AttributeError, OSError) as exc:
        raise IngestError(str(path), f"PDF 文件损坏或不完整（{type(exc).__name__}）") from exc
    return LoadedText(text="".join(parts), pages=pages, warnings=warnings)


def _load_docx(path: Path, data: bytes) -> LoadedText:
    import io

    try:
        import docx
        from docx.table import Table
        from docx.text.paragraph import Paragraph

        document = docx.Document(io.BytesIO(data))
    except (zipfile.BadZipFile, KeyError, ValueError) as exc:
        raise IngestError(str(path), f"不是有效的 .docx 文件（{type(exc).__name__}）") from exc
    except Exception as exc:  # python-docx raises PackageNotFoundError and friends
        raise IngestError(str(path), f"不是有效的 .docx 文件（{type(exc).__name__}）") from exc
    lines: list[str] = []
    for block in document.element.body.iterchildren():
        tag = block.tag.rsplit("}", 1)[-1]
        if tag == "p":
            lines.append(Paragraph(block, document).text)
        elif tag == "tbl":
            lines.extend(_docx_table_lines(Table(block, document)))
    return LoadedText(text="\n".join(lines))


def _docx_table_lines(table) -> list[str]:
    """Rows as tab-joined cells: a horizontally merged cell once, vertical continuations blank.

    Reads the row XML directly: python-docx's ``row.cells`` repeats the top cell of a
    vertical merge, which would duplicate merged labels.
    """
    from docx.table import _Cell

    lines = []
    for row in table.rows:
        cells = []
        for tc in row._tr.tc_lst:
            vmerge = tc.tcPr.vMerge if tc.tcPr is not None else None
            continued = vmerge is not None and vmerge.val in (None, "continue")
            text = _Cell(tc, table).text.replace("\n", " ").strip()
            cells.append("" if continued else text)
        lines.append("\t".join(cells))
    return lines


def _load_html(path: Path, data: bytes) -> LoadedText:
    from bs4 import BeautifulSoup

    text, warnings = decode_text(data)
    soup = BeautifulSoup(text, "lxml")
    for tag in soup(["script", "style", "nav", "noscript", "iframe", "header", "footer", "form"]):
        tag.decompose()
    lines: list[str] = []
    body = soup.body or soup
    _html_lines(body, lines)
    # Strip spaces but not tabs: a leading tab is an empty (merged) table cell.
    cleaned = "\n".join(ln for ln in (ln.strip(" \u3000\xa0\r") for ln in lines) if ln.strip())
    return LoadedText(text=cleaned, warnings=warnings)


_HTML_BLOCKS = {
    "p", "div", "br", "li", "h1", "h2", "h3", "h4", "h5", "h6", "section", "article",
    "tr", "table", "ul", "ol", "dd", "dt", "blockquote", "pre", "title",
}  # fmt: skip


def _html_lines(node, lines: list[str]) -> None:
    """Walk the tree: block elements start new lines, table rows become tab-separated lines."""
    from bs4 import NavigableString, Tag

    buffer: list[str] = []

    def flush() -> None:
        if buffer:
            lines.append("".join(buffer))
            buffer.clear()

    for child in node.children:
        if isinstance(child, NavigableString):
            if child.__class__.__name__ in ("Comment", "Doctype", "Declaration"):
                continue
            buffer.append(" ".join(str(child).split()) if str(child).strip() else "")
        elif isinstance(child, Tag):
            if child.name == "table":
                flush()
                lines.extend(_html_table_lines(child))
            elif child.name in _HTML_BLOCKS:
                flush()
                _html_lines(child, lines)
            else:
                buffer.append(" ".join(child.get_text(" ").split()))
    flush()


def _html_table_lines(table) -> list[str]:
    """Expand rowspan/colspan into a grid; spanned positions are blank, like merged cells."""
    grid: dict[tuple[int, int], str] = {}
    rows = table.find_all("tr")
    for r, tr in enumerate(rows):
        c = 0
        for cell in tr.find_all(["td", "th"], recursive=False):
            while (r, c) in grid:
                c += 1
            text = " ".join(cell.get_text(" ").split()).replace("\xa0", "").strip()
            rowspan = _span(cell.get("rowspan"))
            colspan = _span(cell.get("colspan"))
            for dr in range(rowspan):
                for dc in range(colspan):
                    grid[(r + dr, c + dc)] = text if (dr, dc) == (0, 0) else ""
            c += colspan
    lines = []
    for r in range(len(rows)):
        cols = [c for (rr, c) in grid if rr == r]
        if cols:
            lines.append("\t".join(grid.get((r, c), "") for c in range(max(cols) + 1)))
    return lines


def _span(value) -> int:
    try:
        return max(1, min(int(value), 50))
    except (TypeError, ValueError):
        return 1
