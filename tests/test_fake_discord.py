"""Tests for the fake Discord server, driven by a real discord.py client in-process."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator

import aiohttp
import discord
import pytest
from discord import app_commands
from discord.ext import commands
from fake_discord import (
    FLAG_EPHEMERAL,
    MEMBER_PERMISSIONS,
    MODERATOR_PERMISSIONS,
    FakeDiscord,
    FakeDiscordTimeout,
    patched_discord,
    running_fake,
)


class FastBot(commands.Bot):
    """discord.py waits 5 s before every re-IDENTIFY; the fake has no identify limit."""

    async def before_identify_hook(self, shard_id: int | None, *, initial: bool = False) -> None:
        return None


def make_bot(**kwargs: object) -> commands.Bot:
    """A bot with a few app commands covering every interaction kind."""
    options: dict = {
        "command_prefix": commands.when_mentioned,
        "intents": discord.Intents.default(),
        "allowed_mentions": discord.AllowedMentions.none(),
        "guild_ready_timeout": 0.1,
        **kwargs,
    }
    bot = FastBot(**options)

    @bot.tree.command(name="echo", description="Echo some text")
    async def echo(interaction: discord.Interaction, text: str, private: bool = False) -> None:
        await interaction.response.send_message(f"echo: {text}", ephemeral=private)

    @bot.tree.command(name="slow", description="Defer, then follow up")
    async def slow(interaction: discord.Interaction, private: bool = False) -> None:
        await interaction.response.defer(thinking=True, ephemeral=private)
        await asyncio.sleep(0.05)
        embed = discord.Embed(title="Answer", description="cited [000]")
        await interaction.followup.send("done", embed=embed)
        await interaction.edit_original_response(content="done (edited)")

    @bot.tree.command(name="mods", description="Moderators only")
    @app_commands.checks.has_permissions(manage_messages=True)
    async def mods(interaction: discord.Interaction) -> None:
        await interaction.response.send_message("welcome, moderator")

    @mods.error
    async def mods_error(interaction: discord.Interaction, error: Exception) -> None:
        await interaction.response.send_message("no permission", ephemeral=True)

    group = app_commands.Group(name="things", description="Things")

    async def thing_choices(
        interaction: discord.Interaction, current: str
    ) -> list[app_commands.Choice[str]]:
        names = ["apple", "apricot", "banana"]
        return [app_commands.Choice(name=n, value=n) for n in names if n.startswith(current)]

    @group.command(name="show", description="Show a thing")
    @app_commands.autocomplete(name=thing_choices)
    async def show(interaction: discord.Interaction, name: str) -> None:
        view = discord.ui.View(timeout=30)
        button: discord.ui.Button = discord.ui.Button(label="More", custom_id="more")

        async def clicked(inter: discord.Interaction) -> None:
            await inter.response.send_message(f"more about {name}", ephemeral=True)

        button.callback = clicked  # type: ignore[method-assign]
        view.add_item(button)
        expand: discord.ui.Button = discord.ui.Button(label="Expand", custom_id="expand")

        async def expanded(inter: discord.Interaction) -> None:
            await inter.response.defer()  # a deferred update: the edit follows
            await inter.edit_original_response(content=f"thing: {name}, in full", view=None)

        expand.callback = expanded  # type: ignore[method-assign]
        view.add_item(expand)
        await interaction.response.send_message(f"thing: {name}", view=view)

    bot.tree.add_command(group)

    @bot.tree.context_menu(name="Quote it")
    async def quote(interaction: discord.Interaction, message: discord.Message) -> None:
        await interaction.response.send_message(f"> {message.content}", ephemeral=True)

    return bot


async def start_bot(server: FakeDiscord, bot: commands.Bot) -> asyncio.Task[None]:
    """Log in and connect ``bot``; return the connect task once READY arrived."""
    await bot.login(server.token)
    task = asyncio.create_task(bot.connect(reconnect=True))
    await asyncio.wait_for(bot.wait_until_ready(), 5)
    return task


async def stop_bot(bot: commands.Bot, task: asyncio.Task[None]) -> None:
    await bot.close()
    await asyncio.wait_for(task, 5)


@pytest.fixture
async def fake() -> AsyncIterator[FakeDiscord]:
    async with running_fake() as server:
        yield server


@pytest.fixture
async def bot(fake: FakeDiscord) -> AsyncIterator[commands.Bot]:
    client = make_bot()
    task = await start_bot(fake, client)
    yield client
    await stop_bot(client, task)
    assert not fake.unknown_routes, fake.describe()


async def test_patching_is_restored() -> None:
    import discord.gateway
    import discord.http

    before = (discord.http.Route.BASE, discord.gateway.DiscordWebSocket.DEFAULT_GATEWAY)
    async with FakeDiscord() as server:
        with patched_discord(server):
            assert server.api_base == discord.http.Route.BASE
            assert server.api_base.startswith("http://127.0.0.1:")
            assert server.api_base.endswith("/api/v10")
            assert str(discord.gateway.DiscordWebSocket.DEFAULT_GATEWAY) == server.gateway_url
    assert before == (discord.http.Route.BASE, discord.gateway.DiscordWebSocket.DEFAULT_GATEWAY)


async def test_login_and_ready(fake: FakeDiscord, bot: commands.Bot) -> None:
    identify = await fake.wait_for_identify()
    assert identify["token"] == fake.token
    assert identify["intents"] == discord.Intents.default().value
    assert fake.ready_count == 1
    assert bot.user is not None and str(bot.user.id) == fake.bot_user_id
    assert bot.application_id == int(fake.application_id)
    assert [g.id for g in bot.guilds] == [int(fake.guild_id)]
    assert fake.gateway_queries[0]["v"] == "10"
    paths = [r.path for r in fake.requests]
    assert paths[:2] == ["/users/@me", "/oauth2/applications/@me"]
    assert all(r.authorization == f"Bot {fake.token}" for r in fake.requests)
    # heartbeats are acknowledged
    await fake.wait_until(lambda: fake.heartbeat_count >= 1, 3, "a heartbeat")


async def test_tree_sync_lands_in_fake(fake: FakeDiscord, bot: commands.Bot) -> None:
    synced = await bot.tree.sync()
    sync = await fake.wait_for_sync()
    assert sync.guild_id is None and sync.status == 200
    names = sorted((c["type"], c["name"]) for c in fake.global_commands)
    assert names == [(1, "echo"), (1, "mods"), (1, "slow"), (1, "things"), (3, "Quote it")]
    fetched = await bot.tree.fetch_commands()
    assert {c.id for c in fetched} == {c.id for c in synced}
    # ids are stable across identical syncs, like Discord's
    again = await bot.tree.sync()
    assert {c.id for c in again} == {c.id for c in synced}
    assert len(fake.syncs) == 2

    guild = discord.Object(id=int(fake.guild_id))
    bot.tree.copy_global_to(guild=guild)
    await bot.tree.sync(guild=guild)
    guild_sync = await fake.wait_for_sync(guild_id=fake.guild_id)
    assert len(guild_sync.payload) == 5
    # an interaction for a guild command carries data.guild_id, as Discord sends it
    assert fake.slash_command("echo", {"text": "x"})["data"]["guild_id"] == fake.guild_id


async def test_slash_command_callback(fake: FakeDiscord, bot: commands.Bot) -> None:
    await bot.tree.sync()
    public = await fake.inject(fake.slash_command("echo", {"text": "hi @everyone"}))
    cb = await fake.wait_for_callback(public["id"])
    assert cb.type == 4 and cb.status == 204
    assert cb.content == "echo: hi @everyone"
    assert not cb.ephemeral
    assert cb.allowed_mentions is not None and cb.allowed_mentions["parse"] == []
    reply = await fake.wait_for_reply(public["id"])
    assert reply.pings() == set()
    assert cb.query.get("with_response") == "1"

    private = await fake.inject(fake.slash_command("echo", {"text": "psst", "private": True}))
    cb = await fake.wait_for_callback(private["id"])
    assert cb.flags & FLAG_EPHEMERAL and cb.ephemeral


async def test_deferred_followup_and_edit(fake: FakeDiscord, bot: commands.Bot) -> None:
    inter = await fake.inject(fake.slash_command("slow", {"private": True}))
    cb = await fake.wait_for_callback(inter["id"])
    assert cb.type == 5 and cb.ephemeral
    followup = await fake.wait_for_followup(inter["id"])
    assert followup.content == "done"
    assert followup.embeds[0]["description"] == "cited [000]"
    # the first follow-up after an ephemeral defer is ephemeral, even without the flag
    assert not followup.payload.get("flags", 0) & FLAG_EPHEMERAL
    assert followup.ephemeral
    assert followup.query.get("wait") == "1"
    edit = await fake.wait_until(
        lambda: next((m for m in fake.replies_to(inter["id"]) if m.kind == "edit"), None),
        5,
        "edit of @original",
    )
    assert edit.content == "done (edited)" and edit.ephemeral
    assert (await fake.wait_for_reply(inter["id"])) is followup


async def test_permissions_from_member(fake: FakeDiscord, bot: commands.Bot) -> None:
    mod = await fake.inject(fake.slash_command("mods", permissions=MODERATOR_PERMISSIONS))
    member = await fake.inject(fake.slash_command("mods", permissions=MEMBER_PERMISSIONS))
    mod_cb = await fake.wait_for_callback(mod["id"])
    member_cb = await fake.wait_for_callback(member["id"])
    assert (mod_cb.content, mod_cb.ephemeral) == ("welcome, moderator", False)
    assert (member_cb.content, member_cb.ephemeral) == ("no permission", True)


async def test_autocomplete_context_menu_and_component(
    fake: FakeDiscord, bot: commands.Bot
) -> None:
    auto = await fake.inject(fake.autocomplete("things show", {"name": "ap"}, focused="name"))
    cb = await fake.wait_for_callback(auto["id"])
    assert cb.type == 8
    assert [c["value"] for c in cb.choices] == ["apple", "apricot"]

    menu = await fake.inject(fake.message_command("Quote it", "the original text"))
    cb = await fake.wait_for_callback(menu["id"])
    assert (cb.type, cb.content, cb.ephemeral) == (4, "> the original text", True)

    show = await fake.inject(fake.slash_command("things show", {"name": "apple"}))
    reply = await fake.wait_for_reply(show["id"])
    assert reply.content == "thing: apple"
    assert reply.components[0]["components"][0]["custom_id"] == "more"
    click = await fake.inject(fake.component("more", reply))
    cb = await fake.wait_for_callback(click["id"])
    assert (cb.content, cb.ephemeral) == ("more about apple", True)


async def test_a_deferred_component_update_edits_the_message_it_is_on(
    fake: FakeDiscord, bot: commands.Bot
) -> None:
    show = await fake.inject(fake.slash_command("things show", {"name": "apple"}))
    reply = await fake.wait_for_reply(show["id"])
    click = await fake.inject(fake.component("expand", reply))
    cb = await fake.wait_for_callback(click["id"])
    assert cb.type == 6 and cb.status == 204
    edit = await fake.wait_for_reply(click["id"])
    assert edit.kind == "edit" and edit.message_id == reply.message_id
    assert edit.content == "thing: apple, in full" and edit.components == []
    again = await fake.inject(fake.component("more", edit))  # the stored message was edited
    assert again["message"]["content"] == "thing: apple, in full"


@pytest.mark.parametrize("how", ["close", "reconnect", "invalid_session"])
async def test_gateway_reconnect_is_survived(
    fake: FakeDiscord, bot: commands.Bot, how: str
) -> None:
    await fake.force_reconnect(how)
    if how == "invalid_session":
        await fake.wait_for_ready(2)
        assert len(fake.identifies) == 2
    else:
        await fake.wait_for_resumed(1)
        ready = next(e.d for e in fake.gateway_events if e.t == "READY")
        assert fake.resumes[0]["session_id"] == ready["session_id"]
        assert fake.resumes[0]["seq"] >= 1
    # the resumed/re-identified session still handles interactions
    inter = await fake.inject(fake.slash_command("echo", {"text": "still here"}))
    cb = await fake.wait_for_callback(inter["id"])
    assert cb.content == "echo: still here"
    assert len(fake.gateway_queries) == 2


async def test_wrong_token_gives_login_failure(fake: FakeDiscord) -> None:
    client = discord.Client(intents=discord.Intents.default())
    with pytest.raises(discord.LoginFailure):
        await client.login("not-the-token")
    await client.close()
    assert fake.requests[-1].status == 401
    assert fake.identifies == []


async def test_disallowed_intents_close_4014(fake: FakeDiscord) -> None:
    intents = discord.Intents.default()
    intents.message_content = True
    client = discord.Client(intents=intents)
    with pytest.raises(discord.PrivilegedIntentsRequired):
        await asyncio.wait_for(client.start(fake.token), 5)
    await client.close()
    assert fake.identifies[0]["intents"] & (1 << 15)
    assert fake.ready_count == 0


async def test_sync_forbidden_without_scope() -> None:
    async with running_fake(sync_forbidden=True) as fake:
        client = make_bot()
        task = await start_bot(fake, client)
        try:
            with pytest.raises(discord.Forbidden) as info:
                await client.tree.sync()
            assert info.value.code == 50001
            assert fake.syncs[0].status == 403
        finally:
            await stop_bot(client, task)


async def test_late_callback_is_unknown_interaction() -> None:
    async with running_fake(callback_deadline=0.05) as fake:
        client = make_bot()
        errors: list[BaseException] = []

        @client.tree.command(name="late", description="Too slow")
        async def late(interaction: discord.Interaction) -> None:
            await asyncio.sleep(0.2)
            try:
                await interaction.response.send_message("too late")
            except discord.NotFound as exc:
                errors.append(exc)

        task = await start_bot(fake, client)
        try:
            inter = await fake.inject(fake.slash_command("late"))
            cb = await fake.wait_for_callback(inter["id"])
            assert cb.status == 404
            await fake.wait_until(lambda: errors, 2, "the NotFound")
            assert getattr(errors[0], "code", None) == 10062
        finally:
            await stop_bot(client, task)


async def test_limits_and_unknown_routes(fake: FakeDiscord) -> None:
    headers = {"Authorization": f"Bot {fake.token}"}
    async with aiohttp.ClientSession(headers=headers) as session:
        url = f"{fake.api_base}/applications/{fake.application_id}/commands"
        bad = [{"name": "Bad Name", "description": "x" * 101, "type": 1}]
        async with session.put(url, json=bad) as resp:
            body = await resp.json()
            assert resp.status == 400 and body["code"] == 50035
            assert set(body["errors"]["0"]) == {"name", "description"}
        async with session.get(f"{fake.api_base}/guilds/1/roles") as resp:
            assert resp.status == 404
            assert await resp.json() == {"message": "Unknown", "code": 0}
            assert resp.headers["Content-Type"] == "application/json"
        async with session.get(
            f"{fake.http_base}/api/v10/users/@me", headers={"Authorization": "Bot nope"}
        ) as resp:
            assert resp.status == 401
            assert await resp.json() == {"message": "401: Unauthorized", "code": 0}
    assert [(r.method, r.path) for r in fake.unknown_routes] == [("GET", "/guilds/1/roles")]


async def test_message_limits_are_enforced(fake: FakeDiscord, bot: commands.Bot) -> None:
    inter = await fake.inject(fake.slash_command("echo", {"text": "x" * 2000}))
    cb = await fake.wait_for_callback(inter["id"])
    assert cb.status == 400  # "echo: " + 2000 chars is over the 2000 limit


async def test_wait_helpers_time_out(fake: FakeDiscord) -> None:
    with pytest.raises(FakeDiscordTimeout, match="READY #1"):
        await fake.wait_for_ready(1, timeout=0.1)


class FastShardedBot(commands.AutoShardedBot):
    """`FastBot`, sharded: d.py otherwise waits 5 s before identifying each further shard."""

    async def before_identify_hook(self, shard_id: int | None, *, initial: bool = False) -> None:
        return None


def shards_that_got(fake: FakeDiscord, event: str) -> list[int]:
    """The shard id of the connection each ``event`` was sent on, in order."""
    shard_of_conn = {e.connection: e.d["shard"][0] for e in fake.gateway_events if e.op == 2}
    return [
        shard_of_conn[e.connection]
        for e in fake.gateway_events
        if e.direction == "out" and e.t == event
    ]


async def test_each_shard_gets_only_its_servers_events() -> None:
    # The fake's server 1200000000000000001 is on shard (id >> 22) % 2 == 1.
    async with running_fake(recommended_shards=2) as fake:
        bot = FastShardedBot(
            command_prefix=commands.when_mentioned,
            intents=discord.Intents.default(),
            guild_ready_timeout=0.1,
        )

        @bot.tree.command(name="echo", description="Echo some text")
        async def echo(interaction: discord.Interaction, text: str) -> None:
            await interaction.response.send_message(f"echo: {text}")

        task = await start_bot(fake, bot)
        try:
            assert bot.shard_count == 2  # asked GET /gateway/bot, as with no count given
            assert sorted(d["shard"] for d in fake.identifies) == [[0, 2], [1, 2]]
            assert fake.live_shards() == [(0, 2), (1, 2)]
            readies = [e for e in fake.gateway_events if e.t == "READY"]
            listed = {tuple(e.d["shard"]): [g["id"] for g in e.d["guilds"]] for e in readies}
            assert listed == {(0, 2): [], (1, 2): [fake.guild_id]}
            assert shards_that_got(fake, "GUILD_CREATE") == [1]
            assert [g.id for g in bot.guilds] == [int(fake.guild_id)]

            in_guild = await fake.inject(fake.slash_command("echo", {"text": "guild"}))
            in_dm = await fake.inject(fake.slash_command("echo", {"text": "dm"}, in_guild=False))
            for inter, text in ((in_guild, "echo: guild"), (in_dm, "echo: dm")):
                assert (await fake.wait_for_callback(inter["id"])).content == text
            assert shards_that_got(fake, "INTERACTION_CREATE") == [1, 0]  # DMs go to shard 0
        finally:
            await stop_bot(bot, task)
        assert not fake.unknown_routes, fake.describe()


async def test_an_invalid_shard_is_closed_with_4010(fake: FakeDiscord) -> None:
    client = discord.Client(intents=discord.Intents.default(), shard_id=2, shard_count=2)
    with pytest.raises(discord.ConnectionClosed) as closed:
        await asyncio.wait_for(client.start(fake.token), 5)
    await client.close()
    assert closed.value.code == 4010
    assert fake.identifies[0]["shard"] == [2, 2] and fake.ready_count == 0


def test_modals_are_held_to_discords_limits() -> None:
    from fake_discord import _HTTPError, _validate_modal

    def text_input(**extra: object) -> dict:
        return {"type": 4, "custom_id": "t", "style": 1, "label": "Title", **extra}

    good = {"custom_id": "m", "title": "Add a source", "components": []}
    good["components"] = [{"type": 1, "components": [text_input()]}]
    _validate_modal(good)
    _validate_modal({**good, "components": [{"type": 18, "label": "Title",
                                             "component": text_input(label=None)}]})  # fmt: skip
    for bad in (
        {**good, "title": "x" * 46},
        {**good, "components": good["components"] * 6},
        {**good, "components": [{"type": 1, "components": [text_input(label="y" * 46)]}]},
        {**good, "components": [{"type": 1, "components": [text_input(max_length=4001)]}]},
        {**good, "components": [{"type": 1, "components": [text_input(), text_input()]}]},
    ):
        with pytest.raises(_HTTPError):
            _validate_modal(bad)
