"""Scenario and map YAML: loading, validation (one-line errors naming file and field), defaults."""

from __future__ import annotations

import math
import os
import re
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from genba_common.errors import ConfigError
from genba_common.yaml_file import check_keys, read_yaml_mapping
from genba_sim.robot_body import CHASSIS_HALF

PACKAGE_DIR = Path(__file__).resolve().parent
SCENARIO_DIR = PACKAGE_DIR / "scenarios"
MAP_DIR = PACKAGE_DIR / "maps"


@dataclass(frozen=True)
class Pose2D:
    x: float
    y: float
    yaw: float = 0.0


CLUTTER = "clutter"  # kind of the seeded random boxes: in the world, not on the robot's map
NAME_PATTERN = re.compile(r"[A-Za-z0-9_-]{1,64}")  # a scenario name is an identifier: safe in paths and MJCF
MAX_PEDESTRIANS = 64
MAX_OBSTACLES = 400
MAX_WAYPOINTS = 64
MAX_WINDOWS = 64
START_GOAL_CLEARANCE_M = 0.10  # free room around the robot's circumscribed circle at start and goal
SCENARIO_KEYS = ("name", "map", "seed", "start", "goal", "time_limit_s", "random_boxes", "pedestrians",
                 "faults", "noise")


@dataclass(frozen=True)
class Box:
    x: float
    y: float
    sx: float   # half sizes (MuJoCo convention)
    sy: float
    sz: float
    yaw: float = 0.0
    kind: str = "box"

    def distance(self, x: np.ndarray, y: np.ndarray) -> np.ndarray:
        """Distance (metres) from points (x, y) to this box's footprint; 0 inside it."""
        c, s = math.cos(self.yaw), math.sin(self.yaw)
        lx, ly = c * (x - self.x) + s * (y - self.y), -s * (x - self.x) + c * (y - self.y)
        return np.hypot(np.maximum(np.abs(lx) - self.sx, 0.0), np.maximum(np.abs(ly) - self.sy, 0.0))


@dataclass(frozen=True)
class Pedestrian:
    waypoints: tuple[tuple[float, float], ...]
    speed_mps: float
    start_offset_s: float = 0.0
    behavior: str = "oblivious"  # oblivious: walks its route whatever happens; aware: steers around the robot

    def position(self, t: float) -> tuple[float, float, float]:
        """Position and heading at time t, walking the closed loop of waypoints (ping-pong for 2)."""
        pts = list(self.waypoints)
        if len(pts) == 2:
            pts = [pts[0], pts[1]]
        loop = pts + [pts[0]]
        segs = [(loop[i], loop[i + 1]) for i in range(len(loop) - 1)]
        lengths = [math.dist(a, b) for a, b in segs]
        total = sum(lengths)
        if total <= 0 or self.speed_mps <= 0:
            return pts[0][0], pts[0][1], 0.0
        s = ((t + self.start_offset_s) * self.speed_mps) % total
        for (a, b), ln in zip(segs, lengths, strict=False):
            if s <= ln and ln > 0:
                f = s / ln
                return (
                    a[0] + f * (b[0] - a[0]),
                    a[1] + f * (b[1] - a[1]),
                    math.atan2(b[1] - a[1], b[0] - a[0]),
                )
            s -= ln
        return pts[0][0], pts[0][1], 0.0


@dataclass(frozen=True)
class Faults:
    """Scripted faults, each a list of [start_s, end_s) windows."""

    cloud_outages: tuple[tuple[float, float], ...] = ()
    camera_blackouts: tuple[tuple[float, float], ...] = ()
    lidar_dropouts: tuple[tuple[float, float], ...] = ()

    @staticmethod
    def active(windows: tuple[tuple[float, float], ...], t: float) -> bool:
        return any(a <= t < b for a, b in windows)


@dataclass(frozen=True)
class Scenario:
    name: str
    path: str
    seed: int
    hall_x: float
    hall_y: float
    wall_height: float
    obstacles: tuple[Box, ...]
    start: Pose2D
    goal: Pose2D
    goal_tolerance_m: float
    time_limit_s: float
    pedestrians: tuple[Pedestrian, ...] = ()
    faults: Faults = Faults()
    lidar_noise_std_m: float = 0.01
    extra: dict = field(default_factory=dict)

    @property
    def static_obstacles(self) -> tuple[Box, ...]:
        """What the robot's map knows: everything but the seeded clutter."""
        return tuple(b for b in self.obstacles if b.kind != CLUTTER)


