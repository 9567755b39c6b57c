"""The `synthrl` command line: a thin layer over the library.

Exit codes: 0 success, 2 bad input (the message names the file, the field and what was
expected), 1 runtime failure. User errors never print a traceback; set SYNTHRL_DEBUG=1 to see
one for unexpected failures.
"""

from __future__ import annotations

import json
import os
import re
import signal
import sys
import threading
from importlib import resources
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console
from rich.markup import escape
from rich.table import Table

from synthrl import __version__
from synthrl.cli_options import (
    AllowCode,
    Budget,
    Concurrency,
    ConfigFile,
    CorpusSource,
    EvalData,
    Force,
    FromStage,
    InitialSamples,
    LocalTeacherFlag,
    ProfileName,
    Quiet,
    RunOut,
    StudentModel,
    StudentSamples,
    TaskName,
    TeacherModel,
    TeacherUrl,
    TeacherVotes,
    TrainingSamples,
    Until,
    overrides,
)
from synthrl.cli_plan import register as register_plan
from synthrl.cli_setup import command_teacher, resolve
from synthrl.cli_student import held_out_line, register
from synthrl.errors import SynthrlError, UserError, disk_full
from synthrl.interrupt import on_sigterm
from synthrl.task import builtin_names, load_task
from synthrl.task.examples import mask_task

app = typer.Typer(
    name="synthrl",
    help="Adapt a language model to a task from nothing but its definition.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
    rich_markup_mode="rich",
)
corpus_app = typer.Typer(help="Build and inspect passage libraries.", no_args_is_help=True)
app.add_typer(corpus_app, name="corpus")
out = Console(highlight=False)
err = Console(stderr=True, highlight=False)


def _version(value: bool) -> None:
    if value:
        out.print(f"synthrl {__version__}")
        raise typer.Exit()


@app.callback()
def _root(
    version: Annotated[
        bool, typer.Option("--version", callback=_version, is_eager=True, help="Show version.")
    ] = False,
) -> None:
    """Adapt a language model to a task from nothing but its definition."""


@app.command(
    epilog="Examples:  synthrl init contract-qa  |  synthrl init tasks/triage.yaml --force"
)
def init(
    name: Annotated[str, typer.Argument(help="Task name, or a path ending in .yaml.")],
    force: Annotated[bool, typer.Option("--force", help="Overwrite an existing file.")] = False,
) -> None:
    """Write a commented task template NAME.yaml that passes `synthrl check` as it is."""
    path = Path(name if name.endswith((".yaml", ".yml")) else f"{name}.yaml")
    slug = re.sub(r"[^a-z0-9_.-]+", "-", path.stem.lower()).strip("-.") or "my-task"
    if path.exists() and not force:
        raise UserError(f"{path}: file exists; pass --force to overwrite it")
    if not path.parent.is_dir():
        raise UserError(f"{path}: folder '{path.parent}' does not exist")
    template = resources.files("synthrl").joinpath("task", "template.yaml").read_text("utf-8")
    path.write_text(template.replace("name: my-task", f"name: {slug}", 1), encoding="utf-8")
    out.print(f"wrote {path}; edit it, then run: synthrl check {path}")


@app.command(epilog="Examples:  synthrl check gsm8k  |  synthrl check my-task.yaml --json")
def check(
    task: Annotated[str, typer.Argument(help="A task YAML path or a built-in task name.")],
    as_json: Annotated[bool, typer.Option("--json", help="Print the summary as JSON.")] = False,
    allow_code: AllowCode = False,
) -> None:
    """Validate a task definition and summarise what synthrl will do with it.

    It shows the input rules generated inputs must keep (the file's input_rules over the
    ranges and counts read from its description and input format; write input_rules to
    override one, `from_text: false` to read none) and the example values the teacher reads
    masked.

    A custom checker (answer.function) is located but not run unless --allow-code is given;
    with it, the demos are also read with it."""
    loaded = load_task(task, allow_code=allow_code, check_only=True)
    spec = loaded.spec
    answer = spec.answer
    summary = {
        "name": spec.name,
        "source": loaded.source,
        "answer_type": answer.type,
        "answer": loaded.verifier.type.describe(),
        "read_from": answer.where,
        "lenient": answer.lenient,
        "format_reward": answer.format_reward,
        "demos": len(spec.demos or []),
        "retrieval_keywords": spec.retrieval.keywords if spec.retrieval else [],
        "output_format": loaded.output_format,
        "output_format_rendered": spec.output_format is None,
        "input_rules": loaded.input_rules.describe() if loaded.input_rules else "none",
        "input_rules_from_text": (
            loaded.rules_from_text.describe() if loaded.rules_from_text else "none"
        ),
        "examples_masked_for_teacher": mask_task(loaded).summary() or "none",
    }
    if loaded.rules_dropped:
        summary["input_rules_dropped"] = "; ".join(loaded.rules_dropped)
    if answer.type == "custom":
        summary["custom_checker"] = (
            f"{answer.function} (run: demos read with it)"
            if loaded.code_allowed
            else f"{answer.function} (found, not run; pass --allow-code to run it)"
        )
    if as_json:
        out.print_json(json.dumps(summary))
        return
    table = Table(show_header=False, box=None, padding=(0, 2))
    for key, value in summary.items():
        table.add_row(key.replace("_", " "), str(value))
    out.print(f"[green]ok[/green] {loaded.source}")
    out.print(table)


