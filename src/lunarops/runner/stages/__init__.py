"""lunarops.runner.stages."""
