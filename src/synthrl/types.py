"""Small type aliases shared across modules."""

from typing import Literal

AnswerType = Literal["number", "math", "choice", "boolean", "label", "text", "custom"]
ReadFrom = Literal["tag", "hashes", "boxed", "final_line"]

# Why an answer could not be read or graded; counted by the verifier.
Reason = Literal[
    "read",
    "correct",
    "wrong",
    "no_answer",
    "empty_answer",
    "invalid_answer",
    "conflicting_answers",
    "gold_unparsable",
    "checker_error",
]
