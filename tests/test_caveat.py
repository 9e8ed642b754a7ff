"""Caveats: disagreements between cited sources, on hand-written pairs and the seed articles."""

from __future__ import annotations

import time
from pathlib import Path

import pytest

from bot.answer_types import Citation
from bot.caveat import (
    find_conflicts_across,
    find_disagreements,
    find_single_source_claims,
    scan_conflicts,
)
from bot.passages import split_into_passages
from bot.sources import DEFAULT_SOURCES_DIR, Source, load_sources


@pytest.fixture
def write_sources(tmp_path: Path):
    """Write texts as source files (000.txt, 001.txt, ...) and load them as real Sources."""

    def write(*texts: str) -> list[Source]:
        for i, text in enumerate(texts):
            (tmp_path / f"{i:03d}_source.txt").write_text(text + "\n", encoding="utf-8")
        return load_sources(tmp_path)

    return write


@pytest.fixture(scope="module")
def seeds() -> dict[str, Source]:
    return {source.id: source for source in load_sources(DEFAULT_SOURCES_DIR)}


def cite(n: int, source: Source, fragment: str | None = None) -> Citation:
    """A citation of `fragment` (default: the whole text) as it stands in the source."""
    text = source.text.rstrip("\n")
    start = source.text.index(fragment) if fragment else 0
    end = start + len(fragment) if fragment else len(text)
    return Citation(n=n, source=source, start=start, end=end, score=1.0)


def disagree(write_sources, question: str, first: str, second: str):
    a, b = write_sources(first, second)
    return find_disagreements(question, [cite(1, a), cite(2, b)])


def assert_sides_are_verbatim(found, citations: list[Citation]) -> None:
    by_n = {c.n: c for c in citations}
    for contradiction in found:
        assert {side.n for side in contradiction.sides} <= set(by_n)
        for side in contradiction.sides:
            assert side.quote in by_n[side.n].excerpt


# --- the seed articles ------------------------------------------------------------------------


def test_seed_no_longer_sold_versus_selling_existing_stock_is_flagged(seeds):
    citations = [
        cite(
            1, seeds["000"], "Starting April 1, Tesla will only sell existing stock and used cars"
        ),
        cite(
            2,
            seeds["001"],
            "Tesla vehicles, once increasingly common on Japanese roads, are no longer sold or "
            "serviced there.",
        ),
    ]
    found = find_disagreements("Can Japanese customers still order a new Tesla?", citations)
    assert len(found) == 1
    assert found[0].kind == "polarity"
    assert "[1]" in found[0].explanation and "[2]" in found[0].explanation
    assert (
        "no longer sold" in found[0].explanation
        and "only sell existing stock" in found[0].explanation
    )
    assert_sides_are_verbatim(found, citations)


def test_seed_ban_versus_production_ending_is_flagged(seeds):
    citations = [
        cite(
            1,
            seeds["001"],
            "Japan has imposed a blanket ban on all Tesla technology within its borders, "
            "effective immediately from March 25, 2025.",
        ),
        cite(
            2,
            seeds["000"],
            "Tesla’s official X account in Japan has announced that the Japanese market’s Model S "
            "and Model X production will cease on March 31, 2025.",
        ),
    ]
    found = find_disagreements("Did Japan ban Tesla?", citations)
    assert [sorted(side.n for side in c.sides) for c in found] == [[1, 2]]
    # not "different dates": a government ban against Tesla's own account of ending production
    explanation = found[0].explanation
    assert "“ban” by Japan" in explanation and "Tesla's own account" in explanation
    assert_sides_are_verbatim(found, citations)


def test_seed_market_share_facets_are_not_flagged(seeds):
    citations = [
        cite(1, seeds["000"], "In some regions, our market share is very low, such as Japan."),
        cite(2, seeds["002"], "roughly 90% were Teslas"),
        cite(
            3,
            seeds["001"],
            "Tesla’s relatively modest market share in Japan (far behind local brands)",
        ),
        cite(
            4,
            seeds["002"],
            "later predicting it would be Tesla’s number two source of sales over time",
        ),
        cite(
            5,
            seeds["000"],
            "He even predicted that Japan could become Tesla’s largest market outside the U.S.",
        ),
    ]
    assert find_disagreements("What is Tesla's market share in Japan?", citations) == []


