"""The run report: one self-contained HTML file (plots embedded) and a Markdown summary.

    write_report(Path("runs/gsm8k"))                       # -> report.html, report.md
    write_report(Path("runs/gsm8k"), reference=Path("real.jsonl"))

Sections: the stage funnel with rejects by reason; the labels (example values masked, echoes
dropped, the top label and its check); pass-rate histograms of the initial samples,
of all samples after difficulty adaptation, and of the selected ones (the paper's Figure 3);
input lengths and within-set similarity, against a real reference set when one is given;
training curves (reward, completion length, KL); base vs trained evaluation with deltas, the
learning controls and the verdict (is the gain real, format, or a constant answer?);
teacher tokens and cost; example samples per origin. A section whose data the run does not
have yet says so instead of disappearing.
"""

from __future__ import annotations

import base64
import html
import io
import random
from pathlib import Path
from typing import Any

import yaml

from synthrl.io import read_json, read_jsonl, write_atomic
from synthrl.story import write_story_page
from synthrl.text import ngrams, words

Record = dict[str, Any]


def _load(path: Path) -> list[Record]:
    return read_jsonl(path) if path.is_file() else []


def _figure_png(draw: Any) -> str:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    figure, axes = plt.subplots(figsize=(6.4, 3.2))
    draw(axes)
    figure.tight_layout()
    buffer = io.BytesIO()
    figure.savefig(buffer, format="png", dpi=110)
    plt.close(figure)
    return base64.b64encode(buffer.getvalue()).decode()


def similarity(texts: list[str], pairs: int = 2000, seed: int = 0) -> float | None:
    """Mean word 3-gram Jaccard similarity over random pairs: lower means more diverse."""
    if len(texts) < 2:
        return None
    grams = [ngrams(words(t), 3) for t in texts]
    rng = random.Random(seed)
    total = 0.0
    for _ in range(pairs):
        a, b = rng.sample(range(len(grams)), 2)
        union = len(grams[a] | grams[b])
        total += len(grams[a] & grams[b]) / union if union else 0.0
    return total / pairs


def _table(headers: list[str], rows: list[list[Any]]) -> tuple[str, str]:
    """(HTML, Markdown) of one table."""
    head = "".join(f"<th>{html.escape(h)}</th>" for h in headers)
    body = "".join(
        "<tr>" + "".join(f"<td>{html.escape(str(c))}</td>" for c in row) + "</tr>" for row in rows
    )
    markdown = "| " + " | ".join(headers) + " |\n|" + "---|" * len(headers) + "\n"
    markdown += "".join("| " + " | ".join(str(c) for c in row) + " |\n" for row in rows)
    return f"<table><tr>{head}</tr>{body}</table>", markdown


class _Report:
    def __init__(self, title: str) -> None:
        self.html = [f"<h1>{html.escape(title)}</h1>"]
        self.markdown = [f"# {title}\n"]

    def section(self, title: str) -> None:
        self.html.append(f"<h2>{html.escape(title)}</h2>")
        self.markdown.append(f"\n## {title}\n")

    def text(self, text: str) -> None:
        self.html.append(f"<p>{html.escape(text)}</p>")
        self.markdown.append(text + "\n")

    def table(self, headers: list[str], rows: list[list[Any]]) -> None:
        as_html, as_markdown = _table(headers, rows)
        self.html.append(as_html)
        self.markdown.append(as_markdown)

    def image(self, png: str, caption: str) -> None:
        self.html.append(
            f'<figure><img alt="{html.escape(caption)}" src="data:image/png;base64,{png}">'
            f"<figcaption>{html.escape(caption)}</figcaption></figure>"
        )
        self.markdown.append(f"_{caption}: see report.html_\n")


_STYLE = (
    "body{font-family:system-ui,sans-serif;max-width:60em;margin:2em auto;padding:0 1em}"
    "table{border-collapse:collapse;margin:.5em 0}td,th{border:1px solid #ccc;padding:.2em .5em;"
    "text-align:left;vertical-align:top}pre{white-space:pre-wrap;background:#f6f6f6;padding:.5em}"
)


