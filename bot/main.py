"""The command line: `python -m bot ask|sources|conflicts|library|eval|run|sync|health`.

Every subcommand takes `--sources DIR`. Exit codes: 0 for an answer (or "not covered"), 2 for
unusable input or sources, with one line on stderr saying why; never a traceback for anything a
user can type or point it at.
"""

from __future__ import annotations

import argparse
import gc
import logging
import os
import sys
from pathlib import Path
from typing import Any

from bot.answer.engine import AnswerEngine
from bot.answer.types import Status
from bot.heartbeat import DEFAULT_MAX_AGE_SECONDS
from bot.rendering.json_output import (
    answer_to_dict,
    conflicts_to_list,
    render_json,
    sources_to_list,
)
from bot.rendering.terminal import render_answer, render_conflicts, render_sources
from bot.sources import SourceError

log = logging.getLogger(__name__)

EXIT_OK = 0
EXIT_USAGE = 2
EXIT_BROKEN_PIPE = 141  # what a shell reports for a writer ended by SIGPIPE


def main(argv: list[str] | None = None) -> int:
    from bot.library.base import LibraryError, StoreError
    from bot.settings import SettingsError

    args = _parser().parse_args(argv)
    if args.handler not in (_ask, _sources, _conflicts):
        gc.enable()  # see `bot.__main__`; those three turn it on after their build (`_engine`)
    _configure_stdio()
    try:
        code = args.handler(args)
        sys.stdout.flush()  # here, not at exit, so that a closed pipe is caught below
        return code
    except BrokenPipeError:  # `... | head -1`: the reader left; nothing more to say
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return EXIT_BROKEN_PIPE
    except SourceError as error:
        return _fail(f"cannot use the sources: {error}")
    except (LibraryError, StoreError, SettingsError) as error:
        return _fail(str(error))
    except KeyboardInterrupt:
        return 130


def _ask(args: argparse.Namespace) -> int:
    question = " ".join(args.question)
    if question == "-":
        question = sys.stdin.buffer.read().decode("utf-8", errors="replace")
    engine = _engine(args)
    answer = engine.answer(question)
    if args.json:
        print(render_json(answer_to_dict(answer)))
    elif answer.status is not Status.INVALID:
        print(render_answer(answer))
    if answer.status is Status.INVALID:
        return _fail(answer.message)
    return EXIT_OK


def _sources(args: argparse.Namespace) -> int:
    engine = _engine(args)
    counts = {s.id: len(engine.passages_of(s.id)) for s in engine.sources}
    if args.json:
        print(render_json(sources_to_list(engine.sources, counts)))
    else:
        print(render_sources(engine.sources, counts))
    return EXIT_OK


def _conflicts(args: argparse.Namespace) -> int:
    from bot.library.cli import settings_for

    seconds = settings_for(args).conflicts_seconds if args.seconds is None else args.seconds
    scan = _engine(args).scan_conflicts(seconds or None)
    if args.json:
        print(render_json(conflicts_to_list(scan.conflicts)))
    else:
        print(render_conflicts(scan.conflicts))
    shortfall = scan.shortfall()
    if shortfall:  # on stderr: the JSON on stdout stays a plain list
        print(f"note: {shortfall} (--seconds 0 lifts the limit)", file=sys.stderr)
    return EXIT_OK


def _run(args: argparse.Namespace) -> int:
    from bot.app.run import run_bot
    from bot.settings import SettingsError, load_settings

    try:
        settings = load_settings(sources_dir=args.sources)
    except SettingsError as error:
        return _fail(str(error))
    return run_bot(settings)


def _sync(args: argparse.Namespace) -> int:
    from bot.app.run import sync_commands
    from bot.settings import SettingsError, load_settings

    try:
        settings = load_settings(sources_dir=args.sources)
    except SettingsError as error:
        return _fail(str(error))
    return sync_commands(settings, args.guild)


