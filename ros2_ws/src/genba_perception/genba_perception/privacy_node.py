"""Privacy filter node: camera/image_raw (secret, never leaves the robot) -> camera/image_anonymized
(faces, and people if asked, pixelated; the only image that may be recorded or streamed off the robot).

Fails closed: when the face detector raises, overruns its budget or its model failed its hash, the
anonymized topic carries a frame masked whole, with an ERROR diagnostic and an audit record."""

from __future__ import annotations

import time

import numpy as np
from diagnostic_msgs.msg import DiagnosticArray, DiagnosticStatus
from rclpy.node import Node
from sensor_msgs.msg import Image

from genba_common.audit import AuditLog
from genba_common.diagnostics import diagnostics
from genba_common.entry import run_node
from genba_common.inference import ONNX_BACKENDS, chain
from genba_common.params import Parameters
from genba_common.qos import DIAGNOSTICS, SENSOR
from genba_perception.faces import FaceDetectorConfig, HaarFaceDetector, OpenedDetector, open_face_detector
from genba_perception.privacy import PrivacyConfig, PrivacyFilter


class PrivacyNode(Node):
    def __init__(self, **node_kwargs) -> None:
        super().__init__("privacy_filter", **node_kwargs)
        param = Parameters(self, "genba_perception", "privacy_filter.yaml")
        manifest = param("manifest_path", "models/manifest.yaml naming the face model and its SHA-256")
        model_path = param("face_model_path", "face model file; '' = the manifest's face_detector entry")
        backend = param("backend", f"where the face model runs: {' | '.join(ONNX_BACKENDS)}")
        chain(backend)  # an unknown backend is a ConfigError at start-up, not a Haar fallback later
        engine_cache = param("engine_cache_dir", "TensorRT engine cache folder")
        threads = param("threads", "ONNX Runtime threads on the CPU", 1, 16)
        detector_cfg = FaceDetectorConfig(
            upscale=param("upscale", "enlarge the frame this much before detection", 1.0, 4.0),
            threshold=param("threshold", "detector score for a face", 0.01, 0.99),
            small_face_threshold=param(
                "small_face_threshold", "score for a face box of at most small_face_px", 0.01, 0.99
            ),
            small_face_px=param(
                "small_face_px", "largest face box (px) judged by small_face_threshold", 0.0, 200.0
            ),
        )
        self.cfg = PrivacyConfig(
            mask_people=param("mask_people", "also pixelate whole people (HOG detector)"),
            pad_fraction=param(
                "pad_fraction", "face boxes grow by this share of their size on every side", 0.0, 2.0
            ),
            pixel_block=param("pixel_block", "pixelation block size (px)", 2, 64),
            face_blocks=param("face_blocks", "at most this many pixel blocks across a face", 1, 32),
            hold_frames=param(
                "hold_frames", "frames a face stays masked after the detector last saw it", 0, 60
            ),
            budget_ms=param(
                "budget_ms", "a detector slower than this masks the frame whole (ms)", 1.0, 60000.0
            ),
            detector_nice=param(
                "detector_nice", "niceness of the detector's thread (the control path comes first)", 0, 19
            ),
        )
        audit_path = param("audit_log_path", "JSON-lines audit log file ('' = none)")
        param.check_all_declared()
        self.audit = AuditLog(audit_path or None)
        if manifest:
            self.opened = open_face_detector(
                manifest, detector_cfg, backend, engine_cache, threads, model_path, log=self.get_logger().info
            )
        else:
            self.opened = OpenedDetector(
                HaarFaceDetector(),
                "fallback",
                "no manifest_path: the face model cannot be checked; Haar fallback",
            )
        log = {
            "ok": self.get_logger().info,
            "fallback": self.get_logger().warning,
            "rejected": self.get_logger().error,
        }[self.opened.status]
        log(f"face detector: {self.opened.message}")
        self.audit.write(
            {
                "t": time.time(),
                "event": "detector",
                "status": self.opened.status,
                "detector": self.opened.detector.name,
                "message": self.opened.message,
            }
        )
        self.filter = PrivacyFilter(self.opened.detector, self.cfg)  # a rejected model's detector raises
        self.pub = self.create_publisher(Image, "camera/image_anonymized", SENSOR)
        self.pub_diag = self.create_publisher(DiagnosticArray, "diagnostics", DIAGNOSTICS)
        self.create_subscription(Image, "camera/image_raw", self._on_image, SENSOR)
        self.create_timer(1.0, self._diagnostics)
        self.frames = self.faces = self.people = self.dropped = self.masked = 0
        self.fault = self.last_fault = ""
        self.proc_ms: list[float] = []

    def _on_image(self, msg: Image) -> None:
        if msg.encoding != "rgb8" or len(msg.data) != msg.height * msg.step or msg.step != msg.width * 3:
            self.dropped += 1  # never forward what we cannot inspect
            return
        img = np.frombuffer(msg.data, np.uint8).reshape(msg.height, msg.width, 3)
        out = self.filter.filter(img)
        if out.fault != self.fault:  # a fail-closed spell starts or ends
            self.audit.write(
                {
                    "t": time.time(),
                    "event": "fail_closed" if out.fault else "recovered",
                    "reason": out.fault or self.fault,
                    "frames": self.frames,
                }
            )
            (self.get_logger().error if out.fault else self.get_logger().info)(
                f"privacy filter {'masks whole frames: ' + out.fault if out.fault else 'recovered'}"
            )
            self.fault = out.fault
        if out.fault:
            self.masked += 1
            self.last_fault = out.fault
        self.faces += out.faces
        self.people += out.people
        res = Image(
            header=msg.header,
            height=msg.height,
            width=msg.width,
            encoding="rgb8",
            is_bigendian=0,
            step=msg.step,
        )
        res.data = out.image.tobytes()
        self.pub.publish(res)
        self.frames += 1
        self.proc_ms.append(out.ms)

    def _diagnostics(self) -> None:
        p = np.percentile(self.proc_ms, [50, 99]) if self.proc_ms else [float("nan")] * 2
        self.proc_ms = self.proc_ms[-500:]
        if self.fault:
            level, message = DiagnosticStatus.ERROR, f"masking whole frames: {self.fault}"
        elif self.opened.status == "fallback":
            level, message = (
                DiagnosticStatus.WARN,
                f"Haar fallback (misses small and tilted faces): {self.opened.message}",
            )
        elif self.dropped:
            level, message = DiagnosticStatus.WARN, f"{self.dropped} frames dropped (bad encoding)"
        else:
            level, message = DiagnosticStatus.OK, "ok"
        self.pub_diag.publish(
            diagnostics(
                self,
                "genba/privacy_filter",
                "privacy",
                level,
                message,
                {
                    "detector": self.opened.detector.name,
                    "backend": getattr(self.opened.detector, "backend", ""),
                    "detector_status": self.opened.status,
                    "frames": self.frames,
                    "faces_masked": self.faces,
                    "people_masked": self.people,
                    "frames_masked_whole": self.masked,
                    "last_fault": self.last_fault,
                    "dropped": self.dropped,
                    "proc_p50_ms": round(float(p[0]), 2),
                    "proc_p99_ms": round(float(p[1]), 2),
                },
            )
        )

    def close(self) -> None:
        self.filter.close()
        self.audit.close()

    def destroy_node(self) -> None:
        self.close()
        super().destroy_node()


def main(args: list[str] | None = None) -> None:
    run_node(PrivacyNode, args)


if __name__ == "__main__":
    main()
