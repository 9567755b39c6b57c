"""The select stage: the M samples the student solves sometimes but not reliably (the rule and
the other strategies: synthrl.selection), a validation split, and the training exports. In a
later round, `replay.jsonl` (the round before's selected.jsonl) is what `select.replay` draws
from.
"""

from __future__ import annotations

from typing import Any

from synthrl.errors import UserError
from synthrl.io import read_json, read_jsonl, write_jsonl
from synthrl.selection import choose
from synthrl.stage import StageContext
from synthrl.train.export import export


def run(ctx: StageContext) -> dict[str, Any]:
    """Select, then write the training exports of the chosen samples."""
    settings = ctx.config.select
    suspects: set[str] = set()
    if settings.drop_suspects:
        audit = ctx.input("audit.json")
        if not audit.is_file():
            raise UserError(
                f"{ctx.out}: select.drop_suspects needs audit.json; run the audit stage first"
            )
        suspects = {item["id"] for item in read_json(audit)["suspect_items"]}
    records = read_jsonl(ctx.input("score.jsonl"))
    replay = ctx.input("replay.jsonl")  # a later round: what the round before trained on
    replayed = {r["id"] for r in read_jsonl(replay)} if replay.is_file() else set()
    train, validation, counts = choose(records, settings, suspects, replayed)
    write_jsonl(ctx.output("selected.jsonl"), train)
    write_jsonl(ctx.output("validation.jsonl"), validation)
    exported = export(ctx.task, train, validation, ctx.output("export"))
    return {**counts, **{f"exported_{k}": v for k, v in exported.items()}}