def available() -> list[str]:
    return sorted(p.stem for p in SCENARIO_DIR.glob("*.yaml"))


def resolve(name_or_path: str) -> Path:
    """A scenario name (file in the package) or a path to a YAML file."""
    if "\0" in name_or_path or len(name_or_path) > 4096:
        raise ConfigError(f"scenario {_short(name_or_path)}: not a usable name or path")
    p = Path(name_or_path)
    if p.suffix in (".yaml", ".yml") or os.sep in name_or_path:
        try:
            found = p.is_file()
        except OSError as exc:
            raise ConfigError(f"scenario file {_short(name_or_path)}: {exc.strerror}") from None
        if not found:
            raise ConfigError(f"scenario file not found: {name_or_path}")
        return p
    if not NAME_PATTERN.fullmatch(name_or_path):
        raise ConfigError(f"unknown scenario {_short(name_or_path)} (available: {', '.join(available())})")
    cand = SCENARIO_DIR / f"{name_or_path}.yaml"
    if not cand.is_file():
        raise ConfigError(f"unknown scenario '{name_or_path}' (available: {', '.join(available())})")
    return cand


def _read_yaml(path: Path) -> dict:
    return read_yaml_mapping(path, "scenario", ConfigError)


class _Fields:
    """Typed access to a YAML mapping that names file and field in every error."""

    def __init__(self, path: Path, data: dict, prefix: str = "") -> None:
        self.path, self.data, self.prefix = path, data, prefix

    def _err(self, key: str, msg: str) -> ConfigError:
        return ConfigError(f"{self.path}: field '{self.prefix}{key}': {msg}")

    def num(
        self, key: str, default: float | None = None, lo: float = -math.inf, hi: float = math.inf
    ) -> float:
        if key not in self.data:
            if default is None:
                raise self._err(key, "is required")
            return default
        v = self.data[key]
        if isinstance(v, bool) or not isinstance(v, (int, float)) or not math.isfinite(v):
            raise self._err(key, f"expected a finite number, got {v!r}")
        if not lo <= v <= hi:
            raise self._err(key, f"{v} is outside [{lo}, {hi}]")
        return float(v)

    def sub(self, key: str, required: bool = True) -> "_Fields":
        v = self.data.get(key)
        if v is None and not required:
            return _Fields(self.path, {}, f"{self.prefix}{key}.")
        if not isinstance(v, dict):
            raise self._err(
                key,
                "is required and must be a mapping"
                if v is None
                else f"expected a mapping, got {type(v).__name__}",
            )
        return _Fields(self.path, v, f"{self.prefix}{key}.")

    def keys(self, allowed: tuple[str, ...]) -> "_Fields":
        """Refuse keys not in ``allowed`` (a misspelling is named, with the nearest allowed key)."""
        check_keys(self.data, allowed, f"{self.path}: {self.prefix.rstrip('.') or 'scenario'}")
        return self

    def items(self, key: str, allowed: tuple[str, ...], limit: int) -> list["_Fields"]:
        v = self.data.get(key, [])
        if v is None:
            v = []
        if not isinstance(v, list):
            raise self._err(key, f"expected a list, got {type(v).__name__}")
        if len(v) > limit:
            raise self._err(key, f"{len(v)} entries, at most {limit}")
        out = []
        for i, item in enumerate(v):
            if not isinstance(item, dict):
                raise ConfigError(f"{self.path}: field '{self.prefix}{key}[{i}]': expected a mapping")
            out.append(_Fields(self.path, item, f"{self.prefix}{key}[{i}].").keys(allowed))
        return out

    def points(self, key: str, limit: int = MAX_WAYPOINTS) -> tuple[tuple[float, float], ...]:
        v = self.data.get(key)
        ok = (
            isinstance(v, list)
            and 1 <= len(v) <= limit
            and all(
                isinstance(p, list)
                and len(p) == 2
                and all(
                    isinstance(c, (int, float)) and not isinstance(c, bool) and math.isfinite(c) for c in p
                )
                for p in v
            )
        )
        if not ok:
            raise self._err(key, f"expected a list of 1 to {limit} [x, y] pairs, got {_short(v)}")
        return tuple((float(a), float(b)) for a, b in v)

    def windows(self, key: str) -> tuple[tuple[float, float], ...]:
        if key not in self.data:
            return ()
        pts = self.points(key, MAX_WINDOWS)
        for a, b in pts:
            if not b > a >= 0:
                raise self._err(key, f"window [{a}, {b}] must satisfy 0 <= start < end")
        return pts

    def pose(self, key: str, extra: tuple[str, ...] = ()) -> Pose2D:
        f = self.sub(key).keys(("x", "y", "yaw", *extra))
        return Pose2D(f.num("x"), f.num("y"), f.num("yaw", 0.0, -2 * math.pi, 2 * math.pi))


