"""Every failure answers with a clear message in the form the client asked for, never a trace."""

from __future__ import annotations

import logging
from dataclasses import dataclass
from typing import Any
from urllib.parse import quote, urlsplit

from advanced_alchemy.exceptions import NotFoundError, RepositoryError
from litestar import MediaType, Request, Response
from litestar.datastructures import FormMultiDict
from litestar.exceptions import (
    HTTPException,
    NotAuthorizedException,
    NotFoundException,
    PermissionDeniedException,
    ValidationException,
)
from litestar.middleware import ASGIMiddleware
from litestar.plugins.htmx import ClientRedirect
from litestar.response import Redirect, Template
from litestar.types import ASGIApp, Empty, Message, Receive, Scope, Send
from litestar.utils.scope.state import ScopeState
from sqlalchemy.exc import DBAPIError, OperationalError
from sqlalchemy.exc import TimeoutError as SQLAlchemyTimeoutError

from core.concurrency import is_concurrent_change
from core.errors import N_, DomainError, ValidationFailed
from web.flash import is_htmx, see_other
from web.forms import FormRefused
from web.i18n import gettext as _
from web.input_guard import MalformedInput
from web.messages import error_message, error_messages
from web.refusals import noted_timezone, refused_page
from web.security import CSRF_FAILED

log = logging.getLogger("kaizen.web")
CLIENT_GONE = "kaizen.client_gone"
CLIENT_CLOSED_REQUEST = 499  # nginx's name for it: nobody reads this answer

TITLES = {
    400: "The request could not be understood.",
    401: "Please sign in to continue.",
    403: "You do not have access to this page.",
    404: "We could not find that page.",
    405: "That action is not allowed here.",
    409: "That conflicts with the current state.",
    413: "The upload is too large.",
    422: "Please check what you entered.",
    429: "Too many requests. Please wait a moment.",
    500: "Something went wrong on our side. Please try again.",
    503: N_("The site is busy right now. Please try again in a moment."),
}
RETRY_AFTER_SECONDS = 5
# a write that lost a race no service turned into a message of its own (the loser is rolled back)
CONCURRENT_CHANGE = N_(
    "Someone else changed the same thing at the same moment, so nothing was saved. "
    "Please reload the page and try again."
)
# the same, when the page can send what was typed again (``resend_form``)
CONCURRENT_CHANGE_KEPT = N_(
    "Someone else changed the same thing at the same moment, so nothing was saved. "
    "What you sent is kept: send it again to see the outcome."
)
# the form field Litestar's CSRF check reads: the page that sends again carries a fresh one
CSRF_FIELD = "_csrf_token"
# a form from before a sign-in or sign-out, from another browser, or with no token at all
CSRF_REFUSED = N_(
    "This form could not be verified: it may be from before you signed in or out, or from another window. "
    "Reload the page and send it again."
)


def wants_json(request: Request[Any, Any, Any]) -> bool:
    accept = request.headers.get("accept", "")
    return "application/json" in accept and "text/html" not in accept


def error_response(
    request: Request[Any, Any, Any],
    status: int,
    message: str,
    field: str | None = None,
    errors: dict[str, str] | None = None,
    headers: dict[str, str] | None = None,
    resend: Resend | None = None,
) -> Response[Any]:
    if wants_json(request):
        body: dict[str, Any] = {"status": status, "detail": message}
        if field:
            body["field"] = field
        if errors:
            body["errors"] = errors
        return Response(body, status_code=status, media_type=MediaType.JSON, headers=headers)
    template = "_partials/error.html" if is_htmx(request) else "error.html"
    return Template(
        template_name=template,
        context={
            "status": status,
            "title": _(TITLES.get(status, TITLES[400])),
            "message": message,
            "field": field,
            "resend": resend,
        },
        status_code=status,
        headers=headers,
    )


@dataclass(frozen=True)
class Resend:
    """A form to send again, as it was sent: where to, and its fields (the CSRF token aside)."""

    action: str
    fields: list[tuple[str, str]]


