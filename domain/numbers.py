"""Numbers as the answers write them, and the Chinese digits of years (二〇二〇)."""

from __future__ import annotations

# 〇/零/○ are all written for zero in years (二〇二〇, 二零二零, 二○二○); 两 counts as 二.
CHINESE_DIGITS = {"〇": 0, "零": 0, "○": 0, "一": 1, "二": 2, "两": 2, "三": 3, "四": 4,
                  "五": 5, "六": 6, "七": 7, "八": 8, "九": 9}  # fmt: skip
ANSWER_PLACES = 6  # answers print a figure in full (18618.37, never 1.8e+04)
DISPLAY_PLACES = 2  # tables and charts of the UI: 76.92, not 76.92307…


def format_number(value: float | None, places: int = ANSWER_PLACES) -> str:
    """A figure as staff write it: 12 for 12.0, at most ``places`` decimals, no exponent;
    '' for None."""
    if value is None:
        return ""
    if float(value).is_integer():
        return str(int(value))
    return format(round(value, places), "f").rstrip("0").rstrip(".")


def format_cell(value: float | None) -> str:
    """A cell's figure, or 空 for a cell printed empty."""
    return "空" if value is None else format_number(value)


def digits_to_int(digits: str) -> int:
    """二〇二〇 → 2020: Chinese digits read one by one (KeyError on any other character)."""
    return int("".join(str(CHINESE_DIGITS[c]) for c in digits))


def chinese_number(text: str) -> int | None:
    """Value of a small Chinese numeral (一 … 九十九) or a digit string; None if not one."""
    if text.isdigit():
        return int(text)
    if not text or any(c not in CHINESE_DIGITS and c != "十" for c in text):
        return None
    if "十" in text:
        tens, _, ones = text.partition("十")
        return (CHINESE_DIGITS[tens] if tens else 1) * 10 + (CHINESE_DIGITS[ones] if ones else 0)
    value = 0
    for c in text:
        value = value * 10 + CHINESE_DIGITS[c]
    return value
