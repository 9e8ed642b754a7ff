"""Discord rendering: answers and source listings as embeds that fit Discord's limits.

Every piece of source or user text is escaped (markdown, then mentions) before it is measured,
so trimming counts what Discord counts. Long text is cut at a word boundary and ends in "…".
This is the only module that knows the embed limits (API docs `resources/message.mdx`).
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import NamedTuple

import discord

from bot.answer.types import Answer, Citation, Status, count_of, where_to_look
from bot.caveat import PassageConflict
from bot.library.base import Change
from bot.passages.sentences import Passage
from bot.rendering import (
    DISAGREE,
    describe_date,
    describe_label,
    disagreement_lines,
    display_order,
)
from bot.sources import Source
from bot.text_cleanup import without_bidi_controls

MAX_TITLE = 256
MAX_DESCRIPTION = 4096
MAX_FIELDS = 25
MAX_FIELD_NAME = 256
MAX_FIELD_VALUE = 1024
MAX_FOOTER = 2048
MAX_TOTAL = 6000
MAX_EMBEDS = 10
MAX_CONTENT = 2000

ELLIPSIS = "…"
SOURCES_NAME = "Sources"
MAX_SHOWN_EXCERPTS = 3  # before "More excerpts": the first screen of a phone
MAX_DISAGREEMENTS = 3  # lines in the description; the rest are counted
MAX_DISAGREEMENT = 500
MAX_SOURCE_LINE = 200
MIN_EXCERPT = 160
MAX_HELP_LINE = 200
MODERATORS_ARE = "Manage Messages, or the moderator role"
FOOTER_RESERVE = 160
DETAIL_EXCERPT = 1500

ANSWER_COLOUR = discord.Colour.blurple()
CAVEAT_COLOUR = discord.Colour.orange()
RELATED_COLOUR = discord.Colour.light_grey()  # the closest passages, not an answer
SOURCES_COLOUR = discord.Colour.dark_teal()
_ESCAPED = re.compile(r"\\(.)", re.DOTALL)  # a character `escape_markdown` escaped


def clean(text: str) -> str:
    """Escape markdown and mentions so `text` shows literally and pings nobody."""
    return discord.utils.escape_mentions(discord.utils.escape_markdown(text))


def trim(text: str, limit: int) -> str:
    """Cut already-escaped `text` to at most `limit` chars, at a word boundary, ending in "…"."""
    text = text.strip()
    if len(text) <= limit:
        return text
    if limit <= len(ELLIPSIS):
        return ELLIPSIS[:limit]
    cut = text[: limit - len(ELLIPSIS)]
    space = max(cut.rfind(" "), cut.rfind("\n"))
    # Back off to the last space unless that throws away most of the room; a word of 200 letters
    # is cut mid-word instead. Never leave a lone escape backslash to swallow the ellipsis.
    if space > len(cut) * 2 // 3:
        cut = cut[:space]
    return cut.rstrip().rstrip("\\").rstrip() + ELLIPSIS


def quote(text: str, limit: int) -> str:
    """`text` as a Markdown block quote (every line prefixed) of at most `limit` chars."""
    room = limit
    while True:
        body = trim(text, room)
        quoted = "\n".join(f"> {line}" for line in body.splitlines() or [""])
        if len(quoted) <= limit or room <= 1:
            return quoted[:limit]
        room -= len(quoted) - limit


def source_label(source: Source) -> str:
    """A source's escaped title, date ("undated" when it has none) and label, if any."""
    label = describe_label(source)
    return f"{clean(source.title)} · {describe_date(source)}" + (f" · {label}" if label else "")