def resend_form(request: Request[Any, Any, Any]) -> Resend | None:
    """What a browser's form sent, to offer it again after a refusal that kept nothing (a race lost,
    the database busy): nothing typed is lost. None for htmx and JSON clients, for a form the
    handler had not read, and for one that carried files (a browser cannot be handed those back)."""
    if request.method != "POST" or is_htmx(request) or wants_json(request):
        return None
    sent = ScopeState.from_scope(request.scope).form
    if sent is Empty or not isinstance(sent, dict):
        return None
    fields = [(name, value) for name, value in FormMultiDict.from_form_data(sent).multi_items() if name != CSRF_FIELD]
    if not fields or not all(isinstance(value, str) for _name, value in fields):
        return None
    action = request.url.path + (f"?{request.url.query}" if request.url.query else "")
    return Resend(action, fields)


def _referring_page(request: Request[Any, Any, Any]) -> str | None:
    """The page of this site the form was sent from (path and query), if the browser said so."""
    referer = request.headers.get("referer")
    if not referer:
        return None
    parts = urlsplit(referer)
    if parts.netloc != request.headers.get("host", "") or not parts.path.startswith("/"):
        return None
    page = parts.path + (f"?{parts.query}" if parts.query else "")
    return None if page.startswith("//") or parts.path == request.url.path else page


def domain_error_handler(request: Request[Any, Any, Any], exc: DomainError) -> Response[Any]:
    message = error_message(exc, noted_timezone(request))
    # A refusal of a route that names the page to go back to (``web.refusals``): there, any but a 404.
    if request.method == "POST" and exc.status_code != 404 and (page := refused_page(request)):
        return see_other(request, page, error=message)
    # A refused action button (a conflict, not a field error nor a missing object) whose handler
    # did not answer itself: back to the page it was pressed on, so that a reload sends nothing.
    action = request.method == "POST" and exc.status_code not in (404, 422)
    if action and not is_htmx(request) and not wants_json(request) and (back := _referring_page(request)):
        return see_other(request, back, error=message)
    errors = error_messages(exc) if isinstance(exc, ValidationFailed) else None
    return error_response(request, exc.status_code, message, exc.field, errors)


def form_refused_handler(_request: Request[Any, Any, Any], exc: FormRefused) -> Response[Any]:
    """The form again, with what was typed and the messages (``web.forms.or_form_again``)."""
    return exc.response


def malformed_input_handler(request: Request[Any, Any, Any], exc: MalformedInput) -> Response[Any]:
    return error_response(request, exc.status_code, _(exc.message))


def not_authorized_handler(request: Request[Any, Any, Any], exc: NotAuthorizedException) -> Response[Any]:
    if wants_json(request):
        return error_response(request, 401, _(TITLES[401]))
    target = "/sign-in?next=" + quote(request.url.path + (f"?{request.url.query}" if request.url.query else ""))
    if is_htmx(request):
        return ClientRedirect(redirect_to=target)
    return Redirect(path=target, status_code=303)


def client_gone(request: Request[Any, Any, Any]) -> bool:
    return bool(request.scope.get("state", {}).get(CLIENT_GONE))


def _client_went_away(request: Request[Any, Any, Any], exc: Exception) -> Response[Any]:
    """One line, no traceback: a browser that navigated away (or lost its network) mid-request is
    no error of ours. Nothing is committed (the status is not a success) and nobody reads the answer."""
    log.info("client went away during %s %s (%s)", request.method, request.url.path, type(exc).__name__)
    return Response(content=b"", status_code=CLIENT_CLOSED_REQUEST, media_type=MediaType.TEXT)


def http_exception_handler(request: Request[Any, Any, Any], exc: HTTPException) -> Response[Any]:
    if client_gone(request):
        return _client_went_away(request, exc)
    status = exc.status_code
    if status >= 500:
        log.error("HTTP %s on %s: %s", status, request.url.path, exc.detail, exc_info=exc)
    if status == 403 and exc.detail == CSRF_FAILED:
        return error_response(request, status, _(CSRF_REFUSED))
    return error_response(request, status, _(TITLES.get(status, TITLES[400])))


