"""Relevance rules on small English examples: framing words, word forms, names, qualifiers."""

from pathlib import Path

import pytest

from bot.answer.engine import AnswerEngine
from bot.answer.types import Status
from bot.english.wordforms import base_verb
from bot.index.acronyms import defined_acronyms
from bot.passages.tokens import tokenize
from bot.relevance.demonyms import demonym_forms
from bot.relevance.framing import framing_positions
from bot.retrieval import analyze, term_of

HARBOUR = (
    "Port Aldwin Gazette\n\n"
    "The Aldwin ferry company stopped its night service to Kessel Island in May. "
    "The company still runs day crossings, and tickets are sold at the pier.\n\n"
    "Mayor Ruth Okonkwo said the harbour will get a new lighthouse. "
    "Each driver of a harbour taxi needs a licence from the port office.\n"
)
FESTIVAL = (
    "Kessel Music Festival\n\n"
    "The 2019 festival drew 12,400 visitors to the island. "
    "The 2021 festival was held online because of storms.\n\n"
    "The Aldwin ferry company was a sponsor of the festival.\n"
)


@pytest.fixture
def engine(make_sources) -> AnswerEngine:
    folder: Path = make_sources({"001-harbour.txt": HARBOUR, "002-festival.txt": FESTIVAL})
    return AnswerEngine.from_folder(folder)


def _answer_over(make_sources, text: str, question: str):
    """The answer to `question` from one source holding `text`."""
    return AnswerEngine.from_folder(make_sources({"001-text.txt": text})).answer(question)


def _cited(answer) -> str:
    return " ".join(c.excerpt for c in answer.citations)


FERRY = "stopped its night service"


@pytest.mark.parametrize(
    ("claim", "quoted"),
    [
        ("lol the Aldwin ferry stopped the night service last week", FERRY),
        ("I heard the night ferry to Kessel Island isn't running anymore, apparently", FERRY),
        ("honestly the ferry company stopped night crossings yesterday?!", FERRY),
        ("my neighbour says the ferry company stopped every night service to Kessel Island", FERRY),
        ("a guy on the forum told me the Aldwin ferry stopped its night service", FERRY),
        # a label before a colon, and whom a message calls
        ("BREAKING: Okonkwo wants a lighthouse", "new lighthouse"),
        ("fact check: Okonkwo wants a lighthouse", "new lighthouse"),
        ("@Crosscheck Okonkwo wants a lighthouse?", "new lighthouse"),
    ],
)
def test_words_that_frame_a_claim_do_not_veto_it(engine, claim, quoted) -> None:
    answer = engine.answer(claim)
    assert answer.status is Status.ANSWERED, answer.message
    assert quoted in _cited(answer)


def test_a_paraphrased_predicate_is_met_by_its_frame(engine) -> None:
    # "pulling" is no word of the sources; "stopped" is the same kind of event (an ending)
    answer = engine.answer("The ferry company is pulling the night service")
    assert "stopped its night service" in _cited(answer)


def test_a_name_next_to_another_name_is_not_a_claim_about_both(engine) -> None:
    # both names are in the sources, but no sentence has the sponsor buying anything
    answer = engine.answer("Okonkwo sold the ferry company")
    assert answer.status is Status.NO_MATCH
    assert "together" in answer.message


def test_a_name_no_source_knows_is_named_in_the_refusal(engine) -> None:
    answer = engine.answer("Zorblax is going to buy the island next month")
    assert answer.status is Status.NO_MATCH
    assert "Zorblax" in answer.message and "month" not in answer.message


def test_a_thing_no_source_names_is_not_answered_with_what_is_said_of_its_kind(engine) -> None:
    # "ferry", "sold" and "pier" are all in the harbour source, but nothing there is the Zephyr
    answer = engine.answer("Is the Zephyr ferry sold at the pier?")
    assert answer.status is Status.NO_MATCH
    assert "Zephyr" in answer.message


