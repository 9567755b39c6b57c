"""Student-side commands on a run folder: score, select, train; and eval of any model."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console
from rich.markup import escape
from rich.table import Table

from synthrl.cli_options import (
    AllowCode,
    Backend,
    Device,
    EvalFile,
    Limit,
    MaxTokens,
    Profile,
    QuietBar,
    RunDir,
    Student,
    StudentUrl,
    overrides,
)
from synthrl.config import RunConfig, load_config
from synthrl.errors import UserError
from synthrl.io import write_json, write_jsonl
from synthrl.orchestrate import quiet_libraries
from synthrl.progress import start_progress
from synthrl.task import load_task
from synthrl.task.loader import Task

# The share of items given a task's own example answer at which `synthrl eval` says so.
COPIED_SHARE = 0.2

out = Console(highlight=False)


def open_run(run: Path, flags: dict[str, dict[str, object]]) -> tuple[Task, RunConfig]:
    """The task and resolved config saved in a run folder, with command-line overrides."""
    if not (run / "task.yaml").is_file():
        raise UserError(f"{run}: not a run folder (no task.yaml); make one with `synthrl synth`")
    config_path = run / "config.yaml"
    config = load_config(config_path if config_path.is_file() else None, None, flags)
    return load_task(run / "task.yaml", allow_code=config.allow_code), config


def _run_stage(run: Path, stage: str, flags: dict, quiet: bool = False) -> dict:
    """Run one stage of the pipeline on a run folder, with command-line overrides; returns its
    counts. The command names the stage, so it runs even when its inputs did not change."""
    from synthrl.pipeline import Pipeline

    task, config = open_run(run, flags)
    stages = Pipeline(task, config, run, (stage,), show_progress=not quiet).run_stages((stage,))
    return stages[stage].get("counts", {})


def score(
    run: RunDir,
    student: Student = None,
    backend: Backend = None,
    student_base_url: StudentUrl = None,
    samples: Annotated[int | None, typer.Option(help="L: samples per question.")] = None,
    temperature: Annotated[float | None, typer.Option(help="Sampling temperature.")] = None,
    device: Device = None,
    quiet: Annotated[bool, typer.Option("--quiet", help="No progress bar.")] = False,
) -> None:
    """Pass rate of the student on every synthetic sample (dedup.jsonl -> score.jsonl)."""

    flags = overrides(
        student__model=student, student__backend=backend, student__base_url=student_base_url,
        student__device=device, score__samples=samples, score__temperature=temperature,
    )  # fmt: skip
    counts = _run_stage(run, "score", flags, quiet)
    out.print(f"scored: {counts} -> {run / 'score.jsonl'}")


def select(
    run: RunDir,
    m: Annotated[int | None, typer.Option("--m", help="Training samples to keep.")] = None,
    strategy: Annotated[
        str | None, typer.Option(help="paper, balanced, easy, hard, random, all.")
    ] = None,
    validation: Annotated[float | None, typer.Option(help="Share held out.")] = None,
    replay: Annotated[
        float | None,
        typer.Option(help="A later round: share of M from the round before's training samples."),
    ] = None,
) -> None:
    """Choose the training samples (score.jsonl -> selected.jsonl, validation.jsonl, exports)."""

    flags = overrides(
        select__m=m, select__strategy=strategy, select__validation=validation,
        select__replay=replay,
    )  # fmt: skip
    counts = _run_stage(run, "select", flags)
    out.print(f"selected: {counts} -> {run / 'selected.jsonl'}; exports in {run / 'export'}")


def train(
    run: RunDir,
    method: Annotated[str | None, typer.Option(help="grpo or sft (the baseline).")] = None,
    student: Student = None,
    max_steps: Annotated[int | None, typer.Option(help="Stop after this many steps.")] = None,
    lora: Annotated[bool | None, typer.Option("--lora/--full", help="LoRA adapters.")] = None,
    device: Device = None,
    processes: Annotated[
        int, typer.Option(min=1, help="Data-parallel processes (accelerate launch).")
    ] = 1,
    quiet: QuietBar = False,
) -> None:
    """Train the student on selected.jsonl with TRL (GRPO, or SFT); resumes from checkpoints.

    Several GPUs or nodes: `--processes N`, or `accelerate launch -m synthrl train RUN_DIR`."""

    flags = overrides(
        train__method=method, student__model=student, train__max_steps=max_steps,
        train__lora=lora, student__device=device,
    )  # fmt: skip
    if processes > 1:
        from synthrl.train.launch import check_split, launch

        if "WORLD_SIZE" in os.environ:
            raise UserError("--processes: this command already runs under a launcher")
        _, config = open_run(run, flags)
        check_split(config, processes)
        given = {"--method": method, "--student": student, "--max-steps": max_steps,
                 "--device": device}  # fmt: skip
        passed = [part for name, value in given.items() if value is not None
                  for part in (name, str(value))]  # fmt: skip
        if lora is not None:
            passed.append("--lora" if lora else "--full")
        if quiet:
            passed.append("--quiet")
        code = launch(run, processes, passed)
        if code:
            raise typer.Exit(code)
        return
    counts = _run_stage(run, "train", flags, quiet)
    if os.environ.get("RANK", "0") == "0":  # under accelerate, the first process says it
        out.print(f"trained {counts['steps']} steps; model in {run / 'model'}")


def held_out_line(counts: dict) -> str:
    """The eval stage's counts as one line: items, the set and part read, before -> after."""
    where = f", {counts['set']}: {counts['part']} part" if counts.get("part") else ""
    return (
        f"held-out accuracy ({counts['items']} items{where}): base "
        f"{100 * counts['base']:.1f}% -> trained {100 * counts['trained']:.1f}% "
        f"({100 * counts['delta']:+.1f} pp)"
    )


