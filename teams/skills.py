"""Skills on the team board and how a person and a team are matched, pure: no I/O.

Rules chosen here (DOMAIN.md is silent on them):
- skills are free tags, typed separated by commas (also Chinese ，、；), at most ``MAX_SKILLS``
  of at most ``SKILL_MAX`` characters each; two tags that differ only by case, width or
  spacing are the same skill (``skill_key``);
- a match between a person and a team is scored openly, so both sides see why it is suggested:
  two points per skill the team needs and the person offers, and one more point when the
  person's department is not yet in the team (teams that mix departments are favoured);
- only pairs that share at least one skill are suggested, best score first, then the newest.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime

from core.errors import N_
from teams.models import SKILL_MAX

MAX_SKILLS = 10
SKILL_POINTS = 2
MIX_POINTS = 1
_SEPARATORS = re.compile(r"[,;，、；\n]+")
TOO_MANY = N_("List at most 10 skills.")
TOO_LONG = N_("A skill can have at most 40 characters.")


def skill_key(name: str) -> str:
    """The form two tags are compared in: "Data  Science", "data science" and "ｄａｔａ science" agree."""
    return " ".join(unicodedata.normalize("NFKC", name).casefold().split())


def parse_skills(text: str) -> list[str]:
    """The tags typed in ``text``, tidied, in the order typed, without repeats."""
    seen: set[str] = set()
    tags: list[str] = []
    for part in _SEPARATORS.split(unicodedata.normalize("NFKC", text)):
        name = " ".join(part.split())
        key = skill_key(name)
        if key and key not in seen:
            seen.add(key)
            tags.append(name)
    return tags


def skills_error(tags: list[str]) -> str | None:
    if len(tags) > MAX_SKILLS:
        return TOO_MANY
    if any(len(tag) > SKILL_MAX for tag in tags):
        return TOO_LONG
    return None


@dataclass(frozen=True)
class Match:
    """Why a person and a team suit each other: the skills they share and the department mix."""

    shared: tuple[str, ...]
    mixes_departments: bool

    @property
    def score(self) -> int:
        return SKILL_POINTS * len(self.shared) + (MIX_POINTS if self.mixes_departments else 0)


def match(
    needs: Iterable[str], skills: Iterable[str], team_departments: Iterable[int | None], department: int | None
) -> Match:
    """The match of a team needing ``needs`` (keys) whose members are in ``team_departments`` with a
    person offering ``skills`` (keys) from ``department`` (None: unknown, which mixes nothing)."""
    wanted = set(needs)
    shared = tuple(sorted(key for key in set(skills) if key in wanted))
    mixes = department is not None and department not in set(team_departments)
    return Match(shared, mixes)


@dataclass(frozen=True)
class Candidate:
    """One side of a possible match: an id, when it was listed, and its match with the other side."""

    id: int
    listed_at: datetime
    match: Match


def best_matches(candidates: Iterable[Candidate], limit: int) -> list[Candidate]:
    """The suggestions: candidates sharing a skill, best score first, then the newest, then by id."""
    kept = [c for c in candidates if c.match.shared]
    kept.sort(key=lambda c: (-c.match.score, -c.listed_at.timestamp(), c.id))
    return kept[:limit]
