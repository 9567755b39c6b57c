"""Task files written the way users write them: what the embedded teacher makes of each.

    .venv/bin/python benchmarks/user_tasks.py [--tasks one-digit,gcd] [--n 40] [--votes 3]
        [--out FIGURES.json] [--keep DIR] [--model OTHER.gguf] [--teacher local-1.5b]
        [--set generator_veto=false] [--set seed=2]

For each task file in examples/user-tasks/ (all by default), the teacher stages keywords,
retrieve, pattern, generate, verify and dedup run on a fresh run folder (its own, empty teacher
cache) with the embedded offline teacher (llama-server, 4 slots, started once for all tasks;
`--model` serves another GGUF file the same way, e.g. the 1.5B of benchmarks/RESULTS.md):
profile cpu, no corpus, N = --n, K = --votes, temperature 0.5, 256 tokens, 900 s per call;
every other setting at its default, so the yield and label checks may stop a task, as they
would a user's run (the stop is recorded and the files written so far are still read). A task
with a held-out file beside it (`NAME.heldout.jsonl`) gets it as `eval.data`, as its learning
run would, so dedup decontaminates against it.

Every figure is read from the run folder's files and checked against
examples/user-tasks/answers.py, a program that computes each input's right answer and whether
the input keeps the constraints the task states in prose:
- N requested; parsed (generate.jsonl), labelled (verify.jsonl), kept (dedup.jsonl); yield =
  kept / N;
- label accuracy: kept labels equal (by the task's verifier) to the program's answer, among
  kept samples whose input the program could read (how many it could not is shown);
- the top label and its share of kept labels, beside the share honest labels would give it:
  the expected top share of as many labels drawn from the right answers' spread over every
  input the stated constraints allow (`answers.answer_shares`: the GCD of two numbers from 1
  to 20 is 1 for 64% of pairs, so an even share, 1 / 20, is no baseline for it);
- the bars of "Tasks as users write them" per task: label accuracy >= 90%, top-label share
  at most twice the honest one, at least half of N kept;
- the share of kept and of parsed inputs that keep the stated constraints;
- generate's rejects by reason, and how many `breaks_input_format` rejects the program finds
  within the stated constraints (inputs the prose reading rejected wrongly);
- what verify's and dedup's label checks recorded (top label, dominance, example echoes, every
  key about labels, shown values or echoes) and any stop message.
It prints one markdown table and a few lines per task; `--out` writes every figure as JSON.
"""

from __future__ import annotations

import argparse
import importlib.util
import json
import random
import shutil
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path
from types import ModuleType
from typing import Any

SUITE = Path(__file__).parents[1] / "examples" / "user-tasks"
STAGES = ("keywords", "retrieve", "pattern", "generate", "verify", "dedup")
# Manifest count keys about labels, printed whatever the stage (the set grows).
LABEL_KEYS = ("top_label", "label_", "shown", "echo", "examples_masked", "rejected_echo")


def load_answers() -> ModuleType:
    """examples/user-tasks/answers.py, imported by its path."""
    spec = importlib.util.spec_from_file_location("user_task_answers", SUITE / "answers.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module
    spec.loader.exec_module(module)
    return module


def settings(
    n: int,
    votes: int,
    reason: bool,
    teacher: dict[str, Any],
    eval_data: Path | None,
    synth: dict[str, Any] | None = None,
) -> Any:
    from synthrl.config import load_config

    overrides: dict[str, Any] = {
        "teacher": {**teacher, "temperature": 0.5, "max_tokens": 256, "timeout_s": 900},
        "synth": {"n": n, "votes": votes, "votes_reason": reason, **(synth or {})},
        "corpus": {"source": "none"},
    }
    if eval_data is not None:
        overrides["eval"] = {"data": str(eval_data)}
    return load_config(profile="cpu", overrides=overrides)


def synth_settings(pairs: list[str]) -> dict[str, Any]:
    """`--set KEY=VALUE` pairs as synth settings, the values read as YAML ("false", "3")."""
    import yaml

    chosen: dict[str, Any] = {}
    for pair in pairs:
        key, sep, value = pair.partition("=")
        if not sep or not key.strip():
            raise SystemExit(f"--set {pair!r}: expected KEY=VALUE, e.g. generator_veto=false")
        chosen[key.strip()] = yaml.safe_load(value)
    return chosen


def read_rows(path: Path) -> list[dict[str, Any]]:
    if not path.is_file():
        return []
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line]


