"""The stage contract: each stage of a run declared once, and what every stage shares.

A `Stage` names its function, the files it reads and writes in the run folder, the config
sections it depends on, whether it depends on the task definition, the prompt templates it
renders, the services it needs (teacher, student, passage library) and a version. Its key is a
hash of all of that and of the bytes of its input files (an input folder, the trained model,
counts by the key of the stage that wrote it), so a finished stage is reused only when nothing
it depends on changed, and a change reruns it and every later stage whose input it changes.

A stage is a module of synthrl.stages whose `run` takes a `StageContext` and returns its
counts for the manifest; teacher stages are coroutines (`async def`), the others plain
functions. A stage opens its files through the context by the names its declaration gives
(`ctx.input`, `ctx.output`), which refuses a name the table does not declare. What the
stages call on (teacher, student, library) is synthrl.services; progress bars are
synthrl.progress.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal

from rich.console import Console
from rich.markup import escape
from rich.progress import Progress

from synthrl.config import RunConfig
from synthrl.io import write_jsonl
from synthrl.llm.client import Completion, Message, Request, TeacherClient
from synthrl.synth.prompts import template_text
from synthrl.task.loader import Task
from synthrl.task.verifier import GRADING_VERSION

if TYPE_CHECKING:
    from synthrl.services import Services

Service = Literal["teacher", "student", "library"]
Counts = dict[str, Any]


@dataclass(frozen=True)
class Stage:
    """One stage of a run, declared once; see the module docstring."""

    name: str
    run: Callable[[StageContext], Counts | Awaitable[Counts]]
    reads: tuple[str, ...] = ()  # files earlier stages wrote; all must exist
    reads_if_present: tuple[str, ...] = ()  # files read when an earlier stage wrote them
    writes: tuple[str, ...] = ()  # the first is the stage's main output
    config: tuple[str, ...] = ()  # config sections that shape what it produces
    task: bool = True  # depends on the task definition
    templates: tuple[str, ...] = ()  # prompt templates (synth/prompts/NAME.txt) it renders
    uses_files: tuple[str, ...] = ()  # config keys ("eval.data") naming files it reads
    needs: frozenset[Service] = frozenset()
    version: int = 1  # bump when the code changes what the stage produces
    grades: bool = False  # grades answers: reruns when grading changes (GRADING_VERSION)
    always: bool = False  # cheap and derived from everything before it: runs every time


def file_digest(path: Path) -> str:
    """A hash of a file's bytes ('' when absent)."""
    digest = hashlib.sha256()
    if path.is_file():
        with path.open("rb") as handle:
            for block in iter(lambda: handle.read(1 << 20), b""):
                digest.update(block)
    else:
        return ""
    return digest.hexdigest()


def _config_files(config: RunConfig, dotted: str) -> list[str]:
    """The existing files a config key names (built-in set names are not files)."""
    section, key = dotted.split(".")
    value = getattr(getattr(config, section), key)
    values = value if isinstance(value, list) else [value]
    return [str(v) for v in values if isinstance(v, str) and Path(v).is_file()]


def stage_key(
    stage: Stage, task: Task, config: RunConfig, run: Path, upstream: dict[str, str]
) -> str:
    """What a stage's result depends on, hashed: see the module docstring. Input files count
    by their bytes; an input folder (the trained model) by the key of the stage that wrote it,
    which `upstream` maps it to."""
    inputs = {}
    for name in (*stage.reads, *stage.reads_if_present):
        path = run / name
        inputs[name] = upstream.get(name, "") if path.is_dir() else file_digest(path)
    used = {dotted: _config_files(config, dotted) for dotted in stage.uses_files}
    parts: dict[str, Any] = {
        "stage": stage.name,
        "version": stage.version,
        "grading": GRADING_VERSION if stage.grades else None,
        "config": config.fingerprint(*stage.config) if stage.config else "",
        "task": task.spec.model_dump(mode="json") if stage.task else None,
        "templates": {name: template_text(name) for name in stage.templates},
        "inputs": inputs,
        "files": {k: {p: file_digest(Path(p)) for p in paths} for k, paths in used.items()},
    }
    text = json.dumps(parts, sort_keys=True, default=str)
    return hashlib.sha256(text.encode()).hexdigest()[:16]