def _funnel(report: _Report, stages: dict[str, Any]) -> None:
    report.section("Stage funnel")
    if not stages:
        report.text("No stage has run yet.")
        return
    rows = []
    for name, entry in stages.items():
        counts = ", ".join(f"{k}={v}" for k, v in (entry.get("counts") or {}).items())
        rows.append([name, entry.get("status", ""), counts, entry.get("wall_s", "")])
    report.table(["stage", "status", "counts (rejects by reason included)", "wall s"], rows)


def _labels(report: _Report, stages: dict[str, Any]) -> None:
    """What the label checks found and what was done about the task's example values."""
    report.section("Labels and the examples in the task")
    verify = (stages.get("verify") or {}).get("counts") or {}
    final = (stages.get("dedup") or {}).get("counts") or {}
    checked = final if "top_label" in final else verify
    if not checked:
        report.text("No labels yet: run `synthrl synth`.")
        return
    masked = verify.get("examples_masked")
    lines = [
        f"Example values the teacher read masked: {masked or 'none in the task texts'}.",
        f"Labels dropped because they equal an example value the generator did not confirm: "
        f"{verify.get('rejected_echoes_example', 0)}; because the generator's own answer "
        f"contradicted them: {verify.get('rejected_generator_disagrees', 0)}.",
        f"Top label '{checked['top_label']}': {checked['top_label_share']:.0%} of labels "
        f"(probability {checked.get('top_label_p', 'n/a')} for honest labels; shown in the "
        f"task's texts: {checked.get('top_label_shown_in', 'no')}); label check: "
        f"{checked.get('label_check', 'n/a')}.",
    ]
    if checked.get("label_counts"):
        spread = ", ".join(f"{label} {n}" for label, n in checked["label_counts"].items())
        lines.append(f"Labels by answer: {spread}.")
    generated = (stages.get("generate") or {}).get("counts") or {}
    if "on_target" in generated:
        moved = generated.get("options_moved")
        lines.append(
            f"Each generation request named the answer its example should have (spread "
            f"evenly): {generated['on_target']} of {generated.get('parsed', 0)} written examples "
            f"had it{f'; options swapped to put the answer there: {moved}' if moved else ''}."
        )
    for line in lines:
        report.text(line)


def _pass_rates(report: _Report, scored: list[Record], selected: list[Record]) -> None:
    report.section("Pass rates (initial, after adaptation, selected)")
    if not scored:
        report.text("No pass rates yet: run `synthrl score`.")
        return
    groups = {
        "initial": [r["pass_rate"] for r in scored if r.get("origin") == "initial"],
        "after adaptation": [r["pass_rate"] for r in scored],
        "selected": [r["pass_rate"] for r in selected if r.get("pass_rate") is not None],
    }

    def draw(axes: Any) -> None:
        bins = [i / 10 for i in range(11)]
        for label, rates in groups.items():
            if rates:
                axes.hist(rates, bins=bins, alpha=0.5, label=f"{label} ({len(rates)})")
        axes.set_xlabel("student pass rate")
        axes.set_ylabel("samples")
        axes.legend()

    report.image(_figure_png(draw), "Pass-rate histograms")
    rows = [
        [label, len(r), f"{sum(r) / len(r):.3f}" if r else "-",
         sum(1 for p in r if 0 < p < 1)]
        for label, r in groups.items()
    ]  # fmt: skip
    report.table(["set", "samples", "mean pass rate", "0 < p < 1"], rows)


