"""The task definition a user writes: the schema of task.yaml.

Unknown keys are errors, types are checked strictly, and every rule an answer type needs
(options for `choice`, labels for `label`, a function for `custom`) is checked here, so that a
task that loads is a task every later stage can use.
"""

from __future__ import annotations

import itertools
import re
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, PrivateAttr, field_validator, model_validator

from synthrl.task.prose import NUMBER_WORDS
from synthrl.types import AnswerType, ReadFrom

# Where each answer type is read when the task does not say.
DEFAULT_READ_FROM: dict[str, ReadFrom] = {
    "number": "hashes",
    "math": "boxed",
    "choice": "tag",
    "boolean": "tag",
    "label": "tag",
    "text": "tag",
    "custom": "tag",
}

_NAME = r"^[a-z0-9][a-z0-9_.-]*$"
_FUNCTION = re.compile(r"^[A-Za-z_][\w.]*:[A-Za-z_]\w*$")


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, str_strip_whitespace=True)


def _not_blank(value: str) -> str:
    if not value.strip():
        raise ValueError("must not be empty")
    return value


class AnswerSpec(_Strict):
    """What an answer is and where a response writes it."""

    type: AnswerType = Field(description="number, math, choice, boolean, label, text or custom")
    read_from: ReadFrom | None = Field(
        default=None, description="tag, hashes, boxed or final_line; default depends on type"
    )
    tag: str = Field(default="answer", pattern=r"^[A-Za-z][\w-]*$")
    options: list[str] | None = None
    labels: dict[str, list[str]] | list[str] | None = None
    tolerance: float = Field(default=1e-6, ge=0, lt=1)
    function: str | None = None
    lenient: bool = True
    format_reward: float = Field(default=0.0, ge=0, le=0.5)

    @field_validator("options")
    @classmethod
    def _letters(cls, options: list[str] | None) -> list[str] | None:
        if options is None:
            return None
        upper = [o.strip().upper() for o in options]
        bad = [o for o in upper if not re.fullmatch(r"[A-Z]", o)]
        if bad:
            raise ValueError(f"options must be single letters like A, B, C; got {bad}")
        if len(set(upper)) != len(upper):
            raise ValueError("options must not repeat")
        if len(upper) < 2:
            raise ValueError("a choice needs at least two options")
        return upper

    @model_validator(mode="after")
    def _type_needs(self) -> AnswerSpec:
        needs = {"choice": "options", "label": "labels", "custom": "function"}
        for kind, key in needs.items():
            given = getattr(self, key) is not None
            if self.type == kind and not given:
                raise ValueError(f"answer type '{kind}' needs 'answer.{key}'")
            if self.type != kind and given:
                raise ValueError(f"'answer.{key}' only applies to answer type '{kind}'")
        if self.function is not None and not _FUNCTION.match(self.function):
            raise ValueError(
                f"answer.function must look like 'module:function', got '{self.function}'"
            )
        if self.type == "label" and len(self.label_map) < 2:
            raise ValueError("answer type 'label' needs at least two labels")
        return self

    @property
    def where(self) -> ReadFrom:
        """Where the answer is read, with the type's default filled in."""
        return self.read_from or DEFAULT_READ_FROM[self.type]

    @property
    def label_map(self) -> dict[str, list[str]]:
        """Labels as {name: synonyms}, whichever form the file used."""
        if self.labels is None:
            return {}
        if isinstance(self.labels, list):
            return {name: [] for name in self.labels}
        return dict(self.labels)


class Demo(_Strict):
    """One demonstration: an input and the output a good response gives."""

    input: str
    output: str
    answer: str | None = None

    _check_input = field_validator("input", "output")(_not_blank)


# A number as written: digits, thousands commas, decimals. Its minus sign is read in code (a
# regex lookbehind cannot look past spaces): "-3" and "was -3" are negative, "9 - 3" is not.
_NUMBER = re.compile(r"(?<![\w.])\d+(?:,\d{3})*(?:\.\d+)?")
# Inputs longer than this break `pattern` without being matched: a careless pattern cannot
# then take long on a long input.
PATTERN_MAX_CHARS = 5000


_NUMBER_WORD = re.compile(
    r"\b(" + "|".join(sorted(NUMBER_WORDS, key=len, reverse=True)) + r")(?:-(one|two|three|four|"
    r"five|six|seven|eight|nine))?\b",
    re.IGNORECASE,
)


def written_numbers(text: str, words: bool = False) -> list[float]:
    """Every number written in `text`, with its sign; with `words`, also the numbers written
    as words up to ninety-nine ("four days", "twenty-one"), in the order they appear.

    >>> written_numbers("Compute: -3 + 12 - 4, then 1,500.5 minus 17-9")
    [-3.0, 12.0, 4.0, 1500.5, 17.0, 9.0]
    >>> written_numbers("Four days after 3 May, twenty-one left", words=True)
    [4.0, 3.0, 21.0]
    """
    found = [(match.start(), value) for match, value in _digit_numbers(text)]
    if words:
        for match in _NUMBER_WORD.finditer(text):
            value = NUMBER_WORDS[match.group(1).lower()]
            value += NUMBER_WORDS[match.group(2).lower()] if match.group(2) else 0
            found.append((match.start(), float(value)))
    return [value for _, value in sorted(found)]


