"""Excel (.xlsx) exports of ledgers and case lists: a title, Chinese headings kept in view, dates as dates."""
import io
import re
from collections.abc import Iterable
from datetime import date, datetime
from decimal import Decimal

from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter

EXCEL_TEXT = 32767  # the most characters an Excel cell holds
DATE_FORMAT = "yyyy-mm-dd"
DATETIME_FORMAT = "yyyy-mm-dd hh:mm"
_SHEET_TITLE_BAD = re.compile(r"[\[\]:*?/\\]")


def _value(row, key: str):
    return row[key] if isinstance(row, dict) else getattr(row, key)


def _sheet_title(title: str) -> str:
    return _SHEET_TITLE_BAD.sub(" ", title)[:31].strip() or "Sheet1"


def ledger_xlsx(title: str, columns: Iterable, rows: Iterable) -> bytes:
    """An .xlsx of `rows` (objects or dicts) under `columns` (each with key, header, width, kind).

    Written in openpyxl's write-only mode, so 50,000 rows take memory for one row at a time plus
    the file. Text is written as text, never as a formula, whatever it starts with.
    """
    columns = list(columns)
    book = Workbook(write_only=True)
    sheet = book.create_sheet(_sheet_title(title))
    sheet.freeze_panes = "A3"  # the title and the headings stay in view
    for number, column in enumerate(columns, start=1):
        sheet.column_dimensions[get_column_letter(number)].width = column.width

    heading = WriteOnlyCell(sheet, value=_text(title))
    heading.font = Font(bold=True, size=14)
    sheet.append([heading])
    bold, fill = Font(bold=True), PatternFill("solid", fgColor="DDDDDD")
    centred = Alignment(horizontal="center", vertical="center", wrap_text=True)
    headers = []
    for column in columns:
        cell = WriteOnlyCell(sheet, value=column.header)
        cell.font, cell.fill, cell.alignment = bold, fill, centred
        headers.append(cell)
    sheet.append(headers)

    keys = [column.key for column in columns]
    for row in rows:
        sheet.append([_cell(sheet, _value(row, key)) for key in keys])
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def _text(value: str) -> str:
    return ILLEGAL_CHARACTERS_RE.sub("", value)[:EXCEL_TEXT]


def _cell(sheet, value):
    """A plain value where openpyxl writes it right; a cell where it would not."""
    if value is None or isinstance(value, (int, float, Decimal)):
        return value
    if isinstance(value, datetime):
        cell = WriteOnlyCell(sheet, value=value)
        cell.number_format = DATETIME_FORMAT
        return cell
    if isinstance(value, date):
        return value  # openpyxl stores a date as a serial number formatted yyyy-mm-dd
    text = _text(str(value))
    if not text:
        return None  # an empty cell, not an empty string
    if text.startswith("="):
        cell = WriteOnlyCell(sheet, value=text)
        cell.data_type = "s"  # openpyxl would write "=…" as a formula
        return cell
    return text
