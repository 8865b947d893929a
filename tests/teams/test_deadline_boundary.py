"""The deadline boundary under load: many saves racing the close, on both databases.

`now` given to a save stands for the server's clock when that save commits. To keep that
simulation honest the close (at the effective close T) is issued only once every save stamped
before T holds its lock on the phase row, as it would in real time; the close then has to
wait for the saves still in flight. The figure the storm prints is the one ENGINEERING.md
asks for: accepted late 0, lost 0.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from sqlalchemy import event, func, select, text
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker
from sqlalchemy.util import await_only

from accounts.models import User
from campaigns.deadlines import local_to_utc
from campaigns.models import Phase, PhaseStatus
from campaigns.phase_transitions import close_phase
from core.actors import SCHEDULER
from core.audit import AuditEntry
from core.engine import make_engine
from teams.entries import SubmissionRefused, submit_entry
from teams.models import Entry, EntryStatus, EntryVersion, Extension
from teams.rules import EntryFields
from tests.factories import DAY, Scenario, make_campaign, make_entry, make_team, make_user
from tests.teams.helpers import count, fresh, rows_of

TIMEOUT = 60  # seconds: a deadlock fails the test instead of hanging it (generous for a loaded machine)
SAVE_KEY = "boundary_save"
CLOSED_AT = "The submission phase closed at %(when)s. Your text was kept as a draft."


def postgres_only(url: str) -> None:
    if not url.startswith("postgresql"):
        pytest.skip("row locks (FOR SHARE) and pg_blocking_pids exist on PostgreSQL only; SQLite serialises writers")


def fields_of(title: str) -> EntryFields:
    return EntryFields(title=title, summary="Storm.", prototype_url="https://example.com/demo")


def writers(url: str, connections: int) -> AsyncEngine:
    """The app's engine (BEGIN IMMEDIATE on SQLite); on PostgreSQL a real pool of that size."""
    if url.startswith("postgresql"):
        return make_engine(url, pool_size=connections, max_overflow=0)
    return make_engine(url)


# --- the storm --------------------------------------------------------------------------------


@dataclass(frozen=True)
class Attempt:
    index: int
    team_id: int
    actor: User
    now: datetime
    closes: datetime  # this team's effective close: T, or its extension

    @property
    def title(self) -> str:
        return f"Attempt {self.index}"


@dataclass(frozen=True)
class Outcome:
    attempt: Attempt
    accepted: bool
    message: str | None
    xid: str | None  # PostgreSQL: the save's transaction, to place it against the close's snapshot


@dataclass(eq=False)  # hashable: it is registered as an event listener
class LockWatch:
    """Sees each save take its lock on the phase row (the SELECT of ``_lock_phase``) and the close
    send its UPDATE.

    ``ready`` is set once every save stamped before T holds that lock or is done. The saves in
    ``held`` (the last ones before T) keep their lock until the close has sent its UPDATE, so
    the close always meets saves in flight and must wait for them."""

    before_deadline: set[int]
    held: set[int]
    ready: asyncio.Event = field(default_factory=asyncio.Event)
    close_sent: asyncio.Event = field(default_factory=asyncio.Event)
    in_flight: set[int] = field(default_factory=set)

    def __post_init__(self) -> None:
        self._check()

    def before(self, _conn: Any, _cursor: Any, statement: str, *_args: Any) -> None:
        if statement.startswith("UPDATE phase SET status"):
            self.close_sent.set()

    def after(self, conn: Any, _cursor: Any, statement: str, *_args: Any) -> None:
        key = conn.info.get(SAVE_KEY)
        if key is None or "FROM phase" not in statement or "WHERE phase.id =" not in statement:
            return
        self.in_flight.add(key)
        self._reached(key)
        if key in self.held:
            await_only(self.close_sent.wait())  # inside the save's transaction, its lock still held

    def done(self, key: int) -> None:
        self.in_flight.discard(key)
        self._reached(key)

    def _reached(self, key: int) -> None:
        self.before_deadline.discard(key)
        self._check()

    def _check(self) -> None:
        if not self.before_deadline:
            self.ready.set()


@dataclass(frozen=True)
class CloseResult:
    changed: bool
    in_flight: int
    submitted_seen: int  # submissions of teams without an extension, seen by the close's transaction
    snapshot: str | None  # PostgreSQL: the close's snapshot just before it commits


@dataclass(frozen=True)
class Storm:
    phase_id: int
    deadline: datetime
    extended: frozenset[int]  # teams with an extension past T
    attempts: list[Attempt]


