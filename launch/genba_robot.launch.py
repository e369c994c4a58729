"""ros2 launch for a real robot: camera + serial LiDAR drivers, policy, safety, actuation.

    ros2 launch launch/genba_robot.launch.py run_dir:=/var/log/genba

Same mechanism as genba_sim.launch.py, with genba_bringup's config/stack_robot.yaml.
"""

from pathlib import Path

from launch import LaunchDescription
from launch.actions import DeclareLaunchArgument, IncludeLaunchDescription
from launch.launch_description_sources import PythonLaunchDescriptionSource
from launch.substitutions import LaunchConfiguration

from genba_bringup.stack import default_stack_path


def generate_launch_description() -> LaunchDescription:
    return LaunchDescription([
        DeclareLaunchArgument("run_dir", default_value="/tmp/genba_run", description="audit log folder"),
        IncludeLaunchDescription(
            PythonLaunchDescriptionSource(str(Path(__file__).with_name("genba_sim.launch.py"))),
            launch_arguments={"stack": str(default_stack_path().with_name("stack_robot.yaml")),
                              "run_dir": LaunchConfiguration("run_dir")}.items()),
    ])
