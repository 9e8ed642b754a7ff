"""One answer engine per server, rebuilt off the event loop after a change and swapped whole.

A question reads `engine_for(guild)` once and keeps that engine, so it sees the old library or
the new one, never a mix. Changes to one server are serialised (one lock per server) and the new
engine is always built from what the database committed, so two moderators changing the library
at once leave library and index consistent. Servers without changes share the base engine.

A build that fails (a source whose analysis raises, memory running out) never leaves a server
stuck: the sources the answering engine did not have are set aside (`Snapshot.skipped`) and the
rest is built; if even that fails, the server keeps answering from its last engine
(`Snapshot.stale`). A set-aside source is retried once any set-aside source leaves the library
and at every start; moderators see both in the change's reply (`NotIndexed`) and can remove it.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Protocol, TypeVar

from bot.answer.engine import AnswerEngine
from bot.answer.types import Answer, Status
from bot.answer.validation import question_problem
from bot.caveat import ConflictScan, PassageConflict
from bot.index.saved import index_path_for, server_index_path
from bot.index.store import IndexStore, text_hash
from bot.library.base import LibraryStore, library_sources
from bot.library.sqlite import DATABASE_NAME, SqliteStore
from bot.passages.sentences import Passage
from bot.sources import Source, load_sources

_log = logging.getLogger(__name__)

T = TypeVar("T")
# How often the bot looks for changes another process (the command line) committed.
EXTERNAL_POLL_SECONDS = 2.0
EMPTY_LIBRARY = "This server's library is empty: a moderator can add sources with /library add."


class Engine(Protocol):
    """What the Discord layer and the command line need from an answer engine."""

    @property
    def sources(self) -> tuple[Source, ...]: ...

    def passages_of(self, source_id: str) -> list[Passage]: ...

    def answer(self, question: str) -> Answer: ...

    def conflicts(self) -> list[PassageConflict]: ...

    def scan_conflicts(self, seconds: float | None) -> ConflictScan: ...


def every_server(guild_id: int) -> bool:
    """The `serves` of a process that runs every shard."""
    return True


class EmptyEngine:
    """The engine of a library with no sources: every question is "not covered"."""

    sources: tuple[Source, ...] = ()

    def passages_of(self, source_id: str) -> list[Passage]:
        return []

    def answer(self, question: str) -> Answer:
        problem = question_problem(question)
        if problem:
            return Answer(question, Status.INVALID, problem)
        return Answer(question, Status.NO_MATCH, EMPTY_LIBRARY)

    def conflicts(self) -> list[PassageConflict]:
        return []

    def scan_conflicts(self, seconds: float | None) -> ConflictScan:
        return ConflictScan([], 0, 0, 0, 0, 0, 0)


def build_engine(sources: Sequence[Source], index_store: IndexStore | None = None) -> Engine:
    """The engine of a library; `index_store` keeps its analyses (and saved file) between builds."""
    return AnswerEngine(sources, index_store=index_store) if sources else EmptyEngine()


def build_server_engine(
    base_engine: Engine, sources: Sequence[Source], index_store: IndexStore | None = None
) -> Engine:
    """A server's engine: over the base engine's index when there is one (shared, never
    copied: `bot.index.layered`), with only what the server added indexed in `index_store`."""
    if sources and isinstance(base_engine, AnswerEngine):
        return AnswerEngine(sources, index_store=index_store, base=base_engine)
    return build_engine(sources, index_store)


@dataclass(frozen=True)
class Snapshot:
    """A server's library at one moment and the engine that answers for it: built from exactly
    those sources, but for `skipped` ones, or older when `stale` says why."""

    sources: tuple[Source, ...]  # the committed library
    engine: Engine
    skipped: tuple[tuple[Source, str], ...] = ()  # (source, why it could not be indexed)
    stale: str = ""  # why the library could not be built at all (the last engine answers)


class NotIndexed(Exception):  # noqa: N818 - a report, not a failure of the change
    """A change was committed, but the index answers without some of the library (`snapshot`
    says what): the change's result is `result`."""

    def __init__(self, result: object, snapshot: Snapshot) -> None:
        super().__init__(snapshot.stale or "; ".join(why for _, why in snapshot.skipped))
        self.result = result
        self.snapshot = snapshot

    def quotes(self, source_id: str) -> bool:
        """Whether answers quote this source all the same."""
        return not self.snapshot.stale and source_id not in {s.id for s, _ in self.snapshot.skipped}


