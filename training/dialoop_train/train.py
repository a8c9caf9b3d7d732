"""Supervised fine-tuning (SFT) on ChatML dialogues: loss on the assistant replies only,
AdamW with linear warm-up and cosine decay, deterministic seed, periodic checkpoints
that resume bit-for-bit (model, optimizer, data order and RNG state)."""
from __future__ import annotations

import argparse
import json
import math
import random
import shutil
import time
from dataclasses import asdict, dataclass
from pathlib import Path

import torch
from torch.nn import functional as F

from .model import PRESETS, DialoopLM, ModelConfig, load_model, save_checkpoint
from .tokenizer import PAD, encode_dialogue


@dataclass
class TrainConfig:
    steps: int = 1000
    minutes: float | None = None  # if set, `steps` is derived from the measured step time
    batch_size: int = 16
    seq_len: int = 256
    lr: float = 3e-3
    min_lr_ratio: float = 0.1
    warmup_steps: int = 100
    weight_decay: float = 0.1
    grad_clip: float = 1.0
    seed: int = 0
    log_every: int = 50
    eval_every: int = 200
    checkpoint_every: int = 500
    threads: int = 2


def read_jsonl(path: str | Path) -> list[dict]:
    with open(path, encoding="utf-8") as f:
        return [json.loads(line) for line in f if line.strip()]


def heldout_dialogues(heldout: list[dict]) -> list[list[dict]]:
    """Held-out items as whole dialogues (prompt + reference reply), for the validation loss."""
    return [h["messages"] + [{"role": "assistant", "content": h["reference"]}] for h in heldout]


class PackedData:
    """Dialogues shuffled per epoch (seeded), concatenated, and cut into windows of
    seq_len + 1 tokens; each target carries the 0/1 learn mask of its position."""

    def __init__(self, dialogues: list[list[dict]], seq_len: int, seed: int):
        self.encoded = [encode_dialogue(d) for d in dialogues]
        self.seq_len, self.seed = seq_len, seed
        self.epoch, self.pos = 0, 0
        self.tokens = sum(len(ids) for ids, _ in self.encoded)
        self._build()

    def _build(self) -> None:
        order = list(range(len(self.encoded)))
        random.Random(self.seed * 1000 + self.epoch).shuffle(order)
        ids: list[int] = []
        mask: list[int] = []
        for i in order:
            ids += self.encoded[i][0]
            mask += self.encoded[i][1]
        self.ids = torch.tensor(ids, dtype=torch.long)
        self.mask = torch.tensor(mask, dtype=torch.float32)

    def state(self) -> dict:
        return {"epoch": self.epoch, "pos": self.pos}

    def load_state(self, s: dict) -> None:
        self.epoch, self.pos = s["epoch"], s["pos"]
        self._build()

    def batch(self, batch_size: int) -> tuple[torch.Tensor, torch.Tensor, torch.Tensor]:
        n = self.seq_len + 1
        xs, ms = [], []
        for _ in range(batch_size):
            if self.pos + n > len(self.ids):
                self.epoch, self.pos = self.epoch + 1, 0
                self._build()
            xs.append(self.ids[self.pos:self.pos + n])
            ms.append(self.mask[self.pos:self.pos + n])
            self.pos += self.seq_len
        x, m = torch.stack(xs), torch.stack(ms)
        return x[:, :-1], x[:, 1:], m[:, 1:]


def masked_loss(model: DialoopLM, x: torch.Tensor, y: torch.Tensor, m: torch.Tensor) -> torch.Tensor:
    logits, _ = model(x)
    loss = F.cross_entropy(logits.reshape(-1, logits.shape[-1]), y.reshape(-1), reduction="none")
    return (loss * m.reshape(-1)).sum() / m.sum().clamp(min=1.0)


