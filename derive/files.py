"""Writing the files derive produces: whole or not at all, never replacing what is not a file.

:func:`write_file` writes the bytes to a temporary file beside the target, flushes them to the
disk, and only then moves the temporary file over the target with ``os.replace``: a reader (or a
later run) sees the old file or the new one, never a truncated one, whatever stops the write (a
full disk, a signal, an exception); the temporary file is removed when the write fails.  A new
file gets the mode the umask gives (0644 under umask 022), a replaced file keeps its own.

What is not a regular file is never replaced: a symbolic link is followed to the file it names
(which is replaced, the link stays); a pipe, a terminal or a character device (``/dev/null``) is
written through, like a shell redirection, and so is a process's own descriptor (``/dev/stdout``,
``/proc/self/fd/N``, appended to as ``>>`` would); a block device, a socket and the kernel's
``/proc`` and ``/sys`` are refused with an :class:`OutputError`.
"""

from __future__ import annotations

import contextlib
import os
import re
import stat
import tempfile
from collections.abc import Callable, Iterator
from pathlib import Path

try:
    import fcntl
except ImportError:  # not on Unix: no locks, and no temporary is known to be left over
    fcntl = None

__all__ = ["OutputError", "is_special", "locked", "make_folder", "temporaries", "write_file"]

_DESCRIPTOR = re.compile(r"/(dev/(stdout|stderr|fd/\d+)|proc/(self|thread-self|\d+)(/task/\d+)?/fd/\d+)\Z")
_KERNEL = ("/proc/", "/sys/")
_TEMPORARY = re.compile(r"\.(?P<name>.+)\.[a-z0-9_]{8}\.tmp\Z")  # mkstemp's, as _replace names them


class OutputError(Exception):
    """A path derive cannot or will not write; the message names it and says why, in one line."""

    def __init__(self, path: Path | str, reason: str) -> None:
        self.reason = reason
        super().__init__(f"cannot write {os.fspath(path) or repr('')}: {reason}")


def _is_descriptor(path: Path) -> bool:
    """Whether ``path``, or a link it leads through, is a process's open descriptor (``/dev/stdout``)."""
    current = os.path.abspath(path)
    for _ in range(40):  # the kernel's own limit on links followed
        if _DESCRIPTOR.match(current):
            return True
        try:
            target = os.readlink(current)
        except OSError:
            return False
        current = os.path.normpath(os.path.join(os.path.dirname(current), target))
    return False


def _write_through(path: Path, data: bytes, flags: int) -> None:
    fd = os.open(path, os.O_WRONLY | os.O_NOCTTY | flags)
    try:
        view = memoryview(data)
        while view:
            view = view[os.write(fd, view):]
    finally:
        os.close(fd)


def make_folder(folder: Path, target: Path | str | None = None) -> None:
    """Create ``folder`` and its parents; an :class:`OutputError` about ``target`` (default: the
    folder) names the ancestor that is a file, or says why the folder cannot be made."""
    target = folder if target is None else target
    try:
        folder.mkdir(parents=True, exist_ok=True)
    except (FileExistsError, NotADirectoryError):  # some ancestor is a file: name it
        blocking = next((p for p in (folder, *folder.parents) if p.exists() and not p.is_dir()), folder)
        raise OutputError(target, f"{blocking} is not a folder") from None
    except OSError as error:
        raise OutputError(target, f"cannot create the folder {error.filename or folder}: "
                                  f"{error.strerror or error}") from None


def _umask() -> int:
    try:  # Linux says it without changing it
        with open("/proc/self/status", encoding="ascii") as status:
            return next(int(line.split()[1], 8) for line in status if line.startswith("Umask:"))
    except (OSError, StopIteration, ValueError):
        mask = os.umask(0o022)
        os.umask(mask)
        return mask


