"""Command handlers, the error handler, command sync and start-up, with spec'd Discord mocks."""

from __future__ import annotations

import asyncio
import logging
import os
import signal
import threading
from collections.abc import AsyncIterator
from typing import Any
from unittest.mock import AsyncMock, MagicMock

import discord
import pytest
import yarl
from discord import app_commands
from helpers import (
    FakeEngine,
    MockInteraction,
    make_bot,
    make_message,
    make_source,
    sent_kwargs,
    sent_text,
)

from bot.answer.types import Answer, Citation, Status
from bot.app import bot as app_bot
from bot.app import run as app_run
from bot.app import sync as app_sync
from bot.app.bot import CrosscheckBot
from bot.app.sync import StartupError
from bot.app.tree import CrosscheckTree
from bot.commands import ask as ask_module
from bot.commands.ask import Ask
from bot.commands.check import ShareView
from bot.commands.sources import Sources, find_source, source_choices
from bot.settings import Settings

SOURCE = make_source(text="Tokyo confirmed the ban on Monday. Officials gave no reason.")
ANSWERED = Answer(
    "Did Japan ban Tesla?",
    Status.ANSWERED,
    "1 excerpt from 1 source.",
    (Citation(1, SOURCE, 0, 34, 1.0),),
)
NO_MATCH = Answer("weather in Paris", Status.NO_MATCH, "The sources don't cover this. Try X.")
INVALID = Answer("", Status.INVALID, "The question is empty. Ask something.")


def five_excerpts(question: str) -> Answer:
    citations = tuple(
        Citation(n, make_source(str(n), text=f"Sentence number {n} about the ban."), 0, 30, 1.0)
        for n in range(1, 6)
    )
    return Answer(question, Status.ANSWERED, "5 excerpts from 5 sources.", citations)


@pytest.fixture
async def real_bot() -> AsyncIterator[CrosscheckBot]:
    """A real bot with the real extensions loaded, never connected."""
    bot = CrosscheckBot(Settings(ask_cooldown_seconds=30), FakeEngine([SOURCE], ANSWERED))
    bot.sync_on_start = False
    await bot.setup_hook()
    yield bot
    await bot.close()


# --- /ask -----------------------------------------------------------------------------------


async def run_ask(engine: FakeEngine, question: str) -> MagicMock:
    interaction = MockInteraction()
    cog = Ask(make_bot(engine))
    await cog.ask.callback(cog, interaction, question)
    return interaction


async def test_ask_answers_publicly_in_one_reply() -> None:
    engine = FakeEngine(answer=ANSWERED)
    interaction = await run_ask(engine, "Did Japan ban Tesla?")
    assert engine.questions == ["Did Japan ban Tesla?"]
    kwargs = sent_kwargs(interaction.response.send_message)
    assert kwargs.get("ephemeral", False) is False
    [embed] = kwargs["embeds"]
    assert embed.fields[0].value == "> Tokyo confirmed the ban on Monday."
    assert kwargs["allowed_mentions"].to_dict() == {"parse": []}
    assert kwargs["view"].timeout is None and not kwargs["view"].children  # nothing hidden
    interaction.response.defer.assert_not_called()
    interaction.followup.send.assert_not_called()


@pytest.mark.parametrize("answer", [NO_MATCH, INVALID])
async def test_ask_without_an_answer_replies_ephemerally_with_the_hint(answer: Answer) -> None:
    interaction = await run_ask(FakeEngine(answer=answer), answer.question)
    assert sent_text(interaction.response.send_message) == discord.utils.escape_markdown(
        answer.message
    )
    assert sent_kwargs(interaction.response.send_message)["ephemeral"] is True
    interaction.response.defer.assert_not_called()


class LoadingLibrary(FakeEngine):
    """A library whose server's engine must load first: it notes whether the interaction was
    deferred before the load began."""

    def __init__(self, interaction: MagicMock, *args: object, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)  # type: ignore[arg-type]
        self.interaction = interaction
        self.loads: list[str] = []

    def ready(self, guild_id: int | None) -> bool:
        return False

    async def engine(self, guild_id: int | None) -> FakeEngine:
        deferred = self.interaction.response.defer.called
        self.loads.append("after a deferral" if deferred else "before any response")
        return self


