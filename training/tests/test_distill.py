import json

import torch

from dialoop_train import corpus
from dialoop_train.distill import build, distill_loss
from dialoop_train.export import export_onnx
from dialoop_train.model import PRESETS, DialoopLM, save_checkpoint, write_configs
from dialoop_train.tokenizer import save_tokenizer
from dialoop_train.train import TrainConfig, masked_loss


def _batch(seed=0):
    g = torch.Generator().manual_seed(seed)
    x = torch.randint(0, 256, (2, 12), generator=g)
    y = torch.randint(0, 256, (2, 12), generator=g)
    m = (torch.rand(2, 12, generator=g) > 0.3).float()
    return x, y, m


def test_hard_labels_only_is_the_reply_cross_entropy():
    torch.manual_seed(0)
    teacher, student = DialoopLM(PRESETS["tiny-test"]).eval(), DialoopLM(PRESETS["tiny-test"])
    x, y, m = _batch()
    got = distill_loss(teacher, 2.0, 0.0)(student, x, y, m)
    assert torch.allclose(got, masked_loss(student, x, y, m), atol=1e-6)


def test_soft_targets_vanish_when_the_student_is_the_teacher_and_pull_towards_it_otherwise():
    torch.manual_seed(0)
    teacher = DialoopLM(PRESETS["tiny-test"]).eval()
    twin = DialoopLM(PRESETS["tiny-test"])
    twin.load_state_dict(teacher.state_dict())
    x, y, m = _batch(1)
    assert distill_loss(teacher, 2.0, 1.0)(twin, x, y, m).item() < 1e-6
    other = DialoopLM(PRESETS["tiny-test"])
    soft = distill_loss(teacher, 2.0, 1.0)
    opt = torch.optim.Adam(other.parameters(), lr=1e-2)
    before = soft(other, x, y, m).item()
    for _ in range(20):
        opt.zero_grad()
        soft(other, x, y, m).backward()
        opt.step()
    assert before > 0 and soft(other, x, y, m).item() < before * 0.5


def _teacher_folder(path):
    torch.manual_seed(0)
    model = DialoopLM(PRESETS["tiny-test"]).eval()
    path.mkdir()
    export_onnx(model, path / "model.onnx")
    save_checkpoint(path / "dialoop_checkpoint.pt", model)
    save_tokenizer(path, model.config.max_position_embeddings)
    write_configs(path, model.config, max_new_tokens=64)
    corpus.main(["--out", str(path / "data"), "--n", "40"])
    (path / "heldout.jsonl").write_text((path / "data" / "heldout.jsonl").read_text())
    (path / "metrics.json").write_text(json.dumps({"parameters": model.num_parameters(), "corpus": {"variant": "default"}}))
    return path


def test_a_student_folder_names_its_teacher_and_serves_like_any_model(tmp_path):
    teacher = _teacher_folder(tmp_path / "teacher")
    out = tmp_path / "student"
    cfg = TrainConfig(steps=4, batch_size=2, seq_len=64, warmup_steps=1, eval_every=4, checkpoint_every=2, threads=1)
    m = build(teacher, out, "tiny-test", cfg, 2.0, 0.5, 40, tmp_path / "run", int8=False, log=lambda *_: None)
    for f in ("model.onnx", "dialoop_checkpoint.pt", "tokenizer.json", "config.json", "generation_config.json",
              "heldout.jsonl", "metrics.json", "README.md"):
        assert (out / f).exists(), f
    saved = json.loads((out / "metrics.json").read_text())
    assert saved["method"] == "distill" and saved["steps"] == 4
    assert saved["parent"]["name"] == "teacher" and len(saved["parent"]["model_onnx_sha256"]) == 64
    assert saved["distillation"] == {"temperature": 2.0, "alpha": 0.5}
    assert json.loads((out / "generation_config.json").read_text())["max_new_tokens"] == 64
    assert "distilled student of `teacher`" in (out / "README.md").read_text()
    assert m["val_loss"] > 0 and m["teacher_val_loss"] > 0
    # resumable: a second run with --resume continues from the checkpoints and stops at once
    again = build(teacher, out, "tiny-test", cfg, 2.0, 0.5, 40, tmp_path / "run", resume=True, int8=False, log=lambda *_: None)
    assert again["steps"] == 4
    assert again["history"] == m["history"] and again["first_loss"] == m["first_loss"]  # the record survives a resume
