"""Analysis in two worker processes: above PARALLEL_MIN_CHARS, each of two fresh interpreters
splits and tokenises half the texts (`serve_worker`), and this process turns their distinct
tokens into terms and numbers them as a single process would."""

from __future__ import annotations

import logging
import os
import pickle
import queue
import subprocess
import sys
import tempfile
import threading
from collections.abc import Callable, Sequence
from itertools import islice
from pathlib import Path
from typing import NamedTuple

import numpy as np

from bot.index.build import Analyser, SourceAnalysis, by_source, token_as_term
from bot.index.names import NameCounter, NameTally, add_tallies

log = logging.getLogger(__name__)


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


_WORKER_MAIN = "from bot.index.parallel import serve_worker; serve_worker()"


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
        package_root = str(Path(__file__).resolve().parents[2])
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
