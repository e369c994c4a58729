"""The student policy's inputs, built identically at training time (from the simulator) and on the
robot (from ROS messages). Changing anything here changes the model contract: bump OBS_VERSION.

    image  float32 [1, 3, 48, 64]  RGB, (x/255 - 0.5) / 0.25
    scan   float32 [1, 64]         min range per 5.625-degree sector from -pi, / SCAN_MAX_M, in [0, 1]
    scan_prev float32 [1, 64]      the scan SCAN_HISTORY_S earlier, seen from where the robot is now
                                   (moved by the odometry pose change), so that scan - scan_prev is what
                                   moved in the world (people), not the robot's own motion
    state  float32 [1, 2]          measured v [m/s], w [rad/s]
    goal   float32 [1, 3]          min(distance, 10) / 10, cos(bearing), sin(bearing), in base_link
    route  float32 [1, 3]          the same for the route point route.LOOKAHEAD_M ahead on the global route
                                   (genba_policy.route on the static map), distance / 2 (max 1)
    motion float32 [1, 2, 64]      per sector, the ground velocity (m/s) of the tracked object there
                                   (genba_perception.tracker over the full-resolution scans), radial
                                   (away from the laser) and tangential (counter-clockwise) to its
                                   bearing; 0 where nothing is tracked. How people walk, which two
                                   binned scans half a second apart tell badly
"""

from __future__ import annotations

import math

import numpy as np

from genba_perception.image import normalise, resize_area
from genba_perception.scan import bin_ranges, clean_ranges
from genba_perception.tracker import Tracker

OBS_VERSION = 5
IMAGE_H, IMAGE_W = 48, 64
SCAN_BINS = 64
SCAN_MAX_M = 8.0
INPUT_NAMES = ("image", "scan", "scan_prev", "state", "goal", "route", "motion")
SCAN_HISTORY_S = 0.5
ROUTE_SCALE_M = 2.0
OBJECT_RADIUS_M = 0.25  # a tracked object covers the sectors a disc this wide at its centre would


def observe(image_rgb: np.ndarray, ranges: np.ndarray, range_min: float, range_max: float,
            v: float, w: float, goal_base: tuple[float, float],
            route_base: tuple[float, float], history: "ScanHistory", stamp_s: float,
            pose: tuple[float, float, float]) -> dict[str, np.ndarray]:
    """One observation (batch of 1). ``ranges`` is a full 360-degree scan starting at -pi, taken at
    ``stamp_s`` with base_link at ``pose`` (x, y, yaw in the odometry frame); goal and route point
    are (x, y) in base_link; ``history`` supplies scan_prev and tracks the moving objects (motion)."""
    img = normalise(resize_area(image_rgb, IMAGE_H, IMAGE_W))[None]
    cleaned = clean_ranges(ranges, range_min, range_max)
    scan = (bin_ranges(cleaned, SCAN_BINS, SCAN_MAX_M) / SCAN_MAX_M)[None].astype(np.float32)
    scan_prev = history.push(stamp_s, pose, cleaned)  # updates history.motion too
    return {
        "image": img.astype(np.float32),
        "scan": scan,
        "scan_prev": scan_prev,
        "state": np.array([[v, w]], np.float32),
        "goal": _polar(goal_base, 10.0),
        "route": _polar(route_base, ROUTE_SCALE_M),
        "motion": history.motion,
    }


def _polar(xy: tuple[float, float], scale_m: float) -> np.ndarray:
    dist, bearing = math.hypot(*xy), math.atan2(xy[1], xy[0])
    return np.array([[min(dist, scale_m) / scale_m, math.cos(bearing), math.sin(bearing)]], np.float32)


def _compose(a: tuple[float, float, float], b: tuple[float, float, float]) -> tuple[float, float, float]:
    c, s = math.cos(a[2]), math.sin(a[2])
    return a[0] + c * b[0] - s * b[1], a[1] + s * b[0] + c * b[1], a[2] + b[2]


def _inverse(a: tuple[float, float, float]) -> tuple[float, float, float]:
    c, s = math.cos(a[2]), math.sin(a[2])
    return -c * a[0] - s * a[1], s * a[0] - c * a[1], -a[2]


def sector_of(x: np.ndarray, y: np.ndarray) -> np.ndarray:
    """The scan sector (0..SCAN_BINS-1, sector 0 starting at -pi) of points (x, y) in the laser frame."""
    return np.floor((np.arctan2(y, x) + math.pi) * SCAN_BINS / (2 * math.pi)).astype(int) % SCAN_BINS


def rebin_from(ranges: np.ndarray, laser_then_in_now: tuple[float, float, float]) -> np.ndarray:
    """The binned scan [1, SCAN_BINS] of a full scan's returns (cleaned ranges, beam 0 at -pi) taken
    from a laser pose given in the current laser frame: each return moved to where it lies now."""
    r = np.asarray(ranges, np.float64)
    ang = -math.pi + 2 * math.pi * np.arange(r.size) / r.size
    hit = np.isfinite(r)
    x, y, yaw = laser_then_in_now
    a = ang[hit] + yaw
    px, py = x + r[hit] * np.cos(a), y + r[hit] * np.sin(a)
    out = np.full(SCAN_BINS, SCAN_MAX_M)
    np.minimum.at(out, sector_of(px, py), np.hypot(px, py))
    return (np.clip(out, 0.0, SCAN_MAX_M) / SCAN_MAX_M)[None].astype(np.float32)


