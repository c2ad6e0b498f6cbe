"""The schedule words of operations loads (``when``): one list for the scenario schema and the engine."""

from __future__ import annotations

from typing import Literal, get_args

When = Literal[
    "always", "day", "night", "crewed", "uncrewed", "earth_visible", "earth_hidden", "comm_link", "direct_link"
]
#: every schedule word, in the schema's order
WHEN_WORDS: tuple[str, ...] = get_args(When)
