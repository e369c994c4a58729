"""The ``ros2 launch`` description of a genba stack, built from the same stack description as
``genba run`` (:func:`genba_bringup.stack.load_stack`), so the two cannot disagree about which nodes
run with which parameters. Imported only by the launch files (it needs ROS 2's ``launch``)."""

from __future__ import annotations

import os

from launch import LaunchDescription
from launch.actions import DeclareLaunchArgument, ExecuteProcess, OpaqueFunction, SetEnvironmentVariable
from launch.substitutions import EnvironmentVariable, LaunchConfiguration
from launch_ros.actions import Node

from genba_bringup.stack import (
    DEVICE_ARGUMENTS,
    default_stack_path,
    device_overrides,
    load_stack,
    with_overrides,
)
from genba_common.packages import package_dir

RVIZ_CONFIG = "rviz/genba.rviz"  # in genba_bringup's share folder
DEFAULT_CONTROLLER_PORT = "/tmp/genba_ttyMOTOR"  # the simulated stack's emulated controller
ENCLAVE_ROOT = "/genba"  # SROS2: node <name> runs in enclave /genba/<name> (README, "Fleets: SROS2")


def _topic_in(namespace: str, topic: str) -> str:
    return f"/{namespace.strip('/')}{topic}" if namespace.strip("/") else topic


def _nodes(context, default_stack: str):
    from genba_bringup.cli import genba_root
    from genba_bringup.data_policy import load_data_policy

    def arg(name: str) -> str:
        return LaunchConfiguration(name).perform(context)

    run_dir = arg("run_dir")
    os.makedirs(run_dir, exist_ok=True)
    variables = {
        "GENBA_ROOT": str(genba_root()),
        "RUN_DIR": run_dir,
        "SCENARIO": arg("scenario"),
        "CONTROLLER_PORT": arg("controller_port") or DEFAULT_CONTROLLER_PORT,
    }
    stack_file = arg("stack") or default_stack_path().with_name(default_stack)
    stack = load_stack(stack_file, variables)
    stack = with_overrides(stack, device_overrides({name: arg(name) for name in DEVICE_ARGUMENTS}))
    namespace = arg("namespace").strip("/") or None
    enclaves = arg("enclaves").lower() in ("true", "1")
    nodes = [Node(package=spec.package, executable=spec.executable, name=spec.name, output="screen",
                  namespace=namespace, parameters=[spec.params_file, spec.overrides],
                  remappings=list(spec.remap.items()),
                  ros_arguments=["--enclave", f"{ENCLAVE_ROOT}/{spec.name}"] if enclaves else [])
             for spec in stack.nodes]
    if arg("record").lower() in ("true", "1"):
        policy = load_data_policy(default_stack_path().with_name("data_policy.yaml"))
        topics = [_topic_in(arg("namespace"), t) for t in stack.record if policy.may_record(t)]
        nodes.append(ExecuteProcess(
            cmd=["ros2", "bag", "record", "--storage", "mcap", "--output", os.path.join(run_dir, "recording"),
                 *topics], output="screen"))
    if arg("robot_description").lower() in ("true", "1"):
        from genba_bringup.robot_description import sim_robot_urdf

        # /robot_description (latched) for rviz, as genba run's monitor publishes it
        nodes.append(Node(package="robot_state_publisher", executable="robot_state_publisher",
                          namespace=namespace,
                          parameters=[{"robot_description": sim_robot_urdf(genba_root())}]))
    if arg("rviz").lower() in ("true", "1"):
        config = package_dir("genba_bringup") / RVIZ_CONFIG
        nodes.append(Node(package="rviz2", executable="rviz2", name="rviz2", arguments=["-d", str(config)]))
    return nodes


def stack_launch_description(default_stack: str) -> LaunchDescription:
    """Launch arguments and the nodes of ``config/<default_stack>`` (or ``stack:=FILE``).

    DDS discovery stays on this machine (``ROS_AUTOMATIC_DISCOVERY_RANGE=LOCALHOST``) unless the
    shell sets the variable or ``discovery_range:=SUBNET`` asks: the raw camera is secret, and with
    ROS's default any machine on the network could subscribe to it."""
    from genba_bringup.cli import DISCOVERY_RANGE

    return LaunchDescription([
        DeclareLaunchArgument(
            "discovery_range",
            default_value=EnvironmentVariable("ROS_AUTOMATIC_DISCOVERY_RANGE", default_value=DISCOVERY_RANGE),
            description="ROS_AUTOMATIC_DISCOVERY_RANGE of the nodes: LOCALHOST, SUBNET, SYSTEM_DEFAULT, OFF",
        ),
        SetEnvironmentVariable("ROS_AUTOMATIC_DISCOVERY_RANGE", LaunchConfiguration("discovery_range")),
        DeclareLaunchArgument("scenario", default_value="hall_crossing",
                              description="scenario name or YAML path (simulated stack)"),
        DeclareLaunchArgument("run_dir", default_value="/tmp/genba_run",
                              description="episode and audit output"),
        DeclareLaunchArgument("namespace", default_value="", description="namespace of every node"),
        *[DeclareLaunchArgument(name, default_value="", description=f"{dev.description} (robot stack; '' "
                                "keeps the stack's)") for name, dev in DEVICE_ARGUMENTS.items()
          if name != "controller_port"],
        DeclareLaunchArgument("controller_port", default_value="",
                              description="serial device of the motor controller (simulated stack: the pty "
                              f"link of its emulated controller, default {DEFAULT_CONTROLLER_PORT})"),
        DeclareLaunchArgument("enclaves", default_value="false",
                              description=f"SROS2: run each node in enclave {ENCLAVE_ROOT}/<node name> "
                              "(with ROS_SECURITY_KEYSTORE and ROS_SECURITY_ENABLE set)"),
        DeclareLaunchArgument("record", default_value="false",
                              description="also record the stack's topics (ros2 bag, MCAP; the data policy's "
                              "secret topics never)"),
        DeclareLaunchArgument("stack", default_value="",
                              description=f"stack YAML (default: genba_bringup's config/{default_stack})"),
        DeclareLaunchArgument("robot_description", default_value="true",
                              description="publish the robot's URDF (robot_state_publisher)"),
        DeclareLaunchArgument("rviz", default_value="false",
                              description=f"also open rviz with {RVIZ_CONFIG}"),
        OpaqueFunction(function=_nodes, args=[default_stack]),
    ])
