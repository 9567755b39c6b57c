"""Read passages from JSONL, parquet and plain-text files or folders, chunked to a word budget.

    passages = list(read_passages([Path("docs/"), Path("faq.jsonl")], max_words=200))

JSONL and parquet rows give `text` (and optionally `title`); the field names are
configurable. Text and Markdown files are split into paragraphs at blank lines. Every passage
longer than `max_words` is split at sentence ends; its id is a hash of its title and text, so
the same passage has the same id in every run.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path

from synthrl.errors import UserError
from synthrl.io import iter_jsonl

TEXT_SUFFIXES = {".txt", ".md", ".markdown", ".rst"}
TABLE_SUFFIXES = {".jsonl", ".parquet"}
_SENTENCE_END = re.compile(r"(?<=[.!?])\s+")


@dataclass(frozen=True)
class Passage:
    """One retrievable piece of text."""

    id: str
    title: str
    text: str

    @classmethod
    def make(cls, title: str, text: str) -> Passage:
        digest = hashlib.sha256(f"{title}\0{text}".encode()).hexdigest()[:16]
        return cls(digest, title, text)

    def to_dict(self) -> dict[str, str]:
        return {"id": self.id, "title": self.title, "text": self.text}


def chunk(text: str, max_words: int) -> list[str]:
    """Split text into pieces of at most about `max_words` words, at sentence ends."""
    words = text.split()
    if len(words) <= max_words:
        return [" ".join(words)] if words else []
    pieces: list[str] = []
    current: list[str] = []
    for sentence in _SENTENCE_END.split(text):
        sentence_words = sentence.split()
        if current and len(current) + len(sentence_words) > max_words:
            pieces.append(" ".join(current))
            current = []
        # A single sentence longer than the budget is cut at the budget.
        while len(sentence_words) > max_words:
            pieces.append(" ".join(sentence_words[:max_words]))
            sentence_words = sentence_words[max_words:]
        current.extend(sentence_words)
    if current:
        pieces.append(" ".join(current))
    return pieces


def _files(paths: Iterable[Path]) -> Iterator[Path]:
    for path in paths:
        if path.is_dir():
            found = sorted(p for p in path.rglob("*") if p.suffix in TEXT_SUFFIXES | TABLE_SUFFIXES)
            if not found:
                raise UserError(
                    f"{path}: folder has no .jsonl, .parquet, .txt or .md files to read"
                )
            yield from found
        elif path.is_file():
            yield path
        else:
            raise UserError(f"{path}: corpus file or folder not found")


def _rows(path: Path, text_field: str, title_field: str) -> Iterator[tuple[str, str]]:
    if path.suffix == ".jsonl":
        for number, row in enumerate(iter_jsonl(path), start=1):
            if not isinstance(row.get(text_field), str):
                raise UserError(
                    f"{path}: record {number}: expected a string field '{text_field}' "
                    "(set corpus.text_field for another name)"
                )
            yield str(row.get(title_field) or ""), row[text_field]
    elif path.suffix == ".parquet":
        import pyarrow.parquet as pq

        try:
            table = pq.read_table(path)
        except Exception as exc:  # pyarrow raises several types for unreadable files
            raise UserError(f"{path}: cannot read parquet ({exc})") from None
        if text_field not in table.column_names:
            raise UserError(
                f"{path}: no column '{text_field}' (columns: {', '.join(table.column_names)}); "
                "set corpus.text_field"
            )
        texts = table.column(text_field).to_pylist()
        titles = (
            table.column(title_field).to_pylist()
            if title_field in table.column_names
            else [""] * len(texts)
        )
        for title, text in zip(titles, texts, strict=True):
            if isinstance(text, str):
                yield str(title or ""), text
    else:
        content = path.read_text(encoding="utf-8", errors="replace")
        for paragraph in re.split(r"\n\s*\n", content):
            yield path.stem, paragraph


def read_passages(
    paths: Iterable[Path],
    text_field: str = "text",
    title_field: str = "title",
    max_words: int = 200,
) -> Iterator[Passage]:
    """Every passage of every file, chunked; exact duplicates are dropped."""
    seen: set[str] = set()
    for path in _files(paths):
        if path.suffix not in TEXT_SUFFIXES | TABLE_SUFFIXES:
            raise UserError(
                f"{path}: unsupported corpus file type '{path.suffix}' "
                "(expected .jsonl, .parquet, .txt or .md)"
            )
        for title, text in _rows(path, text_field, title_field):
            for piece in chunk(text, max_words):
                passage = Passage.make(title, piece)
                if passage.id not in seen:
                    seen.add(passage.id)
                    yield passage
