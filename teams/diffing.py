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
from collections.abc import Iterable, Mapping
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
    """The operations that turn ``old`` into ``new``. Between two unchanged pieces, what was removed
    comes first as one deletion, then what was added as one insertion; a bare space between two
    changes counts as changed too, so that a rewritten sentence reads as one, not word by word."""
    a, b = tokens(old), tokens(new)
    # difflib's "popular token" heuristic spoils prose diffs (it ignores spaces and common words):
    # off, unless both texts are so long that the exact alignment would take seconds
    matcher = difflib.SequenceMatcher(None, a, b, autojunk=len(a) * len(b) > _EXACT_UP_TO)
    raw: list[tuple[str, str, str]] = []  # (kind, old side, new side)
    for tag, i1, i2, j1, j2 in matcher.get_opcodes():
        raw.append(("equal" if tag == "equal" else "change", "".join(a[i1:i2]), "".join(b[j1:j2])))
    for n in range(1, len(raw) - 1):
        kind, text, _same = raw[n]
        if kind == "equal" and not text.strip() and raw[n - 1][0] == raw[n + 1][0] == "change":
            raw[n] = ("change", text, text)
    ops: list[Op] = []
    removed: list[str] = []
    added: list[str] = []

    def flush() -> None:
        if "".join(removed):
            ops.append(Op("delete", "".join(removed)))
        if "".join(added):
            ops.append(Op("insert", "".join(added)))
        removed.clear()
        added.clear()

    for kind, before, after in raw:
        if kind == "equal":
            flush()
            if before:
                ops.append(Op("equal", before))
        else:
            removed.append(before)
            added.append(after)
    flush()
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
