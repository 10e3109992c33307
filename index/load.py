"""Load txt, md, pdf, docx, html and image files into plain text (tables as tab-separated lines)."""

from __future__ import annotations

import re
import zipfile
from dataclasses import dataclass, field
from pathlib import Path

from index.images import IMAGE_SUFFIXES, OcrLimits, PageProgress
from index.models import IngestError

SUPPORTED_SUFFIXES = {".txt", ".md", ".pdf", ".docx", ".html", ".htm", *IMAGE_SUFFIXES}


@dataclass
class LoadedText:
    """Raw text of a file; ``pages`` maps start offsets to 1-based page numbers (PDF, images)."""

    text: str
    pages: list[tuple[int, int]] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    # (start, end, page, x0, top, x1, bottom) of emitted text pieces (PDF, image files):
    # provenance, in PDF points (image files: pixels, see index.images).
    boxes: list[tuple[int, int, int, float, float, float, float]] = field(default_factory=list)
    # (start, end, confidence) of text read by OCR (scanned pages, images, pictures in docx/HTML).
    ocr: list[tuple[int, int, float]] = field(default_factory=list)


@dataclass(frozen=True)
class _Options:
    max_bytes: int
    max_pages: int
    limits: OcrLimits
    on_page: PageProgress | None


def load_file(
    path: Path,
    max_bytes: int = 20 * 1024 * 1024,
    max_pages: int | None = None,
    on_page: PageProgress | None = None,
    limits: OcrLimits | None = None,
) -> LoadedText:
    """Read ``path`` into text; raise IngestError naming the file and the reason.

    ``max_pages`` caps the PDF pages read (default: the ``GONGKAI_MAX_PDF_PAGES`` setting);
    ``limits`` bound the OCR of images (default: the ``GONGKAI_*OCR*`` settings);
    ``on_page(done, total)`` reports each image page read by OCR.
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
        from config import load_settings

        max_pages = load_settings().max_pdf_pages
    options = _Options(max_bytes, max_pages, limits or OcrLimits.from_settings(), on_page)
    if suffix in IMAGE_SUFFIXES:
        loaded = _load_image(path, data, options)
    else:
        loader = {
            ".txt": _load_txt,
            ".md": _load_txt,
            ".pdf": _load_pdf,
            ".docx": _load_docx,
            ".html": _load_html,
            ".htm": _load_html,
        }[suffix]
        loaded = loader(path, data, options)
    if not loaded.text.strip():
        raise IngestError(str(path), "文件中没有可提取的文字")
    return loaded


def _load_image(path: Path, data: bytes, options: _Options) -> LoadedText:
    """An image file: each frame a scanned page, read by OCR (coordinates in pixels)."""
    from index.images import read_image_file

    layout, warnings = read_image_file(str(path), data, options.limits, options.on_page)
    if not layout.text.strip():
        raise IngestError(str(path), "图片中没有识别出文字")
    return LoadedText(layout.text, layout.pages, warnings, layout.boxes, layout.ocr)


def looks_binary(data: bytes) -> bool:
    """True for data with NUL bytes or mostly control characters (not a text file)."""
    sample = data[:8192]
    if b"\x00" in sample:
        return True
    controls = sum(1 for b in sample if b < 32 and b not in (9, 10, 13, 12))
    return controls > len(sample) * 0.05


def utf16_encoding(data: bytes) -> str | None:
    """'utf-16' (BOM), 'utf-16-le' or 'utf-16-be' when ``data`` is UTF-16 text, else None.

    Without a BOM, UTF-16 shows itself by NUL high bytes of ASCII characters (digits, newlines,
    punctuation that every report has) all falling on the same side of each byte pair.
    """
    if data[:2] in (b"\xff\xfe", b"\xfe\xff"):
        return "utf-16"
    sample = data[:8192]
    pairs = len(sample) // 2
    if pairs < 8:
        return None
    even = sum(1 for i in range(0, pairs * 2, 2) if sample[i] == 0)
    odd = sum(1 for i in range(1, pairs * 2, 2) if sample[i] == 0)
    # CJK characters such as U+4E00 have a NUL low byte too, so the other side is not empty.
    if odd >= pairs * 0.05 and even * 4 <= odd:
        return "utf-16-le"
    if even >= pairs * 0.05 and odd * 4 <= even:
        return "utf-16-be"
    return None


def _common_share(text: str, encoding: str) -> float:
    """Share of the CJK characters of ``text`` that the everyday character set ``encoding``
    (GB2312 for simplified, Big5 for traditional) holds: near 1 for text in that script."""
    cjk = [ch for ch in text[:20000] if "\u4e00" <= ch <= "\u9fff"]
    if not cjk:
        return 1.0
    held = 0
    for ch in cjk:
        try:
            ch.encode(encoding)
            held += 1
        except UnicodeEncodeError:
            pass
    return held / len(cjk)


def _as_big5(data: bytes, gb_text: str) -> str | None:
    """Big5 bytes also decode as GB18030, into rare characters (mojibake): the Big5 reading
    when it is valid and reads as everyday characters while the GB reading does not."""
    if _common_share(gb_text, "gb2312") > 0.9:
        return None
    try:
        text = data.decode("big5")
    except UnicodeDecodeError:
        return None
    return text if _common_share(text, "big5") > 0.97 else None


def decode_text(data: bytes) -> tuple[str, list[str]]:
    """Decode UTF-16 (BOM or not), UTF-8 (BOM or not), else GB18030 (a superset of GBK),
    else line by line.

    Returns the text and warnings; undecodable bytes become U+FFFD, never an exception.
    """
    utf16 = utf16_encoding(data)
    if utf16:
        text = data.decode(utf16, errors="replace")
        return text, (["undecodable_bytes"] if "\ufffd" in text else [])
    if data.startswith(b"\xef\xbb\xbf"):
        data = data[3:]
    try:
        return data.decode("utf-8"), []
    except UnicodeDecodeError:
        pass
    try:
        text = data.decode("gb18030")
    except UnicodeDecodeError:
        text = None
    if text is not None:
        big5 = _as_big5(data, text)
        return (
            (big5, ["big5_encoding: 文件为繁体 Big5 编码，已按 Big5 读取"]) if big5 else (text, [])
        )
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


def _load_txt(path: Path, data: bytes, options: _Options | None = None) -> LoadedText:
    if not utf16_encoding(data) and looks_binary(data):
        raise IngestError(str(path), "不是文本文件（含二进制内容）")
    text, warnings = decode_text(data)
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    if text.count("\ufffd") > max(20, len(text) // 10):
        raise IngestError(str(path), "无法识别文本编码（大量无法解码的字节）")
    return LoadedText(text=text, warnings=warnings)


def _load_pdf(path: Path, data: bytes, options: _Options) -> LoadedText:
    """Layout reading with pdfplumber; the pypdf text stream only when pdfplumber fails."""
    import io
    import logging

    from pypdf import PdfReader
    from pypdf.errors import PdfReadError

    logging.getLogger("pypdf").setLevel(logging.ERROR)
    max_pages = options.max_pages
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

        limits = options.limits
        layout, _ = read_pdf_layout(
            data, max_pages, limits.seconds, limits.max_pages, on_page=options.on_page
        )
        warnings += [layout.note] if layout.note else []
        loaded = LoadedText(layout.text, layout.pages, warnings, layout.boxes, layout.ocr)
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


def _load_docx(path: Path, data: bytes, options: _Options) -> LoadedText:
    """Paragraphs and tables in body order; a picture in the body (a table printed as an
    image) is read by OCR and its lines stand where the picture stands."""
    import io

    from index.images import compose, read_pictures

    check_zip_size(path, data)
    try:
        import docx
        from docx.table import Table
        from docx.text.paragraph import Paragraph

        document = docx.Document(io.BytesIO(data))
    except (zipfile.BadZipFile, KeyError, ValueError) as exc:
        raise IngestError(str(path), f"不是有效的 .docx 文件（{type(exc).__name__}）") from exc
    except Exception as exc:  # python-docx raises PackageNotFoundError and friends
        raise IngestError(str(path), f"不是有效的 .docx 文件（{type(exc).__name__}）") from exc
    parts: list[str | int] = []
    pictures = []
    for block in document.element.body.iterchildren():
        tag = block.tag.rsplit("}", 1)[-1]
        if tag == "p":
            parts.append(Paragraph(block, document).text)
        elif tag == "tbl":
            parts.extend(_docx_table_lines(Table(block, document)))
        for picture in _docx_pictures(block, document.part):
            parts.append(len(pictures))
            pictures.append(picture)
    if not pictures:
        return LoadedText(text="\n".join(p for p in parts if isinstance(p, str)))
    texts, warnings = read_pictures(pictures, options.limits, options.on_page)
    text, ocr = compose(parts, texts)
    return LoadedText(text=text, warnings=warnings, ocr=ocr)


_DOCX_R = "{http://schemas.openxmlformats.org/officeDocument/2006/relationships}"
_DOCX_FALLBACK = "{http://schemas.openxmlformats.org/markup-compatibility/2006}Fallback"


def _docx_pictures(block, part) -> list:
    """The pictures a body block shows, in order: DrawingML ``a:blip`` and VML
    ``v:imagedata``; the VML copy Word writes as ``mc:Fallback`` of a drawing is skipped."""
    from index.images import Picture

    found, seen = [], set()
    for node in block.iter():
        if not isinstance(node.tag, str):
            continue  # comments, processing instructions
        name = node.tag.rsplit("}", 1)[-1]
        if name == "blip":
            rid = node.get(f"{_DOCX_R}embed") or node.get(f"{_DOCX_R}link")
        elif name == "imagedata":
            rid = node.get(f"{_DOCX_R}id")
        else:
            continue
        rel = part.rels.get(rid) if rid else None
        if rel is None or rid in seen:
            continue
        if any(a.tag == _DOCX_FALLBACK for a in node.iterancestors()):
            continue
        seen.add(rid)
        if rel.is_external:
            found.append(Picture(rel.target_ref, None))
        else:
            target = rel.target_part
            found.append(Picture(str(target.partname).lstrip("/"), target.blob))
    return found


# A docx is a zip: its members' declared sizes bound what decompression may produce.
MAX_UNZIPPED_BYTES = 200 * 1024 * 1024


def check_zip_size(path: Path, data: bytes, limit: int | None = None) -> None:
    """Refuse a zip whose members would decompress beyond ``limit`` (a zip bomb)."""
    import io

    limit = MAX_UNZIPPED_BYTES if limit is None else limit
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            total = sum(info.file_size for info in archive.infolist())
    except (zipfile.BadZipFile, ValueError, OSError) as exc:
        raise IngestError(str(path), f"不是有效的 .docx 文件（{type(exc).__name__}）") from exc
    if total > limit:
        raise IngestError(
            str(path), f"解压后过大（{total / 1048576:.0f} MB，上限 {limit / 1048576:.0f} MB）"
        )


def _docx_table_lines(table) -> list[str]:
    """Rows as tab-joined cells: a merged cell once, the positions it covers blank.

    Reads the row XML directly: python-docx's ``row.cells`` repeats the top cell of a
    vertical merge, which would duplicate merged labels.
    """
    from docx.table import _Cell

    from index.pdf_layout import join_cell_lines

    lines = []
    for row in table.rows:
        cells = []
        for tc in row._tr.tc_lst:
            vmerge = tc.tcPr.vMerge if tc.tcPr is not None else None
            continued = vmerge is not None and vmerge.val in (None, "continue")
            text = join_cell_lines(_Cell(tc, table).text)
            cells.append("" if continued else text)
            # Columns a horizontal merge covers are blank, as in HTML and PDF grids.
            cells.extend([""] * (min(tc.grid_span, _MAX_COLSPAN) - 1))
        lines.append("\t".join(cells))
    return lines


def _load_html(path: Path, data: bytes, options: _Options) -> LoadedText:
    from bs4 import BeautifulSoup

    from index.images import compose, read_pictures

    text, warnings = decode_text(data)
    soup = BeautifulSoup(text, "lxml")
    for tag in soup(["script", "style", "nav", "noscript", "iframe", "header", "footer", "form"]):
        tag.decompose()
    for tag in soup.find_all(_is_hidden):
        tag.decompose()
    body = soup.body or soup
    lines: list[str] = []
    try:  # every walk below recurses: a deeply nested page is refused, not a crash
        article = find_article(body)
        _drop_link_lists(article)
        pictures = _mark_pictures(soup, article, path, options.max_bytes)
        _html_lines(article, lines)
        title = _page_title(soup, article)
    except RecursionError:
        raise IngestError(str(path), "HTML 结构嵌套过深，无法读取") from None
    # Strip spaces but not tabs: a leading tab is an empty (merged) table cell.
    cleaned = [ln for ln in (ln.strip(" \u3000\xa0\r") for ln in lines) if ln.strip()]
    if title and not any(title in ln for ln in cleaned[:5]):
        cleaned.insert(0, title)
    if not pictures:
        return LoadedText(text="\n".join(cleaned), warnings=warnings)
    texts, notes = read_pictures(pictures, options.limits, options.on_page)
    text, ocr = compose(_split_marks(cleaned, len(pictures)), texts)
    return LoadedText(text=text, warnings=warnings + notes, ocr=ocr)


# A picture's place in the article's lines while they are built: private-use characters that
# no report prints around the picture's number.
_PICTURE_MARK = re.compile(r"\ue000(\d+)\ue001")
_DATA_URI = re.compile(r"data:image/[\w.+-]+;base64,(.*)", re.S | re.I)


def _mark_pictures(soup, article, path: Path, max_bytes: int) -> list:
    """Replace each ``<img>`` of the article by a mark block; returns the pictures in order:
    a saved page's image file next to it (``页面_files/…``) or a data: URI, else the picture
    as missing. Images too small to hold a line of text (declared size) are dropped."""
    from index.images import MIN_SIDE_PX

    pictures = []
    for img in article.find_all("img"):
        if any(_declared_px(img.get(a)) < MIN_SIDE_PX for a in ("width", "height")):
            img.decompose()
            continue
        # Lazy-loading pages keep the real address in data-src and a placeholder in src.
        sources = [img.get(a) for a in ("data-src", "data-original", "src")]
        picture = _html_picture([s.strip() for s in sources if s and s.strip()], path, max_bytes)
        if picture is None:
            img.decompose()
            continue
        mark = soup.new_tag("p")
        mark.string = f"\ue000{len(pictures)}\ue001"
        img.replace_with(mark)
        pictures.append(picture)
    return pictures


def _declared_px(value) -> float:
    try:
        return float(str(value).strip().removesuffix("px"))
    except (TypeError, ValueError):
        return float("inf")  # not declared, or a percentage: unknown


def _html_picture(sources: list[str], path: Path, max_bytes: int):
    """The first of an image's sources at hand, else the image as missing (None: no source)."""
    import base64
    import binascii
    from urllib.parse import unquote, urlsplit

    from index.images import Picture

    folder = path.parent.resolve()
    for src in sources:
        if m := _DATA_URI.match(src):
            try:
                return Picture("data: URI", base64.b64decode(m.group(1), validate=False))
            except (binascii.Error, ValueError):
                continue
        parts = urlsplit(src.replace("\\", "/"))
        if parts.scheme not in ("", "file") or parts.netloc:
            continue  # on a server, not at hand
        try:
            candidate = (folder / unquote(parts.path)).resolve()
        except (OSError, ValueError):
            continue
        # Only files beside the page (its _files folder): a page may not read the machine.
        inside = candidate.is_relative_to(folder) and candidate.is_file()
        if inside and candidate.stat().st_size <= max_bytes:
            return Picture(unquote(parts.path), candidate.read_bytes())
    named = [s for s in sources if not s.startswith("data:")]
    return Picture(unquote(named[0]), None) if named else None


