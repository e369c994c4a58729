"""Append-only JSON-lines audit logs: the safety supervisor's mode changes and altered commands, the
privacy filter's fail-closed frames."""

from __future__ import annotations

import json
import os
from typing import IO


class AuditLog:
    """Each record is one line of JSON, flushed as written so a crash loses at most one line."""

    def __init__(self, path: str | None) -> None:
        self.path = path
        self._fh: IO[str] | None = None
        if path:
            os.makedirs(os.path.dirname(os.path.abspath(path)), exist_ok=True)
            self._fh = open(path, "a", encoding="utf-8")  # append-only by construction
        self.records = 0

    def write(self, record: dict) -> None:
        self.records += 1
        if self._fh is not None:
            self._fh.write(json.dumps(record, separators=(",", ":"), allow_nan=False, default=_safe) + "\n")
            self._fh.flush()

    def close(self) -> None:
        if self._fh is not None:
            self._fh.close()
            self._fh = None


def _safe(obj: object) -> object:
    return str(obj)


def finite_or_none(x: float) -> float | None:
    """JSON has no inf/NaN: ages of never-seen inputs are written as null."""
    return round(x, 3) if x == x and abs(x) != float("inf") else None
