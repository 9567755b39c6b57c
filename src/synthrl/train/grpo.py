"""GRPO on the selected samples with TRL's GRPOTrainer; the reward is the task's verifier.

    synthrl train runs/gsm8k                       # one process, CPU or one GPU
    synthrl train runs/gsm8k --processes 2         # data-parallel on this machine
    accelerate launch -m synthrl train runs/gsm8k  # several GPUs or nodes (accelerate config)

Under several processes the training is the same as in one: `train.prompts_per_step` (and
the SFT batch) is the whole step's, split over the processes, so the steps, the samples each
step sees and the checkpoints are those of a single process. Only the first process writes
the logs, the final model and the summary; each process logs its own share of the rewards.

What this adds to TRL and nothing more: prompts in the student's own format (chat template or
raw text, as scoring used), the verifier as the reward function (`None` for cannot-grade),
checkpoints that resume, the best checkpoint chosen on the synthetic validation split by mean
reward (never on a benchmark; with `train.start_is_candidate` the starting model measured
there before the first step competes too, and is kept when no checkpoint beats it), a metrics
JSONL for the report, and the final model (LoRA merged) saved to `RUN/model`. Everything else
is TRL's GRPO as configured in `train`.
"""

from __future__ import annotations

import json
import os
import shutil
import warnings
from pathlib import Path
from typing import Any

from synthrl.config import RunConfig
from synthrl.errors import UserError
from synthrl.io import write_atomic, write_json
from synthrl.student.models import pick_device, resolve_model
from synthrl.student.sampler import wants_chat
from synthrl.task.loader import Task
from synthrl.task.reward import TaskReward
from synthrl.train.callbacks import MetricsFile, StepProgress
from synthrl.train.data import read_split, rl_rows, sft_rows


def _flag(setting: str, available: bool) -> bool:
    return available if setting == "auto" else setting == "yes"


def _load(config: RunConfig, bf16: bool) -> tuple[Any, Any, bool]:
    import torch
    from transformers import AutoModelForCausalLM, AutoTokenizer

    source = resolve_model(config.student.model)
    tokenizer = AutoTokenizer.from_pretrained(source)
    tokenizer.padding_side = "left"
    if tokenizer.pad_token is None:
        tokenizer.pad_token = tokenizer.eos_token
    # bf16 is mixed precision: the forward and backward passes run in bfloat16 (autocast),
    # the weights the optimizer updates stay float32. Updated in bfloat16, most weights would
    # not move at all: a step of lr x about 1 is below bfloat16's resolution at their size
    # (a GRPO run that learned on CPU in float32 learned nothing on CUDA that way). With LoRA
    # only the adapters are updated (PEFT keeps them float32), so the frozen base may stay
    # bfloat16 and take half the memory.
    dtype = torch.bfloat16 if bf16 and config.train.lora else torch.float32
    model = AutoModelForCausalLM.from_pretrained(source, dtype=dtype)
    return model, tokenizer, wants_chat(tokenizer, config.student.chat)


def _runtime(config: RunConfig) -> dict[str, Any]:
    import importlib.util

    import torch

    device = pick_device(config.student.device)
    cuda = device.startswith("cuda") and torch.cuda.is_available()
    bf16 = _flag(config.train.bf16, cuda and torch.cuda.is_bf16_supported())
    vllm = _flag(config.train.use_vllm, cuda and importlib.util.find_spec("vllm") is not None)
    return {"use_cpu": device == "cpu", "bf16": bf16, "use_vllm": vllm}


def _lora(config: RunConfig) -> Any:
    if not config.train.lora:
        return None
    from peft import LoraConfig

    rank = config.train.lora_rank
    return LoraConfig(
        r=rank, lora_alpha=2 * rank, target_modules="all-linear", task_type="CAUSAL_LM"
    )


def last_checkpoint(folder: Path) -> str | None:
    """The newest complete checkpoint in `folder`. A training killed while saving leaves a
    checkpoint folder without `trainer_state.json` (the Trainer writes it last): that one is
    passed over, and the first process removes it, so the step is saved again."""
    numbered = [
        (int(path.name.rsplit("-", 1)[1]), path)
        for path in (folder.glob("checkpoint-*") if folder.is_dir() else [])
        if path.is_dir() and path.name.rsplit("-", 1)[1].isdigit()
    ]
    for _, path in sorted(numbered, reverse=True):
        if (path / "trainer_state.json").is_file():
            return str(path)
        if world()[0] == 0:
            shutil.rmtree(path, ignore_errors=True)
    return None


