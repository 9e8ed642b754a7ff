"""Checks a question before any search: what a user typed must be usable text."""

from __future__ import annotations

import re
import unicodedata

from bot.text_cleanup import without_zero_width

MAX_QUESTION_CHARS = 2000
EXAMPLE_QUESTION = "Did Japan ban Tesla?"

# Chat markup that is not part of what is asked: mentions, channels, custom emoji, links.
_CHAT_MARKUP = re.compile(
    r"<(?:@[!&]?|#)\d+>|<a?:\w+:\d+>|<t:\d+(?::\w)?>|@(?:everyone|here)\b|https?://\S+",
    re.IGNORECASE,
)


def searchable_text(question: str) -> str:
    """The question without chat markup, so `<@&123>` or a link is not searched as a word, and
    without zero-width characters, so `Ja\u200bpan` is searched as `Japan`."""
    return _CHAT_MARKUP.sub(" ", without_zero_width(question))


def question_problem(question: str) -> str | None:
    """Say what is wrong with `question` in one sentence, or None when it can be searched."""
    text = question.strip()
    if not text:
        return (
            f"The question is empty. Ask what the sources might cover, e.g. “{EXAMPLE_QUESTION}”."
        )
    if len(question) > MAX_QUESTION_CHARS:
        return (
            f"The question is too long ({len(question):,} characters; the limit is "
            f"{MAX_QUESTION_CHARS:,}). Shorten it to the claim you want checked."
        )
    if any(_is_control(ch) for ch in text):
        return "The question contains control characters or binary data. Send plain text."
    if not any(ch.isalnum() for ch in searchable_text(text)):
        return (
            "The question has no words in it, only punctuation, symbols, emoji, mentions or links. "
            f"Ask in words, e.g. “{EXAMPLE_QUESTION}”."
        )
    return None


def _is_control(ch: str) -> bool:
    # U+FFFD is what undecodable bytes become: a sign of binary data pasted as text.
    return ch == "\ufffd" or (ch not in "\t\n\r" and unicodedata.category(ch) in ("Cc", "Cs"))
