"""synthrl plan: a pilot that predicts what a run will cost and whether its student can learn.

    synthrl plan my-task.yaml --config run.yaml --out runs/my-task --pilot 20
    synthrl run my-task.yaml --config run.yaml --out runs/my-task   # reuses the pilot's calls

The pilot runs keywords .. score for the first `pilot` of the run's N samples in RUN/plan/,
whose response caches are the run folder's own (RUN/plan/cache is a link to RUN/cache). The
pilot's requests are exactly the full run's first requests: generation request i depends on
its index, the passages and the seed, never on N, and every later request on the sample it
asks about. So the run that follows asks none of them again. Two GRPO steps on the pilot's
selected samples then time training (their checkpoints and model are deleted afterwards).

From the pilot, per generation request: teacher tokens of the stages that scale with N
(generate, verify, rewrite; cached samples counted at what they cost when first asked), plus
the fixed stages (keywords, pattern) once and the audit's votes at verify's tokens per vote;
labelled samples (label_yield), samples left after dedup, the share the student solves
sometimes but not always (learnable_share), and seconds of scoring per sample (over the samples
the student answered afresh, not those its cache held). `plan.json`
in the run folder holds the figures and plain warnings.
"""

from __future__ import annotations

import math
import os
import shutil
from pathlib import Path
from typing import Any

from rich.console import Console

from synthrl.config import RunConfig, merge
from synthrl.io import read_json, write_json
from synthrl.stats import interval
from synthrl.synth.stops import StageStop
from synthrl.task.loader import Task

PILOT_STAGES = ("keywords", "retrieve", "pattern", "generate", "verify", "solve", "rewrite",
                "dedup", "score")  # fmt: skip
FIXED_STAGES = ("keywords", "pattern")  # asked once per run, whatever N is
SCALING_STAGES = ("generate", "verify", "rewrite")  # asked per generated sample
TIMED_STEPS = 2
# Below these, the plan warns.
LOW_LEARNABLE = 0.1
LOW_YIELD = 0.3
# A student whose mean pass rate over the labels is less than this above chance does not
# read the label from the input (closed answers only).
READING_MARGIN = 0.1
# A learnable share known to within this (half its 95% interval) needs no warning.
ROUGH_SHARE = 0.1


def pilot_config(config: RunConfig, pilot: int) -> RunConfig:
    """The run's config with N cut to the pilot's size; nothing else changes."""
    data = config.model_dump(mode="json")
    return RunConfig.model_validate(merge(data, {"synth": {"n": min(pilot, config.synth.n)}}))


def run_pilot(
    task: Task, config: RunConfig, run: Path, pilot: int, show_progress: bool, console: Console
) -> tuple[dict[str, Any], str | None]:
    """Run the pilot's stages in RUN/plan/ on the run's caches; the manifest's stage records,
    and the message of a stage that stopped the pilot (a yield too low to go on), if any."""
    from synthrl.pipeline import Pipeline

    folder = run / "plan"
    _share_cache(run, folder)
    pipeline = Pipeline(task, pilot_config(config, pilot), folder, (), show_progress, console)
    try:
        return pipeline.run_stages(PILOT_STAGES), None
    except StageStop as stop:
        return read_json(folder / "manifest.json")["stages"], str(stop)


def _share_cache(run: Path, folder: Path) -> None:
    """RUN/plan/cache -> RUN/cache, so the run reuses every call the pilot made."""
    (run / "cache").mkdir(parents=True, exist_ok=True)
    folder.mkdir(parents=True, exist_ok=True)
    link = folder / "cache"
    if link.is_symlink() or not link.exists():
        link.unlink(missing_ok=True)
        os.symlink(Path("..") / "cache", link, target_is_directory=True)


def time_training(task: Task, config: RunConfig, folder: Path, console: Console) -> float | None:
    """Seconds per optimizer step, from TIMED_STEPS steps on the pilot's selected samples
    (None when the pilot selected nothing). What they write is deleted afterwards."""
    from synthrl.pipeline import Pipeline
    from synthrl.train.grpo import read_metrics

    stages = read_json(folder / "manifest.json")["stages"]
    if not stages.get("score", {}).get("counts", {}).get("samples"):
        return None
    timed = merge(
        config.model_dump(mode="json"),
        {
            "select": {"validation": 0.0},
            "train": {"max_steps": TIMED_STEPS, "save_steps": TIMED_STEPS, "eval_steps": None,
                      "keep_checkpoints": 1},
        },
    )  # fmt: skip
    pipeline = Pipeline(task, RunConfig.model_validate(timed), folder, (), False, console)
    try:
        done = pipeline.run_stages(("select", "train"))
        steps = done["train"]["counts"]["steps"]
        wall = done["train"]["wall_s"]
        step_times = [row["step_time"] for row in read_metrics(folder) if "step_time" in row]
        return sum(step_times) / len(step_times) if step_times else wall / max(1, steps)
    finally:
        shutil.rmtree(folder / "model", ignore_errors=True)
        shutil.rmtree(folder / "train", ignore_errors=True)


