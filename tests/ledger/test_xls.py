"""Excel 97–2003 (.xls) files import with the same checks as CSV and XLSX, percentages as shown.

The workbooks are written with xlwt (a test dependency), as Excel 97–2003 lays them out: an
OLE2 compound file holding the BIFF8 records.
"""

from __future__ import annotations

import shutil
import struct
from datetime import date
from pathlib import Path

import pytest
import xlwt
from sqlalchemy import select

from spreadsheets import xls_book
from spreadsheets.reading import Rows, TableError
from messages.plain import words
from storage.models import Customer
from storage.uow import Database
from tests.ledger.helpers import customer, english, run_import, write_csv, write_xls, write_xlsx


def stored(db: Database, name: str) -> Customer:
    with db.uow() as uow:
        return uow.session.scalars(select(Customer).where(Customer.name == name)).one()


def test_an_xls_file_imports_with_dates_and_percentages_as_excel_shows_them(db: Database, tmp_path: Path) -> None:
    row = customer(1, revenue_change_pct=-35, since=date(2019, 3, 1), credit_terms_days=60)
    path = write_xls(tmp_path / "客户.xls", [row], percent=["revenue_change_pct"])

    report = run_import(db, path)

    assert report.ok and report.created == 1, english(report.errors)
    saved = stored(db, row["name"])
    assert saved.values["revenue_change_pct"] == -35  # the cell shows -35%, Excel keeps -0.35
    assert (saved.since, saved.credit_terms_days, saved.credit_code) == (date(2019, 3, 1), 60, row["credit_code"])


def test_an_xls_file_is_checked_as_the_same_rows_in_csv_are(db: Database, tmp_path: Path) -> None:
    rows = [customer(1), customer(2, tax_arrears_count="很多", sales_owner="张三"), customer(3, credit_code="123"),
            customer(4, since="unterminated"), customer(1)]
    as_csv = run_import(db, write_csv(tmp_path / "in.csv", rows))
    as_xls = run_import(db, write_xls(tmp_path / "in.xls", rows))

    assert english(as_xls.errors) == english(as_csv.errors)
    assert english(as_xls.errors) == [
        "row 3, column sales_owner: expected a Slack user ID like U0123ABCD or an e-mail address, got '张三'",
        "row 3, column tax_arrears_count: expected a number, got text '很多'",
        "row 4, column credit_code: must be 18 characters, got 3",
        "row 5, column since: expected a date like 2019-03-01, got 'unterminated'",
        "row 6, column credit_code: the same credit code 91440300MA0000001L as row 2; each customer must appear once",
    ]


def test_a_credit_code_typed_as_a_number_in_an_xls_is_refused_with_the_fix(db: Database, tmp_path: Path) -> None:
    report = run_import(db, write_xls(tmp_path / "in.xls", [customer(1, credit_code=914403001922038216)]))
    assert "format the column as text" in english(report.errors)[0]


def test_an_error_cell_reads_as_its_text_for_the_check_to_refuse(db: Database, tmp_path: Path) -> None:
    path = write_xls(tmp_path / "in.xls", [customer(1)])
    book = xlwt.Workbook(encoding="utf-8")
    sheet = book.add_sheet("客户")
    row = customer(1)
    for c, (key, value) in enumerate(row.items()):
        sheet.write(0, c, key)
        if key == "tax_arrears_count":
            sheet.row(1).set_cell_error(c, "#DIV/0!")
        else:
            sheet.write(1, c, value)
    book.save(str(path))

    assert english(run_import(db, path).errors) == [
        "row 2, column tax_arrears_count: expected a number, got text '#DIV/0!'"]


def test_the_first_worksheet_is_read_with_the_row_numbers_excel_shows(tmp_path: Path) -> None:
    path = tmp_path / "offset.xls"
    book = xlwt.Workbook(encoding="utf-8")
    sheet = book.add_sheet("台账")
    sheet.write(2, 1, "客户全称")  # the header in B3
    sheet.write(4, 1, "深圳市恒通电子元器件制造有限公司")
    book.add_sheet("其他").write(0, 0, "not this one")
    book.save(str(path))

    table = Rows(path)
    assert table.total == 5
    assert [(n, cells) for n, cells in table if any(cells)] == [
        (3, ["", "客户全称"]), (5, ["", "深圳市恒通电子元器件制造有限公司"])]


def test_an_xlsx_workbook_saved_with_an_xls_name_is_read_all_the_same(db: Database, tmp_path: Path) -> None:
    path = tmp_path / "in.xls"
    shutil.copy(write_xlsx(tmp_path / "in.xlsx", [customer(1)]), path)
    assert run_import(db, path).created == 1