def world() -> tuple[int, int]:
    """This process's rank and the number of processes (under accelerate or torchrun)."""
    return int(os.environ.get("RANK", "0")), int(os.environ.get("WORLD_SIZE", "1"))


def per_process(total: int, what: str) -> int:
    """A whole step's batch split over the processes; refused when it does not split."""
    _, size = world()
    if total % size:
        raise UserError(
            f"{what} is {total} per step, which {size} processes cannot share evenly: use a "
            f"number of processes that divides {total}, or change the setting"
        )
    return total // size


def trim_logs(folder: Path, checkpoint: str | None) -> None:
    """Keep only the log rows of the steps a resumed training starts after, none without a
    checkpoint: an interrupted attempt's later rows would otherwise be logged twice, or mixed
    with a new start's. metrics.jsonl rows carry the steps completed (keep those up to the
    checkpoint's); reward rows the steps completed before their generation (keep those below
    it: the rows logged at the checkpoint's step belong to the step it resumes with)."""
    last = int(Path(checkpoint).name.rsplit("-", 1)[1]) if checkpoint else 0
    rank, _ = world()
    # each process trims its own: the first metrics.jsonl and rewards.jsonl, the others theirs
    names = ["metrics.jsonl", "rewards.jsonl"] if rank == 0 else [f"rewards.{rank}.jsonl"]
    for path in (folder / name for name in names):
        if not path.is_file():
            continue
        limit = last if path.name == "metrics.jsonl" else last - 1
        rows = [line for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]
        kept = [
            line for line in rows if checkpoint and (json.loads(line).get("step") or 0) <= limit
        ]
        if len(kept) < len(rows):
            write_atomic(path, "".join(line + "\n" for line in kept))


def merged_rewards(folder: Path) -> str:
    """The reward rows of every process as one log: a sample's group is split over the
    processes, so rows of the same step and sample join their rewards (the first process's
    order kept)."""
    joined: dict[tuple[int, str, int], dict[str, Any]] = {}
    files = [folder / "rewards.jsonl", *sorted(folder.glob("rewards.*.jsonl"))]
    for path in files:
        seen: dict[tuple[int, str], int] = {}
        for line in path.read_text(encoding="utf-8").splitlines():
            if not line.strip():
                continue
            row = json.loads(line)
            pair = (row.get("step") or 0, str(row["id"]))
            seen[pair] = seen.get(pair, 0) + 1  # the same sample twice in a step stays twice
            key = (*pair, seen[pair])
            if key in joined:
                joined[key]["rewards"] = joined[key]["rewards"] + row["rewards"]
            else:
                joined[key] = row
    return "".join(json.dumps(row) + "\n" for row in joined.values())


def save_final(trainer: Any, tokenizer: Any, target: Path) -> None:
    """Save the trained model (LoRA merged) to `target`, replacing it atomically."""
    model = trainer.model
    if hasattr(model, "merge_and_unload"):
        model = model.merge_and_unload()
    save_model(model, tokenizer, target)


def save_model(model: Any, tokenizer: Any, target: Path) -> None:
    """`model` and its tokenizer in `target`, replacing it atomically."""
    tmp = target.with_name(f".{target.name}.tmp")
    shutil.rmtree(tmp, ignore_errors=True)
    model.save_pretrained(tmp)
    tokenizer.save_pretrained(tmp)
    if target.exists():
        shutil.rmtree(target)
    os.replace(tmp, target)


