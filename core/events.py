"""In-process domain events: a domain announces what happened, later layers subscribe.

Handlers run inside the publisher's transaction (they get the same session), so whatever
they write commits or rolls back together with the change that caused it.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any, TypeVar

from sqlalchemy.ext.asyncio import AsyncSession


@dataclass(frozen=True)
class Event:
    """Base class of domain events."""


E = TypeVar("E", bound=Event)
Handler = Callable[[AsyncSession, Any], Awaitable[None]]

_handlers: dict[type[Event], list[Handler]] = defaultdict(list)


def subscribe(event_type: type[E], handler: Callable[[AsyncSession, E], Awaitable[None]]) -> None:
    if handler not in _handlers[event_type]:
        _handlers[event_type].append(handler)


def subscribed() -> frozenset[type[Event]]:
    """The event types someone listens to."""
    return frozenset(event_type for event_type, handlers in _handlers.items() if handlers)


async def publish(session: AsyncSession, event: Event) -> None:
    for event_type, handlers in list(_handlers.items()):
        if isinstance(event, event_type):
            for handler in handlers:
                await handler(session, event)