@pytest.mark.parametrize(("content", "key"), [
    (b"<html><body><table><tr><td>1</td></tr></table></body></html>", "xls_not_excel"),
    (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 100, "not_xls"),
])
def test_a_file_that_is_no_readable_xls_is_refused_saying_why_and_what_to_do(
        db: Database, tmp_path: Path, content: bytes, key: str) -> None:
    path = tmp_path / "导出.xls"
    path.write_bytes(content)
    with pytest.raises(TableError) as refused:
        run_import(db, path)
    assert refused.value.key == key
    assert refused.value.text(words("en")).startswith("导出.xls: ")
    assert "save it as .xlsx" in str(refused.value) or "save it from Excel as .xlsx" in str(refused.value)
    assert "另存为 .xlsx" in refused.value.text(words("zh"))


def test_an_xls_with_headers_and_no_rows_imports_nothing(db: Database, tmp_path: Path) -> None:
    report = run_import(db, write_xls(tmp_path / "empty.xls", [], headers=["name", "credit_code"]))
    assert report.ok and report.rows == 0


# ---------------------------------------------------------------- the compound file

FREE, END, FAT_SECTOR = 0xFFFFFFFF, 0xFFFFFFFE, 0xFFFFFFFD
BOF, EOF, FILEPASS = 0x0809, 0x000A, 0x002F


def records_length(stream: bytes) -> int:
    """The bytes of a Workbook stream up to its last EOF record (xlwt pads it to 4096)."""
    offset = last = 0
    while offset + 4 <= len(stream):
        kind, length = struct.unpack_from("<HH", stream, offset)
        if kind == length == 0:
            break
        offset += 4 + length
        if kind == EOF:
            last = offset
    return last


def compound_file(stream: bytes, name: str = "Workbook") -> bytes:
    """An OLE2 compound file (MS-CFB, version 3) with `stream` (under 4096 bytes) in its mini
    stream, as a writer that does not pad the Workbook stream lays it out: header, one FAT
    sector, one directory sector, one mini FAT sector, then the root's mini stream."""
    minis = -(-len(stream) // 64)
    sectors = -(-minis * 64 // 512)
    fat = [FAT_SECTOR, END, END, *range(4, 3 + sectors), END]
    mini_fat = [*range(1, minis), END]

    def entry(entry_name: str, kind: int, child: int, start: int, size: int) -> bytes:
        encoded = (entry_name + "\0").encode("utf-16-le") if entry_name else b""
        head = encoded.ljust(64, b"\0") + struct.pack("<HBB3I", len(encoded), kind, 1, FREE, FREE, child)
        return head.ljust(116, b"\0") + struct.pack("<IQ", start, size)

    header = (xls_book.MAGIC + bytes(16) + struct.pack("<5H", 0x3E, 3, 0xFFFE, 9, 6) + bytes(10)
              + struct.pack("<9I", 1, 1, 0, 4096, 2, 1, END, 0, 0) + struct.pack("<108I", *[FREE] * 108))
    directory = (entry("Root Entry", 5, 1, 3, minis * 64) + entry(name, 2, FREE, 0, len(stream))
                 + entry("", 0, FREE, FREE, 0) * 2)
    return (header + struct.pack("<128I", *fat, *[FREE] * (128 - len(fat))) + directory
            + struct.pack("<128I", *mini_fat, *[FREE] * (128 - len(mini_fat))) + stream.ljust(sectors * 512, b"\0"))


def small_stream(tmp_path: Path) -> bytes:
    padded = xls_book._workbook_stream(write_xls(tmp_path / "padded.xls", [customer(1, revenue_change_pct=-35)],
                                                 percent=["revenue_change_pct"]).read_bytes())
    return padded[:records_length(padded)]


def test_a_workbook_stream_kept_in_the_mini_stream_is_read_too(db: Database, tmp_path: Path) -> None:
    path = tmp_path / "small.xls"
    path.write_bytes(compound_file(small_stream(tmp_path)))

    assert list(Rows(path)) == list(Rows(tmp_path / "padded.xls"))  # the cells of the padded original
    report = run_import(db, path)
    assert report.created == 1 and stored(db, customer(1)["name"]).values["revenue_change_pct"] == -35


def test_an_excel_95_or_a_password_protected_workbook_is_refused_saying_why(tmp_path: Path) -> None:
    stream = small_stream(tmp_path)
    old, locked = tmp_path / "old.xls", tmp_path / "locked.xls"
    old.write_bytes(compound_file(stream, name="Book"))  # Excel 5.0/95 names its stream so
    bof_end = 4 + struct.unpack_from("<H", stream, 2)[0]
    locked.write_bytes(compound_file(stream[:bof_end] + struct.pack("<HH", FILEPASS, 0) + stream[bof_end:]))

    with pytest.raises(TableError) as refused:
        Rows(old)
    assert refused.value.text(words("zh")) == "old.xls：是 Excel 5.0/95 格式的工作簿，无法读取；请用 Excel 另存为 .xlsx"
    with pytest.raises(TableError) as refused:
        Rows(locked)
    assert str(refused.value).startswith("locked.xls: the workbook is protected by a password to open")
