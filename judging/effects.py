"""The ``judge-effects`` fit of a judging phase, pure: no I/O (DOMAIN.md, "Scores").

Fit ``T_je ≈ q_e + b_j`` by least squares over every final scorecard of the phase, with
``Σ b_j = 0`` within each connected group of judges and entries (judges linked by the entries they
share). An entry's score is q_e; b_j is the judge's leniency in points.

How it is solved (numpy/scipy do the numerics): the scorecards form a bipartite graph, split into
connected groups by ``scipy.sparse.csgraph.connected_components``. In the normal equations the
entry effects are eliminated (q_e is the mean of ``T_je − b_j`` over its judges), which leaves a
small judges × judges system M b = r per group. Within a connected group the fit is unique up to
moving a constant between all q and all b (M's null space is the all-ones vector), so the system
is bordered with the constraint ``Σ b_j = 0`` (a Lagrange multiplier, which comes out 0 as r sums
to 0) and solved exactly by ``numpy.linalg.solve``. The system has one row
and one column per judge, so a phase of 5,000 entries and 300 judges solves in milliseconds.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Protocol

import numpy as np
from scipy import sparse
from scipy.sparse.csgraph import connected_components


class TotalLike(Protocol):
    @property
    def entry_id(self) -> int: ...
    @property
    def judge_id(self) -> int: ...
    @property
    def total(self) -> float: ...


@dataclass(frozen=True)
class JudgeEffects:
    quality: dict[int, float]  # q_e by entry id
    leniency: dict[int, float]  # b_j by judge id, in points (positive: lenient)
    group_of_entry: dict[int, int]  # connected group (0, 1, …) by entry id
    groups: int


def fit(totals: Sequence[TotalLike]) -> JudgeEffects:
    """q_e and b_j of every entry and judge that has at least one total."""
    if not totals:
        return JudgeEffects({}, {}, {}, 0)
    ordered = sorted(totals, key=lambda t: (t.entry_id, t.judge_id))
    entry_ids = sorted({t.entry_id for t in ordered})
    judge_ids = sorted({t.judge_id for t in ordered})
    e_index = {e: i for i, e in enumerate(entry_ids)}
    j_index = {j: i for i, j in enumerate(judge_ids)}
    rows = np.array([e_index[t.entry_id] for t in ordered])
    cols = np.array([j_index[t.judge_id] for t in ordered])
    values = np.array([t.total for t in ordered], dtype=float)
    n_e, n_j = len(entry_ids), len(judge_ids)

    # B[e, j] = 1 where judge j scored entry e (one final scorecard per pair)
    incidence = sparse.csr_matrix((np.ones(len(ordered)), (rows, cols)), shape=(n_e, n_j))
    graph = sparse.bmat([[None, incidence], [incidence.T, None]], format="csr")
    groups, labels = connected_components(graph, directed=False)

    per_entry = np.asarray(incidence.sum(axis=1)).ravel()  # n_e ≥ 1
    per_judge = np.asarray(incidence.sum(axis=0)).ravel()
    entry_sum = np.bincount(rows, weights=values, minlength=n_e)
    judge_sum = np.bincount(cols, weights=values, minlength=n_j)
    inverse = sparse.diags(1.0 / per_entry)
    # normal equations with q eliminated: (D_j − Bᵀ D_e⁻¹ B) b = Σ_e T_je − Bᵀ D_e⁻¹ Σ_j T_je
    system = (sparse.diags(per_judge) - incidence.T @ inverse @ incidence).toarray()
    rhs = judge_sum - incidence.T @ (entry_sum / per_entry)

    leniency = np.zeros(n_j)
    judge_labels = labels[n_e:]
    for group in range(groups):
        members = np.flatnonzero(judge_labels == group)
        if len(members) == 0:
            continue
        size = len(members)
        bordered = np.zeros((size + 1, size + 1))
        bordered[:size, :size] = system[np.ix_(members, members)]
        bordered[size, :size] = bordered[:size, size] = 1.0
        leniency[members] = np.linalg.solve(bordered, np.append(rhs[members], 0.0))[:size]
    quality = (entry_sum - incidence @ leniency) / per_entry
    return JudgeEffects(
        quality={e: float(quality[i]) for i, e in enumerate(entry_ids)},
        leniency={j: float(leniency[i]) for i, j in enumerate(judge_ids)},
        group_of_entry={e: int(labels[i]) for i, e in enumerate(entry_ids)},
        groups=int(groups),
    )
