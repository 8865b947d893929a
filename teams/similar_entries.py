"""Similar ideas: the submitted entries that read like a given one, across campaigns and languages.

The corpus is every entry's version submitted in time (title, summary, problem, solution), never
a draft. It is loaded in ONE query and its index (``teams.similarity``) kept per process and per
database engine. Each look-up first reads a version stamp: (the highest id of a submitted
version in use, how many entries have one). When only new submissions moved it, the entries
submitted since are loaded (one query) and their rows replaced in place; a shrinking corpus, or
more than ``REFIT_SHARE`` of rows replaced since the last fit, refits the whole index.

What a viewer is shown is filtered before ranking by ``teams.scope.similar_entry_visible``
(campaigns) and never includes the viewer's own team; the shown rows are then read in one query,
whatever their number.
"""

from __future__ import annotations

import weakref
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

import anyio.to_thread
import numpy as np
from sqlalchemy import Engine, and_, func, select
from sqlalchemy.ext.asyncio import AsyncSession

from accounts.models import User
from campaigns.models import Campaign, Phase
from teams import similarity
from teams.models import Entry, EntryVersion, Team
from teams.scope import similar_entry_visible

REFIT_SHARE = 0.1  # refit once a tenth of the rows were replaced since the last fit
PANEL_SIZE = similarity.TOP_K
ROW_PREVIEW = 3  # similar entries named in a row of the organizer's list


@dataclass(frozen=True)
class SimilarEntry:
    entry_id: int
    team_id: int
    team_name: str
    campaign_id: int
    campaign_title: str
    phase_name: str
    title: str
    summary: str
    score: float


@dataclass
class _Corpus:
    """The index and, for each of its rows, the entry, team, campaign and language; a row left
    behind by a re-submission has the ids -1 (its entry's new row is appended)."""

    stamp: tuple[int, int]
    entry_ids: np.ndarray
    team_ids: np.ndarray
    campaign_ids: np.ndarray
    chinese: np.ndarray
    index: similarity.Index
    replaced: int = 0
    row_of: dict[int, int] = field(default_factory=dict)

    def __post_init__(self) -> None:
        self.row_of = {int(entry_id): row for row, entry_id in enumerate(self.entry_ids) if entry_id >= 0}


# one corpus per database engine of this process (tests and the bench open several)
_CORPORA: weakref.WeakKeyDictionary[Engine, _Corpus] = weakref.WeakKeyDictionary()

_SUBMITTED = and_(EntryVersion.entry_id == Entry.id, EntryVersion.number == Entry.submitted_version)


def _corpus_query() -> Any:
    return (
        select(
            Entry.id,
            Entry.team_id,
            Team.campaign_id,
            EntryVersion.id,
            EntryVersion.title,
            EntryVersion.summary,
            EntryVersion.problem,
            EntryVersion.solution,
        )
        .join(EntryVersion, _SUBMITTED)
        .join(Team, Team.id == Entry.team_id)
        .order_by(Entry.id)
    )


async def _stamp(session: AsyncSession) -> tuple[int, int]:
    row = (
        await session.execute(
            select(func.max(EntryVersion.id), func.count(Entry.id)).select_from(Entry).join(EntryVersion, _SUBMITTED)
        )
    ).one()
    return int(row[0] or 0), int(row[1] or 0)


def _texts(rows: Sequence[Any]) -> list[str]:
    return [similarity.entry_text(r[4], r[5], r[6], r[7]) for r in rows]


def _ids(rows: Sequence[Any], column: int) -> np.ndarray:
    return np.array([r[column] for r in rows], dtype=np.int64)


async def _fit(rows: Sequence[Any], stamp: tuple[int, int]) -> _Corpus:
    texts = _texts(rows)
    # fitting takes seconds on a large corpus: off the event loop
    index = await anyio.to_thread.run_sync(similarity.fit, texts)
    chinese = np.array([similarity.is_chinese(t) for t in texts], dtype=bool)
    return _Corpus(stamp, _ids(rows, 0), _ids(rows, 1), _ids(rows, 2), chinese, index)


def _update(corpus: _Corpus, rows: Sequence[Any], stamp: tuple[int, int]) -> _Corpus | None:
    """The corpus with the entries submitted since its stamp appended (their old rows cleared), or
    None when that cannot account for the new stamp (an entry gone) or enough changed to refit."""
    old_rows = [corpus.row_of[r[0]] for r in rows if r[0] in corpus.row_of]
    if corpus.stamp[1] + len(rows) - len(old_rows) != stamp[1]:
        return None
    if corpus.replaced + len(rows) > REFIT_SHARE * max(stamp[1], 1) or corpus.index.matrix.shape[1] == 0:
        return None
    texts = _texts(rows)
    index = similarity.append_rows(corpus.index, texts, clear=old_rows)
    gone = np.zeros(corpus.index.size, dtype=bool)
    gone[old_rows] = True

    def extended(values: np.ndarray, column: int) -> np.ndarray:
        return np.concatenate([np.where(gone, -1, values), _ids(rows, column)])

    chinese = np.concatenate([corpus.chinese, np.array([similarity.is_chinese(t) for t in texts], dtype=bool)])
    return _Corpus(
        stamp,
        extended(corpus.entry_ids, 0),
        extended(corpus.team_ids, 1),
        extended(corpus.campaign_ids, 2),
        chinese,
        index,
        corpus.replaced + len(rows),
    )


