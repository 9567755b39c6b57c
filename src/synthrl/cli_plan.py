"""`synthrl plan`: a pilot that predicts a run's teacher cost, label yield and learnability."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Any

import typer
from rich.console import Console
from rich.markup import escape
from rich.table import Table

from synthrl.cli_options import (
    AllowCode,
    ConfigFile,
    CorpusSource,
    EvalData,
    InitialSamples,
    LocalTeacherFlag,
    ProfileName,
    Quiet,
    StudentModel,
    StudentSamples,
    TaskName,
    TeacherModel,
    TeacherUrl,
    TeacherVotes,
    TrainingSamples,
    overrides,
)
from synthrl.cli_setup import command_teacher, resolve

out = Console(highlight=False)


def plan(
    task: TaskName,
    pilot: Annotated[int, typer.Option(min=1, help="Samples the pilot generates.")] = 20,
    out_dir: Annotated[Path | None, typer.Option("--out", help="The run's folder.")] = None,
    config: ConfigFile = None,
    profile: ProfileName = None,
    teacher_base_url: TeacherUrl = None,
    teacher_model: TeacherModel = None,
    teacher: LocalTeacherFlag = None,
    student: StudentModel = None,
    corpus: CorpusSource = None,
    n: InitialSamples = None,
    m: TrainingSamples = None,
    votes: TeacherVotes = None,
    samples: StudentSamples = None,
    eval_data: EvalData = None,
    quiet: Quiet = False,
    allow_code: AllowCode = False,
) -> None:
    """Before spending: a pilot of a few samples predicts the run's teacher tokens and cost,
    label yield, the share of samples the student can learn from, and scoring and training
    time. Writes RUN/plan.json; the run in the same folder reuses every call of the pilot.

    The pilot is the run's first samples (keywords .. score in RUN/plan/, on the run's caches),
    then two timed training steps."""
    from synthrl.pipeline import stage_range
    from synthrl.plan import make_plan

    flags = overrides(
        teacher__base_url=teacher_base_url, teacher__model=teacher_model,
        student__model=student, corpus__source=corpus, synth__n=n, select__m=m,
        synth__votes=votes, score__samples=samples, eval__data=eval_data,
    )  # fmt: skip
    loaded, resolved = resolve(task, config, profile, flags, allow_code)
    folder = out_dir or Path("runs") / loaded.name
    chosen = stage_range("keywords", "score")
    with command_teacher(teacher, teacher_base_url, chosen, config, profile, flags) as local:
        made = make_plan(loaded, local or resolved, folder, pilot, show_progress=not quiet)
    show(made, folder)


def show(made: dict[str, Any], folder: Path) -> None:
    """The plan as a table, its warnings, and where it is written."""
    table = Table(title=f"plan: pilot of {made['pilot']} for N = {made['n']}, M = {made['m']}")
    table.add_column("figure")
    table.add_column("pilot says", justify="right")
    rows = [
        ("teacher tokens per sample", made["teacher_tokens_per_sample"], "{:,.0f}"),
        ("teacher tokens for N", made["teacher_tokens_total"], "{:,}"),
        ("teacher cost per sample", made["teacher_cost_per_sample"], "{:.6f}"),
        ("teacher cost for N", made["teacher_cost_total"], "{:.4f}"),
        ("labelled per request (label yield)", made["label_yield"], "{:.0%}"),
        ("samples after dedup for N", made["expected_final_samples"], "{}"),
        ("learnable (solved sometimes)", made["learnable_share"], "{:.0%}"),
        ("learnable samples selected of M", made["expected_selected"], "{}"),
        ("scoring time", made["score_s_total"], "{:,.0f} s"),
        ("training time", made["train_s_total"], "{:,.0f} s"),
    ]
    for label, value, form in rows:
        shown = "-" if value is None else form.format(value)
        low, high = made["learnable_share_ci"]
        if label.startswith("learnable (") and low is not None:
            shown += f" ({low:.0%} to {high:.0%})"
        table.add_row(label, shown)
    if made.get("pass_rate_by_label"):
        each = ", ".join(f"{k} {v:.0%}" for k, v in made["pass_rate_by_label"].items())
        table.add_row("student right, by label", f"{each} (chance {made['chance_pass_rate']:.0%})")
    if made.get("label_counts"):
        spread = ", ".join(f"{name} {n}" for name, n in made["label_counts"].items())
        table.add_row("pilot's labels by answer", spread)
    out.print(table)
    for warning in made["warnings"]:
        out.print(f"[yellow]warning:[/yellow] {escape(warning)}")
    out.print(f"plan: {folder / 'plan.json'}")


def register(app: typer.Typer) -> None:
    """Add `plan` to the main app."""
    app.command(
        epilog=(
            "Examples:  synthrl plan my-task.yaml --teacher local --config run.yaml --pilot 16  "
            "|  synthrl plan gsm8k --teacher-base-url http://127.0.0.1:8000/v1 --teacher-model q"
        )
    )(plan)
