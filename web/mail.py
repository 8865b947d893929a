"""E-mail: render a notification in the recipient's language and deliver the outbox over SMTP.

``deliver_due`` is what the scheduler and ``kaizen worker`` call. It claims a batch of due mails
(committed before any SMTP traffic), sends them over one connection, and records each outcome
in its own short transaction right after the server answers, so the window in which a crash
leaves a mail "perhaps sent" is as small as it can be (see ``notifications.outbox``).
Transient trouble (no connection, timeouts, 4xx) is retried with backoff; a 5xx refusal of the
recipient or the message fails the mail for good. Without ``smtp_host`` the mails are written
to the ``kaizen.mail`` log and count as sent (development, demos).
"""

from __future__ import annotations

import enum
import logging
from collections.abc import Callable, Iterator
from contextlib import contextmanager, suppress
from dataclasses import dataclass
from email.headerregistry import Address
from email.message import EmailMessage
from email.utils import format_datetime as rfc2822_datetime
from email.utils import parseaddr
from functools import cache
from urllib.parse import urlsplit

import aiosmtplib
from jinja2 import Environment
from sqlalchemy.ext.asyncio import AsyncSession

from core.clock import Clock
from notifications.models import MailState
from notifications.outbox import ClaimedMail, claim_due, flag_stale, mark_failed, mark_retry, mark_sent
from web import i18n
from web.notification_text import describe
from web.settings import Settings
from web.templating import build_environment

log = logging.getLogger("kaizen.mail")

TEXT_TEMPLATE = "mail/notification_text.html"  # named .html so the catalog extraction finds it
HTML_TEMPLATE = "mail/notification.html"
PREFERENCES_PATH = "/account/notifications"


@dataclass(frozen=True)
class RenderedMail:
    subject: str
    text: str
    html: str


@dataclass
class DeliveryReport:
    claimed: int = 0
    sent: int = 0
    retried: int = 0
    failed: int = 0
    flagged_uncertain: int = 0


class Outcome(enum.Enum):
    SENT = "sent"
    RETRY = "retry"
    FAILED = "failed"


# --- rendering ------------------------------------------------------------------------------------


@cache
def _environment() -> Environment:
    return build_environment()


@contextmanager
def locale_of(locale: str) -> Iterator[None]:
    """Renders in ``locale`` and restores the caller's locale afterwards. Times show in the campaign's
    zone only: the zone of whoever caused the mail is not the recipient's."""
    previous, previous_zone = i18n.get_locale(), i18n.get_viewer_zone()
    i18n.set_locale(locale)
    i18n.set_viewer_zone(None)
    try:
        yield
    finally:
        i18n.set_locale(previous)
        i18n.set_viewer_zone(previous_zone)


def absolute_link(base_url: str, link: str) -> str:
    """Only paths of this site become links; anything else points at the notifications page."""
    base = base_url.rstrip("/")
    if link.startswith("/") and not link.startswith("//"):
        return base + link
    return base + "/notifications"


def render_mail(mail: ClaimedMail, settings: Settings) -> RenderedMail:
    with locale_of(mail.locale):
        text = describe(mail.kind, mail.params)
        context = {
            "text": text,
            "name": mail.recipient_name,
            "url": absolute_link(settings.base_url, mail.link),
            "settings_url": settings.base_url.rstrip("/") + PREFERENCES_PATH,
        }
        env = _environment()
        plain = env.get_template(TEXT_TEMPLATE).render(context).strip() + "\n"
        html = env.get_template(HTML_TEMPLATE).render(context)
    return RenderedMail(subject=" ".join(text.title.split()), text=plain, html=html)


def _domain(settings: Settings) -> str:
    return urlsplit(settings.base_url).hostname or "kaizen.invalid"


def message_id(mail: ClaimedMail, settings: Settings) -> str:
    """Stable per outbox row: a resend of the same row carries the same Message-ID."""
    return f"<kaizen-outbox-{mail.id}.{mail.notification_id}@{_domain(settings)}>"


def _recipient(mail: ClaimedMail) -> Address | str:
    try:
        return Address(display_name=" ".join(mail.recipient_name.split()), addr_spec=mail.to_address)
    except (ValueError, IndexError):
        return mail.to_address


def build_message(mail: ClaimedMail, rendered: RenderedMail, settings: Settings) -> EmailMessage:
    message = EmailMessage()
    message["From"] = settings.mail_from
    message["To"] = _recipient(mail)
    message["Subject"] = rendered.subject
    message["Date"] = rfc2822_datetime(mail.claimed_at)
    message["Message-ID"] = message_id(mail, settings)
    message["Auto-Submitted"] = "auto-generated"  # RFC 3834: no auto-replies, please
    message.set_content(rendered.text, charset="utf-8")
    message.add_alternative(rendered.html, subtype="html", charset="utf-8")
    # after the content: set_content drops every Content-* header
    message["Content-Language"] = mail.locale.replace("_", "-")
    return message


# --- classifying SMTP trouble (pure) --------------------------------------------------------------


