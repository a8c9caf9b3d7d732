"""Byte-level ChatML tokenizer: 256 byte tokens (id == byte value) and 4 specials.

The files written by `save_tokenizer` load in Hugging Face `tokenizers`/`transformers`
and in @huggingface/tokenizers (Node): a ByteLevel pre-tokenizer and decoder without the
regex split, and a BPE model whose vocabulary is the 256 GPT-2 byte symbols with no merges.
"""
from __future__ import annotations

import json
import re
from pathlib import Path

SPECIAL_TOKENS = ["<|endoftext|>", "<|im_start|>", "<|im_end|>", "<|pad|>"]
ENDOFTEXT, IM_START, IM_END, PAD = 256, 257, 258, 259
VOCAB_SIZE = 260
_SPECIAL_IDS = {tok: 256 + i for i, tok in enumerate(SPECIAL_TOKENS)}
_SPECIAL_RE = re.compile("(" + "|".join(re.escape(t) for t in SPECIAL_TOKENS) + ")")

CHAT_TEMPLATE = (
    "{% for message in messages %}"
    "{{ '<|im_start|>' + message['role'] + '\\n' + message['content'] + '<|im_end|>' + '\\n' }}"
    "{% endfor %}"
    "{% if add_generation_prompt %}{{ '<|im_start|>assistant\\n' }}{% endif %}"
)


def bytes_to_unicode() -> dict[int, str]:
    """GPT-2's reversible byte -> printable unicode symbol map (used by ByteLevel)."""
    bs = list(range(ord("!"), ord("~") + 1)) + list(range(ord("¡"), ord("¬") + 1)) + list(range(ord("®"), ord("ÿ") + 1))
    cs = bs[:]
    n = 0
    for b in range(256):
        if b not in bs:
            bs.append(b)
            cs.append(256 + n)
            n += 1
    return {b: chr(c) for b, c in zip(bs, cs)}


def encode(text: str) -> list[int]:
    """Text (which may contain ChatML special tokens) -> token ids."""
    ids: list[int] = []
    for part in _SPECIAL_RE.split(text):
        if not part:
            continue
        special = _SPECIAL_IDS.get(part)
        if special is not None:
            ids.append(special)
        else:
            ids.extend(part.encode("utf-8"))
    return ids


def decode(ids: list[int]) -> str:
    out = bytearray()
    text: list[str] = []
    for i in ids:
        if i < 256:
            out.append(i)
        else:
            text.append(out.decode("utf-8", errors="replace"))
            out.clear()
            text.append(SPECIAL_TOKENS[i - 256])
    text.append(out.decode("utf-8", errors="replace"))
    return "".join(text)


def render_chat(messages: list[dict], add_generation_prompt: bool = False) -> str:
    """Python rendering of CHAT_TEMPLATE (kept identical; a test compares them)."""
    s = "".join(f"<|im_start|>{m['role']}\n{m['content']}<|im_end|>\n" for m in messages)
    return s + ("<|im_start|>assistant\n" if add_generation_prompt else "")


def encode_dialogue(messages: list[dict]) -> tuple[list[int], list[int]]:
    """Token ids of a whole ChatML dialogue and a 0/1 mask of the positions to learn:
    the assistant replies' content and their closing <|im_end|>."""
    ids: list[int] = []
    mask: list[int] = []
    for m in messages:
        head = encode(f"<|im_start|>{m['role']}\n")
        body = list(m["content"].encode("utf-8")) + [IM_END]
        learn = 1 if m["role"] == "assistant" else 0
        ids += head + body + [ord("\n")]
        mask += [0] * len(head) + [learn] * len(body) + [0]
    return ids, mask


def save_tokenizer(out_dir: str | Path, model_max_length: int) -> None:
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    b2u = bytes_to_unicode()
    vocab = {b2u[b]: b for b in range(256)}
    added = [
        {"id": 256 + i, "content": tok, "single_word": False, "lstrip": False, "rstrip": False,
         "normalized": False, "special": True}
        for i, tok in enumerate(SPECIAL_TOKENS)
    ]
    tokenizer = {
        "version": "1.0",
        "truncation": None,
        "padding": None,
        "added_tokens": added,
        "normalizer": None,
        "pre_tokenizer": {"type": "ByteLevel", "add_prefix_space": False, "trim_offsets": False, "use_regex": False},
        "post_processor": None,
        "decoder": {"type": "ByteLevel", "add_prefix_space": False, "trim_offsets": False, "use_regex": False},
        "model": {
            "type": "BPE", "dropout": None, "unk_token": None, "continuing_subword_prefix": None,
            "end_of_word_suffix": None, "fuse_unk": False, "byte_fallback": False, "ignore_merges": False,
            "vocab": vocab, "merges": [],
        },
    }
    config = {
        "tokenizer_class": "PreTrainedTokenizerFast",
        "added_tokens_decoder": {str(a["id"]): {k: v for k, v in a.items() if k != "id"} for a in added},
        "additional_special_tokens": ["<|im_start|>", "<|im_end|>"],
        "bos_token": None,
        "eos_token": "<|im_end|>",
        "pad_token": "<|pad|>",
        "unk_token": None,
        "clean_up_tokenization_spaces": False,
        "model_max_length": model_max_length,
        "chat_template": CHAT_TEMPLATE,
    }
    special_map = {
        "additional_special_tokens": ["<|im_start|>", "<|im_end|>"],
        "eos_token": "<|im_end|>",
        "pad_token": "<|pad|>",
    }
    for name, obj in (("tokenizer.json", tokenizer), ("tokenizer_config.json", config),
                      ("special_tokens_map.json", special_map)):
        (out / name).write_text(json.dumps(obj, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
