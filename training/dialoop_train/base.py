"""`pnpm train:base`: reproduces the default model end to end.

corpus -> tokenizer files -> SFT (fixed step count, seed 0) -> ONNX export with KV cache
(model.onnx) and its INT8 graph beside it (model_int8.onnx, quantize.py) -> config.json /
generation_config.json -> checkpoint -> parity fixture -> metrics.json (every file's SHA-256)
-> model card.
"""
from __future__ import annotations

import argparse
import hashlib
import json
import platform
import shutil
import time
from dataclasses import asdict
from pathlib import Path

import torch

from . import corpus
from .export import export_onnx, write_parity_fixture
from .model import PRESETS, save_checkpoint, write_configs
from .tokenizer import save_tokenizer
from .train import TrainConfig, heldout_dialogues, read_jsonl, train

ROOT = Path(__file__).resolve().parents[2]
DEFAULT_OUT = ROOT / "inference" / "models" / "dialoop-tiny"
DEFAULT_FIXTURE = ROOT / "inference" / "test" / "fixtures" / "parity.json"
CARD_MARK = "<!-- eval:model writes below this line -->"


def sha256(path: Path) -> str:
    h = hashlib.sha256()
    with open(path, "rb") as f:
        for chunk in iter(lambda: f.read(1 << 20), b""):
            h.update(chunk)
    return h.hexdigest()


def build(out: Path, preset: str, cfg: TrainConfig, n_dialogues: int, work: Path, fixture: Path | None,
          log=print, int8: bool = True, variant: str = "default", resume: bool = False) -> dict:
    t_start, cpu_start = time.time(), time.process_time()
    data_dir = work / "data"
    corpus.main(["--out", str(data_dir), "--n", str(n_dialogues), "--seed", str(cfg.seed), "--variant", variant])
    train_d = [r["messages"] for r in read_jsonl(data_dir / "train.jsonl")]
    heldout = read_jsonl(data_dir / "heldout.jsonl")
    val_d = heldout_dialogues(heldout)
    model_cfg = PRESETS[preset]
    res = train(model_cfg, cfg, train_d, val_d, work, log=log, resume=resume)
    model = res["model"]
    out.mkdir(parents=True, exist_ok=True)
    export_onnx(model, out / "model.onnx")
    save_checkpoint(out / "dialoop_checkpoint.pt", model)
    save_tokenizer(out, model_cfg.max_position_embeddings)
    write_configs(out, model_cfg)
    shutil.copy(data_dir / "heldout.jsonl", out / "heldout.jsonl")
    if fixture is not None:
        write_parity_fixture(model, fixture)
    int8_report = None
    if int8:
        from .quantize import quantize_beside  # quantize imports this module
        int8_report = quantize_beside(out, log=log, card=False, update_metrics=False)
    files = sorted(p.name for p in out.iterdir() if p.is_file() and p.name not in ("README.md", "metrics.json"))
    metrics = {
        "preset": preset, "model_config": asdict(model_cfg), "train_config": asdict(cfg),
        "parameters": res["parameters"], "steps": res["steps"], "train_seconds": round(res["elapsed_s"], 1),
        "wall_seconds": round(time.time() - t_start, 1), "cpu_seconds": round(time.process_time() - cpu_start, 1),
        "train_tokens": res["train_tokens"],
        "corpus": {"variant": variant, "dialogues": len(train_d), "tokens": res["corpus_tokens"], "heldout_items": len(heldout)},
        "first_loss": res["first_loss"], "final_train_loss": res["final_train_loss"], "val_loss": res["val_loss"],
        "history": res["history"], "torch": torch.__version__, "machine": f"{platform.machine()} {platform.processor()}",
        "threads": cfg.threads, "files": {name: sha256(out / name) for name in files},
        **({"int8": int8_report} if int8_report else {}),
    }
    (out / "metrics.json").write_text(json.dumps(metrics, indent=2) + "\n")
    write_card(out, metrics)
    return metrics


CONV_NOTE = (" (by 1000 and 100 written at once, \"7 km = 7000 m\"; by 60 and 24 worked in the arithmetic's own"
             " column format, so that the steps are the facts the arithmetic teaches: \"3 days = 3 × 24 hours: ones 3 × 4 = 12,"
             " write 2 carry 1; tens 3 × 2 + 1 = 7; so 3 × 24 = 72. So 3 days = 72 hours.\")")


