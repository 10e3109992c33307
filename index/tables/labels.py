"""Canonical labels of the annual-report statistical tables and tolerant label matching.

Labels come from the two official formats (国办公开办函〔2019〕60号 and 〔2021〕30号, see
table_formats.md). Printed labels are matched with any whitespace between characters (PDF
and HTML line breaks split them: 商业企 业, （四）无 / 法提供), an optional numbering prefix
（（一） / 一、 / 1. / 1、）, and interchangeable quote and list punctuation.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cache

ACTIVE = "主动公开"
APPLICATIONS = "依申请"
REVIEW = "复议诉讼"
TABLES = (ACTIVE, APPLICATIONS, REVIEW)

APPLICANT_COLUMNS = (
    "自然人",
    "商业企业",
    "科研机构",
    "社会公益组织",
    "法律服务机构",
    "其他",
    "总计",
)
REVIEW_RESULT_COLUMNS = ("结果维持", "结果纠正", "其他结果", "尚未审结", "总计")
REVIEW_ROWS = ("行政复议", "行政诉讼.未经复议直接起诉", "行政诉讼.复议后起诉")

MONEY_UNIT = "万元"
COUNT_UNIT = "件"
SIGNED_COLUMN = "本年增减"

# Between the characters of a label: whitespace or a Markdown cell's <br> line break.
_GAP = r"(?:\s|<br\s*/?>)*"
_QUOTES = "“”\"'‘’「」『』"
_LIST_PUNCT = "、，,；;"
NUMBERING = (
    r"(?:[（(]\s*[一二三四五六七八九十\d]{1,3}\s*[）)]"
    r"|[一二三四五六七八九十]{1,3}\s*[、.．]"
    r"|\d{1,2}\s*[、.．])"
)


@dataclass(frozen=True)
class RowLabel:
    """A table row: its canonical label and the printed variants that identify it."""

    canonical: str
    printed: tuple[str, ...]
    group: str = ""  # canonical group (不予公开 …) for sub-rows
    numbered: bool = False  # the bare label is too generic: require its numbering prefix
    note: str = ""  # trailing parenthetical printed in the template, optional in reports


def _sub(group: str, *labels: str, numbered: bool = False) -> list[RowLabel]:
    return [
        RowLabel(f"{group}.{label}", (label,), group=group, numbered=numbered) for label in labels
    ]


# 依申请 rows in printed order; 其他处理 sub-rows exist only in the 2021 format.
APPLICATION_HEAD_ROWS = (
    RowLabel("本年新收", ("本年新收政府信息公开申请数量",)),
    RowLabel("上年结转", ("上年结转政府信息公开申请数量",)),
    RowLabel("予以公开", ("予以公开",)),
    RowLabel("部分公开", ("部分公开",), note="区分处理的，只计这一情形，不计其他情形"),
)
GROUP_ROWS: dict[str, tuple[RowLabel, ...]] = {
    "不予公开": tuple(
        _sub("不予公开", "属于国家秘密")
        + [
            RowLabel(
                "不予公开.其他法律行政法规禁止公开",
                ("其他法律行政法规禁止公开",),
                group="不予公开",
            )
        ]
        + _sub(
            "不予公开",
            "危及“三安全一稳定”",
            "保护第三方合法权益",
            "属于三类内部事务信息",
            "属于四类过程性信息",
            "属于行政执法案卷",
            "属于行政查询事项",
        )
    ),
    "无法提供": tuple(
        _sub(
            "无法提供",
            "本机关不掌握相关政府信息",
            "没有现成信息需要另行制作",
            "补正后申请内容仍不明确",
        )
    ),
    "不予处理": tuple(
        _sub(
            "不予处理",
            "信访举报投诉类申请",
            "重复申请",
            "要求提供公开出版物",
            "无正当理由大量反复申请",
            "要求行政机关确认或重新出具已获取信息",
        )
    ),
    "其他处理": tuple(
        _sub(
            "其他处理",
            "申请人无正当理由逾期不补正、行政机关不再处理其政府信息公开申请",
            "申请人逾期未按收费通知要求缴纳费用、行政机关不再处理其政府信息公开申请",
        )
        + _sub("其他处理", "其他", numbered=True)
    ),
}
APPLICATION_TOTAL_ROWS = (
    RowLabel("总计", ("总计",)),
    RowLabel("结转下年度", ("结转下年度继续办理", "结转下年度")),
)


@dataclass(frozen=True)
class ColumnSet:
    """The columns of one block of table 二, recognised by keywords of its printed header."""

    columns: tuple[str, ...]
    keywords: tuple[str, ...]
    fmt: str  # "2019" | "2021"
    money: tuple[str, ...] = ()
    # What the columns mean makes certain, used only to choose among the splits of a
    # run-together row (a single printed reading is kept as printed):
    # (i, j) in ``at_least``: column i >= column j in every report;
    # (i, j) in ``zero_together``: column i is 0 exactly when column j is 0;
    # (i, j, k) in ``at_least_net``: column i >= column j - column k.
    at_least: tuple[tuple[int, int], ...] = ()
    zero_together: tuple[tuple[int, int], ...] = ()
    at_least_net: tuple[tuple[int, int, int], ...] = ()

    def consistent(self, values: list[float | None]) -> bool:
        """Whether a row's values (None = blank, not compared) obey the column constraints."""
        for i, j in self.at_least:
            a, b = values[i], values[j]
            if a is not None and b is not None and a < b:
                return False
        for i, j in self.zero_together:
            a, b = values[i], values[j]
            if a is not None and b is not None and (a == 0) != (b == 0):
                return False
        for i, j, k in self.at_least_net:
            a, b, c = values[i], values[j], values[k]
            if a is not None and b is not None and c is not None and a < b - c:
                return False
        return True


