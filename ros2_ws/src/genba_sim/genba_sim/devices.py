"""The robot's devices, emulated from the simulation, so the robot stack runs unchanged on it.

* :class:`PtyDevice`: a pseudo-terminal with a symlink (``/tmp/genba_ttyLIDAR``) that can be
  unplugged (the link goes, the host's reads fail as a USB adapter's do) and plugged back.
* :class:`Ld06Stream`: the simulated scan as an LDRobot LD06 streams it: 47-byte packets of 12
  points, the device turning clockwise at ``rate_hz``, written as the angle is swept.
* :class:`FrameFolder`: camera frames written into a folder, as a camera that saves images does;
  the camera driver's folder source (``follow``) reads each new one.
* :class:`FleetEndpoint`: a TCP port that accepts connections while the simulated cloud link is up,
  for the robot's ``link_monitor`` to probe.
"""

from __future__ import annotations

import math
import os
import socket
import tty
from pathlib import Path

import numpy as np

from genba_perception.lidar_models import MODELS
from genba_perception.lidar_protocols import LD_POINTS, encode_ld06

LD06_TOO_CLOSE_MM = 100  # a return closer than the simulated scanner measures: reported this near
# The simulator's "nothing in range" (+inf), sent as a return beyond any range_max, so the driver's
# scan is the simulator's. A real LD06 sends 0 (no echo) there, which the driver reads as unknown.
LD06_BEYOND_RANGE_MM = 65535


def ld06_intensity(range_m: float) -> int:
    """The echo strength the emulated LD06 reports: strong close up, weaker with range (LD06 units
    report about 240 at 1 m and under 100 beyond 8 m on matt surfaces)."""
    return int(max(40.0, min(250.0, 260.0 - 20.0 * range_m)))


class PtyDevice:
    """A pseudo-terminal behind ``link_path``, written to without blocking (a host that stops
    reading loses bytes, as from a UART). :meth:`unplug` closes it and removes the link."""

    def __init__(self, link_path: str) -> None:
        self.link_path = link_path
        self._master: int | None = None
        self._slave: int | None = None
        self.bytes_dropped = 0
        self.plug()

    @property
    def plugged(self) -> bool:
        return self._master is not None

    def plug(self) -> None:
        if self.plugged:
            return
        master, slave = os.openpty()
        tty.setraw(slave)
        os.set_blocking(master, False)
        self._master, self._slave = master, slave
        tmp = f"{self.link_path}.tmp{os.getpid()}"
        os.symlink(os.ttyname(slave), tmp)
        os.replace(tmp, self.link_path)

    def unplug(self) -> None:
        if not self.plugged:
            return
        if os.path.islink(self.link_path):
            os.unlink(self.link_path)
        for fd in (self._master, self._slave):
            try:
                os.close(fd)  # type: ignore[arg-type]
            except OSError:
                pass
        self._master = self._slave = None

    def write(self, data: bytes) -> None:
        if self._master is None or not data:
            return
        try:
            n = os.write(self._master, data)
            self.bytes_dropped += len(data) - n
        except BlockingIOError:
            self.bytes_dropped += len(data)
        except OSError:
            pass

    def close(self) -> None:
        self.unplug()


class Ld06Stream:
    """Packets of an LD06 turning at ``rate_hz`` over the latest simulated scan.

    The scan's beam i lies at ``-pi + i * 2 pi / beams`` (counter-clockwise, laser frame); the LD06's
    device angle theta (clockwise) is at ``offset - theta`` (the model's vendor convention), so
    the driver's scan has the simulated ranges at the same beams. One point per beam: 12 beams a packet.
    """

    def __init__(self, beams: int, rate_hz: float = 10.0) -> None:
        if beams % LD_POINTS:
            raise ValueError(f"an LD06 stream needs a multiple of {LD_POINTS} beams, not {beams}")
        self.beams, self.rate_hz = beams, rate_hz
        self.offset_rad = MODELS["ld06"].angle_offset_rad("vendor")
        self.speed_dps = int(round(360.0 * rate_hz))
        self.ranges = np.full(beams, np.nan)
        self._next_point = 0  # points emitted since the start (device angle = point * step)
        self._t0: float | None = None

    def set_scan(self, ranges: np.ndarray) -> None:
        self.ranges = np.asarray(ranges, float)

    def _point(self, k: int) -> tuple[int, int]:
        theta = math.radians(k * 360.0 / self.beams)
        a = (self.offset_rad - theta + math.pi) % (2.0 * math.pi) - math.pi
        r = self.ranges[int(round((a + math.pi) * self.beams / (2.0 * math.pi))) % self.beams]
        if np.isnan(r):
            return 0, 0  # no measurement: the LD06 reports 0 (no echo)
        if r == math.inf:
            return LD06_BEYOND_RANGE_MM, ld06_intensity(math.inf)
        if r == -math.inf:
            return LD06_TOO_CLOSE_MM, ld06_intensity(0.0)
        return int(min(65535, max(1, round(r * 1000.0)))), ld06_intensity(r)

    def packets(self, now: float) -> bytes:
        """The packets whose points the device has swept by ``now`` (seconds)."""
        if self._t0 is None:
            self._t0 = now
        swept = int((now - self._t0) * self.rate_hz * self.beams)
        out = bytearray()
        step = 360.0 / self.beams
        while self._next_point + LD_POINTS <= swept:
            k = self._next_point
            start = (k * step) % 360.0
            pts = [self._point(k + j) for j in range(LD_POINTS)]
            stamp_ms = int((now - self._t0) * 1000.0)
            out += encode_ld06(self.speed_dps, start, start + (LD_POINTS - 1) * step, stamp_ms, pts)
            self._next_point += LD_POINTS
        return bytes(out)


class FrameFolder:
    """Frames written as ``frame_<n>.png`` (atomically: a reader never sees half a file); only the
    newest ``keep`` stay."""

    def __init__(self, folder: str, keep: int = 5) -> None:
        import cv2

        self._cv2 = cv2
        self.folder = Path(folder)
        self.folder.mkdir(parents=True, exist_ok=True)
        for old in self.folder.glob("frame_*.png"):
            old.unlink()
        self.keep, self.count = keep, 0

    def write(self, rgb: np.ndarray) -> None:
        self.count += 1
        path = self.folder / f"frame_{self.count:08d}.png"
        tmp = self.folder / f".frame_{self.count:08d}.tmp.png"
        self._cv2.imwrite(str(tmp), self._cv2.cvtColor(rgb, self._cv2.COLOR_RGB2BGR))
        os.replace(tmp, path)
        stale = self.folder / f"frame_{self.count - self.keep:08d}.png"
        if self.count > self.keep and stale.exists():
            stale.unlink()


class FleetEndpoint:
    """A listening TCP socket on 127.0.0.1:``port`` while the simulated cloud link is up; closed
    while it is down (a probe's connection is refused). Accepted connections are closed at once."""

    def __init__(self, port: int) -> None:
        self.port = port
        self._sock: socket.socket | None = None
        self.set_up(True)

    def set_up(self, up: bool) -> None:
        if up and self._sock is None:
            s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
            s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
            s.bind(("127.0.0.1", self.port))
            s.listen(16)
            s.setblocking(False)
            self.port = s.getsockname()[1]
            self._sock = s
        elif not up and self._sock is not None:
            self._sock.close()
            self._sock = None

    def serve(self) -> None:
        """Accept and close pending connections (a probe only needs the handshake)."""
        while self._sock is not None:
            try:
                conn, _ = self._sock.accept()
            except (BlockingIOError, OSError):
                return
            conn.close()

    def close(self) -> None:
        self.set_up(False)