@dataclass
class StageContext:
    """What a running stage sees: the task, the config, the run folder and the services."""

    task: Task
    config: RunConfig
    out: Path
    client: TeacherClient | None = None  # set for stages that need the teacher
    progress: Progress | None = None
    services: Services | None = None
    key: str = ""  # the stage's key (training keeps its checkpoints under it)
    rejects: dict[str, list[dict[str, Any]]] = field(default_factory=dict)
    stage: Stage | None = None  # the running stage's declaration: its files come from it

    def path(self, name: str) -> Path:
        return self.out / name

    def input(self, name: str) -> Path:
        """A file the running stage declares it reads (`reads` or `reads_if_present`)."""
        if self.stage is not None and name not in (*self.stage.reads, *self.stage.reads_if_present):
            raise KeyError(f"stage {self.stage.name} reads {name} without declaring it")
        return self.out / name

    def output(self, name: str) -> Path:
        """A file the running stage declares it writes."""
        if self.stage is not None and name not in self.stage.writes:
            raise KeyError(f"stage {self.stage.name} writes {name} without declaring it")
        return self.out / name

    def chat(self, stage: str, messages: Sequence[Message], **overrides: Any) -> Request:
        """A chat request with the teacher's defaults, labelled with its stage."""
        teacher = self.config.teacher
        params: dict[str, Any] = {
            "temperature": teacher.temperature,
            "max_tokens": teacher.max_tokens,
            "stage": stage,
        }
        params.update(overrides)
        return Request.chat(messages, **params)

    async def ask(self, stage: str, requests: Sequence[Request]) -> list[Completion]:
        """Send requests through the teacher with a progress bar for this stage."""
        if not requests:
            return []
        assert self.client is not None, f"stage {stage} asks the teacher without needing it"
        advance_bar = self.bar(stage, len(requests))

        def advance(_: Completion) -> None:
            if advance_bar is not None:
                advance_bar(1)

        return await self.client.complete(requests, on_done=advance)

    def bar(self, label: str, total: int) -> Callable[[int], None] | None:
        """A progress bar for this stage's own work, and the callback that advances it."""
        if self.progress is None:
            return None
        if not self.progress.live.is_started:  # started on first use: training has its own
            self.progress.start()
        progress, task_id = self.progress, self.progress.add_task(label, total=total)
        return lambda done: progress.advance(task_id, done)

    def reject(self, stage: str, reason: str, raw: str = "", **details: Any) -> None:
        """Keep a rejected output with its reason; written by `write_rejects`."""
        record = {"stage": stage, "reason": reason, **details}
        if raw:
            record["raw"] = raw[:4000]
        self.rejects.setdefault(stage, []).append(record)

    def say(self, message: str) -> None:
        """Print one line of what a stage found on stderr (above the progress bars)."""
        Console(stderr=True, highlight=False).print(escape(message), soft_wrap=True)

    def warn(self, message: str) -> None:
        """Print one warning line on stderr (above the progress bars while they run)."""
        console = Console(stderr=True, highlight=False)
        console.print(f"[yellow]warning:[/yellow] {escape(message)}", soft_wrap=True)

    def write_rejects(self, stage: str) -> dict[str, int]:
        """Write `<stage>.rejects.jsonl` and return counts by reason."""
        records = self.rejects.get(stage, [])
        write_jsonl(self.output(f"{stage}.rejects.jsonl"), records)
        counts: dict[str, int] = {}
        for record in records:
            counts[record["reason"]] = counts.get(record["reason"], 0) + 1
        return counts


def user(content: str) -> list[Message]:
    """A one-message chat."""
    return [{"role": "user", "content": content}]
