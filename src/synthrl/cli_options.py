"""The command line's options, declared once: every command that takes a flag takes it from
here, with the same name and help; and `overrides`, which turns the flags given into a run
config override."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

RunDir = Annotated[Path, typer.Argument(help="A run folder made by `synthrl synth`.")]
Student = Annotated[
    str | None, typer.Option("--student", help="HF id, local folder or 'smollm2-135m'.")
]
Backend = Annotated[str | None, typer.Option(help="transformers or server.")]
StudentUrl = Annotated[
    str | None, typer.Option("--student-base-url", help="OpenAI-compatible URL (server).")
]
Device = Annotated[str | None, typer.Option(help="auto, cpu, cuda, mps.")]
# Shared with the teacher-side commands: `--teacher local` where the teacher is called, and
# permission for a task's own checker code.
LocalTeacherFlag = Annotated[
    str | None,
    typer.Option(
        "--teacher",
        help="'local': start the embedded offline teacher for this command (0.5B, `make demo` "
        "installs it); 'local-1.5b': its stronger, slower sibling (`make teacher-1.5b`).",
    ),
]
# The run's options, shared by `run` and `plan` (which plans that run).
TaskName = Annotated[str, typer.Argument(help="A task YAML path or a built-in task name.")]
ConfigFile = Annotated[Path | None, typer.Option(help="Run config YAML.")]
ProfileName = Annotated[str | None, typer.Option(help="Defaults: cpu or gpu.")]
TeacherUrl = Annotated[str | None, typer.Option(help="OpenAI-compatible URL.")]
TeacherModel = Annotated[str | None, typer.Option(help="Teacher model name.")]
StudentModel = Annotated[str | None, typer.Option(help="HF id, folder or built-in.")]
CorpusSource = Annotated[str | None, typer.Option(help="Built-in, index, files or 'none'.")]
InitialSamples = Annotated[int | None, typer.Option(help="Initial samples (N).")]
TrainingSamples = Annotated[int | None, typer.Option("--m", help="Training samples (M).")]
TeacherVotes = Annotated[int | None, typer.Option(help="Teacher votes per sample (K).")]
StudentSamples = Annotated[int | None, typer.Option(help="Student samples per sample (L).")]
EvalData = Annotated[str | None, typer.Option(help="Held-out evaluation file (JSONL/CSV/parquet).")]
Quiet = Annotated[bool, typer.Option("--quiet", help="No progress bars.")]
Budget = Annotated[
    float | None,
    typer.Option(help="Most the teacher may cost in this run folder (needs teacher.prices)."),
]
AllowCode = Annotated[
    bool,
    typer.Option(
        "--allow-code",
        help="Let the task's custom checker (answer.function, its own Python code) run.",
    ),
]
# Options `eval` (on a run) and `compare` (any models) share.
EvalFile = Annotated[
    Path | None, typer.Option("--data", help="Evaluation file or built-in set (sciq-dev).")
]
Limit = Annotated[int | None, typer.Option(help="Use the first K items.")]
MaxTokens = Annotated[int | None, typer.Option(help="Tokens per answer.")]
Profile = Annotated[str | None, typer.Option(help="cpu or gpu defaults.")]
QuietBar = Annotated[bool, typer.Option("--quiet", help="No progress bar.")]


def overrides(**flags: object) -> dict[str, dict[str, object]]:
    """Flags given on the command line (section__key=value) as a nested config override."""
    sections: dict[str, dict[str, object]] = {}
    for dotted, value in flags.items():
        if value is not None:
            section, key = dotted.split("__")
            sections.setdefault(section, {})[key] = value
    return sections


# Where a command works, and which stages it runs.
RunOut = Annotated[Path | None, typer.Option("--out", help="Run folder (resumed if it exists).")]
FromStage = Annotated[str | None, typer.Option("--from", help="First stage to run.")]
Until = Annotated[str | None, typer.Option(help="Last stage to run.")]
Force = Annotated[list[str] | None, typer.Option(help="Rerun this stage.")]
Concurrency = Annotated[int | None, typer.Option(help="Parallel teacher requests.")]
