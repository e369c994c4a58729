"""Command mux node: several command sources in, the winner out to the supervisor
(:mod:`genba_safety.arbitration`). Publishes ``mux/cmd_vel`` (TwistStamped, the winning command with
its stamp), ``mux/health`` (the winner's health report, as the supervisor reads ``policy/health``)
and ``mux/active_source`` (latched, on each change); the stacks remap the supervisor's inputs to
them, so it gates whatever wins."""

from __future__ import annotations

import time

from diagnostic_msgs.msg import DiagnosticArray, DiagnosticStatus
from geometry_msgs.msg import Twist, TwistStamped
from rclpy.node import Node
from std_msgs.msg import Bool, String

from genba_common import frames
from genba_common.diagnostics import diagnostics
from genba_common.entry import run_node
from genba_common.errors import ConfigError
from genba_common.params import Parameters
from genba_common.qos import COMMAND, DIAGNOSTICS, LATCHED
from genba_common.stamps import sec_to_stamp, stamp_to_sec
from genba_safety.arbitration import FRESH, CommandMux, Health, Lock, Selection, Source, health_of_values


def health_of(msg: DiagnosticArray) -> Health:
    """The fields the supervisor reads, from a health report's first status (none: not valid)."""
    for st in msg.status:
        return health_of_values({k.key: k.value for k in st.values}, stamp_to_sec(msg.header.stamp))
    return Health(False)


