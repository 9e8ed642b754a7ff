"""Sources: the text files an answer may quote, with the metadata each citation shows.

A source folder holds `.txt` and `.md` files and, optionally, a `sources.toml` that gives each
file an id, a title and a date. Without metadata the id comes from the file name, the title from
the first line (or the file name) and the date from a leading ISO dateline, if there is one.
"""

from __future__ import annotations

import codecs
import datetime as dt
import hashlib
import os
import re
import stat
import tomllib
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import NamedTuple

from bot.sources.ids import DATE_PREFIX, ids_from_filenames, split_name
from bot.text_cleanup import printable_line

SOURCE_SUFFIXES = (".txt", ".md")
METADATA_FILE = "sources.toml"
MAX_SOURCE_BYTES = 5_000_000
MAX_TITLE_CHARS = 120
# An id names a file on export (`<id>.txt`); most file systems allow 255 bytes a name.
MAX_ID_BYTES = 200
# The bundled seeds: `seeds/` in the working folder (a checkout), else beside the package.
DEFAULT_SOURCES_DIR = Path(__file__).resolve().parents[2] / "seeds"

_DATELINE = re.compile(r"^\s*(?:date\s+)?(\d{4}-\d{2}-\d{2})\b", re.IGNORECASE)
_MARKUP_PREFIX = re.compile(r"^[\s#>*\-•✔]+")


class SourceError(Exception):
    """A source folder or file that cannot be used; the message says why, in one line."""


def text_hash(text: str) -> str:
    """The hash a saved index knows a source's text by (its exact characters)."""
    return hashlib.sha256(text.encode("utf-8", "surrogatepass")).hexdigest()


class TextFacts(NamedTuple):  # a tuple: a folder's thousands are made and compared quickly
    """What a source's metadata and index need from its text, kept so that an unchanged file
    need not be read: its hash, length in characters, heading (`default_title`'s, printable)
    and leading ISO dateline."""

    digest: str
    length: int
    heading: str
    dateline: str | None

    @classmethod
    def of(cls, text: str) -> TextFacts:
        heading = printable_line(_title_from_text(text) or "")
        return cls(text_hash(text), len(text), heading, _date_from_dateline(text))


class FileText(NamedTuple):
    """A source's text still in its file, read on first use: only when it is the text the facts
    describe (a file changed since is refused, never quoted at the old offsets)."""

    path: Path  # a regular file (a link inside the folder: what it points to)
    name: str  # the folder entry's name, for messages
    facts: TextFacts

    def read(self) -> str:
        text = decode_text(_read_regular_file(self.path, self.name), self.name)
        if text_hash(text) != self.facts.digest:
            raise SourceError(f"{self.name} changed while this ran: run again to use its new text")
        return text


class _Text:
    """`Source.text`: a string, or a `FileText` read (once) when the text is first asked for."""

    def __get__(self, source: Source | None, owner: type | None = None) -> str:
        if source is None:
            raise AttributeError("text")  # the field has no default
        value = source.__dict__["_text"]
        if isinstance(value, FileText):
            value = source.__dict__["_text"] = value.read()
        return value

    def __set__(self, source: Source, value: str | FileText) -> None:
        source.__dict__["_text"] = value


@dataclass(frozen=True)
class Source:
    """One source text, verbatim, with what a citation shows about it.

    `text` may be given as a `FileText`: it is then read at its first use (equality, hashing and
    `repr` use it too, so they read it)."""

    id: str
    title: str
    date: str | None
    path: Path | None  # the file a folder source was read from; None for a stored source
    text: str = _Text()  # type: ignore[assignment]
    # Library metadata (see `bot.library`): a moderator's label, who added it and when (ISO
    # time), a hash of the text, and where it came from ("file", "upload", "message", ...).
    label: str | None = None
    added_by: str | None = None
    added_at: str | None = None
    content_hash: str | None = None
    origin: str | None = None


def unread_facts(source: Source) -> TextFacts | None:
    """The facts of a source's text while it is still unread in its file, else None."""
    value = source.__dict__.get("_text")
    return value.facts if isinstance(value, FileText) else None


def text_length(source: Source) -> int:
    """The length of a source's text in characters, without reading a file to know it."""
    facts = unread_facts(source)
    return facts.length if facts else len(source.text)


