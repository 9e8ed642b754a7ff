"""What the SQLite and PostgreSQL stores share: the queries and the rules (the schema:
`bot.library.sql_schema`).

Every statement here is written once, in the SQL both databases read, with `?` placeholders (the
PostgreSQL store turns them into psycopg's `%s`). A store supplies three things: `_read` (one
query), `_transaction` (one change: all of it is committed, or none of it; a change to one
server's library also gives it a new version, `bump_version`, and is announced to other
processes where the database can) and its own
opening, locking and schema versioning. The checks a change depends on (duplicates, the count
limit, free ids) run inside the change's transaction, which the store serialises per server, so
two changes at once cannot both pass a check that only one of them should.
"""

from __future__ import annotations

import json
import threading
from collections.abc import Callable, Iterable, Sequence
from contextlib import AbstractContextManager
from datetime import UTC, datetime, timedelta

from bot.library.base import (
    BaseOverride,
    Change,
    DislikedAnswer,
    Draft,
    DuplicateSourceError,
    FeedbackReport,
    LibraryError,
    UncoveredQuestion,
    UnknownAnswerError,
)
from bot.library.parsing import content_hash
from bot.library.sql_schema import MIN_ID_LENGTH, VOTES
from bot.library.sql_versions import Db
from bot.sources import Source


