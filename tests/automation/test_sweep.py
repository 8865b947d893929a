"""Due actions applied by the sweep with a controlled clock: once, on time or late, never twice."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from automation.plan import PHASE_CLOSE, PHASE_OPEN, REMIND_SUBMISSION, RESULTS_PUBLISH
from campaigns.models import Phase, PhaseKind, PhaseStatus
from campaigns.phase_transitions import close_phase, open_phase
from campaigns.timeline_editing import PhaseInput, update_phase
from core.audit import AuditEntry
from core.scheduling import ActionState, ScheduledAction
from judging.models import Award
from notifications.models import Notification, NotificationKind, OutboxMail
from tests.automation.conftest import count, plan
from tests.conftest import NOW, Browser, Sweeper
from tests.factories import DAY, make_campaign, make_entry, make_team, make_user

HOUR = timedelta(hours=1)


async def _action(db: AsyncSession, kind: str, subject: int, offset: int = 0) -> ScheduledAction:
    action = await db.scalar(
        select(ScheduledAction)
        .where(ScheduledAction.kind == kind, ScheduledAction.subject_id == subject)
        .where(ScheduledAction.offset_minutes == offset)
        .execution_options(populate_existing=True)
    )
    await db.commit()
    assert action is not None
    return action


async def _phase(db: AsyncSession, phase_id: int) -> Phase:
    phase = await db.get(Phase, phase_id, populate_existing=True)
    await db.commit()
    assert phase is not None
    return phase


async def _reminders(db: AsyncSession) -> int:
    stmt = select(Notification).where(Notification.kind == NotificationKind.SUBMISSION_REMINDER)
    return await count(db, stmt.subquery())


async def _audits(db: AsyncSession, action: str, subject_id: int) -> list[AuditEntry]:
    rows = await db.scalars(select(AuditEntry).where(AuditEntry.action == action, AuditEntry.subject_id == subject_id))
    found = list(rows.all())
    await db.commit()
    return found


async def test_phases_open_and_close_by_themselves_at_their_time_once(db: AsyncSession, sweeper: Sweeper) -> None:
    organizer = await make_user(db, "org@example.com")
    scenario = await make_campaign(db, organizer=organizer, stage="registration")
    registration, submission = scenario.phases[PhaseKind.REGISTRATION], scenario.submission
    await plan(db, scenario.campaign.id)

    assert await sweeper.at(NOW) == []
    assert await sweeper.at(submission.opens_at - timedelta(seconds=1)) == []
    applied = await sweeper.at(submission.opens_at)
    assert [(a.kind, a.subject_id, a.state) for a in applied] == [
        (PHASE_CLOSE, registration.id, ActionState.DONE),
        (PHASE_OPEN, submission.id, ActionState.DONE),
    ]
    assert all(a.late_ms == 0 for a in applied)
    assert (await _phase(db, registration.id)).status is PhaseStatus.CLOSED
    assert (await _phase(db, submission.id)).status is PhaseStatus.OPEN
    opened = await _audits(db, "phase.open", submission.id)
    assert len(opened) == 1 and opened[0].actor_id is None
    assert await sweeper.at(submission.opens_at + HOUR) == []  # nothing twice
    assert len(await _audits(db, "phase.open", submission.id)) == 1


async def test_the_close_waits_for_the_grace_period(db: AsyncSession, sweeper: Sweeper) -> None:
    scenario = await make_campaign(db, stage="submission")
    submission = scenario.submission
    submission.grace_minutes = 30
    await db.flush()
    await plan(db, scenario.campaign.id)
    await sweeper.at(submission.closes_at)
    assert (await _phase(db, submission.id)).status is PhaseStatus.OPEN
    await sweeper.at(submission.closes_at + timedelta(minutes=30))
    assert (await _phase(db, submission.id)).status is PhaseStatus.CLOSED


async def test_a_phase_opened_by_hand_is_not_opened_again(db: AsyncSession, sweeper: Sweeper) -> None:
    organizer = await make_user(db, "org@example.com")
    scenario = await make_campaign(db, organizer=organizer, stage="registration")
    submission = scenario.submission
    await plan(db, scenario.campaign.id)
    assert (await _action(db, PHASE_OPEN, submission.id)).state is ActionState.PENDING

    phase = await _phase(db, submission.id)
    # early, by hand, closing the running registration (confirmed): replans in the same transaction
    assert await open_phase(db, organizer, NOW, phase, confirmed=True)
    await db.commit()
    assert len(await _audits(db, "phase.close", scenario.phases[PhaseKind.REGISTRATION].id)) == 1
    still_planned = select(ScheduledAction).where(
        ScheduledAction.kind == PHASE_OPEN, ScheduledAction.subject_id == submission.id
    )
    assert await count(db, still_planned.subquery()) == 0
    await sweeper.at(submission.opens_at)
    assert len(await _audits(db, "phase.open", submission.id)) == 1

    # closed by hand early, too: the automatic close then has nothing to do
    phase = await _phase(db, submission.id)
    assert await close_phase(db, organizer, submission.opens_at + HOUR, phase)
    await db.commit()
    await sweeper.at(submission.closes_at)
    assert len(await _audits(db, "phase.close", submission.id)) == 1


async def test_a_claimed_action_that_finds_its_work_done_is_skipped(db: AsyncSession, sweeper: Sweeper) -> None:
    """An organizer's click in the same instant as the sweep: the conditional UPDATE decides."""
    scenario = await make_campaign(db, stage="submission")
    submission = scenario.submission
    await plan(db, scenario.campaign.id)
    phase = await _phase(db, submission.id)
    phase.status = PhaseStatus.CLOSED  # as if closed by another process without replanning yet
    await db.commit()
    applied = await sweeper.at(submission.closes_at)
    close = next(a for a in applied if a.kind == PHASE_CLOSE)
    assert close.state is ActionState.SKIPPED
    assert await _audits(db, "phase.close", submission.id) == []


