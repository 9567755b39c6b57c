"""The records synthesis stages write: candidates (teacher-written) and verified samples."""

from __future__ import annotations

import hashlib
from dataclasses import asdict, dataclass, field, fields
from typing import Any, Literal

Origin = Literal["initial", "harder", "easier", "like"]


def sample_id(task: str, text: str) -> str:
    """Content id of a sample: the same input (up to whitespace) has the same id."""
    normalized = " ".join(text.split())
    return hashlib.sha256(f"{task}\0{normalized}".encode()).hexdigest()[:16]


class _Record:
    def to_dict(self) -> dict[str, Any]:
        return asdict(self)  # type: ignore[call-overload]

    @classmethod
    def from_dict(cls, data: dict[str, Any]):  # type: ignore[no-untyped-def]
        names = {f.name for f in fields(cls)}  # type: ignore[arg-type]
        return cls(**{k: v for k, v in data.items() if k in names})


@dataclass(frozen=True)
class Candidate(_Record):
    """A sample as the teacher wrote it, before its label is verified."""

    id: str
    task: str
    input: str
    proposed_answer: str
    reasoning: str
    origin: Origin = "initial"
    parent_id: str | None = None
    passage_id: str | None = None


@dataclass(frozen=True)
class Sample(_Record):
    """A verified sample: its label is the teacher's majority answer.

    `answer` is the winning answer in canonical form (for math, the LaTeX of the first vote
    in the winning group); `reference` is a teacher solution that reaches it.
    """

    id: str
    task: str
    input: str
    answer: str
    reference: str
    origin: Origin
    parent_id: str | None
    passage_id: str | None
    votes: dict[str, int]
    unreadable_votes: int
    agreement: float
    proposed_answer: str | None = None
    greedy_solved: bool | None = None
    pass_rate: float | None = None
    n_samples: int | None = None
    extra: dict[str, Any] = field(default_factory=dict)
