"""The student on CPU with the real SmolLM2-135M-Instruct: sampling, scoring, GRPO, SFT, eval."""

import json
import os
from pathlib import Path

import pytest

from synthrl.config import StudentConfig, load_config
from synthrl.io import read_json, read_jsonl, write_jsonl
from synthrl.llm.cache import ResponseCache
from synthrl.records import Sample
from synthrl.student.models import load_model
from synthrl.student.sampler import ServerSampler, TransformersSampler
from synthrl.student.scoring import score, solve
from synthrl.task import load_task
from synthrl.testing.fake_server import FakeServer
from synthrl.train.grpo import read_metrics, train

pytestmark = pytest.mark.slow

COLOURS = """\
name: colours
description: Name a colour.
input_format: A short request.
output_format: Answer with one word.
answer: {type: custom, function: "colour_check:read", read_from: final_line}
"""
PROMPTS = ["Name a colour.", "What colour is the sky?", "Say a colour.", "Pick a colour.",
           "Tell me a colour.", "Which colour do you like?", "Give one colour.",
           "A colour, please."]  # fmt: skip


@pytest.fixture(scope="session")
def model_cache(tmp_path_factory):
    """One cache folder per session: the built-in student is converted once."""
    folder = tmp_path_factory.mktemp("synthrl-cache")
    previous = os.environ.get("SYNTHRL_CACHE")
    os.environ["SYNTHRL_CACHE"] = str(folder)
    yield folder
    if previous is None:
        os.environ.pop("SYNTHRL_CACHE", None)
    else:
        os.environ["SYNTHRL_CACHE"] = previous


@pytest.fixture(scope="session")
def smol(model_cache):
    return load_model("smollm2-135m", device="cpu")


@pytest.fixture
def colours(tmp_path):
    """A toy task whose reward is learnable in a few steps: say 'blue'."""
    (tmp_path / "colour_check.py").write_text(
        "def read(text):\n    return 'blue' if 'blue' in text.lower() else 'other'\n"
    )
    (tmp_path / "colours.yaml").write_text(COLOURS)
    run = tmp_path / "run"
    run.mkdir()
    records = [{"id": str(i), "input": p, "answer": "blue", "reference": "Blue"}
               for i, p in enumerate(PROMPTS)]  # fmt: skip
    write_jsonl(run / "selected.jsonl", records)
    write_jsonl(run / "validation.jsonl", [])
    return load_task(tmp_path / "colours.yaml", allow_code=True), run


def cpu_config(**train):
    settings = {"max_steps": 2, "num_generations": 4, "prompts_per_step": 1,
                "max_completion_length": 12, "save_steps": 1, **train}  # fmt: skip
    return load_config(profile="cpu", overrides={"train": settings})


def test_backends_return_the_same_shapes(smol):
    model, tokenizer = smol
    local = TransformersSampler(model, tokenizer, "smol", chat=True, batch_size=4)
    prompts = ["What is 2 + 2?", "Name a colour.", "Say hi."]
    in_process = local.sample(prompts, n=3, temperature=0.7, max_tokens=8)
    with FakeServer() as server:
        remote = ServerSampler(StudentConfig(backend="server", base_url=server.base_url))
        over_http = remote.sample(prompts, n=3, temperature=0.7, max_tokens=8)
        assert server.calls == 3, "one request per prompt, n samples each"
    assert [len(r) for r in in_process] == [len(r) for r in over_http] == [3, 3, 3]
    assert all(isinstance(t, str) for row in in_process + over_http for t in row)


def test_greedy_sampling_is_deterministic(smol):
    model, tokenizer = smol
    sampler = TransformersSampler(model, tokenizer, "smol", chat=True, batch_size=8)
    prompts = ["What is 3 + 4?", "Name a fruit."]
    first = sampler.sample(prompts, n=1, temperature=0.0, max_tokens=12)
    assert first == sampler.sample(prompts, n=1, temperature=0.0, max_tokens=12)


def test_cached_samples_are_not_generated_again(smol, tmp_path):
    model, tokenizer = smol
    cache = ResponseCache(tmp_path / "student.sqlite")
    sampler = TransformersSampler(model, tokenizer, "smol", chat=True, cache=cache)
    first = sampler.sample(["Name a colour."], n=2, temperature=0.7, max_tokens=6)
    sampler._generate = None  # any generation now would fail
    assert sampler.sample(["Name a colour."], n=2, temperature=0.7, max_tokens=6) == first
    assert sampler.sampled == 1, "only the first call's prompt was sampled"


def test_a_sample_depends_on_its_seed_prompt_and_index_not_on_the_cache(smol, tmp_path):
    model, tokenizer = smol
    prompts = ["Name a colour.", "Name a fruit.", "Name a river."]  # the same length: no padding
    settings = {"n": 4, "temperature": 1.0, "max_tokens": 8, "seed": 3}
    fresh = TransformersSampler(model, tokenizer, "smol", chat=True, batch_size=12)
    whole = fresh.sample(prompts, **settings)
    assert len({text for row in whole for text in row}) > 6, "samples should differ"
    # An interrupted run cached the first prompt's samples; the resumed run draws the rest.
    cache = ResponseCache(tmp_path / "student.sqlite")
    resumed = TransformersSampler(model, tokenizer, "smol", chat=True, batch_size=12, cache=cache)
    assert resumed.sample(prompts[:1], **settings) == whole[:1]
    assert resumed.sample(prompts, **settings) == whole
    assert fresh.sample(prompts, **{**settings, "seed": 4}) != whole


