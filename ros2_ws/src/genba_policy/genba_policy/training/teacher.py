"""The privileged teacher: plans on the true map (it knows the clutter), tracks the path, and yields
to people it knows exactly (their true positions and velocities). Used to label data for the student.

Its yielding is deliberately a function of what the student can observe too: where the robot is,
where each person is and which way they walk. It predicts people walking straight on at their
current velocity (not along their true future path) and keeps no timers, so the same situation always
gets the same label. A teacher that knew where people will turn round, or how long it had waited,
taught students to ignore people: for the student, the same picture was labelled "go" one time and
"back off" the next (genba_student_v1 did; see models/genba_student_v3.md, "How it got here").
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from genba_policy.route import Path
from genba_policy.training.planner import Grid, astar
from genba_sim.scenario import Scenario

SAFE_M = 1.1          # centre-to-centre: robot circumradius 0.39 + person radius 0.25 + margin
HORIZON_S = (0.0, 0.5, 1.0, 1.5, 2.0, 2.5, 3.0)
SPEED_FRACTIONS = (1.0, 0.75, 0.5, 0.25, 0.0)
BACK_OFF_MPS = -0.25
PERSON_RANGE_M = 4.0
AUX_NAMES = ("path_cos", "path_sin", "people_speed", "clearance", "person_x", "person_y", "person_vx",
             "person_vy", "person_present")
AUX_LATERAL = (1, 5, 7)  # change sign under a left-right mirror


@dataclass(frozen=True)
class Situation:
    bearing: float           # of the lookahead point on the true path, from the robot's heading (rad, unwrapped)
    v_people: float          # fastest speed along the path that people allow (m/s; negative: back off)
    clearance_factor: float  # speed factor for the static clearance of the robot's cell, 0.35..1
    dist_goal_m: float


class Teacher:
    def __init__(self, sc: Scenario, max_speed_mps: float = 0.7, lookahead_m: float = 0.7) -> None:
        self.sc, self.max_speed, self.lookahead = sc, max_speed_mps, lookahead_m
        self.grid = Grid(sc)
        path = astar(self.grid, (sc.start.x, sc.start.y), (sc.goal.x, sc.goal.y))
        if path is None:
            self.grid = Grid(sc, inflate_m=0.36)
            path = astar(self.grid, (sc.start.x, sc.start.y), (sc.goal.x, sc.goal.y))
        if path is None:
            raise ValueError(f"scenario {sc.name}: no path from start to goal")
        self.path = Path(path)

    def situation(self, pose: tuple[float, float, float], t: float) -> "Situation":
        """Everything the teacher's decision rests on, worked out once per state."""
        x, y, yaw = pose
        s_now = self.path.nearest(x, y)[0]
        target = self.path.point_at(s_now + self.lookahead)
        v_people = self.yield_speed((x, y), s_now, t) if self.sc.pedestrians else self.max_speed
        clear = float(self.grid.clearance[self.grid.cell(x, y)])
        return Situation(math.atan2(target[1] - y, target[0] - x) - yaw, v_people,
                         float(np.clip((clear - 0.30) / 0.5, 0.35, 1.0)),
                         math.hypot(self.sc.goal.x - x, self.sc.goal.y - y))

    def act(self, pose: tuple[float, float, float], t: float) -> tuple[float, float]:
        """(v, w) for the robot at ``pose`` at simulated time ``t``."""
        return self.command(self.situation(pose, t))

    def label(self, pose: tuple[float, float, float], t: float) -> tuple[float, ...]:
        """(v, w) followed by the privileged auxiliary targets (AUX_NAMES), from one situation."""
        sit = self.situation(pose, t)
        return (*self.command(sit), *self.privileged(pose, t, sit))

    def command(self, sit: "Situation") -> tuple[float, float]:
        alpha = math.atan2(math.sin(sit.bearing), math.cos(sit.bearing))
        if sit.v_people < 0.0:
            return sit.v_people, 0.0  # backing off the way we came
        if abs(alpha) > math.radians(50):
            return 0.0, math.copysign(1.2, alpha)  # turn toward the path first
        v = self.max_speed * min(1.0, sit.dist_goal_m / 1.2 + 0.15) * (1.0 - 0.5 * abs(alpha) / math.radians(50))
        # slow near static obstacles (ground-truth clearance of the robot's cell)
        v = min(v * sit.clearance_factor, sit.v_people)
        w = 2.0 * max(v, 0.15) * math.sin(alpha) / self.lookahead
        return v, float(np.clip(w, -1.5, 1.5))

    def privileged(self, pose: tuple[float, float, float], t: float, sit: "Situation | None" = None) -> np.ndarray:
        """What the teacher's decision rests on, in base_link, as auxiliary targets for the student
        (AUX_NAMES): where the true path leads, how fast people allow, how tight the clutter is,
        and the nearest person within PERSON_RANGE_M with their velocity."""
        sit = sit or self.situation(pose, t)
        x, y, yaw = pose
        c, s = math.cos(yaw), math.sin(yaw)
        person = (0.0, 0.0, 0.0, 0.0, 0.0)
        best = PERSON_RANGE_M
        for px, py, vx, vy in self.people_now(t):
            dx, dy = px - x, py - y
            d = math.hypot(dx, dy)
            if d < best:
                best = d
                person = ((c * dx + s * dy) / PERSON_RANGE_M, (-s * dx + c * dy) / PERSON_RANGE_M,
                          c * vx + s * vy, -s * vx + c * vy, 1.0)
        return np.array([math.cos(sit.bearing), math.sin(sit.bearing), sit.v_people / self.max_speed,
                         sit.clearance_factor, *person], np.float32)

    def people_now(self, t: float) -> list[tuple[float, float, float, float]]:
        """(x, y, vx, vy) of each person at time ``t``."""
        out = []
        for ped in self.sc.pedestrians:
            (px, py, _), (qx, qy, _) = ped.position(t), ped.position(t - 0.1)
            out.append((px, py, (px - qx) / 0.1, (py - qy) / 0.1))
        return out

    def yield_speed(self, xy: tuple[float, float], s_now: float, t: float) -> float:
        """The fastest of a few speeds along the path (from where the robot really is) that keeps
        everyone at least SAFE_M away over the next 3 s, people walking straight on; if none does,
        whichever of stopping or backing off keeps them farthest."""
        here = self.path.point_at(s_now)
        ox, oy = xy[0] - here[0], xy[1] - here[1]
        people = self.people_now(t)
        best_v, best_d = 0.0, -math.inf
        for cand in (*(f * self.max_speed for f in SPEED_FRACTIONS), BACK_OFF_MPS):
            d_min = math.inf
            for dt in HORIZON_S:
                rx, ry = self.path.point_at(s_now + cand * dt)
                rx, ry = rx + ox, ry + oy
                for px, py, vx, vy in people:
                    d_min = min(d_min, math.hypot(px + vx * dt - rx, py + vy * dt - ry))
            if d_min >= SAFE_M:
                return cand
            if d_min > best_d + 1e-9:
                best_v, best_d = cand, d_min
        return best_v
