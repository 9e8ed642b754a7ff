"""`python -m bot library ...` and `ask --guild`, each run as its own process on one DATA_DIR."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from bot.library.sqlite import DATABASE_NAME

ARTICLE = "Harbour notes\n\nThe Quillby ferry will stop running on 3 May 2027.\n"
QUESTION = "When will the Quillby ferry stop running?"
ROOT = Path(__file__).resolve().parents[2]


def command_line(folder: Path, **env: str):
    """Runs `python -m bot ARGS...` of this checkout in `folder` with only `env` set (and PATH,
    LANG, PYTHONPATH)."""
    path = {"PATH": os.environ.get("PATH", "/usr/bin:/bin"), "PYTHONPATH": str(ROOT)}
    env = {**path, "LANG": "C.UTF-8", **env}

    def run(*args: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [sys.executable, "-m", "bot", *args],
            cwd=folder, env=env, capture_output=True, text=True, timeout=60,
        )  # fmt: skip

    return run


@pytest.fixture
def cli(tmp_path: Path, seeds_dir: Path):
    """The command line on a library started in `tmp_path / "data"`."""
    run = command_line(tmp_path, DATA_DIR=str(tmp_path / "data"), CROSSCHECK_SOURCES=str(seeds_dir))
    assert run("library", "list", "--guild", "1", "--create").returncode == 0
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
        ("library", "remove", "\udcff", "--guild", "5"),  # an undecodable byte, as argv gives it
        ("library", "label", "\udcff", "official", "--guild", "5"),
        ("library", "add", "a.txt", "--guild", "5", "--title", "Ferry \udcff notes"),
    ],
)
def test_bad_arguments_exit_2_with_one_line(cli, tmp_path: Path, args: tuple[str, ...]) -> None:
    (tmp_path / "a.txt").write_text(ARTICLE)
    result = cli(*args)
    assert result.returncode == 2 and len(result.stderr.strip().splitlines()) == 1, result.stderr
    assert "Traceback" not in result.stderr


def test_a_folder_without_a_library_is_refused_not_given_an_empty_one(tmp_path: Path) -> None:
    """Run from the wrong folder, a command once started an empty library there: the
    moderators' additions seemed gone. Now it says where it looked and creates nothing."""
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    run = command_line(elsewhere, HOME=str(elsewhere))
    for args in (("library", "list", "--guild", "1"), ("ask", "--guild", "1", QUESTION)):
        result = run(*args)
        assert result.returncode == 2, result.stderr
        [line] = result.stderr.strip().splitlines()
        assert "no library at " + str(elsewhere / "data" / DATABASE_NAME) in line
        assert "--create" in line and "DATA_DIR" in line
    assert list(elsewhere.iterdir()) == []


def test_create_starts_a_library_and_every_command_names_it(tmp_path: Path) -> None:
    run = command_line(tmp_path, DATA_DIR="data")
    created = run("library", "list", "--guild", "1", "--create")
    assert created.returncode == 0, created.stderr
    assert created.stdout.strip() != "The library is empty."  # the base sources are listed
    database = tmp_path / "data" / DATABASE_NAME
    assert database.is_file()
    for result in (
        created,
        run("library", "list", "--guild", "1"),
        run("ask", "--guild", "1", "x y"),
    ):
        assert result.returncode == 0, result.stderr
        assert f"Library: {database} (no .env file read)" in result.stderr.splitlines()


def test_the_checkouts_env_file_is_found_from_another_folder(tmp_path: Path) -> None:
    """With no .env in the current folder, the checkout's is read, and a relative DATA_DIR in
    it is relative to the checkout: the same library from any folder."""
    checkout = tmp_path / "checkout"
    shutil.copytree(ROOT / "bot", checkout / "bot", ignore=shutil.ignore_patterns("__pycache__"))
    shutil.copytree(ROOT / "seeds", checkout / "seeds")
    shutil.copy(ROOT / "pyproject.toml", checkout)
    (checkout / ".env").write_text("DATA_DIR=library-data\n")
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    run = command_line(elsewhere, PYTHONPATH=str(checkout))
    assert run("library", "list", "--guild", "1", "--create").returncode == 0
    listed = run("library", "list", "--guild", "1")
    assert listed.returncode == 0, listed.stderr
    database = checkout / "library-data" / DATABASE_NAME
    assert f"Library: {database} (settings from {checkout / '.env'})" in listed.stderr
    assert list(elsewhere.iterdir()) == []


# --- hardening (issue 15) ---------------------------------------------------------------------


def one_line_exit_2(result: subprocess.CompletedProcess[str]) -> str:
    assert result.returncode == 2, (result.stdout, result.stderr)
    assert "Traceback" not in result.stderr
    assert len(result.stderr.strip().splitlines()) == 1, result.stderr
    return result.stderr


def test_an_id_from_sources_toml_cannot_send_an_export_outside_its_folder(
    cli, tmp_path: Path
) -> None:
    base = tmp_path / "work" / "base"
    base.mkdir(parents=True)
    (base / "a.txt").write_text(ARTICLE)
    (base / "sources.toml").write_text('[[source]]\nfile = "a.txt"\nid = "../../escaped"\n')
    result = cli("library", "export", "--guild", "5", "--sources", str(base), "work/out/backup")
    assert "sources.toml" in one_line_exit_2(result)
    assert not list(tmp_path.rglob("escaped*"))


def test_an_import_is_held_to_the_size_limit_and_needs_a_sentence(cli, tmp_path: Path) -> None:
    big = tmp_path / "big"
    big.mkdir()
    (big / "big.txt").write_text("The pier is closed for repairs. " * 110_000)  # 3.5 MB
    assert "too large" in one_line_exit_2(cli("library", "import", "big", "--guild", "5"))
    emoji = tmp_path / "emoji"
    emoji.mkdir()
    (emoji / "party.txt").write_text("🎉🎉🎉 🚢🚢\n")
    assert "no sentence" in one_line_exit_2(cli("library", "import", "emoji", "--guild", "5"))
    listed = json.loads(cli("library", "list", "--guild", "5", "--json").stdout)
    assert all(s["added_by"] is None for s in listed)  # nothing was added


def test_add_refuses_a_device_and_reads_no_more_than_the_limit(cli, tmp_path: Path) -> None:
    assert "not a regular file" in one_line_exit_2(
        cli("library", "add", "/dev/zero", "--guild", "5")
    )
    (tmp_path / "big.txt").write_text("The pier is closed for repairs. " * 110_000)
    assert "3,520,000 bytes" in one_line_exit_2(cli("library", "add", "big.txt", "--guild", "5"))


@pytest.mark.parametrize("where", ["under-a-file", "dangling-link"])
def test_export_to_a_path_that_cannot_be_a_folder_is_one_line(
    cli, tmp_path: Path, where: str
) -> None:
    (tmp_path / "file.txt").write_text("x")
    (tmp_path / "link").symlink_to(tmp_path / "nowhere")
    target = "file.txt/backup" if where == "under-a-file" else "link"
    one_line_exit_2(cli("library", "export", "--guild", "5", target))
    assert not (tmp_path / "nowhere").exists()


@pytest.mark.parametrize("guild", [str(2**63), "0", "-5", "99999999999999999999"])
def test_a_guild_id_that_is_no_snowflake_is_a_usage_error(cli, guild: str) -> None:
    for args in (("library", "list"), ("ask", "Did Japan ban Tesla?")):
        result = cli(*args, f"--guild={guild}")
        assert result.returncode == 2 and "Traceback" not in result.stderr, result.stderr
        assert "--guild" in result.stderr.splitlines()[-1]
