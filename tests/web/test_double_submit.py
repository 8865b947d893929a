"""The same form sent twice at the same moment, over two app instances on one database.

Each app is served by its own test client (its own event loop and connection pool, as two
server processes would be); the two requests are sent from two threads at once. On PostgreSQL
each request is held at a chosen point of its service (``Rendezvous``) until the other one has
reached it too, so both have made their checks before either writes: exactly the moment a check
followed by an insert let two through, or two transactions took each other's rows in opposite
orders and deadlocked. On SQLite a writing transaction holds the write lock from its first
statement, so the second request cannot get there before the first one commits: the requests
are still sent at once, without the rendezvous, and must give the same outcomes.

The rule every test pins: the outcome is that of the two requests sent one after the other, in
some order; the one refused says why next to the field, keeping what was typed; never a 500.
"""

from __future__ import annotations

import html
import re
import sqlite3
import threading
from collections.abc import Awaitable, Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import pytest
from litestar.testing import TestClient
from sqlalchemy import func, select
from sqlalchemy.exc import DBAPIError, IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

import accounts.services
from accounts.models import Department, User
from campaigns.models import CampaignRole, CampaignRoleKind
from core.audit import AuditEntry
from core.clock import FrozenClock
from judging.models import Advancement, AdvancementOutcome, Assignment, Award, ConflictDeclaration
from notifications.models import NotificationPreference
from notifications.services import CHOOSABLE_KINDS
from teams.models import Invitation, InvitationStatus, Membership, Team
from tests import factories as f
from tests.conftest import PASSWORD, Browser
from tests.judging.test_assignment_by_hand import arrange as assignment_world
from tests.judging.test_conflicts import arrange as conflict_world
from tests.judging.test_results import ORGANIZER as RESULTS_ORGANIZER
from tests.judging.test_results import world as results_world
from tests.web.test_advancement_pages import ORG, world
from web.app import create_app
from web.settings import Settings

TIMEOUT = 60  # seconds: a request that never reaches the rendezvous fails the test instead of hanging it


class Rendezvous:
    """Holds the first call of ``target`` in each of two threads until both threads made it (PostgreSQL)."""

    def __init__(self, monkeypatch: pytest.MonkeyPatch, target: str, *, active: bool) -> None:
        self.barrier = threading.Barrier(2, timeout=TIMEOUT)
        self.met: set[int] = set()
        self.active = active
        module, _, name = target.rpartition(".")
        real: Callable[..., Awaitable[Any]] = getattr(__import__(module, fromlist=[name]), name)

        async def held(*args: Any, **kwargs: Any) -> Any:
            if self.active and threading.get_ident() not in self.met:
                self.met.add(threading.get_ident())
                self.barrier.wait()  # blocks this app's event loop only: the other app runs in its own thread
            return await real(*args, **kwargs)

        monkeypatch.setattr(target, held)


class Instance:
    """One app instance's client, signed in as one person."""

    def __init__(self, client: TestClient[Any]) -> None:
        self.client = client

    def sign_in(self, email: str) -> None:
        self.client.get("/sign-in")
        response = self.post("/sign-in", {"email": email, "password": PASSWORD})
        assert response.status_code == 303, response.text

    def post(self, url: str, data: dict[str, str]) -> Any:
        headers = {"x-csrftoken": self.client.cookies["kaizen_csrf"]}
        return self.client.post(url, data=data, headers=headers, follow_redirects=False)

    def landing(self, response: Any) -> str:
        assert response.status_code == 303, (response.status_code, response.text[:300])
        text: str = self.client.get(response.headers["location"]).text
        return text


@pytest.fixture
def postgres(database_url: str) -> bool:
    return database_url.startswith("postgresql")


@pytest.fixture
def instances(settings: Settings, clock: FrozenClock) -> Iterator[tuple[Instance, Instance]]:
    with (
        TestClient(create_app(settings, clock=clock), base_url="http://testserver.local") as one,
        TestClient(create_app(settings, clock=clock), base_url="http://testserver.local") as two,
    ):
        yield Instance(one), Instance(two)


def at_once(*calls: Callable[[], Any]) -> list[Any]:
    with ThreadPoolExecutor(max_workers=len(calls)) as pool:
        futures = [pool.submit(call) for call in calls]
        return [future.result(TIMEOUT) for future in futures]


async def count(db: AsyncSession, model: Any, *where: Any) -> int:
    found = await db.scalar(select(func.count()).select_from(model).where(*where))
    await db.commit()
    return int(found or 0)