async def test_ask_defers_before_a_server_engine_loads() -> None:
    interaction = MockInteraction()
    library = LoadingLibrary(interaction, answer=ANSWERED)
    cog = Ask(make_bot(library))
    await cog.ask.callback(cog, interaction, "Did Japan ban Tesla?")
    assert library.loads == ["after a deferral"]
    interaction.response.defer.assert_awaited_once_with(ephemeral=False, thinking=True)
    assert len(sent_kwargs(interaction.followup.send)["embeds"]) == 1


async def test_sources_list_defers_privately_before_a_server_engine_loads() -> None:
    interaction = MockInteraction()
    library = LoadingLibrary(interaction, SOURCES[:2])
    cog = Sources(make_bot(library))
    await cog.list_sources.callback(cog, interaction)
    assert library.loads == ["after a deferral"]
    interaction.response.defer.assert_awaited_once_with(ephemeral=True, thinking=True)
    assert sent_kwargs(interaction.followup.send)["ephemeral"] is True


@pytest.fixture
def slow_engine(monkeypatch: pytest.MonkeyPatch) -> threading.Event:
    """Shrink the grace period; the returned event releases the engine."""
    monkeypatch.setattr(ask_module, "ANSWER_GRACE_SECONDS", 0.01)
    return threading.Event()


async def run_slow_ask(gate: threading.Event, answer: Answer) -> MagicMock:
    interaction = MockInteraction()
    cog = Ask(make_bot(FakeEngine(answer=answer, gate=gate)))

    async def release_after_defer() -> None:
        while not interaction.response.defer.called:
            await asyncio.sleep(0.005)
        gate.set()

    releaser = asyncio.create_task(release_after_defer())
    await asyncio.wait_for(cog.ask.callback(cog, interaction, answer.question), timeout=5)
    await releaser
    return interaction


async def test_slow_answer_defers_publicly_then_follows_up(slow_engine: threading.Event) -> None:
    interaction = await run_slow_ask(slow_engine, ANSWERED)
    interaction.response.defer.assert_awaited_once_with(thinking=True)
    kwargs = sent_kwargs(interaction.followup.send)
    assert kwargs.get("ephemeral", False) is False and len(kwargs["embeds"]) == 1
    interaction.delete_original_response.assert_not_called()


async def test_slow_no_match_turns_the_public_placeholder_into_the_note(
    slow_engine: threading.Event,
) -> None:
    interaction = await run_slow_ask(slow_engine, NO_MATCH)
    interaction.delete_original_response.assert_not_called()
    interaction.followup.send.assert_not_called()
    edit = interaction.edit_original_response.await_args.kwargs
    assert "Try X" in edit["content"]
    assert edit["allowed_mentions"].to_dict() == discord.AllowedMentions.none().to_dict()


async def test_ask_is_rate_limited_per_user(real_bot: CrosscheckBot) -> None:
    command = real_bot.tree.get_command("ask")
    assert isinstance(command, app_commands.Command)
    first, again, other = (MockInteraction(user_id=u, client=real_bot) for u in (1, 1, 2))
    assert await command._check_can_run(first)
    with pytest.raises(app_commands.CommandOnCooldown) as raised:
        await command._check_can_run(again)
    assert 29 < raised.value.retry_after <= 30
    assert await command._check_can_run(other)


async def test_zero_cooldown_disables_the_rate_limit() -> None:
    interaction = MockInteraction(client=make_bot(settings=Settings(ask_cooldown_seconds=0)))
    assert app_bot.question_cooldown(interaction) is None
    interaction = MockInteraction(client=make_bot(settings=Settings(ask_cooldown_seconds=4)))
    cooldown = app_bot.question_cooldown(interaction)
    assert cooldown is not None and (cooldown.rate, cooldown.per) == (1, 4)


# --- /sources -------------------------------------------------------------------------------

