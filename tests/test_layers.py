"""Imports only run down the data path: a module imports from its own layer or the ones before it.

The layers are ARCHITECTURE.md's path, lowest first. A module belongs to the layer of the longest
prefix in `LAYERS` that names it; every module of `bot/` must belong to one.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]

LAYERS: list[tuple[str, ...]] = [
    ("bot.english", "bot.text_cleanup"),  # closed classes of English; invisible characters
    ("bot.sources",),  # files + metadata -> Source (ids, a folder checked by stat)
    ("bot.answer.types",),  # the hand-off every later stage fills and every renderer reads
    ("bot.settings",),
    ("bot.passages",),  # a source as spans: sentences, tables, tokens
    ("bot.library",),  # where sources live: SQLite, parsing, export/import
    ("bot.retrieval",),  # index terms + BM25
    ("bot.index",),  # build, store, saved, names, acronyms
    ("bot.relevance",),  # the question's kind, framing, the query
    ("bot.caveat",),  # disagreements between cited excerpts
    ("bot.answer",),  # the engine: relevance, selection, excerpts, caveat; the per-server registry
    ("bot.rendering",),  # terminal, JSON, Discord embed
    ("bot.app", "bot.commands", "bot.heartbeat"),  # the Discord bot, its commands, its health
    ("bot.evaluation",),
    ("bot.main", "bot.__main__", "bot.library.cli"),  # the command line
]


def _module_name(path: Path) -> str:
    parts = list(path.relative_to(ROOT).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def layer_of(module: str) -> int | None:
    best: tuple[int, int] | None = None  # (prefix length, layer)
    for index, prefixes in enumerate(LAYERS):
        for prefix in prefixes:
            inside = module == prefix or module.startswith(prefix + ".")
            if inside and (best is None or len(prefix) > best[0]):
                best = (len(prefix), index)
    return None if best is None else best[1]


def imports_of(path: Path) -> set[str]:
    """Every `bot.` module the file imports, at any depth (late imports in functions count)."""
    found: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            found.add(node.module)
            # `from bot.english import caveat_words`: the name may be a module
            found.update(f"{node.module}.{alias.name}" for alias in node.names)
    return {name for name in found if name.split(".")[0] == "bot" and name != "bot"}


MODULES = sorted(p for p in (ROOT / "bot").rglob("*.py") if "__pycache__" not in p.parts)


def test_every_module_has_a_layer() -> None:
    assert [m for m in map(_module_name, MODULES) if m != "bot" and layer_of(m) is None] == []


@pytest.mark.parametrize("path", MODULES, ids=lambda p: _module_name(p))
def test_imports_run_down_the_path(path: Path) -> None:
    module = _module_name(path)
    own = layer_of(module)
    if own is None:
        return
    upward = []
    for name in sorted(imports_of(path)):
        target = layer_of(name)
        # `from bot.x import name`: `bot.x.name` is a module only if that file exists
        if (
            not (ROOT / Path(*name.split("."))).with_suffix(".py").exists()
            and not (ROOT / Path(*name.split(".")) / "__init__.py").exists()
        ):
            continue
        if target is not None and target > own:
            upward.append(f"{name} ({' '.join(LAYERS[target])})")
    assert upward == [], f"{module} ({' '.join(LAYERS[own])}) imports up the path"


def test_the_check_sees_an_upward_import(tmp_path: Path) -> None:
    """The walk finds late imports too, so the test above can fail."""
    sample = tmp_path / "sample.py"
    sample.write_text("def f():\n    from bot.caveat.focus import asked_by\n", encoding="utf-8")
    assert "bot.caveat.focus" in imports_of(sample)
    assert layer_of("bot.caveat.focus") > layer_of("bot.relevance.query")