def _health(args: argparse.Namespace) -> int:
    """Exit 0 if the running bot's heartbeat is fresh, else 1 with one line (a container's or
    service manager's health check: there, 1 means unhealthy and 2 is reserved)."""
    from bot.heartbeat import heartbeat_path, heartbeat_problem
    from bot.settings import SettingsError, load_settings

    try:
        settings = load_settings()
    except SettingsError as error:
        print(f"unhealthy: {error}", file=sys.stderr)
        return 1
    path = heartbeat_path(settings.data_dir.resolve(), settings.shard_ids)
    problem = heartbeat_problem(path, args.max_age)
    if problem:
        print(f"unhealthy: {problem}", file=sys.stderr)
        return 1
    return EXIT_OK


def _bench(args: argparse.Namespace) -> int:
    from bot.evaluation.bench import run_bench

    if args.servers is not None:
        from bot.evaluation.bench_servers import run_server_bench

        return run_server_bench(args)
    return run_bench(args)


def _eval(args: argparse.Namespace) -> int:
    from bot.evaluation.cli import run_evaluation

    return run_evaluation(args)


def _engine(args: argparse.Namespace) -> AnswerEngine:
    """The sources `run` would answer from: `--sources`, else CROSSCHECK_SOURCES, else the seeds;
    with `--guild ID`, that server's library. The index is saved under DATA_DIR."""
    from bot.index.saved import files_record_path, index_path_for
    from bot.index.store import IndexStore, settle_memory
    from bot.library.cli import settings_for
    from bot.sources.folder_scan import scan_sources

    if getattr(args, "guild", None) is not None:
        engine = _server_engine(args)
    else:
        settings = settings_for(args)
        saved = index_path_for(settings.data_dir, settings.sources_dir)
        # One command, one answer: a file is read when an excerpt is quoted from it (see
        # `scan_sources`), not at start; a long-running bot reads its folder whole.
        sources = scan_sources(settings.sources_dir, files_record_path(saved))
        engine = AnswerEngine(sources, index_store=IndexStore(saved))
    settle_memory()  # the process's choice, not the engine's: see `settle_memory`
    gc.enable()  # off during start-up (`bot.__main__`)
    return engine


def _server_engine(args: argparse.Namespace) -> AnswerEngine:
    """`--guild ID`: that server's library (base set and DATA_DIR as `run` reads them)."""
    from bot.answer.registry import build_engine
    from bot.index.saved import server_index_path
    from bot.index.store import IndexStore
    from bot.library.cli import open_existing_library, say_which_library, settings_for
    from bot.library.opening import server_sources

    settings = settings_for(args)
    store, base = open_existing_library(settings)
    say_which_library(settings)
    try:
        index = IndexStore(server_index_path(settings.data_dir, args.guild))
        return build_engine(server_sources(store, base, args.guild), index)  # type: ignore[return-value]
    finally:
        store.close()


def _seconds(value: str) -> float:
    """A `--seconds` value: a number of seconds, 0 or more."""
    try:
        seconds = float(value)
    except ValueError:
        seconds = -1.0
    if not 0 <= seconds < float("inf"):
        raise argparse.ArgumentTypeError(f"must be a number of seconds, 0 or more, not {value!r}")
    return seconds


def _fail(message: str) -> int:
    print(f"error: {message}", file=sys.stderr)
    return EXIT_USAGE


def _configure_stdio() -> None:
    # Sources and questions may be in any script: never die on a terminal's narrow encoding.
    for stream in (sys.stdout, sys.stderr):
        if hasattr(stream, "reconfigure"):
            stream.reconfigure(errors="replace")


def _sources_option(default: object) -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(add_help=False)
    parser.add_argument(
        "--sources",
        type=Path,
        metavar="DIR",
        default=default,
        help="folder of .txt/.md sources (default: the bundled seeds)",
    )
    return parser


