"""lunarops.illumination."""
