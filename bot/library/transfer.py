"""Export a server's library as a sources folder, and import such a folder into a server.

An export is what `--sources DIR` reads: one `<id>.txt` per source, its text byte for byte, and
a `sources.toml` giving each file its id, title, date and label. So a backup is also a base set.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from pathlib import Path

from bot.library.base import Draft, LibraryError
from bot.library.parsing import check_date, check_label, check_title, content_hash
from bot.sources import METADATA_FILE, Source, SourceError, load_sources


def export_library(sources: Sequence[Source], folder: Path) -> int:
    """Write `sources` into `folder` (new or empty); returns how many files were written."""
    folder = Path(folder)
    if folder.exists() and (not folder.is_dir() or any(folder.iterdir())):
        raise LibraryError(f"{folder} is not an empty folder; export into a new one.")
    folder.mkdir(parents=True, exist_ok=True)
    entries = []
    for source in sources:
        name = f"{source.id}.txt"
        (folder / name).write_bytes(source.text.encode("utf-8"))
        entry = {"file": name, "id": source.id, "title": source.title}
        if source.date:
            entry["date"] = source.date
        if source.label:
            entry["label"] = source.label
        entries.append(
            "[[source]]\n"
            + "".join(
                f"{key} = {json.dumps(value, ensure_ascii=False)}\n" for key, value in entry.items()
            )
        )
    (folder / METADATA_FILE).write_text("\n".join(entries), encoding="utf-8")
    return len(entries)


def drafts_from_folder(folder: Path) -> list[Draft]:
    """The sources of a folder (an export, or any sources folder) as drafts to add."""
    try:
        sources = load_sources(folder)
    except SourceError as error:
        raise LibraryError(str(error)) from error
    return [
        Draft(
            text=s.text,
            title=check_title(s.title),
            date=check_date(s.date),
            label=check_label(s.label),
            origin="import",
            content_hash=content_hash(s.text),
        )
        for s in sources
    ]