def run_stages(task: Any, config: Any, folder: Path) -> tuple[str | None, float]:
    """Run the teacher stages on `folder`; (the stop or failure message, wall seconds)."""
    from synthrl.errors import RunFailure, UserError
    from synthrl.pipeline import run_synth

    began = time.perf_counter()
    stopped = None
    try:
        run_synth(task, config, folder, show_progress=False, stages=STAGES)
    except (UserError, RunFailure) as exc:  # a StageStop (yield, labels), a failed call, ...:
        stopped = f"{type(exc).__name__}: {exc}"  # the files written so far are still read
    return stopped, round(time.perf_counter() - began, 1)


def share(part: int, whole: int) -> float | None:
    return round(part / whole, 4) if whole else None


def rejected_inputs(folder: Path, task: Any, reason: str) -> list[str]:
    """The inputs of generate's rejects for `reason`, read back from the teacher's raw output."""
    from synthrl.synth.writer import parse_sample

    inputs = []
    for row in read_rows(folder / "generate.rejects.jsonl"):
        if row.get("reason") != reason or not row.get("raw"):
            continue
        fields, _ = parse_sample(row["raw"], "stop", task.verifier)
        if fields is not None:
            inputs.append(fields["input"])
    return inputs


def measure(name: str, task: Any, folder: Path, n: int, answers: ModuleType) -> dict[str, Any]:
    """Every figure of one task's run folder (see the module docstring)."""
    verifier = task.verifier
    read = answers.READERS[name]
    parsed = read_rows(folder / "generate.jsonl")
    labelled = read_rows(folder / "verify.jsonl")
    kept = read_rows(folder / "dedup.jsonl")

    def accuracy(rows: list[dict[str, Any]]) -> tuple[int, int, int]:
        right = readable = 0
        for row in rows:
            answer, _ = read(row["input"])
            if answer is not None:
                readable += 1
                right += verifier.equal(row["answer"], answer)
        return right, readable, len(rows) - readable

    right, readable, unreadable = accuracy(kept)
    right_labelled, readable_labelled, _ = accuracy(labelled)
    groups: Counter[str] = Counter()
    shown: dict[str, str] = {}
    for row in kept:
        key = verifier.canonical(row["answer"]) or row["answer"]
        groups[key] += 1
        shown.setdefault(key, row["answer"])
    top = groups.most_common(1)
    possible = answers.possible_answers(name)
    manifest_path = folder / "manifest.json"
    manifest = json.loads(manifest_path.read_text()) if manifest_path.is_file() else {}
    stages = manifest.get("stages", {})
    generate_counts = stages.get("generate", {}).get("counts", {})
    label_checks = {
        f"{stage}.{key}": value
        for stage in ("verify", "dedup")
        for key, value in stages.get(stage, {}).get("counts", {}).items()
        if key.startswith(LABEL_KEYS)
    }
    errors = {
        stage: entry["error"] for stage, entry in stages.items() if entry.get("status") == "failed"
    }
    broke = rejected_inputs(folder, task, "breaks_input_format")
    return {
        "task": name,
        "requested": n,
        "parsed": len(parsed),
        "labelled": len(labelled),
        "kept": len(kept),
        "yield": share(len(kept), n),
        "label_accuracy": share(right, readable),
        "labels_right": right,
        "labels_readable": readable,
        "inputs_unreadable": unreadable,
        "label_accuracy_labelled": share(right_labelled, readable_labelled),
        "top_label": shown[top[0][0]] if top else None,
        "top_label_share": share(top[0][1], len(kept)) if top else None,
        "distinct_labels": len(groups),
        "possible_answers": possible,
        "even_share": round(1 / possible, 4) if possible else None,
        "honest_top_share": honest_top(answers.answer_shares(name), len(kept)),
        "kept_meeting": share(sum(read(r["input"])[1] for r in kept), len(kept)),
        "parsed_meeting": share(sum(read(r["input"])[1] for r in parsed), len(parsed)),
        "generate_rejects": {
            key.removeprefix("rejected_"): value
            for key, value in generate_counts.items()
            if key.startswith("rejected_")
        },
        "breaks_input_format_but_meets": sum(read(text)[1] for text in broke),
        "breaks_input_format_read": len(broke),
        "label_checks": label_checks,
        "errors": errors,
    }


