"""Answer types: how a piece of text becomes an answer, and when two answers are the same.

Each type reads text in one of two modes:
- `marked=True`: the text is the content of the marker the task asks for (an `<answer>` tag,
  the rest of a `####` line, a `\\boxed{}`), or a gold answer. The reader is permissive about
  decoration ("(B)", "$1,234.00", "Yes.") but returns `CONFLICT` when the text holds several
  different answers ("A and C", "5 or 6", "yes no").
- `marked=False`: the whole response, when it has no marker and the task is lenient. Only
  strong cues count ("the answer is 18", a bare "B" on the last line), because the rest of a
  response is reasoning full of other numbers and letters.

A type's `canonical(answer)` is the vote key: two answers are the same exactly when their keys
are (for `math`, `equal` also decides equivalence the keys cannot see). Readers never look at
the prompt; they only see what they are given.
"""

from __future__ import annotations

import re
import string
import unicodedata
from abc import ABC, abstractmethod
from collections.abc import Callable, Mapping, Sequence
from decimal import Decimal, localcontext
from fractions import Fraction

from synthrl.task import mathcheck
from synthrl.task.questions import asked_stems, stem
from synthrl.task.regions import final_line, first_line


class Conflict:
    """Marker for text that holds several different answers."""

    def __repr__(self) -> str:
        return "CONFLICT"


CONFLICT = Conflict()
Reading = str | None | Conflict

# "The answer is", "Final answer:", "**Answer:**", "answer =". Keywords are case-insensitive.
_ANCHOR = r"(?i:\banswer\b)\s*(?:(?i:is)\b\s*:?|:|=)\s*"

_MARKUP = [
    (re.compile(r"\\(?:text|textbf|textit|mathrm|mathbf|boxed|fbox)\s*\{([^{}]*)\}"), r"\1"),
    (re.compile(r"\*\*|__|`"), ""),
    (re.compile(r"\\[()\[\]]"), " "),
]


def clean_markup(text: str) -> str:
    r"""Drop Markdown emphasis and simple LaTeX wrappers: `**\text{B}**` -> `B`."""
    for pattern, replacement in _MARKUP:
        text = pattern.sub(replacement, text)
    return text


class Answer(ABC):
    """One answer type. Subclasses are small and pure; the Verifier adds counting and safety."""

    kind: str

    @abstractmethod
    def read(self, text: str, *, marked: bool) -> Reading:
        """Read an answer from `text` (see the module docstring for the two modes)."""

    def canonical(self, answer: str) -> str | None:
        """The vote key of an answer string, or None when it is not a valid answer."""
        reading = self.read(answer, marked=True)
        return reading if isinstance(reading, str) else None

    def equal(self, pred: str, gold: str) -> bool:
        """Whether two answers are the same answer."""
        a, b = self.canonical(pred), self.canonical(gold)
        return a is not None and a == b

    def restates(self, pred: str, gold: str, question: str) -> bool:
        """Whether `pred` is the gold answer inside a restatement of `question` (only short
        text answers are read so; see `Text`)."""
        return False

    @abstractmethod
    def describe(self) -> str:
        """What a valid answer looks like, in words, for prompts and error messages."""


# ---------------------------------------------------------------------------------------------
# number


_FRAC = re.compile(r"\\[dt]?frac\s*\{\s*(-?[\d.,]+)\s*\}\s*\{\s*(-?[\d.,]+)\s*\}")
_FRAC_SHORT = re.compile(r"\\[dt]?frac(\d)(\d)")
_NUMBER = re.compile(
    r"(?<![\w.])-?(?:\d{1,3}(?:,\d{3})+(?!\d)|\d+)(?:\.\d+)?(?:[eE][-+]?\d+)?(?:/\d+(?:\.\d+)?)?"
    r"|(?<![\w.])-?\.\d+"
)
_NUMBER_ANCHOR = re.compile(_ANCHOR + r"(?:[a-zA-Z]+\s+){0,3}?(" + _NUMBER.pattern + ")")
# A region that ends by stating its result in words: "3 times 6 is 18.", "... equals 72",
# "3 hours is equal to 180 minutes." (one unit word may follow the number).
# (The tail is written so that a long run of spaces cannot make it backtrack quadratically.)
_STATED = re.compile(
    r"(?i:\b(?:is(?: equal to)?|equals|makes)\s+)(" + _NUMBER.pattern + r")"
    r"(?:[ \t]+[A-Za-z]+)?\s*(?:[.!]\s*)?$"
)
# After the last "=", a number that an operator and another number follow is an expression,
# not a result: "14 - 2 = 12 + 2." names none here (read as 12, it paid GRPO to go on writing),
# and the verifier then reads the response as unformatted, by its last number.
# (The lookahead keeps the number whole: "3/4" and "1,000" are not "3" and "1" then an operator.)
_EXPRESSION = re.compile(r"\s*(?:" + _NUMBER.pattern + r")(?![\d.,/])\s*[-+*/×÷^]\s*[\d(.]")
# A second number offered after the one read: "= 55 or 56", "the answer is 55, or 56": a
# hedge, which is no answer (GRPO paid for it while the first number was read alone).
_HEDGE = re.compile(r"\s*,?\s*(?:or|and/or)\s+(?:maybe\s+|perhaps\s+)?[-$]?\d", re.IGNORECASE)


