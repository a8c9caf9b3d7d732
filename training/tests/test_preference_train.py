"""DPO / KTO / SFT fine-tuning from a model folder on a dataset version, and INT8 quantization.

A tiny model (the `tiny-test` preset) and a tiny synthetic preference set whose chosen replies
carry a simple trait (they end with a follow-up offer) keep the whole file to seconds."""
import json
import os
import shutil
import socket

import onnx
import pytest
import torch

from dialoop_train.base import sha256 as sha256_file
from dialoop_train.dataset_version import describe, write_dataset_version
from dialoop_train.export import io_names
from dialoop_train.model import PRESETS, DialoopLM, load_model, save_checkpoint, write_configs
from dialoop_train.preference_train import OUTPUT_FILES, PrefConfig, encode_completion, encode_prompt, main, run
from dialoop_train.quantize import quantize_folder
from dialoop_train.tokenizer import IM_END, decode, save_tokenizer
from dialoop_train.train import read_jsonl

WORDS = ["apples", "rivers", "clouds", "tigers", "books", "music", "trains", "coffee", "stars", "paper", "gardens",
         "bridges", "robots", "maps", "lamps", "shoes", "boats", "honey", "snow", "glass", "wolves", "kites", "bells",
         "salt", "moons", "tea", "roses", "clocks", "owls", "bread", "coins", "sand", "ships", "ink", "pears", "ice",
         "frogs", "hats", "rain", "drums", "keys", "nets", "oaks", "plums", "seeds", "tents", "vans", "yarn",
         "zebras", "ants", "bees", "cats", "dogs", "eggs", "figs", "goats", "hens", "jars", "lions", "mice", "nuts",
         "pens", "rugs", "taps"]
OFFER = " Anything else?"


def records(words):
    out = []
    for w in words:
        prompt = [{"role": "user", "content": f"Tell me about {w}."}]
        base = f"I like {w}."
        out.append({"prompt": prompt, "chosen": [{"role": "assistant", "content": base + OFFER}],
                    "rejected": [{"role": "assistant", "content": base}]})
    return out


@pytest.fixture(scope="module")
def workspace(tmp_path_factory):
    root = tmp_path_factory.mktemp("pref")
    parent = root / "parent-tiny"
    parent.mkdir()
    torch.manual_seed(0)
    model = DialoopLM(PRESETS["tiny-test"])
    save_checkpoint(parent / "dialoop_checkpoint.pt", model)
    save_tokenizer(parent, model.config.max_position_embeddings)
    write_configs(parent, model.config)
    train_w, test_w = WORDS[:48], WORDS[48:]
    dpo_train, dpo_test = records(train_w), records(test_w)

    def kto(rows):
        out = []
        for r in rows:
            out.append({"prompt": r["prompt"], "completion": r["chosen"], "label": True})
            out.append({"prompt": r["prompt"], "completion": r["rejected"], "label": False})
        return out

    def sft(rows):
        return [{"messages": r["prompt"] + r["chosen"]} for r in rows]

    heldout = [{"id": str(i), "lang": "en", "kind": "greeting", "messages": r["prompt"], "answer": None,
                "reference": r["chosen"][0]["content"]} for i, r in enumerate(dpo_test)]
    heldout += [{"id": f"a{a}", "lang": "en", "kind": "arithmetic", "answer": str(a + 3), "reference": f"{a} + 3 = {a + 3}.",
                 "messages": [{"role": "user", "content": f"What is {a} + 3?"}]} for a in (2, 5)]
    (parent / "heldout.jsonl").write_text("".join(json.dumps(h) + "\n" for h in heldout))
    dataset = root / "dataset-v3"
    write_dataset_version(dataset, {"dpo": {"train": dpo_train, "test": dpo_test},
                                    "kto": {"train": kto(dpo_train), "test": kto(dpo_test)},
                                    "sft": {"train": sft(dpo_train), "test": sft(dpo_test)}},
                          id="ds_test_3", version=3, name="offer trait")
    return {"root": root, "parent": parent, "dataset": dataset}


