"""Bytes or pasted text in, a checked `Draft` out: the one place a moderator's upload is checked.

Shared by `/library add`, `/library paste`, the "Add to sources" menu and `python -m bot library
add|import`. Every refusal is a `LibraryError` whose message a moderator can act on.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import re
import unicodedata
from pathlib import PurePath

from bot.library.base import LABELS, Draft, LibraryError
from bot.passages import passage_spans
from bot.settings import DEFAULT_MAX_SOURCE_BYTES
from bot.sources import SOURCE_SUFFIXES, SourceError, decode_text, default_title, too_large
from bot.text_cleanup import printable_line

# A title is shown as an embed title (256 characters) and in autocomplete choices (100, trimmed
# with "…" there); the embed limit is the hard one.
MAX_TITLE_CHARS = 256
TEXT_CONTENT_TYPES = ("text/plain", "text/markdown", "text/x-markdown")
_ISO_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")


def parse_upload(
    raw: bytes,
    name: str,
    *,
    title: str | None = None,
    date: str | None = None,
    label: str | None = None,
    origin: str = "upload",
    max_bytes: int = DEFAULT_MAX_SOURCE_BYTES,
    content_type: str | None = None,
) -> Draft:
    """Check an uploaded file (`name` is its file name) and return it as a draft source.

    The content is checked before the name, so a binary file is refused as binary, whatever
    it is called. A name without .txt/.md passes only if Discord typed it as plain text.
    """
    check_size(len(raw), name, max_bytes)
    try:
        text = decode_text(raw, name)
    except SourceError as error:
        raise LibraryError(f"{error}.") from error
    if not is_text_file(name, content_type):
        raise LibraryError(f"{name} is not a .txt or .md file; only plain text sources are kept.")
    # A command-line file name may carry undecodable bytes (as lone surrogates): not a title.
    fallback = PurePath(name).stem.encode("utf-8", "replace").decode("utf-8")
    return parse_text(
        text, title=title, date=date, label=label, origin=origin, fallback_title=fallback,
        max_bytes=max_bytes,
    )  # fmt: skip


def parse_text(
    text: str,
    *,
    title: str | None = None,
    date: str | None = None,
    label: str | None = None,
    origin: str,
    fallback_title: str = "Untitled",
    max_bytes: int = DEFAULT_MAX_SOURCE_BYTES,
) -> Draft:
    """Check a source's text and metadata (pasted or decoded) and return it as a draft.

    The text is kept as NFC (`unicodedata`): the same words typed or saved in decomposed form
    are then the same text, byte for byte, to the duplicate check and to every quote.
    """
    check_unicode(text, "The text")
    if "\x00" in text:  # a file with one is refused by `decode_text`; pasted text too
        raise LibraryError("The text is not plain text (it holds binary data).")
    text = unicodedata.normalize("NFC", text)
    if not text.strip():
        raise LibraryError("The text is empty; there is nothing to quote.")
    check_size(len(text.encode("utf-8")), "The text", max_bytes)
    if not passage_spans(text):
        raise LibraryError("The text holds no sentence to quote.")
    return Draft(
        text=text,
        title=check_title(title) if title and title.strip() else _auto_title(text, fallback_title),
        date=check_date(date),
        label=check_label(label),
        origin=origin,
        content_hash=content_hash(text),
    )


def is_text_file(name: str, content_type: str | None = None) -> bool:
    """A .txt/.md name, or a plain-text or Markdown content type."""
    kind = (content_type or "").split(";")[0].strip().lower()
    return PurePath(name).suffix.lower() in SOURCE_SUFFIXES or kind in TEXT_CONTENT_TYPES


def check_size(size: int, name: str, max_bytes: int) -> None:
    if size > max_bytes:
        raise LibraryError(f"{too_large(name, size, max_bytes, 'MAX_SOURCE_BYTES')}.")


def check_unicode(value: str, what: str) -> None:
    """Refuse what cannot be stored as UTF-8: a lone surrogate (half of an emoji's UTF-16 pair,
    from a broken client, or an undecodable byte of a command-line argument)."""
    try:
        value.encode("utf-8")
    except UnicodeEncodeError as error:
        raise LibraryError(
            f"{what} is not valid Unicode (a broken character at position {error.start + 1}); "
            "copy it again from the original."
        ) from None


def check_title(title: str) -> str:
    """The title as one displayable line (no controls, bidi or zero-width characters)."""
    check_unicode(title, "The title")
    cleaned = printable_line(title)
    if not cleaned:
        raise LibraryError("The title is empty.")
    if len(cleaned) > MAX_TITLE_CHARS:
        raise LibraryError(
            f"The title is {len(cleaned)} characters long; Discord shows at most {MAX_TITLE_CHARS}."
        )
    return cleaned


def check_date(date: str | None) -> str | None:
    if date is None or not date.strip():
        return None
    value = date.strip()
    try:
        if not _ISO_DATE.fullmatch(value):
            raise ValueError(value)
        return dt.date.fromisoformat(value).isoformat()
    except ValueError:
        raise LibraryError(f"The date {value!r} is not a date as YYYY-MM-DD.") from None


def check_label(label: str | None) -> str | None:
    if label is None or not label.strip():
        return None
    value = label.strip().casefold()
    if value not in LABELS:
        raise LibraryError(f"The label {label!r} is not one of {', '.join(LABELS)}.")
    return value


def content_hash(text: str) -> str:
    """A hash of the text as a reader sees it: line endings, outer whitespace and the Unicode
    normal form (a base file may be NFD; it is quoted as it is) do not count."""
    lines = unicodedata.normalize("NFC", text).strip().splitlines()
    normalised = "\n".join(line.rstrip() for line in lines)
    return hashlib.sha256(normalised.encode("utf-8")).hexdigest()


def _auto_title(text: str, fallback: str) -> str:
    title = default_title(text, fallback)
    return check_title(title[:MAX_TITLE_CHARS]) if title.strip() else "Untitled"
