"""The report stage: report.html, report.md and the per-sample page, from everything the run
wrote before it (synthrl.report).
"""

from __future__ import annotations

from synthrl.report import default_reference, write_report
from synthrl.stage import StageContext


def run(ctx: StageContext) -> dict[str, str]:
    return {"report": str(write_report(ctx.out, default_reference(ctx.out))[0])}
