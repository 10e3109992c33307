"""domain.numbers: figures as answers and the UI print them, Chinese year digits."""

from domain.numbers import (
    DISPLAY_PLACES,
    chinese_number,
    digits_to_int,
    format_cell,
    format_number,
)


def test_whole_numbers_print_without_decimals():
    assert format_number(12.0) == "12"
    assert format_number(-22.0) == "-22"
    assert format_number(3985758) == "3985758"


def test_answers_print_decimals_in_full_and_never_an_exponent():
    assert format_number(18618.37) == "18618.37"
    assert format_number(1.5e-5) == "0.000015"
    assert "e" not in format_number(123456789.125)


def test_the_ui_rounds_to_two_places():
    assert format_number(76.92307, DISPLAY_PLACES) == "76.92"
    assert format_number(0.5, DISPLAY_PLACES) == "0.5"


def test_a_missing_value_is_empty_text_and_a_blank_cell_says_so():
    assert format_number(None) == ""
    assert format_cell(None) == "空"
    assert format_cell(0.0) == "0"  # a printed 0 stays 0: only a blank cell is 空


def test_year_digits_in_every_zero_form():
    assert digits_to_int("二〇二〇") == 2020
    assert digits_to_int("二零一九") == 2019
    assert digits_to_int("二○二一") == 2021


def test_small_numerals():
    assert chinese_number("四十一") == 41
    assert chinese_number("十") == 10
    assert chinese_number("十五") == 15
    assert chinese_number("56") == 56
    assert chinese_number("第三") is None
    assert chinese_number("") is None