class LibraryRegistry:
    """Server id -> snapshot, over a store and the base sources."""

    def __init__(
        self,
        store: LibraryStore,
        base: Sequence[Source],
        *,
        data_dir: Path | None = None,
        base_index: IndexStore | None = None,
        serves: Callable[[int], bool] = every_server,
        after_build: Callable[[], None] = lambda: None,
    ) -> None:
        """`data_dir`, when given, keeps each server's saved index under `data_dir/index/`.
        `serves` says which servers this process answers for (its shards): no other server's
        engine is ever built here, though the database holds every server's library.
        `after_build` runs after each engine is built: the process that owns the registry
        decides what to do with its memory then (the bot: `bot.index.store.settle_memory`)."""
        self._after_build = after_build
        self.store = store
        self._serves = serves
        self.base: tuple[Source, ...] = tuple(base)
        self._data_dir = data_dir
        self._indexes: dict[int, IndexStore] = {}
        self._base_snapshot = Snapshot(self.base, self._build(self.base, base_index))
        self._snapshots: dict[int, Snapshot] = {}
        # per server: text hash -> why that source could not be indexed
        self._unindexable: dict[int, dict[str, str]] = {}
        self._locks: dict[int, asyncio.Lock] = {}
        store.changed_guilds()  # start looking: what others change from now on is seen

    def load_customised(self, should_stop: Callable[[], bool] = lambda: False) -> None:
        """Build the engine of every server whose library differs from the base (blocking)."""
        for guild_id in filter(self._serves, self.store.customised_guilds()):
            if should_stop():
                return
            self.rebuild(guild_id)

    def sources_for(self, guild_id: int | None) -> list[Source]:
        """The server's library as the database has it now."""
        return server_sources(self.store, self.base, guild_id)

    def snapshot(self, guild_id: int | None) -> Snapshot:
        if guild_id is None:
            return self._base_snapshot
        return self._snapshots.get(guild_id, self._base_snapshot)

    def engine_for(self, guild_id: int | None) -> Engine:
        return self.snapshot(guild_id).engine

    def rebuild(self, guild_id: int) -> Snapshot:
        """Build the server's engine from the committed library and swap it in (blocking)."""
        sources = tuple(self.sources_for(guild_id))
        if sources == self.base:
            snapshot = self._base_snapshot
            self._unindexable.pop(guild_id, None)
        else:
            snapshot = self._built(guild_id, sources)
        self._snapshots[guild_id] = snapshot  # one assignment: readers see old or new
        _log.info("Library of server %s: %d sources.", guild_id, len(sources))
        return snapshot

    def _built(self, guild_id: int, sources: tuple[Source, ...]) -> Snapshot:
        """The server's engine for `sources`, without those that cannot be indexed."""
        hashes = [text_hash(source.text) for source in sources]
        failing = self._unindexable.setdefault(guild_id, {})
        if not failing.keys() <= set(hashes):  # one left the library: try the others again
            failing.clear()
        try:
            return self._without(guild_id, sources, hashes, failing)
        except Exception as error:  # noqa: BLE001 - reported to moderators, the server goes on
            why = _describe(error)
            _log.exception("Could not build the index of server %s", guild_id)
        answering = self.snapshot(guild_id).engine
        known = {text_hash(source.text) for source in answering.sources}
        suspects = [h for h in dict.fromkeys(hashes) if h not in known and h not in failing]
        if suspects:
            failing.update(dict.fromkeys(suspects, why))
            try:
                snapshot = self._without(guild_id, sources, hashes, failing)
            except Exception:  # noqa: BLE001 - as above
                _log.exception("Could not build the index of server %s either", guild_id)
                for suspect in suspects:
                    del failing[suspect]
            else:
                return self._taken_back(guild_id, sources, hashes, suspects, snapshot)
        _log.warning("Server %s keeps answering from its last index: %s", guild_id, why)
        return Snapshot(sources, answering, stale=why)

    def _taken_back(
        self,
        guild_id: int,
        sources: tuple[Source, ...],
        hashes: list[str],
        suspects: list[str],
        snapshot: Snapshot,
    ) -> Snapshot:
        """`snapshot` (built without `suspects`) with every suspect that builds taken back in:
        halves of them are tried, then halves of the halves that fail, down to the sources
        that fail alone (a few builds for one bad source among many, as after a restart)."""
        failing = self._unindexable[guild_id]
        groups = _halves(suspects)
        while groups:
            group = groups.pop()
            trial = {h: why for h, why in failing.items() if h not in group}
            try:
                snapshot = self._without(guild_id, sources, hashes, trial)
            except Exception as error:  # noqa: BLE001 - that group stays set aside
                _log.debug("Server %s: %d sources still fail (%s)", guild_id, len(group), error)
                groups += _halves(group)
                continue
            for h in group:
                del failing[h]
        for source, why in snapshot.skipped:
            _log.warning("Server %s: source %s could not be indexed: %s", guild_id, source.id, why)
        return snapshot

    def _without(
        self,
        guild_id: int,
        sources: tuple[Source, ...],
        hashes: list[str],
        failing: dict[str, str],
    ) -> Snapshot:
        """A snapshot whose engine leaves out the sources whose text is in `failing`."""
        kept = [source for source, h in zip(sources, hashes, strict=True) if h not in failing]
        skipped = tuple(
            (source, failing[h]) for source, h in zip(sources, hashes, strict=True) if h in failing
        )
        base = self._base_snapshot.engine
        engine = self._build(kept, self._index_for(guild_id), base)
        return Snapshot(sources, engine, skipped)

    def _build(
        self, sources: Sequence[Source], index_store: IndexStore | None, base: Engine | None = None
    ) -> Engine:
        if base is None:
            engine = build_engine(sources, index_store)
        else:
            engine = build_server_engine(base, sources, index_store)
        self._after_build()
        return engine

    def _index_for(self, guild_id: int) -> IndexStore:
        """The server's own index store: a rebuild re-analyses only the sources that changed."""
        if guild_id not in self._indexes:
            path = server_index_path(self._data_dir, guild_id) if self._data_dir else None
            self._indexes[guild_id] = IndexStore(path)
        return self._indexes[guild_id]

    async def follow_other_processes(self, interval: float = EXTERNAL_POLL_SECONDS) -> None:
        """Forever: pick up changes committed by another process (`python -m bot library`)."""
        while True:
            await asyncio.sleep(interval)
            try:
                await self.refresh_external_changes()
            except Exception:  # a failed refresh must not end the loop; the next one retries
                _log.exception("Could not reload the library after an outside change")

    async def refresh_external_changes(self) -> list[int]:
        """Rebuild the servers whose committed library differs from what they answer from.

        Only the servers the store names are read: those whose library version moved
        (SQLite; one `PRAGMA data_version` when nothing was committed) or that PostgreSQL
        announced. Returns the servers rebuilt.
        """
        guilds = await asyncio.to_thread(self.store.changed_guilds)
        if guilds is None:  # something changed, the store cannot say where: look everywhere
            customised = await asyncio.to_thread(self.store.customised_guilds)
            guilds = set(customised) | set(self._snapshots)
        guilds = set(filter(self._serves, guilds))  # another shard's servers are not ours
        rebuilt = []
        for guild_id in sorted(guilds):
            async with self._locks.setdefault(guild_id, asyncio.Lock()):
                if await asyncio.to_thread(self._rebuild_if_stale, guild_id):
                    rebuilt.append(guild_id)
        return rebuilt

    def _rebuild_if_stale(self, guild_id: int) -> bool:
        if tuple(self.sources_for(guild_id)) == self.snapshot(guild_id).sources:
            return False
        self.rebuild(guild_id)
        return True

    async def change(self, guild_id: int, action: Callable[[LibraryStore], T]) -> T:
        """Run `action` against the store, then rebuild this server's engine; both off the loop.

        Changes to one server run one at a time; other servers' questions are never blocked.
        Raises `NotIndexed` (with the result) when the change was committed but the engine
        answers without some of the library.
        """
        lock = self._locks.setdefault(guild_id, asyncio.Lock())
        async with lock:
            result = await asyncio.to_thread(action, self.store)
            snapshot = await asyncio.to_thread(self.rebuild, guild_id)
        if snapshot.stale or snapshot.skipped:
            raise NotIndexed(result, snapshot)
        return result


