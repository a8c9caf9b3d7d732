"""A small decoder-only transformer (Llama-style: RMSNorm, rotary positions, SwiGLU,
grouped-query attention, tied embeddings) whose forward pass follows Hugging Face
Optimum's decoder layout, so the same code trains and exports with a KV cache."""
from __future__ import annotations

import json
import math
from dataclasses import asdict, dataclass, fields
from pathlib import Path

import torch
from torch import nn
from torch.nn import functional as F

MASK_VALUE = -1e9


@dataclass
class ModelConfig:
    vocab_size: int = 260
    hidden_size: int = 192
    num_hidden_layers: int = 6
    num_attention_heads: int = 6
    num_key_value_heads: int = 6
    head_dim: int = 32
    intermediate_size: int = 512
    max_position_embeddings: int = 1024
    rope_theta: float = 10000.0
    rms_norm_eps: float = 1e-5
    tie_word_embeddings: bool = True

    @classmethod
    def from_dict(cls, d: dict) -> "ModelConfig":
        names = {f.name for f in fields(cls)}
        return cls(**{k: v for k, v in d.items() if k in names})

    def to_hf_config(self) -> dict:
        """config.json in Hugging Face's vocabulary (the inference server reads it)."""
        return {
            "architectures": ["DialoopForCausalLM"],
            "model_type": "dialoop",
            **asdict(self),
            "hidden_act": "silu",
            "bos_token_id": None,
            "eos_token_id": 258,
            "pad_token_id": 259,
            "torch_dtype": "float32",
            "use_cache": True,
        }


PRESETS: dict[str, ModelConfig] = {
    "tiny-test": ModelConfig(hidden_size=32, num_hidden_layers=2, num_attention_heads=4, num_key_value_heads=2,
                             head_dim=8, intermediate_size=64, max_position_embeddings=256),
    "d128-l4": ModelConfig(hidden_size=128, num_hidden_layers=4, num_attention_heads=4, num_key_value_heads=4,
                           head_dim=32, intermediate_size=352),
    # A quarter of d128-l4's parameters (217,920 vs 837,248): the distillation student (distill.py).
    "d64-l4": ModelConfig(hidden_size=64, num_hidden_layers=4, num_attention_heads=2, num_key_value_heads=2,
                          head_dim=32, intermediate_size=176),
    "d192-l6": ModelConfig(hidden_size=192, num_hidden_layers=6, num_attention_heads=6, num_key_value_heads=6,
                           head_dim=32, intermediate_size=512),
    "d256-l6": ModelConfig(hidden_size=256, num_hidden_layers=6, num_attention_heads=8, num_key_value_heads=8,
                           head_dim=32, intermediate_size=688),
    "d256-l8": ModelConfig(hidden_size=256, num_hidden_layers=8, num_attention_heads=8, num_key_value_heads=8,
                           head_dim=32, intermediate_size=688),
}


class RMSNorm(nn.Module):
    def __init__(self, dim: int, eps: float):
        super().__init__()
        self.weight = nn.Parameter(torch.ones(dim))
        self.eps = eps

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return x * torch.rsqrt(x.pow(2).mean(-1, keepdim=True) + self.eps) * self.weight


def rotate_half(x: torch.Tensor) -> torch.Tensor:
    half = x.shape[-1] // 2
    return torch.cat((-x[..., half:], x[..., :half]), dim=-1)


