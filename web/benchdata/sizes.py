"""The sizes of the generated bench data and the words it is made of."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

DAY = timedelta(days=1)
BATCH = 5_000
DRAFT_SHARE = 0.1  # scorecards of the running campaign still in draft


@dataclass(frozen=True)
class BenchSize:
    name: str
    employees: int  # every account, the known ones included
    departments: int
    challenges: int
    teams: int  # = entries of the running campaign
    judges: int
    past_teams: int  # in each of the two past campaigns
    criteria: int = 6
    judges_per_entry: int = 3
    versions: int = 3


SIZES: dict[str, BenchSize] = {
    "M": BenchSize("M", employees=1_500, departments=12, challenges=10, teams=300, judges=30, past_teams=60),
    "XL": BenchSize("XL", employees=25_000, departments=40, challenges=20, teams=5_000, judges=300, past_teams=500),
    "XXL": BenchSize("XXL", employees=100_000, departments=40, challenges=20, teams=6_000, judges=300, past_teams=600),
}

FIRST_NAMES = (  # noqa: SIM905 - words read better as a sentence than as a column
    "Alex Maria Jonas Priya Wei Fatima Lucas Sofia Kenji Amara Noah Elena Omar Lin Mateo Aisha Ivan Chloe "
    "Tariq Mei Daniel Nora Ravi Hana Samuel Ines Yusuf Freya Diego Zara"
).split()
LAST_NAMES = (  # noqa: SIM905 - words read better as a sentence than as a column
    "Schmidt Chen Okafor Rossi Nguyen Kowalski Haddad Lindqvist Tanaka Moreau Patel Garcia Novak Ibrahim "
    "Müller Walsh Kim Demir Silva Brooks Zhang Mensah Petrov Alvarez Singh Hoffmann Larsen Costa Wang "
    "Dubois"
).split()
WORDS = (  # noqa: SIM905 - words read better as a sentence than as a column
    "pilot warehouse customer invoice scanner route shift supplier dashboard forecast onboarding energy "
    "waste returns checklist training sensor workflow approval ticket backlog quality audit batch label "
    "schedule inventory pallet contract feedback survey prototype handover delay cost margin churn "
    "rollout site team process data manual automatic weekly monthly faster cheaper safer simpler"
).split()
FEEDBACK = (
    "Clear problem statement and a prototype we could try. Quantify the baseline a bit more.",
    "Strong idea. The rollout plan for the other sites is thin; who owns it after the pilot?",
    "Good evidence from the pilot week. Consider the cost of maintaining it over a year.",
    "Convincing user quotes. I would like to see the effect on the KPI, not only on satisfaction.",
)
CRITERIA = (
    ("Impact", 3.0),
    ("Feasibility", 2.0),
    ("Originality", 1.0),
    ("Evidence", 2.0),
    ("Cost", 1.0),
    ("Scalability", 1.0),
    ("Risk", 1.0),
    ("Clarity", 1.0),
)


# in the order their rows are written: parents first