def _halves(group: list[str]) -> list[list[str]]:
    """`group` in two halves, or none when it holds one item."""
    if len(group) < 2:
        return []
    middle = len(group) // 2
    return [group[:middle], group[middle:]]


def _describe(error: BaseException, limit: int = 200) -> str:
    """One line for moderators about why a build failed."""
    text = f"{type(error).__name__}: {error}" if str(error) else type(error).__name__
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 1] + "…"


def server_sources(
    store: LibraryStore, base: Sequence[Source], guild_id: int | None
) -> list[Source]:
    """A server's library as the store has it now (the base set alone for no server)."""
    if guild_id is None:
        return list(base)
    return library_sources(base, store.overrides(guild_id), store.added_sources(guild_id))


def open_store(data_dir: Path, database_url: str | None = None) -> LibraryStore:
    """The library: in PostgreSQL at `database_url` when given, else SQLite in `data_dir`."""
    if database_url:
        from bot.library.postgres import PostgresStore  # psycopg only when it is used

        return PostgresStore(database_url)
    return SqliteStore.in_data_dir(data_dir)


def library_location(data_dir: Path, database_url: str | None = None) -> str:
    """The library `open_store` opens, for messages: the PostgreSQL database (never the
    password), else the SQLite file's full path."""
    if database_url:
        from bot.library.sql_schema import describe_url

        return describe_url(database_url)
    return str(Path(data_dir).resolve() / DATABASE_NAME)


def open_library(
    sources_dir: Path, data_dir: Path, database_url: str | None = None
) -> tuple[LibraryStore, list[Source]]:
    """The store (`open_store`) and the base sources from `sources_dir`.

    Raises `SourceError` for unusable base sources and `StoreError` for an unusable database.
    """
    base = load_sources(sources_dir)
    return open_store(data_dir, database_url), base


def open_registry(
    sources_dir: Path,
    data_dir: Path,
    database_url: str | None = None,
    serves: Callable[[int], bool] = every_server,
    *,
    after_build: Callable[[], None] = lambda: None,
) -> LibraryRegistry:
    """`open_library` plus the base engine, built now (blocking). The bot changes the library,
    so a database it cannot write is refused here, at start. `data_dir` keeps the saved
    indexes, wherever the library is; `serves`: see `LibraryRegistry`."""
    store, base = open_library(sources_dir, data_dir, database_url)
    try:
        store.check_writable()
        base_index = IndexStore(index_path_for(data_dir, sources_dir))
        return LibraryRegistry(
            store,
            base,
            data_dir=data_dir,
            base_index=base_index,
            serves=serves,
            after_build=after_build,
        )
    except BaseException:
        store.close()
        raise
