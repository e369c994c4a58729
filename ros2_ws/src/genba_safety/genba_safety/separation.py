"""Speed and separation monitoring (ISO/TS 15066 style), conflict prediction and blind corners.

Three questions about the people the tracker follows, each a pure function:

* :func:`ssm_scale`: how much of the command (v, w) keeps every track outside its protective
  separation distance ``S = v_h (T_r + T_s) + v_r T_r + v_r^2 / 2a + C + Z``;
* :func:`choose`: over a short horizon, which of a few candidate commands (the request, the
  SSM-capped request, a stop, a short retreat) comes into contact with no predicted person, the
  least changed first; if all do, the one where the robot is at rest before contact;
* :func:`occlusion_cap`: the speed at which a person stepping out from behind an occluding edge
  ahead can still be avoided by stopping.

Distances are from the robot's footprint rectangle (base_link) to a track's returns; speeds are
directed: the robot's speed is that of its footprint point nearest the person, towards the person;
the person's is the component of the track's velocity towards the robot, or
:data:`~genba_safety.tracker.HUMAN_SPEED_MPS` while it is unknown. The derivation and a worked
example are in ``docs/safety.md``.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from genba_safety.limits import Limits
from genba_safety.tracker import HUMAN_SPEED_MPS, TrackView
from genba_safety.zones import Footprint


@dataclass(frozen=True)
class SeparationConfig:
    enabled: bool = True
    intrusion_m: float = 0.10  # C: reach of a body part beyond the measured surface
    sensor_uncertainty_m: float = 0.05  # Z without the track's own uncertainty
    uncertainty_sigmas: float = 2.0  # Z adds this many standard deviations of the track
    actuation_latency_ms: float = 30.0  # command out to wheels responding (link plus controller)
    horizon_s: float = 2.5  # conflict prediction horizon
    dt_s: float = 0.1  # its step
    contact_margin_m: float = 0.10  # predicted distance below this is a contact
    commit_s: float = 0.2  # last resort: held this long, then braked, at rest before contact
    max_spread_m: float = 0.3  # predicted positions spread by one velocity sigma a second, up to this
    clear_margin_m: float = 0.20  # passing ahead of a person needs this much more
    retreat_speed_mps: float = 0.3  # the retreat candidate (when the rear is clear)
    occlusion_depth_m: float = 0.6  # a range jump this deep can hide a person
    occlusion_lateral_m: float = 1.5  # edges this far beside the footprint count
    occlusion_lookahead_m: float = 4.0  # ...and this far ahead of it
    occlusion_min_speed_mps: float = 0.2  # the cap never goes below this: it stops within 4 cm
    unknown_speed_mps: float = HUMAN_SPEED_MPS


@dataclass(frozen=True)
class Candidate:
    name: str  # request | ssm | stop | retreat
    v: float
    w: float
    contact_s: float  # first predicted contact (inf: none within the horizon)
    speed_at_contact_mps: float  # robot speed then (0 if none)
    clearance_m: float  # smallest predicted distance to any track over the horizon


@dataclass(frozen=True)
class Decision:
    v: float
    w: float
    reason: str  # "" (unchanged), SSM_SLOW, SSM_STOP, YIELD, CLEAR_CROSSING
    ssm_scale: float  # 1 when no track constrains the request
    candidates: tuple[Candidate, ...]


def protective_distance(v_h: float, v_r: float, t_r: float, decel: float, c: float, z: float) -> float:
    """ISO/TS 15066 protective separation distance for directed speeds ``v_h`` (person) and
    ``v_r`` (robot), reaction time ``t_r``, braking at ``decel``, intrusion ``c``, uncertainty ``z``."""
    v_r = max(0.0, v_r)
    t_s = v_r / decel
    return max(0.0, v_h) * (t_r + t_s) + v_r * t_r + v_r * v_r / (2.0 * decel) + c + z


def max_directed_speed(d: float, v_h: float, t_r: float, decel: float, c: float, z: float) -> float:
    """The largest robot speed towards the person for which ``d`` >= :func:`protective_distance`."""
    a2 = 1.0 / (2.0 * decel)
    b = t_r + max(0.0, v_h) / decel
    c0 = max(0.0, v_h) * t_r + c + z - d
    if c0 >= 0.0:
        return 0.0
    return (-b + math.sqrt(b * b - 4.0 * a2 * c0)) / (2.0 * a2)


def nearest_on_footprint(pts: np.ndarray, fp: Footprint) -> tuple[np.ndarray, np.ndarray]:
    """For each point, the nearest point of the footprint rectangle and the distance to it."""
    q = np.column_stack(
        (np.clip(pts[:, 0], -fp.rear_m, fp.front_m), np.clip(pts[:, 1], -fp.half_width_m, fp.half_width_m))
    )
    return q, np.hypot(*(pts - q).T)


@dataclass(frozen=True)
class Separation:
    """One track against the footprint: distance, direction, and the person's directed speed."""

    track_id: int
    distance_m: float
    nearest: tuple[float, float]  # footprint point nearest the track
    towards: tuple[float, float]  # unit vector from that point to the track
    v_h: float  # person's speed towards the robot (m/s)
    z: float  # measurement uncertainty (m)


