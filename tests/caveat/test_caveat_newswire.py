"""Caveats on hard-wrapped newswire text (Reuters-21578, 1987), a kind of English nobody tuned on.

Each probe copies real passages. The contradictions are either two real reports that differ (two
agencies' figures for one week) or a real passage with one figure edited; the non-contradictions
are unedited sibling passages, which must raise nothing.
"""

from __future__ import annotations

from pathlib import Path

from bot.answer.types import Citation
from bot.caveat import find_conflicts_across, find_disagreements
from bot.caveat.quantities import dates_in, last_year_in, quantities_in
from bot.caveat.tokens import tokenize
from bot.passages.sentences import split_into_passages
from bot.sources import Source, load_sources

API_FEB_27 = (
    "Distillate fuel stocks held in\n"
    "primary storage fell by 4.4 mln barrels in the week ended Feb\n"
    "27 to 127.10 mln barrels from 131.50 mln the previous week, the\n"
    "American Petroleum Institute (API) said."
)
EIA_FEB_27 = (
    "Distillate fuel stocks held in\n"
    "primary storage fell by 3.4 mln barrels in the week ended Feb\n"
    "27 to 128.4 mln barrels, the Energy Information Administration\n"
    "(EIA) said."
)
# The same report a week before (figures and day edited): another week, no disagreement.
API_FEB_20 = (
    "Distillate fuel stocks held in\n"
    "primary storage fell by 3.4 mln barrels in the week ended Feb\n"
    "20 to 131.50 mln barrels from 134.90 mln the previous week, the\n"
    "American Petroleum Institute (API) said."
)
NYMEX_SPOKESWOMAN = (
    "An exchange spokeswoman said the change will allow oil\n"
    "traders that do not hold a futures position to initiate, after\n"
    "the exchange closes, a transaction that can subsequently be\n"
    "hedged in the futures market."
)
NYMEX_APRIL = (
    "On April one, NYMEX will allow oil traders that do not\n"
    "hold a futures position to initiate, after the exchange closes,\n"
    "a transaction that can subsequently be hedged in the futures\n"
    "market, according to an exchange spokeswoman."
)
USAIR = "USAir Group Inc said its February\nload factor rose to 62.2 pct from 56.9 pct a year ago."
PIEDMONT = "Year to date, Piedmont said its load factor was 54.1 pct vs\n51.6 pct last year."


def _whole(n: int, source: Source) -> Citation:
    return Citation(n=n, source=source, start=0, end=len(source.text.rstrip("\n")), score=1.0)


def _sources(folder: Path, texts: tuple[str, ...]) -> list[Source]:
    """Each text as one source file of `folder`, loaded as the bot loads them."""
    for i, text in enumerate(texts):
        (folder / f"{i:03d}_wire.txt").write_text(text + "\n", encoding="utf-8")
    return load_sources(folder)


def _asked(folder: Path, question: str, *texts: str):
    sources = _sources(folder, texts)
    return find_disagreements(question, [_whole(n, s) for n, s in enumerate(sources, start=1)])


def _across(folder: Path, *texts: str):
    sources = _sources(folder, texts)
    return find_conflicts_across([p for s in sources for p in split_into_passages(s)])


QUAKER = (
    "Quaker Oats Co said it filed a shelf\n"
    "registration with the Securities and Exchange Commission\n"
    "covering up to 250 mln dlrs in debt securities."
)
KODAK = (
    "Eastman Kodak Co said it filed a\n"
    "shelf registration with the Securities and Exchange commission\n"
    "for debt securities totaling 900 mln dlrs."
)

DISTILLATE = "How much did distillate fuel stocks fall in the week ended Feb 27?"


def test_two_agencies_figures_for_one_week_disagree(tmp_path):
    found = _asked(tmp_path, DISTILLATE, API_FEB_27, EIA_FEB_27)
    assert len(found) == 1
    assert "4.4" in found[0].explanation and "3.4" in found[0].explanation


def test_a_figure_keeps_the_week_the_wrap_put_on_the_next_line(tmp_path):
    """ "…the week ended Feb" / "27 to…": the day is on the next line, and it is another week."""
    assert (
        _asked(tmp_path, "How much did distillate fuel stocks fall?", API_FEB_27, API_FEB_20) == []
    )
    assert _across(tmp_path, API_FEB_27, API_FEB_20) == []


def test_a_negation_keeps_its_verb_on_the_next_line(tmp_path):
    """ "…traders that do not" / "hold a futures position": both say "do not hold"."""
    assert _across(tmp_path, NYMEX_SPOKESWOMAN, NYMEX_APRIL) == []
    question = (
        "Will NYMEX allow traders that do not hold a futures position to initiate a transaction?"
    )
    assert _asked(tmp_path, question, NYMEX_SPOKESWOMAN, NYMEX_APRIL) == []


