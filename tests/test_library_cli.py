"""`python -m bot library ...` and `ask --guild`, each run as its own process on one DATA_DIR."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from bot.library.sqlite import DATABASE_NAME

ARTICLE = "Harbour notes\n\nThe Quillby ferry will stop running on 3 May 2027.\n"
QUESTION = "When will the Quillby ferry stop running?"


@pytest.fixture
def cli(tmp_path: Path, seeds_dir: Path):
    env = {
        "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
        "LANG": "C.UTF-8",
        "DATA_DIR": str(tmp_path / "data"),
        "CROSSCHECK_SOURCES": str(seeds_dir),
        # this checkout's code, not the one the venv's editable install points at
        "PYTHONPATH": str(Path(__file__).resolve().parent.parent),
    }

    def run(*args: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [sys.executable, "-m", "bot", *args],
            cwd=tmp_path, env=env, capture_output=True, text=True, timeout=60,
        )  # fmt: skip

    return run


def cited_ids(result: subprocess.CompletedProcess[str]) -> list[str]:
    assert result.returncode == 0, result.stderr
    return [c["source"]["id"] for c in json.loads(result.stdout)["citations"]]


def test_add_is_cited_in_that_server_only_until_removed(cli, tmp_path: Path) -> None:
    (tmp_path / "notes.txt").write_text(ARTICLE)
    added = cli("library", "add", "notes.txt", "--guild", "5", "--label", "official")
    assert added.returncode == 0, added.stderr
    source_id = added.stdout.split()[1]

    answer = cli("ask", "--guild", "5", "--json", QUESTION)
    assert cited_ids(answer)[:1] == [source_id]
    assert json.loads(answer.stdout)["citations"][0]["source"]["label"] == "official"
    assert source_id not in cited_ids(cli("ask", "--guild", "6", "--json", QUESTION))

    listed = json.loads(cli("library", "list", "--guild", "5", "--json").stdout)
    mine = next(s for s in listed if s["id"] == source_id)
    assert mine["added_by"] and mine["added_at"] and mine["path"] is None

    assert cli("library", "remove", source_id, "--guild", "5").returncode == 0
    assert source_id not in cited_ids(cli("ask", "--guild", "5", "--json", QUESTION))


@pytest.mark.parametrize(
    ("content", "reason"),
    [
        (b"\x00\x01\x02binary", "binary"),
        ("Caf\xe9 notes.".encode("latin-1"), "not UTF-8"),
        (b"", "empty"),
        (b"word " * 250_000, "too large"),
    ],
)
def test_bad_files_exit_2_with_one_line_and_change_nothing(
    cli, tmp_path: Path, content: bytes, reason: str
) -> None:
    (tmp_path / "bad.txt").write_bytes(content)
    before = cli("library", "list", "--guild", "5", "--json").stdout
    result = cli("library", "add", "bad.txt", "--guild", "5")
    assert result.returncode == 2
    assert len(result.stderr.strip().splitlines()) == 1 and reason in result.stderr
    assert cli("library", "list", "--guild", "5", "--json").stdout == before


def test_duplicate_names_the_existing_source(cli, tmp_path: Path) -> None:
    (tmp_path / "a.txt").write_text(ARTICLE)
    (tmp_path / "b.md").write_text(ARTICLE)
    source_id = cli("library", "add", "a.txt", "--guild", "5").stdout.split()[1]
    result = cli("library", "add", "b.md", "--guild", "5")
    assert result.returncode == 2 and source_id in result.stderr


def test_export_reads_back_as_sources_and_imports_elsewhere(cli, tmp_path: Path) -> None:
    (tmp_path / "a.txt").write_text(ARTICLE)
    cli("library", "add", "a.txt", "--guild", "5", "--date", "2027-04-30")
    cli("library", "label", "001", "satire", "--guild", "5")
    assert cli("library", "export", "--guild", "5", "backup").returncode == 0
    from_folder = json.loads(cli("sources", "--sources", "backup", "--json").stdout)
    listed = json.loads(cli("library", "list", "--guild", "5", "--json").stdout)
    keys = ("id", "title", "date", "label", "characters")
    assert sorted(tuple(s[k] for k in keys) for s in from_folder) == sorted(
        tuple(s[k] for k in keys) for s in listed
    )
    imported = cli("library", "import", "backup", "--guild", "9")
    assert imported.returncode == 0, imported.stderr
    assert "Imported 1 " in imported.stdout  # the base sources were there already
    assert cited_ids(cli("ask", "--guild", "9", "--json", QUESTION))


def test_unusable_database_stops_with_one_line(cli, tmp_path: Path) -> None:
    (tmp_path / "data").mkdir()
    (tmp_path / "data" / DATABASE_NAME).write_bytes(b"garbage" * 1000)
    result = cli("library", "list", "--guild", "5")
    assert result.returncode == 2
    assert len(result.stderr.strip().splitlines()) == 1 and "database" in result.stderr


@pytest.mark.parametrize(
    "args",
    [
        ("library", "label", "001", "fake", "--guild", "5"),
        ("library", "remove", "nope", "--guild", "5"),
        ("library", "add", "missing.txt", "--guild", "5"),
        ("library", "add", "a.txt", "--guild", "5", "--date", "May 3"),
    ],
)
def test_bad_arguments_exit_2_with_one_line(cli, tmp_path: Path, args: tuple[str, ...]) -> None:
    (tmp_path / "a.txt").write_text(ARTICLE)
    result = cli(*args)
    assert result.returncode == 2 and len(result.stderr.strip().splitlines()) == 1, result.stderr
    assert "Traceback" not in result.stderr
