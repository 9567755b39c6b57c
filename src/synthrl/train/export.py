"""Exports of the selected data, for training elsewhere.

- `export/hf/{train,validation}.parquet`: Hugging Face datasets parquet with `prompt`
  (a chat conversation), `answer`, and the sample's id, origin and pass rate;
  `datasets.load_dataset("parquet", data_files=...)` reads it.
- `export/verl/{train,test}.parquet`: verl's RL format (`data_source`, `prompt` as chat
  messages, `ability`, `reward_model` {style: rule, ground_truth}, `extra_info` with the split,
  index, id and the sample's input), for Ray clusters, and `export/verl/task.yaml`, the task
  the reward function `synthrl.train.verl_reward.compute_score` grades with (the README's verl
  section has the command).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import yaml

from synthrl.io import write_atomic
from synthrl.task.loader import Task
from synthrl.task.prompt import task_prompt


def _hf_rows(task: Task, records: list[dict[str, Any]]) -> list[dict[str, Any]]:
    return [
        {
            "prompt": [{"role": "user", "content": task_prompt(task, r["input"])}],
            "answer": r["answer"],
            "id": r["id"],
            "origin": r.get("origin"),
            "pass_rate": r.get("pass_rate"),
        }
        for r in records
    ]


def _verl_rows(task: Task, records: list[dict[str, Any]], split: str) -> list[dict[str, Any]]:
    return [
        {
            "data_source": f"synthrl/{task.name}",
            "prompt": [{"role": "user", "content": task_prompt(task, r["input"])}],
            "ability": task.spec.answer.type,
            "reward_model": {"style": "rule", "ground_truth": r["answer"]},
            "extra_info": {"split": split, "index": i, "id": r["id"], "input": r["input"]},
        }
        for i, r in enumerate(records)
    ]


def _write(rows: list[dict[str, Any]], path: Path) -> None:
    import pyarrow as pa
    import pyarrow.parquet as pq

    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f".{path.name}.tmp")
    pq.write_table(pa.Table.from_pylist(rows), tmp)
    tmp.replace(path)


def export(
    task: Task, train: list[dict[str, Any]], validation: list[dict[str, Any]], folder: Path
) -> dict[str, int]:
    """Write both exports of the selected training and validation samples under `folder`."""
    _write(_hf_rows(task, train), folder / "hf" / "train.parquet")
    _write(_hf_rows(task, validation), folder / "hf" / "validation.parquet")
    _write(_verl_rows(task, train, "train"), folder / "verl" / "train.parquet")
    _write(_verl_rows(task, validation, "test"), folder / "verl" / "test.parquet")
    spec = task.spec.model_dump(mode="json", exclude_none=True)
    write_atomic(folder / "verl" / "task.yaml", yaml.safe_dump(spec, sort_keys=False))
    return {"train": len(train), "validation": len(validation)}
