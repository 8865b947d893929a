"""Similar ideas (teams.similarity) on a fixed, generated corpus of 6,000 entries, beside the bare page.

The corpus (seeded, so every run is the same): 200 clusters of 6 near-duplicates (the original in
English, three English rewrites, two Chinese versions that keep its product name and figure) and
4,800 other entries built from the same subjects, products and phrases (hard negatives). Prints:
the time to fit the index; the time per query (transform, cosine against every row, top 5); the
time to put one new submission in place (``append_rows``) and, for comparison, a full refit;
precision at 5 over every cluster member as a query (relevant: the 5 others of its cluster), in
all and by language pair, with and without the glossary; and the bare Litestar page (50 of 10,000
rows, bench/bare_app.py, in process) measured in the same run, so that the query time reads as a
share of a bare page.

    .venv/bin/python bench/similarity.py [--entries 6000] [--queries 1200]
"""

from __future__ import annotations

import argparse
import asyncio
import os
import random
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
sys.path.insert(0, str(Path(__file__).resolve().parent))

from teams import similarity

SUBJECTS = [
    ("warehouse picking errors", "仓库拣货错误"),
    ("invoice approval time", "发票审批时间"),
    ("supplier delivery delays", "供应商交货延迟"),
    ("customer complaints", "客户投诉"),
    ("office energy use", "办公室能耗"),
    ("machine downtime", "设备停机时间"),
    ("packaging waste", "包装浪费"),
    ("new staff onboarding", "新员工入职"),
    ("expense claims", "报销流程"),
    ("quality defects", "质量缺陷"),
    ("inventory accuracy", "库存准确率"),
    ("delivery routes", "配送路线"),
    ("meeting room booking", "会议室预订"),
    ("shift scheduling", "排班"),
    ("returns handling", "退货处理"),
    ("safety incidents", "安全事故"),
    ("maintenance tickets", "维修工单"),
    ("document translation", "文档翻译"),
    ("carbon emissions", "碳排放"),
    ("order errors", "订单错误"),
]
PRODUCTS = ["RFID", "SAP", "AGV", "OCR", "IoT", "QR", "Power BI", "RPA", "LED", "GPS", "ERP", "CRM", "AI", "5G", "BLE"]
PRODUCTS += ["Kanban", "Excel", "Teams", "WMS", "MES", "PLC", "Tableau", "Python", "Jira", "ServiceNow"]
PHRASES = [
    ("a dashboard for the team leads", "给班组长的看板"),
    ("alerts on the handheld scanner", "手持扫码枪上的提醒"),
    ("a weekly huddle", "每周例会"),
    ("predictive maintenance of the sensors", "传感器的预测性维护"),
    ("automatic checks before approval", "审批前的自动检查"),
    ("a mobile app for the drivers", "司机使用的手机应用"),
    ("labels with barcodes", "带条码的标签"),
    ("a chatbot for common questions", "回答常见问题的聊天机器人"),
    ("training videos of one minute", "一分钟的培训视频"),
    ("a pilot in one site", "在一个工厂试点"),
    ("a monthly ranking of the teams", "每月团队排名"),
    ("robots for the heavy boxes", "搬运重箱的机器人"),
    ("a shared calendar", "共享日历"),
    ("photos taken at packing", "包装时拍照"),
    ("a scorecard for suppliers", "供应商评分卡"),
    ("sensors on every machine", "每台设备上的传感器"),
    ("a self-service portal", "自助服务门户"),
    ("an approval workflow", "审批流程"),
    ("a reminder e-mail", "提醒邮件"),
    ("data from the last year", "去年的数据"),
]
VERBS = [("cut", "减少"), ("halve", "减半"), ("speed up", "加快"), ("track", "跟踪"), ("prevent", "防止")]