async def test_one_new_account_from_two_admins_at_once(
    db: AsyncSession, instances: tuple[Instance, Instance], monkeypatch: pytest.MonkeyPatch, postgres: bool
) -> None:
    await f.make_user(db, "admin@example.com", admin=True)
    await f.make_user(db, "root@example.com", admin=True)
    await db.commit()
    one, two = instances
    one.sign_in("admin@example.com")
    two.sign_in("root@example.com")
    # both found no account with the address, and insert it now
    Rendezvous(monkeypatch, "accounts.services.add_unique", active=postgres)
    form = {"email": "new@example.com", "name": "Nina New", "department": ""}
    answers = at_once(lambda: one.post("/admin/users/new", form), lambda: two.post("/admin/users/new", form))

    assert sorted(a.status_code for a in answers) == [303, 409]
    refused = next(a for a in answers if a.status_code == 409)
    assert "An account with this e-mail address already exists." in refused.text
    assert 'value="Nina New"' in refused.text and 'value="new@example.com"' in refused.text  # kept
    assert await count(db, User, User.email == "new@example.com") == 1
    assert await count(db, AuditEntry, AuditEntry.action == "user.create") == 1


async def test_a_new_department_named_by_two_requests_at_once_is_made_once(
    db: AsyncSession, instances: tuple[Instance, Instance], monkeypatch: pytest.MonkeyPatch, postgres: bool
) -> None:
    await f.make_user(db, "admin@example.com", admin=True)
    await f.make_user(db, "root@example.com", admin=True)
    await db.commit()
    one, two = instances
    one.sign_in("admin@example.com")
    two.sign_in("root@example.com")
    # both are about to look the department up (none yet) and create it
    Rendezvous(monkeypatch, "accounts.services.serialise", active=postgres)
    answers = at_once(
        lambda: one.post("/admin/users/new", {"email": "a@example.com", "name": "A", "department": "Logistics"}),
        lambda: two.post("/admin/users/new", {"email": "b@example.com", "name": "B", "department": "logistics "}),
    )

    assert [a.status_code for a in answers] == [303, 303]
    assert await count(db, Department) == 1
    department = await db.scalar(select(Department.id))
    assert await count(db, User, User.department_id == department) == 2


async def test_notification_choices_saved_twice_at_once_both_stand_in_turn(
    db: AsyncSession, instances: tuple[Instance, Instance], monkeypatch: pytest.MonkeyPatch, postgres: bool
) -> None:
    await f.make_user(db, "ann@example.com")
    await db.commit()
    one, two = instances
    one.sign_in("ann@example.com")
    two.sign_in("ann@example.com")  # two tabs, or a double click
    Rendezvous(monkeypatch, "web.controllers.notifications.set_preferences", active=postgres)
    mail_off = {f"in_app_{k.value}": "on" for k in CHOOSABLE_KINDS}
    all_off: dict[str, str] = {}
    answers = at_once(
        lambda: one.post("/account/notifications", mail_off), lambda: two.post("/account/notifications", all_off)
    )

    assert [a.status_code for a in answers] == [303, 303]
    rows = (await db.execute(select(NotificationPreference.in_app, NotificationPreference.email))).all()
    await db.commit()
    assert len(rows) == len(CHOOSABLE_KINDS)
    assert set(rows) in ({(True, False)}, {(False, False)})  # one of the two choices, whole


async def test_an_outcome_overridden_twice_at_once_is_recorded_once_and_audited_twice(
    db: AsyncSession, instances: tuple[Instance, Instance], monkeypatch: pytest.MonkeyPatch, postgres: bool
) -> None:
    s, teams = await world(db)
    one, two = instances
    one.sign_in(ORG)
    two.sign_in(ORG)
    url = f"/campaigns/{s.campaign.id}/phases/{s.judging.id}/advancement/teams/{teams['Beta'].id}"
    # both found no outcome for the team, and record one now
    Rendezvous(monkeypatch, "judging.advancing._advancement_for_update", active=postgres)
    answers = at_once(
        lambda: one.post(url, {"outcome": "advance", "reason": "Strong demo"}),
        lambda: two.post(url, {"outcome": "eliminate", "reason": "Out of scope"}),
    )

    assert [a.status_code for a in answers] == [303, 303]
    advancement = await db.scalar(select(Advancement).where(Advancement.team_id == teams["Beta"].id))
    audits = (
        await db.scalars(select(AuditEntry).where(AuditEntry.action == "advancement.override").order_by(AuditEntry.id))
    ).all()
    await db.commit()
    assert advancement is not None and advancement.overridden
    assert len(audits) == 2
    first, second = audits
    assert first.before is None and second.before == first.after  # the second applied after the first
    assert second.after is not None and second.after["outcome"] == advancement.outcome.value
    assert advancement.reason == {"advance": "Strong demo", "eliminate": "Out of scope"}[advancement.outcome.value]
    assert advancement.outcome in (AdvancementOutcome.ADVANCE, AdvancementOutcome.ELIMINATE)


