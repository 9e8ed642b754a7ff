import gc
from collections import Counter
from pathlib import Path

import pytest

from bot.answer.engine import MAX_CITATIONS, AnswerEngine
from bot.answer.types import Status
from bot.answer.validation import MAX_QUESTION_CHARS
from bot.main import main

_SENTENCE_ENDS = (".", "?", "!", "”", ":")


def _sources_cited(answer) -> list[str]:
    return [c.source.id for c in answer.citations]


def test_every_excerpt_is_whole_sentences_of_the_file_on_disk(
    engine: AnswerEngine, seeds_dir: Path
) -> None:
    """Checked against the seed files as read here, and against where sentences begin and end
    in them, not against the engine's own offsets arithmetic."""
    on_disk = {path.name: path.read_text(encoding="utf-8") for path in seeds_dir.glob("*.txt")}
    questions = ["Did Japan ban Tesla?", "Who is Lars Moravy?", "Why is Tesla struggling?"]
    citations = [c for q in questions for c in engine.answer(q).citations]
    assert citations
    for citation in citations:
        text = on_disk[citation.source.path.name]
        excerpt = citation.excerpt.removesuffix("…") if citation.trimmed else citation.excerpt
        assert excerpt and text.find(excerpt) == citation.start
        assert citation.end == citation.start + len(excerpt)
        before = text[: citation.start].rstrip(" \t✔")
        assert before == "" or before.endswith(_SENTENCE_ENDS + ("\n", "—"))
        if not citation.trimmed:
            assert excerpt.endswith(_SENTENCE_ENDS) or text[citation.end] == "\n"


def test_citations_are_numbered_in_order_and_capped(engine: AnswerEngine) -> None:
    answer = engine.answer("What is Tesla's market share in Japan?")
    assert [c.n for c in answer.citations] == list(range(1, len(answer.citations) + 1))
    assert 1 <= len(answer.citations) <= MAX_CITATIONS


def test_a_ban_question_cites_the_ban_and_the_account_that_disagrees(engine: AnswerEngine) -> None:
    answer = engine.answer("Was Tesla banned in Japan?")
    assert answer.status is Status.ANSWERED
    cited = _sources_cited(answer)
    assert cited[0] == "001"
    assert "000" in cited
    assert any("ban" in c.excerpt for c in answer.citations if c.source.id == "001")


def test_each_source_gets_its_best_passage_before_any_gets_a_second(engine: AnswerEngine) -> None:
    answer = engine.answer("Why is Tesla struggling to sell cars in Japan?")
    cited = _sources_cited(answer)
    first_repeat = next((i for i, s in enumerate(cited) if cited.index(s) != i), len(cited))
    assert len(set(cited[:first_repeat])) == len(set(cited))


def test_single_source_facts_are_not_padded_with_other_sources(engine: AnswerEngine) -> None:
    answer = engine.answer("Where did the first Roadster sports cars shipped to Asia go?")
    assert set(_sources_cited(answer)) == {"002"}
    assert "Yokohama" in answer.citations[0].excerpt


def test_a_sentence_starting_this_confirms_brings_the_one_before(engine: AnswerEngine) -> None:
    answer = engine.answer("Is Tesla making strategic market adjustments in Japan?")
    excerpt = next(c.excerpt for c in answer.citations if "This confirms" in c.excerpt)
    assert not excerpt.startswith("This confirms")


def test_a_figure_comes_with_the_sentence_that_qualifies_it(engine: AnswerEngine) -> None:
    answer = engine.answer("What share of imported electric vehicles in 2019 were Teslas?")
    excerpt = answer.citations[0].excerpt
    assert "roughly 90%" in excerpt and "tiny segment" in excerpt


@pytest.mark.parametrize(
    "question",
    [
        "What is the capital of France?",
        "What's the weather in Tokyo tomorrow?",
        "How do I bake sourdough bread at home?",
        "Who won the 1998 football world cup?",
        "Is Tesla popular in Germany?",
    ],
)
def test_questions_the_sources_do_not_cover_are_no_match(engine: AnswerEngine, question) -> None:
    answer = engine.answer(question)
    assert answer.status is Status.NO_MATCH
    assert answer.citations == ()
    assert "don't cover" in answer.message


def test_no_match_names_the_words_no_source_mentions(engine: AnswerEngine) -> None:
    answer = engine.answer("What's the weather in Tokyo tomorrow?")
    assert "“weather”" in answer.message
    # "tomorrow" only places the question in time: it is not what no source mentions
    assert "Tokyo" not in answer.message and "tomorrow" not in answer.message


def test_a_question_of_only_common_words_is_no_match_with_a_hint(engine: AnswerEngine) -> None:
    answer = engine.answer("What is it about?")
    assert answer.status is Status.NO_MATCH
    assert "common words" in answer.message


@pytest.mark.parametrize(
    ("question", "says"),
    [
        ("", "empty"),
        ("   \n\t ", "empty"),
        ("?!…", "no words"),
        ("🚗🇯🇵🤔", "no words"),
        ("x" * (MAX_QUESTION_CHARS + 1), "too long"),
        ("ban\x00\x01\x02", "control characters"),
        ("Did Japan \ufffd\ufffd ban Tesla?", "binary"),
    ],
)
def test_unusable_input_is_invalid_with_a_reason(engine: AnswerEngine, question, says) -> None:
    answer = engine.answer(question)
    assert answer.status is Status.INVALID
    assert says in answer.message
    assert answer.citations == ()


def test_markdown_mentions_and_other_scripts_are_searched_as_words(engine: AnswerEngine) -> None:
    assert engine.answer("**Did** _Japan_ `ban` @everyone <@&123> Tesla?").status is Status.ANSWERED
    assert engine.answer("テスラ 日本 禁止").status is Status.NO_MATCH


