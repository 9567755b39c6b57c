"""synthrl run: the paper's Algorithm 1, one stage after another, on a resumable run folder.

    1. keywords  the teacher summarises the task's domain into search queries
    2. retrieve  BM25 finds passages for them in the library
    3. pattern   with demos, the teacher summarises what a sample looks like
    4. generate  the teacher writes N samples, one passage each
    5. verify    the teacher answers each K times; the majority answer is the label
    6. solve     the student answers each once, greedily
    7. rewrite   solved -> harder, unsolved -> easier; rewrites verified the same way
    8. dedup     near-duplicates and evaluation-set overlaps removed
    9. score     the student samples L answers per sample: its pass rate
   10. select    the M samples solved sometimes but not reliably (and a validation split)
   11. train     GRPO with the task's verifier as reward
   12. eval      base vs trained student on the task's evaluation set
   13. report    report.html and report.md

Every stage reads and writes files in the run folder. A finished stage is skipped when its
inputs (files and the config sections it uses) are unchanged, and rerun, with a note, when they
changed; `--force STAGE` reruns one anyway, `--from`/`--until` choose a range. Teacher and
student samples are cached by content, so even a rerun stage repeats no call that finished.
"""

from __future__ import annotations

import hashlib
import json
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from rich.console import Console

from synthrl.config import RunConfig
from synthrl.errors import SynthrlError
from synthrl.io import write_json, write_jsonl
from synthrl.llm.cache import ResponseCache
from synthrl.manifest import Manifest
from synthrl.synth.runner import SYNTH_STAGES, run_synth, stage_slice, write_run_inputs
from synthrl.task.loader import Task

STAGES = (*SYNTH_STAGES, "score", "select", "train", "eval", "report")

# What each stage reads (files in the run folder) and which config sections shape it.
_INPUTS: dict[str, tuple[tuple[str, ...], tuple[str, ...]]] = {
    "keywords": (("task.yaml",), ("teacher", "synth")),
    "retrieve": (("keywords.json",), ("synth", "corpus")),
    "pattern": (("task.yaml",), ("teacher",)),
    "generate": (("retrieve.jsonl", "pattern.json"), ("teacher", "synth")),
    "verify": (("generate.jsonl",), ("teacher", "synth")),
    "solve": (("verify.jsonl",), ("student",)),
    "rewrite": (("solve.jsonl",), ("teacher", "synth")),
    "dedup": (("verify.jsonl", "rewrite.jsonl"), ("synth",)),
    "score": (("dedup.jsonl",), ("student", "score")),
    "select": (("score.jsonl",), ("select",)),
    "train": (("selected.jsonl", "validation.jsonl"), ("student", "train")),
    "eval": (("model",), ("student", "eval")),
}
_OUTPUTS = {
    "keywords": "keywords.json", "retrieve": "retrieve.jsonl", "pattern": "pattern.json",
    "generate": "generate.jsonl", "verify": "verify.jsonl", "solve": "solve.jsonl",
    "rewrite": "rewrite.jsonl", "dedup": "dedup.jsonl", "score": "score.jsonl",
    "select": "selected.jsonl", "train": "model/config.json", "eval": "eval.json",
}  # fmt: skip


def stage_range(first: str | None, last: str | None) -> tuple[str, ...]:
    """Stages from `first` to `last`, inclusive."""
    return stage_slice(STAGES, first, last)


def stage_key(run: Path, config: RunConfig, stage: str) -> str:
    """A hash of what a stage reads: its input files' bytes and its config sections."""
    files, sections = _INPUTS.get(stage, ((), ()))
    digest = hashlib.sha256(config.fingerprint(*sections).encode())
    for name in files:
        path = run / name
        digest.update(name.encode())
        if path.is_dir():  # a model folder: names, sizes and times, not gigabytes of bytes
            for item in sorted(path.iterdir()):
                stat = item.stat()
                digest.update(f"{item.name}:{stat.st_size}:{stat.st_mtime_ns}".encode())
        elif path.is_file():
            with path.open("rb") as handle:
                for block in iter(lambda: handle.read(1 << 20), b""):
                    digest.update(block)
    return digest.hexdigest()[:16]


def record_keys(run: Path, config: RunConfig, stages: tuple[str, ...]) -> None:
    """Store the key of each finished stage, so that `synthrl run` on a folder made by the
    single-stage commands (`synth`, `score`, `select`, `train`) skips what they finished."""
    manifest = Manifest(run / "manifest.json")
    for name in stages:
        entry = manifest.data["stages"].get(name)
        if entry is not None and entry.get("status") == "done":
            entry["key"] = stage_key(run, config, name)
    manifest.save()