def _load_map(name: str | dict, scen_path: Path) -> tuple[float, float, float, list[Box], Path]:
    """A map by name (``maps/<name>.yaml``), by path, or given inline as a mapping (generated sites)."""
    if isinstance(name, dict):
        path = scen_path
        f = _Fields(scen_path, name, "map.").keys(MAP_KEYS)
        return (*_map_fields(f), path)
    path = Path(name) if name.endswith((".yaml", ".yml")) else MAP_DIR / f"{name}.yaml"
    if not path.is_file():
        raise ConfigError(
            f"{scen_path}: field 'map': map '{name}' not found "
            f"(available: {', '.join(sorted(p.stem for p in MAP_DIR.glob('*.yaml')))})"
        )
    return (*_map_fields(_Fields(path, _read_yaml(path), "").keys(MAP_KEYS)), path)


MAP_KEYS = ("hall", "shelves", "boxes", "pillars")
BOX_KEYS = ("x", "y", "size_x_m", "size_y_m", "height_m", "yaw")


def _short(v: object) -> str:
    text = repr(v)
    return text if len(text) <= 60 else text[:57] + "..."


def _map_fields(f: "_Fields") -> tuple[float, float, float, list[Box]]:
    hall = f.sub("hall").keys(("size_x_m", "size_y_m", "wall_height_m"))
    hx, hy = hall.num("size_x_m", lo=2.0, hi=200.0), hall.num("size_y_m", lo=2.0, hi=200.0)
    wh = hall.num("wall_height_m", 2.0, lo=0.3, hi=10.0)
    boxes: list[Box] = []
    for group, kind in (("shelves", "shelf"), ("boxes", "box"), ("pillars", "pillar")):
        for b in f.items(group, BOX_KEYS, MAX_OBSTACLES):
            box = Box(
                b.num("x", lo=-hx / 2, hi=hx / 2),
                b.num("y", lo=-hy / 2, hi=hy / 2),
                b.num("size_x_m", lo=0.01, hi=max(hx, hy)) / 2,
                b.num("size_y_m", lo=0.01, hi=max(hx, hy)) / 2,
                b.num("height_m", 1.0, lo=0.05, hi=10.0) / 2,
                b.num("yaw", 0.0, lo=-2 * math.pi, hi=2 * math.pi),
                kind,
            )
            boxes.append(box)
    if len(boxes) > MAX_OBSTACLES:
        raise ConfigError(f"{f.path}: {len(boxes)} obstacles, at most {MAX_OBSTACLES}")
    return hx, hy, wh, boxes


PEDESTRIAN_BEHAVIORS = ("oblivious", "aware")


def _behavior(p: "_Fields") -> str:
    b = p.data.get("behavior", "oblivious")
    if b not in PEDESTRIAN_BEHAVIORS:
        raise p._err("behavior", f"must be one of {', '.join(PEDESTRIAN_BEHAVIORS)}, got {b!r}")
    return b


def load(name_or_path: str) -> Scenario:
    """Load and validate a scenario; raises ConfigError with a one-line message."""
    path = resolve(name_or_path)
    return from_mapping(_read_yaml(path), path)