def _tokens(usage: dict[str, Any]) -> tuple[int, int]:
    """Prompt and completion tokens of a stage, cached samples at their first cost."""
    prompt = usage.get("prompt_tokens", 0) + usage.get("cached_prompt_tokens", 0)
    completion = usage.get("completion_tokens", 0) + usage.get("cached_completion_tokens", 0)
    return prompt, completion


def estimate(
    stages: dict[str, Any], config: RunConfig, step_s: float | None, stopped: str | None
) -> dict[str, Any]:
    """The plan's figures for the run's N and M from the pilot's stage records."""
    counts = {name: entry.get("counts", {}) for name, entry in stages.items()}
    usage = {name: entry.get("usage", {}) for name, entry in stages.items()}
    asked = counts.get("generate", {}).get("requested", 0)
    n, m = config.synth.n, config.select.m
    fixed = [_tokens(usage.get(s, {})) for s in FIXED_STAGES]
    fixed.append(_audit_tokens(usage.get("verify", {}), config))
    scaling = [_tokens(usage.get(s, {})) for s in SCALING_STAGES]
    per_sample = [sum(t[i] for t in scaling) / asked if asked else None for i in (0, 1)]
    total = [
        None if per is None else round(sum(t[i] for t in fixed) + per * n)
        for i, per in enumerate(per_sample)
    ]
    price = config.teacher.prices.get(config.teacher.model)

    def cost(tokens: list[float | None]) -> float | None:
        if price is None or None in tokens:
            return None
        return (tokens[0] * price.input + tokens[1] * price.output) / 1e6  # type: ignore[operator]

    verified = counts.get("verify", {}).get("verified")
    kept = counts.get("dedup", {}).get("kept")
    score = counts.get("score", {})
    scored = score.get("samples")
    learnable = score.get("sometimes", 0) / scored if scored else None
    final = round(kept / asked * n) if asked and kept is not None else None
    expected = None if final is None or learnable is None else min(m, round(learnable * final))
    score_s = stages.get("score", {}).get("wall_s")
    # Seconds per sample the student answered afresh; none when every answer was cached
    # (a pilot run before on the same caches), since then the wall time measured nothing.
    sampled = score.get("sampled", scored)
    per_score = score_s / sampled if sampled and score_s is not None else None
    steps = _train_steps(config, min(m, final or 0))
    plan = {
        "pilot": asked,
        "n": n,
        "m": m,
        "teacher_model": config.teacher.model,
        "teacher_tokens_per_sample": _round(None if None in per_sample else sum(per_sample)),
        "teacher_tokens_total": None if None in total else sum(total),  # type: ignore[arg-type]
        "teacher_prompt_tokens_total": total[0],
        "teacher_completion_tokens_total": total[1],
        "teacher_cost_per_sample": _round(cost(per_sample), 6),
        "teacher_cost_total": _round(cost(total), 6),  # type: ignore[arg-type]
        "label_yield": _round(verified / asked if asked and verified is not None else None),
        "final_samples_per_request": _round(kept / asked if asked and kept is not None else None),
        "expected_final_samples": final,
        "learnable_share": _round(learnable),
        "learnable_share_ci": list(interval(score.get("sometimes", 0), scored or 0)),
        "scored": scored,
        "never_solved_share": _round(score.get("never_solved", 0) / scored if scored else None),
        "expected_selected": expected,
        "score_s_per_sample": _round(per_score),
        "score_s_total": _round(per_score * final if per_score and final else None, 1),
        "train_s_per_step": _round(step_s),
        "train_steps": steps,
        "train_s_total": _round(step_s * steps if step_s and steps else None, 1),
        "stopped": stopped,
        "pass_rate_by_label": score.get("pass_rate_by_label"),
        "balanced_pass_rate": score.get("balanced_pass_rate"),
        "chance_pass_rate": score.get("chance_pass_rate"),
        **_labels(counts),
    }
    plan["warnings"] = warnings(plan, config)
    return plan


def _labels(counts: dict[str, dict[str, Any]]) -> dict[str, Any]:
    """The pilot's label checks: examples masked, echoes dropped, the top label's check."""
    verify = counts.get("verify", {})
    final = counts.get("dedup", {}) if "top_label" in counts.get("dedup", {}) else verify
    return {
        "examples_masked": verify.get("examples_masked"),
        "echoes_dropped": verify.get("rejected_echoes_example", 0),
        "generator_vetoed": verify.get("rejected_generator_disagrees", 0),
        "top_label": final.get("top_label"),
        "top_label_share": final.get("top_label_share"),
        "top_label_shown_in": final.get("top_label_shown_in"),
        "label_check": final.get("label_check"),
        "label_counts": final.get("label_counts"),
        "on_target": counts.get("generate", {}).get("on_target"),
    }


