"""Perception driver nodes over real rclpy topics: LiDAR on a pty, camera from files, privacy."""

import json
import math
import os
import threading
import time
import tty
from pathlib import Path

import cv2
import numpy as np
import yaml
from diagnostic_msgs.msg import DiagnosticArray, DiagnosticStatus
from rclpy.node import Node
from rclpy.qos import qos_profile_sensor_data
from ros_helpers import Spinner, active, params
from sensor_msgs.msg import CameraInfo, Image, LaserScan
from skimage import data

from genba_perception.camera_node import CameraNode
from genba_perception.faces import HaarFaceDetector
from genba_perception.lidar_node import LidarNode
from genba_perception.lidar_protocols import RPLIDAR_SCAN_DESCRIPTOR, encode_ld06, encode_rplidar_node
from genba_perception.privacy import MASK_GREY
from genba_perception.privacy_node import PrivacyNode

MANIFEST = Path(__file__).resolve().parents[2] / "models" / "manifest.yaml"


class FakeScanner:
    """Writes a scanner's byte stream into a pty at 10 revolutions per second."""

    def __init__(self, model: str, link: str, wall_mm: int = 2000) -> None:
        self.master, slave = os.openpty()
        tty.setraw(slave)
        self.slave = slave
        os.symlink(os.ttyname(slave), link)
        self.model, self.wall_mm = model, wall_mm
        self.stop = threading.Event()
        self.garbage_every = 7
        self.requests = b""  # what the host sent before scans start (RPLIDAR)
        threading.Thread(target=self._run, daemon=True).start()

    def _revolution(self, k: int) -> bytes:
        if self.model == "ld06":
            out = b""
            for i in range(0, 456, 12):
                step = 360.0 / 456
                pkt = encode_ld06(
                    3600,
                    i * step,
                    (i + 11) * step % 360,
                    (k * 100 + i) & 0xFFFF,
                    [(self.wall_mm if (i + j) % 456 < 440 else 0, 200) for j in range(12)],
                )
                if i // 12 % self.garbage_every == 3:
                    pkt = pkt[:20] + bytes([pkt[20] ^ 0xFF]) + pkt[21:]  # a corrupted packet now and then
                out += pkt
            return out
        return b"".join(encode_rplidar_node(a * 0.9, self.wall_mm / 1000.0, 40, a == 0) for a in range(400))

    def _run(self) -> None:
        if self.model == "rplidar":
            while not self.requests.endswith(b"\xa5\x20"):  # the host's SCAN request, after its STOP
                self.requests += os.read(self.master, 64)
            os.write(self.master, RPLIDAR_SCAN_DESCRIPTOR)
        k = 0
        while not self.stop.is_set():
            try:
                os.write(self.master, self._revolution(k))
            except OSError:
                return
            k += 1
            time.sleep(0.1)

    def close(self) -> None:
        self.stop.set()
        time.sleep(0.15)
        for fd in (self.master, self.slave):
            os.close(fd)


def _collect(topic, msg_type, qos=qos_profile_sensor_data):
    probe = Node(f"probe_{abs(hash(topic)) % 10000}")
    got = []
    probe.create_subscription(msg_type, topic, got.append, qos)
    return probe, got


def test_lidar_nodes_publish_fixed_beam_scans_from_serial_streams(ros, tmp_path):
    for model, beams in (("ld06", 360), ("rplidar_a1", 400), ("rplidar_a2m8", 400)):
        link = str(tmp_path / f"tty_{model}")
        fake = FakeScanner("ld06" if model == "ld06" else "rplidar", link)
        node = active(LidarNode(parameter_overrides=params(model=model, port=link, beams=beams)))
        probe, scans = _collect("scan", LaserScan)
        spin = Spinner(node, probe)
        try:
            assert spin.until(lambda s=scans: len(s) >= 4, 5.0), f"{model}: no scans"
            for s in scans[1:]:
                assert len(s.ranges) == beams and s.header.frame_id == "laser"
                assert (
                    abs(s.angle_min + math.pi) < 1e-6 and abs(s.angle_increment - 2 * math.pi / beams) < 1e-6
                )
                # clockwise units measure beam 0 last: negative time_increment, stamp = beam 0's time
                assert 0.05 < s.scan_time < 0.2 and abs(s.time_increment + s.scan_time / beams) < 1e-6
            r = np.array(scans[-1].ranges)
            assert abs(np.nanmedian(r) - 2.0) < 1e-3
            if model == "ld06":
                assert node.decoder.packets_bad > 0 and np.isnan(r).any()  # corrupt packets dropped, gaps NaN
            else:  # the SDK's start-up: STOP first, the A2's motor PWM (the A1's motor is on DTR), then SCAN
                pwm = b"\xa5\xf0\x02\x58\x02" + bytes([0xA5 ^ 0xF0 ^ 0x02 ^ 0x58 ^ 0x02])
                motor = pwm if model == "rplidar_a2m8" else b""
                assert fake.requests == b"\xa5\x25" + motor + b"\xa5\x20"
        finally:
            node.close()
            node.destroy_node()
            probe.destroy_node()
            fake.close()


