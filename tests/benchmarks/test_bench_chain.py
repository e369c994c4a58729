"""Sensor stamp to the frame on the wire, over real processes: a fake robot publishes the supervisor's
inputs (its command carries the scan's stamp, as the policy's does), the safety supervisor gates it,
the actuation bridge writes it to the motor controller emulator on a pseudo-terminal, and the bridge's
``actuation/cmd_sent`` (the sensor stamp of the frame it just wrote) is timed by its DDS source timestamp
(when the bridge published it, as `genba run`'s actuation stage is). The baseline, in the same run: the
same messages through two bare rclpy relays (as many hops, no work), timed the same way. Measured
nominal and with one core kept busy by a competing process.
Run: ./genba test tests/benchmarks/test_bench_chain.py --run-benchmarks -s
"""

import contextlib
import os
import signal
import subprocess
import sys
from pathlib import Path

import pytest
from bench_report import FirstStampAges, busy_core, report

from genba_actuation.emulator import PtyController

HERE = Path(__file__).resolve().parent
SECONDS = 15.0
sys.path.insert(0, str(HERE.parent / "integration"))


@pytest.fixture(scope="module")
def chain():
    ctl = PtyController().start()
    env = dict(os.environ, PYTHONUNBUFFERED="1")

    def start(*args):
        return subprocess.Popen([sys.executable, *args], env=env, stdout=subprocess.DEVNULL,
                                stderr=subprocess.DEVNULL, start_new_session=True)

    procs = [
        start("-m", "genba_safety.node", "--ros-args", "-p", "autostart:=true", "-p", "recover_hold_s:=0.2",
              "-p", "cloud_timeout_ms:=5000.0"),
        start("-m", "genba_actuation.node", "--ros-args", "-p", "autostart:=true", "-p", f"port:={ctl.port}"),
        start(str(HERE / "bare_relay.py"), "policy/cmd_vel", "relay/hop"),
        start(str(HERE / "bare_relay.py"), "relay/hop", "relay/cmd_vel"),
    ]
    yield
    for p in procs:
        os.killpg(p.pid, signal.SIGINT)
        p.wait(timeout=10)
    ctl.close()


def test_sensor_stamp_to_wire(chain):
    import rclpy
    from geometry_msgs.msg import TwistStamped
    from ros_helpers import FakeRobot, Spinner

    rclpy.init()
    robot = FakeRobot("bench_chain_robot")
    robot.odom_follows_command = True
    ages = FirstStampAges("wire", "relay")
    moving = []
    robot.create_subscription(TwistStamped, "actuation/cmd_sent",
                              ages.callback("wire", lambda m: moving.append(m.twist.linear.x)), 100)
    robot.create_subscription(TwistStamped, "relay/cmd_vel", ages.callback("relay"), 100)
    spin = Spinner(robot)
    try:
        assert spin.until(lambda: moving and moving[-1] > 0.5, 30.0), "the chain never drove the wheels"
        print("\nsensor stamp -> frame on the wire (same messages, same run):")
        for load, suffix in (("", ""), (" (one core busy)", "_busy_core")):
            with busy_core() if suffix else contextlib.nullcontext():
                ages.clear()
                spin.for_(SECONDS)  # 20 Hz decisions
            bare = report(f"two bare rclpy relays{load}", ages.ms["relay"])
            report(f"supervisor + bridge to the wire{load}", ages.ms["wire"],
                   figure=f"sensor_to_wire{suffix}", baseline=bare)
            assert len(ages.ms["wire"]) > SECONDS * 10 and len(ages.ms["relay"]) > SECONDS * 10
    finally:
        robot.destroy_node()
        rclpy.shutdown()
