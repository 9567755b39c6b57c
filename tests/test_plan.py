"""synthrl plan: a pilot on the run's caches predicts the run's teacher tokens and learnability;
the run that follows asks none of the pilot's requests again."""

import json
from pathlib import Path

import pytest

from synthrl.cli import main
from synthrl.config import load_config
from synthrl.io import read_json
from synthrl.plan import estimate, warnings
from synthrl.testing.fake_server import FakeServer
from synthrl.testing.scripted import ArithmeticTeacher, WeakTeacher

TINY = """\
profile: cpu
teacher: {model: fake, concurrency: 4, prices: {fake: {input: 1.0, output: 2.0}}}
# No extra votes: asked for labels in doubt, they resend a prompt, which the fake server
# would count as asked again.
synth: {n: 16, votes: 2, min_yield: 0, extra_votes: 0}
corpus: {source: none}
student: {max_tokens: 24}
score: {samples: 2}
select: {m: 6, validation: 0.2}
train: {max_steps: 1, num_generations: 2, prompts_per_step: 1, max_completion_length: 12,
        save_steps: 1}
eval: {limit: 4}
"""


def _cli(args, capsys):
    with pytest.raises(SystemExit) as exit_info:
        main(args)
    captured = capsys.readouterr()
    return exit_info.value.code, captured.out + captured.err


def _tokens(stages):
    return sum(
        usage.get(key, 0)
        for entry in stages.values()
        for usage in [entry.get("usage") or {}]
        for key in ("prompt_tokens", "completion_tokens", "cached_prompt_tokens",
                    "cached_completion_tokens")
    )  # fmt: skip


@pytest.mark.slow
def test_plan_predicts_the_run_and_the_run_reuses_the_pilot(tmp_path, monkeypatch, capsys):
    monkeypatch.setenv("SYNTHRL_CACHE", str(tmp_path / "cache"))
    (tmp_path / "tiny.yaml").write_text(TINY)
    out = tmp_path / "run"
    common = ["--config", str(tmp_path / "tiny.yaml"), "--out", str(out), "--quiet"]
    with FakeServer(ArithmeticTeacher()) as teacher:
        code, output = _cli(["plan", "gsm8k", "--pilot", "6", *common,
                             "--teacher-base-url", teacher.base_url], capsys)  # fmt: skip
        assert code == 0, output
        plan = read_json(out / "plan.json")
        assert plan["pilot"] == 6 and plan["n"] == 16
        assert "teacher tokens for N" in output and "plan.json" in output
        pilot_calls = teacher.calls
        code, output = _cli(["run", "gsm8k", "--until", "audit", *common,
                             "--teacher-base-url", teacher.base_url], capsys)  # fmt: skip
        assert code == 0, output
        assert teacher.repeated_prompts() == 0  # no request of the pilot was asked again
        assert teacher.calls > pilot_calls
    stages = read_json(out / "manifest.json")["stages"]
    measured = _tokens(stages)  # every teacher stage of the run, the audit included
    assert measured / 1.5 <= plan["teacher_tokens_total"] <= measured * 1.5
    assert plan["teacher_cost_total"] == pytest.approx(
        (plan["teacher_prompt_tokens_total"] + 2 * plan["teacher_completion_tokens_total"]) / 1e6,
        rel=1e-3,
    )
    score = stages["score"]["counts"]
    assert plan["learnable_share"] is not None and 0 <= plan["learnable_share"] <= 1
    assert abs(plan["label_yield"] - stages["verify"]["counts"]["verified"] / 16) <= 0.35
    assert score["samples"] > 0 and plan["train_s_per_step"] > 0
    assert not (out / "plan" / "model").exists() and not (out / "plan" / "train").exists()


SUMS = """\
name: sums
description: Add two one-digit numbers.
input_format: 'One question of the form "What is A + B?", where A and B are from 1 to 9.'
output_format: Write the calculation, then the result as a number alone on the last line.
answer: {type: number, read_from: final_line}
input_rules: {numbers: {min: 1, max: 9}, max_words: 8}
"""
SUMS_RUN = """\
profile: cpu
teacher: {model: fake, concurrency: 4}
synth: {n: 32, votes: 2, min_yield: 0}
corpus: {source: none}
student: {max_tokens: 16}
score: {samples: 4}
"""


