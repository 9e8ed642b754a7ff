"""Saved index and per-source analysis cache: reused when valid, rebuilt when not, never trusted."""

from __future__ import annotations

import logging
import os
import subprocess
import sys
from dataclasses import replace
from pathlib import Path

import numpy as np
import pytest

import bot.index.parallel
from bot.answer.engine import BM25, AnswerEngine
from bot.english.function_words import STOPWORDS
from bot.index.saved import _checksum, pack_strings, unpack_strings
from bot.index.store import IndexStore
from bot.main import main
from bot.rendering.json_output import answer_to_dict
from bot.sources import Source, SourceError, load_sources

QUESTIONS = ["Did Japan ban Tesla?", "Tesla sales in Japan", "Who is Lars Moravy?", "weather"]


def _answers(engine: AnswerEngine) -> list[dict]:
    return [answer_to_dict(engine.answer(q)) for q in QUESTIONS]


@pytest.fixture
def sources(seeds_dir: Path) -> list[Source]:
    return load_sources(seeds_dir)


@pytest.fixture
def saved(tmp_path: Path, sources: list[Source]) -> Path:
    path = tmp_path / "index" / "seeds.npz"
    store = IndexStore(path)
    AnswerEngine(sources, index_store=store)
    assert store.analysed == len(sources) and path.is_file()
    return path


def test_a_saved_index_is_loaded_instead_of_analysing_and_answers_the_same(
    saved: Path, sources: list[Source], engine: AnswerEngine
) -> None:
    store = IndexStore(saved)
    loaded = AnswerEngine(sources, index_store=store)
    assert store.analysed == 0
    assert _answers(loaded) == _answers(engine)


def _rebuilt(path: Path, sources: list[Source], caplog: pytest.LogCaptureFixture) -> IndexStore:
    store = IndexStore(path)
    with caplog.at_level(logging.WARNING, logger="bot.index.saved"):
        AnswerEngine(sources, index_store=store)
    assert store.analysed == len(sources)
    assert [r.getMessage() for r in caplog.records if "rebuilding" in r.getMessage()]
    return store


def test_a_file_of_an_older_format_is_stale_not_broken(saved: Path, sources, caplog) -> None:
    with np.load(saved, allow_pickle=False) as data:  # version 6 had no features or acronyms
        arrays = {name: data[name] for name in data.files if "acronym" not in name}
    with saved.open("wb") as out:
        np.savez(out, **arrays)
    _rebuilt(saved, sources, caplog)
    assert "is stale (an older format): rebuilding it" in caplog.text


