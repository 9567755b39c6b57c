"""A persisted BM25 passage index (bm25s), memory-mapped when loaded.

    index = PassageIndex.build(read_passages([Path("docs/")]), Path("my-index"))
    index = PassageIndex.load(Path("my-index"))            # later, or in another process
    [[(passage, score), ...]] = index.search(["photosynthesis"], k=5)

Layout of an index folder: bm25s' sparse matrices and vocabulary, `passages.jsonl` (one
passage per line) with `offsets.npy` (byte offsets, so passage i is read without loading the
rest), and `meta.json`. A build writes into a temporary folder and renames it into place.
"""

from __future__ import annotations

import json
import mmap
import os
import shutil
import tempfile
from collections.abc import Iterable, Sequence
from pathlib import Path

import numpy as np

from synthrl.errors import UserError
from synthrl.io import write_json
from synthrl.retrieval.readers import Passage

FORMAT = "synthrl-bm25-1"


def _tokenizer():  # bm25s is imported lazily: it is only needed when retrieval runs
    from bm25s.tokenization import Tokenizer

    return Tokenizer(stopwords="en")


class PassageIndex:
    """BM25 search over a passage store. Read-only once built."""

    def __init__(self, folder: Path) -> None:
        import bm25s

        meta_path = folder / "meta.json"
        if not meta_path.is_file():
            raise UserError(f"{folder}: not a passage index (no meta.json)")
        self.folder = folder
        self.meta = json.loads(meta_path.read_text(encoding="utf-8"))
        if self.meta.get("format") != FORMAT:
            raise UserError(f"{folder}: index format {self.meta.get('format')!r}; rebuild it")
        self._retriever = bm25s.BM25.load(str(folder), mmap=True, show_progress=False)
        self._tokenizer = _tokenizer()
        self._tokenizer.load_vocab(str(folder))
        self._offsets = np.load(folder / "offsets.npy", mmap_mode="r")
        self._file = (folder / "passages.jsonl").open("rb")
        size = os.fstat(self._file.fileno()).st_size
        self._store = mmap.mmap(self._file.fileno(), 0, access=mmap.ACCESS_READ) if size else b""

    @classmethod
    def build(cls, passages: Iterable[Passage], folder: Path, source: str = "") -> PassageIndex:
        """Index `passages` into `folder` (replacing an index there). Raises on no passages."""
        import bm25s

        items = list(passages)
        if not items:
            raise UserError(f"{source or folder}: the corpus has no passages with text")
        folder.parent.mkdir(parents=True, exist_ok=True)
        tmp = Path(tempfile.mkdtemp(dir=folder.parent, prefix=f".{folder.name}."))
        try:
            offsets = [0]
            with (tmp / "passages.jsonl").open("wb") as handle:
                for passage in items:
                    line = (json.dumps(passage.to_dict(), ensure_ascii=False) + "\n").encode()
                    handle.write(line)
                    offsets.append(offsets[-1] + len(line))
            np.save(tmp / "offsets.npy", np.asarray(offsets, dtype=np.int64))
            tokenizer = _tokenizer()
            texts = [f"{p.title}\n{p.text}" for p in items]
            tokens = tokenizer.tokenize(texts, return_as="tuple", show_progress=False)
            retriever = bm25s.BM25()
            retriever.index(tokens, show_progress=False)
            retriever.save(str(tmp), show_progress=False)
            tokenizer.save_vocab(str(tmp))
            tokenizer.save_stopwords(str(tmp))
            write_json(
                tmp / "meta.json", {"format": FORMAT, "passages": len(items), "source": source}
            )
            if folder.exists():
                shutil.rmtree(folder)
            os.replace(tmp, folder)
        finally:
            if tmp.exists():
                shutil.rmtree(tmp, ignore_errors=True)
        return cls(folder)

    @classmethod
    def load(cls, folder: Path) -> PassageIndex:
        return cls(folder)

    def __len__(self) -> int:
        return len(self._offsets) - 1

    def passage(self, i: int) -> Passage:
        """Passage number `i`, read from the memory-mapped store."""
        start, end = int(self._offsets[i]), int(self._offsets[i + 1])
        data = json.loads(self._store[start:end])
        return Passage(data["id"], data["title"], data["text"])

    def search(self, queries: Sequence[str], k: int = 10) -> list[list[tuple[Passage, float]]]:
        """Top-k passages per query with their BM25 scores; passages scoring 0 are left out."""
        if not queries:
            return []
        k = max(1, k)
        ids = self._tokenizer.tokenize(
            list(queries), update_vocab=False, return_as="ids", show_progress=False
        )
        return [self._top(token_ids, k) for token_ids in ids]

    def _top(self, token_ids: list[int], k: int) -> list[tuple[Passage, float]]:
        # Top-k over the passages that score at all: a partition over the whole corpus is
        # the slow part of a query at a million passages, most of which score 0.
        scores = self._retriever.get_scores(token_ids)
        hits = np.flatnonzero(scores > 0)
        if len(hits) > k:
            hits = hits[np.argpartition(-scores[hits], k - 1)[:k]]
        hits = hits[np.argsort(-scores[hits], kind="stable")]
        return [(self.passage(int(i)), float(scores[i])) for i in hits]