class SqlStore:
    """`LibraryStore` over SQL: every method but the opening, reading and transaction plumbing."""

    def __init__(self, clock: Callable[[], datetime] | None = None) -> None:
        """`clock` (default: now, UTC) dates feedback records; tests pass a fake one."""
        self._clock = clock or (lambda: datetime.now(UTC))
        self._lock = threading.Lock()

    def _read(self, sql: str, params: tuple[object, ...]) -> list[tuple]:
        raise NotImplementedError

    def _transaction(
        self, guild_id: int | None = None, *, announce: bool = False
    ) -> AbstractContextManager[Db]:
        """One change, serialised with the other changes to `guild_id`'s library; `announce`:
        it changes what that server's engine is built from, so it gives the server a new
        version (`bump_version`) and tells other processes (when the change commits)."""
        raise NotImplementedError

    # --- reading ----------------------------------------------------------------------------

    def added_sources(self, guild_id: int) -> list[Source]:
        rows = self._read(
            "SELECT id, title, date, label, text, content_hash, origin, added_by, added_at "
            "FROM source WHERE guild_id = ? ORDER BY added_at, id",
            (guild_id,),
        )
        return [
            Source(
                id=r[0], title=r[1], date=r[2], path=None, text=r[4], label=r[3],
                content_hash=r[5], origin=r[6], added_by=r[7], added_at=r[8],
            )
            for r in rows
        ]  # fmt: skip

    def overrides(self, guild_id: int) -> dict[str, BaseOverride]:
        rows = self._read(
            "SELECT source_id, hidden, label FROM base_override WHERE guild_id = ?", (guild_id,)
        )
        return {r[0]: BaseOverride(hidden=bool(r[1]), label=r[2]) for r in rows}

    def customised_guilds(self) -> list[int]:
        rows = self._read(
            "SELECT guild_id FROM source UNION SELECT guild_id FROM base_override", ()
        )
        return sorted(r[0] for r in rows)

    def history(self, guild_id: int, limit: int = 10) -> list[Change]:
        rows = self._read(
            "SELECT at, actor, action, source_id, summary FROM history WHERE guild_id = ? "
            "ORDER BY seq DESC LIMIT ?",
            (guild_id, limit),
        )
        return [Change(*row) for row in rows]

    # --- changing ---------------------------------------------------------------------------

    def add(
        self,
        guild_id: int,
        draft: Draft,
        actor: str,
        base: Sequence[Source],
        max_sources: int,
    ) -> Source:
        with self._transaction(guild_id, announce=True) as db:
            return _insert(db, guild_id, draft, actor, base, max_sources)

    def add_many(
        self,
        guild_id: int,
        drafts: Sequence[Draft],
        actor: str,
        base: Sequence[Source],
        max_sources: int,
    ) -> tuple[list[Source], list[Draft]]:
        """Add every draft in one transaction, skipping duplicates; returns (added, skipped).

        Any other refusal (the count limit) adds none of them.
        """
        added, skipped = [], []
        with self._transaction(guild_id, announce=True) as db:
            for draft in drafts:
                try:
                    added.append(_insert(db, guild_id, draft, actor, base, max_sources))
                except DuplicateSourceError:
                    skipped.append(draft)
        return added, skipped

    def remove(self, guild_id: int, source_id: str, actor: str, base: Sequence[Source]) -> str:
        with self._transaction(guild_id, announce=True) as db:
            title = _added_title(db, guild_id, source_id)
            if title is not None:
                db.execute(
                    "DELETE FROM source WHERE guild_id = ? AND id = ?", (guild_id, source_id)
                )
                summary = f"removed {source_id} “{title}”"
            else:
                source = _visible_base(db, guild_id, source_id, base)
                db.execute(
                    "INSERT INTO base_override (guild_id, source_id, hidden) VALUES (?, ?, 1) "
                    "ON CONFLICT (guild_id, source_id) DO UPDATE SET hidden = 1",
                    (guild_id, source_id),
                )
                summary = f"removed {source_id} “{source.title}” (a base source, hidden here)"
            _log_change(db, guild_id, actor, "remove", source_id, summary)
        return summary

    def set_label(
        self, guild_id: int, source_id: str, label: str, actor: str, base: Sequence[Source]
    ) -> str:
        with self._transaction(guild_id, announce=True) as db:
            title = _added_title(db, guild_id, source_id)
            if title is not None:
                db.execute(
                    "UPDATE source SET label = ? WHERE guild_id = ? AND id = ?",
                    (label, guild_id, source_id),
                )
            else:
                title = _visible_base(db, guild_id, source_id, base).title
                db.execute(
                    "INSERT INTO base_override (guild_id, source_id, label) VALUES (?, ?, ?) "
                    "ON CONFLICT (guild_id, source_id) DO UPDATE SET label = excluded.label",
                    (guild_id, source_id, label),
                )
            summary = f"labelled {source_id} “{title}” {label}"
            _log_change(db, guild_id, actor, "label", source_id, summary)
        return summary

    # --- feedback on answers ----------------------------------------------------------------

    def record_answer(
        self,
        guild_id: int,
        answer_id: int,
        question: str,
        source_ids: Sequence[str],
        status: str,
        keep_days: int,
    ) -> None:
        """Record an answer as it is given, and forget the records older than `keep_days`."""
        with self._transaction(guild_id) as db:
            db.execute(
                "INSERT INTO answer_record (guild_id, answer_id, question, question_key, "
                "source_ids, status, at) VALUES (?, ?, ?, ?, ?, ?, ?) ON CONFLICT DO NOTHING",
                (
                    guild_id, answer_id, question, question_key(question),
                    json.dumps(list(dict.fromkeys(source_ids))), status, self._stamp(),
                ),
            )  # fmt: skip
            self._purge(db, self._stamp(keep_days))

    def vote(self, guild_id: int, answer_id: int, member_id: int, vote: str) -> str | None:
        """Set the member's vote ("up" or "down") on an answer; returns their earlier vote.

        Raises `UnknownAnswerError` for an answer not on record."""
        if vote not in VOTES:
            raise ValueError(f"a vote is one of {VOTES}, not {vote!r}")
        with self._transaction(guild_id) as db:
            _check_recorded(db, guild_id, answer_id)
            row = db.execute(
                "SELECT vote FROM feedback WHERE guild_id = ? AND answer_id = ? AND member_id = ?",
                (guild_id, answer_id, member_id),
            ).fetchone()
            db.execute(
                "INSERT INTO feedback (guild_id, answer_id, member_id, vote, at) "
                "VALUES (?, ?, ?, ?, ?) ON CONFLICT (guild_id, answer_id, member_id) "
                "DO UPDATE SET vote = excluded.vote, at = excluded.at",
                (guild_id, answer_id, member_id, vote, self._stamp()),
            )
        return row[0] if row else None

    def report_missing(self, guild_id: int, answer_id: int, member_id: int, note: str) -> bool:
        """Record that the answer lacked a source (`note`: what, may be empty); one report per
        member per answer, a later one replaces the note. Returns whether one was there before.

        Raises `UnknownAnswerError` for an answer not on record."""
        with self._transaction(guild_id) as db:
            _check_recorded(db, guild_id, answer_id)
            row = db.execute(
                "SELECT missing FROM feedback "
                "WHERE guild_id = ? AND answer_id = ? AND member_id = ?",
                (guild_id, answer_id, member_id),
            ).fetchone()
            db.execute(
                "INSERT INTO feedback (guild_id, answer_id, member_id, missing, note, at) "
                "VALUES (?, ?, ?, 1, ?, ?) ON CONFLICT (guild_id, answer_id, member_id) "
                "DO UPDATE SET missing = 1, note = excluded.note, at = excluded.at",
                (guild_id, answer_id, member_id, note.strip() or None, self._stamp()),
            )
        return bool(row and row[0])

    def feedback_report(self, guild_id: int, days: int, limit: int = 10) -> FeedbackReport:
        """The server's most disliked answers and the questions its sources lacked most often,
        among the answers of the last `days` days; same questions (any case) count together."""
        rows = self._read(
            "SELECT r.question_key, r.question, r.source_ids, r.status, "
            "COALESCE(SUM(CASE WHEN f.vote = 'down' THEN 1 ELSE 0 END), 0), "
            "COALESCE(SUM(CASE WHEN f.vote = 'up' THEN 1 ELSE 0 END), 0), "
            "COALESCE(SUM(f.missing), 0) "
            "FROM answer_record r LEFT JOIN feedback f "
            "ON f.guild_id = r.guild_id AND f.answer_id = r.answer_id "
            "WHERE r.guild_id = ? AND r.at >= ? "
            # answer ids are Discord snowflakes: the later answer has the larger one
            "GROUP BY r.guild_id, r.answer_id ORDER BY r.at DESC, r.answer_id DESC",
            (guild_id, self._stamp(days)),
        )
        notes = self._read(
            "SELECT r.question_key, f.note FROM feedback f JOIN answer_record r "
            "ON f.guild_id = r.guild_id AND f.answer_id = r.answer_id "
            "WHERE r.guild_id = ? AND r.at >= ? AND f.missing = 1 AND f.note IS NOT NULL "
            "ORDER BY f.at DESC",
            (guild_id, self._stamp(days)),
        )
        return _report(days, rows, notes, limit)

    def purge_feedback(self, keep_days: int) -> int:
        """Forget the answers older than `keep_days` (question, sources, votes, notes)."""
        with self._transaction() as db:
            return self._purge(db, self._stamp(keep_days))

    def _purge(self, db: Db, cutoff: str) -> int:
        """Delete the answer records dated before `cutoff`, and their feedback; returns how
        many. Cheap when there is nothing to delete (one look at the time index)."""
        if (
            db.execute("SELECT 1 FROM answer_record WHERE at < ? LIMIT 1", (cutoff,)).fetchone()
            is None
        ):
            return 0
        self._purging(db)
        db.execute(
            "DELETE FROM feedback WHERE EXISTS (SELECT 1 FROM answer_record r WHERE "
            "r.guild_id = feedback.guild_id AND r.answer_id = feedback.answer_id AND r.at < ?)",
            (cutoff,),
        )
        return db.execute("DELETE FROM answer_record WHERE at < ?", (cutoff,)).rowcount

    def _purging(self, db: Db) -> None:
        """Called inside a transaction about to delete old records: a store whose changes can
        run side by side makes purges wait for each other here (two deleting the same rows in
        another order could deadlock)."""

    def _stamp(self, days_ago: int = 0) -> str:
        """The clock's time, less `days_ago` days, as stored (ISO UTC, seconds)."""
        return (self._clock() - timedelta(days=days_ago)).isoformat(timespec="seconds")


