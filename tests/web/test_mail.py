"""E-mail delivery against a real SMTP server (aiosmtpd on 127.0.0.1): language, content, outages."""

from __future__ import annotations

import dataclasses
import email
import email.policy
import logging
import socket
from collections.abc import AsyncIterator, Iterator
from datetime import datetime, timedelta
from email.message import EmailMessage
from typing import Any

import aiosmtplib
import pytest
from aiosmtpd.controller import Controller
from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from accounts.models import User
from core.clock import FrozenClock
from core.engine import make_engine
from notifications.models import MailState, NotificationKind, OutboxMail
from notifications.outbox import STALE_AFTER, backoff
from notifications.services import notify
from tests.conftest import NOW
from tests.factories import make_user
from web.i18n import format_moment
from web.mail import classify, deliver_due, locale_of
from web.notification_text import describe
from web.settings import Settings

BASE_URL = "https://kaizen.example.com"
CLOSES = datetime.fromisoformat("2026-03-20T09:30:00+00:00")
PHASE_OPENED = {
    "campaign": "Spring Innovation Challenge",
    "phase": "Prototype submission",
    "phase_kind": "submission",
    "closes_at": CLOSES.isoformat(),
    "timezone": "Asia/Shanghai",
}


class Inbox:
    """An aiosmtpd handler that keeps what it accepts and refuses some recipients."""

    def __init__(self) -> None:
        self.envelopes: list[Any] = []
        self.replies: dict[str, str] = {}  # address -> SMTP reply to RCPT (refusals)

    async def handle_RCPT(self, server: Any, session: Any, envelope: Any, address: str, options: Any) -> str:
        if address in self.replies:
            return self.replies[address]
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        self.envelopes.append(envelope)
        return "250 Message accepted for delivery"

    def messages(self) -> list[EmailMessage]:
        parsed = [email.message_from_bytes(e.content, policy=email.policy.default) for e in self.envelopes]
        return [m for m in parsed if isinstance(m, EmailMessage)]


class SmtpServer:
    """A real SMTP server on a fixed free port, which a test can stop and start again."""

    def __init__(self, port: int) -> None:
        self.port = port
        self.inbox = Inbox()
        self.controller: Controller | None = None

    def start(self) -> None:
        self.controller = Controller(self.inbox, hostname="127.0.0.1", port=self.port)
        self.controller.start()

    def stop(self) -> None:
        if self.controller is not None:
            self.controller.stop()
            self.controller = None


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@pytest.fixture
def smtp() -> Iterator[SmtpServer]:
    server = SmtpServer(_free_port())
    server.start()
    yield server
    server.stop()


@pytest.fixture
def mail_settings(settings: Settings, smtp: SmtpServer) -> Settings:
    return dataclasses.replace(
        settings, smtp_host="127.0.0.1", smtp_port=smtp.port, smtp_timeout_seconds=5, base_url=BASE_URL
    )


@pytest.fixture
async def maker(database_url: str) -> AsyncIterator[async_sessionmaker[AsyncSession]]:
    engine = make_engine(database_url)
    yield async_sessionmaker(engine, expire_on_commit=False)
    await engine.dispose()


async def _user(db: AsyncSession, address: str, name: str, locale: str | None = None) -> User:
    user = await make_user(db, address, name=name)
    user.locale = locale
    await db.flush()
    return user


async def _outbox(db: AsyncSession) -> list[OutboxMail]:
    rows = await db.scalars(select(OutboxMail).order_by(OutboxMail.id).execution_options(populate_existing=True))
    found = list(rows.all())
    await db.commit()  # ends the read: the next one sees what the worker committed since
    return found


def _zh_date(value: datetime, tz: str) -> str:
    with locale_of("zh_CN"):
        return format_moment(value, tz)


def _en_date(value: datetime, tz: str) -> str:
    with locale_of("en"):
        return format_moment(value, tz)