def test_the_figure_changed_from_is_not_the_figure_reported(tmp_path):
    """ "rose to 62.2 pct from 56.9 pct a year ago": 56.9 is last year's, not another answer."""
    last_year = "USAir Group Inc said its load factor in February 1986 was\n56.9 pct."
    assert _asked(tmp_path, "What was USAir's load factor?", USAIR, last_year) == []
    edited = USAIR.replace("62.2", "64.8")
    found = _asked(tmp_path, "What was USAir's February load factor?", USAIR, edited)
    assert len(found) == 1
    assert found[0].explanation.startswith("[1] says 62.2 pct (")
    assert "; [2] says 64.8 pct (" in found[0].explanation


def test_two_companies_figures_are_not_compared_across_sources(tmp_path):
    assert _across(tmp_path, USAIR, PIEDMONT) == []


def test_a_number_hyphened_to_a_word_is_a_code_not_a_figure():
    text = "The bonds are rated A-2 by Moody's and the issue has 12 underwriters."
    tokens = tokenize(text)
    figures = [text[q.start : q.end] for q in quantities_in(text, tokens, dates_in(text, tokens))]
    assert figures == ["12"]


def test_two_companies_sharing_a_regulator_and_a_designator_are_not_compared(tmp_path):
    """ "Quaker Oats Co" and "Eastman Kodak Co" both file with the SEC: two filings."""
    assert _across(tmp_path, QUAKER, KODAK) == []


def test_one_company_reported_with_two_figures_is_a_conflict(tmp_path):
    found = _across(tmp_path, KODAK, KODAK.replace("900", "700"))
    assert len(found) == 1
    assert "900 mln dlrs" in found[0].explanation and "700 mln dlrs" in found[0].explanation


def test_a_fraction_is_its_value_and_a_slashed_date_no_figure():
    text = "Repayments at 13/16 percentage point over LIBOR from 3/4/1987, on 12 loans."
    tokens = tokenize(text)
    found = quantities_in(text, tokens, dates_in(text, tokens))
    assert [(text[q.start : q.end], q.low) for q in found] == [("13/16", 0.8125), ("12", 12.0)]


def test_a_mixed_fraction_is_one_figure_not_a_range():
    # Reuters writes prices and rates as mixed fractions: "2-3/4" is 2.75, never "2 to 3".
    text = "Corn held gains of two to 2-3/4 cents, bills at 10-13/16 pct, a 1986/87 crop."
    tokens = tokenize(text)
    found = quantities_in(text, tokens, dates_in(text, tokens))
    assert [(q.low, q.high) for q in found] == [(2.0, 2.75), (10.8125, 10.8125)]


def test_a_character_reference_is_no_figure():
    text = "Iraq #39;s leader named 12 ministers."
    tokens = tokenize(text)
    found = quantities_in(text, tokens, dates_in(text, tokens))
    assert [q.low for q in found] == [12.0]


def test_compound_number_words_are_figures():
    text = "The mine employs twenty-five miners and thirty-two drivers."
    tokens = tokenize(text)
    found = quantities_in(text, tokens, dates_in(text, tokens))
    assert [q.low for q in found] == [25.0, 32.0]
    assert found[0].unit != found[1].unit  # miners and drivers are counted apart


# Reported by `python -m bot conflicts` over 2,000 Reuters articles before sources had to share
# a subject and a time: each pair below is two real passages of two articles.
BOE_MORNING_37 = (
    "The Bank of England said it had provided\n"
    "the money market with 37 mln stg assistance in the morning\n"
    "session."
)
BOE_MORNING_24 = (
    "The Bank of England said it provided 24\n"
    "mln stg help to the money market in the morning session."
)
SP_AVX = (
    "Standard and Poor's Corp said it\n"
    "affirmed the B-plus rating on AVX Corp's 28 mln dlrs of\n"
    "subordinated debt."
)
SP_AFG = (
    "Standard and Poor's Corp said it\n"
    "affirmed the BB-plus rating on AFG Industries Inc's 185 mln\n"
    "dlrs of subordinated debt."
)
LIFETIME_BUYS = (
    "Lifetime Corp said it agreed to buy\n"
    "five mln shares or 16 pct of <Nippon Lace Co Ltd> for 3.28 dlrs\n"
    "a share, or 16.5 mln dlrs."
)
LIFETIME_DIRECTOR = (
    "Lifetime also said the <Private Bank and Trust of Zurich>,\n"
    "on behalf of Lifetime director and shareholder Terence Ramsden,\n"
    "intends to subscribe for two mln shares of Nippon Lace at the\n"
    "same price paid by Lifetime."
)
OXY_33 = (
    "Occidental Petroleum Corp said the size\n"
    "of its underwritten offering of common stock was increased to\n"
    "33 mln shares from the proposed 30 mln."
)
OXY_37 = (
    "Occidental Petroleum Corp said its\n"
    "common stock offering has been further increased to a total of\n"
    "37,950,000 shares."
)