async def test_restart_catches_up_once_and_records_how_late(db: AsyncSession, sweeper: Sweeper) -> None:
    scenario = await make_campaign(db, stage="registration")
    registration, submission, judging = (
        scenario.phases[PhaseKind.REGISTRATION],
        scenario.submission,
        scenario.judging,
    )
    await plan(db, scenario.campaign.id)
    # nothing ran from before registration closed until judging had opened
    later = judging.opens_at + 2 * HOUR
    applied = await sweeper.at(later)
    states = {(a.kind, a.subject_id): a.state for a in applied}
    assert states[(PHASE_CLOSE, registration.id)] is ActionState.DONE
    assert states[(PHASE_OPEN, submission.id)] is ActionState.SKIPPED  # its deadline passed: never opened
    assert states[(PHASE_CLOSE, submission.id)] is ActionState.DONE
    assert states[(PHASE_OPEN, judging.id)] is ActionState.DONE
    assert states[(REMIND_SUBMISSION, submission.id)] is ActionState.SKIPPED  # reminders are not sent late
    close = await _action(db, PHASE_CLOSE, registration.id)
    assert close.late_ms == int((later - registration.closes_at).total_seconds() * 1000)
    assert (await _phase(db, judging.id)).status is PhaseStatus.OPEN
    assert await _reminders(db) == 0
    assert await sweeper.at(later + HOUR) == []  # a second start does nothing more
    assert len(await _audits(db, "phase.close", submission.id)) == 1


async def test_reminders_reach_teams_without_a_submitted_entry(db: AsyncSession, sweeper: Sweeper) -> None:
    scenario = await make_campaign(db, stage="submission")
    submission = scenario.submission
    ann, bob, cai = [await make_user(db, f"{n}@example.com") for n in ("ann", "bob", "cai")]
    late_team = await make_team(db, scenario, ann, members=[bob], name="Late Team")
    done_team = await make_team(db, scenario, cai, name="Done Team")
    await make_entry(db, done_team, submission, submitted=True)
    await make_entry(db, late_team, submission, submitted=False)
    await plan(db, scenario.campaign.id)

    applied = await sweeper.at(submission.closes_at - 24 * HOUR)
    assert [(a.kind, a.offset_minutes, a.state) for a in applied] == [(REMIND_SUBMISSION, 1440, ActionState.DONE)]
    reminded = await db.scalars(select(Notification).where(Notification.kind == NotificationKind.SUBMISSION_REMINDER))
    rows = list(reminded.all())
    await db.commit()
    assert sorted(n.user_id for n in rows) == sorted([ann.id, bob.id])
    assert {n.params["team"] for n in rows} == {"Late Team"}
    assert rows[0].params["hours"] == 24
    mails = await count(db, select(OutboxMail).subquery())
    assert mails == 2

    await sweeper.at(submission.closes_at - HOUR + timedelta(minutes=5))  # 5 min late: still worth sending
    assert await _reminders(db) == 4


