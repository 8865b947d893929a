"""Entry attachments through HTTP: the upload form at and past every limit, CSRF with multipart,
downloads and who may make them, late uploads, removal, and the pages that list the files; every
test once with the files on the local disk and once in an S3-compatible bucket."""

from __future__ import annotations

import json
from dataclasses import dataclass, replace
from datetime import timedelta
from typing import Any
from urllib.parse import quote

import pytest
from litestar import Litestar
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from core.audit import AuditEntry
from core.clock import FrozenClock
from teams.file_store import S3Location
from teams.models import Attachment, Entry, Extension, Team
from tests.conftest import Browser
from tests.factories import Scenario, assign, make_campaign, make_entry, make_team, make_user
from tests.teams import files
from tests.teams.helpers import count, first, rows_of, switch_to
from web.controllers.attachments import UPLOAD_OVERHEAD
from web.file_stores import file_store
from web.settings import Settings

MAX_BYTES = 4096
MAX_COUNT = 3
H = timedelta(hours=1)


@pytest.fixture
def settings(settings: Settings, storage_backend: S3Location | None) -> Settings:
    """The app of these tests takes files of at most 4 KB, three per entry, and keeps them on the
    local disk or in a bucket."""
    return replace(settings, upload_max_bytes=MAX_BYTES, upload_max_count=MAX_COUNT, s3=storage_backend)


def kept(settings: Settings) -> list[str]:
    """Every file the app keeps, and any upload still staged."""
    return files.stored(file_store(settings))


async def member_setup(db: AsyncSession) -> tuple[Scenario, Team]:
    organizer = await make_user(db, "org@example.com")
    scenario = await make_campaign(db, organizer=organizer, stage="submission")
    ann = await make_user(db, "ann@example.com", name="Ann")
    team = await make_team(db, scenario, ann, name="Lights")
    await db.commit()
    return scenario, team


def upload_url(team: Team, scenario: Scenario) -> str:
    return f"/teams/{team.id}/entry/attachments?phase={scenario.submission.id}"


async def send(browser: Browser, url: str, name: str, data: bytes, **kwargs: Any) -> Any:
    return await browser.post(url, files={"file": (name, data, "application/octet-stream")}, **kwargs)


async def test_upload_list_download_and_remove_on_the_entry_page(
    db: AsyncSession, browser: Browser, settings: Settings
) -> None:
    scenario, team = await member_setup(db)
    await browser.sign_in("ann@example.com")

    sent = await send(browser, upload_url(team, scenario), "方案 说明.pdf", files.PDF)
    assert sent.status_code == 303, sent.text
    assert sent.headers["location"] == f"/teams/{team.id}/entry?phase={scenario.submission.id}#attachments"
    attachment = await first(db, select(Attachment))
    assert (attachment.original_name, attachment.content_type) == ("方案 说明.pdf", "application/pdf")
    assert kept(settings) == [attachment.stored_name]
    assert await count(db, AuditEntry, AuditEntry.action == "attachment.add") == 1

    page = await browser.get(f"/teams/{team.id}/entry")
    assert page.status_code == 200
    for text in ("方案 说明.pdf", "PDF document", f'href="/attachments/{attachment.id}"', "Remove the file"):
        assert text in page.text
    assert f"/teams/{team.id}/entry/attachments/{attachment.id}/delete" in page.text

    download = await browser.get(f"/attachments/{attachment.id}")
    assert download.status_code == 200 and download.content == files.PDF
    assert download.headers["content-type"] == "application/pdf"
    assert download.headers["x-content-type-options"] == "nosniff"
    assert download.headers["content-disposition"] == (
        "attachment; filename=\"attachment.pdf\"; filename*=UTF-8''" + quote("方案 说明.pdf", safe="")
    )

    removed = await browser.post(f"/teams/{team.id}/entry/attachments/{attachment.id}/delete")
    assert removed.status_code == 303
    assert await count(db, Attachment) == 0 and kept(settings) == []
    assert await count(db, AuditEntry, AuditEntry.action == "attachment.delete") == 1
    assert (await browser.get(f"/attachments/{attachment.id}")).status_code == 404


