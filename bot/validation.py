"""Checks a question before any search: what a user typed must be usable text."""

from __future__ import annotations

import unicodedata

MAX_QUESTION_CHARS = 2000
EXAMPLE_QUESTION = "Did Japan ban Tesla?"


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
    if not any(ch.isalnum() for ch in text):
        return (
            "The question has no words in it, only punctuation, symbols or emoji. "
            f"Ask in words, e.g. “{EXAMPLE_QUESTION}”."
        )
    return None


def _is_control(ch: str) -> bool:
    # U+FFFD is what undecodable bytes become: a sign of binary data pasted as text.
    return ch == "\ufffd" or (ch not in "\t\n\r" and unicodedata.category(ch) in ("Cc", "Cs"))
