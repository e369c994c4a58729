"""Small rclpy helpers shared by every genba node (this is the base package: rclpy + numpy only)."""

from __future__ import annotations

from typing import Any

from rcl_interfaces.msg import FloatingPointRange, IntegerRange, ParameterDescriptor


def declare(node: Any, name: str, default: Any, description: str,
            lo: float | None = None, hi: float | None = None, read_only: bool = False) -> Any:
    """Declare a parameter with a description (and range for numbers); return its value."""
    desc = ParameterDescriptor(description=description, read_only=read_only)
    if lo is not None and hi is not None:
        if isinstance(default, bool):
            pass
        elif isinstance(default, int):
            desc.integer_range = [IntegerRange(from_value=int(lo), to_value=int(hi), step=0)]
        elif isinstance(default, float):
            desc.floating_point_range = [FloatingPointRange(from_value=float(lo), to_value=float(hi), step=0.0)]
    return node.declare_parameter(name, default, desc).value


def stamp_to_sec(stamp: Any) -> float:
    return stamp.sec + stamp.nanosec * 1e-9


def sec_to_stamp(t: float, msg_stamp: Any) -> Any:
    """Fill a builtin_interfaces/Time in place from seconds; returns it."""
    sec = int(t // 1)
    msg_stamp.sec = sec
    msg_stamp.nanosec = int(round((t - sec) * 1e9)) % 1_000_000_000
    return msg_stamp


def run_node(node_cls: type, args: list[str] | None = None) -> None:
    """Standard entry point: init, spin until Ctrl-C or shutdown, clean exit without traceback.

    A node that raises ``SystemExit`` with a message (bad configuration) prints one line and
    exits non-zero; the process supervisor decides whether to restart it.
    """
    import sys

    import rclpy
    from rclpy.executors import ExternalShutdownException

    rclpy.init(args=args)
    node = None
    code = 0
    try:
        node = node_cls()
        rclpy.spin(node)
    except (KeyboardInterrupt, ExternalShutdownException):
        pass
    except ConfigurationError as exc:
        print(f"[{node_cls.__name__}] error: {exc}", file=sys.stderr, flush=True)
        code = 2
    finally:
        if node is not None:
            close = getattr(node, "close", None)
            if close:
                close()
            node.destroy_node()
        if rclpy.ok():
            rclpy.shutdown()
    sys.exit(code)


class ConfigurationError(Exception):
    """A node's parameters or files are wrong; the message is one line naming what."""


def diagnostics(node: Any, name: str, hardware_id: str, level: int, message: str, values: dict,
                stamp: Any = None) -> Any:
    """A diagnostic_msgs/DiagnosticArray with one status; values are stringified."""
    from diagnostic_msgs.msg import DiagnosticArray, DiagnosticStatus, KeyValue

    st = DiagnosticStatus(name=name, hardware_id=hardware_id, level=level, message=message,
                          values=[KeyValue(key=str(k), value=str(v)) for k, v in values.items()])
    arr = DiagnosticArray(status=[st])
    arr.header.stamp = stamp if stamp is not None else node.get_clock().now().to_msg()
    return arr
