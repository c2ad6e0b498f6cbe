"""lunarops.report."""
