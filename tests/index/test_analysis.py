"""The build's fast paths give what the plain ones give: a source's passages tokenised and their
names counted in one pass, and ASCII text cut into blocks by one regex."""

from __future__ import annotations

from pathlib import Path

import pytest

from bot.index.names import NameCounter, name_tally
from bot.passages.sentences import _ascii_blocks, _line_blocks, passage_spans
from bot.passages.tokens import scan_ascii, tokenize
from bot.sources import load_sources

PASSAGE_SETS = [
    ["Kestrel Motors said on Monday it would stop selling the Quillby in Japan."],
    # a heading in title case, whose capitals say nothing about names
    ["Tesla Model S And Model X", "Tesla said the Model S sells well; Sales rose."],
    # ordinals: "1st" is one token, and "st" a word of the names scan
    ["The 1st quarter and the 2ND half: Reuters' 3rd report.", "On the 21st's eve."],
    ["The 1st quarter and the 2ND half of Reuters' 3rd report.", "Sales 1.5th 4TH."],
    # headings first, in a row and last
    ["Annual Report", "Tesla Sales", "Sales of Tesla rose.", "Honda Too", "Honda fell.", "Reuter"],
    # apostrophes: possessives dropped, contractions split
    ["Don't say Tesla's cars aren't rock'n'roll's best.", "It's O'Brien's."],
    ["U.S. sales of 1,378 cars (12.5%) rose.\nThen Honda: Toyota followed.", "nothing"],
    ["", "!!!", "A", "a b c", "NASA EV sales"],
]


@pytest.mark.parametrize("passages", PASSAGE_SETS)
def test_one_pass_tokens_are_each_passages_tokens(passages: list[str]) -> None:
    scan = scan_ascii(passages)
    assert scan is not None
    expected: list[str] = []
    for passage in passages:
        expected += [scan.joined[0], *tokenize(passage)]
    assert scan.tokens == expected


@pytest.mark.parametrize("passages", PASSAGE_SETS)
def test_one_pass_names_count_what_passage_by_passage_counts(passages: list[str]) -> None:
    scan = scan_ascii(passages)
    assert scan is not None
    counter = NameCounter()
    counter.add_ascii(passages, scan.joined, scan.words)
    assert counter.tally() == name_tally(passages)


def test_the_seeds_analyse_the_same_in_one_pass(seeds_dir: Path) -> None:
    for source in load_sources(seeds_dir):
        passages = [source.text[s:e] for _, s, e in passage_spans(source.text)]
        scan = scan_ascii(passages)
        if scan is None:  # curly quotes and other scripts go passage by passage
            continue
        counter = NameCounter()
        counter.add_ascii(passages, scan.joined, scan.words)
        assert counter.tally() == name_tally(passages)


@pytest.mark.parametrize(
    "passages",
    [["Café au lait."], ["\x1b[31mred"], ["a `quoted` word"], ["a\x00b"]],
)
def test_text_the_one_pass_cannot_read_is_left_to_the_plain_path(passages: list[str]) -> None:
    assert scan_ascii(passages) is None


BLOCK_TEXTS = [
    "A hard-wrapped line of prose that runs on for more than sixty characters\n"
    "and continues here.\nShort line\nlowercase continues it.\n\n\nNew paragraph.",
    "Heading\nBody starts here.\n- a bullet\n- another bullet that is long enough to wrap over\n"
    "1. numbered\n  indented lowercase\n",
    "Ends hard.\nNext line.\nEnds soft and is a long line of more than sixty characters ok\n"
    "# heading after a long line\n \t \nafter a blank line of spaces\x1f\n\x1fstarts with x1f",
    "\n\n  leading blank lines\ntrailing spaces   \n   \n",
    "",
]


@pytest.mark.parametrize("text", BLOCK_TEXTS)
def test_ascii_blocks_are_the_line_by_line_blocks(text: str) -> None:
    assert _ascii_blocks(text) == _line_blocks(text)