async def test_accepting_an_invitation_while_creating_a_team_joins_one_team(
    db: AsyncSession, instances: tuple[Instance, Instance], monkeypatch: pytest.MonkeyPatch, postgres: bool
) -> None:
    """It deadlocked on PostgreSQL: each transaction held a row the other one needed."""
    captain = await f.make_user(db, "cap@example.com")
    bea = await f.make_user(db, "bea@example.com")
    s = await f.make_campaign(db, stage="registration")
    team = await f.make_team(db, s, captain, name="Blue Team")
    invitation = Invitation(team_id=team.id, invitee_id=bea.id, invited_by_id=captain.id)
    db.add(invitation)
    await db.commit()
    one, two = instances
    one.sign_in("bea@example.com")
    two.sign_in("bea@example.com")
    Rendezvous(monkeypatch, "teams.membership.lock_person", active=postgres)
    create = {"name": "Red Team", "challenge_id": str(s.challenges[0].id)}
    accepted, created = at_once(
        lambda: one.post(f"/invitations/{invitation.id}/accept", {}),
        lambda: two.post(f"/campaigns/{s.campaign.id}/teams", create),
    )

    assert (accepted.status_code, created.status_code) == (303, 303)
    memberships = (await db.scalars(select(Membership.team_id).where(Membership.user_id == bea.id))).all()
    teams = (await db.scalars(select(Team.name).order_by(Team.id))).all()
    status = await db.scalar(select(Invitation.status).where(Invitation.id == invitation.id))
    await db.commit()
    assert len(memberships) == 1
    if memberships[0] == team.id:  # the invitation won: no team was created, and creating says why
        assert teams == ["Blue Team"] and status is InvitationStatus.ACCEPTED
        assert "You are already in a team of this campaign." in two.landing(created)
    else:  # the new team won: the invitation was declined by it, and accepting says so
        assert teams == ["Blue Team", "Red Team"] and status is InvitationStatus.DECLINED
        assert "This invitation is no longer open." in one.landing(accepted)


async def test_two_teams_of_one_name_at_once_the_second_is_asked_for_another_name(
    db: AsyncSession, instances: tuple[Instance, Instance], monkeypatch: pytest.MonkeyPatch, postgres: bool
) -> None:
    await f.make_user(db, "ann@example.com")
    await f.make_user(db, "bob@example.com")
    s = await f.make_campaign(db, stage="registration")
    await db.commit()
    one, two = instances
    one.sign_in("ann@example.com")
    two.sign_in("bob@example.com")
    # both found the name free, and insert their team now
    Rendezvous(monkeypatch, "teams.membership.lock_person", active=postgres)
    form = {"name": "Pickers", "challenge_id": str(s.challenges[0].id)}
    answers = at_once(
        lambda: one.post(f"/campaigns/{s.campaign.id}/teams", form),
        lambda: two.post(f"/campaigns/{s.campaign.id}/teams", {**form, "name": "pickers "}),
    )

    assert sorted(a.status_code for a in answers) == [303, 409]
    refused = next(a for a in answers if a.status_code == 409)
    assert "A team with this name already exists in this campaign. Choose another name." in refused.text
    assert 'value="pickers' in refused.text or 'value="Pickers"' in refused.text  # what was typed, kept
    assert await count(db, Team) == 1 and await count(db, Membership) == 1


class _PostgresError(Exception):
    def __init__(self, sqlstate: str) -> None:
        super().__init__(f"SQLSTATE {sqlstate}")
        self.sqlstate = sqlstate


@pytest.mark.parametrize(
    "error",
    [
        IntegrityError("INSERT ...", {}, sqlite3.IntegrityError("UNIQUE constraint failed: t.c")),
        IntegrityError("INSERT ...", {}, _PostgresError("23505")),
        DBAPIError("UPDATE ...", {}, _PostgresError("40P01")),  # a deadlock: PostgreSQL rolled this one back
    ],
    ids=["sqlite-unique", "postgresql-unique", "postgresql-deadlock"],
)
async def test_a_race_no_service_foresaw_is_a_409_with_a_message_not_a_500(
    db: AsyncSession, browser: Browser, monkeypatch: pytest.MonkeyPatch, error: DBAPIError
) -> None:
    await f.make_user(db, "ann@example.com")
    await db.commit()
    await browser.sign_in("ann@example.com")

    async def lost(*_args: Any) -> None:
        raise error

    monkeypatch.setattr("web.controllers.notifications.set_preferences", lost)
    for htmx in (False, True):
        answer = await browser.post("/account/notifications", {}, htmx=htmx)
        assert answer.status_code == 409
        assert "Someone else changed the same thing at the same moment, so nothing was saved." in answer.text
    assert await count(db, NotificationPreference) == 0


