"""Servers' engines within a memory budget: what one costs (`engine_bytes`), and values kept
within a budget, the least recently used dropped first (`Budgeted`, thread-safe)."""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Sequence
from typing import Generic, Protocol, TypeVar

from bot.sources import Source, text_length

K = TypeVar("K")
V = TypeVar("V")

# What an engine costs per character of the text it indexes beyond the base (index, analyses
# kept for the next rebuild, passages, vocabulary), and at least: measured on Reuters articles
# (7 bytes a character for 2,020 articles, 11-15 for 20), rounded up.
BYTES_PER_CHARACTER = 8
ENGINE_OVERHEAD_BYTES = 64 * 1024


class Indexes(Protocol):
    """An engine, as far as its cost goes: the sources it indexes."""

    @property
    def sources(self) -> Sequence[Source]: ...


def engine_bytes(engine: Indexes, base: Indexes) -> int:
    """An estimate of the memory `engine` holds that `base` does not share: the characters of
    the text it indexes beyond the base's (a server's engine layers its additions over the
    shared base index: `bot.answer.registry.build_server_engine`) times `BYTES_PER_CHARACTER`,
    plus `ENGINE_OVERHEAD_BYTES`. The base engine itself is free."""
    if engine is base:
        return 0
    shared = {id(source.text) for source in base.sources}  # a relabelled copy keeps its text
    own = sum(text_length(s) for s in engine.sources if id(s.text) not in shared)
    return ENGINE_OVERHEAD_BYTES + BYTES_PER_CHARACTER * own


class Budgeted(Generic[K, V]):
    """Key -> value, each with its size in bytes; `keep` drops the values used the longest ago
    while the sizes add up to more than `budget` (never the one just kept)."""

    def __init__(self, budget: int) -> None:
        self.budget = budget
        self._values: OrderedDict[K, tuple[V, int]] = OrderedDict()  # least recent first
        self._lock = threading.Lock()

    def use(self, key: K) -> V | None:
        """The value, marked as used now; None when it is not kept."""
        with self._lock:
            kept = self._values.get(key)
            if kept is None:
                return None
            self._values.move_to_end(key)
            return kept[0]

    def peek(self, key: K) -> V | None:
        """The value, without counting a use."""
        kept = self._values.get(key)
        return None if kept is None else kept[0]

    def keep(self, key: K, value: V, size: int) -> list[K]:
        """Keep `value` (the most recently used now); returns the keys dropped for it."""
        dropped = []
        with self._lock:
            self._values[key] = (value, size)
            self._values.move_to_end(key)
            total = sum(size for _, size in self._values.values())
            while total > self.budget and len(self._values) > 1:
                old, (_, old_size) = self._values.popitem(last=False)
                total -= old_size
                dropped.append(old)
        return dropped

    def forget(self, key: K) -> None:
        with self._lock:
            self._values.pop(key, None)

    def keys(self) -> list[K]:
        """The keys kept, least recently used first."""
        with self._lock:
            return list(self._values)

    def __contains__(self, key: object) -> bool:
        return key in self._values

    def held(self) -> int:
        """The sizes kept, added up."""
        with self._lock:
            return sum(size for _, size in self._values.values())
