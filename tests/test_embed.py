"""Rendering answers and source lists as embeds: within every Discord limit, pinging nobody."""

from __future__ import annotations

import discord
import pytest
from helpers import make_source

from bot.answer_types import Answer, Citation, Contradiction, Side, Status
from bot.passages import split_into_passages
from bot.rendering import embed as render

HOSTILE = (
    "**Breaking** @everyone @here <@&123456789012345678> <@456789012345678901> __hi__ "
    "[click me](https://evil.example/phish) ||spoiler|| `code` ~~gone~~ > not a quote\n"
    "# Heading\n- bullet https://example.com/a_b_c "
)


def cite(n: int, text: str, title: str = "Source", date: str | None = "2020-03-03") -> Citation:
    source = make_source(str(n), title=title, text=text, date=date)
    return Citation(n=n, source=source, start=0, end=len(text), score=1.0)


def answer_of(citations: list[Citation], **kwargs: object) -> Answer:
    return Answer(
        kwargs.pop("question", "Did Japan ban Tesla?"),  # type: ignore[arg-type]
        Status.ANSWERED,
        kwargs.pop("message", "2 excerpts from 2 sources."),  # type: ignore[arg-type]
        tuple(citations),
        **kwargs,  # type: ignore[arg-type]
    )


def texts(embed: discord.Embed) -> list[str]:
    parts = [embed.title or "", embed.description or "", embed.footer.text or ""]
    for field in embed.fields:
        parts += [field.name or "", field.value or ""]
    return parts


# Discord's documented limits (API docs `resources/message.mdx`; ../shared/DISCORD.md §3), written
# out here rather than read from the renderer, so a wrong constant there fails these tests.
DISCORD_TITLE = 256
DISCORD_DESCRIPTION = 4096
DISCORD_FIELDS = 25
DISCORD_FIELD_NAME = 256
DISCORD_FIELD_VALUE = 1024
DISCORD_FOOTER = 2048
DISCORD_AUTHOR = 256
DISCORD_EMBED_TOTAL = 6000  # title + description + field names and values + footer + author
DISCORD_EMBEDS = 10
DISCORD_CONTENT = 2000


def total_characters(embeds: list[discord.Embed]) -> int:
    """What Discord counts towards 6,000, summed here rather than with discord.py's `len`."""
    return sum(
        len(e.title or "")
        + len(e.description or "")
        + len(e.footer.text or "")
        + len(e.author.name or "")
        + sum(len(f.name or "") + len(f.value or "") for f in e.fields)
        for e in embeds
    )


def assert_within_limits(embeds: list[discord.Embed]) -> None:
    assert 1 <= len(embeds) <= DISCORD_EMBEDS
    assert total_characters(embeds) <= DISCORD_EMBED_TOTAL
    for embed in embeds:
        assert len(embed.title or "") <= DISCORD_TITLE
        assert len(embed.description or "") <= DISCORD_DESCRIPTION
        assert len(embed.footer.text or "") <= DISCORD_FOOTER
        assert len(embed.author.name or "") <= DISCORD_AUTHOR
        assert len(embed.fields) <= DISCORD_FIELDS
        for field in embed.fields:
            assert 0 < len((field.name or "").strip()) <= DISCORD_FIELD_NAME
            assert 0 < len((field.value or "").strip()) <= DISCORD_FIELD_VALUE


def assert_pings_nobody(embeds: list[discord.Embed]) -> None:
    for embed in embeds:
        for text in texts(embed):
            for mention in (
                "@everyone",
                "@here",
                "<@&123456789012345678>",
                "<@456789012345678901>",
            ):
                assert mention not in text


class TestTrim:
    def test_short_text_is_unchanged(self) -> None:
        assert render.trim("short text", 100) == "short text"

    def test_cuts_at_a_word_boundary_with_ellipsis(self) -> None:
        text = "alpha beta gamma delta epsilon"
        trimmed = render.trim(text, 17)
        assert trimmed == "alpha beta gamma…"
        assert len(trimmed) <= 17

    def test_a_single_long_word_is_cut_mid_word(self) -> None:
        trimmed = render.trim("x" * 500, 100)
        assert len(trimmed) == 100 and trimmed.endswith("…")

    def test_never_leaves_a_dangling_escape(self) -> None:
        escaped = render.clean("a" * 50 + "*" * 100)
        for limit in range(40, 120):
            trimmed = render.trim(escaped, limit)
            assert len(trimmed) <= limit
            assert not trimmed.removesuffix("…").endswith("\\")


