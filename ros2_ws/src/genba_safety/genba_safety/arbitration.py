"""Command arbitration in front of the supervisor: several command sources, one winner.

As twist_mux does it: each *source* (the policy, a teleop joystick, Nav2's controller) has a
priority and a timeout; the highest-priority source whose last command is fresh and which is
healthy wins. A source's health rule is either ``fresh`` (healthy while its commands are fresh: a
joystick) or a health report it publishes (the policy's ``policy/health``: healthy while a report
is fresh and says its output is valid; the supervisor still applies its own thresholds to it). A
*lock* (the e-stop topic) with a priority, while engaged, blocks every source of lower or equal
priority and holds the output at zero; a lock with a timeout is also engaged while it is silent.
With no winner there is no output: the supervisor's command watchdog acts.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

FRESH = "fresh"  # the health rule of a source that publishes no health report


@dataclass(frozen=True)
class Source:
    name: str
    priority: int
    timeout_s: float
    health: str = FRESH  # FRESH, or the name of the health report the source publishes


@dataclass(frozen=True)
class Lock:
    name: str
    priority: int
    timeout_s: float = 0.0  # 0: never engaged by silence


@dataclass(frozen=True)
class Health:
    """A health report: what the supervisor reads (``output_valid``, ``ood_score``, ``inference_ms``)."""

    output_valid: bool
    ood_score: float = 0.0
    inference_ms: float = 0.0
    stamp: float = 0.0


def health_of_values(values: dict[str, str], stamp: float = 0.0) -> Health:
    """A health report from one DiagnosticStatus's key/values (``policy/health``'s keys); numbers
    that do not parse make it not valid, with NaN figures."""
    try:
        return Health(values.get("output_valid", "false") == "true", float(values.get("ood_score", "nan")),
                      float(values.get("inference_ms", "nan")), stamp)
    except ValueError:
        return Health(False, math.nan, math.nan, stamp)


@dataclass(frozen=True)
class Selection:
    source: str | None  # the winner, "lock:<name>" while a lock holds the output, None: no output
    v: float = 0.0
    w: float = 0.0
    stamp: float | None = None  # the winning command's stamp (a policy's: its sensor stamp); None: now
    health: Health | None = None


class CommandMux:
    def __init__(self, sources: list[Source], locks: list[Lock] = (), health_timeout_s: float = 0.5) -> None:
        names = [s.name for s in sources] + [lk.name for lk in locks]
        if len(set(names)) != len(names):
            raise ValueError(f"source and lock names must be unique: {names}")
        # highest priority first; equal priorities keep the configured order
        self.sources = sorted(sources, key=lambda s: -s.priority)
        self.locks = list(locks)
        self.health_timeout_s = health_timeout_s
        self._cmd: dict[str, tuple[float, float, float, float]] = {}  # name -> v, w, stamp, received
        self._health: dict[str, tuple[Health, float]] = {}  # report name -> report, received
        self._lock: dict[str, tuple[bool, float]] = {}  # name -> engaged, received

    def offer_command(self, name: str, v: float, w: float, stamp: float, now: float) -> None:
        """A command from ``name``; a non-finite one is not a command (the source is not fresh)."""
        if math.isfinite(v) and math.isfinite(w):
            self._cmd[name] = (v, w, stamp, now)
        else:
            self._cmd.pop(name, None)

    def offer_health(self, report: str, health: Health, now: float) -> None:
        self._health[report] = (health, now)

    def offer_lock(self, name: str, engaged: bool, now: float) -> None:
        self._lock[name] = (engaged, now)

    def lock_level(self, now: float) -> tuple[int, str] | None:
        """(priority, name) of the highest engaged lock, or None."""
        engaged = []
        for lk in self.locks:
            state, received = self._lock.get(lk.name, (False, -math.inf))
            silent = lk.timeout_s > 0.0 and now - received > lk.timeout_s
            if state or silent:
                engaged.append((lk.priority, lk.name))
        return max(engaged) if engaged else None

    def healthy(self, source: Source, now: float) -> Health | None:
        """The source's health now (a report for the supervisor), or None if it is not healthy."""
        cmd = self._cmd.get(source.name)
        if cmd is None or not 0.0 <= now - cmd[3] <= source.timeout_s:
            return None
        if source.health == FRESH:
            return Health(True, 0.0, 0.0, cmd[2])
        report = self._health.get(source.health)
        if report is None or not 0.0 <= now - report[1] <= self.health_timeout_s:
            return None
        return report[0] if report[0].output_valid else None

    def select(self, now: float) -> Selection:
        lock = self.lock_level(now)
        for source in self.sources:
            if lock is not None and source.priority <= lock[0]:
                break  # this one and every lower source are blocked
            health = self.healthy(source, now)
            if health is not None:
                v, w, stamp, _ = self._cmd[source.name]
                return Selection(source.name, v, w, stamp, health)
        if lock is not None:
            return Selection(f"lock:{lock[1]}", 0.0, 0.0, None, Health(True))
        return Selection(None)