SOURCES = [
    make_source("1", "Ministry statement", date="2020-03-03"),
    make_source("2", "Wire report: ministry denies", date=None),
    make_source("x" * 101, "An id too long to be a choice value"),
] + [make_source(f"s{i}", f"Bulletin {i} " + "long " * 40) for i in range(40)]


def test_autocomplete_filters_and_respects_discord_limits() -> None:
    choices = source_choices(SOURCES, "")
    assert len(choices) == 25
    assert all(1 <= len(c.name) <= 100 and len(str(c.value)) <= 100 for c in choices)
    assert [c.value for c in source_choices(SOURCES, "MINISTRY")] == ["1", "2"]
    assert source_choices(SOURCES, "ministry")[0].name == "Ministry statement (2020-03-03)"
    assert [c.value for c in source_choices(SOURCES, "denies")] == ["2"]
    assert source_choices(SOURCES, "nothing like this") == []


def test_autocomplete_puts_title_prefix_matches_first() -> None:
    sources = [make_source("a", "Report on the ban"), make_source("b", "Ban lifted")]
    assert [c.value for c in source_choices(sources, "ban")] == ["b", "a"]


def test_find_source_revalidates_the_typed_value() -> None:
    assert find_source(SOURCES, "2") is SOURCES[1]
    assert find_source(SOURCES, " ministry STATEMENT ") is SOURCES[0]
    assert find_source(SOURCES, "<script>") is None


@pytest.mark.parametrize(("manage_messages", "ephemeral"), [(True, False), (False, True)])
async def test_sources_list_is_public_only_for_moderators(
    manage_messages: bool, ephemeral: bool
) -> None:
    cog = Sources(make_bot(FakeEngine(SOURCES[:2])))
    interaction = MockInteraction(permissions=discord.Permissions(manage_messages=manage_messages))
    await cog.list_sources.callback(cog, interaction)
    kwargs = sent_kwargs(interaction.response.send_message)
    assert kwargs["ephemeral"] is ephemeral
    description = kwargs["embeds"][0].description
    assert "**1** · Ministry statement · 2020-03-03 · 2 passages" in description
    assert "**2** · Wire report: ministry denies · undated" in description


async def test_sources_show_displays_the_source() -> None:
    cog = Sources(make_bot(FakeEngine(SOURCES[:2])))
    interaction = MockInteraction()
    await cog.show.callback(cog, interaction, "1")
    [embed] = sent_kwargs(interaction.response.send_message)["embeds"]
    assert embed.title == "Ministry statement"
    assert "> Tokyo confirmed the ban on Monday." in embed.description


async def test_sources_show_rejects_an_unknown_value_ephemerally() -> None:
    cog = Sources(make_bot(FakeEngine(SOURCES[:2])))
    interaction = MockInteraction(permissions=discord.Permissions(manage_messages=True))
    await cog.show.callback(cog, interaction, "not-a-source")
    assert sent_kwargs(interaction.response.send_message)["ephemeral"] is True
    assert "/sources list" in sent_text(interaction.response.send_message)


# --- "Check against sources" ----------------------------------------------------------------


async def test_check_answers_the_asker_privately_with_a_share_button(
    real_bot: CrosscheckBot,
) -> None:
    cog = real_bot.get_cog("Check")
    assert type(cog).__name__ == "Check"  # load_extension imports a fresh copy of the module
    interaction = MockInteraction(user_id=7)
    await cog.check_message(interaction, make_message("Did Japan ban Tesla?"))
    interaction.response.defer.assert_awaited_once_with(ephemeral=True, thinking=True)
    kwargs = sent_kwargs(interaction.followup.send)
    assert kwargs["ephemeral"] is True and kwargs["wait"] is True
    view = kwargs["view"]
    assert type(view).__name__ == "ShareView" and view.owner_id == 7
    assert view.message is interaction.followup.send.return_value
    assert 0 < view.timeout < 15 * 60  # ends while the followup token can still edit


async def test_check_without_an_answer_has_no_share_button(real_bot: CrosscheckBot) -> None:
    real_bot._library = FakeEngine(answer=NO_MATCH)
    cog = real_bot.get_cog("Check")
    interaction = MockInteraction()
    await cog.check_message(interaction, make_message("weather in Paris"))  # type: ignore[union-attr]
    kwargs = sent_kwargs(interaction.followup.send)
    # No share button (feedback buttons come with a library database; this engine has none).
    assert kwargs["ephemeral"] is True and not kwargs["view"].children


