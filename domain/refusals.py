"""Every refusal and "not held" wording of the answers, one function per situation.

One word for the store the answers search: 资料库 (the UI's 文档库 tab, its uploads and
deletions say 资料库 too). ``prompts/refuse.txt`` stays the template of retrieval refusals.
"""

from __future__ import annotations

NOT_HELD = "资料库中没有"  # how every "the corpus lacks …" sentence starts
EMPTY_CORPUS = "资料库为空，请先入库文档（python -m assistant ingest data/sample）。"
NOTHING_INGESTED = "尚未入库任何文档。先运行：python -m assistant ingest data/sample"  # CLI


def too_long(length: int, limit: int) -> str:
    return f"问题过长（{length} 字，上限 {limit} 字），请精简后再问。"


def out_of_scope(missing: str, holdings: str) -> str:
    """The question names regions or years the corpus does not hold at all."""
    return f"{files_not_held(missing)}资料库现有：{holdings}。"


def files_not_held(missing: str) -> str:
    """The search command found nothing and the filters name regions/years the corpus lacks."""
    return f"{NOT_HELD}{missing}的文件。"


def held_of_kind(kind_full: str, held: str) -> str:
    """What the corpus holds of one kind, appended to a refusal."""
    return f"资料库中现有的{kind_full}：{held}。"


def not_held(what: str, kind_full: str, held: str = "") -> str:
    """No document of this kind for ``what`` (regions, years, departments)."""
    return f"{NOT_HELD}{what}的{kind_full}，无法回答。{held}"


def kind_not_held(kind_full: str) -> str:
    return f"{NOT_HELD}{kind_full}。"


def partly_held(lacking: str, kind_full: str) -> str:
    """Some of the regions/years asked are missing while the others are answered."""
    return f"（{NOT_HELD}{lacking}的{kind_full}，未予回答。）"


def held_departments(kind_full: str, issuers: str) -> str:
    return f"现有该地区部门的{kind_full}：{issuers}。"


def no_own_level(where: str, kind_full: str, issuers: str, example: str) -> str:
    """A region holds only its departments' reports and the question named no department."""
    return (
        f"{NOT_HELD}{where}本级（全区/全市）的{kind_full}，只有该地区部门的{kind_full}："
        f"{issuers}。请写明部门名称，例如“{where}{example}”。"
    )