class Attention(nn.Module):
    def __init__(self, cfg: ModelConfig):
        super().__init__()
        self.h, self.kv, self.d = cfg.num_attention_heads, cfg.num_key_value_heads, cfg.head_dim
        self.q_proj = nn.Linear(cfg.hidden_size, self.h * self.d, bias=False)
        self.k_proj = nn.Linear(cfg.hidden_size, self.kv * self.d, bias=False)
        self.v_proj = nn.Linear(cfg.hidden_size, self.kv * self.d, bias=False)
        self.o_proj = nn.Linear(self.h * self.d, cfg.hidden_size, bias=False)
        # Set by the ONNX export (see export.py): attend to the past in place and return only this
        # step's keys and values.
        self.in_place = False

    def forward(self, x, cos, sin, bias, past_k, past_v):
        b, s, _ = x.shape
        q = self.q_proj(x).view(b, s, self.h, self.d).transpose(1, 2)
        k = self.k_proj(x).view(b, s, self.kv, self.d).transpose(1, 2)
        v = self.v_proj(x).view(b, s, self.kv, self.d).transpose(1, 2)
        q = q * cos + rotate_half(q) * sin
        k = k * cos + rotate_half(k) * sin
        delta = (k, v)  # this step's keys and values alone
        if self.in_place and past_k is not None:
            return self.o_proj(self._attend_in_place(q, k, v, bias, past_k, past_v)), (None, None, *delta)
        if past_k is not None:
            k = torch.cat((past_k, k), dim=2)
            v = torch.cat((past_v, v), dim=2)
        present = (k, v, *delta)
        if self.kv != self.h:
            rep = self.h // self.kv  # grouped-query attention: each KV head serves `rep` query heads
            k = k.unsqueeze(2).expand(-1, -1, rep, -1, -1).flatten(1, 2)
            v = v.unsqueeze(2).expand(-1, -1, rep, -1, -1).flatten(1, 2)
        att = (q @ k.transpose(-2, -1)) * (1.0 / math.sqrt(self.d)) + bias
        out = F.softmax(att, dim=-1) @ v
        return self.o_proj(out.transpose(1, 2).reshape(b, s, self.h * self.d)), present

    def _attend_in_place(self, q, k, v, bias, past_k, past_v):
        """Attention over the past and this step without concatenating them: the scores of the
        past and of the new positions are computed apart and joined (a few floats per query), and
        the output is the sum of the two weighted parts. The same numbers as the concatenating
        path, but the exported graph reads the past keys and values where they are instead of
        copying the whole cache into a present every step; queries are grouped per KV head, so
        grouped-query attention does not copy the cache either."""
        b, _, s, _ = q.shape
        rep = self.h // self.kv
        qg = q.reshape(b, self.kv, rep * s, self.d)  # head kvi * rep + r serves KV head kvi
        scale = 1.0 / math.sqrt(self.d)
        past_scores = (qg @ past_k.transpose(-2, -1)).reshape(b, self.h, s, -1)
        new_scores = (qg @ k.transpose(-2, -1)).reshape(b, self.h, s, -1)
        past_len = past_k.shape[2]
        probs = F.softmax(torch.cat((past_scores, new_scores), dim=-1) * scale + bias, dim=-1)
        out = (probs[..., :past_len].reshape(b, self.kv, rep * s, -1) @ past_v
               + probs[..., past_len:].reshape(b, self.kv, rep * s, -1) @ v)
        return out.reshape(b, self.h, s, self.d).transpose(1, 2).reshape(b, s, self.h * self.d)


class Block(nn.Module):
    def __init__(self, cfg: ModelConfig):
        super().__init__()
        self.input_layernorm = RMSNorm(cfg.hidden_size, cfg.rms_norm_eps)
        self.self_attn = Attention(cfg)
        self.post_attention_layernorm = RMSNorm(cfg.hidden_size, cfg.rms_norm_eps)
        self.gate_proj = nn.Linear(cfg.hidden_size, cfg.intermediate_size, bias=False)
        self.up_proj = nn.Linear(cfg.hidden_size, cfg.intermediate_size, bias=False)
        self.down_proj = nn.Linear(cfg.intermediate_size, cfg.hidden_size, bias=False)

    def forward(self, x, cos, sin, bias, past_k, past_v):
        a, present = self.self_attn(self.input_layernorm(x), cos, sin, bias, past_k, past_v)
        x = x + a
        h = self.post_attention_layernorm(x)
        return x + self.down_proj(F.silu(self.gate_proj(h)) * self.up_proj(h)), present


