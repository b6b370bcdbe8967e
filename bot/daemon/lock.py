"""One ``ronr run`` per database: an exclusive ``flock`` on a lock file next to the database.

The operating system drops the lock when the process dies, however it dies, so a killed daemon's
lock is recovered by simply starting again; the file's content (the holder's pid) is informative only.
"""

from __future__ import annotations

import fcntl
import os
from pathlib import Path


class AlreadyRunning(Exception):
    """Another process holds the instance lock; the message is one line saying what to do."""


def lock_path(database: Path) -> Path:
    """The lock file of a database: ``ronr.db`` -> ``ronr.db.lock``."""
    return database.with_name(database.name + ".lock")


def _read_pid(path: Path) -> int | None:
    try:
        text = path.read_text(encoding="ascii").strip()
    except OSError:
        return None
    return int(text) if text.isdigit() else None


class InstanceLock:
    """Hold the instance lock of ``database`` from :meth:`acquire` until :meth:`release` (or death)."""

    def __init__(self, database: Path) -> None:
        self.path = lock_path(database)
        self._fd: int | None = None

    def acquire(self) -> None:
        """Take the lock or raise :class:`AlreadyRunning` naming the holder."""
        self.path.parent.mkdir(parents=True, exist_ok=True)
        fd = os.open(self.path, os.O_RDWR | os.O_CREAT, 0o644)
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            os.close(fd)
            pid = _read_pid(self.path)
            who = f"pid {pid}" if pid else "another process"
            raise AlreadyRunning(
                f"another `ronr run` ({who}) is already using {self.path.with_suffix('')}; "
                "stop it first (e.g. `systemctl stop ronr`) or point database.path elsewhere") from None
        os.ftruncate(fd, 0)
        os.write(fd, f"{os.getpid()}\n".encode("ascii"))
        os.fsync(fd)
        self._fd = fd

    def release(self) -> None:
        """Let go of the lock (the file stays; it is harmless)."""
        if self._fd is not None:
            fcntl.flock(self._fd, fcntl.LOCK_UN)
            os.close(self._fd)
            self._fd = None

    @property
    def held(self) -> bool:
        """Whether this object holds the lock."""
        return self._fd is not None


def holder(database: Path) -> int | None:
    """The pid of the process running on ``database`` (0 if it cannot be told), or None when none is."""
    path = lock_path(database)
    if not path.exists():
        return None
    fd = os.open(path, os.O_RDONLY)
    try:
        fcntl.flock(fd, fcntl.LOCK_SH | fcntl.LOCK_NB)
    except BlockingIOError:
        return _read_pid(path) or 0
    else:
        fcntl.flock(fd, fcntl.LOCK_UN)
        return None
    finally:
        os.close(fd)
