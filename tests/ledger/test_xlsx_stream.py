"""XLSX sheets are streamed: the same cells as python-calamine gives, without loading the sheet."""

from __future__ import annotations

import zipfile
from datetime import date, datetime
from pathlib import Path
from typing import Any

import openpyxl
import pytest
import xlsxwriter
from python_calamine import CalamineWorkbook

from spreadsheets import reading
from spreadsheets.xlsx_stream import iter_rows, last_row
from storage.uow import Database
from tests.ledger.helpers import code, customer, english, run_import, write_csv, write_xlsx


def calamine_rows(path: Path) -> list[list[Any]]:
    sheet = CalamineWorkbook.from_path(str(path)).get_sheet_by_index(0)
    return [_trimmed(r) for r in sheet.iter_rows() if any(c != "" for c in r)]


def streamed_rows(path: Path) -> list[list[Any]]:
    return [_trimmed(r) for _, r in iter_rows(str(path)) if any(c != "" for c in r)]


def _trimmed(row: list[Any]) -> list[Any]:
    while row and row[-1] == "":
        row = row[:-1]
    return list(row)


def _xlsxwriter_book(path: Path, constant_memory: bool) -> Path:
    workbook = xlsxwriter.Workbook(str(path), {"constant_memory": constant_memory})
    sheet = workbook.add_worksheet("客户")
    day = workbook.add_format({"num_format": "yyyy-mm-dd"})
    custom = workbook.add_format({"num_format": "yyyy\"年\"m\"月\"d\"日\""})
    bold = workbook.add_format({"bold": True})
    sheet.write_row(0, 0, ["客户全称", "统一社会信用代码", "合作起始时间", "约定账期", "评级", "备注"])
    sheet.write_string(1, 0, "深圳市恒通电子元器件制造有限公司")
    sheet.write_string(1, 1, "914403001922038216")
    sheet.write_datetime(1, 2, datetime(2019, 3, 1), day)
    sheet.write_number(1, 3, 60)
    sheet.write_boolean(1, 4, True)
    sheet.write_rich_string(1, 5, "付款", bold, "偶有", "延迟")
    sheet.write_string(3, 0, "A & B <有限> 公司")  # row 3 left empty on purpose
    sheet.write_datetime(3, 2, datetime(2020, 1, 2), custom)
    sheet.write_number(3, 3, -12.5)
    sheet.write_formula(3, 4, "=1+1", None, 2)
    workbook.close()
    return path


@pytest.mark.parametrize("constant_memory", [False, True], ids=["shared-strings", "constant-memory"])
def test_streamed_cells_match_calamine_for_xlsxwriter_files(tmp_path: Path, constant_memory: bool) -> None:
    path = _xlsxwriter_book(tmp_path / "book.xlsx", constant_memory)
    streamed = streamed_rows(path)
    assert streamed == calamine_rows(path)
    assert streamed[1][2] == date(2019, 3, 1) and streamed[2][2] == date(2020, 1, 2)
    assert streamed[1][5] == "付款偶有延迟" and streamed[2][0] == "A & B <有限> 公司"


def test_row_numbers_are_those_the_sheet_shows(tmp_path: Path) -> None:
    path = _xlsxwriter_book(tmp_path / "book.xlsx", False)
    assert [n for n, r in iter_rows(str(path))] == [1, 2, 4]


def test_files_written_by_openpyxl_stream_too(tmp_path: Path) -> None:
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    sheet.append(["name", "credit_code", "since", "overdue_payment_count"])
    sheet.append(["测试公司", code(1), date(2021, 5, 6), 3])
    sheet["A3"] = "第二家"
    path = tmp_path / "openpyxl.xlsx"
    workbook.save(path)
    assert streamed_rows(path) == calamine_rows(path)
    assert last_row(str(path)) == 3


def test_the_dimension_gives_the_sheet_size_without_reading_it(tmp_path: Path) -> None:
    path = write_xlsx(tmp_path / "in.xlsx", [customer(n) for n in range(1, 11)])
    assert last_row(str(path)) == 11 == reading.Rows(path).total