def evaluate(
    run: Annotated[
        Path | None,
        typer.Argument(help="A run folder: run its eval stage (base vs trained model)."),
    ] = None,
    task: Annotated[
        str | None, typer.Option("--task", help="Without RUN: a task YAML or built-in name.")
    ] = None,
    model: Annotated[
        list[str] | None,
        typer.Option("--model", help="Without RUN: a model to evaluate; repeat to compare."),
    ] = None,
    data: EvalFile = None,
    limit: Limit = None,
    seeds: Annotated[int | None, typer.Option(min=1, help="Passes when sampling.")] = None,
    temperature: Annotated[float | None, typer.Option(help="0 = greedy.")] = None,
    max_tokens: MaxTokens = None,
    out_file: Annotated[Path, typer.Option("--out", help="Without RUN: results JSON.")] = Path(
        "eval.json"
    ),
    profile: Profile = None,
    backend: Backend = None,
    student_base_url: StudentUrl = None,
    device: Device = None,
    quiet: QuietBar = False,
    allow_code: AllowCode = False,
) -> None:
    """A run's eval stage: `synthrl eval RUN` (base vs trained on the run's evaluation set,
    with its learning controls and verdict, recorded in the run folder).

    Without RUN, `synthrl eval --task T --model M ...` is `synthrl compare`."""
    if run is None:
        if task is None or not model:
            raise UserError("synthrl eval: give a run folder, or --task and --model (compare)")
        compare(
            task, model, data, limit, seeds or 1, temperature or 0.0, max_tokens, out_file,
            profile, backend, student_base_url, device, quiet, allow_code,
        )  # fmt: skip
        return
    if task is not None or model:
        raise UserError(
            "synthrl eval RUN evaluates the run's own base and trained model; to compare "
            "other models use `synthrl compare --task T --model A --model B`"
        )
    if not run.is_dir():
        raise UserError(f"{run}: run folder not found")
    flags = overrides(
        eval__data=str(data) if data else None, eval__limit=limit, eval__seeds=seeds,
        eval__temperature=temperature, student__max_tokens=max_tokens,
        student__backend=backend, student__base_url=student_base_url, student__device=device,
    )  # fmt: skip
    counts = _run_stage(run, "eval", flags, quiet)
    out.print(held_out_line(counts))
    out.print(escape(counts["verdict"]))
    out.print(f"results: {run / 'eval.json'}")


