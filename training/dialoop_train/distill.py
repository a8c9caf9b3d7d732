"""Knowledge distillation: a smaller student trained on a teacher model's outputs.

    pnpm train:distill [-- --teacher DIR --out DIR --preset d64-l4 --steps N --temperature 2 --alpha 0.5]

The student (default `d64-l4`, about a quarter of d128-l4's parameters) learns from the same
synthetic corpus the teacher was trained on (the variant recorded in the teacher's metrics.json),
with Hinton et al.'s loss on every reply token:

    loss = alpha * T^2 * KL(softmax(teacher / T) || softmax(student / T)) + (1 - alpha) * CE(student, labels)

(soft targets at temperature T, scaled by T^2 so their gradients keep the hard loss's size; the
hard labels are the corpus replies). The teacher runs in inference mode on the same packed batch.
The output is a complete model folder, like `pnpm train:base` writes: model.onnx and
model_int8.onnx, tokenizer, configs, the teacher's heldout.jsonl, metrics.json (with the parent's
name and model.onnx SHA-256, T, alpha and the loss curve) and a card. Register it as a child of its
teacher with `registerModelVersion(input: {name, path, parentId})` (or `--register`, below), and it
is a model version an admin can canary like any other. `pnpm bench:distill` measures student and
teacher side by side. Checkpoints every 250 steps; `--resume` continues where a run stopped.
"""
from __future__ import annotations

import argparse
import json
import platform
import shutil
import time
import urllib.error
import urllib.request
from dataclasses import asdict
from pathlib import Path

import torch
from torch.nn import functional as F

from . import corpus
from .base import CARD_MARK, sha256
from .export import export_onnx
from .model import PRESETS, DialoopLM, load_model, save_checkpoint, write_configs
from .tokenizer import save_tokenizer
from .train import TrainConfig, heldout_dialogues, read_jsonl, train

ROOT = Path(__file__).resolve().parents[2]
DEFAULT_TEACHER = ROOT / "inference" / "models" / "dialoop-tiny"


def distill_loss(teacher: DialoopLM, temperature: float, alpha: float):
    """`loss_fn(student, x, y, m)` for train(): soft targets on the reply tokens plus hard labels."""

    def loss_fn(student: DialoopLM, x: torch.Tensor, y: torch.Tensor, m: torch.Tensor) -> torch.Tensor:
        with torch.no_grad():
            t_logits, _ = teacher(x)
        s_logits, _ = student(x)
        v = s_logits.shape[-1]
        mask = m.reshape(-1)
        denom = mask.sum().clamp(min=1.0)
        hard = (F.cross_entropy(s_logits.reshape(-1, v), y.reshape(-1), reduction="none") * mask).sum() / denom
        t_logp = F.log_softmax(t_logits.reshape(-1, v) / temperature, dim=-1)
        s_logp = F.log_softmax(s_logits.reshape(-1, v) / temperature, dim=-1)
        kl = (t_logp.exp() * (t_logp - s_logp)).sum(-1)
        soft = (kl * mask).sum() / denom * temperature ** 2
        return alpha * soft + (1 - alpha) * hard

    return loss_fn


def teacher_facts(teacher_dir: Path) -> dict:
    m = json.loads((teacher_dir / "metrics.json").read_text()) if (teacher_dir / "metrics.json").exists() else {}
    return {
        "name": teacher_dir.name,
        "path": str(teacher_dir),
        "model_onnx_sha256": sha256(teacher_dir / "model.onnx"),
        "parameters": m.get("parameters"),
        "variant": (m.get("corpus") or {}).get("variant", "default"),
        # A preference run's metrics.json carries its base corpus (with its seed) down the lineage.
        "seed": (m.get("corpus") or {}).get("seed", (m.get("train_config") or {}).get("seed", 0)),
        "dialogues": (m.get("corpus") or {}).get("dialogues", 20000),
        "max_new_tokens": json.loads((teacher_dir / "generation_config.json").read_text()).get("max_new_tokens", 256),
    }


