"""Clean loaded text: OCR garbage, web-page chrome, page numbers, spam, PDF line wraps.

The cleaned text is a concatenation of slices of the raw text (nothing is rewritten, only
dropped), so every cleaned offset maps back to an exact raw offset.
"""

from __future__ import annotations

import bisect
import re
import unicodedata
from dataclasses import dataclass, field

CJK = r"\u3400-\u9fff\uf900-\ufaff"
_CJK_RE = re.compile(f"[{CJK}]")
_ZERO_WIDTH = "\u200b\u200c\u200d\u2060\ufeff"
_IMAGE_MARKER = re.compile(r"\[image:[^\]]*\]")
_PAGE_NUMBER = re.compile(
    r"^\s*(?:[—\-－–~]+\s*\d{1,4}\s*[—\-－–~]+|第\s*\d{1,4}\s*页(?:\s*[/，,]?\s*共\s*\d{1,4}\s*页)?|\d{1,4}\s*/\s*\d{1,4})\s*$"
)
_CHROME_TOKENS = [
    "无障碍阅读", "关怀版", "返回首页", "扫码使用手机浏览本页内容", "打印整页", "打印内容",
    "打印本页", "关闭窗口", "【打印】", "【关闭】", "【大】", "【中】", "【小】", "收藏本页",
    "字号", "分享到", "分享", "大 中 小", "大中小", "微信", "微博", "打印", "关闭",
    "：", ":", "|",
]  # fmt: skip
_CHROME_RE = re.compile(
    "|".join(re.escape(t) for t in sorted(_CHROME_TOKENS, key=len, reverse=True))
)
# Site chrome inside a line (crawlers flatten a whole page onto one line), removed as spans.
# Breadcrumb: "当前位置：首页 > 政务公开 > 年报", or one token when the crawler lost the
# separators ("当前位置： 首页政务公开政府信息公开年报").
_BREADCRUMB = re.compile(
    r"(?:当前位置|您当前的位置|您现在的位置|您所在的位置|当前页面)\s*[:：]\s*"
    r"[^\s>＞»›/]+(?:\s*[>＞»›/]+\s*[^\s>＞»›/]+)*"
    r"|^\s*(?:网站)?首页(?:\s*[>＞»›]+\s*[^\s>＞»›]+)+"
)
# "扫一扫在手机打开当前页", "手机扫一扫": a QR-code caption line.
_SCAN_LINE = re.compile(r"^\s*(?:用?手机)?扫一扫.{0,20}$")
# Toolbar labels of government CMS pages (share bars, print/close buttons, version switches,
# font size, download and related-link captions); a run of three or more of them is chrome.
_TOOLBAR_TOKENS = [
    "微信", "微博", "QQ空间", "QQ", "全真版", "文字版", "无障碍阅读", "关怀版", "长者模式",
    "文件下载", "附件下载", "相关链接", "相关文章", "相关信息", "打印本页", "打印", "关闭窗口",
    "关闭", "收藏", "分享到", "分享", "扫一扫", "手机扫一扫", "字体", "字号", "大", "中", "小",
    "【", "】", "[", "]", "返回顶部", "返回首页", "上一篇", "下一篇",
]  # fmt: skip
_TOOLBAR_TOKEN = "|".join(re.escape(t) for t in sorted(_TOOLBAR_TOKENS, key=len, reverse=True))
_TOOLBAR_RUN = re.compile(
    rf"(?<![\w])(?:{_TOOLBAR_TOKEN})(?:[\s|·/:：]*(?:{_TOOLBAR_TOKEN})){{2,}}[:：]?(?![\w])"
)
# Page metadata run ("来源： 时间：2021-01-27 08:33"): two or more label:value pairs in a row.
_META_PAIR = (
    r"(?:信息来源|来源|发布时间|时间|发布日期|日期|作者|浏览次数|点击数|访问量|阅读次数)\s*[:：]\s*"
    r"(?:\d{4}[-/.年]\d{1,2}[-/.月]\d{1,2}日?(?:\s+\d{1,2}:\d{2}(?::\d{2})?)?|\d+)?"
)
_META_RUN = re.compile(rf"{_META_PAIR}(?:\s*{_META_PAIR})+")
_COMMENT_RESIDUE = re.compile(r"<!--|-->")
# Footer lines: copyright, ICP licence, public-security filing, site id (every gov site prints them).
_FOOTER = re.compile(
    r"版权所有|copyright|©|ICP备|ICP证|公网安备|网站标识码|网站识别码", re.IGNORECASE
)
# Crawler metadata header ("标题: …", "发布时间: …" … then "==== 正文 ===="): key-value lines.
_HEADER_FIELD = re.compile(r"^\s*([\u4e00-\u9fff]{2,6})\s*[:：]\s*(.*)$")
_BODY_MARK = re.compile(r"^\s*[=\-]{3,}\s*正文\s*[=\-]{3,}\s*$")
# A line of no Chinese that is a number row, date, id, URL or e-mail is content, not noise.
_PLAIN_TOKEN = re.compile(r"^[\s\d.,%+\-/:()（）=~—·×|]*$|^[\w.\-/:%?=&#@]+$")  # | : Markdown rows
_SPAM_STRONG = (
    r"bet\s?365|[a-z]{0,12}\d{0,6}bet\d{1,6}|威廉希尔|博彩|赌场|赌博网|网上赌|百家乐|老虎机|六合彩|时时彩|"
    r"真人娱乐|娱乐城|体育投注|足球投注|投注网|威尼斯人|新?葡京|色情网|成人视频|裸聊|约炮|casino"
)
_SPAM_BRAND = (
    r"(?:澳门|皇冠|金沙|太阳城|永利|银河|亚洲)(?:娱乐|赌场|官网|网址|平台|国际官网|集团官网)"
)
_SPAM_TAIL = r"(?:亚洲|中国|国际|官方|官网|网址|网站|娱乐|平台|注册|登录|下载|app|APP){0,6}"
# Bounded runs starting at a token boundary: unbounded ``[A-Za-z0-9]*`` on both sides of the
# alternatives backtracked quadratically on long digit runs (3,000 digits took 38 s).
_SPAM_RE = re.compile(
    rf"(?:(?<![A-Za-z0-9])[A-Za-z0-9]{{0,24}}?(?:{_SPAM_STRONG})[A-Za-z0-9]{{0,24}}|{_SPAM_BRAND})"
    rf"{_SPAM_TAIL}[ \u3000]?",
    re.IGNORECASE,
)
# Domains outside China's namespace have no place in a Chinese government document.
_FOREIGN_DOMAIN_RE = re.compile(
    r"(?<![@＠\w.\-])(?:https?://)?(?:[a-z0-9-]+\.)+(?:com|net|vip|cc|top|xyz|bet|casino|club|win|info|biz|io|me|tv)\b(?!\.cn)[/\w.\-?=&]*",
    re.IGNORECASE,
)
# Instructions aimed at a language model have no place in a government document.
_INJECTION_RE = re.compile(
    r"忽略(?:掉)?(?:以上|上述|之前|前面|先前|所有|全部)[^。！？\n]{0,12}?(?:指令|指示|提示|要求|规则|设定)"
    r"|(?:ignore|disregard)\s*(?:all\s*)?(?:the\s*)?(?:previous|above|prior)\s*(?:instructions|prompts)"
    r"|(?:你现在是|从现在起你是|从现在开始你)|系统提示词|system\s+prompt",
    re.IGNORECASE,
)
_HEADING_START = re.compile(
    r"^\s*(?:[一二三四五六七八九十]+、|[（(][一二三四五六七八九十\d]+[)）]|\d+[、.．]|第[一二三四五六七八九十\d]+[章条项])"
)
_SENTENCE_END = "。！？；：!?;:"
_MID_SENTENCE = "，、“”《》（）()0123456789"


