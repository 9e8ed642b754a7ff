"""Function words: the closed classes a claim is never about (stopwords, prepositions,
auxiliaries, determiners, pronouns, quantifiers), each class once.

A stage that needs a different set names the difference here: the caveat's stopwords are the
index's less the words the caveat reads and plus the connectives it passes over
(`CAVEAT_STOPWORDS`); the auxiliaries are built from their forms.
"""

from __future__ import annotations


def words(text: str) -> frozenset[str]:
    """The words of `text` (whitespace-separated) as a set."""
    return frozenset(text.split())


# NLTK's English stopword list (a superset of Snowball's), plus words that only frame a
# question: what the index leaves out (`bot.passages.tokens`).
STOPWORDS = words(
    """i me my myself we our ours ourselves you you're you've you'll you'd your yours yourself
    yourselves he him his himself she she's her hers herself it it's its itself they them
    their theirs themselves what which who whom this that that'll these those am is are was
    were be been being have has had having do does did doing a an the and but if or because
    as until while of at by for with about against between into through during before after
    above below to from up down in out on off over under again further then once here there
    when where why how all any both each few more most other some such no nor not only own
    same so than too very s t can will just don don't should should've now d ll m o re ve y
    ain aren aren't couldn couldn't didn didn't doesn doesn't hadn hadn't hasn hasn't haven
    haven't isn isn't ma mightn mightn't mustn mustn't needn needn't shan shan't shouldn
    shouldn't wasn wasn't weren weren't won won't wouldn wouldn't also could would may might
    must shall whether tell please anyone anything something someone really actually still
    yet already ever
    """
)
# The caveat compares what clauses say: it reads negated contractions, reflexives and particles
# (`bot.caveat.clauses`), so they are not its stopwords…
NOT_CAVEAT_STOPWORDS = words(
    """actually against ain already anyone anything aren aren't couldn couldn't didn didn't
    doesn doesn't don don't down hadn hadn't hasn hasn't haven haven't herself himself isn
    isn't itself ma mightn mightn't mustn mustn't myself needn needn't now off ourselves out
    please shan shan't she's should've shouldn shouldn't someone something tell that'll
    themselves up wasn wasn't weren weren't won won't wouldn wouldn't you'd you'll you're
    you've yourself yourselves"""
)
# …and it passes over connectives, quantifiers and the verbs of saying that open a report.
MORE_CAVEAT_STOPWORDS = words(
    """according although another done earlier either else even every hence however later like
    many mine much never one ones onto per quite said say says several since therefore though
    thus till upon us via whereas whose"""
)
CAVEAT_STOPWORDS = (STOPWORDS - NOT_CAVEAT_STOPWORDS) | MORE_CAVEAT_STOPWORDS

PREPOSITIONS = words(
    "in of from to at by for with on into onto against over under than about near via per"
)
# Prepositions that place an event in time ("in 2019", "since 1990") or in a place.
TIME_PREPOSITIONS = words("in during since until before after by")
PLACE_PREPOSITIONS = words("in at near inside outside within")
# The preposition whose object owns the noun before it ("the chief executive *of* X").
GENITIVE_PREPOSITIONS = words("of")
# Prepositions whose object a name may be ("the wife *of* X").
OBJECT_PREPOSITIONS = words("of for with at to from on in under")
# What may stand before a year that is a date, not a figure ("in 1990", "c. 1990").
BEFORE_YEAR = words("in on since from until till by of to between and c circa")

DO_FORMS = words("do does did")
COPULA = words("is are was were")
HAVE_FORMS = words("have has had")
MODALS = words("will would shall should can could may might must")
NEGATED_AUXILIARIES = words("isn't wasn't aren't weren't doesn't didn't hasn't haven't can't won't")
# An auxiliary opening a question asks yes or no ("Did…?", "Is…?").
AUXILIARIES = DO_FORMS | COPULA | HAVE_FORMS | MODALS | NEGATED_AUXILIARIES
# Auxiliaries followed by a bare verb: "Did Tesla's deliveries *grow*?"
DO_SUPPORT = DO_FORMS | MODALS
# "How did…?", "how is…?" ask how, not how much.
MANNER_AUXILIARIES = DO_FORMS | {"is", "was", "can"}
GET_FORMS = words("get gets got gotten")
TAKE_FORMS = words("take takes took taken taking")
# "was banned", "got banned": the subject is what the verb applies to.
PASSIVE_AUXILIARIES = COPULA | {"be", "been", "being"} | GET_FORMS
# Light verbs: their meaning is in the words around them ("came to the festival").
LIGHT_VERBS = (
    words(
        """come came comes coming go goes went gone getting give gives gave given giving happen
        happens happened happening become becomes became done"""
    )
    | GET_FORMS
    | TAKE_FORMS
)
# Words after which a word that can be an adjective is one: "has close ties", "very open".
BEFORE_ADJECTIVE = (
    words("very so too more most quite rather") | HAVE_FORMS | COPULA | {"having", "be", "been"}
)

WH_WORDS = words("what which who whom whose when where why how")
WH_DETERMINERS = frozenset({"which", "what", "whose"})
DETERMINERS = words(
    "the a an this that these those his her its their our my your any no every each"
)
SUBJECT_PRONOUNS = words("it he she they we i its")
# The pronouns that may stand for a name the sentence before gave ("He died in 1972").
THIRD_PERSON_SUBJECTS = SUBJECT_PRONOUNS - {"we", "i", "its"}
# Closed classes the statement aligner keeps although they are stopwords: a quantifier or a
# modal that differs makes two statements say different things.
QUANTIFIERS = words("all every each both most many several some few half none")
# Words after "or" that name no alternative of their own ("…, or neither?").
NO_ALTERNATIVE = words("neither both none either all other others not")
# Prepositions, conjunctions, determiners and chat pronouns NLTK's stopword list lacks: closed
# classes, never what a claim is about ("every dealer", "per unit", "can u").
MORE_FUNCTION_WORDS = words(
    """every per amid amidst among amongst upon toward towards despite unless although whereas
    whilst onto beside unto versus vs etc u ur ya neither either"""
)
# Indefinite pronouns, also how a chat message calls its readers ("@everyone").
INDEFINITE_PRONOUNS = words(
    """everyone everybody someone somebody anyone anybody nobody everything nothing y'all
    yall"""
)
# "my cousin says…", "a guy on reddit said…": who passed the claim on, before a reporting verb.
REPORTER_OPENERS = words("my our your a an some this someone somebody people")
# Words that open a clause rather than go on with a name: after "X Corp." one of these,
# capitalised, starts a new sentence (`bot.passages.sentences`).
CLAUSE_OPENERS = words(
    """the a an this that these those it its he she they we i you there here in on at for
    after before as but and or so yet however meanwhile while when if although though since
    by with from to under during despite"""
)