def build(teacher_dir: Path, out: Path, preset: str, cfg: TrainConfig, temperature: float, alpha: float,
          n_dialogues: int, work: Path, resume: bool = False, int8: bool = True, log=print) -> dict:
    t_start = time.time()
    facts = teacher_facts(teacher_dir)
    teacher, _ = load_model(teacher_dir)
    teacher.eval()
    data_dir = work / "data"
    # The teacher's own corpus (variant, size and seed from its metrics.json) unless told otherwise.
    n = n_dialogues or facts["dialogues"]
    corpus.main(["--out", str(data_dir), "--n", str(n), "--seed", str(facts["seed"]), "--variant", facts["variant"]])
    train_d = [r["messages"] for r in read_jsonl(data_dir / "train.jsonl")]
    val_d = heldout_dialogues(read_jsonl(teacher_dir / "heldout.jsonl"))
    model_cfg = PRESETS[preset]
    res = train(model_cfg, cfg, train_d, val_d, work, log=log, resume=resume,
                loss_fn=distill_loss(teacher, temperature, alpha))
    student = res["model"]
    out.mkdir(parents=True, exist_ok=True)
    export_onnx(student, out / "model.onnx")
    save_checkpoint(out / "dialoop_checkpoint.pt", student)
    save_tokenizer(out, model_cfg.max_position_embeddings)
    write_configs(out, model_cfg, max_new_tokens=facts["max_new_tokens"])
    shutil.copy(teacher_dir / "heldout.jsonl", out / "heldout.jsonl")
    int8_report = None
    if int8:
        from .quantize import quantize_beside
        int8_report = quantize_beside(out, log=log, card=False, update_metrics=False)
    from .train import evaluate_loss
    teacher_val = evaluate_loss(teacher, val_d)
    files = sorted(p.name for p in out.iterdir() if p.is_file() and p.name not in ("README.md", "metrics.json"))
    metrics = {
        "method": "distill", "parent": facts, "preset": preset, "model_config": asdict(model_cfg),
        "train_config": asdict(cfg), "distillation": {"temperature": temperature, "alpha": alpha},
        "parameters": res["parameters"], "steps": res["steps"], "train_seconds": round(res["elapsed_s"], 1),
        "wall_seconds": round(time.time() - t_start, 1), "train_tokens": res["train_tokens"],
        "corpus": {"variant": facts["variant"], "seed": facts["seed"], "dialogues": len(train_d), "tokens": res["corpus_tokens"]},
        "first_loss": res["first_loss"], "final_train_loss": res["final_train_loss"],
        "val_loss": res["val_loss"], "teacher_val_loss": teacher_val, "history": res["history"],
        "torch": torch.__version__, "machine": f"{platform.machine()} {platform.processor()}", "threads": cfg.threads,
        "files": {name: sha256(out / name) for name in files},
        **({"int8": int8_report} if int8_report else {}),
    }
    (out / "metrics.json").write_text(json.dumps(metrics, indent=2) + "\n")
    write_card(out, metrics)
    return metrics


def write_card(out: Path, m: dict) -> None:
    p, tc, mc, d = m["parent"], m["train_config"], m["model_config"], m["distillation"]
    ratio = f" ({m['parameters'] / p['parameters']:.0%} of the teacher's {p['parameters']:,})" if p.get("parameters") else ""
    losses = "\n".join(f"| {h['step']} | {h['loss']:.3f} | {h['val_loss']:.3f} |" for h in m["history"] if "val_loss" in h)
    sizes = {f.name: f.stat().st_size for f in out.iterdir() if f.is_file()}
    files = "\n".join(f"| `{n}` | {sizes[n]:,} | `{h[:16]}…` |" for n, h in m["files"].items())
    card = f"""# {out.name}

A distilled student of `{p['name']}` (`model.onnx` SHA-256 `{p['model_onnx_sha256'][:16]}…`), written by
`pnpm train:distill` (training/dialoop_train/distill.py).

| | |
|---|---|
| parameters | {m['parameters']:,}{ratio} |
| layers / hidden / heads / KV heads / head size / MLP | {mc['num_hidden_layers']} / {mc['hidden_size']} / {mc['num_attention_heads']} / {mc['num_key_value_heads']} / {mc['head_dim']} / {mc['intermediate_size']} |
| loss | {d['alpha']} × T² × KL(teacher ‖ student at T = {d['temperature']}) + {1 - d['alpha']:.2g} × cross-entropy on the corpus replies (reply tokens only) |
| data | the teacher's corpus (`corpus --variant {m['corpus']['variant']}`, seed {p['seed']}): {m['corpus']['dialogues']:,} dialogues |
| optimizer | AdamW, peak lr {tc['lr']}, {tc['warmup_steps']} warm-up steps, cosine to {tc['min_lr_ratio']}×; batch {tc['batch_size']} × {tc['seq_len']} tokens |
| steps | {m['steps']} ({m['train_tokens']:,} tokens) in {m['train_seconds'] / 60:.1f} minutes on {m['threads']} CPU thread(s); {m['wall_seconds'] / 60:.1f} minutes wall-clock in all |
| held-out loss | student {m['val_loss']:.3f}, teacher {m['teacher_val_loss']:.3f} (nats per reply token, the teacher's heldout.jsonl) |

| step | train loss (distillation) | held-out loss (cross-entropy) |
|---|---|---|
{losses}

## Files

| file | bytes | SHA-256 |
|---|---|---|
{files}

Side by side with the teacher (eval table, tokens/s at 1 and 16 streams, size): `pnpm bench:distill --student {out}`.

## Measured quality

{CARD_MARK}

Not measured yet: run `pnpm eval:model --model-dir <this folder> --write-card`.
"""
    if m.get("int8"):
        from .quantize import card_section, insert_card_section
        card = insert_card_section(card, card_section(m["int8"]))
    (out / "README.md").write_text(card)