@dataclass
class CleanedText:
    """Cleaned text plus the segment map back to the raw text."""

    text: str
    segments: list[tuple[int, int, int]]  # (clean_start, raw_start, length)
    warnings: list[str] = field(default_factory=list)
    spam: list[tuple[int, int, str]] = field(default_factory=list)  # raw spans and matched text

    def to_raw(self, offset: int) -> int:
        """Map a cleaned offset to its raw offset (an end offset maps to the char after)."""
        if not self.segments:
            return 0
        starts = [s[0] for s in self.segments]
        i = max(0, bisect.bisect_right(starts, offset) - 1)
        clean_start, raw_start, length = self.segments[i]
        return raw_start + min(offset - clean_start, length)

    def from_raw(self, raw_offset: int) -> int:
        """Map a raw offset to the first cleaned offset at or after it."""
        for clean_start, raw_start, length in self.segments:
            if raw_offset < raw_start + length:
                return clean_start + max(0, raw_offset - raw_start)
        return len(self.text)


def cjk_ratio(s: str) -> float:
    chars = [c for c in s if not c.isspace()]
    if not chars:
        return 0.0
    return len(_CJK_RE.findall(s)) / len(chars)


def is_noise_line(line: str) -> bool:
    """OCR soup: a line with no Chinese that is not a number row, date, id or URL."""
    stripped = line.strip()
    if not stripped or _CJK_RE.search(stripped):
        return False
    return not _PLAIN_TOKEN.match(stripped)


