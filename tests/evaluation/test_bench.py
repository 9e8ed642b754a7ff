"""`python -m bot bench` on a small folder: one JSON object with the documented keys."""

from __future__ import annotations

import json
from pathlib import Path

from bot.main import main


def test_bench_prints_every_figure_as_json(seeds_dir: Path, tmp_path: Path, capsys) -> None:
    questions = tmp_path / "questions.txt"
    questions.write_text("Did Japan ban Tesla?\n\nWho is Lars Moravy?\nweather in Paris\n")
    assert (
        main(["bench", "--sources", str(seeds_dir), "--questions", str(questions), "--json"]) == 0
    )
    figures = json.loads(capsys.readouterr().out)
    assert figures["questions"] == 3  # the blank line is not a question
    assert figures["passages"] > figures["sources"] == len(list(seeds_dir.glob("*.txt")))
    for key in ("retrieval_ms", "answer_ms"):
        assert set(figures[key]) == {"p50", "p95", "max"}
    assert set(figures["rank_bm25_ms"]) == {"p50", "p95"}
    assert figures["build_s"] >= 0 and figures["startup_s"] >= 0 and figures["peak_rss_mib"] > 0
    assert set(figures["build_cpu_s"]) == {"main", "workers"}
    assert figures["build_cpu_s"]["main"] > 0  # the seeds are analysed in this process
    assert "million" not in figures  # only the default run adds the million-passage run
    # the whole `ask` process: the second run finds the folder unchanged
    assert set(figures["ask_process_s"]) == {"first", "again", "again_cpu"}
    assert 0 < figures["ask_process_s"]["again"] < 60
