"""The pure sheet reader and validator, and the exports' rendering (no database)."""

from __future__ import annotations

import io
from datetime import UTC, datetime

from hypothesis import given, settings
from hypothesis import strategies as st
from openpyxl import Workbook, load_workbook

from core import spreadsheet
from judging import exports, sheets
from judging.sheets import EntryRef, RubricColumn, SheetInvalid, read_table, validate

CRITERIA = [
    RubricColumn(11, "Impact", 1, 5),
    RubricColumn(12, "Feasibility", 1, 5),
    RubricColumn(13, "Originality", 0, 10),
]
ENTRIES = [EntryRef(101, "Blue Team"), EntryRef(102, "Red Team")]
JUDGES = {"ann@example.com": 1, "bo@example.com": 2}
HEADER = "judge_email,entry,Impact,Feasibility,Originality,feedback,private_note\n"


def _csv(text: str, bom: bool = False) -> bytes:
    return (("\ufeff" if bom else "") + text).encode("utf-8")


def _xlsx(rows: list[list[object]]) -> bytes:
    book = Workbook()
    sheet = book.active
    assert sheet is not None
    for row in rows:
        sheet.append(row)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def _check(data: bytes) -> tuple[list[sheets.SheetRow], list[sheets.SheetError]]:
    return validate(read_table(data), CRITERIA, ENTRIES, JUDGES)


def test_a_valid_csv_with_bom_gives_rows_by_entry_id_or_team_name() -> None:
    data = _csv(HEADER + "Ann@Example.com,101,5,4,10,Great,keep\nbo@example.com, red  team ,1,1,0,,\n", bom=True)
    rows, errors = _check(data)
    assert errors == []
    assert [(r.row, r.judge_id, r.entry_id, r.scores) for r in rows] == [
        (2, 1, 101, {11: 5, 12: 4, 13: 10}),
        (3, 2, 102, {11: 1, 12: 1, 13: 0}),
    ]
    assert rows[0].feedback == "Great" and rows[0].private_note == "keep"


def test_every_error_is_reported_by_row_and_column() -> None:
    data = _csv(
        HEADER
        + "ann@example.com,101,6,4,x,,\n"  # off scale, not a number
        + "nobody@example.com,999,3,3,3,,\n"  # unknown judge and entry
        + "bo@example.com,101,,3,3,,\n"  # missing criterion
        + "ann@example.com,101,1,1,1,,\n"  # ann twice on 101 (row 2 has errors but names the pair)
    )
    _rows, errors = _check(data)
    found = {(e.row, e.column) for e in errors}
    assert found == {
        (2, "Impact"),
        (2, "Originality"),
        (3, "judge_email"),
        (3, "entry"),
        (4, "Impact"),
        (5, "entry"),
    }
    off = next(e for e in errors if (e.row, e.column) == (2, "Impact"))
    assert off.params == {"min": 1, "max": 5}


def test_header_problems_are_reported_on_row_one() -> None:
    rows, errors = _check(_csv("judge_email,Impact,Impact,Colour,total\nann@example.com,1,1,1,9\n"))
    assert rows == []
    assert {(e.row, e.column) for e in errors} == {
        (1, "Impact"),  # twice
        (1, "Colour"),  # unknown
        (1, "entry"),
        (1, "Feasibility"),
        (1, "Originality"),
    }


def test_xlsx_is_read_by_content_with_numbers_as_integers() -> None:
    data = _xlsx(
        [
            ["judge_email", "entry", "impact", "FEASIBILITY", "Originality", "feedback"],
            ["ann@example.com", 101, 5, 4.0, 7, "=cmd"],
            [None, None, None, None, None, None],
            ["bo@example.com", "Blue Team", 2, 2, 2.5, None],
        ]
    )
    rows, errors = _check(data)
    assert [(e.row, e.column) for e in errors] == [(4, "Originality")]  # 2.5 is not whole
    # a formula is never evaluated: its cached value is read, and a file without one gives nothing
    assert rows[0].scores == {11: 5, 12: 4, 13: 7} and rows[0].feedback == ""


