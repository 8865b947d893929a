"""The pure similarity functions (teams.similarity): an entry is most like itself, scores are
cosines in [0, 1] and symmetric, the threshold and the mask hold, Chinese reads without a tokenizer."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from teams import similarity

TEXT = st.text(alphabet=st.sampled_from("abcdefgh xyz 仓库拣货错误 RFID 0123"), min_size=1, max_size=40)


@settings(max_examples=40, deadline=None)
@given(st.lists(TEXT, min_size=2, max_size=6, unique_by=lambda t: similarity.entry_text(t, "")))
def test_scores_are_symmetric_cosines_and_an_entry_is_most_like_itself(texts: list[str]) -> None:
    index = similarity.fit([similarity.entry_text(t, "") for t in texts])
    matrix = similarity.scores(index, index.matrix)
    assert matrix.shape == (len(texts), len(texts))
    assert np.all(matrix >= 0) and np.all(matrix <= 1)
    assert np.allclose(matrix, matrix.T, atol=1e-5)
    for row in range(len(texts)):
        if index.matrix[row].nnz:  # a text made only of spaces has no features
            assert matrix[row, row] >= matrix[row].max() - 1e-5
            assert similarity.top_k(matrix[row], k=1, threshold=0)[0][1] >= matrix[row].max() - 1e-5


@settings(max_examples=30, deadline=None)
@given(st.lists(st.floats(0, 1, width=32), min_size=1, max_size=30), st.integers(1, 6))
def test_top_k_keeps_the_best_above_the_threshold_in_order(values: list[float], k: int) -> None:
    scores = np.array(values, dtype=np.float32)
    allowed = np.arange(len(values)) % 2 == 0
    found = similarity.top_k(scores, k=k, threshold=0.3, allowed=allowed)
    assert len(found) <= k
    assert all(score >= 0.3 and allowed[row] for row, score in found)
    assert [s for _r, s in found] == sorted((s for _r, s in found), reverse=True)
    kept = sorted((float(s) for row, s in enumerate(scores) if s >= 0.3 and allowed[row]), reverse=True)
    assert [s for _r, s in found] == kept[:k]
    assert similarity.count_above(scores, threshold=0.3, allowed=allowed) == len(kept)


def test_near_duplicates_score_above_the_threshold_and_unrelated_below() -> None:
    english = similarity.entry_text("RFID gloves cut warehouse picking errors", "Scan every pick with RFID gloves.")
    twin = similarity.entry_text("RFID gloves for warehouse picks", "RFID gloves scan each pick to stop errors.")
    chinese = similarity.entry_text("RFID手套减少仓库拣货错误", "每次拣货用RFID手套扫码。")
    chinese_twin = similarity.entry_text("仓库拣货错误减半", "用RFID手套扫码拣货，减少错误。")
    other = similarity.entry_text("Chatbot for payroll questions", "A chatbot answers leave and payroll questions.")
    index = similarity.fit([english, twin, chinese, chinese_twin, other])
    matrix = similarity.scores(index, index.matrix)
    assert matrix[0, 1] >= similarity.THRESHOLD
    assert matrix[2, 3] >= similarity.THRESHOLD  # Chinese without a tokenizer
    assert matrix[0, 2] > matrix[0, 4]  # across languages: RFID and the glossary
    assert matrix[0, 4] < similarity.THRESHOLD


def test_full_width_latin_and_glossary_terms_are_folded() -> None:
    assert similarity.normalise("ＲＦＩＤ  Tags") == "rfid tags"
    assert "warehouse" in similarity.with_glossary("仓库")
    assert similarity.with_glossary("plain english") == "plain english"


def test_appending_rows_matches_a_transform_and_clearing_empties_a_row() -> None:
    texts = [similarity.entry_text(t, "") for t in ("warehouse picking", "payroll chatbot", "energy meter")]
    index = similarity.fit(texts)
    robot = similarity.entry_text("warehouse robot", "")
    changed = similarity.append_rows(index, [robot], clear=[0])
    assert changed.size == 4 and index.matrix[0].sum() > 0  # the original is left as it was
    found = similarity.scores(changed, similarity.transform(index, [robot]))[0]
    assert found[3] > 0.99 and found[0] == 0


def test_scores_across_languages_are_raised_but_never_past_one() -> None:
    assert similarity.is_chinese("用RFID手套减少仓库拣货错误") and not similarity.is_chinese("RFID gloves 仓库")
    raised = similarity.across_languages(np.array([0.2, 0.2, 0.7]), True, np.array([True, False, False]))
    assert raised.tolist() == pytest.approx([0.2, 0.5, 1.0])


def test_an_empty_corpus_finds_nothing() -> None:
    index = similarity.fit([])
    assert index.size == 0
    assert similarity.scores(index, similarity.transform(index, ["x"])).shape == (1, 0)
    assert similarity.top_k(np.zeros(0, dtype=np.float32)) == []
