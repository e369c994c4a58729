"""Each node's parameter defaults are written once, in its package's config/<node>.yaml: the node
declares exactly the YAML's keys with the YAML's values, and the pure cores' dataclass defaults
agree with them."""

from pathlib import Path

import pytest
from ros_helpers import active, params

from genba_common.errors import ConfigError
from genba_common.params import Parameters, node_defaults

ROOT = Path(__file__).resolve().parents[2]
ROS_OWN = {"use_sim_time", "start_type_description_service"}  # every rclpy node declares these


def _declared(node) -> dict:
    return {name: p.value for name, p in node._parameters.items() if name not in ROS_OWN}


def _nodes(tmp_path):
    """(package, yaml, node factory, overrides) for every node with a defaults file."""
    import cv2
    import numpy as np

    from genba_actuation.node import ActuationBridgeNode
    from genba_bringup.link_node import LinkMonitorNode
    from genba_perception.camera_node import CameraNode
    from genba_perception.extrinsics_node import ExtrinsicsNode
    from genba_perception.lidar_node import LidarNode
    from genba_perception.node import PerceptionNode
    from genba_perception.privacy_node import PrivacyNode
    from genba_policy.node import PolicyNode
    from genba_safety.node import SafetySupervisorNode
    from genba_sim.node import SimNode
    frames = tmp_path / "frames"
    frames.mkdir()
    cv2.imwrite(str(frames / "0.png"), np.zeros((48, 64, 3), np.uint8))
    return [
        ("genba_safety", "safety_supervisor.yaml", SafetySupervisorNode, {}),
        ("genba_policy", "policy.yaml", PolicyNode, {}),
        ("genba_perception", "perception.yaml", PerceptionNode, {}),
        ("genba_perception", "privacy_filter.yaml", PrivacyNode, {}),
        ("genba_perception", "lidar.yaml", LidarNode, {"port": str(tmp_path / "no_lidar")}),
        ("genba_perception", "camera.yaml", CameraNode, {"source": str(frames)}),
        (
            "genba_perception",
            "extrinsics.yaml",
            ExtrinsicsNode,
            {"extrinsics_file": str(ROOT / "calibration" / "extrinsics_sim_robot.yaml")},
        ),
        (
            "genba_actuation",
            "actuation_bridge.yaml",
            ActuationBridgeNode,
            {"port": str(tmp_path / "no_controller")},
        ),
        ("genba_bringup", "link_monitor.yaml", LinkMonitorNode, {"endpoint": "tcp://127.0.0.1:9"}),
        (
            "genba_sim",
            "sim.yaml",
            SimNode,
            {
                "camera_enabled": False,
                "controller_port": str(tmp_path / "motor"),
                "wait_for_controller_s": 0.0,
            },
        ),
    ]


def test_every_node_declares_exactly_its_yaml_defaults(ros, tmp_path):
    for package, yml, factory, overrides in _nodes(tmp_path):
        node = factory(parameter_overrides=params(**overrides))
        try:
            declared = _declared(node)
        finally:
            close = getattr(node, "close", None)
            if close:
                close()
            node.destroy_node()
        expected = {**node_defaults(package, yml), **overrides}
        assert declared.keys() == expected.keys(), (yml, declared.keys() ^ expected.keys())
        for k, v in expected.items():
            assert declared[k] == v and type(declared[k]) is type(v), (yml, k, declared[k], v)


def test_the_pure_cores_dataclass_defaults_are_the_yaml_defaults(ros):
    from genba_perception.privacy import PrivacyConfig
    from genba_perception.privacy_node import PrivacyNode
    from genba_safety.node import SafetySupervisorNode
    from genba_safety.supervisor import SupervisorConfig

    supervisor, privacy = active(SafetySupervisorNode()), PrivacyNode()
    try:
        assert supervisor.cfg == SupervisorConfig()  # limits, zones, footprint, fallback, timeouts
        assert privacy.cfg == PrivacyConfig()
    finally:
        supervisor.close()
        supervisor.destroy_node()
        privacy.destroy_node()