def write_card(out: Path, m: dict) -> None:
    """The model card; `pnpm eval:model --write-card` fills in the section below CARD_MARK."""
    mc, tc = m["model_config"], m["train_config"]
    sizes = {p.name: p.stat().st_size for p in out.iterdir() if p.is_file()}
    losses = "\n".join(f"| {h['step']} | {h['loss']:.3f} | {h['val_loss']:.3f} |" for h in m["history"] if "val_loss" in h)
    sweep_path = ROOT / "training" / "size-sweep.json"
    sweep = ""
    if sweep_path.exists():
        rows = json.loads(sweep_path.read_text())
        sweep = "\n".join(f"| {r['preset']} | {r['parameters']:,} | {r['seconds_per_step']:.2f} | {r['steps']} | {r['val_loss']:.3f} |"
                          for r in rows["runs"])
        sweep = (f"\n### Choosing the size\n\n{rows['method']}\n\n| preset | parameters | s/step | steps in budget | held-out loss |\n"
                 f"|---|---|---|---|---|\n{sweep}\n\n{rows['conclusion']}\n")
        if rows.get("earlier_run"):
            sweep += f"\n### An earlier run\n\n{rows['earlier_run']}\n"
    fmt_path = ROOT / "training" / "format-sweep.json"
    if fmt_path.exists():
        fmt = json.loads(fmt_path.read_text())
        sweep += f"\n### Choosing the data format and the length of the run\n\nShort sweeps on the previous default model (1,100 steps of the default corpus), before this run; \"the committed model\" below is that one:\n\n{fmt['conclusion']}\n"
        if fmt.get("decision"):
            sweep += f"\n{fmt['decision']}\n"
    files = "\n".join(f"| `{name}` | {sizes[name]:,} | `{digest[:16]}…` |" for name, digest in m["files"].items())
    card = f"""# dialoop-tiny

The default model of Dialoop: a small decoder-only transformer trained from scratch by
`pnpm train:base` (training/dialoop_train/base.py) on a synthetic bilingual (English and
Chinese) ChatML corpus. It exists so that the whole platform — chat, feedback, datasets,
training, serving — runs for real on a laptop without downloading anything. It is a
working model for the pipeline, not a useful assistant.

## Model

| | |
|---|---|
| architecture | Llama-style decoder: RMSNorm, rotary positions, SwiGLU MLP, grouped-query attention, tied embeddings |
| parameters | {m['parameters']:,} |
| layers / hidden / heads / KV heads / head size | {mc['num_hidden_layers']} / {mc['hidden_size']} / {mc['num_attention_heads']} / {mc['num_key_value_heads']} / {mc['head_dim']} |
| MLP size | {mc['intermediate_size']} |
| context | {mc['max_position_embeddings']} tokens |
| tokenizer | byte-level (256 byte tokens + `<\|endoftext\|>`, `<\|im_start\|>`, `<\|im_end\|>`, `<\|pad\|>`), ChatML chat template |
| ONNX | decoder with KV cache in Hugging Face Optimum's input layout (`input_ids`, `attention_mask`, `position_ids`, `past_key_values.N.key/value`) → `logits` and `new_key_values.N.key/value` (the step's own keys and values, which the inference server appends to its cache; the attention reads the past in place, so the graph has no `present.N.*` copies of the cache — `python3 -m dialoop_train.export --optimum-only` writes Optimum's `present` layout instead); opset 14, float32{"; `model_int8.onnx` is the same graph with int8 weights (see INT8 weights)" if m.get("int8") else ""} |

## Data

`training/dialoop_train/corpus.py` (`--variant {m['corpus'].get('variant', 'default')}`), seed {tc['seed']}: {m['corpus']['dialogues']:,} dialogues
({m['corpus']['tokens']:,} tokens) of greetings, small-number arithmetic (worked column by column:
"27 + 45: ones 7 + 5 = 12, write 2 carry 1; tens 2 + 4 + 1 = 7; so 27 + 45 = 72."), unit conversions{CONV_NOTE if m['corpus'].get('variant') == 'v2' else ''},
weekdays and months, capitals, definitions of this platform's own terms and polite refusals of
harmful requests, half English and half Chinese, a quarter with a system prompt, many multi-turn.
`heldout.jsonl` ({m['corpus']['heldout_items']} items) holds prompts that never occur in training:
arithmetic operand triples and conversion values held out entirely, capitals asked in
phrasings that training never pairs with that country.

## Training

SFT with loss on assistant replies only; AdamW (β = 0.9, 0.95, weight decay {tc['weight_decay']}), peak learning
rate {tc['lr']}, {tc['warmup_steps']} warm-up steps then cosine decay to {tc['min_lr_ratio']}× ; batch {tc['batch_size']} ×
{tc['seq_len']} tokens (packed dialogues), {m['steps']} steps = {m['train_tokens']:,} tokens; seed {tc['seed']};
PyTorch {m['torch']} on {m['threads']} CPU threads (OpenBLAS).
Training time: {m['train_seconds'] / 60:.1f} minutes of optimizer steps; the whole `pnpm train:base` run took
{m['wall_seconds'] / 60:.1f} minutes wall-clock and {m['cpu_seconds'] / 60:.1f} CPU-minutes (both threads counted).

| step | train loss | held-out loss |
|---|---|---|
{losses}

First-step loss {m['first_loss']:.3f}; final held-out loss {m['val_loss']:.3f} (nats per reply token).
{sweep}
## Files

| file | bytes | SHA-256 |
|---|---|---|
{files}

`dialoop_checkpoint.pt` is the PyTorch state dict (`dialoop_train.model.load_model`) that later
training runs fine-tune from. `metrics.json` holds the full training record.{" `model_int8.onnx` is `model.onnx` with int8 weights (below); `quantization.json` its report." if m.get("int8") else ""}

## Limits

- Trained only on templated synthetic dialogues: outside those topics it produces fluent-looking nonsense.
- Exact answers generalise only partly to unseen numbers; it knows the ~50 capitals of its corpus and no others.
- Byte-level: Chinese costs three tokens a character; the inference server masks logits so replies are always valid UTF-8.
- No safety training beyond the refusal templates; the platform's safety filter is what protects users.

## Measured quality

{CARD_MARK}

Not measured yet: run `pnpm eval:model --write-card`.
"""
    if m.get("int8"):
        from .quantize import card_section, insert_card_section
        card = insert_card_section(card, card_section(m["int8"]))
    (out / "README.md").write_text(card)


