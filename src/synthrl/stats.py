"""Intervals for proportions: a share with its 95% Wilson interval, and the paired difference
of two models' accuracies over the same items (Newcombe). The audit, the plan and the learning
controls all read their figures through these."""

from __future__ import annotations

import math

Z95 = 1.959963984540054


def wilson(successes: int, n: int) -> tuple[float, float]:
    """Wilson score 95% interval for a proportion.

    >>> [round(x, 3) for x in wilson(5, 10)]
    [0.237, 0.763]
    """
    if n == 0:
        return 0.0, 1.0
    p = successes / n
    centre = (p + Z95**2 / (2 * n)) / (1 + Z95**2 / n)
    half = Z95 * math.sqrt(p * (1 - p) / n + Z95**2 / (4 * n * n)) / (1 + Z95**2 / n)
    return max(0.0, centre - half), min(1.0, centre + half)


def paired_interval(gained: int, lost: int, both: int, neither: int) -> tuple[float, float]:
    """95% interval for accuracy(B) - accuracy(A) over paired items (Newcombe's method 10).

    `gained`: A wrong, B right; `lost`: A right, B wrong; `both`, `neither`: the concordant
    items. Square-and-add of the two Wilson intervals, with the correlation between the paired
    accuracies (0 when a margin is empty; shrunk towards 0 by n/2 when positive).

    >>> [round(x, 3) for x in paired_interval(gained=10, lost=2, both=20, neither=18)]
    [0.025, 0.284]
    """
    n = gained + lost + both + neither
    if n == 0:
        return 0.0, 0.0
    p1, p2 = (both + gained) / n, (both + lost) / n  # B, A
    l1, u1 = wilson(both + gained, n)
    l2, u2 = wilson(both + lost, n)
    margins = (both + gained) * (lost + neither) * (both + lost) * (gained + neither)
    cross = both * neither - gained * lost
    phi = 0.0
    if margins > 0 and cross > n / 2:
        phi = (cross - n / 2) / math.sqrt(margins)
    elif margins > 0 and cross < 0:
        phi = cross / math.sqrt(margins)
    delta = p1 - p2
    down = (p1 - l1) ** 2 - 2 * phi * (p1 - l1) * (u2 - p2) + (u2 - p2) ** 2
    up = (p2 - l2) ** 2 - 2 * phi * (p2 - l2) * (u1 - p1) + (u1 - p1) ** 2
    return max(-1.0, delta - math.sqrt(max(down, 0.0))), min(1.0, delta + math.sqrt(max(up, 0.0)))


def interval(successes: int, trials: int) -> tuple[float | None, float | None]:
    """The 95% Wilson interval, rounded, or (None, None) without trials.

    >>> interval(18, 20)
    (0.699, 0.972)
    """
    if trials == 0:
        return None, None
    low, high = wilson(successes, trials)
    return round(low, 3), round(high, 3)