async def test_one_judge_assigned_by_two_organizers_at_once_is_assigned_once(
    db: AsyncSession, instances: tuple[Instance, Instance], monkeypatch: pytest.MonkeyPatch, postgres: bool
) -> None:
    scenario, people, entry, url = await assignment_world(db)
    second = await f.make_user(db, "org2@example.com")
    db.add(CampaignRole(campaign_id=scenario.campaign.id, user_id=second.id, role=CampaignRoleKind.ORGANIZER))
    await db.commit()
    one, two = instances
    one.sign_in("org@example.com")
    two.sign_in("org2@example.com")
    # both found Bob unassigned, and insert the assignment now
    Rendezvous(monkeypatch, "judging.assign_by_hand.add_unique", active=postgres)
    form = {"entry_id": str(entry.id), "judge_id": str(people["bob"].id)}
    answers = at_once(lambda: one.post(url, form), lambda: two.post(url, form))

    assert [a.status_code for a in answers] == [303, 303]
    pages = [instance.landing(a) for instance, a in zip((one, two), answers, strict=True)]
    assert sum("This judge is already assigned to this entry." in page for page in pages) == 1
    assert await count(db, Assignment, Assignment.judge_id == people["bob"].id) == 1
    assert await count(db, AuditEntry, AuditEntry.action == "assignment.added") == 1


async def test_one_conflict_declared_twice_at_once_is_recorded_once(
    db: AsyncSession, instances: tuple[Instance, Instance], monkeypatch: pytest.MonkeyPatch, postgres: bool
) -> None:
    scenario, people, entry = await conflict_world(db)
    await f.assign(db, scenario.judging, entry, people["ann"])
    await db.commit()
    one, two = instances
    one.sign_in("ann@example.com")
    two.sign_in("ann@example.com")  # two tabs
    Rendezvous(monkeypatch, "judging.assigning.add_unique", active=postgres)
    url = f"/judging/{scenario.judging.id}/entries/{entry.id}/conflict"
    form = {"reason": "My cousin is the captain", "confirm": "yes"}
    answers = at_once(lambda: one.post(url, form), lambda: two.post(url, form))

    assert [a.status_code for a in answers] == [303, 303]
    assert sorted(a.headers["location"] for a in answers) == ["/judging", "/judging?conflict=replaced"]
    loser = next(i for i, a in zip((one, two), answers, strict=True) if a.headers["location"] == "/judging")
    assert "You have already declared a conflict of interest on this entry." in loser.landing(
        next(a for a in answers if a.headers["location"] == "/judging")
    )
    assert await count(db, ConflictDeclaration) == 1
    assert await count(db, Assignment, Assignment.judge_id == people["ann"].id) == 0
    assert await count(db, Assignment, Assignment.entry_id == entry.id) == 1  # one replacement, not two


async def test_one_role_given_by_two_organizers_at_once_is_given_once(
    db: AsyncSession, instances: tuple[Instance, Instance], monkeypatch: pytest.MonkeyPatch, postgres: bool
) -> None:
    organizer = await f.make_user(db, "org@example.com")
    await f.make_user(db, "judy@example.com", name="Judy")
    scenario = await f.make_campaign(db, organizer=organizer, stage="draft")
    await db.commit()
    one, two = instances
    one.sign_in("org@example.com")
    two.sign_in("org@example.com")
    Rendezvous(monkeypatch, "campaigns.people.add_unique", active=postgres)
    url = f"/campaigns/{scenario.campaign.id}/people"
    form = {"email": "judy@example.com", "role": "judge"}
    answers = at_once(lambda: one.post(url, form), lambda: two.post(url, form))

    assert sorted(a.status_code for a in answers) == [303, 409]
    refused = next(a for a in answers if a.status_code == 409)
    assert "This person already has this role in the campaign." in refused.text
    assert "judy@example.com" in refused.text
    assert await count(db, CampaignRole, CampaignRole.role == CampaignRoleKind.JUDGE) == 1


