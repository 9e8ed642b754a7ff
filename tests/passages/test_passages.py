from pathlib import Path

import numpy as np
import pytest

from bot.passages.sentences import PassageList, PassagesBySource, passage_spans, split_into_passages
from bot.sources import Source, load_sources


def _source(text: str) -> Source:
    return Source(id="t", title="t", date=None, path=Path("t.txt"), text=text)


def _sentences(text: str) -> list[str]:
    return [p.text for p in split_into_passages(_source(text))]


@pytest.fixture(scope="module")
def seed_passages(seeds_dir: Path) -> dict[str, list[str]]:
    return {s.id: [p.text for p in split_into_passages(s)] for s in load_sources(seeds_dir)}


def test_passages_cover_every_word_of_the_file_on_disk_in_order(seeds_dir: Path) -> None:
    """Between passages of a seed file (as read here) lies only space, a bullet mark or 002's
    dateline: no word of the file is lost, none is quoted twice, none is changed."""
    for source in load_sources(seeds_dir):
        text = source.path.read_text(encoding="utf-8")
        end = 0
        for passage in split_into_passages(source):
            assert passage.start >= end
            gap = text[end : passage.start]
            assert not gap.strip(" \n✔") or gap == " date 2020-03-03 Southfield — "
            assert text.find(passage.text, end) == passage.start
            assert passage.text == passage.text.strip() != ""
            end = passage.end
        assert not text[end:].strip()


def test_sentence_ending_inside_curly_quotes(seed_passages) -> None:
    assert any(p.endswith("“Japan loses, Mars awaits us all.”") for p in seed_passages["001"])
    assert "These seven words have sparked" in next(
        p for p in seed_passages["001"] if p.startswith("These seven words")
    )


def test_abbreviations_do_not_end_sentences(seed_passages) -> None:
    joined = seed_passages["000"] + seed_passages["001"]
    assert any("outside the U.S., provided the brand" in p for p in joined)
    assert any("at 12:30 a.m. PDT, just five minutes" in p for p in joined)
    assert any("said Dr. Aiko Tanaka, a tech policy expert" in p for p in joined)


def test_heading_without_end_punctuation_is_its_own_passage(seed_passages) -> None:
    assert "Tesla Model S and Model X: No Global Discontinuation Yet" in seed_passages["000"]
    assert "Why is Tesla Struggling in Japan?" in seed_passages["000"]


def test_check_mark_bullets_are_passages_without_the_mark(seed_passages) -> None:
    bullets = [p for p in seed_passages["000"] if p.startswith(("Expanding", "Improving"))]
    assert len(bullets) == 2
    assert all("✔" not in p for p in seed_passages["000"])


def test_dateline_is_not_part_of_the_first_sentence(seed_passages) -> None:
    first = seed_passages["002"][0]
    assert first.startswith("For all of Elon Musk’s domination")
    assert "2020-03-03" not in first


def test_initials_and_decimals_stay_inside_sentences() -> None:
    assert _sentences("J. R. Smith paid 3.5 million. He left.") == [
        "J. R. Smith paid 3.5 million.",
        "He left.",
    ]


def test_question_inside_a_quote_followed_by_lowercase_does_not_split() -> None:
    assert _sentences("“Why now?” he asked. Nobody knew.") == [
        "“Why now?” he asked.",
        "Nobody knew.",
    ]


def test_hard_wrapped_prose_is_joined_into_sentences() -> None:
    text = (
        "The committee published its findings on Monday after a long review of the\n"
        "evidence. It recommended new rules.\n"
    )
    assert _sentences(text) == [
        "The committee published its findings on Monday after a long review of the\nevidence.",
        "It recommended new rules.",
    ]


def test_other_scripts_split_on_their_own_punctuation() -> None:
    assert _sentences("東京は晴れです。明日は雨です。") == ["東京は晴れです。", "明日は雨です。"]


def test_markdown_heading_marker_is_left_out_of_the_passage() -> None:
    assert _sentences("## Results\nSales rose.") == ["Results", "Sales rose."]


