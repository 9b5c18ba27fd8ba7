"""Writing one of the ledger's workbooks with xlsxwriter: sheets written row by row in
constant memory, header fills by module of the template, grade cells in the grade's colour,
money and percentage number formats, widths that allow for Chinese characters. No SQL."""

from __future__ import annotations

import math
import unicodedata
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime, tzinfo
from decimal import Decimal
from typing import Any, NamedTuple

from scoring.grades import Grade

# Header fill per module of the template: customer, indicators, score and grade, measures, tracking.
MODULE_FILLS = ("#DDEBF7", "#FCE4D6", "#E2EFDA", "#FFF2CC", "#EDEDED")
CUSTOMER, INDICATORS, GRADING, MEASURES, TRACKING = range(5)
# Fill and text colour of a grade cell: the grade's own colour, text readable on it.
GRADE_FILLS: dict[Grade, tuple[str, str]] = {
    Grade.BLUE: ("#2F75B5", "#FFFFFF"), Grade.YELLOW: ("#FFD966", "#000000"),
    Grade.RED: ("#C00000", "#FFFFFF"), Grade.BLACK: ("#000000", "#FFFFFF"),
}
NUMBER_FORMATS = {
    "money": '"¥"#,##0.00',
    "pct": 'General"%"',  # a fact typed in percent: 35 reads 35%
    "share": "0%",  # a fraction: 0.3 reads 30%
    "score": "0.0",
}
WIDEST_HEADER = 24  # longer headers wrap onto a second line


class GradedCell(NamedTuple):
    """A cell naming a grade: filled in the grade's colour."""

    text: str
    grade: Grade


@dataclass(frozen=True, slots=True)
class SheetColumn:
    header: str
    width: float
    number: str | None = None  # a key of NUMBER_FORMATS
    module: int = CUSTOMER  # whose header fill it takes


def display_width(text: str) -> int:
    """Columns a text takes in Excel: CJK characters count twice."""
    return sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in text)


def fitted(header: str, least: float) -> float:
    return max(least, min(display_width(header) + 2, WIDEST_HEADER))


class Sheet:
    """One worksheet written row by row with the cell type and number format each value needs."""

    def __init__(self, workbook: Any, name: str, columns: Sequence[SheetColumn], styles: Mapping[Any, Any], tz: tzinfo,
                 *, frozen_columns: int = 0, table: bool = True) -> None:
        self.sheet = sheet = workbook.add_worksheet(name)
        self.styles, self.tz, self.table, self.width = styles, tz, table, len(columns)
        self.numbers = [styles.get(c.number) for c in columns]
        for index, column in enumerate(columns):
            sheet.set_column(index, index, column.width)
        sheet.set_row(0, 30)
        for index, column in enumerate(columns):
            sheet.write_string(0, index, column.header, styles[("header", column.module)])
        if table:
            sheet.freeze_panes(1, frozen_columns)
        self.row = 0

    def heading(self, texts: Sequence[str]) -> None:
        """A header row inside the sheet (the 看板's sections)."""
        self.row += 1
        for col, text in enumerate(texts):
            self.sheet.write_string(self.row, col, text, self.styles[("header", CUSTOMER)])

    def gap(self) -> None:
        self.row += 1

    def add(self, values: Sequence[Any]) -> None:
        self.row += 1
        write, row, styles = self.sheet, self.row, self.styles
        for col, value in enumerate(values):
            if value is None or value == "":
                continue
            if isinstance(value, GradedCell):
                write.write_string(row, col, value.text, styles[("grade", value.grade)])
            elif isinstance(value, datetime):
                write.write_datetime(row, col, value.astimezone(self.tz).replace(tzinfo=None), styles["datetime"])
            elif isinstance(value, date):
                write.write_datetime(row, col, value, styles["date"])
            elif isinstance(value, int | float | Decimal):
                number = float(value)
                if math.isfinite(number):
                    write.write_number(row, col, number, self.numbers[col])
            else:
                write.write_string(row, col, str(value))

    def close(self) -> int:
        """Rows written below the header; a table gets its autofilter over them."""
        if self.table:
            self.sheet.autofilter(0, 0, self.row, self.width - 1)
        return self.row


def styles_for(workbook: Any) -> dict[Any, Any]:
    """Every cell format, made once: a workbook keeps each format it is given for good."""
    add = workbook.add_format
    styles: dict[Any, Any] = {
        "date": add({"num_format": "yyyy-mm-dd"}),
        "datetime": add({"num_format": "yyyy-mm-dd hh:mm"}),
        **{name: add({"num_format": fmt}) for name, fmt in NUMBER_FORMATS.items()},
    }
    for grade, (fill, font) in GRADE_FILLS.items():
        styles[("grade", grade)] = add({"bg_color": fill, "font_color": font, "bold": True})
    for module, fill in enumerate(MODULE_FILLS):
        styles[("header", module)] = add({"bold": True, "bg_color": fill, "border": 1, "text_wrap": True, "valign": "top"})
    return styles
