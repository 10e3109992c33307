"""domain.schema: the statistical tables of both formats, read once from vocab/table_schema.toml,
and the question vocabulary on it (vocab/question_terms.tsv, question_rates.tsv).

To add a printed-label synonym or a new table measure, edit the data file and add a line to
PRINTED_LABELS, QUESTION_PHRASES or MEASURES below (docs/schema.md).
"""

import tomllib
from pathlib import Path

import pytest

from assistant import lexicon as lx
from domain import schema as sc
from domain.vocab import rows
from index.pipeline import build_document
from index.tables import labels as lb
from index.tables.labels import find_row

DEV = Path(__file__).resolve().parents[2] / "shared" / "realdocs" / "dev"

# (table, row, a label reports print for it): the reader finds the row under that label.
PRINTED_LABELS = [
    ("主动公开", "规范性文件", "行政规范性文件"),
    ("主动公开", "规范性文件", "规范性文件"),
    ("依申请", "结转下年度", "四、结转下年度继续办理"),
    ("依申请", "结转下年度", "结转下年度"),
    ("依申请", "不予公开.属于国家秘密", "1.属于国家秘密"),
    ("复议诉讼", "行政诉讼.复议后起诉", "复议后起诉"),
]
# (question, slot, canonical value): the lexicon reads the phrase as that row/column/measure.
QUESTION_PHRASES = [
    ("被告了几次", "row", "行政诉讼"),
    ("复议后起诉的有多少", "row", "行政诉讼.复议后起诉"),
    ("律师事务所申请了多少", "col", "法律服务机构"),
    ("how many lawsuits", "row", "行政诉讼"),
    ("行政许可的处理决定", "col", "处理决定数量"),
    ("纠错率是多少", "measure", "rate"),
]
# (table, row, column): a cell the schema defines (table 二: a column of one of the row's blocks).
MEASURES = [
    ("主动公开", "规章", "本年制发件数"),
    ("主动公开", "行政许可", "本年处理决定数量"),
    ("主动公开", "行政事业性收费", "本年收费金额"),
    ("主动公开", "政府集中采购", "采购总金额"),
    ("依申请", "不予处理.重复申请", "法律服务机构"),
    ("复议诉讼", "行政复议", "尚未审结"),
]


def schema_columns(table: str, row: str) -> set[str]:
    found = [r for r in sc.rows(table) if r.key == row]
    assert found, (table, row)
    if found[0].column_sets:
        return {c for cs in found[0].column_sets for c in cs.columns}
    return set(sc.columns(table))


@pytest.mark.parametrize(("table", "row", "printed"), PRINTED_LABELS)
def test_a_printed_label_is_read_as_its_row(table, row, printed):
    label = next(r.label for r in sc.rows(table) if r.key == row)
    text = f"表格 {printed} 3 0 1"
    match = find_row(text, label, 0, len(text))
    assert match and printed.split("、")[-1].split(".")[-1] in match.group(0)


@pytest.mark.parametrize(("question", "slot", "value"), QUESTION_PHRASES)
def test_a_question_phrase_is_read_as_its_label(question, slot, value):
    terms = {(m.term.slot, m.term.value) for m in lx.find_terms(lx.normalize(question))}
    assert (slot, value) in terms


@pytest.mark.parametrize(("table", "row", "col"), MEASURES)
def test_a_measure_is_a_cell_of_the_schema(table, row, col):
    assert col in schema_columns(table, row)


def test_every_entry_of_the_data_files_has_a_source():
    data = tomllib.loads(sc.SCHEMA_FILE.read_text(encoding="utf-8"))
    for part in ("table", "column", "column_set", "row", "alternative", "identity"):
        for entry in data[part]:
            assert entry.get("source"), (part, entry)
    for slot, table, value, phrase, source in rows("question_terms"):
        assert slot in ("row", "col", "table", "measure") and value and phrase and source
        assert table in (*sc.schema().tables, lx.TEXT, "-"), phrase
    for phrase, slot, table, _value, source in rows("question_rates"):
        assert (slot, table) in (("row", "依申请"), ("col", "复议诉讼")) and source, phrase