def _parser() -> argparse.ArgumentParser:
    from bot.library.cli import add_library_parser, server_id

    parser = argparse.ArgumentParser(
        prog="python -m bot",
        description="Crosscheck: answers with verbatim, cited excerpts from your sources.",
        parents=[_sources_option(default=None)],
    )
    # SUPPRESS: a --sources given before the subcommand is not reset by the subcommand's default.
    common = _sources_option(default=argparse.SUPPRESS)
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    ask = commands.add_parser("ask", parents=[common], help="answer a question from the sources")
    ask.add_argument(
        "question", nargs="+", help='the question, e.g. "Did Japan ban Tesla?" (- reads stdin)'
    )
    ask.add_argument("--json", action="store_true", help="print one JSON object (see README)")
    ask.add_argument(
        "--guild", type=server_id, metavar="ID", help="answer from that server's library"
    )
    ask.set_defaults(handler=_ask)

    sources = commands.add_parser("sources", parents=[common], help="list the sources")
    sources.add_argument("--json", action="store_true", help="print JSON")
    sources.set_defaults(handler=_sources)

    conflicts = commands.add_parser(
        "conflicts", parents=[common], help="disagreements across all the sources"
    )
    conflicts.add_argument("--json", action="store_true", help="print JSON")
    conflicts.add_argument(
        "--seconds",
        type=_seconds,
        metavar="N",
        help="stop looking after N seconds and say what was left (default: CONFLICTS_SECONDS, "
        "30; 0: no limit)",
    )
    conflicts.set_defaults(handler=_conflicts)

    run = commands.add_parser(
        "run", parents=[common], help="run the Discord bot (needs DISCORD_TOKEN)"
    )
    run.set_defaults(handler=_run)

    sync = commands.add_parser(
        "sync", parents=[common], help="push the slash commands to Discord now"
    )
    sync.add_argument(
        "--guild", type=server_id, metavar="ID", help="sync to one server only (instant)"
    )
    sync.set_defaults(handler=_sync)

    health = commands.add_parser(
        "health", help="exit 0 if the running bot is connected (its heartbeat is fresh), else 1"
    )
    health.add_argument(
        "--max-age",
        type=float,
        default=DEFAULT_MAX_AGE_SECONDS,
        metavar="SECONDS",
        help=f"oldest heartbeat still healthy (default {DEFAULT_MAX_AGE_SECONDS:g})",
    )
    health.set_defaults(handler=_health)

    add_library_parser(commands, common)

    _add_measuring(commands, common)
    return parser


def _add_measuring(commands: Any, common: argparse.ArgumentParser) -> None:
    """`eval` (answer quality) and `bench` (build, memory, latency)."""
    evaluate = commands.add_parser("eval", parents=[common], help="measure answer quality")
    evaluate.add_argument(
        "suite",
        choices=[
            "seeds",
            "claims",
            "cranfield",
            "wikicontradict",
            "newswire",
            "newswire-questions",
            "alarms",
        ],
    )
    evaluate.add_argument(
        "--data",
        type=Path,
        default=Path("../shared"),
        help="the shared data folder (default: ../shared)",
    )
    evaluate.add_argument("--grid", action="store_true", help="cranfield: try every BM25 variant")
    evaluate.add_argument(
        "--questions",
        type=Path,
        metavar="FILE",
        help="seeds/claims: score this question file (shared/eval format) instead",
    )
    evaluate.add_argument(
        "--set",
        type=Path,
        dest="pairs",
        metavar="FILE",
        help="newswire: the labelled pairs (default: tests/data/newswire-dev2.jsonl)",
    )
    evaluate.add_argument(
        "--verbose", action="store_true", help="newswire/alarms: print each caveat's explanation"
    )
    evaluate.set_defaults(handler=_eval)

    bench = commands.add_parser("bench", help="measure build, start-up, memory and latency")
    bench.add_argument("--sources", type=Path, metavar="DIR", help="default: all of Reuters-21578")
    bench.add_argument(
        "--questions", type=Path, metavar="FILE", help="one a line (default: 200 AG News titles)"
    )
    bench.add_argument("--json", action="store_true", help="print one JSON object")
    bench.add_argument("--copies", type=int, default=1, help="repeat the sources N times")
    bench.add_argument("--data", type=Path, default=Path("../shared"), help="shared data folder")
    bench.add_argument(
        "--servers", type=int, metavar="N", help="start N customised servers instead (see README)"
    )
    bench.add_argument("--per-server", type=int, default=20, metavar="K", help="sources each adds")
    bench.add_argument(
        "--base", type=int, metavar="B", help="--servers: the first B sources are the base set"
    )
    bench.add_argument(
        "--ask-servers", type=int, metavar="M", help="servers asked once (default: min(N, 50))"
    )
    bench.set_defaults(handler=_bench)