# Answers that count as "not covered": none found (`no_match`), or only the closest passages
# holding the question's names (`related`; see `bot.answer.types.Status`).
UNCOVERED = frozenset({"no_match", "related"})


def _report(days: int, rows: Iterable[tuple], notes: Iterable[tuple], limit: int) -> FeedbackReport:
    """The feedback report from the per-answer rows (newest first) and the members' notes."""
    disliked: dict[str, list] = {}  # key -> [question, down, up, source ids]
    uncovered: dict[str, list] = {}  # key -> [question, not covered, missing, notes]
    for key, question, source_ids, status, down, up, missing in rows:  # newest first
        if down or up:
            entry = disliked.setdefault(key, [question, 0, 0, {}])
            entry[1] += down
            entry[2] += up
            entry[3].update(dict.fromkeys(json.loads(source_ids)))
        if status in UNCOVERED or missing:
            entry = uncovered.setdefault(key, [question, 0, 0, []])
            entry[1] += status in UNCOVERED
            entry[2] += missing
    for key, note in notes:
        if key in uncovered and note not in uncovered[key][3]:
            uncovered[key][3].append(note)
    worst = sorted(
        (DislikedAnswer(q, down, up, tuple(ids)) for q, down, up, ids in disliked.values()),
        key=lambda d: (-d.down, d.up),
    )
    lacking = sorted(
        (UncoveredQuestion(q, n, m, tuple(notes)) for q, n, m, notes in uncovered.values()),
        key=lambda u: -(u.not_covered + u.missing),
    )
    return FeedbackReport(
        days, tuple(d for d in worst if d.down > 0)[:limit], tuple(lacking[:limit])
    )


