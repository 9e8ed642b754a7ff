"""`python -m bot eval newswire`: the newswire development set over 400 real Reuters stories
(`tests/data/newswire-dev.jsonl`, written before the rules it judges)."""

import corpora
import pytest

from bot.evaluation.newswire_dev import run_newswire

pytestmark = pytest.mark.shared_data


def test_headlines_wrapped_sentences_and_named_roles_on_real_newswire(capsys) -> None:
    corpora.shared_data("data", "reuters21578")
    results = run_newswire(corpora.SHARED)
    capsys.readouterr()
    for reading, answers in results.items():
        right = {r.id for r in answers if r.passed}
        # every wrapped sentence quoted whole; every role cited or "not covered" as it should be
        assert all(r.id in right for r in answers if r.id.startswith(("wrap-", "role-"))), reading
        # figures on a table line under the headline that alone names the company (21/41 before)
        headed = [r.id for r in answers if r.id.startswith("head-")]
        assert sum(i in right for i in headed) >= 8, (reading, sorted(set(headed) - right))