class CommandMuxNode(Node):
    def __init__(self, **node_kwargs) -> None:
        super().__init__("cmd_mux", **node_kwargs)
        param = Parameters(self, "genba_safety", "cmd_mux.yaml")
        health_timeout_ms = param("health_timeout_ms", "A health report older than this: not healthy",
                                  1.0, 10000.0)
        sources, topics = [], {}
        for name in param("sources", "Command sources (each a block: topic, stamped, priority, "
                          "timeout_ms, health)"):
            topics[name] = param(f"{name}.topic", f"{name}: its command topic")
            stamped = param(f"{name}.stamped", f"{name}: TwistStamped (true) or Twist (false)")
            sources.append(Source(
                name,
                param(f"{name}.priority", f"{name}: priority (higher wins)", 0, 255),
                param(f"{name}.timeout_ms", f"{name}: its commands are fresh this long", 1.0, 10000.0) / 1e3,
                param(f"{name}.health", f"{name}: '{FRESH}' or the DiagnosticArray topic of its health"),
            ))
            self._subscribe_source(name, topics[name], stamped)
        locks = []
        for name in param("locks", "Locks (std_msgs/Bool topics): engaged, they hold zero"):
            topics[name] = param(f"{name}.topic", f"{name}: its Bool topic")
            locks.append(Lock(name, param(f"{name}.priority", f"{name}: sources at or below are blocked",
                                          0, 255),
                              param(f"{name}.timeout_ms", f"{name}: silent this long engages it (0: never)",
                                    0.0, 10000.0) / 1e3))
            self.create_subscription(Bool, topics[name], lambda m, n=name: self._on_lock(n, m), COMMAND)
        param.check_all_declared()
        try:
            self.mux = CommandMux(sources, locks, health_timeout_ms / 1e3)
        except ValueError as exc:
            raise ConfigError(f"cmd_mux: {exc}") from None
        self.health_msgs: dict[str, DiagnosticArray] = {}
        for report in {s.health for s in sources if s.health != FRESH}:
            self.create_subscription(
                DiagnosticArray, report, lambda m, r=report: self._on_health(r, m), COMMAND
            )
        self.pub_cmd = self.create_publisher(TwistStamped, "mux/cmd_vel", COMMAND)
        self.pub_health = self.create_publisher(DiagnosticArray, "mux/health", COMMAND)
        self.pub_active = self.create_publisher(String, "mux/active_source", LATCHED)
        self.pub_diag = self.create_publisher(DiagnosticArray, "diagnostics", DIAGNOSTICS)
        self.active: str | None = ""
        self.forwarded = dict.fromkeys([s.name for s in sources], 0)
        self.create_timer(0.05, self._tick)  # switches and locks take effect without waiting for a message
        self.create_timer(1.0, self._diagnostics)
        self._tick()
        self.get_logger().info(
            "sources by priority: " + ", ".join(f"{s.name} ({s.priority})" for s in self.mux.sources)
            + (f"; locks: {', '.join(lk.name for lk in locks)}" if locks else "")
        )

    def _subscribe_source(self, name: str, topic: str, stamped: bool) -> None:
        if stamped:
            self.create_subscription(TwistStamped, topic, lambda m: self._on_cmd(
                name, m.twist, stamp_to_sec(m.header.stamp)), COMMAND)
        else:  # a Twist has no stamp: stamped on arrival
            self.create_subscription(Twist, topic, lambda m: self._on_cmd(
                name, m, self.get_clock().now().nanoseconds * 1e-9), COMMAND)

    def _on_cmd(self, name: str, twist: Twist, stamp: float) -> None:
        self.mux.offer_command(name, float(twist.linear.x), float(twist.angular.z), stamp, time.monotonic())
        sel = self._select()
        if sel.source == name:
            self._publish(sel)  # forwarded as it arrives: no added wait

    def _on_health(self, report: str, msg: DiagnosticArray) -> None:
        self.health_msgs[report] = msg
        self.mux.offer_health(report, health_of(msg), time.monotonic())

    def _on_lock(self, name: str, msg: Bool) -> None:
        self.mux.offer_lock(name, bool(msg.data), time.monotonic())
        self._tick()

    def _select(self) -> Selection:
        sel = self.mux.select(time.monotonic())
        if sel.source != self.active:
            self.get_logger().info(f"command source: {sel.source or 'none'} (was {self.active or 'none'})")
            self.active = sel.source
            self.pub_active.publish(String(data=sel.source or ""))
        return sel

    def _tick(self) -> None:
        sel = self._select()
        if sel.source is not None and sel.source.startswith("lock:"):
            self._publish(sel)  # a lock holds zero at the timer's rate

    def _publish(self, sel: Selection) -> None:
        cmd = TwistStamped()
        cmd.header.frame_id = frames.BASE_LINK
        if sel.stamp is None:
            cmd.header.stamp = self.get_clock().now().to_msg()
        else:
            sec_to_stamp(sel.stamp, cmd.header.stamp)
        cmd.twist.linear.x, cmd.twist.angular.z = sel.v, sel.w
        self.pub_cmd.publish(cmd)
        source = next((s for s in self.mux.sources if s.name == sel.source), None)
        if source is not None and source.health != FRESH:
            self.pub_health.publish(self.health_msgs[source.health])  # the report, as the source gave it
        else:  # a fresh joystick, a lock: healthy, as of this command
            self.pub_health.publish(diagnostics(
                self, "genba/cmd_mux", sel.source or "", DiagnosticStatus.OK, f"{sel.source}: fresh",
                {"ood_score": "0.0", "inference_ms": "0.0", "output_valid": "true", "source": sel.source},
                stamp=cmd.header.stamp))
        if sel.source in self.forwarded:
            self.forwarded[sel.source] += 1

    def _diagnostics(self) -> None:
        lock = self.mux.lock_level(time.monotonic())
        level = DiagnosticStatus.OK if self.active else DiagnosticStatus.WARN
        message = f"source: {self.active}" if self.active else "no fresh, healthy source"
        vals = {"active": self.active or "none", "lock": lock[1] if lock else "none",
                **{f"forwarded_{k}": v for k, v in self.forwarded.items()}}
        self.pub_diag.publish(diagnostics(self, "genba/cmd_mux", "mux", level, message, vals))


def main(args: list[str] | None = None) -> None:
    run_node(CommandMuxNode, args)


if __name__ == "__main__":
    main()
