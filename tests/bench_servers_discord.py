"""Issue 18's check through the real bot: `python -m bot run` against the local Discord-compatible
API, with N servers that each added K Reuters articles over a base of B Reuters articles.

    python tests/bench_servers_discord.py --servers 200 --per-server 20 --ask-servers 50 --base 2000

Prints the time until the bot is ready (its process started to the gateway's READY), its
resident memory after ready and after one /ask in each of M servers, how many of those answers
cite the article asked about, the first response's latency (the interaction callback: an answer,
or a deferral while the server's engine loads) and the answer's (p50 / p95 / max), and failures
(a callback Discord would refuse after 3 s, no answer). Asserts nothing. With `--restart` it
then starts the bot again on the same data (the saved indexes of the first run) and asks the
same questions again.

It lives beside the tests, not in `bot/evaluation/`, because it drives the bot through the
fake Discord in `tests/fakes/discord/`, which an install does not ship (`pip install .` packages
`bot*` only): run it from a checkout with the test extras (`pip install -e '.[test]'`). The
corpus, the additions and the question are those of `python -m bot bench --servers`.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

from e2e.test_e2e_bot import BotProcess, cited_titles, started
from fakes.discord import (
    CALLBACK_DEFERRED_MESSAGE,
    MEMBER_PERMISSIONS,
    LibraryFakeDiscord,
    SentMessage,
)

from bot.evaluation.bench import _percentiles, _sources
from bot.evaluation.bench_servers import add_server_sources, question_for, rss_mib, split_corpus
from bot.sources import Source

FIRST_GUILD = 1_300_000_000_000_000_000  # snowflakes, one after another
START_TIMEOUT = 600.0
ANSWER_TIMEOUT = 60.0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--servers", type=int, default=200, metavar="N")
    parser.add_argument("--per-server", type=int, default=20, metavar="K")
    parser.add_argument("--ask-servers", type=int, default=50, metavar="M")
    parser.add_argument("--base", type=int, default=2000, metavar="B")
    parser.add_argument("--data", type=Path, default=Path("../shared"), help="shared data folder")
    parser.add_argument("--memory-mb", type=int, help="ENGINE_MEMORY_MB for the bot")
    parser.add_argument("--restart", action="store_true", help="then start again and re-ask")
    parser.add_argument("--json", action="store_true", help="print one JSON object")
    args = parser.parse_args(argv)
    if not 0 < args.ask_servers <= args.servers:
        parser.error("--ask-servers must be 1..N")
    corpus = _sources(None, args.data, 1)
    base, extra = split_corpus(corpus, args.servers, args.per_server, args.base)
    figures = asyncio.run(measure(base, extra, args))
    if args.json:
        print(json.dumps(figures, indent=2))
    else:
        for name, value in figures.items():
            if not isinstance(value, dict):
                print(f"{name}: {value}")
                continue
            print(f"{name}:")
            for row, figure in value.items():
                print(f"  {row:<44} {figure}")
    return 0


async def measure(base: list[Source], extra: list[Source], args: argparse.Namespace) -> dict:
    """A start with N servers and a question in M of them; with `--restart`, a second start
    on the same DATA_DIR (the saved indexes of the first) and the same questions again."""
    with tempfile.TemporaryDirectory() as tmp:
        work = Path(tmp)
        folder = work / "base"
        folder.mkdir()
        for source in base:
            (folder / f"{source.id}.txt").write_text(source.text, encoding="utf-8")
        added = add_server_sources(
            work / "data", base, extra, args.servers, args.per_server, FIRST_GUILD
        )
        env = {"CROSSCHECK_SOURCES": str(folder), "LOG_LEVEL": "WARNING"}
        if args.memory_mb:
            env["ENGINE_MEMORY_MB"] = str(args.memory_mb)
        figures: dict[str, Any] = {
            "servers x added articles": f"{args.servers} x {args.per_server}",
            "base articles": len(base),
        }
        async with LibraryFakeDiscord() as fake:
            for start in range(1, 3 if args.restart else 2):
                found = await _start_and_ask(fake, work, env, added, args.ask_servers, start)
                figures["first start" if start == 1 else "restart"] = found
    return figures


async def _start_and_ask(
    fake: LibraryFakeDiscord,
    work: Path,
    env: dict[str, str],
    added: dict[int, list[Source]],
    count: int,
    start: int,
) -> dict[str, Any]:
    began = time.monotonic()
    bot = await BotProcess.start(fake, work, extra_env=env)
    try:
        await started(fake, bot, ready=start, timeout=START_TIMEOUT)
        ready = time.monotonic() - began
        rss_ready = rss_mib(bot.proc.pid)
        first, answers, own, unanswered, deferred, failures = await _ask_each(fake, added, count)
        rss_asked = rss_mib(bot.proc.pid)
    finally:
        await bot.stop(timeout=30)
    return {
        "ready after (s)": round(ready, 2),
        "RSS after ready (MiB)": round(rss_ready, 1),
        f"RSS after a question in {count} servers (MiB)": round(rss_asked, 1),
        "answers citing the article asked about": f"{own} / {count}",
        "of the others, answered 'not covered'": unanswered,
        "first response ms (p50, p95, max)": _percentiles(first, "max") if first else None,
        "answer ms (p50, p95, max)": _percentiles(answers, "max") if answers else None,
        "first responses that were deferrals": deferred,
        "failures": failures,
    }


async def _ask_each(
    fake: LibraryFakeDiscord, added: dict[int, list[Source]], count: int
) -> tuple[list[float], list[float], int, int, int, list[str]]:
    """One /ask in each of the first `count` servers, one after another."""
    first: list[float] = []
    answers: list[float] = []
    own = unanswered = deferred = 0
    failures: list[str] = []
    for guild_id in list(added)[:count]:
        article = added[guild_id][0]
        options = {"question": question_for(article)}
        payload = fake.slash_command(
            "ask", options, permissions=MEMBER_PERMISSIONS, guild_id=str(guild_id)
        )
        began = time.monotonic()
        await fake.inject(payload)
        try:
            callback = await fake.wait_for_callback(payload["id"], timeout=ANSWER_TIMEOUT)
            first.append((time.monotonic() - began) * 1000)
            reply: SentMessage = await fake.wait_for_reply(payload["id"], timeout=ANSWER_TIMEOUT)
            answers.append((time.monotonic() - began) * 1000)
        except Exception as error:  # noqa: BLE001 - a failure to count, not to stop at
            failures.append(f"server {guild_id}: {type(error).__name__}")
            continue
        if callback.status >= 300:
            failures.append(f"server {guild_id}: callback {callback.status}")
        deferred += callback.type == CALLBACK_DEFERRED_MESSAGE
        if _letters(article.title) in _letters(cited_titles(reply)):
            own += 1
        elif not reply.embeds:  # "not covered" or "nothing specific to look up"
            unanswered += 1
    return first, answers, own, unanswered, deferred, failures


def _letters(text: str) -> str:
    """Letters and digits only: a title as the embed shows it (escaped, shortened) or not."""
    return "".join(c for c in text.casefold() if c.isalnum())


if __name__ == "__main__":
    sys.exit(main())
