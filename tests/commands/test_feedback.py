"""Feedback on answers in the store (SQLite and PostgreSQL): one vote per member, the report,
the retention."""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import discord
import pytest

from bot.commands.feedback import FeedbackButton, feedback_embed, feedback_items
from bot.library.base import LibraryStore, UnknownAnswerError
from bot.library.sqlite import MIGRATIONS, SqliteStore
from bot.rendering.feedback import feedback_text
from bot.settings import SettingsError, load_settings

GUILD, OTHER = 1, 2
QUESTION = "Did Japan ban Tesla?"


class Clock:
    """A clock the test moves by hand."""

    def __init__(self) -> None:
        self.now = datetime(2026, 3, 1, 12, 0, tzinfo=UTC)

    def __call__(self) -> datetime:
        return self.now

    def advance(self, days: float) -> None:
        self.now += timedelta(days=days)


@pytest.fixture
def clock() -> Clock:
    return Clock()


@pytest.fixture
def store(tmp_path: Path, clock: Clock, database_url: str | None) -> Iterator[LibraryStore]:
    if database_url:
        from bot.library.postgres import PostgresStore

        store: LibraryStore = PostgresStore(database_url, clock=clock)
    else:
        store = SqliteStore(tmp_path / "crosscheck.sqlite3", clock=clock)
    yield store
    store.close()


def count_rows(store: LibraryStore, table: str) -> int:
    """Rows in a table as a new connection reads them from the database itself."""
    if isinstance(store, SqliteStore):
        with sqlite3.connect(store.path) as db:
            return db.execute(f"SELECT COUNT(*) FROM {table}").fetchone()[0]
    import psycopg

    with psycopg.connect(store.url) as db:  # type: ignore[attr-defined]
        return db.execute(f"SELECT COUNT(*) FROM {table}").fetchone()[0]


def record(store: LibraryStore, answer_id: int, question: str = QUESTION, **kw: object) -> None:
    store.record_answer(
        kw.get("guild", GUILD),  # type: ignore[arg-type]
        answer_id,
        question,
        kw.get("sources", ["001", "004", "001"]),  # type: ignore[arg-type]
        kw.get("status", "answered"),  # type: ignore[arg-type]
        keep_days=kw.get("keep_days", 30),  # type: ignore[arg-type]
    )


def test_one_vote_per_member_and_a_second_click_changes_it(store: LibraryStore) -> None:
    record(store, 10)
    assert store.vote(GUILD, 10, member_id=7, vote="down") is None
    assert store.vote(GUILD, 10, member_id=7, vote="down") == "down"  # counted once
    assert store.vote(GUILD, 10, member_id=8, vote="up") is None
    [disliked] = store.feedback_report(GUILD, 30).disliked
    assert (disliked.question, disliked.down, disliked.up) == (QUESTION, 1, 1)
    assert disliked.source_ids == ("001", "004")  # in citation order, each once

    assert store.vote(GUILD, 10, member_id=7, vote="up") == "down"
    assert store.feedback_report(GUILD, 30).disliked == ()  # no 👎 left


def test_the_same_question_asked_again_counts_together(store: LibraryStore) -> None:
    record(store, 10)
    record(store, 11, "did japan ban tesla", sources=["002"])
    record(store, 12, "Who won the 2022 World Cup?")
    store.vote(GUILD, 10, 7, "down")
    store.vote(GUILD, 11, 8, "down")
    store.vote(GUILD, 12, 7, "down")
    store.vote(GUILD, 12, 8, "up")
    report = store.feedback_report(GUILD, 30)
    assert [(d.down, d.up) for d in report.disliked] == [(2, 0), (1, 1)]  # most disliked first
    assert set(report.disliked[0].source_ids) == {"001", "004", "002"}


def test_questions_the_sources_lacked(store: LibraryStore) -> None:
    record(store, 20, "weather in Paris", sources=[], status="no_match")
    record(store, 21, "Weather in Paris?", sources=[], status="no_match")
    record(store, 22, "When does the Quillby ferry stop?", sources=["003"])
    store.report_missing(GUILD, 21, 7, "Météo France bulletin")
    assert store.report_missing(GUILD, 22, 7, "") is False
    assert store.report_missing(GUILD, 22, 7, "the council's notes") is True  # one per member
    uncovered = store.feedback_report(GUILD, 30).uncovered
    assert [(u.question, u.not_covered, u.missing) for u in uncovered] == [
        ("Weather in Paris?", 2, 1),
        ("When does the Quillby ferry stop?", 0, 1),
    ]
    assert uncovered[0].notes == ("Météo France bulletin",)
    assert uncovered[1].notes == ("the council's notes",)


def test_a_related_answer_counts_as_not_covered(store: LibraryStore) -> None:
    # only the closest passages were shown: the sources lacked what was asked
    record(store, 30, "tesla is tanking in japan", sources=["000", "002"], status="related")
    record(store, 31, "tesla is tanking in japan", sources=["000", "002"], status="related")
    uncovered = store.feedback_report(GUILD, 30).uncovered
    assert [(u.question, u.not_covered) for u in uncovered] == [("tesla is tanking in japan", 2)]


def test_a_server_sees_only_its_own_feedback(store: LibraryStore) -> None:
    record(store, 10)
    store.vote(GUILD, 10, 7, "down")
    assert store.feedback_report(OTHER, 30).disliked == ()
    with pytest.raises(UnknownAnswerError):  # another server cannot vote on this answer
        store.vote(OTHER, 10, 7, "down")


def test_feedback_on_an_answer_not_on_record_is_refused(store: LibraryStore) -> None:
    with pytest.raises(UnknownAnswerError):
        store.vote(GUILD, 99, 7, "up")
    with pytest.raises(UnknownAnswerError):
        store.report_missing(GUILD, 99, 7, "")


