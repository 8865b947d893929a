"""Every failure answers with a clear message in the form the client asked for, never a trace."""

from __future__ import annotations

import logging
from typing import Any
from urllib.parse import quote

from advanced_alchemy.exceptions import NotFoundError, RepositoryError
from litestar import MediaType, Request, Response
from litestar.exceptions import (
    HTTPException,
    NotAuthorizedException,
    NotFoundException,
    PermissionDeniedException,
    ValidationException,
)
from litestar.response import Redirect, Template
from litestar_htmx import ClientRedirect

from core.errors import DomainError, ValidationFailed
from web.i18n import gettext as _
from web.security import HEADERS as SECURITY_HEADERS

log = logging.getLogger("kaizen.web")

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
}


def wants_json(request: Request[Any, Any, Any]) -> bool:
    accept = request.headers.get("accept", "")
    return "application/json" in accept and "text/html" not in accept


def is_htmx(request: Request[Any, Any, Any]) -> bool:
    return request.headers.get("hx-request") == "true"


def error_response(
    request: Request[Any, Any, Any],
    status: int,
    message: str,
    field: str | None = None,
    errors: dict[str, str] | None = None,
) -> Response[Any]:
    if wants_json(request):
        body: dict[str, Any] = {"status": status, "detail": message}
        if field:
            body["field"] = field
        if errors:
            body["errors"] = errors
        return Response(body, status_code=status, media_type=MediaType.JSON, headers=SECURITY_HEADERS)
    template = "_partials/error.html" if is_htmx(request) else "error.html"
    return Template(
        template_name=template,
        context={"status": status, "title": _(TITLES.get(status, TITLES[400])), "message": message, "field": field},
        status_code=status,
        # unrouted paths (404) do not pass through the middleware stack
        headers=SECURITY_HEADERS,
    )


def domain_error_handler(request: Request[Any, Any, Any], exc: DomainError) -> Response[Any]:
    message = _(exc.message, **exc.params)
    errors = {k: _(v) for k, v in exc.errors.items()} if isinstance(exc, ValidationFailed) else None
    return error_response(request, exc.status_code, message, exc.field, errors)


def not_authorized_handler(request: Request[Any, Any, Any], exc: NotAuthorizedException) -> Response[Any]:
    if wants_json(request):
        return error_response(request, 401, _(TITLES[401]))
    target = "/sign-in?next=" + quote(request.url.path + (f"?{request.url.query}" if request.url.query else ""))
    if is_htmx(request):
        return ClientRedirect(redirect_to=target)
    return Redirect(path=target, status_code=303)


def http_exception_handler(request: Request[Any, Any, Any], exc: HTTPException) -> Response[Any]:
    status = exc.status_code
    if status >= 500:
        log.error("HTTP %s on %s: %s", status, request.url.path, exc.detail, exc_info=exc)
    return error_response(request, status, _(TITLES.get(status, TITLES[400])))


def repository_error_handler(request: Request[Any, Any, Any], exc: RepositoryError) -> Response[Any]:
    status = 404 if isinstance(exc, NotFoundError) else 409
    return error_response(request, status, _(TITLES[status]))


def internal_error_handler(request: Request[Any, Any, Any], exc: Exception) -> Response[Any]:
    log.exception("Unhandled error on %s %s", request.method, request.url.path, exc_info=exc)
    return error_response(request, 500, _(TITLES[500]))


EXCEPTION_HANDLERS: dict[Any, Any] = {
    DomainError: domain_error_handler,
    NotAuthorizedException: not_authorized_handler,
    PermissionDeniedException: http_exception_handler,
    NotFoundException: http_exception_handler,
    ValidationException: http_exception_handler,
    HTTPException: http_exception_handler,
    RepositoryError: repository_error_handler,
    Exception: internal_error_handler,
}
