"""Who acts when no person does."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class SystemActor:
    """A change the system makes on its own, as the scheduler applying the timeline: no person
    asked, so no permission is checked, and the audit names no actor (``id`` is None)."""

    name: str

    @property
    def id(self) -> None:
        return None


SCHEDULER = SystemActor("scheduler")
