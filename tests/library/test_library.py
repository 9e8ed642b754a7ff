"""The per-server library: upload checks, the stores, durability and the registry.

Every test of the store's behaviour runs on both stores: SQLite (DATA_DIR) and PostgreSQL
(`database_url`, a throwaway server the tests start)."""

from __future__ import annotations

import asyncio
import signal
import sqlite3
import subprocess
import sys
import textwrap
import threading
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import TypeVar

import pytest
from helpers import customised, rebuilt_within, subprocess_env

from bot.answer.registry import LibraryRegistry, open_registry
from bot.library.base import DuplicateSourceError, LibraryError, StoreError
from bot.library.opening import open_store, server_sources
from bot.library.parsing import parse_text, parse_upload
from bot.library.sqlite import DATABASE_NAME, SqliteStore
from bot.sources import load_sources

GUILD, OTHER = 111, 222
R = TypeVar("R")
ARTICLE = (
    "Harbour council notes\n\nThe Quillby ferry will stop running on 3 May 2027. "
    "The council voted seven to two to close the route.\n"
)
QUESTION = "When will the Quillby ferry stop running?"


@pytest.fixture
def registry(
    tmp_path: Path, seeds_dir: Path, database_url: str | None
) -> Iterator[LibraryRegistry]:
    registry = open_registry(seeds_dir, tmp_path / "data", database_url)
    yield registry
    registry.store.close()


@pytest.fixture
def sqlite_registry(tmp_path: Path, seeds_dir: Path) -> LibraryRegistry:
    return open_registry(seeds_dir, tmp_path / "data")


def add(registry: LibraryRegistry, guild: int, text: str = ARTICLE, **meta: str) -> str:
    draft = parse_upload(text.encode(), "notes.txt", **meta)
    return registry.store.add(guild, draft, "42", registry.base, 500).id


# --- checking uploads -----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("raw", "name", "reason"),
    [
        (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR", "photo.txt", "binary"),
        ("Café au lait.".encode("latin-1"), "menu.txt", "not UTF-8"),
        ("Hello there.".encode("utf-16"), "notes.txt", "UTF-16"),
        (b"", "empty.txt", "empty"),
        (b"  \n\t \n", "blank.md", "empty"),
        (b"A normal sentence here.", "slides.pdf", ".txt or .md"),
        (b"%PDF-1.7\n\x00\x01\x02", "slides.pdf", "binary"),  # content first, then the name
        (b"x" * 1001, "big.txt", "too large"),
    ],
)
def test_bad_uploads_are_refused_with_a_reason(raw: bytes, name: str, reason: str) -> None:
    with pytest.raises(LibraryError, match=reason):
        parse_upload(raw, name, max_bytes=1000)


@pytest.mark.parametrize(
    ("meta", "reason"),
    [
        ({"date": "03/05/2027"}, "YYYY-MM-DD"),
        ({"date": "2027-02-30"}, "YYYY-MM-DD"),
        ({"date": "20270503"}, "YYYY-MM-DD"),
        ({"title": "T" * 257}, "257 characters"),
        ({"label": "fake news"}, "not one of"),
    ],
)
def test_bad_metadata_is_refused(meta: dict[str, str], reason: str) -> None:
    with pytest.raises(LibraryError, match=reason):
        parse_upload(ARTICLE.encode(), "notes.txt", **meta)


def test_a_plain_text_content_type_is_enough_without_a_text_suffix() -> None:
    draft = parse_upload(ARTICLE.encode(), "article", content_type="text/plain; charset=utf-8")
    assert draft.title == "Harbour council notes"
    with pytest.raises(LibraryError, match=".txt or .md"):
        parse_upload(ARTICLE.encode(), "article", content_type="application/octet-stream")


def test_title_defaults_to_the_first_short_line_else_the_file_name() -> None:
    assert parse_upload(ARTICLE.encode(), "a.txt").title == "Harbour council notes"
    long_line = "word " * 60 + "ends here."
    assert parse_upload(long_line.encode(), "ferry-notes.md").title == "ferry-notes"


