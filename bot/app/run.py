"""Start and stop: logging, endpoints, loading the libraries, the gateway, signals, exit codes.

`run_bot` and `sync_commands` are what `python -m bot run|sync` call; each returns an exit code
and turns the failures an operator can fix (bad token, missing scope, refused intents, broken
sources, an unusable library database) into one log line and exit 2. A Discord outage while
syncing is exit 1. SIGINT/SIGTERM exit 0 at once, even while questions or an index are being
worked on in threads: their results are no longer wanted, and every library change is one
transaction, so stopping mid-change loses nothing that was confirmed.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import os
import signal
import sys
import threading
from collections.abc import Coroutine
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import aiohttp
import discord
import yarl

from bot.answer.registry import open_registry
from bot.app.bot import CrosscheckBot, Library, make_bot
from bot.app.sync import StartupError, SyncOutage, force_sync
from bot.heartbeat import HEARTBEAT_SECONDS, heartbeat_path, write_heartbeat
from bot.index.store import settle_memory
from bot.library.base import StoreError
from bot.library.opening import library_location
from bot.settings import Settings
from bot.sources import SourceError

_log = logging.getLogger(__name__)

EXIT_OK = 0
EXIT_ERROR = 1
EXIT_CONFIG = 2
CLOSE_AUTHENTICATION_FAILED = 4004
CLOSE_SHARDING_REQUIRED = 4011
CLOSE_INVALID_INTENTS = 4013


def configure_logging(level: str) -> None:
    """Set up standard-library logging once: `level` for the app, WARNING for discord.http."""
    root = logging.getLogger()
    if not root.handlers:
        discord.utils.setup_logging(level=logging.getLevelNamesMapping()[level], root=True)
    root.setLevel(level)
    logging.getLogger("discord.http").setLevel(logging.WARNING)


def apply_endpoints(settings: Settings) -> None:
    """Point d.py at the configured REST base and gateway. Call before creating the bot.

    Every REST call (including interaction responses and followups, which go through the same
    `Route` class as webhooks) uses `Route.BASE`. A plain `Bot` connects to `DEFAULT_GATEWAY`
    without asking /gateway/bot; READY's resume URL is handled in `CrosscheckBot.on_connect`.
    """
    discord.http.Route.BASE = settings.api_base.rstrip("/")
    discord.gateway.DiscordWebSocket.DEFAULT_GATEWAY = yarl.URL(settings.gateway_url)
    _log.info("Discord REST API: %s; gateway: %s", settings.api_base, settings.gateway_url)


def _build_library(settings: Settings) -> Library:
    """The registry with the base engine built (blocking); servers' engines load on demand."""
    place = library_location(settings.data_dir, settings.database_url)
    _log.info(
        "Indexing sources in %s; library %s (%s)", settings.sources_dir, place, settings.origin
    )
    # the process's memory policy: each engine built is frozen out of the collector's scans
    registry = open_registry(
        settings.sources_dir,
        settings.data_dir,
        settings.database_url,
        settings.serves_guild,
        after_build=settle_memory,
        memory_budget=settings.engine_memory_mb * 2**20,
    )
    _log.info(
        "Indexed %d base sources; servers' own sources load at their first question "
        "(engines kept within %d MiB).",
        len(registry.base),
        settings.engine_memory_mb,
    )
    return registry