async def test_text_downloads_say_utf8_and_stay_attachments(db: AsyncSession, browser: Browser) -> None:
    scenario, team = await member_setup(db)
    await browser.sign_in("ann@example.com")
    await send(browser, upload_url(team, scenario), 'notes "v2".csv', files.CSV)
    attachment = await first(db, select(Attachment))
    download = await browser.get(f"/attachments/{attachment.id}")
    assert download.headers["content-type"] == "text/plain; charset=utf-8"
    assert download.headers["content-disposition"] == (
        "attachment; filename=\"notes _v2.csv\"; filename*=UTF-8''notes%20_v2_.csv"
    )
    assert download.content == files.CSV


async def test_size_limit_at_and_past_it_through_the_form(
    db: AsyncSession, browser: Browser, settings: Settings
) -> None:
    scenario, team = await member_setup(db)
    await browser.sign_in("ann@example.com")
    url = upload_url(team, scenario)

    at_limit = await send(browser, url, "at-limit.txt", files.text_of_size(MAX_BYTES))
    assert at_limit.status_code == 303

    # one byte over: read, refused by the service, the message next to the file field
    over = await send(browser, url, "over.txt", files.text_of_size(MAX_BYTES + 1))
    assert over.status_code == 422
    assert "The file is too large: a file can be at most 4 KB." in over.text
    assert 'id="e-file"' in over.text and 'aria-invalid="true"' in over.text

    # far over: refused before it is parsed, and the entry page says why
    huge = await send(browser, url, "huge.txt", files.text_of_size(MAX_BYTES + UPLOAD_OVERHEAD + 1))
    assert huge.status_code == 303
    target = huge.headers["location"]
    assert target == f"/teams/{team.id}/entry?phase={scenario.submission.id}&file_error=too_large#attachments"
    shown = await browser.get(target)
    assert shown.status_code == 200 and "The file is too large: a file can be at most 4 KB." in shown.text

    # the same for htmx, which is never redirected: it fetches the file section in place
    in_place = await send(browser, url, "huge.txt", files.text_of_size(3 * MAX_BYTES + UPLOAD_OVERHEAD), htmx=True)
    assert in_place.status_code == 200
    location = json.loads(in_place.headers["hx-location"])
    assert location["target"] == "#attachments" and location["select"] == "#attachments"
    assert location["path"].endswith("file_error=too_large")

    names = [a.original_name for a in await rows_of(db, select(Attachment))]
    assert names == ["at-limit.txt"] and len(kept(settings)) == 1
    print(f"limit {MAX_BYTES} B: at the limit 303, +1 byte 422, +{UPLOAD_OVERHEAD + 1} bytes refused unread")


async def test_a_body_without_a_length_is_stopped_once_it_passes_the_limit(
    db: AsyncSession, browser: Browser, app: Litestar
) -> None:
    """A chunked body announces no size: the limit is counted as it is read, by the CSRF check
    (token in the form) or by the handler (token in the header). Driven through ASGI directly,
    in small messages, as a server passes a chunked upload on."""
    scenario, team = await member_setup(db)
    await browser.sign_in("ann@example.com")
    cookies = "; ".join(f"{name}={value}" for name, value in browser.client.cookies.items())
    token = browser.client.cookies.get("kaizen_csrf") or ""
    boundary = "kaizen-test-boundary"
    body = (
        (
            f'--{boundary}\r\nContent-Disposition: form-data; name="_csrf_token"\r\n\r\n{token}\r\n'
            f'--{boundary}\r\nContent-Disposition: form-data; name="file"; filename="big.txt"\r\n'
            "Content-Type: text/plain\r\n\r\n"
        ).encode()
        + files.text_of_size(MAX_BYTES + UPLOAD_OVERHEAD + 100)
        + f"\r\n--{boundary}--\r\n".encode()
    )
    chunks = [body[i : i + 8192] for i in range(0, len(body), 8192)]

    async def post(extra: list[tuple[bytes, bytes]]) -> tuple[int, dict[bytes, bytes], int]:
        pending = list(chunks)
        answer: dict[str, Any] = {}

        async def receive() -> dict[str, Any]:
            if not pending:
                return {"type": "http.disconnect"}
            chunk = pending.pop(0)
            return {"type": "http.request", "body": chunk, "more_body": bool(pending)}

        async def send(message: dict[str, Any]) -> None:
            if message["type"] == "http.response.start":
                answer["status"], answer["headers"] = message["status"], dict(message["headers"])

        scope = {
            "type": "http",
            "asgi": {"version": "3.0"},
            "http_version": "1.1",
            "method": "POST",
            "scheme": "http",
            "path": f"/teams/{team.id}/entry/attachments",
            "raw_path": f"/teams/{team.id}/entry/attachments".encode(),
            "root_path": "",
            "query_string": f"phase={scenario.submission.id}".encode(),
            "headers": [
                (b"host", b"testserver.local"),
                (b"content-type", f"multipart/form-data; boundary={boundary}".encode()),
                (b"cookie", cookies.encode()),
                *extra,
            ],
            "client": ("127.0.0.1", 50000),
            "server": ("testserver.local", 80),
            "state": {},
        }
        # in the app's own event loop, as the test client runs it (the database pool lives there)
        asgi: Any = app
        with browser.client.portal() as portal:
            portal.call(asgi, scope, receive, send)
        return answer["status"], answer["headers"], len(pending)

    for extra in ([], [(b"x-csrftoken", token.encode())]):
        status, headers, unread = await post(extra)
        assert status == 303
        assert headers[b"location"].endswith(b"file_error=too_large#attachments")
        assert unread == 0  # the rest of the body was read and dropped, so the browser sees the answer
    assert await count(db, Attachment) == 0


