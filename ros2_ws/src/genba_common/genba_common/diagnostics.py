"""diagnostic_msgs helpers."""

from __future__ import annotations

from typing import Any


def diagnostics(node: Any, name: str, hardware_id: str, level: int, message: str, values: dict,
                stamp: Any = None) -> Any:
    """A diagnostic_msgs/DiagnosticArray with one status; values are stringified."""
    from diagnostic_msgs.msg import DiagnosticArray, DiagnosticStatus, KeyValue

    st = DiagnosticStatus(name=name, hardware_id=hardware_id, level=level, message=message,
                          values=[KeyValue(key=str(k), value=str(v)) for k, v in values.items()])
    arr = DiagnosticArray(status=[st])
    arr.header.stamp = stamp if stamp is not None else node.get_clock().now().to_msg()
    return arr