@torch.no_grad()
def evaluate_loss(model: DialoopLM, dialogues: list[list[dict]], batch_size: int = 32) -> float:
    """Mean loss per learned token over whole dialogues (right-padded, no packing)."""
    model.eval()
    total, count = 0.0, 0.0
    enc = [encode_dialogue(d) for d in dialogues]
    for i in range(0, len(enc), batch_size):
        chunk = enc[i:i + batch_size]
        n = min(max(len(ids) for ids, _ in chunk), model.config.max_position_embeddings + 1)
        chunk = [(ids[:n], mask[:n]) for ids, mask in chunk]
        x = torch.full((len(chunk), n), PAD, dtype=torch.long)
        m = torch.zeros((len(chunk), n))
        for j, (ids, mask) in enumerate(chunk):
            x[j, :len(ids)] = torch.tensor(ids)
            m[j, :len(mask)] = torch.tensor(mask, dtype=torch.float32)
        logits, _ = model(x[:, :-1])
        loss = F.cross_entropy(logits.reshape(-1, logits.shape[-1]), x[:, 1:].reshape(-1), reduction="none")
        total += float((loss * m[:, 1:].reshape(-1)).sum())
        count += float(m[:, 1:].sum())
    model.train()
    return total / max(count, 1.0)


def lr_at(step: int, cfg: TrainConfig, total: int) -> float:
    """Linear warm-up, then decay to min_lr_ratio × lr. `cfg` needs lr, warmup_steps and min_lr_ratio;
    its optional `schedule` ("cosine", the default, "linear" or "constant") picks the decay."""
    if step < cfg.warmup_steps:
        return cfg.lr * (step + 1) / cfg.warmup_steps
    schedule = getattr(cfg, "schedule", "cosine")
    if schedule == "constant":
        return cfg.lr
    progress = min(1.0, (step - cfg.warmup_steps) / max(1, total - cfg.warmup_steps))
    shape = 0.5 * (1 + math.cos(math.pi * progress)) if schedule == "cosine" else 1.0 - progress
    return cfg.lr * (cfg.min_lr_ratio + (1 - cfg.min_lr_ratio) * shape)


def make_optimizer(model: DialoopLM, cfg: TrainConfig) -> torch.optim.Optimizer:
    decay = [p for n, p in model.named_parameters() if p.dim() >= 2]
    no_decay = [p for n, p in model.named_parameters() if p.dim() < 2]
    return torch.optim.AdamW([{"params": decay, "weight_decay": cfg.weight_decay},
                              {"params": no_decay, "weight_decay": 0.0}], lr=cfg.lr, betas=(0.9, 0.95))


