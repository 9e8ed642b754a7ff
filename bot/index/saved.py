"""A library's analysis saved as one `.npz` file, so a restart does not analyse every source again.

The file holds plain numeric arrays only (loaded with `allow_pickle=False`): each passage's span
and term ids, which sources (by text hash) they came from, and the terms and names, each list of
strings as one UTF-8 blob with where each string ends (a fixed-width string array would pad
every term to the longest). It is keyed by the hashes of the sources' texts, a fingerprint of
the analysis (so a change to sentence splitting or word forms invalidates it) and the BM25
configuration, and carries a checksum of its arrays. It is written to a temporary file and
moved into place (`os.replace`), so a crash never leaves half a file under the real name. A
stale, truncated, corrupt or inconsistent file (types, shapes, ids outside the vocabulary, spans
outside their text) is rebuilt with one log line.
"""

from __future__ import annotations

import hashlib
import logging
import os
import sys
import tempfile
from collections.abc import Collection, Sequence
from pathlib import Path

import numpy as np

from bot.index.acronyms import DefinedPhrases
from bot.passages.sentences import passage_spans
from bot.passages.tokens import MAX_TERM_CHARS
from bot.retrieval import BM25Config, analyze

log = logging.getLogger(__name__)

# 2: terminal escapes are not part of words; 3: the names are saved; 4: -ingly adverbs, "US" and
# more derivational families analyse differently; 5: a company designator can end a sentence;
# 6: strings as UTF-8 blobs and ends, and tokens longer than MAX_TERM_CHARS are no terms;
# 7: each source's `text_features` and the acronyms (a change to what they mean needs a new one);
# 8: hard-wrapped lines joined (the probe is split as a source is); the acronyms each source
# defines, its headline terms (with the title they were made with) and a heading-line feature
FORMAT_VERSION = 8
_PROBE = (
    "Dr. Smith's teams banned 12,500 cars in Japan on 2024-03-01. They sold Teslas, "
    "didn't they? U.S. officials weren't running; the geese were flying. Ça va. 東京は晴れ。 "
    "The US expansion was increasingly costly. Ask X Corp. Citing it, they left."
)
_WRAPPED_PROBE = (
    "Bank of America NT and SA's\n<BAC.N> West German branch said it has applied for a licence to\n"
    "trade on the Frankfurt stock exchange, the first foreign bank to\ndo so this year.\n"
    "    Shr 12 cts vs 10 cts\n    Net 1.2 mln vs 1.0 mln\n"
)
# One source's analysis: spans (paragraph, start, end), terms per passage, term ids.
Arrays = tuple[np.ndarray, np.ndarray, np.ndarray]
# A source's title and the terms of its headline (`bot.index.headlines.source_headline`).
Headline = tuple[str, tuple[str, ...]]
# What `IndexFile.load` gives: vocabulary, each source's arrays, names, features, acronym
# phrases and headlines.
Saved = tuple[
    list[str], list[Arrays], frozenset[str], np.ndarray, list[DefinedPhrases], list[Headline]
]
# Lists of strings, each saved as `name` (UTF-8 bytes) and `name_ends` (each string's end, in
# characters of the decoded blob).
_STRINGS = ("vocabulary", "hashes", "names", "acronyms", "headlines")
_NUMBERS = {  # name -> (dtype, dimensions)
    "passages_per_source": (np.int64, 1),
    "spans": (np.int64, 2),
    "lengths": (np.int64, 1),
    "term_ids": (np.int32, 1),
    "features": (np.uint8, 1),  # per source
    "acronym_sizes": (np.int64, 1),  # each acronym and its phrase's words: how many strings
    "acronyms_per_source": (np.int64, 1),  # how many acronyms each source defines
    "headline_sizes": (np.int64, 1),  # each source's title and headline terms: how many strings
}
_ARRAYS = (*_STRINGS, *(f"{name}_ends" for name in _STRINGS), *_NUMBERS)
_STAMPS = ("key", "checksum")  # saved as ASCII bytes