def _prepare_numbers(text: str) -> str:
    text = clean_markup(text)
    text = _FRAC.sub(r"\1/\2", text)
    text = _FRAC_SHORT.sub(r"\1/\2", text)
    for old, new in (("{,}", ","), ("\\,", ""), ("\\!", ""), ("\\%", "%"), ("−", "-")):
        text = text.replace(old, new)
    # Currency signs and math delimiters: "-$5" must read as -5.
    return re.sub(r"\\?[$€£¥₹]", "", text)


# Numbers longer or with exponents larger than this are unreadable: Fraction("1e-999999")
# would build a million-digit denominator.
MAX_NUMBER_DIGITS = 100
_EXPONENT = re.compile(r"[eE]([-+]?\d+)")


def _to_fraction(token: str) -> Fraction | None:
    token = token.replace(",", "")
    exponent = _EXPONENT.search(token)
    digits = sum(c.isdigit() for c in token)
    if digits > MAX_NUMBER_DIGITS + 8 or (
        exponent and abs(int(exponent.group(1)[:8])) > MAX_NUMBER_DIGITS
    ):
        return None
    try:
        if "/" in token:
            top, bottom = token.split("/", 1)
            denominator = Fraction(bottom)
            return Fraction(top) / denominator if denominator else None
        return Fraction(token)
    except (ValueError, ZeroDivisionError):
        return None


def format_number(value: Fraction) -> str:
    """Canonical text of a number: '1234', '0.75', '-2.5', or '1/3' when no finite decimal."""
    if value.denominator == 1:
        return str(value.numerator)
    rest = value.denominator
    for prime in (2, 5):
        while rest % prime == 0:
            rest //= prime
    if rest != 1:
        return f"{value.numerator}/{value.denominator}"
    with localcontext() as ctx:
        ctx.prec = 60
        decimal = Decimal(value.numerator) / Decimal(value.denominator)
    return format(decimal.normalize(), "f")


class Number(Answer):
    """A numeric answer: commas, currency, units, percents, fractions and LaTeX fractions."""

    kind = "number"

    def __init__(self, tolerance: float = 1e-6) -> None:
        self.tolerance = tolerance

    def read(self, text: str, *, marked: bool) -> Reading:
        text = _prepare_numbers(text)
        anchored = list(_NUMBER_ANCHOR.finditer(text))
        if anchored:
            last = anchored[-1]
            return CONFLICT if _HEDGE.match(text, last.end(1)) else self._format(last.group(1))
        if not marked:
            found = _NUMBER.findall(text)
            return self._format(found[-1]) if found else None
        if "=" in text:
            tail = text.rsplit("=", 1)[1]
            if _EXPRESSION.match(tail):
                return None
            after = _NUMBER.search(tail)
            if after:
                return CONFLICT if _HEDGE.match(tail, after.end()) else self._format(after.group())
        stated = _STATED.search(text)
        if stated:
            return self._format(stated.group(1))
        values = {v for v in map(_to_fraction, _NUMBER.findall(text)) if v is not None}
        if len(values) > 1:
            return CONFLICT
        return format_number(values.pop()) if values else None

    @staticmethod
    def _format(token: str) -> str | None:
        value = _to_fraction(token)
        return None if value is None else format_number(value)

    def equal(self, pred: str, gold: str) -> bool:
        a, b = self.canonical(pred), self.canonical(gold)
        if a is None or b is None:
            return False
        x, y = _to_fraction(a), _to_fraction(b)
        if x is None or y is None:
            return False
        return x == y or abs(x - y) <= Fraction(self.tolerance) * max(abs(x), abs(y))

    def describe(self) -> str:
        return "a number"


