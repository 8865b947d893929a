"""Tables rendered as CSV or Excel bytes, formula-safe, for every export in Kaizen.

Pure rendering from rows already loaded. Text cells that a spreadsheet would run as a formula
(starting with ``= + - @``, a tab or a carriage return) get a leading quote; numbers stay numbers.
"""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass

Cell = str | int | float | None

DANGEROUS = ("=", "+", "-", "@", "\t", "\r")
CSV_TYPE = "text/csv; charset=utf-8"
XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


@dataclass(frozen=True)
class Table:
    header: list[str]
    rows: list[list[Cell]]


def unneutralise(text: str) -> str:
    if len(text) > 1 and text[0] == "'" and text[1] in DANGEROUS:
        return text[1:]
    return text


def neutralise(value: Cell) -> Cell:
    """A formula-like text gets a leading apostrophe; so does one that already looks neutralised
    ("'=…"), so that reading the sheet back (``unneutralise``) restores it exactly."""
    if isinstance(value, str) and (value.startswith(DANGEROUS) or unneutralise(value) != value):
        return "'" + value
    return value


def _safe_rows(table: Table) -> list[list[Cell]]:
    return [[neutralise(v) for v in table.header], *([neutralise(v) for v in row] for row in table.rows)]


def to_csv(table: Table) -> bytes:
    """UTF-8 with a byte-order mark, so that Excel reads the accents and Chinese right."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    for row in _safe_rows(table):
        writer.writerow(["" if v is None else v for v in row])
    return ("\ufeff" + out.getvalue()).encode("utf-8")


def to_xlsx(table: Table, title: str) -> bytes:
    from openpyxl import Workbook

    book = Workbook(write_only=True)
    sheet = book.create_sheet(title=title[:31] or "Sheet")
    for row in _safe_rows(table):
        sheet.append(row)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def render(table: Table, fmt: str, title: str) -> tuple[bytes, str]:
    """The file's bytes and media type for ``fmt`` ("csv" or "xlsx")."""
    if fmt == "csv":
        return to_csv(table), CSV_TYPE
    return to_xlsx(table, title), XLSX_TYPE