def _split_marks(lines: list[str], count: int) -> list[str | int]:
    """Lines with the picture marks taken out as picture numbers, in place."""
    parts: list[str | int] = []
    for line in lines:
        if "\ue000" not in line:
            parts.append(line)
            continue
        for i, piece in enumerate(_PICTURE_MARK.split(line)):
            if i % 2:
                if int(piece) < count:
                    parts.append(int(piece))
            elif piece.strip(" \t\u3000\xa0"):
                parts.append(piece.strip(" \u3000\xa0"))
    return parts


_HTML_BLOCKS = {
    "p", "div", "br", "li", "h1", "h2", "h3", "h4", "h5", "h6", "section", "article",
    "tr", "table", "ul", "ol", "dd", "dt", "blockquote", "pre", "title",
    "tbody", "thead", "tfoot", "td", "th",
}  # fmt: skip
_CJK_CHAR = r"[\u3400-\u9fff\uf900-\ufaff\u3000-\u303f\uff00-\uffef]"
# Source line breaks between Chinese characters are wraps in the HTML file, not spaces.
_CJK_WRAP = re.compile(rf"(?<={_CJK_CHAR})\s*\n\s*(?={_CJK_CHAR})")
_SPACES = re.compile(r"[ \t\n\r\f\v\xa0\u3000]+")
# Share of a block's text one child must hold for the article to be looked for inside it.
_ARTICLE_SHARE = 0.7


