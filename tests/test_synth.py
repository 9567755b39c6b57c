"""Teacher-side stages against the fake server with the scripted arithmetic teacher."""

import json
import os
import re
import signal
import subprocess
import sys
import time

import pytest

from synthrl.cli import main
from synthrl.config import load_config
from synthrl.io import read_json, read_jsonl, write_jsonl
from synthrl.pipeline import run_synth
from synthrl.synth.duplicates import Contamination, NearDuplicates
from synthrl.synth.vote import decide, tally
from synthrl.task import load_task
from synthrl.testing.fake_server import FakeServer
from synthrl.testing.scripted import ArithmeticTeacher


@pytest.fixture
def teacher():
    with FakeServer(ArithmeticTeacher()) as server:
        yield server


@pytest.fixture(autouse=True)
def isolated_cache(tmp_path, monkeypatch):
    monkeypatch.setenv("SYNTHRL_CACHE", str(tmp_path / "synthrl-cache"))


def config_for(server, **synth):
    overrides = {
        "teacher": {"base_url": server.base_url, "model": "fake", "concurrency": 8},
        "synth": {"n": 24, "votes": 4, **synth},
    }
    return load_config(profile="cpu", overrides=overrides)


def test_synth_command_writes_samples_rejects_and_summary(teacher, tmp_path, capsys):
    out = tmp_path / "run"
    args = [
        "synth",
        "gsm8k",
        "--out",
        str(out),
        "--teacher-base-url",
        teacher.base_url,
        "--teacher-model",
        "fake",
        "--n",
        "60",
        "--votes",
        "4",
        "--quiet",
    ]
    with pytest.raises(SystemExit) as exit_info:
        main(args)
    assert exit_info.value.code == 0
    calls = teacher.calls
    samples = read_jsonl(out / "dedup.jsonl")
    assert samples, "verified samples"
    for sample in samples:  # the scripted teacher's questions add the numbers they mention
        numbers = [int(x) for x in re.findall(r"\b\d+\b", sample["input"])]
        assert sample["answer"] == str(sum(numbers))
        assert sample["agreement"] >= 0.5 and sample["reference"].endswith(sample["answer"])
    stages = read_json(out / "manifest.json")["stages"]
    assert list(stages) == [
        "keywords",
        "retrieve",
        "pattern",
        "generate",
        "verify",
        "solve",
        "rewrite",
        "dedup",
    ]
    generate = stages["generate"]["counts"]
    rejects = read_jsonl(out / "generate.rejects.jsonl")
    assert generate["parsed"] + len(rejects) == 60
    assert generate.get("rejected_not_json", 0) == len(rejects) > 0
    verify = stages["verify"]["counts"]
    # The planted even splits get three more votes (the default where votes reason), and the
    # labels above are right; votes that read nothing are no label, whatever it says.
    assert verify["more_votes_asked"] > 0 and "rejected_tie" not in verify
    assert verify["rejected_no_readable_votes"] > 0
    assert {r["reason"] for r in read_jsonl(out / "verify.rejects.jsonl")} == {"no_readable_votes"}
    # The same command again makes no call at all.
    with pytest.raises(SystemExit):
        main(args)
    assert teacher.calls == calls
    assert read_jsonl(out / "dedup.jsonl") == samples
    capsys.readouterr()


def test_each_sample_gets_its_own_passage_until_all_are_used(teacher, tmp_path):
    out = tmp_path / "run"
    run_synth(load_task("gsm8k"), config_for(teacher, top_k=2, keywords=1), out, False)
    passages = [p["id"] for p in read_jsonl(out / "retrieve.jsonl")]
    assert 0 < len(passages) < 24
    used = [r["passage_id"] for r in read_jsonl(out / "generate.jsonl")]
    used += [r["passage_id"] for r in read_jsonl(out / "generate.rejects.jsonl")]
    assert sorted(used) == sorted((passages * 24)[:24])


def test_votes_are_grouped_by_the_task_verifier():
    verifier = load_task("gsm8k").verifier
    answers = [verifier.extract(t) for t in ["#### 5", "#### 5.0", "#### $5", "#### 6", "nope"]]
    groups, member = tally(answers, verifier)
    assert [(g.answer, g.count) for g in groups] == [("5", 3), ("6", 1)]
    assert member == [0, 0, 0, 1, None]


@pytest.mark.parametrize(
    ("counts", "total", "threshold", "expected"),
    [
        ([3, 1], 4, 0.5, "ok"),
        ([2, 2], 4, 0.5, "tie"),
        ([2, 1, 1], 4, 0.5, "ok"),
        ([2, 1, 1], 4, 0.75, "low_agreement"),
        ([1], 16, 0.5, "low_agreement"),  # 1 of 16 never wins, even unopposed
        ([], 4, 0.5, "no_readable_votes"),
    ],
)
def test_vote_threshold_and_ties(counts, total, threshold, expected):
    from synthrl.synth.vote import Group

    groups = [Group(str(i), str(i), c) for i, c in enumerate(counts)]
    assert decide(groups, total, threshold)[1] == expected


