"""Exports from the database: exact CSV bytes (the same on both databases), neutralised cells."""

from __future__ import annotations

import io

from openpyxl import load_workbook
from sqlalchemy import event
from sqlalchemy.ext.asyncio import AsyncSession

from core import spreadsheet
from judging import exports
from judging.progress import phase_card_rows
from judging.ranking import phase_ranking
from judging.rubric import rubric
from tests.factories import Scenario, make_campaign, make_entry, make_scorecard, make_team, make_user


async def arrange(db: AsyncSession) -> tuple[Scenario, list[int]]:
    org = await make_user(db, "org@example.com")
    ann = await make_user(db, "ann@example.com", name="Ann")
    bo = await make_user(db, "bo@example.com", name="=Bo")
    scenario = await make_campaign(db, organizer=org, judges=[ann, bo], stage="judging")
    scenario.judging.required_judges = 2
    ids = []
    for name, a_vals, b_vals in [
        ("zeta", [5, 5, 10], [4, 4, 8]),
        ("=Alpha", [1, 1, 0], None),
        ("beta", [3, 3, 5], [3, 3, 5]),
    ]:
        cap = await make_user(db, f"{name.strip('=').lower()}@example.com")
        entry = await make_entry(db, await make_team(db, scenario, cap, name=name), scenario.submission, title=name)
        ids.append(entry.id)
        await make_scorecard(db, scenario, entry, ann, a_vals, feedback="+feedback", private_note="@note")
        if b_vals is not None:
            await make_scorecard(db, scenario, entry, bo, b_vals, feedback="ok")
    await make_scorecard(db, scenario, await db.get_one(type(entry), ids[1]), bo, [2], final=False, feedback="")
    await db.commit()
    return scenario, ids


async def test_results_csv_bytes(db: AsyncSession) -> None:
    scenario, _ids = await arrange(db)
    table = exports.results_table(await phase_ranking(db, scenario.judging))
    assert spreadsheet.to_csv(table).decode("utf-8") == (
        "\ufeffrank,team,challenge,entry_title,raw_mean,score,cards,incomplete\r\n"
        "1,zeta,Challenge 1,zeta,87.916667,87.916667,2,no\r\n"
        "2,beta,Challenge 1,beta,50.0,50.0,2,no\r\n"
        ",'=Alpha,Challenge 1,'=Alpha,0.0,0.0,1,yes\r\n"
    )


async def test_scorecards_csv_bytes_and_xlsx_cells(db: AsyncSession) -> None:
    scenario, (zeta, alpha, beta) = await arrange(db)
    criteria = [exports.CriterionColumn(c.id, c.name) for c in await rubric(db, scenario.judging.id)]
    table = exports.scorecards_table(criteria, await phase_card_rows(db, scenario.judging))
    when = "2026-03-10T09:00:00+00:00"
    assert spreadsheet.to_csv(table).decode("utf-8") == (
        "\ufeffjudge_email,judge_name,team,entry,entry_title,Impact,Feasibility,Originality,"
        "total,feedback,private_note,status,finalised_at\r\n"
        f"ann@example.com,Ann,'=Alpha,{alpha},'=Alpha,1,1,0,0.0,'+feedback,'@note,final,{when}\r\n"
        f"bo@example.com,'=Bo,'=Alpha,{alpha},'=Alpha,2,,,,,,draft,\r\n"
        f"ann@example.com,Ann,beta,{beta},beta,3,3,5,50.0,'+feedback,'@note,final,{when}\r\n"
        f"bo@example.com,'=Bo,beta,{beta},beta,3,3,5,50.0,ok,,final,{when}\r\n"
        f"ann@example.com,Ann,zeta,{zeta},zeta,5,5,10,100.0,'+feedback,'@note,final,{when}\r\n"
        f"bo@example.com,'=Bo,zeta,{zeta},zeta,4,4,8,75.833333,ok,,final,{when}\r\n"
    )
    book = load_workbook(io.BytesIO(spreadsheet.to_xlsx(table, "Scorecards")), read_only=True)
    rows = [list(r) for r in book.worksheets[0].iter_rows(values_only=True)]
    assert rows[1][:8] == ["ann@example.com", "Ann", "'=Alpha", alpha, "'=Alpha", 1, 1, 0]
    assert not any(isinstance(v, str) and v.startswith(("=", "+", "-", "@")) for row in rows for v in row)


async def test_the_export_queries_do_not_grow_with_the_data(db: AsyncSession) -> None:
    scenario, _ids = await arrange(db)
    engine = db.bind.sync_engine
    counts = []
    for extra in (0, 15):
        judge = await make_user(db, f"extra{extra}@example.com")
        for t in range(extra):
            cap = await make_user(db, f"x{t}@example.com")
            entry = await make_entry(db, await make_team(db, scenario, cap, name=f"X{t}"), scenario.submission)
            await make_scorecard(db, scenario, entry, judge, [1, 1, 1])
        await db.commit()
        seen: list[str] = []

        def listener(*args: object, seen: list[str] = seen) -> None:
            seen.append(str(args[2]))

        event.listen(engine, "before_cursor_execute", listener)
        await phase_ranking(db, scenario.judging)
        await phase_card_rows(db, scenario.judging)
        event.remove(engine, "before_cursor_execute", listener)
        counts.append(len(seen))
    print(f"export queries: {counts}")
    assert counts[0] == counts[1]
