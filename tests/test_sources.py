import os
from pathlib import Path

import pytest

from bot.main import main
from bot.sources import SourceError, decode_text, load_sources


def test_seed_metadata_gives_ids_titles_and_only_dates_the_text_supports(seeds_dir: Path) -> None:
    sources = {s.id: s for s in load_sources(seeds_dir)}
    assert sorted(sources) == ["000", "001", "002"]
    assert sources["000"].date is None
    assert sources["001"].date == "2025-03-25"
    assert sources["002"].date == "2020-03-03"
    assert all(s.title for s in sources.values())


def test_seed_text_is_unchanged(seeds_dir: Path) -> None:
    for source in load_sources(seeds_dir):
        assert source.text == source.path.read_text(encoding="utf-8")


def test_folder_without_metadata_falls_back_to_first_line_file_name_and_dateline(make_sources):
    folder = make_sources(
        {
            "12_heading.md": "# Council votes on bike lanes\n\nThe council voted on Tuesday.\n",
            "notes.txt": "x" * 300 + " is a long first line, so not a title.\n",
            "dated.txt": "2024-05-01 Lyon — The mayor spoke.\n",
        }
    )
    sources = {s.id: s for s in load_sources(folder)}
    assert sources["12"].title == "Council votes on bike lanes"
    assert sources["notes"].title == "notes"
    assert sources["dated"].date == "2024-05-01"
    assert sources["12"].date is None


@pytest.mark.parametrize(
    ("files", "message"),
    [
        ({}, "no .txt or .md files"),
        ({"a.txt": b"\x00\x01\x02binary"}, "binary"),
        ({"a.txt": b"caf\xe9 latin-1"}, "not UTF-8"),
        ({"a.txt": "   \n"}, "empty"),
        ({"a.txt": "text", "sources.toml": "[[source]\nfile="}, "not valid TOML"),
        (
            {
                "a.txt": "one",
                "b.txt": "two",
                "sources.toml": '[[source]]\nfile = "a.txt"\nid = "x"\n'
                '[[source]]\nfile = "b.txt"\nid = "x"\n',
            },
            "share the id 'x': a.txt and b.txt",
        ),
        (
            {"a.txt": "text", "sources.toml": '[[source]]\nfile = "a.txt"\ndate = "March"\n'},
            "not an ISO date",
        ),
    ],
)
def test_unusable_folders_fail_with_a_reason(make_sources, files, message) -> None:
    with pytest.raises(SourceError, match=message):
        load_sources(make_sources(files))


def test_missing_folder_fails_with_its_name(tmp_path: Path) -> None:
    with pytest.raises(SourceError, match="not found"):
        load_sources(tmp_path / "nowhere")


@pytest.fixture
def secret_beside(tmp_path: Path) -> Path:
    """A folder of seeds copies with a `.env` holding a token one level up, as in a checkout."""
    (tmp_path / ".env").write_text("DISCORD_TOKEN=MTEw.FAKE.secret\n", encoding="utf-8")
    folder = tmp_path / "sources"
    folder.mkdir()
    (folder / "a.txt").write_text("Japan banned Tesla in March.\n", encoding="utf-8")
    return folder


@pytest.mark.parametrize(
    ("make_entry", "message"),
    [
        (lambda f: (f / "notes.txt").symlink_to("../.env"), "notes.txt links to a file outside"),
        (
            lambda f: (f / "notes.txt").symlink_to(f.parent / ".env"),
            "notes.txt links to a file out",
        ),
        (lambda f: (f / "gone.txt").symlink_to("missing.txt"), "gone.txt is a broken link"),
        (lambda f: (f / "loop.txt").symlink_to("loop.txt"), "loop.txt cannot be followed"),
        (lambda f: os.mkfifo(f / "pipe.txt"), "pipe.txt is not a regular file \\(a FIFO\\)"),
        (lambda f: (f / "chapter.md").mkdir(), "chapter.md is not a regular file \\(a folder\\)"),
        (lambda f: (f / "sources.toml").symlink_to("../.env"), "sources.toml links to a file out"),
    ],
    ids=["relative-link-out", "absolute-link-out", "broken", "loop", "fifo", "folder", "toml-out"],
)
def test_entries_that_are_not_files_inside_the_folder_fail_it_by_name(
    secret_beside: Path, make_entry, message: str
) -> None:
    make_entry(secret_beside)
    with pytest.raises(SourceError, match=message):
        load_sources(secret_beside)


