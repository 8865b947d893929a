"""Entry attachments through the service: limits at and past each one, type by content, generated
names, the submission deadline, and the kept files following the transaction; against both file
stores, the local disk and an S3-compatible bucket (``storage_backend``)."""

from __future__ import annotations

import hashlib
import io
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from accounts.models import User
from campaigns.deadlines import utc_to_local
from core.audit import AuditEntry
from core.clock import FrozenClock
from core.errors import Conflict, Invalid, NotFound
from teams import attachments as attachments_module
from teams import storage
from teams.attachments import TOO_MANY, UploadLimits, delete_attachment, entry_attachments, upload_attachment
from teams.extensions import grant_extension
from teams.file_store import FileStore, LocalFileStore, ObjectFileStore, S3Location
from teams.models import Attachment, Entry, Team
from teams.write_window import LateWrite
from tests.factories import Scenario, make_campaign, make_team, make_user
from tests.teams import files
from tests.teams.files import stored, stored_bytes
from tests.teams.helpers import count, first, rows_of

H = timedelta(hours=1)


async def undo(db: AsyncSession, *objects: Any) -> None:
    """Rolls the test's transaction back, as the app does after a refused request, and reloads ``objects``."""
    await db.rollback()
    for obj in objects:
        await db.refresh(obj)
    await db.commit()


async def setup(db: AsyncSession) -> tuple[Scenario, User, Team, User]:
    organizer = await make_user(db, "org@example.com")
    scenario = await make_campaign(db, organizer=organizer, stage="submission", timezone="Europe/Berlin")
    ann = await make_user(db, "ann@example.com")
    team = await make_team(db, scenario, ann, name="Lights")
    await db.commit()
    return scenario, ann, team, organizer


async def upload(
    db: AsyncSession, actor: User, team: Team, name: str, data: bytes, limits: UploadLimits, now: Any
) -> Attachment:
    attachment = await upload_attachment(db, actor, team.id, None, name, io.BytesIO(data), limits, now)
    await db.commit()
    return attachment


@pytest.fixture
def limits(tmp_path: Path, storage_backend: S3Location | None) -> UploadLimits:
    uploads = tmp_path / "uploads"
    store: FileStore = (
        LocalFileStore(uploads) if storage_backend is None else ObjectFileStore(storage_backend, staging_dir=uploads)
    )
    return UploadLimits(store=store, max_bytes=1000, max_count=3)


async def test_a_file_of_exactly_the_size_limit_is_kept_and_one_byte_more_is_refused(
    db: AsyncSession, clock: FrozenClock, limits: UploadLimits
) -> None:
    _scenario, ann, team, _org = await setup(db)
    at_limit = files.text_of_size(limits.max_bytes)

    kept = await upload(db, ann, team, "notes.txt", at_limit, limits, clock.now())
    assert kept.size_bytes == 1000 and kept.content_type == "text/plain"
    stored_name = kept.stored_name

    with pytest.raises(Invalid) as over:
        await upload(db, ann, team, "notes.txt", files.text_of_size(limits.max_bytes + 1), limits, clock.now())
    await undo(db, ann, team)
    assert over.value.field == "file"
    assert over.value.message == storage.TOO_LARGE and over.value.params == {"max": "1000 B"}
    assert stored(limits.store) == [stored_name]  # no temporary file left behind
    assert await count(db, Attachment) == 1
    print(f"size limit {limits.max_bytes} B: {limits.max_bytes} kept, {limits.max_bytes + 1} refused")


async def test_the_count_limit_per_entry_at_and_past_it(
    db: AsyncSession, clock: FrozenClock, limits: UploadLimits
) -> None:
    _scenario, ann, team, _org = await setup(db)
    kept = [await upload(db, ann, team, f"p{i}.pdf", files.PDF, limits, clock.now()) for i in range(limits.max_count)]
    first_id = kept[0].id

    with pytest.raises(Conflict) as full:
        await upload(db, ann, team, "one-more.pdf", files.PDF, limits, clock.now())
    await undo(db, ann, team)
    assert full.value.message == TOO_MANY and full.value.params == {"max": 3} and full.value.field == "file"
    assert len(stored(limits.store)) == 3

    # removing one makes room for one
    await delete_attachment(db, ann, team.id, first_id, limits.store, clock.now())
    await db.commit()
    await upload(db, ann, team, "one-more.pdf", files.PDF, limits, clock.now())
    entry = await first(db, select(Entry).where(Entry.team_id == team.id))
    names = [a.original_name for a in await entry_attachments(db, entry.id)]
    await db.commit()
    assert names == ["p1.pdf", "p2.pdf", "one-more.pdf"]


