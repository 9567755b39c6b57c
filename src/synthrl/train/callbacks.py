"""Training metrics to a JSONL file the report plots (in addition to any `report_to`)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from transformers import TrainerCallback

# TRL's GRPO log keys, kept under short names.
KEYS = {
    "reward": "reward_mean",
    "reward_std": "reward_std",
    "frac_reward_zero_std": "frac_zero_std_groups",
    "completions/mean_length": "completion_length",
    "kl": "kl",
    "loss": "loss",
    "learning_rate": "learning_rate",
    "eval_reward": "eval_reward",
    "step_time": "step_time",
}


class MetricsFile(TrainerCallback):
    """Appends one JSON line per log event: step, epoch, and the known metrics."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self.extra: Any = None  # a callable returning more figures for every row (or None)

    def on_log(self, args: Any, state: Any, control: Any, logs: Any = None, **kwargs: Any):
        if not state.is_world_process_zero or not logs:
            return
        row: dict[str, Any] = {"step": state.global_step, "epoch": state.epoch}
        for key, name in KEYS.items():
            if key in logs:
                row[name] = logs[key]
        for key, value in logs.items():
            if key.startswith("rewards/") and key.endswith("/mean"):
                row.setdefault("reward_mean", value)
        if self.extra is not None:
            row.update(self.extra())
        with self.path.open("a", encoding="utf-8") as handle:
            handle.write(json.dumps(row) + "\n")


class StepProgress(TrainerCallback):
    """A progress bar over optimizer steps; each log event prints the mean reward (or loss)."""

    def __init__(self, label: str) -> None:
        self.label = label
        self.progress: Any = None
        self.bar: Any = None

    def on_train_begin(self, args: Any, state: Any, control: Any, **kwargs: Any):
        from synthrl.progress import make_progress

        if not state.is_world_process_zero:
            return
        self.progress = make_progress()
        self.bar = self.progress.add_task(self.label, total=state.max_steps)
        self.progress.update(self.bar, completed=state.global_step)
        self.progress.start()

    def on_step_end(self, args: Any, state: Any, control: Any, **kwargs: Any):
        if self.progress is not None:
            self.progress.update(self.bar, completed=state.global_step)

    def on_log(self, args: Any, state: Any, control: Any, logs: Any = None, **kwargs: Any):
        if self.progress is None or not logs:
            return
        for key, name in (("reward", "reward"), ("eval_reward", "val reward"), ("loss", "loss")):
            if key in logs:
                self.progress.console.print(
                    f"[dim]train step {state.global_step}: {name} {logs[key]:.3f}[/dim]"
                )
                break

    def on_train_end(self, args: Any, state: Any, control: Any, **kwargs: Any):
        if self.progress is not None:
            self.progress.stop()
            self.progress = None
