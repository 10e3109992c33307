"""Tag a cleaned document: title, kind, region, issuer, year, 文号, publication date, table format.

Every tag comes from text the document prints — the crawler header (``标题:`` ``发布时间:`` ``文号:``),
the title, the preamble, the signature line (issuer + date) — and what cannot be read stays
empty with a warning. Region and issuer are separate: 平潭综合实验区公安局 → region 平潭综合实验区,
issuer 公安局; 上海市人民政府办公厅 → 上海市, 办公厅. A report a region's government publishes about
itself names no department: its issuer is ``人民政府``/``办公厅``/``办公室`` as printed, or
``本级`` when the title names the region alone (平潭综合实验区2018年度…报告).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from index.vocab import entries

_HEAD_CHARS = 2500  # tags are read from the head of the document (titles, 文号, preamble)
_TAIL_CHARS = 400  # and the signature at its end
OWN_LEVEL = "本级"  # issuer of a region's own report whose title names no body

_CJK = r"\u4e00-\u9fff"
_REGION_SUFFIX = "|".join(entries("admin_suffixes.tsv", "region"))
_GOVERNMENT = entries("admin_suffixes.tsv", "government")
_ISSUER_SUFFIX = entries("admin_suffixes.tsv", "issuer")
_KIND_PHRASES = [
    (kind, phrase)
    for kind in ("annual_report", "work_points")
    for phrase in entries("kinds.tsv", kind)
]
# One or more division names (济南市莱芜区): a name of 2–8 characters then a division ending.
_REGION_CHAIN = re.compile(rf"(?:[{_CJK}]{{2,8}}?(?:{_REGION_SUFFIX}))+")
_HEADER_LINE = re.compile(
    r"^\s*(标题|发布时间|文号|发布机构|栏目|原文链接|本地目录)\s*[:：]\s*(.*)$"
)
_BODY_MARK = re.compile(r"^=+\s*正文\s*=+$")
_YEAR = re.compile(r"((?:19|20)\d{2})\s*年")
_DATE = r"(\d{4})\s*年\s*(\d{1,2})\s*月\s*(\d{1,2})\s*日"
_SIGNATURE = re.compile(rf"([{_CJK}（）()]{{2,40}})\s*{_DATE}")
_DOC_NUMBER = re.compile(
    r"^\s*([\u4e00-\u9fff]{2,12}[〔\[［(（]\s*\d{4}\s*[〕\]］)）]\s*\d{1,4}\s*号)\s*$"
)
_DOC_NUMBER_TOKEN = re.compile(
    r"(?:^|[\s\u3000])([\u4e00-\u9fff]{2,12}〔\s*\d{4}\s*〕\s*\d{1,4}\s*号)(?=[\s\u3000]|$)"
)
_DATE_LINE = re.compile(
    r"^\s*(\d{4})\s*(?:年|-|/|\.)\s*(\d{1,2})\s*(?:月|-|/|\.)\s*(\d{1,2})\s*日?\s*$"
)
_ISO_DATE = re.compile(r"(\d{4})-(\d{1,2})-(\d{1,2})")
_STAT_PERIOD = re.compile(r"统计期限[^。]{0,12}?(\d{4})\s*年\s*1\s*月\s*1\s*日")
_OVERVIEW_YEAR = re.compile(r"一、总体情况\s*(\d{4})\s*年")
_PREFIX_STOP = set("由与请在和向对的为及即将从按据是")
_FORMAT_2021_LABELS = ("本年制发件数", "本年废止件数", "现行有效件数", "本年收费金额")
_FORMAT_2019_LABELS = ("本年新制作数量", "上一年项目数量", "采购项目数量", "对外公开总数量")
# The section headings of the official report format (国办公开办函〔2019〕60号 / 〔2021〕30号):
# a document printing them is an annual report even when it prints no title.
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
    header, lines = split_header(head)
    tags = Tags()
    tags.title = header.get("标题") or find_title(lines)
    tags.title = squeeze(tags.title).lstrip("#")
    tags.kind = kind_of_title(tags.title) or kind_of_body(text)
    tags.year = report_year(tags, head)
    region, issuer = org_of_title(tags.title)
    signature = find_signature(text)
    if not region and signature:
        region, issuer = signature[0], signature[1]
    if not region:
        region, issuer = org_of_preamble(lines)
    tags.region = extend_region(region, squeeze(head)) if region else ""
    tags.issuer = issuer if tags.region else ""
    tags.doc_number = squeeze(header.get("文号", "")) or detect_doc_number(lines)
    tags.pub_date = (
        (signature[2] if signature else "") or detect_pub_date(text) or iso(header.get("发布时间"))
    )
    if not tags.title and tags.kind == "annual_report" and tags.year:
        body = "" if is_own_level(tags.issuer) else tags.issuer
        tags.title = f"{tags.region}{body}{tags.year}年政府信息公开工作年度报告"
    if tags.kind == "annual_report":
        tags.table_format = detect_table_format(text)
        if not tags.table_format and any(s in squeeze(text) for s in _TABLE_SECTIONS):
            tags.warnings.append("tables_missing: 统计表缺失（可能为图片），仅能使用正文中的数字")
    for name, value in (("region", tags.region), ("year", tags.year), ("issuer", tags.issuer)):
        if not value:
            tags.warnings.append(f"{name}_unknown")
    return tags


def split_header(head: str) -> tuple[dict[str, str], list[str]]:
    """The crawler header fields (up to ``==== 正文 ====``) and the remaining non-empty lines."""
    header: dict[str, str] = {}
    body: list[str] = []
    in_header = True  # until the body mark, or the first lines when there is no header
    for raw in head.split("\n"):
        line = raw.strip()
        if not line:
            continue
        match = _HEADER_LINE.match(line)
        if _BODY_MARK.match(line):
            in_header = False
        elif match and in_header:
            header.setdefault(match.group(1), match.group(2).strip())
        elif in_header and header and "详见" in line:
            continue  # the header's closing note (页面链接与图片详见 links.tsv)
        else:
            body.append(line)
            in_header = in_header and (bool(header) or len(body) <= 2)
    return header, body


def kind_phrase(text: str) -> tuple[str, re.Match[str]] | None:
    """The first kind phrase of ``text`` (spaces ignored) and where it is."""
    for kind, phrase in _KIND_PHRASES:
        match = re.search(r"\s*".join(phrase), text)
        if match:
            return kind, match
    return None


def find_title(lines: list[str]) -> str:
    """The title among the first lines: a notice's 关于…通知 line, or the line naming a kind
    (joined to the organisation line printed above it: 济南市莱芜区人民政府 / 2020年…报告)."""
    for line in lines[:20]:
        flat = squeeze(line)
        if "关于" in flat and flat.endswith("通知") and len(flat) <= 80:
            return flat
    for index, line in enumerate(lines[:6]):
        flat = squeeze(line).lstrip("#")
        if len(flat) > 60 or "。" in flat or not kind_phrase(flat):
            continue
        above = squeeze(lines[index - 1]).lstrip("#") if index else ""
        if above and _YEAR.match(flat) and split_org(above)[0] and len(above) <= 30:
            return above + flat
        return flat
    return ""


def kind_of_title(title: str) -> str:
    """The kind a title names. A notice (关于…的通知) has the kind of the dated document it
    印发 (关于印发2022年…工作要点的通知); one about reports in general (关于…年度报告有关事项的
    通知, 关于印发《…年度报告格式》的通知) is neither."""
    if "关于" in title:
        issued = title.split("关于", 1)[1]
        if "印发" not in issued:
            return "other"
        issued = issued.split("印发", 1)[1]
        found = kind_phrase(issued)
        return found[0] if found and _YEAR.search(issued[: found[1].start()]) else "other"
    found = kind_phrase(title)
    return found[0] if found else ""


def kind_of_body(text: str) -> str:
    """A report without a title still prints the official section headings."""
    flat = squeeze(text)
    return "annual_report" if all(s in flat for s in _TABLE_SECTIONS) else "other"


def report_year(tags: Tags, head: str) -> int | None:
    """The year reported on: the title's year, else the 统计期限, else the 总体情况's first year."""
    named = _YEAR.search(tags.title)
    if named:
        return int(named.group(1))
    if tags.kind != "annual_report":
        return None
    flat = squeeze(head)
    found = _STAT_PERIOD.search(flat) or _OVERVIEW_YEAR.search(flat)
    return int(found.group(1)) if found else None


def org_of_title(title: str) -> tuple[str, str]:
    """Region and issuer from the organisation that starts the title."""
    flat = squeeze(title)
    cut = [i for i in (flat.find("关于"), _first_year(flat)) if i > 0]
    return split_org(flat[: min(cut)]) if cut else ("", "")


def _first_year(flat: str) -> int:
    match = _YEAR.search(flat)
    return match.start() if match else -1


def split_org(org: str) -> tuple[str, str]:
    """区划 + 机构: 平潭综合实验区公安局 → (平潭综合实验区, 公安局); 上海市人民政府办公厅 →
    (上海市, 办公厅); 宿迁市 → (宿迁市, 本级). ('', '') when no division name leads."""
    org = squeeze(org)
    match = _REGION_CHAIN.match(org)
    if not match:
        return "", ""
    region, rest = match.group(0), org[match.end() :]
    if not rest:
        return region, OWN_LEVEL
    if rest.startswith("人民政府") and rest != "人民政府":
        rest = rest[len("人民政府") :]  # 人民政府办公厅 → 办公厅
    if rest in _GOVERNMENT or rest.endswith(_ISSUER_SUFFIX):
        return region, rest
    return "", ""


def is_own_level(issuer: str) -> bool:
    """Whether an issuer is the region's government itself (its report covers the region)."""
    return issuer == OWN_LEVEL or issuer in _GOVERNMENT