def _english(
    rng: random.Random, subject: str, product: str, phrases: list[str], number: int, style: int
) -> tuple[str, str]:
    verb = rng.choice(VERBS)[0]
    if style == 0:
        return (
            f"{product} to {verb} {subject}",
            f"Use {product} with {phrases[0]} and {phrases[1]}; {number}% fewer {subject}.",
        )
    if style == 1:
        return (
            f"{subject.capitalize()}: {phrases[1]} with {product}",
            f"{phrases[0].capitalize()} and {product} to {verb} {subject} by {number}%.",
        )
    if style == 2:
        return (
            f"Less {subject} with {product}",
            f"We {verb} {subject} by {number}% through {phrases[1]}, helped by {phrases[0]}.",
        )
    return (
        f"{product} and {phrases[0]}",
        f"{subject.capitalize()} go down {number}%: {phrases[1]}, {product} everywhere.",
    )


def _chinese(
    rng: random.Random, subject: str, product: str, phrases: list[str], number: int, style: int
) -> tuple[str, str]:
    verb = rng.choice(VERBS)[1]
    if style == 0:
        return f"用{product}{verb}{subject}", f"结合{phrases[0]}和{phrases[1]}，{subject}降低{number}%。"
    return f"{subject}：{product}加{phrases[1]}", f"通过{phrases[0]}与{product}，目标是{subject}{verb}{number}%。"


def _text(title: str, summary: str, glossary: bool) -> str:
    if glossary:
        return similarity.entry_text(title, summary)
    return similarity.normalise(" ".join([title] * similarity.TITLE_REPEAT + [summary]))


def corpus(entries: int, seed: int = 12, glossary: bool = True) -> tuple[list[str], list[int], list[str]]:
    """Texts, their cluster (-1 for none) and language ("en" or "zh")."""
    rng = random.Random(seed)
    texts: list[str] = []
    clusters: list[int] = []
    languages: list[str] = []
    for cluster in range(200):
        subject = rng.randrange(len(SUBJECTS))
        product = rng.choice(PRODUCTS)
        phrases = rng.sample(range(len(PHRASES)), 2)
        number = rng.choice([10, 15, 20, 25, 30, 40, 50, 60])
        en_phrases = [PHRASES[p][0] for p in phrases]
        zh_phrases = [PHRASES[p][1] for p in phrases]
        for style in range(4):
            shuffled = en_phrases if style % 2 == 0 else en_phrases[::-1]
            texts.append(_text(*_english(rng, SUBJECTS[subject][0], product, shuffled, number, style), glossary))
            clusters.append(cluster)
            languages.append("en")
        for style in range(2):
            texts.append(_text(*_chinese(rng, SUBJECTS[subject][1], product, zh_phrases, number, style), glossary))
            clusters.append(cluster)
            languages.append("zh")
    while len(texts) < entries:
        subject = rng.randrange(len(SUBJECTS))
        product = rng.choice(PRODUCTS)
        phrases = rng.sample(range(len(PHRASES)), 2)
        number = rng.choice([10, 15, 20, 25, 30, 40, 50, 60])
        if rng.random() < 0.3:
            text = _chinese(
                rng, SUBJECTS[subject][1], product, [PHRASES[p][1] for p in phrases], number, rng.randrange(2)
            )
            languages.append("zh")
        else:
            text = _english(
                rng, SUBJECTS[subject][0], product, [PHRASES[p][0] for p in phrases], number, rng.randrange(4)
            )
            languages.append("en")
        texts.append(_text(*text, glossary))
        clusters.append(-1)
    return texts, clusters, languages