@app.command()
def tasks() -> None:
    """List the built-in tasks."""
    table = Table("name", "answer", "read from", "description")
    for name in builtin_names():
        spec = load_task(name).spec
        summary = re.split(r"[.:;]\s", spec.description, maxsplit=1)[0].rstrip(".")
        table.add_row(name, spec.answer.type, spec.answer.where, summary)
    out.print(table)


@app.command(
    epilog=(
        "Examples:  echo '#### 72' | synthrl grade gsm8k --gold 72  |  "
        "synthrl grade gpqa --gold B response.txt"
    )
)
def grade(
    task: Annotated[str, typer.Argument(help="A task YAML path or a built-in task name.")],
    source: Annotated[
        str, typer.Argument(metavar="[FILE|-]", help="The response to grade; '-' reads stdin.")
    ] = "-",
    gold: Annotated[str, typer.Option("--gold", help="The correct answer.")] = ...,  # type: ignore[assignment]
    task_input: Annotated[
        str, typer.Option("--input", help="The problem it answers (a short answer may restate it).")
    ] = "",
    allow_code: AllowCode = False,
) -> None:
    """Grade one response with the task's verifier and print JSON:
    {"extracted": ..., "correct": bool, "reward": float|null, "reason": ...}."""
    loaded = load_task(task, allow_code=allow_code)
    verifier = loaded.verifier
    if verifier.canonical(gold) is None:
        raise UserError(
            f"--gold '{gold}': not a valid answer for task '{loaded.name}' "
            f"(expected {verifier.type.describe()})"
        )
    if source == "-":
        response = sys.stdin.read()
    else:
        path = Path(source)
        if not path.is_file():
            raise UserError(f"{source}: response file not found")
        response = path.read_text(encoding="utf-8", errors="replace")
    result = verifier.grade(response, gold, task_input)
    report = {
        "extracted": result.extracted,
        "correct": result.correct,
        "reward": result.reward,
        "reason": result.reason,
        "formatted": result.formatted,
    }
    print(json.dumps(report))


@corpus_app.command(
    "build",
    epilog=(
        "Examples:  synthrl corpus build docs/ --out my-index  |  "
        "synthrl corpus build faq.jsonl papers.parquet --out idx --text-field body"
    ),
)
def corpus_build(
    paths: Annotated[list[Path], typer.Argument(help="JSONL, parquet, text files or folders.")],
    out_dir: Annotated[Path, typer.Option("--out", help="Folder to write the index into.")],
    text_field: Annotated[str, typer.Option(help="Text field of JSONL/parquet rows.")] = "text",
    title_field: Annotated[str, typer.Option(help="Title field (optional).")] = "title",
    max_words: Annotated[int, typer.Option(min=20, help="Chunk passages to this size.")] = 200,
) -> None:
    """Build a BM25 passage index from files, for `--corpus DIR`."""
    import time

    from synthrl.retrieval import PassageIndex, read_passages

    began = time.perf_counter()
    passages = read_passages(paths, text_field, title_field, max_words)
    index = PassageIndex.build(passages, out_dir, ", ".join(map(str, paths)))
    out.print(
        f"indexed {len(index)} passages into {out_dir} in {time.perf_counter() - began:.1f} s"
    )


