"""Problems a run survives (a file left out, an annotation skipped, a model missing), raised as Python warnings
of one category so that the library prints nothing itself: the CLI shows each as a ``warning: …`` line on stderr,
a program filters them (``warnings.simplefilter("ignore", GovreportWarning)``) or makes them errors."""

from __future__ import annotations

import warnings


class GovreportWarning(UserWarning):
    """A problem with an input, an annotation or a setting that the run survives."""


def warn(message: str, category: type[GovreportWarning] = GovreportWarning) -> None:
    """Emit ``message``; the CLI prints it, a caller may catch it (``warnings.catch_warnings``)."""
    warnings.warn(message, category, stacklevel=3)
