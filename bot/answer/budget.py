"""Values kept within a memory budget, the least recently used dropped first (thread-safe)."""

from __future__ import annotations

import threading
from collections import OrderedDict
from typing import Generic, TypeVar

K = TypeVar("K")
V = TypeVar("V")


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