def test_an_import_of_a_streamed_sheet_reports_bad_cells_and_imports_good_ones(db: Database, tmp_path: Path) -> None:
    rows = [customer(1), customer(2, overdue_payment_count=4), {**customer(3), "tax_arrears_count": "很多"}]
    bad = run_import(db, write_xlsx(tmp_path / "bad.xlsx", rows))
    assert english(bad.errors) == ["row 4, column tax_arrears_count: expected a number, got text '很多'"]
    good = run_import(db, write_xlsx(tmp_path / "good.xlsx", rows[:2]))
    assert good.ok and good.created == 2 and good.rescore is not None and good.rescore.requested == 1


def test_a_damaged_workbook_is_refused_with_a_sentence(tmp_path: Path) -> None:
    path = tmp_path / "broken.xlsx"
    path.write_bytes(b"PK\x03\x04 not really a zip")
    with pytest.raises(reading.TableError, match="cannot read it as an XLSX workbook"):
        reading.Rows(path)


def test_a_sheet_written_with_a_namespace_prefix_streams_too(tmp_path: Path) -> None:
    """Some generators write <x:row><x:c>…; the rows must still be found."""
    import re
    import zipfile

    plain = _xlsxwriter_book(tmp_path / "plain.xlsx", False)
    prefixed = tmp_path / "prefixed.xlsx"
    main = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
    with zipfile.ZipFile(plain) as source, zipfile.ZipFile(prefixed, "w") as target:
        for item in source.infolist():
            data = source.read(item.filename)
            if item.filename == "xl/worksheets/sheet1.xml":
                text = data.decode().replace(f'xmlns="{main}"', f'xmlns:x="{main}"')
                data = re.sub(r"<(/?)([A-Za-z]+)(?=[\s>/])", r"<\1x:\2", text).encode()
            target.writestr(item, data)
    assert streamed_rows(prefixed) == streamed_rows(plain) == calamine_rows(plain)


