"""Sets and mappings read as a shared base with a few changes, never copied: what a server's
library knows about its terms (names, numbers, dates) is the base's, but for the terms its
hidden and added sources change (`bot.index.layered`)."""

from __future__ import annotations

from collections.abc import Hashable, Iterable, Iterator, Mapping, Set
from typing import Any, TypeVar

K = TypeVar("K", bound=Hashable)
V = TypeVar("V")


class Overlaid(Set[K]):
    """`base`, less `removed`, plus `added`; equal (and hashed) as the set it reads as."""

    def __init__(self, base: Set[K], removed: Iterable[K], added: Iterable[K]) -> None:
        self._base = base
        self._removed = frozenset(k for k in removed if k in base)
        self._added = frozenset(k for k in added if k not in self._removed and k not in base)
        self._hash: int | None = None

    @property
    def base(self) -> Set[K]:
        return self._base

    @property
    def removed(self) -> frozenset[K]:
        """What the base holds and this does not."""
        return self._removed

    @property
    def added(self) -> frozenset[K]:
        """What this holds and the base does not."""
        return self._added

    def __contains__(self, item: object) -> bool:
        return item in self._added or (item in self._base and item not in self._removed)

    def __iter__(self) -> Iterator[K]:
        removed = self._removed
        yield from (k for k in self._base if k not in removed)
        yield from self._added

    def __len__(self) -> int:
        return len(self._base) - len(self._removed) + len(self._added)

    def __hash__(self) -> int:
        if self._hash is None:
            self._hash = self._hash_of_set()
        return self._hash

    def _hash_of_set(self) -> int:
        return hash(frozenset(self))

    def __eq__(self, other: object) -> bool:
        return Set.__eq__(self, other)  # type: ignore[arg-type]

    @classmethod
    def _from_iterable(cls, items: Iterable[Any]) -> frozenset[Any]:
        return frozenset(items)  # what `|`, `&` and `-` make: a plain set


class OverlaidMapping(Mapping[K, V]):
    """`base` without the keys in `removed`, with `added`'s items (over the base's)."""

    def __init__(self, base: Mapping[K, V], removed: Iterable[K], added: Mapping[K, V]) -> None:
        self._base = base
        self._added = dict(added)
        self._removed = frozenset(k for k in removed if k in base and k not in self._added)
        self._len = len(base) - len(self._removed) + sum(1 for k in self._added if k not in base)

    def __getitem__(self, key: K) -> V:
        if key in self._added:
            return self._added[key]
        if key in self._removed:
            raise KeyError(key)
        return self._base[key]

    def __iter__(self) -> Iterator[K]:
        skip = self._removed | self._added.keys()
        yield from (k for k in self._base if k not in skip)
        yield from self._added

    def __len__(self) -> int:
        return self._len


def overlaid(base: Set[K], removed: Iterable[K], added: Iterable[K]) -> Set[K]:
    """`Overlaid`, or `base` itself when nothing changes."""
    found = Overlaid(base, removed, added)
    return base if not found._removed and not found._added else found


def overlaid_mapping(
    base: Mapping[K, V], removed: Iterable[K], added: Mapping[K, V]
) -> Mapping[K, V]:
    """`OverlaidMapping`, or `base` itself when nothing changes."""
    found = OverlaidMapping(base, removed, added)
    return base if not found._removed and not found._added else found