def _digit_numbers(text: str) -> list[tuple[re.Match[str], float]]:
    found = []
    for match in _NUMBER.finditer(text):
        value = float(match.group().replace(",", ""))
        start = match.start()
        if start and text[start - 1] in "-−":
            before = text[: start - 1]
            previous = before.rstrip()
            spaced = not before or before[-1].isspace() or before[-1] in "(=:,;["
            if spaced and (not previous or not (previous[-1].isdigit() or previous[-1] == ")")):
                value = -value
        found.append((match, value))
    return found


class NumberRange(_Strict):
    """Bounds for every number written in an input, and optionally their order."""

    min: float | None = None
    max: float | None = None
    order: Literal["any", "decreasing", "increasing"] = Field(
        default="any", description="decreasing: each number no larger than the one before it"
    )

    @model_validator(mode="after")
    def _ordered(self) -> NumberRange:
        if self.min is None and self.max is None and self.order == "any":
            raise ValueError("give 'min', 'max', 'order' or more")
        if self.min is not None and self.max is not None and self.min > self.max:
            raise ValueError(f"min {self.min} is above max {self.max}")
        return self


class InputRules(_Strict):
    """Declarative checks every generated input must pass (else: `breaks_input_format`).

    Rules the task's prose states ("two whole numbers between 1 and 20") are read from it
    (`prose.derived`); a rule written here overrides the one read, and `from_text: false`
    turns the reading off."""

    pattern: str | None = Field(default=None, description="a regex the whole input must match")
    numbers: NumberRange | list[NumberRange] | None = Field(
        default=None,
        description="bounds for every number, or a list: one range per number, in order",
    )
    max_words: int | None = Field(default=None, ge=1)
    from_text: bool = Field(
        default=True, description="also keep the rules the description and input format state"
    )
    _compiled: re.Pattern[str] | None = PrivateAttr(default=None)
    # Numbers the task's own texts mention ("to the nearest ten", "four options"): when the
    # numbers rule reads its ranges from prose, an input may also write these.
    _mentioned: tuple[float, ...] = PrivateAttr(default=())

    @field_validator("numbers")
    @classmethod
    def _positional(
        cls, numbers: NumberRange | list[NumberRange] | None
    ) -> NumberRange | list[NumberRange] | None:
        if isinstance(numbers, list):
            if not numbers:
                raise ValueError("the list is empty: give one range per number, or one range")
            if any(r.order != "any" for r in numbers):
                raise ValueError("'order' compares numbers under one range; a list orders them")
        return numbers

    @property
    def any(self) -> bool:
        """Whether any rule is set."""
        return self.pattern is not None or self.numbers is not None or self.max_words is not None

    def describe(self) -> str:
        """The rules in words, for `synthrl check`.

        >>> InputRules(numbers=[{"min": 10, "max": 99}, {"min": 1, "max": 9}]).describe()
        'numbers: 2 numbers, 10 to 99, then 1 to 9'
        """
        parts = []
        if self.pattern is not None:
            parts.append(f"pattern: {self.pattern!r}")
        if isinstance(self.numbers, list) and len(self.numbers) == 1:
            parts.append(f"numbers: one number, {_span(self.numbers[0])}")
        elif isinstance(self.numbers, list):
            spans = [_span(r) for r in self.numbers]
            same = len(set(spans)) == 1
            each = f"each {spans[0]}" if same else ", then ".join(spans)
            parts.append(f"numbers: {len(spans)} numbers, {each}")
        elif self.numbers is not None:
            order = "" if self.numbers.order == "any" else f", {self.numbers.order}"
            parts.append(f"numbers: every number {_span(self.numbers)}{order}")
        if self.max_words is not None:
            parts.append(f"max_words: {self.max_words}")
        return "; ".join(parts) or "none"

    def ranges(self, count: int) -> list[NumberRange] | None:
        """The range of each of `count` numbers (None without number rules)."""
        if self.numbers is None:
            return None
        if isinstance(self.numbers, list):
            return self.numbers
        return [self.numbers] * count

    @field_validator("pattern")
    @classmethod
    def _compiles(cls, pattern: str | None) -> str | None:
        if pattern is not None:
            try:
                re.compile(pattern)
            except re.error as exc:
                raise ValueError(f"not a valid regular expression: {exc}") from None
        return pattern

    def model_post_init(self, context: object) -> None:
        self._compiled = re.compile(self.pattern) if self.pattern is not None else None

    def broken(self, text: str) -> str | None:
        """Which rule `text` breaks, said in words, or None.

        >>> InputRules(numbers={"max": 9}, max_words=4).broken("17 - 9 =")
        'numbers: 17 is above max 9'
        >>> InputRules(numbers={"order": "decreasing"}).broken("What is 55 - 69?")
        'numbers: 55 then 69, not in decreasing order'
        >>> InputRules(numbers=[{"min": 10, "max": 99}, {"max": 9}]).broken("What is 8 + 14?")
        'numbers: the 1st number, 8, is below min 10'
        >>> InputRules(numbers=[{"min": 10}, {"max": 9}]).broken("What is 63 + 5 + 2?")
        'numbers: 3 numbers, where the rules give ranges for 2'
        >>> InputRules(numbers=[{"min": 1, "max": 6}]).broken("Which day is 4 days after Monday?")
        >>> InputRules(numbers=[{"min": 1, "max": 6}]).broken("Which day is four days after it?")
        """
        if self._compiled is not None:
            if len(text) > PATTERN_MAX_CHARS:
                return f"pattern: longer than {PATTERN_MAX_CHARS} characters"
            if not self._compiled.fullmatch(text):
                return f"pattern: the input does not match {self.pattern!r}"
        if self.numbers is not None:
            values = written_numbers(text)
            wanted = self.numbers if isinstance(self.numbers, list) else []
            if len(values) < len(wanted):  # "four days after Wednesday": a number in words
                values = written_numbers(text, words=True)
            problem = self._numbers_broken(values)
            if problem is not None and self._mentioned:
                rest = list(values)
                for value in self._mentioned:
                    if value in rest:
                        rest.remove(value)
                problem = self._numbers_broken(rest) if rest != values else problem
            if problem is not None:
                return f"numbers: {problem}"
        count = len(text.split())
        if self.max_words is not None and count > self.max_words:
            return f"max_words: {count} words, more than {self.max_words}"
        return None

    def _numbers_broken(self, values: list[float]) -> str | None:
        positional = isinstance(self.numbers, list)
        ranges = self.ranges(len(values))
        assert ranges is not None
        if len(ranges) != len(values):
            return f"{len(values)} numbers, where the rules give ranges for {len(ranges)}"
        for place, (value, bounds) in enumerate(zip(values, ranges, strict=True), start=1):
            which = f"the {_ordinal(place)} number, {value:g}," if positional else f"{value:g}"
            if bounds.min is not None and value < bounds.min:
                return f"{which} is below min {bounds.min:g}"
            if bounds.max is not None and value > bounds.max:
                return f"{which} is above max {bounds.max:g}"
        order = "any" if positional else self.numbers.order  # type: ignore[union-attr]
        sign = {"decreasing": 1, "increasing": -1}.get(order, 0)
        for before, after in itertools.pairwise(values):
            if sign * (after - before) > 0:
                return f"{before:g} then {after:g}, not in {order} order"
        return None


