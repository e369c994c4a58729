"""Serial 2D LiDAR driver node: LD06 / LD19 / RPLIDAR A1-A2 -> sensor_msgs/LaserScan.

A managed node: the port is opened on configure (a missing device leaves it unconfigured, with one
error line); while active, a port lost at runtime is reopened with backoff."""

from __future__ import annotations

import time

from diagnostic_msgs.msg import DiagnosticArray, DiagnosticStatus
from sensor_msgs.msg import LaserScan

from genba_common.diagnostics import diagnostics
from genba_common.entry import run_node
from genba_common.errors import ConfigError
from genba_common.lifecycle import ManagedNode, open_serial
from genba_common.params import Parameters
from genba_common.qos import DIAGNOSTICS, SENSOR
from genba_common.serial_link import SerialLink
from genba_common.stamps import sec_to_stamp
from genba_perception.lidar_filter import NoiseFilterConfig, near_filter_keep
from genba_perception.lidar_models import FRAME_CONVENTIONS, MODELS
from genba_perception.lidar_protocols import Ld06Decoder, RplidarDecoder
from genba_perception.scan_assembler import ScanAssembler


class LidarNode(ManagedNode):
    def __init__(self, **node_kwargs) -> None:
        super().__init__("lidar", **node_kwargs)
        param = Parameters(self, "genba_perception", "lidar.yaml")
        name = param("model", f"Scanner model: {', '.join(MODELS)}")
        if name not in MODELS:
            raise ConfigError(
                f"parameter 'model': unknown LiDAR model '{name}' (supported: {', '.join(MODELS)})"
            )
        self.model = MODELS[name]
        port = param("port", "Serial device of the scanner")
        baud = param("baudrate", "Baud rate (0 = the model's)", 0, 4000000) or self.model.baudrate
        self.frame_id = param("frame_id", "Frame of the scans (see calibration/ extrinsics)")
        self.convention = param(
            "frame_convention",
            "vendor (the scan's +x as the vendor's ROS driver has it) or genba (+x at the 0-degree mark)",
        )
        if self.convention not in FRAME_CONVENTIONS:
            raise ConfigError(
                f"parameter 'frame_convention': '{self.convention}' is not one of "
                f"{', '.join(FRAME_CONVENTIONS)}"
            )
        beams = param("beams", "Fixed number of beams per scan", 8, 8192)
        range_min = (
            param("range_min_m", "Returns closer than this read as too close (0 = the model's)", 0.0, 10.0)
            or self.model.range_min_m
        )
        range_max = (
            param(
                "range_max_m",
                "Returns farther than this read as nothing in range (0 = the model's)",
                0.0,
                100.0,
            )
            or self.model.range_max_m
        )
        yaw = param("yaw_offset_rad", "Mounting yaw added to the convention's angles", -3.1416, 3.1416)
        use_filter = param(
            "noise_filter",
            "LD06/LD19: the vendor's near-range noise filter (drops weak "
            "isolated returns, and thin weakly reflecting objects with them)",
        )
        self.filter_cfg = NoiseFilterConfig(
            param("noise_filter_max_range_m", "Noise filter: returns beyond this are kept", 0.1, 100.0),
            param(
                "noise_filter_min_points", "Noise filter: smaller groups need the single intensity", 1, 100
            ),
            param(
                "noise_filter_single_intensity",
                "Noise filter: mean intensity a small group needs",
                0.0,
                255.0,
            ),
            param(
                "noise_filter_low_intensity", "Noise filter: groups at or below this are dropped", 0.0, 255.0
            ),
        )
        poll_ms = param("poll_period_ms", "How often the port is read (receipt times, and so the scans' "
                        "stamps, are this coarse)", 1.0, 50.0)
        autostart = param("autostart", "Configure and activate at start (no lifecycle manager)")
        param.check_all_declared()
        self.speed_dps = 0.0
        point_filter = self._filter if (use_filter and self.model.noise_filter) else None
        self.assembler = ScanAssembler(
            beams,
            range_min,
            range_max,
            clockwise=True,
            angle_offset_rad=self.model.angle_offset_rad(self.convention) + yaw,
            point_filter=point_filter,
        )
        self.link = SerialLink(port, baud)
        self.decoder = Ld06Decoder() if self.model.family == "ld" else RplidarDecoder()
        self._start_steps: list[tuple[float, bytes | str]] = []
        self._opened_at = 0.0
        self.pub = self.create_publisher(LaserScan, "scan", SENSOR)
        self.pub_diag = self.create_publisher(DiagnosticArray, "diagnostics", DIAGNOSTICS)
        self.create_timer(poll_ms / 1e3, self._poll)
        self.create_timer(1.0, self._diagnostics)
        self._logged = ""
        self.last_scan_time: float | None = None
        self.get_logger().info(
            f"{name}: {baud} baud, {range_min:g}-{range_max:g} m, frame convention "
            f"{self.convention}, noise filter {'on' if point_filter else 'off'}"
        )
        self.start_if_autostart(autostart)

    def open_device(self) -> None:
        now = time.monotonic()
        open_serial(self.link, now)
        self._opened(now)

    def _opened(self, now: float) -> None:
        self.get_logger().info(f"opened {self.link.port_name} ({self.model.name})")
        self._logged = ""
        if isinstance(self.decoder, RplidarDecoder):
            self.decoder.reset()
        self._start_steps, self._opened_at = self.model.start_sequence(), now

    def _filter(self, angles_deg, dist_m, intensity):
        return near_filter_keep(angles_deg, dist_m, intensity, self.speed_dps, self.filter_cfg)

    def _motor(self, on: bool) -> None:
        try:
            self.link.serial.dtr = not on  # A1: DTR low runs the motor
        except (OSError, AttributeError):
            pass  # no modem lines (pty, some adapters)

    def _send(self, step: bytes | str) -> None:
        if step in ("motor_on", "motor_off"):
            self._motor(step == "motor_on")
        else:
            self.link.write(step)

    def _poll(self) -> None:
        if not self.active:
            return
        now = time.monotonic()
        if not self.link.is_open:
            if self.link.try_open(now):
                self._opened(now)
            elif self.link.last_error and self.link.last_error != self._logged:
                self.get_logger().error(self.link.last_error)
                self._logged = self.link.last_error
            return
        while self._start_steps and now >= self._opened_at + self._start_steps[0][0]:
            self._send(self._start_steps.pop(0)[1])
        data = self.link.read()
        if not self.link.is_open:  # unplugged: said once here, the reopen attempts say only what changes
            self.get_logger().error(self.link.last_error)
            self._logged = self.link.last_error
            return
        if not data:
            return
        ros_now = self.get_clock().now().nanoseconds * 1e-9
        items = self.decoder.feed(data)
        if self.model.family == "ld":
            meas = []
            for pkt in items:
                self.speed_dps = float(pkt.speed_dps)
                meas.extend(pkt.measurements())
        else:
            meas = items
        for m in meas:
            frame = self.assembler.add(m, ros_now)
            if frame is not None:
                self._publish(frame, ros_now)

    def _publish(self, f, received: float) -> None:
        """A scan stamped at its beam 0, never later than the bytes that completed it arrived (a
        burst of packets read at once would otherwise put the estimate in the future)."""
        msg = LaserScan(
            angle_min=f.angle_min,
            angle_max=f.angle_min + f.angle_increment * (len(f.ranges) - 1),
            angle_increment=f.angle_increment,
            time_increment=f.time_increment,
            scan_time=f.scan_time,
            range_min=self.assembler.range_min,
            range_max=self.assembler.range_max,
        )
        sec_to_stamp(min(f.stamp, received), msg.header.stamp)
        msg.header.frame_id = self.frame_id
        msg.ranges = f.ranges.astype(float).tolist()
        msg.intensities = f.intensities.astype(float).tolist()
        self.pub.publish(msg)
        self.last_scan_time = time.monotonic()

    def _diagnostics(self) -> None:
        stale = self.last_scan_time is None or time.monotonic() - self.last_scan_time > 1.0
        if not self.link.is_open:
            level, message = DiagnosticStatus.ERROR, self.link.last_error or "not connected"
        elif stale:
            level, message = DiagnosticStatus.WARN, "connected, no complete scan in the last second"
        else:
            level, message = DiagnosticStatus.OK, "ok"
        asm = self.assembler
        vals = {
            "model": self.model.name,
            "frame_convention": self.convention,
            "scans": asm.scans,
            "partial_revolutions_dropped": asm.partial_dropped,
            "packets_ok": self.decoder.packets_ok,
            "packets_bad": self.decoder.packets_bad,
            "packets_bad_span": getattr(self.decoder, "packets_bad_span", 0),
            "returns_filtered": asm.filtered,
            "returns_closer_than_range_min": asm.too_close,
            "reconnects": self.link.reconnects,
        }
        self.pub_diag.publish(diagnostics(self, "genba/lidar", self.link.port_name, level, message, vals))

    def close_device(self) -> None:
        if self.link.is_open:
            for step in self.model.stop_sequence():
                self._send(step)
        self.link.close()


def main(args: list[str] | None = None) -> None:
    run_node(LidarNode, args)


if __name__ == "__main__":
    main()
