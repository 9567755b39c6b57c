"""Label verification by majority vote (the verify and rewrite stages), and the vote tally the
student's answers are grouped by.

The teacher answers each candidate's input K times under the task's own prompt; answers are
read by the task's verifier and grouped (same vote key, or `equal`, e.g. numbers within the
tolerance or equivalent math). The biggest group's answer becomes the label when its share of
all K votes reaches `min_agreement`. A tie for first place is rejected, never broken by order,
and the stored reference solution is one whose answer is in the winning group.

The votes read the task's texts with their example values masked (`synth.mask_examples`): a
small teacher shown 'for example "7 - 9 = -2"' answers -2 to anything. The generator's own
answer (written with the input, after its reasoning) is evidence too (`synth.generator_answer`):
where the votes work the answer out first (`synth.votes_reason`, the default) it counts as one
more vote, K + 1 in all, so it can settle a tie or a split but never make a label alone; where
they answer bare, a label it contradicts is rejected as `generator_disagrees` (a 0.5B teacher's
three one-word votes agreed that 3 is greater than 5, its generator did not). With the 1.5B
teacher's reasoning votes the generator was the worse witness on the suite's weekday task
(wrong in all 13 readable disputes) and the better one on some GCD runs: the errors sit in
split votes, which `synth.extra_votes` asks about again (RESULTS). A label of an open answer
type (number, math, text, custom) that equals an answer the task's
texts show (an example's or a demo's) is rejected as `echoes_example` unless the generator
agrees, whatever the setting. Closed types (boolean, choice, label) get no echo rule: there a
shown value is one of a few labels.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from synthrl.io import read_jsonl
from synthrl.llm.client import Request
from synthrl.records import Candidate, Sample
from synthrl.stage import StageContext, user
from synthrl.synth.balance import closed_values
from synthrl.synth.prompts import render, teacher_texts, vote_prompt
from synthrl.synth.support import (
    passage_span,
    passage_text,
    question_part,
    span_fault,
    supported,
)
from synthrl.task.examples import example_finder
from synthrl.task.verifier import Verifier


@dataclass
class Group:
    """Votes that name the same answer."""

    answer: str
    key: str | None
    count: int


def tally(answers: list[str | None], verifier: Verifier) -> tuple[list[Group], list[int | None]]:
    """Group answers; returns groups (largest first, ties in order of first vote) and each
    answer's group index in that order (None for unreadable votes)."""
    groups: list[Group] = []
    member: list[int | None] = []
    for answer in answers:
        if answer is None:
            member.append(None)
            continue
        key = verifier.canonical(answer)
        for i, group in enumerate(groups):
            if (key is not None and key == group.key) or verifier.equal(answer, group.answer):
                group.count += 1
                member.append(i)
                break
        else:
            groups.append(Group(answer, key, 1))
            member.append(len(groups) - 1)
    order = sorted(range(len(groups)), key=lambda i: -groups[i].count)
    rank = {old: new for new, old in enumerate(order)}
    return [groups[i] for i in order], [None if m is None else rank[m] for m in member]


def decide(groups: list[Group], total: int, min_agreement: float) -> tuple[Group | None, str]:
    """The winning group, or None with the reason: no_readable_votes, tie, low_agreement."""
    if not groups:
        return None, "no_readable_votes"
    if len(groups) > 1 and groups[1].count == groups[0].count:
        return None, "tie"
    if groups[0].count / total < min_agreement:
        return None, "low_agreement"
    return groups[0], "ok"


