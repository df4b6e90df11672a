"""What every ``derive`` command shares: the ``-o`` path, writing it, and the program's behaviour on
signals and on a standard output that fails (:class:`Program`, the group's class)."""

from __future__ import annotations

import contextlib
import os
import signal
import stat
import sys
import threading
from pathlib import Path

import click

from .files import OutputError, write_file

__all__ = ["OutputPath", "Program", "write_output"]


class OutputPath(click.ParamType):
    """The value of ``-o``: a file (or, with ``folder``, a folder) to write.  An empty value (an
    unset shell variable) is an error, never the current folder; so is a folder where a file is
    wanted and the other way round.  Errors are one line and exit 1, as for any path that cannot be
    written."""

    name = "path"

    def __init__(self, folder: bool = False) -> None:
        self.folder = folder

    def convert(self, value: object, param: click.Parameter | None, ctx: click.Context | None) -> Path:
        if isinstance(value, Path):
            return value
        text_ = os.fsdecode(value) if isinstance(value, bytes) else str(value)
        if not text_:
            raise click.ClickException("cannot write '': the path is empty (an unset variable?)")
        path = Path(text_)
        try:
            mode = os.stat(path).st_mode
        except (FileNotFoundError, NotADirectoryError):  # not there yet, or under a file (said on writing)
            return path
        except OSError as error:  # a name too long, a loop of links, ...
            raise click.ClickException(f"cannot write {text_}: {error.strerror or error}") from None
        if self.folder and not stat.S_ISDIR(mode):
            raise click.ClickException(f"cannot write into {text_}: it is a file, not a folder")
        if not self.folder and stat.S_ISDIR(mode):
            raise click.ClickException(f"cannot write {text_}: it is a folder")
        return path


def write_output(output: Path, content: str | bytes) -> None:
    """Write ``content`` to ``output`` (see :func:`derive.files.write_file`); a one-line error, exit 1."""
    try:
        write_file(output, content.encode("utf-8") if isinstance(content, str) else content)
    except OutputError as error:
        raise click.ClickException(str(error)) from None
    click.echo(f"wrote {output}", err=True)


class Program(click.Group):
    """The ``derive`` group.  While a command runs, SIGTERM ends it like Ctrl-C does: by an exception,
    so that worker processes are killed and temporary files removed on the way out (exit 143).  Run
    as the program, an interrupted command then exits at once, without the second or two that
    Python takes to take SymPy's caches apart."""

    def invoke(self, ctx: click.Context) -> object:
        """Run the command; an ``OSError`` that reaches here (standard output on a full disk, a
        closed terminal) is a one-line error, exit 1, never a traceback."""
        try:
            return super().invoke(ctx)
        except BrokenPipeError:
            raise  # the reader went away (derive list | head): click ends quietly
        except OSError as error:
            where = error.filename if error.filename is not None else "standard output"
            _drop_standard_output()
            raise click.ClickException(f"cannot write {where}: {error.strerror or error}") from None

    def main(self, args=None, *rest, **kwargs):  # type: ignore[override]
        if threading.current_thread() is not threading.main_thread():
            return super().main(args, *rest, **kwargs)
        previous = {signum: signal.signal(signum, _interrupted) for signum in (signal.SIGINT, signal.SIGTERM)}
        _PROGRAM[:] = [args is None]
        try:
            return super().main(args, *rest, **kwargs)
        except SystemExit as done:
            if args is None and _INTERRUPTED:  # the program itself, not a caller such as a test
                _flush_and_exit(done.code if isinstance(done.code, int) else 1)
            raise
        finally:
            for signum, handler in previous.items():
                signal.signal(signum, handler)


_INTERRUPTED: list[int] = []
_PROGRAM: list[bool] = [False]  # run as the program (not called by a test): an interrupt may end it
_GRACE = 3.0  # seconds for the orderly way out after an interrupt; then the program ends at once


def _interrupted(signum: int, frame: object) -> None:
    _INTERRUPTED.append(signum)
    if _PROGRAM[0] and len(_INTERRUPTED) == 1:
        # the exception below may land where a lock is held (inside the pool's machinery, say) and the
        # way out then wait for ever: the program ends anyway (its workers die with it)
        watchdog = threading.Timer(_GRACE, os._exit, args=(128 + signum,))
        watchdog.daemon = True
        watchdog.start()
    if signum == signal.SIGINT:
        raise KeyboardInterrupt
    raise SystemExit(128 + signum)


def _drop_standard_output() -> None:
    """Point standard output at /dev/null, so that what is still buffered for it is not written
    (and fails again) when the program exits."""
    with contextlib.suppress(Exception):
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
        os.close(devnull)


def _flush_and_exit(code: int) -> None:
    for stream in (sys.stdout, sys.stderr):
        with contextlib.suppress(Exception):
            stream.flush()
    os._exit(code)