async def corpus(session: AsyncSession) -> _Corpus:
    """The index of every submitted version, brought up to date (one or two queries)."""
    engine = session.get_bind()
    assert isinstance(engine, Engine)
    stamp = await _stamp(session)
    cached = _CORPORA.get(engine)
    if cached is not None and cached.stamp == stamp:
        return cached
    if cached is not None and stamp[0] > cached.stamp[0] and stamp[1] >= cached.stamp[1]:
        rows = (await session.execute(_corpus_query().where(EntryVersion.id > cached.stamp[0]))).all()
        updated = _update(cached, rows, stamp)
        if updated is not None:
            _CORPORA[engine] = updated
            return updated
    fitted = await _fit((await session.execute(_corpus_query())).all(), stamp)
    _CORPORA[engine] = fitted
    return fitted


def forget(session: AsyncSession) -> None:
    """Drop this engine's cached index (the next look-up refits)."""
    _CORPORA.pop(session.get_bind(), None)  # type: ignore[arg-type]


async def _visible_campaigns(session: AsyncSession, viewer: User) -> set[int]:
    return set((await session.scalars(select(Campaign.id).where(similar_entry_visible(viewer)))).all())


async def _shown(session: AsyncSession, viewer: User, ranked: dict[int, float]) -> dict[int, SimilarEntry]:
    """The rows to show for the ranked entry ids, in one query (visibility checked again in SQL)."""
    if not ranked:
        return {}
    rows = await session.execute(
        select(
            Entry.id,
            Team.id,
            Team.name,
            Campaign.id,
            Campaign.title,
            Phase.name,
            EntryVersion.title,
            EntryVersion.summary,
        )
        .join(EntryVersion, _SUBMITTED)
        .join(Team, Team.id == Entry.team_id)
        .join(Campaign, Campaign.id == Team.campaign_id)
        .join(Phase, Phase.id == Entry.phase_id)
        .where(Entry.id.in_(ranked), similar_entry_visible(viewer))
    )
    return {r[0]: SimilarEntry(r[0], r[1], r[2], r[3], r[4], r[5], r[6], r[7], ranked[r[0]]) for r in rows.all()}


def _allowed(found: _Corpus, campaigns: Iterable[int], exclude_team: int | None) -> np.ndarray:
    allowed = similarity.mask(found.campaign_ids, campaigns)
    if exclude_team is not None:
        allowed &= found.team_ids != exclude_team
    return allowed


async def similar_to_text(
    session: AsyncSession, viewer: User, text: str, *, exclude_team_id: int | None, k: int = PANEL_SIZE
) -> list[SimilarEntry]:
    """The submitted entries the viewer may see that read most like ``text`` (made by
    ``similarity.entry_text``), best first, other than those of ``exclude_team_id``."""
    if not text.strip():
        return []
    found = await corpus(session)
    if found.index.size == 0:
        return []
    row_scores = similarity.scores(found.index, similarity.transform(found.index, [text]))[0]
    row_scores = similarity.across_languages(row_scores, similarity.is_chinese(text), found.chinese)
    allowed = _allowed(found, await _visible_campaigns(session, viewer), exclude_team_id)
    ranked = {int(found.entry_ids[row]): score for row, score in similarity.top_k(row_scores, k=k, allowed=allowed)}
    shown = await _shown(session, viewer, ranked)
    return [shown[entry_id] for entry_id in ranked if entry_id in shown]


async def similar_to_entry(session: AsyncSession, viewer: User, team: Team, entry: Entry | None) -> list[SimilarEntry]:
    """For the team writing ``entry``: other teams' submitted entries like its working copy."""
    if entry is None:
        return []
    text = similarity.entry_text(entry.title, entry.summary, entry.problem, entry.solution)
    return await similar_to_text(session, viewer, text, exclude_team_id=team.id)


@dataclass(frozen=True)
class RowSimilar:
    count: int
    first: list[SimilarEntry]


async def similar_of_entries(session: AsyncSession, viewer: User, entry_ids: Sequence[int]) -> dict[int, RowSimilar]:
    """For a list of entries (the organizer's page): how many visible submitted entries of other
    teams are similar to each one's submitted version, and the first few; entries never
    submitted are left out. A constant number of queries whatever the number of entries."""
    found = await corpus(session)
    rows = [found.row_of[e] for e in entry_ids if e in found.row_of]
    if not rows:
        return {}
    campaigns = await _visible_campaigns(session, viewer)
    matrix = similarity.scores(found.index, found.index.matrix[rows])
    result: dict[int, tuple[int, list[tuple[int, float]]]] = {}
    wanted: dict[int, float] = {}
    for position, row in enumerate(rows):
        matrix[position] = similarity.across_languages(matrix[position], bool(found.chinese[row]), found.chinese)
        allowed = _allowed(found, campaigns, int(found.team_ids[row]))
        best = similarity.top_k(matrix[position], k=ROW_PREVIEW, allowed=allowed)
        ranked = [(int(found.entry_ids[r]), score) for r, score in best]
        result[int(found.entry_ids[row])] = (similarity.count_above(matrix[position], allowed=allowed), ranked)
        wanted.update(ranked)
    shown = await _shown(session, viewer, wanted)
    return {
        entry_id: RowSimilar(
            count, [SimilarEntry(**{**shown[e].__dict__, "score": s}) for e, s in ranked if e in shown]
        )
        for entry_id, (count, ranked) in result.items()
    }
