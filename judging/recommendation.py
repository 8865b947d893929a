"""Which normalisation mode to recommend to organizers, with the figure behind it.

The numbers are measured by ``bench/judging_quality.py``: simulated campaigns where every entry
has a known true quality and judges have a leniency bias and noise. The bench prints the
``SETUP`` and ``MEASURED`` lines below; paste them here when the arithmetic or the bench changes.
"""

from __future__ import annotations

from dataclasses import dataclass

# (entries, judges, k, leniency σ_b, noise σ_e, seeds) of the simulation
SETUP = (5000, 300, 3, 8.0, 6.0, 3)
# mode → (mean Kendall's tau against the true ranking, mean number of the true top 10 in its top 10)
MEASURED = {
    "none": (0.708, 4.3),
    "zscore": (0.794, 5.3),
    "judge-effects": (0.800, 6.3),
}


@dataclass(frozen=True)
class Recommendation:
    mode: str
    tau: float
    top10: float
    entries: int
    judges: int
    k: int
    sigma_b: float
    sigma_e: float
    seeds: int
    by_mode: dict[str, tuple[float, float]]


def recommended() -> Recommendation:
    """The mode that recovered the true ranking best (highest Kendall's tau)."""
    mode = max(MEASURED, key=lambda m: MEASURED[m][0])
    entries, judges, k, sigma_b, sigma_e, seeds = SETUP
    tau, top10 = MEASURED[mode]
    return Recommendation(mode, tau, top10, entries, judges, k, sigma_b, sigma_e, seeds, dict(MEASURED))