def index_path_for(data_dir: Path, folder: Path) -> Path:
    """The saved index of a sources folder: one file per folder under `DATA_DIR/index/`."""
    resolved = str(Path(folder).resolve())
    name = hashlib.sha256(resolved.encode("utf-8", "surrogatepass")).hexdigest()[:16]
    return Path(data_dir) / "index" / f"{name}.npz"


def files_record_path(index_path: Path) -> Path:
    """The record of a folder's files (`bot.sources.folder_scan`) kept beside its saved index."""
    return index_path.with_name(f"{index_path.stem}-files.json")


def server_index_path(data_dir: Path, guild_id: int) -> Path:
    """The saved index of the sources one server added: its overlay over the base set."""
    return Path(data_dir) / "index" / f"guild-{guild_id}.npz"


def analysis_fingerprint() -> str:
    """Changes whenever sentence splitting or term analysis would give other results."""
    spans = [(text, passage_spans(text)) for text in (_PROBE, _WRAPPED_PROBE)]
    terms = [analyze(text[s:e]) for text, found in spans for _, s, e in found]
    probe = repr((FORMAT_VERSION, MAX_TERM_CHARS, spans, terms))
    return hashlib.sha256(probe.encode()).hexdigest()


def library_key(hashes: Sequence[str], config: BM25Config) -> str:
    parts = [analysis_fingerprint(), repr(config), *hashes]
    return hashlib.sha256("\n".join(parts).encode()).hexdigest()


class IndexFile:
    """Load and save one library's analysis at `path`."""

    def __init__(self, path: Path) -> None:
        self.path = path

    def load(
        self, hashes: Sequence[str], config: BM25Config, text_lengths: Sequence[int]
    ) -> Saved | None:
        """(vocabulary, (spans, lengths, term ids) of each source, the library's names, each
        source's `text_features`, `acronym_phrases` and (title, headline terms)) saved for
        exactly these sources (`text_lengths`: each one's text length, in characters), or None
        when the file is missing, stale or broken."""
        if not self.path.is_file():
            return None
        try:
            with np.load(self.path, allow_pickle=False) as data:
                names = set(data.files)
                arrays = {name: data[name] for name in (*_ARRAYS, *_STAMPS) if name in names}
            if len(arrays) < len(_ARRAYS) + len(_STAMPS):
                found = "stale (an older format)"
            else:
                found = _read(arrays, library_key(hashes, config), hashes, text_lengths)
        except Exception as error:  # noqa: BLE001 - any unreadable file is rebuilt, not trusted
            found = f"unreadable ({type(error).__name__})"
        if isinstance(found, str):
            log.warning("saved index %s is %s: rebuilding it", self.path, found)
            return None
        vocabulary, counts, spans, lengths, term_ids, names, features, phrases, headlines = found
        passage_ends = np.cumsum(counts)
        term_ends = np.cumsum(lengths)
        analyses = []
        for end, count in zip(passage_ends.tolist(), counts.tolist(), strict=True):
            start = end - count
            first = int(term_ends[start - 1]) if start else 0
            last = int(term_ends[end - 1]) if count else first
            analyses.append((spans[start:end], lengths[start:end], term_ids[first:last]))
        log.info("loaded the saved index %s (%d passages)", self.path, len(spans))
        return vocabulary, analyses, frozenset(names), features, phrases, headlines

    def save(
        self,
        hashes: Sequence[str],
        config: BM25Config,
        analyses: Sequence[tuple[np.ndarray, np.ndarray]],
        vocabulary: list[str],
        term_ids: np.ndarray,
        names: Collection[str],
        features: Sequence[int],
        phrases: Sequence[DefinedPhrases],
        headlines: Sequence[Headline],
    ) -> None:
        """Write atomically; a folder that cannot be written is logged and skipped.

        `analyses`: each source's spans and terms per passage; `term_ids`: all passages' terms
        as ids into `vocabulary`, one passage after another; `features`: each source's
        `bot.index.text_features`; `phrases`: each one's `bot.index.acronyms.acronym_phrases`;
        `headlines`: each one's title and `bot.index.headlines.source_headline`."""
        arrays: dict[str, np.ndarray] = {}
        spelled = [[acronym, *words] for found in phrases for acronym, words in found.items()]
        titled = [(title, *terms) for title, terms in headlines]
        lists = (
            vocabulary,
            hashes,
            sorted(names),
            [s for strings in spelled for s in strings],
            [s for strings in titled for s in strings],
        )
        for name, strings in zip(_STRINGS, lists, strict=True):
            arrays[name], arrays[f"{name}_ends"] = pack_strings(strings)
        numbers = {
            "passages_per_source": [len(s) for s, _ in analyses],
            "spans": np.concatenate([s for s, _ in analyses]),
            "lengths": np.concatenate([n for _, n in analyses]),
            "term_ids": term_ids,
            "features": features,
            "acronym_sizes": [len(strings) for strings in spelled],
            "acronyms_per_source": [len(found) for found in phrases],
            "headline_sizes": [len(strings) for strings in titled],
        }
        for name, values in numbers.items():
            arrays[name] = np.asarray(values).astype(_NUMBERS[name][0], copy=False)
        arrays["key"] = _ascii(library_key(hashes, config))
        arrays["checksum"] = _ascii(_checksum(arrays))
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