def from_mapping(data: dict, path: Path | str = "<generated>") -> Scenario:
    """Validate a scenario given as a mapping (what a scenario YAML holds)."""
    path = Path(path)
    f = _Fields(path, data).keys(SCENARIO_KEYS)
    name = f.data.get("name", path.stem if path.suffix in (".yaml", ".yml") else "generated")
    if not isinstance(name, str) or not NAME_PATTERN.fullmatch(name):
        what = "field 'name'" if "name" in f.data else "the file name (no field 'name')"
        raise ConfigError(f"{path}: {what}: {_short(name)} is not an identifier "
                          f"(letters, digits, '_' and '-', 1 to 64 of them)")
    if "map" not in f.data or not isinstance(f.data["map"], (str, dict)):
        raise ConfigError(f"{path}: field 'map': is required and must be a map name (or a map mapping)")
    hx, hy, wh, boxes, _ = _load_map(f.data["map"], path)
    seed = int(f.num("seed", 0, lo=0, hi=2**31 - 1))
    start, goal = f.pose("start"), f.pose("goal", ("tolerance_m",))
    room = math.hypot(CHASSIS_HALF[0], CHASSIS_HALF[1]) + START_GOAL_CLEARANCE_M
    for key, pose in (("start", start), ("goal", goal)):
        if abs(pose.x) > hx / 2 - room or abs(pose.y) > hy / 2 - room:
            raise ConfigError(
                f"{path}: field '{key}': ({pose.x}, {pose.y}) is outside the hall or within {room:.2f} m "
                f"of its wall ({hx} x {hy} m centred on the origin)"
            )
        for b in boxes:
            if float(b.distance(np.array(pose.x), np.array(pose.y))) < room:
                raise ConfigError(
                    f"{path}: field '{key}': ({pose.x}, {pose.y}) is not free: within {room:.2f} m of the "
                    f"{b.kind} at ({b.x}, {b.y})"
                )
    # Seeded clutter: extra boxes placed reproducibly, away from start and goal.
    rb = f.sub("random_boxes", required=False).keys(("count", "region", "keep_out_m"))
    if rb.data:
        rng = np.random.default_rng(seed)
        region = rb.points("region", 2)
        if len(region) != 2:
            raise ConfigError(f"{path}: field 'random_boxes.region': expected [[xmin, ymin], [xmax, ymax]]")
        (x0, y0), (x1, y1) = region
        keep_out = max(room + 0.3, rb.num("keep_out_m", 1.2, lo=0.0, hi=20.0))  # clutter never boxes them in
        placed = 0
        for _ in range(500):
            if placed >= int(rb.num("count", lo=0, hi=100)):
                break
            x, y = float(rng.uniform(x0, x1)), float(rng.uniform(y0, y1))
            if min(math.dist((x, y), (start.x, start.y)), math.dist((x, y), (goal.x, goal.y))) < keep_out:
                continue
            s = float(rng.uniform(0.3, 0.6))
            boxes.append(
                Box(x, y, s / 2, s / 2, float(rng.uniform(0.2, 0.5)), float(rng.uniform(0, math.pi)), CLUTTER)
            )
            placed += 1
    peds = []
    for p in f.items("pedestrians", ("path", "speed_mps", "start_offset_s", "behavior"), MAX_PEDESTRIANS):
        route = p.points("path")
        for x, y in route:
            if abs(x) > hx / 2 or abs(y) > hy / 2:
                raise p._err("path", f"waypoint ({x}, {y}) is outside the hall ({hx} x {hy} m)")
        peds.append(
            Pedestrian(
                route,
                p.num("speed_mps", 0.8, lo=0.0, hi=3.0),
                p.num("start_offset_s", 0.0, lo=0.0, hi=3600.0),
                _behavior(p),
            )
        )
    fl = f.sub("faults", required=False).keys(("cloud_outages", "camera_blackouts", "lidar_dropouts"))
    faults = Faults(fl.windows("cloud_outages"), fl.windows("camera_blackouts"), fl.windows("lidar_dropouts"))
    g = f.sub("goal")
    noise = f.sub("noise", required=False).keys(("lidar_std_m",))
    return Scenario(
        name=name,
        path=str(path),
        seed=seed,
        hall_x=hx,
        hall_y=hy,
        wall_height=wh,
        obstacles=tuple(boxes),
        start=start,
        goal=goal,
        goal_tolerance_m=g.num("tolerance_m", 0.4, lo=0.05, hi=5.0),
        time_limit_s=f.num("time_limit_s", 90.0, lo=1.0, hi=3600.0),
        pedestrians=tuple(peds),
        faults=faults,
        lidar_noise_std_m=noise.num("lidar_std_m", 0.01, lo=0.0, hi=1.0),
    )