def test_camera_node_from_folder_and_privacy_filter(ros, tmp_path):
    folder = tmp_path / "frames"
    folder.mkdir()
    face = data.astronaut()
    cv2.imwrite(str(folder / "000.png"), cv2.cvtColor(face, cv2.COLOR_RGB2BGR))
    cam = active(CameraNode(
        parameter_overrides=params(
            source=str(folder), rate_hz=20.0, camera_info_url="calibration/sim_front_camera.yaml"
        )
    ))
    priv = PrivacyNode(parameter_overrides=params(manifest_path=str(MANIFEST), mask_people=False))
    probe = Node("probe_cam")
    raw, anon, info = [], [], []
    probe.create_subscription(Image, "camera/image_raw", raw.append, qos_profile_sensor_data)
    probe.create_subscription(Image, "camera/image_anonymized", anon.append, qos_profile_sensor_data)
    probe.create_subscription(CameraInfo, "camera/camera_info", info.append, qos_profile_sensor_data)
    spin = Spinner(cam, priv, probe)
    try:
        assert spin.until(lambda: len(anon) >= 2 and info, 10.0)
        a = np.frombuffer(anon[-1].data, np.uint8).reshape(512, 512, 3)
        r = np.frombuffer(raw[-1].data, np.uint8).reshape(512, 512, 3)
        assert np.array_equal(r, face)  # looping folder source, RGB, unchanged
        assert np.abs(a[64:160, 174:270].astype(int) - face[64:160, 174:270]).mean() > 5  # face pixelated
        raw_stamps = {(m.header.stamp.sec, m.header.stamp.nanosec) for m in raw}
        # the anonymised frame keeps its capture stamp; camera_info comes from the calibration file
        assert (anon[-1].header.stamp.sec, anon[-1].header.stamp.nanosec) in raw_stamps
        assert abs(info[-1].k[0] - 83.138) < 1e-6
        assert (info[-1].header.stamp.sec, info[-1].header.stamp.nanosec) in raw_stamps
        assert priv.faces >= 1 and priv.opened.status == "ok" and priv.masked == 0
    finally:
        for n in (cam, priv, probe):
            n.destroy_node()


def _privacy_run(ros, tmp_path, **overrides):
    """A privacy filter fed the astronaut: (anonymized frames, its diagnostics, its audit records)."""
    audit = tmp_path / "privacy_audit.jsonl"
    priv = PrivacyNode(parameter_overrides=params(audit_log_path=str(audit), mask_people=False, **overrides))
    probe = Node("probe_privacy")
    pub = probe.create_publisher(Image, "camera/image_raw", qos_profile_sensor_data)
    anon, diags = [], []
    probe.create_subscription(Image, "camera/image_anonymized", anon.append, qos_profile_sensor_data)
    probe.create_subscription(DiagnosticArray, "diagnostics", diags.append, 10)
    face = data.astronaut()
    frame = Image(height=512, width=512, encoding="rgb8", step=512 * 3, data=face.tobytes())
    spin = Spinner(priv, probe)
    try:
        assert spin.until(lambda: (pub.publish(frame), len(anon) >= 3 and diags)[1], 15.0)
        spin.for_(1.1)  # one more diagnostics period after the frames
    finally:
        priv.destroy_node()
        probe.destroy_node()
    images = [np.frombuffer(m.data, np.uint8).reshape(512, 512, 3) for m in anon]
    statuses = [s for d in diags for s in d.status if s.name == "genba/privacy_filter"]
    records = [json.loads(line) for line in audit.read_text().splitlines()]
    return images, statuses, records


