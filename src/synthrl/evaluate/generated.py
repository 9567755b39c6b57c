"""Built-in evaluation sets made by a deterministic generator: questions no teacher wrote.

    rows = arithmetic_rows()         # the dev part: [{"id": "arith-000", "input": ...}, ...]
    rows = arithmetic_rows("test")   # the test part: 200 more, none of them in the dev part

A generator with its own fixed seed is as independent of the teacher as real text, and its
gold answers are computed, not voted. Each set is a fixed list: the same rows on every
machine and in every run, so a run's decontamination removes any synthetic sample that
copies one of them.
"""

from __future__ import annotations

import random

ARITHMETIC_SEED = 20261126
ARITHMETIC_TEST_SEED = 20261207
ARITHMETIC_ITEMS = 200


def arithmetic_rows(part: str = "dev") -> list[dict[str, str]]:
    """Additions and subtractions of a two-digit and a one-digit number, half each.

    The dev part (seed 20261126) is the set the demo's settings were chosen on; the test part
    (its own seed) holds none of its problems.

    >>> rows = arithmetic_rows()
    >>> len(rows), rows[0] == arithmetic_rows()[0]
    (200, True)
    >>> sum(" - " in r["input"] for r in rows)
    100
    >>> test = arithmetic_rows("test")
    >>> len(test), {r["input"] for r in rows} & {r["input"] for r in test}
    (200, set())
    """
    if part == "dev":
        return _arithmetic(ARITHMETIC_SEED, "arith", set())
    dev = {r["input"] for r in _arithmetic(ARITHMETIC_SEED, "arith", set())}
    return _arithmetic(ARITHMETIC_TEST_SEED, "arith-test", dev)


def _arithmetic(seed: int, prefix: str, taken: set[str]) -> list[dict[str, str]]:
    rng = random.Random(seed)
    rows: list[dict[str, str]] = []
    seen: set[tuple[int, str, int]] = set()
    while len(rows) < ARITHMETIC_ITEMS:
        op = "+" if len(rows) % 2 == 0 else "-"
        a, b = rng.randint(10, 99), rng.randint(1, 9)
        if (a, op, b) in seen or f"What is {a} {op} {b}?" in taken:
            continue
        seen.add((a, op, b))
        value = a + b if op == "+" else a - b
        rows.append(
            {
                "id": f"{prefix}-{len(rows):03d}",
                "input": f"What is {a} {op} {b}?",
                "answer": str(value),
            }
        )
    return rows
