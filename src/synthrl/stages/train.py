"""The train stage: GRPO (or SFT) on the selected samples with the task's verifier as reward
(synthrl.train.grpo); the trained model is written to `model/`.
"""

from __future__ import annotations

from typing import Any

from synthrl.stage import StageContext
from synthrl.train.grpo import train


def run(ctx: StageContext) -> dict[str, Any]:
    summary = train(ctx.task, ctx.config, ctx.out, ctx.progress is not None, ctx.key)
    return {"steps": summary["steps"]}