# ---------------------------------------------------------------------------------------------
# choice


class Choice(Answer):
    """An option letter from a fixed set, e.g. A-D."""

    kind = "choice"

    def __init__(self, options: Sequence[str]) -> None:
        self.options = [o.upper() for o in options]
        letters = "".join(self.options)
        # After "the answer is": an uppercase letter, or a lowercase one that ends the phrase
        # ("answer is b."), so that "the answer is a bit unclear" reads nothing.
        letter = r"[\(\[]?(?:([A-Za-z])(?=[\)\].:,;]|\s*$)|([A-Z])(?![A-Za-z0-9]))"
        keyword = r"(?i:\b(?:answer|option|choice)\b\s*(?:is|would\s+be|should\s+be|:|=)\s*:?\s*)"
        self._anchor = re.compile(keyword + r"(?i:(?:option|choice)\s+)?" + letter, re.M)
        self._standalone = re.compile(rf"(?<![A-Za-z0-9'])([{letters}])(?![A-Za-z0-9'])")
        self._whole = re.compile(
            r"(?i:(?:option|choice)\s*)?[\(\[]?([A-Za-z])(?:[\)\]]\s*[.:]?|[.:]|\s+-)?(?:\s+.+)?",
            re.S,
        )
        self._bare = re.compile(r"[\(\[]?([A-Za-z])[\)\]]?\.?")
        # A last line that repeats an option with its marker: "B) a dog", "(C) 42".
        self._named = re.compile(r"[\(\[]?([A-Z])[\)\]]\s+\S")
        # "the answer is B or C", "(B) or (D)": a second option offered after the one read
        self._hedge = re.compile(
            rf"[\)\]]?\s*,?\s*(?:or|and/or)\s+(?i:(?:option|choice)\s+)?[\(\[]?[{letters}](?![A-Za-z0-9])"
        )

    def _option(self, letter: str) -> str | None:
        return letter.upper() if letter.upper() in self.options else None

    def read(self, text: str, *, marked: bool) -> Reading:
        text = clean_markup(text).strip()
        anchored = list(self._anchor.finditer(text))
        if anchored:
            last = anchored[-1]
            if self._hedge.match(text, last.end()):
                return CONFLICT
            return self._option(last.group(1) or last.group(2))
        if not marked:
            last = clean_markup(final_line(text)).strip()
            bare = self._bare.fullmatch(last)
            if bare is None and self._named.match(last):
                # an option repeated alone, not the last line of the options listed again
                listed = [line for line in text.splitlines() if self._named.match(line.strip())]
                bare = self._named.match(last) if len(listed) == 1 else None
            return self._option(bare.group(1)) if bare else None
        found = set(self._standalone.findall(text))
        if len(found) > 1:
            return CONFLICT
        if found:
            return found.pop()
        whole = self._whole.fullmatch(text)
        return self._option(whole.group(1)) if whole else None

    def describe(self) -> str:
        return "the letter of one option (" + ", ".join(self.options) + ")"


# ---------------------------------------------------------------------------------------------
# label and boolean


def _words(text: str) -> str:
    """Lowercase, without markup, spaces collapsed; line breaks are kept."""
    return re.sub(r"[^\S\n]+", " ", clean_markup(text).lower()).strip()


