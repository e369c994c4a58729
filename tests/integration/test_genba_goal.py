"""`genba goal X Y [YAW]` reaches the policy and the supervisor as rviz's goal does; with no stack to
hear it, one line and exit 2."""

import os
import subprocess
import sys
import threading
from pathlib import Path

from ros_helpers import Spinner

from genba_policy.node import PolicyNode
from genba_safety.node import SafetySupervisorNode

ROOT = Path(__file__).resolve().parents[2]


def genba_goal(*args, timeout=60) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "genba_bringup.cli", "goal", *args],
        capture_output=True,
        text=True,
        env=dict(os.environ, GENBA_ROOT=str(ROOT)),
        cwd=ROOT,
        timeout=timeout,
    )


def test_genba_goal_reaches_the_policy_and_the_supervisor(ros):
    policy, safety = PolicyNode(), SafetySupervisorNode()
    spin = Spinner(policy, safety)
    result = {}
    sender = threading.Thread(
        target=lambda: result.update(r=genba_goal("2.5", "-1.25", "1.57", "--frame", "map"))
    )
    sender.start()
    try:
        def heard() -> bool:
            return policy.goal == (2.5, -1.25) and safety.inputs.samples["goal"].value == (2.5, -1.25)

        assert spin.until(heard, 30.0), (policy.goal, safety.inputs.samples["goal"].value)
        sender.join(30.0)
        r = result["r"]
        assert r.returncode == 0 and "goal (2.50, -1.25, yaw 1.57) in map sent to" in r.stdout, r.stderr
    finally:
        sender.join(30.0)
        safety.close()
        for n in (policy, safety):
            n.destroy_node()


def test_genba_goal_without_a_stack_is_one_line_and_exit_2():
    r = genba_goal("1", "2", "--timeout-s", "0.5")
    assert r.returncode == 2 and "no subscriber on /goal_pose within 0.5 s" in r.stderr
    assert len([ln for ln in r.stderr.splitlines() if ln.strip()]) == 1


def test_genba_goal_refuses_a_nan_and_an_unknown_frame():
    for args, needle in ((["nan", "1"], "x"), (["1", "2", "--frame", "base_link"], "invalid choice")):
        r = genba_goal(*args)
        assert r.returncode == 2 and needle in r.stderr and "Traceback" not in r.stderr
