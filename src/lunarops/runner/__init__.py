"""lunarops.runner."""