def honest_top(shares: dict[str, float] | None, n: int, draws: int = 2000) -> float | None:
    """The top label's expected share among n labels drawn from the right answers' spread."""
    if not shares or n <= 0:
        return None
    rng = random.Random(0)
    values, weights = list(shares), list(shares.values())
    total = 0.0
    for _ in range(draws):
        total += max(Counter(rng.choices(values, weights, k=n)).values()) / n
    return round(total / draws, 4)


def bars(r: dict[str, Any]) -> dict[str, bool]:
    """Which of the suite's bars a task's figures meet."""
    top, honest = r["top_label_share"], r.get("honest_top_share")
    return {
        "accuracy": (r["label_accuracy"] or 0) >= 0.9,
        "top_label": top is not None and honest is not None and top <= 2 * honest,
        "yield": r["yield"] >= 0.5,
    }


def teacher(r: dict[str, Any]) -> str:
    """The teacher's size, and whether its votes reasoned first."""
    size = "1.5B" if "1.5b" in str(r.get("teacher")) else "0.5B"
    return size + (", reasoning votes" if r.get("votes_reason") else "")


def percent(value: float | None) -> str:
    return "-" if value is None else f"{100 * value:.0f}%"


def table(rows: list[dict[str, Any]]) -> str:
    lines = [
        "| task | teacher | N | parsed | labelled | kept | yield | label acc (unreadable) "
        "| top label (share) | honest top | kept meeting | parsed meeting | bars missed | stopped "
        "| wall s |",
        "|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|",
    ]
    for r in rows:
        top = "-"
        if r["top_label"] is not None:
            top = f"{r['top_label']} ({percent(r['top_label_share'])})"
        accuracy = f"{percent(r['label_accuracy'])} ({r['inputs_unreadable']})"
        stopped = ", ".join(r["errors"]) or "-"
        missed = ", ".join(name for name, met in bars(r).items() if not met) or "none"
        lines.append(
            f"| {r['task']} | {teacher(r)} | {r['requested']} | {r['parsed']} "
            f"| {r['labelled']} | {r['kept']} "
            f"| {percent(r['yield'])} | {accuracy} | {top} | {percent(r['honest_top_share'])} "
            f"| {percent(r['kept_meeting'])} | {percent(r['parsed_meeting'])} | {missed} "
            f"| {stopped} "
            f"| {r['wall_s']} |"
        )
    return "\n".join(lines)


