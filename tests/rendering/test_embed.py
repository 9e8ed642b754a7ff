"""Rendering answers and source lists as embeds: within every Discord limit, pinging nobody."""

from __future__ import annotations

import discord
import pytest
from helpers import make_source

from bot.answer.types import Answer, Citation, Contradiction, Side, Status
from bot.passages.sentences import split_into_passages
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
    def test_quotes_each_excerpt_with_its_number_id_and_date_and_each_title_once(self) -> None:
        answer = answer_of(
            [
                cite(1, "Tokyo confirmed the ban.", title="Ministry"),
                cite(2, "No ban was announced.", title="Wire", date=None),
            ]
        )
        [embed] = render.answer_embeds(answer)
        assert embed.title == "Did Japan ban Tesla?"
        assert embed.description == "2 excerpts from 2 sources."
        names = [f.name for f in embed.fields]
        assert names == ["[1] 1 · 2020-03-03", "[2] 2 · undated", render.SOURCES_NAME]
        assert embed.fields[0].value == "> Tokyo confirmed the ban."
        assert embed.fields[1].value == "> No ban was announced."
        assert embed.fields[2].value == "**1** — Ministry · 2020-03-03\n**2** — Wire · undated"
        assert_within_limits([embed])

    def test_a_source_cited_several_times_is_listed_once(self) -> None:
        source = make_source("7", title="Ministry", text="One ban. Two bans. Three bans.")
        citations = [Citation(n, source, 9 * (n - 1), 9 * n, 1.0) for n in (1, 2, 3)]
        [embed] = render.answer_embeds(answer_of(citations))
        text = "\n".join(texts(embed))
        assert text.count("Ministry") == 1
        assert [f.name for f in embed.fields][:3] == [f"[{n}] 7 · 2020-03-03" for n in (1, 2, 3)]

    def test_disagreement_leads_naming_both_sides_without_repeating_their_quotes(
        self,
    ) -> None:
        ban = "Citing security concerns, Japanese officials have banned Tesla vehicles outright"
        stop = "Tesla announced that its Model S production for Japan will cease on March 31"
        contradiction = Contradiction(
            kind="event",
            explanation=(
                f"[3] reports a “ban” by Japanese officials (“…{ban[8:]}…”); [2] reports no "
                f"“ban”, only Tesla's own account: “…{stop[6:]}”."
            ),
            sides=(Side(3, ban), Side(2, stop)),
        )
        citations = [
            cite(1, "Japan has imposed a blanket ban on all Tesla technology.", date="2025-03-25"),
            cite(2, stop + ".", title="Tesla ends production", date=None),
            cite(3, ban + ".", title="Japan bans Tesla", date="2025-03-25"),
            cite(4, "The ban is the result of many factors.", date="2025-03-25"),
        ]
        answer = answer_of(citations, contradictions=(contradiction,))
        [embed] = render.answer_embeds(answer)
        assert (embed.description or "").splitlines()[1] == (
            "⚠ **Sources disagree:** [3] 3 (2025-03-25) reports a “ban” by Japanese officials; "
            "[2] 2 (undated) reports no “ban”, only Tesla's own account."
        )
        # Both sides are the first excerpts shown, and each quote appears once.
        assert [f.name for f in embed.fields][:2] == ["[3] 3 · 2025-03-25", "[2] 2 · undated"]
        text = "\n".join(texts(embed))
        assert text.count(ban[8:40]) == 1 and text.count(stop[6:40]) == 1
        assert embed.colour == render.CAVEAT_COLOUR

    def test_a_quote_that_is_the_claim_itself_is_kept_short(self) -> None:
        said = " ".join(f"w{i}" for i in range(30))
        contradiction = Contradiction(
            kind="polarity",
            explanation=f"[1] says “…{said}…”, while [2] says “did not ban Tesla”.",
            sides=(Side(1, "lead " + said + " tail"), Side(2, "They did not ban Tesla")),
        )
        answer = answer_of(
            [cite(1, "lead " + said + " tail."), cite(2, "They did not ban Tesla.")],
            contradictions=(contradiction,),
        )
        line = render.answer_embeds(answer)[0].description.splitlines()[1]  # type: ignore[union-attr]
        # 16 words around the snippet's centre: 12 words after its start when it starts with "…".
        assert "[1] 1 (2020-03-03) says “…w4 w5" in line and "w19…”" in line
        assert "w3 " not in line and "w20" not in line
        assert line.endswith("while [2] 2 (2020-03-03) says “did not ban Tesla”.")

    def test_a_number_disagreement_keeps_both_values(self) -> None:
        contradiction = Contradiction(
            kind="number",
            explanation="[1] says 2019 (“…bought in Japan in 2019, roughly 90%”); [2] says 2020 "
            "(“…bought in Japan in 2020, roughly 80%”).",
            sides=(Side(1, "bought in Japan in 2019, roughly 90%"), Side(2, "bought in Japan "
                   "in 2020, roughly 80%")),
        )  # fmt: skip
        answer = answer_of(
            [cite(1, "Cars bought in Japan in 2019, roughly 90%."),
             cite(2, "Cars bought in Japan in 2020, roughly 80%.", date=None)],
            contradictions=(contradiction,),
        )  # fmt: skip
        [embed] = render.answer_embeds(answer)
        assert (embed.description or "").endswith(
            "[1] 1 (2020-03-03) says 2019; [2] 2 (undated) says 2020."
        )

    def test_at_most_three_excerpts_until_expanded(self) -> None:
        citations = [cite(n, f"Sentence {n} about the ban.") for n in range(1, 6)]
        contradiction = Contradiction("polarity", "[5] says x, but [4] says y.",
                                      (Side(5, "x"), Side(4, "y")))  # fmt: skip
        answer = answer_of(citations, contradictions=(contradiction,))
        [short] = render.answer_embeds(answer)
        excerpts = [f.name for f in short.fields if f.name and f.name.startswith("[")]
        assert [name[:3] for name in excerpts] == ["[5]", "[4]", "[1]"]
        assert render.hidden_excerpts(answer) == 2
        [full] = render.answer_embeds(answer, expanded=True)
        excerpts = [f.name for f in full.fields if f.name and f.name.startswith("[")]
        assert [name[:3] for name in excerpts] == ["[5]", "[4]", "[1]", "[2]", "[3]"]
        assert_within_limits([short])
        assert_within_limits([full])

    def test_no_disagreement_line_without_contradictions(self) -> None:
        [embed] = render.answer_embeds(answer_of([cite(1, "Tokyo confirmed the ban.")]))
        assert "⚠" not in "\n".join(texts(embed))
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
        for expanded in (False, True):
            embeds = render.answer_embeds(answer, expanded=expanded)
            assert_within_limits(embeds)
            assert_pings_nobody(embeds)
            [embed] = embeds
            # Disagreements are never the part that gets dropped.
            description = embed.description or ""
            assert description.count("⚠") == render.MAX_DISAGREEMENTS
            assert description.endswith("(+2 more disagreements)")
        assert "did not fit" in (embed.footer.text or "")
        assert render.hidden_excerpts(answer) > 30

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
        assert "\\*\\*Bold\\*\\*" in (embed.fields[1].value or "")  # the source list
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


