"""Meeting a question's word that no source uses through a general thesaurus (WordNet).

Members write *spying*, *shielded*, *secret*; a source writes *surveillance*, *protected*,
*withhold*. A question word that no passage holds is met by the words WordNet relates to it
(`bot.english.thesaurus`) that the sources do use. Since a related word is weaker evidence than
the word itself, the term then weighs EXPANDED_WEIGHT of the IDF of the rarest related word the
sources hold, instead of the weight of a word no source has (the most of any).
"""

from __future__ import annotations

from bot.english.function_words import STOPWORDS
from bot.english.thesaurus import related_words
from bot.relevance.reading import Query, SourceFacts
from bot.retrieval import term_of

# What the thesaurus relates, and through how many of a word's most frequent senses (per part
# of speech): further senses brought false answers ("seats" met "behind", "born" met "deliver").
RELATIONS: tuple[str, ...] = ("synonyms", "derived")
MAX_SENSE = 1
# A term met only through related words weighs this share of their IDF.
EXPANDED_WEIGHT = 0.7


def related_terms(word: str, facts: SourceFacts) -> frozenset[str]:
    """The sources' terms for words the thesaurus relates to `word`."""
    terms = {
        term
        for other in related_words(word, RELATIONS, MAX_SENSE)
        if other not in STOPWORDS and (term := term_of(other)) and facts.document_frequency(term)
    }
    return frozenset(terms)


def expand(query: Query, word: str, term: str, facts: SourceFacts) -> bool:
    """Lets `term` (which no source holds) be met by the related terms the sources hold;
    False when there are none."""
    related = related_terms(word, facts)
    if not related:
        return False
    query.matches[term] = frozenset({term}) | related
    query.weights[term] = EXPANDED_WEIGHT * max(facts.idf(t) for t in related)
    return True
