"""Built-in evaluation sets made by a deterministic generator: questions no teacher wrote.

    rows = arithmetic_rows()   # [{"id": "arith-000", "input": "What is 47 + 8?", ...}, ...]

A generator with its own fixed seed is as independent of the teacher as real text, and its
gold answers are computed, not voted. Each set is a fixed list: the same rows on every
machine and in every run, so a run's decontamination removes any synthetic sample that
copies one of them.
"""

from __future__ import annotations

import random

ARITHMETIC_SEED = 20261126
ARITHMETIC_ITEMS = 200


def arithmetic_rows() -> list[dict[str, str]]:
    """Additions and subtractions of a two-digit and a one-digit number, half each.

    >>> rows = arithmetic_rows()
    >>> len(rows), rows[0] == arithmetic_rows()[0]
    (200, True)
    >>> sum(" - " in r["input"] for r in rows)
    100
    """
    rng = random.Random(ARITHMETIC_SEED)
    rows: list[dict[str, str]] = []
    seen: set[tuple[int, str, int]] = set()
    while len(rows) < ARITHMETIC_ITEMS:
        op = "+" if len(rows) % 2 == 0 else "-"
        a, b = rng.randint(10, 99), rng.randint(1, 9)
        if (a, op, b) in seen:
            continue
        seen.add((a, op, b))
        value = a + b if op == "+" else a - b
        rows.append(
            {
                "id": f"arith-{len(rows):03d}",
                "input": f"What is {a} {op} {b}?",
                "answer": str(value),
            }
        )
    return rows