def test_blank_lines_start_new_paragraphs(seeds_dir: Path) -> None:
    source = next(s for s in load_sources(seeds_dir) if s.id == "002")
    passages = split_into_passages(source)
    assert passages[0].paragraph != passages[1].paragraph
    assert passages[1].paragraph == passages[2].paragraph


def test_a_library_s_passage_list_reads_as_each_source_s_passages(seeds_dir: Path) -> None:
    """The engine keeps passages as arrays and makes each one when read: the same passages,
    positions and order as splitting each source, by index, slice, source and iteration."""
    sources = load_sources(seeds_dir)
    spans = [passage_spans(s.text) for s in sources]
    counts = np.array([len(found) for found in spans])
    library = PassageList(sources, counts, np.array([x for f in spans for x in f]).reshape(-1, 3))
    expected = [p for source in sources for p in split_into_passages(source)]
    assert list(library) == expected and len(library) == len(expected)
    assert [library[i] for i in range(len(library))] == expected
    assert library[-1] == expected[-1] and library[2:5] == expected[2:5]
    with pytest.raises(IndexError):
        library[len(expected)]
    by_source = PassagesBySource(library, sources)
    for source in sources:
        own = split_into_passages(source)
        assert list(by_source[source.id]) == own and len(by_source[source.id]) == len(own)
        assert [by_source[source.id][i] for i in range(-len(own), len(own))] == own + own
    assert list(by_source) == [s.id for s in sources] and "nothing" not in by_source


def test_a_company_designator_ends_a_sentence_before_a_new_clause() -> None:
    text = (
        "The deal names X Corp. Citing concerns, officials banned it. Apple Inc. The company "
        "grew. Acme Corp. Chairman Bob Smith said so."
    )
    sentences = [text[start:end] for _, start, end in passage_spans(text)]
    assert sentences == [
        "The deal names X Corp.",
        "Citing concerns, officials banned it.",
        "Apple Inc.",
        "The company grew.",
        "Acme Corp. Chairman Bob Smith said so.",
    ]


# A newswire story as Reuters-21578 holds it: hard-wrapped at about 65 columns, the first line
# short (its dateline was taken off), each paragraph indented, a table of figures under it.
WIRE_STORY = (
    "Bank of America NT and SA's\n"
    "<BAC.N> West German branch said it has applied for a licence to\n"
    "trade on the Frankfurt stock exchange, the first foreign bank to\n"
    "do so this year.\n"
    "    The charter rates quoted included a 14,000 tonner from\n"
    "Indonesia to the U.S. Gulf at 2,800 dlrs daily and a combined\n"
    "carrier from the U.S. Gulf to Italy at 9,000 dlrs daily.\n"
    "    Shr 12 cts vs 10 cts\n"
    "    Net 1.2 mln vs 1.0 mln\n"
    "    Nine mths\n"
    "    Shr 30 cts vs 25 cts\n"
    " Reuter\n"
)


def test_a_sentence_hard_wrapped_after_a_short_line_is_one_passage() -> None:
    """A line break inside a sentence of hard-wrapped text is a space, even after a short line
    or before a capital ("SA's\\n<BAC.N> West German branch", "from\\nIndonesia")."""
    sentences = _sentences(WIRE_STORY)
    assert sentences[0].startswith("Bank of America NT and SA's\n<BAC.N> West German branch")
    assert sentences[0].endswith("do so this year.")
    assert sentences[1].startswith("The charter rates quoted included a 14,000 tonner from\nIndo")
    assert sentences[1].endswith("9,000 dlrs daily.")


def test_table_lines_and_headings_of_hard_wrapped_text_stay_lines_of_their_own() -> None:
    assert _sentences(WIRE_STORY)[2:] == [
        "Shr 12 cts vs 10 cts", "Net 1.2 mln vs 1.0 mln", "Nine mths", "Shr 30 cts vs 25 cts",
        "Reuter",
    ]  # fmt: skip
    headed = "ACME CORP <ACM> SAYS IT WILL MERGE\n" + WIRE_STORY
    assert _sentences(headed)[0] == "ACME CORP <ACM> SAYS IT WILL MERGE"
    titled = "Results for the year\n" + WIRE_STORY
    assert _sentences(titled)[0] == "Results for the year"
