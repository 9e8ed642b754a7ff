"""The library in PostgreSQL (DATABASE_URL): what only a shared database does. Changes announced
to other processes, a lost connection, the schema, and copying a SQLite library into it. (The
store's behaviour itself is tested on both stores in library/test_library.py,
commands/test_feedback.py and library/test_library_versions.py.)"""

from __future__ import annotations

import asyncio
import json
import time
from pathlib import Path

import psycopg
import pytest
from helpers import cli, customised, rebuilt_within

from bot.answer.registry import open_registry
from bot.library.base import LibraryError, StoreError
from bot.library.opening import open_library, server_sources
from bot.library.parsing import parse_upload
from bot.library.postgres import MIGRATIONS, PostgresStore
from bot.library.sql_schema import SCHEMA_VERSION, statements
from bot.library.transfer import export_library
from bot.settings import SettingsError, load_settings

ARTICLE = "Harbour notes\n\nThe Quillby ferry will stop running on 3 May 2027.\n"
PIER = "Pier notes\n\nThe Quillby pier reopens in June after repairs.\n"
QUESTION = "When will the Quillby ferry stop running?"


# --- changes announced to every process -----------------------------------------------------


async def test_a_lost_listener_connection_makes_the_bot_look_at_every_server(
    tmp_path: Path, seeds_dir: Path, postgres_url: str
) -> None:
    """Announcements sent while the listener reconnects are lost: the next look must then
    re-read every server, and the listener must work again."""
    registry = open_registry(seeds_dir, tmp_path / "data", postgres_url)
    customised(registry, 5, 6)  # loaded: an outside change rebuilds them
    other = PostgresStore(postgres_url)
    with psycopg.connect(postgres_url, autocommit=True) as admin:
        admin.execute(
            "SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
            "WHERE query LIKE 'LISTEN%' AND pid <> pg_backend_pid()"
        )
    other.add(5, parse_upload(ARTICLE.encode(), "n.txt"), "cli", registry.base, 500)
    assert await rebuilt_within(registry, 5.0) == [5]  # seen by the look at every server
    other.add(6, parse_upload(ARTICLE.encode(), "n.txt"), "cli", registry.base, 500)
    assert await rebuilt_within(registry, 5.0) == [6]
    other.close()
    registry.store.close()


def test_the_store_reconnects_after_the_server_drops_it(postgres_url: str) -> None:
    store = PostgresStore(postgres_url)
    draft = parse_upload(ARTICLE.encode(), "n.txt")

    def drop_connections() -> None:  # what a server restart or a failover does
        with psycopg.connect(postgres_url, autocommit=True) as admin:
            admin.execute(
                "SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
                "WHERE datname = current_database() AND pid <> pg_backend_pid()"
            )

    drop_connections()
    assert store.added_sources(5) == []  # a read is simply asked again on a new connection
    drop_connections()
    with pytest.raises(LibraryError, match="could not save it"):
        store.add(5, draft, "42", [], 500)  # a change in flight is refused, not half-made
    assert store.added_sources(5) == []
    assert store.add(5, draft, "42", [], 500).title == "Harbour notes"  # and changes work again
    store.close()


# --- opening: the schema, bad settings ------------------------------------------------------


def test_a_newer_schema_is_refused(postgres_url: str) -> None:
    PostgresStore(postgres_url).close()
    with psycopg.connect(postgres_url, autocommit=True) as db:
        db.execute("UPDATE crosscheck_schema SET version = 99")
    with pytest.raises(StoreError, match="newer"):
        PostgresStore(postgres_url)


def test_a_library_of_the_first_schema_gains_feedback_and_keeps_its_history(
    postgres_url: str,
) -> None:
    with psycopg.connect(postgres_url, autocommit=True) as db:
        for statement in statements(MIGRATIONS[0]):
            db.execute(statement)
        db.execute("CREATE TABLE crosscheck_schema (version INTEGER NOT NULL)")
        db.execute("INSERT INTO crosscheck_schema VALUES (1)")
        db.execute(
            "INSERT INTO history (guild_id, at, actor, action, source_id, summary) "
            "VALUES (1, '2025-01-01T00:00:00+00:00', 'x', 'add', 'abc123', 'added it')"
        )
    store = PostgresStore(postgres_url)
    assert [c.summary for c in store.history(1)] == ["added it"]
    store.record_answer(1, 10, "Did it?", [], "no_match", 30)
    assert store.vote(1, 10, 7, "down") is None
    store.close()
    with psycopg.connect(postgres_url) as db:
        assert db.execute("SELECT version FROM crosscheck_schema").fetchall() == [(SCHEMA_VERSION,)]


