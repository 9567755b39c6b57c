"""Student-side costs on CPU with the built-in SmolLM2-135M-Instruct.

    .venv/bin/python benchmarks/student.py [--steps 6]

1. Scoring throughput (completions/s): batched L-sampling (all L samples of several prompts
   per forward pass, `student.batch_size` 32) against one sample at a time, same prompts,
   L = 8, 32 new tokens at most, temperature 0.7.
2. GRPO step time: `synthrl.train.grpo.train` against plain TRL `GRPOTrainer` with identical
   settings (same model copy, prompts, reward rule, GRPOConfig values), mean over the steps
   after the first.
3. Peak memory (max RSS) of each measurement, each run in its own process.
"""

from __future__ import annotations

import argparse
import json
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

PROMPTS = [
    "What is 12 + 7?", "Name a colour.", "What is the capital of France?",
    "Write a word that rhymes with cat.", "How many legs does a spider have?",
    "What is 9 times 6?", "Say something kind.", "What do bees make?",
]  # fmt: skip
TASK = """\
name: colours
description: Name a colour.
input_format: A short request.
output_format: Answer with one word.
answer: {type: custom, function: "colour_check:read", read_from: final_line}
"""
TRAIN = {"max_steps": 6, "num_generations": 8, "prompts_per_step": 2,
         "max_completion_length": 24, "learning_rate": 1e-5, "beta": 0.0,
         "temperature": 1.0, "save_steps": 1000}  # fmt: skip


def peak_gib() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024**2


def score(batched: bool) -> dict:
    from synthrl.student.models import load_model
    from synthrl.student.sampler import TransformersSampler

    model, tokenizer = load_model("smollm2-135m", "cpu")
    sampler = TransformersSampler(model, tokenizer, "bench", chat=True, batch_size=32)
    began = time.perf_counter()
    if batched:
        out = sampler.sample(PROMPTS, n=8, temperature=0.7, max_tokens=32)
        count = sum(len(r) for r in out)
    else:
        sampler.batch_size = 1
        count = 0
        for prompt in PROMPTS:
            for seed in range(8):
                count += len(sampler.sample([prompt], n=1, temperature=0.7, max_tokens=32,
                                            seed=seed)[0])  # fmt: skip
    elapsed = time.perf_counter() - began
    return {"completions": count, "seconds": elapsed, "per_s": count / elapsed}


def _toy(run: Path) -> None:
    from synthrl.io import write_jsonl

    run.mkdir(parents=True, exist_ok=True)
    (run.parent / "colour_check.py").write_text(
        "def read(text):\n    return 'blue' if 'blue' in text.lower() else 'other'\n"
    )
    (run.parent / "colours.yaml").write_text(TASK)
    rows = [{"id": str(i), "input": p, "answer": "blue", "reference": "Blue"}
            for i, p in enumerate(PROMPTS)]  # fmt: skip
    write_jsonl(run / "selected.jsonl", rows)
    write_jsonl(run / "validation.jsonl", [])


def _step_times(log: list[dict]) -> list[float]:
    return [float(r["step_time"]) for r in log if "step_time" in r][1:]


def grpo_synthrl(folder: Path, steps: int) -> dict:
    from synthrl.config import load_config
    from synthrl.task import load_task
    from synthrl.train.grpo import read_metrics, train

    run = folder / "run"
    _toy(run)
    config = load_config(profile="cpu", overrides={"train": {**TRAIN, "max_steps": steps}})
    train(load_task(folder / "colours.yaml"), config, run)
    times = _step_times(read_metrics(run))
    return {"mean_step_s": statistics.fmean(times), "steps_timed": len(times)}


