"""The serial LiDARs genba drives, one profile each: baud rate, range, angle convention, start-up.

Figures from the vendors' datasheets and drivers: LDRobot's ldlidar_stl_ros2 (LD06, LD19) and
Slamtec's rplidar_ros and rplidar_sdk (A1, A2M8, A2M7, A2M12). All of them turn clockwise seen from
above and report a device angle theta (degrees, clockwise from the unit's 0-degree mark).

Which way the scan's +x (REP-103 forward) points on the unit, as its vendor's ROS driver publishes
it (``frame_convention: vendor``, the default):

| model | scan +x points at | angle in the scan | vendor driver |
|---|---|---|---|
| LD06, LD19 | the 0-degree mark (away from the cable) | -theta | ldlidar_stl_ros2 |
| RPLIDAR A1, A2 | device 180 degrees (towards the motor and cable) | pi - theta | rplidar_ros |

``frame_convention: genba`` publishes -theta for every model (the RPLIDAR's +x at its 0-degree mark).
"""

from __future__ import annotations

import math
import struct
from dataclasses import dataclass

FRAME_CONVENTIONS = ("vendor", "genba")

RPLIDAR_SYNC = 0xA5
RPLIDAR_CMD_STOP = 0x25
RPLIDAR_CMD_SCAN = 0x20
RPLIDAR_CMD_SET_MOTOR_PWM = 0xF0
RPLIDAR_MOTOR_PWM = 600  # what rplidar_ros sets on the A series before scanning
RPLIDAR_STOP_SETTLE_S = 0.1  # the SDK waits this long after STOP
RPLIDAR_MOTOR_SETTLE_S = 0.01  # and this long after the motor command


def rplidar_request(cmd: int, payload: bytes = b"") -> bytes:
    """A request packet: ``A5 cmd`` and, with a payload, ``size payload checksum`` (XOR of every byte
    before it), as the SDK's protocol codec writes it."""
    if not payload:
        return bytes([RPLIDAR_SYNC, cmd])
    body = bytes([RPLIDAR_SYNC, cmd, len(payload)]) + payload
    checksum = 0
    for b in body:
        checksum ^= b
    return body + bytes([checksum])


def rplidar_motor_pwm(pwm: int) -> bytes:
    """SET_MOTOR_PWM (A2's motor-control board; 0 stops the motor)."""
    return rplidar_request(RPLIDAR_CMD_SET_MOTOR_PWM, struct.pack("<H", pwm))


@dataclass(frozen=True)
class LidarModel:
    name: str
    family: str  # "ld" (LDRobot packets) | "rplidar" (Slamtec standard scan)
    baudrate: int
    range_min_m: float
    range_max_m: float
    vendor_angle_offset_rad: float  # the vendor's scan angle is this minus theta
    motor_pwm: int | None = None  # RPLIDAR with a motor-control board: PWM sent before scanning
    noise_filter: bool = False  # the vendor's near-range noise filter applies (LD06/LD19)

    def angle_offset_rad(self, convention: str) -> float:
        """Offset of the scan angle (offset - theta) for ``frame_convention``."""
        return self.vendor_angle_offset_rad if convention == "vendor" else 0.0

    def start_sequence(self) -> list[tuple[float, bytes | str]]:
        """(seconds after opening the port, bytes to write, or "motor_on" for the DTR line): the
        vendor's start-up. An RPLIDAR is stopped first (it may still be scanning from a previous
        run), its motor started, then asked to scan; LDRobot units stream on power-up."""
        if self.family != "rplidar":
            return []
        motor: bytes | str = rplidar_motor_pwm(self.motor_pwm) if self.motor_pwm else "motor_on"
        return [(0.0, rplidar_request(RPLIDAR_CMD_STOP)),
                (RPLIDAR_STOP_SETTLE_S, motor),
                (RPLIDAR_STOP_SETTLE_S + RPLIDAR_MOTOR_SETTLE_S, rplidar_request(RPLIDAR_CMD_SCAN))]

    def stop_sequence(self) -> list[bytes | str]:
        """What to send when the node stops: STOP, then the motor off."""
        if self.family != "rplidar":
            return []
        return [rplidar_request(RPLIDAR_CMD_STOP), rplidar_motor_pwm(0) if self.motor_pwm else "motor_off"]


MODELS: dict[str, LidarModel] = {m.name: m for m in (
    LidarModel("ld06", "ld", 230400, 0.02, 12.0, 0.0, noise_filter=True),
    LidarModel("ld19", "ld", 230400, 0.02, 12.0, 0.0, noise_filter=True),
    LidarModel("rplidar_a1", "rplidar", 115200, 0.15, 12.0, math.pi),
    LidarModel("rplidar_a2m8", "rplidar", 115200, 0.15, 12.0, math.pi, motor_pwm=RPLIDAR_MOTOR_PWM),
    LidarModel("rplidar_a2m7", "rplidar", 256000, 0.15, 16.0, math.pi, motor_pwm=RPLIDAR_MOTOR_PWM),
    LidarModel("rplidar_a2m12", "rplidar", 256000, 0.15, 12.0, math.pi, motor_pwm=RPLIDAR_MOTOR_PWM),
)}
MODELS["rplidar_a2"] = MODELS["rplidar_a2m8"]  # the A2 that runs at 115200 baud
