"""Where a refused action goes back to, and in which time zone its message names times.

An action button (publish, close, remove, assign...) that the state of things refuses answers
with a redirect to the page it belongs to, the refusal in a flash message: its route says which
page in its ``opt``, as a format string over the path's parameters::

    @post("/campaigns/{campaign_id:int}/publish", opt={**USER, **refused("/campaigns/{campaign_id}")})

and the handler lets the ``DomainError`` go: ``web.errors.domain_error_handler`` answers every
refusal of such a route but a 404 with ``see_other`` to that page. A handler whose page depends
on what was sent (a page number, an anchor) names it with ``back_to`` before acting. The scoped
dependencies (``campaign``, ``organized``) note the campaign's time zone with ``note_timezone``,
so the times a refusal names are shown in it.
"""

from __future__ import annotations

from typing import Any

from litestar import Request

REFUSED = "refused"
_BACK_TO = "kaizen_refused_back_to"
_TIMEZONE = "kaizen_refusal_timezone"


def refused(page: str) -> dict[str, str]:
    """The ``opt`` entry of a route whose refusals go back to ``page`` (``{name}``: a path parameter)."""
    return {REFUSED: page}


def back_to(request: Request[Any, Any, Any], page: str) -> None:
    """This request's refusals go back to ``page``, rather than to the page its route names."""
    request.state[_BACK_TO] = page


def refused_page(request: Request[Any, Any, Any]) -> str | None:
    """The page a refusal of this request goes back to; None where its route names none."""
    page = request.state.get(_BACK_TO)
    if page is not None:
        return str(page)
    pattern = request.route_handler.opt.get(REFUSED)
    return pattern.format(**request.path_params) if isinstance(pattern, str) else None


def note_timezone(request: Request[Any, Any, Any], timezone: str) -> None:
    """The time zone of the campaign this request acts on: a refusal names its times in it."""
    request.state[_TIMEZONE] = timezone


def noted_timezone(request: Request[Any, Any, Any]) -> str | None:
    timezone = request.state.get(_TIMEZONE)
    return str(timezone) if timezone is not None else None
