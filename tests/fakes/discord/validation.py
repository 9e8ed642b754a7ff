"""Discord's limits, checked on what a client sends (an invalid body is answered 400 as Discord
does)."""

from __future__ import annotations

from typing import Any

from fakes.discord.constants import _COMMAND_NAME
from fakes.discord.records import _HTTPError


def _err(message: str, code: str = "BASE_TYPE_BAD_LENGTH") -> dict[str, Any]:
    return {"_errors": [{"code": code, "message": message}]}


def _validate_message(data: dict[str, Any], files: list[str], allow_empty: bool = False) -> None:
    """Enforce Discord's message and embed limits (400 50035 / 50006 like Discord)."""
    errors: dict[str, Any] = {}
    content = data.get("content") or ""
    if len(content) > 2000:
        errors["content"] = _err("Must be 2000 or fewer in length.")
    embeds = data.get("embeds") or []
    if len(embeds) > 10:
        errors["embeds"] = _err("Must be 10 or fewer in length.")
    total = 0
    limits = {"title": 256, "description": 4096}
    for i, embed in enumerate(embeds):
        eerr: dict[str, Any] = {}
        for key, limit in limits.items():
            text = (embed.get(key) or "").strip()
            total += len(text)
            if len(text) > limit:
                eerr[key] = _err(f"Must be {limit} or fewer in length.")
        fields = embed.get("fields") or []
        if len(fields) > 25:
            eerr["fields"] = _err("Must be 25 or fewer in length.")
        for j, fld in enumerate(fields):
            name, value = (fld.get("name") or "").strip(), (fld.get("value") or "").strip()
            total += len(name) + len(value)
            ferr = {}
            if not 1 <= len(name) <= 256:
                ferr["name"] = _err("Must be between 1 and 256 in length.")
            if not 1 <= len(value) <= 1024:
                ferr["value"] = _err("Must be between 1 and 1024 in length.")
            if ferr:
                eerr.setdefault("fields", {})[str(j)] = ferr
        footer = ((embed.get("footer") or {}).get("text") or "").strip()
        author = ((embed.get("author") or {}).get("name") or "").strip()
        total += len(footer) + len(author)
        if len(footer) > 2048:
            eerr["footer"] = {"text": _err("Must be 2048 or fewer in length.")}
        if len(author) > 256:
            eerr["author"] = {"name": _err("Must be 256 or fewer in length.")}
        if eerr:
            errors.setdefault("embeds", {})[str(i)] = eerr
    if total > 6000:
        errors.setdefault("embeds", {}).update(
            _err("Embed size exceeds maximum size of 6000", "MAX_EMBED_SIZE_EXCEEDED")
        )
    if errors:
        raise _HTTPError(400, "Invalid Form Body", 50035, errors)
    if not allow_empty and not (
        content
        or embeds
        or files
        or data.get("components")
        or data.get("poll")
        or data.get("sticker_ids")
    ):
        raise _HTTPError(400, "Cannot send an empty message", 50006)


def _validate_choices(choices: Any) -> None:
    if not isinstance(choices, list):
        required = _err("This field is required", "BASE_TYPE_REQUIRED")
        raise _HTTPError(400, "Invalid Form Body", 50035, {"data": {"choices": required}})
    errors: dict[str, Any] = {}
    if len(choices) > 25:
        errors["_errors"] = _err("Must be 25 or fewer in length.")["_errors"]
    for i, choice in enumerate(choices):
        name, value = str(choice.get("name", "")), choice.get("value")
        cerr = {}
        if not 1 <= len(name) <= 100:
            cerr["name"] = _err("Must be between 1 and 100 in length.")
        if isinstance(value, str) and len(value) > 100:
            cerr["value"] = _err("Must be 100 or fewer in length.")
        if cerr:
            errors[str(i)] = cerr
    if errors:
        raise _HTTPError(400, "Invalid Form Body", 50035, {"data": {"choices": errors}})


