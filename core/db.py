"""The declarative base every model of Kaizen derives from."""

from __future__ import annotations

import enum

from advanced_alchemy.base import BigIntAuditBase, orm_registry
from sqlalchemy import Enum

__all__ = ["Base", "metadata", "str_enum"]


class Base(BigIntAuditBase):
    """Integer primary key plus ``created_at``/``updated_at`` (UTC) on every table."""

    __abstract__ = True


metadata = orm_registry.metadata


def str_enum(cls: type[enum.Enum], name: str) -> Enum:
    """A portable enum column: stored as its lower-case value in a VARCHAR with a CHECK."""
    return Enum(cls, name=name, native_enum=False, length=20, values_callable=lambda e: [m.value for m in e])