def cfg(**kw):
    base = dict(method="dpo", beta=0.1, lr=2e-3, steps=30, batch_size=8, warmup_steps=3, log_every=5,
                checkpoint_every=10, eval_every=0, threads=2, max_len=128, seed=0)
    base.update(kw)
    return PrefConfig(**base)


def quiet(*_a, **_k):
    pass


@pytest.fixture(scope="module")
def dpo_run(workspace):
    out = workspace["root"] / "dpo-model"
    events = []
    res = run(cfg(), workspace["parent"], workspace["dataset"], out, log=quiet, emit=events.append)
    return {"out": out, "res": res, "events": events, "run_dir": workspace["root"] / "dpo-model-run"}


def read_metrics_jsonl(run_dir):
    return read_jsonl(run_dir / "metrics.jsonl")


def test_encoding_masks_the_prompt_and_matches_chatml():
    p = encode_prompt([{"role": "user", "content": "Hi"}])
    assert decode(p) == "<|im_start|>user\nHi<|im_end|>\n<|im_start|>assistant\n"
    assert encode_completion("Yo")[-1] == IM_END


def test_dpo_loss_falls_and_reward_accuracy_rises(dpo_run):
    hist = read_metrics_jsonl(dpo_run["run_dir"])
    assert [h["step"] for h in hist] == [5, 10, 15, 20, 25, 30]
    for key in ("loss", "lr", "tokens_per_s", "rewards/chosen", "rewards/rejected", "rewards/accuracy", "rewards/margins"):
        assert key in hist[0]
    losses = [h["loss"] for h in hist]
    assert dpo_run["res"]["train_loss_first"] > 0.68  # log 2: the policy starts as the reference
    assert losses[-1] < 0.25 and losses == sorted(losses, reverse=True), losses
    accuracy = [h["rewards/accuracy"] for h in hist]
    assert accuracy[0] < 0.9 and accuracy[-1] == 1.0, accuracy
    assert hist[-1]["rewards/margins"] > 0
    held = dpo_run["res"]["heldout"]
    assert held["reward_accuracy"] >= 0.9 and held["margin_mean"] > 0
    assert held["kl_policy_reference"] > 0


def test_progress_lines_carry_step_total_loss_and_eta(dpo_run):
    progress = [e for e in dpo_run["events"] if e["event"] == "progress"]
    assert [e["step"] for e in progress] == [5, 10, 15, 20, 25, 30]
    assert all(e["total"] == 30 and isinstance(e["loss"], float) and e["eta_s"] >= 0 for e in progress)
    assert dpo_run["events"][-1]["event"] == "done"


def test_the_output_folder_is_complete_and_loads(dpo_run, workspace):
    out = dpo_run["out"]
    for name in (*OUTPUT_FILES, "heldout.jsonl"):
        assert (out / name).is_file(), name
    model, _ = load_model(out)
    trained = dpo_run["res"]["trainer"].policy
    for (ka, va), (kb, vb) in zip(model.state_dict().items(), trained.state_dict().items()):
        assert ka == kb and torch.equal(va, vb)
    graph = onnx.load(str(out / "model.onnx")).graph
    inputs, outputs = io_names(model.config.num_hidden_layers)
    assert [i.name for i in graph.input] == inputs and [o.name for o in graph.output] == outputs
    card = (out / "README.md").read_text()
    ds = describe(workspace["dataset"])
    assert "parent-tiny" in card and sha256_file(workspace["parent"] / "dialoop_checkpoint.pt") in card
    assert ds["manifest_sha256"] in card and "ds_test_3" in card and "| dpo |" in card
    assert "<!-- eval:model writes below this line -->" in card
    assert json.loads((out / "config.json").read_text())["num_hidden_layers"] == model.config.num_hidden_layers


