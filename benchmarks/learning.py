"""Does synthrl teach? Training arms on one shared synthetic set, each against the base model.

    .venv/bin/python benchmarks/learning.py
    .venv/bin/python benchmarks/learning.py --seeds 1 --arms grpo-selected,sft-selected,base
    .venv/bin/python benchmarks/learning.py --teacher local-1.5b --seeds 1 \
        examples/tasks/reading.yaml:examples/tasks/run-reading.yaml:squad-dev
    .venv/bin/python benchmarks/learning.py \
        examples/tasks/gcd.yaml:examples/tasks/run.yaml:examples/tasks/gcd.heldout.jsonl \
        --teacher-base-url http://127.0.0.1:8080/v1 --teacher-model qwen --out runs/gcd-learning

For each task (TASK[:CONFIG[:EVAL[:HUMAN]]]; by default the demo task `arithmetic` with
src/synthrl/demo.yaml on its test part, and examples/tasks/addition.yaml with
examples/tasks/run.yaml on its test file) and each seed k (0 to N-1,
put into synth.seed, score.seed, select.seed and train.seed):

1. keywords..audit run once in OUT/<task>/seed<k>/shared/, against the embedded llama.cpp
   teacher (--teacher local, the 0.5B, or local-1.5b; started once for every task and seed,
   stopped before any training) or the server that --teacher-base-url and --teacher-model
   name;
2. each arm gets OUT/<task>/seed<k>/<arm>/: hard links to the shared folder's files (copies
   across file systems) and the shared stages' manifest records, so those stages count as done
   there; then select, train and eval run with the arm's overrides:
   - grpo-selected: select.strategy paper, GRPO: the config's own settings;
   - grpo-random: select.strategy random, the same M and the same training;
   - sft-selected: the paper's selection, SFT for as many optimizer steps as GRPO takes
     (train.max_steps, or the steps the grpo-selected arm took when that is -1);
   - grpo-dynamic: grpo-selected with train.dynamic_sampling (prompts whose group had zero
     reward variance retire; later batches draw from the rest);
   - grpo-easy, grpo-hard, grpo-balanced: GRPO on the M samples of select.strategy easy
     (highest pass rate first), hard (lowest first) or balanced (nearest 0.5);
   - grpo-human: the same GRPO on M items of human-labelled data instead of synthetic
     samples (the paper's comparison): the task's fourth field, or by default the dev part of
     the evaluation set when that set is a test part (`arithmetic-test` -> `arithmetic-dev`,
     `addition.test.jsonl` -> `addition.heldout.jsonl`); M + the validation share drawn with
     the seed, their gold answers as labels; select is written by the arm, not run;
   - base: no training; the base model's row (results[0]) of the first trained arm's eval.json.
   - grpo-round2: a second round (`synthrl run --rounds 2`) after the grpo-selected arm, in
     OUT/<task>/seed<k>/grpo-selected/round2/, once the seed's other arms are done: the
     trained student solves the pool again, the teacher (started again for it) rewrites
     what it fails and solves, then score, select, train from the round-1 model and eval.
     Its row's "before" is the round-1 model (the paired delta is what the second round
     added); needs grpo-selected in --arms.
3. One row per arm from its eval.json: accuracies, the paired delta with its 95% interval, the
   verdict of the learning controls, and the evaluated model's top-answer share, no-answer
   share and accuracy among readable answers.

It prints a Markdown table and writes the rows to OUT/learning.json, again after every arm.
--n, --m and --eval-limit set N, M and the held-out items instead of the config's. A rerun
resumes: the
Pipeline skips every stage whose inputs and config are unchanged. The student cache stays in
shared/ (only score reads it), so each arm evaluates the base model again, greedily by default.
"""

from __future__ import annotations

import argparse
import os
import shutil
import signal
from itertools import product
from pathlib import Path
from typing import Any, NamedTuple

from rich.console import Console

from synthrl.config import RunConfig, load_config, merge
from synthrl.io import read_json, read_jsonl, write_json
from synthrl.manifest import Manifest
from synthrl.pipeline import Pipeline, stage_range
from synthrl.task import load_task