def test_an_unknown_name_beside_the_claims_own_names_does_not_veto_it(engine) -> None:
    answer = engine.answer(
        "Did the Aldwin ferry company stop its night service to Kessel Island, per Bloomberg?"
    )
    assert answer.status is Status.ANSWERED
    assert "stopped its night service" in _cited(answer)


def test_an_acronym_no_source_writes_is_not_counted_as_a_missing_name(engine) -> None:
    # a source may spell an acronym out: "NYT", the only name here, does not veto the claim
    answer = engine.answer("Did the ferry company stop its night service to the island, NYT?")
    assert answer.status is Status.ANSWERED


def test_the_kind_of_answer_asked_for_need_not_be_written(engine) -> None:
    # the source names the harbour, never calls it a "town"
    answer = engine.answer("Which town will get a new lighthouse?")
    assert answer.status is Status.ANSWERED
    assert "new lighthouse" in _cited(answer)
    assert engine.answer("Which town will get a new stadium?").status is Status.NO_MATCH


def test_how_many_is_answered_only_by_a_passage_that_gives_a_figure(engine) -> None:
    answer = engine.answer("How many tickets are sold at the pier?")
    assert answer.status is Status.NO_MATCH
    assert "no number" in answer.message
    answer = engine.answer("How many visitors did the 2019 festival draw?")
    assert answer.status is Status.ANSWERED and "12,400" in _cited(answer)
    # "how many" inside a yes/no question asks no figure
    answer = engine.answer("Are tickets sold at the pier, and does anyone know how many?")
    assert answer.status is Status.ANSWERED


def test_a_figure_in_words_answers_how_much(make_sources) -> None:
    text = "Port Notes\n\nThe storm cost the harbour millions in lost fares.\n"
    answer = _answer_over(make_sources, text, "How much did the storm cost the harbour?")
    assert answer.status is Status.ANSWERED


def test_a_message_without_a_claim_is_not_covered(engine) -> None:
    assert engine.answer("lol ok").status is Status.NO_MATCH


def test_a_year_that_qualifies_a_noun_keeps_other_editions_out(engine) -> None:
    answer = engine.answer("How many visitors came to the 2021 festival?")
    assert "2021 festival" in _cited(answer)
    assert "12,400" not in _cited(answer)


def test_an_approximate_number_meets_a_close_one(engine) -> None:
    answer = engine.answer("About 12,000 visitors came to the 2019 festival")
    assert "12,400 visitors" in _cited(answer)


def test_a_noun_meets_the_verb_it_is_made_from(engine) -> None:
    answer = engine.answer("Who licenses harbour taxi drivers?")
    assert "Each driver of a harbour taxi" in _cited(answer)
    assert set(analyze("drivers")) == set(analyze("drives"))
    assert set(analyze("production")) == set(analyze("produced"))


@pytest.mark.parametrize(
    ("noun", "verb"),
    [
        ("payment", "pay"),
        ("seller", "sell"),
        ("creation", "create"),
        ("marriage", "marry"),
        ("expansion", "expand"),
        ("decision", "decide"),
        ("permission", "permit"),
        ("explosion", "explode"),
        ("invasion", "invade"),
        ("conclusion", "conclude"),
        ("reliance", "rely"),
        ("defence", "defend"),
        ("conference", "confer"),
        ("response", "respond"),
        ("failure", "fail"),
        ("supplier", "supply"),
        ("employee", "employ"),
    ],
)
def test_derivation_takes_a_noun_back_to_its_verb(noun, verb) -> None:
    assert base_verb(noun) == verb


@pytest.mark.parametrize(
    "word",
    ["number", "million", "banner", "station", "message", "tension", "mission", "presence"],
)
def test_derivation_leaves_words_that_are_not_derived_whole(word) -> None:
    assert base_verb(word) is None


def test_ordinals_and_number_words_meet_digits() -> None:
    assert analyze("second") == analyze("two") == analyze("2nd") == ["2"]


def test_framing_classes_and_time_phrases() -> None:
    tokens = tokenize("I heard the mayor quit three days ago lol, how many times now?")
    framed = {tokens[i] for i in framing_positions(tokens)}
    assert {"heard", "three", "days", "ago", "lol", "many", "now"} <= framed
    assert not {"mayor", "quit", "times"} & framed


