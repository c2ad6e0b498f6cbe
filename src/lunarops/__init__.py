"""lunarops: planning and simulation of a lunar research station."""

__version__ = "0.1.0"
