"""Serial 2D LiDAR driver node: LD06 / LD19 / RPLIDAR A1-A2 -> sensor_msgs/LaserScan."""

from __future__ import annotations

import time

from diagnostic_msgs.msg import DiagnosticArray, DiagnosticStatus
from rclpy.node import Node
from sensor_msgs.msg import LaserScan

from genba_common.diagnostics import diagnostics
from genba_common.entry import run_node
from genba_common.errors import ConfigError
from genba_common.params import Parameters
from genba_common.qos import DIAGNOSTICS, SENSOR
from genba_common.serial_link import SerialLink
from genba_common.stamps import sec_to_stamp
from genba_perception.lidar_protocols import (
    RPLIDAR_SCAN_REQUEST,
    RPLIDAR_STOP_REQUEST,
    Ld06Decoder,
    RplidarDecoder,
)
from genba_perception.scan_assembler import ScanAssembler

MODELS = {"ld06": 230400, "ld19": 230400, "rplidar_a1": 115200, "rplidar_a2": 115200}


class LidarNode(Node):
    def __init__(self, **node_kwargs) -> None:
        super().__init__("lidar", **node_kwargs)
        param = Parameters(self, "genba_perception", "lidar.yaml")
        self.model = param("model", f"Scanner model: {', '.join(MODELS)}", read_only=True)
        if self.model not in MODELS:
            raise ConfigError(f"parameter 'model': unknown LiDAR model '{self.model}' "
                                     f"(supported: {', '.join(MODELS)})")
        port = param("port", "Serial device of the scanner")
        baud = param("baudrate", "Baud rate (0 = the model's default)", 0, 4000000) or MODELS[self.model]
        self.frame_id = param("frame_id", "Frame of the scans (see calibration/ extrinsics)")
        self.assembler = ScanAssembler(
            param("beams", "Fixed number of beams per scan", 8, 8192),
            param("range_min_m", "Minimum valid range", 0.0, 10.0),
            param("range_max_m", "Maximum valid range", 0.1, 100.0),
            clockwise=True,
            yaw_offset_rad=param("yaw_offset_rad", "Mounting yaw of the 0-degree mark", -3.1416, 3.1416),
        )
        param.check_all_declared()
        self.link = SerialLink(port, baud)
        self.decoder = Ld06Decoder() if self.model.startswith("ld") else RplidarDecoder()
        self.pub = self.create_publisher(LaserScan, "scan", SENSOR)
        self.pub_diag = self.create_publisher(DiagnosticArray, "diagnostics", DIAGNOSTICS)
        self.create_timer(0.002, self._poll)
        self.create_timer(1.0, self._diagnostics)
        self._logged = ""
        self.last_scan_time: float | None = None

    def _poll(self) -> None:
        now = time.monotonic()
        if not self.link.is_open:
            if self.link.try_open(now):
                self.get_logger().info(f"opened {self.link.port_name} ({self.model})")
                if isinstance(self.decoder, RplidarDecoder):
                    self.decoder.reset()
                    try:
                        self.link.serial.dtr = False  # A1: DTR low runs the motor
                    except (OSError, AttributeError):
                        pass  # no modem lines (A2 with its own motor driver, pty, some adapters)
                    self.link.write(RPLIDAR_SCAN_REQUEST)
            elif self.link.last_error and self.link.last_error != self._logged:
                self.get_logger().error(self.link.last_error)
                self._logged = self.link.last_error
            return
        data = self.link.read()
        if not data:
            return
        ros_now = self.get_clock().now().nanoseconds * 1e-9
        items = self.decoder.feed(data)
        meas = [m for pkt in items for m in pkt.measurements()] if self.model.startswith("ld") else items
        for m in meas:
            frame = self.assembler.add(m, ros_now)
            if frame is not None:
                self._publish(frame)

    def _publish(self, f) -> None:
        msg = LaserScan(
            angle_min=f.angle_min,
            angle_max=f.angle_min + f.angle_increment * (len(f.ranges) - 1),
            angle_increment=f.angle_increment,
            time_increment=f.time_increment,
            scan_time=f.scan_time,
            range_min=self.assembler.range_min,
            range_max=self.assembler.range_max,
        )
        sec_to_stamp(f.stamp, msg.header.stamp)
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
        vals = {
            "model": self.model,
            "scans": self.assembler.scans,
            "packets_ok": self.decoder.packets_ok,
            "packets_bad": self.decoder.packets_bad,
            "reconnects": self.link.reconnects,
        }
        self.pub_diag.publish(diagnostics(self, "genba/lidar", self.link.port_name, level, message, vals))

    def close(self) -> None:
        if isinstance(self.decoder, RplidarDecoder):
            self.link.write(RPLIDAR_STOP_REQUEST)
        self.link.close()


def main(args: list[str] | None = None) -> None:
    run_node(LidarNode, args)


if __name__ == "__main__":
    main()