@app.command(
    epilog=(
        "Examples:  synthrl synth gsm8k --out runs/gsm8k --teacher-base-url "
        "http://127.0.0.1:8000/v1 --teacher-model qwen2.5-7b-instruct --n 100  |  "
        "synthrl synth my-task.yaml --out runs/mine --corpus docs/ --profile cpu"
    )
)
def synth(
    task: TaskName,
    out_dir: Annotated[Path, typer.Option("--out", help="Run folder (resumed if it exists).")],
    config: ConfigFile = None,
    profile: ProfileName = None,
    teacher_base_url: TeacherUrl = None,
    teacher_model: TeacherModel = None,
    teacher: LocalTeacherFlag = None,
    corpus: CorpusSource = None,
    n: InitialSamples = None,
    votes: TeacherVotes = None,
    concurrency: Concurrency = None,
    from_stage: FromStage = None,
    until: Until = None,
    student: Annotated[
        str | None,
        typer.Option(help="Student for the solve stage (harder/easier rewrites need it)."),
    ] = None,
    quiet: Quiet = False,
    allow_code: AllowCode = False,
    budget: Budget = None,
) -> None:
    """Teacher side: keywords, retrieve, pattern, generate, verify, solve, rewrite, dedup.

    Without --student, solve and rewrite are skipped (and recorded as skipped, so a later
    `synthrl run` on the folder runs them). Rerunning the same command resumes: every teacher
    call already made is served from the run folder's cache."""
    from synthrl.orchestrate import stage_slice
    from synthrl.pipeline import SYNTH_STAGES, Pipeline

    chosen = stage_slice(SYNTH_STAGES, from_stage, until)
    flags = overrides(
        teacher__base_url=teacher_base_url,
        teacher__model=teacher_model,
        teacher__concurrency=concurrency,
        teacher__budget=budget,
        corpus__source=corpus,
        synth__n=n,
        synth__votes=votes,
        student__model=student,
    )
    loaded, resolved = resolve(task, config, profile, flags, allow_code)
    forced = (from_stage,) if from_stage else ()
    with command_teacher(teacher, teacher_base_url, chosen, config, profile, flags) as local:
        pipeline = Pipeline(
            loaded, local or resolved, out_dir, forced, show_progress=not quiet,
            with_student=student is not None,
        )  # fmt: skip
        stages = pipeline.run_stages(chosen)
    table = Table("stage", "status", "counts", "teacher calls", "cached samples", "wall s")
    for name, entry in stages.items():
        if name not in chosen:
            continue
        counts = entry.get("reason") or "\n".join(
            f"{k}={v}" for k, v in entry.get("counts", {}).items()
        )
        usage = entry.get("usage", {})
        table.add_row(
            name,
            entry.get("status", ""),
            counts,
            str(usage.get("requests", 0)),
            str(usage.get("cached_samples", 0)),
            str(entry.get("wall_s", "")),
        )
    out.print(table)
    out.print(f"samples: {out_dir / 'dedup.jsonl'}  rejects: {out_dir}/*.rejects.jsonl")


@app.command(
    epilog=(
        "Examples:  synthrl run gsm8k --profile cpu --teacher-base-url http://127.0.0.1:8000/v1 "
        "--teacher-model qwen  |  synthrl run my-task.yaml --config run.yaml --from score"
    )
)
def run(
    task: TaskName,
    out_dir: RunOut = None,
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
    until: Until = None,
    from_stage: FromStage = None,
    force: Force = None,
    quiet: Quiet = False,
    allow_code: AllowCode = False,
    budget: Budget = None,
    rounds: Annotated[
        int,
        typer.Option(
            min=1, help="Rounds: each after the first trains on again from the last model."
        ),
    ] = 1,
) -> None:
    """The whole pipeline, the paper's Algorithm 1; resumes a run folder that exists.

    With --rounds R, rounds 2..R follow in RUN/round2/ ...: the trained student scores the
    pool again, the teacher rewrites what it solves and fails, training continues from it."""
    from synthrl.pipeline import Pipeline, stage_range

    _check_stages(force)
    if rounds > 1 and until is not None and until not in ("eval", "report"):
        raise UserError(f"--rounds {rounds} needs every round to reach eval; drop --until")
    flags = overrides(
        teacher__base_url=teacher_base_url, teacher__model=teacher_model,
        student__model=student, corpus__source=corpus, synth__n=n, select__m=m,
        synth__votes=votes, score__samples=samples, eval__data=eval_data,
        teacher__budget=budget,
    )  # fmt: skip
    loaded, resolved = resolve(task, config, profile, flags, allow_code)
    folder = out_dir or Path("runs") / loaded.name
    chosen = stage_range(from_stage, until)
    forced = tuple(force or ()) + ((from_stage,) if from_stage else ())
    asks = chosen + (("rewrite",) if rounds > 1 else ())  # later rounds ask the teacher
    with command_teacher(teacher, teacher_base_url, asks, config, profile, flags) as local:
        pipeline = Pipeline(loaded, local or resolved, folder, forced, show_progress=not quiet)
        _summary(pipeline.run_stages(chosen), folder)
        if rounds > 1:
            from synthrl.rounds import describe_rounds, run_rounds

            rows = run_rounds(loaded, local or resolved, folder, rounds, not quiet)
            out.print(describe_rounds(rows))


