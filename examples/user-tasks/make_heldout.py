"""Write the held-out evaluation set of the two-digit user task: 120 problems made by a
generator with its own seed, never by a teacher, with computed answers.

    python examples/user-tasks/make_heldout.py   # writes two-digit.heldout.jsonl beside this file

Half are "What is A + B?" and half "What is A - B?", A a two-digit number (10 to 99) and B a
one-digit number (1 to 9), each question once, in shuffled order.
"""

import json
import random
from pathlib import Path

HERE = Path(__file__).parent
COUNT = 120
SEED = 41


def problems(rng: random.Random, op: str, count: int, seen: set[str]) -> list[tuple[str, int]]:
    """`count` new questions with operator `op` and their answers."""
    made = []
    while len(made) < count:
        a, b = rng.randint(10, 99), rng.randint(1, 9)
        question = f"What is {a} {op} {b}?"
        if question not in seen:
            seen.add(question)
            made.append((question, a + b if op == "+" else a - b))
    return made


def main() -> None:
    rng = random.Random(SEED)
    seen: set[str] = set()
    rows = problems(rng, "+", COUNT // 2, seen) + problems(rng, "-", COUNT - COUNT // 2, seen)
    rng.shuffle(rows)
    lines = [
        json.dumps({"id": f"two-digit-{i:03d}", "input": question, "answer": answer})
        for i, (question, answer) in enumerate(rows)
    ]
    (HERE / "two-digit.heldout.jsonl").write_text("\n".join(lines) + "\n", encoding="utf-8")


if __name__ == "__main__":
    main()