def test_a_question_at_the_length_limit_is_accepted(engine: AnswerEngine) -> None:
    question = ("Did Japan ban Tesla? " * 200)[:MAX_QUESTION_CHARS]
    assert engine.answer(question).status is Status.ANSWERED


def test_any_folder_of_sources_can_be_asked(make_sources) -> None:
    folder = make_sources(
        {
            "a.txt": "The river flooded the valley in May. Farmers lost their crops.",
            "b.md": "# Flood report\nOfficials said the valley flood was minor.",
        }
    )
    answer = AnswerEngine.from_folder(folder).answer("Did the valley flood?")
    assert answer.status is Status.ANSWERED
    assert Counter(_sources_cited(answer)) == Counter({"a": 1, "b": 1})


def test_building_an_engine_leaves_the_garbage_collector_to_the_process(make_sources) -> None:
    """A library user's own objects are not frozen because it built an engine: freezing is the
    entry points' choice (the bot and the command line)."""
    folder = make_sources({"a.txt": "The river flooded the valley in May."})
    frozen = gc.get_freeze_count()
    AnswerEngine.from_folder(folder)
    assert gc.get_freeze_count() == frozen


def test_the_command_line_settles_memory_after_its_build(make_sources, capsys) -> None:
    folder = make_sources({"a.txt": "The river flooded the valley in May."})
    gc.unfreeze()
    assert main(["ask", "--sources", str(folder), "Did the valley flood?"]) == 0
    assert gc.get_freeze_count() > 0  # the engine's objects are out of the collector's scans
    gc.unfreeze()


# a source about something else, so that the words of the others are rarer than everywhere
_UNRELATED = (
    "The castle kitchen baked bread every morning. The garden grew apples and pears. "
    "The well was dug in 1400."
)


@pytest.mark.parametrize(
    ("first", "second", "question", "quoted"),
    [
        pytest.param(
            "The first harbour regatta of the Blue Heron Rowing Club was held in June 2004.",
            "The Blue Heron Rowing Club held yearly regattas to raise money for the harbour. "
            "In 2001, the club said its regattas drew crews from 12 towns.\n\n"
            "Its boathouse was rebuilt after a fire.",
            "When was the first regatta of the Blue Heron Rowing Club held?",
            "In 2001",
            id="the next sentence gives the date asked",
        ),
        pytest.param(
            "The Kellaway farm covers 41 acres (166,000 m2).",
            "A miller and his son bought the Kellaway farm in 1911. After the miller died, a "
            "school bought 9 acres of the 40 acres, and the rest was sold to a trust.",
            "How large is the Kellaway farm in acres?",
            "40 acres",
            id="a year is no answer to how large",
        ),
        pytest.param(
            "The maximum range of the Sparrow catapult is 30 meters (98 ft).",
            "The Sparrow was a wooden catapult mounted on the castle wall. When the gate was "
            "stormed, the crew could hurl stones 60 meters (197 ft) into the yard.",
            "Is the maximum range of the Sparrow catapult more than 30 meters (98 ft)?",
            "60 meters",
            id="a claimed figure",
        ),
        pytest.param(
            "Ada Brennick died in 1871 at the age of 60.",
            "During the siege of Carrow in 1832, Ada Brennick nursed the wounded of both "
            "armies. While tending a young drummer, she was hit by a stray shot, killing her.",
            "Did Ada Brennick die in 1871?",
            "killing her",
            id="the main clause after a fronted phrase opens with a pronoun",
        ),
        pytest.param(
            "In 1980, now under the name Tomas Hale, Tom Haskel was jailed for theft.",
            "Freed in 1987 after seven years in prison, Tom Haskel moved to Leeds with his "
            "sister. Shortly after, Tom Haskel decided to rename himself Tomas Hale.",
            "When did Tom Haskel rename himself Tomas Hale?",
            "Freed in 1987",
            id="the sentence before, first in its source, gives the date",
        ),
        pytest.param(
            "Mira Tolland was cast in the lead role of the Harbour musical.",
            "Mira Tolland auditioned for the Harbour musical, but her voice was judged too soft "
            "for the lead. So the producers gave her a small supporting role.",
            "Which role was Mira Tolland cast in for the Harbour musical?",
            "supporting role",
            id="the next sentence opens with so",
        ),
    ],
)
def test_the_sentence_that_answers_comes_with_the_best_one_before_it(
    make_sources, first: str, second: str, question: str, quoted: str
) -> None:
    """A source's best sentence names the subject; the sentence next to it carries the answer
    (a date, a figure) or goes on about the subject, so it is quoted too."""
    folder = make_sources({"a.txt": first, "b.txt": second, "c.txt": _UNRELATED})
    answer = AnswerEngine.from_folder(folder).answer(question)
    assert quoted in next(c.excerpt for c in answer.citations if c.source.id == "b")


def test_a_source_that_dates_the_same_building_is_the_other_side(make_sources) -> None:
    """It shares little of a long claim, but names the building and gives a date."""
    folder = make_sources(
        {
            "a.txt": "Hall 12 at Camp D. R. Mallory is the old officers mess, chapel and dance "
            "hall near Dunmore, Ohio; it was in use from 1898 to 1931.",
            "b.txt": "Hall 12 at Camp D. R. Mallory was built in 1905.",
            "c.txt": _UNRELATED,
        }
    )
    answer = AnswerEngine.from_folder(folder).answer(
        "Was Hall 12 at Camp D. R. Mallory in use as the old officers mess, chapel and dance "
        "hall before 1905?"
    )
    assert {c.source.id for c in answer.citations} == {"a", "b"}
