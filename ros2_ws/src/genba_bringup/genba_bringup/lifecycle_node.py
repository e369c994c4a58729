"""Lifecycle manager node: brings the stack's managed nodes (the drivers, the supervisor, the
bridge) up in order through their lifecycle services, and keeps asking the ones whose device was
missing (genba_bringup.bringup_order). Started by ``genba run`` and the launch files from the same
stack description."""

from __future__ import annotations

import time

from diagnostic_msgs.msg import DiagnosticArray, DiagnosticStatus
from lifecycle_msgs.msg import Transition
from lifecycle_msgs.srv import ChangeState, GetState
from rclpy.node import Node

from genba_bringup.bringup_order import STATE_NAMES, BringUp
from genba_common.diagnostics import diagnostics
from genba_common.entry import run_node
from genba_common.errors import ConfigError
from genba_common.params import Parameters
from genba_common.qos import DIAGNOSTICS


class LifecycleManagerNode(Node):
    def __init__(self, **node_kwargs) -> None:
        super().__init__("lifecycle_manager", **node_kwargs)
        param = Parameters(self, "genba_bringup", "lifecycle_manager.yaml")
        names = param("managed_nodes", "Managed nodes, in the order they are brought up")
        retry_s = param("retry_period_s", "A node that failed to configure is asked again this often (s)",
                        0.1, 600.0)
        self.timeout_s = param("service_timeout_s", "A lifecycle service silent this long is asked again (s)",
                               0.1, 60.0)
        param.check_all_declared()
        if not names or len(set(names)) != len(names):
            raise ConfigError(f"lifecycle_manager: 'managed_nodes' {list(names)} must name each node once")
        self.order = BringUp(tuple(names), retry_s)
        self.lifecycle_clients = {
            n: (self.create_client(GetState, f"{n}/get_state"),
                self.create_client(ChangeState, f"{n}/change_state"))
            for n in names
        }
        self._pending = None  # (node, kind, transition, future, asked at)
        self._reported: dict[str, str] = {}
        self.pub_diag = self.create_publisher(DiagnosticArray, "diagnostics", DIAGNOSTICS)
        self.create_timer(0.1, self._step)
        self.create_timer(1.0, self._diagnostics)
        self.get_logger().info(f"bringing up, in order: {', '.join(names)}")

    def _step(self) -> None:
        now = time.monotonic()
        if self._pending is not None:
            name, kind, transition, future, asked = self._pending
            if not future.done():
                if now - asked > self.timeout_s:
                    future.cancel()
                    self._pending = None
                return
            self._pending = None
            result = future.result()
            if kind == "get_state":
                self.order.on_state(name, result.current_state.id)
            else:
                self.order.on_transition(name, transition, bool(result.success), now)
                self._report(name)
            return
        request = self.order.next_request(now)
        if request is None:
            return
        name, kind, transition = request
        get_client, change_client = self.lifecycle_clients[name]
        client = get_client if kind == "get_state" else change_client
        if not client.service_is_ready():
            return  # the node is not up yet
        if kind == "get_state":
            future = client.call_async(GetState.Request())
        else:
            future = client.call_async(ChangeState.Request(transition=Transition(id=transition)))
        self._pending = (name, kind, transition, future, now)

    def _report(self, name: str) -> None:
        """One line per change of a node's state: up, or staying unconfigured (its own log says why)."""
        state = self.order.state_name(name)
        if self._reported.get(name) == state:
            return
        self._reported[name] = state
        if state == "unconfigured":
            self.get_logger().warning(
                f"{name}: configure failed (see its log); asking again every {self.order.retry_s:g} s"
            )
        else:
            self.get_logger().info(f"{name}: {state}")

    def _diagnostics(self) -> None:
        states = {n: self.order.state_name(n) for n in self.order.nodes}
        down = [n for n, s in states.items() if s != STATE_NAMES[3]]
        level = DiagnosticStatus.OK if not down else DiagnosticStatus.WARN
        message = "all active" if not down else f"not active: {', '.join(down)}"
        self.pub_diag.publish(diagnostics(self, "genba/lifecycle_manager", "stack", level, message, states))


def main(args: list[str] | None = None) -> None:
    run_node(LifecycleManagerNode, args)


if __name__ == "__main__":
    main()
