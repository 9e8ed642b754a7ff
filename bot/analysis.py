"""A source's text analysed: its passages and their terms as ids into a growing vocabulary.

This is what building an engine costs (splitting sentences, tokenising, lemmatising, stemming,
and the scan for names), so it is made cheap three ways: each distinct token is analysed once,
after which tokens become term ids by a dictionary look-up made in C; sources are read in
batches, a batch's passages tokenised and their names counted in one regex pass
(`bot.names.NameCounter`); and a large library is shared by two worker processes, one per core.

A worker only splits, tokenises and counts: it numbers its distinct tokens (stopwords out) in
order of first sight, and the caller, whose lemmatisers are loaded, turns each distinct token
into its term. So a worker starts in a fraction of a second (this module imports no
lemmatiser), and the terms come out numbered in order of first sight, as one process numbers
them."""

from __future__ import annotations

import logging
import os
import pickle
import queue
import subprocess
import sys
import tempfile
import threading
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from itertools import chain, islice
from pathlib import Path
from typing import NamedTuple

import numpy as np

from bot.names import NameCounter, NameTally, add_tallies
from bot.passages import passage_spans
from bot.tokenizer import TEXT_SEPARATOR, is_term_token, scan_ascii, tokenize

log = logging.getLogger(__name__)

# An empty analysis (a sentence of stopwords) is indexed as one empty term, as rank-bm25 was
# given it, so that lengths and averages stay rank-bm25's.
EMPTY_TERM = ""

# Token -> its index term, None for a stopword (`bot.retrieval.term_of`).
TermOf = Callable[[str], "str | None"]


def token_as_term(token: str) -> str | None:
    """A token as its own term (None where `bot.retrieval.term_of` gives None: a stopword or
    an overlong token): how a worker numbers tokens, leaving the lemmatising to the process it
    works for."""
    return token if is_term_token(token) else None


@dataclass(frozen=True)
class SourceAnalysis:
    """One source's passages (paragraph, start, end) and their terms as store vocabulary ids."""

    spans: np.ndarray  # (passages, 3) int64
    lengths: np.ndarray  # terms per passage, int64, each >= 1
    term_ids: np.ndarray  # int32, the passages' terms one after another