def test_a_parameter_without_a_default_or_a_stale_default_is_a_config_error(ros):
    from rclpy.node import Node

    node = Node("parameters_probe")
    try:
        param = Parameters(node, "genba_safety", "safety_supervisor.yaml")
        with pytest.raises(ConfigError, match="no default for parameter 'speed_limit'"):
            param("speed_limit", "not in the YAML")
        assert param("rate_hz", "Output rate", 100.0, 1000.0) == 100.0
        with pytest.raises(
            ConfigError, match="defaults for parameters the node does not have: .*cmd_timeout_ms"
        ):
            param.check_all_declared()
    finally:
        node.destroy_node()


def test_ros2_param_set_on_a_safety_limit_is_refused_with_a_reason(ros, tmp_path):
    """What `ros2 param set /safety_supervisor max_speed_mps 3.0` does: a SetParameters service call."""
    from rcl_interfaces.msg import Parameter as ParameterMsg
    from rcl_interfaces.msg import ParameterType, ParameterValue
    from rcl_interfaces.srv import SetParameters
    from rclpy.node import Node
    from ros_helpers import Spinner

    for package, yml, factory, overrides in _nodes(tmp_path):
        node = factory(parameter_overrides=params(**overrides))
        client_node = Node("param_setter")
        try:
            name, value = next(iter(node_defaults(package, yml).items()))
            before = node.get_parameter(name).value
            client = client_node.create_client(SetParameters, f"/{node.get_name()}/set_parameters")
            spin = Spinner(node, client_node)
            assert spin.until(client.service_is_ready, 5.0), yml
            v = ParameterValue(type=ParameterType.PARAMETER_STRING, string_value="changed")
            if isinstance(value, bool):
                v = ParameterValue(type=ParameterType.PARAMETER_BOOL, bool_value=not value)
            elif isinstance(value, int):
                v = ParameterValue(type=ParameterType.PARAMETER_INTEGER, integer_value=value + 1)
            elif isinstance(value, float):
                v = ParameterValue(type=ParameterType.PARAMETER_DOUBLE, double_value=value * 0.5 + 0.1)
            future = client.call_async(SetParameters.Request(parameters=[ParameterMsg(name=name, value=v)]))
            assert spin.until(future.done, 5.0), yml
            (result,) = future.result().results
            assert not result.successful and "read-only" in result.reason, (yml, name, result.reason)
            assert node.get_parameter(name).value == before  # nothing changed behind the node's back
        finally:
            close = getattr(node, "close", None)
            if close:
                close()
            node.destroy_node()
            client_node.destroy_node()
    # and the safety limit named in the issue, explicitly
    from genba_safety.node import SafetySupervisorNode

    sup = active(SafetySupervisorNode())
    try:
        from rclpy.parameter import Parameter

        (res,) = sup.set_parameters([Parameter("max_speed_mps", Parameter.Type.DOUBLE, 3.0)])
        assert not res.successful and "read-only" in res.reason
        assert sup.get_parameter("max_speed_mps").value == 1.0 and sup.cfg.limits.max_speed_mps == 1.0
    finally:
        sup.close()
        sup.destroy_node()


def test_parameter_files_serve_any_node_name_and_namespace(ros, tmp_path):
    import yaml

    from genba_safety.node import SafetySupervisorNode

    def is_parameter_file(p) -> bool:  # not a stack description, not the data policy
        return p.name != "data_policy.yaml" and "nodes" not in yaml.safe_load(p.read_text())

    files = sorted(filter(is_parameter_file, (ROOT / "ros2_ws" / "src").glob("*/config/*.yaml")))
    assert len(files) >= 10
    for f in files:
        assert list(yaml.safe_load(f.read_text())) == ["/**"], f
    # a robot launched in a namespace, with the file as `--params-file` (how ros2 launch passes it)
    data = yaml.safe_load((ROOT / "ros2_ws/src/genba_safety/config/safety_supervisor.yaml").read_text())
    data["/**"]["ros__parameters"]["max_speed_mps"] = 0.7
    custom = tmp_path / "safety_supervisor.yaml"
    custom.write_text(yaml.safe_dump(data))
    cli_args = ["--ros-args", "--params-file", str(custom)]
    node = active(SafetySupervisorNode(namespace="robot7", cli_args=cli_args))
    try:
        assert node.get_namespace() == "/robot7"
        assert node.get_parameter("max_speed_mps").value == 0.7 and node.cfg.limits.max_speed_mps == 0.7
    finally:
        node.close()
        node.destroy_node()
