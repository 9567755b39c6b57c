"""Balanced labels by construction, for answers from a closed set (choice, label, boolean).

A weak teacher asked N times for "an example" of a yes/no task writes mostly "yes" examples,
and of a multiple-choice task puts the right option first: the student then learns a
constant. So each generation request gets a target answer, spread evenly over the set (every
block of k requests holds each of the k values once, in a seeded order). A label or yes/no
request names its target; a choice request does not (asked for "option C", the 0.5B teacher
answered C without putting the right option there): the options of the input it writes are
swapped so that its answer sits at the target letter, whatever letter it used. The target
only steers what the teacher writes: the label is still what the votes say, and a label the
votes do not give is dropped by the generator's veto like any other disagreement.

>>> targets(["yes", "no"], 5, seed=0)
['yes', 'no', 'no', 'yes', 'no']
>>> move_option("Which is a fruit?\\nA) apple\\nB) stone\\nC) glass", "A", "C")
('Which is a fruit?\\nA) glass\\nB) stone\\nC) apple', 'C')
"""

from __future__ import annotations

import random
import re
from collections import Counter
from collections.abc import Iterable, Sequence

from synthrl.task.answers import Choice, Label
from synthrl.task.verifier import Verifier


def closed_values(verifier: Verifier) -> list[str] | None:
    """The answers a closed type allows (option letters, class names), else None."""
    answer = verifier.type
    if isinstance(answer, Choice):
        return list(answer.options)
    if isinstance(answer, Label):  # and Boolean
        return list(answer.names)
    return None


def targets(values: Sequence[str], n: int, seed: int) -> list[str]:
    """`n` target answers: each consecutive block of len(values) holds every value once."""
    rng = random.Random(f"balance:{seed}")
    made: list[str] = []
    while len(made) < n:
        block = list(values)
        rng.shuffle(block)
        made.extend(block)
    return made[:n]


def target_words(target: str) -> str:
    """How a label or yes/no request names its target answer."""
    return f'whose right answer is "{target}"'


# An option marker: a letter in parentheses or followed by ")", "." or ":", at the start of a
# line or after a space ("(A) red (B) blue", "A) red\nB) blue", "A. red").
_MARKER = r"(?:(?<=\s)|^)(?:\((?P<a>[A-Z])\)|(?P<b>[A-Z])[).:])(?=\s)"


def options_in(text: str, letters: Sequence[str]) -> list[tuple[int, int]] | None:
    """The (start, end) span of each option's text, in letter order, when `text` shows every
    letter of `letters` once as an option marker, in order; else None."""
    found = [
        (m.group("a") or m.group("b"), m.start(), m.end())
        for m in re.finditer(_MARKER, text, re.MULTILINE)
    ]
    found = [f for f in found if f[0] in letters]
    if [f[0] for f in found] != list(letters):
        return None
    spans = []
    for i, (_, _, end) in enumerate(found):
        if i + 1 < len(found):
            stop = found[i + 1][1]
        else:  # the last option ends with its line: what follows it is not an option's text
            line_end = text.find("\n", end)
            stop = len(text) if line_end < 0 else line_end
        chunk = text[end:stop]
        left = end + len(chunk) - len(chunk.lstrip())
        right = end + len(chunk.rstrip())
        if left >= right:
            return None
        spans.append((left, right))
    return spans


def move_option(text: str, answer: str, target: str) -> tuple[str, str] | None:
    """`text` with the texts of options `answer` and `target` swapped, and the new answer;
    None when the options cannot be read (letters A.. up to the last one shown, in order).
    The last option ends with its line, so a closing line ("Answer with the letter.") stays
    where it is; options written inline with a question after them are not told apart."""
    if answer == target:
        return text, answer
    letters = _letters_shown(text, max(answer, target))
    spans = options_in(text, letters) if letters else None
    if spans is None:
        return None
    first, second = sorted((letters.index(answer), letters.index(target)))
    (a0, a1), (b0, b1) = spans[first], spans[second]
    swapped = text[:a0] + text[b0:b1] + text[a1:b0] + text[a0:a1] + text[b1:]
    return swapped, target


def _letters_shown(text: str, at_least: str) -> list[str] | None:
    """A, B, ... up to the last letter marked in `text` (at least up to `at_least`)."""
    marked = [m.group("a") or m.group("b") for m in re.finditer(_MARKER, text, re.MULTILINE)]
    if not marked:
        return None
    last = max(max(marked), at_least)
    return [chr(c) for c in range(ord("A"), ord(last) + 1)]


def distribution(labels: Iterable[str], values: Sequence[str]) -> dict[str, int]:
    """How many labels each allowed value has, in the set's order (zeros shown)."""
    counts = Counter(labels)
    return {value: counts.get(value, 0) for value in values}
