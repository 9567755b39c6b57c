"""Training logs across an interrupted training: a resume keeps each step's rows once."""

import json

from synthrl.train.grpo import trim_logs


def test_a_resumed_training_keeps_only_the_log_rows_before_its_checkpoint(tmp_path):
    """Rows an interrupted attempt logged after its last checkpoint would be logged again."""

    def write(name, steps):
        (tmp_path / name).write_text("".join(json.dumps({"step": s}) + "\n" for s in steps))

    def steps(name):
        return [json.loads(line)["step"] for line in (tmp_path / name).read_text().splitlines()]

    write("metrics.jsonl", [1, 2, 3, 4, 5])  # steps completed when logged
    write("rewards.jsonl", [0, 1, 2, 3, 4])  # steps completed before each generation
    trim_logs(tmp_path, str(tmp_path / "checkpoint-3"))
    assert steps("metrics.jsonl") == [1, 2, 3] and steps("rewards.jsonl") == [0, 1, 2]
    trim_logs(tmp_path, None)  # no checkpoint: training starts over, so do its logs
    assert steps("metrics.jsonl") == [] and steps("rewards.jsonl") == []
