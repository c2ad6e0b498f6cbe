"""`python -m lunarops ...`: the `lunarops` command (e.g. from a checkout on PYTHONPATH)."""

from lunarops.cli.main import app

app(prog_name="lunarops")