def precision(
    index: similarity.Index, clusters: np.ndarray, languages: list[str], queries: list[int], boost: bool
) -> dict[str, float]:
    """Precision at 5 (threshold 0) for each query row ("P@5"); and by (query, found) languages,
    the share of the cluster's members in that language found in the top 5 ("en→zh" and so on)."""
    hits: dict[str, list[float]] = {"P@5": [], "en→en": [], "en→zh": [], "zh→en": [], "zh→zh": []}
    matrix = similarity.scores(index, index.matrix[queries])
    chinese = np.array([language == "zh" for language in languages])
    for position, row in enumerate(queries):
        if boost:
            matrix[position] = similarity.across_languages(matrix[position], bool(chinese[row]), chinese)
        allowed = np.ones(index.size, dtype=bool)
        allowed[row] = False
        found = similarity.top_k(matrix[position], k=5, threshold=0.0, allowed=allowed)
        good = [r for r, _s in found if clusters[r] == clusters[row]]
        hits["P@5"].append(len(good) / 5)
        for language in ("en", "zh"):
            relevant = [r for r in np.flatnonzero(clusters == clusters[row]) if r != row and languages[r] == language]
            if relevant:
                share = sum(1 for r in good if languages[r] == language) / len(relevant)
                hits[f"{languages[row]}→{language}"].append(share)
    return {key: statistics.mean(values) for key, values in hits.items() if values}


def best(fn: Callable[[], object], repeat: int) -> float:
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return min(times)


def bare_page_ms(requests: int = 30) -> float:
    """The bare page (50 of 10,000 rows) through Litestar's test client, in process: mean ms."""
    from bare_app import create, seed
    from litestar.testing import TestClient

    url = f"sqlite+aiosqlite:///{tempfile.mkdtemp(prefix='kaizen-bare-')}/bare.sqlite3"
    asyncio.run(seed(url))
    os.environ["BENCH_BARE_DATABASE_URL"] = url
    with TestClient(app=create()) as client:
        client.get("/items")
        start = time.perf_counter()
        for _ in range(requests):
            assert client.get("/items").status_code == 200
        return (time.perf_counter() - start) / requests * 1000


def main(args: argparse.Namespace) -> None:
    texts, cluster_list, languages = corpus(args.entries)
    clusters = np.array(cluster_list)
    bare = bare_page_ms()
    print(f"corpus: {len(texts)} entries, {int((clusters >= 0).sum())} in 200 clusters of 6 (4 en + 2 zh)")
    print(f"bare page (50 of 10,000 rows, in process): {bare:.1f} ms")
    start = time.perf_counter()
    index = similarity.fit(texts)
    fit_s = time.perf_counter() - start
    print(f"index: {fit_s:.2f} s to fit, {index.matrix.shape[1]:,} features, {index.matrix.nnz:,} non-zeros")
    probe = texts[: args.queries]
    rng = random.Random(3)
    rng.shuffle(probe)
    start = time.perf_counter()
    for text in probe:
        row_scores = similarity.scores(index, similarity.transform(index, [text]))[0]
        similarity.top_k(row_scores)
    query_ms = (time.perf_counter() - start) / len(probe) * 1000
    print(f"query: {query_ms:.1f} ms each ({query_ms / bare:.2f} × the bare page)")
    new_text = similarity.entry_text("RFID gloves for the night shift", "Gloves read every pick with RFID.")
    update_ms = best(lambda: similarity.append_rows(index, [new_text]), 5) * 1000
    replace_ms = best(lambda: similarity.append_rows(index, [new_text], clear=[10]), 5) * 1000
    print(
        f"update after one submission: {update_ms:.1f} ms a new entry, {replace_ms:.1f} ms an entry submitted "
        f"again ({update_ms / bare:.2f} × the bare page); a full refit: {fit_s:.2f} s"
    )
    queries = [int(r) for r in np.flatnonzero(clusters >= 0)][: args.queries]
    plain = similarity.fit(corpus(args.entries, glossary=False)[0])
    for label, used, boost in [
        ("glossary, language boost", index, True),
        ("glossary, no boost      ", index, False),
        ("no glossary, boost      ", plain, True),
        ("neither                 ", plain, False),
    ]:
        figures = precision(used, clusters, languages, queries, boost)
        print(f"{label}: " + ", ".join(f"{k} {v:.2f}" for k, v in figures.items()))


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--entries", type=int, default=6000)
    parser.add_argument("--queries", type=int, default=1200)
    main(parser.parse_args())