async def test_the_csrf_token_may_come_as_a_form_field_and_is_required(db: AsyncSession, browser: Browser) -> None:
    scenario, team = await member_setup(db)
    await browser.sign_in("ann@example.com")
    url = upload_url(team, scenario)
    token = browser.client.cookies.get("kaizen_csrf")
    client = browser.client

    as_field = await client.post(
        url,
        data={"_csrf_token": token},
        files={"file": ("a.pdf", files.PDF, "application/pdf")},
        follow_redirects=False,
    )
    assert as_field.status_code == 303, as_field.text
    # a file a little over the limit, token in the form: the CSRF check reads the form, the service refuses
    over = await client.post(
        url, data={"_csrf_token": token}, files={"file": ("b.txt", files.text_of_size(MAX_BYTES + 10), "text/plain")}
    )
    assert over.status_code == 422 and "at most 4 KB" in over.text
    missing = await client.post(url, files={"file": ("c.pdf", files.PDF, "application/pdf")})
    assert missing.status_code == 403
    assert await count(db, Attachment) == 1


async def test_count_limit_empty_missing_and_disguised_files(
    db: AsyncSession, browser: Browser, settings: Settings
) -> None:
    scenario, team = await member_setup(db)
    await browser.sign_in("ann@example.com")
    url = upload_url(team, scenario)

    nothing = await browser.post(url, {"file": ""})
    assert nothing.status_code == 422 and "Choose a file to upload." in nothing.text
    empty = await send(browser, url, "empty.pdf", b"")
    assert empty.status_code == 422 and "The file is empty." in empty.text
    html = await send(browser, url, "report.pdf", files.HTML)
    assert html.status_code == 422 and "Files of this kind are not accepted." in html.text
    program = await send(browser, url, "report.pdf", files.WINDOWS_EXE, htmx=True)
    assert program.status_code == 422 and "Files of this kind are not accepted." in program.text
    assert kept(settings) == [] and await count(db, Entry) == 0  # nothing kept, not even an entry

    for i, data in enumerate((files.PDF, files.png(), files.ooxml("word"))):
        assert (await send(browser, url, f"f{i}", data)).status_code == 303
    full = await send(browser, url, "one-more.pdf", files.PDF)
    assert full.headers["location"].startswith(f"/teams/{team.id}/entry?")  # a reload cannot add it later
    assert "An entry can hold at most 3 files. Remove one to add another." in (await browser.landing(full)).text
    page = await browser.get(f"/teams/{team.id}/entry")
    assert "The entry holds as many files as it can." in page.text and 'name="file"' not in page.text
    kinds = sorted(a.content_type for a in await rows_of(db, select(Attachment)))
    assert kinds == [
        "application/pdf",
        "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
        "image/png",
    ]
    names = sorted(a.original_name for a in await rows_of(db, select(Attachment)))
    assert names == ["f0.pdf", "f1.png", "f2.docx"]
    assert len(kept(settings)) == 3


