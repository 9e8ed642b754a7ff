"""Shards across processes (issue 18): SHARD_COUNT / SHARD_IDS, the shard predicate, a registry
that builds only its own servers' engines, and the client each setting gives."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import discord
import pytest

from bot.answer.registry import LibraryRegistry, open_registry
from bot.app.bot import CrosscheckBot, ShardedCrosscheckBot, make_bot
from bot.library.parsing import parse_upload
from bot.library.sqlite import SqliteStore
from bot.settings import Settings, SettingsError, load_settings, shard_of

# Two server ids on different shards of two: (id >> 22) % 2 is 1 for the first, 0 for the second.
ON_SHARD_1, ON_SHARD_0 = 1200000000000000001, 1200000000004194305
ARTICLE = (
    "Harbour council notes\n\nThe Quillby ferry will stop running on 3 May 2027. "
    "The council voted seven to two to close the route.\n"
)
QUESTION = "When will the Quillby ferry stop running?"


def shards(**env: str) -> Settings:
    return load_settings(env, env_file=None)


# --- settings ----------------------------------------------------------------------------------


def test_unset_means_one_unsharded_process_that_serves_and_syncs_everything() -> None:
    settings = shards()
    assert settings.shard_count is None and settings.shard_ids is None
    assert settings.serves_guild(ON_SHARD_0) and settings.serves_guild(ON_SHARD_1)
    assert settings.syncs_commands


def test_shard_ids_are_parsed_sorted_and_pick_the_servers_served() -> None:
    settings = shards(SHARD_COUNT="4", SHARD_IDS=" 3, 1")
    assert (settings.shard_count, settings.shard_ids) == (4, (1, 3))
    served = [g for g in range(1 << 22, 9 << 22, 1 << 22) if settings.serves_guild(g)]
    assert [shard_of(g, 4) for g in served] == [1, 3, 1, 3]
    assert not settings.syncs_commands  # shard 0 runs elsewhere


def test_shard_count_alone_runs_every_shard_in_this_process() -> None:
    settings = shards(SHARD_COUNT="2")
    assert (settings.shard_count, settings.shard_ids) == (2, None)
    assert settings.serves_guild(ON_SHARD_0) and settings.serves_guild(ON_SHARD_1)
    assert settings.syncs_commands


def test_only_the_process_running_shard_0_syncs() -> None:
    assert shards(SHARD_COUNT="2", SHARD_IDS="0").syncs_commands
    assert shards(SHARD_COUNT="3", SHARD_IDS="2,0").syncs_commands
    assert not shards(SHARD_COUNT="2", SHARD_IDS="1").syncs_commands


def test_the_shard_predicate_is_discords_formula() -> None:
    assert shard_of(ON_SHARD_1, 2) == 1 and shard_of(ON_SHARD_0, 2) == 0
    # Only the timestamp bits count: the low 22 bits (worker, process, increment) do not.
    assert shard_of((5 << 22) | 0x3FFFFF, 3) == shard_of(5 << 22, 3) == 2
    assert all(shard_of(g, 1) == 0 for g in (ON_SHARD_0, ON_SHARD_1))
    on_0 = shards(SHARD_COUNT="2", SHARD_IDS="0")
    assert on_0.serves_guild(ON_SHARD_0) and not on_0.serves_guild(ON_SHARD_1)


@pytest.mark.parametrize(
    ("env", "expected"),
    [
        ({"SHARD_COUNT": "0"}, "SHARD_COUNT must be a whole number of at least 1, not '0'"),
        ({"SHARD_COUNT": "two"}, "SHARD_COUNT must be a whole number of at least 1, not 'two'"),
        ({"SHARD_COUNT": "-2"}, "SHARD_COUNT must be a whole number of at least 1"),
        ({"SHARD_COUNT": "²"}, "SHARD_COUNT must be a whole number of at least 1, not '²'"),
        ({"SHARD_COUNT": "2", "SHARD_IDS": "¹"}, "SHARD_IDS must be shard numbers separated"),
        ({"SHARD_IDS": "0"}, "SHARD_IDS ('0') needs SHARD_COUNT"),
        ({"SHARD_COUNT": "2", "SHARD_IDS": "2"}, "shard 2, but with SHARD_COUNT=2 shards are "
                                                 "numbered 0 to 1"),
        ({"SHARD_COUNT": "2", "SHARD_IDS": "0,0"}, "SHARD_IDS lists shard 0 more than once"),
        ({"SHARD_COUNT": "2", "SHARD_IDS": "0,,1"}, "SHARD_IDS must be shard numbers separated"),
        ({"SHARD_COUNT": "2", "SHARD_IDS": "-1"}, "SHARD_IDS must be shard numbers separated"),
        ({"SHARD_COUNT": "2", "SHARD_IDS": "0;1"}, "SHARD_IDS must be shard numbers separated"),
        ({"SHARD_COUNT": "2", "SHARD_IDS": "one"}, "SHARD_IDS must be shard numbers separated"),
    ],
)  # fmt: skip
def test_unusable_shard_settings_get_one_clear_line(env: dict[str, str], expected: str) -> None:
    with pytest.raises(SettingsError) as raised:
        load_settings(env, env_file=None)
    message = str(raised.value)
    assert expected in message and "\n" not in message


def test_shard_settings_in_the_env_file_are_read(tmp_path: Path) -> None:
    env_file = tmp_path / ".env"
    env_file.write_text("SHARD_COUNT=3\nSHARD_IDS=1\n", encoding="utf-8")
    assert load_settings({"SHARD_IDS": "2"}, env_file=env_file).shard_ids == (2,)


def test_the_bot_refuses_unusable_shard_settings_with_one_line_and_exit_2(tmp_path: Path) -> None:
    root = Path(__file__).resolve().parents[2]
    env = {"PATH": os.environ.get("PATH", ""), "PYTHONPATH": str(root), "LANG": "C.UTF-8",
           "DISCORD_TOKEN": "unused", "SHARD_COUNT": "2", "SHARD_IDS": "1,1"}  # fmt: skip
    run = subprocess.run(
        [sys.executable, "-m", "bot", "run"],
        cwd=tmp_path, env=env, capture_output=True, text=True, timeout=60,
    )  # fmt: skip
    assert run.returncode == 2
    assert run.stderr.strip().splitlines() == [
        "error: SHARD_IDS lists shard 1 more than once: '1,1'"
    ]


# --- the client -------------------------------------------------------------------------------


def test_no_shard_settings_build_the_plain_bot_as_before() -> None:
    bot = make_bot(shards(), library=None)  # type: ignore[arg-type]
    assert type(bot) is CrosscheckBot and not isinstance(bot, discord.AutoShardedClient)
    assert bot.shard_count is None and bot.sync_on_start


def test_shard_settings_build_a_sharded_client_for_those_shards_only() -> None:
    bot = make_bot(shards(SHARD_COUNT="2", SHARD_IDS="1"), library=None)  # type: ignore[arg-type]
    assert isinstance(bot, ShardedCrosscheckBot) and isinstance(bot, discord.AutoShardedClient)
    assert (bot.shard_count, bot.shard_ids) == (2, [1])
    assert not bot.sync_on_start
    first = make_bot(shards(SHARD_COUNT="2", SHARD_IDS="0"), library=None)  # type: ignore[arg-type]
    assert first.sync_on_start


# --- the registry -----------------------------------------------------------------------------


def add(store: SqliteStore, registry: LibraryRegistry, guild: int) -> None:
    store.add(guild, parse_upload(ARTICLE.encode(), "notes.txt"), "42", registry.base, 500)


def quotes(registry: LibraryRegistry, guild: int) -> bool:
    answer = registry.engine_for(guild).answer(QUESTION)
    return any(c.source.title == "Harbour council notes" for c in answer.citations)


def test_a_shard_registry_builds_only_its_own_servers(tmp_path: Path, seeds_dir: Path) -> None:
    writer = open_registry(seeds_dir, tmp_path)
    for guild in (ON_SHARD_0, ON_SHARD_1):
        add(writer.store, writer, guild)
    settings = shards(SHARD_COUNT="2", SHARD_IDS="0")
    registry = open_registry(seeds_dir, tmp_path, serves=settings.serves_guild)
    assert quotes(registry, ON_SHARD_0)
    assert registry.snapshot(ON_SHARD_1) is registry.snapshot(None)  # never built here
    assert registry.loaded_guilds() == [ON_SHARD_0]
    everything = open_registry(seeds_dir, tmp_path)
    assert quotes(everything, ON_SHARD_0) and quotes(everything, ON_SHARD_1)


async def test_a_shard_registry_follows_outside_changes_of_its_own_servers_only(
    tmp_path: Path, seeds_dir: Path
) -> None:
    settings = shards(SHARD_COUNT="2", SHARD_IDS="1")
    registry = open_registry(seeds_dir, tmp_path, serves=settings.serves_guild)
    other = SqliteStore.in_data_dir(tmp_path)  # another process: the CLI or the other shard
    add(other, registry, ON_SHARD_0)
    assert await registry.refresh_external_changes() == []
    assert not quotes(registry, ON_SHARD_0)
    assert not quotes(registry, ON_SHARD_1)  # its library is the base's: the base answers
    add(other, registry, ON_SHARD_1)
    assert await registry.refresh_external_changes() == []  # not loaded: nothing to rebuild
    assert quotes(registry, ON_SHARD_1)  # its next question reads what was committed
