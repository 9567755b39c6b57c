"""Training logs across an interrupted training: a resume keeps each step's rows once."""

import json

from synthrl.train.grpo import last_checkpoint, trim_logs


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


def test_a_checkpoint_cut_off_while_saving_is_passed_over_and_removed(tmp_path):
    """A training killed while it saved leaves checkpoint-N without trainer_state.json (the
    Trainer writes it last): resuming from it would fail, so the one before is used."""
    for step, complete in ((1, True), (2, True), (3, False)):
        folder = tmp_path / f"checkpoint-{step}"
        folder.mkdir()
        (folder / "model.safetensors").write_bytes(b"weights")
        if complete:
            (folder / "trainer_state.json").write_text("{}")
    assert last_checkpoint(tmp_path) == str(tmp_path / "checkpoint-2")
    assert not (tmp_path / "checkpoint-3").exists()
    assert last_checkpoint(tmp_path / "missing") is None
