"""Motor-controller emulator: the controller's logic
(:class:`~genba_actuation.controller.ControllerCore`) behind a pseudo-terminal.

:class:`PtyController` puts it on a pseudo-terminal so the bridge talks to it through a real tty,
exactly as it would to a USB motor controller. Run ``genba-controller-emulator`` to get one
standalone (it prints its path).
"""

from __future__ import annotations

import os
import select
import threading
import time
import tty

from genba_actuation import protocol as p
from genba_actuation.controller import ControllerConfig, ControllerCore


class PtyController:
    """Runs a :class:`ControllerCore` behind a pseudo-terminal, in a background thread.

    The host side opens :attr:`port` (the pty slave) with pyserial like any serial device. When
    ``self_integrate`` is true the emulator counts encoder ticks from its own outputs (standalone
    use); the simulator instead calls :meth:`integrate_encoders` with the real wheel motion.
    """

    def __init__(
        self,
        config: ControllerConfig | None = None,
        telemetry_hz: float = 100.0,
        link_path: str | None = None,
        self_integrate: bool = True,
    ) -> None:
        self.core = ControllerCore(config or ControllerConfig())
        self.decoder = p.FrameDecoder()
        self.telemetry_hz = telemetry_hz
        self.self_integrate = self_integrate
        self._lock = threading.Lock()
        self._master, slave = os.openpty()
        tty.setraw(slave)
        os.set_blocking(self._master, False)  # a host that stops reading never blocks the firmware loop
        self.writes_dropped = 0
        self.port = os.ttyname(slave)
        self._slave = slave  # kept open so the pty survives host reconnects
        self.link_path = link_path
        if link_path:
            tmp = f"{link_path}.tmp{os.getpid()}"
            os.symlink(self.port, tmp)
            os.replace(tmp, link_path)
        self._seq = 0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name="pty-controller", daemon=True)
        self._watchdog = threading.Thread(target=self._watch, name="pty-controller-watchdog", daemon=True)
        self.inject_garbage = b""  # test hook: bytes written before the next telemetry frame

    def start(self) -> "PtyController":
        self._thread.start()
        self._watchdog.start()
        return self

    def _watch(self) -> None:
        """The watchdog on its own timer, as a hardware timer interrupt would run it: whatever the
        I/O loop is doing, the motors go off within a quarter period of the deadline."""
        period = max(0.001, self.core.config.watchdog_ms / 4000.0)
        while not self._stop.wait(period):
            with self._lock:
                self.core.update(time.monotonic())

    def close(self) -> None:
        self._stop.set()
        for t in (self._thread, self._watchdog):
            if t.is_alive():
                t.join(timeout=1.0)
        for fd in (self._master, self._slave):
            try:
                os.close(fd)
            except OSError:
                pass
        if self.link_path and os.path.islink(self.link_path):
            os.unlink(self.link_path)

    def wheel_outputs(self) -> tuple[float, float]:
        with self._lock:
            return self.core.update(time.monotonic())

    def integrate_encoders(self, left: float, right: float, dt: float) -> None:
        with self._lock:
            self.core.integrate_encoders(left, right, dt)

    def _write(self, msg: object) -> None:
        self._seq = (self._seq + 1) & 0xFF
        data = p.encode(msg, self._seq)
        if self.inject_garbage:
            data, self.inject_garbage = self.inject_garbage + data, b""
        try:
            os.write(self._master, data)
        except BlockingIOError:
            self.writes_dropped += 1  # the host does not read: telemetry is dropped, as a UART would
        except OSError:
            pass  # host side closed: nothing to tell

    def _run(self) -> None:
        period = 1.0 / self.telemetry_hz
        next_tx = time.monotonic()
        last = time.monotonic()
        while not self._stop.is_set():
            timeout = max(0.0, next_tx - time.monotonic())
            try:
                ready, _, _ = select.select([self._master], [], [], timeout)
            except (OSError, ValueError):
                return
            now = time.monotonic()
            if ready:
                try:
                    data = os.read(self._master, 4096)
                except OSError:
                    data = b""
                replies = []
                with self._lock:
                    acknowledge = False
                    for msg, seq in self.decoder.feed(data):
                        replies += self.core.handle(msg, seq, now)
                        acknowledge |= isinstance(msg, p.Velocity) and self.core.connected
                    if acknowledge:  # every accepted VELOCITY is answered with TELEMETRY at once
                        self.core.update(now)
                        replies.append(self.core.telemetry())
                for r in replies:
                    self._write(r)
            if now >= next_tx:
                with self._lock:
                    out = self.core.update(now)
                    if self.self_integrate:
                        self.core.integrate_encoders(out[0], out[1], now - last)
                    telem = self.core.telemetry()
                last = now
                self._write(telem)
                next_tx = now + period


def main() -> None:
    """Standalone emulator on a pty: prints its path, runs until Ctrl-C."""
    import argparse

    ap = argparse.ArgumentParser(description="genba motor-controller emulator on a pseudo-terminal")
    ap.add_argument("--watchdog-ms", type=float, default=100.0)
    ap.add_argument("--link", help="also create this symlink to the pty (e.g. /tmp/ttyGENBA0)")
    args = ap.parse_args()
    import signal

    def stop(*_: object) -> None:
        raise KeyboardInterrupt  # SIGTERM (systemd, timeout) cleans up like Ctrl-C: link removed

    signal.signal(signal.SIGTERM, stop)
    ctl = PtyController(ControllerConfig(watchdog_ms=args.watchdog_ms), link_path=args.link).start()
    try:  # print inside: a SIGTERM right after the line is read must still remove the link
        print(ctl.port + (f" (linked as {args.link})" if args.link else ""), flush=True)
        while True:
            time.sleep(1.0)
    except KeyboardInterrupt:
        pass
    finally:
        ctl.close()


if __name__ == "__main__":
    main()