def test_records_and_votes_are_deleted_after_the_retention(
    store: LibraryStore, clock: Clock, tmp_path: Path
) -> None:
    record(store, 10, keep_days=7)
    store.vote(GUILD, 10, 7, "down")
    clock.advance(6.9)
    assert store.purge_feedback(keep_days=7) == 0
    assert store.feedback_report(GUILD, 30).disliked != ()
    clock.advance(0.2)
    assert store.purge_feedback(keep_days=7) == 1
    assert store.feedback_report(GUILD, 30).disliked == ()
    with pytest.raises(UnknownAnswerError):
        store.vote(GUILD, 10, 7, "up")
    assert count_rows(store, "answer_record") == 0  # the text is gone from the database
    assert count_rows(store, "feedback") == 0


def test_each_new_answer_deletes_what_is_past_the_retention(
    store: LibraryStore, clock: Clock
) -> None:
    record(store, 10, "old question", keep_days=30)
    clock.advance(31)
    record(store, 11, "new question", keep_days=30)
    with pytest.raises(UnknownAnswerError):
        store.vote(GUILD, 10, 7, "up")
    store.vote(GUILD, 11, 7, "down")
    assert [d.question for d in store.feedback_report(GUILD, 30).disliked] == ["new question"]


def test_the_report_covers_only_its_days(store: LibraryStore, clock: Clock) -> None:
    record(store, 10, keep_days=90)
    store.vote(GUILD, 10, 7, "down")
    clock.advance(31)
    assert store.feedback_report(GUILD, 30).disliked == ()
    assert store.feedback_report(GUILD, 60).disliked != ()


def test_a_library_of_the_first_schema_gains_feedback_and_keeps_its_sources(
    tmp_path: Path,
) -> None:
    path = tmp_path / "old.sqlite3"
    with sqlite3.connect(path) as db:
        db.executescript(MIGRATIONS[0])
        db.execute("PRAGMA user_version = 1")
        db.execute(
            "INSERT INTO history (guild_id, at, actor, action, source_id, summary) "
            "VALUES (1, '2025-01-01T00:00:00+00:00', 'x', 'add', 'abc123', 'added it')"
        )
    db.close()
    store = SqliteStore(path)
    assert [c.summary for c in store.history(1)] == ["added it"]
    record(store, 10)
    assert store.vote(GUILD, 10, 7, "down") is None
    store.close()
    with sqlite3.connect(path) as db:
        assert db.execute("PRAGMA user_version").fetchone() == (len(MIGRATIONS),)
    db.close()


def test_the_report_as_text_and_as_an_embed(store: LibraryStore) -> None:
    record(store, 10, "Did **Japan** ban @everyone's Tesla?")
    record(store, 11, "weather in Paris", sources=[], status="no_match")
    store.vote(GUILD, 10, 7, "down")
    report = store.feedback_report(GUILD, 30)
    text = feedback_text(report)
    assert "👎 1 · 👍 0: “Did **Japan** ban @everyone's Tesla?” (sources 001, 004)" in text
    assert "1× not covered: “weather in Paris”" in text
    embed = feedback_embed(report)
    assert "\\*\\*Japan\\*\\*" in (embed.description or "")  # shown literally, pings nobody
    assert "@everyone" not in (embed.description or "").replace("@\u200beveryone", "")
    empty = feedback_embed(store.feedback_report(OTHER, 30))
    assert "No answer got a 👎" in (empty.description or "") and "None." in (
        empty.description or ""
    )


def test_feedback_buttons_carry_only_the_answer_id() -> None:
    items = feedback_items(1234567890123456789)
    ids = [item.custom_id for item in items]  # type: ignore[attr-defined]
    assert ids == [
        "crosscheck:feedback:up:1234567890123456789",
        "crosscheck:feedback:down:1234567890123456789",
        "crosscheck:feedback:missing:1234567890123456789",
    ]
    assert all(
        isinstance(item, FeedbackButton) and len(i) <= 100
        for item, i in zip(items, ids, strict=True)
    )
    view = discord.ui.View(timeout=None)
    for item in items:
        view.add_item(item)
    assert view.is_persistent()


def test_retention_setting(tmp_path: Path) -> None:
    assert load_settings({}, None).feedback_retention_days == 30
    assert load_settings({"FEEDBACK_RETENTION_DAYS": "7"}, None).feedback_retention_days == 7
    for bad in ("0", "-3", "a week"):
        with pytest.raises(SettingsError, match="FEEDBACK_RETENTION_DAYS"):
            load_settings({"FEEDBACK_RETENTION_DAYS": bad}, None)


def test_several_processes_deleting_old_records_at_once_all_record_their_answer(
    tmp_path: Path, clock: Clock, database_url: str | None
) -> None:
    """Each answer recorded deletes what is past the retention; processes (a store each)
    doing so at once, over the same old records, must not fail (nor lose their answer)."""
    from library.test_library import run_at_once

    from bot.library.opening import open_store

    stores = [open_store(tmp_path, database_url) for _ in range(4)]
    for store in stores:
        store._clock = clock  # type: ignore[attr-defined]
    for n in range(200):
        record(stores[0], n, guild=n % 7)
    clock.advance(31)
    turn = iter(range(4))

    def answer() -> None:
        n = next(turn)
        record(stores[n], 1000 + n, guild=100 + n, keep_days=30)

    for round_ in range(3):
        assert run_at_once(answer, 4) == [None] * 4
        turn = iter(range(4))
        for n in range(50):
            record(stores[0], 2000 + 100 * round_ + n, guild=n % 7)
        clock.advance(31)
    for store in stores:
        store.close()
