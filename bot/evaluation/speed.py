"""Speed and memory on real news text: Reuters-21578 bodies as sources, AG News titles as questions.

Prints figures (index build time, peak memory, answer latency percentiles); asserts nothing.
"""

from __future__ import annotations

import gzip
import html
import re
import statistics
import tempfile
import time
import tracemalloc
from pathlib import Path

from bot.answer import AnswerEngine

_BODY = re.compile(r"<BODY>(.*?)</BODY>", re.S)


def reuters_articles(folder: Path, limit: int) -> list[str]:
    articles: list[str] = []
    for path in sorted(folder.glob("reut2-*.sgm.gz")):
        text = gzip.decompress(path.read_bytes()).decode("latin-1")
        for body in _BODY.findall(text):
            articles.append(html.unescape(body).replace("\x03", "").strip())
            if len(articles) == limit:
                return articles
    return articles


def ag_news_titles(path: Path, limit: int) -> list[str]:
    lines = gzip.decompress(path.read_bytes()).decode("utf-8").splitlines()
    titles = [line.split('","')[1] for line in lines if line.count('","') >= 2]
    return titles[:limit]


def run_speed(data: Path, articles: int = 2000, questions: int = 300) -> int:
    texts = reuters_articles(data / "data" / "reuters21578", articles)
    titles = ag_news_titles(data / "data" / "ag-news-test" / "test.csv.gz", questions)
    with tempfile.TemporaryDirectory() as tmp:
        for number, text in enumerate(texts):
            Path(tmp, f"{number:05d}_reuters.txt").write_text(text, encoding="utf-8")
        tracemalloc.start()
        started = time.perf_counter()
        engine = AnswerEngine.from_folder(Path(tmp))
        build = time.perf_counter() - started
        _, peak = tracemalloc.get_traced_memory()
        tracemalloc.stop()
        latencies = []
        for title in titles:
            started = time.perf_counter()
            engine.answer(title)
            latencies.append((time.perf_counter() - started) * 1000)
    cuts = statistics.quantiles(latencies, n=100)
    print(f"sources: {len(texts)} Reuters articles, {len(engine.passages):,} passages")
    print(f"index build: {build:.2f} s, peak traced memory {peak / 2**20:.0f} MiB")
    print(
        f"answer latency over {len(latencies)} AG News titles: "
        f"p50 {cuts[49]:.1f} ms, p95 {cuts[94]:.1f} ms, max {max(latencies):.1f} ms"
    )
    return 0