def test_a_reporter_opening_a_message_frames_it_but_a_named_one_is_the_claim() -> None:
    tokens = tokenize("my neighbour on the forum says the mayor quit")
    framed = {tokens[i] for i in framing_positions(tokens)}
    assert {"my", "neighbour", "forum", "says"} <= framed and "mayor" not in framed
    tokens = tokenize("Okonkwo says the mayor quit")
    assert "okonkwo" not in {tokens[i] for i in framing_positions(tokens)}


def test_quantity_nouns_and_done_frame_a_claim() -> None:
    tokens = tokenize("the ferry company is done selling lots of night tickets")
    framed = {tokens[i] for i in framing_positions(tokens)}
    assert {"done", "lots"} <= framed
    assert not {"ferry", "selling", "night", "tickets"} & framed


def test_function_words_the_stopword_list_lacks_are_no_part_of_a_claim() -> None:
    tokens = tokenize("can u check if every ferry sails per day despite storms")
    framed = {tokens[i] for i in framing_positions(tokens)}
    assert {"u", "every", "per", "despite"} <= framed
    assert not {"ferry", "sails", "storms"} & framed


def test_accented_latin_letters_meet_plain_ones_and_kana_keep_their_marks() -> None:
    assert analyze("Muḥammad of Zürich") == analyze("Muhammad of Zurich")
    assert tokenize("ガス") == ["ガス"]  # the voicing mark makes another letter


@pytest.mark.parametrize(
    ("question", "quoted"),
    [
        (
            "Ruth Okonkwo, a former schoolteacher from Velmar, became mayor. "
            "Did the Aldwin ferry company stop its night service?",
            "stopped its night service",
        ),
        # a long preamble of words no source writes does not outweigh the question
        (
            "Zarnow Quillby, a Veltrian cartographer and painter from Osterfeld (now Brisk), "
            "sailed in 1781. Who needs a licence from the port office?",
            "needs a licence",
        ),
    ],
)
def test_a_scene_setting_sentence_does_not_veto_the_question(engine, question, quoted) -> None:
    answer = engine.answer(question)
    assert answer.status is Status.ANSWERED, answer.message
    assert quoted in _cited(answer)


def test_a_mention_of_everyone_is_no_word_of_the_claim(engine) -> None:
    answer = engine.answer("@everyone the Aldwin ferry STOPPED the night service!!! ⛴️")
    assert answer.status is Status.ANSWERED, answer.message


def test_a_claimed_figure_no_source_gives_does_not_hide_the_source_that_gives_another(engine):
    answer = engine.answer("Did 30,000 or 31,500 visitors come to the 2019 festival?")
    assert "12,400 visitors" in _cited(answer)


def test_a_long_unwrapped_line_is_a_paragraph_of_its_own(make_sources) -> None:
    text = (
        "The Brackwater Co-op, founded by local farmers in 1952 and still run by its members, "
        "sells apples, pears and cider at the Saturday market in the town.\n"
        "The town council banned the sale of fireworks in the old square after a fire in the "
        "bakery, citing the safety of the narrow streets around it.\n"
    )
    answer = _answer_over(make_sources, text, "The council banned Brackwater")
    assert answer.status is Status.NO_MATCH
    assert "“Brackwater”" in answer.message and "“banned”" in answer.message


def test_a_name_of_several_words_weighs_once_and_is_met_by_its_surname(make_sources) -> None:
    text = (
        "Gregor Anton Lukas Vasko's brother, Milan Vasko, ran the mill until 1931.\n\n"
        "Records from the parish of Gregor Anton Lukas Vasko describe the mill and the river.\n\n"
        "Vasko was buried beside his brother, Emil Vasko, near the chapel.\n"
    )
    engine = AnswerEngine.from_folder(make_sources({"001-vasko.txt": text}))
    answer = engine.answer("What is the name of Gregor Anton Lukas Vasko's brother?")
    assert "Emil Vasko" in _cited(answer) and "Milan Vasko" in _cited(answer)