def is_chrome_line(line: str) -> bool:
    """A web-page toolbar line (无障碍阅读 关怀版 返回首页, 字号:, 打印整页 …)."""
    if _SCAN_LINE.match(line):
        return True
    if not _CHROME_RE.search(line):
        return False
    rest = _CHROME_RE.sub("", line)
    return not rest.strip(" \t\u3000·/|【】[]")


def is_page_number(line: str) -> bool:
    return bool(_PAGE_NUMBER.match(line))


def _is_good_chinese(line: str) -> bool:
    """A line that ends an OCR noise block: real Chinese prose or a heading."""
    return len(_CJK_RE.findall(line)) >= 4 and cjk_ratio(line) >= 0.6


def find_spam(line: str) -> list[tuple[int, int]]:
    """Spans of injected spam (betting, porn, foreign site brands and domains) in a line."""
    spans = [m.span() for m in _SPAM_RE.finditer(line)]
    spans += [m.span() for m in _FOREIGN_DOMAIN_RE.finditer(line)]
    return _merge(spans)


def find_chrome(line: str) -> list[tuple[int, int]]:
    """Spans of site chrome inside a line: breadcrumbs, toolbar runs, metadata runs."""
    spans = [m.span() for m in _BREADCRUMB.finditer(line)]
    spans += [m.span() for m in _TOOLBAR_RUN.finditer(line)]
    spans += [m.span() for m in _META_RUN.finditer(line)]
    spans += [m.span() for m in _COMMENT_RESIDUE.finditer(line)]
    return _merge(spans)


def is_footer_line(line: str) -> bool:
    """A short site-footer line (copyright, ICP licence); never a table row."""
    return "\t" not in line and len(line) <= 300 and bool(_FOOTER.search(line))


def header_end(lines: list[str]) -> int:
    """Number of leading lines forming a crawler metadata header, 0 when there is none.

    The header is key-value lines up to a ``==== 正文 ====`` line within the first 30 lines.
    """
    for i, line in enumerate(lines[:30]):
        if _BODY_MARK.match(line):
            return i + 1 if i and _HEADER_FIELD.match(lines[0]) else 0
    return 0


def keep_header_line(line: str) -> bool:
    """Header lines the tagger can use: a key with a value, and the body mark itself."""
    if _BODY_MARK.match(line):
        return True
    field = _HEADER_FIELD.match(line)
    return bool(field and field.group(2).strip())


def folded(line: str) -> tuple[str, list[int]]:
    """``line`` in NFKC with spaces and zero-width characters dropped (忽 略 以 上, full-width
    ｉｇｎｏｒｅ), and for each folded character the offset of the character it came from."""
    out, where = [], []
    for i, ch in enumerate(line):
        if ch.isspace() or ch in _ZERO_WIDTH:
            continue
        for piece in unicodedata.normalize("NFKC", ch):
            out.append(piece)
            where.append(i)
    return "".join(out), where


def find_injection(line: str) -> list[tuple[int, int]]:
    """Spans of whole sentences that carry instructions for a language model, however they
    are spaced out or written (full-width, zero-width characters between the words)."""
    text, where = folded(line)
    spans = []
    for match in _INJECTION_RE.finditer(text):
        begin, finish = where[match.start()], where[match.end() - 1] + 1
        start = max(line.rfind(p, 0, begin) for p in "。！？!?") + 1
        ends = [i for i in (line.find(p, finish) for p in "。！？!?") if i >= 0]
        spans.append((start, min(ends) + 1 if ends else len(line)))
    return spans


def _merge(spans: list[tuple[int, int]]) -> list[tuple[int, int]]:
    merged: list[tuple[int, int]] = []
    for s, e in sorted(spans):
        if merged and s <= merged[-1][1]:
            merged[-1] = (merged[-1][0], max(e, merged[-1][1]))
        else:
            merged.append((s, e))
    return merged


def _is_blank(line: str) -> bool:
    # A tab-only line is an empty table cell, not a blank line.
    return "\t" not in line and not line.strip(" \u3000\r\xa0")