class TestAnswerEmbeds:
    def test_quotes_each_excerpt_with_its_number_title_and_date(self) -> None:
        answer = answer_of(
            [
                cite(1, "Tokyo confirmed the ban.", title="Ministry"),
                cite(2, "No ban was announced.", title="Wire", date=None),
            ]
        )
        [embed] = render.answer_embeds(answer)
        assert embed.title == "Did Japan ban Tesla?"
        assert [f.name for f in embed.fields] == ["[1] Ministry · 2020-03-03", "[2] Wire · undated"]
        assert embed.fields[0].value == "> Tokyo confirmed the ban."
        assert embed.fields[1].value == "> No ban was announced."
        assert_within_limits([embed])

    def test_caveat_has_its_own_field_naming_both_sides(self) -> None:
        contradiction = Contradiction(
            kind="polarity",
            explanation="One source reports a ban, the other denies it.",
            sides=(Side(2, "No ban was announced"), Side(1, "confirmed the ban")),
        )
        answer = answer_of(
            [cite(1, "Tokyo confirmed the ban."), cite(2, "No ban was announced.")],
            contradictions=(contradiction,),
        )
        [embed] = render.answer_embeds(answer)
        caveats = [f for f in embed.fields if f.name == render.CAVEAT_NAME]
        assert len(caveats) == 1
        value = caveats[0].value or ""
        assert value.startswith("[2] “No ban was announced” vs [1] “confirmed the ban”")
        assert "One source reports a ban, the other denies it." in value
        assert embed.colour == render.CAVEAT_COLOUR
        assert render.CAVEAT_NAME in (embed.description or "")

    def test_no_caveat_field_without_contradictions(self) -> None:
        [embed] = render.answer_embeds(answer_of([cite(1, "Tokyo confirmed the ban.")]))
        assert all(f.name != render.CAVEAT_NAME for f in embed.fields)
        assert embed.colour == render.ANSWER_COLOUR

    def test_notes_are_shown(self) -> None:
        answer = answer_of([cite(1, "Text.")], notes=("Source 3 is undated.", "Two more."))
        [embed] = render.answer_embeds(answer)
        notes = [f for f in embed.fields if f.name == "Notes"]
        assert notes and notes[0].value == "• Source 3 is undated.\n• Two more."

    def test_huge_excerpt_is_trimmed_at_a_word_with_ellipsis(self) -> None:
        words = " ".join(f"word{i}" for i in range(3000))
        [embed] = render.answer_embeds(answer_of([cite(1, words)]))
        value = embed.fields[0].value or ""
        assert value.endswith("…")
        last_word = value.removeprefix("> ").removesuffix("…").split()[-1]
        assert last_word in words.split()
        assert_within_limits([embed])

    def test_many_huge_hostile_citations_stay_within_every_limit(self) -> None:
        citations = [
            cite(n, (HOSTILE * 200) + f" end{n}", title=HOSTILE * 10, date=None)
            for n in range(1, 41)
        ]
        contradictions = tuple(
            Contradiction("polarity", HOSTILE * 30, (Side(n + 1, HOSTILE * 20), Side(n, HOSTILE)))
            for n in range(1, 6)
        )
        answer = answer_of(
            citations,
            question=HOSTILE * 20,
            message=HOSTILE * 50,
            contradictions=contradictions,
            notes=tuple(HOSTILE * 10 for _ in range(20)),
        )
        embeds = render.answer_embeds(answer)
        assert_within_limits(embeds)
        assert_pings_nobody(embeds)
        [embed] = embeds
        # Disagreements are never the part that gets dropped.
        assert sum(f.name == render.CAVEAT_NAME for f in embed.fields) == render.MAX_CAVEAT_FIELDS
        assert "(+2 more disagreements)" in (embed.fields[-2].value or "")
        assert "did not fit" in (embed.footer.text or "")

    @pytest.mark.parametrize("count", [1, 2, 5, 10, 24, 25, 30])
    def test_any_number_of_citations_fits(self, count: int) -> None:
        citations = [cite(n, "A sentence of source text. " * 80) for n in range(1, count + 1)]
        embeds = render.answer_embeds(answer_of(citations))
        assert_within_limits(embeds)
        assert len(embeds[0].fields) >= min(count, 1)

    def test_markdown_and_mentions_are_escaped(self) -> None:
        answer = answer_of([cite(1, HOSTILE, title="**Bold** <@&123456789012345678>")])
        [embed] = render.answer_embeds(answer)
        assert_pings_nobody([embed])
        assert "\\*\\*Bold\\*\\*" in (embed.fields[0].name or "")
        value = embed.fields[0].value or ""
        assert "\\*\\*Breaking\\*\\*" in value
        assert "\\[click me](https://evil.example/phish)" in value
        assert "\\|\\|spoiler\\|\\|" in value
        assert "> \\# Heading" in value  # a heading inside a quote stays literal text
        assert "https://example.com/a_b_c" in value  # links are left intact

    def test_multiline_excerpt_is_quoted_line_by_line(self) -> None:
        [embed] = render.answer_embeds(answer_of([cite(1, "first line\nsecond line")]))
        assert embed.fields[0].value == "> first line\n> second line"

    def test_trimmed_citation_keeps_the_engines_ellipsis(self) -> None:
        source = make_source(text="Tokyo confirmed the ban on Monday. More text.")
        citation = Citation(1, source, 0, 33, 1.0, trimmed=True)
        [embed] = render.answer_embeds(answer_of([citation]))
        assert embed.fields[0].value == "> Tokyo confirmed the ban on Monday…"


