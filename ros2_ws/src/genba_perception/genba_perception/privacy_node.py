"""Privacy filter node: camera/image_raw (secret, never leaves the robot) ->
camera/image_anonymized (faces and people pixelated; the only image that may be recorded or
streamed off the robot)."""

from __future__ import annotations

import time

import numpy as np
from diagnostic_msgs.msg import DiagnosticArray, DiagnosticStatus
from rclpy.node import Node
from sensor_msgs.msg import Image

from genba_common.diagnostics import diagnostics
from genba_common.entry import run_node
from genba_common.params import Parameters
from genba_common.qos import DIAGNOSTICS, SENSOR
from genba_perception.privacy import Anonymizer, PrivacyConfig


class PrivacyNode(Node):
    def __init__(self, **node_kwargs) -> None:
        super().__init__("privacy_filter", **node_kwargs)
        param = Parameters(self, "genba_perception", "privacy_filter.yaml")
        self.anon = Anonymizer(PrivacyConfig(
            detect_faces=param("detect_faces", "Pixelate faces (Haar cascades)"),
            detect_people=param("detect_people", "Pixelate whole people (HOG detector)"),
            detect_profile_faces=param("detect_profile_faces", "Also look for faces in profile (slower)"),
            detection_width_px=param("detection_width_px", "Detect on a copy this wide (px)", 64, 4096),
            pixel_block=param("pixel_block", "Pixelation block size (px)", 2, 64)))
        param.check_all_declared()
        self.pub = self.create_publisher(Image, "camera/image_anonymized", SENSOR)
        self.pub_diag = self.create_publisher(DiagnosticArray, "diagnostics", DIAGNOSTICS)
        self.create_subscription(Image, "camera/image_raw", self._on_image, SENSOR)
        self.create_timer(1.0, self._diagnostics)
        self.frames = self.detections = self.dropped = 0
        self.proc_ms: list[float] = []

    def _on_image(self, msg: Image) -> None:
        if msg.encoding != "rgb8" or len(msg.data) != msg.height * msg.step or msg.step != msg.width * 3:
            self.dropped += 1  # never forward what we cannot inspect
            return
        t0 = time.perf_counter()
        img = np.frombuffer(msg.data, np.uint8).reshape(msg.height, msg.width, 3)
        out, n = self.anon.anonymise(img)
        self.detections += n
        res = Image(header=msg.header, height=msg.height, width=msg.width, encoding="rgb8", is_bigendian=0,
                    step=msg.step)
        res.data = out.tobytes()
        self.pub.publish(res)
        self.frames += 1
        self.proc_ms.append((time.perf_counter() - t0) * 1e3)

    def _diagnostics(self) -> None:
        p = np.percentile(self.proc_ms, [50, 99]) if self.proc_ms else [float("nan")] * 2
        self.proc_ms = self.proc_ms[-500:]
        self.pub_diag.publish(
            diagnostics(
                self,
                "genba/privacy_filter",
                "privacy",
                DiagnosticStatus.WARN if self.dropped else DiagnosticStatus.OK,
                f"{self.dropped} frames dropped (bad encoding)" if self.dropped else "ok",
                {
                    "frames": self.frames,
                    "detections": self.detections,
                    "dropped": self.dropped,
                    "proc_p50_ms": round(float(p[0]), 2),
                    "proc_p99_ms": round(float(p[1]), 2),
                },
            )
        )


def main(args: list[str] | None = None) -> None:
    run_node(PrivacyNode, args)


if __name__ == "__main__":
    main()
