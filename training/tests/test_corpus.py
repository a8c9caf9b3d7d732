import json

from dialoop_train import corpus


def test_generation_is_deterministic_and_bilingual(tmp_path):
    a, b = tmp_path / "a", tmp_path / "b"
    corpus.main(["--out", str(a), "--n", "400", "--seed", "3"])
    corpus.main(["--out", str(b), "--n", "400", "--seed", "3"])
    for name in ("train.jsonl", "heldout.jsonl", "stats.json"):
        assert (a / name).read_bytes() == (b / name).read_bytes()
    stats = json.loads((a / "stats.json").read_text())
    assert stats["train"]["dialogues"] == 400
    assert set(stats["train"]["by_lang"]) == {"en", "zh"}


def test_every_kind_appears_and_dialogues_are_chatml_shaped():
    train, heldout = corpus.generate(n_dialogues=800, seed=0)
    for d in train:
        roles = [m["role"] for m in d if m["role"] != "system"]
        assert roles[0] == "user" and roles[-1] == "assistant"
        assert all(roles[i] != roles[i + 1] for i in range(len(roles) - 1))
        assert all(m["content"] for m in d)
    kinds = {h["kind"] for h in heldout}
    assert set(corpus.EXACT_KINDS) <= kinds
    assert any("\u4e00" <= ch <= "\u9fff" for d in train for m in d for ch in m["content"])


def test_heldout_prompts_never_appear_in_training():
    train, heldout = corpus.generate(n_dialogues=3000, seed=0)
    seen = {m["content"] for d in train for m in d if m["role"] == "user"}
    assert heldout, "no held-out items"
    for h in heldout:
        assert h["messages"][-1]["content"] not in seen
    exact = [h for h in heldout if h["kind"] in corpus.EXACT_KINDS]
    assert all(h["answer"] for h in exact)
    assert all(h["answer"] in h["reference"] for h in exact)


def test_variants_keep_the_heldout_prompts_and_end_on_the_graded_answer():
    import re

    _, base = corpus.generate(n_dialogues=300, seed=0)
    for name in corpus.VARIANTS:
        train, held = corpus.generate(n_dialogues=1500, seed=0, variant=name)
        assert [(h["id"], h["messages"], h["answer"]) for h in held] == \
            [(h["id"], h["messages"], h["answer"]) for h in base], name
        seen = {m["content"] for d in train for m in d if m["role"] == "user"}
        assert not any(h["messages"][-1]["content"] in seen for h in held), name
        for h in held:  # the eval reads the number after the last '=' / the capital at the end
            if h["kind"] == "capital" or h["reference"].startswith(("The capital", )) or "首都" in h["reference"]:
                continue
            if h["answer"] is not None and re.search(r"=\s*-?\d+", h["reference"]) and h["kind"] != "multi":
                assert re.findall(r"=\s*(-?[0-9]+)", h["reference"])[-1] == h["answer"], (name, h["reference"])
    assert corpus.generate(n_dialogues=300, seed=0, variant="default")[1] == base