class Analyser:
    """Source texts -> `SourceAnalysis` each, numbering terms (`term_of` of each token) in `ids`
    (term -> id) in order of first sight. Each distinct token is analysed once (`_TokenIds`):
    after that, tokens become term ids by one dictionary look-up each, made in C. Sources are
    read a batch at a time: a batch's passages are tokenised, and their names counted, in one
    regex pass, and its term ids are one array, cut into each source's part at the end.

    The words a build analysed are kept (`term_of`) until `forget_terms`: the scan for names
    meets most of them again."""

    def __init__(self, ids: dict[str, int], term_of: TermOf) -> None:
        self.ids = ids
        self._analyse_token = term_of
        self._terms: dict[str, str | None] = {}
        self._token_ids = _TokenIds(ids, self.term_of)

    def term_of(self, token: str) -> str | None:
        """`token`'s term (None for a stopword), kept until `forget_terms`."""
        if token in self._terms:
            return self._terms[token]
        term = self._terms[token] = self._analyse_token(token)
        return term

    def forget_terms(self) -> None:
        """Drop the kept words (every distinct word of the last build)."""
        self._terms.clear()

    def prepare(self, tokens: Iterable[str]) -> None:
        """Analyse `tokens` ahead of numbering them (`ids_of`), so that numbering is quick and
        ids stay in order of first sight, whenever the tokens were analysed."""
        for token in tokens:
            if token != EMPTY_TERM:
                self.term_of(token)

    def ids_of(self, tokens: list[str]) -> np.ndarray:
        """The ids of the terms of `tokens`, new ones numbered in order; -1 for a stopword. The
        empty term is its own."""
        ids = self.ids
        found = np.empty(len(tokens), dtype=np.int32)
        for i, token in enumerate(tokens):
            term = EMPTY_TERM if token == EMPTY_TERM else self.term_of(token)
            found[i] = -1 if term is None else ids.setdefault(term, len(ids))
        return found

    def analyse(
        self,
        texts: Sequence[str],
        names: NameCounter,
        after_batch: Callable[[], object] = lambda: None,
    ) -> list[SourceAnalysis]:
        """Each text's analysis, in order; their passages' names are added to `names`, and
        `after_batch` is called after each batch."""
        analyses: list[SourceAnalysis] = []
        batch: list[_Passages] = []
        size = 0
        for text in texts:
            found = passage_spans(text)
            batch.append(_Passages(found, [text[start:end] for _, start, end in found]))
            size += len(text)
            if size >= BATCH_CHARS:
                analyses += self._analyse_batch(batch, names)
                after_batch()
                batch, size = [], 0
        if batch:
            analyses += self._analyse_batch(batch, names)
            after_batch()
        return analyses

    def _analyse_batch(self, batch: list[_Passages], names: NameCounter) -> list[SourceAnalysis]:
        everything = [passage for source in batch for passage in source.texts]
        scan = scan_ascii(everything)
        if scan is None:  # some text the one pass cannot read: source by source
            return [self._analysed(s, count_names(s.texts, names)) for s in batch]
        names.add_ascii(everything, scan.joined, scan.words)
        known = len(self.ids)
        lengths, term_ids = self._term_ids(scan.tokens)
        if term_ids is None:
            # The empty term is numbered where first seen, among its source's new terms.
            self._forget_terms_from(known)
            return [self._analysed(s, _tokens(s.texts)) for s in batch]
        counts = np.array([len(source.spans) for source in batch], dtype=np.int64)
        all_spans = [span for source in batch for span in source.spans]
        spans = np.array(all_spans, dtype=np.int64).reshape(-1, 3)
        return by_source(counts, spans, lengths, term_ids)

    def _analysed(self, source: _Passages, tokens: list[str]) -> SourceAnalysis:
        """One source's analysis from its tokens (TEXT_SEPARATOR before each passage's)."""
        spans = np.array(source.spans, dtype=np.int64).reshape(-1, 3)
        known = len(self.ids)
        lengths, term_ids = self._term_ids(tokens)
        if term_ids is None:
            self._forget_terms_from(known)
            return self._with_empty_passages(source.texts, spans)
        return SourceAnalysis(spans, lengths, term_ids)

    def _term_ids(self, tokens: list[str]) -> tuple[np.ndarray, np.ndarray | None]:
        """Terms per passage and the term ids, passage after passage, of `tokens`; a passage
        without a term holds the empty term. None for the ids when the empty term is needed
        before it has an id (the caller takes back the ids numbered since it began)."""
        ids = np.fromiter(map(self._token_ids.__getitem__, tokens), np.int32, count=len(tokens))
        kept = ids >= 0
        kept_before = np.concatenate(([0], np.cumsum(kept)))
        # a separator before each passage's tokens, and the end of the last
        bounds = kept_before[np.concatenate((ids == _SEPARATOR_ID, [True]))]
        starts = bounds[:-1]
        lengths = bounds[1:] - starts
        term_ids = ids[kept]
        empty = lengths == 0
        if empty.any():
            if EMPTY_TERM not in self.ids:
                return lengths, None
            term_ids = np.insert(term_ids, starts[empty], self.ids[EMPTY_TERM])
            lengths[empty] = 1
        return lengths, term_ids

    def _with_empty_passages(self, passages: list[str], spans: np.ndarray) -> SourceAnalysis:
        """The term by term analysis `analyse` saves work over (for the first empty passage)."""
        term_lists = [self._passage_terms(passage) or [EMPTY_TERM] for passage in passages]
        ids = self.ids
        term_ids = np.fromiter(
            (ids.setdefault(term, len(ids)) for term in chain.from_iterable(term_lists)),
            dtype=np.int32,
            count=sum(map(len, term_lists)),
        )
        lengths = np.fromiter(map(len, term_lists), dtype=np.int64, count=len(term_lists))
        return SourceAnalysis(spans, lengths, term_ids)

    def _passage_terms(self, passage: str) -> list[str]:
        return [term for token in tokenize(passage) if (term := self.term_of(token))]

    def _forget_terms_from(self, first: int) -> None:
        """Take back the ids from `first` on (and the tokens that led to them)."""
        for term in list(self.ids)[first:]:
            del self.ids[term]
        token_ids = self._token_ids
        for token in [token for token, found in token_ids.items() if found >= first]:
            del token_ids[token]


