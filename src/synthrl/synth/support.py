"""Whether a teacher-written sample stands on its passage.

A sample generated from a retrieved passage is only as good as its grounding: a weak teacher
drops the passage from an input whose format asks for it, answers from memory instead of from
the text, or labels a claim the passage never makes. Three checks, each a reject reason
counted in the funnel:

- `passage_not_in_input` (generate, rewrite): the task's input format names a text (a
  passage, paragraph, review, ...) and the input does not carry the retrieved passage: no run
  of `MIN_RUN` words (or half the passage, if shorter) in common with it.
- `answer_not_in_passage` (generate, rewrite) and `label_not_in_passage` (verify): for `text`
  answers, the generator's answer and the voted label must occur in the passage, word for
  word after normalising (case, punctuation, articles, plurals), as a reader checks a short
  answer copied from a text. A small teacher often answers in a sentence that restates the
  question ("The core province ruled by the Manikongo was Ngoyo"); before the check, such an
  answer is cut to the words a reader would take for the answer (`passage_span`: "ngoyo").
- `answer_too_long` (generate, rewrite) and `label_too_long` (verify): such an answer of
  more than `synth.span_words` words (10) is a clause copied from the passage ("biofuel is
  fuel that is produced over a short time span from biomass ..."), not a short answer.
- `answer_in_question` (generate, rewrite) and `label_in_question` (verify): for `text`
  answers over a passage, an answer whose every word the question already holds (or filler:
  "extent to which historians are influenced by their group" for "To what extent are
  historians influenced by their group?") restates the question and answers nothing.
- `not_supported` (verify): for `boolean`, `label` and `choice` answers, one more teacher
  call per labelled sample reads the passage, the input and the label and says whether the
  passage supports it; a "no" drops the sample, an unreadable reply keeps it (counted).

Passages are data: the prompt puts them between markers and says so.

>>> in_passage("the Eiffel towers", "Paris is home to the Eiffel Tower, built in 1889.")
True
>>> passage_span("The province ruled by the Manikongo was Ngoyo.",
...              "Kongo: provinces ruled by the Manikongo included Ngoyo and Kakongo.",
...              "Which province was ruled by the Manikongo?")
'ngoyo'
>>> restates_question("extent to which historians are influenced",
...                    "To what extent are historians influenced by their group?")
True
>>> carries("Passage: Paris is home to the Eiffel Tower.\\nQ: Where?", "Paris is home to "
...         "the Eiffel Tower.")
True
"""

from __future__ import annotations

import re

from synthrl.task.answers import reader_words
from synthrl.task.loader import Task
from synthrl.task.questions import FILLER, asked_stems, stem

# Words an input format uses for a text the input must hold.
_TEXT_WORDS = re.compile(
    r"\b(?:passages?|paragraphs?|texts?|articles?|reviews?|contexts?|excerpts?|documents?|"
    r"snippets?|stor(?:y|ies)|abstracts?|clauses?|notes?|reports?|e-?mails?|tickets?|"
    r"summar(?:y|ies)|posts?)\b",
    re.IGNORECASE,
)
# The longest run of words an input must share with its passage to carry it.
MIN_RUN = 12


def wants_text(task: Task) -> bool:
    """Whether the task's input format says its inputs hold a text."""
    return bool(_TEXT_WORDS.search(task.spec.input_format))


def carries(task_input: str, passage: str) -> bool:
    """Whether `task_input` holds a run of MIN_RUN words of `passage` (half of a shorter one)."""
    source = reader_words(passage)
    need = max(1, min(MIN_RUN, len(source) // 2))
    runs = {tuple(source[i : i + need]) for i in range(len(source) - need + 1)}
    found = reader_words(task_input)
    return any(tuple(found[i : i + need]) in runs for i in range(len(found) - need + 1))


def in_passage(answer: str, passage: str) -> bool:
    """Whether the words of `answer` occur in `passage`, in order and next to each other."""
    wanted, text = reader_words(answer), reader_words(passage)
    if not wanted:
        return False
    return any(text[i : i + len(wanted)] == wanted for i in range(len(text) - len(wanted) + 1))


def passage_span(answer: str, passage: str, question: str) -> str:
    """`answer` cut to the words a reader takes for the answer, in reader words.

    An answer found in the passage as it is stays whole. Otherwise it is split into the
    longest runs of words that occur in the passage; the runs that hold a word neither the
    question nor a filler word ("was", "of") holds are what the sentence adds to the question;
    the longest of them, without filler at its ends, is the answer. When no run adds anything,
    `answer` comes back unchanged (and fails the passage check)."""
    if in_passage(answer, passage):
        return answer
    words, text = reader_words(answer), reader_words(passage)
    asked = asked_stems(reader_words(question))
    runs: list[list[str]] = []
    start = 0
    while start < len(words):
        length = _longest_match(words, start, text)
        if length:
            runs.append(words[start : start + length])
        start += max(length, 1)
    fresh = [run for run in runs if any(stem(w) not in asked for w in run)]
    if not fresh:
        return answer
    best = max(fresh, key=len)  # the first of the longest
    while best[0] in FILLER:
        best = best[1:]
    while best[-1] in FILLER:
        best = best[:-1]
    return " ".join(best)


def restates_question(answer: str, question: str) -> bool:
    """Whether every word of `answer` is a word of `question` or filler (and it has one)."""
    asked = asked_stems(reader_words(question))
    words = reader_words(answer)
    return bool(words) and all(stem(w) in asked for w in words)


def asks_back(answer: str, task_input: str, passage: str) -> bool:
    """Whether `answer` restates the question of `task_input` (its part without `passage`;
    never when the question cannot be told apart from the passage)."""
    question = question_part(task_input, passage)
    return not carries(question, passage) and restates_question(answer, question)


def span_fault(answer: str, task_input: str, passage: str, span_words: int) -> str | None:
    """Why a short `text` answer over `passage` is not a span a reader takes for the answer
    to `task_input`: "not_in_passage", "too_long" (more than `span_words` words) or
    "in_question" (`asks_back`); None when it is one. Generate and rewrite reject with
    "answer_" before the reason, verify with "label_"."""
    if not in_passage(answer, passage):
        return "not_in_passage"
    if len(reader_words(answer)) > span_words:
        return "too_long"
    if asks_back(answer, task_input, passage):
        return "in_question"
    return None


def _longest_match(words: list[str], start: int, text: list[str]) -> int:
    """How many words from `words[start]` on occur next to each other somewhere in `text`."""
    best = 0
    for at, word in enumerate(text):
        if word != words[start]:
            continue
        length = 1
        while (
            start + length < len(words)
            and at + length < len(text)
            and words[start + length] == text[at + length]
        ):
            length += 1
        best = max(best, length)
    return best


def question_part(task_input: str, passage: str) -> str:
    """The lines of an input that do not carry its passage (its question, for a reader)."""
    lines = [line for line in task_input.splitlines() if not carries(line, passage)]
    return "\n".join(lines) or task_input


def supported(reply: str) -> bool | None:
    """A grounding vote's yes (True) or no (False), None when it says neither first."""
    match = re.search(r"\b(yes|no)\b", reply.lower())
    return None if match is None else match.group(1) == "yes"


def passage_text(passage: dict[str, str]) -> str:
    """A retrieved passage as the teacher reads it: its title, then its text."""
    return f"{passage.get('title', '')}\n{passage.get('text', '')}".strip()
