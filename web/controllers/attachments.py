"""An entry's files: adding and removing them on the entry page, and downloading them.

Uploads are multipart forms (the CSRF token travels as the form's ``_csrf_token`` field, or as
the ``x-csrftoken`` header that htmx adds). Litestar's own body limit is lifted on the upload
route and replaced by ``UploadLimitMiddleware``, which knows the configured file size: a body a
little larger than one file may be (the form's framing) is refused before it is parsed, and the
person is sent back to the entry page with the size message next to the file field. A file
between the limit and that margin is read and refused by the service with the same message.

Downloads go through ``judging.attachment_access`` (members, organizers, assigned judges; 404
for anyone else), always as attachments, with ``nosniff`` and the type found in the bytes.
"""

from __future__ import annotations

import json
import logging
from dataclasses import dataclass
from datetime import datetime
from typing import Any
from urllib.parse import parse_qsl, quote

from litestar import Request, Response, get, post
from litestar.datastructures import UploadFile
from litestar.exceptions import ClientException
from litestar.middleware import ASGIMiddleware
from litestar.params import FromPath, FromQuery
from litestar.response import File, Stream
from litestar.response.base import ASGIResponse
from litestar.types import ASGIApp, Empty, Receive, ReceiveMessage, Scope, Send
from litestar.utils.scope.state import ScopeState
from sqlalchemy.ext.asyncio import AsyncSession

from core.errors import N_, DomainError, Invalid, NotFound
from core.numbers import parse_int
from judging.attachment_access import readable_attachment
from teams.attachments import ATTACHMENT_NOT_FOUND, UploadLimits, delete_attachment, upload_attachment
from teams.file_store import FileMissing
from teams.models import Attachment
from teams.storage import ascii_name
from teams.write_window import LateWrite
from web.controllers.entries import entry_page
from web.deps import USER, AppClock, AppSettings, DbSession, signed_in
from web.file_stores import file_store
from web.flash import is_htmx, see_other
from web.i18n import gettext as _
from web.input_guard import OWN_TEXT_CHECKS
from web.messages import error_message
from web.settings import Settings

log = logging.getLogger("kaizen.web")

# room for the multipart framing and the form's other fields around one file of the largest size
UPLOAD_OVERHEAD = 64 * 1024
# a body refused for its size is still read (and thrown away) up to this many times the limit, so
# that the browser, still sending, reads our answer instead of a reset connection
DRAIN_FACTOR = 4
NO_FILE = N_("Choose a file to upload.")


def _limits(settings: Settings) -> UploadLimits:
    return UploadLimits(
        store=file_store(settings), max_bytes=settings.upload_max_bytes, max_count=settings.upload_max_count
    )


def _entry_url(team_id: int, phase_id: int | None, **query: str) -> str:
    params = ([f"phase={phase_id}"] if phase_id is not None else []) + [f"{k}={v}" for k, v in query.items()]
    return f"/teams/{team_id}/entry" + (f"?{'&'.join(params)}" if params else "") + "#attachments"


# --- the size of an upload, before it is parsed ----------------------------------------------------

UPLOAD_BODY = "kaizen_upload_body"  # the request's _UploadBody, in the connection state


def _content_length(scope: Scope) -> int | None:
    for name, value in scope["headers"]:
        if name == b"content-length":
            try:
                return int(value)
            except ValueError:
                return None
    return None


async def _drain(receive: Receive, cap: int) -> None:
    """Reads and drops the rest of the body, at most about ``cap`` bytes."""
    seen = 0
    while seen <= cap:
        message = await receive()
        if message["type"] != "http.request":
            return
        seen += len(message.get("body", b""))
        if not message.get("more_body", False):
            return


@dataclass
class _UploadBody:
    """Counts the body as it is read, and past ``limit`` ends it early.

    The body is cut short rather than interrupted by an exception, so that the form parser fails
    the usual way (a ``ClientException``) and closes the temporary file it was writing;
    ``exceeded`` tells that failure from a malformed form."""

    receive: Receive
    limit: int
    received: int = 0
    finished: bool = False
    exceeded: bool = False

    async def bounded(self) -> ReceiveMessage:
        if self.exceeded:
            return {"type": "http.request", "body": b"", "more_body": False}
        message = await self.receive()
        if message["type"] == "http.request":
            self.received += len(message.get("body", b""))
            self.finished = not message.get("more_body", False)
            if self.received > self.limit:
                self.exceeded = True
                return {"type": "http.request", "body": b"", "more_body": False}
        return message

    async def drain(self) -> None:
        if not self.finished:
            await _drain(self.receive, DRAIN_FACTOR * self.limit)
            self.finished = True