@dataclass
class Decision:
    """What a candidate's votes (and the generator's answer, where it votes) decided."""

    answers: list[str | None]  # the teacher votes, read
    votes: dict[str, int]  # answer -> teacher votes for it
    winner: Group | None
    reason: str  # "ok", or why there is no label
    in_winner: list[bool]  # per teacher vote: whether it is in the winning group
    carried: bool  # the generator's vote settled a tie or a split

    @property
    def backing(self) -> int:
        """Teacher votes in the winning group."""
        return sum(self.in_winner)

    def doubtful(self, proposed: str | None, weight: str, verifier: Verifier) -> bool:
        """Worth more votes: the votes split (or tied), or the generator's answer is against
        them where it counts. Unreadable votes alone are no doubt: more of them read nothing."""
        if self.winner is None:
            return self.reason in ("tie", "low_agreement")
        if self.backing < len(self.answers) or self.carried:
            return True
        against = bool(proposed) and not verifier.equal(proposed or "", self.winner.answer)
        return against and weight != "ignore"


def decide_label(
    answers: list[str | None],
    proposed: str | None,
    verifier: Verifier,
    weight: str,
    min_agreement: float,
) -> Decision:
    """The label of one candidate from its read votes: the biggest group, counting the
    generator's answer as one more vote when `weight` is "vote" (it can settle a tie or a
    split, never make a label alone)."""
    groups, member = tally(answers, verifier)
    votes = {g.answer: g.count for g in groups}
    alone, reason = decide(groups, len(answers), min_agreement)
    winner = alone
    if weight == "vote" and proposed and groups:
        groups, member = tally([*answers, proposed], verifier)
        winner, reason = decide(groups, len(answers) + 1, min_agreement)
    in_winner = [winner is not None and m == 0 for m in member[: len(answers)]]
    if winner is not None and not any(in_winner):  # the generator's answer alone is no label
        winner, reason = None, "low_agreement"
    carried = winner is not None and (
        alone is None or not verifier.equal(alone.answer, winner.answer)
    )
    return Decision(answers, votes, winner, reason, in_winner, carried)


