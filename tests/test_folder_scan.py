"""`ask --sources DIR` with a saved index: an unchanged folder is checked by its files' stat, and
only what is quoted (or what a build step needs) is read; whatever changed is read again."""

from __future__ import annotations

import json
import os
import shutil
import time
from collections.abc import Callable
from pathlib import Path

import pytest

from bot.answer import both_sides
from bot.answer.engine import AnswerEngine
from bot.index.saved import files_record_path, index_path_for
from bot.index.store import IndexStore
from bot.main import main
from bot.settings import load_settings
from bot.sources import DEFAULT_SOURCES_DIR, SourceError, load_sources
from bot.sources.folder_scan import scan_sources

ROOT = Path(__file__).resolve().parents[1]

TESLA = "Japan banned imports of Tesla cars in March.\n\nThe ministry called the ban final.\n"
DIESEL = "Norway raised the tax on diesel trucks.\n\nHauliers said prices would rise.\n"
COPPER = "Chile opened a copper mine near the coast.\n\nThe mine employs 900 people.\n"


@pytest.fixture
def folder(tmp_path: Path) -> Path:
    folder = tmp_path / "sources"
    folder.mkdir()
    for name, text in {"a.txt": TESLA, "b.txt": DIESEL, "c.txt": COPPER}.items():
        (folder / name).write_text(text, encoding="utf-8")
    settle(folder)
    return folder


def settle(folder: Path, seconds_ago: float = 60) -> None:
    """Date every file in the past: a file written this instant is never trusted by its stat."""
    moment = time.time() - seconds_ago
    for path in folder.iterdir():
        os.utime(path, (moment, moment), follow_symlinks=False)


@pytest.fixture(autouse=True)
def large_library(monkeypatch: pytest.MonkeyPatch) -> None:
    """Each folder here is taken for one as large as those a folder check is for: a library
    small enough to be scanned for its known conflicts while its engine is built
    (`bot.answer.both_sides`) has every passage read for that scan, so every text."""
    monkeypatch.setattr(both_sides, "BUILD_SCAN_PASSAGES", 0)
    monkeypatch.setattr(both_sides, "BACKGROUND_SCAN_PASSAGES", 0)


@pytest.fixture
def opened(monkeypatch: pytest.MonkeyPatch, folder: Path) -> list[str]:
    """The names of the folder's files opened (every read of a source goes through os.open)."""
    names: list[str] = []
    real_open = os.open

    def counting(path, flags, *args, **kwargs):  # type: ignore[no-untyped-def]
        if Path(path).resolve().parent == folder.resolve():
            names.append(Path(path).name)
        return real_open(path, flags, *args, **kwargs)

    monkeypatch.setattr(os, "open", counting)
    return names


def ask(folder: Path, question: str, capsys: pytest.CaptureFixture[str]) -> dict:
    code = main(["ask", "--json", "--sources", str(folder), question])
    out, err = capsys.readouterr()
    assert code == 0, err
    return json.loads(out)


def cited(answer: dict) -> set[str]:
    return {Path(c["source"]["path"]).name for c in answer["citations"]}


def test_an_unchanged_folder_is_read_only_where_it_is_quoted(folder, opened, capsys) -> None:
    first = ask(folder, "Did Japan ban Tesla imports?", capsys)
    assert cited(first) == {"a.txt"} and set(opened) == {"a.txt", "b.txt", "c.txt"}
    opened.clear()
    again = ask(folder, "Did Japan ban Tesla imports?", capsys)
    assert again["citations"] == first["citations"]
    assert opened == ["a.txt"]  # the quoted file, once; the others stay unread
    opened.clear()
    assert ask(folder, "Did Chile open a copper mine?", capsys)["status"] == "answered"
    assert opened == ["c.txt"]
    opened.clear()
    assert main(["sources", "--json", "--sources", str(folder)]) == 0
    listed = json.loads(capsys.readouterr().out)
    assert [s["characters"] for s in listed] == [len(TESLA), len(DIESEL), len(COPPER)]
    assert opened == []  # the list of sources, its lengths included, reads no text


