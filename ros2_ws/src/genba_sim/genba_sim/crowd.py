"""The simulated people: ``oblivious`` ones walk their script whatever happens; ``aware`` ones
walk the same route but steer around the robot with a social-force model (Helbing and Molnar
1995: relaxation towards the desired velocity plus an exponential repulsion from the robot,
weighted by whether the robot is in front of them).

A small own implementation: the maintained Python social-force packages pull in numba or pin
another numpy.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from genba_sim.scenario import Pedestrian

BEHAVIORS = ("oblivious", "aware")


@dataclass(frozen=True)
class SocialForce:
    relaxation_s: float = 0.5  # tau: how fast a person returns to their desired velocity
    strength_mps2: float = 3.0  # A: repulsion at contact
    range_m: float = 0.35  # B: its decay length
    anisotropy: float = 0.3  # lambda: weight of a robot behind the person (1 = all round)
    max_speed_factor: float = 1.3  # never faster than this times their preferred speed
    waypoint_reached_m: float = 0.3


def rectangle_distance(
    px: float, py: float, pose: tuple[float, float, float], half: tuple[float, float]
) -> tuple[float, float, float]:
    """Distance from a point to the robot's rectangle (``half`` extents at ``pose``) and the unit
    vector from the rectangle to the point (world frame)."""
    x, y, yaw = pose
    c, s = math.cos(yaw), math.sin(yaw)
    lx, ly = c * (px - x) + s * (py - y), -s * (px - x) + c * (py - y)
    qx, qy = max(-half[0], min(half[0], lx)), max(-half[1], min(half[1], ly))
    dx, dy = lx - qx, ly - qy
    d = math.hypot(dx, dy)
    if d < 1e-9:  # inside: push out along the robot-to-person direction
        dx, dy = lx or 1e-3, ly
        n = math.hypot(dx, dy)
        return 0.0, (c * dx - s * dy) / n, (s * dx + c * dy) / n
    return d, (c * dx - s * dy) / d, (s * dx + c * dy) / d


class AwarePerson:
    """One aware person's state: position, velocity and the waypoint they walk to."""

    def __init__(self, ped: Pedestrian, model: SocialForce = SocialForce()) -> None:
        self.ped, self.model = ped, model
        x, y, yaw = ped.position(0.0)
        self.x, self.y = x, y
        self.vx, self.vy = ped.speed_mps * math.cos(yaw), ped.speed_mps * math.sin(yaw)
        self.route = list(ped.waypoints)  # walked in order, round and round
        self.target = _next_index(self.route, x, y, yaw)

    def pose(self) -> tuple[float, float, float]:
        return self.x, self.y, math.atan2(self.vy, self.vx) if (self.vx or self.vy) else 0.0

    def step(
        self,
        dt: float,
        robot_pose: tuple[float, float, float],
        robot_half: tuple[float, float],
        person_radius_m: float,
    ) -> None:
        m, ped = self.model, self.ped
        tx, ty = self.route[self.target]
        if math.hypot(tx - self.x, ty - self.y) < m.waypoint_reached_m:
            self.target = (self.target + 1) % len(self.route)
            tx, ty = self.route[self.target]
        gx, gy = tx - self.x, ty - self.y
        g = math.hypot(gx, gy) or 1.0
        ax = (ped.speed_mps * gx / g - self.vx) / m.relaxation_s
        ay = (ped.speed_mps * gy / g - self.vy) / m.relaxation_s
        d, nx, ny = rectangle_distance(self.x, self.y, robot_pose, robot_half)
        push = m.strength_mps2 * math.exp((person_radius_m - d) / m.range_m)
        speed = math.hypot(self.vx, self.vy)
        if speed > 1e-6:  # the robot ahead of the person weighs fully, behind them by lambda
            cos_phi = -(self.vx * nx + self.vy * ny) / speed
            push *= m.anisotropy + (1.0 - m.anisotropy) * (1.0 + cos_phi) / 2.0
        ax, ay = ax + push * nx, ay + push * ny
        self.vx, self.vy = self.vx + ax * dt, self.vy + ay * dt
        top = m.max_speed_factor * ped.speed_mps
        speed = math.hypot(self.vx, self.vy)
        if speed > top:
            self.vx, self.vy = self.vx * top / speed, self.vy * top / speed
        self.x, self.y = self.x + self.vx * dt, self.y + self.vy * dt


def _next_index(route: list[tuple[float, float]], x: float, y: float, yaw: float) -> int:
    """The waypoint ahead of a person at (x, y) heading ``yaw`` on the closed loop ``route``."""
    best, best_k = math.inf, 0
    for k, (wx, wy) in enumerate(route):
        ahead = (wx - x) * math.cos(yaw) + (wy - y) * math.sin(yaw)
        d = math.hypot(wx - x, wy - y)
        if ahead > 0 and d < best:
            best, best_k = d, k
    return best_k
