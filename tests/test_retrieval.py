"""Passage readers, chunking, the persisted BM25 index and the built-in corpus."""

import json

import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from synthrl.cli import main
from synthrl.config import CorpusConfig
from synthrl.errors import UserError
from synthrl.retrieval import PassageIndex, open_library, read_passages
from synthrl.retrieval.readers import chunk

TOPICS = {
    "Photosynthesis": "Plants use sunlight, water and carbon dioxide to make glucose.",
    "Volcano": "A volcano is a rupture in the crust where lava and ash escape.",
    "Bond": "A bond is a fixed income instrument that pays a coupon to its holder.",
}


@pytest.fixture
def corpus_files(tmp_path):
    (tmp_path / "a.jsonl").write_text(
        "".join(json.dumps({"title": t, "body": x}) + "\n" for t, x in TOPICS.items())
    )
    pq.write_table(
        pa.table({"body": ["Glaciers carve valleys over thousands of years."]}),
        tmp_path / "b.parquet",
    )
    notes = tmp_path / "notes"
    notes.mkdir()
    (notes / "c.md").write_text("Tides follow the moon.\n\nCoral reefs need warm water.\n")
    return tmp_path


def test_reads_jsonl_parquet_and_text_folders(corpus_files):
    paths = [corpus_files / "a.jsonl", corpus_files / "b.parquet", corpus_files / "notes"]
    passages = list(read_passages(paths, text_field="body"))
    assert len(passages) == 6
    assert {p.title for p in passages} >= {"Photosynthesis", "", "c"}
    assert len({p.id for p in passages}) == 6


def test_chunking_respects_the_word_budget():
    text = " ".join(f"Sentence number {i} is here." for i in range(100))
    pieces = chunk(text, 40)
    assert all(len(p.split()) <= 40 for p in pieces)
    assert " ".join(pieces).split() == text.split()


def test_index_persists_and_searches(corpus_files, tmp_path):
    passages = read_passages([corpus_files / "a.jsonl"], text_field="body")
    PassageIndex.build(passages, tmp_path / "idx")
    index = PassageIndex.load(tmp_path / "idx")
    assert len(index) == 3
    [[(best, score), *_]] = index.search(["coupon fixed income"], k=2)
    assert best.title == "Bond" and score > 0
    assert index.search(["zzzz unknownword"], k=2) == [[]]


def test_bad_corpus_inputs_are_user_errors(tmp_path):
    (tmp_path / "bad.jsonl").write_text('{"content": "no text field"}\n')
    with pytest.raises(UserError, match="text_field"):
        list(read_passages([tmp_path / "bad.jsonl"]))
    with pytest.raises(UserError, match="not found"):
        open_library(CorpusConfig(source=str(tmp_path / "missing")))
    (tmp_path / "empty.jsonl").write_text("")
    with pytest.raises(UserError, match="no passages"):
        PassageIndex.build(read_passages([tmp_path / "empty.jsonl"]), tmp_path / "idx")


def test_corpus_build_command(corpus_files, tmp_path, capsys):
    with pytest.raises(SystemExit) as exit_info:
        main(["corpus", "build", str(corpus_files / "notes"), "--out", str(tmp_path / "ix")])
    assert exit_info.value.code == 0
    assert "indexed 2 passages" in capsys.readouterr().out
    assert len(open_library(CorpusConfig(source=str(tmp_path / "ix")))) == 2


def test_files_are_indexed_once_per_content(corpus_files, tmp_path, monkeypatch):
    monkeypatch.setenv("SYNTHRL_CACHE", str(tmp_path / "cache"))
    source = str(corpus_files / "notes")
    first = open_library(CorpusConfig(source=source))
    again = open_library(CorpusConfig(source=source))
    assert first.folder == again.folder
    (corpus_files / "notes" / "d.txt").write_text("Rivers carry sediment to the sea.")
    assert open_library(CorpusConfig(source=source)).folder != first.folder


def test_builtin_wikipedia_summaries(tmp_path, monkeypatch):
    monkeypatch.setenv("SYNTHRL_CACHE", str(tmp_path))
    index = open_library(CorpusConfig(source="wiki-summaries"))
    assert len(index) > 9_000  # about 10,000 articles, less the 1 in 20 held out
    [[(best, _), *_]] = index.search(["photosynthesis chlorophyll plants"], k=3)
    assert best.title in {"Photosynthesis", "Chlorophyll"}
