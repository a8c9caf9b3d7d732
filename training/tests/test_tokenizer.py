import json

from dialoop_train import tokenizer as tok


def test_round_trip_english_chinese_emoji():
    text = "Hello, 世界! 🎉 <|im_start|>user\nhi<|im_end|>"
    ids = tok.encode(text)
    assert ids.count(tok.IM_START) == 1 and ids.count(tok.IM_END) == 1
    assert tok.decode(ids) == text
    assert all(0 <= i < tok.VOCAB_SIZE for i in ids)


def test_dialogue_mask_covers_only_assistant_replies_and_their_end():
    msgs = [{"role": "user", "content": "Hi"}, {"role": "assistant", "content": "Hello!"}]
    ids, mask = tok.encode_dialogue(msgs)
    assert tok.decode(ids) == tok.render_chat(msgs)
    learned = [i for i, m in zip(ids, mask) if m]
    assert tok.decode(learned) == "Hello!<|im_end|>"


def test_saved_files_describe_a_byte_level_chatml_tokenizer(tmp_path):
    tok.save_tokenizer(tmp_path, 1024)
    t = json.loads((tmp_path / "tokenizer.json").read_text())
    assert len(t["model"]["vocab"]) == 256 and t["model"]["merges"] == []
    assert [a["content"] for a in t["added_tokens"]] == tok.SPECIAL_TOKENS
    cfg = json.loads((tmp_path / "tokenizer_config.json").read_text())
    assert cfg["eos_token"] == "<|im_end|>" and "im_start" in cfg["chat_template"]
    assert json.loads((tmp_path / "special_tokens_map.json").read_text())["pad_token"] == "<|pad|>"
