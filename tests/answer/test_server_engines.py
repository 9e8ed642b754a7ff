"""A customised server's engine in the registry: its additions layered over the base engine,
its saved index holding only those additions."""

from __future__ import annotations

import logging
from pathlib import Path

import numpy as np
import pytest

from bot.answer.engine import BM25, AnswerEngine
from bot.answer.registry import LibraryRegistry, open_registry
from bot.index.saved import server_index_path, unpack_strings
from bot.index.store import IndexStore
from bot.library.parsing import parse_upload
from bot.rendering.json_output import answer_to_dict
from bot.sources import text_hash

GUILD = 111
ARTICLE = (
    "Harbour council notes\n\nThe Quillby ferry will stop running on 3 May 2027. "
    "The council voted seven to two to close the route.\n"
)
QUESTIONS = ["When will the Quillby ferry stop running?", "Did Japan ban Tesla?"]


def _customise(registry: LibraryRegistry) -> str:
    draft = parse_upload(ARTICLE.encode(), "notes.txt")
    added = registry.store.add(GUILD, draft, "42", registry.base, 500)
    registry.store.remove(GUILD, registry.base[0].id, "42", registry.base)
    registry.rebuild(GUILD)
    return added.id


def _answers(registry: LibraryRegistry) -> list[dict]:
    return [answer_to_dict(registry.engine_for(GUILD).answer(q)) for q in QUESTIONS]


def test_a_server_engine_shares_the_base_and_saves_only_its_additions(
    tmp_path: Path, seeds_dir: Path
) -> None:
    data = tmp_path / "data"
    registry = open_registry(seeds_dir, data)
    try:
        added_id = _customise(registry)
        engine, base = registry.engine_for(GUILD), registry.engine_for(None)
        assert isinstance(engine, AnswerEngine) and isinstance(base, AnswerEngine)
        assert engine._index._base is base._index  # type: ignore[union-attr]
        answers = _answers(registry)
        assert answers[0]["citations"][0]["source"]["id"] == added_id
        whole = AnswerEngine(registry.sources_for(GUILD))
        assert answers == [answer_to_dict(whole.answer(q)) for q in QUESTIONS]
        assert registry.base[0].id not in {
            c["source"]["id"] for a in answers for c in a["citations"]
        }
    finally:
        registry.store.close()
    with np.load(server_index_path(data, GUILD)) as saved:
        hashes = unpack_strings(saved["hashes"], saved["hashes_ends"])
    assert hashes == [text_hash(ARTICLE)]  # the server's own source, not the base set

    again = open_registry(seeds_dir, data)  # a restart reads the overlay back
    try:
        again.rebuild(GUILD)
        assert again._indexes[GUILD].analysed == 0
        assert _answers(again) == answers
    finally:
        again.store.close()


def test_an_old_saved_index_of_the_whole_library_is_rebuilt_with_one_warning(
    tmp_path: Path, seeds_dir: Path, caplog: pytest.LogCaptureFixture
) -> None:
    data = tmp_path / "data"
    registry = open_registry(seeds_dir, data)
    try:
        _customise(registry)
        answers = _answers(registry)
        path = server_index_path(data, GUILD)
        path.unlink()
        IndexStore(path).build(registry.sources_for(GUILD), BM25)  # as saved before
        registry._indexes.clear()
        with caplog.at_level(logging.WARNING):
            registry.rebuild(GUILD)
        warnings = [r for r in caplog.records if r.levelno >= logging.WARNING]
        assert len(warnings) == 1 and "rebuilding" in warnings[0].getMessage()
        assert _answers(registry) == answers
    finally:
        registry.store.close()