def _validate_option(opt: dict[str, Any], depth: int) -> dict[str, Any]:
    err: dict[str, Any] = {}
    name = str(opt.get("name", ""))
    if not _COMMAND_NAME.fullmatch(name) or name != name.lower():
        err["name"] = _err("Command name is invalid", "APPLICATION_COMMAND_INVALID_NAME")
    if not 1 <= len(str(opt.get("description", ""))) <= 100:
        err["description"] = _err("Must be between 1 and 100 in length.")
    choices = opt.get("choices") or []
    if len(choices) > 25:
        err["choices"] = _err("Must be 25 or fewer in length.")
    sub = opt.get("options") or []
    if len(sub) > 25:
        err["options"] = _err("Must be 25 or fewer in length.")
    if opt.get("type") in (1, 2) and depth >= 2 + (opt.get("type") == 1):
        err["type"] = _err(
            "Subcommands nested too deeply", "APPLICATION_COMMAND_OPTIONS_TYPE_INVALID"
        )
    for k, child in enumerate(sub):
        cerr = _validate_option(child, depth + 1)
        if cerr:
            err.setdefault("options", {})[str(k)] = cerr
    return err


def _validate_commands(commands: list[dict[str, Any]]) -> dict[str, Any]:
    """Check the shape limits Discord enforces on a bulk overwrite; return an errors tree."""
    errors: dict[str, Any] = {}
    seen: set[tuple[int, str]] = set()
    counts = {1: 0, 2: 0, 3: 0}
    for i, cmd in enumerate(commands):
        err: dict[str, Any] = {}
        ctype = int(cmd.get("type", 1))
        name = str(cmd.get("name", ""))
        counts[ctype] = counts.get(ctype, 0) + 1
        if (ctype, name) in seen:
            err["name"] = _err(
                "Application command names must be unique", "APPLICATION_COMMANDS_DUPLICATE_NAME"
            )
        seen.add((ctype, name))
        if ctype == 1:
            err.update(_validate_option({**cmd, "type": None}, 0))
        else:
            if not 1 <= len(name) <= 32:
                err["name"] = _err("Must be between 1 and 32 in length.")
            if cmd.get("description"):
                err["description"] = _err(
                    "Context menu commands cannot have description",
                    "APPLICATION_COMMAND_CONTEXT_MENU_DESCRIPTION",
                )
        if err:
            errors[str(i)] = err
    if counts.get(1, 0) > 100 or counts.get(2, 0) > 15 or counts.get(3, 0) > 15:
        errors["_errors"] = _err(
            "Maximum number of application commands reached", "APPLICATION_COMMANDS_TOO_MANY"
        )["_errors"]
    return errors


def _validate_modal(data: dict[str, Any]) -> None:
    """Discord's limits on a modal (API docs ``interactions/receiving-and-responding.mdx``,
    ``components/reference.mdx``): 400 50035 for anything a client could not show."""
    errors: dict[str, Any] = {}
    if not 1 <= len(str(data.get("title") or "")) <= 45:
        errors["title"] = _err("Must be between 1 and 45 in length.")
    if not 1 <= len(str(data.get("custom_id") or "")) <= 100:
        errors["custom_id"] = _err("Must be between 1 and 100 in length.")
    rows = data.get("components") or []
    if not 1 <= len(rows) <= 5:
        errors["components"] = _err("Must be between 1 and 5 in length.")
    for i, row in enumerate(rows):
        inputs = [row.get("component") or {}] if row.get("type") == 18 else row.get("components")
        if row.get("type") not in (1, 18) or not inputs or len(inputs) != 1:
            errors[f"components.{i}"] = _err("A modal row holds exactly one text input.")
            continue
        text = inputs[0]
        label = row.get("label") if row.get("type") == 18 else text.get("label")
        problems = [
            text.get("type") != 4 and "type must be 4 (text input)",
            text.get("style") not in (1, 2) and "style must be 1 or 2",
            not 1 <= len(str(text.get("custom_id") or "")) <= 100 and "custom_id 1 to 100",
            not 1 <= len(str(label or "")) <= 45 and "label 1 to 45",
            len(str(text.get("placeholder") or "")) > 100 and "placeholder at most 100",
            not 0 <= int(text.get("min_length", 0)) <= 4000 and "min_length 0 to 4000",
            not 1 <= int(text.get("max_length", 4000)) <= 4000 and "max_length 1 to 4000",
            len(str(text.get("value") or "")) > 4000 and "value at most 4000",
        ]
        if any(problems):
            errors[f"components.{i}"] = _err("; ".join(p for p in problems if p))
    if errors:
        raise _HTTPError(400, "Invalid Form Body", 50035, {"data": errors})