def _span(bounds: NumberRange) -> str:
    if bounds.min is not None and bounds.max is not None:
        return f"{bounds.min:g} to {bounds.max:g}"
    if bounds.min is not None:
        return f"at least {bounds.min:g}"
    if bounds.max is not None:
        return f"at most {bounds.max:g}"
    return "any"


def merged_rules(
    written: InputRules | None, derived: dict[str, object], mentioned: tuple[float, ...] = ()
) -> InputRules | None:
    """The rules a task keeps: those read from its prose, overridden by each rule written in
    its file (`from_text: false` keeps the written ones only). A numbers rule read from prose
    lets an input also write the numbers the task's texts mention (`mentioned`)."""
    if written is not None and not written.from_text:
        return written if written.any else None
    fields = dict(derived)
    if written is not None:
        fields |= {name: getattr(written, name) for name in written.model_fields_set}
    rules = InputRules.model_validate(fields) if fields else None
    if rules is None or not rules.any:
        return None
    if "numbers" in derived and (written is None or "numbers" not in written.model_fields_set):
        rules._mentioned = mentioned
    return rules


def _ordinal(n: int) -> str:
    """1st, 2nd, 3rd, 4th, ... 11th, 12th, 13th, 21st."""
    suffix = "th" if 10 <= n % 100 <= 20 else {1: "st", 2: "nd", 3: "rd"}.get(n % 10, "th")
    return f"{n}{suffix}"


class Retrieval(_Strict):
    """Hints for passage retrieval."""

    keywords: list[str] = Field(default_factory=list)


class TaskSpec(_Strict):
    """A task definition: what the task is, what inputs look like, what answers look like."""

    name: str = Field(pattern=_NAME, max_length=64)  # it names the default run folder
    description: str
    input_format: str
    output_format: str | None = None
    answer: AnswerSpec
    demos: list[Demo] | None = None
    retrieval: Retrieval | None = None
    input_rules: InputRules | None = None

    _check_text = field_validator("description", "input_format")(_not_blank)

    @field_validator("demos")
    @classmethod
    def _demos_not_empty(cls, demos: list[Demo] | None) -> list[Demo] | None:
        if demos is not None and not demos:
            raise ValueError("the list is empty: remove 'demos' or add at least one demo")
        return demos