def _audit_tokens(verify: dict[str, Any], config: RunConfig) -> tuple[float, float]:
    """The audit's tokens: as many votes as it asks, at verify's tokens per vote."""
    votes = verify.get("samples", 0)
    if not votes:
        return 0.0, 0.0
    asked = config.audit.samples * config.audit.votes
    prompt, completion = _tokens(verify)
    return prompt / votes * asked, completion / votes * asked


def _train_steps(config: RunConfig, samples: int) -> int | None:
    train = config.train
    if train.max_steps > 0:
        return train.max_steps
    if samples <= 0:
        return None
    prompts = train.prompts_per_step if train.method == "grpo" else train.sft_batch_size
    epochs = train.epochs if train.method == "grpo" else train.sft_epochs
    return math.ceil(epochs * math.ceil(samples / prompts))


def _round(value: float | None, digits: int = 3) -> float | None:
    return None if value is None else round(value, digits)


def warnings(plan: dict[str, Any], config: RunConfig) -> list[str]:
    """Plain sentences on what would make the run not worth starting, and what to change."""
    said = []
    if plan["stopped"]:
        said.append(f"the pilot stopped: {plan['stopped']}")
    learnable, never = plan["learnable_share"], plan["never_solved_share"]
    if learnable is not None and learnable < LOW_LEARNABLE:
        if never is not None and never >= 0.5:
            said.append(
                f"{learnable:.0%} learnable: the student never solves {never:.0%} of these; "
                "simplify the task or use a larger student"
            )
        else:
            said.append(
                f"{learnable:.0%} learnable: the student solves most of these every time; "
                "make the task harder or use a smaller student"
            )
    low, high = plan["learnable_share_ci"]
    if low is not None and high - low > 2 * ROUGH_SHARE:
        said.append(
            f"the learnable share comes from {plan['scored']} scored samples: 95% CI "
            f"{low:.0%} to {high:.0%}; a larger --pilot narrows it"
        )
    label_yield = plan["label_yield"]
    if label_yield is not None and label_yield < LOW_YIELD:
        said.append(
            f"{label_yield:.0%} of generation requests became labelled samples: read "
            "plan/generate.rejects.jsonl and plan/verify.rejects.jsonl for why"
        )
    expected, per_request = plan["expected_selected"], plan["final_samples_per_request"]
    if expected is not None and expected < plan["m"] and learnable and per_request:
        needed = math.ceil(plan["m"] / (learnable * per_request))
        said.append(
            f"about {expected} learnable samples expected for M = {plan['m']}: selection fills "
            f"the rest with samples that carry no signal; N = {needed} would give about M"
        )
    balanced, chance = plan.get("balanced_pass_rate"), plan.get("chance_pass_rate")
    if balanced is not None and chance is not None and balanced < chance + READING_MARGIN:
        each = ", ".join(f"{k} {v:.0%}" for k, v in plan["pass_rate_by_label"].items())
        said.append(
            f"the student's answers hardly follow the label: right on {each} of the samples "
            f"of each label, {balanced:.0%} on average against {chance:.0%} for answers that "
            "ignore the input; GRPO can move its preference between labels but has no reading "
            "to sharpen (it may end answering one label to everything): a larger student, or "
            "inputs it reads better"
        )
    if plan["label_check"] in ("warn", "stop"):
        shown = plan["top_label_shown_in"]
        said.append(
            f"{plan['top_label_share']:.0%} of the pilot's labels are '{plan['top_label']}'"
            + (f", the answer the task's {shown} shows as an example" if shown else "")
            + ": read the label warning above; a stronger teacher or more votes"
        )
    if plan["echoes_dropped"]:
        said.append(
            f"{plan['echoes_dropped']} labels equal to an example value in the task's texts "
            "were dropped (the generator did not confirm them): the teacher copies examples"
        )
    if plan["teacher_cost_total"] is None and plan["teacher_tokens_total"] is not None:
        said.append(
            f"no cost: teacher.prices has no entry for '{config.teacher.model}' "
            "(per million tokens: input, output)"
        )
    return said


def make_plan(
    task: Task,
    config: RunConfig,
    run: Path,
    pilot: int,
    show_progress: bool = True,
    console: Console | None = None,
) -> dict[str, Any]:
    """Run the pilot, time two training steps, write RUN/plan.json and return it."""
    console = console or Console(stderr=True, highlight=False, quiet=not show_progress)
    stages, stopped = run_pilot(task, config, run, pilot, show_progress, console)
    step_s = None if stopped else time_training(task, config, run / "plan", console)
    plan = estimate(stages, config, step_s, stopped)
    write_json(run / "plan.json", plan)
    return plan