async def verify_candidates(
    ctx: StageContext, stage: str, candidates: list[Candidate], found: dict[str, int] | None = None
) -> list[Sample]:
    """Vote on every candidate; returns the samples whose label passed, rejects the rest.
    A label in doubt (`Decision.doubtful`) gets `synth.extra_votes` more votes, asked as the
    same request with a larger n (the first K come from the cache), and is decided on all.
    `found` gets counts: labels the generator's vote settled, candidates given more votes,
    the support votes' (asked, unreadable replies)."""
    synth = ctx.config.synth
    verifier = ctx.task.verifier
    weight = synth.generator_weight()
    echoes = _echo_check(ctx)
    passages = {p["id"]: passage_text(p) for p in read_jsonl(ctx.input("retrieve.jsonl"))}
    text_answer = verifier.spec.type == "text"
    label = f"{stage} votes" if stage != "verify" else stage

    def request(candidate: Candidate, n: int) -> Request:
        return ctx.chat(stage, user(vote_prompt(ctx.task, candidate.input, synth)), n=n)

    def decision(candidate: Candidate, texts: list[str]) -> Decision:
        answers = [verifier.extract(text) for text in texts]
        passage = passages.get(candidate.passage_id or "")
        if passage and text_answer:  # a sentence around a span is read as the span
            question = question_part(candidate.input, passage)
            answers = [a and passage_span(a, passage, question) for a in answers]
        return decide_label(
            answers, candidate.proposed_answer, verifier, weight, synth.min_agreement
        )

    completions = await ctx.ask(label, [request(c, synth.votes) for c in candidates])
    texts = [completion.texts for completion in completions]
    decisions = [decision(c, t) for c, t in zip(candidates, texts, strict=True)]
    extra = synth.doubt_votes()
    if extra:
        doubtful = [
            i
            for i, (c, d) in enumerate(zip(candidates, decisions, strict=True))
            if d.doubtful(c.proposed_answer, weight, verifier)
        ]
        more = await ctx.ask(
            f"{stage} more votes",
            [request(candidates[i], synth.votes + extra) for i in doubtful],
        )
        for i, completion in zip(doubtful, more, strict=True):
            texts[i] = completion.texts
            decisions[i] = decision(candidates[i], completion.texts)
        if found is not None:
            found["more_votes_asked"] = len(doubtful)
    kept: list[Sample] = []
    carried = 0
    for candidate, replies, decided in zip(candidates, texts, decisions, strict=True):
        winner, votes_seen, proposed = decided.winner, decided.votes, candidate.proposed_answer
        if winner is None:
            ctx.reject(
                stage, decided.reason, id=candidate.id, votes=votes_seen, input=candidate.input,
                proposed_answer=proposed,
            )  # fmt: skip
            continue
        carried += decided.carried
        if not (proposed and verifier.equal(proposed, winner.answer)):
            shown = echoes(winner.answer)
            contradicted = bool(proposed) and weight == "veto"
            if shown is not None or contradicted:
                reason = "echoes_example" if shown is not None else "generator_disagrees"
                ctx.reject(
                    stage, reason, id=candidate.id, votes=votes_seen, input=candidate.input,
                    label=winner.answer, shown_in=shown, proposed_answer=proposed,
                )  # fmt: skip
                continue
        passage = passages.get(candidate.passage_id or "")
        fault = (
            passage
            and text_answer
            and span_fault(winner.answer, candidate.input, passage, synth.span_words)
        )
        if fault:
            ctx.reject(
                stage, f"label_{fault}", id=candidate.id, votes=votes_seen,
                input=candidate.input, label=winner.answer,
            )  # fmt: skip
            continue
        reference = next(t for t, ok in zip(replies, decided.in_winner, strict=True) if ok)
        kept.append(
            Sample(
                id=candidate.id,
                task=candidate.task,
                input=candidate.input,
                answer=winner.answer,
                reference=reference,
                origin=candidate.origin,
                parent_id=candidate.parent_id,
                passage_id=candidate.passage_id,
                votes=votes_seen,
                unreadable_votes=sum(1 for a in decided.answers if a is None),
                agreement=round(decided.backing / len(replies), 4),
                proposed_answer=candidate.proposed_answer,
            )
        )
    if carried and found is not None:
        found["generator_carried"] = carried
    if closed_values(verifier) is not None and ctx.config.synth.support_vote:
        kept = await _supported(ctx, stage, kept, passages, found if found is not None else {})
    return kept


async def _supported(
    ctx: StageContext,
    stage: str,
    samples: list[Sample],
    passages: dict[str, str],
    found: dict[str, int],
) -> list[Sample]:
    """Samples whose passage, asked once more, supports their label (`support.py`); a sample
    without a passage, or whose reply says neither yes nor no, is kept."""
    grounded = [s for s in samples if passages.get(s.passage_id or "")]
    if not grounded:
        return samples
    found.update(support_asked=len(grounded), support_unread=0)
    description = teacher_texts(ctx.task, ctx.config.synth).description
    requests = [
        ctx.chat(
            stage,
            user(render("support", description=description, passage=passages[s.passage_id or ""],
                        input=s.input, answer=s.answer)),
            max_tokens=8,
        )
        for s in grounded
    ]  # fmt: skip
    completions = await ctx.ask(f"{stage} support", requests)
    refused: set[str] = set()
    for sample, completion in zip(grounded, completions, strict=True):
        said = supported(completion.texts[0])
        if said is None:
            found["support_unread"] += 1
        elif not said:
            refused.add(sample.id)
            ctx.reject(
                stage, "not_supported", id=sample.id, input=sample.input, label=sample.answer,
                votes=sample.votes,
            )  # fmt: skip
    return [s for s in samples if s.id not in refused]


def _echo_check(ctx: StageContext) -> Callable[[str], str | None]:
    """A function label -> the task text whose example answer (or demo answer) the label
    equals, for open answer types; None otherwise."""
    if ctx.task.verifier.spec.type in ("number", "math", "text", "custom"):
        return example_finder(ctx.task)
    return lambda label: None