def _scripted_student(body, index):
    # Greedy (temperature 0) answers 5; sampled answers: 3 of every 8 say 5, the rest 7.
    if body.get("temperature") == 0:
        return "#### 5"
    return "#### 5" if index % 8 < 3 else "#### 7"


def test_pass_rate_is_correct_answers_over_l_and_solve_flags(tmp_path):
    run = tmp_path / "run"
    run.mkdir()
    base = {
        "task": "gsm8k",
        "reference": "",
        "origin": "initial",
        "parent_id": None,
        "passage_id": None,
        "votes": {},
        "unreadable_votes": 0,
        "agreement": 1.0,
    }
    records = [{**base, "id": "a", "input": "2 + 3?", "answer": "5"},
               {**base, "id": "b", "input": "3 + 4?", "answer": "7"}]  # fmt: skip
    samples = [Sample.from_dict(r) for r in records]
    config = load_config(profile="cpu", overrides={"score": {"samples": 8}})
    with FakeServer(_scripted_student) as server:
        student = StudentConfig(backend="server", base_url=server.base_url)
        sampler = ServerSampler(student, ResponseCache(run / "student.sqlite"))
        scored, fresh = score(load_task("gsm8k"), config, samples, sampler)
        solved, _ = solve(load_task("gsm8k"), config, samples, sampler)
        _, again = score(load_task("gsm8k"), config, samples, sampler)
    # What the scoring's wall time paid for: two prompts the first time, none from the cache.
    assert (fresh["sampled"], again["sampled"]) == (2, 0)
    assert fresh["sometimes"] == again["sometimes"] == 2
    rates = {r["id"]: (r["pass_rate"], r["n_samples"]) for r in scored}
    assert rates == {"a": (3 / 8, 8), "b": (5 / 8, 8)}
    flags = {r["id"]: r["greedy_solved"] for r in solved}
    assert flags == {"a": True, "b": False}


def test_grpo_writes_a_loadable_checkpoint_and_resumes(colours, smol):
    from transformers import AutoModelForCausalLM

    task, run = colours
    train(task, cpu_config(max_steps=2, keep_checkpoints_when_done=True), run)
    checkpoint = run / "train" / "grpo" / "checkpoint-2"
    assert AutoModelForCausalLM.from_pretrained(checkpoint) is not None
    assert (run / "model" / "config.json").is_file()
    summary = train(task, cpu_config(max_steps=3), run)
    assert summary["steps"] == 3
    steps = [r["step"] for r in read_metrics(run) if "reward_mean" in r]
    assert steps == [1, 2, 3], "the second run resumed at step 3 instead of starting over"


def test_training_under_a_new_key_starts_fresh_and_the_same_key_resumes(colours, smol):
    task, run = colours
    kept = {"keep_checkpoints_when_done": True}
    train(task, cpu_config(max_steps=2, **kept), run, key="first")
    assert (run / "train" / "first" / "checkpoint-2").is_dir()
    # New data or settings give the train stage a new key: no checkpoint of the old one is used.
    summary = train(task, cpu_config(max_steps=3, **kept), run, key="second")
    assert summary["steps"] == 3
    steps = [r["step"] for r in read_metrics(run) if "reward_mean" in r]
    assert steps == [1, 2, 3], "the new training should start at step 1"
    assert (run / "train" / "second" / "checkpoint-3").is_dir()
    kept = list((run / "train" / "second").glob("checkpoint-*"))
    assert len(kept) <= 2, "train.keep_checkpoints (2) bounds the checkpoints on disk"


def test_a_finished_training_removes_its_checkpoints_and_keeps_the_model(colours, smol):
    task, run = colours
    summary = train(task, cpu_config(max_steps=2, save_steps=1), run, key="done")
    assert summary["steps"] == 2 and (run / "model" / "model.safetensors").is_file()
    assert (run / "train" / "done" / "metrics.jsonl").is_file()
    assert not list((run / "train" / "done").glob("checkpoint-*")), (
        "a finished training's checkpoints only serve to resume it: removed"
    )


