"""`python -m bot bench --servers N` on a tiny generated folder: the JSON figures, and each
server's question answered from that server's own added source."""

from __future__ import annotations

import json
from pathlib import Path

from bot.main import main

TOPICS = ["glacier", "volcano", "harbour", "orchard", "tramway", "lighthouse", "quarry", "canal"]


def test_bench_servers_prints_figures_and_cites_own_sources(tmp_path: Path, capsys) -> None:
    folder = tmp_path / "corpus"
    folder.mkdir()
    for n, topic in enumerate(TOPICS):
        text = f"The {topic} of Town{n} reopened after repairs costing {n + 3} million. Work ended."
        (folder / f"{n:03d}_{topic}.txt").write_text(text)
    command = ["bench", "--sources", str(folder), "--servers", "3", "--per-server", "2"]
    assert main([*command, "--ask-servers", "3", "--json"]) == 0
    figures = json.loads(capsys.readouterr().out)
    assert figures["servers"] == 3 and figures["per_server"] == 2
    assert figures["base_sources"] == len(TOPICS) - 6
    assert figures["startup_s"] >= 0
    assert figures["rss_after_start_mib"] > 0 and figures["rss_after_questions_mib"] > 0
    assert set(figures["first_question_ms"]) == {"p50", "p95", "max"}
    assert figures["asked_servers"] == 3
    assert figures["cite_own_source"] == 3
    assert "ENGINE_MEMORY_MB" in figures["note"]
    command += ["--base", "1", "--ask-servers", "2", "--json"]
    assert main(command) == 0
    figures = json.loads(capsys.readouterr().out)
    assert figures["base_sources"] == 1 and figures["cite_own_source"] == 2
