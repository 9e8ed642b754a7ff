"""`python -m bot bench --servers N`: N servers that each added K sources, in this process.

The corpus is the one `bench` uses (`--sources`, else every Reuters-21578 article, titled with
its headline); its first `--base` sources (default: all but the additions) are the base set and
its last N x K the servers' additions (K distinct ones each). The registry starts as the bot's
does (the base engine alone); each asked server's first question loads its engine, within the
memory budget (`ENGINE_MEMORY_MB`): the shared base index plus an overlay of its K additions
(`bot.index.layered`). The question is the lead sentence of the server's first added source: a
claim from that article, as a member would check one. Prints figures; asserts nothing.
`tests/bench_servers_discord.py` measures the same through the real bot process.
"""

from __future__ import annotations

import argparse
import json
import logging
import os
import tempfile
import time
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from bot.answer.registry import LibraryRegistry
from bot.evaluation.bench import _describe, _ms, _peak_rss_mib, _percentiles, _sources
from bot.index.store import IndexStore, settle_memory
from bot.library.parsing import parse_text
from bot.library.sqlite import SqliteStore
from bot.passages.sentences import split_sentences
from bot.settings import DEFAULT_ENGINE_MEMORY_MB
from bot.sources import Source

_log = logging.getLogger(__name__)
NOTE = (
    "servers' engines load at their first question, within ENGINE_MEMORY_MB, each the shared "
    "base index plus an overlay of its additions"
)
FIRST_GUILD = 1_000_000


def run_server_bench(args: argparse.Namespace) -> int:
    corpus = _sources(args.sources, args.data, 1)
    servers, per_server = args.servers, args.per_server
    ask = min(servers, 50) if args.ask_servers is None else args.ask_servers
    if not 0 <= ask <= servers:
        raise SystemExit("bench: --ask-servers must be 0..N")
    base, extra = split_corpus(corpus, servers, per_server, args.base)
    figures = measure_servers(base, extra, servers, per_server, ask)
    figures["source_note"] = _describe(args.sources, 1)
    if args.json:
        print(json.dumps(figures, indent=2))
    else:
        _print_servers(figures)
    return 0


def split_corpus(
    corpus: Sequence[Source], servers: int, per_server: int, base: int | None
) -> tuple[list[Source], list[Source]]:
    """The base set (the first `base` sources, default all but the additions) and the servers'
    additions (the last N x K); exits with a message when the corpus is too small."""
    if servers < 1 or per_server < 1 or (base is not None and base < 1):
        raise SystemExit("bench: --servers, --per-server and --base must be >= 1")
    added = servers * per_server
    size = len(corpus) - added if base is None else base
    if size < 1 or size + added > len(corpus):
        raise SystemExit(
            f"bench: {len(corpus)} sources cannot give {servers} x {per_server} additions "
            "and a base set; use fewer servers or a larger --sources folder"
        )
    return list(corpus[:size]), list(corpus[-added:])


def measure_servers(
    base: list[Source], extra: Sequence[Source], servers: int, per_server: int, ask: int
) -> dict[str, Any]:
    """Start N customised servers from a fresh SQLite library, then ask `ask` of them once."""
    with tempfile.TemporaryDirectory() as tmp:
        data_dir = Path(tmp)
        added = add_server_sources(data_dir, base, extra, servers, per_server)
        started = time.perf_counter()
        store = SqliteStore.in_data_dir(data_dir)
        registry = LibraryRegistry(
            store,
            base,
            data_dir=data_dir,
            base_index=IndexStore(data_dir / "base-index.npz"),
            after_build=settle_memory,
            memory_budget=DEFAULT_ENGINE_MEMORY_MB * 2**20,
        )
        startup = time.perf_counter() - started
        rss_started = rss_mib()
        latencies, own = [], 0
        for guild_id in list(added)[:ask]:
            question = question_for(added[guild_id][0])
            began = time.perf_counter()
            answer = registry.engine_for(guild_id).answer(question)
            latencies.append((time.perf_counter() - began) * 1000)
            own += added[guild_id][0].id in {c.source.id for c in answer.citations}
        rss_asked = rss_mib()
        store.close()
    return {
        "note": NOTE,
        "servers": servers,
        "per_server": per_server,
        "base_sources": len(base),
        "startup_s": round(startup, 2),
        "rss_after_start_mib": round(rss_started, 1),
        "rss_after_questions_mib": round(rss_asked, 1),
        "peak_rss_mib": round(_peak_rss_mib(), 1),
        "asked_servers": ask,
        "first_question_ms": _percentiles(latencies, "max") if latencies else None,
        "cite_own_source": own,
    }


def add_server_sources(
    data_dir: Path,
    base: list[Source],
    extra: Sequence[Source],
    servers: int,
    per_server: int,
    first_guild: int = FIRST_GUILD,
) -> dict[int, list[Source]]:
    """Give each server K of `extra` in the SQLite library in `data_dir` (before a start)."""
    store = SqliteStore.in_data_dir(data_dir)
    added: dict[int, list[Source]] = {}
    try:
        for n in range(servers):
            mine = extra[n * per_server : (n + 1) * per_server]
            drafts = [parse_text(s.text, title=s.title, date=s.date, origin="import") for s in mine]
            guild_id = first_guild + n
            limit = len(base) + len(mine)
            added[guild_id], _ = store.add_many(guild_id, drafts, "bench", base, limit)
    finally:
        store.close()
    return added


def question_for(source: Source) -> str:
    """The source's lead sentence (its title when it has none)."""
    spans = split_sentences(source.text, 0, len(source.text))
    return source.text[spans[0][0] : spans[0][1]] if spans else source.title


def rss_mib(pid: int | None = None) -> float:
    """Resident memory now of process `pid` (None: this one), on Linux; elsewhere this
    process's peak, or NaN for another process."""
    try:
        pages = int(Path(f"/proc/{pid or 'self'}/statm").read_text().split()[1])
    except (OSError, IndexError, ValueError):
        return _peak_rss_mib() if pid is None else float("nan")
    return pages * os.sysconf("SC_PAGE_SIZE") / 2**20


def _print_servers(figures: dict[str, Any]) -> None:
    print(f"sources: {figures['source_note']}")
    print(f"  note: {figures['note']}")
    print(f"  {figures['servers']} servers x {figures['per_server']} added sources over ", end="")
    print(f"{figures['base_sources']:,} base sources")
    rows = [
        ("start (the base engine)", f"{figures['startup_s']:.2f} s"),
        ("RSS after start", _mib(figures["rss_after_start_mib"])),
        ("RSS after a question in each asked server", _mib(figures["rss_after_questions_mib"])),
    ]
    if figures["first_question_ms"]:
        rows.append(("first question + load, p50 / p95 / max", _ms(figures["first_question_ms"])))
    own = f"{figures['cite_own_source']} / {figures['asked_servers']}"
    rows.append(("questions citing the article asked about", own))
    rows.append(("peak RSS", _mib(figures["peak_rss_mib"])))
    for name, value in rows:
        print(f"  {name:<46} {value:>24}")


def _mib(value: float) -> str:
    return f"{value:.0f} MiB"
