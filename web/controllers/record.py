"""A person's innovation record: their own (``/me/record``), or anyone's for executives and admins
(``/people/{id}/record``; to anyone else another person's record does not exist). Printable, and
downloadable as CSV."""

from __future__ import annotations

from typing import Any

from litestar import Request, Response, get
from litestar.params import FromPath
from litestar.response import Template

from insights.record import Record, readable_record, record_of
from web import downloads
from web.dashboard_tables import record_table
from web.deps import USER, AppClock, DbSession, signed_in


def _page(record: Record, *, own: bool, csv_url: str) -> Template:
    return Template(template_name="record/index.html", context={"record": record, "own": own, "csv_url": csv_url})


async def _csv(record: Record) -> Response[bytes]:
    return await downloads.sheet(record_table(record), "csv", "Record", f"kaizen-record-{record.person.id}")


@get("/me/record", opt=USER, name="my_record")
async def my_record(request: Request[Any, Any, Any], db_session: DbSession, clock: AppClock) -> Template:
    user = signed_in(request)
    record = await record_of(db_session, user.id, clock.now(), own=True)
    return _page(record, own=True, csv_url="/me/record.csv")


@get("/me/record.csv", opt=USER, name="my_record_csv")
async def my_record_csv(request: Request[Any, Any, Any], db_session: DbSession, clock: AppClock) -> Response[bytes]:
    user = signed_in(request)
    return await _csv(await record_of(db_session, user.id, clock.now(), own=True))


@get("/people/{user_id:int}/record", opt=USER, name="person_record")
async def person_record(
    request: Request[Any, Any, Any], db_session: DbSession, clock: AppClock, user_id: FromPath[int]
) -> Template:
    viewer = signed_in(request)
    person_id = readable_record(viewer, user_id)
    own = person_id == viewer.id
    record = await record_of(db_session, person_id, clock.now(), own=own)
    return _page(record, own=own, csv_url=f"/people/{person_id}/record.csv")


@get("/people/{user_id:int}/record.csv", opt=USER, name="person_record_csv")
async def person_record_csv(
    request: Request[Any, Any, Any], db_session: DbSession, clock: AppClock, user_id: FromPath[int]
) -> Response[bytes]:
    viewer = signed_in(request)
    person_id = readable_record(viewer, user_id)
    return await _csv(await record_of(db_session, person_id, clock.now(), own=person_id == viewer.id))


routes = [my_record, my_record_csv, person_record, person_record_csv]