def test_a_derived_verb_that_is_a_stopword_keeps_the_noun() -> None:
    # "own" is a stopword ("their own"), so "owners" must not become it and vanish from passages
    assert analyze("owners") == analyze("owner") != []


def test_an_ordinal_edition_keeps_other_editions_out_but_a_numbered_street_is_a_name(
    make_sources,
) -> None:
    text = (
        "The 4th season of the Carrow quiz drew 2,100 viewers.\n\n"
        "The 5th season of the Carrow quiz drew 3,900 viewers.\n\n"
        "The Carrow quiz is filmed at the Fourteenth Street studio of Ardley Television.\n"
    )
    engine = AnswerEngine.from_folder(make_sources({"001-quiz.txt": text}))
    cited = _cited(engine.answer("How many viewers did the 4th season of the Carrow quiz draw?"))
    assert "2,100" in cited and "3,900" not in cited
    # "14th Street" is a name: its ordinal is no edition a passage must repeat
    answer = engine.answer("Is the Carrow quiz filmed at the 14th Street studio?")
    assert "Fourteenth Street studio" in _cited(answer)


BRIDGE_JA = "東京湾の新しい橋は二〇三〇年に開通する予定です。\n"
WEATHER_EN = "The weather in Osaka was mild all week.\n"


@pytest.fixture
def japanese(make_sources) -> AnswerEngine:
    return AnswerEngine.from_folder(make_sources({"ja.txt": BRIDGE_JA, "en.txt": WEATHER_EN}))


def test_a_japanese_question_is_not_vetoed_by_particles_across_word_boundaries(japanese) -> None:
    # "はい", "しま", "すか": bigrams of grammar the source never writes; not what is asked.
    answer = japanese.answer("東京湾の橋はいつ開通しますか")
    assert answer.status is Status.ANSWERED
    assert answer.citations[0].excerpt == BRIDGE_JA.strip()


def test_a_japanese_question_about_names_no_source_has_is_not_covered(japanese) -> None:
    # "大阪" (Osaka) and "天気" (weather) are kanji words no Japanese source writes.
    assert japanese.answer("大阪の天気はどうですか").status is Status.NO_MATCH


def test_a_japanese_refusal_names_words_not_character_pairs(japanese) -> None:
    # kanji and katakana between particles are a word: "東京タワー", not "京タ", "タワ", "ワー"
    answer = japanese.answer("東京タワーの高さは何メートルですか")
    assert answer.status is Status.NO_MATCH
    assert "“東京タワー”" in answer.message and "“何メートル”" in answer.message
    assert "タワ”" not in answer.message and "です" not in answer.message


COUNCIL = (
    "Riverside Council Bulletin\n\n"
    "The council imposed a ban on night fishing along the canal. Critics say the rule hurts "
    "local families and the anglers' club. The ban took effect on 4 June 2021.\n\n"
    "Anglers may still fish by day with a permit from the council office.\n"
)


@pytest.mark.parametrize(
    "question",
    ["When did the ban start?", "What date did the ban start?", "When did the ban begin?"],
)
def test_the_phase_of_a_named_event_is_answered_by_its_date(make_sources, question) -> None:
    # no sentence says the ban "started": it is dated, and the dated sentence comes first
    engine = AnswerEngine.from_folder(make_sources({"001-council.txt": COUNCIL}))
    answer = engine.answer(question)
    assert answer.status is Status.ANSWERED, answer.message
    assert "4 June 2021" in answer.citations[0].excerpt


def test_a_when_question_prefers_the_passage_that_gives_a_date(make_sources) -> None:
    text = (
        "Kessel Ferry News\n\n"
        "The ferry to Kessel opened a night route.\n\n"
        "After long talks with the fishermen, the harbour board and the port office, "
        "the ferry to Kessel opened its night route on 2 May 2022.\n"
    )
    answer = _answer_over(make_sources, text, "When did the ferry to Kessel open the night route?")
    assert "2 May 2022" in answer.citations[0].excerpt


