"""How alike two entries read: TF-IDF on words and on characters, compared by cosine. Pure: no I/O.

Why this method (figures in docs/teams.md and bench/RESULTS.md): it needs no model weights (none
can be fetched at run time, and no package ships a multilingual model), fits 6,000 entries in
seconds on one core and answers a query in milliseconds.

- Character n-grams inside words (``char_wb``, 1 to 3) read Chinese without a tokenizer: two
  texts on the same subject share their two-character words (仓库, 拣货) as they share stems in
  English.
- Word unigrams and bigrams weigh whole English words and, across languages, what both versions
  of an idea write the same way: product names (SAP, RFID, AGV), acronyms and numbers.
- A small glossary (``GLOSSARY``) adds the English word to a Chinese text that names a common
  business term, so a Chinese entry and its English twin share more than their product names.
  Cross-language matching stays weak where the texts share neither (docs/teams.md).

The two views are L2-normalised, weighted and summed, then normalised again: the cosine of two
rows is in [0, 1] (every weight is non-negative), 1 for identical texts.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass

import numpy as np
from scipy import sparse
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.preprocessing import normalize

# what counts as "similar": a cosine at or above this (measured on the bench corpus: near
# duplicates score 0.35-0.9, unrelated entries of one challenge stay below 0.2)
THRESHOLD = 0.25
TOP_K = 5
WORD_WEIGHT = 0.5  # the character view gets the rest
TITLE_REPEAT = 2  # the title counts twice: it names the idea
CROSS_LANGUAGE_BOOST = 2.5  # see ``across_languages``

# common business terms of innovation challenges: a Chinese text that names one also gets the
# English word, so that CN and EN versions of one idea meet on more than product names
GLOSSARY: Mapping[str, str] = {
    "仓库": "warehouse",
    "仓储": "warehouse",
    "拣货": "picking",
    "库存": "inventory",
    "供应商": "supplier",
    "供应链": "supply chain",
    "客户": "customer",
    "顾客": "customer",
    "投诉": "complaint",
    "发票": "invoice",
    "报销": "expense",
    "审批": "approval",
    "能耗": "energy",
    "能源": "energy",
    "节能": "energy saving",
    "安全": "safety",
    "事故": "accident",
    "质量": "quality",
    "缺陷": "defect",
    "检测": "inspection",
    "维护": "maintenance",
    "维修": "maintenance",
    "设备": "equipment",
    "传感器": "sensor",
    "预测": "prediction",
    "自动化": "automation",
    "机器人": "robot",
    "扫码": "scanning",
    "条码": "barcode",
    "标签": "label",
    "包装": "packaging",
    "物流": "logistics",
    "运输": "transport",
    "配送": "delivery",
    "排班": "scheduling",
    "培训": "training",
    "员工": "staff",
    "新员工": "onboarding",
    "入职": "onboarding",
    "会议": "meeting",
    "文档": "document",
    "翻译": "translation",
    "聊天机器人": "chatbot",
    "错误": "error",
    "差错": "error",
    "成本": "cost",
    "浪费": "waste",
    "回收": "recycling",
    "碳": "carbon",
    "排放": "emissions",
    "停机": "downtime",
    "故障": "failure",
    "数据": "data",
    "看板": "dashboard",
    "仪表盘": "dashboard",
    "工单": "ticket",
    "退货": "returns",
    "订单": "order",
    "关账": "close",
    "结账": "close",
    "月末": "month-end",
    "对账": "reconcile",
    "核对": "reconcile",
    "检查清单": "checklist",
    "负责人": "owner",
    "每日": "daily",
    "每天": "every day",
    "加班": "overtime",
    "试点": "pilot",
}
_GLOSSARY_RE = re.compile("|".join(sorted(map(re.escape, GLOSSARY), key=len, reverse=True)))
LATIN_WORD = r"[a-z0-9][a-z0-9+#.%-]*[a-z0-9%+#]|[a-z0-9]"
_CJK = re.compile(r"[\u3400-\u9fff]")


def normalise(text: str) -> str:
    """Lower case, full-width letters and digits folded (ＲＦＩＤ → rfid), spaces collapsed."""
    return " ".join(unicodedata.normalize("NFKC", text).lower().split())


def with_glossary(text: str) -> str:
    """The text, followed by the English word of every glossary term it names."""
    if not _CJK.search(text):
        return text
    found = _GLOSSARY_RE.findall(text)
    return text + (" " + " ".join(GLOSSARY[term] for term in found) if found else "")


def entry_text(title: str, summary: str, problem: str = "", solution: str = "") -> str:
    """The text an entry is compared by: title (twice), summary, problem and solution."""
    parts = [title] * TITLE_REPEAT + [summary, problem, solution]
    return with_glossary(normalise(" ".join(p for p in parts if p)))


@dataclass(frozen=True)
class Index:
    """Fitted vectorisers and the rows of the corpus (one per text, L2-normalised)."""

    words: TfidfVectorizer
    chars: TfidfVectorizer
    matrix: sparse.csr_matrix

    @property
    def size(self) -> int:
        return int(self.matrix.shape[0])


def _vectorisers() -> tuple[TfidfVectorizer, TfidfVectorizer]:
    words = TfidfVectorizer(
        analyzer="word",
        # latin words and numbers only: a run of Chinese characters is no word (the character
        # view reads it)
        token_pattern=LATIN_WORD,
        ngram_range=(1, 2),
        sublinear_tf=True,
        min_df=1,
        dtype=np.float32,
    )
    chars = TfidfVectorizer(analyzer="char_wb", ngram_range=(1, 3), sublinear_tf=True, min_df=1, dtype=np.float32)
    return words, chars


def _combine(words: sparse.spmatrix, chars: sparse.spmatrix) -> sparse.csr_matrix:
    stacked = sparse.hstack(
        [normalize(words) * np.sqrt(WORD_WEIGHT), normalize(chars) * np.sqrt(1 - WORD_WEIGHT)], format="csr"
    )
    return normalize(stacked).astype(np.float32)


def fit(texts: Sequence[str]) -> Index:
    """The index of ``texts`` (already made by ``entry_text``); an empty corpus gives an empty index."""
    words, chars = _vectorisers()
    if not texts:
        return Index(words, chars, sparse.csr_matrix((0, 0), dtype=np.float32))
    # a corpus with no latin word at all still fits (the word view is then empty)
    padded = [*texts, "x"]
    matrix = _combine(words.fit_transform(padded), chars.fit_transform(padded))
    return Index(words, chars, matrix[:-1])


def transform(index: Index, texts: Sequence[str]) -> sparse.csr_matrix:
    """Rows for ``texts`` in the index's vocabulary (words it never saw are left out)."""
    if index.matrix.shape[1] == 0:
        return sparse.csr_matrix((len(texts), 0), dtype=np.float32)
    return _combine(index.words.transform(texts), index.chars.transform(texts))