def train(
    task: Task, config: RunConfig, run: Path, show_progress: bool = False, key: str = ""
) -> dict[str, Any]:
    """Train on `run/selected.jsonl` with the method `train.method` names; returns a summary.

    Checkpoints live in `run/train/<key>/` (the train stage's key): an interrupted training
    with the same key resumes from its last checkpoint; new data or settings give a new key
    and a fresh start. The final model is written to `run/model`."""
    from datasets import Dataset

    settings = config.train
    runtime = _runtime(config)
    train_records = read_split(run, "selected")
    validation = read_split(run, "validation")
    model, tokenizer, chat = _load(config, runtime["bf16"])
    output = run / "train" / (key or settings.method)
    output.mkdir(parents=True, exist_ok=True)
    common: dict[str, Any] = {
        "output_dir": str(output),
        "num_train_epochs": settings.epochs,
        "max_steps": settings.max_steps,
        "logging_steps": 1,
        "save_strategy": "steps",
        "save_steps": settings.save_steps,
        "save_total_limit": settings.keep_checkpoints,
        "report_to": settings.report_to or "none",
        "seed": settings.seed,
        "use_cpu": runtime["use_cpu"],
        "bf16": runtime["bf16"],
        "disable_tqdm": True,
    }
    if validation:
        # The best checkpoint is the one with the best mean reward (GRPO) or lowest loss
        # (SFT) on the held-out synthetic samples.
        common.update(
            eval_strategy="steps",
            eval_steps=settings.eval_steps or settings.save_steps,
            load_best_model_at_end=True,
            metric_for_best_model="eval_reward" if settings.method == "grpo" else "eval_loss",
            greater_is_better=settings.method == "grpo",
        )
    callbacks: list[Any] = [MetricsFile(output / "metrics.jsonl")]
    if show_progress:
        callbacks.append(StepProgress(settings.method))
    rows = rl_rows if settings.method == "grpo" else sft_rows
    datasets = {
        "train_dataset": Dataset.from_list(rows(task, train_records, chat)),
        "eval_dataset": Dataset.from_list(rows(task, validation, chat)) if validation else None,
    }
    build = _grpo_trainer if settings.method == "grpo" else _sft_trainer
    # Raw log dicts on stdout are noise beside the progress bar; metrics.jsonl keeps them.
    # So are transformers' renaming notices (TRL's configs still set `gradient_checkpointing`,
    # and generation repeats its own at every step).
    from transformers import PrinterCallback

    with warnings.catch_warnings():
        warnings.filterwarnings("ignore", category=FutureWarning, module="transformers")
        trainer = build(task, config, model, tokenizer, common, callbacks, datasets, runtime)
        trainer.remove_callback(PrinterCallback)
        checkpoint = last_checkpoint(output)
        trim_logs(output, checkpoint)
        start = starting_metric(trainer, output, common) if settings.start_is_candidate else None
        trainer.train(resume_from_checkpoint=checkpoint)
    best = trainer.state.best_model_checkpoint
    kept_start = start is not None and not beats(trainer.state.best_metric, start, common)
    summary = {
        "method": settings.method,
        "steps": trainer.state.global_step,
        "best_checkpoint": "the starting model" if kept_start else best and Path(best).name,
        "best_metric": start if kept_start else trainer.state.best_metric,
        "start_metric": start,
        "trained_best": trainer.state.best_metric,
        "kept_start": kept_start,
        "train_samples": len(train_records),
        "validation_samples": len(validation),
        "runtime": runtime,
        "processes": world()[1],
        "model": str(run / "model"),
    }
    if world()[0] != 0:
        return summary
    if kept_start:  # no checkpoint did better on the validation split than the model it began as
        save_model(_load(config, bf16=False)[0], tokenizer, run / "model")
    else:
        save_final(trainer, tokenizer, run / "model")
    for name in ("metrics.jsonl", "rewards.jsonl"):  # what the report reads: this training's
        if (output / name).is_file():
            shutil.copyfile(output / name, run / "train" / name)
        else:  # never an earlier training's (SFT logs no rewards)
            (run / "train" / name).unlink(missing_ok=True)
    if world()[1] > 1 and (output / "rewards.jsonl").is_file():
        write_atomic(run / "train" / "rewards.jsonl", merged_rewards(output))
    write_json(run / "train" / "summary.json", summary)
    if not settings.keep_checkpoints_when_done:
        # They exist to resume an interrupted training; a finished one is `model/`. Each holds
        # the optimizer's state too: several times the model's size, per checkpoint.
        for path in output.glob("checkpoint-*"):
            shutil.rmtree(path, ignore_errors=True)
    return summary