def test_limits_and_unreadable_files() -> None:
    too_big = b"a" * (sheets.MAX_BYTES + 1)
    for data, fragment in [
        (too_big, "larger than"),
        (b"", "empty"),
        ("é".encode("latin-1") * 3, "UTF-8"),
        (b"PK\x03\x04broken", "Excel"),
        (_csv(HEADER + "ann@example.com,101,1,1,1,,\n" * (sheets.MAX_ROWS + 1)), "more than"),
    ]:
        try:
            read_table(data)
        except SheetInvalid as exc:
            assert fragment in exc.errors[0].message and exc.errors[0].row == 0
        else:
            raise AssertionError(f"accepted {fragment}")
    at_limit = _csv(HEADER + "".join(f"ann@example.com,{101 + i % 2},1,1,1,,\n" for i in range(sheets.MAX_ROWS)))
    assert len(read_table(at_limit)) == sheets.MAX_ROWS + 1
    assert len(_check(at_limit)[0]) == 2  # pairs repeat: only the first two rows are new


def test_feedback_longer_than_the_limit_is_an_error() -> None:
    rows, errors = _check(_csv(HEADER + f"ann@example.com,101,1,1,1,{'x' * 5001},\n"))
    assert rows == [] and [(e.row, e.column) for e in errors] == [(2, "feedback")]


def test_exports_neutralise_formula_cells_but_not_numbers() -> None:
    table = spreadsheet.Table(["a", "b"], [["=1+1", -3], ["@SUM(A1)", "+x"], ["\tx", "-y"], ["plain", None]])
    text = spreadsheet.to_csv(table).decode("utf-8")
    assert text.startswith("\ufeff")
    assert text.splitlines()[1:] == ["'=1+1,-3", "'@SUM(A1),'+x", "'\tx,'-y", "plain,"]
    sheet = load_workbook(io.BytesIO(spreadsheet.to_xlsx(table, "T")), read_only=True).worksheets[0]
    values = [list(r) for r in sheet.iter_rows(values_only=True)]
    assert values[1] == ["'=1+1", -3] and values[2] == ["'@SUM(A1)", "'+x"]


_text = st.text(alphabet=st.characters(codec="utf-8", exclude_categories=("Cs", "Cc")), max_size=40).map(str.strip)


@settings(max_examples=40, deadline=None)
@given(
    cards=st.lists(
        st.tuples(
            st.sampled_from(sorted(JUDGES)),
            st.sampled_from(ENTRIES),
            st.integers(1, 5),
            st.integers(1, 5),
            st.integers(0, 10),
            _text,
            _text,
        ),
        min_size=1,
        max_size=8,
        unique_by=lambda c: (c[0], c[1].id),
    ),
    fmt=st.sampled_from(["csv", "xlsx"]),
)
def test_an_export_imports_back_to_the_same_scorecards(
    cards: list[tuple[str, EntryRef, int, int, int, str, str]], fmt: str
) -> None:
    columns = [exports.CriterionColumn(c.id, c.name) for c in CRITERIA]
    rows = [
        exports.CardRow(
            scorecard_id=i,
            judge_email=judge,
            judge_name="=Name",
            team=entry.team_name,
            entry_id=entry.id,
            entry_title="@title",
            scores={11: a, 12: b, 13: c},
            total=50.0,
            feedback=feedback,
            private_note=note,
            status="final",
            finalised_at=datetime(2026, 3, 10, tzinfo=UTC),
        )
        for i, (judge, entry, a, b, c, feedback, note) in enumerate(cards)
    ]
    table = exports.scorecards_table(columns, rows)
    data = spreadsheet.to_csv(table) if fmt == "csv" else spreadsheet.to_xlsx(table, "Scorecards")
    parsed, errors = validate(read_table(data), CRITERIA, ENTRIES, JUDGES)
    assert errors == []
    got = {(r.judge_id, r.entry_id): (r.scores, r.feedback, r.private_note) for r in parsed}
    want = {(JUDGES[j], e.id): ({11: a, 12: b, 13: c}, f, n) for j, e, a, b, c, f, n in cards}
    assert got == want
