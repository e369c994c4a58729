"""What the live view may stream is the data policy's: on the loopback interface (a viewer on the
robot) public and restricted topics, anywhere else public ones only; secret topics never."""

import pytest
from rosbags.typesys import Stores, get_typestore

from genba_bringup.data_policy import load_data_policy
from genba_bringup.live_view import LiveView, is_loopback
from genba_bringup.stack import default_stack_path

POLICY = load_data_policy(default_stack_path().with_name("data_policy.yaml"))


@pytest.fixture
def view():
    v = LiveView(POLICY, get_typestore(Stores.ROS2_KILTED), "127.0.0.1", 0)
    yield v
    v.close()


def test_on_the_robot_restricted_topics_stream_and_secret_ones_never(view):
    assert view.on_robot and view.port > 0
    assert view.add("/scan", "sensor_msgs/msg/LaserScan")  # restricted
    assert view.add("/camera/image_anonymized", "sensor_msgs/msg/Image")  # public
    assert not view.add("/camera/image_raw", "sensor_msgs/msg/Image")  # secret
    assert not view.add("/some/new/topic", "std_msgs/msg/String")  # unlisted: secret
    assert set(view.channels) == {"/scan", "/camera/image_anonymized"}
    assert view.refused == {"/camera/image_raw": "secret", "/some/new/topic": "secret"}


def test_off_the_robot_only_public_topics_stream(view):
    view.on_robot = False  # as bound to another interface
    assert not view.add("/scan", "sensor_msgs/msg/LaserScan")
    assert not view.add("/tf", "tf2_msgs/msg/TFMessage")
    assert view.add("/camera/image_anonymized", "sensor_msgs/msg/Image")
    assert view.refused["/scan"] == "restricted"


def test_loopback_is_told_apart():
    assert is_loopback("127.0.0.1") and is_loopback("localhost") and is_loopback("127.0.0.5")
    assert not is_loopback("0.0.0.0") and not is_loopback("10.1.2.3")
