"""domain.refusals: every "not held" sentence starts the same way and carries its slots."""

from domain import refusals


def test_every_not_held_sentence_starts_alike():
    sentences = [
        refusals.out_of_scope("北京市", "济南市莱芜区（2020年年报）"),
        refusals.not_held("北京市2020年", "政府信息公开工作年度报告"),
        refusals.kind_not_held("政务公开工作要点"),
        refusals.partly_held("槐荫区2023年", "政府信息公开工作年度报告"),
        refusals.no_own_level(
            "平潭综合实验区", "政府信息公开工作年度报告", "公安局（2019年）", "公安局"
        ),
    ]
    for text in sentences:
        assert refusals.NOT_HELD in text, text


def test_slots_are_filled():
    text = refusals.not_held("北京市", "年报", refusals.held_of_kind("年报", "济南市莱芜区2020年"))
    assert text == "资料库中没有北京市的年报，无法回答。资料库中现有的年报：济南市莱芜区2020年。"
    assert "2000 字" in refusals.too_long(2000, 1000) and "1000 字" in refusals.too_long(2000, 1000)
    assert refusals.out_of_scope("北京市", "X").endswith("资料库现有：X。")


def test_the_cli_and_the_search_command_say_the_same_as_the_answers():
    assert refusals.files_not_held("北京市、2030年") == "资料库中没有北京市、2030年的文件。"
    assert "python -m assistant ingest" in refusals.NOTHING_INGESTED
    assert "python -m assistant ingest" in refusals.EMPTY_CORPUS