def details(r: dict[str, Any]) -> str:
    rejects = ", ".join(f"{k} {v}" for k, v in sorted(r["generate_rejects"].items())) or "none"
    lines = [f"- {r['task']}: generate rejects: {rejects}"]
    if r["breaks_input_format_read"]:
        lines.append(
            f"  breaks_input_format inputs within the stated constraints (answers.py): "
            f"{r['breaks_input_format_but_meets']} of {r['breaks_input_format_read']} read back"
        )
    checks = ", ".join(f"{k}={v}" for k, v in r["label_checks"].items()) or "none recorded"
    lines.append(f"  label checks: {checks}")
    for stage, error in r["errors"].items():
        lines.append(f"  {stage} stopped: {error}")
    if r["stopped"] and not r["errors"]:
        lines.append(f"  stopped: {r['stopped']}")
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--tasks", help="comma-separated task names (default: every file)")
    parser.add_argument("--n", type=int, default=40, help="samples to generate per task")
    parser.add_argument("--votes", type=int, default=3, help="teacher votes per sample")
    parser.add_argument("--out", type=Path, help="write every figure to this JSON file")
    parser.add_argument("--keep", type=Path, help="keep the run folders in DIR/<task>")
    parser.add_argument(
        "--teacher", default="local", help="the embedded teacher: local (0.5B) or local-1.5b"
    )
    parser.add_argument("--model", type=Path, help="another GGUF file to serve instead")
    parser.add_argument(
        "--no-votes-reason", action="store_true", help="votes answer without working it out first"
    )
    parser.add_argument(
        "--set",
        action="append",
        default=[],
        metavar="KEY=VALUE",
        help="a synth setting for every task (repeatable), e.g. generator_veto=false, seed=2",
    )
    parser.add_argument(
        "--table", type=Path, nargs="+", help="print the table of figures saved by --out; no run"
    )
    args = parser.parse_args()

    files = {path.stem: path for path in sorted(SUITE.glob("*.yaml")) if path.name != "run.yaml"}
    names = args.tasks.split(",") if args.tasks else list(files)
    if args.table:
        answers = load_answers()
        rows = [row for path in args.table for row in json.loads(path.read_text())]
        for row in rows:  # figures saved before the honest baseline existed
            row.setdefault(
                "honest_top_share", honest_top(answers.answer_shares(row["task"]), row["kept"])
            )
        print(table(rows))
        return
    unknown = [name for name in names if name not in files]
    if unknown:
        raise SystemExit(f"unknown task(s) {', '.join(unknown)}; suite: {', '.join(files)}")
    if args.keep is not None:
        taken = [args.keep / name for name in names if (args.keep / name).exists()]
        if taken:
            raise SystemExit(f"--keep: {taken[0]} exists; choose an empty folder")

    from synthrl.local_teacher import EMBEDDED, LocalTeacher
    from synthrl.task import load_task

    if args.teacher not in EMBEDDED:
        raise SystemExit(f"--teacher: one of {', '.join(EMBEDDED)}")
    answers = load_answers()
    chosen = synth_settings(args.set)
    teacher = LocalTeacher(slots=4, model=args.model, embedded=EMBEDDED[args.teacher])
    if teacher.binary is None:
        raise SystemExit("llama-server is not built: `make demo` builds it")
    rows = []
    with teacher:
        endpoint = {
            "base_url": teacher.base_url, "model": teacher.name, "concurrency": teacher.slots,
            "max_n": teacher.slots, "idle_timeout_s": 300,
        }  # fmt: skip
        for name in names:
            task = load_task(files[name])
            heldout = SUITE / f"{name}.heldout.jsonl"
            reason = not args.no_votes_reason
            config = settings(
                args.n,
                args.votes,
                reason,
                endpoint,
                heldout if heldout.is_file() else None,
                chosen,
            )
            with tempfile.TemporaryDirectory(prefix=f"user-task-{name}-") as scratch:
                folder = Path(scratch) / "run"
                stopped, wall = run_stages(task, config, folder)
                row = {**measure(name, task, folder, args.n, answers), "stopped": stopped}
                row["wall_s"] = wall
                row["teacher"] = args.model.name if args.model else teacher.name
                row["votes_reason"] = reason
                row["settings"] = chosen
                if args.keep is not None:
                    shutil.copytree(folder, args.keep / name)
            rows.append(row)
            print(f"{name}: kept {row['kept']} of {row['requested']} in {wall} s", file=sys.stderr)
    print(table(rows))
    print()
    for row in rows:
        print(details(row))
    if args.out is not None:
        args.out.write_text(json.dumps(rows, indent=2) + "\n", encoding="utf-8")


if __name__ == "__main__":
    main()
