"""A domain refusal as the pages show it: its message translated, with times in a time zone, and
by form field (``__all__`` for a message about the whole form)."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from typing import Any

from core.errors import DomainError, ValidationFailed
from teams.write_window import LateWrite
from web.i18n import format_datetime
from web.i18n import gettext as _


def _shown(params: Mapping[str, Any], timezone: str | None) -> dict[str, Any]:
    """A message's parameters, with its times in ``timezone`` (as they are without one)."""
    if timezone is None:
        return dict(params)
    return {k: format_datetime(v, timezone) if isinstance(v, datetime) else v for k, v in params.items()}


def error_message(exc: DomainError, timezone: str | None = None) -> str:
    """The translated message. With ``timezone``, the times among its parameters are shown in it; a
    late write names its closing time in ``timezone``, else in the time zone it carries."""
    params = _shown(exc.params, timezone)
    if isinstance(exc, LateWrite) and exc.closed_at is not None:
        params["when"] = format_datetime(exc.closed_at, timezone or exc.timezone)
    return _(exc.message, **params)


def error_messages(exc: DomainError, timezone: str | None = None) -> dict[str, str]:
    """Translated messages by form field; ``__all__`` for a message about the whole form."""
    if isinstance(exc, ValidationFailed):
        return {
            field: _(message, **_shown({**exc.params, **exc.params_of(field)}, timezone))
            for field, message in exc.errors.items()
        }
    return {exc.field or "__all__": error_message(exc, timezone)}