def test_metrics_json_has_the_documented_keys(dpo_run):
    m = json.loads((dpo_run["out"] / "metrics.json").read_text())
    for key in ("method", "parent", "dataset", "hyperparameters", "steps", "heldout", "tokens_per_s", "train_seconds",
                "wall_seconds", "history", "files", "train_loss_first", "train_loss_final"):
        assert key in m, key
    assert m["method"] == "dpo" and m["steps"] == 30
    assert set(m["parent"]) >= {"name", "checkpoint_sha256"}
    assert m["dataset"]["id"] == "ds_test_3" and m["dataset"]["version"] == 3 and len(m["dataset"]["manifest_sha256"]) == 64
    for key in ("loss", "reward_accuracy", "margin_mean", "rewards_chosen", "rewards_rejected", "kl_policy_reference",
                "nll_chosen_per_token", "examples"):
        assert key in m["heldout"], key
    assert m["hyperparameters"]["beta"] == 0.1 and m["hyperparameters"]["precision_used"] == "fp32"
    assert m["files"]["model.onnx"] == sha256_file(dpo_run["out"] / "model.onnx")


def test_the_output_folder_has_the_int8_graph_beside_model_onnx_with_both_hashes(dpo_run):
    out = dpo_run["out"]
    m = json.loads((out / "metrics.json").read_text())
    assert m["files"]["model_int8.onnx"] == sha256_file(out / "model_int8.onnx")
    assert m["files"]["quantization.json"] == sha256_file(out / "quantization.json")
    assert m["int8"]["sha256"] == {"fp32": m["files"]["model.onnx"], "int8": m["files"]["model_int8.onnx"]}
    assert m["int8"]["mode"] == "beside" and m["int8"]["files"] == {"fp32": "model.onnx", "int8": "model_int8.onnx"}
    h = m["int8"]["heldout"]  # the parent's heldout.jsonl, copied into the folder
    assert h["dialogues"] == 18 and abs(h["loss_int8"] - h["loss_fp32"]) < 0.02 * h["loss_fp32"] + 0.01, h  # 16 test prompts + 2 arithmetic questions
    int8 = onnx.load(str(out / "model_int8.onnx"))
    onnx.checker.check_model(int8)
    assert [o.name for o in int8.graph.output] == [o.name for o in onnx.load(str(out / "model.onnx")).graph.output]
    card = (out / "README.md").read_text()
    assert card.count("## INT8 weights") == 1 and card.index("## INT8 weights") < card.index("## Measured quality")
    assert f"| `model_int8.onnx` | {(out / 'model_int8.onnx').stat().st_size:,} | `{m['files']['model_int8.onnx']}` |" in card


def test_resuming_from_a_checkpoint_reproduces_the_uninterrupted_run(workspace):
    root = workspace["root"]
    c = cfg(steps=12, checkpoint_every=6, log_every=3, grad_accum=2, batch_size=4)
    straight = run(c, workspace["parent"], workspace["dataset"], root / "a", log=quiet, emit=quiet, int8=False)
    assert not (root / "a" / "model_int8.onnx").exists() and "model_int8.onnx" not in straight["files"]
    # A run that "crashed" after step 6: only its step-6 checkpoint is left.
    (root / "b-run" / "checkpoints").mkdir(parents=True)
    shutil.copyfile(root / "a-run" / "checkpoints" / "step-000006.pt", root / "b-run" / "checkpoints" / "latest.pt")
    resumed = run(c, workspace["parent"], workspace["dataset"], root / "b", resume=True, log=quiet, emit=quiet, int8=False)
    assert resumed["steps"] == 12
    a, b = straight["trainer"].policy.state_dict(), resumed["trainer"].policy.state_dict()
    for k in a:
        assert torch.equal(a[k], b[k]), k
    sa, sb = straight["trainer"].optimizer.state_dict(), resumed["trainer"].optimizer.state_dict()
    assert sa["param_groups"][0]["lr"] == sb["param_groups"][0]["lr"]
    assert [h["loss"] for h in straight["history"]] == [h["loss"] for h in resumed["history"]]