def find_signature(text: str) -> tuple[str, str, str] | None:
    """(region, issuer, ISO date) of the first 'organisation + date' signature in the text."""
    for match in _SIGNATURE.finditer(text):
        run = match.group(1)
        for start in range(len(run) - 1):  # the organisation is a suffix of the CJK run
            region, issuer = split_org(run[start:])
            if region and issuer != OWN_LEVEL:
                date = _iso_parts(*match.groups()[1:])
                if date:
                    return region, issuer, date
    return None


def org_of_preamble(lines: list[str]) -> tuple[str, str]:
    """An organisation printed alone at the start of a line (a 红头 or a title's first line)."""
    for line in lines[:12]:
        flat = squeeze(line)
        for end in range(min(len(flat), 30), 2, -1):
            region, issuer = split_org(flat[:end])
            if region and issuer != OWN_LEVEL and is_own_level(issuer):
                return region, issuer
    return "", ""


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


def short_region(region: str) -> str:
    """The last administrative level: 济南市莱芜区 → 莱芜区, 江苏省淮安市 → 淮安市."""
    parts = re.findall(rf"[{_CJK}]{{2,8}}?(?:{_REGION_SUFFIX})", region)
    return parts[-1] if parts else region


def detect_doc_number(lines: list[str]) -> str:
    """The 文号 printed on a line of its own in the document head (莱芜政办发〔2022〕2号), else
    one standing alone between spaces in it (crawler text runs the head into one line); a 文号
    cited inside brackets or a sentence (（国办公开办函〔2019〕60号）) is another document's."""
    for line in lines[:30]:
        match = _DOC_NUMBER.match(line) or _DOC_NUMBER_TOKEN.search(line[:600])
        if match:
            number = squeeze(match.group(1))
            return re.sub(r"[\[［(（](\d{4})[\]］)）]", r"〔\1〕", number)
    return ""


def detect_pub_date(text: str) -> str:
    """The first date printed alone on a line (the notice date or the signature date)."""
    for line in text.split("\n"):
        match = _DATE_LINE.match(line)
        if match:
            date = _iso_parts(*match.groups())
            if date:
                return date
    return ""


def iso(value: str | None) -> str:
    """An ISO date from a header value such as ``2023-01-05 10:14``."""
    match = _ISO_DATE.match(value or "")
    return _iso_parts(*match.groups()) if match else ""


def _iso_parts(year: str, month: str, day: str) -> str:
    y, m, d = int(year), int(month), int(day)
    return f"{y:04d}-{m:02d}-{d:02d}" if 1990 <= y <= 2100 and 1 <= m <= 12 and 1 <= d <= 31 else ""


def detect_table_format(text: str) -> str:
    """Which official table format the report uses, by the column labels it prints."""
    flat = squeeze(text)
    if any(label in flat for label in _FORMAT_2021_LABELS):
        return "2021"
    if any(label in flat for label in _FORMAT_2019_LABELS):
        return "2019"
    return ""
