"""How well a student tells a label task's labels apart before any training.

    .venv/bin/python benchmarks/label_headroom.py examples/tasks/sentiment.yaml \\
        --data sst2-dev --models smollm2-135m,qwen2.5-coder-0.5b

GRPO sharpens what a student already does sometimes; on a label task it can only move the
student's choice between labels toward what the student's own reading of the input says. This
measures that reading on held-out items, without sampling: for every item, the student's
log-probability of each label as its whole answer (the label written lower case or
capitalised, an option letter as it is written), after the task's prompt in the student's chat
format, then

- `argmax`: the accuracy of always taking the likelier label (the student's preference);
- for two labels, `AUC`: the chance that a random item of the first label scores the first
  label higher (by log-prob difference) than a random item of the second does; 0.5 is no
  reading at all;
- `best threshold`: the accuracy of the best cut of that difference, chosen on the same
  items: the most a shift of the student's preference alone could reach here, an upper bound
  for training that teaches no new reading.

A gain of 15 pp is in reach by shifting a preference only when `best threshold` is 15 pp above
the base accuracy; below that, the student must learn to read the input anew.
"""

from __future__ import annotations

import argparse
import json
import time
from pathlib import Path


def label_logprobs(model, tokenizer, prompt: str, labels: list[str]) -> list[float]:
    """log P(label | prompt) for each label, summed over its written forms (one pass over the
    prompt; a form of more than one token gets a pass of its own)."""
    import torch

    text = tokenizer.apply_chat_template(
        [{"role": "user", "content": prompt}], tokenize=False, add_generation_prompt=True
    )
    context = tokenizer(text, add_special_tokens=False)["input_ids"]
    with torch.no_grad():
        first = model(torch.tensor([context])).logits[0, -1].log_softmax(-1)
    scores = []
    for label in labels:
        forms = []
        # an option letter as written only: a lower-case "a" is the article as often as not
        written_forms = [label] if len(label) == 1 else [label.lower(), label.capitalize()]
        for written in dict.fromkeys(written_forms):
            answer = tokenizer(written, add_special_tokens=False)["input_ids"]
            if len(answer) == 1:
                forms.append(first[answer[0]])
                continue
            with torch.no_grad():
                logits = model(torch.tensor([context + answer])).logits[0, len(context) - 1 : -1]
            forms.append(logits.log_softmax(-1).gather(1, torch.tensor(answer)[:, None]).sum())
        scores.append(torch.logsumexp(torch.stack(forms), 0).item())
    return scores


def measure(task_path: str, data: str, model_ref: str, limit: int | None) -> dict:
    from synthrl.evaluate.sets import load_items
    from synthrl.student.models import load_model
    from synthrl.task import load_task
    from synthrl.task.prompt import task_prompt

    task = load_task(task_path)
    spec = task.verifier.spec
    if spec.type == "boolean":
        labels = ["yes", "no"]
    elif spec.type == "choice":
        labels = list(spec.options)
    else:
        labels = list(spec.label_map)
    items = load_items(task.name, Path(data), limit)
    model, tokenizer = load_model(model_ref, device="cpu")
    started = time.perf_counter()
    rows = []
    for item in items:
        scores = label_logprobs(model, tokenizer, task_prompt(task, item.input), labels)
        gold = next(label for label in labels if task.verifier.equal(label, item.answer))
        rows.append((scores, labels.index(gold)))
    result = {
        "model": model_ref,
        "items": len(rows),
        "argmax": round(
            sum(max(range(len(s)), key=s.__getitem__) == g for s, g in rows) / len(rows), 4
        ),
        "seconds": round(time.perf_counter() - started, 1),
    }
    if len(labels) == 2:
        diffs = [(s[0] - s[1], g == 0) for s, g in rows]
        first = [d for d, is_first in diffs if is_first]
        second = [d for d, is_first in diffs if not is_first]
        pairs = sum((a > b) + 0.5 * (a == b) for a in first for b in second)
        result["auc"] = round(pairs / (len(first) * len(second)), 4) if first and second else None
        cuts = [*sorted({d for d, _ in diffs}), float("inf")]
        result["best_threshold"] = round(
            max(sum((d >= cut) == is_first for d, is_first in diffs) for cut in cuts) / len(diffs),
            4,
        )
        result["constant"] = round(max(len(first), len(second)) / len(diffs), 4)
    result["labels"] = labels
    return result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("task", help="a label or boolean task (name or YAML file)")
    parser.add_argument("--data", required=True, help="held-out set (built-in name or file)")
    parser.add_argument("--models", default="smollm2-135m", help="comma-separated students")
    parser.add_argument("--limit", type=int, help="first N items only")
    args = parser.parse_args()
    print(f"task {args.task}, data {args.data}")
    print("| model | items | argmax | AUC | best threshold | constant | seconds |")
    print("|---|---|---|---|---|---|---|")
    for model in args.models.split(","):
        r = measure(args.task, args.data, model, args.limit)
        print(
            f"| {r['model']} | {r['items']} | {r['argmax']:.1%} | {r.get('auc')} "
            f"| {r.get('best_threshold', 0):.1%} | {r.get('constant', 0):.1%} | {r['seconds']} |"
        )
        print(json.dumps(r), flush=True)


if __name__ == "__main__":
    main()
