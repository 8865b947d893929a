"""A posted form as typed input, and the form again when the operation refuses what was typed.

``read_form`` reads a form once: ``text`` (trimmed, "" when missing), ``number``, ``flag``,
``page``; ``values`` keeps the raw text of the named fields, to show again as it was typed.

``or_form_again`` runs an operation; when the domain refuses it (but with a 404: what is not in
the person's scope is not there), it answers with the page that ``render`` builds from the
messages by field (times in the campaign's time zone) and the refusal's status: the form again,
with what was typed. A handler states only what to render on refusal::

    values = form.values(*FIELDS)
    await or_form_again(request, add_challenge(...), lambda errors, status: _form(values, errors, status))

Refusals that ``when`` leaves out go on to ``web.errors`` (back to the route's ``refused`` page).
"""

from __future__ import annotations

import inspect
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any, TypeVar

from litestar import Request, Response
from litestar.datastructures import FormMultiDict

from core.errors import DomainError, ValidationFailed
from core.numbers import parse_int
from web.deps import form_value
from web.messages import error_messages
from web.refusals import noted_timezone

T = TypeVar("T")
Render = Callable[[dict[str, str], int], Response[Any] | Awaitable[Response[Any]]]


@dataclass(frozen=True)
class Form:
    """What a form sent, read as the types an operation takes."""

    data: FormMultiDict

    def text(self, name: str) -> str:
        """The field as typed, trimmed ("" when missing)."""
        return form_value(self.data, name)

    def verbatim(self, name: str) -> str:
        """The field exactly as typed (long text whose spacing matters), "" when missing."""
        return str(self.data.get(name) or "")

    def number(self, name: str) -> int | None:
        """The whole number typed, None when empty or not one."""
        return parse_int(self.text(name))

    def numbers(self, name: str) -> list[int | None]:
        """Every value sent under ``name`` (check boxes, a multiple choice), each a number or None."""
        return [parse_int(str(raw)) for raw in self.data.getall(name, [])]

    def flag(self, name: str) -> bool:
        """A check box: ticked when sent with any value."""
        return bool(self.text(name))

    def page(self) -> int:
        """The page of a list the form was sent from (1 when none or not a number)."""
        return max(1, self.number("page") or 1)

    def values(self, *names: str) -> dict[str, Any]:
        """The named fields as typed, to show them again."""
        return {name: self.text(name) for name in names}


async def read_form(request: Request[Any, Any, Any]) -> Form:
    return Form(await request.form())


def is_invalid(exc: DomainError) -> bool:
    """Fields typed wrong (``ValidationFailed``): checked before anything is written."""
    return isinstance(exc, ValidationFailed)


def is_field_error(exc: DomainError) -> bool:
    """A refusal of what was typed (a field to correct), not of the state of things."""
    return isinstance(exc, ValidationFailed) or exc.field is not None


class FormRefused(Exception):
    """The answer to a refused form (``or_form_again``), given by ``web.errors``."""

    def __init__(self, response: Response[Any]) -> None:
        super().__init__("form refused")
        self.response = response


async def or_form_again(
    request: Request[Any, Any, Any],
    operation: Awaitable[T],
    render: Render,
    *,
    when: Callable[[DomainError], bool] = lambda _exc: True,
) -> T:
    """The operation's result; if the domain refuses it (a refusal ``when`` picks, not a 404), the
    page ``render(errors, status)`` builds is the answer (raised as ``FormRefused``)."""
    try:
        return await operation
    except DomainError as exc:
        if exc.status_code == 404 or not when(exc):
            raise
        page = render(error_messages(exc, noted_timezone(request)), exc.status_code)
        if inspect.isawaitable(page):
            page = await page
        raise FormRefused(page) from exc