def separations(tracks: list[TrackView], fp: Footprint, cfg: SeparationConfig) -> list[Separation]:
    out = []
    for t in tracks:
        q, d = nearest_on_footprint(t.points, fp)
        k = int(np.argmin(d))
        dist = float(d[k])
        if dist > 1e-9:
            u = (t.points[k] - q[k]) / dist
        else:
            c = np.asarray(t.centre)
            u = c / (np.linalg.norm(c) or 1.0)
        if t.known:
            v_h = (
                max(0.0, -(t.velocity[0] * u[0] + t.velocity[1] * u[1]))
                + cfg.uncertainty_sigmas * t.velocity_std_mps
            )
        else:
            v_h = cfg.unknown_speed_mps
        z = cfg.sensor_uncertainty_m + cfg.uncertainty_sigmas * t.position_std_m
        out.append(
            Separation(t.id, dist, (float(q[k, 0]), float(q[k, 1])), (float(u[0]), float(u[1])), v_h, z)
        )
    return out


def directed_speed(v: float, w: float, s: Separation) -> float:
    """Speed of the footprint point nearest the track, towards the track, under (v, w)."""
    qx, qy = s.nearest
    return (v - w * qy) * s.towards[0] + (w * qx) * s.towards[1]


def ssm_scale(
    seps: list[Separation], v: float, w: float, t_r: float, decel: float, cfg: SeparationConfig
) -> tuple[float, int | None]:
    """The largest factor in [0, 1] on (v, w) that keeps every track outside its protective
    separation distance, and the id of the track that binds (None when none does)."""
    scale, binding = 1.0, None
    for s in seps:
        v_dir = directed_speed(v, w, s)
        if v_dir <= 1e-9:
            continue  # moving away from (or past) this person: never limited by it
        if s.distance_m <= 1e-9:
            return 0.0, s.track_id
        v_max = max_directed_speed(s.distance_m, s.v_h, t_r, decel, cfg.intrusion_m, s.z)
        if v_dir > v_max and v_max / v_dir < scale:
            scale, binding = v_max / v_dir, s.track_id
    return scale, binding


