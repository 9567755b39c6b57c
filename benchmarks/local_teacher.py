"""The embedded teacher on CPU: verified samples per minute and label accuracy, by server.

    .venv/bin/python benchmarks/local_teacher.py [--n 16] [--votes 3] [--task arithmetic]
        [--servers llama-cpp-python,llama-server:1,llama-server:4] [--model OTHER.gguf]
        [--data HELDOUT.jsonl]

Each server runs the teacher stages of a fresh run folder (keywords .. verify, no corpus, empty
cache) with the same seeds, prompts and settings, one after the other on this machine:
- `llama-cpp-python`: llama-cpp-python's server module, one sequence at a time, `n` ignored so
  every vote is its own request (how the embedded teacher was served before llama-server);
- `llama-server:S`: llama.cpp's own server with S parallel slots and as many requests in
  flight; a request for K votes has its prompt processed once and its K answers decoded
  side by side.
Then the labels are read against held-out gold (the task's built-in set, or `--data`): the
teacher votes K times on the first `--gold` held-out items and the majority is compared with
the computed answer. `--task` takes a built-in name or a task file.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import tempfile
import time
from pathlib import Path
from typing import Any

STAGES = ("keywords", "retrieve", "pattern", "generate", "verify")


def settings(n: int, votes: int, teacher: dict[str, Any]) -> Any:
    from synthrl.config import load_config

    return load_config(
        profile="cpu",
        overrides={
            "teacher": {**teacher, "temperature": 0.5, "max_tokens": 256, "timeout_s": 900},
            "synth": {"n": n, "votes": votes, "keywords": 3, "min_yield": 0},
            "corpus": {"source": "none"},
        },
    )


def run_teacher_stages(task: Any, config: Any) -> dict[str, Any]:
    from synthrl.pipeline import run_synth

    with tempfile.TemporaryDirectory() as folder:
        began = time.perf_counter()
        stages = run_synth(task, config, Path(folder), show_progress=False, stages=STAGES)
        wall = time.perf_counter() - began
    usage = [entry.get("usage", {}) for entry in stages.values()]
    verified = stages["verify"]["counts"]["verified"]
    return {
        "wall_s": round(wall, 1),
        "generate_s": stages["generate"]["wall_s"],
        "verify_s": stages["verify"]["wall_s"],
        "parsed": stages["generate"]["counts"]["parsed"],
        "verified": verified,
        "verified_per_min": round(60 * verified / wall, 2),
        "completion_tokens": sum(u.get("completion_tokens", 0) for u in usage),
        "requests": sum(u.get("requests", 0) for u in usage),
    }


def label_accuracy(task: Any, config: Any, count: int, data: Path | None) -> dict[str, Any]:
    """Majority-vote labels of held-out items against their computed gold answers."""
    from synthrl.evaluate.sets import load_items
    from synthrl.llm.client import TeacherClient
    from synthrl.stage import user
    from synthrl.synth.vote import decide, tally
    from synthrl.task.prompt import task_prompt

    items = load_items(task.name, data, limit=count)

    async def ask() -> list[Any]:
        client = TeacherClient(config.teacher)
        try:
            from synthrl.llm.client import Request

            teacher = config.teacher
            requests = [
                Request.chat(
                    user(task_prompt(task, item.input)),
                    n=config.synth.votes,
                    temperature=teacher.temperature,
                    max_tokens=teacher.max_tokens,
                    seed=i,
                )
                for i, item in enumerate(items)
            ]
            return await client.complete(requests)
        finally:
            await client.close()

    right = labelled = 0
    for item, completion in zip(items, asyncio.run(ask()), strict=True):
        groups, _ = tally([task.verifier.extract(t) for t in completion.texts], task.verifier)
        winner, _ = decide(groups, config.synth.votes, config.synth.min_agreement)
        if winner is not None:
            labelled += 1
            right += task.verifier.equal(winner.answer, item.answer)
    return {"gold_items": len(items), "labelled": labelled, "labels_right": right}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--task", default="arithmetic")
    parser.add_argument("--n", type=int, default=16)
    parser.add_argument("--votes", type=int, default=3)
    parser.add_argument("--gold", type=int, default=40, help="held-out items to label (0: none)")
    parser.add_argument("--servers", default="llama-cpp-python,llama-server:1,llama-server:4")
    parser.add_argument("--model", type=Path, help="another GGUF file to serve (default: built-in)")
    parser.add_argument("--data", type=Path, help="held-out file (default: the built-in set)")
    args = parser.parse_args()

    from synthrl.local_teacher import MODEL_NAME, LocalTeacher
    from synthrl.task import load_task

    task = load_task(args.task)
    rows = []
    for server in args.servers.split(","):
        name, _, slots = server.partition(":")
        teacher = LocalTeacher(slots=int(slots or 1), model=args.model)
        if name == "llama-cpp-python":
            teacher.binary, teacher.slots = None, 1
        elif teacher.binary is None:
            raise SystemExit("llama-server is not built: `make demo` builds it")
        with teacher:
            overrides = {"base_url": teacher.base_url, "model": MODEL_NAME}
            transport = {"concurrency": teacher.slots, "max_n": teacher.slots}
            config = settings(args.n, args.votes, {**overrides, **transport})
            row = {"server": server, **run_teacher_stages(task, config)}
            if args.gold:
                row.update(label_accuracy(task, config, args.gold, args.data))
        rows.append(row)
        print(json.dumps(row), flush=True)
    first = rows[0]["verified_per_min"] or float("nan")
    print("\n| server | wall s | generate s | verify s | verified | verified/min | vs first |"
          " completion tokens | labels right (held-out) |")  # fmt: skip
    print("|---|---|---|---|---|---|---|---|---|")
    for r in rows:
        gold = f"{r['labels_right']}/{r['gold_items']}" if "gold_items" in r else "-"
        print(
            f"| {r['server']} | {r['wall_s']} | {r['generate_s']} | {r['verify_s']} | "
            f"{r['verified']}/{r['parsed']} | {r['verified_per_min']} | "
            f"{r['verified_per_min'] / first:.1f}x | {r['completion_tokens']} | {gold} |"
        )


if __name__ == "__main__":
    main()
