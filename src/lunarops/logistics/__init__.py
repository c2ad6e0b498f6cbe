"""lunarops.logistics."""