def test_the_row_counts_of_the_templates():
    # table_formats.md: table 三 has 25 data rows (2021) / 23 (2019: （六）其他处理 one row).
    rows_2021 = [r for r in sc.rows("依申请") if "2021" in r.formats]
    rows_2019 = [r for r in sc.rows("依申请") if "2019" in r.formats]
    assert len(rows_2021) == 25 and len(rows_2019) + 1 == 23
    # table 四: 15 cells, three rows of the five result columns.
    assert len(sc.rows("复议诉讼")) * len(sc.columns("复议诉讼")) == 15
    # table 二: blocks (一)(五)(六)(八)(九) in 2019, (一)(五)(六)(八) in 2021; (五) and (六)
    # share their columns.
    for fmt, count in (("2019", 4), ("2021", 3)):
        sets = {cs for r in sc.rows("主动公开") for cs in r.column_sets if cs.fmt == fmt}
        assert len(sets) == count, fmt


def test_identities_name_rows_and_columns_of_their_table():
    for identity in sc.schema().identities.values():
        if identity.along == "column":
            known = {r.key for r in sc.rows(identity.table)} | set(sc.groups(identity.table))
        else:
            known = set(sc.columns(identity.table))
        assert set(identity.left + identity.right) <= known, identity.key
    assert sc.identity("applicants").right == tuple(c for c in lb.APPLICANT_COLUMNS if c != "总计")


def test_identities_hold_on_a_real_report():
    built = build_document(DEV / "pingtan-caizhengjinrongju_2022_annual_report.txt", 50_000_000)
    cells = {(f.table, f.row, f.col): f.value or 0 for f in built.facts if f.origin == "table"}

    def value(table: str, row: str, col: str) -> float:
        if (table, row, col) in cells:
            return cells[(table, row, col)]
        return sum(cells[(table, sub.canonical, col)] for sub in sc.groups(table)[row])

    checked = 0
    for identity in sc.schema().identities.values():
        table = identity.table
        if identity.along == "column":  # left and right are rows
            pairs = [(identity.left, identity.right, col) for col in sc.columns(table)]
            sums = [
                (sum(value(table, r, col) for r in left), sum(value(table, r, col) for r in right))
                for left, right, col in pairs
            ]
        else:  # left and right are columns
            printed = {r for t, r, _ in cells if t == table}
            sums = [
                (sum(value(table, row, c) for c in identity.left),
                 sum(value(table, row, c) for c in identity.right))
                for row in printed
            ]  # fmt: skip
        assert sums and all(a == b for a, b in sums), identity.key
        checked += len(sums)
    assert checked > 30


def test_reader_and_lexicon_read_the_same_schema():
    assert lb.RowLabel is sc.RowLabel and lb.ColumnSet is sc.ColumnSet
    assert lb.TABLES == (lx.ACTIVE, lx.APPLICATIONS, lx.REVIEW)
    assert tuple(label.canonical for label, _ in lb.ACTIVE_ROWS) == lx.ACTIVE_ROWS
    assert tuple(lb.GROUP_ROWS) == lx.GROUP_ROWS
    assert lx.APPLICANT_COLS[:-1] == lb.APPLICANT_COLUMNS
    assert lx.REVIEW_COLS == lb.REVIEW_RESULT_COLUMNS
    assert set(lb.REVIEW_ROWS) < set(lx.REVIEW_ROWS)
    # table_formats.md: 2021 removed 其他对外管理服务事项 and 政府集中采购 from table 二.
    removed = {"其他对外管理服务事项", "政府集中采购"}
    assert set(lx.ACTIVE_ROWS) - set(lb.ACTIVE_ROWS_2021) == removed


def test_meaning_constraints_are_read_by_column_name():
    first = sc.schema().column_sets["first_2019"]
    assert first.at_least == ((2, 1),)  # 对外公开总数量 >= 本年新公开数量
    assert not first.consistent([5, 10, 8]) and first.consistent([5, 10, None])
    purchase = sc.schema().column_sets["purchase_2019"]
    assert not purchase.consistent([0, 12.5]) and purchase.consistent([1, 12.5])


def test_a_broken_schema_is_an_error_naming_the_file():
    data = tomllib.loads(sc.SCHEMA_FILE.read_text(encoding="utf-8"))
    data["row"][0]["column_sets"] = ["first_2030"]
    with pytest.raises(sc.SchemaError, match=r"table_schema.toml.*first_2030"):
        sc.parse(data)
    data = tomllib.loads(sc.SCHEMA_FILE.read_text(encoding="utf-8"))
    del data["identity"]
    with pytest.raises(sc.SchemaError, match="missing field 'identity'"):
        sc.parse(data)
    data = tomllib.loads(sc.SCHEMA_FILE.read_text(encoding="utf-8"))
    data["column"][0]["table"] = "依申请公开"
    with pytest.raises(sc.SchemaError, match="unknown tables"):
        sc.parse(data)
