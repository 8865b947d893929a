"""Malformed input refused at the edge, the same way at every route.

No person types a NUL byte, and no browser sends text that is not UTF-8 or an id beyond what a
64-bit column holds; a fuzzer or a broken client does, and PostgreSQL refuses such values with an
error deep inside a handler. They are refused here instead, before any handler runs:

- the path, the query string and the cookies (``MalformedInputMiddleware``), and every text
  value of a form, urlencoded or multipart (``refuse_malformed_form``, the app's before-request
  hook), containing a NUL byte, a lone surrogate or bytes that are not UTF-8: 400 with a message
  that says so (except the sign-in form, whose handler answers any text with the failed-attempt
  message on the sign-in page, the attempt counted);
- an integer path parameter outside the signed 64-bit range: 404, as for any other id that
  does not exist;
- an integer query parameter a handler declares (``page``, ``phase``, ``edit`` …) outside that
  range: 400 with a message that says the address holds a number out of range. (Page numbers
  within the range but past the last page show the last page: ``core.pagination.paginate``.)

Values a person can type (a too-long e-mail, an out-of-range number, a far date) are checked
next to their field by the forms and services; this is only the floor under them.
"""

from __future__ import annotations

import re
import types
import typing
from collections.abc import Iterable
from functools import cache
from typing import Any
from urllib.parse import parse_qsl, unquote_to_bytes

from litestar import Request
from litestar.datastructures import UploadFile
from litestar.handlers.base import BaseRouteHandler
from litestar.middleware import ASGIMiddleware
from litestar.types import ASGIApp, Receive, Scope, Send

from core.errors import N_, NotFound
from core.numbers import in_int64, parse_int

MALFORMED = N_(
    "The request contains characters that cannot be accepted (such as a NUL byte). Please remove them and try again."
)
NOT_FOUND = N_("We could not find that page.")
NUMBER_OUT_OF_RANGE = N_("The address holds a number that is out of range.")
# a handler's opt that says it answers any text of its form itself (the sign-in form: a failed
# attempt, shown on the sign-in page, whatever was typed)
OWN_TEXT_CHECKS = "checks_own_text"
FORM_TYPES = ("application/x-www-form-urlencoded", "multipart/form-data")
# NUL and the UTF-16 surrogates, which no UTF-8 text contains
_FORBIDDEN = re.compile("[\x00\ud800-\udfff]")


class MalformedInput(Exception):
    """A request whose text no person could have typed: answered with 400 and ``MALFORMED``."""

    status_code = 400

    def __init__(self, message: str = MALFORMED) -> None:
        super().__init__(message)
        self.message = message


def is_clean_text(value: str) -> bool:
    return _FORBIDDEN.search(value) is None


def _clean_bytes(raw: bytes) -> bool:
    """Percent-decoded ``raw`` is UTF-8 text without a NUL byte (``+`` and the rest need no decoding)."""
    try:
        text = unquote_to_bytes(raw).decode("utf-8")
    except UnicodeDecodeError:
        return False
    return is_clean_text(text)


def _cookie_header(scope: Scope) -> Iterable[bytes]:
    return (value for name, value in scope["headers"] if name == b"cookie")


class MalformedInputMiddleware(ASGIMiddleware):
    """Refuses a path, query string or cookie with a NUL byte or text that is not UTF-8 (400), and
    an integer path parameter outside the 64-bit range (404)."""

    scopes = ("http",)  # type: ignore[assignment]

    async def handle(self, scope: Scope, receive: Receive, send: Send, next_app: ASGIApp) -> None:
        raw_path = scope.get("raw_path") or scope["path"].encode("utf-8", "surrogatepass")
        clean = (
            is_clean_text(scope["path"])
            and _clean_bytes(raw_path)
            and _clean_bytes(scope.get("query_string", b""))
            and all(_clean_bytes(value) for value in _cookie_header(scope))
        )
        if not clean:
            raise MalformedInput()
        for value in scope.get("path_params", {}).values():
            if isinstance(value, int) and not in_int64(value):
                raise NotFound(NOT_FOUND)
        if (handler := scope.get("route_handler")) is not None and (names := _int_query_names(handler)):
            for name, value in parse_qsl(scope.get("query_string", b"").decode("utf-8")):
                if name in names and _integer_out_of_range(value):
                    raise MalformedInput(NUMBER_OUT_OF_RANGE)
        await next_app(scope, receive, send)


def _is_int_annotation(annotation: Any) -> bool:
    if annotation is int:
        return True
    if typing.get_origin(annotation) is typing.Annotated:
        return _is_int_annotation(typing.get_args(annotation)[0])
    if isinstance(annotation, types.UnionType) or typing.get_origin(annotation) is typing.Union:
        return any(_is_int_annotation(arg) for arg in typing.get_args(annotation))
    return False


@cache
def _int_query_names(handler: BaseRouteHandler) -> frozenset[str]:
    """The query parameters the handler declares as integers (path parameters are checked apart)."""
    parameters = handler.parsed_fn_signature.parameters
    return frozenset(name for name, parameter in parameters.items() if _is_int_annotation(parameter.annotation))


def _integer_out_of_range(value: str) -> bool:
    """An integer (in any digits ``int()`` reads) that no 64-bit column holds."""
    try:
        number = int(value)
    except ValueError:
        return False  # not a number at all: the handler's own validation answers
    return parse_int(str(number)) is None


def _text_values(form: Any) -> Iterable[str]:
    for key, value in form.multi_items() if hasattr(form, "multi_items") else form.items():
        yield str(key)
        for item in value if isinstance(value, list) else [value]:
            if isinstance(item, UploadFile):
                yield item.filename or ""
            elif isinstance(item, str):
                yield item


async def refuse_malformed_form(request: Request[Any, Any, Any]) -> None:
    """Before every handler: a form (read once here, the handler gets the same parsed form) whose
    names or text values contain a NUL byte or a lone surrogate is refused with 400."""
    if request.method in ("GET", "HEAD", "OPTIONS") or request.route_handler.opt.get(OWN_TEXT_CHECKS):
        return
    content_type = request.headers.get("content-type", "").split(";", 1)[0].strip().lower()
    if content_type not in FORM_TYPES:
        return
    form = await request.form()
    if not all(is_clean_text(text) for text in _text_values(form)):
        raise MalformedInput()