def test_kto_runs_and_its_loss_falls(workspace):
    events = []
    res = run(cfg(method="kto", steps=30), workspace["parent"], workspace["dataset"], workspace["root"] / "kto",
              log=quiet, emit=events.append)
    losses = [e["loss"] for e in events if e["event"] == "progress"]
    assert res["train_loss_first"] == pytest.approx(0.5, abs=0.01)  # 1 - σ(0): the policy starts as the reference
    assert losses[-1] < losses[0] - 0.1 and losses[-1] < 0.35, losses
    hist = res["history"]
    assert hist[-1]["rewards/chosen"] > hist[-1]["rewards/rejected"]
    assert res["heldout"]["reward_gap"] > 0 and "kl_policy_reference" in res["heldout"]


def test_sft_runs_from_the_cli_and_lowers_held_out_loss(workspace, capsys):
    out = workspace["root"] / "sft"
    main(["--method", "sft", "--model-dir", str(workspace["parent"]), "--dataset", str(workspace["dataset"]),
          "--out", str(out), "--steps", "20", "--lr", "1e-2", "--batch-size", "8", "--log-every", "10",
          "--eval-every", "10", "--max-len", "128", "--warmup-steps", "2"])
    lines = [json.loads(line) for line in capsys.readouterr().out.splitlines() if line.strip()]
    assert [e["event"] for e in lines] == ["progress", "eval", "progress", "done"]
    m = json.loads((out / "metrics.json").read_text())
    assert m["method"] == "sft" and m["heldout"]["loss"] < m["evals"][0]["loss"] + 1.0
    assert m["heldout"]["loss"] < 3.5


def test_quantize_writes_int8_weights_a_smaller_graph_and_close_loss(dpo_run, workspace):
    src, dst = dpo_run["out"], workspace["root"] / "dpo-model-int8"
    report = quantize_folder(src, dst, log=quiet)
    model = onnx.load(str(dst / "model.onnx"))
    onnx.checker.check_model(model)
    int8 = [i for i in model.graph.initializer if i.data_type == onnx.TensorProto.INT8 and len(i.dims) == 2]
    n_layers = PRESETS["tiny-test"].num_hidden_layers
    assert len(int8) == 7 * n_layers + 1  # q, k, v, o, gate, up, down per layer, and the LM head
    assert sum(n.op_type == "DequantizeLinear" for n in model.graph.node) == len(int8)
    fp32 = onnx.load(str(src / "model.onnx"))
    assert [i.name for i in model.graph.input] == [i.name for i in fp32.graph.input]
    assert [o.name for o in model.graph.output] == [o.name for o in fp32.graph.output]
    assert (dst / "model.onnx").stat().st_size < 0.75 * (src / "model.onnx").stat().st_size
    h = report["heldout"]
    assert h["layers_matched"] == len(int8)
    assert abs(h["loss_int8"] - h["loss_fp32"]) < 0.02 * h["loss_fp32"] + 0.01, h
    for name in ("dialoop_checkpoint.pt", "tokenizer.json", "tokenizer_config.json", "generation_config.json",
                 "config.json", "README.md", "quantization.json"):
        assert (dst / name).is_file(), name
    assert not (dst / "model_int8.onnx").exists()  # the copy's model.onnx is the INT8 graph
    assert "INT8" in (dst / "README.md").read_text()


def _free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _ddp_worker(rank, world, port, c, parent, dataset, out):
    os.environ.update({"WORLD_SIZE": str(world), "RANK": str(rank), "LOCAL_RANK": str(rank),
                       "MASTER_ADDR": "127.0.0.1", "MASTER_PORT": str(port)})
    run(c, parent, dataset, out, log=quiet, emit=quiet)