async def test_htmx_upload_answers_with_the_page_it_takes_the_file_section_from(
    db: AsyncSession, browser: Browser
) -> None:
    scenario, team = await member_setup(db)
    await browser.sign_in("ann@example.com")
    sent = await send(browser, upload_url(team, scenario), "plan.pdf", files.PDF, htmx=True)
    assert sent.status_code == 200 and 'id="attachments"' in sent.text and "plan.pdf" in sent.text
    attachment = await first(db, select(Attachment))
    removed = await browser.post(f"/teams/{team.id}/entry/attachments/{attachment.id}/delete", htmx=True)
    assert removed.status_code == 200 and "No files yet." in removed.text


async def test_late_uploads_are_refused_after_the_deadline_and_allowed_with_an_extension(
    db: AsyncSession, browser: Browser, clock: FrozenClock, settings: Settings
) -> None:
    scenario, team = await member_setup(db)
    close = scenario.submission.closes_at
    await browser.sign_in("ann@example.com")
    url = upload_url(team, scenario)
    assert (await send(browser, url, "early.pdf", files.PDF)).status_code == 303
    early = await first(db, select(Attachment))

    clock.set(close)
    await switch_to(browser, "ann@example.com")  # days later: a new session
    late = await browser.landing(await send(browser, url, "late.pdf", files.PDF))
    assert "The submission phase closed at" in late.text and "Files can no longer be added or removed." in late.text
    removal = await browser.post(f"/teams/{team.id}/entry/attachments/{early.id}/delete")
    assert removal.status_code == 303 and kept(settings) == [early.stored_name]
    assert "Files can no longer be added or removed." in (await browser.landing(removal)).text
    page = await browser.get(f"/teams/{team.id}/entry")
    assert "Files can be added or removed only while your team can submit." in page.text
    assert "Remove the file" not in page.text and 'name="file"' not in page.text

    db.add(Extension(team_id=team.id, phase_id=scenario.submission.id, until=close + 2 * H, reason="Ill"))
    await db.commit()
    clock.set(close + H)
    assert (await send(browser, url, "extended.pdf", files.PDF)).status_code == 303
    names = sorted(a.original_name for a in await rows_of(db, select(Attachment)))
    assert names == ["early.pdf", "extended.pdf"]


async def test_outsiders_cannot_upload_or_remove(db: AsyncSession, browser: Browser, settings: Settings) -> None:
    scenario, team = await member_setup(db)
    await make_user(db, "bob@example.com")
    await db.commit()
    await browser.sign_in("ann@example.com")
    await send(browser, upload_url(team, scenario), "plan.pdf", files.PDF)
    attachment = await first(db, select(Attachment))
    for outsider in ("bob@example.com", "org@example.com"):
        await switch_to(browser, outsider)
        assert (await send(browser, upload_url(team, scenario), "x.pdf", files.PDF)).status_code == 404
        removal = await browser.post(f"/teams/{team.id}/entry/attachments/{attachment.id}/delete")
        assert removal.status_code == 404
    assert await count(db, Attachment) == 1 and len(kept(settings)) == 1


# --- who may download ---------------------------------------------------------------------------


@dataclass
class Judged:
    scenario: Scenario
    team: Team
    entry: Entry
    attachment: Attachment


async def judged_setup(db: AsyncSession, settings: Settings) -> Judged:
    people = {
        name: await make_user(db, f"{name}@example.com")
        for name in ("org", "org2", "ann", "bob", "judge1", "judge2", "judge3", "outsider")
    }
    await make_user(db, "admin@example.com", admin=True)
    sponsor = await make_user(db, "sponsor@example.com", executive=True)
    await make_user(db, "exec@example.com", executive=True)
    judges = [people["judge1"], people["judge2"], people["judge3"]]
    scenario = await make_campaign(db, organizer=people["org"], sponsor=sponsor, judges=judges, stage="judging")
    scenario.judging.required_judges = 1
    await make_campaign(db, organizer=people["org2"], judges=[people["judge2"]], title="Other campaign")
    team = await make_team(db, scenario, people["ann"], name="Lights")
    await make_team(db, scenario, people["bob"], name="Others")
    entry = await make_entry(db, team, scenario.submission)
    attachment = await files.make_attachment(db, file_store(settings), entry, name="计划书.pdf")
    await assign(db, scenario.judging, entry, people["judge1"])
    await assign(db, scenario.judging, entry, people["judge3"])
    await db.commit()
    return Judged(scenario, team, entry, attachment)


