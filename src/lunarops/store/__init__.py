"""lunarops.store."""