class TestNotice:
    def test_no_match_message_is_escaped_and_short(self) -> None:
        answer = Answer("q", Status.NO_MATCH, "Nothing about @everyone. " * 200)
        text = render.notice_text(answer)
        assert len(text) <= DISCORD_CONTENT
        assert "@everyone" not in text and text.endswith("…")


class TestSourceEmbeds:
    def test_list_shows_id_title_date_and_size(self) -> None:
        sources = [make_source("7", "Wire report", "One. Two.", None), make_source("8")]
        [embed] = render.source_list_embeds(sources, {"7": 2, "8": 5})
        lines = (embed.description or "").splitlines()
        assert lines[0] == "**7** · Wire report · undated · 2 passages · 9 characters"
        assert lines[1].startswith("**8** · Ministry statement · 2020-03-03 · 5 passages")
        assert embed.title == "Sources (2)"

    def test_a_huge_list_stays_within_limits_and_says_what_is_left_out(self) -> None:
        sources = [
            make_source(str(i), title=HOSTILE * 3 + str(i), text="x" * 10) for i in range(500)
        ]
        embeds = render.source_list_embeds(sources, {})
        assert_within_limits(embeds)
        assert_pings_nobody(embeds)
        assert "more (too many to list here)" in (embeds[-1].description or "")

    def test_detail_shows_metadata_and_opening_passage(self) -> None:
        source = make_source(title="Ministry *statement*", date=None)
        embed = render.source_detail_embed(source, split_into_passages(source))
        fields = {f.name: f.value for f in embed.fields}
        assert embed.title == "Ministry \\*statement\\*"
        assert fields["Date"] == "undated" and fields["Passages"] == "2"
        assert fields["Characters"] == str(len(source.text))
        assert (embed.description or "").endswith("> Tokyo confirmed the ban on Monday.")

    def test_detail_of_a_huge_hostile_source_stays_within_limits(self) -> None:
        source = make_source(title=HOSTILE * 20, text=HOSTILE * 500)
        embed = render.source_detail_embed(source, split_into_passages(source))
        assert_within_limits([embed])
        assert_pings_nobody([embed])


def test_bidi_controls_are_not_echoed_in_the_title() -> None:
    question = "\u202eDid \u2066Japan\u2069 ban Tesla?\u200f"
    [embed] = render.answer_embeds(
        answer_of([cite(1, "Tokyo confirmed the ban.")], question=question)
    )
    assert embed.title == "Did Japan ban Tesla?"