def test_a_file_rewritten_at_the_same_size_and_time_is_read_and_quoted_anew(folder, capsys) -> None:
    ask(folder, "Did Japan ban Tesla imports?", capsys)
    before = (folder / "a.txt").stat()
    new = TESLA.replace("imports", "exports").replace("March", "April")
    assert len(new) == len(TESLA)
    (folder / "a.txt").write_text(new, encoding="utf-8")
    os.utime(folder / "a.txt", ns=(before.st_atime_ns, before.st_mtime_ns))  # only ctime moves
    answer = ask(folder, "Did Japan ban Tesla exports?", capsys)
    assert answer["citations"][0]["excerpt"] == "Japan banned exports of Tesla cars in April."


def test_a_file_changed_in_size_and_time_is_read_and_quoted_anew(folder, capsys) -> None:
    ask(folder, "Did Japan ban Tesla imports?", capsys)
    (folder / "a.txt").write_text("Preface.\n\n" + TESLA.replace("March", "May"), "utf-8")
    settle(folder, seconds_ago=30)
    answer = ask(folder, "Did Japan ban Tesla imports?", capsys)
    text = (folder / "a.txt").read_text(encoding="utf-8")
    quote = answer["citations"][0]
    assert quote["excerpt"] == "Japan banned imports of Tesla cars in May."
    assert text[quote["start"] : quote["end"]] == quote["excerpt"]


def test_a_touched_file_keeps_its_analysis_and_the_saved_index(folder, opened) -> None:
    saved = index_path_for(load_settings().data_dir, folder)
    AnswerEngine(scan_sources(folder, files_record_path(saved)), index_store=IndexStore(saved))
    written = saved.stat().st_mtime_ns
    settle(folder, seconds_ago=30)  # every file touched: new times, same text
    opened.clear()
    store = IndexStore(saved)
    engine = AnswerEngine(scan_sources(folder, files_record_path(saved)), index_store=store)
    assert sorted(opened) == ["a.txt", "b.txt", "c.txt"]  # read to see that the text is the same
    assert store.analysed == 0 and saved.stat().st_mtime_ns == written
    opened.clear()
    AnswerEngine(scan_sources(folder, files_record_path(saved)), index_store=IndexStore(saved))
    assert opened == []  # the record took the new times
    assert engine.answer("Did Japan ban Tesla imports?").citations


def test_a_new_and_a_removed_file_are_picked_up(folder, capsys) -> None:
    ask(folder, "Did Japan ban Tesla imports?", capsys)
    (folder / "c.txt").unlink()
    (folder / "d.txt").write_text("Peru built a lithium plant in the desert.\n", "utf-8")
    settle(folder)
    assert cited(ask(folder, "Did Peru build a lithium plant?", capsys)) == {"d.txt"}
    assert ask(folder, "Did Chile open a copper mine?", capsys)["status"] == "no_match"
    assert main(["sources", "--json", "--sources", str(folder)]) == 0
    ids = [s["id"] for s in json.loads(capsys.readouterr().out)]
    assert ids == ["a", "b", "d"]


def test_a_link_out_of_the_folder_is_still_refused(folder, tmp_path, capsys) -> None:
    ask(folder, "Did Japan ban Tesla imports?", capsys)
    outside = tmp_path / "outside.txt"
    outside.write_text(DIESEL, encoding="utf-8")
    (folder / "b.txt").unlink()
    (folder / "b.txt").symlink_to(outside)
    settle(folder)
    assert main(["ask", "--sources", str(folder), "Did Japan ban Tesla imports?"]) == 2
    err = capsys.readouterr().err
    assert "b.txt links to a file outside the source folder" in err


def test_a_link_inside_the_folder_is_followed_and_kept(folder, capsys) -> None:
    (folder / "c.txt").rename(folder / "copper.md")
    (folder / "c.txt").symlink_to(folder / "copper.md")
    (folder / "copper.md").rename(folder / "copper.text")  # not a source itself
    (folder / "c.txt").unlink()
    (folder / "c.txt").symlink_to("copper.text")
    settle(folder)
    for _ in range(2):
        assert cited(ask(folder, "Did Chile open a copper mine?", capsys)) == {"c.txt"}


def test_a_file_that_is_no_longer_a_file_is_refused_as_before(folder, capsys) -> None:
    ask(folder, "Did Japan ban Tesla imports?", capsys)
    (folder / "b.txt").unlink()
    os.mkfifo(folder / "b.txt")
    assert main(["ask", "--sources", str(folder), "Did Japan ban Tesla imports?"]) == 2
    assert "b.txt is not a regular file (a FIFO)" in capsys.readouterr().err


