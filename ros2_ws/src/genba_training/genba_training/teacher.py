"""The privileged teacher: plans on the true map (it knows the clutter), tracks the path, and yields
to people it knows exactly (their true positions and velocities). Used to label data for the student.

Its path is the cost-to-go path from wherever the robot is (planner.CostToGo: the cost to the goal from every
cell, worked out once per scenario), not one path planned at the start: a student that drove off
the path, or round an obstacle the other way, is labelled on round it from there, not back across
the obstacle toward the old path (see models/genba_student_v6.md).

Its yielding is deliberately a function of what the student can observe too: where the robot is,
where each person is and which way they walk. It predicts people walking straight on at their
current velocity (not along their true future path) and keeps no timers, so the same situation always
gets the same label. A teacher that knew where people will turn round, or how long it had waited,
taught students to ignore people: for the student, the same picture was labelled "go" one time and
"back off" the next (genba_student_v1 did; see models/genba_student_v4.md, "How it got here").
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from genba_common.geometry import to_base
from genba_policy.route import Path
from genba_sim.scenario import Scenario
from genba_training.planner import CostToGo, Grid

SAFE_M = 1.1          # centre-to-centre: robot circumradius 0.39 + person radius 0.25 + margin
HORIZON_S = (0.0, 0.5, 1.0, 1.5, 2.0, 2.5, 3.0)
SPEED_FRACTIONS = (1.0, 0.75, 0.5, 0.25, 0.0)
MAX_SPEED_MPS = 0.7
LOOKAHEAD_M = 0.7     # pure pursuit
BACK_OFF_MPS = -0.4    # people walk at 0.4-0.8 m/s: backing off at -0.25, the robot was caught by people who
                       # turned round near it (teacher on seeds 6000-6499: 482/500; 493 at -0.4, 491 at -0.5)
PERSON_RANGE_M = 4.0
TURN_RAD = math.radians(50)  # a path farther off than this: turn on the spot
TURN_RADPS = 1.2      # ... at this rate
STEER_GAIN = 2.0      # pure pursuit: w = STEER_GAIN * max(v, MIN_STEER_MPS) * sin(alpha) / lookahead
MIN_STEER_MPS = 0.15  # so that a slow or stopped robot still turns toward the path
MAX_W_RADPS = 1.5
AUX_NAMES = ("path_cos", "path_sin", "people_speed", "clearance", "person_x", "person_y", "person_vx",
             "person_vy", "person_present", "path_speed")
AUX_LATERAL = (1, 5, 7)  # change sign under a left-right mirror
MAX_PEOPLE = 4  # people kept in a state's geometry (training scenarios have at most 3)
GEOMETRY_NAMES = (
    "bearing",
    "path_speed",
    *(
        f"future_{c}_{h}_{xy}"
        for c in range(len(SPEED_FRACTIONS) + 1)
        for h in range(len(HORIZON_S))
        for xy in "xy"
    ),
    *(f"person{k}_{q}" for k in range(MAX_PEOPLE) for q in ("x", "y", "vx", "vy", "present")),
)


@dataclass(frozen=True)
class Situation:
    bearing: float
    v_people: float  # fastest speed along the path that people allow (m/s; negative: back off)
    clearance_factor: float  # speed factor for the static clearance of the robot's cell, 0.35..1
    dist_goal_m: float
    futures: np.ndarray  # where the robot would be at each candidate speed and horizon (Teacher.futures)
    people: tuple[tuple[float, float, float, float], ...]  # (x, y, vx, vy) of each person now


@dataclass(frozen=True)
class PerceptionNoise:
    """Gaussian errors on each person's position (m) and velocity (m/s), drawn afresh at each step,
    on where people were ``lag_s`` ago: the teacher acting on estimates like a perception stack's
    rather than on the truth. Evaluation only (``genba-policy eval --perception-noise``,
    ``--perception-lag``): it measures how much the teacher's way with people depends on exact and
    timely knowledge, which the student, reading people off two LiDAR scans, lacks."""

    velocity_mps: float = 0.0
    position_m: float = 0.0
    seed: int = 0
    lag_s: float = 0.0


class Teacher:
    def __init__(
        self,
        sc: Scenario,
        max_speed_mps: float = MAX_SPEED_MPS,
        lookahead_m: float = LOOKAHEAD_M,
        noise: PerceptionNoise | None = None,
    ) -> None:
        self.sc, self.max_speed, self.lookahead = sc, max_speed_mps, lookahead_m
        self.noise = noise
        self.sim = None  # the live Simulation, where aware people walk their own way (set by the caller)
        self.noise_rng = np.random.default_rng([noise.seed, sc.seed]) if noise else None
        start, goal = (sc.start.x, sc.start.y), (sc.goal.x, sc.goal.y)
        self.grid = Grid(sc)
        self.ways = CostToGo(self.grid, goal)
        if not self.ways.reachable(start):
            self.grid = Grid(sc, inflate_m=0.36)
            self.ways = CostToGo(self.grid, goal)
        if not self.ways.reachable(start):
            raise ValueError(f"scenario {sc.name}: no path from start to goal")
        self.path = self.ways.path_from(start, cells=10**6)  # the way from the start (tests, plots)

    def situation(self, pose: tuple[float, float, float], t: float) -> "Situation":
        """Everything the teacher's decision rests on, worked out once per state."""
        x, y, yaw = pose
        way = self.ways.path_from((x, y))
        target = way.point_at(self.lookahead)
        futures, people = self.futures(way, yaw), tuple(self.people_now(t))
        clear = float(self.grid.clearance[self.grid.cell(x, y)])
        return Situation(
            math.atan2(target[1] - y, target[0] - x) - yaw,
            self.people_speed(futures, people),
            float(np.clip((clear - 0.30) / 0.5, 0.35, 1.0)),
            math.hypot(self.sc.goal.x - x, self.sc.goal.y - y),
            futures,
            people,
        )

    def act(self, pose: tuple[float, float, float], t: float) -> tuple[float, float]:
        """(v, w) for the robot at ``pose`` at simulated time ``t``."""
        return self.command(self.situation(pose, t))

    def label(self, pose: tuple[float, float, float], t: float) -> tuple[float, ...]:
        """(v, w), the privileged auxiliary targets (AUX_NAMES), then the state's geometry
        (GEOMETRY_NAMES), from one situation."""
        sit = self.situation(pose, t)
        return (*self.command(sit), *self.privileged(pose, t, sit), *self.geometry(pose, t, sit))

    def command(self, sit: "Situation") -> tuple[float, float]:
        v, w = steer(sit.bearing, self.path_speed(sit), sit.v_people, self.lookahead)
        return float(v), float(w)

    def path_speed(self, sit: "Situation") -> float:
        """The speed the path and the clutter allow, before people are considered."""
        alpha = math.atan2(math.sin(sit.bearing), math.cos(sit.bearing))
        v = (
            self.max_speed
            * min(1.0, sit.dist_goal_m / 1.2 + 0.15)
            * (1.0 - 0.5 * abs(alpha) / math.radians(50))
        )
        # slow near static obstacles (ground-truth clearance of the robot's cell)
        return v * sit.clearance_factor

    def geometry(
        self, pose: tuple[float, float, float], t: float, sit: "Situation | None" = None
    ) -> np.ndarray:
        """Everything needed to label this state again with more people in it (GEOMETRY_NAMES, in
        base_link): the path bearing, the path speed, where the robot would be at each
        candidate speed and horizon, and every person. Training only (augment.add_person)."""
        sit = sit or self.situation(pose, t)
        if len(sit.people) > MAX_PEOPLE:  # a label replayed without some of them would be wrong, silently
            raise ValueError(
                f"scenario {self.sc.name}: {len(sit.people)} people, but a state's geometry keeps "
                f"{MAX_PEOPLE} (teacher.MAX_PEOPLE)"
            )
        fut = [to_base((fx, fy), pose) for fx, fy in sit.futures.reshape(-1, 2)]
        people = np.zeros((MAX_PEOPLE, 5))
        for k, person in enumerate(sit.people):
            people[k] = (*person_in_base(pose, person), 1.0)
        return np.concatenate(
            [
                [math.atan2(math.sin(sit.bearing), math.cos(sit.bearing)), self.path_speed(sit)],
                np.ravel(fut),
                people.ravel(),
            ]
        ).astype(np.float32)

    def privileged(
        self, pose: tuple[float, float, float], t: float, sit: "Situation | None" = None
    ) -> np.ndarray:
        """What the teacher's decision rests on, in base_link, as auxiliary targets for the student
        (AUX_NAMES): where the true path leads, how fast people allow, how tight the clutter is,
        the nearest person within PERSON_RANGE_M with their velocity, and the path speed
        (path_speed / max speed)."""
        sit = sit or self.situation(pose, t)
        person = (0.0, 0.0, 0.0, 0.0, 0.0)
        best = PERSON_RANGE_M
        for px, py, vx, vy in sit.people:
            d = math.hypot(px - pose[0], py - pose[1])
            if d < best:
                best = d
                bx, by, bvx, bvy = person_in_base(pose, (px, py, vx, vy))
                person = (bx / PERSON_RANGE_M, by / PERSON_RANGE_M, bvx, bvy, 1.0)
        return np.array(
            [
                math.cos(sit.bearing),
                math.sin(sit.bearing),
                sit.v_people / self.max_speed,
                sit.clearance_factor,
                *person,
                self.path_speed(sit) / self.max_speed,
            ],
            np.float32,
        )

    def people_now(self, t: float) -> list[tuple[float, float, float, float]]:
        """(x, y, vx, vy) of each person at time ``t`` (as the teacher's ``noise`` has it known)."""
        out = []
        t = t - (self.noise.lag_s if self.noise else 0.0)
        for i, ped in enumerate(self.sc.pedestrians):
            if self.sim is not None and self.sim.aware[i] is not None:  # walks its own way: ask the sim
                a = self.sim.aware[i]
                out.append((a.x, a.y, a.vx, a.vy))
                continue
            (px, py, _), (qx, qy, _) = ped.position(t), ped.position(t - 0.1)
            out.append((px, py, (px - qx) / 0.1, (py - qy) / 0.1))
        if self.noise:
            sd = [self.noise.position_m] * 2 + [self.noise.velocity_mps] * 2
            out = [tuple(float(q + self.noise_rng.normal(0.0, e)) for q, e in zip(p, sd, strict=True))
                   for p in out]
        return out

    def candidates(self) -> np.ndarray:
        return candidate_speeds(self.max_speed)

    def futures(self, way: Path, yaw: float) -> np.ndarray:
        """[candidates, HORIZON_S, 2]: where the robot would be after each horizon at each candidate
        speed: following ``way`` (from where it is now) forward, straight back along its heading
        ``yaw`` backing off (as steer drives it)."""
        back = np.array([-math.cos(yaw), -math.sin(yaw)])
        return np.array(
            [
                [
                    way.point_at(cand * dt) if cand >= 0 else way.points[0] + back * (-cand * dt)
                    for dt in HORIZON_S
                ]
                for cand in self.candidates()
            ]
        )

    def yield_speed(self, pose: tuple[float, float, float], t: float) -> float:
        """The fastest of a few speeds along the cost-to-go path from ``pose`` that keeps everyone at least
        SAFE_M away over the next 3 s, people walking straight on; if none does, whichever of
        stopping or backing off keeps them farthest."""
        return self.people_speed(self.futures(self.ways.path_from(pose[:2]), pose[2]), self.people_now(t))

    def people_speed(self, futures: np.ndarray, people) -> float:
        """yield_speed for the robot's ``futures`` (Teacher.futures) and ``people`` (x, y, vx, vy)."""
        if not people:
            return self.max_speed
        arr = np.array(people, float).reshape(1, -1, 4)
        return float(safest_speed(futures[None], arr, np.ones(arr.shape[:2], bool), self.candidates())[0])


