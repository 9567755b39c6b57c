"""Run a range of declared stages on a run folder: the one place that decides what to rerun
and the one writer of manifest.json.

For each stage in order: its key (synthrl.stage) is compared with the key recorded when it
last finished; an unchanged stage whose outputs exist is skipped, anything else runs. Every
outcome is recorded: done (counts, teacher usage, wall time, key), failed (the message,
whatever the exception) or skipped (why). One process at a time holds a run folder.
"""

from __future__ import annotations

import contextlib
import inspect
import os
import sys
import time
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import yaml
from rich.console import Console

from synthrl.config import RunConfig
from synthrl.errors import UserError
from synthrl.interrupt import run_async
from synthrl.io import write_atomic
from synthrl.manifest import Manifest
from synthrl.progress import make_progress
from synthrl.services import NoStudent, Services
from synthrl.stage import Stage, StageContext, stage_key
from synthrl.task.loader import Task


def stage_slice(names: Sequence[str], first: str | None, last: str | None) -> tuple[str, ...]:
    """`names` from `first` to `last` inclusive (from the start / to the end when None)."""
    for name in (first, last):
        if name is not None and name not in names:
            raise UserError(f"unknown stage '{name}' (stages: {', '.join(names)})")
    start = list(names).index(first) if first else 0
    stop = list(names).index(last) + 1 if last else len(names)
    if start >= stop:
        raise UserError(f"stage '{first}' comes after '{last}'")
    return tuple(names)[start:stop]


def write_run_inputs(task: Task, config: RunConfig, out: Path) -> None:
    """Save the resolved task and config beside the run's outputs."""
    spec = task.spec.model_dump(mode="json", exclude_none=True)
    write_atomic(out / "task.yaml", yaml.safe_dump(spec, sort_keys=False, allow_unicode=True))
    resolved = config.model_dump(mode="json")
    write_atomic(out / "config.yaml", yaml.safe_dump(resolved, sort_keys=False))


def check_run_folder(run: Path) -> None:
    """Make sure `run` is (or can become) a writable folder; UserError naming it otherwise."""
    for part in run.parts:
        if len(part.encode()) > 255:
            raise UserError(f"{run}: a folder name longer than 255 bytes; choose a shorter --out")
    for parent in (run, *run.parents):
        if parent.exists() and not parent.is_dir():
            raise UserError(f"{run}: '{parent}' is a file, not a folder; choose another --out")
        if parent.exists():
            break
    try:
        run.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise UserError(f"{run}: cannot create the run folder ({exc.strerror})") from None
    if not os.access(run, os.W_OK | os.X_OK):
        raise UserError(f"{run}: the run folder is not writable; choose another --out")


class RunFolderLock:
    """An exclusive lock on a run folder, held while a command works on it.

    The kernel releases it when its process ends, however it ends, so a lock left by a
    killed process is simply taken over; the holder's PID is in the file for the message."""

    def __init__(self, run: Path) -> None:
        self.path = run / ".lock"
        self._handle: Any = None

    def __enter__(self) -> RunFolderLock:
        check_run_folder(self.path.parent)
        handle = self.path.open("a+")
        try:
            import fcntl

            fcntl.flock(handle.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)
        except ImportError:  # no flock (Windows): one process per folder is up to the user
            pass
        except BlockingIOError:
            handle.seek(0)
            holder = handle.read().strip() or "unknown"
            handle.close()
            raise UserError(
                f"{self.path.parent}: another synthrl process (PID {holder}) is working on this "
                "run folder; wait for it to finish or stop it, then rerun"
            ) from None
        handle.seek(0)
        handle.truncate()
        handle.write(f"{os.getpid()}\n")
        handle.flush()
        self._handle = handle
        return self

    def __exit__(self, *exc: object) -> None:
        if self._handle is not None:
            self._handle.close()  # closing releases the lock
            self._handle = None


def quiet_libraries() -> None:
    """Without progress bars, the libraries' own stay off too (loading weights, writing shards,
    datasets' maps): tqdm's and the hub's switches, read when they make a bar."""
    os.environ["TQDM_DISABLE"] = "1"
    os.environ["HF_HUB_DISABLE_PROGRESS_BARS"] = "1"
    os.environ["HF_DATASETS_DISABLE_PROGRESS_BARS"] = "1"
    if "transformers" in sys.modules:  # imported already: its switch was read at import
        from transformers.utils import logging as transformers_logging

        transformers_logging.disable_progress_bar()


