"""Chat wording met halfway: a word no source uses meets its WordNet relatives that the sources
use, and chat spellings read as the words they stand for."""

from bot.answer.engine import AnswerEngine
from bot.answer.types import Status
from bot.relevance.expansion import EXPANDED_WEIGHT, related_terms
from bot.retrieval import term_of

BUDGET = "Council Notes\n\nThe Osby council will not disclose the harbour budget this year.\n"


def _engine(make_sources, text: str) -> AnswerEngine:
    return AnswerEngine.from_folder(make_sources({"001-text.txt": text}))


def test_a_word_no_source_uses_is_met_by_its_synonym(make_sources) -> None:
    engine = _engine(make_sources, BUDGET)
    answer = engine.answer("Will the Osby council divulge the harbour budget?")
    assert answer.status is Status.ANSWERED
    assert "will not disclose" in answer.citations[0].excerpt
    query = engine.query_for("Will the Osby council divulge the harbour budget?")
    divulge = term_of("divulge")
    assert term_of("disclose") in query.matches[divulge]
    # weaker evidence than the word itself: a share of the related word's weight
    assert query.weights[divulge] == EXPANDED_WEIGHT * engine._facts.idf(term_of("disclose"))


def test_a_word_the_sources_use_is_not_expanded(make_sources) -> None:
    engine = _engine(make_sources, BUDGET)
    query = engine.query_for("Will the Osby council disclose the budget?")
    assert query.matches[term_of("disclose")] == {term_of("disclose")}
    assert related_terms("zorblax", engine._facts) == frozenset()


def test_chat_spellings_read_as_their_words(make_sources) -> None:
    text = "Osby Notes\n\nPeople in Osby queue every morning for the Lindqvist bakery.\n"
    answer = _engine(make_sources, text).answer("ppl in osby queue for the lindqvist bakery lol")
    assert answer.status is Status.ANSWERED
    assert "queue every morning" in answer.citations[0].excerpt
    refused = _engine(make_sources, text).answer("do ppl in osby queue for the ferry tbh")
    assert refused.status is not Status.ANSWERED
    assert "“ferry”" in refused.message and "tbh" not in refused.message
