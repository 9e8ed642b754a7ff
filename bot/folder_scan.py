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

import json
import logging
import os
import stat
import tempfile
import time
from pathlib import Path

from bot.sources import FileText, Source, TextFacts, read_entry, sources_of_folder

log = logging.getLogger(__name__)

RECORD_VERSION = 1
# A file changed this recently may change again within the same tick of its clock, keeping its
# size and times: it is not trusted by its stat, only read (as git treats "racily clean" files).
SETTLED_NS = 2_000_000_000
Stamp = tuple[int, int, int, int]  # size, mtime_ns, ctime_ns, inode


Record = dict[str, tuple["Stamp | None", TextFacts]]  # file name -> (stamp, facts)


def scan_sources(folder: Path, record_path: Path) -> list[Source]:
    """`load_sources(folder)`, reading only the files whose stat differs from the record at
    `record_path` (rewritten when anything changed; a missing or broken record reads all)."""
    root = Path(folder).resolve()
    known = _load_record(record_path, root)
    seen: Record = {}
    now = time.time_ns()

    def read(entry: Path, root: Path) -> tuple[str | FileText, TextFacts]:
        name, found = entry.name, _stamp(entry, root)
        stamp, facts = known.get(name, (None, None))
        if found and stamp == found[1] and facts:
            text: str | FileText = FileText(found[0], name, facts)
        else:
            text, facts = read_entry(entry, root)
        settled = found is not None and now - found[1][1] >= SETTLED_NS
        seen[name] = (found[1] if settled else None, facts)
        return text, facts

    sources = sources_of_folder(folder, read)
    if seen != known:
        _save_record(record_path, root, seen)
    return sources


def _stamp(entry: Path, root: Path) -> tuple[Path, Stamp] | None:
    """(the regular file `entry` is or links to inside `root`, its stamp), or None when it is
    anything else: the reader then says what is wrong with it."""
    try:
        info = os.lstat(entry)
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
    """The record at `path` if it is one of `root`'s, else nothing (every file is read)."""
    try:
        document = json.loads(path.read_bytes())
        if document["version"] != RECORD_VERSION or document["folder"] != str(root):
            return {}
        return {name: _entry(*fields) for name, fields in document["files"].items()}
    except FileNotFoundError:
        return {}
    except (OSError, ValueError, TypeError, KeyError, AttributeError) as error:
        log.warning("the file record %s is unreadable (%s): reading every file", path, error)
        return {}


def _entry(
    stamp: list[int] | None, digest: str, length: int, heading: str, dateline: str | None
) -> tuple[Stamp | None, TextFacts]:
    """One file's record, checked: anything else raises `TypeError` or `ValueError`."""
    if stamp is not None and (len(stamp) != 4 or not all(type(n) is int for n in stamp)):
        raise ValueError("a stamp is not four integers")
    if not (isinstance(digest, str) and type(length) is int and isinstance(heading, str)):
        raise TypeError("a text's facts are not a hash, a length and a heading")
    if dateline is not None and not isinstance(dateline, str):
        raise TypeError("a dateline is not a string")
    return (tuple(stamp) if stamp else None), TextFacts(digest, length, heading, dateline)  # type: ignore[return-value]


def _save_record(path: Path, root: Path, record: Record) -> None:
    """Write atomically (a temporary file moved into place); a failure is logged, not raised."""
    files = {
        name: [list(stamp) if stamp else None, f.digest, f.length, f.heading, f.dateline]
        for name, (stamp, f) in record.items()
    }
    document = {"version": RECORD_VERSION, "folder": str(root), "files": files}
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