def answer_embeds(answer: Answer, *, expanded: bool = False) -> list[discord.Embed]:
    """Render an answered question for a phone screen first.

    The description says how many excerpts from how many sources and, when the sources
    disagree, one line per disagreement naming both sides with their dates. Then the excerpts,
    both sides of a disagreement first, each labelled "[n] id · date"; at most
    `MAX_SHOWN_EXCERPTS` unless `expanded` (the "More excerpts" button). Then each source's title
    once, and the notes. Returns one embed (a list, so callers can send it as `embeds=`).
    """
    layout = _answer_layout(answer, expanded)
    embed = discord.Embed(
        title=layout.title,
        description=layout.description or None,
        colour=_colour(answer),
    )
    for name, value in [*layout.excerpts, *layout.extra]:
        embed.add_field(name=name, value=value, inline=False)
    embed.set_footer(text=_answer_footer(layout.hidden if expanded else 0, answer.status))
    return [embed]


def hidden_excerpts(answer: Answer) -> int:
    """How many excerpts the first (not expanded) rendering leaves for "More excerpts"."""
    return _answer_layout(answer, expanded=False).hidden


def answer_title(answer: Answer) -> str:
    """The question as the embed's title: escaped, without bidi controls, cut to fit."""
    return trim(clean(without_bidi_controls(answer.question)), MAX_TITLE) or "Answer"


def title_question(title: str) -> str:
    """The text an answer's title was made from (undoes `clean`; a trimmed title stays cut)."""
    return _ESCAPED.sub(r"\1", title.replace("@\u200b", "@"))


def notice_text(answer: Answer) -> str:
    """The short reply for a question with no answer (`no_match` or `invalid`)."""
    return trim(clean(where_to_look(answer, "/sources list")), MAX_CONTENT) or "No answer."


@dataclass(frozen=True)
class _Layout:
    title: str
    description: str
    excerpts: list[tuple[str, str]]
    extra: list[tuple[str, str]]  # the sources, the notes
    hidden: int


def _answer_layout(answer: Answer, expanded: bool) -> _Layout:
    """What goes where. The description, source list and notes are budgeted first: dropping a
    disagreement would misrepresent the sources, dropping the tenth excerpt does not; the
    excerpts share what is left of the 6000-character total."""
    citations = display_order(answer)
    title = answer_title(answer)
    description = _answer_description(answer)
    extra = [f for f in (_sources_field(citations), _notes_field(answer.notes)) if f]
    fixed = len(title) + len(description) + FOOTER_RESERVE
    fixed += sum(len(name) + len(value) for name, value in extra)
    most = MAX_FIELDS - len(extra) if expanded else MAX_SHOWN_EXCERPTS
    excerpts = _fit_citations(citations, most, MAX_TOTAL - fixed)
    return _Layout(title, description, excerpts, extra, len(citations) - len(excerpts))


def _answer_description(answer: Answer) -> str:
    """The count of excerpts and sources, then one line per disagreement (at most three)."""
    lines = [trim(clean(answer.message), 600)]
    shown = disagreement_lines(answer)[:MAX_DISAGREEMENTS]
    for number, line in enumerate(shown):
        head = f"⚠ **{DISAGREE}:** " if number == 0 else "⚠ "
        lines.append(head + trim(clean(line), MAX_DISAGREEMENT))
    more = len(answer.contradictions) - len(shown)
    if more > 0:
        lines.append(f"(+{count_of(more, 'more disagreement')})")
    return "\n".join(line for line in lines if line)


def _fit_citations(
    citations: Sequence[Citation], max_fields: int, budget: int
) -> list[tuple[str, str]]:
    """Name/value pairs for as many citations as fit, each excerpt getting an equal share."""
    names = [trim(_excerpt_name(c), MAX_FIELD_NAME) for c in citations]
    count = min(len(citations), max(max_fields, 0))
    while count > 1:
        share = (budget - sum(map(len, names[:count]))) // count
        if share >= MIN_EXCERPT:
            break
        count -= 1
    if count == 0:
        return []
    share = (budget - sum(map(len, names[:count]))) // count
    limit = max(1, min(MAX_FIELD_VALUE, share))
    return [(names[i], quote(clean(citations[i].excerpt), limit)) for i in range(count)]