# Meaning constraints (sources: table_formats.md and the 〔2019〕60号 template's column names).
# - 2019 (一): 对外公开总数量 (all documents of the kind now published) includes the year's
#   本年新公开数量, so it is never smaller. Not 本年新制作数量: a document made this year may
#   be published later.
# - 2019 (九): no 采购项目 means no 采购总金额, and an amount needs at least one project.
# - 2021 (一): a document made this year is either still in force or among the year's 废止, so
#   现行有效件数 >= 本年制发件数 - 本年废止件数.
# Rejected, not certain: 2021 (一) 现行有效件数 >= 本年制发件数 (the dev report 平潭社会事业局
# 2023 prints 制发 2 / 废止 12 / 现行有效 0: the 废止 were older documents); 2019 (五)(六)(八)
# columns have no relation between 上一年项目数量, 本年增/减 and 处理决定数量.
_FIRST_2019 = ColumnSet(
    ("本年新制作数量", "本年新公开数量", "对外公开总数量"),
    ("本年新", "对外公开"),
    "2019",
    at_least=((2, 1),),
)
_FIRST_2021 = ColumnSet(
    ("本年制发件数", "本年废止件数", "现行有效件数"),
    ("制发", "废止", "现行有效"),
    "2021",
    at_least_net=((2, 0, 1),),
)
_DECISIONS_2019 = ColumnSet(
    ("上一年项目数量", SIGNED_COLUMN, "处理决定数量"), ("上一年", "增/减", "增减"), "2019"
)
_DECISIONS_2021 = ColumnSet(("本年处理决定数量",), ("本年处理决定",), "2021")
_FEES_2019 = ColumnSet(("上一年项目数量", SIGNED_COLUMN), ("上一年", "增/减", "增减"), "2019")
_FEES_2021 = ColumnSet(("本年收费金额",), ("收费金额",), "2021", money=("本年收费金额",))
_PURCHASE_2019 = ColumnSet(
    ("采购项目数量", "采购总金额"),
    ("采购项目", "采购总金额"),
    "2019",
    money=("采购总金额",),
    zero_together=((0, 1),),
)

