"""Numbers as Chinese documents write them: full-width digits and Chinese numerals.

``arabic_numbers(text)`` rewrites full-width digits (５６ → 56) and Chinese numerals that
state a quantity (九百件, 一千二百三十条, 两万余人, 十五个) as Arabic digits, so that figures
can be compared whatever way a passage or a model wrote them. List markers and ordinals
(一是, （二）, 第三, 一方面) are left alone: only a numeral followed by a measure word, or a
multi-character numeral with 十/百/千/万, is a quantity.
"""

from __future__ import annotations

import re

FULLWIDTH_DIGITS = str.maketrans("０１２３４５６７８９．，", "0123456789.,")
_DIGITS = {"零": 0, "〇": 0, "一": 1, "二": 2, "两": 2, "三": 3, "四": 4, "五": 5, "六": 6,
           "七": 7, "八": 8, "九": 9}  # fmt: skip
_UNITS = {"十": 10, "百": 100, "千": 1000}
# Measure words of counts in these documents (件 条 个 项 …) and money (元 万元).
MEASURE_WORDS = "件条个项次名人家场位期篇份天日元所批户"
_NUMERAL = re.compile(
    rf"(?<![第])[零〇一二两三四五六七八九十百千万]+(?=余?[{MEASURE_WORDS}])"
    # A bare numeral must start with a digit (千万/万一/百姓 are words, not numbers).
    r"|[一二两三四五六七八九][零〇一二两三四五六七八九十百千万]*[十百千万][零〇一二两三四五六七八九十百千万]*"
    r"|十[一二三四五六七八九]"
)


def chinese_to_int(numeral: str) -> int | None:
    """一千二百三十 → 1230, 十五 → 15, 两万 → 20000, 九百 → 900; None when not a number."""
    total, section, digit = 0, 0, None
    for ch in numeral:
        if ch in _DIGITS:
            digit = _DIGITS[ch]
        elif ch in _UNITS:
            section += (1 if digit is None else digit) * _UNITS[ch]
            digit = None
        elif ch == "万":
            total += (section + (digit or 0)) * 10000
            section, digit = 0, None
        else:
            return None
    return total + section + (digit or 0)


def arabic_numbers(text: str) -> str:
    """``text`` with full-width digits and quantity numerals written in Arabic digits."""
    text = text.translate(FULLWIDTH_DIGITS)

    def convert(match: re.Match[str]) -> str:
        numeral = match.group(0)
        value = chinese_to_int(numeral)
        return match.group(0) if value is None else str(value)

    return _NUMERAL.sub(convert, text)