async def test_one_award_given_twice_at_once_is_given_once(
    db: AsyncSession, instances: tuple[Instance, Instance], monkeypatch: pytest.MonkeyPatch, postgres: bool
) -> None:
    w = await results_world(db)
    one, two = instances
    one.sign_in(RESULTS_ORGANIZER)
    two.sign_in(RESULTS_ORGANIZER)
    # both are about to check for the same award, and give it
    Rendezvous(monkeypatch, "judging.awards.serialise", active=postgres)
    form = {"name": "Best customer impact", "team_id": str(w.teams["Alpha"].id), "citation": "Typed citation"}
    answers = at_once(lambda: one.post(f"{w.url}/awards", form), lambda: two.post(f"{w.url}/awards", form))

    assert sorted(a.status_code for a in answers) == [303, 422]
    refused = next(a for a in answers if a.status_code == 422)
    assert "This team already has an award of this name." in refused.text
    assert "Typed citation" in refused.text  # kept
    assert await count(db, Award) == 1


async def test_one_person_invited_twice_at_once_is_invited_once(
    db: AsyncSession, instances: tuple[Instance, Instance], monkeypatch: pytest.MonkeyPatch, postgres: bool
) -> None:
    captain = await f.make_user(db, "cap@example.com")
    mate = await f.make_user(db, "mate@example.com")
    await f.make_user(db, "dora@example.com")
    s = await f.make_campaign(db, stage="registration")
    team = await f.make_team(db, s, captain, members=[mate])
    await db.commit()
    one, two = instances
    one.sign_in("cap@example.com")
    two.sign_in("mate@example.com")
    Rendezvous(monkeypatch, "teams.invitations.member_team", active=postgres)
    url = f"/teams/{team.id}/invitations"
    answers = at_once(
        lambda: one.post(url, {"email": "dora@example.com"}), lambda: two.post(url, {"email": "dora@example.com"})
    )

    assert sorted(a.status_code for a in answers) == [303, 409]
    refused = next(a for a in answers if a.status_code == 409)
    assert "This person has already been invited." in refused.text and "dora@example.com" in refused.text
    assert await count(db, Invitation, Invitation.status == InvitationStatus.PENDING) == 1


async def test_a_form_that_lost_a_race_is_offered_again_as_it_was_typed(
    db: AsyncSession, browser: Browser, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The 409 keeps what was typed: a form to send it again, with a fresh CSRF token; sent, the
    race over, it has the outcome it would have had (here: the account is created)."""
    await f.make_user(db, "root@example.com", admin=True)
    await db.commit()
    await browser.sign_in("root@example.com")
    real = accounts.services.create_user

    async def lost(*_args: Any, **_kwargs: Any) -> None:
        raise IntegrityError("INSERT ...", {}, sqlite3.IntegrityError("UNIQUE constraint failed: t.c"))

    monkeypatch.setattr("accounts.administration.create_user", lost)
    typed = {"email": "wang.fang@example.com", "name": '王芳 "Fang" <b>', "password": "long-enough-password"}
    answer = await browser.post("/admin/users/new", typed)
    assert answer.status_code == 409
    assert "What you sent is kept: send it again" in answer.text
    page = answer.text
    form = page[page.index('class="stack resend"') : page.index("</form>", page.index('class="stack resend"'))]
    assert 'value="王芳 &#34;Fang&#34; &lt;b&gt;"' in form  # escaped: what was typed never becomes markup
    hidden = dict(re.findall(r'<input type="hidden" name="([^"]+)" value="([^"]*)"', form))
    assert hidden["email"] == typed["email"] and "_csrf_token" in hidden
    assert 'action="/admin/users/new"' in page[: page.index('class="stack resend"') + 200]

    monkeypatch.setattr("accounts.administration.create_user", real)
    again = {name: html.unescape(value) for name, value in hidden.items()}
    resent = await browser.client.post("/admin/users/new", data=again, follow_redirects=False)
    assert resent.status_code == 303
    assert await count(db, User, User.email == typed["email"]) == 1
    created = await db.scalar(select(User.name).where(User.email == typed["email"]))
    assert created == typed["name"]
    await db.commit()

    # a form with a file cannot be handed back: the plain message, no form
    monkeypatch.setattr("web.controllers.admin.import_directory", lost)
    csv = b"email,name,department\nann@example.com,Ann,Sales\n"
    answer = await browser.post("/admin/users/import", files={"file": ("staff.csv", csv, "text/csv")})
    assert answer.status_code == 409 and "stack resend" not in answer.text
    assert "Please reload the page and try again" in answer.text
