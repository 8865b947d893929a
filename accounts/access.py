"""What an account's own flags allow, whatever the campaign (campaign-scoped rights are
``campaigns.access``'s)."""

from __future__ import annotations

from typing import TypeGuard

from accounts.models import User
from core.actors import SystemActor


def is_platform_lead(user: User) -> bool:
    """An executive or an administrator: launches campaigns, sees every one of them, approves
    awards, decides on incubation and reaches the executive pages."""
    return user.is_admin or user.is_executive


# who changes something: a person (whose rights are checked) or the system (``core.actors``)
Actor = User | SystemActor


def is_person(actor: Actor) -> TypeGuard[User]:
    return isinstance(actor, User)
