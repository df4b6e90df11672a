"""Writing the files derive produces: whole or not at all.

:func:`write_file` writes the bytes to a temporary file beside the target, flushes them to the
disk, and only then moves the temporary file over the target with ``os.replace``: a reader (or a
later run) sees the old file or the new one, never a truncated one, whatever stops the write (a
full disk, a signal, an exception); the temporary file is removed when the write fails.
"""

from __future__ import annotations

import os
import tempfile
from pathlib import Path

__all__ = ["write_file"]


def write_file(path: Path, data: bytes) -> None:
    """Replace ``path`` by a file holding ``data``, atomically; creates the missing parent folders."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())  # a full disk shows here, before the old file is replaced
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
