"""Every reason code the safety core gives, one Enum.

A code travels with each decision (:class:`genba_safety.supervisor.StepOutput.reasons`) and reaches
the audit log, ``/diagnostics`` and the tests as the same string. The first group says why the mode
is what it is (each calls for a mode: :data:`MODE_CALLED_FOR`), the second why the command was
altered, the third why an input sample was refused on receipt (counted per input as
``<INPUT>_<CODE>``, e.g. ``CMD_STALE_STAMP``).
"""

from __future__ import annotations

import enum

from genba_safety.modes import Mode


class Reason(str, enum.Enum):
    # why the mode is what it is
    ESTOP_REQUESTED = "ESTOP_REQUESTED"  # /estop true: latched until /safety/reset_estop
    CLOCK_STUCK = "CLOCK_STUCK"  # the monotonic clock stood still or went back: zero at once, latched
    CLOCK_JUMP = "CLOCK_JUMP"  # ROS time stepped against the monotonic clock
    SCAN_STALE = "SCAN_STALE"  # no fresh LaserScan
    SCAN_INVALID = "SCAN_INVALID"  # the latest LaserScan's geometry is impossible (refused, not data)
    SCAN_DEGRADED = "SCAN_DEGRADED"  # too many unknown beams in the direction of travel
    ODOM_STALE = "ODOM_STALE"  # no fresh odometry
    CMD_STALE = "CMD_STALE"  # no fresh policy command
    CMD_INVALID = "CMD_INVALID"  # the policy command is not finite
    HEALTH_STALE = "HEALTH_STALE"  # no fresh /policy/health
    POLICY_OUTPUT_INVALID = "POLICY_OUTPUT_INVALID"  # the policy says its output is invalid
    POLICY_OOD = "POLICY_OOD"  # OOD score above max_ood_score
    POLICY_SLOW = "POLICY_SLOW"  # inference slower than max_inference_ms
    CAMERA_STALE = "CAMERA_STALE"  # no usable camera frame (lost, black or covered)
    CLOUD_LOST = "CLOUD_LOST"  # no fresh cloud heartbeat
    HOLD_DEGRADED = "HOLD_DEGRADED"  # inputs recovered; the better mode must hold recover_hold_s
    HOLD_FALLBACK = "HOLD_FALLBACK"
    HOLD_MRM = "HOLD_MRM"
    HOLD_ESTOP = "HOLD_ESTOP"
    # why the command was altered
    LIMIT_CLAMP = "LIMIT_CLAMP"  # speed or yaw rate limit (or the mode's speed cap)
    LIMIT_RATE = "LIMIT_RATE"  # acceleration or jerk limit
    ZONE_STOP_FRONT = "ZONE_STOP_FRONT"  # something in the stop zone ahead
    ZONE_STOP_REAR = "ZONE_STOP_REAR"  # something in the stop zone behind
    TTC_STOP = "TTC_STOP"  # time to collision on the commanded arc below ttc_stop_s
    ZONE_SLOW = "ZONE_SLOW"  # something in the slow-down zone
    TTC_SLOW = "TTC_SLOW"  # time to collision below ttc_slow_s
    TURN_STOP = "TURN_STOP"  # the turn would sweep the footprint into an obstacle: yaw rate to zero
    TURN_SLOW = "TURN_SLOW"  # yaw rate slowed: the swept footprint nears an obstacle
    SSM_SLOW = "SSM_SLOW"  # slowed to keep a person outside the protective separation distance
    SSM_STOP = "SSM_STOP"  # stopped: a person within it, or contact unavoidable (at rest when it comes)
    YIELD = "YIELD"  # stopped (or backed off) to let a person's predicted path cross ahead
    CLEAR_CROSSING = "CLEAR_CROSSING"  # passed unslowed: slowing would stand in a crossing person's way
    OCCLUSION_SLOW = "OCCLUSION_SLOW"  # slowed for a blind corner ahead
    # why an input sample was refused on receipt
    BAD_STAMP = "BAD_STAMP"  # not a finite time
    BAD_VALUE = "BAD_VALUE"  # a field that must be a finite number is not (odometry)
    FUTURE_STAMP = "FUTURE_STAMP"  # further ahead than max_future_stamp_ms
    STALE_STAMP = "STALE_STAMP"  # older than the input's timeout when it arrived

    __str__ = str.__str__
    __format__ = str.__format__

    @classmethod
    def stale(cls, input_name: str) -> Reason:
        """SCAN_STALE for "scan", and so on."""
        return cls(f"{input_name.upper()}_STALE")

    @classmethod
    def hold(cls, mode: Mode) -> Reason:
        """The mode is held while a better one proves itself."""
        return cls(f"HOLD_{mode.name}")


MODE_CALLED_FOR: dict[Reason, Mode] = {
    Reason.ESTOP_REQUESTED: Mode.ESTOP,
    Reason.CLOCK_STUCK: Mode.MRM, Reason.CLOCK_JUMP: Mode.MRM, Reason.SCAN_STALE: Mode.MRM,
    Reason.SCAN_INVALID: Mode.MRM, Reason.SCAN_DEGRADED: Mode.MRM, Reason.ODOM_STALE: Mode.MRM,
    Reason.CMD_STALE: Mode.FALLBACK, Reason.CMD_INVALID: Mode.FALLBACK, Reason.HEALTH_STALE: Mode.FALLBACK,
    Reason.POLICY_OUTPUT_INVALID: Mode.FALLBACK, Reason.POLICY_OOD: Mode.FALLBACK,
    Reason.POLICY_SLOW: Mode.FALLBACK, Reason.CAMERA_STALE: Mode.FALLBACK,
    Reason.CLOUD_LOST: Mode.DEGRADED,
}
# interventions that stop the robot
STOPS = (Reason.ZONE_STOP_FRONT, Reason.ZONE_STOP_REAR, Reason.TTC_STOP, Reason.SSM_STOP, Reason.YIELD,
         Reason.TURN_STOP)