async def test_download_permission_matrix(db: AsyncSession, browser: Browser, settings: Settings) -> None:
    judged = await judged_setup(db, settings)
    url = f"/attachments/{judged.attachment.id}"
    # judge3 declares a conflict of interest: the entry leaves their list, and its files with it
    await browser.sign_in("judge3@example.com")
    base = f"/judging/{judged.scenario.judging.id}/entries/{judged.entry.id}"
    assert (await browser.get(url)).status_code == 200
    declared = await browser.post(f"{base}/conflict", {"confirm": "yes", "reason": "My brother"})
    assert declared.status_code == 303
    await browser.sign_out()

    anonymous = await browser.get(url, follow_redirects=False)
    assert anonymous.status_code == 303 and anonymous.headers["location"].startswith("/sign-in")

    expected = {
        "ann": 200,  # a member of the team
        "bob": 404,  # a member of another team
        "judge1": 200,  # assigned to the entry
        "judge2": 404,  # a judge of the campaign, not assigned to it
        "judge3": 404,  # assigned, then declared a conflict
        "org": 200,  # organizer of this campaign
        "org2": 404,  # organizer of another campaign
        "sponsor": 200,  # the executive sponsoring the campaign
        "exec": 404,  # another executive
        "admin": 200,
        "outsider": 404,
    }
    seen: dict[str, int] = {}
    for name in expected:
        await switch_to(browser, f"{name}@example.com")
        response = await browser.get(url)
        seen[name] = response.status_code
        if response.status_code == 200:
            assert response.content == files.PDF
            assert response.headers["content-disposition"].startswith('attachment; filename="attachment.pdf"')
    print("download statuses: " + ", ".join(f"{name} {status}" for name, status in seen.items()))
    assert seen == expected
    # a missing id is the same 404
    assert (await browser.get("/attachments/999999")).status_code == 404


async def test_the_judge_and_the_organizer_see_the_files_beside_the_entry(
    db: AsyncSession, browser: Browser, settings: Settings, queries: Any
) -> None:
    judged = await judged_setup(db, settings)
    score_url = f"/judging/{judged.scenario.judging.id}/entries/{judged.entry.id}"
    team_url = f"/teams/{judged.team.id}"

    async def measure() -> tuple[int, int]:
        await switch_to(browser, "judge1@example.com")
        queries.reset()
        score = await browser.get(score_url)
        assert score.status_code == 200
        score_count = queries.count
        await switch_to(browser, "org@example.com")
        queries.reset()
        team = await browser.get(team_url)
        assert team.status_code == 200
        for page in (score, team):
            assert "计划书.pdf" in page.text and f'href="/attachments/{judged.attachment.id}"' in page.text
        return score_count, queries.count

    small = await measure()
    entry = await first(db, select(Entry).where(Entry.id == judged.entry.id))
    for i in range(4):
        await files.make_attachment(db, file_store(settings), entry, name=f"more-{i}.png", data=files.png())
    await db.commit()
    large = await measure()
    print(f"queries: score page {small[0]} -> {large[0]}, team page {small[1]} -> {large[1]}")
    assert small == large


async def test_entry_page_queries_do_not_grow_with_files(db: AsyncSession, browser: Browser, queries: Any) -> None:
    scenario, team = await member_setup(db)
    await browser.sign_in("ann@example.com")
    await send(browser, upload_url(team, scenario), "a.pdf", files.PDF)
    queries.reset()
    assert (await browser.get(f"/teams/{team.id}/entry")).status_code == 200
    one = queries.count
    for name in ("b.pdf", "c.pdf"):
        await send(browser, upload_url(team, scenario), name, files.PDF)
    queries.reset()
    page = await browser.get(f"/teams/{team.id}/entry")
    print(f"queries: entry page with 1 file {one}, with 3 files {queries.count}")
    assert queries.count == one and all(n in page.text for n in ("a.pdf", "b.pdf", "c.pdf"))


