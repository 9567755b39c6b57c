"""Iterative rounds (`synthrl run --rounds R`): train again from the trained student, on a pool
the teacher has reshaped to what that student still fails.

Round 1 is the run folder itself. Round r > 1 lives in RUN/round<r>/ and starts from round
r-1's trained model:

- its pool is round r-1's `dedup.jsonl` (the verified samples and their rewrites), given to it
  as its `verify.jsonl`; `keywords.json`, `retrieve.jsonl` and `pattern.json` are round 1's;
- solve: the trained student answers the pool greedily; rewrite: the teacher writes a harder
  sample for each one it now solves and, for each it still fails, two new problems of the same
  form with other numbers drawn in the task's ranges (`synth.unsolved_rewrites: like`; an
  easier version where the input is no form of numbers), verified as in round 1: new data
  like what the new student fails. (Asked for an easier or harder "61 - 7", the teacher
  wrote sums outside the task's ranges: 21 of 35 rewrites rejected, and round 2 trained
  again on round 1's problems.)
- dedup, score (the trained student's pass rates), audit, select, train (continuing from round
  r-1's model) and eval (round r-1's model as the base) run as in any run; with
  `select.replay`, that share of the M is drawn from round r-1's training samples
  (`replay.jsonl`, a copy of its selected.jsonl), so that what the student learned stays in
  the mix; the starting model competes with the round's checkpoints on its validation split
  (`train.start_is_candidate`) and is kept when none beats it, so a round that collapsed is
  not handed to the next.

Every round resumes on its own folder and asks the teacher through the run's own cache, so a
rerun asks nothing twice. `RUN/rounds.json` holds held-out accuracy per round; the report and
the terminal show it.

    rows = run_rounds(task, config, run, rounds=2, console=console)
"""

from __future__ import annotations

import shutil
from pathlib import Path
from typing import Any

from rich.console import Console

from synthrl.config import RunConfig
from synthrl.errors import UserError
from synthrl.io import read_json, read_jsonl, write_json
from synthrl.manifest import Manifest
from synthrl.pipeline import STAGE_TABLE, Pipeline, stage_range
from synthrl.task.loader import Task

# What a later round takes from round 1 as done: the grounding stages and their files (its
# pool, round r-1's dedup.jsonl, stands in for verify; it runs solve..report itself).
CARRIED_STAGES = ("keywords", "retrieve", "pattern")
CARRIED_FILES = tuple(s.writes[0] for s in STAGE_TABLE if s.name in CARRIED_STAGES)


def round_folder(run: Path, number: int) -> Path:
    return run if number == 1 else run / f"round{number}"


def round_config(config: RunConfig, previous: Path) -> RunConfig:
    """The run's config with the previous round's trained model as the student, `like`
    rewrites of the samples it fails (new problems of their form, where the form fits), and
    that model as a candidate for the round's result (kept when no checkpoint beats it on the
    validation split: a round that made it worse, or collapsed, is not handed on)."""
    model = previous / "model"
    student = config.student.model_copy(update={"model": str(model)})
    synth = config.synth.model_copy(update={"unsolved_rewrites": "like"})
    train = config.train.model_copy(update={"start_is_candidate": True})
    return config.model_copy(update={"student": student, "synth": synth, "train": train})


def prepare_round(run: Path, previous: Path, folder: Path) -> None:
    """Give `folder` round 1's grounding and `previous`'s pool, recorded as done, so that its
    solve stage starts from them (and runs again whenever the pool changes)."""
    for name in ("dedup.jsonl", "model"):
        if not (previous / name).exists():
            raise UserError(
                f"{previous}: no {name}; the round before must finish (through train) first"
            )
    folder.mkdir(parents=True, exist_ok=True)
    for name in CARRIED_FILES:
        if (run / name).is_file():
            shutil.copyfile(run / name, folder / name)
    shutil.copyfile(previous / "dedup.jsonl", folder / "verify.jsonl")
    if (previous / "selected.jsonl").is_file():  # what `select.replay` draws from
        shutil.copyfile(previous / "selected.jsonl", folder / "replay.jsonl")
    first, before = Manifest(run / "manifest.json"), Manifest(previous / "manifest.json")
    manifest = Manifest(folder / "manifest.json")
    for name in CARRIED_STAGES:
        record = first.stage(name)
        if record is not None:
            manifest.data["stages"][name] = dict(record)
    pool = before.stage("dedup") or {}
    manifest.data["stages"]["verify"] = {
        "status": "done",
        # the pool's own key: a changed pool in the round before makes this round start over
        "key": f"pool-{pool.get('key', '')}",
        "counts": {"pool": len(read_jsonl(folder / "verify.jsonl")), "from": str(previous)},
    }
    manifest.save()


def round_row(number: int, folder: Path) -> dict[str, Any]:
    """One round's held-out accuracy before and after, from its eval.json."""
    report = read_json(folder / "eval.json")
    base, trained = report["results"][0], report["results"][1]
    comparison = report["comparison"][0]
    return {
        "round": number,
        "folder": str(folder),
        "started_from": base["model"],
        "items": trained["items"],
        "before": base["accuracy"],
        "after": trained["accuracy"],
        "delta": comparison["delta"],
        "ci_low": comparison["ci_low"],
        "ci_high": comparison["ci_high"],
        "verdict": comparison["verdict"],
        "kept_start": _kept_start(folder),
    }


def _kept_start(folder: Path) -> bool:
    """Whether the round's training kept the model it started from (train/summary.json)."""
    summary = folder / "train" / "summary.json"
    return bool(summary.is_file() and read_json(summary).get("kept_start"))


def run_rounds(
    task: Task,
    config: RunConfig,
    run: Path,
    rounds: int,
    show_progress: bool = True,
    console: Console | None = None,
) -> list[dict[str, Any]]:
    """Rounds 2..`rounds` after round 1 (already run in `run`); writes RUN/rounds.json and
    the run's report again with them; returns one row per round."""
    from synthrl.report import default_reference, write_report

    console = console or Console(stderr=True, highlight=False)
    if not (run / "eval.json").is_file():
        raise UserError(f"{run}: round 1 has no eval.json; run it through eval before --rounds")
    rows = [round_row(1, run)]
    for number in range(2, rounds + 1):
        previous, folder = round_folder(run, number - 1), round_folder(run, number)
        console.print(f"[bold]round {number}[/bold]: from {previous / 'model'}")
        prepare_round(run, previous, folder)
        pipeline = Pipeline(
            task, round_config(config, previous), folder, (), show_progress, console,
            teacher_cache=run / "cache" / "teacher.sqlite",
        )  # fmt: skip
        pipeline.run_stages(stage_range("solve", "report"))
        rows.append(round_row(number, folder))
    write_json(run / "rounds.json", rows)
    write_report(run, default_reference(run))
    return rows


def describe_rounds(rows: list[dict[str, Any]]) -> str:
    """One line per round for the terminal."""
    lines = []
    for row in rows:
        lines.append(
            f"round {row['round']}: {100 * row['before']:.1f}% -> {100 * row['after']:.1f}% "
            f"({100 * row['delta']:+.1f} pp, 95% CI {100 * row['ci_low']:+.1f} to "
            f"{100 * row['ci_high']:+.1f}) on {row['items']} items"
            + (" (kept the model it started from: no checkpoint beat it on validation)"
               if row.get("kept_start") else "")
        )  # fmt: skip
    return "\n".join(lines)