def test_statements_within_one_source_are_not_a_disagreement(seeds):
    citations = [
        cite(
            1, seeds["000"], "Model S and Model X are not being removed from Tesla’s global lineup"
        ),
        cite(2, seeds["000"], "Tesla discontinuing Model S and Model X production for Japan"),
    ]
    assert find_disagreements("Is Tesla removing the Model S?", citations) == []


# --- the kinds of disagreement ----------------------------------------------------------------


def test_polarity(write_sources):
    found = disagree(
        write_sources,
        "Is the Munch Museum open on Mondays?",
        "The Munch Museum in Oslo is open on Mondays.",
        "The Munch Museum in Oslo is not open on Mondays.",
    )
    assert [c.kind for c in found] == ["polarity"]
    assert found[0].sides[0].n == 2  # the negating side speaks first


def test_antonym_predicates(write_sources):
    found = disagree(
        write_sources,
        "Did the council approve the Harbour Bridge plan?",
        "The Leeds council approved the Harbour Bridge plan in a close vote.",
        "The Leeds council rejected the Harbour Bridge plan in a close vote.",
    )
    assert [c.kind for c in found] == ["antonym"]


@pytest.mark.parametrize(
    ("first", "second", "flagged"),
    [
        ("Lake Vostok is about 250 km long.", "Lake Vostok is 400 km long.", True),
        ("Lake Vostok is about 250 km long.", "Lake Vostok is 260 km long.", False),
        ("Lake Vostok is at least 200 km long.", "Lake Vostok is 250 km long.", False),
        (
            "Lake Vostok is between 200 and 300 km long.",
            "Lake Vostok is 250 kilometres long.",
            False,
        ),
        ("Lake Vostok is 200-300 km long.", "Lake Vostok is 350 km long.", True),
        ("Lake Vostok is 250 metres deep.", "Lake Vostok is 250 meters deep.", False),
    ],
)
def test_numbers_with_qualifiers_ranges_and_units(write_sources, first, second, flagged):
    found = disagree(write_sources, "How long is Lake Vostok?", first, second)
    assert bool(found) is flagged
    assert all(c.kind == "number" for c in found)


def test_different_denominators_are_not_flagged(write_sources):
    found = disagree(
        write_sources,
        "What share of cars in Norway are Teslas?",
        "In Norway, roughly 90% of imported electric cars were Teslas.",
        "In Norway, Teslas were 2% of all cars sold.",
    )
    assert found == []


@pytest.mark.parametrize(
    ("first", "second", "flagged"),
    [
        ("Ada Byron was born on 10 December 1815.", "Ada Byron was born in 1816.", True),
        ("Ada Byron was born on 10 December 1815.", "Ada Byron was born in December 1815.", False),
        (
            "Ada Byron (10 December 1815 – 27 November 1852) was a mathematician.",
            "Ada Byron died on 27 November 1852 in London.",
            False,
        ),
        (
            "Ada Byron (10 December 1815 – 27 November 1852) was a mathematician.",
            "Ada Byron died in 1851 in London.",
            True,
        ),
        ("Ada Byron was born in 1815.", "Ada Byron married in 1835.", False),
    ],
)
def test_dates_of_the_same_event(write_sources, first, second, flagged):
    found = disagree(write_sources, "When was Ada Byron born and when did she die?", first, second)
    assert bool(found) is flagged
    assert all(c.kind == "date" for c in found)