def _describe_start_failure(error: BaseException, settings: Settings) -> tuple[str, int] | None:
    """One line and an exit code for a failure the operator can fix; None if unexpected."""
    if isinstance(error, discord.LoginFailure) or (
        isinstance(error, discord.ConnectionClosed) and error.code == CLOSE_AUTHENTICATION_FAILED
    ):
        return (
            "Discord rejected the token (401 Unauthorized): check DISCORD_TOKEN; it is the bot "
            "token from the Developer Portal's Bot page, not the client secret.",
            EXIT_CONFIG,
        )
    if isinstance(error, discord.PrivilegedIntentsRequired):
        return (
            "Discord refused a privileged gateway intent (close code 4014). Crosscheck asks for "
            "none, so check DISCORD_GATEWAY_URL, or enable the intent in the Developer Portal.",
            EXIT_CONFIG,
        )
    if isinstance(error, discord.ConnectionClosed) and error.code == CLOSE_INVALID_INTENTS:
        return (
            "Discord refused the gateway intents as invalid (close code 4013). Crosscheck sends "
            "the default intents, so check DISCORD_GATEWAY_URL points at a Discord gateway.",
            EXIT_CONFIG,
        )
    if isinstance(error, discord.ConnectionClosed) and error.code == CLOSE_SHARDING_REQUIRED:
        return (
            "Discord requires more shards (gateway close 4011): the bot is in too many servers "
            "for this many connections; set SHARD_COUNT (see the README's Running several "
            "processes).",
            EXIT_CONFIG,
        )
    if isinstance(error, SyncOutage):
        return str(error), EXIT_ERROR
    if isinstance(error, StartupError | SourceError | StoreError):
        return str(error), EXIT_CONFIG
    if isinstance(error, aiohttp.ClientError | OSError):
        return f"Cannot reach Discord at {settings.api_base}: {error}", EXIT_ERROR
    return None


def _report(error: BaseException, settings: Settings) -> int:
    described = _describe_start_failure(error, settings)
    if described is None:
        _log.critical("Crosscheck stopped on an unexpected error", exc_info=error)
        return EXIT_ERROR
    message, code = described
    _log.error("%s", message)
    return code


def gateway_connected(bot: CrosscheckBot) -> bool:
    """Whether the bot is logged in to the gateway now (not closed, not reconnecting); a
    sharded bot, on every one of its shards."""
    if not bot.is_ready() or bot.is_closed():
        return False
    if isinstance(bot, discord.AutoShardedClient):
        return bool(bot.shards) and not any(s.is_closed() for s in bot.shards.values())
    return bot.ws is not None and bot.ws.open


async def keep_heartbeat(
    bot: CrosscheckBot, path: Path, interval: float = HEARTBEAT_SECONDS
) -> None:
    """Forever: refresh the heartbeat file while the gateway is connected; at once on READY and
    RESUMED, then every `interval` seconds. `python -m bot health` reads it."""
    wake = asyncio.Event()

    async def connected() -> None:
        wake.set()

    bot.add_listener(connected, "on_ready")
    bot.add_listener(connected, "on_resumed")
    failing = False
    while True:
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(wake.wait(), interval)
        wake.clear()
        if not gateway_connected(bot):
            continue
        try:
            await asyncio.to_thread(write_heartbeat, path)
        except OSError as error:
            if not failing:  # once, not every interval; the health check reports it too
                _log.warning("Cannot write the heartbeat file %s: %s", path, error)
            failing = True
        else:
            failing = False


class _Shutdown:
    """SIGINT/SIGTERM handler: close the bot cleanly (d.py leaves SIGTERM to the caller)."""

    def __init__(self) -> None:
        self.requested = asyncio.Event()
        self.bot: CrosscheckBot | None = None
        self._closing: asyncio.Future[None] | None = None

    def install(self, loop: asyncio.AbstractEventLoop) -> None:
        if sys.platform == "win32":  # no add_signal_handler; Ctrl-C still ends `asyncio.run`
            return
        for sig in (signal.SIGINT, signal.SIGTERM):
            loop.add_signal_handler(sig, self.request, sig)

    def remove(self, loop: asyncio.AbstractEventLoop) -> None:
        if sys.platform != "win32":
            for sig in (signal.SIGINT, signal.SIGTERM):
                loop.remove_signal_handler(sig)

    def request(self, sig: signal.Signals) -> None:
        _log.info("Received %s: closing the connection.", sig.name)
        self.requested.set()
        if self.bot is not None and self._closing is None:
            self._closing = asyncio.ensure_future(self.bot.close())


async def _unless_stopped(work: Coroutine[Any, Any, Any], shutdown: _Shutdown) -> Any:
    """Await `work`, or return None as soon as a shutdown is requested (the work is dropped)."""
    job = asyncio.ensure_future(work)
    stop = asyncio.ensure_future(shutdown.requested.wait())
    await asyncio.wait({job, stop}, return_when=asyncio.FIRST_COMPLETED)
    stop.cancel()
    if shutdown.requested.is_set():
        job.cancel()
        return None
    return job.result()