DEFAULT_TASKS = [
    "arithmetic:src/synthrl/demo.yaml:arithmetic-test",
    "examples/tasks/addition.yaml:examples/tasks/run.yaml:examples/tasks/addition.test.jsonl",
]
SHARED = stage_range("keywords", "audit")
ARM_STAGES = ("select", "train", "eval")
ARMS: dict[str, dict[str, Any]] = {
    "grpo-selected": {"select": {"strategy": "paper"}, "train": {"method": "grpo"}},
    "grpo-random": {"select": {"strategy": "random"}, "train": {"method": "grpo"}},
    "sft-selected": {"select": {"strategy": "paper"}, "train": {"method": "sft"}},
    "grpo-dynamic": {
        "select": {"strategy": "paper"},
        "train": {"method": "grpo", "dynamic_sampling": True},
    },
    "grpo-human": {"select": {"strategy": "random"}, "train": {"method": "grpo"}},
    "grpo-easy": {"select": {"strategy": "easy"}, "train": {"method": "grpo"}},
    "grpo-hard": {"select": {"strategy": "hard"}, "train": {"method": "grpo"}},
    "grpo-balanced": {"select": {"strategy": "balanced"}, "train": {"method": "grpo"}},
}
ROUND2 = "grpo-round2"  # a second round after grpo-selected (rounds.run_rounds)
CHOICES = (*ARMS, ROUND2, "base")


class TaskArg(NamedTuple):
    name: str  # the run folder's name: OUT/<name>/
    ref: str  # a built-in task's name or a task file
    config: Path | None  # a run config file; None: the `gpu` profile's defaults
    data: str | None  # a held-out evaluation file; None: the config's or the built-in set
    human: str | None = None  # labelled data for grpo-human; None: the evaluation set's dev part


def task_arg(text: str) -> TaskArg:
    """'one-digit.yaml:run.yaml:held.jsonl' -> TaskArg('one-digit', 'one-digit.yaml',
    Path('run.yaml'), 'held.jsonl'); the config, the evaluation set and the human-labelled
    set are optional."""
    ref, _, rest = text.partition(":")
    config, _, rest = rest.partition(":")
    data, _, human = rest.partition(":")
    return TaskArg(
        Path(ref).stem, ref, Path(config) if config else None, data or None, human or None
    )


def human_set(task_name: str, config: RunConfig, given: str | None) -> str:
    """The labelled set grpo-human trains on: `given`, else the dev part of the evaluation
    set, which must then be a test part (training on the set it is scored on is no result)."""
    from synthrl.evaluate.sets import both_parts, part_of

    if given:
        return given
    name, part = part_of(task_name, config.eval.data)
    dev = [other for other in both_parts(name) if part_of(task_name, other)[1] == "dev"]
    if part != "test" or not dev:
        raise SystemExit(
            f"grpo-human: the evaluation set {name} is not a test part with a dev part beside "
            "it; name the labelled set to train on as the task's fourth field"
        )
    return dev[0]


def write_human_selection(folder: Path, task_name: str, config: RunConfig, human: str) -> None:
    """selected.jsonl and validation.jsonl from M human-labelled items (seeded), recorded in
    the arm's manifest as its select stage, so that train and eval run on them."""
    import hashlib
    import json
    import random

    from synthrl.evaluate.sets import load_items
    from synthrl.io import write_jsonl
    from synthrl.selection import select

    items = load_items(task_name, Path(human))
    settings = config.select
    wanted = settings.m + max(1, round(settings.m * settings.validation))
    chosen = random.Random(settings.seed).sample(items, min(wanted, len(items)))
    records = [
        {"id": item.id, "task": task_name, "input": item.input, "answer": item.answer,
         "reference": item.answer, "origin": "human", "parent_id": None, "passage_id": None,
         "votes": {}, "unreadable_votes": 0, "agreement": 1.0, "pass_rate": None}
        for item in chosen
    ]  # fmt: skip
    whole = settings.model_copy(update={"m": len(records), "strategy": "random"})
    train, validation = select(records, whole)
    write_jsonl(folder / "selected.jsonl", train)
    write_jsonl(folder / "validation.jsonl", validation)
    key = hashlib.sha256(json.dumps([human, records], sort_keys=True).encode()).hexdigest()[:16]
    manifest = Manifest(folder / "manifest.json")
    manifest.start("select", key)
    counts = {"human_set": human, "selected": len(train), "validation": len(validation)}
    manifest.finish("select", key, counts, None, 0.0)


