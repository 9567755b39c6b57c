"""BM25 passage search: index build time and single-query latency, synthrl vs rank_bm25.

    .venv/bin/python benchmarks/bm25.py [--sizes 100000,1000000] [--queries 200]

Corpora: the built-in Wikipedia summaries, then synthetic corpora of N passages of 40 words
drawn from a 50,000-word vocabulary with Zipf-like frequencies. synthrl's figures are for
`PassageIndex` as the pipeline uses it: build (tokenize, index, write the passage store) and
`search([query], k=10)` one query at a time, passages read back from the memory-mapped store.
rank_bm25 (BM25Okapi, top 10 by `get_scores` + argpartition) runs on the same tokens and
queries where its build finishes in reasonable time (`--rank-bm25-max`, default 100,000).
"""

from __future__ import annotations

import argparse
import re
import resource
import tempfile
import time
from pathlib import Path

import numpy as np

from synthrl.retrieval import PassageIndex
from synthrl.retrieval.readers import Passage
from synthrl.wiki import corpus_passages

_TOKEN = re.compile(r"(?u)\b\w\w+\b")


def percentiles(samples: list[float]) -> str:
    ms = np.asarray(samples) * 1000
    return f"p50 {np.percentile(ms, 50):7.2f} ms   p99 {np.percentile(ms, 99):7.2f} ms"


def synthetic(n: int, seed: int = 0) -> tuple[list[Passage], list[str]]:
    rng = np.random.default_rng(seed)
    vocabulary = np.array([f"w{i}" for i in range(50_000)])
    weights = 1.0 / np.arange(1, 50_001) ** 1.07
    weights /= weights.sum()
    words = rng.choice(50_000, size=(n, 40), p=weights)
    passages = [Passage(f"{i:08x}", "", " ".join(vocabulary[row])) for i, row in enumerate(words)]
    query_words = rng.choice(np.arange(50, 5_000), size=(10_000, 3))
    queries = [" ".join(vocabulary[row]) for row in query_words]
    return passages, queries


def bench_synthrl(passages: list[Passage], queries: list[str], folder: Path) -> None:
    began = time.perf_counter()
    PassageIndex.build(passages, folder)
    build = time.perf_counter() - began
    index = PassageIndex.load(folder)
    index.search(queries[:5], k=10)  # warm up the memory map
    latencies = []
    for query in queries:
        began = time.perf_counter()
        index.search([query], k=10)
        latencies.append(time.perf_counter() - began)
    print(f"  synthrl   build {build:8.1f} s   {percentiles(latencies)}")


def bench_rank_bm25(passages: list[Passage], queries: list[str]) -> None:
    from rank_bm25 import BM25Okapi

    began = time.perf_counter()
    model = BM25Okapi([_TOKEN.findall(f"{p.title}\n{p.text}".lower()) for p in passages])
    build = time.perf_counter() - began
    latencies = []
    for query in queries:
        began = time.perf_counter()
        scores = model.get_scores(_TOKEN.findall(query.lower()))
        np.argpartition(-scores, 10)[:10]
        latencies.append(time.perf_counter() - began)
    print(f"  rank_bm25 build {build:8.1f} s   {percentiles(latencies)}")


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--sizes", default="100000,1000000")
    parser.add_argument("--queries", type=int, default=200)
    parser.add_argument("--rank-bm25-max", type=int, default=100_000)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        passages = list(corpus_passages(200))
        titles = sorted({p.title for p in passages})
        rng = np.random.default_rng(1)
        queries = [titles[i] for i in rng.choice(len(titles), args.queries, replace=False)]
        print(f"wikipedia summaries: {len(passages):,} passages, {len(queries)} title queries")
        bench_synthrl(passages, queries, Path(tmp) / "wiki")
        bench_rank_bm25(passages, queries)
        for size in (int(s) for s in args.sizes.split(",")):
            passages, queries = synthetic(size)
            queries = queries[: args.queries]
            print(f"synthetic: {size:,} passages of 40 words, {len(queries)} 3-word queries")
            bench_synthrl(passages, queries, Path(tmp) / f"syn{size}")
            if size <= args.rank_bm25_max:
                bench_rank_bm25(passages, queries)
            else:
                print(f"  rank_bm25 not run above {args.rank_bm25_max:,} passages")
            del passages
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024**2
    print(f"peak memory of this process: {peak:.1f} GiB")


if __name__ == "__main__":
    main()
