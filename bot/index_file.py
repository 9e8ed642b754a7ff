"""A library's analysis saved as one `.npz` file, so a restart does not analyse every source again.

The file holds plain arrays only (loaded with `allow_pickle=False`): the terms, each passage's
span and term ids, and which sources (by text hash) they came from. It is keyed by the hashes of
the sources' texts, a fingerprint of the analysis (so a change to sentence splitting or word
forms invalidates it) and the BM25 configuration, and carries a checksum of its arrays. It is
written to a temporary file and moved into place (`os.replace`), so a crash never leaves half a
file under the real name. A stale, truncated or corrupt file is rebuilt with one log line.
"""

from __future__ import annotations

import hashlib
import logging
import os
import tempfile
from collections.abc import Collection, Sequence
from pathlib import Path

import numpy as np

from bot.passages import split_sentences
from bot.retrieval import BM25Config, analyze

log = logging.getLogger(__name__)

# 2: terminal escapes are not part of words; 3: the names are saved; 4: -ingly adverbs, "US" and
# more derivational families analyse differently; 5: a company designator can end a sentence
FORMAT_VERSION = 5
_PROBE = (
    "Dr. Smith's teams banned 12,500 cars in Japan on 2024-03-01. They sold Teslas, "
    "didn't they? U.S. officials weren't running; the geese were flying. Ça va. 東京は晴れ。 "
    "The US expansion was increasingly costly. Ask X Corp. Citing it, they left."
)
# One source's analysis: spans (paragraph, start, end), terms per passage, term ids.
Arrays = tuple[np.ndarray, np.ndarray, np.ndarray]
_ARRAYS = ("vocabulary", "hashes", "passages_per_source", "spans", "lengths", "term_ids", "names")


def index_path_for(data_dir: Path, folder: Path) -> Path:
    """The saved index of a sources folder: one file per folder under `DATA_DIR/index/`."""
    resolved = str(Path(folder).resolve())
    name = hashlib.sha256(resolved.encode("utf-8", "surrogatepass")).hexdigest()[:16]
    return Path(data_dir) / "index" / f"{name}.npz"


def server_index_path(data_dir: Path, guild_id: int) -> Path:
    """The saved index of one server's library (base set plus its own sources)."""
    return Path(data_dir) / "index" / f"guild-{guild_id}.npz"


def analysis_fingerprint() -> str:
    """Changes whenever sentence splitting or term analysis would give other results."""
    spans = split_sentences(_PROBE, 0, len(_PROBE))
    probe = repr((FORMAT_VERSION, spans, [analyze(_PROBE[s:e]) for s, e in spans]))
    return hashlib.sha256(probe.encode()).hexdigest()


def library_key(hashes: Sequence[str], config: BM25Config) -> str:
    parts = [analysis_fingerprint(), repr(config), *hashes]
    return hashlib.sha256("\n".join(parts).encode()).hexdigest()