def rollout(
    v0: float,
    w0: float,
    v_c: float,
    w_c: float,
    lim: Limits,
    t_r: float,
    horizon_s: float,
    dt: float,
    stop_after_s: float = math.inf,
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Times (K,), robot poses (K, 3) in today's base_link and speeds (K,) when the command
    (v_c, w_c) is sent now: the robot keeps (v0, w0) for the reaction time, then changes at the
    acceleration (or, slowing, deceleration) limits and holds it; from ``stop_after_s`` on, a stop
    is commanded instead."""
    k = int(round(horizon_s / dt))
    ts = dt * np.arange(1, k + 1)
    poses = np.zeros((k, 3))
    speeds = np.zeros(k)
    x = y = th = 0.0
    v, w = v0, w0
    for i in range(k):
        if i * dt >= stop_after_s + t_r:
            v_c, w_c = 0.0, 0.0
        if i * dt >= t_r:
            speeding = abs(v_c) > abs(v) and v_c * v >= 0.0
            a = (lim.max_accel_mps2 if speeding else lim.max_decel_mps2) * dt
            v += max(-a, min(a, v_c - v))
            aw = lim.max_yaw_accel_radps2 * dt * 4.0
            w += max(-aw, min(aw, w_c - w))
        mid = th + 0.5 * w * dt
        x += v * dt * math.cos(mid)
        y += v * dt * math.sin(mid)
        th += w * dt
        poses[i] = (x, y, th)
        speeds[i] = abs(v)
    return ts, poses, speeds


def predicted_gaps(
    tracks: list[TrackView], fp: Footprint, ts: np.ndarray, poses: np.ndarray, cfg: SeparationConfig
) -> tuple[np.ndarray, np.ndarray]:
    """Over the horizon (K,), the smallest gap between the footprint on ``poses`` and any track
    moved on at its velocity: nominal (the returns' distance less the sensor's uncertainty), and
    cautious (less also the track's position uncertainty and its velocity uncertainty grown over
    time, up to ``max_spread_m``)."""
    if not tracks:
        return np.full(ts.shape, np.inf), np.full(ts.shape, np.inf)
    c, s = np.cos(poses[:, 2]), np.sin(poses[:, 2])
    # every return of every track at once: (M,) points with their track's velocity and spread
    pts = np.concatenate([t.points for t in tracks])
    vel = np.repeat(np.array([t.velocity for t in tracks]), [len(t.points) for t in tracks], axis=0)
    pos_std = np.repeat([t.position_std_m for t in tracks], [len(t.points) for t in tracks])
    vel_std = np.repeat([t.velocity_std_mps for t in tracks], [len(t.points) for t in tracks])
    # (K, M): each return moved with its track, then put in the robot's frame at that time
    px = pts[None, :, 0] + vel[None, :, 0] * ts[:, None] - poses[:, 0:1]
    py = pts[None, :, 1] + vel[None, :, 1] * ts[:, None] - poses[:, 1:2]
    lx, ly = c[:, None] * px + s[:, None] * py, -s[:, None] * px + c[:, None] * py
    dx = np.maximum(np.maximum(lx - fp.front_m, -fp.rear_m - lx), 0.0)
    dy = np.maximum(np.abs(ly) - fp.half_width_m, 0.0)
    d = np.hypot(dx, dy) - cfg.sensor_uncertainty_m
    nominal = d.min(axis=1)
    spread = pos_std[None, :] + np.minimum(vel_std[None, :] * ts[:, None], cfg.max_spread_m)
    cautious = (d - spread).min(axis=1)
    return nominal, cautious


@dataclass(frozen=True)
class Rollout:
    """One candidate command followed over the horizon against the predicted tracks."""

    name: str
    v: float
    w: float
    ts: np.ndarray
    speeds: np.ndarray
    nominal: np.ndarray
    cautious: np.ndarray

    def candidate(self, cautious: bool, margin: float) -> Candidate:
        gap = self.cautious if cautious else self.nominal
        hit = np.flatnonzero(gap <= margin)
        k = int(hit[0]) if hit.size else -1
        return Candidate(
            self.name,
            self.v,
            self.w,
            float(self.ts[k]) if k >= 0 else math.inf,
            float(self.speeds[k]) if k >= 0 else 0.0,
            float(gap.min()),
        )


def _rollout(
    name: str,
    v: float,
    w: float,
    tracks: list[TrackView],
    fp: Footprint,
    v0: float,
    w0: float,
    lim: Limits,
    t_r: float,
    cfg: SeparationConfig,
) -> Rollout:
    ts, poses, speeds = rollout(v0, w0, v, w, lim, t_r, cfg.horizon_s, cfg.dt_s)
    return Rollout(name, v, w, ts, speeds, *predicted_gaps(tracks, fp, ts, poses, cfg))


AT_REST_MPS = 0.05  # a robot (its fastest chassis point) slower than this at contact is at rest


def _reason(scale: float) -> str:
    return "" if scale >= 1.0 else ("SSM_STOP" if scale <= 0.0 else "SSM_SLOW")


def choose(
    tracks: list[TrackView],
    fp: Footprint,
    v: float,
    w: float,
    v0: float,
    w0: float,
    lim: Limits,
    t_r: float,
    cfg: SeparationConfig,
    retreat_clear: bool,
    unslowed: tuple[float, float] | None = None,
) -> Decision:
    """The command to send instead of the request (v, w), given the robot's measured (v0, w0).

    Unknown tracks cap every candidate by SSM (nothing is known of where they go); moving tracks
    are predicted at constant velocity. Candidates, in order of how little they change the request:

    1. the SSM-capped request (SSM_SLOW; unchanged when SSM does not bind);
    2. the request itself, then ``unslowed`` (the request before the zones' comfort slow-downs):
       passing ahead of a person while slowing would meet them (CLEAR_CROSSING: never slow down
       into a crossing person's path); needs ``clear_margin_m`` more room;
    3. a stop, then a short retreat if ``retreat_clear`` (YIELD).

    The first candidate free of contact with the tracks' uncertainty grown over the horizon wins;
    if none is, the first free of contact at the tracks' nominal positions; if none is either,
    contact cannot be avoided and the robot stops, to be at rest when it comes (SSM_STOP).
    """
    unknown = [t for t in tracks if not t.known]
    moving = [t for t in tracks if t.known and t.moving]
    decel = lim.max_decel_mps2
    seps_u = separations(unknown, fp, cfg)
    k_u, _ = ssm_scale(seps_u, v, w, t_r, decel, cfg)
    k_m, _ = ssm_scale(separations(moving, fp, cfg), v * k_u, w * k_u, t_r, decel, cfg)
    scale = k_u * k_m
    if not moving:
        return Decision(v * scale, w * scale, _reason(scale), scale, ())
    options: list[tuple[str, float, float, str, float]] = [("ssm", v * scale, w * scale, _reason(scale), 0.0)]
    if k_m < 1.0:
        options.append(("request", v * k_u, w * k_u, "CLEAR_CROSSING", cfg.clear_margin_m))
    if unslowed is not None and abs(unslowed[0]) > abs(v) + 1e-6:
        k_uu, _ = ssm_scale(seps_u, *unslowed, t_r, decel, cfg)
        options.append(
            ("unslowed", unslowed[0] * k_uu, unslowed[1] * k_uu, "CLEAR_CROSSING", cfg.clear_margin_m)
        )
    options.append(("stop", 0.0, 0.0, "YIELD", 0.0))
    if retreat_clear and cfg.retreat_speed_mps > 0.0 and k_u >= 1.0:
        options.append(("retreat", -min(cfg.retreat_speed_mps, lim.max_reverse_mps), 0.0, "YIELD", 0.0))
    rolled: dict[int, Rollout] = {}  # rolled out only when needed, once
    cands: tuple[Candidate, ...] = ()
    for cautious in (True, False):
        tried = []
        for i, (name, cv, cw, reason, extra) in enumerate(options):
            if i not in rolled:
                rolled[i] = _rollout(name, cv, cw, moving, fp, v0, w0, lim, t_r, cfg)
            # with the uncertainty grown, a gap below the margin is a contact; at nominal positions,
            # no gap at all
            margin = cfg.contact_margin_m if cautious else 0.0
            c = rolled[i].candidate(cautious, margin)
            tried.append(c)
            if math.isinf(c.contact_s) and c.clearance_m > margin + extra:
                if name == "stop" and scale <= 0.0:
                    reason = "SSM_STOP"
                return Decision(cv, cw, reason, scale, tuple(tried))
        cands = tuple(tried)
    # Last resort, before a stop that would stand in someone's way early: a candidate held for
    # commit_s and then braked is at rest before any predicted contact, so the next decision can
    # still stop in time (the separation distance argument of ISO/TS 15066, step by step).
    for name, cv, cw, reason, _ in [o for o in options if o[0] not in ("stop", "retreat")]:
        ts, poses, speeds = rollout(v0, w0, cv, cw, lim, t_r, cfg.horizon_s, cfg.dt_s, cfg.commit_s)
        nominal, _ = predicted_gaps(moving, fp, ts, poses, cfg)
        hit = np.flatnonzero(nominal <= 0.0)
        if not hit.size or speeds[hit[0]] < AT_REST_MPS:
            return Decision(cv, cw, reason if name == "ssm" else "CLEAR_CROSSING", scale, cands)
    return Decision(0.0, 0.0, "SSM_STOP", scale, cands)


def occlusion_cap(
    pts: np.ndarray, ranges: np.ndarray, fp: Footprint, t_r: float, decel: float, cfg: SeparationConfig
) -> tuple[float, tuple[float, float] | None]:
    """Forward speed cap for blind corners, and the edge that sets it (None: no cap).

    ``pts`` are the returns in beam order (base_link) with their ``ranges`` (finite). An occluding
    edge is the nearer return of two neighbouring beams whose ranges differ by more than
    ``occlusion_depth_m``. For each edge ahead of the footprint and beside its path (an edge in
    the path is an obstacle, for the zones), a person stepping out there must find the robot able to
    stop before the point abreast of the edge: ``v t_r + v^2 / 2a <= x_edge - front - C``, but never
    below ``occlusion_min_speed_mps`` (at 0.2 m/s the robot stops within 4 cm, inside C).
    """
    if len(pts) < 2:
        return math.inf, None
    jump = np.abs(np.diff(ranges)) > cfg.occlusion_depth_m
    i = np.flatnonzero(jump)
    near = np.where(ranges[i] < ranges[i + 1], i, i + 1)
    e = pts[near]
    ahead = e[:, 0] - fp.front_m - cfg.intrusion_m
    lateral = np.abs(e[:, 1]) - fp.half_width_m
    ok = (
        (ahead > 0.0)
        & (e[:, 0] - fp.front_m <= cfg.occlusion_lookahead_m)
        & (lateral > 0.0)
        & (lateral <= cfg.occlusion_lateral_m)
    )
    if not ok.any():
        return math.inf, None
    d = ahead[ok]
    caps = np.maximum(decel * (-t_r + np.sqrt(t_r * t_r + 2.0 * d / decel)), cfg.occlusion_min_speed_mps)
    k = int(np.argmin(caps))
    edge = e[ok][k]
    return float(caps[k]), (float(edge[0]), float(edge[1]))
