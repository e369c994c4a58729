"""ros2 launch for a real ROS 2 install: the same stack description as `genba run`.

    ros2 launch launch/genba_sim.launch.py scenario:=hall_crossing run_dir:=/tmp/genba_run

Builds the node list from genba_bringup's config/stack.yaml via load_stack(), so this file and the
genba CLI cannot disagree about which nodes run with which parameters.
"""

import os
from pathlib import Path

from launch import LaunchDescription
from launch.actions import DeclareLaunchArgument, OpaqueFunction
from launch.substitutions import LaunchConfiguration
from launch_ros.actions import Node

from genba_bringup.stack import default_stack_path, load_stack


def _nodes(context, *args, **kwargs):
    root = os.environ.get("GENBA_ROOT", str(Path(__file__).resolve().parents[1]))
    run_dir = LaunchConfiguration("run_dir").perform(context)
    os.makedirs(run_dir, exist_ok=True)
    variables = {
        "GENBA_ROOT": root,
        "RUN_DIR": run_dir,
        "SCENARIO": LaunchConfiguration("scenario").perform(context),
        "CONTROLLER_PORT": LaunchConfiguration("controller_port").perform(context),
    }
    stack = load_stack(LaunchConfiguration("stack").perform(context) or default_stack_path(), variables)
    actions = []
    for spec in stack.nodes:
        actions.append(Node(package=spec.package, executable=spec.executable, name=spec.name, output="screen",
                            parameters=[spec.params_file, spec.overrides]))
    return actions


def generate_launch_description() -> LaunchDescription:
    return LaunchDescription([
        DeclareLaunchArgument("scenario", default_value="hall_crossing", description="scenario name or YAML path"),
        DeclareLaunchArgument("run_dir", default_value="/tmp/genba_run", description="episode and audit output"),
        DeclareLaunchArgument("controller_port", default_value="/tmp/genba_ttyMOTOR",
                              description="pty link of the emulated motor controller"),
        DeclareLaunchArgument("stack", default_value="", description="stack YAML (default: genba_bringup's)"),
        OpaqueFunction(function=_nodes),
    ])