def test_the_starting_model_is_kept_when_no_checkpoint_beats_it_on_validation(colours, smol):
    import torch
    from safetensors.torch import load_file

    task, run = colours
    held = [{"id": f"v{i}", "input": p, "answer": "blue", "reference": "Blue"}
            for i, p in enumerate(PROMPTS[:4])]  # fmt: skip
    write_jsonl(run / "validation.jsonl", held)
    # a learning rate that wrecks the model in two steps: its checkpoints answer nothing blue
    config = cpu_config(max_steps=2, save_steps=1, learning_rate=0.05, start_is_candidate=True)
    summary = train(task, config, run, key="wrecked")
    assert summary["start_metric"] > 0 and summary["kept_start"], summary
    assert summary["trained_best"] < summary["start_metric"]
    assert summary["best_checkpoint"] == "the starting model"
    assert read_json(run / "train" / "wrecked" / "start.json") == {
        "eval_reward": summary["start_metric"]
    }
    kept = load_file(run / "model" / "model.safetensors")
    start = smol[0].state_dict()
    name = "model.layers.0.self_attn.q_proj.weight"
    assert torch.equal(kept[name], start[name].cpu()), "model/ is the starting model's weights"
    # without the setting the best checkpoint is kept, however it did
    plain = train(task, cpu_config(max_steps=2, save_steps=1, learning_rate=0.05), run, key="p")
    assert plain["start_metric"] is None and not plain["kept_start"]
    assert not torch.equal(load_file(run / "model" / "model.safetensors")[name], start[name])


def test_grpo_raises_the_reward_on_a_learnable_toy_task(colours, smol):
    task, run = colours
    config = cpu_config(max_steps=16, num_generations=8, prompts_per_step=2,
                        learning_rate=2e-5, save_steps=100)  # fmt: skip
    train(task, config, run)
    rewards = [r["reward_mean"] for r in read_metrics(run) if "reward_mean" in r]
    assert len(rewards) == 16
    early, late = sum(rewards[:4]) / 4, sum(rewards[-4:]) / 4
    assert late >= early + 0.3, rewards


def test_dynamic_sampling_retires_zero_variance_prompts_and_logs_each_samples_rewards(
    colours, smol
):
    task, run = colours
    config = cpu_config(max_steps=4, dynamic_sampling=True, save_steps=100)
    summary = train(task, config, run)
    assert summary["steps"] == 4
    rows = [r for r in read_metrics(run) if "groups_seen" in r]
    assert rows and rows[-1]["groups_seen"] >= 4
    logged = read_jsonl(run / "train" / "rewards.jsonl")
    assert {r["id"] for r in logged} <= {str(i) for i in range(len(PROMPTS))}
    assert all(len(r["rewards"]) == 4 and r["step"] is not None for r in logged)
    # the figures are the logged groups' own: every zero-variance group retired its prompt
    flat = [r for r in logged if len(set(r["rewards"])) == 1]
    last = rows[-1]
    assert last["groups_seen"] == len(logged)
    assert last["zero_std_share_seen"] == round(len(flat) / len(logged), 4)
    assert last["retired_prompts"] == len({r["id"] for r in flat})


def test_sft_baseline_trains_on_teacher_solutions(colours, smol):
    task, run = colours
    config = load_config(
        profile="cpu",
        overrides={
            "train": {"method": "sft", "max_steps": 2, "sft_batch_size": 4, "save_steps": 1}
        },
    )
    summary = train(task, config, run)
    assert summary["method"] == "sft" and summary["steps"] == 2
    assert (run / "model" / "model.safetensors").is_file()


def test_eval_on_20_gsm8k_items_writes_accuracy_and_predictions(tmp_path, model_cache, capsys):
    from synthrl.cli import main

    out = tmp_path / "eval.json"
    with pytest.raises(SystemExit) as exit_info:
        main(
            [
                "eval",
                "--task",
                "gsm8k",
                "--model",
                "smollm2-135m",
                "--limit",
                "20",
                "--profile",
                "cpu",
                "--max-tokens",
                "48",
                "--out",
                str(out),
                "--quiet",
            ]
        )
    assert exit_info.value.code == 0
    report = read_json(out)
    [result] = report["results"]
    assert result["items"] == 20 and 0.0 <= result["accuracy"] <= 1.0
    predictions = read_jsonl(Path(result["predictions"]))
    assert len(predictions) == 20
    assert sum(p["correct"] for p in predictions) / 20 == result["accuracy"]
    assert "accuracy" in capsys.readouterr().out
    json.dumps(report)


def test_quiet_leaves_the_libraries_bars_off_too(tmp_path, model_cache):
    """--quiet: no "Loading weights" bar from transformers, no tqdm bar of any library."""
    import subprocess
    import sys

    # Without the switches an earlier in-process `--quiet` command of this session set.
    switches = ("TQDM_DISABLE", "HF_HUB_DISABLE_PROGRESS_BARS", "HF_DATASETS_DISABLE_PROGRESS_BARS")
    env = {k: v for k, v in os.environ.items() if k not in switches}
    env["SYNTHRL_CACHE"] = str(model_cache)
    command = [sys.executable, "-m", "synthrl", "eval", "--task", "arithmetic", "--model",
               "smollm2-135m", "--limit", "2", "--max-tokens", "8", "--out",
               str(tmp_path / "eval.json")]  # fmt: skip
    loud = subprocess.run(command, env=env, capture_output=True, text=True, timeout=300)
    quiet = subprocess.run([*command, "--quiet"], env=env, capture_output=True, text=True,
                           timeout=300)  # fmt: skip
    assert loud.returncode == quiet.returncode == 0
    assert "Loading weights" in loud.stderr  # the bar this test is about exists
    assert "Loading weights" not in quiet.stderr and "it/s" not in quiet.stderr