class Label(Answer):
    """One class name from a closed set; each class may have synonyms."""

    kind = "label"
    # The longest last line read as a sentence around a label when nothing marks the answer.
    SENTENCE_WORDS = 15

    def __init__(self, labels: Mapping[str, Sequence[str]]) -> None:
        self.names = list(labels)
        self._lookup: dict[str, str] = {}
        for name, synonyms in labels.items():
            for word in (name, *synonyms):
                self._lookup[_words(word)] = name
        alternatives = "|".join(re.escape(w) for w in sorted(self._lookup, key=len, reverse=True))
        self._mention = re.compile(rf"(?<![a-z0-9])({alternatives})(?![a-z0-9])")
        self._anchor = re.compile(_ANCHOR + rf"(?:\(?)({alternatives})(?![a-z0-9])")
        # "positive or negative", "yes/no": a label offered with another is no answer
        self._or_another = re.compile(rf"\s*(?:,?\s*\bor\b|/|\|)\s*({alternatives})(?![a-z0-9])")

    def _whole(self, text: str) -> str | None:
        stripped = text.strip(string.punctuation + " ")
        stripped = re.sub(r"^(?:the|a|an)\s+", "", stripped)
        return self._lookup.get(stripped)

    def _leading(self, text: str) -> str | None:
        text = text.strip(string.punctuation + " ")
        match = self._mention.match(text)
        return self._label_at(text, match)

    def _label_at(self, text: str, match: re.Match[str] | None) -> str | None:
        """The label `match` names in `text`, unless another label is offered beside it."""
        if match is None:
            return None
        label = self._lookup[match.group(1)]
        hedge = self._or_another.match(text, match.end())
        return None if hedge and self._lookup[hedge.group(1)] != label else label

    def read(self, text: str, *, marked: bool) -> Reading:
        text = _words(text)
        whole = self._whole(text)
        if whole:
            return whole
        anchored = list(self._anchor.finditer(text))
        if anchored:
            return self._label_at(text, anchored[-1])
        if not marked:
            last = _words(final_line(text))
            found = self._whole(last) or self._leading(last) or self._leading(first_line(text))
            if found is None and len(last.split()) <= self.SENTENCE_WORDS:
                # "The sentiment of this review is positive.": one label, not negated
                mentioned = self._mentioned(last)
                found = mentioned if isinstance(mentioned, str) else None
            return found
        return self._mentioned(text)

    def _mentioned(self, text: str) -> Reading:
        """The one label `text` mentions, not after "not"; CONFLICT for several."""
        found = {
            self._lookup[m.group(1)]
            for m in self._mention.finditer(text)
            if not text[: m.start()].endswith(("not ", "no ", "n't "))
        }
        if len(found) > 1:
            return CONFLICT
        return found.pop() if found else None

    def describe(self) -> str:
        return "one of: " + ", ".join(self.names)


class Boolean(Label):
    """yes / no (true / false are synonyms)."""

    kind = "boolean"

    def __init__(self) -> None:
        super().__init__({"yes": ["true"], "no": ["false"]})

    def describe(self) -> str:
        return "yes or no"


# ---------------------------------------------------------------------------------------------
# text


def normalize_text(text: str) -> str:
    """Lowercase, drop punctuation and the articles a/an/the, collapse whitespace."""
    text = clean_markup(text).lower()
    text = "".join(" " if unicodedata.category(c).startswith("P") else c for c in text)
    return " ".join(w for w in text.split() if w not in {"a", "an", "the"})


def singular(word: str) -> str:
    """A plural English word's singular, by its ending only ("cities" -> "city", "boxes" ->
    "box", "apples" -> "apple"); other words as they are ("glass", "bus", "analysis")."""
    if len(word) > 4 and word.endswith("ies"):
        return word[:-3] + "y"
    if len(word) > 4 and word.endswith(("sses", "xes", "zes", "ches", "shes")):
        return word[:-2]
    if len(word) > 3 and word.endswith("s") and not word.endswith(("ss", "us", "is")):
        return word[:-1]
    return word


def reader_words(text: str) -> list[str]:
    """The words a reader compares short answers by: normalised, plurals made singular."""
    return [singular(w) for w in normalize_text(text).split()]


# Words that join alternatives ("Paris or Lyon", "Paris/Lyon", "55/56"), kept in the canonical
# form as "|": an answer that offers two is a hedge, not an answer. A slash between a word and
# one of at most three letters is a unit ("11.2 km/s", "60 mi/h"), not a choice.
_JOINER = re.compile(
    r"\s+(?:and/or|or)\s+|\s+/\s*|/\s+|(?<![A-Za-z])/|/(?![A-Za-z]{1,3}\b)|^\s*either\s+",
    re.IGNORECASE,
)
_NEGATION = {"not", "no", "never", "neither", "nor"}