async def test_a_pushed_back_deadline_reschedules_and_rearms_its_reminder(db: AsyncSession, sweeper: Sweeper) -> None:
    organizer = await make_user(db, "org@example.com", executive=True)
    scenario = await make_campaign(db, organizer=organizer, sponsor=organizer, stage="submission")
    submission = scenario.submission
    ann = await make_user(db, "ann@example.com")
    await make_team(db, scenario, ann)
    for later in (scenario.judging, scenario.phases[PhaseKind.RESULTS]):  # make room after the submission
        later.opens_at += 3 * DAY
        later.closes_at += 3 * DAY
    await db.flush()
    await plan(db, scenario.campaign.id)
    old_close = submission.closes_at
    first = old_close - 24 * HOUR
    await sweeper.at(first)
    assert (await _action(db, REMIND_SUBMISSION, submission.id, 1440)).state is ActionState.DONE

    phase = await _phase(db, submission.id)
    new_close = old_close + 2 * DAY
    await update_phase(
        db, organizer, first, scenario.campaign, phase,
        PhaseInput(kind=PhaseKind.SUBMISSION, name=phase.name, opens_at=phase.opens_at, closes_at=new_close),
        confirmed=True,
    )  # fmt: skip
    await db.commit()
    reminder = await _action(db, REMIND_SUBMISSION, submission.id, 1440)
    assert reminder.state is ActionState.PENDING and reminder.due_at == new_close - 24 * HOUR
    assert (await _action(db, PHASE_CLOSE, submission.id)).due_at == new_close
    await sweeper.at(old_close)  # the old deadline: nothing closes
    assert (await _phase(db, submission.id)).status is PhaseStatus.OPEN
    await sweeper.at(new_close - 24 * HOUR)
    assert await _reminders(db) == 2


async def test_results_publish_at_the_results_phase_or_organizers_are_told(db: AsyncSession, sweeper: Sweeper) -> None:
    organizer = await make_user(db, "org@example.com")
    scenario = await make_campaign(db, organizer=organizer, sponsor=organizer, stage="judging")
    results = scenario.phases[PhaseKind.RESULTS]
    ann = await make_user(db, "ann@example.com")
    team = await make_team(db, scenario, ann)
    await plan(db, scenario.campaign.id)

    applied = await sweeper.at(results.opens_at)
    publish = next(a for a in applied if a.kind == RESULTS_PUBLISH)
    assert publish.state is ActionState.FAILED and publish.note
    warned = await db.scalars(select(Notification).where(Notification.kind == NotificationKind.AUTOMATION_FAILED))
    assert [n.user_id for n in warned.all()] == [organizer.id]
    await db.commit()

    # with an award chosen, re-arming the action (the organizer moves the results date) publishes
    executive = await make_user(db, "exec@example.com", executive=True)
    db.add(
        Award(
            campaign_id=scenario.campaign.id,
            name="Winner",
            team_id=team.id,
            approved_by_id=executive.id,  # approved by an executive: publishing may go ahead
            approved_at=results.opens_at,
        )
    )
    phase = await _phase(db, results.id)
    phase.opens_at = results.opens_at + HOUR
    await db.flush()
    await plan(db, scenario.campaign.id)
    applied = await sweeper.at(results.opens_at + HOUR)
    assert [(a.kind, a.state) for a in applied if a.kind == RESULTS_PUBLISH] == [(RESULTS_PUBLISH, ActionState.DONE)]
    announced = await db.scalars(select(Notification).where(Notification.kind == NotificationKind.RESULTS_PUBLISHED))
    assert [n.user_id for n in announced.all()] == [ann.id]
    await db.commit()
    assert (await _phase(db, results.id)).status is PhaseStatus.OPEN


async def test_the_timeline_page_lists_the_automatic_steps(
    db: AsyncSession, sweeper: Sweeper, browser: Browser
) -> None:
    organizer = await make_user(db, "org@example.com")
    scenario = await make_campaign(db, organizer=organizer, sponsor=organizer, stage="judging")
    results = scenario.phases[PhaseKind.RESULTS]
    await plan(db, scenario.campaign.id)
    await sweeper.at(results.opens_at)  # no awards yet: publishing fails and says why
    await browser.sign_in("org@example.com")
    page = await browser.get(f"/campaigns/{scenario.campaign.id}/timeline")
    assert page.status_code == 200
    steps = page.text.split('id="automatic-steps"', 1)[1]
    assert "Close “Judging”" in steps and "Publish the results (“Results” opens)" in steps
    assert "Remind judges with unfinished scorecards, 24 h before “Judging” closes" in steps
    assert 'class="badge failed"' in steps and "Give at least one award before publishing the results." in steps
