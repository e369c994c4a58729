"""ros2 launch genba_bringup genba_robot.launch.py run_dir:=/var/log/genba

The robot stack of config/stack_robot.yaml: camera and serial LiDAR drivers, policy, safety, actuation."""

from genba_bringup.launch_stack import stack_launch_description


def generate_launch_description():
    return stack_launch_description("stack_robot.yaml")