def test_sources_toml_is_read_every_time(folder, opened, capsys) -> None:
    ask(folder, "Did Japan ban Tesla imports?", capsys)
    toml = '[[source]]\nfile = "a.txt"\ntitle = "The ban"\ndate = "1987-03-02"\n'
    (folder / "sources.toml").write_text(toml, encoding="utf-8")
    opened.clear()
    source = ask(folder, "Did Japan ban Tesla imports?", capsys)["citations"][0]["source"]
    assert (source["id"], source["title"], source["date"]) == ("a", "The ban", "1987-03-02")
    assert sorted(set(opened)) == ["a.txt", "sources.toml"]  # (the metadata, more than once)
    (folder / "sources.toml").write_text('[[source]]\nfile = "z.txt"\n', encoding="utf-8")
    assert main(["ask", "--sources", str(folder), "Did Japan ban Tesla imports?"]) == 2
    assert "there is no .txt or .md file 'z.txt'" in capsys.readouterr().err


def test_a_file_changed_after_the_start_is_never_quoted_at_old_offsets(folder) -> None:
    saved = index_path_for(load_settings().data_dir, folder)
    AnswerEngine(scan_sources(folder, files_record_path(saved)), index_store=IndexStore(saved))
    engine = AnswerEngine(
        scan_sources(folder, files_record_path(saved)), index_store=IndexStore(saved)
    )
    (folder / "a.txt").write_text("A new first line.\n\n" + TESLA, encoding="utf-8")
    with pytest.raises(SourceError, match="a.txt changed while this ran: run again"):
        engine.answer("Did Japan ban Tesla imports?")


def test_the_command_line_says_a_file_changed_under_it(folder, capsys, monkeypatch) -> None:
    ask(folder, "Did Japan ban Tesla imports?", capsys)
    build: Callable[..., None] = AnswerEngine.__init__

    def build_then_edit(self, *args, **kwargs):  # type: ignore[no-untyped-def]
        build(self, *args, **kwargs)
        (folder / "a.txt").write_text(TESLA.replace("March", "April"), encoding="utf-8")

    monkeypatch.setattr(AnswerEngine, "__init__", build_then_edit)
    assert main(["ask", "--sources", str(folder), "Did Japan ban Tesla imports?"]) == 2
    err = capsys.readouterr().err.strip()
    why = "a.txt changed while this ran: run again to use its new text"
    assert err == f"error: cannot use the sources: {why}"


def test_a_file_written_just_now_is_not_trusted_by_its_stat(folder, opened, capsys) -> None:
    (folder / "b.txt").write_text(DIESEL, encoding="utf-8")  # this instant
    ask(folder, "Did Japan ban Tesla imports?", capsys)
    opened.clear()
    ask(folder, "Did Japan ban Tesla imports?", capsys)
    assert sorted(opened) == ["a.txt", "b.txt"]  # quoted; and read again: it may still change


def test_a_broken_record_reads_the_whole_folder(folder, opened, capsys) -> None:
    ask(folder, "Did Japan ban Tesla imports?", capsys)
    record = files_record_path(index_path_for(load_settings().data_dir, folder))
    record.write_text('{"version": 1, "folder": 3', encoding="utf-8")
    opened.clear()
    assert cited(ask(folder, "Did Japan ban Tesla imports?", capsys)) == {"a.txt"}
    assert sorted(set(opened)) == ["a.txt", "b.txt", "c.txt"]


def test_the_scan_gives_what_load_sources_gives(folder) -> None:
    (folder / "2024-05-01 note.md").write_text("# Heading here\n\nNo date line.\n", "utf-8")
    (folder / "sources.toml").write_text('[[source]]\nfile = "b.txt"\ntitle = "Tax"\n', "utf-8")
    settle(folder)
    record = folder.parent / "record.json"
    for _ in range(2):  # reading, then from the record
        scanned = scan_sources(folder, record)
        assert scanned == load_sources(folder)


def test_acronyms_and_quotes_come_through_unread_sources(folder, opened, capsys) -> None:
    (folder / "ev.txt").write_text("Japan taxed every electric vehicle (EV) in 2020.\n", "utf-8")
    (folder / "norway.txt").write_text(
        "Norway exempted each electric vehicle from tolls.\n", "utf-8"
    )
    settle(folder)
    ask(folder, "Did Norway exempt EVs from tolls?", capsys)
    opened.clear()
    answer = ask(folder, "Did Norway exempt EVs from tolls?", capsys)
    assert cited(answer) == {"norway.txt"}
    assert opened == ["norway.txt"]  # the quote; the acronym came with the saved index


