"""A sources folder checked by its files' sizes and times, not their bytes.

`scan_sources` gives what `load_sources` gives, but reads only the files that changed since the
last scan: a record beside the saved index keeps, for each file name, its size, modification
and change times (nanoseconds) and inode with the facts of its text (`TextFacts`: the hash the
saved index is keyed by, its length, heading and dateline). A file whose stat matches its record
is not read: its text stays in the file (`FileText`), read at its first use (an excerpt quoted
from it), and refused then if it no longer has the recorded hash. A file that was read and
checked before and has not changed since needs no new check: the record stands for the size,
encoding and emptiness checks `load_sources` makes (the record only ever holds files that
passed them). Everything else is checked as `load_sources` checks it, every time: the folder,
`sources.toml`, the ids, a link (resolved each time: it must point to a regular file inside the
folder). A changed, new or recently written file is read; a touched file with the same text keeps
its hash, so the saved index still holds its analysis.
"""

from __future__ import annotations

import hashlib
import json
import logging
import os
import stat
import tempfile
import time
from pathlib import Path
from typing import NamedTuple

from bot.sources import (
    METADATA_FILE,
    FileText,
    Source,
    SourceError,
    TextFacts,
    is_source_name,
    read_entry,
    read_inside,
    sources_of_folder,
)

log = logging.getLogger(__name__)

RECORD_VERSION = 2
# A file changed this recently may change again within the same tick of its clock, keeping its
# size and times: it is not trusted by its stat, only read (as git treats "racily clean" files).
SETTLED_NS = 2_000_000_000
Stamp = tuple[int, int, int, int]  # size, mtime_ns, ctime_ns, inode
Shown = tuple[str, str, "str | None", "str | None"]  # a source's id, title, date and label


class Entry(NamedTuple):
    """What the record keeps of one file: its stamp (None: read it next time), its text's
    facts, and what its source showed (id, title, date, label)."""

    stamp: Stamp | None
    facts: TextFacts
    shown: Shown


class Record(NamedTuple):
    files: dict[str, Entry]  # by file name
    key: str  # `_folder_key` of the scan that wrote it


def scan_sources(folder: Path, record_path: Path) -> list[Source]:
    """`load_sources(folder)`, reading only the files whose stat differs from the record at
    `record_path` (rewritten when anything changed; a missing or broken record reads all).

    When no file changed and the names and `sources.toml` are those of the record, the sources
    are the record's (what `load_sources` decides depends on nothing else); otherwise they are
    made again, as `load_sources` makes them, from the texts read and the record's facts."""
    folder = Path(folder)
    root = folder.resolve()
    known = _load_record(record_path, root)
    replayed = _replayed(folder, root, known)
    if replayed is not None:
        return replayed
    seen: dict[str, tuple[Stamp | None, TextFacts]] = {}
    now = time.time_ns()

    def read(entry: Path, root: Path) -> tuple[str | FileText, TextFacts]:
        name, found = entry.name, _stamp(entry, root)
        old = known.files.get(name)
        if found and old and old.stamp == found[1]:
            facts = old.facts
            text: str | FileText = FileText(found[0], name, facts)
        else:
            text, facts = read_entry(entry, root)
        settled = found is not None and now - found[1][1] >= SETTLED_NS
        seen[name] = (found[1] if settled else None, facts)
        return text, facts

    sources = sources_of_folder(folder, read)
    files = {
        source.path.name: Entry(*seen[source.path.name], _shown(source))
        for source in sources
        if source.path is not None
    }
    record = Record(files, _folder_key(folder, root, sorted(files)) or "")
    if record != known:
        _save_record(record_path, root, record)
    return sources


def _replayed(folder: Path, root: Path, known: Record) -> list[Source] | None:
    """The record's sources if every file is as recorded (no file added, removed or changed;
    `sources.toml` the same), else None."""
    if not known.files or not folder.is_dir():
        return None
    entries = {p.name: p for p in folder.iterdir() if is_source_name(p.name)}
    if _folder_key(folder, root, sorted(entries)) != known.key:
        return None  # a source file added or removed, or other metadata
    with os.scandir(folder) as listing:  # each one's lstat without making its path a string
        infos = {e.name: e.stat(follow_symlinks=False) for e in listing if e.name in entries}
    sources = []
    for name, entry in known.files.items():
        found = _stamp(entries[name], root, infos[name])
        if found is None or entry.stamp is None or found[1] != entry.stamp:
            return None
        source_id, title, date, label = entry.shown
        text = FileText(found[0], name, entry.facts)
        sources.append(Source(source_id, title, date, entries[name], text, label, origin="file"))
    return sorted(sources, key=lambda s: s.id)


