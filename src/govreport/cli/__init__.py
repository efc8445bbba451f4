"""The ``govreport`` command line: the typer app (``app``: global options, the error guard, shared argument
checks) and its commands, one module per group: ``extract`` (ingest, extract, tables), ``annotate``,
``training`` (train, cv, evaluate, ...), ``outputs`` (export, view, docs), ``bench``. All printing of the
package happens here.
"""

from .app import app

# each module registers its commands on the app; the order of these imports is the order of `govreport --help`
# isort: off
from . import extract, training, bench, outputs, annotate  # noqa: F401
# isort: on

__all__ = ["app"]
