"""One answer engine per server, loaded on the server's first need, rebuilt off the event loop
after a change and swapped whole.

A question reads its server's engine once and keeps it, so it sees the old library or the new
one, never a mix. Changes to one server are serialised (one lock per server) and the new engine
is always built from what the database committed, so two moderators changing the library at
once leave library and index consistent. Servers without changes share the base engine.

Only the base engine is built at start. A server whose library differs from the base gets its
engine when it first needs one (`engine`: a question, a check, a change): loaded from its saved
index under `DATA_DIR/index/`, or built, off the event loop and once however many questions
wait for it. Engines unused the longest are dropped to keep `ENGINE_MEMORY_MB`
(`engine_bytes` estimates each); a dropped server loads again at its next question.

A build that fails (a source whose analysis raises, memory running out) never leaves a server
stuck: the sources the answering engine did not have are set aside (`Snapshot.skipped`) and the
rest is built; if even that fails, the server keeps answering from its last engine
(`Snapshot.stale`). A set-aside source is retried once any set-aside source leaves the library
and at the server's first load after a start; moderators see both in the change's reply
(`NotIndexed`) and can remove it.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Protocol, TypeVar

from bot.answer.budget import Budgeted, engine_bytes
from bot.answer.engine import AnswerEngine
from bot.answer.types import Answer, Status
from bot.answer.validation import question_problem
from bot.caveat import ConflictScan, PassageConflict
from bot.index.saved import index_path_for, server_index_path
from bot.index.store import IndexStore
from bot.library.base import LibraryStore
from bot.library.opening import open_library, server_sources
from bot.passages.sentences import Passage
from bot.settings import DEFAULT_ENGINE_MEMORY_MB
from bot.sources import Source, text_hash

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
    """Server id -> snapshot, over a store and the base sources; servers' engines loaded on
    demand and dropped, least recently used first, beyond `memory_budget` bytes."""

    def __init__(
        self,
        store: LibraryStore,
        base: Sequence[Source],
        *,
        data_dir: Path | None = None,
        base_index: IndexStore | None = None,
        serves: Callable[[int], bool] = every_server,
        after_build: Callable[[], None] = lambda: None,
        memory_budget: int = DEFAULT_ENGINE_MEMORY_MB * 2**20,
    ) -> None:
        """`data_dir`, when given, keeps each server's saved index under `data_dir/index/`.
        `serves` says which servers this process answers for (its shards): no other server's
        engine is ever built here, though the database holds every server's library.
        `after_build` runs after each engine is built: the process that owns the registry
        decides what to do with its memory then (the bot: `bot.index.store.settle_memory`).
        `memory_budget`: what the loaded servers' engines may hold together (`engine_bytes`);
        the least recently used are dropped beyond it (the base engine never is)."""
        self._after_build = after_build
        self.store = store
        self._serves = serves
        self.base: tuple[Source, ...] = tuple(base)
        self._data_dir = data_dir
        self._indexes: dict[int, IndexStore] = {}
        self._base_snapshot = Snapshot(self.base, self._build(self.base, base_index))
        self._snapshots: Budgeted[int, Snapshot] = Budgeted(memory_budget)  # the loaded ones
        store.changed_guilds()  # start looking: what others change from now on is seen
        # servers whose library must be read before they answer: customised, or changed since
        self._unread: set[int] = set(filter(serves, store.customised_guilds()))
        # per server: text hash -> why that source could not be indexed
        self._unindexable: dict[int, dict[str, str]] = {}
        self._locks: dict[int, asyncio.Lock] = {}

    def sources_for(self, guild_id: int | None) -> list[Source]:
        """The server's library as the database has it now."""
        return server_sources(self.store, self.base, guild_id)

    def loaded(self, guild_id: int | None) -> Snapshot | None:
        """The server's snapshot if it can answer now (never waits), else None: its engine
        must be loaded first (`snapshot_of`). Counts as a use of the engine."""
        if guild_id is None or not self._serves(guild_id):
            return self._base_snapshot
        snapshot = self._snapshots.use(guild_id)
        if snapshot is not None:
            return snapshot
        return None if guild_id in self._unread else self._base_snapshot

    def ready(self, guild_id: int | None) -> bool:
        """Whether the server's engine answers without loading first."""
        return self.loaded(guild_id) is not None

    async def snapshot_of(self, guild_id: int | None) -> Snapshot:
        """The server's snapshot, loaded off the event loop if it must be: questions that
        arrive while it loads wait for that one load."""
        snapshot = self.loaded(guild_id)
        if snapshot is not None or guild_id is None:
            return snapshot or self._base_snapshot
        async with self._lock(guild_id):
            return self.loaded(guild_id) or await asyncio.to_thread(self.rebuild, guild_id)

    async def engine(self, guild_id: int | None) -> Engine:
        """The answer engine of this server's library as it is now (`snapshot_of`)."""
        return (await self.snapshot_of(guild_id)).engine

    async def library_of(self, guild_id: int | None) -> tuple[Source, ...]:
        """The server's committed library without loading its engine (for suggestions): the
        loaded snapshot's, else read from the store off the event loop."""
        snapshot = self.loaded(guild_id)
        if snapshot is not None:
            return snapshot.sources
        return tuple(await asyncio.to_thread(self.sources_for, guild_id))

    def snapshot(self, guild_id: int | None) -> Snapshot:
        """`snapshot_of` for the command line and tests: loads in this thread (blocking)."""
        snapshot = self.loaded(guild_id)
        if snapshot is not None or guild_id is None:
            return snapshot or self._base_snapshot
        return self.rebuild(guild_id)

    def engine_for(self, guild_id: int | None) -> Engine:
        """`engine` for the command line and tests: loads in this thread (blocking)."""
        return self.snapshot(guild_id).engine

    def loaded_guilds(self) -> list[int]:
        """The servers whose own engine is in memory, least recently used first."""
        return self._snapshots.keys()

    def rebuild(self, guild_id: int) -> Snapshot:
        """Build (or load from its saved index) the server's engine from the committed library
        and swap it in (blocking)."""
        sources = tuple(self.sources_for(guild_id))
        if sources == self.base:
            snapshot = self._base_snapshot
            self._unindexable.pop(guild_id, None)
        else:
            snapshot = self._built(guild_id, sources)
        self._keep(guild_id, snapshot)
        _log.info("Library of server %s: %d sources.", guild_id, len(sources))
        return snapshot

    def _keep(self, guild_id: int, snapshot: Snapshot) -> None:
        """Swap in the server's snapshot (one assignment: readers see old or new), then drop
        the engines unused the longest while they hold more than the budget."""
        if snapshot.engine is self._base_snapshot.engine and not snapshot.stale:
            self._snapshots.forget(guild_id)  # the base answers: nothing to keep
            self._indexes.pop(guild_id, None)
            self._unread.discard(guild_id)
            return
        self._unread.add(guild_id)  # once dropped, its library must be read again
        size = engine_bytes(snapshot.engine, self._base_snapshot.engine)
        for dropped in self._snapshots.keep(guild_id, snapshot, size):
            self._indexes.pop(dropped, None)  # its analyses too; its saved index file stays
            _log.info("Dropped the engine of server %s (unused the longest).", dropped)

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
        answering = (self._snapshots.peek(guild_id) or self._base_snapshot).engine
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
        """Rebuild the loaded servers whose committed library differs from what they answer
        from; a server not loaded only forgets that its library was the base's (its next
        question reads what was committed).

        Only the servers the store names are read: those whose library version moved
        (SQLite; one `PRAGMA data_version` when nothing was committed) or that PostgreSQL
        announced. Returns the servers rebuilt.
        """
        guilds = await asyncio.to_thread(self.store.changed_guilds)
        if guilds is None:  # something changed, the store cannot say where: look everywhere
            customised = await asyncio.to_thread(self.store.customised_guilds)
            guilds = set(customised) | set(self.loaded_guilds())
        guilds = set(filter(self._serves, guilds))  # another shard's servers are not ours
        rebuilt = []
        for guild_id in sorted(guilds):
            async with self._lock(guild_id):  # after a load in progress, which may be older
                if guild_id not in self._snapshots:
                    self._unread.add(guild_id)
                elif await asyncio.to_thread(self._rebuild_if_stale, guild_id):
                    rebuilt.append(guild_id)
        return rebuilt

    def _rebuild_if_stale(self, guild_id: int) -> bool:
        answering = self._snapshots.peek(guild_id) or self._base_snapshot
        if tuple(self.sources_for(guild_id)) == answering.sources:
            return False
        self.rebuild(guild_id)
        return True

    def _lock(self, guild_id: int) -> asyncio.Lock:
        """The server's lock: its changes and loads run one at a time."""
        return self._locks.setdefault(guild_id, asyncio.Lock())

    async def change(self, guild_id: int, action: Callable[[LibraryStore], T]) -> T:
        """Run `action` against the store, then rebuild this server's engine; both off the loop.

        Changes to one server run one at a time (and after its load in progress); other
        servers' questions are never blocked.
        Raises `NotIndexed` (with the result) when the change was committed but the engine
        answers without some of the library.
        """
        async with self._lock(guild_id):
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


def open_registry(
    sources_dir: Path,
    data_dir: Path,
    database_url: str | None = None,
    serves: Callable[[int], bool] = every_server,
    *,
    after_build: Callable[[], None] = lambda: None,
    memory_budget: int = DEFAULT_ENGINE_MEMORY_MB * 2**20,
) -> LibraryRegistry:
    """`open_library` plus the base engine, built now (blocking). The bot changes the library,
    so a database it cannot write is refused here, at start. `data_dir` keeps the saved
    indexes, wherever the library is; `serves`, `after_build`, `memory_budget`: see
    `LibraryRegistry`."""
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
            memory_budget=memory_budget,
        )
    except BaseException:
        store.close()
        raise