async def test_an_empty_file_is_refused(db: AsyncSession, clock: FrozenClock, limits: UploadLimits) -> None:
    _scenario, ann, team, _org = await setup(db)
    with pytest.raises(Invalid) as empty:
        await upload(db, ann, team, "empty.pdf", b"", limits, clock.now())
    await undo(db, ann, team)
    assert empty.value.message == storage.EMPTY
    assert stored(limits.store) == [] and await count(db, Attachment) == 0


@pytest.mark.parametrize(
    ("label", "data", "message"),
    [
        ("html", files.HTML, storage.NOT_ACCEPTED),
        ("linux program", files.ELF, storage.NOT_ACCEPTED),
        ("windows program", files.WINDOWS_EXE, storage.NOT_ACCEPTED),
        ("shell script", files.SCRIPT, storage.NOT_ACCEPTED),
        ("svg", files.SVG, storage.NOT_ACCEPTED),
        ("latin-1 text", files.LATIN1_CSV, storage.NOT_UTF8),
        ("word with macros", files.ooxml("word", macros=True), storage.MACROS),
        ("damaged zip", files.plain_zip()[:-30], storage.DAMAGED),
    ],
)
async def test_a_file_named_pdf_whose_bytes_are_something_else_is_refused(
    db: AsyncSession, clock: FrozenClock, limits: UploadLimits, label: str, data: bytes, message: str
) -> None:
    _scenario, ann, team, _org = await setup(db)
    with pytest.raises(Invalid) as refused:
        await upload(db, ann, team, "report.pdf", data, limits, clock.now())
    await undo(db, ann, team)
    assert refused.value.message == message, label
    assert stored(limits.store) == [] and await count(db, Attachment) == 0


@pytest.mark.parametrize(
    ("name", "data", "content_type", "shown_as"),
    [
        ("plan.pdf", files.PDF, "application/pdf", "plan.pdf"),
        ("screen.png", files.png(3, 2), "image/png", "screen.png"),
        ("photo.JPG", files.JPEG, "image/jpeg", "photo.JPG"),
        ("anim.gif", files.GIF, "image/gif", "anim.gif"),
        ("pic.webp", files.WEBP, "image/webp", "pic.webp"),
        ("城市.csv", files.CSV, "text/plain", "城市.csv"),
        ("README.md", b"# Pick by light\n\nLEDs on every shelf.\n", "text/plain", "README.md"),
        ("plan.docx", files.ooxml("word"), storage.DOCX, "plan.docx"),
        ("figures.xlsx", files.ooxml("xl"), storage.XLSX, "figures.xlsx"),
        ("pitch.pptx", files.ooxml("ppt"), storage.PPTX, "pitch.pptx"),
        ("bundle.zip", files.plain_zip(), storage.ZIP, "bundle.zip"),
        # the type comes from the bytes: the name gets an extension of that type when it lacks one
        ("scan.pdf", files.png(), "image/png", "scan.pdf.png"),
        ("run.bat", b"del /q C:\\*\n", "text/plain", "run.bat.txt"),
        ("../../etc/passwd", b"root:x:0:0\n", "text/plain", "passwd.txt"),
        ("invoice\u202efdp.exe", files.PDF, "application/pdf", "invoicefdp.exe.pdf"),
    ],
)
async def test_accepted_files_keep_their_detected_type_under_a_generated_name(
    db: AsyncSession,
    clock: FrozenClock,
    limits: UploadLimits,
    name: str,
    data: bytes,
    content_type: str,
    shown_as: str,
) -> None:
    _scenario, ann, team, _org = await setup(db)
    attachment = await upload(db, ann, team, name, data, limits, clock.now())
    assert (attachment.content_type, attachment.original_name) == (content_type, shown_as)
    assert attachment.size_bytes == len(data) and attachment.sha256 == hashlib.sha256(data).hexdigest()
    assert attachment.uploaded_by_id == ann.id and attachment.created_at == clock.now()
    # kept: one file, named by us (32 hex digits), nothing of the user's name in the path
    assert stored(limits.store) == [attachment.stored_name]
    assert len(attachment.stored_name) == 32 and int(attachment.stored_name, 16) >= 0
    assert stored_bytes(limits.store, attachment.stored_name) == data
    audit = await first(db, select(AuditEntry).where(AuditEntry.action == "attachment.add"))
    assert audit.actor_id == ann.id and audit.after["name"] == shown_as and audit.after["size_bytes"] == len(data)