# Sources are analysed in batches of about this many characters (`Analyser.analyse`): large
# enough that the work per batch, not per source, is what costs.
BATCH_CHARS = 200_000


class _Passages(NamedTuple):
    """A source's passages: (paragraph, start, end) and their texts."""

    spans: list[tuple[int, int, int]]
    texts: list[str]


def count_names(passages: list[str], names: NameCounter) -> list[str]:
    """The tokens of a source's `passages`, TEXT_SEPARATOR before each passage's, with their
    names added to `names`: for ASCII text, one regex pass serves both."""
    scan = scan_ascii(passages)
    if scan is None:
        names.add(passages)
        return _tokens(passages)
    names.add_ascii(passages, scan.joined, scan.words)
    return scan.tokens


def _tokens(passages: list[str]) -> list[str]:
    """The tokens of `passages`, TEXT_SEPARATOR before each passage's."""
    return list(chain.from_iterable((TEXT_SEPARATOR, *tokenize(p)) for p in passages))


# What `_TokenIds` gives TEXT_SEPARATOR: below every term id and the stopwords' -1.
_SEPARATOR_ID = -2


class _TokenIds(dict[str, int]):
    """Token -> id of its term in `ids`, or -1 for a stopword; a token is analysed (`term_of`)
    the first time it is looked up."""

    def __init__(self, ids: dict[str, int], term_of: TermOf) -> None:
        super().__init__({TEXT_SEPARATOR: _SEPARATOR_ID})
        self._ids = ids
        self._term_of = term_of

    def __missing__(self, token: str) -> int:
        term = self._term_of(token)
        ids = self._ids
        found = ids.setdefault(term, len(ids)) if term else -1
        self[token] = found
        return found


# Below this many characters to analyse, this process does it all: a worker (a fresh
# interpreter that imports numpy and the tokeniser) takes about 0.2 s to start.
PARALLEL_MIN_CHARS = 4_000_000


class Part(NamedTuple):
    """Consecutive texts analysed with tokens for terms (`token_as_term`): their arrays one
    after another, with ids into their own vocabulary of tokens, and their names' tally."""

    vocabulary: list[str]  # tokens in order of first sight (and the empty term)
    counts: np.ndarray  # passages per text
    spans: np.ndarray
    lengths: np.ndarray
    term_ids: np.ndarray  # ids into `vocabulary`
    names: NameTally


def analyse_texts(
    texts: Sequence[str],
    analyser: Analyser,
    parallel_min_chars: int = PARALLEL_MIN_CHARS,
    while_waiting: Callable[[], object] = lambda: None,
) -> tuple[list[SourceAnalysis], NameTally]:
    """Each text's analysis, in order, and the names' tally of all their passages.

    With at least `parallel_min_chars` characters and two cores, two worker processes
    (`_Worker`) split and tokenise half the texts each, and this process only turns their
    distinct tokens into terms, numbered into `analyser`'s vocabulary in order of first sight
    (the numbering one process gives). The millions of short-lived strings an analysis makes
    then never touch this long-lived process's heap, which used to keep ~90 MiB of them
    scattered. Meanwhile this process runs `while_waiting` (loading what it needs next, such as
    the lemmatisers' tables).
    """
    shares = _shares(texts, parallel_min_chars)
    if len(shares) == 1:
        names = NameCounter()
        return analyser.analyse(texts, names), names.tally()
    reported: queue.SimpleQueue[list[str] | None] = queue.SimpleQueue()
    workers = [_Worker(share, reported) for share in shares]
    analyses: list[SourceAnalysis] = []
    tallies: list[NameTally] = []
    try:
        while_waiting()
        # The workers' tokens are lemmatised as they come, so that numbering them is quick.
        for _ in workers:
            while (tokens := reported.get()) is not _DONE:
                analyser.prepare(tokens)
        for worker, share in zip(workers, shares, strict=True):
            part = worker.result(share)
            renumber = analyser.ids_of(part.vocabulary)
            if (renumber < 0).any():  # token_as_term keeps only what term_of keeps
                raise ValueError("a worker kept a token that has no term")
            analyses += by_source(part.counts, part.spans, part.lengths, renumber[part.term_ids])
            tallies.append(part.names)
    finally:
        for worker in workers:
            worker.stop()
    return analyses, add_tallies(tallies)


