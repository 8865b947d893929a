"""The board's skill tags and match score, pure."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from hypothesis import given
from hypothesis import strategies as st

from teams.skills import (
    MIX_POINTS,
    SKILL_POINTS,
    TOO_LONG,
    TOO_MANY,
    Candidate,
    best_matches,
    match,
    parse_skills,
    skill_key,
    skills_error,
)

keys = st.sets(st.sampled_from(["python", "design", "sql", "数据分析", "sales", "ux"]), max_size=6)
departments = st.one_of(st.none(), st.integers(min_value=1, max_value=5))


def test_tags_are_split_on_latin_and_chinese_separators_and_folded() -> None:
    assert parse_skills(" Python ,数据分析，设计、 python;UX\nData  Science ") == [
        "Python",
        "数据分析",
        "设计",
        "UX",
        "Data Science",
    ]
    assert skill_key("ＰＹＴＨＯＮ") == skill_key(" python ") == "python"
    assert parse_skills(" , ,， ") == []


def test_too_many_or_too_long_tags_are_refused() -> None:
    assert skills_error(parse_skills(",".join(f"s{i}" for i in range(11)))) == TOO_MANY
    assert skills_error(["x" * 41]) == TOO_LONG
    assert skills_error(["x" * 40, "y"]) is None


@given(st.text(max_size=200))
def test_parsing_is_idempotent_and_keys_are_unique(text: str) -> None:
    tags = parse_skills(text)
    assert parse_skills(", ".join(tags)) == tags
    assert len({skill_key(t) for t in tags}) == len(tags)
    assert all(t and t == t.strip() for t in tags)


@given(keys, keys, st.sets(departments, max_size=3), departments)
def test_the_score_counts_shared_skills_and_a_new_department(
    needs: set[str], skills: set[str], team: set[int | None], department: int | None
) -> None:
    found = match(needs, skills, team, department)
    assert set(found.shared) == needs & skills
    assert found.mixes_departments == (department is not None and department not in team)
    assert found.score == SKILL_POINTS * len(needs & skills) + (MIX_POINTS if found.mixes_departments else 0)


def test_a_person_from_a_new_department_ranks_above_an_equal_one_from_the_team() -> None:
    at = datetime(2026, 5, 1, tzinfo=UTC)
    same = Candidate(1, at + timedelta(hours=1), match({"sql"}, {"sql"}, {7}, 7))
    new = Candidate(2, at, match({"sql"}, {"sql"}, {7}, 8))
    unrelated = Candidate(3, at, match({"sql"}, {"design"}, {7}, 9))
    assert [c.id for c in best_matches([same, new, unrelated], 5)] == [2, 1]
    more = Candidate(4, at, match({"sql", "ux"}, {"sql", "ux"}, {7}, 7))
    assert [c.id for c in best_matches([same, new, more], 2)] == [4, 2]
