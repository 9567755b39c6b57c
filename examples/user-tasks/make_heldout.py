"""Write the held-out sets of the two-digit user task: problems made by a generator with its
own seed, never by a teacher, with computed answers, in two disjoint parts.

    python examples/user-tasks/make_heldout.py   # writes the two files beside this file

- `two-digit.heldout.jsonl` (seed 41, 120 problems): the dev part. Read while choosing the
  task's run settings; its figures are not results.
- `two-digit.test.jsonl` (seed 43, 120 problems, none of them in the dev part): the test part,
  only reported.

Half of each are "What is A + B?" and half "What is A - B?", A a two-digit number (10 to 99)
and B a one-digit number (1 to 9), each question once, in shuffled order.
"""

import json
import random
from pathlib import Path

HERE = Path(__file__).parent
COUNT = 120
PARTS = (  # file, seed, id prefix
    ("two-digit.heldout.jsonl", 41, "two-digit"),
    ("two-digit.test.jsonl", 43, "two-digit-test"),
)


def problems(rng: random.Random, op: str, count: int, seen: set[str]) -> list[tuple[str, int]]:
    """`count` questions with operator `op`, none of them in `seen`, and their answers."""
    made = []
    while len(made) < count:
        a, b = rng.randint(10, 99), rng.randint(1, 9)
        question = f"What is {a} {op} {b}?"
        if question not in seen:
            seen.add(question)
            made.append((question, a + b if op == "+" else a - b))
    return made


def main() -> None:
    seen: set[str] = set()  # shared by the parts, so that no problem is in two of them
    for name, seed, prefix in PARTS:
        rng = random.Random(seed)
        rows = problems(rng, "+", COUNT // 2, seen) + problems(rng, "-", COUNT - COUNT // 2, seen)
        rng.shuffle(rows)
        lines = [
            json.dumps({"id": f"{prefix}-{i:03d}", "input": question, "answer": answer})
            for i, (question, answer) in enumerate(rows)
        ]
        (HERE / name).write_text("\n".join(lines) + "\n", encoding="utf-8")


if __name__ == "__main__":
    main()
