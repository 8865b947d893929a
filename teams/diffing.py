"""Word-level differences between two versions of an entry's text, pure: no I/O.

Text is cut into tokens (``tokens``): a latin word (letters and digits), a run of white space,
one CJK character (Chinese has no spaces between words, so it is compared character by
character), or any other single character (punctuation). Python's ``difflib`` lines the two
token lists up; the result is a list of operations whose "old" side (equal and deleted text)
joins back to the old text and whose "new" side (equal and inserted text) joins to the new one.
"""

from __future__ import annotations

import difflib
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Literal

# CJK ideographs (unified, extension A, compatibility), kana, hangul, CJK and full-width punctuation
_CJK = (
    "\u2e80-\u2fdf\u3000-\u303f\u3040-\u30ff\u3100-\u312f\u3400-\u4dbf\u4e00-\u9fff"
    "\uac00-\ud7af\uf900-\ufaff\uff00-\uffef"
)
_TOKEN = re.compile(rf"[{_CJK}]|\s+|[^\W{_CJK}]+|.", re.DOTALL)

_EXACT_UP_TO = 16_000_000  # token pairs: two 4,000-token texts (~20,000 characters of prose)

OpKind = Literal["equal", "insert", "delete"]


@dataclass(frozen=True)
class Op:
    """A piece of text the same on both sides, only in the new text, or only in the old one."""

    kind: OpKind
    text: str


@dataclass(frozen=True)
class FieldDiff:
    """One field of two versions: its name, whether it changed, and its operations."""

    name: str
    changed: bool
    ops: tuple[Op, ...]


def tokens(text: str) -> list[str]:
    """The text as tokens that join back to it (see the module's notes)."""
    return _TOKEN.findall(text)


def diff_text(old: str, new: str) -> list[Op]:
    """The operations that turn ``old`` into ``new``, adjacent ones of a kind merged; a replaced
    piece is its deletion followed by its insertion."""
    a, b = tokens(old), tokens(new)
    ops: list[Op] = []

    def add(kind: OpKind, parts: Sequence[str]) -> None:
        text = "".join(parts)
        if not text:
            return
        if ops and ops[-1].kind == kind:
            ops[-1] = Op(kind, ops[-1].text + text)
        else:
            ops.append(Op(kind, text))

    # difflib's "popular token" heuristic spoils prose diffs (it ignores spaces and common words):
    # off, unless both texts are so long that the exact alignment would take seconds
    matcher = difflib.SequenceMatcher(None, a, b, autojunk=len(a) * len(b) > _EXACT_UP_TO)
    for tag, i1, i2, j1, j2 in matcher.get_opcodes():
        if tag == "equal":
            add("equal", a[i1:i2])
        else:  # replace, delete, insert: the old side's part, then the new side's
            add("delete", a[i1:i2])
            add("insert", b[j1:j2])
    return ops


def old_side(ops: Iterable[Op]) -> str:
    return "".join(op.text for op in ops if op.kind != "insert")


def new_side(ops: Iterable[Op]) -> str:
    return "".join(op.text for op in ops if op.kind != "delete")


def has_changes(ops: Iterable[Op]) -> bool:
    return any(op.kind != "equal" for op in ops)


def diff_fields(old: Mapping[str, str], new: Mapping[str, str], names: Iterable[str]) -> list[FieldDiff]:
    """Every named field of two versions, in the order given; unchanged fields hold their text as
    one "equal" operation (shown collapsed)."""
    result = []
    for name in names:
        before, after = old.get(name, ""), new.get(name, "")
        if before == after:
            result.append(FieldDiff(name, False, (Op("equal", after),) if after else ()))
        else:
            result.append(FieldDiff(name, True, tuple(diff_text(before, after))))
    return result
