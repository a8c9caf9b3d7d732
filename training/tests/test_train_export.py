import json
import shutil

import onnx
import torch

from dialoop_train import corpus
from dialoop_train.export import export_onnx, greedy, io_names
from dialoop_train.model import PRESETS, DialoopLM, load_model
from dialoop_train.train import TrainConfig, heldout_dialogues, train


def small_run(out, steps, resume=False):
    train_d, heldout = corpus.generate(n_dialogues=200, seed=0)
    val = heldout_dialogues(heldout[:40])
    cfg = TrainConfig(steps=steps, batch_size=4, seq_len=64, lr=3e-3, warmup_steps=5, log_every=5,
                      eval_every=steps, checkpoint_every=10, threads=2)
    return train(PRESETS["tiny-test"], cfg, train_d, val, out, resume=resume, log=lambda *_: None)


def test_a_few_steps_lower_the_loss(tmp_path):
    res = small_run(tmp_path, 40)
    assert res["steps"] == 40
    first, last = res["history"][0]["loss"], res["history"][-1]["loss"]
    assert last < first - 0.5, (first, last)
    log = [json.loads(line) for line in (tmp_path / "train_log.jsonl").read_text().splitlines()]
    assert log[-1]["step"] == 40 and "val_loss" in log[-1]
    assert res["val_loss"] < 5.0


def test_resuming_from_a_checkpoint_reproduces_the_uninterrupted_run(tmp_path):
    straight = small_run(tmp_path / "a", 20)
    # A run that "crashed" after step 10: only its step-10 checkpoint is left.
    (tmp_path / "b" / "checkpoints").mkdir(parents=True)
    shutil.copyfile(tmp_path / "a" / "checkpoints" / "step-000010.pt", tmp_path / "b" / "checkpoints" / "latest.pt")
    resumed = small_run(tmp_path / "b", 20, resume=True)
    assert resumed["steps"] == 20
    for (ka, va), (kb, vb) in zip(straight["model"].state_dict().items(), resumed["model"].state_dict().items()):
        assert ka == kb and torch.allclose(va, vb, atol=1e-6), ka


def test_kv_cache_decoding_matches_full_recompute():
    torch.manual_seed(0)
    model = DialoopLM(PRESETS["tiny-test"]).eval()
    ids = torch.randint(0, 256, (1, 12))
    full, _ = model(ids)
    _, past = model(ids[:, :8])
    step, _ = model(ids[:, 8:], past_key_values=past)
    assert torch.allclose(full[:, 8:], step, atol=1e-5)


def test_attention_reading_the_past_in_place_matches_concatenation():
    """The exported graph's attention (no concatenated present) gives the training model's numbers,
    with left padding and grouped-query attention (the tiny-test preset has 2 KV heads for 4)."""
    torch.manual_seed(0)
    model = DialoopLM(PRESETS["tiny-test"]).eval()
    assert model.config.num_key_value_heads < model.config.num_attention_heads
    ids = torch.randint(0, 256, (2, 12))
    mask = torch.ones(2, 12, dtype=torch.long)
    mask[1, :3] = 0
    _, past = model(ids[:, :8], attention_mask=mask[:, :8])
    want, _ = model(ids[:, 8:], attention_mask=mask, past_key_values=past)
    for layer in model.layers:
        layer.self_attn.in_place = True
    got, presents = model(ids[:, 8:], attention_mask=mask, past_key_values=past)
    assert torch.allclose(want, got, atol=1e-5)
    assert presents[0][0] is None and presents[0][2].shape[2] == 4  # only the step's keys and values


def test_export_has_optimum_decoder_layout_and_checkpoint_reloads(tmp_path):
    torch.manual_seed(0)
    model = DialoopLM(PRESETS["tiny-test"]).eval()
    path = tmp_path / "model.onnx"
    export_onnx(model, path)
    graph = onnx.load(str(path)).graph
    inputs, outputs = io_names(model.config.num_hidden_layers)
    assert [i.name for i in graph.input] == inputs
    assert [o.name for o in graph.output] == outputs
    assert outputs[1:3] == ["new_key_values.0.key", "new_key_values.0.value"] and outputs[-1] == "new_key_values.1.value"
    assert not any(o.startswith("present.") for o in outputs)
    _, optimum = io_names(model.config.num_hidden_layers, new_key_values=False)
    assert optimum[1:3] == ["present.0.key", "present.0.value"] and not any(o.startswith("new_") for o in optimum)
    dims = [d.dim_param or d.dim_value for d in graph.input[3].type.tensor_type.shape.dim]
    assert dims == ["batch_size", model.config.num_key_value_heads, "past_sequence_length", model.config.head_dim]
    from dialoop_train.model import save_checkpoint
    save_checkpoint(tmp_path / "dialoop_checkpoint.pt", model)
    again, _ = load_model(tmp_path)
    prompt = list(range(20, 40))
    assert greedy(model, prompt, 8) == greedy(again, prompt, 8)