def test_a_date_the_claim_names_still_brings_in_the_other_partys_account(make_sources) -> None:
    # both sources give 2024: the same detail ties the end of production to the ban's story
    folder = make_sources(
        {
            "001-ban.txt": "Norland Gazette\n\nNorland has imposed a ban on all Aquila drones "
            "from 3 May 2024. Officials cited privacy.\n",
            "002-aquila.txt": "Aquila News\n\nAquila has announced that production of the "
            "Falcon drone for Norland will cease on 9 May 2024.\n",
        }
    )
    answer = AnswerEngine.from_folder(folder).answer("Norland banned Aquila drones in May 2024")
    assert {c.source.id for c in answer.citations} == {"001", "002"}
    assert [c.kind for c in answer.contradictions] == ["event"]


def test_an_adverb_made_from_a_participle_does_not_meet_its_verb(make_sources) -> None:
    # "increasingly popular" says nothing of an increase, an opening or any other beginning
    text = "Osby Notes\n\nThe Lindqvist bakery is increasingly popular in Osby.\n"
    answer = _answer_over(make_sources, text, "When will the Lindqvist bakery open in Osby?")
    assert answer.status is Status.RELATED  # the closest passage, shown as no answer
    assert analyze("increasingly") != analyze("increase")
    assert analyze("rapidly") == analyze("rapid")  # an adverb made from an adjective still meets


def test_the_claims_own_predicate_brings_in_the_other_partys_account(make_sources) -> None:
    # the second source says "no longer sold", the claim's own predicate, not another of its frame
    folder = make_sources(
        {
            "001-dealer.txt": "Harlow Motors\n\nFrom June 1, Harlow Motors will only sell used "
            "vans and spare parts through its Brenmark dealers, and new orders will no longer be "
            "taken.\n",
            "002-paper.txt": "Brenmark Daily\n\nHarlow vans, once common on Brenmark roads, are "
            "no longer sold or repaired there.\n",
        }
    )
    answer = AnswerEngine.from_folder(folder).answer(
        "Will Harlow Motors keep selling new vans and spare parts through Brenmark dealers after "
        "June 1?"
    )
    assert {c.source.id for c in answer.citations} == {"001", "002"}


MARKETS = (
    "Corland Car Market\n\n"
    "Arden Motors and Belvo Cars both sell vans in Corland. "
    "Arden shares fell 10% on the stock market last year. "
    "Arden's market share in Corland is 12%. "
    "The CBX group builds trucks near Corland's harbour.\n"
)


@pytest.mark.parametrize(
    "question", ["What is Belvo's market share in Corland?", "What is CBX's market share?"]
)
def test_a_possessive_asks_about_that_owners_thing_not_anothers(make_sources, question):
    # Belvo is named beside Arden's shares, CBX near Arden's market share: neither is theirs
    answer = _answer_over(make_sources, MARKETS, question)
    # not covered: what Belvo owns is asked for, and no passage gives it (no `related` either)
    assert answer.status is Status.NO_MATCH, _cited(answer)


def test_a_possessive_is_answered_by_the_owners_thing(make_sources) -> None:
    answer = _answer_over(make_sources, MARKETS, "What is Arden's market share in Corland?")
    assert "market share in Corland is 12%" in _cited(answer)


def test_a_year_an_amount_is_asked_for_must_be_given(make_sources) -> None:
    # the passengers are counted for 2019 only: 2023's count is not in the source
    text = (
        "Kessel Ferry Report\n\nIn 2019 the ferry carried 80,000 passengers to the island.\n\n"
        "The ferry company bought a new boat in 2023.\n"
    )
    question = "How many passengers did the ferry carry in 2023?"
    assert _answer_over(make_sources, text, question).status is Status.NO_MATCH
    question = "How many passengers did the ferry carry in 2019?"
    assert "80,000" in _cited(_answer_over(make_sources, text, question))