def test_rewrite_makes_harder_and_easier_versions_with_parent_ids(teacher, tmp_path):
    out = tmp_path / "run"
    config = config_for(teacher)
    run_synth(load_task("gsm8k"), config, out, False)
    verified = read_jsonl(out / "verify.jsonl")
    for i, record in enumerate(verified):
        record["greedy_solved"] = i % 2 == 0
    write_jsonl(out / "solve.jsonl", verified)  # as the solve stage writes it
    run_synth(load_task("gsm8k"), config, out, False, stages=("rewrite", "dedup"))
    rewritten = read_jsonl(out / "rewrite.jsonl")
    parents = {r["id"]: r for r in verified}
    assert rewritten
    for record in rewritten:
        parent = parents[record["parent_id"]]
        assert record["origin"] == ("harder" if parent["greedy_solved"] else "easier")
    counts = read_json(out / "manifest.json")["stages"]["rewrite"]["counts"]
    assert counts["requested_harder"] + counts["requested_easier"] == len(verified)
    # The rewrite prompt carries the sample only: no votes, scores or chains of thought.
    prompts = [json.loads(p)["messages"][0]["content"] for p in teacher.prompts]
    rewrite_prompts = [p for p in prompts if p.startswith("You rewrite")]
    assert rewrite_prompts and not any("####" in p or "votes" in p for p in rewrite_prompts)


def test_near_duplicates_and_contamination():
    near = NearDuplicates(0.8)
    near.add("a", "A club has 12 books about birds and gets 3 more. How many now?")
    assert near.match("A club has 12 books about birds and gets 3 more. How many now??") == "a"
    assert near.match("Tom bikes 12 miles on Monday and 9 on Tuesday. Total miles?") is None
    question = (
        "Janet's ducks lay 16 eggs per day. She eats three for breakfast every morning "
        "and bakes muffins for her friends every day with four."
    )
    contamination = Contamination({"gsm8k": [question]})
    assert contamination.source("Rewritten: " + question[:90]) == "gsm8k"
    assert contamination.source("A farmer has 16 hens that lay eggs each day.") is None


def test_dedup_decontaminates_against_the_gsm8k_test_set(teacher, tmp_path):
    out = tmp_path / "run"
    config = config_for(teacher)
    run_synth(load_task("gsm8k"), config, out, False)
    verified = read_jsonl(out / "verify.jsonl")
    leaked = dict(
        verified[0],
        id="leak",
        input=(
            "Janet’s ducks lay 16 eggs per day. She eats three for breakfast every morning and "
            "bakes muffins for her friends every day with four."
        ),
    )
    twin = dict(verified[1], id="twin", input=verified[1]["input"] + " ")
    write_jsonl(out / "verify.jsonl", [*verified, leaked, twin])
    stages = run_synth(load_task("gsm8k"), config, out, False, stages=("dedup",))
    counts = stages["dedup"]["counts"]
    assert counts["contaminated"] == 1 and counts["duplicates"] == 1
    reasons = {r["id"]: r["reason"] for r in read_jsonl(out / "dedup.rejects.jsonl")}
    assert reasons == {"leak": "contaminated", "twin": "duplicate"}


def test_samples_that_copy_a_demo_or_the_task_text_are_rejected(tmp_path):
    task = load_task("wiki-topics")
    demo = task.spec.demos[0].input
    base = {"task": task.name, "answer": "geography", "reference": "geography",
            "origin": "initial", "parent_id": None, "passage_id": None,
            "votes": {"geography": 2}, "unreadable_votes": 0,
            "agreement": 1.0}  # fmt: skip
    samples = [
        {**base, "id": "copy", "input": demo.replace("Europe.", "Europe!")},
        {**base, "id": "echo", "input": "Answer with one word: people, geography, science."},
        {**base, "id": "new", "input": "The Loire is the longest river in France."},
    ]
    out = tmp_path / "run"
    out.mkdir()
    write_jsonl(out / "verify.jsonl", samples)
    config = load_config(
        profile="cpu", overrides={"teacher": {"base_url": "http://127.0.0.1:9/v1"}}
    )
    stages = run_synth(task, config, out, False, stages=("dedup",))
    counts = stages["dedup"]["counts"]
    assert counts["copies_demo"] == 1 and counts["copies_task"] == 1
    assert [r["id"] for r in read_jsonl(out / "dedup.jsonl")] == ["new"]
    rejects = {
        r["id"]: (r["reason"], r["copy_of"]) for r in read_jsonl(out / "dedup.rejects.jsonl")
    }
    assert rejects == {"copy": ("copies_demo", "demo 1"), "echo": ("copies_task", "output_format")}