def _excerpt_name(citation: Citation) -> str:
    """A field name such as "[3] 001 · 2025-03-25": number, source id, date and label (the
    title is in the source list)."""
    source = citation.source
    label = describe_label(source)
    return f"[{citation.n}] {clean(source.id)} · {describe_date(source)}" + (
        f" · {label}" if label else ""
    )


def _sources_field(citations: Sequence[Citation]) -> tuple[str, str] | None:
    """Each cited source once: "001 — Title · date"."""
    sources = list({c.source.id: c.source for c in citations}.values())
    if not sources:
        return None
    lines: list[str] = []
    for number, source in enumerate(sources):
        line = trim(f"**{clean(source.id)}** — {source_label(source)}", MAX_SOURCE_LINE)
        more = f"(+{count_of(len(sources) - number, 'more source')})"
        if len("\n".join([*lines, line, more])) > MAX_FIELD_VALUE:
            lines.append(more)
            break
        lines.append(line)
    return SOURCES_NAME, "\n".join(lines)


def _notes_field(notes: Sequence[str]) -> tuple[str, str] | None:
    if not notes:
        return None
    return "Notes", trim("\n".join(f"• {clean(note)}" for note in notes), MAX_FIELD_VALUE)


def _colour(answer: Answer) -> discord.Colour:
    if answer.status is Status.RELATED:
        return RELATED_COLOUR
    return CAVEAT_COLOUR if answer.contradictions else ANSWER_COLOUR


def _answer_footer(hidden: int, status: Status = Status.ANSWERED) -> str:
    footer = "Verbatim excerpts from this server's sources."
    if status is Status.RELATED:
        footer = "The closest excerpts in this server's sources: they do not answer the question."
    if hidden > 0:
        footer += f" {count_of(hidden, 'more excerpt')} did not fit."
    return footer[:FOOTER_RESERVE]


def source_list_embeds(
    sources: Sequence[Source], passage_counts: Mapping[str, int]
) -> list[discord.Embed]:
    """Every source with id, title, date and size, split over embeds as Discord's limits need."""
    lines = [
        f"**{clean(s.id)}** · {source_label(s)} · "
        f"{count_of(passage_counts.get(s.id, 0), 'passage')} · {len(s.text):,} characters"
        for s in sources
    ]
    lines = [trim(line, 400) for line in lines]
    title = f"Sources ({len(sources)})"
    more_line = 60  # room for the "… and N more" line
    budget = MAX_TOTAL - len(title) - more_line
    pages: list[list[str]] = [[]]
    page_len = used = listed = 0
    for line in lines:
        if used + len(line) + 1 > budget:
            break
        if page_len + len(line) + 1 > MAX_DESCRIPTION - more_line:
            if len(pages) == MAX_EMBEDS:
                break
            pages.append([])
            page_len = 0
        pages[-1].append(line)
        page_len += len(line) + 1
        used += len(line) + 1
        listed += 1
    if listed < len(lines):
        pages[-1].append(f"… and {len(lines) - listed} more (too many to list here).")
    embeds = [
        discord.Embed(description="\n".join(page) or "No sources.", colour=SOURCES_COLOUR)
        for page in pages
    ]
    embeds[0].title = title
    return embeds


def source_detail_embed(source: Source, passages: Sequence[Passage]) -> discord.Embed:
    """One source's details and its opening passage (no file name: members see this)."""
    embed = discord.Embed(title=trim(clean(source.title), MAX_TITLE), colour=SOURCES_COLOUR)
    embed.add_field(name="ID", value=trim(clean(source.id), MAX_FIELD_VALUE))
    embed.add_field(name="Date", value=describe_date(source))
    if source.label:
        embed.add_field(name="Label", value=source.label)
    if source.added_by or source.added_at:
        embed.add_field(name="Added", value=_added_line(source))
    embed.add_field(name="Passages", value=f"{len(passages):,}")
    embed.add_field(name="Characters", value=f"{len(source.text):,}")
    if passages:
        embed.description = "**Opening passage**\n" + quote(clean(passages[0].text), DETAIL_EXCERPT)
    return embed