def _folder_key(folder: Path, root: Path, names: list[str]) -> str | None:
    """A hash of what a folder's sources depend on besides their texts: the file names and
    `sources.toml` (None when it cannot be read: the full scan says why)."""
    digest = hashlib.sha256("\0".join(names).encode("utf-8", "surrogatepass"))
    metadata = folder / METADATA_FILE
    if os.path.lexists(metadata):
        try:
            digest.update(b"\0metadata\0" + read_inside(metadata, root))
        except SourceError:
            return None
    return digest.hexdigest()


def _shown(source: Source) -> Shown:
    return source.id, source.title, source.date, source.label


def _stamp(
    entry: Path, root: Path, info: os.stat_result | None = None
) -> tuple[Path, Stamp] | None:
    """(the regular file `entry` is or links to inside `root`, its stamp), or None when it is
    anything else: the reader then says what is wrong with it. `info`: its lstat, if known."""
    try:
        info = info or os.lstat(entry)
        target = entry
        if stat.S_ISLNK(info.st_mode):
            target = entry.resolve(strict=True)
            if not target.is_relative_to(root):
                return None
            info = os.stat(target)
    except (OSError, RuntimeError):  # RuntimeError: a link loop on Python < 3.13
        return None
    if not stat.S_ISREG(info.st_mode):
        return None
    return target, (info.st_size, info.st_mtime_ns, info.st_ctime_ns, info.st_ino)


def _load_record(path: Path, root: Path) -> Record:
    """The record at `path` if it is one of `root`'s, else an empty one (every file is read)."""
    try:
        document = json.loads(path.read_bytes())
        if document["version"] != RECORD_VERSION or document["folder"] != str(root):
            return Record({}, "")
        files = {name: _entry(*fields) for name, fields in document["files"].items()}
        return Record(files, str(document["key"]))
    except FileNotFoundError:
        return Record({}, "")
    except (OSError, ValueError, TypeError, KeyError, AttributeError) as error:
        log.warning("the file record %s is unreadable (%s): reading every file", path, error)
        return Record({}, "")


def _entry(stamp: list[int] | None, facts: list[object], shown: list[str | None]) -> Entry:
    """One file's record, checked: anything else raises `TypeError` or `ValueError`."""
    if stamp is not None:
        size, mtime, ctime, inode = stamp  # (one expression a check: there are thousands)
        if not type(size) is type(mtime) is type(ctime) is type(inode) is int:
            raise TypeError("a stamp is not four integers")
    digest, length, heading, dateline = facts
    source_id, title, date, label = shown
    strings = type(digest) is type(heading) is type(source_id) is type(title) is str
    if not (
        strings and type(length) is int and {type(dateline), type(date), type(label)} <= _OPTIONAL
    ):
        raise TypeError("a text's facts or its source's id, title, date or label are no strings")
    text_facts = TextFacts(digest, length, heading, dateline)  # type: ignore[arg-type]
    return Entry(tuple(stamp) if stamp else None, text_facts, (source_id, title, date, label))  # type: ignore[arg-type]


_OPTIONAL = {str, type(None)}


def _save_record(path: Path, root: Path, record: Record) -> None:
    """Write atomically (a temporary file moved into place); a failure is logged, not raised."""
    files = {
        name: [list(e.stamp) if e.stamp else None, list(e.facts), list(e.shown)]
        for name, e in record.files.items()
    }
    document = {"version": RECORD_VERSION, "folder": str(root), "key": record.key, "files": files}
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        handle, tmp = tempfile.mkstemp(prefix=".files-", suffix=".json", dir=path.parent)
        try:
            with os.fdopen(handle, "w", encoding="utf-8") as out:
                json.dump(document, out, ensure_ascii=False, separators=(",", ":"))
            os.replace(tmp, path)
        except BaseException:
            Path(tmp).unlink(missing_ok=True)
            raise
    except OSError as error:
        log.warning("could not save the file record %s: %s", path, error)
