"""Scorecard sheets: reading a CSV or Excel upload and checking every row against a rubric.

Pure: no database. The importing service (``judging.importing``) passes in what it looked up.

Rules chosen here (DOMAIN.md is silent on them):
- the type of a file is decided by its content: a ZIP signature is an Excel workbook (.xlsx,
  first sheet), anything else must be CSV text in UTF-8 (with or without a byte-order mark);
- at most ``MAX_BYTES`` and ``MAX_ROWS`` data rows; row 1 is the header, empty rows are skipped;
- columns, matched case-insensitively: ``judge_email``, ``entry``, one per criterion by its
  exact name, ``feedback`` and ``private_note`` (both optional); the columns our own scorecard
  export adds (``judge_name``, ``team``, ``entry_title``, ``total``, ``status``,
  ``finalised_at``) are ignored, so an export can be edited and imported again; any other
  column is an error;
- ``entry`` is the entry's number or its team's name: a number that is an entry of the phase is
  that entry; otherwise the team name (case and spacing ignored) must name exactly one entry;
- every criterion needs a whole number on its scale (imported scorecards are final);
- a text cell that our export neutralised (a quote before ``= + - @``) loses that quote.
"""

from __future__ import annotations

import csv
import io
import math
import zipfile
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from core.errors import N_, Invalid
from core.spreadsheet import unneutralise
from judging.models import FEEDBACK_MAX

MAX_BYTES = 2 * 1024 * 1024
MAX_ROWS = 5_000
JUDGE = "judge_email"
ENTRY = "entry"
FEEDBACK = "feedback"
PRIVATE_NOTE = "private_note"
IGNORED = frozenset({"judge_name", "team", "entry_title", "total", "status", "finalised_at"})
XLSX_SIGNATURE = b"PK\x03\x04"


@dataclass(frozen=True)
class SheetError:
    row: int  # 1 is the header; 0 is the file as a whole
    column: str
    message: str
    params: dict[str, Any] = field(default_factory=dict)


class SheetInvalid(Invalid):
    """The sheet cannot be imported; ``errors`` says where, by row and column."""

    def __init__(self, errors: list[SheetError]) -> None:
        super().__init__(N_("Nothing was imported: please fix the rows below."), field="file")
        self.errors = errors


@dataclass(frozen=True)
class RubricColumn:
    id: int
    name: str
    scale_min: int
    scale_max: int


@dataclass(frozen=True)
class EntryRef:
    id: int
    team_name: str


@dataclass(frozen=True)
class SheetRow:
    row: int
    judge_id: int
    entry_id: int
    scores: dict[int, int]
    feedback: str
    private_note: str


# --- reading ----------------------------------------------------------------------------------


def _file_error(message: str, **params: Any) -> SheetInvalid:
    return SheetInvalid([SheetError(0, "file", message, params)])


def _filled(row: list[str]) -> bool:
    return any(cell.strip() for cell in row)


def _cell_text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return str(value)
    if isinstance(value, float) and math.isfinite(value) and value.is_integer():
        return str(int(value))
    if isinstance(value, datetime):
        return value.isoformat()
    return str(value)


def _read_xlsx(data: bytes) -> list[list[str]]:
    from openpyxl import load_workbook

    try:
        book = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except (zipfile.BadZipFile, KeyError, ValueError, OSError) as exc:
        raise _file_error(N_("The file is not a readable Excel workbook (.xlsx).")) from exc
    try:
        sheet = book.worksheets[0]
        rows: list[list[str]] = []
        filled = 0
        for values in sheet.iter_rows(values_only=True):
            rows.append([_cell_text(v) for v in values])
            filled += _filled(rows[-1])
            if filled > MAX_ROWS + 1:
                break
        return rows
    finally:
        book.close()


def _read_csv(data: bytes) -> list[list[str]]:
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise _file_error(N_("The file must be an Excel workbook (.xlsx) or a CSV saved as UTF-8 text.")) from exc
    rows: list[list[str]] = []
    filled = 0
    try:
        for row in csv.reader(io.StringIO(text)):
            rows.append(row)
            filled += _filled(row)
            if filled > MAX_ROWS + 1:
                break
        return rows
    except csv.Error as exc:
        raise _file_error(N_("The CSV file could not be read: %(reason)s."), reason=str(exc)) from exc


