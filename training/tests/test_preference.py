"""The DPO and KTO files the feedback module writes load with the checks TRL's trainers need."""

import json
from pathlib import Path

import pytest

from dialoop_train.preference import DatasetFormatError, check_record, load_preference_file

FIXTURES = Path(__file__).resolve().parents[2] / "feedback" / "test" / "fixtures"


def test_the_feedback_modules_dpo_file_loads():
    rows = load_preference_file(FIXTURES / "dpo.sample.jsonl", "dpo")
    assert len(rows) == 3
    assert rows[0]["prompt"] == [{"role": "user", "content": "天空为什么是蓝色的？"}]
    assert rows[1]["prompt"][0]["role"] == "system" and rows[1]["prompt"][-1]["role"] == "user"
    assert all(r["chosen"][0]["role"] == "assistant" and isinstance(r["rejected"][0]["content"], str) for r in rows)


def test_the_feedback_modules_kto_file_loads():
    rows = load_preference_file(FIXTURES / "kto.sample.jsonl", "kto")
    assert [r["label"] for r in rows] == [True, False]
    assert rows[0]["completion"] == [{"role": "assistant", "content": "因为瑞利散射。"}]


GOOD = {
    "prompt": [{"role": "user", "content": "q"}],
    "chosen": [{"role": "assistant", "content": "a"}],
    "rejected": [{"role": "assistant", "content": "b"}],
}


@pytest.mark.parametrize(
    "change, message",
    [
        ({"chosen": None}, "chosen must be a non-empty list"),
        ({"extra": 1}, "columns must be"),
        ({"prompt": [{"role": "assistant", "content": "x"}]}, "prompt must end with a user message"),
        ({"prompt": [{"role": "bot", "content": "x"}]}, "role must be one of"),
        ({"rejected": [{"role": "assistant", "content": " "}]}, "content must be a non-empty string"),
        ({"chosen": [{"role": "user", "content": "a"}]}, "exactly one assistant message"),
    ],
)
def test_a_dpo_record_trl_would_reject_is_refused(change, message):
    with pytest.raises(DatasetFormatError, match=message):
        check_record({**GOOD, **change}, "dpo")


def test_kto_labels_must_be_booleans(tmp_path):
    bad = {"prompt": GOOD["prompt"], "completion": GOOD["chosen"], "label": 1}
    f = tmp_path / "kto.jsonl"
    f.write_text(json.dumps(bad) + "\n", encoding="utf-8")
    with pytest.raises(DatasetFormatError, match=r"kto.jsonl:1: label must be a boolean"):
        load_preference_file(f, "kto")