def test_either_of_two_alternatives_answers_an_or_question(engine) -> None:
    # "Okonkwo or the ferry company": a passage with one of them answers; both are named
    answer = engine.answer("Did Mayor Okonkwo or the Aldwin ferry company stop the night service?")
    assert answer.status is Status.ANSWERED, answer.message
    assert "stopped its night service" in _cited(answer)
    answer = engine.answer("Did the Zephyr or the Boreas company stop the night service?")
    assert answer.status is Status.NO_MATCH  # neither alternative is in the sources
    # a list "A, B, or C": any item answers
    answer = engine.answer("Did Okonkwo, Zephyrine, or Quillby say the harbour gets a lighthouse?")
    assert "new lighthouse" in _cited(answer), answer.message
    # a doubled "or" joins the same two words once, not their weight away
    assert engine.answer("Okonkwo or or lighthouse").status is Status.ANSWERED


HARBOUR_BOARD = (
    "Harbour Notes\n\n"
    "The Harbour Safety Board (HSB) met on Monday.\n\n"
    "The HSB voted to close the north pier to fishing boats after the storm.\n"
)


@pytest.mark.parametrize(
    ("question", "expected"),
    [
        ("What did the Harbour Safety Board vote for?", "HSB voted to close the north pier"),
        ("What does HSB stand for?", "Harbour Safety Board (HSB)"),
    ],
)
def test_an_acronym_the_source_defines_meets_its_phrase(make_sources, question, expected) -> None:
    answer = _answer_over(make_sources, HARBOUR_BOARD, question)
    assert answer.status is Status.ANSWERED, answer.message
    assert expected in _cited(answer)


def test_acronyms_are_read_from_the_text_that_defines_them() -> None:
    texts = [
        "the Ministry of Economy, Trade and Industry (METI) said",
        "sales of electric vehicles (EVs) rose",
        "a Global Orbit (GO) satellite",  # "go" is an English word: a question's "go" is not it
        "the committee (ABC) met",  # no words before it spell it
    ]
    assert defined_acronyms(texts) == {
        "meti": tuple(analyze("ministry economy trade industry")),
        "ev": tuple(analyze("electric vehicles")),
    }


def test_a_place_asked_is_met_by_its_people_written(make_sources) -> None:
    # France / French share no prefix; the pair comes from countryinfo's country data
    text = "Bridge Notes\n\nIn May, French engineers opened the Lyon bridge to traffic.\n"
    answer = _answer_over(make_sources, text, "Did France open a bridge in May?")
    assert answer.status is Status.ANSWERED, answer.message
    assert demonym_forms(term_of("netherlands")) == {term_of("dutch")}
    assert demonym_forms(term_of("french")) == frozenset()  # the people of several places


def test_a_place_no_source_names_counts_fully_among_the_names(engine) -> None:
    # the ferry's night service is in the sources; nothing is said of one in Norland
    answer = engine.answer("Did the Aldwin ferry company stop its night service in Norland?")
    assert answer.status is Status.NO_MATCH
    assert "Norland" in answer.message


def test_idioms_of_a_start_give_the_event_its_phase(make_sources) -> None:
    # "come into force" and "take effect": no source need write "force" or "effect"
    text = "Council Notes\n\nThe council imposed a ban on night fishing from 4 June 2021.\n"
    for question in ("When did the ban come into force?", "When did the ban take effect?"):
        answer = _answer_over(make_sources, text, question)
        assert "4 June 2021" in _cited(answer), answer.message


@pytest.mark.parametrize(
    "claim", ["Okonkwo wants a lighthouse instead", "Okonkwo wants a lighthouse, however"]
)
def test_a_conjunctive_adverb_is_no_part_of_a_claim(engine, claim) -> None:
    answer = engine.answer(claim)
    assert answer.status is Status.ANSWERED, answer.message
    assert "new lighthouse" in _cited(answer)


def test_a_word_whose_lemma_is_a_stopword_keeps_its_own_form() -> None:
    # simplemma takes "us" to "we": "the US market" would meet "we'll" and "We should"
    assert analyze("the US market") == ["us", "market"]
    assert analyze("we") == []


