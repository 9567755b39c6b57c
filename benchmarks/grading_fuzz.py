"""Grading under hostile input: every built-in task's verifier on random and adversarial
responses and gold answers, counting exceptions, hangs and the slowest grade.

    .venv/bin/python benchmarks/grading_fuzz.py [--random 300] [--seed 0] [--hang-s 10]

Each grade runs in a worker thread with a hang guard (`--hang-s`); a grade that raises, or
that has not returned when the guard expires, is counted (and the first few are printed).
Adversarial inputs: huge exponents and digit strings, megabyte-long repeats of every marker
the tasks read (`####`, `<answer>`, `\\boxed{`, last lines), nested braces, mixed scripts,
control characters, self-corrections; random inputs mix printable text, digits, markers and
whitespace up to 1 MB.
"""

from __future__ import annotations

import argparse
import random
import string
import threading
import time

from synthrl.task import builtin_names, load_task

MARKERS = ["#### ", "<answer>", "</answer>", "\\boxed{", "}", "\n", "The answer is ", "$", "{"]


def adversarial() -> list[str]:
    big = 1_000_000
    return [
        "#### 1e-999999", "#### 1e999999999", "#### " + "9" * 200_000, "<answer>" * (big // 8),
        "\\boxed{" * (big // 7), "{" * big, "#### 5\n" * (big // 7), "\n" * big, " " * big,
        "<answer>" + "A" * big + "</answer>", "\\frac{" * 50_000 + "1}{2" + "}" * 50_000,
        "#### 5\nWait, actually\n#### 6", "<answer>yes no</answer>", "\x00\x01\x02" * 1000,
        "١٢٣ ٤٥", "∞", "#### NaN", "#### -0", "#### 1/0", "\\boxed{\\infty}", "",
        "x" * big, "#### " + "1," * 100_000 + "1", "<answer>" + "<" * 100_000 + "</answer>",
    ]  # fmt: skip


def random_text(rng: random.Random) -> str:
    size = rng.choice([10, 100, 1000, 10_000, 100_000, 1_000_000])
    pieces, length = [], 0
    while length < size:
        kind = rng.random()
        if kind < 0.3:
            piece = rng.choice(MARKERS)
        elif kind < 0.6:
            piece = str(rng.randint(-(10**6), 10**6)) * rng.randint(1, 3)
        else:
            piece = "".join(rng.choices(string.printable, k=rng.randint(1, 50)))
        pieces.append(piece)
        length += len(piece)
    return "".join(pieces)[:size]


def guarded(function, hang_s: float) -> tuple[str, float]:
    """('ok' | 'raised: ...' | 'hang', seconds) for one call, with a hang guard."""
    outcome: list[str] = []

    def work() -> None:
        try:
            function()
            outcome.append("ok")
        except BaseException as exc:  # counted, not raised
            outcome.append(f"raised: {exc!r}"[:200])

    began = time.perf_counter()
    worker = threading.Thread(target=work, daemon=True)
    worker.start()
    worker.join(hang_s)
    elapsed = time.perf_counter() - began
    return (outcome[0] if outcome else "hang"), elapsed


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--random", type=int, default=300, help="random responses per task")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--hang-s", type=float, default=10.0)
    args = parser.parse_args()
    rng = random.Random(args.seed)
    cases = adversarial() + [random_text(rng) for _ in range(args.random)]
    print("| task | inputs | exceptions | hangs | slowest grade s | mean grade ms |")
    print("|---|---|---|---|---|---|")
    for name in builtin_names():
        verifier = load_task(name).verifier
        gold = {"choice": "B", "boolean": "yes", "label": None}.get(verifier.spec.type, "5")
        if gold is None:
            gold = next(iter(verifier.spec.label_map))
        raised = hangs = 0
        times = []
        for text in cases:
            for response, answer in ((text, gold), (gold, text[:20_000])):
                call = lambda v=verifier, r=response, a=answer: v.grade(r, a)  # noqa: E731
                result, elapsed = guarded(call, args.hang_s)
                times.append(elapsed)
                if result == "hang":
                    hangs += 1
                elif result != "ok":
                    raised += 1
                    if raised <= 3:
                        print(f"  {name}: {result}")
        print(
            f"| {name} | {2 * len(cases)} | {raised} | {hangs} | {max(times):.2f} | "
            f"{1000 * sum(times) / len(times):.1f} |"
        )


if __name__ == "__main__":
    main()
