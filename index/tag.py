"""Tag a cleaned document: kind, region, year, issuer, 文号, publication date, table format, title.

Every tag comes from text the document prints; what cannot be read stays empty with a warning.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

_HEAD_CHARS = 2500  # tags are read from the head of the document (titles, 文号, preamble)
_ANNUAL_TITLE = re.compile(
    r"(\d{4})\s*年\s*(?:度\s*)?政\s*府\s*信\s*息\s*公\s*开\s*工\s*作\s*年\s*度\s*报\s*告"
)
_WORK_POINTS_TITLE = re.compile(
    r"(\d{4})\s*年\s*度?\s*[\u4e00-\u9fff\s]{0,16}?政\s*务\s*公\s*开\s*工\s*作\s*要\s*点"
)
_GOV = r"(?:人民政府办公室|人民政府办公厅|人民政府|政府办公室)"
_REGION_AT_LINE_START = re.compile(rf"^\s*([\u4e00-\u9fff]{{1,12}}?(?:省|市|区|县|旗|州))\s*{_GOV}")
_REGION_IN_TITLE = re.compile(rf"([\u4e00-\u9fff]{{2,12}}?(?:省|市|区|县|旗))\s*{_GOV}")
_ISSUER = re.compile(rf"^\s*((?:[\u4e00-\u9fff]{{1,12}}?(?:省|市|区|县|旗|州))\s*{_GOV})")
_DOC_NUMBER = re.compile(
    r"^\s*([\u4e00-\u9fff]{2,12}[〔\[［(（]\s*\d{4}\s*[〕\]］)）]\s*\d{1,4}\s*号)\s*$"
)
_DATE_LINE = re.compile(
    r"^\s*(\d{4})\s*(?:年|-|/|\.)\s*(\d{1,2})\s*(?:月|-|/|\.)\s*(\d{1,2})\s*日?\s*$"
)
_STAT_PERIOD = re.compile(r"统计期限[^。]{0,12}?(\d{4})\s*年\s*1\s*月\s*1\s*日")
_PREFIX_STOP = set("由与请在和向对的为及即将从按据是")
_FORMAT_2021_LABELS = ("本年制发件数", "本年废止件数", "现行有效件数", "本年收费金额")
_FORMAT_2019_LABELS = ("本年新制作数量", "上一年项目数量", "采购项目数量", "对外公开总数量")
_TABLE_SECTIONS = ("主动公开政府信息情况", "收到和处理政府信息公开申请情况")


@dataclass
class Tags:
    title: str = ""
    kind: str = "other"
    region: str = ""
    year: int | None = None
    issuer: str = ""
    doc_number: str = ""
    pub_date: str = ""
    table_format: str = ""
    warnings: list[str] = field(default_factory=list)


def squeeze(text: str) -> str:
    """Remove the spaces PDF extraction puts inside Chinese phrases (2022 年 → 2022年)."""
    return re.sub(r"\s+", "", text)


def tag_document(text: str) -> Tags:
    """Read the tags of a cleaned document from its own text."""
    head = text[:_HEAD_CHARS]
    lines = [ln.strip() for ln in head.split("\n") if ln.strip()]
    tags = Tags()
    tags.kind, tags.year, title_match = detect_kind_and_year(head)
    if tags.year is None and tags.kind == "annual_report":
        period = _STAT_PERIOD.search(squeeze(head))
        tags.year = int(period.group(1)) if period else None
    tags.region = detect_region(lines, head)
    tags.issuer = detect_issuer(lines, tags.region)
    tags.doc_number = detect_doc_number(lines)
    tags.pub_date = detect_pub_date(text)
    tags.title = detect_title(lines, tags, title_match)
    if tags.year is None:  # other documents: the year their own title names
        named = re.search(r"((?:19|20)\d{2})\s*年", tags.title)
        tags.year = int(named.group(1)) if named else None
    if tags.kind == "annual_report":
        tags.table_format = detect_table_format(text)
        if not tags.table_format and any(s in squeeze(text) for s in _TABLE_SECTIONS):
            tags.warnings.append("tables_missing: 统计表缺失（可能为图片），仅能使用正文中的数字")
    for name, value in (("region", tags.region), ("year", tags.year), ("issuer", tags.issuer)):
        if not value:
            tags.warnings.append(f"{name}_unknown")
    return tags


def detect_kind_and_year(head: str) -> tuple[str, int | None, str]:
    """Kind and reported year from the title; returns (kind, year, matched title text)."""
    annual = _ANNUAL_TITLE.search(head)
    points = _WORK_POINTS_TITLE.search(head)
    if annual and (not points or annual.start() <= points.start()):
        return "annual_report", int(annual.group(1)), annual.group(0)
    if points:
        return "work_points", int(points.group(1)), points.group(0)
    return "other", None, ""


def detect_region(lines: list[str], head: str) -> str:
    """The administrative region that issues the document, as fully as the text names it."""
    region = ""
    for line in lines[:12]:
        match = _REGION_AT_LINE_START.match(line) or _REGION_IN_TITLE.search(line)
        if match and "关于" not in match.group(1):
            region = squeeze(match.group(1))
            break
    if not region:
        return ""
    return extend_region(region, squeeze(head))


def extend_region(region: str, head: str) -> str:
    """Prefix the parent city when the text names it (洪泽区 → 淮安市洪泽区)."""
    if region.endswith(("省", "市")) and not region.endswith("区"):
        return region
    for match in re.finditer(r"([\u4e00-\u9fff]{2,3})(市)" + re.escape(region), head):
        city = match.group(1)
        if len(city) == 3 and city[0] in _PREFIX_STOP:
            city = city[1:]
        if city[0] not in _PREFIX_STOP:
            return city + "市" + region
    return region


def detect_issuer(lines: list[str], region: str) -> str:
    """The issuing body (e.g. 济南市莱芜区人民政府办公室), only if it names the region."""
    if not region:
        return ""
    short = short_region(region)
    for line in lines[:15]:
        match = _ISSUER.match(squeeze(line))
        if match and short in match.group(1):
            issuer = match.group(1)
            return (
                issuer
                if issuer.startswith(region)
                else region + issuer[issuer.index(short) + len(short) :]
            )
    return ""


def short_region(region: str) -> str:
    """The last administrative level: 济南市莱芜区 → 莱芜区, 江苏省淮安市 → 淮安市."""
    parts = re.findall(r"[\u4e00-\u9fff]+?(?:省|市|区|县|旗|州)", region)
    return parts[-1] if parts else region


def detect_doc_number(lines: list[str]) -> str:
    """The 文号 printed on a line of its own in the document head (莱芜政办发〔2022〕2号)."""
    for line in lines[:30]:
        match = _DOC_NUMBER.match(line)
        if match:
            number = squeeze(match.group(1))
            return re.sub(r"[\[［(（](\d{4})[\]］)）]", r"〔\1〕", number)
    return ""


def detect_pub_date(text: str) -> str:
    """The first date printed alone on a line (the notice date or the signature date)."""
    for line in text.split("\n"):
        match = _DATE_LINE.match(line)
        if match:
            year, month, day = (int(g) for g in match.groups())
            if 1990 <= year <= 2100 and 1 <= month <= 12 and 1 <= day <= 31:
                return f"{year:04d}-{month:02d}-{day:02d}"
    return ""


def detect_title(lines: list[str], tags: Tags, title_match: str) -> str:
    """A readable title: the notice's own title line, or issuer + the report title."""
    for line in lines[:20]:
        flat = squeeze(line)
        if "关于印发" in flat and flat.endswith("通知"):
            return flat
    if title_match:
        title = squeeze(title_match)
        prefix = tags.issuer or tags.region
        return prefix + title if prefix and prefix not in title else title
    for line in lines[:5]:
        if 4 <= len(line) <= 60:
            return squeeze(line)
    return ""


def detect_table_format(text: str) -> str:
    """Which official table format the report uses, by the column labels it prints."""
    flat = squeeze(text)
    if any(label in flat for label in _FORMAT_2021_LABELS):
        return "2021"
    if any(label in flat for label in _FORMAT_2019_LABELS):
        return "2019"
    return ""
