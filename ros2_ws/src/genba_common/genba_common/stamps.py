"""builtin_interfaces/Time <-> seconds."""

from __future__ import annotations

from typing import Any


def stamp_to_sec(stamp: Any) -> float:
    """Seconds of a builtin_interfaces/Time."""
    return stamp.sec + stamp.nanosec * 1e-9


def sec_to_stamp(t: float, msg_stamp: Any) -> Any:
    """Fill a builtin_interfaces/Time in place from seconds; returns it."""
    sec = int(t // 1)
    msg_stamp.sec = sec
    msg_stamp.nanosec = int(round((t - sec) * 1e9)) % 1_000_000_000
    return msg_stamp
