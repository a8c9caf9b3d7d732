"""Preference datasets as the feedback module exports them, checked the way TRL's trainers need.

``dpo.jsonl`` (TRL conversational preference, for DPOTrainer): ``prompt`` a list of messages
ending with a user turn, ``chosen`` and ``rejected`` each a list holding one assistant message.
``kto.jsonl`` (TRL conversational unpaired preference, for KTOTrainer): ``prompt`` as above,
``completion`` a list holding one assistant message, ``label`` a boolean.
A message is ``{"role": "system" | "user" | "assistant", "content": non-empty str}``.
An SFT line (a dataset version's ``sft/*.jsonl``) is ``{"messages": [...]}`` with at least one
assistant message.
See https://huggingface.co/docs/trl/dataset_formats.
"""

from __future__ import annotations

import json
from pathlib import Path

ROLES = {"system", "user", "assistant"}
COLUMNS = {"dpo": {"prompt", "chosen", "rejected"}, "kto": {"prompt", "completion", "label"}}


class DatasetFormatError(ValueError):
    """A line that a TRL trainer would reject or misread, with its line number."""


def _messages(value: object, where: str) -> list[dict]:
    if not isinstance(value, list) or not value:
        raise DatasetFormatError(f"{where} must be a non-empty list of messages")
    for i, m in enumerate(value):
        if not isinstance(m, dict) or set(m) != {"role", "content"}:
            raise DatasetFormatError(f"{where}[{i}] must be an object with exactly role and content")
        if m["role"] not in ROLES:
            raise DatasetFormatError(f"{where}[{i}].role must be one of {sorted(ROLES)}")
        if not isinstance(m["content"], str) or not m["content"].strip():
            raise DatasetFormatError(f"{where}[{i}].content must be a non-empty string")
    return value


def _reply(value: object, where: str) -> None:
    msgs = _messages(value, where)
    if len(msgs) != 1 or msgs[0]["role"] != "assistant":
        raise DatasetFormatError(f"{where} must hold exactly one assistant message")


def check_record(record: object, kind: str) -> dict:
    """Checks one record of ``kind`` ("dpo", "kto" or "sft"); returns it."""
    if kind == "sft":
        msgs = record.get("messages") if isinstance(record, dict) else None
        if not isinstance(msgs, list) or not msgs or not any(m.get("role") == "assistant" for m in msgs):
            raise DatasetFormatError("an SFT line needs messages with at least one assistant reply")
        return record
    if kind not in COLUMNS:
        raise ValueError(f"unknown kind {kind!r}")
    if not isinstance(record, dict):
        raise DatasetFormatError("a line must be a JSON object")
    if set(record) != COLUMNS[kind]:
        raise DatasetFormatError(f"columns must be {sorted(COLUMNS[kind])}, got {sorted(record)}")
    prompt = _messages(record["prompt"], "prompt")
    if prompt[-1]["role"] != "user":
        raise DatasetFormatError("prompt must end with a user message")
    if kind == "dpo":
        _reply(record["chosen"], "chosen")
        _reply(record["rejected"], "rejected")
    else:
        _reply(record["completion"], "completion")
        if not isinstance(record["label"], bool):
            raise DatasetFormatError("label must be a boolean")
    return record


def load_preference_file(path: str | Path, kind: str) -> list[dict]:
    """Reads a JSONL file of ``kind`` and checks every line (DatasetFormatError names the line)."""
    records = []
    with open(path, encoding="utf-8") as f:
        for n, line in enumerate(f, start=1):
            if not line.strip():
                continue
            try:
                records.append(check_record(json.loads(line), kind))
            except (DatasetFormatError, json.JSONDecodeError) as err:
                raise DatasetFormatError(f"{path}:{n}: {err}") from err
    return records
