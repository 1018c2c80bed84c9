"""Logging set-up: a file for the TUI, structured lines on stdout for ``serve``.

The TUI owns the terminal, so it logs to a file in the platform's state
directory. ``serve`` runs under a process supervisor, which collects stdout;
there each record is one JSON object per line.
"""

from __future__ import annotations

import json
import logging
import sys
import threading
import time
from collections import OrderedDict
from collections.abc import Callable, Hashable
from datetime import UTC, datetime
from logging.handlers import RotatingFileHandler
from pathlib import Path

from core.paths import ensure_private_dir, log_dir

LOG_FILENAME = "odoo-relay.log"


class JsonFormatter(logging.Formatter):
    """Format a record as one JSON object: time, level, logger, message, extras."""

    _STANDARD = set(vars(logging.LogRecord("", 0, "", 0, "", None, None))) | {"message", "asctime"}

    def format(self, record: logging.LogRecord) -> str:
        entry = {
            "time": datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname.lower(),
            "logger": record.name,
            "message": record.getMessage(),
        }
        for key, value in vars(record).items():
            if key not in self._STANDARD and not key.startswith("_"):
                entry[key] = value if isinstance(value, (str, int, float, bool, type(None))) else repr(value)
        if record.exc_info:
            entry["exception"] = self.formatException(record.exc_info)
        return json.dumps(entry, ensure_ascii=False)


def configure_file_logging(directory: Path | None = None, level: int = logging.INFO) -> Path:
    """Send all logs to a rotating file (owner-only directory) and return its path."""
    target_dir = ensure_private_dir(directory or log_dir())
    path = target_dir / LOG_FILENAME
    handler = RotatingFileHandler(path, maxBytes=5_000_000, backupCount=3, encoding="utf-8")
    handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s"))
    _replace_root_handlers(handler, level)
    return path


def configure_stdout_logging(level: int = logging.INFO) -> None:
    """Send all logs to stdout as JSON lines."""
    handler = logging.StreamHandler(sys.stdout)
    handler.setFormatter(JsonFormatter())
    _replace_root_handlers(handler, level)


def _replace_root_handlers(handler: logging.Handler, level: int) -> None:
    root = logging.getLogger()
    for old in list(root.handlers):
        root.removeHandler(old)
        old.close()
    root.addHandler(handler)
    root.setLevel(level)
    # httpx logs every request at INFO; at load that floods the log.
    logging.getLogger("httpx").setLevel(logging.WARNING)


class RateLimitedLog:
    """A logger wrapper that writes at most one line per key every ``interval`` seconds.

    Lines dropped inside the interval are counted, and the next line written
    for that key ends with the count (also in the ``suppressed`` extra for
    JSON logs). ``clock`` returns seconds and is injectable for tests.
    Thread-safe.

    NOTE: a count is only reported when a later line for the same key is
    written, so the repeats of a burst that then stops are never reported.
    """

    # Keys may come from requests (a path, a client), so the table is
    # bounded; the least recently logged key is forgotten first.
    MAX_KEYS = 1000

    def __init__(self, logger: logging.Logger, interval: float = 30.0,
                 clock: Callable[[], float] = time.monotonic) -> None:
        if interval <= 0:
            raise ValueError(f"interval must be a positive number of seconds, got {interval}")
        self.logger = logger
        self.interval = interval
        self._clock = clock
        self._lock = threading.Lock()
        self._windows: OrderedDict[Hashable, tuple[float, int]] = OrderedDict()  # key: (last written at, dropped)

    def log(self, level: int, key: Hashable, message: str, *args: object, **kwargs: object) -> bool:
        """Write ``message % args`` at ``level`` unless ``key`` was written within the interval.

        Returns True if the line was written and False if it was counted and dropped.
        """
        dropped = self._admit(key)
        if dropped is None:
            return False
        if dropped:
            message = f"{message} ({dropped} more like this in the last {self.interval:g} s were not logged)"
            kwargs["extra"] = {**kwargs.get("extra", {}), "suppressed": dropped}
        self.logger.log(level, message, *args, **kwargs)
        return True

    def warning(self, key: Hashable, message: str, *args: object, **kwargs: object) -> bool:
        """Write a WARNING line through ``log``."""
        return self.log(logging.WARNING, key, message, *args, **kwargs)

    def info(self, key: Hashable, message: str, *args: object, **kwargs: object) -> bool:
        """Write an INFO line through ``log``."""
        return self.log(logging.INFO, key, message, *args, **kwargs)

    def _admit(self, key: Hashable) -> int | None:
        # Returns the count dropped since the key's last line, or None to drop this one.
        now = self._clock()
        with self._lock:
            window = self._windows.get(key)
            if window is not None and now - window[0] < self.interval:
                self._windows[key] = (window[0], window[1] + 1)
                return None
            self._windows[key] = (now, 0)
            self._windows.move_to_end(key)
            while len(self._windows) > self.MAX_KEYS:
                self._windows.popitem(last=False)
        return window[1] if window is not None else 0