def _is_hidden(tag) -> bool:
    style = (tag.get("style") or "").replace(" ", "").lower() if tag.attrs else ""
    return "display:none" in style or "visibility:hidden" in style


def _text_weight(node) -> tuple[int, int]:
    """(characters of text outside links, characters inside links) under ``node``."""
    from bs4 import NavigableString

    own = links = 0
    for string in node.find_all(string=True):
        if type(string) is not NavigableString:
            continue  # comments, CDATA, doctype
        n = len(string.strip())
        if n and string.find_parent("a") is not None:
            links += n
        else:
            own += n
    return own, links


def find_article(body):
    """The block holding the article: descend while one child holds most of the text and
    all of the numbered section headings.

    Site chrome (navigation, breadcrumbs, footers, related links) is short or made of links,
    so the report's block carries most of the page's non-link text. A data table is never
    entered (it is part of the article); a layout table (one holding tables) may be.
    """
    from bs4 import Tag

    node = body
    for _ in range(60):  # bounded depth
        total = _text_weight(node)[0]
        children = [c for c in node.children if isinstance(c, Tag)]
        if not total or not children:
            break
        weights = [(_text_weight(c)[0], c) for c in children]
        weight, best = max(weights, key=lambda w: w[0])
        if weight < total * _ARTICLE_SHARE or not _may_enter(best):
            break
        if _section_marks(best) < _section_marks(node):
            break  # the child would lose some of the report's numbered sections
        node = best
    return node