def run_config(
    task: TaskArg, teacher: dict[str, Any], seed: int, arm: dict[str, Any],
    sizes: dict[str, Any] | None = None,
) -> RunConfig:  # fmt: skip
    """The task's run config with the teacher, the seed, the command's sizes (--n, --m,
    --eval-limit) and the arm's overrides on top."""
    seeded: dict[str, Any] = {s: {"seed": seed} for s in ("synth", "score", "select", "train")}
    if task.data:
        seeded["eval"] = {"data": task.data}
    base = merge(merge({"teacher": teacher, **seeded}, sizes or {}), arm)
    return load_config(task.config, overrides=base)


def sizes(n: int | None, m: int | None, eval_limit: int | None) -> dict[str, Any]:
    """The command's size flags as config overrides."""
    chosen: dict[str, dict[str, Any]] = {}
    for section, key, value in (
        ("synth", "n", n),
        ("select", "m", m),
        ("eval", "limit", eval_limit),
    ):
        if value is not None:
            chosen.setdefault(section, {})[key] = value
    return chosen


def prepare_arm(shared: Path, arm: Path) -> None:
    """Give `arm` the shared folder's results, so that its shared stages count as done.

    Top-level files (*.json, *.jsonl, *.yaml) are hard-linked, or copied across file systems;
    every write in synthrl replaces a file rather than editing it, so an arm never changes the
    shared copy. The shared stages' manifest records replace the arm's own, and its select,
    train and eval records are kept. cache/ is left behind: score, done, is its only reader.
    """
    arm.mkdir(parents=True, exist_ok=True)
    for source in sorted(shared.iterdir()):
        wanted = source.suffix in (".json", ".jsonl", ".yaml") and source.name != "manifest.json"
        if wanted and source.is_file() and not source.name.startswith("."):
            _link(source, arm / source.name)
    manifest = Manifest(arm / "manifest.json")
    manifest.data["stages"].update(Manifest(shared / "manifest.json").data["stages"])
    manifest.save()


def _link(source: Path, target: Path) -> None:
    if target.exists() and target.samefile(source):
        return
    temporary = target.with_name(f".{target.name}.link")
    temporary.unlink(missing_ok=True)
    try:
        os.link(source, temporary)
    except OSError:  # another file system, or one without hard links
        shutil.copy2(source, temporary)
    os.replace(temporary, target)


def sft_steps(config: RunConfig, grpo_arm: Path) -> int:
    """GRPO's optimizer steps: train.max_steps, or what the grpo-selected arm ran."""
    if config.train.max_steps > 0:
        return config.train.max_steps
    summary = grpo_arm / "train" / "summary.json"
    if not summary.is_file():
        raise SystemExit(
            f"sft-selected trains for as many steps as GRPO, but train.max_steps is -1 and "
            f"{summary} does not exist: set train.max_steps or add the grpo-selected arm"
        )
    return int(read_json(summary)["steps"])


def zero_std_share(folder: Path) -> float | None:
    """The mean share of GRPO groups with zero reward variance over an arm's training."""
    from synthrl.train.grpo import read_metrics

    rows = read_metrics(folder)
    shares = [r["frac_zero_std_groups"] for r in rows if "frac_zero_std_groups" in r]
    return round(sum(shares) / len(shares), 4) if shares else None


def learnable(folder: Path) -> tuple[int, int] | None:
    """(selected training samples the student solved sometimes, selected samples); None for
    samples without pass rates (human-labelled ones)."""
    selected = (
        read_jsonl(folder / "selected.jsonl") if (folder / "selected.jsonl").is_file() else []
    )
    rates = [r.get("pass_rate") for r in selected]
    if not rates or any(rate is None for rate in rates):
        return None
    return sum(1 for rate in rates if 0 < rate < 1), len(rates)


