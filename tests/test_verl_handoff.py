"""The verl handoff: the export verl reads, and the reward module loaded and called as verl 0.9
does (`verl.utils.import_utils.load_extern_object` by path and name, the reward kwargs merged
over the call's, then one call per response from its reward manager with `data_source`,
`solution_str`, `ground_truth` and `extra_info`). verl itself needs Ray and a GPU stack, so
its loader's steps are taken here as it takes them."""

import hashlib
import importlib
import importlib.util
from pathlib import Path

import pytest

from synthrl.task import load_task
from synthrl.train import verl_reward
from synthrl.train.export import export

RECORDS = [
    {"id": "a", "input": "Tom has 3 apples and buys 4 more. How many apples now?", "answer": "7"},
    {"id": "b", "input": "A box holds 12 pens; 5 are taken. How many are left?", "answer": "7"},
    {"id": "c", "input": "Sara reads 6 pages a day for 4 days. How many pages?", "answer": "24"},
]


def load_like_verl(path: str, name: str, reward_kwargs: dict):
    """verl's steps: `pkg://` imports a module, a file path is executed under a fresh name;
    the function found by name is wrapped so that the reward kwargs win over the call's."""
    if path.startswith("pkg://"):
        module = importlib.import_module(path.removeprefix("pkg://").replace("/", "."))
    else:
        unique = hashlib.sha1(str(Path(path).resolve()).encode()).hexdigest()[:8]
        spec = importlib.util.spec_from_file_location(f"custom_module_{unique}", path)
        module = importlib.util.module_from_spec(spec)
        spec.loader.exec_module(module)
    function = getattr(module, name)

    def call(**kwargs):
        return function(**{**kwargs, **reward_kwargs})

    return call


def reward_manager_call(score, row, response):
    """What verl's naive reward manager passes for one response of one dataset row."""
    extra_info = dict(row["extra_info"], num_turns=None, rollout_reward_scores={})
    return score(
        data_source=row["data_source"],
        solution_str=response,
        ground_truth=row["reward_model"]["ground_truth"],
        extra_info=extra_info,
    )


@pytest.fixture
def exported(tmp_path):
    export(load_task("gsm8k"), RECORDS[:2], RECORDS[2:], tmp_path / "export")
    return tmp_path / "export" / "verl"


def test_the_export_reads_as_verl_reads_it(exported):
    from datasets import load_dataset

    rows = load_dataset("parquet", data_files=str(exported / "train.parquet"))["train"]
    assert rows.column_names == ["data_source", "prompt", "ability", "reward_model", "extra_info"]
    first = rows[0]
    assert (
        first["prompt"][0]["role"] == "user"
        and RECORDS[0]["input"] in first["prompt"][0]["content"]
    )
    assert first["extra_info"]["index"] == 0 and first["extra_info"]["input"] == RECORDS[0]["input"]
    assert load_task(exported / "task.yaml").name == "gsm8k"


@pytest.mark.parametrize("how", ["pkg://synthrl.train.verl_reward", "file"])
def test_verl_grades_a_right_and_a_wrong_response_with_synthrl_s_verifier(exported, how):
    from datasets import load_dataset

    path = verl_reward.__file__ if how == "file" else how
    score = load_like_verl(path, "compute_score", {"task": str(exported / "task.yaml")})
    row = load_dataset("parquet", data_files=str(exported / "test.parquet"))["train"][0]
    assert reward_manager_call(score, row, "6 pages a day for 4 days is 24.\n#### 24") == 1.0
    assert reward_manager_call(score, row, "6 + 4 = 10\n#### 10") == 0.0
    assert reward_manager_call(score, row, "I am not sure.") == 0.0  # ungradable: no reward
    # verl's prompt holds the task's format line; an answer tag there never earns reward
    assert reward_manager_call(score, row, row["prompt"][0]["content"]) == 0.0


def test_a_built_in_task_needs_no_task_file_and_a_foreign_source_is_named():
    assert verl_reward.compute_score("synthrl/gsm8k", "#### 7", "7") == 1.0
    with pytest.raises(ValueError, match=r"reward_kwargs\.task"):
        verl_reward.compute_score("openai/gsm8k", "#### 7", "7")
