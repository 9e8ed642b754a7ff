"""Which servers' libraries another process changed, found without reading every server's: a
change to a library gives its server a new version (SQLite) or is announced (PostgreSQL), so a
running bot reads and rebuilds that server only, and answers and feedback make it read nothing."""

from __future__ import annotations

import sqlite3
import time
from collections.abc import Callable
from pathlib import Path

import pytest
from helpers import cli, customised, rebuilt_within

from bot.answer.registry import LibraryRegistry, open_registry
from bot.library.base import LibraryError, LibraryStore
from bot.library.opening import open_store
from bot.library.parsing import parse_upload
from bot.library.sqlite import DATABASE_NAME, MIGRATIONS, SqliteStore
from bot.sources import Source, load_sources

A, B = 5, 6
ARTICLE = "Harbour notes\n\nThe Quillby ferry will stop running on 3 May 2027.\n"
PIER = "Pier notes\n\nThe Quillby pier reopens in June after repairs.\n"
QUESTION = "When will the Quillby ferry stop running?"
Base = list[Source]


def add(store: LibraryStore, base: Base, guild: int, text: str = ARTICLE) -> str:
    return store.add(guild, parse_upload(text.encode(), "notes.txt"), "7", base, 500).id


def spy_reads(registry: LibraryRegistry) -> list[int | None]:
    """The servers whose library the registry reads from now on."""
    read: list[int | None] = []
    sources_for = registry.sources_for
    registry.sources_for = lambda guild: read.append(guild) or sources_for(guild)  # type: ignore[method-assign]
    return read


# --- SQLite: a version per server -----------------------------------------------------------

CHANGES: dict[str, Callable[[LibraryStore, Base], object]] = {
    "add": lambda store, base: add(store, base, A, PIER),
    "import": lambda store, base: store.add_many(
        A, [parse_upload(PIER.encode(), "p.txt")], "cli", base, 500
    ),
    "remove an added source": lambda store, base: store.remove(
        A, store.added_sources(A)[0].id, "7", base
    ),
    "hide a base source": lambda store, base: store.remove(A, base[1].id, "7", base),
    "label an added source": lambda store, base: store.set_label(
        A, store.added_sources(A)[0].id, "disputed", "7", base
    ),
    "label a base source": lambda store, base: store.set_label(A, base[1].id, "satire", "7", base),
}


@pytest.mark.parametrize("change", CHANGES)
def test_a_change_by_another_connection_names_its_server_only(
    tmp_path: Path, seeds_dir: Path, change: str
) -> None:
    base = load_sources(seeds_dir)
    other = SqliteStore.in_data_dir(tmp_path)  # the command line, or another shard's process
    add(other, base, A)
    add(other, base, B)
    store = SqliteStore.in_data_dir(tmp_path)
    assert store.changed_guilds() == set()  # what was there when it opened is not news
    add(store, base, B, PIER)  # its own change: the process rebuilt that server itself
    assert store.changed_guilds() == set()
    CHANGES[change](other, base)
    assert store.changed_guilds() == {A}
    assert store.changed_guilds() == set()  # nothing new since
    store.close()
    other.close()


def test_a_refused_change_names_no_server(tmp_path: Path, seeds_dir: Path) -> None:
    base = load_sources(seeds_dir)
    store = SqliteStore.in_data_dir(tmp_path)
    other = SqliteStore.in_data_dir(tmp_path)
    add(other, base, A)
    assert store.changed_guilds() == {A}
    with pytest.raises(LibraryError, match="already a source"):
        add(other, base, A)
    with pytest.raises(LibraryError, match="no source"):
        other.remove(B, "nosuch", "7", base)
    other.check_writable()  # a commit that changes nothing
    assert store.changed_guilds() == set()
    store.close()
    other.close()