TABLE = (
    "Ferries of the northern lakes\n\n"
    "Ferry | Launched | Length | Crew\n"
    "Grey Heron | 1954 | 38 m | 6\n"
    "Lady Ashby | 1961 | 52 m | 9\n"
)


def test_an_engine_from_unread_sources_answers_as_one_from_read_ones(tmp_path: Path) -> None:
    """Long lines, acronyms (the seeds) and a table: what a build reads again of the texts
    comes from the texts it still reads (`bot.index.text_features`)."""
    folder = tmp_path / "seeds"
    shutil.copytree(DEFAULT_SOURCES_DIR, folder)
    (folder / "ferries.txt").write_text(TABLE, encoding="utf-8")
    settle(folder)
    lines = (ROOT / "tests" / "data" / "seed-questions-probe.jsonl").read_text("utf-8")
    questions = [json.loads(line)["question"] for line in lines.splitlines()]
    questions += ["How long is the Lady Ashby?", "How many crew does the Grey Heron have?"]
    read = AnswerEngine(load_sources(folder))
    saved = index_path_for(load_settings().data_dir, folder)
    for _ in range(2):  # the second engine's sources are unread until used
        scanned = AnswerEngine(
            scan_sources(folder, files_record_path(saved)), index_store=IndexStore(saved)
        )
    for question in questions:
        assert scanned.answer(question) == read.answer(question), question


STORIES = {
    "acme.txt": "ACME CORP <ACM> 1ST QTR NET\n\nShr 12 cts vs 10 cts\n    Net 1.2 mln vs 1.0 mln\n"
    "    Revs 25.3 mln vs 22.1 mln\n Reuter\n",
    "zenith.txt": "ZENITH MILLS <ZML> 1ST QTR NET\n\nShr 40 cts vs 35 cts\n"
    "    Net 4.4 mln vs 3.9 mln\n Reuter\n",
    "ports.txt": "Dock workers in Rotterdam returned to work on Monday after\na two-week strike "
    "over pay, the union said.\n    Zenith Mills and Acme Corp were among the\nshippers hit.\n",
}


def test_headlines_come_from_the_saved_index_or_the_texts_that_open_with_one(
    tmp_path, monkeypatch, capsys
) -> None:
    """A story's headline (`bot.index.headlines`) is saved with the index, with the title it was
    made with; a new title makes it anew, reading only the texts whose first passage is a
    heading line (the saved `text_features` say which)."""
    folder = tmp_path / "wire"
    folder.mkdir()
    for name, text in STORIES.items():
        (folder / name).write_text(text, encoding="utf-8")
    settle(folder)

    def titled(title: str) -> None:
        lines = "".join(f'[[source]]\nfile = "{n}"\ntitle = "{title}"\n' for n in STORIES)
        toml = folder / "sources.toml"
        toml.write_text(lines, encoding="utf-8")  # no name in the titles
        moment = time.time() - 60  # the stories' files keep their times
        os.utime(toml, (moment, moment))

    titled("Wire story")
    question = "What was Acme's first quarter net?"
    ask(folder, question, capsys)
    names: list[str] = []
    real_open = os.open

    def counting(path, flags, *args, **kwargs):  # type: ignore[no-untyped-def]
        names.append(Path(path).name)
        return real_open(path, flags, *args, **kwargs)

    monkeypatch.setattr(os, "open", counting)
    for title in ("Wire story", "Story from the wire"):
        titled(title)
        fresh = AnswerEngine(load_sources(folder)).answer(question)
        assert fresh.citations[0].source.id == "acme"
        names.clear()
        answer = ask(folder, question, capsys)
        assert [c["excerpt"] for c in answer["citations"]] == [c.excerpt for c in fresh.citations]
        read = set(names) & set(STORIES)
        if title == "Wire story":  # the headlines saved: only the quoted text is read
            assert read == cited(answer) == {"acme.txt"}
        else:  # made anew: the stories under a heading line are read, the others not
            assert read == {"acme.txt", "zenith.txt"}
