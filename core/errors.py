"""Errors a domain service raises; the web layer maps them to statuses and messages.

Messages are English msgids marked with ``N_`` and translated when shown, with ``params``
interpolated after translation.
"""

from __future__ import annotations

from typing import Any


def N_(message: str) -> str:
    """Marks a string for extraction without translating it now."""
    return message


class DomainError(Exception):
    status_code = 400

    def __init__(self, message: str, *, field: str | None = None, **params: Any) -> None:
        super().__init__(message)
        self.message = message
        self.field = field
        self.params = params


class NotFound(DomainError):
    """Missing, or outside the user's scope: both answer 404 so that nothing leaks."""

    status_code = 404


class Forbidden(DomainError):
    status_code = 403


class Conflict(DomainError):
    status_code = 409


class Invalid(DomainError):
    status_code = 422


class TooManyAttempts(DomainError):
    status_code = 429


class Unavailable(DomainError):
    """Something the app relies on besides the database (the file store) cannot be reached for
    now: try again later."""

    status_code = 503


class ValidationFailed(Invalid):
    """Several field errors at once: ``errors`` maps a field name to its message.

    ``field_params`` holds the values a field's message names (``%(name)s``), by field.
    """

    def __init__(
        self, errors: dict[str, str], *, field_params: dict[str, dict[str, Any]] | None = None, **params: Any
    ) -> None:
        first = next(iter(errors.values()), N_("Please correct the highlighted fields."))
        super().__init__(first, **params)
        self.errors = errors
        self.field_params = field_params or {}

    def params_of(self, field: str) -> dict[str, Any]:
        return self.field_params.get(field, {})