async def test_context_menu_is_registered_and_removed_with_the_cog(
    real_bot: CrosscheckBot,
) -> None:
    menu = real_bot.tree.get_command("Check against sources", type=discord.AppCommandType.message)
    assert menu is not None
    await real_bot.remove_cog("Check")
    assert (
        real_bot.tree.get_command("Check against sources", type=discord.AppCommandType.message)
        is None
    )


async def test_only_the_asker_may_share() -> None:
    view = ShareView(owner_id=7, answer=ANSWERED, message_link="link")
    stranger = MockInteraction(user_id=8)
    assert await view.interaction_check(stranger) is False
    assert sent_kwargs(stranger.response.send_message)["ephemeral"] is True
    assert await view.interaction_check(MockInteraction(user_id=7)) is True


async def test_share_posts_publicly_once_and_removes_the_button() -> None:
    view = ShareView(owner_id=7, answer=ANSWERED, message_link="https://discord.com/channels/1/2/3")
    interaction = MockInteraction(user_id=7)
    await view.share.callback(interaction)
    interaction.response.edit_message.assert_awaited_once_with(view=None)
    kwargs = sent_kwargs(interaction.followup.send)
    assert kwargs["embeds"] == view.embeds and kwargs.get("ephemeral", False) is False
    assert kwargs["view"].timeout is None  # the public copy's buttons outlive the bot process
    assert kwargs["allowed_mentions"].to_dict() == {"parse": []}
    assert "https://discord.com/channels/1/2/3" in sent_text(interaction.followup.send)
    assert view.is_finished()


async def test_more_excerpts_in_the_private_answer_keeps_the_share_button() -> None:
    answer = five_excerpts("Did Japan ban Tesla?")
    view = ShareView(owner_id=7, answer=answer, message_link="link")
    assert [item.label for item in view.children] == ["Share in channel", "More excerpts (2)"]
    interaction = MockInteraction(user_id=7)
    await view.children[1].callback(interaction)
    kwargs = sent_kwargs(interaction.response.edit_message)
    assert len(kwargs["embeds"][0].fields) == 5 + 1  # every excerpt, and the source list
    assert [item.label for item in kwargs["view"].children] == ["Share in channel"]
    assert len(view.embeds[0].fields) == 3 + 1  # what Share posts stays the short answer


async def test_share_button_is_removed_on_timeout() -> None:
    view = ShareView(owner_id=7, answer=ANSWERED, message_link="link")
    view.message = MagicMock(spec_set=discord.WebhookMessage)
    await view.on_timeout()
    view.message.edit.assert_awaited_once_with(view=None)


async def test_share_view_keeps_the_feedback_buttons_working(real_bot: CrosscheckBot) -> None:
    view = ShareView(7, ANSWERED, "link", feedback_id=123)
    feedback = [f"crosscheck:feedback:{kind}:123" for kind in ("up", "down", "missing")]
    assert [getattr(c, "custom_id", None) for c in view.children][1:] == feedback
    real_bot._connection.store_view(view, 555)  # as sending it does
    view.stop()  # shared (or timed out): discord.py forgets the view
    # ...but not the templates that answer every message's feedback buttons.
    templates = real_bot._connection._view_store._dynamic_items
    assert all(any(t.fullmatch(custom_id) for t in templates) for custom_id in feedback)
    view.message = MagicMock(spec_set=discord.WebhookMessage)
    await view.on_timeout()
    left = view.message.edit.call_args.kwargs["view"]
    assert [c.custom_id for c in left.children] == feedback and left.timeout is None


# --- error handler --------------------------------------------------------------------------


def cooldown_error(retry_after: float) -> app_commands.CommandOnCooldown:
    return app_commands.CommandOnCooldown(app_commands.Cooldown(1, 5), retry_after)


