"""``python -m govreport.cli``: the command line."""

from . import app

app()