class StageRunner:
    """Runs (or skips) a range of `stages` on one run folder; see the module docstring."""

    stages: tuple[Stage, ...] = ()

    def __init__(
        self,
        task: Task,
        config: RunConfig,
        run: Path,
        force: Sequence[str] = (),
        show_progress: bool = True,
        console: Console | None = None,
        with_student: bool = True,
        teacher_cache: Path | None = None,
    ) -> None:
        self.task, self.config, self.run = task, config, run
        self.force = set(force)
        self.show_progress = show_progress
        if not show_progress:
            quiet_libraries()
        self.console = console or Console(stderr=True, highlight=False)
        self.services = Services(config, run, with_student, teacher_cache, self.console.print)
        self.by_name = {stage.name: stage for stage in self.stages}
        self.producer = {path: stage.name for stage in self.stages for path in stage.writes}
        # Under `accelerate launch`, every process runs the command; the first one keeps the
        # lock and the manifest, the others only do their share of the work.
        self.primary = os.environ.get("RANK", "0") == "0"
        self._usage: dict[str, dict[str, Any]] = {}  # teacher usage of the stage running now

    def manifest(self) -> Manifest:
        return Manifest(self.run / "manifest.json", readonly=not self.primary)

    @classmethod
    def names(cls) -> tuple[str, ...]:
        return tuple(stage.name for stage in cls.stages)

    def stage_range(self, first: str | None, last: str | None) -> tuple[str, ...]:
        return stage_slice(self.names(), first, last)

    def preflight(self, chosen: Sequence[str]) -> None:
        """Fail on bad input before any work: the corpus, the student, the eval data."""
        from synthrl.evaluate.sets import load_items
        from synthrl.student.models import resolve_model

        needs = set().union(*(self.by_name[name].needs for name in chosen))
        if "library" in needs:
            self.services.library()
        student = self.config.student
        if "student" in needs and self.services.with_student and student.backend != "server":
            resolve_model(student.model)
        if "eval" in chosen:
            data = self.config.eval.data
            load_items(self.task.name, Path(data) if data else None, 1)

    def run_stages(self, chosen: Sequence[str]) -> dict[str, Any]:
        """Run (or skip) each chosen stage in order; returns the manifest's stage records."""
        for name in chosen:
            if name not in self.by_name:
                raise UserError(f"unknown stage '{name}' (stages: {', '.join(self.names())})")
        with RunFolderLock(self.run) if self.primary else contextlib.nullcontext():
            self.preflight(chosen)
            if self.primary:
                write_run_inputs(self.task, self.config, self.run)
            try:
                for name in chosen:
                    self._one(self.by_name[name])
            finally:
                self.services.close()
        return self.manifest().data["stages"]

    def key(self, stage: Stage, manifest: Manifest) -> str:
        upstream = {}
        for path in (*stage.reads, *stage.reads_if_present):
            entry = manifest.stage(self.producer.get(path, "")) or {}
            upstream[path] = entry.get("key", "")
        return stage_key(stage, self.task, self.config, self.run, upstream)

    def _one(self, stage: Stage) -> None:
        manifest = self.manifest()
        entry = manifest.stage(stage.name) or {}
        key = self.key(stage, manifest)
        forced = stage.name in self.force
        finished = entry.get("status") == "done"
        outputs = all((self.run / path).exists() for path in stage.writes[:1])
        if finished and entry.get("key") == key and outputs and not forced and not stage.always:
            self.console.print(f"[dim]{stage.name:<9} up to date, skipped[/dim]")
            return
        missing = [path for path in stage.reads if not (self.run / path).exists()]
        if missing:
            waiting = [
                self.producer[path] for path in missing
                if (manifest.stage(self.producer.get(path, "")) or {}).get("status") == "skipped"
            ]  # fmt: skip
            if waiting:  # an earlier stage was skipped for want of a service: so is this one
                manifest.skip(stage.name, f"needs {', '.join(missing)} from {waiting[0]}")
                return
            raise UserError(
                f"{self.run}: stage '{stage.name}' needs {', '.join(missing)} from an earlier "
                "stage; run the earlier stages first"
            )
        if finished and not forced and not stage.always:
            self.console.print(f"{stage.name:<9} inputs or config changed: running again")
        manifest.start(stage.name, key)
        began = time.perf_counter()
        try:
            counts, usage = self._call(stage, key)
        except NoStudent:
            manifest.skip(stage.name, "no student given (pass --student, or use `synthrl run`)")
            return
        except BaseException as exc:
            from synthrl.synth.stops import StageStop

            if isinstance(exc, KeyboardInterrupt):
                self.console.print(
                    f"interrupted during {stage.name}: finished stages and calls are kept; "
                    "rerun the same command to resume"
                )
            counts = exc.counts if isinstance(exc, StageStop) else None
            usage = self._usage.pop(stage.name, None)
            manifest.fail(stage.name, str(exc) or type(exc).__name__, counts, usage)
            raise
        manifest.finish(stage.name, key, counts, usage, time.perf_counter() - began)

    def _call(self, stage: Stage, key: str) -> tuple[dict[str, Any], dict[str, Any] | None]:
        progress = make_progress() if self.show_progress else None
        ctx = StageContext(
            self.task,
            self.config,
            self.run,
            progress=progress,
            services=self.services,
            key=key,
            stage=stage,
        )
        try:
            if not inspect.iscoroutinefunction(stage.run):
                return stage.run(ctx), None  # type: ignore[return-value]
            return run_async(self._call_async(stage, ctx))
        finally:
            if progress is not None:
                progress.stop()

    async def _call_async(
        self, stage: Stage, ctx: StageContext
    ) -> tuple[dict[str, Any], dict[str, Any] | None]:
        if "teacher" not in stage.needs:
            return await stage.run(ctx), None  # type: ignore[misc]
        ctx.client = self.services.teacher()
        ctx.client.spent_before = self.manifest().spent()
        try:
            counts = await stage.run(ctx)  # type: ignore[misc]
            return counts, ctx.client.usage.report(stage.name)
        finally:
            # A stage that fails still paid for the calls it finished (they are cached).
            self._usage[stage.name] = ctx.client.usage.report(stage.name)
            await ctx.client.close()
