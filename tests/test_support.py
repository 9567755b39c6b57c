"""Samples that stand on their passage: the input carries the passage where the task's input
format asks for a text, a short answer occurs in the passage, and a closed label the passage
does not support is dropped by one more teacher call."""

import json
from collections import Counter

import pytest

from synthrl.config import load_config
from synthrl.io import read_jsonl
from synthrl.pipeline import run_synth
from synthrl.synth.checks import InputChecks
from synthrl.synth.support import (
    asks_back,
    carries,
    in_passage,
    passage_span,
    question_part,
    supported,
    wants_text,
)
from synthrl.task import load_task
from synthrl.testing.fake_server import FakeServer
from synthrl.testing.scripted import LabelTeacher

MENTIONS = """
name: mentions
description: Say whether the passage mentions the given word.
input_format: A short passage after "Passage:", then a word after "Word:".
answer: {type: boolean}
"""
FIRST_WORD = """
name: first-word
description: Name the first word of four letters or more that the passage uses.
input_format: A short passage after "Passage:", then the question.
answer: {type: text}
"""
TOWNS = [
    ("Harbor towns", "Fishing boats crowd the harbor below the chapel. Many places here are old."),
    ("Mill valleys", "Water turned the mill wheel beside the meadow. Such places grew quickly."),
    ("Castle hills", "Stone walls surround the castle above the river. Visitors love such places."),
    ("Canal cities", "Barges carried timber along the canal past the market. Places thrived."),
    ("Forest roads", "Travelers crossed the forest toward the orchard. The places were remote."),
    ("Quarry villages", "Workers cut granite from the quarry near the station. Few places remain."),
]  # fmt: skip
GENERATE = ("keywords", "retrieve", "pattern", "generate")


@pytest.fixture(autouse=True)
def isolated_cache(tmp_path, monkeypatch):
    monkeypatch.setenv("SYNTHRL_CACHE", str(tmp_path / "synthrl-cache"))


@pytest.fixture
def corpus(tmp_path):
    path = tmp_path / "towns.jsonl"
    rows = [{"title": title, "text": text} for title, text in TOWNS]
    path.write_text("".join(json.dumps(row) + "\n" for row in rows))
    return path


def task_from(tmp_path, text, name):
    path = tmp_path / f"{name}.yaml"
    path.write_text(text)
    return load_task(path)


def config_for(server, corpus, n=24, **synth):
    return load_config(
        profile="cpu",
        overrides={
            "teacher": {"base_url": server.base_url, "model": "fake", "concurrency": 8},
            "synth": {"n": n, "votes": 3, **synth},
            "corpus": {"source": str(corpus)},
        },
    )


def test_the_pieces():
    passage = "Fishing boats crowd the harbor below the chapel."
    assert carries(f"Passage: {passage}\nWord: mill", passage)
    assert not carries("Word: mill", passage)
    assert in_passage("the harbors", passage) and not in_passage("harbor chapel", passage)
    assert (supported("Yes, it does."), supported("no"), supported("Perhaps.")) == (
        True, False, None,
    )  # fmt: skip
    assert wants_text(load_task("wiki-topics")) and not wants_text(load_task("gsm8k"))


def test_inputs_that_leave_their_passage_out_are_rejected(tmp_path, corpus):
    task = task_from(tmp_path, MENTIONS, "mentions")
    with FakeServer(LabelTeacher("boolean", drops_passage=0.3)) as server:
        stages = run_synth(task, config_for(server, corpus), tmp_path / "run", False, GENERATE)
        prompts = [json.loads(p)["messages"][0]["content"] for p in server.prompts]
    generate = stages["generate"]["counts"]
    assert 3 <= generate["rejected_passage_not_in_input"] <= 12
    assert all(
        r["input"].startswith("Passage: ") for r in read_jsonl(tmp_path / "run" / "generate.jsonl")
    )
    asking = [p for p in prompts if p.startswith("You write one new example")]
    assert all("holding the passage's text" in p for p in asking)


def test_without_passage_in_input_the_same_inputs_are_kept(tmp_path, corpus):
    task = task_from(tmp_path, MENTIONS, "mentions")
    with FakeServer(LabelTeacher("boolean", drops_passage=0.3)) as server:
        config = config_for(server, corpus, passage_in_input="no")
        stages = run_synth(task, config, tmp_path / "run", False, GENERATE)
    assert "rejected_passage_not_in_input" not in stages["generate"]["counts"]


def test_short_answers_outside_the_passage_are_rejected(tmp_path, corpus):
    task = task_from(tmp_path, FIRST_WORD, "first-word")
    with FakeServer(LabelTeacher("text", outside=0.3)) as server:
        stages = run_synth(task, config_for(server, corpus), tmp_path / "run", False, GENERATE)
    generate = stages["generate"]["counts"]
    assert 3 <= generate["rejected_answer_not_in_passage"] <= 12
    for record in read_jsonl(tmp_path / "run" / "generate.jsonl"):
        assert in_passage(record["proposed_answer"], record["input"])