def by_source(
    counts: np.ndarray, spans: np.ndarray, lengths: np.ndarray, term_ids: np.ndarray
) -> list[SourceAnalysis]:
    """Arrays of consecutive sources (`counts` passages each) cut into each one's analysis."""
    cuts = np.cumsum(counts)[:-1]  # where each source but the first starts
    term_cuts = np.concatenate(([0], np.cumsum(lengths)))[cuts]
    parts = zip(
        np.split(spans, cuts),
        np.split(lengths, cuts),
        np.split(term_ids, term_cuts),
        strict=True,
    )
    return [SourceAnalysis(*arrays) for arrays in parts]


def name_tally_of(texts: Sequence[str], analyses: Sequence[SourceAnalysis]) -> NameTally:
    """The names' tally of analysed texts (sources whose analysis was cached or saved)."""
    names = NameCounter()
    for text, analysis in zip(texts, analyses, strict=True):
        count_names([text[start:end] for _, start, end in analysis.spans.tolist()], names)
    return names.tally()


def analyse_alone(
    texts: Sequence[str], report: Callable[[list[str]], object] = lambda _: None
) -> Part:
    """What a worker process runs: the texts' analysis with tokens for terms, numbered in a
    vocabulary of its own; after each batch, the tokens new in it are passed to `report`."""
    analyser, names = Analyser({}, token_as_term), NameCounter()
    reported = 0

    def report_new_tokens() -> None:
        nonlocal reported
        new = list(islice(analyser.ids, reported, None))
        reported += len(new)
        report(new)

    analyses = analyser.analyse(texts, names, report_new_tokens)
    counts = np.array([len(a.spans) for a in analyses], dtype=np.int64)
    return Part(
        list(analyser.ids),
        counts,
        np.concatenate([a.spans for a in analyses]) if analyses else np.empty((0, 3), np.int64),
        np.concatenate([a.lengths for a in analyses]) if analyses else np.empty(0, np.int64),
        np.concatenate([a.term_ids for a in analyses]) if analyses else np.empty(0, np.int32),
        names.tally(),
    )


def _shares(texts: Sequence[str], parallel_min_chars: int) -> list[Sequence[str]]:
    """`texts` as one share, or as two of about as many characters (one per worker)."""
    sizes = np.fromiter(map(len, texts), dtype=np.int64, count=len(texts))
    total = int(sizes.sum())
    if len(texts) < 2 or total < parallel_min_chars or _cores() < 2:
        return [texts]
    split = int(np.searchsorted(np.cumsum(sizes), total / 2)) + 1
    split = min(split, len(texts) - 1)
    return [texts[:split], texts[split:]]


def _cores() -> int:
    """Cores this process may run on (all of the machine's where that is not known)."""
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # macOS, Windows
        return os.cpu_count() or 1


_WORKER_MAIN = "from bot.analysis import serve_worker; serve_worker()"

# Sent by a worker after its last tokens, and passed on by its reader.
_DONE = None