async def test_each_person_gets_one_mail_in_their_language(
    db: AsyncSession,
    maker: async_sessionmaker[AsyncSession],
    clock: FrozenClock,
    mail_settings: Settings,
    smtp: SmtpServer,
) -> None:
    alice = await _user(db, "alice@example.com", "Alice Martin")
    li = await _user(db, "li@example.com", "李娜", locale="zh_CN")
    await notify(db, NOW, [alice.id, li.id], NotificationKind.PHASE_OPENED, PHASE_OPENED, link="/campaigns/7")
    await db.commit()

    report = await deliver_due(maker, clock, mail_settings)
    assert (report.claimed, report.sent, report.retried, report.failed) == (2, 2, 0, 0)

    envelopes = {e.rcpt_tos[0]: e for e in smtp.inbox.envelopes}
    assert sorted(envelopes) == ["alice@example.com", "li@example.com"]
    assert all(len(e.rcpt_tos) == 1 and e.mail_from == "kaizen@localhost" for e in envelopes.values())
    messages = {str(m["To"].addresses[0].addr_spec): m for m in smtp.inbox.messages()}
    rows = {row.to_address: row for row in await _outbox(db)}

    english = messages["alice@example.com"]
    assert english["Subject"] == "Prototype submission is open in Spring Innovation Challenge"
    assert english["Content-Language"] == "en"
    alice_row = rows["alice@example.com"]
    assert english["Message-ID"] == f"<kaizen-outbox-{alice_row.id}.{alice_row.notification_id}@kaizen.example.com>"
    assert english["To"].addresses[0].display_name == "Alice Martin"
    text = english.get_body(("plain",)).get_content()  # type: ignore[union-attr]
    html = english.get_body(("html",)).get_content()  # type: ignore[union-attr]
    assert "Hello Alice Martin," in text
    assert "Spring Innovation Challenge" in text and "Prototype submission" in text
    assert _en_date(CLOSES, "Asia/Shanghai") in text
    assert f"{BASE_URL}/campaigns/7" in text and f"{BASE_URL}/account/notifications" in text
    assert f'href="{BASE_URL}/campaigns/7"' in html and 'lang="en"' in html

    chinese = messages["li@example.com"]
    assert chinese["Content-Language"] == "zh-CN"
    assert chinese["To"].addresses[0].display_name == "李娜"
    zh_text = chinese.get_body(("plain",)).get_content()  # type: ignore[union-attr]
    zh_html = chinese.get_body(("html",)).get_content()  # type: ignore[union-attr]
    # the dates follow the reader's locale now; the sentences follow once the catalog has them
    assert _zh_date(CLOSES, "Asia/Shanghai") in zh_text
    assert _en_date(CLOSES, "Asia/Shanghai") not in zh_text
    with locale_of("zh_CN"):
        zh_words = describe(NotificationKind.PHASE_OPENED, PHASE_OPENED)
    assert chinese["Subject"] == zh_words.title and zh_words.body in zh_text
    assert "Spring Innovation Challenge" in zh_text and f"{BASE_URL}/campaigns/7" in zh_text
    assert 'lang="zh-CN"' in zh_html

    assert all(row.state is MailState.SENT and row.sent_at == NOW and row.attempts == 1 for row in rows.values())
    again = await deliver_due(maker, clock, mail_settings)
    assert again.claimed == 0 and len(smtp.inbox.envelopes) == 2


async def test_an_outage_keeps_the_mail_queued_until_the_server_is_back(
    db: AsyncSession,
    maker: async_sessionmaker[AsyncSession],
    clock: FrozenClock,
    mail_settings: Settings,
    smtp: SmtpServer,
) -> None:
    alice = await _user(db, "alice@example.com", "Alice Martin")
    await notify(db, NOW, [alice.id], NotificationKind.RESULTS_PUBLISHED, {"campaign": "Spring"}, link="/campaigns/7")
    await db.commit()
    smtp.stop()

    down = await deliver_due(maker, clock, mail_settings)
    assert (down.claimed, down.sent, down.retried, down.failed) == (1, 0, 1, 0)
    (row,) = await _outbox(db)
    assert row.state is MailState.QUEUED and row.attempts == 1
    assert row.next_attempt_at == NOW + backoff(1) and row.next_attempt_at > NOW
    assert row.last_error and "Connect" in row.last_error

    smtp.start()
    early = await deliver_due(maker, clock, mail_settings)  # back, but the backoff has not passed
    assert early.claimed == 0 and smtp.inbox.envelopes == []

    clock.advance(backoff(1))
    back = await deliver_due(maker, clock, mail_settings)
    assert (back.claimed, back.sent) == (1, 1)
    assert [e.rcpt_tos for e in smtp.inbox.envelopes] == [["alice@example.com"]]
    (row,) = await _outbox(db)
    assert row.state is MailState.SENT and row.attempts == 2 and row.sent_at == NOW + backoff(1)

    clock.advance(timedelta(days=1))
    assert (await deliver_due(maker, clock, mail_settings)).claimed == 0
    assert len(smtp.inbox.envelopes) == 1


