"""`python -m bot eval newswire`: two wire stories of the same days, asked among the others."""

from __future__ import annotations

import gzip
import json
from pathlib import Path

from bot.main import main

_STORIES = [
    (1, "ACME MAY BE DOWNGRADED", "Moody's said it may downgrade Acme Corp's 65 mln dlrs of debt."),
    (
        2,
        "CORRECTED - ACME MAY BE DOWNGRADED",
        "Moody's said it may downgrade Acme Corp's 81 mln "
        "dlrs of debt.\n    -- corrects amount of debt from 65 mln dlrs.",
    ),
    (3, "BETA SETS PAYOUT", "Beta Inc said it raised its quarterly dividend to 12 cts a share."),
    (4, "GAMMA BUYS STAKE", "Gamma Corp said it bought a 5.1 pct stake in Delta Inc."),
]


def _reuters(folder: Path) -> Path:
    records = "".join(
        f'<REUTERS NEWID="{n}"><DATE>2-MAR-1987 10:00:00.00</DATE><TEXT><TITLE>{title}</TITLE>'
        f"<BODY>{body}\n Reuter\n\x03</BODY></TEXT></REUTERS>\n"
        for n, title, body in _STORIES
    )
    target = folder / "data" / "reuters21578"
    target.mkdir(parents=True)
    (target / "reut2-000.sgm.gz").write_bytes(gzip.compress(records.encode("latin-1")))
    return folder


def _set(path: Path, *rows: dict) -> Path:
    path.write_text("".join(json.dumps(row) + "\n" for row in rows), encoding="utf-8")
    return path


def test_a_disagreeing_pair_is_found_and_an_agreeing_one_counted(tmp_path, capsys) -> None:
    data = _reuters(tmp_path / "shared")
    pairs = _set(
        tmp_path / "set.jsonl",
        {
            "id": "d1",
            "question": "How much Acme debt may Moody's downgrade?",
            "articles": [1, 2],
            "label": "disagree",
            "slot": "number",
            "quotes": ["65 mln dlrs", "81 mln dlrs"],
        },
        {
            "id": "a1",
            "question": "What stake did Gamma buy?",
            "articles": [4, 3],
            "label": "agree",
            "slot": None,
        },
    )
    assert main(["eval", "newswire", "--data", str(data), "--set", str(pairs)]) == 0
    out = capsys.readouterr().out
    assert "ok   d1 cited 2/2" in out
    assert "caveat naming the right pair: 1/1" in out
    assert "of which naming both values of the slot: 1/1" in out
    assert "false alarms (any caveat, agreeing pairs): 0/1" in out


def test_a_bad_set_file_is_one_line_naming_where(tmp_path, capsys) -> None:
    data = _reuters(tmp_path / "shared")
    bad = tmp_path / "bad.jsonl"
    bad.write_text('{"id": "x", "question": "q?", "articles": [1, 2], "label": "agree"}\n{oops\n')
    assert main(["eval", "newswire", "--data", str(data), "--set", str(bad)]) == 2
    assert f"{bad}:2:" in capsys.readouterr().err
    assert main(["eval", "newswire", "--data", str(data), "--set", str(tmp_path / "no")]) == 2