class IndexFile:
    """Load and save one library's analysis at `path`."""

    def __init__(self, path: Path) -> None:
        self.path = path

    def load(
        self, hashes: Sequence[str], config: BM25Config
    ) -> tuple[list[str], list[Arrays], frozenset[str]] | None:
        """(vocabulary, (spans, lengths, term ids) of each source, the library's names) saved for
        exactly these sources, or None when the file is missing, stale or broken."""
        if not self.path.is_file():
            return None
        try:
            with np.load(self.path, allow_pickle=False) as data:
                arrays = {name: data[name] for name in (*_ARRAYS, "key", "checksum")}
            problem = _problem(arrays, library_key(hashes, config))
        except Exception as error:  # noqa: BLE001 - any unreadable file is rebuilt, not trusted
            problem = f"unreadable ({type(error).__name__})"
        if problem:
            log.warning("saved index %s is %s: rebuilding it", self.path, problem)
            return None
        counts = arrays["passages_per_source"]
        passage_ends = np.cumsum(counts)
        term_ends = np.cumsum(arrays["lengths"])
        analyses = []
        for end, count in zip(passage_ends.tolist(), counts.tolist(), strict=True):
            start = end - count
            first = int(term_ends[start - 1]) if start else 0
            last = int(term_ends[end - 1]) if count else first
            analyses.append(
                (
                    arrays["spans"][start:end],
                    arrays["lengths"][start:end],
                    arrays["term_ids"][first:last],
                )
            )
        log.info("loaded the saved index %s (%d passages)", self.path, int(counts.sum()))
        return arrays["vocabulary"].tolist(), analyses, frozenset(arrays["names"].tolist())

    def save(
        self,
        hashes: Sequence[str],
        config: BM25Config,
        analyses: Sequence[tuple[np.ndarray, np.ndarray]],
        vocabulary: list[str],
        term_ids: np.ndarray,
        names: Collection[str],
    ) -> None:
        """Write atomically; a folder that cannot be written is logged and skipped.

        `analyses`: each source's spans and terms per passage; `term_ids`: all passages' terms
        as ids into `vocabulary`, one passage after another."""
        arrays = {
            "vocabulary": np.array(vocabulary, dtype=str),
            "hashes": np.array(list(hashes), dtype=str),
            "passages_per_source": np.array([len(s) for s, _ in analyses], dtype=np.int64),
            "spans": np.concatenate([s for s, _ in analyses]).astype(np.int64, copy=False),
            "lengths": np.concatenate([n for _, n in analyses]).astype(np.int64, copy=False),
            "term_ids": term_ids,
            "names": np.array(sorted(names), dtype=str),
        }
        arrays["key"] = np.array(library_key(hashes, config))
        arrays["checksum"] = np.array(_checksum(arrays))
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            handle, tmp = tempfile.mkstemp(prefix=".index-", suffix=".npz", dir=self.path.parent)
            try:
                with os.fdopen(handle, "wb") as out:
                    np.savez(out, **arrays)
                os.replace(tmp, self.path)
            except BaseException:
                Path(tmp).unlink(missing_ok=True)
                raise
        except OSError as error:
            log.warning("could not save the index to %s: %s", self.path, error)
            return
        log.info("saved the index to %s", self.path)


def compact_ids(ids: np.ndarray, vocabulary_size: int) -> tuple[np.ndarray, np.ndarray]:
    """(the distinct ids ascending, each id's position among them): np.unique without sorting."""
    used = np.zeros(vocabulary_size, dtype=bool)
    used[ids] = True
    position = np.cumsum(used, dtype=np.int32) - 1  # int32 all along: no int64 copy of `ids`
    return np.flatnonzero(used), position[ids]


def _checksum(arrays: dict[str, np.ndarray]) -> str:
    digest = hashlib.sha256()
    for name in _ARRAYS:
        array = np.ascontiguousarray(arrays[name])
        digest.update(f"{name}:{array.dtype.str}:{array.shape}".encode())
        digest.update(array)  # its buffer: the bytes `tobytes` would copy
    return digest.hexdigest()


def _problem(arrays: dict[str, np.ndarray], key: str) -> str | None:
    """Why the arrays cannot be trusted for `key`, or None."""
    if str(arrays["key"]) != key:
        return "stale (the sources or the analysis changed)"
    if str(arrays["checksum"]) != _checksum(arrays):
        return "corrupt (checksum mismatch)"
    counts, spans, lengths = arrays["passages_per_source"], arrays["spans"], arrays["lengths"]
    consistent = (
        spans.ndim == 2
        and spans.shape[1] == 3
        and int(counts.sum()) == len(spans) == len(lengths)
        and int(lengths.sum()) == len(arrays["term_ids"])
        and (lengths >= 1).all()
        and int(arrays["term_ids"].max(initial=0)) < max(len(arrays["vocabulary"]), 1)
    )
    return None if consistent else "corrupt (inconsistent lengths)"