async def test_a_permanent_refusal_fails_and_a_temporary_one_is_retried(
    db: AsyncSession,
    maker: async_sessionmaker[AsyncSession],
    clock: FrozenClock,
    mail_settings: Settings,
    smtp: SmtpServer,
) -> None:
    people = [
        await _user(db, "gone@example.com", "Gone"),
        await _user(db, "busy@example.com", "Busy"),
        await _user(db, "alice@example.com", "Alice"),
    ]
    smtp.inbox.replies = {
        "gone@example.com": "550 5.1.1 No such user here",
        "busy@example.com": "451 4.3.0 Mailbox busy, try later",
    }
    await notify(db, NOW, [p.id for p in people], NotificationKind.RESULTS_PUBLISHED, {"campaign": "Spring"})
    await db.commit()

    report = await deliver_due(maker, clock, mail_settings)
    assert (report.sent, report.retried, report.failed) == (1, 1, 1)
    rows = {row.to_address: row for row in await _outbox(db)}
    assert rows["gone@example.com"].state is MailState.FAILED and "550" in (rows["gone@example.com"].last_error or "")
    assert rows["busy@example.com"].state is MailState.QUEUED and "451" in (rows["busy@example.com"].last_error or "")
    assert rows["alice@example.com"].state is MailState.SENT  # the connection survived the refusals
    assert [e.rcpt_tos for e in smtp.inbox.envelopes] == [["alice@example.com"]]


async def test_a_claim_left_sending_becomes_uncertain_and_is_not_resent(
    db: AsyncSession,
    maker: async_sessionmaker[AsyncSession],
    clock: FrozenClock,
    mail_settings: Settings,
    smtp: SmtpServer,
) -> None:
    alice = await _user(db, "alice@example.com", "Alice")
    await notify(db, NOW, [alice.id], NotificationKind.RESULTS_PUBLISHED, {"campaign": "Spring"})
    # a worker claimed it, the server may have accepted it, then the worker died before the commit
    await db.execute(update(OutboxMail).values(state=MailState.SENDING, claimed_at=NOW - STALE_AFTER, attempts=1))
    await db.commit()

    report = await deliver_due(maker, clock, mail_settings)
    assert report.flagged_uncertain == 1 and report.claimed == 0
    clock.advance(timedelta(days=2))
    assert (await deliver_due(maker, clock, mail_settings)).claimed == 0
    (row,) = await _outbox(db)
    assert row.state is MailState.UNCERTAIN and smtp.inbox.envelopes == []


async def test_without_smtp_the_mail_is_written_to_the_log(
    db: AsyncSession,
    maker: async_sessionmaker[AsyncSession],
    clock: FrozenClock,
    settings: Settings,
    caplog: pytest.LogCaptureFixture,
) -> None:
    alice = await _user(db, "alice@example.com", "Alice")
    await notify(db, NOW, [alice.id], NotificationKind.RESULTS_PUBLISHED, {"campaign": "Spring"}, link="/results")
    await db.commit()
    logged = dataclasses.replace(settings, smtp_host="", base_url=BASE_URL)

    with caplog.at_level(logging.INFO, logger="kaizen.mail"):
        report = await deliver_due(maker, clock, logged)
    assert (report.claimed, report.sent) == (1, 1)
    (record,) = [r for r in caplog.records if r.name == "kaizen.mail"]
    message = record.getMessage()
    assert "alice@example.com" in message
    assert "Subject: The results of Spring are published" in message
    assert f"{BASE_URL}/results" in message and "Hello Alice," in message
    (row,) = await _outbox(db)
    assert row.state is MailState.SENT and row.sent_at == NOW


SAMPLE_PARAMS: dict[NotificationKind, dict[str, Any]] = {
    NotificationKind.TEAM_INVITATION: {"team": "Pickers", "campaign": "Spring", "inviter": "Bob"},
    NotificationKind.PHASE_OPENED: PHASE_OPENED,
    NotificationKind.SUBMISSION_REMINDER: {
        "campaign": "Spring",
        "phase": "Ideas",
        "team": "Pickers",
        "closes_at": CLOSES.isoformat(),
        "timezone": "Europe/Berlin",
        "hours": 24,
    },
    NotificationKind.JUDGING_REMINDER: {
        "campaign": "Spring",
        "phase": "Screening",
        "closes_at": CLOSES.isoformat(),
        "timezone": "Europe/Berlin",
        "unfinished": 3,
        "hours": 1,
    },
    NotificationKind.RESULTS_PUBLISHED: {"campaign": "Spring"},
    NotificationKind.EXTENSION_GRANTED: {
        "campaign": "Spring",
        "phase": "Ideas",
        "team": "Pickers",
        "until": CLOSES.isoformat(),
        "timezone": "Europe/Berlin",
        "reason": "Server outage",
    },
    NotificationKind.AUTOMATION_FAILED: {
        "campaign": "Spring",
        "action": "results.publish",
        "message": "Add at least one award first.",
    },
    NotificationKind.JOIN_REQUEST: {"person": "Bob", "team": "Pickers", "campaign": "Spring"},
    NotificationKind.JOIN_ANSWER: {"team": "Pickers", "campaign": "Spring", "accepted": True},
    NotificationKind.CAPTAIN: {"person": "Bob", "team": "Pickers", "campaign": "Spring"},
    NotificationKind.PROJECT_PROPOSED: {"project": "Boxes", "campaign": "Spring", "budget": "48000.00"},
    NotificationKind.PROJECT_DECIDED: {"project": "Boxes", "campaign": "Spring", "decision": "approved", "budget": "1"},
    NotificationKind.MILESTONE_OVERDUE: {
        "project": "Boxes",
        "milestone": "Pilot",
        "due_on": "2026-01-31",
        "campaign": "Spring",
    },
    NotificationKind.TEAM_ADVANCED: {
        "campaign": "Spring",
        "phase": "Screening",
        "team": "Pickers",
        "next_phase": "Prototype",
        "opens_at": CLOSES.isoformat(),
        "timezone": "Europe/Berlin",
    },
    NotificationKind.TEAM_ELIMINATED: {"campaign": "Spring", "phase": "Screening", "team": "Pickers"},
    NotificationKind.AWARDS_TO_APPROVE: {"campaign": "Spring"},
}


