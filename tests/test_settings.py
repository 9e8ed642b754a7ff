"""Settings: read once from the environment over `.env`, validated with a clear message."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from bot.settings import (
    DEFAULT_API_BASE,
    DEFAULT_ASK_COOLDOWN_SECONDS,
    DEFAULT_GATEWAY_URL,
    Settings,
    SettingsError,
    load_settings,
)
from bot.sources import DEFAULT_SOURCES_DIR


@pytest.fixture
def env_file(tmp_path: Path) -> Path:
    path = tmp_path / ".env"
    path.write_text(
        "# a comment\n"
        "DISCORD_TOKEN=token-from-file\n"
        "DISCORD_GUILD_ID=123456789012345678\n"
        "LOG_LEVEL=debug\n"
        "ASK_COOLDOWN_SECONDS=2.5\n"
        f"CROSSCHECK_SOURCES={tmp_path / 'corpus'}\n",
        encoding="utf-8",
    )
    return path


def test_defaults_when_nothing_is_set(tmp_path: Path) -> None:
    settings = load_settings({}, env_file=tmp_path / "missing.env")
    assert settings == Settings()
    assert settings.token is None and settings.guild_id is None
    assert settings.api_base == DEFAULT_API_BASE == "https://discord.com/api/v10"
    assert settings.gateway_url == DEFAULT_GATEWAY_URL == "wss://gateway.discord.gg/"
    assert settings.log_level == "INFO"
    assert settings.ask_cooldown_seconds == DEFAULT_ASK_COOLDOWN_SECONDS
    assert settings.sources_dir == DEFAULT_SOURCES_DIR
    assert not settings.custom_gateway


def test_reads_the_env_file(env_file: Path) -> None:
    settings = load_settings({}, env_file=env_file)
    assert settings.token == "token-from-file"
    assert settings.guild_id == 123456789012345678
    assert settings.log_level == "DEBUG"
    assert settings.ask_cooldown_seconds == 2.5
    assert settings.sources_dir == env_file.parent / "corpus"


def test_environment_wins_over_the_env_file(env_file: Path) -> None:
    settings = load_settings(
        {"DISCORD_TOKEN": "token-from-env", "LOG_LEVEL": "WARNING"}, env_file=env_file
    )
    assert settings.token == "token-from-env"
    assert settings.log_level == "WARNING"
    assert settings.guild_id == 123456789012345678  # still from the file


def test_reads_os_environ_by_default(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setenv("DISCORD_TOKEN", "from-os-environ")
    monkeypatch.chdir(tmp_path)  # no .env here
    assert load_settings().token == "from-os-environ"


def test_command_line_sources_win_over_the_environment(env_file: Path) -> None:
    settings = load_settings({}, env_file=env_file, sources_dir=Path("/srv/other"))
    assert settings.sources_dir == Path("/srv/other")
    assert load_settings({}, env_file=env_file, sources_dir=None).sources_dir.name == "corpus"


def test_blank_values_mean_unset(tmp_path: Path) -> None:
    settings = load_settings({"DISCORD_TOKEN": "  ", "DISCORD_GUILD_ID": ""}, env_file=None)
    assert settings.token is None and settings.guild_id is None


def test_the_token_never_appears_in_repr() -> None:
    settings = load_settings({"DISCORD_TOKEN": "sekrit.token.value"}, env_file=None)
    assert "sekrit" not in repr(settings) and "sekrit" not in str(settings)


def test_custom_endpoints() -> None:
    settings = load_settings(
        {
            "DISCORD_API_BASE": "http://127.0.0.1:8080/api/v10",
            "DISCORD_GATEWAY_URL": "ws://127.0.0.1:8080/gateway",
        },
        env_file=None,
    )
    assert settings.api_base == "http://127.0.0.1:8080/api/v10"
    assert settings.gateway_url == "ws://127.0.0.1:8080/gateway"
    assert settings.custom_gateway


def test_the_engines_memory_budget() -> None:
    assert Settings().engine_memory_mb == 256
    assert load_settings({"ENGINE_MEMORY_MB": "64"}, env_file=None).engine_memory_mb == 64


def test_cooldown_zero_disables() -> None:
    assert load_settings({"ASK_COOLDOWN_SECONDS": "0"}, env_file=None).ask_cooldown_seconds == 0


@pytest.mark.parametrize(
    ("name", "value"),
    [
        ("DISCORD_GUILD_ID", "my-server"),
        ("DISCORD_GUILD_ID", "-5"),
        ("DISCORD_GUILD_ID", "0"),
        ("DISCORD_GUILD_ID", "99999999999999999999999"),
        ("DISCORD_GUILD_ID", "²"),  # a digit to str.isdigit, no number to int()
        ("MODERATOR_ROLE_ID", "12,²"),
        ("ASK_COOLDOWN_SECONDS", "soon"),
        ("ASK_COOLDOWN_SECONDS", "-1"),
        ("ASK_COOLDOWN_SECONDS", "nan"),
        ("ASK_COOLDOWN_SECONDS", "100000"),
        ("CONFLICTS_SECONDS", "0"),
        ("CONFLICTS_SECONDS", "soon"),
        ("CONFLICTS_SECONDS", "inf"),
        ("CONFLICTS_SECONDS", "601"),
        ("LOG_LEVEL", "LOUD"),
        ("ENGINE_MEMORY_MB", "0"),
        ("ENGINE_MEMORY_MB", "lots"),
        ("DISCORD_API_BASE", "discord.com/api/v10"),
        ("DISCORD_API_BASE", "ws://127.0.0.1/api/v10"),
        ("DISCORD_GATEWAY_URL", "https://gateway.discord.gg/"),
    ],
)
def test_invalid_values_name_the_variable(name: str, value: str) -> None:
    with pytest.raises(SettingsError) as raised:
        load_settings({name: value}, env_file=None)
    message = str(raised.value)
    assert name in message and repr(value) in message
    assert "\n" not in message


def test_invalid_value_in_env_file_is_reported(tmp_path: Path) -> None:
    path = tmp_path / ".env"
    path.write_text("DISCORD_GUILD_ID=abc\n", encoding="utf-8")
    with pytest.raises(SettingsError, match="DISCORD_GUILD_ID"):
        load_settings({}, env_file=path)


def test_env_example_documents_every_variable_settings_reads() -> None:
    root = Path(__file__).resolve().parent.parent
    read = set(re.findall(r'get\("([A-Z_]+)"\)', (root / "bot" / "settings.py").read_text("utf-8")))
    example = (root / ".env.example").read_text("utf-8")
    documented = set(re.findall(r"^#? ?([A-Z_]+)=", example, flags=re.MULTILINE))
    assert "DISCORD_TOKEN" in read and len(read) >= 7
    assert read <= documented, f"undocumented: {sorted(read - documented)}"


def test_the_current_folders_env_file_wins_over_the_checkouts(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    checkout, here = tmp_path / "checkout", tmp_path / "here"
    for folder, token in ((checkout, "checkout"), (here, "here")):
        folder.mkdir()
        (folder / ".env").write_text(f"DISCORD_TOKEN={token}\n")
    (checkout / "pyproject.toml").write_text("")
    monkeypatch.setattr("bot.settings.PROJECT_DIR", checkout)
    monkeypatch.chdir(here)
    assert load_settings({}).token == "here"
    (here / ".env").unlink()
    settings = load_settings({})
    assert settings.token == "checkout" and settings.env_file == checkout / ".env"
    assert settings.data_dir == checkout / "data"  # the default DATA_DIR is beside the .env


def test_relative_folders_in_the_env_file_are_relative_to_its_folder(tmp_path: Path) -> None:
    env_file = tmp_path / ".env"
    env_file.write_text("DATA_DIR=library\nCROSSCHECK_SOURCES=~/news\n")
    settings = load_settings({}, env_file=env_file)
    assert settings.data_dir == tmp_path / "library"
    assert settings.sources_dir == Path("~/news").expanduser()
    from_environment = load_settings({"DATA_DIR": "library"}, env_file=env_file)
    assert from_environment.data_dir == Path("library")  # the environment's: the current folder


def test_moderator_roles_are_a_comma_separated_list() -> None:
    settings = load_settings({"MODERATOR_ROLE_ID": " 111, 222 ,333"}, env_file=None)
    assert settings.moderator_role_ids == frozenset({111, 222, 333})
    assert load_settings({"MODERATOR_ROLE_ID": "111"}, env_file=None).moderator_role_ids == {111}
    assert load_settings({}, env_file=None).moderator_role_ids == frozenset()
    for bad in ("111,,222", "111;222", "111,abc", str(2**63)):
        with pytest.raises(SettingsError, match="MODERATOR_ROLE_ID"):
            load_settings({"MODERATOR_ROLE_ID": bad}, env_file=None)
