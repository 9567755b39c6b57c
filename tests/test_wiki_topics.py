"""The wiki-topics task: real held-out Wikipedia text with topic labels."""

from collections import Counter

from synthrl.evaluate.benchmarks import load_items
from synthrl.evaluate.sets import eval_questions
from synthrl.evaluate.wiki_topics import held_out
from synthrl.task import load_task


def test_held_out_items_are_balanced_and_readable_by_the_task():
    items = load_items("wiki-topics", limit=50)
    assert Counter(item.answer for item in items) == {
        "arts": 10, "geography": 10, "history": 10, "people": 10, "science": 10,
    }  # fmt: skip
    verifier = load_task("wiki-topics").verifier
    assert all(verifier.canonical(item.answer) == item.answer for item in items)
    assert all(held_out(item.id) for item in items)


def test_decontamination_uses_the_held_out_text():
    questions = eval_questions("wiki-topics")
    assert len(questions) == len(load_items("wiki-topics")) > 300


def test_topic_answers_are_read_leniently():
    verifier = load_task("wiki-topics").verifier
    assert verifier.extract("This passage is about a painter.\nArts") == "arts"
    assert verifier.extract("The answer is science.") == "science"
    assert verifier.extract("People, geography, science, arts, or history.") is None
