"""Chinese and full-width numerals read as numbers, list markers and words left alone."""

from index.numerals import arabic_numbers, chinese_to_int


def test_quantities_in_chinese_numerals_become_digits():
    assert arabic_numbers("收到申请九百件") == "收到申请900件"
    assert arabic_numbers("共一千二百三十条") == "共1230条"
    assert arabic_numbers("全年共计二百零五件") == "全年共计205件"
    assert arabic_numbers("两万余人") == "20000余人"
    assert arabic_numbers("十五个工作日") == "15个工作日"
    assert arabic_numbers("５６件") == "56件"


def test_markers_ordinals_and_words_are_not_numbers():
    for text in (
        "一是加强",
        "（二）部分公开",
        "第三次会议",
        "一方面",
        "千万不要",
        "老百姓",
        "十分重要",
    ):
        assert arabic_numbers(text) == text


def test_chinese_to_int():
    assert [chinese_to_int(n) for n in ("十", "十五", "一百零八", "三千", "两万零一")] == [
        10,
        15,
        108,
        3000,
        20001,
    ]
