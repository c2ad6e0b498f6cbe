"""lunarops.terrain."""
