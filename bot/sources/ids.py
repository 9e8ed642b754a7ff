"""The id each file of a sources folder gets from its name (unless `sources.toml` gives one)."""

from __future__ import annotations

import re
from collections import Counter

_ID_PREFIX = re.compile(r"^(\d+)[_\-\s]")
_NOT_WORD = re.compile(r"[^\w]+")
_NOT_NAME = re.compile(r"[^\w.]+")
# A leading ISO date (`2025-03-25 ban.txt`): not an id, perhaps the source's date.
DATE_PREFIX = re.compile(r"^(\d{4}-\d{2}-\d{2})(?!\d)")


def split_name(name: str) -> tuple[str, str]:
    """A file name's stem and suffix, as `pathlib` splits them (`.txt` is a stem, `a.` too)."""
    dot = name.rfind(".")
    return (name[:dot], name[dot:]) if 0 < dot < len(name) - 1 else (name, "")


def ids_from_filenames(names: list[str], given: dict[str, str]) -> dict[str, str]:
    """An id for each file name: the one `sources.toml` gives, else the shortest of its forms
    (`_id_forms`) that no other file's id takes; files whose ids would collide move on to a
    longer form together, so `1 a.txt` and `1 b.txt` become `1-a` and `1-b`, not both `1`."""
    forms = {name: [given[name]] if name in given else _id_forms(name) for name in names}
    level = dict.fromkeys(names, 0)
    while True:
        ids = {name: forms[name][level[name]] for name in names}
        taken = Counter(ids.values())
        crowded = [n for n in names if taken[ids[n]] > 1 and level[n] + 1 < len(forms[n])]
        if not crowded:
            return ids
        for name in crowded:
            level[name] += 1


def _id_forms(name: str) -> list[str]:
    """Ids a file name gives, shortest first: a leading number (`000_x.txt` -> `000`, not the
    year of `2025-03-25 x.txt`), the lower-case name as a slug (`draft-1`), the name as it is."""
    slug = _NOT_WORD.sub("-", split_name(name)[0].lower()).strip("-")
    number = _ID_PREFIX.match(name)
    forms = [number.group(1)] if number and not DATE_PREFIX.match(name) else []
    forms += [
        slug[:40] or "source",
        slug or "source",
        _NOT_NAME.sub("-", name).strip("-."),
    ]
    return list(dict.fromkeys(form for form in forms if form))
