"""Write the held-out evaluation sets of the example tasks: made by a generator with its own
seed, never by a teacher, with computed answers, in two disjoint parts per task.

    python examples/tasks/make_heldout.py      # writes the files beside this file

- `NAME.heldout.jsonl` (120 problems): the dev part, read while choosing task wording and run
  settings; its figures are not results.
- `NAME.test.jsonl` (120 problems, or as many as are left: one-digit has 200 in all; none of
  them in the dev part; seed + 1000): the test part, only reported.
"""

import json
import math
import random
from pathlib import Path

HERE = Path(__file__).parent


def one_digit(rng: random.Random) -> tuple[str, int]:
    a, b, op = rng.randint(0, 9), rng.randint(0, 9), rng.choice("+-")
    return f"What is {a} {op} {b}?", a + b if op == "+" else a - b


def gcd(rng: random.Random) -> tuple[str, int]:
    g = rng.choice([1, 2, 3, 4, 5, 6, 7, 8, 10, 12])
    a, b = g * rng.randint(1, 60 // g), g * rng.randint(1, 60 // g)
    while a < 2 or b < 2 or a == b:
        a, b = g * rng.randint(1, 60 // g), g * rng.randint(1, 60 // g)
    return f"What is the greatest common divisor of {a} and {b}?", math.gcd(a, b)


def subtraction(rng: random.Random) -> tuple[str, int]:
    a, b = rng.sample(range(10, 50), 2)
    return f"What is {max(a, b)} - {min(a, b)}?", abs(a - b)


def addition(rng: random.Random) -> tuple[str, int]:
    a, b = rng.randint(10, 49), rng.randint(10, 49)
    return f"What is {a} + {b}?", a + b


def three_sum(rng: random.Random) -> tuple[str, int]:
    a, b, c = rng.randint(1, 9), rng.randint(1, 9), rng.randint(1, 9)
    return f"What is {a} + {b} + {c}?", a + b + c


def add_digit(rng: random.Random) -> tuple[str, int]:
    a, b = rng.randint(10, 89), rng.randint(2, 9)
    return f"What is {a} + {b}?", a + b


def times(rng: random.Random) -> tuple[str, int]:
    a, b = rng.randint(2, 49), rng.randint(2, 9)
    return f"What is {a} times {b}?", a * b


def sub_digit(rng: random.Random) -> tuple[str, int]:
    a, b = rng.randint(10, 99), rng.randint(2, 9)
    return f"What is {a} - {b}?", a - b


def part(make, count: int, rng: random.Random, seen: set[str], prefix: str) -> list[dict]:
    """Up to `count` questions not in `seen` (each question once), with their answers."""
    rows: list[dict] = []
    misses = 0
    while len(rows) < count and misses < 10_000:  # one-digit runs out of new questions
        question, answer = make(rng)
        if question in seen:
            misses += 1
            continue
        seen.add(question)
        rows.append({"id": f"{prefix}-{len(rows):03d}", "input": question, "answer": answer})
    return rows


def write(name: str, make, count: int, seed: int) -> None:
    seen: set[str] = set()  # shared by the parts, so that no problem is in both
    parts = (
        ("heldout", part(make, count, random.Random(seed), seen, name)),
        ("test", part(make, count, random.Random(seed + 1000), seen, f"{name}-test")),
    )
    for suffix, rows in parts:
        text = "".join(json.dumps(row) + "\n" for row in rows)
        (HERE / f"{name}.{suffix}.jsonl").write_text(text, encoding="utf-8")


if __name__ == "__main__":
    write("one-digit", one_digit, 120, seed=7)
    write("gcd", gcd, 120, seed=11)
    write("subtraction", subtraction, 120, seed=13)
    write("addition", addition, 120, seed=17)
    write("three-sum", three_sum, 120, seed=19)
    write("add-digit", add_digit, 120, seed=23)
    write("times", times, 120, seed=29)
    write("sub-digit", sub_digit, 120, seed=31)