def test_labels_the_passage_does_not_support_are_dropped_by_the_support_vote(tmp_path, corpus):
    task = task_from(tmp_path, MENTIONS, "mentions")
    # on a share of the passages every vote is wrong; the generator follows its target, so
    # with the veto off only the support vote can catch those labels
    teacher = LabelTeacher("boolean", vote_error=0.35)
    with FakeServer(teacher) as server:
        config = config_for(server, corpus, generator_answer="ignore")
        stages = run_synth(task, config, tmp_path / "run", False, (*GENERATE, "verify"))
    verify = stages["verify"]["counts"]
    assert verify["support_asked"] == verify["verified"] + verify["rejected_not_supported"]
    assert verify["rejected_not_supported"] >= 3 and verify["support_unread"] == 0
    kept = read_jsonl(tmp_path / "run" / "verify.jsonl")
    assert all(teacher._truth(r["input"]) == r["answer"] for r in kept)
    refused = [r for r in read_jsonl(tmp_path / "run" / "verify.rejects.jsonl")
               if r["reason"] == "not_supported"]  # fmt: skip
    assert refused and all(teacher._truth(r["input"]) != r["label"] for r in refused)
    assert Counter(r["answer"] for r in kept).keys() <= {"yes", "no"}


def test_the_support_vote_can_be_turned_off(tmp_path, corpus):
    task = task_from(tmp_path, MENTIONS, "mentions")
    with FakeServer(LabelTeacher("boolean", vote_error=0.35)) as server:
        config = config_for(server, corpus, generator_answer="ignore", support_vote=False)
        stages = run_synth(task, config, tmp_path / "run", False, (*GENERATE, "verify"))
    assert "support_asked" not in stages["verify"]["counts"]


def test_a_choice_task_over_passages_goes_through_every_teacher_stage(tmp_path, corpus):
    # balance, grounding, the support vote, dedup and decontamination on one run
    task = task_from(
        tmp_path,
        """
name: which-word
description: Pick the word that the passage mentions.
input_format: A short passage after "Passage:", a question, then four options A) to D).
answer: {type: choice, options: [A, B, C, D]}
""",
        "which-word",
    )
    first = tmp_path / "first"
    with FakeServer(LabelTeacher("choice", follows=0.0, drops_passage=0.2)) as server:
        run_synth(task, config_for(server, corpus), first, False, GENERATE)
        posed = read_jsonl(first / "generate.jsonl")[0]["input"]
        held_out = tmp_path / "held-out.jsonl"
        held_out.write_text(json.dumps({"input": posed, "answer": "A"}) + "\n")
        config = config_for(server, corpus, decontaminate=[str(held_out)])
        stages = run_synth(task, config, tmp_path / "run", False)
    generate, verify, dedup = (stages[name]["counts"] for name in ("generate", "verify", "dedup"))
    assert generate["rejected_passage_not_in_input"] >= 2 and generate["options_moved"] >= 6
    assert verify["support_asked"] == verify["verified"] + verify.get("rejected_not_supported", 0)
    # the held-out input's passage is a 13-gram of every input written over that passage
    assert dedup["contaminated"] >= 1
    assert dedup["kept"] == verify["verified"] - dedup["contaminated"] - dedup["duplicates"]
    assert posed not in {r["input"] for r in read_jsonl(tmp_path / "run" / "dedup.jsonl")}
    letters = Counter(r["answer"] for r in read_jsonl(tmp_path / "run" / "dedup.jsonl"))
    assert max(letters.values()) - min(letters.values()) <= 3  # spread over A to D


def test_an_input_without_a_field_label_its_format_quotes_is_rejected():
    from synthrl.synth.checks import InputChecks, field_labels

    task = load_task("examples/tasks/yes-no.yaml")
    assert field_labels(task.spec.input_format) == ["Passage:", "Question:"]
    checks = InputChecks(task, 0.8)
    passage = "Divination is the attempt to gain insight into a question by a ritual."
    assert checks.problem(passage, "no") == (
        "breaks_input_format", {"detail": 'no "Passage:" in the input'},
    )  # fmt: skip
    assert checks.problem(f"Passage: {passage}\nQuestion: is divination a ritual?", "yes") is None