@pytest.mark.parametrize(
    ("error", "expected"),
    [
        (cooldown_error(2.2), "try again in 3 s"),
        (app_commands.MissingPermissions(["manage_messages"]), "manage messages permission"),
        (app_commands.NoPrivateMessage(), "only works in a server"),
        (app_commands.CheckFailure("nope"), "can't use this command here"),
    ],
)
@pytest.mark.parametrize("already_answered", [False, True])
async def test_on_error_replies_with_one_ephemeral_sentence(
    error: app_commands.AppCommandError,
    expected: str,
    already_answered: bool,
    caplog: pytest.LogCaptureFixture,
) -> None:
    tree = CrosscheckBot(Settings(), FakeEngine()).tree
    interaction = MockInteraction(done=already_answered)
    with caplog.at_level(logging.DEBUG, logger="bot.app.tree"):
        await tree.on_error(interaction, error)
    used, unused = (
        (interaction.followup.send, interaction.response.send_message)
        if already_answered
        else (interaction.response.send_message, interaction.followup.send)
    )
    assert expected in sent_text(used)
    assert sent_kwargs(used)["ephemeral"] is True
    unused.assert_not_called()
    assert not caplog.records  # expected errors are not logged


async def _boom(interaction: discord.Interaction) -> None:
    raise ValueError("boom")


async def test_on_error_logs_unexpected_errors_with_traceback(
    caplog: pytest.LogCaptureFixture,
) -> None:
    tree = CrosscheckBot(Settings(), FakeEngine()).tree
    interaction = MockInteraction()
    command = app_commands.Command(name="boom", description="x", callback=_boom)
    error = app_commands.CommandInvokeError(command, ValueError("boom"))
    with caplog.at_level(logging.ERROR, logger="bot.app.tree"):
        await tree.on_error(interaction, error)
    assert "went wrong" in sent_text(interaction.response.send_message)
    assert "boom" not in sent_text(interaction.response.send_message)
    [record] = caplog.records
    assert record.exc_info is not None and isinstance(record.exc_info[1], ValueError)


# --- command sync ---------------------------------------------------------------------------


def registered(bot: CrosscheckBot, guild: discord.abc.Snowflake | None = None) -> list[Any]:
    """What Discord returns for the bot's tree after a sync: raw payloads, its defaults filled."""
    payloads = []
    for index, command in enumerate(bot.tree.get_commands(guild=guild)):
        payload = dict(command.to_dict(bot.tree))
        payload.pop("dm_permission", None)
        payload.update(id=str(1000 + index), application_id="99", version="1")
        payload.setdefault("description", "")
        if guild is not None:  # Discord may return null contexts for guild commands
            payload["contexts"] = None
        payloads.append(payload)
    return payloads


def local_payloads(bot: CrosscheckBot, guild: discord.abc.Snowflake | None = None) -> list[Any]:
    return [c.to_dict(bot.tree) for c in bot.tree.get_commands(guild=guild)]


async def test_identical_commands_do_not_differ(real_bot: CrosscheckBot) -> None:
    remote = list(reversed(registered(real_bot)))
    assert not app_sync.commands_differ(local_payloads(real_bot), remote)


async def test_guild_commands_ignore_contexts(real_bot: CrosscheckBot) -> None:
    guild = discord.Object(1234)
    real_bot.tree.copy_global_to(guild=guild)
    remote = registered(real_bot, guild)
    assert not app_sync.commands_differ(local_payloads(real_bot, guild), remote, guild_scope=True)
    assert app_sync.commands_differ(local_payloads(real_bot, guild), remote)


@pytest.mark.parametrize(
    "change",
    [
        lambda p: p.update(description="Old description"),
        lambda p: p["options"][0].update(required=False),
        lambda p: p["options"][0].update(name="query"),
        lambda p: p.update(contexts=[0, 1, 2]),
        lambda p: p.update(default_member_permissions="8192"),
    ],
)
async def test_a_changed_command_differs(real_bot: CrosscheckBot, change: Any) -> None:
    remote = registered(real_bot)
    change(next(p for p in remote if p["name"] == "ask"))
    assert app_sync.commands_differ(local_payloads(real_bot), remote)


