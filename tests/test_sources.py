from pathlib import Path

import pytest

from bot.sources import SourceError, load_sources


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
        ({"1_a.txt": "one", "1_b.txt": "two"}, "share the id"),
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