def _diversity(report: _Report, synthetic: list[Record], reference: list[str] | None) -> None:
    report.section("Input lengths and diversity")
    if not synthetic:
        report.text("No synthetic samples yet.")
        return
    sets = {"synthetic": [r["input"] for r in synthetic]}
    if reference:
        sets["reference"] = reference

    lengths_by_set = {label: [len(t.split()) for t in texts] for label, texts in sets.items()}
    longest = max(max(v) for v in lengths_by_set.values())

    def draw(axes: Any) -> None:
        # Densities on shared bins, so sets of different sizes compare by shape.
        bins = list(range(0, longest + 2, max(1, (longest + 1) // 30)))
        for label, lengths in lengths_by_set.items():
            axes.hist(lengths, bins=bins, alpha=0.5, density=True, label=label)
        axes.set_xlabel("input length (words)")
        axes.set_ylabel("share of inputs")
        axes.legend()

    report.image(_figure_png(draw), "Input-length distributions")
    rows = []
    for label, texts in sets.items():
        lengths = sorted(len(t.split()) for t in texts)
        sim = similarity(texts)
        rows.append([label, len(texts), lengths[len(lengths) // 2],
                     "-" if sim is None else f"{sim:.3f}"])  # fmt: skip
    report.table(["set", "inputs", "median words", "mean pairwise 3-gram Jaccard"], rows)
    if not reference:
        report.text("No reference set given (synthrl report RUN --reference FILE).")


def _training(report: _Report, metrics: list[Record]) -> None:
    report.section("Training curves")
    rows = [m for m in metrics if "reward_mean" in m or "loss" in m]
    if not rows:
        report.text("No training metrics yet: run `synthrl train`.")
        return
    shares = [m["frac_zero_std_groups"] for m in rows if "frac_zero_std_groups" in m]
    if shares:
        text = (
            f"Groups whose completions all earned the same reward (no GRPO signal): "
            f"{100 * sum(shares) / len(shares):.0f}% on average over {len(shares)} steps"
        )
        retired = [m["retired_prompts"] for m in rows if "retired_prompts" in m]
        if retired:
            text += f"; dynamic sampling retired {retired[-1]} prompts"
        report.text(text + ".")
    curves = [
        ("reward_mean", "mean reward"),
        ("frac_zero_std_groups", "share of zero-variance groups"),
        ("completion_length", "completion length (tokens)"),
        ("kl", "KL to the reference model"),
        ("loss", "loss"),
    ]
    for key, label in curves:
        points = [(m["step"], m[key]) for m in rows if key in m]
        if not points:
            continue

        def draw(axes: Any, points: list[tuple[int, float]] = points, label: str = label) -> None:
            axes.plot([p[0] for p in points], [p[1] for p in points], marker=".")
            axes.set_xlabel("step")
            axes.set_ylabel(label)

        report.image(_figure_png(draw), f"Training: {label}")
    if not any("kl" in m for m in rows):
        report.text("No KL curve: TRL computes the KL term only when train.beta > 0.")


def _evaluation(report: _Report, run: Path) -> None:
    report.section("Evaluation: base vs trained")
    path = run / "eval.json"
    if not path.is_file():
        report.text("No evaluation yet: `synthrl eval ... --out RUN/eval.json`.")
        return
    data = read_json(path)
    results = data.get("results", [])
    if not results:
        report.text("The evaluation file has no results.")
        return
    first = results[0]["accuracy"]
    rows = [[r["model"], r["items"], f"{100 * r['accuracy']:.1f}%", f"{100 * r.get('std', 0):.1f}",
             f"{100 * (r['accuracy'] - first):+.1f} pp"] for r in results]  # fmt: skip
    report.table(["model", "items", "accuracy", "std", "delta vs first"], rows)
    report.text(f"Task {data.get('task')}, data: {data.get('data')}.")
    if data.get("part"):
        from synthrl.evaluate.sets import PART_MEANING

        report.text(f"Held-out set {data.get('set')}: {PART_MEANING[data['part']]}.")
    _controls(report, results, data.get("comparison", []))


def _rounds(report: _Report, run: Path) -> None:
    """Held-out accuracy per round (`synthrl run --rounds R`), when there were rounds."""
    path = run / "rounds.json"
    if not path.is_file():
        return
    report.section("Rounds: held-out accuracy per round")
    rows = [[r["round"], r["started_from"], r["items"], f"{100 * r['before']:.1f}%",
             f"{100 * r['after']:.1f}%",
             f"{100 * r['delta']:+.1f} pp ({100 * r['ci_low']:+.1f} to {100 * r['ci_high']:+.1f})",
             r["verdict"] + ("; kept the model it started from" if r.get("kept_start") else "")]
            for r in read_json(path)]  # fmt: skip
    report.table(["round", "started from", "items", "before", "after", "delta (95% CI)",
                  "verdict"], rows)  # fmt: skip
    report.text(
        "Round r starts from round r-1's trained model, on its pool rewritten by the teacher "
        "to what that model solves and fails (RUN/round<r>/). A later round's starting model "
        "competes with its checkpoints on the validation split and is kept when none beats it."
    )


def _share(value: float | None) -> str:
    return "-" if value is None else f"{100 * value:.1f}%"


def _controls(report: _Report, results: list[Record], comparison: list[Record]) -> None:
    """Learning controls per model, then one verdict per comparison (evaluate/controls.py)."""
    if not all("top_answer_share" in r for r in results):
        report.text("No learning controls: this evaluation predates them; rerun the eval stage.")
        return
    rows = [[r["model"], _share(r["no_answer_share"]), r["checker_errors"],
             _share(r["readable_accuracy"]),
             "-" if r["top_answer"] is None
             else f"{r['top_answer']} ({_share(r['top_answer_share'])})",
             f"{_share(r['constant_baseline'])} ({r['constant_answer']})"]
            for r in results]  # fmt: skip
    report.table(["model", "no readable answer", "checker errors", "accuracy among readable",
                  "most common answer", "constant-answer baseline"], rows)  # fmt: skip
    report.text(
        "Controls: a gain should come from better answers, not from answers becoming readable "
        "or from giving one answer to everything; the constant-answer baseline is what always "
        "giving the most common gold answer scores."
    )
    for entry in comparison:
        report.text(f"Verdict: {entry['verdict']} ({entry['model']} vs {entry['reference']})")


def _audit(report: _Report, run: Path) -> None:
    report.section("Label audit")
    path = run / "audit.json"
    if not path.is_file():
        report.text("No audit yet: it runs after score.")
        return
    audit = read_json(path)
    if audit["agreement"] is None:
        report.text(f"{audit['audited']} labels re-answered by {audit['checker']}; none decided.")
    else:
        report.text(
            f"{audit['audited']} labels re-answered by {audit['checker']}: "
            f"{audit['agreed']} of {audit['agreed'] + audit['disagreed']} decided agree "
            f"({100 * audit['agreement']:.0f}%, 95% interval {100 * audit['ci_low']:.0f}% to "
            f"{100 * audit['ci_high']:.0f}%); {audit['undecided']} undecided."
        )
    disagreed = [a for a in audit["items"] if a["agrees"] is False]
    if disagreed:
        rows = [[_clip(a["input"]), a["label"], a["audit_answer"]] for a in disagreed]
        report.table(["input", "label", "re-answered"], rows)
    suspects = audit["suspect_items"]
    report.text(
        f"{len(suspects)} suspect labels: the student's answers agree on another answer "
        "(select.drop_suspects leaves them out of training)."
    )
    if suspects:
        rows = [[_clip(s["input"]), s["label"], s["student_answer"], s["student_share"]]
                for s in suspects]  # fmt: skip
        report.table(["input", "label", "student's answer", "share of student answers"], rows)


def _clip(text: str, limit: int = 160) -> str:
    return text if len(text) <= limit else text[: limit - 3] + "..."


def _usage(report: _Report, stages: dict[str, Any]) -> None:
    report.section("Teacher usage")
    rows = []
    for name, entry in stages.items():
        usage = entry.get("usage") or {}
        if usage.get("samples"):
            rows.append([name, usage.get("requests", 0), usage.get("cached_samples", 0),
                         usage.get("prompt_tokens", 0), usage.get("completion_tokens", 0),
                         f"{usage.get('cost', 0.0):.4f}"])  # fmt: skip
    if not rows:
        report.text("No teacher calls recorded.")
        return
    totals = ["total"] + [sum(int(r[i]) for r in rows) for i in range(1, 5)]
    totals.append(f"{sum(float(r[5]) for r in rows):.4f}")
    report.table(["stage", "calls", "cached samples", "prompt tokens", "completion tokens",
                  "cost"], [*rows, totals])  # fmt: skip
    by_endpoint: dict[str, list[float]] = {}
    for entry in stages.values():
        for url, used in ((entry.get("usage") or {}).get("endpoints") or {}).items():
            sums = by_endpoint.setdefault(url, [0, 0, 0, 0, 0.0])
            for i, key in enumerate(("requests", "failures", "prompt_tokens", "completion_tokens")):
                sums[i] += used.get(key, 0)
            sums[4] += used.get("cost", 0.0)
    if len(by_endpoint) > 1:
        report.text("By endpoint of the teacher's pool (calls that failed were asked again):")
        report.table(
            ["endpoint", "calls", "failed", "prompt tokens", "completion tokens", "cost"],
            [[url, *map(int, sums[:4]), f"{sums[4]:.4f}"] for url, sums in by_endpoint.items()],
        )


def _examples(report: _Report, samples: list[Record], per_origin: int = 2) -> None:
    report.section("Example samples")
    if not samples:
        report.text("No samples yet.")
        return
    for origin in ("initial", "harder", "easier", "like"):
        chosen = [s for s in samples if s.get("origin") == origin][:per_origin]
        for sample in chosen:
            rate = sample.get("pass_rate")
            header = f"{origin} · answer {sample['answer']}"
            if rate is not None:
                header += f" · pass rate {rate}"
            report.html.append(
                f"<h3>{html.escape(header)}</h3><pre>{html.escape(sample['input'])}</pre>"
            )
            report.markdown.append(f"\n**{header}**\n\n```\n{sample['input']}\n```\n")


def _task_name(run: Path) -> str:
    """The task's name from the run's task.yaml, else the folder's name."""
    try:
        spec = yaml.safe_load((run / "task.yaml").read_text(encoding="utf-8"))
        return str(spec["name"])
    except (OSError, yaml.YAMLError, KeyError, TypeError):
        return run.name


def default_reference(run: Path) -> str | None:
    """The run's evaluation data (real inputs) as the reference set, when it has some."""
    from synthrl.evaluate.sets import is_builtin

    try:
        config = yaml.safe_load((run / "config.yaml").read_text(encoding="utf-8"))
        data = config["eval"]["data"]
    except (OSError, yaml.YAMLError, KeyError, TypeError):
        data = None
    if data:
        return str(data)
    task = _task_name(run)
    return task if is_builtin(task) else None


def write_report(run: Path, reference: Path | str | None = None) -> tuple[Path, Path]:
    """Write `report.html`, `report.md` and the per-sample page `samples.html` into the run
    folder; returns the first two paths.

    `reference`: real inputs to compare the synthetic set with, as a file or the name of a
    built-in evaluation set (e.g. `gsm8k`).
    """
    from synthrl.evaluate.sets import eval_questions

    manifest = read_json(run / "manifest.json") if (run / "manifest.json").is_file() else {}
    stages = manifest.get("stages", {})
    scored = _load(run / "score.jsonl")
    samples = scored or _load(run / "dedup.jsonl") or _load(run / "verify.jsonl")
    selected = _load(run / "selected.jsonl")
    metrics = _load(run / "train" / "metrics.jsonl")
    task = _task_name(run)
    report = _Report(f"synthrl run report: {task}")
    story = write_story_page(run, f"samples of {task}")
    report.html.append(
        f'<p>Each sample\'s story, searchable and filterable: <a href="{story.name}">'
        f"{story.name}</a></p>"
    )
    report.markdown.append(f"Each sample's story: {story.name}\n")
    _funnel(report, stages)
    _labels(report, stages)
    _pass_rates(report, scored, selected)
    _diversity(report, samples, eval_questions(str(reference)) if reference else None)
    _training(report, metrics)
    _evaluation(report, run)
    _rounds(report, run)
    _audit(report, run)
    _usage(report, stages)
    _examples(report, samples)
    page = (
        f"<!doctype html><html><head><meta charset='utf-8'><title>{html.escape(task)}</title>"
        f"<style>{_STYLE}</style></head><body>{''.join(report.html)}</body></html>\n"
    )
    html_path, md_path = run / "report.html", run / "report.md"
    write_atomic(html_path, page)
    write_atomic(md_path, "".join(report.markdown))
    return html_path, md_path
