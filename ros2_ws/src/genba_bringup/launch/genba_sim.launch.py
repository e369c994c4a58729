"""ros2 launch genba_bringup genba_sim.launch.py scenario:=hall_crossing run_dir:=/tmp/genba_run

The simulated stack of config/stack.yaml, the same nodes and parameters as `genba run`."""

from genba_bringup.launch_stack import stack_launch_description


def generate_launch_description():
    return stack_launch_description("stack.yaml")
