"""The wiki-topics and wiki-people tasks: real held-out Wikipedia text with topic labels."""

from collections import Counter

from synthrl.evaluate.sets import eval_questions, load_items
from synthrl.task import load_task
from synthrl.wiki import held_out


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


def test_wiki_people_alternates_biographies_and_other_articles():
    items = load_items("wiki-people")
    topics = {item.id: item.answer for item in load_items("wiki-topics")}
    assert [item.answer for item in items[:4]] == ["yes", "no", "yes", "no"]
    assert sum(item.answer == "yes" for item in items) == len(items) // 2
    assert all((topics[item.id] == "people") == (item.answer == "yes") for item in items)
    verifier = load_task("wiki-people").verifier
    assert verifier.extract("No.") == "no" and verifier.extract("Yes, he was a painter.") == "yes"
    assert eval_questions("wiki-people") == [item.input for item in items]


def test_no_held_out_article_is_a_passage_of_the_built_in_library():
    from synthrl.wiki import corpus_passages, held_out

    titles = {passage.title for passage in corpus_passages(200)}
    held = {item.id for item in load_items("wiki-topics")}
    assert len(titles) > 8000 and held and not titles & held
    assert not any(held_out(title) for title in titles)