def main(argv=None) -> None:
    ap = argparse.ArgumentParser(description="Reproduce the default Dialoop model")
    ap.add_argument("--out", default=str(DEFAULT_OUT))
    ap.add_argument("--work", default=str(ROOT / "training" / "runs" / "base"))
    ap.add_argument("--preset", default="d128-l4", choices=sorted(PRESETS))
    ap.add_argument("--steps", type=int, default=2400)
    ap.add_argument("--minutes", type=float, default=None, help="derive the step count from a time budget")
    ap.add_argument("--batch-size", type=int, default=8)
    ap.add_argument("--seq-len", type=int, default=512)
    ap.add_argument("--lr", type=float, default=3e-3)
    ap.add_argument("--dialogues", type=int, default=20000)
    ap.add_argument("--fixture", default=str(DEFAULT_FIXTURE))
    ap.add_argument("--no-int8", action="store_true", help="do not write model_int8.onnx beside model.onnx")
    ap.add_argument("--variant", default="v2", choices=sorted(corpus.VARIANTS), help="corpus variant (default: the committed model's)")
    ap.add_argument("--threads", type=int, default=2)
    ap.add_argument("--resume", action="store_true", help="continue from WORK/checkpoints/latest.pt")
    a = ap.parse_args(argv)
    cfg = TrainConfig(steps=a.steps, minutes=a.minutes, batch_size=a.batch_size, seq_len=a.seq_len, lr=a.lr,
                      eval_every=250, checkpoint_every=250, threads=a.threads)
    m = build(Path(a.out), a.preset, cfg, a.dialogues, Path(a.work), Path(a.fixture) if a.fixture else None,
              int8=not a.no_int8, variant=a.variant, resume=a.resume)
    print(json.dumps({k: v for k, v in m.items() if k not in ("history", "files", "int8")}, indent=2))


if __name__ == "__main__":
    main()