# How a folder's entry is read: (folder entry, the resolved folder) -> its text (or where it
# is, unread) and the facts of that text.
EntryReader = Callable[[Path, Path], tuple["str | FileText", TextFacts]]


def load_sources(folder: Path) -> list[Source]:
    """Read every `.txt`/`.md` file in `folder`, sorted by id.

    Raises `SourceError` when the folder is missing or empty, or when any file in it cannot be
    read as text: a moderator should hear about a broken source, not lose it silently. Links are
    followed only to regular files inside the folder; a link out of it, a broken link, a link loop,
    a FIFO or a folder named like a source fails the whole folder with the entry's name.
    """
    return sources_of_folder(folder, read_entry)


def read_entry(entry: Path, root: Path) -> tuple[str, TextFacts]:
    """The `EntryReader` that reads: the text of `entry` (see `load_sources`) and its facts."""
    text = decode_text(read_inside(entry, root), entry.name)
    return text, TextFacts.of(text)


def sources_of_folder(folder: Path, read: EntryReader) -> list[Source]:
    """`load_sources`, each entry's text given by `read`."""
    folder = Path(folder)
    if folder.exists() and not folder.is_dir():
        raise SourceError(
            f"{folder} is a file, not a folder: name the folder that holds the sources"
        )
    if not folder.is_dir():
        raise SourceError(f"source folder not found: {folder}")
    root = folder.resolve()
    # Kept by name (a folder holds thousands: names are quicker to sort and look up than paths)
    entries = {p.name: p for p in folder.iterdir()}
    names = [name for name in entries if is_source_name(name)]
    if not names:
        raise SourceError(f"no .txt or .md files in {folder}")
    names.sort(key=os.path.normcase)  # the order of their paths
    metadata = _read_metadata(folder, root, set(names))
    texts = {name: read(entries[name], root) for name in names}
    given_ids = {n: str(metadata[n]["id"]) for n in names if "id" in metadata.get(n, {})}
    ids = ids_from_filenames(names, given_ids)
    for name, source_id in ids.items():
        if problem := id_problem(source_id):  # a file name's id is safe; this is a backstop
            raise SourceError(f"the id of {name} {problem}")
    sources = [_load_one(entries[n], ids[n], *texts[n], metadata.get(n, {})) for n in names]
    _check_unique_ids(sources)
    return sorted(sources, key=lambda s: s.id)


def is_source_name(name: str) -> bool:
    """Whether a folder's entry called `name` is one of its sources (`.txt` or `.md`)."""
    return split_name(name)[1].lower() in SOURCE_SUFFIXES


def read_text(path: Path) -> str:
    """Return the file's text, or raise `SourceError` if it is too big, binary or not UTF-8."""
    return decode_text(_read_regular_file(Path(path), Path(path).name), Path(path).name)


def read_bytes(path: Path, max_bytes: int, setting: str | None = None) -> bytes:
    """The bytes of regular file `path`, or `SourceError` if it is not one or is over `max_bytes`
    (no more than `max_bytes` + 1 bytes are read; `setting` is named in that message)."""
    return _read_regular_file(Path(path), str(path), max_bytes, setting)


def too_large(name: str, size: int, max_bytes: int, setting: str | None = None) -> str:
    """The one wording of "too large", for a folder's file and a moderator's upload alike."""
    limit = f"at most {max_bytes:,}" + (f", {setting}" if setting else "")
    return f"{name} is too large ({size:,} bytes; {limit})"


def id_problem(source_id: str) -> str | None:
    """Why `source_id` cannot be a source's id, or None. An id names a file in an export
    (`<id>.txt`), so it must be one plain file name: no path, no hidden or special name."""
    if not source_id.strip():
        return "is empty"
    if any(ch in source_id for ch in "/\\:\0"):
        why = "it holds /, \\ or : (an id is a name, not a path)"
    elif source_id.startswith("."):
        why = "it starts with a dot"
    elif len(source_id.encode("utf-8", "surrogatepass")) > MAX_ID_BYTES:
        why = f"it is longer than {MAX_ID_BYTES} bytes"
    else:
        return None
    return f"cannot name a file ({source_id[:60]!r}): {why}"