def repository_error_handler(request: Request[Any, Any, Any], exc: RepositoryError) -> Response[Any]:
    status = 404 if isinstance(exc, NotFoundError) else 409
    return error_response(request, status, _(TITLES[status]))


def internal_error_handler(request: Request[Any, Any, Any], exc: Exception) -> Response[Any]:
    if client_gone(request):
        return _client_went_away(request, exc)
    log.exception("Unhandled error on %s %s", request.method, request.url.path, exc_info=exc)
    return error_response(request, 500, _(TITLES[500]))


def database_busy(exc: Exception) -> bool:
    """No connection free within the pool's timeout, or SQLite's write lock not had within its
    busy timeout: the database is overloaded for now, not broken."""
    if isinstance(exc, SQLAlchemyTimeoutError):
        return True
    return isinstance(exc, OperationalError) and "database is locked" in str(exc.orig)


def database_error_handler(request: Request[Any, Any, Any], exc: Exception) -> Response[Any]:
    """503 with Retry-After when the database is busy (nothing was committed), at once rather
    than after a browser's timeout; 409 when another transaction got there first (a key it
    inserted, a deadlock: nothing of this request was committed); any other database error is a 500.

    The 409 is the safety net under every write: the services answer the races they know of
    with a message next to the field (``core.concurrency``)."""
    if client_gone(request):
        return internal_error_handler(request, exc)
    if isinstance(exc, DBAPIError) and is_concurrent_change(exc):
        log.warning("concurrent change on %s %s: %s", request.method, request.url.path, str(exc).splitlines()[0])
        resend = resend_form(request)
        return error_response(request, 409, _(CONCURRENT_CHANGE_KEPT if resend else CONCURRENT_CHANGE), resend=resend)
    if not database_busy(exc):
        return internal_error_handler(request, exc)
    log.warning("database busy on %s %s: %s", request.method, request.url.path, str(exc).splitlines()[0])
    headers = {"Retry-After": str(RETRY_AFTER_SECONDS)}
    return error_response(request, 503, _(TITLES[503]), headers=headers, resend=resend_form(request))


EXCEPTION_HANDLERS: dict[Any, Any] = {
    DomainError: domain_error_handler,
    FormRefused: form_refused_handler,
    MalformedInput: malformed_input_handler,
    NotAuthorizedException: not_authorized_handler,
    PermissionDeniedException: http_exception_handler,
    NotFoundException: http_exception_handler,
    ValidationException: http_exception_handler,
    HTTPException: http_exception_handler,
    RepositoryError: repository_error_handler,
    SQLAlchemyTimeoutError: database_error_handler,
    OperationalError: database_error_handler,
    DBAPIError: database_error_handler,  # IntegrityError, and PostgreSQL's deadlocks (a plain DBAPIError)
    Exception: internal_error_handler,
}


class ClientGoneMiddleware(ASGIMiddleware):
    """Notes in the scope when the client hangs up before its request was read.

    Uvicorn does not cancel a handler whose client went away: it answers ``http.disconnect``
    to the next ``receive`` and drops whatever is sent afterwards. Litestar, reading the body
    (a form), turns that into ``InternalServerException("client disconnected prematurely")``,
    which would otherwise be logged as a server error with its traceback.
    """

    scopes = ("http",)  # type: ignore[assignment]

    async def handle(self, scope: Scope, receive: Receive, send: Send, next_app: ASGIApp) -> None:
        async def watched_receive() -> Message:
            message = await receive()
            if message["type"] == "http.disconnect":
                scope.setdefault("state", {})[CLIENT_GONE] = True
            return message  # type: ignore[return-value]

        await next_app(scope, watched_receive, send)  # type: ignore[arg-type]