_MAIN = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
_PACKAGE = {
    "[Content_Types].xml": (
        '<?xml version="1.0" encoding="UTF-8"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
        '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
        '<Default Extension="xml" ContentType="application/xml"/>'
        '<Override PartName="/xl/workbook.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/>'
        '<Override PartName="/xl/worksheets/sheet1.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/>'
        '<Override PartName="/xl/styles.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.styles+xml"/>'
        '<Override PartName="/xl/sharedStrings.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sharedStrings+xml"/>'
        "</Types>"),
    "_rels/.rels": (
        '<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
        '<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" Target="xl/workbook.xml"/>'
        "</Relationships>"),
    "xl/workbook.xml": (
        f'<?xml version="1.0" encoding="UTF-8"?><workbook xmlns="{_MAIN}" '
        'xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships">'
        '<sheets><sheet name="客户" sheetId="1" r:id="rId1"/></sheets></workbook>'),
    "xl/_rels/workbook.xml.rels": (
        '<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
        '<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet" Target="worksheets/sheet1.xml"/>'
        '<Relationship Id="rId2" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/styles" Target="styles.xml"/>'
        '<Relationship Id="rId3" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/sharedStrings" Target="sharedStrings.xml"/>'
        "</Relationships>"),
    # Style 1 shows dates; style 0 and 2 are plain.
    "xl/styles.xml": (
        f'<?xml version="1.0" encoding="UTF-8"?><styleSheet xmlns="{_MAIN}"><cellXfs count="3">'
        '<xf numFmtId="0"/><xf numFmtId="14" applyNumberFormat="1"/><xf numFmtId="2" applyNumberFormat="1"/></cellXfs></styleSheet>'),
    "xl/sharedStrings.xml": (
        f'<?xml version="1.0" encoding="UTF-8"?><sst xmlns="{_MAIN}" count="3" uniqueCount="3">'
        "<si><t>客户全称</t></si><si><t>A &amp; B 公司</t></si><si><r><t>富</t></r><r><t>文本</t></r></si></sst>"),
}
# Every way of writing a cell the fast reader takes, and the ones it hands to the XML parser:
# rich or phonetic inline text, unknown attributes, rows without numbers, self-closed rows,
# comments, t="d" cells. Row 3 is left out on purpose.
_ROWS = """
<row r="1" spans="1:6"><c r="A1" t="s"><v>0</v></c><c r="B1" t="inlineStr"><is><t>统一社会信用代码</t></is></c><c r="C1" s="0" t="s"><v>2</v></c></row>
<row r="2" spans="1:6" x14ac:dyDescent="0.25">
  <c r="A2" t="s"><v>1</v></c>
  <c r="B2" s="2" t="inlineStr"><is><t xml:space="preserve"> 9144&#x30;3001922038216 </t></is></c>
  <c r="C2" s="1"><v>43525</v></c><c r="D2" s="1"><v>43525.5</v></c><c r="E2"><v>-12.5</v></c>
  <c r="F2" t="b"><v>1</v></c><c r="G2" t="e"><v>#N/A</v></c><c r="H2" t="str"><f>A2&amp;"x"</f><v>A &amp; B &lt;x&gt;</v></c>
  <c r="I2" s="2"/><c r="K2"><f t="shared" ref="K2:K3" si="0">1+1</f><v>2</v></c><c r="L2" t="inlineStr"><is><t>一行&#13;
两行</t></is></c>
</row>
<row r="4"/>
<row r="5" x14ac:dyDescent="0.3"><c r="A5" t="inlineStr"><is><r><t>富</t></r><r><rPr><b/></rPr><t>文本</t></r></is></c><c r="B5"><v>7</v></c></row>
<row r="6"><c r="A6" cm="1"><v>1</v></c><c r="B6" t="s"><v>1</v></c></row>
<row><c r="A7" t="s"><v>0</v></c></row>
<!-- a comment between rows -->
<row r="8"><c t="s"><v>1</v></c><c><v>3</v></c></row>
<row r="9"><c r="A9" t="b"><v>0</v></c><c r="AB9"><v>1E-3</v></c></row>
<row r = '10'><!-- <c r="A10"><v>9</v></c> --><c r="B10"><v>&#49;</v></c><c r="C10" t="b"><v>&#49;</v></c><c r="D10" t="d"><v>2024-01-02T00:00:00</v></c></row>
"""


def _handmade_book(path: Path, rows: str = _ROWS, prefix: str = "", quote: str = '"') -> Path:
    sheet = (f'<?xml version="1.0" encoding="UTF-8"?><worksheet xmlns{":" + prefix[:-1] if prefix else ""}={quote}{_MAIN}{quote} '
             'xmlns:x14ac="http://schemas.microsoft.com/office/spreadsheetml/2009/9/ac">'
             f'<{prefix}dimension ref="A1:AB10"/><{prefix}sheetData>{rows}</{prefix}sheetData></{prefix}worksheet>')
    import zipfile

    with zipfile.ZipFile(path, "w") as archive:
        for name, text in _PACKAGE.items():
            archive.writestr(name, text)
        archive.writestr("xl/worksheets/sheet1.xml", sheet)
    return path


def _as_xml_only(monkeypatch: pytest.MonkeyPatch) -> None:
    """Read every chunk with the XML parser, the reader the fast path must agree with."""
    from spreadsheets import xlsx_stream

    monkeypatch.setattr(xlsx_stream._RowReader, "rows", lambda self, namespaces, chunk: self._parsed(namespaces, chunk))


