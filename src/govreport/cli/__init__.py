"""The ``govreport`` command line: the typer app (``app``: options, the error guard, shared argument checks)
and its commands. All printing of the package happens here.
"""

from .app import app

__all__ = ["app"]