@pytest.mark.slow
def test_the_pilot_predicts_the_share_the_student_learns_from(tmp_path, monkeypatch, capsys):
    """Sums the real built-in student solves some of the time: the pilot's learnable share (8
    requests) against the share the run then measures on all of its samples."""
    monkeypatch.setenv("SYNTHRL_CACHE", str(tmp_path / "cache"))
    (tmp_path / "sums.yaml").write_text(SUMS)
    (tmp_path / "run.yaml").write_text(SUMS_RUN)
    sums = [f"What is {a} + {b}?" for a in range(1, 10) for b in (2, 5, 7, 9)]
    out = tmp_path / "run"
    common = [str(tmp_path / "sums.yaml"), "--config", str(tmp_path / "run.yaml"), "--out",
              str(out), "--quiet"]  # fmt: skip
    with FakeServer(WeakTeacher(sums[::3] + sums[1::3] + sums[2::3])) as teacher:
        url = ["--teacher-base-url", teacher.base_url]
        code, output = _cli(["plan", *common, "--pilot", "8", *url], capsys)
        assert code == 0, output
        code, output = _cli(["run", *common, "--until", "score", *url], capsys)
        assert code == 0, output
    predicted = read_json(out / "plan.json")["learnable_share"]
    score = read_json(out / "manifest.json")["stages"]["score"]["counts"]
    measured = score.get("sometimes", 0) / score["samples"]
    assert 0.1 < measured < 0.9  # a share the pilot could miss either way
    assert abs(predicted - measured) <= 0.10, (predicted, score)


def _stages(**counts):
    usage = {"prompt_tokens": 100, "completion_tokens": 50}
    return {
        "keywords": {"counts": {}, "usage": usage},
        "generate": {"counts": {"requested": 10}, "usage": usage},
        "verify": {"counts": {"verified": counts.get("verified", 8)}, "usage": usage},
        "dedup": {"counts": {"kept": counts.get("kept", 8)}},
        "score": {"counts": {"samples": 8, "sampled": counts.get("sampled", 8),
                             "sometimes": counts.get("sometimes", 4),
                             "never_solved": counts.get("never", 2)}, "wall_s": 4.0},
    }  # fmt: skip


def test_estimates_scale_what_scales_with_n_and_keep_fixed_costs_once():
    config = load_config(None, "cpu", {"synth": {"n": 100}, "select": {"m": 32}})
    plan = estimate(_stages(), config, step_s=2.0, stopped=None)
    # generate + verify: 300 tokens per 10 requests; keywords: 150 once; the audit's 20 x 3
    # votes none here (the fixture's verify usage records no samples).
    assert plan["teacher_tokens_per_sample"] == 30
    assert plan["teacher_tokens_total"] == 150 + 30 * 100
    assert plan["teacher_cost_total"] is None  # no prices
    assert plan["label_yield"] == 0.8 and plan["expected_final_samples"] == 80
    assert plan["learnable_share"] == 0.5 and plan["expected_selected"] == 32
    assert plan["learnable_share_ci"] == [0.215, 0.785]  # 4 of 8: Wilson's 95% interval
    assert plan["score_s_total"] == 40.0
    # Half the pilot's answers came from the cache: 4 s bought 4 samples, not 8.
    assert estimate(_stages(sampled=4), config, 2.0, None)["score_s_total"] == 80.0
    # All of them: the wall time measured nothing, so the plan claims nothing.
    assert estimate(_stages(sampled=0), config, 2.0, None)["score_s_total"] is None
    assert any("no cost" in w for w in plan["warnings"])
    json.dumps(plan)


def test_warnings_say_what_to_change():
    config = load_config(None, "cpu", {"synth": {"n": 100}, "select": {"m": 32}})
    hard = estimate(_stages(sometimes=0, never=8), config, None, None)
    assert any("never solves 100%" in w and "larger student" in w for w in hard["warnings"])
    easy = estimate(_stages(sometimes=0, never=0), config, None, None)
    assert any("harder" in w for w in easy["warnings"])
    few = estimate(_stages(verified=2, kept=2, sometimes=1), config, None, None)
    assert any("became labelled" in w for w in few["warnings"])
    assert any("N = " in w for w in few["warnings"])
    assert any("from 8 scored samples: 95% CI 2% to 47%" in w for w in few["warnings"])
    stopped = estimate(_stages(), config, None, "generate kept 0 of 10")
    assert warnings(stopped, config)[0].startswith("the pilot stopped")


def test_the_plan_says_what_the_label_checks_found():
    config = load_config(None, "cpu", {"synth": {"n": 100}, "select": {"m": 32}})
    stages = _stages()
    stages["verify"]["counts"] |= {"examples_masked": 'output_format "#### 42"',
                                   "rejected_echoes_example": 2,
                                   "rejected_generator_disagrees": 1}  # fmt: skip
    stages["dedup"]["counts"] |= {
        "top_label": "42",
        "top_label_share": 0.4,
        "top_label_shown_in": "output_format",
        "label_check": "warn",
    }
    plan = estimate(stages, config, None, None)
    assert plan["examples_masked"] == 'output_format "#### 42"' and plan["label_check"] == "warn"
    assert plan["echoes_dropped"] == 2 and plan["generator_vetoed"] == 1
    assert any("40% of the pilot's labels are '42', the answer the task's output_format shows"
               in w for w in plan["warnings"])  # fmt: skip
    assert any("2 labels equal to an example value" in w for w in plan["warnings"])


BUDGET = """\
teacher: {model: fake, concurrency: 1, max_tokens: 64,
          prices: {fake: {input: 1000.0, output: 1000.0}}}
synth: {n: 12, votes: 2, min_yield: 0, extra_votes: 0}  # each prompt asked once
corpus: {source: none}
"""


