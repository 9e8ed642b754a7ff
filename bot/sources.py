"""Sources: the text files an answer may quote, with the metadata each citation shows.

A source folder holds `.txt` and `.md` files and, optionally, a `sources.toml` that gives each
file an id, a title and a date. Without metadata the id comes from the file name, the title from
the first line (or the file name) and the date from a leading ISO dateline, if there is one.
"""

from __future__ import annotations

import datetime as dt
import re
import tomllib
from dataclasses import dataclass
from pathlib import Path

SOURCE_SUFFIXES = (".txt", ".md")
METADATA_FILE = "sources.toml"
MAX_SOURCE_BYTES = 5_000_000
MAX_TITLE_CHARS = 120
# The bundled seeds: `seeds/` in the working folder (a checkout), else beside the package.
DEFAULT_SOURCES_DIR = Path(__file__).resolve().parent.parent / "seeds"

_DATELINE = re.compile(r"^\s*(?:date\s+)?(\d{4}-\d{2}-\d{2})\b", re.IGNORECASE)
_ID_PREFIX = re.compile(r"^(\d+)[_\-\s]")
_MARKUP_PREFIX = re.compile(r"^[\s#>*\-•✔]+")


class SourceError(Exception):
    """A source folder or file that cannot be used; the message says why, in one line."""


@dataclass(frozen=True)
class Source:
    """One source text, verbatim, with what a citation shows about it."""

    id: str
    title: str
    date: str | None
    path: Path | None  # the file a folder source was read from; None for a stored source
    text: str
    # Library metadata (see `bot.library`): a moderator's label, who added it and when (ISO
    # time), a hash of the text, and where it came from ("file", "upload", "message", ...).
    label: str | None = None
    added_by: str | None = None
    added_at: str | None = None
    content_hash: str | None = None
    origin: str | None = None


def load_sources(folder: Path) -> list[Source]:
    """Read every `.txt`/`.md` file in `folder`, sorted by id.

    Raises `SourceError` when the folder is missing or empty, or when any file in it cannot be
    read as text: a moderator should hear about a broken source, not lose it silently.
    """
    folder = Path(folder)
    if not folder.is_dir():
        raise SourceError(f"source folder not found: {folder}")
    files = sorted(
        p for p in folder.iterdir() if p.is_file() and p.suffix.lower() in SOURCE_SUFFIXES
    )
    if not files:
        raise SourceError(f"no .txt or .md files in {folder}")
    metadata = _read_metadata(folder)
    sources = [_load_one(path, metadata.get(path.name, {})) for path in files]
    _check_unique_ids(sources)
    return sorted(sources, key=lambda s: s.id)


def read_text(path: Path) -> str:
    """Return the file's text, or raise `SourceError` if it is too big, binary or not UTF-8."""
    try:
        size = path.stat().st_size
        if size > MAX_SOURCE_BYTES:
            raise SourceError(
                f"{path.name} is too large ({size:,} bytes; at most {MAX_SOURCE_BYTES:,})"
            )
        raw = path.read_bytes()
    except OSError as error:
        raise SourceError(f"cannot read {path}: {error.strerror or error}") from error
    return decode_text(raw, path.name)


def decode_text(raw: bytes, name: str) -> str:
    """`raw` as text, or `SourceError` naming `name` if it is binary, not UTF-8 or empty."""
    if raw.startswith((b"\xff\xfe", b"\xfe\xff")):
        raise SourceError(f"{name} is not UTF-8 text (it looks like UTF-16; save it as UTF-8)")
    if b"\x00" in raw:
        raise SourceError(f"{name} is not a text file (it holds binary data)")
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        raise SourceError(f"{name} is not UTF-8 text (bad byte at offset {error.start})") from error
    if not text.strip():
        raise SourceError(f"{name} is empty")
    return text


def default_title(text: str, name: str) -> str:
    """The title a source gets when none is given: its first short line, else `name`."""
    return _title_from_text(text) or name


def _load_one(path: Path, meta: dict[str, object]) -> Source:
    text = read_text(path)
    title = str(meta.get("title") or default_title(text, path.stem))
    date = meta.get("date", _date_from_dateline(text))
    return Source(
        id=str(meta.get("id") or _id_from_filename(path)),
        title=title,
        date=_normalise_date(date, path),
        path=path,
        text=text,
        label=str(meta["label"]) if meta.get("label") else None,
        origin="file",
    )


def _read_metadata(folder: Path) -> dict[str, dict[str, object]]:
    path = folder / METADATA_FILE
    if not path.exists():
        return {}
    try:
        document = tomllib.loads(read_text(path))
    except tomllib.TOMLDecodeError as error:
        raise SourceError(f"{path.name} is not valid TOML: {error}") from error
    entries = document.get("source", [])
    if not isinstance(entries, list) or not all(
        isinstance(e, dict) and "file" in e for e in entries
    ):
        raise SourceError(f"{path.name}: expected [[source]] tables, each with a `file` key")
    return {str(entry["file"]): entry for entry in entries}


def _id_from_filename(path: Path) -> str:
    match = _ID_PREFIX.match(path.name)
    if match:
        return match.group(1)
    slug = re.sub(r"[^\w]+", "-", path.stem.lower()).strip("-")
    return slug[:40] or "source"


def _title_from_text(text: str) -> str | None:
    for line in text.splitlines():
        line = _MARKUP_PREFIX.sub("", line).strip()
        if line:
            # A short first line is a heading; a long one is body text, not a title.
            return line if len(line) <= MAX_TITLE_CHARS else None
    return None


def _date_from_dateline(text: str) -> str | None:
    match = _DATELINE.match(text)
    return match.group(1) if match else None


def _normalise_date(value: object, path: Path) -> str | None:
    if value in (None, ""):
        return None
    if isinstance(value, dt.date):
        return value.isoformat()
    try:
        return dt.date.fromisoformat(str(value)).isoformat()
    except ValueError as error:
        raise SourceError(f"{path.name}: date {value!r} is not an ISO date (YYYY-MM-DD)") from error


def _check_unique_ids(sources: list[Source]) -> None:
    seen: dict[str, str] = {}
    for source in sources:
        if source.id in seen:
            raise SourceError(
                f"two sources share the id {source.id!r}: "
                f"{seen[source.id]} and {source.path.name if source.path else source.title}"
            )
        seen[source.id] = source.path.name if source.path else source.title
