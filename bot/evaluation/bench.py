"""`python -m bot bench`: build time, start-up, memory and latency, with rank-bm25 alongside.

Sources are a folder (`--sources`) or, by default, every Reuters-21578 article with a body (one
source each); questions are a file (one a line) or the first 200 AG News test titles. The
default run also measures a library of about a million passages, built by repeating the corpus
(each copy marked so that it is a distinct source), in a child process so that its memory is
its own. Prints figures; asserts nothing.
"""

from __future__ import annotations

import argparse
import gzip
import html
import json
import os
import re
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

import numpy as np

from bot.answer.engine import BM25, AnswerEngine
from bot.index.store import IndexStore, settle_memory
from bot.retrieval import analyze
from bot.sources import Source, load_sources

_STORY = re.compile(r"<REUTERS .*?</REUTERS>", re.S)
_BODY = re.compile(r"<BODY>(.*?)</BODY>", re.S)
_TITLE = re.compile(r"<TITLE>(.*?)</TITLE>", re.S)
DEFAULT_QUESTIONS = 200
MILLION = 1_000_000
# rank-bm25 scores every passage in Python: this many questions are enough for its median.
REFERENCE_QUESTIONS = 50
# Runs of a whole `ask` process after the first; the quickest is reported (others share the CPU).
AGAIN = 3


def reuters_articles(folder: Path, limit: int | None = None) -> list[str]:
    """Article bodies, in file order (unescaped, control characters dropped)."""
    return [body for _, body in reuters_stories(folder, limit)]


def reuters_stories(folder: Path, limit: int | None = None) -> list[tuple[str, str]]:
    """(headline, body) of every article with a body, in file order; the headline "" when the
    article has none."""
    stories: list[tuple[str, str]] = []
    for path in sorted(folder.glob("reut2-*.sgm.gz")):
        text = gzip.decompress(path.read_bytes()).decode("latin-1")
        for story in _STORY.findall(text):
            body = _BODY.search(story)
            if body is None:
                continue
            title = _TITLE.search(story)
            headline = html.unescape(title.group(1)).strip() if title else ""
            stories.append((headline, html.unescape(body.group(1)).replace("\x03", "").strip()))
            if len(stories) == limit:
                return stories
    return stories


def ag_news_titles(path: Path, limit: int) -> list[str]:
    lines = gzip.decompress(path.read_bytes()).decode("utf-8").splitlines()
    titles = [line.split('","')[1] for line in lines if line.count('","') >= 2]
    return titles[:limit]


def run_bench(args: argparse.Namespace) -> int:
    data: Path = args.data
    sources = _sources(args.sources, data, args.copies)
    questions = _questions(args.questions, data)
    figures = measure(sources, questions, reference=args.copies == 1)
    figures["source_note"] = _describe(args.sources, args.copies)
    if args.copies == 1:
        figures["ask_process_s"] = ask_process(args.sources, sources, questions[0])
    if args.sources is None and args.questions is None and args.copies == 1:
        figures["million"] = _million_in_child(data, figures["passages"])
    if args.json:
        print(json.dumps(figures, indent=2))
    else:
        _print_table(figures)
        if "million" in figures:
            _print_table(figures["million"])
    return 0