# 主动公开 rows in printed order, each with the column sets its block may carry.
ACTIVE_ROWS: tuple[tuple[RowLabel, tuple[ColumnSet, ...]], ...] = (
    (RowLabel("规章", ("规章",)), (_FIRST_2019, _FIRST_2021)),
    (RowLabel("规范性文件", ("行政规范性文件", "规范性文件")), (_FIRST_2019, _FIRST_2021)),
    (RowLabel("行政许可", ("行政许可",)), (_DECISIONS_2019, _DECISIONS_2021)),
    (RowLabel("其他对外管理服务事项", ("其他对外管理服务事项",)), (_DECISIONS_2019,)),
    (RowLabel("行政处罚", ("行政处罚",)), (_DECISIONS_2019, _DECISIONS_2021)),
    (RowLabel("行政强制", ("行政强制",)), (_DECISIONS_2019, _DECISIONS_2021)),
    (RowLabel("行政事业性收费", ("行政事业性收费",)), (_FEES_2019, _FEES_2021)),
    (RowLabel("政府集中采购", ("政府集中采购",)), (_PURCHASE_2019,)),
)
ACTIVE_ROWS_2021 = ("规章", "规范性文件", "行政许可", "行政处罚", "行政强制", "行政事业性收费")

REVIEW_HEADER_WORDS = ("行政复议", "行政诉讼", "结果维持", "结果纠正", "尚未审结")


def squash(text: str) -> str:
    """``text`` without any whitespace, for comparing labels split by line breaks."""
    return re.sub(r"\s+|<br\s*/?>", "", text)


def spaced(label: str) -> str:
    """Regex for ``label`` allowing whitespace between characters and punctuation variants."""
    parts = []
    for ch in label:
        if ch in _QUOTES:
            parts.append(f"[{re.escape(_QUOTES)}]?")
        elif ch in _LIST_PUNCT:
            parts.append(f"[{re.escape(_LIST_PUNCT)}]?")
        elif ch in "（(":
            parts.append("[（(]")
        elif ch in "）)":
            parts.append("[）)]")
        elif ch == "/":
            parts.append("[/／]?")
        else:
            parts.append(re.escape(ch))
    return _GAP.join(parts)


# Long fixed labels are retyped by hand in many reports, and a few characters go missing
# (其他法律行政止公开 for 其他法律行政法规禁止公开). A label of at least LONG_LABEL characters
# also matches with one run of up to MAX_DROPPED characters left out inside it (its first and
# last two characters kept): the row order of the group still decides, and the review desk
# reports the typo.
LONG_LABEL = 10
MAX_DROPPED = 3


def with_dropped_run(label: str) -> tuple[str, ...]:
    """``label`` and, when it is long, its forms with one inner run of characters left out."""
    if len(label) < LONG_LABEL:
        return (label,)
    forms = [label]
    for size in range(1, MAX_DROPPED + 1):
        for at in range(2, len(label) - 2 - size + 1):
            forms.append(label[:at] + label[at + size :])
    return tuple(dict.fromkeys(forms))


@cache
def row_pattern(row: RowLabel) -> re.Pattern[str]:
    """Compiled pattern for a printed row label, numbering prefix included in the match."""
    printed = {form for p in row.printed for form in with_dropped_run(p)}
    body = "|".join(spaced(p) for p in sorted(printed, key=len, reverse=True))
    prefix = rf"{NUMBERING}\s*" if row.numbered else rf"(?:{NUMBERING}\s*)?"
    note = r"(?:\s*[（(][^（()）\d]{0,40}[）)])?" if row.note else ""
    # A label ends its cell: （六）其他处理 is not the row 3.其他. In flattened text the next
    # row's own numbering (二、…) may follow at once.
    after = r"(?!(?![一二三四五六七八九十]{1,3}\s*、)[\u3400-\u9fff])"
    return re.compile(rf"{prefix}(?:{body}){note}{after}")


@cache
def group_pattern(group: str) -> re.Pattern[str]:
    """Pattern for a group label such as （三）不予公开 (numbering required)."""
    return re.compile(rf"{NUMBERING}\s*{spaced(group)}")


def find_row(text: str, row: RowLabel, start: int, end: int) -> re.Match[str] | None:
    """The first printed occurrence of ``row`` in ``text[start:end]``."""
    return row_pattern(row).search(text, start, end)