def test_a_label_that_is_a_known_name_stays_part_of_the_claim(engine) -> None:
    # "Okonkwo: …" quotes Okonkwo; she said nothing of a ferry
    answer = engine.answer("Okonkwo: the Aldwin ferry company stopped its night service")
    assert answer.status is Status.NO_MATCH


def test_a_number_before_a_plural_is_a_count_not_an_edition(make_sources) -> None:
    # "1378 vans" counts vans; only "the 2019 festival" names an edition the passage must hold
    text = "Port Notes\n\nIn 2019 the port imported vans from Kessel. They were 1,378 vans.\n"
    answer = _answer_over(make_sources, text, "the port imported 1378 vans in 2019 right?")
    assert answer.status is Status.ANSWERED, answer.message


def test_the_questions_last_word_is_not_followed_by_the_preamble(make_sources) -> None:
    # "2019" ends the question; the preamble's first word is no noun it qualifies
    text = "Port Notes\n\nThe ferry company stopped its night service. That was in 2019.\n"
    question = "Kessel Relays ran the night service. Did the ferry company stop it in 2019?"
    assert "stopped its night service" in _cited(_answer_over(make_sources, text, question))


def test_a_capitalised_word_inside_a_name_is_not_the_claims_predicate(engine) -> None:
    """ "Stop" in "the charity Stop Hunger Now" names the charity: no passage has to speak of
    stopping; written in lowercase, or in a title-case question, it is the predicate."""
    assert not engine.query_for("When did the charity Stop Hunger Now hold its walk?").required_own
    assert engine.query_for("When did the ferry stop its night service?").required_own
    assert engine.query_for("Did The Ferry Stop Night Service?").required_own


def test_a_span_of_years_after_a_name_is_met_by_any_year_within_it(make_sources) -> None:
    """ "the Harlow shilling (1920 - 1930)" is the shilling of those years: a source that
    dates its coins 1924 and 1926 speaks of it; one of 1950 does not."""
    folder = make_sources(
        {
            "a.txt": "The Harlow shilling (1920–1930) was only issued as paper notes.",
            "b.txt": "Harlow shilling coins: 5 shillings (nickel; issued in 1924), "
            "10 shillings (silver; issued in 1926).",
            "c.txt": "Harlow shilling coins: 2 shillings (steel; issued in 1950).",
            "d.txt": "The castle kitchen baked bread every morning. The well was dug in 1400.",
        }
    )
    answer = AnswerEngine.from_folder(folder).answer(
        "What forms of currency did the Harlow shilling (1920 - 1930) have?"
    )
    cited = {c.source.id for c in answer.citations}
    assert "b" in cited and "c" not in cited


def test_what_someone_said_is_answered_only_where_they_speak(make_sources) -> None:
    """ "What did Brannock say…?" asks for Brannock's words: a passage that only lists
    Brannock among the wary does not answer it; the mayor's statement answers the mayor."""
    folder = make_sources(
        {
            "a.txt": "Local firms like Brannock and Ostley have grown wary of the new port tax. "
            "The port tax is the result of months of debate.",
            "b.txt": "Mayor Ruth Okonkwo said the port tax would pay for a new lighthouse.",
            "c.txt": "The castle kitchen baked bread every morning. The well was dug in 1400.",
        }
    )
    engine = AnswerEngine.from_folder(folder)
    refused = engine.answer("What did Brannock say about the port tax?")
    assert refused.status is Status.RELATED  # Brannock's passage, shown as no answer
    assert "no passage reports what Brannock said" in refused.message
    answer = engine.answer("What did Okonkwo say about the port tax?")
    assert [c.source.id for c in answer.citations] == ["b"]


def test_a_predicate_word_used_as_an_adjective_is_not_the_claims_predicate(engine) -> None:
    """ "close ties" are not a closing: no passage has to speak of closing or ending."""
    assert not engine.query_for("Does the ferry company have close ties to the mayor?").required_own
    assert engine.query_for("Will the ferry company close its night service?").required_own
    assert engine.query_for("Did the ferry company close stores?").required_own