class _Worker:
    """`analyse_alone` in a fresh interpreter (`serve_worker`). In: the texts, as a pickle.
    Out: a pickle of the new tokens after each batch, `_DONE`, then the result. A thread passes
    the tokens on to `reported` as they come, then `_DONE`; the result is read by the caller's
    thread (large arrays stay in its heap). If the worker fails, the caller analyses the texts
    itself.

    A plain subprocess, not `multiprocessing`: a fork would copy the caller's threads in
    whatever state they are, and multiprocessing's "spawn" runs the caller's main script again
    in the child, which a script without an `if __name__ == "__main__"` guard does not survive.
    """

    def __init__(self, texts: Sequence[str], reported: queue.SimpleQueue[list[str] | None]) -> None:
        self._process: subprocess.Popen[bytes] | None = None
        self._problem = ""
        package_root = str(Path(__file__).resolve().parents[1])
        env = {**os.environ, "PYTHONPATH": os.pathsep.join([package_root, *sys.path])}
        try:
            with tempfile.TemporaryFile() as payload:
                pickle.dump(list(texts), payload, protocol=pickle.HIGHEST_PROTOCOL)
                payload.seek(0)
                self._process = subprocess.Popen(
                    # -P: this `bot`, not one in the working directory (which -c puts first)
                    [sys.executable, "-P", "-c", _WORKER_MAIN],
                    stdin=payload,
                    stdout=subprocess.PIPE,
                    env=env,
                )
        except OSError as error:
            log.warning("could not start an analysis worker (%s): analysing here", error)
            reported.put(_DONE)
            return
        self._reader = threading.Thread(target=self._pass_tokens_on, args=(reported,))
        self._reader.start()

    def _pass_tokens_on(self, reported: queue.SimpleQueue[list[str] | None]) -> None:
        try:
            while (message := self._load()) is not _DONE:
                if not isinstance(message, list):
                    raise TypeError(type(message).__name__)
                reported.put(message)
        except Exception as error:  # noqa: BLE001 - a broken worker is replaced, not trusted
            self._fail(error)
        finally:
            reported.put(_DONE)

    def result(self, texts: Sequence[str]) -> Part:
        """The worker's result, or, if it failed, the texts analysed here."""
        if self._process is not None:
            self._reader.join()
            result = None
            if not self._problem:
                try:
                    result = self._load()
                    if not isinstance(result, Part):
                        raise TypeError(type(result).__name__)
                except Exception as error:  # noqa: BLE001 - replaced, not trusted
                    result = self._fail(error)
            code = self._process.wait()
            if result is not None and code == 0:
                return result
            log.warning(
                "the analysis worker failed (%s): analysing here", self._problem or f"exit {code}"
            )
        return analyse_alone(texts)

    def _load(self) -> object:
        """The worker's next message, read as it comes: never a whole pickle and its objects at
        once."""
        assert self._process is not None and self._process.stdout is not None
        return pickle.load(self._process.stdout)  # noqa: S301 - our own child's output

    def _fail(self, error: Exception) -> None:
        self._problem = type(error).__name__
        assert self._process is not None
        # Unread, the rest of its output would keep it writing to a full pipe forever.
        self._process.kill()

    def stop(self) -> None:
        """End the worker if its result was not taken (the caller failed first)."""
        if self._process is not None:
            if self._process.poll() is None:
                self._process.kill()
            self._reader.join()
            self._process.wait()
            if self._process.stdout is not None:
                self._process.stdout.close()


def serve_worker() -> None:
    """The worker's side: a pickled list of texts on stdin; on stdout, a pickle of the new
    tokens after each batch, `_DONE`, then `analyse_alone`'s result."""
    texts = pickle.load(sys.stdin.buffer)
    out = sys.stdout.buffer

    def send(message: object) -> None:
        pickle.dump(message, out, protocol=pickle.HIGHEST_PROTOCOL)
        out.flush()

    result = analyse_alone(texts, report=send)
    send(_DONE)
    send(result)
    # Nothing is left to clean up: skip the interpreter's teardown (freeing every object of the
    # analysis, ~0.15 s at 160k passages), which the build would otherwise wait for.
    os._exit(0)
