"""Hostile input sequences for the safety core, as hypothesis strategies, and the check they must pass.

A sequence is a list of steps. Each step moves the clocks (forwards, not at all, backwards, by NaN,
by a leap), may deliver a scan (sane or corrupted: NaN, +-inf, zero and negative ranges; broken
geometry), a command and odometry (finite, NaN, infinite, huge, negative). The core must answer every
step with a finite command within its limits, zero while its clock cannot be trusted, and never a
speed towards a return closer than its stop distance: it may only brake towards it, and never start.
"""

from __future__ import annotations

import copy
import dataclasses
import functools
import math

import numpy as np
from hypothesis import strategies as st

from genba_safety.supervisor import HealthInput, Inputs, OdomInput, ScanInput, Supervisor, SupervisorConfig
from genba_safety.watchdog import Now
from genba_safety.zones import ScanGeometry, scan_points, stop_zone

CFG = SupervisorConfig()
GEOM = ScanGeometry(-math.pi, 2 * math.pi / 360, 0.12, 12.0, 0.2, 0.0, 0.0)
ANGLE_MAX = GEOM.angle_min + 359 * GEOM.angle_increment
BAD = [math.nan, math.inf, -math.inf, 0.0, -0.0, -1.0, -1e308, 1e308, 1e-320]

wild = st.one_of(st.sampled_from(BAD), st.floats(allow_nan=True, allow_infinity=True), st.floats(-3.0, 3.0))
sane_speed = st.floats(-0.5, 1.2)


@st.composite
def scans(draw) -> tuple[np.ndarray, ScanGeometry, float | None]:
    """A scene (open, a wall, an obstacle ahead or aside) with a share of its beams corrupted."""
    r = np.full(360, np.inf)
    kind = draw(st.sampled_from(["open", "obstacle", "wall", "near"]))
    ang = GEOM.angle_min + GEOM.angle_increment * np.arange(360)
    if kind == "obstacle":
        d, bearing = draw(st.floats(0.05, 6.0)), draw(st.floats(-math.pi, math.pi))
        width = draw(st.integers(1, 40))
        i = int((bearing - GEOM.angle_min) / GEOM.angle_increment) % 360
        r[[(i + k) % 360 for k in range(-width, width + 1)]] = d
    elif kind == "wall":
        d = draw(st.floats(0.1, 4.0))
        with np.errstate(divide="ignore"):
            r = np.where(np.cos(ang) > 0.05, d / np.cos(ang), np.inf)
    elif kind == "near":
        r[:] = draw(st.floats(0.0, 0.6))
    share = draw(st.sampled_from([0.0, 0.0, 0.01, 0.1, 0.5, 1.0]))
    if share:
        rng = np.random.default_rng(draw(st.integers(0, 2**32 - 1)))
        hit = rng.uniform(size=360) < share
        r[hit] = rng.choice(BAD, size=int(hit.sum()))
    geom, angle_max = GEOM, ANGLE_MAX
    if draw(st.integers(0, 9)) == 0:  # a broken geometry now and then
        field = draw(st.sampled_from(["angle_min", "angle_increment", "range_min", "range_max"]))
        geom = dataclasses.replace(GEOM, **{field: draw(wild)})
    if draw(st.integers(0, 19)) == 0:
        angle_max = draw(wild)
    if draw(st.integers(0, 19)) == 0:
        r = r[: draw(st.integers(0, 359))]  # a truncated message
    return r, geom, angle_max


steps = st.fixed_dictionaries({
    "dt": st.one_of(st.just(0.01), st.just(0.01), st.just(0.01),
                    st.sampled_from([0.0, -0.5, -1e-6, 0.005, 0.3, 2.0, math.nan, math.inf])),
    "ros_skew": st.one_of(st.just(0.0), st.just(0.0), st.floats(-1.0, 1.0), st.sampled_from([math.nan, 1e9])),
    "scan": st.one_of(st.none(), scans()),
    "cmd": st.one_of(st.tuples(sane_speed, st.floats(-1.5, 1.5)), st.tuples(wild, wild)),
    "odom_v": st.one_of(st.none(), sane_speed, wild),
    "stamp_skew": st.one_of(st.just(0.0), st.just(0.0), wild),
})
sequences = st.lists(steps, min_size=20, max_size=60)