async def test_a_file_missing_from_the_store_is_a_404_not_a_500(
    db: AsyncSession, browser: Browser, settings: Settings
) -> None:
    judged = await judged_setup(db, settings)
    await file_store(settings).delete([judged.attachment.stored_name])
    await browser.sign_in("ann@example.com")
    assert (await browser.get(f"/attachments/{judged.attachment.id}")).status_code == 404


async def test_a_file_sent_in_time_but_written_after_the_close_is_refused(
    db: AsyncSession, browser: Browser, clock: FrozenClock, settings: Settings, monkeypatch: pytest.MonkeyPatch
) -> None:
    """As a submission (tests/teams/test_deadline_clock.py): the instant that decides is the
    server's clock once the write holds the phase's lock, not when the request was read."""
    import teams.write_window

    scenario, team = await member_setup(db)
    close = scenario.submission.closes_at
    await browser.sign_in("ann@example.com")
    url = upload_url(team, scenario)
    assert (await send(browser, url, "early.pdf", files.PDF)).status_code == 303
    early = await first(db, select(Attachment))
    real = teams.write_window.lock_phase

    async def granted_two_seconds_later(session: AsyncSession, phase_id: int) -> Any:
        clock.advance(timedelta(seconds=2))
        return await real(session, phase_id)

    monkeypatch.setattr("teams.attachments.lock_phase", granted_two_seconds_later)
    clock.set(close - timedelta(seconds=1))  # read one second before the close, written one after
    await switch_to(browser, "ann@example.com")  # days later: a new session
    late = await browser.landing(await send(browser, url, "late.pdf", files.PDF))
    assert "Files can no longer be added or removed." in late.text
    clock.set(close - timedelta(seconds=1))
    removal = await browser.post(f"/teams/{team.id}/entry/attachments/{early.id}/delete")
    assert "Files can no longer be added or removed." in (await browser.landing(removal)).text
    assert [a.original_name for a in await rows_of(db, select(Attachment))] == ["early.pdf"]
    assert kept(settings) == [early.stored_name]

    clock.set(close - timedelta(seconds=3))  # written one second before the close: kept
    assert (await send(browser, url, "in-time.pdf", files.PDF)).status_code == 303
    assert sorted(a.original_name for a in await rows_of(db, select(Attachment))) == ["early.pdf", "in-time.pdf"]


ENTRY_TEXT = {"title": "Pick to light", "summary": "Lights.", "problem": "Wrong picks.", "solution": "Lights."}


async def test_files_are_versioned_with_the_submitted_entry(
    db: AsyncSession, browser: Browser, settings: Settings
) -> None:
    """Others see the files of the version submitted in time: one added since is the team's own,
    one removed since stays until the team submits again, which forgets it (bytes included)."""
    scenario, team = await member_setup(db)
    await browser.sign_in("ann@example.com")
    submit_url = f"/teams/{team.id}/entry/submit"
    for name in ("a.pdf", "b.pdf"):
        assert (await send(browser, upload_url(team, scenario), name, files.PDF)).status_code == 303
    assert (await browser.post(submit_url, {"phase_id": scenario.submission.id, **ENTRY_TEXT})).status_code == 303
    a, b = await rows_of(db, select(Attachment).order_by(Attachment.id))
    assert a.submitted and b.submitted

    await send(browser, upload_url(team, scenario), "c.png", files.png())
    c = await first(db, select(Attachment).where(Attachment.original_name == "c.png"))
    removed = await browser.post(f"/teams/{team.id}/entry/attachments/{a.id}/delete?phase={scenario.submission.id}")
    assert removed.status_code == 303
    assert a.stored_name in kept(settings)  # still in the submitted version

    page = (await browser.get(f"/teams/{team.id}/entry")).text
    working = page.split('id="attachments"')[1].split("removed-files")[0]
    assert "c.png" in working and "b.pdf" in working and "a.pdf" not in working
    assert "Not submitted yet" in working
    assert "still in the submitted version" in page and f'href="/attachments/{a.id}"' in page
    assert "You have changed the entry since it was submitted" in page

    async def organizer_sees() -> tuple[str, dict[str, int]]:
        await switch_to(browser, "org@example.com")
        team_page = (await browser.get(f"/teams/{team.id}")).text
        statuses = {row.original_name: (await browser.get(f"/attachments/{row.id}")).status_code for row in (a, b, c)}
        await switch_to(browser, "ann@example.com")
        return team_page, statuses

    team_page, statuses = await organizer_sees()
    assert "a.pdf" in team_page and "b.pdf" in team_page and "c.png" not in team_page
    assert statuses == {"a.pdf": 200, "b.pdf": 200, "c.png": 404}
    assert (await browser.get(f"/attachments/{c.id}")).status_code == 200  # the team's own file

    assert (await browser.post(submit_url, {"phase_id": scenario.submission.id, **ENTRY_TEXT})).status_code == 303
    team_page, statuses = await organizer_sees()
    assert "a.pdf" not in team_page and "b.pdf" in team_page and "c.png" in team_page
    assert statuses == {"a.pdf": 404, "b.pdf": 200, "c.png": 200}
    assert [row.original_name for row in await rows_of(db, select(Attachment).order_by(Attachment.id))] == [
        "b.pdf",
        "c.png",
    ]
    assert a.stored_name not in kept(settings)
    assert "still in the submitted version" not in (await browser.get(f"/teams/{team.id}/entry")).text


