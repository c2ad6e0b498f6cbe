"""lunarops.cli."""
