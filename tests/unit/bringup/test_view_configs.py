"""The rviz config and the Foxglove layout show topics the simulated stack has (recorded or shown live)."""

import json
import re
from pathlib import Path

import yaml

from genba_bringup.live_view import VIEW_TOPICS
from genba_bringup.stack import default_stack_path, load_stack

BRINGUP = Path(__file__).resolve().parents[3] / "ros2_ws" / "src" / "genba_bringup"
VARS = {"GENBA_ROOT": "/r", "RUN_DIR": "/d", "SCENARIO": "s", "CONTROLLER_PORT": "/p"}
KNOWN = set(load_stack(default_stack_path(), VARS).record) | set(VIEW_TOPICS) | {"/goal_pose"}


def _topics(node) -> set[str]:
    if isinstance(node, dict):
        out = set()
        for k, v in node.items():
            if k in ("Value", "imageTopic", "topicPath") and isinstance(v, str) and v.startswith("/"):
                out.add(v.split(".")[0])
            out |= _topics(v)
        return out
    if isinstance(node, list):
        return set().union(*map(_topics, node)) if node else set()
    return set()


def test_rviz_shows_the_stacks_topics():
    cfg = yaml.safe_load((BRINGUP / "rviz" / "genba.rviz").read_text())
    topics = _topics(cfg)
    assert {"/scan", "/map", "/robot_description", "/safety/zones", "/camera/image_anonymized"} <= topics
    assert topics <= KNOWN, topics - KNOWN
    assert cfg["Visualization Manager"]["Global Options"]["Fixed Frame"] == "odom"


def test_the_foxglove_layout_shows_the_stacks_topics():
    layout = json.loads((BRINGUP / "foxglove" / "genba.json").read_text())
    topics = set(layout["configById"]["3D!genba"]["topics"]) | _topics(layout)
    plotted = layout["configById"]["Plot!speeds"]["paths"]
    topics |= {re.match(r"(/[^.]+)", p["value"]).group(1) for p in plotted}
    assert {"/scan", "/map", "/robot_description", "/camera/image_anonymized", "/cmd_vel_safe"} <= topics
    assert topics <= KNOWN, topics - KNOWN