def row(task: str, seed: int, arm: str, report: dict[str, Any]) -> dict[str, Any]:
    """One table row from an eval.json; `base` reads the base model's result, untrained."""
    base, trained = report["results"][0], report["results"][1]
    comparison = report["comparison"][0]
    model = base if arm == "base" else trained
    untrained = arm == "base"
    return {
        "task": task, "seed": seed, "arm": arm, "items": model["items"],
        "base": base["accuracy"], "trained": None if untrained else trained["accuracy"],
        **{key: None if untrained else comparison[key]
           for key in ("delta", "ci_low", "ci_high", "kind")},
        "verdict": "base model, no training" if untrained else comparison["verdict"],
        "top_answer_share": model["top_answer_share"],
        "no_answer_share": model["no_answer_share"],
        "readable_accuracy": model["readable_accuracy"],
    }  # fmt: skip


def run_arms(
    task: TaskArg, seed: int, teacher: dict[str, Any], arms: list[str], folder: Path,
    show_progress: bool, console: Console, chosen: dict[str, Any] | None = None,
) -> list[dict[str, Any]]:  # fmt: skip
    """Select, train and evaluate each arm on the shared folder's scored samples."""
    loaded, rows = load_task(task.ref), []
    for arm in (a for a in arms if a in ARMS):
        overrides = ARMS[arm]
        if arm == "sft-selected":
            steps = sft_steps(run_config(task, teacher, seed, {}, chosen), folder / "grpo-selected")
            overrides = merge(overrides, {"train": {"max_steps": steps}})
        console.print(f"[bold]{task.name} seed {seed}: {arm}[/bold]")
        prepare_arm(folder / "shared", folder / arm)
        config = run_config(task, teacher, seed, overrides, chosen)
        stages = ARM_STAGES
        if arm == "grpo-human":
            human = human_set(loaded.name, config, task.human)
            write_human_selection(folder / arm, loaded.name, config, human)
            stages = ARM_STAGES[1:]  # select is the human set's draw
        Pipeline(loaded, config, folder / arm, (), show_progress, console).run_stages(stages)
        rows.append(row(task.name, seed, arm, read_json(folder / arm / "eval.json")))
        rows[-1]["zero_std_share"] = zero_std_share(folder / arm)
        rows[-1]["learnable"] = learnable(folder / arm)
    if "base" in arms:
        first = next(a for a in arms if a in ARMS)
        rows.insert(0, row(task.name, seed, "base", read_json(folder / first / "eval.json")))
    return rows


def run_round2(
    task: TaskArg, seed: int, teacher: dict[str, Any], folder: Path, show_progress: bool,
    console: Console, chosen: dict[str, Any] | None = None,
) -> dict[str, Any]:  # fmt: skip
    """A second round after the grpo-selected arm; its row's base is the round-1 model."""
    from synthrl.rounds import round_folder, run_rounds

    first = folder / "grpo-selected"
    if not (first / "eval.json").is_file():
        raise SystemExit(f"{ROUND2} continues the grpo-selected arm: {first} has no eval.json")
    console.print(f"[bold]{task.name} seed {seed}: {ROUND2}[/bold]")
    config = run_config(task, teacher, seed, ARMS["grpo-selected"], chosen)
    run_rounds(load_task(task.ref), config, first, 2, show_progress, console)
    second = round_folder(first, 2)
    result = row(task.name, seed, ROUND2, read_json(second / "eval.json"))
    result["zero_std_share"] = zero_std_share(second)
    result["learnable"] = learnable(second)
    return result


def _pct(share: float | None) -> str:
    return "-" if share is None else f"{100 * share:.1f}"


def _pp(share: float) -> str:
    return f"{100 * share:+.1f}"


def table(rows: list[dict[str, Any]]) -> str:
    """The rows as a Markdown table."""
    lines = [
        "| task | seed | arm | items | before % | after % | delta pp (95% CI) | learnable of"
        " selected | zero-var groups | verdict |",
        "|---|---|---|---|---|---|---|---|---|---|",
    ]
    for r in rows:
        delta = "-"
        if r["delta"] is not None:
            delta = f"{_pp(r['delta'])} ({_pp(r['ci_low'])} to {_pp(r['ci_high'])})"
        share = r.get("learnable")
        shown = f"{share[0]} of {share[1]}" if share else "-"
        lines.append(
            f"| {r['task']} | {r['seed']} | {r['arm']} | {r['items']} | {_pct(r['base'])} | "
            f"{_pct(r['trained'])} | {delta} | {shown} | {_pct(r.get('zero_std_share'))} | "
            f"{r['verdict']} |"
        )
    return "\n".join(lines)