def test_two_data_parallel_processes_match_one_with_the_whole_batch(workspace):
    root = workspace["root"]
    single = run(cfg(steps=6, batch_size=8, threads=1, checkpoint_every=100), workspace["parent"], workspace["dataset"],
                 root / "single", log=quiet, emit=quiet)
    c = cfg(steps=6, batch_size=4, threads=1, checkpoint_every=100)
    torch.multiprocessing.spawn(_ddp_worker, args=(2, _free_port(), c, workspace["parent"], workspace["dataset"], root / "ddp"),
                                nprocs=2, join=True)
    ddp, _ = load_model(root / "ddp")
    for k, v in single["trainer"].policy.state_dict().items():
        assert torch.allclose(v, ddp.state_dict()[k], atol=1e-5), k


def test_guard_replies_answer_the_same_prompts_with_parent_and_new_model(dpo_run):
    g = json.loads((dpo_run["out"] / "guards.json").read_text(encoding="utf-8"))
    n = len(g["prompts"])
    assert n > 0 and len(g["parent"]) == n and len(g["model"]) == n
    assert any(p["kind"] == "test" for p in g["prompts"])
    assert all(r["finish"] in ("stop", "length") and isinstance(r["text"], str) for r in g["parent"] + g["model"])
    assert g["max_new_tokens"] > 0
    exact = [i for i, p in enumerate(g["prompts"]) if p["answer"] is not None]
    assert exact and all(isinstance(g["model"][i]["exact"], bool) for i in exact)
    assert all(g["model"][i]["exact"] is None for i, p in enumerate(g["prompts"]) if p["answer"] is None)


def test_replay_keeps_the_parents_corpus_and_is_recorded(workspace):
    """--replay-weight: cross-entropy on the parent's own corpus (regenerated from its metrics.json)
    rides along each micro-batch; a run with it fits that corpus better than one without."""
    from dialoop_train.preference_train import Trainer, corpus_of, pad_batch, token_logps
    root = workspace["root"]
    parent = root / "parent-with-corpus"
    shutil.copytree(workspace["parent"], parent)
    # No corpus record: replay is refused, saying why.
    with pytest.raises(ValueError, match="names none"):
        run(cfg(steps=2, replay_weight=1.0), parent, workspace["dataset"], root / "no-corpus", log=quiet, emit=quiet, int8=False)
    (parent / "metrics.json").write_text(json.dumps({"corpus": {"variant": "default", "dialogues": 100}, "train_config": {"seed": 4}}))
    assert corpus_of(parent) == {"variant": "default", "dialogues": 100, "seed": 4}
    c = dict(steps=12, lr=3e-3, replay_dialogues=300)
    plain = run(cfg(**c), parent, workspace["dataset"], root / "plain", log=quiet, emit=quiet, int8=False)
    mixed = run(cfg(**c, replay_weight=1.0), parent, workspace["dataset"], root / "mixed", log=quiet, emit=quiet, int8=False)
    m = json.loads((root / "mixed" / "metrics.json").read_text())
    assert m["replay"]["variant"] == "default" and m["replay"]["replay_seed"] == 5
    assert 0 < m["replay"]["dialogues"] <= 300 and m["replay"]["dialogues"] + m["replay"]["left_out"] == 300
    assert m["corpus"] == {"variant": "default", "dialogues": 100, "seed": 4}  # carried down for the next run's replay
    assert corpus_of(root / "mixed") == m["corpus"]
    assert all("replay_ce" in h for h in m["history"]) and "replay_ce" not in plain["history"][0]
    assert "replay" in (root / "mixed" / "README.md").read_text()
    # The replay set, scored by both models: the one that replayed it fits it better.
    t: Trainer = mixed["trainer"]
    ids, mask = pad_batch(t.replay_items[:64], torch.device("cpu"))

    def ce(model):
        with torch.no_grad():
            lp, _ = token_logps(model.eval(), ids, mask)
        return float(-lp.sum() / mask[:, 1:].sum())

    assert ce(mixed["trainer"].policy) < ce(plain["trainer"].policy) - 0.05
