"""lunarops.ops."""