class DialoopLM(nn.Module):
    def __init__(self, cfg: ModelConfig):
        super().__init__()
        self.config = cfg
        self.embed_tokens = nn.Embedding(cfg.vocab_size, cfg.hidden_size)
        self.layers = nn.ModuleList(Block(cfg) for _ in range(cfg.num_hidden_layers))
        self.norm = RMSNorm(cfg.hidden_size, cfg.rms_norm_eps)
        self.lm_head = nn.Linear(cfg.hidden_size, cfg.vocab_size, bias=False)
        if cfg.tie_word_embeddings:
            self.lm_head.weight = self.embed_tokens.weight
        inv = 1.0 / (cfg.rope_theta ** (torch.arange(0, cfg.head_dim, 2).float() / cfg.head_dim))
        freqs = torch.outer(torch.arange(cfg.max_position_embeddings).float(), inv)
        emb = torch.cat((freqs, freqs), dim=-1)
        self.register_buffer("rope_cos", emb.cos(), persistent=False)
        self.register_buffer("rope_sin", emb.sin(), persistent=False)
        self.apply(self._init)
        for name, p in self.named_parameters():
            if name.endswith("o_proj.weight") or name.endswith("down_proj.weight"):
                nn.init.normal_(p, mean=0.0, std=0.02 / math.sqrt(2 * cfg.num_hidden_layers))

    @staticmethod
    def _init(m: nn.Module) -> None:
        if isinstance(m, (nn.Linear, nn.Embedding)):
            nn.init.normal_(m.weight, mean=0.0, std=0.02)

    def num_parameters(self) -> int:
        return sum(p.numel() for p in self.parameters())

    def forward(self, input_ids, attention_mask=None, position_ids=None, past_key_values=None):
        """input_ids [B,S]; attention_mask [B,past+S] (1 = real token); position_ids [B,S];
        past_key_values: list of (key, value) [B, kv_heads, past, head_dim] per layer.
        Returns logits [B,S,V] and per layer (key, value, new_key, new_value): the presents
        (past + this step) and this step's keys and values alone."""
        b, s = input_ids.shape
        past_len = past_key_values[0][0].shape[2] if past_key_values is not None else 0
        total = past_len + s
        if attention_mask is None:
            attention_mask = torch.ones(b, total, dtype=torch.long, device=input_ids.device)
        if position_ids is None:
            position_ids = (torch.arange(s, device=input_ids.device) + past_len).unsqueeze(0).expand(b, s)
        cos = self.rope_cos[position_ids].unsqueeze(1)
        sin = self.rope_sin[position_ids].unsqueeze(1)
        q_pos = torch.arange(s, device=input_ids.device) + past_len
        k_pos = torch.arange(total, device=input_ids.device)
        allowed = (k_pos.unsqueeze(0) <= q_pos.unsqueeze(1)).unsqueeze(0).unsqueeze(0)
        allowed = allowed & (attention_mask > 0).unsqueeze(1).unsqueeze(2)
        bias = torch.zeros(allowed.shape, dtype=torch.float32, device=input_ids.device).masked_fill(~allowed, MASK_VALUE)
        x = self.embed_tokens(input_ids)
        presents = []
        for i, layer in enumerate(self.layers):
            pk, pv = past_key_values[i][:2] if past_key_values is not None else (None, None)
            x, present = layer(x, cos, sin, bias, pk, pv)
            presents.append(present)
        return self.lm_head(self.norm(x)), presents


def save_checkpoint(path: str | Path, model: DialoopLM, extra: dict | None = None, half: bool = False) -> None:
    state = {k: (v.half() if half and v.is_floating_point() else v) for k, v in model.state_dict().items()}
    # The config travels as JSON text: torch 1.13's weights_only loader refuses pickled floats.
    torch.save({"config": json.dumps(asdict(model.config)), "model": state, **(extra or {})}, str(path))


def load_model(path: str | Path) -> tuple[DialoopLM, dict]:
    """Loads a checkpoint file, or a model folder (its dialoop_checkpoint.pt), in float32."""
    p = Path(path)
    if p.is_dir():
        p = p / "dialoop_checkpoint.pt"
    ckpt = torch.load(str(p), map_location="cpu", weights_only=True)
    model = DialoopLM(ModelConfig.from_dict(json.loads(ckpt["config"])))
    model.load_state_dict({k: v.float() if v.is_floating_point() else v for k, v in ckpt["model"].items()})
    return model, ckpt


def write_configs(out_dir: str | Path, cfg: ModelConfig, max_new_tokens: int = 256) -> None:
    out = Path(out_dir)
    (out / "config.json").write_text(json.dumps(cfg.to_hf_config(), indent=2) + "\n")
    gen = {"eos_token_id": [258, 256], "pad_token_id": 259, "do_sample": False, "temperature": 0.0,
           "max_new_tokens": max_new_tokens}
    (out / "generation_config.json").write_text(json.dumps(gen, indent=2) + "\n")