_SECTION_MARK = re.compile(r"^\s*[一二三四五六七八九十]+、")


def _section_marks(node) -> int:
    """Text pieces opening a numbered section (一、二、…): the report's headings."""
    return sum(1 for s in node.find_all(string=_SECTION_MARK))


def _may_enter(tag) -> bool:
    if tag.name in ("table", "tbody", "thead", "tr", "td", "th"):
        table = tag if tag.name == "table" else tag.find_parent("table")
        return table is not None and table.find("table") is not None
    return tag.name not in ("p", "span", "a", "font", "b", "strong")


def _drop_link_lists(article) -> None:
    """Remove link lists inside the article block (share bars, related links, pagers)."""
    for tag in article.find_all(["ul", "ol", "div", "section", "dl"]):
        if tag.decomposed or tag.find("table") is not None:
            continue
        own, links = _text_weight(tag)
        if len(tag.find_all("a")) >= 3 and links > own:
            tag.decompose()


def _page_title(soup, article) -> str:
    """The report title when it sits outside the article block: the page's <title> without
    the site name after a separator, or a heading before the block that the <title> holds
    (a site logo heading is not the title)."""
    title = ""
    if soup.title and soup.title.string:
        full = _SPACES.sub(" ", soup.title.string).strip()
        title = re.split(r"\s*(?:_|\||｜| - | — )\s*", full)[0]
    heading = article.find_previous(["h1", "h2"])
    text = _SPACES.sub(" ", heading.get_text(" ", strip=True)) if heading is not None else ""
    if text and (not title or text in title):
        return text
    return title