def person_in_base(pose: tuple[float, float, float], person) -> tuple[float, float, float, float]:
    """A person (x, y, vx, vy) from the world frame into base_link at ``pose``."""
    x, y, vx, vy = person
    c, s = math.cos(pose[2]), math.sin(pose[2])
    return (*to_base((x, y), pose), c * vx + s * vy, -s * vx + c * vy)


def candidate_speeds(max_speed_mps: float) -> np.ndarray:
    """The speeds the teacher considers for people, fastest first, then backing off."""
    return np.array([*(f * max_speed_mps for f in SPEED_FRACTIONS), BACK_OFF_MPS])


def safest_speed(
    futures: np.ndarray, people: np.ndarray, present: np.ndarray, candidates: np.ndarray
) -> np.ndarray:
    """The teacher's rule for people, for a batch: ``futures`` [B, C, H, 2] (Teacher.futures),
    ``people`` [B, P, 4] (x, y, vx, vy) in the same frame, ``present`` [B, P]. The first candidate
    that keeps everyone SAFE_M away at every horizon, people walking straight on; if none does,
    the one that keeps them farthest. [B] speeds."""
    t = np.asarray(HORIZON_S)[None, None, :, None]
    px = people[:, None, None, :, 0] + people[:, None, None, :, 2] * t
    py = people[:, None, None, :, 1] + people[:, None, None, :, 3] * t
    d = np.hypot(px - futures[..., 0:1], py - futures[..., 1:2])  # [B, C, H, P]
    d = np.where(present[:, None, None, :], d, np.inf).min(axis=(2, 3))  # [B, C]
    ok = d >= SAFE_M
    pick = np.where(ok.any(1), ok.argmax(1), d.argmax(1))
    return np.asarray(candidates)[pick]


def steer(bearing, v_path, v_people, lookahead: float) -> tuple[np.ndarray, np.ndarray]:
    """The teacher's command from the path bearing (rad), the path speed and the speed people
    allow; scalars or arrays. Backs off straight when people say so, turns on the spot toward a
    path more than 50 degrees off, else pure pursuit at the slower of the two speeds."""
    alpha = np.arctan2(np.sin(bearing), np.cos(bearing))
    v = np.minimum(v_path, v_people)
    w = np.clip(
        STEER_GAIN * np.maximum(v, MIN_STEER_MPS) * np.sin(alpha) / lookahead, -MAX_W_RADPS, MAX_W_RADPS
    )
    turn = np.abs(alpha) > TURN_RAD
    back = np.asarray(v_people) < 0.0
    v = np.where(back, v_people, np.where(turn, 0.0, v))
    w = np.where(back, 0.0, np.where(turn, np.copysign(TURN_RADPS, alpha), w))
    return v, w