@pytest.mark.parametrize(
    "question",
    ["Did Japan ban Tesla?", HOSTILE.strip(), "a\\b *x* _y_ @everyone <@&123456789012345678>"],
)
def test_the_question_is_read_back_from_the_title(question: str) -> None:
    [embed] = render.answer_embeds(answer_of([cite(1, "Text.")], question=question))
    assert render.title_question(embed.title or "") == question


def test_bidi_controls_are_not_echoed_in_the_title() -> None:
    question = "\u202eDid \u2066Japan\u2069 ban Tesla?\u200f"
    [embed] = render.answer_embeds(
        answer_of([cite(1, "Tokyo confirmed the ban.")], question=question)
    )
    assert embed.title == "Did Japan ban Tesla?"


def test_a_related_answer_says_first_what_the_sources_do_not_say(engine) -> None:
    answer = engine.answer("tesla is **tanking** in japan @everyone <@456789012345678901>")
    assert answer.status is Status.RELATED
    [embed] = render.answer_embeds(answer)
    # a phone shows the title and the first line of the description first
    first_line = (embed.description or "").split("\n")[0]
    assert first_line.startswith("The sources don't say “tanking”")
    assert embed.colour == render.RELATED_COLOUR != render.ANSWER_COLOUR
    assert "do not answer the question" in (embed.footer.text or "")
    assert len(embed.fields) >= 1 and "Struggling in Japan" in embed.fields[0].value
    for text in texts(embed):
        assert "@everyone" not in text.replace("@\u200beveryone", "")
        assert "<@456789012345678901>" not in text
        assert "**tanking**" not in text
