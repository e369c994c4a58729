"""Progress bars for long training-side work (no dependency): a redrawn bar on a terminal, a line
every 10% in logs and CI."""

from __future__ import annotations

import sys
import time
from typing import TextIO


class Bar:
    def __init__(self, label: str, total: int, stream: TextIO | None = None, width: int = 28) -> None:
        self.label, self.total, self.width = label, max(int(total), 1), width
        self.stream = stream or sys.stdout
        self.tty = self.stream.isatty()
        self.done, self.t0, self.note = 0, time.monotonic(), ""
        self._last_decile = -1

    def update(self, n: int = 1, note: str = "") -> None:
        self.done = min(self.done + n, self.total)
        self.note = note or self.note
        decile = self.done * 10 // self.total
        if self.tty or decile != self._last_decile or self.done == self.total:
            self._last_decile = decile
            self._draw()

    def _draw(self) -> None:
        elapsed = time.monotonic() - self.t0
        eta = elapsed / self.done * (self.total - self.done) if self.done else 0.0
        fill = self.width * self.done // self.total
        text = (f"{self.label} [{'#' * fill}{'.' * (self.width - fill)}] {self.done}/{self.total} "
                f"{elapsed:4.0f} s, eta {eta:4.0f} s {self.note}")
        end = "\n" if (not self.tty or self.done == self.total) else ""
        self.stream.write(("\r" if self.tty else "") + text + end)
        self.stream.flush()
