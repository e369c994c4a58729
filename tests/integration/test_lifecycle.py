"""Managed nodes under the lifecycle manager: brought up in order; a driver whose device is missing
stays unconfigured with one clear error line, while the supervisor holds the robot at stop; the
device plugged in later, the manager brings the driver up."""

import time

import numpy as np
from rclpy.node import Node
from ros_helpers import FakeRobot, Spinner, params
from sensor_msgs.msg import LaserScan

from genba_actuation.emulator import PtyController
from genba_actuation.node import ActuationBridgeNode
from genba_bringup.lifecycle_node import LifecycleManagerNode
from genba_common.qos import SENSOR
from genba_perception.lidar_node import LidarNode
from genba_safety.node import SafetySupervisorNode
from genba_sim.devices import Ld06Stream, PtyDevice


def state(node) -> str:
    return node._state_machine.current_state[1]


def test_missing_lidar_stays_unconfigured_with_one_error_line_and_the_robot_at_stop(ros, tmp_path, capfd):
    lidar_link, motor_link = str(tmp_path / "ttyLIDAR"), str(tmp_path / "ttyMOTOR")
    controller = PtyController(link_path=motor_link).start()
    lidar = LidarNode(parameter_overrides=params(port=lidar_link))
    safety = SafetySupervisorNode(parameter_overrides=params(audit_log_path=""))
    bridge = ActuationBridgeNode(parameter_overrides=params(port=motor_link))
    manager = LifecycleManagerNode(parameter_overrides=params(
        managed_nodes=["lidar", "safety_supervisor", "actuation_bridge"], retry_period_s=0.5))
    robot = FakeRobot()  # the policy asks for 0.6 m/s; every other input is fresh, but no scan
    robot.enabled["scan"] = False
    probe = Node("scan_probe")
    scans = []
    probe.create_subscription(LaserScan, "scan", scans.append, SENSOR)
    spin = Spinner(lidar, safety, bridge, manager, robot, probe)
    device = None
    try:
        assert spin.until(lambda: state(safety) == "active" and state(bridge) == "active", 10.0), (
            state(safety), state(bridge))
        assert spin.until(lambda: controller.core.connected, 5.0)
        assert state(lidar) == "unconfigured" and manager.order.state_name("lidar") == "unconfigured"
        spin.for_(1.5)  # two retries by the manager, no new line from the driver
        assert state(lidar) == "unconfigured"
        err = capfd.readouterr().err
        lines = [ln for ln in err.splitlines() if "[lidar]" in ln and ("ERROR" in ln or "error" in ln)]
        assert len(lines) == 1, lines
        assert f"serial port {lidar_link} does not exist" in lines[0] and "unconfigured" in lines[0]
        # the robot at stop: the supervisor gates the policy's 0.6 m/s to zero, the wheels stand
        gated = [m.twist.linear.x for _, m in robot.received]
        assert gated and max(abs(v) for v in gated) == 0.0
        assert controller.core.target == [0.0, 0.0]
        assert safety.sup.ladder.mode.name == "MRM"

        # The LiDAR plugged in: the manager's next retry configures and activates it, scans flow.
        device, stream = PtyDevice(lidar_link), Ld06Stream(360)
        stream.set_scan(np.full(360, 3.0))
        probe.create_timer(0.01, lambda: device.write(stream.packets(time.monotonic())))
        assert spin.until(lambda: state(lidar) == "active" and len(scans) >= 2, 5.0), state(lidar)
        assert abs(scans[-1].ranges[180] - 3.0) < 0.01
    finally:
        for n in (manager, lidar, safety, bridge, robot, probe):
            close = getattr(n, "close", None)
            if close and n is not robot:
                close()
            n.destroy_node()
        controller.close()
        if device:
            device.close()