def measure(
    sources: Sequence[Source], questions: Sequence[str], *, reference: bool = True
) -> dict[str, Any]:
    """Every figure of one run (the rank-bm25 reference is built last: it is the biggest)."""
    with tempfile.TemporaryDirectory() as tmp:
        saved = Path(tmp) / "index.npz"
        started, cpu = time.perf_counter(), _cpu_seconds()
        AnswerEngine(sources, index_store=IndexStore(saved))
        settle_memory()  # as the bot and the command line do after each build
        build = time.perf_counter() - started
        main, workers = (after - before for before, after in zip(cpu, _cpu_seconds(), strict=True))
        started = time.perf_counter()
        engine = AnswerEngine(sources, index_store=IndexStore(saved))
        settle_memory()
        startup = time.perf_counter() - started
        saved_mib = saved.stat().st_size / 2**20
    index = engine._index
    terms = [analyze(q) for q in questions]
    retrieval = _timings(lambda i: index.search(terms[i], limit=10), len(questions))
    answers = _timings(lambda i: engine.answer(questions[i]), len(questions))
    figures: dict[str, Any] = {
        "passages": len(engine.passages),
        "sources": len(sources),
        "questions": len(questions),
        "build_s": round(build, 2),
        # CPU seconds of this process and of the analysis workers: on a machine shared with
        # other work, the wall time above says more about the other work than about the build
        "build_cpu_s": {"main": round(main, 2), "workers": round(workers, 2)},
        "startup_s": round(startup, 2),
        "saved_index_mib": round(saved_mib, 1),
        "peak_rss_mib": round(_peak_rss_mib(), 1),
        # the largest of the build's analysis workers (`bot.index.parallel`), for a large library
        "worker_peak_rss_mib": round(_peak_rss_mib(resource.RUSAGE_CHILDREN), 1),
        "retrieval_ms": _percentiles(retrieval, "max"),
        "answer_ms": _percentiles(answers, "max"),
        "rank_bm25_ms": None,
        "speedup": None,
    }
    if reference:
        corpus = [terms or [""] for terms in _corpus_terms(engine)]
        del engine
        bm25 = BM25.build(corpus)
        asked = terms[:REFERENCE_QUESTIONS]
        plain = _timings(lambda i: np.argsort(-bm25.get_scores(asked[i]))[:10], len(asked))
        figures["rank_bm25_ms"] = _percentiles(plain)
        figures["speedup"] = round(figures["rank_bm25_ms"]["p50"] / figures["retrieval_ms"]["p50"])
    return figures


def _corpus_terms(engine: AnswerEngine) -> list[list[str]]:
    """The engine's own analysed passages, as rank-bm25 is given them."""
    return [analyze(p.text) for p in engine.passages]


def _timings(run: Callable[[int], object], count: int) -> list[float]:
    times = []
    for i in range(count):
        started = time.perf_counter()
        run(i)
        times.append((time.perf_counter() - started) * 1000)
    return times


def _percentiles(times: list[float], *extra: str) -> dict[str, float]:
    cuts = statistics.quantiles(times, n=100) if len(times) > 1 else times * 99
    figures = {"p50": round(cuts[49], 3), "p95": round(cuts[94], 3)}
    if "max" in extra:
        figures["max"] = round(max(times), 3)
    return figures


def _cpu_seconds() -> tuple[float, float]:
    """User + system CPU seconds so far of this process and of its finished children."""
    own = resource.getrusage(resource.RUSAGE_SELF)
    children = resource.getrusage(resource.RUSAGE_CHILDREN)
    return own.ru_utime + own.ru_stime, children.ru_utime + children.ru_stime


def _peak_rss_mib(who: int = resource.RUSAGE_SELF) -> float:
    peak = resource.getrusage(who).ru_maxrss
    return peak / 2**20 if sys.platform == "darwin" else peak / 2**10  # bytes vs KiB


def _sources(folder: Path | None, data: Path, copies: int) -> list[Source]:
    if folder is not None:
        originals = load_sources(folder)
    else:
        stories = reuters_stories(data / "data" / "reuters21578")
        originals = [
            Source(id=f"reuters-{n:05d}", title=h or f"Reuters {n}", date=None, path=Path(), text=t)
            for n, (h, t) in enumerate(stories)
            if t
        ]
    if copies == 1:
        return originals
    # Each copy is its own source (its own text hash, a number added to its last sentence):
    # nothing is reused between copies.
    return [
        Source(id=f"{s.id}-{k}", title=s.title, date=s.date, path=s.path, text=f"{s.text} {k}")
        for k in range(copies)
        for s in originals
    ]


def _questions(path: Path | None, data: Path) -> list[str]:
    if path is not None:
        lines = path.read_text(encoding="utf-8").splitlines()
        return [line.strip() for line in lines if line.strip()]
    return ag_news_titles(data / "data" / "ag-news-test" / "test.csv.gz", DEFAULT_QUESTIONS)


def _describe(folder: Path | None, copies: int) -> str:
    what = str(folder) if folder else "Reuters-21578, every article with a body, one source each"
    return what if copies == 1 else f"{what}, repeated {copies} times (distinct copies)"