async def _serve(settings: Settings) -> int:
    if not settings.token:
        _log.error("DISCORD_TOKEN is not set: put the bot token in the environment or in .env.")
        return EXIT_CONFIG
    loop = asyncio.get_running_loop()
    shutdown = _Shutdown()
    shutdown.install(loop)
    try:
        apply_endpoints(settings)
        building = asyncio.to_thread(_build_library, settings)
        library = await _unless_stopped(building, shutdown)
        if library is None:
            return EXIT_OK
        bot = shutdown.bot = make_bot(settings, library)
        follower = asyncio.ensure_future(library.follow_other_processes())
        beat = heartbeat_path(settings.data_dir, settings.shard_ids)
        beating = asyncio.ensure_future(keep_heartbeat(bot, beat))
        try:
            async with bot:
                await bot.start(settings.token)
        finally:
            follower.cancel()
            beating.cancel()
    except Exception as error:
        if shutdown.requested.is_set():  # closing mid-login can fail a request in flight
            _log.debug("Error while shutting down", exc_info=error)
            return EXIT_OK
        return _report(error, settings)
    finally:
        shutdown.remove(loop)
    _log.info("Disconnected; bye.")
    return EXIT_OK


async def _sync(settings: Settings, guild_id: int | None) -> int:
    if not settings.token:
        _log.error("DISCORD_TOKEN is not set: put the bot token in the environment or in .env.")
        return EXIT_CONFIG
    apply_endpoints(settings)
    bot = CrosscheckBot(settings, library=None, sync_on_start=False)
    try:
        async with bot:
            await bot.login(settings.token)  # REST only: no gateway connection needed
            count = await force_sync(bot, guild_id)
    except Exception as error:
        return _report(error, settings)
    where = f"server {guild_id}" if guild_id else "global scope"
    _log.info("Synced %d application commands to %s.", count, where)
    return EXIT_OK


async def _cancel_pending() -> None:
    current = asyncio.current_task()
    pending = [task for task in asyncio.all_tasks() if task is not current]
    for task in pending:
        task.cancel()
    await asyncio.gather(*pending, return_exceptions=True)


def _run_to_exit(main: Coroutine[Any, Any, int]) -> int:
    """`asyncio.run(main)`, except that threads still busy at the end are not waited for.

    `asyncio.run` and the interpreter's exit both join every worker thread, so a question or an
    index build in progress would hold a SIGTERM for as long as it runs.
    """
    loop = asyncio.new_event_loop()
    asyncio.set_event_loop(loop)
    executor = ThreadPoolExecutor(thread_name_prefix="crosscheck-worker")
    loop.set_default_executor(executor)
    try:
        code = loop.run_until_complete(main)
        loop.run_until_complete(_cancel_pending())
        loop.run_until_complete(loop.shutdown_asyncgens())
    finally:
        executor.shutdown(wait=False, cancel_futures=True)
        asyncio.set_event_loop(None)
        loop.close()
    workers = [t for t in threading.enumerate() if t.name.startswith("crosscheck-worker")]
    for worker in workers:  # idle workers end at once; give them a moment
        worker.join(timeout=0.1)
    if any(t.is_alive() for t in workers):
        _log.info("Leaving unfinished work (questions or indexing) behind; exiting now.")
        logging.shutdown()
        sys.stdout.flush()
        sys.stderr.flush()
        os._exit(code)
    return code


def run_bot(settings: Settings) -> int:
    """Run the bot until SIGINT/SIGTERM; returns the process exit code."""
    configure_logging(settings.log_level)
    return _run_to_exit(_serve(settings))


def sync_commands(settings: Settings, guild_id: int | None = None) -> int:
    """Push the commands to Discord now and exit: to `guild_id`, else `DISCORD_GUILD_ID`, else
    globally. Returns the process exit code."""
    configure_logging(settings.log_level)
    return asyncio.run(_sync(settings, guild_id if guild_id is not None else settings.guild_id))