def _added_line(source: Source) -> str:
    """Who added a library source and when."""
    who = _member(source.added_by or "unknown")
    return f"{who}, {_time(source.added_at, 'f')}" if source.added_at else who


def _member(actor: str) -> str:
    """Who did something: a user id as a mention (the bot's replies allow no mentions: it shows
    the name and pings nobody)."""
    return f"<@{actor}>" if actor.isdigit() else clean(actor)


def _time(iso: str, style: discord.utils.TimestampStyle) -> str:
    """An ISO time as a Discord timestamp in `style` ("f": full, "R": relative)."""
    try:
        return discord.utils.format_dt(datetime.fromisoformat(iso), style)
    except ValueError:
        return clean(iso)


def conflict_embed(
    conflicts: Sequence[PassageConflict], shortfall: str | None = None, limit: int = 10
) -> discord.Embed:
    """The disagreements between a server's sources, strongest first, for its moderators;
    `shortfall` says what a time limit left unchecked."""
    embed = discord.Embed(title=f"Disagreements between sources ({len(conflicts)})",
                          colour=CAVEAT_COLOUR)  # fmt: skip
    if shortfall:
        embed.description = trim(clean(shortfall), MAX_DESCRIPTION)
    if not conflicts:
        found = "No disagreements found between this server's sources."
        embed.description = f"{found}\n{embed.description}" if shortfall else found
        return embed
    budget = MAX_TOTAL - len(embed.title or "") - len(embed.description or "") - 100
    for conflict in conflicts[: min(limit, MAX_FIELDS)]:
        sides = "\n".join(
            f"“{trim(clean(quote), 250)}” ({trim(source_label(passage.source), 120)})"
            for passage, quote in zip(conflict.passages, conflict.quotes, strict=True)
        )
        name = trim(f"{conflict.kind}: {clean(conflict.explanation)}", MAX_FIELD_NAME)
        value = trim(sides, MAX_FIELD_VALUE)
        if len(name) + len(value) > budget:
            break
        budget -= len(name) + len(value)
        embed.add_field(name=name, value=value, inline=False)
    if len(conflicts) > len(embed.fields):
        embed.set_footer(text=f"{len(conflicts) - len(embed.fields)} more not shown.")
    return embed


class HelpEntry(NamedTuple):
    """One command in `/help`: how to call it, what it does, whether it is for moderators."""

    usage: str
    text: str
    moderators: bool


def help_embed(entries: Sequence[HelpEntry]) -> discord.Embed:
    """The commands in two fields, what everyone may use and what moderators may use."""
    embed = discord.Embed(
        title="Crosscheck commands",
        description=(
            "Answers are verbatim excerpts from this server's sources, with their dates; "
            "when the sources disagree, the answer says so first."
        ),
        colour=SOURCES_COLOUR,
    )
    groups = (("Everyone", False), (f"Moderators ({MODERATORS_ARE})", True))
    for name, moderators in groups:
        lines = [
            trim(f"**{clean(e.usage)}**: {clean(e.text)}".rstrip(": "), MAX_HELP_LINE)
            for e in entries
            if e.moderators is moderators
        ]
        if lines:
            embed.add_field(name=name, value=trim("\n".join(lines), MAX_FIELD_VALUE), inline=False)
    return embed


def history_embed(changes: Sequence[Change]) -> discord.Embed:
    """A server's last library changes: when, who, what (newest first)."""
    lines = []
    for change in changes:
        line = f"{_time(change.at, 'R')} {_member(change.actor)} {clean(change.summary)}"
        lines.append(trim(line, 380))
    description = "\n".join(lines) or "No changes yet: this server uses the base sources."
    return discord.Embed(title="Library history", description=description[:MAX_DESCRIPTION],
                         colour=SOURCES_COLOUR)  # fmt: skip