def test_a_format_that_quotes_field_labels_asks_for_the_input_field_by_field(tmp_path, corpus):
    from synthrl.synth.writer import parse_sample

    task = load_task("examples/tasks/yes-no.yaml")
    reply = '{"input": {"Passage": "Rivers flow.", "Question": "do rivers flow?"}, "answer": "yes"}'
    fields, reason = parse_sample(reply, "stop", task.verifier)
    assert reason == "ok" and fields["input"] == "Passage: Rivers flow.\nQuestion: do rivers flow?"
    mentions = task_from(tmp_path, MENTIONS, "mentions")
    with FakeServer(LabelTeacher("boolean")) as server:
        run_synth(mentions, config_for(server, corpus, n=4), tmp_path / "run", False, GENERATE)
        prompts = [json.loads(p)["messages"][0]["content"] for p in server.prompts]
    asking = [p for p in prompts if p.startswith("You write one new example")]
    assert asking and all('{"input": {"Passage": "...", "Word": "..."}' in p for p in asking)


@pytest.mark.slow
def test_a_label_task_over_passages_runs_every_stage_with_the_real_student(tmp_path, corpus):
    # A yes/no task over passages from generate to eval: balanced targets, the support vote,
    # dedup, the real SmolLM2 student scoring and training (one step), evaluation on held-out
    # items with their gold labels, and the report.
    from synthrl.cli import main

    task = tmp_path / "mentions.yaml"
    task.write_text(MENTIONS)
    held_out = tmp_path / "held-out.jsonl"
    items = [
        ("Fishing boats crowd the harbor below the chapel.", "harbor", "yes"),
        ("Barges carried timber along the canal past the market.", "castle", "no"),
        ("Stone walls surround the castle above the river.", "river", "yes"),
        ("Travelers crossed the forest toward the orchard.", "quarry", "no"),
    ]
    held_out.write_text(
        "".join(
            json.dumps({"input": f"Passage: {text}\nWord: {word}", "answer": gold}) + "\n"
            for text, word, gold in items
        )
    )
    (tmp_path / "tiny.yaml").write_text(
        f"profile: cpu\nteacher: {{model: fake, concurrency: 4}}\nsynth: {{n: 16, votes: 3}}\n"
        f"corpus: {{source: '{corpus}'}}\nstudent: {{max_tokens: 16}}\nscore: {{samples: 2}}\n"
        "select: {m: 6, validation: 0.2}\n"
        "train: {max_steps: 1, num_generations: 2, prompts_per_step: 1, "
        "max_completion_length: 8, save_steps: 1}\n"
    )
    out = tmp_path / "run"
    teacher = LabelTeacher("boolean", bias=0.9, vote_error=0.2)
    with FakeServer(teacher) as server, pytest.raises(SystemExit) as exit_info:
        main(["run", str(task), "--config", str(tmp_path / "tiny.yaml"), "--out", str(out),
              "--teacher-base-url", server.base_url, "--eval-data", str(held_out),
              "--quiet"])  # fmt: skip
    assert exit_info.value.code == 0
    stages = json.loads((out / "manifest.json").read_text())["stages"]
    assert all(entry["status"] == "done" for entry in stages.values())
    # asked for each answer in turn, a teacher that says yes 90% of the time gives both
    kept = Counter(r["answer"] for r in read_jsonl(out / "dedup.jsonl"))
    assert kept["yes"] and kept["no"] and max(kept.values()) <= 2 * min(kept.values()) + 2
    assert stages["verify"]["counts"]["support_asked"] >= 1
    assert stages["eval"]["counts"]["items"] == 4
    # the report shows the label spread that dedup kept
    spread = stages["dedup"]["counts"]["label_counts"]
    assert spread == dict(kept)
    shown = ", ".join(f"{label} {n}" for label, n in spread.items())
    assert f"Labels by answer: {shown}." in (out / "report.md").read_text()


SPANS = [
    # (answer, passage, question, what a reader takes for the answer)
    ("Ngoyo", "Provinces ruled by the Manikongo included Ngoyo.", "Which province?", "Ngoyo"),
    ("The province ruled by the Manikongo was Ngoyo.",
     "Provinces ruled by the Manikongo included Ngoyo and Kakongo.",
     "Which province was ruled by the Manikongo?", "ngoyo"),
    ("His system is called Braille.",
     "Louis Braille invented a reading system. His system is used worldwide.",
     "What is the name of the reading system?", "braille"),
    ("His system is called Braille.",  # the question names the answer: nothing is added
     "Louis Braille invented a reading system. His system is used worldwide.",
     "What is the name of Louis Braille's system?", "His system is called Braille."),
    ("The answer is Paris.",  # nothing it adds occurs in the passage
     "Fishing boats crowd the harbor below the chapel.", "Where are the boats?",
     "The answer is Paris."),
    ("The boats are in the harbor.",  # "harbor": the one run it adds to the question
     "Fishing boats crowd the harbor below the chapel.", "Where are the boats?", "harbor"),
    ("The boats crowd here.", "Fishing boats crowd the harbor.", "What do the boats do?",
     "boat crowd"),  # "here" is not in the passage
]  # fmt: skip