def test_text_is_kept_verbatim_and_metadata_normalised() -> None:
    draft = parse_text(ARTICLE, title="  Ferry\nnotes ", date="2027-05-01", label=" Official ",
                       origin="paste")  # fmt: skip
    assert draft.text == ARTICLE
    assert (draft.title, draft.date, draft.label) == ("Ferry notes", "2027-05-01", "official")


# --- the store ------------------------------------------------------------------------------


def test_added_source_is_in_its_server_only_and_answers_there(registry: LibraryRegistry) -> None:
    source_id = add(registry, GUILD, label="official")
    registry.rebuild(GUILD)
    answer = registry.engine_for(GUILD).answer(QUESTION)
    assert [c.source.id for c in answer.citations][:1] == [source_id]
    assert answer.citations[0].source.label == "official"
    assert source_id not in {s.id for s in registry.sources_for(OTHER)}
    other = registry.engine_for(OTHER).answer(QUESTION)
    assert source_id not in {c.source.id for c in other.citations}


def test_duplicate_is_refused_naming_the_existing_source(registry: LibraryRegistry) -> None:
    source_id = add(registry, GUILD)
    with pytest.raises(LibraryError, match=source_id):
        add(registry, GUILD, ARTICLE.replace("\n", "\r\n") + "\n\n")
    assert len(registry.store.added_sources(GUILD)) == 1
    add(registry, OTHER)  # another server may hold the same text


def test_a_base_source_is_a_duplicate_too(registry: LibraryRegistry) -> None:
    seed = registry.base[0]
    with pytest.raises(LibraryError, match=seed.id):
        add(registry, GUILD, seed.text)


def test_count_limit_refuses_and_changes_nothing(registry: LibraryRegistry) -> None:
    first = parse_upload(ARTICLE.encode(), "a.txt")
    registry.store.add(GUILD, first, "42", registry.base, 1)
    second = parse_upload(b"The pier reopens in June after repairs.", "b.txt")
    with pytest.raises(LibraryError, match="MAX_SOURCES_PER_SERVER"):
        registry.store.add(GUILD, second, "42", registry.base, 1)
    assert [s.title for s in registry.store.added_sources(GUILD)] == ["Harbour council notes"]


def test_remove_label_and_hide_a_base_source(registry: LibraryRegistry) -> None:
    source_id = add(registry, GUILD)
    seed = registry.base[0]
    registry.store.set_label(GUILD, seed.id, "disputed", "7", registry.base)
    labels = {s.id: s.label for s in registry.sources_for(GUILD)}
    assert labels[seed.id] == "disputed"
    assert {s.id: s.label for s in registry.sources_for(OTHER)}[seed.id] != "disputed"

    registry.store.remove(GUILD, seed.id, "7", registry.base)
    registry.store.remove(GUILD, source_id, "7", registry.base)
    assert {s.id for s in registry.sources_for(GUILD)} == {s.id for s in registry.base[1:]}
    with pytest.raises(LibraryError, match="no source"):
        registry.store.remove(GUILD, seed.id, "7", registry.base)
    history = registry.store.history(GUILD)
    assert [c.action for c in history] == ["remove", "remove", "label", "add"]
    assert all(c.actor for c in history) and seed.title in history[1].summary


def test_ids_are_short_stable_and_unique(registry: LibraryRegistry) -> None:
    first = add(registry, GUILD)
    second = add(registry, GUILD, ARTICLE + "\nA later note was added.")
    assert first != second and len(first) <= 8
    assert add(registry, OTHER) == first  # the same text gets the same id anywhere


def test_everything_survives_a_new_store_on_the_same_database(
    tmp_path: Path, seeds_dir: Path, database_url: str | None
) -> None:
    registry = open_registry(seeds_dir, tmp_path, database_url)
    source_id = add(registry, GUILD, date="2027-04-30")
    registry.store.close()
    reopened = open_registry(seeds_dir, tmp_path, database_url)
    [source] = reopened.store.added_sources(GUILD)
    assert (source.id, source.date, source.text, source.added_by) == (
        source_id, "2027-04-30", ARTICLE, "42"
    )  # fmt: skip
    assert reopened.store.customised_guilds() == [GUILD]