async def save(maker: async_sessionmaker[AsyncSession], watch: LockWatch, attempt: Attempt, phase_id: int) -> Outcome:
    async with maker() as session:
        conn = await session.connection()
        conn.info[SAVE_KEY] = attempt.index
        xid = None
        try:
            await submit_entry(session, attempt.actor, attempt.team_id, phase_id, fields_of(attempt.title), attempt.now)
            accepted, message = True, None
            if conn.dialect.name == "postgresql":
                xid = await session.scalar(text("SELECT pg_current_xact_id()::text"))
        except SubmissionRefused as refused:
            accepted, message = False, refused.message  # committed below: the draft is kept
        conn.info.pop(SAVE_KEY, None)
        await session.commit()
    watch.done(attempt.index)
    return Outcome(attempt, accepted, message, xid)


async def close_when_due(maker: async_sessionmaker[AsyncSession], watch: LockWatch, storm: Storm) -> CloseResult:
    """The scheduler's close at T, once every save stamped before T holds its lock (as in real time)."""
    await watch.ready.wait()
    in_flight = len(watch.in_flight)
    async with maker() as session:
        phase = await session.get(Phase, storm.phase_id)
        assert phase is not None
        changed = await close_phase(session, SCHEDULER, storm.deadline, phase)
        seen = await session.scalar(
            select(func.count())
            .select_from(EntryVersion)
            .join(Entry, Entry.id == EntryVersion.entry_id)
            .where(EntryVersion.submitted, Entry.team_id.not_in(storm.extended))
        )
        postgres = session.bind.dialect.name == "postgresql"
        snapshot = await session.scalar(text("SELECT pg_current_snapshot()::text")) if postgres else None
        await session.commit()
    return CloseResult(changed, in_flight, seen or 0, snapshot)


