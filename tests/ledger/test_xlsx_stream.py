"""Large XLSX sheets are streamed: the same cells as python-calamine gives, without loading the sheet."""

from __future__ import annotations

from datetime import date, datetime
from pathlib import Path
from typing import Any

import openpyxl
import pytest
import xlsxwriter
from python_calamine import CalamineWorkbook

from bot.usecases import rows as rows_module
from bot.usecases.xlsx_stream import iter_rows, sheet_cells
from storage.uow import Database
from tests.ledger.helpers import code, customer, run_import, write_xlsx


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
    assert sheet_cells(str(path)) == 3 * 4


def test_the_dimension_gives_the_sheet_size_without_reading_it(tmp_path: Path) -> None:
    path = write_xlsx(tmp_path / "in.xlsx", [customer(n) for n in range(1, 11)])
    assert sheet_cells(str(path)) == 11 * len(customer(1))


def test_an_import_of_a_streamed_sheet_behaves_like_a_loaded_one(db: Database, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(rows_module, "CALAMINE_MAX_CELLS", 0)  # every sheet counts as large
    rows = [customer(1), customer(2, overdue_payment_count=4), {**customer(3), "tax_arrears_count": "很多"}]
    bad = run_import(db, write_xlsx(tmp_path / "bad.xlsx", rows))
    assert bad.errors == ["row 4, column tax_arrears_count: expected a number, got text '很多'"]
    good = run_import(db, write_xlsx(tmp_path / "good.xlsx", rows[:2]))
    assert good.ok and good.created == 2 and good.rescore is not None and good.rescore.requested == 1


def test_a_damaged_workbook_is_refused_with_a_sentence(tmp_path: Path) -> None:
    path = tmp_path / "broken.xlsx"
    path.write_bytes(b"PK\x03\x04 not really a zip")
    with pytest.raises(rows_module.TableError, match="cannot read it as an XLSX workbook"):
        rows_module.Rows(path)


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
