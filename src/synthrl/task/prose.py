"""Input rules read from a task's prose: the ranges and counts users state in words.

A user writes "two whole numbers between 1 and 20" or "a two-digit number and a one-digit
number", not `input_rules`. Where a program can read such a constraint it becomes a rule: the
generated inputs must keep it (else `breaks_input_format`) and each generation request draws
its numbers from it. What is read, from the description and the input format:

- ranges: "from 0 to 9", "between 1 and 20", "(10 to 99)", "1-100" after "from"/"between";
  "one-digit" / "single-digit" (0 to 9), "two-digit" (10 to 99), "three-digit"; "positive"
  (at least 1), "non-negative" (at least 0); "at most 50", "no more than 50", "up to 50",
  "under 50" / "less than 50" (at most 49);
- how many numbers: "two numbers", "three one-digit numbers", or two or more "a ... number"
  in one sentence ("Subtract a one-digit number from a two-digit number");
- one range per number: letters given their own range ("where A is a two-digit number and B a
  one-digit number") in the order the letters are written in the input format's form, or
  several ranges for as many numbers in the order of an example input that fits them ("a
  two-digit and a one-digit number, like What is 47 + 8?"); otherwise one range covering
  them all;
- words: "at most 30 words", "no more than 30 words", "under 30 words".
A range followed by a unit of text ("2 to 3 sentences", "10 to 20 words") is not about numbers.

What it deliberately does not read: anything it could read two ways. A rule the task's own
demos break is dropped (the demos are the user's ground truth), and `input_rules` in the file
overrides each rule it names (`from_text: false` turns reading off).

>>> derived("Find the greatest common divisor of two whole numbers between 1 and 20.", "")
{'numbers': [{'min': 1.0, 'max': 20.0}, {'min': 1.0, 'max': 20.0}]}
>>> derived("Add or subtract.", 'One question like "What is 47 + 8?": a two-digit number and '
...         "a one-digit number.")
{'numbers': [{'min': 10.0, 'max': 99.0}, {'min': 0.0, 'max': 9.0}]}
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

_UNIT_WORDS = [
    "zero", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine", "ten",
    "eleven", "twelve", "thirteen", "fourteen", "fifteen", "sixteen", "seventeen", "eighteen",
    "nineteen",
]  # fmt: skip
_TEN_WORDS = ["twenty", "thirty", "forty", "fifty", "sixty", "seventy", "eighty", "ninety"]
# Numbers written as words, zero to ninety (a hyphenated unit is added: "twenty-one").
NUMBER_WORDS = {word: i for i, word in enumerate(_UNIT_WORDS)}
NUMBER_WORDS |= {word: 10 * i for i, word in enumerate(_TEN_WORDS, 2)}
_WORD_NUMBERS = NUMBER_WORDS | {
    "hundred": 100, "a hundred": 100, "one hundred": 100,
    "thousand": 1000, "a thousand": 1000, "one thousand": 1000,
}  # fmt: skip
_NUM = r"(?:-?\d[\d,]*(?:\.\d+)?|(?:a |one )?(?:hundred|thousand)|zero|one|two|three|four|five|six|seven|eight|nine|ten|eleven|twelve|fifteen|twenty|thirty|fifty)"  # noqa: E501
_UNITS = r"(?:words?|sentences?|lines?|characters?|letters?|paragraphs?|items?|options?|choices?|steps?|tokens?)"  # noqa: E501
_RANGE = re.compile(
    rf"\b(?:from|between)\s+(?P<low>{_NUM})\s*(?:to|and|through|-|–)\s*(?P<high>{_NUM})"
    rf"(?!\s*{_UNITS}\b)|\(\s*(?P<low2>{_NUM})\s*(?:to|-|–)\s*(?P<high2>{_NUM})"
    rf"(?!\s*{_UNITS}\b)(?:\s+[a-z]+)?\s*\)",
    re.IGNORECASE,
)
_DIGITS = re.compile(r"\b(one|single|1|two|2|three|3|four|4)[- ]digit\b", re.IGNORECASE)
_DIGIT_COUNT = {"one": 1, "single": 1, "1": 1, "two": 2, "2": 2, "three": 3, "3": 3}
_DIGIT_COUNT |= {"four": 4, "4": 4}
_POSITIVE = re.compile(r"\b(non-?negative|positive)\b", re.IGNORECASE)
_AT_MOST = re.compile(
    rf"\b(?P<how>at most|no more than|not more than|up to|no larger than|no greater than|"
    rf"under|less than|below|smaller than)\s+(?P<value>{_NUM})(?!\s*(?:%|percent))"
    rf"(?P<unit>\s+{_UNITS}\b)?",
    re.IGNORECASE,
)
_COUNT = re.compile(
    r"\b(?P<count>two|three|four|2|3|4)\s+(?:[\w-]+\s+){0,3}?(?:numbers|integers|values)\b",
    re.IGNORECASE,
)
_ONE = re.compile(
    r"\b(?:a single|exactly one|one)\s+(?:[\w-]+\s+){0,2}?(?:number|integer|value)\b",
    re.IGNORECASE,
)
_PLURAL = re.compile(r"\b(?:numbers|integers|values)\b", re.IGNORECASE)
_A_NUMBER = re.compile(r"\b(?:a|an|another)\s+(?:[\w-]+\s+){0,3}?number\b", re.IGNORECASE)
# A bound like "at most 20" is about the input's numbers only right after one of these.
_NUMBER_NOUN = re.compile(r"\b(?:numbers?|integers?|values?|each|digits?)\b", re.IGNORECASE)
# A sentence about the answer states the answer's range, not the input's.
_ABOUT_ANSWER = re.compile(r"\b(?:answer|result|rating|rate|score|output)s?\b", re.IGNORECASE)
_SENTENCE = re.compile(r"(?<=[.!?])\s+(?=[A-Z\"'“])|\n")
_LETTER_CLAUSE = re.compile(
    r"\b([A-Z])\s+(?:is\s+|are\s+)?(?:a|an)\s+(?P<rest>[^;]*?)(?=\band\s+[A-Z]\s|[;.]\s|[;.]?$|,\s*[A-Z]\s)"
)
_QUOTED = re.compile(r'"([^"\n]+)"|“([^”\n]+)”')
_EXAMPLE_NUMBERS = re.compile(r"(?<![\w.])-?\d+(?:\.\d+)?")


def _value(text: str) -> float:
    text = text.strip().lower()
    if text in _WORD_NUMBERS:
        return float(_WORD_NUMBERS[text])
    return float(text.replace(",", ""))


@dataclass
class _Found:
    """Ranges found in one piece of text, with the words they came from."""

    low: float | None = None
    high: float | None = None
    said: list[str] = field(default_factory=list)

    def narrow(self, low: float | None, high: float | None, said: str) -> None:
        if low is not None:
            self.low = low if self.low is None else max(self.low, low)
        if high is not None:
            self.high = high if self.high is None else min(self.high, high)
        self.said.append(said)

    @property
    def empty(self) -> bool:
        return self.low is None and self.high is None


def _ranges_in(text: str) -> list[_Found]:
    """Every separate range the text states, in the order written (each digits phrase and
    each explicit range is one), with 'positive' and 'at most' bounds applied to all."""
    found: list[tuple[int, _Found]] = []
    for match in _RANGE.finditer(text):
        low = match.group("low") or match.group("low2")
        high = match.group("high") or match.group("high2")
        try:
            bounds = sorted((_value(low), _value(high)))
        except ValueError:
            continue
        one = _Found()
        one.narrow(bounds[0], bounds[1], match.group().strip())
        found.append((match.start(), one))
    explicit = [start for start, _ in found]
    for match in _DIGITS.finditer(text):
        digits = _DIGIT_COUNT[match.group(1).lower()]
        # "a two-digit number (10 to 99)": the range right after it says the same thing.
        if any(0 < start - match.end() < 30 for start in explicit):
            continue
        one = _Found()
        low = 0.0 if digits == 1 else 10.0 ** (digits - 1)
        one.narrow(low, 10.0**digits - 1, match.group())
        found.append((match.start(), one))
    ordered = [f for _, f in sorted(found, key=lambda item: item[0])]
    lows = [
        (1.0 if m.group(1).lower() == "positive" else 0.0, m.group())
        for m in _POSITIVE.finditer(text)
    ]
    highs = []
    for match in _AT_MOST.finditer(text):
        if match.group("unit") or not _NUMBER_NOUN.search(
            text[max(0, match.start() - 30) : match.start()]
        ):
            continue
        try:
            value = _value(match.group("value"))
        except ValueError:
            continue
        strict = match.group("how").lower() in ("under", "less than", "below", "smaller than")
        highs.append((value - 1 if strict and value.is_integer() else value, match.group()))
    if not ordered and (lows or highs):
        ordered = [_Found()]
    for one in ordered:
        for low, said in lows:
            if one.low is None or one.low < low:
                one.narrow(low, None, said)
        for high, said in highs:
            one.narrow(None, high, said)
    return [f for f in ordered if not f.empty]


def _across_sentences(text: str) -> list[_Found]:
    """The ranges of every sentence; a range nested in one an earlier sentence stated
    refines it ("Add two two-digit numbers." then "... numbers from 10 to 49": 10 to 49),
    while ranges within one sentence stay apart (one per number)."""
    kept: list[_Found] = []
    for sentence in _SENTENCE.split(text):
        new = []
        for found in _ranges_in(sentence):
            wider = next((k for k in kept if _contains(k, found) or _contains(found, k)), None)
            if wider is None:
                new.append(found)
                continue
            narrower = found if _contains(wider, found) else wider
            wider.low, wider.high = narrower.low, narrower.high
            wider.said = [*wider.said, *found.said]
        kept += new
    return kept


def _contains(outer: _Found, inner: _Found) -> bool:
    low = outer.low is None or (inner.low is not None and inner.low >= outer.low)
    high = outer.high is None or (inner.high is not None and inner.high <= outer.high)
    return low and high


def _count(text: str) -> int | None:
    """How many numbers an input holds, when the text says so."""
    match = _COUNT.search(text)
    if match is not None:
        word = match.group("count").lower()
        return int(word) if word.isdigit() else _WORD_NUMBERS[word]
    articles = 0
    for sentence in _SENTENCE.split(text):
        found = len(_A_NUMBER.findall(sentence))
        if found >= 2:
            return found
        articles += found
    if _ONE.search(text):
        return 1
    # "hours to minutes: a whole number of hours": one number, when no sentence speaks of
    # numbers in the plural.
    if articles == 1 and not _PLURAL.search(text):
        return 1
    return None


def _letter_ranges(input_format: str, description: str) -> list[_Found] | None:
    """One range per letter ("A is a two-digit number and B a one-digit number"), in the
    order the letters appear in the first quoted form that uses them."""
    text = f"{description} {input_format}"
    by_letter: dict[str, _Found] = {}
    for match in _LETTER_CLAUSE.finditer(text):
        ranges = _ranges_in(match.group("rest"))
        if len(ranges) == 1 and match.group(1) not in by_letter:
            by_letter[match.group(1)] = ranges[0]
    if len(by_letter) < 2:
        return None
    order = sorted(by_letter)
    for quote in _QUOTED.finditer(input_format):
        form = quote.group(1) or quote.group(2)
        letters = [c for c in re.findall(r"\b[A-Z]\b", form) if c in by_letter]
        if sorted(set(letters)) == order:
            order = list(dict.fromkeys(letters))
            break
    return [by_letter[letter] for letter in order]


def _example_order(input_format: str, ranges: list[_Found]) -> list[_Found] | None:
    """`ranges` in the order the numbers of an example input fit them, when exactly one
    assignment fits ("a one-digit and a two-digit number, like "What is 47 + 8?"")."""
    for quote in _QUOTED.finditer(input_format):
        numbers = [float(n) for n in _EXAMPLE_NUMBERS.findall(quote.group(1) or quote.group(2))]
        if len(numbers) != len(ranges):
            continue
        fits = [
            [i for i, r in enumerate(ranges) if _inside(n, r)] for n in numbers
        ]  # fmt: skip
        if all(len(f) == 1 for f in fits) and len({f[0] for f in fits}) == len(ranges):
            return [ranges[f[0]] for f in fits]
    return None


def _inside(value: float, found: _Found) -> bool:
    return (found.low is None or value >= found.low) and (found.high is None or value <= found.high)


def _as_rule(found: _Found) -> dict[str, float]:
    rule: dict[str, float] = {}
    if found.low is not None:
        rule["min"] = found.low
    if found.high is not None:
        rule["max"] = found.high
    return rule


def derived(description: str, input_format: str) -> dict[str, Any]:
    """The input rules a task's prose states, as an `input_rules` mapping ({} for none).

    Sentences about the answer ("answer with a rating from 1 to 5") are left out, and a word
    limit is read from the input format only (in a description it is often the answer's)."""
    kept = [s for s in _SENTENCE.split(f"{description}\n{input_format}") if s.strip()]
    text = "\n".join(s for s in kept if not _ABOUT_ANSWER.search(s))
    rules: dict[str, Any] = {}
    words = [
        m
        for m in _AT_MOST.finditer(input_format)
        if m.group("unit") and "word" in m.group("unit").lower()
    ]
    if words:
        try:
            value = _value(words[0].group("value"))
            strict = words[0].group("how").lower() in ("under", "less than", "below")
            rules["max_words"] = int(value - 1 if strict else value)
        except ValueError:
            pass
    per_letter = _letter_ranges(input_format, description)
    if per_letter is not None:
        rules["numbers"] = [_as_rule(r) for r in per_letter]
        return rules
    ranges = _across_sentences(text)
    if not ranges:
        return rules
    count = _count(text)
    if count is not None and len(ranges) == count > 1:
        ordered = _example_order(input_format, ranges)
        if ordered is not None:
            rules["numbers"] = [_as_rule(r) for r in ordered]
            return rules
    envelope = _Found()
    lows = [r.low for r in ranges]
    highs = [r.high for r in ranges]
    envelope.low = None if None in lows else min(lows)  # type: ignore[type-var]
    envelope.high = None if None in highs else max(highs)  # type: ignore[type-var]
    if envelope.empty:
        return rules
    rule = _as_rule(envelope)
    rules["numbers"] = [rule] * count if count is not None else rule
    return rules


def mentioned_numbers(text: str) -> tuple[float, ...]:
    """Every number a text writes, in digits or as a word ("nearest ten": 10).

    >>> mentioned_numbers("Round 3 numbers to the nearest ten, from 100 to 999.")
    (3.0, 10.0, 100.0, 999.0)
    """
    found = []
    for match in re.finditer(rf"(?<![\w.-]){_NUM}(?![\w])", text, re.IGNORECASE):
        try:
            found.append(_value(match.group()))
        except ValueError:
            continue
    return tuple(found)


def with_numbers(text: str, numbers: list[int]) -> str | None:
    """`text` with the ranges it states replaced by `numbers`, for one generation request:
    "two whole numbers between 1 and 20" -> "two whole numbers: 16 and 5". A small teacher
    asked for "a new input" hands the task's own sentence back; handed back like this, it is
    an input. One range phrase takes all the numbers; as many phrases as numbers (one per
    letter: "A is a two-digit number (10 to 99) and B ...") take one each; any other count,
    or none, gives None. Sentences about the answer are left as written.

    >>> with_numbers("Find the GCD of two whole numbers between 1 and 20.", [16, 5])
    'Find the GCD of two whole numbers: 16 and 5.'
    >>> with_numbers("A is a two-digit number (10 to 99) and B a digit (1 to 9).", [63, 4])
    'A is a two-digit number (63) and B a digit (4).'
    """
    spans = []
    at = 0
    for sentence in _SENTENCE.split(text):
        start = text.index(sentence, at)
        at = start + len(sentence)
        if _ABOUT_ANSWER.search(sentence):
            continue
        for match in _RANGE.finditer(sentence):
            spans.append((start + match.start(), start + match.end(), match.group()))
        for match in _AT_MOST.finditer(sentence):
            if not match.group("unit") and _NUMBER_NOUN.search(
                sentence[max(0, match.start() - 30) : match.start()]
            ):
                spans.append((start + match.start(), start + match.end(), match.group()))
    if not spans or not numbers:
        return None
    spans.sort()
    words = [str(n) for n in numbers]
    if len(spans) == 1:
        filled = [", ".join(words[:-1]) + f" and {words[-1]}" if len(words) > 1 else words[0]]
    elif len(spans) == len(words):
        filled = words
    else:
        return None
    out, last = [], 0
    for (start, end, phrase), value in zip(spans, filled, strict=True):
        before = text[last:start].rstrip(" ")
        out.append(f"{before} ({value})" if phrase.startswith("(") else f"{before}: {value}")
        last = end
    out.append(text[last:])
    return "".join(out)


# "the sum or the difference", "a clinical vignette or a medical science question": noun
# phrases of at most three words, each with its own article, joined by "or" (and commas).
_NOT_NOUN = r"(?!(?:of|to|from|with|in|for|and|or|that|which|by|on|at)\b)"
_PHRASE = rf"(?:the|a|an)\s+{_NOT_NOUN}[a-z][\w-]*(?:\s+{_NOT_NOUN}[a-z][\w-]*){{0,2}}"
_ALTERNATIVES = re.compile(
    rf"\b({_PHRASE})((?:\s*,\s*{_PHRASE})*)\s*,?\s+or\s+({_PHRASE})\b", re.IGNORECASE
)


def alternatives(text: str) -> tuple[tuple[int, int], list[str]] | None:
    """The first list of alternatives a text offers as noun phrases joined by "or", each
    with its own article, and where it stands; None when it offers none. A small teacher
    offered "the sum or the difference" writes sums; a request that names one of them
    (`with_alternative`) gets both kinds.

    >>> alternatives("A question asking for the sum or the difference of two numbers.")
    ((22, 47), ['the sum', 'the difference'])
    >>> alternatives("Answer yes or no.") is None
    True
    """
    match = _ALTERNATIVES.search(text)
    if match is None:
        return None
    middle = [p for p in re.split(r"\s*,\s*", match.group(2)) if p.strip()]
    phrases = [match.group(1), *middle, match.group(3)]
    distinct = list(dict.fromkeys(" ".join(p.split()) for p in phrases))
    if len(distinct) < 2:
        return None
    return match.span(), distinct


def with_alternative(text: str, index: int) -> tuple[str, str] | None:
    """`text` with its list of alternatives (`alternatives`) replaced by the one at `index`
    (modulo their number), and that alternative; None when it offers none.

    >>> with_alternative("Asking for the sum or the difference of two numbers.", 1)
    ('Asking for the difference of two numbers.', 'the difference')
    """
    found = alternatives(text)
    if found is None:
        return None
    (start, end), phrases = found
    chosen = phrases[index % len(phrases)]
    return text[:start] + chosen + text[end:], chosen