async def run_storm(url: str, storm: Storm, connections: int) -> tuple[list[Outcome], list[CloseResult]]:
    engine = writers(url, connections + 2)  # + the two closers
    maker = async_sessionmaker(engine, expire_on_commit=False)
    early = sorted((a for a in storm.attempts if a.now < storm.deadline), key=lambda a: a.now)
    # SQLite: a held save would hold the whole database, and the close could never start
    held = {a.index for a in early[-connections // 3 :]} if engine.dialect.name == "postgresql" else set()
    watch = LockWatch({a.index for a in early}, held)
    event.listen(engine.sync_engine, "before_cursor_execute", watch.before)
    event.listen(engine.sync_engine, "after_cursor_execute", watch.after)
    gate = asyncio.Semaphore(connections)

    async def gated(attempt: Attempt) -> Outcome:
        async with gate:
            return await save(maker, watch, attempt, storm.phase_id)

    try:
        async with asyncio.timeout(TIMEOUT):
            ordered = sorted(storm.attempts, key=lambda a: (a.now, a.index))
            saves = [asyncio.create_task(gated(a)) for a in ordered]
            # two instances of the scheduler close at once: exactly one of them changes anything
            closes = [asyncio.create_task(close_when_due(maker, watch, storm)) for _ in range(2)]
            outcomes = await asyncio.gather(*saves)
            closed = await asyncio.gather(*closes)
    finally:
        event.remove(engine.sync_engine, "before_cursor_execute", watch.before)
        event.remove(engine.sync_engine, "after_cursor_execute", watch.after)
        await engine.dispose()
    return list(outcomes), list(closed)


async def arrange_storm(db: AsyncSession, teams: int, saves: int) -> Storm:
    """One submission phase whose effective close is T (announced a minute earlier, a minute of grace);
    every eighth team has an extension to T+25ms, which outlives the close."""
    scenario = await make_campaign(db, stage="submission")
    phase = scenario.submission
    deadline = phase.closes_at
    phase.closes_at, phase.grace_minutes = deadline - timedelta(minutes=1), 1
    members: list[tuple[int, User, datetime]] = []
    for i in range(teams):
        user = await make_user(db, f"member{i}@example.com")
        team = await make_team(db, scenario, user, name=f"Team {i}")
        closes = deadline
        if i % 8 == 3:  # not the teams whose saves are stamped T−1µs and T
            closes = deadline + timedelta(milliseconds=25)
            db.add(Extension(team_id=team.id, phase_id=phase.id, until=closes, reason="Storm"))
        members.append((team.id, user, closes))
    await db.commit()
    # stamps evenly spread over T−50ms … T+50ms, T−1µs and T among them; saves come in pairs
    # per team, so that two saves of one entry race each other
    half = saves // 2
    step = 50_000 // half
    before = [-50_000 + step * k for k in range(half)]
    before[-1] = -1
    offsets = before + [step * k for k in range(saves - half)]
    attempts = []
    for k, offset in enumerate(offsets):
        team_id, actor, closes = members[(k // 2) % teams]
        attempts.append(Attempt(k, team_id, actor, deadline + timedelta(microseconds=offset), closes))
    extended = frozenset(team_id for team_id, _, closes in members if closes > deadline)
    return Storm(phase.id, deadline, extended, attempts)


async def committed_after(db: AsyncSession, snapshot: str, xids: list[str]) -> list[str]:
    """The transactions among ``xids`` that the snapshot does not see: they committed after it."""
    rows = await db.scalars(
        text(
            "SELECT x FROM unnest(CAST(:xids AS text[])) AS x"
            " WHERE NOT pg_visible_in_snapshot(CAST(x AS xid8), CAST(CAST(:snapshot AS text) AS pg_snapshot))"
        ),
        {"xids": xids, "snapshot": snapshot},
    )
    found = list(rows.all())
    await db.commit()
    return found


async def check_close(db: AsyncSession, storm: Storm, outcomes: list[Outcome], closes: list[CloseResult]) -> None:
    """One close happened, and no accepted save of a team without an extension is ordered after it."""
    in_time = [o for o in outcomes if o.accepted and o.attempt.team_id not in storm.extended]
    assert sorted(c.changed for c in closes) == [False, True]
    closed = AuditEntry.action == "phase.close", AuditEntry.subject_id == storm.phase_id
    assert await count(db, AuditEntry, *closed) == 1
    assert [c.submitted_seen for c in closes] == [len(in_time)] * 2, "an accepted save committed after the close"
    for close in closes:
        if close.snapshot is not None:
            xids = [o.xid for o in in_time if o.xid is not None]
            assert len(xids) == len(in_time)
            assert await committed_after(db, close.snapshot, xids) == [], "an accepted save committed after the close"
    phase = await fresh(db, Phase, storm.phase_id)
    assert phase.status is PhaseStatus.CLOSED


async def check_saves(db: AsyncSession, storm: Storm, outcomes: list[Outcome]) -> dict[str, int]:
    versions = await rows_of(db, select(EntryVersion).order_by(EntryVersion.entry_id, EntryVersion.number))
    by_title = {v.title: v for v in versions}
    late = [o.attempt.index for o in outcomes if o.accepted and o.attempt.now >= o.attempt.closes]
    refused_in_time = [o.attempt.index for o in outcomes if not o.accepted and o.attempt.now < o.attempt.closes]
    lost = [o.attempt.index for o in outcomes if o.attempt.title not in by_title]
    assert (late, refused_in_time, lost) == ([], [], []), "accepted ⇔ stamped before the team's effective close"
    assert len(versions) == len(outcomes), "one version per attempt, none lost, none doubled"
    for o in outcomes:
        version = by_title[o.attempt.title]
        assert (version.submitted, version.saved_at) == (o.accepted, o.attempt.now)
        assert version.author_id == o.attempt.actor.id
        assert o.accepted or o.message is not None
    entries = await rows_of(db, select(Entry).where(Entry.phase_id == storm.phase_id))
    for entry in entries:
        mine = [v for v in versions if v.entry_id == entry.id]
        assert [v.number for v in mine] == list(range(1, len(mine) + 1))
        submitted = [v for v in mine if v.submitted]
        last = submitted[-1] if submitted else None
        # judges see the last version submitted in time; the entry's fields hold the latest text
        assert entry.submitted_version == (last.number if last else None)
        assert entry.submitted_at == (last.saved_at if last else None)
        assert entry.status is (EntryStatus.SUBMITTED if last else EntryStatus.DRAFT)
        assert entry.title == mine[-1].title
    accepted = [o for o in outcomes if o.accepted]
    assert await count(db, AuditEntry, AuditEntry.action == "entry.submit") == len(accepted)
    extended = [o for o in accepted if o.attempt.now >= storm.deadline]
    return {"accepted": len(accepted), "extended": len(extended), "late": len(late), "lost": len(lost)}


async def boundary_storm(db: AsyncSession, url: str, *, teams: int, saves: int, connections: int) -> None:
    arranged = await arrange_storm(db, teams, saves)
    outcomes, closes = await run_storm(url, arranged, connections)
    figures = await check_saves(db, arranged, outcomes)
    await check_close(db, arranged, outcomes, closes)
    print(
        f"\nboundary storm ({url.split('+', 1)[0]}): {saves} saves by {teams} teams over {connections} connections,"
        f" {figures['accepted']} accepted ({figures['extended']} by an extension past the close),"
        f" {saves - figures['accepted']} refused, the close waited for {max(c.in_flight for c in closes)} saves"
        f" in flight, accepted late {figures['late']}, lost {figures['lost']}"
    )


async def test_boundary_storm_on_postgresql(db: AsyncSession, database_url: str) -> None:
    postgres_only(database_url)
    await boundary_storm(db, database_url, teams=40, saves=200, connections=20)


async def test_boundary_storm_on_sqlite(db: AsyncSession, database_url: str) -> None:
    if not database_url.startswith("sqlite"):
        pytest.skip("the SQLite variant; PostgreSQL runs the full storm")
    await boundary_storm(db, database_url, teams=12, saves=48, connections=6)


# --- the decision is taken under the lock, inside the writing transaction -----------------------


@pytest.fixture
async def maker(database_url: str) -> AsyncIterator[async_sessionmaker[AsyncSession]]:
    engine = writers(database_url, 4)
    yield async_sessionmaker(engine, expire_on_commit=False)
    await engine.dispose()


async def backend_pid(session: AsyncSession) -> int:
    pid = await session.scalar(select(func.pg_backend_pid()))
    assert isinstance(pid, int)
    return pid


async def wait_until_blocked(observer: AsyncSession, waiter: int, holder: int) -> None:
    """Polls PostgreSQL (no sleeping) until ``waiter`` waits for a lock that ``holder`` keeps."""
    while True:
        blockers = await observer.scalar(select(func.pg_blocking_pids(waiter)))
        await observer.commit()
        if holder in (blockers or []):
            return


async def one_team(db: AsyncSession, *, submitted: bool = False) -> tuple[Scenario, User, User, int]:
    """A member and an organizer; the phase closes at ``scenario.submission.closes_at``."""
    user = await make_user(db, "ann@example.com")
    organizer = await make_user(db, "org@example.com")
    scenario = await make_campaign(db, stage="submission", organizer=organizer)
    team = await make_team(db, scenario, user)
    if submitted:
        await make_entry(db, team, scenario.submission)
    await db.commit()
    return scenario, user, organizer, team.id


async def test_close_waits_for_a_save_in_flight(
    db: AsyncSession, database_url: str, maker: async_sessionmaker[AsyncSession]
) -> None:
    postgres_only(database_url)
    scenario, user, _organizer, team_id = await one_team(db)
    phase_id, deadline = scenario.submission.id, scenario.submission.closes_at
    closer_pid: asyncio.Future[int] = asyncio.get_running_loop().create_future()

    async def close() -> tuple[bool, int | None]:
        async with maker() as session:
            closer_pid.set_result(await backend_pid(session))
            phase = await session.get(Phase, phase_id)
            assert phase is not None
            changed = await close_phase(session, SCHEDULER, deadline, phase)
            seen = await session.scalar(select(Entry.submitted_version).where(Entry.team_id == team_id))
            await session.commit()
            return changed, seen

    async with asyncio.timeout(TIMEOUT), maker() as saver, maker() as observer:
        saver_pid = await backend_pid(saver)
        stamp = deadline - timedelta(milliseconds=1)
        version = await submit_entry(saver, user, team_id, phase_id, fields_of("Just in time"), stamp)
        closing = asyncio.create_task(close())  # the save's transaction is still open
        await wait_until_blocked(observer, await closer_pid, saver_pid)
        assert not closing.done()
        await saver.commit()
        assert await closing == (True, version.number)
    entry = await fresh(db, Entry, version.entry_id)
    assert (entry.status, entry.submitted_version) == (EntryStatus.SUBMITTED, 1)
    assert await count(db, AuditEntry, AuditEntry.action == "phase.close") == 1


async def test_a_save_waiting_for_a_close_by_hand_is_refused_and_kept(
    db: AsyncSession, database_url: str, maker: async_sessionmaker[AsyncSession]
) -> None:
    """The phase row is read again under the lock: the open status read earlier is not trusted."""
    postgres_only(database_url)
    scenario, user, organizer, team_id = await one_team(db, submitted=True)
    phase_id, early = scenario.submission.id, scenario.submission.closes_at - timedelta(minutes=10)
    saver_pid: asyncio.Future[int] = asyncio.get_running_loop().create_future()

    async def resubmit() -> str:
        async with maker() as session:
            saver_pid.set_result(await backend_pid(session))
            try:
                stamp = early + timedelta(seconds=1)
                await submit_entry(session, user, team_id, phase_id, fields_of("Too late"), stamp)
            except SubmissionRefused as refused:
                await session.commit()
                return refused.message
            raise AssertionError("a save after the close was accepted")

    async with asyncio.timeout(TIMEOUT), maker() as closer, maker() as observer:
        phase = await closer.get(Phase, phase_id)
        assert phase is not None
        assert await close_phase(closer, organizer, early, phase)
        saving = asyncio.create_task(resubmit())  # the close is not committed yet
        await wait_until_blocked(observer, await saver_pid, await backend_pid(closer))
        assert not saving.done()
        await closer.commit()
        # closed by hand at ``early``: that is the closing time that now holds, and the message names it
        assert await saving == CLOSED_AT
    versions = await rows_of(db, select(EntryVersion).order_by(EntryVersion.number))
    assert [(v.number, v.submitted, v.title) for v in versions] == [(1, True, "Blue Team idea"), (2, False, "Too late")]
    entry = await fresh(db, Entry, versions[0].entry_id)
    assert (entry.status, entry.submitted_version) == (EntryStatus.SUBMITTED, 1)


# --- time zones: deadlines across a daylight-saving switch ---------------------------------------

BERLIN = "Europe/Berlin"


def test_the_spring_switch_maps_wall_clock_times_around_the_gap() -> None:
    assert local_to_utc(datetime(2026, 3, 29, 1, 59), BERLIN) == datetime(2026, 3, 29, 0, 59, tzinfo=UTC)
    assert local_to_utc(datetime(2026, 3, 29, 3, 0), BERLIN) == datetime(2026, 3, 29, 1, 0, tzinfo=UTC)
    # a day of the campaign across the switch lasts 23 hours
    day = local_to_utc(datetime(2026, 3, 29, 12), BERLIN) - local_to_utc(datetime(2026, 3, 28, 12), BERLIN)
    assert day == timedelta(hours=23)


def test_a_deadline_in_the_spring_gap_is_refused() -> None:
    # 2026-03-29 02:30 never happens in Berlin (02:00 CET → 03:00 CEST): a hard deadline must not move by itself
    with pytest.raises(ValueError):
        local_to_utc(datetime(2026, 3, 29, 2, 30), BERLIN)


def test_an_ambiguous_deadline_is_the_later_instant() -> None:
    # 2026-10-25 02:30 happens twice in Berlin; the later one (CET) cuts nobody off early
    assert local_to_utc(datetime(2026, 10, 25, 2, 30), BERLIN) == datetime(2026, 10, 25, 1, 30, tzinfo=UTC)


@pytest.mark.parametrize(
    ("deadline", "in_time", "shown"),
    [
        # the first instant of summer time: 03:00 CEST
        (datetime(2026, 3, 29, 1, 0, tzinfo=UTC), timedelta(microseconds=-1), "2026-03-29 03:00 CEST"),
        # the second 02:30 of the autumn night; 02:45 CEST on the wall clock is still in time
        (datetime(2026, 10, 25, 1, 30, tzinfo=UTC), timedelta(minutes=-45), "2026-10-25 02:30 CET"),
    ],
)
async def test_a_refusal_across_a_switch_names_the_deadline_with_its_zone(
    db: AsyncSession, deadline: datetime, in_time: timedelta, shown: str
) -> None:
    scenario = await make_campaign(db, stage="submission", now=deadline - DAY, timezone=BERLIN)
    scenario.submission.closes_at = deadline
    user = await make_user(db, "ann@example.com")
    team = await make_team(db, scenario, user)
    await db.commit()
    phase_id = scenario.submission.id
    accepted = await submit_entry(db, user, team.id, phase_id, fields_of("In time"), deadline + in_time)
    await db.commit()
    with pytest.raises(SubmissionRefused) as refused:
        await submit_entry(db, user, team.id, phase_id, fields_of("At the deadline"), deadline)
    await db.commit()
    assert refused.value.params["when"] == shown
    versions = await rows_of(db, select(EntryVersion).order_by(EntryVersion.number))
    assert [(v.title, v.submitted) for v in versions] == [("In time", True), ("At the deadline", False)]
    entry = await fresh(db, Entry, accepted.entry_id)
    assert entry.submitted_version == accepted.number
