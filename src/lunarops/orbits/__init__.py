"""lunarops.orbits."""
