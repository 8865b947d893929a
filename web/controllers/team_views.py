"""What the team pages and the entry page share: the fields' limits, refusals as translated messages."""

from __future__ import annotations

from core.errors import DomainError, ValidationFailed
from teams.models import ENTRY_SUMMARY_MAX, ENTRY_TEXT_MAX, ENTRY_TITLE_MAX, TEAM_NAME_MAX, URL_MAX
from teams.write_window import LateWrite
from web.i18n import format_datetime
from web.i18n import gettext as _

LIMITS = {
    "name": TEAM_NAME_MAX,
    "title": ENTRY_TITLE_MAX,
    "summary": ENTRY_SUMMARY_MAX,
    "text": ENTRY_TEXT_MAX,
    "url": URL_MAX,
}


def error_message(exc: DomainError) -> str:
    params = dict(exc.params)
    if isinstance(exc, LateWrite) and exc.closed_at is not None:
        params["when"] = format_datetime(exc.closed_at, exc.timezone)
    return _(exc.message, **params)


def error_messages(exc: DomainError) -> dict[str, str]:
    """Translated messages by form field; ``__all__`` for a message about the whole form."""
    if isinstance(exc, ValidationFailed):
        return {field: _(message) for field, message in exc.errors.items()}
    return {exc.field or "__all__": error_message(exc)}
