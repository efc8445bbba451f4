"""The typer app of the command line: global options, the guard that turns errors into one line, and the checks
of paths shared by the commands (in the sibling modules, registered by importing them: cli/__init__).

No command shows a traceback: paths are checked when the arguments are parsed (a missing input or an output
that cannot be written is a usage error, exit code 2), and any error a command raises is printed as one line
naming its type and the file (exit code 1). ``GOVREPORT_DEBUG=1`` lets the traceback through.
"""

from __future__ import annotations

import os
import tempfile
import warnings
from pathlib import Path

import typer
from typer.core import TyperGroup

from ..config import MODELS_DIR
from ..notices import GovreportWarning

DEFAULT_MODEL = MODELS_DIR / "ner"  # GOVREPORT_MODELS/ner, else ./models/ner


class _GuardedGroup(TyperGroup):
    """Turns an error raised by any command (or sub-command) into a message instead of a traceback; an output
    folder that cannot take the run (a file, locked, a linked output) is a usage error."""

    def invoke(self, ctx: typer.Context):
        from ..extract.staging import OutputError

        try:
            with warnings.catch_warnings():  # the library warns (notices.py); the CLI prints, one line each
                warnings.simplefilter("always", GovreportWarning)
                warnings.showwarning = _show_warning
                return super().invoke(ctx)
        except (typer.Exit, typer.Abort, typer.TyperException):  # typer's own: usage errors, exit codes
            raise
        except OutputError as err:
            raise typer.BadParameter(str(err), param_hint="'--out'") from err
        except Exception as err:
            if os.environ.get("GOVREPORT_DEBUG"):
                raise
            typer.echo(f"Error: {_describe(err)}", err=True)
            raise typer.Exit(code=1) from err


_python_show_warning = warnings.showwarning


def _show_warning(message, category, filename, lineno, file=None, line=None) -> None:
    """Our warnings as ``warning: <message>`` on stderr; other libraries' warnings as Python shows them."""
    if issubclass(category, GovreportWarning):
        typer.echo(f"warning: {message}", err=True)
    else:
        _python_show_warning(message, category, filename, lineno, file, line)


def _describe(err: Exception) -> str:
    """One line for an error: the file and the system's reason for OS errors, else ``Name: message``."""
    if isinstance(err, OSError) and err.filename is not None:
        files = " → ".join(str(f) for f in (err.filename, err.filename2) if f is not None)
        return f"{files}: {err.strerror or type(err).__name__}"
    message = str(err)
    return f"{type(err).__name__}: {message}" if message else type(err).__name__


def _output_dir(value: Path | None) -> Path | None:
    """An output folder that can be written (created if missing): else a usage error naming it."""
    from ..extract.staging import OutputError, check_output_dir

    if value is None:
        return None
    try:
        check_output_dir(value, ())
    except OutputError as err:
        raise typer.BadParameter(str(err)) from err
    _probe_writable(value)
    return value


def _output_file(value: Path | None) -> Path | None:
    """An output file that can be written (its folder created if missing): else a usage error naming it."""
    if value is None:
        return None
    if value.is_dir():
        raise typer.BadParameter(f"{value} is a folder, not a file")
    _output_dir(value.parent)
    return value


def _one_of(*choices: str):
    """A callback accepting only ``choices`` (or no value)."""

    def check(value: str | None) -> str | None:
        if value is not None and value not in choices:
            raise typer.BadParameter(f"{value!r} is not one of {', '.join(choices)}")
        return value

    return check


def _probe_writable(folder: Path) -> None:
    try:
        folder.mkdir(parents=True, exist_ok=True)
        with tempfile.TemporaryFile(dir=folder):
            pass
    except OSError as err:
        raise typer.BadParameter(f"cannot write into {folder}: {err.strerror or err}") from err


app = typer.Typer(cls=_GuardedGroup, add_completion=False, no_args_is_help=True,
                  help="Statistics from government information-disclosure annual reports.")
annotate_app = typer.Typer(no_args_is_help=True, help="Annotation tasks: export, validate, stats, agreement, convert.")
app.add_typer(annotate_app, name="annotate")


def _print_version(value: bool) -> None:
    if value:
        from importlib.metadata import version

        typer.echo(f"govreport {version('govreport')}")
        raise typer.Exit()


@app.callback()
def main(
    version: bool = typer.Option(False, "--version", callback=_print_version, is_eager=True,
                                 help="Print the version and exit."),
    config_dir: Path = typer.Option(None, "--config-dir", envvar="GOVREPORT_CONFIG_DIR",
                                    help="Use the configs of this folder instead of the packaged ones."),
) -> None:
    """Statistics from government information-disclosure annual reports."""
    if config_dir is not None:
        from .. import config

        if not (config_dir / "indicators.yml").is_file():
            typer.echo(f"error: --config-dir {config_dir}: no indicators.yml there", err=True)
            raise typer.Exit(code=2)
        config.use_config_dir(config_dir)
