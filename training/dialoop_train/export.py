"""ONNX export in Hugging Face Optimum's decoder-with-past layout.

inputs : input_ids [batch, seq] int64, attention_mask [batch, past+seq] int64,
         position_ids [batch, seq] int64, past_key_values.{i}.key|value [batch, kv_heads, past, head_dim] f32
outputs: logits [batch, seq, vocab] f32, and either
         new_key_values.{i}.key|value [batch, kv_heads, seq, head_dim] f32 (the default): this step's keys
         and values alone, which a server keeping its own cache appends to it; the attention reads the
         past keys and values in place (model.py, Attention._attend_in_place) and the graph has no
         presents, so a step never copies the cache (a present is the whole cache, copied every step);
         or, with new_key_values=False (`--optimum-only`), Optimum's
         present.{i}.key|value [batch, kv_heads, past+seq, head_dim] f32, for consumers of that layout.
"""
from __future__ import annotations

import json
from pathlib import Path

import onnx
import torch
from torch import nn

from .model import DialoopLM


class _OnnxWrapper(nn.Module):
    def __init__(self, model: DialoopLM, new_key_values: bool):
        super().__init__()
        self.model = model
        self.new_key_values = new_key_values

    def forward(self, input_ids, attention_mask, position_ids, *past):
        pkv = [(past[2 * i], past[2 * i + 1]) for i in range(len(past) // 2)]
        for layer in self.model.layers:
            layer.self_attn.in_place = self.new_key_values
        try:
            logits, presents = self.model(input_ids, attention_mask, position_ids, pkv)
        finally:
            for layer in self.model.layers:
                layer.self_attn.in_place = False
        out = []
        for k, v, nk, nv in presents:
            out += [nk, nv] if self.new_key_values else [k, v]
        return (logits, *out)


def io_names(n_layers: int, new_key_values: bool = True) -> tuple[list[str], list[str]]:
    inputs = ["input_ids", "attention_mask", "position_ids"]
    outputs = ["logits"]
    kv = "new_key_values" if new_key_values else "present"
    for i in range(n_layers):
        inputs += [f"past_key_values.{i}.key", f"past_key_values.{i}.value"]
        outputs += [f"{kv}.{i}.key", f"{kv}.{i}.value"]
    return inputs, outputs


def export_onnx(model: DialoopLM, path: str | Path, opset: int = 14, new_key_values: bool = True) -> None:
    """`new_key_values=False` gives the plain Optimum layout (what other exporters produce)."""
    cfg = model.config
    model.eval()
    b, s, past = 2, 3, 4
    dummy_past = []
    for _ in range(cfg.num_hidden_layers):
        dummy_past += [torch.zeros(b, cfg.num_key_value_heads, past, cfg.head_dim)] * 2
    args = (torch.randint(0, 256, (b, s)), torch.ones(b, past + s, dtype=torch.long),
            torch.arange(past, past + s).unsqueeze(0).expand(b, s).contiguous(), *dummy_past)
    inputs, outputs = io_names(cfg.num_hidden_layers, new_key_values)
    axes = {"input_ids": {0: "batch_size", 1: "sequence_length"},
            "attention_mask": {0: "batch_size", 1: "total_sequence_length"},
            "position_ids": {0: "batch_size", 1: "sequence_length"},
            "logits": {0: "batch_size", 1: "sequence_length"}}
    for n in inputs[3:]:
        axes[n] = {0: "batch_size", 2: "past_sequence_length"}
    for n in outputs[1:]:
        axes[n] = {0: "batch_size", 2: "sequence_length" if n.startswith("new_") else "total_sequence_length"}
    with torch.no_grad():
        torch.onnx.export(_OnnxWrapper(model, new_key_values), args, str(path), input_names=inputs, output_names=outputs,
                          dynamic_axes=axes, opset_version=opset, do_constant_folding=True)
    onnx.checker.check_model(onnx.load(str(path)))


@torch.no_grad()
def greedy(model: DialoopLM, prompt_ids: list[int], max_new_tokens: int, stop_ids=(258, 256),
           ignore_eos: bool = False) -> tuple[list[int], list[list[float]]]:
    """Greedy decoding with the KV cache; returns generated ids and each step's logits."""
    model.eval()
    logits, past = model(torch.tensor([prompt_ids]))
    out, all_logits = [], []
    for _ in range(max_new_tokens):
        last = logits[0, -1]
        all_logits.append(last.tolist())
        nxt = int(last.argmax())
        out.append(nxt)
        if nxt in stop_ids and not ignore_eos:
            break
        logits, past = model(torch.tensor([[nxt]]), past_key_values=past)
    return out, all_logits


@torch.no_grad()
def greedy_ids_batch(model: DialoopLM, prompts: list[list[int]], max_new_tokens: int,
                     stop_ids=(258, 256)) -> list[tuple[list[int], bool]]:
    """Greedy decoding of several prompts at once (left padding, the KV cache). Returns, per
    prompt, the new ids (without the stop token) and whether a stop token (<|im_end|>,
    <|endoftext|>: the server's end tokens) ended it within max_new_tokens."""
    model.eval()
    b, n = len(prompts), max(len(p) for p in prompts)
    ids = torch.zeros((b, n), dtype=torch.long)
    mask = torch.zeros((b, n), dtype=torch.long)
    for j, p in enumerate(prompts):
        ids[j, n - len(p):] = torch.tensor(p)
        mask[j, n - len(p):] = 1
    pos = (mask.cumsum(-1) - 1).clamp(min=0)
    logits, presents = model(ids, mask, pos)
    past = [(k, v) for k, v, *_ in presents]
    out: list[list[int]] = [[] for _ in range(b)]
    ended = [False] * b
    last_pos = pos[:, -1:]
    for step in range(max_new_tokens):
        nxt = logits[:, -1].argmax(-1)
        for j in range(b):
            if not ended[j]:
                t = int(nxt[j])
                if t in stop_ids:
                    ended[j] = True
                else:
                    out[j].append(t)
        if all(ended) or step == max_new_tokens - 1:
            break
        mask = torch.cat([mask, torch.ones(b, 1, dtype=torch.long)], dim=1)
        last_pos = last_pos + 1
        logits, presents = model(nxt.unsqueeze(1), mask, last_pos, past)
        past = [(k, v) for k, v, *_ in presents]
    return list(zip(out, ended))


PARITY_PROMPTS = [
    [{"role": "user", "content": "What is 12 + 7?"}],
    [{"role": "user", "content": "你好"}],
    [{"role": "system", "content": "You are Dialoop, a helpful assistant."},
     {"role": "user", "content": "What is the capital of France?"}],
    [{"role": "user", "content": "Define DPO."}],
]


def write_parity_fixture(model: DialoopLM, path: str | Path, steps: int = 24) -> None:
    """Reference greedy tokens and logits from PyTorch, for the ONNX-vs-PyTorch parity test."""
    from .tokenizer import encode, render_chat
    cases = []
    for msgs in PARITY_PROMPTS:
        ids = encode(render_chat(msgs, add_generation_prompt=True))
        tokens, logits = greedy(model, ids, steps, ignore_eos=True)
        cases.append({"messages": msgs, "prompt_ids": ids, "greedy_ids": tokens,
                      "logits": [logits[0], logits[len(logits) // 2], logits[-1]],
                      "logit_steps": [0, len(logits) // 2, len(logits) - 1]})
    Path(path).parent.mkdir(parents=True, exist_ok=True)
    Path(path).write_text(json.dumps({"steps": steps, "cases": cases}) + "\n")


def main(argv=None) -> None:
    """Re-exports a model folder's model.onnx from its checkpoint, or (--checkpoint) makes a
    complete servable folder from a training run's checkpoint. Either way the folder also gets
    model_int8.onnx beside model.onnx (quantize.py; --no-int8: not), made again from the new
    model.onnx so that the two never disagree."""
    import argparse
    import shutil
    from .model import load_model, write_configs
    from .tokenizer import save_tokenizer
    ap = argparse.ArgumentParser(description=main.__doc__)
    ap.add_argument("--model-dir", required=True, help="the model folder to (re)write")
    ap.add_argument("--checkpoint", help="a training checkpoint (e.g. OUT/dialoop_checkpoint.pt): write a whole folder from it")
    ap.add_argument("--out", help="ONNX file to write (default: MODEL_DIR/model.onnx)")
    ap.add_argument("--optimum-only", action="store_true", help="leave out the new_key_values.* outputs")
    ap.add_argument("--fixture", help="also write the parity fixture here")
    ap.add_argument("--no-int8", action="store_true", help="do not write model_int8.onnx beside model.onnx")
    a = ap.parse_args(argv)
    folder = Path(a.model_dir)
    if a.checkpoint:
        folder.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(a.checkpoint, folder / "dialoop_checkpoint.pt")
    model, _ = load_model(folder)
    if a.checkpoint:
        save_tokenizer(folder, model.config.max_position_embeddings)
        write_configs(folder, model.config)
    target = Path(a.out) if a.out else folder / "model.onnx"
    export_onnx(model, target, new_key_values=not a.optimum_only)
    if not a.no_int8 and target.resolve() == (folder / "model.onnx").resolve():
        from .quantize import quantize_beside
        quantize_beside(folder, log=lambda *_: None)
    if a.fixture:
        write_parity_fixture(model, a.fixture)


if __name__ == "__main__":
    main()