def test_a_face_model_that_fails_its_hash_gives_whole_masked_frames_an_error_and_an_audit_record(
    ros, tmp_path
):
    manifest = yaml.safe_load(MANIFEST.read_text())
    for e in manifest["models"]:
        if e.get("role") == "face_detector":
            e["sha256"] = "f" * 64
    bad = tmp_path / "manifest.yaml"
    bad.write_text(yaml.safe_dump(manifest))
    images, statuses, records = _privacy_run(ros, tmp_path, manifest_path=str(bad))
    assert images and all((im == MASK_GREY).all() for im in images)
    assert statuses[-1].level == DiagnosticStatus.ERROR and "not approved" in statuses[-1].message
    assert {"event": "detector", "status": "rejected"}.items() <= records[0].items()
    assert any(r["event"] == "fail_closed" and "not approved" in r["reason"] for r in records)


def test_a_detector_that_stalls_gives_whole_masked_frames_an_error_and_an_audit_record(
    ros, tmp_path, monkeypatch
):
    def stall(self, rgb):
        time.sleep(0.5)
        return np.zeros((0, 5), np.float32)

    monkeypatch.setattr(HaarFaceDetector, "detect", stall)  # no manifest: the Haar fallback, stalled
    images, statuses, records = _privacy_run(ros, tmp_path, budget_ms=50.0)
    assert images and all((im == MASK_GREY).all() for im in images)
    assert statuses[-1].level == DiagnosticStatus.ERROR and "budget" in statuses[-1].message
    assert records[0]["status"] == "fallback"
    assert any(r["event"] == "fail_closed" and "50 ms budget" in r["reason"] for r in records)


def test_camera_node_with_missing_device_stays_unconfigured(ros):
    from rclpy.lifecycle import TransitionCallbackReturn

    cam = CameraNode(parameter_overrides=params(source="/dev/video97", rate_hz=20.0))
    spin = Spinner(cam)
    try:
        assert cam.trigger_configure() == TransitionCallbackReturn.FAILURE
        spin.for_(0.3)
        assert cam._state_machine.current_state[1] == "unconfigured"
        assert "/dev/video97 does not exist" in cam.error and cam.source is None and not cam.active
    finally:
        cam.destroy_node()


def test_lidar_unplug_and_replug_resumes_scans(ros, tmp_path):
    link = str(tmp_path / "tty_ld06")
    fake = FakeScanner("ld06", link)
    node = active(LidarNode(parameter_overrides=params(model="ld06", port=link)))
    node.link.backoff_max_s = 0.2
    probe, scans = _collect("scan", LaserScan)
    spin = Spinner(node, probe)
    fake2 = None
    try:
        assert spin.until(lambda: len(scans) >= 2, 5.0)
        fake.close()
        os.unlink(link)
        assert spin.until(lambda: not node.link.is_open, 3.0), "unplug not noticed"
        n = len(scans)
        fake2 = FakeScanner("ld06", link)
        assert spin.until(lambda: len(scans) >= n + 2, 5.0), "no scans after replug"
        assert node.link.reconnects == 2
    finally:
        node.close()
        node.destroy_node()
        probe.destroy_node()
        if fake2:
            fake2.close()


def test_extrinsics_published_as_latched_transforms(ros):
    from geometry_msgs.msg import TransformStamped
    from rclpy.qos import DurabilityPolicy, QoSProfile, ReliabilityPolicy

    from genba_perception.extrinsics_node import ExtrinsicsNode

    node = ExtrinsicsNode(parameter_overrides=params(extrinsics_file="calibration/extrinsics_sim_robot.yaml"))
    probe = Node("probe_tf")
    got = []
    qos = QoSProfile(
        depth=10, durability=DurabilityPolicy.TRANSIENT_LOCAL, reliability=ReliabilityPolicy.RELIABLE
    )
    if node.topic == "/extrinsics":
        probe.create_subscription(TransformStamped, "/extrinsics", got.append, qos)
        expected = 3
    else:  # a ROS install with tf2_msgs: one TFMessage with three transforms
        from tf2_msgs.msg import TFMessage

        probe.create_subscription(TFMessage, "/tf_static", lambda m: got.extend(m.transforms), qos)
        expected = 3
    spin = Spinner(node, probe)  # subscribed after publishing: latched delivery is what is tested
    try:
        assert spin.until(lambda: len(got) >= expected, 3.0)
        laser = next(t for t in got if t.child_frame_id == "laser")
        assert laser.header.frame_id == "base_link" and abs(laser.transform.translation.x - 0.20) < 1e-9
    finally:
        node.destroy_node()
        probe.destroy_node()