def inline_text(text: str) -> str:
    """Collapse HTML whitespace; a source line break between Chinese characters vanishes."""
    return _SPACES.sub(" ", _CJK_WRAP.sub("", text))


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
            if type(child) is not NavigableString:
                continue  # comments (mso conditionals), doctype, CDATA
            buffer.append(inline_text(str(child)))
        elif isinstance(child, Tag):
            if child.name == "table" and child.find("table") is None:
                flush()
                lines.extend(_html_table_lines(child))
            elif child.name == "table":
                flush()  # a layout table: its cells are page blocks, not data
                _html_lines(child, lines)
            elif child.name in _HTML_BLOCKS:
                flush()
                _html_lines(child, lines)
            else:
                _html_lines_inline(child, buffer)
    flush()


def _html_lines_inline(tag, buffer: list[str]) -> None:
    from bs4 import NavigableString

    for string in tag.find_all(string=True):
        if type(string) is NavigableString:
            buffer.append(inline_text(str(string)))


def cell_text(cell) -> str:
    """A cell's label: its paragraphs and spans joined, no space between Chinese characters.

    Cells print one label in several ``<p>`` (``（三）`` + ``不予公开``, one character each);
    ``&nbsp;`` alone is an empty cell.
    """
    from bs4 import NavigableString, Tag

    parts: list[str] = []

    def walk(node) -> None:
        for child in node.children:
            if isinstance(child, NavigableString):
                if type(child) is NavigableString:
                    parts.append(str(child))
            elif isinstance(child, Tag):
                block = child.name in _HTML_BLOCKS
                if block:
                    parts.append("\n")
                walk(child)
                if block:
                    parts.append("\n")

    walk(cell)
    # Paragraph breaks and source wraps between Chinese characters vanish; a space typed in
    # the text (between two unit names, say) stays.
    return inline_text("".join(parts)).strip()