def append_rows(index: Index, texts: Sequence[str], *, clear: Sequence[int] = ()) -> Index:
    """The index with rows for ``texts`` appended in order (in the vocabulary and weights of the
    last ``fit``: one transform of the new texts and a copy of the rows) and the rows ``clear``
    emptied (an entry submitted again: its old row scores 0 with everything)."""
    if not texts and not clear:
        return index
    matrix = sparse.vstack([index.matrix, transform(index, texts)], format="csr") if texts else index.matrix.copy()
    for row in clear:
        matrix.data[matrix.indptr[row] : matrix.indptr[row + 1]] = 0
    return Index(index.words, index.chars, matrix)


def scores(index: Index, query: sparse.spmatrix) -> np.ndarray:
    """The cosine of every corpus row with each query row: shape (queries, corpus), in [0, 1]."""
    if index.size == 0 or query.shape[0] == 0:
        return np.zeros((query.shape[0], index.size), dtype=np.float32)
    # the corpus (sparse, by rows) times the queries made dense: one pass over the corpus
    product: np.ndarray = np.clip((index.matrix @ query.toarray().T).T, 0.0, 1.0)
    return product


def is_chinese(text: str) -> bool:
    """Mostly Chinese: a fifth of its characters or more (spaces aside) are CJK."""
    letters = [c for c in text if not c.isspace()]
    return bool(letters) and sum(1 for c in letters if _CJK.match(c)) * 5 >= len(letters)


def across_languages(row_scores: np.ndarray, query_chinese: bool, chinese: np.ndarray) -> np.ndarray:
    """The scores with those of the other language raised by ``CROSS_LANGUAGE_BOOST`` (at most 1):
    a Chinese and an English text share only product names, figures and glossary words, so their
    cosine runs far below that of two texts in one language saying the same."""
    other = chinese != query_chinese
    raised: np.ndarray = np.where(other, np.minimum(row_scores * CROSS_LANGUAGE_BOOST, 1.0), row_scores)
    return raised


def similarity(a: str, b: str) -> float:
    """The cosine of two texts in an index fitted on both (for tests and the bench)."""
    index = fit([entry_text(a, ""), entry_text(b, "")])
    return float(scores(index, index.matrix[0])[0, 1])


def top_k(
    row_scores: np.ndarray, *, k: int = TOP_K, threshold: float = THRESHOLD, allowed: np.ndarray | None = None
) -> list[tuple[int, float]]:
    """The ``k`` best (row, score) at or above ``threshold`` among ``allowed`` rows (a boolean
    mask), best first; ties by row number so the order is stable."""
    candidates = row_scores >= threshold
    if allowed is not None:
        candidates &= allowed
    rows = np.flatnonzero(candidates)
    if rows.size == 0 or k <= 0:
        return []
    if rows.size > k:
        best = np.argpartition(-row_scores[rows], k - 1)[:k]
        rows = rows[best]
    ordered = sorted(rows.tolist(), key=lambda row: (-float(row_scores[row]), row))
    return [(row, float(row_scores[row])) for row in ordered[:k]]


def count_above(row_scores: np.ndarray, *, threshold: float = THRESHOLD, allowed: np.ndarray | None = None) -> int:
    candidates = row_scores >= threshold
    if allowed is not None:
        candidates &= allowed
    return int(np.count_nonzero(candidates))


def mask(values: np.ndarray, keep: Iterable[int]) -> np.ndarray:
    """A boolean mask of ``values`` that are in ``keep``."""
    found: np.ndarray = np.isin(values, np.fromiter(keep, dtype=np.int64))
    return found