def _too_large_target(team_id: int, query_string: bytes) -> str:
    raw_phase = dict(parse_qsl(query_string.decode("latin-1"))).get("phase", "")
    phase_id = parse_int(raw_phase)
    return _entry_url(team_id, phase_id, file_error="too_large")


def _too_large_headers(htmx: bool, target: str) -> tuple[int, dict[str, str]]:
    """Back to the entry page, which shows the size message next to the file field. htmx is never
    redirected: it is told to fetch the page's file section in place."""
    if not htmx:
        return 303, {"location": target}
    location = {
        "path": target.split("#", 1)[0],
        "target": "#attachments",
        "select": "#attachments",
        "swap": "outerHTML",
        "push": "false",
    }
    return 200, {"hx-location": json.dumps(location)}


async def _close_uploads(scope: Scope) -> None:
    """Closes the temporary files of a parsed form, also when no handler ran (a refused CSRF check)."""
    form = ScopeState.from_scope(scope).form
    if form is Empty or not isinstance(form, dict):
        return
    for value in form.values():
        for item in value if isinstance(value, list) else [value]:
            if isinstance(item, UploadFile):
                await item.close()


class UploadLimitMiddleware(ASGIMiddleware):
    """Refuses an upload whose body is larger than the configured file size allows (see the module)."""

    scopes = ("http",)  # type: ignore[assignment]

    async def handle(self, scope: Scope, receive: Receive, send: Send, next_app: ASGIApp) -> None:
        settings: Settings = scope["litestar_app"].state.settings
        body = _UploadBody(receive=receive, limit=settings.upload_max_bytes + UPLOAD_OVERHEAD)
        announced = _content_length(scope)
        if announced is not None and announced > body.limit:
            if announced <= DRAIN_FACTOR * body.limit:
                await _drain(receive, announced)
            await self._refuse(scope, receive, send)
            return
        scope.setdefault("state", {})[UPLOAD_BODY] = body
        try:
            await next_app(scope, body.bounded, send)
        except ClientException:
            if not body.exceeded:
                raise
            # the CSRF check read the form (its token was a form field): no answer was started
            await body.drain()
            await self._refuse(scope, receive, send)
        finally:
            await _close_uploads(scope)

    async def _refuse(self, scope: Scope, receive: Receive, send: Send) -> None:
        team_id = int(scope["path_params"]["team_id"])
        htmx = dict(scope["headers"]).get(b"hx-request") == b"true"
        status, headers = _too_large_headers(htmx, _too_large_target(team_id, scope["query_string"]))
        await ASGIResponse(status_code=status, headers=headers)(scope, receive, send)


# --- adding and removing ----------------------------------------------------------------------


async def _answer(
    request: Request[Any, Any, Any],
    db: AsyncSession,
    settings: Settings,
    team_id: int,
    phase_id: int | None,
    now: datetime,
    *,
    file_error: str | None = None,
    outcome: str | None = None,
    status: int = 200,
) -> Response[Any]:
    """A plain form goes back to the entry page (a redirect when all went well); htmx gets the
    page, from which it takes the file section."""
    if file_error is None and not is_htmx(request):
        return see_other(request, _entry_url(team_id, phase_id), ok=outcome)
    user = signed_in(request)
    return await entry_page(db, user, team_id, phase_id, now, settings, file_error=file_error, status=status)


async def _refused(
    request: Request[Any, Any, Any],
    db: AsyncSession,
    settings: Settings,
    team_id: int,
    phase_id: int | None,
    now: datetime,
    exc: DomainError,
) -> Response[Any]:
    """The refusal next to the file field; nothing of the refused change is kept.

    htmx gets the file section; a plain form gets the entry page when the file itself was refused
    (its kind, its size: sending it again is refused again), else a redirect to it with the reason,
    so that a reload cannot add or remove the file later (the deadline, say, once extended)."""
    await db.rollback()  # an entry created for the refused file goes too
    timezone = exc.timezone if isinstance(exc, LateWrite) else "UTC"
    message = error_message(exc, timezone)
    if not is_htmx(request) and exc.status_code != 422:
        return see_other(request, _entry_url(team_id, phase_id), error=message)
    return await _answer(request, db, settings, team_id, phase_id, now, file_error=message, status=exc.status_code)