def test_a_truncated_file_is_rebuilt(saved: Path, sources, caplog, engine) -> None:
    saved.write_bytes(saved.read_bytes()[: saved.stat().st_size // 2])
    store = _rebuilt(saved, sources, caplog)
    assert _answers(AnswerEngine(sources, index_store=store)) == _answers(engine)
    again = IndexStore(saved)
    AnswerEngine(sources, index_store=again)
    assert again.analysed == 0


def test_flipped_bytes_are_rebuilt(saved: Path, sources, caplog) -> None:
    data = bytearray(saved.read_bytes())
    for i in range(len(data) // 3, len(data) // 3 + 64):
        data[i] ^= 0xFF
    saved.write_bytes(bytes(data))
    _rebuilt(saved, sources, caplog)


def test_arrays_changed_behind_the_checksum_are_rebuilt(saved: Path, sources, caplog) -> None:
    with np.load(saved, allow_pickle=False) as data:
        arrays = {name: data[name] for name in data.files}
    arrays["term_ids"] = arrays["term_ids"][::-1].copy()  # same length, other terms
    with saved.open("wb") as out:
        np.savez(out, **arrays)
    _rebuilt(saved, sources, caplog)


def test_a_file_for_other_sources_is_stale(saved: Path, sources, caplog) -> None:
    changed = [*sources[:-1], replace(sources[-1], text="Tesla left Japan.")]
    _rebuilt(saved, changed, caplog)


def test_adding_or_removing_a_source_analyses_only_that_source(sources) -> None:
    store = IndexStore()
    AnswerEngine(sources[:-1], index_store=store)
    assert store.analysed == len(sources) - 1
    grown = AnswerEngine(sources, index_store=store)
    assert store.analysed == len(sources)
    shrunk = AnswerEngine(sources[1:], index_store=store)
    assert store.analysed == len(sources)
    assert _answers(grown) == _answers(AnswerEngine(sources))
    assert _answers(shrunk) == _answers(AnswerEngine(sources[1:]))


def test_a_folder_that_cannot_be_written_is_skipped(tmp_path: Path, sources, engine) -> None:
    blocker = tmp_path / "not-a-folder"
    blocker.write_text("a file where the data folder should be")
    loaded = AnswerEngine(sources, index_store=IndexStore(blocker / "index.npz"))
    assert _answers(loaded) == _answers(engine)


def test_the_command_line_saves_the_index_under_data_dir(seeds_dir: Path, capsys) -> None:
    assert main(["ask", "--sources", str(seeds_dir), "Did Japan ban Tesla?"]) == 0
    first = capsys.readouterr().out
    saved = list((Path(os.environ["DATA_DIR"]) / "index").glob("*.npz"))
    assert len(saved) == 1
    assert main(["ask", "--sources", str(seeds_dir), "Did Japan ban Tesla?"]) == 0
    assert capsys.readouterr().out == first


def test_sources_without_a_sentence_are_refused_with_a_reason(make_sources) -> None:
    folder = make_sources({"a.txt": "!!! ???\n", "b.md": "--- ***\n"})
    with pytest.raises(SourceError, match="no sentences"):
        AnswerEngine.from_folder(folder, index_store=IndexStore())


def _built(sources: list[Source], store: IndexStore) -> tuple:
    corpus = store.build(sources, BM25)
    weights = corpus.index._weights
    spans = [(p.source.id, p.start, p.end) for p in corpus.passages]
    arrays = (weights.data.tolist(), weights.indices.tolist(), weights.indptr.tolist())
    return spans, corpus.index.vocabulary, arrays, sorted(corpus.names), corpus.block_of.tolist()


@pytest.fixture
def library(sources: list[Source]) -> list[Source]:
    """The seeds plus sources with passages of stopwords only, whose empty term is numbered
    where first seen: a worker must not change the numbering."""
    extra = ["It is so.\n\nKestrel Motors banned the Quillby sedan.", "And so it was. Then it was."]
    made = [replace(sources[0], id=f"extra-{i}", text=text) for i, text in enumerate(extra)]
    return [*sources[:3], made[0], *sources[3:], made[1]]


def test_a_worker_process_gives_the_index_one_process_gives(library: list[Source]) -> None:
    alone = _built(library, IndexStore())
    shared = IndexStore(parallel_min_chars=0)  # any library is shared with a worker
    assert _built(library, shared) == alone
    assert shared.analysed == len(library)


def test_a_worker_that_cannot_start_leaves_the_work_to_this_process(
    library: list[Source], monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    alone = _built(library, IndexStore())
    monkeypatch.setattr("sys.executable", "/nonexistent/python")
    with caplog.at_level(logging.WARNING, logger="bot.index.parallel"):
        assert _built(library, IndexStore(parallel_min_chars=0)) == alone
    assert any("analysing here" in r.getMessage() for r in caplog.records)


def test_a_worker_whose_result_cannot_be_read_is_stopped_and_replaced(
    sources: list[Source], monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    """A worker still writing a result larger than a pipe holds must not be waited on forever
    once reading it failed: it is stopped, and this process analyses its texts."""
    # 60 distinct copies of the seeds: each worker's result is far larger than a pipe's buffer
    library = [
        replace(s, id=f"{s.id}-{k}", text=f"{s.text} {k}") for k in range(60) for s in sources
    ]
    alone = _built(library, IndexStore())

    def fail_midway(stream):  # reads a little of the worker's output, then gives up
        stream.read(1000)
        raise EOFError("truncated")

    monkeypatch.setattr(bot.index.parallel.pickle, "load", fail_midway)
    with caplog.at_level(logging.WARNING, logger="bot.index.parallel"):
        assert _built(library, IndexStore(parallel_min_chars=0)) == alone
    assert any("EOFError" in r.getMessage() for r in caplog.records)


def test_a_worker_starts_without_the_lemmatisers() -> None:
    """A worker only splits, tokenises and counts names: loading the lemmatisers' tables (~0.5 s
    of its start) is left to the process it works for, which loads them anyway."""
    heavy = ["simplemma", "lemminflect", "Stemmer", "countryinfo", "rank_bm25", "scipy"]
    check = (
        f"import sys, bot.index.parallel; print(sorted(m for m in {heavy!r} if m in sys.modules))"
    )
    root = str(Path(bot.index.parallel.__file__).resolve().parents[2])
    done = subprocess.run(
        [sys.executable, "-P", "-c", check],
        capture_output=True,
        text=True,
        check=True,
        env={**os.environ, "PYTHONPATH": root},
    )
    assert done.stdout.strip() == "[]"


def test_a_worker_reports_each_new_token_once_in_order_of_first_sight(
    library: list[Source],
) -> None:
    reports: list[list[str]] = []
    part = bot.index.parallel.analyse_alone([s.text for s in library], report=reports.append)
    assert len(reports) >= 1
    assert [token for report in reports for token in report] == part.vocabulary
    assert "" in part.vocabulary  # the library's passages of stopwords only
    assert not set(part.vocabulary) & STOPWORDS


# --- damaged files that pass the checksum (issue 15 item 3) ---------------------------------


def _swap_first_two(spans: np.ndarray) -> np.ndarray:
    swapped = spans.copy()
    swapped[[0, 1]] = swapped[[1, 0]]
    return swapped


def _move_a_passage(counts: np.ndarray) -> np.ndarray:
    moved = counts.copy()
    moved[0], moved[1] = moved[0] + 1, moved[1] - 1  # the same total, split otherwise
    return moved


def _merge_last_two(counts: np.ndarray) -> np.ndarray:
    return np.concatenate([counts[:-2], [counts[-2] + counts[-1]]]).astype(np.int64)


def _repeat_a_term(arrays: dict[str, np.ndarray]) -> None:
    terms = unpack_strings(arrays["vocabulary"], arrays["vocabulary_ends"])
    assert terms is not None
    arrays["vocabulary"], arrays["vocabulary_ends"] = pack_strings([terms[1], *terms[1:]])


DAMAGE = {
    "a negative term id": lambda a: a["term_ids"].__setitem__(0, -1),
    "a term id past the vocabulary": lambda a: a["term_ids"].__setitem__(
        0, len(a["vocabulary_ends"])
    ),
    "a passage past its text": lambda a: a["spans"].__setitem__((0, 2), 10**9),
    "a passage ending before it starts": lambda a: a["spans"].__setitem__(
        (0, slice(1, 3)), a["spans"][0, 2:0:-1]
    ),
    "passages out of order": lambda a: a.__setitem__("spans", _swap_first_two(a["spans"])),
    "a passage moved to another source": lambda a: a.__setitem__(
        "passages_per_source", _move_a_passage(a["passages_per_source"])
    ),
    "a short passages_per_source": lambda a: a.__setitem__(  # the same total, one count less
        "passages_per_source", _merge_last_two(a["passages_per_source"])
    ),
    "float spans": lambda a: a.__setitem__("spans", a["spans"].astype(np.float64)),
    "float term ids": lambda a: a.__setitem__("term_ids", a["term_ids"].astype(np.float32)),
    "spans without paragraphs": lambda a: a.__setitem__("spans", a["spans"][:, 1:].copy()),
    "a term ending past the vocabulary": lambda a: a["vocabulary_ends"].__setitem__(-1, 10**6),
    "a term repeated": _repeat_a_term,
    "acronyms that do not add up": lambda a: a.__setitem__("acronym_sizes", a["acronym_sizes"] + 1),
    "features of fewer sources": lambda a: a.__setitem__("features", a["features"][1:].copy()),
    "acronyms of fewer sources": lambda a: a.__setitem__(
        "acronyms_per_source", a["acronyms_per_source"][1:].copy()
    ),
    "headlines of fewer sources": lambda a: a.__setitem__(
        "headline_sizes", a["headline_sizes"][1:].copy()
    ),
    "headlines that do not add up": lambda a: a["headline_sizes"].__setitem__(0, 10**6),
    "names that are no UTF-8": lambda a: a.__setitem__(
        "names", np.concatenate([[0xFF], a["names"][1:]]).astype(np.uint8)
    ),
}


@pytest.mark.parametrize("damage", DAMAGE, ids=list(DAMAGE))
def test_a_damaged_file_with_a_valid_checksum_is_rebuilt(
    damage: str, saved: Path, sources, caplog, engine
) -> None:
    with np.load(saved, allow_pickle=False) as data:
        arrays = {name: data[name].copy() for name in data.files}
    DAMAGE[damage](arrays)
    arrays["checksum"] = np.frombuffer(_checksum(arrays).encode(), dtype=np.uint8)
    with saved.open("wb") as out:
        np.savez(out, **arrays)
    store = _rebuilt(saved, sources, caplog)
    warnings = [r for r in caplog.records if r.levelno >= logging.WARNING]
    assert len(warnings) == 1 and not warnings[0].exc_info, warnings
    assert _answers(AnswerEngine(sources, index_store=store)) == _answers(engine)
    again = IndexStore(saved)  # the rebuilt file is sound again
    assert _answers(AnswerEngine(sources, index_store=again)) == _answers(engine)
    assert again.analysed == 0


def test_a_dropped_store_is_freed_without_the_cycle_collector(sources: list[Source]) -> None:
    """The bot freezes what it builds out of the garbage collector's reach (`settle_memory`)
    and drops the engines and stores of servers unused the longest: a store must then be
    freed by reference counting alone, or each drop would leak its word caches."""
    import gc
    import weakref

    store = IndexStore()
    AnswerEngine(sources, index_store=store)
    freed = weakref.ref(store._analyser)
    gc.disable()
    try:
        del store
        assert freed() is None
    finally:
        gc.enable()