def pack_strings(strings: Sequence[str]) -> tuple[np.ndarray, np.ndarray]:
    """`strings` as (their UTF-8 bytes one after another, where each ends in characters):
    memory linear in their total length, however long the longest is."""
    joined = "".join(strings)
    ends = np.cumsum(np.fromiter(map(len, strings), np.int64, count=len(strings)))
    return np.frombuffer(joined.encode("utf-8", "surrogatepass"), dtype=np.uint8), ends


def unpack_strings(blob: np.ndarray, ends: np.ndarray) -> list[str] | None:
    """The strings `pack_strings` packed, or None when the arrays do not describe any."""
    if blob.dtype != np.uint8 or blob.ndim != 1 or ends.dtype != np.int64 or ends.ndim != 1:
        return None
    try:
        joined = blob.tobytes().decode("utf-8", "surrogatepass")
    except UnicodeDecodeError:
        return None
    starts = np.concatenate(([0], ends[:-1]))[: len(ends)]  # no strings: no starts
    if len(ends) and (int(ends[-1]) != len(joined) or (ends < starts).any()):
        return None
    if not len(ends) and joined:
        return None
    return [joined[start:end] for start, end in zip(starts.tolist(), ends.tolist(), strict=True)]


def compact_ids(ids: np.ndarray, vocabulary_size: int) -> tuple[np.ndarray, np.ndarray]:
    """(the distinct ids ascending, each id's position among them): np.unique without sorting."""
    used = np.zeros(vocabulary_size, dtype=bool)
    used[ids] = True
    position = np.cumsum(used, dtype=np.int32) - 1  # int32 all along: no int64 copy of `ids`
    return np.flatnonzero(used), position[ids]


def _ascii(text: str) -> np.ndarray:
    return np.frombuffer(text.encode("ascii"), dtype=np.uint8)


def _checksum(arrays: dict[str, np.ndarray]) -> str:
    digest = hashlib.sha256()
    for name in _ARRAYS:
        array = np.ascontiguousarray(arrays[name])
        digest.update(f"{name}:{array.dtype.str}:{array.shape}".encode())
        digest.update(array)  # its buffer: the bytes `tobytes` would copy
    return digest.hexdigest()


Loaded = tuple[
    list[str],
    np.ndarray,
    np.ndarray,
    np.ndarray,
    np.ndarray,
    list[str],
    np.ndarray,
    list[DefinedPhrases],
    list[Headline],
]


