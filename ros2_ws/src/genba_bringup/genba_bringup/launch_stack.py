"""The ``ros2 launch`` description of a genba stack, built from the same stack description as
``genba run`` (:func:`genba_bringup.stack.load_stack`), so the two cannot disagree about which nodes
run with which parameters. Imported only by the launch files (it needs ROS 2's ``launch``)."""

from __future__ import annotations

import os

from launch import LaunchDescription
from launch.actions import DeclareLaunchArgument, OpaqueFunction, SetEnvironmentVariable
from launch.substitutions import EnvironmentVariable, LaunchConfiguration
from launch_ros.actions import Node

from genba_bringup.stack import default_stack_path, load_stack
from genba_common.packages import package_dir

RVIZ_CONFIG = "rviz/genba.rviz"  # in genba_bringup's share folder


def _nodes(context, default_stack: str):
    from genba_bringup.cli import genba_root

    run_dir = LaunchConfiguration("run_dir").perform(context)
    os.makedirs(run_dir, exist_ok=True)
    variables = {
        "GENBA_ROOT": str(genba_root()),
        "RUN_DIR": run_dir,
        "SCENARIO": LaunchConfiguration("scenario").perform(context),
        "CONTROLLER_PORT": LaunchConfiguration("controller_port").perform(context),
    }
    stack_file = LaunchConfiguration("stack").perform(context) or default_stack_path().with_name(
        default_stack)
    stack = load_stack(stack_file, variables)
    nodes = [Node(package=spec.package, executable=spec.executable, name=spec.name, output="screen",
                  parameters=[spec.params_file, spec.overrides], remappings=list(spec.remap.items()))
             for spec in stack.nodes]
    if LaunchConfiguration("robot_description").perform(context).lower() in ("true", "1"):
        from genba_bringup.robot_description import sim_robot_urdf

        # /robot_description (latched) for rviz, as genba run's monitor publishes it
        nodes.append(Node(package="robot_state_publisher", executable="robot_state_publisher",
                          parameters=[{"robot_description": sim_robot_urdf(genba_root())}]))
    if LaunchConfiguration("rviz").perform(context).lower() in ("true", "1"):
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
        DeclareLaunchArgument("controller_port", default_value="/tmp/genba_ttyMOTOR",
                              description="pty link of the emulated motor controller (simulated stack)"),
        DeclareLaunchArgument("stack", default_value="",
                              description=f"stack YAML (default: genba_bringup's config/{default_stack})"),
        DeclareLaunchArgument("robot_description", default_value="true",
                              description="publish the robot's URDF (robot_state_publisher)"),
        DeclareLaunchArgument("rviz", default_value="false",
                              description=f"also open rviz with {RVIZ_CONFIG}"),
        OpaqueFunction(function=_nodes, args=[default_stack]),
    ])
