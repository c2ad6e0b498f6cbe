"""The site stage of `lunarops run`."""

from __future__ import annotations

from lunarops.runner.stage import RunContext, StageResult


def run_stage(ctx: RunContext) -> StageResult | None:
    """Run the site stage; None when the scenario has no section for it."""
    return None
