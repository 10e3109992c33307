"""Understand a question: region(s), year(s), table/row/column slots, measure, task slots.

``understand(question, documents)`` is a pure function: regions are recognised from the
documents' own region names (never a fixed list), everything else from :mod:`assistant.lexicon`.
It never decides an answer; :mod:`assistant.tools` does that from the store's facts.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass, field
from functools import lru_cache

from assistant import lexicon as lx
from assistant.scope import distinct_regions, find_issuers, region_forms
from domain import stopwords
from domain.numbers import chinese_number, digits_to_int
from domain.quantity import asks_figure
from domain.schema import identity
from domain.units import ending_pattern
from index.models import Document

Measure = str  # "value" | "rate" | "share" | "yoy" | "sum" | "compare"


@dataclass
class Query:
    """What a question asks, in canonical labels.

    ``rows``/``cols`` may hold virtual labels (行政诉讼, 法人或其他组织) that the tools expand
    into sums of printed cells; empty lists mean "the table's default" (see assistant.tools).
    A named rate puts its numerator in ``cols`` (纠错率 → 结果纠正).
    """

    question: str
    regions: list[str] = field(default_factory=list)  # every printed form of each named region
    unknown_regions: list[str] = field(default_factory=list)
    issuers: list[str] = field(default_factory=list)  # departments named (公安局), as tagged
    years: list[int] = field(default_factory=list)
    table: str | None = None
    rows: list[str] = field(default_factory=list)
    cols: list[str] = field(default_factory=list)
    measure: Measure = "value"
    wants_percent: bool = False  # a change asked as a percentage (增长率, 增幅, %)
    is_numeric: bool = False
    is_task: bool = False
    unit: str | None = None  # task slots
    deadline: str | None = None  # "6月" | "年底" | "全年" | free text
    deadline_month: int | None = None
    number: int | None = None  # the first task number named; ``numbers`` holds them all
    numbers: list[int] = field(default_factory=list)
    keyword: str | None = None
    relative_year: str | None = None  # 去年 / this year: unknown without a reference date
    unsupported: str | None = None  # a measure the tables do not define (平均, 答复率 …)
    unexplained: list[str] = field(default_factory=list)  # content words no table label covers
    group: lx.GroupAsk = field(default_factory=lx.GroupAsk)  # 各部门 / 近三年 / 排名 / 不为0

    @property
    def row(self) -> str | None:
        return self.rows[0] if self.rows else None

    @property
    def col(self) -> str | None:
        return self.cols[0] if self.cols else None

    @property
    def year(self) -> int | None:
        return self.years[0] if self.years else None

    @property
    def region(self) -> str | None:
        return self.regions[0] if self.regions else None


# ── regions and years ────────────────────────────────────────────────────────────────────
_YEAR = re.compile(r"(?<![\d.])((?:19|20)\d{2})(?![\d.])(?:\s*年度?)?")
_YEAR_RANGE = re.compile(
    r"(?<!\d)((?:19|20)\d{2})\s*年?\s*(?:-|~|—|–|至|到|to)\s*((?:19|20)\d{2})(?!\d)"
)
_CN_YEAR = re.compile(r"([〇零一二三四五六七八九]{4})\s*年")
# 19年 / 23年度 as staff write them; not 近10年, 30年来, 第2年
_SHORT_YEAR = re.compile(r"(?<![\d.第近这过去前后多几每满])(\d{2})\s*年(?![来内间以代后前])")
_REGION_SUFFIX = ("省", "市", "区", "县", "州", "旗")
_NOT_PLACE_ENDINGS = (
    "小区", "社区", "开发区", "功能区", "示范区", "试验区", "保护区", "片区", "街区", "景区", "棚户区",
)  # fmt: skip
_NOT_PLACE_WORDS = {
    "城区",
    "市区",
    "都市",
    "城市",
    "辖区",
    "新区",
    "库区",
    "矿区",
    "山区",
    "灾区",
    "园区",
}
_NOT_PLACE_FIRST = set("全本我该各每此这那其他贵")
_ENGLISH_PLACE = re.compile(
    r"\b(?:in|for|of|did|does|at|from)\s+([A-Z][a-z]{3,}(?:'[a-z]+)?)\b|(?<=\w )([A-Z][a-z]{3,})'s\b"
)
_NOT_ENGLISH_PLACES = {
    "each", "which", "total", "these", "those", "full", "part", "both", "all", *lx.MONTHS_EN,
    # administrative words that follow a known region's name (Laiwu District, Huai'an City)
    "district", "county", "city", "province", "government", "region", "municipality",
}  # fmt: skip


@lru_cache(maxsize=16)
def _alias_index(regions: tuple[str, ...]) -> tuple[dict[str, set[str]], re.Pattern[str] | None]:
    """alias → regions, and one regex matching any alias (longest first)."""
    index: dict[str, set[str]] = {}
    for region in regions:
        for alias in lx.region_aliases(region):
            index.setdefault(alias, set()).add(region)
    if not index:
        return index, None
    parts = []
    for alias in sorted(index, key=len, reverse=True):
        body = re.escape(alias)
        parts.append(rf"(?<![a-z]){body}(?![a-z])" if alias.isascii() else body)
    return index, re.compile("|".join(parts))


def find_regions(
    text: str, documents: Sequence[Document], inside: Sequence[tuple[int, int]] = ()
) -> tuple[list[str], list[tuple[int, int]]]:
    """Known regions named in ``text`` (normalised) and the spans that named them. A region
    printed in several forms (济南市莱芜区, 莱芜区) is returned with all of them, longest first.
    A match within one of the ``inside`` spans (a department's name) is part of that name, not
    a place: 源和 in 人力资源和社会保障局."""
    held = tuple(sorted({d.region for d in documents if d.region}))
    index, pattern = _alias_index(held)
    regions: list[str] = []
    spans: list[tuple[int, int]] = []
    if pattern is None:
        return regions, spans
    for m in pattern.finditer(text):
        if any(s <= m.start() and m.end() <= e and e - s > m.end() - m.start() for s, e in inside):
            continue
        for region in sorted(index[m.group(0)]):
            for form in region_forms(region, held):
                if form not in regions:
                    regions.append(form)
        spans.append(m.span())
    return regions, spans


def find_years(text: str) -> tuple[list[int], list[tuple[int, int]]]:
    """Years named in ``text``: 2020, 2020年, 2019-2021 (expanded), 二〇二〇年."""
    years: list[int] = []
    spans: list[tuple[int, int]] = []
    for m in _YEAR_RANGE.finditer(text):
        first, last = int(m.group(1)), int(m.group(2))
        if first < last <= first + 10:
            years.extend(range(first, last + 1))
            spans.append(m.span())
    for m in _YEAR.finditer(text):
        if not any(s <= m.start() < e for s, e in spans):
            years.append(int(m.group(1)))
            spans.append(m.span())
    for m in _CN_YEAR.finditer(text):
        years.append(digits_to_int(m.group(1)))
        spans.append(m.span())
    for m in _SHORT_YEAR.finditer(text):
        if not any(s <= m.start() < e for s, e in spans) and 0 <= int(m.group(1)) <= 49:
            years.append(2000 + int(m.group(1)))
            spans.append(m.span())
    return list(dict.fromkeys(years)), spans


_YEAR_AFTER_REGION = re.compile(r"\s*(\d{2})(?![\d.])(?!\s*[个件项条次名人%％号日月期])")


def years_after_regions(
    text: str, region_spans: Sequence[tuple[int, int]], year_spans: Sequence[tuple[int, int]]
) -> list[tuple[int, tuple[int, int]]]:
    """Two-digit years written right after a region (莱芜22, 淮安24年报 is caught by find_years)."""
    found = []
    for _, end in region_spans:
        m = _YEAR_AFTER_REGION.match(text, end)
        if m and 0 <= int(m.group(1)) <= 49 and not any(s <= m.start(1) < e for s, e in year_spans):
            found.append((2000 + int(m.group(1)), m.span(1)))
    return found


def documents_of(
    documents: Sequence[Document], regions: Sequence[str], years: Sequence[int]
) -> list[Document]:
    """The documents of the given regions and years (all of them when none are given)."""
    return [
        d
        for d in documents
        if (not regions or d.region in regions) and (not years or d.year in years)
    ]


def find_unknown_places(text: str, known_spans: Sequence[tuple[int, int]]) -> list[str]:
    """Place names in ``text`` (NFKC, case kept) that are not regions of the corpus
    (历下区, 上海市, 北京, Shanghai). A place printed right before a known region is its
    parent (江苏省淮安市) and is ignored.
    """
    import jieba.posseg as pseg

    masked = _mask(text, known_spans, "\u3000")
    for term in _domain_terms_in(masked):  # 泉城码 is a service, not the place 泉城
        masked = masked.replace(term, " " * len(term))
    places, pos = [], 0
    for word, flag in pseg.cut(masked):
        start, pos = pos, pos + len(word)
        if start + len(word) < len(masked) and masked[start + len(word)] == "\u3000":
            continue  # a qualifier of the known region that follows
        if _looks_like_place(word, flag):
            places.append(word)
    for m in _ENGLISH_PLACE.finditer(masked):
        name = m.group(1) or m.group(2)
        if name.lower() not in _NOT_ENGLISH_PLACES and not lx.find_terms(name.lower()):
            places.append(name)
    return list(dict.fromkeys(places))


def _domain_terms_in(text: str) -> list[str]:
    from index.lexicon_terms import DOMAIN_TERMS

    return [t for t in DOMAIN_TERMS if len(t) >= 3 and t in text]


def _looks_like_place(word: str, flag: str) -> bool:
    if len(word) < 2 or not re.fullmatch(r"[\u4e00-\u9fff]+", word):
        return False
    if word[0] in _NOT_PLACE_FIRST or word in _NOT_PLACE_WORDS or word.endswith(_NOT_PLACE_ENDINGS):
        return False
    if flag == "ns" and not word.endswith(("流域", "地区")):
        return True
    return len(word) >= 3 and word.endswith(_REGION_SUFFIX)


def _mask(text: str, spans: Sequence[tuple[int, int]], fill: str = " ") -> str:
    chars = list(text)
    for start, end in spans:
        for i in range(start, end):
            chars[i] = fill
    return "".join(chars)


_RELATIVE_YEAR = re.compile(
    r"(?<![比较与同])(去年|今年|前年|明年)|(?<!than )\b(last year|this year)\b"
)


def find_relative_year(text: str) -> str | None:
    """A relative year (去年, this year) that is not part of a comparison (比去年)."""
    m = _RELATIVE_YEAR.search(text)
    return m.group(0) if m else None


# ── task slots ───────────────────────────────────────────────────────────────────────────
# A task question names the task table itself (任务, 责任单位, 分解表, task …), a task number, or
# a weak cue (负责, 参与, 要做什么 …) together with a unit or the work points as context: 负责
# alone also asks about staff (几人专门负责政务公开工作) and stays with the tables or retrieval.
_TASK_CUES = (
    "任务", "责任单位", "牵头", "完成时限", "时限要求", "截止时间", "截止日期", "前完成", "底前",
    "分解表", "具体要求", "哪个单位", "哪些单位", "哪个部门", "哪些部门", "谁负责", "谁来负责",
    "谁牵头", "谁承担", "task", "tasks", "deadline", "due by", "due in",
    "lead unit", "responsible unit", "which unit", "which department", "who is responsible",
)  # fmt: skip
_WEAK_TASK_CUES = (
    "负责", "承担", "参与", "参加", "配合", "干什么", "做什么", "干啥", "做啥", "干哪些", "做哪些",
    "要干", "要做", "职责", "什么时候完成", "啥时候完成", "何时完成", "多久完成", "时限",
    "responsible", "in charge", "involved", "take part", "participate",
    "need to do", "have to do", "supposed to do",
)  # fmt: skip
_WORK_POINTS_CONTEXT = ("工作要点", "要点", "work points", "work plan", "key points")
_NUMBER = re.compile(
    r"第\s*([0-9]{1,3}|[一二三四五六七八九十]{1,3})\s*(?:项|条|个)|(?:序号|编号)\s*(?:为|是)?\s*([0-9]{1,3})"
    r"|\b(?:task|item|no\.?|number)\s*#?\s*([0-9]{1,3})\b"
)
_UNIT_SUFFIX = ending_pattern("task_unit")  # domain/vocab/unit_suffixes.tsv
_UNIT_BODY = rf"[\u4e00-\u9fff（）()]{{2,20}}?{_UNIT_SUFFIX}"
_UNIT_ADVERB = r"(?:都|还|也|主要|具体|需要|应当|应该|要|共|一共|总共)*"
_UNIT_VERB = r"(?:牵头|负责|承担|配合|参与|参加|干|做)"
_UNIT_PATTERNS = (
    re.compile(rf"由\s*({_UNIT_BODY})\s*(?:牵头|负责|承担|落实|完成|配合)"),
    re.compile(rf"({_UNIT_BODY})\s*{_UNIT_ADVERB}\s*{_UNIT_VERB}"),
    re.compile(rf"责任单位\s*(?:是|为|包括|有|含|中有)?\s*({_UNIT_BODY})"),
    re.compile(rf"({_UNIT_BODY})\s*(?:的|有哪些|有什么|有几项|有多少项)\s*(?:任务|工作)"),
)
# a unit named without a verb (an English question quoting 区民政局; 区医保局呢): it must start
# with an administrative level, and stand as its own word or follow context it was cut from
_UNIT_NAMED = re.compile(rf"((?:区|县|镇|乡|街道|各)[\u4e00-\u9fff（）()]{{1,18}}?{_UNIT_SUFFIX})")
# words of the question's context that run into a unit name (工作要点中区税务局, 任务表里区司法局):
# the unit is what follows the last of them
_UNIT_CONTEXT = re.compile(
    r"任务分解表|分解表|任务表|任务|工作要点|要点|方面|当中|之中|中(?![心医学小央级])|里|的"
)
_UNIT_LEVEL = re.compile(r"(?:区|县)")
_BUREAU = re.compile(ending_pattern("bureau"))
_QUESTION_WORD = re.compile(r"哪|什么|谁|何|多少|几")
_UNIT_LEAD_NOISE = re.compile(
    r"^(?:哪些任务|哪几项任务|哪些工作|哪些|什么任务|任务|要求|需要|是|由|和|与|及|、)+"
)
_NOT_UNITS = {"有关部门", "相关部门", "哪个部门", "各部门", "部门"}
# what may follow a unit named on its own (区医保局呢？)
_BARE_REST = re.compile(r"[\s，,。？?！!、：:]*(?:呢|吗|的|呀|啊|怎么样|如何)?[\s。？?！!]*")
_DEADLINE_MONTH = re.compile(
    r"([0-9]{1,2}|[一二三四五六七八九十]{1,3})\s*月\s*(?:底|末|份|中旬|上旬|下旬|前|之前|以前|[0-9]{1,2}\s*日)?"
)
_DEADLINE_DAYS = re.compile(r"(?:印发后\s*)?\d{1,3}\s*(?:日|天|个工作日)内")
_DEADLINE_EN = re.compile(r"\b(?:end of|by|before|in|due)\s+(" + "|".join(lx.MONTHS_EN) + r")\b")
_KEYWORD_NOISE = stopwords.words("task")  # removed in this order: longest phrases first


def find_task_numbers(text: str) -> tuple[list[int], list[tuple[int, int]]]:
    """第41项 / 序号41 / task 41 → [41]; 第56项和第71项 → [56, 71]."""
    numbers, spans = [], []
    for m in _NUMBER.finditer(text):
        number = chinese_number(next(g for g in m.groups() if g))
        if number is not None and number not in numbers:
            numbers.append(number)
            spans.append(m.span())
    return numbers, spans


def find_unit(text: str) -> tuple[str | None, tuple[int, int] | None]:
    """The responsible unit a task question names (区民政局), abbreviations expanded."""
    for phrase, unit in lx.UNIT_ENGLISH.items():
        m = re.search(rf"\b{re.escape(phrase)}\b", text)
        if m:
            return unit, m.span()
    for pattern in (*_UNIT_PATTERNS, _UNIT_NAMED):
        for m in pattern.finditer(text):
            start, unit = trim_unit(m.group(1))
            if pattern is _UNIT_NAMED and start == 0 and not _unit_starts_here(text, m.start(1)):
                continue  # 小区改造信息公开办 … is not a unit named on its own
            if len(unit) >= 2 and not _QUESTION_WORD.search(unit) and unit not in _NOT_UNITS:
                return expand_unit(unit), (m.start(1) + start, m.end(1))
    return None, None


def trim_unit(candidate: str) -> tuple[int, str]:
    """(offset, unit) of a matched unit without the context that runs into it:
    工作要点中区税务局 → 区税务局; 政务公开方面区民政局 → 区民政局; 哪些任务由区财政局 → 区财政局."""
    start = 0
    for m in _UNIT_CONTEXT.finditer(candidate):
        if len(candidate) - m.end() >= 2:
            start = m.end()
    rest = candidate[start:]
    lead = _UNIT_LEAD_NOISE.match(rest)
    start += lead.end() if lead else 0
    rest = candidate[start:]
    level = _UNIT_LEVEL.search(rest)
    if level and _BUREAU.search(rest[: level.start()]):
        level = None  # 市公安局莱芜区分局: one name, a bureau's branch in a district
    if level and level.start() > 0 and len(rest) - level.start() >= 3:
        before = rest[: level.end()]
        if not before.endswith(_NOT_PLACE_ENDINGS) and before[-2:] not in _NOT_PLACE_WORDS:
            start += level.start()  # 政务公开区民政局 → 区民政局 (not 社区…, 城区…)
    return start, candidate[start:]


def _unit_starts_here(text: str, start: int) -> bool:
    """Can a unit name begin at ``start``: after a non-Chinese character (an English question,
    a masked region or year) or after context words (任务分解表中区民政局)?"""
    if start == 0 or not re.match(r"[\u4e00-\u9fff]", text[start - 1]):
        return True
    return bool(re.search(rf"(?:{_UNIT_CONTEXT.pattern})$", text[:start]))


def expand_unit(unit: str) -> str:
    """区住建局 → 区住房城乡建设局 (printed names of common abbreviations)."""
    for short, full in sorted(lx.UNIT_ABBREVIATIONS.items(), key=lambda kv: -len(kv[0])):
        if unit.endswith(short) and not unit.endswith(full):
            return unit[: -len(short)] + full
    return unit


_TASK_TABLE_WORDS = ("任务", "责任单位", "牵头", "完成时限", "分解表", "具体要求", "要点")


def asks_reports_by_group(text: str) -> bool:
    """哪些单位/各部门 + a table figure, with nothing of the task table: a review-desk
    question over the reports of several issuers, not a 任务分解表 question."""
    if any(word in text for word in _TASK_TABLE_WORDS) or not lx.group_ask(text).spans:
        return False
    return any(m.term.slot in ("row", "col") for m in lx.find_terms(text))


def is_task_question(
    text: str,
    numbers: Sequence[int],
    unit: str | None,
    unit_span: tuple[int, int] | None,
    work_points_only: bool = False,
) -> bool:
    """A task number or a task-table cue; a weak cue (负责, 参与, 要做什么, 啥时候完成) only with
    a unit, the work points named as context, or a region/year whose documents are all work
    points (莱芜22 … 那条啥时候完成); or a unit named and nothing else (区医保局呢？)."""
    if numbers or any(cue in text for cue in _TASK_CUES):
        return True
    if unit_span is not None and not text[: unit_span[0]].strip():
        named = text[unit_span[0] : unit_span[1]]
        if not named.isascii() and _BARE_REST.fullmatch(text[unit_span[1] :]):
            return True
    if not any(cue in text for cue in _WEAK_TASK_CUES):
        return False
    context = any(word in text for word in _WORK_POINTS_CONTEXT)
    return unit is not None or context or work_points_only


def find_deadline(text: str) -> tuple[str | None, int | None, tuple[int, int] | None]:
    """(deadline phrase, month, span): 6月底前 → ("6月", 6); 年底 → ("年底", 12); 全年."""
    m = _DEADLINE_MONTH.search(text)
    if m:
        month = chinese_number(m.group(1))
        if month and 1 <= month <= 12:
            return f"{month}月", month, m.span()
    m = _DEADLINE_EN.search(text)
    if m:
        month = lx.MONTHS_EN[m.group(1)]
        return f"{month}月", month, m.span()
    m = _DEADLINE_DAYS.search(text)
    if m:
        return re.sub(r"\s+", "", m.group(0)).replace("天", "日"), None, m.span()
    for phrase, month in (("年底", 12), ("年末", 12), ("end of the year", 12), ("year-end", 12)):
        i = text.find(phrase)
        if i >= 0:
            return "年底", month, (i, i + len(phrase))
    for phrase in ("全年", "长期坚持", "长期"):
        i = text.find(phrase)
        if i >= 0:
            return phrase, None, (i, i + len(phrase))
    return None, None, None


def task_keyword(text: str, spans: Sequence[tuple[int, int]]) -> str | None:
    """What is left of a task question once its cue words, unit, deadline, region, year go."""
    rest = _mask(text, spans)
    for noise in _KEYWORD_NOISE:
        rest = rest.replace(noise, " ")
    rest = re.sub(r"[\s，,。？?！!、；;：:“”\"'（）()《》\d]+", " ", rest).strip()
    words = [w for w in rest.split() if len(w) >= 2 and not w.isascii()]
    return " ".join(words) or None


# ── slots from lexicon terms ──────────────────────────────────────────────────────────────
_ROW_PRIORITY = {lx.TEXT: -1, lx.REVIEW: 0, lx.ACTIVE: 1, lx.APPLICATIONS: 2}
_COL_ONLY_ROW = {
    "采购项目数量": "政府集中采购",
    "采购总金额": "政府集中采购",
    "收费金额": "行政事业性收费",
}
_OUTCOME_ROWS = identity("outcomes").right  # the rows that add up to （七）总计
_PERCENT_CUES = ("率", "百分", "幅度", "增幅", "%", "percent", "percentage", "rate")


def table_slots(mentions: Sequence[lx.Mention]) -> tuple[str | None, list[str], list[str]]:
    """(table, rows, cols) from lexicon mentions; rows of the most specific table win."""
    rows = [m.term for m in mentions if m.term.slot == "row"]
    cols = [m.term for m in mentions if m.term.slot == "col"]
    for m in mentions:
        target = lx.rate_target(m.text) if m.term.slot == "measure" else None
        if target:
            (rows if target.slot == "row" else cols).append(target)
    table = None
    if rows:
        table = min((t.table for t in rows), key=_ROW_PRIORITY.__getitem__)
    elif cols:
        table = min((t.table for t in cols), key=_ROW_PRIORITY.__getitem__)
    else:
        named = [m.term.value for m in mentions if m.term.slot == "table"]
        table = named[0] if named else None
    row_values = list(dict.fromkeys(t.value for t in rows if t.table == table))
    col_values = list(dict.fromkeys(t.value for t in cols if t.table == table))
    if table == lx.ACTIVE and not row_values:
        row_values = list(dict.fromkeys(_COL_ONLY_ROW[c] for c in col_values if c in _COL_ONLY_ROW))
    if lx.ALL_APPLICANTS in col_values:
        col_values = list(lx.APPLICANT_TYPES)
    for group in (lx.LITIGATION, *lx.GROUP_ROWS):  # 诉讼 + 复议后起诉 → the sub-row is meant
        parts = lx.VIRTUAL_PARTS.get(("row", group), ())
        if parts and group in row_values and all(p in row_values for p in parts):
            # 行政诉讼（直接起诉和复议后起诉合计）: every part named with the group → the group
            row_values = [r for r in row_values if r not in parts]
        elif group in row_values and any(r.startswith(group + ".") for r in row_values):
            row_values.remove(group)
    return table, row_values, col_values


def unexplained_words(
    masked: str,
    mentions: Sequence[lx.Mention],
    places: Sequence[str],
    table: str | None = None,
    rows: Sequence[str] = (),
    cols: Sequence[str] = (),
) -> list[str]:
    """Chinese content words of a numeric question that no lexicon phrase, region, year,
    question filler or printed label of the table accounts for: 人大代表建议, 区长信箱 — things
    the tables do not count (四类 and 逾期 are words of the labels asked about)."""
    import jieba

    chars = list(masked)
    for m in mentions:
        chars[m.start : m.end] = " " * (m.end - m.start)
    rest = "".join(chars)
    for place in places:
        rest = rest.replace(place.lower(), " ")
    table_labels = lx.table_labels(table)
    named = [*rows, *cols]
    words = []
    for word in jieba.cut(rest, HMM=True):
        if not re.fullmatch(r"[\u4e00-\u9fff]{2,}", word) or word in lx.QUESTION_FILLER:
            continue
        if set(word) <= lx.FILLER_CHARS or any(word in label for label in table_labels):
            continue
        if any(_in_order(word, label) for label in named):  # 缴费 in 缴纳费用
            continue
        words.append(word)
    # English content words the glossary knows (open day, gazette) name things too, unless
    # their Chinese is a table word (requests → 申请)
    known = lx.phrase_table()
    for term in lx.english_terms(rest):
        alternatives = term.split("|")
        if not any(a in known or a in lx.QUESTION_FILLER for a in alternatives) and not any(
            a in label for a in alternatives for label in table_labels
        ):
            words.append(alternatives[0])
    return words


def _in_order(word: str, label: str) -> bool:
    """Are the word's characters in ``label``, in order (缴费 in 逾期未按收费通知要求缴纳费用)?"""
    pos = 0
    for ch in word:
        pos = label.find(ch, pos) + 1
        if not pos:
            return False
    return True


def choose_measure(measures: Sequence[str], items: int, regions: int, years: int) -> Measure:
    """The measure asked: a named rate/share/change beats sum/compare; sum and compare need
    several items unless compare asks across the corpus (哪个地区最多)."""
    for measure in ("rate", "share", "yoy"):
        if measure in measures:
            return measure
    several = items > 1 or regions > 1 or years > 1
    if "compare" in measures:
        return "compare"
    if "sum" in measures and several:
        return "sum"
    return "compare" if several else "value"


_COUNTS_ITEMS = re.compile(r"(?:多少|几|\d+)\s*条")


def asks_published_items(query: Query, masked: str) -> bool:
    """主动公开了多少条(政府信息): the statistical table counts 件 of named kinds (规章,
    规范性文件 …); a count of 条 of information, qualified at most by the channel, is the
    prose figure (主动公开政府信息X条). 财政类信息多少条 names a kind no figure covers."""
    if query.table != lx.ACTIVE or query.rows or not _COUNTS_ITEMS.search(masked):
        return False
    return all(any(c in word for c in lx.CHANNEL_WORDS) for word in query.unexplained)


def understand(question: str, documents: Sequence[Document]) -> Query:
    """Read a question (Chinese, English or mixed) into a :class:`Query`."""
    # case kept for English place names; 其它 is the variant spelling of 其他
    cased = unicodedata.normalize("NFKC", question).replace("其它", "其他")
    text = cased.lower()
    if len(text) != len(cased):  # a rare character whose lower case is longer: give up case
        cased = text
    query = Query(question=question)
    query.issuers, issuer_spans = find_issuers(text, documents)
    query.regions, region_spans = find_regions(text, documents, issuer_spans)
    query.years, year_spans = find_years(text)
    for year, span in years_after_regions(text, region_spans, year_spans):  # 莱芜22, hongze 24
        query.years.append(year)
        year_spans.append(span)
    known = [*region_spans, *year_spans]
    masked = _mask(text, known)
    query.unknown_regions = [  # 济南市 beside 莱芜区 is the parent city, not another region
        p
        for p in find_unknown_places(_mask(cased, year_spans), [*region_spans, *issuer_spans])
        if not any(p in region for region in query.regions)
    ]

    numbers, number_spans = find_task_numbers(masked)
    unit, unit_span = find_unit(masked)
    named, named_span = find_unit(_mask(text, year_spans))
    if named_span and any(named_span[0] < a and b <= named_span[1] for a, b in region_spans):
        unit, unit_span = named, named_span  # 市公安局莱芜区分局: the region is part of the name
    scoped = (
        documents_of(documents, query.regions, query.years) if query.regions or query.years else []
    )
    kinds = {d.kind for d in scoped}  # work points and no annual report to compete with
    work_points_only = "work_points" in kinds and "annual_report" not in kinds
    query.is_task = is_task_question(masked, numbers, unit, unit_span, work_points_only)
    if query.is_task and asks_reports_by_group(masked):
        query.is_task = False  # 哪些单位的行政复议结果纠正不为0: a figure across the reports
    if query.is_task:
        query.numbers, query.number = numbers, (numbers[0] if numbers else None)
        query.unit = unit
        query.deadline, query.deadline_month, deadline_span = find_deadline(masked)
        spans = [s for s in (unit_span, deadline_span) if s] + number_spans + known
        query.keyword = task_keyword(text, spans)
        return query

    masked = _mask(masked, issuer_spans)  # 公安局 names a report here, not a table label
    query.group = lx.group_ask(masked)
    masked = _mask(masked, list(query.group.spans))
    mentions = lx.find_terms(masked)
    query.table, query.rows, query.cols = table_slots(mentions)
    measures = [m.term.value for m in mentions if m.term.slot == "measure"]
    # An outcome row named with 率 (予以公开率, 不予公开率) asks its share of （七）总计, which
    # the outcomes add up to (table_formats.md); other rows (答复率, 新收率) define no rate.
    row_rates = [
        m
        for m in mentions
        if m.term.slot == "row"
        and m.term.value.split(".")[0] in _OUTCOME_ROWS
        and masked[m.end : m.end + 1] == "率"
    ]
    measures += ["rate"] * bool(row_rates)
    if lx.asks_which_is_more(masked):
        measures.append("compare")
    items = max(len(query.rows), 1) * max(len(query.cols), 1)
    regions = len(distinct_regions(query.regions))  # 济南市莱芜区 and 莱芜区 are one region
    if query.group.rank or query.group.issuers or query.group.years is not None:
        measures.append("compare")  # a group of reports side by side
    query.measure = choose_measure(measures, items, regions, len(query.years))
    if query.group.years is not None and not query.years and query.measure == "yoy":
        query.measure = "compare"  # 近三年…变化: the figure of each year, side by side
    if query.measure == "share" and len(query.rows) == 1:
        # 不予公开的申请里，属于行政查询事项的占几成: the share is of the group named with it
        named = {m.term.value for m in mentions if m.term.slot == "row"}
        group = query.rows[0].split(".")[0]
        if group != query.rows[0] and group in named:
            query.rows.append(group)
    query.wants_percent = query.measure == "yoy" and any(c in masked for c in _PERCENT_CUES)
    query.relative_year = find_relative_year(masked) if not query.years else None
    query.unsupported = lx.unsupported_measure(masked)
    if query.unsupported and any(query.unsupported in m.text + "率" for m in row_rates):
        query.unsupported = None
    if query.table != lx.TEXT:  # a prose figure's own sentence says where (网站, 平台)
        query.unexplained = unexplained_words(
            masked, mentions, query.unknown_regions, query.table, query.rows, query.cols
        )
    if asks_published_items(query, masked):
        query.table, query.rows, query.unexplained = lx.TEXT, ["主动公开信息"], []
    asks_number = asks_figure(masked) or query.measure in ("rate", "share", "yoy")
    asks_number = asks_number or any(m in measures for m in ("compare", "sum"))
    asks_number = asks_number or query.group.nonzero
    # A counting column named as a noun phrase (行政许可决定数, 采购总金额) asks for its figure.
    asks_number = asks_number or any(
        m.term.slot == "col" and ("数" in m.text or "金额" in m.text) for m in mentions
    )
    query.is_numeric = bool(query.table) and (asks_number or query.table == lx.TEXT)
    return query
