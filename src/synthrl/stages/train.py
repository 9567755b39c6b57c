"""The train stage: GRPO (or SFT) on the selected samples with the task's verifier as reward
(synthrl.train.grpo); the trained model is written to `model/`.
"""

from __future__ import annotations

from typing import Any

from synthrl.stage import StageContext
from synthrl.train.grpo import train


def run(ctx: StageContext) -> dict[str, Any]:
    summary = train(ctx.task, ctx.config, ctx.out, ctx.progress is not None, ctx.key)
    counts = {"steps": summary["steps"]}
    if summary.get("start_metric") is not None:
        counts |= {"start_metric": summary["start_metric"], "best_metric": summary["best_metric"]}
        counts["kept_start"] = summary["kept_start"]
        if summary["kept_start"]:
            ctx.warn(
                f"train: no checkpoint beat the starting model on the validation split "
                f"(start {summary['start_metric']:.3f}, best checkpoint "
                f"{_figure(summary['trained_best'])}); model/ is the starting model"
            )
    return counts


def _figure(value: float | None) -> str:
    return "none" if value is None else f"{value:.3f}"
