"""Drives the pure supervisor core at 100 Hz with synthetic inputs and scripted faults."""

from __future__ import annotations

import math
from dataclasses import dataclass, field

import numpy as np

from genba_safety.supervisor import HealthInput, Inputs, OdomInput, ScanInput, Supervisor, SupervisorConfig
from genba_safety.watchdog import Now
from genba_safety.zones import ScanGeometry

GEOM = ScanGeometry(-math.pi, 2 * math.pi / 360, 0.12, 12.0, 0.0, 0.0, 0.0)
ROS_EPOCH = 1.7e9
RATES_HZ = {"cmd": 10, "scan": 10, "odom": 50, "camera": 10, "cloud": 2, "health": 10}


def open_scan() -> np.ndarray:
    return np.full(360, np.inf)


def scan_with_obstacle(distance_m: float, bearing_rad: float = 0.0, width_beams: int = 9) -> np.ndarray:
    r = open_scan()
    i = int(round((bearing_rad + math.pi) / (2 * math.pi / 360))) % 360
    for k in range(-(width_beams // 2), width_beams // 2 + 1):
        r[(i + k) % 360] = distance_m
    return r


@dataclass
class Script:
    """What each input does over time. Callables take t (seconds since start)."""
    cmd: object = lambda t: (0.6, 0.0)
    scan: object = lambda t: open_scan()
    stale: dict = field(default_factory=dict)      # input -> time from which it stops arriving
    stamp_offset: dict = field(default_factory=dict)  # input -> seconds added to its stamps
    health: object = lambda t: HealthInput(0.05, 2.0, True)
    estop: object = lambda t: False
    ros_jump: object = lambda t: 0.0


class Harness:
    def __init__(self, cfg: SupervisorConfig | None = None, script: Script | None = None) -> None:
        cfg = cfg or SupervisorConfig()
        self.cfg = cfg
        self.sup = Supervisor(cfg)
        self.inputs = Inputs(cfg)
        self.script = script or Script()
        self.t = 0.0
        self.next_due = {k: 0.0 for k in RATES_HZ}
        self.log: list[tuple[float, object]] = []
        self.inputs.samples["goal"].value = (20.0, 0.0)
        self.inputs.samples["goal"].received = 0.0

    def now(self) -> Now:
        return Now(100.0 + self.t, ROS_EPOCH + self.t + self.script.ros_jump(self.t))

    def _feed(self) -> None:
        s, now = self.script, self.now()
        for name, hz in RATES_HZ.items():
            if self.t + 1e-9 < self.next_due[name]:
                continue
            self.next_due[name] = self.t + 1.0 / hz
            if name in s.stale and self.t >= s.stale[name]:
                continue
            stamp = now.ros + s.stamp_offset.get(name, 0.0)
            value = {
                "cmd": lambda: s.cmd(self.t),
                "scan": lambda: ScanInput(s.scan(self.t), GEOM),
                "odom": lambda: OdomInput(0.0, 0.0, 0.0, self.sup.limiter.v, self.sup.limiter.w),
                "camera": lambda: True,
                "cloud": lambda: "cloud",
                "health": lambda: s.health(self.t),
            }[name]()
            self.inputs.offer(name, value, stamp, now)
        self.inputs.estop_requested = bool(s.estop(self.t))

    def run(self, seconds: float) -> list[tuple[float, object]]:
        steps = int(round(seconds * self.cfg.rate_hz))
        for _ in range(steps):
            self._feed()
            out = self.sup.step(self.now(), self.inputs)
            self.log.append((self.t, out))
            self.t = round(self.t + 1.0 / self.cfg.rate_hz, 9)
        return self.log

    def warm_up(self, seconds: float = 2.0) -> None:
        """Run nominally until the start-up MRM has been left and the robot cruises."""
        self.run(seconds)

    def first(self, pred, after: float = 0.0) -> float | None:
        for t, out in self.log:
            if t >= after and pred(out):
                return t
        return None