async def test_only_members_add_or_remove_files(db: AsyncSession, clock: FrozenClock, limits: UploadLimits) -> None:
    scenario, ann, team, organizer = await setup(db)
    bob = await make_user(db, "bob@example.com")
    other = await make_team(db, scenario, bob, name="Others")
    await db.commit()
    kept = await upload(db, ann, team, "plan.pdf", files.PDF, limits, clock.now())
    kept_id, stored_name = kept.id, kept.stored_name
    for outsider in (bob, organizer):
        with pytest.raises(NotFound):
            await upload(db, outsider, team, "x.pdf", files.PDF, limits, clock.now())
        await undo(db, ann, team, bob, organizer, other)
        with pytest.raises(NotFound):
            await delete_attachment(db, outsider, team.id, kept_id, limits.store, clock.now())
        await undo(db, ann, team, bob, organizer, other)
    # a file of another team is not found through one's own team either
    with pytest.raises(NotFound):
        await delete_attachment(db, bob, other.id, kept_id, limits.store, clock.now())
    await undo(db, ann, team, bob, organizer, other)
    assert stored(limits.store) == [stored_name]


async def test_late_files_are_refused_with_the_frozen_clock_and_allowed_by_an_extension(
    db: AsyncSession, clock: FrozenClock, limits: UploadLimits
) -> None:
    scenario, ann, team, organizer = await setup(db)
    close = scenario.submission.closes_at
    kept_id = (await upload(db, ann, team, "early.pdf", files.PDF, limits, clock.now())).id

    clock.set(close - timedelta(microseconds=1))
    await upload(db, ann, team, "last-moment.pdf", files.PDF, limits, clock.now())
    clock.set(close)
    with pytest.raises(LateWrite) as late:
        await upload(db, ann, team, "late.pdf", files.PDF, limits, clock.now())
    await undo(db, ann, team, scenario.campaign, scenario.submission)
    assert late.value.message == "The submission phase closed at %(when)s. Files can no longer be added or removed."
    assert late.value.status_code == 409 and late.value.field == "file" and late.value.closed_at == close
    assert late.value.params["when"] == utc_to_local(close, "Europe/Berlin").strftime("%Y-%m-%d %H:%M %Z")
    with pytest.raises(LateWrite):
        await delete_attachment(db, ann, team.id, kept_id, limits.store, clock.now())
    await undo(db, ann, team, scenario.campaign, scenario.submission)
    assert len(stored(limits.store)) == 2 and await count(db, Attachment) == 2

    # an organizer's extension lets this team (and only it) change its files until it ends
    until = close + 2 * H
    organizer = await first(db, select(User).where(User.email == "org@example.com"))
    await grant_extension(db, organizer, clock.now(), scenario.campaign, team.id, scenario.submission.id, until, "Ill")
    await db.commit()
    clock.set(close + H)
    await upload(db, ann, team, "extended.pdf", files.PDF, limits, clock.now())
    await delete_attachment(db, ann, team.id, kept_id, limits.store, clock.now())
    await db.commit()
    clock.set(until)
    with pytest.raises(LateWrite) as ended:
        await upload(db, ann, team, "too-late.pdf", files.PDF, limits, clock.now())
    await undo(db, ann, team, scenario.campaign, scenario.submission)
    assert ended.value.message == "Your extension ended at %(when)s. Files can no longer be added or removed."
    names = sorted(a.original_name for a in await rows_of(db, select(Attachment)))
    assert names == ["extended.pdf", "last-moment.pdf"]


