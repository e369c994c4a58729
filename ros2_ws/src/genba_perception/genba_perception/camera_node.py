"""Camera driver node: OpenCV capture -> sensor_msgs/Image + CameraInfo, stamped at capture.

A managed node: the source is opened on configure (a missing device leaves it unconfigured, with
one error line); while active, live devices that vanish are reopened with backoff; files and
folders can loop.
"""

from __future__ import annotations

import time

from diagnostic_msgs.msg import DiagnosticArray, DiagnosticStatus
from sensor_msgs.msg import CameraInfo, Image

from genba_common.diagnostics import diagnostics
from genba_common.entry import run_node
from genba_common.errors import ConfigError
from genba_common.lifecycle import DeviceUnavailable, ManagedNode
from genba_common.params import Parameters
from genba_common.qos import DIAGNOSTICS, SENSOR
from genba_perception.camera_info import load_camera_info
from genba_perception.camera_source import CameraError, FrameSource, open_source, parse_source
from genba_perception.messages import camera_info, rgb_image


class CameraNode(ManagedNode):
    def __init__(self, **node_kwargs) -> None:
        super().__init__("camera", **node_kwargs)
        param = Parameters(self, "genba_perception", "camera.yaml")
        try:
            self.spec = parse_source(
                param("source", "V4L2 device, 'gst:' pipeline, video file or image folder")
            )
            url = param("camera_info_url", "camera_info YAML ('' = uncalibrated)")
            self.calibration = load_camera_info(url) if url else None
        except CameraError as exc:  # a device that cannot open; a CalibrationError is a ConfigError already
            raise ConfigError(str(exc)) from None
        self.frame_id = param("frame_id", "Optical frame of the images")
        self.loop = param("loop", "Restart files and folders at their end")
        self.follow = param("follow", "Folders: read the newest image whenever a new one appears (a camera "
                            "or emulator writing frames there) instead of playing them in order")
        fps = param("rate_hz", "Capture rate (files and folders are paced to it)", 0.5, 240.0)
        self.backoff_max_s = param(
            "reconnect_backoff_max_s", "Longest wait between reopen attempts", 0.1, 60.0
        )
        autostart = param("autostart", "Configure and activate at start (no lifecycle manager)")
        param.check_all_declared()
        self.pub_img = self.create_publisher(Image, "camera/image_raw", SENSOR)
        self.pub_info = self.create_publisher(CameraInfo, "camera/camera_info", SENSOR)
        self.pub_diag = self.create_publisher(DiagnosticArray, "diagnostics", DIAGNOSTICS)
        self.source: FrameSource | None = None
        self.error = ""
        self.frames = self.reopens = 0
        self._backoff, self._next_try = 0.1, 0.0
        self.create_timer(1.0 / fps, self._capture)
        self.create_timer(1.0, self._diagnostics)
        self.start_if_autostart(autostart)

    def open_device(self) -> None:
        self._next_try = 0.0
        self._open(time.monotonic())
        if self.source is None:
            raise DeviceUnavailable(self.error)

    def _open(self, now: float) -> None:
        if now < self._next_try:
            return
        try:
            self.source = open_source(self.spec, self.follow)
            self.reopens += 1
            self.error = ""
            self._backoff = 0.1
            self.get_logger().info(f"camera {self.spec.kind} source '{self.spec.target}' open")
        except CameraError as exc:
            if str(exc) != self.error and self.active:  # on configure, the failed transition says it
                self.get_logger().error(str(exc))
            self.error = str(exc)
            self._next_try = now + self._backoff
            self._backoff = min(self.backoff_max_s, self._backoff * 2.0)

    def _capture(self) -> None:
        if not self.active:
            return
        now = time.monotonic()
        if self.source is None:
            self._open(now)
            if self.source is None:
                return
        try:
            frame = self.source.read()
        except CameraError as exc:
            frame, self.error = None, str(exc)
        stamp = self.get_clock().now().to_msg()  # at capture, before any processing
        if frame is None:
            if self.follow and self.spec.kind == "folder":
                return  # no new image yet
            if not self.spec.live and self.loop and hasattr(self.source, "rewind"):
                self.source.rewind()
                return
            if self.spec.live:
                self.error = f"camera {self.spec.target} stopped delivering frames; reopening"
                self.get_logger().warning(self.error)
                self.source.close()
                self.source = None
            return
        msg = rgb_image(frame, stamp, self.frame_id)
        self.pub_img.publish(msg)
        self.pub_info.publish(camera_info(msg, self.calibration))
        self.frames += 1

    def _diagnostics(self) -> None:
        level = DiagnosticStatus.ERROR if (self.source is None and self.error) else DiagnosticStatus.OK
        self.pub_diag.publish(
            diagnostics(
                self,
                "genba/camera",
                self.spec.target,
                level,
                self.error or "ok",
                {"frames": self.frames, "opens": self.reopens, "kind": self.spec.kind},
            )
        )

    def close_device(self) -> None:
        if self.source is not None:
            self.source.close()
            self.source = None


def main(args: list[str] | None = None) -> None:
    run_node(CameraNode, args)


if __name__ == "__main__":
    main()