def grpo_plain(folder: Path, steps: int) -> dict:
    import torch
    from datasets import Dataset
    from transformers import AutoModelForCausalLM, AutoTokenizer, TrainerCallback
    from trl import GRPOConfig, GRPOTrainer

    from synthrl.student.models import resolve_model

    source = resolve_model("smollm2-135m")
    tokenizer = AutoTokenizer.from_pretrained(source)
    tokenizer.padding_side = "left"
    model = AutoModelForCausalLM.from_pretrained(source, dtype=torch.float32)
    rows = [{"prompt": [{"role": "user", "content": f"Name a colour.\n\n{p}\n\nAnswer with one "
             "word."}], "answer": "blue"} for p in PROMPTS]  # fmt: skip

    def reward(completions, answer, **kwargs):
        return [1.0 if "blue" in c[0]["content"].lower() else 0.0 for c in completions]

    history: list[dict] = []

    class Keep(TrainerCallback):
        def on_log(self, args, state, control, logs=None, **kwargs):
            history.append(dict(logs or {}))

    args = GRPOConfig(
        output_dir=str(folder / "plain"), max_steps=steps, logging_steps=1,
        save_strategy="steps", save_steps=TRAIN["save_steps"], use_cpu=True, bf16=False,
        learning_rate=TRAIN["learning_rate"], beta=TRAIN["beta"],
        per_device_train_batch_size=TRAIN["prompts_per_step"] * TRAIN["num_generations"],
        num_generations=TRAIN["num_generations"], temperature=TRAIN["temperature"],
        max_completion_length=TRAIN["max_completion_length"], report_to="none", seed=0,
        disable_tqdm=True, num_train_epochs=1,
    )  # fmt: skip
    trainer = GRPOTrainer(model=model, reward_funcs=[reward], args=args,
                          train_dataset=Dataset.from_list(rows), processing_class=tokenizer,
                          callbacks=[Keep()])  # fmt: skip
    trainer.train()
    times = _step_times(history)
    return {"mean_step_s": statistics.fmean(times), "steps_timed": len(times)}


def child(kind: str, steps: int) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        if kind == "score_batched":
            result = score(True)
        elif kind == "score_single":
            result = score(False)
        elif kind == "grpo_synthrl":
            result = grpo_synthrl(Path(tmp), steps)
        else:
            result = grpo_plain(Path(tmp), steps)
    result["peak_gib"] = peak_gib()
    print("RESULT " + json.dumps(result), flush=True)


def run(kind: str, steps: int) -> dict:
    done = subprocess.run(
        [sys.executable, __file__, "--child", kind, "--steps", str(steps)],
        capture_output=True, text=True, check=True,
    )  # fmt: skip
    line = next(x for x in done.stdout.splitlines() if x.startswith("RESULT "))
    return json.loads(line[len("RESULT ") :])


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--steps", type=int, default=6)
    parser.add_argument("--child")
    args = parser.parse_args()
    if args.child:
        child(args.child, args.steps)
        return
    batched, single = run("score_batched", 0), run("score_single", 0)
    print(f"scoring, {batched['completions']} completions (8 prompts x L=8, <=32 tokens)")
    print(
        f"  batched      {batched['per_s']:6.2f} completions/s   peak {batched['peak_gib']:.2f} GiB"
    )
    print(
        f"  one at a time {single['per_s']:5.2f} completions/s   peak {single['peak_gib']:.2f} GiB"
    )
    print(f"  speed-up {batched['per_s'] / single['per_s']:.1f}x")
    ours, plain = run("grpo_synthrl", args.steps), run("grpo_plain", args.steps)
    print(f"GRPO, {TRAIN['prompts_per_step']} prompts x {TRAIN['num_generations']} generations"
          f" x <={TRAIN['max_completion_length']} tokens, {args.steps} steps")  # fmt: skip
    print(f"  synthrl    {ours['mean_step_s']:6.2f} s/step   peak {ours['peak_gib']:.2f} GiB")
    print(f"  plain TRL  {plain['mean_step_s']:6.2f} s/step   peak {plain['peak_gib']:.2f} GiB")
    print(f"  ratio {ours['mean_step_s'] / plain['mean_step_s']:.2f}x")


if __name__ == "__main__":
    main()
