"""Text for the tests that need many articles: generated here, or real text from `../shared`.

`articles` and `headlines` are newswire-like text from a seeded random generator, so that the
index parity, property and burst tests run on a fresh clone with nothing beside it (the same seed
always gives the same text). `shared_data` finds the real data sets for the tests marked
`shared_data`, which run only with `pytest -m shared_data` and fail when `../shared` is absent.

The text imitates what those tests took from Reuters-21578: company and country names, a few
words common to most passages and many rare ones (words are drawn with Zipf-like weights, and
some made-up names occur once), figures written the ways news writes them ("1,250", "3.5 billion
dlrs", "up to 12 pct", "between 2 and 5", "-4"), dates, quotes and short and long sentences.
"""

from __future__ import annotations

import functools
import itertools
import random
from pathlib import Path
from typing import TypeVar

import pytest

T = TypeVar("T")
SHARED = Path(__file__).resolve().parents[2] / "shared"

ORGS = (
    "Harbour Bank", "Tesla", "Toyota", "Quillby Ferries", "Northern Steel", "Aster Mining",
    "Pacific Grain", "Orion Airlines", "Vela Chemicals", "Marlow Insurance", "Kestrel Foods",
    "Brightwater Utilities", "Delta Textiles", "Solano Oil", "Granite Cement", "Halcyon Motors",
)  # fmt: skip
PLACES = (
    "Japan", "Brazil", "Canada", "Kenya", "Norway", "Chile", "India", "France", "Egypt",
    "Mexico", "Poland", "Vietnam", "Australia", "Peru", "Ghana", "Turkey", "Tokyo", "Lagos",
)  # fmt: skip
PEOPLE = (
    "Aiko Tanaka", "Lars Moravy", "Maria Okafor", "John Reyes", "Chen Wei", "Ines Duarte",
    "Omar Haddad", "Ruth Lindqvist", "Pedro Alves", "Nadia Petrova",
)  # fmt: skip
NOUNS = (
    "sales", "profit", "exports", "imports", "output", "shares", "prices", "demand", "revenue",
    "tariffs", "loans", "deposits", "wheat", "coffee", "copper", "crude", "cars", "ships",
    "bonds", "dividend", "budget", "deficit", "surplus", "workers", "plants", "orders",
    "contracts", "reserves", "production", "capacity", "shipments", "earnings", "costs",
    "rates", "inflation", "growth", "stake", "merger", "strike", "ban", "licence", "bridge",
    "ferry", "harbour", "pier", "railway", "airport", "battery", "software", "satellite",
)  # fmt: skip
VERBS = (
    ("rose", "rise"), ("fell", "fall"), ("increased", "increase"), ("cut", "cut"),
    ("raised", "raise"), ("reported", "report"), ("expected", "expect"), ("sold", "sell"),
    ("bought", "buy"), ("approved", "approve"), ("banned", "ban"), ("opened", "open"),
    ("closed", "close"), ("delayed", "delay"), ("signed", "sign"), ("lost", "lose"),
)  # fmt: skip
ADJECTIVES = (
    "annual", "quarterly", "net", "total", "new", "former", "domestic", "foreign", "record",
    "lower", "higher", "final", "preliminary", "official", "seasonally", "adjusted", "first",
)  # fmt: skip
UNITS = ("pct", "dlrs", "tonnes", "barrels", "cars", "mln dlrs", "billion dlrs", "shares", "yen")
QUALIFIERS = ("", "", "", "up to ", "at least ", "about ", "nearly ", "more than ", "fewer than ")
MONTHS = (
    "January", "February", "March", "April", "May", "June", "July", "August", "September",
    "October", "November", "December",
)  # fmt: skip
FILLER = (
    "the", "said", "in", "of", "and", "to", "a", "for", "on", "its", "it", "was", "would",
    "year", "from", "company", "government", "market", "which", "last", "week", "month",
    "officials", "analysts", "trade", "agreement", "talks", "ministry", "statement",
)  # fmt: skip