def register(api: str, token: str, name: str, path: Path, parent_name: str) -> dict:
    """Registers the student as a child of its teacher's model version (looked up by name)."""
    def gql(query: str, variables: dict) -> dict:
        req = urllib.request.Request(api, data=json.dumps({"query": query, "variables": variables}).encode(),
                                     headers={"content-type": "application/json", "authorization": f"Bearer {token}"})
        try:
            with urllib.request.urlopen(req, timeout=60) as r:
                body = json.loads(r.read())
        except urllib.error.HTTPError as e:
            body = json.loads(e.read() or b"{}") if e.headers.get_content_type() == "application/json" else {"errors": [{"message": f"HTTP {e.code}"}]}
        if body.get("errors"):
            raise SystemExit(f"registerModelVersion failed: {body['errors'][0].get('message')}")
        return body["data"]

    versions = gql("query { modelVersions(first: 1000) { id name } }", {})["modelVersions"]
    parent = next((v for v in versions if v["name"] == parent_name), None)
    if parent is None:
        raise SystemExit(f"no model version named {parent_name} to register the student under (--parent-name)")
    # (registering needs an ML engineer's or admin's session token, or an API key of scope `training`)
    return gql("mutation($input: RegisterModelVersionInput!) { registerModelVersion(input: $input) { id name status parentId } }",
               {"input": {"name": name, "path": str(path.resolve()), "parentId": parent["id"]}})["registerModelVersion"]


def main(argv=None) -> None:
    ap = argparse.ArgumentParser(description="Distil a Dialoop model into a smaller student")
    ap.add_argument("--teacher", default=str(DEFAULT_TEACHER), help="the teacher's model folder")
    ap.add_argument("--out", default=str(ROOT / "training" / "runs" / "distill" / "dialoop-tiny-student"))
    ap.add_argument("--work", default=None, help="checkpoints and data (default: OUT-run)")
    ap.add_argument("--preset", default="d64-l4", choices=sorted(PRESETS))
    ap.add_argument("--temperature", type=float, default=2.0)
    ap.add_argument("--alpha", type=float, default=0.5, help="weight of the soft targets (1 - alpha: hard labels)")
    ap.add_argument("--steps", type=int, default=2000)
    ap.add_argument("--minutes", type=float, default=None, help="derive the step count from a time budget")
    ap.add_argument("--lr", type=float, default=3e-3)
    ap.add_argument("--batch-size", type=int, default=8)
    ap.add_argument("--seq-len", type=int, default=512)
    ap.add_argument("--dialogues", type=int, default=None, help="corpus size (default: the teacher's)")
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--threads", type=int, default=2)
    ap.add_argument("--resume", action="store_true")
    ap.add_argument("--no-int8", action="store_true")
    ap.add_argument("--register", metavar="GRAPHQL_URL", help="register the student with this api (token: DIALOOP_TOKEN)")
    ap.add_argument("--name", help="the model version's name (default: the output folder's name)")
    ap.add_argument("--parent-name", help="the teacher's model version name (default: the teacher folder's name)")
    a = ap.parse_args(argv)
    out = Path(a.out)
    cfg = TrainConfig(steps=a.steps, minutes=a.minutes, batch_size=a.batch_size, seq_len=a.seq_len, lr=a.lr,
                      seed=a.seed, threads=a.threads, eval_every=250, checkpoint_every=250)
    m = build(Path(a.teacher).resolve(), out, a.preset, cfg, a.temperature, a.alpha, a.dialogues,
              Path(a.work) if a.work else out.parent / f"{out.name}-run", resume=a.resume, int8=not a.no_int8,
              log=lambda s: print(s, flush=True))
    print(json.dumps({k: v for k, v in m.items() if k not in ("history", "files", "int8", "model_config")}, indent=2))
    if a.register:
        import os
        token = os.environ.get("DIALOOP_TOKEN")
        if not token:
            raise SystemExit("--register needs DIALOOP_TOKEN (an ML engineer's or admin's API key)")
        v = register(a.register, token, a.name or out.name, out, a.parent_name or Path(a.teacher).resolve().name)
        print(json.dumps({"registered": v}))


if __name__ == "__main__":
    main()