class Text(Answer):
    """A short text, compared as a careful reader compares a short answer with the gold one:
    after normalising (case, punctuation, the articles a/an/the, plurals to singulars), the
    same words, or the gold's words inside an answer at most `EXTRA_WORDS` words longer ("23
    years" for "23", "the United States Air Force" for "Air Force", "in the early 11th
    century" for "11th century"). An answer that joins alternatives ("Paris or Lyon",
    "Paris/Lyon") or negates ("not Paris") gets no credit for either, unless the gold
    answer itself reads so. Unmarked, the last line is the answer, or what a concluding last line
    ("Therefore, ... is Paris.") says after its last "is". Gold aliases (several right
    answers) are the evaluation item's."""

    kind = "text"
    EXTRA_WORDS = 3
    _anchor = re.compile(_ANCHOR + r"([^\n]+)")
    _prefix = re.compile(r"^\s*(?i:(?:final\s+)?answer\s*:)")
    # A closing line that concludes ("Therefore, 3 days after Saturday is Tuesday."): what
    # follows its last "is" / "will be" / "would be".
    _conclusion = re.compile(
        r"^\s*(?i:therefore|so|thus|hence)\b.*\b(?i:is|will\s+be|would\s+be)\s+(\S.*)$"
    )

    def read(self, text: str, *, marked: bool) -> Reading:
        anchored = self._anchor.findall(text)
        if anchored:
            candidate = anchored[-1]
        elif marked:
            candidate = text
        else:
            candidate = self._prefix.sub("", final_line(text))
            concluded = self._conclusion.match(candidate)
            candidate = concluded.group(1) if concluded else candidate
        return " ".join(reader_words(_JOINER.sub(" | ", clean_markup(candidate)))) or None

    def equal(self, pred: str, gold: str) -> bool:
        said, right = self.canonical(pred), self.canonical(gold)
        if said is None or right is None:
            return False
        if said == right:
            return True
        said_words, right_words = said.split(), right.split()
        if "|" in said_words:  # alternatives the gold does not join
            return False
        extra = len(said_words) - len(right_words)
        if not 0 < extra <= self.EXTRA_WORDS:
            return False
        if _NEGATION & set(said_words) and not _NEGATION & set(right_words):
            return False
        return any(said_words[i : i + len(right_words)] == right_words for i in range(extra + 1))

    def restates(self, pred: str, gold: str, question: str) -> bool:
        """The gold's words inside a sentence whose other words all come from the question
        or are filler ("The ancient Greek philosopher from Athens was Socrates" for "Who was
        the ancient Greek philosopher from Athens?"), as a reader credits an answer that
        restates the question. Alternatives and negation earn nothing, as in `equal`."""
        said, right = self.canonical(pred), self.canonical(gold)
        if said is None or right is None or not question:
            return False
        said_words, right_words = said.split(), right.split()
        if "|" in said_words and "|" not in right_words:
            return False
        question_words = reader_words(question)
        denied = _NEGATION & set(said_words) - set(question_words)  # "not" the question says
        if denied and not _NEGATION & set(right_words):
            return False
        asked = asked_stems(question_words)
        n = len(right_words)
        for i in range(len(said_words) - n + 1):
            if said_words[i : i + n] == right_words:
                rest = said_words[:i] + said_words[i + n :]
                if all(stem(word) in asked for word in rest):
                    return True
        return False

    def describe(self) -> str:
        return "a short text"


# ---------------------------------------------------------------------------------------------
# math


class Math(Answer):
    """A LaTeX expression compared by mathematical equivalence (math-verify)."""

    kind = "math"

    def read(self, text: str, *, marked: bool) -> Reading:
        if not marked:
            return mathcheck.extract(text)
        text = text.strip()
        return text if text and mathcheck.key(text) is not None else None

    def canonical(self, answer: str) -> str | None:
        return mathcheck.key(answer)

    def equal(self, pred: str, gold: str) -> bool:
        return mathcheck.equivalent(gold, pred)

    def describe(self) -> str:
        return "a mathematical expression in LaTeX"


# ---------------------------------------------------------------------------------------------
# custom


class Custom(Answer):
    """User code: `function(text) -> str | None` maps text to a canonical answer, or None."""

    kind = "custom"

    def __init__(self, function: Callable[[str], object], reference: str) -> None:
        self.function = function
        self.reference = reference

    def read(self, text: str, *, marked: bool) -> Reading:
        try:
            out = self.function(text)
        except SystemExit as exc:  # user code must not end the process
            from synthrl.errors import UserError

            raise UserError(
                f"answer.function {self.reference} called sys.exit({exc.code})"
            ) from None
        if out is None:
            return None
        return str(out).strip() or None

    def describe(self) -> str:
        return f"an answer that {self.reference} accepts"