class NewsWriter:
    """Writes articles, headlines and sentences; `NewsWriter(seed)` always writes the same."""

    def __init__(self, seed: int = 1987) -> None:
        self.random = random.Random(seed)

    def pick(self, words: tuple[T, ...]) -> T:
        """A word, the first ones much more often (Zipf-like: weight 1/rank)."""
        return self.random.choices(words, cum_weights=_zipf(len(words)))[0]

    def figure(self) -> str:
        r = self.random
        low = r.randrange(1, 50)
        forms = (
            lambda: f"{r.randrange(1, 999)},{r.randrange(1000):03d}",
            lambda: f"{r.randrange(1, 99)}.{r.randrange(10)}",
            lambda: f"between {low} and {low + r.randrange(1, 20)}",
            lambda: f"-{r.randrange(1, 40)}",
            lambda: "0",
            lambda: str(r.randrange(1, 500)),
            lambda: str(r.randrange(1, 500)),
        )
        return r.choice(forms)()

    def date(self) -> str:
        r = self.random
        day, month, year = r.randrange(1, 29), self.pick(MONTHS), r.randrange(1980, 2031)
        return r.choice([f"{month} {day}, {year}", f"{day} {month} {year}", f"in {year}"])

    def rare_name(self) -> str:
        """A made-up name that occurs once or twice in the whole text."""
        r, consonants, vowels = self.random, "bcdfghklmnprstvz", "aeiou"
        letters = [r.choice(consonants if i % 2 == 0 else vowels) for i in range(r.randrange(4, 9))]
        return "".join(letters).capitalize()

    def sentence(self) -> str:
        r, pick = self.random, self.pick
        past, base = pick(VERBS)
        org, place, noun = pick(ORGS), pick(PLACES), pick(NOUNS)
        filler = " ".join(pick(FILLER) for _ in range(r.randrange(0, 12)))
        forms = (
            lambda: (
                f"{org} said its {pick(ADJECTIVES)} {noun} {past} {self.amount()} {self.date()}."
            ),
            lambda: f"{place} {past} {self.amount()} of {noun} from {pick(PLACES)}, {filler} said.",
            lambda: f"The {noun} will {base} on {self.date()}, {pick(PEOPLE)} told reporters.",
            lambda: (
                f"Shares of {org} {past} {r.randrange(1, 90)} cts to {self.figure()}, traders said."
            ),
            lambda: f'"We will not {base} the {noun} in {place}," said {pick(PEOPLE)} of {org}.',
            lambda: f"{self.rare_name()} {pick(NOUNS)} {past} {self.amount()} in {place} {filler}.",
            lambda: (
                f"{org} and {self.rare_name()} {past} a {pick(ADJECTIVES)} {noun} deal worth "
                f"{self.amount()}."
            ),
            lambda: f"{filler.capitalize() or 'The'} {noun} {past} in {place}.",
        )
        return r.choice(forms)()

    def amount(self) -> str:
        return f"{self.random.choice(QUALIFIERS)}{self.figure()} {self.pick(UNITS)}"

    def article(self) -> str:
        """Two to five paragraphs of one to six sentences each."""
        r = self.random
        paragraphs = [
            " ".join(self.sentence() for _ in range(r.randrange(1, 7)))
            for _ in range(r.randrange(2, 6))
        ]
        return "\n\n".join(paragraphs) + "\n"

    def headline(self) -> str:
        """A title; some say "said", a word in most passages (BM25's negative-IDF case)."""
        past, _ = self.pick(VERBS)
        org, noun, place = self.pick(ORGS), self.pick(NOUNS), self.pick(PLACES)
        if self.random.randrange(4) == 0:
            return f"{org} said {noun} {past} in {place}"
        return f"{org} {past} {noun} in {place}"


@functools.cache
def _zipf(count: int) -> list[float]:
    return list(itertools.accumulate(1 / rank for rank in range(1, count + 1)))


def articles(count: int, seed: int = 1987) -> list[str]:
    writer = NewsWriter(seed)
    return [writer.article() for _ in range(count)]


def headlines(count: int, seed: int = 2004) -> list[str]:
    writer = NewsWriter(seed)
    return [writer.headline() for _ in range(count)]


def shared_data(*parts: str) -> Path:
    """A path under `../shared` for a `shared_data` test, which fails (not skips) without it."""
    path = SHARED.joinpath(*parts)
    if not path.exists():
        pytest.fail(f"{path} not found: the shared_data tests need ../shared beside the checkout")
    return path
