"""domain.kinds: every document kind of index.models has its names, read from the data file."""

import typing

from domain import kinds
from domain.vocab import read_rows, rows
from index.models import DocKind


def test_every_stored_kind_has_a_name():
    assert set(kinds.kinds()) == set(typing.get_args(DocKind))
    for kind in typing.get_args(DocKind):
        assert kinds.kind_name(kind) and kinds.short_name(kind)


def test_names_of_the_two_formats():
    assert kinds.kind_name(kinds.ANNUAL) == "年度报告"
    assert kinds.short_name(kinds.ANNUAL) == "年报"
    assert kinds.full_name(kinds.WORK_POINTS) == "政务公开工作要点"
    assert kinds.kind_name("unknown") == "unknown"


def test_only_kinds_with_a_format_are_filters():
    assert kinds.filter_choices() == [("年度报告", "annual_report"), ("工作要点", "work_points")]


def test_vocab_reader_skips_comments_and_strips_cells(tmp_path):
    path = tmp_path / "x.tsv"
    path.write_text("# kind\tname\tsource\n\nregion \t 区\tGB/T 2260\n", encoding="utf-8")
    assert read_rows(path) == (("region", "区", "GB/T 2260"),)


def test_each_kind_row_names_its_source():
    for row in rows("kinds"):
        assert len(row) == 6 and row[5], row


def test_the_date_each_kind_carries():
    assert kinds.date_name(kinds.WORK_POINTS) == "印发日期"
    assert kinds.date_name(kinds.ANNUAL) == "发布日期（落款日期）"
    assert kinds.date_name(kinds.OTHER) == "日期"


def test_the_kind_a_question_names():
    assert kinds.asked_kind("这份工作要点什么时候印发的") == kinds.WORK_POINTS
    assert kinds.asked_kind("关于印发要点的通知") == kinds.WORK_POINTS  # tried before 报告
    assert kinds.asked_kind("When was the Annual Report published?") == kinds.ANNUAL
    assert kinds.asked_kind("莱芜区收到多少申请") is None