@app.command(
    epilog="Examples:  synthrl demo  |  synthrl demo --out runs/my-demo  |  "
    "synthrl demo --force train"
)
def demo(
    out_dir: Annotated[Path, typer.Option("--out", help="Run folder (resumed).")] = Path(
        "runs/demo"
    ),
    force: Force = None,
    quiet: Quiet = False,
) -> None:
    """The whole pipeline offline on CPU, no API key: a local teacher, SmolLM2-135M, sums.

    Teacher: Qwen2.5-Coder-0.5B-Instruct, served by llama.cpp on a free loopback port.

    It is `synthrl run arithmetic --teacher local` with the sizes in synthrl/demo.yaml.

    Ends with held-out accuracy before and after training and the verdict of the learning
    controls. `make demo` installs the embedded teacher."""
    from synthrl.demo import run_demo

    _check_stages(force)
    _summary(run_demo(out_dir, tuple(force or ()), show_progress=not quiet), out_dir)


def _check_stages(force: list[str] | None) -> None:
    from synthrl.pipeline import STAGES

    for name in force or []:
        if name not in STAGES:
            raise UserError(f"--force: unknown stage '{name}' (stages: {', '.join(STAGES)})")


def _summary(stages: dict, folder: Path) -> None:
    """The stage table, held-out accuracy before and after with its verdict, and where the
    report is."""
    from synthrl.pipeline import describe

    out.print(describe(stages))
    if "eval" in stages and stages["eval"].get("status") == "done":
        counts = stages["eval"]["counts"]
        out.print(held_out_line(counts))
        if counts.get("verdict"):  # absent in runs evaluated before the controls existed
            out.print(escape(counts["verdict"]))
    if (folder / "report.html").is_file():
        out.print(f"report: {folder / 'report.html'}")


register(app)
register_plan(app)


def main(argv: list[str] | None = None) -> None:
    """Entry point: run the app, turning synthrl errors into messages and exit codes."""
    # `kill` (SIGTERM) unwinds like Ctrl-C, so servers started for the run are stopped and
    # the manifest records the interruption.
    if threading.current_thread() is threading.main_thread():
        signal.signal(signal.SIGTERM, on_sigterm)
    try:
        app(args=argv, prog_name="synthrl", standalone_mode=True)
    except SynthrlError as exc:
        err.print(f"[red]error:[/red] {escape(str(exc))}", soft_wrap=True)
        sys.exit(exc.exit_code)
    except KeyboardInterrupt:
        if threading.current_thread() is threading.main_thread():
            signal.signal(signal.SIGINT, signal.SIG_IGN)  # a second Ctrl-C while exiting
            signal.signal(signal.SIGTERM, signal.SIG_IGN)
        err.print("interrupted")
        sys.exit(130)
    except Exception as exc:
        if os.environ.get("SYNTHRL_DEBUG"):
            raise
        full = disk_full(exc)
        if full:
            err.print(
                f"[red]error:[/red] {escape(full)}: free some space and rerun the same command; "
                "finished stages and cached calls are kept"
            )
            sys.exit(1)
        err.print(f"[red]error:[/red] unexpected failure: {exc!r} (SYNTHRL_DEBUG=1 for details)")
        sys.exit(1)