@pytest.mark.parametrize("locale", ["en", "zh_CN"])
@pytest.mark.parametrize("kind", list(NotificationKind))
def test_every_kind_has_words_in_both_languages(kind: NotificationKind, locale: str) -> None:
    assert set(SAMPLE_PARAMS) == set(NotificationKind)
    with locale_of(locale):
        words = describe(kind, SAMPLE_PARAMS[kind])
        bare = describe(kind, {})  # old or partial params never break a page or a mail
    assert words.title and words.body and bare.title and bare.body
    assert "Spring" in words.title + words.body
    if "closes_at" in SAMPLE_PARAMS[kind] or "until" in SAMPLE_PARAMS[kind]:
        date = (_zh_date if locale == "zh_CN" else _en_date)(CLOSES, SAMPLE_PARAMS[kind]["timezone"])
        assert date in words.body


def test_english_sentences_per_kind() -> None:
    with locale_of("en"):
        texts = {kind: describe(kind, params) for kind, params in SAMPLE_PARAMS.items()}
    assert texts[NotificationKind.TEAM_INVITATION].title == "Bob invited you to the team Pickers"
    assert "in about 24 hours" in texts[NotificationKind.SUBMISSION_REMINDER].body
    judging = texts[NotificationKind.JUDGING_REMINDER]
    assert judging.title == "Reminder: 3 scorecards to finish in Spring" and "in about 1 hour." in judging.body
    assert "Reason: Server outage" in texts[NotificationKind.EXTENSION_GRANTED].body
    failed = texts[NotificationKind.AUTOMATION_FAILED].body
    assert failed.startswith("Publishing the results failed for Spring: Add at least one award first.")
    advanced = texts[NotificationKind.TEAM_ADVANCED]
    assert advanced.title == "Pickers goes on in Spring" and "The next phase, “Prototype”, opens on" in advanced.body
    assert texts[NotificationKind.TEAM_ELIMINATED].title == "Pickers does not go on in Spring"
    assert texts[NotificationKind.JOIN_REQUEST].title == "Bob asks to join Pickers"
    assert texts[NotificationKind.JOIN_ANSWER].title == "You have joined Pickers"
    assert texts[NotificationKind.CAPTAIN].body == "Bob handed you the captain role of “Pickers” in Spring."


@pytest.mark.parametrize(
    ("exc", "outcome"),
    [
        (aiosmtplib.SMTPRecipientsRefused([aiosmtplib.SMTPRecipientRefused(550, "no such user", "a@x")]), "failed"),
        (aiosmtplib.SMTPRecipientsRefused([aiosmtplib.SMTPRecipientRefused(452, "mailbox full", "a@x")]), "retry"),
        (aiosmtplib.SMTPResponseException(554, "message refused"), "failed"),
        (aiosmtplib.SMTPResponseException(421, "closing, try later"), "retry"),
        (aiosmtplib.SMTPSenderRefused(553, "sender not allowed", "kaizen@localhost"), "retry"),
        (aiosmtplib.SMTPAuthenticationError(535, "bad credentials"), "retry"),
        (aiosmtplib.SMTPConnectError("connection refused"), "retry"),
        (aiosmtplib.SMTPServerDisconnected("gone"), "retry"),
        (aiosmtplib.SMTPReadTimeoutError("slow"), "retry"),
        (aiosmtplib.SMTPNotSupported("SMTPUTF8 is not supported"), "failed"),
    ],
)
def test_smtp_errors_are_retried_unless_refused_for_good(exc: BaseException, outcome: str) -> None:
    assert classify(exc).value == outcome
