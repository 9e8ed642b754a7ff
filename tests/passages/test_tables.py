"""Tables and infobox lines: a figure belongs to its row and its column."""

import pytest

from bot.answer.engine import AnswerEngine
from bot.passages.tables import cells, column_names, is_table_row, subject_of

TABLE = (
    "Ferries of the northern lakes\n\n"
    "Ferry | Launched | Length | Crew\n"
    "Grey Heron | 1954 | 38 m | 6\n"
    "Lady Ashby | 1961 | 52 m | 9\n"
    "Marsh Queen | 1978 | 44 m | 7\n"
)
INFOBOX = "Lady Ashby\n\nType\tpaddle steamer\nLaunched\t1961\nLength\t57 m\nCrew\t9\n"


def test_fields_are_split_on_tabs_or_pipes() -> None:
    assert is_table_row("a | b | c") and is_table_row("Length\t57 m")
    assert not is_table_row("A sentence, with commas; and more.")
    row = "Lady Ashby | 1961 | 52 m | 9"
    assert [row[s:e] for s, e in cells(row)] == ["Lady Ashby", "1961", "52 m", "9"]


def test_a_row_knows_its_columns_and_its_title() -> None:
    at = TABLE.index("Lady Ashby")
    assert column_names(TABLE, at) == ["Ferry", "Launched", "Length", "Crew"]
    assert subject_of(TABLE, at) == "Ferries of the northern lakes"
    assert column_names(INFOBOX, INFOBOX.index("Length")) is None  # names itself
    assert subject_of(INFOBOX, INFOBOX.index("Length")) == "Lady Ashby"


@pytest.fixture
def engine(make_sources) -> AnswerEngine:
    return AnswerEngine.from_folder(make_sources({"001-table.txt": TABLE, "002-box.txt": INFOBOX}))


def test_a_row_is_quoted_alone_and_the_figures_of_one_column_are_compared(engine) -> None:
    answer = engine.answer("How long is the Lady Ashby?")
    excerpts = [c.excerpt for c in answer.citations]
    assert "Lady Ashby | 1961 | 52 m | 9" in excerpts
    assert not any("Grey Heron" in e or "Marsh Queen" in e for e in excerpts)
    assert len(answer.contradictions) == 1
    explanation = answer.contradictions[0].explanation
    assert "says 52 m" in explanation and "says 57 m" in explanation


def test_figures_of_other_columns_or_rows_are_no_disagreement(engine) -> None:
    # the crew (9) agrees; the lengths of other ferries (38 m, 44 m) are not this ferry's
    answer = engine.answer("How many crew does the Lady Ashby have?")
    assert answer.contradictions == ()
