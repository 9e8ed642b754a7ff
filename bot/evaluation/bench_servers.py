"""`python -m bot bench --servers N`: N customised servers under today's design.

The corpus is the one `bench` uses (`--sources`, else every Reuters-21578 article); its last
N x K sources are the servers' additions (K distinct ones each) and the rest is the base set.
Every customised server holds a full engine of base + additions today: these figures are the
baseline for a shared base index. Prints figures; asserts nothing.
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
from bot.sources import Source

_log = logging.getLogger(__name__)
NOTE = (
    "today's design: every customised server holds a full engine (base + its additions); "
    "the baseline for the coming shared base index"
)
FIRST_GUILD = 1_000_000


def run_server_bench(args: argparse.Namespace) -> int:
    corpus = _sources(args.sources, args.data, 1)
    servers, per_server = args.servers, args.per_server
    ask = min(servers, 50) if args.ask_servers is None else args.ask_servers
    if servers < 1 or per_server < 1 or not 0 <= ask <= servers:
        raise SystemExit("bench: --servers and --per-server must be >= 1, --ask-servers 0..N")
    if len(corpus) <= servers * per_server:
        raise SystemExit(
            f"bench: {len(corpus)} sources cannot give {servers} x {per_server} additions "
            "and a base set; use fewer servers or a larger --sources folder"
        )
    figures = measure_servers(corpus, servers, per_server, ask)
    figures["source_note"] = _describe(args.sources, 1)
    if args.json:
        print(json.dumps(figures, indent=2))
    else:
        _print_servers(figures)
    return 0


def measure_servers(
    corpus: Sequence[Source], servers: int, per_server: int, ask: int
) -> dict[str, Any]:
    """Start N customised servers from a fresh SQLite library, then ask `ask` of them once."""
    split = len(corpus) - servers * per_server
    base, extra = list(corpus[:split]), corpus[split:]
    with tempfile.TemporaryDirectory() as tmp:
        data_dir = Path(tmp)
        added = _add_sources(data_dir, base, extra, servers, per_server)
        started = time.perf_counter()
        store = SqliteStore.in_data_dir(data_dir)
        registry = LibraryRegistry(
            store,
            base,
            data_dir=data_dir,
            base_index=IndexStore(data_dir / "base-index.npz"),
            after_build=settle_memory,
        )
        opened = time.perf_counter() - started

        startup = time.perf_counter() - started
        rss_started = _rss_mib()
        latencies, own = [], 0
        for guild_id in [g for g in added if added[g]][:ask]:
            question = _question_from(added[guild_id][0])
            began = time.perf_counter()
            answer = registry.engine_for(guild_id).answer(question)
            latencies.append((time.perf_counter() - began) * 1000)
            own_ids = {s.id for s in added[guild_id]}
            own += any(c.source.id in own_ids for c in answer.citations)
        rss_asked = _rss_mib()
        store.close()
    return {
        "note": NOTE,
        "servers": servers,
        "per_server": per_server,
        "base_sources": len(base),
        "registry_open_s": round(opened, 2),
        "startup_s": round(startup, 2),
        "rss_after_start_mib": round(rss_started, 1),
        "rss_after_questions_mib": round(rss_asked, 1),
        "peak_rss_mib": round(_peak_rss_mib(), 1),
        "asked_servers": ask,
        "first_question_ms": _percentiles(latencies, "max") if latencies else None,
        "cite_own_source": own,
    }


def _add_sources(
    data_dir: Path, base: list[Source], extra: Sequence[Source], servers: int, per_server: int
) -> dict[int, list[Source]]:
    """Give each server K of `extra` in the library (before the measured start)."""
    store = SqliteStore.in_data_dir(data_dir)
    added: dict[int, list[Source]] = {}
    try:
        for n in range(servers):
            mine = extra[n * per_server : (n + 1) * per_server]
            drafts = [parse_text(s.text, title=s.title, date=s.date, origin="import") for s in mine]
            guild_id = FIRST_GUILD + n
            limit = len(base) + len(mine)
            added[guild_id], _ = store.add_many(guild_id, drafts, "bench", base, limit)
    finally:
        store.close()
    return added


def _question_from(source: Source) -> str:
    """The source's first sentence (its title when it has none)."""
    spans = split_sentences(source.text, 0, len(source.text))
    return source.text[spans[0][0] : spans[0][1]] if spans else source.title


def _rss_mib() -> float:
    """Resident memory now (Linux); the peak elsewhere."""
    try:
        pages = int(Path("/proc/self/statm").read_text().split()[1])
    except (OSError, IndexError, ValueError):
        return _peak_rss_mib()
    return pages * os.sysconf("SC_PAGE_SIZE") / 2**20


def _print_servers(figures: dict[str, Any]) -> None:
    print(f"sources: {figures['source_note']}")
    print(f"  note: {figures['note']}")
    print(f"  {figures['servers']} servers x {figures['per_server']} added sources over ", end="")
    print(f"{figures['base_sources']:,} base sources")
    rows = [
        ("start: registry open (base engine)", f"{figures['registry_open_s']:.2f} s"),
        ("start: open + load_customised", f"{figures['startup_s']:.2f} s"),
        ("RSS after start", _mib(figures["rss_after_start_mib"])),
        ("RSS after a question in each asked server", _mib(figures["rss_after_questions_mib"])),
    ]
    if figures["first_question_ms"]:
        rows.append(("first question, p50 / p95 / max", _ms(figures["first_question_ms"])))
    own = f"{figures['cite_own_source']} / {figures['asked_servers']}"
    rows.append(("questions citing the server's own source", own))
    rows.append(("peak RSS", _mib(figures["peak_rss_mib"])))
    for name, value in rows:
        print(f"  {name:<46} {value:>24}")


def _mib(value: float) -> str:
    return f"{value:.0f} MiB"
