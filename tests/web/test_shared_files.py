"""Two app instances behind a load balancer: with one bucket, each serves the files uploaded
through the other, and a removal through one is seen by both. Nothing stays on either
instance's own disk. A bucket that cannot be reached is said, not a 500."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

from litestar.testing import AsyncTestClient
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from core.clock import FrozenClock
from teams.file_store import DOWNLOAD_CHUNK, LocalFileStore, S3Location
from teams.models import Attachment
from tests.conftest import Browser
from tests.factories import make_campaign, make_entry, make_team, make_user
from tests.object_store import object_names
from tests.teams import files
from tests.teams.helpers import count, first
from web.app import create_app
from web.settings import Settings


async def test_two_instances_with_one_bucket_serve_each_others_files(
    db: AsyncSession, clock: FrozenClock, settings: Settings, s3_location: S3Location, tmp_path: Path
) -> None:
    organizer = await make_user(db, "org@example.com")
    scenario = await make_campaign(db, organizer=organizer, stage="submission")
    ann = await make_user(db, "ann@example.com", name="Ann")
    team = await make_team(db, scenario, ann, name="Lights")
    await db.commit()
    upload_url = f"/teams/{team.id}/entry/attachments?phase={scenario.submission.id}"
    disks = (tmp_path / "instance-a", tmp_path / "instance-b")
    apps = [create_app(replace(settings, upload_dir=disk, s3=s3_location), clock=clock) for disk in disks]
    # larger than a download chunk: it comes back in several
    big = files.text_of_size(3 * DOWNLOAD_CHUNK + 123)

    async with (
        AsyncTestClient(app=apps[0], base_url="http://testserver.local") as client_a,
        AsyncTestClient(app=apps[1], base_url="http://testserver.local") as client_b,
    ):
        a, b = Browser(client_a), Browser(client_b)
        await a.sign_in("ann@example.com")
        await b.sign_in("ann@example.com")
        sent = await a.post(upload_url, files={"file": ("方案.pdf", files.PDF, "application/pdf")})
        assert sent.status_code == 303, sent.text
        plan = await first(db, select(Attachment).where(Attachment.original_name == "方案.pdf"))
        sent = await b.post(upload_url, files={"file": ("figures.csv", big, "text/csv")})
        assert sent.status_code == 303, sent.text
        figures = await first(db, select(Attachment).where(Attachment.original_name == "figures.csv"))
        assert object_names(s3_location) == sorted([plan.stored_name, figures.stored_name])

        from_b = await b.get(f"/attachments/{plan.id}")
        assert from_b.status_code == 200 and from_b.content == files.PDF
        assert from_b.headers["content-type"] == "application/pdf"
        assert from_b.headers["x-content-type-options"] == "nosniff"
        assert from_b.headers["content-disposition"] == (
            "attachment; filename=\"attachment.pdf\"; filename*=UTF-8''%E6%96%B9%E6%A1%88.pdf"
        )
        from_a = await a.get(f"/attachments/{figures.id}")
        assert from_a.status_code == 200 and from_a.content == big
        assert from_a.headers["content-length"] == str(len(big))
        assert from_a.headers["content-type"] == "text/plain; charset=utf-8"

        # removed through one instance: gone for the other as well, its object with it
        removed = await b.post(f"/teams/{team.id}/entry/attachments/{plan.id}/delete")
        assert removed.status_code == 303
        assert (await a.get(f"/attachments/{plan.id}")).status_code == 404
        assert object_names(s3_location) == [figures.stored_name]

    assert [files.on_disk(disk) for disk in disks] == [[], []]


async def test_a_bucket_that_cannot_be_reached_is_said_and_nothing_is_kept(
    db: AsyncSession, clock: FrozenClock, settings: Settings, s3_location: S3Location, tmp_path: Path
) -> None:
    """An object store that is down: the upload is refused with a message and
    leaves nothing behind, a download is a 503 with the same message, never a 500."""
    organizer = await make_user(db, "org@example.com")
    scenario = await make_campaign(db, organizer=organizer, stage="submission")
    ann = await make_user(db, "ann@example.com", name="Ann")
    team = await make_team(db, scenario, ann, name="Lights")
    entry = await make_entry(db, team, scenario.submission)
    kept_earlier = await files.make_attachment(db, LocalFileStore(tmp_path / "elsewhere"), entry)
    await db.commit()
    # nothing listens on port 1 of this machine: every request is refused
    down = replace(s3_location, endpoint="http://127.0.0.1:1")
    wrong = replace(settings, upload_dir=tmp_path / "uploads", s3=down)
    message = "Files cannot be stored or fetched right now. Please try again in a moment."

    async with AsyncTestClient(app=create_app(wrong, clock=clock), base_url="http://testserver.local") as client:
        browser = Browser(client)
        await browser.sign_in("ann@example.com")
        sent = await browser.post(
            f"/teams/{team.id}/entry/attachments?phase={scenario.submission.id}",
            files={"file": ("plan.pdf", files.PDF, "application/pdf")},
        )
        assert message in (await browser.landing(sent)).text
        download = await browser.get(f"/attachments/{kept_earlier.id}")
        assert download.status_code == 503 and message in download.text

    assert await count(db, Attachment) == 1 and files.on_disk(tmp_path / "uploads") == []
