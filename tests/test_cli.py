"""The command line as a user meets it: output, JSON contract, exit codes, no tracebacks."""

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from bot.main import main
from bot.sources import DEFAULT_SOURCES_DIR


def _run(*args: str, stdin: bytes | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "bot", *args],
        input=stdin.decode("utf-8", "replace") if stdin else None,
        capture_output=True,
        text=True,
        timeout=60,
    )


def test_ask_prints_numbered_quotes_and_dated_sources() -> None:
    result = _run("ask", "Did Japan ban Tesla?")
    assert result.returncode == 0, result.stderr
    assert "[1] “" in result.stdout
    assert "Sources:" in result.stdout
    assert "2025-03-25" in result.stdout and "undated" in result.stdout


def test_ask_json_follows_the_contract(capsys) -> None:
    assert main(["ask", "--json", "Did Japan ban Tesla?"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert set(data) >= {"question", "status", "message", "citations", "contradictions"}
    assert data["status"] == "answered"
    for citation in data["citations"]:
        assert set(citation) >= {"n", "source", "excerpt", "start", "end", "score"}
        assert set(citation["source"]) >= {"id", "title", "date", "path"}
        path = citation["source"]["path"]  # relative to the sources folder: no host path shown
        assert not Path(path).is_absolute() and str(DEFAULT_SOURCES_DIR) not in path
        text = (DEFAULT_SOURCES_DIR / path).read_text(encoding="utf-8")
        assert citation["excerpt"].rstrip("…") == text[citation["start"] : citation["end"]]
    assert [c["n"] for c in data["citations"]] == list(range(1, len(data["citations"]) + 1))


def test_no_match_exits_zero_with_a_message(capsys) -> None:
    assert main(["ask", "--json", "What is the capital of France?"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert data["status"] == "no_match" and data["citations"] == [] and data["message"]


@pytest.mark.parametrize("question", ["   ", "!!!", "x" * 2001])
def test_invalid_input_exits_two_with_one_line_on_stderr(capsys, question: str) -> None:
    assert main(["ask", question]) == 2
    err = capsys.readouterr().err.strip()
    assert err.startswith("error: ") and "\n" not in err


def test_invalid_input_with_json_still_prints_the_object(capsys) -> None:
    assert main(["ask", "--json", ""]) == 2
    captured = capsys.readouterr()
    assert json.loads(captured.out)["status"] == "invalid"
    assert captured.err.startswith("error: ")


def test_binary_question_on_stdin_is_invalid_not_a_traceback() -> None:
    result = _run("ask", "-", stdin=b"\x00\xff\xfe binary \x01")
    assert result.returncode == 2
    assert "Traceback" not in result.stderr
    assert result.stderr.count("\n") == 1


def test_unreadable_sources_exit_two_with_the_reason(make_sources) -> None:
    folder = make_sources({"bad.txt": b"\x00\x01\x02"})
    result = _run("ask", "--sources", str(folder), "anything")
    assert result.returncode == 2
    assert "bad.txt" in result.stderr and "Traceback" not in result.stderr


def test_missing_sources_folder_exits_two(tmp_path: Path, capsys) -> None:
    assert main(["sources", "--sources", str(tmp_path / "missing")]) == 2
    assert "not found" in capsys.readouterr().err


def test_sources_option_is_accepted_before_the_subcommand_too(make_sources, capsys) -> None:
    folder = make_sources({"river.txt": "The river flooded the valley in May."})
    assert main(["--sources", str(folder), "ask", "Did", "the", "river", "flood?"]) == 0
    assert "[1] “The river flooded the valley in May.”" in capsys.readouterr().out
    assert main(["ask", "--sources", str(folder), "Did", "the", "river", "flood?"]) == 0
    assert "[1] “The river flooded the valley in May.”" in capsys.readouterr().out


def test_sources_lists_id_title_date_and_passage_count(capsys) -> None:
    assert main(["sources", "--json"]) == 0
    listing = json.loads(capsys.readouterr().out)
    assert [s["id"] for s in listing] == ["000", "001", "002"]
    assert all(s["passages"] > 0 and s["title"] for s in listing)
    assert listing[0]["date"] is None


def test_usage_errors_exit_two() -> None:
    result = _run("ask")
    assert result.returncode == 2 and "Traceback" not in result.stderr


def test_conflicts_lists_the_seeds_disagreements_with_both_sources(capsys) -> None:
    assert main(["conflicts", "--json"]) == 0
    conflicts = json.loads(capsys.readouterr().out)
    assert conflicts
    for conflict in conflicts:
        sides = conflict["sides"]
        assert {side["source"]["id"] for side in sides} == {"000", "001"}
        assert all(side["quote"] in side["passage"] for side in sides)
        assert conflict["explanation"]


def test_conflicts_finds_none_in_sources_that_agree(make_sources, capsys) -> None:
    folder = make_sources(
        {
            "a.txt": "The bridge opened to traffic on 4 May 2021 after two years of work.",
            "b.txt": "After two years of work, the bridge opened to traffic on 4 May 2021.",
        }
    )
    assert main(["conflicts", "--sources", str(folder)]) == 0
    assert "No disagreements" in capsys.readouterr().out


def test_conflicts_out_of_time_say_what_they_left_on_stderr(capsys) -> None:
    assert main(["conflicts", "--json", "--seconds", "1e-9"]) == 0
    captured = capsys.readouterr()
    assert json.loads(captured.out) == []  # stdout stays the JSON list
    assert "Stopped at the time limit: checked 0 of" in captured.err
    assert "--seconds 0 lifts the limit" in captured.err
    assert main(["conflicts", "--json", "--seconds", "0"]) == 0
    captured = capsys.readouterr()
    assert json.loads(captured.out) and not captured.err


def test_conflicts_refuse_a_negative_time_limit() -> None:
    result = _run("conflicts", "--seconds", "-3")
    assert result.returncode == 2 and "--seconds" in result.stderr
    assert "Traceback" not in result.stderr


def test_conflicts_terminal_output_names_titles_and_dates(capsys) -> None:
    assert main(["conflicts"]) == 0
    out = capsys.readouterr().out
    assert "Japan imposes a blanket ban on Tesla technology (2025-03-25)" in out
    assert "(undated)" in out


@pytest.mark.parametrize("command", [["ask", "Did Japan ban Tesla?"], ["sources", "--json"]])
def test_a_reader_that_stops_early_gets_no_traceback(command: list[str]) -> None:
    """`python -m bot ask ... | head -1`: the pipe closes before the output is written."""
    read_end, write_end = os.pipe()
    os.close(read_end)  # the reader is gone before the bot writes a byte
    try:
        done = subprocess.run(
            [sys.executable, "-m", "bot", *command],
            stdout=write_end, stderr=subprocess.PIPE, timeout=60, check=False,
        )  # fmt: skip
    finally:
        os.close(write_end)
    assert b"Traceback" not in done.stderr and b"BrokenPipe" not in done.stderr, done.stderr


def test_plain_commands_read_crosscheck_sources_like_run(
    make_sources, capsys, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    folder = make_sources({"river.txt": "The river flooded the valley in May."})
    monkeypatch.chdir(tmp_path)  # no .env here
    monkeypatch.setenv("CROSSCHECK_SOURCES", str(folder))
    assert main(["sources", "--json"]) == 0
    assert [s["id"] for s in json.loads(capsys.readouterr().out)] == ["river"]
    assert main(["ask", "--json", "Did the river flood?"]) == 0
    assert json.loads(capsys.readouterr().out)["citations"][0]["source"]["id"] == "river"
    assert main(["sources", "--sources", str(DEFAULT_SOURCES_DIR), "--json"]) == 0  # still wins
    assert len(json.loads(capsys.readouterr().out)) == 3


def test_ask_names_both_sides_of_a_disagreement_before_any_excerpt(capsys) -> None:
    from bot.answer import AnswerEngine

    assert main(["ask", "Did Japan ban Tesla?"]) == 0
    out = capsys.readouterr().out
    head = out[: out.index("\n[")]
    assert "⚠" in head and "001 (2025-03-25)" in head and "000 (undated)" in head, head
    answer = AnswerEngine.from_folder(DEFAULT_SOURCES_DIR).answer("Did Japan ban Tesla?")
    flat = " ".join(out.split())
    sides = [side for c in answer.contradictions for side in c.sides]
    for side in sides:
        assert flat.count(" ".join(side.quote.split())) == 1, side.quote
    # The two sides are the first excerpts printed.
    first = [line.split("]")[0] + "]" for line in out.splitlines() if line.startswith("[")][:2]
    assert first == [f"[{side.n}]" for side in sides[:2]]


def test_not_covered_points_the_terminal_to_its_own_command(capsys) -> None:
    for question in ("What's the weather in Tokyo tomorrow?", "What is the capital of France?"):
        assert main(["ask", question]) == 0
        shown = capsys.readouterr().out
        assert "don't cover" in shown and "python -m bot sources" in shown, shown
        assert "/sources list" not in shown
        assert main(["ask", "--json", question]) == 0
        message = json.loads(capsys.readouterr().out)["message"]
        assert "don't cover" in message and "/sources" not in message and "python -m" not in message