def ask_process(folder: Path | None, sources: Sequence[Source], question: str) -> dict[str, float]:
    """`python -m bot ask --sources DIR` as a user runs it, over `folder` (else `sources` written
    as files): wall and CPU seconds of the first run, which builds and saves the index, and the
    quickest of the runs after it, which find the folder unchanged (`bot.sources.folder_scan`)."""
    with tempfile.TemporaryDirectory() as tmp:
        if folder is None:
            folder = Path(tmp) / "sources"
            folder.mkdir()
            for source in sources:
                (folder / f"{source.id}.txt").write_text(source.text, encoding="utf-8")
            settled = time.time() - 60  # a file written this instant is read again next time
            for path in folder.iterdir():
                os.utime(path, (settled, settled))
        command = [sys.executable, "-m", "bot", "ask", "--sources", str(folder), question]
        environment = {**os.environ, "DATA_DIR": str(Path(tmp) / "data")}
        runs = [_timed(command, environment) for _ in range(1 + AGAIN)]
    again = min(runs[1:])
    return {"first": runs[0][0], "again": again[0], "again_cpu": again[1]}


def _timed(command: list[str], environment: dict[str, str]) -> tuple[float, float]:
    """(wall, CPU) seconds of one run of `command`, rounded."""
    started, cpu = time.perf_counter(), _cpu_seconds()[1]
    subprocess.run(command, env=environment, capture_output=True, check=True)
    wall, used = time.perf_counter() - started, _cpu_seconds()[1] - cpu
    return round(wall, 2), round(used, 2)


def _million_in_child(data: Path, passages: int) -> dict[str, Any]:
    copies = -(-MILLION // passages)  # enough copies to reach a million passages
    command = [sys.executable, "-m", "bot", "bench", "--json", "--copies", str(copies)]
    result = subprocess.run(
        [*command, "--data", str(data)], capture_output=True, text=True, check=True
    )
    return json.loads(result.stdout)


def _print_table(figures: dict[str, Any]) -> None:
    print(f"sources: {figures['source_note']}")
    print(f"  {figures['sources']:,} sources, {figures['passages']:,} passages, ", end="")
    print(f"{figures['questions']} questions")
    rows = [
        ("index build (analysis + index + saving)", f"{figures['build_s']:.2f} s"),
        ("  its CPU: this process / the workers", _cpu(figures["build_cpu_s"])),
        ("start-up from the saved index", f"{figures['startup_s']:.2f} s"),
        *_ask_rows(figures.get("ask_process_s")),
        ("saved index file", f"{figures['saved_index_mib']:.1f} MiB"),
        ("peak RSS (whole process, before rank-bm25)", f"{figures['peak_rss_mib']:.0f} MiB"),
        ("peak RSS of a build's analysis worker", f"{figures['worker_peak_rss_mib']:.0f} MiB"),
        ("retrieval top 10, p50 / p95 / max", _ms(figures["retrieval_ms"])),
        ("whole answer, p50 / p95 / max", _ms(figures["answer_ms"])),
    ]
    if figures["rank_bm25_ms"]:
        reference = figures["rank_bm25_ms"]
        rows.append(("rank-bm25 get_scores + top 10, p50 / p95", _ms(reference)))
        rows.append(("speed-up (rank-bm25 p50 / retrieval p50)", f"{figures['speedup']}x"))
    for name, value in rows:
        print(f"  {name:<46} {value:>24}")


def _ask_rows(figures: dict[str, float] | None) -> list[tuple[str, str]]:
    if figures is None:
        return []
    again = f"{figures['again']:.2f} s (CPU {figures['again_cpu']:.2f} s)"
    return [
        ("whole `ask --sources DIR`: first run", f"{figures['first']:.2f} s"),
        ("  again (folder unchanged, saved index)", again),
    ]


def _cpu(figures: dict[str, float]) -> str:
    return f"{figures['main']:.2f} / {figures['workers']:.2f} s"


def _ms(figures: dict[str, float]) -> str:
    return " / ".join(f"{value:.2f}" for value in figures.values()) + " ms"