def _replace(path: Path, data: bytes, mode: int) -> None:
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        if fcntl is not None:  # held until the file is closed: in use, not left over (see temporaries)
            fcntl.flock(fd, fcntl.LOCK_EX)
        with os.fdopen(fd, "wb") as handle:
            os.fchmod(handle.fileno(), mode)  # mkstemp's 0600 would otherwise survive the rename
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())  # a full disk shows here, before the old file is replaced
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def write_file(path: Path, data: bytes) -> None:
    """Write ``data`` to ``path``: replace a file atomically (creating the missing parent folders),
    write through a pipe, terminal, character device or descriptor, refuse anything else.  Every
    failure raises :class:`OutputError` and leaves nothing behind."""
    try:
        _write(path, data)
    except OSError as error:
        raise OutputError(path, error.strerror or str(error)) from None


def is_special(path: Path) -> bool:
    """Whether ``path`` is written through rather than replaced: a descriptor (``/dev/stdout``), a
    pipe, a terminal or a device (see :func:`write_file`)."""
    if _is_descriptor(path):
        return True
    try:
        mode = os.stat(path).st_mode
    except OSError:
        return False
    return not (stat.S_ISREG(mode) or stat.S_ISDIR(mode))


def _write(path: Path, data: bytes) -> None:
    if _is_descriptor(path):
        _write_through(path, data, os.O_APPEND)
        return
    real = Path(os.path.realpath(path))
    if str(real).startswith(_KERNEL):
        raise OutputError(path, f"{real} belongs to the kernel (/proc, /sys), not a place for files")
    try:
        mode = os.stat(real).st_mode
    except (FileNotFoundError, NotADirectoryError):  # not there yet (or under a file: said below)
        mode = None
    if mode is None or stat.S_ISREG(mode):
        make_folder(real.parent, path)
        if mode is not None and not os.access(real, os.W_OK):
            raise OutputError(path, "the file is read-only (Permission denied)")
        _replace(real, data, stat.S_IMODE(mode) if mode is not None else 0o666 & ~_umask())
    elif stat.S_ISFIFO(mode) or stat.S_ISCHR(mode):
        _write_through(real, data, 0)
    elif stat.S_ISDIR(mode):
        raise OutputError(path, "it is a folder")
    else:
        kind = "a block device" if stat.S_ISBLK(mode) else "a socket" if stat.S_ISSOCK(mode) else "not a file"
        raise OutputError(path, f"it is {kind}; derive writes files, pipes and terminals")


def temporaries(folder: Path, names: set[str]) -> list[Path]:
    """The temporary files that writes of ``folder/NAME`` (NAME in ``names``) left behind when they
    were killed: named as :func:`write_file` names them, and no longer held by a write."""
    if fcntl is None:
        return []
    try:
        entries = list(os.scandir(folder))
    except OSError:
        return []
    left = []
    for entry in entries:
        match = _TEMPORARY.fullmatch(entry.name)
        if match and match["name"] in names and entry.is_file(follow_symlinks=False) \
                and not _in_use(entry.path):
            left.append(Path(entry.path))
    return sorted(left)


def _in_use(path: str) -> bool:
    try:
        fd = os.open(path, os.O_RDONLY | os.O_NOFOLLOW)
    except OSError:
        return True  # gone already, or not ours to judge
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except OSError:
        return True
    finally:
        os.close(fd)
    return False


@contextlib.contextmanager
def locked(folder: Path, shared: bool = False, waiting: Callable[[], None] | None = None) -> Iterator[None]:
    """Hold a lock on ``folder`` (an existing folder: the lock is on the folder itself, so nothing is
    added to it): exclusive to write it, ``shared`` to read it.  ``waiting()`` is called once when
    another process holds it; then this waits."""
    if fcntl is None:
        yield
        return
    fd = os.open(folder, os.O_RDONLY | getattr(os, "O_DIRECTORY", 0))
    try:
        kind = fcntl.LOCK_SH if shared else fcntl.LOCK_EX
        try:
            fcntl.flock(fd, kind | fcntl.LOCK_NB)
        except BlockingIOError:
            if waiting is not None:
                waiting()
            fcntl.flock(fd, kind)
        yield
    finally:
        os.close(fd)