@post(
    "/teams/{team_id:int}/entry/attachments",
    # the form is read here, under the upload limit (a body past it is answered, not a 400); its
    # only text is the file's name, which storage.safe_name strips of control characters
    opt={**USER, OWN_TEXT_CHECKS: True},
    name="attachment_upload",
    request_max_body_size=None,  # bounded by UploadLimitMiddleware, which knows the settings
    middleware=[UploadLimitMiddleware()],
)
async def attachment_upload(
    request: Request[Any, Any, Any],
    db_session: DbSession,
    clock: AppClock,
    settings: AppSettings,
    team_id: FromPath[int],
    phase: FromQuery[int | None] = None,
) -> Response[Any]:
    user = signed_in(request)
    now = clock.now()
    body: _UploadBody = request.scope["state"][UPLOAD_BODY]
    try:
        form = await request.form()
    except ClientException:
        if not body.exceeded:
            raise
        # read here, not by the CSRF check (the token came as a header): answer as the middleware does
        await body.drain()
        status, headers = _too_large_headers(is_htmx(request), _entry_url(team_id, phase, file_error="too_large"))
        return Response(content=b"", status_code=status, headers=headers)
    upload = form.get("file")  # its temporary file is closed by UploadLimitMiddleware
    if not isinstance(upload, UploadFile) or not upload.filename:
        return await _refused(request, db_session, settings, team_id, phase, now, Invalid(NO_FILE, field="file"))
    try:
        attachment = await upload_attachment(
            db_session, user, team_id, phase, upload.filename, upload.file, _limits(settings), now, clock=clock.now
        )
    except DomainError as exc:
        if exc.status_code == 404:
            raise
        return await _refused(request, db_session, settings, team_id, phase, now, exc)
    log.info("attachment %s added to entry %s by user %s", attachment.id, attachment.entry_id, user.id)
    added = _("%(name)s is attached.", name=attachment.original_name)
    return await _answer(request, db_session, settings, team_id, phase, now, outcome=added)


@post("/teams/{team_id:int}/entry/attachments/{attachment_id:int}/delete", opt=USER, name="attachment_delete")
async def attachment_delete(
    request: Request[Any, Any, Any],
    db_session: DbSession,
    clock: AppClock,
    settings: AppSettings,
    team_id: FromPath[int],
    attachment_id: FromPath[int],
    phase: FromQuery[int | None] = None,
) -> Response[Any]:
    user = signed_in(request)
    now = clock.now()
    try:
        await delete_attachment(db_session, user, team_id, attachment_id, file_store(settings), now, clock=clock.now)
    except DomainError as exc:
        if exc.status_code == 404:
            raise
        return await _refused(request, db_session, settings, team_id, phase, now, exc)
    return await _answer(request, db_session, settings, team_id, phase, now, outcome=_("The file is removed."))


# --- downloading ------------------------------------------------------------------------------


def content_disposition(name: str) -> str:
    """``attachment`` with an ASCII ``filename`` and the exact name as RFC 5987 ``filename*``."""
    fallback = ascii_name(name).replace("\\", "_").replace('"', "_")
    return f"attachment; filename=\"{fallback}\"; filename*=UTF-8''{quote(name, safe='')}"


def _download_headers(attachment: Attachment) -> dict[str, str]:
    return {
        "content-disposition": content_disposition(attachment.original_name),
        "x-content-type-options": "nosniff",
        "cache-control": "private, no-store",
    }


@get("/attachments/{attachment_id:int}", opt=USER, name="attachment_download")
async def attachment_download(
    request: Request[Any, Any, Any], db_session: DbSession, settings: AppSettings, attachment_id: FromPath[int]
) -> File | Stream:
    attachment = await readable_attachment(db_session, signed_in(request), attachment_id)
    try:
        found = await file_store(settings).open(attachment.stored_name)
    except FileMissing:
        log.error("attachment %s: its file %s is missing", attachment.id, attachment.stored_name)
        raise NotFound(ATTACHMENT_NOT_FOUND) from None
    headers = _download_headers(attachment)
    if found.path is not None:
        return File(
            path=found.path,
            filename=attachment.original_name,
            media_type=attachment.content_type,  # text/* is sent with "; charset=utf-8" (it is UTF-8 by rule)
            content_disposition_type="attachment",
            headers=headers,
        )
    assert found.chunks is not None
    # from the object store, chunk by chunk as it arrives
    return Stream(
        found.chunks,
        media_type=attachment.content_type,
        headers={**headers, "content-length": str(found.size)},
    )


routes = [attachment_upload, attachment_delete, attachment_download]
