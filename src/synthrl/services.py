"""What a running stage may call on: the teacher, the student and the passage library, each
built when a stage first asks for it, and closed when the run ends."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any

from synthrl.config import RunConfig
from synthrl.llm.client import TeacherClient

if TYPE_CHECKING:
    from synthrl.retrieval import PassageIndex
    from synthrl.student.sampler import Sampler


class NoStudent(Exception):
    """Raised by `Services.student` when the command was given no student."""


class Services:
    """The teacher, the student and the passage library, each built when first needed."""

    def __init__(
        self,
        config: RunConfig,
        run: Path,
        with_student: bool = True,
        teacher_cache: Path | None = None,
        say: Callable[[str], None] | None = None,
    ) -> None:
        self.config, self.run, self.with_student = config, run, with_student
        self.say = say
        self.whole_replies: set[str] = set()  # teacher endpoints found not to stream
        # a later round of a run shares the run's teacher cache: a call asked once is kept
        self.teacher_cache = teacher_cache or run / "cache" / "teacher.sqlite"
        self._student: Sampler | None = None
        self._library: PassageIndex | None = None
        self._cache: Any = None

    def teacher(self) -> TeacherClient:
        """A new teacher client on the run's response cache (one per event loop)."""
        from synthrl.llm.cache import ResponseCache

        if self._cache is None:
            self._cache = ResponseCache(self.teacher_cache)
        return TeacherClient(
            self.config.teacher, self._cache, say=self.say, whole_replies=self.whole_replies
        )

    def student(self) -> Sampler:
        """The base student's sampler, loaded once."""
        if not self.with_student:
            raise NoStudent
        if self._student is None:
            from synthrl.llm.cache import ResponseCache
            from synthrl.student.sampler import make_sampler

            cache = ResponseCache(self.run / "cache" / "student.sqlite")
            self._student = make_sampler(self.config.student, cache)
        return self._student

    def library(self) -> PassageIndex | None:
        """The passage library the config names (None for `corpus: none`)."""
        if self._library is None:
            from synthrl.retrieval import open_library

            self._library = open_library(self.config.corpus)
        return self._library

    def close(self) -> None:
        if self._cache is not None:
            self._cache.close()
            self._cache = None