def read_table(data: bytes) -> list[list[str]]:
    """The rows of an upload, header first, as text cells (empty rows kept, so row numbers match)."""
    if len(data) > MAX_BYTES:
        raise _file_error(N_("The file is larger than %(mb)s MB."), mb=MAX_BYTES // (1024 * 1024))
    if not data.strip():
        raise _file_error(N_("The file is empty."))
    rows = _read_xlsx(data) if data.startswith(XLSX_SIGNATURE) else _read_csv(data)
    if sum(_filled(r) for r in rows) > MAX_ROWS + 1:
        raise _file_error(N_("The file has more than %(rows)s rows."), rows=MAX_ROWS)
    return rows


# --- templates --------------------------------------------------------------------------------


def template_header(criteria: Sequence[RubricColumn]) -> list[str]:
    return [JUDGE, ENTRY, *(c.name for c in criteria), FEEDBACK, PRIVATE_NOTE]


# --- validation -------------------------------------------------------------------------------


def _columns(header: list[str], criteria: Sequence[RubricColumn]) -> tuple[dict[str, int], list[SheetError]]:
    """Column index by key (``judge_email``, ``entry``, ``feedback``, ``private_note``, ``c<id>``)."""
    known = {JUDGE: JUDGE, ENTRY: ENTRY, FEEDBACK: FEEDBACK, PRIVATE_NOTE: PRIVATE_NOTE}
    known.update({c.name.strip().lower(): f"c{c.id}" for c in criteria})
    found: dict[str, int] = {}
    errors: list[SheetError] = []
    for index, raw in enumerate(header):
        name = raw.strip()
        key = known.get(name.lower())
        if not name or name.lower() in IGNORED:
            continue
        if key is None:
            errors.append(SheetError(1, name, N_("This column is not part of the rubric.")))
        elif key in found:
            errors.append(SheetError(1, name, N_("This column appears twice.")))
        else:
            found[key] = index
    for required, label in [(JUDGE, JUDGE), (ENTRY, ENTRY), *((f"c{c.id}", c.name) for c in criteria)]:
        if required not in found:
            errors.append(SheetError(1, label, N_("This column is missing.")))
    return found, errors


def _entry_lookup(entries: Sequence[EntryRef]) -> tuple[dict[str, int], dict[str, list[int]]]:
    by_id = {str(e.id): e.id for e in entries}
    by_team: dict[str, list[int]] = {}
    for e in entries:
        by_team.setdefault(" ".join(e.team_name.lower().split()), []).append(e.id)
    return by_id, by_team


def _score(text: str, criterion: RubricColumn) -> tuple[int | None, str | None]:
    if not text:
        return None, N_("Enter a score: imported scorecards are final, so every criterion needs one.")
    try:
        number = float(text.replace(",", "."))
    except ValueError:
        return None, N_("Enter a whole number.")
    if not math.isfinite(number) or not number.is_integer():
        return None, N_("Enter a whole number.")
    value = int(number)
    if not criterion.scale_min <= value <= criterion.scale_max:
        return None, N_("The score must be between %(min)s and %(max)s.")
    return value, None


def validate(
    table: list[list[str]],
    criteria: Sequence[RubricColumn],
    entries: Sequence[EntryRef],
    judges: Mapping[str, int],
) -> tuple[list[SheetRow], list[SheetError]]:
    """Checks every row; ``judges`` maps a judge's lower-case e-mail to their id."""
    if not criteria:
        return [], [SheetError(0, "file", N_("This phase has no rubric yet, so there is nothing to import."))]
    if not table:
        return [], [SheetError(0, "file", N_("The file is empty."))]
    columns, errors = _columns(table[0], criteria)
    if errors:
        return [], errors
    by_id, by_team = _entry_lookup(entries)
    rows: list[SheetRow] = []
    seen: dict[tuple[int, int], int] = {}
    for number, raw in enumerate(table[1:], start=2):
        if not _filled(raw):
            continue

        def cell(key: str, raw: list[str] = raw) -> str:
            index = columns.get(key)
            return raw[index].strip() if index is not None and index < len(raw) else ""

        row_errors: list[SheetError] = []
        email = cell(JUDGE).lower()
        judge_id = judges.get(email)
        if not email:
            row_errors.append(SheetError(number, JUDGE, N_("Enter the judge's e-mail address.")))
        elif judge_id is None:
            row_errors.append(SheetError(number, JUDGE, N_("This person is not a judge of the campaign.")))
        entry_text = cell(ENTRY)
        entry_id = by_id.get(entry_text)
        if entry_id is None:
            matches = by_team.get(" ".join(entry_text.lower().split()), [])
            if not entry_text:
                row_errors.append(SheetError(number, ENTRY, N_("Enter the entry's number or its team's name.")))
            elif len(matches) != 1:
                message = N_("No entry of this phase has this number or team name.")
                if matches:
                    message = N_("Several entries match this team name: use the entry's number.")
                row_errors.append(SheetError(number, ENTRY, message))
            else:
                entry_id = matches[0]
        scores: dict[int, int] = {}
        for criterion in criteria:
            value, problem = _score(cell(f"c{criterion.id}"), criterion)
            if problem is not None:
                params = {"min": criterion.scale_min, "max": criterion.scale_max}
                row_errors.append(SheetError(number, criterion.name, problem, params))
            elif value is not None:
                scores[criterion.id] = value
        feedback, note = unneutralise(cell(FEEDBACK)), unneutralise(cell(PRIVATE_NOTE))
        for key, text in ((FEEDBACK, feedback), (PRIVATE_NOTE, note)):
            if len(text) > FEEDBACK_MAX:
                row_errors.append(SheetError(number, key, N_("At most %(max)s characters."), {"max": FEEDBACK_MAX}))
        if judge_id is not None and entry_id is not None:
            if (first := seen.get((judge_id, entry_id))) is not None:
                message = N_("This judge already scores this entry in row %(row)s.")
                row_errors.append(SheetError(number, ENTRY, message, {"row": first}))
            seen.setdefault((judge_id, entry_id), number)
        if row_errors:
            errors.extend(row_errors)
        else:
            assert judge_id is not None and entry_id is not None
            rows.append(SheetRow(number, judge_id, entry_id, scores, feedback, note))
    if not rows and not errors:
        errors.append(SheetError(0, "file", N_("The file has no rows to import.")))
    return rows, errors