def test_hedged_or_attributed_claims_are_not_flagged(write_sources):
    assert not disagree(
        write_sources,
        "How many cars did Acme sell in Leeds?",
        "Analysts estimate that Acme sold 500 cars in Leeds.",
        "Acme sold 900 cars in Leeds.",
    )
    assert not disagree(
        write_sources,
        "Will Acme close the Leeds plant?",
        "Acme might close the Leeds plant next year.",
        "Acme will not close the Leeds plant next year.",
    )


def test_unrelated_statements_are_not_flagged(write_sources):
    assert not disagree(
        write_sources,
        "When did Paul Fraisse die?",
        "Paul Fraisse died in 1996 in Paris.",
        "Karl Weyprecht died on 3 March 1881 in Michelstadt.",
    )


def test_no_citations_or_one_source(write_sources):
    (only,) = write_sources("Acme sold 500 cars. Acme sold 900 cars.")
    assert find_disagreements("How many cars?", []) == []
    assert find_single_source_claims("How many cars?", [cite(1, only)]) == []


# --- notes and the whole-collection scan ------------------------------------------------------


def test_single_source_claim_note(seeds):
    citations = [
        cite(
            1,
            seeds["001"],
            "Japan has imposed a blanket ban on all Tesla technology within its borders",
        ),
        cite(2, seeds["000"], "Tesla’s official X account in Japan has announced"),
    ]
    assert find_single_source_claims("Did Japan ban Tesla?", citations) == [
        "Only [1] mentions “ban”; the other sources cited do not."
    ]


def test_conflicts_across_the_seed_sources(seeds):
    passages = [p for source in seeds.values() for p in split_into_passages(source)]
    conflicts = find_conflicts_across(passages)
    pairs = {tuple(sorted(p.source.id for p in c.passages)) for c in conflicts}
    assert pairs == {("000", "001")}
    for conflict in conflicts:
        for passage, quote in zip(conflict.passages, conflict.quotes, strict=True):
            assert quote in passage.text
        assert conflict.passages[0].source.id != conflict.passages[1].source.id


def test_a_disagreement_deep_in_one_long_paragraph_is_found_without_wedging():
    """Issue 15: the text before each passage was read back to the paragraph's start, so one
    paragraph of 75,000 characters (2,400 dated sentences, no blank line) took minutes."""
    long = Source(
        "long",
        "Long",
        None,
        Path("long.txt"),
        "The Yarrow index rose in 1987. " * 2400 + "Acme Corp sold 1,378 cars in 2019.",
    )
    short = Source("short", "Short", None, Path("short.txt"), "Acme Corp sold 2,000 cars in 2019.")
    passages = [p for source in (long, short) for p in split_into_passages(source)]  # fmt: skip
    began = time.monotonic()
    scan = scan_conflicts(passages)
    assert time.monotonic() - began < 30  # linear: a few seconds on a busy machine
    assert scan.complete and scan.shortfall() is None
    assert [(c.kind, c.quotes) for c in scan.conflicts] == [
        ("number", ("Acme Corp sold 1,378 cars in 2019", "Acme Corp sold 2,000 cars in 2019"))
    ]


def _stop_after(calls: int):
    asked = iter(range(calls + 1))
    return lambda: next(asked, calls) >= calls


def test_a_check_stopped_early_says_how_much_it_read(seeds):
    passages = [p for source in seeds.values() for p in split_into_passages(source)]
    scan = scan_conflicts(passages, _stop_after(5))
    assert scan.read == 5 and scan.conflicts == []
    assert scan.shortfall() == (
        f"Stopped at the time limit: checked 5 of {len(passages)} passages (0 of "
        f"{len(seeds)} sources in full); the rest were not compared."
    )
    # stopped while comparing, after every passage was read: the pairs left are counted
    whole = scan_conflicts(passages)
    compared = scan_conflicts(passages, _stop_after(len(passages) + 1))
    assert compared.read == len(passages) and compared.compared == 1 < compared.pairs
    assert compared.pairs == whole.pairs and whole.complete
    assert compared.shortfall() == (
        f"Stopped at the time limit: compared 1 of {whole.pairs} pairs of passages that share "
        "words; the rest were not compared."
    )