# --- an unusable database stops the start ---------------------------------------------------


def test_corrupt_database_is_refused(tmp_path: Path) -> None:
    (tmp_path / DATABASE_NAME).write_bytes(b"this is not a database at all" * 200)
    with pytest.raises(StoreError, match="cannot use the library database"):
        SqliteStore.in_data_dir(tmp_path)


def test_newer_schema_is_refused(tmp_path: Path) -> None:
    SqliteStore.in_data_dir(tmp_path).close()
    with sqlite3.connect(tmp_path / DATABASE_NAME) as db:
        db.execute("PRAGMA user_version = 99")
    with pytest.raises(StoreError, match="newer"):
        SqliteStore.in_data_dir(tmp_path)


def test_data_dir_that_is_a_file_is_refused(tmp_path: Path) -> None:
    (tmp_path / "data").write_text("oops")
    with pytest.raises(StoreError, match="DATA_DIR .* is a file, not a folder"):
        SqliteStore.in_data_dir(tmp_path / "data")


def test_a_read_only_database_is_refused_at_start(
    tmp_path: Path, seeds_dir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    SqliteStore.in_data_dir(tmp_path).close()
    connect = sqlite3.connect

    def read_only(path: Path, **kwargs: object) -> sqlite3.Connection:
        # What SQLite does when DATA_DIR or the file is not writable: it opens read-only.
        return connect(f"file:{path}?mode=ro", uri=True, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(sqlite3, "connect", read_only)
    with pytest.raises(StoreError, match="read-only"):
        open_registry(seeds_dir, tmp_path)
    store = SqliteStore.in_data_dir(tmp_path)  # reading (list, export, ask --guild) still works
    assert store.added_sources(GUILD) == []
    with pytest.raises(LibraryError, match="readonly"):  # and a change says why, changing nothing
        add(LibraryRegistry(store, []), GUILD)


def test_a_change_the_disk_cannot_hold_is_refused_and_changes_nothing(
    sqlite_registry: LibraryRegistry,
) -> None:
    registry = sqlite_registry
    source_id = add(registry, GUILD)
    store = registry.store
    pages = store._db.execute("PRAGMA page_count").fetchone()[0]  # type: ignore[attr-defined]
    store._db.execute(f"PRAGMA max_page_count = {pages}")  # type: ignore[attr-defined]  # disk full
    big = "The Quillby archive holds many letters. " * 2000
    with pytest.raises(LibraryError, match="full"):
        add(registry, GUILD, big)
    assert [s.id for s in store.added_sources(GUILD)] == [source_id]
    assert [c.action for c in store.history(GUILD)] == ["add"]
    store._db.execute("PRAGMA max_page_count = 1073741823")  # type: ignore[attr-defined]
    assert add(registry, GUILD, big) != source_id  # the store still works afterwards


# --- durability and concurrency -------------------------------------------------------------

_KILLED_ADD = textwrap.dedent(
    """
    import sys, time
    from pathlib import Path
    from bot.library import sql_common
    from bot.library.parsing import parse_upload
    from bot.library.opening import open_store

    def stall(*args, **kwargs):
        print("inserted", flush=True)
        time.sleep(60)

    sql_common._log_change = stall  # runs after the INSERT, before COMMIT
    store = open_store(Path(sys.argv[1]), sys.argv[2] or None)
    draft = parse_upload(sys.stdin.buffer.read(), "notes.txt")
    store.add(111, draft, "42", [], 500)
    """
)


def test_sigkill_in_the_middle_of_an_add_leaves_nothing(
    tmp_path: Path, database_url: str | None
) -> None:
    store = open_store(tmp_path, database_url)
    earlier = store.add(OTHER, parse_upload(ARTICLE.encode(), "n.txt"), "42", [], 500)
    store.close()
    proc = subprocess.Popen(
        [sys.executable, "-c", _KILLED_ADD, str(tmp_path), database_url or ""],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        env=subprocess_env(),
    )
    assert proc.stdin is not None and proc.stdout is not None
    proc.stdin.write(ARTICLE.encode())
    proc.stdin.close()
    assert proc.stdout.readline().strip() == b"inserted"
    proc.send_signal(signal.SIGKILL)
    proc.wait(10)
    store = open_store(tmp_path, database_url)
    assert store.added_sources(GUILD) == [] and store.history(GUILD) == []
    assert store.added_sources(OTHER) == [earlier]  # what was committed before is all there
    assert [c.action for c in store.history(OTHER)] == ["add"]
    # and the database still takes the same add afterwards
    store.add(GUILD, parse_upload(ARTICLE.encode(), "n.txt"), "42", [], 500)
    assert len(store.added_sources(GUILD)) == 1 and len(store.history(GUILD)) == 1


def run_at_once(work: Callable[[], R], times: int) -> list[R | Exception]:
    """Run `work` in `times` threads released together; each result or exception, in order."""
    results: list[R | Exception] = [RuntimeError("did not run")] * times
    barrier = threading.Barrier(times)

    def worker(n: int) -> None:
        barrier.wait()
        try:
            results[n] = work()
        except Exception as error:  # noqa: BLE001 - returned to the test to judge
            results[n] = error

    threads = [threading.Thread(target=worker, args=(n,)) for n in range(times)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return results


def test_two_threads_adding_the_same_text_add_it_once(registry: LibraryRegistry) -> None:
    results = run_at_once(lambda: add(registry, GUILD), 2)
    assert all(isinstance(r, str | LibraryError) for r in results), results
    assert sum(isinstance(r, str) for r in results) == 1, results
    assert len(registry.store.added_sources(GUILD)) == 1


def test_several_connections_at_once_keep_the_limit_and_refuse_duplicates(
    tmp_path: Path, database_url: str | None
) -> None:
    """Several processes (a store each) changing one server at once: the count limit holds and
    the same text is added once, the others told which source it is."""
    stores = [open_store(tmp_path, database_url) for _ in range(4)]
    texts = iter(f"Depot {n} of the Quillby tram line opens on day {n}." for n in range(4))
    drafts = [parse_upload(next(texts).encode(), "d.txt") for _ in stores]
    turn = iter(range(4))

    def add_own() -> str:
        n = next(turn)
        return stores[n].add(GUILD, drafts[n], "42", [], 2).id

    results = run_at_once(add_own, 4)
    assert sum(isinstance(r, str) for r in results) == 2, results
    assert all("MAX_SOURCES_PER_SERVER" in str(r) for r in results if not isinstance(r, str))
    assert len(stores[0].added_sources(GUILD)) == 2

    same = parse_upload(ARTICLE.encode(), "n.txt")
    turn = iter(range(4))
    results = run_at_once(lambda: stores[next(turn)].add(OTHER, same, "42", [], 9).id, 4)
    [added] = [r for r in results if isinstance(r, str)]
    refusals = [r for r in results if not isinstance(r, str)]
    assert all(isinstance(r, DuplicateSourceError) and added in str(r) for r in refusals), results
    for store in stores:
        store.close()


async def test_concurrent_changes_leave_library_and_index_consistent(
    registry: LibraryRegistry,
) -> None:
    texts = [f"Depot {n} of the Quillby tram line opens on day {n}." for n in range(1, 7)]
    drafts = [parse_upload(t.encode(), f"{n}.txt") for n, t in enumerate(texts)]
    await asyncio.gather(
        *(
            registry.change(GUILD, lambda store, d=d: store.add(GUILD, d, "42", registry.base, 500))
            for d in drafts
        )
    )
    library = {s.id for s in registry.sources_for(GUILD)}
    indexed = {s.id for s in registry.engine_for(GUILD).sources}
    assert library == indexed and len(library) == len(registry.base) + len(texts)
    assert registry.engine_for(OTHER) is registry.engine_for(None)  # untouched servers share


def test_export_folder_is_read_back_unchanged(registry: LibraryRegistry, tmp_path: Path) -> None:
    from bot.library.transfer import export_library

    add(registry, GUILD, title="Ferry notes", date="2027-04-30", label="official")
    registry.store.set_label(GUILD, registry.base[1].id, "satire", "7", registry.base)
    folder = tmp_path / "backup"
    export_library(registry.sources_for(GUILD), folder)
    loaded = load_sources(folder)
    key = lambda s: (s.id, s.title, s.date, s.label, s.text)  # noqa: E731
    assert sorted(map(key, loaded)) == sorted(map(key, registry.sources_for(GUILD)))


def test_an_import_over_the_limit_adds_none_of_it(registry: LibraryRegistry) -> None:
    texts = [f"Depot {n} of the Quillby tram line opens on day {n}." for n in range(3)]
    drafts = [parse_upload(t.encode(), f"{n}.txt") for n, t in enumerate(texts)]
    with pytest.raises(LibraryError, match="MAX_SOURCES_PER_SERVER"):
        registry.store.add_many(GUILD, drafts, "42", registry.base, 2)
    assert registry.store.added_sources(GUILD) == [] and registry.store.history(GUILD) == []
    added, skipped = registry.store.add_many(GUILD, drafts + drafts[:1], "42", registry.base, 5)
    assert len(added) == 3 and skipped == drafts[:1]


async def test_changes_from_another_process_are_picked_up(
    registry: LibraryRegistry, tmp_path: Path, database_url: str | None
) -> None:
    customised(registry, GUILD)  # loaded: an outside change rebuilds it
    assert await registry.refresh_external_changes() == []
    other = open_store(tmp_path / "data", database_url)  # as `python -m bot library` opens it
    other.add(GUILD, parse_upload(ARTICLE.encode(), "n.txt"), "cli", registry.base, 500)
    assert await rebuilt_within(registry, 5.0) == [GUILD]
    answer = registry.engine_for(GUILD).answer(QUESTION)
    assert answer.citations and answer.citations[0].source.title == "Harbour council notes"
    assert await registry.refresh_external_changes() == []  # nothing new since


def test_two_stores_opening_a_new_database_at_once_both_work(tmp_path: Path) -> None:
    results = run_at_once(lambda: SqliteStore.in_data_dir(tmp_path).close(), 4)
    errors = [r for r in results if isinstance(r, Exception)]
    assert errors == []
    with sqlite3.connect(tmp_path / DATABASE_NAME) as db:
        assert db.execute("PRAGMA user_version").fetchone()[0] >= 1


def test_a_later_base_file_with_an_added_id_does_not_make_ids_ambiguous(
    registry: LibraryRegistry, seeds_dir: Path
) -> None:
    from dataclasses import replace

    source_id = add(registry, GUILD)
    newer_base = [*registry.base, replace(registry.base[0], id=source_id, title="New base file")]
    ids = [s.id for s in server_sources(registry.store, newer_base, GUILD)]
    assert len(ids) == len(set(ids)) and source_id in ids
    assert "New base file" not in {
        s.title for s in server_sources(registry.store, newer_base, GUILD)
    }


def test_opening_waits_for_another_connection_before_switching_to_wal(tmp_path: Path) -> None:
    """SQLite answers "database is locked" at once, without its busy wait, when another
    connection's write transaction blocks the switch to WAL (two processes starting on a new
    database at once): opening must wait for it, not fail."""
    path = tmp_path / DATABASE_NAME
    other = sqlite3.connect(path, isolation_level=None, check_same_thread=False)
    other.execute("CREATE TABLE held (x)")
    other.execute("BEGIN EXCLUSIVE")
    other.execute("SELECT * FROM held").fetchall()  # a read transaction holds a shared lock
    release = threading.Timer(0.3, lambda: other.execute("COMMIT"))
    release.start()
    try:
        SqliteStore.in_data_dir(tmp_path).close()
    finally:
        release.join()
        other.close()
    with sqlite3.connect(path) as db:
        assert db.execute("PRAGMA journal_mode").fetchone()[0] == "wal"


# --- hardening (issue 15) ---------------------------------------------------------------------


def test_export_never_writes_outside_its_folder(tmp_path: Path, seeds_dir: Path) -> None:
    from dataclasses import replace

    from bot.library.transfer import export_library

    source = load_sources(seeds_dir)[0]
    folder = tmp_path / "a" / "b" / "backup"
    for bad in ("../../escaped", str(tmp_path / "escaped"), "sub/escaped", ".."):
        with pytest.raises(LibraryError, match="cannot name a file"):
            export_library([replace(source, id=bad)], folder)
    assert not list(tmp_path.rglob("escaped*")) and not list(tmp_path.rglob("*.txt"))


@pytest.mark.parametrize("field", ["text", "title"])
def test_a_lone_surrogate_is_refused_with_a_reason(field: str) -> None:
    meta = {"text": ARTICLE, "title": "Ferry notes"}
    meta[field] = meta[field].replace("Quillby", "Quill\ud800by").replace("Ferry", "Fe\udcffrry")
    with pytest.raises(LibraryError, match="not valid Unicode"):
        parse_text(meta["text"], title=meta["title"], origin="paste")


def test_pasted_binary_is_refused_as_a_file_would_be() -> None:
    with pytest.raises(LibraryError, match="binary"):
        parse_text(ARTICLE.replace("ferry", "fer\x00ry"), origin="paste")


def test_titles_lose_bidi_controls_and_zero_width_characters() -> None:
    title = "\u202eFerry\u200b \u2066notes\u2069\u200e\ufeff\u061c \u2060closed\u200d"
    assert parse_text(ARTICLE, title=title, origin="paste").title == "Ferry notes closed"
    assert parse_upload(("\u202bHarbour\u200c notes\n\n" + ARTICLE).encode(), "a.txt").title == (
        "Harbour notes"
    )


def test_the_same_text_in_nfc_and_nfd_is_a_duplicate(registry: LibraryRegistry) -> None:
    import unicodedata

    text = "Café notes\n\nThe Zürich café will close on 3 May 2027 after the vote.\n"
    nfd = unicodedata.normalize("NFD", text)
    assert nfd != text
    draft = parse_text(nfd, origin="paste")
    assert draft.text == text  # stored once, as NFC: passages are offsets into this text
    source_id = add(registry, GUILD, nfd)
    with pytest.raises(LibraryError, match=source_id):
        add(registry, GUILD, text)
    registry.rebuild(GUILD)
    answer = registry.engine_for(GUILD).answer("When will the Zürich café close?")
    cited = next(c for c in answer.citations if c.source.id == source_id)
    assert cited.excerpt.rstrip("…") in text


def test_a_base_source_in_nfd_is_a_duplicate_of_the_same_text_in_nfc(
    make_sources, tmp_path: Path
) -> None:
    import unicodedata

    text = "Café notes\n\nThe Zürich café will close on 3 May 2027 after the vote.\n"
    folder = make_sources({"cafe.txt": unicodedata.normalize("NFD", text)})
    registry = open_registry(folder, tmp_path / "data")
    assert registry.base[0].text == unicodedata.normalize("NFD", text)  # a base file stays verbatim
    with pytest.raises(LibraryError, match="cafe"):
        add(registry, GUILD, text)


def test_an_import_applies_the_checks_of_an_upload(make_sources) -> None:
    from bot.library.transfer import drafts_from_folder

    big = make_sources({"big.txt": "The pier is closed. " * 60})
    with pytest.raises(LibraryError, match="big.txt.*too large"):
        drafts_from_folder(big, max_bytes=1000)
    emoji = make_sources({"ok.txt": ARTICLE, "emoji.txt": "🎉🎉🎉 🚢\n"})
    with pytest.raises(LibraryError, match="emoji.txt.*no sentence"):
        drafts_from_folder(emoji, max_bytes=1000)
    titled = make_sources({"t.txt": "\u202eHarbour\u200b notes\n\n" + ARTICLE})
    assert drafts_from_folder(titled, max_bytes=1000)[0].title == "Harbour notes"
