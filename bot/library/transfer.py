"""Export a server's library as a sources folder, and import such a folder into a server.

An export is what `--sources DIR` reads: one `<id>.txt` per source, its text byte for byte, and
a `sources.toml` giving each file its id, title, date and label. So a backup is also a base set.
"""

from __future__ import annotations

import json
import os
from collections.abc import Sequence
from pathlib import Path

from bot.library.base import Draft, LibraryError
from bot.library.parsing import parse_text
from bot.settings import DEFAULT_MAX_SOURCE_BYTES
from bot.sources import METADATA_FILE, Source, SourceError, id_problem, load_sources

# Create, never overwrite or follow a link: a name that is there already is an error.
_NEW_FILE = os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_NOFOLLOW", 0)


def export_library(sources: Sequence[Source], folder: Path) -> int:
    """Write `sources` into `folder` (new or empty); returns how many files were written.

    Every file is created inside `folder` or nothing is written: ids are checked as file names
    first (`sources.toml` ids are checked when read; this is the second line of defence).
    """
    folder = Path(folder)
    for source in sources:
        if problem := id_problem(source.id):
            raise LibraryError(f"The source id {problem}; nothing was exported.")
    _make_empty_folder(folder)
    entries = []
    try:
        for source in sources:
            name = f"{source.id}.txt"
            _write_new(folder, name, source.text)
            entry = {"file": name, "id": source.id, "title": source.title}
            if source.date:
                entry["date"] = source.date
            if source.label:
                entry["label"] = source.label
            entries.append(
                "[[source]]\n"
                + "".join(
                    f"{key} = {json.dumps(value, ensure_ascii=False)}\n"
                    for key, value in entry.items()
                )
            )
        _write_new(folder, METADATA_FILE, "\n".join(entries))
    except OSError as error:
        raise LibraryError(f"cannot write into {folder}: {error.strerror or error}") from error
    return len(entries)


def _make_empty_folder(folder: Path) -> None:
    if folder.is_symlink() and not folder.exists():
        raise LibraryError(f"{folder} is a broken link; export into a new folder.")
    try:
        if folder.exists() and (not folder.is_dir() or any(folder.iterdir())):
            raise LibraryError(f"{folder} is not an empty folder; export into a new one.")
        folder.mkdir(parents=True, exist_ok=True)
    except OSError as error:  # under a file, no permission, a read-only disk
        raise LibraryError(
            f"cannot create the folder {folder}: {error.strerror or error}"
        ) from error


def _write_new(folder: Path, name: str, text: str) -> None:
    """Create `folder/name` (a plain name, so the file is in `folder`) and write `text`."""
    if Path(name).name != name:
        raise LibraryError(f"{name!r} is not a plain file name; nothing more was exported.")
    with os.fdopen(os.open(folder / name, _NEW_FILE, 0o644), "wb") as file:
        file.write(text.encode("utf-8"))


def drafts_from_folder(folder: Path, max_bytes: int = DEFAULT_MAX_SOURCE_BYTES) -> list[Draft]:
    """The sources of a folder (an export, or any sources folder) as drafts to add, each checked
    as an upload is (`parse_text`); a source that fails refuses the import, naming its file."""
    try:
        sources = load_sources(folder)
    except SourceError as error:
        raise LibraryError(str(error)) from error
    drafts = []
    for s in sources:
        try:
            drafts.append(
                parse_text(
                    s.text,
                    title=s.title,
                    date=s.date,
                    label=s.label,
                    origin="import",
                    max_bytes=max_bytes,
                )  # fmt: skip
            )
        except LibraryError as error:
            name = s.path.name if s.path else s.id
            raise LibraryError(f"{name}: {error} Nothing was imported.") from error
    return drafts