def warm(sup: Supervisor, inputs: Inputs, now: Now, seconds: float = 1.5) -> Now:
    """Nominal driving at 0.6 m/s in the open first, so that the hostile steps meet a moving robot."""
    for _ in range(int(seconds * CFG.rate_hz)):
        now = Now(now.mono + 0.01, now.ros + 0.01)
        inputs.offer("cmd", (0.6, 0.0), now.ros, now)
        for k, v in (("camera", True), ("cloud", "c"), ("health", HealthInput(0.1, 2.0))):
            inputs.offer(k, v, now.ros, now)
        inputs.offer("odom", OdomInput(0.0, 0.0, 0.0, sup.limiter.v, sup.limiter.w), now.ros, now)
        inputs.offer("scan", ScanInput(np.full(360, np.inf), GEOM, ANGLE_MAX), now.ros, now)
        sup.step(now, inputs)
    return now


@functools.cache
def _warmed() -> tuple[Supervisor, Inputs, Now]:
    sup, inputs = Supervisor(CFG), Inputs(CFG)
    inputs.samples["goal"].value, inputs.samples["goal"].received = (20.0, 0.0), 0.0
    return sup, inputs, warm(sup, inputs, Now(100.0, 1.7e9))


def run_and_check(sequence: list[dict]) -> int:
    """Drive a fresh core through ``sequence``; assert the properties after every step. Returns the
    number of steps in which a return lay closer than the stop distance (how often it mattered)."""
    sup, inputs, now = copy.deepcopy(_warmed())
    lim, v_prev, near = CFG.limits, sup.limiter.v, 0
    last_mono = now.mono
    mono, ros = now.mono, now.ros  # the clocks underneath; a step may read them wrong
    for s in sequence:
        dt = s["dt"]
        mono, ros = mono + (dt if math.isfinite(dt) else 0.01), ros + (dt if math.isfinite(dt) else 0.01)
        now = Now(mono if math.isfinite(dt) else dt, ros + s["ros_skew"])
        stamp = now.ros + s["stamp_skew"]
        inputs.offer("cmd", s["cmd"], stamp, now)
        for k, v in (("camera", True), ("cloud", "c"), ("health", HealthInput(0.1, 2.0))):
            inputs.offer(k, v, now.ros, now)
        if s["odom_v"] is not None:
            inputs.offer("odom", OdomInput(0.0, 0.0, 0.0, s["odom_v"], 0.0), stamp, now)
        if s["scan"] is not None:
            r, g, angle_max = s["scan"]
            inputs.offer("scan", ScanInput(r, g, angle_max), stamp, now)
        out = sup.step(now, inputs)
        assert math.isfinite(out.v) and math.isfinite(out.w), out
        assert -lim.max_reverse_mps - 1e-9 <= out.v <= lim.max_speed_mps + 1e-9, out
        assert abs(out.w) <= lim.max_yaw_rate_radps + 1e-9, out
        clock_ok = math.isfinite(now.mono) and math.isfinite(now.ros) and now.mono > last_mono
        if not clock_ok:
            assert out.v == 0.0 and out.w == 0.0, ("moving on an untrusted clock", out)
        if math.isfinite(now.mono):
            last_mono = now.mono
        sample = inputs.samples["scan"].value
        if sample is not None and clock_ok and inputs.fresh("scan", now) and out.v > 0.0:
            pts = scan_points(sample.ranges, sample.geometry)
            box = stop_zone(CFG.zones, out.v, lim.max_decel_mps2)
            if pts.size and bool((box.contains(pts) & (pts[:, 0] > 0.0)).any()):
                near += 1
                assert out.v < v_prev, ("not braking towards a return inside the stop distance", out, v_prev)
        v_prev = out.v
    return near