async def test_removing_a_file_deletes_it_from_the_store_once_committed(
    db: AsyncSession, clock: FrozenClock, limits: UploadLimits
) -> None:
    _scenario, ann, team, _org = await setup(db)
    kept = await upload(db, ann, team, "plan.pdf", files.PDF, limits, clock.now())
    kept_id, stored_name = kept.id, kept.stored_name

    # a removal that is rolled back keeps the file (and the row)
    await delete_attachment(db, ann, team.id, kept_id, limits.store, clock.now())
    assert stored(limits.store) == [stored_name]
    await undo(db, ann, team)
    assert stored(limits.store) == [stored_name] and await count(db, Attachment) == 1

    await delete_attachment(db, ann, team.id, kept_id, limits.store, clock.now())
    await db.commit()
    assert stored(limits.store) == [] and await count(db, Attachment) == 0
    audit = await first(db, select(AuditEntry).where(AuditEntry.action == "attachment.delete"))
    assert audit.actor_id == ann.id and audit.before["name"] == "plan.pdf" and audit.after is None


async def test_nothing_is_left_in_the_store_when_the_database_write_fails(
    db: AsyncSession, clock: FrozenClock, limits: UploadLimits, monkeypatch: pytest.MonkeyPatch
) -> None:
    _scenario, ann, team, _org = await setup(db)

    # the transaction that recorded the file rolls back (a later step of the request failed)
    await upload_attachment(db, ann, team.id, None, "plan.pdf", io.BytesIO(files.PDF), limits, clock.now())
    assert len(stored(limits.store)) == 1
    await undo(db, ann, team)
    assert stored(limits.store) == []

    # the write itself fails (here: the audit row)
    async def broken_record(*_args: Any, **_kwargs: Any) -> None:
        raise RuntimeError("database went away")

    monkeypatch.setattr(attachments_module, "record", broken_record)
    with pytest.raises(RuntimeError):
        await upload_attachment(db, ann, team.id, None, "plan.pdf", io.BytesIO(files.PDF), limits, clock.now())
    await undo(db, ann, team)
    assert stored(limits.store) == [] and await count(db, Attachment) == 0


async def test_a_deleted_entry_takes_its_rows_with_it(
    db: AsyncSession, clock: FrozenClock, limits: UploadLimits
) -> None:
    _scenario, ann, team, _org = await setup(db)
    await upload(db, ann, team, "plan.pdf", files.PDF, limits, clock.now())
    entry = await first(db, select(Entry).where(Entry.team_id == team.id))
    await db.delete(entry)
    await db.commit()
    assert await count(db, Attachment) == 0  # ON DELETE CASCADE


# --- the pure parts --------------------------------------------------------------------------------


def test_names_are_made_safe_and_short() -> None:
    long_name = "a" * 300 + ".pdf"
    assert storage.safe_name(long_name, storage.PDF) == "a" * 251 + ".pdf"
    assert len(storage.safe_name("报" * 400, storage.TEXT)) == 255
    assert storage.safe_name('C:\\Users\\ann\\My "best" plan?.pdf', storage.PDF) == "My _best_ plan_.pdf"
    assert storage.safe_name("  .hidden.  ", storage.TEXT) == "hidden.txt"
    assert storage.safe_name("", storage.ZIP) == "attachment.zip"
    assert storage.safe_name("tab\there\nnew.txt", storage.TEXT) == "tab here new.txt"
    assert storage.ascii_name("方案 说明.pdf") == "attachment.pdf"
    assert storage.ascii_name("Résumé (final).pdf") == "Resume (final).pdf"
    assert storage.ascii_name('a"b\\c.txt') == "a_b_c.txt"


def test_sizes_read_as_people_write_them() -> None:
    assert [storage.human_size(n) for n in (0, 1000, 1024, 1536, 20 * 1024 * 1024, 3 * 1024**3)] == [
        "0 B",
        "1000 B",
        "1 KB",
        "1.5 KB",
        "20 MB",
        "3 GB",
    ]


def test_stored_paths_only_take_generated_names(tmp_path: Path) -> None:
    assert storage.stored_path(tmp_path, "0" * 32) == tmp_path / ("0" * 32)
    for bad in ("../secret", "a" * 31, "A" * 32, "0" * 32 + "/x"):
        with pytest.raises(ValueError):
            storage.stored_path(tmp_path, bad)