def test_an_unreachable_database_stops_with_one_line_and_no_password(
    tmp_path: Path, seeds_dir: Path
) -> None:
    url = f"postgresql://bot:s3cret@/crosscheck?host={tmp_path}/nowhere"
    result = cli(tmp_path, seeds_dir, "library", "list", "--guild", "5", database_url=url)
    assert result.returncode == 2 and len(result.stderr.strip().splitlines()) == 1, result.stderr
    assert "cannot connect to the library database" in result.stderr
    assert "s3cret" not in result.stderr


def test_database_url_setting() -> None:
    assert load_settings({}, None).database_url is None
    url = "postgresql://bot:s3cret@db:5432/crosscheck"
    settings = load_settings({"DATABASE_URL": url}, None)
    assert settings.database_url == url and "s3cret" not in repr(settings)
    with pytest.raises(SettingsError, match="DATABASE_URL") as refused:
        load_settings({"DATABASE_URL": "mysql://bot:s3cret@db/crosscheck"}, None)
    assert "s3cret" not in str(refused.value)


# --- copying a SQLite library into PostgreSQL -----------------------------------------------


def test_copy_to_postgres_round_trips_and_refuses_a_second_copy(
    tmp_path: Path, seeds_dir: Path, postgres_url: str
) -> None:
    sqlite, base = open_library(seeds_dir, tmp_path / "data")
    sqlite.add(5, parse_upload(ARTICLE.encode(), "a.txt", date="2027-04-30", label="official"),
               "42", base, 500)  # fmt: skip
    sqlite.add_many(5, [parse_upload(PIER.encode(), "b.txt")], "42", base, 500)
    sqlite.add(6, parse_upload(PIER.encode(), "b.txt"), "43", base, 500)
    sqlite.set_label(5, base[0].id, "satire", "7", base)
    sqlite.remove(6, base[1].id, "7", base)
    sqlite.record_answer(5, 10, "Weather in Paris?", [], "no_match", 30)
    sqlite.report_missing(5, 10, 7, "Météo France")
    sqlite.record_answer(5, 11, "Did Japan ban Tesla?", [base[0].id], "answered", 30)
    sqlite.vote(5, 11, 7, "down")

    copied = cli(tmp_path, seeds_dir, "library", "copy-to-postgres", "--from",
                 str(tmp_path / "data"), database_url=postgres_url)  # fmt: skip
    assert copied.returncode == 0, copied.stderr
    assert "Copied 3 added sources, 2 changed base sources, 5 history lines" in copied.stdout

    target = PostgresStore(postgres_url)
    for guild in (5, 6):
        export_library(server_sources(sqlite, base, guild), tmp_path / f"sqlite{guild}")
        export_library(server_sources(target, base, guild), tmp_path / f"postgres{guild}")
        exported = {p.name: p.read_bytes() for p in (tmp_path / f"sqlite{guild}").iterdir()}
        assert exported == {
            p.name: p.read_bytes() for p in (tmp_path / f"postgres{guild}").iterdir()
        }
        assert target.history(guild) == sqlite.history(guild)
        assert target.feedback_report(guild, 30) == sqlite.feedback_report(guild, 30)
    assert target.feedback_report(5, 30).disliked  # there was feedback to compare
    with psycopg.connect(postgres_url) as db:  # every row of every table, as it was
        for table, (columns, rows) in sqlite.tables().items():
            copy = db.execute(f"SELECT {', '.join(columns)} FROM {table}").fetchall()
            assert sorted(copy) == sorted(rows) and rows, table

    again = cli(tmp_path, seeds_dir, "library", "copy-to-postgres", "--from",
                str(tmp_path / "data"), database_url=postgres_url)  # fmt: skip
    assert again.returncode == 2 and "not empty" in again.stderr
    assert len(again.stderr.strip().splitlines()) == 1
    assert len(target.added_sources(5)) == 2  # nothing copied twice
    # the copied library goes on: a new change is numbered after the copied history
    target.remove(5, target.added_sources(5)[0].id, "7", base)
    assert [c.action for c in target.history(5, 99)] == ["remove", "label", "add", "add"]
    target.close()
    sqlite.close()