def classify(exc: BaseException) -> Outcome:
    """Retry what may work later; fail what the server refused for good (5xx on this mail)."""
    if isinstance(exc, aiosmtplib.SMTPRecipientsRefused):
        codes = [refused.code for refused in exc.recipients]
        return Outcome.FAILED if codes and all(code >= 500 for code in codes) else Outcome.RETRY
    if isinstance(exc, aiosmtplib.SMTPSenderRefused | aiosmtplib.SMTPAuthenticationError):
        return Outcome.RETRY  # our configuration, not this mail: fixable without losing it
    if isinstance(exc, aiosmtplib.SMTPResponseException):
        return Outcome.FAILED if exc.code >= 500 else Outcome.RETRY
    if isinstance(exc, aiosmtplib.SMTPNotSupported | ValueError | UnicodeError):
        return Outcome.FAILED  # an address or message this server can never take
    return Outcome.RETRY  # connection refused or lost, timeouts, anything unexpected


def breaks_connection(exc: BaseException) -> bool:
    return isinstance(exc, OSError | aiosmtplib.SMTPServerDisconnected | aiosmtplib.SMTPTimeoutError)


def _error_text(exc: BaseException) -> str:
    return f"{type(exc).__name__}: {exc}"


# --- delivering -----------------------------------------------------------------------------------


class _Recorder:
    """Writes each outcome in its own transaction, right after the SMTP server answered."""

    def __init__(self, session_maker: Callable[[], AsyncSession], clock: Clock, report: DeliveryReport) -> None:
        self.session_maker = session_maker
        self.clock = clock
        self.report = report

    async def __call__(self, mail: ClaimedMail, outcome: Outcome, error: str = "") -> None:
        async with self.session_maker() as session, session.begin():
            now = self.clock.now()
            if outcome is Outcome.SENT:
                if await mark_sent(session, mail, now):
                    self.report.sent += 1
            elif outcome is Outcome.FAILED:
                if await mark_failed(session, mail, error):
                    self.report.failed += 1
            else:
                state = await mark_retry(session, mail, now, error)
                if state is MailState.QUEUED:
                    self.report.retried += 1
                elif state is MailState.FAILED:
                    self.report.failed += 1
        if outcome is not Outcome.SENT:
            log.warning("mail #%s to %s: %s (%s)", mail.id, mail.to_address, outcome.value, error)


def _smtp_client(settings: Settings) -> aiosmtplib.SMTP:
    return aiosmtplib.SMTP(
        hostname=settings.smtp_host,
        port=settings.smtp_port,
        username=settings.smtp_username or None,
        password=settings.smtp_password or None,
        timeout=settings.smtp_timeout_seconds,
        use_tls=settings.smtp_tls == "ssl",
        start_tls=settings.smtp_tls == "starttls",
    )


async def _close(smtp: aiosmtplib.SMTP | None) -> None:
    if smtp is None or not smtp.is_connected:
        return
    try:
        await smtp.quit()
    except (aiosmtplib.SMTPException, OSError):
        with suppress(Exception):
            smtp.close()


async def _send_over_smtp(
    prepared: list[tuple[ClaimedMail, EmailMessage]], settings: Settings, record: _Recorder
) -> None:
    """One connection for the batch; a lost connection is reopened once per failure; a refused one
    puts the rest of the batch back in the queue without waiting for more timeouts."""
    sender = parseaddr(settings.mail_from)[1]
    smtp: aiosmtplib.SMTP | None = None
    unreachable: str | None = None
    try:
        for mail, message in prepared:
            if unreachable is not None:
                await record(mail, Outcome.RETRY, unreachable)
                continue
            if smtp is None:
                try:
                    smtp = _smtp_client(settings)
                    await smtp.connect()
                except Exception as exc:  # any failure to connect or log in: try again later
                    smtp = None
                    unreachable = _error_text(exc)
                    await record(mail, Outcome.RETRY, unreachable)
                    continue
            try:
                await smtp.send_message(message, sender=sender, recipients=[mail.to_address])
            except Exception as exc:
                await record(mail, classify(exc), _error_text(exc))
                if breaks_connection(exc):
                    await _close(smtp)
                    smtp = None
                continue
            await record(mail, Outcome.SENT)
    finally:
        await _close(smtp)


async def _write_to_log(prepared: list[tuple[ClaimedMail, EmailMessage]], record: _Recorder) -> None:
    for mail, message in prepared:
        body = message.get_body(("plain",))
        text = body.get_content() if isinstance(body, EmailMessage) else ""
        log.info("mail (no SMTP configured) to %s\nSubject: %s\n\n%s", mail.to_address, message["Subject"], text)
        await record(mail, Outcome.SENT)


async def deliver_due(
    session_maker: Callable[[], AsyncSession], clock: Clock, settings: Settings, *, batch: int = 50
) -> DeliveryReport:
    """Sends up to ``batch`` due mails; safe to run in several processes at once."""
    report = DeliveryReport()
    async with session_maker() as session, session.begin():
        report.flagged_uncertain = await flag_stale(session, clock.now())
    async with session_maker() as session, session.begin():
        claimed = await claim_due(session, clock.now(), limit=batch)
    report.claimed = len(claimed)
    if not claimed:
        return report
    record = _Recorder(session_maker, clock, report)
    prepared: list[tuple[ClaimedMail, EmailMessage]] = []
    for mail in claimed:
        try:
            prepared.append((mail, build_message(mail, render_mail(mail, settings), settings)))
        except Exception as exc:  # a rendering bug must not block the rest; retried after a fix
            log.exception("mail #%s could not be rendered", mail.id)
            await record(mail, Outcome.RETRY, _error_text(exc))
    if settings.smtp_host:
        await _send_over_smtp(prepared, settings, record)
    else:
        await _write_to_log(prepared, record)
    return report
