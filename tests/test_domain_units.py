"""domain.units: the endings of 单位 names per use, in file order, as regex alternations."""

import re

import pytest

from domain.units import USES, ending_pattern, endings
from domain.vocab import rows


def test_longer_endings_come_before_the_endings_they_contain():
    task = endings("task_unit")
    assert task.index("街道办事处") < task.index("办事处")
    assert task.index("办公室") < task.index("办")


def test_a_pattern_matches_a_whole_unit_name():
    unit = re.compile(rf"[\u4e00-\u9fff（）()]{{2,20}}?{ending_pattern('task_unit')}")
    assert unit.fullmatch("区民政局") and unit.fullmatch("各镇（街道）")
    assert not unit.fullmatch("政务公开")
    assert re.search(ending_pattern("bureau"), "市公安局莱芜")


def test_every_row_has_a_use_and_a_source():
    for row in rows("unit_suffixes"):
        assert row[0] in USES and row[1] and row[2], row
    with pytest.raises(KeyError):
        endings("region")