def decode_text(raw: bytes, name: str) -> str:
    """Return `raw` as text, or raise `SourceError` saying in one line why it is not usable text.

    `name` is what the message calls the file (an upload's or a source's file name).
    """
    encoding = _wide_encoding(raw)
    if encoding:
        raise SourceError(f"{name} is {encoding} text, not UTF-8: save it as UTF-8")
    if b"\x00" in raw:
        raise SourceError(f"{name} is not a text file (it holds binary data)")
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        raise SourceError(f"{name} is not UTF-8 text (bad byte at offset {error.start})") from error
    if not text.strip():
        raise SourceError(f"{name} is empty")
    return text


def _wide_encoding(raw: bytes) -> str | None:
    """ "UTF-16" or "UTF-32" when `raw` starts with that byte-order mark, or (without one) has
    the NUL byte every other position that UTF-16 gives Latin text; else None."""
    if raw.startswith((codecs.BOM_UTF32_LE, codecs.BOM_UTF32_BE)):
        return "UTF-32"
    if raw.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return "UTF-16"
    sample = raw[:4096]
    halves = (sample[0::2], sample[1::2])
    if len(sample) >= 4 and any(
        half.count(0) >= 0.9 * len(half) and other.count(0) <= 0.1 * len(other)
        for half, other in (halves, halves[::-1])
    ):
        return "UTF-16"
    return None


def read_inside(entry: Path, root: Path) -> bytes:
    """The bytes of folder entry `entry`, which must be (or link to) a regular file under `root`."""
    try:
        target = entry.resolve(strict=True)
    except FileNotFoundError as error:
        raise SourceError(
            f"{entry.name} is a broken link (what it points to does not exist)"
        ) from error
    except (RuntimeError, OSError) as error:  # RuntimeError: a link loop on Python < 3.13
        raise SourceError(
            f"{entry.name} cannot be followed (a link loop or unreadable link)"
        ) from error
    if not target.is_relative_to(root):
        raise SourceError(
            f"{entry.name} links to a file outside the source folder; refusing to read it"
        )
    return _read_regular_file(target, entry.name)


def _read_regular_file(
    path: Path, name: str, max_bytes: int = MAX_SOURCE_BYTES, setting: str | None = None
) -> bytes:
    """Read `path` if it is a regular file of at most `max_bytes`; `name` is what errors say.

    Opened without following a final link and without blocking (a FIFO would wait for a writer),
    then checked on the open file, so nothing swapped in after a check is read.
    """
    flags = os.O_RDONLY | os.O_NONBLOCK | getattr(os, "O_NOFOLLOW", 0) | getattr(os, "O_BINARY", 0)
    try:
        fd = os.open(path, flags)
    except OSError as error:
        raise SourceError(
            f"cannot read {name}: {_not_regular(path) or error.strerror or error}"
        ) from error
    mode = os.fstat(fd).st_mode
    if not stat.S_ISREG(mode):
        os.close(fd)
        raise SourceError(f"{name} is not a regular file ({_kind(mode)})")
    with os.fdopen(fd, "rb") as file:
        size = os.fstat(file.fileno()).st_size
        raw = file.read(max_bytes + 1) if size <= max_bytes else b""
    if max(size, len(raw)) > max_bytes:
        raise SourceError(too_large(name, max(size, len(raw)), max_bytes, setting))
    return raw


def _not_regular(path: Path) -> str | None:
    try:
        mode = path.lstat().st_mode
    except OSError:
        return None
    return None if stat.S_ISREG(mode) else f"not a regular file ({_kind(mode)})"


def _kind(mode: int) -> str:
    kinds = {
        stat.S_ISDIR: "a folder",
        stat.S_ISFIFO: "a FIFO",
        stat.S_ISSOCK: "a socket",
        stat.S_ISCHR: "a device",
        stat.S_ISBLK: "a device",
        stat.S_ISLNK: "a link",
    }
    return next((kind for test, kind in kinds.items() if test(mode)), "not a plain file")


def default_title(text: str, name: str) -> str:
    """The title a source gets when none is given: its first short line, else `name`."""
    return printable_line(_title_from_text(text) or "") or printable_line(name) or name


