"""What a short answer may repeat of its question: the question's words and filler.

A reader credits "The ancient Greek philosopher from Athens was Socrates" as the answer
"Socrates" to "Who was the ancient Greek philosopher from Athens?": the sentence adds one thing
to the question, and it is the gold. These are the words such a sentence may hold besides it.

A sentence inflects the question's words ("Tesla's father died in 1879." for "In what year did
Tesla's father die?"), so words are compared by their stems.

>>> question_line("Passage: Socrates taught in Athens.\\nQuestion: Where did Socrates teach?")
'Question: Where did Socrates teach?'
>>> sorted(stem(w) for w in ["died", "die", "believed", "believe", "meets", "bed"])
['bed', 'believ', 'believ', 'di', 'di', 'meet']
"""

from __future__ import annotations

from collections.abc import Iterable

# Words that answer nothing on their own ("was", "of").
FILLER = frozenset(
    "is are was were be been being it its he she they his her their them him we our you your "  # noqa: SIM905
    "this that these those which who whom "
    "what when where why how of in on at to by for from with as and or but than called named "
    "known also there has have had do does did answer question according passage paragraph "
    "text".split()
)
# Inflection endings a stem drops (one, the first that fits, leaving at least two letters).
_ENDINGS = ("ing", "ed", "es", "s", "e")


def stem(word: str) -> str:
    """A word without its inflection ending: "died" and "die" are both "di"."""
    for ending in _ENDINGS:
        if word.endswith(ending) and len(word) - len(ending) >= 2:
            return word[: -len(ending)]
    return word


_FILLER_STEMS = frozenset(stem(word) for word in FILLER)


def asked_stems(question_words: Iterable[str]) -> frozenset[str]:
    """The stems a sentence restating a question may use: the question's and filler's."""
    return frozenset(stem(word) for word in question_words) | _FILLER_STEMS


# The longest line read as an input's question.
QUESTION_WORDS = 40


def question_line(task_input: str) -> str:
    """An input's question: its last line that ends with "?" and is at most QUESTION_WORDS
    words long ("" when there is none: a passage is never read as the question)."""
    for line in reversed(task_input.splitlines()):
        line = line.strip()
        if line.endswith("?") and len(line.split()) <= QUESTION_WORDS:
            return line
    return ""