def _html_table_lines(table) -> list[str]:
    """Expand rowspan/colspan into a grid; spanned positions are blank, like merged cells.

    Each row keeps its own dict of taken columns, so the work is linear in the cells.
    """
    rows = [tr for tr in table.find_all("tr") if tr.find_parent("table") is table]
    grid: list[dict[int, str]] = [{} for _ in rows]
    for r, tr in enumerate(rows):
        c = 0
        taken = grid[r]
        for cell in tr.find_all(["td", "th"], recursive=False):
            while c in taken:
                c += 1
            text = cell_text(cell)
            rowspan = _span(cell.get("rowspan"), len(rows) - r)
            colspan = _span(cell.get("colspan"), _MAX_COLSPAN)
            for dr in range(rowspan):
                for dc in range(colspan):
                    grid[r + dr][c + dc] = text if (dr, dc) == (0, 0) else ""
            c += colspan
    return [
        "\t".join(row.get(c, "") for c in range(max(row) + 1)).replace("\n", " ")
        for row in grid
        if row
    ]


# Wider than any printed table; bounds the grid a hostile colspan could ask for.
_MAX_COLSPAN = 100


def _span(value, limit: int) -> int:
    try:
        return max(1, min(int(value), limit))
    except (TypeError, ValueError):
        return 1
