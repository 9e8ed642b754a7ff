"""Invisible characters: what analysis ignores and what is never echoed to a screen.

Zero-width characters hide inside words (`Ja\u200bpan`) and split them for a search; bidi controls
reorder what a reader sees (a question echoed as a title can spoof its neighbours); ANSI escapes
and other control characters in a file name or title repaint a terminal.
"""

from __future__ import annotations

import re
import unicodedata

# Soft hyphen, Mongolian vowel separator, zero-width space / non-joiner / joiner, word joiner, BOM.
_ZERO_WIDTH = dict.fromkeys(map(ord, "\u00ad\u180e\u200b\u200c\u200d\u2060\ufeff"))
# Arabic letter mark, LRM/RLM, the embeddings and overrides (LRE..RLO), the isolates (LRI..PDI).
_BIDI_CONTROLS = dict.fromkeys(
    map(ord, "\u061c\u200e\u200f\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069")
)
# CSI (`ESC [ ... m`), OSC (`ESC ] ... BEL`) and two-character escape sequences.
_ANSI_ESCAPE = re.compile(r"\x1b(?:\[[0-?]*[ -/]*[@-~]|\][^\x07\x1b]*(?:\x07|\x1b\\)?|[@-Z\\-_])")


def without_zero_width(text: str) -> str:
    """`text` with zero-width characters removed, so `Ja\u200bpan` reads as `Japan`."""
    return text.translate(_ZERO_WIDTH)


def without_escapes(text: str) -> str:
    """`text` without terminal escape sequences (ESC `[31m` before a word colours it red)."""
    return _ANSI_ESCAPE.sub("", text) if "\x1b" in text else text


def without_bidi_controls(text: str) -> str:
    """`text` without the invisible controls that reorder right-to-left and left-to-right runs."""
    return text.translate(_BIDI_CONTROLS)


def printable_line(text: str) -> str:
    """`text` as one displayable line: escape sequences, control characters, bidi controls and
    zero-width characters removed, runs of whitespace (line breaks included) made one space."""
    text = without_zero_width(without_bidi_controls(without_escapes(text)))
    text = "".join(" " if unicodedata.category(ch) == "Cc" else ch for ch in text)
    return " ".join(text.split())
