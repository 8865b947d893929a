"""The word-level diff of two versions' text (teams.diffing), pure: properties and examples."""

from __future__ import annotations

from itertools import pairwise

from hypothesis import given
from hypothesis import strategies as st

from teams.diffing import Op, diff_fields, diff_text, has_changes, new_side, old_side, tokens

# latin words, spaces and new lines, punctuation and Chinese: what entries are written in
TEXT = st.text(alphabet=st.sampled_from(list("ab c\n.,-我们错误拣货。")) | st.characters(), max_size=60)


@given(TEXT)
def test_tokens_join_back_to_the_text(text: str) -> None:
    assert "".join(tokens(text)) == text


@given(TEXT, TEXT)
def test_the_old_side_is_the_old_text_and_the_new_side_the_new_text(old: str, new: str) -> None:
    ops = diff_text(old, new)
    assert old_side(ops) == old
    assert new_side(ops) == new
    assert all(op.text for op in ops)
    assert all(a.kind != b.kind for a, b in pairwise(ops))  # adjacent ones merged


@given(TEXT)
def test_identical_texts_have_no_changes(text: str) -> None:
    ops = diff_text(text, text)
    assert not has_changes(ops)
    assert ops == ([Op("equal", text)] if text else [])


def test_words_are_compared_whole_and_chinese_by_character() -> None:
    assert tokens("Pick-by-light, 我们的方案 v2") == [
        "Pick",
        "-",
        "by",
        "-",
        "light",
        ",",
        " ",
        "我",
        "们",
        "的",
        "方",
        "案",
        " ",
        "v2",
    ]
    assert diff_text("Carts with lights show the tote.", "Carts with small lights show which tote.") == [
        Op("equal", "Carts with"),
        Op("insert", " small"),
        Op("equal", " lights show "),
        Op("delete", "the"),
        Op("insert", "which"),
        Op("equal", " tote."),
    ]
    assert diff_text("我们减少错误", "我们大幅减少拣货错误") == [
        Op("equal", "我们"),
        Op("insert", "大幅"),
        Op("equal", "减少"),
        Op("insert", "拣货"),
        Op("equal", "错误"),
    ]


def test_fields_unchanged_are_told_apart_from_fields_changed() -> None:
    diffs = diff_fields(
        {"title": "A", "summary": "same"}, {"title": "B", "summary": "same"}, ["title", "summary", "video_url"]
    )
    assert [(d.name, d.changed) for d in diffs] == [("title", True), ("summary", False), ("video_url", False)]
    assert diffs[1].ops == (Op("equal", "same"),) and diffs[2].ops == ()
