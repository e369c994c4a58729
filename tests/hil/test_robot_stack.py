"""The robot stack, unchanged, on emulated devices: an LD06 byte stream on a pty from the
simulator's scan, a camera writing into a folder, the motor-controller emulator on a pty driving the
simulated base, and a fleet server's TCP port for the link monitor. A goal is sent as a fleet
manager sends one; on the way the LiDAR's pty is pulled: the robot stops with SCAN_STALE, and moves
again only once the scans are back for the supervisor's hold time."""

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
import yaml
from rosbags.highlevel import AnyReader

from genba_common.stamps import stamp_to_sec

ROOT = Path(__file__).resolve().parents[2]
SCENARIO = Path(__file__).with_name("scenarios") / "lidar_unplugged.yaml"
SAFETY = ROOT / "ros2_ws/src/genba_safety/config/safety_supervisor.yaml"


def recorded(run_dir: Path, topic: str) -> list[tuple[float, object]]:
    """(receipt wall time s, message) of one topic in the run's MCAP."""
    with AnyReader([run_dir / "recording"]) as reader:
        conns = [c for c in reader.connections if c.topic == topic]
        assert conns, f"{topic} is not in the recording"
        messages = reader.messages(connections=conns)
        return [(t * 1e-9, reader.deserialize(raw, c.msgtype)) for c, t, raw in messages]


@pytest.mark.slow
def test_robot_stack_on_emulated_devices_reaches_the_goal_and_stops_when_the_lidar_is_pulled(tmp_path):
    run_dir = tmp_path / "run"
    env = dict(os.environ, GENBA_ROOT=str(ROOT))
    env.pop("ROS_DOMAIN_ID", None)
    r = subprocess.run(
        [sys.executable, "-m", "genba_bringup.cli", "run", "--stack", "robot", "--emulate",
         "--scenario", str(SCENARIO), "--out", str(run_dir)],
        capture_output=True, text=True, env=env, cwd=ROOT, timeout=300,
    )
    assert r.returncode == 0, r.stdout[-3000:] + r.stderr[-3000:]
    assert "goal (-3.20, -1.00) in map taken by the policy" in r.stdout
    summary = json.loads((run_dir / "summary.json").read_text())
    ep = summary["episode"]
    assert ep["status"] == "goal_reached" and ep["collisions"] == 0, ep
    assert summary["node_failure"] is None

    # The robot stack's own drivers did the work: the LD06 driver on its pty, the camera on its folder,
    # the bridge's wheel odometry as /odom (it starts at zero: the goal came into odom through the
    # localizer's map -> odom), the link monitor's heartbeats from the fleet port.
    logs = {p.stem: p.read_text() for p in (run_dir / "logs").glob("*.log")}
    assert "opened /tmp/genba_ttyLIDAR_" in logs["lidar"] and "(ld06)" in logs["lidar"]
    assert "camera folder source" in logs["camera"] and "link up (tcp://127.0.0.1:" in logs["link_monitor"]
    odom = recorded(run_dir, "/odom")
    first = odom[0][1]
    assert (first.header.frame_id, first.child_frame_id) == ("odom", "base_link")
    assert abs(first.pose.pose.position.x) < 0.05  # wheel odometry: the start is odom's origin
    last = odom[-1][1].pose.pose.position
    assert abs(last.x - 3.8) < 0.6 and abs(last.y + 0.2) < 0.6  # 3.8 m driven towards the goal
    assert max(m.pose.covariance[0] for _, m in odom) > 0.0  # the encoder model's covariance

    # The pull: the LiDAR driver loses its port, the supervisor stops the robot with SCAN_STALE ...
    assert "does not exist" in logs["lidar"].split("opened /tmp/genba_ttyLIDAR_", 1)[1]
    assert "LiDAR unplugged" in logs["sim"] and "LiDAR plugged back in" in logs["sim"]
    audit = [json.loads(line) for line in (run_dir / "safety_audit.jsonl").read_text().splitlines()]
    moving = [a for a in audit if a["mode"] == "NOMINAL"]
    assert moving, "the robot never drove"
    # the scans' own stamps (the driver's), not when the recorder got them: on a loaded machine the
    # recorder may hear the last scan before the pull after the supervisor has already acted on its absence
    scans = [stamp_to_sec(m.header.stamp) for _, m in recorded(run_dir, "/scan")]
    gap = max(range(1, len(scans)), key=lambda i: scans[i] - scans[i - 1])
    assert 1.5 < scans[gap] - scans[gap - 1] < 4.0  # the 2 s without a LiDAR
    pulled = max(moving[0]["t"], scans[gap - 1])
    stop = next(a for a in audit if a["t"] > pulled and "SCAN_STALE" in a["reasons"])
    assert stop["mode"] == "MRM" and stop["t"] < scans[gap]
    sent = recorded(run_dir, "/actuation/cmd_sent")
    stopped = [m.twist.linear.x for t, m in sent if stop["t"] + 1.2 < t < scans[gap]]
    assert stopped and max(abs(v) for v in stopped) < 1e-3  # wheels at zero within the stop time
    # ... and moves again only after the scans are back for recover_hold_s
    hold_s = yaml.safe_load(SAFETY.read_text())["/**"]["ros__parameters"]["recover_hold_s"]
    resumed = next(a for a in audit if a["t"] > scans[gap] and a["mode"] != "MRM")
    assert resumed["t"] - scans[gap] >= hold_s - 0.05, (resumed, scans[gap])
    assert any(v > 0.05 for t, m in sent if t > resumed["t"] for v in [m.twist.linear.x])
