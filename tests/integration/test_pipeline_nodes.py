"""perception -> policy over real topics: the sensor stamp travels with the decision."""

import math

import numpy as np
from diagnostic_msgs.msg import DiagnosticArray
from geometry_msgs.msg import PoseStamped, TwistStamped
from nav_msgs.msg import OccupancyGrid
from rclpy.node import Node
from rclpy.qos import qos_profile_sensor_data
from ros_helpers import FakeRobot, Spinner, params
from sensor_msgs.msg import Image, LaserScan

from genba_perception.node import PerceptionNode
from genba_policy.node import LATCHED, PolicyNode


def test_scan_to_policy_command_keeps_stamp_and_reports_health(ros):
    # the placeholder: this is about the pipeline's stamps and health, not the model (tested below)
    perception, robot = PerceptionNode(), FakeRobot("fake_sensors")
    policy = PolicyNode(parameter_overrides=params(backend="placeholder"))
    robot.enabled["cmd"] = robot.enabled["health"] = robot.enabled["camera"] = False
    robot.scan_range = 5.0
    probe = Node("probe")
    cmds, health, scans, images = [], [], [], []
    probe.create_subscription(TwistStamped, "policy/cmd_vel", cmds.append, 10)
    probe.create_subscription(DiagnosticArray, "policy/health", health.append, 10)
    probe.create_subscription(LaserScan, "scan", scans.append, qos_profile_sensor_data)
    probe.create_subscription(Image, "perception/image", images.append, qos_profile_sensor_data)
    goal = probe.create_publisher(PoseStamped, "goal_pose", LATCHED)
    img_pub = probe.create_publisher(Image, "camera/image_raw", qos_profile_sensor_data)
    g = PoseStamped()
    g.header.frame_id = "odom"
    g.pose.position.x = 3.0
    goal.publish(g)
    spin = Spinner(perception, policy, robot, probe)
    try:
        assert spin.until(lambda: any(c.twist.linear.x > 0.1 for c in cmds) and health, 8.0), \
            "policy never drove to the goal"
        sent = {(s.header.stamp.sec, s.header.stamp.nanosec) for s in scans}
        assert all((c.header.stamp.sec, c.header.stamp.nanosec) in sent for c in cmds)
        kv = {k.key: k.value for k in health[-1].status[0].values}
        assert kv["output_valid"] == "true" and math.isfinite(float(kv["inference_ms"]))
        # Raw frame in, policy-sized frame out; a malformed frame is dropped, not crashed on; a black
        # (blind) frame is withheld so that the supervisor sees the camera as lost.
        texture = bytes(range(256)) * (96 * 384 // 256)
        img_pub.publish(Image(height=96, width=128, encoding="rgb8", step=384, data=texture))
        img_pub.publish(Image(height=96, width=128, encoding="rgb8", step=384, data=bytes(10)))
        img_pub.publish(Image(height=96, width=128, encoding="rgb8", step=384, data=bytes(96 * 384)))
        assert spin.until(lambda: images, 3.0)
        assert (images[0].width, images[0].height) == (64, 48)
        spin.for_(0.3)
        assert len(images) == 1, "the black frame must not be passed on"
        assert perception.counts["bad_images"] == 1 and perception.counts["blind_frames"] == 1
    finally:
        for n in (perception, policy, robot, probe):
            n.destroy_node()


def open_room_map(size_m: float = 12.0, res: float = 0.1) -> OccupancyGrid:
    """A walled empty room centred on the origin, as a map server would publish it."""
    n = int(size_m / res)
    cells = np.zeros((n, n), np.int8)
    cells[0, :] = cells[-1, :] = cells[:, 0] = cells[:, -1] = 100
    m = OccupancyGrid()
    m.header.frame_id = "odom"
    m.info.resolution, m.info.width, m.info.height = res, n, n
    m.info.origin.position.x = m.info.origin.position.y = -size_m / 2
    m.info.origin.orientation.w = 1.0
    m.data = cells.ravel().tolist()
    return m


def test_onnx_backend_drives_with_an_approved_model_and_refuses_others(ros, tmp_path, deployed_model):
    from pathlib import Path

    from diagnostic_msgs.msg import DiagnosticStatus
    from ros_helpers import params

    root = Path(__file__).resolve().parents[2]
    model = str(deployed_model)
    bad_manifest = tmp_path / "manifest.yaml"
    bad_manifest.write_text("models:\n  - {file: other.onnx, sha256: 00}\n")
    for manifest, should_drive in (
        (str(root / "models" / "manifest.yaml"), True),
        (str(bad_manifest), False),
    ):
        policy = PolicyNode(
            parameter_overrides=params(
                backend="onnx", model_path=model, manifest_path=manifest, onnx_backend="cpu"
            )
        )
        perception = PerceptionNode()
        robot = FakeRobot("fake_onnx")
        robot.enabled["cmd"] = robot.enabled["health"] = False
        robot.scan_range = 5.0
        probe = Node("probe_onnx")
        cmds, health, diags = [], [], []
        probe.create_subscription(TwistStamped, "policy/cmd_vel", cmds.append, 10)
        probe.create_subscription(DiagnosticArray, "policy/health", health.append, 10)
        probe.create_subscription(DiagnosticArray, "diagnostics", diags.append, 10)
        g = PoseStamped()
        g.header.frame_id = "odom"
        g.pose.position.x = 4.0
        probe.create_publisher(PoseStamped, "goal_pose", LATCHED).publish(g)
        map_pub = probe.create_publisher(OccupancyGrid, "map", LATCHED)
        spin = Spinner(policy, perception, robot, probe)
        try:
            if should_drive:
                # no static map yet: the student has no route to steer by, so it stays silent and says why
                spin.for_(1.5)
                waiting = [s for d in diags for s in d.status if s.name == "genba/policy_node"]
                assert not cmds and waiting and waiting[-1].level == DiagnosticStatus.WARN, waiting
                assert "/map" in waiting[-1].message
                map_pub.publish(open_room_map())
                answered = spin.until(lambda c=cmds, h=health: c and h, 8.0)
                assert answered, "the approved student never answered"
                kv = {k.key: k.value for k in health[-1].status[0].values}
                assert kv["output_valid"] == "true" and 0.0 <= float(kv["ood_score"]) <= 1.0
                assert health[-1].status[0].message == "student on cpu"
            else:
                spin.for_(1.5)
                assert not cmds and not health  # refused: silence, so the supervisor falls back
                errs = [s for d in diags for s in d.status if s.name == "genba/policy_node"]
                assert (
                    errs and errs[-1].level == DiagnosticStatus.ERROR and "not approved" in errs[-1].message
                )
        finally:
            for n in (policy, perception, robot, probe):
                n.destroy_node()