def test_the_fast_reader_reads_every_way_of_writing_a_cell_as_the_xml_parser_does(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = _handmade_book(tmp_path / "handmade.xlsx")
    fast = list(iter_rows(str(path)))
    _as_xml_only(monkeypatch)
    assert fast == list(iter_rows(str(path)))
    rows = dict(fast)
    assert list(rows) == [1, 2, 5, 6, 7, 8, 9, 10]
    assert rows[1] == ["客户全称", "统一社会信用代码", "富文本"]
    assert rows[2] == ["A & B 公司", " 914403001922038216 ", date(2019, 3, 1), datetime(2019, 3, 1, 12), -12.5,
                       True, "#N/A", "A & B <x>", "", "", 2.0, "一行\r\n两行"]
    assert rows[5] == ["富文本", 7.0] and rows[6] == [1.0, "A & B 公司"]
    assert rows[8] == ["A & B 公司", 3.0] and rows[9][0] is False and rows[9][27] == 0.001
    # Not the cell inside the comment; character references in values; an ISO date cell.
    assert rows[10] == ["", 1.0, True, datetime(2024, 1, 2)]


def test_the_fast_reader_agrees_with_calamine_on_a_handmade_sheet(tmp_path: Path) -> None:
    # python-calamine reads an error cell (#N/A) as empty; the stream keeps its text, so a
    # number column reports it instead of keeping the stored value without a word. It also
    # reads a value written with a character reference (&#49;) as empty, where XML says 1.
    rows = _ROWS.replace('<c r="G2" t="e"><v>#N/A</v></c>', "")
    rows = rows.replace('<c r="B10"><v>&#49;</v></c><c r="C10" t="b"><v>&#49;</v></c>', "")
    path = _handmade_book(tmp_path / "handmade.xlsx", rows)
    assert streamed_rows(path) == calamine_rows(path)


def test_the_fast_reader_reads_prefixed_handmade_sheets_too(tmp_path: Path) -> None:
    import re

    prefixed = re.sub(r"<(/?)(row|c|v|f|is|t|r|rPr|b)(?=[\s>/])", r"<\1x:\2", _ROWS)
    plain = streamed_rows(_handmade_book(tmp_path / "plain.xlsx"))
    assert streamed_rows(_handmade_book(tmp_path / "prefixed.xlsx", prefixed, "x:")) == plain


def test_a_main_namespace_declared_in_single_quotes_still_reaches_rows_read_as_xml(tmp_path: Path) -> None:
    path = _handmade_book(tmp_path / "quoted.xlsx", quote="'")
    assert streamed_rows(path) == streamed_rows(_handmade_book(tmp_path / "plain.xlsx"))


def test_text_that_is_not_well_formed_xml_is_refused_as_the_xml_parser_refuses_it(tmp_path: Path) -> None:
    path = _handmade_book(tmp_path / "bad.xlsx", '<row r="1"><c r="A1" t="inlineStr"><is><t>A &#X41; B</t></is></c></row>')
    with pytest.raises(ValueError, match="not well-formed"):
        list(iter_rows(str(path)))


def test_rows_closed_with_a_space_before_the_bracket_are_read(tmp_path: Path) -> None:
    """`</row >` is well-formed XML: the rows must not go unseen (nor the sheet read as empty)."""
    spaced = _handmade_book(tmp_path / "spaced.xlsx", _ROWS.replace("</row>", "</row \n>"))
    assert streamed_rows(spaced) == streamed_rows(_handmade_book(tmp_path / "plain.xlsx"))
    assert len(streamed_rows(spaced)) == 8


def test_a_chunk_of_plain_rows_is_read_at_once_as_the_xml_parser_reads_it(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """No comment or reference anywhere, every cell plain: the whole chunk goes through one
    pattern. Rows numbered after the first attribute, unnumbered, empty or with a line break
    in a cell must come out as the XML parser gives them."""
    rows = """
<row r="1"><c r="A1" t="inlineStr"><is><t>客户全称</t></is></c><c r="B1" t="s"><v>0</v></c></row>
<row spans="1:3" r="2"><c r="A2" t="inlineStr"><is><t xml:space="preserve"> 一行\r\n两行 </t></is></c><c r="C2" s="1"><v>43525</v></c></row>
<row r="3"></row>
<row><c r="A4"><v>-1.5</v></c><c r="B4" t="b"><v>0</v></c><c r="C4" t="str"><f>A4</f><v>x</v></c></row>
<row r="6" spans="1:3"><c r="A6" t="e"><v>#N/A</v></c><c r="B6" s="2"/><c r="D6"><f t="shared" si="0"/><v>7</v></c></row>
"""
    from spreadsheets import xlsx_stream

    path = _handmade_book(tmp_path / "plain.xlsx", rows)
    parsed: list[bytes] = []
    original = xlsx_stream._RowReader._parsed
    monkeypatch.setattr(xlsx_stream._RowReader, "_parsed",
                        lambda self, namespaces, rows: (parsed.append(rows), original(self, namespaces, rows))[1])
    fast = list(iter_rows(str(path)))
    assert parsed == []  # every row taken by the pattern, the shared formula's too
    _as_xml_only(monkeypatch)
    assert fast == list(iter_rows(str(path)))
    assert fast == [(1, ["客户全称", "客户全称"]), (2, [" 一行\n两行 ", "", date(2019, 3, 1)]),
                    (4, [-1.5, False, "x"]), (6, ["#N/A", "", "", 7.0])]


def test_a_cell_between_rows_is_left_out_as_the_xml_parser_leaves_it_out(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Not valid in a sheet, but well-formed: the counts of rows and cells still add up, so the
    whole-chunk pattern must not take it for a cell of the row before."""
    rows = '<row r="1"><c r="A1"><v>1</v></c></row><c r="B9"><v>5</v></c><row r="2"><c r="A2"><v>2</v></c></row>'
    path = _handmade_book(tmp_path / "stray.xlsx", rows)
    fast = list(iter_rows(str(path)))
    _as_xml_only(monkeypatch)
    assert fast == list(iter_rows(str(path))) == [(1, [1.0]), (2, [2.0])]


@pytest.mark.parametrize("xml_only", [False, True], ids=["pattern", "xml"])
def test_a_number_formatted_as_a_percentage_reads_as_the_percentage_shown(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, xml_only: bool
) -> None:
    if xml_only:
        _as_xml_only(monkeypatch)
    path = tmp_path / "pct.xlsx"
    workbook = xlsxwriter.Workbook(str(path))
    sheet = workbook.add_worksheet()
    # Built-in 0% and 0.00%, a custom percentage, a quoted "%" (text, no scaling), a plain number.
    shown = [(-0.35, "0%"), (0.07, "0.00%"), (0.125, "#,##0.0%"), (35, '0"%"'), (0.5, "0.00")]
    for column, (value, number_format) in enumerate(shown):
        sheet.write_number(0, column, value, workbook.add_format({"num_format": number_format}))
    workbook.close()

    assert streamed_rows(path) == [[-35.0, 7.0, 12.5, 35.0, 0.5]]


def test_a_percentage_cell_imports_as_the_percentage_a_user_sees(db: Database, tmp_path: Path) -> None:
    """近半年营收波动幅度 shown as -35% in Excel scores as a 35% drop, as "-35%" in a CSV does."""
    path = tmp_path / "pct.xlsx"
    row = {k: v for k, v in customer(1).items() if k != "revenue_change_pct"}
    workbook = xlsxwriter.Workbook(str(path))
    sheet = workbook.add_worksheet()
    percent = workbook.add_format({"num_format": "0%"})
    sheet.write_row(0, 0, [*row, "revenue_change_pct"])
    sheet.write_row(1, 0, list(row.values()))
    sheet.write_number(1, len(row), -0.35, percent)
    workbook.close()
    csv_row = write_csv(tmp_path / "pct.csv", [customer(2, revenue_change_pct="-35%")])

    assert run_import(db, path).ok and run_import(db, csv_row).ok

    with db.uow() as uow:
        from_excel, from_csv = (uow.customers.get_by_code(code(n)) for n in (1, 2))
    assert from_excel.values["revenue_change_pct"] == from_csv.values["revenue_change_pct"] == -35
    assert from_excel.score == from_csv.score < 100


def _rewritten(source: Path, target: Path, rename: dict[str, str | None], rels: dict[bytes, bytes] | None = None) -> Path:
    """`source` with members renamed (and text replaced in the workbook's relationships)."""
    with zipfile.ZipFile(source) as old, zipfile.ZipFile(target, "w", zipfile.ZIP_DEFLATED) as new:
        for item in old.infolist():
            data = old.read(item.filename)
            if item.filename == "xl/_rels/workbook.xml.rels":
                for before, after in (rels or {}).items():
                    data = data.replace(before, after)
            if item.filename in rename and rename[item.filename] is None:
                continue
            new.writestr(rename.get(item.filename) or item.filename, data)
    return target


def _styled_book(path: Path) -> Path:
    workbook = xlsxwriter.Workbook(str(path))
    sheet = workbook.add_worksheet()
    sheet.write_row(0, 0, ["客户全称", "合作起始时间", "近半年营收波动幅度"])
    sheet.write_string(1, 0, "恒通电子")
    sheet.write_datetime(1, 1, datetime(2019, 3, 1), workbook.add_format({"num_format": "yyyy-mm-dd"}))
    sheet.write_number(1, 2, -0.35, workbook.add_format({"num_format": "0%"}))
    workbook.close()
    return path


def test_parts_named_in_another_case_or_elsewhere_are_found_through_the_relationships(tmp_path: Path) -> None:
    plain = _styled_book(tmp_path / "plain.xlsx")
    expected = [["客户全称", "合作起始时间", "近半年营收波动幅度"], ["恒通电子", date(2019, 3, 1), -35.0]]
    assert streamed_rows(plain) == expected
    # Some exporters write xl/SharedStrings.xml while the relationships say sharedStrings.xml.
    cased = _rewritten(plain, tmp_path / "cased.xlsx", {"xl/sharedStrings.xml": "xl/SharedStrings.xml"})
    # Others keep the styles elsewhere and say so in the relationships.
    moved = _rewritten(plain, tmp_path / "moved.xlsx", {"xl/styles.xml": "xl/parts/look.xml"},
                       {b'Target="styles.xml"': b'Target="parts/look.xml"'})
    assert streamed_rows(cased) == streamed_rows(moved) == expected


def test_a_cell_pointing_past_the_shared_strings_is_a_damaged_workbook_not_a_traceback(tmp_path: Path) -> None:
    broken = _rewritten(_styled_book(tmp_path / "plain.xlsx"), tmp_path / "broken.xlsx", {"xl/sharedStrings.xml": None})
    with pytest.raises(reading.TableError, match="broken.xlsx: cannot read it as an XLSX workbook"):
        list(reading.Rows(broken))


def test_a_date_cell_no_calendar_has_is_read_as_its_number_for_the_check_to_refuse(db: Database, tmp_path: Path) -> None:
    path = tmp_path / "far.xlsx"
    workbook = xlsxwriter.Workbook(str(path))
    sheet = workbook.add_worksheet()
    row = customer(1)
    sheet.write_row(0, 0, [*row, "since"])
    sheet.write_row(1, 0, list(row.values()))
    sheet.write_number(1, len(row), 4e6, workbook.add_format({"num_format": "yyyy-mm-dd"}))  # past 9999-12-31
    workbook.close()

    assert streamed_rows(path)[1][-1] == 4e6
    report = run_import(db, path)
    assert english(report.errors) == ["row 2, column since: expected a date like 2019-03-01, got 4000000.0"]


def test_dates_before_excels_phantom_29_february_1900_are_read_as_written(tmp_path: Path) -> None:
    path = tmp_path / "early.xlsx"
    workbook = xlsxwriter.Workbook(str(path))
    sheet = workbook.add_worksheet()
    days = [date(1900, 1, 1), date(1900, 2, 28), date(1900, 3, 1), date(2019, 3, 1), date(2100, 12, 31)]
    for row, day in enumerate(days):
        sheet.write_datetime(row, 0, day, workbook.add_format({"num_format": "yyyy-mm-dd"}))
    workbook.close()

    assert streamed_rows(path) == calamine_rows(path) == [[day] for day in days]
