"""Safety supervisor benchmarks. Run: ./genba test tests/benchmarks --run-benchmarks -s

Prints figures against their targets; asserts only that the measurement happened.
"""

import contextlib
import math
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import numpy as np
import pytest
from bench_report import FirstStampAges, busy_core, report, report_value

from genba_safety.separation import SeparationConfig
from genba_safety.supervisor import HealthInput, Inputs, OdomInput, ScanInput, Supervisor, SupervisorConfig
from genba_safety.watchdog import Now
from genba_safety.zones import ScanGeometry

HERE = Path(__file__).resolve().parent
TRIALS = int(os.environ.get("GENBA_BENCH_EVENTS", "25"))  # reaction events of each kind and load
sys.path.insert(0, str(HERE.parent / "integration"))


def test_pure_step_cost_360_beams():
    cfg = SupervisorConfig()
    sup, inputs = Supervisor(cfg), Inputs(cfg)
    rng = np.random.default_rng(0)
    geom = ScanGeometry(-math.pi, 2 * math.pi / 360, 0.12, 12.0, 0.2)
    scans = [rng.uniform(0.5, 12.0, 360) for _ in range(50)]
    fresh, cached = [], []
    for k in range(3000):
        now = Now(k * 0.01, 1.7e9 + k * 0.01)
        new_scan = k % 10 == 0
        for name, val in (("cmd", (0.8, 0.2)), ("odom", OdomInput(0, 0, 0, 0.5, 0)), ("camera", True),
                          ("cloud", "c"), ("health", HealthInput(0.1, 1.0, True))):
            inputs.offer(name, val, now.ros, now)
        if new_scan:
            inputs.offer("scan", ScanInput(scans[k // 10 % 50], geom), now.ros, now)
        t0 = time.perf_counter()
        sup.step(now, inputs)
        dt = (time.perf_counter() - t0) * 1e6
        if k > 100:
            (fresh if new_scan else cached).append(dt)
    print("\nsupervisor core, one step (100 Hz tick):")
    report("step with a new 360-beam scan", fresh, "us", figure="supervisor_step")
    report("step reusing the scan's points", cached, "us")
    assert fresh and cached


def _people_scan(t: float, n: int = 10) -> np.ndarray:
    """360 beams in a 16 x 10 m hall with ``n`` people (0.25 m discs) walking at 0.6-1.4 m/s."""
    ang = -math.pi + 2 * math.pi / 360 * np.arange(360)
    d = np.stack((np.cos(ang), np.sin(ang)), axis=1)
    with np.errstate(divide="ignore"):
        walls = np.minimum(np.where(d[:, 0] > 0, 8.0 / d[:, 0], -8.0 / d[:, 0]),
                           np.where(d[:, 1] > 0, 5.0 / d[:, 1], -5.0 / d[:, 1]))
    r = walls.copy()
    rng = np.random.default_rng(1)
    for _ in range(n):
        p0, v = rng.uniform([-1.0, -4.0], [7.0, 4.0]), rng.uniform(-1.0, 1.0, 2)
        c = p0 + v * t
        b = d @ c
        disc = b * b - c @ c + 0.25**2
        hit = (disc >= 0) & (b > 0)
        r[hit] = np.minimum(r[hit], b[hit] - np.sqrt(disc[hit]))
    return r


def test_step_cost_with_ten_walking_people():
    """The supervisor step with a new scan and 10 tracks, against the same scans with the people
    layer (tracker, separation, conflict prediction, blind corners) off, in the same run."""
    geom = ScanGeometry(-math.pi, 2 * math.pi / 360, 0.12, 12.0, 0.0)
    scans = [_people_scan(0.1 * k) for k in range(60)]
    rows = {}
    off = SupervisorConfig(separation=SeparationConfig(enabled=False))
    for label, cfg in (("without the people layer", off), ("with 10 people tracked", SupervisorConfig())):
        sup, inputs = Supervisor(cfg), Inputs(cfg)
        fresh, tracks = [], []
        for k in range(6000):
            now = Now(k * 0.01, 1.7e9 + k * 0.01)
            for name, val in (("cmd", (0.8, 0.1)), ("odom", OdomInput(0, 0, 0, 0.5, 0.1)), ("camera", True),
                              ("cloud", "c"), ("health", HealthInput(0.1, 1.0, True))):
                inputs.offer(name, val, now.ros, now)
            if k % 10 == 0:
                inputs.offer("scan", ScanInput(scans[k // 10 % 60], geom), now.ros, now)
            t0 = time.perf_counter()
            sup.step(now, inputs)
            dt = (time.perf_counter() - t0) * 1e6
            if k % 10 == 0 and k > 600:  # tracks settled
                fresh.append(dt)
                tracks.append(len(sup.scan_view.people))
        rows[label] = report(f"step with a new scan, {label}", fresh, "us",
                             f"(tracks per scan: median {int(np.median(tracks))})",
                             figure="supervisor_step_people" if cfg.separation.enabled else None,
                             baseline=rows.get("without the people layer"))
    base, people = rows["without the people layer"], rows["with 10 people tracked"]
    assert base["n"] and people["n"]


@pytest.fixture(scope="module")
def processes():
    env = dict(os.environ, PYTHONUNBUFFERED="1")
    sup = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "genba_safety.node",
            "--ros-args",
            "-p",
            "autostart:=true",  # a managed node: active without a lifecycle manager
            "-p",
            "recover_hold_s:=0.2",
            "-p",
            "cloud_timeout_ms:=5000.0",
        ],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        start_new_session=True,
    )
    relay = subprocess.Popen(
        [sys.executable, str(HERE / "bare_relay.py")],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        start_new_session=True,
    )
    yield
    for p in (sup, relay):
        os.killpg(p.pid, signal.SIGINT)
        p.wait(timeout=5)


def _reaction_trials(spin, robot, timeout_ms: float = 250.0) -> tuple[list[float], list[float]]:
    """TRIALS command-timeout and TRIALS obstacle events from a steady cruise: the time (ms) to the
    first ramp-down command on cmd_vel_safe, the timeout itself taken off."""
    stale, obstacle = [], []

    def cruising():
        # slow to come back on a busy core
        assert spin.until(lambda: (robot.last_v() or 0) > 0.599, 30.0), "no steady cruise"
        spin.for_(0.2)

    for _ in range(TRIALS):
        cruising()
        robot.enabled["cmd"] = False
        t_stop = robot.last_cmd_sent  # the command goes stale timeout_ms after its last sending
        v_before = robot.last_v()
        assert spin.until(lambda v0=v_before: robot.last_v() < v0 - 1e-6, 2.0)
        t_react = next(t for t, m in robot.received if t > t_stop and m.twist.linear.x < v_before - 1e-6)
        stale.append((t_react - t_stop) * 1000.0 - timeout_ms)
        assert spin.until(lambda: robot.last_v() == 0.0, 3.0)  # let the trial play out fully
        robot.enabled["cmd"] = True
    for _ in range(TRIALS):
        cruising()
        v_before = robot.last_v()
        robot.scan_range = 0.45  # an obstacle inside the stop zone, all around
        t_in = time.monotonic()
        robot._tick()  # publish it now rather than at the next 20 Hz tick
        assert spin.until(lambda v0=v_before: robot.last_v() < v0 - 1e-6, 2.0)
        t_react = next(t for t, m in robot.received if t > t_in and m.twist.linear.x < v_before - 1e-6)
        obstacle.append((t_react - t_in) * 1000.0)
        assert spin.until(lambda: robot.last_v() == 0.0, 3.0)
        robot.scan_range = math.inf
    return stale, obstacle


def test_reaction_latency_and_relay_overhead(processes):
    import rclpy
    from geometry_msgs.msg import TwistStamped
    from ros_helpers import FakeRobot, Spinner

    rclpy.init()
    robot = FakeRobot("bench_robot")
    robot.odom_follows_command = True  # a gap in the steps restarts the limiter from this speed, not from 0
    arrivals = FirstStampAges("safety", "relay")
    robot.create_subscription(TwistStamped, "relay/cmd_vel", arrivals.callback("relay"), 50)
    robot.create_subscription(TwistStamped, "cmd_vel_safe", arrivals.callback("safety"), 50)
    spin = Spinner(robot)
    try:
        assert spin.until(lambda: (robot.last_v() or 0) > 0.5, 20.0), "supervisor never reached NOMINAL"
        arrivals.clear()
        spin.for_(8.0)  # 20 Hz commands: ~160 pass-through samples for each relay
        print("\nrelay overhead (policy's sensor stamp -> the relay's publish, same messages, same run):")
        bare = report("bare rclpy relay node", arrivals.ms["relay"])
        safe = report("safety supervisor (step + publish)", arrivals.ms["safety"], baseline=bare)
        report_value("supervisor_relay_overhead", safe["p99"] / bare["p99"])

        print("reaction latency over real topics (to the first ramp-down command):")
        for load, suffix in (("", ""), (" (one core busy)", "_busy_core")):
            with busy_core() if suffix else contextlib.nullcontext():
                stale, obstacle = _reaction_trials(spin, robot)
            report(f"command stale: beyond the 250 ms timeout{load}", stale, "ms",
                   figure=f"cmd_timeout_reaction{suffix}")
            report(f"obstacle enters the stop zone{load}", obstacle, "ms",
                   figure=f"obstacle_reaction{suffix}")
            assert len(stale) == TRIALS and len(obstacle) == TRIALS
    finally:
        robot.destroy_node()
        rclpy.shutdown()
