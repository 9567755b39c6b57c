"""Every held-out set has a fixed dev part (for choosing settings) and a test part (only
reported); an evaluation says which part it read, and a run trains on neither."""

import json
from pathlib import Path

import pytest

from synthrl.evaluate.sets import PARTS, SETS, both_parts, describe_part, load_items, part_of

EXAMPLES = Path(__file__).parent.parent / "examples" / "tasks"


def test_every_built_in_set_has_a_dev_and_a_test_part():
    families = {name.removesuffix("-dev").removesuffix("-test") for name in SETS}
    for family in families:
        assert PARTS[f"{family}-dev"] == "dev" and PARTS[f"{family}-test"] == "test", family
    # the bare names keep the meaning they had
    assert (PARTS["arithmetic"], PARTS["squad"], PARTS["sciq"], PARTS["gsm8k"]) == (
        "dev", "test", "test", "whole",
    )  # fmt: skip


@pytest.mark.parametrize("family", ["arithmetic", "squad", "sciq", "gsm8k", "wiki-people"])
def test_the_parts_share_no_input(family):
    dev = {item.input for item in load_items("x", Path(f"{family}-dev"))}
    test = {item.input for item in load_items("x", Path(f"{family}-test"))}
    assert dev and test and not dev & test


def test_arithmetic_keeps_its_dev_rows_and_gets_a_test_part_of_its_own():
    dev, test = load_items("arithmetic"), load_items("x", Path("arithmetic-test"))
    assert [i.input for i in dev] == [i.input for i in load_items("x", Path("arithmetic-dev"))]
    assert (len(dev), len(test)) == (200, 200)
    assert (dev[0].id, dev[0].input, dev[0].answer) == ("arith-000", "What is 70 + 8?", "78")
    assert (test[0].id, test[0].input, test[0].answer) == (
        "arith-test-000",
        "What is 29 + 2?",
        "31",
    )
    assert sum(" - " in i.input for i in test) == 100


def test_gsm8k_is_cut_one_in_five_to_dev():
    dev, test = load_items("x", Path("gsm8k-dev")), load_items("x", Path("gsm8k-test"))
    assert (len(dev), len(test)) == (270, 1049)  # 1,319 in all


def test_an_evaluation_names_its_part():
    assert part_of("arithmetic", None) == ("arithmetic", "dev")
    assert part_of("science", "sciq-dev") == ("sciq-dev", "dev")
    assert part_of("x", "runs/a.test.jsonl") == ("runs/a.test.jsonl", "test")
    assert part_of("x", "sums.heldout.jsonl")[1] == "dev"
    assert part_of("x", "mine.jsonl")[1] == "unnamed"
    assert describe_part("gsm8k", None).startswith("gsm8k, the whole set")
    assert "never choose by it" in describe_part("x", "squad")


def test_the_example_tasks_ship_a_test_part_disjoint_from_their_dev_part():
    for dev_file in sorted(EXAMPLES.glob("*.heldout.jsonl")):
        test_file = dev_file.with_name(dev_file.name.replace(".heldout.", ".test."))
        dev = {json.loads(line)["input"] for line in dev_file.read_text().splitlines()}
        test = {json.loads(line)["input"] for line in test_file.read_text().splitlines()}
        assert len(dev) == 120 and len(test) == (80 if "one-digit" in dev_file.name else 120)
        assert not dev & test, dev_file.name
        assert both_parts(str(dev_file)) == [str(dev_file), str(test_file)]


def test_a_user_file_without_a_part_in_its_name_is_decontaminated_alone():
    assert both_parts("mine.jsonl") == ["mine.jsonl"]
    assert both_parts("sst2") == ["sst2-dev", "sst2-test"]
