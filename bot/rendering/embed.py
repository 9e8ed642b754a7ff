"""Discord rendering: answers and source listings as embeds that fit Discord's limits.

Every piece of source or user text is escaped (markdown, then mentions) before it is measured,
so trimming counts what Discord counts. Long text is cut at a word boundary and ends in "…".
This is the only module that knows the embed limits (API docs `resources/message.mdx`).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import datetime

import discord

from bot.answer_types import Answer, Citation, Contradiction, count_of
from bot.caveat import PassageConflict
from bot.library.base import Change
from bot.passages import Passage
from bot.rendering import describe_date, describe_label
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
CAVEAT_NAME = "⚠ Sources disagree"
MAX_CAVEAT_FIELDS = 3
MIN_EXCERPT = 160
FOOTER_RESERVE = 160
DETAIL_EXCERPT = 1500

ANSWER_COLOUR = discord.Colour.blurple()
CAVEAT_COLOUR = discord.Colour.orange()
SOURCES_COLOUR = discord.Colour.dark_teal()


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


def answer_embeds(answer: Answer) -> list[discord.Embed]:
    """Render an answered question: numbered quotes, their sources, and any caveat.

    Returns one embed (a list, so callers can send it as `embeds=`). The caveat fields and notes
    come first in the budget: dropping a disagreement would misrepresent the sources, dropping
    the tenth excerpt does not. Excerpts share what is left of the 6000-character total.
    """
    caveats = _caveat_fields(answer.contradictions)
    notes = _notes_field(answer.notes)
    extra_fields = caveats + ([notes] if notes else [])

    title = trim(clean(without_bidi_controls(answer.question)), MAX_TITLE) or "Answer"
    description = trim(clean(answer.message), 600)
    if answer.contradictions:
        description = f"{description}\n\n**{CAVEAT_NAME}**: see below.".strip()

    fixed = len(title) + len(description) + FOOTER_RESERVE
    fixed += sum(len(name) + len(value) for name, value in extra_fields)
    shown = _fit_citations(answer.citations, MAX_FIELDS - len(extra_fields), MAX_TOTAL - fixed)

    embed = discord.Embed(
        title=title,
        description=description or None,
        colour=CAVEAT_COLOUR if answer.contradictions else ANSWER_COLOUR,
    )
    for name, value in shown:
        embed.add_field(name=name, value=value, inline=False)
    for name, value in extra_fields:
        embed.add_field(name=name, value=value, inline=False)
    embed.set_footer(text=_answer_footer(len(answer.citations) - len(shown)))
    return [embed]


def notice_text(answer: Answer) -> str:
    """The short reply for a question with no answer (`no_match` or `invalid`)."""
    return trim(clean(answer.message), MAX_CONTENT) or "No answer."


def _fit_citations(
    citations: Sequence[Citation], max_fields: int, budget: int
) -> list[tuple[str, str]]:
    """Name/value pairs for as many citations as fit, each excerpt getting an equal share."""
    names = [trim(f"[{c.n}] {source_label(c.source)}", MAX_FIELD_NAME) for c in citations]
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


def _caveat_fields(contradictions: Sequence[Contradiction]) -> list[tuple[str, str]]:
    fields = []
    for contradiction in contradictions[:MAX_CAVEAT_FIELDS]:
        sides = " vs ".join(
            f"[{side.n}] “{trim(clean(side.quote), 300)}”" for side in contradiction.sides
        )
        explanation = trim(clean(contradiction.explanation), MAX_FIELD_VALUE - len(sides) - 1)
        fields.append((CAVEAT_NAME, trim(f"{sides}\n{explanation}", MAX_FIELD_VALUE)))
    hidden = len(contradictions) - len(fields)
    if hidden > 0:
        name, value = fields[-1]
        suffix = f"\n(+{hidden} more disagreement{'s' if hidden > 1 else ''})"
        fields[-1] = (name, trim(value, MAX_FIELD_VALUE - len(suffix)) + suffix)
    return fields


def _notes_field(notes: Sequence[str]) -> tuple[str, str] | None:
    if not notes:
        return None
    return "Notes", trim("\n".join(f"• {clean(note)}" for note in notes), MAX_FIELD_VALUE)


def _answer_footer(hidden: int) -> str:
    footer = "Verbatim excerpts from this server's sources; [n] numbers the citations."
    if hidden > 0:
        footer += f" {hidden} more excerpt{'s' if hidden > 1 else ''} did not fit."
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
    """One source's details and its opening passage."""
    embed = discord.Embed(title=trim(clean(source.title), MAX_TITLE), colour=SOURCES_COLOUR)
    embed.add_field(name="ID", value=trim(clean(source.id), MAX_FIELD_VALUE))
    embed.add_field(name="Date", value=describe_date(source))
    if source.label:
        embed.add_field(name="Label", value=source.label)
    if source.path is not None:
        embed.add_field(name="File", value=trim(clean(source.path.name), MAX_FIELD_VALUE) or "-")
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


def history_embed(changes: Sequence[Change]) -> discord.Embed:
    """A server's last library changes: when, who, what (newest first)."""
    lines = []
    for change in changes:
        line = f"{_time(change.at, 'R')} {_member(change.actor)} {clean(change.summary)}"
        lines.append(trim(line, 380))
    description = "\n".join(lines) or "No changes yet: this server uses the base sources."
    return discord.Embed(title="Library history", description=description[:MAX_DESCRIPTION],
                         colour=SOURCES_COLOUR)  # fmt: skip