async def test_a_missing_or_extra_command_differs(real_bot: CrosscheckBot) -> None:
    remote = registered(real_bot)
    assert app_sync.commands_differ(local_payloads(real_bot), remote[:-1])
    assert app_sync.commands_differ(local_payloads(real_bot), [*remote, {**remote[0], "name": "x"}])


async def test_autocomplete_flag_change_differs(real_bot: CrosscheckBot) -> None:
    remote = registered(real_bot)
    sources = next(p for p in remote if p["name"] == "sources")
    show = next(o for o in sources["options"] if o["name"] == "show")
    show["options"][0] = {**show["options"][0], "autocomplete": False}
    assert app_sync.commands_differ(local_payloads(real_bot), remote)


@pytest.fixture
def discord_api(real_bot: CrosscheckBot, monkeypatch: pytest.MonkeyPatch) -> dict[str, AsyncMock]:
    """Discord's side of a sync: registered commands per scope, and the sync call."""
    real_bot._connection.application_id = 99
    mocks = {
        "global": AsyncMock(return_value=[]),
        "guild": AsyncMock(return_value=[]),
        "sync": AsyncMock(return_value=[]),
    }
    monkeypatch.setattr(real_bot.http, "get_global_commands", mocks["global"])
    monkeypatch.setattr(real_bot.http, "get_guild_commands", mocks["guild"])
    monkeypatch.setattr(real_bot.tree, "sync", mocks["sync"])
    return mocks


async def test_sync_skips_when_up_to_date(
    real_bot: CrosscheckBot, discord_api: dict[str, AsyncMock]
) -> None:
    discord_api["global"].return_value = registered(real_bot)
    assert await app_sync.sync_if_changed(real_bot, None) is False
    discord_api["global"].assert_awaited_once_with(99)
    discord_api["sync"].assert_not_called()


async def test_sync_pushes_changes_globally(
    real_bot: CrosscheckBot, discord_api: dict[str, AsyncMock]
) -> None:
    discord_api["global"].return_value = registered(real_bot)[:1]
    assert await app_sync.sync_if_changed(real_bot, None) is True
    discord_api["sync"].assert_awaited_once_with(guild=None)


async def test_sync_pushes_changes_to_the_dev_guild_only(
    real_bot: CrosscheckBot, discord_api: dict[str, AsyncMock]
) -> None:
    assert await app_sync.sync_if_changed(real_bot, 1234) is True
    discord_api["guild"].assert_awaited_once_with(99, 1234)
    discord_api["global"].assert_not_called()
    [call] = discord_api["sync"].await_args_list
    assert call.kwargs["guild"].id == 1234
    guild_names = {c.name for c in real_bot.tree.get_commands(guild=discord.Object(1234))}
    assert guild_names == {
        "ask", "sources", "library", "help", "Check against sources", "Add to sources"
    }  # fmt: skip


async def test_guild_sync_skips_when_up_to_date(
    real_bot: CrosscheckBot, discord_api: dict[str, AsyncMock]
) -> None:
    guild = discord.Object(1234)
    real_bot.tree.copy_global_to(guild=guild)
    discord_api["guild"].return_value = registered(real_bot, guild)
    assert await app_sync.sync_if_changed(real_bot, 1234) is False
    discord_api["sync"].assert_not_called()


def http_error(cls: type[discord.HTTPException], status: int, code: int) -> discord.HTTPException:
    response = MagicMock(status=status, reason="Forbidden")
    return cls(response, {"code": code, "message": "Missing Access"})


async def test_missing_scope_becomes_a_startup_error(
    real_bot: CrosscheckBot, monkeypatch: pytest.MonkeyPatch
) -> None:
    real_bot._connection.application_id = 99
    forbidden = AsyncMock(side_effect=http_error(discord.Forbidden, 403, 50001))
    monkeypatch.setattr(real_bot.http, "get_guild_commands", forbidden)
    with pytest.raises(StartupError, match="applications.commands") as raised:
        await app_sync.sync_if_changed(real_bot, 1234)
    assert "server 1234" in str(raised.value) and "client_id=99" in str(raised.value)


# --- start-up, endpoints, shutdown ----------------------------------------------------------