def main() -> None:
    # `kill` unwinds like Ctrl-C, so the stage running records its interruption and the
    # embedded teacher stops (as the synthrl command does).
    from synthrl.interrupt import on_sigterm

    signal.signal(signal.SIGTERM, on_sigterm)
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("tasks", nargs="*", type=task_arg, metavar="TASK[:CONFIG[:EVAL[:HUMAN]]]",
                        default=[task_arg(t) for t in DEFAULT_TASKS],
                        help=f"default: {' '.join(DEFAULT_TASKS)}")  # fmt: skip
    parser.add_argument("--arms", default=",".join(CHOICES), help=f"of {','.join(CHOICES)}")
    parser.add_argument("--seeds", type=int, default=2, help="seeds 0..N-1 (default 2)")
    parser.add_argument("--out", type=Path, default=Path("runs/learning"))
    parser.add_argument("--teacher", choices=["local", "local-1.5b"], default="local",
                        help="the embedded teacher to start (default: local, 0.5B)")  # fmt: skip
    parser.add_argument("--teacher-base-url", help="a running teacher instead of the local one")
    parser.add_argument("--teacher-model", help="its model name (with --teacher-base-url)")
    parser.add_argument("--n", type=int, help="initial samples N (default: the config's)")
    parser.add_argument("--m", type=int, help="training samples M (default: the config's)")
    parser.add_argument("--eval-limit", type=int, help="held-out items (default: eval.limit)")
    parser.add_argument("--quiet", action="store_true", help="no progress bars or stage lines")
    args = parser.parse_args()
    arms = [a for a in CHOICES if a in args.arms.split(",")]
    unknown = set(args.arms.split(",")) - set(CHOICES)
    if unknown or not arms:
        known = ", ".join(CHOICES)
        parser.error(f"--arms: unknown {', '.join(sorted(unknown))} (choose from {known})")
    if arms == ["base"]:
        parser.error("--arms: base reads the base model's row from a trained arm; add one")
    if (args.teacher_base_url is None) != (args.teacher_model is None):
        parser.error("--teacher-base-url and --teacher-model go together")
    if args.seeds < 1:
        parser.error("--seeds must be at least 1")
    if ROUND2 in arms and "grpo-selected" not in arms:
        parser.error(f"--arms: {ROUND2} continues the grpo-selected arm; add it")

    from synthrl.local_teacher import EMBEDDED, teacher_overrides

    console = Console(stderr=True, highlight=False, quiet=args.quiet)
    chosen = sizes(args.n, args.m, args.eval_limit)
    runs = list(product(args.tasks, range(args.seeds)))
    remote = {"base_url": args.teacher_base_url, "model": args.teacher_model}
    # The teacher serves only the shared stages: it stops before the first arm trains.
    embedded = EMBEDDED[args.teacher]
    with teacher_overrides(start=args.teacher_base_url is None, embedded=embedded) as local:
        teacher = remote if args.teacher_base_url else local
        for task, seed in runs:
            console.print(f"[bold]{task.name} seed {seed}: shared stages[/bold]")
            shared = args.out / task.name / f"seed{seed}" / "shared"
            config = run_config(task, teacher, seed, {}, chosen)
            Pipeline(load_task(task.ref), config, shared, (), not args.quiet, console).run_stages(
                SHARED
            )
    rows: list[dict[str, Any]] = []
    for task, seed in runs:
        folder = args.out / task.name / f"seed{seed}"
        rows += run_arms(task, seed, teacher, arms, folder, not args.quiet, console, chosen)
        write_json(args.out / "learning.json", rows)
        if ROUND2 in arms:  # the teacher again, for the second round's rewrites
            start = args.teacher_base_url is None
            with teacher_overrides(start=start, embedded=embedded) as local:
                again = remote if args.teacher_base_url else local
                rows.append(
                    run_round2(task, seed, again, folder, not args.quiet, console, chosen)
                )  # fmt: skip
            write_json(args.out / "learning.json", rows)
    print(table(rows))
    write_json(args.out / "learning.json", rows)
    console.print(f"rows written to {args.out / 'learning.json'}")


if __name__ == "__main__":
    main()