def test_two_days_of_a_morning_session_are_not_compared(tmp_path):
    """ "in the morning session" is a time relative to the writing: two articles, two days."""
    assert _across(tmp_path, BOE_MORNING_37, BOE_MORNING_24) == []


def test_one_speaker_on_two_companies_debts_is_no_conflict(tmp_path):
    """The figures belong to "AVX Corp's" and "AFG Industries Inc's" debt, not to the agency."""
    assert _across(tmp_path, SP_AVX, SP_AFG) == []


def test_a_reported_statement_has_its_own_subject(tmp_path):
    """ "Lifetime also said the bank … intends to subscribe for two mln shares": the bank's
    shares, not the five mln Lifetime buys."""
    assert _across(tmp_path, LIFETIME_BUYS, LIFETIME_DIRECTOR) == []


def test_two_values_reached_by_a_change_are_two_moments(tmp_path):
    """An offering "increased to 33 mln shares", later "further increased to" 37,950,000."""
    assert _across(tmp_path, OXY_33, OXY_37) == []


def test_one_subject_with_one_measure_and_two_values_is_still_listed(tmp_path):
    """The same company, the same offering, no change and no relative time: two figures."""
    first = "Occidental Petroleum Corp said its common stock offering\nis 33 mln shares."
    found = _across(tmp_path, first, first.replace("33", "38"))
    assert len(found) == 1 and "33 mln" in found[0].explanation


def test_a_middle_name_is_the_same_person_and_an_event_without_a_name_is_the_same_act(tmp_path):
    for case in ("born", "became", "other"):
        (tmp_path / case).mkdir()
    born = _across(
        tmp_path / "born",
        "Ada Lund was born on 8 December 1967.",
        "Ada Maria Lund was born on 12 August 1967 in Oslo.",
    )
    assert len(born) == 1 and born[0].kind == "date"
    became = _across(
        tmp_path / "became",
        "In 1965, Tom Aske becomes the director of the Institute of Music.",
        "1961 : Tom Aske becomes the only director of the Institute of Music.",
    )
    assert len(became) == 1 and became[0].kind == "date"
    other_act = _across(
        tmp_path / "other",
        "In 1965, Tom Aske becomes the director of the Institute of Music.",
        "In 1961, Tom Aske founded the Institute of Music.",
    )
    assert other_act == []


def test_declining_to_comment_says_no_comment(tmp_path):
    assert (
        _across(
            tmp_path,
            "The SEC, as a matter of policy, never comments on its enforcement activities.",
            "As a matter of policy, the SEC routinely declines to comment on its enforcement"
            " activities.",
        )
        == []
    )


def test_a_lifespan_after_another_name_is_that_persons(tmp_path):
    """The father's "(1743–1804)" is not the son's birth; the son's own dates are compared."""
    son = "Ivo Rask (4 May 1777 – 10 May 1838) was a lawyer."
    father = "Ivo Rask was born in Ribe, the son of Anton Holm (1743–1804)."
    assert _across(tmp_path, son, father) == []
    (tmp_path / "own").mkdir()
    own = _across(tmp_path / "own", son, "Ivo Rask was born in Ribe on 4 May 1779.")
    assert len(own) == 1 and own[0].kind == "date"


def test_a_denial_before_the_subject_is_another_clauses(tmp_path):
    """AG News: "results would not be changed and Paul Hamm … would keep his gold medal" does
    not deny that he keeps it, nor does "not the only drug" deny the drug."""
    ruling = (
        "The court said results would not be changed and Paul Hamm of the United States would"
        " keep his gold medal."
    )
    hearing = "Paul Hamm appeared before the court Monday to argue why he should keep his medal."
    assert _across(tmp_path, ruling, hearing) == []
    (tmp_path / "drug").mkdir()
    only = "Vioxx not the only drug to help arthritis."
    pulled = "Merck pulled its arthritis drug Vioxx off the market on Thursday."
    assert _across(tmp_path / "drug", only, pulled) == []


def test_the_year_a_clause_inherits_is_that_of_the_last_full_date_before_it(
    seeds_dir: Path,
) -> None:
    """`last_year_in` reads only the date patterns; it must give the year of `dates_in`'s last
    date, which also reads what each date is of."""
    texts = [
        API_FEB_27,
        "Talks began on March 3, 1987 and ended 12 April 1988. On 25 February the board met.",
        "The plant, opened in May 1990, closed on 2 June 2001 (re-opened June 4, 2003).",
        "No date here, only 1,987 barrels and the year 1986.",
        *(source.text for source in load_sources(seeds_dir)),
    ]
    for text in texts:
        for cut in range(0, len(text) + 1, 7):
            before = text[:cut]
            dates = dates_in(before, tokenize(before))
            assert last_year_in(before) == (dates[-1].low // 10000 if dates else None)
