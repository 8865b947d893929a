"""Automation: what the timeline schedules (transitions, reminders) and how each action is applied."""

from __future__ import annotations


def setup() -> None:
    """Registers the event subscribers and action handlers (idempotent): call once per process."""
    from automation import handlers, incubation, sync
    from notifications import subscribers

    sync.register()
    subscribers.register()
    handlers.register_handlers()
    incubation.register()
