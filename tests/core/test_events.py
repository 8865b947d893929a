"""Every domain event has a subscriber (one nobody hears is removed, not kept "for later"), and
each domain keeps its events in its ``events`` module, so subscribers import no service."""

from __future__ import annotations

import importlib
import pkgutil

import automation
from core.events import Event, subscribed

DOMAINS = ("accounts", "campaigns", "teams", "judging", "incubation", "notifications", "automation")


def all_events() -> set[type[Event]]:
    for package in DOMAINS:
        for module in pkgutil.iter_modules(importlib.import_module(package).__path__):
            importlib.import_module(f"{package}.{module.name}")
    found: set[type[Event]] = set()
    todo = [Event]
    while todo:
        for sub in todo.pop().__subclasses__():
            found.add(sub)
            todo.append(sub)
    return {event for event in found if not event.__module__.startswith("tests")}


def test_every_event_has_a_subscriber_and_lives_in_its_domains_events_module() -> None:
    automation.setup()
    defined = all_events()
    assert len(defined) >= 10
    unheard = sorted(e.__name__ for e in defined if not any(issubclass(e, t) for t in subscribed()))
    assert unheard == []
    misplaced = sorted(f"{e.__module__}.{e.__name__}" for e in defined if not e.__module__.endswith(".events"))
    assert misplaced == []