async def test_a_file_never_submitted_goes_at_once_and_frees_its_place(
    db: AsyncSession, browser: Browser, settings: Settings
) -> None:
    scenario, team = await member_setup(db)
    await browser.sign_in("ann@example.com")
    for name in ("a.pdf", "b.pdf", "c.pdf"):
        await send(browser, upload_url(team, scenario), name, files.PDF)
    a = await first(db, select(Attachment).where(Attachment.original_name == "a.pdf"))
    await browser.post(f"/teams/{team.id}/entry/attachments/{a.id}/delete?phase={scenario.submission.id}")
    assert await count(db, Attachment) == 2 and a.stored_name not in kept(settings)
    # a removed file no longer counts against the limit, submitted or not
    submitted = await browser.post(f"/teams/{team.id}/entry/submit", {"phase_id": scenario.submission.id, **ENTRY_TEXT})
    assert submitted.status_code == 303
    b = await first(db, select(Attachment).where(Attachment.original_name == "b.pdf"))
    await browser.post(f"/teams/{team.id}/entry/attachments/{b.id}/delete?phase={scenario.submission.id}")
    assert (await send(browser, upload_url(team, scenario), "d.pdf", files.PDF)).status_code == 303
    assert (await send(browser, upload_url(team, scenario), "e.pdf", files.PDF)).status_code == 303
    refused = await browser.landing(await send(browser, upload_url(team, scenario), "f.pdf", files.PDF))
    assert "at most 3 files" in refused.text
    # removing it twice: the second is a 404, as for a file that never existed
    again = await browser.post(f"/teams/{team.id}/entry/attachments/{b.id}/delete?phase={scenario.submission.id}")
    assert again.status_code == 404
    assert await count(db, Attachment, Attachment.removed_at.is_not(None)) == 1


async def test_judges_see_only_the_submitted_files(db: AsyncSession, browser: Browser, settings: Settings) -> None:
    judged = await judged_setup(db, settings)
    entry = await first(db, select(Entry).where(Entry.id == judged.entry.id))
    draft = await files.make_attachment(db, file_store(settings), entry, name="draft-notes.pdf", submitted=False)
    await db.commit()
    score_url = f"/judging/{judged.scenario.judging.id}/entries/{judged.entry.id}"
    await browser.sign_in("judge1@example.com")
    score = (await browser.get(score_url)).text
    assert "计划书.pdf" in score and "draft-notes.pdf" not in score
    assert (await browser.get(f"/attachments/{draft.id}")).status_code == 404
    for name, status in (("org", 404), ("admin", 404), ("ann", 200)):
        await switch_to(browser, f"{name}@example.com")
        assert (await browser.get(f"/attachments/{draft.id}")).status_code == status, name
