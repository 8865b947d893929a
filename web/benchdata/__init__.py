"""Generated data at company scale for the benchmarks (``kaizen bench seed``).

Sizes: S is the demo (web/demo.py); M, XL and XXL are generated from a seed into an empty,
migrated database: one running campaign in its judging phase (every entry submitted in 3
versions, k judges each, one scorecard per assignment, most of them final) and two past
campaigns with published results, awards and incubation projects. Rows go in through
SQLAlchemy Core in batches (executemany) with ids chosen here, so the seeding takes seconds.

Known accounts, all with the demo password: admin@, exec@, organizer@ (organizes every
campaign), judge1@ … judgeN@ (the pool of the running campaign), and alice@, the captain of the
running campaign's first team. The other people are employee000001@example.com and so on.

``sizes`` holds the sizes and the words; ``rows`` the seeder and the campaigns and teams it
writes; ``seeding`` the entry points (``kaizen bench seed``, the deadline storm's campaign).
"""