def question_key(question: str) -> str:
    """What makes two questions the same one in the feedback report: case, spacing and the
    closing punctuation aside."""
    return " ".join(question.casefold().split()).rstrip(" ?!.")


def _check_recorded(db: Db, guild_id: int, answer_id: int) -> None:
    row = db.execute(
        "SELECT 1 FROM answer_record WHERE guild_id = ? AND answer_id = ?", (guild_id, answer_id)
    ).fetchone()
    if row is None:
        raise UnknownAnswerError("This answer is no longer on record.")


def _insert(
    db: Db,
    guild_id: int,
    draft: Draft,
    actor: str,
    base: Sequence[Source],
    max_sources: int,
) -> Source:
    """Check and insert one draft inside the caller's transaction."""
    hidden = _hidden_ids(db, guild_id)
    for source in base:
        if source.id not in hidden and _hash_of(source) == draft.content_hash:
            raise DuplicateSourceError(
                f"This text is already a source: {source.id} “{source.title}”."
            )
    existing = db.execute(
        "SELECT id, title FROM source WHERE guild_id = ? AND content_hash = ?",
        (guild_id, draft.content_hash),
    ).fetchone()
    if existing:
        raise DuplicateSourceError(f"This text is already a source: {existing[0]} “{existing[1]}”.")
    (count,) = db.execute("SELECT COUNT(*) FROM source WHERE guild_id = ?", (guild_id,)).fetchone()
    if count >= max_sources:
        raise LibraryError(
            f"This server already has {count} added sources, the most it may have "
            f"(MAX_SOURCES_PER_SERVER); remove one first."
        )
    taken = {s.id for s in base} | {
        r[0] for r in db.execute("SELECT id FROM source WHERE guild_id = ?", (guild_id,))
    }
    source_id = _free_id(draft.content_hash, taken)
    added_at = _now()
    db.execute(
        "INSERT INTO source (guild_id, id, title, date, label, text, content_hash, "
        "origin, added_by, added_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
        (
            guild_id, source_id, draft.title, draft.date, draft.label, draft.text,
            draft.content_hash, draft.origin, actor, added_at,
        ),
    )  # fmt: skip
    _log_change(db, guild_id, actor, "add", source_id, f"added “{draft.title}”")
    return Source(
        id=source_id, title=draft.title, date=draft.date, path=None, text=draft.text,
        label=draft.label, added_by=actor, added_at=added_at,
        content_hash=draft.content_hash, origin=draft.origin,
    )  # fmt: skip


def _added_title(db: Db, guild_id: int, source_id: str) -> str | None:
    row = db.execute(
        "SELECT title FROM source WHERE guild_id = ? AND id = ?", (guild_id, source_id)
    ).fetchone()
    return row[0] if row else None


def _hidden_ids(db: Db, guild_id: int) -> set[str]:
    rows = db.execute(
        "SELECT source_id FROM base_override WHERE guild_id = ? AND hidden = 1", (guild_id,)
    )
    return {r[0] for r in rows}


def _visible_base(db: Db, guild_id: int, source_id: str, base: Sequence[Source]) -> Source:
    source = next((s for s in base if s.id == source_id), None)
    if source is None or source_id in _hidden_ids(db, guild_id):
        raise LibraryError(f"There is no source {source_id!r} in this server's library.")
    return source


def _hash_of(source: Source) -> str:
    return source.content_hash or content_hash(source.text)


def _free_id(content_hash: str, taken: set[str]) -> str:
    """A short id from the text's hash, longer only when a shorter one is already used."""
    for length in range(MIN_ID_LENGTH, len(content_hash) + 1):
        candidate = content_hash[:length]
        if candidate not in taken:
            return candidate
    raise DuplicateSourceError("This text is already a source.")  # a full-hash clash is a duplicate


def _log_change(
    db: Db, guild_id: int, actor: str, action: str, source_id: str, summary: str
) -> None:
    db.execute(
        "INSERT INTO history (guild_id, at, actor, action, source_id, summary) "
        "VALUES (?, ?, ?, ?, ?, ?)",
        (guild_id, _now(), actor, action, source_id, summary),
    )


def _now() -> str:
    return datetime.now(UTC).isoformat(timespec="seconds")