def test_a_budget_stops_the_teacher_before_the_spend_passes_it(tmp_path, capsys):
    """Each call's worst case is held against the budget before it is sent; the stage fails
    with exit 2, what it spent is recorded, and a larger budget resumes from the cache."""
    (tmp_path / "b.yaml").write_text(BUDGET)
    out = tmp_path / "run"
    with FakeServer(ArithmeticTeacher()) as teacher:
        args = ["synth", "gsm8k", "--config", str(tmp_path / "b.yaml"), "--out", str(out),
                "--teacher-base-url", teacher.base_url, "--quiet"]  # fmt: skip
        code, output = _cli([*args, "--budget", "1.0"], capsys)
        assert code == 2 and "teacher budget 1 reached" in output, output
        assert "rerun with a larger --budget" in output and "Traceback" not in output
        manifest = read_json(out / "manifest.json")
        assert 0 < manifest["teacher_spend"] <= 1.0
        assert manifest["stages"]["generate"]["status"] == "failed"
        assert manifest["stages"]["generate"]["usage"]["cost"] > 0
        calls = teacher.calls
        code, output = _cli([*args, "--budget", "100"], capsys)
        assert code == 0, output
        assert teacher.repeated_prompts() == 0 and teacher.calls > calls
    spent = read_json(out / "manifest.json")["teacher_spend"]
    assert manifest["teacher_spend"] < spent <= 100


def test_a_budget_without_prices_is_refused(tmp_path, capsys):
    (tmp_path / "b.yaml").write_text("teacher: {model: fake}\ncorpus: {source: none}\n")
    code, output = _cli(["synth", "gsm8k", "--config", str(tmp_path / "b.yaml"), "--out",
                         str(tmp_path / "run"), "--teacher-base-url", "http://127.0.0.1:9/v1",
                         "--budget", "5"], capsys)  # fmt: skip
    assert code == 2 and "teacher.prices.fake" in output and "Traceback" not in output


def test_the_plan_shows_the_pilots_labels_by_answer(capsys):
    from synthrl.cli_plan import show

    config = load_config(None, "cpu", {"synth": {"n": 100}, "select": {"m": 32}})
    stages = _stages()
    stages["generate"]["counts"] |= {"on_target": 7}
    labels = {"top_label": "yes", "top_label_share": 0.6, "label_check": "ok"}
    stages["dedup"]["counts"] |= {**labels, "label_counts": {"yes": 6, "no": 4}}
    plan = estimate(stages, config, None, None)
    assert plan["label_counts"] == {"yes": 6, "no": 4} and plan["on_target"] == 7
    show(plan, Path("runs/x"))
    assert "yes 6, no 4" in capsys.readouterr().out


def test_label_reading_is_the_mean_pass_rate_over_labels_against_chance(verifier_for):
    from synthrl.student.scoring import label_reading

    verifier = verifier_for("mednli")
    values = ["entailment", "contradiction", "neutral"]
    # a student that says "entailment" to everything: right on those, wrong on the rest
    constant = [
        {"answer": answer, "pass_rate": rate}
        for answer, rate in [
            ("entailment", 1.0),
            ("neutral", 0.0),
            ("contradiction", 0.0),
            ("Neutral", 0.0),
        ]
    ]
    reading = label_reading(constant, values, verifier)
    assert reading["pass_rate_by_label"] == {
        "entailment": 1.0,
        "contradiction": 0.0,
        "neutral": 0.0,
    }
    assert reading["balanced_pass_rate"] == reading["chance_pass_rate"] == 0.3333
    assert label_reading([{"answer": "neutral", "pass_rate": 0.5}], values, verifier) == {}
    assert label_reading(constant, None, verifier) == {}


def test_a_student_that_does_not_read_the_label_is_named_by_the_plan(capsys):
    from synthrl.cli_plan import show

    config = load_config(None, "cpu", {"synth": {"n": 100}, "select": {"m": 32}})
    stages = _stages()
    # the first sentiment run's pool: right on 66% of the positive samples' answers, 24% of
    # the negative ones'
    stages["score"]["counts"] |= {
        "pass_rate_by_label": {"positive": 0.655, "negative": 0.243},
        "balanced_pass_rate": 0.449,
        "chance_pass_rate": 0.5,
    }
    plan = estimate(stages, config, None, None)
    assert any("hardly follow the label: right on positive 66%, negative 24%" in w
               for w in plan["warnings"])  # fmt: skip
    show(plan, Path("runs/x"))
    assert "positive 66%, negative 24% (chance 50%)" in capsys.readouterr().out
    stages["score"]["counts"] |= {
        "pass_rate_by_label": {"positive": 0.8, "negative": 0.7},
        "balanced_pass_rate": 0.75,
    }
    assert not any("hardly" in w for w in estimate(stages, config, None, None)["warnings"])
