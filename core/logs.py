"""Logging set-up: a file for the TUI, structured lines on stdout for ``serve``.

The TUI owns the terminal, so it logs to a file in the platform's state
directory. ``serve`` runs under a process supervisor, which collects stdout;
there each record is one JSON object per line.
"""

from __future__ import annotations

import json
import logging
import sys
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