class Pipeline:
    """Runs the stages of one run folder; see the module docstring."""

    def __init__(
        self,
        task: Task,
        config: RunConfig,
        run: Path,
        force: tuple[str, ...] = (),
        show_progress: bool = True,
        console: Console | None = None,
    ) -> None:
        self.task, self.config, self.run = task, config, run
        self.force = set(force)
        self.show_progress = show_progress
        self.console = console or Console(stderr=True, highlight=False)
        self._student: Any = None

    def student(self) -> Any:
        """The base student's sampler, loaded once and only when a stage needs it."""
        if self._student is None:
            from synthrl.student.sampler import make_sampler

            cache = ResponseCache(self.run / "cache" / "student.sqlite")
            self._student = make_sampler(self.config.student, cache)
        return self._student

    def preflight(self, stages: tuple[str, ...]) -> None:
        """Fail on bad input before any work: the corpus, the student, the eval data."""
        from synthrl.evaluate.benchmarks import load_items
        from synthrl.retrieval import open_library
        from synthrl.student.models import resolve_model

        if "retrieve" in stages:
            open_library(self.config.corpus)
        if self.config.student.backend == "transformers" and {"solve", "score", "train"} & set(
            stages
        ):
            resolve_model(self.config.student.model)
        if "eval" in stages:
            data = self.config.eval.data
            load_items(self.task.name, Path(data) if data else None, 1)

    def run_stages(self, stages: tuple[str, ...]) -> dict[str, Any]:
        """Run (or skip) each stage in order; returns the manifest's stage records."""
        self.preflight(stages)
        self.run.mkdir(parents=True, exist_ok=True)
        write_run_inputs(self.task, self.config, self.run)
        for name in stages:
            key = stage_key(self.run, self.config, name)
            entry = Manifest(self.run / "manifest.json").stage(name) or {}
            if self._up_to_date(name, key, entry):
                self.console.print(f"[dim]{name:<9} up to date, skipped[/dim]")
                continue
            if entry.get("status") == "done" and name not in self.force and name != "report":
                self.console.print(f"{name:<9} inputs or config changed: running again")
            try:
                self._run_one(name, key)
            except KeyboardInterrupt:
                self.console.print(
                    f"interrupted during {name}: finished stages and calls are kept; "
                    "rerun the same command to resume"
                )
                raise
        return Manifest(self.run / "manifest.json").data["stages"]

    def _up_to_date(self, name: str, key: str, entry: dict[str, Any]) -> bool:
        output = _OUTPUTS.get(name)
        return (
            name not in self.force
            and name != "report"
            and entry.get("status") == "done"
            and entry.get("key") == key
            and output is not None
            and (self.run / output).exists()
        )

    def _run_one(self, name: str, key: str) -> None:
        began = time.perf_counter()
        if name in SYNTH_STAGES:
            student = self.student() if name == "solve" else None
            run_synth(self.task, self.config, self.run, self.show_progress, (name,), student)
        else:
            manifest = Manifest(self.run / "manifest.json")
            manifest.start(name, key)
            try:
                counts = self._student_stage(name)
            except (SynthrlError, KeyboardInterrupt) as exc:
                manifest.fail(name, str(exc) or type(exc).__name__)
                raise
            manifest.finish(name, counts, None, time.perf_counter() - began)
        manifest = Manifest(self.run / "manifest.json")
        manifest.data["stages"][name]["key"] = key
        manifest.save()

    def _student_stage(self, name: str) -> dict[str, Any]:
        from synthrl import select
        from synthrl.report import default_reference, write_report
        from synthrl.train.export import export
        from synthrl.train.grpo import train

        actions: dict[str, Callable[[], dict[str, Any]]] = {
            "score": self._score,
            "select": lambda: {
                **select.run_select(self.run, self.config.select),
                **{f"exported_{k}": v for k, v in export(self.task, self.run).items()},
            },
            "train": lambda: {
                "steps": train(self.task, self.config, self.run, self.show_progress)["steps"]
            },
            "eval": self._evaluate,
            "report": lambda: {
                "report": str(write_report(self.run, default_reference(self.run))[0])
            },
        }
        return actions[name]()

    def _progress(self, label: str, total: int) -> tuple[Any, Any]:
        """A started progress bar and its advance callback, or (None, None) when quiet."""
        if not self.show_progress:
            return None, None
        from synthrl.synth.context import start_progress

        return start_progress(label, total)

    def _score(self) -> dict[str, Any]:
        from synthrl.io import read_jsonl
        from synthrl.student.stages import score

        total = len(read_jsonl(self.run / "dedup.jsonl"))
        progress, advance = self._progress("score", total)
        try:
            return score(self.task, self.config, self.run, self.student(), advance)
        finally:
            if progress is not None:
                progress.stop()

    def _evaluate(self) -> dict[str, Any]:
        from synthrl.evaluate.benchmarks import load_items
        from synthrl.evaluate.controls import compare, model_controls
        from synthrl.evaluate.runner import evaluate
        from synthrl.student.sampler import make_sampler

        settings = self.config.eval
        data = Path(settings.data) if settings.data else None
        items = load_items(self.task.name, data, settings.limit)
        results, passes = [], []
        canonical = self.task.verifier.canonical
        trained = make_sampler(self.config.student, model=str(self.run / "model"))
        for label, sampler in (("base", self.student()), ("trained", trained)):
            progress, advance = self._progress(f"eval {label}", len(items) * settings.seeds)
            try:
                summary, predictions = evaluate(
                    self.task, sampler, items, self.config.student.max_tokens,
                    settings.temperature, settings.seeds, advance,
                )  # fmt: skip
            finally:
                if progress is not None:
                    progress.stop()
            write_jsonl(self.run / f"eval.{label}.predictions.jsonl", predictions)
            summary["model"] = f"{label}: " + (
                self.config.student.model if label == "base" else "model/ (this run)"
            )
            summary.update(model_controls(predictions, canonical).fields())
            results.append(summary)
            passes.append(predictions)
        names = (results[0]["model"], results[1]["model"])
        comparison = compare(passes[0], passes[1], canonical, names)
        report = {
            "task": self.task.name, "data": settings.data or "built-in", "results": results,
            "comparison": [comparison.as_dict()],
        }  # fmt: skip
        write_json(self.run / "eval.json", report)
        base, after = results[0]["accuracy"], results[1]["accuracy"]
        return {
            "items": len(items), "base": round(base, 4), "trained": round(after, 4),
            "delta": round(after - base, 4), "verdict": comparison.verdict,
        }  # fmt: skip


def describe(stages: dict[str, Any]) -> str:
    """One line per stage for the terminal."""
    lines = []
    for name, entry in stages.items():
        counts = json.dumps(entry.get("counts", {}))
        lines.append(f"{name:<9} {entry.get('status', ''):<7} {counts}")
    return "\n".join(lines)
