"""Shared fixtures: the bundled seeds, an engine over them, throwaway source folders, and a
throwaway PostgreSQL server (started once per session, a new database per test)."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from pg_server import PostgresServer

from bot.answer import AnswerEngine
from bot.sources import DEFAULT_SOURCES_DIR

SourceFolderFactory = Callable[[dict[str, str | bytes]], Path]


@pytest.fixture(scope="session")
def seeds_dir() -> Path:
    return DEFAULT_SOURCES_DIR


@pytest.fixture(scope="session")
def engine(seeds_dir: Path) -> AnswerEngine:
    return AnswerEngine.from_folder(seeds_dir)


@pytest.fixture
def make_sources(tmp_path: Path) -> SourceFolderFactory:
    """Write {file name: text or bytes} into a fresh folder and return the folder."""

    def make(files: dict[str, str | bytes]) -> Path:
        folder = tmp_path / f"sources{len(list(tmp_path.iterdir()))}"
        folder.mkdir()
        for name, content in files.items():
            path = folder / name
            if isinstance(content, bytes):
                path.write_bytes(content)
            else:
                path.write_text(content, encoding="utf-8")
        return folder

    return make


@pytest.fixture(autouse=True)
def _data_dir(tmp_path_factory: pytest.TempPathFactory, monkeypatch: pytest.MonkeyPatch) -> None:
    """What the bot saves (DATA_DIR: the saved index) goes to a throwaway folder, not ./data;
    and never into a PostgreSQL library the shell may name."""
    monkeypatch.setenv("DATA_DIR", str(tmp_path_factory.mktemp("data")))
    monkeypatch.delenv("DATABASE_URL", raising=False)


@pytest.fixture(scope="session")
def postgres_server() -> Iterator[PostgresServer]:
    server = PostgresServer()
    try:
        yield server
    finally:
        server.stop()


@pytest.fixture
def postgres_url(postgres_server: PostgresServer) -> str:
    """The URL of a new, empty PostgreSQL database of the session's server."""
    return postgres_server.new_database()


@pytest.fixture(params=["sqlite", "postgres"])
def database_url(request: pytest.FixtureRequest) -> str | None:
    """Run a store test twice: the library in SQLite (None: in DATA_DIR) and in PostgreSQL."""
    return None if request.param == "sqlite" else request.getfixturevalue("postgres_url")