def test_start_failures_become_one_line_and_exit_code_2() -> None:
    settings = Settings()
    for error in (
        discord.LoginFailure("Improper token has been passed."),
        discord.PrivilegedIntentsRequired(None),
        StartupError("Discord refused the command sync"),
    ):
        described = app_run._describe_start_failure(error, settings)
        assert described is not None
        message, code = described
        assert code == 2 and "\n" not in message
    assert app_run._describe_start_failure(ValueError("bug"), settings) is None


async def test_missing_token_exits_2_without_connecting(caplog: pytest.LogCaptureFixture) -> None:
    with caplog.at_level(logging.ERROR):
        assert await app_run._serve(Settings(token=None)) == 2
    assert "DISCORD_TOKEN" in caplog.text


@pytest.fixture
def restore_endpoints(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(discord.http.Route, "BASE", discord.http.Route.BASE)
    gateway = discord.gateway.DiscordWebSocket
    monkeypatch.setattr(gateway, "DEFAULT_GATEWAY", gateway.DEFAULT_GATEWAY)


@pytest.fixture
def fake_engine(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(app_run, "_build_library", lambda settings: FakeEngine(answer=ANSWERED))


async def test_rejected_token_exits_2_with_one_line_and_no_traceback(
    restore_endpoints: None,
    fake_engine: None,
    monkeypatch: pytest.MonkeyPatch,
    caplog: pytest.LogCaptureFixture,
) -> None:
    async def reject(self: CrosscheckBot, token: str) -> None:
        raise discord.LoginFailure("Improper token has been passed.")

    monkeypatch.setattr(CrosscheckBot, "start", reject)
    with caplog.at_level(logging.INFO):
        assert await app_run._serve(Settings(token="secret-token-value")) == 2
    errors = [r for r in caplog.records if r.levelno >= logging.ERROR]
    assert len(errors) == 1 and errors[0].exc_info is None
    assert "rejected the token" in errors[0].getMessage()
    assert "secret-token-value" not in caplog.text


async def test_sigterm_closes_the_bot_and_exits_0(
    restore_endpoints: None, fake_engine: None, monkeypatch: pytest.MonkeyPatch
) -> None:
    closed: list[bool] = []

    async def serve_until_closed(self: CrosscheckBot, token: str) -> None:
        asyncio.get_running_loop().call_later(0.05, os.kill, os.getpid(), signal.SIGTERM)
        while not self.is_closed():
            await asyncio.sleep(0.01)
        closed.append(True)

    monkeypatch.setattr(CrosscheckBot, "start", serve_until_closed)
    code = await asyncio.wait_for(app_run._serve(Settings(token="t")), timeout=5)
    assert code == 0 and closed == [True]


def test_endpoints_apply_to_rest_webhooks_and_gateway(restore_endpoints: None) -> None:
    settings = Settings(api_base="http://127.0.0.1:9/api/v10/", gateway_url="ws://127.0.0.1:9/gw")
    app_run.apply_endpoints(settings)
    assert discord.http.Route("GET", "/users/@me").url == "http://127.0.0.1:9/api/v10/users/@me"
    # Interaction followups are webhook requests: they must use the same Route class.
    route = discord.webhook.async_.Route("POST", "/webhooks/{webhook_id}/x", webhook_id=1)
    assert route.url == "http://127.0.0.1:9/api/v10/webhooks/1/x"
    assert yarl.URL("ws://127.0.0.1:9/gw") == discord.gateway.DiscordWebSocket.DEFAULT_GATEWAY


@pytest.mark.parametrize(("gateway", "pinned"), [("ws://127.0.0.1:9/gw", True), (None, False)])
async def test_resume_url_from_ready_is_pinned_to_a_custom_gateway(
    gateway: str | None, pinned: bool
) -> None:
    settings = Settings(gateway_url=gateway) if gateway else Settings()
    bot = CrosscheckBot(settings, FakeEngine())
    discords_resume_url = yarl.URL("wss://gateway-us-east1-b.discord.gg")
    bot.ws = MagicMock(spec_set=["gateway"])  # set per instance, so not in the class spec
    bot.ws.gateway = discords_resume_url
    await bot.on_connect()
    assert bot.ws.gateway == (yarl.URL(gateway) if pinned else discords_resume_url)


def test_bot_uses_default_intents_and_pings_nobody() -> None:
    bot = CrosscheckBot(Settings(), FakeEngine())
    assert bot.intents == discord.Intents.default()
    assert not bot.intents.message_content and not bot.intents.members
    assert bot.allowed_mentions is not None
    assert bot.allowed_mentions.to_dict() == {"parse": []}
    assert isinstance(bot.tree, CrosscheckTree)


# --- the buttons under an answer ------------------------------------------------------------


def test_an_answer_shows_three_excerpts_and_a_lasting_more_button() -> None:
    from bot.commands.answer_view import MoreExcerpts, answer_digest, answer_message

    answer = five_excerpts("Did Japan ban Tesla?")
    [embed], view = answer_message(answer)
    assert sum(f.name.startswith("[") for f in embed.fields) == 3  # type: ignore[union-attr]
    assert view.timeout is None
    [more] = view.children
    assert isinstance(more, MoreExcerpts) and more.item.label == "More excerpts (2)"
    assert more.custom_id == f"crosscheck:more:{answer_digest(answer)}"
    assert len(more.custom_id) <= 100


def test_a_question_too_long_for_a_title_shows_every_excerpt_at_once() -> None:
    from bot.commands.answer_view import answer_message

    [embed], view = answer_message(five_excerpts("Did Japan ban Tesla? " * 20))
    assert sum(f.name.startswith("[") for f in embed.fields) == 5  # type: ignore[union-attr]
    assert not view.children  # a button could not read this question back from the title


def test_the_digest_names_exactly_what_is_cited() -> None:
    from bot.commands.answer_view import answer_digest

    answer = five_excerpts("q")
    moved = Answer("q", Status.ANSWERED, "", (*answer.citations[:4],
                   Citation(5, answer.citations[4].source, 0, 29, 1.0)))  # fmt: skip
    assert answer_digest(answer) == answer_digest(five_excerpts("another question"))
    assert answer_digest(answer) != answer_digest(moved)


def clicked_on(answer: Answer, engine: FakeEngine) -> MagicMock:
    """A click of the "More excerpts" button under `answer`, as posted."""
    from bot.commands.answer_view import answer_message

    [embed], _ = answer_message(answer)
    interaction = MockInteraction(client=make_bot(engine))
    interaction.message = MagicMock(spec_set=discord.Message)
    interaction.message.embeds = [embed]
    return interaction


async def test_more_excerpts_answers_the_title_again_and_edits_the_message() -> None:
    from bot.commands.answer_view import MoreExcerpts, answer_digest

    answer = five_excerpts("Did Japan ban Tesla?")
    engine = FakeEngine(answer=answer)
    interaction = clicked_on(answer, engine)
    await MoreExcerpts(answer_digest(answer)).callback(interaction)
    assert engine.questions == ["Did Japan ban Tesla?"]
    interaction.response.defer.assert_awaited_once_with()
    edit = interaction.edit_original_response.await_args.kwargs
    assert sum(f.name.startswith("[") for f in edit["embeds"][0].fields) == 5
    assert not edit["view"].children and edit["view"].timeout is None
    assert edit["allowed_mentions"].to_dict() == {"parse": []}
    interaction.followup.send.assert_not_called()


async def test_more_excerpts_failing_says_so_privately(caplog: pytest.LogCaptureFixture) -> None:
    from bot.commands.answer_view import MoreExcerpts, answer_digest

    answer = five_excerpts("Did Japan ban Tesla?")
    interaction = clicked_on(answer, FakeEngine(answer=None))  # the engine fails
    with caplog.at_level(logging.ERROR):
        await MoreExcerpts(answer_digest(answer)).callback(interaction)
    assert "More excerpts failed" in caplog.text
    assert sent_kwargs(interaction.followup.send)["ephemeral"] is True
    assert "went wrong" in sent_text(interaction.followup.send)
    interaction.edit_original_response.assert_not_called()