def test_copy_to_postgres_refuses_what_it_cannot_copy(
    tmp_path: Path, seeds_dir: Path, postgres_url: str
) -> None:
    no_url = cli(tmp_path, seeds_dir, "library", "copy-to-postgres", "--from", str(tmp_path))
    assert no_url.returncode == 2 and "DATABASE_URL" in no_url.stderr
    missing = cli(tmp_path, seeds_dir, "library", "copy-to-postgres", "--from",
                  str(tmp_path / "nothing"), database_url=postgres_url)  # fmt: skip
    assert missing.returncode == 2 and "no SQLite library" in missing.stderr
    assert len(missing.stderr.strip().splitlines()) == 1
    assert not (tmp_path / "nothing").exists()  # and it did not create one


def test_export_and_import_through_the_command_line(
    tmp_path: Path, seeds_dir: Path, postgres_url: str
) -> None:
    (tmp_path / "a.txt").write_text(ARTICLE)
    run = lambda *args: cli(tmp_path, seeds_dir, *args, database_url=postgres_url)  # noqa: E731
    assert run("library", "add", "a.txt", "--guild", "5").returncode == 0
    assert run("library", "export", "--guild", "5", "backup").returncode == 0
    imported = run("library", "import", "backup", "--guild", "9")
    assert imported.returncode == 0 and "Imported 1 " in imported.stdout, imported.stderr
    answer = json.loads(run("ask", "--guild", "9", "--json", QUESTION).stdout)
    assert answer["citations"][0]["source"]["title"] == "Harbour notes"
    assert not (tmp_path / "data" / "crosscheck.sqlite3").exists()  # all of it in PostgreSQL


# --- end to end: two bots on one PostgreSQL -------------------------------------------------


async def test_two_bots_on_one_postgresql_share_each_change(
    tmp_path: Path, postgres_url: str
) -> None:
    """Two `python -m bot run` processes (each with its own Discord connection and DATA_DIR)
    on one library: what a moderator adds through one is cited by the other within seconds,
    in that server only, and a removal through the other is seen by the first."""
    from e2e.test_e2e_bot import BotProcess, cited_titles, started
    from e2e.test_e2e_library import ARTICLE as NOTES
    from e2e.test_e2e_library import TITLE, add_file, ask, reply_to
    from fakes.discord import MODERATOR_PERMISSIONS, LibraryFakeDiscord

    async def cites(fake: LibraryFakeDiscord, expected: bool, within: float = 5.0) -> bool:
        """Whether the bot behind `fake` cites the notes, once it does as `expected` or after
        `within` seconds."""
        deadline = time.monotonic() + within
        while True:
            cited = TITLE in cited_titles(await ask(fake))
            if cited == expected or time.monotonic() > deadline:
                return cited
            await asyncio.sleep(0.25)

    shared = {"DATABASE_URL": postgres_url}
    async with LibraryFakeDiscord() as first_fake, LibraryFakeDiscord() as second_fake:
        (tmp_path / "first").mkdir()
        (tmp_path / "second").mkdir()
        first = await BotProcess.start(first_fake, tmp_path / "first", extra_env=shared)
        second = await BotProcess.start(second_fake, tmp_path / "second", extra_env=shared)
        try:
            await started(first_fake, first)
            await started(second_fake, second)
            added = await add_file(first_fake, "notes.txt", NOTES)
            assert TITLE in added.text(), added.text()
            assert await cites(second_fake, True), second.output()
            assert TITLE not in (await ask(second_fake, second_fake.second_guild_id)).text()

            source_id = added.text().split("source `")[1].split("`")[0]
            removed = await reply_to(second_fake, second_fake.slash_command(
                "library remove", {"source": source_id}, permissions=MODERATOR_PERMISSIONS
            ))  # fmt: skip
            assert "Removed" in removed.text(), removed.text()
            assert not await cites(first_fake, False), first.output()
        finally:
            codes = [await first.stop(), await second.stop()]
        for bot in (first, second):
            assert "Traceback" not in bot.output(), bot.output()
        assert codes == [0, 0]
