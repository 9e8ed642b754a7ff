"""`python -m bot eval claims|seeds --questions FILE`: any question file in the shared format.

Run from an empty folder: a question file needs no `../shared` (no `--data`) beside it.
"""

import json
from pathlib import Path

import pytest

from bot.main import main


@pytest.fixture(autouse=True)
def _elsewhere(tmp_path_factory: pytest.TempPathFactory, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path_factory.mktemp("elsewhere"))


SOURCE = "The Harbour Bridge opened in 1932. It carries eight lanes of traffic.\n"


def _write_questions(path: Path, questions: list[dict]) -> Path:
    path.write_text("\n".join(json.dumps(q) for q in questions) + "\n", encoding="utf-8")
    return path


def test_a_question_file_is_scored_on_status_and_citations(make_sources, tmp_path, capsys):
    folder = make_sources({"001-bridge.txt": SOURCE})
    questions = _write_questions(
        tmp_path / "q.jsonl",
        [
            {
                "id": "q1",
                "question": "When did the Harbour Bridge open?",
                "expect": "answered",
                "cite": [{"source": "001", "any": ["opened in 1932"]}],
                "contradiction": False,
            },
            {"id": "q2", "question": "What is the capital of Peru?", "expect": "answered"},
        ],
    )
    code = main(["eval", "claims", "--sources", str(folder), "--questions", str(questions)])
    out = capsys.readouterr().out
    assert code == 0
    assert "ok   q1" in out
    assert "FAIL q2" in out and "status no_match" in out
    assert "status right: 1/2" in out


def test_a_malformed_question_file_is_one_line_error_not_a_traceback(tmp_path, capsys):
    bad = tmp_path / "bad.jsonl"
    bad.write_text('{"id": "q1", "question": "x", "expect": "answered"}\n{not json\n')
    assert main(["eval", "seeds", "--questions", str(bad)]) == 2
    err = capsys.readouterr().err
    assert "bad.jsonl line 2" in err and "Traceback" not in err


def test_a_missing_question_file_is_reported(tmp_path, capsys):
    assert main(["eval", "claims", "--questions", str(tmp_path / "none.jsonl")]) == 2
    assert "question file not found" in capsys.readouterr().err


def test_without_a_question_file_the_data_folder_is_still_needed(capsys):
    assert main(["eval", "claims"]) == 2  # the default question file lives in ../shared
    assert "data folder not found" in capsys.readouterr().err
