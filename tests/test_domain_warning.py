"""domain.warning: ``code: detail`` strings parsed into Warning(code, detail) and back."""

from domain.warning import Warning


def test_code_and_detail_are_split_at_the_first_colon():
    w = Warning.parse("ambiguous_cells: 依申请/本年新收 (2 splits: 1:2)")
    assert w.code == "ambiguous_cells"
    assert w.detail == "依申请/本年新收 (2 splits: 1:2)"
    assert str(w) == "ambiguous_cells: 依申请/本年新收 (2 splits: 1:2)"


def test_a_bare_code_has_no_detail():
    w = Warning.parse(" tables_missing ")
    assert w == Warning("tables_missing") and str(w) == "tables_missing"


def test_a_chinese_colon_is_detail_not_a_separator():
    w = Warning.parse("济南市莱芜区2020年报告：spam_injected: bet365")
    assert w.code == "济南市莱芜区2020年报告：spam_injected" and w.detail == "bet365"
