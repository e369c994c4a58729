"""The order managed nodes are brought up in, and what to ask each next (no rclpy: tests drive it).

Nodes come up one after the other: each is configured, then activated, before the next is asked.
A node whose configure fails (its device is missing) stays unconfigured; the ones after it still
come up, so the safety supervisor is there to hold the robot at stop, and the failed node is asked
again every ``retry_s``.
"""

from __future__ import annotations

from dataclasses import dataclass, field

# lifecycle_msgs/msg/State ids and Transition ids (REP-2000's managed-node states)
UNCONFIGURED, INACTIVE, ACTIVE = 1, 2, 3
CONFIGURE, ACTIVATE = 1, 3
STATE_NAMES = {0: "unknown", UNCONFIGURED: "unconfigured", INACTIVE: "inactive", ACTIVE: "active",
               4: "finalized"}


@dataclass
class BringUp:
    nodes: tuple[str, ...]
    retry_s: float = 2.0
    states: dict[str, int] = field(default_factory=dict)
    failed_at: dict[str, float] = field(default_factory=dict)  # node -> when its configure failed

    def next_request(self, now: float) -> tuple[str, str, int | None] | None:
        """(node, "get_state" | "change_state", transition) to ask next, or None (all up, or waiting).

        A node not heard from yet is asked its state first; nodes before it must be active or have
        failed (and not be due for a retry)."""
        for name in self.nodes:
            state = self.states.get(name)
            if state is None:
                return name, "get_state", None
            if state == ACTIVE:
                continue
            if name in self.failed_at:
                if now - self.failed_at[name] < self.retry_s:
                    continue  # waiting to retry; the rest come up meanwhile
                return name, "change_state", CONFIGURE
            if state == UNCONFIGURED:
                return name, "change_state", CONFIGURE
            if state == INACTIVE:
                return name, "change_state", ACTIVATE
            return None  # transitioning or finalized: wait for it
        return None

    def on_state(self, name: str, state: int) -> None:
        self.states[name] = state

    def on_transition(self, name: str, transition: int, success: bool, now: float) -> None:
        if transition == CONFIGURE:
            if success:
                self.failed_at.pop(name, None)
                self.states[name] = INACTIVE
            else:
                self.failed_at[name] = now
                self.states[name] = UNCONFIGURED
        elif transition == ACTIVATE and success:
            self.states[name] = ACTIVE
        elif transition == ACTIVATE:
            self.states.pop(name, None)  # ask again what it is

    def all_active(self) -> bool:
        return all(self.states.get(n) == ACTIVE for n in self.nodes)

    def state_name(self, name: str) -> str:
        return STATE_NAMES.get(self.states.get(name, 0), "unknown")