def starting_metric(trainer: Any, output: Path, common: dict[str, Any]) -> float | None:
    """The validation metric of the model training starts from (None without a validation
    split), measured before the first step and kept in `output/start.json`, so that a resumed
    training compares its checkpoints with the same figure."""
    name = common.get("metric_for_best_model")
    if name is None:
        return None
    path = output / "start.json"
    if path.is_file():
        return json.loads(path.read_text())[name]
    value = trainer.evaluate()[name]
    if world()[0] == 0:
        write_json(path, {name: value})
    return value


def beats(best: float | None, start: float, common: dict[str, Any]) -> bool:
    """Whether the best checkpoint's metric beats the starting model's (a tie keeps the start:
    the training did not show it helped)."""
    if best is None:
        return False
    return best > start if common["greater_is_better"] else best < start


def _grpo_trainer(
    task: Task,
    config: RunConfig,
    model: Any,
    tokenizer: Any,
    common: dict[str, Any],
    callbacks: list[Any],
    datasets: dict[str, Any],
    runtime: dict[str, Any],
) -> Any:
    from trl import GRPOConfig, GRPOTrainer

    settings = config.train
    args = GRPOConfig(
        **common,
        learning_rate=settings.learning_rate,
        per_device_train_batch_size=per_process(
            settings.prompts_per_step * settings.num_generations,
            "train.prompts_per_step x train.num_generations",
        ),
        num_generations=settings.num_generations,
        # Validation: two samples per held-out prompt, mean reward.
        num_generations_eval=2,
        per_device_eval_batch_size=2,
        temperature=settings.temperature,
        beta=settings.beta,
        epsilon=settings.epsilon,
        max_completion_length=settings.max_completion_length or config.student.max_tokens,
        use_vllm=runtime["use_vllm"],
        vllm_mode="colocate",
    )
    # Each sample's rewards, per step, for the report's per-sample page (rank 0's share).
    rank, size = world()
    log = Path(common["output_dir"]) / ("rewards.jsonl" if rank == 0 else f"rewards.{rank}.jsonl")
    kwargs: dict[str, Any] = {}
    trainer_class: Any = GRPOTrainer
    if settings.dynamic_sampling:
        from synthrl.train.dynamic import DynamicGRPOTrainer, Retirement

        if size > 1:
            raise UserError(
                "train.dynamic_sampling runs in one process only (not under accelerate)"
            )
        retirement = Retirement(settings.num_generations, datasets["train_dataset"]["id"])
        kwargs["retirement"] = retirement
        trainer_class = DynamicGRPOTrainer
        for callback in callbacks:
            if isinstance(callback, MetricsFile):
                callback.extra = retirement.figures
    reward = TaskReward(task.verifier, log=str(log), retirement=kwargs.get("retirement"))
    return trainer_class(
        model=model,
        reward_funcs=[reward],
        args=args,
        processing_class=tokenizer,
        peft_config=_lora(config),
        callbacks=callbacks,
        **datasets,
        **kwargs,
    )


def _sft_trainer(
    task: Task,
    config: RunConfig,
    model: Any,
    tokenizer: Any,
    common: dict[str, Any],
    callbacks: list[Any],
    datasets: dict[str, Any],
    runtime: dict[str, Any],
) -> Any:
    from trl import SFTConfig, SFTTrainer

    settings = config.train
    args = SFTConfig(
        **{**common, "num_train_epochs": settings.sft_epochs},
        learning_rate=settings.sft_learning_rate,
        weight_decay=settings.sft_weight_decay,
        per_device_train_batch_size=per_process(settings.sft_batch_size, "train.sft_batch_size"),
        completion_only_loss=True,
    )
    return SFTTrainer(
        model=model,
        args=args,
        processing_class=tokenizer,
        peft_config=_lora(config),
        callbacks=callbacks,
        **datasets,
    )


def read_metrics(run: Path) -> list[dict[str, Any]]:
    """The metrics rows training wrote (empty when it has not run)."""
    path = run / "train" / "metrics.jsonl"
    if not path.is_file():
        return []
    return [json.loads(line) for line in path.read_text().splitlines() if line.strip()]