def compare(
    task: Annotated[str, typer.Option("--task", help="A task YAML path or built-in name.")],
    model: Annotated[
        list[str], typer.Option("--model", help="Model to evaluate; repeat to compare.")
    ],
    data: EvalFile = None,
    limit: Limit = None,
    seeds: Annotated[int, typer.Option(min=1, help="Passes when sampling.")] = 1,
    temperature: Annotated[float, typer.Option(help="0 = greedy.")] = 0.0,
    max_tokens: MaxTokens = None,
    out_file: Annotated[Path, typer.Option("--out", help="Results JSON.")] = Path("eval.json"),
    profile: Profile = None,
    backend: Backend = None,
    student_base_url: StudentUrl = None,
    device: Device = None,
    quiet: QuietBar = False,
    allow_code: AllowCode = False,
) -> None:
    """Any models on a task's evaluation set with its verifier, side by side with deltas.

    Each model also gets its learning controls (answers left unreadable, accuracy among
    readable answers, most common answer, the constant-answer baseline); each model after the
    first is compared with the first: paired difference, 95% interval and a verdict."""
    from rich.markup import escape

    from synthrl.evaluate.runner import evaluate_models as run_models
    from synthrl.evaluate.sets import describe_part, load_items, part_of
    from synthrl.student.sampler import make_sampler

    if profile not in (None, "cpu", "gpu"):
        raise UserError(f"--profile must be cpu or gpu, got '{profile}'")
    loaded = load_task(task, allow_code=allow_code)
    flags = overrides(
        student__backend=backend, student__base_url=student_base_url, student__device=device,
        student__max_tokens=max_tokens,
    )  # fmt: skip
    config = load_config(None, profile, flags)  # type: ignore[arg-type]
    items = load_items(loaded.name, data, limit)
    set_name, part = part_of(loaded.name, data)
    out.print(escape(f"held-out: {describe_part(loaded.name, data)}"))
    progress: list = []
    if quiet:
        quiet_libraries()

    def bar(name: str, total: int):  # one progress display per model
        if quiet:
            return None
        if progress:
            progress.pop().stop()
        shown, advance = start_progress(name[-20:], total)
        progress.append(shown)
        return advance

    models = [(ref, lambda ref=ref: make_sampler(config.student, model=ref)) for ref in model]
    try:
        results, runs, comparisons = run_models(
            loaded, models, items, config.student.max_tokens, temperature, seeds, bar
        )
    finally:
        for shown in progress:
            shown.stop()
    for index, (result, predictions) in enumerate(zip(results, runs, strict=True)):
        stem = out_file.with_suffix("")
        predictions_path = Path(f"{stem}.predictions{index if len(model) > 1 else ''}.jsonl")
        write_jsonl(predictions_path, predictions)
        result["predictions"] = str(predictions_path)
    report = {
        "task": loaded.name, "data": str(data) if data else "built-in", "set": set_name,
        "part": part, "results": results, "comparison": comparisons,
    }  # fmt: skip
    write_json(out_file, report)
    table = Table("model", "items", "accuracy", "std", "delta vs first")
    controls = Table(
        "model", "no readable answer", "checker errors", "accuracy among readable",
        "most common answer", "constant-answer baseline",
    )  # fmt: skip
    for result in results:
        delta = result["accuracy"] - results[0]["accuracy"]
        table.add_row(
            result["model"], str(result["items"]), f"{100 * result['accuracy']:.1f}%",
            f"{100 * result['std']:.1f}", f"{100 * delta:+.1f} pp",
        )  # fmt: skip
        readable, top = result["readable_accuracy"], result["top_answer"]
        controls.add_row(
            result["model"], f"{100 * result['no_answer_share']:.0f}%",
            str(result["checker_errors"]), "-" if readable is None else f"{100 * readable:.1f}%",
            "-" if top is None else f"{top} ({100 * result['top_answer_share']:.0f}%)",
            f"{100 * result['constant_baseline']:.0f}% ({result['constant_answer']})",
        )  # fmt: skip
    out.print(table)
    out.print(controls)
    for result in results:
        where = result.get("top_answer_shown_in")
        if where and result["top_answer_share"] >= COPIED_SHARE:
            out.print(escape(
                f"warning: {result['model']} answers \"{result['top_answer']}\", the example "
                f"the task shows in its {where}, to {100 * result['top_answer_share']:.0f}% of "
                "items: a small model copies an example answer from its prompt; state the "
                "answer's form without a value there (the student sees the task as written)"
            ))  # fmt: skip
    for comparison in comparisons:
        out.print(escape(f"{comparison['model']} vs {comparison['reference']}: "
                         f"{comparison['verdict']}"))  # fmt: skip
    out.print(f"results: {out_file}")


def report(
    run: RunDir,
    reference: Annotated[
        str | None,
        typer.Option(
            help="Real questions to compare lengths and diversity with: a file or a built-in "
            "set (gsm8k, gpqa, wiki-topics, wiki-people). Default: the run's evaluation set."
        ),
    ] = None,
) -> None:
    """Write report.html (plots embedded) and report.md for a run folder.

    Without --reference this is the pipeline's report stage (recorded in the manifest)."""
    from synthrl.report import write_report

    if not run.is_dir():
        raise UserError(f"{run}: run folder not found")
    if reference is None and (run / "task.yaml").is_file():
        _run_stage(run, "report", {}, quiet=True)
        html_path, md_path = run / "report.html", run / "report.md"
    else:  # another reference set, or a folder the pipeline did not make: a view only
        from synthrl.report import default_reference

        html_path, md_path = write_report(run, reference or default_reference(run))
    out.print(f"report: {html_path} (summary: {md_path})")


def register(app: typer.Typer) -> None:
    """Add these commands to the main app."""
    app.command(epilog="Example:  synthrl score runs/gsm8k --student smollm2-135m --samples 8")(
        score
    )
    app.command(epilog="Example:  synthrl select runs/gsm8k --m 500 --strategy paper")(select)
    app.command(
        epilog="Examples:  synthrl train runs/gsm8k  |  synthrl train runs/gsm8k --method sft"
    )(train)
    app.command(epilog="Example:  synthrl report runs/gsm8k --reference gsm8k_train.jsonl")(report)
    app.command(
        "eval",
        epilog="Examples:  synthrl eval runs/gsm8k  |  synthrl eval runs/gsm8k --data gsm8k-test",
    )(evaluate)
    app.command(
        epilog=(
            "Examples:  synthrl compare --task gsm8k --model smollm2-135m --limit 50  |  "
            "synthrl compare --task gsm8k --model smollm2-135m --model runs/gsm8k/model"
        ),
    )(compare)
