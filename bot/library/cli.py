"""`python -m bot library add|remove|label|list|export|import|feedback|copy-to-postgres`: the
library from a shell.

The same checks and transactions as the Discord commands, on the same database (DATA_DIR) and
base set (--sources / CROSSCHECK_SOURCES). A running bot picks up changes made here within a
few seconds (`LibraryRegistry.follow_other_processes`). Bad input exits 2 with one line, like
every other subcommand. Each command names the database it used on stderr, and refuses a
DATA_DIR without one unless given `--create`: run from the wrong folder, it would otherwise start
an empty library there and the moderators' additions would seem gone.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable
from dataclasses import asdict
from pathlib import Path

from bot.library.base import LABELS, LibraryError, LibraryStore, StoreError
from bot.library.opening import library_location, open_library, server_sources
from bot.library.parsing import check_label, check_unicode, parse_upload
from bot.library.sqlite import DATABASE_NAME, SqliteStore
from bot.library.transfer import drafts_from_folder, export_library
from bot.rendering import describe_date, describe_label
from bot.rendering.feedback import feedback_text, report_days
from bot.rendering.json_output import render_json, source_to_dict
from bot.settings import Settings, is_snowflake, load_settings
from bot.sources import Source, SourceError, read_bytes

CLI_ACTOR = "command line"


def settings_for(args: argparse.Namespace) -> Settings:
    """Settings as `run` reads them; `--sources` wins over CROSSCHECK_SOURCES."""
    return load_settings(sources_dir=getattr(args, "sources", None))


def open_existing_library(
    settings: Settings, *, create: bool = False
) -> tuple[LibraryStore, list[Source]]:
    """`open_library` for the command line: a DATA_DIR without a SQLite library is an error
    (naming the file and where the settings came from) unless `create`. A PostgreSQL library
    (DATABASE_URL) is one database wherever the command runs: no such check."""
    database = library_location(settings.data_dir, settings.database_url)
    if not (create or settings.database_url or Path(database).is_file()):
        raise StoreError(
            f"no library at {database} ({settings.origin}): set DATA_DIR to the bot's data "
            "folder, or run `python -m bot library ... --create` to start a new library there"
        )
    return open_library(settings.sources_dir, settings.data_dir, settings.database_url)


def say_which_library(settings: Settings) -> None:
    """One line on stderr naming the library a command used."""
    where = library_location(settings.data_dir, settings.database_url)
    print(f"Library: {where} ({settings.origin})", file=sys.stderr)


def server_id(value: str) -> int:
    """`--guild`: a Discord server id, refused by argparse (exit 2) when it cannot be one."""
    if not is_snowflake(value.strip()):
        raise argparse.ArgumentTypeError(
            f"{value!r} is not a Discord server ID (a whole number from 1 to 2**63 - 1)"
        )
    return int(value)


def add_library_parser(
    commands: argparse._SubParsersAction, common: argparse.ArgumentParser
) -> None:
    library = commands.add_parser(
        "library", parents=[common], help="a server's library: add, remove, label, list, back up"
    )
    actions = library.add_subparsers(dest="library_command", required=True, metavar="ACTION")
    guild = argparse.ArgumentParser(add_help=False)
    guild.add_argument("--guild", type=server_id, required=True, metavar="ID", help="the server ID")
    guild.add_argument(
        "--create", action="store_true", help="start a new library if DATA_DIR has none"
    )

    add = actions.add_parser("add", parents=[common, guild], help="add a .txt/.md file")
    add.add_argument("file", type=Path)
    add.add_argument("--title")
    add.add_argument("--date", help="YYYY-MM-DD")
    add.add_argument("--label", help=", ".join(LABELS))
    add.set_defaults(handler=_run(_add))

    remove = actions.add_parser("remove", parents=[common, guild], help="remove (or hide) a source")
    remove.add_argument("source_id")
    remove.set_defaults(handler=_run(_remove))

    label = actions.add_parser("label", parents=[common, guild], help="label a source")
    label.add_argument("source_id")
    label.add_argument("label", help=", ".join(LABELS))
    label.set_defaults(handler=_run(_label))

    listing = actions.add_parser("list", parents=[common, guild], help="list the library")
    listing.add_argument("--json", action="store_true", help="print JSON")
    listing.set_defaults(handler=_run(_list))

    export = actions.add_parser("export", parents=[common, guild], help="write a sources folder")
    export.add_argument("folder", type=Path, metavar="DIR")
    export.set_defaults(handler=_run(_export))

    imports = actions.add_parser("import", parents=[common, guild], help="add a sources folder")
    imports.add_argument("folder", type=Path, metavar="DIR")
    imports.set_defaults(handler=_run(_import))

    feedback = actions.add_parser(
        "feedback", parents=[common, guild], help="members' feedback on answers (last 30 days)"
    )
    feedback.add_argument("--json", action="store_true", help="print JSON")
    feedback.set_defaults(handler=_run(_feedback))

    copy = actions.add_parser(
        "copy-to-postgres",
        parents=[common],
        help="copy a SQLite library, whole, into the empty PostgreSQL one at DATABASE_URL",
    )
    copy.add_argument(
        "--from", dest="origin", type=Path, required=True, metavar="PATH",
        help=f"the DATA_DIR folder holding {DATABASE_NAME}, or that file",
    )  # fmt: skip
    copy.set_defaults(handler=_copy_to_postgres)


Action = Callable[[argparse.Namespace, Settings, LibraryStore, list[Source]], str]


def _run(action: Action) -> Callable[[argparse.Namespace], int]:
    """Open the library, run `action`, print its output; one line and exit 2 on bad input."""

    def handler(args: argparse.Namespace) -> int:
        settings = settings_for(args)
        store, base = open_existing_library(settings, create=args.create)
        try:
            output = action(args, settings, store, base)
        except LibraryError as error:
            print(f"error: {error}", file=sys.stderr)
            return 2
        finally:
            store.close()
        say_which_library(settings)  # after the work: an error stays one line
        print(output)
        return 0

    return handler


def _add(
    args: argparse.Namespace, settings: Settings, store: LibraryStore, base: list[Source]
) -> str:
    try:  # a regular file only, and no more of it than the limit (`/dev/zero` never ends)
        raw = read_bytes(args.file, settings.max_source_bytes, "MAX_SOURCE_BYTES")
    except SourceError as error:
        raise LibraryError(f"{error}.") from error
    draft = parse_upload(
        raw, args.file.name, title=args.title, date=args.date, label=args.label,
        origin="file", max_bytes=settings.max_source_bytes,
    )  # fmt: skip
    source = store.add(args.guild, draft, CLI_ACTOR, base, settings.max_sources_per_server)
    return f"Added {source.id} “{source.title}” to server {args.guild}."


def _remove(
    args: argparse.Namespace, settings: Settings, store: LibraryStore, base: list[Source]
) -> str:
    check_unicode(args.source_id, "The source id")
    return _sentence(store.remove(args.guild, args.source_id, CLI_ACTOR, base))


def _label(
    args: argparse.Namespace, settings: Settings, store: LibraryStore, base: list[Source]
) -> str:
    check_unicode(args.source_id, "The source id")
    label = check_label(args.label)
    assert label is not None  # argparse requires a value; check_label refuses blanks as None
    return _sentence(store.set_label(args.guild, args.source_id, label, CLI_ACTOR, base))


def _list(
    args: argparse.Namespace, settings: Settings, store: LibraryStore, base: list[Source]
) -> str:
    sources = server_sources(store, base, args.guild)
    if args.json:
        return render_json([library_entry(s) for s in sources])
    lines = []
    for s in sources:
        added = f", added by {s.added_by} at {s.added_at}" if s.added_by else ", base source"
        label = f" {describe_label(s)}" if s.label else ""
        lines.append(f"{s.id}  {s.title}  ({describe_date(s)}{added}){label}")
    return "\n".join(lines) or "The library is empty."


def library_entry(source: Source) -> dict[str, object]:
    """A source as `library list --json` shows it: `source_to_dict` plus the library metadata."""
    return source_to_dict(source) | {
        "added_by": source.added_by,
        "added_at": source.added_at,
        "origin": source.origin,
        "characters": len(source.text),
    }


def _export(
    args: argparse.Namespace, settings: Settings, store: LibraryStore, base: list[Source]
) -> str:
    count = export_library(server_sources(store, base, args.guild), args.folder)
    return f"Exported {count} sources of server {args.guild} to {args.folder}."


def _import(
    args: argparse.Namespace, settings: Settings, store: LibraryStore, base: list[Source]
) -> str:
    added, skipped = store.add_many(
        args.guild, drafts_from_folder(args.folder, settings.max_source_bytes), CLI_ACTOR, base,
        settings.max_sources_per_server,
    )  # fmt: skip
    line = f"Imported {len(added)} sources into server {args.guild}"
    return line + (f"; {len(skipped)} were already there." if skipped else ".")


def _feedback(
    args: argparse.Namespace, settings: Settings, store: LibraryStore, base: list[Source]
) -> str:
    """What `/library feedback` shows, for one server."""
    days = report_days(settings.feedback_retention_days)
    report = store.feedback_report(args.guild, days)
    return render_json(asdict(report)) if args.json else feedback_text(report)


def _copy_to_postgres(args: argparse.Namespace) -> int:
    """Copy every table of a SQLite library (sources with their ids, labels, hidden base
    sources, history, feedback) into the PostgreSQL library at DATABASE_URL, in one
    transaction. The target must be empty: a second run, or a target in use, is refused."""
    from bot.library.postgres import PostgresStore

    settings = settings_for(args)
    if not settings.database_url:
        raise LibraryError(
            "copy-to-postgres copies into the PostgreSQL library at DATABASE_URL: set it "
            "(DATABASE_URL=postgresql://… python -m bot library copy-to-postgres --from DIR)."
        )
    path = args.origin / DATABASE_NAME if args.origin.is_dir() else args.origin
    if not path.is_file():
        raise LibraryError(f"There is no SQLite library at {path}.")
    source = SqliteStore(path)
    try:
        target = PostgresStore(settings.database_url)
        try:
            counts = target.copy_from(source)
        finally:
            target.close()
    finally:
        source.close()
    print(
        f"Copied {counts['source']} added sources, {counts['base_override']} changed base "
        f"sources, {counts['history']} history lines and {counts['answer_record']} recorded "
        f"answers with {counts['feedback']} feedback from {path} to {target.where}."
    )
    return 0


def _sentence(summary: str) -> str:
    return summary[:1].upper() + summary[1:] + "."