@pytest.mark.slow
def test_killed_run_resumes_without_repeating_calls(tmp_path):
    with FakeServer(ArithmeticTeacher(), latency_s=0.05) as server:
        out = tmp_path / "run"
        args = [
            sys.executable,
            "-m",
            "synthrl",
            "synth",
            "gsm8k",
            "--out",
            str(out),
            "--teacher-base-url",
            server.base_url,
            "--teacher-model",
            "fake",
            "--n",
            "60",
            "--votes",
            "4",
            "--concurrency",
            "4",
            "--config",
            str(tmp_path / "no-extra-votes.yaml"),
            "--quiet",
        ]
        # More votes for a label in doubt resend its prompt, which the server counts as a repeat.
        (tmp_path / "no-extra-votes.yaml").write_text("synth: {extra_votes: 0}\n")
        env = {**os.environ, "SYNTHRL_CACHE": str(tmp_path / "c")}
        process = subprocess.Popen(
            args, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
        )
        deadline = time.time() + 120
        while server.calls < 20 and time.time() < deadline:
            time.sleep(0.01)
        os.kill(process.pid, signal.SIGKILL)
        process.wait()
        assert not (out / "dedup.jsonl").exists()
        done = subprocess.run(args, env=env, capture_output=True, text=True, timeout=300)
        assert done.returncode == 0, done.stderr
        resumed = read_jsonl(out / "dedup.jsonl")
        assert server.repeated_prompts() <= 4, "at most the calls in flight are repeated"

    with FakeServer(ArithmeticTeacher()) as server:
        fresh = tmp_path / "fresh"
        args[args.index(str(out))] = str(fresh)
        args[args.index("--teacher-base-url") + 1] = server.base_url
        subprocess.run(args, env=env, check=True, capture_output=True, timeout=300)
        assert resumed == read_jsonl(fresh / "dedup.jsonl")


def test_demos_bring_a_pattern_into_every_generation_prompt(teacher, tmp_path):
    task_file = tmp_path / "adding.yaml"
    task_file.write_text(
        "name: adding\ndescription: Add the numbers in a short story.\n"
        "input_format: One or two sentences with whole numbers.\n"
        "answer: {type: number}\n"
        "demos:\n"
        "  - input: Ann has 3 pens and buys 4 more. How many pens?\n"
        "    output: 3 + 4 = 7\\n#### 7\n"
        "  - input: A shelf has 10 cups and gets 5 more. How many cups?\n"
        "    output: 10 + 5 = 15\\n#### 15\n"
    )
    out = tmp_path / "run"
    config = load_config(
        profile="cpu",
        overrides={
            "teacher": {"base_url": teacher.base_url, "model": "fake"},
            "synth": {"n": 6, "votes": 2, "demos_in_prompt": 1},
            "corpus": {"source": "none"},
        },
    )
    run_synth(load_task(task_file), config, out, False)
    assert read_json(out / "pattern.json")["pattern"]
    prompts = [json.loads(p)["messages"][0]["content"] for p in teacher.prompts]
    generation = [p for p in prompts if p.startswith("You write one new example")]
    assert len(generation) == 6
    assert all("Pattern of one example" in p and "Example 1:" in p for p in generation)
    assert all("no passage" in p for p in generation)


def test_run_folder_commands_chain_from_synth_to_selection(teacher, tmp_path, capsys):
    """synth -> score (student behind an OpenAI-compatible server) -> select, via the CLI."""
    out = tmp_path / "run"
    common = ["--quiet"]
    synth = ["synth", "gsm8k", "--out", str(out), "--teacher-base-url", teacher.base_url,
             "--teacher-model", "fake", "--profile", "cpu", "--n", "16"]  # fmt: skip
    student = ["--backend", "server", "--student-base-url", teacher.base_url]
    for args in (synth + common, ["score", str(out), *student, "--samples", "4", *common],
                 ["select", str(out), "--m", "6"]):  # fmt: skip
        with pytest.raises(SystemExit) as exit_info:
            main(args)
        assert exit_info.value.code == 0, capsys.readouterr().err
    scored = read_jsonl(out / "score.jsonl")
    # The scripted teacher answers correctly unless a question is one of its planted ones.
    assert scored and all(r["pass_rate"] in (0.0, 0.5, 1.0) for r in scored)
    selected = read_jsonl(out / "selected.jsonl") + read_jsonl(out / "validation.jsonl")
    assert len(selected) == min(6, len(scored))
    stages = read_json(out / "manifest.json")["stages"]
    assert stages["score"]["status"] == stages["select"]["status"] == "done"
    assert (out / "export" / "verl" / "train.parquet").is_file()


def test_without_a_corpus_no_search_queries_are_asked_for(teacher, tmp_path):
    config = config_for(teacher, n=4, votes=2)
    config = load_config(
        profile="cpu", overrides={**config.model_dump(), "corpus": {"source": "none"}}
    )
    stages = run_synth(load_task("gsm8k"), config, tmp_path / "run", False, ("keywords",))
    assert teacher.calls == 0
    assert stages["keywords"]["counts"]["from_teacher"] == 0
    assert read_json(tmp_path / "run" / "keywords.json")["keywords"] == list(
        load_task("gsm8k").spec.retrieval.keywords
    )
