"""The right answers of the user tasks in this folder, computed from the input text alone.

Each task has a reader: `READERS[name](text) -> (answer, meets)`, where `answer` is the right
answer to the question as written (a string the task's verifier can compare, or None when the
text cannot be read: a word problem, a question asked two ways, a tie) and `meets` says whether
the input keeps the constraints the task states in prose ("two whole numbers between 1 and
20"). A question outside them still gets its right answer: "What is 12 - 3?" is 9 even though
the one-digit task asks for numbers from 0 to 9.

The readers are tolerant of the ways a teacher writes a question: digits or number words
("seven minus two"), symbols or words for operators ("7 - 9", "7 minus 9", "subtract 9 from
7", "the sum of 3 and 4"), options as "A) 12 B) 40", "A. 12" or one per line.

`possible_answers(name)` is how many different right answers the stated constraints allow:
1 / that is the share each answer would get if labels were spread evenly. `answer_shares(name)`
is how the right answers are spread over every input the constraints allow (the GCD of two
numbers from 1 to 20 is 1 for 61% of pairs): the spread honest labels have.

    >>> READERS["one-digit"]("Compute 7 minus 9.")
    ('-2', True)
    >>> READERS["bigger"]("Is 45 greater than 120?")
    ('no', False)
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable
from fractions import Fraction

Reading = tuple[str | None, bool]

_UNITS = "zero one two three four five six seven eight nine ten eleven twelve thirteen fourteen"
_UNITS += " fifteen sixteen seventeen eighteen nineteen"
_SMALL = {word: value for value, word in enumerate(_UNITS.split())}
_TENS = {"twenty": 20, "thirty": 30, "forty": 40, "fifty": 50}
_TENS |= {"sixty": 60, "seventy": 70, "eighty": 80, "ninety": 90}
_NUMBER_WORD = re.compile(
    rf"\b(?:(?P<tens>{'|'.join(_TENS)})(?:[- ](?P<unit>{'|'.join(list(_SMALL)[1:10])}))?"
    rf"|(?P<small>{'|'.join(sorted(_SMALL, key=len, reverse=True))}))\b",
    re.IGNORECASE,
)
# A number as written: a sign glued to it, thousands commas, decimals.
NUM = r"-?\d{1,3}(?:,\d{3})+(?:\.\d+)?|-?\d+(?:\.\d+)?"
_NUMBER = re.compile(rf"(?<![\w.])(?:{NUM})")
WEEKDAYS = ["Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday"]


def _to_number(written: str) -> Fraction:
    return Fraction(written.replace(",", ""))


def _show(value: Fraction) -> str:
    """A number as an answer string: '-2', '150', '7/2'."""
    return str(value.numerator) if value.denominator == 1 else str(value)


def digits(text: str) -> str:
    """`text` with number words written as digits, when it has no digits of its own (a text
    mixing both keeps its words: "which one is 7?" is not a question about 1)."""
    if re.search(r"\d", text):
        return text

    def value(match: re.Match[str]) -> str:
        if match.group("small"):
            return str(_SMALL[match.group("small").lower()])
        unit = match.group("unit")
        return str(_TENS[match.group("tens").lower()] + (_SMALL[unit.lower()] if unit else 0))

    return _NUMBER_WORD.sub(value, text)


def numbers(text: str) -> list[Fraction]:
    """Every number written in `text` (after `digits`), in order, with its sign: a minus sign
    counts as a sign when it is glued to the number and follows no operand ("-3", "7 - -3"),
    not in "7 - 3" or "7-3".

    >>> [str(n) for n in numbers("What is 7 - -3, or 7-3, or 1,000?")]
    ['7', '-3', '7', '3', '1000']
    """
    text = digits(text)
    found = []
    for match in _NUMBER.finditer(text):
        written = match.group()
        before = text[: match.start()].rstrip()
        if written.startswith("-") and before and (before[-1].isdigit() or before[-1] == ")"):
            written = written[1:]
        found.append(_to_number(written))
    return found


def _whole_in(values: list[Fraction], low: int, high: int) -> bool:
    return all(v.denominator == 1 and low <= v <= high for v in values)


# --- arithmetic: sums, differences and products of written numbers ---------------------------

_OPERATOR_WORDS = [
    (r"\bplus\b|\badded to\b", "+"),
    (r"\bminus\b|\btake away\b", "-"),
    (r"\bmultiplied by\b|\btimes\b|(?<=\d)\s*[x×]\s*(?=\d)|×", "*"),
    (r"\bdivided by\b|÷", "/"),
    (r"[−–]", "-"),
]
# Questions written in words, with each number's place in the text: (pattern, operator,
# whether the operation takes the numbers in reverse order: "subtract 4 from 9" is 9 - 4).
_N = rf"({NUM})"
_PHRASES = [
    (rf"\bsum of {_N} and {_N}", "+", False),
    (rf"\b(?:add|adding|total of) {_N} (?:and|to) {_N}", "+", False),
    (rf"\b{_N} more than {_N}", "+", False),
    (rf"\b(?:subtract|subtracting|take(?: away)?) {_N} from {_N}", "-", True),
    (rf"\b{_N} (?:subtracted from|less than|fewer than) {_N}", "-", True),
    (rf"\bdifference (?:between|of) {_N} and {_N}", "difference", False),
    (rf"\bproduct of {_N} and {_N}", "*", False),
    (rf"\bmultiply {_N} (?:by|and|with) {_N}", "*", False),
    (rf"\bdivide {_N} by {_N}", "/", False),
]
_CHAIN = re.compile(rf"(?<![\w.])(?:{NUM})(?:\s*[-+*/]\s*(?:{NUM}))+")
_TOKEN = re.compile(r"\d{1,3}(?:,\d{3})+(?:\.\d+)?|\d+(?:\.\d+)?|[-+*/]")


class Calculation:
    """A calculation read from a question: its operands in the order written, its operators
    and its value (None when it has none: a division by zero, an ambiguous difference)."""

    def __init__(self, operands: list[Fraction], operators: list[str], value: Fraction | None):
        self.operands, self.operators, self.value = operands, operators, value


def _apply(a: Fraction, op: str, b: Fraction) -> Fraction | None:
    if op == "+":
        return a + b
    if op == "-":
        return a - b
    if op == "*":
        return a * b
    return a / b if b else None


def _chain(expression: str) -> Calculation | None:
    """Evaluate '7 - -2 * 3' with the usual precedence."""
    tokens = _TOKEN.findall(expression)
    operands: list[Fraction] = []
    operators: list[str] = []
    sign, expect_operand = 1, True
    for token in tokens:
        if expect_operand:
            if token in "+-":
                sign = -sign if token == "-" else sign
                continue
            operands.append(sign * _to_number(token))
            sign, expect_operand = 1, False
        else:
            operators.append(token)
            expect_operand = True
    if expect_operand or len(operands) < 2:
        return None
    # products and quotients first, then sums and differences, left to right
    terms, pending = [operands[0]], []
    for op, operand in zip(operators, operands[1:], strict=True):
        if op in "*/":
            value = _apply(terms[-1], op, operand)
            if value is None:
                return Calculation(operands, operators, None)
            terms[-1] = value
        else:
            pending.append(op)
            terms.append(operand)
    total = terms[0]
    for op, term in zip(pending, terms[1:], strict=True):
        total = _apply(total, op, term)  # type: ignore[assignment]
    return Calculation(operands, operators, total)


def calculation(text: str) -> Calculation | None:
    """The calculation a question asks for, or None when it asks for none that can be read.

    >>> c = calculation("Subtract 4 from 57.")
    >>> str(c.value), [str(n) for n in c.operands], c.operators
    ('53', ['4', '57'], ['-'])
    """
    text = digits(text).lower()
    for pattern, op in _OPERATOR_WORDS:
        text = re.sub(pattern, f" {op} ", text)
    for pattern, op, reverse in _PHRASES:
        match = re.search(pattern, text)
        if match is None:
            continue
        first, second = _to_number(match.group(1)), _to_number(match.group(2))
        if op == "difference":  # "the difference between 3 and 8": 5, or -5?
            value = first - second if first >= second else None
            return Calculation([first, second], ["-"], value)
        a, b = (second, first) if reverse else (first, second)
        return Calculation([first, second], [op], _apply(a, op, b))
    match = _CHAIN.search(text)
    return _chain(match.group()) if match else None


def _sum_or_difference(text: str, first: tuple[int, int], second: tuple[int, int]) -> Reading:
    """A question adding or subtracting two numbers in the ranges `first` and `second` (in the
    order written)."""
    found = calculation(text)
    if found is None or found.value is None:
        return None, False
    meets = (
        len(found.operands) == 2
        and found.operators[0] in "+-"
        and _whole_in(found.operands[:1], *first)
        and _whole_in(found.operands[1:], *second)
    )
    return _show(found.value), meets


def one_digit(text: str) -> Reading:
    """Add or subtract two whole numbers from 0 to 9 (results may be negative)."""
    return _sum_or_difference(text, (0, 9), (0, 9))


def two_digit(text: str) -> Reading:
    """First a two-digit number, then a one-digit number, added or subtracted."""
    return _sum_or_difference(text, (10, 99), (0, 9))


def times(text: str) -> Reading:
    """Multiply two single-digit numbers."""
    found = calculation(text)
    if found is None or found.value is None:
        return None, False
    meets = found.operators == ["*"] and _whole_in(found.operands, 0, 9)
    return _show(found.value), meets


# --- number questions ------------------------------------------------------------------------

_GCD = re.compile(
    r"greatest common (?:divisor|factor)|highest common factor|largest common (?:divisor|factor)"
    r"|\bg\.?c\.?d\b|\bh\.?c\.?f\b|\bg\.?c\.?f\b|largest (?:whole )?number that divides",
    re.IGNORECASE,
)
_LCM = re.compile(r"least common multiple|lowest common multiple|\blcm\b", re.IGNORECASE)


def gcd(text: str) -> Reading:
    """The greatest common divisor of two whole numbers between 1 and 20."""
    text = digits(text)
    keyword = _GCD.search(text)
    if keyword is None or _LCM.search(text):
        return None, False
    values = numbers(text[keyword.end() :]) or numbers(text)
    if len(values) < 2 or any(v.denominator != 1 for v in values):
        return None, False
    result = math.gcd(*(int(v) for v in values))
    return str(result), len(values) == 2 and _whole_in(values, 1, 20)


def parity(text: str) -> Reading:
    """Whether a whole number between 1 and 1000 is even or odd."""
    text = digits(text)
    values = list(dict.fromkeys(numbers(text)))
    if len(values) != 1:
        asked = re.search(rf"({NUM})\s+(?:is\s+)?(?:an?\s+)?(?:even|odd)\b", text, re.IGNORECASE)
        if asked is None:
            return None, False
        values = [_to_number(asked.group(1))]
    value = values[0]
    if value.denominator != 1:
        return None, False
    return ("even" if value % 2 == 0 else "odd"), _whole_in([value], 1, 1000)


_COMPARISONS = [  # longest first: "greater than or equal" before "greater"
    (r"greater than or equal|at least|no less than|not less than", ">="),
    (r"less than or equal|at most|no more than|not more than", "<="),
    (r"greater|larger|bigger|more|higher|above|exceeds?", ">"),
    (r"less|smaller|lower|fewer|below", "<"),
    (r"equal", "=="),
]


def bigger(text: str) -> Reading:
    """Whether the first of two numbers from 1 to 100 is greater than the second: the question
    as asked ("Is 45 smaller than 12?" is answered "no"), which keeps the task only when it
    asks 'greater'."""
    text = digits(text)
    lowered = text.lower()
    if re.search(r"\bwhich\b", lowered):  # "which is larger, 45 or 12?" is not a yes/no
        return None, False
    values = numbers(text)
    if len(values) != 2:
        return None, False
    relation = next(
        (rel for pattern, rel in _COMPARISONS if re.search(rf"\b(?:{pattern})\b", lowered)), None
    )
    if relation is None:
        return None, False
    if re.search(r"\bnot\b", lowered) and relation in (">", "<", "=="):
        return None, False
    a, b = values
    holds = {">": a > b, "<": a < b, ">=": a >= b, "<=": a <= b, "==": a == b}[relation]
    return ("yes" if holds else "no"), relation == ">" and _whole_in(values, 1, 100)


_OPTION = re.compile(
    rf"(?<![A-Za-z0-9])\(?([A-Z])\s*(?:[).:=\]]|-(?=\s)|\bis\b)\s*({NUM})(?!\d|\.\d)"
)


def options(text: str) -> dict[str, Fraction] | None:
    """The options of a multiple-choice question, {letter: number}; None when a letter is
    given twice.

    >>> {k: str(v) for k, v in options("A) 12 B) 40 (C) 7 D. 3").items()}
    {'A': '12', 'B': '40', 'C': '7', 'D': '3'}
    """
    found: dict[str, Fraction] = {}
    for match in _OPTION.finditer(text):
        letter, value = match.group(1), _to_number(match.group(2))
        if found.get(letter, value) != value:
            return None
        found[letter] = value
    return found


def largest(text: str) -> Reading:
    """Which of options A-D holds the largest of four different whole numbers under 100."""
    given = options(text)
    if not given or sorted(given) != ["A", "B", "C", "D"]:
        return None, False
    top = max(given.values())
    winners = [letter for letter, value in given.items() if value == top]
    if len(winners) != 1:  # a tie has no single right option
        return None, False
    values = list(given.values())
    return winners[0], len(set(values)) == 4 and _whole_in(values, 0, 99)


_HOURS = re.compile(rf"({NUM})\s*(?:hours?|hrs?|h)\b", re.IGNORECASE)
_MINUTES = re.compile(rf"({NUM})\s*(?:minutes?|mins?)\b", re.IGNORECASE)


def minutes(text: str) -> Reading:
    """How many minutes are in a whole number of hours from 1 to 12."""
    text = digits(text)
    text = re.sub(r"\bhalf an hour\b", "0.5 hours", text, flags=re.IGNORECASE)
    text = re.sub(r"\b(?:an|one) hour\b", "1 hour", text, flags=re.IGNORECASE)
    text = re.sub(r"(\d+) and a half hours", r"\1.5 hours", text, flags=re.IGNORECASE)
    hours = {_to_number(m.group(1)) for m in _HOURS.finditer(text)}
    if not hours and re.search(r"\bhours?\b", text, re.IGNORECASE):
        # "How many minutes are in a whole number of hours (9)?": the one number is the hours.
        alone = [_to_number(n) for n in _NUMBER.findall(text)]
        hours = set(alone) if len(alone) == 1 else set()
    if len(hours) != 1:
        return None, False
    extra = [_to_number(m.group(1)) for m in _MINUTES.finditer(text)]
    (value,) = hours
    total = value * 60 + (extra[0] if len(extra) == 1 else 0)
    return _show(total), not extra and _whole_in([value], 1, 12)


def rounding(text: str) -> Reading:
    """A whole number between 100 and 999 rounded to the nearest ten, halves up."""
    text = digits(text)
    unit = 10
    nearest = re.search(r"nearest\s+(ten|hundred|thousand|10|100|1000)\b", text, re.IGNORECASE)
    if nearest is not None:
        unit = {"ten": 10, "hundred": 100, "thousand": 1000}.get(
            nearest.group(1).lower(), int(nearest.group(1)) if nearest.group(1).isdigit() else 10
        )
        text = text[: nearest.start()] + text[nearest.end() :]
    elif re.search(r"nearest", text, re.IGNORECASE):  # "nearest whole number", "nearest five"
        return None, False
    values = list(dict.fromkeys(numbers(text)))
    if len(values) != 1:
        return None, False
    rounded = math.floor(values[0] / unit + Fraction(1, 2)) * unit
    return str(rounded), unit == 10 and _whole_in(values, 100, 999)


_WEEKDAY = re.compile(r"\b(" + "|".join(WEEKDAYS) + r")\b", re.IGNORECASE)
_DAYS = re.compile(rf"({NUM})\s+days?\b", re.IGNORECASE)
_WEEKS = re.compile(rf"({NUM}|a|one)\s+weeks?\b", re.IGNORECASE)


def next_day(text: str) -> Reading:
    """The weekday 1 to 6 days after a given weekday."""
    text = digits(text)
    day = _WEEKDAY.search(text)
    if day is None:
        return None, False
    offsets = {int(_to_number(m.group(1))) for m in _DAYS.finditer(text)}
    weeks = [m.group(1) for m in _WEEKS.finditer(text)]
    offsets |= {7 * (1 if w.lower() in ("a", "one") else int(w)) for w in weeks}
    if re.search(r"day after tomorrow", text, re.IGNORECASE):
        offsets.add(2)
    elif re.search(r"\btomorrow\b", text, re.IGNORECASE):
        offsets.add(1)
    if len(offsets) != 1:
        return None, False
    (offset,) = offsets
    backwards = re.search(r"\b(?:ago|before|earlier|back|previous)\b", text, re.IGNORECASE)
    start = WEEKDAYS.index(day.group(1).capitalize())
    answer = WEEKDAYS[(start + (-offset if backwards else offset)) % 7]
    return answer, not backwards and 1 <= offset <= 6


READERS: dict[str, Callable[[str], Reading]] = {
    "one-digit": one_digit,
    "gcd": gcd,
    "parity": parity,
    "bigger": bigger,
    "largest": largest,
    "minutes": minutes,
    "next-day": next_day,
    "times": times,
    "two-digit": two_digit,
    "rounding": rounding,
}


def right_answer(task: str, text: str) -> Reading:
    """(the right answer or None, whether the input keeps the task's stated constraints)."""
    return READERS[task](text)


def possible_answers(task: str) -> int | None:
    """How many different right answers the task's stated constraints allow (None: unknown).

    >>> possible_answers("one-digit"), possible_answers("gcd"), possible_answers("next-day")
    (28, 20, 7)
    """
    digit = range(10)
    if task == "one-digit":
        return len({a + b for a in digit for b in digit} | {a - b for a in digit for b in digit})
    if task == "two-digit":
        pairs = [(a, b) for a in range(10, 100) for b in digit]
        return len({a + b for a, b in pairs} | {a - b for a, b in pairs})
    if task == "gcd":
        return len({math.gcd(a, b) for a in range(1, 21) for b in range(1, 21)})
    if task == "times":
        return len({a * b for a in digit for b in digit})
    if task == "rounding":
        return len({(n + 5) // 10 * 10 for n in range(100, 1000)})
    fixed = {"parity": 2, "bigger": 2, "largest": 4, "next-day": 7, "minutes": 12}
    return fixed.get(task)


def _inputs(task: str) -> list[str] | None:
    """Every right answer over the inputs the task's stated constraints allow, one per input."""
    digit = range(10)
    days = WEEKDAYS
    if task == "one-digit":
        return [str(v) for a in digit for b in digit for v in (a + b, a - b)]
    if task == "two-digit":
        return [str(v) for a in range(10, 100) for b in digit for v in (a + b, a - b)]
    if task == "gcd":
        return [str(math.gcd(a, b)) for a in range(1, 21) for b in range(1, 21)]
    if task == "times":
        return [str(a * b) for a in digit for b in digit]
    if task == "rounding":
        return [str((n + 5) // 10 * 10) for n in range(100, 1000)]
    if task == "parity":
        return ["even" if n % 2 == 0 else "odd" for n in range(1, 1001)]
    if task == "bigger":
        return ["yes" if a > b else "no" for a in range(1, 101) for b in range(1, 101) if a != b]
    if task == "largest":
        return list("ABCD")  # the largest number is equally likely in each place
    if task == "next-day":
        return [days[(i + k) % 7].lower() for i in range(7) for k in range(1, 7)]
    if task == "minutes":
        return [str(60 * h) for h in range(1, 13)]
    return None


def answer_shares(task: str) -> dict[str, float] | None:
    """Each right answer's share over every input the stated constraints allow (None: unknown).

    >>> round(answer_shares("gcd")["1"], 2), answer_shares("largest")["B"]
    (0.64, 0.25)
    """
    answers = _inputs(task)
    if answers is None:
        return None
    counts: dict[str, int] = {}
    for answer in answers:
        counts[answer] = counts.get(answer, 0) + 1
    return {answer: count / len(answers) for answer, count in counts.items()}
