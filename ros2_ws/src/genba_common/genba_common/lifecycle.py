"""Managed (lifecycle) nodes: a device is opened on *configure*, work runs while *active*.

A node that cannot open its device fails *configure* with one error line and stays
*unconfigured* (its manager retries); once active, a device lost at runtime is reopened by the
node itself. ``autostart`` (a parameter) configures and activates the node at start,
for a node run on its own; in a stack the lifecycle manager brings the nodes up in order.
"""

from __future__ import annotations

from rclpy.lifecycle import LifecycleNode, LifecycleState, TransitionCallbackReturn


class DeviceUnavailable(Exception):
    """The device cannot be opened now: one line, naming it and why."""


def open_serial(link, now: float) -> None:
    """Open a :class:`~genba_common.serial_link.SerialLink` on configure, or raise
    :class:`DeviceUnavailable` with its one-line reason."""
    if not link.try_open(now):
        raise DeviceUnavailable(link.last_error or f"cannot open {link.port_name} yet")


class ManagedNode(LifecycleNode):
    """Subclasses implement :meth:`open_device` (raise :class:`DeviceUnavailable`),
    :meth:`close_device` and, where stopping matters, :meth:`on_inactive`; their timers check
    :attr:`active`."""

    active = False
    _configure_error = ""

    def open_device(self) -> None:
        """Open the device (configure). Default: there is none."""

    def close_device(self) -> None:
        """Close the device (cleanup, shutdown). Default: there is none."""

    def on_inactive(self) -> None:
        """Called when the node stops being active: leave the device safe (e.g. zero the wheels)."""

    def close(self) -> None:
        """What ``run_node`` calls at exit: the device closed."""
        self.close_device()

    def start_if_autostart(self, autostart: bool) -> None:
        """Configure and activate now when ``autostart`` (a node run on its own)."""
        if autostart and self.trigger_configure() == TransitionCallbackReturn.SUCCESS:
            self.trigger_activate()

    def on_configure(self, state: LifecycleState) -> TransitionCallbackReturn:
        try:
            self.open_device()
        except DeviceUnavailable as exc:
            if str(exc) != self._configure_error:  # the manager asks again: said once, until it changes
                self.get_logger().error(f"configure failed, staying unconfigured: {exc}")
            self._configure_error = str(exc)
            return TransitionCallbackReturn.FAILURE
        self._configure_error = ""
        return TransitionCallbackReturn.SUCCESS

    def on_activate(self, state: LifecycleState) -> TransitionCallbackReturn:
        self.active = True
        return super().on_activate(state)

    def on_deactivate(self, state: LifecycleState) -> TransitionCallbackReturn:
        self.active = False
        self.on_inactive()
        return super().on_deactivate(state)

    def on_cleanup(self, state: LifecycleState) -> TransitionCallbackReturn:
        self.close_device()
        return TransitionCallbackReturn.SUCCESS

    def on_shutdown(self, state: LifecycleState) -> TransitionCallbackReturn:
        if self.active:
            self.active = False
            self.on_inactive()
        self.close_device()
        return TransitionCallbackReturn.SUCCESS