def _load_one(
    path: Path, source_id: str, text: str | FileText, facts: TextFacts, meta: dict[str, object]
) -> Source:
    # The first of: the given title, the text's heading, the file name, that shows something.
    given = printable_line(str(meta["title"])) if meta.get("title") else ""
    name = path.name
    title = given or facts.heading or printable_line(split_name(name)[0]) or source_id
    date = meta.get("date", facts.dateline or _date_from_filename(name))
    return Source(
        id=source_id,
        title=title,
        date=_normalise_date(date, name),
        path=path,
        text=text,
        label=str(meta["label"]) if meta.get("label") else None,
        origin="file",
    )


def _read_metadata(folder: Path, root: Path, names: set[str]) -> dict[str, dict[str, object]]:
    """`sources.toml` entries by file name, checked: every entry names one of `names` once, and
    `file`, `id` and `title` are text, `date` an ISO date (a TOML date or a string)."""
    path = folder / METADATA_FILE
    if not os.path.lexists(path):
        return {}
    try:
        document = tomllib.loads(decode_text(read_inside(path, root), path.name))
    except tomllib.TOMLDecodeError as error:
        raise SourceError(f"{path.name} is not valid TOML: {error}") from error
    entries = document.get("source", [])
    if not isinstance(entries, list) or not all(
        isinstance(e, dict) and "file" in e for e in entries
    ):
        raise SourceError(f"{path.name}: expected [[source]] tables, each with a `file` key")
    metadata: dict[str, dict[str, object]] = {}
    for number, entry in enumerate(entries, start=1):
        where = f"{path.name}, [[source]] number {number}"
        for key in ("file", "id", "title", "date", "label"):
            if key in entry and not _fits(key, entry[key]):
                raise SourceError(
                    f"{where}: `{key}` must be {_EXPECTED[key]}, not {_toml_kind(entry[key])}"
                )
        name = entry["file"]
        if name in metadata:
            raise SourceError(f"{where}: {name} already has an entry; give each file one")
        if name not in names:
            raise SourceError(f"{where}: there is no .txt or .md file {name!r} in the folder")
        if "id" in entry:
            entry = {**entry, "id": printable_line(entry["id"])}
            if problem := id_problem(entry["id"]):
                raise SourceError(f"{where}: the `id` of {name} {problem}")
        metadata[name] = entry
    return metadata


_EXPECTED = {
    "file": "a string",
    "id": "a string",
    "title": "a string",
    "label": "a string",
    "date": 'a date (2025-03-25 or "2025-03-25")',
}


def _fits(key: str, value: object) -> bool:
    if key == "date":
        return isinstance(value, str) or type(value) is dt.date
    return isinstance(value, str)


def _toml_kind(value: object) -> str:
    """What a TOML value is, in the words of the TOML spec."""
    kinds = [
        (bool, "a boolean"),
        (int | float, "a number"),
        (dt.datetime, "a date-time"),
        (dt.date, "a date"),
        (dt.time, "a time"),
        (dict, "a table"),
        (list, "an array"),
    ]
    return next((kind for cls, kind in kinds if isinstance(value, cls)), type(value).__name__)


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


def _date_from_filename(name: str) -> str | None:
    """A leading ISO date of the file name (`2025-03-25 ban.txt`), if it is a real date."""
    match = DATE_PREFIX.match(name)
    try:
        return dt.date.fromisoformat(match.group(1)).isoformat() if match else None
    except ValueError:
        return None  # "2025-13-40 notes.txt" names no date; the name still gives the id


def _normalise_date(value: object, name: str) -> str | None:
    if value in (None, ""):
        return None
    if isinstance(value, dt.date):
        return value.isoformat()
    try:
        return dt.date.fromisoformat(str(value)).isoformat()
    except ValueError as error:
        raise SourceError(f"{name}: date {value!r} is not an ISO date (YYYY-MM-DD)") from error


def _check_unique_ids(sources: list[Source]) -> None:
    seen: dict[str, str] = {}
    for source in sources:
        if source.id in seen:
            raise SourceError(
                f"two sources share the id {source.id!r}: "
                f"{seen[source.id]} and {source.path.name if source.path else source.title}"
            )
        seen[source.id] = source.path.name if source.path else source.title