def clean_text(raw: str, join_wrapped_lines: bool = False) -> CleanedText:
    """Drop noise from ``raw`` and return the cleaned text with its map to the raw text."""
    kept: list[list[tuple[int, int]]] = []  # per kept line: raw slices (without newline)
    newline_at: list[int | None] = []  # raw offset of the line's newline, if any
    spam: list[tuple[int, int, str]] = []
    injections: list[str] = []
    in_noise = False
    offset = 0
    raw_lines = raw.split("\n")
    header = header_end(raw_lines)
    for number, line in enumerate(raw_lines):
        line_start, line_end = offset, offset + len(line)
        offset = line_end + 1
        nl = line_end if line_end < len(raw) else None
        if number < header:
            if keep_header_line(line):
                kept.append([(line_start, line_end)])
                newline_at.append(nl)
            continue
        marker = _IMAGE_MARKER.search(line)
        if marker:
            in_noise = True
            before = line[: marker.start()]
            if before.strip():
                kept.append([(line_start, line_start + len(before.rstrip()))])
                newline_at.append(nl)
            continue
        if in_noise:
            if not _is_good_chinese(line):
                continue
            in_noise = False
        if (
            is_page_number(line)
            or is_chrome_line(line)
            or is_noise_line(line)
            or is_footer_line(line)
        ):
            continue
        slices, cursor = [], 0
        injected = find_injection(line)
        injections.extend(line[s:e] for s, e in injected)
        chrome = find_chrome(line) if "\t" not in line else []
        for s, e in _merge(find_spam(line) + injected + chrome):
            if (s, e) not in injected and (s, e) not in chrome:
                spam.append((line_start + s, line_start + e, line[s:e]))
            if s > cursor:
                slices.append((line_start + cursor, line_start + s))
            cursor = e
        if cursor < len(line):
            slices.append((line_start + cursor, line_end))
        if not slices and line:
            continue  # the whole line was spam
        kept.append(slices)
        newline_at.append(nl)

    line_texts = ["".join(raw[s:e] for s, e in slices) for slices in kept]
    width = typical_line_width(line_texts) if join_wrapped_lines else 0
    pieces: list[tuple[int, int]] = []
    previous_blank = True  # drops leading blank lines too
    for i, slices in enumerate(kept):
        text = line_texts[i]
        blank = _is_blank(text)
        if blank and previous_blank:
            continue
        previous_blank = blank
        pieces.extend(slices if not blank else [])
        nl = newline_at[i]
        if nl is None:
            continue
        if join_wrapped_lines and i + 1 < len(kept) and is_wrapped(text, line_texts[i + 1], width):
            continue
        pieces.append((nl, nl + 1))

    out, segments, clean_pos = [], [], 0
    for s, e in pieces:
        if e <= s:
            continue
        if segments and segments[-1][1] + segments[-1][2] == s:
            cs, rs, ln = segments[-1]
            segments[-1] = (cs, rs, ln + e - s)
        else:
            segments.append((clean_pos, s, e - s))
        out.append(raw[s:e])
        clean_pos += e - s
    text = "".join(out)
    warnings = []
    if spam:
        first = spam[0]
        words = sorted({w.strip() for _, _, w in spam})
        warnings.append(
            f"spam_injected: {'、'.join(words)} ×{len(spam)} (原文位置 {first[0]}-{first[1]} 起)"
        )
    if injections:
        warnings.append(
            f"prompt_injection: 已删除 {len(injections)} 句指令性文字（{injections[0][:30]}…）"
        )
    return CleanedText(text=text, segments=segments, warnings=warnings, spam=spam)


def typical_line_width(lines: list[str]) -> int:
    """The width of a full line of prose: the 80th percentile of Chinese line lengths."""
    lengths = sorted(len(ln.strip()) for ln in lines if cjk_ratio(ln) > 0.5)
    return lengths[int(len(lengths) * 0.8)] if lengths else 0


def is_wrapped(line: str, following: str, width: int) -> bool:
    """True when a PDF line break falls inside a sentence (join the two lines).

    Only a line that fills the page width can have wrapped; shorter lines are titles,
    table cells or paragraph ends.
    """
    body = line.rstrip()
    nxt = following.lstrip()
    if len(body.strip()) < max(15, width * 0.85) or not nxt or "\t" in line:
        return False
    if body[-1] in _SENTENCE_END or not (_CJK_RE.match(body[-1]) or body[-1] in _MID_SENTENCE):
        return False
    if _HEADING_START.match(nxt) or re.search(r"\d\s+\d", body[-12:]):
        return False
    if re.match(r"\d+(?:\.\d+)?\s+\d", nxt):  # a row of table numbers
        return False
    return bool(_CJK_RE.match(nxt[0]) or nxt[0] in _MID_SENTENCE or nxt[0].isdigit())
