"""Synonym lexicon: the words staff use (Chinese, English, mixed) → canonical Fact labels.

Canonical labels are those of DESIGN.md (tables 主动公开 / 依申请 / 复议诉讼, rows and columns as
printed, sub-rows joined by "."). A few labels are *virtual*: they are sums of printed cells
(行政诉讼 = 未经复议直接起诉 + 复议后起诉; 法人或其他组织 = the five organisation columns).

Regions and years are deliberately absent: they come from the store's documents
(see :func:`region_aliases`), so a newly ingested region is understood without code changes.
Phrases are matched longest first, so 复议后起诉 is never read as 复议, 其他结果 never as 其他.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from functools import lru_cache

from domain import stopwords
from index.lexicon_terms import region_names
from index.tag import short_region
from index.vocab import entries, mapping

REGION_SUFFIXES = entries("admin_suffixes.tsv", "region")  # longest first

# Channels of 主动公开 (条例 第二十三条: 政府公报、政府网站或者其他互联网政务媒体 …): a prose
# figure's own sentence names its channel, so naming one does not ask for something else.
CHANNEL_WORDS = ("网站", "平台", "公报", "媒体", "门户")

ACTIVE = "主动公开"
APPLICATIONS = "依申请"
REVIEW = "复议诉讼"
TEXT = "text"

# ── virtual labels: sums of printed cells ──────────────────────────────────────────────
LITIGATION = "行政诉讼"
LITIGATION_DIRECT = "行政诉讼.未经复议直接起诉"
LITIGATION_AFTER_REVIEW = "行政诉讼.复议后起诉"
ORGANISATIONS = "法人或其他组织"
ORGANISATION_COLUMNS = ("商业企业", "科研机构", "社会公益组织", "法律服务机构", "其他")
ALL_APPLICANTS = "各类申请人"  # every applicant column, side by side
APPLICANT_TYPES = ("自然人", *ORGANISATION_COLUMNS)
VIRTUAL_PARTS: dict[tuple[str, str], tuple[str, ...]] = {
    ("row", LITIGATION): (LITIGATION_DIRECT, LITIGATION_AFTER_REVIEW),
    ("col", ORGANISATIONS): ORGANISATION_COLUMNS,
}
TEXT_ROWS = ("主动公开信息", "平均答复工作日数", "信息处理费")  # figures stated only in prose
GROUP_ROWS = ("不予公开", "无法提供", "不予处理", "其他处理")  # printed only as sub-rows

# Row → table (a row names its table unambiguously).
REVIEW_ROWS = ("行政复议", LITIGATION, LITIGATION_DIRECT, LITIGATION_AFTER_REVIEW)
REVIEW_COLS = ("结果维持", "结果纠正", "其他结果", "尚未审结", "总计")
APPLICANT_COLS = ("自然人", *ORGANISATION_COLUMNS, "总计", ORGANISATIONS)
ACTIVE_ROWS = (
    "规章", "规范性文件", "行政许可", "其他对外管理服务事项", "行政处罚", "行政强制",
    "行政事业性收费", "政府集中采购",
)  # fmt: skip

# Alternative printed labels of one concept across the 2019 and 2021 formats, tried in order.
LABEL_ALTERNATIVES: dict[str, tuple[str, ...]] = {
    "规范性文件": ("规范性文件", "行政规范性文件"),
    "处理决定数量": ("处理决定数量", "本年处理决定数量"),
    "收费金额": ("本年收费金额",),
    "金额": ("采购总金额", "本年收费金额"),
    "项目数量": ("采购项目数量", "上一年项目数量"),
}

# Column read when a 主动公开 row is asked about without naming one.
ACTIVE_DEFAULT_COLS: dict[str, tuple[str, ...]] = {
    "行政许可": ("处理决定数量", "本年处理决定数量"),
    "其他对外管理服务事项": ("处理决定数量",),
    "行政处罚": ("处理决定数量", "本年处理决定数量"),
    "行政强制": ("处理决定数量", "本年处理决定数量"),
    "行政事业性收费": ("本年收费金额",),
}


@dataclass(frozen=True)
class Term:
    """What a phrase means: a slot (table, row, col, measure, cue) and its canonical value."""

    slot: str
    value: str
    table: str = ""  # the table a row/col belongs to ("" when shared)


@dataclass(frozen=True)
class Mention:
    """A phrase found in a question."""

    term: Term
    start: int
    end: int
    text: str


def _terms(slot: str, table: str, mapping: dict[str, tuple[str, ...]]) -> dict[str, Term]:
    return {p: Term(slot, value, table) for value, phrases in mapping.items() for p in phrases}


_REVIEW_ROW_PHRASES = {
    "行政复议": ("行政复议", "复议", "administrative review", "reconsideration", "review"),
    LITIGATION: (
        "行政诉讼", "诉讼", "起诉", "被诉", "被告", "官司", "告上法院", "litigation",
        "lawsuit", "lawsuits",
        "sued", "court case", "court cases",
    ),
    LITIGATION_DIRECT: (
        "未经复议直接起诉", "未经复议直接提起", "未经复议", "未经过复议", "没经过复议", "没有经过复议",
        "没经复议", "不经复议", "直接起诉", "直接提起诉讼",
        "directly sued", "direct lawsuit", "without review",
    ),
    LITIGATION_AFTER_REVIEW: ("复议后起诉", "复议后提起诉讼", "经复议后起诉", "after review"),
}  # fmt: skip
_REVIEW_COL_PHRASES = {
    "结果纠正": (
        "结果纠正", "纠正", "纠错", "被纠正", "被纠错", "撤销", "败诉", "corrected", "correction",
        "overturned", "reversed",
    ),
    "结果维持": ("结果维持", "维持", "upheld", "maintained", "affirmed", "sustained"),
    "其他结果": ("其他结果", "撤回", "终止", "other result", "other results", "other outcome"),
    "尚未审结": ("尚未审结", "未审结", "没有审结", "未结案", "审理中", "pending", "unresolved"),
}  # fmt: skip
_APPLICATION_ROW_PHRASES = {
    "本年新收": (
        "本年新收", "新收", "新提", "新提交", "新提出", "收到", "受理", "接收", "提交", "提出",
        "received", "receive",
        "new applications", "filed", "submitted",
    ),
    "上年结转": ("上年结转", "上一年结转", "上年度结转", "结转自上年", "carried over from last year"),
    "予以公开": ("予以公开", "全部公开", "同意公开", "granted", "fully disclosed", "disclosed in full"),
    "部分公开": ("部分公开", "partially disclosed", "partial disclosure", "partially"),
    "不予公开": ("不予公开", "不公开", "拒绝公开", "denied", "withheld", "not disclosed"),
    "不予公开.属于国家秘密": ("国家秘密", "state secret", "state secrets"),
    "不予公开.其他法律行政法规禁止公开": ("法律行政法规禁止公开", "法律法规禁止公开"),
    "不予公开.危及“三安全一稳定”": ("三安全一稳定",),
    "不予公开.保护第三方合法权益": ("第三方合法权益", "第三方", "third party", "third-party"),
    "不予公开.属于三类内部事务信息": ("内部事务信息", "内部事务", "internal affairs"),
    "不予公开.属于四类过程性信息": ("过程性信息", "过程性", "process information"),
    "不予公开.属于行政执法案卷": ("行政执法案卷", "执法案卷", "law enforcement files"),
    "不予公开.属于行政查询事项": ("行政查询事项", "行政查询", "查询事项"),
    "无法提供": ("无法提供", "不能提供", "unable to provide", "could not be provided", "cannot provide"),
    "无法提供.本机关不掌握相关政府信息": (
        "本机关不掌握", "不掌握相关政府信息", "不掌握", "信息不存在", "not held", "does not hold",
    ),
    "无法提供.没有现成信息需要另行制作": ("另行制作", "没有现成信息", "没有现成"),
    "无法提供.补正后申请内容仍不明确": ("补正后申请内容仍不明确", "仍不明确", "内容不明确"),
    "不予处理": ("不予处理", "不处理", "not processed"),
    "不予处理.信访举报投诉类申请": ("信访举报投诉", "信访", "举报", "投诉", "petition"),
    "不予处理.重复申请": ("重复申请", "repeated application", "repeated applications", "duplicate"),
    "不予处理.要求提供公开出版物": ("公开出版物", "出版物", "publications"),
    "不予处理.无正当理由大量反复申请": ("大量反复申请", "大量反复"),
    "不予处理.要求行政机关确认或重新出具已获取信息": ("重新出具", "确认或重新出具"),
    "其他处理": ("其他处理", "other handling", "otherwise handled", "other disposal"),
    "其他处理.申请人无正当理由逾期不补正、行政机关不再处理其政府信息公开申请": (
        "逾期不补正",
    ),
    "其他处理.申请人逾期未按收费通知要求缴纳费用、行政机关不再处理其政府信息公开申请": (
        "未按收费通知", "缴纳费用",
    ),
    # The 2021 format's third sub-row of （六）其他处理 is printed as just “3.其他”.
    "其他处理.其他": (
        "其他处理中“其他”", "其他处理中的“其他”", "其他处理中其他", "其他处理中的其他",
        "其他处理的“其他”", "其他处理下的其他",
    ),
    "总计": (
        "办理结果总计", "办理结果", "办结", "答复", "处理了", "办理了", "处理的申请", "办理的申请",
        "办理申请", "处理申请", "handled", "processed", "answered", "responded", "dealt with",
    ),
    "结转下年度": (
        "结转下年度", "结转到下年", "结转至下年", "转入下年", "结转下年", "下年度继续办理", "继续办理",
        "carried forward", "carried over to next year", "carried into next year",
    ),
}  # fmt: skip
_APPLICANT_COL_PHRASES = {
    "自然人": (
        "自然人", "个人", "公民", "老百姓", "群众", "市民", "居民", "individual", "individuals",
        "natural person", "citizens",
    ),
    "商业企业": ("商业企业", "企业", "公司", "business", "businesses", "companies", "enterprises"),
    "科研机构": ("科研机构", "研究机构", "research institution", "research institutions"),
    "社会公益组织": ("社会公益组织", "公益组织", "ngo", "ngos", "public welfare"),
    "法律服务机构": ("法律服务机构", "律师事务所", "律所", "律师", "law firm", "law firms", "legal service"),
    "其他": ("其他组织", "other organisations", "other organizations"),
    ORGANISATIONS: ("法人或其他组织", "法人和其他组织", "法人", "legal persons", "organisations", "organizations"),
    ALL_APPLICANTS: ("各类申请人", "申请人类型", "按申请人", "各类申请主体", "by applicant type", "by applicant"),
}  # fmt: skip
_ACTIVE_ROW_PHRASES = {
    "规章": ("规章", "regulations", "rules"),
    "规范性文件": ("行政规范性文件", "规范性文件", "normative documents", "normative document"),
    "行政许可": ("行政许可", "许可", "licensing", "licences", "licenses", "permits"),
    "其他对外管理服务事项": ("其他对外管理服务事项", "对外管理服务事项", "对外管理服务"),
    "行政处罚": ("行政处罚", "处罚", "penalties", "penalty"),
    "行政强制": ("行政强制", "强制", "coercive", "enforcement measures"),
    "行政事业性收费": ("行政事业性收费", "事业性收费", "收费", "fees", "fee"),
    "政府集中采购": ("政府集中采购", "集中采购", "采购", "procurement"),
}  # fmt: skip
_ACTIVE_COL_PHRASES = {
    "本年新制作数量": ("本年新制作数量", "新制作"),
    "本年新公开数量": ("本年新公开数量", "新公开"),
    "对外公开总数量": ("对外公开总数量", "对外公开总数", "公开总数"),
    "上一年项目数量": ("上一年项目数量", "上一年项目", "上年项目"),
    "本年增减": ("本年增减", "本年增/减", "增/减", "增减"),
    "处理决定数量": ("本年处理决定数量", "处理决定数量", "处理决定", "决定数量", "决定数", "decisions"),
    "采购项目数量": ("采购项目数量", "采购项目"),
    "项目数量": ("项目数量", "项目数"),
    "采购总金额": ("采购总金额", "采购金额"),
    "本年制发件数": ("本年制发件数", "制发", "issued"),
    "本年废止件数": ("本年废止件数", "废止", "repealed", "abolished"),
    "现行有效件数": ("现行有效件数", "现行有效", "in force"),
    "收费金额": ("本年收费金额", "收费金额"),
    "金额": ("总金额", "金额", "多少钱", "花了多少", "花费", "费用", "amount", "spent", "spend"),
}  # fmt: skip
_TEXT_ROW_PHRASES = {
    "主动公开信息": (
        "主动公开政府信息", "主动公开信息", "主动发布", "发布政府信息",
        "proactively disclosed", "proactively published",
    ),
    "平均答复工作日数": ("平均答复工作日", "平均答复", "答复工作日", "average response", "response time"),
    "信息处理费": ("信息处理费", "处理费", "processing fee", "processing fees"),
}  # fmt: skip
_TABLE_PHRASES = {
    APPLICATIONS: (
        "依申请公开", "依申请", "信息公开申请", "公开申请", "申请", "application", "applications",
        "需要办理的申请", "需办理的申请", "待办理的申请",  # to be handled: not the 总计 handled
    ),
    ACTIVE: ("主动公开", "proactive disclosure"),
    REVIEW: ("复议诉讼", "复议、诉讼", "复议和诉讼"),
}  # fmt: skip
_MEASURE_PHRASES = {
    "rate": (
        "纠错率", "纠正率", "被纠错率", "败诉率", "维持率", "correction rate", "upheld rate",
        "公开率",
    ),
    "share": (
        "占比", "比例", "比重", "百分比", "百分之几", "所占", "占多少", "占几成", "几成", "占总", "share",
        "proportion", "percentage", "percent", "%",
    ),
    "yoy": (
        "同比", "比上年", "较上年", "比去年", "较去年", "与上年相比", "比上一年", "较上一年",
        "增长", "增幅", "增加", "减少", "下降", "压缩", "缩短", "多了", "少了", "增了", "减了", "变化", "变动", "year-over-year", "year on year",
        "yoy", "increase", "decrease", "growth", "change",
    ),
    "sum": (
        "合计", "一共", "总共", "共计", "加起来", "之和", "总和", "总量", "共", "sum", "combined",
        "altogether", "in total", "add up",
    ),
    "compare": (
        "比较", "对比", "相比", "哪个多", "哪个更", "哪个地区", "哪一年", "哪年", "最多", "最少",
        "最高", "最低", "排名", "分别", "各地", "各年", "compare", "versus", " vs", "which",
        "respectively", "each", "分列", "明细", "breakdown",
    ),
}  # fmt: skip
_RATE_TARGETS = {
    "纠错率": Term("col", "结果纠正", REVIEW), "纠正率": Term("col", "结果纠正", REVIEW),
    "被纠错率": Term("col", "结果纠正", REVIEW), "败诉率": Term("col", "结果纠正", REVIEW),
    "correction rate": Term("col", "结果纠正", REVIEW), "维持率": Term("col", "结果维持", REVIEW),
    "upheld rate": Term("col", "结果维持", REVIEW), "公开率": Term("row", "予以公开", APPLICATIONS),
}  # fmt: skip


# Words of a numeric question that name no figure (domain/vocab/stopwords.tsv, use figure):
# any other content word left once the lexicon phrases, regions and years are taken out names
# something the statistical tables do not hold (区长信箱, 人大代表建议, 网上办理).
QUESTION_FILLER = frozenset(stopwords.words("figure"))
# Characters that make up the leftovers of a question once its phrases are taken out (数是, 各份).
FILLER_CHARS = frozenset(
    "的了是有在和与及各数等共都也把被将所个份件条项次几多少年度中里上下内外吗呢啊吧么去"
)


@lru_cache(maxsize=1)
def phrase_table() -> dict[str, Term]:
    """Every known phrase (normalised) → its Term."""
    table: dict[str, Term] = {}
    groups = (
        _terms("row", REVIEW, _REVIEW_ROW_PHRASES),
        _terms("col", REVIEW, _REVIEW_COL_PHRASES),
        _terms("row", APPLICATIONS, _APPLICATION_ROW_PHRASES),
        _terms("col", APPLICATIONS, _APPLICANT_COL_PHRASES),
        _terms("row", ACTIVE, _ACTIVE_ROW_PHRASES),
        _terms("col", ACTIVE, _ACTIVE_COL_PHRASES),
        _terms("row", TEXT, _TEXT_ROW_PHRASES),
        _terms("table", "", {t: p for t, p in _TABLE_PHRASES.items()}),
        _terms("measure", "", _MEASURE_PHRASES),
    )
    for group in groups:
        for phrase, term in group.items():
            table.setdefault(normalize(phrase), term)
    return table


@lru_cache(maxsize=8)
def table_labels(table: str | None) -> tuple[str, ...]:
    """Every canonical row/column label of ``table`` with its printed alternatives."""
    labels = {
        t.value for t in phrase_table().values() if t.table == table and t.slot in ("row", "col")
    }
    labels |= {alt for label in list(labels) for alt in LABEL_ALTERNATIVES.get(label, ())}
    return tuple(sorted(labels))


@lru_cache(maxsize=1)
def _phrase_regex() -> re.Pattern[str]:
    phrases = sorted(phrase_table(), key=len, reverse=True)
    parts = []
    for p in phrases:
        body = re.escape(p)
        if re.fullmatch(r"[a-z][a-z ]*", p.strip()):  # English: whole words, plural allowed
            body = rf"(?<![a-z]){body}s?(?![a-z])"
        parts.append(body)
    return re.compile("|".join(parts))


def normalize(text: str) -> str:
    """NFKC (full-width → half-width), lower case, 其它 → 其他; typographic quotes kept."""
    return unicodedata.normalize("NFKC", text).lower().replace("其它", "其他")


def find_terms(text: str) -> list[Mention]:
    """Lexicon phrases in ``text`` (already normalised), longest match first, no overlaps."""
    table = phrase_table()
    mentions = []
    for m in _phrase_regex().finditer(text):
        phrase = m.group(0) if m.group(0) in table else m.group(0)[:-1]  # English plural
        mentions.append(Mention(table[phrase], m.start(), m.end(), phrase))
    return mentions


def rate_target(phrase: str) -> Term | None:
    """The numerator a named rate implies (纠错率 → column 结果纠正), if any."""
    return _RATE_TARGETS.get(phrase)


# Measures the tables do not define: never answer them with a plain cell.
_UNSUPPORTED = re.compile(
    r"平均(?!答复)|人均|每月|每天|每日|每周|每季度|环比|几倍|多少倍|中位数|方差|预测|"
    r"\baverage\b|\bper (?:month|day|week|capita)\b|\bmedian\b|\btimes as\b|\bforecast"
)
_RATE_WORD = re.compile(r"[\u4e00-\u9fff]{1,4}率|[a-z]+ rate\b")


def unsupported_measure(text: str) -> str | None:
    """A measure the tables cannot give (平均, 环比, 答复率 …) named in ``text``, if any."""
    m = _UNSUPPORTED.search(text)
    if m:
        return m.group(0)
    for m in _RATE_WORD.finditer(text):
        if not any(known in m.group(0) for known in _RATE_TARGETS) and not any(
            cue in m.group(0) for cue in ("增长率", "增幅率", "比率", "百分率")
        ):
            return m.group(0)
    return None


_WHICH_MORE = re.compile(r"哪(?:个|一|些|里)?[\u4e00-\u9fff]{0,12}?(?:更多|更少|多|少|高|低)")


# Questions over a group of reports (the review desk's comparisons): every department of a
# region, a run of years, a ranking, only the non-zero ones. Words of staff asking about the
# 政务公开办's yearly collection of reports (issue "review desk": 各部门…排名, 哪些单位…不为0,
# 近三年…变化).
_GROUP_ISSUERS = re.compile(
    r"(?:区直|全区|全市|全县)?(?:各|所有|全部|哪些|哪个|哪几个)(?:委办局|部门|单位|局)"
)
_YEAR_SPAN = re.compile(
    r"近(?P<n>[一二两三四五六七八九十\d]{1,2}|几)年(?:来|间)?|这几年|历年|逐年|每年|各年度?|"
    r"(?:的)?(?:变化趋势|变化情况|变化|趋势)"
)
_RANK = re.compile(r"排名|排序|排行|从高到低|从多到少|由高到低|由多到少")
_NONZERO = re.compile(r"不(?:为|是|等于)\s*(?:0|零)|大于\s*(?:0|零)|非零")
_CN_SMALL = {"一": 1, "二": 2, "两": 2, "三": 3, "四": 4, "五": 5, "六": 6, "七": 7, "八": 8,
             "九": 9, "十": 10}  # fmt: skip


@dataclass(frozen=True)
class GroupAsk:
    """What a question asks of a group of reports, and the spans of the words that say so."""

    issuers: bool = False  # every department
    years: int | None = None  # the latest N years held; 0 = every year
    rank: bool = False
    nonzero: bool = False
    spans: tuple[tuple[int, int], ...] = ()


def group_ask(text: str) -> GroupAsk:
    """各部门 / 近三年 / 排名 / 不为0 in a (normalised) question."""
    spans: list[tuple[int, int]] = []
    issuers = _GROUP_ISSUERS.search(text)
    span = _YEAR_SPAN.search(text)
    rank = _RANK.search(text)
    nonzero = _NONZERO.search(text)
    for m in (issuers, span, rank, nonzero):
        if m:
            spans.append(m.span())
    years = None
    if span:
        n = span.groupdict().get("n")
        years = 0 if not n or n == "几" else int(n) if n.isdigit() else _CN_SMALL.get(n, 0)
        years = 3 if n == "几" else years
    return GroupAsk(bool(issuers), years, bool(rank), bool(nonzero), tuple(spans))


def asks_which_is_more(text: str) -> bool:
    """哪个区收到的申请多 / 哪一年更少: a comparison."""
    return bool(_WHICH_MORE.search(text))


def table_of_row(row: str) -> str:
    """The table a canonical row belongs to."""
    if row in REVIEW_ROWS:
        return REVIEW
    if row in ACTIVE_ROWS:
        return ACTIVE
    if row in TEXT_ROWS:
        return TEXT
    return APPLICATIONS


# ── units of work-point task tables: short and English names → printed names ──────────────
UNIT_ABBREVIATIONS = mapping("unit_names.tsv", "abbreviation")  # index/vocab/unit_names.tsv
UNIT_ENGLISH = mapping("unit_names.tsv", "english")

MONTHS_EN = {
    "january": 1, "february": 2, "march": 3, "april": 4, "may": 5, "june": 6, "july": 7,
    "august": 8, "september": 9, "october": 10, "november": 11, "december": 12,
    "jan": 1, "feb": 2, "mar": 3, "apr": 4, "jun": 6, "jul": 7, "aug": 8, "sep": 9, "sept": 9,
    "oct": 10, "nov": 11, "dec": 12,
}  # fmt: skip


# ── regions: aliases derived from the documents' own region names ─────────────────────────
def region_aliases(region: str) -> set[str]:
    """Names a user may use for ``region``: the names of :func:`region_names` and the pinyin of
    its bare name (济南市莱芜区 → 济南市莱芜区, 莱芜区, 莱芜, laiwu)."""
    names = region_names(region)
    short = short_region(region)
    for suffix in REGION_SUFFIXES:  # the bare name: 平潭综合实验区 → 平潭, 莱芜区 → 莱芜
        if short.endswith(suffix) and len(short) - len(suffix) >= 2:
            names = [*names, short[: -len(suffix)]]
            break
    aliases = {normalize(name) for name in names}
    for bare in names:
        if bare[-1] not in "省市区县旗州":  # the name without its level: 莱芜, 淮安
            aliases.update(pinyin_names(bare))
    return aliases


def pinyin_names(name: str) -> set[str]:
    """Romanised spellings of a Chinese place name (needs pypinyin; empty set without it)."""
    try:
        from pypinyin import lazy_pinyin
    except ImportError:  # optional: English region names are then not recognised
        return set()
    syllables = lazy_pinyin(name)
    if not all(s.isascii() and s.isalpha() for s in syllables):
        return set()
    joined = "".join(syllables)
    names = {joined, " ".join(syllables)}
    if len(syllables) == 2 and syllables[1][0] in "aeo":  # Huai'an
        names.add(f"{syllables[0]}'{syllables[1]}")
    return names


# ── English words of narrative questions → the Chinese words the documents print ──────────
# A term with alternatives is written "问题|不足": any of them in a passage counts as the term.
# English words missing here cannot match Chinese text and are left out of the question's terms.
ENGLISH_TERMS: dict[str, str] = {
    "problem": "问题|不足|差距", "problems": "问题|不足|差距", "shortcoming": "不足|问题",
    "shortcomings": "不足|问题", "weakness": "不足|问题", "weaknesses": "不足|问题",
    "improve": "改进|提升|加强", "improvement": "改进|提升", "improvements": "改进|提升",
    "measure": "措施|举措", "measures": "措施|举措", "plan": "计划|打算", "next step": "下一步",
    "fee": "费用|收费", "fees": "费用|收费", "charge": "收取|收费", "charged": "收取|收费",
    "request": "申请", "requests": "申请", "application": "申请", "applications": "申请",
    "concern": "涉及|集中", "concerned": "涉及|集中", "mainly": "主要",
    "gazette": "公报", "issue": "期", "issues": "期", "meeting": "会议", "meetings": "会议",
    "executive meeting": "常务会议", "executive meetings": "常务会议",
    "new-media": "新媒体", "new media": "新媒体", "account": "账号|帐号", "accounts": "账号|帐号",
    "operating": "运维|运营|开设", "operated": "运维|运营|开设", "website": "网站",
    "websites": "网站", "portal": "门户网站|网站", "training": "培训", "trained": "培训",
    "staff": "工作人员|人员", "policy interpretation": "政策解读", "interpretation": "解读",
    "public participation": "公众参与", "participation": "参与", "open day": "开放日",
    "hotline": "热线", "phone": "电话", "telephone": "电话", "email": "邮箱|电子邮件",
    "address": "地址", "contact": "联系", "press conference": "新闻发布会",
    "press conferences": "新闻发布会", "decision": "决策|决定", "decisions": "决策|决定",
    "major decisions": "重大行政决策", "budget": "预算", "final accounts": "决算",
    "standardization": "标准化", "grassroots": "基层", "supervision": "监督",
    "assessment": "考核|评估", "evaluation": "考核|评估", "ranking": "排名", "complaint": "投诉",
    "complaints": "投诉", "privacy": "隐私", "personal information": "个人信息",
    "epidemic": "疫情", "poverty": "脱贫|扶贫", "housing": "住房", "education": "教育",
    "health": "卫生|健康", "environment": "环境", "employment": "就业", "pension": "养老",
    "elderly": "养老", "social assistance": "社会救助", "tax": "税", "land": "土地|征地",
    "demolition": "拆迁", "compensation": "补偿", "regulation": "监管", "catalogue": "目录",
    "catalog": "目录", "list": "清单|目录", "lists": "清单|目录", "responded": "回应",
    "response": "回应|答复", "public opinion": "舆情", "hearing": "听证", "solicit": "征求|征集",
    "opinions": "意见", "consultation": "征求意见", "released": "发布", "published": "发布|公开",
    "disclosed": "公开", "disclose": "公开", "proactively": "主动",
}  # fmt: skip
_ENGLISH_TERM_RE = re.compile(
    r"(?<![a-z])(?:"
    + "|".join(re.escape(k) for k in sorted(ENGLISH_TERMS, key=len, reverse=True))
    + r")(?![a-z])"
)


def english_terms(text: str) -> list[str]:
    """The Chinese terms (with alternatives) of the English words in ``text`` (lower case)."""
    return list(dict.fromkeys(ENGLISH_TERMS[m.group(0)] for m in _ENGLISH_TERM_RE.finditer(text)))