def test_a_link_to_a_file_inside_the_folder_is_read(secret_beside: Path) -> None:
    (secret_beside / "copy.txt").symlink_to("a.txt")
    texts = {s.id: s.text for s in load_sources(secret_beside)}
    assert texts == {
        "a": "Japan banned Tesla in March.\n",
        "copy": "Japan banned Tesla in March.\n",
    }


def test_a_linked_source_folder_is_read_where_it_points(secret_beside: Path) -> None:
    alias = secret_beside.parent / "alias"
    alias.symlink_to(secret_beside, target_is_directory=True)
    assert [s.id for s in load_sources(alias)] == ["a"]


def test_the_leaked_token_reproduction_exits_two_with_one_line(secret_beside: Path, capsys) -> None:
    (secret_beside / "notes.txt").symlink_to("../.env")
    assert main(["ask", "--sources", str(secret_beside), "What is the DISCORD_TOKEN?"]) == 2
    captured = capsys.readouterr()
    assert "secret" not in captured.out + captured.err
    assert captured.err.strip().count("\n") == 0 and "notes.txt" in captured.err


@pytest.mark.parametrize(
    ("names", "ids"),
    [
        (["2025-03-25 a.txt", "2025-03-25 b.txt"], ["2025-03-25-a", "2025-03-25-b"]),
        (["2025-03-25 ban.txt"], ["2025-03-25-ban"]),
        (["draft-1.txt", "draft-2.txt", "draft-10.md"], ["draft-1", "draft-10", "draft-2"]),
        (["01.txt", "02.txt", "10.txt"], ["01", "02", "10"]),
        (["1 a.txt", "1 b.txt", "2 c.txt"], ["1-a", "1-b", "2"]),
        (["01.txt", "01_intro.txt"], ["01.txt", "01_intro"]),
        (["notes.txt", "notes.md", "Notes.TXT"], ["Notes.TXT", "notes.md", "notes.txt"]),
        (["000_x.txt", "001_y.txt"], ["000", "001"]),
    ],
)
def test_ids_from_common_file_name_schemes_do_not_collide(make_sources, names, ids) -> None:
    folder = make_sources({name: f"Text of {name}.\n" for name in names})
    sources = load_sources(folder)
    assert [s.id for s in sources] == ids
    assert all(s.text == f"Text of {s.path.name}.\n" for s in sources)


def test_an_id_from_sources_toml_keeps_its_name_and_a_clashing_file_name_moves_aside(
    make_sources,
) -> None:
    folder = make_sources(
        {
            "a.txt": "First.\n",
            "b.txt": "Second.\n",
            "sources.toml": '[[source]]\nfile = "b.txt"\nid = "a"\n',
        }
    )
    assert {s.id: s.text for s in load_sources(folder)} == {"a": "Second.\n", "a.txt": "First.\n"}


@pytest.mark.parametrize(
    ("name", "text", "meta", "date"),
    [
        ("2025-03-25 ban.txt", "Japan banned Tesla.\n", "", "2025-03-25"),
        ("2025-03-25 ban.txt", "2024-01-02 Tokyo — Japan banned Tesla.\n", "", "2024-01-02"),
        ("2025-03-25 ban.txt", "Japan banned Tesla.\n", 'date = "2020-01-01"\n', "2020-01-01"),
        ("2025-13-40 ban.txt", "Japan banned Tesla.\n", "", None),
        ("20250325 ban.txt", "Japan banned Tesla.\n", "", None),
    ],
)
def test_a_leading_iso_date_in_the_file_name_dates_the_source_when_nothing_else_does(
    make_sources, name: str, text: str, meta: str, date: str | None
) -> None:
    toml = f'[[source]]\nfile = "{name}"\n{meta}' if meta else None
    folder = make_sources({name: text, **({"sources.toml": toml} if toml else {})})
    assert [s.date for s in load_sources(folder)] == [date]


