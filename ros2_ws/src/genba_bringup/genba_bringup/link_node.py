"""Link monitor node: probes the robot's real link (``link_probe.py``) and publishes
``/cloud/heartbeat`` after each success, so the safety supervisor degrades when the link is lost.
Probes run on their own thread: a slow network never stalls the node."""

from __future__ import annotations

import threading

from diagnostic_msgs.msg import DiagnosticArray, DiagnosticStatus
from rclpy.node import Node
from std_msgs.msg import Header

from genba_bringup.link_probe import LinkProbe, ProbeResult, parse_endpoint
from genba_common.diagnostics import diagnostics
from genba_common.entry import run_node
from genba_common.errors import ConfigError
from genba_common.params import Parameters
from genba_common.qos import COMMAND, DIAGNOSTICS


class LinkMonitorNode(Node):
    def __init__(self, **node_kwargs) -> None:
        super().__init__("link_monitor", **node_kwargs)
        param = Parameters(self, "genba_bringup", "link_monitor.yaml")
        url = param(
            "endpoint", "tcp://host:port or http[s]://host[:port]/path whose reachability is the link"
        )
        period_ms = param("period_ms", "one probe per period (ms)", 50.0, 60000.0)
        timeout_ms = param("timeout_ms", "a probe slower than this is a lost link (ms)", 10.0, 60000.0)
        param.check_all_declared()
        if not url:
            raise ConfigError(
                "link_monitor: parameter 'endpoint' is empty (tcp://host:port or http[s]://...)"
            )
        if timeout_ms >= period_ms:
            raise ConfigError(
                f"link_monitor: timeout_ms {timeout_ms:g} must be shorter than period_ms {period_ms:g}"
            )
        self.endpoint = parse_endpoint(url)
        self.probe = LinkProbe(self.endpoint, timeout_ms / 1e3)
        self.pub = self.create_publisher(Header, "cloud/heartbeat", COMMAND)
        self.pub_diag = self.create_publisher(DiagnosticArray, "diagnostics", DIAGNOSTICS)
        self.last: ProbeResult | None = None
        self.ups = self.downs = self.failures_in_row = 0
        self._busy = threading.Lock()
        self._stop = threading.Event()
        self.create_timer(period_ms / 1e3, self._start_probe)
        self.create_timer(1.0, self._diagnostics)
        self.get_logger().info(
            f"link = {self.endpoint} (probe every {period_ms:g} ms, timeout {timeout_ms:g} ms)"
        )

    def _start_probe(self) -> None:
        if not self._stop.is_set() and self._busy.acquire(blocking=False):  # at most one probe in flight
            threading.Thread(target=self._probe, daemon=True, name="link-probe").start()

    def _probe(self) -> None:
        try:
            result = self.probe.probe()
            if self._stop.is_set():
                return
            was_up = self.last.up if self.last else None
            self.last = result
            if result.up:
                self.ups += 1
                self.failures_in_row = 0
                h = Header(frame_id=str(self.endpoint))
                h.stamp = self.get_clock().now().to_msg()
                self.pub.publish(h)
            else:
                self.downs += 1
                self.failures_in_row += 1
            if was_up is not result.up and result.up:  # rclpy: one severity per call site
                self.get_logger().info(f"link up ({self.endpoint})")
            elif was_up is not result.up:
                self.get_logger().warning(f"link lost: {result.detail} ({self.endpoint})")
        finally:
            self._busy.release()

    def _diagnostics(self) -> None:
        r = self.last
        up = bool(r and r.up)
        self.pub_diag.publish(
            diagnostics(
                self,
                "genba/link_monitor",
                str(self.endpoint),
                DiagnosticStatus.OK if up else DiagnosticStatus.ERROR,
                "link up" if up else f"link lost: {r.detail if r else 'no probe answered yet'}",
                {
                    "endpoint": str(self.endpoint),
                    "probes_up": self.ups,
                    "probes_down": self.downs,
                    "failures_in_row": self.failures_in_row,
                    "last_ms": round(r.ms, 1) if r else "",
                },
            )
        )

    def close(self) -> None:
        """No probe publishes after this: the one in flight (bounded by its timeout) is waited for."""
        self._stop.set()
        if self._busy.acquire(timeout=self.probe.timeout_s + 1.0):
            self._busy.release()


def main(args: list[str] | None = None) -> None:
    run_node(LinkMonitorNode, args)


if __name__ == "__main__":
    main()
