"""The run report: every section present, plots embedded, missing data said plainly."""

import json

from synthrl.cli import main
from synthrl.io import write_json, write_jsonl
from synthrl.report import similarity, write_report

SECTIONS = [
    "Stage funnel",
    "Labels and the examples in the task",
    "Pass rates (initial, after adaptation, selected)",
    "Input lengths and diversity",
    "Training curves",
    "Evaluation: base vs trained",
    "Teacher usage",
    "Example samples",
]


def make_run(folder):
    samples = [
        {"id": str(i), "input": f"Question {i}: add {i} and {i + 1} apples together.",
         "answer": str(2 * i + 1), "origin": ["initial", "harder", "easier"][i % 3],
         "pass_rate": [0.0, 0.25, 0.5, 1.0][i % 4]}
        for i in range(12)
    ]  # fmt: skip
    write_jsonl(folder / "score.jsonl", samples)
    write_jsonl(folder / "selected.jsonl", samples[:5])
    usage = {"requests": 3, "samples": 6, "cached_samples": 0, "prompt_tokens": 90,
             "completion_tokens": 40, "retries": 0, "cost": 0.0012}  # fmt: skip
    write_json(folder / "manifest.json", {"stages": {
        "generate": {"status": "done", "counts": {"parsed": 12, "rejected_not_json": 2},
                     "usage": usage, "wall_s": 1.5}}})  # fmt: skip
    (folder / "train").mkdir()
    rows = [{"step": s, "reward_mean": s / 10, "completion_length": 20 + s, "kl": 0.01 * s}
            for s in range(1, 6)]  # fmt: skip
    (folder / "train" / "metrics.jsonl").write_text("".join(json.dumps(r) + "\n" for r in rows))
    controls = {"no_answer_share": 0.05, "checker_errors": 1, "readable_share": 0.9,
                "readable_accuracy": 0.2, "top_answer": "12", "top_answer_share": 0.1,
                "constant_answer": "4", "constant_baseline": 0.05}  # fmt: skip
    verdict = "gain: +15 pp (95% CI +4 to +27), 20 pp above the constant-answer baseline"
    write_json(folder / "eval.json", {"task": "gsm8k", "data": "built-in", "results": [
        {"model": "base", "items": 20, "accuracy": 0.1, "std": 0.0, **controls},
        {"model": "trained", "items": 20, "accuracy": 0.25, "std": 0.0, **controls}],
        "comparison": [{"reference": "base", "model": "trained", "items": 20, "delta": 0.15,
                        "ci_low": 0.04, "ci_high": 0.27, "gained": 3, "lost": 0,
                        "kind": "gain", "verdict": verdict}]})  # fmt: skip


def test_report_has_every_section_with_plots(tmp_path):
    make_run(tmp_path)
    reference = tmp_path / "real.jsonl"
    write_jsonl(reference, [{"question": f"A real question number {i} about pears."}
                            for i in range(30)])  # fmt: skip
    html_path, md_path = write_report(tmp_path, reference)
    page, summary = html_path.read_text(), md_path.read_text()
    for section in SECTIONS:
        assert f"<h2>{section}</h2>" in page and f"## {section}" in summary
    assert page.count("data:image/png;base64,") == 5  # pass rates, lengths, 3 curves
    assert "+15.0 pp" in page and "reference" in summary and "0.0012" in summary
    assert "| model | no readable answer | checker errors | accuracy among readable |" in summary
    assert "Verdict: gain: +15 pp (95% CI +4 to +27), 20 pp above" in summary
    assert "Verdict: gain: +15 pp" in page and "(trained vs base)" in page


def test_report_on_an_early_run_says_what_is_missing(tmp_path, capsys):
    write_jsonl(tmp_path / "dedup.jsonl", [{"id": "1", "input": "q", "answer": "1",
                                            "origin": "initial"}])  # fmt: skip
    try:
        main(["report", str(tmp_path)])
    except SystemExit as done:
        assert done.code == 0
    summary = (tmp_path / "report.md").read_text()
    assert "No pass rates yet" in summary and "No training metrics yet" in summary
    assert "No evaluation yet" in summary
    capsys.readouterr()


def test_similarity_is_lower_for_diverse_sets():
    same = ["the cat sat on the mat today"] * 5
    varied = ["the cat sat", "dogs run fast in parks", "rain falls on roofs", "bees make honey"]
    assert similarity(same) == 1.0
    assert similarity(varied) < 0.1


def test_the_run_s_own_evaluation_set_is_the_default_reference(tmp_path):
    from synthrl.report import default_reference

    make_run(tmp_path)
    assert default_reference(tmp_path) is None  # no task.yaml, no eval data
    (tmp_path / "task.yaml").write_text("name: wiki-people\n")
    assert default_reference(tmp_path) == "wiki-people"
    html_path, md_path = write_report(tmp_path, default_reference(tmp_path))
    assert "synthrl run report: wiki-people" in html_path.read_text()
    assert "No reference set given" not in md_path.read_text()
    (tmp_path / "config.yaml").write_text("eval: {data: my_test.jsonl}\n")
    assert default_reference(tmp_path) == "my_test.jsonl"


def test_the_report_says_what_the_label_checks_found_and_did(tmp_path):
    make_run(tmp_path)
    manifest = json.loads((tmp_path / "manifest.json").read_text())
    manifest["stages"]["verify"] = {
        "status": "done",
        "counts": {
            "verified": 9,
            "examples_masked": 'output_format "7 - 9 = -2"',
            "rejected_echoes_example": 2,
            "rejected_generator_disagrees": 3,
        },
    }
    manifest["stages"]["dedup"] = {"status": "done", "counts": {
        "kept": 9, "top_label": "-2", "top_label_share": 0.3333, "top_label_p": 0.16,
        "top_label_shown_in": "output_format", "label_check": "ok"}}  # fmt: skip
    write_json(tmp_path / "manifest.json", manifest)
    _, md_path = write_report(tmp_path, None)
    summary = md_path.read_text()
    assert "## Labels and the examples in the task" in summary
    assert 'read masked: output_format "7 - 9 = -2"' in summary
    assert "did not confirm: 2; because the generator's own answer contradicted them: 3" in summary
    assert "Top label '-2': 33% of labels (probability 0.16" in summary
    assert "shown in the task's texts: output_format); label check: ok" in summary