def motion_channels(objects: np.ndarray, laser: tuple[float, float, float]) -> np.ndarray:
    """The motion input [1, 2, SCAN_BINS] from tracked objects [n, 4] (x, y, vx, vy in the odometry
    frame) seen from the laser's pose ``laser`` there: in each sector an object of radius
    OBJECT_RADIUS_M covers, its velocity radial and tangential to its bearing; the nearest wins."""
    out = np.zeros((2, SCAN_BINS), np.float32)
    if len(objects) == 0:
        return out[None]
    lx, ly, lyaw = laser
    c, s = math.cos(lyaw), math.sin(lyaw)
    dx, dy = objects[:, 0] - lx, objects[:, 1] - ly
    x, y = c * dx + s * dy, -s * dx + c * dy
    vx, vy = c * objects[:, 2] + s * objects[:, 3], -s * objects[:, 2] + c * objects[:, 3]
    dist = np.hypot(x, y)
    width = 2 * math.pi / SCAN_BINS
    for k in np.argsort(-dist):  # farthest first: nearer objects overwrite
        if not 0.05 < dist[k] < SCAN_MAX_M:
            continue
        b = math.atan2(y[k], x[k])
        half = math.asin(min(1.0, OBJECT_RADIUS_M / dist[k]))
        first, last = (math.floor((b + math.pi + e) / width) for e in (-half, half))
        cb, sb = math.cos(b), math.sin(b)
        idx = np.arange(first, last + 1) % SCAN_BINS
        out[0, idx] = cb * vx[k] + sb * vy[k]
        out[1, idx] = -sb * vx[k] + cb * vy[k]
    return out[None]


SEEN_RANGE_M = 4.0  # returns nearer than this may bend the route (route.RouteFollower.see)
WALKING_MPS = 0.3  # tracked objects at least this fast are people walking, not obstacles to route round


def obstacle_points(ranges: np.ndarray, laser: tuple[float, float, float], tracks) -> np.ndarray:
    """[n, 2] returns (odometry frame) within SEEN_RANGE_M of a cleaned full scan (beam 0 at -pi)
    taken from ``laser`` (x, y, yaw there), without those within 0.5 m of a tracked object walking
    (``tracks``: genba_perception.tracker.Track): what the route should keep clear of."""
    r = np.asarray(ranges, np.float64)
    ang = laser[2] - math.pi + 2 * math.pi * np.arange(r.size) / max(r.size, 1)
    hit = np.isfinite(r) & (r < SEEN_RANGE_M)
    pts = np.column_stack((laser[0] + r[hit] * np.cos(ang[hit]), laser[1] + r[hit] * np.sin(ang[hit])))
    walking = [t.state[:2] for t in tracks if t.confirmed and math.hypot(*t.state[2:]) >= WALKING_MPS]
    if walking and len(pts):
        w = np.asarray(walking)
        d = np.hypot(pts[:, None, 0] - w[None, :, 0], pts[:, None, 1] - w[None, :, 1]).min(1)
        pts = pts[d > 0.5]
    return pts


class ScanHistory:
    """Recent scans with the odometry pose they were taken from. ``push`` gives the newest one taken
    at least ``delay_s`` before this one (the oldest kept if the history is shorter, the new one
    itself at the start), binned as seen from the laser's pose now; after it, ``motion`` holds the
    motion input from the tracker, which every scan updates. ``laser`` is the laser's mount
    (x, y, yaw) in base_link."""

    def __init__(self, laser: tuple[float, float, float], delay_s: float = SCAN_HISTORY_S) -> None:
        self.laser = laser
        self.delay = delay_s
        self.items: list[tuple[float, tuple[float, float, float], np.ndarray]] = []
        self.tracker = Tracker()
        self.motion = np.zeros((1, 2, SCAN_BINS), np.float32)

    def obstacles(self, pose: tuple[float, float, float], ranges: np.ndarray) -> np.ndarray:
        """obstacle_points of a cleaned scan taken with base_link at ``pose``, people walking left
        out as the tracker saw them up to the last scan pushed."""
        return obstacle_points(ranges, _compose(pose, self.laser), self.tracker.tracks)

    def push(self, stamp_s: float, pose: tuple[float, float, float], ranges: np.ndarray) -> np.ndarray:
        if self.items and stamp_s < self.items[-1][0]:
            self.items.clear()  # time went backwards (sim reset, bag loop): start afresh
        self.items.append((stamp_s, pose, ranges))
        laser_now = _compose(pose, self.laser)
        tracks = self.tracker.update(stamp_s, laser_now, ranges, -math.pi, 2 * math.pi / max(len(ranges), 1))
        self.motion = motion_channels(np.array([t.state for t in tracks]).reshape(-1, 4), laser_now)
        while len(self.items) > 1 and self.items[1][0] <= stamp_s - self.delay:
            self.items.pop(0)
        _, then, old = self.items[0]
        laser_then = _compose(then, self.laser)
        return rebin_from(old, _compose(_inverse(laser_now), laser_then))
