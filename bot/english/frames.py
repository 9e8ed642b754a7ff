"""Small hand-made word lists shared by retrieval (query expansion) and the caveat.

`PREDICATE_FRAMES` groups verbs and nouns that describe the same kind of event about whether
something is available: a ban, a sale, an end, an expansion. A question about one ("Did Japan ban
Tesla?") is answered by sources that speak of another ("production will cease"), and those are
the statements that can contradict each other. Words are given as plain lemmas; callers analyse
them with the same analyser as the text.
"""

from __future__ import annotations

PREDICATE_FRAMES: dict[str, tuple[str, ...]] = {
    "prohibition": (
        "ban",
        "prohibit",
        "forbid",
        "outlaw",
        "block",
        "restrict",
        "sanction",
        "embargo",
        "boycott",
        "illegal",
    ),
    "trade": (
        "sell",
        "sale",
        "buy",
        "purchase",
        "order",
        "delivery",
        "available",
        "availability",
        "offer",
    ),
    "ending": (
        "cease",
        "stop",
        "end",
        "halt",
        "discontinue",
        "discontinuation",
        "suspend",
        "withdraw",
        "exit",
        "quit",
        "terminate",
        "shut",
        "cancel",
        "remove",
        "drop",
        "dismantle",
        "pull",
        "tear",
        "demolish",
        "close",
        "scrap",
        "abandon",
        "retire",
        "leave",
    ),
    "growth": (
        "launch",
        "start",
        "begin",
        "introduce",
        "expand",
        "open",
        "enter",
        "resume",
        "continue",
        "allow",
        "permit",
        "approve",
        "increase",
    ),
}