def test_a_database_of_the_previous_schema_gains_versions_and_the_first_look_is_right(
    tmp_path: Path, seeds_dir: Path
) -> None:
    base = load_sources(seeds_dir)
    earlier = SqliteStore(tmp_path / "earlier.sqlite3")  # a library made as before: version 2
    added = add(earlier, base, A)
    earlier.close()
    path = tmp_path / DATABASE_NAME
    with sqlite3.connect(path) as db:
        for script in MIGRATIONS[:2]:
            db.executescript(script)
        db.execute("PRAGMA user_version = 2")
        db.execute("ATTACH ? AS earlier", (str(tmp_path / "earlier.sqlite3"),))
        for table in ("source", "history"):
            db.execute(f"INSERT INTO {table} SELECT * FROM earlier.{table}")
    db.close()

    store = SqliteStore.in_data_dir(tmp_path)
    with sqlite3.connect(path) as db:
        assert db.execute("PRAGMA user_version").fetchone() == (len(MIGRATIONS),)
        assert db.execute("SELECT * FROM library_version").fetchall() == []
    db.close()
    assert [s.id for s in store.added_sources(A)] == [added]
    assert store.changed_guilds() == set()
    other = SqliteStore.in_data_dir(tmp_path)
    other.set_label(A, added, "disputed", "cli", base)
    assert store.changed_guilds() == {A}
    add(other, base, B)
    assert store.changed_guilds() == {B}
    store.close()
    other.close()


# --- both stores: what a running bot reads ----------------------------------------------------


async def test_a_change_in_another_process_rebuilds_only_that_server(
    tmp_path: Path, seeds_dir: Path, database_url: str | None
) -> None:
    registry = open_registry(seeds_dir, tmp_path / "data", database_url)
    customised(registry, A, B)
    read = spy_reads(registry)
    assert await registry.refresh_external_changes() == []  # our own changes are not news

    (tmp_path / "notes.txt").write_text(ARTICLE)
    added = cli(tmp_path, seeds_dir, "library", "add", "notes.txt", "--guild", str(A),
                database_url=database_url)  # fmt: skip
    assert added.returncode == 0, added.stderr
    started = time.monotonic()
    assert await rebuilt_within(registry, 5.0) == [A]
    assert time.monotonic() - started < 5.0
    assert set(read) == {A}  # server B was not even read, let alone rebuilt
    answer = registry.engine_for(A).answer(QUESTION)
    assert answer.citations and answer.citations[0].source.title == "Harbour notes"
    assert registry.engine_for(B).answer(QUESTION).citations[:1] != answer.citations[:1]
    registry.store.close()


async def test_a_change_in_one_bot_rebuilds_that_server_alone_in_another(
    tmp_path: Path, seeds_dir: Path, database_url: str | None
) -> None:
    """Two bot processes (two shards' processes, or a replica): a moderator's change in one is
    rebuilt there at once and, in the other, for that server only and without reading others."""
    first = open_registry(seeds_dir, tmp_path / "data", database_url)
    customised(first, A, B)
    second = open_registry(seeds_dir, tmp_path / "data", database_url)
    second.engine_for(A), second.engine_for(B)  # both loaded there too
    read = spy_reads(second)
    draft = parse_upload(ARTICLE.encode(), "notes.txt")
    await first.change(A, lambda store: store.add(A, draft, "7", first.base, 500))
    assert await rebuilt_within(second, 5.0) == [A]
    assert set(read) == {A}  # server B was not read in the other process
    assert await first.refresh_external_changes() == []  # its own change was rebuilt already
    for registry in (first, second):
        answer = registry.engine_for(A).answer(QUESTION)
        assert answer.citations[0].source.title == "Harbour notes"
        assert registry.engine_for(B).answer(QUESTION).citations[:1] != answer.citations[:1]
    first.store.close()
    second.store.close()


async def test_answers_and_feedback_in_other_processes_make_the_bot_read_no_server(
    tmp_path: Path, seeds_dir: Path, database_url: str | None
) -> None:
    registry = open_registry(seeds_dir, tmp_path / "data", database_url)
    customised(registry, A, B)
    assert await registry.refresh_external_changes() == []
    read = spy_reads(registry)
    customised_guilds = registry.store.customised_guilds
    looked_everywhere: list[bool] = []
    registry.store.customised_guilds = lambda: looked_everywhere.append(True) or customised_guilds()  # type: ignore[method-assign]

    other = open_store(tmp_path / "data", database_url)  # another shard answering in A
    for answer_id in (10, 11):
        other.record_answer(A, answer_id, QUESTION, [registry.base[1].id], "answered", 30)
    other.vote(A, 10, 77, "down")
    other.report_missing(A, 11, 78, "the ferry timetable")
    other.purge_feedback(30)
    assert other.feedback_report(A, 30).disliked  # the feedback is there
    assert await registry.refresh_external_changes() == []
    assert registry.store.changed_guilds() == set()
    assert read == [] and looked_everywhere == []
    other.close()
    registry.store.close()
