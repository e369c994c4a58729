"""A serial port that may vanish (USB unplug): open with backoff, read/write without raising.

Used by every genba serial driver: the motor-controller bridge and the LiDAR drivers.
"""

from __future__ import annotations

import os


class SerialLink:
    """A serial port that may vanish: open with backoff, read/write without raising."""

    def __init__(self, port: str, baudrate: int = 115200, backoff_initial_s: float = 0.1,
                 backoff_max_s: float = 2.0) -> None:
        self.port_name = port
        self.baudrate = baudrate
        self.backoff_initial_s = backoff_initial_s
        self.backoff_max_s = backoff_max_s
        self._backoff = backoff_initial_s
        self._next_try = 0.0
        self.serial = None
        self.last_error = ""
        self.reconnects = 0

    @property
    def is_open(self) -> bool:
        return self.serial is not None

    def try_open(self, now: float) -> bool:
        """Open if closed and the backoff has elapsed; True when a new connection was made."""
        if self.serial is not None or now < self._next_try:
            return False
        import serial  # pyserial

        try:
            self.serial = serial.Serial(self.port_name, self.baudrate, timeout=0, write_timeout=0.05)
        except (serial.SerialException, OSError) as exc:
            self.last_error = describe_open_error(self.port_name, exc)
            self._next_try = now + self._backoff
            self._backoff = min(self.backoff_max_s, self._backoff * 2.0)
            return False
        self._backoff = self.backoff_initial_s
        self.reconnects += 1
        self.last_error = ""
        return True

    def read(self) -> bytes:
        if self.serial is None:
            return b""
        try:
            n = self.serial.in_waiting
            return self.serial.read(n or 1) if n else b""
        except Exception as exc:  # pyserial raises SerialException/OSError/TypeError on unplug
            self._lost(exc)
            return b""

    def write(self, data: bytes) -> bool:
        if self.serial is None:
            return False
        try:
            self.serial.write(data)
            return True
        except Exception as exc:
            self._lost(exc)
            return False

    def _lost(self, exc: Exception) -> None:
        self.last_error = f"serial port {self.port_name} lost: {exc}"
        self.close()

    def close(self) -> None:
        if self.serial is not None:
            try:
                self.serial.close()
            except Exception:
                pass
        self.serial = None


def describe_open_error(port: str, exc: Exception) -> str:
    """One line naming the port and what is wrong with it."""
    if not os.path.exists(port):
        return f"serial port {port} does not exist (unplugged or wrong path)"
    if not os.access(port, os.R_OK | os.W_OK):
        return f"serial port {port}: permission denied (add the user to the 'dialout' group)"
    return f"serial port {port}: {exc}"