@pytest.mark.parametrize(
    ("raw", "message"),
    [
        ("Japan banned Tesla.\n".encode("utf-16"), "notes.txt is UTF-16 text, not UTF-8"),
        ("Japan banned Tesla.\n".encode("utf-16-be"), "is UTF-16 text, not UTF-8"),
        ("Japan banned Tesla.\n".encode("utf-16-le"), "is UTF-16 text, not UTF-8"),
        ("Japan banned Tesla.\n".encode("utf-32"), "is UTF-32 text, not UTF-8"),
        (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00", "notes.txt is not a text file"),
        (b"caf\xe9 au lait", "not UTF-8 text \\(bad byte at offset 3\\)"),
        (b"\xef\xbb\xbf \n\t", "notes.txt is empty"),
    ],
    ids=["utf-16", "utf-16-be", "utf-16-le-without-bom", "utf-32", "png", "latin-1", "blank"],
)
def test_decode_text_names_what_is_wrong_with_the_bytes(raw: bytes, message: str) -> None:
    with pytest.raises(SourceError, match=message):
        decode_text(raw, "notes.txt")


def test_decode_text_keeps_utf8_text_as_it_is_without_its_bom() -> None:
    assert decode_text("\ufeffTōkyō — 東京\n".encode(), "a.txt") == "Tōkyō — 東京\n"


def _toml(*entries: str) -> str:
    return "".join(f"[[source]]\n{entry}\n" for entry in entries)


@pytest.mark.parametrize(
    ("metadata", "message"),
    [
        (_toml('file = "gone.txt"'), "number 1: there is no .txt or .md file 'gone.txt'"),
        (_toml('file = "../.env"'), "no .txt or .md file '../.env'"),
        (_toml('file = "a.txt"', 'file = "a.txt"'), "number 2: a.txt already has an entry"),
        (_toml('file = "a.txt"\ndate = 2025-03-25T10:00:00'), "`date` must be a date .*date-time"),
        (
            _toml('file = "a.txt"\ntitle = 2025-03-25T10:00:00'),
            "`title` must be a string, not a date",
        ),
        (_toml('file = "a.txt"\ntitle = { text = "x" }'), "`title` must be a string, not a table"),
        (_toml('file = "a.txt"\nid = ["a"]'), "`id` must be a string, not an array"),
        (_toml("file = 7"), "`file` must be a string, not a number"),
        (_toml('file = "a.txt"\nid = "\\u001b[0m"'), "the `id` of a.txt is empty"),
    ],
    ids=[
        "missing",
        "outside",
        "twice",
        "datetime-date",
        "datetime-title",
        "table",
        "array",
        "number",
        "escape-id",
    ],  # fmt: skip
)
def test_sources_toml_mistakes_are_named(make_sources, metadata: str, message: str) -> None:
    folder = make_sources({"a.txt": "Japan banned Tesla.\n", "sources.toml": metadata})
    with pytest.raises(SourceError, match=message):
        load_sources(folder)


def test_a_toml_date_is_a_date(make_sources) -> None:
    folder = make_sources(
        {"a.txt": "Text.\n", "sources.toml": _toml('file="a.txt"\ndate=2025-03-25')}
    )
    assert load_sources(folder)[0].date == "2025-03-25"


def test_ids_and_titles_lose_escape_sequences_and_control_characters(make_sources) -> None:
    folder = make_sources(
        {
            "a.txt": "\x1b[2J\x1b[31mRed\x1b[0m heading\u202e\n\nBody.\n",
            "b.txt": "Body.\n",
            "sources.toml": _toml(
                'file = "b.txt"\nid = "\\u001b]0;pwned\\u0007b\\u0000"\n'
                'title = "Tab\\there\\u001b[1m"'
            ),
        }
    )
    sources = {s.id: s.title for s in load_sources(folder)}
    assert sources == {"a": "Red heading", "b": "Tab here"}


def test_a_file_given_as_the_folder_is_named_as_a_file(make_sources, capsys) -> None:
    file = make_sources({"a.txt": "Japan banned Tesla.\n"}) / "a.txt"
    assert main(["sources", "--sources", str(file)]) == 2
    assert "a.txt is a file, not a folder" in capsys.readouterr().err


@pytest.mark.parametrize(
    "source_id",
    ["../../escaped", "/tmp/escaped", "a/b", "a\\\\b", "..", ".hidden", "C:escaped", "x" * 201],
)
def test_an_id_that_cannot_name_a_file_is_refused_naming_sources_toml(
    make_sources, source_id: str
) -> None:
    toml = _toml(f'file = "a.txt"\nid = "{source_id}"')
    folder = make_sources({"a.txt": "Japan banned Tesla.\n", "sources.toml": toml})
    with pytest.raises(SourceError, match=r"sources.toml, \[\[source\]\] number 1: the `id`"):
        load_sources(folder)


def test_ids_made_from_file_names_are_plain_file_names(make_sources) -> None:
    folder = make_sources({"..txt": "One.\n", "a.txt": "Two.\n", "..md": "Three.\n"})
    for source in load_sources(folder):
        assert "/" not in source.id and not source.id.startswith(".") and source.id
