"""Write the held-out evaluation sets of the example tasks: made by a generator with its own
seed, never by a teacher, with computed answers.

    python examples/tasks/make_heldout.py      # writes *.heldout.jsonl beside this file
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


def write(name: str, make, count: int, seed: int) -> None:
    rng = random.Random(seed)
    rows, seen = [], set()
    while len(rows) < count:
        question, answer = make(rng)
        if question not in seen:  # each question once; at most all 200 one-digit ones
            seen.add(question)
            rows.append({"id": f"{name}-{len(rows):03d}", "input": question, "answer": answer})
    text = "".join(json.dumps(row) + "\n" for row in rows)
    (HERE / f"{name}.heldout.jsonl").write_text(text, encoding="utf-8")


if __name__ == "__main__":
    write("one-digit", one_digit, 120, seed=7)
    write("gcd", gcd, 120, seed=11)
    write("subtraction", subtraction, 120, seed=13)
    write("addition", addition, 120, seed=17)
    write("three-sum", three_sum, 120, seed=19)
    write("add-digit", add_digit, 120, seed=23)
    write("times", times, 120, seed=29)
    write("sub-digit", sub_digit, 120, seed=31)
