"""What `run`, `plan` and `synth` do before their stages start, in one place: the run config
from the config file, the profile and the flags; the task; and, with `--teacher local`, the
embedded teacher for the length of the command."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from synthrl.config import RunConfig, load_config, merge
from synthrl.errors import UserError
from synthrl.local_teacher import EMBEDDED, teacher_overrides
from synthrl.pipeline import TEACHER_STAGES
from synthrl.task import load_task
from synthrl.task.loader import Task


def resolve(
    task: str, config: Path | None, profile: str | None, flags: dict, allow_code: bool
) -> tuple[Task, RunConfig]:
    """The task and the run config the command's flags, config file and profile make.
    `--allow-code` is written into `flags`, which `command_teacher` loads the config from
    again."""
    if profile not in (None, "cpu", "gpu"):
        raise UserError(f"--profile must be cpu or gpu, got '{profile}'")
    if allow_code:
        flags["allow_code"] = True
    resolved = load_config(config, profile, flags)
    return load_task(task, allow_code=resolved.allow_code), resolved


@contextmanager
def command_teacher(
    choice: str | None,
    base_url: str | None,
    stages: tuple[str, ...],
    config: Path | None,
    profile: str | None,
    flags: dict,
) -> Iterator[RunConfig | None]:
    """`--teacher local` (or `local-1.5b`) on a command: with a stage that calls the teacher,
    that embedded teacher runs for the block, and the run config (validated before it starts)
    points at it."""
    if choice is not None and choice not in EMBEDDED:
        raise UserError(
            "--teacher: expected 'local' (the embedded offline teacher, 0.5B) or 'local-1.5b' "
            f"(its 1.5B sibling), got {choice!r}"
        )
    if choice is not None and base_url is not None:
        raise UserError("--teacher and --teacher-base-url name two teachers; pass one of them")
    needed = choice is not None and bool(set(stages) & set(TEACHER_STAGES))
    with teacher_overrides(needed, EMBEDDED[choice or "local"]) as endpoint:
        if not endpoint:
            yield None
            return
        yield load_config(config, profile, merge(flags, {"teacher": endpoint}))  # type: ignore[arg-type]