@pytest.mark.parametrize(("answer", "passage", "question", "span"), SPANS)
def test_a_sentence_around_a_span_is_cut_to_the_span(answer, passage, question, span):
    assert passage_span(answer, passage, question) == span


def test_question_part_leaves_the_passage_out():
    passage = "Fishing boats crowd the harbor below the chapel on most mornings of the year."
    task_input = f"Passage: {passage}\nQuestion: Where do the boats crowd?"
    assert question_part(task_input, passage) == "Question: Where do the boats crowd?"


def test_short_answers_written_as_sentences_become_their_spans(tmp_path, corpus):
    task = task_from(tmp_path, FIRST_WORD, "first-word")
    with FakeServer(LabelTeacher("text", sentences=0.5)) as server:
        stages = run_synth(
            task, config_for(server, corpus), tmp_path / "run", False, (*GENERATE, "verify")
        )
        prompts = [json.loads(p)["messages"][0]["content"] for p in server.prompts]
    asking = [p for p in prompts if p.startswith("You write one new example")]
    assert asking and all("a few words copied word for word from the passage" in p for p in asking)
    generate, verify = stages["generate"]["counts"], stages["verify"]["counts"]
    assert 6 <= generate["answer_cut_to_passage"] <= 18
    assert "rejected_answer_not_in_passage" not in generate
    assert "rejected_label_not_in_passage" not in verify
    labelled = read_jsonl(tmp_path / "run" / "verify.jsonl")
    assert len(labelled) == generate["parsed"] >= 5  # one input per passage of the corpus
    for record in labelled:  # one word of the passage, the word the question asks for
        assert len(record["answer"].split()) == 1
        assert in_passage(record["answer"], record["input"])


ASKED_BACK = [
    # (answer, question, restates the question): the pilot's label and its neighbours
    (
        "extent to which historians are influenced by their own group and loyalty",
        "To what extent are historians influenced by their own group and loyalty?",
        True,
    ),
    (
        "their own group and loyalty",
        "To what extent are historians influenced by their own group and loyalty?",
        True,
    ),
    ("own group", "What are historians influenced by?", False),
    ("Ngoyo", "Which province was ruled by the Manikongo?", False),
    ("the Manikongo", "Which province was ruled by the Manikongo?", True),
    ("", "Which province was ruled by the Manikongo?", False),
]


@pytest.mark.parametrize(("answer", "question", "restates"), ASKED_BACK)
def test_an_answer_the_question_already_holds_answers_nothing(answer, question, restates):
    passage = (
        "Historians are influenced by their own group and loyalty, to an extent. Provinces "
        "ruled by the Manikongo included Ngoyo and Kakongo."
    )
    task_input = f"Passage: {passage}\nQuestion: {question}"
    assert asks_back(answer, task_input, passage) is restates


def test_a_generated_answer_that_restates_the_question_is_rejected():
    passage = "Historians are influenced by their own group and loyalty, to an extent."
    checks = InputChecks(load_task("examples/tasks/reading.yaml"), 0.9, passage_in_input=True)
    task_input = f"Passage: {passage}\nQuestion: To what extent are historians influenced?"
    assert checks.problem(task_input, "to an extent", passage) == (
        "answer_in_question",
        {"detail": "to an extent"},
    )
    asked = f"Passage: {passage}\nQuestion: What are historians influenced by?"
    assert checks.problem(asked, "their own group and loyalty", passage) is None
    clause = "historians are influenced by their own group and loyalty, to an extent"
    assert checks.problem(asked, clause, passage) == ("answer_too_long", {"detail": clause})


def test_a_question_that_cannot_be_told_from_its_passage_is_not_read_as_one():
    passage = "Historians are influenced by their own group and loyalty, to an extent."
    one_line = f"Passage: {passage} Question: What are historians influenced by?"
    assert not asks_back("their own group and loyalty", one_line, passage)


@pytest.mark.parametrize(
    "written",
    [
        "Passage: Rocks fall.\nQuestion: What falls? INPUT>>}",
        "<<<INPUT\nPassage: Rocks fall.\nQuestion: What falls?\nINPUT>>>",
        "Passage: Rocks fall.\nQuestion: What falls?\ninput>>>",
        "Passage: Rocks fall.\nQuestion: What falls? <<<",
    ],
)
def test_the_prompts_markers_copied_into_an_input_are_taken_out(written):
    from synthrl.synth.writer import parse_sample

    reply = json.dumps({"input": written, "reasoning": "", "answer": "rocks"})
    fields, reason = parse_sample(reply, "stop", load_task("examples/tasks/reading.yaml").verifier)
    assert reason == "ok"
    assert fields["input"] == "Passage: Rocks fall.\nQuestion: What falls?"