def train(model_cfg: ModelConfig, cfg: TrainConfig, train_dialogues: list[list[dict]],
          val_dialogues: list[list[dict]], out_dir: str | Path, resume: bool = False,
          init_from: str | Path | None = None, log=print, loss_fn=None) -> dict:
    """Trains and returns a summary. Writes out_dir/train_log.jsonl and checkpoints under
    out_dir/checkpoints/ (latest.pt is what --resume continues from). `loss_fn(model, x, y, m)`
    replaces the reply-only cross-entropy (distillation passes its soft-target loss)."""
    loss_fn = loss_fn or masked_loss
    torch.manual_seed(cfg.seed)
    random.seed(cfg.seed)
    torch.set_num_threads(cfg.threads)
    if cfg.seq_len > model_cfg.max_position_embeddings:
        raise ValueError(f"seq_len {cfg.seq_len} exceeds max_position_embeddings {model_cfg.max_position_embeddings}")
    out = Path(out_dir)
    (out / "checkpoints").mkdir(parents=True, exist_ok=True)
    if init_from is not None:
        model, _ = load_model(init_from)
        model_cfg = model.config
    else:
        model = DialoopLM(model_cfg)
    opt = make_optimizer(model, cfg)
    data = PackedData(train_dialogues, cfg.seq_len, cfg.seed)
    step, elapsed, total_steps = 0, 0.0, cfg.steps
    first_loss = None
    latest = out / "checkpoints" / "latest.pt"
    if resume and latest.exists():
        ck = torch.load(str(latest), map_location="cpu")
        model.load_state_dict(ck["model"])
        opt.load_state_dict(ck["optimizer"])
        data.load_state(ck["data"])
        torch.set_rng_state(ck["rng"])
        step, elapsed, total_steps = ck["step"], ck["elapsed"], ck["total_steps"]
        first_loss = ck.get("first_loss")
        log(f"resumed from step {step}")
    history: list[dict] = []
    if step > 0 and (out / "train_log.jsonl").exists():  # resumed: the record so far (up to the checkpoint's step)
        with open(out / "train_log.jsonl", encoding="utf-8") as f:
            history = [r for r in (json.loads(line) for line in f if line.strip()) if r["step"] <= step]
        with open(out / "train_log.jsonl", "w", encoding="utf-8") as f:  # steps after the checkpoint run again
            f.writelines(json.dumps(r) + "\n" for r in history)
    log_f = open(out / "train_log.jsonl", "a", encoding="utf-8")
    model.train()
    tokens_per_step = cfg.batch_size * cfg.seq_len
    window_t, window_loss, window_n = time.time(), 0.0, 0
    while step < total_steps:
        t0 = time.time()
        for g in opt.param_groups:
            g["lr"] = lr_at(step, cfg, total_steps)
        x, y, m = data.batch(cfg.batch_size)
        loss = loss_fn(model, x, y, m)
        opt.zero_grad(set_to_none=True)
        loss.backward()
        torch.nn.utils.clip_grad_norm_(model.parameters(), cfg.grad_clip)
        opt.step()
        step += 1
        dt = time.time() - t0
        elapsed += dt
        lv = float(loss)
        first_loss = lv if first_loss is None else first_loss
        window_loss, window_n = window_loss + lv, window_n + 1
        if cfg.minutes is not None and step == 20 and not resume:
            total_steps = max(40, int(cfg.minutes * 60 / (elapsed / step)))
            log(f"time budget {cfg.minutes} min at {elapsed / step:.3f} s/step -> {total_steps} steps")
        if step % cfg.log_every == 0 or step == total_steps:
            rec = {"step": step, "loss": window_loss / window_n, "lr": opt.param_groups[0]["lr"],
                   "tokens_per_s": tokens_per_step * window_n / (time.time() - window_t), "elapsed_s": elapsed}
            if step % cfg.eval_every == 0 or step == total_steps:
                rec["val_loss"] = evaluate_loss(model, val_dialogues)
            history.append(rec)
            log_f.write(json.dumps(rec) + "\n")
            log_f.flush()
            log(" ".join(f"{k}={v:.4g}" if isinstance(v, float) else f"{k}={v}" for k, v in rec.items()))
            window_t, window_loss, window_n = time.time(), 0.0, 0
        if step % cfg.checkpoint_every == 0 or step == total_steps:
            numbered = out / "checkpoints" / f"step-{step:06d}.pt"
            save_checkpoint(numbered, model, {"optimizer": opt.state_dict(), "data": data.state(),
                                              "rng": torch.get_rng_state(), "step": step, "elapsed": elapsed,
                                              "total_steps": total_steps, "train_config": json.dumps(asdict(cfg)),
                                              "first_loss": first_loss})
            shutil.copyfile(numbered, latest)
    log_f.close()
    final_val = history[-1].get("val_loss") if history else evaluate_loss(model, val_dialogues)
    return {"model": model, "steps": step, "elapsed_s": elapsed, "first_loss": first_loss,
            "final_train_loss": history[-1]["loss"] if history else first_loss, "val_loss": final_val,
            "train_tokens": step * tokens_per_step, "corpus_tokens": data.tokens,
            "parameters": model.num_parameters(), "history": history}


def main(argv=None) -> None:
    ap = argparse.ArgumentParser(description="SFT a Dialoop model on ChatML dialogues")
    ap.add_argument("--data", required=True, help="folder with train.jsonl and heldout.jsonl")
    ap.add_argument("--out", required=True)
    ap.add_argument("--preset", default="d128-l4", choices=sorted(PRESETS))
    ap.add_argument("--init-from", help="start from this checkpoint or model folder")
    ap.add_argument("--resume", action="store_true")
    for f, v in asdict(TrainConfig()).items():
        ap.add_argument("--" + f.replace("_", "-"), type=float if isinstance(v, float) or v is None else int, default=v)
    a = ap.parse_args(argv)
    cfg = TrainConfig(**{f: getattr(a, f) for f in asdict(TrainConfig())})
    train_d = [r["messages"] for r in read_jsonl(Path(a.data) / "train.jsonl")]
    val_d = heldout_dialogues(read_jsonl(Path(a.data) / "heldout.jsonl"))
    res = train(PRESETS[a.preset], cfg, train_d, val_d, a.out, resume=a.resume, init_from=a.init_from)
    save_checkpoint(Path(a.out) / "dialoop_checkpoint.pt", res["model"])
    print(json.dumps({k: v for k, v in res.items() if k not in ("model", "history")}))


if __name__ == "__main__":
    main()
