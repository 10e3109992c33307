"""Synonym lexicon: the words staff use (Chinese, English, mixed) → canonical Fact labels.

Canonical labels are those of DESIGN.md and of the table schema (domain/schema.py: tables
主动公开 / 依申请 / 复议诉讼, rows and columns as printed, sub-rows joined by "."); the phrases
are data (domain/vocab/question_terms.tsv, question_rates.tsv), each with its source. A few labels are *virtual*: they are sums of printed cells
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

from domain import schema as sc
from domain import stopwords
from domain.vocab import rows
from index.lexicon_terms import region_names
from index.tag import short_region
from index.vocab import entries, mapping

REGION_SUFFIXES = entries("admin_suffixes.tsv", "region")  # longest first

# Channels of 主动公开 (条例 第二十三条: 政府公报、政府网站或者其他互联网政务媒体 …): a prose
# figure's own sentence names its channel, so naming one does not ask for something else.
CHANNEL_WORDS = ("网站", "平台", "公报", "媒体", "门户")

ACTIVE, APPLICATIONS, REVIEW = sc.schema().tables
TEXT = "text"

# ── virtual labels: sums of printed cells (the schema's row and column groups) ─────────────
LITIGATION = next(iter(sc.groups(REVIEW)))  # 行政诉讼, printed over its two sub-rows
LITIGATION_DIRECT, LITIGATION_AFTER_REVIEW = (r.canonical for r in sc.groups(REVIEW)[LITIGATION])
ORGANISATIONS = next(c.group for c in sc.schema().columns if c.table == APPLICATIONS and c.group)
ORGANISATION_COLUMNS = sc.column_group(APPLICATIONS, ORGANISATIONS)
ALL_APPLICANTS = "各类申请人"  # every applicant column, side by side
APPLICANT_TYPES = sc.identity("applicants").right  # the columns 总计 sums
VIRTUAL_PARTS: dict[tuple[str, str], tuple[str, ...]] = {
    ("row", LITIGATION): (LITIGATION_DIRECT, LITIGATION_AFTER_REVIEW),
    ("col", ORGANISATIONS): ORGANISATION_COLUMNS,
}
GROUP_ROWS = tuple(sc.groups(APPLICATIONS))  # printed only as sub-rows

# Row → table (a row names its table unambiguously).
REVIEW_ROWS = (
    *(r.key for r in sc.rows(REVIEW) if not r.label.group),
    LITIGATION,
    LITIGATION_DIRECT,
    LITIGATION_AFTER_REVIEW,
)
REVIEW_COLS = sc.columns(REVIEW)
APPLICANT_COLS = (*sc.columns(APPLICATIONS), ORGANISATIONS)
ACTIVE_ROWS = tuple(r.key for r in sc.rows(ACTIVE))

# Alternative printed labels of one concept across the 2019 and 2021 formats, tried in order.
LABEL_ALTERNATIVES: dict[str, tuple[str, ...]] = sc.schema().alternatives

# Column read when a 主动公开 row is asked about without naming one.
ACTIVE_DEFAULT_COLS: dict[str, tuple[str, ...]] = {
    r.key: r.asked_columns for r in sc.rows(ACTIVE) if r.asked_columns
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


@lru_cache(maxsize=1)
def _question_terms() -> tuple[tuple[str, Term], ...]:
    """(phrase, Term) of vocab/question_terms.tsv, in file order."""
    return tuple(
        (phrase, Term(slot, value, "" if table == "-" else table))
        for slot, table, value, phrase, _source in rows("question_terms")
    )


# Figures stated only in prose (主动公开信息, 平均答复工作日数, 信息处理费), in file order.
TEXT_ROWS = tuple(dict.fromkeys(t.value for _, t in _question_terms() if t.table == TEXT))
_RATE_TARGETS = {
    phrase: Term(slot, value, table)
    for phrase, slot, table, value, _source in rows("question_rates")
}


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
    for phrase, term in _question_terms():
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
