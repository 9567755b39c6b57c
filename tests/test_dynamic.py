"""Online difficulty: prompts whose GRPO group had zero reward variance give their place away."""

from trl.trainer.utils import RepeatSampler

from synthrl.train.dynamic import Retirement, RetiringSampler

IDS = [f"s{i}" for i in range(6)]
LAYOUT = {"mini_repeat_count": 2, "batch_size": 2, "repeat_count": 2, "seed": 3}


def test_with_nothing_retired_the_layout_is_trls():
    ours = RetiringSampler(IDS, Retirement(2, IDS), data_source=IDS, **LAYOUT)
    assert list(ours) == list(RepeatSampler(data_source=IDS, **LAYOUT))


def test_retired_prompts_are_skipped_in_later_batches():
    retirement = Retirement(2, IDS)
    sampler = RetiringSampler(IDS, retirement, data_source=IDS, shuffle=False, **LAYOUT)
    drawn = iter(sampler)
    first = [next(drawn) for _ in range(8)]  # one batch of 2 prompts, 2 x 2 repeats
    assert first == [0, 0, 1, 1, 0, 0, 1, 1]
    retirement.observe(["s2", "s2", "s3", "s3"], [1.0, 1.0, 0.0, 1.0])  # s2: zero variance
    rest = list(drawn)
    # The next batch skips s2: prompts 3 and 4; prompt 5 alone is too few for a batch, so a
    # new pass fills the third: the epoch keeps TRL's three batches, without s2.
    assert rest == [3, 3, 4, 4, 3, 3, 4, 4, 0, 0, 1, 1, 0, 0, 1, 1]


def test_an_epoch_keeps_trls_length_however_many_prompts_retire():
    """The trainer plans its epochs from the sampler's length: an epoch that ran short would
    end training before max_steps (seen: 31 of 40 steps)."""
    retirement = Retirement(2, IDS)
    sampler = RetiringSampler(IDS, retirement, data_source=IDS, **LAYOUT)
    drawn = []
    for index in sampler:
        drawn.append(index)
        if len(drawn) == 8:  # after the first batch, all but one prompt retire
            retirement.observe([i for i in IDS[1:] for _ in (0, 1)], [1.0] * 10)
    assert len(drawn) == len(sampler) == len(RepeatSampler(data_source=IDS, **LAYOUT))


def test_every_prompt_retired_draws_from_all_again():
    retirement = Retirement(2, IDS)
    retirement.observe([i for i in IDS for _ in (0, 1)], [0.0] * 12)
    sampler = RetiringSampler(IDS, retirement, data_source=IDS, shuffle=False, **LAYOUT)
    assert sorted(set(sampler)) == list(range(6))


def test_groups_are_counted_only_whole_and_only_for_training_prompts():
    retirement = Retirement(4, ["a", "b", "c"])
    retirement.observe(["a"] * 4 + ["b"] * 4 + ["c"] * 2 + ["v"] * 4,
                       [1.0] * 4 + [1.0, 0.0, 1.0, 1.0] + [0.0] * 2 + [0.0] * 4)  # fmt: skip
    retirement.observe(["c"] * 4, [None, 0.0, 0.0, 0.0])  # an ungraded answer: not retired
    assert retirement.retired == {"a"}
    assert retirement.figures() == {"groups_seen": 3, "zero_std_share_seen": 0.3333,
                                    "retired_prompts": 1}  # fmt: skip
