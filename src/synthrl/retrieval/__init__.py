"""The passage library: readers, a persisted BM25 index, built-in corpora."""

from synthrl.retrieval.index import PassageIndex
from synthrl.retrieval.library import BUILTIN, open_library
from synthrl.retrieval.readers import Passage, read_passages

__all__ = ["BUILTIN", "Passage", "PassageIndex", "open_library", "read_passages"]