def _read(
    arrays: dict[str, np.ndarray], key: str, hashes: Sequence[str], text_lengths: Sequence[int]
) -> Loaded | str:
    """(vocabulary, passages per source, spans, lengths, term ids, names, features, phrases)
    from the saved arrays, or why they cannot be trusted for `key` and these sources."""
    if arrays["key"].tobytes() != key.encode():
        return "stale (the sources or the analysis changed)"
    if arrays["checksum"].tobytes() != _checksum(arrays).encode():
        return "corrupt (checksum mismatch)"
    strings = [unpack_strings(arrays[name], arrays[f"{name}_ends"]) for name in _STRINGS]
    vocabulary, saved_hashes, names, spelled, titled = strings
    if any(found is None for found in strings):
        return "corrupt (unreadable strings)"
    if saved_hashes != list(hashes) or len(set(vocabulary)) != len(vocabulary):
        return "corrupt (other sources or repeated terms)"
    for name, (dtype, dimensions) in _NUMBERS.items():
        if arrays[name].dtype != dtype or arrays[name].ndim != dimensions:
            return f"corrupt ({name} is not {dimensions}-D {np.dtype(dtype).name})"
    counts, spans, lengths = arrays["passages_per_source"], arrays["spans"], arrays["lengths"]
    term_ids = arrays["term_ids"]
    consistent = (
        len(counts) == len(hashes) == len(arrays["features"]) == len(arrays["acronyms_per_source"])
        and (counts >= 0).all()
        and spans.shape[1] == 3
        and int(counts.sum()) == len(spans) == len(lengths)
        and (lengths >= 1).all()
        and int(lengths.sum()) == len(term_ids)
    )
    if not consistent:
        return "corrupt (inconsistent lengths)"
    if len(term_ids) and not 0 <= int(term_ids.min()) <= int(term_ids.max()) < len(vocabulary):
        return "corrupt (term ids outside the vocabulary)"
    if not _spans_fit(counts, spans, np.asarray(text_lengths, dtype=np.int64)):
        return "corrupt (passages outside their text or out of order)"
    phrases = _phrases(spelled, arrays["acronym_sizes"], arrays["acronyms_per_source"])
    if phrases is None:
        return "corrupt (acronyms)"
    headlines = _headlines(titled, arrays["headline_sizes"], len(hashes))  # type: ignore[arg-type]
    if headlines is None:
        return "corrupt (headlines)"
    features = arrays["features"]
    return vocabulary, counts, spans, lengths, term_ids, names, features, phrases, headlines


def _headlines(titled: list[str], sizes: np.ndarray, sources: int) -> list[Headline] | None:
    """Each source's (title, headline terms) as `save` spelled them out, or None."""
    if len(sizes) != sources or not (sizes >= 1).all() or int(sizes.sum()) != len(titled):
        return None
    ends = np.cumsum(sizes).tolist()
    # a term is in many sources' headlines ("corp", "net"): one string each, not one a source
    return [
        (titled[end - size], tuple(map(sys.intern, titled[end - size + 1 : end])))
        for end, size in zip(ends, sizes.tolist(), strict=True)
    ]


def _phrases(
    spelled: list[str], sizes: np.ndarray, per_source: np.ndarray
) -> list[DefinedPhrases] | None:
    """Each source's acronyms as `save` spelled them out (each with two words or more), or
    None."""
    if not (sizes >= 3).all() or int(sizes.sum()) != len(spelled):
        return None
    if not (per_source >= 0).all() or int(per_source.sum()) != len(sizes):
        return None
    ends = np.cumsum(sizes).tolist()
    groups = [spelled[end - size : end] for end, size in zip(ends, sizes.tolist(), strict=True)]
    phrases: list[DefinedPhrases] = []
    at = 0
    for count in per_source.tolist():
        found = {group[0]: group[1:] for group in groups[at : at + count]}
        if len(found) != count:
            return None
        phrases.append(found)
        at += count
    return phrases


def _spans_fit(counts: np.ndarray, spans: np.ndarray, text_lengths: np.ndarray) -> bool:
    """Whether each source's spans (paragraph, start, end) lie within its text, each one
    non-empty and after the one before, paragraph numbers never going back."""
    paragraph, start, end = spans.T
    first = np.zeros(len(spans), dtype=bool)  # each source's first passage
    first[(np.cumsum(counts) - counts)[counts > 0]] = True
    after_previous = first[1:] | ((start[1:] >= end[:-1]) & (paragraph[1:] >= paragraph[:-1]))
    return bool(
        (paragraph >= 0).all()
        and (start >= 0).all()
        and (start < end).all()
        and (end <= np.repeat(text_lengths, counts)).all()
        and after_previous.all()
    )
