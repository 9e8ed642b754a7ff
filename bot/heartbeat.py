"""The heartbeat file: the bot refreshes it while connected; `python -m bot health` reads it.

A container or service manager cannot see inside the bot, so `run` writes the current time to
`DATA_DIR/heartbeat` every `HEARTBEAT_SECONDS` while its gateway connection is up, and the health
command calls the bot healthy while that time is recent. Written atomically (a temporary file
renamed over the old one), so a reader never sees half a time.
"""

from __future__ import annotations

import os
import tempfile
import time
from pathlib import Path

HEARTBEAT_NAME = "heartbeat"
HEARTBEAT_SECONDS = 30.0
DEFAULT_MAX_AGE_SECONDS = 90.0  # three missed refreshes


def heartbeat_path(data_dir: Path, shard_ids: tuple[int, ...] | None = None) -> Path:
    """`DATA_DIR/heartbeat`; a process that runs only some shards (SHARD_IDS) has its own,
    `heartbeat-shards-0-1`, so one connected process cannot hide another's outage."""
    if shard_ids is None:
        return Path(data_dir) / HEARTBEAT_NAME
    return Path(data_dir) / f"{HEARTBEAT_NAME}-shards-{'-'.join(map(str, shard_ids))}"


def write_heartbeat(path: Path, now: float | None = None) -> None:
    """Write `now` (default the current time) to `path` atomically."""
    stamp = time.time() if now is None else now
    handle, temporary = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.")
    try:
        with os.fdopen(handle, "w", encoding="ascii") as file:
            file.write(f"{stamp:.3f}\n")
        os.replace(temporary, path)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise


def heartbeat_problem(path: Path, max_age: float, now: float | None = None) -> str | None:
    """None if `path` holds a time at most `max_age` seconds old, else one line saying why not."""
    try:
        stamp = float(path.read_text(encoding="ascii"))
    except FileNotFoundError:
        return f"no heartbeat at {path}: the bot is not running or has not connected yet"
    except (OSError, ValueError, UnicodeDecodeError) as error:
        return f"cannot read the heartbeat {path}: {error}"
    age = (time.time() if now is None else now) - stamp
    if age > max_age:
        return (
            f"stale heartbeat at {path}: last written {age:.0f} s ago (more than {max_age:g} s): "
            "the bot is not connected to Discord"
        )
    return None
